"""The workbook is a live model: LibreOffice recomputes it from the named inputs and gets the engine's figures.

Every Monthly cell and every Summary cell is compared with the engine within 1e-9 relative (money near
zero within 1e-9 of its column's scale), for every preset in both views; then three inputs are changed in the
workbook, LibreOffice recomputes it, and the result is compared with the engine run on the changed scenario.
Every case's workbook is written first and LibreOffice converts them all in one run (`recalculated`).
Without recalculation, the cached results are the engine's own values.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import openpyxl
import pytest
from libreoffice_support import converted_once

from planner.catalogs import catalog
from planner.exports import workbook
from planner.exports.report import analyse_one, monthly_table, summary, yearly_table
from planner.model import finance
from planner.model.costs import CARBON_COMPONENTS, COMPONENT_BY_KEY, COMPONENTS, batch, scenario_figures
from planner.model.finance import cash_flows, discount_factors
from planner.schema.scenario import VIEWS, to_dict, validate

pytestmark = pytest.mark.oracle

PRESETS = sorted(catalog.presets())
RELATIVE = 1e-9
WORST: dict[str, float] = {}


def _write(tmp_path, scenario, view="cash", name="model"):
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(workbook.workbook_bytes(analyse_one(scenario), view))
    return path


def _edited(tmp_path, scenario, changed: dict, view="cash", name="edited"):
    """The scenario's workbook with inputs changed in its own named cells (as a user would), saved unrecalculated."""
    wb = openpyxl.load_workbook(_write(tmp_path, scenario, view, name=f"{name}-original"))
    for field, value in changed.items():
        sheet, cell = next(wb.defined_names[field].destinations)
        wb[sheet][cell.replace("$", "")].value = value
    path = tmp_path / f"{name}.xlsx"
    wb.save(path)
    return path


def _sheet_columns(ws) -> dict[str, list]:
    rows = list(ws.iter_rows(values_only=True))
    return {header: [r[j] for r in rows[1:]] for j, header in enumerate(rows[0])}


