"""Cloud designs' rules by hand (fast tier, read by `make mutation`): the link classes a row buys, the designs a
scenario has (its catalog, its provider's regions, its catalog instance's rates), the skip of dominated designs, a
row's own upload, the designs set on rows, and figures and words as shown."""

import dataclasses
import math
from types import SimpleNamespace

import numpy as np
import pytest
from test_fleet_cheapest import HAND, SERVERLESS_TOTAL

from planner.catalogs import catalog
from planner.model import costs as cost_model
from planner.model import designs
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit

RETAIL = catalog.preset("retail")  # AWS per-image API, prices as entered, uploads video
GPU = catalog.preset("smart_city_gpu")  # on demand at AWS g4dn.xlarge behind its endpoint (40 % surcharge)
NO_LINKS = dataclasses.replace(catalog.load(), connectivity=())
# Two link classes with every column a row reads: uncapped, and capped at 40 GB with 0.5 USD a GB above it.
LINK_CLASSES = (
    {"id": "slow", "upload_mbps": 20.0, "usd_per_month": 50.0, "install_usd": 100.0, "allowance_gb": None,
     "usd_per_gb_over": 0.0},
    {"id": "capped", "upload_mbps": 50.0, "usd_per_month": 70.0, "install_usd": 300.0, "allowance_gb": 40.0,
     "usd_per_gb_over": 0.5},
)  # fmt: skip


# ── Link classes bought row by row (`row_upgrades`) ─────────────────────────────────────────────────────────────
def test_each_row_buys_the_least_class_that_carries_its_upload_priced_in_its_currency_within_the_bounds():
    # Every row on a 10 Mbps line (0.8 × 10 = 8 usable):
    # row 0: 16 Mbps fits slow (0.8 × 20 = 16), the first class: 100 × 2, 50 × 2, no cap (0), 0 a GB;
    # row 1: 30 Mbps needs capped (0.8 × 50 = 40): 300 × 2, 70 × 2, 40 GB (not money), 0.5 × 2 a GB;
    # row 2: 8 Mbps, its line carries it: none;
    # row 3: capped at 200 per USD: 0.5 × 200 = 100 a GB, exactly the field's maximum: bought;
    # row 4: at 400 per USD 0.5 × 400 = 200 a GB, beyond the maximum of 100: not bought, 0.
    upload, fx = np.array([16.0, 30, 8, 30, 30]), np.array([2.0, 2, 2, 200, 400])
    values, bought = designs.row_upgrades(upload, np.full(5, 10.0), fx, LINK_CLASSES)
    assert bought.tolist() == [True, True, False, True, False]
    assert {k: v.tolist() for k, v in values.items()} == {
        "link_upgrade_install": [200.0, 600.0, 0.0, 60_000.0, 0.0],
        "link_upgrade_per_month": [100.0, 140.0, 0.0, 14_000.0, 0.0],
        "link_upgrade_allowance_gb": [0.0, 40.0, 0.0, 40.0, 0.0],
        "link_upgrade_per_gb": [0.0, 1.0, 0.0, 100.0, 0.0],
    }


def test_without_link_classes_no_row_buys_one():
    values, bought = designs.row_upgrades(np.array([30.0, 5.0]), np.array([10.0, 10.0]), 1.0, ())
    assert not bought.any() and all(v.tolist() == [0.0, 0.0] for v in values.values())


# ── The designs of a scenario ────────────────────────────────────────────────────────────────────────────────────
def test_a_price_source_names_a_provider_only_by_its_catalog_prefix():
    # 'aws — …' is a catalog source of aws; 'aws enterprise agreement' typed by hand is no catalog source: custom.
    cat = catalog.load()
    assert designs.provider_of(cat, replace(RETAIL, cloud_provider="aws enterprise agreement")) is None


def test_a_region_whose_figures_the_scenario_already_has_is_no_choice():
    # Retail moved to us-east-1 (its figures applied): the choices are its own figures and AWS's two other regions.
    cat = catalog.load()
    east = replace(RETAIL, **designs.region_fields(cat, "us-east-1", RETAIL.fx_rate))
    others = [designs.region_fields(cat, r, RETAIL.fx_rate) for r in ("eu-west-1", "ap-southeast-1")]
    assert designs.region_choices(cat, east) == [{}, *others]


