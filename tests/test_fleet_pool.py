"""A fleet's cloud volume is pooled per account (issue 24): tiers, free allowances and the instance pool are priced
on the summed volume of the sites a plan leaves in the cloud, a site's own figures carry its pro-rata share, and
money votes with what a site adds to the pool."""

import numpy as np
import pytest

from planner.advice import advisor
from planner.catalogs import catalog
from planner.fleet import devices as fleet_devices
from planner.fleet import inventory as fleet_inventory
from planner.fleet import pool as pool_module
from planner.fleet import programme as fleet_programme
from planner.fleet import tables as fleet_tables
from planner.model import costs
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit

PRICINGS = ("per_image", "serverless", "instances")


def programme(csv: str, base, months=None, answers=None) -> fleet_programme.Programme:
    f = fleet_inventory.make_fleet(csv, base, answers, months=months)
    assert f.inventory.errors == ()
    return fleet_programme.evaluate(f)


def scenario_cloud(scenario, months: int) -> np.ndarray:
    """The single scenario's cloud cost per month (cash view, upfront payments included)."""
    return costs.evaluate(costs.batch([scenario]), months).total("cloud")[0]


def scenario_cloud_kgco2e(scenario, months: int) -> np.ndarray:
    """The single scenario's cloud emissions per month [kg CO₂e]."""
    evaluated = costs.evaluate(costs.batch([scenario]), months)
    return costs.sum_terms(evaluated.terms("cloud", "cash", carbon=True), 1, months)[0]


# ── The invariant: N identical rows of c cameras are one scenario of N sites and N × c cameras ───────
@pytest.mark.parametrize("pricing", PRICINGS)
@pytest.mark.parametrize("preset", sorted(catalog.presets()))
def test_identical_rows_cost_in_the_cloud_what_one_scenario_of_their_sites_costs(preset, pricing):
    base = replace(catalog.preset(preset), inference_pricing=pricing)
    sites, cameras = 7, max(1, round(base.cameras / base.sites))
    pooled = replace(base, sites=sites, cameras=sites * cameras)
    want = scenario_cloud(pooled, base.horizon_months)
    wide = advisor.answers(uplink_mbps=100_000)  # a link that carries any of them: the design stays the preset's
    rows = programme("site,cameras\n" + "".join(f"s{i},{cameras}\n" for i in range(sites)), base, answers=wide)
    counted = programme(f"site,count,cameras\nall,{sites},{cameras}\n", base, answers=wide)
    np.testing.assert_allclose(rows.cloud_monthly, want, rtol=1e-12)
    np.testing.assert_allclose(counted.cloud_monthly, want, rtol=1e-12)
    # Emissions too: the pooled instances' idle energy and embodied share, not a pool per site.
    want_kg = scenario_cloud_kgco2e(pooled, base.horizon_months)
    all_cloud = fleet_inventory.PLANS.index("all_cloud")
    for p in (rows, counted):
        np.testing.assert_allclose(p.plan_cloud_kgco2e[all_cloud], want_kg, rtol=1e-12)
        assert fleet_tables.plan_summary(p)["all_cloud"]["kgco2e_total"] == pytest.approx(want_kg.sum(), rel=1e-12)


@pytest.mark.parametrize("commitment", ["one_year", "three_year"])
def test_identical_rows_share_one_commitment_pool_paid_upfront(commitment):
    base = replace(catalog.preset("smart_city_gpu"), instance_commitment=commitment, instance_upfront="partial")
    want = scenario_cloud(base, base.horizon_months)  # 40 sites, 160 cameras
    p = programme("site,count,cameras\njunction,40,4\n", base)
    np.testing.assert_allclose(p.cloud_monthly, want, rtol=1e-12)
    all_edge = fleet_inventory.PLANS.index("all_edge")
    np.testing.assert_allclose(
        p.plan_cloud_upfront[all_edge], costs.evaluate(costs.batch([base])).total("cloud", lump=True)[0]
    )


