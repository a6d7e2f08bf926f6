"""A fleet names its base: where the base scenario came from (a preset, a scenario, a saved plan's revision) is part
of the fleet and of its file; old files read with a stated default; a malformed base is refused in words."""

from __future__ import annotations

import json

import pytest

from planner.catalogs import catalog
from planner.fleet import inventory as fleet_inventory
from planner.fleet import programme as fleet_programme
from planner.fleet import tables as fleet_tables
from planner.schema.scenario import ScenarioError, replace, to_dict

pytestmark = pytest.mark.unit

RETAIL, SMART_CITY = catalog.preset("retail"), catalog.preset("smart_city")
PLAN = "plan:" + "0123456789abcdef" * 2 + "@3"
# Three identical sites with two hand-set devices each: capex is 3 × 2 × (device price + installation) of the base.
CSV = "site,count,devices_manual,device_sizing\nA,3,2,manual\n"


def capex(f: fleet_inventory.Fleet) -> float:
    return fleet_tables.plan_summary(fleet_programme.evaluate(f))["all_edge"]["capex_total"]


@pytest.mark.parametrize("source", ["preset:retail", "scenario", PLAN])
def test_the_base_and_its_source_survive_the_file(source):
    base = replace(RETAIL, name="Store as approved", device_price=2_500)
    f = fleet_inventory.make_fleet(CSV, base, months=12, name="Pilot", base_source=source)
    doc = json.loads(fleet_inventory.fleet_json(f))
    assert doc["base_source"] == source and doc["base"] == to_dict(base)
    back = fleet_inventory.parse_fleet_json(fleet_inventory.fleet_json(f))
    assert back == f and back.base_source == source and back.base == base


def test_the_base_in_words():
    f = fleet_inventory.make_fleet(CSV, RETAIL, base_source="preset:retail")
    assert f.base_text == f"“{RETAIL.name}”, the bundled preset retail"
    assert fleet_inventory.with_base(f, RETAIL, PLAN).base_text == (
        f"“{RETAIL.name}”, revision 3 of the saved plan {'0123456789abcdef' * 2}"
    )
    assert fleet_inventory.with_base(f, RETAIL, "scenario").base_text == f"“{RETAIL.name}”, a scenario of its own"


def test_old_files_read_with_a_stated_default():
    """A file without `base_source`: a preset key is that preset, a scenario object is a scenario of its own."""
    doc = {"name": "Old", "base": "smart_city", "sites": [{"site": "A", "count": 2}]}
    assert fleet_inventory.from_fleet_document(doc).base_source == "preset:smart_city"
    old = fleet_inventory.from_fleet_document({**doc, "base": to_dict(SMART_CITY)})
    assert (old.base_source, old.base) == ("scenario", SMART_CITY)
    # The bundled fleets name their preset.
    assert fleet_inventory.preset("city_intersections").base_source == "preset:smart_city"
    assert fleet_inventory.preset("retail_chain").base_source == "preset:retail"


def test_a_file_without_a_base_takes_the_given_one_and_says_so():
    doc = {"name": "Bare", "sites": [{"site": "A"}]}
    f = fleet_inventory.from_fleet_document(doc, SMART_CITY, "preset:smart_city")
    assert (f.base, f.base_source) == (SMART_CITY, "preset:smart_city")


def test_a_new_base_changes_capex_by_the_devices_price_difference():
    f = fleet_inventory.make_fleet(CSV, RETAIL, months=12, base_source="preset:retail")
    moved = fleet_inventory.with_base(f, SMART_CITY, "preset:smart_city")
    assert moved.inventory == f.inventory and (moved.months, moved.name) == (f.months, f.name)
    assert capex(f) == 3 * 2 * (RETAIL.device_price + RETAIL.install_per_device) == 12_000
    assert capex(moved) - capex(f) == 3 * 2 * (
        SMART_CITY.device_price + SMART_CITY.install_per_device - RETAIL.device_price - RETAIL.install_per_device
    )


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"base_source": "plan:xyz"},
            "base_source = 'plan:xyz' is not one of preset:KEY, scenario or plan:ID@REVISION",
        ),
        ({"base_source": "plan:" + "a" * 32}, "is not one of preset:KEY, scenario or plan:ID@REVISION"),
        ({"base_source": "preset:harbour"}, "base_source = 'preset:harbour': no such preset; the presets are"),
        ({"base_source": 7}, "base_source = '7' is not one of"),
        ({"base_source": "x" * 500}, "is not one of"),
        ({"base": "retail", "base_source": "preset:vessel"}, "does not name the preset base 'retail'"),
        ({"base": "harbour"}, "unknown preset 'harbour'"),
        ({"base": 42}, "a fleet file needs 'base': a preset name or a scenario object"),
    ],
)
def test_a_malformed_base_is_refused_in_words(change, message):
    doc = {"name": "F", "base": to_dict(RETAIL), "sites": [{"site": "A"}]} | change
    with pytest.raises(ScenarioError) as err:
        fleet_inventory.from_fleet_document(doc)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_new_base_source_is_checked():
    f = fleet_inventory.make_fleet(CSV, RETAIL)
    with pytest.raises(ScenarioError, match="no such preset"):
        fleet_inventory.with_base(f, RETAIL, "preset:nowhere")
    with pytest.raises(ScenarioError, match="is not one of"):
        fleet_inventory.make_fleet(CSV, RETAIL, base_source="somewhere")


def test_what_changed_names_a_new_base_source():
    f = fleet_inventory.make_fleet(CSV, RETAIL, base_source="preset:retail")
    changes = fleet_tables.fleet_changes(f, fleet_inventory.with_base(f, RETAIL, PLAN))
    assert changes.values.tolist() == [["Base source", "changed", f"preset:retail → {PLAN[:-2]}@3"]]
