"""Scenario: every input, grouped, with the key figures and their change since the preset."""

import streamlit as st

from planner.catalogs import currency
from planner.schema.format import md
from planner.ui import catalog_admin, inputs, layout, pieces, state

scenario = state.current()
analysis = state.analysis(scenario)

st.title("Scenario")
pieces.first_steps()
st.caption(pieces.scenario_caption(scenario, state.reference()))
st.caption(md(currency.money_in_text(scenario)))
pieces.key_metrics(analysis, state.analysis(state.reference_over(scenario)))
pieces.capacity_warning(analysis)

with layout.stacked_below("scenario-split", 900):  # the chart under the inputs below 900 px
    left, right = st.columns([3, 2], gap="large")
    with left:
        inputs.scenario_inputs("scenario")
    with right:
        pieces.cumulative_chart(analysis, height=400)
        st.markdown(pieces.headline(analysis))

catalog_admin.refresh_panel()
