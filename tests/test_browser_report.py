"""The Report page printed by Chromium to PDF, read back with poppler's pdftotext.

For every preset and both papers: the key figures are in the PDF exactly as the page shows them (and as the
engine computes them), every row of the yearly budget is there, the charts printed, the sidebar and the
controls did not, and no page is blank. The retail preset fits on 4 A4 pages. The advisor's
recommendation, once asked for in the session, prints too. PDFs and page images go to out/report/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import numpy as np
import pytest
from browser_support import OUT, screenshot, start_from_preset, wait_for_idle
from playwright.sync_api import expect

from planner.advice import advisor
from planner.catalogs import catalog
from planner.exports.report import analyse_one, summary, yearly_table
from planner.schema.format import break_even_short, money
from planner.schema.scenario import replace, to_share_token

pytestmark = pytest.mark.browser

PRESETS = sorted(catalog.presets())
PAPERS = ("A4", "Letter")
REPORT_OUT = OUT / "report"
FIGURES = '[data-testid="reportFigures"]'


@pytest.fixture(scope="module")
def poppler():
    """pdftotext and pdftoppm (Debian's poppler-utils); skip with the reason, fail under CI=true."""
    missing = [tool for tool in ("pdftotext", "pdftoppm") if shutil.which(tool) is None]
    if missing:
        reason = f"{', '.join(missing)} not found: install poppler-utils (make browser)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the printed-report tests must run in CI: {reason}")
        pytest.skip(reason)


LOADED_MS = 60_000  # a cold first load draws three Plotly charts: generous on two busy cores


def open_report(new_page, url: str):
    return report_drawn(new_page(url))


def report_drawn(page):
    """`page`, once the Report page has drawn its yearly table and its three charts."""
    expect(page.get_by_test_id("reportYearly")).to_be_visible(timeout=LOADED_MS)
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .main-svg').length >= 3", timeout=LOADED_MS
    )
    wait_for_idle(page, LOADED_MS)
    return page


def printed(page, name: str, paper: str) -> tuple[list[str], list[str]]:
    """The page printed to a PDF of `paper`; (text of each PDF page, each laid out as on paper; lines with
    their runs of blanks made one), also rendered to PNGs beside the PDF."""
    REPORT_OUT.mkdir(parents=True, exist_ok=True)
    pdf = REPORT_OUT / f"{name}-{paper}.pdf"
    page.pdf(path=str(pdf), format=paper)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(REPORT_OUT / f"{name}-{paper}")], check=True)
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()  # pdftotext ends every page with a form feed
    lines = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]
    return pages, [line for line in lines if line]


def expected_key_figures(scenario) -> dict[str, str]:
    """The key figures, written by hand from the engine's summary the way the app writes money and months."""
    s, cur, h = summary(analyse_one(scenario)), scenario.currency, scenario.horizon_months
    return {
        "Cloud cost per month": money(s["cloud_monthly_cost"], cur),
        "Edge capex": money(s["edge_capex"], cur),
        "Edge cost per month": money(s["edge_monthly_cost"], cur),
        "Break-even": break_even_short(s["break_even_month"], h),
        f"{h}-month savings": money(s["savings_total"], cur),
        "NPV of savings": money(s["npv_savings"], cur),
        "Discounted payback": break_even_short(s["discounted_payback_months"], h),
    }


def expected_yearly_lines(scenario, view: str = "cash") -> list[str]:
    """Each year's row and the totals row as one printed line: year, months, then money per column."""
    table, cur = yearly_table(analyse_one(scenario), view), scenario.currency
    money_columns = [c for c in table.columns if c.endswith(f"[{cur}]")]
    lines = [
        " ".join([str(year), months, *(money(row[c], cur) for c in money_columns)])
        for (year, months), (_, row) in zip(table[["Year", "Months"]].itertuples(index=False), table.iterrows())
    ]
    # The totals row sums each year's money; a running total (cumulative savings) shows where it ends.
    totals = [money(float(table[c].iloc[-1] if "Cumulative" in c else np.sum(table[c])), cur) for c in money_columns]
    return lines + [" ".join(["Total", *totals])]


