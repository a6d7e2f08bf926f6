"""Architecture advisor: the seed article's decision table, hard constraints, latency budget, uplink, the
weighted vote, stack, deployment and sizing. Expected values are computed by hand in the tests from the
inputs (catalog rows are inputs), never read back from the advice."""

import math

import pytest
from advisor_support import CHEAP_CLOUD, CLOUDY, RETAIL
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

from planner.advice import advisor
from planner.catalogs import catalog
from planner.model import designs
from planner.schema.scenario import ScenarioError, replace

pytestmark = pytest.mark.unit

FAST = replace(RETAIL, analysed_fps=30)  # a sampling wait of 1000/30/2 = 16.7 ms on average
HARDWARE = {d["id"]: d for d in catalog.load().hardware}


def verdict(name, cloud_ms=None, **answers):
    a = advisor.answers(**{**CLOUDY, **answers})
    cloud_ms = sum(advisor.cloud_latency(a, RETAIL.image_kb, 0).values()) if cloud_ms is None else cloud_ms
    return next(f for f in advisor.factors(a, cloud_ms) if f.name == name)


# One row per line of the seed's table: (factor, answers, expected verdict, hard constraint?)
SEED_TABLE = [
    ("Data gravity", dict(data_origin="cloud"), "cloud", False),
    ("Data gravity", dict(data_origin="on_premise"), "edge", False),
    ("Latency", dict(response_ms=1_000), "cloud", False),  # ≥ 200 ms acceptable
    ("Latency", dict(response_ms=10), "edge", True),  # < 20 ms mandatory
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


# ── Thresholds at their boundaries (issue 19) ─────────────────────────────────────────────────────────
def test_a_cloud_path_of_exactly_the_required_time_meets_it():
    assert verdict("Latency", cloud_ms=150.0, response_ms=150).hard is False
    assert verdict("Latency", cloud_ms=150.0, response_ms=149.9).hard is True


def test_exactly_200_ms_is_a_human_scale_wait():
    # HUMAN_MS is inclusive: a response time of at least 200 ms leaves the cloud fine
    assert verdict("Latency", cloud_ms=150.0, response_ms=200).verdict == "cloud"
    assert verdict("Latency", cloud_ms=150.0, response_ms=199.9).verdict == "either"


def test_exactly_20_ms_is_not_a_machine_reaction():
    assert verdict("Latency", cloud_ms=10.0, response_ms=20).hard is False
    assert verdict("Latency", cloud_ms=10.0, response_ms=19.9).hard is True


def test_a_device_drawing_exactly_the_power_budget_fits():
    # 1 camera × 1 frame/s × 1.3 headroom = 1.3 inferences/s: one Orin Nano Super (25 W) is enough
    one = replace(RETAIL, cameras=1, analysed_fps=1)
    nano = HARDWARE["jetson-orin-nano-super"]
    at_budget = advisor.size(advisor.answers(site_space="enclosure", site_power_watts=25), one)
    assert not any(p.startswith(nano["name"]) for p in at_budget.problems)
    over = advisor.size(advisor.answers(site_space="enclosure", site_power_watts=24.9), one)
    assert f"{nano['name']}: 1 × 25 W = 25 W needed, 25 W available" in over.problems


def factor(verdict, weight=1.0, key="x", hard=False):
    return advisor.Factor(key, key, "", verdict, hard, "", weight)


def test_a_tied_vote_goes_to_the_cheaper_side_with_low_confidence():
    tie = [factor("edge"), factor("cloud")]
    assert advisor.decide(tie + [factor("edge", 0.0, "economics")], "none") == ("split_brain_edge", "low", 0.0)
    assert advisor.decide(tie + [factor("cloud", 0.0, "economics")], "none") == ("cloud", "low", 0.0)
    # not costed (money has no verdict): no investment without a reason
    assert advisor.decide(tie + [factor("either", 0.0, "economics")], "none") == ("cloud", "low", 0.0)
    assert advisor.decide(tie + [factor("either", 0.0, "economics")], "on_site")[0] == "cloud"


def test_confidence_is_the_winning_margin_over_all_soft_weight():
    # edge 3, cloud 1, either 1: margin 2 / 5 = 40 % → medium; edge 4 of 5 → 80 % → high; 1.5 of 8.5 → low
    assert advisor.decide([factor("edge", 3), factor("cloud"), factor("either")], "none")[1] == "medium"
    assert advisor.decide([factor("edge", 4), factor("either")], "none")[1] == "high"
    assert advisor.decide([factor("edge", 4), factor("cloud", 2.5), factor("either", 2)], "none")[1] == "low"
    assert advisor.decide([factor("cloud", 9), factor("edge", hard=True)], "on_site")[:2] == ("edge_only", "high")


# ── Latency: the bug of issue 19 and the sampling wait (issue 11.2) ───────────────────────────────────
def test_edge_inference_time_uses_the_catalog_throughput_once():
    a = advisor.answers(workload="segmentation")
    coral = HARDWARE["coral-usb"]["throughput_ips"]  # 67 inferences/s
    assert coral == 67
    parts = advisor.edge_latency(a, coral, analysed_fps=0.4)
    assert parts["Edge inference"] == pytest.approx(2.5 * 1000 / 67)  # 37.3 ms, not 2.5² × 1000 / 67
    assert parts == pytest.approx(
        {advisor.SAMPLING_WAIT: 1250.0, "Local network": 2.0, "Edge inference": 2.5 * 1000 / 67}
    )


def test_the_shown_edge_latency_is_the_one_the_device_filter_used():
    a = advisor.answers(workload="segmentation", response_ms=50, uplink_mbps=1_000)
    advice = advisor.advise(a, FAST)
    device = HARDWARE[advice.sizing.device_id]
    wait = 1000 / 30 / 2
    assert advice.edge_latency_ms["Edge inference"] == pytest.approx(2.5 * 1000 / device["throughput_ips"])
    assert advice.edge_ms == pytest.approx(wait + 2 + 2.5 * 1000 / device["throughput_ips"])
    problems = advisor.size(a, FAST).problems
    for d in HARDWARE.values():  # every comparable device: too slow exactly when its hand latency is > 50
        if d["comparable"] == "yes" and not d["id"].startswith("seed-"):
            too_slow = wait + 2 + 2.5 * 1000 / d["throughput_ips"] > 50
            assert any(p.startswith(f"{d['name']}: takes") for p in problems) == too_slow, d["id"]


def test_cloud_latency_budget_by_hand():
    a = advisor.answers(connectivity="fiber", region_distance_km=1_000, uplink_mbps=50, workload="detection")
    parts = advisor.cloud_latency(a, image_kb=250, analysed_fps=2)
    # ½ × 1000/2 = 250 ms wait; fibre access 5 ms; 2 × 1000 km ÷ 200 km/ms × 1.5 = 15 ms;
    # 250 KB × 8 ÷ 50 Mbps = 40 ms; queue 20; API 150
    assert parts == pytest.approx(
        {
            advisor.SAMPLING_WAIT: 250,
            "Access network round trip": 5,
            "Distance round trip": 15,
            "Frame upload": 40,
            "Queueing": 20,
            "Cloud inference": 150,
        }
    )


def test_both_budgets_carry_the_same_sampling_wait_and_it_warns_when_it_alone_exceeds_the_target():
    # retail analyses 0.4 frames/s: an event waits 1,250 ms on average, 2,500 ms at worst
    at_worst = advisor.advise(advisor.answers(response_ms=2_500, uplink_mbps=1_000), RETAIL)
    assert at_worst.sampling_wait_ms == (1_250, 2_500)
    assert at_worst.cloud_latency_ms[advisor.SAMPLING_WAIT] == at_worst.edge_latency_ms[advisor.SAMPLING_WAIT] == 1_250
    assert not at_worst.warnings
    under = advisor.advise(advisor.answers(response_ms=2_499, uplink_mbps=1_000), RETAIL)
    assert len(under.warnings) == 1 and "up to 2,500 ms (1,250 ms on average)" in under.warnings[0]


def test_a_target_the_sampling_wait_alone_uses_up_cannot_decide_the_placement():
    wait_sized = verdict("Latency", cloud_ms=1_459.5, response_ms=1_250, data_origin="on_premise")
    a = advisor.answers(response_ms=1_250)
    latency = next(f for f in advisor.factors(a, 1_459.5, wait_ms=1_250) if f.name == "Latency")
    assert (latency.verdict, latency.hard) == ("either", False)
    assert "analyse more than 0.4 frames/s" in latency.reason  # 500 / 1250 ms
    latency = next(
        f for f in advisor.factors(advisor.answers(response_ms=1_251), 1_459.5, 1_250) if f.name == "Latency"
    )
    assert (latency.verdict, latency.hard) == ("edge", True)
    assert wait_sized.hard  # without a wait, 1,459.5 ms > 1,250 ms decides


# ── Uplink capacity (issue 11.1) ──────────────────────────────────────────────────────────────────────
def test_an_uplink_that_cannot_carry_the_video_makes_the_cloud_infeasible():
    # 50 cameras × 4 Mbps = 200 Mbps sustained; at ≤ 80 % of the link it needs 250 Mbps
    advice = advisor.advise(advisor.answers(**{**CLOUDY, "uplink_mbps": 1}), RETAIL)
    assert advice.placement == "split_brain_edge" and advice.hard_constraints == ("uplink_mbps",)
    assert (advice.uplink_needed_mbps, advice.uplink_available_mbps) == (pytest.approx(250), 1)
    reason = next(f.reason for f in advice.factors if f.key == "uplink_mbps")
    # frames only: 50 × 0.4 frames/s × 150 KB × 8 = 24 Mbps → 30 Mbps of link; bitrate ≤ 0.8 × 1 / 50
    assert "needs 250.0 Mbps per site" in reason and "carries 1 Mbps" in reason
    assert "sending only the analysed frames" not in reason  # 30 Mbps does not fit 1 Mbps
    assert "a bitrate of at most 0.02 Mbps per camera" in reason and "a link of at least 250.0 Mbps" in reason
    reason_100 = advisor.uplink_factor(advisor.answers(uplink_mbps=100), RETAIL).reason
    assert "sending only the analysed frames (30.0 Mbps)" in reason_100
    assert "a bitrate of at most 1.60 Mbps per camera" in reason_100


def test_an_uplink_of_exactly_the_needed_capacity_fits_and_each_site_has_its_own():
    assert not advisor.uplink_factor(advisor.answers(uplink_mbps=250), RETAIL).hard
    assert advisor.uplink_factor(advisor.answers(uplink_mbps=249.9), RETAIL).hard
    assert not advisor.uplink_factor(advisor.answers(uplink_mbps=50), replace(RETAIL, sites=5)).hard  # 10 cameras


def test_frames_upload_needs_analysed_frames_times_image_size():
    frames = replace(RETAIL, cloud_upload="frames")
    f = advisor.uplink_factor(advisor.answers(uplink_mbps=10), frames)
    assert f.hard and "needs 30.0 Mbps" in f.reason
    # 10 Mbps × 0.8 × 1000 ÷ (50 cameras × 150 KB × 8) = 0.133 analysed frames/s per camera
    assert "at most 0.13 analysed frames/s per camera" in f.reason


# ── Economics (issue 11.3, 11.4) ───────────────────────────────────────────────────────────────────────
def test_money_weight_grows_with_the_log_of_the_cost_ratio():
    assert advisor.money_weight(5, 1, other_weights=6) == pytest.approx(6)  # 5×: as much as all others
    assert advisor.money_weight(1, 5, other_weights=6) == pytest.approx(6)
    assert advisor.money_weight(25, 1, other_weights=3) == pytest.approx(6)  # 25× = 5² → twice
    assert advisor.money_weight(7, 7, other_weights=6) == 0
    assert advisor.money_weight(0, 0, other_weights=6) == 0
    assert advisor.money_weight(10, 0, 6) == pytest.approx(6 * math.log(1e6) / math.log(5))


@settings(max_examples=examples(200), deadline=None)
@given(
    soft=st.lists(st.sampled_from(["edge", "cloud", "either"]), min_size=1, max_size=8),
    cheap=st.floats(1, 1e7),
    ratio=st.floats(5, 1e4),
    edge_cheaper=st.booleans(),
)
def test_without_a_hard_constraint_a_side_five_times_cheaper_wins(soft, cheap, ratio, edge_cheaper):
    others = [factor(v) for v in soft]
    cloud, edge = (cheap * ratio, cheap) if edge_cheaper else (cheap, cheap * ratio)
    money = factor("edge" if edge_cheaper else "cloud", advisor.money_weight(cloud, edge, len(others)), "economics")
    placement = advisor.decide(others + [money], "none")[0]
    assert placement == ("split_brain_edge" if edge_cheaper else "cloud")


def test_soft_preferences_no_longer_outvote_an_edge_hundreds_of_times_cheaper():
    # every seed answer favours the cloud, but retail's cloud costs ~$650,000 over 36 months against ~$2,000
    advice = advisor.advise(advisor.answers(**CLOUDY), RETAIL)
    money = next(f for f in advice.factors if f.key == "economics")
    assert money.verdict == "edge" and money.weight > 5
    assert advice.placement == "split_brain_edge" and not advice.hard_constraints


def test_all_cloud_answers_and_no_payback_recommend_the_cloud():
    advice = advisor.advise(advisor.answers(**CLOUDY), CHEAP_CLOUD)
    assert advice.break_even_month is None
    assert advice.placement == "cloud" and advice.confidence == "high"
    assert "does not pay back within 12 months" in advice.headline


def test_the_cloud_designs_weighed_come_from_the_function_given_for_the_costed_deployment():
    """The app passes a cached `designs.evaluate`: advise asks it for the costed deployment at the uplink answer."""
    answers = advisor.answers(**CLOUDY)
    asked = []

    def designs_of(scenario, link_mbps):
        asked.append((scenario, link_mbps))
        return designs.evaluate(scenario, link_mbps)

    advice = advisor.advise(answers, RETAIL, designs_of)
    assert asked == [(advisor.size(answers, RETAIL).costed, answers.uplink_mbps)]
    assert advice == advisor.advise(answers, RETAIL)  # the same recommendation as with `designs.evaluate` itself


def test_an_edge_that_cannot_be_costed_gets_no_economics_and_says_what_to_relax():
    advice = advisor.advise(advisor.answers(site_space="minimal", site_power_watts=1, uplink_mbps=1_000), RETAIL)
    assert advice.sizing is None and not advice.edge_costed and advice.break_even_month is None
    money = next(f for f in advice.factors if f.key == "economics")
    assert (money.verdict, money.weight, money.answer) == ("either", 0.0, "not costed")
    # data gravity and weekly updates vote edge (2 of 6 soft weight), but no device fits: the vote cannot put the
    # site on the edge (as a fleet's site whose devices do not fit), so the cloud stays, with low confidence
    assert advice.placement == "cloud" and advice.confidence == "low"
    assert "favour the edge 2.0 to 0.0, but no device that fits the site can carry the load" in advice.headline
    # Hailo-8 per device: min(1023 × 0.5, 16 streams × 0.4 frames/s) = 6.4/s; ceil(26 / 6.4) = 5 × 17.5 W = 87.5 W
    hailo = HARDWARE["hailo-8-m2"]["name"]
    assert f"5 × {hailo} fits with 88 W for edge compute" in advice.relax
    assert "not costed" in advice.headline and advice.relax[0] in advice.headline


@pytest.mark.parametrize("hard", [dict(privacy="on_site"), dict(response_ms=10), dict(connectivity="intermittent")])
def test_hard_constraints_override_economics(hard):
    # 60 frames/s (an 8.3 ms sampling wait) so that a 10 ms target is attainable; 99 % off the API keeps it cheap
    fast_cheap = replace(CHEAP_CLOUD, analysed_fps=60, inference_discount_percent=99, install_per_device=100_000)
    advice = advisor.advise(advisor.answers(**{**CLOUDY, **hard}), fast_cheap)
    assert advice.break_even_month is None  # the money says cloud…
    assert advice.placement in ("split_brain_edge", "edge_only")  # …but the edge is mandatory
    assert "mandatory" in advice.headline and advice.confidence == "high"
    assert advice.placement == ("edge_only" if hard.get("privacy") == "on_site" else "split_brain_edge")


# ── Apply: the whole deployment (issue 11.5) ──────────────────────────────────────────────────────────
def test_apply_sets_the_stacks_management_fee_and_basis():
    advice = advisor.advise(advisor.answers(cloud_platform="aws"), RETAIL)  # AWS IoT Greengrass
    assert [c.name for c in advice.stack if c.layer == "orchestration"] == ["AWS IoT Greengrass"]
    assert advice.scenario_changes["management_per_month"] == 0.16  # data/management.csv
    assert advice.scenario_changes["management_basis"] == "per_device"
    assert advice.scenario_changes["device_id"] == advice.sizing.device_id
    applied = replace(RETAIL, **advice.scenario_changes)
    assert (applied.management_per_month, applied.management_basis, applied.device_sizing) == (
        0.16,
        "per_device",
        "auto",
    )


def test_apply_on_azure_uses_the_fee_of_the_recommended_device():
    # the Orin Nano has 6 cores: the first 6 vCPUs of an Arc cluster are free
    advice = advisor.advise(advisor.answers(cloud_platform="azure", uplink_mbps=1_000), RETAIL)
    assert advice.sizing.device_id == "jetson-orin-nano-super"
    assert (advice.scenario_changes["management_per_month"], advice.scenario_changes["management_basis"]) == (
        0,
        "per_device",
    )


def test_a_stack_without_a_catalogued_fee_keeps_the_scenarios_and_says_so():
    advice = advisor.advise(advisor.answers(cloud_platform="gcp"), RETAIL)
    assert "management_per_month" not in advice.scenario_changes
    assert any("no catalogued fee" in n and "500 USD per site" in n for n in advice.apply_notes)


def test_edge_only_applies_no_feedback_uploads():
    advice = advisor.advise(advisor.answers(privacy="on_site"), RETAIL)
    assert advice.placement == "edge_only"
    assert advice.scenario_changes["feedback_percent"] == 0
    assert advice.sizing.feedback_gb_per_month == 0
    assert any(n.startswith("Feedback uploads: 0 %") for n in advice.apply_notes)
    assert "feedback_percent" not in advisor.advise(advisor.answers(), RETAIL).scenario_changes


# ── Sizing (issue 11.6, issue 19) ─────────────────────────────────────────────────────────────────────
def test_the_40_camera_1080p_site_gets_enough_devices_to_decode_40_streams():
    site = replace(RETAIL, cameras=40)
    for space in ("minimal", "enclosure", "rack"):
        sizing = advisor.size(advisor.answers(site_space=space, site_power_watts=10_000), site).sizing
        streams = HARDWARE[sizing.device_id]["decode_1080p30_streams"]
        assert sizing.devices * streams >= 40, (space, sizing.device_id)
    # enclosure: the Orin Nano Super decodes 11 streams → ceil(40 × 1.3 headroom / 11) = 5 devices
    sizing = advisor.size(advisor.answers(site_space="enclosure"), site).sizing
    assert (sizing.device_id, sizing.devices, sizing.limited_by) == ("jetson-orin-nano-super", 5, "video decode")


def test_500_cameras_are_never_one_small_device():
    sizing = advisor.size(
        advisor.answers(site_space="rack", site_power_watts=100_000), replace(RETAIL, cameras=500)
    ).sizing
    assert sizing.devices * HARDWARE[sizing.device_id]["decode_1080p30_streams"] >= 500


def test_non_comparable_benchmarks_are_not_ranked():
    fit = advisor.size(advisor.answers(site_space="minimal", site_power_watts=10_000), replace(RETAIL, cameras=40))
    assert fit.sizing.device_id == "hailo-8-m2"  # the Coral rows are SSD-MobileNet benchmarks
    assert sum("not comparable with the reference workload" in p for p in fit.problems) == 2


def test_derating_and_workload_compute_divide_the_catalog_figure():
    one = replace(RETAIL, cameras=1, analysed_fps=60)  # decode (11 × 60 = 660/s) does not bind
    sizing = advisor.size(
        advisor.answers(site_space="enclosure", derating_percent=50, workload="segmentation"), one
    ).sizing
    catalog_ips = HARDWARE[sizing.device_id]["throughput_ips"]
    assert sizing.derated_throughput_ips == pytest.approx(catalog_ips * 0.5 / 2.5)
    assert sizing.limited_by == "inference"
    full = advisor.size(advisor.answers(site_space="enclosure", derating_percent=0), one).sizing
    assert full.derated_throughput_ips == HARDWARE[full.device_id]["throughput_ips"]


def test_sizing_picks_the_lowest_hand_computed_tco_of_the_devices_that_fit():
    # 10 cameras × 1 frame/s around the clock, 12 months, no growth, failures, feedback, salvage or fee
    site = replace(
        RETAIL,
        cameras=10,
        analysed_fps=1,
        hours_per_day=24,
        days_per_month=30,
        workload_growth_percent_per_year=0,
        failure_percent_per_year=0,
        feedback_percent=0,
        salvage_percent=0,
        install_per_device=100,
        electricity_per_kwh=0.2,
        pue=1,
        idle_power_percent=100,
        horizon_months=12,
        useful_life_months=48,
    )
    a = advisor.answers(cloud_platform="none", kubernetes="some", site_space="enclosure")  # K3s: no fee
    expected = {}
    for d in HARDWARE.values():
        if d["comparable"] == "no" or d["family"] == "server" or d["id"].startswith("seed-"):
            continue
        per_device = min(d["throughput_ips"] * 0.5, d["decode_1080p30_streams"] * 1)
        n = math.ceil(10 * 1 * 1.3 / per_device)
        watts = d["watts"] + d["host_watts"]
        # 720 operating hours + 100 % idle draw over the other 10.5 h of an average 730.5-hour month
        expected[d["id"]] = n * (d["unit_price_usd"] + d["host_usd"] + 100) + n * watts / 1000 * 730.5 * 0.2 * 12
    assert expected["jetson-orin-nx-8gb"] == pytest.approx(600 + 20 / 1000 * 730.5 * 0.2 * 12)  # 635.06
    sizing = advisor.size(a, site).sizing
    assert sizing.device_id == min(expected, key=expected.get) == "jetson-orin-nx-8gb"
    assert sizing.edge_total_cost == pytest.approx(expected["jetson-orin-nx-8gb"])


def test_sizing_respects_space_and_workload():
    sizing = advisor.size(advisor.answers(site_space="enclosure", site_power_watts=2_000), RETAIL).sizing
    assert HARDWARE[sizing.device_id]["family"] != "server"  # a server does not fit a cabinet
    assert sizing.required_ips == pytest.approx(50 * 0.4 * 1.3)
    fit = advisor.size(advisor.answers(site_space="minimal", site_power_watts=1), RETAIL)
    assert fit.sizing is None and any("W needed" in p for p in fit.problems)


def test_language_model_needs_a_server_in_a_rack():
    assistant = replace(RETAIL, cameras=2, analysed_fps=0.1)  # 0.26 requests/s with headroom
    fit = advisor.size(
        advisor.answers(workload="language_model", site_space="enclosure", response_ms=10_000), assistant
    )
    assert fit.sizing is None and fit.problems
    sizing = advisor.size(
        advisor.answers(workload="language_model", site_space="rack", response_ms=10_000), assistant
    ).sizing
    assert HARDWARE[sizing.device_id]["family"] == "server" and sizing.decode_streams == 0


# ── The rest ──────────────────────────────────────────────────────────────────────────────────────────
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


def test_a_site_whose_data_may_move_is_served_from_the_regions_gpu_instances():
    gpu = catalog.preset("smart_city_gpu")

    def serving(scenario, **answers):
        advice = advisor.advise(advisor.answers(**answers), scenario)
        return [c.name for c in advice.stack if c.layer == "cloud_serving"]

    assert serving(gpu, cloud_platform="aws", privacy="anonymisable") == [
        "Amazon SageMaker real-time endpoint (NVIDIA Triton container)"
    ]
    assert serving(gpu, cloud_platform="azure", privacy="none")[0].startswith("Azure Machine Learning managed online")
    assert serving(gpu, cloud_platform="gcp")[0].startswith("Vertex AI endpoint")
    assert serving(gpu, cloud_platform="none", kubernetes="none") == [
        "NVIDIA Triton Inference Server on GPU VMs (or TorchServe)"
    ]
    assert serving(gpu, cloud_platform="aws", privacy="on_site") == []  # no frame may leave the site
    assert serving(replace(gpu, inference_pricing="serverless"), cloud_platform="aws") == []  # no instances to run


def test_exports_escape_markdown_and_cover_every_section():
    advice = advisor.advise(advisor.answers(), RETAIL)
    md = advisor.advice_markdown(advice)
    assert md.startswith("## Recommendation") and "| Latency |" in md and "| Weight |" in md
    table = advisor.advice_table(advice)
    assert {"Recommendation", "Warning", "Factor", "Latency, cloud path", "Uplink", "Stack", "Sizing", "Apply"} <= set(
        table["section"]
    )
    assert advisor._md("a|b\nc") == "a\\|b c"


def test_bad_answers_name_the_field():
    with pytest.raises(ScenarioError, match="response_ms = -3"):
        advisor.answers(response_ms=-3)
    with pytest.raises(ScenarioError, match="connectivity"):
        advisor.answers(connectivity="carrier pigeon")


ORDER = ["none", "anonymisable", "on_site"]


@settings(max_examples=examples(40), deadline=None)
@given(
    base=st.fixed_dictionaries(
        {
            "data_origin": st.sampled_from(["cloud", "on_premise"]),
            "connectivity": st.sampled_from(["fiber", "broadband", "metered_5g", "satellite", "intermittent"]),
            "update_cadence": st.sampled_from(["hourly", "daily", "weekly", "monthly"]),
            "region_distance_km": st.floats(0, 20_000),
            "uplink_mbps": st.floats(1, 10_000),
        }
    ),
    loose=st.floats(1, 60_000),
    tighter=st.floats(0.01, 1),
    privacy=st.integers(0, 2),
    stricter=st.integers(0, 2),
)
def test_tighter_latency_or_stricter_privacy_never_moves_edge_to_cloud(base, loose, tighter, privacy, stricter):
    """Within the targets a path can meet: below the sampling wait (5,000 ms on average here) no placement
    meets the target and latency no longer votes."""
    wait_ms = advisor.sampling_wait_ms(CHEAP_CLOUD.analysed_fps)[0]

    def placement(response_ms, privacy_level):
        a = advisor.answers(**base, response_ms=max(1.0, response_ms), privacy=ORDER[privacy_level])
        return advisor.advise(a, CHEAP_CLOUD).placement

    if max(1.0, loose * tighter) <= wait_ms:
        return
    before = placement(loose, privacy)
    after = placement(loose * tighter, max(privacy, stricter))
    if before != "cloud":
        assert after != "cloud"


@settings(max_examples=examples(30), deadline=None)
@given(
    answers=st.fixed_dictionaries(
        {
            "data_origin": st.sampled_from(["cloud", "on_premise"]),
            "connectivity": st.sampled_from(["fiber", "broadband", "metered_5g", "satellite"]),
            "privacy": st.sampled_from(["none", "anonymisable"]),
            "update_cadence": st.sampled_from(["hourly", "daily", "weekly", "monthly"]),
            "cloud_platform": st.sampled_from(["aws", "azure", "gcp", "none"]),
            "site_space": st.sampled_from(["minimal", "enclosure", "rack"]),
        }
    ),
    cameras=st.integers(1, 300),
    fps=st.sampled_from([0.1, 0.5, 2.0]),
    install=st.sampled_from([0, 5_000, 50_000]),
    discount=st.sampled_from([0, 90, 99]),
)
def test_end_to_end_a_side_five_times_cheaper_over_the_horizon_wins(answers, cameras, fps, install, discount):
    """No hard constraint (a reliable link, a loose target, a 100 Gbps uplink, data that may move); the costs
    come from the cost model on the recommended deployment (report.analyse_one) against the cheapest cloud design
    the link carries (each design a one-scenario batch of its own, its cloud lines summed by finance.total), not
    from the advice."""
    from planner.exports.report import analyse_one, summary
    from planner.model import costs, designs
    from planner.model.finance import total

    scenario = replace(
        RETAIL, cameras=cameras, analysed_fps=fps, install_per_device=install, inference_discount_percent=discount
    )
    a = advisor.answers(**answers, response_ms=60_000, uplink_mbps=100_000, site_power_watts=100_000)
    advice = advisor.advise(a, scenario)
    assert not advice.hard_constraints
    if not advice.edge_costed:
        return
    deployed = replace(scenario, **advice.scenario_changes)
    cloud = min(  # 100 Gbps carries every design
        float(total(costs.evaluate(costs.batch([designs.apply(deployed, c)]), sides=("cloud",)), "cloud")[0])
        for c in designs.design_changes(deployed)
    )
    edge = summary(analyse_one(deployed))["edge_total_cost"]  # the edge is the same against every design
    if edge * 5 <= cloud:
        assert advice.placement == "split_brain_edge"
    elif cloud * 5 <= edge:
        assert advice.placement == "cloud"


def test_a_design_that_buys_a_link_upgrade_is_carried_by_it():
    """Retail's 50 cameras of 4 Mbps video need 50 × 4 ÷ 0.8 = 250 Mbps: more than a 100 Mbps line (edge mandatory),
    carried by the link upgrade a design buys (the search buys only a class that carries it)."""
    store = replace(catalog.preset("retail"), cloud_upload="video", bitrate_mbps=4.0, cameras=50, sites=1)
    on_the_line = advisor.uplink_factor(advisor.answers(uplink_mbps=100), store)
    assert on_the_line.hard and "needs 250.0 Mbps per site" in on_the_line.reason
    upgraded = replace(store, link_upgrade_install=500, link_upgrade_per_month=225)
    over_it = advisor.uplink_factor(advisor.answers(uplink_mbps=100), upgraded)
    assert not over_it.hard and over_it.verdict == "either"
    assert over_it.reason.endswith(
        "it goes over the link upgrade the design buys (its installation and rental are cloud-side costs)."
    )
    assert advisor.buys_link_upgrade(replace(store, link_upgrade_per_month=1))
    assert not advisor.buys_link_upgrade(store)
