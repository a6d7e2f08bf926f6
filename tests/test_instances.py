"""Cloud GPU instances (`inference_pricing = instances`), figure by figure against arithmetic done here.

`flat(...)` (tests/flat_scenario.py) keeps every other cloud price at zero, so the cloud side is the
inference component alone once the uplink price is 0: 1 camera, 10 h × 10 days a month, 48-month edge.
"""

import math

import numpy as np
import pytest
from flat_scenario import flat

from planner.catalogs import catalog
from planner.exports import report
from planner.model import costs, explain, risk
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit

HOURS = 365.25 / 12 * 24  # 730.5 h in an average month


def instances(**changes):
    """Three instances whatever the load: 1 camera × 0.4 frames/s is far below one instance's 400/s."""
    values = dict(
        uplink_per_gb=0,
        inference_pricing="instances",
        instance_per_hour=0.526,
        instance_min_count=3,
        analysed_fps=0.4,
        instance_inferences_per_s=400,
    )
    return flat(**{**values, **changes})


def cloud(scenario, key="inference", view_months=None):
    return report.analyse_one(scenario).costs.values(key)[0]


def test_three_instances_on_demand_always_on():
    a = report.analyse_one(instances())
    assert a.costs.values("instances")[0, 0] == 3
    assert a.costs.values("inference")[0, 0] == pytest.approx(3 * 0.526 * 730.5)  # 1,152.729
    s = report.summary(a)
    assert s["cloud_monthly_cost"] == pytest.approx(1_152.729) and s["cloud_upfront"] == 0
    assert s["cloud_total_cost"] == pytest.approx(36 * 1_152.729)


def test_one_year_partial_upfront_is_a_lump_in_cash_and_spread_in_accounting():
    s = instances(
        instance_commitment="one_year",
        instance_upfront="partial",
        instance_committed_per_hour=0.316,
        instance_partial_upfront_percent=50,
    )
    a = report.analyse_one(s)
    lump = 3 * 0.316 * 0.5 * 730.5 * 12  # 4,155.084 for the year, paid at its start
    hourly = 3 * 0.316 * 0.5 * 730.5  # 346.257 a month by the hour
    upfront = a.costs.values("commitment_upfront")[0]
    assert upfront[[0, 12, 24]] == pytest.approx([lump] * 3)  # go-live and two renewals
    assert np.delete(upfront, [0, 12, 24]) == pytest.approx(np.zeros(33))
    assert a.costs.values("inference")[0] == pytest.approx(np.full(36, hourly))
    assert a.costs.values("commitment_spread")[0] == pytest.approx(np.full(36, lump / 12))
    cash, accounting = a.cash, a.accounting
    assert cash.cloud_upfront[0, 0] == pytest.approx(lump) and cash.cloud_running_monthly[0, 0] == pytest.approx(hourly)
    assert accounting.cloud_upfront[0] == pytest.approx(np.zeros(36))
    assert accounting.cloud_monthly[0] == pytest.approx(np.full(36, 2 * hourly))
    assert cash.cloud_total[0] == pytest.approx(accounting.cloud_total[0]) == pytest.approx(36 * 2 * hourly)
    # The month-1 lump is paid at go-live like the edge's capex: the edge (900 capex, 40 a month) is ahead from
    # the start in cash; the summary's first-month cloud cost is the running part, the lump its own key.
    assert cash.break_even_month[0] == 0
    summary = report.summary(a)
    assert summary["cloud_monthly_cost"] == pytest.approx(hourly) and summary["cloud_upfront"] == pytest.approx(lump)
    assert report.summary(a, "accounting")["cloud_monthly_cost"] == pytest.approx(2 * hourly)


