"""The printable report of one scenario: static HTML blocks and page-sized figures (pure: no Streamlit).

The Report page draws these in order; the browser prints them to A4 or Letter (`PRINT_CSS`). Tables are
plain HTML with every row (a scrolled data grid prints only its visible rows); figures have a fixed pixel
width that fits the printable width of both papers, so what prints is what the screen shows.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import plotly.graph_objects as go

from planner.advice import advisor
from planner.catalogs.currency import CATALOG_CURRENCY
from planner.exports import charts
from planner.exports.report import (
    Analysis,
    assumptions_table,
    design_summary,
    monthly_table,
    sources,
    summary,
    with_totals,
    yearly_table,
)
from planner.exports.sensitivity import (
    payback_cards,
    result_in_sentence,
    savings_sentence,
    simulation_text,
    tornado_display,
    tornado_order,
)
from planner.exports.tables import summary_display
from planner.model.designs import UPLINK_UTILISATION, Designs
from planner.model.finance import DISCOUNT_WHEN
from planner.schema.format import break_even_short, break_even_text, input_text, irr_text, money, ms_text
from planner.schema.scenario import applies, to_dict

# A4 is 210 mm wide and Letter 215.9 mm: less 2 × MARGIN_MM, at 96 px per inch, 703 and 725 px are printable.
MARGIN_MM = 12
FIGURE_WIDTH_PX = 680
CUMULATIVE_HEIGHT_PX = 360
COMPONENTS_HEIGHT_PX = 210

PRINT_CSS = f"""<style>
.report {{ font-size: 0.9rem; color: #111827; }}
[data-testid="stMain"], [data-testid="stMain"] [data-testid="stMarkdownContainer"] {{ background: #ffffff;
    color: #111827; }}  /* a document: paper, in the dark theme too */
.report h2 {{ font-size: 1.25rem; margin: 0.6rem 0 0.3rem; padding: 0; }}
.report h3 {{ font-size: 1.05rem; margin: 0.6rem 0 0.2rem; padding: 0; }}
.report p {{ margin: 0.2rem 0; }}
.report .meta {{ color: #4b5563; font-size: 0.8rem; }}
.report-figures {{ display: grid; grid-template-columns: repeat(4, 1fr); gap: 0.4rem; margin: 0.4rem 0; }}
.report-figures > div {{ border: 1px solid #d1d5db; border-radius: 0.4rem; padding: 0.3rem 0.5rem; }}
.report-figures .label {{ font-size: 0.75rem; color: #4b5563; }}
.report-figures .value {{ font-size: 1.15rem; font-weight: 600; white-space: nowrap; }}
.report-figures .why {{ font-size: 0.65rem; color: #4b5563; line-height: 1.25; }}
.report table {{ border-collapse: collapse; width: 100%; font-size: 0.75rem; margin: 0.2rem 0 0.4rem; }}
.report th, .report td {{ border-bottom: 1px solid #e5e7eb; padding: 0.1rem 0.35rem; text-align: left;
                         vertical-align: top; }}
.report th {{ border-bottom: 1px solid #9ca3af; font-weight: 600; }}
.report td.num, .report th.num {{ text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }}
.report tr.total td {{ font-weight: 600; border-top: 1px solid #9ca3af; }}
.report .pair {{ display: grid; grid-template-columns: 1fr 1fr; gap: 0 1rem; align-items: start; }}
.report .keep {{ break-inside: avoid; overflow-x: auto; }}
@media screen and (max-width: 640px) {{ .report .pair, .report-figures {{ grid-template-columns: 1fr 1fr; }}
                                       .report .pair {{ grid-template-columns: 1fr; }} }}
.report .advice, .report .advice p, .report .advice li {{ font-size: 0.8rem; }}
.report .advice ul {{ margin: 0.1rem 0 0.3rem; padding-left: 1.2rem; }}
.report ol.sources {{ font-size: 0.62rem; line-height: 1.3; color: #374151; padding-left: 1.4rem; margin: 0.2rem 0; }}
.report.screen-only {{ background: #eff6ff; border: 1px solid #bfdbfe; border-radius: 0.4rem; padding: 0.4rem 0.7rem; }}
[data-testid="stMainBlockContainer"] {{ max-width: {FIGURE_WIDTH_PX + 80}px; }}
[class*="st-key-report-chart"] {{ overflow-x: auto; }}
@page {{ size: auto; margin: 10mm {MARGIN_MM}mm 12mm; }}
@page {{ @bottom-right {{ content: "Edge Inference Planner · page " counter(page) " of " counter(pages);
                         font: 8pt sans-serif; color: #6b7280; }} }}
@media print {{
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"], [data-testid="stStatusWidget"],
  [data-testid="stBottom"], [data-testid="stElementToolbar"], .report.screen-only {{ display: none !important; }}
  html, body, #root, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"],
  [data-testid="stMainBlockContainer"] {{ position: static !important; overflow: visible !important;
      height: auto !important; min-height: 0 !important; }}
  [data-testid="stMainBlockContainer"] {{ max-width: none !important; padding: 0 !important; }}
  [class*="st-key-report-chart"], .report-figures > div, .report tr {{ break-inside: avoid; }}
  [class*="st-key-report-chart"], .report .keep {{ overflow: visible; }}
  .report h2, .report h3 {{ break-after: avoid; }}
  .report .page-break {{ break-before: page; }}
  body {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
}}
</style>"""


def escape(text) -> str:
    return html.escape(str(text), quote=True)


def block(inner: str, extra_class: str = "") -> str:
    return f'<div class="report {extra_class}">{inner}</div>'


# ── Key figures ────────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    why: str


def _irr_value(irr: float | None, note: str | None) -> str:
    """An IRR as its card shows it: '18.2 %', 'Over 1,000 %' or 'Undefined'."""
    if irr is not None:
        return irr_text(irr).removesuffix("/year")
    return "Over 1,000 %" if note and note.startswith("over") else "Undefined"


def key_figures(a: Analysis, view: str = "cash") -> list[Figure]:
    """The Scenario page's five cards and the Costs page's NPV, IRR and discounted payback, as they show them."""
    s, cur, h = summary(a, view), a.scenario.currency, a.scenario.horizon_months
    irr = s["irr_percent"]
    return [
        Figure(
            "Cloud cost per month",
            money(s["cloud_monthly_cost"], cur),
            "First month: uplink, ingest, inference, egress and storage.",
        ),
        Figure(
            "Edge capex",
            money(s["edge_capex"], cur),
            f"Paid at go-live: {s['edge_devices']:,} devices × (price + installation).",
        ),
        Figure(
            "Edge cost per month",
            money(s["edge_monthly_cost"], cur),
            "First month, capex excluded: failures, management, electricity, feedback"
            + (", depreciation." if view == "accounting" else "."),
        ),
        Figure(
            "Break-even",
            break_even_short(s["break_even_month"], h),
            "Cumulative cash savings repay the capex (cash flows, whatever the view).",
        ),
        Figure(f"{h}-month savings", money(s["savings_total"], cur), "Cloud TCO minus edge TCO over the horizon."),
        Figure(
            "NPV of savings",
            money(s["npv_savings"], cur),
            f"Discounted at {a.scenario.discount_percent_per_year:g} %/year, running flows at the "
            f"{DISCOUNT_WHEN[s['discount_timing']]} of their month.",
        ),
        Figure(
            "IRR",
            _irr_value(irr, s["irr_note"]),
            s["irr_note"]
            or ("Of the move to the edge, per year." if irr is not None else "The cash flows never change sign."),
        ),
        Figure(
            "Discounted payback",
            break_even_short(s["discounted_payback_months"], h),
            "When discounted savings have repaid the capex.",
        ),
        *(
            (
                Figure(
                    "NPV after tax",
                    money(s["npv_savings_after_tax"], cur),
                    f"At a {a.scenario.tax_rate_percent:g} % tax rate: running costs deductible as paid, edge capex "
                    "through its depreciation.",
                ),
                Figure(
                    "IRR after tax",
                    _irr_value(s["irr_percent_after_tax"], s["irr_note_after_tax"]),
                    s["irr_note_after_tax"] or "Of the cash flows after tax, per year.",
                ),
            )
            if "npv_savings_after_tax" in s
            else ()
        ),
    ]


def figures_html(figures: list[Figure]) -> str:
    cells = "".join(
        f'<div><div class="label">{escape(f.label)}</div><div class="value">{escape(f.value)}</div>'
        f'<div class="why">{escape(f.why)}</div></div>'
        for f in figures
    )
    return f'<div class="report-figures" data-testid="reportFigures">{cells}</div>'


# ── Tables ─────────────────────────────────────────────────────────────────────────────────────────
def table_html(
    header: list[str],
    rows: list[list[str]],
    numeric: set[int] = frozenset(),
    total_last: bool = False,
    test_id: str = "",
) -> str:
    """A static table (every row prints); columns in `numeric` right-aligned; the last row bold if a total."""

    def cls(j):
        return ' class="num"' if j in numeric else ""

    head = "".join(f"<th{cls(j)}>{escape(h)}</th>" for j, h in enumerate(header))
    body = "".join(
        f"<tr{' class=total' if total_last and i == len(rows) - 1 else ''}>"
        + "".join(f"<td{cls(j)}>{escape(v)}</td>" for j, v in enumerate(row))
        + "</tr>"
        for i, row in enumerate(rows)
    )
    test = f' data-testid="{test_id}"' if test_id else ""
    return f"<table{test}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def paired_html(header: list[str], rows: list[list[str]], numeric: set[int] = frozenset(), test_id: str = "") -> str:
    """A long two-or-three-column list as two tables side by side (the first half, then the second): half
    the height on paper. A phone stacks them."""
    half = -(-len(rows) // 2)
    test = f' data-testid="{test_id}"' if test_id else ""
    return (
        f'<div class="pair"{test}>'
        + table_html(header, rows[:half], numeric)
        + table_html(header, rows[half:], numeric)
        + "</div>"
    )


def yearly_rows(a: Analysis, view: str = "cash") -> tuple[list[str], list[list[str]]]:
    """The yearly budget with its totals row, as the report prints it: money as the app writes it."""
    table, cur = with_totals(yearly_table(a, view)), a.scenario.currency
    header = [c.replace(f" [{cur}]", "") for c in table.columns]
    rows = [
        [str(v) if j < 2 else money(v, cur) for j, v in enumerate(row)]
        for row in table.itertuples(index=False, name=None)
    ]
    return header, rows


def yearly_html(a: Analysis, view: str = "cash") -> str:
    header, rows = yearly_rows(a, view)
    return (
        '<div class="keep">'
        + table_html(header, rows, numeric=set(range(2, len(header))), total_last=True, test_id="reportYearly")
        + "</div>"
    )


def capacity_html(a: Analysis) -> str:
    """The capacity warning (`advisor.capacity_warning`) as a paragraph, '' when the devices carry the load."""
    text = advisor.capacity_warning(a.capacity())
    return f"<p class='warning'>⚠ {escape(text)}</p>" if text else ""


def summary_html(a: Analysis, view: str = "cash") -> str:
    table = summary_display(a, view)
    table = table[~table["Metric"].str.startswith("Discounting:")]  # stated with the NPV key figure instead
    return (
        '<div class="keep">'
        + paired_html(list(table.columns), table.values.tolist(), numeric={1}, test_id="reportSummary")
        + "</div>"
    )


def approval_html(approval: str) -> str:
    """A saved plan's approval ("Approved by … on …", or why it is not approved), under the report's title."""
    return f"<p class='meta' data-testid='reportApproval'><strong>{escape(approval)}</strong></p>"


def assumptions_html(a: Analysis) -> str:
    """Every input that applies to the scenario (label, value with its unit) with a numbered reference to its catalog
    source, then the sources. Inputs of another option (the GPU instance rates under per-image pricing, …) are left
    out, as the Scenario page greys them out; the CSV and the workbook list them all."""
    found = sources(a.scenario)
    number = {field: i for i, p in enumerate(found, start=1) for field in p.fields}
    values = to_dict(a.scenario)
    table = assumptions_table(a.scenario)
    converted = a.scenario.currency != CATALOG_CURRENCY  # shown to price-list precision
    rows = [
        [
            label,
            f"{input_text(field, values[field], converted)} {unit}".rstrip(),
            f"[{number[field]}]" if field in number else "",
        ]
        for field, label, unit in table[["field", "label", "unit"]].itertuples(index=False)
        if field != "name" and applies(a.scenario, field)
    ]
    notes = "".join(f"<li>{escape(p.text())}</li>" for p in found)
    listed = (
        f'<ol class="sources">{notes}</ol>'
        if found
        else "<p class='meta'>No figure comes from the catalog: every input was set by hand.</p>"
    )
    return (
        paired_html(["Input", "Value", "Source"], rows, test_id="reportAssumptions")
        + "<p class='meta'>Sources of the catalog figures (as of the date given):</p>"
        + listed
    )


# ── Cheapest cloud design ─────────────────────────────────────────────────────────────────────────
def _fit_text(r: dict, cur: str) -> str:
    """' (does not fit the uplink: …)', ' (with a link upgrade: … installation, … a month)' or ''."""
    if not r["feasible"]:
        return f" (does not fit the uplink: {r['upload_mbps']:,.1f} Mbps sustained)"
    if r["link_upgrade_install"] or r["link_upgrade_per_month"]:
        return (
            f" (with a link upgrade: {money(r['link_upgrade_install'], cur)} installation, "
            f"{money(r['link_upgrade_per_month'], cur)} a month)"
        )
    return ""


def cheapest_cloud_html(options: Designs) -> str:
    """The scenario's own cloud design and the cheapest one the link carries: what each is, its cloud TCO, and the
    edge's break-even and NPV against it; then what the cheapest changes and where its prices come from."""
    s, cur = options.scenario, options.scenario.currency
    rows = {"Your cloud design": design_summary(options, options.current)}
    if options.cheapest is not None and options.cheapest != options.current:
        rows["Cheapest feasible"] = design_summary(options, options.cheapest)
    table = table_html(
        ["Design", "What it is", "Cloud TCO", "Edge break-even", "NPV of savings"],
        [
            [
                name,
                r["text"] + _fit_text(r, cur),
                money(r["total_cost"], cur),
                break_even_text(r["break_even_month"], s.horizon_months),
                money(r["npv_savings"], cur),
            ]
            for name, r in rows.items()
        ],
        numeric={2, 4},
        test_id="reportCheapestCloud",
    )
    rule = (
        f"<p class='meta'>{options.n} cloud designs costed (pricing, commitment, upfront, billing, upload, "
        f"catalog region); feasible when a {options.link_mbps:,g} Mbps uplink carries the upload at ≤ "
        f"{UPLINK_UTILISATION:.0%}; cheapest by cloud TCO over {s.horizon_months} months, cash view.</p>"
    )
    if options.cheapest is None:
        return table + "<p>No cloud design fits the uplink.</p>" + rule
    if options.cheapest == options.current:
        return table + "<p>Your cloud design is already the cheapest the uplink carries.</p>" + rule
    best = rows["Cheapest feasible"]
    return (
        table
        + "<ul>"
        + "".join(f"<li>{escape(line)}</li>" for line in best["changes"])
        + "</ul>"
        + f"<p class='meta'>Prices from: {escape('; '.join(best['sources']))}</p>"
        + rule
    )


# ── Advisor ────────────────────────────────────────────────────────────────────────────────────────
def advice_html(advice: advisor.Advice, applied: bool, currency: str) -> str:
    """The advisor's recommendation: placement, verdict, deciding factors, latency, sizing and stack."""
    ms, placement = ms_text, advisor.PLACEMENT_TEXT[advice.placement]
    verdict = advice.headline.removeprefix(f"{placement}: ")
    parts = [
        f"<p><b>{escape(placement)}</b> ({escape(advice.confidence)} confidence): {escape(verdict)}.</p>",
        "<p>Deciding factors:</p><ul>" + "".join(f"<li>{escape(r)}</li>" for r in advice.deciding) + "</ul>",
    ]
    parts += [f"<p>⚠ {escape(w)}</p>" for w in advice.warnings]
    edge = f"edge path {ms(advice.edge_ms)}" if advice.edge_latency_ms else "no edge device fits"
    parts.append(
        f"<p>Response required ≤ {escape(ms(advice.response_ms))}; cloud path {escape(ms(advice.cloud_ms))}, "
        f"{escape(edge)}. Uplink needed by the cloud path {advice.uplink_needed_mbps:,.1f} Mbps per site, "
        f"{advice.uplink_available_mbps:,g} Mbps available.</p>"
    )
    if advice.sizing:
        s = advice.sizing
        parts.append(
            f"<p>Sizing: {s.devices:,} × {escape(s.device_name)}, {s.power_watts:,.0f} W, edge TCO "
            f"{escape(money(s.edge_total_cost, currency))}. {escape(advisor.sizing_text(s))}.</p>"
        )
    else:
        parts.append(
            "<p>No catalog device fits the site as described:</p><ul>"
            + "".join(f"<li>{escape(p)}</li>" for p in advice.problems)
            + "</ul>"
        )
    parts.append(
        table_html(
            ["Layer", "Choice", "Why"],
            [[c.layer.capitalize(), c.name, c.reason] for c in advice.stack],
            test_id="reportStack",
        )
    )
    parts.append(
        "<p class='meta'>"
        + (
            "The costs in this report are of this deployment (applied to the scenario)."
            if applied
            else "Not applied: the costs in this report are of the scenario as set, not of this deployment."
        )
        + "</p>"
    )
    return '<div class="advice">' + "".join(parts) + "</div>"


# ── Risk: the tornado and the Monte Carlo as run on Sensitivity & risk ───────────────────────────────
TOP_DRIVERS = 5  # the tornado's rows the report prints


def drivers_html(table, metric: str, percent: float, custom: bool, view: str, scenario) -> str:
    """The tornado's top drivers: the TOP_DRIVERS inputs that move `metric` most (`tornado_order`), each at its
    low and high value, as the Sensitivity page's table shows them."""
    h, cur = scenario.horizon_months, scenario.currency
    shown, _ = tornado_order(table, metric, h)
    ranges = f"±{percent:g} % of its value, an absolute range at 0" + (", or the range typed there" if custom else "")
    intro = (
        f"<p>The inputs that move the {escape(result_in_sentence(metric))} most, each set to its low and then its "
        f"high value ({escape(ranges)}) with every other input as it is; {escape(view)} view.</p>"
    )
    if shown.empty:
        return intro + "<p>No input moves it over these ranges.</p>"
    display = tornado_display(shown.head(TOP_DRIVERS), h, cur, metric)
    more = len(shown) - TOP_DRIVERS
    rest = f"<p class='meta'>{more:,} more input{'s' if more > 1 else ''} move it less.</p>" if more > 0 else ""
    rows = display.astype(str).values.tolist()
    table = table_html(list(display.columns), rows, set(range(2, 5)), test_id="reportDrivers")
    return intro + f'<div class="keep">{table}</div>' + rest  # whole on paper, scrolled sideways on a phone


def monte_carlo_html(result, distributions: dict, view: str, currency: str) -> str:
    """The Monte Carlo's probability of paying back (within 12, 24, 36 months and never), its median break-even
    and P10 / P50 / P90 savings, and what was simulated."""
    cards = payback_cards(result)
    carbon = f"<p>{escape(result.carbon_headline())}.</p>" if result.kgco2e_avoided is not None else ""
    return (
        f"<p><b>{escape(result.headline())}.</b></p>"
        + '<div class="keep">'
        + table_html([label for label, _, _ in cards], [[value for _, value, _ in cards]], test_id="reportPayback")
        + "</div>"
        + f"<p>{escape(savings_sentence(result, currency))}</p>"
        + carbon
        + f"<p class='meta'>{escape(simulation_text(result, distributions, view, currency))}</p>"
    )


def not_current_html(what: str) -> str:
    """What the report says of a tornado or simulation run on an earlier version of the scenario."""
    return (
        f"<p class='meta'>The {escape(what)} was run on an earlier version of this scenario: run it again on "
        "Sensitivity &amp; risk to print it here.</p>"
    )


# ── Figures sized for the page ─────────────────────────────────────────────────────────────────────
CHART_TITLES = {
    "cumulative": "Cumulative cost: cloud vs edge",
    "cloud": "Cloud: cost per month by component",
    "edge": "Edge: cost per month by component",
}  # printed as headings above the figures


def _for_print(figure: go.Figure, height: int, legend: dict) -> go.Figure:
    """A figure at FIGURE_WIDTH_PX × `height`, its title left to the heading above it and its legend outside
    the plot (Plotly widens the margin to fit it), where it cannot touch the axes or the title."""
    figure.update_layout(
        width=FIGURE_WIDTH_PX,
        height=height,
        legend={"yref": "paper", **legend},
        hovermode=False,
        title=None,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        font={"size": 11},
        template="plotly_white",  # ink on paper whatever the app's theme (drawn with Streamlit's theme off)
    )
    return figure


def cumulative_figure(a: Analysis, view: str = "cash") -> go.Figure:
    """Cumulative cost with break-even; the legend in a row above the plot."""
    figure = charts.cumulative_figure(charts.curves(a, view), height=CUMULATIVE_HEIGHT_PX)
    return _for_print(
        figure, CUMULATIVE_HEIGHT_PX, {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0}
    )


def components_figure(a: Analysis, side: str, view: str = "cash") -> go.Figure:
    """Monthly cost by component of one side; the legend in a column right of the plot."""
    figure = charts.components_figure(monthly_table(a, view), side, view, a.scenario.currency, COMPONENTS_HEIGHT_PX)
    return _for_print(
        figure,
        COMPONENTS_HEIGHT_PX,
        {"orientation": "v", "yanchor": "top", "y": 1, "xanchor": "left", "x": 1.02, "font": {"size": 10}},
    )
