"""Command-line report.

    python -m planner report (--preset NAME | --scenario FILE) [--set FIELD=VALUE ...] [--months N]
                             [--view cash|accounting] [--format table|json|csv] [--out PATH]
    python -m planner advise (--preset NAME | --scenario FILE) [--set FIELD=VALUE ...] [--answer KEY=VALUE ...]
                             [--format table|json]
    python -m planner presets
    python -m planner fields

Bad input exits with status 2 and one line on stderr naming the problem.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import advisor, catalog
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
    _advise_parser(sub)
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
    return "\n".join(lines) + "\n"


# ── advise ──────────────────────────────────────────────────────────────────────────────────────────
def _advise_parser(sub) -> None:
    v = sub.add_parser("advise", help="architecture advice (placement, latency, uplink, sizing) for one scenario")
    src = v.add_mutually_exclusive_group(required=True)
    src.add_argument("--preset", help="a bundled preset (see `presets`)")
    src.add_argument("--scenario", type=Path, help="a scenario JSON file")
    v.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="override one scenario input")
    v.add_argument("--answer", action="append", default=[], metavar="KEY=VALUE",
                   help="one questionnaire answer: " + ", ".join(q.name for q in advisor.QUESTIONS))
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
    lines += [f"  {total:<42}{advice.cloud_ms:>10,.1f}{edge_total:>10}", "",
              f"Uplink per site: {advice.uplink_needed_mbps:,.1f} Mbps needed by the cloud path, "
              f"{advice.uplink_available_mbps:,g} Mbps available", ""]
    if advice.sizing:
        s = advice.sizing
        lines += [f"Sizing: {s.devices:,} × {s.device_name} ({s.device_id}), {s.power_watts:,.0f} W",
                  f"  {advisor.sizing_text(s)}", f"  {s.reason}"]
        lines += [f"  {note}" for note in advice.apply_notes]
    else:
        lines += ["Sizing: no catalog device fits the site, the edge is not costed"]
        lines += [f"  - {p}" for p in advice.problems] + [f"  to fit: {r}" for r in advice.relax]
    lines += ["", "Stack: " + "; ".join(f"{c.layer} {c.name}" for c in advice.stack)]
    return "\n".join(lines) + "\n"


def _advise(args) -> int:
    scenario = _load(args)
    answers = advisor.answers(**dict(_answer(item) for item in args.answer))
    advice = advisor.advise(answers, scenario)
    if args.format == "json":
        sys.stdout.write(json.dumps(advisor.advice_dict(advice), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(_advice_table(advice, scenario))
    return 0


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
        if args.command == "advise":
            return _advise(args)
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
