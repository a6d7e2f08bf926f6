"""The fleet's cloud pools by hand (fast tier, read by `make mutation`): which rows share an inference pool or an
egress pool (`pool.make_pools`, `pool._keys`), a pool's volume and bills, its instances' emissions, a row's share of
its pool's bills (`pool.attributed_lines`), and what a row's sites add to their pool when it is priced with and
without them (`pool.marginal_totals`)."""

import numpy as np
import pytest

from planner.catalogs import catalog
from planner.fleet import pool
from planner.model import costs
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit

RETAIL = catalog.preset("retail")  # per-image tiers, always-on instances at 0.526 an hour, at least 2 of them


def pools_of(scenarios, account=None, months=12, **columns) -> pool.Pools:
    """The pools of a batch of rows: `scenarios` (one, or one a row) with `columns` (per-row choices, numbers)."""
    b = costs.batch(scenarios, **columns)
    account = np.full(b.n, "") if account is None else np.asarray(account, dtype=str)
    return pool.make_pools(b, costs.evaluate(b, months), account)


def partition(which: np.ndarray) -> list[list[int]]:
    """The rows that share a pool, in order, the pools by their first row."""
    rows: dict[int, list[int]] = {}
    for row, k in enumerate(which.tolist()):
        rows.setdefault(k, []).append(row)
    return sorted(rows.values())


# ── Which rows share a pool ─────────────────────────────────────────────────────────────────────────
def test_an_inference_pool_holds_the_rows_priced_alike():
    rows = [  # (pricing, what the row changes)
        ("per_image", {}),
        ("per_image", {}),  # row 0's twin: one pool
        ("per_image", {"inference_discount_percent": 10}),  # a discount off the list price: apart
        ("per_image", {"cloud_fee_change_percent_per_year": 5}),  # prices that change otherwise: apart
        # free serverless: 0 per image, as row 0's per-image price column (0 outside serverless); only the mode differs
        ("serverless", {"serverless_per_gb_second": 0, "serverless_per_million_requests": 0}),
        ("serverless", {}),  # serverless at its price per image: apart
        ("instances", {}),  # on demand, always on: 0.526 an hour
        ("instances", {"instance_per_hour": 1.0}),  # another hourly rate: apart
        ("instances", {"instance_billing_scale_to_zero": True}),  # fewer hours billed: apart
        ("instances", {"instance_min_count": 3}),  # another minimum: apart
        # 1.052 an hour less a 50 % discount is row 6's 0.526: the same rate, so row 6's pool (the discount is in it)
        ("instances", {"instance_per_hour": 1.052, "inference_discount_percent": 50}),
        # one-year commitments at 0.662 an hour, half paid upfront: 0.331 an hour and 0.331 × 730.5 × 12 upfront
        ("instances", {"commitment": "one_year", "instance_committed_per_hour": 0.662}),
        # the same 0.331 an hour with nothing upfront (0 % of it): apart, by the upfront payment alone
        ("instances", {"commitment": "one_year", "instance_partial_upfront_percent": 0}),
        # the same again over three years: apart, by the term alone
        ("instances", {"commitment": "three_year", "instance_partial_upfront_percent": 0}),
    ]
    n = len(rows)
    numbers = {
        "inference_discount_percent": np.zeros(n),
        "cloud_fee_change_percent_per_year": np.zeros(n),
        "serverless_per_gb_second": np.full(n, RETAIL.serverless_per_gb_second),
        "serverless_per_million_requests": np.full(n, RETAIL.serverless_per_million_requests),
        "instance_per_hour": np.full(n, 0.526),
        "instance_min_count": np.full(n, 2.0),
        "instance_committed_per_hour": np.full(n, 0.331),
        "instance_partial_upfront_percent": np.full(n, 50.0),
    }
    choices = {
        "inference_pricing": np.array([pricing for pricing, _ in rows], dtype=object),
        "instance_billing": np.full(n, "always_on", dtype=object),
        "instance_commitment": np.full(n, "on_demand", dtype=object),
        "instance_upfront": np.full(n, "partial", dtype=object),
    }
    for r, (_, change) in enumerate(rows):
        for name, value in change.items():
            if name == "commitment":
                choices["instance_commitment"][r] = value
            elif name == "instance_billing_scale_to_zero":
                choices["instance_billing"][r] = "scale_to_zero"
            else:
                numbers[name][r] = value
    pools = pools_of([RETAIL], choices=choices, **numbers)
    assert partition(pools.inference) == [[0, 1], [2], [3], [4], [5], [6, 10], [7], [8], [9], [11], [12], [13]]
    # the rates behind the pools, worked out above: 0.526 (rows 6 and 10), 0.331 a commitment (rows 11 to 13)
    surcharge = 1 + RETAIL.instance_endpoint_surcharge_percent / 100
    rate = pools.row_prices.instance_rate
    assert rate[[6, 10, 11, 12, 13]] == pytest.approx(np.array([0.526, 0.526, 0.331, 0.331, 0.331]) * surcharge)
    upfront = pools.row_prices.upfront_per_instance[[11, 12, 13]]
    assert upfront == pytest.approx(np.array([0.331 * 730.5 * 12, 0, 0]) * surcharge)


