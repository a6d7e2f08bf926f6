"""The plans database on real SQLite and a real PostgreSQL server (tests/postgres_support.py)."""

from __future__ import annotations

import hashlib
import multiprocessing
import time
from collections import Counter

import pytest
import sqlalchemy as sa
from store_support import old_database_with_a_plan

from planner.catalogs import catalog
from planner.plans import store
from planner.plans.store import PlanNotFound, Store, StoreError, StoreUnavailable, UnreadablePlan
from planner.plans.workspace import Workspace, to_json
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit

RETAIL = catalog.preset("retail")
WORKSPACE = Workspace(RETAIL, preset="retail")


@pytest.fixture
def db(url):
    s = Store(url)
    yield s
    s.close()


def with_cameras(cameras: int) -> Workspace:
    return WORKSPACE.with_scenario(replace(RETAIL, cameras=cameras))


def test_a_new_plan_gets_a_random_128_bit_id_and_revision_1(db):
    first, second = db.save(WORKSPACE, "Store A"), db.save(WORKSPACE, "Store A")
    assert (first.number, second.number) == (1, 1)
    assert first.plan_id != second.plan_id
    assert all(len(r.plan_id) == 32 and int(r.plan_id, 16) >= 0 for r in (first, second))


def test_every_save_is_a_new_immutable_revision(db):
    plan = db.save(with_cameras(50), "Store A", note="as proposed").plan_id
    db.save(with_cameras(80), "Store A", plan_id=plan, note="as approved")
    db.save(with_cameras(120), "Store A (phase 2)", plan_id=plan)
    assert [(r.number, r.note) for r in db.revisions(plan)] == [(3, ""), (2, "as approved"), (1, "as proposed")]
    assert db.open(plan).workspace.scenario.cameras == 120  # the latest
    assert db.open(plan, 1).workspace.scenario.cameras == 50  # untouched by later saves
    assert db.open(plan, 2).workspace.scenario.cameras == 80
    assert db.open(plan, 2).document == to_json(with_cameras(80))  # stored byte for byte
    assert [(p.name, p.revisions) for p in db.plans()] == [("Store A (phase 2)", 3)]


def test_the_whole_workspace_comes_back(db):
    answers = {"response_ms": 80, "connectivity": "intermittent"}
    from planner.advice import advisor

    saved = Workspace(
        replace(RETAIL, cameras=77),
        preset="vessel",
        view="accounting",
        advisor=advisor.answers(**answers).model_dump(),
        comparison=(RETAIL, catalog.preset("vessel")),
    )
    plan = db.save(saved, "Everything").plan_id
    assert db.open(plan).workspace == saved


def test_list_is_searched_by_name_and_sorted_by_last_change(db):
    a = db.save(WORKSPACE, "Retail store").plan_id
    db.save(WORKSPACE, "Vessel 100%_done")
    db.save(WORKSPACE, "Factory")
    assert [p.name for p in db.plans()] == ["Factory", "Vessel 100%_done", "Retail store"]
    db.save(WORKSPACE, "Retail store", plan_id=a)  # a change moves it to the top
    assert [p.name for p in db.plans()] == ["Retail store", "Factory", "Vessel 100%_done"]
    assert [p.name for p in db.plans("RETAIL")] == ["Retail store"]
    assert [p.name for p in db.plans("0%_")] == ["Vessel 100%_done"]  # % and _ are literal
    assert db.plans("0_") == [] and db.plans("%") == [db.plans()[2]]


def test_a_plan_over_the_size_cap_is_refused_with_its_size(db, monkeypatch):
    size = len(to_json(WORKSPACE).encode())
    monkeypatch.setattr(store, "MAX_PLAN_BYTES", size - 1)
    with pytest.raises(StoreError, match=f"the plan is {size:,} bytes; a plan holds at most {size - 1:,}"):
        db.save(WORKSPACE, "Too big")
    assert db.plans() == []


