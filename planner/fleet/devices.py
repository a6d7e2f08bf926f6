"""A fleet's inputs per row as the cost model's batch columns, and the device each row is costed with: its own
device fields, the catalog device its `device` cell names, or for `catalog` the advisor's search (one batch per
catalog device, argmin per row); a row with no device or count of its own is sized from its own load.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from planner.advice import advisor
from planner.catalogs import catalog
from planner.fleet.inventory import (
    ANSWER_COLUMNS,
    DEVICE_SEARCH,
    NUMBER_FIELD_NAMES,
    PLACEMENTS,
    SPECS,
    Fleet,
    Inventory,
)
from planner.model import costs, designs, finance
from planner.schema.scenario import ChoiceField, NumberField, Scenario, scale_money, to_dict, validate

if TYPE_CHECKING:  # imported where used: the commands that need no tables skip loading it
    pass


def _values(fleet: Fleet) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Numeric columns (base value where blank) and choice columns as arrays of option keys."""
    import pandas as pd

    inv = fleet.inventory
    table, n = inv.table, inv.n
    numbers, choices = {}, {}
    for name in table.columns:
        if name in ("site", "pin", "device", "cloud_account"):
            continue
        cells = table[name]
        spec = SPECS.get(name)
        if isinstance(spec, ChoiceField):
            default = getattr(fleet.answers if name in ANSWER_COLUMNS else fleet.base, name)
            choices[name] = np.where(cells.to_numpy() == "", default, cells.to_numpy()).astype(str)
        else:
            default = _default(fleet, name)
            values = inv.numbers.get(name)
            if values is None:  # an Inventory built without parse_inventory
                values = pd.to_numeric(cells.where(cells != "", "nan"), errors="coerce").to_numpy(dtype=float)
            numbers[name] = np.where(np.isnan(values), float(default), values)
    for name in ("count", "go_live_month", "sites", "cameras"):
        numbers.setdefault(name, np.full(n, float(_default(fleet, name))))
    _with_link_classes(fleet, numbers, choices)
    return numbers, choices


def _with_link_classes(fleet: Fleet, numbers: dict, choices: dict) -> None:
    """A row's link class (its `link_class` cell, else the base's), as a scenario's: a class the row gives fills its
    line's figures (rental, included data, per-GB bill: `catalog.link_fields` in the row's currency) and a catalog
    class, given or the base's, its connectivity and uplink answers (`advisor.link_class_answers`), each where the
    row gives no cell of its own. In place, one pass per link class."""
    inv, n = fleet.inventory, fleet.inventory.n
    classes = _link_classes(fleet, choices)
    fx_rates, at = np.unique(numbers.get("fx_rate", np.full(n, float(fleet.base.fx_rate))), return_inverse=True)
    links = catalog.load()
    for class_id in np.unique(classes):
        if links.link_class(class_id) is None:  # custom: the figures and answers as they are
            continue
        of_class = classes == class_id
        figures = [scale_money(links.link_fields(class_id), rate) for rate in fx_rates]  # one per exchange rate
        for name in figures[0]:
            rows = of_class & inv.given("link_class") & ~inv.given(name)
            if name != "link_class" and rows.any():
                values = np.array([f[name] for f in figures], dtype=float)[at]
                numbers[name] = np.where(rows, values, numbers.get(name, float(getattr(fleet.base, name))))
        for name, value in advisor.link_class_answers(class_id).items():
            rows = of_class & ~inv.given(name)
            if isinstance(value, str):
                choices[name] = np.where(rows, value, choices.get(name, getattr(fleet.answers, name))).astype(str)
            else:
                numbers[name] = np.where(rows, value, numbers.get(name, float(getattr(fleet.answers, name))))


def _link_classes(fleet: Fleet, choices: dict) -> np.ndarray:
    """(n,) each row's link class: its `link_class` cell, else the base's."""
    return choices.get("link_class", np.full(fleet.inventory.n, fleet.base.link_class, dtype=object))


def _link_mbps(fleet: Fleet, choices: dict, uplink_answer: np.ndarray) -> np.ndarray:
    """(n,) each site's uplink capacity [Mbps], as `report.site_link_mbps` gives a scenario's: its link class's upload,
    or its uplink answer for the custom class and where the row gives an uplink of its own."""
    classes, links = _link_classes(fleet, choices), catalog.load()
    upload = {c["id"]: float(c["upload_mbps"]) for c in links.connectivity}
    distinct, at = np.unique(classes, return_inverse=True)
    class_mbps = np.array([upload.get(c, np.nan) for c in distinct])[at]  # NaN: the custom class
    from_class = ~np.isnan(class_mbps) & ~fleet.inventory.given("uplink_mbps")
    return np.where(from_class, class_mbps, np.asarray(uplink_answer, dtype=float))


