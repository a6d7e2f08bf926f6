"""Display text shared by the CLI, the exports, the charts, the advisor and the pages: money, months,
break-even, IRR, numbers, input values, file names and markdown-safe text (pure: no Streamlit).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from planner.schema.scenario import FIELDS, MONEY_FIELDS, TIER_SCHEDULES, ChoiceField

SYMBOLS = {"USD": "$"}  # currencies written with a leading symbol; others get a trailing code


def money(value: float | None, currency: str = "USD", decimals: int = 0, signed: bool = False) -> str:
    """'$17,724' for USD, '17,724 EUR' for any other currency label; '—' for a missing value.

    `signed` adds '+' to positive values (for deltas). Negative values start with '-', which is also
    how `st.metric` tells a falling delta.

    >>> money(17723.92), money(-1234.5, "EUR"), money(12, signed=True)
    ('$17,724', '-1,234 EUR', '+$12')
    """
    if value is None or not math.isfinite(value):
        return "—"
    rounded = round(value, decimals)
    sign = "-" if rounded < 0 else ("+" if signed and rounded > 0 else "")
    digits = f"{abs(rounded):,.{decimals}f}"
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{digits} {currency}".rstrip()


DAYS_PER_MONTH = 365.25 / 12  # as planner.model.costs.DAYS_PER_CALENDAR_MONTH


def counted(number: int, noun: str) -> str:
    """'1 day', '3 days'."""
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def months(value: float | None, decimals: int = 1) -> str:
    """'2.4 months' / '1 month'; under a month in days ('18 days', '1 day', 'within a day'), never
    '0 months' for a time that is not zero; '—' when missing.

    >>> months(2.44), months(1.0), months(0.6), months(0.04), months(0.01), months(0)
    ('2.4 months', '1 month', '18 days', '1 day', 'within a day', '0 months')
    """
    if value is None or not math.isfinite(value):
        return "—"
    if 0 < value < 1:
        days = round(value * DAYS_PER_MONTH)
        return counted(days, "day") if days else "within a day"
    text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:,.0f}"
    return f"{text} month" + ("" if text == "1" else "s")


def ms_text(value: float) -> str:
    """'209 ms', '17.6 ms', '10 ms': whole milliseconds from 100 ms up, one decimal below, dropped when it is '.0'."""
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}".removesuffix(".0")
    return f"{text} ms"


def percent(value: float | None) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:,.0f} %"


# ── Break-even and IRR ─────────────────────────────────────────────────────────────────────────────
def break_even_text(month: float | None, horizon: int) -> str:
    """'pays back in month 3 (2.4 months)' / 'pays back from day one' / 'does not pay back within N months'."""
    if month is None or not math.isfinite(month):
        return f"does not pay back within {horizon} months"
    if month == 0:
        return "cheaper from day one"
    when = months(month)  # '2.4 months', '18 days' or 'within a day'
    if when.endswith(("day", "days")) and not when.startswith("within"):
        when = f"after {when}"
    return f"pays back in month {math.ceil(month)} ({when})"


def break_even_label(month: float | None, horizon: int) -> str:
    """A break-even as a card or cell says it, in the words of `break_even_text`: 'Month 1 (after 18 days)',
    'Cheaper from day one', 'Does not pay back within 36 months'."""
    text = break_even_text(month, horizon).removeprefix("pays back in ")
    return text[0].upper() + text[1:]


def carbon_break_even_text(month: float | None, horizon: int) -> str:
    """'pays back its embodied emissions in month 3 (2.4 months)' / '… never within N months'."""
    if month is None or not math.isfinite(month):
        return f"never pays back its embodied emissions within {horizon} months"
    if month == 0:
        return "emits less from day one"
    return break_even_text(month, horizon).replace("pays back", "pays back its embodied emissions")


def break_even_short(month: float | None, horizon: int) -> str:
    """Metric-card text, short enough for a card on a phone: 'Month 3', 'Day one' or 'Not by month 36'."""
    if month is None or not math.isfinite(month):
        return f"Not by month {horizon}"
    return "Day one" if month == 0 else f"Month {math.ceil(month)}"  # as break_even_text


def never_text(horizon: int) -> str:
    return f"never within {horizon} months"


def break_even_value_text(month: float | None, horizon: int) -> str:
    """A break-even as a table cell or a hover value: '2.4 months', 'from day one', or 'never within 36 months'
    for NaN/None."""
    if month is None or not math.isfinite(month):
        return never_text(horizon)
    return "from day one" if month == 0 else months(month)


# What-if results (the tornado's outputs, the map's colours): short names for pickers and sentences.
RESULTS = {
    "savings": "Savings",
    "npv": "NPV of savings",
    "npv_after_tax": "NPV of savings after tax",  # offered where a tax rate is set
    "break_even": "Break-even",
}


def input_value_text(name: str, value) -> str:
    """An input's value as a what-if shows it: a choice's option text ('Book value'), or the number ('1,200')."""
    spec = next((f for f in FIELDS if f.name == name), None)
    return spec.options[value] if isinstance(spec, ChoiceField) else number_text(value)


def result_name(result: str, horizon: int) -> str:
    """'Savings over 36 months', 'NPV of savings over 36 months' (discounted), 'Break-even'."""
    return RESULTS[result] if result == "break_even" else f"{RESULTS[result]} over {horizon} months"


def result_unit(result: str, currency: str) -> str:
    """'months' for a break-even (from go-live), the currency for money."""
    return "months" if result == "break_even" else currency


IRR_SHOWN_UP_TO_PERCENT = 1_000.0  # beyond this an annual rate says no more than "pays back within weeks"


def _rate_text(rate_percent: float) -> str:
    return (
        f"over {IRR_SHOWN_UP_TO_PERCENT:,.0f} %/year"
        if rate_percent > IRR_SHOWN_UP_TO_PERCENT
        else f"{rate_percent:.1f} %/year"
    )


def irr_figures(sign_changes: int, rates_percent) -> tuple[float | None, str | None]:
    """(irr_percent, irr_note) as the reports carry them, from the flows' sign changes and every rate found.

    irr_percent is the one rate when there is exactly one and it is at most IRR_SHOWN_UP_TO_PERCENT, else None;
    the note says what a bare None cannot: a rate over the shown bound, or flows that change sign several times
    (with every rate found). None when the rate alone says it all, as when flows that change sign several times
    have a single rate all the same."""
    rates = [float(r) for r in rates_percent if math.isfinite(r)]
    one = rates[0] if len(rates) == 1 and rates[0] <= IRR_SHOWN_UP_TO_PERCENT else None
    if sign_changes > 1 and len(rates) != 1:
        changes = f"the cash flows change sign {sign_changes} times"
        if not rates:
            return None, f"undefined: {changes} and their NPV is never 0 within the searched rates"
        return None, f"several: {' and '.join(_rate_text(r) for r in rates)}; {changes}"
    if rates and rates[0] > IRR_SHOWN_UP_TO_PERCENT:
        return None, _rate_text(rates[0])
    return one, None


def irr_text(irr_percent: float | None, note: str | None = None) -> str:
    """'18.2 %/year' / 'over 1,000 %/year' / 'undefined (the cash flows never change sign)'; `note` (see
    `irr_figures`), when there is one, says it instead."""
    if note:
        return note
    if irr_percent is None or not math.isfinite(irr_percent):
        return "undefined (the cash flows never change sign)"
    if irr_percent > IRR_SHOWN_UP_TO_PERCENT:
        return f"over {IRR_SHOWN_UP_TO_PERCENT:,.0f} %/year"
    return f"{irr_percent:.1f} %/year"


def irr_shown(irr_percent: float | None) -> float | str | None:
    """The IRR as a table cell: the figure up to the bound, 'over 1,000 %' above it (as `irr_text`)."""
    if irr_percent is not None and irr_percent > IRR_SHOWN_UP_TO_PERCENT:
        return f"over {IRR_SHOWN_UP_TO_PERCENT:,.0f} %"
    return irr_percent


# Spreadsheet number format with the same bound: the cell keeps the exact IRR, it reads as the app says it.
IRR_NUMBER_FORMAT = f'[>{IRR_SHOWN_UP_TO_PERCENT:.0f}]"over {IRR_SHOWN_UP_TO_PERCENT:,.0f} %";#,##0.####'


# ── Numbers and inputs ─────────────────────────────────────────────────────────────────────────────
def number_text(value: float) -> str:
    """'1,000,000', '0.4', '0.0000166667' — thousands separators, no needless zeros."""
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.10f}".rstrip("0")


PRICE_SIGNIFICANT_DIGITS = 4  # a converted price under 1 unit: 0.04307745 EUR/GB reads 0.04308


def price_decimals(value: float) -> int:
    """Decimals a price list gives a converted figure: cents from 1 unit up, else 4 significant figures."""
    value = abs(float(value))
    if value >= 1 or value == 0:
        return 2
    return PRICE_SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(value))


def price_text(value: float) -> str:
    """A converted money figure as a price list prints it: '214.53', '2,000', '0.04308'."""
    decimals = price_decimals(value)
    rounded = round(float(value), decimals)
    return number_text(rounded) if decimals > 2 or rounded.is_integer() else f"{rounded:,.2f}"


def tiers_text(tiers: Sequence[dict], converted: bool = False) -> str:
    price = price_text if converted else number_text
    return "; ".join(f"from {number_text(t['start'])}: {price(t['price'])}" for t in tiers)


def input_text(name: str, value, converted: bool = False) -> str:
    """One input value as display text (choices by their option text, tiers as one line). `converted`: the
    money is converted from the catalogs' USD, shown to price-list precision (`price_text`); the costs keep
    the exact conversion."""
    spec = next((f for f in FIELDS if f.name == name), None)
    if isinstance(spec, ChoiceField):
        return spec.options.get(value, str(value))
    if name in TIER_SCHEDULES:
        return tiers_text(value, converted)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return price_text(value) if converted and name in MONEY_FIELDS else number_text(value)
    return str(value)


def value_text(value: float | None, unit: str, currency: str) -> str:
    """A `report.summary_table` value with its unit: money, months, percent or a count."""
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


# ── Labels, file names, markdown ───────────────────────────────────────────────────────────────────
MAX_LABEL_CHARS = 36


def shorten(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def slug(text: str) -> str:
    """A file-name-safe version of a scenario name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "scenario"