def test_an_unreadable_plan_is_named_and_the_list_still_works(db):
    good = db.save(WORKSPACE, "Good plan").plan_id
    newer = db.save(WORKSPACE, "From the future").plan_id
    broken = db.save(WORKSPACE, "Broken plan").plan_id
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(store.revisions).where(store.revisions.c.plan_id == newer).values(schema_version=99)
        )
        connection.execute(
            sa.update(store.revisions)
            .where(store.revisions.c.plan_id == broken)
            .values(document='{"workspace_version": 1, "scenario": {"cameras": -5}}')
        )
    problems = {p.name: p.problem for p in db.plans()}
    assert problems["Good plan"] is None
    assert "scenario schema 99" in problems["From the future"]
    # Listed before anyone opens it: the document is read for the list (once per revision).
    assert problems["Broken plan"] == (
        "its stored document is damaged: scenario: cameras = -5 is not valid: allowed "
        "0 to 100,000 cameras, a whole number"
    )
    with db.engine.begin() as connection:  # damaged again, differently: a new length, read again
        connection.execute(
            sa.update(store.revisions)
            .where(store.revisions.c.plan_id == broken)
            .values(document='{"workspace_version": 1, "scenario": {}, "scenario": {}}')
        )
    assert {p.name: p.problem for p in db.plans()}["Broken plan"] == (
        "its stored document is damaged: the plan: field 'scenario' appears more than once: give each field once"
    )
    with pytest.raises(UnreadablePlan, match="plan “From the future” revision 1 cannot be read: .*newer planner"):
        db.open(newer)
    with pytest.raises(
        UnreadablePlan, match="plan “Broken plan” revision 1 cannot be read: the plan: field 'scenario'"
    ):
        db.open(broken)
    assert db.open(good).workspace == WORKSPACE


def test_missing_plans_and_revisions_are_reported(db):
    plan = db.save(WORKSPACE, "Only one").plan_id
    with pytest.raises(PlanNotFound, match="has no revision 2"):
        db.open(plan, 2)
    for bad in ("0" * 32, "not-an-id", "", "'; DROP TABLE plans; --"):
        with pytest.raises(PlanNotFound, match="there is no plan"):
            db.open(bad)
        with pytest.raises(PlanNotFound):
            db.revisions(bad)
        with pytest.raises(PlanNotFound):
            db.save(WORKSPACE, "x", plan_id=bad)
    assert [p.revisions for p in db.plans()] == [1]


@pytest.mark.parametrize(
    "name, note, message",
    [
        ("   ", "", "a plan needs a name"),
        ("x" * 121, "", "at most 120"),
        ("bell\x07", "", "printable"),
        ("ok", "n" * 501, "a note is at most 500"),
    ],
)
def test_bad_names_and_notes_are_refused(db, name, note, message):
    with pytest.raises(StoreError, match=message):
        db.save(WORKSPACE, name, note=note)


def test_names_are_tidied(db):
    assert db.save(WORKSPACE, "  Retail\n store  ", note="  approved\n by finance ").name == "Retail store"
    assert db.revisions(db.plans()[0].id)[0].note == "approved\n by finance"


def test_the_list_hashes_documents_rather_than_parsing_them(db, monkeypatch):
    """An intact document is known by its checksum: the list parses only one without it or not matching it."""
    intact = db.save(WORKSPACE, "Intact").plan_id
    unchecked = db.save(WORKSPACE, "Saved before checksums").plan_id
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(store.revisions).where(store.revisions.c.plan_id == unchecked).values(document_sha256=None)
        )
    parsed = []
    monkeypatch.setattr(store, "parse_json", lambda text: parsed.append(text))
    assert [p.problem for p in db.plans()] == [None, None]
    assert parsed == [to_json(WORKSPACE)]  # only the one without a checksum
    assert [p.id for p in db.plans()] == [unchecked, intact] and len(parsed) == 1  # a verdict is kept


