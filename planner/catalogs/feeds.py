"""Readers of the providers' own public price feeds, each mapped onto catalog figures.

    ecb    the ECB euro reference rates, eurofxref-daily.xml or eurofxref-hist.xml  → fx_rates.csv
    azure  the Azure Retail Prices API (JSON pages linked by NextPageLink)           → cloud_instances.csv,
                                                                                        cloud_prices.csv
    aws    an AWS Price List bulk offer file (JSON, read as a stream)                 → cloud_instances.csv,
                                                                                        cloud_prices.csv
    owid   Our World in Data's carbon intensity of electricity CSV                    → carbon.csv (grid rows)

A reader takes the current catalog rows and a feed, and returns the figures the feed gives for them
(`Figure`: catalog file, row key, column, new value, the feed's URL and its own effective date). A feed that is
malformed, truncated, in an unexpected currency, or gives none of the catalog's figures raises FeedError naming
what was wrong; nothing is written by a reader.
"""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import IO, Iterator

HOURS_PER_YEAR = 8760  # AWS and Azure price a 1-year term as 8,760 hours, a 3-year one as 26,280
TERM_HOURS = {"1yr": HOURS_PER_YEAR, "3yr": 3 * HOURS_PER_YEAR, "1 Year": HOURS_PER_YEAR, "3 Years": 3 * HOURS_PER_YEAR}
MAX_FEED_BYTES = 64 * 1024 * 1024  # a document read whole (ECB, OWID, one Azure page); AWS is streamed
MAX_AZURE_PAGES = 200
FETCH_TIMEOUT_S = 60

PUBLIC_URLS = {
    "ecb": "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml",
    "owid": "https://ourworldindata.org/grapher/carbon-intensity-electricity.csv",
    "aws": "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/us-east-1/index.json",
    "azure": "https://prices.azure.com/api/retail/prices?currencyCode='USD'&$filter=",  # + a filter per catalog
}
FEED_NAMES = {
    "ecb": "ECB euro foreign exchange reference rates",
    "azure": "Azure Retail Prices API",
    "aws": "AWS Price List bulk offer file",
    "owid": "Our World in Data, carbon intensity of electricity (Ember and Energy Institute)",
}


class FeedError(ValueError):
    """A feed that cannot be used: the message names what was wrong (one line)."""


@dataclass(frozen=True)
class Figure:
    """One catalog figure as a feed gives it. `key` names the row (or, for a tier schedule, the group of rows)
    as catalog.overlay_key does; `value` is a number, or [(tier_from, price), …] for column 'tiers'."""

    file: str
    key: tuple
    column: str
    value: object
    label: str  # 'USD per EUR', 'aws-g4dn-xlarge on demand', …
    url: str
    effective: str  # the feed's own publication or effective date, YYYY-MM-DD or YYYY-MM


# ---------------------------------------------------------------------------------------------------------------
# Opening a feed: a local file or an http(s) URL.


def is_url(location: str) -> bool:
    return urllib.parse.urlsplit(location).scheme in ("http", "https")


