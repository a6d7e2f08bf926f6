"""The Architecture advisor page's pieces: the questionnaire form generated from `advisor.QUESTIONS`, the
submitted answers in the session, the "apply this deployment" action, and the tables and downloads of
a recommendation.

Session keys (all prefixed `advisor.`):
    advisor.answers   the last submitted answers (a dict, validated): kept across page switches, so the
                      recommendation is still there when the user comes back from the cost pages
    advisor.<field>   the form's widgets, one per question (set from advisor.answers before each render)
    advisor.section   which details show under the recommendation (SECTIONS), kept for the session
    advisor.submit, advisor.apply, advisor.download_csv, advisor.download_md   the buttons

The recommendation itself is not stored or cached: `advisor.advise` takes a few milliseconds and is
recomputed from the answers and the current scenario on every run, so it always matches the scenario
the cost pages show.
"""

from __future__ import annotations

import dataclasses
import io

import pandas as pd
import streamlit as st

from planner.advice import advisor
from planner.exports.report import summary
from planner.schema.format import md, money, ms_text
from planner.schema.safe_csv import frame_rows, write_csv_rows
from planner.schema.scenario import NumberField, Scenario, ScenarioError
from planner.ui import state
from planner.ui.inputs import decimals, key_for, region_distance_km, widget_value

PAGE = "advisor"
FORM = "advisor.form"
PLACE = "advisor"  # where this page's notices show (state.show_notices): under Apply
FORM_PLACE = "advisor.form"  # … and under the form
COLUMNS = 3  # questions per row of the form (option texts need the width)
VERDICTS = {"cloud": "Cloud", "edge": "Edge", "either": "Either"}
PLACEMENT_BADGES = {
    "cloud": ("Cloud", "blue", "☁️"),
    "split_brain_edge": ("Edge + cloud training", "green", "🛰️"),
    "edge_only": ("Edge only", "violet", "🔒"),
}
CONFIDENCE_COLORS = {"high": "green", "medium": "orange", "low": "gray"}
RESULT = "advisor-result"  # the recommendation's container (a CSS class `st-key-advisor-result`)
SCROLL_TO_RESULT = "advisor.scroll"  # set by a submit: the next run scrolls the recommendation into view
SECTIONS = {"factors": "Decision table", "latency": "Latency budget", "stack": "Stack", "sizing": "Sizing"}


# ── Answers ────────────────────────────────────────────────────────────────────────────────────────
def defaults() -> dict:
    return {q.name: q.default for q in advisor.QUESTIONS}


def scenario_answers() -> dict:
    """Answers the scenario gives: the distance to the cloud region when its site location and region are known
    (see `inputs.region_distance_km`), the connectivity and uplink of its link class (`advisor.link_class_answers`)."""
    km = region_distance_km(state.current())
    return ({} if km is None else {"region_distance_km": km}) | advisor.link_class_answers(state.current().link_class)


def submitted() -> advisor.Answers | None:
    """The answers last submitted in this session, or None before the first submit."""
    values = st.session_state.get(state.ADVISOR_ANSWERS)
    return advisor.answers(**values) if values else None


def _submit() -> None:
    values = {q.name: widget_value(q, st.session_state[key_for(PAGE, q.name)]) for q in advisor.QUESTIONS}
    try:
        st.session_state[state.ADVISOR_ANSWERS] = advisor.answers(**values).model_dump()
        st.session_state[SCROLL_TO_RESULT] = True
    except ScenarioError as exc:  # the widgets keep to the bounds; a hand-set state may not
        state.notify("error", f"Not submitted: {exc}", FORM_PLACE)


def question_label(spec: NumberField) -> str:
    """'Power available for edge compute (W)': always with the unit (`inputs.label_with_unit` leaves a unit
    out when its letters occur in the label, and 'w' is in 'power')."""
    return md(f"{spec.label} ({spec.unit})" if spec.unit else spec.label)


def _number_format(spec: NumberField) -> str:
    """Enough decimals for the step, the default and the minimum (0.1 Mbps must not show as 0)."""
    if spec.integer:
        return "%d"
    return f"%.{max(decimals(spec), decimals(dataclasses.replace(spec, default=spec.min)))}f"


def _question(spec, value) -> None:
    key = key_for(PAGE, spec.name)
    if isinstance(spec, NumberField):
        kind = int if spec.integer else float  # number boxes only: the answers are figures one knows
        st.number_input(
            question_label(spec),
            kind(spec.min),
            kind(spec.max),
            state.bind(key, kind(value)),
            step=kind(spec.step),
            format=_number_format(spec),
            key=key,
            help=md(spec.help),
        )
    else:
        options = list(spec.options)
        index = state.bind_choice(key, options, value)
        st.selectbox(md(spec.label), options, index, format_func=spec.options.get, key=key, help=md(spec.help))


def scroll_to_result() -> None:
    """After a submit, bring the recommendation (container `RESULT`) to the top of the window: it starts
    below the form, out of sight. Once per submit; a later rerun (a details switch) leaves the page where it is."""
    if not st.session_state.pop(SCROLL_TO_RESULT, False):
        return
    st.html(
        f"""<script>(() => {{
  let tries = 0;
  const scroll = () => {{
    const result = document.querySelector(".st-key-{RESULT}");
    if (result) {{
      result.style.scrollMarginTop = "4.5rem";  // clear of the app's header bar
      result.scrollIntoView({{block: "start"}});
    }}
    else if (++tries < 50) setTimeout(scroll, 100);
  }};
  scroll();
}})();</script>""",
        unsafe_allow_javascript=True,
    )


