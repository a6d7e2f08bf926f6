"""Command-line report.

    python -m planner report (--preset NAME | --scenario FILE) [--set FIELD=VALUE ...] [--months N]
                             [--view cash|accounting] [--format table|json|csv] [--out PATH]
    python -m planner presets
    python -m planner fields
    python -m planner plans save --scenario FILE --name NAME [--plan ID] [--note TEXT]
    python -m planner plans list [--search TEXT] [--format table|json]
    python -m planner plans export ID [--rev N] [--out FILE]
    python -m planner db upgrade

The plans commands use the database `PLANNER_DATABASE_URL` names (default: SQLite in
`PLANNER_DATABASE_PATH`, else ./plans.sqlite3).

Bad input exits with status 2 and one line on stderr naming the problem.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import catalog
from .report import analyse_one, break_even_text, formula_rows, report_csv, summary, summary_json
from .scenario import FIELDS, MAX_SCENARIO_BYTES, NumberField, ScenarioError, parse_assignment, parse_json, validate, to_dict


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):          # one line, exit 2 (argparse would print the usage too)
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m planner", description="Edge Inference Planner: cloud vs edge cost report.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    r = sub.add_parser("report", help="cost report for one scenario")
    src = r.add_mutually_exclusive_group(required=True)
    src.add_argument("--preset", help="a bundled preset (see `presets`)")
    src.add_argument("--scenario", type=Path, help="a scenario JSON file")
    r.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="override one input")
    r.add_argument("--months", type=int, help="horizon in months (overrides the scenario's)")
    r.add_argument("--view", choices=("cash", "accounting"), default="cash")
    r.add_argument("--format", choices=("table", "json", "csv"), default="table")
    r.add_argument("--out", type=Path, help="write to this file instead of standard output")
    sub.add_parser("presets", help="list the bundled presets")
    sub.add_parser("fields", help="list every scenario input with its unit and range")
    _plans_parsers(sub)
    return p


def _load(args):
    if args.preset:
        scenario = catalog.preset(args.preset)
    else:
        try:
            if args.scenario.stat().st_size > MAX_SCENARIO_BYTES:
                raise ScenarioError(f"{args.scenario}: larger than {MAX_SCENARIO_BYTES:,} bytes")
            data = args.scenario.read_bytes()
        except OSError as exc:
            raise ScenarioError(f"cannot read {args.scenario}: {exc.strerror}") from None
        scenario = parse_json(data)
    changes = dict(parse_assignment(item) for item in args.set)
    if args.months is not None:
        changes["horizon_months"] = args.months
    return validate({**to_dict(scenario), **changes}) if changes else scenario


def _table(a, view: str) -> str:
    s = summary(a, view)
    cur = s["currency"]
    lines = [f"{a.scenario.name}", "=" * len(a.scenario.name)]
    figures = [
        ("Cloud cost, first month", f"{s['cloud_monthly_cost']:,.2f} {cur}"),
        ("Edge capex at go-live", f"{s['edge_capex']:,.2f} {cur}  ({s['edge_devices']} devices)"),
        ("Edge running cost, first month", f"{s['edge_monthly_cost']:,.2f} {cur}"),
        ("Break-even", break_even_text(s["break_even_month"], s["horizon_months"])),
        (f"Cloud TCO, {s['horizon_months']} months", f"{s['cloud_total_cost']:,.2f} {cur}"),
        (f"Edge TCO, {s['horizon_months']} months", f"{s['edge_total_cost']:,.2f} {cur}"),
        ("Savings", f"{s['savings_total']:,.2f} {cur}"),
        ("NPV of savings", f"{s['npv_savings']:,.2f} {cur}"),
        ("ROI", "n/a (no capex)" if s["roi_percent"] is None else f"{s['roi_percent']:,.0f} %"),
    ]
    lines += [f"{k:<32}{v}" for k, v in figures]
    lines += ["", f"{'Month 1 by component':<48}{'':>16}  ({view} view)"]
    for row in formula_rows(a):
        if view in row["views"]:
            lines.append(f"  {row['side']:<6}{row['component']:<40}{row['month_1']:>16,.2f}  {row['bill']}")
    return "\n".join(lines) + "\n"


# ── Saved plans (planner.store is imported only by these commands) ─────────────────────────────────
def _plans_parsers(sub) -> None:
    plans = sub.add_parser("plans", help="saved plans: save, list, export").add_subparsers(
        dest="action", required=True, parser_class=_Parser)
    save = plans.add_parser("save", help="save a scenario file as a new plan, or as a plan's next revision")
    save.add_argument("--scenario", type=Path, required=True, help="a scenario JSON file")
    save.add_argument("--name", required=True, help="the plan's name")
    save.add_argument("--plan", metavar="ID", help="add a revision to this plan (its other saved state is kept)")
    save.add_argument("--note", default="", help="what this revision is (e.g. 'as approved on 3 March')")
    listing = plans.add_parser("list", help="the saved plans, the last changed first")
    listing.add_argument("--search", default="", help="only plans whose name contains this text")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    export = plans.add_parser("export", help="write a plan's scenario file (readable by `report --scenario`)")
    export.add_argument("plan", metavar="ID")
    export.add_argument("--rev", type=int, metavar="N", help="this revision (default: the latest)")
    export.add_argument("--out", type=Path, help="write to this file instead of standard output")
    db = sub.add_parser("db", help="the plans database").add_subparsers(dest="action", required=True,
                                                                       parser_class=_Parser)
    db.add_parser("upgrade", help="create or migrate the plans database's tables")


def _plans_command(args) -> int:
    """`plans …` and `db upgrade`. A store problem is one line on stderr: exit 1 when the database cannot
    be reached, 2 for anything else (no such plan, an unreadable one, a bad name)."""
    from . import store
    from .workspace import Workspace
    try:
        db = store.Store()
        if args.command == "db":
            print(f"plans database {store.describe_url(db.url)}: schema is current")
        elif args.action == "save":
            scenario = _load(argparse.Namespace(preset=None, scenario=args.scenario, set=[], months=None))
            kept = db.open(args.plan).workspace if args.plan else Workspace(scenario)
            saved = db.save(kept.with_scenario(scenario), args.name, plan_id=args.plan, note=args.note)
            print(f"{saved.plan_id} {saved.number}")
        elif args.action == "list":
            _print_plans(db.plans(args.search), args.format)
        else:
            _write(_export(db.open(args.plan, args.rev).workspace), args.out)
        return 0
    except store.StoreError as exc:
        print(f"error: {_printable(str(exc))}", file=sys.stderr)
        return 1 if isinstance(exc, store.StoreUnavailable) else 2


def _export(workspace) -> str:
    from .scenario import to_json
    return to_json(workspace.scenario)


def _print_plans(found, style: str) -> None:
    if style == "json":
        rows = [{"id": p.id, "name": p.name, "revisions": p.revisions, "created_at": p.created_at.isoformat(),
                 "updated_at": p.updated_at.isoformat(), "problem": p.problem} for p in found]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    print(f"{'id':<34}{'revs':>5}  {'last change (UTC)':<18}  name")
    for p in found:
        problem = f"  (cannot be read: {p.problem})" if p.problem else ""
        print(f"{p.id:<34}{p.revisions:>5}  {p.updated_at:%Y-%m-%d %H:%M}  {_printable(p.name)}{problem}")


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot write {out}: {exc.strerror}") from None


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.command == "presets":
            for key, s in catalog.presets().items():
                print(f"{key:<16}{s.name}")
            return 0
        if args.command == "fields":
            for f in FIELDS:
                detail = f"[{f.unit_for()}] {f.min:g}..{f.max:g}" if isinstance(f, NumberField) else \
                    "|".join(getattr(f, "options", {})) or "text"
                print(f"{f.name:<44}{detail:<40}{f.help}")
            return 0
        if args.command in ("plans", "db"):
            return _plans_command(args)
        a = analyse_one(_load(args))
        text = {"table": _table, "json": summary_json, "csv": report_csv}[args.format](a, args.view)
        if args.out:
            try:
                args.out.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise ScenarioError(f"cannot write {args.out}: {exc.strerror}") from None
        else:
            sys.stdout.write(text)
        return 0
    except (UsageError, ScenarioError, catalog.CatalogError) as exc:
        message = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(exc))
        print(f"error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
