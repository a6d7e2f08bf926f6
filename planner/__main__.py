"""Command-line report.

    python -m planner report (--preset NAME | --scenario FILE) [--set FIELD=VALUE ...] [--months N]
                             [--view cash|accounting] [--format table|json|csv] [--out PATH]
    python -m planner presets
    python -m planner fields

Bad input exits with status 2 and one line on stderr naming the problem.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import catalog
from .report import analyse_one, break_even_text, formula_rows, report_csv, source_lines, summary, summary_json
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
    lines += ["", "Sources of the catalog figures", *(f"  {line}" for line in source_lines(a.scenario))]
    return "\n".join(lines) + "\n"


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