def test_the_gpu_preset_as_forty_sites_keeps_two_instances_not_eighty():
    base = catalog.preset("smart_city_gpu")
    p = programme("site,count,cameras\njunction,40,4\n", base)
    # 160 cameras × 2 frames/s × 1.3 headroom ÷ 555 inferences/s = 0.75 → the minimum of 2 instances, at
    # 0.526 × 1.4 endpoint surcharge per hour, every hour of the month; each site stand-alone would keep 2.
    per_instance_month = 0.526 * 1.4 * costs.HOURS_PER_CALENDAR_MONTH
    assert p.rows.costs.values("instances")[0, 0] == 2  # a site on its own
    # A site's share of the pool's 2 instances: 1/40 of it (each site carries the same load).
    assert p.rows.costs.values("inference")[0, 0] == pytest.approx(2 * per_instance_month / 40, rel=1e-12)
    # Emissions: the 2 pooled instances idle and wear, not 80. Each instance-hour billed (every hour of the month)
    # emits idle% × watts / 1000 × PUE × grid (energy while idle) + the embodied share per accelerator-hour.
    per_instance_hour = (
        base.cloud_accelerator_idle_percent
        / 100
        * base.cloud_accelerator_watts
        / 1000
        * base.cloud_pue
        * base.cloud_grid_kgco2e_per_kwh
        + base.cloud_embodied_kgco2e_per_accelerator_hour
    )
    assert per_instance_hour > 0
    one_site = replace(base, sites=1, cameras=4)
    site_kg = scenario_cloud_kgco2e(one_site, base.horizon_months)  # a site alone keeps 2 instances
    want = 40 * site_kg - (80 - 2) * costs.HOURS_PER_CALENDAR_MONTH * per_instance_hour
    all_cloud = fleet_inventory.PLANS.index("all_cloud")
    np.testing.assert_allclose(p.plan_cloud_kgco2e[all_cloud], want, rtol=1e-12)


# ── Tiers crossed only when pooled, by hand ───────────────────────────────────────────────────────
# Two sites of 10 cameras at 1 frame/s for 10 h a day, 30 days: 10 × 1 × 36,000 × 30 = 10.8M images a month each.
# Per-image tiers: 1.00 per 1,000 up to 15M images a month, 0.50 above. Every other cloud line is free.
IMAGES = 10 * 1 * 10 * 3600 * 30
KNEE = 15e6


@pytest.fixture(scope="module")
def tiered_base():
    return replace(
        catalog.preset("retail"),
        inference_pricing="per_image",
        inference_tiers=[{"start": 0, "price": 1.0}, {"start": KNEE, "price": 0.5}],
        egress_tiers=[{"start": 0, "price": 0.0}],
        inference_discount_percent=0,
        cloud_fee_change_percent_per_year=0,
        workload_growth_percent_per_year=0,
        uplink_per_gb=0,
        ingest_per_gb=0,
        storage_per_gb_month=0,
        cameras=10,
        sites=1,
        analysed_fps=1,
        hours_per_day=10,
        days_per_month=30,
        carbon_price_per_tonne=0,
    )


def test_two_sites_cross_a_tier_only_when_pooled(tiered_base):
    p = programme("site\nA\nB\n", tiered_base, months=12)
    alone = IMAGES * 1.0 / 1000  # 10,800 a month: each site stays in the first tier
    pooled = KNEE * 1.0 / 1000 + (2 * IMAGES - KNEE) * 0.5 / 1000  # 15,000 + 3,300
    assert alone * 2 == pytest.approx(21_600) and pooled == pytest.approx(18_300)
    np.testing.assert_allclose(p.cloud_monthly, pooled, rtol=1e-12)
    # Each site's own figures: half the pool (pro-rata to its images).
    assert p.rows.cloud_total == pytest.approx([pooled / 2 * 12] * 2, rel=1e-12)
    # What a site adds to the pool: the pool with it less the pool without it (the other site alone).
    assert p.cloud_marginal == pytest.approx([(pooled - alone) * 12] * 2, rel=1e-12)
    tco = fleet_tables.plan_summary(p)["all_cloud"]["tco"]
    assert tco == pytest.approx(pooled * 12, rel=1e-12)


def test_moving_one_site_to_the_edge_saves_its_marginal_cost(tiered_base):
    p = programme("site,pin\nA,split_brain_edge\nB,cloud\n", tiered_base, months=12)
    alone = IMAGES / 1000
    pooled = KNEE / 1000 + (2 * IMAGES - KNEE) * 0.5 / 1000
    recommended = fleet_inventory.PLANS.index("recommended")
    # The recommended plan leaves B in the cloud: it pays B's stand-alone bill, and saves the rest of the pool.
    np.testing.assert_allclose(p.plan_opex[recommended] - p.plans.edge_running_monthly[recommended], alone, rtol=1e-12)
    assert p.plans.cloud_total[recommended] == pytest.approx((pooled - alone) * 12, rel=1e-12)


def test_cloud_accounts_split_the_pool(tiered_base):
    alone = IMAGES / 1000
    pooled = KNEE / 1000 + (2 * IMAGES - KNEE) * 0.5 / 1000
    apart = programme("site,cloud_account\nA,north\nB,south\n", tiered_base, months=12)
    np.testing.assert_allclose(apart.cloud_monthly, 2 * alone, rtol=1e-12)
    # Three sites, two of them on one account: that account crosses the knee, the other pays list.
    three = programme("site,cloud_account\nA,north\nB,north\nC,south\n", tiered_base, months=12)
    np.testing.assert_allclose(three.cloud_monthly, pooled + alone, rtol=1e-12)
    assert three.rows.cloud_total == pytest.approx([pooled / 2 * 12, pooled / 2 * 12, alone * 12], rel=1e-12)


