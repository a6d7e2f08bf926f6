"""A catalog refresh: read a feed (planner.catalogs.feeds), show each figure's change, and write the changed rows
to the overlay's refreshed/ folder — atomically, keeping the earlier file in history/, and only when the whole
catalog still loads. A figure that moves by more than LARGE_CHANGE× is refused unless accepted.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import os
import re
import shutil
import tempfile
import urllib.parse
from dataclasses import dataclass, field, replace
from pathlib import Path

from planner.catalogs import catalog, feeds
from planner.catalogs.feeds import FEED_NAMES, FeedError, Figure
from planner.schema.safe_csv import write_csv_rows
from planner.schema.scenario import NO_REGION, Scenario, scale_money, to_dict, validate

LARGE_CHANGE = 3.0  # a figure multiplied or divided by more than this needs --accept-large-changes
SOURCES = ("ecb", "azure", "aws", "owid")
AWS_OFFERS = ("AmazonS3", "AWSDataTransfer", "AWSLambda")  # per catalog AWS region; EC2 for us-east-1


@dataclass(frozen=True)
class Change:
    file: str
    label: str
    old: object  # a number, a tier list, or None for a new tier schedule
    new: object
    effective: str
    url: str

    @property
    def ratio(self) -> float:
        """The largest factor by which a figure (or a tier's price) moved; 1 when unchanged."""
        pairs = (
            [(self.old, self.new)]
            if not isinstance(self.new, list)
            else [(dict(self.old or [])[start], price) for start, price in self.new if start in dict(self.old or [])]
        )
        worst = 1.0
        for old, new in pairs:
            if old == new:
                continue
            worst = max(worst, math.inf if min(old, new) <= 0 else max(old / new, new / old))
        return worst

    @property
    def large(self) -> bool:
        return self.ratio > LARGE_CHANGE

    def text(self) -> str:
        mark = f"  ← more than {LARGE_CHANGE:g}× (refused unless --accept-large-changes)" if self.large else ""
        return f"{self.file} {self.label}: {_shown(self.old)} → {_shown(self.new)} (effective {self.effective}){mark}"


@dataclass
class Refresh:
    source: str
    changes: list[Change]
    unchanged: int
    files: dict[str, list[dict]] = field(default_factory=dict)  # file → its new refreshed/ rows

    def lines(self) -> list[str]:
        found = [c.text() for c in self.changes] or ["no figure changes"]
        return found + [f"{self.unchanged} figure(s) unchanged (now cited with the feed's date)"]


def _shown(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "; ".join(f"{start:g}:{price:g}" for start, price in value)
    return f"{value:g}"


def default_locations(source: str, data_dir: Path = catalog.DATA_DIR) -> list[str]:
    """The public URL(s) a source is read from when no --from is given."""
    if source == "azure":
        instances = catalog.catalog_rows("cloud_instances.csv", data_dir)
        return [feeds.PUBLIC_URLS["azure"] + urllib.parse.quote(feeds.azure_filter(instances), safe="'()")]
    if source == "aws":
        regions = [r["region"] for r in catalog.catalog_rows("cloud_regions.csv", data_dir) if r["provider"] == "aws"]
        offer = feeds.PUBLIC_URLS["aws"]  # …/AmazonEC2/current/us-east-1/index.json
        return [offer] + [
            offer.replace("/AmazonEC2/current/us-east-1/", f"/{code}/current/{region}/")
            for region in regions
            for code in AWS_OFFERS
        ]
    return [feeds.PUBLIC_URLS[source]]


def read_figures(
    source: str,
    locations: list[str],
    overlay_dir: Path | None,
    data_dir: Path = catalog.DATA_DIR,
    day: str | None = None,
) -> list[Figure]:
    if source not in SOURCES:
        raise FeedError(f"unknown source {source!r}; choose one of {', '.join(SOURCES)}")

    def rows(file):
        return catalog.catalog_rows(file, data_dir, overlay_dir, ("bundled", "refreshed"))

    found = []
    for location in locations:
        if source == "ecb":
            found += feeds.read_ecb(location, rows("fx_rates.csv"), day)
        elif source == "owid":
            found += feeds.read_owid(location, rows("carbon.csv"))
        elif source == "azure":
            found += feeds.read_azure(location, rows("cloud_instances.csv"), rows("cloud_regions.csv"))
        else:
            found += feeds.read_aws(location, rows("cloud_instances.csv"), rows("cloud_regions.csv"))
    return found


def plan(
    source: str,
    figures: list[Figure],
    overlay_dir: Path | None,
    data_dir: Path = catalog.DATA_DIR,
    today: datetime.date | None = None,
) -> Refresh:
    """What the figures change: each changed figure (old → new), and the refreshed/ files that would result."""
    retrieved = (today or datetime.date.today()).isoformat()
    result = Refresh(source, [], 0)
    for file in dict.fromkeys(f.file for f in figures):
        current = catalog.catalog_rows(file, data_dir, overlay_dir, ("bundled", "refreshed"))
        bundled = {catalog.overlay_key(file, r): r for r in catalog.layer_rows(file, "bundled", data_dir)}
        negotiated = {
            catalog.overlay_key(file, r) for r in catalog.layer_rows(file, "price book", data_dir, overlay_dir)
        }
        by_key: dict[tuple, list[dict]] = {}
        for row in current:
            by_key.setdefault(catalog.overlay_key(file, row), []).append(row)
        new_rows: list[dict] = []
        for key in dict.fromkeys(f.key for f in figures if f.file == file):
            mine = [f for f in figures if f.file == file and f.key == key]
            rows = by_key.get(key)
            if not rows:
                continue  # the feed knows a row the catalog does not have
            mine = [_keeping_free_allowance(f, _figure(rows, f.column)) for f in mine]
            if key in negotiated:  # refreshed all the same: it applies if the row is dropped
                mine = [replace(f, label=f"{f.label} (a price book row overrides it)") for f in mine]
            for f in mine:
                old = _figure(rows, f.column)
                if catalog.same_value(old, f.value):
                    result.unchanged += 1
                else:
                    result.changes.append(Change(file, f.label, old, f.value, f.effective, f.url))
            # Written even when unchanged: the feed confirms the figure, so it cites the feed and its date.
            new_rows += _refreshed_rows(FEED_NAMES[source], file, rows, mine, bundled.get(key, rows[0]), retrieved)
        if new_rows:
            kept = catalog.layer_rows(file, "refreshed", data_dir, overlay_dir)
            result.files[file] = catalog.overlaid(file, kept, new_rows)
    return result


FREE_NOTE = "free allowance kept as bundled"


def _keeping_free_allowance(figure: Figure, old):
    """AWS's free allowances (100 GB of transfer out, Lambda's 400,000 GB-seconds and 1 million requests a month)
    are its account-wide free tier, not in the offer file, whose first tier starts at 0. A catalog schedule that
    starts with such a free tier keeps it; the feed's tiers start where it ends."""
    new = figure.value
    if not (
        isinstance(new, list)
        and isinstance(old, list)
        and len(old) > 1
        and tuple(old[0]) == (0, 0)
        and new
        and new[0][0] == 0
        and new[0][1] > 0
    ):
        return figure
    free = old[1][0]
    kept = {0.0: 0.0}
    for start, price in new:
        kept[max(start, free)] = price  # a tier inside the allowance starts where it ends
    return replace(figure, value=sorted(kept.items()), label=f"{figure.label} (first {free:g} {FREE_NOTE})")


def _figure(rows: list[dict], column: str):
    """The catalog's figure in `column` of one key's rows: a number, or a tier schedule as [(start, price), …]."""
    if column == "tiers":
        return [(r["tier_from"], r["price_usd"]) for r in sorted(rows, key=lambda r: r["tier_from"])]
    value = rows[0]["fields"][column] if "fields" in rows[0] else rows[0][column]
    return [(t["start"], t["price"]) for t in value] if isinstance(value, list) else value


def _refreshed_rows(
    feed: str, file: str, rows: list[dict], figures: list[Figure], bundled: dict, retrieved: str
) -> list[dict]:
    """The rows of one key with the feed's figures in, citing the feed, its date and the retrieval date."""
    urls = "; ".join(dict.fromkeys(f.url for f in figures))
    effective = max(f.effective for f in figures)
    cited = f"{feed}, {urls} (effective {effective}, retrieved {retrieved})"
    if any(FREE_NOTE in f.label for f in figures):
        cited += f"; the first tier's {FREE_NOTE} (AWS free tier, not in the offer file)"
    base = {**rows[0], "as_of": effective, "retrieved": retrieved}
    if figures[0].column == "tiers":
        (schedule,) = [f.value for f in figures]
        return [
            {**base, "tier_from": start, "price_usd": price, "source": cited, "estimate": ""}
            for start, price in schedule
        ]
    columns = [f.column for f in figures]
    if "fields" in base:  # a region row: its figures are scenario fields
        updated = {**base, "fields": {**base["fields"], **{f.column: _field(f.value) for f in figures}}}
        kept = [c for c in base["fields"] if c not in columns and c != "cloud_region"]
    else:
        updated = {**base, **{f.column: f.value for f in figures}}
        kept = [c for c in _FIGURE_COLUMNS.get(file, ()) if c not in columns]
    if kept:
        updated["source"] = (
            f"{', '.join(columns)}: {cited}; {', '.join(kept)} as bundled: "
            f"{bundled['source']} (as of {bundled['as_of']})"
        )
        updated["estimate"] = f"{', '.join(kept)} as bundled: {bundled['estimate']}" if bundled["estimate"] else ""
    else:
        updated["source"], updated["estimate"] = cited, ""
    return [updated]


def _field(value):
    return [{"start": start, "price": price} for start, price in value] if isinstance(value, list) else value


_FIGURE_COLUMNS = {
    "cloud_instances.csv": (
        "on_demand_per_hour",
        "one_year_per_hour",
        "three_year_per_hour",
        "spot_per_hour",
        "partial_upfront_percent",
        "endpoint_surcharge_percent",
        "throughput_ips",
    )
}


def write(
    refresh: Refresh, overlay_dir: Path, data_dir: Path = catalog.DATA_DIR, accept_large_changes: bool = False
) -> list[Path]:
    """Write the refreshed/ files: refused (FeedError) when a change is large and not accepted, or when the catalog
    would no longer load; each earlier file is kept in history/ under its date; each write is atomic."""
    large = [c for c in refresh.changes if c.large]
    if large and not accept_large_changes:
        raise FeedError(
            f"{len(large)} figure(s) changed by more than {LARGE_CHANGE:g}× (first: {large[0].text()}); "
            "nothing written; check the feed, then repeat with --accept-large-changes"
        )
    if not refresh.files:
        return []
    try:
        return _write(refresh, overlay_dir, data_dir)
    except OSError as exc:
        raise FeedError(f"cannot write the catalog overlay {overlay_dir}: {exc.strerror or exc}") from None


def _write(refresh: Refresh, overlay_dir: Path, data_dir: Path) -> list[Path]:
    folder = overlay_dir / catalog.OVERLAY_LAYERS["refreshed"]
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=overlay_dir))
    try:
        for layer in catalog.OVERLAY_LAYERS.values():  # the overlay as it would be, checked whole
            if (overlay_dir / layer).is_dir():
                shutil.copytree(overlay_dir / layer, staging / layer, dirs_exist_ok=True)
        (staging / "refreshed").mkdir(exist_ok=True)
        for file, rows in refresh.files.items():
            _write_csv(staging / "refreshed" / file, data_dir / file, rows)
        try:
            catalog.load(data_dir, staging)
        except catalog.CatalogError as exc:
            raise FeedError(f"the refreshed catalog would not load ({exc}); nothing written") from None
        written = []
        stamp = datetime.datetime.now().strftime("%Y-%m-%dT%H%M%S")
        for file in refresh.files:
            target = folder / file
            if target.exists():
                history = overlay_dir / "history"
                history.mkdir(exist_ok=True)
                shutil.copy2(target, history / f"{target.stem}.{stamp}.csv")
            os.replace(staging / "refreshed" / file, target)
            written.append(target)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _tier_cell(tiers: list[dict]) -> str:
    """[{'start': 0, 'price': 0}, {'start': 100, 'price': 0.09}] → '0:0; 100:0.09' (as cloud_regions.csv has it)."""
    return "; ".join(f"{_cell(float(t['start']))}:{_cell(float(t['price']))}" for t in tiers)


