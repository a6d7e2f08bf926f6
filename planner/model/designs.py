"""The cheapest cloud design for a scenario's workload: every way the catalogs let the cloud side run it, costed
in one batch, the cheapest that the site's link carries chosen (docs/FORMULAS.md, "Cheapest cloud design").

A design is a choice of the cloud inputs DESIGN_INPUTS, everything else (workload, edge, finance) as the scenario
has it:
    inference_pricing      per_image, serverless, instances
    instance_commitment    on_demand, spot (each with instance_billing always_on or scale_to_zero),
                           one_year, three_year (each with instance_upfront none, partial or all; billed every hour)
    cloud_upload           video, frames
    cloud_region           the figures as entered, or each catalog region of the scenario's provider, its prices
                           applied as the Scenario page's region picker applies them (`region_fields`)
When the scenario's instance figures are a catalog instance's (data/cloud_instances.csv), a commitment brings
that instance's committed rate for its term (`Catalog.instance_fields`); custom figures are kept as entered.

A design whose catalog prices fall outside a field's bounds in the scenario's currency is left out, as the
Scenario page refuses it. Feasible: the site's link carries the design's upload at go-live, sustained at
≤ UPLINK_UTILISATION of it (the advisor's uplink rule, `site_upload_mbps`). Cheapest: the feasible design with the
lowest cloud TCO over the horizon (cash view); a tie goes to the design that changes fewer inputs.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass

import numpy as np

from planner.catalogs.catalog import Catalog, in_usd, same_value
from planner.catalogs.catalog import load as load_catalog
from planner.model import costs as cost_model
from planner.model.finance import Finance, analyse, total
from planner.schema.scenario import (
    FIELD_BY_NAME,
    MONEY_FIELDS,
    NO_REGION,
    Scenario,
    ScenarioError,
    applies,
    replace,
    scale_money,
    to_dict,
)

UPLINK_UTILISATION = 0.8  # plan a sustained upload at ≤ 80 % of the link (bursts, retransmits, traffic)
PRICINGS = ("per_image", "serverless", "instances")
HOURLY = ("on_demand", "spot")  # billed by the hour: always on or scaled to zero
COMMITTED = ("one_year", "three_year")  # billed every hour of the term: paid with or without upfront
BILLINGS = ("always_on", "scale_to_zero")
UPFRONTS = ("none", "partial", "all")
UPLOADS = ("video", "frames")
DESIGN_INPUTS = (
    "inference_pricing",
    "instance_commitment",
    "instance_upfront",
    "instance_billing",
    "cloud_upload",
    "cloud_region",
)
CLOUD_PICKERS = ("region", "vision_api", "instance", "egress")  # the catalog pickers that fill cloud prices


def site_upload_mbps(cameras, sites, bitrate_mbps, analysed_fps, image_kb) -> tuple:
    """(video, frames): the sustained upload of one site's cameras [Mbps], streaming their video or sending their
    analysed frames (cameras spread evenly over the sites); numbers or arrays."""
    per_site = cameras / sites
    return per_site * bitrate_mbps, per_site * analysed_fps * image_kb * 8 / 1000


def region_fields(catalog: Catalog, region_id: str, fx_rate: float) -> dict:
    """The scenario fields a catalog region fills, in the scenario's currency (the region picker's changes)."""
    return scale_money(catalog.region(region_id)["fields"], fx_rate)


def provider_of(catalog: Catalog, scenario: Scenario) -> str | None:
    """The cloud provider whose regions the scenario may move to: its region's, else its price source's
    ('aws — Amazon Rekognition …'), else None (custom prices: no catalog region applies)."""
    region = next((r for r in catalog.regions if r["region"] == scenario.cloud_region), None)
    if region:
        return region["provider"]
    prefix = scenario.cloud_provider.split(" — ")[0]
    return prefix if any(r["provider"] == prefix for r in catalog.regions) else None


@dataclass(frozen=True)
class Designs:
    """Every cloud design of a scenario, evaluated: per design (n,) its scenario, the inputs it changes, its upload
    and whether the link carries it, and the finance of the scenario's edge against it (cash view)."""

    scenario: Scenario
    scenarios: tuple[Scenario, ...]
    changes: tuple[dict, ...]  # fields each design sets to another value than the scenario's
    upload_mbps: np.ndarray  # sustained upload of one site [Mbps]
    feasible: np.ndarray  # bool: the link carries it
    link_mbps: float | None  # the site's uplink [Mbps]; None: not limited
    finance: Finance
    current: int  # index of the scenario's own design
    cheapest: int | None  # index of the cheapest feasible design; None when none is feasible

    @property
    def n(self) -> int:
        return len(self.scenarios)

    def monthly_cost(self, i: int) -> float:
        """Cloud cost of design i in the first month, upfront commitment payments excluded."""
        return float(self.finance.cloud_running_monthly[i, 0]) + 0.0

    def upfront(self, i: int) -> float:
        return float(self.finance.cloud_upfront[i, 0]) + 0.0

    def figures(self, i: int) -> dict:
        """Design i's cloud costs and the edge's break-even (None: never), NPV of savings and TCO against it."""
        f = self.finance
        be = float(f.break_even_month[i])
        return {
            "monthly_cost": self.monthly_cost(i),
            "upfront": self.upfront(i),
            "total_cost": float(f.cloud_total[i]) + 0.0,
            "break_even_month": None if math.isnan(be) else be,
            "npv_savings": float(f.npv_savings[i]) + 0.0,
            "edge_total_cost": float(f.edge_total[i]) + 0.0,
            "savings_total": float(f.savings_total[i]) + 0.0,
            "upload_mbps": float(self.upload_mbps[i]),
            "feasible": bool(self.feasible[i]),
            "link_upgrade_install": float(self.scenarios[i].link_upgrade_install),
            "link_upgrade_per_month": float(self.scenarios[i].link_upgrade_per_month),
        }


