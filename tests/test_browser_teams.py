"""Sign-in in a real browser against a real OpenID Connect provider (oidc-provider-mock on 127.0.0.1, started
here): Chromium signs in as the owner's teammate, an outsider and an approver. The teammate cannot list or open
(by link, by `&rev=`) the owner's private plan and cannot approve; the approver approves, the approval shows and
survives a reload, prints in the report (Chromium's PDF, read with pdftotext) and is in the workbook's Notes sheet;
after an edit the page, the printed report and the workbook say the work changed since approval; signing out clears
the session's work."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path
from unittest import mock

import openpyxl
import pytest
from browser_support import free_port, screenshot, serve_app, wait_for_idle
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from test_browser_report import LOADED_MS, poppler, printed  # noqa: F401  (poppler: a fixture)

from planner.catalogs import catalog
from planner.plans.store import Access, Actor, Store
from planner.plans.workspace import Workspace

pytestmark = pytest.mark.browser

WORK = Workspace(catalog.preset("retail"), preset="retail")
OWNER, TEAMMATE, APPROVER = "alice@team.example", "bob@team.example", "cfo@team.example"
ACCESS = Access(approvers=frozenset({APPROVER}), team_domains=frozenset({"team.example"}))


@contextmanager
def oidc_provider(log: Path):
    """oidc-provider-mock on a free loopback port; yields its URL; stops that process by its PID."""
    port = free_port()
    script = Path(sys.executable).parent / "oidc-provider-mock"
    with open(log, "w") as fh:
        proc = subprocess.Popen(
            [str(script), "--host", "127.0.0.1", "--port", str(port)], stdout=fh, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/.well-known/openid-configuration", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"the OpenID Connect provider did not come up:\n{log.read_text()}")
            time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request, chromium_path, tmp_path_factory):
    """(app URL, database URL, plan ids): an app with sign-in on a database (SQLite, or the throw-away PostgreSQL
    server) holding the owner's private plan and team plan."""
    root = tmp_path_factory.mktemp("teams-app")
    database = (
        f"sqlite:///{root / 'plans.sqlite3'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres").createdb()
    )
    db = Store(database, access=ACCESS)
    owner = Actor(OWNER, OWNER)  # the mock provider's subject is the name typed in
    ids = {
        "private": db.save(WORK, "Alice private", actor=owner).plan_id,
        "team": db.save(WORK, "Alice team plan", actor=owner, visibility="team").plan_id,
    }
    db.close()
    with ExitStack() as stack:
        provider = stack.enter_context(oidc_provider(root / "provider.log"))
        port = free_port()
        secrets = root / "secrets.toml"
        secrets.write_text(f'''[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "a-long-random-string-for-the-tests-only-0123456789"
client_id = "planner-test"
client_secret = "planner-test-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[planner.access]
approvers = ["{APPROVER}"]
team_domains = ["team.example"]
''')
        with mock.patch.dict(os.environ, {"PLANNER_DATABASE_URL": database}):  # for the server process only
            url = stack.enter_context(
                serve_app(root / "server.log", port=port, options=("--secrets.files", str(secrets)))
            )
        yield url, database, ids


def sign_in(new_page, url: str, who: str):
    page = new_page(url)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("input[name=sub]")
    page.fill("input[name=sub]", who)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**")
    wait_for_idle(page)
    name, _, domain = who.partition("@")  # the page writes a word joiner after @ (no mail link)
    expect(page.get_by_text(re.compile(f"Signed in as {name}@\u2060?{re.escape(domain)}"))).to_be_visible()
    return page


def plans_page(page, url: str, query: str = "") -> None:
    page.goto(f"{url}/plans{query}")
    wait_for_idle(page)
    expect(page.get_by_role("heading", name="Plans", exact=True)).to_be_visible()


def listed_plans(page) -> list[str]:
    """The names in the Plans page's plan box (its list opens outside the main area; it can close again as it
    opens while the page still scrolls the box into view: then it is opened once more)."""
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")
    box = page.get_by_test_id("stMain").get_by_role("combobox", name="Plan", exact=True)
    box.scroll_into_view_if_needed()
    for attempt in range(3):
        box.click()
        try:
            page.get_by_role("option").first.wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    names = [o.split(" · ")[0] for o in page.get_by_role("option").all_inner_texts()]
    page.keyboard.press("Escape")
    return names


def sign_out(page) -> None:
    """Click *Sign out*: the session forgets the user at once (its page shows *Sign in*), then the browser goes to
    the app's logout address, which drops the cookie, and on to the provider's end-session page (the mock's stops
    there). Done only there: a page loaded before would cut the logout short and keep the cookie, signed in. A
    click on a button of a run being replaced is lost: then it is clicked once more."""
    for attempt in range(3):
        try:
            if "end_session" not in page.url:
                page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")
                sign_out_button = page.get_by_role("button", name="Sign out")
                if sign_out_button.count():  # none: the click went through, the browser is on its way
                    sign_out_button.click()
            page.wait_for_url("**/oauth2/end_session**", timeout=20_000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise


def test_sign_in_is_required(new_page, served):
    url, _, _ = served
    page = new_page(url)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)


