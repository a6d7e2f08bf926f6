"""`make mutation`: how many small, realistic mistakes in the core the fast tests catch, per module.

mutmut (configured in pyproject.toml, `[tool.mutmut]`) copies `planner/` into `mutants/`, changes the
code one operator, number or argument at a time, and runs only the fast tests that reach the changed
function (no AppTest, no browser, no CLI subprocess, no Hypothesis property suite). A mutant is
*caught* when a test fails or it runs past its time limit; it *survives* when every test passes, or
when no fast test reaches it at all ("no tests"). Prints `name: value` lines like `make bench`:

    mutation_score_<module>: caught / mutants      (one line per module)
    mutation_score: caught / mutants over the modules measured
    survivors_<module>: count, then one mutant per line with its diff (`--diffs`) or name

A measurement, never asserted. mutmut sees code inside functions and methods only: a module-level
constant (a calendar constant, a tuple of formula-start characters) is not mutated.

    python -m benchmarks.mutation [--modules finance,report] [--max-children 2] [--diffs]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ("model.pricing", "model.costs", "model.finance", "exports.report", "advice.advisor", "model.risk")
CAUGHT = {"killed", "timeout", "caught by type check", "segfault"}


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
        [str(mutmut), "run", "--max-children", str(max_children), f"planner.{module}.*"],
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


def diff(name: str) -> str:
    mutmut = Path(sys.executable).with_name("mutmut")
    out = subprocess.run([str(mutmut), "show", name], cwd=ROOT, capture_output=True, text=True).stdout
    changed = [line for line in out.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    return " | ".join(line.strip() for line in changed)


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
    caught_all = total_all = 0
    survivors: dict[str, list[str]] = {}
    for module in args.modules.split(","):
        if not args.no_run:
            run(module, args.max_children)
        found = statuses(module)
        caught = sum(status in CAUGHT for status in found.values())
        caught_all, total_all = caught_all + caught, total_all + len(found)
        score = caught / len(found) if found else float("nan")
        print(f"mutation_score_{module}: {score:.3f}  ({caught}/{len(found)})", flush=True)
        survivors[module] = sorted(n for n, status in found.items() if status not in CAUGHT)
    print(f"mutation_score: {caught_all / total_all if total_all else float('nan'):.3f}  ({caught_all}/{total_all})")
    for module, names in survivors.items():
        print(f"survivors_{module}: {len(names)}")
        for name in names:
            print(f"  {name}" + (f"  {diff(name)}" if args.diffs else ""))


if __name__ == "__main__":
    main()
