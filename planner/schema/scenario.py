"""The planning scenario: every input, declared once with its unit, bounds, default and help.

`FIELDS` is the single source of truth. The pydantic model `Scenario`, the app's widgets, the CLI's
`--set`, the CSV headers and the docs' input table are all generated from it.

Conventions: money is in the scenario's currency (`currency`); the bundled catalogs are in USD and reach
the scenario at `fx_rate` units of its currency per USD (`planner.catalogs.currency` converts); GB and KB are
decimal (10^9 and 10^3 bytes); a month is one of the horizon's months, counted from go-live at t = 0.
"""

from __future__ import annotations

import base64
import binascii
import csv
import functools
import json
import math
import re
import reprlib
import zlib
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
)

SCHEMA_VERSION = 1
MAX_TIERS = 10
MAX_SCENARIO_BYTES = 100_000  # a scenario file is a few KB; anything larger is refused unread
MAX_SHARE_LINK_CHARS = 8_000
MAX_JSON_DEPTH = 8  # a scenario is 3 deep (object → tier list → tier); deeper is refused unparsed
MAX_NUMBER_DIGITS = 40  # longer integers are kept as a marker, so the message can name their field


class ScenarioError(ValueError):
    """Bad scenario input. `str(err)` is a message for a person: it names field, value and range."""


@dataclass(frozen=True)
class NumberField:
    """A numeric input. `unit` may contain `{cur}`, replaced by the scenario's currency label."""

    name: str
    group: str
    label: str
    unit: str
    default: float
    min: float
    max: float
    step: float
    help: str
    integer: bool = False

    def unit_for(self, currency: str = "USD") -> str:
        return self.unit.replace("{cur}", currency)

    def header(self, currency: str = "USD") -> str:
        """Column header for exports: `label [unit]`."""
        return f"{self.label} [{self.unit_for(currency)}]"


@dataclass(frozen=True)
class ChoiceField:
    """An input with a fixed set of options; `options` maps the stored value to its display text."""

    name: str
    group: str
    label: str
    options: dict[str, str]
    default: str
    help: str

    def header(self, currency: str = "USD") -> str:
        return self.label


@dataclass(frozen=True)
class TextField:
    name: str
    group: str
    label: str
    default: str
    max_length: int
    help: str
    pattern: str | None = None  # a regular expression the whole text must match

    def header(self, currency: str = "USD") -> str:
        return self.label


GROUPS = ("Workload", "Cloud", "Edge", "Finance", "Carbon")
REGIONS_CSV = Path(__file__).resolve().parents[2] / "data" / "cloud_regions.csv"
CONNECTIVITY_CSV = REGIONS_CSV.with_name("connectivity.csv")
NO_REGION = "custom"
NO_LINK_CLASS = "custom"


def _region_options() -> dict[str, str]:
    """{region id: 'AWS · Europe (Ireland)'} from the region catalog's id and name columns (planner.catalogs.catalog
    validates the rest of the file): a region id from a link or a file must be one of these."""
    options = {NO_REGION: "No region: prices as entered"}
    try:
        with REGIONS_CSV.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                options[row["region"]] = f"{row['provider'].upper()} · {row['name']} ({row['region']})"
    except (OSError, KeyError, UnicodeDecodeError):
        pass  # planner.catalogs.catalog.load reports the broken file by name
    return options


def _link_class_options() -> dict[str, str]:
    """{class id: name} from the connectivity catalog's id and name columns (planner.catalogs.catalog validates
    the rest of the file), after the custom entry: a link class from a link or a file must be one of these."""
    options = {NO_LINK_CLASS: "Custom: the figures as entered, the advisor's uplink answer"}
    try:
        with CONNECTIVITY_CSV.open(newline="", encoding="utf-8") as fh:
            options |= {row["id"]: row["name"] for row in csv.DictReader(fh)}
    except (OSError, KeyError, UnicodeDecodeError):
        pass  # planner.catalogs.catalog.load reports the broken file by name
    return options


