"""Tables the pages show and export, built from scenarios and analyses (pure: no Streamlit)."""
from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Sequence

import pandas as pd

from ..currency import rate_text
from ..report import Analysis, frame_rows, irr_text, sources, summary_table, write_csv_rows
from ..scenario import FIELDS, TIER_SCHEDULES, ChoiceField, NumberField, Scenario, ScenarioError, to_dict
from .format import money, months, percent

MAX_LABEL_CHARS = 36


# ── Values as a reader wants them ──────────────────────────────────────────────────────────────────
def number_text(value: float) -> str:
    """'1,000,000', '0.4', '0.0000166667' — thousands separators, no needless zeros."""
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.10f}".rstrip("0")


def tiers_text(tiers: Sequence[dict]) -> str:
    return "; ".join(f"from {number_text(t['start'])}: {number_text(t['price'])}" for t in tiers)


def input_text(name: str, value) -> str:
    """One input value as display text (choices by their option text, tiers as one line)."""
    spec = next((f for f in FIELDS if f.name == name), None)
    if isinstance(spec, ChoiceField):
        return spec.options.get(value, str(value))
    if name in TIER_SCHEDULES:
        return tiers_text(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_text(value)
    return str(value)


def value_text(value: float | None, unit: str, currency: str) -> str:
    """A `summary_table` value with its unit: money, months, percent or a count."""
    if unit == currency:
        return money(value, currency)
    if unit == "months":
        return "not within the horizon" if value is None else "0 (from day one)" if value == 0 else months(value)
    if unit == "%":
        return "n/a (no capex)" if value is None else percent(value)
    if unit == "%/year":
        return irr_text(value)
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:,.0f} {unit.removesuffix('s') if value == 1 else unit}"


def summary_display(a: Analysis, view: str = "cash") -> pd.DataFrame:
    """`report.summary_table` with each value formatted for reading (metric, value)."""
    table, cur = summary_table(a, view), a.scenario.currency
    return pd.DataFrame({"Metric": table["metric"],
                         "Value": [value_text(v, u, cur) for v, u in zip(table["value"], table["unit"])]})


# ── Comparison ─────────────────────────────────────────────────────────────────────────────────────
def shorten(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def changes_text(scenario: Scenario, reference: Scenario, limit: int = 2) -> str:
    """'Cameras 120, Retention 90' — the first inputs that differ from the reference."""
    mine, theirs = to_dict(scenario), to_dict(reference)
    changed = [f"{spec.label} {input_text(spec.name, mine[spec.name])}" for spec in FIELDS
               if mine[spec.name] != theirs[spec.name]]
    changed += [f"{text.split(':')[0]} edited" for name, text in TIER_SCHEDULES.items() if mine[name] != theirs[name]]
    return ", ".join(changed[:limit]) + (f" (+{len(changed) - limit})" if len(changed) > limit else "")


def entry_labels(scenarios: Sequence[Scenario]) -> list[str]:
    """'#1 Retail store — 50 cameras…', numbered; a repeated name also says what differs from its first
    use ('#2 Retail store — 5… · Cameras 120'), so every column of a comparison can be told apart."""
    labels = []
    for i, s in enumerate(scenarios, start=1):
        first = next(t for t in scenarios if t.name == s.name)
        variant = changes_text(s, first) if first is not s else ""
        labels.append(f"#{i} {shorten(s.name, 20)} · {shorten(variant, 40)}" if variant else f"#{i} {shorten(s.name)}")
    return labels


def _input_rows(scenarios: Sequence[Scenario], cell: Callable[[str, object], object]):
    values = [to_dict(s) for s in scenarios]
    currency = scenarios[0].currency if scenarios else "USD"
    for spec in FIELDS:
        unit = spec.unit_for(currency) if isinstance(spec, NumberField) else ""
        yield spec.name, spec.label, unit, [cell(spec.name, v[spec.name]) for v in values]
    for name, text in TIER_SCHEDULES.items():
        yield name, text.split(":")[0], "", [cell(name, v[name]) for v in values]


def inputs_table(scenarios: Sequence[Scenario], only_differing: bool = True) -> pd.DataFrame:
    """Inputs side by side as display text (Input, Unit, one column per scenario)."""
    labels = entry_labels(scenarios)
    rows = [[label, unit, *cells] for _, label, unit, cells in _input_rows(scenarios, input_text)
            if not only_differing or len(set(cells)) > 1]
    return pd.DataFrame(rows, columns=["Input", "Unit", *labels])


def results_table(analyses: Sequence[Analysis], view: str = "cash") -> pd.DataFrame:
    """Key results side by side as display text (Metric, one column per scenario)."""
    labels = entry_labels([a.scenario for a in analyses])
    columns = {"Metric": summary_table(analyses[0], view)["metric"]} if analyses else {"Metric": []}
    for label, a in zip(labels, analyses):
        columns[label] = summary_display(a, view)["Value"]
    return pd.DataFrame(columns)


def comparison_csv(analyses: Sequence[Analysis], notes: Sequence[str] = (), view: str = "cash") -> str:
    """Every input and the summary of each compared scenario, spreadsheet-safe (sections like `report_csv`);
    `notes` say which scenarios were converted to the common currency (`currency.to_common`)."""
    scenarios = [a.scenario for a in analyses]
    labels = entry_labels(scenarios)
    summaries = [summary_table(a, view) for a in analyses]
    results = summaries[0][["metric", "unit"]].assign(**{label: s["value"] for label, s in zip(labels, summaries)})
    raw = lambda name, value: tiers_text(value) if name in TIER_SCHEDULES else value   # noqa: E731
    out = io.StringIO()
    if scenarios:
        write_csv_rows([["Currency"], [f"All money in {scenarios[0].currency}: {rate_text(scenarios[0])}"],
                        *([n] for n in notes), []], out)
    write_csv_rows([["Inputs"], ["field", "label", "unit", *labels]], out)
    write_csv_rows(([name, label, unit, *cells] for name, label, unit, cells in _input_rows(scenarios, raw)), out)
    write_csv_rows([[], ["Sources of the catalog figures"], ["scenario", "fields", "source", "as_of"]], out)
    write_csv_rows(([label, " ".join(p.fields), p.cited(), p.as_of]
                    for label, s in zip(labels, scenarios) for p in sources(s)), out)
    write_csv_rows([[], [f"Results ({view} view)"]], out)
    write_csv_rows(frame_rows(results), out)
    out.write("\n")
    return out.getvalue()


# ── Tier schedules edited in a table ───────────────────────────────────────────────────────────────
def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def edited_tiers(base: Sequence[dict], edits: dict) -> list[dict]:
    """Apply `st.data_editor` edits ({edited_rows, added_rows, deleted_rows}) to a tier list.

    Empty rows are dropped, rows are sorted by their start; a half-filled row is a ScenarioError.
    The result still has to pass the scenario's own tier validation.
    """
    rows = [dict(r) for r in base]
    for index, change in edits.get("edited_rows", {}).items():
        rows[int(index)].update(change)
    deleted = {int(i) for i in edits.get("deleted_rows", [])}
    rows = [r for i, r in enumerate(rows) if i not in deleted] + [dict(r) for r in edits.get("added_rows", [])]
    tiers = []
    for row in rows:
        start, price = row.get("start"), row.get("price")
        if _blank(start) and _blank(price):
            continue
        if _blank(start) or _blank(price):
            raise ScenarioError("every tier needs both a start and a price")
        tiers.append({"start": float(start), "price": float(price)})
    return sorted(tiers, key=lambda t: t["start"])


def slug(text: str) -> str:
    """A file-name-safe version of a scenario name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "scenario"
