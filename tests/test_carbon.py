"""Carbon: emissions per month and side through the cost engine, by hand; the carbon break-even; the internal
carbon price as cost components; the coefficient catalog; the CLI, the exports and the Costs page."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from app_support import start
from flat_scenario import flat

from planner.catalogs import catalog
from planner.cli import main
from planner.exports import report
from planner.model import costs, explain
from planner.schema.scenario import from_share_token, parse_json, replace, to_dict, to_share_token, validate

pytestmark = pytest.mark.unit

DATA = Path(__file__).resolve().parent.parent / "data"


def kg_line(scenario, key, view_month=0):
    return report.analyse_one(scenario).costs.values(key)[0, view_month]


# ── The engine, by hand ──────────────────────────────────────────────────────────────────────────────
def test_device_energy_by_hand():
    # 5 devices × 300 W × 720 h (24 h × 30 days, no idle hours left to count, PUE 1) = 1,080 kWh × 0.4 kg/kWh
    s = flat(
        device_watts=300,
        hours_per_day=24,
        days_per_month=30,
        devices_manual=5,
        idle_power_percent=0,
        pue=1,
        grid_kgco2e_per_kwh=0.4,
    )
    assert kg_line(s, "edge_energy") == pytest.approx(5 * 300 * 720 / 1000 * 0.4) == pytest.approx(432.0)
    # the same kWh as the electricity cost line: 1,080 kWh at 1 USD/kWh
    assert kg_line(replace(s, electricity_per_kwh=1), "electricity") == pytest.approx(1_080.0)


def test_embodied_emissions_spread_over_the_useful_life_by_hand():
    s = flat(device_embodied_kgco2e=100, useful_life_months=48, horizon_months=60)
    a = report.analyse_one(s)
    assert a.costs.values("edge_embodied")[0, :48] == pytest.approx(np.full(48, 100 / 48))
    assert 100 / 48 == pytest.approx(2.083, abs=5e-4)
    bought = a.costs.values("edge_purchase")[0]  # cash view: when bought (0 and 48)
    assert bought.nonzero()[0].tolist() == [0, 48] and bought[0] == 100.0
    # failures: 1 device × 12 %/year ÷ 12 × 100 kg = 1 kg a month
    assert kg_line(replace(s, failure_percent_per_year=12), "edge_failures") == pytest.approx(1.0)


def test_cloud_lines_by_hand():
    # 1 camera × 0.4 frames/s × 360,000 s = 144,000 images × 0.01 s = 1,440 accelerator-s
    s = flat(
        cloud_accelerator_s_per_inference=0.01,
        cloud_accelerator_watts=250,
        cloud_pue=1.2,
        cloud_grid_kgco2e_per_kwh=0.5,
        network_kwh_per_gb=0.002,
        result_kb=0,
        cloud_embodied_kgco2e_per_accelerator_hour=0.01,
    )
    assert kg_line(s, "cloud_energy") == pytest.approx(1_440 * 250 / 3.6e6 * 1.2 * 0.5)  # 0.06 kg
    assert kg_line(s, "cloud_network") == pytest.approx(360 * 0.002 * 0.5)  # 360 GB of video
    assert kg_line(s, "cloud_embodied") == pytest.approx(1_440 / 3600 * 0.01)


CROSSING = dict(
    device_watts=100,
    idle_power_percent=0,
    pue=1,
    grid_kgco2e_per_kwh=1.0,  # 100 h × 0.1 kW = 10 kg
    cloud_accelerator_s_per_inference=0,
    cloud_embodied_kgco2e_per_accelerator_hour=0,
    network_kwh_per_gb=0.1,
    cloud_grid_kgco2e_per_kwh=1.0,
    result_kb=0,  # 360 GB × 0.1 = 36 kg
    device_embodied_kgco2e=130,
    horizon_months=36,
)


def test_carbon_break_even_by_hand():
    # The edge saves 36 − 10 = 26 kg a month; its device's 130 kg are paid back after 130 / 26 = 5 months.
    s = report.summary(report.analyse_one(flat(**CROSSING)))
    assert s["carbon_break_even_month"] == pytest.approx(5.0)
    assert s["cloud_kgco2e_total"] == pytest.approx(36 * 36)
    assert s["edge_kgco2e_total"] == pytest.approx(36 * 10 + 130)
    assert s["edge_embodied_kgco2e"] == 130.0
    # The accounting view spreads the 130 kg over 48 months; the break-even still counts them when bought.
    acc = report.summary(report.analyse_one(flat(**CROSSING)), "accounting")
    assert acc["edge_kgco2e_total"] == pytest.approx(36 * (10 + 130 / 48))
    assert acc["carbon_break_even_month"] == pytest.approx(5.0)
    # An edge that emits more every month never pays back: null, a normal answer.
    never = report.summary(report.analyse_one(flat(**{**CROSSING, "grid_kgco2e_per_kwh": 2.0, "device_watts": 200})))
    assert never["carbon_break_even_month"] is None
    # Nothing emitted on either side: nothing to pay back.
    nothing = report.summary(
        report.analyse_one(
            flat(**{**CROSSING, "grid_kgco2e_per_kwh": 0, "network_kwh_per_gb": 0, "device_embodied_kgco2e": 0})
        )
    )
    assert nothing["carbon_break_even_month"] is None


def test_carbon_price_adds_exactly_tonnes_times_price():
    base = flat(**CROSSING)
    priced = replace(base, carbon_price_per_tonne=50)
    a, b = report.summary(report.analyse_one(base)), report.summary(report.analyse_one(priced))
    # cloud: 36 kg a month × 50 / 1000 = 1.8; edge: 10 kg a month → 0.5, plus 130 kg at purchase → 6.5 at go-live
    assert b["cloud_total_cost"] - a["cloud_total_cost"] == pytest.approx(a["cloud_kgco2e_total"] / 1000 * 50)
    assert b["edge_total_cost"] - a["edge_total_cost"] == pytest.approx(a["edge_kgco2e_total"] / 1000 * 50)
    assert b["cloud_monthly_cost"] - a["cloud_monthly_cost"] == pytest.approx(1.8)
    # the 6.5 at go-live is its own line, not capex (out of ROI's denominator)
    assert b["edge_capex"] == a["edge_capex"] and b["capex_total"] == a["capex_total"]
    assert report.analyse_one(priced).costs.values("carbon_edge_purchase")[0, 0] == pytest.approx(6.5)
    assert b["edge_monthly_cost"] - a["edge_monthly_cost"] == pytest.approx(0.5)
    # visible in the component breakdown, on both sides
    table = report.monthly_table(report.analyse_one(priced))
    assert table["Cloud: Carbon price [USD]"][0] == pytest.approx(1.8)
    assert table["Edge: Carbon price: devices bought [USD]"][0] == pytest.approx(6.5)
    assert table["Edge: Carbon price: operation [USD]"][0] == pytest.approx(0.5)
    accounting = report.monthly_table(report.analyse_one(priced), "accounting")
    assert accounting["Edge: Carbon price: devices (spread) [USD]"][0] == pytest.approx(130 / 48 / 1000 * 50)


@pytest.mark.parametrize("preset", sorted(catalog.presets()))
def test_no_carbon_price_changes_no_money_figure(preset):
    s = catalog.preset(preset)
    assert s.carbon_price_per_tonne == 0
    tweaked = replace(s, grid_kgco2e_per_kwh=1.5, device_embodied_kgco2e=5_000, cloud_accelerator_watts=900)

    def money(x):
        return {
            k: v
            for k, v in report.summary(report.analyse_one(x)).items()
            if "kgco2e" not in k and k != "carbon_break_even_month"
        }

    assert money(tweaked) == money(s)
    assert not any("Carbon price" in c for c in report.monthly_table(report.analyse_one(s)).columns)


def test_a_batch_with_and_without_a_price_matches_each_row_alone():
    rows = [flat(**CROSSING), flat(**CROSSING, carbon_price_per_tonne=80)]
    together = costs.evaluate(costs.batch(rows))
    for i, s in enumerate(rows):
        alone = costs.evaluate(costs.batch([s]))
        for side in ("cloud", "edge"):
            assert together.total(side)[i] == pytest.approx(alone.total(side)[0])


@pytest.mark.parametrize("name", ["smart_city", "manufacturing"])
def test_the_explainer_agrees_with_the_engine_on_every_carbon_line(name):
    s = replace(
        catalog.preset(name),
        workload_growth_percent_per_year=40,
        device_sizing="auto",
        useful_life_months=12,
        horizon_months=30,
        carbon_price_per_tonne=90,
    )
    a = report.analyse_one(s)
    for m in range(0, 30, 7):
        for step in explain.carbon_month(s, m):
            assert step.value == pytest.approx(a.costs.values(step.key)[0, m], rel=1e-9, abs=1e-9), (m, step.key)
        for step in explain.month(s, m):
            assert step.value == pytest.approx(a.costs.values(step.key)[0, m], rel=1e-9, abs=1e-9), (m, step.key)
    first = {st.key: st for st in explain.carbon_month(catalog.preset("retail"), 0)}
    assert (
        "× 0.4808 kg/kWh" in first["edge_energy"].arithmetic and "5 devices × 250 W" in first["edge_energy"].arithmetic
    )


# ── The catalog ──────────────────────────────────────────────────────────────────────────────────────
def test_every_carbon_row_has_a_source_and_a_date():
    with (DATA / "carbon.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 30
    for row in rows:
        assert row["source"].strip() and len(row["source"]) > 20, row["id"]
        assert row["as_of"][:4].isdigit() and row["as_of"][4] == "-", row["id"]
        assert row["unit"].strip(), row["id"]
    assert {r["kind"] for r in rows} == {
        "grid",
        "cloud_region",
        "cloud_pue",
        "accelerator",
        "network",
        "cloud_embodied",
        "device_embodied",
    }


def test_cloud_regions_the_region_picker_links_to():
    cat = catalog.load()
    wanted = {
        ("aws", "us-east-1"),
        ("aws", "eu-west-1"),
        ("aws", "ap-southeast-1"),
        ("azure", "eastus"),
        ("azure", "westeurope"),
        ("azure", "southeastasia"),
        ("gcp", "us-central1"),
        ("gcp", "europe-west4"),
        ("gcp", "asia-southeast1"),
    }
    assert {(r["provider"], r["id"]) for r in cat.carbon_rows("cloud_region")} == wanted
    # Cloud Carbon Footprint's factors (t/kWh in its code, kg/kWh here)
    assert cat.cloud_region_fields("aws", "eu-west-1") == {"cloud_grid_kgco2e_per_kwh": 0.2786, "cloud_pue": 1.135}
    assert cat.cloud_region_fields("gcp", "us-central1") == {"cloud_grid_kgco2e_per_kwh": 0.456, "cloud_pue": 1.1}
    assert cat.cloud_region_fields("azure", "westeurope")["cloud_pue"] == 1.185


def test_picking_a_device_fills_its_embodied_emissions():
    cat = catalog.load()
    for d in cat.hardware:
        fields = cat.device_fields(d["id"])
        assert fields["device_embodied_kgco2e"] == cat.carbon_row("device_embodied", d["id"])["value"] > 0
    for key, s in cat.presets.items():
        assert s.device_embodied_kgco2e == cat.device_fields(s.device_id)["device_embodied_kgco2e"], key
        cited = {p.picker: p for p in cat.provenance(s)}
        assert "device" in cited and "device_embodied" in cited, key
        assert cited["device_embodied"].as_of and cited["device_embodied"].source


def test_a_bad_carbon_row_is_refused_with_file_and_line(tmp_path):
    import shutil

    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    text = (copy / "carbon.csv").read_text(encoding="utf-8").replace(",0.2786,", ",-1,")
    (copy / "carbon.csv").write_text(text, encoding="utf-8")
    with pytest.raises(catalog.CatalogError, match=r"carbon\.csv:\d+: value"):
        catalog.load.__wrapped__(copy)


# ── Scenario files, links, CLI, exports ──────────────────────────────────────────────────────────────
def test_old_scenario_files_load_with_carbon_defaults_and_links_round_trip():
    old = {
        k: v
        for k, v in to_dict(catalog.preset("retail")).items()
        if "co2" not in k
        and k
        not in (
            "cloud_pue",
            "cloud_accelerator_watts",
            "cloud_accelerator_s_per_inference",
            "network_kwh_per_gb",
            "carbon_price_per_tonne",
        )
    }
    s = parse_json(json.dumps(old))
    assert s.grid_kgco2e_per_kwh == 0.4808 and s.carbon_price_per_tonne == 0
    changed = replace(s, grid_kgco2e_per_kwh=0.056, carbon_price_per_tonne=100, device_embodied_kgco2e=42.5)
    assert from_share_token(to_share_token(changed)) == changed
    with pytest.raises(ValueError, match="grid_kgco2e_per_kwh = 3 is not valid: allowed 0 to 2 kg CO₂e/kWh"):
        validate({**to_dict(s), "grid_kgco2e_per_kwh": 3})


def run_cli(*args, capsys):
    assert main(list(args)) == 0
    return capsys.readouterr().out


def test_cli_json_and_csv_carry_the_carbon_figures(capsys):
    out = run_cli(
        "report",
        "--preset",
        "smart_city",
        "--set",
        "grid_kgco2e_per_kwh=0.056",
        "--set",
        "carbon_price_per_tonne=100",
        "--format",
        "json",
        capsys=capsys,
    )
    s = json.loads(out)
    for key in ("cloud_kgco2e_total", "edge_kgco2e_total", "carbon_break_even_month"):
        assert key in s
    assert s["carbon_price_per_tonne"] == 100
    a = report.analyse_one(replace(catalog.preset("smart_city"), grid_kgco2e_per_kwh=0.056, carbon_price_per_tonne=100))
    assert s["edge_kgco2e_total"] == pytest.approx(a.carbon().edge_total[0])
    text = run_cli("report", "--preset", "smart_city", "--format", "csv", capsys=capsys)
    summary = report.read_report_section(text, "Summary").set_index("metric")
    assert float(summary.loc["Edge emissions over the horizon", "value"]) == pytest.approx(  # a text column
        report.summary(report.analyse_one(catalog.preset("smart_city")))["edge_kgco2e_total"], rel=1e-6
    )
    monthly = report.read_report_section(text, "Monthly")
    assert monthly["Edge carbon cumulative [kg CO₂e]"].iloc[-1] == pytest.approx(
        float(summary.loc["Edge emissions over the horizon", "value"]), abs=0.01
    )
    fields = run_cli("fields", capsys=capsys)
    assert "carbon_price_per_tonne" in fields and "USD per tonne" in fields


# ── The Costs page ───────────────────────────────────────────────────────────────────────────────────
def test_costs_page_shows_carbon_and_the_price_adds_a_component():
    at = start()
    at.switch_page("pages/costs.py").run()
    assert not at.exception
    a = report.analyse_one(catalog.preset("retail"))
    cards = {m.label: m.value for m in at.metric}
    assert cards["Cloud, 36 months"] == f"{a.carbon().cloud_total[0] / 1000:,.1f} t CO₂e"
    assert cards["Edge, 36 months"] == f"{a.carbon().edge_total[0] / 1000:,.1f} t CO₂e"
    assert cards["Carbon break-even"] == "Not by month 36"  # 5 servers emit more than the cloud share
    at.number_input(key="costs.carbon_price_per_tonne").set_value(100.0).run()
    assert not at.exception
    priced = report.analyse_one(replace(catalog.preset("retail"), carbon_price_per_tonne=100))
    table = next(d.value for d in at.dataframe if "Cloud: Carbon price [USD]" in d.value.columns)
    assert float(table["Cloud: Carbon price [USD]"].iloc[0]) == pytest.approx(
        priced.carbon().cloud_monthly[0, 0] / 1000 * 100
    )


# ── Tornado and Monte Carlo ──────────────────────────────────────────────────────────────────────────
def test_tornado_and_monte_carlo_carry_carbon():
    from planner.model import risk

    s = flat(**CROSSING)
    table = risk.tornado(s, inputs=("grid_kgco2e_per_kwh", "cameras"), percent=50).set_index("input")
    # grid 0.5 → 1.5 kg/kWh: the edge's 10 kWh a month emit 5 → 15 kg; avoided = 36 × 36 − (36 × edge + 130)
    assert table.loc["grid_kgco2e_per_kwh", "kgco2e_avoided_low"] == pytest.approx(36 * 36 - 36 * 5 - 130)
    assert table.loc["grid_kgco2e_per_kwh", "kgco2e_avoided_high"] == pytest.approx(36 * 36 - 36 * 15 - 130)
    assert table.loc["grid_kgco2e_per_kwh", "kgco2e_swing"] == pytest.approx(360)
    assert "Site grid intensity (1.0 → 0.6 t CO₂e)" in risk.carbon_tornado_text(table.reset_index())
    mc = risk.monte_carlo(s, {"grid_kgco2e_per_kwh": risk.Distribution("uniform", low=0.5, high=1.5)}, draws=400)
    # avoided = 1,296 − 36 × 10 × grid − 130 kg, and the break-even = 130 / (36 − 10 × grid) months
    assert mc.kgco2e_avoided.max() <= 1_296 - 36 * 5 - 130 + 1e-6
    assert mc.kgco2e_avoided.min() >= 1_296 - 36 * 15 - 130 - 1e-6
    implied_grid = (1_296 - 130 - mc.kgco2e_avoided) / 360
    assert mc.carbon_break_even == pytest.approx(130 / (36 - 10 * implied_grid))
    assert "simulated futures" in mc.carbon_headline() and "t CO₂e" in mc.carbon_headline()


def test_scenario_page_pickers_fill_the_carbon_inputs():
    at = start()
    at.segmented_control(key="scenario.group").set_value("Carbon").run()
    assert not at.exception
    at.selectbox(key="scenario.cloud_region").set_value("gcp:europe-west4").run()
    at.selectbox(key="scenario.grid").set_value("FR").run()
    s = at.session_state["scenario"]
    assert (s.cloud_grid_kgco2e_per_kwh, s.cloud_pue, s.grid_kgco2e_per_kwh) == (0.283, 1.1, 0.056)
    assert "Source: Google Cloud europe-west4 (Netherlands): Cloud Carbon Footprint" in " ".join(
        c.value for c in at.caption
    )
    at.segmented_control(key="scenario.group").set_value("Edge").run()
    at.selectbox(key="scenario.device").set_value("jetson-agx-orin-64gb").run()
    assert at.session_state["scenario"].device_embodied_kgco2e == 60.0  # the device's row in carbon.csv


def test_cloud_instances_emit_what_is_billed():
    # 1 camera × 0.4 frames/s × 360,000 s = 144,000 images a month ÷ 4 per second per instance = 36,000 s = 10 busy
    # hours; one instance always on is billed 730.5 h, so 720.5 h idle at 15 % of 71 W:
    # (10 × 0.85 + 0.15 × 730.5) h × 0.071 kW = 8.383325 kWh × PUE 1.135 × 0.379069 kg/kWh; its embodied share
    # follows the billed hours: 730.5 × 0.00785 kg.
    s = flat(
        inference_pricing="instances",
        instance_inferences_per_s=4,
        instance_headroom_percent=0,
        instance_min_count=1,
        instance_billing="always_on",
        instance_commitment="on_demand",
    )
    c = report.analyse_one(s).costs
    assert c.values("instances")[0, 0] == 1
    assert c.values("cloud_energy")[0, 0] == pytest.approx((10 * 0.85 + 0.15 * 730.5) * 0.071 * 1.135 * 0.379069)
    assert c.values("cloud_embodied")[0, 0] == pytest.approx(730.5 * 0.00785)
    # per-image pricing keeps the accelerator time per inference: 144,000 × 0.005 s × 71 W ÷ 3.6×10⁶
    per_image = report.analyse_one(replace(s, inference_pricing="per_image")).costs
    assert per_image.values("cloud_energy")[0, 0] == pytest.approx(144_000 * 0.005 * 71 / 3.6e6 * 1.135 * 0.379069)