N, C, T = NumberField, ChoiceField, TextField
FIELDS: tuple[NumberField | ChoiceField | TextField, ...] = (
    # ── Workload ────────────────────────────────────────────────────────────────────────────────
    N(
        "cameras",
        "Workload",
        "Cameras",
        "cameras",
        50,
        0,
        100_000,
        1,
        "Number of camera streams analysed.",
        integer=True,
    ),
    N(
        "hours_per_day",
        "Workload",
        "Operating hours",
        "h/day",
        12,
        0,
        24,
        0.5,
        "Hours per day the cameras are analysed.",
    ),
    N("days_per_month", "Workload", "Operating days", "days/month", 30, 0, 31, 1, "Days per month the site operates."),
    N(
        "bitrate_mbps",
        "Workload",
        "Stream bitrate",
        "Mbps",
        4,
        0,
        200,
        0.5,
        "Video bitrate per camera (1080p H.264 is typically 2–4 Mbps; H.265 about half).",
    ),
    N(
        "analysed_fps",
        "Workload",
        "Analysed frames",
        "frames/s per camera",
        0.4,
        0,
        60,
        0.1,
        "Frames per second per camera that go through the model.",
    ),
    N(
        "image_kb",
        "Workload",
        "Image size",
        "KB per frame",
        150,
        1,
        20_000,
        10,
        "Average size of one frame sent for inference (JPEG 1080p is ~100–300 KB).",
    ),
    N(
        "result_kb",
        "Workload",
        "Result size",
        "KB per inference",
        1,
        0,
        1_000,
        0.5,
        "Size of one inference result returned to the site (labels, boxes as JSON).",
    ),
    N(
        "workload_growth_percent_per_year",
        "Workload",
        "Workload growth",
        "%/year",
        0,
        -50,
        500,
        5,
        "Yearly growth of cameras and traffic, compounded monthly.",
    ),
    # ── Cloud ───────────────────────────────────────────────────────────────────────────────────
    C(
        "cloud_region",
        "Cloud",
        "Cloud region",
        _region_options(),
        NO_REGION,
        "Catalog region whose prices fill the cloud inputs (data/cloud_regions.csv); the figures are what count.",
    ),
    T(
        "site_location",
        "Cloud",
        "Site location (latitude, longitude)",
        "",
        40,
        "Where the site is, for its distance to the cloud region in the advisor's latency budget: empty, or latitude "
        "and longitude in decimal degrees such as 48.14, 11.58.",
        pattern=r"^(|-?[0-9]{1,2}(\.[0-9]+)?, ?-?[0-9]{1,3}(\.[0-9]+)?)$",
    ),
    T(
        "cloud_provider",
        "Cloud",
        "Cloud price source",
        "custom",
        60,
        "Catalog schedule the cloud prices came from (a label; the numbers below are what count).",
    ),
    C(
        "cloud_upload",
        "Cloud",
        "What the site uploads",
        {"video": "Full video streams", "frames": "Analysed frames only"},
        "video",
        "Stream every camera's video to the cloud, or send only the frames to analyse.",
    ),
    N(
        "uplink_per_gb",
        "Cloud",
        "Site uplink bill (ISP / 5G / satellite)",
        "{cur}/GB",
        0.01,
        0,
        100,
        0.01,
        "What the site's own connection charges per GB sent up: the 'egress tax'. Fibre ≈ 0, metered 5G ≈ 1–10, "
        "satellite more.",
    ),
    N(
        "ingest_per_gb",
        "Cloud",
        "Cloud ingest fee",
        "{cur}/GB",
        0.0085,
        0,
        10,
        0.001,
        "Cloud-side fee per GB received, e.g. video-stream ingestion. Plain uploads into AWS/Azure/GCP are free.",
    ),
    C(
        "inference_pricing",
        "Cloud",
        "Inference pricing",
        {
            "per_image": "Per-image API (tiered)",
            "serverless": "Serverless compute",
            "instances": "GPU instances (provisioned)",
        },
        "per_image",
        "A managed vision API billed per image, your own model on serverless compute, or your own model on GPU "
        "instances (VMs or a managed endpoint) sized for the peak and billed by the hour.",
    ),
    N(
        "inference_discount_percent",
        "Cloud",
        "Negotiated inference discount",
        "%",
        0,
        0,
        99,
        1,
        "Discount off the list per-image, serverless or instance prices (enterprise agreement).",
    ),
    N(
        "serverless_per_gb_second",
        "Cloud",
        "Serverless compute price",
        "{cur}/GB-s",
        0.0000166667,
        0,
        0.01,
        0.000001,
        "Price per GB-second of serverless compute (AWS Lambda x86: 0.0000166667).",
    ),
    N(
        "serverless_memory_gb",
        "Cloud",
        "Serverless memory",
        "GB",
        2,
        0.125,
        32,
        0.125,
        "Memory allocated to each serverless inference.",
    ),
    N(
        "serverless_ms_per_inference",
        "Cloud",
        "Serverless duration",
        "ms/inference",
        200,
        1,
        60_000,
        10,
        "Billed duration of one inference.",
    ),
    N(
        "serverless_per_million_requests",
        "Cloud",
        "Serverless request fee",
        "{cur}/million requests",
        0.2,
        0,
        100,
        0.05,
        "Per-request fee of the serverless platform.",
    ),
    N(
        "instance_inferences_per_s",
        "Cloud",
        "Instance throughput",
        "inferences/s per instance",
        400,
        0.1,
        1_000_000,
        10,
        "Inferences per second one instance sustains on your model, end to end (catalog figures are derated "
        "benchmarks: measure your own).",
    ),
    N(
        "instance_headroom_percent",
        "Cloud",
        "Instance headroom",
        "%",
        30,
        0,
        500,
        5,
        "Spare capacity when sizing: instances = max(minimum, ceil(cameras × frames/s × growth × (1 + headroom) "
        "÷ throughput)), re-sized as the workload grows.",
    ),
    N(
        "instance_min_count",
        "Cloud",
        "Minimum instances",
        "instances",
        2,
        0,
        10_000,
        1,
        "Instances kept for availability whatever the load (e.g. 2 across availability zones).",
        integer=True,
    ),
    N(
        "instance_per_hour",
        "Cloud",
        "Instance price, on demand",
        "{cur}/instance-hour",
        0.526,
        0,
        1_000,
        0.001,
        "On-demand price of one instance-hour as a plain VM (AWS g4dn.xlarge, us-east-1: 0.526).",
    ),
    C(
        "instance_billing",
        "Cloud",
        "Instance hours billed",
        {"always_on": "Always on (730.5 h/month)", "scale_to_zero": "Scaled to zero outside operating hours"},
        "always_on",
        "Always on, or only the operating hours plus a warm-up allowance (an endpoint scaled to zero "
        "at night). A 1- or 3-year commitment is billed every hour of its term either way.",
    ),
    N(
        "instance_warmup_hours_per_day",
        "Cloud",
        "Warm-up allowance",
        "h/day",
        0.5,
        0,
        24,
        0.25,
        "Hours per operating day an endpoint scaled to zero runs before the cameras start (start-up, model load).",
    ),
    C(
        "instance_commitment",
        "Cloud",
        "Instance commitment",
        {
            "on_demand": "On demand",
            "one_year": "1-year commitment",
            "three_year": "3-year commitment",
            "spot": "Spot / preemptible",
        },
        "on_demand",
        "Pay by the hour, commit to 1 or 3 years (reserved instances, savings plans, committed-use discounts) "
        "for a lower rate, or run on spot capacity that can be reclaimed.",
    ),
    C(
        "instance_upfront",
        "Cloud",
        "Commitment payment",
        {"none": "No upfront", "partial": "Partial upfront", "all": "All upfront"},
        "none",
        "How a 1- or 3-year commitment is paid: monthly, part upfront, or all upfront (a lump in the cash view, "
        "spread over the term in the accounting view).",
    ),
    N(
        "instance_committed_per_hour",
        "Cloud",
        "Committed rate",
        "{cur}/instance-hour",
        0.331,
        0,
        1_000,
        0.001,
        "Effective price of one instance-hour under the chosen commitment, upfront included (upfront ÷ term hours "
        "+ hourly fee).",
    ),
    N(
        "instance_partial_upfront_percent",
        "Cloud",
        "Partial upfront share",
        "% of the term's cost",
        50,
        0,
        100,
        5,
        "Share of a partial-upfront commitment paid at its start (AWS partial upfront ≈ half).",
    ),
    N(
        "instance_spot_per_hour",
        "Cloud",
        "Spot price",
        "{cur}/instance-hour",
        0.21,
        0,
        1_000,
        0.001,
        "Average spot or preemptible price of one instance-hour.",
    ),
    N(
        "instance_spot_interruption_percent",
        "Cloud",
        "Spot interruption allowance",
        "% extra instance-hours",
        10,
        0,
        500,
        5,
        "Extra instance-hours bought to ride out interruptions (replacements starting, work redone).",
    ),
    N(
        "instance_endpoint_surcharge_percent",
        "Cloud",
        "Managed-endpoint surcharge",
        "%",
        0,
        0,
        500,
        5,
        "Extra over the plain VM rate for a managed endpoint (SageMaker, Vertex AI); 0 for your own VMs.",
    ),
    N(
        "storage_per_gb_month",
        "Cloud",
        "Cloud storage",
        "{cur}/GB-month",
        0.023,
        0,
        10,
        0.001,
        "Object storage price for uploaded video or frames.",
    ),
    N(
        "retention_days",
        "Cloud",
        "Retention",
        "days",
        30,
        0,
        3_650,
        1,
        "How long uploaded data is kept in cloud storage (also applies to feedback frames).",
    ),
    # ── Edge ────────────────────────────────────────────────────────────────────────────────────
    T(
        "device_id",
        "Edge",
        "Edge device",
        "custom",
        60,
        "Catalog device the figures below came from (a label; the numbers below are what count).",
    ),
    N(
        "device_price",
        "Edge",
        "Device price",
        "{cur}/device",
        2_000,
        0,
        1_000_000,
        50,
        "Purchase price of one edge device.",
    ),
    N("device_watts", "Edge", "Device power", "W", 300, 0, 10_000, 5, "Power draw of one device under inference load."),
    N(
        "device_throughput_ips",
        "Edge",
        "Device throughput",
        "inferences/s",
        100,
        0.1,
        100_000,
        1,
        "Inferences per second one device sustains on your model, end to end (catalog figures are model-only "
        "benchmarks: derate them).",
    ),
    C(
        "device_sizing",
        "Edge",
        "Device count",
        {"auto": "Sized from the workload", "manual": "Set by hand"},
        "auto",
        "Auto: per site, ceil(cameras/site × frames/s × (1 + headroom) ÷ throughput), re-sized as the workload grows.",
    ),
    N(
        "devices_manual",
        "Edge",
        "Devices (manual)",
        "devices",
        5,
        0,
        100_000,
        1,
        "Number of devices when the count is set by hand.",
        integer=True,
    ),
    N(
        "sizing_headroom_percent",
        "Edge",
        "Sizing headroom",
        "%",
        30,
        0,
        500,
        5,
        "Spare capacity added when sizing automatically.",
    ),
    N(
        "install_per_device",
        "Edge",
        "Installation",
        "{cur}/device",
        150,
        0,
        100_000,
        50,
        "Labour and mounting per device, paid with each purchase.",
    ),
    N(
        "useful_life_months",
        "Edge",
        "Useful life",
        "months",
        48,
        6,
        180,
        6,
        "Months before a device is replaced (refresh) and the straight-line depreciation period.",
        integer=True,
    ),
    N(
        "salvage_percent",
        "Edge",
        "Salvage value",
        "% of price",
        10,
        0,
        100,
        5,
        "Resale value of a device at the end of its life, as a share of its price.",
    ),
    C(
        "management_basis",
        "Edge",
        "Management fee basis",
        {"per_site": "Per site", "per_device": "Per device"},
        "per_site",
        "Whether the management software is billed per site or per device.",
    ),
    N(
        "management_per_month",
        "Edge",
        "Management software",
        "{cur}/month per site or device",
        500,
        0,
        1_000_000,
        10,
        "Fleet management / orchestration fee (e.g. Nutanix, VMware Edge, Arc, Greengrass).",
    ),
    N(
        "sites",
        "Edge",
        "Sites",
        "sites",
        1,
        1,
        100_000,
        1,
        "Number of sites the cameras are spread over (for a per-site fee).",
        integer=True,
    ),
    N(
        "electricity_per_kwh",
        "Edge",
        "Electricity price",
        "{cur}/kWh",
        0.13,
        0,
        5,
        0.01,
        "Price of electricity at the site (US commercial average ≈ 0.13).",
    ),
    N(
        "pue",
        "Edge",
        "Cooling overhead (PUE)",
        "×",
        1.2,
        1,
        3,
        0.05,
        "Total site power per watt of IT load (1.0 = no cooling overhead).",
    ),
    N(
        "idle_power_percent",
        "Edge",
        "Idle power",
        "% of rated",
        30,
        0,
        100,
        5,
        "Device draw outside operating hours, as a share of its load power.",
    ),
    N(
        "failure_percent_per_year",
        "Edge",
        "Failure rate",
        "%/year",
        3,
        0,
        100,
        1,
        "Share of devices replaced each year because they fail (price + installation).",
    ),
    N(
        "feedback_percent",
        "Edge",
        "Feedback uploads",
        "% of frames",
        1,
        0,
        100,
        0.5,
        "Low-confidence frames uploaded to the cloud for retraining (split-brain feedback loop).",
    ),
    # ── Cost lines of a real deployment: edge spares, support, labour, licences; cloud storage requests ──────────
    # (typical figures with their sources: data/cost_lines.csv)
    N(
        "spares_percent",
        "Edge",
        "Spares pool",
        "% of devices",
        0,
        0,
        100,
        1,
        "Devices bought extra as spares, as a share of the fleet: bought, refreshed and sold for salvage with it, "
        "their embodied emissions counted with the devices'. 0 keeps no pool (a failed device is bought when it "
        "fails); a pool that covers a year of failures is the failure rate (3 % at its default).",
    ),
    N(
        "hardware_support_per_device_year",
        "Edge",
        "Hardware support / warranty",
        "{cur}/device-year",
        0,
        0,
        100_000,
        10,
        "Vendor support or extended warranty per device in service per year (next-business-day parts, on-site "
        "service). 0: the purchase price's warranty covers the horizon; server support contracts are often "
        "10–15 % of the price a year (an estimate).",
    ),
    N(
        "install_per_site",
        "Edge",
        "Installation visit",
        "{cur}/site visit",
        0,
        0,
        1_000_000,
        50,
        "Labour of a technician's visit to each site to install the fleet (travel, survey, network, "
        "commissioning), at go-live and again at each refresh; Installation above is the per-device part. 0: "
        "installed by site staff; a truck roll is commonly quoted at 150–1,000 (an estimate).",
    ),
    N(
        "truck_roll_per_visit",
        "Edge",
        "Failure call-out",
        "{cur}/visit",
        0,
        0,
        100_000,
        10,
        "Labour of the visit that replaces a failed device (a truck roll), besides the device and its "
        "installation: one visit per failure. 0: site staff swap devices; a truck roll is commonly quoted at "
        "150–1,000 (an estimate).",
    ),
    N(
        "licence_per_device_year",
        "Edge",
        "Software licence per device",
        "{cur}/device-year",
        0,
        0,
        1_000_000,
        10,
        "Software subscriptions billed per device in service (video-management, operating system, runtime). 0: "
        "open-source software only.",
    ),
    N(
        "licence_per_gpu_year",
        "Edge",
        "Software licence per GPU",
        "{cur}/GPU-year",
        0,
        0,
        1_000_000,
        10,
        "Software subscriptions billed per GPU, e.g. NVIDIA AI Enterprise for servers with data-centre GPUs "
        "(4,500 per GPU per year). 0: devices that need no such licence (Jetson, Coral, Hailo).",
    ),
    N(
        "gpus_per_device",
        "Edge",
        "GPUs per device",
        "GPUs/device",
        1,
        0,
        64,
        1,
        "GPUs in each device that a per-GPU licence counts.",
        integer=True,
    ),
    C(
        "cloud_support_plan",
        "Cloud",
        "Cloud support plan",
        {
            "none": "None (basic support)",
            "business": "Business: 10 % of the bill to 10k USD, 7 % to 80k, 5 % to 250k, 3 % above; at least 100 USD",
            "enterprise": "Enterprise: 10 % to 150k USD, 7 % to 500k, 5 % to 1M, 3 % above; at least 15,000 USD",
        },
        "none",
        "A paid support plan, billed each month as a share of the month's cloud bill (ingest, inference, "
        "commitments, egress, storage and requests) by tiers with a minimum: AWS's published Business and "
        "Enterprise schedules (thresholds in USD, converted at the exchange rate). Production workloads usually "
        "carry one; none leaves it out.",
    ),
    N(
        "retraining_gpu_hours_per_month",
        "Edge",
        "Retraining compute",
        "GPU-hours/month",
        0,
        0,
        100_000,
        1,
        "GPU-hours a month spent retraining your own model on the feedback frames, on the edge and in cloud designs "
        "that run your own model (serverless, instances); a managed per-image API needs none. 0: the model is not "
        "retrained.",
    ),
    N(
        "retraining_per_gpu_hour",
        "Edge",
        "Retraining GPU price",
        "{cur}/GPU-hour",
        0,
        0,
        1_000,
        0.01,
        "Price of one GPU-hour of training (an on-demand cloud GPU: AWS g5.xlarge 1.006).",
    ),
    N(
        "labelling_per_image",
        "Edge",
        "Labelling price",
        "{cur}/labelled image",
        0,
        0,
        100,
        0.001,
        "Price of labelling one image (bounding boxes by a labelling service or your staff), for your own model on "
        "the edge and in the cloud's serverless and instance designs. 0: no labelling.",
    ),
    N(
        "labelled_percent",
        "Edge",
        "Feedback frames labelled",
        "% of feedback frames",
        100,
        0,
        100,
        5,
        "Share of the feedback frames (the low-confidence share of frames) that are labelled for retraining.",
    ),
    N(
        "load_balancer_per_hour",
        "Cloud",
        "Load balancer",
        "{cur}/hour",
        0,
        0,
        100,
        0.001,
        "Hourly fee of the load balancer a streaming ingest sits behind, every hour of the month (AWS Application "
        "Load Balancer: 0.0225). 0: the site uploads straight to a managed ingest service.",
    ),
    N(
        "load_balancer_per_gb",
        "Cloud",
        "Load balancer data",
        "{cur}/GB",
        0,
        0,
        10,
        0.001,
        "Fee per GB of upload the load balancer processes (ALB: 0.008 per LCU-hour, one LCU carrying 1 GB an hour "
        "to instance targets: 0.008/GB).",
    ),
    N(
        "nat_gateway_per_hour",
        "Cloud",
        "NAT gateway",
        "{cur}/hour",
        0,
        0,
        100,
        0.001,
        "Hourly fee of the NAT gateway through which workers in private subnets read the stream (AWS: 0.045). 0: "
        "no NAT gateway (public subnets or VPC endpoints).",
    ),
    N(
        "nat_gateway_per_gb",
        "Cloud",
        "NAT gateway data",
        "{cur}/GB",
        0,
        0,
        10,
        0.001,
        "Fee per GB of upload processed by the NAT gateway (AWS: 0.045).",
    ),
    N(
        "logging_per_gb",
        "Cloud",
        "Log ingestion",
        "{cur}/GB of logs",
        0,
        0,
        10,
        0.01,
        "Fee per GB of logs ingested by the cloud's logging service (Amazon CloudWatch Logs standard: 0.50). 0: "
        "logs kept elsewhere.",
    ),
    N(
        "log_kb_per_inference",
        "Cloud",
        "Log volume",
        "KB/inference",
        0.5,
        0,
        1_000,
        0.1,
        "Log written per inference (a JSON line with its result and timings is about 0.5 KB).",
    ),
    N(
        "storage_put_per_1000",
        "Cloud",
        "Storage PUT requests",
        "{cur}/1,000 requests",
        0,
        0,
        10,
        0.0001,
        "Object-storage fee per 1,000 PUT requests: one per uploaded frame or video segment, and per feedback frame "
        "(S3 Standard: 0.005). 0: uploads go to a video-ingest service billed per GB (Kinesis Video Streams), "
        "as the presets' do.",
    ),
    N(
        "storage_get_per_1000",
        "Cloud",
        "Storage GET requests",
        "{cur}/1,000 requests",
        0,
        0,
        10,
        0.0001,
        "Object-storage fee per 1,000 GET requests, for what is read back (S3 Standard: 0.0004).",
    ),
    N(
        "storage_reads_per_object",
        "Cloud",
        "Reads per stored object",
        "GET requests/object",
        1,
        0,
        1_000,
        0.5,
        "GET requests per uploaded object: 1 when each frame or segment is read once for inference or labelling.",
    ),
    N(
        "video_segment_s",
        "Cloud",
        "Video segment length",
        "s/object",
        10,
        1,
        3_600,
        1,
        "Seconds of a camera's video written as one stored object (one PUT): HLS segments are commonly 2–10 s.",
    ),
    # ── Finance ─────────────────────────────────────────────────────────────────────────────────
    N(
        "horizon_months",
        "Finance",
        "Horizon",
        "months",
        36,
        1,
        240,
        1,
        "Months from go-live that the comparison covers.",
        integer=True,
    ),
    N(
        "discount_percent_per_year",
        "Finance",
        "Discount rate",
        "%/year",
        8,
        0,
        100,
        0.5,
        "Annual rate used to discount savings for NPV.",
    ),
    C(
        "discount_timing",
        "Finance",
        "Discount timing",
        {"end_of_month": "End of month", "mid_month": "Mid-month"},
        "end_of_month",
        "When a month's running costs and savings are discounted for NPV and the discounted payback: at the end of "
        "their month, or at its middle (they accrue through it). Capex is discounted at the start of its month; the "
        "monthly rate is (1 + annual rate)^(1/12) − 1 (an annual effective rate).",
    ),
    N(
        "bandwidth_price_change_percent_per_year",
        "Finance",
        "Bandwidth price change",
        "%/year",
        0,
        -50,
        100,
        1,
        "Yearly change of uplink, ingest and egress prices.",
    ),
    N(
        "cloud_fee_change_percent_per_year",
        "Finance",
        "Cloud fee change",
        "%/year",
        0,
        -50,
        100,
        1,
        "Yearly change of inference and storage prices.",
    ),
    N(
        "electricity_price_change_percent_per_year",
        "Finance",
        "Electricity price change",
        "%/year",
        0,
        -50,
        100,
        1,
        "Yearly change of the electricity price.",
    ),
    # ── Finance over time and at the horizon: inflation, terminal value, tax; the site's link (issue 25) ────
    N(
        "inflation_percent_per_year",
        "Finance",
        "Inflation (labour, licences, support)",
        "%/year",
        0,
        -20,
        100,
        0.5,
        "Yearly general inflation of labour, licence and support prices (installation, failure call-outs, "
        "management software), compounded monthly: (1 + rate)^(m/12). 0 keeps today's prices, as the other "
        "price changes do by default; 2–3 is a central-bank target.",
    ),
    C(
        "terminal_value",
        "Finance",
        "Value kept at the horizon",
        {"none": "None", "book_value": "Book value"},
        "none",
        "What is still owned when the horizon ends counts back in its last month (cash view, and so in the "
        "break-even, NPV and IRR): the edge devices' book value (straight line over their useful life, down to "
        "salvage) and the unexpired part of a cloud commitment paid upfront. None: the comparison stops at the "
        "horizon, as a budget does.",
    ),
    N(
        "tax_rate_percent",
        "Finance",
        "Corporate tax rate",
        "%",
        0,
        0,
        90,
        0.5,
        "Above 0, an after-tax NPV and IRR are given beside the pre-tax ones: running costs are deductible as paid, "
        "edge capex through its straight-line depreciation over the useful life (a tax shield), an upfront "
        "commitment over its term. 0 (the default) leaves tax out, as the figures before tax are what compares "
        "the options; e.g. 21 US federal, 25 UK main rate.",
    ),
    C(
        "link_class",
        "Cloud",
        "Site link class",
        _link_class_options(),
        NO_LINK_CLASS,
        "The site's connectivity class (data/connectivity.csv): its upload capacity is the uplink a cloud design's "
        "upload must fit in, and picking it fills the line's rental, its included data and the per-GB bill above it "
        "with the class's business tariff (the figures are what count). Custom: the figures as entered, and the "
        "advisor's uplink answer (100 Mbps by default) as the capacity.",
    ),
    N(
        "link_per_month",
        "Cloud",
        "Site line rental",
        "{cur}/month per site",
        0,
        0,
        1_000_000,
        5,
        "Monthly rental of the site's internet line (data/connectivity.csv: business fibre 225, cable 150, metered "
        "5G 60, satellite 65 USD). Both sides pay it (the edge for its feedback and management traffic), so it moves "
        "each TCO but no saving; 0 leaves it out.",
    ),
    N(
        "link_allowance_gb",
        "Cloud",
        "Data included in the line",
        "GB/month per site",
        0,
        0,
        1_000_000,
        10,
        "Data the site line's rental includes each month (metered 5G, satellite: 50 GB in data/connectivity.csv); "
        "each side's uploads above it are billed at the site uplink bill per GB. 0: every GB is billed, as the "
        "uplink bill alone does (fibre and cable have no cap: set that bill to 0).",
    ),
    N(
        "link_upgrade_install",
        "Cloud",
        "Link upgrade installation",
        "{cur}/site",
        0,
        0,
        1_000_000,
        50,
        "One-off installation of the link the cloud design buys when its upload needs more than the site's line "
        "(a cloud-side cost, in its first month). The cheapest cloud design fills it with the next link class of "
        "data/connectivity.csv that carries the upload; 0: the site's line carries it.",
    ),
    N(
        "link_upgrade_per_month",
        "Cloud",
        "Link upgrade rental",
        "{cur}/month per site",
        0,
        0,
        1_000_000,
        5,
        "Monthly rental of that link, paid by the cloud side beside the site's line (filled with the upgrade "
        "installation); 0: no upgrade.",
    ),
    N(
        "link_upgrade_allowance_gb",
        "Cloud",
        "Data included in the upgrade",
        "GB/month per site",
        0,
        0,
        1_000_000,
        10,
        "Data the upgraded link's rental includes each month (filled with the upgrade from data/connectivity.csv: "
        "metered 5G 50 GB, fibre and cable no cap: 0). While the cloud design buys an upgrade (its installation or "
        "rental above 0), the cloud's upload goes over it: billed above this allowance at the upgrade's per-GB "
        "price, not the site line's.",
    ),
    N(
        "link_upgrade_per_gb",
        "Cloud",
        "Upgrade data price",
        "{cur}/GB",
        0,
        0,
        100,
        0.01,
        "What the upgraded link charges per GB above its allowance (filled with the upgrade: metered 5G 15, fibre "
        "and cable 0); used only while the cloud design buys an upgrade.",
    ),
    T(
        "currency",
        "Finance",
        "Currency",
        "USD",
        8,
        "Currency of every money figure: a code such as USD or EUR "
        "(converted at the exchange rate below), or any label of letters or one currency sign.",
        pattern=r"^([A-Za-z]{1,8}|[€$£¥₹])$",
    ),
    N(
        "fx_rate",
        "Finance",
        "Exchange rate",
        "{cur} per USD",
        1.0,
        0.000001,
        1_000_000,
        0.0001,
        "Units of the scenario's currency per US dollar: the rate the USD catalog prices are converted at "
        "(1 for USD). Changing it re-converts every money input.",
    ),
    T(
        "fx_rate_date",
        "Finance",
        "Exchange rate date",
        "",
        10,
        "Date of the exchange rate: empty for a rate set by hand, or the reference rate's date such as 2025-10-21.",
        pattern=r"^(\d{4}-\d{2}-\d{2})?$",
    ),
    # ── Carbon (defaults and sources: data/carbon.csv) ──────────────────────────────────────────────
    N(
        "grid_kgco2e_per_kwh",
        "Carbon",
        "Site grid intensity",
        "kg CO₂e/kWh",
        0.4808,
        0,
        2,
        0.01,
        "Emissions of the site's electricity, location-based, lifecycle basis (world average 2023: 0.481; "
        "France ≈ 0.06, India ≈ 0.71).",
    ),
    N(
        "cloud_grid_kgco2e_per_kwh",
        "Carbon",
        "Cloud region grid intensity",
        "kg CO₂e/kWh",
        0.379069,
        0,
        2,
        0.01,
        "Emissions of the cloud region's electricity (AWS us-east-1: 0.379, as the Cloud Carbon Footprint project "
        "lists it).",
    ),
    N(
        "cloud_pue",
        "Carbon",
        "Cloud data-centre PUE",
        "×",
        1.135,
        1,
        3,
        0.005,
        "Total data-centre power per watt of IT load (AWS 1.135, GCP 1.1, Azure 1.185 in Cloud Carbon Footprint).",
    ),
    N(
        "cloud_accelerator_watts",
        "Carbon",
        "Cloud accelerator power",
        "W",
        71,
        0,
        2_000,
        1,
        "Power of one cloud accelerator while it serves inferences (NVIDIA T4 at full load: 71 W).",
    ),
    N(
        "cloud_accelerator_s_per_inference",
        "Carbon",
        "Cloud accelerator time",
        "s/inference",
        0.005,
        0,
        60,
        0.001,
        "Accelerator-seconds one cloud inference occupies, its share of idle time included (an estimate: 0.005 s "
        "is 200 inferences/s per accelerator), for per-image and serverless pricing; GPU instances use their own "
        "throughput and billed hours instead.",
    ),
    N(
        "cloud_accelerator_idle_percent",
        "Carbon",
        "Cloud accelerator idle power",
        "% of rated",
        15,
        0,
        100,
        1,
        "Draw of a billed GPU instance's accelerator while it has no inference to serve (always on, a minimum count, "
        "a commitment), as a share of its power while serving (an estimate: an NVIDIA T4 idles near 10 W of 70 W).",
    ),
    N(
        "cloud_embodied_kgco2e_per_accelerator_hour",
        "Carbon",
        "Cloud hardware embodied share",
        "kg CO₂e/accelerator-hour",
        0.00785,
        0,
        1,
        0.0001,
        "Manufacturing emissions of the cloud server per accelerator-hour used: server total ÷ accelerators ÷ "
        "hours of its life (an 8-GPU server of 2,200 kg over 4 years: 0.00785).",
    ),
    N(
        "network_kwh_per_gb",
        "Carbon",
        "Network energy",
        "kWh/GB",
        0.001,
        0,
        1,
        0.001,
        "Electricity per GB moved over the network, for uploads to the cloud (0.001: Cloud Carbon Footprint; "
        "end-to-end internet estimates reach 0.06).",
    ),
    N(
        "device_embodied_kgco2e",
        "Carbon",
        "Device embodied emissions",
        "kg CO₂e/device",
        1_150,
        0,
        100_000,
        10,
        "Manufacturing emissions of one edge device, counted when it is bought (cash view) or spread over its "
        "useful life (accounting view); failure replacements add theirs.",
    ),
    N(
        "carbon_price_per_tonne",
        "Carbon",
        "Internal carbon price",
        "{cur} per tonne",
        0,
        0,
        10_000,
        5,
        "Money per tonne of CO₂e. Above 0, each side's emissions become a cost component (tonnes × price); 0 leaves "
        "every money figure as it is.",
    ),
)
del N, C, T

