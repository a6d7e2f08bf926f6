"""Edge capacity: the devices a scenario's load needs (the advisor's sizing rule) against the devices it prices.

Hand computation (data/hardware.csv, data/workloads.csv; the advisor's default 50 % derating, detection):
  load = cameras × analysed_fps × (1 + headroom 30 %); per device = min(benchmark × (1 − 50 %) ÷ 1,
  decode_1080p30_streams × analysed_fps); needed = sites × ceil(load per site ÷ per device).
"""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from app_support import start

from planner.advice import advisor
from planner.catalogs import catalog
from planner.exports.report import analyse_one, read_report_section, report_csv, summary
from planner.exports.workbook import workbook_bytes
from planner.schema.scenario import replace, to_share_token

RETAIL = catalog.preset("retail")
BIG_STORE = replace(RETAIL, cameras=10_000)
ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "planner", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.unit
def test_retail_with_10000_cameras_needs_343_servers_not_the_5_it_prices():
    # 10,000 × 0.4 × 1.3 = 5,200 inferences/s; the seed server: 500 × 0.5 = 250, decode 38 × 0.4 = 15.2.
    c = advisor.capacity(BIG_STORE)
    assert c.load_ips == pytest.approx(5_200)
    assert (c.derated_ips, c.decode_ips, c.per_device_ips) == pytest.approx((250, 15.2, 15.2))
    assert (c.needed, c.priced, c.ok) == (math.ceil(5_200 / 15.2), 5, False) == (343, 5, False)
    text = advisor.capacity_warning(c)
    assert text.startswith("Edge capacity: 5 devices priced, 343 needed.")
    assert "5,200.0 ÷ 15.2 = 342.11 → 343 needed" in text


@pytest.mark.parametrize(
    "key, needed, priced",
    [
        ("retail", 2, 5),  # 50 × 0.4 × 1.3 = 26 ÷ min(250, 38 × 0.4 = 15.2) = 1.7 → 2; 5 by hand
        ("vessel", 1, 2),  # 8 × 0.2 × 1.3 = 2.08 ÷ min(128, 18 × 0.2 = 3.6) → 1; 2 by hand
        ("smart_city", 40, 40),  # 40 sites × ceil(4 × 2 × 1.3 = 10.4 ÷ min(143, 11 × 2 = 22)) = 40; auto sizing
    ],
)
@pytest.mark.unit
def test_the_bundled_presets_carry_their_load(key, needed, priced):
    c = advisor.capacity(catalog.preset(key))
    assert (c.needed, c.priced, c.ok) == (needed, priced, True)
    assert advisor.capacity_warning(c) == ""


@pytest.mark.unit
def test_a_throughput_that_is_no_longer_the_benchmark_is_only_decode_capped_and_a_custom_one_taken_as_given():
    # 12 inferences/s on the seed server (say, measured): min(12, 15.2) = 12 → ceil(26 ÷ 12) = 3.
    assert advisor.capacity(replace(RETAIL, device_throughput_ips=12)).needed == 3
    # A device outside the catalog at 10 inferences/s: ceil(26 ÷ 10) = 3, and 2 by hand is short.
    custom = replace(RETAIL, device_id="custom", device_throughput_ips=10, devices_manual=2)
    assert (advisor.capacity(custom).needed, advisor.capacity(custom).ok) == (3, False)


@pytest.mark.unit
def test_the_priced_count_is_not_changed_only_flagged():
    s = summary(analyse_one(BIG_STORE))
    assert (s["edge_devices"], s["edge_capex"]) == (5, 5 * 2_000)
    assert (s["edge_devices_needed"], s["edge_capacity_ok"]) == (343, False)


@pytest.mark.cli
def test_the_json_report_flags_it():
    out = json.loads(run_cli("report", "--preset", "retail", "--set", "cameras=10000", "--format", "json").stdout)
    assert (out["edge_devices_needed"], out["edge_capacity_ok"], out["edge_devices"]) == (343, False, 5)
    out = json.loads(run_cli("report", "--preset", "retail", "--format", "json").stdout)
    assert (out["edge_devices_needed"], out["edge_capacity_ok"]) == (2, True)


@pytest.mark.cli
def test_the_table_report_prints_the_warning():
    out = run_cli("report", "--preset", "retail", "--set", "cameras=10000").stdout
    assert "Warning: Edge capacity: 5 devices priced, 343 needed." in out
    assert "Warning" not in run_cli("report", "--preset", "retail").stdout


@pytest.mark.unit
def test_the_csv_summary_has_the_needed_count_and_the_shortfall():
    table = read_report_section(report_csv(analyse_one(BIG_STORE)), "Summary").set_index("metric")["value"]
    # The summary's value column also holds text (the IRR's "over 1,000 %"), so its cells read back as text.
    assert float(table["Edge devices the load needs"]) == 343
    assert float(table["Edge devices short of the load (0: enough)"]) == 343 - 5
    fine = read_report_section(report_csv(analyse_one(RETAIL)), "Summary").set_index("metric")["value"]
    assert float(fine["Edge devices short of the load (0: enough)"]) == 0


@pytest.mark.unit
def test_the_workbook_notes_say_it():
    notes = pd.read_excel(io.BytesIO(workbook_bytes(analyse_one(BIG_STORE))), sheet_name="Notes", header=None)
    line = notes[notes[0] == "Edge capacity"][1].iloc[0]
    assert line.startswith("Edge capacity: 5 devices priced, 343 needed.")


@pytest.mark.app
@pytest.mark.parametrize("page", ["pages/scenario.py", "pages/costs.py"])
def test_the_scenario_and_costs_pages_warn_with_the_formula(page):
    at = start(s=to_share_token(BIG_STORE), p="retail")
    at.switch_page(page).run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any(
        w.startswith("Edge capacity: 5 devices priced, 343 needed.") and "5,200.0 ÷ 15.2" in w for w in warnings
    ), warnings
    at = start(p="retail")
    at.switch_page(page).run()
    assert not any("Edge capacity" in w.value for w in at.warning)


@pytest.mark.app
def test_the_report_page_prints_the_warning():
    at = start(s=to_share_token(BIG_STORE), p="retail")
    at.switch_page("pages/report.py").run()
    html = "".join(h.proto.body for h in at.get("html"))
    assert "Edge capacity: 5 devices priced, 343 needed." in html
