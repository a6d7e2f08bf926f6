"""The cheapest cloud design each fleet site's link carries (`designs.cheapest_per_row`): a site whose own design
(a per-image API) is dear and a serverless design cheaper, worked by hand, and every row against the single-site
search."""

from __future__ import annotations

import numpy as np
import pytest

from planner.catalogs import catalog
from planner.fleet import devices as fleet_devices
from planner.fleet import inventory as fleet_inventory
from planner.model import designs
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit

# One camera, 1 frame/s, 10 h × 30 days: 1 × 1 × 10 × 3,600 × 30 = 1,080,000 images a month, over 12 months. Uploads,
# storage and results cost nothing, so video and frames cost alike; custom prices (no provider): no catalog region.
IMAGES_PER_MONTH, MONTHS = 1_080_000, 12
HAND = replace(
    catalog.preset("retail"),
    name="Hand",
    cameras=1,
    analysed_fps=1,
    hours_per_day=10,
    days_per_month=30,
    horizon_months=MONTHS,
    cloud_provider="Custom API",
    inference_tiers=[{"start": 0, "price": 1.0}],  # per 1,000 images
    egress_tiers=[{"start": 0, "price": 0}],
    uplink_per_gb=0,
    ingest_per_gb=0,
    storage_per_gb_month=0,
    serverless_memory_gb=1,
    serverless_ms_per_inference=100,
    serverless_per_gb_second=1.66667e-5,
    serverless_per_million_requests=0.2,
    instance_per_hour=100,  # every instance design costs thousands a month
    instance_committed_per_hour=100,
    instance_spot_per_hour=100,
    instance_min_count=1,
    device_price=1000,  # one device, nothing else on the edge: its TCO is 1,000
    management_per_month=0,
    electricity_per_kwh=0,
    failure_percent_per_year=0,
    salvage_percent=0,
    feedback_percent=0,
)
OWN_TOTAL = MONTHS * IMAGES_PER_MONTH / 1000 * 1.0  # the per-image API: 12,960
SERVERLESS_TOTAL = MONTHS * IMAGES_PER_MONTH * (0.1 * 1 * 1.66667e-5 + 0.2 / 1e6)  # 1.866670e-6 per image: 24.192
EDGE_TOTAL = 1000.0


def test_the_cheapest_design_per_row_is_serverless_by_hand():
    f = fleet_inventory.make_fleet("site,count,cameras\nA,1,\nB,1,2\n", HAND)
    rowwise = fleet_devices.row_inputs(f)
    overrides, choices = fleet_devices.with_devices(f, fleet_devices.choose_devices(f, rowwise), rowwise)
    found = designs.cheapest_per_row(HAND, overrides, choices, np.array([100.0, 100.0]))
    # B has two cameras: twice the images, twice the cost.
    assert found.cloud_total == pytest.approx([SERVERLESS_TOTAL, 2 * SERVERLESS_TOTAL])
    assert [found.changes[i] for i in found.design] == [{"inference_pricing": "serverless"}] * 2
    assert found.feasible.tolist() == [True, True]
    # The same search limited to row B leaves A on its own design, costed here.
    limited = designs.cheapest_per_row(HAND, overrides, choices, np.array([100.0, 100.0]), rows=np.array([1]))
    assert limited.design.tolist() == [-1, found.design[1]] and np.isnan(limited.cloud_total[0])


def test_a_link_that_carries_no_design_keeps_the_rows_own():
    # Video at 4 Mbps and frames at 1 × 150 kB × 8 / 1000 = 1.2 Mbps: a 1 Mbps link (0.8 usable) carries neither.
    f = fleet_inventory.make_fleet("site,count\nA,1\n", HAND)
    rowwise = fleet_devices.row_inputs(f)
    overrides, choices = fleet_devices.with_devices(f, fleet_devices.choose_devices(f, rowwise), rowwise)
    found = designs.cheapest_per_row(HAND, overrides, choices, np.array([1.0]))
    assert (found.design.tolist(), found.feasible.tolist()) == ([-1], [False])
    assert found.cloud_total == pytest.approx([OWN_TOTAL])


def test_each_row_matches_the_single_site_search():
    """Every row's cheapest design is what `designs.evaluate` picks for the row as a scenario (the retail chain)."""
    f = fleet_inventory.preset("retail_chain")
    rowwise = fleet_devices.row_inputs(f)
    overrides, choices = fleet_devices.with_devices(f, fleet_devices.choose_devices(f, rowwise), rowwise)
    link = rowwise.answer("uplink_mbps")
    found = designs.cheapest_per_row(f.base, overrides, choices, link)
    for r in range(f.inventory.n):
        single = designs.evaluate(fleet_devices.row_scenario(f, r), float(link[r]))
        assert found.cloud_total[r] == pytest.approx(single.figures(single.cheapest)["total_cost"], rel=1e-12)
