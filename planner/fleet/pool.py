"""A fleet's cloud bills pooled by account: the volume-priced bills of the sites a plan leaves in the cloud are one
bill per account, priced on their summed monthly volume (docs/FORMULAS.md, "Fleet", the cloud pool).

    pooled bills     inference (per-image tiers, serverless, the instance pool: its minimum, headroom and
                     commitments), its commitments' upfront payments, results egress (tiers)
    a pool           the rows of one `cloud_account` (blank: the fleet's one account) priced alike: for inference
                     the same pricing mode and prices, for egress the same tiers and price change
    pool volume      V_k(m) = Σ_r count_r × v_r(m − go_live_r) over the pool's rows in the cloud (programme months)
    pool bill        the single-scenario formula of the bill applied to V_k(m); price changes compound from the
                     programme's month 0
    attribution      a site's share of a pool bill: v_r(m − go_live_r) / V_k(m) × bill_k(m) (pro-rata to the
                     bill's driver: images, instance load or result GB), in the all-cloud plan's pool
    marginal         what a row's sites add to the all-cloud pool: Σ_m bill_k(m) − bill_k without the row(m)
    pooled carbon    the emissions the instance pool's count drives (idle energy, embodied share): in service_k(m) ×
                     billed hours × kg per instance-hour, that of the pool's rows in the cloud weighted by their load

Every step is a numpy operation over rows or pools; nothing loops over sites in Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.model import costs
from planner.model.pricing import tiered_cost

POOLED = ("inference", "commitment_upfront", "commitment_spread", "results_egress")  # cost lines priced per pool


def pool_series(
    values: np.ndarray, shift: np.ndarray, weights: np.ndarray, pool: np.ndarray, pools: int, months: int
) -> np.ndarray:
    """Σ_r weights[p, r] × values[r, m − shift[r]] over the rows r of each pool k, for every plan p: (P, K, M).

    Rows are grouped by (pool, shift) with a sparse (P·G × n) matrix, so the (n, M) grid is read once; the G group
    sums are then shifted, one pass per distinct shift (go-live month), not per site."""
    from scipy import sparse

    shifts, group = np.unique(shift, return_inverse=True)
    combos, combo = np.unique(pool * len(shifts) + group, return_inverse=True)
    plans, n = weights.shape
    row_of = (np.arange(plans)[:, None] * len(combos) + combo[None, :]).ravel()
    w = sparse.csr_matrix((weights.ravel(), (row_of, np.tile(np.arange(n), plans))), shape=(plans * len(combos), n))
    grouped = np.asarray(w @ values).reshape(plans, len(combos), months)
    combo_pool, combo_shift = combos // len(shifts), shifts[combos % len(shifts)]
    out = np.zeros((plans, pools, months))
    for s in shifts:
        at = np.flatnonzero(combo_shift == s)  # one pool each
        out[:, combo_pool[at], s:] += grouped[:, at, : months - s]
    return out


def pool_volume(
    volume: Volume, shift: np.ndarray, weights: np.ndarray, pool: np.ndarray, pools: int, months: int
) -> np.ndarray:
    """`pool_series` of a Volume: with a factor shared by every row, the amounts are summed per (pool, go-live) and
    the factor shifted once per go-live month, without the (n, M) grid."""
    if not volume.shared:
        return pool_series(volume.values(), shift, weights, pool, pools, months)
    shifts, group = np.unique(shift, return_inverse=True)
    out = np.zeros((weights.shape[0], pools, months))
    for g, s in enumerate(shifts):
        rows = group == g
        summed = np.zeros((weights.shape[0], pools))
        np.add.at(summed.T, pool[rows], (weights[:, rows] * volume.amount[rows]).T)
        out[:, :, s:] += summed[:, :, None] * volume.factor[0, : months - s]
    return out


def _live(weights: np.ndarray, shift: np.ndarray, pool: np.ndarray, pools: int, months: int) -> np.ndarray:
    """(P, K, M) whether any site of each pool is in service (gone live) in each plan and month."""
    started = np.zeros((weights.shape[0], pools, months))
    plan = np.repeat(np.arange(weights.shape[0]), len(pool))
    np.add.at(started, (plan, np.tile(pool, weights.shape[0]), np.tile(shift, weights.shape[0])), weights.ravel())
    return np.cumsum(started, axis=2) > 0


def _keys(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(pool of each row (n,), first row of each pool (K,)) for rows grouped by equal values in every column, the
    pools in the order of their values (column by column): each column's rank among its distinct values, the ranks
    combined into one integer per row (ranked again before it could overflow), and one sort of those."""
    stacked = np.column_stack(columns)
    code = np.zeros(len(stacked), dtype=np.int64)
    distinct = 1
    for column in stacked.T:
        values, rank = np.unique(column, return_inverse=True)
        if distinct * len(values) >= 2**62:
            _, code = np.unique(code, return_inverse=True)
            distinct = int(code.max()) + 1
        code, distinct = code * len(values) + rank.ravel(), distinct * len(values)
    _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    return inverse.ravel(), first


