"""The advisor's exports and helpers that only the app and CLI tests reached: each figure of a hand-built
recommendation must come out as written, so a changed rounding, label or field fails here (fast tier, read by
`make mutation`)."""

import dataclasses
import math
import types

import numpy as np
import pytest

from planner.advice import advisor
from planner.catalogs import catalog
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit

RETAIL = catalog.preset("retail")

SIZING = advisor.Sizing(
    device_id="dev-a",
    device_name="Box | A",
    devices=3,
    catalog_throughput_ips=200.0,
    derating_percent=25.0,
    derated_throughput_ips=75.0,  # 200 × (1 − 0.25) ÷ 2
    decode_streams=4.0,
    decode_ips=40.0,  # 4 streams × 10 frames/s
    per_device_ips=40.0,
    limited_by="video decode",
    required_ips=104.0,
    power_watts=45.25,
    feedback_gb_per_month=12.345,
    edge_total_cost=9_000.0,
    latency_ms={"Sampling wait": 50.0, "Local network": 2.0, "Edge inference": 26.66},
    reason="cheapest that fits",
)
FACTORS = (
    advisor.Factor("privacy", "Privacy", "on site", "edge", True, "Data must stay."),
    advisor.Factor("update_cadence", "Updates", "weekly", "edge", False, "Easy push.", 1.0),
    advisor.Factor("economics", "Economics", "pays back", "cloud", False, "Cloud | cheaper.", 3.25),
)
ADVICE = advisor.Advice(
    placement="edge_only",
    confidence="high",
    headline="Edge only",
    deciding=("privacy", "latency"),
    factors=FACTORS,
    cloud_latency_ms={"Sampling wait": 50.0, "Queueing": 10.06, "Cloud inference": 20.0},
    edge_latency_ms={"Sampling wait": 50.0, "Local network": 2.0, "Edge inference": 26.66},
    response_ms=1_500.0,
    stack=(advisor.Choice("runtime", "Triton", "serves | batches"),),
    sizing=SIZING,
    problems=("Too hot",),
    scenario_changes={"device_id": "dev-a"},
    break_even_month=7.5,
    warnings=("Watch out",),
    relax=("Allow a rack",),
    sampling_wait_ms=(50.0, 100.0),
    uplink_needed_mbps=12.3456,
    uplink_available_mbps=100.0,
    apply_notes=("Feedback 0 %",),
)


def test_weight_text_trims_zeros_and_says_decides_for_a_hard_constraint():
    assert [advisor.weight_text(f) for f in FACTORS] == ["decides", "1", "3.25"]
    assert advisor.weight_text(advisor.Factor("x", "x", "", "edge", False, "", 0.5)) == "0.5"
    assert advisor.weight_text(advisor.Factor("x", "x", "", "edge", False, "", 0.0)) == "0"
    assert advisor.weight_text(advisor.Factor("x", "x", "", "edge", False, "", 1234.0)) == "1,234"


def test_advice_properties_sum_the_paths_and_name_the_hard_constraints():
    assert ADVICE.cloud_ms == pytest.approx(50 + 10.06 + 20)
    assert ADVICE.edge_ms == pytest.approx(50 + 2 + 26.66)
    assert ADVICE.edge_costed is True
    assert ADVICE.hard_constraints == ("privacy",)


def test_sizing_text_writes_every_step_of_the_device_count():
    assert advisor.sizing_text(SIZING) == (
        "104.0 inferences/s needed with headroom; per device 200 × (1 − 25 % derating) ÷ workload compute = "
        "75.0 inferences/s, video decode 4 streams × analysed frames/s = 40.0; a device sustains 40.0 "
        "inferences/s, limited by video decode"
    )
    no_video = advisor.Sizing(**{**SIZING.__dict__, "decode_streams": 0.0, "limited_by": "inference"})
    assert "video decode" not in advisor.sizing_text(no_video)


def test_advice_table_rows_in_order_with_their_roundings():
    table = advisor.advice_table(ADVICE)
    assert list(table.columns) == ["section", "item", "value", "reason"]
    rows = [tuple(r) for r in table.itertuples(index=False)]
    assert rows == [
        ("Recommendation", "Placement", "Edge only: inference and data stay on site", "Edge only"),
        ("Recommendation", "Confidence", "high", "privacy; latency"),
        ("Warning", "", "", "Watch out"),
        ("Factor", "Privacy", "edge (weight: decides)", "on site: Data must stay."),
        ("Factor", "Updates", "edge (weight: 1)", "weekly: Easy push."),
        ("Factor", "Economics", "cloud (weight: 3.25)", "pays back: Cloud | cheaper."),
        ("Latency, cloud path", "Sampling wait", 50.0, "ms"),
        ("Latency, cloud path", "Queueing", 10.1, "ms"),
        ("Latency, cloud path", "Cloud inference", 20.0, "ms"),
        ("Latency, edge path", "Sampling wait", 50.0, "ms"),
        ("Latency, edge path", "Local network", 2.0, "ms"),
        ("Latency, edge path", "Edge inference", 26.7, "ms"),
        ("Uplink", "Needed by the cloud path", 12.35, "Mbps per site"),
        ("Uplink", "Available", 100.0, "Mbps per site"),
        ("Stack", "runtime", "Triton", "serves | batches"),
        ("Sizing", "Device", "Box | A", "cheapest that fits"),
        ("Sizing", "Devices", 3, advisor.sizing_text(SIZING)),
        ("Sizing", "Power", 45.2, "W"),
        ("Sizing", "Feedback upload", 12.35, "GB/month"),
        ("Apply", "", "", "Feedback 0 %"),
        ("Does not fit", "", "", "Too hot"),
        ("To fit", "", "", "Allow a rack"),
    ]


def test_advice_table_without_a_device_has_no_sizing_rows():
    bare = advisor.Advice(**{**ADVICE.__dict__, "sizing": None, "warnings": (), "apply_notes": ()})
    sections = list(advisor.advice_table(bare)["section"])
    assert "Sizing" not in sections and "Warning" not in sections and "Apply" not in sections


def test_markdown_escapes_cells_and_writes_the_figures():
    assert advisor._md("a|b\\c\nd") == "a\\|b\\\\c d"
    text = advisor.advice_markdown(ADVICE)
    assert text.endswith("\n")
    lines = text.splitlines()
    assert lines[:4] == [
        "## Recommendation: Edge only: inference and data stay on site",
        "",
        "Edge only (confidence: high).",
        "",
    ]
    assert lines[4:6] == ["> ⚠ Watch out", ""]
    assert lines[6:8] == ["| Factor | Answer | Verdict | Weight | Why |", "|---|---|---|---|---|"]
    assert lines[8] == "| Privacy | on site | edge (mandatory) | decides | Data must stay. |"
    assert lines[9] == "| Updates | weekly | edge | 1 | Easy push. |"
    assert lines[10] == "| Economics | pays back | cloud | 3.25 | Cloud \\| cheaper. |"
    # cloud 50 + 10.06 + 20 = 80.06 → 80; edge 50 + 2 + 26.66 = 78.66 → 78.7
    assert lines[11:13] == [
        "",
        "Latency: cloud path ≈ 80 ms, edge path ≈ 78.7 ms, required ≤ 1,500 ms (both include an average wait "
        "of 50 ms for the next analysed frame).",
    ]
    assert lines[13] == "Uplink: the cloud path needs 12.3 Mbps per site; 100 Mbps available."
    assert lines[14:18] == [
        "",
        "| Layer | Choice | Why |",
        "|---|---|---|",
        "| runtime | Triton | serves \\| batches |",
    ]
    assert lines[18:20] == [
        "",
        "Sizing: 3 × Box \\| A, 45 W, feedback upload 12.3 GB/month. cheapest that fits; "
        + advisor.sizing_text(SIZING)
        + ".",
    ]
    assert lines[20:] == ["- Feedback 0 %", "", "No catalog device fits. To fit:", "- Allow a rack"]