def test_the_designs_come_from_the_catalog_given():
    # A catalog without regions: retail keeps its prices as entered, 12 pricings × 2 uploads, none moves region.
    found = designs.evaluate(RETAIL, catalog=dataclasses.replace(catalog.load(), regions=()))
    assert found.n == 24 and not any("cloud_region" in c for c in found.changes)


def test_a_region_priced_beyond_the_bounds_in_this_currency_is_left_out_and_the_other_designs_kept():
    # At 1,000 per USD an AWS region's serverless price, 1.66667e-5 USD a GB-second, is 0.0167: beyond the field's
    # 0.01. Every design in a region is left out; the 12 pricings × 2 uploads at the figures as entered remain.
    cat = catalog.load()
    aws = [r["fields"] for r in cat.regions if r["provider"] == "aws"]
    assert aws and all(fields["serverless_per_gb_second"] * 1000 > 0.01 for fields in aws)
    found = designs.evaluate(replace(RETAIL, fx_rate=1000))
    assert found.n == 24 and not any("cloud_region" in c for c in found.changes)


def test_a_link_that_carries_the_scenario_keeps_it_first_and_every_other_design_after_it():
    # HAND uploads 4 Mbps of video, 30 Mbps carries 24: the scenario as entered first, then its 23 other designs
    # (12 pricings × 2 uploads), the link the one given.
    found = designs.evaluate(HAND, link_mbps=30.0, catalog=NO_LINKS)
    assert found.n == 24 and found.changes[0] == {} and found.changes.count({}) == 1
    assert found.link_mbps == 30.0 and found.feasible.all()


def test_a_design_whose_upgrade_is_beyond_the_bounds_is_costed_without_it():
    # At 1,000 per USD no link class fits the bounds (as test_an_upgrade_priced_beyond_the_fields_bounds…): each
    # design drops the scenario's own upgrade (10 to install, 5 a month), and its scenario is costed so.
    base = replace(HAND, fx_rate=1000, link_upgrade_install=10, link_upgrade_per_month=5)
    found = designs.evaluate(base, 1.0)
    frames = found.scenarios[1]
    assert found.changes[1] == {"cloud_upload": "frames", "link_upgrade_install": 0.0, "link_upgrade_per_month": 0.0}
    assert (frames.cloud_upload, frames.link_upgrade_install, frames.link_upgrade_per_month) == ("frames", 0, 0)


def test_a_catalog_instance_behind_its_endpoint_keeps_its_surcharge_in_every_commitment():
    # GPU runs g4dn.xlarge behind its endpoint (40 %) on demand: no design changes the surcharge; the 3-year designs
    # bring its 3-year rate (0.226 an hour, the catalog row's), the 1-year ones keep the 1-year rate it has (0.331).
    row = next(r for r in catalog.load().cloud_instances if r["id"] == "aws-g4dn-xlarge")
    changes = designs.design_changes(GPU)
    assert not any("instance_endpoint_surcharge_percent" in c for c in changes)
    committed = {
        (c["instance_commitment"], c.get("instance_committed_per_hour"))
        for c in changes
        if c.get("instance_commitment") in designs.COMMITTED
    }
    assert committed == {("one_year", None), ("three_year", row["three_year_per_hour"])}


def test_a_catalog_instance_committed_for_three_years_is_known_by_its_three_year_rate():
    # GPU committed for 3 years at the row's 3-year rate is still that catalog instance: its 1-year designs bring the
    # row's 1-year rate (0.331).
    row = next(r for r in catalog.load().cloud_instances if r["id"] == "aws-g4dn-xlarge")
    three = replace(GPU, instance_commitment="three_year", instance_committed_per_hour=row["three_year_per_hour"])
    changes = designs.design_changes(three)
    one_year = [c for c in changes if c.get("instance_commitment") == "one_year"]
    assert len(one_year) == 3 * 2  # 3 upfronts × 2 uploads
    assert all(c["instance_committed_per_hour"] == row["one_year_per_hour"] for c in one_year)


