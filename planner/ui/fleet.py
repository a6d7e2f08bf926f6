"""The Fleet page's state and pieces: the fleet in the session, the editor's table, uploads, the chart.

Keys (in `st.session_state`): `fleet.doc` the Fleet last loaded (preset, upload, added row, opened plan);
`fleet.version` bumps when it is replaced from outside the editor, so the editor (`fleet.editor.<version>`)
starts afresh. Edits in the editor are read back on every run and evaluated; a refused cell is listed and
takes the base value, the rest of the table is kept. `fleet.shown` is the fleet as last shown, edits
included: what the Plans page saves, and what the page starts from when it comes back (Streamlit drops
the editor's own state while another page is shown).
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from planner.catalogs import catalog
from planner.exports import charts
from planner.fleet import devices as fleet_devices
from planner.fleet import inventory as fleet_inventory
from planner.fleet import programme as fleet_programme
from planner.fleet import tables as fleet_tables
from planner.model import designs
from planner.schema.format import break_even_label
from planner.schema.scenario import ScenarioError, to_json
from planner.ui import state

DOC, VERSION, SHOWN = "fleet.doc", "fleet.version", "fleet.shown"
DEFAULT_FLEET = "retail_chain"
PLACE = "fleet"
SITES_SHOWN = 50  # per-site rows drawn unless the user asks for all (the CSV has all)
PLAN_COLORS = {"all_cloud": "#1f77b4", "all_edge": "#2ca02c", "recommended": "#ff7f0e"}


def current() -> fleet_inventory.Fleet:
    """The fleet the editor starts from: the last loaded, or the last shown when the editor's state is gone."""
    if DOC not in st.session_state:
        st.session_state[DOC] = fleet_inventory.preset(DEFAULT_FLEET)
        st.session_state[VERSION] = 0
    if SHOWN in st.session_state and editor_key() not in st.session_state:
        st.session_state[DOC] = st.session_state.pop(SHOWN)
    return st.session_state[DOC]


def shown() -> fleet_inventory.Fleet:
    """The fleet as the Fleet page last showed it, edits included (the default fleet if it was never shown)."""
    return st.session_state.get(SHOWN) or current()


def replace_fleet(f: fleet_inventory.Fleet, message: str | None = None) -> None:
    st.session_state.pop(SHOWN, None)
    st.session_state[DOC] = f
    st.session_state[VERSION] = st.session_state.get(VERSION, 0) + 1
    if message:
        state.notify("success", message, PLACE)
    for error in fleet_inventory.errors_text(f.inventory.errors):
        state.notify("warning", f"Refused, the base value is used: {error}", PLACE)


def editor_key() -> str:
    return f"fleet.editor.{st.session_state.get(VERSION, 0)}"


def load_preset(key: str) -> None:
    replace_fleet(fleet_inventory.preset(key), f"Loaded the fleet “{fleet_inventory.presets()[key]}”.")


def handle_upload(key: str) -> None:
    """An uploaded inventory CSV or fleet JSON. A CSV (or a fleet JSON with no base) takes the base shown in the
    page's base picker, and the message names it; a fleet JSON with a base keeps its own. An unreadable file leaves
    the fleet as it was."""
    file = st.session_state.get(key)
    if file is None:
        return
    f = current()
    data = file.getvalue()
    try:
        if fleet_inventory.is_fleet_json(data):
            new = fleet_inventory.parse_fleet_json(data, f.base, f.base_source)
        else:
            name = Path(file.name).stem[: fleet_inventory.MAX_FLEET_NAME] or f.name
            new = fleet_inventory.make_fleet(data, f.base, f.answers, f.months, name, f.base_source, f.cloud)
    except ScenarioError as exc:
        state.notify("error", f"{file.name} was not loaded: {exc}", PLACE)
        return
    replace_fleet(new, f"Loaded {new.inventory.n:,} site rows from {file.name}, on the base {new.base_text}.")


# ── The base scenario (the base picker) ───────────────────────────────────────────────────────────
KEEP_BASE, PLAN_BASE = "", "plan"  # the picker's options: the fleet's base as it is; a saved plan (picked next)