def _rows_of(tiers: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """A tier array (1 or n, k) for `rows`."""
    return tiers if tiers.shape[0] == 1 else tiers[rows]


def _profile(percent_per_year: np.ndarray, months: int) -> np.ndarray:
    """(R or 1, M) price-change factors (1 + p/100)^(m/12) from the programme's month 0 (one row when every rate is
    the same)."""
    rates, which = np.unique(np.asarray(percent_per_year, dtype=float), return_inverse=True)
    profiles = np.exp(np.log1p(rates / 100)[:, None] * np.arange(months) / 12)
    return profiles if len(rates) == 1 else profiles[which.ravel()]


@dataclass(frozen=True)
class Prices:
    """What prices the pooled bills, per row or per pool (R,)."""

    mode: np.ndarray  # int: 0 per-image, 1 serverless, 2 instances
    list_share: np.ndarray  # 1 − inference_discount_percent/100
    per_image: np.ndarray  # serverless: cost of one image
    instance_rate: np.ndarray  # per instance-hour billed
    billed_hours: np.ndarray  # per instance per month
    upfront_per_instance: np.ndarray
    term_months: np.ndarray
    min_count: np.ndarray  # instance_min_count
    fee_change: np.ndarray  # cloud_fee_change_percent_per_year
    instance_kgco2e_per_hour: (
        np.ndarray
    )  # what an instance-hour billed emits besides its load (`instance_kgco2e_per_hour`)
    bandwidth_change: np.ndarray  # bandwidth_price_change_percent_per_year
    inference_tiers: tuple[np.ndarray, np.ndarray]  # (1 or R, k): per-image tiers per 1000 images
    egress_tiers: tuple[np.ndarray, np.ndarray]

    def take(self, rows: np.ndarray) -> Prices:
        def pick(tiers):
            return tuple(_rows_of(t, rows) for t in tiers)

        fields = {k: v[rows] for k, v in vars(self).items() if not k.endswith("_tiers")}
        return Prices(**fields, inference_tiers=pick(self.inference_tiers), egress_tiers=pick(self.egress_tiers))


@dataclass(frozen=True)
class Volume:
    """What one site of each row adds to its pool per row-local month: amount (n,) × factor (1 or n, M)."""

    amount: np.ndarray
    factor: np.ndarray

    @property
    def shared(self) -> bool:
        return self.factor.shape[0] == 1

    def values(self, rows: np.ndarray | None = None) -> np.ndarray:
        """(n, M), or (len(rows), M) of `rows`."""
        if rows is None:
            return self.amount[:, None] * self.factor
        return self.amount[rows, None] * (self.factor if self.shared else self.factor[rows])

    def most(self) -> np.ndarray:
        """(n,) the most in any month."""
        return self.amount * (self.factor.max() if self.shared else self.factor.max(axis=1))


def _volume(evaluated: costs.Costs, key: str, amount: np.ndarray | None = None) -> Volume:
    """A quantity of the cost model (one term: amount × growth) as a Volume, its amount replaced by `amount`."""
    (term,) = evaluated.quantities[key]
    factor = np.broadcast_to(term.factor, (term.factor.shape[0], evaluated.months))
    return Volume(term.amount[:, 0] if amount is None else amount, factor)


@dataclass(frozen=True)
class Pools:
    """The pools of a fleet's rows: for the inference bill and the egress bill, each row's pool and each pool's
    prices; `driver` what a row's site adds to its inference pool (images, or instance load for instances),
    `result_gb` to its egress pool."""

    inference: np.ndarray  # (n,) pool index
    egress: np.ndarray
    inference_prices: Prices  # per inference pool
    egress_prices: Prices  # per egress pool
    row_prices: Prices  # per row
    driver: Volume
    result_gb: Volume


def instance_kgco2e_per_hour(b: costs.Batch) -> np.ndarray:
    """(n,) kg CO₂e an instance-hour billed emits whatever its load: its accelerator's idle share of energy
    (cloud_accelerator_idle_percent × watts, PUE, grid) and its embodied share; the instance terms of the
    `cloud_energy` and `cloud_embodied` lines per instance-hour."""
    energy_kwh = b["cloud_accelerator_idle_percent"] / 100 * b["cloud_accelerator_watts"] / 1000 * b["cloud_pue"]
    return energy_kwh * b["cloud_grid_kgco2e_per_kwh"] + b["cloud_embodied_kgco2e_per_accelerator_hour"]


def make_pools(b: costs.Batch, evaluated: costs.Costs, account: np.ndarray) -> Pools:
    """The rows' pools: one per account and pricing (the rows of an account priced differently are billed apart)."""
    figures = costs.scenario_figures(b)
    mode = np.where(b["per_image"], 0, np.where(b["instances"], 2, 1))
    instances = mode == 2
    starts, prices = b.inference_tiers
    prices_per_image = prices / 1000
    row = Prices(
        mode=mode,
        list_share=1 - b["inference_discount_percent"] / 100,
        per_image=np.where(mode == 1, figures["serverless_per_image"], 0.0),
        instance_rate=np.where(instances, figures["instance_rate"], 0.0),
        billed_hours=np.where(instances, figures["billed_hours"], 0.0),
        upfront_per_instance=np.where(instances, figures["upfront_per_instance"], 0.0),
        term_months=np.where(instances, figures["term_months"], 0.0),
        min_count=np.where(instances, b["instance_min_count"], 0.0),
        fee_change=b["cloud_fee_change_percent_per_year"],
        instance_kgco2e_per_hour=np.where(instances, instance_kgco2e_per_hour(b), 0.0),
        bandwidth_change=b["bandwidth_price_change_percent_per_year"],
        inference_tiers=(starts, prices_per_image),
        egress_tiers=b.egress_tiers,
    )
    _, account_code = np.unique(np.asarray(account, dtype=str), return_inverse=True)
    n = b.n

    def per_row(tiers, used):
        return [np.broadcast_to(t, (n, t.shape[1])) * used[:, None] for t in tiers if t.shape[0] > 1]

    tiers_used = per_row(row.inference_tiers, mode == 0)
    inference, first_i = _keys(
        account_code,
        mode,
        np.where(instances, 1.0, row.list_share),
        row.per_image,
        row.instance_rate,
        row.billed_hours,
        row.upfront_per_instance,
        row.term_months,
        row.min_count,
        row.fee_change,
        *tiers_used,
    )
    egress, first_e = _keys(account_code, row.bandwidth_change, *per_row(row.egress_tiers, np.ones(n, bool)))
    images = _volume(evaluated, "images")
    driver = _volume(evaluated, "images", np.where(instances, figures["instance_load"], images.amount))
    return Pools(inference, egress, row.take(first_i), row.take(first_e), row, driver, _volume(evaluated, "result_gb"))


@dataclass(frozen=True)
class Bills:
    """The pooled bills of P sets of sites (the plans' sites in the cloud), per pool and programme month (P, K, M);
    the drivers they are shared by (images or instance load; result GB)."""

    inference: np.ndarray  # accruing: per-image, serverless and instance-hours
    upfront: np.ndarray  # commitments' upfront payments, at the start of the month (cash view)
    spread: np.ndarray  # the same spread over the term (accounting view)
    egress: np.ndarray
    driver: np.ndarray
    result_gb: np.ndarray
    instances: np.ndarray  # instances in service of each instance pool (0 for the others)


def inference_bill(driver: np.ndarray, live: np.ndarray, p: Prices) -> tuple[np.ndarray, ...]:
    """(accruing, upfront, spread) inference bills (R, M) of R pools whose monthly driver (images, or instances'
    worth of load) is `driver`, live where any of their sites is in service: the single-scenario formulas of
    costs.evaluate on the pooled volume; and the instances in service (R, M), 0 in pools not priced by instances."""
    R, M = driver.shape
    running, upfront, spread = np.zeros((R, M)), np.zeros((R, M)), np.zeros((R, M))
    instances = np.zeros((R, M))
    fee = _profile(p.fee_change, M)
    tiered = np.flatnonzero(p.mode == 0)
    if tiered.size:
        starts, prices = (_rows_of(t, tiered) for t in p.inference_tiers)
        running[tiered] = tiered_cost(driver[tiered], starts, prices) * p.list_share[tiered, None]
    flat = np.flatnonzero(p.mode == 1)
    running[flat] = driver[flat] * (p.per_image * p.list_share)[flat, None]
    pool = np.flatnonzero(p.mode == 2)
    if pool.size:
        needed = np.where(live[pool], costs.instances_needed(driver[pool], p.min_count[pool]), 0.0)
        in_service, bought, _ = costs.commitments(needed, p.term_months[pool])
        running[pool] = in_service * (p.instance_rate * p.billed_hours)[pool, None]
        upfront[pool] = bought * p.upfront_per_instance[pool, None]
        spread[pool] = in_service * (p.upfront_per_instance / np.maximum(p.term_months, 1))[pool, None]
        instances[pool] = in_service
    return running * fee, upfront * fee, spread * fee, instances


def egress_bill(result_gb: np.ndarray, p: Prices) -> np.ndarray:
    """Results egress (R, M) of R pools sending `result_gb` (R, M) a month."""
    return tiered_cost(result_gb, *p.egress_tiers) * _profile(p.bandwidth_change, result_gb.shape[1])


def plan_bills(pools: Pools, count: np.ndarray, go_live: np.ndarray, on_cloud: np.ndarray, months: int) -> Bills:
    """The pooled bills of each plan's sites in the cloud: on_cloud (P, n) sites of each row left in the cloud."""
    P = on_cloud.shape[0]
    Ki, Ke = len(pools.inference_prices.mode), len(pools.egress_prices.mode)
    driver = pool_volume(pools.driver, go_live, on_cloud, pools.inference, Ki, months)
    live = _live(on_cloud, go_live, pools.inference, Ki, months)
    result_gb = pool_volume(pools.result_gb, go_live, on_cloud, pools.egress, Ke, months)

    def flat(x):
        return x.reshape(P * x.shape[1], months)

    def tile(prices, k):
        return prices.take(np.tile(np.arange(k), P))

    running, upfront, spread, instances = inference_bill(flat(driver), flat(live), tile(pools.inference_prices, Ki))
    egress = egress_bill(flat(result_gb), tile(pools.egress_prices, Ke))

    def shaped(x, k):
        return x.reshape(P, k, months)

    return Bills(
        shaped(running, Ki),
        shaped(upfront, Ki),
        shaped(spread, Ki),
        shaped(egress, Ke),
        driver,
        result_gb,
        shaped(instances, Ki),
    )


def instance_kgco2e(pools: Pools, bills: Bills, go_live: np.ndarray, on_cloud: np.ndarray) -> np.ndarray:
    """(P, M) what each plan's pooled instances emit per programme month whatever their load (idle energy, embodied
    share): Σ_k in service_k(m) × billed_hours_k × the pool's kg per instance-hour, that of its rows in the cloud
    weighted by their load V (each row's own when they agree; the pool's first row's where V is 0)."""
    P, K, M = bills.instances.shape
    rate = pools.row_prices.instance_kgco2e_per_hour
    weighted = pool_volume(
        Volume(pools.driver.amount * rate, pools.driver.factor), go_live, on_cloud, pools.inference, K, M
    )
    first = pools.inference_prices.instance_kgco2e_per_hour[None, :, None]
    per_hour = np.where(bills.driver > 0, _share(weighted, bills.driver), first)
    hours = pools.inference_prices.billed_hours[None, :, None]
    return (bills.instances * hours * per_hour).sum(axis=1)


def go_live_groups(go_live: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """(month, rows) for each distinct go-live month: the passes below run once per rollout wave, not per site."""
    return [(int(g), np.flatnonzero(go_live == g)) for g in np.unique(go_live)]


def _at_row(grid: np.ndarray, pool: np.ndarray, go_live: np.ndarray, local: np.ndarray | float = 1.0) -> np.ndarray:
    """(n, M) a pool grid (K, M) read by each row in its own months: grid[pool_r, go_live_r + k] × local[k] (a factor
    of the row-local months every row shares), 0 past the programme's end: one row per (pool, go-live) pair shifted,
    then gathered by row in one pass."""
    M = grid.shape[1]
    lives, live = np.unique(go_live, return_inverse=True)
    pairs, pair = np.unique(pool * len(lives) + live.ravel(), return_inverse=True)
    pair_pool, pair_live = pairs // len(lives), pairs % len(lives)
    shifted = np.zeros((len(pairs), M))
    for j, g in enumerate(lives):
        at = np.flatnonzero(pair_live == j)
        shifted[at, : M - g] = grid[pair_pool[at], g:]
    return np.take(shifted * local, pair.ravel(), axis=0)


def _shifted(values: np.ndarray, groups) -> np.ndarray:
    """(n, M) a row's own months (n, M) in programme months: values[r, m − go_live_r], 0 before go-live."""
    M = values.shape[1]
    out = np.zeros_like(values)
    for g, rows in groups:
        out[rows, g:] = values[rows, : M - g]
    return out


def _share(bill: np.ndarray, volume: np.ndarray) -> np.ndarray:
    """The bill per unit of its driver (K, M); 0 where the pool has no volume."""
    return np.divide(bill, volume, out=np.zeros_like(bill), where=volume > 0)


def attributed_lines(pools: Pools, bills: Bills, go_live: np.ndarray) -> dict[str, costs.Line]:
    """One site's share of each pooled bill, per row-local month, as cost-model terms, from the all-cloud pool (bills
    of plan 0): pro-rata to its driver, at the pool's average price of that month; one (n, M) term per bill that is
    not 0 throughout (lazy terms per go-live would cost the finance's per-row weighted sums one pass each)."""
    n = len(go_live)

    def at(bill, volume, pool, mine: Volume) -> costs.Line:
        if not bill[0].any():
            return (costs.Component(np.zeros((n, 1)), costs.ONE),)
        share = _share(bill[0], volume[0])
        if mine.shared:  # the rows' growth folded into the (pool, go-live) rows before they are gathered
            grid = _at_row(share, pool, go_live, mine.factor[0])
        else:
            grid = _at_row(share, pool, go_live)
            grid *= mine.factor
        grid *= mine.amount[:, None]
        return (costs.Component(np.ones((n, 1)), grid),)

    i, e = pools.inference, pools.egress
    return {
        "inference": at(bills.inference, bills.driver, i, pools.driver),
        "commitment_upfront": at(bills.upfront, bills.driver, i, pools.driver),
        "commitment_spread": at(bills.spread, bills.driver, i, pools.driver),
        "results_egress": at(bills.egress, bills.result_gb, e, pools.result_gb),
    }


def _linear_pools(volume: np.ndarray, most: np.ndarray, tiers: tuple[np.ndarray, np.ndarray]) -> tuple:
    """(linear (K,), price (K, M)): the pools whose volume V(m) and V(m) − `most` (the most one row adds) lie in one
    tier in every month, so what a row adds costs the tier's price per unit; tiers shared by every pool."""
    starts, prices = tiers
    top = np.searchsorted(starts[0], volume, side="right")
    low = np.searchsorted(starts[0], np.maximum(volume - most[:, None], 0), side="right")
    return (top == low).all(axis=1), prices[0][np.maximum(top, 1) - 1]


def _row_dot(volume: Volume, grid: np.ndarray, pool: np.ndarray, groups, rows: np.ndarray) -> np.ndarray:
    """Σ_k volume[r, k] × grid[pool_r, go_live_r + k] for `rows` (a boolean mask over n), one product per wave."""
    M = grid.shape[1]
    out = np.zeros(len(pool))
    for g, at in groups:
        at = at[rows[at]]
        if not at.size:
            continue
        if volume.shared:
            out[at] = volume.amount[at] * (grid[:, g:] @ volume.factor[0, : M - g])[pool[at]]
        else:
            weights = np.broadcast_to(grid[0, g:] if grid.shape[0] == 1 else grid[pool[at], g:], (at.size, M - g))
            out[at] = np.einsum("ij,ij->i", volume.values(at)[:, : M - g], weights)
    return out


def marginal_totals(pools: Pools, bills: Bills, count: np.ndarray, go_live: np.ndarray) -> np.ndarray:
    """(n,) what each row's sites together add to the all-cloud pools' bills over the programme (cash view, upfront
    payments included): Σ_m bill_k(m) − bill_k without the row(m), for its inference and its egress pool.

    A tiered pool whose volume stays in one tier whether or not any one row is in it (the common case of a large
    pool) prices a row's volume at that tier's price; other rows are priced with and without, month by month."""
    M = bills.driver.shape[2]
    groups = go_live_groups(go_live)
    out = np.zeros(len(count))
    for volume, mine, pool, prices, kind in (
        (bills.driver[0], pools.driver, pools.inference, pools.inference_prices, "inference"),
        (bills.result_gb[0], pools.result_gb, pools.egress, pools.egress_prices, "egress"),
    ):
        tiers = prices.inference_tiers if kind == "inference" else prices.egress_tiers
        change = prices.fee_change if kind == "inference" else prices.bandwidth_change
        flat = np.zeros(len(volume), bool)  # pools whose price per unit is the same for every row's volume
        unit = np.zeros_like(volume)
        if kind == "inference":
            flat |= prices.mode == 1
            unit[flat] = (prices.per_image * prices.list_share)[flat, None]
        if tiers[0].shape[0] == 1:
            most = np.zeros(len(volume))
            np.maximum.at(most, pool, count * mine.most())
            linear, tier_price = _linear_pools(volume, most, tiers)
            tiered = linear & (prices.mode == 0) if kind == "inference" else linear
            share = prices.list_share[:, None] if kind == "inference" else 1.0
            unit = np.where(tiered[:, None], tier_price * share, unit)
            flat |= tiered
        unit *= _profile(change, M)
        easy = flat[pool]
        out += count * _row_dot(mine, unit, pool, groups, easy)
        rest = np.flatnonzero(~easy)
        for start in range(0, rest.size, BY_HAND_ROWS):  # in blocks: a few (rows, M) grids each
            part = rest[start : start + BY_HAND_ROWS]
            out[part] += _marginal_by_hand(volume, mine, pool, bills, count, go_live, part, kind, pools)
    return out


BY_HAND_ROWS = 10_000  # rows priced with and without at once (`marginal_totals`): bounds its memory, not its result


def _marginal_by_hand(volume, mine, pool, bills, count, go_live, rest, kind, pools) -> np.ndarray:
    """What the rows `rest` add to their pool's bill, month by month: the pool's bill less its bill without them."""
    M = volume.shape[1]
    groups = go_live_groups(go_live[rest])
    without = volume[pool[rest]] - count[rest, None] * _shifted(mine.values(rest), groups)
    prices = pools.row_prices.take(rest)
    if kind == "egress":
        return bills.egress[0].sum(axis=1)[pool[rest]] - egress_bill(np.maximum(without, 0), prices).sum(axis=1)
    live_sites = np.zeros((bills.driver.shape[1], M))
    np.add.at(live_sites, (pool, go_live), count)
    started = np.arange(M) >= go_live[rest, None]
    live = np.cumsum(live_sites, axis=1)[pool[rest]] - count[rest, None] * started > 0.5
    running, upfront, _, _ = inference_bill(np.maximum(without, 0), live, prices)
    with_rows = (bills.inference[0] + bills.upfront[0]).sum(axis=1)[pool[rest]]
    return with_rows - (running + upfront).sum(axis=1)
