"""The workspace document a plan saves: one codec, every part validated by the codec that owns it."""

import base64
import json
import zlib

import pytest

from planner.advice import advisor
from planner.catalogs import catalog
from planner.plans.workspace import (
    MAX_COMPARED,
    Workspace,
    from_document,
    parse_json,
    to_document,
    to_json,
    to_share_token,
    with_share_token,
)
from planner.schema.scenario import ScenarioError, replace, to_dict

pytestmark = pytest.mark.unit

RETAIL = catalog.preset("retail")
FULL = Workspace(
    replace(RETAIL, cameras=80),
    preset="retail",
    view="accounting",
    advisor=advisor.answers(response_ms=50.0).model_dump(),
    comparison=(RETAIL, catalog.preset("vessel")),
    sensitivity={"tornado.percent": 40, "map.x": "cameras", "mc.inputs": ["cameras", "pue"]},
)


def test_round_trip_is_exact_and_stable():
    assert parse_json(to_json(FULL)) == FULL
    assert to_json(parse_json(to_json(FULL))) == to_json(FULL)


def test_document_shape_carries_kind_versions_and_the_scenario_file():
    doc = to_document(FULL)
    assert doc["workspace_version"] == 1 and doc["kind"] == "scenario"
    assert doc["scenario"] == to_dict(FULL.scenario) and doc["scenario"]["schema_version"] == 1
    assert doc["scenario"]["cameras"] == 80 and doc["advisor"]["response_ms"] == 50.0
    assert [s["name"] for s in doc["comparison"]] == [RETAIL.name, catalog.preset("vessel").name]


def test_only_a_scenario_is_required():
    assert from_document({"workspace_version": 1, "scenario": to_dict(RETAIL)}) == Workspace(RETAIL)


def _with(**changes) -> dict:
    return {**to_document(FULL), **changes}


@pytest.mark.parametrize(
    "document, message",
    [
        (
            _with(scenario={**to_dict(RETAIL), "cameras": -1}),
            r"^scenario: cameras = -1 is not valid: allowed 0 to 100,000",
        ),
        (_with(comparison=[to_dict(RETAIL), {"cameras": "x"}]), r"^comparison: #2: cameras = 'x'"),
        (_with(comparison=[to_dict(RETAIL)] * (MAX_COMPARED + 1)), "at most 8 scenarios"),
        (_with(advisor={"response_ms": 0.0}), r"^advisor: response_ms = 0.0 is not valid"),
        (_with(advisor={"colour": "red"}), r"^advisor: colour: unknown field"),
        (_with(view="pie"), r"^view: 'pie' is not a view"),
        (_with(preset="../etc"), r"^preset: '../etc' is not a preset key"),
        (_with(kind="fleet"), r"'advisor': unknown part of a fleet plan"),
        (_with(kind="site"), r"kind = 'site' is not supported: this planner reads scenario, fleet plans"),
        (_with(workspace_version=2), r"workspace_version = 2 is not supported: this planner reads versions 1 to 1"),
        (_with(workspace_version=True), r"workspace_version = True is not supported"),
        (_with(extra=1), r"'extra': unknown part of a scenario plan"),
        ([1, 2], "a plan must be a JSON object, got list"),
        (to_dict(RETAIL), "it is a scenario file, not a plan file"),
        (_with(sensitivity={"colour": 1}), r"^sensitivity: 'colour': unknown setting"),
        (_with(sensitivity={"mc.seed": -1}), r"^sensitivity: mc.seed = -1 is not valid"),
        (_with(sensitivity={"mc.seed": True}), r"^sensitivity: mc.seed = True is not valid"),
        (_with(sensitivity={"map.x": "<script>"}), r"^sensitivity: map.x = '<script>' is not valid"),
        (_with(sensitivity={"mc.inputs": ["cameras"] * 21}), r"^sensitivity: mc.inputs = "),
        (_with(sensitivity=[]), r"^sensitivity: the settings must be a JSON object"),
    ],
)
def test_a_bad_part_is_named(document, message):
    with pytest.raises(ScenarioError, match=message):
        from_document(document)


@pytest.mark.parametrize(
    "text, message",
    [
        (b"\xff{}", "not UTF-8"),
        ("{", "not valid JSON"),
        ('{"workspace_version": NaN}', "NaN is not a number"),
        ("[" * 100_000 + "]" * 100_000, "the plan is nested too deeply"),
        # Read by the scenario file's reader: a key given twice is refused, not silently the last one.
        (
            '{"workspace_version": 1, "view": "cash", "view": "accounting", "scenario": {}}',
            "the plan: field 'view' appears more than once",
        ),
        (
            '{"workspace_version": 1, "scenario": {"cameras": 1, "cameras": 2}}',
            "field 'cameras' appears more than once",
        ),
        ('{"workspace_version": 1, "scenario": {"cameras": 1' + "0" * 50 + "}}", "cameras = a 51-digit number"),
    ],
)
def test_bad_text_is_a_readable_error(text, message):
    with pytest.raises(ScenarioError, match=message):
        parse_json(text)


# ── The share link's work part ──────────────────────────────────────────────────────────────────────
def test_a_fresh_sessions_work_needs_no_link_part():
    assert to_share_token(Workspace(RETAIL, preset="retail")) is None


