"""Shared AppTest helpers: the app's entry file and a started session."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"


def start(**query_params) -> AppTest:
    """The app run once with these query parameters (a share link, a plan), with no exception."""
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.query_params.update(query_params)
    at.run()
    assert not at.exception, at.exception
    return at