def _instance_rates(catalog: Catalog, scenario: Scenario) -> dict[str, dict]:
    """{commitment: instance fields} when the scenario's instance figures are a catalog instance's (served as a
    VM or behind its endpoint), each commitment with its own committed rate; {} for custom figures."""
    values = in_usd(to_dict(scenario))
    key = next(
        (
            k
            for k, (_, fields) in catalog.instance_choices(scenario.instance_commitment).items()
            if all(same_value(values[f], v) for f, v in fields.items())
        ),
        None,
    )
    if key is None:
        return {}
    instance_id, endpoint = key.removesuffix("@endpoint"), key.endswith("@endpoint")
    return {
        c: scale_money(catalog.instance_fields(instance_id, endpoint, c), scenario.fx_rate)
        for c in (*HOURLY, *COMMITTED)
    }


def _pricing_choices(scenario: Scenario):
    """Each pricing with its instance choices: {} for per-image and serverless (the instance inputs kept)."""
    yield {"inference_pricing": "per_image"}
    yield {"inference_pricing": "serverless"}
    for commitment, billing in itertools.product(HOURLY, BILLINGS):
        yield {"inference_pricing": "instances", "instance_commitment": commitment, "instance_billing": billing}
    for commitment, upfront in itertools.product(COMMITTED, UPFRONTS):
        yield {"inference_pricing": "instances", "instance_commitment": commitment, "instance_upfront": upfront}


def region_choices(catalog: Catalog, scenario: Scenario) -> list[dict]:
    """The price sets a design may use: the figures as entered ({}), then each catalog region of the scenario's
    provider whose figures differ from them."""
    values = to_dict(scenario)
    provider = provider_of(catalog, scenario)
    found = [{}]
    for region in catalog.regions:
        if region["provider"] == provider:
            fields = region_fields(catalog, region["region"], scenario.fx_rate)
            if not all(same_value(values[k], v) for k, v in fields.items()):
                found.append(fields)
    return found


def design_changes(scenario: Scenario, catalog: Catalog | None = None) -> list[dict]:
    """Every design of the scenario as the fields it sets (the scenario's own design first, as {})."""
    catalog = catalog or load_catalog()
    rates = _instance_rates(catalog, scenario)
    values = to_dict(scenario)
    found, seen = [], set()
    for pricing, upload, region in itertools.product(
        _pricing_choices(scenario), UPLOADS, region_choices(catalog, scenario)
    ):
        fields = {**region, **pricing, "cloud_upload": upload}
        if pricing["inference_pricing"] == "instances":
            fields |= rates.get(fields["instance_commitment"], {})
        changed = {k: v for k, v in fields.items() if not same_value(values[k], v)}
        key = repr(sorted(changed.items()))
        if key not in seen:
            seen.add(key)
            found.append(changed)
    found.sort(key=lambda c: c != {})  # the scenario's own design first
    return found


def carries(link_mbps, upload_mbps):
    """Whether a link carries a sustained upload, at ≤ UPLINK_UTILISATION of it (numbers or arrays)."""
    return upload_mbps <= link_mbps * UPLINK_UTILISATION * (1 + 1e-12)


