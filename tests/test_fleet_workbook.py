"""The fleet's workbook: LibreOffice recomputes each plan's cost, cumulative savings, totals, NPV, IRR,
break-even and capex by quarter from the monthly series, and gets the engine's figures; a changed discount
rate on Summary gives the engine's NPVs at that rate. The CLI writes it with `fleet --format xlsx`. Every case's
workbook is written first and LibreOffice converts them all in one run (`recalculated`); without recalculation,
the cached results are the engine's own values."""

from __future__ import annotations

import math

import numpy as np
import openpyxl
import pytest
from libreoffice_support import converted_once

from planner.catalogs import catalog
from planner.cli import main
from planner.exports import workbook
from planner.fleet import inventory as fleet_inventory
from planner.fleet import programme as fleet_programme
from planner.fleet import tables as fleet_tables
from planner.model import finance
from planner.schema.scenario import replace

pytestmark = pytest.mark.oracle

FLEETS = sorted(fleet_inventory.presets())
RELATIVE = 1e-9


def close(got, want, scale: float = 1.0) -> bool:
    if want is None:
        return got in (None, "")
    return isinstance(got, (int, float)) and abs(got - want) <= RELATIVE * max(abs(want), scale * 1e-3, 1e-9)


def _write(tmp_path, p, name: str, change=None):
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(workbook.fleet_workbook_bytes(p))
    if change:
        wb = openpyxl.load_workbook(path)
        change(wb)
        wb.save(path)
    return path


def summary_by_plan(wb) -> dict[str, dict]:
    rows = list(wb["Summary"].iter_rows(values_only=True))
    return {plan: {row[0]: row[j] for row in rows[1:8]} for j, plan in enumerate(fleet_inventory.PLANS, start=1)}


def late_start() -> fleet_inventory.Fleet:
    """Every site goes live in month 7: no plan has a flow before it, and zero savings there are no break-even."""
    f = fleet_inventory.preset("city_intersections")
    table = f.inventory.table.assign(go_live_month="6")
    return fleet_inventory.make_fleet(table, f.base, f.answers, f.months, "Late start")


def gpu_commitment() -> fleet_inventory.Fleet:
    """GPU instances on a 1-year all-upfront commitment, two waves: the cloud's upfront lumps (at go-live and
    renewal) that the edge plans no longer pay fall at the start of their month. South's 5 cameras keep one device a
    site for the 36 months (5 × 2 × 1.3 × 1.15^(35/12) = 19.9 < 22 inferences/s a Jetson sustains here): a device
    bought in the last month makes flows whose IRR the engine leaves undefined (beyond its search) where the
    spreadsheet's IRR() returns a figure."""
    gpu = catalog.preset("smart_city_gpu")
    base = replace(gpu, instance_commitment="one_year", instance_upfront="all", device_price=8000)
    return fleet_inventory.make_fleet(
        "site,count,go_live_month,cameras,privacy\nnorth,3,0,4,\nsouth,2,5,5,on_site\n",
        base,
        months=36,
        name="GPU commitment",
    )


SPECIAL = {"late_start": late_start, "gpu_commitment": gpu_commitment}
CHANGED_RATE = 17.5  # [%/year] the discount rate typed into the Summary sheet


def programme(key: str) -> fleet_programme.Programme:
    return fleet_programme.evaluate(SPECIAL[key]() if key in SPECIAL else fleet_inventory.preset(key))


def _change_rate(wb) -> None:
    rows = [r[0].value for r in wb["Summary"].iter_rows(min_col=1, max_col=1)]
    wb["Summary"].cell(rows.index("discount_percent_per_year") + 1, 2).value = CHANGED_RATE


def _write_cases(tmp) -> dict[str, object]:
    """Every case's workbook: each fleet preset, the special fleets, and city_intersections with the discount rate
    changed on Summary."""
    paths = {key: _write(tmp, programme(key), key) for key in [*FLEETS, *SPECIAL]}
    paths["rate"] = _write(
        tmp, fleet_programme.evaluate(fleet_inventory.preset("city_intersections")), "rate", _change_rate
    )
    return paths


@pytest.fixture(scope="module")
def recalculated(libreoffice, tmp_path_factory) -> dict[str, object]:
    """Case → its workbook recalculated by LibreOffice (values): all of them converted in one run."""
    converted = converted_once(libreoffice, tmp_path_factory, "fleet-workbooks", _write_cases)
    return {key: openpyxl.load_workbook(path, data_only=True) for key, path in converted.items()}


