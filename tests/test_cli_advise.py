"""`python -m planner advise`: the advisor for architects who script. Expected figures are computed by hand
from the inputs (50 cameras × 4 Mbps, 0.4 frames/s, the catalog rows)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from planner.catalogs import catalog
from planner.cli import main

pytestmark = pytest.mark.cli

ROOT = Path(__file__).resolve().parent.parent
HARDWARE = {d["id"]: d for d in catalog.load().hardware}


def advise_json(capsys, *args) -> dict:
    assert main(["advise", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_the_keys_architects_script_against(capsys):
    out = advise_json(capsys, "--preset", "retail")
    assert {
        "placement",
        "hard_constraints",
        "factors",
        "latency_ms",
        "uplink_needed_mbps",
        "uplink_available_mbps",
        "device_id",
        "devices",
        "edge_costed",
        "break_even_month",
    } <= set(out)
    assert out["placement"] in ("cloud", "split_brain_edge", "edge_only")
    assert all({"verdict", "weight"} <= set(f) for f in out["factors"])
    assert set(out["latency_ms"]) >= {"cloud", "edge"}
    assert all("parts" in out["latency_ms"][side] for side in ("cloud", "edge"))


def test_the_retail_uplink_forces_the_edge_with_both_figures(capsys):
    out = advise_json(capsys, "--preset", "retail", "--answer", "uplink_mbps=100")
    # 50 cameras × 4 Mbps = 200 Mbps sustained, ÷ 0.8 = 250 Mbps of link
    assert out["placement"] == "split_brain_edge" and out["hard_constraints"] == ["uplink_mbps"]
    assert (out["uplink_needed_mbps"], out["uplink_available_mbps"]) == (pytest.approx(250), 100)
    # 0.4 frames/s: an average wait of 1,250 ms on both paths
    assert out["latency_ms"]["cloud"]["parts"]["Wait for the next analysed frame (average)"] == 1250
    assert out["latency_ms"]["edge"]["parts"]["Wait for the next analysed frame (average)"] == 1250


def test_set_and_answers_reach_the_sizing(capsys):
    out = advise_json(
        capsys,
        "--preset",
        "retail",
        "--set",
        "cameras=40",
        "--answer",
        "site_space=enclosure",
        "--answer",
        "uplink_mbps=1000",
    )
    # Orin Nano Super: 11 decoded 1080p30 streams → ceil(40 × 1.3 / 11) = 5 devices
    assert (out["device_id"], out["devices"], out["edge_costed"]) == ("jetson-orin-nano-super", 5, True)
    assert out["devices"] * HARDWARE[out["device_id"]]["decode_1080p30_streams"] >= 40
    assert out["break_even_month"] is not None and out["break_even_month"] < 1


def test_an_edge_that_fits_nowhere_is_not_costed(capsys):
    out = advise_json(capsys, "--preset", "retail", "--answer", "site_space=minimal", "--answer", "site_power_watts=1")
    assert (out["device_id"], out["devices"], out["edge_costed"], out["break_even_month"]) == (None, None, False, None)
    assert out["latency_ms"]["edge"]["total"] is None and out["relax"]
    assert next(f for f in out["factors"] if f["key"] == "economics")["weight"] == 0


def test_table_format_shows_the_verdict_weights_and_budget(capsys):
    assert main(["advise", "--preset", "retail"]) == 0
    text = capsys.readouterr().out
    assert "Edge inference, cloud training (split-brain)" in text
    assert "Uplink capacity   edge     decides" in text
    assert "Wait for the next analysed frame (average)" in text and "250.0 Mbps needed" in text


@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["--answer", "privacy=secret"],
            "error: privacy = 'secret' is not valid: choose one of none, anonymisable, on_site",
        ),
        (["--answer", "response_ms=-5"], "error: response_ms = -5.0 is not valid: allowed 1 to 60,000 ms"),
        (["--answer", "response_ms=fast"], "error: response_ms = 'fast' is not a number"),
        (["--answer", "colour=blue"], "error: unknown answer 'colour'"),
        (["--answer", "nonsense"], "error: --answer expects KEY=VALUE, got 'nonsense'"),
    ],
)
def test_bad_answers_exit_2_with_one_line(capsys, args, message):
    assert main(["advise", "--preset", "retail", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and captured.err.startswith(message)


def test_as_a_process():
    run = subprocess.run(
        [sys.executable, "-m", "planner", "advise", "--preset", "vessel", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert math.isfinite(out["latency_ms"]["cloud"]["total"])
    bad = subprocess.run(
        [sys.executable, "-m", "planner", "advise", "--preset", "nowhere"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