def test_inference_tiers_set_apart_the_per_image_rows_only():
    """Rows with tiers of their own: per-image rows are pooled by their tiers, serverless rows whatever their tiers
    (they are not priced by them), even by a tier of price 0."""
    free = replace(RETAIL, inference_tiers=[{"start": 0, "price": 0.0}])
    dearer = replace(RETAIL, inference_tiers=[{"start": 0, "price": 2.0}])
    pricing = np.array(["per_image", "per_image", "per_image", "serverless", "serverless"], dtype=object)
    pools = pools_of([RETAIL, RETAIL, dearer, RETAIL, free], choices={"inference_pricing": pricing})
    assert partition(pools.inference) == [[0, 1], [2], [3, 4]]


def test_pool_keys_stay_whole_numbers_however_many_columns_and_values():
    """300 rows: row r has b = r % 150 in its first columns, then h = r // 150 or d = r % 20 in its last (b and d
    together give r % 300): every row its own pool, the pools in the order of their values, column by column.
    Eight columns of 150 values and h combine to 150^8 × 2 ≈ 5.1e17 codes, past the 2^53 a float holds exactly (rows
    differing in their last column alone stay apart); with d to 150^8 × 20 ≈ 5.1e18, past 2^62, and nine columns of
    150 to 150^9 ≈ 3.8e19: the codes are ranked again (before the last column) before they could overflow 64 bits.
    130 columns of h: 2^130 codes, ranked again each time they near 2^62, for all that only 2 rows differ."""
    r = np.arange(300)
    b, h, d = r % 150, r // 150, r % 20
    by_b_then_h = [row for base in range(150) for row in (base, base + 150)]  # pool 2b + h
    for columns in (8, 9):
        which, first = pool._keys(*[b] * columns, h)
        assert which.tolist() == (2 * b + h).tolist() and first.tolist() == by_b_then_h
    which, first = pool._keys(*[b] * 8, d)
    by_b_then_d = sorted(r.tolist(), key=lambda row: (row % 150, row % 20))
    assert first.tolist() == by_b_then_d and which[by_b_then_d].tolist() == list(range(300))
    which, first = pool._keys(*[h] * 130)
    assert which.tolist() == h.tolist() and first.tolist() == [0, 150]


def test_a_pool_volume_sums_each_rows_own_growth_from_its_go_live():
    """Rows of their own growth: row 0, 2 × (1, 2, 3) from month 0; row 1, 3 × (10, 20, 30) from month 1: 2, 4 + 30,
    6 + 60."""
    own = pool.Volume(np.array([2.0, 3.0]), np.array([[1.0, 2, 3], [10.0, 20, 30]]))
    volume = pool.pool_volume(own, np.array([0, 1]), np.ones((1, 2)), np.zeros(2, int), 1, 3)
    assert volume.tolist() == [[[2.0, 34.0, 66.0]]]


