"""Any month's arithmetic of every cost component, with the scenario's numbers put in.

This recomputes a month with plain Python floats and loops, independently of the vectorized model
(its own calendar constants, sizing, fleet and storage expressions), so a reader can check each figure
by hand — and the tests check that both agree, at go-live and in later months (growth, price changes,
a growing fleet, refreshes with salvage). The app shows month 1 (`first_month`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from planner.model.costs import CARBON_BY_KEY, COMPONENTS, SUPPORT_PLANS, SUPPORTED_BILL
from planner.schema.scenario import FIELD_BY_NAME, NO_LINK_CLASS, Scenario

# The calendar, restated here rather than imported from costs.py, so a wrong constant there shows up
# as a disagreement with this oracle: 365.25 days a year ÷ 12 months; × 24 h.
DAYS_PER_MONTH = 30.4375
HOURS_PER_MONTH = 730.5


@dataclass(frozen=True)
class Step:
    key: str  # component key, as in costs.COMPONENTS
    label: str
    side: str
    formula: str  # symbolic, from costs.COMPONENTS
    arithmetic: str  # the same with this scenario's numbers
    value: float  # month-1 value [currency], or [kg CO₂e] for a carbon step


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


def _change(percent_per_year: float, m: int) -> float:
    """Compounded yearly change after m months: (1 + p/100)^(m/12)."""
    return (1 + percent_per_year / 100) ** (m / 12)


def _devices_needed(s: Scenario, m: int) -> int:
    """Devices the workload of month m needs: per site, the fewest devices whose throughput covers the
    site's share of the frames plus headroom (a quotient within 10⁻⁹ of a whole number is that number)."""
    frames_per_site = s.cameras / s.sites * s.analysed_fps * _change(s.workload_growth_percent_per_year, m)
    per_site = frames_per_site * (1 + s.sizing_headroom_percent / 100) / s.device_throughput_ips
    whole = round(per_site)
    return s.sites * (whole if abs(per_site - whole) <= 1e-9 else math.ceil(per_site))


def fleet(s: Scenario, m: int) -> tuple[int, int, int]:
    """(in service, bought, added) in month m: auto sizing follows a growing workload and never shrinks;
    each device bought is bought again `useful_life_months` later (the old one is sold for salvage)."""
    if s.device_sizing == "manual" or s.workload_growth_percent_per_year <= 0:
        size = [s.devices_manual if s.device_sizing == "manual" else _devices_needed(s, 0)] * (m + 1)
    else:
        size = [max(_devices_needed(s, j) for j in range(k + 1)) for k in range(m + 1)]
    added = [size[0]] + [size[j] - size[j - 1] for j in range(1, m + 1)]
    bought = sum(added[j] for j in range(m, -1, -s.useful_life_months))
    return size[m], bought, added[m]


COMMITMENT_MONTHS = {"on_demand": 0, "spot": 0, "one_year": 12, "three_year": 36}


def _instances_needed(s: Scenario, m: int) -> int:
    """Cloud GPU instances month m needs: the fewest whose throughput covers every camera's frames plus
    headroom, and never fewer than the minimum kept for availability."""
    load = (
        s.cameras
        * s.analysed_fps
        * _change(s.workload_growth_percent_per_year, m)
        * (1 + s.instance_headroom_percent / 100)
        / s.instance_inferences_per_s
    )
    whole = round(load)
    return max(s.instance_min_count, whole if abs(load - whole) <= 1e-9 else math.ceil(load))


def instances(s: Scenario, m: int) -> tuple[int, int]:
    """(in service, commitments bought) in month m: on demand and spot follow the workload both ways; a
    commitment runs its whole term, and when it ends only what the month needs is committed again."""
    term = COMMITMENT_MONTHS[s.instance_commitment]
    if not term:
        return _instances_needed(s, m), 0
    bought: list[int] = []
    for j in range(m + 1):
        running = sum(bought[max(j - term + 1, 0) : j])  # committed in the term − 1 months before j
        in_service = max(_instances_needed(s, j), running)
        bought.append(in_service - running)
    return in_service, bought[m]


