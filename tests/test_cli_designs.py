"""`python -m planner report`: the cheapest cloud design in the JSON report, `--cloud cheapest` and `--uplink-mbps`
(a subprocess per run, as a user runs it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from planner.catalogs import catalog
from planner.exports.report import analyse_one, summary
from planner.model import designs

pytestmark = pytest.mark.cli

ROOT = Path(__file__).resolve().parent.parent
RETAIL = ("report", "--preset", "retail")


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def test_json_report_names_the_cheapest_cloud_design_and_the_edge_against_it():
    run = cli(*RETAIL, "--format", "json")
    assert run.returncode == 0, run.stderr
    cheapest = json.loads(run.stdout)["cheapest_cloud"]
    assert {"design", "monthly_cost", "total_cost", "break_even_month", "npv_savings"} <= cheapest.keys()
    assert cheapest["design"] == {
        "inference_pricing": "instances",
        "instance_commitment": "spot",
        "instance_billing": "scale_to_zero",
        "cloud_upload": "frames",
    }
    by_hand = summary(analyse_one(designs.apply(catalog.preset("retail"), cheapest["design"])))
    assert cheapest["monthly_cost"] == pytest.approx(by_hand["cloud_monthly_cost"])
    assert cheapest["total_cost"] == pytest.approx(by_hand["cloud_total_cost"])
    assert cheapest["npv_savings"] == pytest.approx(by_hand["npv_savings"])
    assert cheapest["break_even_month"] is None is by_hand["break_even_month"]
    # the scenario's own video (200 Mbps) does not fit 100 Mbps: it buys business fibre, and is feasible with it
    assert cheapest["uplink_mbps"] == 100 and cheapest["own"]["feasible"] is True


def test_cloud_cheapest_reports_against_the_design_and_a_thin_uplink_is_one_line():
    run = cli(*RETAIL, "--format", "json", "--cloud", "cheapest", "--uplink-mbps", "1000")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    # with 1,000 Mbps the video fits too, but frames stay cheaper: the same design as at 100 Mbps, now applied
    assert "uploads: analysed frames only" in report["cheapest_cloud"]["text"]
    assert report["cloud_total_cost"] == pytest.approx(report["cheapest_cloud"]["total_cost"])
    assert report["cheapest_cloud"]["design"] == {}  # the scenario now is the cheapest design
    # frames need 24 ÷ 0.8 = 30 Mbps: a 20 Mbps line buys metered 5G (50 Mbps), its installation and rental
    thin = cli(*RETAIL, "--format", "json", "--cloud", "cheapest", "--uplink-mbps", "20")
    assert thin.returncode == 0, thin.stderr
    assert json.loads(thin.stdout)["cheapest_cloud"]["design"] == {}
    crowded = ("report", "--preset", "retail", "--set", "cameras=100000", "--cloud", "cheapest", "--uplink-mbps")
    none_fits = cli(*crowded, "20")  # 100,000 × 0.4 × 150 KB × 8 / 1000 = 48,000 Mbps ÷ 0.8: no class carries it
    assert none_fits.returncode == 2 and none_fits.stdout == ""
    assert none_fits.stderr == (
        "error: no cloud design fits an uplink of 20 Mbps or a link class it can buy: the lightest upload needs "
        "60,000.0 Mbps per site\n"
    )
    bad = cli(*RETAIL, "--uplink-mbps", "0")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--uplink-mbps" in bad.stderr