def base_key() -> str:
    return f"fleet.base.{st.session_state.get(VERSION, 0)}"


def base_options(f: fleet_inventory.Fleet) -> dict[str, str]:
    """The base picker's options (value → label): the fleet's base as it is, each bundled preset, the current
    scenario, and a saved scenario plan (picked in a second box, so the plans database is read only then)."""
    return (
        {KEEP_BASE: f"{f.base_text} (as it is)"}
        | {f"preset:{key}": f"Preset: {s.name}" for key, s in catalog.presets().items()}
        | {"scenario": f"The current scenario: “{state.current().name}”", PLAN_BASE: "A saved scenario plan…"}
    )


def choose_base(key: str) -> None:
    """The base picker's callback for a preset or the current scenario (a saved plan: `use_plan_base`)."""
    choice = st.session_state.get(key) or KEEP_BASE
    if choice.startswith("preset:"):
        set_base(lambda: (catalog.preset(choice.removeprefix("preset:")), choice))
    elif choice == "scenario":
        set_base(lambda: (state.current(), "scenario"))


def use_plan_base(plan_id: str | None, open_plan) -> None:
    """The *Use this plan* button's callback: `open_plan(plan_id)` → (scenario, revision) of a saved scenario plan
    (ScenarioError when it cannot be read)."""
    if plan_id:
        set_base(lambda: (lambda base, revision: (base, f"plan:{plan_id}@{revision}"))(*open_plan(plan_id)))


def set_base(pick) -> None:
    """The fleet on the base `pick()` returns as (scenario, base source): its table (edits included), answers,
    months and name kept, said in a message. A problem is said and leaves the fleet as it was."""
    try:
        new = fleet_inventory.with_base(shown(), *pick())
    except ScenarioError as exc:
        state.notify("error", f"The base was not changed: {exc}", PLACE)
        st.session_state[base_key()] = KEEP_BASE  # the picker shows the base as it is
        return
    replace_fleet(new, f"The fleet's base is now {new.base_text}: every blank cell takes its value.")


def edited(
    f: fleet_inventory.Fleet, table: pd.DataFrame, months: int, cloud: str | None = None
) -> fleet_inventory.Fleet:
    """The fleet with the editor's table, and the months and cloud side chosen on the page. Rows added beyond MAX_ROWS
    are refused: the editor starts afresh from the fleet without them, and the page says so."""
    f = f if cloud is None else dataclasses.replace(f, cloud=fleet_inventory.check_cloud(cloud))
    table = table.reset_index(drop=True)
    if len(table) > fleet_inventory.MAX_ROWS:
        kept = dataclasses.replace(
            f, inventory=fleet_inventory.parse_inventory(table.iloc[: fleet_inventory.MAX_ROWS], months), months=months
        )
        state.notify(
            "error",
            f"The fleet takes at most {fleet_inventory.MAX_ROWS:,} rows: the rows beyond it were not kept. "
            "Remove a row to add another.",
            PLACE,
        )
        replace_fleet(kept)
        st.rerun()
    f = dataclasses.replace(f, inventory=fleet_inventory.parse_inventory(table, months), months=months)
    st.session_state[SHOWN] = f
    return f


# ── The cheapest cloud design of each row, searched once per row's inputs ───────────────────────────────────
MEMO_ROWS = 50_000  # rows remembered per base and catalog before the memo starts afresh


@st.cache_resource(max_entries=8, show_spinner=False)
def _rows_found(base_json: str, catalog_version: str) -> tuple[threading.Lock, dict]:
    """The memo behind `search_designs` for one base and catalog: a row's inputs → what the search found for it,
    plus the designs themselves under `None`. One per server process, shared by the sessions (one at a time)."""
    return threading.Lock(), {}


