"""Architecture advisor: questionnaire → per-factor verdicts, latency budget, placement, stack, sizing.

The decision factors follow the seed article's table (data gravity, latency, connectivity, privacy,
update cadence), plus the uplink's capacity and the economics from the cost model. Hard constraints
decide first: a response time the cloud path cannot meet, data that must stay on site, a link that
cannot be relied on, or an uplink too small for what the cloud path uploads make the edge mandatory.
The other answers vote with a weight each (1 per answer; money's weight grows with the cost ratio).

Latency of one event, from the event to the decision [ms] (docs/FORMULAS.md, "Architecture advisor"):
    wait for the next analysed frame: on average ½ × 1000 ÷ analysed_fps (at worst all of it), on both paths
  cloud path:
  + access round trip (connectivity catalog)
  + 2 × distance_km ÷ 200 km/ms × 1.5          light in fibre (~2/3 c), routes ~1.5× the straight line
  + image_kb × 8 ÷ uplink_mbps                  uploading the frame
  + 20                                          load balancer / API queueing
  + cloud inference time (workload catalog)
  edge path:
  + 2 ms local network
  + relative_compute × 1000 ÷ catalog throughput (batch-1 time of one inference on the reference benchmark)

Sizing: a device sustains min(catalog_ips × (1 − derating%) ÷ relative_compute, decode_streams × analysed_fps)
inferences/s; the cost model sizes the fleet from that figure (sites × ceil(load per site ÷ it)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from pydantic import ConfigDict, create_model

from planner.catalogs import catalog
from planner.model import costs, designs, finance
from planner.model.designs import UPLINK_UTILISATION, site_upload_mbps
from planner.schema.format import break_even_text, ms_text
from planner.schema.scenario import ChoiceField, NumberField, Scenario, build, pydantic_field, replace, scale_money

if TYPE_CHECKING:  # imported where used: the commands that need no tables skip loading it
    import pandas as pd

FIBRE_KM_PER_MS = 200.0
ROUTE_FACTOR = 1.5
CLOUD_QUEUE_MS = 20.0
LOCAL_NETWORK_MS = 2.0
# The seed's thresholds: a response time of at least 200 ms is a human-scale wait (the cloud is fine);
# below 20 ms is a machine reaction. A response time of exactly 200 ms counts as human scale.
HUMAN_MS, MACHINE_MS = 200.0, 20.0
MONEY_PARITY_RATIO = 5.0  # at this cost ratio money weighs as much as every other soft answer together
MAX_COST_RATIO = 1e6  # a side that costs nothing is "a million times cheaper", not infinitely
REFERENCE_WORKLOAD = "YOLOv8n INT8 640×640 detection"
ARTICLE_STAND_INS = "seed-"  # catalog rows standing in for the article's cases, not products
SAMPLING_WAIT = "Wait for the next analysed frame (average)"
DERATING_DEFAULT_PERCENT = 50  # see the derating question's help and docs/FORMULAS.md

N, C = NumberField, ChoiceField
QUESTIONS: tuple[NumberField | ChoiceField, ...] = (
    C(
        "data_origin",
        "Advisor",
        "Where the data originates",
        {"on_premise": "On premise (cameras, LIDAR, sensors)", "cloud": "In the cloud (web traffic, CRM logs)"},
        "on_premise",
        "Data gravity: compute is cheapest where the data already is.",
    ),
    N(
        "response_ms",
        "Advisor",
        "Required response time",
        "ms",
        100,
        1,
        60_000,
        5,
        "From the event to the decision available, including the wait for the next analysed frame.",
    ),
    C(
        "connectivity",
        "Advisor",
        "Site connectivity",
        {
            "fiber": "Fibre",
            "broadband": "Broadband",
            "metered_5g": "Metered 5G / LTE",
            "satellite": "Satellite",
            "intermittent": "Intermittent",
        },
        "broadband",
        "The link between the site and the cloud.",
    ),
    C(
        "privacy",
        "Advisor",
        "Privacy regime",
        {
            "none": "No restriction",
            "anonymisable": "Can be anonymised and moved",
            "on_site": "Must stay on site (GDPR, HIPAA)",
        },
        "anonymisable",
        "What may leave the site.",
    ),
    C(
        "update_cadence",
        "Advisor",
        "Model update cadence",
        {"hourly": "Hourly", "daily": "Daily", "weekly": "Weekly", "monthly": "Monthly"},
        "weekly",
        "How often a retrained model is rolled out.",
    ),
    N(
        "region_distance_km",
        "Advisor",
        "Distance to the cloud region",
        "km",
        500,
        0,
        20_000,
        50,
        "Straight-line distance from the site to the nearest cloud region.",
    ),
    N(
        "uplink_mbps",
        "Advisor",
        "Site uplink bandwidth",
        "Mbps",
        100,
        0.1,
        100_000,
        10,
        "Upload bandwidth of one site's link: the cloud path's video or frames must fit in it.",
    ),
    N(
        "site_power_watts",
        "Advisor",
        "Power available for edge compute",
        "W",
        2_000,
        0,
        100_000,
        50,
        "Electrical budget at the site for inference hardware.",
    ),
    C(
        "site_space",
        "Advisor",
        "Space at the site",
        {
            "rack": "A server rack",
            "enclosure": "A small cabinet or shelf",
            "minimal": "Almost none (USB / M.2 accelerators)",
        },
        "enclosure",
        "Where the hardware has to fit.",
    ),
    C(
        "cloud_platform",
        "Advisor",
        "Organisation's cloud platform",
        {"aws": "AWS", "azure": "Azure", "gcp": "Google Cloud", "none": "None"},
        "aws",
        "The platform your teams already operate.",
    ),
    C(
        "kubernetes",
        "Advisor",
        "Kubernetes experience",
        {"none": "None", "some": "Some", "strong": "Strong"},
        "some",
        "Operating Kubernetes in production.",
    ),
    C(
        "workload",
        "Advisor",
        "Workload",
        {
            "classification": "Classification",
            "detection": "Detection",
            "segmentation": "Segmentation",
            "language_model": "Language model",
        },
        "detection",
        "What the model does.",
    ),
    N(
        "derating_percent",
        "Advisor",
        "Throughput derating",
        "%",
        DERATING_DEFAULT_PERCENT,
        0,
        95,
        5,
        "Share of a device's benchmark throughput lost in a real pipeline. The catalog's figures are model-only "
        "(YOLOv8n on Orin Nano: 3.49 ms GPU compute, without the ~0.7 ms host copies, letterbox pre-processing "
        "and NMS, about as long again): 50 % is a planning value; see docs/FORMULAS.md.",
    ),
)
del N, C
QUESTION_BY_NAME = {q.name: q for q in QUESTIONS}
Answers = create_model(
    "Answers", __config__=ConfigDict(extra="forbid", frozen=True), **{q.name: pydantic_field(q) for q in QUESTIONS}
)


def answers(**values) -> "Answers":
    """Validated questionnaire answers (ScenarioError names the field, value and range)."""
    return build(Answers, values, QUESTION_BY_NAME, "questionnaire")


# ── Results ─────────────────────────────────────────────────────────────────────────────────────────
VOTE = {"edge": 1, "cloud": -1, "either": 0}


@dataclass(frozen=True)
class Factor:
    key: str  # the question it answers, or "economics"
    name: str
    answer: str
    verdict: str  # "cloud", "edge" or "either"
    hard: bool  # a hard constraint: the edge is mandatory
    reason: str
    weight: float = 1.0  # its vote among the soft factors (a hard constraint decides before any vote)


@dataclass(frozen=True)
class Choice:
    layer: str
    name: str
    reason: str
    management: str = ""  # the management plan (data/management.csv) an orchestration choice is billed by


@dataclass(frozen=True)
class Sizing:
    device_id: str
    device_name: str
    devices: int
    catalog_throughput_ips: float  # the catalog's benchmark on the reference workload
    derating_percent: float
    derated_throughput_ips: float  # catalog × (1 − derating) ÷ the workload's relative compute
    decode_streams: float  # 1080p30 streams one device decodes (0: the workload decodes no video)
    decode_ips: float  # decode_streams × analysed frames/s per camera (0: no video)
    per_device_ips: float  # what one device sustains: the lower of inference and decode × frames/s
    limited_by: str  # "inference" or "video decode"
    required_ips: float
    power_watts: float
    feedback_gb_per_month: float
    edge_total_cost: float
    latency_ms: dict[str, float]  # the edge path's budget on this device
    reason: str


@dataclass(frozen=True)
class Fit:
    """What `size` found: the best device (or None), why the others do not fit, what to relax, and the
    scenario with the recommended deployment (`costed`), with a note on each of its deployment changes."""

    sizing: Sizing | None
    problems: tuple[str, ...]
    relax: tuple[str, ...]
    costed: Scenario | None
    apply_notes: tuple[str, ...]
    cloud_total: float | None
    break_even_month: float | None


@dataclass(frozen=True)
class Advice:
    placement: str  # "cloud", "split_brain_edge" or "edge_only"
    confidence: str  # "high", "medium", "low"
    headline: str
    deciding: tuple[str, ...]
    factors: tuple[Factor, ...]
    cloud_latency_ms: dict[str, float]  # component → ms (the sampling wait first)
    edge_latency_ms: dict[str, float]  # empty when no device fits
    response_ms: float
    stack: tuple[Choice, ...]
    sizing: Sizing | None
    problems: tuple[str, ...]  # why devices do not fit (every one, when none does)
    scenario_changes: dict  # apply to the scenario to cost the recommended deployment
    break_even_month: float | None  # of the scenario with the changes applied; None when not costed
    warnings: tuple[str, ...] = ()
    relax: tuple[str, ...] = ()  # which answer to change for which device to fit, when none does
    sampling_wait_ms: tuple[float, float] = (0.0, 0.0)  # (average, worst)
    uplink_needed_mbps: float = 0.0  # per site, for the cloud path, with UPLINK_UTILISATION headroom
    uplink_available_mbps: float = 0.0
    apply_notes: tuple[str, ...] = ()  # what "apply" sets besides the device, and why

    @property
    def cloud_ms(self) -> float:
        return sum(self.cloud_latency_ms.values())

    @property
    def edge_ms(self) -> float:
        return sum(self.edge_latency_ms.values())

    @property
    def edge_costed(self) -> bool:
        return self.sizing is not None

    @property
    def hard_constraints(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.factors if f.hard)


PLACEMENT_TEXT = {
    "cloud": "Cloud inference",
    "split_brain_edge": "Edge inference, cloud training (split-brain)",
    "edge_only": "Edge only: inference and data stay on site",
}


# ── Latency ─────────────────────────────────────────────────────────────────────────────────────────
def sampling_wait_ms(analysed_fps: float) -> tuple[float, float]:
    """(average, worst) wait of an event for the next analysed frame: ½ and all of 1000 ÷ analysed_fps."""
    interval_ms = 1000 / analysed_fps if analysed_fps > 0 else 0.0
    return interval_ms / 2, interval_ms


def cloud_latency(a: "Answers", image_kb: float, analysed_fps: float) -> dict[str, float]:
    link = _connectivity(a.connectivity)
    return {
        SAMPLING_WAIT: sampling_wait_ms(analysed_fps)[0],
        "Access network round trip": link["access_rtt_ms"],
        "Distance round trip": 2 * a.region_distance_km / FIBRE_KM_PER_MS * ROUTE_FACTOR,
        "Frame upload": image_kb * 8 / a.uplink_mbps,
        "Queueing": CLOUD_QUEUE_MS,
        "Cloud inference": _workload(a.workload)["cloud_inference_ms"],
    }


def edge_latency(a: "Answers", catalog_throughput_ips: float, analysed_fps: float) -> dict[str, float]:
    """The edge path on a device of the given catalog (reference-workload, batch-1) throughput."""
    return {
        SAMPLING_WAIT: sampling_wait_ms(analysed_fps)[0],
        "Local network": LOCAL_NETWORK_MS,
        "Edge inference": edge_inference_ms(_workload(a.workload)["relative_compute"], catalog_throughput_ips),
    }


def edge_inference_ms(relative_compute, catalog_throughput_ips):
    """One batch-1 inference of the workload on a device of the given catalog throughput [ms] (arrays broadcast)."""
    return relative_compute * 1000 / catalog_throughput_ips


def edge_path_ms(wait_ms, relative_compute, catalog_throughput_ips):
    """The whole edge path [ms]: the sampling wait, the local network, the inference (arrays broadcast)."""
    return wait_ms + LOCAL_NETWORK_MS + edge_inference_ms(relative_compute, catalog_throughput_ips)


def _connectivity(key: str) -> dict:
    return next(r for r in catalog.load().connectivity if r["id"] == key)


def link_class_answers(class_id: str) -> dict:
    """The answers a site's link class gives (its connectivity, its upload capacity within the question's range);
    none for the custom class."""
    found = catalog.load().link_class(class_id)
    if found is None:
        return {}
    question = QUESTION_BY_NAME["uplink_mbps"]
    answers = {"connectivity": found["id"]} if found["id"] in QUESTION_BY_NAME["connectivity"].options else {}
    if question.min <= found["upload_mbps"] <= question.max:
        answers["uplink_mbps"] = float(found["upload_mbps"])
    return answers


def _workload(key: str) -> dict:
    return next(r for r in catalog.load().workloads if r["id"] == key)


def _attainable(a: "Answers", wait_ms: float) -> bool:
    """Whether any path could meet the response time: the average sampling wait alone does not use it up."""
    return wait_ms < a.response_ms


# ── Uplink ──────────────────────────────────────────────────────────────────────────────────────────
def uplink_mbps(scenario: Scenario) -> dict[str, float]:
    """Sustained upload of one site's cloud path [Mbps]: its video streams or its analysed frames, and the
    link it needs with headroom (÷ UPLINK_UTILISATION). Cameras are spread evenly over the sites."""
    video, frames = site_upload_mbps(
        scenario.cameras, scenario.sites, scenario.bitrate_mbps, scenario.analysed_fps, scenario.image_kb
    )
    sustained = video if scenario.cloud_upload == "video" else frames
    return {"video": video, "frames": frames, "sustained": sustained, "needed": sustained / UPLINK_UTILISATION}


def buys_link_upgrade(scenario: Scenario) -> bool:
    """Whether the scenario's cloud design buys a link upgrade (the design search buys one only of a class that
    carries the design's upload, `designs.link_upgrade`): its upload then goes over the upgrade, not the line."""
    return scenario.link_upgrade_install > 0 or scenario.link_upgrade_per_month > 0


