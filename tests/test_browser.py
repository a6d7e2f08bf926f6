"""The app in a real browser: Debian's headless Chromium against `streamlit run app.py` on localhost.

A user's path: change an input and watch the chart and the break-even card move, switch pages from the
sidebar, download the report and check it against `python -m planner report`, upload a broken file,
open the share link in a fresh browser context. Screenshots of every page go to out/screenshots/.
Expected figures come from the planner core (`analyse_one`), i.e. what the CLI prints.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from browser_support import ROOT, chart_data, pick, screenshot, serve_app, wait_for_chart, wait_for_idle
from playwright.sync_api import expect

from planner.catalogs import catalog
from planner.exports.report import analyse_one, read_report_section, summary
from planner.schema.format import break_even_short, break_even_text, money
from planner.schema.scenario import replace, to_share_token

pytestmark = pytest.mark.browser

RETAIL = catalog.preset("retail")
CARDS = ("Cloud cost per month", "Edge capex", "Edge cost per month", "Break-even", "36-month savings")


def card(page, label: str):
    return page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )


def card_values(page) -> dict[str, str]:
    return {label: card(page, label).get_by_test_id("stMetricValue").inner_text() for label in CARDS}


def go_to(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    wait_for_idle(page)


def last_y_is(trace: int, value: float) -> str:
    """JS predicate for `wait_for_chart`: the trace ends at `value` (within a cent)."""
    return f"data.length > {trace} && Math.abs(data[{trace}].y[data[{trace}].y.length - 1] - {value}) < 0.01"


def test_changing_an_input_moves_the_chart_and_the_break_even(new_page, app_url):
    page = new_page(app_url)
    expect(page.get_by_role("heading", name="Scenario", level=1)).to_be_visible()
    before = summary(analyse_one(RETAIL))
    wait_for_chart(page, last_y_is(0, before["cloud_total_cost"]))
    expect(card(page, "Break-even").get_by_test_id("stMetricValue")).to_have_text(
        break_even_short(before["break_even_month"], 36)
    )

    cameras = page.get_by_role("spinbutton", name="Cameras")
    cameras.fill("10")
    cameras.press("Enter")
    after = summary(analyse_one(replace(RETAIL, cameras=10)))
    assert break_even_short(after["break_even_month"], 36) != break_even_short(before["break_even_month"], 36)
    wait_for_chart(page, last_y_is(0, after["cloud_total_cost"]))
    expect(card(page, "Break-even").get_by_test_id("stMetricValue")).to_have_text(
        break_even_short(after["break_even_month"], 36)
    )
    expect(card(page, "Cloud cost per month").get_by_test_id("stMetricValue")).to_have_text(
        money(after["cloud_monthly_cost"])
    )
    expect(card(page, "Cloud cost per month").get_by_test_id("stMetricDelta")).to_contain_text(
        money(after["cloud_monthly_cost"] - before["cloud_monthly_cost"], signed=True)
    )
    traces = chart_data(page)
    assert [t["name"] for t in traces] == ["Cloud", "Edge", "Break-even"]
    assert traces[2]["x"][0] == pytest.approx(after["break_even_month"])

    slider = page.get_by_role("slider", name="Operating hours (h/day)")
    slider.press("ArrowLeft")  # 12 → 11.5 h/day
    expect(slider).to_have_value("11.5")
    slower = summary(analyse_one(replace(RETAIL, cameras=10, hours_per_day=11.5)))
    wait_for_chart(page, last_y_is(0, slower["cloud_total_cost"]))
    # The sidebar status and the address bar follow the edit too.
    expect(page.get_by_test_id("stSidebar").get_by_text("2 inputs changed from the preset.")).to_be_visible()
    page.wait_for_function(
        "(token) => new URLSearchParams(location.search).get('s') === token",
        arg=to_share_token(replace(RETAIL, cameras=10, hours_per_day=11.5, name=f"{RETAIL.name} (edited)")),
    )
    screenshot(page, "1-scenario")

    page.get_by_role("radio", name="Edge", exact=True).click()
    page.get_by_text("Sized from the workload").click()
    wait_for_idle(page)
    expect(page.get_by_role("spinbutton", name="Devices (manual)")).to_be_disabled()

    auto = summary(analyse_one(replace(RETAIL, cameras=10, hours_per_day=11.5, device_sizing="auto")))
    expect(card(page, "Edge capex").get_by_test_id("stMetricValue")).to_have_text(money(auto["edge_capex"]))

    go_to(page, "Costs & break-even")
    headline = break_even_text(auto["break_even_month"], 36)
    expect(page.get_by_text(headline[0].upper() + headline[1:]).first).to_be_visible()
    page.get_by_role("radio", name="Accounting (depreciation)").click()
    wait_for_chart(page, "data.length > 1 && data[1].y[0] === 0")  # no capex step in this view
    page.get_by_text("How each figure is computed").click()
    expect(page.get_by_text("Edge total, month 1 (accounting view)")).to_be_visible()
    screenshot(page, "2-costs")


def test_report_download_matches_the_cli_and_uploads_are_validated(new_page, app_url, tmp_path):
    page = new_page(app_url)
    cameras = page.get_by_role("spinbutton", name="Cameras")
    cameras.fill("10")
    cameras.press("Enter")
    wait_for_chart(page, last_y_is(0, summary(analyse_one(replace(RETAIL, cameras=10)))["cloud_total_cost"]))
    go_to(page, "Compare & export")

    with page.expect_download() as download:
        page.get_by_role("button", name="Report CSV (current scenario)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "planner",
            "report",
            "--preset",
            "retail",
            "--set",
            "cameras=10",
            "--set",
            f"name={RETAIL.name} (edited)",
            "--format",
            "csv",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    text = saved.read_text(encoding="utf-8")
    ours, theirs = read_report_section(text, "Summary"), read_report_section(cli, "Summary")
    assert ours["value"].equals(theirs["value"])  # a blank (never) carbon break-even in both
    assert text == cli

    link = page.get_by_test_id("stCode").inner_text()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "broken.json", "mimeType": "application/json", "buffer": b'{"cameras": -3}'}]
    )
    expect(page.get_by_text("broken.json was not loaded: cameras = -3 is not valid")).to_be_visible()
    assert page.get_by_test_id("stCode").inner_text() == link  # the scenario is untouched

    page.get_by_role("button", name="Add “Retail store").click()
    wait_for_chart(page, "data.length === 1")
    pick(page, "Start from preset", "Smart-city traffic intersections", "stSidebar")
    page.get_by_role("button", name="Add “Smart-city").click()
    wait_for_chart(page, "data.length === 2")
    screenshot(page, "3-compare")


def test_a_share_link_opens_the_same_scenario_in_a_fresh_context(new_page, app_url):
    page = new_page(app_url)
    page.get_by_role("spinbutton", name="Cameras").fill("120")
    page.get_by_role("spinbutton", name="Cameras").press("Enter")
    page.get_by_role("radio", name="Cloud", exact=True).click()
    page.get_by_text("Analysed frames only").click()
    wait_for_idle(page)
    expected = summary(analyse_one(replace(RETAIL, cameras=120, cloud_upload="frames")))
    wait_for_chart(page, last_y_is(0, expected["cloud_total_cost"]))
    figures, traces = card_values(page), chart_data(page)

    go_to(page, "Compare & export")
    link = page.get_by_test_id("stCode").inner_text().strip()
    assert link.startswith(app_url + "/?s=") and link.endswith("&p=retail")

    shared = new_page(link)  # a new browser context
    wait_for_chart(shared, last_y_is(0, expected["cloud_total_cost"]))
    assert card_values(shared) == figures
    assert chart_data(shared) == traces
    expect(shared.get_by_role("spinbutton", name="Cameras")).to_have_value("120")

    broken = new_page(app_url + "/?s=" + link.split("s=")[1][:40])
    expect(broken.get_by_text("The share link could not be opened")).to_be_visible()
    expect(card(broken, "Cloud cost per month").get_by_test_id("stMetricValue")).to_have_text(
        money(summary(analyse_one(RETAIL))["cloud_monthly_cost"])
    )  # the preset again


def test_a_deep_link_is_the_first_request_of_a_fresh_server(new_page, tmp_path):
    """Streamlit's legacy pages/-folder mode serves a fresh server's first request; the app must still
    run the page inside its frame (sidebar, restored scenario)."""
    scenario = replace(catalog.preset("vessel"), cameras=20, name="Vessel, 20 cameras")
    with serve_app(tmp_path / "server.log") as url:
        page = new_page(f"{url}/costs?s={to_share_token(scenario)}&p=vessel")
        expect(page.get_by_role("heading", name="Costs & break-even", level=1)).to_be_visible()
        expect(page.get_by_test_id("stSidebar").get_by_role("textbox", name="Scenario name")).to_have_value(
            "Vessel, 20 cameras"
        )
        wait_for_chart(page, last_y_is(0, summary(analyse_one(scenario))["cloud_total_cost"]))
        assert page.get_by_test_id("stException").count() == 0
