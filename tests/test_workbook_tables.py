"""Single-table CSVs, totals rows and the download buttons of the Costs and Compare pages."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from planner.catalogs import catalog
from planner.exports.report import (
    CSV_DECIMALS,
    analyse_one,
    csv_tables,
    monthly_table,
    read_report_section,
    report_csv,
    with_totals,
    yearly_table,
)
from planner.schema.safe_csv import table_csv
from planner.ui.downloads import CSV_LABELS

pytestmark = pytest.mark.unit

PRESETS = sorted(catalog.presets())


@pytest.mark.parametrize("preset", PRESETS)
def test_single_table_csvs_read_back_without_options(preset):
    a = analyse_one(catalog.preset(preset))
    for name, table in csv_tables(a).items():
        back = pd.read_csv(io.StringIO(table_csv(table)))
        assert list(back.columns) == list(table.columns), name
        assert len(back) == len(table), name
        for column in table.columns:
            if pd.api.types.is_numeric_dtype(table[column]):
                assert back[column].tolist() == pytest.approx(table[column].tolist(), rel=1e-11, nan_ok=True), (
                    name,
                    column,
                )


def test_the_sectioned_report_and_the_single_tables_round_alike():
    a = analyse_one(catalog.preset("smart_city"))
    monthly = pd.read_csv(io.StringIO(table_csv(csv_tables(a)["monthly"])))
    pd.testing.assert_frame_equal(monthly, read_report_section(report_csv(a), "Monthly"))
    cents = monthly.iloc[:, 1:] * 10 ** CSV_DECIMALS["monthly"]
    assert (cents - cents.round()).abs().max().max() < 1e-6  # money in whole cents


def test_totals_row_sums_the_per_month_money_and_ends_running_totals_where_they_end():
    a = analyse_one(catalog.preset("retail"))
    table = monthly_table(a)
    totalled = with_totals(table)
    last = totalled.iloc[-1]
    assert last["month"] == "Total" and len(totalled) == len(table) + 1
    assert last["Cloud total [USD]"] == pytest.approx(table["Cloud total [USD]"].sum(), rel=1e-12)
    assert last["Edge total [USD]"] == pytest.approx(table["Edge cumulative [USD]"].iloc[-1], rel=1e-12)
    assert last["Cloud cumulative [USD]"] == table["Cloud cumulative [USD]"].iloc[-1]  # not blank ('None')
    assert pd.isna(last["Edge devices in service [devices]"])
    yearly = with_totals(yearly_table(a))
    assert yearly.iloc[-1]["Savings [USD]"] == pytest.approx(yearly.iloc[-2]["Cumulative savings [USD]"], rel=1e-12)
    assert yearly.iloc[-1]["Cumulative savings [USD]"] == yearly.iloc[-2]["Cumulative savings [USD]"]


@pytest.fixture(scope="module")
def app():
    at = AppTest.from_file("../app.py", default_timeout=60).run()
    assert not at.exception
    return at


def test_costs_page_offers_the_workbook_the_tables_and_the_finance_cards(app):
    app.switch_page("pages/costs.py").run()
    assert not app.exception
    labels = [b.proto.label for b in app.get("download_button")]
    assert labels == ["Workbook (.xlsx, live formulas)", *CSV_LABELS.values()]
    assert [m.label for m in app.metric][:3] == ["NPV of savings", "IRR", "Discounted payback"]
    assert app.metric[1].value == "> 1,000 %"  # retail repays its capex within weeks
    yearly = next(d.value for d in app.dataframe if "Year" in d.value.columns)
    assert list(yearly["Year"]) == ["1", "2", "3", "Total"]


def test_compare_page_offers_them_too(app):
    app.switch_page("pages/compare.py").run()
    assert not app.exception
    labels = [b.proto.label for b in app.get("download_button")]
    assert "Workbook (.xlsx, live formulas)" in labels and set(CSV_LABELS.values()) <= set(labels)


def test_sensitivity_tables_exist_as_single_table_csvs():
    """Tornado, map and Monte Carlo bands: one header row each, read back by pandas.read_csv as they were."""
    from planner.exports import sensitivity
    from planner.model import risk

    scenario = catalog.preset("retail")
    xs, ys = [25.0, 50.0, 75.0], [1_000.0, 3_000.0]
    result = risk.monte_carlo(scenario, {"cameras": risk.Distribution("triangular", 35, 50, 65)}, 500, 1)
    frames = {
        "tornado": sensitivity.tornado_frame(risk.tornado(scenario, percent=20), scenario),
        "map": sensitivity.map_frame(
            "cameras", xs, "device_price", ys, *risk.grid_map(scenario, "cameras", xs, "device_price", ys), scenario
        ),
        "bands": sensitivity.bands_frame(result, "USD"),
    }
    for name, frame in frames.items():
        back = pd.read_csv(io.StringIO(table_csv(frame)))
        assert list(back.columns) == list(frame.columns) and len(back) == len(frame), name
    bands = pd.read_csv(io.StringIO(table_csv(frames["bands"])))
    assert bands["P50 [USD]"].tolist() == pytest.approx(result.bands[1].round(2).tolist(), abs=1e-9)
    cells = pd.read_csv(io.StringIO(table_csv(frames["map"])))
    assert cells["cameras [cameras]"].tolist() == xs * 2 and len(cells) == 6


@pytest.mark.parametrize("preset", PRESETS)
def test_the_fast_formula_path_stores_what_xlsxwriter_would(preset, monkeypatch):
    """`workbook._Sheet` skips XlsxWriter's renaming of dynamic-array functions when a formula names none:
    every part of the file (each sheet's XML, the names, the chart) is what the stock worksheet writes."""
    import zipfile

    from xlsxwriter.worksheet import Worksheet

    from planner.exports import workbook

    a = analyse_one(catalog.preset(preset))

    def parts(sheet_class) -> dict[str, bytes]:
        monkeypatch.setattr(workbook._Writer, "sheet_class", sheet_class)
        with zipfile.ZipFile(io.BytesIO(workbook.workbook_bytes(a))) as z:
            return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}  # core.xml: time written

    fast, stock = parts(workbook._Sheet), parts(Worksheet)
    assert fast.keys() == stock.keys()
    assert [n for n in fast if fast[n] != stock[n]] == []
    assert b"<f>" in fast["xl/worksheets/sheet3.xml"]  # formulas were compared


def test_a_dynamic_array_function_still_gets_excels_prefix():
    from xlsxwriter.worksheet import Worksheet

    from planner.exports import workbook

    fast, stock = workbook._Sheet(), Worksheet()
    assert fast._prepare_formula("=SORT(A1:A3)") == "_xlfn._xlws.SORT(A1:A3)"
    for formula in (
        "=SUM(A1:A3)",
        "{=SUM(A1:A3*B1:B3)}",
        "=XLOOKUP(1,A:A,B:B)",
        "{=FILTER(A1:A9,B1:B9>0)}",
        '=IF(view="cash",B2,0)',
        "=_xlfn.XLOOKUP(1,A:A,B:B)",
    ):
        assert fast._prepare_formula(formula) == stock._prepare_formula(formula), formula
