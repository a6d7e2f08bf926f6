"""The app without a browser (streamlit.testing AppTest): pages, widgets bound to the scenario, uploads,
share links, the comparison set — and the pure helpers behind the pages.

Expected figures come from the planner core (`analyse_one`), the same code the CLI reports with.
"""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
from app_support import decoded, start
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from planner.catalogs import catalog
from planner.exports import tables
from planner.exports.report import analyse_one, read_report_section, report_csv, summary
from planner.model.costs import CARBON_COMPONENTS, CARBON_PRICE_KEYS, COMPONENTS
from planner.schema.format import break_even_short, money, months, slug
from planner.schema.scenario import FIELDS, ScenarioError, replace, to_dict, to_json, to_share_token, validate
from planner.ui import pieces
from planner.ui.compare import MAX_COMPARED
from planner.ui.inputs import decimals, is_slider, label_with_unit

pytestmark = pytest.mark.app

APP = Path(__file__).resolve().parent.parent / "app.py"
PAGES = {
    "pages/scenario.py": "Scenario",
    "pages/costs.py": "Costs & break-even",
    "pages/advisor.py": "Architecture advisor",
    "pages/sensitivity.py": "Sensitivity & risk",
    "pages/compare.py": "Compare & export",
}
RETAIL = catalog.preset("retail")


def show(at: AppTest, group: str) -> None:
    """Bring an input group (Workload, Cloud, Edge, Finance) on screen: only one is drawn at a time."""
    at.segmented_control(key="scenario.group").set_value(group).run()


@pytest.fixture
def at() -> AppTest:
    return start()


def scenario(at: AppTest):
    return at.session_state["scenario"]


