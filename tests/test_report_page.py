"""The printable report: its tables and figures built from the engine (planner/ui/printable.py), and the
Report page in the app (AppTest). The printed PDF itself is checked in tests/test_browser_report.py."""

from __future__ import annotations

import math
import re

import pytest
from app_support import start

from planner.advice import advisor
from planner.catalogs import catalog
from planner.exports import printable
from planner.exports.report import analyse_one, monthly_table, sources, summary
from planner.schema.format import money
from planner.schema.scenario import FIELDS, TIER_SCHEDULES, applies, replace

pytestmark = pytest.mark.unit

PRESETS = sorted(catalog.presets())
RETAIL = catalog.preset("retail")


def cells(html: str) -> list[list[str]]:
    """The rows of every table in `html`, as the text of their cells (entities decoded)."""
    import html as html_module

    return [
        [html_module.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html)
    ]


# ── Tables ─────────────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("preset", PRESETS)
def test_the_yearly_rows_are_twelve_month_sums_of_the_monthly_table(preset):
    a = analyse_one(catalog.preset(preset))
    cur, monthly = a.scenario.currency, monthly_table(a)
    header, rows = printable.yearly_rows(a)
    h = a.scenario.horizon_months
    assert len(rows) == math.ceil(h / 12) + 1 and rows[-1][0] == "Total"
    cumulative = 0.0
    for year, row in enumerate(rows[:-1], start=1):
        first, last = 12 * (year - 1) + 1, min(12 * year, h)
        months = monthly[(monthly["month"] >= first) & (monthly["month"] <= last)]
        cloud = months[f"Cloud total [{cur}]"].sum()
        edge = months[f"Edge total [{cur}]"].sum()
        cumulative += cloud - edge
        assert row[:3] == [str(year), f"{first}–{last}", money(cloud, cur)]
        assert row[5:] == [money(edge, cur), money(cloud - edge, cur), money(cumulative, cur)]
    assert rows[-1][2] == money(monthly[f"Cloud total [{cur}]"].sum(), cur)
    assert rows[-1][-1] == money(cumulative, cur)  # a running total shows where it ends, not a sum


def test_key_figures_are_the_engines_written_as_the_app_writes_them():
    s = summary(analyse_one(RETAIL))
    figures = {f.label: f.value for f in printable.key_figures(analyse_one(RETAIL))}
    assert figures["Cloud cost per month"] == f"${s['cloud_monthly_cost']:,.0f}"
    assert figures["Edge capex"] == f"${s['edge_capex']:,.0f}"
    assert figures["36-month savings"] == f"${s['savings_total']:,.0f}"
    assert figures["Break-even"] == f"Month {math.ceil(s['break_even_month'])}"
    never = replace(RETAIL, device_price=1_000_000, name="Never pays back")
    figures = {f.label: f.value for f in printable.key_figures(analyse_one(never))}
    assert figures["Break-even"] == "Not by month 36"
    assert figures["IRR"] == f"{summary(analyse_one(never))['irr_percent']:.1f} %"
    free = replace(RETAIL, device_price=0, install_per_device=0, name="No capex")
    assert {f.label: f.value for f in printable.key_figures(analyse_one(free))}["IRR"] == "Undefined"


def test_long_lists_are_split_in_two_tables_of_half_the_rows():
    rows = [[f"label {i}", str(i)] for i in range(47)]
    tables = re.findall(r"<table.*?</table>", printable.paired_html(["Input", "Value"], rows))
    assert [len(cells(t)) - 1 for t in tables] == [24, 23]  # header row not counted
    assert [r for t in tables for r in cells(t)[1:]] == rows


def test_every_input_is_listed_with_a_reference_to_its_source():
    a = analyse_one(RETAIL)
    html = printable.assumptions_html(a)
    rows = [r for r in cells(html) if r != ["Input", "Value", "Source"]]
    labels = [r[0] for r in rows]
    # retail pays per image: the serverless and GPU-instance inputs cannot move its figures and are left out
    left_out = {spec.label for spec in FIELDS if spec.name.startswith(("serverless_", "instance_"))}
    assert len(left_out) == 17 and not left_out & set(labels)
    assert labels == (
        [spec.label for spec in FIELDS if applies(RETAIL, spec.name)]
        + [text.replace("{cur}", "USD") for text in TIER_SCHEDULES.values()]
    )
    found = sources(RETAIL)
    assert found, "the retail preset's device and prices come from the catalog"
    by_label = {r[0]: r for r in rows}
    device_price = next(spec for spec in FIELDS if spec.name == "device_price")
    number = next(i for i, p in enumerate(found, start=1) if "device_price" in p.fields)
    assert by_label[device_price.label][1:] == [f"{RETAIL.device_price:,.0f} {RETAIL.currency}/device", f"[{number}]"]
    assert html.count("<li>") == len(found)
    cameras = next(spec for spec in FIELDS if spec.name == "cameras")
    assert by_label[cameras.label] == [cameras.label, f"{RETAIL.cameras} cameras", ""]


