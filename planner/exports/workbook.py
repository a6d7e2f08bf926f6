"""The scenario as a live Excel workbook: every monthly figure is a formula over named input cells.

Sheets: Inputs (named cells), Monthly (helper columns, then every component of both sides, as
formulas), Summary (the `--format json` keys, as formulas over Monthly), Yearly, Cash flows (for the
IRR), Sources (catalog rows used) and Notes. Each formula mirrors a line of docs/FORMULAS.md and
stores the engine's value as its cached result, so a viewer that does not recalculate shows the
engine's numbers and one that does (Excel, LibreOffice) recomputes the model from the inputs.

The horizon fixes the number of rows: change `horizon_months` by exporting again.
"""

from __future__ import annotations

import functools
import io
import math
import re
from dataclasses import dataclass

import numpy as np

from planner.advice.advisor import capacity_warning
from planner.catalogs import catalog
from planner.catalogs.catalog import TIER_ITEMS
from planner.catalogs.currency import CATALOG_CURRENCY, rate_text
from planner.exports.report import PICKED, Analysis, summary, yearly_table
from planner.fleet import inventory as fleet_inventory
from planner.fleet import tables as fleet_tables
from planner.model.costs import (
    CARBON_COMPONENTS,
    CARBON_PRICE_KEYS,
    COMPONENTS,
    DAYS_PER_CALENDAR_MONTH,
    HOURS_PER_CALENDAR_MONTH,
    TERMINAL_KEYS,
    TIER_UNITS,
    batch,
    scenario_figures,
    side_components,
)
from planner.model.finance import (
    DISCOUNT_CONVENTION,
    DISCOUNT_WHEN,
    MIN_CAPEX,
    TAX_SPREAD,
    cash_flows,
    discount_factors,
    discounted_flows,
    irr_percent,
    savings_path,
)
from planner.schema.format import IRR_NUMBER_FORMAT, IRR_SHOWN_UP_TO_PERCENT, price_decimals
from planner.schema.scenario import FIELDS, MONEY_FIELDS, TIER_SCHEDULES, VIEWS, ChoiceField, NumberField, to_dict

SHEETS = ("Summary", "Inputs", "Monthly", "Yearly", "Cash flows", "Sources", "Notes")


# ── Print setup ────────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class PrintSetup:
    """How a sheet prints on A4: `landscape`, one page wide (`scale` None) or at `scale` percent (a sheet wider
    than any page: the Monthly sheet's 78 columns), column A repeated on every page (`first_column`); row 1, the
    headers, always is."""

    landscape: bool = True
    scale: int | None = None
    first_column: bool = False


MONTHLY_WIDTH = 16  # characters: the widest month's money, '-1,234,567.89 USD', fits
MONTHLY_PRINT_SCALE = 70  # %: 12 columns of 16 characters and 36 months a landscape page, in 7-point type
PRINT_SETUP = {
    "Summary": PrintSetup(landscape=False),  # three columns: the labels wrap, one portrait page
    "Inputs": PrintSetup(first_column=True),
    "Monthly": PrintSetup(scale=MONTHLY_PRINT_SCALE, first_column=True),
    "Yearly": PrintSetup(first_column=True),
    "Cash flows": PrintSetup(landscape=False),
    "Sources": PrintSetup(),
    "Notes": PrintSetup(),
}
LINE_HEIGHT_PT = 15  # a row of one line of 11-point text
IRR_LABEL_WIDTH = 40  # characters: the Cash flows sheet's column of IRR labels
INPUTS_WIDTHS = (36, 30, 44, 24, 60)  # characters: Name, Value, Label, Unit, Source / as of
NOTES_WIDTHS = (40, 120)  # characters: topic, text


def wrapped_lines(text: str, width: float) -> int:
    """The lines `text` takes wrapped in a column `width` characters wide (a character of text is narrower
    than the '0' a column's width counts, so this errs on the side of room)."""
    import textwrap

    return sum(max(1, len(textwrap.wrap(part, max(int(width) - 1, 1)))) for part in str(text).split("\n"))


# ── The formula template language of both workbooks ───────────────────────────────────────────────
_PLACEHOLDER = re.compile(r"\{(?:(prev|range|all|first|cell):)?(\w+)\}")


class Template:
    """Formula templates over the Monthly sheet's columns, the one language of the scenario and fleet workbooks.

    In a Monthly cell: `{key}` is column `key`'s cell in the same row, `{prev:key}` the row above, `{range:key}`
    the column from month 1 to the row above. From any sheet: `{all:key}` is the whole column (every month),
    `{first:key}` its month-1 cell, `{cell:key}` a cell given by name (`cells`, e.g. a Summary row). Bare names
    are the workbook's named cells (Inputs). Templates hold no other braces."""

    def __init__(self, columns: dict[str, str], months: int, cells: dict[str, str] | None = None):
        self.columns, self.months = columns, months  # key → column letter; rows 2 … months + 1
        self.cells = cells if cells is not None else {}
        self.compiled: dict[str, str] = {}

    def __call__(self, template: str, row: int | None = None) -> str:
        """The formula of `template` in sheet row `row` (1-based; None where no placeholder needs a row)."""
        if template not in self.compiled:
            self.compiled[template] = _PLACEHOLDER.sub(self._field, template)
        return self.compiled[template].format(row=row, above=None if row is None else row - 1)

    def _field(self, match: re.Match) -> str:
        """A placeholder as its cell reference, with a format field for the row number where it depends on the
        row: the letters are looked up once per template, each cell only formats its row in."""
        kind, key = match[1], match[2]
        if kind == "cell":
            return self.cells[key]
        letter, last = self.columns[key], self.months + 1
        return {
            None: f"{letter}{{row}}",
            "prev": f"{letter}{{above}}",
            "range": f"${letter}$2:${letter}${{above}}",
            "all": f"Monthly!${letter}$2:${letter}${last}",
            "first": f"Monthly!${letter}$2",
        }[kind]


# ── Monthly sheet: one column per quantity, written as a formula template ─────────────────────────


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    formula: str  # template for every row after the first; empty: the value itself
    first: str | None = None  # template for the first month, when it differs
    kind: str = "number"  # number, money, count or factor: the cell format


def _compound(rate: str) -> str:
    return f"(1+{rate}/100)^({{m}}/12)"


_NEEDED = "MAX(instance_min_count,-INT(-(instance_load*{growth}-1E-9)))"  # instances the month's load needs

HELPERS = (
    Column("m", "m (months since go-live)", "{month}-1", kind="count"),
    Column("year", "Year", "INT({m}/12)+1", kind="count"),
    Column("growth", "growth(m)", _compound("workload_growth_percent_per_year"), kind="factor"),
    Column(
        "bandwidth_change", "bandwidth_change(m)", _compound("bandwidth_price_change_percent_per_year"), kind="factor"
    ),
    Column("fee_change", "fee_change(m)", _compound("cloud_fee_change_percent_per_year"), kind="factor"),
    Column(
        "electricity_change",
        "electricity_change(m)",
        _compound("electricity_price_change_percent_per_year"),
        kind="factor",
    ),
    Column("inflation", "inflation(m)", _compound("inflation_percent_per_year"), kind="factor"),
    Column("images", "images [images/month]", "cameras*analysed_fps*operating_s*{growth}"),
    Column(
        "upload_gb",
        "upload_gb [GB/month]",
        'IF(cloud_upload="video",cameras*bitrate_mbps*10^6/8*operating_s/10^9*{growth},{images}*image_kb/10^6)',
    ),
    Column("result_gb", "result_gb [GB/month]", "{images}*result_kb/10^6"),
    Column("feedback_gb", "feedback_gb [GB/month]", "{images}*feedback_percent/100*image_kb/10^6"),
    Column(
        "stored_months",
        "stored_months(m) [months]",
        "(MIN(MAX(retention_months,{m}),{m}+1)^2-{m}^2)/2+retention_months*({m}+1-MIN(MAX(retention_months,{m}),{m}+1))",
        kind="factor",
    ),
    Column(
        "devices",
        "devices(m) [devices]",
        'IF(device_sizing="auto",sites*-INT(-(per_site_devices*IF(workload_growth_percent_per_year>0,{growth},1)'
        "-1E-9)),devices_manual)",
        kind="count",
    ),
    Column("devices_added", "devices added [devices]", "{devices}-{prev:devices}", first="{devices}", kind="count"),
    Column(
        "devices_bought",
        "devices_bought(m) [devices]",
        "{devices_added}+IF({m}>=useful_life_months,INDEX({range:devices_bought},{m}+1-useful_life_months),0)",
        first="{devices_added}",
        kind="count",
    ),
    Column("devices_retired", "devices_retired(m) [devices]", "{devices_bought}-{devices_added}", kind="count"),
    Column(
        "installed_at_inflation",
        "installed_at_inflation(m): devices in service × inflation of their purchase month [devices]",
        "{prev:installed_at_inflation}+{devices_bought}*{inflation}-IF({m}>=useful_life_months,"
        "INDEX({range:devices_bought},{m}+1-useful_life_months)*INDEX({range:inflation},{m}+1-useful_life_months),0)",
        first="{devices_bought}*{inflation}",
        kind="factor",
    ),
    Column(
        "commitments_running",
        "commitments still running, bought in the term_months − 1 months before [instances]",
        "IF(term_months>0,SUMPRODUCT(({range:m}>{m}-term_months)*{range:commitments_bought}),0)",
        first="0",
        kind="count",
    ),
    Column(
        "instances",
        "instances(m) [instances]",
        f'IF(inference_pricing="instances",IF(term_months>0,MAX({{commitments_running}},{_NEEDED}),{_NEEDED}),0)',
        first=f'IF(inference_pricing="instances",{_NEEDED},0)',
        kind="count",
    ),
    Column(
        "commitments_bought",
        "commitments_bought(m) [instances]",
        "IF(term_months>0,{instances}-{commitments_running},0)",
        first="IF(term_months>0,{instances},0)",
        kind="count",
    ),
)


