"""The screens a first-time reviewer found wanting (issue 11, items 9–13), without a browser: what the
key-figure arrows mean and what they compare with, fields that show the figure the costs use, typed
inputs, sources of catalog figures on screen and in every export, the first screen, and the smaller
slips. Browser checks of the same items are in test_browser_screens.py.

Expected figures come from the planner core (`analyse_one`, the catalog), as the CLI reports them.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from app_support import start
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from planner.catalogs import catalog
from planner.exports import charts, sensitivity, tables
from planner.exports.report import analyse_one, monthly_table, read_report_section, report_csv, summary, summary_json
from planner.exports.sensitivity import tornado_order
from planner.model import risk
from planner.schema.format import break_even_text, money, months, number_text
from planner.schema.scenario import FIELD_BY_NAME, replace, to_json
from planner.ui.sensitivity import tornado_table

pytestmark = pytest.mark.app

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
RETAIL = catalog.preset("retail")
CAT = catalog.load()
EDITED = f"{RETAIL.name} (edited)"


def show(at: AppTest, group: str) -> None:
    at.segmented_control(key="scenario.group").set_value(group).run()


def metric(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


def color(card) -> str:
    return MetricProto.MetricColor.Name(card.proto.color)


def shown(widget) -> str:
    """A number field's text as the browser prints it: its printf format applied to its value."""
    return widget.proto.format % widget.value


# ── 9. Arrows mean what the caption says; savings compare over the same horizon ────────────────────
def test_a_dearer_cloud_is_green_as_the_caption_says_and_dearer_edge_hardware_red():
    at = start()
    at.number_input(key="scenario.cameras").set_value(80).run()
    assert any("green is better for the edge case" in c.value for c in at.caption)
    cloud = metric(at, "Cloud cost per month")
    assert cloud.delta.startswith("+") and color(cloud) == "GREEN"  # the cloud got dearer: good for the edge case
    show(at, "Edge")
    at.number_input(key="scenario.device_price").set_value(3_000.0).run()
    capex = metric(at, "Edge capex")
    assert capex.delta.startswith("+") and color(capex) == "RED"  # the edge got dearer: bad for it


def test_the_savings_delta_compares_with_the_preset_over_the_same_horizon():
    at = start()
    show(at, "Finance")
    at.number_input(key="scenario.horizon_months").set_value(48).run()
    now = summary(analyse_one(replace(RETAIL, horizon_months=48)))
    preset_48 = summary(analyse_one(replace(RETAIL, horizon_months=48)))
    card = metric(at, "48-month savings")
    assert card.value == money(now["savings_total"])
    assert not card.delta  # the same inputs over the same 48 months: no change (not +12 months' worth)
    show(at, "Workload")
    at.number_input(key="scenario.cameras").set_value(60).run()
    changed = summary(analyse_one(replace(RETAIL, horizon_months=48, cameras=60)))
    card = metric(at, "48-month savings")
    assert card.delta == money(changed["savings_total"] - preset_48["savings_total"], signed=True)
    assert any("same 48-month horizon" in c.value for c in at.caption)


# ── 10. Fields show the figure computed with; precision inputs are typed and say their range ───────
@pytest.mark.parametrize(
    "device, field, text", [("coral-usb", "device_price", "159.99"), ("hailo-8-m2", "device_watts", "17.5")]
)
def test_a_catalog_figure_shows_as_it_is_computed_with(device, field, text):
    at = start()
    show(at, "Edge")
    at.selectbox(key="scenario.device").set_value(device).run()
    assert str(getattr(at.session_state["scenario"], field)) == text
    assert shown(at.number_input(key=f"scenario.{field}")) == text


def test_a_fee_of_cents_shows_its_cents():
    at = start()
    show(at, "Edge")
    at.selectbox(key="scenario.management").set_value("aws-iot-greengrass").run()
    assert shown(at.number_input(key="scenario.management_per_month")) == "0.16"


@pytest.mark.parametrize(
    "group, field, value",
    [
        ("Workload", "analysed_fps", 10.0),
        ("Finance", "discount_percent_per_year", 7.25),
        ("Edge", "electricity_per_kwh", 0.1234),
        ("Finance", "horizon_months", 61),
    ],
)
def test_precision_inputs_are_typed_and_their_help_gives_the_range(group, field, value):
    at = start()
    show(at, group)
    box = at.number_input(key=f"scenario.{field}")  # a field to type in, not a slider
    box.set_value(value).run()
    assert getattr(at.session_state["scenario"], field) == value
    spec = FIELD_BY_NAME[field]
    assert f"Allowed: {number_text(spec.min)} to {number_text(spec.max)}" in box.help


