"""Architecture advisor: questionnaire → per-factor verdicts, latency budget, placement, stack, sizing.

The decision factors follow the seed article's table (data gravity, latency, connectivity, privacy,
update cadence), plus the economics from the cost model. Hard constraints win over scores: a response
time the cloud path cannot physically meet, data that must stay on site, or a link that cannot be
relied on make the edge mandatory.

Latency of the cloud path for one frame [ms]:
    access round trip (connectivity catalog)
  + 2 × distance_km ÷ 200 km/ms × 1.5          light in fibre (~2/3 c), routes ~1.5× the straight line
  + image_kb × 8 ÷ uplink_mbps                  uploading the frame
  + 20                                          load balancer / API queueing
  + cloud inference time (workload catalog)
Edge path: 2 ms local network + relative_compute × 1000 ÷ device throughput (batch-1 time per inference).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from pydantic import ConfigDict, create_model

from . import catalog, costs, finance
from .report import break_even_text
from .scenario import ChoiceField, NumberField, Scenario, build, pydantic_field, replace

FIBRE_KM_PER_MS = 200.0
ROUTE_FACTOR = 1.5
CLOUD_QUEUE_MS = 20.0
LOCAL_NETWORK_MS = 2.0
HUMAN_MS, MACHINE_MS = 200.0, 20.0   # the seed's thresholds: > 200 ms fine for people; < 20 ms for machines
ARTICLE_STAND_INS = "seed-"          # catalog rows standing in for the article's cases, not products

N, C = NumberField, ChoiceField
QUESTIONS: tuple[NumberField | ChoiceField, ...] = (
    C("data_origin", "Advisor", "Where the data originates",
      {"on_premise": "On premise (cameras, LIDAR, sensors)", "cloud": "In the cloud (web traffic, CRM logs)"},
      "on_premise", "Data gravity: compute is cheapest where the data already is."),
    N("response_ms", "Advisor", "Required response time", "ms", 100, 1, 60_000, 5,
      "From frame captured to decision available."),
    C("connectivity", "Advisor", "Site connectivity",
      {"fiber": "Fibre", "broadband": "Broadband", "metered_5g": "Metered 5G / LTE", "satellite": "Satellite",
       "intermittent": "Intermittent"}, "broadband", "The link between the site and the cloud."),
    C("privacy", "Advisor", "Privacy regime",
      {"none": "No restriction", "anonymisable": "Can be anonymised and moved",
       "on_site": "Must stay on site (GDPR, HIPAA)"}, "anonymisable", "What may leave the site."),
    C("update_cadence", "Advisor", "Model update cadence",
      {"hourly": "Hourly", "daily": "Daily", "weekly": "Weekly", "monthly": "Monthly"}, "weekly",
      "How often a retrained model is rolled out."),
    N("region_distance_km", "Advisor", "Distance to the cloud region", "km", 500, 0, 20_000, 50,
      "Straight-line distance from the site to the nearest cloud region."),
    N("uplink_mbps", "Advisor", "Site uplink bandwidth", "Mbps", 100, 0.1, 100_000, 10,
      "Upload bandwidth available to send frames."),
    N("site_power_watts", "Advisor", "Power available for edge compute", "W", 2_000, 0, 100_000, 50,
      "Electrical budget at the site for inference hardware."),
    C("site_space", "Advisor", "Space at the site",
      {"rack": "A server rack", "enclosure": "A small cabinet or shelf",
       "minimal": "Almost none (USB / M.2 accelerators)"}, "enclosure", "Where the hardware has to fit."),
    C("cloud_platform", "Advisor", "Organisation's cloud platform",
      {"aws": "AWS", "azure": "Azure", "gcp": "Google Cloud", "none": "None"}, "aws",
      "The platform your teams already operate."),
    C("kubernetes", "Advisor", "Kubernetes experience",
      {"none": "None", "some": "Some", "strong": "Strong"}, "some", "Operating Kubernetes in production."),
    C("workload", "Advisor", "Workload",
      {"classification": "Classification", "detection": "Detection", "segmentation": "Segmentation",
       "language_model": "Language model"}, "detection", "What the model does."),
)
del N, C
QUESTION_BY_NAME = {q.name: q for q in QUESTIONS}
Answers = create_model("Answers", __config__=ConfigDict(extra="forbid", frozen=True),
                       **{q.name: pydantic_field(q) for q in QUESTIONS})


def answers(**values) -> "Answers":
    """Validated questionnaire answers (ScenarioError names the field, value and range)."""
    return build(Answers, values, QUESTION_BY_NAME, "questionnaire")


# ── Results ─────────────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Factor:
    name: str
    answer: str
    verdict: str        # "cloud", "edge" or "either"
    hard: bool          # a hard constraint: the edge is mandatory
    reason: str


@dataclass(frozen=True)
class Choice:
    layer: str
    name: str
    reason: str


@dataclass(frozen=True)
class Sizing:
    device_id: str
    device_name: str
    devices: int
    derated_throughput_ips: float
    required_ips: float
    power_watts: float
    feedback_gb_per_month: float
    edge_total_cost: float
    reason: str


@dataclass(frozen=True)
class Advice:
    placement: str                      # "cloud", "split_brain" or "edge_only"
    confidence: str                     # "high", "medium", "low"
    headline: str
    deciding: tuple[str, ...]
    factors: tuple[Factor, ...]
    cloud_latency_ms: dict[str, float]  # component → ms
    edge_latency_ms: dict[str, float]
    response_ms: float
    stack: tuple[Choice, ...]
    sizing: Sizing | None
    problems: tuple[str, ...]           # why no edge deployment fits, if none does
    scenario_changes: dict              # apply to the scenario to cost the recommended deployment
    break_even_month: float | None      # of the scenario with the changes applied

    @property
    def cloud_ms(self) -> float:
        return sum(self.cloud_latency_ms.values())

    @property
    def edge_ms(self) -> float:
        return sum(self.edge_latency_ms.values())


PLACEMENT_TEXT = {
    "cloud": "Cloud inference",
    "split_brain": "Edge inference, cloud training (split-brain)",
    "edge_only": "Edge only: inference and data stay on site",
}


# ── Latency ─────────────────────────────────────────────────────────────────────────────────────────
def cloud_latency(a: "Answers", image_kb: float) -> dict[str, float]:
    link = _connectivity(a.connectivity)
    return {
        "Access network round trip": link["access_rtt_ms"],
        "Distance round trip": 2 * a.region_distance_km / FIBRE_KM_PER_MS * ROUTE_FACTOR,
        "Frame upload": image_kb * 8 / a.uplink_mbps,
        "Queueing": CLOUD_QUEUE_MS,
        "Cloud inference": _workload(a.workload)["cloud_inference_ms"],
    }


def edge_latency(a: "Answers", throughput_ips: float) -> dict[str, float]:
    return {"Local network": LOCAL_NETWORK_MS,
            "Edge inference": _workload(a.workload)["relative_compute"] * 1000 / throughput_ips}


def _connectivity(key: str) -> dict:
    return next(r for r in catalog.load().connectivity if r["id"] == key)


def _workload(key: str) -> dict:
    return next(r for r in catalog.load().workloads if r["id"] == key)


# ── Factors ─────────────────────────────────────────────────────────────────────────────────────────
def factors(a: "Answers", cloud_ms: float) -> list[Factor]:
    text = lambda name: QUESTION_BY_NAME[name].options[getattr(a, name)]   # noqa: E731
    out = []
    if a.data_origin == "cloud":
        out.append(Factor("Data gravity", text("data_origin"), "cloud", False,
                          "The data is born in the cloud: inferring there moves nothing."))
    else:
        out.append(Factor("Data gravity", text("data_origin"), "edge", False,
                          "The data is born on site: sending it to the cloud pays to move noise."))
    need = f"{a.response_ms:,.0f} ms"
    if cloud_ms > a.response_ms:
        out.append(Factor("Latency", need, "edge", True,
                          f"The cloud path takes about {cloud_ms:,.0f} ms, more than the {need} allowed."))
    elif a.response_ms < MACHINE_MS:
        out.append(Factor("Latency", need, "edge", True,
                          f"Below {MACHINE_MS:.0f} ms is a machine reaction: no network hop can be relied on."))
    elif a.response_ms >= HUMAN_MS:
        out.append(Factor("Latency", need, "cloud", False,
                          f"{need} leaves room for the ~{cloud_ms:,.0f} ms cloud round trip (a human-scale wait)."))
    else:
        out.append(Factor("Latency", need, "either", False,
                          f"The ~{cloud_ms:,.0f} ms cloud round trip fits, with little margin."))
    link = _connectivity(a.connectivity)
    if link["reliable"] == "no":
        out.append(Factor("Connectivity", text("connectivity"), "edge", True,
                          "The link drops: inference must keep running while it is down."))
    elif link["metered"] == "yes":
        out.append(Factor("Connectivity", text("connectivity"), "edge", False,
                          "Every GB is billed: video over this link is the egress tax at its worst."))
    elif a.connectivity == "fiber":
        out.append(Factor("Connectivity", text("connectivity"), "cloud", False,
                          "High-bandwidth fibre is guaranteed: moving data is cheap and dependable."))
    else:
        out.append(Factor("Connectivity", text("connectivity"), "either", False,
                          "Unmetered but shared broadband: fine for frames, tight for many video streams."))
    privacy = {
        "none": ("cloud", False, "Data may move freely."),
        "anonymisable": ("either", False, "Data can be anonymised before it leaves the site."),
        "on_site": ("edge", True, "Data must stay on site: only anonymised feedback may leave, if at all."),
    }[a.privacy]
    out.append(Factor("Privacy", text("privacy"), *privacy))
    cadence = {
        "hourly": ("cloud", "Hourly retraining is easiest where the model is trained: in the cloud."),
        "daily": ("either", "Daily roll-outs to devices are routine with an orchestrator."),
        "weekly": ("edge", "Weekly updates are an easy push to edge devices."),
        "monthly": ("edge", "Monthly updates are an easy push to edge devices."),
    }[a.update_cadence]
    out.append(Factor("Updates", text("update_cadence"), cadence[0], False, cadence[1]))
    return out


# ── Stack ───────────────────────────────────────────────────────────────────────────────────────────
def _matches(when: dict[str, set[str]], facts: dict[str, str]) -> bool:
    return all(facts.get(key) in values for key, values in when.items())


def stack(a: "Answers", family: str | None) -> list[Choice]:
    """The first catalog row per layer whose conditions match the answers (data/stack.csv)."""
    facts = {"platform": a.cloud_platform, "k8s": a.kubernetes, "connectivity": a.connectivity,
             "workload": a.workload, "privacy": a.privacy, "family": family or ""}
    chosen: dict[str, Choice] = {}
    for row in catalog.load().stack:
        if row["layer"] not in chosen and _matches(row["when"], facts):
            chosen[row["layer"]] = Choice(row["layer"], row["name"], row["reason"])
    return [chosen[layer] for layer in ("orchestration", "runtime", "compute", "messaging") if layer in chosen]


# ── Sizing ──────────────────────────────────────────────────────────────────────────────────────────
_FITS_SPACE = {"rack": {"jetson", "coral", "hailo", "server"}, "enclosure": {"jetson", "coral", "hailo"},
               "minimal": {"coral", "hailo"}}


def size(a: "Answers", scenario: Scenario) -> tuple[Sizing | None, list[str], list[Scenario]]:
    """The catalog device with the lowest edge TCO that fits space, power and latency.

    All candidates are costed in one batch of the cost model. Returns (sizing, problems, candidates).
    """
    work = _workload(a.workload)
    rows, problems = [], []
    for d in catalog.load().hardware:
        if d["id"].startswith(ARTICLE_STAND_INS):
            continue
        if d["family"] not in _FITS_SPACE[a.site_space]:
            problems.append(f"{d['name']}: does not fit the space available "
                            f"({QUESTION_BY_NAME['site_space'].options[a.site_space]})")
        elif work["needs_server"] == "yes" and d["family"] != "server":
            problems.append(f"{d['name']}: too small for a {work['name'].lower()}")
        elif sum(edge_latency(a, d["throughput_ips"]).values()) > a.response_ms:
            problems.append(f"{d['name']}: too slow for {a.response_ms:,.0f} ms")
        else:
            rows.append(d)
    candidates = [replace(scenario, **{**catalog.load().device_fields(d["id"]), "device_sizing": "auto",
                                       "device_throughput_ips": max(0.1, round(d["throughput_ips"] / work["relative_compute"], 3))})
                  for d in rows]
    if not candidates:
        return None, problems, []
    evaluated = costs.evaluate(costs.batch(candidates))
    cash = finance.analyse(evaluated, "cash", [c.discount_percent_per_year for c in candidates])
    devices = evaluated.values("devices")[:, 0]
    power = devices * [c.device_watts for c in candidates]
    fits = power <= a.site_power_watts
    for d, ok, p in zip(rows, fits, power):
        if not ok:
            problems.append(f"{d['name']}: {p:,.0f} W needed, {a.site_power_watts:,.0f} W available")
    if not fits.any():
        return None, problems, []
    best = min((i for i in range(len(rows)) if fits[i]), key=lambda i: cash.edge_total[i])
    d, c = rows[best], candidates[best]
    required = scenario.cameras * scenario.analysed_fps * (1 + scenario.sizing_headroom_percent / 100)
    feedback_gb = evaluated.values("feedback_gb")[best, 0]
    fitting = int(fits.sum())
    reason = (f"Lowest edge cost over {c.horizon_months} months ({cash.edge_total[best]:,.0f} {c.currency}) "
              f"of the {fitting} catalog device{'s' if fitting > 1 else ''} that fit{'' if fitting > 1 else 's'}")
    sizing = Sizing(d["id"], d["name"], int(devices[best]), c.device_throughput_ips, required, float(power[best]),
                    float(feedback_gb), float(cash.edge_total[best]), reason)
    return sizing, problems, candidates


# ── Putting it together ─────────────────────────────────────────────────────────────────────────────
def advise(a: "Answers", scenario: Scenario) -> Advice:
    cloud_ms_parts = cloud_latency(a, scenario.image_kb)
    cloud_ms = sum(cloud_ms_parts.values())
    found = factors(a, cloud_ms)
    sizing, problems, candidates = size(a, scenario)
    changes: dict = {}
    if sizing is not None:
        chosen = next(c for c in candidates if c.device_id == sizing.device_id)
        changes = {k: getattr(chosen, k) for k in
                   ("device_id", "device_price", "device_watts", "device_throughput_ips", "device_sizing")}
    costed = replace(scenario, **changes)
    cash = finance.analyse(costs.evaluate(costs.batch([costed])), "cash", costed.discount_percent_per_year)
    be = cash.break_even_month[0]
    be = None if math.isnan(be) else float(be)
    if sizing is None:    # nothing fits: the money cannot speak for the edge
        economics = Factor("Economics", "not costed", "either", False,
                           "No catalog device fits the site: the edge cannot be costed.")
    else:
        economics = Factor("Economics", break_even_text(be, costed.horizon_months),
                           "edge" if be is not None else "cloud", False,
                           f"With {sizing.devices} × {sizing.device_name} the edge "
                           f"{break_even_text(be, costed.horizon_months)}.")
    all_factors = found + [economics]

    hard = [f for f in all_factors if f.hard]
    score = sum({"edge": 1, "cloud": -1}.get(f.verdict, 0) for f in all_factors)
    if hard or score > 0:
        placement = "edge_only" if a.privacy == "on_site" else "split_brain"
    elif score < 0:
        placement = "cloud"
    else:   # a tie: the money decides
        placement = "split_brain" if be is not None and sizing is not None else "cloud"
    confidence = "high" if hard or abs(score) >= 3 else "medium" if abs(score) == 2 else "low"
    winning = "edge" if placement != "cloud" else "cloud"
    deciding = tuple(f"{f.name}: {f.reason}" for f in (hard or [f for f in all_factors if f.verdict == winning]))
    why = (f"mandatory for {', '.join(f.name.lower() for f in hard)}" if hard
           else f"{sum(f.verdict == winning for f in all_factors)} of {len(all_factors)} factors favour it")
    money = (f"the edge {break_even_text(be, costed.horizon_months)}" if sizing
             else "no catalog device fits the site as described, so the edge is not costed")
    headline = f"{PLACEMENT_TEXT[placement]}: {why}; {money}"
    return Advice(
        placement, confidence, headline, deciding, tuple(all_factors), cloud_ms_parts,
        edge_latency(a, sizing.derated_throughput_ips) if sizing else {}, a.response_ms,
        tuple(stack(a, catalog.load().device(sizing.device_id)["family"] if sizing else None)),
        sizing, tuple(problems) if sizing is None else (), changes, be)


# ── Export ──────────────────────────────────────────────────────────────────────────────────────────
def advice_table(advice: Advice) -> pd.DataFrame:
    """Every part of the recommendation as rows: section, item, value, reason."""
    rows = [("Recommendation", "Placement", PLACEMENT_TEXT[advice.placement], advice.headline),
            ("Recommendation", "Confidence", advice.confidence, "; ".join(advice.deciding))]
    rows += [("Factor", f.name, f.verdict + (" (mandatory)" if f.hard else ""), f"{f.answer}: {f.reason}")
             for f in advice.factors]
    rows += [("Latency, cloud path", k, round(v, 1), "ms") for k, v in advice.cloud_latency_ms.items()]
    rows += [("Latency, edge path", k, round(v, 1), "ms") for k, v in advice.edge_latency_ms.items()]
    rows += [("Stack", c.layer, c.name, c.reason) for c in advice.stack]
    if advice.sizing:
        s = advice.sizing
        rows += [("Sizing", "Device", s.device_name, s.reason),
                 ("Sizing", "Devices", s.devices, f"{s.required_ips:,.1f} inferences/s needed with headroom, "
                                                  f"{s.derated_throughput_ips:,.1f} per device for this workload"),
                 ("Sizing", "Power", round(s.power_watts, 1), "W"),
                 ("Sizing", "Feedback upload", round(s.feedback_gb_per_month, 2), "GB/month")]
    rows += [("Does not fit", "", "", p) for p in advice.problems]
    return pd.DataFrame(rows, columns=["section", "item", "value", "reason"])


def _md(text) -> str:
    """Escape text for a Markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def advice_markdown(advice: Advice) -> str:
    lines = [f"## Recommendation: {PLACEMENT_TEXT[advice.placement]}", "",
             f"{_md(advice.headline)} (confidence: {advice.confidence}).", "",
             "| Factor | Answer | Verdict | Why |", "|---|---|---|---|"]
    lines += [f"| {f.name} | {_md(f.answer)} | {f.verdict}{' (mandatory)' if f.hard else ''} | {_md(f.reason)} |"
              for f in advice.factors]
    lines += ["", f"Latency: cloud path ≈ {advice.cloud_ms:,.0f} ms"
                  + (f", edge path ≈ {advice.edge_ms:,.1f} ms" if advice.edge_latency_ms else "")
                  + f", required ≤ {advice.response_ms:,.0f} ms.", "",
              "| Layer | Choice | Why |", "|---|---|---|"]
    lines += [f"| {c.layer} | {_md(c.name)} | {_md(c.reason)} |" for c in advice.stack]
    if advice.sizing:
        s = advice.sizing
        lines += ["", f"Sizing: {s.devices} × {_md(s.device_name)}, {s.power_watts:,.0f} W, "
                      f"feedback upload {s.feedback_gb_per_month:,.1f} GB/month. {_md(s.reason)}."]
    return "\n".join(lines) + "\n"
