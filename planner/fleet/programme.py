"""Fleet planning: a site inventory evaluated as one batch, a placement per site, the programme's three plans.

A row of the inventory is a site (or `count` identical sites) described by scenario fields and advisor
answers; a blank cell or a missing column takes the base scenario's value (or the base answers'). The
rows are the engine's batch (n rows × M programme months); nothing loops over sites in Python.

    site row r, row-local month k (k = 0 at its go-live g_r), evaluated over M − g_r months
    programme month m:   plan_cost(m) = Σ_r count_r × cost_r(m − g_r)        (0 before go-live)
    device:              the row's own device fields; a catalog device its `device` cell names; or, for
                         `catalog`, the advisor's search (one batch per catalog device, argmin per row)
    placement:           the advisor's rules, vectorised (hard constraints first, then the weighted vote)
    three plans:         all cloud; all edge; recommended (advisor's placement, or the site's pin)
    plan figures:        `finance.analyse_flows` of the programme series, savings measured against all cloud

See docs/FORMULAS.md, "Fleet".
"""
from __future__ import annotations

import csv
import dataclasses
import functools
import io
import json
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from planner.advice import advisor
from planner.catalogs import catalog
from planner.model import costs, finance
from planner.schema.format import irr_figures
from planner.schema.safe_csv import table_csv
from planner.schema.scenario import (FIELDS, SCHEMA_VERSION, UNSAFE_TEXT, ChoiceField, NumberField, Scenario,
                                     ScenarioError, entry_point, load_json, to_dict, unsafe_character, validate)

PLACEMENTS = ("cloud", "split_brain_edge", "edge_only")
PLANS = ("all_cloud", "all_edge", "recommended")
PLAN_TEXT = {"all_cloud": "All cloud", "all_edge": "All edge", "recommended": "Recommended mix"}
FLEET_COLUMNS = ("site", "count", "go_live_month", "pin", "device")
DEVICE_SEARCH = "catalog"      # the `device` cell asking for the advisor's search of the catalog
SCENARIO_COLUMNS = tuple(f.name for f in FIELDS if isinstance(f, (NumberField, ChoiceField)))
ANSWER_COLUMNS = tuple(q.name for q in advisor.QUESTIONS)
COLUMNS = FLEET_COLUMNS + SCENARIO_COLUMNS + ANSWER_COLUMNS
SPECS = {f.name: f for f in FIELDS if isinstance(f, (NumberField, ChoiceField))} | advisor.QUESTION_BY_NAME
_NUMBER_FIELD_NAMES = frozenset(f.name for f in FIELDS if isinstance(f, NumberField))
MAX_ROWS = 200_000
MAX_COUNT = 100_000
MAX_SITE_NAME = 120
MAX_ERRORS_SHOWN = 20
MAX_INVENTORY_BYTES = 50_000_000
MAX_COLUMNS = 200                    # the 83 fleet columns and room for a few of the user's own
MAX_HEADER_CHARS = 20_000            # the header line: MAX_COLUMNS names of up to 100 characters
MAX_FLEET_NAME = 120


# ── Inventory ───────────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Inventory:
    """The site table as text cells ('' = the base value), in the columns' given order, and what was refused.

    A refused cell is blanked (the rest of its row and of the table is kept) and named in `errors` as
    `row N, column X: reason`, N counting data rows from 1.
    """
    table: pd.DataFrame
    errors: tuple[str, ...] = ()
    numbers: dict = field(default_factory=dict, compare=False, repr=False)   # parsed numeric columns, NaN = blank

    def __eq__(self, other) -> bool:         # the same cells in the same columns (a DataFrame has no plain ==)
        return isinstance(other, Inventory) and self.errors == other.errors and self.table.equals(other.table)

    __hash__ = None

    @property
    def n(self) -> int:
        return len(self.table)

    def to_csv(self) -> str:
        """The table through the spreadsheet-safe writer: a number cell as a number (a negative one stays a
        number), a text cell a spreadsheet would run as a formula neutralised."""
        table = self.table
        numeric = [c for c in table.columns if c in ("count", "go_live_month") or isinstance(SPECS.get(c), NumberField)]
        return table_csv(table.assign(**{c: _numbers_where_valid(table[c].to_numpy(dtype=object)) for c in numeric}))


def _numbers_where_valid(cells: np.ndarray) -> np.ndarray:
    """Text cells of a numeric column: each that reads as a finite number as that number, the rest as they are."""
    values = pd.to_numeric(pd.Series(cells, dtype=object).where(cells != "", "nan"), errors="coerce").to_numpy(float)
    out = cells.copy()
    finite = np.isfinite(values)
    out[finite] = values[finite]
    return out


def is_fleet_json(data: bytes) -> bool:
    """Whether an uploaded file is a fleet JSON (it opens with `{`, after a UTF-8 byte-order mark and blanks)
    rather than an inventory CSV."""
    return data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"{"


def check_columns(names, cut: bool = False) -> None:
    """The inventory's column names, before any table is built of them: each once (named as the file writes it),
    at most MAX_COLUMNS. A header of many or repeated names would otherwise cost pandas minutes and gigabytes.
    `cut`: the names are the start of a longer header line."""
    seen = set()
    for name in names[:MAX_COLUMNS + 1]:
        key = str(name).strip()
        if key in seen:
            raise ScenarioError(f"column {_short(key, 40)} is given more than once: give each column once")
        seen.add(key)
    if len(names) > MAX_COLUMNS:
        count = f"more than {MAX_COLUMNS}" if cut else f"{len(names):,}"
        raise ScenarioError(f"the inventory has {count} columns; at most {MAX_COLUMNS} (the fleet columns are "
                            f"{', '.join(FLEET_COLUMNS)}, scenario field names and advisor question keys)")


def _check_header(text: str) -> None:
    """`check_columns` on the CSV text's header (its first record after blank lines, as pandas takes it), read by
    the csv module within MAX_HEADER_CHARS characters."""
    text = text.lstrip()
    lines = io.StringIO(text[:MAX_HEADER_CHARS], newline="").readlines()
    read = 0

    def counted():
        nonlocal read
        for line in lines:
            read += len(line)
            yield line
    try:
        names = next(csv.reader(counted()), [])
    except csv.Error as exc:
        raise ScenarioError(f"the inventory is not a readable CSV table: {exc}") from None
    cut = len(text) > MAX_HEADER_CHARS and read == MAX_HEADER_CHARS and not lines[-1].endswith(("\n", "\r"))
    check_columns(names[:-1] if cut else names, cut)       # the last name of a cut line may be cut itself
    if cut:
        raise ScenarioError(f"the inventory's header line is longer than {MAX_HEADER_CHARS:,} characters: it names "
                            f"at most {MAX_COLUMNS} columns")


