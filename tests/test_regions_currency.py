"""Cloud regions and currency conversion: the region rows against their published figures (as recorded in
data/), the ECB cross rates by hand, round trips, bad input, old files, share links and the CLI."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

from planner.catalogs import catalog, currency
from planner.cli import main
from planner.exports.report import analyse_one, read_report_section, report_csv, summary, summary_json
from planner.schema.scenario import (
    FIELD_BY_NAME,
    MONEY_FIELDS,
    ScenarioError,
    from_share_token,
    parse_json,
    replace,
    to_dict,
    to_json,
    to_share_token,
)

pytestmark = pytest.mark.unit

CAT = catalog.load()
RETAIL = catalog.preset("retail")
AWS_DTO_US = [(0, 0), (100, 0.09), (10240, 0.085), (51200, 0.07), (153600, 0.05)]
AWS_DTO_SG = [(0, 0), (100, 0.12), (10240, 0.085), (51200, 0.082), (153600, 0.08)]
REKOGNITION = [(0, 1.0), (1_000_000, 0.8), (5_000_000, 0.6), (35_000_000, 0.25)]
AZURE_ZONE1 = [(0, 0), (100, 0.087), (10240, 0.083), (51200, 0.07), (153600, 0.05)]
AZURE_ZONE2 = [(0, 0), (100, 0.12), (10240, 0.085), (51200, 0.082), (153600, 0.08)]
AZURE_VISION = [(0, 1.0), (1_000_000, 0.65), (10_000_000, 0.6), (100_000_000, 0.4)]
GCP_PREMIUM = [(0, 0), (1, 0.12), (1024, 0.11), (10240, 0.08)]
GCP_VISION = [(0, 0), (1000, 1.5), (5_000_000, 1.0)]

# region: (egress tiers, per-image tiers, ingest, serverless per GB-s, per million requests, storage, as_of)
PUBLISHED = {
    "us-east-1": (AWS_DTO_US, REKOGNITION, 0.0085, 0.0000166667, 0.2, 0.023, "2026-03-02"),
    "eu-west-1": (AWS_DTO_US, REKOGNITION, 0.0085, 0.0000166667, 0.2, 0.023, "2026-03-02"),
    "ap-southeast-1": (AWS_DTO_SG, REKOGNITION, 0.0085, 0.0000166667, 0.2, 0.025, "2026-03-02"),
    "eastus": (AZURE_ZONE1, AZURE_VISION, 0, 0.000016, 0.2, 0.0208, "2026-04-17"),
    "westeurope": (AZURE_ZONE1, AZURE_VISION, 0, 0.000016, 0.2, 0.0208, "2026-04-17"),
    "southeastasia": (AZURE_ZONE2, AZURE_VISION, 0, 0.000016, 0.2, 0.0208, "2026-04-17"),
    "us-central1": (GCP_PREMIUM, GCP_VISION, 0, (0.000024 + 2 * 0.0000025) / 2, 0.4, 0.020, "2026-09-20"),
    "europe-west4": (GCP_PREMIUM, GCP_VISION, 0, (0.000024 + 2 * 0.0000025) / 2, 0.4, 0.020, "2026-09-20"),
    "asia-southeast1": (GCP_PREMIUM, GCP_VISION, 0, (0.0000336 + 2 * 0.0000035) / 2, 0.4, 0.020, "2026-09-20"),
}


def pairs(tiers) -> list[tuple[float, float]]:
    return [(t["start"], t["price"]) for t in tiers]


# ── Region catalog ─────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("provider", ["aws", "azure", "gcp"])
def test_each_provider_has_a_us_an_eu_and_an_asia_pacific_region_with_its_published_figures(provider):
    rows = [r for r in CAT.regions if r["provider"] == provider]
    assert len(rows) >= 3
    assert {r["country"] for r in rows} >= {"United States", "Singapore"}
    for row in rows:
        egress, images, ingest, serverless, requests, storage, as_of = PUBLISHED[row["region"]]
        f = row["fields"]
        assert pairs(f["egress_tiers"]) == egress
        assert pairs(f["inference_tiers"]) == images
        assert f["ingest_per_gb"] == ingest
        assert f["serverless_per_gb_second"] == pytest.approx(serverless, rel=1e-5)
        assert f["serverless_per_million_requests"] == requests
        assert f["storage_per_gb_month"] == storage
        assert row["as_of"] == as_of and row["source"]
        assert f["cloud_provider"].startswith(f"{provider} — ")


@pytest.mark.parametrize("region", ["us-east-1", "eastus", "us-central1"])
def test_the_us_regions_equal_the_providers_price_rows(region):
    """The US rows restate cloud_prices.csv: the two catalogs cannot drift apart."""
    f = CAT.region(region)["fields"]
    assert pairs(f["inference_tiers"]) == CAT.tier_schedules("vision_per_1000_images")[f["cloud_provider"]]
    provider = CAT.region(region)["provider"]
    egress = next(v for k, v in CAT.tier_schedules("transfer_out_per_gb").items() if k.startswith(provider))
    assert pairs(f["egress_tiers"]) == egress


def test_a_figure_not_read_from_the_regions_own_page_is_marked_an_estimate():
    for region in ("eu-west-1", "ap-southeast-1", "westeurope", "southeastasia", "europe-west4", "asia-southeast1"):
        assert "not" in CAT.region(region)["estimate"]


def test_a_region_column_named_after_any_scenario_field_fills_it(tmp_path):
    """A later column (here the sites' uplink price) links in without code: its name is the field it fills."""
    text = (catalog.DATA_DIR / "cloud_regions.csv").read_text(encoding="utf-8").splitlines()
    text = [text[0] + ",uplink_per_gb"] + [line + ",0.5" for line in text[1:]]
    (tmp_path / "cloud_regions.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    assert catalog.read_regions(tmp_path / "cloud_regions.csv")[0]["fields"]["uplink_per_gb"] == 0.5
    (tmp_path / "cloud_regions.csv").write_text(
        "\n".join([text[0].replace("uplink_per_gb", "uplink_per_gbb")] + text[1:]) + "\n", encoding="utf-8"
    )
    with pytest.raises(catalog.CatalogError, match="uplink_per_gbb.*neither a region column nor a scenario field"):
        catalog.read_regions(tmp_path / "cloud_regions.csv")


def test_a_region_row_with_a_bad_figure_or_unknown_id_is_refused_with_its_line(tmp_path):
    lines = (catalog.DATA_DIR / "cloud_regions.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "cloud_regions.csv").write_text(
        "\n".join([lines[0], lines[1].replace("us-east-1", "us-east-9", 1)]), encoding="utf-8"
    )
    with pytest.raises(catalog.CatalogError, match=r"cloud_regions.csv:2: region 'us-east-9'"):
        catalog.read_regions(tmp_path / "cloud_regions.csv")
    (tmp_path / "cloud_regions.csv").write_text(
        "\n".join([lines[0], lines[1].replace("0:0; 100:0.09", "0:0; 100:x")]), encoding="utf-8"
    )
    with pytest.raises(catalog.CatalogError, match=r"cloud_regions.csv:2: egress_tiers"):
        catalog.read_regions(tmp_path / "cloud_regions.csv")


def test_great_circle_distance_by_hand():
    assert catalog.great_circle_km(0, 0, 0, 90) == pytest.approx(math.pi / 2 * 6371.0088)  # a quarter meridian
    assert catalog.great_circle_km(10, 20, 10, 20) == 0
    assert CAT.region_distance_km("us-east-1", "") is None
    assert CAT.region_distance_km("custom", "48.1, 11.6") is None
    assert CAT.region_distance_km("us-east-1", "95, 11") is None  # no such latitude
    assert catalog.parse_location("48.14, 11.58") == (48.14, 11.58)


def test_a_region_fills_the_scenario_and_its_provenance_names_it():
    s = replace(RETAIL, **CAT.region("westeurope")["fields"])
    found = {p.picker: p for p in CAT.provenance(s)}
    assert found["region"].as_of == "2026-04-17" and "West Europe" in found["region"].entry
    table = read_report_section(report_csv(analyse_one(s)), "Assumptions").set_index("field")
    assert table.loc["storage_per_gb_month", "as_of"] == "2026-04-17"


# ── Exchange rates ─────────────────────────────────────────────────────────────────────────────────
# Hand-computed from data/fx_rates.csv (ECB, 2025-10-21; units per EUR): rate per USD = units ÷ 1.1607,
# rounded to 6 decimals; a 2,000 USD device then costs 2,000 × that rate.
BY_HAND = {
    "USD": (1.0, 2000.0),
    "EUR": (0.861549, 1723.098),
    "GBP": (0.747652, 1495.304),
    "CHF": (0.79521, 1590.42),
    "CAD": (1.404411, 2808.822),
    "AUD": (1.540881, 3081.762),
    "NZD": (1.747825, 3495.65),
    "SGD": (1.297579, 2595.158),
}


def test_one_hand_computed_case_per_catalog_currency():
    assert set(BY_HAND) == {r["currency"] for r in CAT.fx_rates}
    for code, (rate, device_price) in BY_HAND.items():
        s = currency.convert(replace(RETAIL, device_price=2000), code)
        assert (s.currency, s.fx_rate) == (code, rate)
        assert s.device_price == pytest.approx(device_price, abs=1e-9)
        assert s.fx_rate_date == "2025-10-21"


def test_every_money_input_is_converted_and_nothing_else():
    eur = currency.convert(RETAIL, "EUR")
    before, after = to_dict(RETAIL), to_dict(eur)
    for name in before:
        if name in MONEY_FIELDS:
            assert after[name] == pytest.approx(before[name] * 0.861549), name
        elif name in ("inference_tiers", "egress_tiers"):
            assert [t["price"] for t in after[name]] == pytest.approx([t["price"] * 0.861549 for t in before[name]])
            assert [t["start"] for t in after[name]] == [t["start"] for t in before[name]]
        elif name not in ("currency", "fx_rate", "fx_rate_date"):
            assert after[name] == before[name], name
    assert {"device_price", "electricity_per_kwh", "management_per_month", "uplink_per_gb"} <= set(MONEY_FIELDS)
    assert "fx_rate" not in MONEY_FIELDS and all("{cur}" in FIELD_BY_NAME[n].unit for n in MONEY_FIELDS)


@pytest.mark.parametrize("preset", list(catalog.presets()))
@pytest.mark.parametrize("code", ["EUR", "GBP", "NZD"])
def test_usd_to_a_currency_and_back_returns_every_price_within_a_cent(preset, code):
    original = catalog.preset(preset)
    for region in [None, *(r["region"] for r in CAT.regions)]:
        s = original if region is None else replace(original, **CAT.region(region)["fields"])
        back = currency.convert(currency.convert(s, code), "USD")
        a, b = to_dict(s), to_dict(back)
        for name in MONEY_FIELDS:
            assert abs(a[name] - b[name]) < 0.01, (name, a[name], b[name])
        for name in ("inference_tiers", "egress_tiers"):
            assert all(abs(x["price"] - y["price"]) < 0.01 for x, y in zip(a[name], b[name]))
        assert back.fx_rate == 1 and back.currency == "USD"
        assert [p.picker for p in CAT.provenance(back)] == [p.picker for p in CAT.provenance(s)]


@settings(max_examples=examples(50), deadline=None)
@given(rate=st.floats(0.01, 20), price=st.floats(0, 10_000))  # rates that keep every preset figure in range
def test_any_rate_round_trips_within_a_cent(rate, price):
    s = replace(RETAIL, device_price=price)
    back = currency.convert(currency.convert(s, "XYZ", rate), "USD", 1.0)
    assert abs(back.device_price - price) < 0.01


def test_an_override_rate_reconverts_from_the_current_rate():
    eur = currency.convert(RETAIL, "EUR")
    mine = currency.convert(eur, "EUR", 0.9)
    assert mine.device_price == pytest.approx(RETAIL.device_price * 0.9)
    assert (mine.fx_rate, mine.fx_rate_date) == (0.9, "")
    assert currency.rate_text(mine) == "0.9 EUR per USD, set by hand"


def test_bad_currency_input_gets_a_clear_message():
    with pytest.raises(ScenarioError, match="no reference exchange rate for 'XYZ'"):
        currency.convert(RETAIL, "XYZ")
    for rate in (0, -1.2, float("nan"), float("inf")):
        with pytest.raises(ScenarioError, match="is not valid: give a positive number"):
            currency.convert(RETAIL, "EUR", rate)
    with pytest.raises(
        ScenarioError, match="cannot convert to XYZ at 2 per USD: device_price = .* is not valid: allowed"
    ):
        currency.convert(replace(RETAIL, device_price=900_000), "XYZ", 2.0)  # leaves the field's range


def test_an_old_scenario_without_the_new_fields_still_loads():
    old = to_dict(RETAIL)
    for name in ("cloud_region", "site_location", "fx_rate", "fx_rate_date"):
        old.pop(name)
    s = parse_json(json.dumps({**old, "currency": "EUR"}))
    assert (s.cloud_region, s.fx_rate, s.fx_rate_date) == ("custom", 1, "")
    assert currency.rate_text(s) == "EUR as entered (no exchange rate stated)"
    assert currency.convert(s, "USD").device_price == pytest.approx(s.device_price / 0.861549)  # at the ECB rate


def test_share_links_and_files_round_trip_and_a_tampered_region_is_refused():
    s = currency.convert(replace(RETAIL, site_location="1.3, 103.8", **CAT.region("asia-southeast1")["fields"]), "SGD")
    assert from_share_token(to_share_token(s)) == s
    assert parse_json(to_json(s)) == s
    tampered = json.loads(to_json(s)) | {"cloud_region": "asia-southeast9"}
    with pytest.raises(
        ScenarioError, match="cloud_region = 'asia-southeast9' is not valid: choose one of custom, us-east-1"
    ):
        parse_json(json.dumps(tampered))
    import base64
    import zlib

    token = base64.urlsafe_b64encode(zlib.compress(json.dumps(tampered).encode())).decode()
    with pytest.raises(ScenarioError, match="cloud_region = 'asia-southeast9'"):
        from_share_token(token)
    with pytest.raises(ScenarioError, match="fx_rate = 0 is not valid"):
        parse_json(json.dumps(json.loads(to_json(s)) | {"fx_rate": 0}))


def test_the_comparison_converts_to_the_target_currency_with_a_note():
    eur = currency.convert(replace(RETAIL, name="Paris"), "EUR")
    shown, notes = currency.to_common([RETAIL, eur], eur)
    assert shown[1] is eur and shown[0].currency == "EUR"
    assert shown[0].device_price == pytest.approx(eur.device_price)
    assert len(notes) == 1 and "converted from USD to EUR at 0.861549 EUR per USD" in notes[0]
    same, none = currency.to_common([RETAIL, RETAIL], RETAIL)
    assert same == [RETAIL, RETAIL] and none == []


# ── Exports and the command line ─────────────────────────────────────────────────────────────────────
def test_every_export_states_the_rate_and_its_date():
    a = analyse_one(currency.convert(RETAIL, "GBP"))
    assert json.loads(summary_json(a))["fx_rate"] == 0.747652
    rows = read_report_section(report_csv(a), "Assumptions").set_index("field")
    assert float(rows.loc["fx_rate", "value"]) == 0.747652 and rows.loc["fx_rate_date", "value"] == "2025-10-21"
    import io

    import openpyxl

    from planner.exports.workbook import workbook_bytes

    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(a)))
    inputs = {r[0]: r[1] for r in book["Inputs"].iter_rows(values_only=True) if r[0]}
    assert inputs["fx_rate"] == 0.747652 and inputs["fx_rate_date"] == "2025-10-21"
    notes = {r[0]: r[1] for r in book["Notes"].iter_rows(values_only=True) if r[0]}
    assert "0.747652 GBP per USD, ECB reference rate of 2025-10-21" in notes["Currency"]


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_converts_at_the_catalog_or_the_given_rate(capsys):
    code, out, _ = run(capsys, "report", "--preset", "retail", "--currency", "EUR", "--format", "json")
    data = json.loads(out)
    assert code == 0 and (data["currency"], data["fx_rate"], data["fx_rate_date"]) == ("EUR", 0.861549, "2025-10-21")
    assert data["edge_capex"] == pytest.approx(summary(analyse_one(RETAIL))["edge_capex"] * 0.861549)
    code, out, _ = run(
        capsys, "report", "--preset", "retail", "--currency", "CHF", "--fx-rate", "0.8", "--format", "json"
    )
    data = json.loads(out)
    assert (data["currency"], data["fx_rate"], data["fx_rate_date"]) == ("CHF", 0.8, None)
    assert data["edge_capex"] == pytest.approx(summary(analyse_one(RETAIL))["edge_capex"] * 0.8)
    code, out, _ = run(capsys, "report", "--preset", "retail", "--currency", "EUR")
    assert "0.861549 EUR per USD, ECB reference rate of 2025-10-21" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--currency", "XYZ"], "error: no reference exchange rate for 'XYZ'"),
        (["--currency", "EUR", "--fx-rate", "0"], "error: exchange rate 0.0 is not valid"),
        (["--currency", "EUR", "--fx-rate", "-2"], "error: exchange rate -2.0 is not valid"),
        (["--fx-rate", "2"], "error: --fx-rate needs --currency CODE"),
        (["--set", "cloud_region=us-east-9"], "error: cloud_region = 'us-east-9' is not valid: choose one of"),
    ],
)
def test_cli_bad_currency_input_is_one_clear_line(capsys, argv, message):
    code, out, err = run(capsys, "report", "--preset", "retail", *argv)
    assert code == 2 and out == "" and err.startswith(message) and "Traceback" not in err


