"""The tax rate and the value kept at the horizon in the tornado: the tax rate (when set) moves the NPV after tax,
a result of its own; the value kept at the horizon is a two-way choice, none against book value."""

import pytest

from planner.catalogs import catalog
from planner.exports import charts
from planner.exports import sensitivity as model
from planner.exports.report import analyse_one
from planner.model import risk
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit

RETAIL = catalog.preset("retail")


def row(table, name):
    return table.set_index("input").loc[name]


def test_the_tax_rate_joins_the_tornado_when_set_and_moves_the_npv_after_tax_alone():
    assert "tax_rate_percent" not in risk.key_inputs(RETAIL)
    taxed = replace(RETAIL, tax_rate_percent=25)
    table = risk.tornado(taxed, percent=20)
    tax = row(table, "tax_rate_percent")
    assert (tax["low"], tax["high"]) == (20, 30)
    # Tax adds t × D(m) to each month's gap, so the NPV after tax is linear in the rate: NPV + t × PV(D). At 25 %
    # it is the scenario's, at 0 the pre-tax NPV: at 20 % and 30 % it lies 4/5 and 6/5 of the way.
    a = analyse_one(taxed)
    pre, at_25 = a.cash.npv_savings[0], a.cash.npv_after_tax(taxed.discount_percent_per_year)[0]
    assert tax["npv_after_tax_low"] == pytest.approx(pre + (at_25 - pre) * 20 / 25)
    assert tax["npv_after_tax_high"] == pytest.approx(pre + (at_25 - pre) * 30 / 25)
    for result in ("savings", "npv", "break_even"):  # the pre-tax results do not move
        assert tax[f"{result}_low"] == tax[f"{result}_high"]
    assert model.current_result(a.cash, "npv_after_tax", taxed.discount_percent_per_year) == pytest.approx(at_25)
    # offered as a result only where a tax rate is set; without one the column is the NPV itself
    assert "npv_after_tax" in model.results_offered(taxed) and "npv_after_tax" not in model.results_offered(RETAIL)
    plain = risk.tornado(RETAIL, percent=20)
    assert plain["npv_after_tax_low"].to_numpy() == pytest.approx(plain["npv_low"].to_numpy())
    frame = model.tornado_frame(table, taxed, "npv_after_tax").set_index("input")
    assert frame.loc["tax_rate_percent", "npv_after_tax_swing [USD]"] == pytest.approx(
        abs(at_25 - pre) * 10 / 25, abs=0.01
    )
    assert list(frame["npv_after_tax_swing [USD]"]) == sorted(frame["npv_after_tax_swing [USD]"], reverse=True)
    assert "npv_after_tax_low [USD]" not in model.tornado_frame(plain, RETAIL).columns


def test_the_value_kept_at_the_horizon_is_a_two_way_choice_in_the_tornado():
    table = risk.tornado(RETAIL, percent=20)
    kept = row(table, "terminal_value")
    assert (kept["base"], kept["low"], kept["high"]) == ("none", "none", "book_value")
    # Retail's 5 devices of 2,000, bought at go-live, 36 of their 48 months used, salvage 10 %: each is worth
    # 2,000 − (2,000 − 200) × 36 / 48 = 650 at the horizon, counted back in month 36.
    assert kept["savings_high"] - kept["savings_low"] == pytest.approx(5 * 650)
    assert kept["npv_high"] - kept["npv_low"] == pytest.approx(5 * 650 * 1.08**-3)
    display = model.tornado_display(table, 36, "USD").set_index("Input")
    assert display.loc["Value kept at the horizon", "Low → high"] == "None → Book value"
    figure = charts.tornado_figure(table, "savings", 618_465.37, 36, "USD")
    assert any("None – Book value" in tick for tick in figure.data[0].y)
    # never a map axis or a Monte Carlo input, whatever its swing
    first = table.assign(swing=table["swing"].where(table["input"] != "terminal_value", 1e12))
    first = first.sort_values("swing", ascending=False)
    first["savings_high"] = first["savings_low"] + first["swing"]
    assert "terminal_value" not in model.default_map_inputs(first, 36)
    assert "terminal_value" not in model.default_uncertain_inputs(first, RETAIL)