def test_two_rows_of_one_tier_at_different_prices_are_two_pools():
    one = replace(RETAIL, inference_tiers=[{"start": 0, "price": 1.0}])
    two = replace(RETAIL, inference_tiers=[{"start": 0, "price": 2.0}])
    assert partition(pools_of([one, two]).inference) == [[0], [1]]


def test_an_egress_pool_holds_the_rows_of_one_account_sending_at_the_same_prices():
    other_tiers = replace(RETAIL, egress_tiers=[{"start": 0, "price": 0.05}])
    pools = pools_of(
        [RETAIL] * 4 + [other_tiers],
        account=["", "", "north", "", ""],
        choices={"inference_pricing": np.array(["per_image", "serverless", *["per_image"] * 3], dtype=object)},
        # row 3's bandwidth prices change by 5 % a year
        bandwidth_price_change_percent_per_year=np.array([0, 0, 0, 5, 0.0]),
    )
    # row 1 is priced otherwise for inference, but sends its results at row 0's prices: row 0's egress pool
    assert partition(pools.egress) == [[0, 1], [2], [3], [4]]
    # bandwidth prices and egress tiers do not price inference: rows 0, 3 and 4 share an inference pool
    assert partition(pools.inference) == [[0, 3, 4], [1], [2]]


# ── A pool's bills ──────────────────────────────────────────────────────────────────────────────────
def prices(pools: int, **given) -> pool.Prices:
    """Prices of `pools` pools: 0 unless given; tiers of one free tier unless given."""
    fields = [f for f in pool.Prices.__dataclass_fields__ if not f.endswith("_tiers")]
    free = (np.zeros((1, 1)), np.zeros((1, 1)))
    columns = {f: np.asarray(given.get(f, np.zeros(pools)), dtype=float) for f in fields}
    columns["mode"] = np.asarray(given.get("mode", np.zeros(pools)), dtype=int)
    tiers = {f: given.get(f, free) for f in ("inference_tiers", "egress_tiers")}
    return pool.Prices(**columns, **tiers)


def test_inference_bills_of_per_image_serverless_and_instance_pools():
    """Over 13 months, fees rising 10 % a year in pools 0 and 2 (× 1.1 in month 12), not in pool 1."""
    p = prices(
        3,
        mode=[0, 1, 2],
        list_share=[0.8, 0.5, 1.0],  # 20 % and 50 % off the list prices
        per_image=[0, 0.01, 0],
        instance_rate=[0, 0, 2.0],
        billed_hours=[0, 0, 100.0],
        upfront_per_instance=[0, 0, 120.0],
        term_months=[0, 0, 12],
        min_count=[0, 0, 1],
        fee_change=[10, 0, 10],
        # per image: pool 0's 0.002 up to 1,000 images and 0.001 above (the other pools' tiers are not read)
        inference_tiers=(np.array([[0, 1000.0], [0, 5], [0, 7]]), np.array([[0.002, 0.001], [9, 9], [9, 9]])),
    )
    driver = np.array([[1500.0] * 13, [100.0] * 13, [2.5] * 13])  # images; images; instances' worth of load
    running, upfront, spread, instances = pool.inference_bill(driver, np.ones((3, 13), bool), p)
    fee = 1.1 ** (np.arange(13) / 12)
    # pool 0: 1,000 × 0.002 + 500 × 0.001 = 2.5 at list price, 2.0 after 20 % off
    assert running[0] == pytest.approx(2.0 * fee, rel=1e-12)
    # pool 1: 100 images × 0.01 × 0.5 = 0.5, its fees unchanged
    assert running[1] == pytest.approx(np.full(13, 0.5), rel=1e-12)
    # pool 2: a load of 2.5 instances needs 3 (at least 1), 3 × 2.0 × 100 h = 600 a month; the one-year commitment
    # of 3 × 120 is paid at months 0 and 12, or spread as 3 × 120 / 12 = 30 a month
    assert instances[2].tolist() == [3.0] * 13 and not instances[:2].any()
    assert running[2] == pytest.approx(600 * fee, rel=1e-12)
    assert upfront[2] == pytest.approx([360.0] + [0.0] * 11 + [360 * 1.1], rel=1e-12)
    assert spread[2] == pytest.approx(30 * fee, rel=1e-12)
    assert not upfront[:2].any() and not spread[:2].any()


