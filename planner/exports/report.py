"""Tables for one scenario (summary, assumptions, monthly series) and spreadsheet-safe CSV/JSON export.

Everything the app shows and exports for a scenario comes from `analyse_one`, so the CLI, the pages
and the downloads agree to the cent.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from planner.advice import advisor
from planner.catalogs import catalog
from planner.catalogs.catalog import Provenance
from planner.model import costs as cost_model
from planner.model import designs
from planner.model.costs import CARBON_COMPONENTS, CARBON_PRICE_KEYS, COMPONENTS, Costs, side_components
from planner.model.finance import Carbon, Finance, analyse, carbon, discount_convention
from planner.schema.format import irr_figures, irr_shown
from planner.schema.safe_csv import frame_rows, write_csv_rows
from planner.schema.scenario import FIELDS, PRICE_BOOK_KEY, TIER_SCHEDULES, NumberField, Scenario, to_dict, to_json

if TYPE_CHECKING:  # imported where used: the commands that need no tables skip loading it
    import pandas as pd

SIDES = {"cloud": "Cloud", "edge": "Edge"}


@dataclass(frozen=True)
class Analysis:
    """One scenario evaluated: its cost lines and its finance in both views."""

    scenario: Scenario
    costs: Costs
    cash: Finance
    accounting: Finance

    def finance(self, view: str = "cash") -> Finance:
        return self.cash if view == "cash" else self.accounting

    def carbon(self, view: str = "cash") -> Carbon:
        """Emissions of both sides in one view (computed once per view)."""
        found = self.__dict__.setdefault("_carbon", {})  # a cache beside the frozen fields
        if view not in found:
            found[view] = carbon(self.costs, view)
        return found[view]

    def capacity(self) -> advisor.Capacity:
        """The edge devices the load needs against those priced (`advisor.capacity`, its default answers). Kept
        until the catalog changes (a refresh of a device's benchmark or decode figures changes it)."""
        now = catalog.load()
        kept = self.__dict__.get("_capacity")
        if kept is None or kept[0] is not now:
            kept = self.__dict__["_capacity"] = (now, advisor.capacity(self.scenario))
        return kept[1]


def shown_components(a: Analysis, side: str, view: str = "cash"):
    """The money components a table or chart shows: the carbon price ones only when a price is set."""
    priced = a.scenario.carbon_price_per_tonne > 0
    return tuple(c for c in side_components(side, view) if priced or c.key not in CARBON_PRICE_KEYS)


def analyse_batch(scenarios: list[Scenario], months: int | None = None) -> tuple[Costs, Finance, Finance]:
    b = cost_model.batch(scenarios)
    costs = cost_model.evaluate(b, months)
    discount = b["discount_percent_per_year"]
    return costs, analyse(costs, "cash", discount), analyse(costs, "accounting", discount)


def analyse_one(scenario: Scenario) -> Analysis:
    return Analysis(scenario, *analyse_batch([scenario]))


# ── Summary ─────────────────────────────────────────────────────────────────────────────────────────
def _number_or_none(x: float) -> float | None:
    return None if not math.isfinite(x) else float(x) + 0.0


def _number(x: float) -> float:
    return float(x) + 0.0  # + 0.0 turns -0.0 into 0.0: no "-0" in any output


def summary(a: Analysis, view: str = "cash") -> dict:
    """Headline figures of one scenario. Keys are a public interface (the CLI's JSON output).

    Computed once per analysis and view (a page reads them several times a rerun), again once the catalog
    changes (the capacity check reads it); each call returns its own copy of the dict."""
    found = a.__dict__.setdefault("_summary", {})  # a cache beside the frozen fields, as `Analysis.carbon`
    now = catalog.load()
    if view not in found or found[view][0] is not now:
        found[view] = (now, _summary(a, view))
    return dict(found[view][1])


def _summary(a: Analysis, view: str) -> dict:
    f = a.finance(view)
    cash = a.cash
    kg = a.carbon(view)
    first_carbon = a.carbon("cash")
    return {
        "scenario": a.scenario.name,
        "view": view,
        "currency": a.scenario.currency,
        "fx_rate": float(a.scenario.fx_rate),
        "fx_rate_date": a.scenario.fx_rate_date or None,  # None: a rate set by hand
        "cloud_monthly_cost": _number(f.cloud_running_monthly[0, 0]),
        "cloud_upfront": _number(cash.cloud_upfront[0, 0]),
        "edge_capex": _number(
            cash.edge_capex[0, 0] - a.costs.values("carbon_edge_purchase")[0, 0]
        ),  # not the carbon price
        "edge_monthly_cost": _number(f.edge_running_monthly[0, 0]),  # the view's: depreciation in accounting
        "edge_devices": int(a.costs.values("devices")[0, 0]),
        "edge_devices_needed": a.capacity().needed,
        "edge_capacity_ok": a.capacity().ok,
        "break_even_month": _number_or_none(f.break_even_month[0]),
        "payback_months": _number_or_none(f.payback_months[0]),
        "discounted_payback_months": _number_or_none(
            f.discounted_payback_months(a.scenario.discount_percent_per_year)[0]
        ),
        "horizon_months": int(f.horizon[0]),
        "cloud_total_cost": _number(f.cloud_total[0]),
        "edge_total_cost": _number(f.edge_total[0]),
        "savings_total": _number(f.savings_total[0]),
        "npv_savings": _number(f.npv_savings[0]),
        "discount_timing": a.scenario.discount_timing,
        "discounting": discount_convention(a.scenario.discount_timing),
        "roi_percent": _number_or_none(f.roi_percent[0]),
        **_irr(f),
        **_after_tax(a, f),
        "capex_total": _number(f.capex_total[0]),
        "cloud_kgco2e_monthly": _number(first_carbon.cloud_monthly[0, 0]),
        "edge_kgco2e_monthly": _number(kg.edge_running_monthly[0, 0]),  # the view's: embodied share in accounting
        "edge_embodied_kgco2e": _number(first_carbon.edge_monthly[0, 0] - first_carbon.edge_running_monthly[0, 0]),
        "cloud_kgco2e_total": _number(kg.cloud_total[0]),
        "edge_kgco2e_total": _number(kg.edge_total[0]),
        "kgco2e_avoided_total": _number(kg.savings_total[0]),
        "carbon_break_even_month": _number_or_none(kg.break_even_month[0]),
        "carbon_price_per_tonne": _number(a.scenario.carbon_price_per_tonne),
    }


def _after_tax(a: Analysis, f: Finance) -> dict:
    """`npv_savings_after_tax` and `irr_percent_after_tax` (with its `irr_note_after_tax`), only when a tax rate is
    set: the cash flows after tax (`finance.tax_effect`); `irr_percent` stays the pre-tax rate."""
    if not a.scenario.tax_rate_percent:
        return {}
    changes, rates = f.irr_all_percent_after_tax()
    irr, note = irr_figures(int(changes[0]), rates[0])
    return {
        "npv_savings_after_tax": _number(f.npv_after_tax(a.scenario.discount_percent_per_year)[0]),
        "irr_percent_after_tax": irr,
        "irr_note_after_tax": note,
    }


def _irr(f: Finance) -> dict:
    """`irr_percent` (None when undefined, several or over the shown bound) and `irr_note` (see `irr_figures`)."""
    changes, rates = f.irr_all_percent()
    irr, note = irr_figures(int(changes[0]), rates[0])
    return {"irr_percent": irr, "irr_note": note}


# ── Tables ──────────────────────────────────────────────────────────────────────────────────────────
def column_name(side: str, label: str, currency: str) -> str:
    return f"{SIDES[side]}: {label} [{currency}]"


def monthly_table(a: Analysis, view: str = "cash") -> pd.DataFrame:
    """One row per month of the horizon: every component of both sides, totals, cumulative totals."""
    import pandas as pd

    f, cur, h = a.finance(view), a.scenario.currency, int(a.costs.horizon[0])
    table = {"month": np.arange(1, h + 1)}
    for side in SIDES:
        for info in shown_components(a, side, view):
            table[column_name(side, info.label, cur)] = a.costs.values(info.key)[0, :h]
    table["Edge devices in service [devices]"] = a.costs.values("devices")[0, :h]
    table[f"Cloud total [{cur}]"] = f.cloud_monthly[0, :h]
    table[f"Edge total [{cur}]"] = f.edge_monthly[0, :h]
    table[f"Cloud cumulative [{cur}]"] = f.cloud_cumulative[0, :h]
    table[f"Edge cumulative [{cur}]"] = f.edge_cumulative[0, :h]
    table[f"Cumulative savings [{cur}]"] = f.cumulative_savings[0, :h]
    return pd.concat([pd.DataFrame(table), carbon_table(a, view).drop(columns="month")], axis=1)


KG = "kg CO₂e"


def carbon_table(a: Analysis, view: str = "cash") -> pd.DataFrame:
    """One row per month: every carbon line of both sides [kg CO₂e], each side's total and cumulative."""
    import pandas as pd

    kg, h = a.carbon(view), int(a.costs.horizon[0])
    table = {"month": np.arange(1, h + 1)}
    for side in SIDES:
        for info in side_components(side, view, CARBON_COMPONENTS):
            table[f"{SIDES[side]} carbon: {info.label} [{KG}]"] = a.costs.values(info.key)[0, :h]
    table[f"Cloud carbon [{KG}]"] = kg.cloud_monthly[0, :h]
    table[f"Edge carbon [{KG}]"] = kg.edge_monthly[0, :h]
    table[f"Cloud carbon cumulative [{KG}]"] = kg.cloud_cumulative[0, :h]
    table[f"Edge carbon cumulative [{KG}]"] = kg.edge_cumulative[0, :h]
    table[f"Carbon avoided cumulative [{KG}]"] = kg.cloud_cumulative[0, :h] - kg.edge_cumulative[0, :h]
    return pd.DataFrame(table)


def sources(scenario: Scenario) -> tuple[Provenance, ...]:
    """The catalog entries the scenario's figures come from (see `Catalog.provenance`)."""
    return catalog.load().provenance(scenario)


def scenario_file(scenario: Scenario) -> str:
    """The scenario file (`to_json`); when figures came from the catalog's price book (an organisation's negotiated
    rates), the rows they came from follow under `price_book`, so the numbers can be traced where the file goes.
    A reader keeps the scenario's values and leaves its own catalog alone (`scenario.exported_price_book`)."""
    rows = catalog.load().price_book_rows(scenario)
    if not rows:
        return to_json(scenario)
    return json.dumps({**to_dict(scenario), PRICE_BOOK_KEY: rows}, indent=2, ensure_ascii=False) + "\n"


def yearly_table(a: Analysis, view: str = "cash") -> pd.DataFrame:
    """The budget view: per year of the horizon (year 1 = months 1–12 from go-live), each side's costs,
    savings and cumulative savings. The last year may be shorter than 12 months."""
    import pandas as pd

    f, cur, h = a.finance(view), a.scenario.currency, int(a.costs.horizon[0])
    years = np.arange(h) // 12

    def per_year(monthly):
        return np.bincount(years, weights=monthly[0, :h])

    cloud, capex = per_year(f.cloud_monthly), per_year(f.edge_capex)
    running = per_year(f.edge_running_monthly)
    first = np.arange(0, h, 12)
    return pd.DataFrame(
        {
            "Year": np.arange(1, len(first) + 1),
            "Months": [f"{m + 1}–{min(m + 12, h)}" for m in first],
            f"Cloud [{cur}]": cloud,
            f"Edge capex [{cur}]": capex,
            f"Edge running [{cur}]": running,
            f"Edge total [{cur}]": capex + running,
            f"Savings [{cur}]": cloud - capex - running,
            f"Cumulative savings [{cur}]": np.cumsum(cloud - capex - running),
        }
    )


def assumptions_table(scenario: Scenario) -> pd.DataFrame:
    """Every input: field, label, value, unit, and for a catalog figure its source and as-of date — the
    header texts come from the schema."""
    import pandas as pd

    values = to_dict(scenario)
    found = sources(scenario)
    source = {field: (p.cited(), p.as_of) for p in found for field in p.fields}
    rows = [("name", "Scenario name", values["name"], "")]
    for spec in FIELDS:
        unit = spec.unit_for(scenario.currency) if isinstance(spec, NumberField) else ""
        rows.append((spec.name, spec.label, values[spec.name], unit))
    for key, text in TIER_SCHEDULES.items():
        tiers = "; ".join(f"from {t['start']:,.0f}: {t['price']:g}" for t in values[key])
        rows.append((key, text.replace("{cur}", scenario.currency), tiers, ""))
    return pd.DataFrame(
        [(*row, *source.get(row[0], ("", ""))) for row in rows],
        columns=["field", "label", "value", "unit", "source", "as_of"],
    )


PICKED = {
    "device": "Edge device",
    "management": "Management software",
    "vision_api": "Cloud vision API",
    "instance": "Cloud GPU instance",
    "egress": "Result egress tiers",
    "region": "Cloud region",
    "grid": "Site grid intensity",
    "cloud_region": "Cloud region grid intensity",
    "cloud_pue": "Cloud PUE",
    "accelerator": "Cloud accelerator power",
    "network": "Network energy",
    "cloud_embodied": "Cloud hardware embodied share",
    "device_embodied": "Device embodied emissions",
    "cost_line": "Deployment cost line",
    "link": "Site link class",
}  # what each catalog picker fills, for the reports


def source_lines(scenario: Scenario) -> list[str]:
    """The sources as text lines for a report: 'Edge device — <name>: <source> (as of …)'."""
    return [f"{PICKED[p.picker]} — {p.text()}" for p in sources(scenario)] or ["No figure comes from the catalog."]


IRR_LABEL = "IRR of the move to the edge"


def irr_cell(note: str | None) -> str | None:
    """The IRR cell of a table when there is no single rate to show: 'over 1,000 %' (as the app reads it), or the
    note (several rates, or none)."""
    return irr_shown(float("inf")) if note and note.startswith("over") else note


def summary_table(a: Analysis, view: str = "cash") -> pd.DataFrame:
    import pandas as pd

    s, cur = summary(a, view), a.scenario.currency
    rows = [
        ("Cloud cost, first month", s["cloud_monthly_cost"], cur),
        ("Cloud commitment upfront at go-live", s["cloud_upfront"], cur),
        ("Edge capex at go-live", s["edge_capex"], cur),
        (
            "Edge running cost, first month" + (" (depreciation included)" if view == "accounting" else ""),
            s["edge_monthly_cost"],
            cur,
        ),
        ("Edge devices", s["edge_devices"], "devices"),
        ("Edge devices the load needs", s["edge_devices_needed"], "devices"),
        (
            "Edge devices short of the load (0: enough)",
            s["edge_devices_needed"] - s["edge_devices"] if not s["edge_capacity_ok"] else 0,
            "devices",
        ),
        ("Break-even", s["break_even_month"], "months"),
        ("Payback (cash)", s["payback_months"], "months"),
        ("Discounted payback (cash)", s["discounted_payback_months"], "months"),
        ("Horizon", s["horizon_months"], "months"),
        ("Cloud TCO over the horizon", s["cloud_total_cost"], cur),
        ("Edge TCO over the horizon", s["edge_total_cost"], cur),
        ("Savings over the horizon", s["savings_total"], cur),
        ("NPV of savings", s["npv_savings"], cur),
        (f"Discounting: {s['discounting']}", None, ""),  # the convention, stated; no figure
        ("ROI", s["roi_percent"], "%"),
        (IRR_LABEL, s["irr_percent"], "%/year"),  # the CSV writes the note where there is no rate
        *(
            (
                (f"NPV of savings after tax ({a.scenario.tax_rate_percent:g} %)", s["npv_savings_after_tax"], cur),
                (f"{IRR_LABEL} after tax", s["irr_percent_after_tax"], "%/year"),
            )
            if "npv_savings_after_tax" in s
            else ()
        ),
        ("Cloud emissions, first month", s["cloud_kgco2e_monthly"], KG),
        (
            "Edge emissions, first month ("
            + ("embodied share included" if view == "accounting" else "devices bought excluded")
            + ")",
            s["edge_kgco2e_monthly"],
            KG,
        ),
        ("Edge devices' embodied emissions at go-live", s["edge_embodied_kgco2e"], KG),
        ("Cloud emissions over the horizon", s["cloud_kgco2e_total"], KG),
        ("Edge emissions over the horizon", s["edge_kgco2e_total"], KG),
        ("Emissions avoided over the horizon", s["kgco2e_avoided_total"], KG),
        ("Carbon break-even", s["carbon_break_even_month"], "months"),
    ]
    return pd.DataFrame(rows, columns=["metric", "value", "unit"])


CSV_DECIMALS = {"summary": 4, "monthly": 2, "yearly": 2}  # every CSV of a table rounds it the same way


def csv_tables(a: Analysis, view: str = "cash", approval: str | None = None) -> dict[str, pd.DataFrame]:
    """The report's tables as exported, rounded by `CSV_DECIMALS`: assumptions, summary, monthly, yearly.
    `approval` (a saved plan's "Approved by … on …", or why it is not approved) ends the assumptions."""
    import pandas as pd

    assumptions = assumptions_table(a.scenario)
    if approval:
        assumptions = pd.concat(
            [assumptions, pd.DataFrame([{"field": "approval", "label": "Approval", "value": approval}])],
            ignore_index=True,
        ).fillna("")
    tables = {
        "assumptions": assumptions,
        "summary": summary_table(a, view),
        "monthly": monthly_table(a, view),
        "yearly": yearly_table(a, view),
    }
    tables = {name: t.round(CSV_DECIMALS[name]) if name in CSV_DECIMALS else t for name, t in tables.items()}
    s = summary(a, view)
    summary_values = tables["summary"]["value"].astype(object)  # 'over 1,000 %' as the app says, or the rates
    summary_values[tables["summary"]["metric"] == IRR_LABEL] = (
        s["irr_percent"] if s["irr_percent"] is not None else irr_cell(s["irr_note"])
    )
    tables["summary"] = tables["summary"].assign(value=summary_values)
    return tables


def report_csv(a: Analysis, view: str = "cash", approval: str | None = None) -> str:
    """The scenario report: sections Assumptions (ending with `approval`, if given), Summary and Monthly,
    separated by a blank line."""
    out = io.StringIO()
    tables = csv_tables(a, view, approval)
    for title, frame in (
        ("Assumptions", tables["assumptions"]),
        ("Summary", tables["summary"]),
        (f"Monthly ({view} view)", tables["monthly"]),
    ):
        write_csv_rows([[title]], out)
        write_csv_rows(frame_rows(frame), out)
        out.write("\n")
    return out.getvalue()


def with_totals(table: pd.DataFrame, label: str = "Total") -> pd.DataFrame:
    """`table` with a totals row under it: the sum of every per-period money column; a running total
    (cumulative) where it ends; counts (devices) are left blank, as a sum of them means nothing."""
    import pandas as pd

    summed = [
        c
        for c in table.columns[1:]
        if pd.api.types.is_numeric_dtype(table[c]) and "umulative" not in c and "[devices]" not in c and c != "Year"
    ]
    running = [c for c in table.columns[1:] if "umulative" in c and len(table)]
    text = [c for c in table.columns[1:] if not pd.api.types.is_numeric_dtype(table[c])]
    total = pd.DataFrame(
        [
            {
                table.columns[0]: label,
                **{c: "" for c in text},
                **{c: table[c].sum() for c in summed},
                **{c: table[c].iloc[-1] for c in running},
            }
        ]
    )
    return pd.concat([table.astype({table.columns[0]: str}), total], ignore_index=True)


def read_report_section(text: str, title: str) -> pd.DataFrame:
    """Read one section of `report_csv` output back as a DataFrame (for tests and other tools)."""
    import pandas as pd

    for block in text.split("\n\n"):
        head, _, body = block.partition("\n")
        if head.strip().strip('"').startswith(title):
            return pd.read_csv(io.StringIO(body))
    raise KeyError(title)


def summary_json(a: Analysis, view: str = "cash", link_mbps: float | None = None) -> str:
    """`summary`, `sources` (each catalog entry with the fields it fills, its source and as-of date) and
    `cheapest_cloud` (the cheapest cloud design the site's link carries, `cheapest_cloud`)."""
    found = [
        {"fields": list(p.fields), "entry": p.entry, "source": p.source, "as_of": p.as_of, "estimate": p.estimate}
        for p in sources(a.scenario)
    ]
    return (
        json.dumps(
            {
                **summary(a, view),
                "sources": found,
                "cheapest_cloud": cheapest_cloud(cloud_designs(a.scenario, link_mbps)),
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


# ── The cheapest cloud design ───────────────────────────────────────────────────────────────────────
LINK_MBPS = advisor.QUESTION_BY_NAME["uplink_mbps"].default  # the site's uplink unless told: the advisor's default


def site_link_mbps(scenario: Scenario, custom_mbps: float | None = None) -> float:
    """The site's uplink [Mbps]: its link class's upload capacity (`link_class`), or for the custom class
    `custom_mbps` (the advisor's uplink answer; default LINK_MBPS)."""
    return catalog.load().link_mbps(scenario.link_class, LINK_MBPS if custom_mbps is None else custom_mbps)


def cloud_designs(scenario: Scenario, link_mbps: float | None = None) -> designs.Designs:
    """Every cloud design of the scenario costed, feasible where a link of `link_mbps` carries it (default: the
    site's link, `site_link_mbps`)."""
    return designs.evaluate(scenario, site_link_mbps(scenario) if link_mbps is None else link_mbps)


def design_summary(options: designs.Designs, i: int) -> dict:
    """Design i of `options` as plain JSON values: the fields it changes, in words, the sources of its prices,
    its cloud costs and the edge's break-even, NPV and TCO against it (cash view)."""
    design = options.scenarios[i]
    return {
        "design": options.changes[i],
        "text": designs.design_text(design),
        "changes": designs.changes_text(options.scenario, options.changes[i]),
        "sources": designs.sources_text(design),
        **options.figures(i),
    }


def cheapest_cloud(options: designs.Designs) -> dict:
    """The cheapest feasible design (`design_summary`; its keys None when no design fits the link), the link, how
    many designs were costed and fit, and the scenario's own design."""
    best = options.cheapest
    found = (
        design_summary(options, best)
        if best is not None
        else dict.fromkeys(
            (
                "design",
                "text",
                "changes",
                "sources",
                "monthly_cost",
                "upfront",
                "total_cost",
                "break_even_month",
                "npv_savings",
                "edge_total_cost",
                "savings_total",
                "upload_mbps",
                "feasible",
                "link_upgrade_install",
                "link_upgrade_per_month",
            )
        )
    )
    return {
        **found,
        "view": "cash",
        "uplink_mbps": options.link_mbps,
        "designs": options.n,
        "feasible_designs": int(options.feasible.sum()),
        "own": design_summary(options, options.current),
    }


def formula_rows(a: Analysis, carbon: bool = False) -> list[dict]:
    """Each line's formula with its month-1 value, in declaration order: the cost lines (COMPONENTS), or with
    `carbon` the emissions lines [kg CO₂e] (CARBON_COMPONENTS), whose `bill` is their GHG Protocol scope."""
    return [
        {
            "side": SIDES[c.side],
            "component": c.label,
            "scope" if carbon else "bill": c.bill,
            "formula": c.formula,
            "views": ", ".join(c.views),
            "month_1": float(a.costs.values(c.key)[0, 0]),
        }
        for c in (CARBON_COMPONENTS if carbon else COMPONENTS)
    ]