def uplink_factor(a: "Answers", scenario: Scenario) -> Factor:
    up = uplink_mbps(scenario)
    have = a.uplink_mbps
    answer = f"{have:,g} Mbps"
    what = "video" if scenario.cloud_upload == "video" else "analysed frames"
    upgraded = buys_link_upgrade(scenario)
    case = site_cases(a, 0.0, needed_mbps=0.0 if upgraded else up["needed"])["uplink_mbps"]
    if case == 0:
        carried = (
            "it goes over the link upgrade the design buys (its installation and rental are cloud-side costs)"
            if upgraded and up["needed"] > have
            else "it fits"
        )
        return _factor(
            "uplink_mbps",
            case,
            "Uplink capacity",
            answer,
            f"The cloud path needs {up['needed']:,.1f} Mbps per site for its {what} "
            f"({up['sustained']:,.1f} Mbps sustained at ≤ {UPLINK_UTILISATION:.0%} of the link): {carried}.",
        )
    cameras = scenario.cameras / scenario.sites
    room = have * UPLINK_UTILISATION  # what the link carries, sustained
    fixes = []
    if scenario.cloud_upload == "video":
        if up["frames"] <= room:
            fixes.append(f"sending only the analysed frames ({up['frames'] / UPLINK_UTILISATION:,.1f} Mbps)")
        fixes.append(f"a bitrate of at most {room / cameras:,.2f} Mbps per camera")
    else:
        fixes.append(f"at most {room * 1000 / (cameras * scenario.image_kb * 8):,.2f} analysed frames/s per camera")
    fixes.append(f"a link of at least {up['needed']:,.1f} Mbps")
    return _factor(
        "uplink_mbps",
        case,
        "Uplink capacity",
        answer,
        f"The cloud path needs {up['needed']:,.1f} Mbps per site ({cameras:,g} cameras' {what}, "
        f"{up['sustained']:,.1f} Mbps sustained at ≤ {UPLINK_UTILISATION:.0%} of the link); the uplink "
        f"carries {have:,g} Mbps. It would fit with " + ", or ".join(fixes) + ".",
    )


