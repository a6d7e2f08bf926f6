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
