"""The engine's allocator settings, applied once by each entry point (the app, the command line, the benchmarks and
the tests): numpy's arrays reuse freed memory instead of faulting in fresh pages.

numpy takes every array from the C allocator. glibc's malloc maps an array above its threshold (128 KiB, rising
with use) in fresh pages from the operating system, and hands the pages back when the array is freed; it also
trims its heap's free top. The engine makes and frees many arrays of (rows × months) floats per evaluation, so each
one paid a page fault per 4 KiB on first write, which on a virtual machine costs several microseconds: `np.where`
of two 2,000 × 120 arrays took 4.7 ms instead of 0.5 ms, and the engine ran about 1.3 × its numpy floor instead of
about 1.0 × (`make bench`). `keep_freed_arrays` lets malloc serve arrays of up to ARRAY_HEAP_BYTES from its heap and
keep up to HEAP_KEPT_BYTES of freed memory for the next ones.
"""

from __future__ import annotations

import ctypes
import functools
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's parameters (glibc's malloc.h)
ARRAY_HEAP_BYTES = 64 * 2**20  # larger arrays are still mapped and unmapped one by one
HEAP_KEPT_BYTES = 256 * 2**20  # freed heap kept for the next arrays, at most, before it is handed back


@functools.cache
def keep_freed_arrays() -> bool:
    """Set glibc malloc's thresholds (see the module's docstring); True when set. Elsewhere (macOS, musl, Windows)
    it does nothing and returns False: the figures are right either way, only slower."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, ARRAY_HEAP_BYTES)) and bool(mallopt(M_TRIM_THRESHOLD, HEAP_KEPT_BYTES))