# ── The rules: one kernel for one site (a batch of one) and for every site of a fleet ────────────────
# Each rule maps a site's answers to a case; each case has a verdict and is hard (the edge is mandatory) or soft
# (a vote of weight 1: +1 edge, −1 cloud, 0 either). `factors` writes the cases' reasons for one site; the fleet
# (`planner.fleet.programme.place`) votes with the same cases for all its sites at once.
RULE_CASES: dict[str, tuple[tuple[str, bool], ...]] = {  # rule → (verdict, hard) per case code
    "data_origin": (("edge", False), ("cloud", False)),  # born on site, born in the cloud
    "response_ms": (
        ("either", False),
        ("edge", True),
        ("edge", True),  # unattainable, cloud too slow,
        ("cloud", False),
        ("either", False),
    ),  # machine reaction, human wait, margin
    "connectivity": (("edge", True), ("edge", False), ("cloud", False), ("either", False)),  # drops, metered,
    "privacy": (("cloud", False), ("either", False), ("edge", True)),  # fibre, shared; none, anonymisable,
    "update_cadence": (("cloud", False), ("either", False), ("edge", False), ("edge", False)),  # on site; cadence
    "uplink_mbps": (("either", False), ("edge", True)),  # fits, too thin
}
RULES = tuple(RULE_CASES)
HARD_CASES = {
    "latency": ("response_ms", 1),
    "machine reaction": ("response_ms", 2),
    "connectivity": ("connectivity", 0),
    "privacy": ("privacy", 2),
    "uplink capacity": ("uplink_mbps", 1),
}


def cloud_path_ms(wait_ms, access_rtt_ms, region_distance_km, image_kb, uplink_mbps, cloud_inference_ms):
    """The whole cloud path [ms] (arrays broadcast): the parts of `cloud_latency`, summed."""
    return (
        wait_ms
        + access_rtt_ms
        + 2 * region_distance_km / FIBRE_KM_PER_MS * ROUTE_FACTOR
        + image_kb * 8 / uplink_mbps
        + CLOUD_QUEUE_MS
        + cloud_inference_ms
    )


def rule_cases(
    data_origin,
    response_ms,
    cloud_ms,
    wait_ms,
    reliable,
    metered,
    connectivity,
    privacy,
    update_cadence,
    needed_mbps,
    uplink_mbps,
) -> dict[str, np.ndarray]:
    """The case code of every rule for every site (arrays (n,)); see RULE_CASES."""
    attainable = np.asarray(wait_ms) < response_ms
    return {
        "data_origin": (np.asarray(data_origin) == "cloud").astype(int),
        "response_ms": np.select(
            [~attainable, cloud_ms > response_ms, response_ms < MACHINE_MS, response_ms >= HUMAN_MS], [0, 1, 2, 3], 4
        ),
        "connectivity": np.select(
            [~np.asarray(reliable, bool), np.asarray(metered, bool), np.asarray(connectivity) == "fiber"], [0, 1, 2], 3
        ),
        "privacy": np.select([np.asarray(privacy) == "none", np.asarray(privacy) == "anonymisable"], [0, 1], 2),
        "update_cadence": np.select(
            [np.asarray(update_cadence) == c for c in ("hourly", "daily", "weekly")], [0, 1, 2], 3
        ),
        "uplink_mbps": (np.asarray(needed_mbps) > uplink_mbps).astype(int),
    }