def _class_bought(upload_mbps, link_mbps, classes) -> tuple[list[dict], np.ndarray]:
    """(the `classes` in buying order, the index in it of the class each site buys, −1 for none; numbers or (n,)
    arrays): a site whose line (`link_mbps`) does not carry `upload_mbps` buys the class of least upload capacity
    above its line that carries it (the cheaper of equals)."""
    upload, link = np.atleast_1d(np.asarray(upload_mbps, float)), np.atleast_1d(np.asarray(link_mbps, float))
    order = sorted(classes, key=lambda c: (c["upload_mbps"], c["usd_per_month"]))
    chosen = np.full(max(len(upload), len(link)), -1)
    needs = ~carries(link, upload)
    for i, c in reversed(list(enumerate(order))):  # the least capacity last, so it wins
        chosen = np.where(needs & (c["upload_mbps"] > link) & carries(c["upload_mbps"], upload), i, chosen)
    return order, chosen


def link_upgrade(upload_mbps: float, link_mbps: float, classes) -> dict | None:
    """The link class a site buys for its cloud upload (`_class_bought`), None when its line carries the upload or
    no class does."""
    order, chosen = _class_bought(upload_mbps, link_mbps, classes)
    return order[chosen[0]] if chosen[0] >= 0 else None


UPGRADE_FIELDS = ("link_upgrade_install", "link_upgrade_per_month", "link_upgrade_allowance_gb", "link_upgrade_per_gb")


def _upgrade_usd(upgrade: dict | None) -> dict:
    """The link upgrade fields a class fills, in USD (none bought: 0): its installation, rental, included data (no
    cap: 0) and per-GB price above it."""
    if upgrade is None:
        return dict.fromkeys(UPGRADE_FIELDS, 0.0)
    return {
        "link_upgrade_install": upgrade["install_usd"],
        "link_upgrade_per_month": upgrade["usd_per_month"],
        "link_upgrade_allowance_gb": upgrade["allowance_gb"] or 0.0,
        "link_upgrade_per_gb": upgrade["usd_per_gb_over"],
    }


def row_upgrades(upload_mbps, link_mbps, fx_rate, classes=None) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """`link_upgrade` for every row at once (numbers or (n,) arrays; `classes` data/connectivity.csv's rows): the
    UPGRADE_FIELDS of the class each row buys, in its currency (× `fx_rate`), 0 where its line carries the upload
    or it buys none, and (n,) whether it buys one: a class carries the upload and its price fits the fields' bounds
    in the row's currency (as `_with_link`). One pass per class, never a loop over rows."""
    order, chosen = _class_bought(upload_mbps, link_mbps, load_catalog().connectivity if classes is None else classes)
    fx = np.broadcast_to(np.asarray(fx_rate, float), chosen.shape)
    usd = np.array([[_upgrade_usd(c)[k] for k in UPGRADE_FIELDS] for c in order] + [[0.0] * 4]).reshape(-1, 4)
    values = {k: usd[chosen, j] * (fx if k in MONEY_FIELDS else 1.0) for j, k in enumerate(UPGRADE_FIELDS)}
    bought = chosen >= 0
    for k, v in values.items():
        bought &= (v >= FIELD_BY_NAME[k].min) & (v <= FIELD_BY_NAME[k].max)
    return {k: np.where(bought, v, 0.0) for k, v in values.items()}, bought


def _upload_of(s: Scenario) -> float:
    video, frames = site_upload_mbps(s.cameras, s.sites, s.bitrate_mbps, s.analysed_fps, s.image_kb)
    return video if s.cloud_upload == "video" else frames


def _with_link(scenario: Scenario, changes: dict, link_mbps: float | None, classes) -> tuple[dict, Scenario, bool]:
    """A design's changes with the link upgrade its upload needs (installation, rental, included data and per-GB
    bill of `link_upgrade`'s class in the scenario's currency, a cloud-side cost: the cloud's upload goes over it),
    or none (0) when the site's line carries it or no class does; the scenario with them (validated once: raises
    ScenarioError when the design does not fit the fields' bounds); and whether a link carries its upload (the
    site's line, or the upgrade, when its price fits the fields' bounds)."""
    if link_mbps is None:
        return changes, apply(scenario, changes), True
    upload = _upload_of(scenario.model_copy(update=changes))  # unvalidated: only the upload is read
    upgrade = link_upgrade(upload, link_mbps, classes)
    fields = scale_money(_upgrade_usd(upgrade), scenario.fx_rate)
    linked = changes | {k: v for k, v in fields.items() if not same_value(getattr(scenario, k), v)}
    try:
        return linked, apply(scenario, linked), upgrade is not None or carries(link_mbps, upload)
    except ScenarioError:  # the upgrade's price beyond a field's bounds in this currency: not bought
        unlinked = changes | {k: 0.0 for k in fields if getattr(scenario, k)}
        return unlinked, apply(scenario, unlinked), carries(link_mbps, upload)


