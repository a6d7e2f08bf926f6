"""The cost model's building blocks by hand (fast tier, read by `make mutation`): the support plan's workbook formula,
a formula read as Python and the names it reads, comparisons of monthly terms, instances and commitments, a term
scaled by a factor, sums over more rows than a block, and what a Costs refuses. A changed operator, bound, name or
string in `planner/model/costs.py` fails one of these."""

import numpy as np
import pytest
from flat_scenario import flat

from planner.model import costs as cost_model
from planner.model.costs import Component, Context, Terms

pytestmark = pytest.mark.unit


# ── The support plan's workbook formula (built once, when the module is loaded) ─────────────────────────────────────
def test_the_support_formula_is_each_plans_minimum_or_its_marginal_tiers_of_the_bill():
    # The bill: the cloud provider's own lines of the month, summed.
    bill = (
        "({cloud_ingest}+{inference}+{commitment_upfront}+{results_egress}+{cloud_storage}+{storage_requests}"
        "+{network_services}+{logging})"
    )
    # Rates 10, 7, 5, 3 % are marginal steps of 10, 7 − 10 = −3, 5 − 7 = −2 and 3 − 5 = −2 % above each tier start.
    business = (
        f"MAX(100*fx_rate,(10)/100*MAX({bill}-0*fx_rate,0)+(-3)/100*MAX({bill}-10000*fx_rate,0)"
        f"+(-2)/100*MAX({bill}-80000*fx_rate,0)+(-2)/100*MAX({bill}-250000*fx_rate,0))"
    )
    enterprise = (
        f"MAX(15000*fx_rate,(10)/100*MAX({bill}-0*fx_rate,0)+(-3)/100*MAX({bill}-150000*fx_rate,0)"
        f"+(-2)/100*MAX({bill}-500000*fx_rate,0)+(-2)/100*MAX({bill}-1000000*fx_rate,0))"
    )
    assert cost_model._excel_support() == (
        f'IF(cloud_support_plan="business",{business},IF(cloud_support_plan="enterprise",{enterprise},0))'
    )


# ── A formula read as Python ─────────────────────────────────────────────────────────────────────────────────────
def test_a_formula_that_starts_with_if_and_compares_with_not_equal_reads_as_python():
    # IF at the very start of the formula is still made lazy; Excel's <> is Python's !=, and = is ==.
    assert cost_model.python_of("IF({m}<>0,1,2)") == "_if(q_m!=0,lambda:1,lambda:2)"
    assert cost_model.python_of("IF(a=b,c,d)+1") == "_if(a==b,lambda:c,lambda:d)+1"


def test_the_names_a_compiled_formula_reads_include_those_inside_its_lazy_branches():
    # `f(lambda: g(x)) + y`: f and y at the top, g and x only in the lambda's own code object.
    code = compile("f(lambda: g(x)) + y", "formula", "eval")
    assert cost_model._names(code) == {"f", "g", "x", "y"}


# ── Comparisons of monthly terms (worked out on the grid) ──────────────────────────────────────────────────────────
def test_monthly_terms_compare_with_a_number_month_by_month():
    context = Context(1, 3)
    rising = Terms((Component(np.array([[1.0]]), np.array([[1.0, 2.0, 3.0]])),), context)  # 1, 2, 3
    assert (rising != 2).tolist() == [[True, False, True]]
    assert (rising >= 2).tolist() == [[False, True, True]]
    assert (rising < 2).tolist() == [[True, False, False]]
    assert (rising <= 2).tolist() == [[True, True, False]]


# ── Cloud GPU instances ──────────────────────────────────────────────────────────────────────────────────────────
def test_a_load_of_whole_instances_needs_exactly_that_many():
    # 2 instances' worth (and 2 within float noise) needs 2, not 3; 2.5 needs 3; a minimum of 4 keeps 4.
    load = np.array([[2.0, 2.0 + 1e-12, 2.5], [2.0, 2.0, 2.0]])
    assert cost_model.instances_needed(load, np.array([1.0, 4.0])).tolist() == [[2.0, 2.0, 3.0], [4.0, 4.0, 4.0]]


def test_one_year_commitments_run_eleven_months_after_each_purchase():
    # 10 cameras × 2 frames/s = 20 inferences/s, no headroom, 10 per instance: exactly 2 instances, every month.
    # A one-year commitment bought at go-live and again at months 12 and 24; in the months between, the two bought
    # earlier are still running.
    s = flat(
        cameras=10,
        analysed_fps=2,
        inference_pricing="instances",
        instance_inferences_per_s=10,
        instance_headroom_percent=0,
        instance_min_count=1,
        instance_commitment="one_year",
        horizon_months=30,
    )
    c = cost_model.evaluate(cost_model.batch([s]))
    assert c.values("instances")[0].tolist() == [2.0] * 30
    renewals = [2.0 if m in (0, 12, 24) else 0.0 for m in range(30)]
    assert c.values("commitments_bought")[0].tolist() == renewals
    assert c.values("commitments_running")[0].tolist() == [2.0 - b for b in renewals]


