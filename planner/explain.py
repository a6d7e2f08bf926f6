"""First-month arithmetic of every cost component, with the scenario's numbers put in.

This recomputes month 1 with plain Python floats, independently of the vectorized model, so a reader
can check each figure by hand — and the tests check that both agree.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .costs import COMPONENT_BY_KEY, DAYS_PER_CALENDAR_MONTH, HOURS_PER_CALENDAR_MONTH
from .scenario import Scenario


@dataclass(frozen=True)
class Step:
    key: str            # component key, as in costs.COMPONENTS
    label: str
    side: str
    formula: str        # symbolic, from costs.COMPONENTS
    arithmetic: str     # the same with this scenario's numbers
    value: float        # month-1 value [currency]


def _n(x: float) -> str:
    """A number as a reader would write it: thousands separators, no needless decimals."""
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:,.6g}" if abs(x) < 1 else f"{x:,.2f}"


def _tiers(quantity: float, tiers, per: float, unit: str) -> tuple[str, float]:
    """Marginal tier arithmetic: 'q₁ × p₁ + q₂ × p₂ …' and its value; prices are per `per` units."""
    parts, total = [], 0.0
    for tier, nxt in zip(tiers, list(tiers[1:]) + [None]):
        end = nxt.start if nxt is not None else math.inf
        used = max(0.0, min(quantity, end) - tier.start)
        if used > 0:
            total += used * tier.price / per
            parts.append(f"{_n(used)} {unit} × {_n(tier.price)}" + (f"/{_n(per)}" if per != 1 else ""))
    return (" + ".join(parts) or f"0 {unit}"), total


def device_count(s: Scenario) -> int:
    """Devices in service in month 1."""
    if s.device_sizing == "manual":
        return s.devices_manual
    per_site = s.cameras / s.sites * s.analysed_fps * (1 + s.sizing_headroom_percent / 100) / s.device_throughput_ips
    return s.sites * math.ceil(per_site - 1e-9)


def first_month(s: Scenario) -> list[Step]:
    cur = s.currency
    operating_s = s.hours_per_day * 3600 * s.days_per_month
    images = s.cameras * s.analysed_fps * operating_s
    images_text = f"{_n(s.cameras)} cameras × {_n(s.analysed_fps)} frames/s × {_n(s.hours_per_day)} h × 3600 s × {_n(s.days_per_month)} days"
    if s.cloud_upload == "video":
        upload_gb = s.cameras * s.bitrate_mbps * 1e6 / 8 * operating_s / 1e9
        upload_text = (f"{_n(s.cameras)} cameras × {_n(s.bitrate_mbps)} Mbps ÷ 8 × {_n(s.hours_per_day)} h × 3600 s "
                       f"× {_n(s.days_per_month)} days ÷ 1000 = {_n(upload_gb)} GB")
    else:
        upload_gb = images * s.image_kb / 1e6
        upload_text = f"{_n(images)} frames × {_n(s.image_kb)} KB ÷ 10⁶ = {_n(upload_gb)} GB"
    retention = s.retention_days / DAYS_PER_CALENDAR_MONTH
    stored = 0.5 if retention >= 1 else retention - retention ** 2 / 2   # ∫₀¹ min(t, R) dt
    feedback_gb = images * s.feedback_percent / 100 * s.image_kb / 1e6
    devices = device_count(s)
    unit_cost = s.device_price + s.install_per_device
    salvage = s.device_price * s.salvage_percent / 100
    operating_h = s.hours_per_day * s.days_per_month
    powered_h = operating_h + s.idle_power_percent / 100 * max(HOURS_PER_CALENDAR_MONTH - operating_h, 0)

    steps: dict[str, tuple[str, float]] = {}
    steps["site_uplink"] = (f"{upload_text} × {_n(s.uplink_per_gb)} {cur}/GB", upload_gb * s.uplink_per_gb)
    steps["cloud_ingest"] = (f"{_n(upload_gb)} GB × {_n(s.ingest_per_gb)} {cur}/GB", upload_gb * s.ingest_per_gb)
    paid = 1 - s.inference_discount_percent / 100
    discount = f" × (1 − {_n(s.inference_discount_percent)}% discount)" if s.inference_discount_percent else ""
    if s.inference_pricing == "per_image":
        text, value = _tiers(images, s.inference_tiers, 1000, "images")
        steps["inference"] = (f"{images_text} = {_n(images)} images; ({text}){discount} {cur}", value * paid)
    else:
        per_image = (s.serverless_ms_per_inference / 1000 * s.serverless_memory_gb * s.serverless_per_gb_second
                     + s.serverless_per_million_requests / 1e6)
        steps["inference"] = (
            f"{_n(images)} images × ({_n(s.serverless_ms_per_inference)} ms ÷ 1000 × {_n(s.serverless_memory_gb)} GB "
            f"× {_n(s.serverless_per_gb_second)} + {_n(s.serverless_per_million_requests)} ÷ 10⁶){discount} {cur}",
            images * per_image * paid)
    result_gb = images * s.result_kb / 1e6
    text, value = _tiers(result_gb, s.egress_tiers, 1, "GB")
    steps["results_egress"] = (f"{_n(images)} images × {_n(s.result_kb)} KB ÷ 10⁶ = {_n(result_gb)} GB; {text} {cur}", value)
    steps["cloud_storage"] = (f"{_n(upload_gb)} GB × {_n(stored)} months held on average × "
                              f"{_n(s.storage_per_gb_month)} {cur}/GB-month", upload_gb * stored * s.storage_per_gb_month)
    steps["hardware"] = (f"{devices} devices × {_n(s.device_price)} {cur}", devices * s.device_price)
    steps["installation"] = (f"{devices} devices × {_n(s.install_per_device)} {cur}", devices * s.install_per_device)
    steps["depreciation"] = (
        f"{devices} devices × ({_n(s.device_price)} + {_n(s.install_per_device)} − {_n(salvage)} salvage) "
        f"÷ {s.useful_life_months} months", devices * (unit_cost - salvage) / s.useful_life_months)
    steps["failures"] = (f"{devices} devices × {_n(s.failure_percent_per_year)}% ÷ 12 × {_n(unit_cost)} {cur}",
                         devices * s.failure_percent_per_year / 100 / 12 * unit_cost)
    billed = devices if s.management_basis == "per_device" else s.sites
    steps["management"] = (f"{_n(s.management_per_month)} {cur} × {billed} "
                           f"{'devices' if s.management_basis == 'per_device' else 'sites'}",
                           s.management_per_month * billed)
    steps["electricity"] = (
        f"{devices} devices × {_n(s.device_watts)} W ÷ 1000 × ({_n(operating_h)} h + {_n(s.idle_power_percent)}% × "
        f"{_n(max(HOURS_PER_CALENDAR_MONTH - operating_h, 0))} idle h) × PUE {_n(s.pue)} × "
        f"{_n(s.electricity_per_kwh)} {cur}/kWh",
        devices * s.device_watts / 1000 * powered_h * s.pue * s.electricity_per_kwh)
    steps["feedback_uplink"] = (
        f"{_n(images)} frames × {_n(s.feedback_percent)}% × {_n(s.image_kb)} KB ÷ 10⁶ = {_n(feedback_gb)} GB × "
        f"{_n(s.uplink_per_gb)} {cur}/GB", feedback_gb * s.uplink_per_gb)
    steps["feedback_cloud"] = (
        f"{_n(feedback_gb)} GB × ({_n(s.ingest_per_gb)} + {_n(stored)} × {_n(s.storage_per_gb_month)}) {cur}/GB",
        feedback_gb * (s.ingest_per_gb + stored * s.storage_per_gb_month))

    out = []
    for key, (arithmetic, value) in steps.items():
        info = COMPONENT_BY_KEY[key]
        out.append(Step(key, info.label, info.side, info.formula, f"{arithmetic} = {value:,.2f} {cur}", value))
    return out
