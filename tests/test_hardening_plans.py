"""Saved plans under stress: the Plans page's select boxes when their options change under the browser, a save
behind another connection's lock (a real PostgreSQL server), two sessions saving on top of one revision, SQLite
files the store cannot use, secrets of the wrong shape, and what a visitor is told (no paths, hosts or users)."""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from app_support import APP, start
from browser_support import free_port
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import ElementTree
from test_app_plans import messages, on_plans_page, save

from planner.catalogs import catalog
from planner.plans import store
from planner.plans.store import Store, StoreBusy, StoreConflict, StoreError, StoreUnavailable
from planner.plans.workspace import Workspace
from planner.schema.scenario import replace

pytestmark = pytest.mark.app  # the Plans page (AppTest) and the store under it, on SQLite and PostgreSQL

RETAIL, VESSEL, OIL = catalog.preset("retail"), catalog.preset("vessel"), catalog.preset("oil_gas")


@pytest.fixture
def url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'plans.sqlite3'}"
    monkeypatch.setenv("PLANNER_DATABASE_URL", url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    url = (
        f"sqlite:///{tmp_path / 'plans.sqlite3'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres").createdb()
    )
    s = Store(url)
    yield s
    s.close()


def with_cameras(cameras: int) -> Workspace:
    return Workspace(replace(RETAIL, cameras=cameras), preset="retail")


# ── 7. The Plans page's select boxes when their options change under the browser ───────────────────
@pytest.fixture
def browser_still_sends(monkeypatch):
    """Make the session send, for these widget ids, the labels given (what Streamlit's frontend does: a select box
    keeps the label it shows when its options change under it, and sends it back with the next interaction).
    Only for widgets still on the page, as the browser drops the rest."""
    stale: dict[str, str] = {}
    widget_states = ElementTree.get_widget_states

    def with_stale_labels(tree):
        states = widget_states(tree)
        for state in states.widgets:
            if state.id in stale:
                state.string_value = stale[state.id]
        return states

    monkeypatch.setattr(ElementTree, "get_widget_states", with_stale_labels)
    return stale


def shown_label(box) -> dict[str, str]:
    """A select box's id and the label it shows."""
    return {box.id: box.options[box.index]}


def revision_box(at: AppTest):
    [box] = [s for s in at.selectbox if s.label == "Revision"]
    return box


def test_the_second_plan_of_the_list_opens_in_a_fresh_session(url, browser_still_sends):
    """Reported: pick the second plan in a fresh session, click "Open this revision": "plan '…' has no revision
    Revision 1 · 2026-12" — the revision box still held the first plan's label, handed over as the number."""
    db = Store(url)
    second = db.save(Workspace(VESSEL), "Plan A", note="as proposed").plan_id  # the older: listed second
    db.save(Workspace(OIL), "Plan B", note="as approved")
    at = on_plans_page(start())
    browser_still_sends.update(shown_label(revision_box(at)))  # "Revision 1 · … · as approved" (Plan B's)
    at.selectbox(key="plans.pick").set_value(second).run()
    at.button(key="plans.open").click().run()
    assert messages(at, "error") == []
    assert messages(at, "success")[-1].startswith("Opened “Plan A” revision 1")
    assert at.session_state["scenario"] == VESSEL


def test_a_plan_whose_label_changed_under_the_browser_is_still_the_one_opened(url, browser_still_sends):
    """A plan's label counts its revisions: another session's save changes it while the browser shows the old one."""
    db = Store(url)
    db.save(Workspace(RETAIL), "Other plan")
    plan = db.save(Workspace(VESSEL), "Store A").plan_id  # the last changed: picked
    at = on_plans_page(start())
    browser_still_sends.update(shown_label(at.selectbox(key="plans.pick")))  # "Store A · scenario · 1 revision"
    db.save(Workspace(OIL), "Store A", plan_id=plan)  # elsewhere: revision 2
    at.run()
    at.button(key="plans.open").click().run()
    assert messages(at, "error") == []
    assert messages(at, "success")[-1].startswith("Opened “Store A” revision 1")  # the revision the box showed
    assert at.session_state["scenario"] == VESSEL
    at.run()
    assert at.selectbox(key="plans.pick").value == plan  # still that plan, not the list's first


