"""Session state: the one current scenario every page shares, the preset it started from, messages
for the next render, the share link in the URL, and the caches.

Keys (all in `st.session_state`, set up once per browser session by `init_session`):
    scenario  the current, validated Scenario
    preset    key of the preset the scenario started from (metric deltas are measured from it)
    notices   messages queued by callbacks, shown by `show_notices` on the next render
    history.undo, history.redo   (scenario, preset) pairs before the last changes and after the last
              undos: `undo` and `redo` step through them (HISTORY_STEPS at most each)
Widget keys are prefixed by their page (`scenario.cameras`, `sidebar.preset`, `compare.upload`).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from planner.catalogs import catalog as catalog_module
from planner.catalogs.currency import to_common
from planner.exports.report import Analysis, analyse_one
from planner.schema.format import md, slug
from planner.schema.scenario import (
    Scenario,
    ScenarioError,
    exported_price_book,
    from_share_token,
    parse_json,
    price_book_note,
    replace,
    to_dict,
    to_json,
    to_share_token,
)

SCENARIO, PRESET, NOTICES = "scenario", "preset", "notices"
OPENED_PLAN = "plans.opened"  # the saved revision the work came from (planner.ui.plans keeps it)
ADVISOR_ANSWERS = "advisor.answers"  # the answers the advisor page last submitted (inputs keep its distance in step)
EDITED = " (edited)"  # added to a preset's name once the scenario's inputs differ from it
SHARE_PARAM, PRESET_PARAM, WORK_PARAM = "s", "p", "w"
DEFAULT_PRESET = "retail"
TOP = "top"  # where notices show unless a page names another place
UNDO, REDO = "history.undo", "history.redo"
HISTORY_STEPS = 20  # input changes undone at most
_MISSING = object()


# ── Caches ─────────────────────────────────────────────────────────────────────────────────────────
def catalog() -> catalog_module.Catalog:
    """The catalogs and presets: data/ overlaid by PLANNER_CATALOG_DIR. `catalog.load` caches them per process
    until an overlay file changes, so a refresh reaches a running server without a restart."""
    return catalog_module.load()


def catalog_version() -> str:
    """The catalog's `version` as text: a cache of what reads the catalog (a device's figures, the cloud designs'
    prices) takes it as an argument, so a refreshed catalog reaches a running server."""
    return repr(catalog_module.version())


@st.cache_resource(max_entries=64, show_spinner=False)
def analysis_of_json(scenario_json: str) -> Analysis:
    """The scenario given as its JSON text, evaluated (the cache behind `analysis`): one object per process for
    each scenario, shared by every session and never changed, so what it computes on demand (each view's summary,
    emissions, the capacity check) is computed once rather than on every rerun, and no rerun copies it out of
    the cache."""
    return analyse_one(parse_json(scenario_json))


def analysis(scenario: Scenario) -> Analysis:
    """The scenario evaluated (cached by its JSON text, so equal scenarios share one entry; never change it)."""
    return analysis_of_json(to_json(scenario))


def presets() -> dict[str, Scenario]:
    return catalog().presets


# ── The scenario ───────────────────────────────────────────────────────────────────────────────────
def init_session() -> bool:
    """Once per session: restore the scenario from a share link (`?s=…&p=…`), else the default preset.

    A tampered or stale link queues a warning and falls back to the default preset.
    """
    if SCENARIO in st.session_state:
        return False
    st.session_state[NOTICES] = []
    found = presets()
    key = st.query_params.get(PRESET_PARAM, DEFAULT_PRESET)
    if key not in found:
        notify(
            "warning",
            f"The link names no known preset ({key[:40]!r}): comparing with “{found[DEFAULT_PRESET].name}” instead.",
        )
        key = DEFAULT_PRESET
    scenario = found[key]
    token = st.query_params.get(SHARE_PARAM)
    if token:
        try:
            scenario = from_share_token(token)
        except ValueError as exc:  # ScenarioError, or anything else a damaged link provokes
            key, scenario = DEFAULT_PRESET, found[DEFAULT_PRESET]
            notify(
                "warning", f"The share link could not be opened: {exc}. Showing the “{scenario.name}” preset instead."
            )
    set_scenario(scenario, preset=key)
    return True


def current() -> Scenario:
    if SCENARIO not in st.session_state:
        _rerun_through_frame()
    return st.session_state[SCENARIO]


def _rerun_through_frame() -> None:
    """A page ran without app.py: Streamlit's legacy `pages/`-folder mode, which a fresh server uses
    for its very first request until some session calls st.navigation (e.g. a bookmarked /costs
    opened right after a restart). Leave that mode for good, as st.navigation would, and rerun
    through the entry file."""
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()


def preset_key() -> str:
    return st.session_state[PRESET]


def reference() -> Scenario:
    """The preset the current scenario started from."""
    return presets()[preset_key()]


def reference_over(scenario: Scenario) -> Scenario:
    """The preset over the scenario's horizon and in its currency: what the scenario's figures are measured
    against, so a 48-month saving in EUR compares with the preset's 48 months in EUR, not its 36 in USD."""
    preset = to_common([reference()], scenario)[0][0]
    same = preset.horizon_months == scenario.horizon_months
    return preset if same else replace(preset, horizon_months=scenario.horizon_months)