def test_a_cloud_lump_moves_the_break_even_and_npv_like_a_negative_capex():
    # One instance committed for a year, all upfront: 1,200 at go-live and at each renewal, nothing by the hour,
    # against an edge of 3,000 capex and nothing running.
    s = flat(
        device_price=3_000,
        management=0,
        uplink_per_gb=0,
        inference_pricing="instances",
        instance_min_count=1,
        analysed_fps=0.4,
        instance_commitment="one_year",
        instance_upfront="all",
        instance_committed_per_hour=100 / HOURS,
        horizon_months=36,
    )
    a = report.analyse_one(s)
    assert a.cash.cloud_upfront[0, [0, 12, 24]] == pytest.approx([1_200] * 3)
    assert a.costs.values("inference")[0, 0] == pytest.approx(0)  # all paid upfront
    # Cash savings: 1,200 − 3,000 = −1,800 from go-live, −600 after the renewal at month 12, +600 at the start
    # of month 24: pays back at t = 24 exactly.
    assert a.cash.break_even_month[0] == pytest.approx(24.0)
    assert a.cash.npv_savings[0] == pytest.approx(3 * 1_200 - 3_000)  # no discounting
    # on cash flows in either view, though the P&L spreads 100 a month against 62.5 of depreciation
    assert a.accounting.break_even_month[0] == pytest.approx(24.0)


def test_sizing_steps_from_two_to_three_instances_when_growth_crosses_the_throughput():
    # 10 cameras × 1 frame/s = 10 inferences/s, no headroom, 6/s per instance: ceil(10/6) = 2 at go-live; 50 %
    # yearly growth needs a 3rd instance once 10 × 1.5^(m/12) > 12, i.e. from m = ceil(12 × ln 1.2 / ln 1.5) = 6,
    # and a 4th once it passes 18: m = ceil(12 × ln 1.8 / ln 1.5) = 18.
    s = instances(
        cameras=10,
        analysed_fps=1,
        instance_inferences_per_s=6,
        instance_headroom_percent=0,
        instance_min_count=1,
        workload_growth_percent_per_year=50,
        horizon_months=24,
    )
    third, fourth = math.ceil(12 * math.log(1.2) / math.log(1.5)), math.ceil(12 * math.log(1.8) / math.log(1.5))
    assert (third, fourth) == (6, 18)
    expected = np.array([2] * third + [3] * (fourth - third) + [4] * (24 - fourth), dtype=float)
    a = report.analyse_one(s)
    assert a.costs.values("instances")[0] == pytest.approx(expected)
    assert a.costs.values("inference")[0] == pytest.approx(expected * 0.526 * 730.5)
    assert [explain.instances(s, m)[0] for m in (5, 6, 17, 18)] == [2, 3, 3, 4]


def test_on_demand_shrinks_with_the_workload_but_a_commitment_does_not():
    shrinking = dict(
        cameras=30,
        analysed_fps=1,
        instance_inferences_per_s=10,
        instance_headroom_percent=0,
        instance_min_count=1,
        workload_growth_percent_per_year=-50,
    )
    # 30/s ÷ 10 = 3 at go-live; 30 × 0.5^(m/12) ≤ 20 from m = ceil(12 × ln 1.5 / ln 2) = 8 → 2 instances.
    on_demand = cloud(instances(**shrinking), "instances")
    assert on_demand[7] == 3 and on_demand[8] == 2
    committed = cloud(
        instances(**shrinking, instance_commitment="three_year", instance_committed_per_hour=0.2), "instances"
    )
    assert committed == pytest.approx(np.full(36, 3.0))


def test_scale_to_zero_bills_only_the_operating_hours_plus_warm_up():
    s = instances(instance_billing="scale_to_zero", instance_warmup_hours_per_day=0.5)
    # 10 h + 0.5 h warm-up on each of 10 days = 105 h per instance, not 730.5
    assert cloud(s)[0] == pytest.approx(3 * 0.526 * 105)
    # A commitment is billed every hour of its term, scaled to zero or not.
    committed = replace(s, instance_commitment="one_year", instance_committed_per_hour=0.331)
    assert cloud(committed)[0] == pytest.approx(3 * 0.331 * 730.5)
    # At most every hour of the month, even with 24 h + warm-up on 31 days.
    assert cloud(replace(s, hours_per_day=24, days_per_month=31))[0] == pytest.approx(3 * 0.526 * 730.5)