def _plus(keys) -> str:
    return "+".join(f"{{{k}}}" for k in keys)


def _crossing(prefix: str, gap: str, capex: str, label: str) -> tuple[Column, ...]:
    """Savings per month, cumulative savings after each month and the break-even time within the month it
    is reached (blank before): `gap` and `capex` are formula templates."""
    return (
        Column(f"{prefix}gap", f"{label}: cloud − edge running [money]", gap, kind="money"),
        Column(
            f"{prefix}savings_end",
            f"{label}: cumulative savings [money]",
            f"{{prev:{prefix}savings_end}}+{{{prefix}gap}}-{capex}",
            first=f"{{{prefix}gap}}-{capex}",
            kind="money",
        ),
        Column(
            f"{prefix}crossing",
            f"{label}: break-even in this month [months]",
            f"IF({{{prefix}savings_end}}>=0,{{m}}+IF({{{prefix}savings_end}}-{{{prefix}gap}}>=0,0,"
            f'MIN(1,-({{{prefix}savings_end}}-{{{prefix}gap}})/{{{prefix}gap}})),"")',
        ),
    )


DISCOUNT = (
    Column(
        "discount_start",
        "discount factor, start of month",
        "(1+discount_percent_per_year/100)^(-{m}/12)",
        kind="factor",
    ),
    Column(
        "discount_end",
        "discount factor of running flows, end (or middle) of month",
        '(1+discount_percent_per_year/100)^(-({m}+IF(discount_timing="mid_month",0.5,1))/12)',
        kind="factor",
    ),
)


def monthly_columns(currency: str) -> tuple[Column, ...]:
    def money(key, header, formula, first=None):
        return Column(key, header, formula, first, "money")

    cloud = [c.key for c in side_components("cloud", "cash") if not c.lump]
    running = [c.key for c in side_components("edge", "cash") if not c.lump]
    accounting_only = [c.key for c in side_components("edge", "accounting") if "cash" not in c.views]

    # running lines of the cash view only (the value kept at the horizon): out of the accounting view's totals
    def cash_only(side):
        return "".join(
            f"-{{{c.key}}}" for c in side_components(side, "cash") if not c.lump and "accounting" not in c.views
        )

    parts = [money(c.key, f"{c.side.capitalize()}: {c.label} [{currency}]", c.excel) for c in COMPONENTS]
    totals = (
        money("cloud_running", f"Cloud running, cash [{currency}]", _plus(cloud)),
        money(
            "cloud_upfront",
            f"Cloud commitment upfront, chosen view [{currency}]",
            'IF(view="cash",{commitment_upfront},0)',
        ),
        money(
            "cloud_total",
            f"Cloud total [{currency}]",
            '{cloud_running}+IF(view="cash",{commitment_upfront},{commitment_spread}' + cash_only("cloud") + ")",
        ),
        money(
            "cash_capex",
            f"Edge capex, cash [{currency}]",
            _plus(c.key for c in side_components("edge", "cash") if c.lump),
        ),
        money("cash_running", f"Edge running, cash [{currency}]", _plus(running)),
        money("edge_capex", f"Edge capex, chosen view [{currency}]", 'IF(view="cash",{cash_capex},0)'),
        money(
            "edge_running",
            f"Edge running, chosen view [{currency}]",
            'IF(view="cash",{cash_running},{cash_running}+' + _plus(accounting_only) + cash_only("edge") + ")",
        ),
        money("edge_total", f"Edge total [{currency}]", "{edge_capex}+{edge_running}"),
        money("net_capex", f"Edge capex − cloud upfront, chosen view [{currency}]", "{edge_capex}-{cloud_upfront}"),
        money("cash_net_capex", f"Edge capex − cloud upfront, cash [{currency}]", "{cash_capex}-{commitment_upfront}"),
        money(
            "cloud_cumulative",
            f"Cloud cumulative [{currency}]",
            "{prev:cloud_cumulative}+{cloud_total}",
            "{cloud_total}",
        ),
        money(
            "edge_cumulative", f"Edge cumulative [{currency}]", "{prev:edge_cumulative}+{edge_total}", "{edge_total}"
        ),
        money("cumulative_savings", f"Cumulative savings [{currency}]", "{cloud_cumulative}-{edge_cumulative}"),
    )

    def kg(key, header, formula, first=None):
        return Column(key, f"{header} [kg CO₂e]", formula, first)

    carbon = tuple(kg(c.key, f"{c.side.capitalize()}: {c.label}", c.excel) for c in CARBON_COMPONENTS)
    carbon += (
        kg("cloud_kg", "Cloud carbon", _plus(c.key for c in side_components("cloud", "cash", CARBON_COMPONENTS))),
        kg("edge_kg_running", "Edge carbon without devices bought", "{edge_energy}+{edge_failures}+{edge_network}"),
        kg("edge_kg", "Edge carbon, chosen view", 'IF(view="cash",{edge_purchase},{edge_embodied})+{edge_kg_running}'),
        kg("cloud_kg_cumulative", "Cloud carbon cumulative", "{prev:cloud_kg_cumulative}+{cloud_kg}", "{cloud_kg}"),
        kg("edge_kg_cumulative", "Edge carbon cumulative", "{prev:edge_kg_cumulative}+{edge_kg}", "{edge_kg}"),
    )
    untaxed = set(CARBON_PRICE_KEYS + TERMINAL_KEYS)

    def deductible(side):
        return "+".join(f"{{{c.key}}}" for c in side_components(side, "cash") if not c.lump and c.key not in untaxed)

    after_tax = Column(
        "after_tax_gap",
        f"Cash view after tax: cloud − edge running [{currency}]",
        "{cash_gap}+tax_rate_percent/100*("
        + deductible("edge")
        + "".join(f"+{{{k}}}" for k in TAX_SPREAD["edge"])
        + "-("
        + deductible("cloud")
        + "".join(f"+{{{k}}}" for k in TAX_SPREAD["cloud"])
        + "))",
        kind="money",
    )
    return (
        (Column("month", "Month", ""),)
        + HELPERS
        + tuple(parts)
        + totals
        + carbon
        + _crossing("carbon_", "{cloud_kg}-{edge_kg_running}", "{edge_purchase}", "Carbon (devices when bought)")
        + _crossing("", "{cloud_total}-{cloud_upfront}-{edge_running}", "{net_capex}", "Chosen view")
        + _crossing("cash_", "{cloud_running}-{cash_running}", "{cash_net_capex}", "Cash view")
        + (after_tax,)
        + DISCOUNT
        + _crossing(
            "discounted_", "{cash_gap}*{discount_end}", "{cash_net_capex}*{discount_start}", "Cash view, discounted"
        )
    )


# ── Values the engine computed, for the cached results ────────────────────────────────────────────
def monthly_values(a: Analysis, view: str) -> dict[str, np.ndarray]:
    """Every Monthly column's value per month, as the engine computed it: its quantities and per-month factors,
    cost and carbon lines, finance and carbon series, discount factors and break-even paths. Only the month
    counters (month, m, year) are counted here."""
    c, h = a.costs, int(a.costs.horizon[0])
    f, cash, kg, kg_cash = a.finance(view), a.cash, a.carbon(view), a.carbon("cash")
    m = np.arange(h, dtype=float)
    series = {
        key: c.values(key)
        for key in (
            *(column.key for column in HELPERS if column.key in c.quantities),
            *(info.key for info in COMPONENTS + CARBON_COMPONENTS),
        )
    }
    mid_month = a.scenario.discount_timing == "mid_month"
    discount_start, discount_end = discount_factors(a.scenario.discount_percent_per_year, c.months, mid_month)
    series |= {
        "cloud_running": cash.cloud_running_monthly,
        "cloud_upfront": f.cloud_upfront,
        "cloud_total": f.cloud_monthly,
        "cash_capex": cash.edge_capex,
        "cash_running": cash.edge_running_monthly,
        "edge_capex": f.edge_capex,
        "edge_running": f.edge_running_monthly,
        "edge_total": f.edge_monthly,
        "net_capex": f.net_capex_monthly,
        "cash_net_capex": cash.net_capex_monthly,
        "cloud_cumulative": f.cloud_cumulative,
        "edge_cumulative": f.edge_cumulative,
        "cumulative_savings": f.cumulative_savings,
        "cloud_kg": kg.cloud_monthly,
        "edge_kg_running": kg_cash.edge_running_monthly,
        "edge_kg": kg.edge_monthly,
        "cloud_kg_cumulative": kg.cloud_cumulative,
        "edge_kg_cumulative": kg.edge_cumulative,
        "discount_start": discount_start,
        "discount_end": discount_end,
        "after_tax_gap": cash.after_tax_flows()[0],
    }
    cash_pair = (cash.running_gap_monthly, cash.net_capex_monthly)
    for prefix, (gap, lumps) in {
        "carbon_": kg.break_even_flows,
        "": (f.running_gap_monthly, f.net_capex_monthly),
        "cash_": cash_pair,
        "discounted_": discounted_flows(*cash_pair, a.scenario.discount_percent_per_year, mid_month),
    }.items():
        path = savings_path(gap, lumps)
        series |= {f"{prefix}gap": gap, f"{prefix}savings_end": path.savings_end, f"{prefix}crossing": path.crossing}
    return {"month": m + 1, "m": m, "year": m // 12 + 1} | {
        key: np.broadcast_to(x, (1, c.months))[0, :h] for key, x in series.items()
    }


