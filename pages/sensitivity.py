"""Sensitivity & risk: which inputs matter (tornado), where the edge stops paying back (two-input map), and
how sure the payback is when inputs are uncertain (Monte Carlo). Each section reruns on its own."""

import streamlit as st

from planner.schema.format import md
from planner.ui import pieces, state

LOADING = "Loading the sensitivity tools (the first visit loads the statistics library)…"

scenario = state.current()

st.title("Sensitivity & risk")
st.caption(
    md(
        f"What-ifs around “{scenario.name}”: every figure on this page comes from the current scenario "
        "with some inputs changed."
    )
)
with st.spinner(LOADING):  # importing scipy.stats takes seconds on a server's first visit to this page
    from planner.ui import sensitivity
view = pieces.view_switch("sensitivity.view")
sensitivity.tornado_section(scenario, view)
st.divider()
sensitivity.map_section(scenario, view)
st.divider()
sensitivity.monte_carlo_section(scenario, view)