def _text_frame(data) -> pd.DataFrame:
    """Any table (DataFrame, CSV text or bytes) as a DataFrame of stripped strings, blanks as ''."""
    if isinstance(data, pd.DataFrame):
        frame = data.copy()
    else:
        if isinstance(data, bytes):
            if len(data) > MAX_INVENTORY_BYTES:
                raise ScenarioError(f"the inventory is larger than {MAX_INVENTORY_BYTES:,} bytes")
            try:
                data = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise ScenarioError(f"the inventory is not UTF-8 text (byte {exc.start + 1})") from None
        if not data.strip():
            raise ScenarioError("the inventory is empty: it needs a header line and one row per site")
        _check_header(data.lstrip("\ufeff"))
        try:
            frame = pd.read_csv(io.StringIO(data), dtype=str, keep_default_na=False, skipinitialspace=True)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            raise ScenarioError(f"the inventory is not a readable CSV table: {str(exc).splitlines()[0]}") from None
    if len(frame) > MAX_ROWS:
        raise ScenarioError(f"the inventory has {len(frame):,} rows; at most {MAX_ROWS:,}")
    check_columns(list(frame.columns))
    frame.columns = [str(c).strip() for c in frame.columns]
    # Text cells as plain Python strings (object columns): numpy compares and looks them up column-wise, with
    # none of the conversions to and from Arrow strings that pandas' own string columns make on every step.
    return pd.DataFrame({i: _column_text(frame.iloc[:, i]) for i in range(frame.shape[1])}, dtype=object).set_axis(
        frame.columns, axis=1) if len(frame.columns) else frame


def _column_text(s: pd.Series) -> np.ndarray:
    """One column as stripped text (an object array of str), column-wise: blanks (None, NaN) as '', whole floats
    without '.0'."""
    if pd.api.types.is_float_dtype(s):
        values = s.to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        if np.array_equal(finite, np.round(finite)) and (finite.size == 0 or np.abs(finite).max() < 1e15):
            s = s.astype("Int64")
    values = s.to_numpy(dtype=object)
    text = np.char.strip(values.astype(str)).astype(object) if len(values) else values
    text[pd.isna(values)] = ""
    return text


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_inventory(data, months: int) -> Inventory:
    """Validate a site table against the columns and bounds; `months` bounds the go-live month."""
    frame = _text_frame(data)
    errors: list[str] = []
    unknown = [c for c in frame.columns if c not in COLUMNS]
    for name in unknown:
        hint = (" (a text field: set it on the base scenario)" if any(f.name == name for f in FIELDS)
                else f"; columns are {', '.join(FLEET_COLUMNS)}, scenario field names and advisor question keys")
        errors.append(f"column {name[:40]!r}: not a fleet column{hint}")
    kept = [c for c in frame.columns if c in COLUMNS]      # the user's order: the CSV round-trips
    columns = {name: frame[name].to_numpy(dtype=object).copy() for name in kept}
    if "site" not in columns:
        columns = {"site": np.full(len(frame), "", dtype=object), **columns}
    cells: list[tuple[int, int, str]] = []
    numbers = {}
    for position, (name, text) in enumerate(columns.items()):
        bad, reasons, values = _check_column(name, text, months)
        if values is not None:
            numbers[name] = np.where(bad, np.nan, values)
        if bad.any():
            cells += [(r, position, f"row {r + 1}, column {name}: {reasons[i]}")
                      for i, r in enumerate(np.flatnonzero(bad))]
            text[bad] = ""
    errors += [message for _, _, message in sorted(cells)]        # row by row, left to right
    # Blank site names become "site N" so every row can be named in the per-site table.
    site = columns["site"]
    blank = np.flatnonzero(site == "")
    site[blank] = [f"site {r + 1}" for r in blank]
    if len(site) == 0:
        errors.append("the inventory has no rows: add one row per site")
    return Inventory(pd.DataFrame(columns, dtype=object), tuple(errors), numbers)


def _check_column(name: str, cells: np.ndarray, months: int) -> tuple[np.ndarray, list[str], np.ndarray | None]:
    """(bad mask, reason for each bad cell in row order, the numbers or None) for one column of text cells (an
    object array of str)."""
    blank = cells == ""
    if name == "site":
        too_long = np.char.str_len(cells.astype(str)) > MAX_SITE_NAME if len(cells) else blank
        unsafe = (np.array([UNSAFE_TEXT.search(t) is not None for t in cells], dtype=bool)
                  if UNSAFE_TEXT.search(" ".join(cells)) else np.zeros(len(cells), bool))   # cell by cell if any
        bad = too_long | unsafe
        return bad, [f"a site name is printable text of at most {MAX_SITE_NAME} characters"] * int(bad.sum()), None
    if name == "device":
        bad = ~blank & ~np.isin(cells, [DEVICE_SEARCH, *(d["id"] for d in catalog.load().hardware)])
        return bad, [f'{_short(v)} is not a catalog device id or "{DEVICE_SEARCH}"' for v in cells[bad]], None
    if name == "pin":
        bad = ~blank & ~np.isin(cells, PLACEMENTS)
        return bad, [f"{_short(v)} is not a placement: leave it blank or use cloud, split_brain_edge or edge_only"
                     for v in cells[bad]], None
    if name in ("count", "go_live_month"):
        low, high, what = (1, MAX_COUNT, "sites") if name == "count" else (0, months - 1, "(month 0 starts the programme)")
        return _check_numbers(cells, blank, low, high, True, what)
    spec = SPECS[name]
    if isinstance(spec, ChoiceField):
        bad = ~blank & ~np.isin(cells, list(spec.options))
        return bad, [f"{_short(v)} is not one of {', '.join(spec.options)}" for v in cells[bad]], None
    return _check_numbers(cells, blank, spec.min, spec.max, spec.integer, spec.unit_for())


def _check_numbers(cells, blank, low, high, integer, unit) -> tuple[np.ndarray, list[str], np.ndarray]:
    values = pd.to_numeric(np.where(blank, "nan", cells), errors="coerce").astype(float)
    not_number = ~blank & ~np.isfinite(values)
    outside = ~blank & np.isfinite(values) & ((values < low) | (values > high))
    fraction = ~blank & np.isfinite(values) & ~outside & integer & (values != np.round(values))
    bad = not_number | outside | fraction
    reasons = []
    for text, value, nan, out in zip(cells[bad], values[bad], not_number[bad], outside[bad]):
        if nan:
            reasons.append(f"{_short(text)} is not a number")
        elif out:
            reasons.append(f"{value:g} is outside {low:g} to {high:g} {unit}".rstrip())
        else:
            reasons.append(f"{value:g} is not a whole number")
    return bad, reasons, values


def _short(text: str, limit: int = 30) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def errors_text(errors: tuple[str, ...], limit: int = MAX_ERRORS_SHOWN) -> list[str]:
    return list(errors[:limit]) + ([f"… and {len(errors) - limit:,} more"] if len(errors) > limit else [])


# ── The fleet ───────────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Fleet:
    """A programme: the base scenario and answers every blank cell falls back to, the inventory, the months."""
    name: str
    base: Scenario
    answers: object          # advisor.Answers
    inventory: Inventory
    months: int


def make_fleet(inventory_data, base: Scenario, answers=None, months: int | None = None, name: str = "Fleet") -> Fleet:
    months = base.horizon_months if months is None else int(months)
    if not 1 <= months <= 240:
        raise ScenarioError(f"months = {months} is outside 1 to 240")
    problem = unsafe_character(name) or (f"it is longer than {MAX_FLEET_NAME} characters" if len(name) > MAX_FLEET_NAME
                                         else None)
    if problem:
        raise ScenarioError(f"the fleet's name: {problem}")
    answers = advisor.answers(**(answers.model_dump() if answers is not None else {}))   # defaults validated too
    return Fleet(name, base, answers, parse_inventory(inventory_data, months), months)


FLEET_PARTS = ("schema_version", "kind", "name", "description", "base", "months", "answers", "columns", "sites")