def metric(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


def color(card) -> str:
    return MetricProto.MetricColor.Name(card.proto.color)


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def expected(s) -> dict:
    return summary(analyse_one(s))


# ── Pages ──────────────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("preset", list(catalog.presets()))
def test_every_page_renders_for_every_preset(preset):
    at = start()
    at.selectbox(key="sidebar.preset").set_value(preset).run()
    assert scenario(at) == catalog.preset(preset)
    for page, title in PAGES.items():
        at.switch_page(page).run()
        assert not at.exception, (preset, page, at.exception)
        assert [t.value for t in at.title] == [title]
        assert not at.error and not at.warning, (preset, page)
        assert at.sidebar.selectbox(key="sidebar.preset").value == preset  # the frame is on every page


def test_scenario_page_shows_the_key_figures_of_the_preset(at):
    s = expected(RETAIL)
    assert metric(at, "Cloud cost per month").value == money(s["cloud_monthly_cost"]) == "$17,724"
    assert metric(at, "Edge capex").value == money(s["edge_capex"])
    assert metric(at, "Edge cost per month").value == money(s["edge_monthly_cost"])
    assert metric(at, "Break-even").value == break_even_short(s["break_even_month"], 36)
    assert metric(at, "36-month savings").value == money(s["savings_total"])
    assert all(not m.delta for m in at.metric)  # nothing changed since the preset


def test_changing_cameras_changes_the_cloud_cost_and_shows_the_delta(at):
    at.number_input(key="scenario.cameras").set_value(80).run()
    now, before = expected(replace(RETAIL, cameras=80)), expected(RETAIL)
    card = metric(at, "Cloud cost per month")
    assert card.value == money(now["cloud_monthly_cost"])
    assert card.delta == money(now["cloud_monthly_cost"] - before["cloud_monthly_cost"], signed=True)
    assert card.delta.startswith("+") and color(card) == "GREEN"  # a dearer cloud is good for the edge case
    assert scenario(at).cameras == 80
    assert at.sidebar.caption[0].value == "1 input changed from the preset."


def test_moving_a_slider_changes_the_cloud_cost(at):
    slider = at.slider(key="scenario.hours_per_day")
    assert slider.value == 12.0
    slider.set_value(6.0).run()
    assert scenario(at).hours_per_day == 6.0
    assert metric(at, "Cloud cost per month").value == money(
        expected(replace(RETAIL, hours_per_day=6.0))["cloud_monthly_cost"]
    )
    assert metric(at, "Cloud cost per month").delta.startswith("-")
    assert color(metric(at, "Cloud cost per month")) == "RED"  # a cheaper cloud: bad for the edge case
    assert color(metric(at, "36-month savings")) == "RED"  # less saved


def test_choice_and_catalog_pickers_fill_the_scenario(at):
    show(at, "Cloud")
    at.radio(key="scenario.cloud_upload").set_value("frames").run()
    assert scenario(at).cloud_upload == "frames"
    device = catalog.load().device("jetson-orin-nx-16gb")
    show(at, "Edge")
    at.selectbox(key="scenario.device").set_value(device["id"]).run()
    s = scenario(at)
    assert (s.device_id, s.device_price, s.device_watts, s.device_throughput_ips) == (
        device["id"],
        device["unit_price_usd"],
        device["watts"],
        device["throughput_ips"],
    )
    assert at.number_input(key="scenario.device_price").value == device["unit_price_usd"]
    name, tiers = next(
        (k, v) for k, v in catalog.load().tier_schedules("vision_per_1000_images").items() if k.startswith("gcp")
    )
    show(at, "Cloud")
    at.selectbox(key="scenario.vision_api").set_value(name).run()
    assert scenario(at).cloud_provider == name
    assert [(t.start, t.price) for t in scenario(at).inference_tiers] == tiers
    show(at, "Edge")
    at.number_input(key="scenario.device_price").set_value(900.0).run()
    assert at.selectbox(key="scenario.device").value == "__custom__"  # edited figures: no longer the catalog's


def test_an_edit_updates_the_sidebar_status_and_the_share_link_and_reset_restores_all(at):
    at.slider(key="scenario.hours_per_day").set_value(6.0).run()
    assert at.sidebar.caption[0].value == "1 input changed from the preset."
    assert dict(at.query_params) == {"s": to_share_token(scenario(at)), "p": "retail"}
    at.sidebar.text_input(key="sidebar.name").set_value("Store 7").run()
    at.sidebar.button(key="sidebar.reset").click().run()
    assert scenario(at) == RETAIL and at.sidebar.text_input(key="sidebar.name").value == RETAIL.name
    assert at.slider(key="scenario.hours_per_day").value == RETAIL.hours_per_day
    assert at.sidebar.caption[0].value == "Same inputs as the preset."


@pytest.mark.parametrize(
    "group, kind, key",
    [
        (None, "selectbox", "sidebar.preset"),
        (None, "selectbox", "scenario.preset"),
        ("Cloud", "radio", "scenario.inference_pricing"),
        ("Cloud", "selectbox", "scenario.vision_api"),
        ("Edge", "selectbox", "scenario.device"),
        ("Finance", "selectbox", "scenario.currency"),
        ("Workload", "number_input", "scenario.analysed_fps"),
        ("Workload", "slider", "scenario.hours_per_day"),
        (None, "text_input", "sidebar.name"),
    ],
)
def test_a_choice_the_browser_sends_without_a_value_keeps_the_work(at, group, kind, key):
    """The browser can send a widget without a value (seen when a rerun redraws it while the page is busy); the
    framework then takes the widget's `index` or `value=`, which was the first option, a number box's 0 or its
    minimum, an empty text: the manufacturing preset loaded over the work, the first pricing mode, device or
    currency committed, 0 frames/s (a cloud bill of $0), the shortest day, the lowest rate or no name."""
    at.number_input(key="scenario.cameras").set_value(64).run()
    show(at, "Cloud")
    at.radio(key="scenario.inference_pricing").set_value("serverless").run()  # not the first option
    if group:
        show(at, group)
    work = scenario(at)
    getattr(at, kind)(key=key).set_value(None).run()
    assert not at.exception, at.exception
    assert scenario(at) == work and at.session_state["preset"] == "retail"
    assert getattr(at, kind)(key=key).value == at.session_state[key]


def test_a_rate_the_browser_sends_without_a_value_keeps_the_currency(at):
    """The exchange-rate box (enabled once a currency other than the catalog's is chosen) sent without a value
    fell back to its minimum and converted every money input at it."""
    show(at, "Finance")
    at.selectbox(key="scenario.currency").set_value("EUR").run()
    work = scenario(at)
    at.number_input(key="scenario.fx_rate").set_value(None).run()
    assert not at.exception, at.exception
    assert scenario(at) == work and work.currency == "EUR"


def test_preset_reset_and_outside_changes_reach_the_widgets(at):
    at.selectbox(key="sidebar.preset").set_value("vessel").run()
    vessel = catalog.preset("vessel")
    assert at.number_input(key="scenario.cameras").value == vessel.cameras
    show(at, "Cloud")
    assert at.radio(key="scenario.cloud_upload").value == vessel.cloud_upload
    assert at.sidebar.text_input(key="sidebar.name").value == vessel.name
    show(at, "Workload")
    at.number_input(key="scenario.cameras").set_value(30).run()
    assert at.sidebar.button(key="sidebar.reset").disabled is False
    at.sidebar.button(key="sidebar.reset").click().run()
    assert scenario(at) == vessel
    assert at.number_input(key="scenario.cameras").value == vessel.cameras


def _edit_script():
    """A page-sized script: the session, then edits through the same paths the widgets' callbacks use."""
    import streamlit as st

    from planner.ui import inputs, state

    state.init_session()
    st.session_state["accepted"] = state.commit(cameras=-5)  # outside the schema's range
    st.session_state["edits"] = {"edited_rows": {0: {"start": 10.0}}}  # the first tier must start at 0
    inputs._commit_tiers("inference_tiers", "edits", [{"start": 0.0, "price": 1.0}])
    state.show_notices()


def test_an_invalid_edit_shows_an_error_and_keeps_the_scenario():
    at = AppTest.from_function(_edit_script, default_timeout=30).run()
    assert not at.exception
    assert at.session_state["accepted"] is False
    assert at.session_state["scenario"] == RETAIL
    assert errors(at) == ["Not applied: cameras = -5 is not valid: allowed 0 to 100,000 cameras, a whole number"]
    key, message = at.session_state["tier_errors"]["inference_tiers"]
    assert key == "edits" and "first tier must start at 0" in message


def test_changing_the_currency_converts_the_money(at):
    show(at, "Finance")
    at.selectbox(key="scenario.currency").set_value("EUR").run()
    assert metric(at, "Cloud cost per month").value == money(
        expected(RETAIL)["cloud_monthly_cost"] * 0.861549, "EUR"
    )  # ECB: 1 ÷ 1.1607, 6 decimals
    assert metric(at, "Cloud cost per month").value.endswith(" EUR")
    show(at, "Cloud")
    assert at.number_input(key="scenario.uplink_per_gb").label.endswith("(EUR/GB)")


def test_renaming_the_scenario(at):
    at.sidebar.text_input(key="sidebar.name").set_value("Store 12").run()
    assert scenario(at).name == "Store 12"


# ── Costs & break-even ─────────────────────────────────────────────────────────────────────────────
def test_costs_page_switches_views_and_explains_month_one(at):
    at.switch_page("pages/costs.py").run()
    a = analyse_one(RETAIL)
    pd.testing.assert_frame_equal(at.table[0].value.reset_index(drop=True), tables.summary_display(a, "cash"))
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [t["name"] for t in chart["data"]] == ["Cloud", "Edge", "Break-even"]
    assert not at.expander[0].code  # closed: not even computed
    at.session_state["costs.explain"] = True  # as a click on it does
    steps = at.run().expander[0]
    # one per cost component it has (the carbon price ones only with a price), then one per emissions line
    assert len(steps.code) == (
        len(COMPONENTS) - len(pieces.INSTANCE_ONLY) - len(CARBON_PRICE_KEYS) + len(CARBON_COMPONENTS)
    )
    assert any(
        m.value
        == f"**Cloud total, month 1 (cash view): {money(expected(RETAIL)['cloud_monthly_cost'], decimals=2).replace('$', chr(92) + '$')}**"
        for m in steps.markdown
    )
    at.segmented_control(key="costs.view").set_value("accounting").run()
    assert not at.exception
    pd.testing.assert_frame_equal(at.table[0].value.reset_index(drop=True), tables.summary_display(a, "accounting"))


# ── Compare & export: uploads, downloads, comparison ────────────────────────────────────────────────
def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    uploader = next(u for u in at.file_uploader if u.key.startswith("compare.upload."))
    return uploader.set_value((name, data, "application/json")).run()


@pytest.mark.parametrize(
    "content, problem",
    [
        (b'{"cameras": ', "not valid JSON"),
        (json.dumps({**to_dict(RETAIL), "cameras": -5}).encode(), "cameras = -5 is not valid"),
        (b"\xff\xfe not text", "not UTF-8"),
        (json.dumps({"cameras": 10, "colour": "red"}).encode(), "colour: unknown field"),
    ],
)
def test_a_malformed_upload_shows_the_error_and_keeps_the_scenario(at, content, problem):
    at.number_input(key="scenario.cameras").set_value(42).run()
    before = scenario(at)
    at.switch_page("pages/compare.py").run()
    upload(at, "broken.json", content)
    assert not at.exception
    assert scenario(at) == before
    assert any(e.startswith("broken.json was not loaded") and problem in e for e in errors(at)), errors(at)


def test_costs_page_builds_only_the_open_tabs_charts(at):
    at.switch_page("pages/costs.py").run()
    a = analyse_one(RETAIL)
    s = summary(a)

    def charts() -> list[dict]:
        return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]

    # the cumulative cost chart, then the cumulative emissions alone [t CO₂e]
    shown = charts()
    assert [c["layout"]["title"]["text"] for c in shown][0].startswith("Cumulative cost")
    assert len(shown) == 2
    cloud, edge = shown[1]["data"][:2]
    assert (cloud["name"], edge["name"]) == ("Cloud", "Edge")
    assert decoded(cloud["y"])[-1] == pytest.approx(s["cloud_kgco2e_total"] / 1000)
    assert decoded(edge["y"])[-1] == pytest.approx(s["edge_kgco2e_total"] / 1000)
    at.session_state["costs.carbon_chart"] = "Emissions per month"  # as a click on the tab does
    at.run()
    assert not at.exception, at.exception
    shown = charts()
    assert len(shown) == 2  # the per-month chart instead: kg CO₂e of the first month
    assert decoded(shown[1]["data"][0]["y"])[0] == pytest.approx(s["cloud_kgco2e_monthly"])
    at.session_state["costs.chart"] = "Cost per month by component"
    at.run()
    assert not at.exception, at.exception
    shown = charts()  # each side's components instead of the cumulative costs, the carbon tab as left
    assert [c["layout"]["title"]["text"].split(":")[0] for c in shown[:2]] == ["Cloud", "Edge"]
    assert len(shown) == 3
    # month 1's stacked areas (each line padded with its first value at the axis's start) add up to each side's cost
    for chart, side in zip(shown[:2], ("cloud", "edge")):
        month_one = sum(decoded(t["y"])[1] for t in chart["data"])
        assert month_one == pytest.approx(a.costs.total(side)[0, 0])