_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


def _number_or_text(cell: str):
    """A cell that reads as a number (a longitude of -79.8) as that number, so the safe writer keeps it one."""
    return float(cell) if _NUMBER.fullmatch(cell) else cell


def _write_csv(path: Path, bundled: Path, rows: list[dict]) -> None:
    """A refreshed/ file with the bundled file's columns (plus `retrieved`), values as the catalog reads them."""
    with bundled.open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh)) + ["retrieved"]
    cells = [header]
    for row in rows:
        values = {**row, **row.get("fields", {})}
        cells.append(
            [
                _tier_cell(values[c]) if isinstance(values.get(c), list) else _number_or_text(_cell(values.get(c)))
                for c in header
            ]
        )
    out = io.StringIO()
    write_csv_rows(cells, out)  # a feed's text that a spreadsheet would run stays text
    path.write_text(out.getvalue(), encoding="utf-8")


def figures_in_use(
    data_dir: Path = catalog.DATA_DIR, overlay_dir: Path | None = None, today: datetime.date | None = None
) -> list[dict]:
    """Every catalog row in use (bundled, refreshed or price book) with its figures, source, date and origin;
    `dated` when older than the stale limit. The catalog is loaded (validated) first."""
    overlay_dir = overlay_dir if overlay_dir is not None else catalog.catalog_dir()
    catalog.load(data_dir, overlay_dir)
    today, months = today or datetime.date.today(), catalog.stale_months()
    found = []
    for file in catalog.SCHEMAS:
        for row in catalog.catalog_rows(file, data_dir, overlay_dir):
            row = catalog.noted(row, today, months)
            entry = " / ".join(k for k in catalog.overlay_key(file, row) if k)
            if file == "cloud_prices.csv":
                entry += f" from {row['tier_from']:g}"
            numbers = {
                k: _tier_cell(v) if isinstance(v, list) else v
                for k, v in {**row, **row.get("fields", {})}.items()
                if (isinstance(v, (int, float)) and not isinstance(v, bool) or isinstance(v, list)) and k != "tier_from"
            }
            found.append(
                {
                    "file": file,
                    "entry": entry,
                    "figures": numbers,
                    "as_of": row["as_of"],
                    "origin": row["origin"],
                    "retrieved": row["retrieved"],
                    "dated": row["dated"],
                    "source": row["source"],
                }
            )
    return found


