"""The floors of the house: Streamlit and the page pieces (`planner.ui`) stay on top.

Every module of the `planner` package outside `planner/ui/` is parsed (not imported, not grepped) and
each `import`, `from … import` (relative ones resolved against the module's package) and
`importlib.import_module("…")` is resolved to an absolute module name. None may be `streamlit` or
anything under `planner.ui`: the engine, the exports, the charts, the CLI and the formatting must run
without Streamlit. `app.py` and `pages/` sit on top and may import both.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "planner"
UPPER_FLOOR = ("streamlit", "planner.ui")         # what a module below the UI must not import


def module_name(path: Path) -> str:
    """'planner.ui.tables' for planner/ui/tables.py, 'planner.ui' for planner/ui/__init__.py."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> set[str]:
    """Absolute names of every module `source` imports, wherever the import statement is (a function body
    too). `from a import b` yields 'a' and 'a.b' (b may be a submodule)."""
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                if node.level - 1 >= len(parts):
                    raise ImportError(f"{module}: relative import beyond the top-level package")
                base = ".".join(parts[: len(parts) - (node.level - 1)])
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names if alias.name != "*"}
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None))
              in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            found.add(node.args[0].value)
    return found


def upper_floor(name: str) -> bool:
    return any(name == top or name.startswith(top + ".") for top in UPPER_FLOOR)


def lower_floor_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "ui" not in p.relative_to(PACKAGE).parts[:-1])


@pytest.mark.parametrize("path", lower_floor_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_below_the_ui_imports_streamlit_or_planner_ui(path):
    imports = imported_modules(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")
    assert not sorted(filter(upper_floor, imports))


def test_the_walk_covers_the_whole_lower_floor():
    names = {module_name(p) for p in lower_floor_modules()}
    assert {"planner.charts", "planner.report", "planner.format", "planner.risk", "planner.__main__",
            "planner.advisor", "planner.migrations.env", "planner.sensitivity", "planner.tables"} <= names
    assert not any(upper_floor(n) for n in names)


@pytest.mark.parametrize("source, module, package, expected", [
    ("from .ui.format import money", "planner.charts", False, {"planner.ui.format", "planner.ui.format.money"}),
    ("from . import ui", "planner.charts", False, {"planner", "planner.ui"}),
    ("from ..ui import state", "planner.migrations.env", False, {"planner.ui", "planner.ui.state"}),
    ("from .ui import tables", "planner", True, {"planner.ui", "planner.ui.tables"}),
    ("def late():\n    import streamlit as st", "planner.risk", False, {"streamlit"}),
    ("import streamlit.components.v1", "planner.risk", False, {"streamlit.components.v1"}),
    ("importlib.import_module('planner.ui.sensitivity')", "planner.risk", False, {"planner.ui.sensitivity"}),
    ("from .format import money\nimport numpy", "planner.charts", False,
     {"planner.format", "planner.format.money", "numpy"}),
])
def test_imports_are_resolved_like_python_does(source, module, package, expected):
    assert imported_modules(source, module, package) == expected


def test_upper_floor_names():
    assert upper_floor("streamlit") and upper_floor("streamlit.runtime") and upper_floor("planner.ui.format")
    assert not upper_floor("streamlitish") and not upper_floor("planner.uix") and not upper_floor("planner.format")
