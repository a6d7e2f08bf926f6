"""The Scenario page's catalog refresh, for an administrator: `python -m planner catalog refresh` in the app.

Shown only when the server's environment sets both PLANNER_CATALOG_DIR (where refreshed figures go) and
PLANNER_CATALOG_ADMIN=1 (this process is an administrator's: a team runs one such process on an internal
address). The differences are shown first; writing is a second, explicit step.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path

import streamlit as st

from planner.catalogs import catalog, refresh
from planner.catalogs.feeds import FEED_NAMES, FeedError
from planner.schema.format import md

PLAN_KEY = "catalog_admin.plan"
PUBLIC, UPLOADED = "the public URL", "a saved copy"


def enabled() -> bool:
    return catalog.catalog_dir() is not None and os.environ.get("PLANNER_CATALOG_ADMIN", "").strip() == "1"


def refresh_panel() -> None:
    if not enabled():
        return
    overlay = catalog.catalog_dir()
    with st.expander("Catalog refresh (administrator)"):
        st.caption(
            md(
                f"Reads a provider's public price feed and writes the figures that changed to "
                f"{overlay}/refreshed (the bundled data/ is never rewritten). Saved plans keep their figures."
            )
        )
        source = st.selectbox(
            "Source", refresh.SOURCES, format_func=lambda s: f"{s} — {FEED_NAMES[s]}", key="catalog_admin.source"
        )
        origin = st.radio("Read from", (PUBLIC, UPLOADED), horizontal=True, key="catalog_admin.origin")
        upload = st.file_uploader("Saved copy of the feed", key="catalog_admin.upload") if origin == UPLOADED else None
        if st.button("Show the changes", key="catalog_admin.check"):
            st.session_state[PLAN_KEY] = _planned(source, upload, overlay)
        planned = st.session_state.get(PLAN_KEY)
        if planned is None:
            return
        if isinstance(planned, str):
            st.error(planned)
            return
        st.code("\n".join(planned.lines()), language=None)
        accept = st.checkbox(
            f"Accept changes of more than {refresh.LARGE_CHANGE:g}×",
            key="catalog_admin.accept",
            disabled=not any(c.large for c in planned.changes),
        )
        if st.button("Write to the catalog", key="catalog_admin.write", type="primary"):
            try:
                written = refresh.write(planned, overlay, accept_large_changes=accept)
            except FeedError as exc:
                st.error(str(exc))
                return
            st.session_state.pop(PLAN_KEY, None)
            st.success(f"Wrote {', '.join(p.name for p in written) or 'nothing'}: every page now uses the new figures.")


def _planned(source: str, upload, overlay: Path):
    """The refresh's plan, or the one-line reason it was refused."""
    try:
        if upload is None:
            return refresh.plan(
                source, refresh.read_figures(source, refresh.default_locations(source), overlay), overlay
            )
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / "feed"
            copy.write_bytes(upload.getvalue())
            figures = refresh.read_figures(source, [str(copy)], overlay)
        cited = f"a saved copy, {Path(upload.name).name}"  # not the server's temporary path
        return refresh.plan(source, [replace(f, url=cited) for f in figures], overlay)
    except (FeedError, catalog.CatalogError) as exc:
        return str(exc)
