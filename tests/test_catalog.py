"""The bundled catalogs in data/: they load, every row is sourced and dated, bad rows are reported as
`file:line: reason`, and the presets agree with the catalog rows they name."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from planner.catalogs import catalog
from planner.catalogs.catalog import DATA_DIR, CatalogError
from planner.schema.scenario import Scenario, ScenarioError

pytestmark = pytest.mark.unit

DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
CSV_FILES = sorted(DATA_DIR.glob("*.csv"))
PRESET_FILES = sorted((DATA_DIR / "presets").glob("*.json"))


def read_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_bundled_catalogs_load():
    cat = catalog.load()
    assert len(cat.hardware) >= 5 and len(cat.cloud_prices) >= 10 and len(cat.management) >= 3
    assert len(cat.presets) >= 2 and {"retail", "manufacturing"} <= set(cat.presets)
    assert all(isinstance(s, Scenario) for s in cat.presets.values())


def test_there_are_catalog_files():
    names = {p.name for p in CSV_FILES}
    assert {"hardware.csv", "cloud_prices.csv", "management.csv"} <= names


@pytest.mark.parametrize("path", CSV_FILES, ids=lambda p: p.name)
def test_every_row_has_a_source_and_an_as_of_date(path):
    rows = read_csv(path)
    assert rows, path.name
    for line, row in enumerate(rows, start=2):
        assert (row.get("source") or "").strip(), f"{path.name}:{line}: no source"
        assert DATE.match((row.get("as_of") or "").strip()), f"{path.name}:{line}: as_of {row.get('as_of')!r}"


@pytest.mark.parametrize("path", CSV_FILES, ids=lambda p: p.name)
def test_rows_are_one_line_each(path):
    # Error messages count lines; a cell with a line break would shift every later line number.
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        for i, _ in enumerate(reader, start=1):
            assert reader.line_num == i


def test_ids_are_unique():
    cat = catalog.load()
    for rows in (cat.hardware, cat.management):
        ids = [r["id"] for r in rows]
        assert len(ids) == len(set(ids))


def test_price_schedules_start_at_zero_and_increase():
    cat = catalog.load()
    items = {r["item"] for r in cat.cloud_prices}
    for item in items:
        for key, tiers in cat.tier_schedules(item).items():
            starts = [s for s, _ in tiers]
            assert starts[0] == 0, (item, key)
            assert all(b > a for a, b in zip(starts, starts[1:])), (item, key)
            assert all(p >= 0 for _, p in tiers), (item, key)


def test_seed_article_figures_are_in_the_catalog():
    cat = catalog.load()
    server = cat.device("seed-edge-server")
    assert 5 * server["unit_price_usd"] == pytest.approx(10_000)  # "5 Edge Servers … roughly $10,000"
    assert cat.device("seed-edge-device")["unit_price_usd"] == pytest.approx(500)  # "a $500 one-time cost"
    seed_mgmt = next(r for r in cat.management if r["id"] == "seed-management")
    assert seed_mgmt["usd_per_month"] == pytest.approx(500) and seed_mgmt["basis"] == "per_site"


# ── Presets against the catalog ─────────────────────────────────────────────────────────────────────
def test_presets_load_and_match_their_files():
    found = catalog.presets()
    assert set(found) == {p.stem for p in PRESET_FILES}
    for path in PRESET_FILES:
        raw = json.loads(path.read_text(encoding="utf-8"))
        s = found[path.stem]
        assert s.name == raw["name"] and s.name.strip()
        for key, value in raw.items():
            if key.endswith("_tiers"):
                assert [(t.start, t.price) for t in getattr(s, key)] == [(t["start"], t["price"]) for t in value]
            else:
                assert getattr(s, key) == value, (path.name, key)


def test_unknown_preset_names_the_choices():
    with pytest.raises(ScenarioError, match=r"unknown preset 'nope'; choose one of .*retail"):
        catalog.preset("nope")


def _host(device: dict, key: str) -> float:
    return device.get(key) or 0.0  # accelerators that need a host computer list its price/power


def test_presets_use_their_catalog_device():
    cat = catalog.load()
    devices = {d["id"]: d for d in cat.hardware}
    checked = 0
    for key, s in cat.presets.items():
        if s.device_id not in devices:
            continue
        d = devices[s.device_id]
        assert s.device_price == pytest.approx(d["unit_price_usd"] + _host(d, "host_usd")), key
        assert s.device_watts == pytest.approx(d["watts"] + _host(d, "host_watts")), key
        assert s.device_throughput_ips == pytest.approx(d["throughput_ips"]), key
        for field, value in cat.device_fields(s.device_id).items():  # the catalog's "device → inputs" mapping
            assert getattr(s, field) == (pytest.approx(value) if isinstance(value, float) else value), key
        checked += 1
    assert checked >= 4  # every bundled preset names a catalog device


def test_presets_use_their_catalog_vision_tiers():
    cat = catalog.load()
    schedules = cat.tier_schedules("vision_per_1000_images")
    assert "aws — Amazon Rekognition Image (DetectLabels)" in schedules
    checked = []
    for key, s in cat.presets.items():
        if s.cloud_provider not in schedules:
            continue
        assert [(t.start, t.price) for t in s.inference_tiers] == schedules[s.cloud_provider], key
        checked.append(key)
    assert {"retail", "manufacturing"} <= set(checked)


def test_per_image_presets_name_a_vision_schedule():
    cat = catalog.load()
    schedules = cat.tier_schedules("vision_per_1000_images")
    for key, s in cat.presets.items():
        if s.inference_pricing == "per_image":
            assert s.cloud_provider in schedules, key


# ── Broken catalogs: `file:line: reason` ────────────────────────────────────────────────────────────
@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A private copy of data/ (catalogs and presets) to break."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit_cell(path: Path, row_index: int, column: str, value: str) -> int:
    """Set one cell of a catalog CSV; returns the file line of that row (header = line 1)."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    rows[row_index][column] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return row_index + 2