def set_scenario(scenario: Scenario, preset: str | None = None) -> None:
    """Replace the scenario (from a widget through `commit`, or from outside: preset, reset, upload, share
    link), named as `edited_name` says. Widgets pick the new values up on their next render (see `bind`).
    A change can be undone (`undo`); it drops the changes undone before it.
    """
    before = (st.session_state.get(SCENARIO), st.session_state.get(PRESET))
    if preset is not None:
        st.session_state[PRESET] = preset
    st.session_state[SCENARIO] = edited_name(scenario)
    if before[0] is not None and (st.session_state[SCENARIO], st.session_state[PRESET]) != before:
        _push(UNDO, before)
        st.session_state[REDO] = []


def _push(stack: str, entry: tuple[Scenario, str]) -> None:
    st.session_state[stack] = [*st.session_state.get(stack, []), entry][-HISTORY_STEPS:]


def _step(back: str, forth: str) -> None:
    """Return to the last entry of stack `back`, keeping the scenario left in `forth`."""
    entries = st.session_state.get(back)
    if not entries:
        return
    _push(forth, (current(), preset_key()))
    st.session_state[back] = entries[:-1]
    st.session_state[SCENARIO], st.session_state[PRESET] = entries[-1]


def undo() -> None:
    """Back to the scenario before the last change (an input, a preset, a reset, an upload)."""
    _step(UNDO, REDO)


def redo() -> None:
    """Forward to the scenario the last undo left."""
    _step(REDO, UNDO)


def history(stack: str) -> list[tuple[Scenario, str]]:
    """The (scenario, preset) entries of `UNDO` or `REDO`, the next one to return to last."""
    return st.session_state.get(stack, [])


def forget_history() -> None:
    """No undo before this point (a session's start, with its link or plan opened)."""
    st.session_state[UNDO] = st.session_state[REDO] = []


def changed_inputs(scenario: Scenario, reference: Scenario) -> int:
    """How many inputs differ from the reference (the name and description do not count)."""
    mine, theirs = to_dict(scenario), to_dict(reference)
    return sum(mine[k] != theirs[k] for k in mine if k not in ("name", "description"))


def work_name(kind: str = "scenario", own: str | None = None) -> str:
    """The name that titles the work (the browser tab, the printed report, every download's file name): the
    opened plan's name while the work is a revision of a plan of this `kind` not renamed since (a scenario still
    named after its preset counts as not renamed), else the work's own name (`own`, default the scenario's)."""
    own = current().name if own is None else own
    opened = st.session_state.get(OPENED_PLAN)
    if opened is None or opened.workspace.kind != kind:
        return own
    preset = reference().name
    named_by_preset = kind == "scenario" and own in (preset, preset + EDITED)
    return opened.revision.name if own == opened.workspace.name or named_by_preset else own


def file_stem(kind: str = "scenario", own: str | None = None) -> str:
    """The start of a download's file name: the work's name (`work_name`), file-name-safe."""
    return slug(work_name(kind, own))