def open_feed(location: str) -> IO[bytes]:
    """A binary stream of the feed at a path or an http(s) URL (FeedError naming the cause when unreachable)."""
    if is_url(location):
        import urllib.error
        import urllib.request  # here: only `catalog refresh` from a URL needs the HTTP client

        try:
            return urllib.request.urlopen(
                urllib.request.Request(location, headers={"User-Agent": "edge-planner"}), timeout=FETCH_TIMEOUT_S
            )
        except urllib.error.HTTPError as exc:
            raise FeedError(f"cannot fetch {location}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FeedError(f"cannot fetch {location}: {reason}") from None
    try:
        return open(location, "rb")
    except OSError as exc:
        raise FeedError(f"cannot read {location}: {exc.strerror}") from None


def read_all(location: str, limit: int = MAX_FEED_BYTES) -> bytes:
    try:
        with open_feed(location) as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise FeedError(f"cannot read {location}: {exc}") from None
    if len(data) > limit:
        raise FeedError(f"{location} is larger than {limit // 2**20} MB")
    if not data:
        raise FeedError(f"{location} is empty")
    return data


def _number(text, what: str) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise FeedError(f"{what}: {text!r} is not a number") from None
    if not value >= 0 or value == float("inf"):
        raise FeedError(f"{what}: {text!r} is not a price")
    return value


# ---------------------------------------------------------------------------------------------------------------
# ECB: <gesmes:Envelope><Cube><Cube time="2025-10-21"><Cube currency="USD" rate="1.1607"/>…


def read_ecb(location: str, fx_rows: list[dict], day: str | None = None) -> list[Figure]:
    """The euro reference rate of every currency in fx_rates.csv (but EUR), of the feed's latest day or of
    `day` (YYYY-MM-DD) in the history file."""
    data = read_all(location)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise FeedError("ecb: the XML declares a DOCTYPE or entities; the ECB feed has none")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise FeedError(f"ecb: not well-formed XML ({exc}); truncated?") from None
    days = {}
    for cube in root.iter():
        if cube.tag.endswith("Cube") and "time" in cube.attrib:
            days[cube.attrib["time"]] = {c.attrib.get("currency"): c.attrib.get("rate") for c in cube}
    if not days:
        raise FeedError("ecb: no <Cube time=…> element: not a eurofxref file")
    if day is None:
        day = max(days)
    elif day not in days:
        earlier = [d for d in days if d <= day]
        if not earlier:
            raise FeedError(f"ecb: no rates on or before {day} in the feed")
        day = max(earlier)  # weekends and holidays: the last published day
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
        raise FeedError(f"ecb: the date {day!r} is not YYYY-MM-DD")
    rates = days[day]
    found = []
    for row in fx_rows:
        code = row["currency"]
        if code == "EUR" or code not in rates:
            continue
        value = _number(rates[code], f"ecb: rate of {code} on {day}")
        if value == 0:
            raise FeedError(f"ecb: rate of {code} on {day} is 0")
        found.append(Figure("fx_rates.csv", (code,), "units_per_eur", value, f"{code} per EUR", location, day))
    if not found:
        raise FeedError(f"ecb: none of the catalog's currencies on {day}")
    return found


# ---------------------------------------------------------------------------------------------------------------
# Our World in Data: Entity,Code,Year,Carbon intensity of electricity - gCO2/kWh

OWID_ENTITY = {"world": "World"}  # catalog grid id → OWID entity, where the row's name differs


def read_owid(location: str, carbon_rows: list[dict]) -> list[Figure]:
    """The latest year's grid intensity [kg CO2e/kWh] of every country grid row of carbon.csv, matched by the
    row's name (the OWID entity)."""
    try:
        text = read_all(location).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FeedError("owid: not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    if (
        len(header) < 4
        or [h.lower() for h in header[:3]] != ["entity", "code", "year"]
        or "gco2" not in header[3].lower()
    ):
        raise FeedError(f"owid: header {','.join(header[:4])!r} is not Entity,Code,Year,<intensity in gCO2/kWh>")
    latest: dict[str, tuple[int, float]] = {}
    for line, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) < 4:
            raise FeedError(f"owid: line {line} has {len(row)} columns, not 4; truncated?")
        try:
            year = int(row[2])
        except ValueError:
            raise FeedError(f"owid: line {line}: year {row[2]!r} is not a number") from None
        grams = _number(row[3], f"owid: line {line}")
        if row[0] not in latest or year > latest[row[0]][0]:
            latest[row[0]] = (year, grams)
    found = []
    for row in carbon_rows:
        if row["kind"] != "grid":
            continue
        entity = OWID_ENTITY.get(row["id"], row["name"])
        if entity in latest:
            year, grams = latest[entity]
            found.append(
                Figure(
                    "carbon.csv",
                    ("grid", "", row["id"]),
                    "value",
                    round(grams / 1000, 6),
                    f"grid {row['id']} ({entity}), data year {year}",
                    location,
                    f"{year}-12",
                )
            )
    if not found:
        raise FeedError("owid: none of the catalog's grid countries in the feed")
    return found


# ---------------------------------------------------------------------------------------------------------------
# Azure Retail Prices API: {"BillingCurrency": "USD", "Items": [{…}], "NextPageLink": "…" | null, "Count": n}


def azure_sku(row: dict) -> str:
    """'Azure NC4as T4 v3' → 'Standard_NC4as_T4_v3' (the API's armSkuName)."""
    return "Standard_" + row["name"].removeprefix("Azure ").replace(" ", "_")


def azure_region(text: str) -> str:
    """'East US' → 'eastus' (the API's armRegionName)."""
    return text.lower().replace(" ", "")


