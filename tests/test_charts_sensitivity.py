"""Sensitivity and risk figures: the traces and numbers behind each chart, on known inputs.

Oracles: small hand-made tables whose bars, cells and shares are written out below, and `planner.model.risk`'s
own results for the retail preset (each bar must end where the model's what-if lands).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from planner.catalogs import catalog
from planner.exports import charts
from planner.exports.report import analyse_one, summary
from planner.model import risk
from planner.schema import format

pytestmark = pytest.mark.unit

RETAIL = catalog.preset("retail")
H = 36


def tornado_table(**overrides) -> pd.DataFrame:
    """Two inputs around a scenario saving $1,000 with break-even at month 10."""
    table = pd.DataFrame(
        {
            "input": ["cameras", "device_price"],
            "label": ["Cameras", "Device price"],
            "unit": ["cameras", "USD/device"],
            "base": [50.0, 2000.0],
            "low": [40.0, 1600.0],
            "high": [60.0, 2400.0],
            "break_even_low": [14.0, 8.0],
            "break_even_high": [np.nan, 12.0],
            "savings_low": [400.0, 1200.0],
            "savings_high": [1900.0, 800.0],
        }
    )
    table["swing"] = (table["savings_high"] - table["savings_low"]).abs()
    return table.assign(**overrides)


# ── Tornado ────────────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("base, anchor", [(450.0, "left"), (1000.0, "center"), (1850.0, "right")])
def test_the_current_scenarios_label_stays_inside_the_plot(base, anchor):
    """The bars end at 400 … 1,900: the label grows away from the nearer edge (a phone's plot is ~200 px wide);
    (base − 400) ÷ 1,500 is 0.03, 0.40 and 0.97 across the axis."""
    label = charts.tornado_figure(tornado_table(), "savings", base, H, "USD").layout.annotations[0]
    assert (label.x, label.xanchor) == (base, anchor)
    assert "<br>" in label.text  # two short lines instead of one long one


def test_tornado_bars_run_from_the_current_result_to_each_value():
    fig = charts.tornado_figure(tornado_table(), "savings", 1000.0, H, "USD")
    low, high = fig.data
    assert (low.name, high.name) == (charts.TORNADO_NAMES["low"], charts.TORNADO_NAMES["high"])
    assert low.orientation == "h" and low.base == 1000.0
    assert list(low.x) == [-600.0, 200.0] and list(high.x) == [900.0, -200.0]  # value − base
    assert [b + x for b, x in zip([1000.0] * 2, high.x)] == [1900.0, 800.0]
    assert low.y[0].startswith("<b>Cameras</b>") and "40 – 60 cameras" in low.y[0]  # the label in the theme's ink
    assert "1,600 – 2,400 USD/device" in low.y[1]
    assert fig.layout.yaxis.autorange == "reversed"  # first row on top
    assert fig.layout.shapes[0].x0 == 1000.0  # the current-scenario line
    assert fig.layout.annotations[0].text == "<b>Current scenario:<br>$1,000</b>"
    assert list(high.customdata[0]) == ["60 cameras", "$1,900"]
    assert fig.layout.xaxis.tickformat == "$,.0f" and not fig.layout.xaxis.tickprefix  # '-$400', not '$-400'


def test_tornado_draws_never_paying_back_to_its_own_tick_past_the_horizon():
    fig = charts.tornado_figure(tornado_table(), "break_even", 10.0, H, "USD")
    low, high = fig.data
    never = charts.never_position(H)
    assert H + 3 < never
    assert list(low.x) == [4.0, -2.0]
    assert list(high.x) == [never - 10.0, 2.0]  # NaN → drawn to the 'Never' tick
    assert fig.layout.xaxis.tickvals[-1] == never and fig.layout.xaxis.ticktext[-1] == "<b>Never</b>"
    assert fig.layout.xaxis.tickvals[-2] == H
    assert list(high.customdata[0]) == ["60 cameras", "never within 36 months"]
    assert list(low.customdata[1]) == ["1,600 USD/device", "8 months"]
    assert fig.layout.annotations[0].text == "<b>Current scenario:<br>10 months</b>"
    assert fig.layout.xaxis.title.text == "Break-even [months from go-live]"


def test_tornado_of_a_scenario_that_never_pays_back_starts_at_never():
    fig = charts.tornado_figure(tornado_table(), "break_even", math.nan, H, "USD")
    assert fig.data[0].base == charts.never_position(H)
    assert fig.data[0].x[1] == pytest.approx(8.0 - charts.never_position(H))  # from never to month 8
    assert fig.layout.annotations[0].text == "<b>Current scenario:<br>never within 36 months</b>"


def test_tornado_of_the_retail_preset_ends_where_the_model_lands():
    table = risk.tornado(RETAIL, percent=20)
    base = summary(analyse_one(RETAIL))["savings_total"]
    fig = charts.tornado_figure(table, "savings", base, H, "USD")
    low, high = fig.data
    np.testing.assert_allclose(np.array(low.x) + base, table["savings_low"], rtol=1e-9)
    np.testing.assert_allclose(np.array(high.x) + base, table["savings_high"], rtol=1e-9)
    largest = table["input"].iloc[0]  # workload growth: 0 ± 20 points a year
    assert largest == "workload_growth_percent_per_year" and "Workload growth" in low.y[0]  # the largest swing first


def test_an_empty_tornado_says_nothing_moves():
    fig = charts.tornado_figure(tornado_table().iloc[:0], "savings", 1000.0, H, "USD")
    assert "No input changes the result" in fig.layout.annotations[-1].text


def test_figures_refuse_an_unknown_metric():
    with pytest.raises(ValueError, match="metric"):
        charts.tornado_figure(tornado_table(), "irr", 0.0, H, "USD")
    with pytest.raises(ValueError, match="metric"):
        charts.sensitivity_map_figure([1, 2], [1, 2], np.zeros((2, 2)), "npv", "x", "y", (1, 1), H, "USD")


def test_an_npv_tornado_is_money_and_says_it_is_the_npv():
    table = tornado_table(npv_low=[300.0, 1_100.0], npv_high=[1_700.0, 700.0])
    fig = charts.tornado_figure(table, "npv", 900.0, H, "EUR")
    low, high = fig.data
    assert list(low.x) == [-600.0, 200.0] and list(high.x) == [800.0, -200.0]  # NPV − current NPV
    assert fig.layout.title.text == "NPV of savings over 36 months:<br>each input at its low and high value"
    assert fig.layout.xaxis.title.text == "NPV of savings over 36 months [EUR]"
    assert fig.layout.annotations[0].text == "<b>Current scenario:<br>900 EUR</b>"
    assert list(high.customdata[:, 1]) == ["1,700 EUR", "700 EUR"]


# ── Two-input map ──────────────────────────────────────────────────────────────────────────────────
def test_break_even_map_greys_out_the_cells_that_never_pay_back_and_marks_the_scenario():
    values = np.array([[1.0, 2.0, np.nan], [3.0, np.nan, np.nan]])  # 2 y values × 3 x values
    fig = charts.sensitivity_map_figure(
        [10, 20, 30], [0.1, 0.2], values, "break_even", "Cameras", "Uplink (USD/GB)", (20, 0.1), H, "USD"
    )
    heat, never, current = fig.data
    assert heat.type == "heatmap" and heat.zmin == 0 and heat.zmax == 3.0  # the scale follows the data
    assert never.name == "Does not pay back within 36 months" and never.showlegend
    np.testing.assert_array_equal(np.isnan(np.array(never.z, dtype=float)), ~np.isnan(values))
    assert heat.text[0][2] == "never within 36 months" and heat.text[0][0] == "1 month"
    assert current.name == "Current scenario" and (current.x[0], current.y[0]) == (20, 0.1)
    assert fig.layout.xaxis.title.text == "Cameras" and fig.layout.yaxis.title.text == "Uplink (USD/GB)"


def test_savings_map_is_diverging_around_zero_with_the_zero_line_where_it_crosses():
    crossing = np.array([[-100.0, 50.0], [20.0, 300.0]])
    fig = charts.sensitivity_map_figure([1, 2], [1, 2], crossing, "savings", "x", "y", (1, 1), H, "EUR")
    heat, zero, current = fig.data
    assert heat.zmid == 0 and heat.colorbar.ticksuffix == " EUR" and heat.colorbar.tickformat == ",.0f"
    assert heat.text[0][0] == "-100 EUR"
    assert zero.type == "contour" and zero.contours.start == zero.contours.end == 0
    positive = charts.sensitivity_map_figure([1, 2], [1, 2], np.abs(crossing), "savings", "x", "y", (1, 1), H, "USD")
    assert [t.type for t in positive.data] == ["heatmap", "scatter"]  # nothing to draw a zero line on


def test_the_map_of_the_model_matches_grid_map():
    xs, ys = np.array([25.0, 50.0, 75.0]), np.array([6.0, 12.0, 18.0])
    be, sv = risk.grid_map(RETAIL, "cameras", xs, "hours_per_day", ys)
    fig = charts.sensitivity_map_figure(xs, ys, sv, "savings", "Cameras", "Hours", (50, 12), H, "USD")
    np.testing.assert_allclose(np.array(fig.data[0].z, dtype=float), sv)
    assert np.array(fig.data[0].z, dtype=float)[1, 1] == pytest.approx(summary(analyse_one(RETAIL))["savings_total"])


# ── Histogram ──────────────────────────────────────────────────────────────────────────────────────
def histogram(paid_months: list[float], never: int, horizon: int = H, bins: int = H) -> pd.DataFrame:
    be = np.array(paid_months + [np.nan] * never)
    result = risk.MonteCarlo(len(be), 0, horizon, be, np.zeros(len(be)), np.zeros((3, horizon)))
    return risk.break_even_histogram(result, bins)


def test_histogram_shows_shares_per_month_and_the_never_share_as_its_own_bar():
    fig = charts.break_even_histogram_figure(histogram([0.5, 0.6, 2.5, 30.0], never=4), H)
    paid, never = fig.data
    shares = np.array(paid.y, dtype=float)
    assert shares.sum() + never.y[0] == pytest.approx(100)
    assert shares[0] == pytest.approx(25) and shares[2] == pytest.approx(12.5)
    assert shares[30] == pytest.approx(12.5)  # month 30.0 is in [30, 31)
    assert paid.x[0] == 0.5 and paid.customdata[0][0] == "Month 1"  # bin [0, 1) is month 1
    assert never.name == "Never within 36 months" and never.y[0] == pytest.approx(50)
    assert never.x[0] > H and fig.layout.xaxis.ticktext[-1] == "<b>Never</b>"
    assert fig.layout.xaxis.tickvals[-1] == never.x[0]
    assert fig.layout.annotations[0].text == "<b>50.0%</b><br>never"
    assert max(fig.layout.yaxis.tickvals) <= 100 and fig.layout.yaxis.ticktext[-1] == "60%"


def test_histogram_labels_the_never_share_even_when_it_is_zero():
    fig = charts.break_even_histogram_figure(histogram([1.5, 2.5], never=0), H)
    assert fig.data[1].y[0] == 0
    assert fig.layout.annotations[0].text == "<b>0.0%</b><br>never"


def test_histogram_bins_wider_than_a_month_are_named_as_month_ranges():
    fig = charts.break_even_histogram_figure(histogram([0.5, 13.0], never=0, horizon=120, bins=60), 120)
    assert fig.data[0].customdata[0][0] == "Months 1–2" and fig.data[0].width[0] == pytest.approx(2 * 0.92)


# ── Fan chart ──────────────────────────────────────────────────────────────────────────────────────
def test_fan_chart_draws_the_p10_p90_band_the_median_and_the_current_curve():
    bands = np.array([[-10.0, 0.0, 10.0], [0.0, 20.0, 40.0], [5.0, 30.0, 60.0]])
    current = np.array([1.0, 21.0, 41.0])
    fig = charts.savings_fan_figure(bands, "USD", current)
    p90, p10, p50, now = fig.data
    assert [t.name for t in fig.data] == ["P90", "P10 – P90 (8 in 10 futures)", "Median (P50)", "Current scenario"]
    assert list(p90.x) == [1, 2, 3]  # month ends
    assert list(p10.y) == [-10.0, 0.0, 10.0] and list(p50.y) == [0.0, 20.0, 40.0] and list(p90.y) == [5, 30, 60]
    assert p10.fill == "tonexty" and not p90.showlegend
    assert list(now.y) == list(current) and now.line.dash == "dash"
    assert fig.layout.yaxis.title.text == "Cumulative savings [USD]" and "P10" in p10.hovertemplate


def test_fan_chart_of_a_simulation_is_ordered():
    result = risk.monte_carlo(RETAIL, {"cameras": risk.Distribution("triangular", 35, 50, 65)}, draws=500, seed=1)
    fig = charts.savings_fan_figure(result.bands, "USD")
    p90, p10, p50 = (np.array(t.y, dtype=float) for t in fig.data)
    assert np.all(p10 <= p50) and np.all(p50 <= p90) and len(p50) == H


def test_money_with_a_sign_puts_it_before_the_symbol():
    assert charts.money_axis("USD")["tickformat"] == "$,.0f" and "tickprefix" not in charts.money_axis("USD")
    assert charts.money_axis("EUR")["ticksuffix"] == " EUR"  # '-1,234 EUR'
    assert charts.money_hover("USD") == "%{y:$,.0f}"
    assert charts.money_hover("EUR") == "%{y:,.0f} EUR"


def test_break_even_texts():
    assert format.break_even_value_text(math.nan, 24) == "never within 24 months"
    assert format.break_even_value_text(None, 24) == "never within 24 months"
    assert format.break_even_value_text(0.0, 24) == "from day one"
    assert format.break_even_value_text(2.44, 24) == "2.4 months"
