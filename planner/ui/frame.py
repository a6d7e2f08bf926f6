"""The frame of every page's body: one fragment holding the notices, the page, the sidebar status and the
share link.

A widget on a page reruns only this fragment: the navigation and the sidebar's preset picker and scenario
name (drawn by app.py on whole runs) are neither rerun nor sent to the browser again, so the page follows
an edit sooner. Whatever changes the name too (a preset, reset, an uploaded file) reruns the whole app.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from . import sidebar, state


def show(body: Callable[[], None]) -> None:
    """Draw a page's `body` in the frame fragment (call it once, at the end of the page's file)."""
    def page() -> None:
        state.show_notices()
        body()
        sidebar.status()
        state.sync_share_link()

    # Streamlit names a fragment after its function: one name per page file, so that a rerun requested
    # by one page's widget can never be taken for another page's fragment.
    page.__qualname__ = f"page:{Path(body.__code__.co_filename).stem}"
    st.fragment(page)()
