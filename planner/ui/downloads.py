"""Download buttons for one scenario: the live-formula workbook and the single-table CSVs.

Each file is built only when its button is clicked (Streamlit calls the data function then), so a page
rerun costs nothing for them.
"""

from __future__ import annotations

import streamlit as st

from planner.exports.report import Analysis, csv_tables
from planner.exports.workbook import workbook_bytes
from planner.schema.safe_csv import table_csv
from planner.ui import plans, state

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_LABELS = {
    "monthly": "Monthly CSV",
    "yearly": "Yearly CSV",
    "summary": "Summary CSV",
    "assumptions": "Assumptions CSV",
}


def scenario_downloads(a: Analysis, view: str, key: str) -> None:
    """The workbook button, then one button per table; files named after the scenario and the view. While the work
    is an opened revision of a plan, the Notes sheet and the assumptions end with its approval (`plans.approval_note`:
    approved by whom and when, or not approved, or changed since approval), whichever page offers them."""
    approval = plans.approval_note()
    name = f"{state.file_stem()}-{view}"
    st.download_button(
        "Workbook (.xlsx, live formulas)",
        lambda: workbook_bytes(a, view, approval),
        f"{name}.xlsx",
        XLSX,
        key=f"{key}.xlsx",
        on_click="ignore",
        width="stretch",
        type="primary",
        help="Inputs in named cells, every month as formulas over them, the summary, the yearly budget, "
        "sources and notes: change an input in Excel or LibreOffice and the whole model recomputes.",
    )
    with st.container(horizontal=True):
        for table, label in CSV_LABELS.items():
            st.download_button(
                label,
                lambda table=table: table_csv(csv_tables(a, view, approval)[table]).encode("utf-8"),
                f"{name}-{table}.csv",
                "text/csv",
                key=f"{key}.{table}",
                on_click="ignore",
                help="One table with one header row: pandas.read_csv and spreadsheets open it as is.",
            )