# ── The skip of dominated designs (`_dominated`), on designs that differ in one price ────────────────────────────
def _skipped(variants: list[dict], carbon_price: float = 0.0) -> list[bool]:
    """Whether each design (HAND with one variant's fields, every column its own) is skipped on HAND's row."""
    row = replace(HAND, carbon_price_per_tonne=carbon_price)
    designs_batch = cost_model.batch([replace(row, **v) for v in variants])
    set_by_design = {k: np.ones(len(variants), bool) for k in designs_batch.columns}
    rows = cost_model.batch([row])
    return designs._dominated(rows, designs_batch, set_by_design, np.arange(1))[:, 0].tolist()


def test_a_design_is_skipped_when_any_earlier_one_has_no_dearer_tier():
    # Per-image prices 3, 1, 2, 0.5: design 1 undercuts design 0; design 2 is dearer than design 1 (though not than
    # design 0): skipped; design 3 undercuts all.
    prices = [3.0, 1.0, 2.0, 0.5]
    assert _skipped([{"inference_tiers": [{"start": 0, "price": p}]} for p in prices]) == [False, False, True, False]


def test_a_design_is_skipped_when_any_earlier_one_has_no_dearer_price():
    # Ingest at 1, 3, 2 a GB: designs 1 and 2 are dearer than design 0, both skipped; design 2 stays skipped though
    # design 1 is dearer still.
    assert _skipped([{"ingest_per_gb": p} for p in (1.0, 3.0, 2.0)]) == [False, True, True]


def test_a_cleaner_grid_is_kept_wherever_carbon_has_a_price_however_small():
    # Design 1's grid (0.3 kg/kWh) is cleaner than design 0's (0.4): at 0.5 a tonne it may cost less, kept; at no
    # price it costs the same, skipped.
    grids = [{"cloud_grid_kgco2e_per_kwh": g} for g in (0.4, 0.3)]
    assert _skipped(grids, carbon_price=0.5) == [False, False]
    assert _skipped(grids, carbon_price=0.0) == [False, True]


def test_a_design_whose_discount_starts_sooner_is_not_the_same_shape():
    # Transfer at 0.09 a GB, then 0.05 from 100 GB (design 0) or from 50 GB (design 1): the same prices, but design
    # 1's cheaper tier starts sooner, so it may cost less: kept.
    tiers = [[{"start": 0, "price": 0.09}, {"start": s, "price": 0.05}] for s in (100, 50)]
    assert _skipped([{"egress_tiers": t} for t in tiers]) == [False, False]


# ── A row's own design counts where its own upload fits (`cheapest_per_row`) ─────────────────────────────────────
def test_a_rows_own_upload_is_its_choice_else_the_bases():
    # HAND on serverless; uploads cost nothing, so every serverless design costs 24.192. A 2 Mbps link carries
    # 0.8 × 2 = 1.6: 1.2 Mbps of frames, not 4 of video.
    # The base uploads frames, the row chose video: its own design does not fit, the base's own (design 0) does.
    frames_base = replace(HAND, inference_pricing="serverless", cloud_upload="frames")
    video = {"cloud_upload": np.array(["video"], dtype=object)}
    found = designs.cheapest_per_row(frames_base, {}, video, np.array([2.0]))
    assert found.changes[found.design[0]] == {} and found.cloud_total == pytest.approx([SERVERLESS_TOTAL], rel=1e-12)
    # The base uploads video and the row has no choice of its own: its video does not fit; frames, one change away.
    video_base = replace(HAND, inference_pricing="serverless")
    found = designs.cheapest_per_row(video_base, {}, {}, np.array([2.0]))
    assert found.changes[found.design[0]] == {"cloud_upload": "frames"}
    assert found.cloud_total == pytest.approx([SERVERLESS_TOTAL], rel=1e-12)


