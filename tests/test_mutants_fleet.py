"""The fleet by hand (fast tier, read by `make mutation`). Its cloud pool kernels: pooled volumes shifted by go-live,
which pools are live, grouping rows into pools, price-change profiles, pro-rata shares, the egress bill. Its
programme: each row's and plan's figures, the latency rule's wait. Its device search: which catalog devices fit a
searched row's latency and power, why none fits; and a row opened as a scenario."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq
from test_fleet import SIMPLE, programme, single
from test_fleet_cheapest import HAND

from planner.advice import advisor
from planner.catalogs import catalog
from planner.fleet import devices as fleet_devices
from planner.fleet import inventory as fleet_inventory
from planner.fleet import pool
from planner.fleet import programme as fleet_programme
from planner.schema.scenario import ScenarioError, replace, to_dict, validate

pytestmark = pytest.mark.unit

# three rows: rows 0 and 2 in pool 0, row 1 in pool 1; go-live months 0, 1 and 2; 4 programme months
VALUES = np.array([[1.0, 2, 3, 4], [10, 20, 30, 40], [100, 200, 300, 400]])
SHIFT = np.array([0, 1, 2])
POOL = np.array([0, 1, 0])


def test_pool_series_sums_each_pools_rows_shifted_by_go_live():
    weights = np.array([[1.0, 1, 1], [2.0, 0, 3]])  # two plans
    out = pool.pool_series(VALUES, SHIFT, weights, POOL, 2, 4)
    # pool 0, plan 0: row 0 from month 0 (1, 2, 3, 4) + row 2 from month 2 (100, 200) → 1, 2, 103, 204
    assert out[0].tolist() == [[1, 2, 103, 204], [0, 10, 20, 30]]
    # plan 1: 2 × row 0 + 3 × row 2, row 1 not in the cloud
    assert out[1].tolist() == [[2, 4, 306, 608], [0, 0, 0, 0]]


def test_pool_volume_with_a_shared_factor_is_the_pool_series_of_its_values():
    growth = np.array([[1.0, 1.5, 2.0, 2.5]])
    weights = np.array([[1.0, 2, 1], [0.0, 1, 3]])
    amount = np.array([2.0, 4.0, 6.0])
    shared = pool.Volume(amount, growth)
    assert shared.shared
    own = pool.Volume(amount, np.repeat(growth, 3, axis=0))
    assert not own.shared
    expected = pool.pool_series(amount[:, None] * growth, SHIFT, weights, POOL, 2, 4)
    np.testing.assert_allclose(pool.pool_volume(shared, SHIFT, weights, POOL, 2, 4), expected)
    np.testing.assert_allclose(pool.pool_volume(own, SHIFT, weights, POOL, 2, 4), expected)
    # pool 1, plan 0: 2 × row 1 (4 × growth) from month 1: 0, 8, 12, 16
    assert expected[0, 1].tolist() == [0.0, 8.0, 12.0, 16.0]


def test_volume_values_and_most():
    v = pool.Volume(np.array([2.0, 3.0]), np.array([[1.0, 4.0, 2.0]]))
    assert v.values().tolist() == [[2.0, 8.0, 4.0], [3.0, 12.0, 6.0]]
    assert v.values(np.array([1])).tolist() == [[3.0, 12.0, 6.0]]
    assert v.most().tolist() == [8.0, 12.0]
    own = pool.Volume(np.array([2.0, 3.0]), np.array([[1.0, 4.0, 2.0], [5.0, 1.0, 1.0]]))
    assert own.values(np.array([1])).tolist() == [[15.0, 3.0, 3.0]]
    assert own.most().tolist() == [8.0, 15.0]


def test_a_pool_is_live_from_its_first_sites_go_live():
    weights = np.array([[1.0, 0, 1], [0.0, 1, 0]])
    live = pool._live(weights, SHIFT, POOL, 2, 4)
    assert live[0].tolist() == [[True] * 4, [False] * 4]  # pool 0 from month 0; pool 1 has no site in plan 0
    assert live[1].tolist() == [[False] * 4, [False, True, True, True]]


def test_rows_with_equal_columns_share_a_pool():
    which, first = pool._keys(np.array([1, 2, 1, 3]), np.array([5, 5, 5, 5]))
    assert which.tolist() == [0, 1, 0, 2] and first.tolist() == [0, 1, 3]
    tiers = np.array([[1.0, 2.0]])
    assert pool._rows_of(tiers, np.array([4, 7])) is tiers
    per_row = np.array([[1.0], [2.0], [3.0]])
    assert pool._rows_of(per_row, np.array([2, 0])).tolist() == [[3.0], [1.0]]


def test_price_change_profiles_compound_from_month_zero():
    assert pool._profile(np.array([10.0, 10.0]), 13).shape == (1, 13)  # one rate: one row
    profiles = pool._profile(np.array([10.0, 0.0, 10.0]), 13)
    assert profiles.shape == (3, 13)
    np.testing.assert_allclose(profiles[0, [0, 6, 12]], [1.0, 1.1**0.5, 1.1])
    np.testing.assert_allclose(profiles[1], np.ones(13))
    np.testing.assert_allclose(profiles[2], profiles[0])


def test_share_is_the_price_per_unit_and_zero_without_volume():
    assert pool._share(np.array([[10.0, 5.0, 0.0]]), np.array([[4.0, 0.0, 0.0]])).tolist() == [[2.5, 0.0, 0.0]]


def test_go_live_groups_and_shifts():
    groups = pool.go_live_groups(np.array([2, 0, 2]))
    assert [(g, rows.tolist()) for g, rows in groups] == [(0, [1]), (2, [0, 2])]
    values = np.array([[1.0, 2, 3, 4], [5.0, 6, 7, 8], [9.0, 10, 11, 12]])
    assert pool._shifted(values, groups).tolist() == [[0, 0, 1, 2], [5, 6, 7, 8], [0, 0, 9, 10]]
    grid = np.array([[1.0, 2, 3, 4], [10.0, 20, 30, 40]])
    # each row reads its pool's months from its go-live on: row 0 (pool 1) 30, 40; row 1 (pool 0) all
    go_live = np.array([2, 0, 2])
    assert pool._at_row(grid, np.array([1, 0, 0]), go_live).tolist() == [[30, 40, 0, 0], [1, 2, 3, 4], [3, 4, 0, 0]]
    # a factor of the row-local months every row shares, applied after the shift
    local = np.array([1.0, 2, 3, 4])
    assert pool._at_row(grid, np.array([1, 0, 0]), go_live, local).tolist() == [
        [30, 80, 0, 0],
        [1, 4, 9, 16],
        [3, 8, 0, 0],
    ]


# ── The programme (planner/fleet/programme.py) by hand ─────────────────────────────────────────────
# SIMPLE (test_fleet): a site costs 1,800 a month in the cloud; on the edge one 3,000 device at go-live and 100 a
# month; 12 programme months, 12 %/year discounted at each month's end.
def test_an_inventory_without_rows_is_refused_by_name():
    f = fleet_inventory.make_fleet("site\n", SIMPLE)
    with pytest.raises(ScenarioError, match="^the inventory has no rows: add one row per site$"):
        fleet_programme.evaluate(f)


def test_each_rows_own_figures_are_discounted_at_the_bases_rate():
    p = programme("site,go_live_month\nA,0\nB,1\n", base=SIMPLE)
    # per site: the device at the start of its month 0, then a 1,700 saving at the end of each month of its horizon
    # (A: 12 months; B, live from month 1: 11)
    for row, horizon in enumerate((12, 11)):
        npv = -3000 + sum(1700 * 1.12 ** (-(t + 1) / 12) for t in range(horizon))
        assert p.rows.npv_savings[row] == pytest.approx(npv, rel=1e-9)


def moved_sites_npv(go_lives: list[int], saving: float, mid_month: bool = False) -> float:
    """NPV at 12 %/year of SIMPLE sites moved to the edge at these go-live months, over 12 programme months: each pays
    its 3,000 device at the start of its go-live month and saves `saving` through each month from then on (discounted
    at the month's end, or its middle)."""
    when = 0.5 if mid_month else 1.0
    return sum(
        -3000 * 1.12 ** (-g / 12) + sum(saving * 1.12 ** (-(t + when) / 12) for t in range(g, 12)) for g in go_lives
    )


MIXED = "site,go_live_month,pin\nA,0,cloud\nB,1,split_brain_edge\n"  # the recommended plan moves B only
PLAN = {name: fleet_inventory.PLANS.index(name) for name in ("all_cloud", "all_edge", "recommended")}


@pytest.mark.parametrize("mid_month", [False, True])
def test_each_plans_npv_discounts_the_sites_it_moves(mid_month):
    timing = "mid_month" if mid_month else "end_of_month"
    p = programme(MIXED, base=replace(SIMPLE, discount_timing=timing))
    assert p.plans.npv_savings[PLAN["all_cloud"]] == 0
    assert p.plans.npv_savings[PLAN["all_edge"]] == pytest.approx(moved_sites_npv([0, 1], 1700, mid_month), rel=1e-9)
    assert p.plans.npv_savings[PLAN["recommended"]] == pytest.approx(moved_sites_npv([1], 1700, mid_month), rel=1e-9)


# SIMPLE with results sent back: 3,600,000 images × 10 kB = 36 GB a site-month at 5 per GB, 180 (a pooled bill)
WITH_EGRESS = validate({**to_dict(SIMPLE), "result_kb": 10, "egress_tiers": [{"start": 0, "price": 5}]})


@pytest.mark.parametrize("rate, mid_month", [(1, False), (25, False), (25, True)])
def test_each_plans_npv_and_irr_after_tax(rate, mid_month):
    timing = "mid_month" if mid_month else "end_of_month"
    p = programme(MIXED, base=replace(WITH_EGRESS, tax_rate_percent=rate, discount_timing=timing))
    # a site-month on the edge saves 1,800 + 180 − 100 = 1,880 before tax, less tax on it: the cloud's 1,980 less the
    # edge's 100 of management and 3,000 ÷ 180 of depreciation (the device's useful life is 180 months, no salvage)
    after = 1880 - rate / 100 * (1980 - 100 - 3000 / 180)
    assert p.after_tax.npv_savings[PLAN["all_cloud"]] == 0
    for plan, go_lives in (("all_edge", [0, 1]), ("recommended", [1])):
        npv = moved_sites_npv(go_lives, after, mid_month)
        assert p.after_tax.npv_savings[PLAN[plan]] == pytest.approx(npv, rel=1e-9)
    # the recommended plan's flows: −3,000 at the start of month 1, then `after` at the end of each of months 1 to 11
    # (the IRR reads every month's saving at its end, whatever the discount timing)
    flows = [(1, -3000)] + [(t + 1, after) for t in range(1, 12)]
    irr = brentq(lambda i: sum(c * (1 + i) ** (-t / 12) for t, c in flows), 0.01, 1e9)
    assert p.after_tax.irr_sign_changes[PLAN["recommended"]] == 1
    assert p.after_tax.irr_rates[PLAN["recommended"]][0] == pytest.approx(irr * 100, rel=1e-6)


def test_without_a_tax_rate_there_are_no_after_tax_figures():
    assert programme(MIXED, base=replace(SIMPLE, tax_rate_percent=0)).after_tax is None


def test_the_all_cloud_plan_saves_no_upfront_commitment():
    """A 1-year all-upfront GPU commitment is paid at go-live and at each renewal: a plan that moves the site to the
    edge no longer pays it; the all-cloud plan moves nothing, so it saves none."""
    gpu = catalog.preset("smart_city_gpu")
    base = replace(gpu, instance_commitment="one_year", instance_upfront="all", sites=1, cameras=24)
    p = programme("site\njunction\n", base=base, months=24)
    assert not p.plan_cloud_upfront[PLAN["all_cloud"]].any()
    saved = p.plan_cloud_upfront[PLAN["all_edge"]]
    assert saved[0] > 0 and saved[12] == saved[0] and not saved[1:12].any() and not saved[13:].any()


def test_a_pooled_commitment_is_deducted_over_its_term_as_in_the_single_site_model():
    """After tax, a 1-year all-upfront commitment (a pooled bill) is deducted over its 12 months: a one-row fleet has
    the single scenario's after-tax NPV (`finance`'s rule on its cost lines)."""
    gpu = catalog.preset("smart_city_gpu")
    base = replace(
        gpu, instance_commitment="one_year", instance_upfront="all", sites=1, cameras=24, tax_rate_percent=25
    )
    p = programme("site\njunction\n", base=base, months=24)
    one = single(fleet_devices.row_scenario(p.fleet, 0))
    assert one.cloud_upfront[0][0] > 0
    assert p.after_tax.npv_savings[PLAN["all_edge"]] == pytest.approx(
        one.npv_after_tax(base.discount_percent_per_year)[0]
    )


def test_the_programme_carries_each_rows_sites_months_and_each_plans_series():
    p = programme(MIXED, base=SIMPLE)
    assert p.months == 12 and p.fleet.inventory.n == 2
    assert p.count.tolist() == [1, 1] and p.go_live.tolist() == [0, 1] and p.devices.tolist() == [1, 1]
    assert p.edge.tolist() == [False, True]  # A pinned to the cloud, B to the edge
    # each site's cloud TCO over its horizon (12 and 11 months of 1,800): what money votes with
    assert p.cloud_marginal.tolist() == pytest.approx([1800 * 12, 1800 * 11])
    # month 0: A alone; from month 1 both sites. The recommended plan keeps A in the cloud and runs B on the edge.
    assert p.cloud_monthly.tolist() == [1800] + [3600] * 11
    assert p.plan_opex.tolist() == [[1800] + [3600] * 11, [100] + [200] * 11, [1800] + [1900] * 11]
    assert p.plan_capex.tolist() == [[0] * 12, [3000, 3000] + [0] * 10, [0, 3000] + [0] * 10]
    # the recommended plan: −3,000 at the start of month 1, then 1,700 at the end of each of months 1 to 11
    flows = [(1, -3000)] + [(t + 1, 1700) for t in range(1, 12)]
    irr = 100 * brentq(lambda i: sum(c * (1 + i) ** (-t / 12) for t, c in flows), 0.01, 1e9)
    assert p.irr[PLAN["recommended"]] == pytest.approx(irr, rel=1e-6)
    assert p.irr_sign_changes[PLAN["recommended"]] == 1
    assert p.irr_rates[PLAN["recommended"]][0] == pytest.approx(irr, rel=1e-6)
    assert p.cloud_inputs["cloud_upload"].tolist() == ["frames", "frames"]
    assert p.pools is not None and p.pooled_instance_kgco2e.shape == (3, 12) and p.upload is not None


def test_a_plans_payback_counts_from_its_first_flow():
    # the recommended plan moves B at month 1: its payback is B's own, 1 + 3,000 ÷ 1,700 months, as its break-even
    plans = programme(MIXED, base=SIMPLE).plans
    assert plans.payback_months[PLAN["recommended"]] == pytest.approx(1 + 3000 / 1700, rel=1e-9)
    assert plans.break_even_month[PLAN["recommended"]] == pytest.approx(1 + 3000 / 1700, rel=1e-9)
    # nothing moves in the all-cloud plan: nothing to pay back. All-edge: A from month 0, B from month 1, each
    # saving 1,700 a month after its 3,000 device: −1,300 at the end of month 0, −900 at the end of month 1, then
    # 3,400 a month: 0 is reached 900 ÷ 3,400 into month 2.
    assert np.isnan(plans.payback_months[PLAN["all_cloud"]])
    assert plans.payback_months[PLAN["all_edge"]] == pytest.approx(2 + 900 / 3400, rel=1e-9)


# A site's cloud path on fibre (5 ms round trip) to a region 1,000 km away: 2 × 1,000 ÷ 200 km/ms × 1.5 route
# factor = 15 ms, a 100 kB frame up an 80 Mbps link 100 × 8 ÷ 80 = 10 ms, 20 ms of queueing and 150 ms of cloud
# detection: 200 ms, plus the wait for the next analysed frame (half the interval between analysed frames).
LATENCY = "site,analysed_fps,response_ms,connectivity,region_distance_km,image_kb,uplink_mbps,workload\n"


def test_the_latency_rule_reads_each_sites_wait_for_its_next_analysed_frame():
    rows = [
        "A,0,200,fiber,1000,100,80,detection",  # no analysed frames, no wait: 200 ms, not more than the 200 allowed
        "B,0,199,fiber,1000,100,80,detection",  # the same 200 ms is more than 199: the cloud is too slow
        # 0.5 frames/s: a wait of 500 ÷ 0.5 = 1,000 ms, within the 1,001 ms allowed (an edge path could meet it), but
        # the cloud path takes 1,000 + 200 = 1,200 ms: too slow
        "C,0.5,1001,fiber,1000,100,80,detection",
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no 500 ÷ 0 for the sites without analysed frames
        hard = programme(LATENCY + "\n".join(rows) + "\n", base=SIMPLE).placement.hard
    latency = fleet_programme.HARD_RULES.index("latency")
    assert hard[:, latency].tolist() == [False, True, True]
    assert not np.delete(hard, latency, axis=1).any()  # fibre, anonymisable data, a frame upload the link carries


# ── The device search and a row opened as a scenario (planner/fleet/devices.py) by hand ─────────────────────────
RETAIL = catalog.preset("retail")  # 30 % sizing headroom, no workload growth; its answers: 50 % derating

# The six sized catalog devices (`advisor.sized_devices`), with their host: benchmark inferences/s, 1080p30 decode
# streams, watts. Orin Nano Super 286, 11, 25; Orin NX 16GB 256, 18, 25; Orin NX 8GB 215, 18, 20; AGX Orin 700,
# 22, 60; Hailo-8 1,023, 16, 17.5; L4 server 1,000, 100, 300.
SEARCH = "site,device,site_space,workload,analysed_fps,response_ms,cameras,sites,sizing_headroom_percent,"
SEARCH += "workload_growth_percent_per_year,site_power_watts\n"


def test_the_search_weighs_each_rows_wait_latency_and_power_per_site():
    rows = [
        # No analysed frames: no wait and no load (no devices, no power). The edge path is the 2 ms local network and
        # one detection, 1,000 ÷ benchmark ms: Hailo-8 2 + 0.98 and the L4 2 + 1.00 meet 3 ms; the others (AGX
        # 2 + 1.43, …) do not.
        "A,catalog,rack,detection,0,3,,,,,",
        # 2 ms: every edge path is longer, and with no wait a path could meet it, so every device breaks the latency
        # rule and that rule alone.
        "B,catalog,rack,detection,0,2,,,,,",
        # Two sites of 11 cameras at 1 frame/s, no headroom: 11 inferences/s a site. Every device sustains its decode
        # streams × 1 frame/s (its derated benchmark is more): one device a site, the Orin Nano Super exactly full.
        # Its 10 %/year growth needs a second Nano Super a site from month 1 (11 × 1.1^(1/12) > 11), but power counts
        # the devices at go-live: 25 W a site, as the Orin NXs' 25 and 20 W and the Hailo-8's 17.5 W within 25 W; the
        # AGX's 60 W and the L4's 300 W are not. The wait (500 ÷ 1 = 500 ms) and the paths are well within 60 s.
        "C,catalog,rack,detection,1,60000,22,2,0,10,25",
        # 1 frame/s: an average wait of 500 ÷ 1 = 500 ms uses up the 500 ms allowed, no path could meet it, so
        # latency rules no device out (and the most power, the L4's one 300 W device, is within 2 kW)
        "D,catalog,rack,detection,1,500,,,,,",
    ]
    f = fleet_inventory.make_fleet(SEARCH + "\n".join(rows) + "\n", RETAIL)
    assert f.inventory.errors == ()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no 500 ÷ 0 for the rows without analysed frames
        choice = fleet_devices.choose_devices(f)
    assert choice.fitting.tolist() == [2, 0, 4, 6]
    latency = 1 << advisor.FIT_RULES.index("response_ms")
    assert choice.unfit.tolist() == [0, latency, 0, 0]  # a row some device fits has nothing to relax
    assert choice.device_id[1] == ""  # none fits B: it keeps its own device


def test_a_link_too_thin_for_a_sites_video_sends_its_analysed_frames_when_they_fit():
    # Every site's own 10 Mbps uplink carries 10 × 80 % = 8 Mbps. Video: cameras × bitrate; frames: cameras ×
    # frames/s × kB × 8 ÷ 1,000.
    rows = [
        "V1,video,4,4,1,100,10",  # video 4 × 4 = 16 Mbps is too much; frames 4 × 1 × 100 × 8 ÷ 1,000 = 3.2 fit
        "V2,video,4,4,5,100,10",  # video 16, frames 4 × 5 × 0.8 = 16: neither fits, the cloud cannot upload
        "V3,video,2,4,1,100,10",  # video 2 × 4 = 8 Mbps: exactly the 8 carried, it fits
        "F1,frames,4,4,2.5,125,10",  # frames 4 × 2.5 × 125 × 8 ÷ 1,000 = 10 Mbps: too much, and frames are not video
    ]
    csv = "site,cloud_upload,cameras,bitrate_mbps,analysed_fps,image_kb,uplink_mbps\n" + "\n".join(rows) + "\n"
    f = fleet_inventory.make_fleet(csv, RETAIL)
    rowwise = fleet_devices.row_inputs(f)
    upload = fleet_devices.feasible_upload(f, rowwise, rowwise.batch_choices)
    assert upload.given.tolist() == ["video", "video", "video", "frames"]
    assert upload.design.tolist() == ["frames", "video", "video", "frames"]
    assert upload.too_thin.tolist() == [True, True, False, True]
    assert upload.cannot_upload.tolist() == [False, True, False, True]
    assert upload.video_mbps.tolist() == pytest.approx([16, 16, 8, 16], rel=1e-12)
    assert upload.frames_mbps.tolist() == pytest.approx([3.2, 16, 1.6, 10], rel=1e-12)
    assert upload.link_mbps.tolist() == [10, 10, 10, 10]


def test_a_row_opened_as_a_scenario_says_which_row_of_which_fleet_from_when():
    f = fleet_inventory.make_fleet("site,go_live_month\nshop 7,3\n", RETAIL, months=24, name="North")
    opened = fleet_devices.row_scenario(f, 0)
    assert opened.name == "shop 7" and opened.horizon_months == 24 - 3
    assert (
        opened.description
        == "One site of the row “shop 7” of the fleet “North”, from its go-live in programme month 3."
    )


def test_an_upgrade_bought_in_a_currency_worth_a_thousand_dollars_is_still_bought():
    # test_fleet_cheapest's one camera on a 1 Mbps line: its frames (1.2 Mbps) go over the satellite upgrade, 349 to
    # install and 65 a month, here in a currency of 0.001 per USD: 0.349 and 0.065, a bill of less than 1 but bought.
    f = fleet_inventory.make_fleet("site,count,uplink_mbps,fx_rate\nA,1,1,0.001\n", HAND)
    rowwise = fleet_devices.row_inputs(f)
    upload = fleet_devices.feasible_upload(f, rowwise, rowwise.batch_choices)
    overrides, choices = fleet_devices.with_devices(f, fleet_devices.choose_devices(f, rowwise), rowwise)
    found, _, upload = fleet_devices.cloud_designs(f, overrides, choices | {"cloud_upload": upload.design}, upload)
    assert found.link_upgrade["link_upgrade_install"].tolist() == pytest.approx([0.349], rel=1e-12)
    assert found.link_upgrade["link_upgrade_per_month"].tolist() == pytest.approx([0.065], rel=1e-12)
    assert upload.upgraded.tolist() == [True] and upload.cannot_upload.tolist() == [False]


def test_an_inventory_built_without_its_parsed_numbers_reads_its_cells():
    """An Inventory made from a table alone (no `parse_inventory`): numeric cells are read from their text, a blank
    or unreadable cell takes the base's value (SIMPLE: 10 cameras at its one site)."""
    table = pd.DataFrame({"site": ["A", "B", "C"], "cameras": ["3", "", "many"]})
    answers = fleet_inventory.make_fleet("site\nA\n", SIMPLE).answers
    f = fleet_inventory.Fleet("F", SIMPLE, answers, fleet_inventory.Inventory(table), 12)
    numbers, _ = fleet_devices._values(f)
    assert numbers["cameras"].tolist() == [3, 10, 10]