def test_a_cloud_account_is_printable_text():
    f = fleet_inventory.make_fleet("site,cloud_account\nA,ok\nB,bad\x07\n", catalog.preset("retail"))
    assert f.inventory.errors == (
        "row 2, column cloud_account: a cloud account is printable text of at most 120 characters",
    )


def test_a_later_site_joins_the_pool_at_its_go_live(tiered_base):
    p = programme("site,go_live_month\nA,0\nB,6\n", tiered_base, months=12)
    alone = IMAGES / 1000
    pooled = KNEE / 1000 + (2 * IMAGES - KNEE) * 0.5 / 1000
    np.testing.assert_allclose(p.cloud_monthly, [alone] * 6 + [pooled] * 6, rtol=1e-12)
    # B's share of months 6–11 is half the pool; A pays alone before B and half after.
    assert p.rows.cloud_total == pytest.approx([6 * alone + 6 * pooled / 2, 6 * pooled / 2], rel=1e-12)


def test_money_votes_with_what_a_site_adds_to_the_pool(monkeypatch):
    """The GPU preset as 40 rows: a site alone would pay for 2 instances; in the pool it adds a 40th of the load to
    2 instances that stay 2 (0.75 × 1.15^(59/12) = 1.5 at the end), so it adds no instance-hours at all: money votes
    with its own lines only, while its own figures carry a 40th of the instances."""
    seen = {}
    vote = advisor.money_vote

    def spy(cloud_total, edge_total, *rest):
        seen["cloud_total"] = cloud_total
        return vote(cloud_total, edge_total, *rest)

    monkeypatch.setattr(advisor, "money_vote", spy)
    base = replace(catalog.preset("smart_city_gpu"), egress_tiers=[{"start": 0, "price": 0.0}])  # egress aside
    p = programme("site,cameras\n" + "".join(f"j{i},4\n" for i in range(40)), base)
    np.testing.assert_array_equal(seen["cloud_total"], p.cloud_marginal)
    evaluated = p.rows.costs
    within = np.ones((40, p.months), bool)
    own = costs.weighted_sums(evaluated.terms("cloud", without=("inference", "results_egress")), 40, within)
    instance_hours = 2 * 0.526 * 1.4 * costs.HOURS_PER_CALENDAR_MONTH * p.months
    assert p.cloud_marginal == pytest.approx(own, rel=1e-9)
    assert p.rows.cloud_total == pytest.approx(own + instance_hours / 40, rel=1e-9)


def test_a_site_of_a_pool_above_the_knee_adds_its_images_at_the_upper_price(tiered_base):
    """Three sites: 32.4M images pooled, 21.6M without any one of them, both above the 15M knee."""
    p = programme("site\nA\nB\nC\n", tiered_base, months=12)
    pooled = KNEE / 1000 + (3 * IMAGES - KNEE) * 0.5 / 1000
    np.testing.assert_allclose(p.cloud_monthly, pooled, rtol=1e-12)
    assert p.cloud_marginal == pytest.approx([IMAGES * 0.5 / 1000 * 12] * 3, rel=1e-12)  # 5,400 a month
    assert p.rows.cloud_total == pytest.approx([pooled / 3 * 12] * 3, rel=1e-12)


