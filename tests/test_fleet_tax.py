"""A fleet's plans after tax: the single scenario's rule (running costs deductible as paid, edge capex through its
depreciation, an upfront commitment over its term) over each plan's flows, at the base's tax rate."""

import numpy as np
import pytest
from scipy.optimize import brentq
from test_fleet import RETAIL, SIMPLE, programme, single

from planner.fleet import devices as fleet_devices
from planner.fleet import inventory as fleet_inventory
from planner.fleet import tables as fleet_tables
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit

EDGE = fleet_inventory.PLANS.index("all_edge")


def test_hand_computed_two_site_programme_after_tax():
    # Each site (see test_fleet's SIMPLE): 1,800 a month in the cloud; on the edge one 3,000 device depreciated over
    # 180 months to nothing (16.67 a month) and 100 a month of management. At 25 %: a site-month's saving of 1,700
    # less 25 % × (1,800 − 100 − 3,000 ÷ 180) of tax on it.
    p = programme("site,go_live_month\nA,0\nB,1\n", base=replace(SIMPLE, tax_rate_percent=25))
    after = 1700 - 0.25 * (1800 - 100 - 3000 / 180)
    flows = {0: -3000, 1: -3000 + after} | {t: 2 * after for t in range(2, 13)}
    npv = sum(c * 1.12 ** (-t / 12) for t, c in flows.items())
    irr = brentq(lambda i: sum(c * (1 + i) ** (-t / 12) for t, c in flows.items()), 0.01, 1e9)
    assert p.after_tax.npv_savings[EDGE] == pytest.approx(npv, rel=1e-9)
    plans = fleet_tables.plan_summary(p)
    assert plans["all_edge"]["npv_after_tax"] == pytest.approx(npv, rel=1e-9)
    assert p.after_tax.irr_sign_changes[EDGE] == 1 and p.after_tax.irr_rates[EDGE][0] == pytest.approx(
        irr * 100, rel=1e-6
    )
    # about 6,560 %/year: above the shown bound, the JSON says so as a scenario's does
    assert plans["all_edge"]["irr_percent_after_tax"] is None
    assert plans["all_edge"]["irr_note_after_tax"] == "over 1,000 %/year"
    assert plans["all_edge"]["npv"] == pytest.approx(p.plans.npv_savings[EDGE])  # the pre-tax figure stays
    assert plans["all_cloud"]["npv_after_tax"] == 0
    # without a tax rate the keys are absent, as in a scenario's JSON
    assert "npv_after_tax" not in fleet_tables.plan_summary(programme("site\nA\n", base=SIMPLE))["all_edge"]


def test_a_fleet_of_one_row_has_the_scenarios_after_tax_npv_and_irr():
    taxed = replace(RETAIL, tax_rate_percent=21, terminal_value="book_value", install_per_device=150)
    p = programme("site\nshop\n", base=taxed)
    one = single(fleet_devices.row_scenario(p.fleet, 0))  # the row as the fleet costs it (its link's cloud design)
    assert p.after_tax.npv_savings[EDGE] == pytest.approx(one.npv_after_tax(taxed.discount_percent_per_year)[0])
    changes, rates = one.irr_all_percent_after_tax()
    assert p.after_tax.irr_sign_changes[EDGE] == changes[0]
    np.testing.assert_allclose(p.after_tax.irr_rates[EDGE], rates[0], rtol=1e-9)
    assert p.after_tax.npv_savings[EDGE] != pytest.approx(p.plans.npv_savings[EDGE])


def test_the_fleet_page_and_the_command_line_show_the_plans_after_tax():
    from planner import cli
    from planner.ui import fleet as fleet_page

    p = programme("site,go_live_month\nA,0\nB,1\n", base=replace(SIMPLE, tax_rate_percent=25))
    table = fleet_page.plans_table(p).set_index("Plan")
    edge = fleet_inventory.PLAN_TEXT["all_edge"]
    assert table.loc[edge, "NPV after tax [USD]"] == pytest.approx(p.after_tax.npv_savings[EDGE])
    assert table.loc[edge, "IRR after tax"] == "over 1,000 %/year"
    assert "After tax at 25 %:" in cli._fleet_text(p)
    assert "NPV after tax [USD]" not in fleet_page.plans_table(programme("site\nA\n", base=SIMPLE)).columns
