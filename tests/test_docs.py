"""The formula page and the README stay in step with the code they describe."""

from pathlib import Path

import pytest

from planner.catalogs import catalog
from planner.exports import formulas
from planner.model.costs import CARBON_COMPONENTS, COMPONENTS, batch, evaluate

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
FORMULAS = (ROOT / "docs" / "FORMULAS.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: c.key)
def test_every_component_formula_is_documented(component):
    row = next((line for line in FORMULAS.splitlines() if line.startswith(f"| {component.label} |")), None)
    assert row is not None, f"{component.label} missing from docs/FORMULAS.md"
    assert f"`{component.formula}`" in row and component.bill in row


def test_the_formula_tables_are_written_from_the_declarations():
    assert formulas.rewrite(FORMULAS) == FORMULAS, "run `python -m planner.exports.formulas`"
    assert FORMULAS.count("<!-- lines: ") == len(formulas.TABLES)


@pytest.mark.parametrize("line", COMPONENTS + CARBON_COMPONENTS, ids=lambda c: c.key)
def test_every_line_has_every_rendering(line):
    """A line declared once has its docs row, its workbook formula and the engine's terms under its key."""
    costs = evaluate(batch([catalog.preset("retail")]))
    assert line.key in (costs.carbon if line in CARBON_COMPONENTS else costs.lines)
    assert line.formula and line.excel and line.bill and line.views
    assert f"| {line.label} | {line.bill} | `{line.formula}` | {formulas.view_text(line)} |" in FORMULAS
    assert sum(line in lines for lines, _ in formulas.TABLES.values()) == 1


def test_readme_quick_start_has_the_two_commands():
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line.strip() for line in quick_start.splitlines() if line.strip().startswith("make ")]
    assert commands == ["make run", "make test"]
    assert (ROOT / ".ci" / "run").read_text().splitlines()[-1] == "make test"
