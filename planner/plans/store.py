"""Saved plans: named workspaces with immutable, numbered revisions, in a SQL database.

Where (the first that is set): the environment variable `PLANNER_DATABASE_URL` (any SQLAlchemy URL,
PostgreSQL for a team); Streamlit's connection secrets, `[connections.planner]` in `.streamlit/secrets.toml`
(`url = "..."`, or the parts `dialect`, `driver`, `username`, `password`, `host`, `port`, `database`,
`query`, as `st.connection(..., type="sql")` reads them); else SQLite in the file `PLANNER_DATABASE_PATH`
(default `plans.sqlite3` in the working directory). A setting of the wrong shape (a misspelt table or key, a
URL that is not text) is a StoreError naming the key, never a quiet fall-back to another database. The schema is
made and kept current by Alembic
(`planner/plans/migrations`), at start-up and by `python -m planner db upgrade`.

A plan's id is 128 random bits (32 hex digits): the id is the capability to read the plan. Each save
adds revision n + 1 of its plan, numbered under the plan row's lock, so concurrent savers get distinct,
gap-free numbers; nothing is ever updated in place but the plan's name, last-change time and counter. A save
names the revision its work started from: when another has been saved since, it stores nothing and says so
(StoreConflict) unless forced. On PostgreSQL a wait for a lock, a statement and a connection attempt are
bounded (LOCK_TIMEOUT_S, or `PLANNER_DATABASE_LOCK_TIMEOUT_S`; STATEMENT_TIMEOUT_S; CONNECT_TIMEOUT_S): a save
stuck behind another connection's lock ends as StoreBusy rather than waiting forever.
The engine, the advisor and the exports never import this module: the UI and the CLI call it.

Teams (migration 0003): every call takes the acting user (`actor`, an Actor: the sign-in provider's subject, email
and groups; None is the single-user mode, where everything is allowed as before, and the command line without
`--as`). A plan belongs to its owner and has a visibility: `private` (its owner only), `team` (also everyone the
access settings put on the team, by email domain or group: they list, open and revise it), `link` (also anyone
signed in who has its id: they open and export it, never list or revise it). A plan one may not see is "not found",
word for word as one that does not exist, by the list, its search, open, revisions, approvals and audit. Only the
owner changes a plan's visibility. Approvers (Access.approvers: emails or groups) approve one revision each:
an immutable record with the SHA-256 of its document. The audit trail records saves, approvals, visibility,
renames, owners and opens by anyone but the owner; approvals and audit rows are never updated or deleted (the
database refuses it). Plans saved before 0003 have no owner and the visibility `team`.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import secrets
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from planner.plans.workspace import KINDS, WORKSPACE_VERSION, Workspace, parse_json, to_json
from planner.schema.scenario import SCHEMA_VERSION, ScenarioError

URL_VARIABLE, PATH_VARIABLE = "PLANNER_DATABASE_URL", "PLANNER_DATABASE_PATH"
LOCK_TIMEOUT_VARIABLE = "PLANNER_DATABASE_LOCK_TIMEOUT_S"
CONNECTION = "planner"  # [connections.planner] in Streamlit's secrets.toml
SECRETS_TABLE = f"[connections.{CONNECTION}]"
URL_PARTS = ("driver", "username", "password", "host", "port", "database", "query")  # besides dialect, as st.connection
TEXT_PARTS = ("dialect", "driver", "username", "password", "host", "database")
IGNORED_SETTINGS = ("create_engine_kwargs",)  # st.connection's own; the planner makes its engine itself
SECRETS_FILES = (
    Path("~/.streamlit/secrets.toml"),
    Path(".streamlit/secrets.toml"),
)  # Streamlit's defaults, the later wins
DEFAULT_PATH = "plans.sqlite3"
MAX_PLAN_BYTES = 1_000_000
MAX_NAME_CHARS, MAX_NOTE_CHARS = 120, 500
MAX_EMAIL_CHARS, MAX_SUBJECT_CHARS = 320, 255
VISIBILITIES = ("private", "team", "link")
APPROVERS_VARIABLE, TEAM_DOMAINS_VARIABLE = "PLANNER_APPROVERS", "PLANNER_TEAM_DOMAINS"
ACCESS_TABLE = "[planner.access]"
ACCESS_LISTS = ("approvers", "team_domains", "team_groups")  # besides groups_claim
ID_HEX_DIGITS = 32  # secrets.token_hex(16): 128 random bits
SQLITE_BUSY_TIMEOUT_S = 60
LOCK_TIMEOUT_S, STATEMENT_TIMEOUT_S, CONNECT_TIMEOUT_S = 15, 60, 10  # PostgreSQL (libpq drivers)
LIBPQ_DRIVERS = ("psycopg", "psycopg2", "psycopg2cffi")
BUSY_SQLSTATES = ("55P03", "57014")  # lock_not_available (lock_timeout), query_canceled (statement_timeout)
SQLITE_HEADER = b"SQLite format 3\x00"
_MIGRATION_LOCK = 0x706C616E  # PostgreSQL advisory lock held while migrating ('plan')

metadata = sa.MetaData()
plans = sa.Table(
    "plans",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(MAX_NAME_CHARS), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("latest_revision", sa.Integer, nullable=False),
    sa.Column("owner_subject", sa.String(MAX_SUBJECT_CHARS), nullable=True),  # None: no owner (before 0003)
    sa.Column("owner_email", sa.String(MAX_EMAIL_CHARS), nullable=True),
    sa.Column("visibility", sa.String(8), nullable=False, server_default="team"),
)
revisions = sa.Table(
    "revisions",
    metadata,
    sa.Column("plan_id", sa.String(32), sa.ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("name", sa.String(MAX_NAME_CHARS), nullable=False),
    sa.Column("note", sa.String(MAX_NOTE_CHARS), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("workspace_version", sa.Integer, nullable=False),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("document_sha256", sa.String(64), nullable=True),  # of the document's UTF-8; None before 0002
    sa.Column("author_subject", sa.String(MAX_SUBJECT_CHARS), nullable=True),  # None: single-user or before 0003
    sa.Column("author_email", sa.String(MAX_EMAIL_CHARS), nullable=True),
)
approvals = sa.Table(
    "approvals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("plan_id", sa.String(32), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("approver_subject", sa.String(MAX_SUBJECT_CHARS), nullable=False),
    sa.Column("approver_email", sa.String(MAX_EMAIL_CHARS), nullable=False),
    sa.Column("document_sha256", sa.String(64), nullable=False),
    sa.Column("comment", sa.String(MAX_NOTE_CHARS), nullable=False),
)
audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("plan_id", sa.String(32), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),  # saved, approved, visibility, renamed, owner, opened
    sa.Column("actor_subject", sa.String(MAX_SUBJECT_CHARS), nullable=True),
    sa.Column("actor_email", sa.String(MAX_EMAIL_CHARS), nullable=True),  # None: single-user mode, an administrator
    sa.Column("revision", sa.Integer, nullable=True),
    sa.Column("detail", sa.String(MAX_NOTE_CHARS), nullable=False),
)


# ── Errors: each message is for a person ───────────────────────────────────────────────────────────
class StoreError(Exception):
    """A plan could not be saved or opened. `str(err)` says why with the server's details (the database's address
    without its password, file paths), for the log and the command line; `err.public` says it without them, for
    the app's visitors."""

    def __init__(self, message: str, public: str | None = None):
        super().__init__(message)
        self.public = public or message