def test_an_egress_bill_follows_its_tiers_and_its_bandwidth_price_change():
    p = prices(1, bandwidth_change=[10], egress_tiers=(np.array([[0, 100.0]]), np.array([[0.1, 0.05]])))
    # 150 GB a month: 100 × 0.1 + 50 × 0.05 = 12.5, × 1.1 a year later
    bill = pool.egress_bill(np.full((1, 13), 150.0), p)
    assert bill[0, [0, 12]] == pytest.approx([12.5, 12.5 * 1.1], rel=1e-12)


def test_pooled_instances_emit_at_their_rows_rates_weighted_by_load():
    """Two always-on instance rows in one pool, 40 and 120 cameras at 1 frame/s, 30 % headroom, 400 inferences/s:
    loads of 40 × 1.3 ÷ 400 = 0.13 and 0.39 instances, 0.52 together: the minimum of 2 instances, 730.5 hours a month.
    An instance-hour emits 50 % idle × 1 kW × PUE 1 × the grid's kg/kWh + 0.1 kg embodied: 0.5 × 0.2 + 0.1 = 0.2
    kg at row 0's grid, 0.5 × 0.6 + 0.1 = 0.4 at row 1's; the pool's, weighted by load: (0.13 × 0.2 + 0.39 × 0.4) ÷
    0.52 = 0.35. A plan leaving row 1 alone in the cloud: row 1's 0.4. Without load (no analysed frames) the 2
    instances idle at the rate of the pool's first row, 0.2."""
    base = replace(
        RETAIL,
        inference_pricing="instances",
        analysed_fps=1,
        cloud_accelerator_idle_percent=50,
        cloud_accelerator_watts=1000,
        cloud_pue=1,
        cloud_embodied_kgco2e_per_accelerator_hour=0.1,
    )
    grid = np.array([0.2, 0.6])
    go_live, on_cloud = np.zeros(2, int), np.array([[1.0, 1], [0, 1]])  # plans: both rows; row 1 alone

    def kg(fps: float) -> np.ndarray:
        pools = pools_of(
            [base], months=3, cameras=np.array([40.0, 120]), cloud_grid_kgco2e_per_kwh=grid, analysed_fps=fps
        )
        assert partition(pools.inference) == [[0, 1]]
        bills = pool.plan_bills(pools, np.ones(2), go_live, on_cloud, 3)
        return pool.instance_kgco2e(pools, bills, go_live, on_cloud)

    assert kg(1) == pytest.approx(2 * 730.5 * np.array([[0.35] * 3, [0.4] * 3]), rel=1e-12)
    assert kg(0) == pytest.approx(np.full((2, 3), 2 * 730.5 * 0.2), rel=1e-12)


# ── What a row adds to its pool, priced with and without it ──────────────────────────────────────────
# Sites of 10 cameras at 1 frame/s, 10 h a day, 30 days: 10 × 36,000 × 30 = 10.8M images a month, each returning a
# 10 kB result: 108 GB a month. Every pooled bill is free unless a test prices it.
FREE = [{"start": 0, "price": 0.0}]
SITE = replace(
    RETAIL,
    cameras=10,
    sites=1,
    analysed_fps=1,
    hours_per_day=10,
    days_per_month=30,
    result_kb=10,
    workload_growth_percent_per_year=0,
    inference_tiers=FREE,
    egress_tiers=FREE,
    instance_endpoint_surcharge_percent=0,
    inference_discount_percent=0,
)
# One-year commitments at 0.40 an hour, half upfront: 0.20 an hour × 730.5 h = 146.1 a month, and 0.20 × 730.5 × 12 =
# 1,753.2 upfront for each instance; a site's load of 10 × 1.3 ÷ 400 = 0.0325 instances, at least 1 instance.
COMMITTED = replace(
    SITE,
    inference_pricing="instances",
    instance_billing="always_on",
    instance_commitment="one_year",
    instance_upfront="partial",
    instance_partial_upfront_percent=50,
    instance_committed_per_hour=0.4,
    instance_min_count=1,
)