def test_markdown_without_edge_path_warnings_or_relax():
    bare = advisor.Advice(
        **{**ADVICE.__dict__, "edge_latency_ms": {}, "warnings": (), "relax": (), "sizing": None, "apply_notes": ()}
    )
    text = advisor.advice_markdown(bare)
    assert "⚠" not in text and "edge path" not in text and "To fit" not in text and "Sizing" not in text
    assert text.splitlines()[4] == "| Factor | Answer | Verdict | Weight | Why |"
    assert (
        "Latency: cloud path ≈ 80 ms, required ≤ 1,500 ms (both include an average wait of 50 ms for the next "
        "analysed frame)." in text.splitlines()
    )


def test_advice_dict_carries_every_field():
    d = advisor.advice_dict(ADVICE)
    assert d == {
        "placement": "edge_only",
        "confidence": "high",
        "headline": "Edge only",
        "hard_constraints": ["privacy"],
        "factors": [
            {
                "key": f.key,
                "name": f.name,
                "answer": f.answer,
                "verdict": f.verdict,
                "hard": f.hard,
                "weight": f.weight,
                "reason": f.reason,
            }
            for f in FACTORS
        ],
        "latency_ms": {
            "required": 1_500.0,
            "sampling_wait": {"average": 50.0, "worst": 100.0},
            "cloud": {"total": pytest.approx(80.06), "parts": ADVICE.cloud_latency_ms},
            "edge": {"total": pytest.approx(78.66), "parts": ADVICE.edge_latency_ms},
        },
        "uplink_needed_mbps": 12.3456,
        "uplink_available_mbps": 100.0,
        "device_id": "dev-a",
        "devices": 3,
        "per_device_ips": 40.0,
        "limited_by": "video decode",
        "edge_costed": True,
        "break_even_month": 7.5,
        "stack": {"runtime": "Triton"},
        "scenario_changes": {"device_id": "dev-a"},
        "warnings": ["Watch out"],
        "problems": ["Too hot"],
        "relax": ["Allow a rack"],
    }
    bare = advisor.advice_dict(advisor.Advice(**{**ADVICE.__dict__, "sizing": None, "edge_latency_ms": {}}))
    assert (bare["device_id"], bare["devices"], bare["per_device_ips"], bare["limited_by"]) == (None,) * 4
    assert bare["latency_ms"]["edge"] == {"total": None, "parts": {}}
    assert bare["edge_costed"] is False


# ── Kernels of the rules, latency, money and sizing, by hand ───────────────────────────────────────────
def test_latency_parts_by_hand():
    assert advisor.sampling_wait_ms(4) == (125.0, 250.0)  # 1000 ÷ 4 = 250 ms between frames
    assert advisor.sampling_wait_ms(0) == (0.0, 0.0)
    a = advisor.answers(connectivity="broadband", region_distance_km=400, uplink_mbps=20, workload="segmentation")
    parts = advisor.cloud_latency(a, 100, 4)
    assert parts == {
        advisor.SAMPLING_WAIT: 125.0,
        "Access network round trip": 20,  # data/connectivity.csv: broadband
        "Distance round trip": pytest.approx(2 * 400 / 200 * 1.5),  # 6 ms
        "Frame upload": pytest.approx(100 * 8 / 20),  # 40 ms
        "Queueing": 20.0,
        "Cloud inference": 300,  # data/workloads.csv: segmentation
    }
    assert advisor.cloud_path_ms(125.0, 20, 400, 100, 20, 300) == pytest.approx(sum(parts.values()))
    edge = advisor.edge_latency(a, 50, 4)
    # segmentation is 2.5 × the reference compute: 2.5 × 1000 ÷ 50 = 50 ms
    assert edge == {advisor.SAMPLING_WAIT: 125.0, "Local network": 2.0, "Edge inference": 50.0}
    assert advisor.edge_path_ms(125.0, 2.5, 50) == 177.0
    assert advisor.edge_inference_ms(2.5, 50) == 50.0


def test_uplink_factor_suggests_frames_a_bitrate_or_a_faster_link():
    # 10 cameras on 2 sites at 4 Mbps: 20 Mbps of video per site, 25 needed at 80 %; frames 5 × 2 × 100 × 8 / 1000
    # = 8 Mbps, 10 needed; a 15 Mbps link carries 12 sustained
    scenario = replace(RETAIL, cameras=10, sites=2, bitrate_mbps=4, analysed_fps=2, image_kb=100, cloud_upload="video")
    assert advisor.uplink_mbps(scenario) == {
        "video": 20.0,
        "frames": 8.0,
        "sustained": 20.0,
        "needed": pytest.approx(25.0),
    }
    f = advisor.uplink_factor(advisor.answers(uplink_mbps=15), scenario)
    assert (f.verdict, f.hard, f.answer) == ("edge", True, "15 Mbps")
    assert f.reason == (
        "The cloud path needs 25.0 Mbps per site (5 cameras' video, 20.0 Mbps sustained at ≤ 80% of the link); "
        "the uplink carries 15 Mbps. It would fit with sending only the analysed frames (10.0 Mbps), or a bitrate "
        "of at most 2.40 Mbps per camera, or a link of at least 25.0 Mbps."
    )
    # a 9 Mbps link (7.2 sustained) cannot carry the 8 Mbps of frames either
    tight = advisor.uplink_factor(advisor.answers(uplink_mbps=9), scenario)
    assert "analysed frames" not in tight.reason and "a bitrate of at most 1.44 Mbps per camera" in tight.reason
    frames = replace(scenario, cloud_upload="frames")
    f = advisor.uplink_factor(advisor.answers(uplink_mbps=9), frames)
    # 7.2 Mbps sustained ÷ (5 cameras × 100 kB × 8) × 1000 = 1.80 frames/s per camera
    assert f.reason.endswith(
        "It would fit with at most 1.80 analysed frames/s per camera, or a link of at least 10.0 Mbps."
    )
    assert "5 cameras' analysed frames" in f.reason
    fits = advisor.uplink_factor(advisor.answers(uplink_mbps=100), frames)
    assert (fits.verdict, fits.hard) == ("either", False)
    assert fits.reason == (
        "The cloud path needs 10.0 Mbps per site for its analysed frames (8.0 Mbps sustained at ≤ 80% of the "
        "link): it fits."
    )
    # exactly the link needed fits
    assert advisor.uplink_factor(advisor.answers(uplink_mbps=10), frames).verdict == "either"


def test_rule_cases_of_several_sites_at_once():
    cases = advisor.rule_cases(
        np.array(["cloud", "on_premise", "cloud"]),
        np.array([100.0, 10.0, 250.0]),
        np.array([150.0, 5.0, 100.0]),
        np.array([10.0, 20.0, 0.0]),
        np.array([True, False, True]),
        np.array([False, False, True]),
        np.array(["fiber", "intermittent", "metered_5g"]),
        np.array(["anonymisable", "on_site", "none"]),
        np.array(["daily", "monthly", "weekly"]),
        np.array([5.0, 50.0, 10.0]),
        np.array([10.0, 10.0, 10.0]),
    )
    assert cases["data_origin"].tolist() == [1, 0, 1]
    # site 1: cloud 150 > 100 allowed; site 2: the 20 ms wait uses the 10 ms up; site 3: 250 ≥ 200 human scale
    assert cases["response_ms"].tolist() == [1, 0, 3]
    assert cases["connectivity"].tolist() == [2, 0, 1]
    assert cases["privacy"].tolist() == [1, 2, 0]
    assert cases["update_cadence"].tolist() == [1, 3, 2]
    assert cases["uplink_mbps"].tolist() == [0, 1, 0]  # exactly the link is enough
    margin = advisor.rule_cases(
        "cloud", 100.0, 60.0, 0.0, True, False, "broadband", "none", "hourly", 1.0, 10.0
    )  # 60 ms of 100 allowed: neither machine nor human scale
    assert int(margin["response_ms"]) == 4 and int(margin["connectivity"]) == 3
    machine = advisor.rule_cases("cloud", 19.0, 5.0, 0.0, True, False, "fiber", "none", "hourly", 1.0, 10.0)
    assert int(machine["response_ms"]) == 2