# ── Summary: key, formula, label ──────────────────────────────────────────────────────────────────
def _shown_irr(cell: str) -> str:
    """The IRR in `cell` when it is a number no higher than the shown bound, else blank (as the JSON has it)."""
    return f'=IF(AND(ISNUMBER({cell}),{cell}<={IRR_SHOWN_UP_TO_PERCENT!r}),{cell},"")'


def _irr_rows(irr_key: str, note_key: str, what: str, several: str | None, blank: bool) -> tuple:
    """The Summary rows of an IRR and its note: `irr_key` is also the named cell of the Cash flows sheet's rate;
    `several` the engine's note when the flows change sign several times (no spreadsheet function finds every
    rate), `blank` when the engine gives no rate then."""
    return (
        (
            irr_key,
            '=""' if several and blank else _shown_irr(irr_key),
            f"{what} [%/year]; blank: undefined, several or over {IRR_SHOWN_UP_TO_PERCENT:,.0f} %/year (see "
            f"{note_key})",
        ),
        (
            note_key,
            f'="{several}"'
            if several
            else f"=IF(AND(ISNUMBER({irr_key}),{irr_key}>{IRR_SHOWN_UP_TO_PERCENT!r}),"
            f'"over {IRR_SHOWN_UP_TO_PERCENT:,.0f} %/year","")',
            "IRR note: a rate over the shown bound, or the rates of cash flows that change sign several times (those "
            "as found at export)",
        ),
    )


def summary_rows(
    cur: str,
    per_device_ips: float = 1.0,
    irr_several: str | None = None,
    irr_blank: bool = False,
    after_tax: tuple[str | None, bool] | None = None,
):
    """(key, formula template, label and unit) in the order of `report.summary`; `{cell:key}` is that row's
    value cell. `per_device_ips` is what one device sustains by the advisor's rule (`advisor.capacity`), a number
    at export; `irr_several` the engine's IRR note when the cash flows change sign several times (no spreadsheet
    function finds every rate). `after_tax` (its several-rates note and blank flag) when a tax rate is set: the
    after-tax NPV and IRR rows."""
    free = "AND({cell:cloud_total_cost}=0,{cell:edge_total_cost}=0)"

    def crossing(key):
        return f'=IF(OR({free},COUNT({{all:{key}}})=0),"",MIN({{all:{key}}}))'

    return (
        ("scenario", "=scenario_name", "Scenario"),
        ("view", "=view", "View (cash or accounting)"),
        ("currency", "=currency", "Currency"),
        ("fx_rate", "=fx_rate", f"Exchange rate [{cur} per USD]: the rate the USD catalog prices were converted at"),
        ("fx_rate_date", '=""&fx_rate_date', "Exchange rate date; blank: a rate set by hand"),
        (
            "cloud_monthly_cost",
            "={first:cloud_total}-{first:cloud_upfront}",
            f"Cloud cost, first month, without commitment upfront [{cur}]",
        ),
        ("cloud_upfront", "={first:commitment_upfront}", f"Cloud commitment upfront at go-live [{cur}]"),
        (
            "edge_capex",
            "={first:cash_capex}-{first:carbon_edge_purchase}",
            f"Edge capex at go-live [{cur}], the carbon price of the devices not included",
        ),
        (
            "edge_monthly_cost",
            "={first:edge_running}",
            f"Edge running cost, first month, chosen view (accounting: depreciation included) [{cur}]",
        ),
        ("edge_devices", "={first:devices}", "Edge devices at go-live [devices]"),
        (
            "edge_devices_needed",
            f"=sites*-INT(-(cameras/sites*analysed_fps*(1+sizing_headroom_percent/100)/{per_device_ips!r}-1E-9))",
            f"Edge devices the load needs at go-live [devices], at {per_device_ips:,.1f} inferences/s per device (the "
            "advisor's derated, decode-capped throughput at export)",
        ),
        (
            "edge_capacity_ok",
            "={cell:edge_devices}>={cell:edge_devices_needed}",
            "Edge capacity: TRUE when the devices priced carry the load; FALSE: the edge figures are understated",
        ),
        (
            "break_even_month",
            crossing("cash_crossing"),
            "Break-even [months from go-live], on cash flows in either view; blank: does not pay back within the "
            "horizon",
        ),
        ("payback_months", crossing("cash_crossing"), "Payback, cash view [months]; blank: not within the horizon"),
        (
            "discounted_payback_months",
            crossing("discounted_crossing"),
            "Discounted payback, cash view [months]: break-even of the discounted cash flows; blank: not within the "
            "horizon",
        ),
        ("horizon_months", "=COUNT({all:month})", "Horizon [months]"),
        ("cloud_total_cost", "=SUM({all:cloud_total})", f"Cloud TCO over the horizon [{cur}]"),
        ("edge_total_cost", "=SUM({all:edge_total})", f"Edge TCO over the horizon [{cur}]"),
        ("savings_total", "={cell:cloud_total_cost}-{cell:edge_total_cost}", f"Savings over the horizon [{cur}]"),
        (
            "npv_savings",
            "=NPV(monthly_discount_rate,{all:cash_gap})"
            '*(1+monthly_discount_rate)^IF(discount_timing="mid_month",0.5,0)'
            "-(1+monthly_discount_rate)*NPV(monthly_discount_rate,{all:cash_net_capex})",
            f"NPV of savings [{cur}], cash flows in either view: running flows at the end of their month, capex at its "
            "start (Excel's NPV() discounts its first value by one period, so the capex term is multiplied back by "
            "1 + rate; mid-month, the running term by (1 + rate)^½)",
        ),
        ("discount_timing", "=discount_timing", "Discount timing of running flows: end_of_month or mid_month"),
        (
            "discounting",
            '="' + DISCOUNT_CONVENTION.format(when='"&IF(discount_timing="mid_month","middle","end")&"') + '"',
            "Discounting convention",
        ),
        (
            "roi_percent",
            f'=IF({{cell:capex_total}}>={MIN_CAPEX},{{cell:savings_total}}/{{cell:capex_total}}*100,"")',
            "ROI [%]; blank: no capex",
        ),
        *_irr_rows("irr_percent", "irr_note", "IRR of the move to the edge", irr_several, irr_blank),
        *(
            (
                (
                    "npv_savings_after_tax",
                    "=NPV(monthly_discount_rate,{all:after_tax_gap})"
                    '*(1+monthly_discount_rate)^IF(discount_timing="mid_month",0.5,0)'
                    "-(1+monthly_discount_rate)*NPV(monthly_discount_rate,{all:cash_net_capex})",
                    f"NPV of savings after tax [{cur}]: running costs deductible as paid, edge capex through its "
                    "depreciation, an upfront commitment over its term, at tax_rate_percent; discounted as npv_savings",
                ),
                *_irr_rows(
                    "irr_percent_after_tax", "irr_note_after_tax", "IRR of the move to the edge after tax", *after_tax
                ),
            )
            if after_tax
            else ()
        ),
        (
            "capex_total",
            "=SUM({all:cash_capex})-SUM({all:carbon_edge_purchase})",
            f"Cash capex paid within the horizon [{cur}], the carbon price of devices bought not included (its own "
            "line)",
        ),
        ("cloud_kgco2e_monthly", "={first:cloud_kg}", "Cloud emissions, first month [kg CO₂e]"),
        (
            "edge_kgco2e_monthly",
            '={first:edge_kg_running}+IF(view="cash",0,{first:edge_embodied})',
            "Edge emissions, first month, chosen view: devices bought excluded (accounting: embodied share included) "
            "[kg CO₂e]",
        ),
        (
            "edge_embodied_kgco2e",
            "={first:edge_purchase}",
            "Embodied emissions of the devices bought at go-live [kg CO₂e]",
        ),
        ("cloud_kgco2e_total", "=SUM({all:cloud_kg})", "Cloud emissions over the horizon [kg CO₂e]"),
        ("edge_kgco2e_total", "=SUM({all:edge_kg})", "Edge emissions over the horizon, chosen view [kg CO₂e]"),
        (
            "kgco2e_avoided_total",
            "={cell:cloud_kgco2e_total}-{cell:edge_kgco2e_total}",
            "Emissions avoided by the edge over the horizon [kg CO₂e]",
        ),
        (
            "carbon_break_even_month",
            "=IF(OR(AND(SUM({all:cloud_kg})=0,SUM({all:edge_kg_running})+SUM({all:edge_purchase})=0),"
            'COUNT({all:carbon_crossing})=0),"",MIN({all:carbon_crossing}))',
            "Carbon break-even [months]: when lower operating emissions have paid back the devices' embodied "
            "emissions; blank: not within the horizon",
        ),
        ("carbon_price_per_tonne", "=carbon_price_per_tonne", f"Internal carbon price [{cur} per tonne]"),
    )


# ── Writing ───────────────────────────────────────────────────────────────────────────────────────
def monthly_rate(percent_per_year: float) -> float:
    """The monthly discount rate of a yearly one, (1 + rate)^(1/12) − 1: the rate Excel's NPV() is given (the engine
    discounts with the yearly rate directly, `finance.discount_factors`)."""
    return (1 + percent_per_year / 100) ** (1 / 12) - 1


def _cached(value):
    """A cached result: numbers as floats, undefined results as the blank text the formula returns."""
    if value is None or isinstance(value, str):
        return value or ""
    return "" if not math.isfinite(value) else float(value) + 0.0