def evaluate(scenario: Scenario, link_mbps: float | None = None, catalog: Catalog | None = None) -> Designs:
    """Every cloud design of the scenario costed in one batch; `link_mbps` the site's uplink (None: no limit). A
    design whose upload the site's line does not carry buys the next link class that does (`link_upgrade`), one it
    carries buys none; the scenario as entered (its own link upgrade kept) is the first design where its line
    carries its upload, as a fleet row's own design (`cheapest_per_row`), and each design its line carries also
    competes with the scenario's own link upgrade kept."""
    catalog = catalog or load_catalog()
    changes, scenarios, carried = [], [], []
    if link_mbps is not None and carries(link_mbps, _upload_of(scenario)):
        # the scenario as entered, its own link upgrade kept, competes too (as a fleet row's own design does);
        # its design with the link rule applied (no upgrade bought: the line carries it) is one more
        changes, scenarios, carried = [{}], [scenario], [True]
    for design in design_changes(scenario, catalog):
        try:
            c, designed, fits = _with_link(scenario, design, link_mbps, catalog.connectivity)
        except ScenarioError:  # a catalog price beyond a field's bounds in this currency: not applicable
            continue
        if c == {} and scenarios:  # the link rule changes nothing: the scenario as entered is already in
            continue
        scenarios.append(designed)
        changes.append(c)
        carried.append(fits)
        if design and c != design and carries(link_mbps, _upload_of(designed)):
            # the link rule dropped the scenario's own upgrade; the design keeping it competes too (as the
            # scenario as entered does): an upgrade entered by hand may carry data for less than the line
            scenarios.append(apply(scenario, design))
            changes.append(design)
            carried.append(True)
    b = cost_model.batch(scenarios)
    finance = analyse(cost_model.evaluate(b, carbon=False), "cash", b["discount_percent_per_year"])
    video, frames = site_upload_mbps(b["cameras"], b["sites"], b["bitrate_mbps"], b["analysed_fps"], b["image_kb"])
    upload = np.where(b["video_upload"], video, frames)
    feasible = np.array(carried, bool)
    cheapest = None
    if feasible.any():
        order = np.lexsort((np.array([len(c) for c in changes]), _rounded(finance.cloud_total), ~feasible))
        cheapest = int(order[0])
    return Designs(scenario, tuple(scenarios), tuple(changes), upload, feasible, link_mbps, finance, 0, cheapest)


@dataclass(frozen=True)
class RowDesigns:
    """The cheapest feasible cloud design of each row of a batch (`cheapest_per_row`), per row (n,)."""

    cloud_total: np.ndarray  # cloud TCO over the row's horizon (cash view) of its cheapest feasible design
    design: np.ndarray  # index into `changes` of that design; −1: the row's own design (also when none is feasible)
    changes: tuple[dict, ...]  # the designs, as the fields each sets on the base (`design_changes`)
    feasible: np.ndarray  # bool: some design (the row's own included) fits the row's link, or an upgrade of it
    scenarios: tuple[Scenario, ...] = ()  # the base with each design
    link_upgrade: dict[str, np.ndarray] | None = None  # UPGRADE_FIELDS (n,) of the link upgrade each row's design
    # buys on the row (`row_upgrades`, in the row's currency; 0 where its line carries it, the row's own where the
    # design keeps it); None: none bought
    pairs_costed: int = 0  # (design, row) pairs the search costed, the rows' own designs not counted


MAX_STACKED_ROWS = 2_000  # (design, row) pairs per batch: small batches keep the instance recurrence in cache


