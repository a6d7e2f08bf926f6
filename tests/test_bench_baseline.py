"""`make bench` and `make bench-ui` set each figure against the last recorded on this machine kind (issue 30)."""

from __future__ import annotations

import json

import pytest

from benchmarks import baseline

pytestmark = pytest.mark.unit


def test_figures_are_read_from_the_benchmark_lines():
    text = (
        "engine_100k_x_60_s: 0.255\nnumpy_floor_s: 0.151\nengine_over_floor: 1.69\n"
        "batch_equals_loop: yes  (400 scenarios, largest relative difference 1.2e-15)\n"
        "fleet_catalog_10k_sites_x_120_s: 1.5e-01\n# a note\n"
    )
    assert baseline.parse_figures(text) == {
        "engine_100k_x_60_s": 0.255,
        "numpy_floor_s": 0.151,
        "engine_over_floor": 1.69,
        "fleet_catalog_10k_sites_x_120_s": 0.15,
    }


def test_a_ratio_grown_past_ten_percent_is_marked_and_seconds_never_are():
    recorded = {"engine_over_floor": 1.00, "costs_ratio": 2.0, "engine_100k_x_60_s": 0.2, "speedup_over_loop": 100}
    now = {
        "engine_over_floor": 1.11,
        "costs_ratio": 2.2,
        "engine_100k_x_60_s": 0.4,
        "speedup_over_loop": 50,
        "fleet_over_floor": 3.0,
    }
    lines = dict(line.split(":", 1) for line in baseline.compare(now, recorded))
    assert "SLOWER" in lines["engine_over_floor"] and "+11.0%" in lines["engine_over_floor"]  # 1.11 / 1.00
    assert "SLOWER" not in lines["costs_ratio"] and "+10.0%" in lines["costs_ratio"]  # exactly 10 %: kept
    assert "SLOWER" not in lines["engine_100k_x_60_s"] and "+100.0%" in lines["engine_100k_x_60_s"]
    assert "SLOWER" not in lines["speedup_over_loop"]  # bigger is better
    assert "no recorded figure" in lines["fleet_over_floor"]


def test_a_recorded_run_becomes_the_baseline_of_its_machine_kind_only(tmp_path, monkeypatch):
    path = tmp_path / "baseline.json"
    path.write_text(
        json.dumps(
            {"other machine": {"engine": {"figures": {"engine_over_floor": 9.0}, "recorded": "x", "load_average": 1.0}}}
        )
    )
    monkeypatch.setattr(baseline, "machine_kind", lambda: "this machine")
    assert "no baseline recorded" in baseline.report("engine", {"engine_over_floor": 1.0}, path)[1]
    monkeypatch.setenv("BENCH_RECORD", "1")
    baseline.report("engine", {"engine_over_floor": 1.0, "numpy_floor_s": 0.15}, path)
    baseline.report("engine", {"fleet_over_floor": 2.0}, path)  # a partial run keeps the other figures
    monkeypatch.delenv("BENCH_RECORD")
    book = json.loads(path.read_text())
    assert book["other machine"]["engine"]["figures"] == {"engine_over_floor": 9.0}
    assert book["this machine"]["engine"]["figures"] == {
        "engine_over_floor": 1.0,
        "numpy_floor_s": 0.15,
        "fleet_over_floor": 2.0,
    }
    lines = baseline.report("engine", {"engine_over_floor": 1.2}, path)
    assert "SLOWER" in lines[1] and "recorded 1" in lines[1]