FIELD_BY_NAME = {f.name: f for f in FIELDS}

# Inputs that only matter for one option of a choice (the app greys them out otherwise).
RELEVANT_WHEN = {
    "bitrate_mbps": ("cloud_upload", "video"),
    "video_segment_s": ("cloud_upload", "video"),
    "serverless_per_gb_second": ("inference_pricing", "serverless"),
    "serverless_memory_gb": ("inference_pricing", "serverless"),
    "serverless_ms_per_inference": ("inference_pricing", "serverless"),
    "serverless_per_million_requests": ("inference_pricing", "serverless"),
    "inference_tiers": ("inference_pricing", "per_image"),
    **{
        name: ("inference_pricing", "instances")
        for name in (
            "instance_inferences_per_s",
            "instance_headroom_percent",
            "instance_min_count",
            "instance_per_hour",
            "instance_billing",
            "instance_warmup_hours_per_day",
            "instance_commitment",
            "instance_upfront",
            "instance_committed_per_hour",
            "instance_partial_upfront_percent",
            "instance_spot_per_hour",
            "instance_spot_interruption_percent",
            "instance_endpoint_surcharge_percent",
            "cloud_accelerator_idle_percent",
        )
    },
    "device_throughput_ips": ("device_sizing", "auto"),
    "sizing_headroom_percent": ("device_sizing", "auto"),
    "devices_manual": ("device_sizing", "manual"),
}
VIEWS = ("cash", "accounting")  # how money is presented: cash as paid, or capex spread over its life
NUMBER_FIELDS = tuple(f for f in FIELDS if isinstance(f, NumberField))


