"""Page pieces shared by several pages: metric cards, headline, charts, summary, the month-1 explainer."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st

from planner.advice import advisor
from planner.catalogs.currency import to_common
from planner.exports import charts
from planner.exports.report import SIDES, Analysis, monthly_table, summary, with_totals, yearly_table
from planner.exports.tables import changes_text, summary_display
from planner.model.costs import CARBON_BY_KEY, CARBON_PRICE_KEYS, COMPONENT_BY_KEY
from planner.model.explain import carbon_month, first_month
from planner.schema.format import break_even_short, break_even_text, carbon_break_even_text, md, money, percent
from planner.schema.scenario import FIELD_BY_NAME, to_json
from planner.ui import glossary, sidebar, state
from planner.ui.glossary import formula_link
from planner.ui.inputs import field_widget, out_of_range_notice
from planner.ui.layout import stacked_below
from planner.ui.state import changed_inputs

VIEWS = {"cash": "Cash (capex when paid)", "accounting": "Accounting (depreciation)"}
CHART_CONFIG = {"displaylogo": False}


# ── First screen ───────────────────────────────────────────────────────────────────────────────────
APP_NAME = "Edge Inference Planner"


def first_steps() -> None:
    """What the app answers and its three steps, with the preset picker in the page itself (a phone hides
    the sidebar)."""
    with st.container(border=True):
        st.markdown(
            f"**{APP_NAME}** answers one question: should your camera inference run in the cloud or on "
            "hardware at the edge? It shows what each side costs month by month, when the edge hardware "
            "pays for itself, and how sure you can be."
        )
        with stacked_below("first-steps", 700):
            pick, adjust, read = st.columns(3, gap="medium")
            with pick:
                sidebar.preset_picker("scenario.preset", "① Pick a preset")
            adjust.markdown(
                "**② Adjust** the inputs below: workload, cloud prices, edge hardware, finance. The key "
                "figures follow every change."
            )
            with read:
                st.markdown("**③ Read the costs**, or ask the advisor where to run it:")
                st.page_link("pages/costs.py", label="Costs & break-even", icon="📈")
                st.page_link("pages/advisor.py", label="Architecture advisor", icon="🧭")


def scenario_caption(scenario, preset) -> str:
    """The caption under a page title: the preset's description while the scenario is the preset, what was
    changed from it once edited (the seed's '$15–20k a month … pays back in month 1' no longer holds)."""
    if changed_inputs(scenario, preset) == 0 or scenario.description != preset.description:
        return md(scenario.description or scenario.name)
    in_its_money = to_common([preset], scenario)[0][0]  # the preset's prices in the scenario's currency
    changes = changes_text(scenario, in_its_money, limit=4) or "no input changed"
    money = "" if scenario.currency == preset.currency else f"; money in {scenario.currency}"
    return md(f"Edited from the preset “{preset.name}”: {changes}{money}.")


# ── Metric cards ───────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Card:
    label: str
    value: str
    help: str
    delta: str | None = None
    color: str = "off"  # st.metric delta_color, green when the change favours the edge case


def money_delta(now: float, before: float, currency: str) -> str | None:
    return None if abs(now - before) < 0.5 else money(now - before, currency, signed=True)


def break_even_delta(now: float | None, before: float | None) -> tuple[str | None, str]:
    if now is None and before is None:
        return None, "off"
    if now is None:
        return "no longer pays back", "red"
    if before is None:
        return "now pays back", "green"
    return (None, "off") if abs(now - before) < 0.05 else (f"{now - before:+.1f} months", "inverse")


def metric_cards(a: Analysis, reference: Analysis) -> list[Card]:
    """The Scenario page's key figures, each with its change since the reference (the preset)."""
    s, r = summary(a), summary(reference)
    cur, h = s["currency"], s["horizon_months"]
    be_delta, be_color = break_even_delta(s["break_even_month"], r["break_even_month"])
    return [
        Card(
            "Cloud cost per month",
            money(s["cloud_monthly_cost"], cur),
            "Cloud bill in the first month: uplink, ingest, inference, egress and storage (the upfront payment "
            "of an instance commitment excluded). " + formula_link(glossary.CLOUD),
            money_delta(s["cloud_monthly_cost"], r["cloud_monthly_cost"], cur),
            "normal",
        ),  # dearer cloud: edge wins
        Card(
            "Edge capex",
            money(s["edge_capex"], cur),
            f"Paid at go-live: {s['edge_devices']:,} devices × (price + installation). " + formula_link(glossary.EDGE),
            money_delta(s["edge_capex"], r["edge_capex"], cur),
            "inverse",
        ),
        Card(
            "Edge cost per month",
            money(s["edge_monthly_cost"], cur),
            "Edge running cost in the first month, capex excluded: failures, management, electricity, feedback. "
            + formula_link(glossary.EDGE),
            money_delta(s["edge_monthly_cost"], r["edge_monthly_cost"], cur),
            "inverse",
        ),
        Card(
            "Break-even",
            break_even_short(s["break_even_month"], h),
            "When the edge's cumulative cost (capex included) drops below the cloud's: "
            + break_even_text(s["break_even_month"], h)
            + ". "
            + formula_link(glossary.FINANCE),
            be_delta,
            be_color,
        ),
        Card(
            f"{h}-month savings",
            money(s["savings_total"], cur),
            "Cloud total cost minus edge total cost over the horizon (cash view). " + formula_link(glossary.FINANCE),
            money_delta(s["savings_total"], r["savings_total"], cur),
            "normal",
        ),
    ]


def key_metrics(a: Analysis, reference: Analysis) -> None:
    """The key-figure cards; `reference` is the preset over the same horizon as `a` (see
    `state.reference_over`), so the savings over N months compare with the preset's over N months."""
    cards = metric_cards(a, reference)
    out_of_range_notice(a.scenario)  # a typed value these figures are not of
    with st.container(horizontal=True):  # cards wrap onto another row rather than cut a figure short ("$1,19…")
        for card in cards:
            st.metric(
                card.label,
                card.value,
                card.delta,
                card.color,
                help=card.help,
                border=True,
                height="stretch",
                delta_arrow="off" if card.color in ("red", "green") else "auto",
            )
    if any(card.delta for card in cards):
        st.caption(
            md(
                f"Arrows show the change since the preset “{reference.scenario.name}” over the same "
                f"{reference.scenario.horizon_months}-month horizon; green is better for the edge case."
            )
        )


def capacity_warning(a: Analysis) -> None:
    """A warning, with the formula, when the devices priced cannot carry the load (`advisor.capacity`)."""
    text = advisor.capacity_warning(a.capacity())
    if text:
        st.warning(md(text), icon="⚠️")


# ── Headline and charts ────────────────────────────────────────────────────────────────────────────
def headline(a: Analysis, view: str = "cash") -> str:
    """'**Pays back in month 1 (0.6 months).** Over 36 months the edge saves $618,465 (NPV …, ROI …).'"""
    s, cur = summary(a, view), a.scenario.currency
    saving = s["savings_total"]
    verb = (
        f"saves {money(saving, cur)} compared with the cloud"
        if saving >= 0
        else f"costs {money(-saving, cur)} more than the cloud"
    )
    return f"**{md(charts.curves(a, view).headline)}.** " + md(
        f"Over {s['horizon_months']} months the edge {verb} (NPV of savings {money(s['npv_savings'], cur)}, "
        f"ROI {percent(s['roi_percent'])})."
    )


def cumulative_chart(a: Analysis, view: str = "cash", height: int = 420) -> None:
    st.plotly_chart(figure("cumulative", to_json(a.scenario), view, height), config=CHART_CONFIG)


def components_chart(a: Analysis, side: str, view: str, height: int = 400) -> None:
    st.plotly_chart(figure("components", to_json(a.scenario), view, height, side), config=CHART_CONFIG)


COST_CHARTS = ("Cumulative cost", "Cost per month by component")  # the Costs page's chart tabs


def cost_charts(a: Analysis, view: str) -> None:
    """The Costs page's charts in two tabs: the cumulative costs, or each side's monthly cost by component side by
    side. Only the open tab's charts are built (as the carbon charts): on a change of view or of an input, each
    chart redrawn costs the browser about as much as the whole one-slider app (`make bench-ui`)."""
    cumulative, components = st.tabs(COST_CHARTS, key="costs.chart", on_change="rerun")
    if cumulative.open:
        with cumulative:
            cumulative_chart(a, view)
    if components.open:
        with components:
            for column, side in zip(st.columns(2, gap="large"), ("cloud", "edge")):
                with column:
                    components_chart(a, side, view)


@st.cache_resource(max_entries=256, show_spinner=False)
def figure(kind: str, scenario_json: str, view: str, height: int, side: str = "") -> go.Figure:
    """A figure of a scenario ('cumulative', or 'components' of one side), built once per server process
    for each scenario, view and size, so page switches and view toggles draw it without rebuilding it.
    Shared by every session with that exact scenario and never changed (st.plotly_chart copies it)."""
    a = state.analysis_of_json(scenario_json)  # the same cache entry the page already filled
    if kind == "cumulative":
        return charts.cumulative_figure(charts.curves(a, view), height=height)
    return charts.components_figure(monthly_table(a, view), side, view, a.scenario.currency, height)


def view_switch(key: str) -> str:
    """Cash vs accounting view (kept for the session, across page switches)."""
    return st.segmented_control(
        "View",
        list(VIEWS),
        format_func=VIEWS.get,
        default="cash",
        required=True,
        key=key,
        persist_state="session",
        help="Cash: hardware and installation are paid when bought. Accounting: they are spread over the "
        "useful life as depreciation.",
    )


def summary_table(a: Analysis, view: str) -> None:
    st.table(table("summary", to_json(a.scenario), view), hide_index=True)


def table(kind: str, scenario_json: str, view: str):
    """A table of a scenario: 'monthly' and 'yearly' with their totals rows (`report.with_totals`), 'summary' as
    read (`tables.summary_display`, whose capacity rows read the catalog)."""
    return _table(kind, scenario_json, view, state.catalog_version())


@st.cache_resource(max_entries=256, show_spinner=False)
def _table(kind: str, scenario_json: str, view: str, catalog_version: str):
    """The cache behind `table`: built once per server process for each scenario, view and catalog (as `figure`,
    and never changed either)."""
    a = state.analysis_of_json(scenario_json)
    if kind == "summary":
        return summary_display(a, view)
    return with_totals({"monthly": monthly_table, "yearly": yearly_table}[kind](a, view))


# ── Carbon ─────────────────────────────────────────────────────────────────────────────────────────
def carbon_cards(a: Analysis, view: str) -> list[Card]:
    """Tonnes of both sides over the horizon, what the edge avoids, and the carbon break-even."""
    s = summary(a, view)
    h = s["horizon_months"]

    def tonnes(kg):
        return f"{kg / 1000:,.1f} t CO₂e"

    return [
        Card(
            f"Cloud, {h} months",
            tonnes(s["cloud_kgco2e_total"]),
            "Inference energy, network energy and the cloud hardware's embodied share over the horizon. "
            + formula_link(glossary.CARBON),
        ),
        Card(
            f"Edge, {h} months",
            tonnes(s["edge_kgco2e_total"]),
            "Device energy, the devices' embodied emissions ("
            + ("when bought" if view == "cash" else "spread over their life")
            + ") and failure replacements. "
            + formula_link(glossary.CARBON),
        ),
        Card(
            "Avoided by the edge",
            tonnes(s["kgco2e_avoided_total"]),
            "Cloud minus edge emissions over the horizon (negative: the edge emits more). "
            + formula_link(glossary.CARBON),
        ),
        Card(
            "Carbon break-even",
            break_even_short(s["carbon_break_even_month"], h),
            "When the edge's lower operating emissions have paid back the embodied emissions of its devices "
            f"(counted when bought): {carbon_break_even_text(s['carbon_break_even_month'], h)}. "
            + formula_link(glossary.CARBON),
        ),
    ]


def carbon_section(a: Analysis, view: str) -> None:
    """Emissions of both sides: cards, per-month and cumulative charts, the internal carbon price input."""
    st.subheader("Carbon")
    st.caption(
        "Location-based emissions in kg CO₂e, from the coefficients in the Carbon inputs (sources in "
        "data/carbon.csv). "
        + (
            "Devices count when bought (cash view)."
            if view == "cash"
            else "Devices are spread over their useful life (accounting view)."
        )
    )
    with st.container(horizontal=True):
        for card in carbon_cards(a, view):
            st.metric(card.label, card.value, help=card.help, border=True, height="stretch")
    # One chart at a time, the other built only when its tab is picked (as `cost_charts`).
    tabs = st.tabs(list(CARBON_CHARTS), key="costs.carbon_chart", on_change="rerun")
    for tab, index in zip(tabs, CARBON_CHARTS.values()):
        if tab.open:
            tab.plotly_chart(carbon_figure(to_json(a.scenario), view)[index], config=CHART_CONFIG)
    be, h = summary(a, view)["carbon_break_even_month"], a.scenario.horizon_months
    st.caption(
        md(
            f"The edge {carbon_break_even_text(be, h)}"
            + (
                "."
                if view == "cash" or be is None
                else " (devices counted when bought; this view spreads them over their life)."
            )
        )
    )
    price_col, note = st.columns([1, 2], gap="large", vertical_alignment="bottom")
    with price_col:
        field_widget(FIELD_BY_NAME["carbon_price_per_tonne"], a.scenario, "costs")
    price = a.scenario.carbon_price_per_tonne
    note.caption(
        md(
            f"With a price, each side's emissions cost tonnes × {money(price, a.scenario.currency)}: the "
            "*Carbon price* components in the charts and tables above."
            if price
            else "An internal carbon price turns each side's emissions into a cost component (tonnes × price); "
            "at 0 no money figure changes."
        )
    )


CARBON_CHARTS = {"Cumulative emissions": 1, "Emissions per month": 0}  # tab → index in `carbon_figure`'s pair


@st.cache_resource(max_entries=64, show_spinner=False)
def carbon_figure(scenario_json: str, view: str):
    """The two carbon figures of a scenario, built once per server process (as `figure`)."""
    return charts.carbon_figures(state.analysis_of_json(scenario_json), view)


# ── Month-1 explainer ──────────────────────────────────────────────────────────────────────────────
INSTANCE_ONLY = ("commitment_upfront", "commitment_spread")  # components only cloud GPU instances have


def explain_first_month(a: Analysis, view: str, key: str) -> None:
    """Each component's formula with the scenario's numbers put in, so a reader can check it by hand."""
    cur = a.scenario.currency
    box = st.expander("How each figure is computed (month 1, with this scenario's numbers)", key=key, on_change="rerun")
    if not box.open:  # drawn only when open: a closed expander costs nothing on a rerun
        return
    steps = first_month(a.scenario)
    instances = a.scenario.inference_pricing == "instances"
    with box:
        st.caption(
            "Each line is a bill a finance team can match: the formula from the cost model, then the same "
            "with this scenario's figures. Later months apply growth and price changes."
        )
        priced = a.scenario.carbon_price_per_tonne > 0
        for side, title in SIDES.items():
            st.markdown(f"##### {title}")
            counted = 0.0
            for step in (
                s
                for s in steps
                if s.side == side
                and (s.key not in INSTANCE_ONLY or instances)
                and (priced or s.key not in CARBON_PRICE_KEYS)
            ):
                views = COMPONENT_BY_KEY[step.key].views
                only = "" if view in views else f" · not in the {view} view"
                counted += step.value if view in views else 0.0
                st.markdown(f"**{md(step.label)}** — {md(money(step.value, cur, decimals=2))}{only}")
                st.code(f"{step.formula}\n= {step.arithmetic}", language=None, wrap_lines=True)
            st.markdown(f"**{title} total, month 1 ({view} view): {md(money(counted, cur, decimals=2))}**")
        st.markdown("##### Carbon")
        st.caption("Each emissions line in kg CO₂e: the formula, then the same with this scenario's figures.")
        for step in carbon_month(a.scenario, 0):
            views = CARBON_BY_KEY[step.key].views
            only = "" if view in views else f" · not in the {view} view"
            st.markdown(f"**{md(SIDES[step.side])}: {md(step.label)}** — {step.value:,.2f} kg CO₂e{only}")
            st.code(f"{step.formula}\n= {step.arithmetic}", language=None, wrap_lines=True)
