"""Shared AppTest helpers: the app's entry file, a started session, a chart's arrays."""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"


def start(**query_params) -> AppTest:
    """The app run once with these query parameters (a share link, a plan), with no exception."""
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.query_params.update(query_params)
    at.run()
    assert not at.exception, at.exception
    return at


def decoded(values) -> np.ndarray:
    """A Plotly array from a figure's JSON: plotly 7 ships numeric arrays as {dtype, bdata[, shape]}."""
    if isinstance(values, dict):
        array = np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
        return array.reshape([int(n) for n in str(values.get("shape", len(array))).split(",")])
    return np.array(values, dtype=float)
