"""The explainer recomputes a month with plain floats and loops, apart from the vectorized model: it
must agree with `costs.py` for every component, at go-live and later (growth, refreshes, a growing
fleet), and its month-1 arithmetic must show the numbers a reader would write down by hand."""

import importlib
import math
import re

import pytest

from planner.catalogs import catalog
from planner.exports import report
from planner.model import costs, explain
from planner.model.costs import COMPONENTS
from planner.schema.scenario import replace

pytestmark = pytest.mark.oracle

RETAIL = catalog.preset("retail")
CASES = {
    **catalog.presets(),
    "serverless_frames": replace(
        RETAIL, inference_pricing="serverless", cloud_upload="frames", inference_discount_percent=15
    ),
    "discounted_tiers": replace(RETAIL, inference_discount_percent=30),
    "per_device_auto": replace(
        RETAIL, device_sizing="auto", management_basis="per_device", sites=3, cameras=31, retention_days=90
    ),
    "zero_cameras": replace(RETAIL, cameras=0, device_sizing="auto"),
    "always_on": replace(RETAIL, hours_per_day=24, days_per_month=31),
    # Auto sizing on a growing workload with yearly refreshes, salvage and every price moving: 4 cameras ×
    # 2 frames/s × 1.3 = 10.4 frames/s a site ÷ 7 = 1.49 → 2 devices a site at go-live, 3 from month 12 on.
    "growing_fleet": replace(
        catalog.preset("smart_city"),
        device_sizing="auto",
        workload_growth_percent_per_year=40,
        device_throughput_ips=7,
        useful_life_months=12,
        salvage_percent=20,
        horizon_months=48,
        retention_days=200,
        bandwidth_price_change_percent_per_year=-5,
        cloud_fee_change_percent_per_year=3,
        electricity_price_change_percent_per_year=4,
    ),
    # General inflation of labour and licences on a growing fleet: installations capitalised at their month's price.
    "inflation": replace(
        catalog.preset("smart_city"),
        workload_growth_percent_per_year=40,
        device_throughput_ips=7,
        useful_life_months=12,
        horizon_months=30,
        inflation_percent_per_year=6,
    ),
    # Book value at the horizon: a growing fleet part-way through its life, and a 3-year commitment paid upfront
    # (renewed at 36) that runs past the horizon of 50 months.
    "terminal_fleet": replace(
        catalog.preset("smart_city"),
        workload_growth_percent_per_year=40,
        device_throughput_ips=7,
        useful_life_months=18,
        horizon_months=30,
        inflation_percent_per_year=6,
        salvage_percent=20,
        terminal_value="book_value",
    ),
    # A metered line (50 GB a site included, then 15 a GB) on a growing workload that crosses the allowance, and a
    # link upgrade bought by the cloud side.
    "metered_link": replace(
        catalog.preset("vessel"),
        workload_growth_percent_per_year=300,
        link_per_month=60,
        link_allowance_gb=500,
        uplink_per_gb=15,
        link_upgrade_install=349,
        link_upgrade_per_month=65,
        feedback_percent=30,
    ),
    "terminal_commitment": replace(
        RETAIL,
        inference_pricing="instances",
        instance_commitment="three_year",
        instance_upfront="partial",
        workload_growth_percent_per_year=30,
        instance_inferences_per_s=5,
        horizon_months=50,
        terminal_value="book_value",
    ),
    # Cloud GPU instances: on demand on a shrinking workload, a 1-year partial-upfront commitment on a growing one
    # (renewed at months 12, 24, 36), 3 years all upfront behind a managed endpoint, spot scaled to zero at night.
    "instances_on_demand": replace(
        RETAIL,
        inference_pricing="instances",
        workload_growth_percent_per_year=-30,
        instance_inferences_per_s=3,
        instance_min_count=1,
        inference_discount_percent=10,
    ),
    "instances_one_year": replace(
        catalog.preset("smart_city"),
        inference_pricing="instances",
        instance_inferences_per_s=40,
        instance_commitment="one_year",
        instance_upfront="partial",
        instance_committed_per_hour=0.316,
        workload_growth_percent_per_year=60,
        cloud_fee_change_percent_per_year=3,
        horizon_months=40,
    ),
    "instances_three_year": replace(
        RETAIL,
        inference_pricing="instances",
        instance_commitment="three_year",
        instance_upfront="all",
        instance_committed_per_hour=0.2,
        instance_endpoint_surcharge_percent=40,
        horizon_months=50,
    ),
    "instances_spot_scaled": replace(
        RETAIL,
        inference_pricing="instances",
        instance_commitment="spot",
        instance_billing="scale_to_zero",
        instance_warmup_hours_per_day=1,
    ),
}


