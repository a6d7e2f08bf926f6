"""Costs & break-even: cumulative cost curves, monthly cost by component, finance summary, month-1 arithmetic."""

import streamlit as st

from planner.exports.report import summary
from planner.schema.format import IRR_SHOWN_UP_TO_PERCENT, break_even_short, irr_text, money
from planner.schema.scenario import to_json
from planner.ui import cloud_designs, downloads, glossary, inputs, pieces, state
from planner.ui.glossary import formula_link

analysis = state.analysis(state.current())
currency = analysis.scenario.currency


def irr_short(irr_percent, note=None):
    """Card text: '18.2 %', '> 1,000 %', 'Several' or 'Undefined' (the full sentence is in the card's help)."""
    if irr_percent is None:
        return (
            f"> {IRR_SHOWN_UP_TO_PERCENT:,.0f} %"
            if note and note.startswith("over")
            else "Several"
            if note and note.startswith("several")
            else "Undefined"
        )
    return f"> {IRR_SHOWN_UP_TO_PERCENT:,.0f} %" if irr_percent > IRR_SHOWN_UP_TO_PERCENT else f"{irr_percent:.1f} %"


def money_columns(table):
    return {
        c: st.column_config.NumberColumn(format="accounting" if c.endswith(f"[{currency}]") else "localized")
        for c in table.columns[1:]
        if c != "Months"
    }


st.title("Costs & break-even")
view = pieces.view_switch("costs.view")
st.markdown(pieces.headline(analysis, view))
pieces.capacity_warning(analysis)
figures = summary(analysis, view)
cards = (
    (
        "NPV of savings",
        money(figures["npv_savings"], currency),
        f"Savings discounted at {analysis.scenario.discount_percent_per_year:g} %/year: {figures['discounting']}. "
        + formula_link(glossary.FINANCE),
    ),
    (
        "IRR",
        irr_short(figures["irr_percent"], figures["irr_note"]),
        "IRR of the move to the edge, the yearly discount rate at which the NPV of the cash savings is zero: "
        f"{irr_text(figures['irr_percent'], figures['irr_note'])}. Undefined when the cash flows never change sign "
        "(no capex to repay, or savings that never repay it). " + formula_link(glossary.FINANCE),
    ),
    (
        "Discounted payback",
        break_even_short(figures["discounted_payback_months"], figures["horizon_months"]),
        "When the discounted cash savings have repaid the capex. " + formula_link(glossary.FINANCE),
    ),
)
if "npv_savings_after_tax" in figures:  # a tax rate is set: the after-tax figures beside the pre-tax ones
    tax = f"{analysis.scenario.tax_rate_percent:g} %"
    cards += (
        (
            "NPV after tax",
            money(figures["npv_savings_after_tax"], currency),
            f"At a {tax} tax rate: running costs deductible as paid, the edge's capex through its depreciation over "
            "the useful life (a tax shield), an upfront commitment over its term; discounted as the NPV.",
        ),
        (
            "IRR after tax",
            irr_short(figures["irr_percent_after_tax"], figures["irr_note_after_tax"]),
            f"IRR of the cash flows after tax at {tax}: "
            f"{irr_text(figures['irr_percent_after_tax'], figures['irr_note_after_tax'])}.",
        ),
    )
inputs.out_of_range_notice(analysis.scenario)
for column, (label, value, help_text) in zip(st.columns(len(cards)), cards):
    column.metric(label, value, help=help_text, border=True)
st.caption(
    f"Discounting at {analysis.scenario.discount_percent_per_year:g} %/year: {figures['discounting']}. "
    "NPV, IRR and payback are of the cash flows in either view."
)
pieces.cost_charts(analysis, view)

cloud_designs.section(analysis.scenario)

left, right = st.columns([2, 3], gap="large")
with left:
    st.subheader("ROI, payback, NPV and TCO")
    pieces.summary_table(analysis, view)
with right:
    st.subheader("Month by month")
    table = pieces.table("monthly", to_json(analysis.scenario), view)
    st.dataframe(table, hide_index=True, height=460, column_config=money_columns(table))

st.subheader("Year by year")
st.caption("Year 1 is the first 12 months from go-live; the last year may be shorter.")
yearly = pieces.table("yearly", to_json(analysis.scenario), view)
st.dataframe(yearly, hide_index=True, column_config=money_columns(yearly))
pieces.carbon_section(analysis, view)
st.subheader("Download")
downloads.scenario_downloads(analysis, view, key="costs.download")
pieces.explain_first_month(analysis, view, key="costs.explain")
