"""A refresh reaches a running app (AppTest): the region picker offers the refreshed figure and its source
note names the feed, without a server restart. Feed sample: tests/feeds/azure-retail-prices-page2.json."""

from __future__ import annotations

import pytest
from app_support import start
from test_catalog_refresh import FEEDS, served

from planner.catalogs import catalog, feeds, refresh
from planner.ui import cloud_designs

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


def test_the_pages_scenario_and_plan_downloads_carry_the_price_book_rows_in_use(tmp_path, monkeypatch):
    """A contracted egress rate in the price book, and a scenario priced with it: the Compare page's Scenario JSON
    and the Plans page's plan file carry that row as entered (the bytes their download buttons would give)."""
    import json

    import streamlit as st

    from planner.schema.scenario import replace, to_share_token

    overlay = tmp_path / "catalog"
    (overlay / "price_book").mkdir(parents=True)
    header = (catalog.DATA_DIR / "cloud_prices.csv").read_text().splitlines()[0]
    (overlay / "price_book" / "cloud_prices.csv").write_text(
        header + '\naws,Internet data transfer out,transfer_out_per_gb,USD per GB,0,0.05,,"Enterprise agreement '
        '2026-118, clause 4",2026-11-01\n'
    )
    monkeypatch.setenv("PLANNER_CATALOG_DIR", str(overlay))
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{tmp_path / 'plans.sqlite3'}")
    from streamlit.delta_generator import DeltaGenerator

    offered, method = {}, DeltaGenerator.download_button

    def recording(self, label, data, *args, key=None, **kwargs):
        offered[key] = data
        return method(self, label, data, *args, key=key, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)  # in a column
    monkeypatch.setattr(st, "download_button", lambda *a, **k: recording(st._main, *a, **k))  # st.download_button
    scenario = replace(catalog.preset("retail"), egress_tiers=[{"start": 0, "price": 0.05}])
    at = start(s=to_share_token(scenario))
    expected = {
        "catalog": "cloud_prices.csv",
        "entry": "aws — Internet data transfer out",
        "price_usd": 0.05,
        "source": "Enterprise agreement 2026-118, clause 4",
        "as_of": "2026-11-01",
    }
    for page, key in (("pages/compare.py", "compare.download_json"), ("pages/plans.py", "plans.download")):
        at.switch_page(page).run()
        assert not at.exception, at.exception
        data = offered[key]() if callable(offered[key]) else offered[key]  # deferred or built with the page
        [row] = json.loads(data)["price_book"]
        assert {k: row[k] for k in expected} == expected, page


def test_the_cached_cloud_designs_follow_a_refresh(tmp_path, monkeypatch):
    """The cloud designs are kept per scenario and catalog: the same object until the overlay changes, then costed
    again with the refreshed prices (Azure Southeast Asia's storage, 0.0208 in data/, 0.023 in the feed)."""
    overlay = tmp_path / "catalog"
    overlay.mkdir()
    monkeypatch.setenv("PLANNER_CATALOG_DIR", str(overlay))
    scenario = catalog.load().presets["manufacturing"]  # Azure: its designs cover every Azure region
    kept = cloud_designs.designs_of(scenario, 100.0)
    assert cloud_designs.designs_of(scenario, 100.0) is kept
    page2 = str(FEEDS / "azure-retail-prices-page2.json")
    refresh.write(refresh.plan("azure", refresh.read_figures("azure", [page2], overlay), overlay), overlay)
    costed = cloud_designs.designs_of(scenario, 100.0)
    southeast = [s.storage_per_gb_month for s in costed.scenarios if s.cloud_region == "southeastasia"]
    assert costed is not kept and southeast and set(southeast) == {0.023}
    assert {s.storage_per_gb_month for s in kept.scenarios if s.cloud_region == "southeastasia"} == {0.0208}
