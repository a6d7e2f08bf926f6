"""Figure builders: the traces and numbers behind each chart, checked against the planner's own results.

Oracle: `report.summary` and `report.monthly_table` of the same analysis (what the CLI prints), and the
retail preset's seed-article figures (5 devices × $2,000 capex paid at go-live).
"""

from __future__ import annotations

import numpy as np
import pytest

from planner.catalogs import catalog
from planner.exports import charts
from planner.exports.report import analyse_one, column_name, monthly_table, shown_components, summary
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit

RETAIL = analyse_one(catalog.preset("retail"))
NEVER = analyse_one(replace(catalog.preset("retail"), cameras=1, analysed_fps=0.1))  # a tiny cloud bill


def test_curves_end_at_the_totals_and_step_at_capex():
    c, s = charts.curves(RETAIL), summary(RETAIL)
    assert c.t[0] == 0 and c.t[-1] == s["horizon_months"] == 36
    assert c.cloud[0] == 0 and c.edge[0] == pytest.approx(10_000)  # capex paid at t = 0: a step
    assert c.cloud[-1] == pytest.approx(s["cloud_total_cost"])
    assert c.edge[-1] == pytest.approx(s["edge_total_cost"])
    assert np.all(np.diff(c.t) >= 0) and np.all(np.diff(c.cloud) > -1e-6)  # float noise at the joins
    assert c.break_even == pytest.approx(s["break_even_month"])
    assert c.headline.startswith("Pays back in month 1")


def test_accounting_curves_have_no_capex_step():
    c = charts.curves(RETAIL, "accounting")
    assert c.edge[0] == 0
    assert c.edge[-1] == pytest.approx(summary(RETAIL, "accounting")["edge_total_cost"])


def test_cumulative_figure_marks_and_labels_the_break_even_point():
    c = charts.curves(RETAIL)
    fig = charts.cumulative_figure(c)
    assert [t.name for t in fig.data] == ["Cloud", "Edge", "Break-even"]
    marker = fig.data[2]
    assert marker.x[0] == pytest.approx(c.break_even)
    # the marker sits where the curves meet
    assert marker.y[0] == pytest.approx(np.interp(c.break_even, c.t, c.edge), rel=1e-6)
    assert fig.layout.annotations[0].text.replace("<br>", " ") == f"<b>{c.headline}</b>"
    assert fig.layout.yaxis.title.text == "Cumulative cost [USD]"
    assert fig.layout.yaxis.tickformat == "$,.0f" and "%{y:$,.0f}" in fig.data[0].hovertemplate  # d3: -$1,234


def test_cumulative_figure_says_when_the_edge_does_not_pay_back():
    c = charts.curves(NEVER)
    assert c.break_even is None
    fig = charts.cumulative_figure(c)
    assert [t.name for t in fig.data] == ["Cloud", "Edge"]
    assert fig.layout.annotations[0].text == "<b>Does not pay back within 36 months</b>"


def test_money_formatting_follows_the_currency_label():
    eur = analyse_one(replace(catalog.preset("retail"), currency="EUR"))
    fig = charts.cumulative_figure(charts.curves(eur))
    assert fig.layout.yaxis.ticksuffix == " EUR" and not fig.layout.yaxis.tickprefix
    assert fig.data[0].hovertemplate.startswith("%{y:,.0f} EUR")


@pytest.mark.parametrize("view", ["cash", "accounting"])
@pytest.mark.parametrize("side", ["cloud", "edge"])
def test_component_areas_stack_up_to_the_monthly_total(side, view):
    table = monthly_table(RETAIL, view)
    fig = charts.components_figure(table, side, view, "USD")
    assert {(t.stackgroup, t.line.shape) for t in fig.data} == {(side, "hvh")}  # one stack of steps
    labels = [
        info.label
        for info in shown_components(RETAIL, side, view)  # no carbon price: not shown
        if table[column_name(side, info.label, "USD")].abs().sum() > 0
    ]
    assert [t.name for t in fig.data] == labels  # all-zero lines are left out
    stacked = np.sum([np.asarray(t.y)[1:-1] for t in fig.data], axis=0)  # inside the padding at both ends
    total = RETAIL.finance(view).cloud_monthly[0] if side == "cloud" else RETAIL.finance(view).edge_monthly[0]
    np.testing.assert_allclose(stacked, total[:36])
    assert list(fig.data[0].x) == [0.5, *range(1, 37), 36.5]


def test_comparison_figure_overlays_each_scenario():
    entries = [("#1 retail", charts.curves(RETAIL)), ("#2 tiny", charts.curves(NEVER))]
    savings = charts.comparison_figure(entries)
    assert [t.name for t in savings.data] == ["#1 retail", "#2 tiny"]
    np.testing.assert_allclose(savings.data[0].y, entries[0][1].cloud - entries[0][1].edge)
    assert savings.data[0].y[-1] == pytest.approx(summary(RETAIL)["savings_total"])
    costs = charts.comparison_figure(entries, "costs")
    assert [t.name for t in costs.data] == [
        "#1 retail · Edge",
        "#1 retail · Cloud",
        "#2 tiny · Edge",
        "#2 tiny · Cloud",
    ]
    assert costs.data[0].line.color == costs.data[1].line.color != costs.data[2].line.color
    assert costs.data[1].line.dash == "dash"
    with pytest.raises(ValueError, match="measure"):
        charts.comparison_figure(entries, "profit")