# Inputs of the GPU-instance pricing that matter only under a further choice: every (choice, options) must hold.
COMMITTED = ("one_year", "three_year")
ALSO_RELEVANT_WHEN = {
    "instance_upfront": (("instance_commitment", COMMITTED),),
    "instance_committed_per_hour": (("instance_commitment", COMMITTED),),
    "instance_partial_upfront_percent": (("instance_commitment", COMMITTED), ("instance_upfront", ("partial",))),
    "instance_spot_per_hour": (("instance_commitment", ("spot",)),),
    "instance_spot_interruption_percent": (("instance_commitment", ("spot",)),),
    "instance_warmup_hours_per_day": (
        ("instance_billing", ("scale_to_zero",)),
        ("instance_commitment", ("on_demand", "spot")),
    ),  # a commitment bills every hour
}


def unmet_condition(scenario: "Scenario", name: str) -> tuple[str, tuple[str, ...]] | None:
    """The first choice whose option keeps an input from moving this scenario's results, with the options it
    needs (RELEVANT_WHEN, then ALSO_RELEVANT_WHEN); None when the input applies."""
    conditions = ((RELEVANT_WHEN[name][0], (RELEVANT_WHEN[name][1],)),) if name in RELEVANT_WHEN else ()
    for choice, options in conditions + ALSO_RELEVANT_WHEN.get(name, ()):
        if getattr(scenario, choice) not in options:
            return choice, options
    return None


