"""A refresh reaches a running app (AppTest): the region picker offers the refreshed figure and its source
note names the feed, without a server restart. Feed sample: tests/feeds/azure-retail-prices-page2.json."""
from __future__ import annotations

import pytest
from app_support import start
from test_catalog_refresh import FEEDS

from planner.catalogs import refresh

pytestmark = pytest.mark.app


def test_a_refresh_reaches_the_running_app_with_its_source(tmp_path, monkeypatch):
    overlay = tmp_path / "catalog"
    overlay.mkdir()
    monkeypatch.setenv("PLANNER_CATALOG_DIR", str(overlay))
    at = start()                                                   # the server has read the catalog
    page2 = str(FEEDS / "azure-retail-prices-page2.json")
    refresh.write(refresh.plan("azure", refresh.read_figures("azure", [page2], overlay), overlay), overlay)
    at.segmented_control(key="scenario.group").set_value("Cloud").run()
    at.selectbox(key="scenario.region").set_value("southeastasia").run()
    assert not at.exception
    assert at.session_state["scenario"].storage_per_gb_month == 0.023       # was 0.0208 in data/
    captions = " ".join(c.value for c in at.caption).replace("\\", "")          # markdown escapes
    assert f"storage_per_gb_month, egress_tiers: Azure Retail Prices API, {page2}" in captions
    assert "as of 2026-07-01" in captions
