"""Keeping prices current: the four feed readers (from a file and over HTTP on 127.0.0.1), the overlay, the price
book, stale marks, and the safety of a refresh. Feed samples: tests/feeds/ (see its README for their formats)."""

from __future__ import annotations

import csv
import datetime
import hashlib
import http.server
import json
import threading
import tracemalloc
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from planner.catalogs import catalog, feeds, refresh
from planner.catalogs.feeds import FeedError

pytestmark = pytest.mark.unit

FEEDS = Path(__file__).resolve().parent / "feeds"
TODAY = datetime.date(2026, 12, 7)


@contextmanager
def served(files: dict[str, bytes]):
    """An HTTP server on 127.0.0.1 in a thread, answering GET /NAME with files[NAME] (404 otherwise)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = files.get(self.path.lstrip("/").split("?")[0])
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def rows(file: str) -> list[dict]:
    return catalog.catalog_rows(file)


def figures_by_label(found) -> dict:
    return {(f.file, f.key, f.column): f for f in found}


def azure_pages(base: str) -> dict[str, bytes]:
    page1 = (FEEDS / "azure-retail-prices-page1.json").read_text().replace('"NEXT"', f'"{base}page2?$skip=6"')
    return {"prices": page1.encode(), "page2": (FEEDS / "azure-retail-prices-page2.json").read_bytes()}


# --- ECB ---------------------------------------------------------------------------------------------------


def test_ecb_daily_read_from_a_file_and_over_http_gives_the_same_rates():
    from_file = feeds.read_ecb(str(FEEDS / "eurofxref-daily.xml"), rows("fx_rates.csv"))
    with served({"eurofxref-daily.xml": (FEEDS / "eurofxref-daily.xml").read_bytes()}) as base:
        over_http = feeds.read_ecb(base + "eurofxref-daily.xml", rows("fx_rates.csv"))
    usd = figures_by_label(from_file)[("fx_rates.csv", ("USD",), "units_per_eur")]
    assert (usd.value, usd.effective) == (1.17, "2026-12-04")
    assert [(f.key, f.value) for f in from_file] == [(f.key, f.value) for f in over_http]
    assert over_http[0].url.startswith("http://127.0.0.1:")
    assert ("EUR",) not in {f.key for f in from_file}  # the base, not a feed figure
    assert "JPY" not in {f.key[0] for f in from_file}  # not in the catalog


def test_ecb_history_gives_the_rate_of_a_day_or_the_last_day_before_it():
    hist = str(FEEDS / "eurofxref-hist.xml")
    assert (
        figures_by_label(feeds.read_ecb(hist, rows("fx_rates.csv"), "2025-10-20"))[
            ("fx_rates.csv", ("USD",), "units_per_eur")
        ].value
        == 1.1645
    )
    saturday = feeds.read_ecb(hist, rows("fx_rates.csv"), "2025-10-25")  # → Tuesday 21 October
    assert {f.effective for f in saturday} == {"2025-10-21"} and saturday[0].value == 1.1607
    with pytest.raises(FeedError, match="no rates on or before 2025-01-01"):
        feeds.read_ecb(hist, rows("fx_rates.csv"), "2025-01-01")


# --- Our World in Data --------------------------------------------------------------------------------------


def test_owid_takes_each_countrys_latest_year_in_kg_per_kwh(tmp_path):
    from_file = feeds.read_owid(str(FEEDS / "carbon-intensity-electricity.csv"), rows("carbon.csv"))
    with served({"c.csv": (FEEDS / "carbon-intensity-electricity.csv").read_bytes()}) as base:
        over_http = feeds.read_owid(base + "c.csv", rows("carbon.csv"))
    found = {f.key[2]: (f.value, f.effective) for f in from_file}
    assert found == {
        "world": (0.473, "2024-12"),
        "FR": (0.0442, "2024-12"),
        "DE": (0.3441, "2024-12"),
        "FI": (0.0724, "2024-12"),
    }  # 473.0 g ÷ 1000 …; Zimbabwe not in the catalog
    assert {f.key[2]: f.value for f in over_http} == {k: v for k, (v, _) in found.items()}


# --- Azure -------------------------------------------------------------------------------------------------


def test_azure_follows_next_page_link_over_http():
    files = {}
    with served(files) as base:
        files.update(azure_pages(base))
        found = figures_by_label(feeds.read_azure(base + "prices", rows("cloud_instances.csv")))
    t4 = ("cloud_instances.csv", ("azure-nc4as-t4-v3",))
    assert found[(*t4, "on_demand_per_hour")].value == 0.526
    assert found[(*t4, "spot_per_hour")].value == 0.1578  # Spot, not Low Priority nor Windows
    assert found[(*t4, "one_year_per_hour")].value == round(2768 / 8760, 6)  # a reservation is priced per term
    assert found[(*t4, "three_year_per_hour")].value == 5256 / 26280
    egress = found[("cloud_prices.csv", ("azure", "Internet data transfer out", "transfer_out_per_gb"), "tiers")]
    assert egress.value == [(0, 0), (100, 0.087), (10240, 0.083), (51200, 0.07), (153600, 0.05)]  # from page 2
    assert egress.url.endswith("page2?$skip=6") and egress.effective == "2026-07-01"


def test_azure_saved_pages_as_a_list_and_a_page_that_stops_mid_paging(tmp_path):
    pages = [json.loads((FEEDS / f"azure-retail-prices-page{n}.json").read_text()) for n in (1, 2)]
    saved = tmp_path / "pages.json"
    saved.write_text(json.dumps(pages))
    assert len(feeds.read_azure(str(saved), rows("cloud_instances.csv"))) == 6  # 4 rates and 2 schedules
    with pytest.raises(FeedError, match="NextPageLink is set; save every page"):
        feeds.read_azure(str(FEEDS / "azure-retail-prices-page1.json"), rows("cloud_instances.csv"))


def test_azure_refreshes_each_regions_blob_price_and_its_zones_egress_tiers(tmp_path):
    page2 = str(FEEDS / "azure-retail-prices-page2.json")
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    found = refresh.read_figures("azure", [page2], overlay)
    regional = {(f.key[0], f.column): f.value for f in found if f.file == "cloud_regions.csv"}
    assert regional[("southeastasia", "egress_tiers")] == [
        (0, 0),
        (100, 0.12),
        (10240, 0.085),
        (51200, 0.082),
        (153600, 0.08),
    ]  # Zone 2
    assert regional[("westeurope", "storage_per_gb_month")] == 0.0208
    result = refresh.plan("azure", found, overlay, today=TODAY)
    assert result.lines() == [
        "cloud_regions.csv southeastasia storage_per_gb_month (Blob Hot LRS, first tier): "
        "0.0208 → 0.023 (effective 2026-05-01)",
        "7 figure(s) unchanged (now cited with the feed's date)",
    ]
    refresh.write(result, overlay)
    region = catalog.load(overlay_dir=overlay).region("southeastasia")
    assert region["fields"]["storage_per_gb_month"] == 0.023 and region["origin"] == "refreshed"
    assert region["fields"]["egress_tiers"][1] == {"start": 100, "price": 0.12}  # the tier cell read back
    # Every figure the feed gave for the row is cited (egress confirmed unchanged), at the latest effective date.
    assert region["source"].startswith(
        f"storage_per_gb_month, egress_tiers: Azure Retail Prices API, {page2} "
        "(effective 2026-07-01, retrieved 2026-12-07); inference_tiers, "
    )
    assert region["as_of"] == "2026-07-01"


# --- AWS ---------------------------------------------------------------------------------------------------


def test_aws_offer_files_from_a_file_and_over_http():
    ec2, s3 = FEEDS / "aws-offer-ec2-us-east-1.json", FEEDS / "aws-offer-s3-us-east-1.json"
    with served({"ec2.json": ec2.read_bytes(), "s3.json": s3.read_bytes()}) as base:
        over_http = feeds.read_aws(base + "ec2.json", rows("cloud_instances.csv")) + feeds.read_aws(
            base + "s3.json", rows("cloud_instances.csv")
        )
    instances = rows("cloud_instances.csv")
    from_file = feeds.read_aws(str(ec2), instances) + feeds.read_aws(str(s3), instances)
    found = figures_by_label(from_file)
    g4dn = ("cloud_instances.csv", ("aws-g4dn-xlarge",))
    assert found[(*g4dn, "on_demand_per_hour")].value == 0.526  # Linux, not the Windows SKU
    assert found[(*g4dn, "one_year_per_hour")].value == 0.3  # $1,314 ÷ 8,760 h + $0.15/h
    assert found[(*g4dn, "three_year_per_hour")].value == 0.2  # $2,628 ÷ 26,280 h + $0.10/h
    assert found[(*g4dn, "on_demand_per_hour")].effective == "2026-12-01"  # the offer's publicationDate
    assert found[("cloud_prices.csv", ("aws", "Amazon S3 Standard", "storage_per_gb_month"), "tiers")].value == [
        (0, 0.023),
        (51200, 0.022),
        (512000, 0.021),
    ]
    assert [(f.key, f.column, f.value) for f in over_http] == [(f.key, f.column, f.value) for f in from_file]


def test_aws_transfer_out_and_lambda_keep_the_catalogs_free_allowance(tmp_path):
    """The offer files price from the first GB / GB-second / request; AWS's free tier (100 GB out, 400,000 GB-s,
    1 million requests a month) is not in them, so the catalog's free first tier stays and the paid tiers follow."""
    transfer = (FEEDS / "aws-offer-datatransfer-us-east-1.json").read_text().replace('"0.0900000000"', '"0.0800000000"')
    files = {"dt.json": transfer.encode(), "lambda.json": (FEEDS / "aws-offer-lambda-us-east-1.json").read_bytes()}
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    with served(files) as base:
        found = refresh.read_figures("aws", [base + "dt.json", base + "lambda.json"], overlay)
    raw = figures_by_label(found)
    egress_group = ("aws", "Internet data transfer out", "transfer_out_per_gb")
    assert raw[("cloud_prices.csv", egress_group, "tiers")].value == [
        (0, 0.08),
        (10240, 0.085),
        (51200, 0.07),
        (153600, 0.05),
    ]  # as the offer lists it
    assert raw[("cloud_regions.csv", ("us-east-1",), "serverless_per_million_requests")].value == 0.2  # $2e-7 × 1e6
    result = refresh.plan("aws", found, overlay, today=TODAY)
    assert result.lines() == [
        "cloud_prices.csv Internet data transfer out transfer_out_per_gb tiers (first 100 free allowance kept as "
        "bundled): 0:0; 100:0.09; 10240:0.085; 51200:0.07; 153600:0.05 → 0:0; 100:0.08; 10240:0.085; 51200:0.07; "
        "153600:0.05 (effective 2026-12-01)",
        "cloud_regions.csv us-east-1 egress_tiers (first 100 free allowance kept as bundled): 0:0; 100:0.09; "
        "10240:0.085; 51200:0.07; 153600:0.05 → 0:0; 100:0.08; 10240:0.085; 51200:0.07; 153600:0.05 "
        "(effective 2026-12-01)",
        "4 figure(s) unchanged (now cited with the feed's date)",
    ]  # Lambda: 2 schedules, 2 fields
    refresh.write(result, overlay)
    cat = catalog.load(overlay_dir=overlay)
    assert cat.tier_schedules("serverless_per_gb_second")["aws — AWS Lambda (x86)"] == [
        (0, 0),
        (400000, 1.66667e-05),
        (6e9, 1.5e-05),
        (15e9, 1.33334e-05),
    ]
    assert cat.region("us-east-1")["fields"]["egress_tiers"][1] == {"start": 100, "price": 0.08}
    egress = next(r for r in cat.cloud_prices if r["item"] == "transfer_out_per_gb" and r["provider"] == "aws")
    assert egress["source"].endswith(
        "; the first tier's free allowance kept as bundled (AWS free tier, not in the offer file)"
    )