def test_a_valid_upload_replaces_the_scenario_everywhere(at):
    target = replace(catalog.preset("smart_city"), name="Uploaded", cameras=321)
    at.switch_page("pages/compare.py").run()
    upload(at, "mine.json", to_json(target).encode())
    assert scenario(at) == target
    assert any("Loaded “Uploaded”" in s.value for s in at.success)
    at.switch_page("pages/scenario.py").run()
    assert at.number_input(key="scenario.cameras").value == 321


def test_the_report_download_is_exactly_the_cli_report():
    captured = []
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self, data, mimetype, kind, filename=None):
        captured.append((filename, data))
        return original(self, data, mimetype, kind, filename)

    with mock.patch.object(MemoryMediaFileStorage, "load_and_get_id", spy):  # internal API: no public one
        at = start()
        at.number_input(key="scenario.cameras").set_value(10).run()
        at.switch_page("pages/compare.py").run()
    files = dict(captured)
    changed = replace(RETAIL, cameras=10, name=f"{RETAIL.name} (edited)")
    report = files["retail-store-50-cameras-seed-article-edited-report.csv"]
    assert report == report_csv(analyse_one(changed)).encode("utf-8")
    assert validate(json.loads(files["retail-store-50-cameras-seed-article-edited.json"])) == changed


