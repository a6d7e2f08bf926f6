"""`make mutation`: how many small, realistic mistakes in the core the fast tests catch, per module.

mutmut (configured in pyproject.toml, `[tool.mutmut]`) copies `planner/` into `mutants/`, changes the
code one operator, number or argument at a time, and runs only the fast tests that reach the changed
function (no AppTest, no browser, no CLI subprocess, no Hypothesis property suite). A mutant is
*caught* when a test fails or it runs past its time limit; it *survives* when every test passes, or
when no fast test reaches it at all ("no tests"). Prints `name: value` lines like `make bench`:

    mutation_score_<module>: caught / mutants      (one line per module)
    mutation_score: caught / mutants over the modules measured
    survivors_<module>: count, then `file:line  mutant  status  changed lines` per survivor

A measurement, never asserted. mutmut sees code inside functions and methods only: a module-level
constant (a calendar constant, a tuple of formula-start characters) is not mutated. Of the workbook only
the formula rendering is measured (FUNCTIONS); the rest of it lays out cells. An equivalent mutant (one
that changes nothing any caller can see) is listed once, with why, in benchmarks/equivalent_mutants.txt
and left out of the score.

    python -m benchmarks.mutation [--modules finance,report] [--max-children 2] [--diffs] [--no-run]
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = (
    "model.pricing",
    "model.costs",
    "model.finance",
    "exports.report",
    "advice.advisor",
    "model.risk",
    "model.designs",
    "fleet.programme",
    "fleet.pool",
    "fleet.devices",
    "catalogs.currency",
    "exports.workbook",
)
# Modules measured in part: the functions (or classes) that write numbers or formulas.
FUNCTIONS = {  # the workbook's formula language; its Monthly columns' formulas are checked by LibreOffice (external)
    "exports.workbook": ("Template", "_compound", "_plus", "_crossing", "_shown_irr", "_irr_rows", "monthly_rate")
}
CAUGHT = {"killed", "timeout", "caught by type check", "segfault"}
EQUIVALENT_FILE = ROOT / "benchmarks" / "equivalent_mutants.txt"


def equivalent_mutants() -> dict[str, str]:
    """Mutant name → why it changes nothing observable (`name  reason` lines, `#` comments)."""
    if not EQUIVALENT_FILE.exists():
        return {}
    listed = {}
    for line in EQUIVALENT_FILE.read_text().splitlines():
        name, _, reason = line.partition(" ")
        if name and not name.startswith("#"):
            listed[name] = reason.strip()
    return listed


def patterns(module: str) -> list[str]:
    """mutmut's name patterns for one module's mutants (all of them, or those of FUNCTIONS)."""
    prefix = f"planner.{module}."
    if module not in FUNCTIONS:
        return [prefix + "*"]
    return [p for name in FUNCTIONS[module] for p in (f"{prefix}x_{name}__mutmut_*", f"{prefix}x\u01c1{name}\u01c1*")]


def measured(module: str, name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns(module))


def statuses(module: str) -> dict[str, str]:
    """Mutant name → mutmut's status, read from mutmut's record of the last run."""
    from mutmut.stats import status_by_exit_code  # noqa: PLC0415  (an optional extra)

    meta = ROOT / "mutants" / "planner" / f"{module.replace('.', '/')}.py.meta"
    if not meta.exists():
        return {}
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    return {name: status_by_exit_code[code] for name, code in codes.items()}


def run(module: str, max_children: int) -> None:
    """Run (or rerun) every mutant of one module; mutmut keeps its output in mutants/."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    mutmut = Path(sys.executable).with_name("mutmut")
    done = subprocess.run(
        [str(mutmut), "run", "--max-children", str(max_children), *patterns(module)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(
            f"mutmut run failed for {module} (status {done.returncode}):\n"
            + "\n".join((done.stdout + done.stderr).splitlines()[-30:])
        )


def function_lines(module: str) -> dict[str, int]:
    """`function` and `Class.method` → line of its `def` in planner/ (mutmut numbers lines from there)."""
    tree = ast.parse((ROOT / "planner" / f"{module.replace('.', '/')}.py").read_text())
    lines = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    lines[f"{node.name}.{item.name}"] = item.lineno
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines.setdefault(node.name, node.lineno)
    return lines


def where(module: str, name: str, starts: dict[str, int]) -> tuple[str, str]:
    """`planner/x.py:line` of a mutant's first changed line, and the changed lines themselves."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant  # noqa: PLC0415
    from mutmut.utils.format_utils import orig_function_and_class_names_from_key  # noqa: PLC0415

    function, cls = orig_function_and_class_names_from_key(name)
    path = f"planner/{module.replace('.', '/')}.py"
    start = starts.get(f"{cls}.{function}" if cls else function, 0)
    try:
        text = get_diff_for_mutant(name, path=ROOT / "mutants" / path)
    except Exception:  # noqa: BLE001  (a record without its mutated file: report the function only)
        return f"{path}:{start}", ""
    line, offset, changed = start, 0, []
    for row in text.splitlines():
        hunk = re.match(r"@@ -(\d+)", row)
        if hunk:
            offset = int(hunk.group(1)) - 1
        elif row.startswith(("+++", "---")):
            continue
        elif row[:1] == "-" and not changed:
            line = start + offset
            changed.append(row.strip())
        elif row[:1] in "+-":
            changed.append(row.strip())
        elif not changed:
            offset += 1
    return f"{path}:{line}", " | ".join(changed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--modules", default=",".join(MODULES), help="comma-separated modules of planner/, dotted (model.costs)"
    )
    parser.add_argument("--max-children", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--diffs", action="store_true", help="print each survivor's changed lines")
    parser.add_argument("--no-run", action="store_true", help="report the last run without running again")
    args = parser.parse_args()

    if not args.no_run:
        # mutmut caches which tests reach which function; a test added since would not be run against
        # the mutants it could catch, so every measurement starts from a fresh copy.
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    os.chdir(ROOT)  # mutmut reads its configuration and mutants/ from the working directory
    equivalent = equivalent_mutants()
    caught_all = total_all = 0
    survivors: dict[str, list[str]] = {}
    for module in args.modules.split(","):
        started = time.monotonic()
        if not args.no_run:
            run(module, args.max_children)
        found = {n: s for n, s in statuses(module).items() if measured(module, n) and n not in equivalent}
        unrun = [n for n, status in found.items() if status == "not checked"]  # an interrupted or partial run
        found = {n: s for n, s in found.items() if s != "not checked"}
        caught = sum(status in CAUGHT for status in found.values())
        caught_all, total_all = caught_all + caught, total_all + len(found)
        score = caught / len(found) if found else float("nan")
        took = f", {time.monotonic() - started:.0f} s" if not args.no_run else ""
        not_run = f", {len(unrun)} not run" if unrun else ""
        print(f"mutation_score_{module}: {score:.3f}  ({caught}/{len(found)}{took}{not_run})", flush=True)
        survivors[module] = sorted(n for n, status in found.items() if status not in CAUGHT)
    print(f"mutation_score: {caught_all / total_all if total_all else float('nan'):.3f}  ({caught_all}/{total_all})")
    print(f"equivalent_mutants: {len(equivalent)} (left out, {EQUIVALENT_FILE.relative_to(ROOT)})")
    for module, names in survivors.items():
        print(f"survivors_{module}: {len(names)}")
        starts = function_lines(module)
        found = statuses(module)
        rows = []
        for name in names:
            place, changed = where(module, name, starts)
            rows.append((place, name, found[name], changed))
        for place, name, status, changed in sorted(rows, key=lambda r: int(r[0].rpartition(":")[2])):
            print(f"  {place}  {name}  {status}" + (f"  {changed}" if args.diffs else ""))


if __name__ == "__main__":
    main()