def marginal(scenario, go_live, months, account=None, **columns) -> np.ndarray:
    """What each row (one site) adds to the all-cloud pools' bills over `months` (`pool.marginal_totals`); the rows
    are one scenario, or a list of one a row."""
    n = len(go_live)
    pools = pools_of(scenario if isinstance(scenario, list) else [scenario] * n, account, months, **columns)
    count, go_live = np.ones(n), np.asarray(go_live)
    bills = pool.plan_bills(pools, count, go_live, count[None, :], months)
    return pool.marginal_totals(pools, bills, count, go_live)


@pytest.mark.parametrize("bill", ["inference", "egress"])
def test_a_row_adds_the_pool_with_it_less_the_pool_without_it(bill):
    """Two sites, A from month 0 and B from month 6, over 12 months. Inference: 1.00 per 1,000 images up to 15M a
    month, 0.50 above; egress: 0.10 per GB up to 150 GB, 0.05 above (the same figures ÷ 1,000). Alone a site pays
    10.8M × 1.00 ÷ 1,000 = 10,800 a month (108 × 0.10 = 10.8); together 15,000 + 6.6M × 0.50 ÷ 1,000 = 18,300 (15 +
    66 × 0.05 = 18.3). Both sites' volume crosses the tier that either one's does not: each is priced by hand. In the
    egress case the sites are serverless at 100 per million requests (1,080 a month each, A for 12 months, B for 6),
    added to what their egress adds."""
    tiers = {"inference": [{"start": 0, "price": 1.0}, {"start": 15e6, "price": 0.5}]}
    tiers["egress"] = [{"start": 0, "price": 0.1}, {"start": 150, "price": 0.05}]
    per_1000 = 1.0 if bill == "inference" else 0.001  # the egress figures are the inference figures ÷ 1,000
    alone, together = 10_800 * per_1000, 18_300 * per_1000
    # with both: A alone 6 months, then both 6 months; without A: B alone 6 months; without B: A alone 12 months
    with_both = 6 * alone + 6 * together
    added = [with_both - 6 * alone, with_both - 12 * alone]
    serverless = {"inference_pricing": "serverless", "serverless_per_gb_second": 0}
    serverless["serverless_per_million_requests"] = 100
    site = replace(SITE, **{f"{bill}_tiers": tiers[bill]}, **(serverless if bill == "egress" else {}))
    images = [12 * 1080, 6 * 1080] if bill == "egress" else [0, 0]
    got = marginal(site, [0, 6], 12)
    assert got == pytest.approx(np.add(added, images), rel=1e-12)
    assert added == pytest.approx([109_800 * per_1000, 45_000 * per_1000], rel=1e-12)


def test_a_row_of_an_instance_pool_adds_the_months_it_alone_keeps_the_pool_running():
    """Two sites, A from month 0 and B from month 6, over 12 months, COMMITTED (146.1 a month, 1,753.2 upfront an
    instance). Their load (0.0325 instances each) needs the minimum of 1 instance while any site is live. With
    both: 1 instance bought at month 0 for 12 months, 12 × 146.1 + 1,753.2. Without A: bought at month 6, 6 × 146.1 +
    1,753.2 within the 12 months; A adds 6 × 146.1 = 876.6. Without B: A alone keeps the same instance: B adds 0."""
    assert marginal(COMMITTED, [0, 6], 12) == pytest.approx([6 * 146.1, 0.0], abs=1e-9)


def test_a_row_alone_in_its_account_adds_its_whole_bill_even_with_more_pools_than_months():
    """Three sites on three accounts, over 2 months, each the only site of its instance pool: one on-demand
    instance at 0.20 an hour × 730.5 h = 146.1 a month, 292.2 over the 2 months."""
    on_demand = replace(SITE, inference_pricing="instances", instance_per_hour=0.2, instance_min_count=1)
    assert marginal(on_demand, [0, 0, 0], 2, ["a", "b", "c"]) == pytest.approx([292.2] * 3, rel=1e-12)