def test_a_need_that_falls_keeps_the_commitments_still_running():
    # Need 1, 3, 2 under a one-year term: month 0 buys 1; month 1 needs 3, 1 running, buys 2; month 2 needs 2 but the
    # 3 bought stay in service (their term runs on): buys 0. Running (bought before, unexpired): 0, 1, 3.
    # The same need on demand (term 0): in service as needed, nothing bought or running.
    need = np.array([[1.0, 3.0, 2.0], [1.0, 3.0, 2.0]])
    in_service, bought, running = cost_model.commitments(need, np.array([12, 0]))
    assert in_service.tolist() == [[1.0, 3.0, 3.0], [1.0, 3.0, 2.0]]
    assert bought.tolist() == [[1.0, 2.0, 0.0], [0.0, 0.0, 0.0]]
    assert running.tolist() == [[0.0, 1.0, 3.0], [0.0, 0.0, 0.0]]


# ── Terms of a line ──────────────────────────────────────────────────────────────────────────────────────────────────
def test_a_term_scaled_by_an_amount_and_a_factor_multiplies_both():
    doubling = np.array([[1.0, 2.0]])
    term = Component(np.array([[2.0], [3.0]]), doubling)
    # amounts 2 × 5 = 10 and 3 × 7 = 21; factor 1, 2 × 10, 100 = 10, 200
    scaled = term.scaled(np.array([[5.0], [7.0]]), np.array([[10.0, 100.0]]))
    assert cost_model.sum_terms([scaled], 2, 2).tolist() == [[100.0, 2_000.0], [210.0, 4_200.0]]
    # A factor of ONE keeps the term's own; a term of factor ONE takes the one given, as it is.
    assert term.scaled(np.array([[5.0], [7.0]]), cost_model.ONE).factor is doubling
    assert Component(np.ones((2, 1)), cost_model.ONE).scaled(np.ones((2, 1)), doubling).factor is doubling


# ── Sums of terms, in blocks of SUM_ROWS rows ────────────────────────────────────────────────────────────────────────
ROWS = 2 * cost_model.SUM_ROWS + 76  # three blocks, the last one short


def test_weighted_sums_of_a_per_scenario_factor_over_more_rows_than_a_block():
    # Row i costs i + 1 in each of 3 months; the weight keeps months 0 and 1 (the horizon): 2 × (i + 1).
    per_row = np.arange(1.0, ROWS + 1)[:, None]
    factor = np.broadcast_to(per_row, (ROWS, 3))
    sums = cost_model.WeightedSums(ROWS, within=np.array([[1.0, 1.0, 0.0]]))
    assert sums([Component(np.ones((ROWS, 1)), factor)], "within").tolist() == (2 * per_row[:, 0]).tolist()


def test_a_line_at_one_month_per_scenario_picks_each_rows_own_factor():
    # Two rows, each its own factor: row 0 at month 2 is 3 × 2 = 6, row 1 at month 0 is 10 × 5 = 50.
    factor = np.array([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])
    term = Component(np.array([[2.0], [5.0]]), factor)
    assert cost_model.terms_at([term], 2, np.array([2, 0])).tolist() == [6.0, 50.0]


def test_sum_of_shared_and_per_scenario_terms_over_more_rows_than_a_block():
    # Row i: (i + 1) × months 1, 2, 3 (a shared factor), + (i + 1) every month (its own, amount 1),
    # + 2 × (i + 1) × 1, 0, 1 (its own) = (i + 1) × (4, 3, 6).
    per_row = np.arange(1.0, ROWS + 1)[:, None]
    terms = [
        Component(per_row, np.array([[1.0, 2.0, 3.0]])),
        Component(np.ones((ROWS, 1)), np.broadcast_to(per_row, (ROWS, 3))),
        Component(np.full((ROWS, 1), 2.0), per_row * np.array([[1.0, 0.0, 1.0]])),
    ]
    assert cost_model.sum_terms(terms, ROWS, 3).tolist() == (per_row * np.array([[4.0, 3.0, 6.0]])).tolist()


# ── What a Costs holds ───────────────────────────────────────────────────────────────────────────────────────────────
def test_costs_refuse_emissions_or_a_side_they_were_evaluated_without_and_say_how_to_get_them():
    b = cost_model.batch([flat()])
    with pytest.raises(ValueError) as refused:
        cost_model.evaluate(b, carbon=False).terms("cloud", carbon=True)
    assert str(refused.value) == "these costs were evaluated without their emissions: evaluate(..., carbon=True)"
    with pytest.raises(ValueError) as refused:
        cost_model.evaluate(b, sides=("cloud",)).terms("edge")
    assert str(refused.value) == "these costs were evaluated without the edge's lines: evaluate(..., sides=SIDES)"