def repriced(
    scenario: Scenario, cat: catalog.Catalog | None = None
) -> tuple[Scenario, list[tuple[str, object, object]]]:
    """The scenario re-priced at today's catalog, and each input that changed as (field, old, new).

    Only the entries a scenario names by id are re-priced: its cloud region (`cloud_region`: prices, grid
    intensity, PUE), its edge device (`device_id`) and its cloud vision API tiers (`cloud_provider`), at the
    scenario's own exchange rate. Every other input stays the scenario's own (a GPU instance or a carbon figure
    is not named by id)."""
    cat = cat or catalog.load()
    values = to_dict(scenario)
    usd = catalog.in_usd(values)
    fresh: dict = {}
    if values["cloud_region"] != NO_REGION and any(r["region"] == values["cloud_region"] for r in cat.regions):
        fresh |= cat.region(values["cloud_region"])["fields"]
    if any(d["id"] == values["device_id"] for d in cat.hardware):
        fresh |= cat.device_fields(values["device_id"])
    vision = cat.tier_schedules("vision_per_1000_images").get(values["cloud_provider"])
    if vision:
        fresh["inference_tiers"] = [{"start": start, "price": price} for start, price in vision]
    new_values = {**values, **scale_money({**usd, **fresh}, values["fx_rate"])}
    new_values = {k: (values[k] if catalog.same_value(values[k], v) else v) for k, v in new_values.items()}
    changed = [(k, values[k], v) for k, v in new_values.items() if not catalog.same_value(values[k], v)]
    return validate(new_values), changed