class PlanNotFound(StoreError):
    pass


class UnreadablePlan(StoreError):
    pass


class StoreUnavailable(StoreError):
    """The database cannot be reached or used (stopped, network gone, a file SQLite cannot use)."""


class StoreBusy(StoreUnavailable):
    """Another connection held what was needed longer than the lock or statement timeout: try again."""


class NotAllowed(StoreError):
    """The acting user sees the plan but may not do this to it (revise a plan shared by link, change another's
    visibility, approve without being an approver)."""


class StoreConflict(StoreError):
    """A save on top of a revision that is no longer the plan's latest: nothing was stored."""

    def __init__(self, plan_id: str, base: int, latest: int):
        super().__init__(
            f"revision {latest} of plan {plan_id!r} was saved after revision {base}, which this work "
            f"started from: nothing was saved"
        )
        self.plan_id, self.base, self.latest = plan_id, base, latest


# ── What the store hands back ──────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Actor:
    """Who acts: the sign-in provider's subject (empty when only the email is known, as with the command line's
    `--as`), the email (kept in lower case) and the group claims."""

    subject: str
    email: str
    groups: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "subject", str(self.subject or "").strip()[:MAX_SUBJECT_CHARS])
        object.__setattr__(self, "email", str(self.email or "").strip().lower())
        object.__setattr__(self, "groups", tuple(str(g) for g in self.groups or ()))

    @classmethod
    def of_email(cls, email: str) -> "Actor":
        """The user with this email (the command line's `--as`); a text that is not an email is a StoreError."""
        actor = cls("", email)
        local, at, domain = actor.email.partition("@")
        if not (
            local
            and at
            and domain
            and "@" not in domain
            and len(actor.email) <= MAX_EMAIL_CHARS
            and actor.email.isprintable()
            and not any(c.isspace() for c in actor.email)
        ):
            raise StoreError(f"{str(email)[:80]!r} is not an email address")
        return actor

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2]


@dataclass(frozen=True)
class Access:
    """Who is on the team (email domains, groups) and who approves (emails, or group names: an entry without @)."""

    approvers: frozenset[str] = frozenset()
    team_domains: frozenset[str] = frozenset()
    team_groups: frozenset[str] = frozenset()
    groups_claim: str = "groups"  # the claim of the provider's token that holds the user's groups

    def on_team(self, actor: Actor) -> bool:
        return bool(actor.email) and actor.domain in self.team_domains or bool(self.team_groups & set(actor.groups))

    def approves(self, actor: Actor | None) -> bool:
        return actor is not None and (
            bool(actor.email) and actor.email in self.approvers or bool(self.approvers & set(actor.groups))
        )


def access_settings(environ=os.environ, secrets: Mapping | None = None) -> Access:
    """`[planner.access]` of Streamlit's secrets (`secrets`, or the secrets.toml files when None): `approvers`,
    `team_domains`, `team_groups` (lists of text) and `groups_claim`; `PLANNER_APPROVERS` and
    `PLANNER_TEAM_DOMAINS` (comma-separated) win over the first two. A setting of the wrong shape is a StoreError."""
    secrets = read_secrets() if secrets is None else secrets
    table = secrets.get("planner", {})
    table = table.get("access", {}) if isinstance(table, Mapping) else table
    if not isinstance(table, Mapping):
        raise StoreError(f"{ACCESS_TABLE} in the secrets is {_toml_kind(table)}, not a table of settings")
    unknown = [k for k in table if k not in (*ACCESS_LISTS, "groups_claim")]
    if unknown:
        raise StoreError(
            f"{ACCESS_TABLE} has {str(unknown[0])[:40]!r}, which is not a setting: give "
            f"{', '.join(ACCESS_LISTS)}, groups_claim"
        )
    lists = {}
    for key in ACCESS_LISTS:
        value = table.get(key, [])
        if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise StoreError(f"{key} in {ACCESS_TABLE} must be a list of text in quotes, not {_toml_kind(value)}")
        lists[key] = value
    for key, variable in (("approvers", APPROVERS_VARIABLE), ("team_domains", TEAM_DOMAINS_VARIABLE)):
        if environ.get(variable, "").strip():
            lists[key] = environ[variable].split(",")
    claim = table.get("groups_claim", "groups")
    if not (isinstance(claim, str) and claim.strip()):
        raise StoreError(f"groups_claim in {ACCESS_TABLE} must be a claim's name in quotes, not {_toml_kind(claim)}")
    clean = {
        key: frozenset(v.strip().lower() if key != "team_groups" else v.strip() for v in values if v.strip())
        for key, values in lists.items()
    }
    clean["team_domains"] = frozenset(d.lstrip("@") for d in clean["team_domains"])
    return Access(**clean, groups_claim=claim.strip())