def _default(fleet: Fleet, name: str) -> float:
    """What a blank cell means: the base's value, per site. A row is one site (× count): `sites` is 1 and
    `cameras` the base's cameras per site unless the row says otherwise."""
    base = fleet.base
    fixed = {"count": 1, "go_live_month": 0, "sites": 1, "cameras": round(base.cameras / base.sites)}
    if name in fixed:
        return fixed[name]
    return getattr(fleet.answers if name in ANSWER_COLUMNS else base, name)


def _answer_column(fleet: Fleet, numbers, choices, name: str, n: int) -> np.ndarray:
    if name in numbers:
        return numbers[name]
    if name in choices:
        return choices[name]
    value = getattr(fleet.answers, name)
    return np.full(n, float(value)) if isinstance(value, (int, float)) else np.full(n, value, dtype=object).astype(str)


@dataclass(frozen=True)
class RowInputs:
    """A fleet's inputs per row: numbers and choices (base values where blank), the batch's columns and choices."""

    numbers: dict[str, np.ndarray]
    choices: dict[str, np.ndarray]
    answer: object  # answer(name) → (n,) the advisor answer of every row
    pin: np.ndarray
    flavour: np.ndarray  # the edge placement a row gets: split_brain_edge or edge_only
    overrides: dict[str, np.ndarray]  # numeric scenario columns for `costs.batch`
    batch_choices: dict[str, np.ndarray]  # the cost model's choice fields, per row
    link_mbps: np.ndarray  # each site's uplink capacity [Mbps] (`_link_mbps`)

    def column(self, base: Scenario, name: str) -> np.ndarray:
        """A numeric scenario column of every row (the base's value where the table has none)."""
        values = self.overrides.get(name)
        return np.full(len(self.pin), float(getattr(base, name))) if values is None else values


def row_inputs(fleet: Fleet) -> RowInputs:
    n, base = fleet.inventory.n, fleet.base
    numbers, choices = _values(fleet)
    table = fleet.inventory.table
    pin = table["pin"].to_numpy(dtype=str) if "pin" in table else np.full(n, "")

    def answer(name):
        return _answer_column(fleet, numbers, choices, name, n)

    # The edge flavour is known before any money: edge only where the data must stay on site (or pinned so),
    # and then no feedback frames leave the site (as the single-site advisor's deployment).
    flavour = np.where(
        np.isin(pin, PLACEMENTS[1:]), pin, np.where(answer("privacy") == "on_site", "edge_only", "split_brain_edge")
    )
    overrides = {k: v for k, v in numbers.items() if k in NUMBER_FIELD_NAMES}
    overrides["horizon_months"] = fleet.months - numbers["go_live_month"].astype(int)
    feedback = overrides.get("feedback_percent", np.full(n, base.feedback_percent))
    overrides["feedback_percent"] = np.where(flavour == "edge_only", 0.0, feedback)
    batch_choices = {name: choices[name] for name, _ in costs.CHOICE_FLAGS.values() if name in choices}
    link_mbps = _link_mbps(fleet, choices, answer("uplink_mbps"))
    return RowInputs(numbers, choices, answer, pin, flavour, overrides, batch_choices, link_mbps)


def row_batch(base: Scenario, overrides: dict, choices: dict, rows: np.ndarray | None = None) -> costs.Batch:
    """The cost model's batch of every row (or of `rows`): the base with the per-row numbers and choices."""

    def take(values: dict) -> dict:
        return values if rows is None else {k: v[rows] for k, v in values.items()}

    return costs.batch([base], take(choices), **take(overrides))


