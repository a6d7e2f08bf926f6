"""The fleet's `device` column: a catalog device per site, named or found by the advisor's search."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from planner.advice import advisor
from planner.catalogs import catalog
from planner.fleet import devices as fleet_devices
from planner.fleet import inventory as fleet_inventory
from planner.fleet import programme as fleet_programme
from planner.fleet import tables as fleet_tables
from planner.model import costs, designs, finance
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit

RETAIL = catalog.preset("retail")  # 50 cameras, 0.4 analysed frames/s, 30 % headroom, manual 5 × 2,000
HARDWARE = pd.read_csv(catalog.DATA_DIR / "hardware.csv")
SIZED = HARDWARE[(HARDWARE["comparable"] == "yes") & ~HARDWARE["id"].str.startswith("seed-")]


def programme(csv: str, base=RETAIL, answers=None) -> fleet_programme.Programme:
    f = fleet_inventory.make_fleet(csv, base, answers)
    assert f.inventory.errors == ()
    return fleet_programme.evaluate(f)


def single(scenario) -> finance.Finance:
    return finance.analyse(costs.evaluate(costs.batch([scenario])), "cash", scenario.discount_percent_per_year)


def by_hand(device: pd.Series, base=RETAIL, derating=50) -> dict:
    """A detection workload (relative compute 1, decodes video) on `device`: what one device sustains, how many
    the site needs, their power and capex, and the scenario that costs them (the single-site model)."""
    sustained = min(
        device["throughput_ips"] * (1 - derating / 100) / 1, device["decode_1080p30_streams"] * base.analysed_fps
    )
    load = base.cameras * base.analysed_fps * (1 + base.sizing_headroom_percent / 100)
    devices = math.ceil(load / sustained)
    price, watts = device["unit_price_usd"] + device["host_usd"], device["watts"] + device["host_watts"]
    scenario = replace(
        base, **{**catalog.load().device_fields(device["id"]), "device_throughput_ips": sustained}, device_sizing="auto"
    )
    assert (scenario.device_price, scenario.device_watts) == (price, watts)
    return {
        "id": device["id"],
        "family": device["family"],
        "devices": devices,
        "power": devices * watts,
        "capex": devices * price,
        "sustained": sustained,
        "tco": single(scenario).edge_total[0],
    }


def test_each_site_gets_the_cheapest_device_that_fits_it():
    # A: a rack and 2 kW, every sized device fits. B: a cabinet (no server) and 100 W.
    p = programme(  # pinned to the edge, their devices counted
        "site,device,site_space,site_power_watts,pin\nA,catalog,rack,2000,split_brain_edge\n"
        "B,catalog,enclosure,100,split_brain_edge\n"
    )
    # The retail site's average wait for the next analysed frame (1,250 ms at 0.4 frames/s) is more than the
    # 100 ms response time: no path can meet it, so latency rules no device out (as in the single-site advisor).
    assert 500 / RETAIL.analysed_fps > fleet_inventory.make_fleet("site\nA\n", RETAIL).answers.response_ms
    hand = [by_hand(d) for _, d in SIZED.iterrows()]
    fits_a = [h for h in hand if h["power"] <= 2000]
    fits_b = [h for h in hand if h["power"] <= 100 and h["family"] != "server"]
    want_a, want_b = min(fits_a, key=lambda h: h["tco"]), min(fits_b, key=lambda h: h["tco"])
    assert len(fits_a) == len(SIZED) and want_a["id"] != want_b["id"]
    table = fleet_tables.site_table(p)
    assert table["device"].tolist() == [want_a["id"], want_b["id"]]
    assert table["devices"].tolist() == [want_a["devices"], want_b["devices"]]
    assert table["capex"].tolist() == pytest.approx([want_a["capex"], want_b["capex"]], rel=1e-12)
    # What the figures are today: 26 inferences/s; the Orin Nano Super decodes 11 streams × 0.4 = 4.4/s, so
    # 6 × 249 = 1,494 at A; 6 × 25 W = 150 W is too much for B, where 4 Orin NX 8GB (18 × 0.4 = 7.2/s each,
    # 80 W) at 500 are the cheapest of those left.
    assert (want_a["id"], want_a["devices"], want_a["capex"]) == ("jetson-orin-nano-super", 6, 6 * 249)
    assert (want_b["id"], want_b["devices"], want_b["capex"]) == ("jetson-orin-nx-8gb", 4, 4 * 500)
    assert p.devices.tolist() == [6, 4]
    reasons = fleet_tables.reasons(p)
    assert reasons[0].endswith(f"; cheapest of {len(fits_a)} catalog devices that fit")
    assert reasons[1].endswith(f"; cheapest of {len(fits_b)} catalog devices that fit")


def test_a_row_naming_a_device_is_the_single_site_model_with_that_device():
    p = programme("site,device,pin\nshop,jetson-orin-nx-16gb,split_brain_edge\n")  # on the edge: counted
    hand = by_hand(SIZED[SIZED["id"] == "jetson-orin-nx-16gb"].iloc[0])
    # 256 × 50 % = 128 inferences/s, but 18 streams × 0.4 = 7.2 decoded: ceil(26 / 7.2) = 4 devices at 700.
    assert (hand["sustained"], hand["devices"], hand["capex"]) == (pytest.approx(7.2), 4, 2800)
    one = single(
        replace(
            RETAIL,
            **{**catalog.load().device_fields("jetson-orin-nx-16gb"), "device_throughput_ips": hand["sustained"]},
            device_sizing="auto",
        )
    )
    edge = fleet_inventory.PLANS.index("all_edge")
    np.testing.assert_array_equal(p.plan_capex[edge], one.edge_capex[0])
    np.testing.assert_array_equal(p.plan_opex[edge], one.edge_running_monthly[0])
    assert p.plans.edge_total[edge] == pytest.approx(one.edge_total[0], rel=1e-12)
    table = fleet_tables.site_table(p)
    assert (table.loc[0, "device"], table.loc[0, "devices"], table.loc[0, "capex"]) == ("jetson-orin-nx-16gb", 4, 2800)
    # A named device is not searched: the reason line says nothing about the catalog.
    assert "catalog" not in fleet_tables.reasons(p)[0]


def test_a_catalog_row_equals_the_advisors_choice():
    # On AWS every device family is managed by Greengrass at 0.16 per device: with that fee in the base, the
    # advisor's deployment changes nothing but the device, so its choice is the fleet's, figure for figure.
    base = replace(RETAIL, management_per_month=0.16, management_basis="per_device")
    answers = advisor.answers(cloud_platform="aws", site_space="enclosure", site_power_watts=120, response_ms=2000)
    fit = advisor.size(answers, base)
    assert fit.sizing is not None
    assert (fit.costed.management_per_month, fit.costed.management_basis) == (0.16, "per_device")
    f = fleet_inventory.make_fleet("site,device\nshop,catalog\n", base, answers)
    p = fleet_programme.evaluate(f)
    # The 100 Mbps link cannot carry 50 video streams: the cloud is the cheapest design it carries.
    one = single(replace(fit.costed, **designs.design_fields(p.cloud_design, 0)))
    edge = fleet_inventory.PLANS.index("all_edge")
    assert fleet_tables.site_table(p).loc[0, "device"] == fit.sizing.device_id
    assert p.devices[0] == fit.sizing.devices
    np.testing.assert_allclose(p.cloud_monthly, one.cloud_monthly[0], rtol=1e-14)  # pooled bills summed apart
    np.testing.assert_array_equal(p.plan_capex[edge], one.edge_capex[0])
    np.testing.assert_array_equal(p.plan_opex[edge], one.edge_running_monthly[0])
    for got, want in [
        (p.plans.edge_total[edge], fit.sizing.edge_total_cost),
        (p.plans.break_even_month[edge], one.break_even_month[0]),  # against the frames the link carries
        (p.plans.npv_savings[edge], one.npv_savings[0]),
    ]:
        assert got == pytest.approx(want, rel=1e-12)
    # Opened as a scenario, the row carries the device it was costed with.
    opened = fleet_devices.row_scenario(f, 0)
    for name in advisor.device_fields(fit.sizing.device_id, fit.sizing.per_device_ips):  # the whole device
        assert getattr(opened, name) == getattr(fit.costed, name), name


def test_a_row_no_device_fits_keeps_its_own_and_says_why():
    # 5 W: the smallest sized device (Hailo-8 with its host, 17.5 W) does not fit.
    assert (SIZED["watts"] + SIZED["host_watts"]).min() > 5
    p = programme("site,device,site_power_watts,pin\nA,catalog,5,split_brain_edge\nB,,,\n")  # A's devices counted
    own = programme("site,pin\nA,split_brain_edge\nB,\n")
    table, plain = fleet_tables.site_table(p), fleet_tables.site_table(own)
    assert table["device"].tolist() == ["seed-edge-server", "seed-edge-server"]  # the base's device
    # As a blank row: the base's seed server sized from the row's load, 50 × 0.4 × 1.3 = 26 ÷ 15.2 → 2.
    assert table.loc[0, "devices"] == 2 and table.loc[0, "capex"] == 2 * 2000
    assert fleet_tables.reasons(p)[0].endswith("; no catalog device fits: power")
    np.testing.assert_array_equal(p.plan_capex, own.plan_capex)
    assert table.loc[1, "reason"] == plain.loc[1, "reason"]
    # A language model needs a server; in a cabinet the servers do not fit, so every device breaks a rule.
    lm = programme("site,device,workload,site_space\nA,catalog,language_model,minimal\n")
    assert "; no catalog device fits: " in fleet_tables.reasons(lm)[0]
    assert fleet_tables.site_table(lm).loc[0, "device"] == "seed-edge-server"


def test_a_row_with_its_own_device_fields_is_named_so():
    p = programme("site,device_price\nA,900\nB,\n")
    assert fleet_tables.site_table(p)["device"].tolist() == [fleet_devices.OWN_DEVICE, "seed-edge-server"]


def test_a_bad_device_cell_is_refused_and_named():
    f = fleet_inventory.make_fleet("site,device,cameras\nA,catalog,10\nB,jetson,20\nC,JETSON-ORIN-NX-16GB,\n", RETAIL)
    assert f.inventory.errors == (
        "row 2, column device: 'jetson' is not a catalog device id or \"catalog\"",
        "row 3, column device: 'JETSON-ORIN-NX-16GB' is not a catalog device id or \"catalog\"",
    )
    assert f.inventory.table["device"].tolist() == ["catalog", "", ""]
    assert f.inventory.table["cameras"].tolist() == ["10", "20", ""]  # the rest is kept


def test_the_device_column_round_trips():
    csv = "site,device,cameras\nA,catalog,10\nB,hailo-8-m2,20\nC,,\n"
    f = fleet_inventory.make_fleet(csv, RETAIL)
    assert f.inventory.to_csv() == csv
    back = fleet_inventory.parse_fleet_json(fleet_inventory.fleet_json(f))
    assert back.inventory == f.inventory
    assert json.loads(fleet_inventory.fleet_json(f))["sites"][1]["device"] == "hailo-8-m2"


def test_without_the_column_nothing_changes():
    csv = "site,cameras,connectivity\nA,10,fiber\nB,80,metered_5g\n"
    with_blank = programme(csv.replace("site,", "site,device,").replace("\nA,", "\nA,,").replace("\nB,", "\nB,,"))
    without = programme(csv)
    np.testing.assert_array_equal(with_blank.plan_capex, without.plan_capex)
    np.testing.assert_array_equal(with_blank.plan_opex, without.plan_opex)
    assert fleet_tables.site_table(with_blank).equals(fleet_tables.site_table(without))


def test_every_catalog_row_gets_the_advisors_choice_for_its_own_answers():
    # Rows with different answers in one batch: each is searched with its own space, power, response time,
    # workload and derating, and picks what the single-site advisor picks for those answers.
    base = replace(RETAIL, management_per_month=0.16, management_basis="per_device")
    rows = [
        {"site_space": "enclosure", "site_power_watts": 120, "response_ms": 2000},
        {"site_space": "enclosure", "site_power_watts": 2000, "response_ms": 1255},  # latency rules out 3
        {"site_space": "rack", "site_power_watts": 2000, "response_ms": 2000, "workload": "segmentation"},
        {"site_space": "minimal", "site_power_watts": 2000, "response_ms": 2000, "derating_percent": 80},
        {"site_space": "rack", "site_power_watts": 20_000, "response_ms": 2000, "workload": "language_model"},
    ]
    columns = ["site_space", "site_power_watts", "response_ms", "workload", "derating_percent"]
    csv = (
        "site,device,"
        + ",".join(columns)
        + "\n"
        + "".join(f"s{i},catalog," + ",".join(str(r.get(c, "")) for c in columns) + "\n" for i, r in enumerate(rows))
    )
    p = programme(csv, base, advisor.answers(cloud_platform="aws"))
    table = fleet_tables.site_table(p)
    picked = set()
    for i, r in enumerate(rows):
        fit = advisor.size(advisor.answers(cloud_platform="aws", **r), base)
        assert table.loc[i, "device"] == fit.sizing.device_id, r
        assert p.devices[i] == fit.sizing.devices, r
        assert p.rows.edge_total[i] == pytest.approx(fit.sizing.edge_total_cost, rel=1e-12), r
        picked.add(fit.sizing.device_id)
    assert len(picked) >= 3  # the answers lead to different devices


def test_catalog_prices_are_converted_to_the_scenarios_currency():
    # A EUR scenario at 0.86 EUR per USD: a catalog device costs its USD price × 0.86, in the fleet and in the
    # advisor's sizing (docs/FORMULAS.md: a catalog price in the scenario), as does the management plan.
    base = replace(RETAIL, currency="EUR", fx_rate=0.86)
    p = programme("site,device,pin\nshop,jetson-orin-nx-16gb,split_brain_edge\n", base)  # on the edge: counted
    assert fleet_tables.site_table(p).loc[0, "capex"] == pytest.approx(4 * 700 * 0.86, rel=1e-12)
    fit = advisor.size(advisor.answers(cloud_platform="aws", site_space="enclosure"), base)
    usd = SIZED.set_index("id").loc[fit.sizing.device_id]
    assert fit.costed.device_price == pytest.approx((usd["unit_price_usd"] + usd["host_usd"]) * 0.86, rel=1e-12)
    assert fit.costed.management_per_month == pytest.approx(0.16 * 0.86, rel=1e-12)  # AWS IoT Greengrass


def test_a_rows_catalog_device_sets_every_field_the_catalog_fills_and_keeps_its_source():
    # The base (retail) prices a seed server of 1,150 kg CO₂e embodied; the row names a Jetson Orin Nano Super.
    f = fleet_inventory.make_fleet("site,device\nshop,jetson-orin-nano-super\n", RETAIL)
    opened = fleet_devices.row_scenario(f, 0)
    d = catalog.load().device("jetson-orin-nano-super")
    filled = catalog.load().device_fields(d["id"])
    assert filled["device_embodied_kgco2e"] != RETAIL.device_embodied_kgco2e
    for name, value in filled.items():
        # Throughput: what it sustains here, min(286 × (1 − 50 %), 11 decode streams × 0.4 frames/s) = 4.4.
        want = (
            min(d["throughput_ips"] * 0.5, d["decode_1080p30_streams"] * RETAIL.analysed_fps)
            if name == "device_throughput_ips"
            else value
        )
        assert getattr(opened, name) == (want if isinstance(want, str) else pytest.approx(want, rel=1e-12)), name
    cited = next(p for p in catalog.load().provenance(opened) if p.picker == "device")
    assert cited.entry == d["name"] and set(cited.fields) == set(filled) - {
        "device_throughput_ips",
        "device_embodied_kgco2e",
    }
