"""Tax deducts every edge capex through its spread: the spares pool and the installation visits as the devices are
(their accounting lines), not only the devices and their installation."""

import pytest

from planner.catalogs import catalog
from planner.exports.report import analyse_one
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit

# Retail: 5 devices of 2,000 (salvage 10 %) over a 48-month life, a 25 % tax rate.
TAXED = replace(catalog.preset("retail"), tax_rate_percent=25)


def after_tax_gap(scenario):
    return analyse_one(scenario).cash.after_tax_flows()[0][0]


def test_a_spares_pool_and_installation_visits_are_deducted_over_the_life():
    base = after_tax_gap(TAXED)
    # 10 % spares: 0.5 device of 2,000 less 10 % salvage, over 48 months: 25 % × 0.5 × 1,800 / 48 a month
    spares = after_tax_gap(replace(TAXED, spares_percent=10)) - base
    assert spares[0] == pytest.approx(0.25 * 0.5 * 1800 / 48) and spares[35] == pytest.approx(spares[0])
    # a 960 visit at go-live, spread over 48 months: 25 % × 20 a month
    visits = after_tax_gap(replace(TAXED, install_per_site=960)) - base
    assert visits[0] == pytest.approx(0.25 * 960 / 48)
