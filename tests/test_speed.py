"""What keeps the engine and the command line fast (issue 30): money-only callers build no emissions lines, and the
commands are in tests/test_cli_speed.py."""

from __future__ import annotations

import numpy as np
import pytest

from planner.catalogs import catalog
from planner.model import costs, designs, finance
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit


def test_money_without_carbon_is_the_same_money_and_no_emissions():
    b = costs.batch([replace(catalog.preset("retail"), workload_growth_percent_per_year=10)])
    full, money = costs.evaluate(b), costs.evaluate(b, carbon=False)
    assert money.carbon == {} and full.carbon
    f, g = finance.analyse(full, "cash"), finance.analyse(money, "cash")
    for name in ("break_even_month", "cloud_total", "edge_total", "capex_total", "npv_savings"):
        np.testing.assert_array_equal(getattr(f, name), getattr(g, name))
    with pytest.raises(ValueError, match="without their emissions"):
        finance.carbon(money)


def test_a_priced_carbon_line_is_still_charged_without_the_emissions_lines():
    scenario = replace(catalog.preset("retail"), carbon_price_per_tonne=100)
    full, money = costs.evaluate(costs.batch([scenario])), costs.evaluate(costs.batch([scenario]), carbon=False)
    assert money.carbon == {}
    for key in costs.CARBON_PRICE_KEYS:
        np.testing.assert_array_equal(full.values(key), money.values(key))
    assert full.values("carbon_cloud").sum() > 0


def test_the_cheapest_design_search_builds_no_emissions(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("emissions built for a money-only search")

    monkeypatch.setattr(costs, "_emissions", refuse)
    assert designs.evaluate(catalog.preset("retail")) is not None
