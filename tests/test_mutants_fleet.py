"""The fleet by hand (fast tier, read by `make mutation`). Its cloud pool kernels: pooled volumes shifted by go-live,
which pools are live, grouping rows into pools, price-change profiles, pro-rata shares, the egress bill. Its
programme: each row's and plan's figures, the latency rule's wait."""

import warnings

import numpy as np
import pytest
from scipy.optimize import brentq
from test_fleet import SIMPLE, programme, single

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
