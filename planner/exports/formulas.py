"""docs/FORMULAS.md's tables of cost and carbon lines, written from the lines' declarations
(`planner.model.costs.COMPONENTS` and `CARBON_COMPONENTS`), so a line is described in one place.

    python -m planner.exports.formulas      rewrite the tables between their markers in docs/FORMULAS.md

tests/test_docs.py fails while the page and the declarations differ.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from planner.model.costs import CARBON_COMPONENTS, COMPONENTS, ComponentInfo, side_components
from planner.schema.scenario import VIEWS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "FORMULAS.md"
TABLES = {  # marker name → (lines, the payee column's title)
    "cloud": (
        side_components("cloud", "cash")
        + tuple(c for c in side_components("cloud", "accounting") if "cash" not in c.views),
        "bill",
    ),
    "edge": (
        side_components("edge", "cash")
        + tuple(c for c in side_components("edge", "accounting") if "cash" not in c.views),
        "bill",
    ),
    "carbon": (CARBON_COMPONENTS, "scope"),
}
_BLOCK = re.compile(r"(<!-- lines: (\w+) -->\n)(.*?)(<!-- /lines -->)", re.S)


def view_text(line: ComponentInfo) -> str:
    """Which views show the line, and when a lump is paid."""
    if set(line.views) == set(VIEWS):
        text = "both"
    else:
        text = line.views[0] + (" (paid at the start of the month)" if line.lump else "")
    return f"{text}; {line.note}" if line.note else text


def in_declared_order(lines: tuple[ComponentInfo, ...]) -> tuple[ComponentInfo, ...]:
    order = {c.key: i for i, c in enumerate(COMPONENTS + CARBON_COMPONENTS)}
    return tuple(sorted(lines, key=lambda c: order[c.key]))


def table(lines: tuple[ComponentInfo, ...], payee: str) -> str:
    rows = [f"| line | {payee} | formula | view |", "|---|---|---|---|"]
    rows += [f"| {c.label} | {c.bill} | `{c.formula}` | {view_text(c)} |" for c in in_declared_order(lines)]
    return "\n".join(rows) + "\n"


def rewrite(text: str) -> str:
    """`text` with every marked table written anew from the declarations."""
    return _BLOCK.sub(lambda m: m.group(1) + table(*TABLES[m.group(2)]) + m.group(4), text)


if __name__ == "__main__":
    DOCS.write_text(rewrite(DOCS.read_text(encoding="utf-8")), encoding="utf-8")
    sys.exit(0)
