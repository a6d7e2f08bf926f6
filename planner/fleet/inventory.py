"""A fleet's site inventory: the table of sites (validated cell by cell, bounded before pandas reads it), the
fleet (inventory, base scenario and where it came from, advisor answers, programme months), fleet files and the
bundled fleets.

A row of the inventory is a site (or `count` identical sites) described by scenario fields and advisor
answers; a blank cell or a missing column takes the base scenario's value (or the base answers'). See
docs/FORMULAS.md, "Fleet".
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from planner.advice import advisor
from planner.catalogs import catalog
from planner.schema.safe_csv import table_csv
from planner.schema.scenario import (
    FIELDS,
    SCHEMA_VERSION,
    UNSAFE_TEXT,
    ChoiceField,
    NumberField,
    Scenario,
    ScenarioError,
    entry_point,
    load_json,
    to_dict,
    unsafe_character,
    validate,
)

if TYPE_CHECKING:  # imported where used: the commands that need no tables skip loading it
    import pandas as pd


PLACEMENTS = ("cloud", "split_brain_edge", "edge_only")
PLANS = ("all_cloud", "all_edge", "recommended")
PLAN_TEXT = {"all_cloud": "All cloud", "all_edge": "All edge", "recommended": "Recommended mix"}
FLEET_COLUMNS = ("site", "count", "go_live_month", "pin", "device", "cloud_account")
TEXT_COLUMNS = ("site", "cloud_account")  # free text: printable, at most MAX_SITE_NAME characters
DEVICE_SEARCH = "catalog"  # the `device` cell asking for the advisor's search of the catalog
SCENARIO_COLUMNS = tuple(f.name for f in FIELDS if isinstance(f, (NumberField, ChoiceField)))
ANSWER_COLUMNS = tuple(q.name for q in advisor.QUESTIONS)
COLUMNS = FLEET_COLUMNS + SCENARIO_COLUMNS + ANSWER_COLUMNS
SPECS = {f.name: f for f in FIELDS if isinstance(f, (NumberField, ChoiceField))} | advisor.QUESTION_BY_NAME
NUMBER_FIELD_NAMES = frozenset(f.name for f in FIELDS if isinstance(f, NumberField))
MAX_ROWS = 200_000
MAX_COUNT = 100_000
MAX_SITE_NAME = 120
MAX_ERRORS_SHOWN = 20
MAX_INVENTORY_BYTES = 50_000_000
MAX_COLUMNS = 200  # the 83 fleet columns and room for a few of the user's own
MAX_HEADER_CHARS = 20_000  # the header line: MAX_COLUMNS names of up to 100 characters
MAX_FLEET_NAME = 120
# Where a fleet's base scenario came from (`Fleet.base_source`, the fleet file's `base_source`): a bundled preset,
# a scenario of the user's (the app's current scenario, a scenario file), or a revision of a saved scenario plan.
BASE_SOURCE_FORMS = "preset:KEY, scenario or plan:ID@REVISION"
# The cloud side each site is costed with (docs/FORMULAS.md, "Fleet"): the design the inventory states, or the
# cheapest design the site's link carries (`designs.cheapest_per_row`), in the plans and the money vote alike.
CLOUD_SIDES = {"own": "as the inventory states it", "cheapest": "the cheapest design each site's link carries"}
PLAN_BASE = re.compile(r"plan:([0-9a-f]{32})@([1-9][0-9]{0,8})")


# ── Inventory ───────────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Inventory:
    """The site table as text cells ('' = the base value), in the columns' given order, and what was refused.

    A refused cell is blanked (the rest of its row and of the table is kept) and named in `errors` as
    `row N, column X: reason`, N counting data rows from 1.
    """

    table: pd.DataFrame
    errors: tuple[str, ...] = ()
    numbers: dict = field(default_factory=dict, compare=False, repr=False)  # parsed numeric columns, NaN = blank
    given_cells: dict = field(default_factory=dict, compare=False, repr=False)  # column → cells given (not blank)

    def __eq__(self, other) -> bool:  # the same cells in the same columns (a DataFrame has no plain ==)
        return isinstance(other, Inventory) and self.errors == other.errors and self.table.equals(other.table)

    __hash__ = None

    @property
    def n(self) -> int:
        return len(self.table)

    def given(self, name: str) -> np.ndarray:
        """(n,) bool: the rows whose cell of column `name` is given (a refused cell counts as blank, a missing
        column as blank everywhere): a blank takes the base's value, a given cell is the row's own."""
        if name in self.given_cells:
            return self.given_cells[name]
        if name in self.table:
            return self.table[name].to_numpy(dtype=object) != ""
        return np.zeros(self.n, bool)

    def to_csv(self) -> str:
        """The table through the spreadsheet-safe writer: a number cell as a number (a negative one stays a
        number), a text cell a spreadsheet would run as a formula neutralised."""
        table = self.table
        numeric = [c for c in table.columns if c in ("count", "go_live_month") or isinstance(SPECS.get(c), NumberField)]
        return table_csv(table.assign(**{c: _numbers_where_valid(table[c].to_numpy(dtype=object)) for c in numeric}))


def _numbers_where_valid(cells: np.ndarray) -> np.ndarray:
    """Text cells of a numeric column: each that reads as a finite number as that number, the rest as they are."""
    import pandas as pd

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
    for name in names[: MAX_COLUMNS + 1]:
        key = str(name).strip()
        if key in seen:
            raise ScenarioError(f"column {_short(key, 40)} is given more than once: give each column once")
        seen.add(key)
    if len(names) > MAX_COLUMNS:
        count = f"more than {MAX_COLUMNS}" if cut else f"{len(names):,}"
        raise ScenarioError(
            f"the inventory has {count} columns; at most {MAX_COLUMNS} (the fleet columns are "
            f"{', '.join(FLEET_COLUMNS)}, scenario field names and advisor question keys)"
        )


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
    check_columns(names[:-1] if cut else names, cut)  # the last name of a cut line may be cut itself
    if cut:
        raise ScenarioError(
            f"the inventory's header line is longer than {MAX_HEADER_CHARS:,} characters: it names "
            f"at most {MAX_COLUMNS} columns"
        )


def _text_frame(data) -> pd.DataFrame:
    """Any table (DataFrame, CSV text or bytes) as a DataFrame of stripped strings, blanks as ''."""
    import pandas as pd

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
    return (
        pd.DataFrame({i: _column_text(frame.iloc[:, i]) for i in range(frame.shape[1])}, dtype=object).set_axis(
            frame.columns, axis=1
        )
        if len(frame.columns)
        else frame
    )


def _column_text(s: pd.Series) -> np.ndarray:
    """One column as stripped text (an object array of str), column-wise: blanks (None, NaN) as '', whole floats
    without '.0'."""
    import pandas as pd

    if pd.api.types.is_float_dtype(s):
        values = s.to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        if np.array_equal(finite, np.round(finite)) and (finite.size == 0 or np.abs(finite).max() < 1e15):
            s = s.astype("Int64")
    values = s.to_numpy(dtype=object)
    text = np.char.strip(values.astype(str)).astype(object) if len(values) else values
    text[pd.isna(values)] = ""
    return text


def cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_inventory(data, months: int) -> Inventory:
    """Validate a site table against the columns and bounds; `months` bounds the go-live month."""
    import pandas as pd

    frame = _text_frame(data)
    errors: list[str] = []
    unknown = [c for c in frame.columns if c not in COLUMNS]
    for name in unknown:
        hint = (
            " (a text field: set it on the base scenario)"
            if any(f.name == name for f in FIELDS)
            else f"; columns are {', '.join(FLEET_COLUMNS)}, scenario field names and advisor question keys"
        )
        errors.append(f"column {name[:40]!r}: not a fleet column{hint}")
    kept = [c for c in frame.columns if c in COLUMNS]  # the user's order: the CSV round-trips
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
            cells += [
                (r, position, f"row {r + 1}, column {name}: {reasons[i]}") for i, r in enumerate(np.flatnonzero(bad))
            ]
            text[bad] = ""
    errors += [message for _, _, message in sorted(cells)]  # row by row, left to right
    given = {name: text != "" for name, text in columns.items()}  # before blank site names are filled in
    # Blank site names become "site N" so every row can be named in the per-site table.
    site = columns["site"]
    blank = np.flatnonzero(site == "")
    site[blank] = [f"site {r + 1}" for r in blank]
    if len(site) == 0:
        errors.append("the inventory has no rows: add one row per site")
    return Inventory(pd.DataFrame(columns, dtype=object), tuple(errors), numbers, given)


def _check_column(name: str, cells: np.ndarray, months: int) -> tuple[np.ndarray, list[str], np.ndarray | None]:
    """(bad mask, reason for each bad cell in row order, the numbers or None) for one column of text cells (an
    object array of str)."""
    blank = cells == ""
    if name in TEXT_COLUMNS:
        too_long = np.char.str_len(cells.astype(str)) > MAX_SITE_NAME if len(cells) else blank
        unsafe = (
            np.array([UNSAFE_TEXT.search(t) is not None for t in cells], dtype=bool)
            if UNSAFE_TEXT.search(" ".join(cells))
            else np.zeros(len(cells), bool)
        )  # cell by cell if any
        bad = too_long | unsafe
        what = "a site name" if name == "site" else "a cloud account"
        return bad, [f"{what} is printable text of at most {MAX_SITE_NAME} characters"] * int(bad.sum()), None
    if name == "device":
        bad = ~blank & ~np.isin(cells, [DEVICE_SEARCH, *(d["id"] for d in catalog.load().hardware)])
        return bad, [f'{_short(v)} is not a catalog device id or "{DEVICE_SEARCH}"' for v in cells[bad]], None
    if name == "pin":
        bad = ~blank & ~np.isin(cells, PLACEMENTS)
        return (
            bad,
            [
                f"{_short(v)} is not a placement: leave it blank or use cloud, split_brain_edge or edge_only"
                for v in cells[bad]
            ],
            None,
        )
    if name in ("count", "go_live_month"):
        low, high, what = (
            (1, MAX_COUNT, "sites") if name == "count" else (0, months - 1, "(month 0 starts the programme)")
        )
        return _check_numbers(cells, blank, low, high, True, what)
    spec = SPECS[name]
    if isinstance(spec, ChoiceField):
        bad = ~blank & ~np.isin(cells, list(spec.options))
        return bad, [f"{_short(v)} is not one of {', '.join(spec.options)}" for v in cells[bad]], None
    return _check_numbers(cells, blank, spec.min, spec.max, spec.integer, spec.unit_for())


def _check_numbers(cells, blank, low, high, integer, unit) -> tuple[np.ndarray, list[str], np.ndarray]:
    import pandas as pd

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
    """A programme: the base scenario and answers every blank cell falls back to, the inventory, the months, and
    where the base came from (`base_source`: preset:KEY, scenario or plan:ID@REVISION, see `check_base_source`)."""

    name: str
    base: Scenario
    answers: object  # advisor.Answers
    inventory: Inventory
    months: int
    base_source: str = "scenario"
    cloud: str = "own"  # a key of CLOUD_SIDES

    @property
    def base_text(self) -> str:
        """The base in words: '“Retail store …”, the bundled preset retail'."""
        kind, _, ref = self.base_source.partition(":")
        plan_id, _, revision = ref.partition("@")
        how = (
            f"the bundled preset {ref}"
            if kind == "preset"
            else f"revision {revision} of the saved plan {plan_id}"
            if kind == "plan"
            else "a scenario of its own"
        )
        return f"“{self.base.name}”, {how}"


def check_base_source(text) -> str:
    """A base source as a fleet file states it, checked: `preset:KEY` (a bundled preset), `scenario` (a scenario of
    the user's: the app's current scenario, a scenario file) or `plan:ID@REVISION` (a saved scenario plan)."""
    if not isinstance(text, str) or len(text) > 60:
        raise ScenarioError(f"base_source = {str(text)[:40]!r} is not one of {BASE_SOURCE_FORMS}")
    if text.startswith("preset:"):
        if text[7:] not in catalog.presets():
            raise ScenarioError(
                f"base_source = {text!r}: no such preset; the presets are {', '.join(catalog.presets())}"
            )
    elif text != "scenario" and not PLAN_BASE.fullmatch(text):
        raise ScenarioError(
            f"base_source = {text!r} is not one of {BASE_SOURCE_FORMS} (a plan id is 32 hex digits, a revision "
            "a whole number from 1)"
        )
    return text


def check_cloud(text) -> str:
    """A fleet's cloud side (CLOUD_SIDES), checked."""
    if text not in CLOUD_SIDES:
        raise ScenarioError(f"cloud = {str(text)[:40]!r} is not one of {', '.join(CLOUD_SIDES)}")
    return text


