"""The design search skips, exactly, the designs an earlier design of the same shape undercuts on every price
(`designs._dominated`): its premise (a dearer price never costs less) on every preset's designs, the rule worked
by hand on regions, and a varied fleet searched with and without the skip, row for row alike."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from planner.catalogs import catalog
from planner.fleet import devices as fleet_devices
from planner.fleet import inventory as fleet_inventory
from planner.model import costs as cost_model
from planner.model import designs
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit

PRESETS = ("retail", "manufacturing", "smart_city_gpu", "vessel", "oil_gas")


def _priced_carbon(name: str):
    return replace(catalog.preset(name), carbon_price_per_tonne=80.0)


@pytest.mark.parametrize("preset", PRESETS)
def test_a_dearer_price_never_costs_less(preset):
    """Every design of the preset (carbon priced, so the carbon columns cost money): each price column, and each
    price tier, raised alone by half (or from 0 to 0.01) never lowers the design's cloud TCO."""
    _, scenarios, _, _ = designs._designs_of(_priced_carbon(preset))
    b = cost_model.batch(list(scenarios))
    before = designs._cloud_total(b)
    for k in designs.PRICE_COLUMNS + designs.CARBON_COLUMNS:
        raised = dict(b.columns, **{k: np.where(b.columns[k] > 0, b.columns[k] * 1.5, 0.01)})
        after = designs._cloud_total(dataclasses.replace(b, columns=raised))
        assert (after >= before).all(), k
        assert (after > before).any(), f"{k} changes no design's cost: the test would not see a wrong direction"
    for t in designs.TIERS:
        starts, prices = getattr(b, t)
        after = designs._cloud_total(dataclasses.replace(b, **{t: (starts, prices * 1.5 + 0.001)}))
        assert (after >= before).all(), t


def test_a_region_no_cheaper_than_an_earlier_one_on_any_price_is_skipped_by_hand():
    """AWS's regions, the retail preset's base with storage dearer than every region's (0.03 a GB-month against
    0.023, 0.023, 0.025) so that its own figures undercut none: us-east-1 and eu-west-1 have the same prices (only
    their grids differ) and ap-southeast-1 dearer egress and storage. Without a carbon price, eu-west-1 and
    ap-southeast-1 are skipped after us-east-1 for every pricing and upload; with one, eu-west-1's cleaner grid
    (0.2786 kg/kWh against 0.379) keeps it and ap-southeast-1 (0.408) is still skipped. The base's own figures ({})
    come first and are never skipped."""
    for carbon_price, kept in ((0.0, {"us-east-1"}), (80.0, {"us-east-1", "eu-west-1"})):
        base = replace(catalog.preset("retail"), carbon_price_per_tonne=carbon_price, storage_per_gb_month=0.03)
        changes, _, designs_batch, set_by_design = designs._designs_of(base)
        rows = cost_model.batch([base])
        skipped = designs._dominated(rows, designs_batch, set_by_design, np.arange(1))[:, 0]
        regions = [c.get("cloud_region", "as entered") for c in changes]
        left = {r for r, s in zip(regions, skipped, strict=True) if not s}
        assert left == kept | {"as entered"}
        assert sum(not s for s in skipped) == 24 * len(kept | {"as entered"})  # 12 pricings × 2 uploads each


def test_a_row_dearer_than_a_region_keeps_the_region():
    """The figures as entered are each row's own: on a base whose storage (0.03 a GB-month) is dearer than
    us-east-1's (0.023), a row at us-east-1's price skips us-east-1 (it costs the same, and the row's own figures
    come first), a row at twice it does not."""
    base = replace(catalog.preset("retail"), storage_per_gb_month=0.03)
    changes, _, designs_batch, set_by_design = designs._designs_of(base)
    east = catalog.load().region("us-east-1")["fields"]["storage_per_gb_month"]
    rows = cost_model.batch([replace(base, storage_per_gb_month=east), replace(base, storage_per_gb_month=2 * east)])
    skipped = designs._dominated(rows, designs_batch, set_by_design, np.arange(2))
    at_east = [i for i, c in enumerate(changes) if c.get("cloud_region") == "us-east-1"]
    assert len(at_east) == 24
    assert skipped[at_east, 0].all()
    assert not skipped[at_east, 1].any()
    assert not skipped[[i for i, c in enumerate(changes) if c == {}], :].any()


def _varied_fleet(rows: int, seed: int) -> fleet_inventory.Fleet:
    """Sites of every size on thin and thick links, a third pricing carbon, a third with their own storage and
    ingest prices (some dearer, some cheaper than the catalog's regions)."""
    rng = np.random.default_rng(seed)
    table = {
        "site": [f"site {i}" for i in range(rows)],
        "count": rng.integers(1, 5, rows),
        "cameras": rng.integers(1, 120, rows),
        "analysed_fps": rng.uniform(0.1, 4, rows).round(2),
        "bitrate_mbps": rng.uniform(1, 8, rows).round(1),
        "uplink_mbps": rng.choice([2, 20, 100, 1000], rows),
        "carbon_price_per_tonne": rng.choice([0, 0, 120], rows),
        "storage_per_gb_month": rng.choice(["", "0.01", "0.05"], rows),
        "ingest_per_gb": rng.choice(["", "0", "0.02"], rows),
    }
    frame = pd.DataFrame({k: np.asarray(v).astype(str) for k, v in table.items()})
    return fleet_inventory.make_fleet(frame, catalog.preset("retail"), months=60, cloud="cheapest")


@pytest.mark.parametrize("seed", [0, 1])
def test_skipping_dominated_designs_changes_no_row(seed, monkeypatch):
    f = _varied_fleet(300, seed)
    rowwise = fleet_devices.row_inputs(f)
    overrides, choices = fleet_devices.with_devices(f, fleet_devices.choose_devices(f, rowwise), rowwise)
    link = rowwise.answer("uplink_mbps")
    skipping = designs.cheapest_per_row(f.base, overrides, choices, link)
    shown = designs._dominated(
        cost_model.batch([f.base], choices, **overrides), *designs._designs_of(f.base)[2:], np.arange(len(link))
    )
    assert shown.mean() > 0.3  # the skip is at work on this fleet
    monkeypatch.setattr(designs, "_dominated", lambda rows, d, s, at: np.zeros((d.n, rows.n), bool))
    every = designs.cheapest_per_row(f.base, overrides, choices, link)
    assert np.array_equal(skipping.design, every.design)
    assert np.array_equal(skipping.cloud_total, every.cloud_total)
    assert np.array_equal(skipping.feasible, every.feasible)
    assert skipping.pairs_costed < every.pairs_costed  # what the skip saves is counted (`make bench`'s design pairs)