# ── The cloud upload a site's link carries ──────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Upload:
    """Per row (n,): the cloud upload it is costed with, whether its link cannot carry its own design's upload (it is
    then costed with the cheapest design its link, or a link upgrade it buys, carries: `cloud_designs`), and whether
    neither carries any design (the cloud could not run there: costed as given, and said)."""

    given: np.ndarray  # object: the row's own cloud_upload, "video" or "frames"
    design: np.ndarray  # object: the one it is costed with
    too_thin: np.ndarray  # bool: the link does not carry the row's own design's upload
    cannot_upload: np.ndarray  # bool
    video_mbps: np.ndarray  # sustained upload of one site, each way
    frames_mbps: np.ndarray
    link_mbps: np.ndarray
    upgraded: np.ndarray | None = None  # bool: the row's design goes over a link upgrade it buys (None: no row's)

    @property
    def over_upgrade(self) -> np.ndarray:
        return np.zeros(len(self.given), bool) if self.upgraded is None else self.upgraded

    @property
    def sustained_mbps(self) -> np.ndarray:
        """What the design the row is costed with uploads, sustained [Mbps] (the advisor's uplink rule reads it, so
        the placement weighs the cloud the plans price; as the single-site advisor's, a design that buys a link
        upgrade is carried by it)."""
        return np.where(self.design == "video", self.video_mbps, self.frames_mbps)

    @property
    def own_mbps(self) -> np.ndarray:
        """What the row's own design uploads, sustained [Mbps]."""
        return np.where(self.given == "video", self.video_mbps, self.frames_mbps)


def feasible_upload(fleet: Fleet, rowwise: RowInputs, choices: dict) -> Upload:
    """The upload a site's link carries, as far as the link decides: a site whose link cannot carry its video stream
    (at ≤ UPLINK_UTILISATION of its capacity `RowInputs.link_mbps`, the advisor's rule) uploads its analysed frames
    with its own pricing when those fit (its own design as `cloud_designs` weighs it against the others its link
    carries)."""
    base = fleet.base
    given = np.asarray(choices.get("cloud_upload", np.full(fleet.inventory.n, base.cloud_upload)), dtype=object)

    def column(name):
        return rowwise.column(base, name)

    video, frames = designs.site_upload_mbps(
        column("cameras"), column("sites"), column("bitrate_mbps"), column("analysed_fps"), column("image_kb")
    )
    link = rowwise.link_mbps
    to_frames = (given == "video") & ~designs.carries(link, video) & designs.carries(link, frames)
    too_thin = ~designs.carries(link, np.where(given == "video", video, frames))
    cannot = too_thin & ~to_frames
    return Upload(given, np.where(to_frames, "frames", given).astype(object), too_thin, cannot, video, frames, link)


def cloud_designs(
    fleet: Fleet,
    overrides: dict,
    choices: dict,
    upload: Upload,
    rows: np.ndarray | None = None,
    search=designs.cheapest_per_row,
) -> tuple[designs.RowDesigns | None, dict[str, np.ndarray], Upload]:
    """The cloud design each row is costed with: with the fleet's cloud side `cheapest` every row's cheapest feasible
    design (over the link upgrade it buys where its link cannot carry the design's upload: `designs.row_upgrades`),
    with `own` that of the rows whose link cannot carry their own design (`Upload.too_thin`), the others
    keeping theirs (`designs.cheapest_per_row` over those rows; `choices` carry `feasible_upload`'s upload, the
    row's own design in the search). `rows` limits the search further. Returns the designs found (None: none
    searched), the design inputs of every row (`designs.row_design_inputs`) and the upload with what each row is
    costed with uploading, whether its link (or an upgrade) carries no design at all and which rows buy an upgrade.
    `search` is `designs.cheapest_per_row` or a stand-in with its arguments and results (the Fleet page's, which
    searches a row once for its inputs)."""
    n = len(upload.given)
    # Every design uploads video or frames: where neither the link nor an upgrade it could buy (`designs.row_upgrades`)
    # carries either, none fits, and the row keeps its own.
    fx_rate = overrides.get("fx_rate", fleet.base.fx_rate)
    some_fit = np.zeros(n, bool)
    for mbps in (upload.video_mbps, upload.frames_mbps):
        some_fit |= designs.carries(upload.link_mbps, mbps) | designs.row_upgrades(mbps, upload.link_mbps, fx_rate)[1]
    searched = (np.ones(n, bool) if fleet.cloud == "cheapest" else upload.too_thin) & some_fit
    if rows is not None:
        searched &= np.isin(np.arange(n), rows)
    found = None
    if searched.any():
        found = search(fleet.base, overrides, choices, upload.link_mbps, rows=np.flatnonzero(searched))
    inputs = designs.row_design_inputs(fleet.base, choices, found, n)
    if found is not None:
        upgrade = found.link_upgrade or {}
        bought = upgrade.get("link_upgrade_install", 0.0) + upgrade.get("link_upgrade_per_month", 0.0)
        upload = dataclasses.replace(
            upload,
            design=np.asarray(inputs["cloud_upload"], dtype=object),
            cannot_upload=~some_fit | searched & ~found.feasible,
            upgraded=(found.design >= 0) & (np.asarray(bought) > 0),
        )
    return found, inputs, upload