def test_spot_surcharge_and_discount_multiply_the_hourly_rate():
    s = instances(
        instance_commitment="spot",
        instance_spot_per_hour=0.21,
        instance_spot_interruption_percent=10,
        instance_endpoint_surcharge_percent=40,
        inference_discount_percent=10,
    )
    assert cloud(s)[0] == pytest.approx(3 * 0.21 * 1.10 * 1.40 * 0.90 * 730.5)


def test_three_year_all_upfront_with_price_changes():
    s = instances(
        instance_commitment="three_year",
        instance_upfront="all",
        instance_committed_per_hour=0.2,
        cloud_fee_change_percent_per_year=12,
        horizon_months=48,
    )
    upfront = cloud(s, "commitment_upfront")
    assert upfront[0] == pytest.approx(3 * 0.2 * 730.5 * 36)
    assert upfront[36] == pytest.approx(3 * 0.2 * 730.5 * 36 * 1.12**3)  # renewed at the later price
    assert cloud(s)[:48] == pytest.approx(np.zeros(48))  # nothing left to pay by the hour


def test_leroy_goedeme_cloud_only_case():
    """Leroy & Goedemé, "Optimal Distribution of CNN Computations on Edge and Cloud", ICAART 2021, pp. 604–613
    (doi:10.5220/0010203706040613), Table 4: 5,000 users served by t2.micro instances.

    Published per mechanism: users per instance, instances, cost per month [€] and per user [€, printed with
    four decimals, within one unit of the last digit of total ÷ 5,000]. Each user is one stream of one inference per second, so an
    instance's throughput is its users per instance and the sizing rule ceil(5,000 ÷ users per instance) must
    give the published counts. The paper gives no hourly rate: its cloud-only column, 3,763.5 € ÷ 500 instances,
    is 7.527 € per instance-month, i.e. 7.527 ÷ 730.5 €/h here; the other four columns are then predictions.
    """
    table = {  # mechanism: (users per instance, instances, € per month, € per user per month)
        "cloud only": (10, 500, 3_763.5, 0.7526),
        "edge only": (228, 22, 165.594, 0.0331),
        "split 5": (29, 173, 1_302.171, 0.2604),
        "split 10": (32, 157, 1_181.739, 0.2363),
        "split 13": (143, 35, 263.445, 0.0526),
    }
    per_instance_month = 3_763.5 / 500
    rows = [
        flat(
            cameras=5_000,
            analysed_fps=1,
            uplink_per_gb=0,
            currency="EUR",
            inference_pricing="instances",
            instance_inferences_per_s=users,
            instance_headroom_percent=0,
            instance_min_count=0,
            instance_per_hour=per_instance_month / HOURS,
            horizon_months=12,
        )
        for users, *_ in table.values()
    ]
    evaluated = costs.evaluate(costs.batch(rows))  # one batch, five mechanisms
    counts, monthly = evaluated.values("instances")[:, 0], evaluated.values("inference")[:, 0]
    for i, (name, (_, count, per_month, per_user)) in enumerate(table.items()):
        assert counts[i] == count, name
        assert monthly[i] == pytest.approx(per_month, abs=5e-4), name
        assert monthly[i] / 5_000 == pytest.approx(per_user, abs=1.0001e-4), name  # the paper's last digit