def test_a_discount_comes_off_the_pooled_per_image_bill():
    """Two sites of 10.8M images a month at 1.00 per 1,000 images, 20 % off: 2 × 10,800 × 0.8 = 17,280 a month."""
    discounted = replace(SITE, inference_tiers=[{"start": 0, "price": 1.0}], inference_discount_percent=20)
    pools = pools_of([discounted] * 2, months=2)
    bills = pool.plan_bills(pools, np.ones(2), np.zeros(2, int), np.ones((1, 2)), 2)
    assert bills.inference[0, 0] == pytest.approx([17_280.0] * 2, rel=1e-12)


# ── A row's share of its pool's bills ───────────────────────────────────────────────────────────────
def attributed(scenarios, go_live, months, **columns) -> dict[str, np.ndarray]:
    """Each row's share (n, row-local months) of each all-cloud pooled bill (`pool.attributed_lines`), one site a row."""
    pools = pools_of(scenarios, months=months, **columns)
    count, go_live = np.ones(pools.inference.size), np.asarray(go_live)
    bills = pool.plan_bills(pools, count, go_live, count[None, :], months)
    lines = pool.attributed_lines(pools, bills, go_live)
    return {key: sum(t.amount * t.factor for t in line) for key, line in lines.items()}


def test_a_rows_share_of_a_commitment_pool_is_pro_rata_to_its_load():
    """10 and 30 cameras: loads of 0.0325 and 0.0975 instances (10 or 30 × 1.3 ÷ 400), a quarter and three quarters
    of the pool's one instance (its minimum), COMMITTED: 146.1 a month running, 1,753.2 upfront at month 0, or
    1,753.2 ÷ 12 = 146.1 a month spread."""
    lines = attributed([COMMITTED], [0, 0], 12, cameras=np.array([10.0, 30]))
    quarters = np.array([[0.25], [0.75]])
    assert lines["inference"] == pytest.approx(quarters * np.full((1, 12), 146.1), rel=1e-12)
    assert lines["commitment_upfront"] == pytest.approx(quarters * np.array([[1753.2] + [0] * 11]), rel=1e-12)
    assert lines["commitment_spread"] == pytest.approx(quarters * np.full((1, 12), 146.1), rel=1e-12)
    assert not lines["results_egress"].any()  # egress is free


def test_a_rows_share_follows_its_own_growth_from_its_go_live():
    """A from month 0 without growth, B from month 2 growing 12 % a year, over 4 programme months, at 1.00 per 1,000
    images (no tiers: 0.001 an image whatever the pool's volume). A's share is its own 10.8M images × 0.001 =
    10,800 a month; B's 10,800 × 1.12^(k/12) in its own months k = 0 and 1 (programme months 2 and 3), nothing after
    the programme's end."""
    flat = replace(SITE, inference_tiers=[{"start": 0, "price": 1.0}])
    growth = np.array([0.0, 12])
    lines = attributed([flat], [0, 2], 4, workload_growth_percent_per_year=growth)
    b_share = [10_800, 10_800 * 1.12 ** (1 / 12), 0, 0]
    assert lines["inference"] == pytest.approx(np.array([[10_800] * 4, b_share]), rel=1e-12)


def test_a_site_alone_in_its_pool_adds_its_whole_bill_past_a_free_first_gigabyte():
    """108 GB a month, the first GB free, 0.10 a GB above: 107 × 0.10 = 10.70 a month, all of it the site's own
    (without it the pool sends nothing), 32.10 over 3 months; not 108 × 0.10 (its first GB is free)."""
    first_free = replace(SITE, egress_tiers=[{"start": 0, "price": 0.0}, {"start": 1, "price": 0.1}])
    assert marginal(first_free, [0], 3) == pytest.approx([3 * 10.7], rel=1e-12)