def applies(scenario: "Scenario", name: str) -> bool:
    """Whether an input can move this scenario's results: False for one that only matters for another option
    of a choice, e.g. the GPU instance rates under per-image pricing, the spot price under a commitment."""
    return unmet_condition(scenario, name) is None


def condition_text(scenario: "Scenario", name: str, emphasis: str = "") -> str:
    """'Instance commitment is 1-year commitment or 3-year commitment' for an input that does not apply ('' if
    it does); `emphasis` ('*') wraps the label and the options for markdown."""
    unmet = unmet_condition(scenario, name)
    if unmet is None:
        return ""
    spec, e = FIELD_BY_NAME[unmet[0]], emphasis
    return f"{e}{spec.label}{e} is " + " or ".join(f"{e}{spec.options[o]}{e}" for o in unmet[1])


TIER_SCHEDULES = {
    "inference_tiers": "Per-image price tiers: from N images per month, {cur} per 1,000 images",
    "egress_tiers": "Result egress tiers: from N GB per month, {cur} per GB",
}
DEFAULT_INFERENCE_TIERS = ((0, 1.0), (1_000_000, 0.8), (5_000_000, 0.6), (35_000_000, 0.25))  # Rekognition
DEFAULT_EGRESS_TIERS = ((0, 0.0), (100, 0.09), (10_240, 0.085), (51_200, 0.07), (153_600, 0.05))


