"""The workspace document a plan saves: one codec, every part validated by the codec that owns it."""
import json

import pytest

from planner import advisor, catalog
from planner.scenario import ScenarioError, replace, to_dict
from planner.workspace import MAX_COMPARED, Workspace, from_document, parse_json, to_document, to_json

RETAIL = catalog.preset("retail")
FULL = Workspace(replace(RETAIL, cameras=80), preset="retail", view="accounting",
                 advisor=advisor.answers(response_ms=50.0).model_dump(), comparison=(RETAIL, catalog.preset("vessel")))


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


@pytest.mark.parametrize("document, message", [
    (_with(scenario={**to_dict(RETAIL), "cameras": -1}), r"^scenario: cameras = -1 is not valid: allowed 0 to 100,000"),
    (_with(comparison=[to_dict(RETAIL), {"cameras": "x"}]), r"^comparison: #2: cameras = 'x'"),
    (_with(comparison=[to_dict(RETAIL)] * (MAX_COMPARED + 1)), "at most 8 scenarios"),
    (_with(advisor={"response_ms": 0.0}), r"^advisor: response_ms = 0.0 is not valid"),
    (_with(advisor={"colour": "red"}), r"^advisor: colour: unknown field"),
    (_with(view="pie"), r"^view: 'pie' is not a view"),
    (_with(preset="../etc"), r"^preset: '../etc' is not a preset key"),
    (_with(kind="fleet"), r"kind = 'fleet' is not supported"),
    (_with(workspace_version=2), r"workspace_version = 2 is not supported: this planner reads versions 1 to 1"),
    (_with(workspace_version=True), r"workspace_version = True is not supported"),
    (_with(extra=1), r"'extra': unknown part of a plan"),
    ([1, 2], "a plan must be a JSON object, got list"),
])
def test_a_bad_part_is_named(document, message):
    with pytest.raises(ScenarioError, match=message):
        from_document(document)


@pytest.mark.parametrize("text, message", [
    (b"\xff{}", "not UTF-8"),
    ("{", "not valid JSON"),
    ('{"workspace_version": NaN}', "NaN is not a number"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
])
def test_bad_text_is_a_readable_error(text, message):
    with pytest.raises(ScenarioError, match=message):
        parse_json(text)