def questionnaire() -> None:
    """The questions as one form (one rerun per submit), in rows of COLUMNS, showing the last answers."""
    stored = {**defaults(), **scenario_answers(), **(st.session_state.get(state.ADVISOR_ANSWERS) or {})}
    questions = advisor.QUESTIONS
    with st.form(FORM):
        for start in range(0, len(questions), COLUMNS):
            for column, spec in zip(st.columns(COLUMNS, gap="medium"), questions[start : start + COLUMNS]):
                with column:
                    _question(spec, stored[spec.name])
        st.form_submit_button(
            "Get recommendation",
            key="advisor.submit",
            type="primary",
            on_click=_submit,
            help="Weighs every answer, sizes the edge deployment for the current scenario and costs it.",
        )
    state.show_notices(FORM_PLACE)


# ── Applying the deployment ────────────────────────────────────────────────────────────────────────
def is_applied(advice: advisor.Advice, scenario: Scenario) -> bool:
    """The scenario already holds the recommended device and sizing."""
    changes = advice.scenario_changes
    return bool(changes) and all(getattr(scenario, k) == v for k, v in changes.items())


def _apply(advice: advisor.Advice) -> None:
    if not state.commit(**advice.scenario_changes):
        return
    scenario = state.current()
    s = summary(state.analysis(scenario))
    sizing = advice.sizing
    state.notify(
        "success",
        f"Applied to “{scenario.name}”: {sizing.devices:,} × {sizing.device_name}, sized "
        f"from the workload. {' '.join(advice.apply_notes)} Edge capex is now "
        f"{money(s['edge_capex'], scenario.currency)}; the Scenario and Costs pages show this "
        f"deployment. Verdict: {advice.headline}.",
        PLACE,
    )


def apply_button(advice: advisor.Advice, scenario: Scenario) -> None:
    applied = is_applied(advice, scenario)
    st.button(
        "Apply this deployment to the scenario",
        key="advisor.apply",
        type="primary",
        on_click=_apply,
        args=(advice,),
        disabled=not advice.scenario_changes or applied,
        help="Sets the scenario's edge device (price, power, throughput for this workload), sizes the "
        "fleet from the workload, and sets the recommended stack's management fee (and 0 % feedback "
        "when data must stay on site), so the cost pages show this deployment.",
    )
    state.show_notices(PLACE)
    if not advice.scenario_changes:
        st.caption("No catalog device fits the site as described: there is no deployment to apply.")
    elif applied:
        st.caption(md(f"The scenario “{scenario.name}” holds this deployment: the Scenario and Costs pages show it."))
    elif advice.apply_notes:
        st.caption(md("Applying also sets — " + " ".join(advice.apply_notes)))


# ── Display text ───────────────────────────────────────────────────────────────────────────────────
def verdict_line(advice: advisor.Advice) -> str:
    """The headline without the placement it starts with (the card's title says that):
    'Mandatory for latency; the edge pays back in month 1 (within a day).'"""
    rest = advice.headline.removeprefix(advisor.PLACEMENT_TEXT[advice.placement] + ": ")
    return rest[0].upper() + rest[1:] + "."


# ── Tables (display text; escaped for st.table, which renders Markdown in its cells) ─────────────────
def factors_table(advice: advisor.Advice) -> pd.DataFrame:
    """One row per decision factor: the answer, the verdict, whether it is a hard constraint, its weight in
    the vote ('decides' for a hard constraint), and why."""
    return pd.DataFrame(
        [
            {
                "Factor": f.name,
                "Your answer": f.answer,
                "Verdict": VERDICTS[f.verdict],
                "Hard constraint": "mandatory" if f.hard else "",
                "Weight": advisor.weight_text(f),
                "Why": f.reason,
            }
            for f in advice.factors
        ]
    )


def latency_table(advice: advisor.Advice) -> pd.DataFrame:
    """The numbers behind the latency chart: each part of each path, the totals and the requirement."""
    cloud, edge = advice.cloud_latency_ms, advice.edge_latency_ms
    rows = [
        (part, ms_text(cloud[part]) if part in cloud else "", ms_text(edge[part]) if part in edge else "")
        for part in dict.fromkeys([*cloud, *edge])
    ]  # a part of both paths (the wait) is one row
    edge_total = ms_text(advice.edge_ms) if advice.edge_latency_ms else "no device fits"
    rows.append(("Total", ms_text(advice.cloud_ms), edge_total))
    rows.append(("Required", f"≤ {ms_text(advice.response_ms)}", f"≤ {ms_text(advice.response_ms)}"))
    return pd.DataFrame(rows, columns=["Step", "Cloud path", "Edge path"])


def stack_table(advice: advisor.Advice) -> pd.DataFrame:
    return pd.DataFrame(
        [{"Layer": c.layer.replace("_", " ").capitalize(), "Choice": c.name, "Why": c.reason} for c in advice.stack],
        columns=["Layer", "Choice", "Why"],
    )


def figure_text(value: float) -> str:
    """'286', '26', '38.9': whole numbers from 100 up, one decimal below, dropped when it is '.0'."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}".removesuffix(".0")


def sizing_reason(sizing: advisor.Sizing, currency: str) -> str:
    """The model's sizing reason with its total written as the app writes money ('$18,395', not '18,395 USD')."""
    written = f"{sizing.edge_total_cost:,.0f} {currency}"
    return sizing.reason.replace(written, money(sizing.edge_total_cost, currency))


def escaped(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell escaped for Markdown (st.table renders it)."""
    return frame.map(lambda v: md(v) if isinstance(v, str) else v)


# ── Downloads ──────────────────────────────────────────────────────────────────────────────────────
def advice_csv(advice: advisor.Advice) -> str:
    """`advisor.advice_table` as CSV, spreadsheet-safe (text that a spreadsheet would run is prefixed `'`)."""
    out = io.StringIO()
    write_csv_rows(frame_rows(advisor.advice_table(advice)), out)
    return out.getvalue()