def _positive_zero(value: float) -> float:
    """-0.0 becomes 0.0, so no export ever shows "-0"."""
    return value + 0.0


FloatWithoutNegativeZero = Annotated[float, AfterValidator(_positive_zero)]


class PriceTier(BaseModel):
    """One marginal tier: quantities from `start` (per month) up to the next tier's start cost `price`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    start: FloatWithoutNegativeZero = Field(ge=0, le=1e15, allow_inf_nan=False, strict=True)
    price: FloatWithoutNegativeZero = Field(ge=0, le=1e6, allow_inf_nan=False, strict=True)


def _check_tiers(tiers: tuple[PriceTier, ...]) -> tuple[PriceTier, ...]:
    if not 1 <= len(tiers) <= MAX_TIERS:
        raise ValueError(f"needs 1 to {MAX_TIERS} tiers, got {len(tiers)}")
    if tiers[0].start != 0:
        raise ValueError(f"the first tier must start at 0, not {tiers[0].start:g}")
    starts = [t.start for t in tiers]
    if any(b <= a for a, b in zip(starts, starts[1:])):
        raise ValueError(f"tier starts must increase strictly, got {starts}")
    return tiers


def _check_location(text: str) -> str:
    """'' or 'latitude, longitude' (the field's pattern) with latitude within ±90° and longitude within ±180°."""
    if text:
        latitude, longitude = (float(part) for part in text.split(","))
        for what, value, limit in (("latitude", latitude, 90), ("longitude", longitude, 180)):
            if abs(value) > limit:
                raise ValueError(f"{what} {value:g} is outside -{limit} to {limit} degrees")
    return text


def _whole_number(value):
    """JSON writers often emit 50 as 50.0: accept a float that is a whole number for an integer field."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Refused in every text field: C0 and C1 controls (ANSI escapes, NUL, U+0085 among them), line and paragraph
# separators, lone surrogates, and the bidi controls (U+202E shows the text after it reversed). Only the
# description may hold line feeds (paragraphs); no output shows it in a table, a CSV or a terminal.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
UNSAFE_TEXT_CATEGORIES = ("Cc", "Cs", "Zl", "Zp")
UNSAFE_TEXT = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff{BIDI_CONTROLS}]")


def unsafe_character(text: str, allowed: str = "") -> str | None:
    """Why `text` is refused as a text field (the first character above, bar those in `allowed`), or None.
    The one text rule: every name and note the planner reads (scenario, fleet, site) goes through it."""
    found = next((m for m in UNSAFE_TEXT.finditer(text) if m.group() not in allowed), None)
    if found is None:
        return None
    rule = "printable text" + (" and line feeds" if allowed else "") + ", without control or bidi-override characters"
    return f"U+{ord(found.group()):04X} at character {found.start() + 1} is not allowed: {rule}"


def _plain_text(allowed: str = ""):
    """A validator refusing the characters above, except those in `allowed`."""

    def check(text: str) -> str:
        problem = unsafe_character(text, allowed)
        if problem:
            raise ValueError(problem)
        return text

    return AfterValidator(check)


PlainText = Annotated[str, _plain_text()]
Paragraphs = Annotated[str, _plain_text(allowed="\n")]


def _named(text: str) -> str:
    if not text.strip():
        raise ValueError("a name needs at least one visible character (up to 120 characters)")
    return text


def pydantic_field(spec):
    """(type, Field) for pydantic.create_model from a field spec."""
    if isinstance(spec, NumberField):
        kind = Annotated[int, BeforeValidator(_whole_number)] if spec.integer else FloatWithoutNegativeZero
        return (
            kind,
            Field(spec.default, ge=spec.min, le=spec.max, allow_inf_nan=False, description=spec.help, strict=True),
        )
    if isinstance(spec, ChoiceField):
        return (Literal[tuple(spec.options)], Field(spec.default, description=spec.help))
    return (PlainText, Field(spec.default, max_length=spec.max_length, pattern=spec.pattern, description=spec.help))


class _ScenarioBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("inference_tiers", "egress_tiers", check_fields=False)
    @classmethod
    def _valid_tiers(cls, tiers):
        return _check_tiers(tiers)

    @field_validator("site_location", check_fields=False)
    @classmethod
    def _valid_location(cls, text):
        return _check_location(text)


Scenario = create_model(
    "Scenario",
    __base__=_ScenarioBase,
    __doc__="A validated planning scenario (immutable). Build with `Scenario(**values)` or `parse_json`.",
    schema_version=(int, Field(SCHEMA_VERSION, ge=SCHEMA_VERSION, le=SCHEMA_VERSION, strict=True)),
    name=(Annotated[PlainText, AfterValidator(_named)], Field("Untitled scenario", max_length=120)),
    description=(Paragraphs, Field("", max_length=1_000)),
    inference_tiers=(tuple[PriceTier, ...], tuple(PriceTier(start=s, price=p) for s, p in DEFAULT_INFERENCE_TIERS)),
    egress_tiers=(tuple[PriceTier, ...], tuple(PriceTier(start=s, price=p) for s, p in DEFAULT_EGRESS_TIERS)),
    **{f.name: pydantic_field(f) for f in FIELDS},
)


# ── Validation messages ─────────────────────────────────────────────────────────────────────────────
_REPR = reprlib.Repr()  # bounded in depth and length, whatever the value
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlist, _REPR.maxdict = 2, 58, 58, 4, 4


def _short(value: Any, limit: int = 60) -> str:
    try:
        text = _REPR.repr(value)
    except Exception:  # a value whose repr fails must not hide the message about it
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _location(parts) -> str:
    loc = ".".join(str(p) for p in parts) or "scenario"
    return loc if loc.isprintable() and len(loc) <= 60 else _short(loc)


def _describe(error: dict, specs: dict) -> str:
    loc = _location(error["loc"])
    top = str(error["loc"][0]) if error["loc"] else ""
    spec = specs.get(top)
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        *parent, key = error["loc"]
        plain = isinstance(key, str) and key and key.isprintable() and key.strip() == key and len(key) <= 60
        loc = ".".join([*map(str, parent), key if plain else _short(key)])
        return f"{loc}: unknown field (see `python -m planner fields`)"
    if kind == "missing":
        return f"{loc}: missing"
    if isinstance(spec, NumberField) and len(error["loc"]) == 1:
        allowed = f"allowed {spec.min:,g} to {spec.max:,g} {spec.unit_for()}"
        if spec.integer:
            allowed += ", a whole number"
        return f"{loc} = {_short(value)} is not valid: {allowed}"
    if isinstance(spec, ChoiceField):
        return f"{loc} = {_short(value)} is not valid: choose one of {', '.join(spec.options)}"
    if isinstance(spec, TextField) and kind == "string_pattern_mismatch":
        return f"{loc} = {_short(value)} is not valid: {spec.help[spec.help.index(':') + 2 :].rstrip('.')}"
    if kind == "value_error":  # our own checks: tiers, text
        return f"{loc}: {error['msg'].removeprefix('Value error, ')}"
    if top == "schema_version":
        return f"schema_version = {_short(value)} is not supported: this planner reads version {SCHEMA_VERSION}"
    return f"{loc} = {_short(value)}: {error['msg']}"


def build(model: type[BaseModel], values: dict, specs: dict, what: str = "scenario"):
    """`model(**values)`, raising ScenarioError with a readable line per problem (at most five)."""
    if not isinstance(values, dict):
        raise ScenarioError(f"a {what} must be a JSON object, got {type(values).__name__}")
    try:
        return model(**values)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    except Exception as exc:  # anything else the model lets through: one line, no details
        raise ScenarioError(f"invalid {what} ({type(exc).__name__})") from None
    problems = [_describe(e, specs) for e in errors]  # outside the handler: no chained traceback
    raise ScenarioError("; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""))


def validate(values: dict) -> "Scenario":
    """Build a Scenario from a dict, raising ScenarioError with one readable line per problem."""
    return build(Scenario, values, FIELD_BY_NAME)


def replace(scenario: "Scenario", **changes) -> "Scenario":
    """A validated copy with `changes` applied (raises ScenarioError)."""
    return validate({**to_dict(scenario), **changes})


def to_dict(scenario: "Scenario") -> dict:
    return scenario.model_dump(mode="json")


# ── JSON and share-link codecs ──────────────────────────────────────────────────────────────────────
def to_json(scenario: "Scenario") -> str:
    """Stable, human-readable JSON (fields in schema order)."""
    return json.dumps(to_dict(scenario), indent=2, ensure_ascii=False) + "\n"


def entry_point(parse):
    """Let nothing but a ScenarioError out of a parser of outside input (file, link, --set): whatever
    slips past the checks becomes one plain line, never a traceback with paths and versions."""

    @functools.wraps(parse)
    def guarded(*args, **kwargs):
        try:
            return parse(*args, **kwargs)
        except ScenarioError:
            raise
        except Exception as exc:
            raise ScenarioError(f"the input could not be read ({type(exc).__name__})") from None

    return guarded


_STRING_LITERAL = re.compile(r'"(?:[^"\\]|\\[\s\S])*"?')  # an unterminated one runs to the end
_BRACKET = re.compile(r"[\[\]{}]")


def _nesting_depth(text: str) -> int:
    """How deep brackets nest in JSON text, strings skipped: linear, no recursion, any text."""
    steps = (1 if b in "[{" else -1 for b in _BRACKET.findall(_STRING_LITERAL.sub("", text)))
    return max(accumulate(steps), default=0)


class _LongInteger:
    """An integer literal longer than any field takes, kept unconverted so the field's message names it."""

    def __init__(self, digits: int):
        self.digits = digits

    def __repr__(self) -> str:
        return f"a {self.digits:,}-digit number"


def _integer(token: str):
    digits = len(token.lstrip("-"))
    return int(token) if digits <= MAX_NUMBER_DIGITS else _LongInteger(digits)


def _reject_constant(token: str):
    raise ScenarioError(f"not valid JSON: {token} is not a number")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    obj = dict(pairs)
    if len(obj) < len(pairs):
        seen: set[str] = set()
        key = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise ScenarioError(f"field {_short(key)} appears more than once: give each field once")
    return obj


def load_json(text: str, what: str = "scenario file"):
    """`json.loads` for outside text: nesting checked before parsing (no recursion can run out), duplicate keys
    and NaN/Infinity refused, integers of more than MAX_NUMBER_DIGITS digits kept as a marker for the message."""
    depth = _nesting_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise ScenarioError(
            f"{what} is nested too deeply ({depth:,} levels of brackets; the limit is "
            f"{MAX_JSON_DEPTH}, a scenario needs 3)"
        )
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_int=_integer, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None


_BYTE_ORDER_MARKS = {b"\xff\xfe": "a UTF-16", b"\xfe\xff": "a UTF-16", b"\xef\xbb\xbf": "a UTF-8"}


def _text_of(data: str | bytes) -> str:
    if isinstance(data, str):
        return data
    for mark, kind in _BYTE_ORDER_MARKS.items():
        if data.startswith(mark):
            raise ScenarioError(
                f"scenario file is not UTF-8 text: it starts with {kind} byte-order mark; save it as UTF-8 without one"
            )
    if b"\x00" in data:
        raise ScenarioError(
            f"scenario file is not UTF-8 text: it has NUL bytes (byte {data.index(0)}), as UTF-16 "
            "or UTF-32 text does; save it as UTF-8"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"scenario file is not UTF-8 text (byte {exc.start})") from None


# An exported scenario file may carry, under PRICE_BOOK_KEY, the exporting organisation's price-book rows its
# figures came from (`planner.exports.report.scenario_file`): a record for tracing the figures, never an input and
# never a catalog row of the deployment that reads the file (the scenario keeps those figures as its own values).
PRICE_BOOK_KEY = "price_book"
MAX_PRICE_BOOK_ROWS = 100


def _file_values(text: str | bytes) -> tuple[dict, list[dict]]:
    """A scenario file's fields and its exported price-book rows (checked: a list of objects)."""
    if len(text) > MAX_SCENARIO_BYTES:
        raise ScenarioError(f"scenario file is {len(text):,} bytes; the limit is {MAX_SCENARIO_BYTES:,}")
    values = load_json(_text_of(text))
    if not isinstance(values, dict) or PRICE_BOOK_KEY not in values:
        return values, []
    return values, checked_price_book(values.pop(PRICE_BOOK_KEY))


def checked_price_book(rows) -> list[dict]:
    """Exported price-book rows as they must be: a list of at most MAX_PRICE_BOOK_ROWS objects."""
    if not isinstance(rows, list) or len(rows) > MAX_PRICE_BOOK_ROWS or not all(isinstance(r, dict) for r in rows):
        raise ScenarioError(
            f"{PRICE_BOOK_KEY}: expected a list of at most {MAX_PRICE_BOOK_ROWS} rows (objects), "
            "as a plan export writes it"
        )
    return rows


@entry_point
def parse_json(text: str | bytes) -> "Scenario":
    """Parse and validate a scenario file; every failure is a ScenarioError with a readable message."""
    return validate(_file_values(text)[0])


@entry_point
def exported_price_book(text: str | bytes) -> list[dict]:
    """The price-book rows of the exporting organisation a scenario file carries ([] when none)."""
    return _file_values(text)[1]


def price_book_note(rows: list[dict]) -> str | None:
    """What reading a file with exported price-book rows means, in one line (None without rows)."""
    if not rows:
        return None
    entries = ", ".join(dict.fromkeys(" ".join(str(r.get("entry") or r.get("catalog") or "?").split()) for r in rows))
    entries = entries if len(entries) <= 80 else entries[:79] + "…"
    return (
        f"the file carries {len(rows)} price-book row{'s' if len(rows) != 1 else ''} of the exporting "
        f"organisation ({entries}): the scenario keeps those figures as its own; this deployment's "
        "catalog is not changed"
    )


def pack_token(data: dict) -> str:
    """A JSON object as a link token: compact JSON, deflated, base64url without padding."""
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def unpack_token(token: str, what: str = "share link") -> bytes:
    """The JSON bytes of a `pack_token` token, never more than MAX_SCENARIO_BYTES of them; a token that is too long,
    does not decode or expands beyond the limit raises ScenarioError naming `what`."""
    if len(token) > MAX_SHARE_LINK_CHARS:
        raise ScenarioError(f"{what} is {len(token):,} characters; the limit is {MAX_SHARE_LINK_CHARS:,}")
    try:
        decompressor = zlib.decompressobj()
        data = decompressor.decompress(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)), MAX_SCENARIO_BYTES)
    except (binascii.Error, zlib.error, ValueError):
        raise ScenarioError(f"{what} is damaged (it does not decode)") from None
    if decompressor.unconsumed_tail:
        raise ScenarioError(f"{what} expands beyond the size limit of {MAX_SCENARIO_BYTES:,} bytes")
    return data


