"""The working state a plan saves: the scenario and what a share link of the scenario alone leaves out — the
preset it started from, the cash/accounting view, the advisor's answers, the comparison set and the
Sensitivity page's settings.

One JSON document, written and read here only; the plans database stores it as it is (`planner.plans.store`).

    {"workspace_version": 1, "kind": "scenario",
     "scenario": {...the scenario file, with its schema_version...},
     "preset": "retail", "view": "cash", "advisor": {...answers...} | null, "comparison": [{...}, ...],
     "sensitivity": {"tornado.percent": 20, "map.x": "cameras", "mc.seed": 7, ...}}

    {"workspace_version": 1, "kind": "fleet", "fleet": {...the fleet file, base scenario and sites...}}

`kind` says what the document plans, so a reader tells the two apart before it looks further: the
scenario and the work around it, or a fleet (the Fleet page's inventory, its base scenario, answers
and months: the file the page exports and `python -m planner fleet --sites` reads). Every part is
validated by the codec that owns it (`scenario.validate`, `advisor.answers`, `fleet.from_fleet_document`),
so a bad document fails with the same readable messages as a bad scenario or fleet file. The text is
read by `scenario.load_json` (duplicate keys, NaN and deep nesting refused) and the link token is
`scenario.pack_token`'s.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from planner.advice import advisor
from planner.fleet import inventory as fleet_inventory
from planner.schema.scenario import (
    PRICE_BOOK_KEY,
    VIEWS,
    NumberField,
    Scenario,
    ScenarioError,
    checked_price_book,
    entry_point,
    load_json,
    pack_token,
    to_dict,
    unpack_token,
    validate,
)

WORKSPACE_VERSION = 1
KINDS = ("scenario", "fleet")
MAX_COMPARED = 8
_UPGRADES: dict[int, Any] = {}  # workspace_version n → function(dict) -> dict of version n + 1
# The Sensitivity page's settings a plan keeps, with their JSON type. The page's own option lists decide
# which values it takes back (planner.ui.plans); the ranges and distributions follow the scenario.
SENSITIVITY_SETTINGS = {
    "tornado.percent": int,
    "tornado.metric": str,
    "map.x": str,
    "map.y": str,
    "map.metric": str,
    "map.points": int,
    "mc.inputs": list,
    "mc.draws": int,
    "mc.seed": int,
}


@dataclass(frozen=True)
class Workspace:
    scenario: Scenario
    preset: str | None = None  # the preset the scenario started from (for deltas)
    view: str = "cash"
    advisor: dict | None = None  # the submitted questionnaire answers
    comparison: tuple[Scenario, ...] = field(default=())
    sensitivity: dict = field(default_factory=dict)  # SENSITIVITY_SETTINGS that were set
    kind: str = "scenario"
    fleet: fleet_inventory.Fleet | None = None  # a fleet plan's fleet (its base is `scenario`)

    def with_scenario(self, scenario: Scenario) -> "Workspace":
        return replace(self, scenario=scenario)

    @property
    def name(self) -> str:
        return self.fleet.name if self.fleet else self.scenario.name


def of_fleet(f: fleet_inventory.Fleet) -> Workspace:
    """A fleet plan's workspace: the fleet alone (its base scenario as `scenario`)."""
    return Workspace(f.base, kind="fleet", fleet=f)


def to_document(w: Workspace) -> dict:
    if w.kind == "fleet":
        return {
            "workspace_version": WORKSPACE_VERSION,
            "kind": "fleet",
            "fleet": fleet_inventory.fleet_document(w.fleet),
        }
    return {
        "workspace_version": WORKSPACE_VERSION,
        "kind": w.kind,
        "scenario": to_dict(w.scenario),
        "preset": w.preset,
        "view": w.view,
        "advisor": _answers(w.advisor),
        "comparison": [to_dict(s) for s in w.comparison],
        "sensitivity": w.sensitivity,
    }


def to_json(w: Workspace, price_book: list[dict] = ()) -> str:
    """Stable JSON (same workspace, same bytes). `price_book`: for a download, the price-book rows the scenario's
    figures came from (`Catalog.price_book_rows`), under PRICE_BOOK_KEY; a reader checks them and keeps nothing."""
    document = to_document(w) | ({PRICE_BOOK_KEY: list(price_book)} if price_book and w.kind == "scenario" else {})
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


