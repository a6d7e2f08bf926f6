"""The workbook's formula rendering without a spreadsheet (fast tier, read by `make mutation`): the templates'
cell references, and the compound-growth, break-even crossing and IRR formulas evaluated by hand on a few
cells and compared with the engine (`finance.crossing_time`)."""

import re

import numpy as np
import pytest

from planner.exports import workbook
from planner.model import finance

pytestmark = pytest.mark.unit

COLUMNS = {"m": "A", "gap": "B", "savings_end": "C", "capex": "D"}


def test_template_writes_each_kind_of_reference():
    t = workbook.Template(COLUMNS, months=24, cells={"irr": "Summary!$B$7"})
    assert t("{gap}", 5) == "B5"
    assert t("{prev:savings_end}+{gap}", 5) == "C4+B5"
    assert t("SUM({range:gap})", 5) == "SUM($B$2:$B$4)"
    assert t("SUM({all:gap})") == "SUM(Monthly!$B$2:$B$25)"  # months 1…24 in rows 2…25
    assert t("{first:capex}") == "Monthly!$D$2"
    assert t("{cell:irr}*2") == "Summary!$B$7*2"
    assert t("cameras*{m}", 3) == "cameras*A3"  # a bare name is a named cell
    assert t.compiled == {
        "{gap}": "B{row}",
        "{prev:savings_end}+{gap}": "C{above}+B{row}",
        "SUM({range:gap})": "SUM($B$2:$B${above})",
        "SUM({all:gap})": "SUM(Monthly!$B$2:$B$25)",
        "{first:capex}": "Monthly!$D$2",
        "{cell:irr}*2": "Summary!$B$7*2",
        "cameras*{m}": "cameras*A{row}",
    }
    assert workbook.Template(COLUMNS, 1).cells == {}


def test_compound_growth_and_sums_of_columns():
    assert workbook._compound("g") == "(1+g/100)^({m}/12)"
    assert workbook._plus(["a", "b", "c"]) == "{a}+{b}+{c}"
    assert workbook._plus([]) == ""


def evaluate(formula: str, cells: dict[str, float]):
    """A spreadsheet formula of IF, MIN and arithmetic over the given cells, evaluated in Python ("" is blank)."""
    text = re.sub(r"\b[A-Z]+\d+\b", lambda m: repr(cells[m[0]]), formula.removeprefix("="))
    text = text.replace("IF(", "_if(").replace("MIN(", "min(").replace("^", "**").replace('""', "None")
    return eval(text, {"_if": lambda c, a, b: a if c else b, "min": min})  # noqa: S307 (a test's own formulas)


@pytest.mark.parametrize(
    "month,savings_end,gap",
    [(2, 5.0, 10.0), (3, 3.0, 2.0), (1, -4.0, 10.0), (0, 0.0, 1.0), (4, 12.0, 20.0), (5, 2.0, -3.0)],
)
def test_the_crossing_formula_is_the_engines_break_even_within_the_month(month, savings_end, gap):
    gap_col, end_col, crossing_col = workbook._crossing("x_", "{gap_in}", "{capex_in}", "Label")
    columns = {"m": "A", "x_gap": "B", "x_savings_end": "C", "x_crossing": "E", "gap_in": "F", "capex_in": "G"}
    t = workbook.Template(columns, 12)
    assert (gap_col.key, end_col.key, crossing_col.key) == ("x_gap", "x_savings_end", "x_crossing")
    assert gap_col.header == "Label: cloud − edge running [money]" and gap_col.kind == "money"
    assert end_col.header == "Label: cumulative savings [money]" and end_col.kind == "money"
    assert crossing_col.header == "Label: break-even in this month [months]"
    assert t(gap_col.formula, 3) == "F3"
    assert t(end_col.formula, 3) == "C2+B3-G3" and t(end_col.first, 2) == "B2-G2"
    got = evaluate(t(crossing_col.formula, 3), {"A3": month, "B3": gap, "C3": savings_end})
    if savings_end < 0:
        assert got is None  # blank before the break-even
    else:
        engine = finance.crossing_time(np.array([month]), np.array([savings_end]), np.array([gap]))[0]
        assert got == pytest.approx(engine)


def test_compound_growth_evaluates_to_the_yearly_rate_per_twelve_months():
    formula = workbook._compound("10").replace("{m}", "A2")
    assert evaluate(formula, {"A2": 12}) == pytest.approx(1.1)
    assert evaluate(formula, {"A2": 6}) == pytest.approx(1.1**0.5)


def test_the_shown_irr_is_blank_over_the_bound():
    assert workbook._shown_irr("X1") == '=IF(AND(ISNUMBER(X1),X1<=1000.0),X1,"")'


def test_irr_rows_write_the_rate_or_the_note():
    (irr_key, irr_formula, irr_label), (note_key, note_formula, note_label) = workbook._irr_rows(
        "irr", "irr_note", "IRR", None, False
    )
    assert (irr_key, note_key) == ("irr", "irr_note")
    assert irr_formula == workbook._shown_irr("irr")
    assert irr_label == "IRR [%/year]; blank: undefined, several or over 1,000 %/year (see irr_note)"
    assert note_label == (  # the Summary sheet's words for the note's row
        "IRR note: a rate over the shown bound, or the rates of cash flows that change sign several times (those as "
        "found at export)"
    )
    assert note_formula == '=IF(AND(ISNUMBER(irr),irr>1000.0),"over 1,000 %/year","")'
    several = workbook._irr_rows("irr", "irr_note", "IRR", "several: 5 % and 20 %", True)
    assert several[0][1] == '=""' and several[1][1] == '="several: 5 % and 20 %"'
    kept = workbook._irr_rows("irr", "irr_note", "IRR", "several: 5 %", False)
    assert kept[0][1] == workbook._shown_irr("irr") and kept[1][1] == '="several: 5 %"'


def test_monthly_rate_is_the_twelfth_root_of_the_yearly_one():
    assert workbook.monthly_rate(0) == 0
    assert workbook.monthly_rate(10) == pytest.approx(1.1 ** (1 / 12) - 1)
    assert (1 + workbook.monthly_rate(26.824179456)) ** 12 == pytest.approx(1.26824179456)
