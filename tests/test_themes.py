"""Issue 29 item 15: the app follows the browser's light or dark preference (and the theme menu), and the
charts read on both backgrounds: no colour the app sets itself is lost on the light or the dark theme."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from planner.catalogs import catalog
from planner.exports import charts
from planner.exports.report import analyse_one, monthly_table
from planner.model import risk

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
THEME = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
RETAIL = catalog.preset("retail")
MIN_CONTRAST = 3.0  # WCAG's minimum for graphics and large text
HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def luminance(hex_color: str) -> float:
    channels = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_theme_follows_the_browser_with_a_light_and_a_dark_palette():
    assert "base" not in THEME  # a base would force one theme whatever the browser prefers
    for mode in ("light", "dark"):
        palette = THEME[mode]
        assert contrast(palette["textColor"], palette["backgroundColor"]) >= 7, mode
        assert contrast(palette["primaryColor"], palette["backgroundColor"]) >= MIN_CONTRAST, mode
    assert luminance(THEME["dark"]["backgroundColor"]) < 0.05 < 0.9 < luminance(THEME["light"]["backgroundColor"])


def unboxed_colors(figure) -> list[str]:
    """Colours of lines, marks and text the figure draws straight on the page's background (a label on its
    own white box is left out: it reads in both themes)."""
    spec = figure.to_plotly_json()
    layout = spec["layout"]
    boxed = [a for a in layout.get("annotations", []) if a.get("bgcolor")]
    found = [
        *(c for t in spec["data"] for c in HEX.findall(str({k: t.get(k) for k in ("line", "marker")}))),
        *(c for s in layout.get("shapes", []) for c in HEX.findall(str(s.get("line", {})))),
        *(c for a in layout.get("annotations", []) if a not in boxed for c in HEX.findall(str(a.get("font", {})))),
        *(c for axis in ("xaxis", "yaxis") for c in HEX.findall(str(layout.get(axis, {}).get("ticktext", "")))),
        *(c for a in boxed for c in HEX.findall(str(a.get("bordercolor", "")) + str(a.get("arrowcolor", "")))),
    ]
    return found


def test_every_colour_a_chart_sets_reads_on_the_light_and_the_dark_background():
    a = analyse_one(RETAIL)
    table = risk.tornado(RETAIL, percent=20)
    figures = {
        "cumulative": charts.cumulative_figure(charts.curves(a)),
        "components": charts.components_figure(monthly_table(a), "edge", "cash", "USD"),
        "comparison": charts.comparison_figure([("Retail", charts.curves(a))]),
        "tornado": charts.tornado_figure(table, "savings", 1000.0, RETAIL.horizon_months, "USD"),
        **dict(zip(("carbon per month", "carbon cumulative"), charts.carbon_figures(a))),
    }
    backgrounds = {mode: THEME[mode]["backgroundColor"] for mode in ("light", "dark")}
    lost = {
        (name, color, mode)
        for name, figure in figures.items()
        for color in unboxed_colors(figure)
        for mode, background in backgrounds.items()
        if contrast(color, background) < 2.0  # a mark or a line lost on the background
    }
    assert not lost, sorted(lost)
    marks = charts.MARKER_COLOR
    assert all(contrast(marks, bg) >= MIN_CONTRAST for bg in backgrounds.values())  # break-even, reference lines