@dataclass(frozen=True)
class RevisionInfo:
    plan_id: str
    number: int
    saved_at: datetime
    name: str
    note: str
    author: str | None = None  # the author's email (None: saved in single-user mode or before 0003)


@dataclass(frozen=True)
class PlanSummary:
    id: str
    name: str
    revisions: int  # the latest revision's number (revisions are 1..n)
    created_at: datetime
    updated_at: datetime
    problem: str | None  # why its latest revision cannot be read, if it cannot
    kind: str = "scenario"  # what its latest revision plans: "scenario" or "fleet"
    owner: str | None = None  # the owner's email (None: no owner)
    visibility: str = "team"


@dataclass(frozen=True)
class Approval:
    plan_id: str
    revision: int
    approved_at: datetime
    approver: str  # the approver's email
    comment: str
    document_sha256: str
    intact: bool  # the revision's stored document still has the approved SHA-256

    def text(self) -> str:
        """ "Approved by … on …", for the page, the report, the workbook and the CSV."""
        return f"Approved by {self.approver} on {self.approved_at:%Y-%m-%d %H:%M} UTC (revision {self.revision})"


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    action: str
    actor: str | None  # the actor's email (None: single-user mode or an administrator)
    revision: int | None
    detail: str


def approval_status(approvals_found: list[Approval], number: int) -> str:
    """What a revision's approval is, in words: "Approved by … on …", or why it is not (a later or earlier
    revision was approved, the approved document was altered, none)."""
    own = [a for a in approvals_found if a.revision == number]
    if any(a.intact for a in own):
        return "; ".join(a.text() for a in own if a.intact)
    if own:
        return "Not approved: the document was altered after its approval"
    earlier = [a for a in approvals_found if a.revision < number]
    if earlier:
        return f"Not approved: changed since approval ({earlier[0].text()})"
    return "Not approved"


@dataclass(frozen=True)
class SavedPlan:
    revision: RevisionInfo
    workspace: Workspace
    document: str  # the stored JSON, byte for byte


# ── Configuration ──────────────────────────────────────────────────────────────────────────────────
def database_url(environ=os.environ, secrets: Mapping | None = None) -> str:
    """`PLANNER_DATABASE_URL`, else `[connections.planner]` of Streamlit's secrets (`secrets`, or the
    secrets.toml files when None), else SQLite in `PLANNER_DATABASE_PATH` (default plans.sqlite3)."""
    url = environ.get(URL_VARIABLE, "").strip()
    if url:
        return _usable(url, URL_VARIABLE)
    connection = connection_settings(read_secrets() if secrets is None else secrets)
    if connection is not None:
        return connection_url(connection)
    path = Path(environ.get(PATH_VARIABLE, "").strip() or DEFAULT_PATH).expanduser().absolute()
    return f"sqlite:///{path}"


def connection_settings(secrets: Mapping) -> Mapping | None:
    """The `[connections.planner]` table of the secrets, or None when they have none. A near miss — a misspelt
    table (`[connection.planner]`, `[connections.planer]`) or one of another shape (`connections = 5`) — is a
    StoreError naming the key, never a silent fall-back to the SQLite file."""
    connections = secrets.get("connections")
    if connections is None:
        near = _near_miss("connections", secrets)
        if near is not None:
            raise StoreError(
                f"the secrets have [{near}] but no [connections]: the plans database is read from {SECRETS_TABLE}"
            )
        return None
    if not isinstance(connections, Mapping):
        raise StoreError(
            f"connections in the secrets is {_toml_kind(connections)}, not a table: the plans database "
            f'is read from {SECRETS_TABLE} (url = "...")'
        )
    settings = connections.get(CONNECTION)
    if settings is None:
        near = _near_miss(CONNECTION, connections)
        if near is not None:
            raise StoreError(
                f"the secrets have [connections.{near}] but no {SECRETS_TABLE}: the plans database is "
                f"read from {SECRETS_TABLE}"
            )
    return settings


def _near_miss(key: str, table: Mapping) -> str | None:
    """A key of `table` that looks like a misspelling of `key` (another case, a letter more or less), if any."""
    names = [k for k in table if isinstance(k, str) and k != key]
    same_case = [k for k in names if k.casefold() == key.casefold()]
    return (same_case or difflib.get_close_matches(key, names, n=1, cutoff=0.8) or [None])[0]