MARKDOWN_SPECIALS = "\\`*_[]$~|"


def md(text: str) -> str:
    r"""Escape plain text for Streamlit markdown, so it shows literally: '$' would start LaTeX, '*' emphasis,
    '~' strike through, '<a' a tag or an autolink, '&lt;' an entity.

    The text becomes one line (a line break would let '# ', '- ', '>' or '1. ' start a block) and a block
    marker at its start is escaped. Bare URLs, e-mail addresses and ':name' directives or ':name:'
    shortcodes (colours, icons, emoji) are found by the renderer after backslash escapes are resolved,
    so an invisible word joiner (U+2060, shown as ^ below) is put inside them instead.

    >>> md("Costs *net* $5")
    'Costs \\*net\\* \\$5'
    >>> print(md("<img src=x> [a](b) &amp; & #1 < 2 > 1"))
    \<img src=x> \[a\](b) \&amp; & #1 < 2 > 1
    >>> print(md("# Title\n- item"), md("> quote"), sep=" | ")
    \# Title - item | \> quote
    >>> print(md("1. first"), md("-5 cameras"), sep=" | ")
    1\. first | -5 cameras
    >>> md("http://evil.example www.Evil.example a@evil.example :red :rocket:").replace("\u2060", "^")
    'http:^//evil.example www^.Evil.example a@^evil.example :^red :^rocket:'
    """
    text = re.sub(r"\r\n?|\n", " ", str(text))
    text = "".join("\\" + c if c in MARKDOWN_SPECIALS else c for c in text)
    text = re.sub(r"([<&])(?=[a-z/!?]|#?\w+;)", r"\\\1", text, flags=re.I)  # tags, <autolinks>, &lt;
    text = re.sub(r"(?i)(:(?=//|[\w+-])|www(?=\.)|@(?=[\w-]))", "\\g<1>\u2060", text)  # autolinks, :codes:
    return re.sub(
        r"^(\s*)(?:(>)|([-+#])(?=[\s#+-]|$)|(\d+)([.)])(?=\s|$))",  # a block at the start
        lambda m: m[1] + (f"\\{m[2] or m[3]}" if m[2] or m[3] else f"{m[4]}\\{m[5]}"),
        text,
        count=1,
    )
