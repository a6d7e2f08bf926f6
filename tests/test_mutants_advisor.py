"""The advisor's exports and helpers that only the app and CLI tests reached: each figure of a hand-built
recommendation must come out as written, so a changed rounding, label or field fails here (fast tier, read by
`make mutation`)."""

import pytest

from planner.advice import advisor

pytestmark = pytest.mark.unit

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
    cloud_latency_ms={"Sampling wait": 50.0, "Queueing": 10.04, "Cloud inference": 20.0},
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
    assert ADVICE.cloud_ms == pytest.approx(50 + 10.04 + 20)
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
        ("Latency, cloud path", "Queueing", 10.0, "ms"),
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
    # cloud 50 + 10.04 + 20 = 80.04 → 80; edge 50 + 2 + 26.66 = 78.66 → 78.7
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
            "cloud": {"total": pytest.approx(80.04), "parts": ADVICE.cloud_latency_ms},
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