def to_share_token(scenario: "Scenario") -> str:
    """Compact URL-safe token: only the fields that differ from the defaults (`pack_token`)."""
    default = to_dict(Scenario())
    diff = {k: v for k, v in to_dict(scenario).items() if v != default[k]}
    diff["schema_version"] = SCHEMA_VERSION
    return pack_token(diff)


@entry_point
def from_share_token(token: str) -> "Scenario":
    """Inverse of `to_share_token`; a tampered or stale token raises ScenarioError."""
    if not isinstance(token, str) or not token:
        raise ScenarioError("share link has no scenario")
    return parse_json(unpack_token(token))


# ── `--set field=value` ───────────────────────────────────────────────────────────────────────────────
@entry_point
def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse `field=value` for the CLI's --set; the value is converted by the field's type."""
    name, sep, raw = text.partition("=")
    name, raw = name.strip(), raw.strip()
    if not sep or not name:
        raise ScenarioError(f"--set expects FIELD=VALUE, got {_short(text)}")
    spec = FIELD_BY_NAME.get(name)
    if name in ("name", "description"):
        return name, raw
    if name in TIER_SCHEDULES:
        try:
            pairs = load_json(raw, name)
        except ScenarioError:
            pairs = None  # not JSON (or nested too deeply): say what is expected
        if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
            raise ScenarioError(
                f"{name} expects a JSON list of [start, price] pairs such as [[0, 1.0], "
                f"[1000000, 0.8]], got {_short(raw)}"
            )
        return name, [{"start": s, "price": p} for s, p in pairs]
    if spec is None:
        raise ScenarioError(f"unknown field {name!r} (see `python -m planner fields`)")
    if isinstance(spec, NumberField):
        try:
            value = float(raw.replace("_", ""))
        except ValueError:
            raise ScenarioError(f"{name} = {_short(raw)} is not a number") from None
        if spec.integer and math.isfinite(value) and value == int(value):
            return name, int(value)
        return name, value
    return name, raw


# Money inputs: a currency in the unit; the rate itself is {cur} per USD, not money.
MONEY_FIELDS = tuple(f.name for f in NUMBER_FIELDS if "{cur}" in f.unit and f.name != "fx_rate")


def _scaled(value: float, factor: float) -> float:
    return float(f"{value * factor:.12g}")  # no float noise such as 0.30000000000000004 in a field


def scale_money(values: dict, factor: float) -> dict:
    """`values` (a scenario as `to_dict` gives it) with every money figure multiplied by `factor`."""
    scaled = {**values, **{name: _scaled(values[name], factor) for name in MONEY_FIELDS if name in values}}
    for name in TIER_SCHEDULES:
        if name in values:
            scaled[name] = [{**t, "price": _scaled(t["price"], factor)} for t in values[name]]
    return scaled
