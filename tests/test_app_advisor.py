"""The Architecture advisor page without a browser (streamlit.testing AppTest), and the pure helpers behind it.

Expected recommendations come from the planner core (`advisor.advise` on the same answers and scenario),
expected costs from `analyse_one`, the code the CLI reports with.
"""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from advisor_support import CHEAP_CLOUD, CLOUDY, RETAIL
from streamlit.testing.v1 import AppTest

from planner.advice import advisor
from planner.catalogs import catalog
from planner.exports.report import analyse_one, summary
from planner.schema.format import md, money, ms_text
from planner.schema.scenario import NumberField, replace
from planner.ui import advisor as ui

pytestmark = pytest.mark.app

APP = Path(__file__).resolve().parent.parent / "app.py"
PAGE = "pages/advisor.py"
FAST = replace(RETAIL, analysed_fps=60)  # an 8.3 ms sampling wait: a 10 ms target is attainable


def start(scenario=None) -> AppTest:
    """The app on the advisor page, with the given scenario in the session (default: the retail preset)."""
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    if scenario is not None:
        at.session_state["scenario"] = scenario
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def submit(at: AppTest, **answers) -> AppTest:
    """Fill the questionnaire's widgets and press the form's submit button."""
    for name, value in answers.items():
        key = f"advisor.{name}"
        widget = (
            at.number_input(key=key)
            if isinstance(advisor.QUESTION_BY_NAME[name], NumberField)
            else at.selectbox(key=key)
        )
        widget.set_value(value)
    at.button(key="advisor.submit").click().run()
    assert not at.exception, at.exception
    return at


def expected(scenario=RETAIL, **answers) -> advisor.Advice:
    return advisor.advise(advisor.answers(**answers), scenario)


def details(at: AppTest, section: str) -> AppTest:
    """Show one section of the details under the recommendation (one is drawn at a time)."""
    return at.segmented_control(key="advisor.section").set_value(section).run()


def table(at: AppTest, first_column: str) -> pd.DataFrame:
    """A details table, by its first column (Factor: decision table, Step: latency, Layer: stack)."""
    details(at, {"Factor": "factors", "Step": "latency", "Layer": "stack"}[first_column])
    return next(t.value for t in at.table if t.value.columns[0] == first_column).reset_index(drop=True)


def chart(at: AppTest) -> dict:
    return json.loads(details(at, "latency").get("plotly_chart")[0].proto.spec)