def search_designs(
    base, overrides: dict, choices: dict, link_mbps: np.ndarray, rows: np.ndarray | None = None
) -> designs.RowDesigns:
    """`designs.cheapest_per_row`, each row searched once for its inputs: what it finds for a row reads only that row's
    inputs and link (and the base's designs), so an edit to one row of the table searches that row alone and takes
    the others from the memo. The same figures as the search over all rows (tests/test_fleet_search_memo.py);
    `pairs_costed` counts this call's pairs only."""
    n = len(link_mbps)
    rows = np.arange(n) if rows is None else np.asarray(rows, int)
    if not len(rows):
        return designs.cheapest_per_row(base, overrides, choices, link_mbps, rows=rows)
    lock, memo = _rows_found(to_json(base), state.catalog_version())
    with lock:
        return _search_with(memo, base, overrides, choices, np.asarray(link_mbps, float), rows)


def _search_with(memo: dict, base, overrides: dict, choices: dict, link: np.ndarray, rows: np.ndarray):
    n = len(link)
    given = {f"{side}.{k}": v for side, d in (("set", overrides), ("choice", choices)) for k, v in d.items()}
    keys = list(zip(link[rows], *(np.broadcast_to(v, (n,))[rows] for _, v in sorted(given.items()))))
    if len(memo) > MEMO_ROWS:
        memo.clear()
    new = [i for i, key in enumerate(keys) if key not in memo]  # all of them when the memo is empty
    pairs = 0
    if new:
        at = rows[new]
        found = designs.cheapest_per_row(
            base,
            {k: np.broadcast_to(v, (n,))[at] for k, v in overrides.items()},
            {k: np.broadcast_to(v, (n,))[at] for k, v in choices.items()},
            link[at],
        )
        memo[None] = (found.changes, found.scenarios)  # the base's designs, the same for every row
        for j, i in enumerate(new):
            upgrade = tuple(found.link_upgrade[k][j] for k in designs.UPGRADE_FIELDS)
            memo[keys[i]] = (found.cloud_total[j], found.design[j], found.feasible[j], upgrade)
        pairs = found.pairs_costed
    # the rows not searched as `cheapest_per_row` leaves them: no total, their own design, not feasible, no upgrade
    total, design, feasible = np.full(n, np.nan), np.full(n, -1), np.zeros(n, bool)
    upgrade = np.zeros((n, len(designs.UPGRADE_FIELDS)))
    total[rows], design[rows], feasible[rows], upgrade[rows] = (np.array(v) for v in zip(*map(memo.get, keys)))
    changes, scenarios = memo[None]
    link_upgrade = dict(zip(designs.UPGRADE_FIELDS, upgrade.T))
    return designs.RowDesigns(total, design, changes, feasible, scenarios, link_upgrade, pairs)


def send_current_scenario(f: fleet_inventory.Fleet) -> None:
    scenario = state.current()
    try:
        bigger = fleet_inventory.with_row(f, fleet_inventory.scenario_row(f, scenario))
    except ScenarioError as exc:
        state.notify("error", f"“{scenario.name}” was not added: {exc}.", PLACE)
        return
    replace_fleet(bigger, f"Added “{scenario.name}” as a row.")


def open_row(f: fleet_inventory.Fleet, r: int) -> None:
    try:
        scenario = fleet_devices.row_scenario(f, r)
    except ScenarioError as exc:
        state.notify("error", f"That row cannot open as a scenario: {exc}", PLACE)
        return
    state.set_scenario(scenario)
    state.notify(
        "success",
        f"“{scenario.name}” is now the current scenario on every page "
        f"({scenario.horizon_months} months from its go-live).",
        PLACE,
    )