# The API's tiered meters: name → the items' filter (with armRegionName: a region, or a bandwidth zone).
AZURE_METERS = {
    "blob": {"serviceName": "Storage", "productName": "General Block Blob v2", "meterName": "Hot LRS Data Stored"},
    "egress": {"serviceName": "Bandwidth", "productName": "Bandwidth", "meterName": "Standard Data Transfer Out"},
}
# cloud_prices.csv tier schedules: (provider, service, item) → (meter, armRegionName).
AZURE_TIERS = {
    ("azure", "Azure Blob Storage Hot (LRS)", "storage_per_gb_month"): ("blob", "eastus"),
    ("azure", "Internet data transfer out", "transfer_out_per_gb"): ("egress", "Zone 1"),
}
# Internet egress is priced per zone: Zone 1 is North America and Europe, Zone 2 Asia Pacific (Azure bandwidth
# pricing); the catalog's other Azure regions map here.
AZURE_ZONES = {"eastus": "Zone 1", "westeurope": "Zone 1", "southeastasia": "Zone 2"}


def azure_pages(location: str) -> Iterator[tuple[str, dict]]:
    """Each page of a Retail Prices API response: from a URL, following NextPageLink; from a saved file, the page
    it holds (or a JSON list of pages), the last of which must end the paging."""
    pages = 0
    while location:
        pages += 1
        if pages > MAX_AZURE_PAGES:
            raise FeedError(f"azure: more than {MAX_AZURE_PAGES} pages; narrow the $filter")
        try:
            document = json.loads(read_all(location))
        except (ValueError, UnicodeDecodeError) as exc:
            raise FeedError(f"azure: page {pages} is not JSON ({exc}); truncated?") from None
        saved = document if isinstance(document, list) else [document]
        for page in saved:
            if not isinstance(page, dict) or not isinstance(page.get("Items"), list):
                raise FeedError(f"azure: page {pages} has no Items list: not a Retail Prices API response")
            if page.get("BillingCurrency", "USD") != "USD":
                raise FeedError(f"azure: prices in {page['BillingCurrency']}, not USD (ask for currencyCode='USD')")
            yield location, page
        following = saved[-1].get("NextPageLink")
        if following and not is_url(location):
            raise FeedError(
                "azure: the saved copy stops at a page whose NextPageLink is set; save every page "
                "(a JSON list of the pages)"
            )
        if following and not is_url(following):
            raise FeedError(f"azure: NextPageLink {following!r} is not an http(s) URL")
        location = following if is_url(location) else None


def azure_filter(instance_rows: list[dict]) -> str:
    """The API $filter asking for the catalog's Azure GPU sizes, Blob storage and bandwidth items."""
    skus = " or ".join(f"armSkuName eq '{azure_sku(r)}'" for r in instance_rows if r["provider"] == "azure")
    tiers = " or ".join(
        "(" + " and ".join(f"{k} eq '{v}'" for k, v in spec.items()) + ")" for spec in AZURE_METERS.values()
    )
    return f"(serviceName eq 'Virtual Machines' and ({skus})) or {tiers}"