def with_base(f: Fleet, base: Scenario, base_source: str) -> Fleet:
    """The fleet on another base: its table, answers, months and name kept; every blank cell now takes the new
    base's value."""
    return dataclasses.replace(f, base=base, base_source=check_base_source(base_source))


def make_fleet(
    inventory_data,
    base: Scenario,
    answers=None,
    months: int | None = None,
    name: str = "Fleet",
    base_source: str = "scenario",
    cloud: str = "own",
) -> Fleet:
    months = base.horizon_months if months is None else int(months)
    if not 1 <= months <= 240:
        raise ScenarioError(f"months = {months} is outside 1 to 240")
    problem = unsafe_character(name) or (
        f"it is longer than {MAX_FLEET_NAME} characters" if len(name) > MAX_FLEET_NAME else None
    )
    if problem:
        raise ScenarioError(f"the fleet's name: {problem}")
    answers = advisor.answers(**(answers.model_dump() if answers is not None else {}))  # defaults validated too
    inventory = parse_inventory(inventory_data, months)
    return Fleet(name, base, answers, inventory, months, check_base_source(base_source), check_cloud(cloud))


FLEET_PARTS = (
    "schema_version",
    "kind",
    "name",
    "description",
    "base",
    "base_source",
    "months",
    "cloud",
    "answers",
    "columns",
    "sites",
)


