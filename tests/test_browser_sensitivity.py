"""The Sensitivity & risk page in a real browser: Debian's headless Chromium against `streamlit run app.py`.

A user's path: open the page from the sidebar, run a simulation, read the headline and the histogram,
move the tornado slider (the simulation stays as it is), download the simulation CSV. Expected figures
come from `planner.model.risk` run directly with the page's default uncertain inputs.
"""

from __future__ import annotations

import numpy as np
import pytest
from browser_support import CHART, chart_data, screenshot, wait_for_chart, wait_for_charts_to_fit, wait_for_idle
from playwright.sync_api import expect

from planner.catalogs import catalog
from planner.exports import sensitivity
from planner.exports.report import read_report_section
from planner.model import risk

pytestmark = pytest.mark.browser

RETAIL = catalog.preset("retail")


def chart_index(page, title_start: str) -> int:
    """Position of the Plotly chart whose title (a line break read as a space) starts with `title_start`, once it
    is drawn (the helpers of browser_support read charts by index)."""
    find = """([sel, title]) => [...document.querySelectorAll(sel)].findIndex(
                  g => g.layout && g.layout.title &&            // Streamlit wraps titles in <b>
                       String(g.layout.title.text).replace(/<br>/g, " ").replace(/<[^>]+>/g, "").startsWith(title))"""
    page.wait_for_function(f"args => ({find})(args) >= 0", arg=[CHART, title_start], polling=100)
    return page.evaluate(find, [CHART, title_start])


def expected_result() -> risk.MonteCarlo:
    """The page's defaults: the four inputs with the largest ±30 % savings swing, triangular ±30 %."""
    ranked = sensitivity.tornado_order(risk.tornado(RETAIL, percent=30), "savings", 36)[0]["input"]
    names = [n for n in ranked if getattr(RETAIL, n)][: sensitivity.MC_DEFAULT_INPUTS]
    return risk.monte_carlo(
        RETAIL, {n: sensitivity.default_distribution(n, getattr(RETAIL, n)) for n in names}, draws=10_000, seed=0
    )


def test_a_simulation_shows_its_headline_and_histogram(new_page, app_url, tmp_path):
    page = new_page(app_url)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Sensitivity & risk").click()
    expect(page.get_by_role("heading", name="Sensitivity & risk", level=1)).to_be_visible()
    wait_for_idle(page)
    expect(page.get_by_text("then press Run simulation")).to_be_visible()

    page.get_by_role("button", name="Run simulation").click()
    result = expected_result()
    sentence = result.headline()
    expect(page.get_by_role("heading", name=sentence[0].upper() + sentence[1:])).to_be_visible()
    histogram = chart_index(page, "Break-even month of each simulated future")
    wait_for_chart(page, "data.length === 2 && data[1].name === 'Never within 36 months'", index=histogram)
    paid, never = chart_data(page, histogram)
    table = risk.break_even_histogram(result, 36)
    np.testing.assert_allclose(paid["y"], table["draws"][:-1] / 10_000 * 100)
    assert never["y"] == [pytest.approx(result.never_share * 100)]
    assert never["x"][0] > 36  # its own bar, past the horizon
    card = page.get_by_test_id("stMetric").filter(has_text="Within 12 months")
    expect(card.get_by_test_id("stMetricValue")).to_have_text(risk.share_text(result.probability_within(12)))

    tornado = chart_index(page, "Savings over 36 months: each input")
    slider = page.get_by_role("slider", name="Vary each input by")
    slider.press("ArrowRight")  # ±20 % → ±25 %
    wait_for_chart(page, "data[0].y.some(label => label.includes('38 – 62 cameras'))", index=tornado)
    wait_for_idle(page)
    assert chart_data(page, histogram) == [paid, never]  # the simulation was not touched
    expect(page.get_by_role("heading", name=sentence[0].upper() + sentence[1:])).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("button", name="Simulation CSV").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    bins = read_report_section(text, "Break-even months")
    assert bins["draws"].sum() == 10_000 and bins["from_month"].iloc[-1] == "never"
    assert page.get_by_test_id("stException").count() == 0
    screenshot(page, "5-sensitivity")


def test_the_tornado_fits_a_phone(new_page, app_url):
    """At 390 px the tornado's title stays inside the chart and its legend sits under the axis title."""
    page = new_page(app_url + "/sensitivity")
    page.set_viewport_size({"width": 390, "height": 900})
    wait_for_idle(page)
    i = chart_index(page, "Savings over 36 months")
    wait_for_charts_to_fit(page)
    boxes = page.evaluate(
        f"""i => {{
        const g = [...document.querySelectorAll('{CHART}')][i];
        const box = e => {{ const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }};
        return {{chart: box(g), title: box(g.querySelector('.gtitle')),
                 axis: box(g.querySelector('.xtitle')), legend: box(g.querySelector('.legend'))}};
    }}""",
        i,
    )
    assert boxes["title"][2] <= boxes["chart"][2] + 1, boxes  # not cut at the right edge
    assert boxes["legend"][1] >= boxes["axis"][3] - 1, boxes  # under the axis title, not over it
