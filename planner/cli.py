"""Command-line report.

    python -m planner report (--preset NAME | --scenario FILE) [--set FIELD=VALUE ...] [--months N]
                             [--currency CODE [--fx-rate R]] [--view cash|accounting]
                             [--format table|json|csv|xlsx] [--out PATH] [--cloud own|cheapest] [--uplink-mbps MBPS]
    python -m planner advise (--preset NAME | --scenario FILE) [--set FIELD=VALUE ...] [--answer KEY=VALUE ...]
                             [--format table|json]
    python -m planner fleet --sites FILE.csv|FILE.json [--preset NAME | --scenario FILE | --base BASE] [--months N]
                            [--cloud own|cheapest] [--format table|json|csv|xlsx]
                            [--table sites|monthly|inventory] [--out PATH]
    python -m planner presets
    python -m planner fields
    python -m planner plans save (--scenario FILE | --fleet FILE) --name NAME [--plan ID] [--note TEXT]
                                 [--as EMAIL] [--visibility private|team|link]
    python -m planner plans list [--search TEXT] [--format table|json] [--as EMAIL]
    python -m planner plans export ID [--rev N] [--out FILE] [--as EMAIL]
    python -m planner plans approve ID --rev N --as EMAIL [--comment TEXT]
    python -m planner plans audit ID [--format table|json]
    python -m planner plans own ID --as EMAIL
    python -m planner db upgrade
    python -m planner catalog refresh ecb|azure|aws|owid [--from FILE_OR_URL ...] [--date YYYY-MM-DD] [--dry-run]
                                     [--accept-large-changes]
    python -m planner catalog list [--stale] [--format table|json]
    python -m planner catalog reprice --scenario FILE [--out FILE]

The plans commands use the database `PLANNER_DATABASE_URL` names, else `[connections.planner]` in Streamlit's
.streamlit/secrets.toml, else SQLite in `PLANNER_DATABASE_PATH` (default ./plans.sqlite3). `--as EMAIL` acts as
that user, under the rules the app applies to them (the access settings: `[planner.access]` in the secrets,
`PLANNER_APPROVERS`, `PLANNER_TEAM_DOMAINS`); without it the command acts as the administrator it is, as in the
single-user app. `plans own` (an administrator's act) makes EMAIL the plan's owner.

The catalog commands read and write the overlay folder `PLANNER_CATALOG_DIR` (see catalogs/catalog.py); the
bundled data/ is never rewritten.

Bad input, and any failure to read or write, exits with status 2 and one line on stderr naming the problem.
Output is UTF-8 whatever the locale.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import stat
import sys
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from planner.advice import advisor
from planner.catalogs import catalog, currency
from planner.exports.report import (
    LINK_MBPS,
    analyse_one,
    cloud_designs,
    formula_rows,
    report_csv,
    scenario_file,
    site_link_mbps,
    source_lines,
    summary,
    summary_json,
)
from planner.fleet import inventory as fleet_inventory
from planner.model import allocator, designs
from planner.model.costs import CARBON_PRICE
from planner.schema.format import break_even_text, carbon_break_even_text, irr_text
from planner.schema.scenario import (
    FIELDS,
    MAX_SCENARIO_BYTES,
    VIEWS,
    NumberField,
    Scenario,
    ScenarioError,
    exported_price_book,
    parse_assignment,
    parse_json,
    price_book_note,
    scale_money,
    to_dict,
    to_json,
    validate,
)

if TYPE_CHECKING:
    from planner.fleet.programme import Programme

MAX_SET_ASSIGNMENTS = 1_000  # a scenario has about 50 inputs


class UsageError(Exception):
    pass


class _AppendAssignment(argparse.Action):
    """`--set`, repeatable: appended in place and capped (argparse's "append" copies the list on every flag,
    which makes thousands of flags quadratic)."""

    def __call__(self, parser, namespace, value, option_string=None):
        assignments = getattr(namespace, self.dest, None)
        if assignments is None:
            assignments = []
            setattr(namespace, self.dest, assignments)
        if len(assignments) >= MAX_SET_ASSIGNMENTS:
            parser.error(
                f"--set given more than {MAX_SET_ASSIGNMENTS:,} times; a scenario has {len(FIELDS) + 4} inputs"
            )
        assignments.append(value)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse would print the usage too)
        raise UsageError(message)


def _report_arguments(r: argparse.ArgumentParser) -> None:
    src = r.add_mutually_exclusive_group(required=True)
    src.add_argument("--preset", help="a bundled preset (see `presets`)")
    src.add_argument("--scenario", help="a scenario JSON file")
    r.add_argument("--set", action=_AppendAssignment, default=None, metavar="FIELD=VALUE", help="override one input")
    r.add_argument("--months", type=int, help="horizon in months (overrides the scenario's)")
    r.add_argument(
        "--currency",
        metavar="CODE",
        help="convert every money input to this currency ("
        + ", ".join(r["currency"] for r in catalog.load().fx_rates)
        + ") at its ECB reference rate",
    )
    r.add_argument(
        "--fx-rate",
        type=float,
        metavar="R",
        help="with --currency: units of CODE per USD to convert at instead of the reference rate",
    )
    r.add_argument("--view", choices=VIEWS, default="cash")
    r.add_argument(
        "--format",
        choices=("table", "json", "csv", "xlsx"),
        default="table",
        help="xlsx: a live-formula workbook, written with --out only",
    )
    r.add_argument("--out", help="write to this file instead of standard output")
    r.add_argument(
        "--cloud",
        choices=("own", "cheapest"),
        default="own",
        help="compare the edge with the scenario's own cloud design, or with the cheapest one its uplink "
        "carries (that design applied to the scenario)",
    )
    r.add_argument(
        "--uplink-mbps",
        type=float,
        metavar="MBPS",
        help="the site's uplink, which a cloud design's upload must fit in (default: the upload capacity of the "
        f"scenario's link_class, {LINK_MBPS:g} for a custom one)",
    )


_FILE_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def _not_regular(mode: int) -> str | None:
    """Why a file of this mode cannot be a scenario or a report ('a named pipe'), or None for a regular file."""
    return (
        None if stat.S_ISREG(mode) else next((kind for test, kind in _FILE_KINDS if test(mode)), "not a regular file")
    )


def _read_scenario(name: str, limit: int = MAX_SCENARIO_BYTES, option: str = "--scenario") -> bytes:
    """A scenario file's bytes: a regular file only (a named pipe would block, /dev/zero never end), and never
    more than the size cap plus one byte."""
    if not name:
        raise ScenarioError(f"{option} needs a file name")
    try:
        with open(os.open(name, os.O_RDONLY | os.O_NONBLOCK), "rb") as file:  # a named pipe opens at once
            kind = _not_regular(os.fstat(file.fileno()).st_mode)
            if kind:
                raise ScenarioError(f"cannot read {name}: it is {kind}, not a regular file")
            data = file.read(limit + 1)
    except OSError as exc:
        raise ScenarioError(f"cannot read {name}: {exc.strerror}") from None
    if len(data) > limit:
        raise ScenarioError(f"{name}: larger than {limit:,} bytes")
    return data


def _load(args):
    if args.preset is not None:
        scenario = catalog.preset(args.preset)
    else:
        data = _read_scenario(args.scenario)
        scenario = parse_json(data)
        note = price_book_note(exported_price_book(data))
        if note:
            print(f"note: {args.scenario}: {note}", file=sys.stderr)
    changes = dict(parse_assignment(item) for item in args.set or ())
    changes = _with_link_class(changes, changes.get("fx_rate", scenario.fx_rate))
    if args.months is not None:
        changes["horizon_months"] = args.months
    return validate({**to_dict(scenario), **changes}) if changes else scenario


def _with_link_class(changes: dict, fx_rate) -> dict:
    """`--set` changes with a link class's figures (its rental, allowance and per-GB bill, as the Scenario page's
    picker fills them) under those set explicitly; a custom or unknown class changes nothing here."""
    found = catalog.load().link_class(changes.get("link_class", ""))
    if found is None or not isinstance(fx_rate, (int, float)) or isinstance(fx_rate, bool):
        return changes
    return scale_money(catalog.load().link_fields(found["id"]), fx_rate) | changes


def _money(x: float, decimals: int = 2) -> str:
    """'1,234.50'; a tiny negative amount is '0.00', never '-0.00'."""
    return f"{round(x, decimals) + 0.0:,.{decimals}f}"


def _table(a, view: str) -> str:
    s = summary(a, view)
    cur = s["currency"]
    lines = [f"{a.scenario.name}", "=" * len(a.scenario.name)]
    figures = [
        (
            "Cloud cost, first month",
            f"{_money(s['cloud_monthly_cost'])} {cur}"
            + (f"  (+ {_money(s['cloud_upfront'])} {cur} commitment upfront)" if s["cloud_upfront"] else ""),
        ),
        ("Edge capex at go-live", f"{_money(s['edge_capex'])} {cur}  ({s['edge_devices']} devices)"),
        ("Edge running cost, first month", f"{_money(s['edge_monthly_cost'])} {cur}"),
        ("Break-even", break_even_text(s["break_even_month"], s["horizon_months"])),
        (f"Cloud TCO, {s['horizon_months']} months", f"{_money(s['cloud_total_cost'])} {cur}"),
        (f"Edge TCO, {s['horizon_months']} months", f"{_money(s['edge_total_cost'])} {cur}"),
        ("Savings", f"{_money(s['savings_total'])} {cur}"),
        ("NPV of savings", f"{_money(s['npv_savings'])} {cur}"),
        ("ROI", "n/a (no capex)" if s["roi_percent"] is None else f"{_money(s['roi_percent'], 0)} %"),
        ("IRR", irr_text(s["irr_percent"], s["irr_note"])),
        (
            f"Emissions, {s['horizon_months']} months",
            f"cloud {s['cloud_kgco2e_total'] / 1000:,.2f} t CO2e, edge {s['edge_kgco2e_total'] / 1000:,.2f} t CO2e",
        ),
        ("Carbon break-even", carbon_break_even_text(s["carbon_break_even_month"], s["horizon_months"])),
    ]
    lines += [f"{k:<32}{v}" for k, v in figures]
    lines += [f"{'Currency':<32}{currency.rate_text(a.scenario)}"]
    lines += ["", f"Warning: {advisor.capacity_warning(a.capacity())}"] if not s["edge_capacity_ok"] else []
    lines += ["", f"{'Month 1 by component':<48}{'':>16}  ({view} view)"]
    priced = a.scenario.carbon_price_per_tonne > 0
    for row in formula_rows(a):
        if view in row["views"] and (priced or row["bill"] != CARBON_PRICE):
            lines.append(f"  {row['side']:<6}{row['component']:<40}{_money(row['month_1']):>16}  {row['bill']}")
    lines += ["", f"{'Month 1 emissions by line':<48}{'kg CO2e':>16}  ({view} view)"]
    for row in formula_rows(a, carbon=True):
        if view in row["views"]:
            lines.append(f"  {row['side']:<6}{row['component']:<40}{_money(row['month_1']):>16}  {row['scope']}")
    lines += ["", "Sources of the catalog figures", *(f"  {line}" for line in source_lines(a.scenario))]
    return "\n".join(lines) + "\n"


def _cheapest_design(scenario, link_mbps: float):
    """The scenario with the cheapest cloud design its uplink carries applied (ScenarioError when none fits)."""
    options = cloud_designs(scenario, link_mbps)
    if options.cheapest is None:
        lowest = float(options.upload_mbps.min()) / designs.UPLINK_UTILISATION
        raise ScenarioError(
            f"no cloud design fits an uplink of {link_mbps:g} Mbps or a link class it can buy: the lightest upload "
            f"needs {lowest:,.1f} Mbps per site"
        )
    return designs.apply(scenario, options.changes[options.cheapest])


def _write_file(name: str, content: str | bytes, source: str | None) -> None:
    """Write `content` (text as UTF-8, or bytes) to a temporary file beside `name`, then rename it into place:
    the previous file stays whole until the new one is complete (a full disk leaves it untouched), and a failed
    write leaves nothing behind."""
    if not name:
        raise ScenarioError("--out needs a file name")
    path = Path(name).resolve()  # through a symbolic link: replace what it points to
    try:
        old = path.stat()
    except FileNotFoundError:
        old = None
    except OSError as exc:
        raise ScenarioError(f"cannot write {name}: {exc.strerror}") from None
    if old and _not_regular(old.st_mode):
        raise ScenarioError(f"cannot write {name}: it is {_not_regular(old.st_mode)}, not a regular file")
    if old and source and _same_file(os.stat(source), old):
        raise ScenarioError(f"--out {name} is the scenario file itself: write the report to another file")
    temporary = None
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as file:
            file.write(content.encode("utf-8") if isinstance(content, str) else content)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, stat.S_IMODE(old.st_mode) if old else 0o666 & ~_umask())
        os.replace(temporary, path)
    except OSError as exc:
        if temporary:
            with suppress(OSError):
                os.unlink(temporary)
        raise ScenarioError(f"cannot write {name}: {exc.strerror}") from None


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)  # also through links and other spellings


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class OutputError(Exception):
    """Standard output cannot be written (closed, a full device)."""


def emit(text: str) -> None:
    """Write to standard output in UTF-8 whatever the locale ('—' and '₹' on a cp1252 or ASCII terminal), and
    flush, so that a closed stream or a full device is reported as one line (OutputError)."""
    if sys.stdout is None:
        raise OutputError("cannot write to standard output: it is closed")
    with suppress(AttributeError, ValueError, OSError):  # not a real stream (a test's StringIO): leave it
        sys.stdout.reconfigure(encoding="utf-8")
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        _discard_stdout()
        raise OutputError(f"cannot write to standard output: {exc.strerror or exc}") from None


def _discard_stdout() -> None:
    """After a failed write, point standard output at /dev/null so the interpreter's final flush of the
    unwritten rest cannot print a second message."""
    with suppress(AttributeError, ValueError, OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _one_line(text: str, limit: int = 500) -> str:
    line = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return line if len(line) <= limit else line[: limit - 1] + "…"


# ── advise ──────────────────────────────────────────────────────────────────────────────────────────
def _advise_arguments(v: argparse.ArgumentParser) -> None:
    src = v.add_mutually_exclusive_group(required=True)
    src.add_argument("--preset", help="a bundled preset (see `presets`)")
    src.add_argument("--scenario", help="a scenario JSON file")
    v.add_argument("--set", action=_AppendAssignment, default=None, metavar="FIELD=VALUE", help="override one input")
    v.add_argument(
        "--answer",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="one questionnaire answer: " + ", ".join(q.name for q in advisor.QUESTIONS),
    )
    v.add_argument("--format", choices=("table", "json"), default="table")
    v.set_defaults(months=None)


def _answer(text: str) -> tuple[str, object]:
    """`key=value` for --answer: numbers for the numeric questions, the option key otherwise."""
    name, sep, raw = (part.strip() for part in text.partition("="))
    if not sep or not name:
        raise ScenarioError(f"--answer expects KEY=VALUE, got {text!r}")
    spec = advisor.QUESTION_BY_NAME.get(name)
    if spec is None:
        raise ScenarioError(f"unknown answer {name!r}; the questions are {', '.join(advisor.QUESTION_BY_NAME)}")
    if isinstance(spec, NumberField):
        try:
            return name, float(raw.replace("_", ""))
        except ValueError:
            raise ScenarioError(f"{name} = {raw!r} is not a number") from None
    return name, raw


def _advice_table(advice: advisor.Advice, scenario) -> str:
    title = f"{scenario.name}: {advisor.PLACEMENT_TEXT[advice.placement]} ({advice.confidence} confidence)"
    lines = [title, "=" * len(title), advice.headline, ""]
    lines += [f"! {w}" for w in advice.warnings] + ([""] if advice.warnings else [])
    lines += [f"{'Factor':<18}{'Verdict':<9}{'Weight':<9}Why"]
    lines += [f"{f.name:<18}{f.verdict:<9}{advisor.weight_text(f):<9}{f.reason}" for f in advice.factors]
    lines += ["", f"{'Latency [ms]':<44}{'cloud':>10}{'edge':>10}"]
    for part in dict.fromkeys([*advice.cloud_latency_ms, *advice.edge_latency_ms]):
        cells = [advice.cloud_latency_ms.get(part), advice.edge_latency_ms.get(part)]
        lines.append(f"  {part:<42}" + "".join(f"{'' if c is None else f'{c:,.1f}':>10}" for c in cells))
    edge_total = f"{advice.edge_ms:,.1f}" if advice.edge_latency_ms else "no device"
    total = f"Total (required ≤ {advice.response_ms:,g})"
    lines += [
        f"  {total:<42}{advice.cloud_ms:>10,.1f}{edge_total:>10}",
        "",
        f"Uplink per site: {advice.uplink_needed_mbps:,.1f} Mbps needed by the cloud path, "
        f"{advice.uplink_available_mbps:,g} Mbps available",
        "",
    ]
    if advice.sizing:
        s = advice.sizing
        lines += [
            f"Sizing: {s.devices:,} × {s.device_name} ({s.device_id}), {s.power_watts:,.0f} W",
            f"  {advisor.sizing_text(s)}",
            f"  {s.reason}",
        ]
        lines += [f"  {note}" for note in advice.apply_notes]
    else:
        lines += ["Sizing: no catalog device fits the site, the edge is not costed"]
        lines += [f"  - {p}" for p in advice.problems] + [f"  to fit: {r}" for r in advice.relax]
    lines += ["", "Stack: " + "; ".join(f"{c.layer} {c.name}" for c in advice.stack)]
    return "\n".join(lines) + "\n"


def _advise(args) -> int:
    scenario = _load(args)
    given = dict(_answer(item) for item in args.answer)
    km = catalog.load().region_distance_km(scenario.cloud_region, scenario.site_location)
    if km is not None:  # the scenario's site and region say how far the cloud is
        given.setdefault("region_distance_km", float(min(round(km), 20_000)))
    # the site's link class says how it is connected
    for name, value in advisor.link_class_answers(scenario.link_class).items():
        given.setdefault(name, value)
    answers = advisor.answers(**given)
    advice = advisor.advise(answers, scenario)
    if args.format == "json":
        emit(json.dumps(advisor.advice_dict(advice), indent=2, ensure_ascii=False) + "\n")
    else:
        emit(_advice_table(advice, scenario))
    return 0


# ── Saved plans (planner.plans.store is imported only by these commands) ─────────────────────────────────
def _plans_arguments(p: argparse.ArgumentParser) -> None:
    plans = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    save = plans.add_parser("save", help="save a scenario or fleet file as a new plan, or as a plan's next revision")
    what = save.add_mutually_exclusive_group(required=True)
    what.add_argument("--scenario", help="a scenario JSON file")
    what.add_argument(
        "--fleet",
        help="a fleet: the JSON file the Fleet page exports (or an inventory CSV on the "
        "retail preset), as `fleet --sites` reads it",
    )
    save.add_argument("--name", required=True, help="the plan's name")
    save.add_argument("--plan", metavar="ID", help="add a revision to this plan (its other saved state is kept)")
    save.add_argument("--note", default="", help="what this revision is")
    save.add_argument(
        "--visibility",
        choices=("private", "team", "link"),
        help="who sees the plan (default for a new plan: private with --as, else team)",
    )
    listing = plans.add_parser("list", help="the saved plans, the last changed first")
    listing.add_argument("--search", default="", help="only plans whose name contains this text")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    export = plans.add_parser(
        "export",
        help="write a plan's scenario file (readable by `report --scenario`) or "
        "fleet file (readable by `fleet --sites`)",
    )
    export.add_argument("plan", metavar="ID")
    export.add_argument("--rev", type=int, metavar="N", help="this revision (default: the latest)")
    export.add_argument("--out", help="write to this file instead of standard output")
    approve = plans.add_parser("approve", help="approve one revision of a plan (approvers only)")
    approve.add_argument("plan", metavar="ID")
    approve.add_argument("--rev", type=int, metavar="N", required=True, help="the revision approved")
    approve.add_argument("--comment", default="", help="what the approval says")
    audit = plans.add_parser("audit", help="a plan's audit trail, the oldest first")
    audit.add_argument("plan", metavar="ID")
    audit.add_argument("--format", choices=("table", "json"), default="table")
    own = plans.add_parser("own", help="make --as EMAIL the owner of a plan (an administrator's act)")
    own.add_argument("plan", metavar="ID")
    for command, needed in (
        (save, False),
        (listing, False),
        (export, False),
        (approve, True),
        (audit, False),
        (own, True),
    ):
        command.add_argument(
            "--as",
            dest="actor",
            metavar="EMAIL",
            required=needed,
            help="act as the user with this email" + ("" if needed else " (default: as administrator)"),
        )


def _db_arguments(p: argparse.ArgumentParser) -> None:
    db = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    db.add_parser("upgrade", help="create or migrate the plans database's tables")


def _plans_command(args) -> int:
    """`plans …` and `db upgrade`. A store problem is one line on stderr: exit 1 when the database cannot
    be reached, 2 for anything else (no such plan, an unreadable one, a bad name)."""
    from planner.plans import store
    from planner.plans.workspace import Workspace, of_fleet

    try:
        actor = store.Actor.of_email(args.actor) if getattr(args, "actor", None) is not None else None
        db = store.Store(access=store.access_settings() if args.command == "plans" else None)
        if args.command == "db":
            emit(f"plans database {store.describe_url(db.url)}: schema is current\n")
        elif args.action == "save":
            if args.fleet is not None:
                work = of_fleet(load_fleet(args.fleet))
            else:
                scenario = _load(argparse.Namespace(preset=None, scenario=args.scenario, set=[], months=None))
                kept = db.open(args.plan, actor=actor).workspace if args.plan else Workspace(scenario)
                work = kept.with_scenario(scenario) if kept.kind == "scenario" else Workspace(scenario)
            saved = db.save(work, args.name, plan_id=args.plan, note=args.note, actor=actor, visibility=args.visibility)
            emit(f"{saved.plan_id} {saved.number}\n")
        elif args.action == "list":
            _print_plans(db.plans(args.search, actor=actor), args.format)
        elif args.action == "approve":
            emit(db.approve(args.plan, args.rev, actor, args.comment).text() + "\n")
        elif args.action == "audit":
            _print_audit(db.audit_trail(args.plan, actor), args.format)
        elif args.action == "own":
            db.set_owner(args.plan, actor)
            emit(f"{args.plan} owner {actor.email}\n")
        elif args.out is not None:
            _write_file(args.out, _export(db.open(args.plan, args.rev, actor).workspace), None)
        else:
            emit(_export(db.open(args.plan, args.rev, actor).workspace))
        return 0
    except store.StoreError as exc:
        print(f"error: {_one_line(str(exc))}", file=sys.stderr)
        return 1 if isinstance(exc, store.StoreUnavailable) else 2


def _export(workspace) -> str:
    """The saved scenario file (with the price-book rows its figures came from: `scenario_file`), or the saved fleet
    file."""
    if workspace.kind == "fleet":
        return fleet_inventory.fleet_json(workspace.fleet)
    return scenario_file(workspace.scenario)


def _print_audit(trail, style: str) -> None:
    if style == "json":
        rows = [
            {"at": e.at.isoformat(), "action": e.action, "actor": e.actor, "revision": e.revision, "detail": e.detail}
            for e in trail
        ]
        emit(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    lines = [f"{'when (UTC)':<18}  {'action':<11}{'revision':>8}  {'who':<32}  detail"]
    for e in trail:
        lines.append(
            f"{e.at:%Y-%m-%d %H:%M}  {e.action:<11}{e.revision or '':>8}  "
            f"{_one_line(e.actor or '(administrator)', 32):<32}  {_one_line(e.detail)}"
        )
    emit("\n".join(lines) + "\n")


def _print_plans(found, style: str) -> None:
    if style == "json":
        rows = [
            {
                "id": p.id,
                "name": p.name,
                "kind": p.kind,
                "revisions": p.revisions,
                "created_at": p.created_at.isoformat(),
                "updated_at": p.updated_at.isoformat(),
                "owner": p.owner,
                "visibility": p.visibility,
                "problem": p.problem,
            }
            for p in found
        ]
        emit(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    lines = [f"{'id':<34}{'kind':<10}{'revs':>5}  {'last change (UTC)':<18}  name"]
    for p in found:
        problem = f"  (cannot be read: {_one_line(p.problem)})" if p.problem else ""
        lines.append(
            f"{p.id:<34}{p.kind:<10}{p.revisions:>5}  {p.updated_at:%Y-%m-%d %H:%M}  {_one_line(p.name)}{problem}"
        )
    emit("\n".join(lines) + "\n")


# ── fleet ───────────────────────────────────────────────────────────────────────────────────────────
def _fleet_arguments(f: argparse.ArgumentParser) -> None:
    which = f.add_mutually_exclusive_group(required=True)
    which.add_argument("--sites", help="the site inventory: a CSV table, or a fleet JSON file")
    which.add_argument("--fleet", help="a bundled fleet preset: " + ", ".join(fleet_inventory.presets()))
    src = f.add_mutually_exclusive_group()
    src.add_argument("--preset", help="the base scenario: a bundled preset (default: the fleet file's, or retail)")
    src.add_argument("--scenario", help="the base scenario: a scenario JSON file")
    src.add_argument(
        "--base",
        metavar="preset:NAME|plan:ID[@REV]",
        help="the base scenario: a bundled preset, or a saved scenario plan's revision (default: its latest)",
    )
    f.add_argument("--months", type=int, help="programme months (default: the base scenario's horizon)")
    f.add_argument(
        "--cloud",
        choices=tuple(fleet_inventory.CLOUD_SIDES),
        help="the cloud each site is costed with, in the plans and the placement alike: own (the design the "
        "inventory states) or cheapest (the cheapest design each site's link carries); default: the fleet file's, "
        "else own",
    )
    f.add_argument(
        "--format",
        choices=("table", "json", "csv", "xlsx"),
        default="table",
        help="xlsx: the programme as a workbook (needs --out)",
    )
    f.add_argument(
        "--table",
        choices=("sites", "monthly", "inventory"),
        default="sites",
        help="which table --format csv writes: per site, the monthly cash flow, or the inventory",
    )
    f.add_argument("--out", help="write to this file instead of standard output")
    f.set_defaults(set=None)


def _fleet_text(p: Programme) -> str:
    from planner.fleet import tables as fleet_tables

    cur = p.fleet.base.currency
    plans = fleet_tables.plan_summary(p)
    title = f"{p.fleet.name}: {p.fleet.inventory.n:,} rows, {int(p.count.sum()):,} sites, {p.months} months"
    lines = [
        title,
        "=" * len(title),
        f"Base: {p.fleet.base_text} ({p.fleet.base_source}); a blank cell takes its value.",
        f"Cloud side: {fleet_inventory.CLOUD_SIDES[p.fleet.cloud]} (--cloud {p.fleet.cloud}).",
        "",
        f"{'Plan':<18}{'Capex':>16}{'TCO':>18}{'NPV of savings':>18}{'Break-even':>14}{'t CO2e':>10}  IRR",
    ]
    for key, s in plans.items():
        be = "-" if s["break_even_month"] is None else f"month {s['break_even_month']:.1f}"
        lines.append(
            f"{fleet_inventory.PLAN_TEXT[key]:<18}{_money(s['capex_total'], 0):>16}{_money(s['tco'], 0):>18}"
            f"{_money(s['npv'], 0):>18}{be:>14}{s['kgco2e_total'] / 1000:>10,.1f}  "
            f"{irr_text(s['irr_percent'], s['irr_note'])}"
        )
    if p.after_tax is not None:
        lines += ["", f"After tax at {p.fleet.base.tax_rate_percent:g} %:"]
        lines += [
            f"{fleet_inventory.PLAN_TEXT[key]:<18}NPV {_money(s['npv_after_tax'], 0)}, IRR "
            f"{irr_text(s['irr_percent_after_tax'], s['irr_note_after_tax'])}"
            for key, s in plans.items()
        ]
    lines += [
        "",
        f"Money in {cur}; savings, NPV, break-even and IRR against all cloud; emissions in tonnes of CO2e "
        "over the programme.",
        "",
        f"{'Site':<28}{'Count':>6}{'Live':>6}  {'Placement':<18}{'Devices':>8}  {'Device':<24}{'Capex':>14}"
        f"{'Saving/month':>14}{'Payback':>9}  Reason",
    ]
    for row in fleet_tables.site_table(p).itertuples():
        payback = "-" if row.payback_month != row.payback_month else f"{row.payback_month:.1f}"
        cloud = f"; cloud: {row.cloud_design}" if p.fleet.cloud != "own" else ""
        lines.append(
            f"{row.name[:27]:<28}{row.count:>6}{row.go_live_month:>6}  {row.placement:<18}{row.devices:>8,}"
            f"  {row.device[:23]:<24}{_money(row.capex, 0):>14}{_money(row.monthly_saving, 0):>14}{payback:>9}  "
            f"{row.reason}{cloud}"
        )
    return "\n".join(lines) + "\n"


def load_fleet(
    sites: str | None,
    preset: str | None = None,
    scenario: str | None = None,
    months: int | None = None,
    bundled: str | None = None,
    base_ref: str | None = None,
    cloud: str | None = None,
) -> fleet_inventory.Fleet:
    """The fleet the `fleet` subcommand evaluates; any refused cell is an error naming its row and column. The base:
    `--preset`, `--scenario` or `--base`, else the fleet file's, else (an inventory CSV) the retail preset. The
    cloud side: `cloud`, else the fleet file's, else own."""
    base, source = _fleet_base(preset if preset is not None else base_ref, scenario)
    data = b"" if bundled is not None else _read_scenario(sites, fleet_inventory.MAX_INVENTORY_BYTES, "--sites")
    if bundled is not None or fleet_inventory.is_fleet_json(data):
        f = (
            fleet_inventory.preset(bundled)
            if bundled is not None
            else fleet_inventory.parse_fleet_json(data, base, source or "scenario")
        )
        sites = sites or bundled
        if base is not None:
            f = fleet_inventory.with_base(f, base, source)
        if months is not None:
            f = fleet_inventory.make_fleet(f.inventory.table, f.base, f.answers, months, f.name, f.base_source, f.cloud)
    else:
        f = fleet_inventory.make_fleet(
            data,
            base or catalog.preset("retail"),
            None,
            months,
            Path(sites).stem[: fleet_inventory.MAX_FLEET_NAME],
            source or "preset:retail",
        )
    if cloud is not None:
        f = dataclasses.replace(f, cloud=fleet_inventory.check_cloud(cloud))
    if f.inventory.errors:
        more = len(f.inventory.errors) - 1
        raise ScenarioError(f"{sites}: {f.inventory.errors[0]}" + (f" (and {more:,} more)" if more else ""))
    return f


