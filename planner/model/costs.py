"""Monthly cost of every cloud and edge component, for a batch of scenarios × months.

Shapes: n scenarios, M months (month 0 starts at go-live). A `Component` is `amount × factor`, where
`amount` is a per-scenario figure (n, 1) and `factor` a per-month profile (1, M) or (n, M): growth,
price changes, refresh schedules. Keeping the two apart means a component costs no memory traffic until
someone asks for its values, and totals multiply once per distinct factor, not once per component.

The formulas, in the order of `COMPONENTS`, with units (see also docs/FORMULAS.md):

    operating_s      = hours_per_day × 3600 × days_per_month                         [s/month]
    images           = cameras × analysed_fps × operating_s × growth(m)               [images/month]
    upload_gb        = video: cameras × bitrate_mbps × 10⁶/8 × operating_s / 10⁹ × growth(m)
                       frames: images × image_kb / 10⁶                                [GB/month]
    growth(m)        = (1 + workload_growth_percent_per_year/100)^(m/12); price changes alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from planner.model.pricing import pad_schedules, schedule_knots, tiered_cost
from planner.schema.scenario import FIELDS, VIEWS, ChoiceField, NumberField, Scenario

DAYS_PER_CALENDAR_MONTH = 365.25 / 12
HOURS_PER_CALENDAR_MONTH = DAYS_PER_CALENDAR_MONTH * 24
SIDES = ("cloud", "edge")


TIER_UNITS = {"inference_tiers": 1000.0, "egress_tiers": 1.0}  # a tier's price is per this many units (images, GB)


def excel_tiers(quantity: str, name: str) -> str:
    """The workbook's marginal tiers of `quantity` (a formula): Σ max(q − start, 0) × (price − previous price) over
    the named tier ranges `{name}_start` and `{name}_step`."""
    return f"SUMPRODUCT((({quantity})>{name}_start)*(({quantity})-{name}_start)*{name}_step)"


@dataclass(frozen=True)
class ComponentInfo:
    """One cost or carbon line, declared once: its docs/FORMULAS.md row, who pays it, and its formula for one
    month (`excel`), which the workbook writes as it is and `evaluate` turns into numpy terms (`python_of`)."""

    key: str
    side: str  # "cloud" or "edge"
    label: str
    bill: str  # who sends the bill, so a finance reader can match it
    formula: str  # docs/FORMULAS.md's formula, in words and symbols
    views: tuple[str, ...] = VIEWS
    lump: bool = False  # paid at the start of its month (capex) rather than accrued evenly
    excel: str = ""  # the formula for one month: `{q}` a monthly quantity (a Monthly column), bare names inputs
    note: str = ""  # when the line applies, if not always (docs/FORMULAS.md)


COMPONENTS: tuple[ComponentInfo, ...] = (
    ComponentInfo(
        "site_uplink",
        "cloud",
        "Site uplink (video to cloud)",
        "Site ISP / carrier",
        "max(upload_gb − sites × link_allowance_gb, 0) × uplink_per_gb × bandwidth_change(m); over a link upgrade "
        "(link_upgrade_install or link_upgrade_per_month above 0) its own: max(upload_gb − sites × "
        "link_upgrade_allowance_gb, 0) × link_upgrade_per_gb × bandwidth_change(m)",
        excel="IF(link_upgrade_install+link_upgrade_per_month>0,MAX({upload_gb}-sites*link_upgrade_allowance_gb,0)"
        "*link_upgrade_per_gb,MAX({upload_gb}-sites*link_allowance_gb,0)*uplink_per_gb)*{bandwidth_change}",
    ),
    ComponentInfo(
        "link_rental",
        "cloud",
        "Site line and link upgrade",
        "Site ISP / carrier",
        "sites × (link_per_month + link_upgrade_per_month), + sites × link_upgrade_install in month 1",
        excel="sites*(link_per_month+link_upgrade_per_month+IF({m}=0,link_upgrade_install,0))",
    ),
    ComponentInfo(
        "cloud_ingest",
        "cloud",
        "Cloud ingest",
        "Cloud provider",
        "upload_gb × ingest_per_gb × bandwidth_change(m)",
        excel="{upload_gb}*ingest_per_gb*{bandwidth_change}",
    ),
    ComponentInfo(
        "inference",
        "cloud",
        "Cloud inference",
        "Cloud provider",
        "per-image: (1 − discount%) × tiers(images) × fee_change(m); serverless: (1 − discount%) × images × "
        "(ms/1000 × memory_gb × per_gb_second + per_million_requests/10⁶) × fee_change(m); instances: "
        "instances(m) × billed_hours × instance_rate × fee_change(m)",
        excel='IF(inference_pricing="per_image",(1-inference_discount_percent/100)*'
        + excel_tiers("{images}", "inference_tier")
        + ',IF(inference_pricing="serverless",'
        "(1-inference_discount_percent/100)*{images}*serverless_per_image,"
        "{instances}*billed_hours*instance_rate))*{fee_change}",
    ),
    ComponentInfo(
        "commitment_upfront",
        "cloud",
        "Instance commitment, upfront",
        "Cloud provider",
        "commitments_bought(m) × upfront_per_instance × fee_change(m)",
        views=("cash",),
        lump=True,
        excel="{commitments_bought}*upfront_per_instance*{fee_change}",
    ),
    ComponentInfo(
        "commitment_spread",
        "cloud",
        "Instance commitment, upfront spread over the term",
        "Accounting",
        "instances(m) × upfront_per_instance / term_months × fee_change(m)",
        views=("accounting",),
        excel="{instances}*upfront_per_instance/MAX(term_months,1)*{fee_change}",
    ),
    ComponentInfo(
        "results_egress",
        "cloud",
        "Results egress to site",
        "Cloud provider",
        "tiers(images × result_kb / 10⁶ GB) × bandwidth_change(m)",
        excel=excel_tiers("{images}*result_kb/10^6", "egress_tier") + "*{bandwidth_change}",
    ),
    ComponentInfo(
        "cloud_storage",
        "cloud",
        "Cloud storage",
        "Cloud provider",
        "upload_gb × stored_months(m) × storage_per_gb_month × fee_change(m)",
        excel="{upload_gb}*{stored_months}*storage_per_gb_month*{fee_change}",
    ),
    ComponentInfo(
        "hardware",
        "edge",
        "Edge hardware",
        "Hardware vendor",
        "devices_bought(m) × device_price − devices_retired(m) × device_price × salvage_percent/100",
        views=("cash",),
        lump=True,
        excel="{devices_bought}*device_price-{devices_retired}*device_price*salvage_percent/100",
    ),
    ComponentInfo(
        "installation",
        "edge",
        "Installation",
        "Installer",
        "devices_bought(m) × install_per_device × inflation(m)",
        views=("cash",),
        lump=True,
        excel="{devices_bought}*install_per_device*{inflation}",
    ),
    ComponentInfo(
        "depreciation",
        "edge",
        "Depreciation (hardware + installation)",
        "Accounting",
        "(devices(m) × (device_price − salvage) + installed_at_inflation(m) × install_per_device) / useful_life_months",
        views=("accounting",),
        excel="({devices}*(device_price-device_price*salvage_percent/100)+{installed_at_inflation}*install_per_device)"
        "/useful_life_months",
    ),
    ComponentInfo(
        "failures",
        "edge",
        "Failure replacements",
        "Hardware vendor",
        "devices(m) × failure_percent_per_year/100/12 × (device_price + install_per_device × inflation(m))",
        excel="{devices}*failure_percent_per_year/100/12*(device_price+install_per_device*{inflation})",
    ),
    ComponentInfo(
        "management",
        "edge",
        "Management software",
        "Software vendor",
        "management_per_month × (devices(m) if per device else sites) × inflation(m)",
        excel='management_per_month*IF(management_basis="per_device",{devices},sites)*{inflation}',
    ),
    ComponentInfo(
        "electricity",
        "edge",
        "Electricity",
        "Utility",
        "devices(m) × device_watts/1000 × (operating_h + idle% × other_h) × pue × electricity_per_kwh × "
        "electricity_change(m)",
        excel="{devices}*device_watts/1000*(operating_h+idle_power_percent/100*other_h)*pue*electricity_per_kwh"
        "*{electricity_change}",
    ),
    ComponentInfo(
        "feedback_uplink",
        "edge",
        "Feedback upload",
        "Site ISP / carrier",
        "max(feedback_gb − sites × link_allowance_gb, 0) × uplink_per_gb × bandwidth_change(m)",
        excel="MAX({feedback_gb}-sites*link_allowance_gb,0)*uplink_per_gb*{bandwidth_change}",
    ),
    ComponentInfo(
        "link_rental_edge",
        "edge",
        "Site line",
        "Site ISP / carrier",
        "sites × link_per_month",
        excel="sites*link_per_month",
    ),
    ComponentInfo(
        "feedback_cloud",
        "edge",
        "Feedback ingest & storage",
        "Cloud provider",
        "feedback_gb × (ingest_per_gb × bandwidth_change(m) + stored_months(m) × storage_per_gb_month × fee_change(m))",
        excel="{feedback_gb}*(ingest_per_gb*{bandwidth_change}+{stored_months}*storage_per_gb_month*{fee_change})",
    ),
)
# Lines of a real deployment: the edge's spares, support, installation labour and licences; object-storage requests.
DEPLOYMENT_LINES: tuple[ComponentInfo, ...] = (
    ComponentInfo(
        "spares",
        "edge",
        "Spares pool",
        "Hardware vendor",
        "spares_percent/100 × (devices_bought(m) × device_price − devices_retired(m) × device_price × "
        "salvage_percent/100)",
        views=("cash",),
        lump=True,
        excel="spares_percent/100*({devices_bought}*device_price-{devices_retired}*device_price*salvage_percent/100)",
    ),
    ComponentInfo(
        "spares_depreciation",
        "edge",
        "Depreciation (spares pool)",
        "Accounting",
        "devices(m) × spares_percent/100 × (device_price − salvage) / useful_life_months",
        views=("accounting",),
        excel="{devices}*spares_percent/100*device_price*(1-salvage_percent/100)/useful_life_months",
    ),
    ComponentInfo(
        "hardware_support",
        "edge",
        "Hardware support / warranty",
        "Hardware vendor",
        "devices(m) × hardware_support_per_device_year / 12",
        excel="{devices}*hardware_support_per_device_year/12",
    ),
    ComponentInfo(
        "site_visits",
        "edge",
        "Installation visits",
        "Installer",
        "sites × install_per_site × visit(m), visit(m) = 1 at go-live and each refresh (m a multiple of "
        "useful_life_months), else 0",
        views=("cash",),
        lump=True,
        excel="sites*install_per_site*IF(MOD({m},useful_life_months)=0,1,0)",
    ),
    ComponentInfo(
        "site_visits_spread",
        "edge",
        "Installation visits (spread over the life)",
        "Accounting",
        "sites × install_per_site / useful_life_months",
        views=("accounting",),
        excel="sites*install_per_site/useful_life_months",
    ),
    ComponentInfo(
        "failure_visits",
        "edge",
        "Failure call-outs",
        "Installer",
        "devices(m) × failure_percent_per_year/100/12 × truck_roll_per_visit",
        excel="{devices}*failure_percent_per_year/100/12*truck_roll_per_visit",
    ),
    ComponentInfo(
        "software_licences",
        "edge",
        "Software licences",
        "Software vendor",
        "devices(m) × (licence_per_device_year + gpus_per_device × licence_per_gpu_year) / 12",
        excel="{devices}*(licence_per_device_year+gpus_per_device*licence_per_gpu_year)/12",
    ),
)
REQUESTS = "(storage_put_per_1000 + storage_reads_per_object × storage_get_per_1000) / 1000 × fee_change(m)"
EXCEL_REQUESTS = "(storage_put_per_1000+storage_reads_per_object*storage_get_per_1000)/1000*{fee_change}"
DEPLOYMENT_LINES += (
    ComponentInfo(
        "storage_requests",
        "cloud",
        "Storage requests",
        "Cloud provider",
        f"objects(m) × {REQUESTS}, objects = video: cameras × operating_s / video_segment_s × growth(m); frames: "
        "images",
        excel='IF(cloud_upload="video",cameras*operating_s/video_segment_s*{growth},{images})*' + EXCEL_REQUESTS,
    ),
    ComponentInfo(
        "feedback_requests",
        "edge",
        "Feedback storage requests",
        "Cloud provider",
        f"images × feedback_percent/100 × {REQUESTS}",
        excel="{images}*feedback_percent/100*" + EXCEL_REQUESTS,
    ),
)
# Support plans: (tier starts [USD of monthly bill], marginal rates [%], monthly minimum [USD]) as AWS publishes them
# (https://aws.amazon.com/premiumsupport/pricing/, read 2026-11: Business the greater of 100 USD or the tiers; its
# worked example 85,000 USD → 6,150 USD; Enterprise the greater of 15,000 USD or the tiers, 1,200,000 USD → 70,500 USD).
# The bill is the cloud provider's own lines of the month, in cash as billed (an upfront commitment in its month).
SUPPORT_PLANS = {
    "business": ((0, 10_000, 80_000, 250_000), (10, 7, 5, 3), 100),
    "enterprise": ((0, 150_000, 500_000, 1_000_000), (10, 7, 5, 3), 15_000),
}
SUPPORTED_BILL = (
    "cloud_ingest",
    "inference",
    "commitment_upfront",
    "results_egress",
    "cloud_storage",
    "storage_requests",
    "network_services",
    "logging",
)


def _excel_support() -> str:
    """The support line's workbook formula: per plan, max(minimum, Σ marginal tiers) of the month's bill."""
    bill = "(" + "+".join(f"{{{k}}}" for k in SUPPORTED_BILL) + ")"
    per_plan = {}
    for plan, (starts, rates, minimum) in SUPPORT_PLANS.items():
        steps = [b - a for a, b in zip((0, *rates), rates)]
        tiers = "+".join(f"({step})/100*MAX({bill}-{start}*fx_rate,0)" for start, step in zip(starts, steps))
        per_plan[plan] = f"MAX({minimum}*fx_rate,{tiers})"
    return f'IF(cloud_support_plan="business",{per_plan["business"]},' + (
        f'IF(cloud_support_plan="enterprise",{per_plan["enterprise"]},0))'
    )


DEPLOYMENT_LINES += (
    ComponentInfo(
        "network_services",
        "cloud",
        "Network services (load balancer, NAT)",
        "Cloud provider",
        "(730.5 h × (load_balancer_per_hour + nat_gateway_per_hour) + upload_gb × (load_balancer_per_gb + "
        "nat_gateway_per_gb)) × fee_change(m)",
        excel="(730.5*(load_balancer_per_hour+nat_gateway_per_hour)+{upload_gb}*(load_balancer_per_gb"
        "+nat_gateway_per_gb))*{fee_change}",
    ),
    ComponentInfo(
        "logging",
        "cloud",
        "Log ingestion",
        "Cloud provider",
        "images × log_kb_per_inference / 10⁶ × logging_per_gb × fee_change(m)",
        excel="{images}*log_kb_per_inference/10^6*logging_per_gb*{fee_change}",
    ),
    ComponentInfo(
        "cloud_support",
        "cloud",
        "Cloud support plan",
        "Cloud provider",
        "max(minimum × fx_rate, Σ tier_rate × the bill(m) within each tier, tier starts × fx_rate), bill(m) = "
        + " + ".join(SUPPORTED_BILL)
        + "; business: 10 % to 10,000 USD, 7 % to 80,000, 5 % to 250,000, 3 % above, minimum 100 USD; "
        "enterprise: 10 % to 150,000 USD, 7 % to 500,000, 5 % to 1,000,000, 3 % above, minimum 15,000 USD; "
        "cloud_support_plan none: 0",
        excel=_excel_support(),
    ),
)
# Your own model: retraining and labelling, on the edge and in cloud designs that run your own model (not per image).
RETRAINING = "retraining_gpu_hours_per_month × retraining_per_gpu_hour"
LABELLING = "images × feedback_percent/100 × labelled_percent/100 × labelling_per_image"
OWN_MODEL = 'IF(inference_pricing="per_image",0,1)*'
DEPLOYMENT_LINES += (
    ComponentInfo(
        "retraining_cloud",
        "cloud",
        "Retraining (your own model)",
        "Cloud provider",
        f"{RETRAINING} when inference_pricing is your own model (serverless or GPU), per-image API: 0",
        excel=OWN_MODEL + "retraining_gpu_hours_per_month*retraining_per_gpu_hour",
    ),
    ComponentInfo(
        "labelling_cloud",
        "cloud",
        "Labelling (your own model)",
        "Labelling service",
        f"{LABELLING} when inference_pricing is your own model (serverless or GPU), per-image API: 0",
        excel=OWN_MODEL + "{images}*feedback_percent/100*labelled_percent/100*labelling_per_image",
    ),
    ComponentInfo(
        "retraining_edge",
        "edge",
        "Retraining",
        "Cloud provider",
        RETRAINING,
        excel="retraining_gpu_hours_per_month*retraining_per_gpu_hour",
    ),
    ComponentInfo(
        "labelling_edge",
        "edge",
        "Labelling",
        "Labelling service",
        LABELLING,
        excel="{images}*feedback_percent/100*labelled_percent/100*labelling_per_image",
    ),
)
COMPONENTS += DEPLOYMENT_LINES
DEPLOYMENT_KEYS = tuple(c.key for c in DEPLOYMENT_LINES)
HORIZON_VALUE = "Value kept at the horizon"
ONLY_BOOK_VALUE = "only when `terminal_value` = book_value, in the horizon's last month"
COMPONENTS += (  # what is still owned at the horizon, counted back (a negative cost) in its last month
    ComponentInfo(
        "terminal_cloud",
        "cloud",
        "Unexpired commitment at the horizon",
        HORIZON_VALUE,
        "−Σ commitment_upfront(s) × (1 − (H − s) / term_months) over the commitments whose term runs past the "
        "horizon H = horizon_months (H − s < term_months), in month H − 1",
        views=("cash",),
        note=ONLY_BOOK_VALUE,
        excel='IF(AND(terminal_value="book_value",term_months>0,{m}=horizon_months-1),-upfront_per_instance*('
        "{commitments_bought}*{fee_change}*(1-1/term_months)+IF({m}=0,0,SUMPRODUCT(({range:m}>{m}+1-term_months)"
        "*{range:commitments_bought}*{range:fee_change}*(1-({m}+1-{range:m})/term_months)))),0)",
    ),
    ComponentInfo(
        "terminal_edge",
        "edge",
        "Devices' book value at the horizon",
        HORIZON_VALUE,
        "−Σ devices_bought(s) × (cost(s) − (cost(s) − salvage) × (H − s) / useful_life_months) over those in service "
        "at the horizon H = horizon_months (H − s ≤ useful_life_months), cost(s) = device_price + "
        "install_per_device × inflation(s), in month H − 1",
        views=("cash",),
        note=ONLY_BOOK_VALUE,
        excel='IF(AND(terminal_value="book_value",{m}=horizon_months-1),-({devices_bought}*(device_price+'
        "install_per_device*{inflation}-(device_price*(1-salvage_percent/100)+install_per_device*{inflation})"
        "/useful_life_months)+IF({m}=0,0,SUMPRODUCT(({range:m}>{m}-useful_life_months)*{range:devices_bought}*"
        "(device_price+install_per_device*{range:inflation}-(device_price*(1-salvage_percent/100)+install_per_device*"
        "{range:inflation})*({m}+1-{range:m})/useful_life_months)))),0)",
    ),
)
TERMINAL_KEYS = tuple(c.key for c in COMPONENTS if c.bill == HORIZON_VALUE)
CARBON_PRICE = "Internal carbon price"
ONLY_PRICED = "only when `carbon_price_per_tonne` > 0"
COMPONENTS += (  # carbon as money: empty lines unless carbon_price_per_tonne > 0
    ComponentInfo(
        "carbon_cloud",
        "cloud",
        "Carbon price",
        CARBON_PRICE,
        "cloud_kgco2e(m) / 1000 × carbon_price_per_tonne",
        note=ONLY_PRICED,
        excel="{cloud_kg}/1000*carbon_price_per_tonne",
    ),
    ComponentInfo(
        "carbon_edge_purchase",
        "edge",
        "Carbon price: devices bought",
        CARBON_PRICE,
        "devices_bought(m) × (1 + spares_percent/100) × device_embodied_kgco2e / 1000 × carbon_price_per_tonne",
        views=("cash",),
        lump=True,
        note=ONLY_PRICED,
        excel="{devices_bought}*(1+spares_percent/100)*device_embodied_kgco2e/1000*carbon_price_per_tonne",
    ),
    ComponentInfo(
        "carbon_edge_embodied",
        "edge",
        "Carbon price: devices (spread)",
        CARBON_PRICE,
        "devices(m) × (1 + spares_percent/100) × device_embodied_kgco2e / useful_life_months / 1000 × "
        "carbon_price_per_tonne",
        views=("accounting",),
        note=ONLY_PRICED,
        excel="{devices}*(1+spares_percent/100)*device_embodied_kgco2e/useful_life_months/1000*carbon_price_per_tonne",
    ),
    ComponentInfo(
        "carbon_edge",
        "edge",
        "Carbon price: operation",
        CARBON_PRICE,
        "(edge_energy + edge_failures + edge_network)(m) / 1000 × carbon_price_per_tonne",
        note=ONLY_PRICED,
        excel="({edge_energy}+{edge_failures}+{edge_network})/1000*carbon_price_per_tonne",
    ),
)
COMPONENT_BY_KEY = {c.key: c for c in COMPONENTS}
CARBON_PRICE_KEYS = tuple(c.key for c in COMPONENTS if c.bill == CARBON_PRICE)

# Carbon lines [kg CO₂e/month], the same shape as cost lines; `bill` names the GHG Protocol scope of the
# enterprise that runs the inference. Same views as money: embodied emissions at purchase (cash) or spread
# over the useful life (accounting).
SCOPE_2, SCOPE_3 = "Scope 2 (purchased electricity)", "Scope 3 (purchased goods and services)"
CARBON_COMPONENTS: tuple[ComponentInfo, ...] = (
    ComponentInfo(
        "cloud_energy",
        "cloud",
        "Cloud inference energy",
        SCOPE_3,
        "per-image, serverless: images × cloud_accelerator_s_per_inference × cloud_accelerator_watts / 3.6×10⁶ "
        "× cloud_pue × cloud_grid_kgco2e_per_kwh; instances: (busy_h × (1 − idle%) + idle% × instances(m) × "
        "billed_hours) × cloud_accelerator_watts / 1000 × cloud_pue × cloud_grid_kgco2e_per_kwh, with "
        "busy_h = images / instance_inferences_per_s / 3600 and idle% = cloud_accelerator_idle_percent",
        excel='IF(inference_pricing="instances",({images}/instance_inferences_per_s/3600'
        "*(1-cloud_accelerator_idle_percent/100)+cloud_accelerator_idle_percent/100*{instances}"
        "*billed_hours)*cloud_accelerator_watts/1000,"
        "{images}*cloud_accelerator_s_per_inference*cloud_accelerator_watts/3.6E6)*cloud_pue"
        "*cloud_grid_kgco2e_per_kwh",
    ),
    ComponentInfo(
        "cloud_network",
        "cloud",
        "Network energy (uploads, results)",
        SCOPE_3,
        "(upload_gb + result_gb) × network_kwh_per_gb × cloud_grid_kgco2e_per_kwh",
        excel="({upload_gb}+{result_gb})*network_kwh_per_gb*cloud_grid_kgco2e_per_kwh",
    ),
    ComponentInfo(
        "cloud_embodied",
        "cloud",
        "Cloud hardware (embodied share)",
        SCOPE_3,
        "per-image, serverless: images × cloud_accelerator_s_per_inference / 3600 × "
        "cloud_embodied_kgco2e_per_accelerator_hour; instances: instances(m) × billed_hours × "
        "cloud_embodied_kgco2e_per_accelerator_hour",
        excel='IF(inference_pricing="instances",{instances}*billed_hours,'
        "{images}*cloud_accelerator_s_per_inference/3600)*cloud_embodied_kgco2e_per_accelerator_hour",
    ),
    ComponentInfo(
        "edge_purchase",
        "edge",
        "Devices bought (embodied)",
        SCOPE_3,
        "devices_bought(m) × (1 + spares_percent/100) × device_embodied_kgco2e",
        views=("cash",),
        lump=True,
        excel="{devices_bought}*(1+spares_percent/100)*device_embodied_kgco2e",
    ),
    ComponentInfo(
        "edge_embodied",
        "edge",
        "Devices (embodied, spread over life)",
        SCOPE_3,
        "devices(m) × (1 + spares_percent/100) × device_embodied_kgco2e / useful_life_months",
        views=("accounting",),
        excel="{devices}*(1+spares_percent/100)*device_embodied_kgco2e/useful_life_months",
    ),
    ComponentInfo(
        "edge_failures",
        "edge",
        "Failure replacements (embodied)",
        SCOPE_3,
        "devices(m) × failure_percent_per_year/100/12 × device_embodied_kgco2e",
        excel="{devices}*failure_percent_per_year/100/12*device_embodied_kgco2e",
    ),
    ComponentInfo(
        "edge_energy",
        "edge",
        "Device energy",
        SCOPE_2,
        "devices(m) × device_watts/1000 × (operating_h + idle% × other_h) × pue × grid_kgco2e_per_kwh",
        excel="{devices}*device_watts/1000*(operating_h+idle_power_percent/100*other_h)*pue*grid_kgco2e_per_kwh",
    ),
    ComponentInfo(
        "edge_network",
        "edge",
        "Network energy (feedback uploads)",
        SCOPE_3,
        "feedback_gb × network_kwh_per_gb × cloud_grid_kgco2e_per_kwh",
        excel="{feedback_gb}*network_kwh_per_gb*cloud_grid_kgco2e_per_kwh",
    ),
)
CARBON_BY_KEY = {c.key: c for c in CARBON_COMPONENTS}

# Whole cash flows of both sides, for figures that are not one scenario's cost lines (a fleet programme's plans):
# what accrues through each month and what is paid at its start, in the cash view.
FLOWS: tuple[ComponentInfo, ...] = (
    ComponentInfo("cloud_running", "cloud", "Cloud, running", "Cloud provider", "Σ the cloud's accruing lines"),
    ComponentInfo(
        "cloud_upfront",
        "cloud",
        "Cloud, upfront",
        "Cloud provider",
        "Σ the cloud's upfront payments",
        views=("cash",),
        lump=True,
    ),
    ComponentInfo("edge_running", "edge", "Edge, running", "Edge suppliers", "Σ the edge's accruing lines"),
    ComponentInfo(
        "edge_capex", "edge", "Edge, capex", "Edge suppliers", "Σ the edge's capex", views=("cash",), lump=True
    ),
)


def side_components(
    side: str, view: str = "cash", registry: tuple[ComponentInfo, ...] = COMPONENTS
) -> tuple[ComponentInfo, ...]:
    """The components of one side in one view: money (`COMPONENTS`) or carbon (`CARBON_COMPONENTS`)."""
    return tuple(c for c in registry if c.side == side and view in c.views)


# ── Batches ─────────────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Batch:
    """Inputs of n scenarios as columns: numeric fields as float arrays (n,), choices as bools."""

    n: int
    columns: dict[str, np.ndarray]
    inference_tiers: tuple[np.ndarray, np.ndarray]  # starts, prices: (1 or n, k)
    egress_tiers: tuple[np.ndarray, np.ndarray]

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    @property
    def max_horizon(self) -> int:
        return int(self.columns["horizon_months"].max())


CHOICE_FLAGS = {  # bool column = (choice field == value)
    "video_upload": ("cloud_upload", "video"),
    "per_image": ("inference_pricing", "per_image"),
    "instances": ("inference_pricing", "instances"),
    "always_on": ("instance_billing", "always_on"),
    "one_year": ("instance_commitment", "one_year"),
    "three_year": ("instance_commitment", "three_year"),
    "spot": ("instance_commitment", "spot"),
    "serverless": ("inference_pricing", "serverless"),
    "partial_upfront": ("instance_upfront", "partial"),
    "all_upfront": ("instance_upfront", "all"),
    "auto_sizing": ("device_sizing", "auto"),
    "per_device_fee": ("management_basis", "per_device"),
    "mid_month": ("discount_timing", "mid_month"),
    "support_business": ("cloud_support_plan", "business"),
    "support_enterprise": ("cloud_support_plan", "enterprise"),
    "book_value": ("terminal_value", "book_value"),
}


def _tiers_arrays(schedules):
    if all(s == schedules[0] for s in schedules):
        starts, prices = pad_schedules(schedules[:1])
    else:
        starts, prices = pad_schedules(schedules)
    return starts, prices


def batch(scenarios: list[Scenario], choices: dict[str, np.ndarray] | None = None, **overrides) -> Batch:
    """Columns for `scenarios`; `overrides` replaces numeric columns by arrays (or scalars) of length n, and
    `choices` choice fields by arrays of their options (a fleet's per-site choices).

    Overrides let what-if grids, Monte Carlo and fleets vary inputs without building n Scenario objects: they
    are validated against each field's bounds or options here (raising ValueError naming the field).
    """
    if not scenarios:
        raise ValueError("a batch needs at least one scenario")
    choices = {name: np.asarray(values, dtype=object) for name, values in (choices or {}).items()}
    for name, values in choices.items():
        spec = next((f for f in FIELDS if f.name == name), None)
        if not isinstance(spec, ChoiceField):
            raise ValueError(f"{name!r} is not a choice field of the scenario")
        if not np.isin(values, list(spec.options)).all():
            raise ValueError(f"{name}: every value must be one of {', '.join(spec.options)}")
    n = max([len(scenarios)] + [np.size(v) for v in (*overrides.values(), *choices.values())])
    if len(scenarios) not in (1, n):
        raise ValueError(f"{len(scenarios)} scenarios but overrides of length {n}")
    columns: dict[str, np.ndarray] = {}
    for spec in FIELDS:
        if isinstance(spec, NumberField):
            col = np.array([getattr(s, spec.name) for s in scenarios], dtype=float)
            columns[spec.name] = np.broadcast_to(col, (n,)).copy() if col.size != n else col
    for name, values in overrides.items():
        spec = next((f for f in FIELDS if f.name == name), None)
        if not isinstance(spec, NumberField):
            raise ValueError(f"{name!r} is not a numeric scenario field")
        arr = np.broadcast_to(np.asarray(values, dtype=float), (n,)).copy()
        if spec.integer:
            arr = np.round(arr)
        bad = ~np.isfinite(arr) | (arr < spec.min) | (arr > spec.max)
        if bad.any():
            raise ValueError(f"{name} = {arr[bad][0]:g} is outside {spec.min:g} to {spec.max:g} {spec.unit_for()}")
        columns[name] = arr
    for flag, (name, value) in CHOICE_FLAGS.items():
        given = choices.get(name)
        col = (given == value) if given is not None else np.array([getattr(s, name) == value for s in scenarios])
        columns[flag] = np.broadcast_to(col, (n,)) if col.size != n else col
    tiers = {
        key: _tiers_arrays([[(t.start, t.price) for t in getattr(s, key)] for s in scenarios])
        for key in ("inference_tiers", "egress_tiers")
    }
    return Batch(n, columns, **tiers)


# ── Per-month factors ───────────────────────────────────────────────────────────────────────────────
def _col(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=float)[:, None]


def _uniform(x: np.ndarray) -> bool:
    return bool(np.all(x == x[0]))


ONE = np.ones((1, 1))  # the factor of a cost that is the same every month


class Factors:
    """Per-month compounding profiles Π (1 + p/100)^(m/12), built once per distinct set of rates.

    A profile is (1, M) when every scenario has the same rates (the common case), (n, M) otherwise,
    and ONE when the rates are all zero. Equal profiles are the same object, so `sum_terms` groups them.
    """

    def __init__(self, months: int):
        self.months = months
        self._made: dict[bytes, np.ndarray] = {}

    def __call__(self, *percent_per_year: np.ndarray) -> np.ndarray:
        log_rate = sum(np.log1p(np.asarray(p, dtype=float) / 100) for p in percent_per_year)
        if _uniform(log_rate):
            log_rate = log_rate[:1]
        key = log_rate.tobytes()
        if key not in self._made:
            self._made[key] = ONE if not log_rate.any() else compounded(_col(log_rate), self.months)
        return self._made[key]


def compounded(log_rate: np.ndarray, months: int) -> np.ndarray:
    """exp(log_rate × m / 12) for months m < `months`, (rows, months) for log rates (rows, 1): the month within the
    year times the whole years, exp(log_rate × (m mod 12) / 12) × exp(log_rate × (m div 12)), so that a row takes
    12 + its years' exponentials rather than one per month (the same figures within a few units of 10⁻¹⁶)."""
    years = -(-months // 12)
    within_year = np.exp(log_rate * (np.arange(12) / 12))
    whole_years = np.exp(log_rate * np.arange(years))
    grid = (whole_years[:, :, None] * within_year[:, None, :]).reshape(len(log_rate), years * 12)
    return grid if years * 12 == months else np.ascontiguousarray(grid[:, :months])


def retention_months(retention_days: np.ndarray) -> np.ndarray:
    """Retention R [months] of a retention in days."""
    return np.asarray(retention_days, dtype=float) / DAYS_PER_CALENDAR_MONTH


def stored_months(months: int, retention_days: np.ndarray) -> np.ndarray:
    """Average months of upload held in storage during month m, with retention R = days / 30.44.

    Uploads arrive evenly; data older than R months is deleted. Stored volume at time t is
    rate × min(t, R), so the month's average is ∫ₘ^{m+1} min(t, R) dt / 1 month.
    """
    r = retention_months(retention_days)
    r = r[:1] if _uniform(r) else r
    m = np.arange(months, dtype=float)[None, :]
    a = np.clip(_col(r), m, m + 1)
    return (a * a - m * m) / 2 + _col(r) * (m + 1 - a)


@dataclass(frozen=True)
class Component:
    """amount (n, 1) × factor (1 or n, M, or ONE): one term of a cost line, kept as a lazy product."""

    amount: np.ndarray
    factor: np.ndarray

    def scaled(self, amount: np.ndarray, factor: np.ndarray | None = None) -> "Component":
        """This term × amount (n, 1) [× factor]; multiplies grids only when both terms have one."""
        if factor is None or factor is ONE:
            return Component(self.amount * amount, self.factor)
        return Component(self.amount * amount, factor if self.factor is ONE else self.factor * factor)


Line = tuple[Component, ...]  # a cost line: the sum of its terms


def _grouped(terms) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[tuple[np.ndarray, np.ndarray]]]:
    """Terms summed per distinct factor, split into shared factors (1, M) and per-scenario grids (n, M)."""
    by_factor: dict[int, list[Component]] = {}
    for term in terms:
        by_factor.setdefault(id(term.factor), []).append(term)
    groups = [(sum(t.amount for t in g), g[0].factor) for g in by_factor.values()]
    return [g for g in groups if g[1].shape[0] == 1], [g for g in groups if g[1].shape[0] > 1]


SUM_ROWS = 512  # rows per block of `sum_terms`: a block's total and scratch (2 × 240 kB at 60 months) stay in the cache


def sum_terms(terms, n: int, months: int) -> np.ndarray:
    """Σ terms as one (n, M) array, SUM_ROWS rows at a time.

    Terms whose factor is shared by every scenario reduce to one matrix product per block, amounts (rows, k) @
    factors (k, M); each per-scenario grid adds one multiply-add. A block stays in the CPU cache while its terms are
    added, so each grid is read once and the total written once; and a product that small runs on one thread, where
    a multi-threaded BLAS given the whole (n, k) @ (k, M) at once, k a handful of factors, waits for its threads
    (on a busy two-core machine up to thirty times longer).
    """
    shared, dense = _grouped(terms)
    if shared:
        amounts = np.hstack([np.broadcast_to(a, (n, 1)) for a, _ in shared])
        factors = np.vstack([np.broadcast_to(f, (1, months)) for _, f in shared])
    dense = [(a, f, bool(np.all(a == 1))) for a, f in dense]
    total = np.empty((n, months))
    scratch = np.empty((min(n, SUM_ROWS), months))
    for start in range(0, n, SUM_ROWS):
        rows = slice(start, start + SUM_ROWS)
        block = total[rows]
        if shared:
            np.matmul(amounts[rows], factors, out=block)
        else:
            block.fill(0.0)
        for amount, factor, unit in dense:
            if unit:
                block += factor[rows]
                continue
            product = scratch[: len(block)]
            np.multiply(amount[rows] if amount.shape[0] > 1 else amount, factor[rows], out=product)
            block += product
    return total


def weighted_sums(terms, n: int, weights: np.ndarray) -> np.ndarray:
    """Σₘ Σ terms(m) × weights(m) per scenario, without building the (n, M) total.

    weights : (1 or n, M), e.g. a horizon mask or discount factors.
    """
    shared, dense = _grouped(terms)
    out = np.zeros(n)
    for amount, factor in shared:
        per_month = np.broadcast_to(factor, (1, weights.shape[1])) * weights
        out += amount[:, 0] * per_month.sum(axis=1)
    for amount, factor in dense:
        shape = (n, weights.shape[1])
        out += amount[:, 0] * np.einsum("nm,nm->n", np.broadcast_to(factor, shape), np.broadcast_to(weights, shape))
    return out


class WeightedSums:
    """Σₘ terms(m) × weight(m) per scenario (n,), for any terms against a few named weights (1 or n, M) (a horizon
    mask, discount factors): each distinct factor is summed against every weight at once, so a per-scenario grid is
    read once however many totals use it (both sides' totals, the NPV, the capex)."""

    def __init__(self, n: int, **weights: np.ndarray):
        self.n, self.names = n, tuple(weights)
        self.weights = [np.asarray(w, dtype=float) for w in weights.values()]
        self._sums: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # id(factor) → (the factor, its sums (1 or n, w))

    def __call__(self, terms, weight: str) -> np.ndarray:
        j = self.names.index(weight)
        out = np.zeros(self.n)
        shared, dense = _grouped(terms)
        for amount, factor in shared + dense:
            out += amount[:, 0] * self._of(factor)[:, j]
        return out

    def _of(self, factor: np.ndarray) -> np.ndarray:
        if id(factor) not in self._sums:  # the factor is kept with its sums, so its id stays its own
            self._sums[id(factor)] = (factor, self._summed(factor))
        return self._sums[id(factor)][1]

    def _summed(self, factor: np.ndarray) -> np.ndarray:
        months = self.weights[0].shape[1]
        if any(w.shape[0] > 1 for w in self.weights):  # weights per scenario: one pass per weight
            shape = (self.n, months)
            grid = np.broadcast_to(factor, shape)
            return np.stack([np.einsum("nm,nm->n", grid, np.broadcast_to(w, shape)) for w in self.weights], axis=1)
        grid = np.broadcast_to(factor, (factor.shape[0], months))
        by_month = np.vstack(self.weights).T  # (M, w)
        out = np.empty((grid.shape[0], by_month.shape[1]))
        for start in range(0, grid.shape[0], SUM_ROWS):  # small products: one thread (see `sum_terms`)
            np.matmul(grid[start : start + SUM_ROWS], by_month, out=out[start : start + SUM_ROWS])
        return out


def terms_at(terms, n: int, month: np.ndarray) -> np.ndarray:
    """Σ terms at one month per scenario: month (n,) of integer indices."""
    rows = np.arange(n)
    out = np.zeros(n)
    shared, dense = _grouped(terms)
    for amount, factor in shared + dense:  # one pick per distinct factor
        picked = factor[rows if factor.shape[0] > 1 else 0, np.minimum(month, factor.shape[1] - 1)]
        out += np.broadcast_to(amount[:, 0], (n,)) * picked
    return out


# ── The model ───────────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Costs:
    """Every cost line for n scenarios × M months, plus the quantities behind them."""

    n: int
    months: int
    horizon: np.ndarray  # (n,) months each scenario covers
    lines: dict[str, Line]  # keyed as COMPONENTS
    quantities: dict[str, Line]  # images, GB, devices, instances and the per-month factors, per month
    carbon: dict[str, Line] = field(default_factory=dict)  # kg CO₂e per month, keyed as CARBON_COMPONENTS
    registry: tuple[ComponentInfo, ...] = COMPONENTS  # what `lines` holds: cost lines, or `FLOWS`
    discount_mid_month: np.ndarray | bool = False  # (n,) discount_timing is mid_month (finance's NPV)
    tax_rate_percent: np.ndarray | float = 0.0  # (n,) corporate tax rate (finance's after-tax NPV and IRR)

    def values(self, key: str) -> np.ndarray:
        """(n, M) monthly values of one cost line, carbon line or quantity."""
        line = next(found[key] for found in (self.lines, self.carbon, self.quantities) if key in found)
        return sum_terms(line, self.n, self.months)

    def terms(
        self,
        side: str,
        view: str = "cash",
        lump: bool | None = None,
        sign: float = 1.0,
        carbon: bool = False,
        without: tuple[str, ...] = (),
    ) -> list[Component]:
        """The terms of one side; `lump` selects only capex (True) or only accruing costs (False); `carbon`
        gives the side's emissions [kg CO₂e] instead of its money; `without` leaves those lines out."""
        if carbon and not self.carbon:
            raise ValueError("these costs were evaluated without their emissions: evaluate(..., carbon=True)")
        registry, lines = (CARBON_COMPONENTS, self.carbon) if carbon else (self.registry, self.lines)
        keys = [c.key for c in side_components(side, view, registry) if lump in (None, c.lump) and c.key not in without]
        if any(k not in lines for k in keys):
            raise ValueError(f"these costs were evaluated without the {side}'s lines: evaluate(..., sides=SIDES)")
        return [t if sign == 1 else Component(sign * t.amount, t.factor) for k in keys for t in lines[k]]

    def total(self, side: str, view: str = "cash", lump: bool | None = None) -> np.ndarray:
        """(n, M) monthly total of one side."""
        return sum_terms(self.terms(side, view, lump), self.n, self.months)


def scenario_figures(b: Batch) -> dict[str, np.ndarray]:
    """The per-scenario figures (n,) the monthly lines are built from, under the names the workbook's Inputs
    sheet gives them (docs/FORMULAS.md)."""
    operating_h = b["hours_per_day"] * b["days_per_month"]
    rate, upfront, term = instance_rates(b)
    return {
        "operating_s": b["hours_per_day"] * 3600 * b["days_per_month"],
        "operating_h": operating_h,
        "other_h": np.maximum(HOURS_PER_CALENDAR_MONTH - operating_h, 0),
        "retention_months": retention_months(b["retention_days"]),
        "per_site_devices": b["cameras"]
        / b["sites"]
        * b["analysed_fps"]
        * (1 + b["sizing_headroom_percent"] / 100)
        / b["device_throughput_ips"],  # before rounding up
        "serverless_per_image": b["serverless_ms_per_inference"]
        / 1000
        * b["serverless_memory_gb"]
        * b["serverless_per_gb_second"]
        + b["serverless_per_million_requests"] / 1e6,
        "instance_load": b["cameras"]
        * b["analysed_fps"]
        * (1 + b["instance_headroom_percent"] / 100)
        / b["instance_inferences_per_s"],  # instances before rounding up
        "term_months": term,
        "upfront_share": _upfront_share(b, term),
        "instance_rate": rate,
        "upfront_per_instance": upfront,
        "billed_hours": billed_hours(b),
    }


# ── Lines from their declared formula ─────────────────────────────────────────────────────────────
@dataclass
class Context:
    """What the terms of one evaluation share: the batch's size and months, and each product of two factors made
    once (so lines that share one share one object, and `sum_terms` groups them), as each factor's bounds."""

    n: int
    months: int
    products: dict = field(default_factory=dict)

    def times(self, f: np.ndarray, g: np.ndarray) -> np.ndarray:
        if f is ONE or g is ONE:
            return g if f is ONE else f
        key = (id(f), id(g)) if id(f) < id(g) else (id(g), id(f))
        if key not in self.products:
            self.products[key] = (f * g, f, g)  # the operands are kept, so their ids stay theirs
        return self.products[key][0]

    def bounds(self, factor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(lowest, highest) value of a factor over the months, per scenario (1 or n, 1), worked out once per factor."""
        key = ("bounds", id(factor))
        if key not in self.products:
            self.products[key] = (factor.min(axis=1, keepdims=True), factor.max(axis=1, keepdims=True), factor)
        return self.products[key][:2]

    def terms(self, x) -> "Terms":
        """`x` as terms: a per-scenario figure (n, 1) or a number is a term of factor ONE."""
        return x if isinstance(x, Terms) else Terms((Component(np.asarray(x, dtype=float).reshape(-1, 1), ONE),), self)

    def grid(self, x) -> np.ndarray:
        """`x` as values per scenario and month, broadcastable to (n, M): (1, M) or (1, 1) when every scenario has
        the same (a month count, a shared input), so that what follows stays small."""
        if not isinstance(x, Terms):
            return _shared(np.asarray(x, dtype=float))
        if all(t.factor.shape[0] == 1 and _uniform(t.amount) for t in x.terms):
            return sum_terms([Component(t.amount[:1], t.factor) for t in x.terms], 1, self.months)
        return sum_terms(x.terms, self.n, self.months)

    def of_grid(self, values: np.ndarray) -> "Terms":
        """Values per month as one term: a factor (1, M) when every scenario has the same, else (n, M)."""
        values = np.atleast_2d(np.asarray(values, dtype=float))
        rows = self.n if values.shape[0] > 1 else 1
        return Terms((Component(np.ones((self.n, 1)), np.broadcast_to(values, (rows, self.months))),), self)


class Terms:
    """A monthly line being built from a formula: Σ amount (n, 1) × factor, with the formulas' arithmetic. Sums and
    products stay lazy terms; what is not linear (MAX, MIN, MOD, a comparison of monthly values) is worked out on
    the (n, M) grid."""

    __array_ufunc__ = None  # `array * terms` is Terms.__rmul__, not a numpy loop over an object
    __hash__ = None

    def __init__(self, terms, context: Context):
        self.terms, self.context = tuple(terms), context

    def __mul__(self, x):
        if isinstance(x, Terms):
            times = self.context.times
            return Terms(
                (Component(a.amount * c.amount, times(a.factor, c.factor)) for a in self.terms for c in x.terms),
                self.context,
            )
        return Terms((Component(t.amount * x, t.factor) for t in self.terms), self.context)

    __rmul__ = __mul__

    def __truediv__(self, x):
        if isinstance(x, Terms):
            raise ValueError("a formula may divide by inputs, not by a monthly quantity")
        return Terms((Component(t.amount / x, t.factor) for t in self.terms), self.context)

    def __add__(self, x):
        return Terms(self.terms + self.context.terms(x).terms, self.context)

    __radd__ = __add__

    def __neg__(self):
        return self * -1.0

    def __sub__(self, x):
        return self + -self.context.terms(x)

    def __rsub__(self, x):
        return self.context.terms(x) + -self

    def _compare(self, x, op) -> np.ndarray:
        return op(self.context.grid(self), self.context.grid(x))

    def __eq__(self, x):
        return self._compare(x, np.equal)

    def __ne__(self, x):
        return self._compare(x, np.not_equal)

    def __gt__(self, x):
        return self._compare(x, np.greater)

    def __ge__(self, x):
        return self._compare(x, np.greater_equal)

    def __lt__(self, x):
        return self._compare(x, np.less)

    def __le__(self, x):
        return self._compare(x, np.less_equal)

    def masked(self, keep: np.ndarray) -> "Terms":
        """These terms where `keep` (n, 1), 0 elsewhere (a 0 that no inf or nan of an unused branch leaks into)."""
        return Terms((Component(np.where(keep, t.amount, 0.0), t.factor) for t in self.terms), self.context)


def _shared(x: np.ndarray) -> np.ndarray:
    """A per-scenario column (n, 1) that is the same for all as (1, 1)."""
    return x[:1] if x.ndim == 2 and x.shape[0] > 1 and x.shape[1] == 1 and _uniform(x) else x


def _if(context: Context, condition, yes, no):
    """Excel's IF: `yes` and `no` are built only when some scenario (or month) takes them. A condition per scenario
    (n, 1) keeps the branches lazy terms, as does one per month shared by all scenarios (1, M), a mask factor;
    one per scenario and month (n, M) picks on the grid."""
    condition = np.asarray(condition, dtype=bool)
    if condition.all() or not condition.any():
        return yes() if condition.all() else no()
    a, c = yes(), no()
    if condition.ndim == 2 and condition.shape[1] > 1 and condition.shape[0] == 1:
        ones = np.ones((context.n, 1))
        months = (Terms((Component(ones, m.astype(float)),), context) for m in (condition, ~condition))
        return sum(context.terms(x) * mask for x, mask in zip((a, c), months))
    if condition.ndim == 2 and condition.shape[1] > 1:
        return context.of_grid(np.where(condition, context.grid(a), context.grid(c)))
    if isinstance(a, Terms) or isinstance(c, Terms):
        return context.terms(a).masked(condition) + context.terms(c).masked(~condition)
    return np.where(condition, a, c)


def _elementwise(function, context: Context, *args):
    """MAX, MIN, MOD: on numbers per scenario as they are, on monthly terms over the grid. MAX(terms, x) with terms
    that cannot be negative and x ≤ 0 is the terms, kept lazy (a line's allowance of 0)."""
    if not any(isinstance(x, Terms) for x in args):
        return function(*args)
    if function is np.maximum and len(args) == 2:
        terms, floor = args if isinstance(args[0], Terms) else args[::-1]
        if not isinstance(floor, Terms) and np.all(np.asarray(floor) <= 0) and _never_negative(terms):
            return terms
    return context.of_grid(function(*(context.grid(x) for x in args)))


def _never_negative(x: "Terms") -> bool:
    return all(np.all(t.amount >= 0) and np.all(t.factor >= 0) for t in x.terms)


def _tiers(b: Batch, quantity: Terms, name: str) -> Terms:
    """Marginal tiers of a monthly quantity, priced by the schedule `name` (`inference_tier`, `egress_tier`).

    A scenario whose quantity stays within one tier over every month pays that tier's price on it plus what the tiers
    below cost, linear in the quantity: lazy terms, amount_j × quantity + (cost at start_j − start_j × price_j). Only
    the scenarios whose quantity crosses a tier's start within the months are evaluated on the grid (one (n, M) grid,
    zero in the other rows), and none when no scenario does.
    """
    key = name + "s"
    starts, prices = getattr(b, key)
    prices = prices / TIER_UNITS[key]
    (q,) = quantity.terms  # one term: the quantity, growing with the workload
    context = quantity.context
    if starts.shape[0] > 1:  # a schedule per scenario: on the grid
        return context.of_grid(tiered_cost(q.amount * q.factor, starts, prices))
    knots, cost_at_knot = schedule_knots(starts[0], prices[0])
    # per tier j (−1: below the first start, where the schedule costs its first knot's cost, as np.interp)
    slope = np.concatenate(([0.0], prices[0]))
    intercept = np.concatenate(([cost_at_knot[0]], cost_at_knot[:-1] - knots[:-1] * prices[0]))
    ends = tuple(q.amount * bound for bound in context.bounds(q.factor))
    low, high = np.minimum(*ends), np.maximum(*ends)
    tier = np.searchsorted(knots[:-1], low, side="right")  # j + 1
    crossing = (tier != np.searchsorted(knots[:-1], high, side="right")) | ~np.isfinite(low + high)
    within = np.where(crossing, 0, tier)
    terms = [Component(np.where(crossing, 0.0, slope[within] * q.amount), q.factor)]
    if np.any(intercept[within][~crossing]):
        terms.append(Component(np.where(crossing, 0.0, intercept[within]), ONE))
    if crossing.any():
        rows = crossing[:, 0]
        grid = np.zeros((context.n, context.months))
        factor = np.broadcast_to(q.factor, (context.n, context.months))[rows] if q.factor.shape[0] > 1 else q.factor
        grid[rows] = np.interp(q.amount[rows] * factor, knots, cost_at_knot)
        terms.append(Component(np.ones((context.n, 1)), grid))
    return Terms(terms, context)


_CHOICE = re.compile(r'(\w+)="(\w+)"')
_TIERS = re.compile(r"SUMPRODUCT\(\(\((.+?)\)>(\w+)_start\)\*\(\(\1\)-\2_start\)\*\2_step\)")
_FLAG_OF = {choice: flag for flag, choice in CHOICE_FLAGS.items()}
_FUNCTIONS = {"MAX(": "_max(", "MIN(": "_min(", "MOD(": "_mod("}
_ELEMENTWISE = {"max": np.maximum, "min": np.minimum, "mod": np.mod}


def python_of(excel: str) -> str:
    """A line's workbook formula as a Python expression over `Terms` and per-scenario columns (n, 1):
    `{q}` → the monthly quantity or earlier line `q_q`, `choice="value"` → its flag, `=` and `<>` → `==` and `!=`,
    IF → `_if` with lazy branches, MAX/MIN/MOD → `_max`/`_min`/`_mod`, ^ → **, the tier SUMPRODUCT of
    `excel_tiers` → `_tiers`."""
    text = _TIERS.sub(r'_tiers(\1,"\2")', excel)
    text = _CHOICE.sub(lambda m: _FLAG_OF[(m[1], m[2])], text)
    text = re.sub(r"\{(\w+)\}", r"q_\1", text)
    text = re.sub(r"(?<![<>!=])=(?!=)", "==", text.replace("<>", "!="))
    text = text.replace("^", "**")
    for excel_name, python_name in _FUNCTIONS.items():
        text = text.replace(excel_name, python_name)
    return _lazy_ifs(text)


def _lazy_ifs(text: str) -> str:
    start = text.find("IF(")
    if start < 0:
        return text
    args, depth, begin = [], 0, start + 3
    for end in range(begin, len(text)):
        if text[end] == "(":
            depth += 1
        elif text[end] == ")" and depth:
            depth -= 1
        elif text[end] in ",)" and not depth:
            args.append(_lazy_ifs(text[begin:end]))
            begin = end + 1
            if text[end] == ")":
                break
    condition, yes, no = args
    return f"{text[:start]}_if({condition},lambda:{yes},lambda:{no}){_lazy_ifs(text[end + 1 :])}"


def _names(code) -> set[str]:
    return set(code.co_names).union(*(_names(c) for c in code.co_consts if hasattr(c, "co_names")))


# The value kept at the horizon sums over earlier months (the workbook's SUMPRODUCT over ranges of rows), which a
# formula of one month does not say: `_terminal_values` builds those two lines, and LibreOffice checks them.
BUILT_BY_HAND = TERMINAL_KEYS
_FORMULAS = {
    c.key: compile(python_of(c.excel), c.key, "eval")
    for c in COMPONENTS + CARBON_COMPONENTS
    if c.key not in BUILT_BY_HAND
}
_NAMES = set().union(*map(_names, _FORMULAS.values())) - {"_if", "_tiers", "_max", "_min", "_mod"}


def _lines(namespace: dict, keys) -> dict[str, Line]:
    """The lines `keys`, in order, each from its formula; a line may use the lines before it (`{key}`)."""
    context = namespace["_context"]
    built = {}
    with np.errstate(divide="ignore", invalid="ignore"):  # branches a scenario does not take are masked
        for key in keys:
            value = context.terms(eval(_FORMULAS[key], namespace))  # the declared formulas, compiled above
            namespace[f"q_{key}"] = value
            built[key] = value.terms
    return built


def _emissions(namespace: dict, sides: tuple[str, ...] = SIDES) -> dict[str, Line]:
    """The carbon lines [kg CO₂e/month] of `sides`, built only when asked for or priced."""
    return _lines(namespace, [c.key for c in CARBON_COMPONENTS if c.side in sides])


def evaluate(b: Batch, months: int | None = None, carbon: bool = True, sides: tuple[str, ...] = SIDES) -> Costs:
    """Monthly cost of every component for the batch over `months` (default: the longest horizon): the monthly
    quantities (images, GB, devices, instances and the price-change profiles) are built here, every line from
    its declared formula, as lazy terms (no line's months are worked out until a caller sums or shows them).

    What to build is the caller's request: `carbon=False` leaves the emissions lines out of `Costs.carbon` (for
    callers that read money only; they are built only when a scenario prices carbon, for its carbon-price lines);
    `sides` the sides whose lines are built (("cloud",): the cloud's lines and quantities only, no edge fleet, for
    a search among cloud designs); `Costs.terms` of a side not asked for raises."""
    unknown = set(sides) - set(SIDES)
    if unknown or not sides:
        raise ValueError(f"sides must be some of {SIDES}, not {sides!r}")
    M = int(months or b.max_horizon)
    col = _col
    compound = Factors(M)
    growth = compound(b["workload_growth_percent_per_year"])

    # Month-0 quantities per scenario (n,)
    figures = scenario_figures(b)
    images = b["cameras"] * b["analysed_fps"] * figures["operating_s"]
    video_gb = b["cameras"] * b["bitrate_mbps"] * (1e6 / 8) * figures["operating_s"] / 1e9
    upload_gb = np.where(b["video_upload"], video_gb, images * b["image_kb"] / 1e6)

    inflation = compound(b["inflation_percent_per_year"])  # labour, licences and support
    none = Component(np.zeros((b.n, 1)), ONE)
    instances = (none, none, none)
    if "cloud" in sides and b["instances"].any():  # counts of the scenarios priced by instances, 0 for the others
        instances = tuple(t.scaled(col(b["instances"])) for t in _instances(b, figures, growth, M))
    ones = np.ones((b.n, 1))
    fleet = {}
    if "edge" in sides:
        devices, bought, added = _fleet(b, figures["per_site_devices"], growth, M)
        fleet = {
            "installed_at_inflation": (_installed_at_inflation(b, bought, inflation, devices, M),),
            "devices": (devices,),
            "devices_added": (added,),
            "devices_bought": (bought,),
            "devices_retired": (bought, Component(-added.amount, added.factor)),  # bought − added
        }
    quantities = {
        "m": (Component(ones, np.arange(M, dtype=float)[None, :]),),  # months since go-live
        "growth": (Component(ones, growth),),
        "bandwidth_change": (Component(ones, compound(b["bandwidth_price_change_percent_per_year"])),),
        "fee_change": (Component(ones, compound(b["cloud_fee_change_percent_per_year"])),),
        "electricity_change": (Component(ones, compound(b["electricity_price_change_percent_per_year"])),),
        "inflation": (Component(ones, inflation),),
        "stored_months": (Component(ones, stored_months(M, b["retention_days"])),),
        "images": (Component(col(images), growth),),
        "upload_gb": (Component(col(upload_gb), growth),),
        "result_gb": (Component(col(images * b["result_kb"] / 1e6), growth),),
        "feedback_gb": (Component(col(images * b["feedback_percent"] / 100 * b["image_kb"] / 1e6), growth),),
        **fleet,
        "instances": (instances[0],),
        "commitments_running": (instances[2],),
        "commitments_bought": (instances[1],),
    }

    context = Context(b.n, M)
    columns = {**b.columns, **figures}
    namespace = {"_context": context, "_if": partial(_if, context), "_tiers": partial(_tiers, b)}
    namespace |= {f"_{name}": partial(_elementwise, f, context) for name, f in _ELEMENTWISE.items()}
    for name in _NAMES:
        if name.startswith("q_") and name[2:] in quantities:
            namespace[name] = Terms(quantities[name[2:]], context)
        elif name in columns:
            namespace[name] = columns[name][:, None]

    priced_carbon = b["carbon_price_per_tonne"].any()
    emissions = _emissions(namespace, sides) if carbon or priced_carbon else {}
    if priced_carbon and "cloud" in sides:
        cloud_kg = [t for c in side_components("cloud", "cash", CARBON_COMPONENTS) for t in emissions[c.key]]
        namespace["q_cloud_kg"] = Terms(cloud_kg, context)
    asked = [c for c in COMPONENTS if c.side in sides]
    lines = _lines(
        namespace, [c.key for c in asked if c.key in _FORMULAS and (priced_carbon or c.bill != CARBON_PRICE)]
    )
    lines.update({c.key: () for c in asked if c.bill == CARBON_PRICE and c.key not in lines})
    bought = fleet["devices_bought"][0] if fleet else None
    upfront = lines.get("commitment_upfront", ())
    lines |= _terminal_values(b, upfront, figures["term_months"], bought, inflation, M, sides)
    return Costs(
        b.n,
        M,
        b["horizon_months"].astype(int),
        lines,
        quantities,
        emissions if carbon else {},
        discount_mid_month=b["mid_month"],
        tax_rate_percent=b["tax_rate_percent"],
    )


def _fleet(
    b: Batch, per_site_devices: np.ndarray, growth: np.ndarray, M: int
) -> tuple[Component, Component, Component]:
    """Devices in service, devices bought, and devices added to the fleet per month, as count terms.

    Auto sizing, per site (cameras spread evenly over the sites), growing with the workload:
        sites × ceil(cameras/sites × fps × growth(m) × (1 + headroom%) ÷ throughput).
    Each device is replaced `useful_life_months` after its purchase (refresh) and the retired one is
    sold for its salvage value: bought(m) = added(m) + bought(m − life).
    """
    base = np.where(b["auto_sizing"], b["sites"] * np.ceil(per_site_devices - 1e-9), b["devices_manual"])
    life = b["useful_life_months"].astype(int)
    months = np.arange(M)
    # The same test as `Factors` (a rate too small to change log1p is no growth at all).
    grows = b["auto_sizing"] & (np.log1p(b["workload_growth_percent_per_year"] / 100) > 0)
    if not grows.any():  # a fixed fleet, bought at 0, L, 2L, …
        refresh = (months % col_int(life[:1] if _uniform(life) else life) == 0).astype(float)
        first = (months == 0).astype(float)[None, :]
        return Component(_col(base), ONE), Component(_col(base), refresh), Component(_col(base), first)
    # Growing rows: growth ≥ 0 makes `needed` non-decreasing month by month.
    needed = _col(b["sites"]) * np.ceil(_col(per_site_devices) * growth - 1e-9)
    fleet = needed if grows.all() else np.where(_col(grows), needed, _col(base))
    added = np.diff(fleet, axis=1, prepend=0.0)
    ones = np.ones((b.n, 1))
    return Component(ones, fleet), Component(ones, _with_renewals(added, life)), Component(ones, added)


def _terminal_values(
    b: Batch,
    upfront: Line,
    term: np.ndarray,
    bought: Component | None,
    inflation: np.ndarray,
    M: int,
    sides: tuple[str, ...] = SIDES,
) -> dict[str, Line]:
    """{terminal_cloud, terminal_edge} of `sides`: the value still owned at the horizon H, as a negative cost in
    month H − 1 of the rows that count it (`terminal_value` = book_value): the unexpired share of each upfront
    commitment payment (cloud), and each device's book value (edge), its cost (price + installation at its purchase
    month's inflation) less straight-line depreciation down to salvage over its useful life."""
    counted = b["book_value"]
    keys = {"cloud": "terminal_cloud", "edge": "terminal_edge"}
    if not counted.any():
        return {keys[side]: () for side in sides}
    n = b.n
    horizon = col_int(b["horizon_months"])
    age = horizon - np.arange(M)[None, :]  # months from each purchase to the horizon (≤ 0: after it)
    last = (age == 1).astype(float)  # the horizon's last month
    kept = {}
    if "cloud" in sides:
        committed = _col(term) > 0
        share = np.clip(1 - age / np.where(committed, _col(term), 1), 0, 1)
        unexpired = np.where(committed & (age >= 1), share, 0.0)
        kept["terminal_cloud"] = (sum_terms(upfront, n, M) * unexpired).sum(axis=1)
    if "edge" in sides:
        life = _col(b["useful_life_months"])
        price, salvage = _col(b["device_price"]), _col(b["device_price"] * b["salvage_percent"] / 100)
        cost = price + _col(b["install_per_device"]) * inflation
        in_service = (age >= 1) & (age <= life)
        book = np.where(in_service, cost - (cost - salvage) * age / life, 0.0)
        kept["terminal_edge"] = (sum_terms([bought], n, M) * book).sum(axis=1)
    return {key: (Component(_col(-value * counted), last),) for key, value in kept.items()}


def _installed_at_inflation(b: Batch, bought: Component, inflation: np.ndarray, devices: Component, M: int):
    """Devices in service, each weighted by the inflation of the month it was bought, as a count term:
        installed_at_inflation(m) = Σ bought(s) × inflation(s) for m − useful_life_months < s ≤ m
    (each device is bought again after its life, so without inflation this is devices(m))."""
    if inflation is ONE:
        return devices
    weighted = sum_terms([bought], b.n, M) * inflation
    running = np.cumsum(weighted, axis=1)
    life = col_int(b["useful_life_months"])
    before = np.arange(M)[None, :] - life  # the running sum up to s = m − life drops out
    dropped = np.where(before >= 0, np.take_along_axis(running, np.clip(before, 0, M - 1), axis=1), 0.0)
    return Component(np.ones((b.n, 1)), running - dropped)


def _with_renewals(added: np.ndarray, life: np.ndarray) -> np.ndarray:
    """(n, M) purchases when each unit added in month m is bought again every `life` months: added(m) +
    bought(m − life). life (n,) in whole months; a life of 0 means no renewal."""
    M = added.shape[1]
    bought = added.copy()
    if _uniform(life):
        for start in range(life[0], M, life[0]) if life[0] > 0 else ():  # each cycle, not each month
            bought[:, start:] += added[:, : M - start]
    else:
        months = np.arange(M)
        for cycle in range(1, M // max(int(life[life > 0].min()), 1) + 1):
            src = months - cycle * col_int(life)
            bought += np.where(
                (src >= 0) & (col_int(life) > 0), np.take_along_axis(added, np.clip(src, 0, M - 1), axis=1), 0.0
            )
    return bought


# ── Cloud GPU instances ─────────────────────────────────────────────────────────────────────────────
COMMITMENT_MONTHS = {"one_year": 12, "three_year": 36}


def _instances(
    b: Batch, figures: dict[str, np.ndarray], growth: np.ndarray, M: int
) -> tuple[Component, Component, Component]:
    """Instances in service, commitments bought and commitments still running (bought before) per month, as
    count terms.

    Sized like edge devices but for the whole region, re-sized every month as the workload grows:
        instances(m) = max(instance_min_count, ceil(cameras × analysed_fps × growth(m) × (1 + headroom%)
                                                    ÷ instance_inferences_per_s)).
    Under a 1- or 3-year commitment a commitment cannot be handed back before its term ends, and when it ends
    only what the month needs is committed again (right-sized at renewal, not the most ever committed):
        active_before(m) = Σ bought(s) for m − term < s < m      (commitments still running)
        instances(m)     = max(needed(m), active_before(m))      bought(m) = instances(m) − active_before(m)
    With a need that never falls this is bought(m) = added(m) + bought(m − term). The recurrence runs month by
    month, every scenario at once.
    """
    needed = instances_needed(_col(figures["instance_load"]) * growth, b["instance_min_count"])
    in_service, bought, running = commitments(np.broadcast_to(needed, (b.n, M)), figures["term_months"])
    ones = np.ones((b.n, 1))
    return Component(ones, in_service), Component(ones, bought), Component(ones, running)


def instances_needed(load: np.ndarray, min_count: np.ndarray) -> np.ndarray:
    """Instances a month's load needs (n, M): max(instance_min_count, ceil(load)), load in instances' worth."""
    return np.maximum(_col(min_count), np.ceil(load - 1e-9))


def commitments(needed: np.ndarray, term_months: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(instances in service, commitments bought, commitments still running bought before), each (n, M), for the
    instances needed per month (n, M) under a commitment of term_months (n,) (0: none, in service = needed).
    Rows whose need never falls take the closed form (`_renewed`); the others the month-by-month recurrence."""
    n, M = needed.shape
    term = np.asarray(term_months).astype(int)
    committed = term > 0
    in_service, bought = needed.copy(), np.zeros((n, M))
    if committed.any():
        never_falls = committed & (needed[:, 1:] >= needed[:, :-1]).all(axis=1)
        for months in np.unique(term[never_falls]):
            rows = np.flatnonzero(never_falls & (term == months))
            bought[rows] = _renewed(needed[rows], int(months))
        rows = np.flatnonzero(committed & ~never_falls)
        if rows.size:
            in_service[rows], bought[rows] = _recurrence(needed[rows], term[rows])
    running = np.where(_col(committed), in_service - bought, 0.0)  # commitments still running, bought before
    return in_service, bought, running


def _renewed(needed: np.ndarray, term: int) -> np.ndarray:
    """Commitments bought per month (n, M) for a need that never falls, under one term: every month's need is in
    service and exactly covered by the commitments of the last `term` months, so what a month buys is what it adds
    plus what expires: bought(m) = added(m) + bought(m − term) = Σ_k added(m − k × term), added(m) = need(m) −
    need(m − 1) (need(−1) = 0). Exact: the needs are whole instances."""
    n, M = needed.shape
    bought = np.empty((n, M))
    bought[:, :1] = needed[:, :1]
    np.subtract(needed[:, 1:], needed[:, :-1], out=bought[:, 1:])  # added(m)
    for start in range(term, M, term):  # each term's months add what the term before bought
        width = min(term, M - start)
        bought[:, start : start + width] += bought[:, start - term : start - term + width]
    return bought


def _recurrence(needed: np.ndarray, term: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(in service, bought) (n, M) month by month, every row at once: for a need that may fall."""
    n, M = needed.shape
    # month-major copies: each month's step reads and writes one contiguous row
    need, at = np.ascontiguousarray(needed.T), np.arange(n)
    served, got = need.copy(), np.zeros_like(need)
    bought_so_far = np.zeros((M + 1, n))  # Σ bought(s) for s < m, per month m
    for m in range(M):
        running = bought_so_far[m] - bought_so_far[np.maximum(m - term + 1, 0), at]
        np.maximum(need[m], running, out=served[m])
        np.subtract(served[m], running, out=got[m])
        np.add(bought_so_far[m], got[m], out=bought_so_far[m + 1])
    return served.T, got.T


def instance_rates(b: Batch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(instance_rate [{cur}/instance-hour billed], upfront_per_instance [{cur} per instance committed],
    term_months) per scenario (n,), the surcharge of a managed endpoint and the negotiated discount included.

        upfront_share        = 0 (no upfront), instance_partial_upfront_percent/100 (partial), 1 (all upfront)
        instance_rate        = on demand: instance_per_hour; 1 or 3 years: instance_committed_per_hour ×
                               (1 − upfront_share); spot: instance_spot_per_hour × (1 + interruption%);
                               × (1 + endpoint surcharge%) × (1 − discount%)
        upfront_per_instance = instance_committed_per_hour × upfront_share × 730.5 × term_months × (1 + surcharge%)
                               × (1 − discount%)
    """
    term = np.where(
        b["one_year"], COMMITMENT_MONTHS["one_year"], np.where(b["three_year"], COMMITMENT_MONTHS["three_year"], 0)
    )
    committed = term > 0
    share = _upfront_share(b, term)
    spot = b["instance_spot_per_hour"] * (1 + b["instance_spot_interruption_percent"] / 100)
    hourly = np.where(
        committed, b["instance_committed_per_hour"] * (1 - share), np.where(b["spot"], spot, b["instance_per_hour"])
    )
    multiplier = (1 + b["instance_endpoint_surcharge_percent"] / 100) * (1 - b["inference_discount_percent"] / 100)
    upfront = b["instance_committed_per_hour"] * share * HOURS_PER_CALENDAR_MONTH * term
    return hourly * multiplier, upfront * multiplier, term.astype(float)


def _upfront_share(b: Batch, term: np.ndarray) -> np.ndarray:
    """The share of a commitment paid upfront (n,): 0 without a commitment (term 0) or upfront payment."""
    return (term > 0) * np.where(
        b["all_upfront"], 1.0, np.where(b["partial_upfront"], b["instance_partial_upfront_percent"] / 100, 0.0)
    )


def billed_hours(b: Batch) -> np.ndarray:
    """Instance-hours billed per instance per month (n,): every hour when always on or committed, else the
    operating hours plus the warm-up allowance of each operating day."""
    scaled = np.minimum(b["hours_per_day"] + b["instance_warmup_hours_per_day"], 24) * b["days_per_month"]
    every_hour = b["always_on"] | b["one_year"] | b["three_year"]
    return np.where(every_hour, HOURS_PER_CALENDAR_MONTH, np.minimum(scaled, HOURS_PER_CALENDAR_MONTH))


def col_int(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=int)[:, None]