def edited_name(scenario: Scenario) -> Scenario:
    """A scenario still named after its preset says whether its inputs were changed: 'Retail store — 50
    cameras (seed article) (edited)' once cameras is 120, the preset's own name again when every input is
    back. A name the user gave is left alone."""
    preset = reference()
    if scenario.name not in (preset.name, preset.name + EDITED):
        return scenario
    name = preset.name + (EDITED if changed_inputs(scenario, preset) else "")
    return scenario if name == scenario.name else replace(scenario, name=name)


def commit(**changes: Any) -> bool:
    """Apply changes through `scenario.replace`; an invalid result keeps the scenario and queues an error."""
    try:
        set_scenario(replace(current(), **changes))
        return True
    except ScenarioError as exc:
        notify("error", f"Not applied: {exc}")
        return False


def load_preset(key: str) -> None:
    set_scenario(presets()[key], preset=key)


def reset_to_preset() -> None:
    load_preset(preset_key())


def load_scenario_file(data: bytes, file_name: str = "the file", place: str = TOP) -> bool:
    """Load an uploaded scenario JSON; a bad file queues an error and leaves the scenario untouched."""
    try:
        scenario = parse_json(data)
    except ScenarioError as exc:
        notify("error", f"{file_name} was not loaded: {exc}", place)
        return False
    set_scenario(scenario)
    note = price_book_note(exported_price_book(data))
    notify("success", f"Loaded “{scenario.name}” from {file_name}" + (f"; {note}." if note else "."), place)
    return True


# ── Share link ─────────────────────────────────────────────────────────────────────────────────────
def share_params(work: str | None, scenario: Scenario | None = None) -> dict[str, str]:
    """The scenario (`s`), its preset (`p`) and `work`, the view, advisor answers, comparison set and Sensitivity
    settings (`w`: `planner.ui.plans.work_token`, None for a fresh session's)."""
    return {SHARE_PARAM: to_share_token(scenario or current()), PRESET_PARAM: preset_key()} | (
        {WORK_PARAM: work} if work else {}
    )


def sync_share_link(work: str | None) -> None:
    """Keep the URL's query parameters equal to the current work, so the address bar is a share link."""
    params = share_params(work)
    for name, value in params.items():
        if st.query_params.get(name) != value:
            st.query_params[name] = value
    if WORK_PARAM not in params and WORK_PARAM in st.query_params:
        del st.query_params[WORK_PARAM]


# ── Messages ───────────────────────────────────────────────────────────────────────────────────────
def notify(kind: str, text: str, place: str = TOP) -> None:
    """Queue a message ('error', 'warning', 'success', 'info') for the next render of `place`."""
    st.session_state.setdefault(NOTICES, []).append((place, kind, text))


def show_notices(place: str = TOP) -> None:
    """Render and drop the queued messages for `place`."""
    queued = st.session_state.get(NOTICES, [])
    st.session_state[NOTICES] = [n for n in queued if n[0] != place]
    for _, kind, text in (n for n in queued if n[0] == place):
        getattr(st, kind)(md(text))


def bind(key: str, value: Any) -> Any:
    """Make the widget `key` show `value` on this render (call before the widget is drawn); returns `value`, to
    pass as the widget's `value=` as well.

    The widget's state is set from the scenario here, so a change from outside (preset, reset, upload, share
    link) shows up, and an edit that was refused snaps back. The framework falls back to the widget's `value=`
    when the browser sends the widget without a value (seen when a rerun redraws it while the page is busy):
    left at its default (a number box's 0 or its minimum, an empty text), that fallback would fire the change
    callback as if it had been typed, and commit it over the user's work.
    """
    if st.session_state.get(key, _MISSING) != value:
        st.session_state[key] = value
    return value


def bind_choice(key: str, options: list, value: Any) -> int:
    """`bind` for a selectbox or radio; returns the position of `value` in `options`, to pass as `index` (the
    framework's fallback for a widget sent without a value, as `bind`'s `value=`; its default, the first option,
    would load the first preset or commit the first choice over the user's work)."""
    bind(key, value)
    return options.index(value) if value in options else 0
