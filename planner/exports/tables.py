"""Tables the pages show and export, built from scenarios and analyses: a summary as text, scenarios side by
side (inputs, results, the comparison CSV), tier schedules edited in a table (pure: no Streamlit)."""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence

import pandas as pd

from planner.catalogs.currency import rate_text
from planner.exports.report import IRR_LABEL, Analysis, sources, summary, summary_table
from planner.schema.format import input_text, irr_text, shorten, tiers_text, value_text
from planner.schema.safe_csv import frame_rows, write_csv_rows
from planner.schema.scenario import FIELDS, TIER_SCHEDULES, NumberField, Scenario, ScenarioError, to_dict


# ── Values as a reader wants them ──────────────────────────────────────────────────────────────────
def summary_display(a: Analysis, view: str = "cash") -> pd.DataFrame:
    """`report.summary_table` with each value formatted for reading (metric, value)."""
    table, cur = summary_table(a, view), a.scenario.currency
    note = summary(a, view)["irr_note"]  # the IRR's note, in its value rather than its label here
    irr = table["unit"] == "%/year"
    return pd.DataFrame(
        {
            "Metric": table["metric"].where(~irr, IRR_LABEL),
            "Value": [
                irr_text(None if v != v else v, note) if u == "%/year" else value_text(v, u, cur)
                for v, u in zip(table["value"], table["unit"])
            ],
        }
    )


# ── Comparison ─────────────────────────────────────────────────────────────────────────────────────
def changes_text(scenario: Scenario, reference: Scenario, limit: int = 2) -> str:
    """'Cameras 120, Retention 90' — the first inputs that differ from the reference."""
    mine, theirs = to_dict(scenario), to_dict(reference)
    changed = [
        f"{spec.label} {input_text(spec.name, mine[spec.name])}"
        for spec in FIELDS
        if mine[spec.name] != theirs[spec.name]
    ]
    changed += [f"{text.split(':')[0]} edited" for name, text in TIER_SCHEDULES.items() if mine[name] != theirs[name]]
    return ", ".join(changed[:limit]) + (f" (+{len(changed) - limit})" if len(changed) > limit else "")


def entry_labels(scenarios: Sequence[Scenario]) -> list[str]:
    """'#1 Retail store — 50 cameras…', numbered; a name that reads like an earlier one once cut (the same name,
    or a preset's and its edited variant's) also says what differs from that earlier one ('#2 Retail store — 5…
    · Cameras 120'), so every column of a comparison can be told apart by more than its number."""
    labels = []
    for i, s in enumerate(scenarios, start=1):
        first = next(t for t in scenarios if shorten(t.name) == shorten(s.name))
        variant = changes_text(s, first) if first is not s else ""
        if first is not s and not variant:  # the same inputs: the names differ past the cut, so show their ends
            variant = "…" + s.name[-30:]
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
    rows = [
        [label, unit, *cells]
        for _, label, unit, cells in _input_rows(scenarios, input_text)
        if not only_differing or len(set(cells)) > 1
    ]
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

    def raw(name, value):
        return tiers_text(value) if name in TIER_SCHEDULES else value

    out = io.StringIO()
    if scenarios:
        write_csv_rows(
            [
                ["Currency"],
                [f"All money in {scenarios[0].currency}: {rate_text(scenarios[0])}"],
                *([n] for n in notes),
                [],
            ],
            out,
        )
    write_csv_rows([["Inputs"], ["field", "label", "unit", *labels]], out)
    write_csv_rows(([name, label, unit, *cells] for name, label, unit, cells in _input_rows(scenarios, raw)), out)
    write_csv_rows([[], ["Sources of the catalog figures"], ["scenario", "fields", "source", "as_of"]], out)
    write_csv_rows(
        ([label, " ".join(p.fields), p.cited(), p.as_of] for label, s in zip(labels, scenarios) for p in sources(s)),
        out,
    )
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