# ── Devices: the `device` column (blank: the row's own device fields; a catalog id; or the search) ─────
OWN_DEVICE = "row's own"  # the site table's `device` of a row costed with its own device fields
DEVICE_COLUMNS = ("device_price", "device_watts", "device_throughput_ips")
FIT_RULE_TEXT = ("space", "workload", "latency", "power")  # advisor.FIT_RULES, as the reason line says them


@dataclass(frozen=True)
class DeviceChoice:
    """Per row (n,): the catalog device it is costed with, from its `device` cell."""

    device_id: np.ndarray  # object: a catalog id, or '' = the row's own device fields
    searched: np.ndarray  # bool: the cell is "catalog" (the advisor's search)
    fitting: np.ndarray  # int: catalog devices that fit a searched row (0: none does, it keeps its own)
    unfit: np.ndarray  # int: bits over advisor.FIT_RULES broken by the nearest devices when none fits


def _device_cells(fleet: Fleet) -> np.ndarray:
    table = fleet.inventory.table
    return table["device"].to_numpy(dtype=object) if "device" in table else np.full(fleet.inventory.n, "", dtype=object)


def _site_inputs(fleet: Fleet, rowwise: RowInputs) -> dict[str, np.ndarray]:
    """What the advisor's device rules read, per row: the answers, the workload's catalog figures, the frame rate."""
    works = {r["id"]: r for r in catalog.load().workloads}
    workload, answer = rowwise.answer("workload"), rowwise.answer
    fps = rowwise.column(fleet.base, "analysed_fps")
    wait_ms = np.where(fps > 0, 500 / np.where(fps > 0, fps, 1), 0.0)
    return {
        "analysed_fps": fps,
        "fx_rate": rowwise.column(fleet.base, "fx_rate"),
        "wait_ms": wait_ms,
        "relative_compute": lookup(works, workload, "relative_compute"),
        "video": lookup(works, workload, "video", lambda v: v == "yes").astype(bool),
        "needs_server": lookup(works, workload, "needs_server", lambda v: v == "yes").astype(bool),
        "attainable": wait_ms < answer("response_ms"),
        **{name: answer(name) for name in ("derating_percent", "response_ms", "site_power_watts", "site_space")},
    }