def _differences(recalculated, scenario, view="cash") -> list[str]:
    """Every Monthly and Summary cell that differs from the engine; records the worst relative difference."""
    a = analyse_one(scenario)
    wb = openpyxl.load_workbook(recalculated, data_only=True)
    expected = workbook.monthly_values(a, view)
    h = len(expected["month"])
    columns = _sheet_columns(wb["Monthly"])
    problems, worst = [], 0.0
    for column in workbook.monthly_columns(scenario.currency):
        got = columns[column.header][:h]
        want = expected[column.key]
        scale = max(np.nanmax(np.abs(want)) if np.isfinite(want).any() else 0.0, 1.0)
        for month, (g, w) in enumerate(zip(got, want), start=1):
            if not math.isfinite(w):
                if g not in (None, ""):
                    problems.append(f"Monthly {column.key} month {month}: {g!r}, engine: blank")
                continue
            if not isinstance(g, (int, float)) or abs(g - w) > RELATIVE * max(abs(w), scale * 1e-3):
                problems.append(f"Monthly {column.key} month {month}: {g!r}, engine: {w!r}")
                continue
            if w:
                worst = max(worst, abs(g - w) / abs(w))
    engine = summary(a, view)
    got = {row[0]: row[1] for row in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert set(got) == set(engine)
    for key, w in engine.items():
        g = got[key]
        if isinstance(w, str) or w is None:
            if (g or None) != w:
                problems.append(f"Summary {key}: {g!r}, engine: {w!r}")
        elif not isinstance(g, (int, float)) or not math.isclose(g, w, rel_tol=RELATIVE, abs_tol=1e-9):
            problems.append(f"Summary {key}: {g!r}, engine: {w!r}")
        elif w:
            worst = max(worst, abs(g - w) / abs(w))
    WORST[scenario.name] = max(WORST.get(scenario.name, 0.0), worst)
    print(f"\n{scenario.name}: worst relative difference {worst:.2e}")
    return problems


def _total_rows(recalculated) -> dict[str, dict]:
    """The Total row under Monthly and Yearly, by column header."""
    wb = openpyxl.load_workbook(recalculated, data_only=True)
    out = {}
    for sheet in ("Monthly", "Yearly"):
        rows = list(wb[sheet].iter_rows(values_only=True))
        total = next(r for r in rows if r[0] == "Total")
        out[sheet] = dict(zip(rows[0], total))
    return out


def _changed_inputs(scenario) -> dict:
    return {
        "cameras": round(scenario.cameras * 3),
        "device_price": scenario.device_price * 1.7,
        "workload_growth_percent_per_year": 25.0,
    }


COMMITMENT = {"instance_commitment": "three_year", "instance_upfront": "all", "instance_committed_per_hour": 0.226}


def _wrong_electricity():
    """The electricity formula without its cooling overhead (PUE)."""
    electricity = COMPONENT_BY_KEY["electricity"]
    wrong = dataclasses.replace(electricity, excel=electricity.excel.replace("*pue", ""))
    return tuple(wrong if c is electricity else c for c in COMPONENTS)


def _write_cases(tmp) -> dict[str, object]:
    """Every case's workbook of this module, by case: each preset in both views, each preset with three inputs
    changed in the workbook, the GPU preset with a commitment set in the workbook (both views), the edge cases, the
    carbon price in the accounting view, and a workbook with a deliberately wrong formula."""
    paths = {}
    for preset in PRESETS:
        scenario = catalog.preset(preset)
        for view in VIEWS:
            paths[f"{preset}-{view}"] = _write(tmp, scenario, view, name=f"{preset}-{view}")
        paths[f"{preset}-edited"] = _edited(tmp, scenario, _changed_inputs(scenario), name=f"{preset}-edited")
    for view in VIEWS:
        paths[f"commitment-{view}"] = _edited(
            tmp, catalog.preset("smart_city_gpu"), COMMITMENT, view, name=f"commitment-{view}"
        )
    for i, case in enumerate(EDGE_CASES):
        paths[case] = _write(tmp, _edge_case(case), name=f"edge-{i}")
    paths["carbon price, accounting"] = _write(tmp, _edge_case("carbon price"), "accounting", name="carbon-accounting")
    paths["deployment lines, accounting"] = _write(
        tmp, _edge_case("deployment lines"), "accounting", name="deployment-accounting"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(workbook, "COMPONENTS", _wrong_electricity())
        paths["wrong formula"] = _write(tmp, catalog.preset("retail"), name="wrong-formula")
    return paths


@pytest.fixture(scope="module")
def recalculated(libreoffice, tmp_path_factory) -> dict[str, object]:
    """Case → its workbook recalculated by LibreOffice: all of them converted in one run."""
    return converted_once(libreoffice, tmp_path_factory, "scenario-workbooks", _write_cases)


@pytest.mark.parametrize("preset", PRESETS)
def test_libreoffice_recomputes_the_engine(preset, recalculated):
    scenario = catalog.preset(preset)
    recalculated = recalculated[f"{preset}-cash"]
    assert _differences(recalculated, scenario) == []
    a, cur = analyse_one(scenario), scenario.currency
    totals, s = _total_rows(recalculated), summary(a)
    assert totals["Monthly"][f"Cloud total [{cur}]"] == pytest.approx(s["cloud_total_cost"], rel=1e-12)
    assert totals["Monthly"][f"Edge total [{cur}]"] == pytest.approx(s["edge_total_cost"], rel=1e-12)
    assert totals["Monthly"][f"Cloud cumulative [{cur}]"] is None
    assert totals["Yearly"][f"Savings [{cur}]"] == pytest.approx(s["savings_total"], rel=1e-9)
    assert totals["Yearly"][f"Edge capex [{cur}]"] == pytest.approx(s["capex_total"], rel=1e-12, abs=1e-9)


@pytest.mark.parametrize("preset", PRESETS)
def test_changed_inputs_recompute_the_whole_model(preset, recalculated):
    """Three inputs changed in the workbook (cameras ×3, device price ×1.7, growth 25 %/year) and recomputed."""
    scenario = catalog.preset(preset)
    changed = validate({**to_dict(scenario), **_changed_inputs(scenario)})
    assert _differences(recalculated[f"{preset}-edited"], changed) == []


@pytest.mark.parametrize("preset", PRESETS)
def test_accounting_view_recomputes_too(preset, recalculated):
    scenario = catalog.preset(preset)
    assert _differences(recalculated[f"{preset}-accounting"], scenario, "accounting") == []


def test_a_commitment_set_in_the_workbook_recomputes_its_upfront_lump(recalculated):
    """The GPU preset switched to 3 years all upfront in the workbook's own input cells: LibreOffice finds the
    lump, its renewal, the accounting spread and the break-even the engine finds."""
    changed = validate({**to_dict(catalog.preset("smart_city_gpu")), **COMMITMENT})
    for view in VIEWS:
        assert _differences(recalculated[f"commitment-{view}"], changed, view) == []


def test_a_wrong_formula_is_caught(recalculated):
    """The comparison can fail: the electricity formula without its cooling overhead (PUE) is found out."""
    problems = _differences(recalculated["wrong formula"], catalog.preset("retail"))
    assert any(p.startswith("Monthly electricity month 1:") for p in problems)
    assert any(p.startswith("Summary edge_total_cost") for p in problems)


# Every line of inflation, the value kept at the horizon, tax and the site's link non-zero: the GPU preset on a
# 3-year all-upfront commitment renewed at month 37 (unexpired at the horizon of 42), devices refreshed at month 25
# (installation at a year's inflation, 18 months old at the horizon), a metered line with its metered upgrade.
FINANCE_LINES = validate(
    {
        **to_dict(catalog.preset("smart_city_gpu")),
        **COMMITMENT,
        "inflation_percent_per_year": 3,
        "terminal_value": "book_value",
        "tax_rate_percent": 25,
        "link_per_month": 150,
        "link_allowance_gb": 5,
        "link_upgrade_install": 500,
        "link_upgrade_per_month": 225,
        "link_upgrade_allowance_gb": 50,
        "link_upgrade_per_gb": 0.05,
        "link_class": "metered_5g",
        "spares_percent": 5,  # deducted over the life with the devices, as the installation visits
        "install_per_site": 400,
        "horizon_months": 42,
        "feedback_percent": 20,
        "useful_life_months": 24,
        "device_price": 6_000,
    }
)


@pytest.fixture(scope="module")
def finance_lines_recalculated(libreoffice, tmp_path_factory) -> dict[str, object]:
    return converted_once(
        libreoffice,
        tmp_path_factory,
        "finance-lines-workbooks",
        lambda tmp: {view: _write(tmp, FINANCE_LINES, view, name=f"finance-lines-{view}") for view in VIEWS},
    )


def test_inflation_horizon_value_tax_and_link_lines_recompute_in_both_views(finance_lines_recalculated):
    a = analyse_one(FINANCE_LINES)
    for key in ("installation", "terminal_cloud", "terminal_edge", "link_rental", "link_rental_edge", "site_uplink"):
        assert a.costs.values(key)[0].any(), key
    upload_gb = a.costs.values("upload_gb")[0, 0]  # over the upgrade: its 50 GB included, 0.05 a GB above
    assert a.costs.values("site_uplink")[0, 0] == pytest.approx(max(upload_gb - FINANCE_LINES.sites * 50, 0) * 0.05)
    assert a.costs.values("installation")[0, 24] > a.costs.values("installation")[0, 0]  # a year's inflation
    s = summary(a)
    assert s["irr_percent_after_tax"] is not None and s["npv_savings_after_tax"] != s["npv_savings"]
    for view in VIEWS:
        assert _differences(finance_lines_recalculated[view], FINANCE_LINES, view) == []


def test_cached_values_are_the_engines(tmp_path):
    """A viewer that does not recalculate shows the engine's figures: the cached results, read as stored."""
    scenario = catalog.preset("retail")
    a = analyse_one(scenario)
    wb = openpyxl.load_workbook(_write(tmp_path, scenario), data_only=True)
    cached = {row[0]: row[1] for row in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    for key, value in summary(a).items():
        assert (cached[key] or None) == value if not isinstance(value, float) else cached[key] == value, key
    formulas = openpyxl.load_workbook(_write(tmp_path, scenario, name="f"))
    assert formulas["Summary"]["B5"].value.startswith("=")  # a formula, not a pasted value
    assert formulas["Monthly"]["B2"].value.startswith("=")
    texts = [c.value for ws in formulas for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith("=") and ("np." in t or "nan" in t.lower())]


def _cached(path) -> dict[str, list[tuple]]:
    """Each sheet's rows as stored: the cached results, not recalculated."""
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in openpyxl.load_workbook(path, data_only=True)}


def _engine_monthly(a, view: str) -> dict[str, np.ndarray]:
    """The engine's value of every Monthly column, by column key, over the horizon: its quantities and per-month
    factors, cost and carbon lines, the report's monthly table, the finance and carbon series, the discount
    factors, and each break-even's path (its flows, cumulative savings and crossing time per month)."""
    c, f, cash, kg, kg_cash, h = a.costs, a.finance(view), a.cash, a.carbon(view), a.carbon("cash"), a.costs.months
    table, cur = monthly_table(a, view), a.scenario.currency
    start, end = discount_factors(a.scenario.discount_percent_per_year, h)
    m = np.arange(h)
    engine = {"month": m + 1, "m": m, "year": m // 12 + 1}
    engine |= {key: c.values(key)[0] for key in (*c.quantities, *(i.key for i in COMPONENTS + CARBON_COMPONENTS))}
    engine |= {
        key: table[f"{header} [{cur}]"].to_numpy()
        for key, header in (
            ("cloud_total", "Cloud total"),
            ("edge_total", "Edge total"),
            ("cloud_cumulative", "Cloud cumulative"),
            ("edge_cumulative", "Edge cumulative"),
            ("cumulative_savings", "Cumulative savings"),
        )
    }
    flows = {
        "carbon_": kg.break_even_flows,
        "": (f.running_gap_monthly, f.net_capex_monthly),
        "cash_": (cash.running_gap_monthly, cash.net_capex_monthly),
    }
    flows["discounted_"] = (flows["cash_"][0] * end, flows["cash_"][1] * start)
    for prefix, (gap, lumps) in flows.items():
        path = finance.savings_path(gap, lumps)
        engine |= {
            f"{prefix}gap": gap[0],
            f"{prefix}savings_end": path.savings_end[0],
            f"{prefix}crossing": path.crossing[0],
        }
    engine |= {
        key: np.broadcast_to(x, (1, h))[0]
        for key, x in {
            "cloud_running": cash.cloud_running_monthly,
            "cloud_upfront": f.cloud_upfront,
            "cash_capex": cash.edge_capex,
            "cash_running": cash.edge_running_monthly,
            "edge_capex": f.edge_capex,
            "edge_running": f.edge_running_monthly,
            "net_capex": f.net_capex_monthly,
            "cash_net_capex": cash.net_capex_monthly,
            "cloud_kg": kg.cloud_monthly,
            "edge_kg": kg.edge_monthly,
            "edge_kg_running": kg_cash.edge_running_monthly,
            "cloud_kg_cumulative": kg.cloud_cumulative,
            "edge_kg_cumulative": kg.edge_cumulative,
            "discount_start": start,
            "discount_end": end,
            "after_tax_gap": cash.after_tax_flows()[0],
        }.items()
    }
    return engine


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("preset", PRESETS)
def test_every_cached_value_is_the_engines(preset, view, tmp_path):
    """Read as stored (no spreadsheet recalculates it), every formula's cached result is the engine's own value:
    each Monthly column, the Cash flows and IRR, the Summary, the Yearly table and the derived inputs."""
    scenario = catalog.preset(preset)
    a, path = analyse_one(scenario), _write(tmp_path, scenario, view)
    engine, s, stored = _engine_monthly(a, view), summary(a, view), _cached(path)
    rows = stored["Monthly"]
    h = a.costs.months
    header, months = rows[0], rows[1 : h + 1]
    columns = workbook.monthly_columns(scenario.currency)
    assert [c.header for c in columns] == list(header) and set(engine) == {c.key for c in columns}
    for j, column in enumerate(columns):
        got = [r[j] for r in months]
        want = [None if math.isnan(w) else float(w) for w in engine[column.key]]
        assert [g if g != "" else None for g in got] == want, column.key
    for prefix, key in (
        ("cash_", "break_even_month"),
        ("cash_", "payback_months"),
        ("discounted_", "discounted_payback_months"),
        ("carbon_", "carbon_break_even_month"),
    ):
        crossings = engine[f"{prefix}crossing"]
        first = np.nanmin(crossings) if np.isfinite(crossings).any() else None
        assert first is None if s[key] is None else first == pytest.approx(s[key], rel=1e-12, abs=1e-12), key
    flows = [r[1] for r in stored["Cash flows"][1 : h + 2]]
    assert flows == list(cash_flows(a.cash.running_gap_monthly, a.cash.net_capex_monthly)[0])
    raw_irr = a.cash.irr_percent[0]  # the Cash flows sheet holds the rate as found; Summary
    assert (stored["Cash flows"][4][3] or None) == (
        None if math.isnan(raw_irr) else raw_irr
    )  # shows it up to the bound
    cached = {row[0]: row[1] for row in stored["Summary"][1:]}
    assert {key: cached[key] if cached[key] != "" else None for key in s} == s
    yearly = yearly_table(a, view)
    for j, column in enumerate(yearly.columns):
        assert [r[j] for r in stored["Yearly"][1 : len(yearly) + 1]] == list(yearly[column]), column
    figures = {name: float(x[0]) for name, x in scenario_figures(batch([scenario])).items()}
    inputs = {row[0]: row[1] for row in stored["Inputs"] if row[0] in figures}
    assert inputs == figures


def test_yearly_table_by_hand():
    """Year 1 of the retail preset: month 1 (storage half full) + 11 × month 2; capex 10,000 once; a partial last year."""
    a = analyse_one(validate({**to_dict(catalog.preset("retail")), "horizon_months": 30}))
    table = yearly_table(a)
    assert list(table["Months"]) == ["1–12", "13–24", "25–30"]
    first = summary(a)
    cloud = monthly_table(a)["Cloud total [USD]"]
    assert cloud[1] == cloud[2] != cloud[0]
    assert table.iloc[0]["Cloud [USD]"] == pytest.approx(cloud[0] + 11 * cloud[1], rel=1e-12)
    assert list(table["Edge capex [USD]"]) == [10_000, 0, 0]
    assert table.iloc[2]["Edge running [USD]"] == pytest.approx(6 * monthly_table(a)["Edge total [USD]"][1], rel=1e-12)
    assert table["Cumulative savings [USD]"].iloc[-1] == pytest.approx(first["savings_total"], rel=1e-12)


def test_cli_writes_the_workbook(tmp_path, capsys):
    from planner.cli import main

    out = tmp_path / "report.xlsx"
    assert main(["report", "--preset", "vessel", "--format", "xlsx", "--out", str(out)]) == 0
    wb = openpyxl.load_workbook(out, data_only=True)
    assert wb.sheetnames == list(workbook.SHEETS)
    keys = [row[0] for row in wb["Summary"].iter_rows(min_row=2, values_only=True)]
    assert keys == list(summary(analyse_one(catalog.preset("vessel"))))
    assert not list(tmp_path.glob(".*.tmp"))  # written through a renamed temporary file
    assert main(["report", "--preset", "vessel", "--format", "xlsx"]) == 2
    assert "needs --out" in capsys.readouterr().err


def test_discounted_payback_by_hand():
    """Retail: capex 10,000 at go-live; month 1 saves g = cloud − edge running, discounted to its end at 8 %/year:
    the discounted payback is 10,000 / (g × 1.08^(−1/12)) months when that is under one month."""
    a = analyse_one(catalog.preset("retail"))
    s = summary(a)
    g = s["cloud_monthly_cost"] - s["edge_monthly_cost"]
    assert s["discounted_payback_months"] == pytest.approx(10_000 / (g * 1.08 ** (-1 / 12)), rel=1e-12)
    assert s["discounted_payback_months"] > s["payback_months"]
    never = analyse_one(validate({**to_dict(catalog.preset("retail")), "device_price": 1_000_000}))
    assert summary(never)["discounted_payback_months"] is None


def test_workbook_formulas_name_what_the_documented_formulas_name():
    """Each component's workbook formula uses every input and helper its docs/FORMULAS.md line names."""
    import re

    from planner.schema.scenario import FIELD_BY_NAME

    helpers = {c.key for c in workbook.HELPERS if c.key != "m"} | {"operating_h", "other_h", "operating_s"}
    docs = (__import__("pathlib").Path(__file__).parent.parent / "docs" / "FORMULAS.md").read_text()
    for info in COMPONENTS:
        assert f"`{info.formula}`" in docs, info.key  # the line the workbook mirrors
        named = {t for t in re.findall(r"[a-z_]+", info.formula) if t in FIELD_BY_NAME or t in helpers}
        missing = {t for t in named if not re.search(rf"\b{t}\b", info.excel)}
        assert not missing, (info.key, missing)


EDGE_CASES = {
    "never pays back": {"device_price": 1_000_000, "sizing_headroom_percent": 500},
    "no capex": {"device_price": 0, "install_per_device": 0},
    "one month, serverless, frames": {"horizon_months": 1, "inference_pricing": "serverless", "cloud_upload": "frames"},
    "refresh, growth and price changes": {
        "horizon_months": 120,
        "useful_life_months": 18,
        "workload_growth_percent_per_year": 40,
        "electricity_price_change_percent_per_year": 5,
        "bandwidth_price_change_percent_per_year": -10,
        "retention_days": 400,
        "device_sizing": "auto",
        "management_basis": "per_device",
    },
    "instances, 1-year partial upfront, growing": {
        "inference_pricing": "instances",
        "instance_inferences_per_s": 40,
        "instance_commitment": "one_year",
        "instance_upfront": "partial",
        "instance_committed_per_hour": 0.316,
        "horizon_months": 40,
        "workload_growth_percent_per_year": 60,
        "cloud_fee_change_percent_per_year": 3,
    },
    "instances, spot scaled to zero, shrinking": {
        "inference_pricing": "instances",
        "instance_inferences_per_s": 30,
        "instance_commitment": "spot",
        "instance_billing": "scale_to_zero",
        "hours_per_day": 12,
        "instance_endpoint_surcharge_percent": 15,
        "inference_discount_percent": 5,
        "workload_growth_percent_per_year": -40,
    },
    # carbon as money on both sides, a clean grid (the carbon break-even falls inside), refreshes bought again
    # a shrinking load under 1-year commitments: each renewal buys what its month needs
    "instances, 1-year commitments, shrinking": {
        "inference_pricing": "instances",
        "instance_inferences_per_s": 4,
        "instance_commitment": "one_year",
        "instance_upfront": "partial",
        "instance_committed_per_hour": 0.316,
        "horizon_months": 40,
        "workload_growth_percent_per_year": -40,
    },
    # mid-month discounting at 20 %/year: the NPV's running term and the discounted payback's helper follow
    "mid-month discounting": {"discount_timing": "mid_month", "discount_percent_per_year": 20, "device_price": 60_000},
    "carbon price": {
        "carbon_price_per_tonne": 120,
        "grid_kgco2e_per_kwh": 0.056,
        "useful_life_months": 24,
        "failure_percent_per_year": 10,
    },
    # every deployment line at once: a spares pool, support, visits at go-live and at each refresh, call-outs and
    # per-device and per-GPU licences, on a growing auto-sized fleet whose spares' emissions are priced
    "deployment lines": {
        "spares_percent": 7,
        "hardware_support_per_device_year": 240,
        "install_per_site": 500,
        "truck_roll_per_visit": 300,
        "licence_per_device_year": 120,
        "licence_per_gpu_year": 4500,
        "gpus_per_device": 2,
        "sites": 3,
        "useful_life_months": 18,
        "horizon_months": 40,
        "device_sizing": "auto",
        "workload_growth_percent_per_year": 30,
        "carbon_price_per_tonne": 80,
        "storage_put_per_1000": 0.005,
        "storage_get_per_1000": 0.0004,
        "storage_reads_per_object": 2,
        "video_segment_s": 6,
        "feedback_percent": 3,
        "cloud_fee_change_percent_per_year": 4,
        "cloud_support_plan": "business",
        "nat_gateway_per_gb": 0.045,
        "logging_per_gb": 0.5,
        "log_kb_per_inference": 2,
        "retraining_gpu_hours_per_month": 8,
        "retraining_per_gpu_hour": 1.006,
        "labelling_per_image": 0.036,
    },
    "storage requests, frames, enterprise support": {
        "cloud_upload": "frames",
        "storage_put_per_1000": 0.005,
        "storage_get_per_1000": 0.0004,
        "workload_growth_percent_per_year": 20,
        "cloud_support_plan": "enterprise",
        "load_balancer_per_hour": 0.0225,
        "load_balancer_per_gb": 0.008,
        "nat_gateway_per_hour": 0.045,
        "nat_gateway_per_gb": 0.045,
        "logging_per_gb": 0.5,
        "fx_rate": 0.9,
        "currency": "EUR",
    },
    # business support on a bill with an upfront commitment in its month, growing through the 7 % tier
    "business support on commitments": {
        "inference_pricing": "instances",
        "instance_inferences_per_s": 5,
        "instance_commitment": "one_year",
        "instance_upfront": "partial",
        "instance_committed_per_hour": 0.316,
        "horizon_months": 30,
        "workload_growth_percent_per_year": 80,
        "cloud_support_plan": "business",
        # your own model on instances: retrained and labelled on both sides
        "retraining_gpu_hours_per_month": 12,
        "retraining_per_gpu_hour": 1.006,
        "labelling_per_image": 0.036,
        "labelled_percent": 40,
    },
}


def _edge_case(case: str):
    return validate({**to_dict(catalog.preset("smart_city")), **EDGE_CASES[case]})


@pytest.mark.parametrize("case", EDGE_CASES)
def test_libreoffice_agrees_on_edge_cases(case, recalculated):
    """Blank break-even, IRR and ROI where the engine says null; one-month horizons; refresh with growth."""
    assert _differences(recalculated[case], _edge_case(case)) == []


def test_carbon_price_recomputes_in_the_accounting_view_too(recalculated):
    """Spread embodied emissions priced beside depreciation; carbon lines and the carbon summary recomputed."""
    assert _differences(recalculated["carbon price, accounting"], _edge_case("carbon price"), "accounting") == []


def test_deployment_lines_recompute_in_the_accounting_view_too(recalculated):
    """The spares pool's and the visits' spread over the life, beside depreciation, recomputed by LibreOffice."""
    assert (
        _differences(recalculated["deployment lines, accounting"], _edge_case("deployment lines"), "accounting") == []
    )
