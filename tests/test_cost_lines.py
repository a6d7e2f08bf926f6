"""The cost lines of a real deployment against hand computations: month 1 and the horizon's total of each.

The fleet: 4 devices bought by hand at 1,000 each, on 2 sites, a 12-month life, 10 % salvage, a 24-month horizon
(so the devices are bought at go-live and again in month 13, when the first ones are sold for salvage).
"""

from __future__ import annotations

import numpy as np
import pytest

from planner.catalogs import catalog
from planner.model import costs, explain, risk
from planner.model.finance import analyse
from planner.schema.scenario import to_dict, validate

pytestmark = pytest.mark.unit

FLEET = dict(
    device_sizing="manual",
    devices_manual=4,
    sites=2,
    device_price=1000,
    install_per_device=0,
    useful_life_months=12,
    salvage_percent=10,
    failure_percent_per_year=12,
    management_per_month=0,
    electricity_per_kwh=0,
    feedback_percent=0,
    horizon_months=24,
    discount_percent_per_year=0,
)
DEVICES, SITES, PRICE, LIFE, SALVAGE, HORIZON = 4, 2, 1000.0, 12, 0.10, 24


def scenario(**changes):
    return validate({**FLEET, **changes})


def line(s, key) -> np.ndarray:
    return costs.evaluate(costs.batch([s])).values(key)[0]


def month_one(s, key) -> float:
    return next(step.value for step in explain.first_month(s) if step.key == key)


def test_spares_pool_is_bought_refreshed_and_sold_with_the_devices():
    s = scenario(spares_percent=25)
    spares = DEVICES * 0.25  # one device's worth of spares
    at_go_live = spares * PRICE
    at_refresh = spares * PRICE - spares * PRICE * SALVAGE  # bought again, the old pool sold for salvage
    values = line(s, "spares")
    assert values[0] == pytest.approx(at_go_live) == month_one(s, "spares")
    assert values[LIFE] == pytest.approx(at_refresh)
    assert values.sum() == pytest.approx(at_go_live + at_refresh)
    # accounting view: the pool's price less salvage over its life, every month
    spread = line(s, "spares_depreciation")
    assert spread == pytest.approx(np.full(HORIZON, spares * PRICE * (1 - SALVAGE) / LIFE))
    assert spread.sum() == pytest.approx(HORIZON / LIFE * spares * PRICE * (1 - SALVAGE))


def test_spares_pool_adds_its_embodied_emissions():
    s = scenario(spares_percent=25, device_embodied_kgco2e=200)
    c = costs.evaluate(costs.batch([s]))
    assert c.values("edge_purchase")[0, 0] == pytest.approx(DEVICES * 1.25 * 200)
    assert c.values("edge_embodied")[0, 0] == pytest.approx(DEVICES * 1.25 * 200 / LIFE)
    assert c.values("edge_failures")[0, 0] == pytest.approx(DEVICES * 0.12 / 12 * 200)  # failures: no spares
    kg = {step.key: step.value for step in explain.carbon_month(s, 0)}
    assert kg["edge_purchase"] == pytest.approx(DEVICES * 1.25 * 200)


def test_spares_pool_in_the_edge_capex_and_the_cash_flows():
    f = analyse(costs.evaluate(costs.batch([scenario(), scenario(spares_percent=25)])), "cash")
    # the running edge costs do not change: the pool's capex is all that differs, and the savings lose it
    extra = DEVICES * 0.25 * PRICE + DEVICES * 0.25 * PRICE * (1 - SALVAGE)
    assert f.edge_capex[1].sum() - f.edge_capex[0].sum() == pytest.approx(extra)
    assert f.savings_total[0] - f.savings_total[1] == pytest.approx(extra)


def test_hardware_support_per_device_year():
    s = scenario(hardware_support_per_device_year=240)
    assert month_one(s, "hardware_support") == pytest.approx(DEVICES * 240 / 12)  # 80 a month
    assert line(s, "hardware_support").sum() == pytest.approx(DEVICES * 240 * HORIZON / 12)


def test_installation_visits_at_go_live_and_each_refresh():
    s = scenario(install_per_site=800)
    values = line(s, "site_visits")
    assert values[0] == pytest.approx(SITES * 800) == month_one(s, "site_visits")
    assert np.flatnonzero(values).tolist() == [0, LIFE]
    assert values.sum() == pytest.approx(HORIZON / LIFE * SITES * 800)
    spread = line(s, "site_visits_spread")  # accounting: the visit over the life it serves
    assert spread == pytest.approx(np.full(HORIZON, SITES * 800 / LIFE))
    assert spread.sum() == pytest.approx(values.sum())