def _catalog_device(device_id: str, rows: np.ndarray, site: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Scenario columns of `rows` costed with one catalog device: its fields in each row's currency and the
    throughput it sustains with each row's derating, workload and frame rate (`advisor.device_throughput`)."""
    d = catalog.load().device(device_id)
    _, _, sustained = advisor.device_throughput(
        d["throughput_ips"],
        d["decode_1080p30_streams"],
        site["derating_percent"][rows],
        site["relative_compute"][rows],
        site["video"][rows],
        site["analysed_fps"][rows],
    )
    rates, at = np.unique(site["fx_rate"][rows], return_inverse=True)
    fields = [advisor.device_fields(device_id, 1.0, rate) for rate in rates]  # one per distinct exchange rate
    return {
        name: np.array([f[name] for f in fields], dtype=float)[at]
        for name in fields[0]
        if name not in ("device_id", "device_sizing", "device_throughput_ips")
    } | {"device_throughput_ips": sustained}


def _search(fleet: Fleet, rowwise: RowInputs, site: dict, rows: np.ndarray) -> tuple[np.ndarray, ...]:
    """The advisor's device search for `rows`: one batch of those rows per catalog device (never a loop over
    sites), then per row the device of lowest edge TCO over its horizon among those that fit its answers
    (`advisor.misfits`). Returns (index into `advisor.sized_devices()`, or −1 when none fits; how many fit;
    bits over FIT_RULES that the devices breaking the fewest rules break)."""
    devices = advisor.sized_devices()
    edge_total, power = np.empty((len(devices), len(rows))), np.empty((len(devices), len(rows)))
    choices = rowwise.batch_choices | {"device_sizing": np.full(fleet.inventory.n, "auto", dtype=object)}
    for i, d in enumerate(devices):
        overrides = {k: v[rows] for k, v in rowwise.overrides.items()} | _catalog_device(d["id"], rows, site)
        b = row_batch(fleet.base, overrides, {k: v[rows] for k, v in choices.items()})
        evaluated = costs.evaluate(b, carbon=False)
        edge_total[i] = finance.total(evaluated, "edge")  # as `finance.analyse`'s, without the rest
        power[i] = evaluated.values("devices")[:, 0] / b["sites"] * b["device_watts"]  # per site
        del evaluated
    at = {k: v[rows] for k, v in site.items()}
    catalog_ips = np.array([d["throughput_ips"] for d in devices], dtype=float)[:, None]
    broken = advisor.misfits(
        np.array([d["family"] for d in devices])[:, None],
        at["site_space"],
        at["needs_server"],
        advisor.edge_path_ms(at["wait_ms"], at["relative_compute"], catalog_ips),
        at["response_ms"],
        at["attainable"],
        power,
        at["site_power_watts"],
    )  # (rules, D, rows)
    fits = ~broken.any(axis=0)
    fitting = fits.sum(axis=0)
    best = np.where(fitting > 0, np.where(fits, edge_total, np.inf).argmin(axis=0), -1)
    breaks = broken.sum(axis=0)
    nearest = breaks == breaks.min(axis=0)
    unfit = (broken & nearest).any(axis=1).T.astype(int) @ (1 << np.arange(len(advisor.FIT_RULES)))
    return best, fitting, np.where(fitting > 0, 0, unfit)


def choose_devices(fleet: Fleet, rowwise: RowInputs | None = None) -> DeviceChoice:
    """The catalog device of every row: the one its cell names, or for "catalog" the advisor's search."""
    cells = _device_cells(fleet)
    n = len(cells)
    searched = cells == DEVICE_SEARCH
    ids, fitting, unfit = np.where(searched, "", cells).astype(object), np.zeros(n, int), np.zeros(n, int)
    rows = np.flatnonzero(searched)
    if len(rows):
        rowwise = rowwise or row_inputs(fleet)
        best, fitting[rows], unfit[rows] = _search(fleet, rowwise, _site_inputs(fleet, rowwise), rows)
        ids[rows] = np.array([d["id"] for d in advisor.sized_devices()] + [""], dtype=object)[best]  # −1: ''
    return DeviceChoice(ids, searched, fitting, unfit)


COUNT_COLUMNS = ("device_sizing", "devices_manual")  # a row that sets one has a device count of its own


def sized_by_load(fleet: Fleet, device: DeviceChoice) -> np.ndarray:
    """Rows with no device of their own (no catalog device from their `device` cell, none of DEVICE_COLUMNS) and
    no count of their own (none of COUNT_COLUMNS): they take the base's device model sized from their own load,
    not the base's count."""
    table, numbers = fleet.inventory.table, fleet.inventory.numbers
    mine = device.device_id != ""
    for name in DEVICE_COLUMNS + COUNT_COLUMNS:
        if name in numbers:
            mine |= ~np.isnan(numbers[name])
        elif name in table:
            mine |= table[name].to_numpy(dtype=object) != ""
    return ~mine


def _load_throughput(fleet: Fleet, rows: np.ndarray, site: dict[str, np.ndarray]) -> np.ndarray:
    """What one of the base's devices sustains at each of `rows` (`advisor.sustained_ips`: its catalog benchmark
    derated and decode-capped with the row's derating, workload and frame rate)."""
    return advisor.sustained_ips(
        fleet.base.device_id,
        fleet.base.device_throughput_ips,
        site["derating_percent"][rows],
        site["relative_compute"][rows],
        site["video"][rows],
        site["analysed_fps"][rows],
    )[2]


def with_devices(fleet: Fleet, device: DeviceChoice, rowwise: RowInputs) -> tuple[dict, dict]:
    """The batch's numbers and choices with every row that has a catalog device costed with it, auto-sized, and
    every row `sized_by_load` auto-sized on the base's device at the throughput it sustains there.

    Only the device changes: the row keeps its management fee and basis (the single-site advisor would also
    apply its device family's management plan), so a fleet compares devices under the row's own management."""
    costed = device.device_id != ""
    by_load = sized_by_load(fleet, device)
    if not (costed.any() or by_load.any()):
        return rowwise.overrides, rowwise.batch_choices
    site = _site_inputs(fleet, rowwise)
    overrides, copied = dict(rowwise.overrides), set()
    if by_load.any():
        rows = np.flatnonzero(by_load)
        overrides["device_throughput_ips"] = rowwise.column(fleet.base, "device_throughput_ips").copy()
        overrides["device_throughput_ips"][rows] = _load_throughput(fleet, rows, site)
        copied.add("device_throughput_ips")
    for device_id in np.unique(device.device_id[costed]):  # one pass per catalog device, not per site
        rows = np.flatnonzero(device.device_id == device_id)
        for name, values in _catalog_device(device_id, rows, site).items():
            if name not in copied:  # a copy, once: never the inventory's own numbers
                overrides[name], copied = rowwise.column(fleet.base, name).copy(), copied | {name}
            overrides[name][rows] = values
    sizing = rowwise.batch_choices.get("device_sizing", np.full(len(costed), fleet.base.device_sizing, dtype=object))
    return overrides, rowwise.batch_choices | {"device_sizing": np.where(costed | by_load, "auto", sizing)}


def lookup(table: dict, keys: np.ndarray, column: str, kind=float) -> np.ndarray:
    """Catalog column per row by key: one dictionary look-up per distinct key."""
    distinct, index = np.unique(keys, return_inverse=True)
    return np.array([kind(table[k][column]) for k in distinct])[index] if len(keys) else np.zeros(0)


# ── Between a fleet row and a single-site scenario ─────────────────────────────────────────────────
def row_scenario(f: Fleet, r: int) -> Scenario:
    """Row r as a single-site scenario: the base with the row's cells, one site, over its months from go-live, with
    the cloud design the fleet costs it with (`cloud_designs`: with the fleet's cloud side `cheapest`, or when its
    link cannot carry its own design, the cheapest design its link, or a link upgrade it buys, carries) and that
    upgrade."""
    numbers, choices = _values(f)
    changes = {k: v[r] for k, v in numbers.items() if k in NUMBER_FIELD_NAMES}
    changes |= {k: str(v[r]) for k, v in choices.items() if k not in ANSWER_COLUMNS}
    changes["horizon_months"] = f.months - int(numbers["go_live_month"][r])
    rowwise = row_inputs(f)
    upload = feasible_upload(f, rowwise, rowwise.batch_choices)
    changes["cloud_upload"] = str(upload.design[r])
    if f.cloud == "cheapest" or upload.too_thin[r]:
        overrides, batch_choices = with_devices(f, choose_devices(f, rowwise), rowwise)
        batch_choices = batch_choices | {"cloud_upload": upload.design}
        found, _, _ = cloud_designs(f, overrides, batch_choices, upload, rows=np.array([r]))
        changes |= designs.design_fields(found, r) if found is not None else {}
    for name, value in list(changes.items()):
        if isinstance(SPECS.get(name), NumberField) and SPECS[name].integer:
            changes[name] = int(value)
    site = str(f.inventory.table["site"].iat[r])
    go_live = int(numbers["go_live_month"][r])
    description = (  # its own: the base's (a preset's, about its own site or sites) describes another case
        f"One site of the row “{site}” of the fleet “{f.name}”, from its go-live in programme month {go_live}."
    )
    return validate(
        {**to_dict(f.base), **changes, **_row_device(f, r), "name": site[:120], "description": description[:1_000]}
    )


def _row_device(f: Fleet, r: int) -> dict:
    """The scenario fields of the catalog device row r is costed with, or of the sizing from its own load
    (`sized_by_load`); none when it keeps its own device and count."""
    inv = f.inventory
    one = Fleet(
        f.name,
        f.base,
        f.answers,
        Inventory(inv.table.iloc[[r]].reset_index(drop=True), (), {k: v[[r]] for k, v in inv.numbers.items()}),
        f.months,
    )
    rowwise = row_inputs(one)
    choice = choose_devices(one, rowwise)
    if sized_by_load(one, choice)[0]:
        ips = _load_throughput(one, np.array([0]), _site_inputs(one, rowwise))
        return {"device_throughput_ips": float(ips[0]), "device_sizing": "auto"}
    device_id = choice.device_id[0]
    if not device_id:
        return {}
    fields = _catalog_device(device_id, np.array([0]), _site_inputs(one, rowwise))
    return {k: float(v[0]) for k, v in fields.items()} | {"device_id": device_id, "device_sizing": "auto"}
