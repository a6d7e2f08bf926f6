"""Compare & export: scenarios side by side, downloads, upload of a scenario file, the share link."""

import streamlit as st

from planner.catalogs import currency
from planner.exports import charts, tables
from planner.exports.report import report_csv, scenario_file
from planner.schema.format import md
from planner.ui import compare, downloads, pieces, plans, state

scenario = state.current()
analysis = state.analysis(scenario)

st.title("Compare & export")

# ── Comparison set ──
st.subheader("Compare scenarios")
entries = compare.entries()
full = len(entries) >= compare.MAX_COMPARED
st.button(
    f"Add “{md(scenario.name)}” to the comparison",
    key="compare.add",
    type="primary",
    on_click=compare.add_current,
    disabled=full,
    help=f"Up to {compare.MAX_COMPARED} scenarios. Change inputs, then add again to compare variants.",
)
if full:
    st.caption(f"The comparison is full ({compare.MAX_COMPARED} scenarios): remove one to add another.")
state.show_notices(compare.PLACE)

if not entries:
    st.info(
        "Add the current scenario, change some inputs (or pick another preset), and add it again "
        "to see them side by side."
    )
else:
    shown, notes = currency.to_common(entries, scenario)  # one currency: the current scenario's
    analyses = [state.analysis(s) for s in shown]
    labels = tables.entry_labels(shown)
    st.caption(md(f"All money in {scenario.currency} ({currency.rate_text(scenario)})."))
    for note in notes:
        st.info(md(note))
    with st.container(horizontal=True):
        for index, label in enumerate(labels):
            st.button(
                f"✕ {md(label)}",
                key=f"compare.remove.{index}",
                on_click=compare.remove,
                args=(index,),
                help="Remove from the comparison",
            )
        st.button("Clear all", key="compare.clear", on_click=compare.clear, type="tertiary")

    measure = st.segmented_control(
        "Curves",
        ["savings", "costs"],
        default="savings",
        required=True,
        format_func={"savings": "Cumulative savings", "costs": "Cloud and edge cost"}.get,
        key="compare.measure",
        persist_state="session",
    )
    curves = [(compare.chart_label(label), charts.curves(a)) for label, a in zip(labels, analyses)]
    st.plotly_chart(charts.comparison_figure(curves, measure), config=pieces.CHART_CONFIG)
    st.markdown("**Results**")
    st.table(compare.escaped(tables.results_table(analyses)), hide_index=True)
    st.markdown("**Inputs that differ**")
    differing = tables.inputs_table(shown)
    if differing.empty:
        st.caption("The compared scenarios have the same inputs.")
    else:
        st.table(compare.escaped(differing), hide_index=True)

# ── Export, import, share ──
st.subheader("Export, import and share")
download, upload = st.columns(2, gap="large")
with download:
    st.markdown("**Download**")
    name = state.file_stem()
    approval = plans.approval_note()  # an opened plan's approval, or None
    st.download_button(
        "Report CSV (current scenario)",
        report_csv(analysis, approval=approval).encode("utf-8"),
        f"{name}-report.csv",
        "text/csv",
        key="compare.download_report",
        on_click="ignore",
        width="stretch",
        help="Assumptions, summary and the monthly series per component — the same file as "
        "`python -m planner report --format csv`.",
    )
    downloads.scenario_downloads(analysis, "cash", key="compare.download_tables")
    st.download_button(
        "Scenario JSON",
        scenario_file(scenario).encode("utf-8"),
        f"{name}.json",
        "application/json",
        key="compare.download_json",
        on_click="ignore",
        width="stretch",
        help="Every input (and the price-book rows its figures came from, if any); load it here again or with "
        "`python -m planner report --scenario`.",
    )
    st.download_button(
        "Comparison CSV",
        tables.comparison_csv(analyses, notes).encode("utf-8") if entries else b"",
        "comparison.csv",
        "text/csv",
        key="compare.download_comparison",
        on_click="ignore",
        width="stretch",
        disabled=not entries,
        help="Inputs and results of every compared scenario.",
    )
with upload:
    st.markdown("**Load a scenario file**")
    key = compare.upload_key()
    st.file_uploader(
        "Scenario JSON",
        type=["json"],
        key=key,
        on_change=compare.handle_upload,
        args=(key,),
        help="A file downloaded from here (or written by hand). It is validated before it replaces "
        "the current scenario.",
    )
    state.show_notices(compare.UPLOAD_PLACE)

st.markdown("**Share link**")
st.caption(
    "Opens this exact scenario in any browser (copy with the button on the right). "
    "The address bar always holds the same link."
)
st.code(compare.share_link(st.context.url, plans.work_token()), language=None)