# ── 11. Catalog figures show their source and date, on screen and in every export ──────────────────
def test_each_picker_shows_the_source_and_date_of_its_figures_until_they_are_edited():
    at = start(p="oil_gas")
    device = CAT.device(catalog.preset("oil_gas").device_id)
    fee = next(m for m in CAT.management if m["id"] == "aws-iot-greengrass")
    show(at, "Edge")
    notes = [c.value for c in at.caption if "Source:" in c.value]
    assert any(device["as_of"] in n and "Excelfore cost" in n for n in notes), notes
    assert any(fee["as_of"] in n and "Greengrass" in n for n in notes), notes
    at.number_input(key="scenario.device_price").set_value(2_100.0).run()
    assert any(c.value == "Custom figures: no catalog source." for c in at.caption)
    show(at, "Cloud")
    assert any("Source:" in c.value and "2026-03-02" in c.value and "Rekognition" in c.value for c in at.caption)


def test_every_export_carries_the_sources_and_dates():
    oil_gas = catalog.preset("oil_gas")
    device = CAT.device(oil_gas.device_id)
    a = analyse_one(oil_gas)
    assumptions = read_report_section(report_csv(a), "Assumptions").set_index("field")
    for field in ("device_price", "device_watts", "device_throughput_ips", "device_id"):
        assert assumptions.loc[field, "as_of"] == device["as_of"]
        assert assumptions.loc[field, "source"].startswith(f"{device['name']}: {device['source']}")
    assert assumptions.loc["management_per_month", "as_of"] == "2026-10-07"
    assert pd.isna(assumptions.loc["cameras", "source"])  # not from the catalog
    sources = json.loads(summary_json(a))["sources"]
    assert {
        "fields": ["device_id", "device_price", "device_watts", "device_throughput_ips"],
        "entry": device["name"],
        "source": device["source"],
        "as_of": device["as_of"],
        "estimate": device["estimate"],
    } in sources
    table = subprocess.run(
        [sys.executable, "-m", "planner", "report", "--preset", "oil_gas"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"Edge device — {device['name']}: " in table and f"(as of {device['as_of']})" in table
    comparison = tables.comparison_csv([a, analyse_one(RETAIL)])
    assert "Sources of the catalog figures" in comparison and device["as_of"] in comparison


def test_the_sensitivity_csvs_say_where_their_catalog_figures_come_from():
    oil_gas = catalog.preset("oil_gas")
    device = CAT.device(oil_gas.device_id)
    text = sensitivity.tornado_csv(risk.tornado(oil_gas, percent=20), oil_gas, "cash", 20)
    head = list(csv.reader(io.StringIO(text.split("\n\n", 1)[0])))
    assert [
        "source: device_id device_price device_watts device_throughput_ips",
        f"{device['name']}: {device['source']}; estimate: {device['estimate']}",
        device["as_of"],
    ] in head


# ── 12. The first screen: name, question, three steps, a preset picker in the page ─────────────────
def test_the_first_screen_names_the_app_and_its_three_steps_with_a_picker_in_the_page():
    at = start()
    text = " ".join(m.value for m in at.main.markdown)
    assert "**Edge Inference Planner** answers one question" in text
    assert "**② Adjust**" in text and "**③ Read the costs**" in text
    picker = at.main.selectbox(key="scenario.preset")  # in the page, not only in the sidebar
    assert picker.label == "① Pick a preset"
    picker.set_value("vessel").run()
    assert at.session_state["scenario"] == catalog.preset("vessel")
    assert at.sidebar.selectbox(key="sidebar.preset").value == "vessel"
    assert metric(at, "Cloud cost per month").value == money(
        summary(analyse_one(catalog.preset("vessel")))["cloud_monthly_cost"]
    )


# ── 13. Smaller slips ──────────────────────────────────────────────────────────────────────────────
def test_a_payback_within_days_reads_the_same_in_the_headline_and_the_table():
    quick = analyse_one(replace(RETAIL, device_price=50, install_per_device=0))  # $250 against $17,724 a month
    month = summary(quick)["break_even_month"]
    assert 0 < month < 1 / 30
    assert break_even_text(month, 36) == "pays back in month 1 (within a day)"
    table = tables.summary_display(quick).set_index("Metric")["Value"]
    assert table["Break-even"] == "within a day" and table["Payback (cash)"] == "within a day"  # never "0 months"
    assert break_even_text(1.2 / 30.4375, 36) == "pays back in month 1 (after 1 day)"  # not "1 days"
    assert months(0.6) == "18 days" and months(2.44) == "2.4 months"


def test_the_tornado_custom_grid_shows_blank_values_as_the_range_they_stand_for():
    at = start()
    at.switch_page("pages/sensitivity.py").run()
    grid = next(e for e in at.main if type(e).__name__ == "Dataframe")
    assert grid.proto.placeholder == "±20%"  # not "None"


def test_the_break_even_tornado_zooms_to_its_bars_when_every_one_pays_back():
    scenario = replace(RETAIL, device_price=500, install_per_device=50)
    table = tornado_table(to_json(scenario), "cash", 20.0)
    shown_rows, _ = tornado_order(table, "break_even", 36)
    base = summary(analyse_one(scenario))["break_even_month"]
    latest = max(base, shown_rows["break_even_low"].max(), shown_rows["break_even_high"].max())
    assert latest < 1.2
    fig = charts.tornado_figure(shown_rows, "break_even", base, 36, "USD")
    low, high = fig.layout.xaxis.range
    assert low == 0 and latest < high < 1.5  # not 0–36 months with every bar squeezed at 0
    never = charts.tornado_figure(shown_rows.assign(break_even_high=np.nan), "break_even", base, 36, "USD")
    assert "Never" in never.layout.xaxis.ticktext[-1]  # a bar that never pays back keeps the 'Never' tick


@pytest.mark.parametrize("side", ["cloud", "edge"])
def test_the_first_and_last_months_are_drawn_whole(side):
    table = monthly_table(analyse_one(RETAIL))
    fig = charts.components_figure(table, side, "cash", "USD")
    start_x, end_x = fig.layout.xaxis.range
    for trace in fig.data:
        x, y = np.asarray(trace.x, float), np.asarray(trace.y, float)
        assert x[0] <= start_x == 0.5 and x[-1] >= end_x == 36.5
        assert y[0] == y[1] and y[-1] == y[-2]  # month 1 and month 36 held across their whole width


def test_one_colour_means_one_component_in_every_cost_chart():
    a = analyse_one(RETAIL)
    colours: dict[str, set[str]] = {}
    for view in ("cash", "accounting"):
        for side in ("cloud", "edge"):
            for trace in charts.components_figure(monthly_table(a, view), side, view, "USD").data:
                colours.setdefault(trace.line.color, set()).add(trace.name)
    assert all(len(names) == 1 for names in colours.values()), colours


def test_the_sensitivity_page_shows_a_busy_indicator_while_it_loads():
    at = start()
    with mock.patch.object(st, "spinner", wraps=st.spinner) as spinner:
        at.switch_page("pages/sensitivity.py").run()
    assert not at.exception
    assert any("Loading the sensitivity tools" in str(call.args[:1]) for call in spinner.call_args_list)
    assert isinstance(tornado_table._info.show_spinner, str)  # a slow first tornado says so too


def test_the_name_field_has_no_counter_over_it_and_a_long_name_is_cut_with_a_warning():
    at = start()
    name = at.sidebar.text_input(key="sidebar.name")
    assert not name.proto.max_chars  # no "12/120" drawn over the text
    name.set_value("N" * 130).run()
    assert at.session_state["scenario"].name == "N" * 120
    assert any("at most 120 characters" in w.value for w in at.warning)


def test_a_preset_name_is_marked_edited_once_an_input_differs():
    at = start()
    at.number_input(key="scenario.cameras").set_value(120).run()
    assert at.session_state["scenario"].name == EDITED
    assert at.sidebar.text_input(key="sidebar.name").value == EDITED
    at.number_input(key="scenario.cameras").set_value(50).run()  # back to the preset's inputs
    assert at.session_state["scenario"].name == RETAIL.name
    at.sidebar.text_input(key="sidebar.name").set_value("Store 12").run()
    at.number_input(key="scenario.cameras").set_value(80).run()
    assert at.session_state["scenario"].name == "Store 12"  # a name the user gave is kept


# ── Issue 29 item 4: inputs of an option not chosen are not offered ────────────────────────────────
def _widget(at: AppTest, name: str):
    key = f"scenario.{name}"
    return next(w for kind in (at.slider, at.number_input, at.radio) for w in kind if w.key == key)


def test_inputs_of_a_commitment_or_billing_not_chosen_are_greyed_out():
    on_demand = replace(
        RETAIL, inference_pricing="instances", instance_commitment="on_demand", instance_billing="always_on"
    )
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    at.session_state["scenario"] = on_demand
    at.run()
    show(at, "Cloud")
    idle = (
        "instance_committed_per_hour",
        "instance_upfront",
        "instance_partial_upfront_percent",
        "instance_spot_per_hour",
        "instance_spot_interruption_percent",
        "instance_warmup_hours_per_day",
    )
    assert [name for name in idle if not _widget(at, name).disabled] == []
    assert not _widget(at, "instance_per_hour").disabled and not _widget(at, "instance_commitment").disabled
    assert "Used when *Instance commitment* is *Spot / preemptible*." in _widget(at, "instance_spot_per_hour").help
    _widget(at, "instance_commitment").set_value("spot").run()
    assert not _widget(at, "instance_spot_per_hour").disabled
    assert not _widget(at, "instance_spot_interruption_percent").disabled
    assert _widget(at, "instance_committed_per_hour").disabled
    _widget(at, "instance_billing").set_value("scale_to_zero").run()
    assert not _widget(at, "instance_warmup_hours_per_day").disabled


# ── Issue 29 item 3: converted money reads like money in the fields ────────────────────────────────
def test_converted_money_fields_show_price_list_precision_and_keep_the_exact_value():
    from planner.catalogs import currency
    from planner.schema.format import price_text

    eur = currency.convert(RETAIL, "EUR")
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    at.session_state["scenario"] = eur
    at.run()
    show(at, "Edge")
    price = _widget(at, "device_price")
    assert price.value == eur.device_price  # the exact conversion, used by the costs
    assert shown(price) == price_text(eur.device_price).replace(",", "")  # '1723.10', not '1723.098'
    show(at, "Cloud")
    uplink = _widget(at, "uplink_per_gb")
    assert shown(uplink) == price_text(eur.uplink_per_gb)  # '0.008615', 4 significant figures


# ── Issue 29 item 2: once edited, the preset's caption goes ────────────────────────────────────────
def test_an_edited_preset_loses_the_presets_caption_and_says_what_changed():
    from planner.catalogs import currency

    at = AppTest.from_file(str(APP), default_timeout=30).run()
    from planner.schema.format import md

    assert any(c.value == md(RETAIL.description) for c in at.caption)  # the preset as it is
    bigger = currency.convert(replace(RETAIL, cameras=120, inference_pricing="instances"), "EUR")
    at.session_state["scenario"] = bigger
    at.run()
    captions = [c.value for c in at.caption]
    assert not any("15,000" in c or "pays back in month 1" in c for c in captions), captions
    edited = next(c for c in captions if c.startswith("Edited from the preset"))
    assert "Cameras 120" in edited and "Inference pricing GPU instances" in edited and edited.endswith("money in EUR.")
    assert "0.0086" not in edited  # converted prices are not changes of the work


# ── Issue 29 item 9: two variants of one preset get labels that tell them apart ────────────────────
def test_a_preset_and_its_edited_variant_get_distinct_labels_in_the_comparison():
    at = start()
    at.switch_page("pages/compare.py").run()
    at.button(key="compare.add").click().run()  # the preset as it is
    at.switch_page("pages/scenario.py").run()
    at.number_input(key="scenario.cameras").set_value(120).run()  # now 'Retail store — … (seed article) (edited)'
    at.switch_page("pages/compare.py").run()
    at.button(key="compare.add").click().run()
    assert not at.exception, at.exception
    removes = [b.label.removeprefix("✕ ") for b in at.button if b.key and b.key.startswith("compare.remove.")]
    assert removes == ["#1 Retail store — 50 cameras (seed art…", "#2 Retail store — 50 c… · Cameras 120"]
    texts = [label.split(" ", 1)[1] for label in removes]  # without the number, they still differ
    assert len(set(texts)) == 2
    assert list(at.table[0].value.columns)[1:] == removes  # the results' columns, the chart's legend alike