def test_the_copy_loads(data_copy):
    assert len(catalog.load(data_copy).hardware) == len(catalog.load().hardware)


@pytest.mark.parametrize(
    "file, row, column, value, reason",
    [
        ("hardware.csv", 1, "unit_price_usd", "-5", "unit_price_usd -5 is outside 0 to"),
        ("hardware.csv", 3, "watts", "lots", "watts"),
        ("hardware.csv", 0, "family", "gpu", "family 'gpu' is not one of"),
        ("hardware.csv", 2, "throughput_ips", "0", "throughput_ips 0 is outside"),
        ("cloud_prices.csv", 3, "as_of", "last week", "as_of 'last week' is not a YYYY-MM or YYYY-MM-DD date"),
        ("cloud_prices.csv", 5, "price_usd", "nan", "price_usd"),
        ("cloud_prices.csv", 0, "provider", "oracle", "provider 'oracle' is not one of"),
        ("management.csv", 1, "source", "", "source is empty"),
        ("management.csv", 2, "basis", "per_year", "basis"),
        ("cloud_instances.csv", 0, "gpu_class", "h100", "gpu_class 'h100' is not one of"),
        ("cloud_instances.csv", 2, "on_demand_per_hour", "0", "on_demand_per_hour 0 is outside"),
        ("cloud_instances.csv", 4, "as_of", "", "as_of '' is not a YYYY-MM or YYYY-MM-DD date"),
    ],
)
def test_a_bad_row_fails_with_file_line_reason(data_copy, file, row, column, value, reason):
    line = _edit_cell(data_copy / file, row, column, value)
    with pytest.raises(CatalogError) as err:
        catalog.load(data_copy)
    message = str(err.value)
    assert message.startswith(f"{file}:{line}: "), message
    assert reason in message


def test_a_commitment_dearer_than_on_demand_is_refused(data_copy):
    _edit_cell(data_copy / "cloud_instances.csv", 1, "one_year_per_hour", "9.99")
    with pytest.raises(CatalogError, match="cloud_instances.csv: aws-g6-xlarge: a commitment must not cost more"):
        catalog.load(data_copy)


def test_a_missing_column_is_reported_on_line_1(data_copy):
    path = data_copy / "hardware.csv"
    text = path.read_text(encoding="utf-8").replace(",as_of\n", ",when\n", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match=r"^hardware\.csv:1: missing columns as_of"):
        catalog.load(data_copy)


def test_a_non_utf8_catalog_is_reported(data_copy):
    path = data_copy / "management.csv"
    path.write_bytes(path.read_bytes().replace("K3s".encode(), b"K3\xe9", 1))
    with pytest.raises(CatalogError, match=r"^management\.csv: not UTF-8"):
        catalog.load(data_copy)


def test_a_missing_catalog_file_is_reported(data_copy):
    (data_copy / "cloud_prices.csv").unlink()
    with pytest.raises(CatalogError, match=r"^cloud_prices\.csv: cannot read"):
        catalog.load(data_copy)


def test_a_schedule_without_a_zero_tier_is_refused(data_copy):
    _edit_cell(data_copy / "cloud_prices.csv", 0, "tier_from", "50")  # AWS transfer-out first tier
    with pytest.raises(CatalogError, match="has no tier starting at 0"):
        catalog.load(data_copy)


def test_a_duplicate_id_is_refused(data_copy):
    path = data_copy / "hardware.csv"
    first = read_csv(path)[0]["id"]
    _edit_cell(path, 1, "id", first)
    with pytest.raises(CatalogError, match=f"duplicate id '{first}'"):
        catalog.load(data_copy)


def test_a_bad_preset_is_reported_with_its_file(data_copy):
    path = data_copy / "presets" / "retail.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["cameras"] = -1
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"^presets/retail\.json: cameras = -1 is not valid"):
        catalog.load(data_copy)


def test_a_malformed_preset_is_reported_with_its_file(data_copy):
    (data_copy / "presets" / "broken.json").write_text("{", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"^presets/broken\.json: "):
        catalog.load(data_copy)


def test_no_presets_is_an_error(data_copy):
    for path in (data_copy / "presets").glob("*.json"):
        path.unlink()
    with pytest.raises(CatalogError, match="no presets"):
        catalog.load(data_copy)


def test_a_cost_line_row_must_name_a_numeric_field(data_copy):
    _edit_cell(data_copy / "cost_lines.csv", 0, "field", "device_sizing")
    with pytest.raises(CatalogError, match=r"^cost_lines\.csv: spares-one-year-of-failures: 'device_sizing' is not"):
        catalog.load(data_copy)
