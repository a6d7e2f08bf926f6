"""Load and validate the bundled catalogs in data/: hardware, cloud prices, cloud regions, exchange rates,
management fees, presets.

Every catalog row carries a `source` and an `as_of` date; a row that is an estimate says so in
`estimate`. A bad row fails at load with `file:line: reason` (CatalogError).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import json
import math
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from planner.schema.scenario import (
    FIELD_BY_NAME,
    NO_LINK_CLASS,
    NO_REGION,
    TIER_SCHEDULES,
    NumberField,
    Scenario,
    ScenarioError,
    scale_money,
    validate,
)

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


class CatalogError(ValueError):
    """A catalog file or row is invalid; the message starts with `file:line:`."""


def _number(low: float = 0, high: float = float("inf"), optional: bool = False):
    def parse(text: str):
        if text == "" and optional:
            return None
        value = float(text)
        if not low <= value <= high:
            raise ValueError(f"{value:g} is outside {low:g} to {high:g}")
        return value

    return parse


def _text(text: str) -> str:
    if not text:
        raise ValueError("is empty")
    return text


def _choice(*options: str):
    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(f"{text!r} is not one of {', '.join(options)}")
        return text

    return parse


def _date(text: str) -> str:
    if not _DATE.match(text):
        raise ValueError(f"{text!r} is not a YYYY-MM or YYYY-MM-DD date")
    return text


_PROVENANCE = {"estimate": str, "source": _text, "as_of": _date}


def _currency_code(text: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", text):
        raise ValueError(f"{text!r} is not a three-letter ISO 4217 code")
    return text


def _tier_list(text: str) -> list[dict]:
    """'0:0; 100:0.09; 10240:0.085' → [{'start': 0.0, 'price': 0.0}, …] (validated with the scenario later)."""
    tiers = []
    for part in text.split(";"):
        start, sep, price = part.partition(":")
        if not sep:
            raise ValueError(f"{part.strip()!r} is not START:PRICE")
        tiers.append({"start": float(start), "price": float(price)})
    return tiers


def field_parser(name: str):
    """The parser of a catalog column that fills the scenario field `name` (a number, a text or a tier list)."""
    if name in TIER_SCHEDULES:
        return _tier_list
    spec = FIELD_BY_NAME[name]
    return _number(spec.min, spec.max) if isinstance(spec, NumberField) else _text


_YES_NO = ("yes", "no")
STACK_CONDITIONS = ("platform", "k8s", "connectivity", "workload", "privacy", "family", "device", "serving")


def _conditions(text: str) -> dict[str, frozenset[str]]:
    """`key=a|b; key2=c` → {key: {a, b}, key2: {c}}; `*` matches everything."""
    if text == "*":
        return {}
    found = {}
    for part in text.split(";"):
        key, sep, values = part.strip().partition("=")
        if not sep or key not in STACK_CONDITIONS or not values:
            raise ValueError(f"{part.strip()!r} is not KEY=VALUE|VALUE with KEY one of {', '.join(STACK_CONDITIONS)}")
        found[key] = frozenset(v.strip() for v in values.split("|"))
    return found


SCHEMAS = {
    "hardware.csv": {
        "id": _text,
        "name": _text,
        "family": _choice("jetson", "coral", "hailo", "server"),
        "unit_price_usd": _number(0, 1e6),
        "watts": _number(0, 1e4),
        "host_usd": _number(0, 1e6),
        "host_watts": _number(0, 1e4),
        "int8_tops": _number(0, 1e5, optional=True),
        "throughput_ips": _number(0.1, 1e5),
        "reference_model": _text,
        # throughput_ips measured on (or converted to) the reference workload, YOLOv8n INT8 640×640?
        "comparable": _choice(*_YES_NO),
        "decode_1080p30_streams": _number(0, 1e4),
        "decode_source": _text,
        "decode_as_of": _date,
        **_PROVENANCE,
    },
    "cloud_prices.csv": {
        "provider": _choice("aws", "azure", "gcp"),
        "service": _text,
        "item": _choice(
            "transfer_out_per_gb",
            "vision_per_1000_images",
            "video_ingest_per_gb",
            "serverless_per_gb_second",
            "serverless_per_million_requests",
            "storage_per_gb_month",
        ),
        "unit": _text,
        "tier_from": _number(0, 1e15),
        "price_usd": _number(0, 1e4),
        **_PROVENANCE,
    },
    "cloud_instances.csv": {
        "provider": _choice("aws", "azure", "gcp"),
        "id": _text,
        "name": _text,
        "gpu": _text,
        "gpu_class": _choice("t4", "l4", "a10g", "large"),
        "region": _text,
        "on_demand_per_hour": _number(0.001, 1e3),
        "one_year_per_hour": _number(0.001, 1e3),
        "three_year_per_hour": _number(0.001, 1e3),
        "spot_per_hour": _number(0.001, 1e3),
        "partial_upfront_percent": _number(0, 100),
        "endpoint": _text,
        "endpoint_surcharge_percent": _number(0, 500),
        "throughput_ips": _number(0.1, 1e6),
        "throughput_basis": _text,
        **_PROVENANCE,
    },
    "management.csv": {
        "id": _text,
        "name": _text,
        "basis": _choice("per_device", "per_site"),
        "usd_per_month": _number(0, 1e6),
        **_PROVENANCE,
    },
    "connectivity.csv": {
        "id": _text,
        "name": _text,
        "access_rtt_ms": _number(0, 10_000),
        "reliable": _choice(*_YES_NO),
        "metered": _choice(*_YES_NO),
        **_PROVENANCE,
        # the class's business tariff: a site's line, or the link a cloud design's upload buys
        "usd_per_month": _number(0, 1e6),
        "upload_mbps": _number(0, 1e6),
        "install_usd": _number(0, 1e6),
        "allowance_gb": _number(0, 1e9, optional=True),  # empty: no data cap
        "usd_per_gb_over": _number(0, 1e4),
        "tariff_estimate": str,
        "tariff_source": _text,
        "tariff_as_of": _date,
    },
    "workloads.csv": {
        "id": _text,
        "name": _text,
        "relative_compute": _number(0.01, 1e4),
        "cloud_inference_ms": _number(0, 1e5),
        "needs_server": _choice(*_YES_NO),
        "video": _choice(*_YES_NO),
        **_PROVENANCE,
    },
    "fx_rates.csv": {"currency": _currency_code, "name": _text, "units_per_eur": _number(1e-6, 1e9), **_PROVENANCE},
    "cloud_regions.csv": {
        "provider": _choice("aws", "azure", "gcp"),
        "region": _text,
        "name": _text,
        "city": _text,
        "country": _text,
        "latitude": _number(-90, 90),
        "longitude": _number(-180, 180),
        **_PROVENANCE,
    },
    "carbon.csv": {
        "kind": _choice(
            "grid", "cloud_region", "cloud_pue", "accelerator", "network", "cloud_embodied", "device_embodied"
        ),
        "id": _text,
        "provider": _choice("", "aws", "azure", "gcp"),
        "name": _text,
        "value": _number(0, 1e5),
        "unit": _text,
        **_PROVENANCE,
    },
    "cost_lines.csv": {  # typical figures for the deployment lines' inputs (0 by default), cited when used
        "id": _text,
        "field": _text,
        "name": _text,
        "value": _number(0, 1e6),
        "unit": _text,
        **_PROVENANCE,
    },
    "stack.csv": {
        "layer": _choice("orchestration", "runtime", "compute", "messaging", "cloud_serving"),
        "id": _text,
        "name": _text,
        "when": _conditions,
        "reason": _text,
        "management": str,
        "source": _text,
        "as_of": _date,
    },
}


def read_rows(path: Path, schema: dict) -> list[dict]:
    """Rows of a CSV catalog, each value parsed by its column's parser; errors name file and line."""
    name = path.name
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in schema if c not in (reader.fieldnames or [])]
            if missing:
                raise CatalogError(f"{name}:1: missing columns {', '.join(missing)}")
            rows = []
            for row in reader:
                parsed = {}
                for column, parse in schema.items():
                    try:
                        parsed[column] = parse((row.get(column) or "").strip())
                    except ValueError as exc:
                        raise CatalogError(f"{name}:{reader.line_num}: {column} {exc}") from None
                rows.append(parsed)
    except OSError as exc:
        raise CatalogError(f"{name}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise CatalogError(f"{name}: not UTF-8 text") from None
    return rows


@dataclass(frozen=True)
class Provenance:
    """Where a group of a scenario's inputs came from: the catalog entry whose figures they equal."""

    picker: str  # the app's picker that fills them: 'device', 'management', 'vision_api', 'egress'
    fields: tuple[str, ...]  # the scenario fields it covers
    entry: str  # the catalog entry's name
    source: str
    as_of: str
    estimate: str = ""  # how an estimated figure was derived ('' when quoted as published)
    rows: tuple[dict, ...] = dataclasses.field(default=(), compare=False, repr=False)  # the rows the figures are

    def cited(self) -> str:
        """'<entry>: <source>; estimate: <how>' (without the date)."""
        return f"{self.entry}: {self.source}" + (f"; estimate: {self.estimate}" if self.estimate else "")

    def text(self) -> str:
        """'<entry>: <source>; estimate: <how> (as of 2026-04)'."""
        return f"{self.cited()} (as of {self.as_of})"


def same_value(a, b) -> bool:
    """Equal, numbers within a relative 1e-9 (a price converted to a currency and back is not bit-exact)."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-15)
    return a == b


def in_usd(values: dict) -> dict:
    """Scenario values (`to_dict`) with every money figure divided by `fx_rate`: comparable with the USD catalogs."""
    return scale_money(values, 1 / values["fx_rate"])


def _joined(values) -> str:
    return "; ".join(dict.fromkeys(v for v in values if v))  # distinct, in order


# The catalog file each picker's entries come from; the keys a loaded row has beside its file's columns.
PICKER_FILES = {
    "region": "cloud_regions.csv",
    "device": "hardware.csv",
    "instance": "cloud_instances.csv",
    "management": "management.csv",
    "vision_api": "cloud_prices.csv",
    "egress": "cloud_prices.csv",
    **dict.fromkeys(
        ("grid", "cloud_region", "cloud_pue", "accelerator", "network", "cloud_embodied", "device_embodied"),
        "carbon.csv",
    ),
}
LAYER_MARKS = ("origin", "retrieved", "plain_source", "dated")

# Tier-schedule fields a catalog price item fills: {field: (picker, item)}.
TIER_ITEMS = {
    "inference_tiers": ("vision_api", "vision_per_1000_images"),
    "egress_tiers": ("egress", "transfer_out_per_gb"),
}


@dataclass(frozen=True)
class Catalog:
    hardware: tuple[dict, ...]
    cloud_prices: tuple[dict, ...]
    cloud_instances: tuple[dict, ...]
    management: tuple[dict, ...]
    connectivity: tuple[dict, ...]
    workloads: tuple[dict, ...]
    stack: tuple[dict, ...]  # in priority order: the first matching row of a layer wins
    presets: dict[str, Scenario]
    regions: tuple[dict, ...] = ()  # cloud_regions.csv: location columns, provenance, `fields` it fills (USD)
    fx_rates: tuple[dict, ...] = ()  # fx_rates.csv: units of each currency per euro
    carbon: tuple[dict, ...] = ()  # carbon coefficients (data/carbon.csv), keyed by (kind, provider, id)
    cost_lines: tuple[dict, ...] = ()  # typical figures of the deployment lines' inputs (data/cost_lines.csv)

    def region(self, region_id: str) -> dict:
        """A region row by id (ScenarioError naming the choices when unknown)."""
        found = next((r for r in self.regions if r["region"] == region_id), None)
        if found is None:
            raise ScenarioError(
                f"unknown cloud region {region_id!r}; choose one of {', '.join(r['region'] for r in self.regions)}"
            )
        return found

    def region_distance_km(self, region_id: str, site_location: str) -> float | None:
        """Great-circle distance [km] from the site ('lat, lon') to the region; None when either is unknown."""
        site = parse_location(site_location)
        region = next((r for r in self.regions if r["region"] == region_id), None)
        if site is None or region is None:
            return None
        return great_circle_km(*site, region["latitude"], region["longitude"])

    def carbon_rows(self, kind: str) -> tuple[dict, ...]:
        return tuple(r for r in self.carbon if r["kind"] == kind)

    def carbon_row(self, kind: str, row_id: str, provider: str = "") -> dict | None:
        """One carbon coefficient: e.g. ('cloud_region', 'eu-west-1', 'aws'), ('device_embodied', <device id>)."""
        return next((r for r in self.carbon if (r["kind"], r["id"], r["provider"]) == (kind, row_id, provider)), None)

    def cloud_region_fields(self, provider: str, region: str) -> dict:
        """Scenario fields for a cloud region: its grid intensity and its provider's PUE."""
        grid, pue = self.carbon_row("cloud_region", region, provider), self.carbon_row("cloud_pue", provider, provider)
        return {"cloud_grid_kgco2e_per_kwh": grid["value"], "cloud_pue": pue["value"]}

    def device(self, device_id: str) -> dict:
        return next(d for d in self.hardware if d["id"] == device_id)

    def management_plan(self, plan_id: str) -> dict:
        return next(m for m in self.management if m["id"] == plan_id)

    def device_fields(self, device_id: str) -> dict:
        """Scenario fields for a catalog device: the host computer an accelerator needs is included."""
        d = self.device(device_id)
        fields = {
            "device_id": d["id"],
            "device_price": d["unit_price_usd"] + d["host_usd"],
            "device_watts": d["watts"] + d["host_watts"],
            "device_throughput_ips": d["throughput_ips"],
        }
        embodied = self.carbon_row("device_embodied", device_id)
        return fields | ({"device_embodied_kgco2e": embodied["value"]} if embodied else {})

    def link_class(self, class_id: str) -> dict | None:
        """The connectivity.csv row of a link class, or None (the custom class, or an id not in the catalog)."""
        return next((c for c in self.connectivity if c["id"] == class_id), None)

    def link_fields(self, class_id: str) -> dict:
        """Scenario fields (USD) for a site on a link class: its rental, the data it includes (0 for no cap: its
        per-GB bill is then 0) and the per-GB bill above that."""
        c = self.link_class(class_id)
        return {
            "link_class": c["id"],
            "link_per_month": c["usd_per_month"],
            "link_allowance_gb": c["allowance_gb"] or 0.0,
            "uplink_per_gb": c["usd_per_gb_over"],
        }

    def link_mbps(self, class_id: str, custom_mbps: float) -> float:
        """The site's uplink capacity [Mbps]: its link class's upload, or `custom_mbps` (the advisor's uplink answer)
        for the custom class."""
        c = self.link_class(class_id)
        return float(c["upload_mbps"]) if c else float(custom_mbps)

    def instance_fields(self, instance_id: str, endpoint: bool, commitment: str = "one_year") -> dict:
        """Scenario fields for a catalog GPU instance, as a plain VM or behind the provider's managed endpoint;
        the committed rate is the row's 3-year rate under a 3-year commitment, else its 1-year rate."""
        r = next(i for i in self.cloud_instances if i["id"] == instance_id)
        return {
            "instance_per_hour": r["on_demand_per_hour"],
            "instance_committed_per_hour": r[
                "three_year_per_hour" if commitment == "three_year" else "one_year_per_hour"
            ],
            "instance_spot_per_hour": r["spot_per_hour"],
            "instance_partial_upfront_percent": r["partial_upfront_percent"],
            "instance_endpoint_surcharge_percent": r["endpoint_surcharge_percent"] if endpoint else 0.0,
            "instance_inferences_per_s": r["throughput_ips"],
        }

    def instance_choices(self, commitment: str = "one_year") -> dict[str, tuple[dict, dict]]:
        """{'<id>' or '<id>@endpoint': (catalog row, scenario fields)} for every row, served both ways."""
        return {
            f"{r['id']}{'@endpoint' if endpoint else ''}": (r, self.instance_fields(r["id"], endpoint, commitment))
            for r in self.cloud_instances
            for endpoint in (False, True)
        }

    def provenance(self, scenario: Scenario) -> tuple[Provenance, ...]:
        """The catalog entries the scenario's figures come from: its device, management fee and price tiers,
        each when every figure it fills equals the catalog's (a figure edited since is the user's own)."""
        values = in_usd(scenario.model_dump(mode="json"))
        found = []
        region = next((r for r in self.regions if r["region"] == values["cloud_region"]), None)
        if region and all(same_value(values[k], v) for k, v in region["fields"].items()):
            found.append(
                Provenance(
                    "region",
                    tuple(region["fields"]),
                    f"{region['provider']} {region['region']} — {region['name']}",
                    region["source"],
                    region["as_of"],
                    region["estimate"],
                    (region,),
                )
            )
        device = next((d for d in self.hardware if d["id"] == values["device_id"]), None)
        filled = self.device_fields(device["id"]) if device else {}
        filled.pop("device_embodied_kgco2e", None)  # a carbon figure: cited from carbon.csv below
        if device and not same_value(values["device_throughput_ips"], filled["device_throughput_ips"]):
            del filled["device_throughput_ips"]  # derated (the advisor's apply) or measured: not the benchmark
        if device and all(same_value(values[k], v) for k, v in filled.items()):
            found.append(
                Provenance(
                    "device",
                    tuple(filled),
                    device["name"],
                    device["source"],
                    device["as_of"],
                    device["estimate"],
                    (device,),
                )
            )
        if values["inference_pricing"] == "instances":
            picked = next(
                (
                    (key, r, fields)
                    for key, (r, fields) in self.instance_choices(values["instance_commitment"]).items()
                    if all(same_value(values[k], v) for k, v in fields.items())
                ),
                None,
            )
            if picked:
                key, r, fields = picked
                served = f" via {r['endpoint']}" if key.endswith("@endpoint") else " (plain VM)"
                found.append(
                    Provenance(
                        "instance",
                        tuple(fields),
                        f"{r['name']}, {r['region']}{served}",
                        r["source"],
                        r["as_of"],
                        _joined((r["estimate"], f"throughput: {r['throughput_basis']}")),
                        (r,),
                    )
                )
        link = self.link_class(values["link_class"])
        if link and all(same_value(values[k], v) for k, v in self.link_fields(link["id"]).items()):
            fields = tuple(self.link_fields(link["id"]))
            cited = (link["name"], link["tariff_source"], link["tariff_as_of"], link["tariff_estimate"])
            found.append(Provenance("link", fields, *cited, (link,)))
        found += self.carbon_provenance(values)
        found += self.cost_line_provenance(values)
        fee = next(
            (
                m
                for m in self.management
                if m["basis"] == values["management_basis"]
                and same_value(m["usd_per_month"], values["management_per_month"])
            ),
            None,
        )
        if fee:
            found.append(
                Provenance(
                    "management",
                    ("management_basis", "management_per_month"),
                    fee["name"],
                    fee["source"],
                    fee["as_of"],
                    fee["estimate"],
                    (fee,),
                )
            )
        for field, (picker, item) in TIER_ITEMS.items():
            same = [
                name
                for name, schedule in self.tier_schedules(item).items()
                if same_value(values[field], [{"start": a, "price": b} for a, b in schedule])
            ]
            if same:
                name = values["cloud_provider"] if values["cloud_provider"] in same else same[0]
                rows = [
                    r for r in self.cloud_prices if r["item"] == item and f"{r['provider']} — {r['service']}" == name
                ]
                labelled = picker == "vision_api" and values["cloud_provider"] == name
                found.append(
                    Provenance(
                        picker,
                        (field, "cloud_provider") if labelled else (field,),
                        name,
                        _joined(r["source"] for r in rows),
                        _joined(r["as_of"] for r in rows),
                        _joined(r["estimate"] for r in rows),
                        tuple(rows),
                    )
                )
        return tuple(found)

    def price_book_rows(self, scenario: Scenario) -> list[dict]:
        """The price-book rows (an organisation's negotiated rates) the scenario's figures come from, as entered:
        {"catalog": file, "entry": …, "fields": [scenario fields they price], then the row's own columns (its
        `source` the contract, without the "price book:" mark)}, for an export of the scenario."""
        found = []
        for p in self.provenance(scenario):
            for row in p.rows:
                if row.get("origin") == "price book":
                    columns = {k: v for k, v in row.items() if k not in LAYER_MARKS}
                    found.append(
                        {
                            "catalog": PICKER_FILES[p.picker],
                            "entry": p.entry,
                            "fields": list(p.fields),
                            **columns,
                            "source": row["plain_source"],
                        }
                    )
        return found

    def carbon_provenance(self, values: dict) -> list[Provenance]:
        """The carbon.csv rows whose value a carbon input equals (the first such row of its kind)."""
        found = []
        device = self.carbon_row("device_embodied", values["device_id"])
        for picker, field, rows in (
            ("grid", "grid_kgco2e_per_kwh", self.carbon_rows("grid")),
            ("cloud_region", "cloud_grid_kgco2e_per_kwh", self.carbon_rows("cloud_region")),
            ("cloud_pue", "cloud_pue", self.carbon_rows("cloud_pue")),
            ("accelerator", "cloud_accelerator_watts", self.carbon_rows("accelerator")),
            ("network", "network_kwh_per_gb", self.carbon_rows("network")),
            ("cloud_embodied", "cloud_embodied_kgco2e_per_accelerator_hour", self.carbon_rows("cloud_embodied")),
            ("device_embodied", "device_embodied_kgco2e", (device,) if device else ()),
        ):
            row = next((r for r in rows if r["value"] == values[field]), None)
            if row:
                found.append(
                    Provenance(picker, (field,), row["name"], row["source"], row["as_of"], row["estimate"], (row,))
                )
        return found

    def cost_line_provenance(self, values: dict) -> list[Provenance]:
        """The cost_lines.csv rows whose figure a deployment line's input equals (the first per input; an input at
        0, the default, cites none)."""
        found = []
        for field in dict.fromkeys(r["field"] for r in self.cost_lines):
            same = (r for r in self.cost_lines if r["field"] == field and same_value(values[field], r["value"]))
            row = next(same, None)
            if row and values[field]:
                cited = (row["name"], row["source"], row["as_of"], row["estimate"])
                found.append(Provenance("cost_line", (field,), *cited))
        return found

    def tier_schedules(self, item: str) -> dict[str, list[tuple[float, float]]]:
        """{'provider — service': [(tier_from, price), …]} for one price item, tiers in order."""
        schedules: dict[str, list[tuple[float, float]]] = {}
        for row in self.cloud_prices:
            if row["item"] == item:
                schedules.setdefault(f"{row['provider']} — {row['service']}", []).append(
                    (row["tier_from"], row["price_usd"])
                )
        return {k: sorted(v) for k, v in schedules.items()}


EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance [km] between two points given in decimal degrees."""
    p1, p2, dp, dl = map(math.radians, (lat1, lat2, lat2 - lat1, lon2 - lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def parse_location(text: str) -> tuple[float, float] | None:
    """'48.14, 11.58' → (48.14, 11.58); None when empty or outside ±90° / ±180°."""
    lat, sep, lon = text.partition(",")
    try:
        point = float(lat), float(lon)
    except ValueError:
        return None
    return point if sep and abs(point[0]) <= 90 and abs(point[1]) <= 180 else None


def read_regions(path: Path) -> tuple[dict, ...]:
    """The region catalog: the fixed columns of SCHEMAS, and every other column names the scenario field it fills
    (a number, a text label or a tier list such as '0:0; 100:0.09'), gathered in each row's `fields`."""
    schema = SCHEMAS["cloud_regions.csv"]
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            header = next(csv.reader(fh), [])
    except (OSError, UnicodeDecodeError):
        header = []  # read_rows reports it
    filling = [c for c in header if c not in schema and c != "retrieved"]
    unknown = [c for c in filling if c not in FIELD_BY_NAME and c not in TIER_SCHEDULES]
    if unknown:
        raise CatalogError(f"{path.name}:1: column {unknown[0]!r} is neither a region column nor a scenario field")
    rows = read_rows(path, {**schema, **{c: field_parser(c) for c in filling}})
    regions = []
    for line, row in enumerate(rows, start=2):
        if row["region"] not in FIELD_BY_NAME["cloud_region"].options or row["region"] == NO_REGION:
            raise CatalogError(
                f"{path.name}:{line}: region {row['region']!r} is not an option of the cloud_region field"
            )
        fields = {"cloud_region": row["region"], **{c: row.pop(c) for c in filling}}
        try:
            validate(fields)
        except ScenarioError as exc:
            raise CatalogError(f"{path.name}:{line}: {exc}") from None
        regions.append({**row, "fields": fields})
    return tuple(regions)


def _check_unique(rows, key: str, file: str) -> None:
    seen = set()
    for row in rows:
        if row[key] in seen:
            raise CatalogError(f"{file}: duplicate {key} {row[key]!r}")
        seen.add(row[key])


def _check_tiers(rows, file: str) -> None:
    firsts: dict[tuple, float] = {}
    for row in rows:
        key = (row["provider"], row["service"], row["item"])
        firsts[key] = min(firsts.get(key, float("inf")), row["tier_from"])
    for key, first in firsts.items():
        if first != 0:
            raise CatalogError(f"{file}: {' / '.join(key)} has no tier starting at 0")


def load_presets(folder: Path) -> dict[str, Scenario]:
    presets = {}
    for path in sorted(folder.glob("*.json")):
        try:
            presets[path.stem] = validate(json.loads(path.read_text(encoding="utf-8")))
        except (ScenarioError, ValueError) as exc:
            raise CatalogError(f"presets/{path.name}: {exc}") from None
    if not presets:
        raise CatalogError(f"no presets in {folder}")
    return presets


# The overlay: a folder (PLANNER_CATALOG_DIR) beside the bundled data/, whose CSV files have the bundled files'
# columns. Its rows replace the bundled rows of the same key, in layers: refreshed/ (written by `catalog refresh`,
# with a `retrieved` date), then price_book/ (an organisation's negotiated rates, entered by hand). history/ keeps
# each earlier refreshed/ file under its date. The bundled data/ is never rewritten.
OVERLAY_LAYERS = {"refreshed": "refreshed", "price book": "price_book"}  # origin → folder
OVERLAY_KEYS = {
    "cloud_prices.csv": ("provider", "service", "item"),  # a tier schedule is replaced whole
    "carbon.csv": ("kind", "provider", "id"),
    "fx_rates.csv": ("currency",),
    "cloud_regions.csv": ("region",),
}  # every other file: ("id",)
STALE_MONTHS = 12  # a figure older than this is marked "dated" (PLANNER_STALE_MONTHS)


def catalog_dir() -> Path | None:
    """The overlay folder named by PLANNER_CATALOG_DIR (None when unset)."""
    name = os.environ.get("PLANNER_CATALOG_DIR", "").strip()
    return Path(name).expanduser() if name else None


def stale_months() -> int:
    text = os.environ.get("PLANNER_STALE_MONTHS", "").strip()
    try:
        return max(0, int(text)) if text else STALE_MONTHS
    except ValueError:
        raise CatalogError(f"PLANNER_STALE_MONTHS {text!r} is not a whole number of months") from None


def months_old(as_of: str, today: datetime.date) -> int:
    """Whole months from an as-of date ('2025-10' or '2025-10-21') to today."""
    year, month, *day = (int(p) for p in as_of.split("-"))
    return (today.year - year) * 12 + today.month - month - (1 if day and today.day < day[0] else 0)


def overlay_key(file: str, row: dict) -> tuple:
    return tuple(row[c] for c in OVERLAY_KEYS.get(file, ("id",)))


def layer_rows(file: str, origin: str, data_dir: Path = DATA_DIR, overlay_dir: Path | None = None) -> list[dict]:
    """The parsed rows of one layer of a catalog file: 'bundled' (data/), 'refreshed' or 'price book' (the
    overlay's; none when the overlay or its file does not exist), each row marked with its `origin`."""
    if origin == "bundled":
        path, label = data_dir / file, ""
    else:
        if overlay_dir is None:
            return []
        path, label = overlay_dir / OVERLAY_LAYERS[origin] / file, f"{overlay_dir / OVERLAY_LAYERS[origin]}/"
        if not path.is_file():
            return []
    schema = {**SCHEMAS.get(file, {}), **({"retrieved": _date} if origin == "refreshed" else {})}
    try:
        rows = read_regions(path) if file == "cloud_regions.csv" else read_rows(path, schema)
    except CatalogError as exc:
        raise CatalogError(f"{label}{exc}") from None
    return [{**row, "origin": origin, "retrieved": row.get("retrieved", "")} for row in rows]


def overlaid(file: str, rows: list[dict], over: list[dict]) -> list[dict]:
    """`rows` with every key that `over` has replaced by `over`'s rows of that key (in place; new keys last)."""
    replacing: dict[tuple, list[dict]] = {}
    for row in over:
        replacing.setdefault(overlay_key(file, row), []).append(row)
    merged, done = [], set()
    for row in rows:
        key = overlay_key(file, row)
        if key not in replacing:
            merged.append(row)
        elif key not in done:
            merged += replacing[key]
            done.add(key)
    return merged + [r for key, group in replacing.items() if key not in done for r in group]


def catalog_rows(
    file: str,
    data_dir: Path = DATA_DIR,
    overlay_dir: Path | None = None,
    origins=("bundled", "refreshed", "price book"),
) -> list[dict]:
    """A catalog file's rows in use: the bundled ones overlaid by each layer in turn."""
    rows: list[dict] = []
    for origin in origins:
        rows = overlaid(file, rows, layer_rows(file, origin, data_dir, overlay_dir))
    return rows


def noted(row: dict, today: datetime.date, months: int) -> dict:
    """A row whose `source` note says "price book" for a negotiated rate and "dated" for a figure older than
    `months` (the unmarked note stays in `plain_source`)."""
    if "source" not in row:
        return row
    source = row.get("plain_source", row["source"])
    marked = f"price book: {source}" if row.get("origin") == "price book" else source
    dated = months_old(row["as_of"], today) > months
    if dated:
        marked += f" [dated: as of {row['as_of']}, more than {months} months old]"
    return {**row, "plain_source": source, "source": marked, "dated": dated}


def _overlay_stamp(overlay_dir: Path | None) -> tuple:
    """What changes when the overlay's files do: each file's name, size and modification time."""
    if overlay_dir is None:
        return ()
    stamp = []
    for folder in OVERLAY_LAYERS.values():
        with_files = sorted((overlay_dir / folder).glob("*.csv")) if (overlay_dir / folder).is_dir() else []
        stamp += [(str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in with_files]
    return tuple(stamp)


def version(data_dir: Path = DATA_DIR, overlay_dir: Path | None = None) -> tuple:
    """What `load` is cached by (the folders, the overlay files' names, sizes and times, the day, the months after
    which a figure is dated): while it stays equal, `load` returns the same catalog."""
    overlay_dir = overlay_dir if overlay_dir is not None else catalog_dir()
    return data_dir, overlay_dir, _overlay_stamp(overlay_dir), datetime.date.today(), stale_months()


def load(data_dir: Path = DATA_DIR, overlay_dir: Path | None = None) -> Catalog:
    """The validated catalog: data/ overlaid by PLANNER_CATALOG_DIR (or `overlay_dir`), each source note marked
    "price book" or "dated" where it applies. Cached until an overlay file or the day changes (`version`)."""
    return _load(*version(data_dir, overlay_dir))


def _load_uncached(data_dir: Path = DATA_DIR, overlay_dir: Path | None = None) -> Catalog:
    overlay_dir = overlay_dir if overlay_dir is not None else catalog_dir()
    return _load.__wrapped__(data_dir, overlay_dir, (), datetime.date.today(), stale_months())


load.__wrapped__ = _load_uncached  # the uncached load, as when `load` itself was the lru_cache


@lru_cache(maxsize=4)
def _load(data_dir: Path, overlay_dir: Path | None, stamp: tuple, today: datetime.date, months: int) -> Catalog:
    def rows(file: str) -> list[dict]:
        return [noted(r, today, months) for r in catalog_rows(file, data_dir, overlay_dir)]

    hardware = rows("hardware.csv")
    _check_unique(hardware, "id", "hardware.csv")
    prices = rows("cloud_prices.csv")
    _check_tiers(prices, "cloud_prices.csv")
    instances = rows("cloud_instances.csv")
    _check_unique(instances, "id", "cloud_instances.csv")
    for row in instances:
        if not row["three_year_per_hour"] <= row["one_year_per_hour"] <= row["on_demand_per_hour"]:
            raise CatalogError(
                f"cloud_instances.csv: {row['id']}: a commitment must not cost more than on demand, "
                "nor 3 years more than 1 year"
            )
    regions = tuple(rows("cloud_regions.csv"))
    _check_unique(regions, "region", "cloud_regions.csv")
    fx_rates = rows("fx_rates.csv")
    _check_unique(fx_rates, "currency", "fx_rates.csv")
    if not {"EUR", "USD"} <= {r["currency"] for r in fx_rates}:
        raise CatalogError("fx_rates.csv: needs the EUR and USD rows (catalog prices are in USD)")
    tables = {}
    for name in ("management.csv", "connectivity.csv", "workloads.csv", "stack.csv"):
        tables[name] = tuple(rows(name))
        _check_unique(tables[name], "id", name)
    for row in tables["connectivity.csv"]:
        if row["id"] not in FIELD_BY_NAME["link_class"].options or row["id"] == NO_LINK_CLASS:
            raise CatalogError(f"connectivity.csv: class {row['id']!r} is not an option of the link_class field")
    plans = {m["id"] for m in tables["management.csv"]}
    for row in tables["stack.csv"]:
        if row["management"] and row["management"] not in plans:
            raise CatalogError(
                f"stack.csv: {row['id']} names management plan {row['management']!r}, which is not in management.csv"
            )
    carbon = tuple(rows("carbon.csv"))
    _check_unique([{**r, "key": (r["kind"], r["provider"], r["id"])} for r in carbon], "key", "carbon.csv")
    hardware_ids = {d["id"] for d in hardware}
    for row in carbon:
        if row["kind"] == "device_embodied" and row["id"] not in hardware_ids:
            raise CatalogError(f"carbon.csv: device_embodied {row['id']!r} is not a device in hardware.csv")
    regions = tuple(_with_region_carbon(r, carbon) for r in regions)
    cost_lines = tuple(rows("cost_lines.csv"))
    _check_unique(cost_lines, "id", "cost_lines.csv")
    for row in cost_lines:
        if not isinstance(FIELD_BY_NAME.get(row["field"]), NumberField):
            raise CatalogError(f"cost_lines.csv: {row['id']}: {row['field']!r} is not a numeric scenario field")
    return Catalog(
        tuple(hardware),
        tuple(prices),
        tuple(instances),
        tables["management.csv"],
        tables["connectivity.csv"],
        tables["workloads.csv"],
        tables["stack.csv"],
        load_presets(data_dir / "presets"),
        regions,
        tuple(fx_rates),
        carbon,
        cost_lines,
    )


def _with_region_carbon(region: dict, carbon: tuple[dict, ...]) -> dict:
    """A region row whose `fields` also fill the region's grid intensity and its provider's PUE (from carbon.csv),
    so choosing a region sets its emissions as well as its prices."""
    value = {(r["kind"], r["provider"], r["id"]): r["value"] for r in carbon}
    provider, region_id = region["provider"], region["region"]
    try:
        grid, pue = value[("cloud_region", provider, region_id)], value[("cloud_pue", provider, provider)]
    except KeyError as missing:
        raise CatalogError(
            f"carbon.csv: no {missing.args[0][0]} row for {provider} {region_id} "
            "(every region in cloud_regions.csv needs one)"
        ) from None
    return {**region, "fields": {**region["fields"], "cloud_grid_kgco2e_per_kwh": grid, "cloud_pue": pue}}


def presets() -> dict[str, Scenario]:
    return load().presets


def preset(name: str) -> Scenario:
    """A bundled preset by name (ScenarioError naming the choices when unknown)."""
    found = presets()
    if name not in found:
        raise ScenarioError(f"unknown preset {name!r}; choose one of {', '.join(found)}")
    return found[name]