def read_azure(location: str, instance_rows: list[dict], region_rows: list[dict] = ()) -> list[Figure]:
    """Linux consumption, spot and 1-/3-year reservation rates of the catalog's Azure GPU sizes in their
    regions; the Blob storage and bandwidth tier schedules of cloud_prices.csv; and each Azure region's Blob
    Hot LRS first-tier price and its zone's egress tiers in cloud_regions.csv."""
    wanted = {(azure_sku(r), azure_region(r["region"])): r for r in instance_rows if r["provider"] == "azure"}
    rates: dict[tuple, tuple[float, str, str]] = {}  # (row id, column) → (per hour, url, effective)
    tiers: dict[tuple, dict[float, tuple[float, str, str]]] = {}  # (meter, armRegionName) → tiers
    for url, page in azure_pages(location):
        for item in page["Items"]:
            if not isinstance(item, dict):
                raise FeedError("azure: an item of Items is not an object")
            currency = item.get("currencyCode", "USD")
            if currency != "USD":
                raise FeedError(f"azure: {item.get('meterName', 'an item')} priced in {currency}, not USD")
            effective = str(item.get("effectiveStartDate", ""))[:10]
            row = wanted.get((item.get("armSkuName"), item.get("armRegionName")))
            if (
                row is not None
                and "Windows" not in str(item.get("productName", ""))
                and "Low Priority" not in str(item.get("skuName", ""))
            ):
                price = _number(item.get("retailPrice", item.get("unitPrice")), f"azure: {item.get('skuName')}")
                if item.get("type") == "Reservation":
                    term = item.get("reservationTerm")
                    if term not in ("1 Year", "3 Years"):
                        continue
                    column = "one_year_per_hour" if term == "1 Year" else "three_year_per_hour"
                    price /= TERM_HOURS[term]  # a reservation is priced for the whole term
                elif item.get("type") == "Consumption":
                    if item.get("unitOfMeasure") != "1 Hour":
                        raise FeedError(
                            f"azure: {item.get('skuName')} priced per {item.get('unitOfMeasure')!r}, not per hour"
                        )
                    column = "spot_per_hour" if "Spot" in str(item.get("skuName", "")) else "on_demand_per_hour"
                else:
                    continue
                rates[(row["id"], column)] = (price, url, effective)
            for meter, spec in AZURE_METERS.items():
                if all(item.get(k) == v for k, v in spec.items()) and item.get("type", "Consumption") == "Consumption":
                    start = _number(item.get("tierMinimumUnits", 0), f"azure: {spec['meterName']} tier")
                    price = _number(item.get("retailPrice", item.get("unitPrice")), f"azure: {spec['meterName']}")
                    tiers.setdefault((meter, item.get("armRegionName")), {})[start] = (price, url, effective)
    found = [
        Figure("cloud_instances.csv", (row_id,), column, round(price, 6), f"{row_id} {column}", url, effective)
        for (row_id, column), (price, url, effective) in sorted(rates.items())
    ]

    def schedule(meter: str, region: str | None):
        by_start = tiers.get((meter, region))
        if not by_start:
            return None
        return (
            sorted((start, price) for start, (price, _, _) in by_start.items()),
            next(iter(by_start.values()))[1],
            max(e for _, _, e in by_start.values()),
        )

    for group, (meter, region) in AZURE_TIERS.items():
        if found_tiers := schedule(meter, region):
            found.append(
                Figure("cloud_prices.csv", group, "tiers", found_tiers[0], f"{group[1]} tiers", *found_tiers[1:])
            )
    for row in region_rows:
        if row["provider"] != "azure":
            continue
        region = row["region"]
        if (blob := schedule("blob", region)) and blob[0][0][0] == 0:
            found.append(
                Figure(
                    "cloud_regions.csv",
                    (region,),
                    "storage_per_gb_month",
                    blob[0][0][1],
                    f"{region} storage_per_gb_month (Blob Hot LRS, first tier)",
                    *blob[1:],
                )
            )
        if egress := schedule("egress", AZURE_ZONES.get(region)):
            found.append(
                Figure(
                    "cloud_regions.csv",
                    (region,),
                    "egress_tiers",
                    egress[0],
                    f"{region} egress_tiers ({AZURE_ZONES[region]})",
                    *egress[1:],
                )
            )
    if not found:
        raise FeedError("azure: none of the catalog's Azure figures in the feed")
    return found


# ---------------------------------------------------------------------------------------------------------------
# AWS Price List bulk offer file, read as a stream:
# {"formatVersion", "offerCode", "version", "publicationDate", "products": {sku: {"sku", "productFamily",
#  "attributes": {…}}}, "terms": {"OnDemand": {sku: {code: {"effectiveDate", "priceDimensions": {…},
#  "termAttributes"}}}, "Reserved": {…}}}


class JsonStream:
    """A JSON document read incrementally: objects are walked key by key (`keys`) and only the values asked for
    are decoded whole (`value`), so memory holds one entry and one chunk, not the document."""

    def __init__(self, fh: IO[bytes], chunk_bytes: int = 1 << 16):
        self.fh, self.chunk_bytes = io.TextIOWrapper(fh, encoding="utf-8"), chunk_bytes
        self.buffer, self.pos, self.eof = "", 0, False
        self.decoder = json.JSONDecoder()

    def _fill(self) -> bool:
        if self.eof:
            return False
        try:
            text = self.fh.read(self.chunk_bytes)
        except UnicodeDecodeError:
            raise FeedError("aws: not UTF-8 text") from None
        if not text:
            self.eof = True
            return False
        self.buffer = self.buffer[self.pos :] + text
        self.pos = 0
        return True

    def _peek(self) -> str:
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._fill():
                raise FeedError("aws: the offer file ends early; truncated?")

    def _expect(self, char: str) -> None:
        if self._peek() != char:
            raise FeedError(f"aws: expected {char!r} at {self.buffer[self.pos : self.pos + 20]!r}: not an offer file")
        self.pos += 1

    def value(self):
        """The next value, decoded whole."""
        self._peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
                if end < len(self.buffer) or self.eof:  # a number at the buffer's end may go on
                    self.pos = end
                    return value
            except json.JSONDecodeError:
                if self.eof:
                    raise FeedError(f"aws: malformed JSON at {self.buffer[self.pos : self.pos + 40]!r}") from None
            if not self._fill():
                if self.eof and self.pos >= len(self.buffer):
                    raise FeedError("aws: the offer file ends early; truncated?")

    def keys(self) -> Iterator[str]:
        """The keys of the object that starts here; after each, the caller reads or walks its value."""
        self._expect("{")
        if self._peek() == "}":
            self.pos += 1
            return
        while True:
            if self._peek() != '"':
                raise FeedError("aws: an object key is not a string: not an offer file")
            key = self.value()
            self._expect(":")
            yield key
            if self._peek() == ",":
                self.pos += 1
                continue
            self._expect("}")
            return

    def skip(self) -> None:
        """Pass over the next value without keeping it (an object is walked entry by entry)."""
        if self._peek() == "{":
            for _ in self.keys():
                self.skip()
        else:
            self.value()


