"""The workbook prints: LibreOffice turns it into a PDF (as File ▸ Print would), and the pages are counted per
sheet, read back with pdftotext, and checked for text printed over other text.

Before each sheet had its own print setup, the retail workbook printed on 40 A4 pages: Monthly took 32 (five
columns and two pages tall per group of columns), the Summary's wrapped labels printed over the rows below and
the scenario name was cut by the next column.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from collections import Counter
from html import unescape

import pytest

from planner.catalogs import catalog
from planner.exports import workbook
from planner.exports.report import analyse_one, summary

pytestmark = pytest.mark.oracle

RETAIL = catalog.preset("retail")


def pdftotext(*args: str) -> str:
    binary = shutil.which("pdftotext")
    if binary is None:
        pytest.skip("pdftotext not found (Debian's poppler-utils)")
    return subprocess.run([binary, *args, "-"], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def printed(libreoffice, tmp_path_factory) -> dict:
    """The retail workbook as LibreOffice prints it: the PDF's path, each page's words with their boxes, and
    the sheet each page belongs to (the footer names it)."""
    xlsx = tmp_path_factory.mktemp("workbook-print") / "retail-print.xlsx"
    xlsx.write_bytes(workbook.workbook_bytes(analyse_one(RETAIL)))
    pdf = libreoffice.convert(xlsx, "pdf")  # recalculated on opening (the profile says so), then printed
    pages = []
    for page in re.findall(r"<page [^>]*>(.*?)</page>", pdftotext("-bbox", str(pdf)), re.S):
        words = [
            (float(x0), float(y0), float(x1), float(y1), unescape(text))
            for x0, y0, x1, y1, text in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page
            )
        ]
        pages.append(words)
    sheets = []
    for number in range(1, len(pages) + 1):
        lines = pdftotext("-layout", "-f", str(number), "-l", str(number), str(pdf)).splitlines()
        footer = next((line.strip() for line in reversed(lines) if line.strip()), "")
        sheets.append(next((name for name in workbook.SHEETS if footer.startswith(name)), "(no footer)"))
    return {"pdf": pdf, "pages": pages, "sheets": sheets}


def test_each_sheet_prints_on_as_few_pages_as_its_content_needs(printed):
    pages = Counter(printed["sheets"])
    assert list(pages) == list(workbook.SHEETS)  # every sheet prints, in order
    # One page each: the Summary's 40 rows on a portrait page; 3 years; 37 cash flows and the IRR block.
    assert (pages["Summary"], pages["Yearly"], pages["Cash flows"]) == (1, 1, 1)
    # Monthly: 78 columns at 70 % on landscape A4 (784 pt wide less the repeated Month column) take at least
    # 9 a page (16 characters ≥ 86 pt each at 100 %: 784 / 0.7 / 88 ≈ 12, 9 with LibreOffice's padding), and
    # 38 rows of 15 pt with a 5-line header (645 pt × 0.7 = 452 pt) fit one page tall (about 490 pt).
    columns = len(workbook.monthly_columns("USD"))
    assert pages["Monthly"] <= math.ceil((columns - 1) / 9)
    # Inputs: about 130 rows in landscape fitted to its width; the sources (14 catalog rows, long notes wrapped)
    # and the notes (about 70 rows, many of two lines, some 30 to a page) three pages each at most.
    assert pages["Inputs"] <= 3 and pages["Sources"] <= 3 and pages["Notes"] <= 3
    assert len(printed["sheets"]) <= 1 + 3 + math.ceil((columns - 1) / 9) + 1 + 1 + 3 + 3  # the bounds above


def _overlap(a, b) -> bool:
    """Two words' boxes overlap by more than a hair (a letter's width, half a line's height)."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width > 1.0 and height > 0.5 * min(a[3] - a[1], b[3] - b[1])


def test_no_text_prints_over_other_text(printed):
    clashes = []
    for number, (sheet, words) in enumerate(zip(printed["sheets"], printed["pages"]), start=1):
        for i, a in enumerate(words):
            for b in words[i + 1 :]:
                if _overlap(a, b):
                    clashes.append(f"page {number} ({sheet}): {a[4]!r} over {b[4]!r}")
    assert clashes == []


def test_the_summary_rows_read_across_and_the_scenario_name_is_whole(printed):
    """pdftotext -layout keeps a printed row on one line: each money row's key, its value as the cell's number
    format writes it, and nothing from another row."""
    first = 1  # the Summary is the first sheet
    text = pdftotext("-layout", "-f", str(first), "-l", str(first), str(printed["pdf"]))
    values = summary(analyse_one(RETAIL))
    for key in ("cloud_monthly_cost", "edge_capex", "cloud_total_cost", "edge_total_cost", "savings_total"):
        line = next(line for line in text.splitlines() if line.split() and line.split()[0] == key)
        assert f"{values[key]:,.2f} USD" in line, line  # '#,##0.00 "USD"' by hand
    summary_words = {w[4] for w in printed["pages"][first - 1]}
    assert set(RETAIL.name.split()) <= summary_words  # 'Retail store — 50 cameras (seed article)': not cut