def test_a_database_made_before_checksums_is_migrated_and_listed(url):
    """A plans database at migration 0001 (no checksums) with a plan in it: start-up adds the column, the plan
    lists and opens as before, and new revisions get checksums."""
    old_database_with_a_plan(url, "0001", to_json(WORKSPACE))
    db = Store(url)
    assert [(p.name, p.problem) for p in db.plans()] == [("Old plan", None)]
    assert db.open("a" * 32).workspace == WORKSPACE
    db.save(WORKSPACE, "Old plan", plan_id="a" * 32)
    with db.engine.connect() as connection:
        checksums = connection.execute(
            sa.select(store.revisions.c.number, store.revisions.c.document_sha256).order_by(store.revisions.c.number)
        ).all()
    assert checksums[0][1] is None and checksums[1][1] == hashlib.sha256(to_json(WORKSPACE).encode()).hexdigest()
    db.close()


def test_upgrade_is_idempotent_and_reaches_the_newest_migration(url):
    Store(url).close()
    s = Store(url)  # start-up migrates again: nothing to do
    with s.engine.connect() as connection:
        assert connection.execute(sa.text("select version_num from alembic_version")).scalar() == "0003"
    s.close()


def test_a_fleet_plan_is_stored_listed_and_opened_with_its_kind(db):
    from planner.fleet import inventory as fleet_inventory
    from planner.plans.workspace import of_fleet

    city = fleet_inventory.preset("city_intersections")
    plan = db.save(of_fleet(city), "City").plan_id
    assert [(p.name, p.kind, p.problem) for p in db.plans()] == [("City", "fleet", None)]
    opened = db.open(plan)
    assert opened.workspace.fleet == city and opened.document == to_json(of_fleet(city))
    with pytest.raises(StoreError, match=f"plan '{plan}' holds a fleet, not a scenario: save the scenario as a new"):
        db.save(WORKSPACE, "City", plan_id=plan)
    assert db.plans()[0].revisions == 1 and [r.number for r in db.revisions(plan)] == [1]  # nothing stored


def test_database_url_from_streamlit_secrets(tmp_path):
    """PLANNER_DATABASE_URL first, then [connections.planner] of the secrets, then PLANNER_DATABASE_PATH."""
    env_url, secret_url = "postgresql+psycopg://env@h/db", "postgresql+psycopg://secret:pw@h:5433/plans"
    secrets = {"connections": {"planner": {"url": secret_url}, "other": {"url": "sqlite://"}}}
    path = {"PLANNER_DATABASE_PATH": str(tmp_path / "x.db")}
    assert store.database_url({"PLANNER_DATABASE_URL": env_url, **path}, secrets) == env_url
    assert store.database_url(path, secrets) == secret_url
    assert (
        store.database_url(path, {"connections": {"other": {"url": "sqlite://"}}}) == f"sqlite:///{tmp_path / 'x.db'}"
    )
    parts = {
        "dialect": "postgresql",
        "driver": "psycopg",
        "username": "planner",
        "password": "p@ss",
        "host": "db",
        "port": 5432,
        "database": "plans",
        "query": {"sslmode": "require"},
    }
    assert (
        store.database_url({}, {"connections": {"planner": parts}})
        == "postgresql+psycopg://planner:p%40ss@db:5432/plans?sslmode=require"
    )
    with pytest.raises(StoreError, match=r"\[connections.planner\] in the secrets needs url"):
        store.database_url({}, {"connections": {"planner": {"host": "db"}}})
    with pytest.raises(StoreError, match=r"\[connections.planner\] in the secrets is text, not a table"):
        store.database_url({}, {"connections": {"planner": "sqlite://"}})


def test_secrets_files_are_read_the_working_directorys_last(tmp_path):
    home, project = tmp_path / "home.toml", tmp_path / "project.toml"
    home.write_text('[connections.planner]\nurl = "sqlite:///home.db"\n[other]\nkey = 1\n')
    project.write_text('[connections.planner]\nurl = "sqlite:///project.db"\n')
    assert store.read_secrets((home, tmp_path / "missing.toml")) == {
        "connections": {"planner": {"url": "sqlite:///home.db"}},
        "other": {"key": 1},
    }
    assert store.read_secrets((home, project))["connections"]["planner"]["url"] == "sqlite:///project.db"
    project.write_text("[connections.planner\n")
    with pytest.raises(StoreError, match=f"the secrets file {project} cannot be read"):
        store.read_secrets((home, project))