def metric(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


# ── The page ───────────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("preset", list(catalog.presets()))
def test_the_page_renders_for_every_preset(preset):
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    at.selectbox(key="sidebar.preset").set_value(preset).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Architecture advisor"]
    assert [i.value for i in at.info] == ["Answer the questions and press **Get recommendation**."]
    form = {
        w.key.removeprefix("advisor."): w.value
        for w in [*at.number_input, *at.selectbox]
        if w.key.startswith("advisor.")
    }
    assert form == ui.defaults()  # the form is generated from QUESTIONS

    submit(at)
    advice = expected(catalog.preset(preset))
    assert not at.error and not at.info
    assert [w.value for w in at.warning] == [md(w) for w in advice.warnings]  # the sampling wait
    assert at.subheader[0].value == advisor.PLACEMENT_TEXT[advice.placement]
    assert [t["name"] for t in chart(at)["data"]] == [*advice.cloud_latency_ms, *advice.edge_latency_ms]
    pd.testing.assert_frame_equal(table(at, "Factor"), ui.escaped(ui.factors_table(advice)))
    pd.testing.assert_frame_equal(table(at, "Layer"), ui.escaped(ui.stack_table(advice)))
    assert metric(details(at, "sizing"), "Devices").value == f"{advice.sizing.devices:,}"
    assert at.sidebar.selectbox(key="sidebar.preset").value == preset  # the frame is on this page too


def test_15_ms_makes_the_edge_mandatory():
    at = submit(start(FAST), response_ms=15, uplink_mbps=1_000)
    advice = expected(FAST, response_ms=15, uplink_mbps=1_000)
    assert advice.placement == "split_brain_edge" and advice.hard_constraints == ("response_ms",)
    assert at.subheader[0].value == "Edge inference, cloud training (split-brain)"
    # money against the cheapest cloud design a 1,000 Mbps uplink carries (spot GPU instances, video), not the
    # preset's per-image API (against which the edge paid back in month 1)
    assert any(
        m.value.startswith(
            "**Mandatory for latency; the edge pays back in month 3 (2 months) against the "
            "cheapest cloud design the uplink carries"
        )
        for m in at.markdown
    )
    assert ":red-badge[⚠️ hard constraint]" in [m.value for m in at.markdown]
    latency = table(at, "Factor").set_index("Factor").loc["Latency"]
    assert (latency["Verdict"], latency["Hard constraint"], latency["Weight"]) == ("Edge", "mandatory", "decides")
    card = metric(at, "Cloud path")
    assert card.value == ms_text(advice.cloud_ms) and card.delta == f"{ms_text(advice.cloud_ms - 15)} over"
    numbers = table(at, "Step").set_index("Step")
    assert numbers.loc["Total", "Edge path"] == ms_text(advice.edge_ms)
    assert numbers.loc["Required", "Cloud path"] == "≤ 15 ms"
    # 60 frames/s: 1000 / 60 / 2 = 8.3 ms of average wait on both paths, 16.7 ms at worst (over 15 ms: a warning)
    assert numbers.loc["Wait for the next analysed frame (average)"].tolist() == ["8.3 ms", "8.3 ms"]
    assert (metric(at, "Sampling wait").value, metric(at, "Sampling wait").delta) == ("8.3 ms", "up to 16.7 ms")
    assert len(at.warning) == 1 and "up to 16.7 ms (8.3 ms on average)" in at.warning[0].value


def test_the_uplink_card_shows_needed_against_available():
    at = submit(start(), uplink_mbps=100)
    card = metric(at, "Uplink (Mbps)")  # 50 cameras × 4 Mbps ÷ 0.8 = 250 Mbps
    assert (card.value, card.delta) == ("250", "over 100")
    factors = table(at, "Factor").set_index("Factor")
    assert (factors.loc["Uplink capacity", "Verdict"], factors.loc["Uplink capacity", "Weight"]) == ("Edge", "decides")


def test_cloud_answers_for_the_cheap_cloud_case_give_the_cloud():
    at = submit(start(CHEAP_CLOUD), **CLOUDY)
    advice = expected(CHEAP_CLOUD, **CLOUDY)
    assert advice.placement == "cloud"
    assert at.subheader[0].value == "Cloud inference"
    assert ":blue-badge[☁️ Cloud]" in [m.value for m in at.markdown]
    verdicts = table(at, "Factor").set_index("Factor")["Verdict"]
    assert verdicts["Latency"] == verdicts["Privacy"] == verdicts["Economics"] == "Cloud"
    assert metric(at, "Edge break-even").value == "Not by month 12"
    assert any("applying costs the best-fitting edge deployment" in c.value for c in at.caption)


def test_apply_puts_the_deployment_into_the_scenario_and_the_scenario_page_shows_it():
    at = submit(start())
    advice = expected()
    before = summary(analyse_one(RETAIL))
    at.button(key="advisor.apply").click().run()
    assert not at.exception
    scenario = at.session_state["scenario"]
    assert {k: getattr(scenario, k) for k in advice.scenario_changes} == advice.scenario_changes
    assert scenario == replace(RETAIL, **advice.scenario_changes, name=f"{RETAIL.name} (edited)")  # marked edited
    after = summary(analyse_one(scenario))
    assert after["edge_capex"] != before["edge_capex"]
    message = at.success[0].value
    assert message.startswith("Applied to “Retail store") and money(after["edge_capex"]).replace("$", "\\$") in message
    assert advisor.PLACEMENT_TEXT[advice.placement] in message  # the combined verdict
    assert at.button(key="advisor.apply").disabled  # applied: nothing left to do

    at.switch_page("pages/scenario.py").run()
    card = metric(at, "Edge capex")
    assert card.value == money(after["edge_capex"])
    assert card.delta == money(after["edge_capex"] - before["edge_capex"], signed=True)

    at.switch_page(PAGE).run()  # the answers survive the trip
    assert at.subheader[0].value == advisor.PLACEMENT_TEXT[advice.placement]
    assert at.button(key="advisor.apply").disabled and not at.success


def test_answers_are_kept_across_pages():
    at = submit(start(), response_ms=10, workload="segmentation")
    at.switch_page("pages/costs.py").run()
    at.switch_page(PAGE).run()
    assert at.number_input(key="advisor.response_ms").value == 10
    assert at.selectbox(key="advisor.workload").value == "segmentation"
    assert at.session_state["advisor.answers"] == advisor.answers(response_ms=10, workload="segmentation").model_dump()
    assert at.subheader  # no need to submit again


def test_when_no_device_fits_the_page_lists_why_and_has_nothing_to_apply():
    at = submit(start(), site_space="minimal", site_power_watts=1)
    advice = expected(site_space="minimal", site_power_watts=1)
    assert advice.sizing is None and advice.problems
    warning = at.warning[-1].value
    assert warning.startswith("No catalog device fits the site as described:")
    assert warning.count("\n- ") == len(advice.problems)
    assert (metric(at, "Edge break-even").value, metric(at, "Edge break-even").delta) == ("—", "not costed")
    assert any(m.value.startswith("**To fit:**") for m in at.markdown)
    assert at.button(key="advisor.apply").disabled
    assert any("there is no deployment to apply" in c.value for c in at.caption)
    assert (metric(at, "Edge path").value, metric(at, "Edge path").delta) == ("—", "no device fits")
    traces = chart(at)["data"]
    assert [t["name"] for t in traces] == [*advice.cloud_latency_ms, "no catalog device fits the site"]


def test_the_details_show_one_section_at_a_time_and_keep_the_choice():
    at = submit(start())
    assert [t.value.columns[0] for t in at.table] == ["Factor"] and not at.get("plotly_chart")  # the default
    details(at, "latency")
    assert [t.value.columns[0] for t in at.table] == ["Step"] and len(at.get("plotly_chart")) == 1
    submit(at, response_ms=50)  # a new answer: same section
    assert [t.value.columns[0] for t in at.table] == ["Step"]
    assert json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["shapes"][0]["x0"] == 50
    assert at.markdown and at.button(key="advisor.apply")  # the deployment stays in view


def test_download_buttons_exist():
    at = submit(start())
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["Recommendation CSV", "Recommendation Markdown"]
    assert not any(b.proto.disabled for b in buttons)


def test_user_text_is_escaped_in_markdown():
    at = submit(start(replace(RETAIL, name="Store *7* $5 [x]")))
    assert "“Store \\*7\\* \\$5 \\[x\\]”" in at.caption[0].value
    at.button(key="advisor.apply").click().run()
    assert "Store \\*7\\* \\$5 \\[x\\]" in at.success[0].value


def _bad_submit_script():
    """The form's submit callback with a state the widgets would never send (outside the schema's range)."""
    import streamlit as st

    from planner.ui import advisor as ui
    from planner.ui import state

    state.init_session()
    for name, value in ui.defaults().items():
        st.session_state[f"advisor.{name}"] = value
    st.session_state["advisor.response_ms"] = -5.0
    ui._submit()
    state.show_notices(ui.FORM_PLACE)


def test_an_invalid_submit_shows_the_error_and_keeps_no_answers():
    at = AppTest.from_function(_bad_submit_script, default_timeout=30).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Not submitted: response\\_ms = -5.0 is not valid: allowed 1 to 60,000 ms"]
    assert "advisor.answers" not in at.session_state


# ── Pure helpers behind the page ───────────────────────────────────────────────────────────────────
def test_tables_show_every_factor_step_and_layer():
    advice = expected(FAST, response_ms=15, uplink_mbps=1_000)
    factors = ui.factors_table(advice)
    assert list(factors["Factor"]) == [f.name for f in advice.factors]
    assert list(factors["Hard constraint"]) == ["mandatory" if f.hard else "" for f in advice.factors]
    numbers = ui.latency_table(advice)
    assert list(numbers["Step"]) == [*advice.cloud_latency_ms, "Local network", "Edge inference", "Total", "Required"]
    assert list(numbers["Cloud path"][:6]) == [ms_text(v) for v in advice.cloud_latency_ms.values()]
    assert numbers["Edge path"][0] == ms_text(advice.edge_latency_ms[advisor.SAMPLING_WAIT])  # the shared wait
    assert list(factors["Weight"]) == [advisor.weight_text(f) for f in advice.factors]
    assert list(ui.stack_table(advice)["Layer"]) == ["Orchestration", "Runtime", "Compute", "Messaging"]
    assert ui.verdict_line(advice).startswith(
        "Mandatory for latency; the edge pays back in month 3 ("
    )  # cheapest cloud
    assert ui.escaped(pd.DataFrame({"a": ["x|y *z*"], "b": [1.5]})).iloc[0].tolist() == ["x\\|y \\*z\\*", 1.5]


def test_number_questions_always_show_their_unit():
    labels = [ui.question_label(q) for q in advisor.QUESTIONS if isinstance(q, NumberField)]
    assert labels == [
        "Required response time (ms)",
        "Distance to the cloud region (km)",
        "Site uplink bandwidth (Mbps)",
        "Power available for edge compute (W)",
        "Throughput derating (%)",
    ]


def test_numbers_are_written_for_reading():
    assert [ms_text(v) for v in (209.5, 17.625, 10.0, 0.04, 1_234.0)] == [
        "210 ms",
        "17.6 ms",
        "10 ms",
        "0 ms",
        "1,234 ms",
    ]
    assert [ui.figure_text(v) for v in (286.0, 26.0, 38.88, 1_023.0)] == ["286", "26", "38.9", "1,023"]
    sizing = expected().sizing
    assert f"({money(sizing.edge_total_cost)})" in ui.sizing_reason(sizing, "USD")  # the app's money, not '… USD'
    assert f"{sizing.edge_total_cost:,.0f} EUR" not in ui.sizing_reason(sizing, "EUR")


def test_recommendation_csv_is_the_advice_table_and_spreadsheet_safe():
    advice = expected()
    text = ui.advice_csv(advice)
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)
    table = advisor.advice_table(advice)
    assert list(back.columns) == ["section", "item", "value", "reason"]
    assert list(back["item"]) == list(table["item"])
    assert list(back["reason"]) == list(table["reason"])
    hostile = dataclasses.replace(advice, headline='=HYPERLINK("http://x")', deciding=("-1+1",))
    rows = pd.read_csv(io.StringIO(ui.advice_csv(hostile)), keep_default_na=False)
    assert rows.loc[0, "reason"] == '\'=HYPERLINK("http://x")' and rows.loc[1, "reason"] == "'-1+1"