def test_the_comparison_set_is_bounded_and_entries_can_be_removed(at):
    at.switch_page("pages/compare.py").run()
    assert [i.value for i in at.info] == [
        "Add the current scenario, change some inputs (or pick another preset), "
        "and add it again to see them side by side."
    ]  # how to start
    for cameras in range(1, MAX_COMPARED + 1):
        at.session_state["scenario"] = replace(RETAIL, cameras=cameras)
        at.button(key="compare.add").click().run()
    assert len(at.session_state["comparison"]) == MAX_COMPARED
    assert at.button(key="compare.add").disabled
    assert any("full (8 scenarios)" in c.value for c in at.caption)
    results = at.table[0].value
    assert list(results.columns)[1:] == tables.entry_labels(at.session_state["comparison"])
    assert results.iloc[0, 1] == money(expected(replace(RETAIL, cameras=1))["cloud_monthly_cost"])
    differing = at.table[1].value
    assert list(differing["Input"]) == ["Cameras"]
    at.button(key="compare.remove.0").click().run()
    assert [s.cameras for s in at.session_state["comparison"]] == list(range(2, MAX_COMPARED + 1))
    at.button(key="compare.add").click().run()  # cameras = 8 is in already
    assert any("already in the comparison" in i.value for i in at.info)
    at.button(key="compare.clear").click().run()
    assert at.session_state["comparison"] == []