# Excel 365's dynamic-array functions, which XlsxWriter renames (`FILTER(` → `_xlfn._xlws.FILTER(`) in every
# formula it writes, one regular expression per name (a superset here: no word boundary asked for).
_DYNAMIC_FUNCTION = re.compile(
    r"(?:ANCHORARRAY|BYCOL|BYROW|CHOOSECOLS|CHOOSEROWS|DROP|EXPAND|FILTER|HSTACK|LAMBDA|"
    r"MAKEARRAY|MAP|RANDARRAY|REDUCE|SCAN|SINGLE|SEQUENCE|SORT|SORTBY|SWITCH|TAKE|"
    r"TEXTSPLIT|TOCOL|TOROW|UNIQUE|VSTACK|WRAPCOLS|WRAPROWS|XLOOKUP)\("
)


@functools.cache
def _fast_sheet() -> type:
    """XlsxWriter's worksheet without its slowest step here: before storing a formula it tries about thirty
    regular expressions that rename dynamic-array functions, two thirds of the time to write a 240-month
    model. One search finds whether the formula names any of them (this model's never do); only then does
    XlsxWriter's own renaming run. The stored formula is the same either way (tests/test_workbook_tables.py).
    Made on first use, so that importing this module does not load XlsxWriter (the command line's start)."""
    from xlsxwriter.worksheet import Worksheet

    class _Sheet(Worksheet):
        def _prepare_formula(self, formula, expand_future_functions=False):
            if self.use_future_functions or expand_future_functions or _DYNAMIC_FUNCTION.search(formula):
                return super()._prepare_formula(formula, expand_future_functions)
            return formula.removeprefix("{").removeprefix("=").removesuffix("}")

    return _Sheet