# ── Designs set on rows ──────────────────────────────────────────────────────────────────────────────────────────
def test_a_row_kept_on_its_own_design_keeps_its_own_link_upgrade_and_price_tiers():
    # The base rents a link of its own (10 to install, 4 a month). Row 0 takes design 0 (the base's own): the
    # satellite upgrade it buys. Row 1 keeps its own: its 10 and 4, and the base's transfer prices (retail's: 0, 0.09,
    # 0.085, 0.07, 0.05 a GB), not those of any region among the base's designs.
    base = replace(RETAIL, link_upgrade_install=10.0, link_upgrade_per_month=4.0)
    rows = cost_model.batch([base], {"inference_pricing": np.array(["serverless", "serverless"], dtype=object)})
    upgrade = {"link_upgrade_install": np.array([349.0, 0.0]), "link_upgrade_per_month": np.array([65.0, 0.0])}
    found = designs.RowDesigns(np.zeros(2), np.array([0, -1]), ({},), np.ones(2, bool), (base,), upgrade)
    costed = designs.with_designs(base, rows, found)
    assert costed["link_upgrade_install"].tolist() == [349.0, 10.0]
    assert costed["link_upgrade_per_month"].tolist() == [65.0, 4.0]
    _, prices = costed.egress_tiers
    assert prices.tolist() == [[0.0, 0.09, 0.085, 0.07, 0.05]] * 2


def test_rows_on_the_bases_own_design_take_its_inputs_and_keep_their_own_region():
    # Only design 0 (the base's own, {}) is chosen, by row 0: the base's per-image pricing; it sets no region, so
    # row 0 keeps its own eu-west-1. Row 1 (−1) keeps its own serverless.
    found = designs.RowDesigns(np.zeros(2), np.array([0, -1]), ({},), np.ones(2, bool), (RETAIL,))
    own = {
        "inference_pricing": np.array(["serverless"] * 2, dtype=object),
        "cloud_region": np.array(["eu-west-1"] * 2, dtype=object),
    }
    values = designs.row_design_inputs(RETAIL, own, found, 2)
    assert values["inference_pricing"].tolist() == ["per_image", "serverless"]
    assert values["cloud_region"].tolist() == ["eu-west-1", "eu-west-1"]


# ── Figures and words as shown ───────────────────────────────────────────────────────────────────────────────────
def test_a_designs_figures_never_show_a_negative_zero():
    # A finance whose money figures are all −0.0: every figure shown is +0.0 (no "-0" on screen or in a file).
    zero = np.array([-0.0])
    finance = SimpleNamespace(
        cloud_running_monthly=zero.reshape(1, 1),
        cloud_upfront=zero.reshape(1, 1),
        cloud_total=zero,
        npv_savings=zero,
        edge_total=zero,
        savings_total=zero,
        break_even_month=np.array([np.nan]),
    )
    found = designs.Designs(HAND, (HAND,), ({},), np.array([4.0]), np.array([True]), None, finance, 0, 0)
    figures = found.figures(0)
    money = ("monthly_cost", "upfront", "total_cost", "npv_savings", "edge_total_cost", "savings_total")
    assert all(math.copysign(1.0, figures[k]) == 1.0 for k in money), figures
    assert math.copysign(1.0, found.monthly_cost(0)) == math.copysign(1.0, found.upfront(0)) == 1.0


def test_a_design_in_a_catalog_region_says_the_region():
    values = {k: getattr(RETAIL, k) for k in designs.DESIGN_INPUTS} | {"cloud_region": "us-east-1"}
    assert designs.design_words(values).endswith("; region: AWS · US East (N. Virginia) (us-east-1)")


def test_a_catalog_instances_rates_are_its_source_not_the_scenarios_own():
    # GPU's instance is a catalog one (g4dn.xlarge): its entry and the transfer entry, no "own figures" line.
    lines = designs.sources_text(GPU)
    assert [line.split(",")[0].split(":")[0] for line in lines] == [
        "AWS EC2 g4dn.xlarge",
        "aws — Internet data transfer out",
    ]