def test_the_catalog_covers_three_gpu_classes_per_provider_and_fills_the_fields():
    cat = catalog.load()
    for provider in ("aws", "azure", "gcp"):
        classes = {r["gpu_class"] for r in cat.cloud_instances if r["provider"] == provider}
        assert "t4" in classes and classes & {"l4", "a10g"} and "large" in classes, provider
    g4dn = cat.instance_fields("aws-g4dn-xlarge", endpoint=True, commitment="three_year")
    row = next(r for r in cat.cloud_instances if r["id"] == "aws-g4dn-xlarge")
    assert g4dn == {
        "instance_per_hour": 0.526,
        "instance_committed_per_hour": row["three_year_per_hour"],
        "instance_spot_per_hour": row["spot_per_hour"],
        "instance_partial_upfront_percent": row["partial_upfront_percent"],
        "instance_endpoint_surcharge_percent": row["endpoint_surcharge_percent"],
        "instance_inferences_per_s": row["throughput_ips"],
    }
    s = replace(catalog.preset("smart_city_gpu"), instance_commitment="three_year", **g4dn)
    cited = [p for p in report.sources(s) if p.picker == "instance"]
    assert len(cited) == 1 and "SageMaker" in cited[0].entry and cited[0].as_of == row["as_of"]
    assert not [p for p in report.sources(replace(s, instance_per_hour=0.5)) if p.picker == "instance"]


def test_the_gpu_endpoint_preset_compares_an_always_on_endpoint_with_edge_devices():
    s = catalog.preset("smart_city_gpu")
    assert (s.inference_pricing, s.instance_billing, s.instance_min_count) == ("instances", "always_on", 2)
    a = report.analyse_one(s)
    # 160 cameras × 2 frames/s × 1.3 = 416/s ÷ 555/s → 1, raised to the minimum of 2, × SageMaker's +40 %
    assert a.costs.values("instances")[0, 0] == 2
    assert a.costs.values("inference")[0, 0] == pytest.approx(2 * 730.5 * 0.526 * 1.4)
    assert math.isfinite(a.cash.break_even_month[0])


def test_the_tornado_and_monte_carlo_vary_the_instance_inputs():
    gpu = catalog.preset("smart_city_gpu")
    table = risk.tornado(gpu, percent=20).set_index("input")
    assert {"instance_per_hour", "instance_inferences_per_s"} <= set(table.index)
    assert "instance_per_hour" not in risk.tornado(catalog.preset("smart_city")).set_index("input").index
    # the hourly rate ±20 %: the cloud saves 2 instances × 730.5 h × 0.526 × 1.4 × 0.2 a month over 60 months
    swing = 2 * 2 * 730.5 * 0.526 * 1.4 * 0.2 * 60
    assert table.loc["instance_per_hour", "swing"] == pytest.approx(swing)
    result = risk.monte_carlo(
        gpu, {"instance_per_hour": risk.Distribution("uniform", low=0.3, high=0.9)}, draws=200, seed=1
    )
    base = report.summary(report.analyse_one(gpu))["savings_total"]
    per_usd_hour = 2 * 730.5 * 1.4 * 60  # savings per 1 USD/h of rate: 2 instances, 60 months, +40 %
    low, high = base + (0.3 - 0.526) * per_usd_hour, base + (0.9 - 0.526) * per_usd_hour
    assert low - 1e-6 <= result.savings_total.min() < result.savings_total.max() <= high + 1e-6
    assert result.savings_total.max() - result.savings_total.min() > 0.8 * (high - low)  # 200 uniform draws


def test_the_cli_sets_instances_and_reports_the_upfront(capsys):
    from planner.cli import main

    args = [
        "report",
        "--preset",
        "retail",
        "--format",
        "json",
        "--set",
        "inference_pricing=instances",
        "--set",
        "instance_min_count=3",
        "--set",
        "instance_commitment=one_year",
        "--set",
        "instance_upfront=all",
        "--set",
        "instance_committed_per_hour=0.309",
    ]
    assert main(args) == 0
    out = __import__("json").loads(capsys.readouterr().out)
    retail = report.summary(report.analyse_one(catalog.preset("retail")))
    inference = report.analyse_one(catalog.preset("retail")).costs.values("inference")[0, 0]
    # all upfront: nothing by the hour, 3 × 0.309 × 730.5 × 12 at go-live
    assert out["cloud_monthly_cost"] == pytest.approx(retail["cloud_monthly_cost"] - inference)
    assert out["cloud_upfront"] == pytest.approx(3 * 0.309 * 730.5 * 12)
    assert main(["report", "--preset", "retail", "--set", "instance_commitment=two_year"]) == 2
    assert "choose one of on_demand, one_year, three_year, spot" in capsys.readouterr().err