def test_two_plans_of_one_name_are_told_apart_in_the_list(url):
    """The browser sends the picked plan's label: two plans that would share one must not."""
    db = Store(url)
    older = db.save(Workspace(VESSEL), "Store A").plan_id
    newer = db.save(Workspace(OIL), "Store A").plan_id
    at = on_plans_page(start())
    for plan, scenario in ((older, VESSEL), (newer, OIL)):
        at.selectbox(key="plans.pick").set_value(plan).run()
        at.button(key="plans.open").click().run()
        assert at.session_state["scenario"] == scenario  # not the other Store A's
    assert at.selectbox(key="plans.pick").options == [
        f"Store A · scenario · 1 revision · {newer[:8]}",
        f"Store A · scenario · 1 revision · {older[:8]}",
    ]


# ── 9. A save behind another connection's row lock (PostgreSQL) ───────────────────────────────────
@contextmanager
def row_locked(url: str, plan_id: str):
    """Another connection holds plan `plan_id`'s row (SELECT … FOR UPDATE in an open transaction) until the end."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            connection.execute(sa.select(store.plans.c.id).where(store.plans.c.id == plan_id).with_for_update())
            try:
                yield
            finally:
                transaction.rollback()
    finally:
        engine.dispose()


def within(seconds: float, function, *args):
    """Run function(*args) in a thread: (whether it ended within `seconds`, a list that gets its result or its
    exception). A call that hangs is left behind, so a regression fails the test rather than hanging it."""
    outcome: list = []

    def call():
        try:
            outcome.append(function(*args))
        except Exception as exc:  # reported to the test
            outcome.append(exc)

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(timeout=seconds)
    return not worker.is_alive(), outcome, worker


def test_a_save_behind_a_row_lock_ends_busy_rather_than_waiting(postgres, monkeypatch):
    monkeypatch.setenv("PLANNER_DATABASE_LOCK_TIMEOUT_S", "0.5")
    url = postgres.createdb()
    db = Store(url)
    plan = db.save(with_cameras(50), "Locked").plan_id
    with row_locked(url, plan):
        ended, outcome, saver = within(20, db.save, with_cameras(60), "Locked", plan)
    saver.join(timeout=20)  # the lock is gone: a save that waited ends now
    assert ended, "the save was still waiting for the lock after 20 s"
    [busy] = outcome
    assert isinstance(busy, StoreBusy) and busy.public == "the plans database is busy; try again"
    assert str(busy).startswith("the plans database (postgresql+psycopg://planner@") and "busy" in str(busy)
    assert [r.number for r in db.revisions(plan)] == [1]  # nothing stored
    assert db.save(with_cameras(60), "Locked", plan_id=plan).number == 2  # and it saves once the lock is gone
    with db.engine.connect() as connection:
        settings = {
            name: connection.execute(sa.text(f"show {name}")).scalar() for name in ("lock_timeout", "statement_timeout")
        }
        parameters = connection.connection.driver_connection.info.get_parameters()
    assert settings == {"lock_timeout": "500ms", "statement_timeout": "1min"}
    assert parameters["connect_timeout"] == str(store.CONNECT_TIMEOUT_S)
    db.close()


def test_the_page_says_busy_and_keeps_the_work(postgres, monkeypatch):
    monkeypatch.setenv("PLANNER_DATABASE_LOCK_TIMEOUT_S", "0.5")
    url = postgres.createdb()
    monkeypatch.setenv("PLANNER_DATABASE_URL", url)
    plan = Store(url).save(Workspace(RETAIL, preset="retail"), "Locked").plan_id
    at = start(plan=plan)
    at.number_input(key="scenario.cameras").set_value(70).run()
    at = on_plans_page(at)
    at.text_input(key="plans.note").set_value("seventy")
    with row_locked(url, plan):
        ended, _, saver = within(20, at.button(key="plans.save").click().run)
    saver.join(timeout=40)
    assert ended, "the page was still saving behind the lock after 20 s"
    assert messages(at, "error") == [
        "Not saved: the plans database is busy; try again. Your work is still here: "
        "download it below, or save again once the database is back."
    ]
    assert at.session_state["scenario"].cameras == 70
    save(at, note="seventy")
    assert messages(at, "success") == ["Saved “Locked” as revision 2."]


# ── 10. Saving on top of a revision that is no longer the latest ─────────────────────────────────────
def test_a_save_on_top_of_an_older_revision_is_refused_with_the_latest(db):
    plan = db.save(with_cameras(50), "Shared").plan_id
    assert db.save(with_cameras(60), "Shared", plan_id=plan, base=1).number == 2
    assert db.save(with_cameras(70), "Shared", plan_id=plan, base=2).number == 3  # one of two who opened 2
    with pytest.raises(StoreConflict) as refused:
        db.save(with_cameras(80), "Shared", plan_id=plan, base=2, note="the other")
    assert (refused.value.plan_id, refused.value.base, refused.value.latest) == (plan, 2, 3)
    assert str(refused.value) == (
        f"revision 3 of plan {plan!r} was saved after revision 2, which this work started from: nothing was saved"
    )
    assert [r.number for r in db.revisions(plan)] == [3, 2, 1]  # nothing stored
    assert db.plans()[0].revisions == 3
    forced = db.save(with_cameras(80), "Shared", plan_id=plan, base=2, force=True, note="the other")
    assert forced.number == 4 and db.open(plan).workspace.scenario.cameras == 80
    assert db.open(plan, 3).workspace.scenario.cameras == 70  # kept in the history


def test_two_sessions_on_one_revision_the_second_save_warns_and_shows_what_changed(url):
    db = Store(url)
    plan = db.save(with_cameras(50), "Shared").plan_id
    db.save(with_cameras(60), "Shared", plan_id=plan)
    first, second = start(plan=plan, rev="2"), start(plan=plan, rev="2")
    first.number_input(key="scenario.cameras").set_value(70).run()
    save(on_plans_page(first), note="seventy")
    assert messages(first, "success") == ["Saved “Shared” as revision 3."]
    second.number_input(key="scenario.bitrate_mbps").set_value(6.0).run()
    save(on_plans_page(second), note="sharper video")
    [warning] = messages(second, "warning")
    saved_at = db.revisions(plan)[0].saved_at
    assert warning == (
        f"Not saved: revision 3 of “Shared” was saved ({saved_at:%Y-%m-%d %H:%M} UTC) after revision "
        "2, which your work started from. Saving now would set its changes aside. What it changed:"
    )
    assert [r.number for r in db.revisions(plan)] == [3, 2, 1]  # nothing stored
    changes = second.table[0].value  # the first on the page
    assert changes.to_dict("records") == [  # the other session's edit (an edit marks the scenario's name)
        {"Input": "Cameras", "Unit": "cameras", "Revision 2": "60", "Revision 3": "70"},
        {"Input": "Scenario name", "Unit": "", "Revision 2": RETAIL.name, "Revision 3": f"{RETAIL.name} (edited)"},
    ]
    assert at_button_labels(second) >= {"Save anyway (as revision 4)", "Open the latest (revision 3)"}
    second.button(key="plans.save_anyway").click().run()
    assert messages(second, "success") == ["Saved “Shared” as revision 4."]
    assert messages(second, "warning") == []
    assert db.open(plan).workspace.scenario.bitrate_mbps == 6.0 and db.open(plan).revision.note == "sharper video"
    assert db.open(plan, 3).workspace.scenario.cameras == 70


def test_the_second_session_can_open_the_latest_instead(url):
    db = Store(url)
    plan = db.save(with_cameras(50), "Shared").plan_id
    first, second = start(plan=plan), start(plan=plan)
    first.number_input(key="scenario.cameras").set_value(70).run()
    save(on_plans_page(first))
    second.number_input(key="scenario.cameras").set_value(90).run()
    save(on_plans_page(second))
    assert messages(second, "warning")[0].startswith("Not saved: revision 2 of “Shared” was saved")
    second.button(key="plans.open_latest").click().run()
    assert messages(second, "success")[0].startswith("Opened “Shared” revision 2")
    assert second.session_state["scenario"].cameras == 70 and messages(second, "warning") == []
    save(second)  # on top of the latest: no conflict
    assert messages(second, "success") == ["Saved “Shared” as revision 3."]


def at_button_labels(at: AppTest) -> set[str]:
    return {b.label for b in at.button}


# ── 14. SQLite files the store cannot use ─────────────────────────────────────────────────────────
def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def test_a_text_file_as_the_database_is_named(tmp_path):
    text = tmp_path / "plans.sqlite3"
    text.write_text("name,cameras\nStore A,50\n")
    with pytest.raises(StoreUnavailable) as caught:
        Store(sqlite_url(text))
    assert str(caught.value) == (
        f"the plans database (sqlite:///{text}) cannot be used: the file is not a SQLite "
        "database (file is not a database)"
    )
    assert caught.value.public == "the plans database cannot be used: the file is not a SQLite database"


@pytest.mark.parametrize("below", ["plans.sqlite3", "plans/plans.sqlite3"])
def test_a_path_below_a_regular_file_is_named(tmp_path, below):
    (tmp_path / "notes.txt").write_text("not a folder")
    with pytest.raises(StoreUnavailable) as caught:
        Store(sqlite_url(tmp_path / "notes.txt" / below))
    assert caught.value.public == "the plans database cannot be used: a part of its path is a file, not a folder"
    assert str(caught.value).startswith(
        f"the plans database (sqlite:///{tmp_path / 'notes.txt' / below}) cannot be "
        "used: a part of its path is a file, not a folder ("
    )


def _store_problem(url: str) -> tuple[str, str, str] | None:
    """Store(url)'s error (class, message, public message), or None."""
    try:
        Store(url).close()
    except Exception as exc:  # any: the test names what it expects
        return type(exc).__name__, str(exc), getattr(exc, "public", "")
    return None


