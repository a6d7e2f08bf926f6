"""The house by floors: the import contract of the `planner` package, checked on its source.

Every module of `planner/`, `app.py` and `pages/` is parsed (not imported, not grepped) and each `import`,
`from … import` (relative ones resolved against the module's package) and `importlib.import_module("…")`,
wherever it stands (a function body too), is resolved to an absolute module name. Then:

- every module sits on a floor (FLOORS), and imports only from its own floor or a lower one;
  `exports` and `plans` share a floor and never import each other;
- the modules' import graph has no circle;
- no planner import stands inside a function body (an import there hides a circle or an upward step),
  except the few in LAZY, each with its reason and each still in use;
- only `planner.ui`, `app.py` and `pages/` import Streamlit; `planner.ui.state` imports no other UI module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "planner"

# Lowest first. A module may import its own floor and every floor below it.
FLOORS = {
    "planner.schema": 0,  # the scenario's fields, their codec and text rules, how values are written
    "planner.catalogs": 1,  # the bundled price, hardware and region catalogs; currency conversion
    "planner.model": 2,  # cost lines, costs, tiered pricing, finance, risk, the month-1 explainer
    "planner.advice": 3,  # the architecture advisor: questions, rules, sizing
    "planner.fleet": 4,  # site inventories, placement per site, the programme's plans
    "planner.exports": 5,  # reports, tables, charts, the printable report, the workbook
    "planner.plans": 5,  # saved plans: workspaces, the store, its migrations
    "planner.cli": 6,  # the command line
    "planner.__main__": 7,  # `python -m planner`
    "planner.ui": 7,  # Streamlit: state, widgets, one section module per page
    "app": 8,
    "pages": 8,
}
APART = {frozenset({"planner.exports", "planner.plans"})}  # same floor, never importing each other
STREAMLIT_FLOORS = ("planner.ui", "app", "pages")
# (importer, imported): imports allowed inside a function body, and why.
LAZY = {
    ("planner.cli", "planner.plans.store"): "SQLAlchemy is loaded only by the commands that use the plans database",
    ("planner.cli", "planner.plans.workspace"): "as above: the store's documents",
    ("planner.cli", "planner.exports.workbook"): "XlsxWriter and the workbook's templates are loaded only by "
    "--format xlsx",
    ("planner.cli", "planner.fleet.programme"): "the fleet's programme and tables are loaded only by `fleet`",
    ("planner.cli", "planner.fleet.tables"): "as above",
    ("planner.cli", "planner.catalogs.feeds"): "the providers' feeds are read only by `catalog`",
    ("planner.cli", "planner.catalogs.refresh"): "as above: their refresh into the catalog",
    ("planner.ui.plans", "planner.plans.store"): "the app's first page does not wait for SQLAlchemy, which only "
    "saving, listing and opening plans need",
}


def module_name(path: Path) -> str:
    """'planner.ui.state' for planner/ui/state.py, 'planner.ui' for planner/ui/__init__.py, 'pages.costs'."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolved(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module
    package = module if is_package else module.rpartition(".")[0]
    parts = package.split(".")
    if node.level - 1 >= len(parts):
        raise ImportError(f"{module}: relative import beyond the top-level package")
    base = ".".join(parts[: len(parts) - (node.level - 1)])
    return f"{base}.{node.module}" if node.module else base


def import_sites(source: str, module: str, is_package: bool = False) -> list[tuple[str, bool]]:
    """(absolute name, inside a function body) for every name `source` imports. `from a import b` yields 'a'
    and 'a.b' (b may be a submodule)."""
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend((alias.name, in_function) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolved(node, module, is_package)
            found.append((base, in_function))
            found.extend((f"{base}.{alias.name}", in_function) for alias in node.names if alias.name != "*")
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.args[0].value, in_function))
        inner = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(ast.parse(source), False)
    return found


