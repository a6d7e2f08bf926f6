"""Architecture advisor: the seed article's decision table, hard constraints, latency budget, stack, sizing."""
import math

import pytest
from hypothesis import given, settings, strategies as st

from planner import advisor, catalog
from planner.scenario import ScenarioError, replace

RETAIL = catalog.preset("retail")
# Answers under which the cloud wins every factor of the seed table.
CLOUDY = dict(data_origin="cloud", response_ms=1_000, connectivity="fiber", privacy="none",
              update_cadence="hourly", region_distance_km=100, uplink_mbps=1_000)
# A scenario where the edge never pays back: a tiny cloud bill against expensive hardware.
CHEAP_CLOUD = replace(RETAIL, cameras=1, analysed_fps=0.1, hours_per_day=1, uplink_per_gb=0, ingest_per_gb=0,
                      management_per_month=2_000, horizon_months=12)


def verdict(name, **answers):
    a = advisor.answers(**{**CLOUDY, **answers})
    found = advisor.factors(a, sum(advisor.cloud_latency(a, RETAIL.image_kb).values()))
    return next(f for f in found if f.name == name)


# One row per line of the seed's table: (factor, answers, expected verdict, hard constraint?)
SEED_TABLE = [
    ("Data gravity", dict(data_origin="cloud"), "cloud", False),
    ("Data gravity", dict(data_origin="on_premise"), "edge", False),
    ("Latency", dict(response_ms=1_000), "cloud", False),          # > 200 ms acceptable
    ("Latency", dict(response_ms=10), "edge", True),               # < 20 ms mandatory
    ("Connectivity", dict(connectivity="fiber"), "cloud", False),
    ("Connectivity", dict(connectivity="metered_5g"), "edge", False),
    ("Connectivity", dict(connectivity="satellite"), "edge", False),
    ("Connectivity", dict(connectivity="intermittent"), "edge", True),
    ("Privacy", dict(privacy="none"), "cloud", False),
    ("Privacy", dict(privacy="on_site"), "edge", True),
    ("Updates", dict(update_cadence="hourly"), "cloud", False),
    ("Updates", dict(update_cadence="weekly"), "edge", False),
    ("Updates", dict(update_cadence="monthly"), "edge", False),
]


@pytest.mark.parametrize("name,answers,expected,hard", SEED_TABLE)
def test_seed_decision_table(name, answers, expected, hard):
    f = verdict(name, **answers)
    assert (f.verdict, f.hard) == (expected, hard)
    assert f.reason.endswith(".")


def test_all_cloud_answers_and_no_payback_recommend_the_cloud():
    advice = advisor.advise(advisor.answers(**CLOUDY), CHEAP_CLOUD)
    assert advice.break_even_month is None
    assert advice.placement == "cloud" and advice.confidence == "high"
    assert "does not pay back within 12 months" in advice.headline


@pytest.mark.parametrize("hard", [dict(privacy="on_site"), dict(response_ms=10), dict(connectivity="intermittent")])
def test_hard_constraints_override_economics(hard):
    advice = advisor.advise(advisor.answers(**{**CLOUDY, **hard}), CHEAP_CLOUD)
    assert advice.break_even_month is None                       # the money says cloud…
    assert advice.placement in ("split_brain", "edge_only")     # …but the edge is mandatory
    assert "mandatory" in advice.headline and advice.confidence == "high"
    assert advice.placement == ("edge_only" if hard.get("privacy") == "on_site" else "split_brain")


def test_seed_retail_case_is_edge_with_payback_in_month_one():
    advice = advisor.advise(advisor.answers(), RETAIL)
    assert advice.placement == "split_brain"
    assert advice.break_even_month is not None and advice.break_even_month < 1
    assert "pays back in month 1" in advice.headline


def test_cloud_latency_budget_by_hand():
    a = advisor.answers(connectivity="fiber", region_distance_km=1_000, uplink_mbps=50, workload="detection")
    parts = advisor.cloud_latency(a, image_kb=250)
    # fibre access 5 ms; 2 × 1000 km ÷ 200 km/ms × 1.5 = 15 ms; 250 KB × 8 ÷ 50 Mbps = 40 ms; queue 20; API 150
    assert parts == pytest.approx({"Access network round trip": 5, "Distance round trip": 15, "Frame upload": 40,
                                   "Queueing": 20, "Cloud inference": 150})
    edge = advisor.edge_latency(advisor.answers(workload="segmentation"), throughput_ips=250)
    assert sum(edge.values()) == pytest.approx(2 + 2.5 * 1000 / 250)   # local hop + 2.5× detection compute


