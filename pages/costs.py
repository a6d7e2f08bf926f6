"""Costs & break-even: cumulative cost curves, monthly cost by component, finance summary, month-1 arithmetic."""
import streamlit as st

from planner.report import monthly_table
from planner.ui import pieces, state

analysis = state.analysis(state.current())
currency = analysis.scenario.currency

st.title("Costs & break-even")
view = pieces.view_switch("costs.view")
st.markdown(pieces.headline(analysis, view))
pieces.cumulative_chart(analysis, view)

for column, side in zip(st.columns(2, gap="large"), ("cloud", "edge")):
    with column:
        pieces.components_chart(analysis, side, view)

left, right = st.columns([2, 3], gap="large")
with left:
    st.subheader("ROI, payback, NPV and TCO")
    pieces.summary_table(analysis, view)
with right:
    st.subheader("Month by month")
    table = monthly_table(analysis, view)
    st.dataframe(table, hide_index=True, height=460, column_config={
        c: st.column_config.NumberColumn(format="accounting" if c.endswith(f"[{currency}]") else "localized")
        for c in table.columns[1:]})
pieces.explain_first_month(analysis, view, key="costs.explain")