def test_a_truck_roll_per_failure():
    s = scenario(truck_roll_per_visit=300)
    failures_per_month = DEVICES * 0.12 / 12
    assert month_one(s, "failure_visits") == pytest.approx(failures_per_month * 300)  # 12 a month
    assert line(s, "failure_visits").sum() == pytest.approx(failures_per_month * 300 * HORIZON)


def test_software_licences_per_device_and_per_gpu():
    s = scenario(licence_per_device_year=120, licence_per_gpu_year=4500, gpus_per_device=2)
    per_month = DEVICES * (120 + 2 * 4500) / 12
    assert month_one(s, "software_licences") == pytest.approx(per_month)  # 3,040 a month
    assert line(s, "software_licences").sum() == pytest.approx(per_month * HORIZON)
    # no GPUs counted: the per-GPU licence costs nothing
    assert line(scenario(licence_per_gpu_year=4500, gpus_per_device=0), "software_licences").sum() == 0


def test_the_new_lines_are_zero_by_default():
    c = costs.evaluate(costs.batch([scenario()]))
    for key in costs.COMPONENT_BY_KEY:
        if key in costs.DEPLOYMENT_KEYS:
            assert not c.values(key).any(), key


def test_lines_follow_a_growing_fleet():
    # auto sizing on a growing workload (×2 a year): 1 device per site at go-live, more as it grows
    s = scenario(
        device_sizing="auto",
        cameras=2,
        analysed_fps=1,
        device_throughput_ips=1.5,
        sizing_headroom_percent=0,
        workload_growth_percent_per_year=100,
        useful_life_months=24,
        hardware_support_per_device_year=120,
        spares_percent=50,
    )
    c = costs.evaluate(costs.batch([s]))
    devices = c.values("devices")[0]
    assert devices[0] == 2 and devices[-1] == 6  # 1 camera × 1 frame/s × 2^(23/12) ÷ 1.5 → 3 a site
    assert c.values("hardware_support")[0] == pytest.approx(devices * 10)
    assert c.values("spares")[0] == pytest.approx(c.values("devices_bought")[0] * 0.5 * PRICE)


def test_a_line_set_joins_the_tornado_with_its_swing():
    s = scenario(licence_per_device_year=1200)
    assert "licence_per_device_year" in risk.key_inputs(s)
    assert "licence_per_device_year" not in risk.key_inputs(scenario())  # at 0: nothing to swing
    row = risk.tornado(s, percent=20).set_index("input").loc["licence_per_device_year"]
    # ± 20 % of 1,200 a device-year: 4 devices × 240 ÷ 12 × 24 months each way, less savings at the high end
    swing = DEVICES * 1200 * 0.2 / 12 * HORIZON
    assert (row.low, row.high) == pytest.approx((960, 1440))
    assert row.savings_low - row.savings_high == pytest.approx(2 * swing)


def test_monte_carlo_draws_a_line_input():
    s = scenario(truck_roll_per_visit=300)
    base = analyse(costs.evaluate(costs.batch([s])), "cash").savings_total[0]
    result = risk.monte_carlo(s, {"truck_roll_per_visit": risk.Distribution("uniform", low=100, high=500)}, draws=2_000)
    # savings fall by the call-outs: 4 devices × 12 % ÷ 12 × (visit cost − 300) × 24 months
    per_unit = DEVICES * 0.12 / 12 * HORIZON
    assert result.savings_total.min() >= base - per_unit * 200 - 1e-6
    assert result.savings_total.max() <= base + per_unit * 200 + 1e-6
    assert result.savings_total.mean() == pytest.approx(base, abs=per_unit * 10)


def test_a_catalog_figure_is_cited_when_used():
    cited = {p.fields: p for p in catalog.load().provenance(scenario(licence_per_gpu_year=4500))}
    assert "NVIDIA AI Enterprise" in cited[("licence_per_gpu_year",)].entry
    assert cited[("licence_per_gpu_year",)].as_of == "2025-04"
    assert not any(p.picker == "cost_line" for p in catalog.load().provenance(scenario()))  # 0: nothing to cite
    # every row names a numeric input, with a source and a date
    for row in catalog.load().cost_lines:
        assert row["field"] in risk.LINE_INPUTS and row["source"] and row["as_of"]


