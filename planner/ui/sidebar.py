"""The sidebar every page shares: preset picker, scenario name, reset to preset."""
from __future__ import annotations

import streamlit as st

from ..scenario import Scenario, to_dict
from . import state

NAME_MAX_CHARS = next(m.max_length for m in Scenario.model_fields["name"].metadata if hasattr(m, "max_length"))


def changed_inputs(scenario: Scenario, reference: Scenario) -> int:
    """How many inputs differ from the reference (the name and description do not count)."""
    mine, theirs = to_dict(scenario), to_dict(reference)
    return sum(mine[k] != theirs[k] for k in mine if k not in ("name", "description"))


def _load_preset() -> None:
    state.load_preset(st.session_state["sidebar.preset"])


def _rename() -> None:
    state.commit(name=st.session_state["sidebar.name"].strip() or state.reference().name)


def render() -> None:
    presets, scenario = state.presets(), state.current()
    with st.sidebar:
        st.subheader("Scenario")
        state.bind("sidebar.preset", state.preset_key())
        st.selectbox("Start from preset", list(presets), format_func=lambda k: presets[k].name, key="sidebar.preset",
                     on_change=_load_preset, help="Loads a bundled scenario; the metric deltas compare with it.")
        state.bind("sidebar.name", scenario.name)
        st.text_input("Scenario name", max_chars=NAME_MAX_CHARS, key="sidebar.name", on_change=_rename,
                      help="Shown in reports, downloads and the comparison.")
        changed = changed_inputs(scenario, state.reference())
        st.caption(f"{changed} input{'s' if changed != 1 else ''} changed from the preset." if changed
                   else "Same inputs as the preset.")
        st.button("Reset to preset", key="sidebar.reset", on_click=state.reset_to_preset, width="stretch",
                  disabled=scenario == state.reference(), help="Discard every change since the preset.")
