"""The app without sign-in configured: single-user as before, and the Plans page says plainly that anyone who
reaches it can read and revise every plan; the sign-in rules themselves are tested in a browser
(test_browser_teams.py) and in the store (test_store_access.py)."""
from __future__ import annotations

import pytest

from app_support import start
from planner.ui import plans

pytestmark = pytest.mark.app


def test_without_sign_in_the_plans_page_says_everyone_may_read_and_revise_every_plan(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{tmp_path / 'plans.sqlite3'}")
    at = start()
    at.switch_page("pages/plans.py").run()
    assert not at.exception, at.exception
    said = " ".join(m.value for m in at.markdown)
    assert "anyone who can reach this app can read and revise every plan" in said
    assert plans.OPEN_TO_ALL.startswith("Sign-in is not configured")
    assert not [b for b in at.button if b.label in ("Sign in", "Sign out")]