def fleet_document(fleet: Fleet) -> dict:
    """The whole fleet as one JSON object that `from_fleet_document` restores (a fleet file, a fleet plan)."""
    rows = [{k: v for k, v in row.items() if v != ""} for row in fleet.inventory.table.to_dict("records")]
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "fleet",
        "name": fleet.name,
        "months": fleet.months,
        "base": to_dict(fleet.base),
        "base_source": fleet.base_source,
        "cloud": fleet.cloud,
        "answers": answers_dict(fleet.answers),
        "columns": list(fleet.inventory.table.columns),
        "sites": rows,
    }


def fleet_json(fleet: Fleet) -> str:
    """The fleet file: `fleet_document` as stable, indented JSON."""
    return json.dumps(fleet_document(fleet), indent=2, ensure_ascii=False) + "\n"


def answers_dict(answers) -> dict:
    """Numeric answers as floats whatever pydantic kept (a default of 100 and a parsed 100.0 print alike)."""
    return {
        k: float(v) if isinstance(advisor.QUESTION_BY_NAME[k], NumberField) else v
        for k, v in answers.model_dump().items()
    }


@entry_point
def from_fleet_document(doc, default_base: Scenario | None = None, default_source: str = "scenario") -> Fleet:
    """A fleet from its JSON object (a preset in data/fleets/, an export, a plan's part). `base` may be a preset
    key or a scenario; `base_source` says where a scenario base came from (a file without it: `preset:KEY` for a
    preset key, `scenario` for a scenario). A file with no `base` takes `default_base` (from `default_source`). A
    refused cell stays in `inventory.errors`, anything else wrong raises ScenarioError."""
    import pandas as pd

    if not isinstance(doc, dict) or not isinstance(doc.get("sites"), list):
        raise ScenarioError("a fleet file is a JSON object with a 'sites' list (one object per site row)")
    unknown = sorted(set(doc) - set(FLEET_PARTS))
    if unknown:
        raise ScenarioError(
            f"{unknown[0][:40]!r}: unknown part of a fleet file (its parts are {', '.join(FLEET_PARTS)})"
        )
    if doc.get("kind", "fleet") != "fleet":
        raise ScenarioError(f"kind = {str(doc.get('kind'))[:40]!r}: a fleet file's kind is 'fleet'")
    version = doc.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= SCHEMA_VERSION:
        raise ScenarioError(
            f"schema_version = {str(version)[:40]} is not supported: this planner reads version {SCHEMA_VERSION}"
        )
    base, source = doc.get("base"), doc.get("base_source")
    if source is not None:
        check_base_source(source)
    if isinstance(base, str):
        if source not in (None, f"preset:{base}"):
            raise ScenarioError(
                f"base_source = {source!r} does not name the preset base {base[:40]!r}: give 'base' as the "
                "scenario object, or base_source = preset:" + base[:40]
            )
        base, source = catalog.preset(base), f"preset:{base}"
    elif isinstance(base, dict):
        base = validate(base)
    elif base is None and default_base is not None:
        base, source = default_base, source or default_source
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
    frame = pd.DataFrame([{c: cell_text(r.get(c, "")) for c in columns} for r in rows], columns=columns, dtype=str)
    cloud = check_cloud(doc.get("cloud", "own"))
    return make_fleet(frame, base, advisor.answers(**answers), months, name, source or "scenario", cloud)


