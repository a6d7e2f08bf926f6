"""The sidebar every page shares: preset picker, scenario name, reset to preset."""

from __future__ import annotations

import streamlit as st

from planner.exports.tables import changes_text
from planner.schema.format import md
from planner.schema.scenario import Scenario
from planner.ui import state

NAME_MAX_CHARS = next(m.max_length for m in Scenario.model_fields["name"].metadata if hasattr(m, "max_length"))


def _load_preset(key: str) -> None:
    state.load_preset(st.session_state[key])


def preset_picker(key: str, label: str = "Start from preset") -> None:
    """The preset selectbox (in the sidebar, and on the first screen, where a phone shows no sidebar)."""
    presets = state.presets()
    keys = list(presets)
    st.selectbox(
        label,
        keys,
        index=state.bind_choice(key, keys, state.preset_key()),
        format_func=lambda k: presets[k].name,
        key=key,
        on_change=_load_preset,
        args=(key,),
        help="Loads a bundled scenario; the metric deltas compare with it.",
    )


def _rename() -> None:
    """Rename; a name over the limit is cut to it, and says so (the field has no character counter: it
    would cover the end of a long name)."""
    name = st.session_state["sidebar.name"].strip() or state.reference().name
    if len(name) > NAME_MAX_CHARS:
        state.notify("warning", f"Scenario names are at most {NAME_MAX_CHARS} characters: the name was shortened.")
    state.commit(name=name[:NAME_MAX_CHARS].rstrip())


def render() -> None:
    scenario = state.current()
    with st.sidebar:
        st.subheader("Scenario")
        preset_picker("sidebar.preset")
        st.text_input(
            "Scenario name",
            state.bind("sidebar.name", scenario.name),
            key="sidebar.name",
            on_change=_rename,
            help=f"Shown in reports, downloads and the comparison (up to {NAME_MAX_CHARS} characters). "
            "A preset's name gets “(edited)” once an input differs from the preset.",
        )
        changed = state.changed_inputs(scenario, state.reference())
        st.caption(
            f"{changed} input{'s' if changed != 1 else ''} changed from the preset."
            if changed
            else "Same inputs as the preset."
        )
        with st.container(horizontal=True, gap="small"):
            history_button("Undo", ":material/undo:", state.UNDO, state.undo)
            history_button("Redo", ":material/redo:", state.REDO, state.redo)
            st.button(
                "Reset to preset",
                key="sidebar.reset",
                on_click=state.reset_to_preset,
                width="stretch",
                disabled=scenario == state.reference(),
                help="Discard every change since the preset (Undo brings them back).",
            )


def history_button(label: str, icon: str, stack: str, step) -> None:
    """Undo or Redo, saying what it would change back (disabled with nothing to step to)."""
    entries = state.history(stack)
    target = entries[-1][0] if entries else None
    what = changes_text(target, state.current(), limit=3) if target is not None else ""
    st.button(
        label,
        key=f"sidebar.{label.lower()}",
        icon=icon,
        on_click=step,
        disabled=target is None,
        help=(f"Returns to {md(what)}." if what else f"{label} the last change.")
        + f" The last {state.HISTORY_STEPS} changes of this session can be undone.",
    )
