"""The fleet's workbook: LibreOffice recomputes each plan's cost, cumulative savings, totals, NPV, IRR,
break-even and capex by quarter from the monthly series, and gets the engine's figures; a changed discount
rate on Summary gives the engine's NPVs at that rate. The CLI writes it with `fleet --format xlsx`."""
from __future__ import annotations

import math

import openpyxl
import pytest

from planner.catalogs import catalog
from planner.fleet import inventory as fleet_inventory, programme as fleet_programme, tables as fleet_tables
from planner.exports import workbook
from planner.cli import main
from planner.schema.scenario import replace

pytestmark = pytest.mark.oracle

FLEETS = sorted(fleet_inventory.presets())
RELATIVE = 1e-9


def close(got, want, scale: float = 1.0) -> bool:
    if want is None:
        return got in (None, "")
    return isinstance(got, (int, float)) and abs(got - want) <= RELATIVE * max(abs(want), scale * 1e-3, 1e-9)


def recalculated(libreoffice, tmp_path, p, name: str, change=None):
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(workbook.fleet_workbook_bytes(p))
    if change:
        wb = openpyxl.load_workbook(path)
        change(wb)
        wb.save(path)
    return openpyxl.load_workbook(libreoffice.convert(path), data_only=True)


def summary_by_plan(wb) -> dict[str, dict]:
    rows = list(wb["Summary"].iter_rows(values_only=True))
    return {plan: {row[0]: row[j] for row in rows[1:8]} for j, plan in enumerate(fleet_inventory.PLANS, start=1)}


def late_start() -> fleet_inventory.Fleet:
    """Every site goes live in month 7: no plan has a flow before it, and zero savings there are no break-even."""
    f = fleet_inventory.preset("city_intersections")
    table = f.inventory.table.assign(go_live_month="6")
    return fleet_inventory.make_fleet(table, f.base, f.answers, f.months, "Late start")


def gpu_commitment() -> fleet_inventory.Fleet:
    """GPU instances on a 1-year all-upfront commitment, two waves: the cloud's upfront lumps (at each go-live and
    renewal) that the edge plans no longer pay fall at the start of their month. South's 5 cameras keep one device a
    site for the 36 months (5 × 2 × 1.3 × 1.15^(35/12) = 19.9 < 22 inferences/s a Jetson sustains here): a device
    bought in the last month makes flows whose IRR the engine leaves undefined (beyond its search) where the
    spreadsheet's IRR() returns a figure."""
    gpu = catalog.preset("smart_city_gpu")
    base = replace(gpu, instance_commitment="one_year", instance_upfront="all", device_price=8000)
    return fleet_inventory.make_fleet("site,count,go_live_month,cameras,privacy\nnorth,3,0,4,\nsouth,2,5,5,on_site\n", base,
                            months=36, name="GPU commitment")


SPECIAL = {"late_start": late_start, "gpu_commitment": gpu_commitment}


@pytest.mark.parametrize("key", [*FLEETS, *SPECIAL])
def test_libreoffice_recomputes_every_plan_as_the_engine(libreoffice, tmp_path, key):
    p = fleet_programme.evaluate(SPECIAL[key]() if key in SPECIAL else fleet_inventory.preset(key))
    if key == "gpu_commitment":
        assert p.plan_cloud_upfront[1, 0] > 0 and p.plan_cloud_upfront[1, 5] > 0 and p.plan_cloud_upfront[1, 12] > 0
    wb = recalculated(libreoffice, tmp_path, p, key)
    monthly = list(wb["Monthly"].iter_rows(values_only=True))
    header, rows = monthly[0], monthly[1:p.months + 1]
    engine = fleet_tables.monthly_table(p)
    problems = []
    for plan in fleet_inventory.PLANS[1:]:
        text = fleet_inventory.PLAN_TEXT[plan]
        for ours, theirs in ((f"{text}: cost", f"{plan}_cost"), (f"{text}: cumulative savings",
                                                                   f"{plan}_cumulative_savings")):
            j = next(i for i, h in enumerate(header) if h.startswith(ours))
            want = engine[theirs].to_numpy()
            scale = max(abs(want).max(), 1.0)
            problems += [f"{ours} month {m + 1}: {r[j]!r} vs {w!r}" for m, (r, w) in enumerate(zip(rows, want))
                         if not close(r[j], float(w), scale)]
    expected, got = fleet_tables.plan_summary(p), summary_by_plan(wb)
    for plan in fleet_inventory.PLANS:
        for k, g in got[plan].items():
            if not close(g, expected[plan][k]):
                problems.append(f"Summary {plan} {k}: {g!r} vs {expected[plan][k]!r}")
    sheet = list(wb["Summary"].iter_rows(values_only=True))
    quarters = sheet[[r[0] for r in sheet].index("Capex by quarter") + 1:]
    for plan_index, plan in enumerate(fleet_inventory.PLANS, start=1):
        for q, want in enumerate(expected[plan]["capex_by_quarter"]):
            if not close(quarters[q][plan_index], want, max(expected[plan]["capex_by_quarter"]) or 1.0):
                problems.append(f"capex {plan} quarter {q + 1}: {quarters[q][plan_index]!r} vs {want!r}")
    assert not problems, problems[:10]
    assert any(expected[plan]["break_even_month"] is not None for plan in fleet_inventory.PLANS[1:])   # a real crossing


def test_a_changed_discount_rate_gives_the_engines_npv_at_that_rate(libreoffice, tmp_path):
    f = fleet_inventory.preset("city_intersections")
    p = fleet_programme.evaluate(f)
    rate = 17.5

    def change(wb):
        rows = [r[0].value for r in wb["Summary"].iter_rows(min_col=1, max_col=1)]
        wb["Summary"].cell(rows.index("discount_percent_per_year") + 1, 2).value = rate

    got = summary_by_plan(recalculated(libreoffice, tmp_path, p, "rate", change))
    changed = fleet_programme.evaluate(fleet_inventory.make_fleet(f.inventory.table, replace(f.base, discount_percent_per_year=rate),
                                              f.answers, f.months, f.name))
    want = fleet_tables.plan_summary(changed)
    for plan in fleet_inventory.PLANS[1:]:
        assert not math.isclose(want[plan]["npv"], fleet_tables.plan_summary(p)[plan]["npv"], rel_tol=1e-3)
        assert close(got[plan]["npv"], want[plan]["npv"]), (plan, got[plan]["npv"], want[plan]["npv"])


def test_the_cli_writes_the_fleet_workbook_and_refuses_the_terminal(tmp_path, capsys):
    out = tmp_path / "fleet.xlsx"
    assert main(["fleet", "--fleet", "retail_chain", "--format", "xlsx", "--out", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == list(workbook.FLEET_SHEETS)
    p = fleet_programme.evaluate(fleet_inventory.preset("retail_chain"))
    assert wb["Sites"].max_row == p.fleet.inventory.n + 1 and wb["Inventory"].max_row == p.fleet.inventory.n + 1
    cached = openpyxl.load_workbook(out, data_only=True)                 # viewers that do not recalculate
    assert close(summary_by_plan(cached)["recommended"]["npv"], fleet_tables.plan_summary(p)["recommended"]["npv"])
    assert main(["fleet", "--fleet", "retail_chain", "--format", "xlsx"]) == 2
    assert "--format xlsx needs --out" in capsys.readouterr().err