@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_prints_its_figures_and_every_year_on_a4_and_letter(page_at, poppler, preset):
    scenario = catalog.preset(preset)
    page = page_at(1440, "report")  # a page the presets share: each is picked in its sidebar
    start_from_preset(page, scenario.name)
    report_drawn(page)
    shown = dict(
        zip(page.locator(f"{FIGURES} .label").all_inner_texts(), page.locator(f"{FIGURES} .value").all_inner_texts())
    )
    expected = expected_key_figures(scenario)
    assert {label: shown[label] for label in expected} == expected  # the page shows the engine's figures
    for paper in PAPERS:
        pages, lines = printed(page, preset, paper)
        text = " ".join(lines)
        assert all(p.strip() for p in pages), f"{paper}: a blank page in {[len(p.strip()) for p in pages]}"
        for label, value in shown.items():  # exactly as the page shows them
            assert f"{label}" in text and value in text, (paper, label, value)
        missing = [row for row in expected_yearly_lines(scenario) if row not in lines]
        assert not missing, f"{paper}: yearly rows not printed: {missing}"
        for title in (
            "Cumulative cost: cloud vs edge",
            "Cloud: cost per month by component",
            "Edge: cost per month by component",
            "Assumptions",
            scenario.name,
        ):
            assert title in text, (paper, title)
        for screen_only in ("Start from preset", "Costs & break-even", "Print this page with your browser"):
            assert screen_only not in text, (paper, screen_only)  # no sidebar, no controls, no hint
        assert f"page {len(pages)} of {len(pages)}" in text
        if preset == "retail" and paper == "A4":
            assert len(pages) <= 4, f"retail prints on {len(pages)} A4 pages"  # 3 before the cloud-design section
        print(f"\n{preset} {paper}: {len(pages)} pages")


def test_the_view_chosen_on_costs_and_the_advisors_recommendation_print(new_page, app_url, poppler):
    page = new_page(app_url + "/?p=retail")
    nav = page.get_by_test_id("stSidebarNav")
    nav.get_by_role("link", name="Costs & break-even").click()
    page.get_by_role("radio", name="Accounting (depreciation)").click()
    wait_for_idle(page)
    nav.get_by_role("link", name="Architecture advisor").click()
    page.get_by_role("button", name="Get recommendation").click()
    wait_for_idle(page)
    nav.get_by_role("link", name="Report (print)").click()
    expect(page.get_by_test_id("reportStack")).to_be_visible()
    page.wait_for_function("document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .main-svg').length >= 3")
    answers = advisor.answers(**{q.name: q.default for q in advisor.QUESTIONS})
    advice = advisor.advise(answers, catalog.preset("retail"))
    pages, lines = printed(page, "retail-advice", "A4")
    text = " ".join(lines)
    assert lines[0] == catalog.preset("retail").name, lines[:2]  # the scenario opened, not another preset
    assert "Accounting (depreciation) view" in text
    missing = [row for row in expected_yearly_lines(catalog.preset("retail"), "accounting") if row not in lines]
    assert not missing, f"accounting rows not printed: {missing}"
    assert "Architecture advice" in text and advisor.PLACEMENT_TEXT[advice.placement] in text
    for choice in advice.stack:
        assert choice.name.split()[0] in text, choice.name
    assert all(p.strip() for p in pages)


def test_a_twenty_year_budget_prints_every_year_and_a_name_as_text(new_page, app_url, poppler):
    scenario = replace(
        catalog.preset("smart_city"),
        horizon_months=240,
        workload_growth_percent_per_year=10,
        name="Twenty years <b>bold</b> & $5",
    )
    page = open_report(new_page, f"{app_url}/report?s={to_share_token(scenario)}&p=smart_city")
    pages, lines = printed(page, "smart_city-240", "A4")
    missing = [row for row in expected_yearly_lines(scenario) if row not in lines]
    assert len(expected_yearly_lines(scenario)) == 21 and not missing, missing
    assert scenario.name in " ".join(lines)  # the markup printed as text
    assert all(p.strip() for p in pages)


@pytest.mark.parametrize("width", [1024, 1440, 390])
def test_the_report_page_on_screen(new_page, app_url, width):
    page = open_report(new_page, app_url + "/report?p=smart_city")
    page.set_viewport_size({"width": width, "height": 900})
    expect(page.get_by_text("Print this page with your browser")).to_be_visible()
    overflow = page.evaluate(
        "document.querySelector('[data-testid=\"stMain\"]').scrollWidth - "
        "document.querySelector('[data-testid=\"stMain\"]').clientWidth"
    )
    assert overflow <= 1, f"the page scrolls sideways by {overflow} px at {width} px"
    screenshot(page, f"report-{width}")