def plans_table(p: fleet_programme.Programme) -> pd.DataFrame:
    s = fleet_tables.plan_summary(p)
    cur = p.fleet.base.currency

    def irr(x, note):
        return (note or "—") if x is None else "over 1,000 %/yr" if x > 1000 else f"{x:,.1f} %/yr"

    return pd.DataFrame(
        {
            "Plan": [fleet_inventory.PLAN_TEXT[k] for k in fleet_inventory.PLANS],
            "Sites on the edge": [s[k]["sites_on_edge"] for k in fleet_inventory.PLANS],
            f"Capex [{cur}]": [s[k]["capex_total"] for k in fleet_inventory.PLANS],
            f"TCO [{cur}]": [s[k]["tco"] for k in fleet_inventory.PLANS],
            f"NPV of savings [{cur}]": [s[k]["npv"] for k in fleet_inventory.PLANS],
            "Break-even": [
                "—" if k == "all_cloud" else break_even_label(s[k]["break_even_month"], p.months)
                for k in fleet_inventory.PLANS
            ],
            "IRR": [irr(s[k]["irr_percent"], s[k]["irr_note"]) for k in fleet_inventory.PLANS],
            **(
                {
                    f"NPV after tax [{cur}]": [s[k]["npv_after_tax"] for k in fleet_inventory.PLANS],
                    "IRR after tax": [
                        irr(s[k]["irr_percent_after_tax"], s[k]["irr_note_after_tax"]) for k in fleet_inventory.PLANS
                    ],
                }
                if p.after_tax is not None
                else {}
            ),
            "CO₂e [t]": [round(s[k]["kgco2e_total"] / 1000, 1) for k in fleet_inventory.PLANS],
            "CO₂e avoided [t]": [round(s[k]["kgco2e_avoided"] / 1000, 1) for k in fleet_inventory.PLANS],
        }
    )


def quarters_table(p: fleet_programme.Programme) -> pd.DataFrame:
    s = fleet_tables.plan_summary(p)
    q = len(s["all_edge"]["capex_by_quarter"])
    return pd.DataFrame(
        {
            "Quarter": [f"Q{i + 1}" for i in range(q)],
            **{fleet_inventory.PLAN_TEXT[k]: s[k]["capex_by_quarter"] for k in fleet_inventory.PLANS[1:]},
        }
    )


def cashflow_figure(p: fleet_programme.Programme, height: int = 420) -> go.Figure:
    """Cumulative cost of the three plans by month's end, the recommended plan's break-even marked."""
    cur = p.fleet.base.currency
    months = np.arange(p.months + 1)
    cost = np.vstack([p.cloud_monthly, *(p.plan_opex[1:] + p.plan_capex[1:])])
    traces = []
    for i, plan in enumerate(fleet_inventory.PLANS):
        cum = np.concatenate([[p.plan_capex[i, 0] if i else 0.0], np.cumsum(cost[i])])
        traces.append(
            {
                "type": "scatter",
                "x": months,
                "y": cum,
                "mode": "lines",
                "name": fleet_inventory.PLAN_TEXT[plan],
                "line": {"color": PLAN_COLORS[plan], "width": 3, "dash": "dot" if plan == "all_edge" else None},
                "hovertemplate": f"{charts.money_hover(cur)}<extra>{fleet_inventory.PLAN_TEXT[plan]}</extra>",
            }
        )
    be = p.plans.break_even_month[fleet_inventory.PLANS.index("recommended")]
    annotations = []
    if np.isfinite(be):
        y = float(np.interp(be, months, np.concatenate([[0.0], np.cumsum(p.cloud_monthly)])))
        traces.append(
            {
                "type": "scatter",
                "x": [be],
                "y": [y],
                "mode": "markers",
                "name": "Break-even",
                "marker": {"color": charts.MARKER_COLOR, "size": 12, "symbol": "diamond"},
                "hovertemplate": f"Break-even: {break_even_label(be, p.months)}<extra></extra>",
            }
        )
        annotations.append(
            {
                "x": be,
                "y": y,
                "text": f"<b>Break-even: {break_even_label(be, p.months)}</b>",
                "showarrow": True,
                "arrowhead": 2,
                "ax": 30,
                "ay": -50,
                "xanchor": "left",
                **charts.LABEL_STYLE,
            }
        )
    layout = charts._layout(
        "Programme: cumulative cost of the three plans",
        cur,
        "Cumulative cost",
        height,
        annotations=annotations,
        xaxis={"title": {"text": "Programme month"}, "rangemode": "tozero"},
    )
    return go.Figure(data=traces, layout=layout)