def step(scenario, key, m=0):
    return next(s for s in explain.month(scenario, m) if s.key == key)


def model(scenario, key, m=0):
    return report.analyse_one(scenario).costs.values(key)[0, m]


@pytest.mark.parametrize("name", CASES)
def test_explainer_matches_the_model_in_every_month(name):
    scenario = CASES[name]
    values = report.analyse_one(scenario).costs
    for m in range(scenario.horizon_months):
        steps = explain.month(scenario, m)
        assert [s.key for s in steps] == [c.key for c in COMPONENTS]
        for s in steps:
            assert s.value == pytest.approx(values.values(s.key)[0, m], rel=1e-9, abs=1e-9), (m, s.key)


def test_a_batch_of_mixed_fleets_matches_the_explainer_row_by_row():
    # One batch: two growing auto-sized fleets with different lives (6 and 9 months), a fixed manual fleet
    # and an auto fleet on a shrinking workload (which keeps its go-live size), so the model takes its
    # per-row refresh and mixed-growth paths.
    growing = CASES["growing_fleet"]
    rows = [
        replace(growing, useful_life_months=6),
        replace(growing, useful_life_months=9),
        replace(growing, device_sizing="manual", devices_manual=7, useful_life_months=12),
        replace(growing, workload_growth_percent_per_year=-20, useful_life_months=7),
    ]
    model_costs = costs.evaluate(costs.batch(rows))
    for i, scenario in enumerate(rows):
        for m in range(scenario.horizon_months):
            for s in explain.month(scenario, m):
                assert s.value == pytest.approx(model_costs.values(s.key)[i, m], rel=1e-9, abs=1e-9), (i, m, s.key)


def test_month_one_arithmetic_of_the_retail_store_by_hand():
    steps = {s.key: s for s in explain.first_month(RETAIL)}
    # 50 cameras × 4 Mbps ÷ 8 = 25 MB/s × 12 h × 3600 s × 30 days = 32,400 GB; × 0.01 USD/GB = 324
    assert "= 32,400 GB × 0.01 USD/GB = 324.00 USD" in steps["site_uplink"].arithmetic
    assert steps["site_uplink"].value == pytest.approx(324.0)
    # retention 30 days = 30 / 30.4375 = 0.985626 months R; month 1 holds R − R²/2 = 0.499897 months
    r = 30 / 30.4375
    assert "× 0.499897 months held on average × 0.023" in steps["cloud_storage"].arithmetic
    assert steps["cloud_storage"].value == pytest.approx(32_400 * (r - r * r / 2) * 0.023)  # 372.52
    # 5 devices × 250 W = 1.25 kW × (360 h + 30 % × (730.5 − 360) h idle) × PUE 1.2 × 0.13 USD/kWh
    assert "(360 h + 30% × 370.50 idle h) × PUE 1.20 × 0.13 USD/kWh = 91.87 USD" in steps["electricity"].arithmetic
    assert steps["electricity"].value == pytest.approx(1.25 * (360 + 0.3 * 370.5) * 1.2 * 0.13)  # 91.87
    # (2,000 + 0 − 10 % salvage 200) ÷ 48 months × 5 devices = 187.50
    assert "5 devices × (2,000 + 0 − 200 salvage) ÷ 48 months = 187.50 USD" in steps["depreciation"].arithmetic
    assert "5 devices × 2,000 USD = 10,000.00 USD" == steps["hardware"].arithmetic


