"""Report: the current scenario as a document that prints from the browser to A4 or Letter — key figures,
the charts, the yearly budget in full, the assumptions with their sources, and the advisor's recommendation
when one was asked for in this session. No widgets: print CSS leaves out the sidebar and the app's frame."""

from datetime import date

import streamlit as st

from planner.advice import advisor
from planner.exports import printable
from planner.exports.printable import block
from planner.schema.scenario import to_json
from planner.ui import advisor as advisor_page
from planner.ui import cloud_designs, pieces, plans, sensitivity, state

analysis = state.analysis(state.current())
scenario = analysis.scenario
view = st.session_state.get("costs.view")  # the view last chosen on the Costs page
view = view if view in pieces.VIEWS else "cash"
title = state.work_name()  # a saved plan's name, else the scenario's

st.html(printable.PRINT_CSS)
st.html(
    block(
        "<p>Print this page with your browser (Ctrl+P, ⌘P on a Mac): A4 or Letter, portrait. The "
        "sidebar and the app's controls are left out of the print.</p>",
        "screen-only",
    )
)
st.html(
    block(
        f"<h2>{printable.escape(title)}</h2><p class='meta'>Edge Inference Planner report, "
        f"{date.today():%Y-%m-%d} · {pieces.VIEWS[view]} view · {scenario.horizon_months} months from "
        f"go-live · {printable.escape(scenario.currency)}</p>"
    )
)
approval = plans.approval_note()
if approval:
    st.html(block(printable.approval_html(approval)))
st.markdown(pieces.headline(analysis, view))
if printable.capacity_html(analysis):
    st.html(block(printable.capacity_html(analysis)))
st.html(block(printable.figures_html(printable.key_figures(analysis, view))))

charts = {
    "cumulative": printable.cumulative_figure(analysis, view),
    **{side: printable.components_figure(analysis, side, view) for side in ("cloud", "edge")},
}
for name, figure in charts.items():
    with st.container(key=f"report-chart-{name}", gap=None):
        st.html(block(f"<h3>{printable.CHART_TITLES[name]}</h3>"))
        st.plotly_chart(figure, width="content", theme=None, config={"staticPlot": True})

st.html(
    block(
        "<h3>Year by year</h3><p class='meta'>Year 1 is the first 12 months from go-live; the last year "
        "may be shorter.</p>" + printable.yearly_html(analysis, view)
    )
)
st.html(block("<h3>ROI, payback, NPV and TCO</h3>" + printable.summary_html(analysis, view)))
options = cloud_designs.designs_of_json(to_json(scenario), cloud_designs.link_mbps(scenario))
st.html(block("<h3>Your cloud design and the cheapest one</h3>" + printable.cheapest_cloud_html(options)))

answers = advisor_page.submitted()
if answers is not None:
    advice = advisor.advise(answers, scenario, cloud_designs.designs_of)
    st.html(
        block(
            "<h3>Architecture advice</h3>"
            + printable.advice_html(advice, advisor_page.is_applied(advice, scenario), scenario.currency)
        )
    )

risk_html = sensitivity.report_risk_html(scenario)  # when the tornado or the Monte Carlo ran in the session
if risk_html:
    st.html(block(risk_html))

st.html(block("<h3>Assumptions</h3>" + printable.assumptions_html(analysis)))