@entry_point
def exported_price_book(text: str | bytes) -> list[dict]:
    """The price-book rows of the exporting organisation a downloaded plan file carries ([] when none)."""
    data = _loads(text, "the plan")
    return checked_price_book(data.get(PRICE_BOOK_KEY, [])) if isinstance(data, dict) else []


def _part(name: str, check, value):
    """`check(value)`, with the part's name in front of any problem."""
    try:
        return check(value)
    except ScenarioError as exc:
        raise ScenarioError(f"{name}: {exc}") from None


def _view(value) -> str:
    if value not in VIEWS:
        raise ScenarioError(f"{value!r:.40} is not a view: choose one of {', '.join(VIEWS)}")
    return value


def _preset(value) -> str | None:
    if value is not None and not (isinstance(value, str) and len(value) <= 40 and value.isidentifier()):
        raise ScenarioError(f"{value!r:.40} is not a preset key")
    return value


def _answers(value) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ScenarioError("the answers must be a JSON object")
    answers = advisor.answers(**value).model_dump()
    return {name: float(v) if _is_real(advisor.QUESTION_BY_NAME[name]) else v for name, v in answers.items()}


def _is_real(spec) -> bool:
    """A question answered with a real number (its defaults are written as ints, its answers as floats)."""
    return isinstance(spec, NumberField) and not spec.integer


def _comparison(value) -> tuple[Scenario, ...]:
    if not isinstance(value, list) or len(value) > MAX_COMPARED:
        raise ScenarioError(f"must be a list of at most {MAX_COMPARED} scenarios")
    return tuple(_part(f"#{i}", validate, item) for i, item in enumerate(value, start=1))


def _name(value) -> bool:
    return isinstance(value, str) and len(value) <= 60 and value.isidentifier()


def _sensitivity(value) -> dict:
    if not isinstance(value, dict):
        raise ScenarioError("the settings must be a JSON object")
    for key, setting in value.items():
        kind = SENSITIVITY_SETTINGS.get(key)
        if kind is None:
            raise ScenarioError(f"{key!r:.40}: unknown setting")
        if not (
            kind is int
            and isinstance(setting, int)
            and not isinstance(setting, bool)
            and 0 <= setting < 2**31
            or kind is str
            and _name(setting)
            or kind is list
            and isinstance(setting, list)
            and len(setting) <= 20
            and all(map(_name, setting))
        ):
            raise ScenarioError(f"{key} = {setting!r:.40} is not valid")
        if kind is list and len(set(setting)) < len(setting):
            repeated = next(name for i, name in enumerate(setting) if name in setting[:i])
            raise ScenarioError(f"{key} names {repeated!r} more than once: give each input once")
    return dict(value)


_LINK_NUMBER = re.compile(r"[0-9]{1,9}")


def link_number(text) -> int | None:
    """A whole number from a link or query parameter: 1 to 9 ASCII digits, else None (Python's isdigit() is true
    for "²", which int() refuses, and int("٣") is 3: neither is a number a link of this app writes)."""
    return int(text) if isinstance(text, str) and _LINK_NUMBER.fullmatch(text) else None


PARTS = {
    "scenario": (
        "workspace_version",
        "kind",
        "scenario",
        "preset",
        "view",
        "advisor",
        "comparison",
        "sensitivity",
        PRICE_BOOK_KEY,  # a download's record of the price-book rows its figures came from: read, never kept
    ),
    "fleet": ("workspace_version", "kind", "fleet"),
}


def _fleet(value) -> fleet_inventory.Fleet:
    """A fleet part is a whole fleet file: every cell valid (a file that names bad cells is refused)."""
    if value is None:
        raise ScenarioError("missing")
    f = fleet_inventory.from_fleet_document(value)
    if f.inventory.errors:
        more = len(f.inventory.errors) - 1
        raise ScenarioError(f.inventory.errors[0] + (f" (and {more:,} more)" if more else ""))
    return f