def _fleet_base(ref: str | None, scenario: str | None) -> tuple[Scenario | None, str | None]:
    """(base scenario, base source) from `--preset NAME`/`--base preset:NAME|NAME|plan:ID[@REV]` or `--scenario FILE`;
    (None, None) when none is given. A plan is read from the plans database (as `plans export` reads it)."""
    if scenario is not None:
        return parse_json(_read_scenario(scenario)), "scenario"
    if ref is None:
        return None, None
    if not ref.startswith("plan:"):
        key = ref.removeprefix("preset:")
        return catalog.preset(key), f"preset:{key}"
    from planner.plans import store

    plan_id, _, revision = ref.removeprefix("plan:").partition("@")
    if not store.valid_plan_id(plan_id) or not (revision == "" or revision.isdigit()):
        raise UsageError(f"--base {ref[:60]}: a saved plan is plan:ID or plan:ID@REV (ID: 32 hex digits)")
    try:
        saved = store.Store().open(plan_id, int(revision) if revision else None)
    except store.StoreError as exc:
        raise UsageError(f"--base {ref[:60]}: {exc}") from None
    if saved.workspace.kind != "scenario":
        raise UsageError(f"--base {ref[:60]}: the plan holds a fleet, not a scenario")
    return saved.workspace.scenario, f"plan:{plan_id}@{saved.revision.number}"


