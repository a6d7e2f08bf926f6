"""`planner.model.allocator.keep_freed_arrays`: the engine's arrays reuse freed memory instead of faulting in fresh pages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent

# 50 rounds of what the engine does all the time: a temporary 2,000 × 120 float array and a result beside it, then
# both freed. Prints the minor page faults the rounds took (each fresh 4 KiB page written is one).
ROUNDS = """
import resource, sys
import numpy as np
from planner.model import allocator
if sys.argv[1] == "kept":
    assert allocator.keep_freed_arrays()
need, other, rows = np.ones((2_000, 120)), np.zeros((2_000, 120)), np.arange(2_000) % 3 > 0
np.where(rows[:, None], need - other, 0.0)  # once before counting: the heap grows to its working size
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(50):
    np.where(rows[:, None], need - other, 0.0)
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def page_faults(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", ROUNDS, mode], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    return int(done.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc thresholds: Linux only")
def test_freed_arrays_are_reused_instead_of_faulting_in_fresh_pages():
    # Each round's two arrays are 2,000 × 120 × 8 bytes = 469 pages apiece. Mapped fresh and handed back, every
    # round faults them in again: about 50 × 2 × 469 = 46,900 faults. Kept in the heap, the rounds fault next to none.
    pages = 2_000 * 120 * 8 // 4096
    assert page_faults("default") > 50 * pages  # at least one array of each round faulted in afresh
    assert page_faults("kept") < pages  # fewer than one array's worth over all 50 rounds