def test_rule_votes_hard_rules_do_not_vote():
    cases = {rule: np.array([0]) for rule in advisor.RULES}
    cases["privacy"] = np.array([2])  # on site: hard
    hard, vote, counted = advisor.rule_votes(cases)
    # data born on site (edge +1), latency either (0), connectivity drops (edge, hard), privacy hard, hourly (cloud −1)
    assert hard.tolist() == [[False, False, True, True, False, False]]
    assert vote.tolist() == [[1.0, 0.0, 1.0, 1.0, -1.0, 0.0]]
    assert counted.tolist() == [[True, True, False, False, True, True]]


def test_money_weight_and_vote_by_hand():
    # a 5× difference weighs as much as every other answer (3 here); 25× twice that; equal costs nothing
    assert advisor.money_weight(500.0, 100.0, 3.0) == pytest.approx(3.0)
    assert advisor.money_weight(100.0, 2_500.0, 3.0) == pytest.approx(6.0)
    assert advisor.money_weight(100.0, 100.0, 3.0) == 0.0
    # a side that costs nothing is a million times cheaper
    assert advisor.money_weight(100.0, 0.0, 1.0) == pytest.approx(math.log(1e6) / math.log(5))
    assert advisor.money_weight(0.0, 0.0, 1.0) == 0.0
    weight, verdict = advisor.money_vote(
        np.array([500.0, 100.0, 100.0, 7.0]), np.array([100.0, 500.0, 100.0, 1.0]), 2.0, np.array([1, 1, 1, 0], bool)
    )
    assert weight.tolist() == pytest.approx([2.0, 2.0, 0.0, 0.0])
    assert verdict.tolist() == [1.0, -1.0, 0.0, 0.0]
    # capped at the largest ratio
    assert advisor.money_weight(1e9, 1.0, 1.0) == pytest.approx(math.log(1e6) / math.log(5))