def test_a_fleet_site_row_sets_the_lines_in_its_own_columns():
    from planner.fleet import inventory, programme

    def plan(csv: str):
        fleet = inventory.make_fleet(csv, catalog.preset("retail"), None, None)
        assert fleet.inventory.errors == ()
        return programme.evaluate(fleet)

    edge = inventory.PLANS.index("all_edge")
    plain = plan("site\nplain\n")
    both = plan("site,install_per_site,licence_per_device_year\nshop,800,1200\nplain,,\n")
    devices = both.devices[0]  # the shop, sized from its load as the plain row is
    assert devices == plain.devices[0] > 0
    # the shop's visit is capex at go-live; its licences run every month: devices × 1,200 ÷ 12
    assert both.plan_capex[edge][0] == pytest.approx(2 * plain.plan_capex[edge][0] + 800)
    assert both.plan_opex[edge] == pytest.approx(2 * plain.plan_opex[edge] + devices * 1200 / 12)


# ── Object-storage requests ────────────────────────────────────────────────────────────────────────
REQUESTS = dict(
    cameras=10,
    hours_per_day=10,
    days_per_month=30,
    analysed_fps=0.5,
    storage_put_per_1000=0.005,
    storage_get_per_1000=0.0004,
    storage_reads_per_object=2,
    video_segment_s=6,
    feedback_percent=4,
)
OPERATING_S = 10 * 3600 * 30  # 1,080,000 s a month
FRAMES = 10 * 0.5 * OPERATING_S  # 5,400,000 frames a month
PER_OBJECT = (0.005 + 2 * 0.0004) / 1000  # a PUT and two GETs


def test_a_put_per_video_segment_and_gets_for_its_reads():
    s = scenario(**REQUESTS, cloud_upload="video")
    segments = 10 * OPERATING_S / 6  # 1,800,000 six-second segments
    assert month_one(s, "storage_requests") == pytest.approx(segments * PER_OBJECT)  # 10.44 a month
    assert line(s, "storage_requests").sum() == pytest.approx(segments * PER_OBJECT * HORIZON)


def test_a_put_per_uploaded_frame_and_per_feedback_frame():
    s = scenario(**REQUESTS, cloud_upload="frames", cloud_fee_change_percent_per_year=10)
    assert month_one(s, "storage_requests") == pytest.approx(FRAMES * PER_OBJECT)  # 31.32 a month
    fee_change = 1.1 ** (np.arange(HORIZON) / 12)  # storage fees change with the cloud's
    assert line(s, "storage_requests").sum() == pytest.approx(FRAMES * PER_OBJECT * fee_change.sum())
    feedback = FRAMES * 0.04  # the edge's feedback frames land in the same storage
    assert month_one(s, "feedback_requests") == pytest.approx(feedback * PER_OBJECT)
    assert line(s, "feedback_requests").sum() == pytest.approx(feedback * PER_OBJECT * fee_change.sum())


# ── Cloud support plan ─────────────────────────────────────────────────────────────────────────────
def billed(**changes):
    """A cloud bill of inference alone: 5,400,000 images a month at a flat 2 per 1,000 = 10,800 a month."""
    quiet = dict(uplink_per_gb=0, ingest_per_gb=0, storage_per_gb_month=0, egress_tiers=[{"start": 0, "price": 0}])
    no_requests = dict(storage_put_per_1000=0, storage_get_per_1000=0)
    return scenario(**REQUESTS | quiet | no_requests | {"inference_tiers": [{"start": 0, "price": 2.0}]} | changes)


def test_business_support_is_a_tiered_share_of_the_bill():
    s = billed(cloud_support_plan="business")
    bill = FRAMES * 2.0 / 1000
    assert line(s, "inference")[0] == pytest.approx(bill)  # 10,800
    fee = 0.10 * 10_000 + 0.07 * (bill - 10_000)  # 1,000 + 56 = 1,056
    assert month_one(s, "cloud_support") == pytest.approx(fee)
    assert line(s, "cloud_support").sum() == pytest.approx(fee * HORIZON)
    assert not line(billed(), "cloud_support").any()  # no plan, no fee


def test_a_support_plan_charges_its_minimum_and_converts_its_thresholds():
    s = billed(cloud_support_plan="enterprise")
    assert month_one(s, "cloud_support") == pytest.approx(15_000)  # 10 % of 10,800 is below the minimum
    # in a currency at 0.5 per USD the thresholds halve: 10 % of the first 5,000, then 7 %
    eur = billed(cloud_support_plan="business", fx_rate=0.5, currency="EUR")
    assert month_one(eur, "cloud_support") == pytest.approx(0.10 * 5_000 + 0.07 * (10_800 - 5_000))


def test_support_follows_a_growing_bill_through_its_tiers():
    s = billed(cloud_support_plan="business", workload_growth_percent_per_year=100)
    bill = FRAMES * 2.0 / 1000 * 2 ** (np.arange(HORIZON) / 12)  # 10,800 doubling each year
    fee = (
        0.10 * np.minimum(bill, 10_000) + 0.07 * np.clip(bill - 10_000, 0, 70_000) + 0.05 * np.maximum(bill - 80_000, 0)
    )
    assert line(s, "cloud_support") == pytest.approx(fee)


def test_the_published_worked_examples():
    """AWS's own examples: 85,000 USD of usage → 6,150 USD Business; 1,200,000 USD → 70,500 USD Enterprise."""
    for plan, usage, fee in (("business", 85_000, 6_150), ("enterprise", 1_200_000, 70_500)):
        s = billed(cloud_support_plan=plan, inference_tiers=[{"start": 0, "price": usage / FRAMES * 1000}])
        assert month_one(s, "cloud_support") == pytest.approx(fee)
        assert line(s, "cloud_support")[0] == pytest.approx(fee)


# ── Your own model: retraining and labelling ──────────────────────────────────────────────────────
OWN_MODEL = dict(
    retraining_gpu_hours_per_month=12,
    retraining_per_gpu_hour=1.006,
    labelling_per_image=0.036,
    labelled_percent=40,
    workload_growth_percent_per_year=50,
)


@pytest.mark.parametrize("pricing", ["serverless", "instances"])
def test_your_own_model_is_retrained_and_labelled_on_both_sides(pricing):
    s = scenario(**REQUESTS, **OWN_MODEL, inference_pricing=pricing)
    retraining = 12 * 1.006  # 12.072 a month
    labelled = FRAMES * 0.04 * 0.40  # 86,400 feedback frames labelled in month 1
    growth = 1.5 ** (np.arange(HORIZON) / 12)
    for side in ("cloud", "edge"):
        assert month_one(s, f"retraining_{side}") == pytest.approx(retraining)
        assert line(s, f"retraining_{side}").sum() == pytest.approx(retraining * HORIZON)
        assert month_one(s, f"labelling_{side}") == pytest.approx(labelled * 0.036)  # 3,110.40
        assert line(s, f"labelling_{side}").sum() == pytest.approx(labelled * 0.036 * growth.sum())


def test_a_managed_per_image_api_needs_neither():
    s = scenario(**REQUESTS, **OWN_MODEL, inference_pricing="per_image")
    assert not line(s, "retraining_cloud").any() and not line(s, "labelling_cloud").any()
    assert month_one(s, "retraining_cloud") == 0 and "per-image API" in next(
        step.arithmetic for step in explain.first_month(s) if step.key == "labelling_cloud"
    )
    assert line(s, "retraining_edge")[0] == pytest.approx(12 * 1.006)  # the edge runs its own model


# ── Network services and logs of a streaming ingest ────────────────────────────────────────────────
def test_load_balancer_nat_gateway_and_logs():
    s = scenario(
        **REQUESTS,
        cloud_upload="video",
        bitrate_mbps=4,
        load_balancer_per_hour=0.0225,
        load_balancer_per_gb=0.008,
        nat_gateway_per_hour=0.045,
        nat_gateway_per_gb=0.045,
        logging_per_gb=0.5,
        log_kb_per_inference=0.5,
    )
    upload_gb = 10 * 4e6 / 8 * OPERATING_S / 1e9  # 5,400 GB of video a month
    network = 730.5 * (0.0225 + 0.045) + upload_gb * (0.008 + 0.045)  # 49.31 + 286.20
    assert month_one(s, "network_services") == pytest.approx(network)
    assert line(s, "network_services").sum() == pytest.approx(network * HORIZON)
    logs = FRAMES * 0.5 / 1e6 * 0.5  # 2.7 GB of logs × 0.50
    assert month_one(s, "logging") == pytest.approx(logs)
    assert line(s, "logging").sum() == pytest.approx(logs * HORIZON)
    # both are on the cloud provider's bill that a support plan is a share of
    supported = scenario(**{**to_dict(s), "cloud_support_plan": "business"})
    bill = sum(line(s, key)[0] for key in costs.SUPPORTED_BILL)
    assert month_one(supported, "cloud_support") == pytest.approx(max(100, 0.10 * bill))