def __getattr__(name: str):
    if name == "_Sheet":  # the fast worksheet class, by its name (tests compare it with XlsxWriter's)
        return _fast_sheet()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Book:
    """An XlsxWriter workbook in memory with the formats, names, tables and IRR block both workbooks use."""

    sheet_class = None  # the worksheet class, None: `_fast_sheet()` (tests compare it with XlsxWriter's)

    print_setup: dict[str, PrintSetup] = {"Monthly": PRINT_SETUP["Monthly"]}

    def __init__(self, currency: str):
        import xlsxwriter

        self.cur = currency
        self.print_areas: dict[str, tuple[int, int]] = {}  # sheet → its last row and column that print
        self.row_lines: dict[tuple[str, int], int] = {}  # (sheet, row) → lines its wrapped cells need
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(
            self.buffer,
            {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
        )
        add = self.book.add_format
        money = f'#,##0.00 "{self.cur}";-#,##0.00 "{self.cur}"'
        self.formats = {
            "money": add({"num_format": money}),
            "money_total": add({"num_format": money, "bold": True, "top": 1}),
            "number": add({"num_format": "#,##0.####"}),
            "count": add({"num_format": "0"}),
            "factor": add({"num_format": "0.000000"}),
            "input": add({"bg_color": "#FFF2CC", "border": 1}),
            "bold": add({"bold": True}),
            "centre": add({"align": "center"}),
            "wrap": add({"text_wrap": True}),
            "input_wrap": add({"bg_color": "#FFF2CC", "border": 1, "text_wrap": True}),
            "percent": add({"num_format": "0.00"}),
            "irr": add({"num_format": IRR_NUMBER_FORMAT}),
        }

    def price_format(self, decimals: int):
        """An input cell showing a converted price to `decimals` places; the cell keeps the exact value."""
        key = f"input_price_{decimals}"
        if key not in self.formats:
            self.formats[key] = self.book.add_format(
                {"bg_color": "#FFF2CC", "border": 1, "num_format": "#,##0." + "0" * decimals}
            )
        return self.formats[key]

    def add_sheets(self, names: tuple[str, ...]) -> None:
        self.sheets = {name: self.book.add_worksheet(name, self.sheet_class or _fast_sheet()) for name in names}
        self.sheets[names[0]].activate()

    def wrapped(self, ws, row: int, column: int, text: str, width: float, fmt: str = "wrap") -> None:
        """Text wrapped in its cell, its row made tall enough for it (no spreadsheet grows a row on opening a
        file, so a taller text would print over the rows below)."""
        ws.write_string(row, column, text, self.formats[fmt])
        self.row_needs(ws, row, wrapped_lines(text, width))

    def row_needs(self, ws, row: int, lines: int) -> None:
        key = (ws.name, row)
        self.row_lines[key] = max(self.row_lines.get(key, 1), lines)

    def finish(self) -> bytes:
        """Each sheet's print setup (`PrintSetup`): A4, headers on every page, its print area, the sheet's name
        and page number in the footer; rows as tall as their wrapped text."""
        for (name, row), lines in self.row_lines.items():
            if lines > 1:
                self.sheets[name].set_row(row, LINE_HEIGHT_PT * lines)
        for name, ws in self.sheets.items():
            setup = self.print_setup.get(name, PrintSetup())
            ws.set_paper(9)  # A4 (Letter prints it scaled)
            ws.set_landscape() if setup.landscape else ws.set_portrait()
            ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
            ws.set_footer("&L&A&RPage &P of &N")
            ws.repeat_rows(0)
            if setup.first_column:
                ws.repeat_columns(0)
            if setup.scale is None:
                ws.fit_to_pages(1, 0)
            else:
                ws.set_print_scale(setup.scale)
            if name in self.print_areas:
                ws.print_area(0, 0, *self.print_areas[name])
        self.book.close()
        return self.buffer.getvalue()

    def name(self, name: str, sheet: str, cell: str) -> None:
        self.book.define_name(name, f"='{sheet}'!{cell}")

    def table(self, ws, name: str, headers: list[str], rows: int, totals: dict[int, float]) -> None:
        """An Excel table over the header and `rows` data rows, then a Total row below it: plain SUM formulas
        (cached: `totals`) under the columns that add up, so every spreadsheet computes them alike."""
        from xlsxwriter.utility import xl_col_to_name

        ws.add_table(
            0,
            0,
            rows,
            len(headers) - 1,
            {
                "name": name,
                "style": "Table Style Light 9",
                "autofilter": False,
                "columns": [{"header": h} for h in headers],
            },
        )
        ws.write_string(rows + 1, 0, "Total", self.formats["bold"])
        for j, total in totals.items():
            letter = xl_col_to_name(j)
            ws.write_formula(
                rows + 1, j, f"=SUM({letter}2:{letter}{rows + 1})", self.formats["money_total"], float(total)
            )

    def monthly_sheet(
        self, columns: tuple[Column, ...], values: dict[str, np.ndarray], adds_up, first_width: float
    ) -> None:
        """The Monthly sheet: one row per month, each column its template's formula cached with the engine's value
        (a column without a template holds the value itself), and a Total row under the columns that add up."""
        from xlsxwriter.utility import xl_col_to_name

        ws, months = self.sheets["Monthly"], len(values["month"])
        self.template = Template({c.key: xl_col_to_name(j) for j, c in enumerate(columns)}, months)
        for j, column in enumerate(columns):
            fmt = self.formats[column.kind]
            for r in range(months):
                value = values[column.key][r]
                template = column.first if r == 0 and column.first else column.formula
                if template:
                    ws.write_formula(r + 1, j, "=" + self.template(template, r + 2), fmt, _cached(value))
                else:
                    ws.write_number(r + 1, j, float(value), fmt)
        self.table(
            ws,
            "MonthlyTable",
            [c.header for c in columns],
            months,
            {j: values[c.key].sum() for j, c in enumerate(columns) if adds_up(c)},
        )
        ws.freeze_panes(1, 1)
        ws.set_column(0, len(columns) - 1, MONTHLY_WIDTH)
        ws.set_column(0, 0, first_width)
        lines = max(wrapped_lines(c.header, MONTHLY_WIDTH) for c in columns[1:])
        ws.set_row(0, LINE_HEIGHT_PT * max(lines, 3), self.formats["wrap"])
        self.print_areas["Monthly"] = (months + 1, len(columns) - 1)

    def rng(self, key: str) -> str:
        """Monthly column `key`, every month."""
        return self.template(f"{{all:{key}}}")

    def flow_cells(self, ws, column: int, gap: str, lumps: str, flows: np.ndarray) -> None:
        """c_t = gap(t−1) − lumps(t), t = 0…months, in `column` from row 2: formulas over the Monthly columns `gap`
        and `lumps`, cached with `flows` (the engine's, `finance.cash_flows`)."""
        gap, lumps, months = self.template.columns[gap], self.template.columns[lumps], len(flows) - 1
        for t in range(months + 1):
            parts = ([f"Monthly!{gap}{t + 1}"] if t else []) + ([f"-Monthly!{lumps}{t + 2}"] if t < months else [])
            ws.write_formula(t + 1, column, "=" + "".join(parts), self.formats["money"], float(flows[t]))

    def irr_block(self, ws, column: int, flows_rng: str, t_rng: str, irr: float) -> str:
        """Labels in `column`, formulas beside them (rows 2–5): the spreadsheet's IRR() of the monthly flows,
        two Newton steps that take it to full precision, and the annualised IRR [%/year], blank when the
        flows never change sign. Returns that last cell (absolute)."""
        from xlsxwriter.utility import xl_col_to_name

        def at(row: int) -> str:
            return f"{xl_col_to_name(column + 1)}{row}"

        def newton(r: str) -> str:
            return f"{r}-SUMPRODUCT({flows_rng},(1+{r})^-{t_rng})/SUMPRODUCT(-{t_rng}*{flows_rng},(1+{r})^(-{t_rng}-1))"

        monthly = float((1 + irr / 100) ** (1 / 12) - 1) if math.isfinite(irr) else ""
        guess = monthly if monthly != "" else 0.01  # start at the IRR at export time, else at 1 %
        rows = (
            (
                f"IRR() monthly (the spreadsheet's own search, from {guess:.6g})",
                f"=IFERROR(IRR({flows_rng},{guess!r}),IRR({flows_rng},0.01))",
            ),
            ("Newton step 1", f"={newton(at(2))}"),
            ("Newton step 2", f"={newton(at(3))}"),
            (
                "irr_percent [%/year]",
                f'=IF(AND(MIN({flows_rng})<0,MAX({flows_rng})>0),IFERROR(((1+{at(4)})^12-1)*100,""),"")',
            ),
        )
        for i, (label, formula) in enumerate(rows, start=1):
            self.wrapped(ws, i, column, label, IRR_LABEL_WIDTH)
            ws.write_formula(
                i,
                column + 1,
                formula,
                self.formats["percent" if i == 4 else "factor"],
                _cached(irr if i == 4 else monthly),
            )
        return "$" + xl_col_to_name(column + 1) + "$5"


class _Writer(_Book):
    print_setup = PRINT_SETUP

    def __init__(self, a: Analysis, view: str, approval: str | None = None):
        super().__init__(a.scenario.currency)
        self.a, self.view, self.approval = a, view, approval

    def write(self) -> bytes:
        self.add_sheets(SHEETS)
        self.inputs()
        self.monthly()
        self.cash_flows()
        self.summary()
        self.yearly()
        self.sources()
        self.notes()
        return self.finish()

    # Inputs ------------------------------------------------------------------------------------
    def inputs(self) -> None:
        ws = self.sheets["Inputs"]
        s, values = self.a.scenario, to_dict(self.a.scenario)
        ws.write_row(0, 0, ["Name", "Value", "Label", "Unit", "Source / as of"], self.formats["bold"])
        rows = [("scenario_name", values["name"], "Scenario name", "", "")]
        rows.append(
            (
                "view",
                self.view,
                "View: cash or accounting",
                "",
                "cash: capex when paid; accounting: straight-line depreciation",
            )
        )
        for spec in FIELDS:
            unit = spec.unit_for(self.cur) if isinstance(spec, NumberField) else ""
            rows.append((spec.name, values[spec.name], spec.label, unit, _provenance(s, spec.name)))
        row = 1
        for name, value, label, unit, source in rows:
            if isinstance(value, str):
                self.wrapped(ws, row, 1, value, INPUTS_WIDTHS[1], "input_wrap")
            elif name in MONEY_FIELDS and self.cur != CATALOG_CURRENCY:  # converted: shown as a price list
                ws.write_number(row, 1, value, self.price_format(price_decimals(value)))
            else:
                ws.write_number(row, 1, value, self.formats["input"])
            ws.write_string(row, 0, name)
            self.wrapped(ws, row, 2, label, INPUTS_WIDTHS[2])
            ws.write_string(row, 3, unit)
            self.wrapped(ws, row, 4, source, INPUTS_WIDTHS[4])
            spec = next((f for f in FIELDS if f.name == name), None)
            options = list(spec.options) if isinstance(spec, ChoiceField) else list(VIEWS) if name == "view" else None
            if options:
                ws.data_validation(row, 1, row, 1, {"validate": "list", "source": options})
            self.name(name, "Inputs", f"$B${row + 1}")
            row += 1
        ws.add_table(
            0,
            0,
            row - 1,
            4,
            {
                "name": "InputsTable",
                "style": "Table Style Light 9",
                "autofilter": False,
                "columns": [{"header": h} for h in ("Name", "Value", "Label", "Unit", "Source / as of")],
            },
        )
        row += 1
        for key, text in TIER_SCHEDULES.items():
            row = self.tier_block(ws, row, key, text.replace("{cur}", self.cur)) + 1
        last = self.derived(ws, row)
        ws.freeze_panes(1, 1)
        for j, width in enumerate(INPUTS_WIDTHS):
            ws.set_column(j, j, width)
        self.print_areas["Inputs"] = (last, len(INPUTS_WIDTHS) - 1)

    def tier_block(self, ws, row: int, key: str, title: str) -> int:
        """Start, price and marginal step of each tier; step = (price − previous price) per unit."""
        name = key[:-1]  # inference_tiers → inference_tier
        per_unit = TIER_UNITS[key]
        ws.write_string(row, 0, title, self.formats["bold"])
        ws.write_row(row + 1, 0, ["Tier", "Start", "Price", "Step per unit"], self.formats["bold"])
        tiers = getattr(self.a.scenario, key)
        top = row + 2
        for i, tier in enumerate(tiers):
            r = top + i
            ws.write_number(r, 0, i + 1)
            ws.write_number(r, 1, tier.start, self.formats["input"])
            ws.write_number(r, 2, tier.price, self.formats["input"])
            previous = f"-C{r}/{per_unit:g}" if i else ""
            cached = (tier.price - (tiers[i - 1].price if i else 0)) / per_unit
            ws.write_formula(r, 3, f"=C{r + 1}/{per_unit:g}{previous}", None, cached)
        last = top + len(tiers)
        self.name(f"{name}_start", "Inputs", f"$B${top + 1}:$B${last}")
        self.name(f"{name}_price", "Inputs", f"$C${top + 1}:$C${last}")
        self.name(f"{name}_step", "Inputs", f"$D${top + 1}:$D${last}")
        return last

    def derived(self, ws, row: int) -> int:
        """The figures the monthly lines are built from, as formulas over the inputs cached with the engine's
        (`costs.scenario_figures`), from `row` on; returns the last row."""
        s = self.a.scenario
        ws.write_string(row, 0, "Derived (formulas; docs/FORMULAS.md)", self.formats["bold"])
        figures = {name: float(x[0]) for name, x in scenario_figures(batch([s])).items()}
        figures["monthly_discount_rate"] = monthly_rate(s.discount_percent_per_year)
        derived = (
            ("operating_s", "=hours_per_day*3600*days_per_month", "s/month"),
            ("operating_h", "=hours_per_day*days_per_month", "h/month"),
            ("other_h", f"=MAX({HOURS_PER_CALENDAR_MONTH}-operating_h,0)", "h/month"),
            ("retention_months", f"=retention_days/{DAYS_PER_CALENDAR_MONTH}", "months"),
            (
                "per_site_devices",
                "=cameras/sites*analysed_fps*(1+sizing_headroom_percent/100)/device_throughput_ips",
                "devices per site before rounding up",
            ),
            (
                "serverless_per_image",
                "=serverless_ms_per_inference/1000*serverless_memory_gb*serverless_per_gb_second"
                "+serverless_per_million_requests/10^6",
                f"{self.cur}/image",
            ),
            (
                "instance_load",
                "=cameras*analysed_fps*(1+instance_headroom_percent/100)/instance_inferences_per_s",
                "instances before rounding up",
            ),
            (
                "term_months",
                '=IF(instance_commitment="one_year",12,IF(instance_commitment="three_year",36,0))',
                "months",
            ),
            (
                "upfront_share",
                '=IF(term_months>0,IF(instance_upfront="all",1,IF(instance_upfront="partial",'
                "instance_partial_upfront_percent/100,0)),0)",
                "of the committed cost",
            ),
            (
                "instance_rate",
                "=IF(term_months>0,instance_committed_per_hour*(1-upfront_share),"
                'IF(instance_commitment="spot",instance_spot_per_hour*(1+instance_spot_interruption_percent'
                "/100),instance_per_hour))*(1+instance_endpoint_surcharge_percent/100)"
                "*(1-inference_discount_percent/100)",
                f"{self.cur}/instance-hour billed",
            ),
            (
                "upfront_per_instance",
                f"=instance_committed_per_hour*upfront_share*{HOURS_PER_CALENDAR_MONTH}*term_months"
                "*(1+instance_endpoint_surcharge_percent/100)*(1-inference_discount_percent/100)",
                f"{self.cur} per instance committed",
            ),
            (
                "billed_hours",
                f'=IF(OR(instance_billing="always_on",term_months>0),{HOURS_PER_CALENDAR_MONTH},'
                f"MIN(MIN(hours_per_day+instance_warmup_hours_per_day,24)*days_per_month,"
                f"{HOURS_PER_CALENDAR_MONTH}))",
                "h/month per instance",
            ),
            ("monthly_discount_rate", "=(1+discount_percent_per_year/100)^(1/12)-1", "per month"),
        )
        for i, (name, formula, unit) in enumerate(derived, start=row + 1):
            ws.write_string(i, 0, name)
            ws.write_formula(i, 1, formula, self.formats["number"], figures[name])
            ws.write_string(i, 3, unit)
            self.name(name, "Inputs", f"$B${i + 1}")
        return row + len(derived)

    # Monthly -----------------------------------------------------------------------------------
    def monthly(self) -> None:
        columns = monthly_columns(self.cur)
        values = monthly_values(self.a, self.view)
        self.h = len(values["month"])
        self.monthly_sheet(
            columns,
            values,
            lambda c: c.kind == "money" and "cumulative" not in c.key and "savings_end" not in c.key,
            first_width=8,
        )
        self.chart(self.sheets["Monthly"])

    def chart(self, ws) -> None:
        chart = self.book.add_chart({"type": "line"})
        for key, name in (("cloud_cumulative", "Cloud cumulative"), ("edge_cumulative", "Edge cumulative")):
            letter = self.template.columns[key]
            chart.add_series(
                {
                    "name": name,
                    "categories": f"=Monthly!$A$2:$A${self.h + 1}",
                    "values": f"=Monthly!${letter}$2:${letter}${self.h + 1}",
                }
            )
        be = summary(self.a, self.view)["break_even_month"]
        when = "does not pay back within the horizon" if be is None else f"break-even at month {be:.1f}"
        chart.set_title({"name": f"Cumulative cost ({when})", "name_font": {"size": 12}})
        chart.set_x_axis({"name": "Month", "interval_unit": 12, "interval_tick": 12})
        chart.set_y_axis({"name": self.cur, "num_format": "#,##0"})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 760, "height": 380})
        ws.insert_chart(f"{self.template.columns['month']}{self.h + 4}", chart)

    # Cash flows (IRR) ------------------------------------------------------------------------------
    def cash_flows(self) -> None:
        """c_t = gap(t−1) − capex(t), t = 0…horizon; IRR refined by two Newton steps to full precision."""
        ws = self.sheets["Cash flows"]
        ws.write_row(0, 0, ["t [months]", f"Cash flow of the move to the edge [{self.cur}]"], self.formats["bold"])
        cash = self.a.cash
        for t in range(self.h + 1):
            ws.write_number(t + 1, 0, t)
        self.flow_cells(
            ws,
            1,
            "cash_gap",
            "cash_net_capex",
            cash_flows(cash.running_gap_monthly, cash.net_capex_monthly)[0, : self.h + 1],
        )
        self.irr_block(ws, 2, f"$B$2:$B${self.h + 2}", f"$A$2:$A${self.h + 2}", self.a.cash.irr_percent[0])
        self.name("irr_percent", "Cash flows", "$D$5")
        if self.a.scenario.tax_rate_percent:  # the flows after tax and their IRR, beside the pre-tax ones
            ws.write_string(0, 4, f"Cash flow after tax [{self.cur}]", self.formats["bold"])
            self.flow_cells(ws, 4, "after_tax_gap", "cash_net_capex", cash_flows(*cash.after_tax_flows())[0])
            cell = self.irr_block(
                ws, 5, f"$E$2:$E${self.h + 2}", f"$A$2:$A${self.h + 2}", irr_percent(*cash.after_tax_flows())[0]
            )
            self.name("irr_percent_after_tax", "Cash flows", cell)
            ws.set_column(4, 6, 18)
        ws.set_column(0, 0, 10)
        ws.set_column(1, 1, 22)
        ws.set_column(2, 2, IRR_LABEL_WIDTH)
        ws.set_column(3, 3, 16)
        ws.freeze_panes(1, 0)
        self.print_areas["Cash flows"] = (self.h + 1, 3)

    # Summary -----------------------------------------------------------------------------------
    def summary(self) -> None:
        ws = self.sheets["Summary"]
        ws.write_row(0, 0, ["key", "value", "label and unit"], self.formats["bold"])
        values = summary(self.a, self.view)

        def several(note):
            return note if note and "change sign" in note else None

        after_tax = (
            (several(values["irr_note_after_tax"]), values["irr_percent_after_tax"] is None)
            if "irr_note_after_tax" in values
            else None
        )
        rows = summary_rows(
            self.cur,
            self.a.capacity().per_device_ips,
            several(values["irr_note"]),
            values["irr_percent"] is None,
            after_tax,
        )
        self.template.cells |= {key: f"$B${i + 2}" for i, (key, _, _) in enumerate(rows)}
        widths = (26, 30, 80)  # characters: key, value, label and unit
        for i, (key, template, label) in enumerate(rows, start=1):
            formula = self.template(template)
            kind = "money" if "[" + self.cur + "]" in label else "number"
            kind = "wrap" if isinstance(values[key], str) else kind  # a name or a sentence: wrapped, not cut
            fmt = self.formats["irr" if key in ("irr_percent", "irr_percent_after_tax") else kind]
            ws.write_string(i, 0, key)
            ws.write_formula(i, 1, formula, fmt, _cached(values[key]))
            if isinstance(values[key], str):
                self.row_needs(ws, i, wrapped_lines(values[key], widths[1]))
            self.wrapped(ws, i, 2, label, widths[2])
        for j, width in enumerate(widths):
            ws.set_column(j, j, width)
        ws.freeze_panes(1, 0)
        self.print_areas["Summary"] = (len(rows), len(widths) - 1)

    # Yearly ------------------------------------------------------------------------------------
    def yearly(self) -> None:
        ws = self.sheets["Yearly"]
        table = yearly_table(self.a, self.view)
        keys = {
            "Cloud": "cloud_total",
            "Edge capex": "edge_capex",
            "Edge running": "edge_running",
            "Edge total": "edge_total",
        }
        year = self.rng("year")
        n = len(table)
        for j, header in enumerate(table.columns):
            for i in range(n):
                r, value = i + 2, table.iloc[i, j]
                stem = header.split(" [")[0]
                if j == 0:
                    formula, fmt = None, "count"
                elif stem == "Months":
                    ws.write_string(i + 1, j, value)
                    continue
                elif stem in keys:
                    formula, fmt = f"=SUMIF({year},$A{r},{self.rng(keys[stem])})", "money"
                elif stem == "Savings":
                    formula, fmt = f"=C{r}-F{r}", "money"
                else:  # cumulative savings
                    formula, fmt = (f"=H{r - 1}+G{r}" if i else f"=G{r}"), "money"
                if formula is None:
                    ws.write_number(i + 1, j, value, self.formats[fmt])
                else:
                    ws.write_formula(i + 1, j, formula, self.formats[fmt], float(value))
        self.table(
            ws,
            "YearlyTable",
            list(table.columns),
            n,
            {j: table[c].sum() for j, c in enumerate(table.columns) if j >= 2 and not c.startswith("Cumulative")},
        )
        ws.set_column(0, 0, 8)
        ws.set_column(1, 1, 10, self.formats["centre"])
        ws.set_column(2, len(table.columns) - 1, 20)
        ws.freeze_panes(1, 1)
        self.print_areas["Yearly"] = (n + 1, len(table.columns) - 1)

    # Sources and notes -------------------------------------------------------------------------
    def sources(self) -> None:
        ws = self.sheets["Sources"]
        headers = ["Catalog", "Row", "Figure", "Value", "Estimate", "Source", "As of"]
        ws.write_row(0, 0, headers, self.formats["bold"])
        widths = (14, 22, 20, 12, 48, 70, 10)  # characters, one per header
        rows = source_rows(self.a.scenario)
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(row):
                if isinstance(value, (int, float)):
                    ws.write_number(i, j, value)
                else:
                    self.wrapped(ws, i, j, value, widths[j])
        if not rows:
            ws.write_string(1, 0, "No catalog row: every figure was entered by hand (see Inputs).")
        for j, width in enumerate(widths):
            ws.set_column(j, j, width)
        ws.freeze_panes(1, 0)
        self.print_areas["Sources"] = (max(len(rows), 1), len(widths) - 1)

    def notes(self) -> None:
        ws = self.sheets["Notes"]
        lines = notes_lines()
        lines.insert(
            1,
            (
                "Currency",
                f"Money in {self.cur}: {rate_text(self.a.scenario)}. Catalog prices are in USD; "
                "fx_rate on Inputs is the rate they were converted at.",
            ),
        )
        c = self.a.capacity()
        lines.insert(
            2,
            (
                "Edge capacity",
                capacity_warning(c)
                or (
                    f"Enough: {c.priced:,} devices priced, {c.needed:,} needed for {c.load_ips:,.1f} inferences/s at "
                    f"{c.per_device_ips:,.1f} per device (the advisor's derated, decode-capped throughput)."
                ),
            ),
        )
        if self.approval:
            lines.insert(1, ("Approval", self.approval))
        for i, (a, b) in enumerate(lines):
            if b:
                self.wrapped(ws, i, 0, a, NOTES_WIDTHS[0])
                self.wrapped(ws, i, 1, b, NOTES_WIDTHS[1])
            else:  # a heading: the row is its own
                ws.write_string(i, 0, a, self.formats["bold"])
        for j, width in enumerate(NOTES_WIDTHS):
            ws.set_column(j, j, width)
        self.print_areas["Notes"] = (len(lines) - 1, len(NOTES_WIDTHS) - 1)


