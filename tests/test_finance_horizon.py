"""Over time and at the horizon: general inflation of labour, licences and support, the terminal value of what is
still owned at the horizon, and the after-tax NPV and IRR. Every expected figure is worked out here from the
inputs."""

import pytest

from planner.catalogs import catalog
from planner.exports import report
from planner.model import explain
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit

RETAIL = catalog.preset("retail")
# 4 devices bought at go-live and again at month 12 (a 12-month life), no salvage: every edge figure by hand.
SMALL_FLEET = replace(
    RETAIL,
    device_sizing="manual",
    devices_manual=4,
    device_price=1_000,
    install_per_device=100,
    useful_life_months=12,
    salvage_percent=0,
    management_basis="per_device",
    management_per_month=20,
    failure_percent_per_year=12,
    horizon_months=24,
)


def values(scenario, key):
    return report.analyse_one(scenario).costs.values(key)[0]


def test_inflation_compounds_monthly_on_labour_licences_and_support():
    inflated = replace(SMALL_FLEET, inflation_percent_per_year=10)
    yearly = 1.10
    half_year = yearly ** (6 / 12)  # compounded monthly from the annual rate: (1 + 10 %)^(6/12)
    # installation: 4 devices × 100 at go-live, and at the refresh in month 13 (m = 12) at a year's inflation
    installation = values(inflated, "installation")
    assert installation[0] == pytest.approx(4 * 100)
    assert installation[12] == pytest.approx(4 * 100 * yearly)
    # management: 20 a device a month × 4 devices, × (1.1)^(m/12)
    assert values(inflated, "management")[6] == pytest.approx(20 * 4 * half_year)
    # failures: 12 %/year ÷ 12 of 4 devices, each a new device (not inflated) and its installation (inflated)
    assert values(inflated, "failures")[6] == pytest.approx(4 * 0.12 / 12 * (1_000 + 100 * half_year))
    # depreciation spreads each installation at its purchase price: before the refresh at 100, after it at 110
    depreciation = values(inflated, "depreciation")
    assert depreciation[11] == pytest.approx(4 * (1_000 + 100) / 12)
    assert depreciation[13] == pytest.approx(4 * (1_000 + 100 * yearly) / 12)
    # electricity and hardware do not follow general inflation
    assert values(inflated, "electricity")[6] == pytest.approx(values(SMALL_FLEET, "electricity")[6])
    assert values(inflated, "hardware")[12] == pytest.approx(4 * 1_000)
    # the explainer says so in its arithmetic
    step = next(s for s in explain.month(inflated, 6) if s.key == "management")
    assert "inflation 1.04881" in step.arithmetic and step.value == pytest.approx(20 * 4 * half_year)


def test_no_inflation_leaves_every_line_as_it_was():
    plain, zero = (
        report.analyse_one(SMALL_FLEET),
        report.analyse_one(replace(SMALL_FLEET, inflation_percent_per_year=0)),
    )
    for key in ("installation", "depreciation", "failures", "management"):
        assert (plain.costs.values(key) == zero.costs.values(key)).all()
    assert values(SMALL_FLEET, "depreciation")[13] == pytest.approx(4 * 1_100 / 12)


def test_book_value_counts_back_the_devices_and_the_unexpired_commitment_in_the_last_month():
    # 4 devices bought again at month 13 (m = 12), each 1,000 + 100 installation with 10 % salvage (100): at the
    # horizon of 18 months they are 6 of their 12 months old, worth 1,100 − (1,100 − 100) × 6/12 = 600 each.
    fleet = replace(SMALL_FLEET, horizon_months=18, salvage_percent=10)
    kept = replace(fleet, terminal_value="book_value")
    edge = values(kept, "terminal_edge")
    assert edge[17] == pytest.approx(-4 * 600) and not edge[:17].any()
    assert not values(fleet, "terminal_edge").any()  # terminal_value none: nothing counts back
    # NPV of savings rises by the book value discounted from the end of month 18: 8 %/year effective
    without, with_value = report.analyse_one(fleet), report.analyse_one(kept)
    assert with_value.cash.npv_savings[0] - without.cash.npv_savings[0] == pytest.approx(2_400 * 1.08 ** (-18 / 12))
    assert with_value.cash.edge_total[0] == pytest.approx(without.cash.edge_total[0] - 2_400)
    # the accounting view has depreciated only the months used already: no book value to count back
    assert with_value.accounting.edge_total[0] == pytest.approx(without.accounting.edge_total[0])
    # the explainer shows the arithmetic of the last month
    step = next(s for s in explain.month(kept, 17) if s.key == "terminal_edge")
    assert "4 bought in month 13 × (1,100 − (1,100 − 100 salvage) × 6/12)" in step.arithmetic

    # 2 instances (the minimum) on a 3-year commitment, all upfront at go-live: at a horizon of 24 months a third
    # of the term is unexpired.
    committed = replace(
        RETAIL,
        inference_pricing="instances",
        instance_commitment="three_year",
        instance_upfront="all",
        instance_min_count=2,
        horizon_months=24,
        terminal_value="book_value",
    )
    upfront = committed.instance_committed_per_hour * 730.5 * 36
    cloud = values(committed, "terminal_cloud")
    assert values(committed, "commitment_upfront")[0] == pytest.approx(2 * upfront)
    assert cloud[23] == pytest.approx(-2 * upfront / 3) and not cloud[:23].any()