def _fleet(args) -> int:
    if args.format == "xlsx" and args.out is None:
        raise UsageError("--format xlsx needs --out FILE (a workbook is not text for the terminal)")
    f = load_fleet(args.sites, args.preset, args.scenario, args.months, args.fleet, args.base, args.cloud)
    from planner.fleet import programme as fleet_programme
    from planner.fleet import tables as fleet_tables

    p = fleet_programme.evaluate(f)
    if args.format == "xlsx":
        from planner.exports.workbook import fleet_workbook_bytes

        text = fleet_workbook_bytes(p)
    elif args.format == "json":
        text = json.dumps(fleet_tables.result_dict(p), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    elif args.format == "csv":
        text = (
            f.inventory.to_csv()
            if args.table == "inventory"
            else fleet_tables.to_csv(
                fleet_tables.site_table(p) if args.table == "sites" else fleet_tables.monthly_table(p)
            )
        )
    else:
        text = _fleet_text(p)
    if args.out is not None:
        _write_file(args.out, text, args.sites)
    else:
        emit(text)
    return 0


def _catalog_arguments(cat: argparse.ArgumentParser) -> None:
    from planner.catalogs import refresh

    actions = cat.add_subparsers(dest="action", required=True, parser_class=_Parser)
    r = actions.add_parser("refresh", help="read a public feed and write its figures to PLANNER_CATALOG_DIR")
    r.add_argument("source", choices=refresh.SOURCES)
    r.add_argument(
        "--from",
        dest="locations",
        action="append",
        metavar="FILE_OR_URL",
        help="a saved copy or another URL of the feed (repeatable; default: the public URL)",
    )
    r.add_argument("--date", metavar="YYYY-MM-DD", help="ecb: the rate of this day (from eurofxref-hist.xml)")
    r.add_argument("--dry-run", action="store_true", help="print old → new per figure; write nothing")
    r.add_argument(
        "--accept-large-changes",
        action="store_true",
        help=f"write figures that moved by more than {refresh.LARGE_CHANGE:g}×",
    )
    listing = actions.add_parser("list", help="every catalog figure in use with its source, date and origin")
    listing.add_argument("--stale", action="store_true", help="only the figures marked dated")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    reprice = actions.add_parser(
        "reprice",
        help="a scenario's region, device and vision API figures at today's "
        "catalog: print what changes, and with --out write the re-priced scenario",
    )
    reprice.add_argument("--scenario", required=True, help="a scenario JSON file (never rewritten in place)")
    reprice.add_argument("--out", help="write the re-priced scenario to this file")


def _catalog_command(args) -> int:
    """`catalog …`; a feed that cannot be used is bad input, one line on stderr, as a bad option is."""
    from planner.catalogs import feeds

    try:
        return _catalog_action(args)
    except feeds.FeedError as exc:
        raise UsageError(str(exc)) from None


def _catalog_action(args) -> int:
    from planner.catalogs import refresh

    overlay = catalog.catalog_dir()
    if args.action == "list":
        found = [f for f in refresh.figures_in_use(overlay_dir=overlay) if f["dated"] or not args.stale]
        if args.format == "json":
            emit(json.dumps(found, indent=2, ensure_ascii=False) + "\n")
        else:
            emit(
                "".join(
                    f"{f['file']:<20}{f['entry']:<50}{f['as_of']:<12}{f['origin']:<12}"
                    f"{'dated' if f['dated'] else '':<7}{f['source']}\n"
                    for f in found
                )
            )
        return 0
    if args.action == "reprice":
        return _reprice(args)
    if args.date is not None and args.source != "ecb":
        raise UsageError("--date is for ecb (a day of eurofxref-hist.xml)")
    if overlay is None and not args.dry_run:
        raise UsageError("set PLANNER_CATALOG_DIR to the folder for refreshed figures (data/ is never rewritten)")
    locations = args.locations or refresh.default_locations(args.source)
    figures = refresh.read_figures(args.source, locations, overlay, day=args.date)
    result = refresh.plan(args.source, figures, overlay)
    emit("".join(f"{line}\n" for line in result.lines()))
    if args.dry_run:
        emit("dry run: nothing written\n")
        return 0
    written = refresh.write(result, overlay, accept_large_changes=args.accept_large_changes)
    emit("".join(f"wrote {path}\n" for path in written) or "nothing to write\n")
    return 0


def _reprice(args) -> int:
    from planner.catalogs import refresh

    scenario = parse_json(_read_scenario(args.scenario))
    new, changed = refresh.repriced(scenario)

    def show(v):
        return json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict, str)) else f"{v:g}"

    emit(
        "".join(f"{field}: {show(old)} → {show(value)}\n" for field, old, value in changed)
        or "no input changes: the scenario is at today's catalog\n"
    )
    if args.out is not None:
        _write_file(args.out, to_json(new), args.scenario)
    return 0


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    pass