# ── Share links ────────────────────────────────────────────────────────────────────────────────────
def test_a_share_link_round_trip_restores_every_field(at):
    at.number_input(key="scenario.cameras").set_value(77).run()
    at.slider(key="scenario.hours_per_day").set_value(9.5).run()
    show(at, "Cloud")
    at.radio(key="scenario.inference_pricing").set_value("serverless").run()
    at.number_input(key="scenario.serverless_ms_per_inference").set_value(350.0).run()
    show(at, "Edge")
    at.selectbox(key="scenario.device").set_value("hailo-8-m2").run()
    at.sidebar.text_input(key="sidebar.name").set_value("Shared — store 7").run()
    original = scenario(at)
    link = dict(at.query_params)
    assert link == {"s": to_share_token(original), "p": "retail"}

    opened = start(**link)
    assert to_dict(scenario(opened)) == to_dict(original)
    # No refusal of the link; the only warning: 77 cameras × 0.4 × 1.3 = 40.0 inferences/s need 7 Hailo-8s
    # (16 decode streams × 0.4 = 6.4 each), 5 are priced.
    assert [w.value.split(".")[0] for w in opened.warning] == ["Edge capacity: 5 devices priced, 7 needed"]
    assert metric(opened, "Cloud cost per month").value == metric(at, "Cloud cost per month").value
    assert opened.number_input(key="scenario.cameras").value == 77


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        to_share_token(RETAIL)[:-12],  # cut short
        to_share_token(RETAIL).replace("A", "B"),  # tampered
        __import__("base64")
        .urlsafe_b64encode(__import__("zlib").compress(b'{"schema_version": 99}'))
        .decode(),  # stale
    ],
)
def test_a_broken_share_link_warns_and_falls_back_to_the_preset(token):
    at = start(s=token, p="vessel")
    assert scenario(at) == RETAIL
    assert at.session_state["preset"] == "retail"
    assert any(w.value.startswith("The share link could not be opened") for w in at.warning)
    assert at.query_params["s"] == to_share_token(RETAIL)  # the URL is repaired