def fleet_document(fleet: Fleet) -> dict:
    """The whole fleet as one JSON object that `from_fleet_document` restores (a fleet file, a fleet plan)."""
    rows = [{k: v for k, v in row.items() if v != ""} for row in fleet.inventory.table.to_dict("records")]
    return {"schema_version": SCHEMA_VERSION, "kind": "fleet", "name": fleet.name, "months": fleet.months,
            "base": to_dict(fleet.base), "answers": _answers_dict(fleet.answers),
            "columns": list(fleet.inventory.table.columns), "sites": rows}


def fleet_json(fleet: Fleet) -> str:
    """The fleet file: `fleet_document` as stable, indented JSON."""
    return json.dumps(fleet_document(fleet), indent=2, ensure_ascii=False) + "\n"


def _answers_dict(answers) -> dict:
    """Numeric answers as floats whatever pydantic kept (a default of 100 and a parsed 100.0 print alike)."""
    return {k: float(v) if isinstance(advisor.QUESTION_BY_NAME[k], NumberField) else v
            for k, v in answers.model_dump().items()}


@entry_point
def from_fleet_document(doc, default_base: Scenario | None = None) -> Fleet:
    """A fleet from its JSON object (a preset in data/fleets/, an export, a plan's part). `base` may be a preset
    key or a scenario; a refused cell stays in `inventory.errors`, anything else wrong raises ScenarioError."""
    if not isinstance(doc, dict) or not isinstance(doc.get("sites"), list):
        raise ScenarioError("a fleet file is a JSON object with a 'sites' list (one object per site row)")
    unknown = sorted(set(doc) - set(FLEET_PARTS))
    if unknown:
        raise ScenarioError(f"{unknown[0][:40]!r}: unknown part of a fleet file (its parts are {', '.join(FLEET_PARTS)})")
    if doc.get("kind", "fleet") != "fleet":
        raise ScenarioError(f"kind = {str(doc.get('kind'))[:40]!r}: a fleet file's kind is 'fleet'")
    version = doc.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= SCHEMA_VERSION:
        raise ScenarioError(f"schema_version = {str(version)[:40]} is not supported: this planner reads version "
                            f"{SCHEMA_VERSION}")
    base = doc.get("base")
    if isinstance(base, str):
        base = catalog.preset(base)
    elif isinstance(base, dict):
        base = validate(base)
    elif base is None and default_base is not None:
        base = default_base
    else:
        raise ScenarioError("a fleet file needs 'base': a preset name or a scenario object")
    answers, months, name = doc.get("answers") or {}, doc.get("months"), doc.get("name") or "Fleet"
    if not isinstance(answers, dict):
        raise ScenarioError("'answers' is an object of the advisor's question keys and answers")
    if months is not None and (not isinstance(months, int) or isinstance(months, bool)):
        raise ScenarioError(f"months = {str(months)[:40]} is not a whole number of months (1 to 240)")
    if not isinstance(name, str):
        raise ScenarioError("'name' is the fleet's name, a text")
    description = doc.get("description", "")
    if not isinstance(description, str) or len(description) > 1_000:
        raise ScenarioError("'description' is the fleet's description, a text of at most 1,000 characters")
    if unsafe_character(description, "\n"):
        raise ScenarioError(f"the fleet's description: {unsafe_character(description, chr(10))}")
    rows = doc["sites"]
    if not all(isinstance(r, dict) for r in rows):
        raise ScenarioError("every entry of 'sites' is an object of column: value")
    columns = doc.get("columns") or list(dict.fromkeys(k for r in rows for k in r))
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise ScenarioError("'columns' is the list of the inventory's column names")
    check_columns(columns)
    if len(rows) > MAX_ROWS:
        raise ScenarioError(f"the inventory has {len(rows):,} rows; at most {MAX_ROWS:,}")
    frame = pd.DataFrame([{c: _cell_text(r.get(c, "")) for c in columns} for r in rows], columns=columns, dtype=str)
    return make_fleet(frame, base, advisor.answers(**answers), months, name)


def parse_fleet_json(text: str | bytes, default_base: Scenario | None = None) -> Fleet:
    """A fleet file (JSON text): duplicate keys, NaN and deep nesting refused as in a scenario file."""
    return from_fleet_document(load_json(text.decode("utf-8-sig") if isinstance(text, bytes) else text, "fleet file"),
                               default_base)


# ── Presets (data/fleets/*.json) ───────────────────────────────────────────────────────────────────
def presets() -> dict[str, str]:
    """Bundled fleet presets: key → name."""
    return {path.stem: json.loads(path.read_text(encoding="utf-8"))["name"] for path in sorted(_fleets_dir().glob("*.json"))}


def preset(key: str) -> Fleet:
    path = _fleets_dir() / f"{key}.json"
    if not key.replace("_", "").isalnum() or not path.is_file():
        raise ScenarioError(f"unknown fleet preset {key[:40]!r}; the fleet presets are {', '.join(presets())}")
    return parse_fleet_json(path.read_text(encoding="utf-8"))


def _fleets_dir():
    return catalog.DATA_DIR / "fleets"


# ── Evaluation ──────────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Placement:
    """Per site (n,): the advisor's placement before pins, the final one, and the deciding rule."""
    advised: np.ndarray          # index into PLACEMENTS
    final: np.ndarray
    hard: np.ndarray             # (n, len(HARD_RULES)) which hard constraints hold
    edge_votes: np.ndarray       # soft weights for the edge, for the cloud
    cloud_votes: np.ndarray
    power_needed_watts: np.ndarray   # per site, for the sized devices
    power_available_watts: np.ndarray
    device_watts: np.ndarray         # of one device


HARD_RULES = ("latency", "machine reaction", "connectivity", "privacy", "uplink capacity")


@dataclass(frozen=True)
class Programme:
    fleet: Fleet
    count: np.ndarray                 # (n,) sites per row
    go_live: np.ndarray               # (n,) programme month of go-live
    rows: finance.Finance             # per row, one site, row-local months (horizon M − go-live)
    devices: np.ndarray               # (n,) edge devices per site at go-live
    placement: Placement
    plans: finance.Finance            # the three plans (PLANS order), programme months, vs all cloud: the
                                      # figures of the sites each plan moves to the edge (a plan's TCO: plan_summary)
    cloud_monthly: np.ndarray         # (M,) the all-cloud plan's cost per month
    plan_opex: np.ndarray             # (3, M) each plan's cost per month besides its edge capex: its cloud sites'
                                      # (upfront commitments included) and its edge sites' running cost
    plan_capex: np.ndarray            # (3, M) edge capex paid at the start of each month
    plan_cloud_upfront: np.ndarray    # (3, M) upfront cloud commitments the plan's edge sites no longer pay
                                      # (at the start of each month: a negative capex in break-even, NPV, IRR)
    irr: np.ndarray                   # (3,) %/year
    device: DeviceChoice              # the catalog device each row is costed with (the `device` column)
    irr_sign_changes: np.ndarray | None = None   # (3,) sign changes of each plan's cash flows
    irr_rates: np.ndarray | None = None          # (3, k) every IRR found [%/year] (finance.irr_all_percent)

    @property
    def months(self) -> int:
        return self.fleet.months

    @property
    def edge(self) -> np.ndarray:
        return self.placement.final != 0

    @functools.cached_property
    def kgco2e_per_site(self) -> tuple[np.ndarray, np.ndarray]:
        """(cloud, edge) emissions of one site of each row over its months [kg CO₂e], cash view (devices' embodied
        emissions when bought): summed on request, not part of the batch's evaluation."""
        c = self.rows.costs
        within = np.arange(c.months)[None, :] < c.horizon[:, None]
        return tuple(costs.weighted_sums(c.terms(side, "cash", carbon=True), c.n, within) for side in ("cloud", "edge"))


