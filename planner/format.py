"""Display text for money, months and markdown (pure: no Streamlit)."""
from __future__ import annotations

import math
import re

SYMBOLS = {"USD": "$"}          # currencies written with a leading symbol; others get a trailing code


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


DAYS_PER_MONTH = 365.25 / 12          # as planner.costs.DAYS_PER_CALENDAR_MONTH


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


def break_even_short(month: float | None, horizon: int) -> str:
    """Metric-card text, short enough for a card on a phone: 'Month 3', 'Day one' or 'Not by month 36'."""
    if month is None or not math.isfinite(month):
        return f"Not by month {horizon}"
    return "Day one" if month == 0 else f"Month {math.ceil(month)}"       # as report.break_even_text


def percent(value: float | None) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:,.0f} %"


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
    text = re.sub(r"([<&])(?=[a-z/!?]|#?\w+;)", r"\\\1", text, flags=re.I)        # tags, <autolinks>, &lt;
    text = re.sub(r"(?i)(:(?=//|[\w+-])|www(?=\.)|@(?=[\w-]))", "\\g<1>\u2060", text)   # autolinks, :codes:
    return re.sub(r"^(\s*)(?:(>)|([-+#])(?=[\s#+-]|$)|(\d+)([.)])(?=\s|$))",          # a block at the start
                  lambda m: m[1] + (f"\\{m[2] or m[3]}" if m[2] or m[3] else f"{m[4]}\\{m[5]}"), text, count=1)