def test_the_link_part_round_trips_view_answers_and_comparison():
    token = to_share_token(FULL)
    restored = with_share_token(Workspace(FULL.scenario, FULL.preset), token)
    assert restored == FULL
    # Only what differs from a fresh session travels: one answer, two scenarios' differences from the defaults.
    data = json.loads(zlib.decompress(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))))
    assert data["advisor"] == {"response_ms": 50.0} and data["view"] == "accounting"
    assert data["comparison"][0]["name"] == RETAIL.name and "cameras" not in data["comparison"][0]  # 50: default


def test_the_link_part_never_changes_the_scenario_and_leaves_out_what_it_does_not_carry():
    token = to_share_token(Workspace(RETAIL, view="accounting"))
    other = Workspace(catalog.preset("vessel"), preset="vessel", advisor=FULL.advisor, comparison=(RETAIL,))
    assert with_share_token(other, token) == Workspace(catalog.preset("vessel"), preset="vessel", view="accounting")


def _token(data) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")


@pytest.mark.parametrize(
    "token, message",
    [
        ("!!!", "the link's work part is not valid JSON"),
        ("A" * 9_000, "the link's work part is 9,000 characters; the limit is 8,000"),
        (_token(b"\0" * 1_000_000), "expands beyond the size limit"),
        (_token(b"\xff\xfe"), "not valid JSON|UTF"),
        (_token([1]), "not a JSON object"),
        (_token({"view": "pie"}), r"^view: 'pie' is not a view"),
        (_token({"comparison": [{"cameras": -1}]}), r"^comparison: #1: cameras = -1"),
        (_token({"advisor": {"response_ms": "fast"}}), r"^advisor: response_ms"),
        (_token({"scenario": {"cameras": 1}, "kind": "fleet"}), "kind = 'fleet' is not supported in a link"),
        (_token(b'{"view": "cash", "view": "accounting"}'), "field 'view' appears more than once"),
        (_token(b'{"view": NaN}'), "the link's work part is not valid JSON: NaN is not a number"),
        (_token({"workspace_version": 9}), "workspace_version = 9 is not supported"),
    ],
)
def test_a_bad_link_part_is_a_readable_error(token, message):
    with pytest.raises(ScenarioError, match=message):
        with_share_token(Workspace(RETAIL), token)


def test_one_token_codec_for_the_scenario_and_the_work_part():
    """Both link parameters are `scenario.pack_token`'s: the same bytes for the same JSON object."""
    from planner.schema.scenario import pack_token, unpack_token
    from planner.schema.scenario import to_share_token as scenario_token

    token = to_share_token(FULL)
    assert pack_token(json.loads(unpack_token(token))) == token
    scenario = scenario_token(RETAIL)
    assert pack_token(json.loads(unpack_token(scenario))) == scenario


# ── A fleet plan ────────────────────────────────────────────────────────────────────────────────────
from planner.fleet import inventory as fleet_inventory  # noqa: E402
from planner.plans.workspace import of_fleet  # noqa: E402

CITY = fleet_inventory.preset("city_intersections")


def test_a_fleet_plan_round_trips_and_holds_the_fleet_file():
    work = of_fleet(CITY)
    doc = to_document(work)
    assert (doc["kind"], set(doc)) == ("fleet", {"workspace_version", "kind", "fleet"})
    assert doc["fleet"] == json.loads(fleet_inventory.fleet_json(CITY))  # the exported fleet file, as it is
    again = parse_json(to_json(work))
    assert again == work and again.fleet == CITY and again.scenario == CITY.base
    assert fleet_inventory.fleet_json(again.fleet) == fleet_inventory.fleet_json(CITY)
    assert again.name == CITY.name


def test_fleets_with_one_changed_cell_differ():
    table = CITY.inventory.table.copy()
    table.loc[0, "count"] = "31"
    changed = fleet_inventory.make_fleet(table, CITY.base, CITY.answers, CITY.months, CITY.name)
    assert of_fleet(changed) != of_fleet(CITY) and of_fleet(changed) == of_fleet(changed)


def _fleet_doc(**changes) -> dict:
    doc = to_document(of_fleet(CITY))
    doc["fleet"] = {**doc["fleet"], **changes}
    return doc


@pytest.mark.parametrize(
    "document, message",
    [
        (
            _fleet_doc(sites=[{"site": "A", "cameras": "many"}]),
            r"^fleet: row 1, column cameras: 'many' is not a number",
        ),
        (
            _fleet_doc(sites=[{"site": "A", "cameras": -1}, {"site": "B", "pin": "moon"}]),
            r"^fleet: row 1, column cameras: -1 is outside 0 to 100000 cameras \(and 1 more\)",
        ),
        (_fleet_doc(sites="A"), r"^fleet: a fleet file is a JSON object with a 'sites' list"),
        (_fleet_doc(answers=[1]), r"^fleet: 'answers' is an object"),
        (_fleet_doc(months="36"), r"^fleet: months = 36 is not a whole number"),
        (_fleet_doc(base={"cameras": -1}), r"^fleet: cameras = -1 is not valid"),
        (_fleet_doc(colour="red"), r"^fleet: 'colour': unknown part of a fleet file"),
        (_fleet_doc(schema_version=2), r"^fleet: schema_version = 2 is not supported"),
        ({"workspace_version": 1, "kind": "fleet"}, r"^fleet: missing"),
    ],
)
def test_a_bad_fleet_part_is_named(document, message):
    with pytest.raises(ScenarioError, match=message):
        from_document(document)