def _generated_offer(path: Path, decoys: int) -> None:
    """An EC2 offer file of `decoys` products the catalog does not use, written entry by entry, then the sample's."""
    sample = json.loads((FEEDS / "aws-offer-ec2-us-east-1.json").read_text())
    with path.open("w") as out:
        out.write(
            '{"formatVersion":"v1.0","offerCode":"AmazonEC2","version":"1","publicationDate":'
            '"2026-12-01T12:00:00Z","products":{'
        )
        for n in range(decoys):
            product = {
                "sku": f"DECOY{n:011d}",
                "productFamily": "Compute Instance",
                "attributes": {
                    "instanceType": f"x{n}.large",
                    "operatingSystem": "Linux",
                    "tenancy": "Shared",
                    "preInstalledSw": "NA",
                    "capacitystatus": "Used",
                    "regionCode": "us-east-1",
                    "usagetype": f"BoxUsage:x{n}.large",
                    "servicecode": "AmazonEC2",
                },
            }
            out.write(json.dumps(product["sku"]) + ":" + json.dumps(product) + ",")
        out.write(json.dumps(sample["products"])[1:] + ',"terms":{"OnDemand":{')
        for n in range(decoys):
            out.write(f'"DECOY{n:011d}":' + json.dumps(sample["terms"]["OnDemand"]["M5LINUX000000001"]) + ",")
        out.write(
            json.dumps(sample["terms"]["OnDemand"])[1:]
            + ',"Reserved":'
            + json.dumps(sample["terms"]["Reserved"])
            + "}}"
        )


