"""The last recorded figures of `make bench` and `make bench-ui` on this kind of machine, and the comparison with them.

Every run prints its `name: value` lines as before, then a comparison: each figure with the recorded one and the
change in per cent; a ratio (a figure over its floor measured in the same run: `*_ratio`, `*_over_*`) that grew by
more than `GREW_LIMIT` is marked `SLOWER`. Absolute seconds are shown but never marked: on a shared or busy machine
only the ratios compare. The load average is recorded with the figures and shown beside them.

`BENCH_RECORD=1 make bench` (or `make bench-ui`) records the run's figures as the new baseline of this machine kind
in `benchmarks/baseline.json` (a partial run, e.g. `python -m benchmarks.engine fleet`, replaces only its figures).
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import os
import platform
import re
import sys
from collections.abc import Iterator
from pathlib import Path

BASELINE_PATH = Path(__file__).with_name("baseline.json")
GREW_LIMIT = 0.10  # a ratio more than 10 % above its recorded value is marked
_FIGURE = re.compile(r"^([a-z][a-z0-9_]*): (-?[0-9.]+(?:e[-+]?[0-9]+)?)\b")


def machine_kind() -> str:
    """What makes timings comparable: the processor model and how many cores this process may use."""
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{model}, {cores} cores"


def load_average() -> float | None:
    with contextlib.suppress(OSError, AttributeError):
        return round(os.getloadavg()[0], 2)
    return None


def parse_figures(text: str) -> dict[str, float]:
    """`name: value` lines of a benchmark's output → {name: value}; other lines (notes, yes/no) are skipped."""
    return {m[1]: float(m[2]) for m in map(_FIGURE.match, text.splitlines()) if m}


def is_ratio(name: str) -> bool:
    """A figure over its floor, where bigger is slower (`speedup_over_loop` is the other way round: not marked)."""
    return (name.endswith("_ratio") or "_over_" in name) and not name.startswith("speedup")


def compare(now: dict[str, float], recorded: dict[str, float], limit: float = GREW_LIMIT) -> list[str]:
    """One line per figure of `now`: its value, the recorded one and the change; ratios grown past `limit` marked."""
    lines = []
    for name, value in now.items():
        was = recorded.get(name)
        if was is None:
            lines.append(f"{name}: {value:g} (no recorded figure)")
            continue
        change = (value - was) / abs(was) if was else (0.0 if value == was else float("inf"))
        grew = is_ratio(name) and change > limit + 1e-9  # 2.2 over 2.0 is 10 %, not 10.000000000000009 %
        mark = f"  SLOWER: ratio grew {change:+.0%} (limit +{limit:.0%})" if grew else ""
        lines.append(f"{name}: {value:g} (recorded {was:g}, {change:+.1%}){mark}")
    return lines


def read(path: Path = BASELINE_PATH) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def record(suite: str, figures: dict[str, float], path: Path = BASELINE_PATH, kind: str | None = None) -> None:
    """Make `figures` the recorded ones of `suite` ("engine" or "ui") on this machine kind (others kept)."""
    book = read(path)
    entry = book.setdefault(kind or machine_kind(), {}).setdefault(suite, {"figures": {}})
    entry["figures"].update(figures)
    entry["recorded"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    entry["load_average"] = load_average()
    path.write_text(json.dumps(book, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def report(suite: str, figures: dict[str, float], path: Path = BASELINE_PATH) -> list[str]:
    """The comparison lines printed after a run (and the record made, when BENCH_RECORD=1)."""
    kind = machine_kind()
    entry = read(path).get(kind, {}).get(suite)
    lines = [f"# compared with the baseline of {kind} (load now {load_average()})"]
    if entry:
        lines[0] += f", recorded {entry['recorded']} at load {entry['load_average']}:"
        lines += compare(figures, entry["figures"])
    else:
        lines.append("no baseline recorded for this machine kind: `BENCH_RECORD=1 make bench` records one")
    if os.environ.get("BENCH_RECORD") == "1":
        record(suite, figures, path, kind)
        lines.append(f"# recorded as the new baseline in {path.name}")
    return lines


class _Tee(io.TextIOBase):
    def __init__(self, out):
        self.out, self.kept = out, io.StringIO()

    def write(self, text: str) -> int:
        self.kept.write(text)
        return self.out.write(text)

    def flush(self) -> None:
        self.out.flush()


@contextlib.contextmanager
def compared(suite: str) -> Iterator[None]:
    """Run a benchmark's printing code inside: its lines go out as they come, then the comparison follows."""
    tee = _Tee(sys.stdout)
    with contextlib.redirect_stdout(tee):
        yield
    print("\n".join(report(suite, parse_figures(tee.kept.getvalue()))))