def test_rows_priced_per_image_add_their_own_images_each_from_its_go_live():
    """Over 4 months: A on its own account's instance (0.20 an hour, at least 1: 146.1 a month) from month 0, priced
    by hand (a pool of no price per unit: its row is not read at another pool's unit price); C and B serverless at
    0.0001 an image (100 per million requests, nothing per GB-second), C from month 1, B from month 2 with its images
    growing 12 % a year: C adds 10.8M × 0.0001 = 1,080 in each of its 3 months, B 1,080 and 1,080 × 1.12^(1/12) in
    its 2."""
    rows = pools_of(
        [replace(SITE, instance_per_hour=0.2, instance_min_count=1, serverless_per_gb_second=0)],
        account=["a", "b", "b"],
        months=4,
        choices={"inference_pricing": np.array(["instances", "serverless", "serverless"], dtype=object)},
        serverless_per_million_requests=np.full(3, 100.0),
        workload_growth_percent_per_year=np.array([0, 0, 12.0]),
    )
    count, go_live = np.ones(3), np.array([0, 1, 2])
    bills = pool.plan_bills(rows, count, go_live, count[None, :], 4)
    added = [4 * 146.1, 3 * 1080, 1080 * (1 + 1.12 ** (1 / 12))]
    assert pool.marginal_totals(rows, bills, count, go_live) == pytest.approx(added, rel=1e-12)


def test_rows_of_one_pool_priced_per_image_add_their_own_images_with_their_own_growth():
    """A from month 0 without growth, B from month 2 growing 12 % a year, over 4 months, at 1.00 per 1,000 images
    (one tier): A adds 10.8M × 0.001 = 10,800 a month, B 10,800 and 10,800 × 1.12^(1/12) in its 2 months."""
    flat = replace(SITE, inference_tiers=[{"start": 0, "price": 1.0}])
    added = marginal(flat, [0, 2], 4, workload_growth_percent_per_year=np.array([0, 12.0]))
    assert added == pytest.approx([4 * 10_800, 10_800 * (1 + 1.12 ** (1 / 12))], rel=1e-12)


def test_a_one_month_programme_prices_each_rows_images_at_its_own_pools_price():
    """One month, two serverless sites on two accounts at 100 and 50 per million requests (nothing per GB-second)
    less 20 %, their images growing at different rates: 10.8M × 0.0001 × 0.8 = 864 and 10.8M × 0.00005 × 0.8 = 432."""
    serverless = replace(
        SITE, inference_pricing="serverless", serverless_per_gb_second=0, inference_discount_percent=20
    )
    added = marginal(
        serverless,
        [0, 0],
        1,
        ["a", "b"],
        serverless_per_million_requests=np.array([100, 50.0]),
        workload_growth_percent_per_year=np.array([0, 12.0]),
    )
    assert added == pytest.approx([864, 432], rel=1e-12)


def test_what_a_row_adds_follows_its_fee_and_bandwidth_price_changes():
    """One site over 2 months at one price a tier: 1.00 per 1,000 images less 20 % (8,640 a month) with fees rising
    10 % a year, 0.10 a GB of results (10.80 a month, the discount is not on bandwidth) with bandwidth prices rising
    20 % a year: month 1 costs 8,640 × 1.1^(1/12) and 10.80 × 1.2^(1/12)."""
    changing = replace(
        SITE,
        inference_tiers=[{"start": 0, "price": 1.0}],
        egress_tiers=[{"start": 0, "price": 0.1}],
        cloud_fee_change_percent_per_year=10,
        bandwidth_price_change_percent_per_year=20,
        inference_discount_percent=20,
    )
    added = 8640 * (1 + 1.1 ** (1 / 12)) + 10.8 * (1 + 1.2 ** (1 / 12))
    assert marginal(changing, [0], 2) == pytest.approx([added], rel=1e-12)


def test_rows_with_tiers_of_their_own_add_their_images_at_their_own_tiers_price():
    """Two sites, each its own pool by its one tier: 1.00 and 2.00 per 1,000 images, 10,800 and 21,600 a month."""
    one, two = (replace(SITE, inference_tiers=[{"start": 0, "price": price}]) for price in (1.0, 2.0))
    assert marginal([one, two], [0, 0], 2) == pytest.approx([2 * 10_800, 2 * 21_600], rel=1e-12)