def test_cli_advice_takes_the_distance_from_the_site_and_the_region(capsys, tmp_path):
    s = replace(RETAIL, site_location="48.14, 11.58", **CAT.region("eu-west-1")["fields"])  # Munich → Dublin
    path = tmp_path / "munich.json"
    path.write_text(to_json(s), encoding="utf-8")
    km = round(catalog.great_circle_km(48.14, 11.58, 53.35, -6.26))
    code, out, _ = run(capsys, "advise", "--scenario", str(path), "--format", "json")
    latency = json.loads(out)["latency_ms"]["cloud"]["parts"]["Distance round trip"]
    assert code == 0 and latency == pytest.approx(2 * km / 200 * 1.5)
    code, out, _ = run(
        capsys, "advise", "--scenario", str(path), "--answer", "region_distance_km=100", "--format", "json"
    )
    assert json.loads(out)["latency_ms"]["cloud"]["parts"]["Distance round trip"] == pytest.approx(2 * 100 / 200 * 1.5)


def test_the_exchange_rate_is_no_sensitivity_input():
    """It enters no cost (the money inputs are already converted): a tornado bar for it would always be empty."""
    from planner.model import risk

    assert "fx_rate" not in risk.VARIABLE_INPUTS and "device_price" in risk.VARIABLE_INPUTS
    a, b = analyse_one(RETAIL), analyse_one(replace(RETAIL, fx_rate=2.0))
    assert summary(a)["cloud_total_cost"] == summary(b)["cloud_total_cost"]


def test_choosing_a_region_also_fills_its_grid_intensity_and_pue_from_the_carbon_catalog():
    cat = catalog.load()
    for region in cat.regions:
        fields, provider = region["fields"], region["provider"]
        grid = cat.carbon_row("cloud_region", region["region"], provider)["value"]
        pue = cat.carbon_row("cloud_pue", provider, provider)["value"]
        assert (fields["cloud_grid_kgco2e_per_kwh"], fields["cloud_pue"]) == (grid, pue), region["region"]
    # Singapore's grid is dirtier than Ireland's in the Cloud Carbon Footprint factors: the choice matters
    by_id = {r["region"]: r["fields"]["cloud_grid_kgco2e_per_kwh"] for r in cat.regions}
    assert by_id["ap-southeast-1"] > by_id["eu-west-1"]