def test_database_url_comes_from_the_environment(tmp_path):
    assert store.database_url({"PLANNER_DATABASE_URL": "postgresql+psycopg://u@h/db"}) == "postgresql+psycopg://u@h/db"
    assert store.database_url({"PLANNER_DATABASE_PATH": str(tmp_path / "x.db")}) == f"sqlite:///{tmp_path / 'x.db'}"
    assert store.database_url({}, {}).endswith("/plans.sqlite3")
    with pytest.raises(StoreError, match="PLANNER_DATABASE_URL is not a usable database URL"):
        store.database_url({"PLANNER_DATABASE_URL": "nonsense://"})
    with pytest.raises(StoreError, match=r"the database URL \(nonsense://\) is not usable"):
        Store("nonsense://")
    assert "secret" not in store.describe_url("postgresql://u:secret@h/db")


# ── Concurrency: 20 writers × 100 saves of one plan ────────────────────────────────────────────────
WRITERS, SAVES = 20, 100


def _writer(url: str, plan_id: str, writer: int, start, results) -> None:
    try:
        s = Store(url)  # a process of its own: its own engine and connections
        start.wait()
        numbers = [s.save(WORKSPACE, "Contended", plan_id=plan_id, note=f"w{writer}-{i}").number for i in range(SAVES)]
        s.close()
        results.put(numbers)
    except Exception as exc:  # reported to the test rather than lost in the child
        results.put(f"writer {writer}: {type(exc).__name__}: {exc}")


def test_concurrent_writers_lose_no_revision_and_leave_no_gap(db, url, request):
    plan = db.save(WORKSPACE, "Contended", note="origin").plan_id
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(WRITERS), context.Queue()
    writers = [context.Process(target=_writer, args=(url, plan, w, start, results)) for w in range(WRITERS)]
    began = time.perf_counter()
    for process in writers:
        process.start()
    handed_out = [results.get(timeout=600) for _ in writers]
    seconds = time.perf_counter() - began
    for process in writers:
        process.join()
    assert not [r for r in handed_out if isinstance(r, str)]
    stored = db.revisions(plan)
    total = WRITERS * SAVES + 1
    assert sorted(r.number for r in stored) == list(range(1, total + 1))  # no gap, no duplicate
    assert sorted(n for numbers in handed_out for n in numbers) == list(range(2, total + 1))
    assert all(numbers == sorted(numbers) for numbers in handed_out)  # each writer's in order
    notes = Counter(r.note for r in stored)
    assert notes == Counter(["origin"] + [f"w{w}-{i}" for w in range(WRITERS) for i in range(SAVES)])
    assert db.plans()[0].revisions == total
    print(
        f"\n{request.node.callspec.id}: {WRITERS} writers x {SAVES} saves: {len(stored)} revisions "
        f"1..{total}, no gap or duplicate, in {seconds:.1f} s"
    )


# ── PostgreSQL going away ──────────────────────────────────────────────────────────────────────────
def test_a_stopped_server_gives_a_clear_message_and_saving_works_again(postgres):
    s = Store(postgres.createdb())
    plan = s.save(WORKSPACE, "Before").plan_id
    postgres.stop()
    try:
        with pytest.raises(
            StoreUnavailable,
            match=r"the plans database \(postgresql\+psycopg://planner@.*\) "
            "cannot be reached",
        ):
            s.save(WORKSPACE, "During", plan_id=plan)
        with pytest.raises(StoreUnavailable):
            s.plans()
    finally:
        postgres.start()
    assert s.save(WORKSPACE, "After", plan_id=plan).number == 2
    assert [r.name for r in s.revisions(plan)] == ["After", "Before"]
    s.close()
