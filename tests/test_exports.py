"""Every CSV the app or the CLI writes is safe to open in a spreadsheet, and exports are reproducible."""

import csv
import hashlib
import io
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from planner.advice import advisor
from planner.catalogs import catalog
from planner.exports import report
from planner.exports.tables import comparison_csv
from planner.schema import safe_csv
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
HOSTILE_NAMES = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    " =1+1",
    "\u00a0=1+1",
    "\u3000=1+1",
    "\u200b=1+1",
    "\ufeff@SUM(A1)",
    "＝1+1",
    "＋1",
    "－1",
    "＠x",
    "<script>alert(1)</script>",
    "ok name",
]
CONTROL_TEXTS = [
    "\tTab",
    "\rReturn",
    "\nLine feed",
    "=1+1\n=2",
]  # refused in a scenario; other text cells may hold them
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def runs_as_formula(cell: str) -> bool:
    """A spreadsheet's view: a formula sign first, also behind blanks or invisible characters or full-width."""
    visible = next((c for c in cell if not (c.isspace() or unicodedata.category(c) == "Cf")), "")
    return cell.startswith(FORMULA_START) or unicodedata.normalize("NFKC", visible) in ("=", "+", "-", "@")


def assert_safe(text: str, hostile: str) -> None:
    rows = cells(text)
    for row in rows:
        for cell in row:
            if runs_as_formula(cell):
                float(cell)  # only a number may start like a formula (e.g. -1234.5)
    flat = [c for row in rows for c in row]
    kept = hostile.replace("\r", "\n")  # a bare CR inside a cell is written as LF (then quoted)
    assert any(c.removeprefix("'") == kept for c in flat), "the name is kept, neutralised"


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_through_every_export(name):
    scenario = replace(catalog.preset("retail"), name=name, description=name, device_id=name, cloud_provider=name)
    analysis = report.analyse_one(scenario)
    assert_safe(report.report_csv(analysis), name)
    assert_safe(report.report_csv(analysis, "accounting"), name)
    assert_safe(comparison_csv([analysis, report.analyse_one(catalog.preset("vessel"))]), name)
    table = advisor.advice_table(advisor.advise(advisor.answers(), scenario))
    out = io.StringIO()
    safe_csv.write_csv_rows(safe_csv.frame_rows(table), out)
    for row in cells(out.getvalue()):
        assert not any(runs_as_formula(c) and not _number(c) for c in row)


@pytest.mark.parametrize("text", CONTROL_TEXTS)
def test_text_with_control_characters_is_neutralised_outside_scenarios(text):
    out = io.StringIO()
    safe_csv.write_csv_rows([["file name", text]], out)
    assert_safe(out.getvalue(), text)


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def test_negative_numbers_stay_numbers():
    dear = replace(catalog.preset("retail"), device_price=500_000)
    savings = report.read_report_section(report.report_csv(report.analyse_one(dear)), "Monthly")
    column = [c for c in savings.columns if c.startswith("Cumulative savings")][0]
    assert savings[column].dtype.kind == "f" and (savings[column] < 0).any()


EXPORT_SCRIPT = """
import sys
from planner.catalogs import catalog
from planner.exports import report
from planner.schema.scenario import to_json
s = catalog.preset(sys.argv[1])
a = report.analyse_one(s)
sys.stdout.write(report.report_csv(a) + report.report_csv(a, "accounting") + to_json(s) + report.summary_json(a))
"""


@pytest.mark.parametrize("preset", ["retail", "smart_city"])
def test_exports_are_byte_identical_across_processes(preset):
    """Separate interpreters (different hash seeds, fresh caches) write the same bytes."""
    digests = set()
    for seed in ("1", "2"):
        out = subprocess.run(
            [sys.executable, "-c", EXPORT_SCRIPT, preset],
            cwd=ROOT,
            capture_output=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        ).stdout
        digests.add(hashlib.sha256(out).hexdigest())
    assert len(digests) == 1
