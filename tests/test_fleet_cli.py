"""`python -m planner fleet`: the issue's JSON keys, the CSV tables, one line and exit 2 for bad input."""

import io
import json
import math

import pandas as pd
import pytest

from planner.catalogs import catalog
from planner.cli import main
from planner.fleet import inventory as fleet_inventory
from planner.fleet import programme as fleet_programme
from planner.fleet import tables as fleet_tables

pytestmark = pytest.mark.cli

CSV = (
    "site,count,go_live_month,pin,cameras,connectivity,privacy\nA,1,0,,50,fiber,\nB,40,6,,10,metered_5g,on_site\n"
    "C,2,3,cloud,,,none\n"
)


@pytest.fixture
def sites(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def run(capsys, *args) -> str:
    assert main(["fleet", *map(str, args)]) == 0
    return capsys.readouterr().out


def test_json_has_the_plan_and_site_keys(capsys, sites):
    out = json.loads(run(capsys, "--sites", sites, "--format", "json"))
    for plan in ("all_cloud", "all_edge", "recommended"):
        assert {"capex_total", "break_even_month", "npv", "irr_percent", "tco"} <= set(out["plans"][plan])
    assert [s["name"] for s in out["sites"]] == ["A", "B", "C"]
    assert {"name", "placement", "devices", "capex", "monthly_saving", "payback_month"} <= set(out["sites"][0])
    # C is pinned to the cloud: no devices, no capex. Rows without a device count of their own are sized from their
    # load on the preset's seed server (15.2 inferences/s): B is 40 sites × ceil(10 × 0.4 × 1.3 = 5.2 ÷ 15.2) = 1.
    assert (out["sites"][2]["placement"], out["sites"][2]["capex"]) == ("cloud", 0)
    assert out["sites"][1]["devices"] == 40 and out["sites"][1]["placement"] == "edge_only"
    # A's 50 cameras of video (200 Mbps) do not fit its 100 Mbps link: it is costed with the cheapest design the link
    # carries, which money prefers to its ceil(50 × 0.52 = 26 ÷ 15.2) = 2 devices: A stays in the cloud.
    assert (out["sites"][0]["placement"], out["sites"][0]["devices"]) == ("cloud", 0)
    assert out["sites_link_too_thin"] == ["A", "C"]  # C has the preset's 50 cameras too
    # The recommended plan's capex: B's 40 devices at 2,000 (no installation).
    assert out["plans"]["recommended"]["capex_total"] == pytest.approx(40 * 2000)


def test_csv_tables_are_read_by_pandas_without_options(capsys, sites):
    per_site = pd.read_csv(io.StringIO(run(capsys, "--sites", sites, "--format", "csv")))
    assert list(per_site.columns) == list(fleet_tables.SITE_COLUMNS) and len(per_site) == 3
    monthly = pd.read_csv(io.StringIO(run(capsys, "--sites", sites, "--format", "csv", "--table", "monthly")))
    assert len(monthly) == 36 and monthly["month"].tolist() == list(range(1, 37))
    assert run(capsys, "--sites", sites, "--format", "csv", "--table", "inventory") == CSV


def test_out_writes_the_same_text(capsys, sites, tmp_path):
    out = tmp_path / "plan.json"
    assert main(["fleet", "--sites", str(sites), "--format", "json", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == run(capsys, "--sites", sites, "--format", "json")


def test_sites_name_the_device_each_is_costed_with(capsys, tmp_path):
    # A names a catalog device: ceil(50 × 0.4 × 1.3 / min(256 × 50 %, 18 streams × 0.4)) = 4 × 700; B keeps
    # the preset's device sized from its load, ceil(26 / min(500 × 50 %, 38 streams × 0.4)) = 2 × 2,000;
    # C asks the catalog and gets what the search picks. A and B are pinned to the edge (their devices counted).
    path = tmp_path / "devices.csv"
    path.write_text(
        "site,device,site_power_watts,pin\nA,jetson-orin-nx-16gb,,split_brain_edge\nB,,,split_brain_edge\n"
        "C,catalog,100,\n",
        encoding="utf-8",
    )
    sites = json.loads(run(capsys, "--sites", path, "--format", "json"))["sites"]
    assert [(s["device"], s["devices"], s["capex"]) for s in sites[:2]] == [
        ("jetson-orin-nx-16gb", 4, 2800),
        ("seed-edge-server", 2, 4_000),
    ]
    chosen = fleet_tables.site_table(
        fleet_programme.evaluate(fleet_inventory.make_fleet(path.read_text(), catalog.preset("retail")))
    )
    assert sites[2]["device"] == chosen.loc[2, "device"] != "seed-edge-server"
    per_site = pd.read_csv(io.StringIO(run(capsys, "--sites", path, "--format", "csv")))
    assert per_site["device"].tolist() == [s["device"] for s in sites]
    table = run(capsys, "--sites", path).splitlines()
    assert "Device" in next(line for line in table if line.startswith("Site "))
    assert [next(line for line in table if line.startswith(f"{s['name']} ")).split()[5] for s in sites] == [
        s["device"] for s in sites
    ]


@pytest.mark.parametrize(
    "text, message",
    [
        ("site,cameras\nA,10\nB,lots\n", "row 2, column cameras: 'lots' is not a number"),
        ("site,go_live_month\nA,36\n", "row 1, column go_live_month: 36 is outside 0 to 35"),
        ("site,pin\nA,edge\n", "row 1, column pin: 'edge' is not a placement"),
        ("site,device\nA,orin\n", "row 1, column device: 'orin' is not a catalog device id or \"catalog\""),
        ("", "the inventory is empty"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    assert main(["fleet", "--sites", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_missing_file_and_unknown_preset_exit_2(capsys, tmp_path):
    assert main(["fleet", "--sites", str(tmp_path / "none.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["fleet", "--fleet", "atlantis"]) == 2
    assert "unknown fleet preset 'atlantis'" in capsys.readouterr().err


@pytest.mark.parametrize("key", ["retail_chain", "city_intersections"])
def test_bundled_fleets_evaluate(capsys, key):
    out = json.loads(run(capsys, "--fleet", key, "--format", "json"))
    assert out["sites_total"] == {"retail_chain": 120, "city_intersections": 40}[key]
    assert out["plans"]["all_edge"]["capex_total"] > 0
    # A fleet preset round-trips through its own JSON export.
    f = fleet_inventory.preset(key)
    assert fleet_inventory.parse_fleet_json(fleet_inventory.fleet_json(f)).inventory.table.equals(f.inventory.table)


def test_the_retail_chain_rolls_out_in_waves(capsys):
    # Flagships at month 0 (10 × 8 servers), standard stores at 3 (50 × 5), every server 2,000 (retail preset,
    # no installation): capex 160,000 in Q1, 500,000 in Q2. Small shops at 6 take the catalog's pick: 8 cameras ×
    # 0.4 frames/s × 1.3 headroom = 4.16 inferences/s, which one Orin Nano Super sustains (its 11 decoded
    # streams × 0.4 = 4.4/s, below 286 × 50 % derated): 60 × 1 × 249 in Q3.
    out = json.loads(run(capsys, "--fleet", "retail_chain", "--format", "json"))
    nano = pd.read_csv(catalog.DATA_DIR / "hardware.csv").set_index("id").loc["jetson-orin-nano-super"]
    sustained = min(nano["throughput_ips"] * 0.5, nano["decode_1080p30_streams"] * 0.4)
    assert math.ceil(8 * 0.4 * 1.3 / sustained) == 1
    small = out["sites"][2]
    assert (small["device"], small["devices"]) == ("jetson-orin-nano-super", 60)
    assert out["plans"]["all_edge"]["capex_by_quarter"][:3] == [
        160_000,
        500_000,
        60 * (nano["unit_price_usd"] + nano["host_usd"]),
    ]


# ── The base: stated in the output, chosen with --preset, --scenario or --base ─────────────────────────
MANUAL = "site,count,devices_manual,device_sizing\nA,3,2,manual\n"  # capex: 3 × 2 × (device price + installation)


def test_an_inventory_states_its_base_and_base_picks_it(capsys, tmp_path):
    path = tmp_path / "manual.csv"
    path.write_text(MANUAL, encoding="utf-8")
    retail, city = catalog.preset("retail"), catalog.preset("smart_city")
    table = run(capsys, "--sites", path, "--months", 12).splitlines()
    assert (
        table[2] == f"Base: “{retail.name}”, the bundled preset retail (preset:retail); a blank cell takes its value."
    )
    out = json.loads(run(capsys, "--sites", path, "--months", 12, "--base", "preset:smart_city", "--format", "json"))
    assert out["base"] == {"name": city.name, "source": "preset:smart_city"}
    assert out["plans"]["all_edge"]["capex_total"] == 3 * 2 * (city.device_price + city.install_per_device) == 5_094
    assert json.loads(run(capsys, "--sites", path, "--base", "smart_city", "--format", "json"))["base"] == out["base"]


def test_base_takes_a_saved_plans_revision(capsys, tmp_path, monkeypatch):
    from planner.plans.store import Store
    from planner.plans.workspace import Workspace

    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{tmp_path / 'plans.sqlite3'}")
    vessel = catalog.preset("vessel")
    db = Store()
    saved = db.save(Workspace(catalog.preset("retail")), "Ship")
    db.save(Workspace(vessel), "Ship", plan_id=saved.plan_id)
    db.close()
    path = tmp_path / "manual.csv"
    path.write_text(MANUAL, encoding="utf-8")
    out = json.loads(
        run(capsys, "--sites", path, "--months", 12, "--base", f"plan:{saved.plan_id}", "--format", "json")
    )
    assert out["base"] == {"name": vessel.name, "source": f"plan:{saved.plan_id}@2"}  # the latest revision
    assert out["plans"]["all_edge"]["capex_total"] == 3 * 2 * (vessel.device_price + vessel.install_per_device)
    first = json.loads(run(capsys, "--sites", path, "--base", f"plan:{saved.plan_id}@1", "--format", "json"))
    assert first["base"]["source"] == f"plan:{saved.plan_id}@1"
    for bad, message in (
        ("plan:xyz", "a saved plan is plan:ID or plan:ID@REV"),
        ("plan:" + "0" * 32, "--base plan:" + "0" * 32 + ": "),
        ("preset:atlantis", "unknown preset 'atlantis'"),
    ):
        assert main(["fleet", "--sites", str(path), "--base", bad]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err and "Traceback" not in err


# ── The cloud side: --cloud own|cheapest, else the fleet file's ──────────────────────────────────────────────
def test_cloud_cheapest_prices_the_plans_on_each_sites_cheapest_design(capsys, tmp_path):
    out = json.loads(run(capsys, "--fleet", "retail_chain", "--cloud", "cheapest", "--format", "json"))
    f = fleet_inventory.preset("retail_chain")
    p = fleet_programme.evaluate(
        fleet_inventory.make_fleet(f.inventory.table, f.base, f.answers, f.months, f.name, f.base_source, "cheapest")
    )
    assert out["cloud"] == "cheapest"
    assert out["plans"]["all_cloud"]["tco"] == pytest.approx(fleet_tables.plan_summary(p)["all_cloud"]["tco"])
    assert [s["cloud_design"] for s in out["sites"]] == fleet_tables.site_table(p)["cloud_design"].tolist()
    assert out["sites"][2]["cloud_design"].startswith("Serverless compute; uploads: analysed frames only")
    own = json.loads(run(capsys, "--fleet", "retail_chain", "--format", "json"))
    assert own["cloud"] == "own" and own["plans"]["all_cloud"]["tco"] > out["plans"]["all_cloud"]["tco"]
    # A fleet file states its cloud side, kept with --months; --cloud overrides it.
    path = tmp_path / "chain.json"
    path.write_text(fleet_inventory.fleet_json(p.fleet), encoding="utf-8")
    assert json.loads(run(capsys, "--sites", path, "--months", 24, "--format", "json"))["cloud"] == "cheapest"
    assert json.loads(run(capsys, "--sites", path, "--cloud", "own", "--format", "json"))["cloud"] == "own"
    text = run(capsys, "--sites", path).splitlines()
    assert text[3] == "Cloud side: the cheapest design each site's link carries (--cloud cheapest)."
    assert main(["fleet", "--fleet", "retail_chain", "--cloud", "cheap"]) == 2
    assert "invalid choice: 'cheap'" in capsys.readouterr().err