def as_unprivileged_user(function, *args):
    """function(*args) in a forked process, as the user nobody when the tests run as root (root ignores file
    permissions). The modules it needs must be imported already: nobody cannot read root's Python."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()

    def child():
        if os.geteuid() == 0:
            os.setgid(65534)
            os.setuid(65534)
        results.put(function(*args))

    process = context.Process(target=child)
    process.start()
    try:
        return results.get(timeout=60)
    finally:
        process.join(timeout=60)


@pytest.mark.parametrize(
    "below, public",
    [
        ("plans.sqlite3", "its folder is read-only (permission denied)"),
        ("plans/plans.sqlite3", "its folder cannot be made (permission denied)"),
    ],
)
def test_a_read_only_folder_that_cannot_be_listed_is_named(below, public):
    root = Path(tempfile.mkdtemp(prefix="planner-ro-"))
    try:
        Store(sqlite_url(root / "warm-up.sqlite3")).close()  # imports what the store needs, for the child
        locked = root / "locked"
        locked.mkdir()
        root.chmod(0o755)
        locked.chmod(0o111)  # read-only, cannot be listed
        kind, message, shown = as_unprivileged_user(_store_problem, sqlite_url(locked / below))
        assert kind == "StoreUnavailable"
        assert shown == f"the plans database cannot be used: {public}"
        assert message.startswith(f"the plans database (sqlite:///{locked / below}) cannot be used: {public} (")
    finally:
        (root / "locked").chmod(0o755)
        shutil.rmtree(root, ignore_errors=True)


# ── 15. Secrets of the wrong shape ─────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    "secrets, message",
    [
        (
            {"connections": {"planner": {"url": 12}}},
            "url in [connections.planner] in the secrets must be a database URL in quotes, not a number",
        ),
        (
            {"connections": {"planner": {"url": " "}}},
            "url in [connections.planner] in the secrets must be a database URL in quotes, not empty text",
        ),
        (
            {"connections": {"planner": {"url": "plans.sqlite3"}}},
            "url in [connections.planner] in the secrets is not a database URL: Could not parse SQLAlchemy URL from given "
            "URL string",
        ),
        (
            {"connections": {"planner": {"url": "postgresq://db/plans"}}},
            "url in [connections.planner] in the secrets is not a usable database URL (postgresq://db/plans): Can't load "
            "plugin: sqlalchemy.dialects:postgresq",
        ),
        (
            {"connection": {"planner": {"url": "sqlite:///x.db"}}},
            "the secrets have [connection] but no [connections]: the plans database is read from [connections.planner]",
        ),
        (
            {"Connections": {"planner": {"url": "sqlite:///x.db"}}},
            "the secrets have [Connections] but no [connections]: the plans database is read from [connections.planner]",
        ),
        (
            {"connections": 5},
            "connections in the secrets is a number, not a table: the plans database is read from [connections.planner] "
            '(url = "...")',
        ),
        (
            {"connections": {"planer": {"url": "sqlite:///x.db"}}},
            "the secrets have [connections.planer] but no [connections.planner]: the plans database is read from "
            "[connections.planner]",
        ),
        (
            {"connections": {"planner": ["sqlite:///x.db"]}},
            '[connections.planner] in the secrets is a list, not a table of settings (url = "...")',
        ),
        (
            {"connections": {"planner": {"uri": "sqlite:///x.db"}}},
            "[connections.planner] in the secrets has 'uri', which is not a setting: give url, or dialect, driver, "
            "username, password, host, port, database, query",
        ),
        (
            {"connections": {"planner": {"dialect": "postgresql", "host": 5}}},
            "host in [connections.planner] in the secrets must be text in quotes, not a number",
        ),
        (
            {"connections": {"planner": {"dialect": "postgresql", "port": "5432"}}},
            "port in [connections.planner] in the secrets must be a whole number from 1 to 65535, not text",
        ),
        (
            {"connections": {"planner": {"dialect": "postgresql", "port": 70000}}},
            "port in [connections.planner] in the secrets must be a whole number from 1 to 65535, not a number",
        ),
        (
            {"connections": {"planner": {"dialect": "postgresql", "query": "sslmode=require"}}},
            "query in [connections.planner] in the secrets must be a table of text settings (query = { sslmode = "
            '"require" }), not text',
        ),
    ],
)
def test_secrets_of_the_wrong_shape_name_their_key(tmp_path, secrets, message):
    environ = {"PLANNER_DATABASE_PATH": str(tmp_path / "fallback.sqlite3")}
    with pytest.raises(StoreError) as caught:
        store.database_url(environ, secrets)
    assert str(caught.value) == message
    assert "PLANNER_DATABASE_URL" not in str(caught.value)


def test_other_connections_and_streamlits_own_setting_are_left_alone(tmp_path):
    environ = {"PLANNER_DATABASE_PATH": str(tmp_path / "x.db")}
    assert (
        store.database_url(environ, {"connections": {"analytics": {"url": "sqlite://"}}})
        == f"sqlite:///{tmp_path / 'x.db'}"
    )
    assert (
        store.database_url(
            environ, {"connections": {"planner": {"url": "sqlite:///p.db", "create_engine_kwargs": {"echo": True}}}}
        )
        == "sqlite:///p.db"
    )


def test_a_misspelt_secrets_table_stops_the_page_rather_than_saving_elsewhere(tmp_path, monkeypatch):
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    monkeypatch.setenv("PLANNER_DATABASE_PATH", str(tmp_path / "fallback.sqlite3"))
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.secrets["connection"] = {"planner": {"url": f"sqlite:///{tmp_path / 'meant.sqlite3'}"}}
    at.run()
    at = on_plans_page(at)
    save(at, "Where?")
    assert [m.replace("\\", "") for m in messages(at, "error")] == [  # without Markdown's escapes
        "Not saved: the secrets have [connection] but no [connections]: the plans database is read from "
        "[connections.planner]. Your work is still here: download it below, or save again once the database is back.",
        "The saved plans cannot be listed: the secrets have [connection] but no [connections]: the plans database "
        "is read from [connections.planner].",
    ]
    assert not (tmp_path / "fallback.sqlite3").exists() and not (tmp_path / "meant.sqlite3").exists()


# ── 16. What visitors see, and what the server's log keeps ─────────────────────────────────────────
def page_text(at: AppTest) -> str:
    """Everything the session's page sends to the browser, as text."""
    return "\n".join(str(node.proto) for node in at._tree if hasattr(node, "proto"))