def _billed_hours(s: Scenario) -> tuple[float, str]:
    """Hours billed per instance in a month, and how they come about."""
    if COMMITMENT_MONTHS[s.instance_commitment] or s.instance_billing == "always_on":
        return HOURS_PER_MONTH, f"{_n(HOURS_PER_MONTH)} h"
    hours = min(min(s.hours_per_day + s.instance_warmup_hours_per_day, 24) * s.days_per_month, HOURS_PER_MONTH)
    return hours, (
        f"({_n(s.hours_per_day)} h + {_n(s.instance_warmup_hours_per_day)} h warm-up) × "
        f"{_n(s.days_per_month)} days = {_n(hours)} h"
    )


def device_count(s: Scenario) -> int:
    """Devices in service in month 1."""
    return fleet(s, 0)[0]


def stored_months(retention_days: float, m: int) -> float:
    """Months of upload held on average during month m (0-based): ∫ₘ^{m+1} min(t, R) dt, R in months."""
    r = retention_days / DAYS_PER_MONTH
    if r >= m + 1:
        return m + 0.5  # nothing deleted yet: the average age of a growing pile
    if r <= m:
        return r  # a full R months held all month
    return (r * r - m * m) / 2 + r * (m + 1 - r)


def _times(factor: float, name: str) -> str:
    return "" if factor == 1 else f" × {name} {factor:.6g}"


def _terminal_steps(s: Scenario, m: int) -> dict[str, tuple[str, float]]:
    """The value still owned at the horizon H, counted back in month H − 1: the unexpired share of each upfront
    commitment payment, and each device's book value (cost less straight-line depreciation down to salvage)."""
    horizon = s.horizon_months
    if s.terminal_value != "book_value" or m != horizon - 1:
        why = "counted at the horizon only" if s.terminal_value == "book_value" else "terminal value: none"
        return {"terminal_cloud": (why, 0.0), "terminal_edge": (why, 0.0)}
    cur, term = s.currency, COMMITMENT_MONTHS[s.instance_commitment]
    cloud_parts, cloud = [], 0.0
    if s.inference_pricing == "instances" and term:
        for j in range(max(horizon - term + 1, 0), horizon):
            paid = _upfront_paid(s, j)
            share = 1 - (horizon - j) / term
            if paid:
                cloud_parts.append(f"{_n(paid)} paid in month {j + 1} × {_n(share * 100)}% unexpired")
                cloud += paid * share
    salvage = s.device_price * s.salvage_percent / 100
    edge_parts, edge = [], 0.0
    for j in range(max(horizon - s.useful_life_months, 0), horizon):
        bought = fleet(s, j)[1]
        if bought:
            cost = s.device_price + s.install_per_device * _change(s.inflation_percent_per_year, j)
            age = horizon - j
            book = cost - (cost - salvage) * age / s.useful_life_months
            edge_parts.append(
                f"{bought} bought in month {j + 1} × ({_n(cost)} − ({_n(cost)} − {_n(salvage)} salvage) × {age}/"
                f"{s.useful_life_months})"
            )
            edge += bought * book
    return {
        "terminal_cloud": (f"−({' + '.join(cloud_parts) or '0'}) {cur}", -cloud),
        "terminal_edge": (f"−({' + '.join(edge_parts) or '0'}) {cur}", -edge),
    }


def _upfront_paid(s: Scenario, j: int) -> float:
    """The upfront commitment payment of month j (the explainer's own arithmetic of `commitment_upfront`)."""
    return next(step.value for step in month(s, j, terminal=False) if step.key == "commitment_upfront")


def first_month(s: Scenario) -> list[Step]:
    return month(s, 0)


def month(s: Scenario, m: int, terminal: bool = True) -> list[Step]:
    """Every component of month m + 1 (m = 0 is go-live) as arithmetic; m = 0 has no growth or price-change factors.
    `terminal=False` leaves the horizon's terminal values at 0 (they are built from the months before)."""
    cur = s.currency
    growth = _change(s.workload_growth_percent_per_year, m)
    bandwidth_price = _change(s.bandwidth_price_change_percent_per_year, m)
    fee_price = _change(s.cloud_fee_change_percent_per_year, m)
    electricity_price = _change(s.electricity_price_change_percent_per_year, m)
    grown, bw, fee = (
        _times(growth, "growth"),
        _times(bandwidth_price, "price change"),
        _times(fee_price, "price change"),
    )
    operating_s = s.hours_per_day * 3600 * s.days_per_month
    images = s.cameras * s.analysed_fps * operating_s * growth
    images_text = (
        f"{_n(s.cameras)} cameras × {_n(s.analysed_fps)} frames/s × {_n(s.hours_per_day)} h × 3600 s × "
        f"{_n(s.days_per_month)} days{grown}"
    )
    if s.cloud_upload == "video":
        upload_gb = s.cameras * s.bitrate_mbps * 1e6 / 8 * operating_s / 1e9 * growth
        upload_text = (
            f"{_n(s.cameras)} cameras × {_n(s.bitrate_mbps)} Mbps ÷ 8 × {_n(s.hours_per_day)} h × 3600 s "
            f"× {_n(s.days_per_month)} days ÷ 1000{grown} = {_n(upload_gb)} GB"
        )
    else:
        upload_gb = images * s.image_kb / 1e6
        upload_text = f"{_n(images)} frames × {_n(s.image_kb)} KB ÷ 10⁶ = {_n(upload_gb)} GB"
    stored = stored_months(s.retention_days, m)
    feedback_gb = images * s.feedback_percent / 100 * s.image_kb / 1e6
    devices, bought, added = fleet(s, m)
    retired = bought - added
    inflation = _change(s.inflation_percent_per_year, m)
    inflated = _times(inflation, "inflation")
    in_service_since = range(max(m - s.useful_life_months + 1, 0), m + 1)  # purchase months of the devices in service
    salvage = s.device_price * s.salvage_percent / 100
    operating_h = s.hours_per_day * s.days_per_month
    powered_h = operating_h + s.idle_power_percent / 100 * max(HOURS_PER_MONTH - operating_h, 0)

    steps: dict[str, tuple[str, float]] = {}

    def over(gb: float, text: str, included_gb: float = s.link_allowance_gb) -> tuple[str, float]:
        """The GB billed above a link's allowance per site, and how."""
        if not included_gb:
            return text, gb
        return f"max({text} − {_n(s.sites)} sites × {_n(included_gb)} GB included, 0)", max(
            gb - s.sites * included_gb, 0
        )

    upgraded = s.link_upgrade_install + s.link_upgrade_per_month > 0  # the cloud's upload goes over the upgrade
    billed_text, billed_gb = over(
        upload_gb, upload_text, s.link_upgrade_allowance_gb if upgraded else s.link_allowance_gb
    )
    per_gb = s.link_upgrade_per_gb if upgraded else s.uplink_per_gb
    steps["site_uplink"] = (
        f"{billed_text} × {_n(per_gb)} {cur}/GB{' over the link upgrade' if upgraded else ''}{bw}",
        billed_gb * per_gb * bandwidth_price,
    )
    install = f" + {_n(s.sites)} sites × {_n(s.link_upgrade_install)} {cur} upgrade installation" if m == 0 else ""
    line_class = "" if s.link_class == NO_LINK_CLASS else f" ({FIELD_BY_NAME['link_class'].options[s.link_class]})"
    steps["link_rental"] = (
        f"{_n(s.sites)} sites × ({_n(s.link_per_month)} line{line_class} + {_n(s.link_upgrade_per_month)} upgrade) "
        f"{cur}{install}",
        s.sites * (s.link_per_month + s.link_upgrade_per_month + (s.link_upgrade_install if m == 0 else 0)),
    )
    steps["cloud_ingest"] = (
        f"{_n(upload_gb)} GB × {_n(s.ingest_per_gb)} {cur}/GB{bw}",
        upload_gb * s.ingest_per_gb * bandwidth_price,
    )
    paid = 1 - s.inference_discount_percent / 100
    discount = f" × (1 − {_n(s.inference_discount_percent)}% discount)" if s.inference_discount_percent else ""
    if s.inference_pricing == "per_image":
        text, value = _tiers(images, s.inference_tiers, 1000, "images")
        steps["inference"] = (
            f"{images_text} = {_n(images)} images; ({text}){discount}{fee} {cur}",
            value * paid * fee_price,
        )
    elif s.inference_pricing == "instances":
        count, committed_now = instances(s, m)
        term = COMMITMENT_MONTHS[s.instance_commitment]
        share = (
            {"none": 0.0, "partial": s.instance_partial_upfront_percent / 100, "all": 1.0}[s.instance_upfront]
            if term
            else 0.0
        )
        multiplier = (1 + s.instance_endpoint_surcharge_percent / 100) * paid
        extras = (
            f" × (1 + {_n(s.instance_endpoint_surcharge_percent)}% endpoint)"
            if s.instance_endpoint_surcharge_percent
            else ""
        ) + discount
        if term:
            rate, rate_text = (
                s.instance_committed_per_hour * (1 - share),
                f"{_n(s.instance_committed_per_hour)} {cur}/h committed × (1 − {_n(share * 100)}% upfront)",
            )
        elif s.instance_commitment == "spot":
            rate, rate_text = (
                s.instance_spot_per_hour * (1 + s.instance_spot_interruption_percent / 100),
                f"{_n(s.instance_spot_per_hour)} {cur}/h spot × (1 + "
                f"{_n(s.instance_spot_interruption_percent)}% interruptions)",
            )
        else:
            rate, rate_text = s.instance_per_hour, f"{_n(s.instance_per_hour)} {cur}/h"
        hours, hours_text = _billed_hours(s)
        load = s.cameras * s.analysed_fps * growth
        steps["inference"] = (
            f"max({s.instance_min_count}, ceil({_n(load)} inferences/s × (1 + {_n(s.instance_headroom_percent)}%) ÷ "
            f"{_n(s.instance_inferences_per_s)})) = {count} instances × {hours_text} × {rate_text}{extras}{fee} {cur}",
            count * hours * rate * multiplier * fee_price,
        )
        upfront = s.instance_committed_per_hour * share * HOURS_PER_MONTH * term * multiplier
        upfront_text = (
            f"{_n(s.instance_committed_per_hour)} {cur}/h × {_n(share * 100)}% upfront × "
            f"{_n(HOURS_PER_MONTH)} h × {term} months{extras}"
        )
        steps["commitment_upfront"] = (
            f"{committed_now} instances committed × {upfront_text}{fee}",
            committed_now * upfront * fee_price,
        )
        steps["commitment_spread"] = (
            f"{count} instances × {upfront_text} ÷ {max(term, 1)} months{fee}",
            count * upfront / max(term, 1) * fee_price,
        )
    else:
        per_image = (
            s.serverless_ms_per_inference / 1000 * s.serverless_memory_gb * s.serverless_per_gb_second
            + s.serverless_per_million_requests / 1e6
        )
        steps["inference"] = (
            f"{_n(images)} images × ({_n(s.serverless_ms_per_inference)} ms ÷ 1000 × {_n(s.serverless_memory_gb)} GB "
            f"× {_n(s.serverless_per_gb_second)} + {_n(s.serverless_per_million_requests)} ÷ 10⁶){discount}{fee} {cur}",
            images * per_image * paid * fee_price,
        )
    for key in ("commitment_upfront", "commitment_spread"):
        steps.setdefault(key, ("no instance commitment", 0.0))
    result_gb = images * s.result_kb / 1e6
    text, value = _tiers(result_gb, s.egress_tiers, 1, "GB")
    steps["results_egress"] = (
        f"{_n(images)} images × {_n(s.result_kb)} KB ÷ 10⁶ = {_n(result_gb)} GB; {text}{bw} {cur}",
        value * bandwidth_price,
    )
    steps["cloud_storage"] = (
        f"{_n(upload_gb)} GB × {_n(stored)} months held on average × {_n(s.storage_per_gb_month)} {cur}/GB-month{fee}",
        upload_gb * stored * s.storage_per_gb_month * fee_price,
    )
    sold = f" − {retired} retired × {_n(salvage)} salvage" if retired else ""
    steps["hardware"] = (
        f"{bought} devices × {_n(s.device_price)} {cur}{sold}",
        bought * s.device_price - retired * salvage,
    )
    steps["installation"] = (
        f"{bought} devices × {_n(s.install_per_device)} {cur}{inflated}",
        bought * s.install_per_device * inflation,
    )
    # The devices in service, each at the inflation of its purchase month (its installation's price then).
    installed = sum(fleet(s, j)[1] * _change(s.inflation_percent_per_year, j) for j in in_service_since)
    depreciation_text = (
        f"{devices} devices × ({_n(s.device_price)} + {_n(s.install_per_device)} − {_n(salvage)} salvage)"
        if installed == devices
        else f"({devices} devices × ({_n(s.device_price)} − {_n(salvage)} salvage) + {_n(installed)} devices at "
        f"their purchase month's inflation × {_n(s.install_per_device)} installation)"
    )
    steps["depreciation"] = (
        f"{depreciation_text} ÷ {s.useful_life_months} months",
        (devices * (s.device_price - salvage) + installed * s.install_per_device) / s.useful_life_months,
    )
    steps["failures"] = (
        f"{devices} devices × {_n(s.failure_percent_per_year)}% ÷ 12 × ({_n(s.device_price)} + "
        f"{_n(s.install_per_device)}{inflated}) {cur}",
        devices * s.failure_percent_per_year / 100 / 12 * (s.device_price + s.install_per_device * inflation),
    )
    billed = devices if s.management_basis == "per_device" else s.sites
    steps["management"] = (
        f"{_n(s.management_per_month)} {cur} × {billed} {'devices' if s.management_basis == 'per_device' else 'sites'}"
        f"{inflated}",
        s.management_per_month * billed * inflation,
    )
    steps["electricity"] = (
        f"{devices} devices × {_n(s.device_watts)} W ÷ 1000 × ({_n(operating_h)} h + {_n(s.idle_power_percent)}% × "
        f"{_n(max(HOURS_PER_MONTH - operating_h, 0))} idle h) × PUE {_n(s.pue)} × "
        f"{_n(s.electricity_per_kwh)} {cur}/kWh{_times(electricity_price, 'price change')}",
        devices * s.device_watts / 1000 * powered_h * s.pue * s.electricity_per_kwh * electricity_price,
    )
    billed_text, billed_gb = over(
        feedback_gb,
        f"{_n(images)} frames × {_n(s.feedback_percent)}% × {_n(s.image_kb)} KB ÷ 10⁶ = {_n(feedback_gb)} GB",
    )
    steps["feedback_uplink"] = (
        f"{billed_text} × {_n(s.uplink_per_gb)} {cur}/GB{bw}",
        billed_gb * s.uplink_per_gb * bandwidth_price,
    )
    steps["link_rental_edge"] = (f"{_n(s.sites)} sites × {_n(s.link_per_month)} {cur}", s.sites * s.link_per_month)
    steps["feedback_cloud"] = (
        f"{_n(feedback_gb)} GB × ({_n(s.ingest_per_gb)}{bw} + {_n(stored)} × {_n(s.storage_per_gb_month)}{fee}) "
        f"{cur}/GB",
        feedback_gb * (s.ingest_per_gb * bandwidth_price + stored * s.storage_per_gb_month * fee_price),
    )
    steps |= _deployment_steps(s, m, devices, bought, retired)
    per_object = (s.storage_put_per_1000 + s.storage_reads_per_object * s.storage_get_per_1000) / 1000
    per_object_text = (
        f"({_n(s.storage_put_per_1000)} + {_n(s.storage_reads_per_object)} reads × {_n(s.storage_get_per_1000)}) "
        f"{cur} ÷ 1000{fee}"
    )
    if s.cloud_upload == "video":
        objects = s.cameras * operating_s / s.video_segment_s * growth
        objects_text = f"{_n(s.cameras)} cameras × {_n(operating_s)} s ÷ {_n(s.video_segment_s)} s{grown}"
    else:
        objects, objects_text = images, f"{_n(images)} frames"
    steps["storage_requests"] = (
        f"{objects_text} = {_n(objects)} objects × {per_object_text}",
        objects * per_object * fee_price,
    )
    feedback_frames = images * s.feedback_percent / 100
    steps["feedback_requests"] = (
        f"{_n(images)} frames × {_n(s.feedback_percent)}% = {_n(feedback_frames)} objects × {per_object_text}",
        feedback_frames * per_object * fee_price,
    )

    retraining = s.retraining_gpu_hours_per_month * s.retraining_per_gpu_hour
    retraining_text = f"{_n(s.retraining_gpu_hours_per_month)} GPU-h × {_n(s.retraining_per_gpu_hour)} {cur}/GPU-h"
    labelled = images * s.feedback_percent / 100 * s.labelled_percent / 100
    labelling_text = (
        f"{_n(images)} frames × {_n(s.feedback_percent)}% feedback × {_n(s.labelled_percent)}% labelled = "
        f"{_n(labelled)} images × {_n(s.labelling_per_image)} {cur}"
    )
    steps["retraining_edge"] = (retraining_text, retraining)
    steps["labelling_edge"] = (labelling_text, labelled * s.labelling_per_image)
    api = "a managed per-image API: no model of your own to retrain"
    own = s.inference_pricing != "per_image"
    steps["retraining_cloud"] = (retraining_text, retraining) if own else (api, 0.0)
    steps["labelling_cloud"] = (labelling_text, labelled * s.labelling_per_image) if own else (api, 0.0)
    hourly = HOURS_PER_MONTH * (s.load_balancer_per_hour + s.nat_gateway_per_hour)
    per_gb = s.load_balancer_per_gb + s.nat_gateway_per_gb
    steps["network_services"] = (
        f"({_n(HOURS_PER_MONTH)} h × ({_n(s.load_balancer_per_hour)} + {_n(s.nat_gateway_per_hour)}) {cur}/h + "
        f"{_n(upload_gb)} GB × ({_n(s.load_balancer_per_gb)} + {_n(s.nat_gateway_per_gb)}) {cur}/GB){fee}",
        (hourly + upload_gb * per_gb) * fee_price,
    )
    log_gb = images * s.log_kb_per_inference / 1e6
    steps["logging"] = (
        f"{_n(images)} inferences × {_n(s.log_kb_per_inference)} KB ÷ 10⁶ = {_n(log_gb)} GB × "
        f"{_n(s.logging_per_gb)} {cur}/GB{fee}",
        log_gb * s.logging_per_gb * fee_price,
    )
    steps["cloud_support"] = _support_step(s, sum(steps[key][1] for key in SUPPORTED_BILL))

    steps.update(_terminal_steps(s, m) if terminal else dict.fromkeys(("terminal_cloud", "terminal_edge"), ("", 0.0)))

    kg = {step.key: step.value for step in carbon_month(s, m)}
    price = s.carbon_price_per_tonne
    per_tonne = f" ÷ 1000 × {_n(price)} {cur}/tonne"
    cloud_kg = kg["cloud_energy"] + kg["cloud_network"] + kg["cloud_embodied"]
    steps["carbon_cloud"] = (
        f"({_n(kg['cloud_energy'])} + {_n(kg['cloud_network'])} + {_n(kg['cloud_embodied'])}) kg CO₂e{per_tonne}",
        cloud_kg / 1000 * price,
    )
    steps["carbon_edge_purchase"] = (
        f"{_n(kg['edge_purchase'])} kg CO₂e{per_tonne}",
        kg["edge_purchase"] / 1000 * price,
    )
    steps["carbon_edge_embodied"] = (
        f"{_n(kg['edge_embodied'])} kg CO₂e{per_tonne}",
        kg["edge_embodied"] / 1000 * price,
    )
    edge_kg = kg["edge_energy"] + kg["edge_failures"] + kg["edge_network"]
    steps["carbon_edge"] = (
        f"({_n(kg['edge_energy'])} + {_n(kg['edge_failures'])} + {_n(kg['edge_network'])}) kg CO₂e{per_tonne}",
        edge_kg / 1000 * price,
    )

    out = []
    for info in COMPONENTS:
        arithmetic, value = steps[info.key]
        out.append(Step(info.key, info.label, info.side, info.formula, f"{arithmetic} = {value:,.2f} {cur}", value))
    return out


def _support_step(s: Scenario, bill: float) -> tuple[str, float]:
    """The support plan's fee on the month's cloud bill: its tiers one by one, or its minimum."""
    if s.cloud_support_plan == "none":
        return "no support plan", 0.0
    cur, fx = s.currency, s.fx_rate
    starts, rates, minimum = SUPPORT_PLANS[s.cloud_support_plan]
    parts, fee = [], 0.0
    for start, end, rate in zip(starts, (*starts[1:], math.inf), rates):
        within = max(0.0, min(bill, end * fx) - start * fx)
        if within > 0:
            fee += within * rate / 100
            parts.append(f"{_n(within)} × {rate}%")
    tiers = " + ".join(parts) or "0"
    return (
        f"bill {_n(bill)} {cur}: max({_n(minimum * fx)} {cur} minimum, {tiers} = {_n(fee)} {cur})",
        max(minimum * fx, fee),
    )


def _deployment_steps(s: Scenario, m: int, devices: int, bought: int, retired: int) -> dict[str, tuple[str, float]]:
    """Spares pool, support, installation labour and licences of month m + 1: (arithmetic, value) by key."""
    cur, spares = s.currency, s.spares_percent / 100
    salvage = s.device_price * s.salvage_percent / 100
    sold = f" − {retired} retired × {_n(salvage)} salvage" if retired else ""
    visit = m % s.useful_life_months == 0  # go-live and each refresh
    failures = devices * s.failure_percent_per_year / 100 / 12
    licence = s.licence_per_device_year + s.gpus_per_device * s.licence_per_gpu_year
    return {
        "spares": (
            f"{_n(s.spares_percent)}% × ({bought} devices × {_n(s.device_price)} {cur}{sold})",
            spares * (bought * s.device_price - retired * salvage),
        ),
        "spares_depreciation": (
            f"{devices} devices × {_n(s.spares_percent)}% × ({_n(s.device_price)} − {_n(salvage)} salvage) "
            f"÷ {s.useful_life_months} months",
            devices * spares * (s.device_price - salvage) / s.useful_life_months,
        ),
        "hardware_support": (
            f"{devices} devices × {_n(s.hardware_support_per_device_year)} {cur}/year ÷ 12",
            devices * s.hardware_support_per_device_year / 12,
        ),
        "site_visits": (
            f"{s.sites} sites × {_n(s.install_per_site)} {cur}"
            + ("" if visit else f" × 0 (visits at go-live and every {s.useful_life_months} months)"),
            s.sites * s.install_per_site if visit else 0.0,
        ),
        "site_visits_spread": (
            f"{s.sites} sites × {_n(s.install_per_site)} {cur} ÷ {s.useful_life_months} months",
            s.sites * s.install_per_site / s.useful_life_months,
        ),
        "failure_visits": (
            f"{devices} devices × {_n(s.failure_percent_per_year)}% ÷ 12 × {_n(s.truck_roll_per_visit)} {cur}/visit",
            failures * s.truck_roll_per_visit,
        ),
        "software_licences": (
            f"{devices} devices × ({_n(s.licence_per_device_year)} + {s.gpus_per_device} GPUs × "
            f"{_n(s.licence_per_gpu_year)}) {cur}/year ÷ 12",
            devices * licence / 12,
        ),
    }


