"""Shared test setup.

The browser fixtures (a served app, one Chromium for the whole run) are registered here once, so every
browser test module shares them (two Playwright sync instances cannot run in one process); so are LibreOffice,
PostgreSQL and `url` (a SQLite, then a PostgreSQL plans database: tests/store_support.py).

Tiers: every test module says which tier it is in (`pytestmark = pytest.mark.unit`, …, one of TIERS); a test
that uses LibreOffice or PostgreSQL is also `external`, one that uses Chromium also `browser`. `make check`
runs `unit` and `oracle` without `external` under the quick Hypothesis profile; `make test` runs everything.

The app wires its pages with st.navigation; keep AppTest from falling back to the legacy
pages/-folder mode on every rerun (Streamlit 1.67 resets PagesManager.uses_pages_directory before
each AppTest run; a real server sets it once and st.navigation turns it off for good).
"""

import functools

import pytest
from streamlit.components.v2 import manifest_scanner
from streamlit.runtime.pages_manager import PagesManager

from planner.model import allocator

TIERS = {
    "unit": "pure functions of the engine, catalogs, advice, fleet and exports, in process",
    "oracle": "the engine against an independent calculation, or a property over generated inputs",
    "cli": "the command line, run as a separate process",
    "app": "pages driven by Streamlit's AppTest",
    "browser": "the served app driven in a real headless Chromium",
}
EXTERNAL_FIXTURES = {"libreoffice", "postgres"}  # a real LibreOffice or PostgreSQL server
BROWSER_FIXTURES = {"new_page", "browser", "app_url"}

_init = PagesManager.__init__


def _navigation_only(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    PagesManager.uses_pages_directory = False


PagesManager.__init__ = _navigation_only

# Each AppTest scans every installed distribution's metadata for custom components (~0.2 s); the installed
# packages do not change during a run, so the scan is done once.
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)
allocator.keep_freed_arrays()  # as the app and the command line do


from browser_support import app_url, browser, chromium_path, new_page, page_at, shared_pages  # noqa: E402,F401
from libreoffice_support import libreoffice  # noqa: E402,F401  (fixture)
from postgres_support import postgres  # noqa: E402,F401  (fixture)
from store_support import url  # noqa: E402,F401  (fixture: a SQLite, then a PostgreSQL plans database)


def pytest_configure(config):
    for name, text in TIERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    config.addinivalue_line("markers", "external: uses LibreOffice or a PostgreSQL server")


def pytest_collection_modifyitems(config, items):
    """Every test in exactly one tier; external and browser parts are marked by the fixtures they use."""
    untiered = []
    for item in items:
        tiers = [m.name for m in item.iter_markers() if m.name in TIERS]
        if len(set(tiers)) != 1:
            untiered.append(f"{item.nodeid}: tiers {sorted(set(tiers))}")
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & EXTERNAL_FIXTURES:
            item.add_marker(pytest.mark.external)
        if fixtures & BROWSER_FIXTURES and "browser" not in tiers:
            untiered.append(f"{item.nodeid}: uses Chromium outside the browser tier")
    if untiered:
        raise pytest.UsageError(
            "tests without exactly one tier (see tests/conftest.py TIERS):\n" + "\n".join(untiered[:20])
        )


_TIER_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report):
    """Add each test's setup, call and teardown time to its tier (on the controller too, under xdist)."""
    tier = next((name for name in TIERS if name in report.keywords), "untiered")
    if "external" in report.keywords:
        tier += " (external)"
    _TIER_SECONDS[tier] = _TIER_SECONDS.get(tier, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter):
    """Time per tier, summed over the workers (so it can exceed the wall-clock time)."""
    if _TIER_SECONDS and not hasattr(terminalreporter.config, "workerinput"):
        times = ", ".join(f"{tier} {seconds:,.0f} s" for tier, seconds in sorted(_TIER_SECONDS.items()))
        terminalreporter.write_line(f"time per tier (summed over workers): {times}")