def rule_votes(cases: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(hard, vote, counted), each (n, len(RULES)): whether the rule is a hard constraint, its soft vote, and
    whether that vote counts (a hard rule does not vote)."""
    hard = np.column_stack([np.array([h for _, h in RULE_CASES[r]])[cases[r]] for r in RULES])
    vote = np.column_stack([np.array([VOTE[v] for v, _ in RULE_CASES[r]], dtype=float)[cases[r]] for r in RULES])
    return hard, vote, ~hard


def money_vote(cloud_total, edge_total, other_weights, costed) -> tuple[np.ndarray, np.ndarray]:
    """(weight, verdict) of money per site: `money_weight` where the edge is costed (0 elsewhere), and +1 where
    the edge is cheaper, −1 where the cloud is, 0 when equal or not costed."""
    cloud_total, edge_total = np.asarray(cloud_total, float), np.asarray(edge_total, float)
    dear, cheap = np.maximum(cloud_total, edge_total), np.minimum(cloud_total, edge_total)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(cheap > 0, np.minimum(dear / np.where(cheap > 0, cheap, 1), MAX_COST_RATIO), MAX_COST_RATIO)
    weight = np.where(costed & (dear > 0), other_weights * np.log(ratio) / math.log(MONEY_PARITY_RATIO), 0.0)
    return weight, np.where(costed, np.sign(cloud_total - edge_total), 0.0)


def decide_sites(hard, votes, weights, tie_verdict, privacy, costed) -> tuple[np.ndarray, ...]:
    """(placement index into ("cloud", "split_brain_edge", "edge_only"), score, total soft weight, edge votes,
    cloud votes) per site, from: hard (n,) whether a hard constraint holds; votes (n, k) each soft factor's
    +1 edge / −1 cloud / 0 either; weights (n, k) each one's weight (0: it does not vote); tie_verdict (n,)
    the cheaper side's sign (+1 the edge); costed (n,) whether the edge's devices fit the site.

    Hard constraints first (the edge; edge only when the data must stay on site); then the weighted vote, a
    tie going to the cheaper side, or the cloud when money has no verdict (no investment without a reason).
    A site whose devices do not fit goes to the edge only by a hard constraint, never by the vote."""
    score = (votes * weights).sum(axis=1)
    total = weights.sum(axis=1)
    edge_votes, cloud_votes = (weights * (votes > 0)).sum(axis=1), (weights * (votes < 0)).sum(axis=1)
    tie = np.isclose(score, 0.0, rtol=0, atol=1e-9 * np.maximum(total, 1.0))
    goes_edge = hard | (costed & np.where(tie, tie_verdict > 0, score > 0))
    placement = np.where(goes_edge, np.where(np.asarray(privacy) == "on_site", 2, 1), 0)
    return placement, np.where(tie, 0.0, score), total, edge_votes, cloud_votes


# ── Factors ─────────────────────────────────────────────────────────────────────────────────────────
def site_cases(a: "Answers", cloud_ms: float, wait_ms: float = 0.0, needed_mbps: float = 0.0) -> dict[str, int]:
    """The case of every rule for one site (`rule_cases`, a batch of one)."""
    link = _connectivity(a.connectivity)
    cases = rule_cases(
        np.array([a.data_origin]),
        a.response_ms,
        cloud_ms,
        wait_ms,
        link["reliable"] == "yes",
        link["metered"] == "yes",
        np.array([a.connectivity]),
        np.array([a.privacy]),
        np.array([a.update_cadence]),
        needed_mbps,
        a.uplink_mbps,
    )
    return {rule: int(np.ravel(case)[0]) for rule, case in cases.items()}


def _factor(rule: str, case: int, name: str, answer: str, reason: str) -> Factor:
    verdict, hard = RULE_CASES[rule][case]
    return Factor(rule, name, answer, verdict, hard, reason)


def factors(a: "Answers", cloud_ms: float, wait_ms: float = 0.0) -> list[Factor]:
    """The seed table's factors. `cloud_ms` is the whole cloud path, `wait_ms` its average sampling wait.
    Verdicts come from the rules' cases (`rule_cases`, shared with the fleet); each case has its reason."""

    def text(name: str) -> str:
        return QUESTION_BY_NAME[name].options[getattr(a, name)]

    case = site_cases(a, cloud_ms, wait_ms)
    need = f"{a.response_ms:,.0f} ms"
    latency = (
        f"An event waits {ms_text(wait_ms)} on average for the next analysed frame, already more than the {need} "
        f"allowed whichever side infers: analyse more than {500 / a.response_ms:,.2g} frames/s per camera or allow "
        "more time; latency cannot decide the placement.",
        f"The cloud path takes about {cloud_ms:,.0f} ms, more than the {need} allowed.",
        f"Below {MACHINE_MS:.0f} ms is a machine reaction: no network hop can be relied on.",
        f"{need} leaves room for the ~{cloud_ms:,.0f} ms cloud path (a human-scale wait).",
        f"The ~{cloud_ms:,.0f} ms cloud path fits, with little margin.",
    )[case["response_ms"]]
    return [
        _factor(
            "data_origin",
            case["data_origin"],
            "Data gravity",
            text("data_origin"),
            (
                "The data is born on site: sending it to the cloud pays to move noise.",
                "The data is born in the cloud: inferring there moves nothing.",
            )[case["data_origin"]],
        ),
        _factor("response_ms", case["response_ms"], "Latency", need, latency),
        _factor(
            "connectivity",
            case["connectivity"],
            "Connectivity",
            text("connectivity"),
            (
                "The link drops: inference must keep running while it is down.",
                "Every GB is billed: video over this link is the egress tax at its worst.",
                "High-bandwidth fibre is guaranteed: moving data is cheap and dependable.",
                "Unmetered but shared broadband: fine for frames, tight for many video streams.",
            )[case["connectivity"]],
        ),
        _factor(
            "privacy",
            case["privacy"],
            "Privacy",
            text("privacy"),
            (
                "Data may move freely.",
                "Data can be anonymised before it leaves the site.",
                "Data must stay on site: no frame leaves it, not even for retraining.",
            )[case["privacy"]],
        ),
        _factor(
            "update_cadence",
            case["update_cadence"],
            "Updates",
            text("update_cadence"),
            (
                "Hourly retraining is easiest where the model is trained: in the cloud.",
                "Daily roll-outs to devices are routine with an orchestrator.",
                "Weekly updates are an easy push to edge devices.",
                "Monthly updates are an easy push to edge devices.",
            )[case["update_cadence"]],
        ),
    ]


def money_weight(cloud_total: float, edge_total: float, other_weights: float) -> float:
    """Money's vote for one site (`money_vote`): other_weights × log(ratio) ÷ log(MONEY_PARITY_RATIO), ratio =
    dearer ÷ cheaper side over the horizon. Equal costs weigh 0; a 5× difference weighs as much as every other
    soft answer together."""
    return float(money_vote(cloud_total, edge_total, other_weights, True)[0])


def money_basis(fit: "Fit", options: "designs.Designs | None") -> tuple[float, float, float | None, str, str]:
    """(cloud total, edge total, break-even, what the cloud is, a note on the scenario's own design) that money
    votes on: the cheapest cloud design the link carries (`designs.evaluate` of the costed deployment), or the
    scenario's own when none is feasible."""
    if options is None or options.cheapest is None:
        why = "" if options is None else " (no cloud design fits the uplink: the scenario's own)"
        return fit.cloud_total, fit.sizing.edge_total_cost, fit.break_even_month, "the cloud" + why, ""
    best = options.figures(options.cheapest)
    own = (
        ""
        if options.cheapest == options.current
        else (
            f" (against the scenario's own cloud design it "
            f"{break_even_text(fit.break_even_month, options.scenario.horizon_months)})"
        )
    )
    design = designs.design_text(options.scenarios[options.cheapest])
    return (
        best["total_cost"],
        best["edge_total_cost"],
        best["break_even_month"],
        f"the cheapest cloud design the uplink carries ({design})",
        own,
    )


def economics_factor(
    fit: "Fit", horizon: int, currency: str, other_weights: float, options: "designs.Designs | None" = None
) -> Factor:
    """Money's vote: the edge against the cheapest feasible cloud design (`money_basis`)."""
    if fit.sizing is None:
        return Factor(
            "economics",
            "Economics",
            "not costed",
            "either",
            False,
            "No catalog device fits the site as described: the edge cannot be costed, so money does not vote.",
            0.0,
        )
    cloud, edge, be, what, own = money_basis(fit, options)
    s = fit.sizing
    verdict = "edge" if edge < cloud else "cloud" if cloud < edge else "either"
    weight = money_weight(cloud, edge, other_weights)
    cheaper = (
        ""
        if verdict == "either"
        else f": the {verdict} is {max(cloud, edge) / max(min(cloud, edge), 1e-9):,.1f}× cheaper"
    )
    return Factor(
        "economics",
        "Economics",
        break_even_text(be, horizon),
        verdict,
        False,
        f"Over {horizon} months {what} costs {cloud:,.0f} {currency} and {s.devices:,} × "
        f"{s.device_name} {edge:,.0f} {currency}{cheaper}; the edge "
        f"{break_even_text(be, horizon)}{own}.",
        weight,
    )


def decide(all_factors: list[Factor], privacy: str, costed: bool = True) -> tuple[str, str, float]:
    """(placement, confidence, score) of one site by `decide_sites`: hard constraints first, then the weighted
    vote (edge > 0 > cloud), a tie to the cheaper side (the economics factor's verdict) or else the cloud.
    Confidence: low for a tie, else the winning margin as a share of all soft weight — high from 50 %, medium
    from 20 %; high for a hard constraint (score NaN)."""
    soft = [f for f in all_factors if not f.hard]
    money = next((VOTE[f.verdict] for f in soft if f.key == "economics"), 0)
    placement, score, total, _, _ = decide_sites(
        np.array([any(f.hard for f in all_factors)]),
        np.array([[VOTE[f.verdict] for f in soft]], dtype=float),
        np.array([[f.weight for f in soft]], dtype=float),
        np.array([money]),
        np.array([privacy]),
        np.array([costed]),
    )
    where = ("cloud", "split_brain_edge", "edge_only")[int(placement[0])]
    if any(f.hard for f in all_factors):
        return where, "high", math.nan
    if score[0] == 0 or (where == "cloud") != (score[0] < 0):  # a tie, or a vote the devices cannot follow
        return where, "low", float(score[0])
    margin = abs(score[0]) / total[0]
    return where, "high" if margin >= 0.5 else "medium" if margin >= 0.2 else "low", float(score[0])


# ── Stack ───────────────────────────────────────────────────────────────────────────────────────────
def _matches(when: dict[str, set[str]], facts: dict[str, str]) -> bool:
    return all(facts.get(key) in values for key, values in when.items())


STACK_LAYERS = ("orchestration", "runtime", "compute", "messaging", "cloud_serving")


def stack(a: "Answers", family: str | None, device_id: str | None = None, serving: str = "") -> list[Choice]:
    """The first catalog row per layer whose conditions match the answers (data/stack.csv). `serving` is the
    scenario's inference pricing: with cloud GPU instances (`instances`) and data that may leave the site,
    the cloud side's serving runtime is a layer of its own."""
    facts = {
        "platform": a.cloud_platform,
        "k8s": a.kubernetes,
        "connectivity": a.connectivity,
        "workload": a.workload,
        "privacy": a.privacy,
        "family": family or "",
        "device": device_id or "",
        "serving": serving,
    }
    chosen: dict[str, Choice] = {}
    for row in catalog.load().stack:
        if row["layer"] not in chosen and _matches(row["when"], facts):
            chosen[row["layer"]] = Choice(row["layer"], row["name"], row["reason"], row["management"])
    return [chosen[layer] for layer in STACK_LAYERS if layer in chosen]


def deployment_changes(a: "Answers", scenario: Scenario, device: dict) -> tuple[dict, list[str]]:
    """Scenario fields besides the device that the recommended deployment sets, and a note on each: the
    orchestration's management fee and basis (data/management.csv), and 0 % feedback when data stays on site."""
    changes, notes = {}, []
    orchestration = next((c for c in stack(a, device["family"], device["id"]) if c.layer == "orchestration"), None)
    if orchestration and orchestration.management:
        plan = catalog.load().management_plan(orchestration.management)
        fee = scale_money({"management_per_month": plan["usd_per_month"]}, scenario.fx_rate)
        changes |= {**fee, "management_basis": plan["basis"]}
        notes.append(
            f"Management: {plan['name']}, {fee['management_per_month']:,g} {scenario.currency} per "
            f"{plan['basis'].removeprefix('per_').replace('_', ' ')} per month (data/management.csv)."
        )
    elif orchestration:
        notes.append(
            f"Management: no catalogued fee for {orchestration.name}; the scenario's "
            f"{scenario.management_per_month:,g} {scenario.currency} "
            f"{scenario.management_basis.replace('_', ' ')} per month is kept."
        )
    if a.privacy == "on_site":
        changes["feedback_percent"] = 0.0
        notes.append(
            "Feedback uploads: 0 % of frames (the data must stay on site, so none is sent for "
            "retraining; retrain on site or on frames released by hand)."
        )
    return changes, notes


# ── Sizing ──────────────────────────────────────────────────────────────────────────────────────────
SPACE_ORDER = ("minimal", "enclosure", "rack")
_FITS_SPACE = {
    "rack": {"jetson", "coral", "hailo", "server"},
    "enclosure": {"jetson", "coral", "hailo"},
    "minimal": {"coral", "hailo"},
}
FIT_RULES = ("site_space", "workload", "response_ms", "site_power_watts")  # the answers a device can fail


def sized_devices() -> list[dict]:
    """The catalog devices the advisor sizes: benchmarked on the reference workload, not the article's stand-ins."""
    return [d for d in catalog.load().hardware if not d["id"].startswith(ARTICLE_STAND_INS) and d["comparable"] != "no"]


def device_throughput(catalog_ips, decode_streams, derating_percent, relative_compute, video, analysed_fps):
    """(derated, decode, sustained) inferences/s of one device, element-wise (arrays broadcast): the catalog
    benchmark × (1 − derating) ÷ the workload's relative compute; decode streams × analysed frames/s when the
    workload decodes video (∞ when not); the lower of the two, within the scenario's bounds."""
    derated = catalog_ips * (1 - derating_percent / 100) / relative_compute
    decode = np.where(video, decode_streams * analysed_fps, np.inf)
    return derated, decode, np.clip(np.minimum(derated, decode), 0.1, 1e5)


def sustained_ips(device_id: str, throughput_ips, derating_percent, relative_compute, video, analysed_fps):
    """(derated, decode, sustained) inferences/s of one device of the scenario's kind, element-wise over rows:
    a catalog device whose throughput is still the catalog's benchmark is derated and decode-capped
    (`device_throughput`); a throughput that is no longer the benchmark (already derated, as *apply* sets it, or
    measured) is only decode-capped; a device outside the catalog sustains its throughput as given."""
    throughput_ips = np.asarray(throughput_ips, dtype=float)
    d = next((d for d in catalog.load().hardware if d["id"] == device_id), None)
    if d is None:
        return throughput_ips, np.full_like(throughput_ips, np.inf), np.clip(throughput_ips, 0.1, 1e5)
    benchmark = np.isclose(throughput_ips, d["throughput_ips"], rtol=1e-9, atol=0)
    return device_throughput(
        throughput_ips,
        d["decode_1080p30_streams"],
        np.where(benchmark, derating_percent, 0.0),
        np.where(benchmark, relative_compute, 1.0),
        video,
        analysed_fps,
    )


def load_ips(scenario: Scenario) -> float:
    """Inferences/s the edge must sustain at go-live: cameras × analysed frames/s × (1 + sizing headroom)."""
    return scenario.cameras * scenario.analysed_fps * (1 + scenario.sizing_headroom_percent / 100)


@dataclass(frozen=True)
class Capacity:
    """The edge devices the scenario's load needs at go-live against the devices it prices then."""

    load_ips: float  # `load_ips`, all sites
    sites: int
    derated_ips: float  # per device, from `sustained_ips`
    decode_ips: float  # ∞: no decode limit
    per_device_ips: float
    needed: int  # the cost model's auto sizing at per_device_ips
    priced: int  # the scenario's own count (manual, or its auto sizing)

    @property
    def ok(self) -> bool:
        return self.priced >= self.needed


def capacity(scenario: Scenario, a: "Answers | None" = None) -> Capacity:
    """The advisor's sizing rule applied to the scenario's device (`sustained_ips` with the questionnaire's
    derating and workload, its defaults when not given), counted by the cost model's auto sizing."""
    a = a if a is not None else answers()
    work = _workload(a.workload)
    derated, decode, sustained = (
        float(x)
        for x in sustained_ips(
            scenario.device_id,
            scenario.device_throughput_ips,
            a.derating_percent,
            work["relative_compute"],
            work["video"] == "yes",
            scenario.analysed_fps,
        )
    )
    sized = replace(scenario, device_sizing="auto", device_throughput_ips=sustained)
    priced, needed = costs.evaluate(costs.batch([scenario, sized]), 1, carbon=False).values("devices")[:, 0]
    return Capacity(load_ips(scenario), int(scenario.sites), derated, decode, sustained, int(needed), int(priced))


def capacity_warning(c: Capacity) -> str:
    """'' when the priced devices carry the load; else what is short, with the formula and its numbers."""
    if c.ok:
        return ""
    per_device = f"{c.per_device_ips:,.1f} inferences/s per device"
    if c.decode_ips < c.derated_ips:
        per_device += f" (limited by video decode; inference alone {c.derated_ips:,.1f})"
    if c.sites > 1:
        formula = (
            f"{c.sites:,} sites × ceil({c.load_ips / c.sites:,.1f} ÷ {c.per_device_ips:,.1f}) = {c.needed:,} needed"
        )
    else:
        formula = (
            f"{c.load_ips:,.1f} ÷ {c.per_device_ips:,.1f} = {c.load_ips / c.per_device_ips:,.2f} → {c.needed:,} needed"
        )
    return (
        f"Edge capacity: {c.priced:,} device{'s' if c.priced != 1 else ''} priced, {c.needed:,} needed. "
        f"Load {c.load_ips:,.1f} inferences/s (cameras × analysed frames/s × (1 + sizing headroom)) ÷ "
        f"{per_device}: {formula}. The edge figures price the {c.priced:,} asked for, which cannot carry the "
        f"load: its cost is understated and its savings overstated. Set the devices to {c.needed:,}, or size "
        "automatically from a derated throughput (as the advisor's Apply does)."
    )


def device_fields(device_id: str, sustained_ips: float, fx_rate: float = 1.0) -> dict:
    """A catalog device's scenario fields in the scenario's currency (`fx_rate` per USD), with the throughput
    it sustains (`device_throughput`) and auto sizing."""
    fields = scale_money(catalog.load().device_fields(device_id), fx_rate)
    return fields | {"device_throughput_ips": float(sustained_ips), "device_sizing": "auto"}


def fits_space(family, site_space) -> np.ndarray:
    """Whether a device family fits the space at the site, element-wise (arrays of keys broadcast)."""
    family, site_space = np.broadcast_arrays(np.asarray(family), np.asarray(site_space))
    return np.select(
        [site_space == s for s in SPACE_ORDER], [np.isin(family, sorted(_FITS_SPACE[s])) for s in SPACE_ORDER], False
    )


def misfits(family, site_space, needs_server, edge_ms, response_ms, attainable, power_watts, site_power_watts):
    """Which rule of FIT_RULES a device breaks at a site: (len(FIT_RULES), *broadcast shape) bool.

    space: its family does not fit the site's space; workload: the workload needs a server and it is not
    one; latency: the edge path takes longer than the response time, when any path could meet it; power:
    the devices it needs draw more than the site's power budget."""
    return np.stack(
        np.broadcast_arrays(
            ~fits_space(family, site_space),
            np.asarray(needs_server) & (np.asarray(family) != "server"),
            np.asarray(attainable) & (edge_ms > response_ms),
            power_watts > site_power_watts,
        )
    )


def size(a: "Answers", scenario: Scenario) -> Fit:
    """The comparable catalog device with the lowest edge TCO that fits space, power and latency.

    Every comparable device is costed in one batch of the cost model, each with the deployment it would get
    (management plan, feedback), so the figures for devices that do not fit are known too: they say what
    to relax. Devices benchmarked on another model than the reference workload are not sized.
    """
    work = _workload(a.workload)
    space_text = QUESTION_BY_NAME["site_space"].options
    problems = [
        f"{d['name']}: not sized — its benchmark ({d['reference_model']}) is not comparable with the "
        f"reference workload ({REFERENCE_WORKLOAD})"
        for d in catalog.load().hardware
        if not d["id"].startswith(ARTICLE_STAND_INS) and d["comparable"] == "no"
    ]
    rows = sized_devices()
    catalog_ips = np.array([d["throughput_ips"] for d in rows])
    video = work["video"] == "yes"
    decode_streams = np.array([d["decode_1080p30_streams"] for d in rows]) if video else np.zeros(len(rows))
    derated_ips, decode_ips, per_device_ips = device_throughput(
        catalog_ips, decode_streams, a.derating_percent, work["relative_compute"], video, scenario.analysed_fps
    )
    candidates, notes = [], []
    for d, ips in zip(rows, per_device_ips):
        changes, note = deployment_changes(a, scenario, d)
        candidates.append(replace(scenario, **device_fields(d["id"], ips, scenario.fx_rate), **changes))
        notes.append(note)
    evaluated = costs.evaluate(costs.batch(candidates), carbon=False)
    cash = finance.analyse(evaluated, "cash", [c.discount_percent_per_year for c in candidates])
    devices = evaluated.values("devices")[:, 0]
    power = devices * np.array([c.device_watts for c in candidates])
    wait_ms = sampling_wait_ms(scenario.analysed_fps)[0]
    latency = [edge_latency(a, d["throughput_ips"], scenario.analysed_fps) for d in rows]
    edge_ms = edge_path_ms(wait_ms, work["relative_compute"], catalog_ips)
    broken = misfits(
        np.array([d["family"] for d in rows]),
        a.site_space,
        work["needs_server"] == "yes",
        edge_ms,
        a.response_ms,
        _attainable(a, wait_ms),
        power,
        a.site_power_watts,
    )

    failures: list[list[tuple[str, str, str]]] = []  # per device: (question, what is wrong, what would fit)
    for i, (d, n, watts) in enumerate(zip(rows, devices, power)):
        space, workload, slow, short = broken[:, i]
        wrong = []
        if space:
            room = next(s for s in SPACE_ORDER if d["family"] in _FITS_SPACE[s])
            wrong.append(
                (
                    "site_space",
                    f"does not fit the space available ({space_text[a.site_space]})",
                    f"space for {space_text[room].lower()}",
                )
            )
        if workload:
            wrong.append(("workload", f"too small for a {work['name'].lower()}", "another workload"))
        if slow:
            wrong.append(
                (
                    "response_ms",
                    f"takes {edge_ms[i]:,.1f} ms, {a.response_ms:,.0f} ms allowed",
                    f"a response time of at least {math.ceil(edge_ms[i]):,} ms",
                )
            )
        if short:
            wrong.append(
                (
                    "site_power_watts",
                    f"{n:,.0f} × {watts / max(n, 1):,g} W = {watts:,.0f} W needed, "
                    f"{a.site_power_watts:,.0f} W available",
                    f"{math.ceil(watts):,} W for edge compute",
                )
            )
        failures.append(wrong)
        problems += [f"{d['name']}: {what}" for _, what, _ in wrong]
    fits = [i for i, wrong in enumerate(failures) if not wrong]
    if not fits:
        nearest = min((len(w) for w in failures), default=0)
        relax = tuple(
            f"{devices[i]:,.0f} × {rows[i]['name']} fits with " + " and ".join(fix for _, _, fix in failures[i])
            for i in range(len(rows))
            if len(failures[i]) == nearest and failures[i][0][0] != "workload"
        )
        return Fit(None, tuple(problems), relax, None, (), None, None)

    best = min(fits, key=lambda i: cash.edge_total[i])
    d, c = rows[best], candidates[best]
    required = load_ips(scenario)
    reason = (
        f"Lowest edge cost over {c.horizon_months} months ({cash.edge_total[best]:,.0f} {c.currency}) "
        f"of the {len(fits)} comparable catalog device{'s' if len(fits) > 1 else ''} that "
        f"fit{'' if len(fits) > 1 else 's'}"
    )
    limited_by = "video decode" if decode_ips[best] < derated_ips[best] else "inference"
    sizing = Sizing(
        d["id"],
        d["name"],
        int(devices[best]),
        float(catalog_ips[best]),
        float(a.derating_percent),
        float(derated_ips[best]),
        float(decode_streams[best]),
        float(decode_ips[best]) if video else 0.0,
        float(per_device_ips[best]),
        limited_by,
        required,
        float(power[best]),
        float(evaluated.values("feedback_gb")[best, 0]),
        float(cash.edge_total[best]),
        latency[best],
        reason,
    )
    be = float(cash.break_even_month[best])
    return Fit(
        sizing,
        tuple(problems),
        (),
        c,
        tuple(notes[best]),
        float(cash.cloud_total[best]),
        None if math.isnan(be) else be,
    )


# ── Putting it together ─────────────────────────────────────────────────────────────────────────────
DEPLOYMENT_FIELDS = ("management_per_month", "management_basis", "feedback_percent")


def advise(a: "Answers", scenario: Scenario, cloud_designs=designs.evaluate) -> Advice:
    """The recommendation for the answers and the scenario. `cloud_designs(costed scenario, uplink Mbps)` costs
    every cloud design the money vote weighs against the edge (`designs.evaluate`; the app passes a cached one:
    most answers, the response time among them, leave the costed deployment and so the designs as they were)."""
    wait_ms, worst_ms = sampling_wait_ms(scenario.analysed_fps)
    cloud_parts = cloud_latency(a, scenario.image_kb, scenario.analysed_fps)
    found = factors(a, sum(cloud_parts.values()), wait_ms) + [uplink_factor(a, scenario)]
    fit = size(a, scenario)
    sizing = fit.sizing
    options = cloud_designs(fit.costed, a.uplink_mbps) if sizing else None
    economics = economics_factor(
        fit, scenario.horizon_months, scenario.currency, sum(f.weight for f in found if not f.hard), options
    )
    all_factors = found + [economics]
    placement, confidence, score = decide(all_factors, a.privacy, costed=sizing is not None)

    hard = [f for f in all_factors if f.hard]
    winning = "edge" if placement != "cloud" else "cloud"
    deciding = tuple(f"{f.name}: {f.reason}" for f in (hard or [f for f in all_factors if f.verdict == winning]))
    votes = {side: sum(f.weight for f in all_factors if f.verdict == side and not f.hard) for side in ("edge", "cloud")}
    if hard:
        why = f"mandatory for {', '.join(f.name.lower() for f in hard)}"
    elif placement == "cloud" and score > 0:
        why = (
            f"the weighted answers favour the edge {votes['edge']:,.1f} to {votes['cloud']:,.1f}, but no "
            "device that fits the site can carry the load, so the cloud stays"
        )
    elif score == 0:
        why = f"the weighted answers tie at {votes['edge']:,.1f} each, so " + (
            "the cheaper side wins"
            if economics.verdict == winning
            else "the cloud stays (no investment without a reason)"
        )
    else:
        why = (
            f"the weighted answers favour it {votes[winning]:,.1f} to "
            f"{votes['cloud' if winning == 'edge' else 'edge']:,.1f}"
        )
    if sizing:
        _, _, be, what, _ = money_basis(fit, options)
        money = f"the edge {break_even_text(be, scenario.horizon_months)}"
        money += " against the cheapest cloud design the uplink carries" if what.startswith("the cheapest") else ""
    else:
        money = "no catalog device fits the site as described, so the edge is not costed"
        money += f" ({fit.relax[0]})" if fit.relax else ""
    headline = f"{PLACEMENT_TEXT[placement]}: {why}; {money}"

    warnings = []
    if worst_ms > a.response_ms:
        warnings.append(
            f"At {scenario.analysed_fps:g} analysed frames/s per camera an event waits up to "
            f"{ms_text(worst_ms)} ({ms_text(wait_ms)} on average) for the next analysed frame, longer "
            f"than the {ms_text(a.response_ms)} target, whichever side infers."
        )
    changes, notes = {}, ()
    if sizing:  # the whole device always; the deployment's other fields where they change the scenario
        changes = {k: getattr(fit.costed, k) for k in device_fields(sizing.device_id, sizing.per_device_ips)}
        changes |= {
            k: getattr(fit.costed, k) for k in DEPLOYMENT_FIELDS if getattr(fit.costed, k) != getattr(scenario, k)
        }
        notes = fit.apply_notes
    up = uplink_mbps(scenario)
    return Advice(
        placement,
        confidence,
        headline,
        deciding,
        tuple(all_factors),
        cloud_parts,
        sizing.latency_ms if sizing else {},
        a.response_ms,
        tuple(
            stack(
                a,
                catalog.load().device(sizing.device_id)["family"] if sizing else None,
                sizing.device_id if sizing else None,
                scenario.inference_pricing,
            )
        ),
        sizing,
        fit.problems if sizing is None else (),
        changes,
        fit.break_even_month,
        tuple(warnings),
        fit.relax,
        (wait_ms, worst_ms),
        up["needed"],
        a.uplink_mbps,
        notes,
    )


# ── Export ──────────────────────────────────────────────────────────────────────────────────────────
def weight_text(f: Factor) -> str:
    """'decides' for a hard constraint, else the weight ('1', '3.2', '0')."""
    return "decides" if f.hard else f"{f.weight:,.2f}".rstrip("0").rstrip(".")


def advice_table(advice: Advice) -> pd.DataFrame:
    """Every part of the recommendation as rows: section, item, value, reason."""
    import pandas as pd

    rows = [
        ("Recommendation", "Placement", PLACEMENT_TEXT[advice.placement], advice.headline),
        ("Recommendation", "Confidence", advice.confidence, "; ".join(advice.deciding)),
    ]
    rows += [("Warning", "", "", w) for w in advice.warnings]
    rows += [
        ("Factor", f.name, f"{f.verdict} (weight: {weight_text(f)})", f"{f.answer}: {f.reason}") for f in advice.factors
    ]
    rows += [("Latency, cloud path", k, round(v, 1), "ms") for k, v in advice.cloud_latency_ms.items()]
    rows += [("Latency, edge path", k, round(v, 1), "ms") for k, v in advice.edge_latency_ms.items()]
    rows += [
        ("Uplink", "Needed by the cloud path", round(advice.uplink_needed_mbps, 2), "Mbps per site"),
        ("Uplink", "Available", advice.uplink_available_mbps, "Mbps per site"),
    ]
    rows += [("Stack", c.layer, c.name, c.reason) for c in advice.stack]
    if advice.sizing:
        s = advice.sizing
        rows += [
            ("Sizing", "Device", s.device_name, s.reason),
            ("Sizing", "Devices", s.devices, sizing_text(s)),
            ("Sizing", "Power", round(s.power_watts, 1), "W"),
            ("Sizing", "Feedback upload", round(s.feedback_gb_per_month, 2), "GB/month"),
        ]
    rows += [("Apply", "", "", n) for n in advice.apply_notes]
    rows += [("Does not fit", "", "", p) for p in advice.problems]
    rows += [("To fit", "", "", r) for r in advice.relax]
    return pd.DataFrame(rows, columns=["section", "item", "value", "reason"])


def sizing_text(s: Sizing) -> str:
    """How the device count comes about, with the numbers."""
    text = (
        f"{s.required_ips:,.1f} inferences/s needed with headroom; per device {s.catalog_throughput_ips:,g} "
        f"× (1 − {s.derating_percent:g} % derating) ÷ workload compute = {s.derated_throughput_ips:,.1f} "
        "inferences/s"
    )
    if s.decode_streams:
        text += f", video decode {s.decode_streams:,g} streams × analysed frames/s = {s.decode_ips:,.1f}"
    return text + f"; a device sustains {s.per_device_ips:,.1f} inferences/s, limited by {s.limited_by}"


def _md(text) -> str:
    """Escape text for a Markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def advice_markdown(advice: Advice) -> str:
    lines = [
        f"## Recommendation: {PLACEMENT_TEXT[advice.placement]}",
        "",
        f"{_md(advice.headline)} (confidence: {advice.confidence}).",
        "",
    ]
    lines += [f"> ⚠ {_md(w)}" for w in advice.warnings] + ([""] if advice.warnings else [])
    lines += ["| Factor | Answer | Verdict | Weight | Why |", "|---|---|---|---|---|"]
    lines += [
        f"| {f.name} | {_md(f.answer)} | {f.verdict}{' (mandatory)' if f.hard else ''} | {weight_text(f)} "
        f"| {_md(f.reason)} |"
        for f in advice.factors
    ]
    lines += [
        "",
        f"Latency: cloud path ≈ {advice.cloud_ms:,.0f} ms"
        + (f", edge path ≈ {advice.edge_ms:,.1f} ms" if advice.edge_latency_ms else "")
        + f", required ≤ {advice.response_ms:,.0f} ms (both include an average wait of "
        f"{advice.sampling_wait_ms[0]:,.0f} ms for the next analysed frame).",
        f"Uplink: the cloud path needs {advice.uplink_needed_mbps:,.1f} Mbps per site; "
        f"{advice.uplink_available_mbps:,g} Mbps available.",
        "",
        "| Layer | Choice | Why |",
        "|---|---|---|",
    ]
    lines += [f"| {c.layer} | {_md(c.name)} | {_md(c.reason)} |" for c in advice.stack]
    if advice.sizing:
        s = advice.sizing
        lines += [
            "",
            f"Sizing: {s.devices} × {_md(s.device_name)}, {s.power_watts:,.0f} W, "
            f"feedback upload {s.feedback_gb_per_month:,.1f} GB/month. {_md(s.reason)}; "
            f"{_md(sizing_text(s))}.",
        ]
    lines += [f"- {_md(n)}" for n in advice.apply_notes]
    if advice.relax:
        lines += ["", "No catalog device fits. To fit:"] + [f"- {_md(r)}" for r in advice.relax]
    return "\n".join(lines) + "\n"


def advice_dict(advice: Advice) -> dict:
    """The recommendation as plain JSON values (the CLI's `advise --format json`)."""
    s = advice.sizing
    return {
        "placement": advice.placement,
        "confidence": advice.confidence,
        "headline": advice.headline,
        "hard_constraints": list(advice.hard_constraints),
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
            for f in advice.factors
        ],
        "latency_ms": {
            "required": advice.response_ms,
            "sampling_wait": {"average": advice.sampling_wait_ms[0], "worst": advice.sampling_wait_ms[1]},
            "cloud": {"total": advice.cloud_ms, "parts": advice.cloud_latency_ms},
            "edge": {"total": advice.edge_ms if advice.edge_latency_ms else None, "parts": advice.edge_latency_ms},
        },
        "uplink_needed_mbps": advice.uplink_needed_mbps,
        "uplink_available_mbps": advice.uplink_available_mbps,
        "device_id": s.device_id if s else None,
        "devices": s.devices if s else None,
        "per_device_ips": s.per_device_ips if s else None,
        "limited_by": s.limited_by if s else None,
        "edge_costed": advice.edge_costed,
        "break_even_month": advice.break_even_month,
        "stack": {c.layer: c.name for c in advice.stack},
        "scenario_changes": advice.scenario_changes,
        "warnings": list(advice.warnings),
        "problems": list(advice.problems),
        "relax": list(advice.relax),
    }
