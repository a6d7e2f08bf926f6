"""The app's first page does not wait for SciPy (issue 30: cold start within 4 s): only the Monte Carlo draws use it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.app

ROOT = Path(__file__).resolve().parent.parent


def test_the_first_page_and_the_frame_load_no_scipy():
    probe = (
        "import sys\nimport planner.ui.plans, planner.ui.sidebar, planner.ui.state, planner.ui.catalog_admin, "
        "planner.ui.inputs, planner.ui.pieces\nprint(' '.join(m for m in ('scipy',) if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr
