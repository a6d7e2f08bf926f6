"""The advisor's catalog columns: decode capacity with its source and date, which benchmarks are comparable
with the reference workload, and the management plan behind each orchestration choice."""

from __future__ import annotations

import shutil

import pytest

from planner.catalogs import catalog

pytestmark = pytest.mark.unit

HARDWARE = catalog.load().hardware


@pytest.mark.parametrize("device", HARDWARE, ids=lambda d: d["id"])
def test_every_device_has_a_sourced_decode_capacity(device):
    assert device["decode_1080p30_streams"] > 0
    assert device["decode_source"] and device["decode_as_of"]
    if device["decode_source"].startswith("estimate"):
        assert "decode" in device["estimate"] and "estimate" in device["estimate"]


@pytest.mark.parametrize("device", HARDWARE, ids=lambda d: d["id"])
def test_only_benchmarks_on_the_reference_model_are_comparable(device):
    assert (device["comparable"] == "yes") == device["reference_model"].startswith("YOLOv8n INT8 640x640")


def test_the_jetson_decode_figures_are_the_datasheets():
    streams = {d["id"]: d["decode_1080p30_streams"] for d in HARDWARE}
    assert (
        streams["jetson-orin-nano-super"],
        streams["jetson-orin-nx-16gb"],
        streams["jetson-orin-nx-8gb"],
        streams["jetson-agx-orin-64gb"],
    ) == (11, 18, 18, 22)


def test_every_orchestration_fee_is_in_the_management_catalog():
    plans = {m["id"] for m in catalog.load().management}
    for row in catalog.load().stack:
        assert row["management"] in plans | {""}
        assert not row["management"] or row["layer"] == "orchestration"


def test_a_stack_row_naming_an_unknown_plan_fails_at_load(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(catalog.DATA_DIR, data)
    stack = data / "stack.csv"
    stack.write_text(
        stack.read_text(encoding="utf-8").replace(",aws-iot-greengrass,", ",aws-nothing,"), encoding="utf-8"
    )
    with pytest.raises(catalog.CatalogError, match="aws-greengrass names management plan 'aws-nothing'"):
        catalog.load(data)