# Each command: its one-line help and the function that declares its arguments.
_COMMANDS = {
    "report": ("cost report for one scenario", _report_arguments),
    "advise": ("architecture advice (placement, latency, uplink, sizing) for one scenario", _advise_arguments),
    "fleet": ("placement per site and the programme's three plans for a site inventory", _fleet_arguments),
    "presets": ("list the bundled presets", _no_arguments),
    "fields": ("list every scenario input with its unit and range", _no_arguments),
    "plans": ("saved plans: save, list, export, approve, audit, own", _plans_arguments),
    "db": ("the plans database", _db_arguments),
    "catalog": ("the catalog figures in use; refresh them from the providers' feeds", _catalog_arguments),
}


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """Every command, with the arguments of `command` only (of all of them when it is None): a command does not
    load the modules another one's options name, such as the feeds `catalog refresh` reads."""
    p = _Parser(prog="python -m planner", description="Edge Inference Planner: cloud vs edge cost report.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, (help_text, declare) in _COMMANDS.items():
        parser = sub.add_parser(name, help=help_text)
        if command in (None, name):
            declare(parser)
    return p


def main(argv: list[str] | None = None) -> int:
    allocator.keep_freed_arrays()
    try:
        return _run(argv)
    except (UsageError, ScenarioError, catalog.CatalogError, OutputError) as exc:
        message = _one_line(str(exc))
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error
        _discard_stdout()
        return 0
    except Exception as exc:  # a failure nobody foresaw: still one line, no traceback
        message = f"unexpected {type(exc).__name__}: {_one_line(str(exc), 200)}"
    print(f"error: {message}", file=sys.stderr)
    return 2


def _run(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = _parser(argv[0] if argv else None).parse_args(argv)
    if args.command == "presets":
        width = max(map(len, catalog.presets())) + 2
        emit("".join(f"{key:<{width}}{s.name}\n" for key, s in catalog.presets().items()))
        return 0
    if args.command == "fields":
        lines = []
        for f in FIELDS:
            detail = (
                f"[{f.unit_for()}] {f.min:g}..{f.max:g}"
                if isinstance(f, NumberField)
                else "|".join(getattr(f, "options", {})) or "text"
            )
            lines.append(f"{f.name:<44}{detail:<40}{f.help}\n")
        emit("".join(lines))
        return 0
    if args.command == "advise":
        return _advise(args)
    if args.command in ("plans", "db"):
        return _plans_command(args)
    if args.command == "fleet":
        return _fleet(args)
    if args.command == "catalog":
        return _catalog_command(args)
    if args.format == "xlsx" and args.out is None:
        raise UsageError("--format xlsx needs --out FILE (a workbook is not text for the terminal)")
    if args.fx_rate is not None and args.currency is None:
        raise UsageError("--fx-rate needs --currency CODE (the currency the rate converts to)")
    scenario = _load(args)
    if args.currency is not None:
        scenario = currency.convert(scenario, args.currency.strip().upper(), args.fx_rate)
    if args.uplink_mbps is not None and not (0 < args.uplink_mbps < float("inf")):
        raise UsageError(f"--uplink-mbps must be a positive number of Mbps, got {args.uplink_mbps:g}")
    link_mbps = site_link_mbps(scenario) if args.uplink_mbps is None else args.uplink_mbps
    if args.cloud == "cheapest":
        scenario = _cheapest_design(scenario, link_mbps)
    a = analyse_one(scenario)

    def json_of(a, view):
        return summary_json(a, view, link_mbps)

    def workbook_of(a, view):
        from planner.exports.workbook import workbook_bytes

        return workbook_bytes(a, view)

    text = {"table": _table, "json": json_of, "csv": report_csv, "xlsx": workbook_of}[args.format](a, args.view)
    if args.out is not None:
        _write_file(args.out, text, args.scenario)
    else:
        emit(text)
    return 0