# ── Pure helpers behind the pages ─────────────────────────────────────────────────────────────────
def test_money_and_months_formatting():
    assert money(17723.92) == "$17,724"
    assert money(-1234.4, "EUR") == "-1,234 EUR"
    assert money(0.391, decimals=2) == "$0.39"
    assert money(5, signed=True) == "+$5" and money(-5, signed=True) == "-$5"
    assert money(None) == money(float("nan")) == "—"
    assert months(2.44) == "2.4 months" and months(1.0) == "1 month"
    assert break_even_short(0.6, 36) == "Month 1" and break_even_short(None, 36) == "Not by month 36"


def test_widgets_follow_the_schema():
    spec = {f.name: f for f in FIELDS}
    assert label_with_unit(spec["bitrate_mbps"], "USD") == "Stream bitrate (Mbps)"
    assert label_with_unit(spec["cameras"], "USD") == "Cameras"
    assert label_with_unit(spec["uplink_per_gb"], "EUR").endswith("(EUR/GB)")
    assert decimals(spec["ingest_per_gb"]) == 4 and decimals(spec["cameras"]) == 0
    assert is_slider(spec["hours_per_day"]) and not is_slider(spec["cameras"])


def test_edited_tiers_apply_the_editor_changes():
    base = [{"start": 0.0, "price": 1.0}, {"start": 1e6, "price": 0.8}]
    edits = {"edited_rows": {1: {"price": 0.7}}, "added_rows": [{"start": 5e5, "price": 0.9}, {}], "deleted_rows": []}
    assert tables.edited_tiers(base, edits) == [
        {"start": 0.0, "price": 1.0},
        {"start": 5e5, "price": 0.9},
        {"start": 1e6, "price": 0.7},
    ]
    assert tables.edited_tiers(base, {"deleted_rows": [1]}) == base[:1]
    with pytest.raises(ScenarioError, match="both a start and a price"):
        tables.edited_tiers(base, {"added_rows": [{"start": 7.0}]})
    with pytest.raises(ScenarioError, match="first tier must start at 0"):
        replace(RETAIL, inference_tiers=tables.edited_tiers(base, {"edited_rows": {0: {"start": 10.0}}}))


def test_comparison_csv_is_complete_and_spreadsheet_safe():
    a = analyse_one(replace(RETAIL, name="Formulas", cloud_provider='=HYPERLINK("http://x")'))
    b, c = analyse_one(RETAIL), analyse_one(replace(RETAIL, cameras=10))
    text = tables.comparison_csv([a, b, c])
    inputs = read_report_section(text, "Inputs").set_index("field")
    labels = tables.entry_labels([a.scenario, b.scenario, c.scenario])
    assert labels == ["#1 Formulas", "#2 Retail store — 50 cameras (seed art…", "#3 Retail store — 50 c… · Cameras 10"]
    assert list(inputs.columns) == ["label", "unit", *labels]
    assert inputs.loc["cameras", labels[2]] == "10"
    assert inputs.loc["cloud_provider", labels[0]].startswith("'=")  # not a formula in a spreadsheet
    results = read_report_section(text, "Results").set_index("metric")
    assert float(results.loc["Savings over the horizon", labels[2]]) == pytest.approx(
        expected(c.scenario)["savings_total"], abs=0.01
    )
    assert slug("Retail store — 50 cameras!") == "retail-store-50-cameras"
