"""Saved plans in the app: the working state as a Workspace (the scenario and its work, or the Fleet page's
fleet), save, open (from the list or a `?plan=` link), and what changed between two revisions.

The database is touched only here, and only when the Plans page or a plan link asks for it (and, while the
work is an opened plan, for its approval on the pages that offer the report and the workbook): every other page
works without it.
A database that cannot be reached gives a message; the session's work stays. Visitors read what is wrong in
words (`problem`); the database's address, user and file paths go to the server's log.

Session keys (prefixed `plans.`):
    plans.opened   the saved revision the work came from (Opened), while there is one
    plans.kind, plans.name, plans.note, plans.as_new, plans.save    the save form (what to save: KINDS)
    plans.upload.<n>, plans.upload_nonce                      loading a downloaded plan file
    plans.search, plans.pick, plans.open                      the list and its open button
    plans.pick_labels                                         every label the plan box showed → its plan id
    plans.rev.<id>, plans.from.<id>, plans.to.<id>            a plan's revision boxes (open; the two compared)
    plans.conflict                                            a save refused on top of a newer revision (Conflict)
    plans.visibility, plans.share.<id>, plans.approval_comment   who sees a new plan, a plan; an approval

Sign-in: with `[auth]` in the app's secrets, the app asks everyone to sign in (st.login) and every store call acts
as the signed-in user (`actor`); without it the app is single-user and every visitor may read and revise every plan.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from planner.catalogs import catalog
from planner.exports import charts, tables
from planner.exports import sensitivity as what_if
from planner.exports.report import Analysis, summary
from planner.fleet import inventory as fleet_inventory
from planner.fleet import programme as fleet_programme
from planner.fleet import tables as fleet_tables
from planner.plans.workspace import (
    SENSITIVITY_SETTINGS,
    Workspace,
    exported_price_book,
    link_number,
    of_fleet,
    parse_json,
    to_json,
    to_share_token,
    with_share_token,
)
from planner.schema.format import RESULTS, md, money, shorten, value_text
from planner.schema.scenario import ScenarioError, price_book_note
from planner.ui import compare, sensitivity, state
from planner.ui import fleet as fleet_page
from planner.ui.pieces import break_even_delta, money_delta

if TYPE_CHECKING:  # names only: the store itself is imported at first use (`store_module`)
    from planner.plans.store import Access, Actor, RevisionInfo, SavedPlan, Store, StoreError

OPENED = state.OPENED_PLAN
FLEET_PAGE, FLEET_PATH, TO_FLEET = "pages/fleet.py", "fleet", "plans.to_fleet"  # where a fleet plan's link lands
PLAN_PARAM, REVISION_PARAM = "plan", "rev"
SAVE_PLACE, OPEN_PLACE, UPLOAD_PLACE = "plans.save", "plans.open", "plans.upload"
UPLOAD_NONCE = "plans.upload_nonce"
VIEW_KEYS = ("costs.view", "sensitivity.view")  # the pages' cash/accounting switches
ANSWERS = "advisor.answers"
SENSITIVITY = "sensitivity."  # the Sensitivity page's widget keys start with it
# Which value of each saved Sensitivity setting the page's widget takes (anything else: the page's default).
SENSITIVITY_ACCEPTS = {
    "tornado.percent": lambda v: 5 <= v <= 90 and v % 5 == 0,
    "tornado.metric": RESULTS.__contains__,
    "map.x": what_if.INPUT_ORDER.__contains__,
    "map.y": what_if.INPUT_ORDER.__contains__,
    "map.metric": charts.MAP_RESULTS.__contains__,
    "map.points": lambda v: sensitivity.MAP_POINTS[0] <= v <= sensitivity.MAP_POINTS[1],
    "mc.inputs": lambda v: len(v) <= what_if.MC_MAX_INPUTS and set(v) <= set(what_if.INPUT_ORDER),
    "mc.draws": sensitivity.DRAW_CHOICES.__contains__,
    "mc.seed": lambda v: True,
}
KEEPS_WORK = "Your work is still here: download it below, or save again once the database is back."
KIND = "plans.kind"
KINDS = {"scenario": "The scenario and its work", "fleet": "The fleet (Fleet page)"}
PICK, PICK_LABELS, CONFLICT = "plans.pick", "plans.pick_labels", "plans.conflict"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Opened:
    revision: RevisionInfo
    workspace: Workspace  # as saved, to tell whether the work has changed since


@dataclass(frozen=True)
class Conflict:
    """A save refused because revision `latest` of the plan was saved after `base`, which the work started from."""

    plan_id: str
    base: int
    latest: int


# ── The database ───────────────────────────────────────────────────────────────────────────────────
def store_module():
    """The plans store's module, imported at first use: it loads SQLAlchemy (a third of a second), which only
    saving, listing and opening plans need, so the app's first page does not wait for it. `except
    store_module().StoreError` imports it only once something was raised."""
    from planner.plans import store

    return store


@st.cache_resource(show_spinner=False)
def _store_at(url: str, settings: str, _access: Access) -> Store:
    """One store (engine, migrated at first use) per database URL, access settings (`settings`, their text) and
    server process. A failure is not cached: the next call tries again, so saving works once the database is back."""
    return store_module().Store(url, access=_access)


def problem(exc: StoreError) -> str:
    """What a visitor is told about a store problem: in words, without the database's address, user or file paths;
    the details go to the server's log."""
    if str(exc) != exc.public:
        log.warning("plans database: %s", exc)
    return exc.public


def store() -> Store:
    """The plans database (raises StoreError when it cannot be reached): PLANNER_DATABASE_URL, else
    `[connections.planner]` of the app's secrets, else the SQLite file."""
    settings = access()
    return _store_at(store_module().database_url(secrets=_secrets()), repr(settings), settings)


def access() -> Access:
    """Who is on the team and who approves: `[planner.access]` of the secrets, PLANNER_APPROVERS and
    PLANNER_TEAM_DOMAINS."""
    return store_module().access_settings(secrets=_secrets())


# ── Who is signed in ───────────────────────────────────────────────────────────────────────────────
VISIBILITY_LABELS = {
    "private": "Only me",
    "team": "My team (list, open, revise)",
    "link": "Anyone signed in with the link (open only)",
}
OPEN_TO_ALL = (
    "Sign-in is not configured: anyone who can reach this app can read and revise every plan. For a "
    "team, configure sign-in ([auth] in .streamlit/secrets.toml; see the README's team section)."
)


def sign_in_configured() -> bool:
    """Whether the app's secrets have `[auth]` (a secrets file that cannot be read counts as none)."""
    try:
        return isinstance(_secrets().get("auth"), dict)
    except store_module().StoreError:
        return False


def sign_in_needed() -> bool:
    return sign_in_configured() and not st.user.is_logged_in


def actor() -> Actor | None:
    """The signed-in user (None without sign-in configured: single-user mode; an actor who sees nothing while
    nobody is signed in). Groups come from the claim `[planner.access] groups_claim` names."""
    if not sign_in_configured():
        return None
    if not st.user.is_logged_in:
        return store_module().Actor("", "")
    claims = st.user.to_dict()
    groups = claims.get(access().groups_claim) or ()
    groups = (groups,) if isinstance(groups, str) else tuple(groups) if isinstance(groups, (list, tuple)) else ()
    return store_module().Actor(str(claims.get("sub") or ""), str(claims.get("email") or ""), groups)


def sign_in_page() -> None:
    """What someone not signed in sees: a button per provider of `[auth]` (one for the default provider)."""
    st.title("Edge Inference Planner")
    st.markdown("Sign in to use the planner: plans belong to the people who save them.")
    auth = _secrets().get("auth", {})
    providers = [name for name, value in auth.items() if isinstance(value, dict)]
    for name in providers or [None]:
        label = f"Sign in with {name}" if name else "Sign in"
        if st.button(label, key=f"auth.login.{name or 'default'}", type="primary"):
            st.login(name) if name else st.login()


def account_box() -> None:
    """In the sidebar, while someone is signed in: who, and the sign-out button (which clears the session's work)."""
    if not sign_in_configured() or not st.user.is_logged_in:
        return
    with st.sidebar:
        st.caption(md(f"Signed in as {st.user.get('email') or st.user.get('sub')}"))
        if st.button("Sign out", key="auth.logout"):
            st.session_state.clear()
            st.logout()  # sends the browser to the logout address, which drops the cookie
            st.stop()  # and nothing after it: a share-link update would cancel that navigation, signed in still


def _secrets() -> dict:
    """The app's secrets (st.secrets: .streamlit/secrets.toml or wherever `secrets.files` points); none is fine,
    one that cannot be read is a StoreError rather than a silent fall-back to another database."""
    from streamlit import config
    from streamlit.errors import StreamlitSecretNotFoundError

    try:
        return st.secrets.to_dict()
    except StreamlitSecretNotFoundError as exc:
        if any(Path(path).exists() for path in config.get_option("secrets.files")):
            detail = str(exc).splitlines()[0][:300]
            why = " (it is not valid TOML)" if detail.startswith("Error parsing") else ""
            raise store_module().StoreError(
                f"the app's secrets cannot be read ({detail})", public=f"the app's secrets file cannot be read{why}"
            ) from None
        return {}


# ── The working state ──────────────────────────────────────────────────────────────────────────────
def workspace(kind: str = "scenario") -> Workspace:
    """Everything a plan saves, from the session: the scenario and its work, or the Fleet page's fleet."""
    if kind == "fleet":
        return of_fleet(fleet_page.shown())
    settings = {
        name: st.session_state[SENSITIVITY + name]
        for name in SENSITIVITY_SETTINGS
        if SENSITIVITY + name in st.session_state
    }
    return Workspace(
        scenario=state.current(),
        preset=state.preset_key(),
        view=st.session_state.get(VIEW_KEYS[0], "cash"),
        advisor=st.session_state.get(ANSWERS),
        comparison=tuple(compare.entries()),
        sensitivity={k: list(v) if isinstance(v, (list, tuple)) else v for k, v in settings.items()},
    )


def restore(w: Workspace) -> None:
    """Put a saved workspace into the session (call from a callback or before the widgets are drawn)."""
    if w.kind == "fleet":
        fleet_page.replace_fleet(w.fleet)
        return
    preset = w.preset if w.preset in state.presets() else state.DEFAULT_PRESET
    state.set_scenario(w.scenario, preset=preset)
    for key in VIEW_KEYS:
        st.session_state[key] = w.view
    if w.advisor is None:
        st.session_state.pop(ANSWERS, None)
    else:
        st.session_state[ANSWERS] = dict(w.advisor)
    st.session_state[compare.COMPARISON] = list(w.comparison)
    for name, accepts in SENSITIVITY_ACCEPTS.items():
        value = w.sensitivity.get(name)
        if value is not None and accepts(value):
            st.session_state[SENSITIVITY + name] = value
        else:
            st.session_state.pop(SENSITIVITY + name, None)


def opened() -> Opened | None:
    return st.session_state.get(OPENED)


def unchanged(base: Opened, now: Workspace | None = None) -> bool:
    """The work (of the saved revision's kind) is still the saved revision. A Sensitivity setting only one side
    has does not count: the page fills in its defaults when it is first shown, which is no change by the user."""
    saved = base.workspace
    now = now or workspace(saved.kind)
    shared = saved.sensitivity.keys() & now.sensitivity.keys()
    return dataclasses.replace(saved, sensitivity={}) == dataclasses.replace(now, sensitivity={}) and all(
        saved.sensitivity[k] == now.sensitivity[k] for k in shared
    )


def _opened(saved: RevisionInfo, w: Workspace) -> None:
    """The work is now `saved` (just opened or saved): the list picks it, and its revision box shows it."""
    st.session_state[OPENED] = Opened(saved, w)
    st.session_state.pop(CONFLICT, None)
    st.session_state["plans.name"] = saved.name
    st.session_state[PICK] = saved.plan_id
    st.session_state[revision_key("rev", saved.plan_id)] = saved.number


def count(n: int, thing: str) -> str:
    return f"{n:,} {thing}{'' if n == 1 else 's'}"


def _when(revision: RevisionInfo) -> str:
    return f"{revision.saved_at:%Y-%m-%d %H:%M} UTC"


# ── Save ───────────────────────────────────────────────────────────────────────────────────────────
def name_for_kind() -> None:
    """The kind switch's callback: the name field follows what is saved (the opened plan's name if it holds that
    kind, else the scenario's or the fleet's name)."""
    base, kind = opened(), st.session_state.get(KIND) or "scenario"
    st.session_state["plans.name"] = (
        base.revision.name if base and base.workspace.kind == kind else workspace(kind).name
    )


def save(force: bool = False) -> None:
    """The save form's callback: a new plan, or the next revision of the opened one if it holds the same kind.
    When another revision of that plan has been saved since the opened one, nothing is saved and the conflict is
    kept for `show_conflict`, unless `force` (its "Save anyway")."""
    current, base = workspace(st.session_state.get(KIND, "scenario")), opened()
    same_kind = base is not None and base.workspace.kind == current.kind
    target = base.revision.plan_id if same_kind and not st.session_state.get("plans.as_new") else None
    name = st.session_state.get("plans.name") or current.name
    try:
        saved = store().save(
            current,
            name,
            plan_id=target,
            note=st.session_state.get("plans.note", ""),
            base=base.revision.number if target else None,
            force=force,
            actor=actor(),
            visibility=None if target else st.session_state.get("plans.visibility"),
        )
    except store_module().StoreConflict as exc:
        st.session_state[CONFLICT] = Conflict(exc.plan_id, exc.base, exc.latest)
        return
    except store_module().StoreError as exc:
        state.notify("error", f"Not saved: {problem(exc)}. {KEEPS_WORK}", SAVE_PLACE)
        return
    _opened(saved, current)
    for box in ("from", "to"):  # what changed: the two newest revisions, the one just saved among them
        st.session_state.pop(revision_key(box, saved.plan_id), None)
    st.session_state["plans.note"] = ""
    st.session_state["plans.as_new"] = False
    state.notify("success", f"Saved “{saved.name}” as revision {saved.number}.", SAVE_PLACE)


# ── A saved scenario as a fleet's base (the Fleet page's base picker) ──────────────────────────────
def scenario_plan_labels() -> dict[str, str]:
    """The readable scenario plans the visitor sees, the last changed first: plan id → label (`plan_labels`).
    Raises StoreError when the database cannot be used."""
    return plan_labels([p for p in store().plans(actor=actor()) if p.kind == "scenario" and p.problem is None])


def open_scenario_plan(plan_id: str):
    """(scenario, revision) of a saved scenario plan's latest revision; ScenarioError, in words, when it cannot be
    opened or holds a fleet."""
    try:
        saved = store().open(plan_id, None, actor())
    except store_module().StoreError as exc:
        raise ScenarioError(f"the plan could not be opened: {problem(exc)}") from None
    if saved.workspace.kind != "scenario":
        raise ScenarioError(f"“{saved.revision.name}” holds a fleet, not a scenario")
    return saved.workspace.scenario, saved.revision.number


# ── A downloaded plan file ─────────────────────────────────────────────────────────────────────────
def upload_key() -> str:
    """The uploader's key: a new one after each upload, so the widget is empty and ready for the next."""
    return f"plans.upload.{st.session_state.get(UPLOAD_NONCE, 0)}"


def load_plan_file(key: str) -> None:
    """The uploader's callback: a plan file (from *Download this work*) replaces the work; a bad one is named."""
    file = st.session_state.get(key)
    if file is None:
        return
    st.session_state[UPLOAD_NONCE] = st.session_state.get(UPLOAD_NONCE, 0) + 1
    data = file.getvalue()
    try:
        if len(data) > store_module().MAX_PLAN_BYTES:
            raise ScenarioError(f"it is {len(data):,} bytes; a plan holds at most {store_module().MAX_PLAN_BYTES:,}")
        loaded = parse_json(data)
    except ScenarioError as exc:
        state.notify(
            "error", f"{file.name} was not loaded: {exc} (a scenario file loads on Compare & export).", UPLOAD_PLACE
        )
        return
    restore(loaded)
    st.session_state.pop(OPENED, None)  # not a saved revision: saving makes a new plan
    st.session_state.pop(CONFLICT, None)
    st.session_state[KIND] = loaded.kind
    what = "the fleet, now on the Fleet page," if loaded.kind == "fleet" else "with its saved work"
    note = price_book_note(exported_price_book(data))
    state.notify(
        "success", f"Loaded “{loaded.name}” {what} from {file.name}" + (f"; {note}." if note else "."), UPLOAD_PLACE
    )


def plan_file(work: Workspace) -> str:
    """*Download this work*: the plan document, with the price-book rows its scenario's figures came from."""
    price_book = catalog.load().price_book_rows(work.scenario) if work.kind == "scenario" else []
    return to_json(work, price_book)


# ── Open ───────────────────────────────────────────────────────────────────────────────────────────
def open_revision(plan_id: str, number: int | None = None, place: str = OPEN_PLACE) -> bool:
    """Load a saved revision into the session; a problem queues a message and leaves the work as it was."""
    try:
        saved = store().open(plan_id, number, actor())
    except store_module().StoreError as exc:
        state.notify("error", f"The plan could not be opened: {problem(exc)}.", place)
        return False
    restore(saved.workspace)
    _opened(saved.revision, saved.workspace)
    st.session_state[KIND] = saved.workspace.kind
    where = "; the fleet is on the Fleet page" if saved.workspace.kind == "fleet" else ""
    if saved.workspace.kind == "fleet" and place == state.TOP:  # opened by link: the link lands on the fleet
        st.session_state[TO_FLEET] = True
    state.notify(
        "success",
        f"Opened “{saved.revision.name}” revision {saved.revision.number} (saved {_when(saved.revision)}){where}.",
        place,
    )
    return True


def revision_key(box: str, plan_id: str) -> str:
    """The key of one plan's revision box (`box`: rev, from or to). Keyed by the plan, a box never holds another
    plan's revision: its labels never change (a revision is immutable), so a browser cannot send back a label the
    box no longer has (Streamlit would hand that label over as the value)."""
    return f"plans.{box}.{plan_id}"


def plan_labels(found) -> dict[str, str]:
    """The plan box's labels (plan id → label), remembered with the labels it showed before (`picked_plan`). The
    browser sends a label back and Streamlit finds the plan by it: plans that would share one get their id's start."""
    labels = {p.id: f"{p.name} · {p.kind} · {count(p.revisions, 'revision')}" for p in found}
    shared = {label for label, n in Counter(labels.values()).items() if n > 1}
    labels = {i: f"{label} · {i[:8]}" if label in shared else label for i, label in labels.items()}
    seen = st.session_state.setdefault(PICK_LABELS, {})
    if len(seen) > 10_000:
        seen.clear()
    seen.update({label: plan_id for plan_id, label in labels.items()})
    return labels


def picked_plan() -> str | None:
    """The plan picked in the list. A plan's label changes when it is renamed or gets a revision; a browser that
    still shows the old label sends it back and Streamlit hands that label over as the value: it is mapped back to
    its plan through the labels the box has shown, never parsed."""
    value = st.session_state.get(PICK)
    return st.session_state.get(PICK_LABELS, {}).get(value, value) if isinstance(value, str) else None


def open_picked() -> None:
    """The Open button's callback: the plan and revision picked in the list."""
    plan_id = picked_plan()
    if not plan_id:
        return
    number = st.session_state.get(revision_key("rev", plan_id))
    if not isinstance(number, int):  # the plan's revision box was not shown: say so, open nothing
        state.notify("error", "Pick the revision to open again: the list had changed.", OPEN_PLACE)
        return
    open_revision(plan_id, number)


def open_latest(conflict: Conflict) -> None:
    """The conflict's "Open the latest" callback."""
    open_revision(conflict.plan_id, conflict.latest, SAVE_PLACE)


def show_conflict() -> None:
    """After a save refused on top of a newer revision: what that revision changed (against the one the work
    started from), and the choice to save anyway or open the latest."""
    conflict, base = st.session_state.get(CONFLICT), opened()
    if conflict is None or base is None or base.revision.plan_id != conflict.plan_id:
        st.session_state.pop(CONFLICT, None)
        return
    try:
        theirs = store().open(conflict.plan_id, conflict.latest, actor())
    except store_module().StoreError as exc:
        st.error(
            md(
                f"Not saved: revision {conflict.latest} was saved after revision {conflict.base}, which your "
                f"work started from, and it cannot be shown: {problem(exc)}."
            )
        )
        return
    was, now = f"Revision {conflict.base}", f"Revision {conflict.latest}"
    st.warning(
        md(
            f"Not saved: revision {conflict.latest} of “{theirs.revision.name}” was saved "
            f"({_when(theirs.revision)}) after revision {conflict.base}, which your work started from. "
            f"Saving now would set its changes aside. What it changed:"
        )
    )
    changes = work_changes(base.workspace, theirs.workspace, was, now)
    if changes.empty:
        st.caption(f"{now} holds the same work as {was}.")
    else:
        st.table(compare.escaped(changes), hide_index=True)
    anyway, latest = st.columns(2)
    anyway.button(
        f"Save anyway (as revision {conflict.latest + 1})",
        key="plans.save_anyway",
        on_click=save,
        kwargs={"force": True},
        help="Your work becomes the latest revision; the other stays in the history.",
    )
    latest.button(
        f"Open the latest (revision {conflict.latest})",
        key="plans.open_latest",
        on_click=open_latest,
        args=(conflict,),
        help="Replaces your work with it (download your work first to keep it).",
    )


def work_token() -> str | None:
    """The share link's `w`: the session's work beyond the scenario (None when it is a fresh session's)."""
    return to_share_token(workspace())


def restore_from_link() -> None:
    """Once per session, after the link's scenario is in: `?plan=` opens a saved revision; else `?w=` brings
    back the view, advisor answers, comparison set and Sensitivity settings. A bad `w` warns and is ignored."""
    if st.query_params.get(PLAN_PARAM):
        open_from_link()
        return
    token = st.query_params.get(state.WORK_PARAM)
    if token:
        try:
            restore(with_share_token(workspace(), token))
        except ScenarioError as exc:
            state.notify(
                "warning",
                f"The rest of the link's work (view, advisor answers, comparison, Sensitivity "
                f"settings) could not be restored: {exc}. The scenario is the link's.",
            )


def open_from_link() -> None:
    """`?plan=<id>[&rev=<n>]` opens that revision."""
    params = st.query_params
    rev = params.get(REVISION_PARAM)
    number = link_number(rev)
    if rev and number is None:
        state.notify("warning", f"The link's revision ({rev[:20]!r}) is not a number: opening the latest.")
    open_revision(params.get(PLAN_PARAM, ""), number, state.TOP)


def sync_link() -> None:
    """While the work is a saved revision, the address bar names it (`plan`, `rev`); after a change it
    is a share link only."""
    base = opened()
    if base is not None and unchanged(base):
        wanted = {PLAN_PARAM: base.revision.plan_id, REVISION_PARAM: str(base.revision.number)}
        for key, value in wanted.items():
            if st.query_params.get(key) != value:
                st.query_params[key] = value
    else:
        for key in (PLAN_PARAM, REVISION_PARAM):
            if key in st.query_params:
                del st.query_params[key]


def plan_link(page_url: str | None, plan_id: str, number: int | None = None, kind: str = "scenario") -> str:
    """The link that opens a plan (its latest revision, or revision `number`): on the Fleet page for a fleet."""
    root = page_url.rsplit("/", 1)[0] + "/" if page_url else ""
    query = {PLAN_PARAM: plan_id} | ({REVISION_PARAM: number} if number else {})
    return f"{root}{FLEET_PATH if kind == 'fleet' else ''}?{urlencode(query)}"


def page_title(page) -> str:
    """The browser tab's title: the work's name (`state.work_name`: a saved plan's, the fleet's on the Fleet page)
    and the page's."""
    if page.url_path == FLEET_PATH:
        f = st.session_state.get(fleet_page.SHOWN) or st.session_state.get(fleet_page.DOC)
        return f"{state.work_name('fleet', f.name)} · {page.title}" if f else page.title
    return f"{state.work_name()} · {page.title}"


def land_on_the_fleet(page) -> None:
    """After a link opened a fleet plan on another page (a link to the app's first page, as links were before they
    named the Fleet page): go to the Fleet page, where the fleet is. `page`: what st.navigation returned."""
    if st.session_state.pop(TO_FLEET, False) and page.url_path != FLEET_PATH:
        st.switch_page(FLEET_PAGE)


# ── What changed between two revisions (pure) ──────────────────────────────────────────────────────
def work_changes(old: Workspace, new: Workspace, old_label: str, new_label: str) -> pd.DataFrame:
    """What differs between two workspaces of one kind: the fleet's rows, or the inputs and the rest of the work."""
    if new.kind == "fleet":
        return fleet_tables.fleet_changes(old.fleet, new.fleet)
    return input_changes(old, new, old_label, new_label)


KEY_FIGURES = {
    "cloud_monthly_cost": "Cloud cost per month",
    "edge_capex": "Edge capex",
    "break_even_month": "Break-even",
    "npv_savings": "NPV of savings",
}


def input_changes(old: Workspace, new: Workspace, old_label: str, new_label: str) -> pd.DataFrame:
    """The inputs that differ (Input, Unit, old, new), then the rest of the saved work that differs."""
    table = tables.inputs_table([old.scenario, new.scenario])
    table.columns = ["Input", "Unit", old_label, new_label]
    rest = [
        ("Scenario name", "", old.scenario.name, new.scenario.name),
        ("View", "", old.view, new.view),
        ("Compared scenarios", "scenarios", str(len(old.comparison)), str(len(new.comparison))),
        ("Advisor answers", "", *_answers_change(old.advisor, new.advisor)),
    ]
    extra = pd.DataFrame([row for row in rest if row[2] != row[3]], columns=table.columns)
    return pd.concat([table, extra], ignore_index=True) if len(extra) else table


def _answers_change(old: dict | None, new: dict | None) -> tuple[str, str]:
    if old and new and old != new:
        return "as before", count(sum(old.get(k) != v for k, v in new.items()), "answer") + " changed"
    return ("submitted" if old else "none"), ("submitted" if new else "none")


def figure_changes(old: Analysis, new: Analysis, view: str, old_label: str, new_label: str) -> pd.DataFrame:
    """The key figures of both revisions in `view`, and the change (money, or months for break-even)."""
    before, after = summary(old, view), summary(new, view)
    cur = new.scenario.currency
    rows = []
    for key, label in KEY_FIGURES.items():
        if key == "break_even_month":
            texts = [value_text(s[key], "months", cur) for s in (before, after)]
            change = break_even_delta(after[key], before[key])[0]
        else:
            texts = [money(before[key], before["currency"]), money(after[key], cur)]
            change = money_delta(after[key], before[key], cur)
        rows.append((label, *texts, change or "no change"))
    return pd.DataFrame(rows, columns=["Figure", old_label, new_label, "Change"])


FLEET_FIGURES = {
    "cloud_tco": "All cloud: cost over the programme",
    "capex_total": "Recommended: capex",
    "tco": "Recommended: TCO",
    "break_even_month": "Recommended: break-even",
    "npv": "Recommended: NPV of savings",
    "sites_on_edge": "Recommended: sites on the edge",
}


def fleet_figures(f: fleet_inventory.Fleet) -> dict:
    """The programme's key figures (FLEET_FIGURES) of a fleet: all cloud, and the recommended mix."""
    plans = fleet_tables.plan_summary(fleet_programme.evaluate(f))
    return {**plans["recommended"], "cloud_tco": plans["all_cloud"]["tco"], "currency": f.base.currency}


def fleet_figure_changes(before: dict, after: dict, old_label: str, new_label: str) -> pd.DataFrame:
    """Both revisions' programme figures (`fleet_figures`) and the change (money, months, or sites)."""
    cur = after["currency"]
    rows = []
    for key, label in FLEET_FIGURES.items():
        old, new = before[key], after[key]
        if key == "break_even_month":
            texts = ["not within the programme" if x is None else f"month {x:,.1f}" for x in (old, new)]
            change = break_even_delta(new, old)[0]
        elif key == "sites_on_edge":
            texts = [f"{old:,}", f"{new:,}"]
            change = f"{new - old:+,}" if new != old else None
        else:
            texts = [money(old, before["currency"]), money(new, cur)]
            change = money_delta(new, old, cur)
        rows.append((label, *texts, change or "no change"))
    return pd.DataFrame(rows, columns=["Figure", old_label, new_label, "Change"])


def revision_label(revision: RevisionInfo) -> str:
    note = f" · {shorten(revision.note, 40)}" if revision.note else ""
    return f"Revision {revision.number} · {_when(revision)}{note}"


def revision_note_text(revision: RevisionInfo) -> str:
    """The picked revision's note in full (its box's label cuts it), with who saved it when that is known."""
    by = f" by {revision.author}" if revision.author else ""
    note = f": “{revision.note}”" if revision.note else " without a note"
    return md(f"Revision {revision.number}, saved {_when(revision)}{by}{note}.")


def saved_pair(plan_id: str, first: int, second: int) -> tuple[SavedPlan, SavedPlan]:
    db, who = store(), actor()
    return db.open(plan_id, first, who), db.open(plan_id, second, who)


# ── Approvals, visibility, the audit trail ────────────────────────────────────────────────────────
def approval_note() -> str | None:
    """What the exports say of the work's approval: None unless the work is an opened revision; else "Approved by
    … on …", or that it is not approved (changed since its approval, or never approved)."""
    base = opened()
    if base is None:
        return None
    try:
        found = store().approvals(base.revision.plan_id, actor())
    except store_module().StoreError as exc:
        return f"Approval unknown: {problem(exc)}"
    status = store_module().approval_status(found, base.revision.number)
    if not unchanged(base) and status.startswith("Approved"):
        return f"Not approved: changed since approval ({status})"
    return status


def approve_opened() -> None:
    """The Approve button's callback: the approver approves the opened revision."""
    base = opened()
    if base is None:
        return
    try:
        done = store().approve(
            base.revision.plan_id, base.revision.number, actor(), st.session_state.get("plans.approval_comment", "")
        )
    except store_module().StoreError as exc:
        state.notify("error", f"Not approved: {problem(exc)}.", SAVE_PLACE)
        return
    st.session_state["plans.approval_comment"] = ""
    state.notify("success", f"{done.text()}.", SAVE_PLACE)


def share_plan(plan_id: str) -> None:
    """The visibility box's callback: the owner changes who sees the plan."""
    visibility = st.session_state.get(revision_key("share", plan_id))
    try:
        store().set_visibility(plan_id, visibility, actor())
    except store_module().StoreError as exc:
        state.notify("error", f"Not changed: {problem(exc)}.", OPEN_PLACE)
        return
    state.notify("success", f"Who sees the plan: {VISIBILITY_LABELS[visibility].lower()}.", OPEN_PLACE)


def audit_table(plan_id: str) -> pd.DataFrame:
    trail = store().audit_trail(plan_id, actor())
    return pd.DataFrame(
        {
            "When (UTC)": [f"{e.at:%Y-%m-%d %H:%M}" for e in trail],
            "What": [e.action for e in trail],
            "Revision": [str(e.revision or "") for e in trail],
            "Who": [e.actor or "(no sign-in)" for e in trail],
            "Detail": [e.detail for e in trail],
        }
    )
