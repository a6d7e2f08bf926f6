"""A saved plan's approval in the exports: the printed report, the workbook's Notes sheet and the CSV assumptions say
what the caller passes ("Approved by … on …", or why it is not approved); without it they are as before."""

from __future__ import annotations

import io

import openpyxl
import pytest

from planner.catalogs import catalog
from planner.exports import printable
from planner.exports.report import analyse_one, csv_tables, read_report_section, report_csv
from planner.exports.workbook import workbook_bytes

pytestmark = pytest.mark.unit

ANALYSIS = analyse_one(catalog.preset("retail"))
APPROVED = "Approved by cfo@team.example on 2026-12-07 09:30 UTC (revision 2)"


def test_the_csv_assumptions_end_with_the_approval():
    table = read_report_section(report_csv(ANALYSIS, approval=APPROVED), "Assumptions")
    assert table.iloc[-1][["field", "label", "value"]].tolist() == ["approval", "Approval", APPROVED]
    assert "approval" not in csv_tables(ANALYSIS)["assumptions"]["field"].tolist()


def test_the_workbook_notes_say_the_approval():
    notes = openpyxl.load_workbook(io.BytesIO(workbook_bytes(ANALYSIS, "cash", APPROVED)))["Notes"]
    assert [notes["A2"].value, notes["B2"].value] == ["Approval", APPROVED]
    plain = openpyxl.load_workbook(io.BytesIO(workbook_bytes(ANALYSIS, "cash")))["Notes"]
    assert plain["A2"].value != "Approval"


def test_the_printed_report_says_the_approval_escaped():
    assert printable.approval_html("Approved by <b>x</b>") == (
        "<p class='meta' data-testid='reportApproval'><strong>Approved by &lt;b&gt;x&lt;/b&gt;</strong></p>"
    )
