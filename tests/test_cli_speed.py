"""The commands that print no table load no table, workbook, chart, database or HTTP library, and none of the
planner's modules that only other commands use: the fleet's programme, the workbook, the feeds (issue 30: the
command line within 0.5 s)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.cli

ROOT = Path(__file__).resolve().parent.parent


HEAVY = ("pandas", "scipy", "plotly", "sqlalchemy", "xlsxwriter", "urllib.request")
OTHER_COMMANDS = (
    "planner.exports.workbook",
    "planner.fleet.programme",
    "planner.fleet.tables",
    "planner.catalogs.feeds",
    "planner.catalogs.refresh",
)


def loaded_by(command: list[str], modules: tuple[str, ...]) -> list[str]:
    """Which of `modules` `python -m planner <command>` has loaded when it ends."""
    probe = (
        "import runpy, sys\nsys.argv = ['planner', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('planner', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        f"sys.stderr.write('\\nloaded: ' + ' '.join(m for m in {modules!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *command], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    return done.stderr.rpartition("loaded: ")[2].split()


@pytest.mark.parametrize("command", [["presets"], ["report", "--preset", "retail"], ["advise", "--preset", "retail"]])
def test_commands_without_tables_load_no_heavy_library_nor_another_commands_modules(command):
    assert loaded_by(command, HEAVY + OTHER_COMMANDS) == []


@pytest.mark.parametrize(
    "command, needed",
    [
        (["catalog", "list"], ["planner.catalogs.feeds", "planner.catalogs.refresh"]),
        (["fleet", "--fleet", "retail_chain", "--format", "json"], ["planner.fleet.programme", "planner.fleet.tables"]),
    ],
)
def test_the_commands_that_need_them_load_them(command, needed):
    assert loaded_by(command, OTHER_COMMANDS) == needed