def test_a_teammate_cannot_list_or_open_a_private_plan_nor_approve(new_page, served):
    url, _, ids = served
    page = sign_in(new_page, url, TEAMMATE)
    plans_page(page, url)
    assert listed_plans(page) == ["Alice team plan"]
    for query in (f"?plan={ids['private']}", f"?plan={ids['private']}&rev=1"):
        page.goto(f"{url}/{query}")
        wait_for_idle(page)
        expect(page.get_by_text(f"there is no plan '{ids['private']}'")).to_be_visible()
    plans_page(page, url, f"?plan={ids['team']}&rev=1")
    expect(page.get_by_text("Not approved", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Approve revision 1")).to_have_count(0)


def test_the_approver_approves_and_the_approval_survives_a_reload_and_sign_out_clears_the_work(new_page, served):
    url, database, ids = served
    page = sign_in(new_page, url, APPROVER)
    plans_page(page, url, f"?plan={ids['team']}&rev=1")
    page.get_by_role("button", name="Approve revision 1").click()
    wait_for_idle(page)
    approved = re.compile("Approved by cfo@\u2060?team\\.example on \\d{4}-\\d\\d-\\d\\d")
    expect(page.get_by_text(approved).first).to_be_visible()
    page.reload()
    wait_for_idle(page)
    expect(page.get_by_text(approved).first).to_be_visible()
    assert [a.approver for a in Store(database, migrate=False).approvals(ids["team"])] == [APPROVER]
    sign_out(page)
    page.goto(url)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Alice team plan")).to_have_count(0)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    page.goto(f"{url}/plans?plan={ids['team']}")  # the session's work is gone, the link asks
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()  # for sign-in again
    expect(page.get_by_text("Alice team plan")).to_have_count(0)


def go_to(page, title: str) -> None:
    """A page of the sidebar, in the same session (the opened plan stays the work)."""
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    wait_for_idle(page, LOADED_MS)


def printed_approval(page, name: str) -> str:
    """The Report page printed by Chromium to an A4 PDF: its text, lines joined by blanks."""
    go_to(page, "Report (print)")
    expect(page.get_by_test_id("reportApproval")).to_be_visible()
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .main-svg').length >= 3", timeout=LOADED_MS
    )
    wait_for_idle(page, LOADED_MS)
    return " ".join(printed(page, name, "A4")[1])


def workbook_approval(page, tmp_path: Path, name: str) -> list:
    """The Costs page's workbook, downloaded: the Notes sheet's second row."""
    go_to(page, "Costs & break-even")
    with page.expect_download() as download:
        page.get_by_role("button", name="Workbook (.xlsx, live formulas)").click()
    path = tmp_path / f"{name}.xlsx"
    download.value.save_as(path)
    screenshot(page, f"teams-costs-{name}")
    notes = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))["Notes"]
    return [notes["A2"].value, notes["B2"].value]


@pytest.mark.usefixtures("poppler")
def test_the_approval_prints_and_is_in_the_workbook_and_an_edit_after_it_is_not_approved(new_page, served, tmp_path):
    url, database, _ = served
    plan = (
        Store(database, access=ACCESS).save(WORK, "Alice budget", actor=Actor(OWNER, OWNER), visibility="team").plan_id
    )
    page = sign_in(new_page, url, APPROVER)
    plans_page(page, url, f"?plan={plan}&rev=1")
    page.get_by_role("button", name="Approve revision 1").click()
    wait_for_idle(page)
    expect(page.get_by_text(re.compile("Approved by cfo@")).first).to_be_visible()
    [stored] = Store(database, migrate=False).approvals(plan)
    approved = f"Approved by {APPROVER} on {stored.approved_at:%Y-%m-%d %H:%M} UTC (revision 1)"
    database_kind = "sqlite" if database.startswith("sqlite") else "postgresql"

    assert approved in printed_approval(page, f"teams-approved-{database_kind}")
    assert workbook_approval(page, tmp_path, f"approved-{database_kind}") == ["Approval", approved], (
        page.get_by_test_id("stSidebar").inner_text()  # what the page says changed, if anything
    )

    go_to(page, "Scenario")
    cameras = page.get_by_role("spinbutton", name="Cameras")
    cameras.fill(str(WORK.scenario.cameras + 2))
    cameras.press("Enter")
    wait_for_idle(page)
    changed = f"Not approved: changed since approval ({approved})"
    assert changed in printed_approval(page, f"teams-changed-{database_kind}")
    assert workbook_approval(page, tmp_path, f"changed-{database_kind}") == ["Approval", changed]
    go_to(page, "Plans")
    expect(page.get_by_text("Not approved: changed since approval (Approved by cfo@").first).to_be_visible()
