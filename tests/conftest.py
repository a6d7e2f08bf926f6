"""Shared test setup.

The browser fixtures (a served app, one Chromium for the whole run) are registered here once, so every
browser test module shares them (two Playwright sync instances cannot run in one process).

The app wires its pages with st.navigation; keep AppTest from falling back to the legacy
pages/-folder mode on every rerun (Streamlit 1.67 resets PagesManager.uses_pages_directory before
each AppTest run; a real server sets it once and st.navigation turns it off for good).
"""
from streamlit.runtime.pages_manager import PagesManager

_init = PagesManager.__init__


def _navigation_only(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    PagesManager.uses_pages_directory = False


PagesManager.__init__ = _navigation_only


from browser_support import app_url, browser, chromium_path, new_page  # noqa: E402,F401  (fixtures)
from postgres_support import postgres  # noqa: E402,F401  (fixture)