def test_a_malformed_secrets_file_is_named_without_its_path(tmp_path, monkeypatch, caplog):
    import streamlit as st
    from streamlit import config

    secrets = tmp_path / "hidden-dir" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text('[connections.planner]\nurl = "sqlite:///x.db\n')
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    monkeypatch.setattr(st.secrets, "_secrets", None)
    previous = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(secrets)])
    try:
        with caplog.at_level(logging.WARNING):
            at = on_plans_page(start())
    finally:
        config.set_option("secrets.files", previous)
    assert messages(at, "error") == [
        "The saved plans cannot be listed: the app's secrets file cannot be read (it is not valid TOML)."
    ]
    assert "hidden-dir" not in page_text(at) and str(tmp_path) not in page_text(at)
    assert any(str(secrets) in r.getMessage() for r in caplog.records if r.name == "planner.ui.plans")


def test_an_unreachable_database_is_named_without_its_host_user_or_name(monkeypatch, caplog):
    port = free_port()  # nothing listens there
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"postgresql+psycopg://ops_user:s3cret@127.0.0.1:{port}/plans_prod")
    with caplog.at_level(logging.WARNING):
        at = on_plans_page(start())
        save(at, "Unreachable")
    assert messages(at, "error") == [
        "Not saved: the plans database cannot be reached. Your work is still here: download it below, or save again "
        "once the database is back.",
        "The saved plans cannot be listed: the plans database cannot be reached.",
    ]
    shown = page_text(at)
    assert [detail for detail in ("ops_user", "s3cret", "127.0.0.1", f":{port}", "plans_prod") if detail in shown] == []
    logged = [r.getMessage() for r in caplog.records if r.name == "planner.ui.plans"]
    assert logged and all(f"ops_user:***@127.0.0.1:{port}/plans_prod" in m and "s3cret" not in m for m in logged)


def test_an_unusable_sqlite_file_is_named_without_its_path(tmp_path, monkeypatch, caplog):
    (tmp_path / "notes.txt").write_text("not a folder")
    path = tmp_path / "notes.txt" / "plans.sqlite3"
    monkeypatch.setenv("PLANNER_DATABASE_URL", sqlite_url(path))
    with caplog.at_level(logging.WARNING):
        at = on_plans_page(start())
    assert messages(at, "error") == [
        "The saved plans cannot be listed: the plans database cannot be used: a part of "
        "its path is a file, not a folder."
    ]
    assert str(tmp_path) not in page_text(at)
    assert any(str(path) in r.getMessage() for r in caplog.records if r.name == "planner.ui.plans")