AWS_EC2_COLUMNS = {
    ("OnDemand", None): "on_demand_per_hour",
    ("Reserved", "1yr"): "one_year_per_hour",
    ("Reserved", "3yr"): "three_year_per_hour",
}
# Tiered products: meter → (the product attributes, the attribute naming the region by its AWS location name,
# the catalog's unit ÷ the offer's unit). A region row's `name` is its AWS location ('US East (N. Virginia)').
AWS_METERS = {
    "egress": (
        {"servicecode": "AWSDataTransfer", "transferType": "AWS Outbound", "toLocation": "External"},
        "fromLocation",
        1,
    ),
    "s3": ({"servicecode": "AmazonS3", "storageClass": "General Purpose", "volumeType": "Standard"}, "location", 1),
    "lambda_duration": ({"servicecode": "AWSLambda", "group": "AWS-Lambda-Duration"}, "location", 1),
    "lambda_requests": ({"servicecode": "AWSLambda", "group": "AWS-Lambda-Requests"}, "location", 1e6),  # per million
}
# cloud_prices.csv tier schedules (US East) → meter; cloud_regions.csv fields → (meter, the whole schedule?).
AWS_PRICE_GROUPS = {
    ("aws", "Internet data transfer out", "transfer_out_per_gb"): "egress",
    ("aws", "Amazon S3 Standard", "storage_per_gb_month"): "s3",
    ("aws", "AWS Lambda (x86)", "serverless_per_gb_second"): "lambda_duration",
    ("aws", "AWS Lambda (x86)", "serverless_per_million_requests"): "lambda_requests",
}
AWS_PRICE_REGION = "us-east-1"
AWS_REGION_FIELDS = {
    "egress_tiers": ("egress", True),
    "storage_per_gb_month": ("s3", False),
    "serverless_per_gb_second": ("lambda_duration", False),
    "serverless_per_million_requests": ("lambda_requests", False),
}


def _aws_price(dimension: dict, what: str) -> float:
    prices = dimension.get("pricePerUnit")
    if not isinstance(prices, dict) or "USD" not in prices:
        raise FeedError(f"aws: {what} has no USD price (pricePerUnit {sorted(prices or {})}); a USD offer is needed")
    return _number(prices["USD"], f"aws: {what}")


