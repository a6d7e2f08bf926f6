"""A refresh reaches a running app (AppTest): the region picker offers the refreshed figure and its source
note names the feed, without a server restart. Feed sample: tests/feeds/azure-retail-prices-page2.json."""

from __future__ import annotations

import pytest
from app_support import start
from test_catalog_refresh import FEEDS, served

from planner.catalogs import catalog, feeds, refresh

pytestmark = pytest.mark.app


def test_a_refresh_reaches_the_running_app_with_its_source(tmp_path, monkeypatch):
    overlay = tmp_path / "catalog"
    overlay.mkdir()
    monkeypatch.setenv("PLANNER_CATALOG_DIR", str(overlay))
    at = start()  # the server has read the catalog
    page2 = str(FEEDS / "azure-retail-prices-page2.json")
    refresh.write(refresh.plan("azure", refresh.read_figures("azure", [page2], overlay), overlay), overlay)
    at.segmented_control(key="scenario.group").set_value("Cloud").run()
    at.selectbox(key="scenario.region").set_value("southeastasia").run()
    assert not at.exception
    assert at.session_state["scenario"].storage_per_gb_month == 0.023  # was 0.0208 in data/
    captions = " ".join(c.value for c in at.caption).replace("\\", "")  # markdown escapes
    assert f"storage_per_gb_month, egress_tiers: Azure Retail Prices API, {page2}" in captions
    assert "as of 2026-07-01" in captions


def test_the_administrators_refresh_on_the_scenario_page(tmp_path, monkeypatch):
    """Hidden without PLANNER_CATALOG_ADMIN=1; with it, the ECB feed (served on 127.0.0.1 in place of the public
    URL) shows old → new first, and writes only on the second, explicit step."""
    overlay = tmp_path / "catalog"
    overlay.mkdir()
    monkeypatch.setenv("PLANNER_CATALOG_DIR", str(overlay))
    monkeypatch.delenv("PLANNER_CATALOG_ADMIN", raising=False)
    assert not [e for e in start().expander if e.label.startswith("Catalog refresh")]
    monkeypatch.setenv("PLANNER_CATALOG_ADMIN", "1")
    with served({"eurofxref-daily.xml": (FEEDS / "eurofxref-daily.xml").read_bytes()}) as base:
        monkeypatch.setitem(feeds.PUBLIC_URLS, "ecb", base + "eurofxref-daily.xml")
        at = start()
        at.selectbox(key="catalog_admin.source").set_value("ecb").run()
        at.button(key="catalog_admin.check").click().run()
    assert not at.exception and not at.error
    shown = at.code[0].value
    assert "fx_rates.csv USD per EUR: 1.1607 → 1.17 (effective 2026-12-04)" in shown
    assert list(overlay.iterdir()) == []  # nothing written yet
    at.button(key="catalog_admin.write").click().run()
    assert not at.error and at.success[0].value.startswith("Wrote fx_rates.csv")
    assert catalog.load().fx_rates[1]["units_per_eur"] == 1.17


def test_the_administrators_refresh_refuses_a_bad_feed_in_one_line(tmp_path, monkeypatch):
    overlay = tmp_path / "catalog"
    overlay.mkdir()
    monkeypatch.setenv("PLANNER_CATALOG_DIR", str(overlay))
    monkeypatch.setenv("PLANNER_CATALOG_ADMIN", "1")
    with served({"eurofxref-daily.xml": b"<html>maintenance</html>"}) as base:
        monkeypatch.setitem(feeds.PUBLIC_URLS, "ecb", base + "eurofxref-daily.xml")
        at = start()
        at.button(key="catalog_admin.check").click().run()
    assert not at.exception
    assert at.error[0].value == "ecb: no <Cube time=…> element: not a eurofxref file"
    assert list(overlay.iterdir()) == []
