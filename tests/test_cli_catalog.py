"""`python -m planner catalog refresh|list`: dry run, writing the overlay, refusals as one line, and a report
after a refresh (new figures cited with their feed and date; a saved plan unchanged). Feeds: tests/feeds/."""

from __future__ import annotations

import json

import pytest
from test_catalog_refresh import FEEDS, served

from planner import cli
from planner.catalogs import catalog, currency, feeds, refresh
from planner.exports.report import analyse_one, source_lines, summary_json
from planner.exports.workbook import source_rows
from planner.schema.scenario import to_dict, to_json, validate

pytestmark = pytest.mark.cli


@pytest.fixture
def overlay(tmp_path, monkeypatch):
    folder = tmp_path / "catalog"
    folder.mkdir()
    monkeypatch.setenv("PLANNER_CATALOG_DIR", str(folder))
    monkeypatch.delenv("PLANNER_STALE_MONTHS", raising=False)
    return folder


def run(capsys, *args) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_dry_run_prints_old_and_new_per_figure_and_writes_nothing(overlay, capsys):
    code, out, err = run(capsys, "catalog", "refresh", "ecb", "--from", str(FEEDS / "eurofxref-daily.xml"), "--dry-run")
    assert (code, err) == (0, "")
    assert "fx_rates.csv USD per EUR: 1.1607 → 1.17 (effective 2026-12-04)\n" in out
    assert "fx_rates.csv GBP per EUR: 0.8678 → 0.875 (effective 2026-12-04)\n" in out
    assert out.endswith("0 figure(s) unchanged (now cited with the feed's date)\ndry run: nothing written\n")
    assert list(overlay.iterdir()) == []


def test_refresh_then_list_shows_origin_and_a_report_converts_at_the_new_rate(overlay, capsys):
    code, out, _ = run(capsys, "catalog", "refresh", "ecb", "--from", str(FEEDS / "eurofxref-daily.xml"))
    assert code == 0 and f"wrote {overlay / 'refreshed' / 'fx_rates.csv'}\n" in out
    code, out, _ = run(capsys, "catalog", "list", "--format", "json")
    usd = next(f for f in json.loads(out) if f["file"] == "fx_rates.csv" and f["entry"] == "USD")
    assert (usd["origin"], usd["as_of"], usd["figures"], usd["dated"]) == (
        "refreshed",
        "2026-12-04",
        {"units_per_eur": 1.17},
        False,
    )
    assert currency.reference_rate("GBP") == (round(0.875 / 1.17, 6), "2026-12-04")
    code, out, _ = run(capsys, "catalog", "list")
    usd_line = next(line for line in out.splitlines() if line.startswith("fx_rates.csv") and " USD " in line)
    assert usd_line.split()[:4] == ["fx_rates.csv", "USD", "2026-12-04", "refreshed"]
    region = next(line for line in out.splitlines() if line.startswith("cloud_regions.csv") and "eastus" in line)
    assert "bundled" in region


def test_date_is_only_for_the_ecb(overlay, capsys):
    code, _, err = run(capsys, "catalog", "refresh", "aws", "--date", "2026-01-02")
    assert code == 2 and err == "error: --date is for ecb (a day of eurofxref-hist.xml)\n"


def test_report_after_a_refresh_cites_the_feed_and_a_saved_plan_does_not_change(overlay, capsys, tmp_path):
    saved = tmp_path / "saved.json"  # a plan saved before the refresh
    saved.write_text(to_json(catalog.preset("smart_city_gpu")))
    before = json.loads(run(capsys, "report", "--scenario", str(saved), "--format", "json")[1])
    offer = (FEEDS / "aws-offer-ec2-us-east-1.json").read_bytes()
    with served({"offers/AmazonEC2/index.json": offer}) as base:
        url = base + "offers/AmazonEC2/index.json"
        code, out, err = run(capsys, "catalog", "refresh", "aws", "--from", url)
    assert (code, err) == (0, "")
    assert "cloud_instances.csv aws-g4dn-xlarge one_year_per_hour: 0.331 → 0.3 (effective 2026-12-01)\n" in out
    after = json.loads(run(capsys, "report", "--scenario", str(saved), "--format", "json")[1])
    assert saved.read_text() == to_json(catalog.preset("smart_city_gpu"))
    # The plan's own figures stay; the cheapest cloud design is a proposal priced at today's catalog, so it may move.
    derived = ("sources", "cheapest_cloud")
    assert {k: v for k, v in after.items() if k not in derived} == {k: v for k, v in before.items() if k not in derived}
    # A scenario priced at today's catalog uses the new rate and names the feed and its date.
    values = json.loads(saved.read_text()) | catalog.load().instance_fields("aws-g4dn-xlarge", True, "on_demand")
    assert values["instance_committed_per_hour"] == 0.3
    fresh = validate(values)
    cited = next(
        s
        for s in json.loads(summary_json(analyse_one(fresh)))["sources"]
        if s["entry"].startswith("AWS EC2 g4dn.xlarge")
    )
    assert cited["as_of"] == "2026-12-01"
    assert cited["source"].startswith(
        f"on_demand_per_hour, one_year_per_hour, three_year_per_hour: AWS Price List "
        f"bulk offer file, {url} (effective 2026-12-01, retrieved "
    )
    assert any("AWS Price List bulk offer file" in line for line in source_lines(fresh))