def test_stack_follows_platform_runtime_and_link():
    def layers(family, **answers):
        return {c.layer: c.name for c in advisor.stack(advisor.answers(**answers), family)}
    assert layers("jetson", cloud_platform="azure")["orchestration"].startswith("Azure Arc")
    assert layers("jetson", cloud_platform="aws")["orchestration"] == "AWS IoT Greengrass"
    assert layers("jetson", cloud_platform="none", kubernetes="strong")["orchestration"] == "K3s"
    assert layers("coral")["runtime"].startswith("LiteRT")
    assert layers("jetson")["runtime"] == "TensorRT"
    assert layers("hailo")["runtime"] == "HailoRT"
    assert layers("server", workload="language_model", site_space="rack")["runtime"] == "TensorRT-LLM"
    assert layers("jetson", connectivity="satellite")["messaging"].startswith("MQTT with persistent")
    assert layers("jetson", connectivity="fiber", kubernetes="strong")["messaging"].startswith("NATS")


def test_sizing_respects_space_power_and_workload():
    a = advisor.answers(site_space="enclosure", site_power_watts=2_000)
    sizing, problems, _ = advisor.size(a, RETAIL)
    device = catalog.load().device(sizing.device_id)
    assert device["family"] != "server"                                   # a server does not fit a cabinet
    # retail: 50 cameras × 0.4 fps × 1.3 headroom = 26 inferences/s; one device of ≥ 26 ips suffices
    assert sizing.required_ips == pytest.approx(26)
    assert sizing.devices == math.ceil(26 / sizing.derated_throughput_ips - 1e-9)
    assert sizing.power_watts <= 2_000
    assert any("does not fit the space" in p for p in problems)

    tight = advisor.answers(site_space="minimal", site_power_watts=1)
    sizing, problems, _ = advisor.size(tight, RETAIL)
    assert sizing is None and any("W needed" in p for p in problems)


def test_language_model_needs_a_server_in_a_rack():
    assistant = replace(RETAIL, cameras=2, analysed_fps=0.1)    # 0.26 requests/s with headroom
    sizing, problems, _ = advisor.size(advisor.answers(workload="language_model", site_space="enclosure",
                                                       response_ms=5_000), assistant)
    assert sizing is None and problems
    sizing, _, _ = advisor.size(advisor.answers(workload="language_model", site_space="rack",
                                                response_ms=5_000), assistant)
    assert catalog.load().device(sizing.device_id)["family"] == "server"


def test_apply_changes_cost_the_recommended_device():
    advice = advisor.advise(advisor.answers(), RETAIL)
    applied = replace(RETAIL, **advice.scenario_changes)
    assert applied.device_id == advice.sizing.device_id and applied.device_sizing == "auto"


def test_exports_escape_markdown_and_cover_every_section():
    advice = advisor.advise(advisor.answers(), RETAIL)
    md = advisor.advice_markdown(advice)
    assert md.startswith("## Recommendation") and "| Latency |" in md
    table = advisor.advice_table(advice)
    assert {"Recommendation", "Factor", "Latency, cloud path", "Stack", "Sizing"} <= set(table["section"])
    assert advisor._md("a|b\nc") == "a\\|b c"


def test_bad_answers_name_the_field():
    with pytest.raises(ScenarioError, match="response_ms = -3"):
        advisor.answers(response_ms=-3)
    with pytest.raises(ScenarioError, match="connectivity"):
        advisor.answers(connectivity="carrier pigeon")


ORDER = ["none", "anonymisable", "on_site"]


@settings(max_examples=40, deadline=None)
@given(base=st.fixed_dictionaries({
           "data_origin": st.sampled_from(["cloud", "on_premise"]),
           "connectivity": st.sampled_from(["fiber", "broadband", "metered_5g", "satellite", "intermittent"]),
           "update_cadence": st.sampled_from(["hourly", "daily", "weekly", "monthly"]),
           "region_distance_km": st.floats(0, 20_000), "uplink_mbps": st.floats(1, 10_000)}),
       loose=st.floats(1, 60_000), tighter=st.floats(0.01, 1), privacy=st.integers(0, 2), stricter=st.integers(0, 2))
def test_tighter_latency_or_stricter_privacy_never_moves_edge_to_cloud(base, loose, tighter, privacy, stricter):
    def placement(response_ms, privacy_level):
        a = advisor.answers(**base, response_ms=max(1.0, response_ms), privacy=ORDER[privacy_level])
        return advisor.advise(a, CHEAP_CLOUD).placement
    before = placement(loose, privacy)
    after = placement(loose * tighter, max(privacy, stricter))
    if before != "cloud":
        assert after != "cloud"