def read_aws(location: str, instance_rows: list[dict], region_rows: list[dict] = ()) -> list[Figure]:
    """From an offer file, read as a stream: of EC2, the Linux, shared-tenancy on-demand rate of each catalog EC2
    instance and its 1- and 3-year standard partial-upfront reserved rate as an effective hourly rate (upfront ÷
    term hours + hourly); of S3, data transfer and Lambda, the tier schedules of cloud_prices.csv (US East) and the
    fields of each AWS region in cloud_regions.csv."""
    wanted = {(r["name"].split()[-1], r["region"]): r for r in instance_rows if r["provider"] == "aws"}
    regions = {r["name"]: r["region"] for r in region_rows if r["provider"] == "aws"}
    regions.setdefault("US East (N. Virginia)", AWS_PRICE_REGION)
    skus: dict[str, tuple[str, object]] = {}  # sku → ('instance', row) or ('tiers', (meter, region id))
    header: dict = {}
    rates: dict[tuple, float] = {}
    tiers: dict[tuple, list[tuple[float, float]]] = {}
    with open_feed(location) as fh:
        stream = JsonStream(fh)
        try:
            for key in stream.keys():
                if key == "products":
                    for sku in stream.keys():
                        match = _aws_match(stream.value(), wanted, regions)
                        if match:
                            skus[sku] = match
                elif key == "terms":
                    for kind in stream.keys():
                        if kind not in ("OnDemand", "Reserved"):
                            stream.skip()
                            continue
                        for sku in stream.keys():
                            if sku not in skus:
                                stream.skip()
                                continue
                            for offer in stream.value().values():
                                _aws_term(kind, offer, skus[sku], rates, tiers)
                else:
                    header[key] = stream.value()
        except OSError as exc:
            raise FeedError(f"aws: cannot read {location}: {exc}") from None
    if "offerCode" not in header or "publicationDate" not in header:
        raise FeedError("aws: no offerCode or publicationDate: not a Price List offer file")
    published = str(header["publicationDate"])[:10]
    found = [
        Figure("cloud_instances.csv", (row_id,), column, round(value, 6), f"{row_id} {column}", location, published)
        for (row_id, column), value in sorted(rates.items())
    ]
    for group, meter in AWS_PRICE_GROUPS.items():
        if (meter, AWS_PRICE_REGION) in tiers:
            found.append(
                Figure(
                    "cloud_prices.csv",
                    group,
                    "tiers",
                    tiers[(meter, AWS_PRICE_REGION)],
                    f"{group[1]} {group[2]} tiers",
                    location,
                    published,
                )
            )
    for region in regions.values():
        for column, (meter, whole) in AWS_REGION_FIELDS.items():
            schedule = tiers.get((meter, region))
            if schedule and (whole or schedule[0][0] == 0):
                found.append(
                    Figure(
                        "cloud_regions.csv",
                        (region,),
                        column,
                        schedule if whole else schedule[0][1],
                        f"{region} {column}",
                        location,
                        published,
                    )
                )
    if not found:
        raise FeedError(f"aws: none of the catalog's AWS figures in the {header['offerCode']} offer file")
    return found


def _aws_match(product, wanted: dict, regions: dict[str, str]):
    if not isinstance(product, dict) or not isinstance(product.get("attributes"), dict):
        raise FeedError("aws: a product has no attributes: not an offer file")
    a = product["attributes"]
    if a.get("instanceType") and (
        a.get("operatingSystem"),
        a.get("tenancy"),
        a.get("preInstalledSw"),
        a.get("capacitystatus"),
        a.get("marketoption", "OnDemand"),  # newer files also list Capacity Blocks (priced elsewhere, $0.00 here)
    ) == ("Linux", "Shared", "NA", "Used", "OnDemand"):
        row = wanted.get((a["instanceType"], a.get("regionCode")))
        return ("instance", row) if row else None
    for meter, (spec, where, _) in AWS_METERS.items():
        if all(a.get(k) == v for k, v in spec.items()) and a.get(where) in regions:
            return ("tiers", (meter, regions[a[where]]))
    return None


def _aws_term(kind: str, offer: dict, match: tuple, rates: dict, tiers: dict) -> None:
    dimensions = list((offer.get("priceDimensions") or {}).values()) if isinstance(offer, dict) else []
    if not dimensions:
        raise FeedError(f"aws: a {kind} term has no priceDimensions")
    what, target = match
    if what == "tiers":
        if kind == "OnDemand":
            per = AWS_METERS[target[0]][2]
            tiers[target] = sorted(
                (_number(d.get("beginRange", 0), "aws: beginRange"), round(_aws_price(d, " ".join(target)) * per, 10))
                for d in dimensions
            )
        return
    row = target
    attributes = offer.get("termAttributes") or {}
    if kind == "Reserved":
        if (attributes.get("OfferingClass"), attributes.get("PurchaseOption")) != ("standard", "Partial Upfront"):
            return
        length = attributes.get("LeaseContractLength")
        if length not in ("1yr", "3yr"):
            return
        upfront = sum(_aws_price(d, row["id"]) for d in dimensions if d.get("unit") == "Quantity")
        hourly = sum(_aws_price(d, row["id"]) for d in dimensions if d.get("unit") == "Hrs")
        rates[(row["id"], AWS_EC2_COLUMNS[("Reserved", length)])] = upfront / TERM_HOURS[length] + hourly
    else:
        hourly = [_aws_price(d, row["id"]) for d in dimensions if d.get("unit") == "Hrs"]
        if hourly:
            rates[(row["id"], "on_demand_per_hour")] = hourly[0]