def test_a_large_change_is_shown_and_refused_in_one_line_unless_accepted(overlay, capsys, tmp_path):
    owid = tmp_path / "owid.csv"
    owid.write_text(
        (FEEDS / "carbon-intensity-electricity.csv").read_text().replace("France,FRA,2024,44.2", "France,FRA,2024,560")
    )
    code, out, err = run(capsys, "catalog", "refresh", "owid", "--from", str(owid))
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(
        "error: 1 figure(s) changed by more than 3× (first: carbon.csv grid FR (France), data year 2024: 0.056 → 0.56"
    )
    assert "carbon.csv grid FR (France), data year 2024: 0.056 → 0.56 (effective 2024-12)  ← more than 3×" in out
    assert list(overlay.iterdir()) == []
    code, out, err = run(capsys, "catalog", "refresh", "owid", "--from", str(owid), "--accept-large-changes")
    assert code == 0
    assert catalog.load().carbon_row("grid", "FR")["value"] == 0.56


def test_without_an_overlay_folder_only_a_dry_run_is_allowed(monkeypatch, capsys):
    monkeypatch.delenv("PLANNER_CATALOG_DIR", raising=False)
    code, _, err = run(capsys, "catalog", "refresh", "ecb", "--from", str(FEEDS / "eurofxref-daily.xml"))
    assert (
        code == 2
        and err == "error: set PLANNER_CATALOG_DIR to the folder for refreshed figures (data/ is never rewritten)\n"
    )


def test_the_default_public_url_unreachable_is_one_line(overlay, capsys, monkeypatch):
    assert refresh.default_locations("owid") == ["https://ourworldindata.org/grapher/carbon-intensity-electricity.csv"]
    with served({}) as base:
        monkeypatch.setitem(feeds.PUBLIC_URLS, "owid", base + "missing.csv")
        code, _, err = run(capsys, "catalog", "refresh", "owid")
    assert code == 2 and err == f"error: cannot fetch {base}missing.csv: HTTP 404 Not Found\n"
    monkeypatch.setitem(feeds.PUBLIC_URLS, "owid", base + "missing.csv")  # the server is gone: refused
    code, _, err = run(capsys, "catalog", "refresh", "owid")
    assert code == 2 and err.startswith(f"error: cannot fetch {base}missing.csv: ") and err.count("\n") == 1


def test_stale_figures_are_marked_in_the_report_json_workbook_and_list(overlay, capsys, monkeypatch):
    monkeypatch.setenv("PLANNER_STALE_MONTHS", "0")  # everything before this month is dated
    scenario = catalog.preset("smart_city_gpu")
    today = __import__("datetime").date.today()
    for s in json.loads(summary_json(analyse_one(scenario)))["sources"]:
        if ";" not in s["as_of"]:
            assert ("[dated: as of" in s["source"]) is (catalog.months_old(s["as_of"], today) > 0)
    assert any("more than 0 months old]" in line for line in source_lines(scenario))
    assert any("[dated: as of" in row[5] for row in source_rows(scenario))  # the workbook's Sources sheet
    code, out, _ = run(capsys, "catalog", "list", "--stale", "--format", "json")
    listed = json.loads(out)
    assert listed and all(f["dated"] for f in listed)
    monkeypatch.setenv("PLANNER_STALE_MONTHS", "twelve")
    code, _, err = run(capsys, "catalog", "list", "--stale")
    assert code == 2 and err == "error: PLANNER_STALE_MONTHS 'twelve' is not a whole number of months\n"


def test_reprice_shows_what_today_s_catalog_changes_and_writes_only_with_out(overlay, capsys, tmp_path):
    cat = catalog.load()
    saved = tmp_path / "plan.json"
    at_bundled = validate(to_dict(catalog.preset("retail")) | cat.region("southeastasia")["fields"])
    saved.write_text(to_json(at_bundled))
    code, out, _ = run(capsys, "catalog", "reprice", "--scenario", str(saved))
    assert (code, out) == (0, "no input changes: the scenario is at today's catalog\n")
    page2 = str(FEEDS / "azure-retail-prices-page2.json")
    refresh.write(refresh.plan("azure", refresh.read_figures("azure", [page2], overlay), overlay), overlay)
    code, out, _ = run(capsys, "catalog", "reprice", "--scenario", str(saved))
    assert (code, out) == (0, "storage_per_gb_month: 0.0208 → 0.023\n")
    assert saved.read_text() == to_json(at_bundled)  # a saved plan never changes by itself
    out_file = tmp_path / "repriced.json"
    run(capsys, "catalog", "reprice", "--scenario", str(saved), "--out", str(out_file))
    assert validate(json.loads(out_file.read_text())).storage_per_gb_month == 0.023
    # In euros, at the scenario's own rate: 0.023 USD × its EUR-per-USD rate.
    in_eur = currency.convert(at_bundled, "EUR")
    saved.write_text(to_json(in_eur))
    new, changed = refresh.repriced(in_eur)
    assert [c[0] for c in changed] == ["storage_per_gb_month"]
    assert new.storage_per_gb_month == pytest.approx(0.023 * in_eur.fx_rate)