def cheapest_per_row(
    base: Scenario,
    overrides: dict[str, np.ndarray],
    choices: dict[str, np.ndarray],
    link_mbps: np.ndarray,
    rows: np.ndarray | None = None,
) -> RowDesigns:
    """The cheapest feasible cloud design of every row of a batch (the rows of `cost_model.batch([base], choices,
    **overrides)`, a fleet's sites), as `evaluate` picks it for one scenario: the designs are the base's
    (`design_changes`: its provider's regions, its catalog instance's committed rates), each set on every row over
    the row's own inputs; the row's own design is one more. Each design is costed for the rows whose link carries
    its upload, or with the link upgrade the row would buy for it (`row_upgrades`: the next class that carries it,
    as `evaluate`'s `link_upgrade`; infeasible where no class does), the designs' rows stacked into batches of up to
    MAX_STACKED_ROWS (never a loop over rows); `rows` limits the search (the others keep their own design); rows
    alike in every column and link are searched once. A tie (9 significant digits) keeps the row's own design, then
    the design that changes fewer inputs."""
    n = len(link_mbps)

    def column(name):
        return np.broadcast_to(overrides.get(name, getattr(base, name)), (n,))

    video, frames = site_upload_mbps(
        *(column(k) for k in ("cameras", "sites", "bitrate_mbps", "analysed_fps")), column("image_kb")
    )
    link = np.asarray(link_mbps, float)
    fits = {"video": carries(link, video), "frames": carries(link, frames)}  # the row's own design: on its line
    upgrades = {
        kind: row_upgrades(upload, link_mbps, column("fx_rate")) for kind, upload in zip(UPLOADS, (video, frames))
    }
    reach = {kind: fits[kind] | bought for kind, (_, bought) in upgrades.items()}  # the designs: or over an upgrade
    searched = np.ones(n, bool) if rows is None else np.isin(np.arange(n), rows)
    rows_batch = cost_model.batch([base], choices, **overrides)  # every row's own columns, checked once
    # Rows alike in every column, link and own total are searched once, their first standing for the others.
    asked = np.flatnonzero(searched)
    key = [rows_batch.columns[k][asked].astype(float) for k in rows_batch.columns]
    key += [np.broadcast_to(np.asarray(link_mbps, float), (n,))[asked]]
    first, alike = _first_alike(np.column_stack(key))
    searched = np.isin(np.arange(n), asked[first])
    own_total = np.full(n, np.nan)  # the rows' own cloud TCO (NaN outside the rows searched)
    reps = np.flatnonzero(searched)
    if reps.size:
        own_total[reps] = _cloud_total(
            cost_model.Batch(
                len(reps),
                {k: v[reps] for k, v in rows_batch.columns.items()},
                rows_batch.inference_tiers,
                rows_batch.egress_tiers,
            )
        )
    own_upload = np.broadcast_to(choices.get("cloud_upload", base.cloud_upload), (n,))
    best = np.where(np.where(own_upload == "video", fits["video"], fits["frames"]), _rounded(own_total), np.inf)
    total, design = own_total.copy(), np.full(n, -1)
    changes, scenarios, designs_batch, set_by_design = _designs_of(base)
    video_design = np.array([s.cloud_upload == "video" for s in scenarios])
    # (design, row) pairs in the designs' order (fewer changes first, so a tie keeps the earlier): the rows whose
    # link, or the upgrade they would buy, carries each design's upload
    dominated = _dominated(rows_batch, designs_batch, set_by_design, np.flatnonzero(searched))
    # … and, first, the rows whose line carries it with a link upgrade of their own: the design keeping that upgrade
    # (as `evaluate`: the link rule would drop it, and an upgrade entered by hand may carry data for less)
    own_upgrade = np.any([rows_batch.columns[k] != 0 for k in UPGRADE_FIELDS], axis=0)
    pairs = [
        (i, keeps, np.flatnonzero(searched & ~dominated[i] & (own_upgrade & fits[kind] if keeps else reach[kind])))
        for i, kind in enumerate(s.cloud_upload for s in scenarios)
        for keeps in (True, False)
    ]
    design_of = np.concatenate([np.full(len(at), i) for i, _, at in pairs])
    keeps_of = np.concatenate([np.full(len(at), keeps) for _, keeps, at in pairs])
    row_of = np.concatenate([at for _, _, at in pairs])
    kept = np.zeros(n, bool)  # the row's design keeps the row's own link upgrade
    for start in range(0, len(row_of), MAX_STACKED_ROWS):
        d, r = design_of[start : start + MAX_STACKED_ROWS], row_of[start : start + MAX_STACKED_ROWS]
        keeps = keeps_of[start : start + MAX_STACKED_ROWS]
        stacked = _stacked(rows_batch, designs_batch, set_by_design, d, r)
        for k, v in _upgrade_columns(upgrades, video_design[d], r).items():
            stacked.columns[k] = np.where(keeps, stacked.columns[k], v)
        cost = _cloud_total(stacked)
        for i in np.unique(d):  # in the designs' order, each keeping the row's upgrade first
            for keep in (True, False):
                mine = (d == i) & (keeps == keep)
                at, rounded = r[mine], _rounded(cost[mine])
                cheaper = rounded < best[at]
                won = at[cheaper]
                best[won], total[won], design[won], kept[won] = rounded[cheaper], cost[mine][cheaper], i, keep
    standing = asked[first][alike]  # the row searched for each row asked
    total[asked], design[asked], best[asked] = total[standing], design[standing], best[standing]
    kept[asked] = kept[standing]
    chose = design >= 0
    link_upgrade = {
        k: np.where(chose, np.where(kept, rows_batch.columns[k], v), 0.0)
        for k, v in _upgrade_columns(upgrades, video_design[design], np.arange(n)).items()
    }
    return RowDesigns(total, design, changes, np.isfinite(best), scenarios, link_upgrade, len(row_of))