def _provenance(scenario, name: str) -> str:
    """Where an input came from: the catalog entry it equals (`Catalog.provenance`, as the app and the CSV
    credit it), else the user's own figure. A typed bill, a derated throughput or a mode is not a catalog's."""
    cited = next((p for p in catalog.load().provenance(scenario) if name in p.fields), None)
    return f"{PICKED[cited.picker]}: {cited.entry} (see Sources)" if cited else "scenario input"


HARDWARE_FIGURES = {
    "unit_price_usd": "device_price",
    "watts": "device_watts",
    "throughput_ips": "device_throughput_ips",
}


def source_rows(scenario) -> list[tuple]:
    """Catalog rows behind the scenario's figures: its device's figures it still uses, its instance, the price
    rows of the tier schedules it uses and its carbon rows."""
    cat = catalog.load()
    found = cat.provenance(scenario)
    cited = {field for p in found for field in p.fields}
    tiers = {p.entry for p in found if p.picker in {picker for picker, _ in TIER_ITEMS.values()}}
    rows = []
    for d in cat.hardware:
        if d["id"] == scenario.device_id:
            for figure, field in HARDWARE_FIGURES.items():
                if field in cited:
                    rows.append(
                        ("hardware.csv", d["id"], figure, d[figure], d.get("estimate") or "", d["source"], d["as_of"])
                    )
    for p in found:
        if p.picker == "instance":
            rows.append(
                (
                    "cloud_instances.csv",
                    p.entry,
                    "instance rates, surcharge, throughput",
                    scenario.instance_per_hour,
                    p.estimate,
                    p.source,
                    p.as_of,
                )
            )
    for p in cat.cloud_prices:
        if f"{p['provider']} — {p['service']}" in tiers:
            rows.append(
                (
                    "cloud_prices.csv",
                    f"{p['provider']} {p['item']}",
                    f"from {p['tier_from']:g} ({p['unit']})",
                    p["price_usd"],
                    p.get("estimate") or "",
                    p["source"],
                    p["as_of"],
                )
            )
    values = to_dict(scenario)
    for p in cat.carbon_provenance(values):
        rows.append(("carbon.csv", p.entry, p.fields[0], values[p.fields[0]], p.estimate, p.source, p.as_of))
    return rows


