"""Architecture advisor: a questionnaire → placement with the deciding factors, latency budget, stack, sizing,
and one button that puts the recommended deployment into the scenario the cost pages show."""

import streamlit as st

from planner.advice import advisor
from planner.exports import charts
from planner.schema.format import break_even_short, md, money
from planner.ui import advisor as page
from planner.ui import cloud_designs, pieces, state

CARD = {"border": True, "height": "stretch"}  # metric cards of one row share their height


def path_card(column, label: str, path_ms: float, response_ms: float, help_text: str) -> None:
    """A path's response time, and by how much it is over the required response or to spare."""
    over_ms = path_ms - response_ms
    column.metric(
        label,
        charts.ms_text(path_ms),
        f"{charts.ms_text(abs(over_ms))} {'over' if over_ms > 0 else 'to spare'}",
        "inverse" if over_ms > 0 else "normal",
        delta_arrow="off",
        **CARD,
        help=help_text,
    )


scenario = state.current()

st.title("Architecture advisor")
st.caption(
    md(
        "Hard constraints (a response time the cloud cannot meet, data that must stay on site, a link "
        "that drops, an uplink too small for what the cloud path uploads) make the edge mandatory; the "
        "other answers vote, money with a weight that grows with the cost difference. The edge deployment "
        "is sized and "
        f"costed for the current scenario, “{scenario.name}”: {scenario.cameras:,} cameras × "
        f"{scenario.analysed_fps:g} analysed frames/s."
    )
)
page.questionnaire()

answers = page.submitted()
if answers is None:
    st.info("Answer the questions and press **Get recommendation**.")
    st.stop()
advice = advisor.advise(answers, scenario, cloud_designs.designs_of)

# ── Recommendation ──
with st.container(border=True, key=page.RESULT):
    badge, color, icon = page.PLACEMENT_BADGES[advice.placement]
    with st.container(horizontal=True):
        st.badge(badge, color=color, icon=icon)
        st.badge(f"{advice.confidence} confidence", color=page.CONFIDENCE_COLORS[advice.confidence])
        if any(f.hard for f in advice.factors):
            st.badge("hard constraint", color="red", icon="⚠️")
    st.subheader(md(advisor.PLACEMENT_TEXT[advice.placement]))
    st.markdown(f"**{md(page.verdict_line(advice))}**")
    st.markdown("Deciding factors:\n" + "\n".join(f"- {md(reason)}" for reason in advice.deciding))
    for warning in advice.warnings:
        st.warning(md(warning), icon="⏱️")
    cards = st.columns(3)
    cards[0].metric(
        "Required response",
        f"≤ {charts.ms_text(advice.response_ms)}",
        **CARD,
        help="From the event to the decision available, including the wait for the next analysed frame.",
    )
    path_card(
        cards[1],
        "Cloud path",
        advice.cloud_ms,
        advice.response_ms,
        "Wait for the next analysed frame + access network + distance + frame upload + queueing + cloud inference.",
    )
    if advice.edge_latency_ms:
        path_card(
            cards[2],
            "Edge path",
            advice.edge_ms,
            advice.response_ms,
            "Wait for the next analysed frame + local network + inference on the recommended device.",
        )
    else:
        cards[2].metric(
            "Edge path",
            "—",
            "no device fits",
            "off",
            delta_arrow="off",
            **CARD,
            help="No catalog device fits the site as described: see Sizing.",
        )
    cards = st.columns(3)
    spare = advice.uplink_available_mbps - advice.uplink_needed_mbps
    cards[0].metric(
        "Uplink (Mbps)",
        page.figure_text(advice.uplink_needed_mbps),
        f"{'over' if spare < 0 else 'within'} {advice.uplink_available_mbps:,g}",
        "inverse" if spare < 0 else "normal",
        delta_arrow="off",
        **CARD,
        help=f"What the cloud path needs per site: its video (cameras × bitrate) or frames (analysed "
        f"frames/s × image size), ÷ {advisor.UPLINK_UTILISATION:.0%} so the link is never full; "
        f"against the {advice.uplink_available_mbps:,g} Mbps uplink answered.",
    )
    if advice.edge_costed:
        cards[1].metric(
            "Edge break-even",
            break_even_short(advice.break_even_month, scenario.horizon_months),
            **CARD,
            help="Of this scenario with the recommended deployment applied, cash view.",
        )
    else:
        cards[1].metric(
            "Edge break-even",
            "—",
            "not costed",
            "off",
            delta_arrow="off",
            **CARD,
            help="No catalog device fits the site as described, so the edge has no cost to compare.",
        )
    cards[2].metric(
        "Sampling wait",
        charts.ms_text(advice.sampling_wait_ms[0]),
        f"up to {charts.ms_text(advice.sampling_wait_ms[1])}",
        "off",
        delta_arrow="off",
        **CARD,
        help="An event waits for the next analysed frame: on average half the frame interval "
        "(1000 ÷ analysed frames/s), at worst all of it. Both paths include the average.",
    )

