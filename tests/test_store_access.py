"""Teams in the plans database (migration 0003), on real SQLite and a real PostgreSQL server: who may list, open,
revise, re-share and approve a plan (the permission matrix), approvals, the audit trail, plans saved before 0003,
and the access settings."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from store_support import old_database_with_a_plan

from planner.catalogs import catalog
from planner.plans import store
from planner.plans.store import Access, Actor, NotAllowed, PlanNotFound, Store, StoreError
from planner.plans.workspace import Workspace, to_json

pytestmark = pytest.mark.unit

RETAIL = catalog.preset("retail")
WORK = Workspace(RETAIL, preset="retail")
OWNER = Actor("sub-a", "A@Team.example")  # the email is kept in lower case
MEMBER = Actor("sub-b", "b@team.example")  # on the team by email domain
OUTSIDER = Actor("sub-c", "c@elsewhere.example")  # signed in, not on the team
APPROVER = Actor("sub-d", "d@team.example")
ACCESS = Access(approvers=frozenset({"d@team.example"}), team_domains=frozenset({"team.example"}))
ROLES = {"owner": OWNER, "team member": MEMBER, "outsider": OUTSIDER, "approver": APPROVER, "single-user": None}

# The permission matrix: (visibility, role) → what each action gives. "ok"; "refused" (NotAllowed: the plan is
# seen, the act is not allowed); "not found" (PlanNotFound, worded as for a plan that does not exist).
# list: in the list and in a search by name; open: open latest and &rev=, revisions, approvals, audit trail,
# export (the command line's export is open); revise: save a revision; share: change the visibility.
ACTIONS = ("list", "open", "revise", "share", "approve")
MATRIX = {
    ("private", "owner"): ("ok", "ok", "ok", "ok", "refused"),
    ("private", "team member"): ("no", "not found", "not found", "not found", "refused"),
    ("private", "outsider"): ("no", "not found", "not found", "not found", "refused"),
    ("private", "approver"): ("no", "not found", "not found", "not found", "not found"),
    ("team", "owner"): ("ok", "ok", "ok", "ok", "refused"),
    ("team", "team member"): ("ok", "ok", "ok", "refused", "refused"),
    ("team", "outsider"): ("no", "not found", "not found", "not found", "refused"),
    ("team", "approver"): ("ok", "ok", "ok", "refused", "ok"),
    ("link", "owner"): ("ok", "ok", "ok", "ok", "refused"),
    ("link", "team member"): ("no", "ok", "refused", "refused", "refused"),
    ("link", "outsider"): ("no", "ok", "refused", "refused", "refused"),
    ("link", "approver"): ("no", "ok", "refused", "refused", "ok"),
}
for _visibility in ("private", "team", "link"):  # single-user mode (no sign-in): everything but approve
    MATRIX[(_visibility, "single-user")] = ("ok", "ok", "ok", "ok", "refused")


@pytest.fixture
def db(url):
    s = Store(url, access=ACCESS)
    yield s
    s.close()


def _outcome(act) -> str:
    try:
        act()
    except PlanNotFound as exc:
        return f"not found: {exc}"
    except NotAllowed:
        return "refused"
    return "ok"


def _try(db: Store, plan_id: str, action: str, actor: Actor | None) -> str:
    if action == "list":
        listed = plan_id in [p.id for p in db.plans(actor=actor)]
        assert listed == (plan_id in [p.id for p in db.plans("Budget", actor=actor)])
        return "ok" if listed else "no"
    if action == "open":
        outcomes = {
            _outcome(lambda: db.open(plan_id, actor=actor)),
            _outcome(lambda: db.open(plan_id, 1, actor=actor)),
            _outcome(lambda: db.revisions(plan_id, actor)),
            _outcome(lambda: db.approvals(plan_id, actor)),
            _outcome(lambda: db.audit_trail(plan_id, actor)),
        }
        assert len(outcomes) == 1, outcomes  # every way in says the same
        return outcomes.pop()
    if action == "revise":
        return _outcome(lambda: db.save(WORK, "Budget", plan_id=plan_id, actor=actor))
    if action == "share":
        return _outcome(lambda: db.set_visibility(plan_id, "private", actor))
    return _outcome(lambda: db.approve(plan_id, 1, actor))


def test_the_permission_matrix(db):
    missing = "f" * 32
    unknown = str(pytest.raises(PlanNotFound, db.open, missing).value)
    for (visibility, role), expected in MATRIX.items():
        for action, want in zip(ACTIONS, expected):
            plan = db.save(WORK, "Budget 2027", actor=OWNER, visibility=visibility).plan_id
            got = _try(db, plan, action, ROLES[role])
            if got.startswith("not found: "):  # no hint that the plan exists
                assert got.removeprefix("not found: ") == unknown.replace(missing, plan)
                got = "not found"
            assert got == want, (visibility, role, action)


def test_a_plan_belongs_to_its_saver_and_each_revision_names_its_author(db):
    first = db.save(WORK, "Budget", actor=OWNER, visibility="team")
    assert first.author == "a@team.example"
    db.save(WORK, "Budget", plan_id=first.plan_id, actor=MEMBER)
    assert [(r.number, r.author) for r in db.revisions(first.plan_id, OWNER)] == [
        (2, "b@team.example"),
        (1, "a@team.example"),
    ]
    [summary] = db.plans(actor=MEMBER)
    assert (summary.owner, summary.visibility) == ("a@team.example", "team")  # a revision keeps the owner
    assert db.save(WORK, "Mine", actor=OWNER).plan_id not in [p.id for p in db.plans(actor=MEMBER)]  # private
    assert db.save(WORK, "Single").author is None and db.plans(actor=None)[0].visibility == "team"


def test_the_command_lines_actor_is_matched_by_email(db):
    plan = db.save(WORK, "Budget", actor=OWNER).plan_id
    by_email = Actor.of_email("a@team.example")
    assert db.open(plan, actor=by_email).revision.number == 1
    db.set_visibility(plan, "link", by_email)
    with pytest.raises(StoreError, match="is not an email address"):
        Actor.of_email("alice")


def test_an_approval_records_who_when_which_revision_and_the_document_hash(db):
    plan = db.save(WORK, "Budget", actor=OWNER, visibility="team").plan_id
    approval = db.approve(plan, 1, APPROVER, comment="for the board")
    import hashlib

    assert approval.document_sha256 == hashlib.sha256(to_json(WORK).encode()).hexdigest()
    [stored] = db.approvals(plan, MEMBER)
    assert (stored.approver, stored.revision, stored.comment, stored.intact) == (
        "d@team.example",
        1,
        "for the board",
        True,
    )
    day = f"{stored.approved_at:%Y-%m-%d %H:%M}"
    assert store.approval_status([stored], 1) == f"Approved by d@team.example on {day} UTC (revision 1)"
    with pytest.raises(NotAllowed, match="already approved"):
        db.approve(plan, 1, APPROVER)
    db.save(WORK, "Budget", plan_id=plan, actor=OWNER)  # a later revision inherits nothing
    assert store.approval_status(db.approvals(plan, OWNER), 2) == (
        f"Not approved: changed since approval (Approved by d@team.example on {day} UTC (revision 1))"
    )
    assert store.approval_status([], 1) == "Not approved"
    with pytest.raises(NotAllowed, match="c@elsewhere.example is not an approver"):
        db.approve(plan, 2, OUTSIDER)
    with pytest.raises(PlanNotFound, match="has no revision 9"):
        db.approve(plan, 9, APPROVER)


def test_approvals_and_the_audit_trail_cannot_be_changed_or_deleted(db):
    plan = db.save(WORK, "Budget", actor=OWNER, visibility="team").plan_id
    db.approve(plan, 1, APPROVER)
    for statement in (
        "update approvals set approver_email = 'x@y'",
        "delete from approvals",
        "update audit set detail = 'x'",
        "delete from audit",
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with db.engine.begin() as connection:
                connection.execute(sa.text(statement))
    assert [a.approver for a in db.approvals(plan)] == ["d@team.example"]


def test_the_audit_trail_says_who_saved_renamed_reshared_approved_and_opened(db):
    plan = db.save(WORK, "Budget", actor=OWNER, visibility="team").plan_id
    db.open(plan, actor=OWNER)  # the owner's opens are not recorded
    db.open(plan, actor=MEMBER)
    db.save(WORK, "Budget 2027", plan_id=plan, actor=MEMBER)
    db.set_visibility(plan, "link", OWNER)
    db.approve(plan, 2, APPROVER, comment="ok")
    trail = [(e.action, e.actor, e.revision, e.detail) for e in db.audit_trail(plan, OWNER)]
    assert trail == [
        ("saved", "a@team.example", 1, "new plan, team"),
        ("opened", "b@team.example", 1, ""),
        ("saved", "b@team.example", 2, ""),
        ("renamed", "b@team.example", 2, "“Budget” → “Budget 2027”"),
        ("visibility", "a@team.example", None, "team → link"),
        ("approved", "d@team.example", 2, "ok"),
    ]
    assert all(e.at.tzinfo is not None for e in db.audit_trail(plan))


def test_a_plan_saved_before_0003_has_no_owner_is_team_visible_and_an_administrator_names_its_owner(url):
    old_database_with_a_plan(url, "0002", to_json(WORK))
    db = Store(url, access=ACCESS)
    [old] = db.plans(actor=MEMBER)
    assert (old.name, old.owner, old.visibility) == ("Old plan", None, "team")
    assert db.plans(actor=OUTSIDER) == [] and db.open("a" * 32, actor=None).workspace == WORK
    db.save(WORK, "Old plan", plan_id="a" * 32, actor=MEMBER)  # the team revises it
    with pytest.raises(NotAllowed, match="only the owner"):
        db.set_visibility("a" * 32, "private", MEMBER)  # nobody owns it yet
    db.set_owner("a" * 32, Actor.of_email("a@team.example"))
    db.set_visibility("a" * 32, "private", OWNER)  # matched by email
    assert db.plans(actor=MEMBER) == [] and [p.owner for p in db.plans(actor=OWNER)] == ["a@team.example"]
    assert db.audit_trail("a" * 32)[-2].detail == "owner none → a@team.example"
    db.close()


def test_team_and_approvers_by_group_claim(db):
    access = Access(approvers=frozenset({"finance-leads"}), team_groups=frozenset({"planners"}))
    grouped = Store(db.url, access=access)
    plan = grouped.save(WORK, "Budget", actor=OWNER, visibility="team").plan_id
    member = Actor("sub-x", "x@anywhere.example", ("planners",))
    lead = Actor("sub-y", "y@anywhere.example", ("planners", "finance-leads"))
    assert [p.id for p in grouped.plans(actor=member)] == [plan]
    assert grouped.plans(actor=Actor("sub-z", "z@anywhere.example")) == []
    with pytest.raises(NotAllowed):
        grouped.approve(plan, 1, member)
    assert grouped.approve(plan, 1, lead).approver == "y@anywhere.example"
    grouped.close()


def test_access_settings_from_the_secrets_and_the_environment():
    secrets = {
        "planner": {
            "access": {
                "approvers": ["CFO@Team.example", "finance-leads"],
                "team_domains": ["@team.example"],
                "team_groups": ["planners"],
                "groups_claim": "roles",
            }
        }
    }
    assert store.access_settings({}, secrets) == Access(
        approvers=frozenset({"cfo@team.example", "finance-leads"}),
        team_domains=frozenset({"team.example"}),
        team_groups=frozenset({"planners"}),
        groups_claim="roles",
    )
    environ = {"PLANNER_APPROVERS": "x@a.example, y@a.example", "PLANNER_TEAM_DOMAINS": "a.example,b.example"}
    access = store.access_settings(environ, secrets)
    assert access.approvers == {"x@a.example", "y@a.example"} and access.team_domains == {"a.example", "b.example"}
    assert store.access_settings({}, {}) == Access()
    with pytest.raises(StoreError, match="approvers in \\[planner.access\\] must be a list of text"):
        store.access_settings({}, {"planner": {"access": {"approvers": "cfo@team.example"}}})
    with pytest.raises(StoreError, match="'approver', which is not a setting"):
        store.access_settings({}, {"planner": {"access": {"approver": []}}})


def test_a_bad_visibility_is_a_clear_message(db):
    with pytest.raises(StoreError, match="visibility is one of private, team, link, not 'public'"):
        db.save(WORK, "Budget", actor=OWNER, visibility="public")