def notes_lines() -> list[tuple[str, str]]:
    """The formulas document in brief: conventions, then each component's formula."""
    lines = [
        ("How this workbook computes", ""),
        (
            "Inputs",
            "Yellow cells on Inputs are named (e.g. cameras, device_price); change them and the "
            "spreadsheet recomputes Monthly, Yearly, Cash flows and Summary.",
        ),
        ("Months", "Month 1 is m = 0 (go-live). The number of rows is the horizon at export time."),
        ("Units", "GB and KB are decimal (10^9, 10^3 bytes); a month is 365.25/12 days."),
        ("growth(m) and price changes", "(1 + rate/100)^(m/12) for the yearly rate."),
        ("Tiers", "Marginal: Σ max(q − start, 0) × (price − previous price); tiers restart every month."),
        ("stored_months(m)", "∫ from m to m+1 of min(t, R) dt, R = retention_days / 30.4375."),
        (
            "devices(m), auto",
            "sites × ceil(cameras/sites × fps × growth(m) × (1 + headroom) ÷ throughput), growth only when positive.",
        ),
        ("devices_bought(m)", "devices added in month m plus those bought useful_life_months earlier (refresh)."),
        (
            "instances(m)",
            "GPU instances: max(instance_min_count, ceil(cameras × fps × growth(m) × (1 + headroom) ÷ "
            "instance throughput)); under a 1- or 3-year commitment never fewer than the commitments "
            "still running.",
        ),
        (
            "commitments_bought(m)",
            "instances(m) − commitments still running (bought in the term_months − 1 months "
            "before): a renewal buys what the month needs, not the most ever committed.",
        ),
        (
            "Cloud upfront",
            "the upfront part of an instance commitment is paid at the start of its month in the cash "
            "view (a negative capex in the break-even, NPV and IRR) and spread over the term in the "
            "accounting view.",
        ),
        ("Cash view", "hardware and installation paid at the start of their month."),
        ("Accounting view", "straight-line depreciation replaces hardware and installation."),
        ("Break-even", "first t with cumulative savings ≥ 0: m + (−S_start)/(cloud − edge running) within month m."),
        (
            "Discounting",
            "running flows at the end of their month ((1+r)^−((m+1)/12)), or at its middle "
            "((1+r)^−((m+½)/12)) when discount_timing is mid_month; capex at the start of its month "
            "((1+r)^−(m/12)); r is an annual effective rate, the monthly rate (1 + r)^(1/12) − 1. The "
            "IRR keeps the end-of-month timing.",
        ),
        (
            "NPV",
            "Σ gap(m)(1+r)^−((m+1)/12) − Σ capex(m)(1+r)^−(m/12) (mid-month: (m+½)/12 for the gap); Excel's "
            "NPV() discounts its first value one period, so capex uses (1 + rate) × NPV().",
        ),
        ("IRR", "monthly IRR of the cash flows (Cash flows sheet), annualised: (1 + irr)^12 − 1."),
        ("ROI", "savings ÷ cash capex within the horizon × 100; blank without capex."),
        ("", ""),
        ("Component formulas", ""),
    ]
    lines += [
        (f"{c.side.capitalize()}: {c.label}", f"{c.formula}   (bill: {c.bill}; views: {', '.join(c.views)})")
        for c in COMPONENTS
    ]
    lines += [("", ""), ("Carbon formulas [kg CO₂e/month]", "")]
    lines += [
        (f"{c.side.capitalize()}: {c.label}", f"{c.formula}   ({c.bill}; views: {', '.join(c.views)})")
        for c in CARBON_COMPONENTS
    ]
    return lines


def workbook_bytes(a: Analysis, view: str = "cash", approval: str | None = None) -> bytes:
    """The scenario's live-formula workbook (.xlsx) as bytes; `approval` (a saved plan's "Approved by … on …", or
    why it is not approved) is the Notes sheet's second line."""
    return _Writer(a, view, approval).write()


# ── The fleet's programme ─────────────────────────────────────────────────────────────────────────
FLEET_SHEETS = ("Summary", "Monthly", "Cash flows", "Sites", "Inventory", "Notes")
EDGE_PLANS = (1, 2)  # fleet.PLANS indices of the plans measured against all cloud (index 0)