@pytest.mark.parametrize("key", [*FLEETS, *SPECIAL])
def test_libreoffice_recomputes_every_plan_as_the_engine(recalculated, key):
    p = programme(key)
    if key == "gpu_commitment":
        # One pool of instances: its 2 (the minimum) are committed at month 0 and renewed at 12; south joins at
        # month 5 without a commitment of its own.
        assert p.plan_cloud_upfront[1, 0] > 0 and p.plan_cloud_upfront[1, 5] == 0 and p.plan_cloud_upfront[1, 12] > 0
    wb = recalculated[key]
    monthly = list(wb["Monthly"].iter_rows(values_only=True))
    header, rows = monthly[0], monthly[1 : p.months + 1]
    engine = fleet_tables.monthly_table(p)
    problems = []
    for plan in fleet_inventory.PLANS[1:]:
        text = fleet_inventory.PLAN_TEXT[plan]
        for ours, theirs in (
            (f"{text}: cost", f"{plan}_cost"),
            (f"{text}: cumulative savings", f"{plan}_cumulative_savings"),
        ):
            j = next(i for i, h in enumerate(header) if h.startswith(ours))
            want = engine[theirs].to_numpy()
            scale = max(abs(want).max(), 1.0)
            problems += [
                f"{ours} month {m + 1}: {r[j]!r} vs {w!r}"
                for m, (r, w) in enumerate(zip(rows, want))
                if not close(r[j], float(w), scale)
            ]
    expected, got = fleet_tables.plan_summary(p), summary_by_plan(wb)
    for plan in fleet_inventory.PLANS:
        for k, g in got[plan].items():
            if not close(g, expected[plan][k]):
                problems.append(f"Summary {plan} {k}: {g!r} vs {expected[plan][k]!r}")
    sheet = list(wb["Summary"].iter_rows(values_only=True))
    quarters = sheet[[r[0] for r in sheet].index("Capex by quarter") + 1 :]
    for plan_index, plan in enumerate(fleet_inventory.PLANS, start=1):
        for q, want in enumerate(expected[plan]["capex_by_quarter"]):
            if not close(quarters[q][plan_index], want, max(expected[plan]["capex_by_quarter"]) or 1.0):
                problems.append(f"capex {plan} quarter {q + 1}: {quarters[q][plan_index]!r} vs {want!r}")
    assert not problems, problems[:10]
    assert any(expected[plan]["break_even_month"] is not None for plan in fleet_inventory.PLANS[1:])  # a real crossing


def test_a_changed_discount_rate_gives_the_engines_npv_at_that_rate(recalculated):
    f = fleet_inventory.preset("city_intersections")
    p = fleet_programme.evaluate(f)
    rate = CHANGED_RATE
    got = summary_by_plan(recalculated["rate"])
    changed = fleet_programme.evaluate(
        fleet_inventory.make_fleet(
            f.inventory.table, replace(f.base, discount_percent_per_year=rate), f.answers, f.months, f.name
        )
    )
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
    cached = openpyxl.load_workbook(out, data_only=True)  # viewers that do not recalculate
    assert close(summary_by_plan(cached)["recommended"]["npv"], fleet_tables.plan_summary(p)["recommended"]["npv"])
    assert main(["fleet", "--fleet", "retail_chain", "--format", "xlsx"]) == 2
    assert "--format xlsx needs --out" in capsys.readouterr().err


@pytest.mark.parametrize("key", [*FLEETS, *SPECIAL])
def test_every_cached_value_is_the_engines(tmp_path, key):
    """Read as stored (no spreadsheet recalculates it), every formula's cached result is the engine's own value:
    the Monthly columns (the programme's series, its monthly table, each plan's flows and break-even path), the
    cash flows and IRR, and the Summary (plan_summary, capex by quarter)."""
    p = programme(key)
    wb = openpyxl.load_workbook(_write(tmp_path, p, key), data_only=True)
    table, M = fleet_tables.monthly_table(p), p.months
    gaps, lumps = p.plans.running_gap_monthly, p.plans.net_capex_monthly
    m = np.arange(M)
    engine = {"month": m + 1, "m": m, "quarter": m // 3 + 1, "cloud": p.cloud_monthly}
    for i in workbook.EDGE_PLANS:
        k, path = fleet_inventory.PLANS[i], finance.savings_path(gaps[i], lumps[i], from_first_flow=True)
        engine |= {
            f"{k}_capex": p.plan_capex[i],
            f"{k}_running": p.plan_opex[i],
            f"{k}_upfront_saved": p.plan_cloud_upfront[i],
            f"{k}_cost": table[f"{k}_cost"],
            f"{k}_lumps": lumps[i],
            f"{k}_gap": gaps[i],
            f"{k}_savings": table[f"{k}_cumulative_savings"],
            f"{k}_started": path.started[0],
            f"{k}_crossing": path.crossing[0],
        }
    rows = list(wb["Monthly"].iter_rows(values_only=True))
    columns = workbook._FleetWriter(p).plan_columns()
    assert [c.header for c in columns] == list(rows[0]) and set(engine) == {c.key for c in columns}
    for j, column in enumerate(columns):
        want = [None if math.isnan(w) else float(w) for w in engine[column.key]]
        got = [r[j] if r[j] != "" else None for r in rows[1 : M + 1]]
        if column.formula:
            assert got == want, column.key
        else:  # a value cell: XlsxWriter writes a number to 16 significant digits
            assert got == pytest.approx(want, rel=1e-15, abs=0), column.key
    expected = fleet_tables.plan_summary(p)
    for plan, crossings in ((plan, engine.get(f"{plan}_crossing")) for plan in fleet_inventory.PLANS[1:]):
        first = np.nanmin(crossings) if np.isfinite(crossings).any() else None
        want = expected[plan]["break_even_month"]
        assert first is None if want is None else first == pytest.approx(want, rel=1e-12, abs=1e-12), plan
    flows = finance.cash_flows(gaps, lumps)
    cash = list(wb["Cash flows"].iter_rows(values_only=True))
    for n, i in enumerate(workbook.EDGE_PLANS):
        assert [r[1 + 3 * n] for r in cash[1 : M + 2]] == list(flows[i])
        assert (cash[4][3 + 3 * n] or None) == (None if math.isnan(p.irr[i]) else p.irr[i])  # the rate as found
    got = summary_by_plan(wb)
    for plan in fleet_inventory.PLANS:
        assert {k: v if v != "" else None for k, v in got[plan].items()} == {k: expected[plan][k] for k in got[plan]}
    sheet = list(wb["Summary"].iter_rows(values_only=True))
    quarters = sheet[[r[0] for r in sheet].index("Capex by quarter") + 1 :]
    for j, plan in enumerate(fleet_inventory.PLANS, start=1):
        assert [q[j] for q in quarters] == expected[plan]["capex_by_quarter"], plan
