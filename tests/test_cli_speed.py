"""The commands that print no table load no table, workbook, chart, database or HTTP library (issue 30: the command line within 0.5 s)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("command", [["presets"], ["report", "--preset", "retail"], ["advise", "--preset", "retail"]])
def test_commands_without_tables_load_no_heavy_library(command):
    probe = (
        "import runpy, sys\nsys.argv = ['planner', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('planner', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(' '.join(m for m in ('pandas', 'scipy', 'plotly', 'sqlalchemy', 'xlsxwriter', 'urllib.request') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *command], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.stderr.strip().splitlines()[-1:] in ([], [""]), done.stderr
