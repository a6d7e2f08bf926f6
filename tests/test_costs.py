"""Every monthly cost component against a hand computation, and the seed article's two cases.

The small scenario `SMALL` (below) is worked out once here; each test states the arithmetic it relies on.

    operating time   8 h/day × 3600 s × 20 days                       = 576,000 s/month
    images           10 cameras × 0.5 frames/s × 576,000 s             = 2,880,000 images/month
    video upload     10 × 2 Mbps × 10⁶/8 B/s × 576,000 s / 10⁹          = 1,440 GB/month
    frames upload    2,880,000 × 200 KB / 10⁶                          = 576 GB/month
    results          2,880,000 × 2 KB / 10⁶                            = 5.76 GB/month
    feedback         2 % × 2,880,000 × 200 KB / 10⁶                    = 11.52 GB/month
    retention        60.875 days = 2 months of 30.4375 days (365.25/12), so the average volume held in
                     month m is ∫ₘ^{m+1} min(t, 2) dt = 0.5, 1.5, 2, 2, … months of uploads
    operating hours  8 × 20 = 160 h; the rest of a 730.5-h month (365.25 × 24 / 12) is 570.5 h
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from planner.catalogs import catalog
from planner.model import costs as cost_model
from planner.model.costs import COMPONENTS, batch, evaluate, side_components
from planner.model.finance import analyse
from planner.schema.scenario import replace, validate

pytestmark = pytest.mark.unit

# Every price zero: a test switches on only what it checks.
QUIET = dict(
    uplink_per_gb=0,
    ingest_per_gb=0,
    storage_per_gb_month=0,
    inference_tiers=[{"start": 0, "price": 0}],
    egress_tiers=[{"start": 0, "price": 0}],
    serverless_per_gb_second=0,
    serverless_per_million_requests=0,
    device_price=0,
    install_per_device=0,
    salvage_percent=0,
    failure_percent_per_year=0,
    management_per_month=0,
    electricity_per_kwh=0,
    feedback_percent=0,
    discount_percent_per_year=0,
)

SMALL = dict(
    name="small",
    cameras=10,
    hours_per_day=8,
    days_per_month=20,
    bitrate_mbps=2,
    analysed_fps=0.5,
    image_kb=200,
    result_kb=2,
    cloud_upload="video",
    inference_pricing="per_image",
    uplink_per_gb=0.5,
    ingest_per_gb=0.01,
    storage_per_gb_month=0.02,
    retention_days=60.875,
    inference_tiers=[{"start": 0, "price": 1.0}, {"start": 1_000_000, "price": 0.5}],  # per 1,000 images
    egress_tiers=[{"start": 0, "price": 0}, {"start": 2, "price": 0.5}],  # per GB
    serverless_per_gb_second=1e-5,
    serverless_memory_gb=1,
    serverless_ms_per_inference=100,
    serverless_per_million_requests=1.0,
    device_sizing="manual",
    devices_manual=3,
    device_price=1000,
    install_per_device=200,
    useful_life_months=12,
    salvage_percent=10,
    failure_percent_per_year=12,
    management_basis="per_device",
    management_per_month=10,
    sites=2,
    device_watts=100,
    electricity_per_kwh=0.2,
    pue=1.5,
    idle_power_percent=50,
    feedback_percent=2,
    horizon_months=36,
    discount_percent_per_year=0,
    workload_growth_percent_per_year=0,
    bandwidth_price_change_percent_per_year=0,
    cloud_fee_change_percent_per_year=0,
    electricity_price_change_percent_per_year=0,
)


def small(**changes):
    return validate({**SMALL, **changes})


def quiet(**values):
    return validate({**QUIET, **values})


def run(scenario, months=None):
    return cost_model.evaluate(cost_model.batch([scenario]), months)


def line(scenario, key, months=None) -> np.ndarray:
    """One cost line (or quantity) of one scenario: (M,) monthly values."""
    return run(scenario, months).values(key)[0]


# ── Quantities ──────────────────────────────────────────────────────────────────────────────────────
def test_quantities_by_hand():
    c = run(small())
    assert c.values("images")[0, 0] == pytest.approx(2_880_000)
    assert c.values("upload_gb")[0, 0] == pytest.approx(1_440)  # video
    assert c.values("result_gb")[0, 0] == pytest.approx(5.76)
    assert c.values("feedback_gb")[0, 0] == pytest.approx(11.52)
    assert c.values("devices")[0].tolist() == [3.0] * 36
    assert line(small(cloud_upload="frames"), "upload_gb")[0] == pytest.approx(576)


# ── Cloud side ──────────────────────────────────────────────────────────────────────────────────────
def test_video_upload_lines():
    s = small()
    # 1,440 GB × 0.5 USD/GB = 720; 1,440 GB × 0.01 USD/GB = 14.4 — the same every month without growth
    assert line(s, "site_uplink") == pytest.approx(np.full(36, 720.0))
    assert line(s, "cloud_ingest") == pytest.approx(np.full(36, 14.4))


def test_frames_upload_lines():
    s = small(cloud_upload="frames")
    # 576 GB × 0.5 = 288; 576 GB × 0.01 = 5.76
    assert line(s, "site_uplink")[0] == pytest.approx(288.0)
    assert line(s, "cloud_ingest")[0] == pytest.approx(5.76)
    # storage holds frames instead of video: 576 GB × 0.02 × (0.5, 1.5, 2) = 5.76, 17.28, 23.04
    assert line(s, "cloud_storage")[:4] == pytest.approx([5.76, 17.28, 23.04, 23.04])


def test_frames_cost_less_to_upload_than_the_video_they_come_from_here():
    video, frames = small(), small(cloud_upload="frames")
    assert line(frames, "site_uplink")[0] < line(video, "site_uplink")[0]
    # Inference does not depend on what is uploaded.
    assert line(frames, "inference")[0] == pytest.approx(line(video, "inference")[0])


def test_per_image_inference_is_tiered():
    # 1M × 1.0/1000 + 1.88M × 0.5/1000 = 1,000 + 940 = 1,940 USD
    assert line(small(), "inference") == pytest.approx(np.full(36, 1940.0))


def test_serverless_inference():
    s = small(inference_pricing="serverless")
    # per image: 0.1 s × 1 GB × 1e-5 USD/GB-s + 1.0 USD / 10⁶ requests = 2e-6 USD; × 2.88M = 5.76 USD
    assert line(s, "inference") == pytest.approx(np.full(36, 5.76))
    # memory and duration scale the compute part only: 0.2 s × 4 GB × 1e-5 = 8e-6, + 1e-6 → 9e-6 × 2.88M
    s2 = small(inference_pricing="serverless", serverless_memory_gb=4, serverless_ms_per_inference=200)
    assert line(s2, "inference")[0] == pytest.approx(25.92)


def test_negotiated_discount_applies_to_inference_only():
    # 25 % off the list price: per image 1,940 × 0.75 = 1,455; serverless 5.76 × 0.75 = 4.32
    assert line(small(inference_discount_percent=25), "inference")[0] == pytest.approx(1455.0)
    assert line(small(inference_discount_percent=25, inference_pricing="serverless"), "inference")[0] == pytest.approx(
        4.32
    )
    assert line(small(inference_discount_percent=25), "site_uplink")[0] == pytest.approx(720.0)


def test_results_egress_is_tiered():
    # 5.76 GB: the first 2 GB free, then 3.76 × 0.5 = 1.88 USD
    assert line(small(), "results_egress")[0] == pytest.approx(1.88)
    # below the free tier it costs nothing: 2.88M × 0.5 KB = 1.44 GB < 2 GB
    assert line(small(result_kb=0.5), "results_egress")[0] == 0.0


def test_storage_fills_up_over_the_retention_period():
    # 1,440 GB × 0.02 USD/GB-month × (0.5, 1.5, 2, 2, …) months held
    assert line(small(), "cloud_storage")[:5] == pytest.approx([14.4, 43.2, 57.6, 57.6, 57.6])


def test_short_retention_and_no_retention():
    # 15.21875 days = 0.5 month: ∫₀¹ min(t, ½) dt = ⅛ + ¼ = 0.375, then 0.5 every month
    # 1,440 × 0.02 × 0.375 = 10.8; × 0.5 = 14.4
    assert line(small(retention_days=15.21875), "cloud_storage")[:3] == pytest.approx([10.8, 14.4, 14.4])
    assert line(small(retention_days=0), "cloud_storage").tolist() == [0.0] * 36


def test_stored_months_by_hand():
    # R = 3.5 months: 0.5, 1.5, 2.5, then ∫₃^⁴ min(t, 3.5) = 3.25 + 0.125 = 3.375, then 3.5
    r_days = 3.5 * 365.25 / 12
    got = cost_model.stored_months(6, np.array([r_days]))
    assert got[0] == pytest.approx([0.5, 1.5, 2.5, 3.375, 3.5, 3.5])


def test_cloud_month_total_by_hand():
    # 720 + 14.4 + 1,940 + 1.88 + 14.4 (storage, half a month held) = 2,690.68
    c = run(small())
    assert c.total("cloud")[0, 0] == pytest.approx(2690.68)
    assert c.total("cloud")[0, 2] == pytest.approx(2690.68 - 14.4 + 57.6)


# ── Growth and price changes ────────────────────────────────────────────────────────────────────────
GROWING = dict(
    workload_growth_percent_per_year=21,
    bandwidth_price_change_percent_per_year=-19,
    cloud_fee_change_percent_per_year=44,
    electricity_price_change_percent_per_year=21,
)
# After 6 months: growth 1.21^½ = 1.1, bandwidth 0.81^½ = 0.9, fees 1.44^½ = 1.2, electricity 1.1;
# after 12 months: 1.21, 0.81, 1.44, 1.21.


def test_growth_and_price_changes_compound_monthly():
    s = small(**GROWING)
    # uplink: 720 × growth × bandwidth price → m6: 720 × 1.1 × 0.9 = 712.8; m12: 720 × 1.21 × 0.81 = 705.672
    uplink = line(s, "site_uplink")
    assert uplink[[0, 6, 12]] == pytest.approx([720.0, 712.8, 705.672])
    # ingest follows bandwidth prices too: 14.4 × 1.21 × 0.81 = 14.11344
    assert line(s, "cloud_ingest")[12] == pytest.approx(14.11344)
    # monthly, not yearly steps: m1 = 720 × (1.21 × 0.81)^(1/12)
    assert uplink[1] == pytest.approx(720 * (1.21 * 0.81) ** (1 / 12))


def test_tiers_apply_to_the_grown_volume():
    s = small(**GROWING)
    inference = line(s, "inference")
    # m6: 3,168,000 images → 1,000 + 2,168,000 × 0.0005 = 2,084; × fee 1.2 = 2,500.8
    # m12: 3,484,800 images → 1,000 + 2,484,800 × 0.0005 = 2,242.4; × fee 1.44 = 3,229.056
    # (growing the month-0 cost instead would give 1,940 × 1.21 × 1.44 = 3,380.3)
    assert inference[[6, 12]] == pytest.approx([2500.8, 3229.056])
    # egress m12: 5.76 × 1.21 = 6.9696 GB → (6.9696 − 2) × 0.5 = 2.4848; × bandwidth 0.81 = 2.012688
    assert line(s, "results_egress")[12] == pytest.approx(2.012688)


def test_tiers_crossed_only_through_growth():
    # Second tier from 3M images: month 0 (2.88M) is all first tier → 2,880 USD; by month 12
    # 3,484,800 images → 3,000 + 484,800 × 0.0005 = 3,242.4, × fee 1.44 = 4,669.056
    s = small(inference_tiers=[{"start": 0, "price": 1.0}, {"start": 3_000_000, "price": 0.5}], **GROWING)
    inference = line(s, "inference")
    assert inference[0] == pytest.approx(2880.0)
    assert inference[12] == pytest.approx(4669.056)
    # results: 5.76 GB at m0, free up to 6 GB, then 1 USD/GB; m12: 6.9696 GB → 0.9696 × 0.81 = 0.785376
    s = small(egress_tiers=[{"start": 0, "price": 0}, {"start": 6, "price": 1}], **GROWING)
    egress = line(s, "results_egress")
    assert egress[0] == 0.0
    assert egress[12] == pytest.approx(0.785376)


def test_growth_compounds_serverless_storage_electricity_and_feedback():
    s = small(inference_pricing="serverless", **GROWING)
    # serverless: 5.76 × 1.21 × 1.44 = 10.036224
    assert line(s, "inference")[12] == pytest.approx(10.036224)
    # storage m12: 1,440 × 1.21 × 2 months held × 0.02 × 1.44 = 100.36224
    assert line(s, "cloud_storage")[12] == pytest.approx(100.36224)
    # electricity (fixed fleet of 3): 40.0725 × 1.21 = 48.487725 (see test_electricity_with_idle_power_and_pue)
    assert line(s, "electricity")[12] == pytest.approx(48.487725)
    # feedback uplink: 5.76 × 1.21 × 0.81 = 5.645376
    assert line(s, "feedback_uplink")[12] == pytest.approx(5.645376)
    # management and failures of a hand-sized fleet do not grow
    assert line(s, "management")[12] == pytest.approx(30.0)
    assert line(s, "failures")[12] == pytest.approx(36.0)


def test_shrinking_workload_is_allowed():
    # −19 %/year: 720 × 0.81 at month 12 = 583.2
    assert line(small(workload_growth_percent_per_year=-19), "site_uplink")[12] == pytest.approx(583.2)


# ── Edge side ───────────────────────────────────────────────────────────────────────────────────────
def test_hardware_refresh_at_end_of_life_with_salvage():
    s = small()
    hardware = line(s, "hardware")
    expected = np.zeros(36)
    expected[0] = 3 * 1000  # 3 devices bought at go-live
    expected[[12, 24]] = 3 * (1000 - 100)  # replaced after 12 months; each old one sold for 10 %
    assert hardware == pytest.approx(expected)
    installation = np.zeros(36)
    installation[[0, 12, 24]] = 3 * 200  # installed again with every purchase
    assert line(s, "installation") == pytest.approx(installation)
    assert line(s, "devices_bought").tolist() == [3.0 if m % 12 == 0 else 0.0 for m in range(36)]


def test_no_refresh_within_a_short_horizon():
    hardware = line(small(horizon_months=12), "hardware")
    assert hardware.tolist() == [3000.0] + [0.0] * 11


def test_accounting_depreciation():
    s = small()
    # 3 × (1,000 + 200 − 100 salvage) / 12 months = 275 per month
    assert line(s, "depreciation") == pytest.approx(np.full(36, 275.0))
    c = run(s)
    cash_keys = {i.key for i in side_components("edge", "cash")}
    accounting_keys = {i.key for i in side_components("edge", "accounting")}
    assert cash_keys - accounting_keys == {
        "hardware",
        "installation",
        "carbon_edge_purchase",
        "spares",
        "site_visits",
        "terminal_edge",
    }
    assert accounting_keys - cash_keys == {
        "depreciation",
        "carbon_edge_embodied",
        "spares_depreciation",
        "site_visits_spread",
    }
    # accounting month: 275 + failures 36 + management 30 + electricity 40.0725 + feedback 5.76 + 0.2304
    assert c.total("edge", "accounting")[0, 0] == pytest.approx(387.0629)
    # cash month 0: 3,000 + 600 + 36 + 30 + 40.0725 + 5.76 + 0.2304
    assert c.total("edge", "cash")[0, 0] == pytest.approx(3712.0629)
    assert c.total("edge", "cash", lump=True)[0].sum() == pytest.approx(3600 + 2 * (2700 + 600))


def test_depreciation_over_the_life_recovers_price_less_salvage():
    s = small(install_per_device=0)
    # over one life (12 months): 3 × (1,000 − 100) = 2,700 = cash paid for the first cycle less resale
    assert line(s, "depreciation")[:12].sum() == pytest.approx(2700.0)


def test_failures():
    # 3 devices × 12 %/year ÷ 12 × (1,000 + 200) = 36 per month
    assert line(small(), "failures") == pytest.approx(np.full(36, 36.0))


def test_management_per_device_or_per_site():
    # per device: 3 × 10 = 30; per site: 2 sites × 10 = 20
    assert line(small(), "management")[0] == pytest.approx(30.0)
    assert line(small(management_basis="per_site"), "management")[0] == pytest.approx(20.0)
    # a per-site fee does not depend on the device count
    assert line(small(management_basis="per_site", devices_manual=50), "management")[0] == pytest.approx(20.0)


def test_electricity_with_idle_power_and_pue():
    # 3 devices × 0.1 kW × (160 h + 50 % × 570.5 h) × PUE 1.5 × 0.2 USD/kWh
    #   = 3 × 0.1 × 445.25 × 1.5 × 0.2 = 40.0725
    assert line(small(), "electricity") == pytest.approx(np.full(36, 40.0725))
    # no idle draw: 3 × 0.1 × 160 × 1.5 × 0.2 = 14.4
    assert line(small(idle_power_percent=0), "electricity")[0] == pytest.approx(14.4)
    # always on at full load: 3 × 0.1 × 730.5 × 1 × 0.2 = 43.83
    assert line(small(idle_power_percent=100, pue=1), "electricity")[0] == pytest.approx(43.83)
    # 24 h × 31 days = 744 h exceeds the average month: no idle hours, never negative ones
    # 3 × 0.1 × 744 × 1.5 × 0.2 = 66.96
    assert line(small(hours_per_day=24, days_per_month=31), "electricity")[0] == pytest.approx(66.96)


def test_feedback_loop_lines():
    s = small()
    # 11.52 GB × 0.5 USD/GB uplink = 5.76
    assert line(s, "feedback_uplink") == pytest.approx(np.full(36, 5.76))
    # ingest 11.52 × 0.01 = 0.1152, plus storage 11.52 × 0.02 × (0.5, 1.5, 2) = 0.1152, 0.3456, 0.4608
    assert line(s, "feedback_cloud")[:4] == pytest.approx([0.2304, 0.4608, 0.576, 0.576])
    assert line(small(feedback_percent=0), "feedback_uplink").tolist() == [0.0] * 36
    # feedback is charged to the edge side; the cloud side has its own uploads
    assert {c.key: c.side for c in COMPONENTS}["feedback_uplink"] == "edge"


# ── Auto sizing ─────────────────────────────────────────────────────────────────────────────────────
AUTO = dict(
    device_sizing="auto", cameras=10, sites=2, analysed_fps=0.5, sizing_headroom_percent=25, device_throughput_ips=1
)


def test_auto_sizing_is_per_site():
    # per site: 10/2 cameras × 0.5 fps × 1.25 = 3.125 inferences/s ÷ 1 per device → ceil → 4; × 2 sites = 8
    # (sizing the whole fleet at once would give ceil(6.25) = 7)
    assert line(small(**AUTO), "devices")[0] == 8
    # exactly full devices are not rounded up: 4 cameras × 0.5 × 1.0 ÷ 1 = 2 per site
    assert line(small(**{**AUTO, "cameras": 8, "sizing_headroom_percent": 0}), "devices")[0] == 4
    # 1 site: ceil(10 × 0.5 × 1.25 / 1) = ceil(6.25) = 7
    assert line(small(**{**AUTO, "sites": 1}), "devices")[0] == 7
    # no cameras, no devices
    assert line(small(**{**AUTO, "cameras": 0}), "devices")[0] == 0


def test_auto_sizing_buys_more_devices_as_the_workload_grows():
    s = small(**AUTO, workload_growth_percent_per_year=100, horizon_months=18)
    # per site 3.125 × 2^(m/12), rounded up:
    #   m0–4 → 4 (m4: 3.937), m5–8 → 5 (m5: 4.171, m8: 4.961), m9–11 → 6 (m9: 5.256, m11: 5.899),
    #   m12–13 → 7 (m12: 6.25), m14–16 → 8 (m14: 7.015), m17 → 9 (8.343); × 2 sites
    devices = [8] * 5 + [10] * 4 + [12] * 3 + [14] * 2 + [16] * 3 + [18]
    assert line(s, "devices").tolist() == devices
    # bought: growth purchases, plus the go-live 8 replaced at m12 and the m5 pair at m17 (life 12)
    bought = np.zeros(18)
    bought[[0, 5, 9, 12, 14, 17]] = [8, 2, 2, 2 + 8, 2, 2 + 2]
    assert line(s, "devices_bought") == pytest.approx(bought)
    # hardware: new devices at 1,000; a replacement costs 1,000 less the old one's 100 salvage
    hardware = np.zeros(18)
    hardware[[0, 5, 9, 12, 14, 17]] = [8000, 2000, 2000, 2 * 1000 + 8 * 900, 2000, 2 * 1000 + 2 * 900]
    assert line(s, "hardware") == pytest.approx(hardware)
    # running costs follow the fleet: failures 12 %/yr ÷ 12 × 1,200 = 12 per device-month
    assert line(s, "failures") == pytest.approx(12.0 * np.array(devices))
    assert line(s, "management") == pytest.approx(10.0 * np.array(devices))  # per device


def test_a_vanishingly_small_growth_rate_buys_the_fleet_once():
    # 1e-322 %/year is a valid (positive) growth rate whose monthly factor rounds to exactly 1: the fleet
    # must behave as a fixed one — 8 devices bought at go-live, replaced at month 12, nothing in between.
    s = small(**AUTO, workload_growth_percent_per_year=1e-322, horizon_months=18)
    assert line(s, "devices").tolist() == [8.0] * 18
    assert line(s, "devices_bought").tolist() == [8.0 if m in (0, 12) else 0.0 for m in range(18)]
    hardware = np.zeros(18)
    hardware[[0, 12]] = [8000, 8 * 900]
    assert line(s, "hardware") == pytest.approx(hardware)


def test_a_vanishingly_small_growth_rate_in_a_batch_with_different_lives():
    # Same rate, in a batch whose rows have different useful lives (6 and 12 months): no crash, and
    # each row refreshes its fixed fleet of 8 on its own schedule.
    rows = [
        small(**AUTO, workload_growth_percent_per_year=1e-322, useful_life_months=life, horizon_months=13)
        for life in (6, 12)
    ]
    bought = cost_model.evaluate(cost_model.batch(rows)).values("devices_bought")
    assert np.flatnonzero(bought[0]).tolist() == [0, 6, 12]
    assert np.flatnonzero(bought[1]).tolist() == [0, 12]
    assert bought[:, 0].tolist() == [8.0, 8.0]


def test_manual_sizing_ignores_growth():
    s = small(workload_growth_percent_per_year=100)
    assert line(s, "devices").tolist() == [3.0] * 36


# ── The seed article ────────────────────────────────────────────────────────────────────────────────
def _first_month(scenario):
    c = run(scenario)
    return {k: c.values(k)[0, 0] for k in [*(i.key for i in COMPONENTS), "devices"]}


def test_retail_store_seed_case():
    """50 cameras, 12 h/day: cloud $15,000–20,000/month; 5 edge servers for $10,000 + $500/month
    management; return on investment in month 1."""
    s = catalog.preset("retail")
    m = _first_month(s)
    # 12 h × 3600 s × 30 days = 1,296,000 s; images 50 × 0.4 × 1,296,000 = 25,920,000
    # video 50 × 4 Mbps × 10⁶/8 × 1,296,000 / 10⁹ = 32,400 GB
    assert m["site_uplink"] == pytest.approx(32_400 * 0.01)  # 324
    assert m["cloud_ingest"] == pytest.approx(32_400 * 0.0085)  # 275.4
    # Rekognition tiers: 1M × 0.001 + 4M × 0.0008 + 20.92M × 0.0006 = 1,000 + 3,200 + 12,552
    assert m["inference"] == pytest.approx(16_752.0)
    # results 25.92M × 1 KB = 25.92 GB, inside the 100 GB free tier
    assert m["results_egress"] == 0.0
    # storage: retention R = 30 / 30.4375 months, month 0 holds R − R²/2 months of uploads
    r = 30 / (365.25 / 12)
    assert m["cloud_storage"] == pytest.approx(32_400 * 0.023 * (r - r * r / 2))  # ≈ 372.52
    cloud = m["site_uplink"] + m["cloud_ingest"] + m["inference"] + m["cloud_storage"]
    assert 15_000 <= cloud <= 20_000

    assert m["devices"] == 5
    assert m["hardware"] + m["installation"] == pytest.approx(10_000)  # 5 × 2,000
    assert m["management"] == pytest.approx(500)
    # electricity 5 × 0.25 kW × (360 h + 30 % × 370.5 h) × 1.2 × 0.13 = 91.87
    assert m["electricity"] == pytest.approx(5 * 0.25 * (360 + 0.3 * 370.5) * 1.2 * 0.13)
    # failures 5 × 3 %/12 × 2,000 = 25; feedback 1 % × 25.92M × 150 KB = 38.88 GB × 0.01 = 0.3888
    assert m["failures"] == pytest.approx(25.0)
    assert m["feedback_uplink"] == pytest.approx(0.3888)
    edge_running = m["management"] + m["electricity"] + m["failures"] + m["feedback_uplink"] + m["feedback_cloud"]
    assert edge_running == pytest.approx(618.04, abs=0.01)

    f = analyse(run(s), "cash", s.discount_percent_per_year)
    # capex 10,000 paid at go-live, recovered at (cloud − edge running) per month
    assert f.break_even_month[0] == pytest.approx(10_000 / (cloud - edge_running))
    assert f.break_even_month[0] < 1  # pays back in month 1


def test_manufacturing_seed_case():
    """$12,000/month of bandwidth streaming HD video to the cloud; a $500 edge device; monthly costs
    near zero afterwards."""
    s = catalog.preset("manufacturing")
    m = _first_month(s)
    # 12 cameras × 10 Mbps × 10⁶/8 × (24 × 3600 × 30 = 2,592,000 s) / 10⁹ = 38,880 GB × 0.31 USD/GB
    assert m["site_uplink"] == pytest.approx(38_880 * 0.31)  # 12,052.80
    assert m["site_uplink"] == pytest.approx(12_000, rel=0.05)
    # one device: 12 × 0.1 fps × 1.3 / 215 per s = 0.007 → 1
    assert m["devices"] == 1
    assert m["hardware"] + m["installation"] == pytest.approx(500)
    # electricity 0.02 kW × (720 h + 30 % × 10.5 h) × 1.2 × 0.13 = 2.2562; failures 3 %/12 × 500 = 1.25
    assert m["electricity"] == pytest.approx(0.02 * (720 + 0.3 * 10.5) * 1.2 * 0.13)
    assert m["failures"] == pytest.approx(1.25)
    assert m["management"] == 0
    edge_running = sum(m[k] for k in ("failures", "management", "electricity", "feedback_uplink", "feedback_cloud"))
    cloud = sum(m[i.key] for i in side_components("cloud"))
    assert edge_running < 10 and edge_running < 0.001 * cloud  # "near zero"
    f = analyse(run(s), "cash", s.discount_percent_per_year)
    assert f.break_even_month[0] == pytest.approx(500 / (cloud - edge_running))
    assert f.break_even_month[0] < 1


# ── Batches ─────────────────────────────────────────────────────────────────────────────────────────
def test_batch_rows_with_different_lives_refresh_on_their_own_schedule():
    c = cost_model.evaluate(cost_model.batch([small(), small(useful_life_months=18)]))
    bought = c.values("devices_bought")
    assert np.flatnonzero(bought[0]).tolist() == [0, 12, 24]
    assert np.flatnonzero(bought[1]).tolist() == [0, 18]


def test_batch_overrides_are_validated_and_rounded():
    b = cost_model.batch([small()], cameras=[10, 20.4], uplink_per_gb=1.0)
    assert b.n == 2 and b["cameras"].tolist() == [10, 20] and b["uplink_per_gb"].tolist() == [1.0, 1.0]
    c = cost_model.evaluate(b)
    # 1,440 GB per 10 cameras at 1 USD/GB
    assert c.values("site_uplink")[:, 0] == pytest.approx([1440.0, 2880.0])
    with pytest.raises(ValueError, match="cameras"):
        cost_model.batch([small()], cameras=[-1, 5])
    with pytest.raises(ValueError, match="hours_per_day"):
        cost_model.batch([small()], hours_per_day=float("nan"))
    with pytest.raises(ValueError):
        cost_model.batch([small()], cloud_upload=[1, 2])
    with pytest.raises(ValueError):
        cost_model.batch([])


def test_evaluate_over_more_months_than_the_horizon():
    c = run(small(horizon_months=6), months=24)
    assert c.values("site_uplink").shape == (1, 24)
    assert c.horizon.tolist() == [6]


def test_component_metadata_is_complete():
    assert len({c.key for c in COMPONENTS}) == len(COMPONENTS)
    for c in COMPONENTS:
        assert c.side in ("cloud", "edge") and c.label and c.bill and c.formula
        assert set(c.views) <= {"cash", "accounting"} and c.views
    assert {c.key for c in COMPONENTS if c.lump} == {
        "hardware",
        "installation",
        "commitment_upfront",
        "carbon_edge_purchase",
        "spares",
        "site_visits",
    }
    assert math.isclose(cost_model.HOURS_PER_CALENDAR_MONTH, 730.5)


def test_per_row_choices_equal_scenarios_with_those_choices():
    """`batch(..., choices=)` gives each row its own choice, as a list of scenarios would; a bad one is refused."""
    retail = catalog.preset("retail")
    pricing = np.array(["per_image", "serverless", "instances"], dtype=object)
    by_choices = evaluate(batch([retail], {"inference_pricing": pricing}))
    by_scenarios = evaluate(batch([replace(retail, inference_pricing=p) for p in pricing]))
    for side in ("cloud", "edge"):
        np.testing.assert_array_equal(by_choices.total(side), by_scenarios.total(side))
    with pytest.raises(ValueError, match="inference_pricing: every value must be one of"):
        batch([retail], {"inference_pricing": np.array(["free"], dtype=object)})
    with pytest.raises(ValueError, match="'cameras' is not a choice field"):
        batch([retail], {"cameras": np.array([3.0])})


# ── Lines from their declared formula ──────────────────────────────────────────────────────────────
def test_a_workbook_formula_reads_as_python_over_terms():
    """`python_of` maps the workbook's syntax one to one; IF's branches are built only when taken."""
    assert cost_model.python_of("{devices}*device_price^2") == "q_devices*device_price**2"
    assert (
        cost_model.python_of('MAX(a,1)*IF(inference_pricing="instances",{instances},MIN(b,IF(MOD({m},c)=0,2,3)))')
        == "_max(a,1)*_if(instances,lambda:q_instances,lambda:_min(b,_if(_mod(q_m,c)==0,lambda:2,lambda:3)))"
    )
    assert (
        cost_model.python_of(cost_model.excel_tiers("{images}*k", "egress_tier")) == '_tiers(q_images*k,"egress_tier")'
    )
    with pytest.raises(KeyError):  # a choice with no flag column cannot be evaluated: refused when declared
        cost_model.python_of('IF(cloud_upload="carrier_pigeon",1,0)')


def test_terms_arithmetic_by_hand():
    """Two scenarios, three months: (2·g + 3) × (a − {h}) with g = [1, 2, 4] and h = [1, 1, 1] × 5."""
    context = cost_model.Context(2, 3)
    g = np.array([[1.0, 2.0, 4.0]])
    grown = cost_model.Terms((cost_model.Component(np.array([[2.0], [1.0]]), g),), context)
    h = cost_model.Terms((cost_model.Component(np.array([[5.0], [5.0]]), cost_model.ONE),), context)
    a = np.array([[10.0], [20.0]])
    line = (grown + 3) * (a - h) / 2
    total = cost_model.sum_terms(line.terms, 2, 3)
    expected = (np.array([[2.0], [1.0]]) * g + 3) * (a - 5) / 2
    np.testing.assert_allclose(total, expected)
    assert (grown * grown).terms[0].factor is (grown * grown).terms[0].factor  # one product per pair of factors
    chosen = cost_model._if(context, np.array([[True], [False]]), lambda: grown, lambda: np.array([[np.inf], [7.0]]))
    np.testing.assert_allclose(cost_model.sum_terms(chosen.terms, 2, 3), [[2, 4, 8], [7, 7, 7]])  # no inf leaks
    # Not linear: MAX and a comparison of monthly values are worked on the grid, IF then picks per month.
    capped = cost_model._elementwise(np.maximum, context, grown, np.array([[3.0], [3.0]]))
    np.testing.assert_allclose(cost_model.sum_terms(capped.terms, 2, 3), [[3, 4, 8], [3, 3, 4]])
    monthly = cost_model._if(context, grown > 3, lambda: 1.0, lambda: grown)
    np.testing.assert_allclose(cost_model.sum_terms(monthly.terms, 2, 3), [[2, 1, 1], [1, 2, 1]])


def test_every_line_is_its_workbook_formula():
    """Each money and carbon line equals its declared formula worked by hand on a mixed batch (one scenario per
    pricing mode, carbon priced) — the engine has no other encoding of the lines."""
    retail = replace(catalog.preset("retail"), carbon_price_per_tonne=50.0, workload_growth_percent_per_year=12.0)
    pricing = np.array(["per_image", "serverless", "instances"], dtype=object)
    c = evaluate(batch([retail], {"inference_pricing": pricing}))
    m = np.arange(c.months)
    growth = 1.12 ** (m / 12)
    upload = c.values("upload_gb")
    np.testing.assert_allclose(
        c.values("site_uplink"),
        upload * retail.uplink_per_gb * (1 + retail.bandwidth_price_change_percent_per_year / 100) ** (m / 12),
    )
    images = c.values("images")
    np.testing.assert_allclose(images[:, :1] * growth, images)
    serverless = (
        images[1]
        * (1 - retail.inference_discount_percent / 100)
        * (
            retail.serverless_ms_per_inference / 1000 * retail.serverless_memory_gb * retail.serverless_per_gb_second
            + retail.serverless_per_million_requests / 1e6
        )
        * (1 + retail.cloud_fee_change_percent_per_year / 100) ** (m / 12)
    )
    np.testing.assert_allclose(c.values("inference")[1], serverless)
    assert c.values("instances")[:2].sum() == 0 < c.values("instances")[2].min()  # counted where priced so
    kg = sum(c.values(k) for k in ("cloud_energy", "cloud_network", "cloud_embodied"))
    np.testing.assert_allclose(c.values("carbon_cloud"), kg / 1000 * 50.0)