# ── The all-cloud plan uploads what each site's link carries ────────────────────────────────────────
def test_a_link_too_thin_for_video_is_costed_with_a_design_uploading_frames_and_one_too_thin_for_both_is_named():
    """10 cameras streaming 4 Mbps each (40 Mbps) or sending 1 frame/s of 100 kB each (10 × 1 × 100 × 8 / 1000 =
    8 Mbps), at ≤ 80 % of the link: fibre at 1,000 Mbps carries the video (≤ 800); 20 Mbps carries the frames only
    (≤ 16): the cheapest design it carries uploads frames. 2,500 cameras on 5 Mbps (≤ 4) upload 10,000 Mbps of video
    or 2,000 of frames: neither their link nor any link class they could buy (fibre, the largest: ≤ 0.8 × 2,000 =
    1,600) carries them."""
    base = replace(catalog.preset("retail"), cameras=10, sites=1, bitrate_mbps=4, analysed_fps=1, image_kb=100)
    p = programme(
        "site,uplink_mbps,uplink_per_gb,cameras\nfibre,1000,0.5,\nlte,20,0.5,\nsatellite,5,0.5,2500\n", base, months=12
    )
    assert list(p.upload.design) == ["video", "frames", "video"]
    assert list(p.upload.too_thin) == [False, True, True] and list(p.upload.cannot_upload) == [False, False, True]
    seconds = base.hours_per_day * 3600 * base.days_per_month
    video_gb, frames_gb = 10 * 4e6 / 8 * seconds / 1e9, 10 * 1 * seconds * 100 / 1e6
    uplink = p.rows.costs.values("site_uplink")[:, 0]
    assert uplink == pytest.approx([video_gb * 0.5, frames_gb * 0.5, 250 * video_gb * 0.5], rel=1e-12)
    reasons = fleet_tables.reasons(p)
    assert reasons[1].endswith(
        "; its link cannot carry its video to the cloud (40.0 Mbps sustained, more than 80% of 20.0 Mbps): "
        "the cloud is costed with the cheapest design its link carries (8.0 Mbps)"
    )
    assert reasons[2].endswith(
        "; its link carries neither its video nor its frames to the cloud (10000.0 or 2000.0 Mbps sustained, more than "
        "80% of 5.0 Mbps), nor does any link class it could buy: the all-cloud plan could not run here"
    )
    assert "link" not in reasons[0]
    result = fleet_tables.result_dict(p)
    assert result["sites_link_too_thin"] == ["lte", "satellite"] and result["sites_without_upload"] == ["satellite"]
    # Opened as a scenario, the row uploads what the fleet costs it with; the one whose link carries nothing, its own.
    assert fleet_devices.row_scenario(p.fleet, 1).cloud_upload == "frames"
    assert fleet_devices.row_scenario(p.fleet, 2).cloud_upload == "video"


# ── The programme's sums by plan, shifted by go-live, without the (n, M) grids ──────────────────────
def test_plan_sums_of_terms_shift_each_rows_terms_to_its_go_live_and_weight_them_by_plan():
    rng = np.random.default_rng(3)
    n, M = 7, 6
    go_live = np.array([0, 2, 2, 5, 0, 1, 5])
    growth = rng.uniform(1, 2, (1, M))  # one factor shared by two terms, one grid of the rows' own, a constant
    own = rng.uniform(0, 3, (n, M))
    terms = [
        costs.Component(rng.uniform(1, 5, (n, 1)), growth),
        costs.Component(rng.uniform(1, 5, (n, 1)), growth),
        costs.Component(rng.uniform(1, 5, (n, 1)), own),
        costs.Component(np.array([[2.5]]), costs.ONE),
    ]
    weights = rng.integers(0, 4, (3, n)).astype(float)
    expected = np.zeros((3, M))
    for p in range(3):
        for r in range(n):
            for m in range(go_live[r], M):
                k = m - go_live[r]
                row = sum(
                    t.amount[min(r, len(t.amount) - 1), 0]
                    * t.factor[min(r, len(t.factor) - 1), min(k, t.factor.shape[1] - 1)]
                    for t in terms
                )
                expected[p, m] += weights[p, r] * row
    got = fleet_programme._shift_sum_terms(terms, go_live, weights, M)
    assert got == pytest.approx(expected, rel=1e-12)
    assert not fleet_programme._shift_sum_terms([], go_live, weights, M).any()


def test_a_pool_grid_is_read_by_each_row_in_its_own_months():
    grid = np.arange(12, dtype=float).reshape(2, 6) + 1  # two pools × six programme months
    pool, go_live = np.array([1, 0, 1, 1]), np.array([0, 3, 3, 0])
    local = np.array([1.0, 10, 100, 1000, 1e4, 1e5])  # a factor of the rows' own months
    got = pool_module._at_row(grid, pool, go_live, local)
    expected = np.zeros((4, 6))
    for r in range(4):
        for k in range(6 - go_live[r]):
            expected[r, k] = grid[pool[r], go_live[r] + k] * local[k]
    assert got.tolist() == expected.tolist()


def test_rows_priced_with_and_without_in_blocks_give_the_same_marginal_totals(monkeypatch):
    """`marginal_totals` prices the rows of pools that are not linear with and without them in blocks of
    BY_HAND_ROWS (its memory, not its result): blocks of one row give every row's marginal total bit for bit."""
    from benchmarks.engine import varied_fleet

    f = varied_fleet(400, seed=3)
    calls = []
    real = pool_module._marginal_by_hand
    monkeypatch.setattr(pool_module, "_marginal_by_hand", lambda *a: calls.append(len(a[6])) or real(*a))
    whole = fleet_programme.evaluate(f).cloud_marginal
    assert calls and max(calls) > 1  # some rows are priced by hand, many at once
    calls.clear()
    monkeypatch.setattr(pool_module, "BY_HAND_ROWS", 1)
    blocks = fleet_programme.evaluate(f).cloud_marginal
    assert max(calls) == 1
    assert np.array_equal(whole, blocks)