def test_tier_arithmetic_is_spelled_out():
    inference = step(RETAIL, "inference")
    # 50 × 0.4 × 12 × 3600 × 30 = 25,920,000 images: 1M at 1.00, 4M at 0.80, 20.92M at 0.60 per 1000
    assert (
        "1,000,000 images × 1/1,000 + 4,000,000 images × 0.8/1,000 + 20,920,000 images × 0.6/1,000"
        in inference.arithmetic
    )
    assert inference.value == pytest.approx(1_000 + 3_200 + 12_552)


def test_a_refresh_month_buys_again_and_sells_the_old_devices():
    # Life 12 months, salvage 25 %: month 13 (m = 12) buys the 5 devices again and sells the old five
    # for 25 % of 2,000 = 500 each: 5 × 2,000 − 5 × 500 = 7,500. Month 12 (m = 11) buys nothing.
    refresh = replace(RETAIL, useful_life_months=12, salvage_percent=25)
    hardware = step(refresh, "hardware", 12)
    assert hardware.value == pytest.approx(7_500.0) == pytest.approx(model(refresh, "hardware", 12))
    assert "5 devices × 2,000 USD − 5 retired × 500 salvage" in hardware.arithmetic
    assert step(refresh, "hardware", 11).value == 0.0 == model(refresh, "hardware", 11)


def test_a_growing_fleet_adds_devices_and_refreshes_them_a_life_later():
    # 10 cameras × 1 frame/s × 2^(m/12) (100 %/year growth) ÷ 4 frames/s per device, no headroom:
    #   m = 0..3: 2.5 × 2^(3/12) = 2.97 → 3 devices;  m = 4: 2.5 × 1.26 = 3.15 → 4 (1 added)
    #   m = 9: 2.5 × 2^(9/12) = 4.20 → 5 (1 added);  m = 12: 2.5 × 2 = exactly 5 → still 5
    #   m = 13: 2.5 × 2^(13/12) = 5.30 → 6 (1 added)
    # Life 6: bought(m) = added(m) + added(m − 6) + added(m − 12) …; m = 12 buys the 3 of go-live a
    # second time (added(12) = added(6) = 0) and retires 3; m = 13 buys the 1 added.
    growing = replace(
        RETAIL,
        cameras=10,
        analysed_fps=1,
        device_sizing="auto",
        sizing_headroom_percent=0,
        device_throughput_ips=4,
        workload_growth_percent_per_year=100,
        useful_life_months=6,
        salvage_percent=50,
        horizon_months=14,
    )
    assert [explain.fleet(growing, m) for m in (0, 4, 6, 9, 12, 13)] == [
        (3, 3, 3),
        (4, 1, 1),
        (4, 3, 0),
        (5, 1, 1),
        (5, 3, 0),
        (6, 1, 1),
    ]
    assert [model(growing, "devices", m) for m in (0, 4, 9, 12, 13)] == [3, 4, 5, 5, 6]
    # m = 12: 3 bought × 2,000 − 3 retired × 1,000 salvage (50 %) = 3,000
    assert (
        step(growing, "hardware", 12).value == pytest.approx(3_000.0) == pytest.approx(model(growing, "hardware", 12))
    )
    # electricity follows the fleet: 5 devices × 250 W × (360 h + 30 % × 370.5 h) × PUE 1.2 × 0.13 USD/kWh
    assert step(growing, "electricity", 12).value == pytest.approx(5 * 0.25 * (360 + 0.3 * 370.5) * 1.2 * 0.13)