class _FleetWriter(_Book):
    """The three plans of a fleet: the all-cloud cost and each edge plan's capex and running cost per month
    are the engine's (a site's costs are the single-scenario model's, in the scenario workbook); each plan's
    cost, savings, cumulative savings, break-even, NPV, IRR and capex by quarter are formulas over them."""

    def __init__(self, p):
        super().__init__(p.fleet.base.currency)
        self.p = p

    def write(self) -> bytes:
        self.add_sheets(FLEET_SHEETS)
        self.monthly()
        self.cash_flows()
        self.summary()
        self.frame_sheet("Sites", fleet_tables.site_table(self.p), "SitesTable")
        self.frame_sheet("Inventory", self.p.fleet.inventory.table, "InventoryTable")
        notes = self.sheets["Notes"]
        for i, (a, b) in enumerate(fleet_notes()):
            notes.write_string(i, 0, a, self.formats["bold"] if not b else None)
            notes.write_string(i, 1, b)
        notes.set_column(0, 0, 32)
        notes.set_column(1, 1, 120)
        return self.finish()

    def plan_columns(self) -> tuple[Column, ...]:
        """The Monthly columns: the engine's series as values (no template), the rest as formula templates."""
        cur = self.cur

        def count(key, header, formula, first=None):
            return Column(key, header, formula, first, "count")

        def money(key, header, formula, first=None):
            return Column(key, header, formula, first, "money")

        columns = [
            Column("month", "Month", "", kind="count"),
            count("m", "m (months since the programme start)", "{month}-1"),
            count("quarter", "Quarter", "INT({m}/3)+1"),
            money("cloud", f"All cloud: cost [{cur}]", ""),
        ]
        for i in EDGE_PLANS:
            k, name = fleet_inventory.PLANS[i], fleet_inventory.PLAN_TEXT[fleet_inventory.PLANS[i]]
            columns += [
                money(f"{k}_capex", f"{name}: capex [{cur}]", ""),
                money(f"{k}_running", f"{name}: running cost [{cur}]", ""),
                money(f"{k}_upfront_saved", f"{name}: cloud upfront no longer paid [{cur}]", ""),
                money(f"{k}_cost", f"{name}: cost [{cur}]", f"{{{k}_capex}}+{{{k}_running}}"),
                money(
                    f"{k}_lumps",
                    f"{name}: capex − cloud upfront no longer paid [{cur}]",
                    f"{{{k}_capex}}-{{{k}_upfront_saved}}",
                ),
                money(
                    f"{k}_gap",
                    f"{name}: cloud − running − cloud upfront no longer paid [{cur}]",
                    f"{{cloud}}-{{{k}_running}}-{{{k}_upfront_saved}}",
                ),
                money(
                    f"{k}_savings",
                    f"{name}: cumulative savings [{cur}]",
                    f"{{prev:{k}_savings}}+{{cloud}}-{{{k}_cost}}",
                    f"{{cloud}}-{{{k}_cost}}",
                ),
                count(
                    f"{k}_started",
                    f"{name}: flows started [0/1]",
                    f"IF(OR({{prev:{k}_started}}=1,{{{k}_gap}}-{{{k}_lumps}}<>0),1,0)",
                    f"IF({{{k}_gap}}-{{{k}_lumps}}<>0,1,0)",
                ),
                Column(
                    f"{k}_crossing",
                    f"{name}: break-even in this month [months]",
                    f"IF(AND({{{k}_started}}=1,{{{k}_savings}}>=0),{{m}}+IF({{{k}_savings}}-{{{k}_gap}}>=0,0,"
                    f'MIN(1,-({{{k}_savings}}-{{{k}_gap}})/{{{k}_gap}})),"")',
                ),
            ]
        return tuple(columns)

    def monthly_values(self) -> dict[str, np.ndarray]:
        """Every Monthly column's value per month, as the engine computed it: the programme's series, its monthly
        table, and each plan's flows (`Programme.plans`) and their break-even path. Only the month counters
        (month, m, quarter) are counted here."""
        p, M = self.p, self.p.months
        m = np.arange(M, dtype=float)
        table = fleet_tables.monthly_table(p)
        gaps, lumps = p.plans.running_gap_monthly, p.plans.net_capex_monthly
        v = {"month": m + 1, "m": m, "quarter": m // 3 + 1, "cloud": p.cloud_monthly}
        for i in EDGE_PLANS:
            k = fleet_inventory.PLANS[i]
            path = savings_path(gaps[i], lumps[i], from_first_flow=True)
            v |= {
                f"{k}_capex": p.plan_capex[i],
                f"{k}_running": p.plan_opex[i],
                f"{k}_upfront_saved": p.plan_cloud_upfront[i],
                f"{k}_cost": table[f"{k}_cost"].to_numpy(),
                f"{k}_lumps": lumps[i],
                f"{k}_gap": gaps[i],
                f"{k}_savings": table[f"{k}_cumulative_savings"].to_numpy(),
                f"{k}_started": path.started[0],
                f"{k}_crossing": path.crossing[0],
            }
        return v

    def monthly(self) -> None:
        self.monthly_sheet(
            self.plan_columns(),
            self.monthly_values(),
            lambda c: (
                c.key == "cloud" or c.key.endswith(("_capex", "_running", "_upfront_saved", "_cost", "_lumps", "_gap"))
            ),
            first_width=16,
        )

    def cash_flows(self) -> None:
        """Per edge plan c_t = gap(t−1) − lumps(t), t = 0…M (as finance.irr_percent), and its IRR block."""
        from xlsxwriter.utility import xl_col_to_name

        ws, M, p = self.sheets["Cash flows"], self.p.months, self.p
        ws.write_string(0, 0, "t [months]", self.formats["bold"])
        for t in range(M + 1):
            ws.write_number(t + 1, 0, t)
        self.irr_cells = {}
        flows = cash_flows(p.plans.running_gap_monthly, p.plans.net_capex_monthly)
        for n, i in enumerate(EDGE_PLANS):
            k, col = fleet_inventory.PLANS[i], 1 + 3 * n
            letter = xl_col_to_name(col)
            ws.write_string(0, col, f"{fleet_inventory.PLAN_TEXT[k]}: cash flow [{self.cur}]", self.formats["bold"])
            self.flow_cells(ws, col, f"{k}_gap", f"{k}_lumps", flows[i])
            cell = self.irr_block(ws, col + 1, f"${letter}$2:${letter}${M + 2}", f"$A$2:$A${M + 2}", p.irr[i])
            self.irr_cells[k] = f"'Cash flows'!{cell}"
            ws.set_column(col, col, 22)
            ws.set_column(col + 1, col + 1, IRR_LABEL_WIDTH)
            ws.set_column(col + 2, col + 2, 16)
        ws.freeze_panes(1, 1)

    def summary(self) -> None:
        """Key (the `--format json` plan keys) | one column per plan | label; the discount rate as an input."""
        from xlsxwriter.utility import xl_col_to_name

        ws, p, cur = self.sheets["Summary"], self.p, self.cur
        plans = fleet_tables.plan_summary(p)
        ws.write_row(
            0,
            0,
            ["key", *(fleet_inventory.PLAN_TEXT[k] for k in fleet_inventory.PLANS), "label and unit"],
            self.formats["bold"],
        )
        rows = [
            ("capex_total", f"Capex paid within the programme [{cur}]"),
            ("tco", f"Total cost of ownership over the programme [{cur}]"),
            ("savings_total", f"Savings against all cloud [{cur}]"),
            (
                "npv",
                f"NPV of the savings against all cloud [{cur}]: running flows at the "
                f"{DISCOUNT_WHEN[p.fleet.base.discount_timing]} of their month, "
                "capex at its start (Excel's NPV() discounts its first value one period)",
            ),
            ("irr_percent", "IRR of the plan against all cloud [%/year]; blank: undefined"),
            (
                "break_even_month",
                "Break-even [programme months]: counted from the plan's first flow; blank: not within the programme",
            ),
            ("sites_on_edge", "Sites on the edge [sites]"),
        ]
        mid_month = "*(1+monthly_discount_rate)^0.5" if p.fleet.base.discount_timing == "mid_month" else ""
        at = {key: i + 2 for i, (key, _) in enumerate(rows)}
        rate_row = len(rows) + 3
        self.name("discount_percent_per_year", "Summary", f"$B${rate_row}")
        self.name("monthly_discount_rate", "Summary", f"$B${rate_row + 1}")
        for j, plan in enumerate(fleet_inventory.PLANS, start=1):
            column = xl_col_to_name(j)
            edge = j - 1 in EDGE_PLANS
            formulas = {
                "capex_total": f"=SUM({self.rng(f'{plan}_capex')})" if edge else "=0",
                "tco": f"=SUM({self.rng(f'{plan}_cost')})" if edge else f"=SUM({self.rng('cloud')})",
                "savings_total": f"=SUM({self.rng('cloud')})-{column}{at['tco']}",
                "npv": (
                    f"=NPV(monthly_discount_rate,{self.rng(f'{plan}_gap')}){mid_month}-(1+monthly_discount_rate)"
                    f"*NPV(monthly_discount_rate,{self.rng(f'{plan}_lumps')})"
                )
                if edge
                else "=0",
                "irr_percent": _shown_irr(self.irr_cells[plan]) if edge else '=""',
                "break_even_month": (
                    f'=IF(COUNT({self.rng(f"{plan}_crossing")})=0,"",MIN({self.rng(f"{plan}_crossing")}))'
                )
                if edge
                else '=""',
            }
            for key, _ in rows:
                value = plans[plan][key]
                if key == "sites_on_edge":
                    ws.write_number(at[key] - 1, j, value, self.formats["count"])
                else:
                    kind = "money" if key in ("capex_total", "tco", "savings_total", "npv") else "number"
                    ws.write_formula(at[key] - 1, j, formulas[key], self.formats[kind], _cached(value))
        for key, label in rows:
            ws.write_string(at[key] - 1, 0, key)
            ws.write_string(at[key] - 1, 4, label)
        rate = p.fleet.base.discount_percent_per_year
        ws.write_string(rate_row - 1, 0, "discount_percent_per_year")
        ws.write_number(rate_row - 1, 1, rate, self.formats["input"])
        ws.write_string(rate_row - 1, 4, "Discount rate [%/year] (the base scenario's): change it, the NPVs follow")
        ws.write_string(rate_row, 0, "monthly_discount_rate")
        ws.write_formula(
            rate_row, 1, "=(1+discount_percent_per_year/100)^(1/12)-1", self.formats["factor"], monthly_rate(rate)
        )
        ws.write_string(rate_row, 4, "(1 + rate)^(1/12) − 1")
        quarter_row = rate_row + 3
        ws.write_row(
            quarter_row - 1,
            0,
            ["Capex by quarter", *(fleet_inventory.PLAN_TEXT[k] for k in fleet_inventory.PLANS)],
            self.formats["bold"],
        )
        for q in range(-(-p.months // 3)):
            r = quarter_row + q
            ws.write_number(r, 0, q + 1, self.formats["count"])
            for j, plan in enumerate(fleet_inventory.PLANS, start=1):
                value = plans[plan]["capex_by_quarter"][q]
                if j - 1 in EDGE_PLANS:
                    ws.write_formula(
                        r,
                        j,
                        f"=SUMIF({self.rng('quarter')},$A{r + 1},{self.rng(f'{plan}_capex')})",
                        self.formats["money"],
                        value,
                    )
                else:
                    ws.write_number(r, j, value, self.formats["money"])
        ws.set_column(0, 0, 26)
        ws.set_column(1, 3, 20)
        ws.set_column(4, 4, 80, self.formats["wrap"])
        ws.freeze_panes(1, 1)

    def frame_sheet(self, name: str, frame, table_name: str) -> None:
        """A table of values: numbers as numbers, text as text (the inventory as entered is text)."""
        ws = self.sheets[name]
        for j, column in enumerate(frame.columns):
            for i, value in enumerate(frame[column].tolist()):
                if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
                    if math.isfinite(value):
                        ws.write_number(i + 1, j, float(value))
                else:
                    ws.write_string(i + 1, j, str(value))
        ws.add_table(
            0,
            0,
            max(len(frame), 1),
            len(frame.columns) - 1,
            {
                "name": table_name,
                "style": "Table Style Light 9",
                "autofilter": False,
                "columns": [{"header": str(c)} for c in frame.columns],
            },
        )
        ws.set_column(0, len(frame.columns) - 1, 16)
        ws.freeze_panes(1, 1)


def fleet_notes() -> list[tuple[str, str]]:
    return [
        ("The fleet workbook", ""),
        (
            "Monthly",
            "the all-cloud cost and each edge plan's capex, running cost and cloud upfront no longer paid "
            "per programme month are the engine's (every site × its count, shifted by its go-live month); "
            "everything else is a formula.",
        ),
        (
            "Cloud upfront",
            "the upfront part of a cloud commitment that a plan's edge sites no longer pay falls at the "
            "start of its month: lumps = capex − that upfront, gap = cloud − running − that upfront.",
        ),
        (
            "Plans",
            "All cloud: every site in the cloud. All edge: every site on the edge. Recommended mix: each site "
            "placed by the advisor's rules (or its pin).",
        ),
        ("Savings", "all-cloud cost − plan cost, per month and cumulative."),
        (
            "Break-even",
            "first month whose cumulative savings are ≥ 0 once the plan's flows have started, with the "
            "fraction of that month: m + (−S_start)/gap.",
        ),
        ("NPV", "Σ gap(m)(1+r)^−((m+1)/12) − Σ lumps(m)(1+r)^−(m/12), r the discount rate on Summary."),
        ("IRR", "monthly IRR of the cash flows (Cash flows sheet), annualised: (1 + irr)^12 − 1."),
        (
            "Sites",
            "per inventory row: placement, device, devices, capex and monthly saving for all its sites, payback month.",
        ),
        ("A site's costs", "export a row as a scenario (python -m planner report … --format xlsx) for its live model."),
    ]


def fleet_workbook_bytes(p) -> bytes:
    """The fleet programme's workbook (.xlsx) as bytes: `p` is a `fleet.Programme`."""
    return _FleetWriter(p).write()