@entry_point
def from_document(data: Any) -> Workspace:
    """Validate a workspace document (an older version is upgraded first); ScenarioError says what is wrong."""
    if not isinstance(data, dict):
        raise ScenarioError(f"a plan must be a JSON object, got {type(data).__name__}")
    version = data.get("workspace_version")
    if version is None and "schema_version" in data:
        raise ScenarioError("it is a scenario file, not a plan file")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= WORKSPACE_VERSION:
        raise ScenarioError(
            f"workspace_version = {version!r:.40} is not supported: this planner reads "
            f"versions 1 to {WORKSPACE_VERSION}"
        )
    while version < WORKSPACE_VERSION:
        data, version = _UPGRADES[version](data), version + 1
    kind = data.get("kind", "scenario")
    if kind not in KINDS:
        raise ScenarioError(f"kind = {kind!r:.40} is not supported: this planner reads {', '.join(KINDS)} plans")
    unknown = set(data) - set(PARTS[kind])
    if unknown:
        raise ScenarioError(f"{sorted(unknown)[0]!r:.40}: unknown part of a {kind} plan")
    if kind == "fleet":
        return of_fleet(_part("fleet", _fleet, data.get("fleet")))
    checked_price_book(data.get(PRICE_BOOK_KEY, []))
    return Workspace(
        scenario=_part("scenario", validate, data.get("scenario")),
        preset=_part("preset", _preset, data.get("preset")),
        view=_part("view", _view, data.get("view", "cash")),
        advisor=_part("advisor", _answers, data.get("advisor")),
        comparison=_part("comparison", _comparison, data.get("comparison", [])),
        sensitivity=_part("sensitivity", _sensitivity, data.get("sensitivity", {})),
        kind=kind,
    )


def parse_json(text: str | bytes) -> Workspace:
    """Parse and validate a workspace document; every failure is a ScenarioError."""
    return from_document(_loads(text, "the plan"))


def _loads(text: str | bytes, what: str):
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ScenarioError(f"{what} is not UTF-8 text (byte {exc.start})") from None
    try:
        return load_json(text, what)
    except ScenarioError as exc:
        message = str(exc)
        if not message.startswith(what):
            message = f"{what} is {message}" if message.startswith("not valid JSON") else f"{what}: {message}"
        raise ScenarioError(message) from None


# ── The share link's part: the work beyond the scenario ───────────────────────────────────────────
# The scenario and its preset keep their own link parameters (`scenario.to_share_token`); this token
# carries the rest of the workspace (view, advisor answers, comparison set, Sensitivity settings), only
# what differs from a fresh session, each scenario of the
# comparison as its differences from the defaults: compact JSON, deflated, base64url.
def to_share_token(w: Workspace) -> str | None:
    """The rest of the work as a link token; None when it is a fresh session's."""
    extras: dict[str, Any] = {}
    if w.view != "cash":
        extras["view"] = w.view
    if w.advisor is not None:
        defaults = {q.name: q.default for q in advisor.QUESTIONS}
        extras["advisor"] = {k: v for k, v in _answers(w.advisor).items() if v != defaults[k]}
    if w.comparison:
        default = to_dict(Scenario())
        extras["comparison"] = [{k: v for k, v in to_dict(s).items() if v != default[k]} for s in w.comparison]
    if w.sensitivity:
        extras["sensitivity"] = w.sensitivity
    if not extras:
        return None
    return pack_token({"workspace_version": WORKSPACE_VERSION, **extras})


def with_share_token(w: Workspace, token: str) -> Workspace:
    """`w`'s scenario and preset with the view, answers and comparison a link token carries (what it leaves
    out is a fresh session's); a bad token raises ScenarioError."""
    if not isinstance(token, str):
        raise ScenarioError("the link's work part is not text")
    data = _loads(unpack_token(token, "the link's work part"), "the link's work part")
    if not isinstance(data, dict):
        raise ScenarioError("the link's work part is not a JSON object")
    if data.get("kind", "scenario") != "scenario":
        raise ScenarioError(
            f"kind = {data.get('kind')!r:.40} is not supported in a link: a fleet is shared as a "
            "saved plan or a fleet file"
        )
    default = to_dict(Scenario())
    comparison = data.get("comparison", [])
    if isinstance(comparison, list):
        comparison = [{**default, **item} if isinstance(item, dict) else item for item in comparison]
    fresh = to_document(Workspace(w.scenario, w.preset))
    return from_document({**fresh, **data, "comparison": comparison, "scenario": fresh["scenario"], "preset": w.preset})