def test_is_applied_compares_only_the_changed_fields():
    advice = expected()
    assert not ui.is_applied(advice, RETAIL)
    assert ui.is_applied(advice, replace(RETAIL, cameras=7, **advice.scenario_changes))
    assert not ui.is_applied(dataclasses.replace(advice, scenario_changes={}), RETAIL)


def test_apply_sets_the_stacks_management_fee_and_no_feedback_when_data_stays_on_site():
    at = submit(start(), privacy="on_site", cloud_platform="aws")
    assert any(c.value.startswith("Applying also sets — Management: AWS IoT Greengrass") for c in at.caption)
    at.button(key="advisor.apply").click().run()
    assert not at.exception
    scenario = at.session_state["scenario"]
    # data/management.csv: AWS IoT Greengrass, $0.16 per active core device per month
    assert (scenario.management_per_month, scenario.management_basis, scenario.feedback_percent) == (
        0.16,
        "per_device",
        0,
    )
    assert "Feedback uploads: 0 % of frames" in at.success[0].value


def test_apply_sets_the_whole_catalog_device_and_the_picker_keeps_its_source():
    # The retail preset's seed server has 1,150 kg CO₂e embodied; whatever device is applied, every field the
    # catalog fills for it (catalog.device_fields: hardware.csv and its carbon.csv row) comes from that device.
    at = submit(start())
    advice = expected()
    device_id = advice.sizing.device_id
    at.button(key="advisor.apply").click().run()
    scenario = at.session_state["scenario"]
    filled = catalog.load().device_fields(device_id)
    assert "device_embodied_kgco2e" in filled and filled["device_embodied_kgco2e"] != RETAIL.device_embodied_kgco2e
    for name, value in filled.items():
        # The throughput is the one the device sustains on this workload (derated, decode-capped), from its row.
        want = advice.sizing.per_device_ips if name == "device_throughput_ips" else value
        assert getattr(scenario, name) == want, name
    orchestration = next(c for c in advice.stack if c.layer == "orchestration")
    plan = catalog.load().management_plan(orchestration.management)  # the device family's management plan
    assert (scenario.management_per_month, scenario.management_basis) == (plan["usd_per_month"], plan["basis"])
    d = catalog.load().device(device_id)
    assert advice.sizing.per_device_ips == min(
        d["throughput_ips"] * (1 - advisor.DERATING_DEFAULT_PERCENT / 100),
        d["decode_1080p30_streams"] * RETAIL.analysed_fps,
    )
    # The device picker shows the catalog device, and its source is still cited.
    at.switch_page("pages/scenario.py").run()
    at.segmented_control(key="scenario.group").set_value("Edge").run()
    assert at.selectbox(key="scenario.device").value == device_id
    assert any(c.value.startswith(f"Source: {d['name']}: ") for c in at.caption)


def test_an_answer_the_browser_sends_without_a_value_keeps_the_answer():
    """A questionnaire box or choice sent without a value (a rerun while the page is busy) falls back to the
    widget's `value=` or `index`: the answer given, not the box's minimum or the first option."""
    at = submit(start(), response_ms=250, privacy="on_site")
    at.number_input(key="advisor.response_ms").set_value(None)
    at.selectbox(key="advisor.privacy").set_value(None)
    at.button(key="advisor.submit").click().run()
    assert not at.exception, at.exception
    assert at.number_input(key="advisor.response_ms").value == 250
    assert at.selectbox(key="advisor.privacy").value == "on_site"