page.scroll_to_result()

# ── Details, one at a time: a new answer redraws only the one being read ──
section = st.segmented_control(
    "Details",
    list(page.SECTIONS),
    format_func=page.SECTIONS.get,
    default="factors",
    required=True,
    key="advisor.section",
    persist_state="session",
    help="The reasons, the latency budget, the stack or the sizing of this "
    "recommendation (one at a time; the downloads below hold them all).",
)
sizing = advice.sizing
if section == "factors":
    st.table(page.escaped(page.factors_table(advice)), hide_index=True)
elif section == "latency":
    st.plotly_chart(
        charts.latency_budget_figure(advice.cloud_latency_ms, advice.edge_latency_ms, advice.response_ms),
        config=pieces.CHART_CONFIG,
    )
    st.table(page.escaped(page.latency_table(advice)), hide_index=True)
elif section == "stack":
    st.table(page.escaped(page.stack_table(advice)), hide_index=True)
elif sizing is None:
    st.caption("No catalog device fits the site as described: see below.")
else:
    first, second = st.columns(3), st.columns(3)
    first[0].metric(
        "Devices", f"{sizing.devices:,}", **CARD, help="Throughput needed ÷ throughput per device, rounded up."
    )
    first[1].metric(
        "Needed (inf./s)",
        page.figure_text(sizing.required_ips),
        **CARD,
        help="Inferences per second the site needs: cameras × analysed frames per second × (1 + sizing headroom).",
    )
    first[2].metric(
        "Each (inf./s)",
        page.figure_text(sizing.per_device_ips),
        "decode-bound" if sizing.limited_by == "video decode" else "inference-bound",
        "off",
        delta_arrow="off",
        **CARD,
        help="Inferences per second one device sustains, the lower of: catalog throughput × (1 − "
        "derating) ÷ this workload's compute relative to detection; and the 1080p30 streams the "
        "device decodes × analysed frames/s.",
    )
    second[0].metric(
        "Power (W)",
        f"{sizing.power_watts:,.0f}",
        f"of {answers.site_power_watts:,.0f} W",
        "off",
        delta_arrow="off",
        **CARD,
        help="Devices × watts per device, host included, against the power available at the site.",
    )
    second[1].metric(
        "Feedback (GB/mo)",
        page.figure_text(sizing.feedback_gb_per_month),
        **CARD,
        help="Interesting frames sent back to the cloud for retraining, GB per month.",
    )
    second[2].metric(
        "Edge TCO",
        money(sizing.edge_total_cost, scenario.currency),
        f"{scenario.horizon_months} months",
        "off",
        delta_arrow="off",
        **CARD,
        help="Capex and running cost of this deployment over the horizon (cash view).",
    )
    st.caption(md(advisor.sizing_text(sizing) + "."))

# ── Apply and download ──
st.subheader("Cost this deployment")
if sizing is None:
    st.warning(
        "No catalog device fits the site as described:\n" + "\n".join(f"- {md(problem)}" for problem in advice.problems)
    )
    if advice.relax:
        st.markdown("**To fit:**\n" + "\n".join(f"- {md(r)}" for r in advice.relax))
else:
    st.markdown(
        f"**{sizing.devices:,} × {md(sizing.device_name)}** — {md(page.sizing_reason(sizing, scenario.currency))}."
    )
if advice.placement == "cloud" and advice.scenario_changes:
    st.caption("The recommendation is the cloud; applying costs the best-fitting edge deployment for comparison.")
page.apply_button(advice, scenario)

name = state.file_stem()
with st.container(horizontal=True):
    st.download_button(
        "Recommendation CSV",
        page.advice_csv(advice).encode("utf-8"),
        f"{name}-architecture.csv",
        "text/csv",
        key="advisor.download_csv",
        on_click="ignore",
        help="Placement, factors, latency budget, stack and sizing as rows (section, item, value, reason).",
    )
    st.download_button(
        "Recommendation Markdown",
        advisor.advice_markdown(advice).encode("utf-8"),
        f"{name}-architecture.md",
        "text/markdown",
        key="advisor.download_md",
        on_click="ignore",
        help="For pasting into a design document.",
    )
