"""The app's first page does not wait for libraries only other pages use (issue 30: cold start within 4 s): SciPy
(only the Monte Carlo draws use it) and SQLAlchemy (only saving, listing and opening plans)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.app

ROOT = Path(__file__).resolve().parent.parent
NOT_ON_THE_FIRST_PAGE = ("scipy", "sqlalchemy")


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys\n{code}\nprint(' '.join(m for m in {NOT_ON_THE_FIRST_PAGE!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_the_first_page_and_the_frame_import_no_scipy_nor_sqlalchemy():
    modules = "planner.ui.plans, planner.ui.sidebar, planner.ui.state, planner.ui.catalog_admin, planner.ui.inputs"
    assert _loaded_after(f"import {modules}, planner.ui.pieces") == []


def test_the_first_page_drawn_loads_no_scipy_nor_sqlalchemy():
    run = (
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('app.py', default_timeout=120)\n"
        "at.run()\n"
        "assert not at.exception and at.title[0].value == 'Scenario', (at.exception, at.title)"
    )
    assert _loaded_after(run) == []