def test_aws_offer_file_is_read_as_a_stream_in_bounded_memory(tmp_path):
    offer = tmp_path / "index.json"
    _generated_offer(offer, 12_000)
    size = offer.stat().st_size
    assert size > 8 * 2**20  # a multi-megabyte offer file
    tracemalloc.start()
    try:
        found = feeds.read_aws(str(offer), rows("cloud_instances.csv"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * 2**20 < size / 4  # not the document in memory
    assert figures_by_label(found)[("cloud_instances.csv", ("aws-g4dn-xlarge",), "one_year_per_hour")].value == 0.3


# --- refused feeds change nothing ---------------------------------------------------------------------------


def _truncated(name: str, tmp_path: Path) -> str:
    data = (FEEDS / name).read_bytes()
    path = tmp_path / name
    path.write_bytes(data[: len(data) * 2 // 3])
    return str(path)


@pytest.mark.parametrize(
    "source, name, message",
    [
        ("ecb", "eurofxref-daily.xml", "not well-formed XML"),
        ("aws", "aws-offer-ec2-us-east-1.json", "truncated|malformed"),
        ("azure", "azure-retail-prices-page2.json", "not JSON"),
    ],
)
def test_a_truncated_feed_is_refused_naming_why(source, name, message, tmp_path):
    with pytest.raises(FeedError, match=message):
        refresh.read_figures(source, [_truncated(name, tmp_path)], None)


def test_a_truncated_owid_row_is_refused(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text((FEEDS / "carbon-intensity-electricity.csv").read_text() + "Brazil,BRA\n")
    with pytest.raises(FeedError, match="line 11 has 2 columns, not 4; truncated"):
        refresh.read_figures("owid", [str(path)], None)


@pytest.mark.parametrize(
    "source, text, message",
    [
        ("azure", '{"value": []}', "no Items list"),
        (
            "aws",
            '{"offerCode": "AmazonEC2", "publicationDate": "2026-12-01", "products": {"X": {"sku": "X"}}}',
            "has no attributes",
        ),
        ("aws", "[1, 2]", "not an offer file"),
        ("ecb", "<html><body>Service unavailable</body></html>", "not a eurofxref file"),
        ("owid", "country,year,value\nFrance,2024,44\n", "is not Entity,Code,Year"),
    ],
)
def test_a_feed_of_the_wrong_schema_is_refused(source, text, message, tmp_path):
    path = tmp_path / "feed"
    path.write_text(text)
    with pytest.raises(FeedError, match=message):
        refresh.read_figures(source, [str(path)], None)


def test_prices_in_another_currency_than_usd_are_refused(tmp_path):
    page = json.loads((FEEDS / "azure-retail-prices-page2.json").read_text())
    page["BillingCurrency"] = "EUR"
    (tmp_path / "eur.json").write_text(json.dumps(page))
    with pytest.raises(FeedError, match="prices in EUR, not USD"):
        refresh.read_figures("azure", [str(tmp_path / "eur.json")], None)
    cny = (FEEDS / "aws-offer-ec2-us-east-1.json").read_text().replace('"USD"', '"CNY"')
    (tmp_path / "cny.json").write_text(cny)
    with pytest.raises(FeedError, match="has no USD price"):
        refresh.read_figures("aws", [str(tmp_path / "cny.json")], None)


def _tree(folder: Path) -> dict:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_tenfold_jump_is_shown_and_refused_unless_accepted(tmp_path):
    jumped = tmp_path / "daily.xml"
    jumped.write_text((FEEDS / "eurofxref-daily.xml").read_text().replace("rate='0.8750'", "rate='8.7500'"))
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    bundled = _tree(catalog.DATA_DIR)
    result = refresh.plan("ecb", refresh.read_figures("ecb", [str(jumped)], overlay), overlay, today=TODAY)
    gbp = next(c for c in result.changes if c.label == "GBP per EUR")
    assert gbp.ratio == pytest.approx(8.75 / 0.8678) and gbp.large
    assert (
        "fx_rates.csv GBP per EUR: 0.8678 → 8.75 (effective 2026-12-04)  ← more than 3× (refused unless "
        "--accept-large-changes)" in result.lines()
    )
    with pytest.raises(FeedError, match="1 figure\\(s\\) changed by more than 3×.*nothing written"):
        refresh.write(result, overlay)
    assert _tree(overlay) == {} and catalog.load(overlay_dir=overlay).fx_rates[2]["units_per_eur"] == 0.8678
    refresh.write(result, overlay, accept_large_changes=True)
    assert catalog.load(overlay_dir=overlay).fx_rates[2]["units_per_eur"] == 8.75
    assert _tree(catalog.DATA_DIR) == bundled  # the bundled files never rewritten


# --- the overlay -------------------------------------------------------------------------------------------


def test_a_refresh_writes_the_overlay_with_its_source_and_dates_and_keeps_earlier_versions(tmp_path):
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    daily = str(FEEDS / "eurofxref-daily.xml")
    result = refresh.plan("ecb", refresh.read_figures("ecb", [daily], overlay), overlay, today=TODAY)
    assert refresh.write(result, overlay) == [overlay / "refreshed" / "fx_rates.csv"]
    usd = next(r for r in catalog.load(overlay_dir=overlay).fx_rates if r["currency"] == "USD")
    assert (usd["units_per_eur"], usd["as_of"], usd["origin"], usd["retrieved"]) == (
        1.17,
        "2026-12-04",
        "refreshed",
        "2026-12-07",
    )
    assert (
        usd["source"] == f"ECB euro foreign exchange reference rates, {daily} (effective 2026-12-04, "
        "retrieved 2026-12-07)"
    )
    hist = str(FEEDS / "eurofxref-hist.xml")  # back to 21 October 2025
    again = refresh.plan("ecb", refresh.read_figures("ecb", [hist], overlay, day="2025-10-21"), overlay, today=TODAY)
    assert [c.label for c in again.changes] == ["USD per EUR", "GBP per EUR", "CHF per EUR"]
    refresh.write(again, overlay)
    earlier = list((overlay / "history").glob("fx_rates.*.csv"))
    assert len(earlier) == 1 and "1.17" in earlier[0].read_text()
    cat = catalog.load(overlay_dir=overlay)
    assert next(r for r in cat.fx_rates if r["currency"] == "USD")["units_per_eur"] == 1.1607
    assert next(r for r in cat.fx_rates if r["currency"] == "CAD")["units_per_eur"] == 1.62  # kept from the first


def test_a_refresh_that_would_break_the_catalog_writes_nothing(tmp_path):
    """An on-demand rate below the 1-year rate fails the catalog's own check: nothing is written."""
    offer = (FEEDS / "aws-offer-ec2-us-east-1.json").read_text().replace('"0.8048000000"', '"0.3000000000"')
    (tmp_path / "ec2.json").write_text(offer)
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    result = refresh.plan("aws", refresh.read_figures("aws", [str(tmp_path / "ec2.json")], overlay), overlay)
    with pytest.raises(FeedError, match="would not load .*aws-g6-xlarge: a commitment must not cost more"):
        refresh.write(result, overlay)
    assert not (overlay / "refreshed" / "cloud_instances.csv").exists()
    assert [p.name for p in overlay.iterdir()] == ["refreshed"]  # the staging folder is gone


def test_price_book_rows_override_and_say_so(tmp_path, monkeypatch):
    overlay = tmp_path / "overlay"
    (overlay / "price_book").mkdir(parents=True)
    header = (catalog.DATA_DIR / "cloud_prices.csv").read_text().splitlines()[0]
    (overlay / "price_book" / "cloud_prices.csv").write_text(
        header + "\naws,Internet data transfer out,transfer_out_per_gb,USD per GB,0,0.05,,"
        '"Enterprise agreement 2026-118, clause 4: contracted egress rate",2026-11-01\n'
    )
    monkeypatch.setenv("PLANNER_CATALOG_DIR", str(overlay))
    cat = catalog.load()
    schedule = cat.tier_schedules("transfer_out_per_gb")["aws — Internet data transfer out"]
    assert schedule == [(0, 0.05)]  # the whole schedule replaced
    row = next(r for r in cat.cloud_prices if r["provider"] == "aws" and r["item"] == "transfer_out_per_gb")
    assert row["origin"] == "price book"
    assert row["source"] == "price book: Enterprise agreement 2026-118, clause 4: contracted egress rate"
    # A refresh of the same figure says the price book overrides it, and the price book still applies after.
    transfer = str(FEEDS / "aws-offer-datatransfer-us-east-1.json")
    result = refresh.plan("aws", refresh.read_figures("aws", [transfer], overlay), overlay)
    assert result.lines() == ["no figure changes", "2 figure(s) unchanged (now cited with the feed's date)"]
    assert [f for f in result.files["cloud_prices.csv"] if f["item"] == "transfer_out_per_gb"]
    confirmed = refresh.plan(
        "aws",
        [
            replace(f, value=[(0, 0.08)])
            for f in refresh.read_figures("aws", [transfer], overlay)
            if f.file == "cloud_prices.csv"
        ],
        overlay,
    )
    assert confirmed.changes[0].label == (
        "Internet data transfer out transfer_out_per_gb tiers (first 100 free "
        "allowance kept as bundled) (a price book row overrides it)"
    )
    refresh.write(result, overlay)
    assert catalog.load().tier_schedules("transfer_out_per_gb")["aws — Internet data transfer out"] == [(0, 0.05)]


def test_an_overlay_that_cannot_be_written_is_one_line(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the overlay folder should be")
    result = refresh.plan("ecb", refresh.read_figures("ecb", [str(FEEDS / "eurofxref-daily.xml")], None), None)
    with pytest.raises(FeedError, match=f"cannot write the catalog overlay {blocked}: "):
        refresh.write(result, blocked)


def test_figures_older_than_the_limit_are_marked_dated(monkeypatch):
    monkeypatch.delenv("PLANNER_CATALOG_DIR", raising=False)
    today = datetime.date.today()
    fx = next(r for r in catalog.load().fx_rates if r["currency"] == "USD")
    old = catalog.months_old("2025-10-21", today) > 12
    assert fx["dated"] is old and ("[dated: as of 2025-10-21, more than 12 months old]" in fx["source"]) is old
    monkeypatch.setenv("PLANNER_STALE_MONTHS", "1200")
    assert not next(r for r in catalog.load().fx_rates if r["currency"] == "USD")["dated"]
    assert catalog.months_old("2025-12-07", datetime.date(2026, 12, 7)) == 12  # not yet older than 12
    assert catalog.months_old("2025-12-08", datetime.date(2026, 12, 7)) == 11
    assert catalog.months_old("2025-11", datetime.date(2026, 12, 7)) == 13


def test_a_figure_the_feed_confirms_unchanged_is_cited_with_the_feeds_date(tmp_path):
    """g6.xlarge's $0.8048/h is in the offer file as in the catalog: no change, but no longer 'as of 2026-11'."""
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    ec2 = str(FEEDS / "aws-offer-ec2-us-east-1.json")
    result = refresh.plan("aws", refresh.read_figures("aws", [ec2], overlay), overlay, today=TODAY)
    assert [c.label for c in result.changes] == [
        "aws-g4dn-xlarge one_year_per_hour",
        "aws-g4dn-xlarge three_year_per_hour",
    ]
    refresh.write(result, overlay)
    g6 = next(r for r in catalog.load(overlay_dir=overlay).cloud_instances if r["id"] == "aws-g6-xlarge")
    assert (g6["on_demand_per_hour"], g6["as_of"], g6["origin"]) == (0.8048, "2026-12-01", "refreshed")
    assert g6["source"].startswith(
        f"on_demand_per_hour: AWS Price List bulk offer file, {ec2} (effective "
        "2026-12-01, retrieved 2026-12-07); one_year_per_hour, three_year_per_hour, "
        "spot_per_hour, partial_upfront_percent, endpoint_surcharge_percent, "
        "throughput_ips as bundled: "
    )
    assert g6["estimate"].startswith("one_year_per_hour, three_year_per_hour, spot_per_hour, ")


def test_a_bad_price_book_row_is_refused_with_its_file_and_line(tmp_path):
    overlay = tmp_path / "overlay"
    (overlay / "price_book").mkdir(parents=True)
    header = (catalog.DATA_DIR / "hardware.csv").read_text().splitlines()[0]
    (overlay / "price_book" / "hardware.csv").write_text(
        header + "\njetson-orin-nano-super,Reseller price,jetson,"
        "-5,25,0,0,67,286,m,yes,11,d,2026-03-24,,quote,2026-11\n"
    )
    with pytest.raises(
        catalog.CatalogError,
        match=f"^{overlay / 'price_book'}/hardware.csv:2: unit_price_usd -5 is outside 0 to 1e\\+06$",
    ):
        catalog.load(overlay_dir=overlay)


# --- Published copies of real responses (tests/feeds/published/, see its README) -----------------------------
PUBLISHED = FEEDS / "published"


def test_a_published_ecb_daily_file_gives_its_days_rates():
    path = PUBLISHED / "eurofxref-daily.xml"  # the ECB's file of 8 March 2017
    with served({"eurofxref-daily.xml": path.read_bytes()}) as base:
        for location in (str(path), base + "eurofxref-daily.xml"):
            found = {f.key[0]: (f.value, f.effective) for f in feeds.read_ecb(location, rows("fx_rates.csv"))}
            assert found == {
                "USD": (1.0556, "2017-03-08"),
                "GBP": (0.86753, "2017-03-08"),
                "CHF": (1.0702, "2017-03-08"),
                "CAD": (1.4193, "2017-03-08"),
                "AUD": (1.3968, "2017-03-08"),
                "NZD": (1.5219, "2017-03-08"),
                "SGD": (1.4947, "2017-03-08"),
            }


def test_a_published_ecb_history_gives_the_rate_of_a_day_or_the_friday_before_a_weekend():
    hist = str(PUBLISHED / "eurofxref-hist.xml")  # 24, 27 and 28 January 2020
    latest = figures_by_label(feeds.read_ecb(hist, rows("fx_rates.csv")))
    assert (
        latest[("fx_rates.csv", ("USD",), "units_per_eur")].value,
        latest[("fx_rates.csv", ("USD",), "units_per_eur")].effective,
    ) == (1.1005, "2020-01-28")
    sunday = feeds.read_ecb(hist, rows("fx_rates.csv"), "2020-01-26")
    assert {f.effective for f in sunday} == {"2020-01-24"}
    assert {f.key[0]: f.value for f in sunday}["GBP"] == 0.84313


def test_a_published_owid_file_gives_each_countrys_latest_year():
    path = PUBLISHED / "carbon-intensity-electricity.csv"
    with served({"c.csv": path.read_bytes()}) as base:
        for location in (str(path), base + "c.csv"):
            found = {f.key[2]: (f.value, f.effective) for f in feeds.read_owid(location, rows("carbon.csv"))}
            assert found == {
                "world": (0.473006, "2024-12"),  # 473.0065 g/kWh ÷ 1000, to 6 places (the double is just below …65)
                "FR": (0.044179, "2024-12"),  # 44.179085
                "DE": (0.34414, "2024-12"),  # 344.13992
                "AU": (0.55159, "2024-12"),  # 551.58984
                "FI": (0.072249, "2024-12"),  # 72.2488
            }  # ASEAN (Ember) and Zimbabwe are not catalog grids


def test_a_published_ec2_offer_excerpt_gives_the_on_demand_rate_not_the_capacity_block():
    """Two Linux shared-tenancy products of p4d.24xlarge in us-east-1: on demand ($32.7726 an hour) and a Capacity
    Block (marketoption CapacityBlock, $0.00 listed: blocks are priced elsewhere). Only the first is on demand."""
    p4d = {"provider": "aws", "id": "aws-p4d-24xlarge", "name": "AWS EC2 p4d.24xlarge", "region": "us-east-1"}
    path = PUBLISHED / "aws-offer-ec2-us-east-1.json"
    with served({"ec2.json": path.read_bytes()}) as base:
        for location in (str(path), base + "ec2.json"):
            [figure] = feeds.read_aws(location, [p4d])
            assert (figure.key, figure.column, figure.value, figure.effective) == (
                ("aws-p4d-24xlarge",),
                "on_demand_per_hour",
                32.7726,
                "2024-05-28",
            )


def test_a_scenario_file_carries_the_price_book_rows_its_figures_came_from(tmp_path, monkeypatch):
    """A reseller's device price in the price book: the scenario priced with it exports that row as entered; a
    scenario at another price exports none; reading the file back gives the same scenario and the rows apart."""
    from planner.exports.report import scenario_file
    from planner.plans import workspace
    from planner.schema.scenario import exported_price_book, parse_json, price_book_note, to_json
    from planner.schema.scenario import replace as replace_scenario

    overlay = tmp_path / "overlay"
    (overlay / "price_book").mkdir(parents=True)
    with open(catalog.DATA_DIR / "hardware.csv", newline="") as fh:
        reader = csv.DictReader(fh)
        seed = next(r for r in reader if r["id"] == "seed-edge-server")
    with open(overlay / "price_book" / "hardware.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, reader.fieldnames)
        writer.writeheader()
        writer.writerow(
            {**seed, "unit_price_usd": "1800", "source": "Reseller quote Q-77 (procurement)", "as_of": "2026-11-20"}
        )
    monkeypatch.setenv("PLANNER_CATALOG_DIR", str(overlay))
    scenario = replace_scenario(catalog.preset("retail"), device_price=1800)  # 1,800 USD + no host: the quote
    text = scenario_file(scenario)
    [row] = exported_price_book(text)
    assert {k: row[k] for k in ("catalog", "entry", "id", "unit_price_usd", "source", "as_of")} == {
        "catalog": "hardware.csv",
        "entry": "Edge server (seed article)",
        "id": "seed-edge-server",
        "unit_price_usd": 1800,
        "source": "Reseller quote Q-77 (procurement)",
        "as_of": "2026-11-20",
    }
    assert "device_price" in row["fields"]
    assert parse_json(text) == scenario
    plan_text = workspace.to_json(workspace.Workspace(scenario), catalog.load().price_book_rows(scenario))
    assert workspace.exported_price_book(plan_text) == [row]  # a downloaded plan file carries the same rows
    assert workspace.parse_json(plan_text) == workspace.Workspace(scenario)  # and reads back as the plan
    assert price_book_note([row]).startswith("the file carries 1 price-book row of the exporting organisation (Edge")
    assert scenario_file(replace_scenario(scenario, device_price=1900)) == to_json(
        replace_scenario(scenario, device_price=1900)
    )  # a price of one's own: the plain scenario file