PRICE_COLUMNS = ("ingest_per_gb", "serverless_per_gb_second", "serverless_per_million_requests", "storage_per_gb_month")
CARBON_COLUMNS = ("cloud_grid_kgco2e_per_kwh", "cloud_pue")  # money only where a row prices carbon
TIERS = ("inference_tiers", "egress_tiers")


def _dominated(rows: cost_model.Batch, designs: cost_model.Batch, set_by_design: dict, at: np.ndarray) -> np.ndarray:
    """(designs, rows) bool: the pairs the search can skip, exactly. Design B is dominated on row r when an earlier
    design A (the search keeps the earlier of a tie) has B's shape — every column but PRICE_COLUMNS and CARBON_COLUMNS
    set alike, its price tiers starting alike — and no higher price on that row: each of PRICE_COLUMNS, each tier's
    price and, where the row prices carbon, each of CARBON_COLUMNS (as a region's prices differ). A row's cost never
    falls as one of these rises (`test_a_dearer_price_never_costs_less`), so A costs r no more than B, and B cannot
    win. `at`: the rows searched; the others are left False."""
    n_designs, n = designs.n, rows.n
    found = np.zeros((n_designs, n), bool)
    priced_columns = PRICE_COLUMNS + CARBON_COLUMNS
    shape_columns = [k for k in designs.columns if k not in priced_columns]
    shapes: dict[tuple, list[int]] = {}
    for i in range(n_designs):
        shape = tuple((k, designs.columns[k][i]) for k in shape_columns if set_by_design[k][i])
        shape += tuple(tuple(getattr(designs, t)[0][min(i, len(getattr(designs, t)[0]) - 1)]) for t in TIERS)
        shapes.setdefault(shape, []).append(i)
    pricing_carbon = rows.columns["carbon_price_per_tonne"][at] > 0

    def price(i: int, k: str) -> np.ndarray:
        return designs.columns[k][i] if set_by_design[k][i] else rows.columns[k][at]

    def tier_prices(i: int, t: str) -> np.ndarray:
        prices = getattr(designs, t)[1]
        return prices[min(i, len(prices) - 1)]

    for group in shapes.values():
        for b_index, b in enumerate(group):
            for a in group[:b_index]:
                if not all((tier_prices(a, t) <= tier_prices(b, t)).all() for t in TIERS):
                    continue
                cheaper = np.ones(len(at), bool)
                for k in PRICE_COLUMNS:
                    cheaper &= price(a, k) <= price(b, k)
                for k in CARBON_COLUMNS:
                    cheaper &= (price(a, k) <= price(b, k)) | ~pricing_carbon
                found[b, at] |= cheaper
    return found


def _upgrade_columns(upgrades: dict, video: np.ndarray, row_of: np.ndarray) -> dict[str, np.ndarray]:
    """UPGRADE_FIELDS of (design, row) pairs: the upgrade each row buys for the design's upload (`video` per pair),
    0 where its line carries it (as `_with_link` sets them on every design)."""
    (video_values, _), (frames_values, _) = upgrades["video"], upgrades["frames"]
    return {k: np.where(video, video_values[k][row_of], frames_values[k][row_of]) for k in UPGRADE_FIELDS}


