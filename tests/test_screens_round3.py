"""Issue 29 (screens, round three): the fixes that need no browser."""
from __future__ import annotations

import pytest

from planner.catalogs import catalog
from planner.model import risk

pytestmark = pytest.mark.unit

RETAIL = catalog.preset("retail")


# ── 7. The tornado gives inputs at 0 an absolute range ─────────────────────────────────────────────
def test_inputs_at_zero_get_an_absolute_tornado_range_and_move_the_result():
    assert RETAIL.workload_growth_percent_per_year == 0 and RETAIL.install_per_device == 0
    table = risk.tornado(RETAIL, percent=20).set_index("input")
    growth = table.loc["workload_growth_percent_per_year"]
    assert (growth["low"], growth["high"]) == (-20.0, 20.0)             # ±20 points at ±20 %
    fee = table.loc["cloud_fee_change_percent_per_year"]
    assert (fee["low"], fee["high"]) == (-10.0, 10.0)                   # a price change: ±10 points
    install = table.loc["install_per_device"]
    assert (install["low"], install["high"]) == (0.0, RETAIL.device_price * 0.2)   # up to 20 % of the device
    for name in ("workload_growth_percent_per_year", "cloud_fee_change_percent_per_year", "install_per_device"):
        assert table.loc[name, "swing"] > 0, name
    wider = risk.tornado(RETAIL, percent=40).set_index("input").loc["workload_growth_percent_per_year"]
    assert (wider["low"], wider["high"]) == (-40.0, 40.0)               # the span follows the percentage