def _toml_kind(value) -> str:
    """What a TOML value is, in words (never the value: it may be a password)."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "empty text" if not value.strip() else "text"
    return "a table" if isinstance(value, Mapping) else "a list" if isinstance(value, list) else "a date or time"


def connection_url(params) -> str:
    """The URL of a `[connections.planner]` table: its `url`, or one made of its parts as `st.connection` makes it
    (`dialect` and `driver` give the driver name). Every setting of the wrong type, and any setting the planner
    does not read, is a StoreError naming its key."""
    where = f"{SECRETS_TABLE} in the secrets"
    if not isinstance(params, Mapping):
        raise StoreError(f'{where} is {_toml_kind(params)}, not a table of settings (url = "...")')
    unknown = [k for k in params if k not in ("url", "dialect", *URL_PARTS, *IGNORED_SETTINGS)]
    if unknown:
        raise StoreError(
            f"{where} has {str(unknown[0])[:40]!r}, which is not a setting: give url, or dialect, "
            f"{', '.join(URL_PARTS)}"
        )
    if "url" in params:
        url = params["url"]
        if not isinstance(url, str) or not url.strip():
            raise StoreError(f"url in {where} must be a database URL in quotes, not {_toml_kind(url)}")
        return _usable(url.strip(), f"url in {where}")
    if "dialect" not in params:
        raise StoreError(f'{where} needs url = "..." (or dialect, host, database and the rest of the parts)')
    for key in TEXT_PARTS:
        if key in params and not (isinstance(params[key], str) and params[key].strip()):
            raise StoreError(f"{key} in {where} must be text in quotes, not {_toml_kind(params[key])}")
    port = params.get("port")
    if port is not None and not (isinstance(port, int) and not isinstance(port, bool) and 1 <= port <= 65535):
        raise StoreError(f"port in {where} must be a whole number from 1 to 65535, not {_toml_kind(port)}")
    query = params.get("query")
    if query is not None and not (
        isinstance(query, Mapping)
        and all(
            isinstance(v, str) or isinstance(v, list) and all(isinstance(x, str) for x in v) for v in query.values()
        )
    ):
        raise StoreError(
            f'query in {where} must be a table of text settings (query = {{ sslmode = "require" }}), '
            f"not {_toml_kind(query)}"
        )
    try:
        url = sa.engine.URL.create(
            params["dialect"] + (f"+{params['driver']}" if params.get("driver") else ""),
            **{k: params[k] for k in URL_PARTS if k != "driver" and params.get(k) is not None},
        )
    except (TypeError, ValueError, sa_exc.ArgumentError) as exc:
        raise StoreError(
            f"{where} does not make a database URL: {exc}", public=f"{where} does not make a database URL"
        ) from None
    return _usable(url.render_as_string(hide_password=False), where)


def _usable(url: str, where: str) -> str:
    """`url` when SQLAlchemy knows its dialect and driver, else a StoreError naming the setting it came from."""
    try:
        parsed = sa.make_url(url)
    except sa_exc.ArgumentError as exc:
        raise StoreError(f"{where} is not a database URL: {exc}", public=f"{where} is not a database URL") from None
    try:
        parsed.get_dialect()
    except (sa_exc.NoSuchModuleError, ImportError) as exc:
        raise StoreError(
            f"{where} is not a usable database URL ({describe_url(url)}): {exc}",
            public=f"{where} is not a usable database URL",
        ) from None
    return url


def read_secrets(files=SECRETS_FILES) -> dict:
    """Streamlit's secrets.toml files (the user's, then the working directory's, whose tables win), for the
    command line; the app reads `st.secrets`, which may be configured elsewhere."""
    merged: dict = {}
    for file in files:
        path = file.expanduser()
        try:
            merged.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc).splitlines()[0][:200]
            raise StoreError(
                f"the secrets file {path} cannot be read: {exc}", public=f"the secrets file cannot be read: {reason}"
            ) from None
    return merged


def describe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return "(not a database URL)"


def _utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _clean_name(name: str) -> str:
    name = " ".join(str(name).split())
    if not name:
        raise StoreError("a plan needs a name")
    if len(name) > MAX_NAME_CHARS or not name.isprintable():
        raise StoreError(f"a plan's name is at most {MAX_NAME_CHARS} printable characters")
    return name


def _clean_note(note: str) -> str:
    note = str(note or "").strip()
    if len(note) > MAX_NOTE_CHARS or not all(c.isprintable() or c in "\n\t" for c in note):
        raise StoreError(f"a note is at most {MAX_NOTE_CHARS} printable characters")
    return note


def _sha256(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8", "surrogatepass")).hexdigest()


def _document_problem(document: str, checksum: str | None) -> str | None:
    """Why a stored document does not read as a plan (damaged, altered since it was saved), or None. A document
    with the checksum it was saved with is the validated one that was saved; any other is parsed."""
    if checksum is not None and _sha256(document) == checksum:
        return None
    try:
        parse_json(document)
    except ScenarioError as exc:
        return f"its stored document is damaged: {exc}"
    return None


def valid_plan_id(plan_id) -> bool:
    return isinstance(plan_id, str) and len(plan_id) == ID_HEX_DIGITS and all(c in "0123456789abcdef" for c in plan_id)


def _problem(kind: str, workspace_version: int, schema_version: int) -> str | None:
    """Why a stored revision cannot be read by this planner, judged from its columns alone."""
    if kind not in KINDS:
        return f"it is a {kind!r} plan, which this planner cannot open"
    if workspace_version > WORKSPACE_VERSION or schema_version > SCHEMA_VERSION:
        return (
            f"it was saved by a newer planner (plan format {workspace_version}, scenario schema "
            f"{schema_version}; this one reads up to {WORKSPACE_VERSION} and {SCHEMA_VERSION})"
        )
    return None


# ── The store ──────────────────────────────────────────────────────────────────────────────────────
class Store:
    """The plans database behind one SQLAlchemy engine (thread-safe; one per process is enough)."""

    def __init__(
        self,
        url: str | None = None,
        migrate: bool = True,
        lock_timeout_s: float | None = None,
        access: Access | None = None,
    ):
        """`lock_timeout_s`: how long a PostgreSQL statement waits for a lock (default: PLANNER_DATABASE_LOCK_TIMEOUT_S,
        else LOCK_TIMEOUT_S). `access`: who is on the team and who approves (default: nobody)."""
        self.url = url or database_url()
        self.access = access or Access()
        self._verdicts: dict[tuple[str, int, int], str | None] = {}  # (plan, revision, length) → problem
        if lock_timeout_s is None:
            lock_timeout_s = _seconds(
                os.environ.get(LOCK_TIMEOUT_VARIABLE, "").strip() or LOCK_TIMEOUT_S, LOCK_TIMEOUT_VARIABLE
            )
        try:
            self.engine = _engine(self.url, lock_timeout_s)
        except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError, ImportError) as exc:
            raise StoreError(
                f"the database URL ({describe_url(self.url)}) is not usable: {exc}",
                public="the plans database's URL is not usable",
            ) from None
        except OSError as exc:  # the SQLite file's folder cannot be made
            raise self._failure(exc) from None
        if migrate:
            self.upgrade()

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _transaction(self) -> Iterator[sa.Connection]:
        """A transaction; a database that cannot be reached or used becomes StoreUnavailable (StoreBusy when a lock
        or statement timed out), saying what is wrong in one line. A broken constraint is a bug: it propagates."""
        try:
            with self.engine.begin() as connection:
                yield connection
        except sa_exc.IntegrityError:
            raise
        except sa_exc.DBAPIError as exc:
            raise self._failure(exc) from None

    def _failure(self, exc: Exception) -> StoreUnavailable:
        """The StoreUnavailable for a failure of the database (a DBAPIError) or of its SQLite file (an OSError)."""
        cause = getattr(exc, "orig", None) or exc
        reason = (exc.strerror if isinstance(exc, OSError) else None) or str(cause).strip() or type(cause).__name__
        reason = reason.splitlines()[0][:200]
        where = f"the plans database ({describe_url(self.url)})"
        if (getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)) in BUSY_SQLSTATES or (
            "database is locked" in reason or "database table is locked" in reason
        ):
            return StoreBusy(f"{where} is busy; try again ({reason})", public="the plans database is busy; try again")
        problem = _sqlite_file_problem(self.url)
        if problem:
            return StoreUnavailable(
                f"{where} cannot be used: {problem} ({reason})", public=f"the plans database cannot be used: {problem}"
            )
        if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError)):
            return StoreUnavailable(
                f"{where} cannot be reached: {reason}", public="the plans database cannot be reached"
            )
        return StoreUnavailable(
            f"{where} refused the request: {reason}", public="the plans database refused the request"
        )

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (Alembic); safe to run on a current database."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(resources.files("planner.plans") / "migrations"))
        with self._transaction() as connection:
            if connection.dialect.name == "postgresql":  # one migrating process at a time
                connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    # ── Writing ──
    def save(
        self,
        workspace: Workspace,
        name: str,
        plan_id: str | None = None,
        note: str = "",
        base: int | None = None,
        force: bool = False,
        actor: Actor | None = None,
        visibility: str | None = None,
    ) -> RevisionInfo:
        """Store `workspace` as a new plan (plan_id None) or as the next revision of plan `plan_id`. `base` is the
        revision the work started from: when a later one has been saved since, nothing is stored and StoreConflict
        names the latest, unless `force` (save anyway). Without `base` the save is not checked. A new plan belongs to
        `actor`, `visibility` (default: private when someone signed in saves it, else team); a revision of a plan
        the actor may not revise is NotAllowed (PlanNotFound when they may not see it)."""
        name, note = _clean_name(name), _clean_note(note)
        if visibility is not None and visibility not in VISIBILITIES:
            raise StoreError(f"a plan's visibility is one of {', '.join(VISIBILITIES)}, not {str(visibility)[:20]!r}")
        if plan_id is not None and not valid_plan_id(plan_id):
            raise PlanNotFound(f"there is no plan {str(plan_id)[:40]!r} (a plan id is {ID_HEX_DIGITS} hex digits)")
        document = to_json(workspace)
        size = len(document.encode("utf-8"))
        checksum = _sha256(document)
        if size > MAX_PLAN_BYTES:
            smaller = (
                "fewer site rows (a row's count stands for identical sites) make it smaller"
                if workspace.kind == "fleet"
                else "fewer compared scenarios make it smaller"
            )
            raise StoreError(f"the plan is {size:,} bytes; a plan holds at most {MAX_PLAN_BYTES:,} ({smaller})")
        now = datetime.now(timezone.utc)
        author = {"subject": actor.subject or None, "email": actor.email} if actor else {"subject": None, "email": None}
        with self._transaction() as connection:
            if plan_id is None:
                plan_id, number = secrets.token_hex(ID_HEX_DIGITS // 2), 1
                visibility = visibility or ("private" if actor else "team")
                connection.execute(
                    sa.insert(plans).values(
                        id=plan_id,
                        name=name,
                        created_at=now,
                        updated_at=now,
                        latest_revision=number,
                        owner_subject=author["subject"],
                        owner_email=author["email"],
                        visibility=visibility,
                    )
                )
                self._record(connection, plan_id, "saved", actor, number, f"new plan, {visibility}", now)
            else:
                row = self._plan_row(connection, plan_id, actor)
                if not self._may_revise(row, actor):
                    raise NotAllowed(
                        f"plan “{row.name}” is shared by link: only its owner saves revisions of it; "
                        f"save your work as a new plan"
                    )
                # The row lock this update takes orders concurrent savers of one plan: each reads the
                # counter its predecessor committed.
                number = connection.execute(
                    sa.update(plans)
                    .where(plans.c.id == plan_id)
                    .values(latest_revision=plans.c.latest_revision + 1, updated_at=now, name=name)
                    .returning(plans.c.latest_revision)
                ).scalar()
                if number is None:
                    raise PlanNotFound(f"there is no plan {plan_id[:40]!r}")
                if base is not None and not force and number - 1 != base:  # the transaction rolls back
                    raise StoreConflict(plan_id, base, number - 1)
                before = connection.execute(
                    sa.select(revisions.c.kind).where(revisions.c.plan_id == plan_id, revisions.c.number == number - 1)
                ).scalar()
                if before != workspace.kind:  # the transaction rolls back: nothing is stored
                    raise StoreError(
                        f"plan {plan_id!r} holds a {before}, not a {workspace.kind}: save the "
                        f"{workspace.kind} as a new plan"
                    )
                self._record(connection, plan_id, "saved", actor, number, "", now)
                if row.name != name:
                    self._record(connection, plan_id, "renamed", actor, number, f"“{row.name}” → “{name}”", now)
                if visibility is not None and visibility != row.visibility:
                    self._change_visibility(connection, row, visibility, actor, now)
            connection.execute(
                sa.insert(revisions).values(
                    plan_id=plan_id,
                    number=number,
                    saved_at=now,
                    name=name,
                    note=note,
                    kind=workspace.kind,
                    workspace_version=WORKSPACE_VERSION,
                    schema_version=workspace.scenario.schema_version,
                    document=document,
                    document_sha256=checksum,
                    author_subject=author["subject"],
                    author_email=author["email"],
                )
            )
        return RevisionInfo(plan_id, number, now, name, note, author["email"])

    def set_visibility(self, plan_id: str, visibility: str, actor: Actor | None = None) -> None:
        """Make a plan private, team or link; only its owner may (anyone in single-user mode)."""
        if visibility not in VISIBILITIES:
            raise StoreError(f"a plan's visibility is one of {', '.join(VISIBILITIES)}, not {str(visibility)[:20]!r}")
        with self._transaction() as connection:
            row = self._plan_row(connection, plan_id, actor)
            if visibility != row.visibility:
                self._change_visibility(connection, row, visibility, actor, datetime.now(timezone.utc))

    def set_owner(self, plan_id: str, owner: Actor) -> None:
        """An administrator's act (the command line's `plans own`): `owner` owns the plan from now on, matched by
        email until they save it signed in."""
        with self._transaction() as connection:
            row = self._plan_row(connection, plan_id, None)
            connection.execute(
                sa.update(plans)
                .where(plans.c.id == row.id)
                .values(owner_subject=owner.subject or None, owner_email=owner.email)
            )
            self._record(
                connection,
                row.id,
                "owner",
                None,
                None,
                f"owner {row.owner_email or 'none'} → {owner.email}",
                datetime.now(timezone.utc),
            )

    def approve(self, plan_id: str, number: int, actor: Actor | None, comment: str = "") -> Approval:
        """`actor`, an approver, approves revision `number`: an immutable record with the SHA-256 of its document.
        Refused (NotAllowed) unless the access settings name the actor an approver; once per approver and revision."""
        comment = _clean_note(comment)
        if not self.access.approves(actor):
            who = actor.email if actor else "nobody signed in"
            raise NotAllowed(
                f"{who} is not an approver: approvers are named in {ACCESS_TABLE} approvers (or {APPROVERS_VARIABLE})"
            )
        now = datetime.now(timezone.utc)
        with self._transaction() as connection:
            row = self._plan_row(connection, plan_id, actor)
            stored = (
                connection.execute(
                    sa.select(revisions.c.document, revisions.c.document_sha256).where(
                        revisions.c.plan_id == row.id, revisions.c.number == number
                    )
                ).first()
                if (isinstance(number, int) and 1 <= number < 2**31)
                else None
            )
            if stored is None:
                raise PlanNotFound(f"plan {plan_id!r} has no revision {str(number)[:20]}")
            checksum = _sha256(stored.document)
            if stored.document_sha256 not in (None, checksum):
                raise UnreadablePlan(
                    f"revision {number} of plan {plan_id!r} was altered after it was saved: it cannot be approved"
                )
            if (
                connection.execute(
                    sa.select(approvals.c.id).where(
                        approvals.c.plan_id == row.id,
                        approvals.c.revision == number,
                        approvals.c.approver_email == actor.email,
                    )
                ).first()
                is not None
            ):
                raise NotAllowed(f"{actor.email} has already approved revision {number} of plan {plan_id!r}")
            connection.execute(
                sa.insert(approvals).values(
                    plan_id=row.id,
                    revision=number,
                    approved_at=now,
                    approver_subject=actor.subject,
                    approver_email=actor.email,
                    document_sha256=checksum,
                    comment=comment,
                )
            )
            self._record(connection, row.id, "approved", actor, number, comment, now)
        return Approval(row.id, number, now, actor.email, comment, checksum, True)

    def _change_visibility(self, connection, row, visibility: str, actor: Actor | None, now: datetime) -> None:
        if actor is not None and not row.owned:
            raise NotAllowed(f"only the owner of plan “{row.name}” changes who sees it")
        connection.execute(sa.update(plans).where(plans.c.id == row.id).values(visibility=visibility))
        self._record(connection, row.id, "visibility", actor, None, f"{row.visibility} → {visibility}", now)

    @staticmethod
    def _record(
        connection, plan_id: str, action: str, actor: Actor | None, number: int | None, detail: str, now: datetime
    ) -> None:
        """One line of the audit trail."""
        connection.execute(
            sa.insert(audit).values(
                plan_id=plan_id,
                at=now,
                action=action,
                actor_subject=actor.subject or None if actor else None,
                actor_email=actor.email if actor else None,
                revision=number,
                detail=detail[:MAX_NOTE_CHARS],
            )
        )

    # ── Who may do what ──
    @staticmethod
    def _owns(actor: Actor | None):
        """The SQL condition "`actor` owns the plan": the same subject; by email when either side has no subject
        (an owner an administrator named, the command line's `--as`). True for everyone in single-user mode."""
        if actor is None:
            return sa.true()
        by_email = sa.and_(plans.c.owner_email.is_not(None), plans.c.owner_email == actor.email)
        if not actor.subject:
            return by_email
        return sa.or_(
            sa.and_(plans.c.owner_subject.is_not(None), plans.c.owner_subject == actor.subject),
            sa.and_(plans.c.owner_subject.is_(None), by_email),
        )

    def _sees(self, actor: Actor | None, listed: bool):
        """The SQL condition "`actor` may see the plan": in the list (`listed`), or given its id."""
        if actor is None:
            return sa.true()
        if not (actor.subject or actor.email):  # nobody signed in, in a deployment with sign-in
            return sa.false()
        shared = [plans.c.visibility == "team"] if self.access.on_team(actor) else []
        by_link = [] if listed else [plans.c.visibility == "link"]
        return sa.or_(self._owns(actor), *shared, *by_link)

    def _plan_row(self, connection, plan_id: str, actor: Actor | None):
        """The plan's row with `owned` (whether `actor` owns it); PlanNotFound, worded as for a plan that does not
        exist, when it does not or the actor may not see it."""
        if not valid_plan_id(plan_id):
            raise PlanNotFound(f"there is no plan {str(plan_id)[:40]!r} (a plan id is {ID_HEX_DIGITS} hex digits)")
        row = connection.execute(
            sa.select(plans, sa.case((self._owns(actor), True), else_=False).label("owned")).where(
                plans.c.id == plan_id, self._sees(actor, listed=False)
            )
        ).first()
        if row is None:
            raise PlanNotFound(f"there is no plan {plan_id!r}")
        return row

    def _may_revise(self, row, actor: Actor | None) -> bool:
        return actor is None or row.owned or row.visibility == "team" and self.access.on_team(actor)

    # ── Reading ──
    def plans(self, search: str = "", limit: int = 500, actor: Actor | None = None) -> list[PlanSummary]:
        """Plans whose name contains `search` (any case), the last changed first, each with the reason its
        latest revision cannot be read, if it cannot: judged from its columns, then from its document, which
        must still have the checksum it was saved with (a document without one is parsed). A verdict is kept
        per revision and stored length: a revision never changes."""
        latest = revisions.alias("latest")
        query = (
            sa.select(
                plans,
                latest.c.kind,
                latest.c.workspace_version,
                latest.c.schema_version,
                sa.func.length(latest.c.document).label("length"),
            )
            .join(latest, sa.and_(latest.c.plan_id == plans.c.id, latest.c.number == plans.c.latest_revision))
            .where(self._sees(actor, listed=True))
            .order_by(plans.c.updated_at.desc(), plans.c.name, plans.c.id)
            .limit(limit)
        )
        if search.strip():
            query = query.where(plans.c.name.icontains(search.strip(), autoescape=True))
        with self._transaction() as connection:
            rows = connection.execute(query).all()
            problems = {r.id: _problem(r.kind, r.workspace_version, r.schema_version) for r in rows}
            unread = [
                (r.id, r.latest_revision, r.length)
                for r in rows
                if problems[r.id] is None and (r.id, r.latest_revision, r.length) not in self._verdicts
            ]
            if unread:
                documents = {
                    r.plan_id: r
                    for r in connection.execute(
                        sa.select(revisions.c.plan_id, revisions.c.document, revisions.c.document_sha256).where(
                            sa.tuple_(revisions.c.plan_id, revisions.c.number).in_([key[:2] for key in unread])
                        )
                    )
                }
                if len(self._verdicts) > 10_000:
                    self._verdicts.clear()
                for key in unread:
                    stored = documents[key[0]]
                    self._verdicts[key] = _document_problem(stored.document, stored.document_sha256)
        return [
            PlanSummary(
                r.id,
                r.name,
                r.latest_revision,
                _utc(r.created_at),
                _utc(r.updated_at),
                problems[r.id] or self._verdicts.get((r.id, r.latest_revision, r.length)),
                r.kind,
                r.owner_email,
                r.visibility,
            )
            for r in rows
        ]

    def revisions(self, plan_id: str, actor: Actor | None = None) -> list[RevisionInfo]:
        """Every revision of a plan, the newest first."""
        query = (
            sa.select(
                revisions.c.plan_id,
                revisions.c.number,
                revisions.c.saved_at,
                revisions.c.name,
                revisions.c.note,
                revisions.c.author_email,
            )
            .where(revisions.c.plan_id == plan_id)
            .order_by(revisions.c.number.desc())
        )
        with self._transaction() as connection:
            self._plan_row(connection, plan_id, actor)
            rows = connection.execute(query).all()
        return [RevisionInfo(r.plan_id, r.number, _utc(r.saved_at), r.name, r.note, r.author_email) for r in rows]

    def approvals(self, plan_id: str, actor: Actor | None = None) -> list[Approval]:
        """A plan's approvals, the latest revision's first, each saying whether its revision's document still has
        the approved SHA-256."""
        query = (
            sa.select(approvals, revisions.c.document)
            .join(
                revisions,
                sa.and_(revisions.c.plan_id == approvals.c.plan_id, revisions.c.number == approvals.c.revision),
            )
            .where(approvals.c.plan_id == plan_id)
            .order_by(approvals.c.revision.desc(), approvals.c.id.desc())
        )
        with self._transaction() as connection:
            self._plan_row(connection, plan_id, actor)
            rows = connection.execute(query).all()
        return [
            Approval(
                r.plan_id,
                r.revision,
                _utc(r.approved_at),
                r.approver_email,
                r.comment,
                r.document_sha256,
                _sha256(r.document) == r.document_sha256,
            )
            for r in rows
        ]

    def audit_trail(self, plan_id: str, actor: Actor | None = None) -> list[AuditEntry]:
        """A plan's audit trail, the oldest first."""
        query = sa.select(audit).where(audit.c.plan_id == plan_id).order_by(audit.c.id)
        with self._transaction() as connection:
            self._plan_row(connection, plan_id, actor)
            rows = connection.execute(query).all()
        return [AuditEntry(_utc(r.at), r.action, r.actor_email, r.revision, r.detail) for r in rows]

    def open(self, plan_id: str, number: int | None = None, actor: Actor | None = None) -> SavedPlan:
        """A plan's revision `number` (default: the latest), its workspace validated. Opened by anyone but its
        owner, the audit trail says so."""
        if not valid_plan_id(plan_id):
            raise PlanNotFound(f"there is no plan {str(plan_id)[:40]!r} (a plan id is {ID_HEX_DIGITS} hex digits)")
        if number is not None and not (isinstance(number, int) and 1 <= number < 2**31):
            raise PlanNotFound(f"plan {plan_id!r} has no revision {str(number)[:20]}")
        query = sa.select(revisions).where(revisions.c.plan_id == plan_id)
        if number is None:
            query = query.join(plans, plans.c.id == revisions.c.plan_id).where(
                revisions.c.number == plans.c.latest_revision
            )
        else:
            query = query.where(revisions.c.number == number)
        with self._transaction() as connection:
            plan = self._plan_row(connection, plan_id, actor)
            row = connection.execute(query).first()
            if row is not None and actor is not None and not plan.owned:
                self._record(connection, plan_id, "opened", actor, row.number, "", datetime.now(timezone.utc))
        if row is None:
            raise PlanNotFound(
                f"there is no plan {plan_id!r}" if number is None else f"plan {plan_id!r} has no revision {number}"
            )
        info = RevisionInfo(row.plan_id, row.number, _utc(row.saved_at), row.name, row.note, row.author_email)
        problem = _problem(row.kind, row.workspace_version, row.schema_version)
        try:
            if problem:
                raise ScenarioError(problem)
            workspace = parse_json(row.document)
        except ScenarioError as exc:
            raise UnreadablePlan(f"plan “{row.name}” revision {row.number} cannot be read: {exc}") from None
        return SavedPlan(info, workspace, row.document)


def _seconds(value, setting: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds < 86_400:
        raise StoreError(f"{setting} must be a number of seconds above 0 and below a day")
    return seconds


def _postgres_timeouts(parsed: sa.URL, lock_timeout_s: float) -> dict:
    """connect_args bounding a libpq connection's lock waits, statements and connection attempts (what the URL's
    own `connect_timeout` and `options` say wins: they come later)."""
    if parsed.get_driver_name() not in LIBPQ_DRIVERS:
        return {}
    statement_s = max(STATEMENT_TIMEOUT_S, lock_timeout_s)
    options = f"-c lock_timeout={round(lock_timeout_s * 1000)} -c statement_timeout={round(statement_s * 1000)}"
    own = parsed.query.get("options", ())
    own = (own,) if isinstance(own, str) else tuple(own)
    return {
        "connect_timeout": parsed.query.get("connect_timeout", CONNECT_TIMEOUT_S),
        "options": " ".join((options, *own)),
    }


def _sqlite_file_problem(url: str) -> str | None:
    """What keeps SQLite from using the file of a `sqlite:` URL, in words without its path (None when nothing is
    seen): a part of the path that is a file, a folder that cannot be searched or written, a file that is not a
    SQLite database or cannot be read and written."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database).expanduser().absolute()
    writable, usable = os.W_OK | os.X_OK, os.R_OK | os.W_OK
    try:
        folder = Path(path.anchor)
        for part in path.parent.relative_to(path.anchor).parts:  # from the root down to the file's folder
            if not (folder / part).exists():
                return None if os.access(folder, writable) else "its folder cannot be made (permission denied)"
            folder = folder / part
            if not folder.is_dir():
                return "a part of its path is a file, not a folder"
        if path.is_dir():
            return "its path is a folder, not a file"
        if not path.exists():
            return None if os.access(folder, writable) else "its folder is read-only (permission denied)"
        if not os.access(path, usable):
            return "the file cannot be read and written (permission denied)"
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
        if header and header != SQLITE_HEADER:
            return "the file is not a SQLite database"
        if not os.access(folder, writable):
            return "its folder is read-only (SQLite writes its journal beside the file)"
    except PermissionError:
        return "a folder on its path cannot be searched (permission denied)"
    except OSError as exc:
        return f"its file cannot be checked ({exc.strerror})"
    return None


def _engine(url: str, lock_timeout_s: float = LOCK_TIMEOUT_S) -> sa.Engine:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(
            parsed,
            pool_pre_ping=True,
            **(
                {"connect_args": _postgres_timeouts(parsed, lock_timeout_s)}
                if parsed.get_backend_name() == "postgresql"
                else {}
            ),
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"):
            cursor.execute(pragma)  # constant statements: SQLite has no other way to set these
        cursor.close()

    return engine