def test_decide_sites_by_hand():
    hard = np.array([False, False, False, True, False])
    votes = np.array([[1.0, -1.0], [1.0, -1.0], [1.0, -1.0], [-1.0, -1.0], [1.0, 0.0]])
    weights = np.array([[2.0, 1.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [3.0, 0.5]])
    placement, score, total, edge_votes, cloud_votes = advisor.decide_sites(
        hard,
        votes,
        weights,
        np.array([0.0, 1.0, -1.0, 0.0, 1.0]),
        np.array(["none", "none", "none", "on_site", "on_site"]),
        np.array([True, True, True, True, False]),
    )
    # 2 − 1 = 1: edge; a tie goes to the cheaper side (edge, then cloud); hard on site: edge only; not costed: cloud
    assert placement.tolist() == [1, 1, 0, 2, 0]
    assert score.tolist() == [1.0, 0.0, 0.0, -2.0, 3.0]
    assert total.tolist() == [3.0, 2.0, 2.0, 2.0, 3.5]
    assert edge_votes.tolist() == [2.0, 1.0, 1.0, 0.0, 3.0]
    assert cloud_votes.tolist() == [1.0, 1.0, 1.0, 2.0, 0.0]


def test_confidence_boundaries():
    def factor(verdict, weight=1.0, key="x", hard=False):
        return advisor.Factor(key, key, "", verdict, hard, "", weight)

    # margin exactly 50 % (high) and 20 % (medium)
    assert advisor.decide([factor("edge", 3), factor("cloud", 1)], "none") == ("split_brain_edge", "high", 2.0)
    assert advisor.decide([factor("edge", 3), factor("cloud", 2)], "none") == ("split_brain_edge", "medium", 1.0)
    assert advisor.decide([factor("cloud", 3), factor("edge", 2.5)], "none")[:2] == ("cloud", "low")
    # the edge wins the vote but no device fits: the cloud, low
    assert advisor.decide([factor("edge", 3), factor("cloud", 1)], "none", costed=False) == ("cloud", "low", 2.0)
    where, confidence, score = advisor.decide([factor("edge", hard=True), factor("cloud", 5)], "none")
    assert (where, confidence) == ("split_brain_edge", "high") and math.isnan(score)


def test_device_throughput_derates_and_caps_by_decode():
    derated, decode, sustained = advisor.device_throughput(
        np.array([100.0, 100.0, 1e9, 0.01]), np.array([2.0, 10.0, 1.0, 1.0]), 20, 2.0, True, 5.0
    )
    # 100 × 0.8 ÷ 2 = 40; decode 2 × 5 = 10 or 10 × 5 = 50; clipped to 0.1 … 100,000
    assert derated.tolist() == pytest.approx([40.0, 40.0, 4e8, 0.004])
    assert decode.tolist() == [10.0, 50.0, 5.0, 5.0]
    assert sustained.tolist() == pytest.approx([10.0, 40.0, 5.0, 0.1])
    _, decode, sustained = advisor.device_throughput(np.array([1e9]), np.array([1.0]), 0, 1.0, False, 5.0)
    assert decode.tolist() == [np.inf] and sustained.tolist() == [1e5]


def test_sustained_ips_derates_only_the_catalog_benchmark():
    d = next(d for d in advisor.sized_devices() if d["decode_1080p30_streams"] > 0)
    benchmark = d["throughput_ips"]
    derated, decode, sustained = advisor.sustained_ips(d["id"], [benchmark, 7.0], 50, 2.0, True, 1.0)
    assert derated.tolist() == pytest.approx([benchmark * 0.5 / 2, 7.0])
    assert float(decode) == d["decode_1080p30_streams"] * 1.0  # streams × 1 analysed frame/s
    derated, decode, sustained = advisor.sustained_ips("not-in-catalog", [3.0, 0.0], 50, 2.0, True, 1.0)
    assert derated.tolist() == [3.0, 0.0] and decode.tolist() == [np.inf, np.inf]
    assert sustained.tolist() == [3.0, 0.1]


def test_sized_devices_leave_out_stand_ins_and_incomparable_benchmarks():
    ids = [d["id"] for d in advisor.sized_devices()]
    assert ids and not any(i.startswith("seed-") for i in ids)
    assert all(d["comparable"] != "no" for d in advisor.sized_devices())


def test_fits_space_and_misfits():
    assert advisor.fits_space(
        np.array(["server", "jetson", "coral", "server", "hailo"]),
        np.array(["rack", "rack", "minimal", "enclosure", "x"]),
    ).tolist() == [True, True, True, False, False]
    broken = advisor.misfits(
        np.array(["server", "jetson"]),
        "enclosure",
        True,
        np.array([10.0, 30.0]),
        20.0,
        True,
        np.array([100.0, 40.0]),
        40.0,
    )
    # server: no space, power 100 > 40; jetson: too small for the workload, 30 ms > 20 ms allowed
    assert broken.tolist() == [[True, False], [False, True], [False, True], [True, False]]
    unattainable = advisor.misfits("jetson", "rack", False, 30.0, 20.0, False, 10.0, 10.0)
    assert unattainable.tolist() == [False, False, False, False]  # latency cannot decide; power exactly the budget


def test_load_and_capacity_warning_by_hand():
    scenario = replace(RETAIL, cameras=20, analysed_fps=2, sizing_headroom_percent=25)
    assert advisor.load_ips(scenario) == 50.0  # 20 × 2 × 1.25
    short = advisor.Capacity(
        load_ips=50.0, sites=1, derated_ips=12.0, decode_ips=8.0, per_device_ips=8.0, needed=7, priced=2
    )
    assert not short.ok
    assert advisor.capacity_warning(short) == (
        "Edge capacity: 2 devices priced, 7 needed. Load 50.0 inferences/s (cameras × analysed frames/s × "
        "(1 + sizing headroom)) ÷ 8.0 inferences/s per device (limited by video decode; inference alone 12.0): "
        "50.0 ÷ 8.0 = 6.25 → 7 needed. The edge figures price the 2 asked for, which cannot carry the load: its "
        "cost is understated and its savings overstated. Set the devices to 7, or size automatically from a "
        "derated throughput (as the advisor's Apply does)."
    )
    sites = advisor.Capacity(50.0, 5, 4.0, math.inf, 4.0, 15, 1)
    text = advisor.capacity_warning(sites)
    assert text.startswith("Edge capacity: 1 device priced, 15 needed.")
    assert "÷ 4.0 inferences/s per device: 5 sites × ceil(10.0 ÷ 4.0) = 15 needed." in text
    assert advisor.capacity_warning(advisor.Capacity(50.0, 1, 8.0, 8.0, 8.0, 7, 7)) == ""
    # decode exactly as fast as inference: not limited by it; two sites: the per-site formula
    two = advisor.capacity_warning(advisor.Capacity(50.0, 2, 8.0, 8.0, 8.0, 8, 2))
    assert "limited by" not in two
    assert "÷ 8.0 inferences/s per device: 2 sites × ceil(25.0 ÷ 8.0) = 8 needed." in two


def test_capacity_counts_the_devices_the_load_needs():
    # 20 cameras × 2 frames/s × 1.3 = 52 inferences/s against 10 a device (not a catalog benchmark, so not derated)
    d = advisor.sized_devices()[0]
    scenario = replace(
        RETAIL,
        cameras=20,
        analysed_fps=2,
        sizing_headroom_percent=30,
        device_id=d["id"],
        device_throughput_ips=10.0 if d["throughput_ips"] != 10.0 else 11.0,
        device_sizing="manual",
        devices_manual=3,
        sites=1,
    )
    c = advisor.capacity(scenario, advisor.answers(workload="detection"))
    per_device = min(scenario.device_throughput_ips, d["decode_1080p30_streams"] * 2 or math.inf)
    assert (c.load_ips, c.sites, c.priced) == (pytest.approx(52.0), 1, 3)
    assert c.per_device_ips == pytest.approx(per_device)
    assert c.needed == math.ceil(52.0 / per_device - 1e-9)


def test_device_fields_convert_money_and_size_automatically():
    d = advisor.sized_devices()[0]
    fields = advisor.device_fields(d["id"], 12.5, 2.0)
    assert fields["device_throughput_ips"] == 12.5 and fields["device_sizing"] == "auto"
    assert fields["device_price"] == pytest.approx(2 * (d["unit_price_usd"] + d["host_usd"]))  # 2 units per USD
    assert fields["device_id"] == d["id"]


def test_each_factor_gives_the_reason_of_its_case():
    a = advisor.answers(
        response_ms=100,
        data_origin="on_premise",
        connectivity="metered_5g",
        privacy="anonymisable",
        update_cadence="daily",
    )
    found = {f.key: f for f in advisor.factors(a, 150.0, 125.0)}
    assert found["data_origin"].reason == "The data is born on site: sending it to the cloud pays to move noise."
    # a 125 ms wait already exceeds 100 ms: more than 500 ÷ 100 = 5 frames/s would help
    assert found["response_ms"].reason == (
        "An event waits 125 ms on average for the next analysed frame, already more than the 100 ms allowed "
        "whichever side infers: analyse more than 5 frames/s per camera or allow more time; latency cannot decide "
        "the placement."
    )
    assert (found["response_ms"].answer, found["response_ms"].verdict) == ("100 ms", "either")
    assert found["connectivity"].reason == "Every GB is billed: video over this link is the egress tax at its worst."
    assert found["privacy"].reason == "Data can be anonymised before it leaves the site."
    assert found["update_cadence"].reason == "Daily roll-outs to devices are routine with an orchestrator."
    assert [f.name for f in found.values()] == ["Data gravity", "Latency", "Connectivity", "Privacy", "Updates"]

    def latency(response_ms, cloud_ms, wait_ms=10.0):
        return advisor.factors(advisor.answers(response_ms=response_ms), cloud_ms, wait_ms)[1].reason

    assert latency(120, 150.0) == "The cloud path takes about 150 ms, more than the 120 ms allowed."
    assert latency(15, 5.0, 1.0) == "Below 20 ms is a machine reaction: no network hop can be relied on."
    assert latency(250, 60.0) == "250 ms leaves room for the ~60 ms cloud path (a human-scale wait)."
    assert latency(100, 60.0) == "The ~60 ms cloud path fits, with little margin."
    others = {
        f.key: f.reason
        for f in advisor.factors(
            advisor.answers(
                data_origin="cloud", connectivity="intermittent", privacy="on_site", update_cadence="monthly"
            ),
            60.0,
        )
    }
    assert others["data_origin"] == "The data is born in the cloud: inferring there moves nothing."
    assert others["connectivity"] == "The link drops: inference must keep running while it is down."
    assert others["privacy"] == "Data must stay on site: no frame leaves it, not even for retraining."
    assert others["update_cadence"] == "Monthly updates are an easy push to edge devices."
    broadband = advisor.factors(advisor.answers(connectivity="broadband", update_cadence="weekly"), 60.0)
    assert broadband[2].reason == "Unmetered but shared broadband: fine for frames, tight for many video streams."
    assert broadband[4].reason == "Weekly updates are an easy push to edge devices."


def fit(cloud_total, edge_total, break_even):
    sizing = advisor.Sizing(**{**SIZING.__dict__, "edge_total_cost": edge_total})
    return advisor.Fit(sizing, (), (), None, (), cloud_total, break_even)


def test_economics_factor_against_the_scenarios_own_cloud():
    f = advisor.economics_factor(fit(12_000.0, 9_000.0, 7.5), 36, "EUR", 3.0)
    assert (f.key, f.name, f.verdict, f.hard) == ("economics", "Economics", "edge", False)
    assert f.answer == "pays back in month 8 (7.5 months)"
    assert f.weight == pytest.approx(3.0 * math.log(12_000 / 9_000) / math.log(5))
    assert f.reason == (
        "Over 36 months the cloud costs 12,000 EUR and 3 × Box | A 9,000 EUR: the edge is 1.3× cheaper; the edge "
        "pays back in month 8 (7.5 months)."
    )
    dear = advisor.economics_factor(fit(1_000.0, 4_000.0, None), 24, "USD", 2.0)
    assert dear.verdict == "cloud" and dear.answer == "does not pay back within 24 months"
    assert ": the cloud is 4.0× cheaper; the edge does not pay back within 24 months." in dear.reason
    even = advisor.economics_factor(fit(5_000.0, 5_000.0, None), 24, "USD", 2.0)
    assert (even.verdict, even.weight) == ("either", 0.0)
    assert "5,000 USD and 3 × Box | A 5,000 USD; the edge" in even.reason
    assert advisor.money_basis(fit(12_000.0, 9_000.0, 7.5), None) == (12_000.0, 9_000.0, 7.5, "the cloud", "")


def test_economics_without_a_device_that_fits_does_not_vote():
    none = advisor.economics_factor(advisor.Fit(None, (), (), None, (), None, None), 36, "USD", 4.0)
    assert (none.verdict, none.weight, none.answer, none.hard) == ("either", 0.0, "not costed", False)
    assert none.reason == (
        "No catalog device fits the site as described: the edge cannot be costed, so money does not vote."
    )


def test_capacity_derates_a_catalog_benchmark_with_the_answers():
    # the catalog benchmark × (1 − 20 %) ÷ 2.5 (segmentation), or decode streams × 2 frames/s if lower
    d = next(d for d in advisor.sized_devices() if d["decode_1080p30_streams"] > 0)
    scenario = replace(
        RETAIL,
        cameras=40,
        analysed_fps=2,
        sizing_headroom_percent=0,
        device_id=d["id"],
        device_throughput_ips=d["throughput_ips"],
        device_sizing="manual",
        devices_manual=1,
        sites=1,
    )
    c = advisor.capacity(scenario, advisor.answers(workload="segmentation", derating_percent=20))
    derated, decode = d["throughput_ips"] * 0.8 / 2.5, d["decode_1080p30_streams"] * 2
    assert (c.derated_ips, c.decode_ips) == (pytest.approx(derated), pytest.approx(decode))
    assert c.per_device_ips == pytest.approx(min(derated, decode))
    assert c.needed == math.ceil(80 / min(derated, decode) - 1e-9) and c.load_ips == 80.0


def test_link_class_answers_only_what_the_questionnaire_can_take(monkeypatch):
    # an overlay (PLANNER_CATALOG_DIR) may add link classes: one whose id is no connectivity answer gives none, and
    # an upload outside the question's 0.1 … 100,000 Mbps gives no uplink answer; both ends are inside
    bundled = catalog.load()
    extra = (
        {**bundled.link_class("fiber"), "id": "leo", "upload_mbps": 0.1},
        {**bundled.link_class("fiber"), "id": "fiber", "upload_mbps": 100_000},
        {**bundled.link_class("fiber"), "id": "satellite", "upload_mbps": 100_000.5},
        {**bundled.link_class("fiber"), "id": "broadband", "upload_mbps": 0.09},
    )
    overlaid = dataclasses.replace(bundled, connectivity=extra)
    monkeypatch.setattr(catalog, "load", lambda *args, **kwargs: overlaid)
    assert advisor.link_class_answers("leo") == {"uplink_mbps": 0.1}
    assert advisor.link_class_answers("fiber") == {"connectivity": "fiber", "uplink_mbps": 100_000.0}
    assert advisor.link_class_answers("satellite") == {"connectivity": "satellite"}
    assert advisor.link_class_answers("broadband") == {"connectivity": "broadband"}
    assert advisor.link_class_answers("custom") == {}


def test_money_basis_without_a_design_the_uplink_carries_is_the_scenarios_own():
    # designs were costed but none is feasible: money votes on the scenario's own cloud, and says so
    no_design = types.SimpleNamespace(cheapest=None)
    basis = advisor.money_basis(fit(12_000.0, 9_000.0, 7.5), no_design)
    assert basis == (12_000.0, 9_000.0, 7.5, "the cloud (no cloud design fits the uplink: the scenario's own)", "")
    f = advisor.economics_factor(fit(12_000.0, 9_000.0, 7.5), 36, "EUR", 3.0, no_design)
    assert f.reason.startswith(
        "Over 36 months the cloud (no cloud design fits the uplink: the scenario's own) costs 12,000 EUR"
    )


def test_money_basis_against_the_cheapest_design_the_uplink_carries():
    # design 1 (frames only) is the cheapest the link carries; the scenario's own (0, video) is noted beside it
    own = replace(RETAIL, horizon_months=24)
    options = types.SimpleNamespace(
        scenario=own,
        scenarios=(own, replace(own, cloud_upload="frames")),
        current=0,
        cheapest=1,
        figures={1: {"total_cost": 10_000.0, "edge_total_cost": 9_500.0, "break_even_month": 20.0}}.__getitem__,
    )
    frames = "the cheapest cloud design the uplink carries (Per-image API (tiered); uploads: analysed frames only; "
    assert advisor.money_basis(fit(12_000.0, 9_000.0, 7.5), options) == (
        10_000.0,
        9_500.0,
        20.0,
        frames + "region: prices as entered)",
        " (against the scenario's own cloud design it pays back in month 8 (7.5 months))",
    )
    # against its own design the edge never pays back: said within the designs' 24-month horizon
    assert advisor.money_basis(fit(12_000.0, 13_000.0, None), options)[4] == (
        " (against the scenario's own cloud design it does not pay back within 24 months)"
    )
    f = advisor.economics_factor(fit(12_000.0, 9_000.0, 7.5), 24, "EUR", 3.0, options)
    # 10,000 against 9,500: the edge 1.05× → "1.1× cheaper"; it pays back in month 20 against the cheapest
    assert f.reason == (
        f"Over 24 months {frames}region: prices as entered) costs 10,000 EUR and 3 × Box | A 9,500 EUR: the edge is "
        "1.1× cheaper; the edge pays back in month 20 (20 months) (against the scenario's own cloud design it "
        "pays back in month 8 (7.5 months))."
    )
    # the scenario's own design is the cheapest: no note on it
    own_cheapest = types.SimpleNamespace(
        **{
            **vars(options),
            "cheapest": 0,
            "figures": lambda i: {"total_cost": 12_000.0, "edge_total_cost": 9_000.0, "break_even_month": 7.5},
        }
    )
    assert advisor.money_basis(fit(12_000.0, 9_000.0, 7.5), own_cheapest)[3:] == (
        "the cheapest cloud design the uplink carries (Per-image API (tiered); uploads: full video streams; "
        "region: prices as entered)",
        "",
    )


# ── advise: the recommendation put together from its parts (sizing and cloud designs given by hand) ────────────
NANO = "jetson-orin-nano-super"  # data/hardware.csv: 249 USD, 25 W, 30 kg CO2e embodied, family jetson
# 10 cameras on one site at 10 analysed frames/s: a 50 ms average wait (100 ms at worst); frames of 100 kB
ADVISED = replace(RETAIL, cameras=10, analysed_fps=10, image_kb=100, cloud_upload="frames", horizon_months=24)
COSTED = replace(ADVISED, **advisor.device_fields(NANO, 12.5), management_per_month=0.16, management_basis="per_device")
NANO_SIZING = advisor.Sizing(
    **{**SIZING.__dict__, "device_id": NANO, "device_name": "Nano", "per_device_ips": 12.5, "edge_total_cost": 800.0}
)
SOFT = dict(  # no hard constraint: data born on site, a human-scale wait, a metered link, weekly updates
    data_origin="on_premise",
    response_ms=1_000,
    connectivity="metered_5g",
    privacy="anonymisable",
    update_cadence="weekly",
    region_distance_km=100,
    uplink_mbps=1_000,
    cloud_platform="aws",
)


def advise_by_hand(monkeypatch, answers, found, options=None):
    """advise with `size` giving `found` and the cloud designs `options` (None: the scenario's own cloud)."""
    asked = []
    monkeypatch.setattr(advisor, "size", lambda a, scenario: found if (a, scenario) == (answers, ADVISED) else None)

    def designs_of(scenario, link_mbps):
        asked.append((scenario, link_mbps))
        return options

    advice = advisor.advise(answers, ADVISED, designs_of)
    assert asked == ([(found.costed, answers.uplink_mbps)] if found.sizing else [])
    return advice


def test_advise_puts_the_soft_votes_money_and_the_deployment_together(monkeypatch):
    a = advisor.answers(**SOFT)
    found = advisor.Fit(NANO_SIZING, ("Box: too hot",), (), COSTED, ("Management: a note",), 4_000.0, 6.0)
    video = replace(COSTED, cloud_upload="video")
    options = types.SimpleNamespace(
        scenario=COSTED,
        scenarios=(COSTED, video),
        current=0,
        cheapest=1,
        figures={1: {"total_cost": 2_500.0, "edge_total_cost": 500.0, "break_even_month": 3.2}}.__getitem__,
    )
    advice = advise_by_hand(monkeypatch, a, found, options)
    # wait 50 + metered 5G access 35 + 2 × 100 km ÷ 200 × 1.5 = 1.5 + 100 kB × 8 ÷ 1,000 Mbps = 0.8 + 20 + 150
    assert advice.cloud_latency_ms == {
        advisor.SAMPLING_WAIT: 50.0,
        "Access network round trip": 35,
        "Distance round trip": 1.5,
        "Frame upload": 0.8,
        "Queueing": 20.0,
        "Cloud inference": 150,
    }
    # soft votes: data gravity, connectivity, updates edge; latency (257.3 ms of 1,000, human scale) cloud;
    # privacy and the uplink (10 × 10 × 100 kB × 8 = 80 Mbps, 100 needed of 1,000) either: six of weight 1.
    # money: 2,500 against 500 is 5×, so it weighs as much as the six: 6, for the edge
    keys = ["data_origin", "response_ms", "connectivity", "privacy", "update_cadence", "uplink_mbps", "economics"]
    assert [f.key for f in advice.factors] == keys
    assert [f.verdict for f in advice.factors] == ["edge", "cloud", "edge", "either", "edge", "either", "edge"]
    money = advice.factors[-1]
    assert money.weight == pytest.approx(6.0) and money.answer == "pays back in month 4 (3.2 months)"
    assert "costs 2,500 USD and 3 × Nano 500 USD" in money.reason
    # score 1 − 1 + 1 + 1 + 6 = 8 of 12: a 67 % margin, high
    assert (advice.placement, advice.confidence) == ("split_brain_edge", "high")
    assert advice.headline == (
        "Edge inference, cloud training (split-brain): the weighted answers favour it 9.0 to 1.0; the edge pays "
        "back in month 4 (3.2 months) against the cheapest cloud design the uplink carries"
    )
    assert [d.split(":")[0] for d in advice.deciding] == ["Data gravity", "Connectivity", "Updates", "Economics"]
    assert advice.deciding == tuple(f"{f.name}: {f.reason}" for f in advice.factors if f.verdict == "edge")
    # the whole device, and the management fee and basis that differ from the scenario's; feedback is unchanged
    assert advice.scenario_changes == {
        "device_id": NANO,
        "device_price": 249.0,
        "device_watts": 25.0,
        "device_throughput_ips": 12.5,
        "device_embodied_kgco2e": 30.0,
        "device_sizing": "auto",
        "management_per_month": 0.16,
        "management_basis": "per_device",
    }
    assert (advice.sizing, advice.edge_latency_ms, advice.problems) == (NANO_SIZING, NANO_SIZING.latency_ms, ())
    assert (advice.break_even_month, advice.apply_notes, advice.relax, advice.warnings) == (
        6.0,
        ("Management: a note",),
        (),
        (),
    )
    assert (advice.response_ms, advice.sampling_wait_ms) == (1_000, (50.0, 100.0))
    assert (advice.uplink_needed_mbps, advice.uplink_available_mbps) == (pytest.approx(100.0), 1_000)
    assert advice.stack == tuple(advisor.stack(a, "jetson", NANO, "per_image"))
    assert [c.name for c in advice.stack if c.layer == "orchestration"] == ["AWS IoT Greengrass"]


def test_advise_the_cloud_wins_the_vote_against_the_scenarios_own_cloud(monkeypatch):
    a = advisor.answers(
        **{**SOFT, "data_origin": "cloud", "connectivity": "fiber", "privacy": "none", "update_cadence": "hourly"}
    )
    # no designs: money weighs the scenario's own cloud, 1,000 against the edge's 5,000: 5× for the cloud
    dear_edge = advisor.Sizing(**{**NANO_SIZING.__dict__, "edge_total_cost": 5_000.0})
    advice = advise_by_hand(monkeypatch, a, advisor.Fit(dear_edge, (), (), COSTED, (), 1_000.0, None))
    assert [f.verdict for f in advice.factors] == ["cloud"] * 5 + ["either", "cloud"]
    # −5 − 6 = −11 of 12: high
    assert (advice.placement, advice.confidence) == ("cloud", "high")
    assert advice.headline == (
        "Cloud inference: the weighted answers favour it 11.0 to 0.0; the edge does not pay back within 24 months"
    )
    names = ["Data gravity", "Latency", "Connectivity", "Privacy", "Updates", "Economics"]
    assert [d.split(":")[0] for d in advice.deciding] == names
    assert advice.factors[-1].reason.startswith("Over 24 months the cloud costs 1,000 USD and 3 × Nano 5,000 USD")


def test_advise_hard_constraints_without_a_device_that_fits(monkeypatch):
    # 90 ms allowed: the 257.3 ms cloud path is too slow (hard), the 100 ms worst wait is longer (a warning)
    a = advisor.answers(**{**SOFT, "response_ms": 90, "privacy": "on_site"})
    relax = ("2 × Nano fits with 50 W for edge compute",)
    advice = advise_by_hand(monkeypatch, a, advisor.Fit(None, ("Nano: too hot",), relax, None, (), None, None))
    assert advice.hard_constraints == ("response_ms", "privacy")
    assert (advice.placement, advice.confidence) == ("edge_only", "high")
    assert advice.headline == (
        "Edge only: inference and data stay on site: mandatory for latency, privacy; no catalog device fits the "
        "site as described, so the edge is not costed (2 × Nano fits with 50 W for edge compute)"
    )
    assert advice.deciding == tuple(f"{f.name}: {f.reason}" for f in advice.factors if f.hard)
    assert [d.split(":")[0] for d in advice.deciding] == ["Latency", "Privacy"]
    assert advice.warnings == (
        "At 10 analysed frames/s per camera an event waits up to 100 ms (50 ms on average) for the next analysed "
        "frame, longer than the 90 ms target, whichever side infers.",
    )
    assert (advice.sizing, advice.edge_latency_ms, advice.scenario_changes, advice.apply_notes) == (None, {}, {}, ())
    assert (advice.problems, advice.relax, advice.break_even_month) == (("Nano: too hot",), relax, None)
    assert advice.stack == tuple(advisor.stack(a, None, None, "per_image"))


def test_advise_a_tie_keeps_the_cloud_and_a_vote_without_a_device_cannot_move_it(monkeypatch):
    # edge: data gravity, weekly updates; cloud: latency, fibre; money: equal costs, no verdict → 2 to 2
    tie = advisor.answers(**{**SOFT, "connectivity": "fiber"})
    even = advisor.Sizing(**{**NANO_SIZING.__dict__, "edge_total_cost": 1_000.0})
    advice = advise_by_hand(monkeypatch, tie, advisor.Fit(even, (), (), COSTED, (), 1_000.0, None))
    assert (advice.placement, advice.confidence) == ("cloud", "low")
    assert advice.headline == (
        "Cloud inference: the weighted answers tie at 2.0 each, so the cloud stays (no investment without a "
        "reason); the edge does not pay back within 24 months"
    )
    # broadband votes either: edge 2 to cloud 1, but no device fits
    lean = advisor.answers(**{**SOFT, "connectivity": "broadband"})
    advice = advise_by_hand(monkeypatch, lean, advisor.Fit(None, (), (), None, (), None, None))
    assert (advice.placement, advice.confidence) == ("cloud", "low")
    assert advice.headline == (
        "Cloud inference: the weighted answers favour the edge 2.0 to 1.0, but no device that fits the site can "
        "carry the load, so the cloud stays; no catalog device fits the site as described, so the edge is not costed"
    )


def test_advise_a_tie_money_decides_goes_to_the_cheaper_side(monkeypatch):
    # edge 3 (data gravity, metered link, weekly updates) to cloud 1 (latency); the edge costs 5^(1/3) × the cloud,
    # so money weighs 6 × log(5^(1/3)) ÷ log 5 = 2 for the cloud: 3 to 3, and the cheaper side (the cloud) wins
    dear = advisor.Sizing(**{**NANO_SIZING.__dict__, "edge_total_cost": 1_000.0 * 5 ** (1 / 3)})
    advice = advise_by_hand(monkeypatch, advisor.answers(**SOFT), advisor.Fit(dear, (), (), COSTED, (), 1_000.0, None))
    assert advice.factors[-1].weight == pytest.approx(2.0)
    assert (advice.placement, advice.confidence) == ("cloud", "low")
    assert advice.headline == (
        "Cloud inference: the weighted answers tie at 3.0 each, so the cheaper side wins; the edge does not pay "
        "back within 24 months"
    )


# ── size: every device's problems, what to relax, and the device chosen, by hand ────────────────────────────
def test_size_names_each_devices_problems_and_sizes_the_one_that_fits():
    hw = {d["id"]: d for d in catalog.load().hardware}
    name = {key: d["name"] for key, d in hw.items()}
    # 10 cameras × 1 analysed frame/s × 1.3 headroom = 13 inferences/s; a 500 ms average wait. Per device at 50 %
    # derating: min(benchmark × 0.5, decode streams × 1/s): Nano 11 → 2 devices, NX 16 GB 18, NX 8 GB 18, AGX 22,
    # Hailo 16, L4 100 → 1 each. Edge path 500 + 2 + 1000 ÷ benchmark: Nano 505.5, NX 16 GB 505.9, NX 8 GB 506.7,
    # AGX 503.4, Hailo 503.0, L4 503.0 ms against 505 allowed
    site = replace(RETAIL, cameras=10, analysed_fps=1, sizing_headroom_percent=30)
    a = advisor.answers(site_space="enclosure", site_power_watts=24, response_ms=505, derating_percent=50)
    found = advisor.size(a, site)
    not_comparable = [
        f"{hw[d]['name']}: not sized — its benchmark ({hw[d]['reference_model']}) is not comparable with the reference "
        "workload (YOLOv8n INT8 640×640 detection)"
        for d in ("coral-usb", "coral-dev-board")
    ]
    assert found.problems == (
        *not_comparable,
        f"{name['jetson-orin-nano-super']}: takes 505.5 ms, 505 ms allowed",
        f"{name['jetson-orin-nano-super']}: 2 × 25 W = 50 W needed, 24 W available",
        f"{name['jetson-orin-nx-16gb']}: takes 505.9 ms, 505 ms allowed",
        f"{name['jetson-orin-nx-16gb']}: 1 × 25 W = 25 W needed, 24 W available",
        f"{name['jetson-orin-nx-8gb']}: takes 506.7 ms, 505 ms allowed",
        f"{name['jetson-agx-orin-64gb']}: 1 × 60 W = 60 W needed, 24 W available",
        f"{name['edge-server-l4']}: does not fit the space available (A small cabinet or shelf)",
        f"{name['edge-server-l4']}: 1 × 300 W = 300 W needed, 24 W available",
    )
    # the Hailo-8 alone fits: 1,023 × 0.5 = 511.5 derated, 16 streams × 1/s = 16 decoded: limited by decode
    s = found.sizing
    assert (s.device_id, s.device_name, s.devices) == ("hailo-8-m2", name["hailo-8-m2"], 1)
    assert (s.catalog_throughput_ips, s.derating_percent, s.derated_throughput_ips) == (1_023.0, 50.0, 511.5)
    assert (s.decode_streams, s.decode_ips, s.per_device_ips, s.limited_by) == (16.0, 16.0, 16.0, "video decode")
    assert (s.required_ips, s.power_watts) == (pytest.approx(13.0), 17.5)  # 2.5 W + a 15 W host
    assert s.latency_ms == {advisor.SAMPLING_WAIT: 500.0, "Local network": 2.0, "Edge inference": 1_000 / 1_023}
    assert s.reason == (
        f"Lowest edge cost over 36 months ({s.edge_total_cost:,.0f} USD) of the 1 comparable catalog device that fits"
    )
    assert found.costed.device_id == "hailo-8-m2" and found.costed.device_throughput_ips == 16.0
    assert found.costed.device_sizing == "auto" and found.relax == ()
    # AWS: Greengrass, 0.16 USD a device a month (data/management.csv)
    assert found.apply_notes == (
        "Management: AWS IoT Greengrass (per active core device), 0.16 USD per device per month (data/management.csv).",
    )
    assert (found.costed.management_per_month, found.costed.management_basis) == (0.16, "per_device")
    # time enough for all: the NX 8 GB (20 W) fits too; two that fit
    two = advisor.size(advisor.answers(site_space="enclosure", site_power_watts=24, response_ms=10_000), site)
    assert two.sizing.reason.endswith("of the 2 comparable catalog devices that fit")


def test_size_without_a_device_that_fits_says_what_to_relax_for_the_nearest():
    hw = {d["id"]: d for d in catalog.load().hardware}
    site = replace(RETAIL, cameras=10, analysed_fps=1, sizing_headroom_percent=30)
    # 10 W: every device draws more (one failure each); the L4 also needs a rack (two: not the nearest)
    found = advisor.size(advisor.answers(site_space="enclosure", site_power_watts=10, response_ms=10_000), site)
    assert (found.sizing, found.costed, found.apply_notes, found.cloud_total, found.break_even_month) == (
        None,
        None,
        (),
        None,
        None,
    )
    assert found.problems[-3:] == (
        f"{hw['hailo-8-m2']['name']}: 1 × 17.5 W = 18 W needed, 10 W available",
        f"{hw['edge-server-l4']['name']}: does not fit the space available (A small cabinet or shelf)",
        f"{hw['edge-server-l4']['name']}: 1 × 300 W = 300 W needed, 10 W available",
    )
    assert found.relax == (
        f"2 × {hw['jetson-orin-nano-super']['name']} fits with 50 W for edge compute",
        f"1 × {hw['jetson-orin-nx-16gb']['name']} fits with 25 W for edge compute",
        f"1 × {hw['jetson-orin-nx-8gb']['name']} fits with 20 W for edge compute",
        f"1 × {hw['jetson-agx-orin-64gb']['name']} fits with 60 W for edge compute",
        f"1 × {hw['hailo-8-m2']['name']} fits with 18 W for edge compute",  # ceil(17.5)
    )
    # a language model needs a server: in a cabinet every other device is too small (never a fix to suggest); the L4
    # fails the space alone (0.13 requests/s ÷ (1,000 × 0.5 ÷ 400 = 1.25 a server) = 1): it fits in a rack
    llm = advisor.size(
        advisor.answers(workload="language_model", site_space="enclosure", site_power_watts=10_000, response_ms=60_000),
        replace(site, cameras=1, analysed_fps=0.1),
    )
    assert llm.relax == (f"1 × {hw['edge-server-l4']['name']} fits with space for a server rack",)
    assert f"{hw['hailo-8-m2']['name']}: too small for a on-site language model (7–8b parameters)" in llm.problems
    server = f"{hw['edge-server-l4']['name']}: does not fit the space available (A small cabinet or shelf)"
    assert server in llm.problems


def test_factors_answers_in_words_and_the_remaining_reasons():
    a = advisor.answers(data_origin="on_premise", connectivity="fiber", privacy="none", update_cadence="hourly")
    found = advisor.factors(a, 60.0)
    assert [f.answer for f in found] == [
        "On premise (cameras, LIDAR, sensors)",
        "100 ms",
        "Fibre",
        "No restriction",
        "Hourly",
    ]
    assert found[2].reason == "High-bandwidth fibre is guaranteed: moving data is cheap and dependable."
    assert found[3].reason == "Data may move freely."
    assert found[4].reason == "Hourly retraining is easiest where the model is trained: in the cloud."
    # no sampling wait unless given: 1 ms allowed, a 0.5 ms cloud path is attainable and a machine reaction (hard)
    fastest = advisor.factors(advisor.answers(response_ms=1), 0.5)[1]
    assert (fastest.verdict, fastest.hard) == ("edge", True)
    # a 2,600 ms wait uses up 2,565 ms: 500 ÷ 2,565 = 0.1949… frames/s, two significant digits
    slow = advisor.factors(advisor.answers(response_ms=2_565), 3_000.0, 2_600.0)[1]
    assert "already more than the 2,565 ms allowed" in slow.reason
    assert "analyse more than 0.19 frames/s per camera" in slow.reason


def test_economics_factor_names_itself_and_divides_by_a_cost_below_one():
    none = advisor.economics_factor(advisor.Fit(None, (), (), None, (), None, None), 36, "USD", 4.0)
    assert (none.key, none.name) == ("economics", "Economics")
    # an edge of 0.50 against a cloud of 100: 100 ÷ 0.5 = 200× cheaper
    tiny = advisor.economics_factor(fit(100.0, 0.5, 0.2), 12, "USD", 1.0)
    assert ": the edge is 200.0× cheaper;" in tiny.reason


def test_advise_stack_follows_the_sized_device(monkeypatch):
    # on Azure the NX 16 GB has its own Arc row (data/stack.csv), billed by its own plan (its cores)
    nx = "jetson-orin-nx-16gb"
    sizing = advisor.Sizing(**{**NANO_SIZING.__dict__, "device_id": nx})
    costed = replace(COSTED, **advisor.device_fields(nx, 12.5))
    a = advisor.answers(**{**SOFT, "cloud_platform": "azure"})
    advice = advise_by_hand(monkeypatch, a, advisor.Fit(sizing, (), (), costed, (), 4_000.0, 6.0))
    orchestration = next(c for c in advice.stack if c.layer == "orchestration")
    assert orchestration.management == "azure-arc-k8s-orin-nx"


def test_uplink_factor_over_a_link_upgrade_and_at_its_edges():
    # 10 cameras on 2 sites at 4 Mbps: 20 Mbps of video per site, 25 needed at 80 %; frames 8 Mbps
    scenario = replace(RETAIL, cameras=10, sites=2, bitrate_mbps=4, analysed_fps=2, image_kb=100, cloud_upload="video")
    # the design buys a link upgrade (any installation fee): its upload goes over it, however thin the line
    upgraded = replace(scenario, link_upgrade_install=0.5, link_upgrade_per_month=0)
    assert advisor.buys_link_upgrade(upgraded)
    f = advisor.uplink_factor(advisor.answers(uplink_mbps=0.5), upgraded)
    assert (f.key, f.name, f.answer, f.verdict, f.hard) == (
        "uplink_mbps",
        "Uplink capacity",
        "0.5 Mbps",
        "either",
        False,
    )
    assert f.reason == (
        "The cloud path needs 25.0 Mbps per site for its video (20.0 Mbps sustained at ≤ 80% of the link): it goes "
        "over the link upgrade the design buys (its installation and rental are cloud-side costs)."
    )
    # a line that carries it (exactly 25 Mbps) fits by itself
    assert advisor.uplink_factor(advisor.answers(uplink_mbps=25), upgraded).reason.endswith(": it fits.")
    # 10 Mbps carries 8 sustained, exactly the frames: sending only them is a fix
    thin = advisor.uplink_factor(advisor.answers(uplink_mbps=10), scenario)
    assert (thin.name, thin.hard) == ("Uplink capacity", True)
    assert "It would fit with sending only the analysed frames (10.0 Mbps), or" in thin.reason
    # frames at 12/s: 5 × 12 × 100 kB × 8 = 48 Mbps sustained; 49.98 Mbps carries 39.984, which is
    # 39.984 × 1000 ÷ (5 × 100 × 8) = 9.996 frames/s per camera
    frames = replace(scenario, cloud_upload="frames", analysed_fps=12)
    assert "at most 10.00 analysed frames/s" in advisor.uplink_factor(advisor.answers(uplink_mbps=49.98), frames).reason


def test_site_cases_default_to_no_wait_and_no_upload():
    # 1 ms allowed and a 0.5 ms cloud path: attainable without a wait, a machine reaction (case 2)
    assert advisor.site_cases(advisor.answers(response_ms=1), 0.5)["response_ms"] == 2
    # a 0.1 Mbps link carries the default upload of nothing (case 0)
    assert advisor.site_cases(advisor.answers(uplink_mbps=0.1), 0.5)["uplink_mbps"] == 0


def test_deployment_changes_bill_the_plan_of_the_device_and_its_family():
    hw = {d["id"]: d for d in catalog.load().hardware}
    azure = advisor.answers(cloud_platform="azure", privacy="on_site")
    # data/stack.csv: on Azure the NX 16 GB has its own Arc row, a server its family's (data/management.csv)
    _, notes = advisor.deployment_changes(azure, RETAIL, hw["jetson-orin-nx-16gb"])
    assert notes[0].startswith("Management: Azure Arc-enabled Kubernetes, GitOps configuration (8-core Jetson Orin NX")
    changes, notes = advisor.deployment_changes(azure, RETAIL, hw["edge-server-l4"])
    assert notes[0].startswith("Management: Azure Arc-enabled Kubernetes, GitOps configuration (16-vCPU edge server)")
    assert changes["management_basis"] == "per_site" and notes[0].endswith(" per site per month (data/management.csv).")
    assert changes["feedback_percent"] == 0.0
    assert notes[1] == (
        "Feedback uploads: 0 % of frames (the data must stay on site, so none is sent for retraining; retrain on "
        "site or on frames released by hand)."
    )


def test_decide_without_money_and_below_one_point_of_score():
    def factor(verdict, weight=1.0):
        return advisor.Factor("x", "x", "", verdict, False, "", weight)

    # no economics factor: a tie has no cheaper side, the cloud stays
    assert advisor.decide([factor("edge"), factor("cloud")], "none") == ("cloud", "low", 0.0)
    # a lone vote of 0.9 for the edge: all of the soft weight, high
    assert advisor.decide([factor("edge", 0.9)], "none") == ("split_brain_edge", "high", 0.9)


def test_a_response_time_the_wait_uses_up_exactly_rules_out_no_device():
    # 1 analysed frame/s: a 500 ms average wait uses up 500 ms allowed, so latency cannot rule a device out
    site = replace(RETAIL, cameras=10, analysed_fps=1)
    found = advisor.size(advisor.answers(site_space="rack", site_power_watts=10_000, response_ms=500), site)
    assert not any(": takes " in p for p in found.problems)