def _values(fleet: Fleet) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Numeric columns (base value where blank) and choice columns as arrays of option keys."""
    inv = fleet.inventory
    table, n = inv.table, inv.n
    numbers, choices = {}, {}
    for name in table.columns:
        if name in ("site", "pin", "device"):
            continue
        cells = table[name]
        spec = SPECS.get(name)
        if isinstance(spec, ChoiceField):
            default = getattr(fleet.answers if name in ANSWER_COLUMNS else fleet.base, name)
            choices[name] = np.where(cells.to_numpy() == "", default, cells.to_numpy()).astype(str)
        else:
            default = _default(fleet, name)
            values = inv.numbers.get(name)
            if values is None:              # an Inventory built without parse_inventory
                values = pd.to_numeric(cells.where(cells != "", "nan"), errors="coerce").to_numpy(dtype=float)
            numbers[name] = np.where(np.isnan(values), float(default), values)
    for name in ("count", "go_live_month", "sites", "cameras"):
        numbers.setdefault(name, np.full(n, float(_default(fleet, name))))
    return numbers, choices


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
class _Rowwise:
    """A fleet's inputs per row: numbers and choices (base values where blank), the batch's columns and flags."""
    numbers: dict[str, np.ndarray]
    choices: dict[str, np.ndarray]
    answer: object                    # answer(name) → (n,) the advisor answer of every row
    pin: np.ndarray
    flavour: np.ndarray               # the edge placement a row gets: split_brain_edge or edge_only
    overrides: dict[str, np.ndarray]  # numeric scenario columns for `costs.batch`
    flags: dict[str, np.ndarray]      # per-row choices as the batch's flags

    def column(self, base: Scenario, name: str) -> np.ndarray:
        """A numeric scenario column of every row (the base's value where the table has none)."""
        values = self.overrides.get(name)
        return np.full(len(self.pin), float(getattr(base, name))) if values is None else values


def _rowwise(fleet: Fleet) -> _Rowwise:
    n, base = fleet.inventory.n, fleet.base
    numbers, choices = _values(fleet)
    table = fleet.inventory.table
    pin = table["pin"].to_numpy(dtype=str) if "pin" in table else np.full(n, "")
    answer = lambda name: _answer_column(fleet, numbers, choices, name, n)   # noqa: E731
    # The edge flavour is known before any money: edge only where the data must stay on site (or pinned so),
    # and then no feedback frames leave the site (as the single-site advisor's deployment).
    flavour = np.where(np.isin(pin, PLACEMENTS[1:]), pin,
                       np.where(answer("privacy") == "on_site", "edge_only", "split_brain_edge"))
    overrides = {k: v for k, v in numbers.items() if k in _NUMBER_FIELD_NAMES}
    overrides["horizon_months"] = fleet.months - numbers["go_live_month"].astype(int)
    feedback = overrides.get("feedback_percent", np.full(n, base.feedback_percent))
    overrides["feedback_percent"] = np.where(flavour == "edge_only", 0.0, feedback)
    flags = {flag: choices[name] == value for flag, (name, value) in costs._CHOICE_FLAGS.items() if name in choices}
    return _Rowwise(numbers, choices, answer, pin, flavour, overrides, flags)


def _batch(base: Scenario, overrides: dict, flags: dict, rows: np.ndarray | None = None) -> costs.Batch:
    """The cost model's batch of every row (or of `rows`): the base with the per-row columns and choice flags
    (the flags `costs.batch` would set from the choices)."""
    take = (lambda v: v) if rows is None else (lambda v: v[rows])    # noqa: E731
    b = costs.batch([base], **{k: take(v) for k, v in overrides.items()})
    b.columns.update({flag: take(v) for flag, v in flags.items()})
    return b


# ── Devices: the `device` column (blank: the row's own device fields; a catalog id; or the search) ─────
OWN_DEVICE = "row's own"          # the site table's `device` of a row costed with its own device fields
DEVICE_COLUMNS = ("device_price", "device_watts", "device_throughput_ips")
FIT_RULE_TEXT = ("space", "workload", "latency", "power")        # advisor.FIT_RULES, as the reason line says them


@dataclass(frozen=True)
class DeviceChoice:
    """Per row (n,): the catalog device it is costed with, from its `device` cell."""
    device_id: np.ndarray       # object: a catalog id, or '' = the row's own device fields
    searched: np.ndarray        # bool: the cell is "catalog" (the advisor's search)
    fitting: np.ndarray         # int: catalog devices that fit a searched row (0: none does, it keeps its own)
    unfit: np.ndarray           # int: bits over advisor.FIT_RULES broken by the nearest devices when none fits


def _device_cells(fleet: Fleet) -> np.ndarray:
    table = fleet.inventory.table
    return table["device"].to_numpy(dtype=object) if "device" in table else np.full(fleet.inventory.n, "", dtype=object)


def _site_inputs(fleet: Fleet, rowwise: _Rowwise) -> dict[str, np.ndarray]:
    """What the advisor's device rules read, per row: the answers, the workload's catalog figures, the frame rate."""
    works = {r["id"]: r for r in catalog.load().workloads}
    workload, answer = rowwise.answer("workload"), rowwise.answer
    fps = rowwise.column(fleet.base, "analysed_fps")
    wait_ms = np.where(fps > 0, 500 / np.where(fps > 0, fps, 1), 0.0)
    return {"analysed_fps": fps, "fx_rate": rowwise.column(fleet.base, "fx_rate"), "wait_ms": wait_ms,
            "relative_compute": _lookup(works, workload, "relative_compute"),
            "video": _lookup(works, workload, "video", lambda v: v == "yes").astype(bool),
            "needs_server": _lookup(works, workload, "needs_server", lambda v: v == "yes").astype(bool),
            "attainable": wait_ms < answer("response_ms"),
            **{name: answer(name) for name in ("derating_percent", "response_ms", "site_power_watts", "site_space")}}


def _catalog_device(device_id: str, rows: np.ndarray, site: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Scenario columns of `rows` costed with one catalog device: its fields in each row's currency and the
    throughput it sustains with each row's derating, workload and frame rate (`advisor.device_throughput`)."""
    d = catalog.load().device(device_id)
    _, _, sustained = advisor.device_throughput(d["throughput_ips"], d["decode_1080p30_streams"],
                                                site["derating_percent"][rows], site["relative_compute"][rows],
                                                site["video"][rows], site["analysed_fps"][rows])
    rates, at = np.unique(site["fx_rate"][rows], return_inverse=True)
    fields = [advisor.device_fields(device_id, 1.0, rate) for rate in rates]     # one per distinct exchange rate
    return {name: np.array([f[name] for f in fields], dtype=float)[at] for name in fields[0]
            if name not in ("device_id", "device_sizing", "device_throughput_ips")} | {"device_throughput_ips": sustained}


def _search(fleet: Fleet, rowwise: _Rowwise, site: dict, rows: np.ndarray) -> tuple[np.ndarray, ...]:
    """The advisor's device search for `rows`: one batch of those rows per catalog device (never a loop over
    sites), then per row the device of lowest edge TCO over its horizon among those that fit its answers
    (`advisor.misfits`). Returns (index into `advisor.sized_devices()`, or −1 when none fits; how many fit;
    bits over FIT_RULES that the devices breaking the fewest rules break)."""
    devices = advisor.sized_devices()
    edge_total, power = np.empty((len(devices), len(rows))), np.empty((len(devices), len(rows)))
    flags = rowwise.flags | {"auto_sizing": np.ones(fleet.inventory.n, bool)}
    for i, d in enumerate(devices):
        overrides = {k: v[rows] for k, v in rowwise.overrides.items()} | _catalog_device(d["id"], rows, site)
        b = _batch(fleet.base, overrides, {k: v[rows] for k, v in flags.items()})
        evaluated = costs.evaluate(b)
        edge_total[i] = finance.total(evaluated, "edge")            # as `finance.analyse`'s, without the rest
        power[i] = evaluated.values("devices")[:, 0] / b["sites"] * b["device_watts"]     # per site
        del evaluated
    at = {k: v[rows] for k, v in site.items()}
    catalog_ips = np.array([d["throughput_ips"] for d in devices], dtype=float)[:, None]
    broken = advisor.misfits(np.array([d["family"] for d in devices])[:, None], at["site_space"], at["needs_server"],
                             advisor.edge_path_ms(at["wait_ms"], at["relative_compute"], catalog_ips),
                             at["response_ms"], at["attainable"], power, at["site_power_watts"])   # (rules, D, rows)
    fits = ~broken.any(axis=0)
    fitting = fits.sum(axis=0)
    best = np.where(fitting > 0, np.where(fits, edge_total, np.inf).argmin(axis=0), -1)
    breaks = broken.sum(axis=0)
    nearest = breaks == breaks.min(axis=0)
    unfit = (broken & nearest).any(axis=1).T.astype(int) @ (1 << np.arange(len(advisor.FIT_RULES)))
    return best, fitting, np.where(fitting > 0, 0, unfit)


def choose_devices(fleet: Fleet, rowwise: _Rowwise | None = None) -> DeviceChoice:
    """The catalog device of every row: the one its cell names, or for "catalog" the advisor's search."""
    cells = _device_cells(fleet)
    n = len(cells)
    searched = cells == DEVICE_SEARCH
    ids, fitting, unfit = np.where(searched, "", cells).astype(object), np.zeros(n, int), np.zeros(n, int)
    rows = np.flatnonzero(searched)
    if len(rows):
        rowwise = rowwise or _rowwise(fleet)
        best, fitting[rows], unfit[rows] = _search(fleet, rowwise, _site_inputs(fleet, rowwise), rows)
        ids[rows] = np.array([d["id"] for d in advisor.sized_devices()] + [""], dtype=object)[best]   # −1: ''
    return DeviceChoice(ids, searched, fitting, unfit)


COUNT_COLUMNS = ("device_sizing", "devices_manual")      # a row that sets one has a device count of its own


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
    return advisor.sustained_ips(fleet.base.device_id, fleet.base.device_throughput_ips,
                                 site["derating_percent"][rows], site["relative_compute"][rows],
                                 site["video"][rows], site["analysed_fps"][rows])[2]


def _with_devices(fleet: Fleet, device: DeviceChoice, rowwise: _Rowwise) -> tuple[dict, dict]:
    """The batch's columns and flags with every row that has a catalog device costed with it, auto-sized, and
    every row `sized_by_load` auto-sized on the base's device at the throughput it sustains there.

    Only the device changes: the row keeps its management fee and basis (the single-site advisor would also
    apply its device family's management plan), so a fleet compares devices under the row's own management."""
    costed = device.device_id != ""
    by_load = sized_by_load(fleet, device)
    if not (costed.any() or by_load.any()):
        return rowwise.overrides, rowwise.flags
    site = _site_inputs(fleet, rowwise)
    overrides, copied = dict(rowwise.overrides), set()
    if by_load.any():
        rows = np.flatnonzero(by_load)
        overrides["device_throughput_ips"] = rowwise.column(fleet.base, "device_throughput_ips").copy()
        overrides["device_throughput_ips"][rows] = _load_throughput(fleet, rows, site)
        copied.add("device_throughput_ips")
    for device_id in np.unique(device.device_id[costed]):          # one pass per catalog device, not per site
        rows = np.flatnonzero(device.device_id == device_id)
        for name, values in _catalog_device(device_id, rows, site).items():
            if name not in copied:                         # a copy, once: never the inventory's own numbers
                overrides[name], copied = rowwise.column(fleet.base, name).copy(), copied | {name}
            overrides[name][rows] = values
    auto = rowwise.flags.get("auto_sizing", np.full(len(costed), fleet.base.device_sizing == "auto"))
    return overrides, rowwise.flags | {"auto_sizing": auto | costed | by_load}


def evaluate(fleet: Fleet) -> Programme:
    """Every site of the fleet in one batch of the cost model, its placement, and the three plans."""
    inv, M, base = fleet.inventory, fleet.months, fleet.base
    n = inv.n
    if n == 0:
        raise ScenarioError("the inventory has no rows: add one row per site")
    rowwise = _rowwise(fleet)
    numbers, answer, pin, flavour = rowwise.numbers, rowwise.answer, rowwise.pin, rowwise.flavour
    count, go_live = numbers["count"], numbers["go_live_month"].astype(int)
    device = choose_devices(fleet, rowwise)
    b = _batch(base, *_with_devices(fleet, device, rowwise))
    evaluated = costs.evaluate(b, M)
    rows = finance.analyse(evaluated, "cash", b["discount_percent_per_year"])
    devices = evaluated.values("devices")[:, 0] if n else np.zeros(0)
    placement = place(fleet, b, rows, devices, answer, pin, flavour)

    # Programme series: Σ count × row series shifted by go-live, per plan (one sparse product per series).
    # Row series over all M months: what a row spends after its horizon (M − go-live) shifts past the
    # programme's end and is dropped by the shift, so the horizon cut (`Finance._within`) is not needed.
    edge_rows = (placement.final != 0).astype(float)
    on_edge = np.vstack([0 * count, count, count * edge_rows])          # sites each plan runs on the edge
    on_cloud = np.vstack([count, 0 * count, count * (1 - edge_rows)])   # … and in the cloud

    def plan_series(side: str, lump: bool, weights: np.ndarray) -> np.ndarray:
        """Σ weights × the side's row series (lumps or the rest): one (n, M) total and one sparse product."""
        terms = [t for t in evaluated.terms(side, lump=lump) if np.any(t.amount)]
        if not terms:                                  # e.g. no upfront commitment anywhere
            return np.zeros((len(weights), M))
        return _shift_sum(costs.sum_terms(terms, n, M), go_live, weights, M)
    both = np.vstack([on_edge, on_cloud])
    cloud_running, stay_running = np.split(plan_series("cloud", False, both), 2)
    cloud_upfront, stay_upfront = np.split(plan_series("cloud", True, both), 2)
    edge_running, edge_capex = plan_series("edge", False, on_edge), plan_series("edge", True, on_edge)
    stay_cloud = stay_running + stay_upfront
    cloud_monthly = stay_cloud[0]                      # plan 0 keeps every site in the cloud
    plan_opex = stay_cloud + edge_running
    # The plans' figures come from the sites each moves to the edge (the sites left in the cloud cost the same
    # in every plan): their cloud cost, its upfront commitments paid at the start of a month, is what is saved.
    plans = finance.analyse_flows(cloud_running, cloud_upfront, edge_running, edge_capex, base.discount_percent_per_year,
                                  base.discount_timing == "mid_month")
    gap, net_lumps = cloud_running - edge_running, edge_capex - cloud_upfront
    plans = _from_first_flow(plans, gap, net_lumps)
    irr = finance.irr_percent(gap, net_lumps)
    changes, rates = finance.irr_all_percent(gap, net_lumps)
    return Programme(fleet, count, go_live, rows, devices, placement, plans, cloud_monthly, plan_opex, edge_capex,
                     cloud_upfront, irr, device, changes, rates)


def _from_first_flow(plans: finance.Finance, gap: np.ndarray, capex: np.ndarray) -> finance.Finance:
    """Break-even counted from a plan's first month with any flow: before its first go-live on the edge a
    plan saves nothing, and zero cumulative savings there is not a pay-back (a wave plan whose first
    sites stay in the cloud would otherwise 'break even' at month 0)."""
    net = gap - capex
    moving = net != 0
    first = np.where(moving.any(axis=1), np.argmax(moving, axis=1), 0)
    if not first.any():
        return plans
    be = plans.break_even_month.copy()
    for p in np.flatnonzero(first):           # one pass per plan (three), not per site
        start = first[p]
        rest = finance.break_even(net[p:p + 1, start:].copy(), lambda m: gap[p, start + m],
                                  np.array([net.shape[1] - start]))
        be[p] = start + rest[0]
    return dataclasses.replace(plans, break_even_month=be, payback_months=be)


def _shift_sum(values: np.ndarray, shift: np.ndarray, weights: np.ndarray, months: int) -> np.ndarray:
    """Σ_r weights[p, r] × values[r, m − shift[r]] for every plan p: (P, M). Rows are grouped by shift with a
    sparse (P·G × n) matrix, so the (n, M) grid is read once; the G group sums are then shifted."""
    shifts, group = np.unique(shift, return_inverse=True)
    plans, n = weights.shape
    row_of = (np.arange(plans)[:, None] * len(shifts) + group[None, :]).ravel()
    w = sparse.csr_matrix((weights.ravel(), (row_of, np.tile(np.arange(n), plans))), shape=(plans * len(shifts), n))
    grouped = np.asarray(w @ values).reshape(plans, len(shifts), months)
    out = np.zeros((plans, months))
    for g, s in enumerate(shifts):          # one pass per distinct go-live month (rollout waves), not per site
        out[:, s:] += grouped[:, g, : months - s]
    return out


# ── Placement (the advisor's rules for every site at once) ─────────────────────────────────────────
def place(fleet: Fleet, b: costs.Batch, rows: finance.Finance, devices: np.ndarray, answer, pin, flavour) -> Placement:
    """Hard constraints first, then the weighted vote of the soft answers and of money, as `advisor.decide`.

    The edge is costed with each row's device (`choose_devices`: its own scenario fields, the catalog device
    its `device` cell names, or the advisor's catalog search), sized by the cost model.
    """
    n = b.n
    links = {r["id"]: r for r in catalog.load().connectivity}
    works = {r["id"]: r for r in catalog.load().workloads}
    connectivity, workload = answer("connectivity"), answer("workload")
    response = answer("response_ms")
    fps = b["analysed_fps"]
    wait_ms = np.where(fps > 0, 500 / np.where(fps > 0, fps, 1), 0.0)
    cloud_ms = (wait_ms + _lookup(links, connectivity, "access_rtt_ms")
                + 2 * answer("region_distance_km") / advisor.FIBRE_KM_PER_MS * advisor.ROUTE_FACTOR
                + b["image_kb"] * 8 / answer("uplink_mbps") + advisor.CLOUD_QUEUE_MS
                + _lookup(works, workload, "cloud_inference_ms"))
    attainable = wait_ms < response
    reliable = np.array([links[k]["reliable"] == "yes" for k in connectivity]) if n else np.zeros(0, bool)
    metered = np.array([links[k]["metered"] == "yes" for k in connectivity]) if n else np.zeros(0, bool)
    cameras = b["cameras"] / b["sites"]
    sustained = np.where(b["video_upload"], cameras * b["bitrate_mbps"], cameras * fps * b["image_kb"] * 8 / 1000)
    privacy = answer("privacy")
    hard = np.column_stack([
        attainable & (cloud_ms > response),
        attainable & (cloud_ms <= response) & (response < advisor.MACHINE_MS),
        ~reliable,
        privacy == "on_site",
        sustained / advisor.UPLINK_UTILISATION > answer("uplink_mbps"),
    ])
    # Soft votes, weight 1 each: +1 edge, −1 cloud, 0 either (the advisor's `factors` and `uplink_factor`).
    latency_vote = np.where(attainable & ~hard[:, 0] & ~hard[:, 1] & (response >= advisor.HUMAN_MS), -1, 0)
    votes = [np.where(answer("data_origin") == "cloud", -1, 1), latency_vote,
             np.where(metered, 1, np.where(connectivity == "fiber", -1, 0)),
             np.select([privacy == "none", privacy == "anonymisable"], [-1, 0], 1),
             np.select([answer("update_cadence") == "hourly", answer("update_cadence") == "daily"], [-1, 0], 1)]
    soft = np.column_stack(votes + [np.zeros(n)]).astype(float)       # the last column: uplink, 'either' when it fits
    soft_mask = np.column_stack([np.ones(n, bool), ~hard[:, 0] & ~hard[:, 1], reliable, privacy != "on_site",
                                 np.ones(n, bool), ~hard[:, 4]])
    other = soft_mask.sum(axis=1).astype(float)
    power = devices / b["sites"] * b["device_watts"]
    costed = power <= answer("site_power_watts")                      # a device that does not fit: money does not vote
    cloud_total, edge_total = rows.cloud_total, rows.edge_total
    dear, cheap = np.maximum(cloud_total, edge_total), np.minimum(cloud_total, edge_total)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(cheap > 0, np.minimum(dear / np.where(cheap > 0, cheap, 1), advisor.MAX_COST_RATIO),
                         advisor.MAX_COST_RATIO)
    money = np.where(costed & (dear > 0), other * np.log(ratio) / math.log(advisor.MONEY_PARITY_RATIO), 0.0)
    money_verdict = np.where(costed, np.sign(cloud_total - edge_total), 0.0)     # +1: the edge is cheaper
    score = (soft * soft_mask).sum(axis=1) + money * money_verdict
    total = other + money
    edge_votes = (np.where(soft > 0, 1.0, 0.0) * soft_mask).sum(axis=1) + np.where(money_verdict > 0, money, 0)
    cloud_votes = (np.where(soft < 0, 1.0, 0.0) * soft_mask).sum(axis=1) + np.where(money_verdict < 0, money, 0)
    tie = np.isclose(score, 0.0, rtol=0, atol=1e-9 * np.maximum(total, 1.0))
    # Devices that do not fit the site's power put a site on the edge only when a hard constraint leaves no
    # other placement (its reason says they do not fit); the vote alone does not.
    goes_edge = hard.any(axis=1) | (costed & np.where(tie, money_verdict > 0, score > 0))
    edge_kind = np.where(privacy == "on_site", 2, 1)
    advised = np.where(goes_edge, edge_kind, 0)
    pinned = np.isin(pin, PLACEMENTS)
    pin_index = np.select([pin == k for k in PLACEMENTS], range(len(PLACEMENTS)), 0)
    final = np.where(pinned, pin_index, advised)
    return Placement(advised, final, hard, edge_votes, cloud_votes, power, answer("site_power_watts"), b["device_watts"])


def _lookup(table: dict, keys: np.ndarray, column: str, kind=float) -> np.ndarray:
    """Catalog column per row by key: one dictionary look-up per distinct key."""
    distinct, index = np.unique(keys, return_inverse=True)
    return np.array([kind(table[k][column]) for k in distinct])[index] if len(keys) else np.zeros(0)


# ── Results as tables ───────────────────────────────────────────────────────────────────────────────
def _none(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def reasons(p: Programme) -> np.ndarray:
    """The deciding reason of each site's placement, one line each (built column-wise, no loop over sites)."""
    pl = p.placement
    n = p.fleet.inventory.n
    # Hard constraints: one text per distinct combination (at most 2⁵), picked by a bit code per row.
    code = pl.hard.astype(int) @ (1 << np.arange(len(HARD_RULES)))
    codes, inverse = np.unique(code, return_inverse=True)
    hard_text = np.array(["edge mandatory for " + ", ".join(HARD_RULES[i] for i in range(len(HARD_RULES)) if c >> i & 1)
                          for c in codes], dtype=object)[inverse]
    side = np.where(pl.edge_votes > pl.cloud_votes, "edge", "cloud").astype(object)   # the vote's (fit: below)
    side = np.where(pl.edge_votes == pl.cloud_votes, np.where(pl.advised != 0, "edge", "cloud"), side).astype(object)
    high = np.char.mod("%.1f", np.maximum(pl.edge_votes, pl.cloud_votes)).astype(object)
    low = np.char.mod("%.1f", np.minimum(pl.edge_votes, pl.cloud_votes)).astype(object)
    vote_text = np.where(pl.edge_votes != pl.cloud_votes, "answers and money favour the " + side + " " + high + " to "
                         + low, "a tie: the " + side + " stays")
    why = np.where(code > 0, hard_text, vote_text)
    table = p.fleet.inventory.table
    pins = table["pin"].to_numpy(dtype=object) if "pin" in table else np.full(n, "", dtype=object)
    advised = np.array(PLACEMENTS, dtype=object)[pl.advised]
    why = np.where(pins != "", "pinned to " + pins + " (advised " + advised + ": " + why + ")", why)
    short = pl.power_needed_watts > pl.power_available_watts
    per_site = np.round(pl.power_needed_watts / np.where(pl.device_watts > 0, pl.device_watts, 1))
    power = (np.char.mod("%.0f", per_site).astype(object) + np.where(per_site == 1, " device × ", " devices × ")
             + np.char.mod("%g", pl.device_watts).astype(object) + " W = " + np.char.mod("%.0f", pl.power_needed_watts)
             + " W needed, " + np.char.mod("%.0f", pl.power_available_watts) + " W available")
    why = np.where(short & p.edge, why + "; its devices do not fit the site's power (" + power
                   + "): costed as if they did", why)
    why = np.where(short & ~p.edge, why + "; the edge's devices would not fit the site's power (" + power + ")", why)
    return (why + _device_reasons(p.device)).astype(str)


def _device_reasons(d: DeviceChoice) -> np.ndarray:
    """What the catalog search found, for the rows that asked for it: '; cheapest of 4 catalog devices that fit',
    or '; no catalog device fits: power' (the rules that the devices nearest to fitting break)."""
    codes, inverse = np.unique(d.unfit, return_inverse=True)
    unfit = np.array(["; no catalog device fits: " + ", ".join(FIT_RULE_TEXT[i] for i in range(len(FIT_RULE_TEXT))
                                                               if c >> i & 1) for c in codes], dtype=object)[inverse]
    found = np.where(d.fitting == 1, "; the only catalog device that fits",
                     "; cheapest of " + d.fitting.astype(str).astype(object) + " catalog devices that fit")
    return np.where(d.searched, np.where(d.fitting > 0, found, unfit), "")


SITE_COLUMNS = ("name", "count", "go_live_month", "placement", "advised", "device", "reason", "devices", "capex",
                "monthly_saving", "payback_month", "pin_cost_npv")


def site_table(p: Programme) -> pd.DataFrame:
    """Per row: its placement, device, devices, capex, average monthly saving and payback under that placement.

    device is the catalog id the row is costed with (its cell's, or the search's pick), else the base
    scenario's device_id when the row sets none of the device columns, else "row's own";
    devices, capex and monthly saving count every site the row stands for; payback_month is the programme
    month at which the site's cumulative savings reach zero (None if not within the programme);
    pin_cost_npv is the NPV the pin gives up against the advised placement (0 without a pin).
    """
    r, edge, count = p.rows, p.edge, p.count
    live_months = p.months - p.go_live
    monthly_saving = (r.cloud_total - (r.edge_total - r.capex_total)) / live_months * count
    rate = p.fleet.base.discount_percent_per_year
    npv_site = r.npv_savings * count * (1 + rate / 100) ** (-p.go_live / 12)
    advised_edge = p.placement.advised != 0
    return pd.DataFrame({
        "name": p.fleet.inventory.table["site"].to_numpy(),
        "count": count.astype(int),
        "go_live_month": p.go_live,
        "placement": np.array(PLACEMENTS)[p.placement.final],
        "advised": np.array(PLACEMENTS)[p.placement.advised],
        "device": device_used(p),
        "reason": reasons(p),
        "devices": np.where(edge, p.devices * count, 0).astype(int),
        "capex": np.where(edge, r.capex_total * count, 0.0),
        "monthly_saving": np.where(edge, monthly_saving, 0.0),
        "payback_month": np.where(edge, p.go_live + r.payback_months, np.nan),
        "pin_cost_npv": np.where(advised_edge, npv_site, 0.0) - np.where(edge, npv_site, 0.0),
    })


def device_used(p: Programme) -> np.ndarray:
    """The site table's `device` column (see `site_table`)."""
    numbers = p.fleet.inventory.numbers
    own = np.zeros(p.fleet.inventory.n, bool)
    for name in DEVICE_COLUMNS:
        if name in numbers:
            own |= ~np.isnan(numbers[name])
    fallback = np.where(own, OWN_DEVICE, p.fleet.base.device_id).astype(object)
    return np.where(p.device.device_id != "", p.device.device_id, fallback).astype(object)


def plan_summary(p: Programme) -> dict[str, dict]:
    """Per plan: capex (total, by quarter), break-even, NPV, IRR, TCO, savings, sites on the edge, and emissions
    [kg CO₂e] over the programme (each site over its months from go-live) with what they avoid against all cloud."""
    f = p.plans
    out = {}
    quarters = np.arange(0, p.months, 3)
    cloud_kg, edge_kg = p.kgco2e_per_site
    on_edge = {"all_cloud": np.zeros(len(p.count), bool), "all_edge": np.ones(len(p.count), bool), "recommended": p.edge}
    all_cloud_kg = float(p.count @ cloud_kg)
    for i, plan in enumerate(PLANS):
        kg = float(p.count @ np.where(on_edge[plan], edge_kg, cloud_kg))
        out[plan] = {
            "capex_total": float(f.capex_total[i]),
            "capex_by_quarter": [float(x) for x in np.add.reduceat(p.plan_capex[i], quarters)],
            "break_even_month": None if i == 0 else _none(f.break_even_month[i]),
            "npv": float(f.npv_savings[i]),
            **dict(zip(("irr_percent", "irr_note"), irr_figures(int(p.irr_sign_changes[i]), p.irr_rates[i])
                       if p.irr_sign_changes is not None else irr_figures(int(np.isfinite(p.irr[i])), [p.irr[i]]))),
            "tco": float(p.cloud_monthly.sum() - f.savings_total[i]),
            "savings_total": float(f.savings_total[i]),
            "sites_on_edge": int(p.count[on_edge[plan]].sum()),
            "kgco2e_total": kg,
            "kgco2e_avoided": all_cloud_kg - kg,
        }
    return out


def monthly_table(p: Programme) -> pd.DataFrame:
    """The programme's cash flow by month, per plan: cost and cumulative savings against all cloud."""
    cost = p.plan_opex + p.plan_capex
    cum = np.cumsum(p.cloud_monthly[None, :] - cost, axis=1)
    data = {"month": np.arange(1, p.months + 1)}
    for i, plan in enumerate(PLANS):
        data[f"{plan}_capex"] = p.plan_capex[i]
        data[f"{plan}_cost"] = cost[i]
    for i, plan in enumerate(PLANS):
        data[f"{plan}_cumulative_savings"] = cum[i]
    return pd.DataFrame(data)


def result_dict(p: Programme) -> dict:
    sites = site_table(p)
    return {
        "name": p.fleet.name, "currency": p.fleet.base.currency, "months": p.months,
        "rows": p.fleet.inventory.n, "sites_total": int(p.count.sum()),
        "plans": plan_summary(p),
        "sites": [{k: (_none(v) if isinstance(v, float) else v.item() if hasattr(v, "item") else v)
                   for k, v in row.items()} for row in sites.to_dict("records")],
    }


def to_csv(frame: pd.DataFrame) -> str:
    """A result table (per site, monthly) through the spreadsheet-safe writer."""
    return table_csv(frame)


# ── Between a fleet row and a single-site scenario ─────────────────────────────────────────────────
def row_scenario(f: Fleet, r: int) -> Scenario:
    """Row r as a single-site scenario: the base with the row's cells, one site, over its months from go-live."""
    numbers, choices = _values(f)
    changes = {k: v[r] for k, v in numbers.items() if k in _NUMBER_FIELD_NAMES}
    changes |= {k: str(v[r]) for k, v in choices.items() if k not in ANSWER_COLUMNS}
    changes["horizon_months"] = f.months - int(numbers["go_live_month"][r])
    for name, value in list(changes.items()):
        if isinstance(SPECS.get(name), NumberField) and SPECS[name].integer:
            changes[name] = int(value)
    site = str(f.inventory.table["site"].iat[r])
    return validate({**to_dict(f.base), **changes, **_row_device(f, r), "name": site[:120]})


def _row_device(f: Fleet, r: int) -> dict:
    """The scenario fields of the catalog device row r is costed with, or of the sizing from its own load
    (`sized_by_load`); none when it keeps its own device and count."""
    inv = f.inventory
    one = Fleet(f.name, f.base, f.answers, Inventory(inv.table.iloc[[r]].reset_index(drop=True), (),
                                                     {k: v[[r]] for k, v in inv.numbers.items()}), f.months)
    rowwise = _rowwise(one)
    choice = choose_devices(one, rowwise)
    if sized_by_load(one, choice)[0]:
        ips = _load_throughput(one, np.array([0]), _site_inputs(one, rowwise))
        return {"device_throughput_ips": float(ips[0]), "device_sizing": "auto"}
    device_id = choice.device_id[0]
    if not device_id:
        return {}
    fields = _catalog_device(device_id, np.array([0]), _site_inputs(one, rowwise))
    return {k: float(v[0]) for k, v in fields.items()} | {"device_id": device_id, "device_sizing": "auto"}


def scenario_row(f: Fleet, scenario: Scenario) -> dict[str, str]:
    """The cells of a new row standing for `scenario`: `count` = its sites, the per-site cameras, and every
    scenario field that differs from the fleet's base (those columns are added to the table if missing)."""
    row = {"site": scenario.name[:MAX_SITE_NAME], "count": str(int(scenario.sites)),
           "cameras": str(round(scenario.cameras / scenario.sites))}
    for name in SCENARIO_COLUMNS:
        if name in ("sites", "cameras", "horizon_months"):
            continue
        value = getattr(scenario, name)
        if value != getattr(f.base, name):
            row[name] = _cell_text(float(value)) if isinstance(value, (int, float)) else str(value)
    return row


def with_row(f: Fleet, row: dict[str, str]) -> Fleet:
    """The fleet with one more row; a fleet of MAX_ROWS rows takes none (ScenarioError)."""
    if f.inventory.n >= MAX_ROWS:
        raise ScenarioError(f"the fleet has {f.inventory.n:,} rows, the most it takes: remove a row to add another")
    table = f.inventory.table
    for name in row:
        if name not in table.columns:
            table = table.assign(**{name: ""})
    table = pd.concat([table, pd.DataFrame([{c: row.get(c, "") for c in table.columns}], dtype=str)], ignore_index=True)
    return Fleet(f.name, f.base, f.answers, parse_inventory(table, f.months), f.months)


# ── What changed between two fleets (a saved plan's revisions) ─────────────────────────────────────
CHANGE_COLUMNS = ("What", "Change", "Detail")


def fleet_changes(old: Fleet, new: Fleet) -> pd.DataFrame:
    """What differs between two fleets, one line each: the programme's name, months, base scenario and base
    answers, then the site rows added, removed or changed (rows matched by site name; a second row of the same
    name is "name (2)"). A blank cell reads "(base)": it takes the base's value."""
    lines = []
    if old.name != new.name:
        lines.append(("Fleet name", "changed", f"{old.name} → {new.name}"))
    if old.months != new.months:
        lines.append(("Programme months", "changed", f"{old.months} → {new.months}"))
    for what, before, after in (("Base scenario", to_dict(old.base), to_dict(new.base)),
                                ("Base answers", _answers_dict(old.answers), _answers_dict(new.answers))):
        if before != after:
            lines.append((what, "changed", _cells_change(before, after, sorted(set(before) | set(after)))))
    before, after = _rows_by_site(old.inventory.table), _rows_by_site(new.inventory.table)
    for site, cells in after.items():
        if site not in before:
            lines.append((site, "added", ", ".join(f"{k} {v}" for k, v in cells.items() if v and k != "site")))
        elif cells != before[site]:
            lines.append((site, "changed", _cells_change(before[site], cells, list(dict.fromkeys([*before[site], *cells])))))
    lines += [(site, "removed", "") for site in before if site not in after]
    return pd.DataFrame(lines, columns=CHANGE_COLUMNS)


def _rows_by_site(table: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Site rows by name (the n-th row of a repeated name is "name (n)"), blank cells left out."""
    rows, seen = {}, {}
    for row in table.to_dict("records"):
        name = row["site"]
        seen[name] = seen.get(name, 0) + 1
        rows[name if seen[name] == 1 else f"{name} ({seen[name]})"] = {k: v for k, v in row.items() if v != ""}
    return rows


def _cells_change(before: dict, after: dict, keys) -> str:
    def text(cells, key):
        value = cells.get(key, "")
        return "(base)" if value in ("", None) else _cell_text(value)
    return "; ".join(f"{k} {text(before, k)} → {text(after, k)}" for k in keys if before.get(k) != after.get(k))