def test_several_sites_pay_the_management_fee_per_site():
    # 4 sites × 500 USD a month, whatever the fleet: 2,000 in month 1 and month 13.
    shops = replace(RETAIL, sites=4, management_basis="per_site", device_sizing="auto")
    for m in (0, 12):
        management = step(shops, "management", m)
        assert management.value == pytest.approx(2_000.0) == pytest.approx(model(shops, "management", m))
        assert management.arithmetic == "500 USD × 4 sites = 2,000.00 USD"
    # auto sizing per site: 50 / 4 = 12.5 cameras × 0.4 × 1.2 (20 % headroom) ÷ 500 = 0.012 → 1 a site
    assert model(shops, "devices") == 4 == explain.device_count(shops)


def test_later_months_carry_growth_and_price_changes():
    # 12 %/year workload growth and +10 %/year bandwidth price: month 13 (m = 12) moves 1.12 × the
    # 32,400 GB of month 1 at 1.10 × 0.01 USD/GB = 399.168
    grown = replace(RETAIL, workload_growth_percent_per_year=12, bandwidth_price_change_percent_per_year=10)
    uplink = step(grown, "site_uplink", 12)
    assert uplink.value == pytest.approx(32_400 * 1.12 * 0.01 * 1.10)
    assert uplink.value == pytest.approx(model(grown, "site_uplink", 12))
    assert re.search(r"× growth 1\.12 .*× price change 1\.1\b", uplink.arithmetic)
    # retention 30 days: from month 2 on a full 30 / 30.4375 months of upload is held
    assert explain.stored_months(30, 12) == pytest.approx(30 / 30.4375)


def test_the_calendar_is_the_explainers_own(monkeypatch):
    # 365.25 days ÷ 12 = 30.4375 days, × 24 = 730.5 hours a month.
    assert explain.DAYS_PER_MONTH == 365.25 / 12 and explain.HOURS_PER_MONTH == 730.5
    # A wrong calendar in the model (a 30-day, 720-hour month) must make the two disagree, even for an
    # explainer loaded after the mistake was made (one importing the model's constants would agree).
    monkeypatch.setattr(costs, "HOURS_PER_CALENDAR_MONTH", 720.0)
    monkeypatch.setattr(costs, "DAYS_PER_CALENDAR_MONTH", 30.0)
    try:
        steps = {s.key: s.value for s in importlib.reload(explain).first_month(RETAIL)}
        wrong = report.analyse_one(RETAIL).costs
    finally:
        monkeypatch.undo()
        importlib.reload(explain)
    assert wrong.values("electricity")[0, 0] != pytest.approx(steps["electricity"])  # idle h 360 vs 370.5
    assert wrong.values("cloud_storage")[0, 0] != pytest.approx(steps["cloud_storage"])  # R = 1 vs 0.9856


def test_explainer_sizing_rounds_a_whole_quotient_down_to_it():
    # 50 cameras × 0.4 frames/s × 1.25 (25 % headroom) = 25 frames/s ÷ 5 per device = exactly 5 devices
    exact = replace(RETAIL, device_sizing="auto", sizing_headroom_percent=25, device_throughput_ips=5)
    assert explain.device_count(exact) == 5 == model(exact, "devices")
    assert math.ceil(50 * 0.4 * 1.25 / 5) == 5


def test_a_batch_of_instance_options_matches_the_explainer_row_by_row():
    # One batch mixing 1-year, 3-year, on-demand and spot rows with a per-image one: per-row terms (12, 36, 0)
    # take the model's mixed renewal path.
    rows = [
        replace(CASES[name], horizon_months=40)
        for name in (
            "instances_one_year",
            "instances_three_year",
            "instances_on_demand",
            "instances_spot_scaled",
            "retail",
        )
    ]
    # a shrinking load under 1-year commitments: renewals right-sized, in the model and the explainer alike
    rows.append(replace(CASES["instances_one_year"], horizon_months=40, workload_growth_percent_per_year=-50))
    model_costs = costs.evaluate(costs.batch(rows))
    for i, scenario in enumerate(rows):
        for m in range(scenario.horizon_months):
            for s in explain.month(scenario, m):
                assert s.value == pytest.approx(model_costs.values(s.key)[i, m], rel=1e-9, abs=1e-9), (i, m, s.key)