def _first_alike(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the first row of each distinct row of a 2-D array, the index of each row's distinct row), rows alike bit
    for bit."""
    if not len(values):
        return np.zeros(0, int), np.zeros(0, int)
    whole = np.ascontiguousarray(values).view(np.dtype((np.void, values.dtype.itemsize * values.shape[1])))
    _, first, alike = np.unique(whole.ravel(), return_index=True, return_inverse=True)
    return first, alike.ravel()


@functools.lru_cache(maxsize=16)
def _designs_of(base: Scenario) -> tuple[tuple[dict, ...], tuple[Scenario, ...], cost_model.Batch, dict]:
    """The base's designs (`design_changes`, fewer changes first) that apply in its currency, the base with each,
    their batch (one row per design), and per batch column which designs set it (the design's fields, every price
    of its region as the region picker sets them, its pricing, commitment, billing, upfront and upload always;
    anything else the row keeps)."""
    changes, scenarios = [], []
    for c in sorted(design_changes(base), key=len):
        try:
            scenarios.append(apply(base, c))
        except ScenarioError:  # a catalog price beyond a field's bounds in this currency: not applicable
            continue
        changes.append(c)
    b = cost_model.batch(scenarios)
    regions = {r["region"]: set(r["fields"]) for r in load_catalog().regions}
    fields = [
        set(c) | regions.get(c.get("cloud_region"), set()) | set(DESIGN_INPUTS) - {"cloud_region"} for c in changes
    ]
    field_of = {flag: name for flag, (name, _) in cost_model.CHOICE_FLAGS.items()}
    set_by_design = {k: np.array([field_of.get(k, k) in f for f in fields]) for k in b.columns}
    return tuple(changes), tuple(scenarios), b, set_by_design


def _stacked(rows: cost_model.Batch, designs: cost_model.Batch, set_by_design: dict, design_of, row_of, own=False):
    """The batch of (design, row) pairs: each column the design's where the design sets it, else the row's; the
    price tiers the design's. `own` (bool per pair): pairs that keep every column of the row."""
    own = np.asarray(own)
    columns = {}
    for k, row_values in rows.columns.items():
        sets = set_by_design[k]
        if not sets.any():  # a column no design sets: the row's
            columns[k] = row_values[row_of]
        elif sets.all() and not own.any():  # one every design sets: the design's
            columns[k] = designs.columns[k][design_of]
        else:
            columns[k] = np.where(sets[design_of] & ~own, designs.columns[k][design_of], row_values[row_of])

    def tiers(key: str) -> tuple[np.ndarray, np.ndarray]:
        starts, prices = getattr(designs, key)
        return (starts, prices) if len(starts) == 1 else (starts[design_of], prices[design_of])

    return cost_model.Batch(len(row_of), columns, tiers("inference_tiers"), tiers("egress_tiers"))


def with_designs(base: Scenario, rows: cost_model.Batch, found: RowDesigns) -> cost_model.Batch:
    """The rows' batch (`cheapest_per_row`'s rows) with each row's design set on its columns, as `cheapest_per_row`
    costed it: the design's fields and its pricing, commitment, billing, upfront and upload, and the link upgrade it
    buys on the row (`RowDesigns.link_upgrade`), the rest the row's; a row whose design is −1 (its own) kept as it
    is."""
    if not (found.design >= 0).any():
        return rows
    changes, _, designs_batch, set_by_design = _designs_of(base)
    unchanged = changes.index({})  # the base's own design: its price tiers are the rows' (the base's)
    own = found.design < 0
    b = _stacked(rows, designs_batch, set_by_design, np.where(own, unchanged, found.design), np.arange(rows.n), own)
    for k, values in (found.link_upgrade or {}).items():
        b.columns[k] = np.where(own, b.columns[k], values)
    return b


def design_fields(found: RowDesigns, row: int) -> dict:
    """The scenario fields row `row`'s design sets (`with_designs`), its link upgrade's included: {} for the row's
    own design."""
    i = int(found.design[row])
    if i < 0:
        return {}
    upgrade = {k: float(v[row]) for k, v in (found.link_upgrade or {}).items()}
    return (
        {k: getattr(found.scenarios[i], k) for k in DESIGN_INPUTS if k != "cloud_region"} | found.changes[i] | upgrade
    )


def row_design_inputs(base: Scenario, choices: dict[str, np.ndarray], found: RowDesigns | None, n: int) -> dict:
    """{input: (n,) value} of DESIGN_INPUTS each of n rows is costed with: its own choices (`choices`, the base's
    where it has none), or where `found` gives it a design, the design's value for each input the design sets."""
    values = {
        k: np.broadcast_to(np.asarray(choices.get(k, getattr(base, k)), dtype=object), (n,)) for k in DESIGN_INPUTS
    }
    if found is None or not (found.design >= 0).any():
        return values
    at = np.flatnonzero(found.design >= 0)
    design = found.design[at]
    for k in DESIGN_INPUTS:
        sets = np.array([k != "cloud_region" or k in c for c in found.changes])[design]
        values[k] = values[k].copy()
        values[k][at[sets]] = [getattr(found.scenarios[i], k) for i in design[sets]]
    return values


def inputs_text(values: dict[str, np.ndarray]) -> np.ndarray:
    """(n,) `design_words` of each row's DESIGN_INPUTS (`row_design_inputs`), built once per distinct design."""
    table = np.column_stack([np.asarray(values[k], dtype=str) for k in DESIGN_INPUTS])
    if not len(table):
        return np.zeros(0, dtype=object)
    found, at = np.unique(table, axis=0, return_inverse=True)
    words = [design_words(dict(zip(DESIGN_INPUTS, row, strict=True))) for row in found]
    return np.array(words, dtype=object)[at.ravel()]


def _cloud_total(b: cost_model.Batch) -> np.ndarray:
    """The cloud TCO over each row's horizon (cash view): only the cloud's lines are built."""
    return total(cost_model.evaluate(b, carbon=False, sides=("cloud",)), "cloud")


def _rounded(totals: np.ndarray) -> np.ndarray:
    """Totals to 9 significant digits, so designs that cost the same but for float noise tie."""
    scale = 10.0 ** (8 - np.floor(np.log10(np.maximum(np.abs(totals), 1e-300))))
    return np.round(totals * scale) / scale


def apply(scenario: Scenario, changes: dict) -> Scenario:
    """The scenario with a design's fields set."""
    return replace(scenario, **changes) if changes else scenario


# ── In words ────────────────────────────────────────────────────────────────────────────────────────
def design_text(scenario: Scenario) -> str:
    """'GPU instances (provisioned), 3-year commitment, all upfront; analysed frames only; AWS · US East …'."""
    return design_words({name: getattr(scenario, name) for name in DESIGN_INPUTS})


def design_words(values: dict) -> str:
    """`design_text` of a design given as {input: value} over DESIGN_INPUTS."""

    def option(name):
        return FIELD_BY_NAME[name].options[values[name]]

    parts = [option("inference_pricing")]
    if values["inference_pricing"] == "instances":
        parts.append(option("instance_commitment"))
        parts.append(
            option("instance_upfront") if values["instance_commitment"] in COMMITTED else option("instance_billing")
        )
    text = ", ".join(parts) + "; uploads: " + option("cloud_upload").lower()
    region = "prices as entered" if values["cloud_region"] == NO_REGION else option("cloud_region")
    return f"{text}; region: {region}"


def changes_text(scenario: Scenario, changes: dict) -> list[str]:
    """Each changed input in words: 'Inference pricing: Per-image API (tiered) → GPU instances (provisioned)'; a
    region's price fields said by the region's line."""
    region = changes.get("cloud_region")
    filled = load_catalog().region(region)["fields"] if region and region != NO_REGION else {}
    lines = []
    for name, value in changes.items():
        spec, before = FIELD_BY_NAME.get(name), getattr(scenario, name)
        if name == "cloud_region":
            lines.append(
                f"{spec.label}: {spec.options[before]} → {spec.options[value]} (its transfer, per-image, "
                "ingest, serverless and storage prices, grid intensity and PUE)"
            )
        elif name in filled or spec is None:
            continue
        elif hasattr(spec, "options"):
            lines.append(f"{spec.label}: {spec.options[before]} → {spec.options[value]}")
        else:
            lines.append(f"{spec.label}: {before:g} → {value:g} {spec.unit_for(scenario.currency)}")
    return lines


def sources_text(scenario: Scenario, catalog: Catalog | None = None) -> list[str]:
    """The catalog entries the design's cloud prices come from ('<entry>: <source> (as of …)'), those of inputs
    that apply to it; figures of no catalog entry are said to be the scenario's own."""
    found = [
        p
        for p in (catalog or load_catalog()).provenance(scenario)
        if p.picker in CLOUD_PICKERS and any(applies(scenario, f) for f in p.fields if f != "cloud_provider")
    ]
    lines = [p.text() for p in found]
    if scenario.inference_pricing == "instances" and not any(p.picker == "instance" for p in found):
        lines.append("GPU instance rates: the scenario's own figures (no catalog instance)")
    return lines or ["the scenario's own cloud prices (no catalog source)"]