def test_a_renewal_buys_what_the_month_needs_not_the_most_ever_committed():
    # 1 camera × 0.4 frames/s ÷ 0.25 per instance = 1.6 → 2 instances at go-live; −50 %/year shrinks the load to
    # 1.6 × 0.5^(m/12) ≤ 1 from m = ceil(12 × ln 0.625 / ln 0.5) = ceil(8.14) = 9. A 1-year commitment of 2 runs to
    # month 12 (it cannot be handed back); the renewal at 12 buys 1, and so does the one at 24.
    s = flat(
        inference_pricing="instances",
        instance_inferences_per_s=0.25,
        instance_headroom_percent=0,
        instance_min_count=1,
        workload_growth_percent_per_year=-50,
        instance_commitment="one_year",
        instance_upfront="all",
        instance_committed_per_hour=100 / HOURS,
        horizon_months=36,
    )
    a = report.analyse_one(s)
    bought = a.costs.values("commitments_bought")[0]
    assert bought[[0, 12, 24]].tolist() == [2, 1, 1] and bought.sum() == 4
    assert a.costs.values("instances")[0].tolist() == [2] * 12 + [1] * 24
    assert a.cash.cloud_upfront[0, [0, 12, 24]] == pytest.approx([2_400, 1_200, 1_200])  # 100 a month × 12 each
    # a 3-year term: the 2 committed at go-live run the whole horizon
    three = report.analyse_one(replace(s, instance_commitment="three_year"))
    assert three.costs.values("instances")[0].tolist() == [2] * 36
    assert three.costs.values("commitments_bought")[0].sum() == 2


def test_a_need_that_never_falls_renews_what_each_month_added_a_term_ago():
    # term 2, needs 1 1 2 2 3: added 1 0 1 0 1, and each month buys what it added plus what expires (bought two months
    # before): 1, 0, 1 + 1, 0 + 0, 1 + 2. In service: the need. Running (bought before, still in term): the rest.
    # Term 3, needs 2 2 2 2 2 2 5: 2 at months 0 and 3, then 3 added + 2 renewed at month 6. No term: nothing bought.
    needed = np.array([[1, 1, 2, 2, 3, 3, 3], [2, 2, 2, 2, 2, 2, 5], [1, 2, 3, 4, 5, 6, 7]], float)
    in_service, bought, running = costs.commitments(needed, np.array([2, 3, 0]))
    assert bought.tolist() == [[1, 0, 2, 0, 3, 0, 3], [2, 0, 0, 2, 0, 0, 5], [0] * 7]
    assert in_service.tolist() == needed.tolist()
    assert running.tolist() == [[0, 1, 0, 2, 0, 3, 0], [0, 2, 2, 0, 2, 2, 0], [0] * 7]


def test_the_closed_form_and_the_month_by_month_recurrence_agree_row_by_row():
    # Needs that never fall (the closed form) and needs that fall (the recurrence), terms 0, 1, 12 and 36, mixed in
    # one call: each row as the recurrence alone gives it.
    rng = np.random.default_rng(7)
    rising = np.cumsum(rng.integers(0, 3, (40, 50)), axis=1).astype(float) + 1
    falling = rng.integers(1, 9, (40, 50)).astype(float)
    needed = np.vstack([rising, falling])
    term = rng.choice([0, 1, 12, 36], 80)
    in_service, bought, running = costs.commitments(needed, term)
    committed = term > 0
    served, got = costs._recurrence(needed[committed], term[committed])
    assert np.array_equal(in_service[committed], served) and np.array_equal(bought[committed], got)
    assert np.array_equal(in_service[~committed], needed[~committed]) and not bought[~committed].any()
    assert np.array_equal(running[committed], served - got) and not running[~committed].any()