def test_a_gpu_instance_scenario_lists_its_instance_inputs_and_not_the_per_image_or_serverless_ones():
    gpu = catalog.preset("smart_city_gpu")
    labels = [r[0] for r in cells(printable.assumptions_html(analyse_one(gpu)))]
    label = {spec.name: spec.label for spec in FIELDS}
    assert gpu.inference_pricing == "instances"
    assert label["instance_per_hour"] in labels and label["instance_commitment"] in labels
    assert label["serverless_per_gb_second"] not in labels


def test_user_text_is_escaped_never_markup():
    name = '<img src=x onerror="alert(1)"> & <b>bold</b>'
    a = analyse_one(replace(RETAIL, name=name))
    html = printable.block(printable.assumptions_html(a) + printable.yearly_html(a))
    assert "<img" not in html and "<b>" not in html
    assert printable.escape(name) == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"


def test_advice_lists_placement_verdict_factors_sizing_and_stack():
    answers = advisor.answers(**{q.name: q.default for q in advisor.QUESTIONS})
    advice = advisor.advise(answers, RETAIL)
    html = printable.advice_html(advice, applied=False, currency="USD")
    placement = advisor.PLACEMENT_TEXT[advice.placement]
    assert f"<b>{printable.escape(placement)}</b>" in html
    assert html.count(placement) == 1  # said once, not again in the verdict
    assert all(printable.escape(reason) in html for reason in advice.deciding)
    assert [r[:2] for r in cells(html)[1:]] == [[c.layer.capitalize(), c.name] for c in advice.stack]
    assert "Not applied" in html
    assert "The costs in this report are of this deployment" in printable.advice_html(advice, True, "USD")


def test_figures_fit_the_printable_width_of_a4_and_letter():
    a = analyse_one(RETAIL)
    a4_px = (210 - 2 * printable.MARGIN_MM) / 25.4 * 96  # the narrower of the two papers
    for figure in (
        printable.cumulative_figure(a),
        printable.components_figure(a, "cloud"),
        printable.components_figure(a, "edge"),
    ):
        assert figure.layout.width == printable.FIGURE_WIDTH_PX <= a4_px
        assert figure.layout.legend.x in (0, 1.02) and (figure.layout.legend.y > 1 or figure.layout.legend.x > 1)
        assert figure.layout.title.text is None  # the heading above it says it


# ── The page ───────────────────────────────────────────────────────────────────────────────────────
def report_html(at) -> str:
    return "".join(h.proto.body for h in at.get("html"))


@pytest.mark.parametrize("preset", PRESETS)
def test_the_report_page_shows_every_year_and_no_advice_before_it_is_asked_for(preset):
    at = start(p=preset)
    at.switch_page("pages/report.py").run()
    assert not at.exception
    html = report_html(at)
    a = analyse_one(catalog.preset(preset))
    _, rows = printable.yearly_rows(a)
    assert all(row in cells(html) for row in rows)
    assert "Architecture advice" not in html
    assert len(at.get("plotly_chart")) == 3


def test_the_report_follows_the_costs_view_and_shows_the_advice_of_the_session():
    at = start(p="retail")
    at.session_state["costs.view"] = "accounting"
    at.session_state["advisor.answers"] = {q.name: q.default for q in advisor.QUESTIONS}
    at.switch_page("pages/report.py").run()
    assert not at.exception
    html = report_html(at)
    assert "Accounting (depreciation) view" in html
    _, rows = printable.yearly_rows(analyse_one(RETAIL), "accounting")
    assert all(row in cells(html) for row in rows)
    assert rows != printable.yearly_rows(analyse_one(RETAIL), "cash")[1]
    assert "Architecture advice" in html


def test_the_report_prints_your_cloud_design_and_the_cheapest_the_uplink_carries():
    from planner.exports.report import cloud_designs
    from planner.model import designs

    options = cloud_designs(RETAIL, 100)
    html = printable.cheapest_cloud_html(options)
    rows = cells(html)
    cheapest = designs.apply(RETAIL, options.changes[options.cheapest])
    own = designs.apply(RETAIL, options.changes[options.current])  # its 200 Mbps of video buy business fibre
    mine, best = summary(analyse_one(own)), summary(analyse_one(cheapest))
    assert rows[1][:3] == [
        "Your cloud design",
        designs.design_text(RETAIL) + " (with a link upgrade: $500 installation, $225 a month)",
        money(mine["cloud_total_cost"]),
    ]
    assert rows[2] == [
        "Cheapest feasible",
        designs.design_text(cheapest),
        money(best["cloud_total_cost"]),
        "does not pay back within 36 months",
        money(best["npv_savings"]),
    ]
    assert "What the site uploads: Full video streams → Analysed frames only" in html
    at = start(p="retail")
    at.switch_page("pages/report.py").run()
    assert not at.exception and html in report_html(at)