def carbon_month(s: Scenario, m: int) -> list[Step]:
    """Every carbon line of month m + 1 as arithmetic [kg CO₂e], in the order of costs.CARBON_COMPONENTS."""
    growth = _change(s.workload_growth_percent_per_year, m)
    grown = _times(growth, "growth")
    operating_s = s.hours_per_day * 3600 * s.days_per_month
    images = s.cameras * s.analysed_fps * operating_s * growth
    if s.cloud_upload == "video":
        upload_gb = s.cameras * s.bitrate_mbps * 1e6 / 8 * operating_s / 1e9 * growth
    else:
        upload_gb = images * s.image_kb / 1e6
    result_gb = images * s.result_kb / 1e6
    feedback_gb = images * s.feedback_percent / 100 * s.image_kb / 1e6
    devices, bought, _ = fleet(s, m)
    operating_h = s.hours_per_day * s.days_per_month
    other_h = max(HOURS_PER_MONTH - operating_h, 0)
    kwh = s.device_watts / 1000 * (operating_h + s.idle_power_percent / 100 * other_h) * s.pue
    accelerator_s = images * s.cloud_accelerator_s_per_inference
    cloud_grid, network = s.cloud_grid_kgco2e_per_kwh, s.network_kwh_per_gb
    embodied = s.device_embodied_kgco2e
    with_spares = embodied * (1 + s.spares_percent / 100)
    pool = f" × (1 + {_n(s.spares_percent)}% spares)" if s.spares_percent else ""
    steps = {
        "cloud_energy": (
            f"{_n(images)} images × {_n(s.cloud_accelerator_s_per_inference)} s × "
            f"{_n(s.cloud_accelerator_watts)} W ÷ 3,600,000 = "
            f"{_n(accelerator_s * s.cloud_accelerator_watts / 3.6e6)} kWh "
            f"× PUE {_n(s.cloud_pue)} × {_n(cloud_grid)} kg/kWh",
            accelerator_s * s.cloud_accelerator_watts / 3.6e6 * s.cloud_pue * cloud_grid,
        ),
        "cloud_network": (
            f"({_n(upload_gb)} GB uploaded + {_n(result_gb)} GB results) × {_n(network)} kWh/GB × "
            f"{_n(cloud_grid)} kg/kWh",
            (upload_gb + result_gb) * network * cloud_grid,
        ),
        "cloud_embodied": (
            f"{_n(images)} images × {_n(s.cloud_accelerator_s_per_inference)} s ÷ 3600 = "
            f"{_n(accelerator_s / 3600)} accelerator-hours × "
            f"{_n(s.cloud_embodied_kgco2e_per_accelerator_hour)} kg/accelerator-hour",
            accelerator_s / 3600 * s.cloud_embodied_kgco2e_per_accelerator_hour,
        ),
        "edge_purchase": (f"{bought} devices bought{pool} × {_n(embodied)} kg", bought * with_spares),
        "edge_embodied": (
            f"{devices} devices{pool} × {_n(embodied)} kg ÷ {s.useful_life_months} months",
            devices * with_spares / s.useful_life_months,
        ),
        "edge_failures": (
            f"{devices} devices × {_n(s.failure_percent_per_year)}% ÷ 12 × {_n(embodied)} kg",
            devices * s.failure_percent_per_year / 100 / 12 * embodied,
        ),
        "edge_energy": (
            f"{devices} devices × {_n(s.device_watts)} W ÷ 1000 × ({_n(operating_h)} h + "
            f"{_n(s.idle_power_percent)}% × {_n(other_h)} idle h) × PUE {_n(s.pue)} = {_n(devices * kwh)} kWh "
            f"× {_n(s.grid_kgco2e_per_kwh)} kg/kWh",
            devices * kwh * s.grid_kgco2e_per_kwh,
        ),
        "edge_network": (
            f"{_n(feedback_gb)} GB feedback{grown} × {_n(network)} kWh/GB × {_n(cloud_grid)} kg/kWh",
            feedback_gb * network * cloud_grid,
        ),
    }
    if s.inference_pricing == "instances":  # what is billed: busy hours at full power, the rest idle
        count, hours = instances(s, m)[0], _billed_hours(s)[0]
        busy_h = images / s.instance_inferences_per_s / 3600
        idle = s.cloud_accelerator_idle_percent / 100
        kwh_cloud = (busy_h * (1 - idle) + idle * count * hours) * s.cloud_accelerator_watts / 1000
        steps["cloud_energy"] = (
            f"({_n(images)} images ÷ {_n(s.instance_inferences_per_s)}/s ÷ 3600 = {_n(busy_h)} busy h × (1 − "
            f"{_n(idle * 100)}% idle) + {_n(idle * 100)}% × {count} instances × {_n(hours)} h billed) × "
            f"{_n(s.cloud_accelerator_watts)} W ÷ 1000 = {_n(kwh_cloud)} kWh × PUE {_n(s.cloud_pue)} × "
            f"{_n(cloud_grid)} kg/kWh",
            kwh_cloud * s.cloud_pue * cloud_grid,
        )
        steps["cloud_embodied"] = (
            f"{count} instances × {_n(hours)} h billed × {_n(s.cloud_embodied_kgco2e_per_accelerator_hour)} "
            "kg/accelerator-hour",
            count * hours * s.cloud_embodied_kgco2e_per_accelerator_hour,
        )
    return [
        Step(
            key,
            CARBON_BY_KEY[key].label,
            CARBON_BY_KEY[key].side,
            CARBON_BY_KEY[key].formula,
            f"{arithmetic} = {value:,.2f} kg CO₂e",
            value,
        )
        for key, (arithmetic, value) in steps.items()
    ]