def test_a_fleet_counts_each_sites_book_value_at_the_programmes_end():
    # Two shops on a 24-month programme, the second going live at month 7: each site's horizon ends with the
    # programme, so each site's book value counts back in its last month, the programme's month 24.
    from planner.fleet import inventory as fleet_inventory
    from planner.fleet import programme as fleet_programme

    base = replace(SMALL_FLEET, salvage_percent=10, terminal_value="book_value")
    fleet = fleet_inventory.make_fleet("site,go_live_month,device_sizing\na,0,manual\nb,6,manual\n", base, None, 24)
    assert fleet.inventory.errors == ()
    p = fleet_programme.evaluate(fleet)
    edge = fleet_inventory.PLANS.index("all_edge")
    without = fleet_programme.evaluate(
        fleet_inventory.make_fleet(
            "site,go_live_month,device_sizing\na,0,manual\nb,6,manual\n", replace(base, terminal_value="none"), None, 24
        )
    )
    # site a: 4 devices bought at month 13, 12 of 12 months old at 24: salvage 100 each; site b: 4 devices bought at
    # its month 13 (programme month 19), 6 months old: 1,100 − 1,000 × 6/12 = 600 each.
    difference = without.plan_opex[edge] - p.plan_opex[edge]
    assert difference[23] == pytest.approx(4 * 100 + 4 * 600) and not difference[:23].any()


def test_tax_deducts_running_costs_as_paid_and_the_edge_capex_through_its_depreciation():
    # 12 months, 4 devices of 1,100 (price + installation, no salvage) bought at go-live and depreciated over 12
    # months: 4,400 of capex, 4,400 of depreciation within the horizon. At 25 % and no discounting the NPV after tax
    # is the running gap × (1 − 25 %) + 25 % × 4,400 (the shield) − 4,400.
    taxed = replace(SMALL_FLEET, horizon_months=12, discount_percent_per_year=0, tax_rate_percent=25)
    a = report.analyse_one(taxed)
    cloud = a.cash.cloud_total[0]
    edge_running = a.cash.edge_running_monthly[0].sum()
    assert a.cash.capex_total[0] == pytest.approx(4 * 1_100)
    summary = report.summary(a)
    expected = (cloud - edge_running) * 0.75 + 0.25 * 4_400 - 4_400
    assert summary["npv_savings_after_tax"] == pytest.approx(expected)
    assert summary["npv_savings"] == pytest.approx(cloud - edge_running - 4_400)  # pre-tax, as before
    # the after-tax IRR is the rate at which the after-tax flows are worth nothing; irr_percent stays pre-tax
    at_8 = replace(taxed, discount_percent_per_year=8)
    at = report.analyse_one(at_8)
    irr = report.summary(at)["irr_percent_after_tax"]
    pre_tax = report.summary(at)["irr_percent"]
    assert pre_tax == report.summary(report.analyse_one(replace(at_8, tax_rate_percent=0)))["irr_percent"]
    if irr is not None:
        worth = report.analyse_one(replace(at_8, discount_percent_per_year=irr)).cash.npv_after_tax(irr)[0]
        assert abs(worth) < 1e-6 * 4_400
    # month by month: 25 % × (edge running − cloud + depreciation) is added to the month's savings
    gap, lumps = a.cash.after_tax_flows()
    month_2 = 0.25 * (a.cash.edge_running_monthly[0, 1] - a.cash.cloud_monthly[0, 1] + 4 * 1_100 / 12)
    assert gap[0, 1] == pytest.approx(a.cash.running_gap_monthly[0, 1] + month_2)
    assert (lumps == a.cash.net_capex_monthly).all()  # capex is paid in full when it is paid


def test_without_a_tax_rate_the_json_has_no_after_tax_keys():
    summary = report.summary(report.analyse_one(SMALL_FLEET))
    assert "npv_savings_after_tax" not in summary and "irr_percent_after_tax" not in summary


def test_an_upfront_commitment_is_deducted_over_its_term_and_the_carbon_price_not_at_all():
    # 3-year all-upfront commitment: the cloud's running cost is cheaper, its upfront deducted as the spread line;
    # a carbon price is nobody's income: it moves neither side's tax.
    committed = replace(
        RETAIL,
        inference_pricing="instances",
        instance_commitment="three_year",
        instance_upfront="all",
        tax_rate_percent=30,
        carbon_price_per_tonne=100,
    )
    a = report.analyse_one(committed)
    c = a.costs
    deductible_edge = sum(
        c.values(k)[0] for k in ("failures", "management", "electricity", "feedback_uplink", "feedback_cloud")
    )
    deductible_cloud = sum(c.values(k)[0] for k in ("site_uplink", "cloud_ingest", "inference", "results_egress"))
    deductible_cloud = deductible_cloud + c.values("cloud_storage")[0]
    shield = c.values("depreciation")[0] - c.values("commitment_spread")[0]
    gap, _ = a.cash.after_tax_flows()
    expected = a.cash.running_gap_monthly[0] + 0.30 * (deductible_edge - deductible_cloud + shield)
    assert gap[0] == pytest.approx(expected)


def test_the_after_tax_figures_are_shown_in_the_report_when_a_tax_rate_is_set():
    from planner.exports import printable

    taxed = report.analyse_one(replace(RETAIL, tax_rate_percent=25))
    s = report.summary(taxed)
    figures = {f.label: f.value for f in printable.key_figures(taxed)}
    assert figures["NPV after tax"] == f"${s['npv_savings_after_tax']:,.0f}"
    rows = report.summary_table(taxed).set_index("metric")["value"]
    assert rows["NPV of savings after tax (25 %)"] == s["npv_savings_after_tax"]
    plain = {f.label for f in printable.key_figures(report.analyse_one(RETAIL))}
    assert "NPV after tax" not in plain and "IRR after tax" not in plain