def parse_fleet_json(
    text: str | bytes, default_base: Scenario | None = None, default_source: str = "scenario"
) -> Fleet:
    """A fleet file (JSON text): duplicate keys, NaN and deep nesting refused as in a scenario file."""
    return from_fleet_document(
        load_json(text.decode("utf-8-sig") if isinstance(text, bytes) else text, "fleet file"),
        default_base,
        default_source,
    )


# ── Presets (data/fleets/*.json) ───────────────────────────────────────────────────────────────────
def presets() -> dict[str, str]:
    """Bundled fleet presets: key → name."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))["name"] for path in sorted(_fleets_dir().glob("*.json"))
    }


def preset(key: str) -> Fleet:
    path = _fleets_dir() / f"{key}.json"
    if not key.replace("_", "").isalnum() or not path.is_file():
        raise ScenarioError(f"unknown fleet preset {key[:40]!r}; the fleet presets are {', '.join(presets())}")
    return parse_fleet_json(path.read_text(encoding="utf-8"))


def _fleets_dir():
    return catalog.DATA_DIR / "fleets"


def scenario_row(f: Fleet, scenario: Scenario) -> dict[str, str]:
    """The cells of a new row standing for `scenario`: `count` = its sites, the per-site cameras, and every
    scenario field that differs from the fleet's base (those columns are added to the table if missing)."""
    row = {
        "site": scenario.name[:MAX_SITE_NAME],
        "count": str(int(scenario.sites)),
        "cameras": str(round(scenario.cameras / scenario.sites)),
    }
    for name in SCENARIO_COLUMNS:
        if name in ("sites", "cameras", "horizon_months"):
            continue
        value = getattr(scenario, name)
        if value != getattr(f.base, name):
            row[name] = cell_text(float(value)) if isinstance(value, (int, float)) else str(value)
    return row


def with_row(f: Fleet, row: dict[str, str]) -> Fleet:
    """The fleet with one more row; a fleet of MAX_ROWS rows takes none (ScenarioError)."""
    import pandas as pd

    if f.inventory.n >= MAX_ROWS:
        raise ScenarioError(f"the fleet has {f.inventory.n:,} rows, the most it takes: remove a row to add another")
    table = f.inventory.table
    for name in row:
        if name not in table.columns:
            table = table.assign(**{name: ""})
    table = pd.concat([table, pd.DataFrame([{c: row.get(c, "") for c in table.columns}], dtype=str)], ignore_index=True)
    return dataclasses.replace(f, inventory=parse_inventory(table, f.months))
