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


def _report_approval(at) -> list[str]:
    at.switch_page("pages/report.py").run()
    assert not at.exception, at.exception
    return [h.proto.body for h in at.get("html") if "reportApproval" in h.proto.body]


def test_the_report_says_approved_for_the_opened_revision_and_not_once_the_work_changed(tmp_path, monkeypatch):
    from planner.catalogs import catalog
    from planner.plans.store import Access, Actor, Store
    from planner.plans.workspace import Workspace

    url = f"sqlite:///{tmp_path / 'plans.sqlite3'}"
    monkeypatch.setenv("PLANNER_DATABASE_URL", url)
    db = Store(url, access=Access(approvers=frozenset({"cfo@team.example"}), team_domains=frozenset({"team.example"})))
    work = Workspace(catalog.preset("retail"), preset="retail")
    plan = db.save(work, "Budget").plan_id
    approved = db.approve(plan, 1, Actor("cfo", "cfo@team.example")).text()
    at = start(plan=plan, rev="1")
    assert [approved in body for body in _report_approval(at)] == [True]
    at.text_input(key="sidebar.name").set_value("Budget, changed").run()
    [changed] = _report_approval(at)
    assert f"Not approved: changed since approval ({approved})" in changed
    db.save(work, "Budget", plan_id=plan)
    assert [f"Not approved: changed since approval ({approved})" in b for b in _report_approval(start(plan=plan))] == [
        True
    ]  # revision 2 inherits nothing


def test_every_workbook_and_table_download_of_an_opened_revision_carries_its_approval(tmp_path, monkeypatch):
    """The Costs page's and the Compare page's workbook (Notes sheet) and assumptions CSV say the opened revision's
    approval; the bytes are those the download buttons would give (their data functions, called here)."""
    import io

    import openpyxl
    import pandas as pd
    import streamlit as st

    from planner.catalogs import catalog
    from planner.plans.store import Access, Actor, Store
    from planner.plans.workspace import Workspace

    url = f"sqlite:///{tmp_path / 'plans.sqlite3'}"
    monkeypatch.setenv("PLANNER_DATABASE_URL", url)
    db = Store(url, access=Access(approvers=frozenset({"cfo@team.example"}), team_domains=frozenset({"team.example"})))
    plan = db.save(Workspace(catalog.preset("retail"), preset="retail"), "Budget").plan_id
    approved = db.approve(plan, 1, Actor("cfo", "cfo@team.example")).text()
    offered = {}  # the download buttons' data, by key, of the last run
    button = st.download_button

    def recording(label, data, *args, key=None, **kwargs):
        offered[key] = data
        return button(label, data, *args, key=key, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)

    def notes_and_assumptions(page: str, key: str) -> tuple[list, str]:
        offered.clear()
        at.switch_page(page).run()
        assert not at.exception, at.exception
        notes = openpyxl.load_workbook(io.BytesIO(offered[f"{key}.xlsx"]()))["Notes"]
        assumptions = pd.read_csv(io.BytesIO(offered[f"{key}.assumptions"]()), dtype=str)
        assert assumptions.iloc[-1]["field"] == "approval"
        return [notes["A2"].value, notes["B2"].value], assumptions.iloc[-1]["value"]

    at = start(plan=plan, rev="1")
    for page, key in (("pages/costs.py", "costs.download"), ("pages/compare.py", "compare.download_tables")):
        assert notes_and_assumptions(page, key) == (["Approval", approved], approved), page
    at.switch_page("pages/scenario.py").run()
    at.number_input(key="scenario.cameras").set_value(10).run()  # an edit after the approval
    changed = f"Not approved: changed since approval ({approved})"
    for page, key in (("pages/costs.py", "costs.download"), ("pages/compare.py", "compare.download_tables")):
        assert notes_and_assumptions(page, key) == (["Approval", changed], changed), page


def test_sign_out_sends_nothing_after_the_logout_redirect(tmp_path, monkeypatch):
    """Sign out clears the work and sends the browser to the logout address (which drops the cookie); the run
    stops there. Before, it went on: the page drawn again and the share link written into the address bar, a
    history update that could cancel the navigation to the logout address (seen in Chromium: no end-session
    request reached the provider, and the browser stayed signed in)."""
    import streamlit

    class SignedIn(dict):
        is_logged_in = True

    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{tmp_path / 'plans.sqlite3'}")
    monkeypatch.setattr(plans, "sign_in_configured", lambda: True)
    monkeypatch.setattr(streamlit, "user", SignedIn(email="cfo@team.example"))
    at = start()
    assert at.metric  # the Scenario page's key figures
    at.sidebar.button(key="auth.logout").click().run()
    assert not at.exception, at.exception
    assert not at.metric and not at.main.children  # nothing after the redirect