def imported_modules(source: str, module: str, is_package: bool = False) -> set[str]:
    return {name for name, _ in import_sites(source, module, is_package)}


def floor_of(name: str) -> str | None:
    """The FLOORS key `name` lies in ('planner.model' for 'planner.model.costs.Costs'), or None."""
    return max((f for f in FLOORS if name == f or name.startswith(f + ".")), key=len, default=None)


def within(name: str, top: str) -> bool:
    return name == top or name.startswith(top + ".")


def sources() -> dict[str, tuple[str, bool]]:
    """module name → (source, is a package) for every module of the contract."""
    paths = [*PACKAGE.rglob("*.py"), ROOT / "app.py", *(ROOT / "pages").glob("*.py")]
    return {module_name(p): (p.read_text(encoding="utf-8"), p.name == "__init__.py") for p in sorted(paths)}


def as_module(name: str, modules: set[str]) -> str | None:
    """The module (file) a dotted import name refers to: 'planner.model.costs.Costs' → 'planner.model.costs'."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def violations(found: dict[str, tuple[str, bool]]) -> list[str]:
    """Every breach of the contract by the modules `found` (module name → (source, is a package))."""
    problems = []
    modules = set(found)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    used_lazy = set()
    for module, (source, is_package) in found.items():
        mine = floor_of(module)
        if module != "planner" and mine is None:
            problems.append(f"{module}: on no floor")
            continue
        for name, in_function in import_sites(source, module, is_package):
            if within(name, "streamlit") and not any(within(module, f) for f in STREAMLIT_FLOORS):
                problems.append(f"{module} imports {name}: only {', '.join(STREAMLIT_FLOORS)} import Streamlit")
            if not within(name, "planner"):
                continue
            target = as_module(name, modules)
            if target is None or target == module or target == "planner":
                continue
            if module == "planner.ui.state" and within(target, "planner.ui"):
                problems.append(f"{module} imports {target}: the UI's state is its bottom floor")
            theirs = floor_of(target)
            if (theirs and mine and FLOORS[theirs] > FLOORS[mine]) or frozenset({mine, theirs}) in APART:
                problems.append(f"{module} ({mine}) imports {target} ({theirs}): not the same or a lower floor")
            if found[target][1] and not found[target][0].strip():
                continue  # an empty package's __init__: `from planner.plans import store` names it
            if in_function:
                if (module, target) in LAZY:
                    used_lazy.add((module, target))
                else:
                    problems.append(f"{module} imports {target} inside a function body")
            if not (is_package and within(target, module)):  # a package naming its own submodules is no edge
                graph[module].add(target)
    problems += [
        f"LAZY lists {pair}, which is no longer imported in a function"
        for pair in set(LAZY) - used_lazy
        if pair[0] in modules
    ]
    problems += [f"import circle: {' → '.join(c)}" for c in circles(graph)]
    return problems


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle through each strongly connected group of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group) + [sorted(group)[0]])

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return found


# ── The contract on the real tree ──────────────────────────────────────────────────────────────────
def test_the_house_keeps_its_import_contract():
    assert violations(sources()) == []


def test_every_module_is_on_a_floor_and_the_floors_are_folders():
    found = sources()
    assert all(floor_of(m) for m in found if m != "planner")
    for floor in FLOORS:
        if floor.startswith("planner.") and floor.count(".") == 1 and floor not in ("planner.cli", "planner.__main__"):
            assert (ROOT / floor.replace(".", "/") / "__init__.py").is_file(), floor
    assert {
        "planner.schema.scenario",
        "planner.model.costs",
        "planner.advice.advisor",
        "planner.fleet.programme",
        "planner.exports.workbook",
        "planner.plans.store",
        "planner.plans.migrations.env",
        "planner.ui.state",
        "pages.costs",
    } <= set(found)


# ── The checker catches what it is for ─────────────────────────────────────────────────────────────
def _tree(**modules: str) -> dict[str, tuple[str, bool]]:
    base = {
        "planner.schema.scenario": "",
        "planner.model.costs": "",
        "planner.exports.report": "",
        "planner.plans.store": "",
        "planner.ui.state": "",
        "planner.ui.plans": "",
        "planner.cli": "",
    }
    return {name: (source, False) for name, source in {**base, **modules}.items()}


@pytest.mark.parametrize(
    "modules, expected",
    [
        ({"planner.model.costs": "from planner.exports import report"}, "not the same or a lower floor"),
        ({"planner.model.costs": "from ..exports.report import summary"}, "not the same or a lower floor"),
        ({"planner.exports.report": "from planner.plans import store"}, "not the same or a lower floor"),
        ({"planner.plans.store": "import planner.exports.report"}, "not the same or a lower floor"),
        ({"planner.model.costs": "def f():\n    from planner.schema import scenario"}, "inside a function body"),
        ({"planner.schema.scenario": "import streamlit as st"}, "only planner.ui, app, pages import Streamlit"),
        ({"planner.model.costs": "importlib.import_module('streamlit')"}, "Streamlit"),
        (
            {"planner.ui.state": "from planner.ui import plans", "planner.ui.plans": "from planner.ui import state"},
            "import circle: planner.ui.plans → planner.ui.state → planner.ui.plans",
        ),
        (
            {
                "planner.model.costs": "from planner.model import pricing",
                "planner.model.pricing": "from planner.model import costs",
            },
            "import circle",
        ),
        ({"planner.stray": ""}, "planner.stray: on no floor"),
    ],
)
def test_a_wrong_import_is_caught(modules, expected):
    problems = violations(_tree(**modules))
    assert any(expected in p for p in problems), problems


def test_the_allowed_lazy_imports_must_still_exist():
    problems = violations(_tree())
    assert any("no longer imported in a function" in p for p in problems)
    assert not violations(
        _tree(
            **{
                "planner.cli": "def plans():\n    from planner.plans import store\n"
                "    from planner.plans.workspace import Workspace\n"
                "def fleet():\n    from planner.fleet import programme, tables\n"
                "    from planner.exports.workbook import workbook_bytes\n"
                "def catalog():\n    from planner.catalogs import feeds, refresh",
                **dict.fromkeys(("planner.fleet.programme", "planner.fleet.tables", "planner.exports.workbook"), ""),
                **dict.fromkeys(("planner.catalogs.feeds", "planner.catalogs.refresh"), ""),
                "planner.plans.workspace": "",
                "planner.ui.plans": "def store_module():\n    from planner.plans import store",
            }
        )
    )


@pytest.mark.parametrize(
    "source, module, package, expected",
    [
        (
            "from .format import money",
            "planner.schema.scenario",
            False,
            {"planner.schema.format", "planner.schema.format.money"},
        ),
        ("from .. import ui", "planner.model.costs", False, {"planner", "planner.ui"}),
        ("from ..ui import state", "planner.plans.migrations", True, {"planner.plans.ui", "planner.plans.ui.state"}),
        ("from .ui import tables", "planner", True, {"planner.ui", "planner.ui.tables"}),
        ("def late():\n    import streamlit as st", "planner.model.risk", False, {"streamlit"}),
        ("import streamlit.components.v1", "planner.model.risk", False, {"streamlit.components.v1"}),
        ("importlib.import_module('planner.ui.sensitivity')", "planner.model.risk", False, {"planner.ui.sensitivity"}),
    ],
)
def test_imports_are_resolved_like_python_does(source, module, package, expected):
    assert imported_modules(source, module, package) == expected


def test_a_function_body_import_is_told_apart():
    sites = import_sites(
        "import numpy\ndef f():\n    from planner.model import costs\nclass A:\n    import json", "planner.x"
    )
    assert ("numpy", False) in sites and ("planner.model.costs", True) in sites and ("json", False) in sites
