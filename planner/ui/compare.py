"""The comparison set (scenarios side by side), uploads and the share link of the Compare & export page."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from planner.schema.format import md
from planner.schema.scenario import Scenario
from planner.ui import state

COMPARISON = "comparison"
MAX_COMPARED = 8
PLACE = "compare"  # where this page's messages show
UPLOAD_PLACE = "upload"
UPLOAD_NONCE = "compare.upload_nonce"


def entries() -> list[Scenario]:
    return st.session_state.get(COMPARISON, [])


def add_current() -> None:
    scenario, items = state.current(), entries()
    if len(items) >= MAX_COMPARED:
        state.notify(
            "warning", f"The comparison holds at most {MAX_COMPARED} scenarios: remove one to add another.", PLACE
        )
    elif scenario in items:
        state.notify(
            "info",
            f"“{scenario.name}” is already in the comparison with these inputs: change an input, then add it again.",
            PLACE,
        )
    else:
        st.session_state[COMPARISON] = [*items, scenario]


def remove(index: int) -> None:
    st.session_state[COMPARISON] = [s for i, s in enumerate(entries()) if i != index]


def clear() -> None:
    st.session_state[COMPARISON] = []


def upload_key() -> str:
    """The uploader's key: a new one after each upload, so the widget is empty and ready for the next."""
    return f"compare.upload.{st.session_state.get(UPLOAD_NONCE, 0)}"


def handle_upload(key: str) -> None:
    file = st.session_state.get(key)
    if file is None:
        return
    state.load_scenario_file(file.getvalue(), file.name, UPLOAD_PLACE)
    st.session_state[UPLOAD_NONCE] = st.session_state.get(UPLOAD_NONCE, 0) + 1


def table_text(value):
    """A header or cell for st.table, which renders Markdown in both: text is escaped (labels carry scenario
    names, cells the device and price-source labels), except that a lone '$' (a USD figure) stays, as one
    '$' opens no formula."""
    if not isinstance(value, str):
        return value
    text = md(value)
    return text.replace("\\$", "$") if value.count("$") == 1 else text


def escaped(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns=table_text).map(table_text)


def chart_label(label: str) -> str:
    """A legend or hover label for Plotly, which renders tags such as <a href> and <b> in them."""
    return escape(label, quote=False)


def share_link(page_url: str | None, work: str | None) -> str:
    """The app's root URL with the scenario and `work` (`state.share_params`) in its query (a relative link when
    the URL is unknown)."""
    root = page_url.rsplit("/", 1)[0] + "/" if page_url else ""
    return f"{root}?{urlencode(state.share_params(work))}"
