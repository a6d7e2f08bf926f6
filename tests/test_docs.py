"""The formula page and the README stay in step with the code they describe."""
from pathlib import Path

import pytest

from planner.costs import COMPONENTS

ROOT = Path(__file__).resolve().parent.parent
FORMULAS = (ROOT / "docs" / "FORMULAS.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: c.key)
def test_every_component_formula_is_documented(component):
    row = next((line for line in FORMULAS.splitlines() if line.startswith(f"| {component.label} |")), None)
    assert row is not None, f"{component.label} missing from docs/FORMULAS.md"
    assert f"`{component.formula}`" in row and component.bill in row


def test_readme_quick_start_has_the_two_commands():
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line.strip() for line in quick_start.splitlines() if line.strip().startswith("make ")]
    assert commands == ["make run", "make test"]
    assert (ROOT / ".ci" / "run").read_text().splitlines()[-1] == "make test"
