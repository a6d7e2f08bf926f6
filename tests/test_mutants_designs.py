"""Cloud designs' kernels by hand (fast tier, read by `make mutation`): a site's upload, whether a link carries it,
which link class is bought, the rounding that lets equal designs tie, and a design in words."""

import numpy as np
import pytest
from test_fleet_cheapest import HAND, IMAGES_PER_MONTH, SATELLITE, SERVERLESS_TOTAL, UPGRADED_TOTAL

from planner.catalogs import catalog
from planner.model import costs as cost_model
from planner.model import designs
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit

CLASSES = (
    {"id": "slow", "upload_mbps": 20.0, "usd_per_month": 50.0, "install_usd": 100.0},
    {"id": "mid", "upload_mbps": 50.0, "usd_per_month": 90.0, "install_usd": 200.0},
    {"id": "mid-cheap", "upload_mbps": 50.0, "usd_per_month": 70.0, "install_usd": 300.0},
    {"id": "fast", "upload_mbps": 500.0, "usd_per_month": 200.0, "install_usd": 500.0},
)


def test_site_upload_spreads_cameras_over_sites():
    # 12 cameras on 3 sites: 4 × 5 Mbps of video, or 4 × 2 frames/s × 250 kB × 8 ÷ 1000 = 16 Mbps of frames
    assert designs.site_upload_mbps(12, 3, 5.0, 2.0, 250.0) == (20.0, 16.0)


def test_a_link_carries_up_to_80_percent_of_itself():
    assert designs.carries(100.0, 80.0) and not designs.carries(100.0, 80.001)
    assert designs.carries(np.array([10.0, 10.0]), np.array([8.0, 9.0])).tolist() == [True, False]


def test_the_link_bought_is_the_least_that_carries_the_upload_above_the_sites_line():
    assert designs.link_upgrade(8.0, 10.0, CLASSES) is None  # the site's line carries it
    # 30 Mbps needs 37.5: of the 50 Mbps classes the cheaper one
    assert designs.link_upgrade(30.0, 10.0, CLASSES)["id"] == "mid-cheap"
    assert designs.link_upgrade(16.0, 10.0, CLASSES)["id"] == "slow"  # 16 ≤ 0.8 × 20
    assert designs.link_upgrade(16.0, 20.0, CLASSES) is None  # exactly 80 % of the line
    assert designs.link_upgrade(17.0, 20.0, CLASSES)["id"] == "mid-cheap"  # a class above the line
    assert designs.link_upgrade(401.0, 10.0, CLASSES) is None  # no class carries it


def test_rounding_to_nine_significant_digits_lets_float_noise_tie():
    rounded = designs._rounded(np.array([1234.5678912345, 1234.5678914, 0.0, -0.012345678912]))
    assert rounded[0] == rounded[1] == pytest.approx(1234.56789)
    assert rounded[2] == 0.0 and rounded[3] == pytest.approx(-0.0123456789, rel=1e-12)


def test_a_design_in_words():
    values = dict(
        inference_pricing="instances",
        instance_commitment="three_year",
        instance_upfront="all",
        instance_billing="always_on",
        cloud_upload="frames",
        cloud_region=designs.NO_REGION,
    )
    words = designs.design_words(values)
    field = designs.FIELD_BY_NAME
    assert words == (
        f"{field['inference_pricing'].options['instances']}, {field['instance_commitment'].options['three_year']}, "
        f"{field['instance_upfront'].options['all']}; uploads: {field['cloud_upload'].options['frames'].lower()}; "
        "region: prices as entered"
    )
    hourly = designs.design_words(values | {"instance_commitment": "spot", "instance_billing": "scale_to_zero"})
    assert field["instance_billing"].options["scale_to_zero"] in hourly
    per_image = designs.design_words(values | {"inference_pricing": "per_image"})
    assert per_image.startswith(field["inference_pricing"].options["per_image"] + "; uploads: ")


# ── The search per row (`cheapest_per_row`) at the link's edge ──────────────────────────────────────────────────
def test_a_rows_own_design_counts_only_where_its_own_upload_fits_up_to_exactly_80_percent_of_the_link():
    # HAND on serverless: one camera, video 4 Mbps, frames 1 × 1 × 150 kB × 8 / 1,000 = 1.2 Mbps; uploads cost nothing,
    # so the same design uploading frames costs what the row's own does (24.192), and a tie keeps the row's own.
    # Row 0 uploads video on a 5 Mbps link: 0.8 × 5 = 4, exactly its video: it fits, its own design stays.
    # Row 1, alike but on 4.5 Mbps (0.8 × 4.5 = 3.6 < 4): its own does not fit; the frames design, one change away.
    # Row 2 uploads frames on 5 Mbps: they fit, its own design stays.
    # Rows 3 and 4 have no camera on a 0 Mbps link: nothing to upload, which 0 × 0.8 carries; their own designs stay.
    base = replace(HAND, inference_pricing="serverless")
    choices = {"cloud_upload": np.array(["video", "video", "frames", "video", "frames"], dtype=object)}
    cameras = {"cameras": np.array([1.0, 1, 1, 0, 0])}
    found = designs.cheapest_per_row(base, cameras, choices, np.array([5.0, 4.5, 5.0, 0.0, 0.0]))
    assert found.design[[0, 2, 3, 4]].tolist() == [-1, -1, -1, -1]
    assert found.changes[found.design[1]] == {"cloud_upload": "frames"}
    assert found.cloud_total == pytest.approx([SERVERLESS_TOTAL] * 3 + [0, 0], rel=1e-12)
    assert found.feasible.all()


# ── Designs set on rows, and said in words ───────────────────────────────────────────────────────────────────────
def test_the_first_design_set_on_a_row_is_the_bases_own_and_a_row_at_minus_one_keeps_its_own():
    # Design 0 is the base's own ({}): set on row 0 (which chose serverless), it brings back the base's per-image
    # pricing; row 1 (−1) keeps its own serverless. Its fields in words are the base's design inputs, and the link
    # upgrade the row buys.
    base = catalog.preset("retail")
    rows = cost_model.batch([base], {"inference_pricing": np.array(["serverless", "serverless"], dtype=object)})
    upgrade = {"link_upgrade_install": np.array([349.0, 0.0]), "link_upgrade_per_month": np.array([65.0, 0.0])}
    found = designs.RowDesigns(np.zeros(2), np.array([0, -1]), ({},), np.ones(2, bool), (base,), upgrade)
    costed = designs.with_designs(base, rows, found)
    assert costed["per_image"].tolist() == [True, False] and costed["serverless"].tolist() == [False, True]
    assert costed["link_upgrade_install"].tolist() == [349.0, rows["link_upgrade_install"][1]]
    expected = {k: getattr(base, k) for k in designs.DESIGN_INPUTS if k != "cloud_region"}
    assert designs.design_fields(found, 0) == expected | {"link_upgrade_install": 349.0, "link_upgrade_per_month": 65.0}
    assert designs.design_fields(found, 1) == {}


def test_no_rows_in_words_is_an_empty_object_array_and_rows_are_object_text():
    empty = designs.inputs_text({k: np.array([], dtype=object) for k in designs.DESIGN_INPUTS})
    assert empty.shape == (0,) and empty.dtype == object
    retail = catalog.preset("retail")
    values = {k: np.array([getattr(retail, k)] * 2, dtype=object) for k in designs.DESIGN_INPUTS}
    words = designs.inputs_text(values)
    assert words.dtype == object and words.tolist() == [designs.design_text(retail)] * 2


def test_changes_in_words_say_each_input_once_and_a_regions_prices_by_its_line():
    retail = catalog.preset("retail")  # per-image API, no region, video, 0.526 an instance-hour
    changes = {
        "inference_pricing": "instances",
        "cloud_region": "us-east-1",
        "ingest_per_gb": 0.5,  # a region's price: said by the region's line
        "instance_per_hour": 1.25,
        "cloud_provider": "aws",  # also the region's
    }
    assert designs.changes_text(retail, changes) == [
        "Inference pricing: Per-image API (tiered) → GPU instances (provisioned)",
        "Cloud region: No region: prices as entered → AWS · US East (N. Virginia) (us-east-1) (its transfer, "
        "per-image, ingest, serverless and storage prices, grid intensity and PUE)",
        "Instance price, on demand: 0.526 → 1.25 USD/instance-hour",
    ]
    assert designs.changes_text(retail, {"cloud_upload": "frames"}) == [
        "What the site uploads: Full video streams → Analysed frames only"
    ]


def test_a_designs_sources_are_the_catalog_entries_of_the_prices_it_uses():
    retail = catalog.preset("retail")  # AWS per-image API: the Rekognition and the transfer entries
    per_image = designs.sources_text(retail)
    assert [line.split(":")[0] for line in per_image] == [
        "aws — Amazon Rekognition Image (DetectLabels)",
        "aws — Internet data transfer out",
    ]
    # On GPU instances the per-image entry no longer applies, and no catalog instance is named: said so.
    instances = designs.sources_text(replace(retail, inference_pricing="instances"))
    assert instances == [per_image[1], "GPU instance rates: the scenario's own figures (no catalog instance)"]
    # Custom prices (a per-image price and free transfer of no catalog entry): no catalog entry at all.
    assert designs.sources_text(HAND) == ["the scenario's own cloud prices (no catalog source)"]


def test_the_link_upgrade_is_the_chosen_designs_even_when_it_is_the_bases_own_design():
    # Base: HAND on serverless, uploading frames (design 0, {}). Rows 0 and 1 chose the dear per-image API uploading
    # video; row 2 chose the base's own design. On a 1 Mbps line (0.8 usable) nothing fits: row 0 buys satellite
    # (20 Mbps, 349 + 65 a month, 50 GB included, 0.5 per GB above) for the base's design, 24.192 + 349 + 12 × (65 +
    # (162 − 50) × 0.5) = 1,825.192. On 1,000 Mbps row 1 takes the base's design with no upgrade, and row 2 keeps its
    # own (a tie with design 0): neither buys anything.
    base = replace(HAND, inference_pricing="serverless", cloud_upload="frames")
    choices = {
        "inference_pricing": np.array(["per_image", "per_image", "serverless"], dtype=object),
        "cloud_upload": np.array(["video", "video", "frames"], dtype=object),
    }
    found = designs.cheapest_per_row(base, {}, choices, np.array([1.0, 1000.0, 1000.0]))
    assert found.design.tolist() == [0, 0, -1] and found.changes[0] == {}
    assert found.cloud_total == pytest.approx([UPGRADED_TOTAL, SERVERLESS_TOTAL, SERVERLESS_TOTAL], rel=1e-12)
    assert {k: v.tolist() for k, v in found.link_upgrade.items()} == {k: [v, 0.0, 0.0] for k, v in SATELLITE.items()}


def test_a_design_uploading_video_buys_what_its_video_needs_not_what_its_frames_would():
    # 20 MB frames: 1 × 1 × 20,000 kB × 8 / 1,000 = 160 Mbps of frames against 4 Mbps of video. The row chose the dear
    # per-image API; the base's own design (serverless, video) wins: its video fits the 10 Mbps line (0.8 × 10 = 8),
    # so it buys nothing, though its frames would need a class of their own. Uploads cost nothing: 24.192.
    base = replace(HAND, inference_pricing="serverless", image_kb=20_000)
    own = {"inference_pricing": np.array(["per_image"], dtype=object)}
    found = designs.cheapest_per_row(base, {}, own, np.array([10.0]))
    assert found.design.tolist() == [0] and found.scenarios[0].cloud_upload == "video"
    assert found.cloud_total == pytest.approx([SERVERLESS_TOTAL], rel=1e-12)
    assert {k: v.tolist() for k, v in found.link_upgrade.items()} == {k: [0.0] for k in SATELLITE}


def test_a_designs_figures_by_hand():
    # HAND on serverless: 1,080,000 images a month × 1.86667e-6 = 2.0160036 a month, nothing upfront, 24.192 over 12
    # months; the edge: retail's five devices at 1,000. Savings 24.192 − 5,000; at 2.016 a month they never pay back. The
    # uploads (4 Mbps of video) are not limited (no link given).
    monthly = IMAGES_PER_MONTH * (0.1 * 1 * 1.66667e-5 + 0.2 / 1e6)
    found = designs.evaluate(replace(HAND, inference_pricing="serverless"))
    figures = found.figures(found.current)
    npv, never = figures.pop("npv_savings"), figures.pop("break_even_month")
    assert never is None and figures == pytest.approx(
        {
            "monthly_cost": monthly,
            "upfront": 0.0,
            "total_cost": SERVERLESS_TOTAL,
            "edge_total_cost": 5000.0,
            "savings_total": SERVERLESS_TOTAL - 5000,
            "upload_mbps": 4.0,
            "feasible": True,
            "link_upgrade_install": 0.0,
            "link_upgrade_per_month": 0.0,
        },
        rel=1e-12,
    )
    assert -5000 < npv < SERVERLESS_TOTAL - 5000  # the savings, discounted: less than 24.192 recovered
    # Against the per-image API (1,080 a month) the 5,000 pays back within month 5: 1,080 × 4 < 5,000 < 1,080 × 5.
    dear = found.figures(found.changes.index({"inference_pricing": "per_image"}))
    assert 4 <= dear["break_even_month"] <= 5
    # With 12 %/year growth the first month is as before (growth starts after it).
    grown = designs.evaluate(replace(HAND, inference_pricing="serverless", workload_growth_percent_per_year=12))
    assert grown.monthly_cost(grown.current) == pytest.approx(monthly, rel=1e-12)
    assert grown.finance.cloud_running_monthly[grown.current, 1] > monthly * 1.009  # 1.12^(1/12) = 1.00949


def test_a_one_year_commitment_paid_upfront_is_paid_in_the_first_month():
    # One instance (1 frame/s × 1.3 headroom ÷ 400/s rounds up to the minimum, 1) at 100 an hour committed for a year,
    # all upfront: 100 × 730.5 × 12 = 876,600 in month 0, nothing more a month.
    found = designs.evaluate(HAND)
    i = found.changes.index(
        {"inference_pricing": "instances", "instance_commitment": "one_year", "instance_upfront": "all"}
    )
    assert found.upfront(i) == pytest.approx(100 * 730.5 * 12, rel=1e-12)
    assert found.monthly_cost(i) == 0.0 and found.figures(i)["upfront"] == found.upfront(i)


def test_a_search_limited_to_no_row_costs_nothing_and_keeps_every_rows_own():
    found = designs.cheapest_per_row(HAND, {}, {}, np.array([1.0, 1.0]), rows=np.array([], int))
    assert found.design.tolist() == [-1, -1] and np.isnan(found.cloud_total).all() and found.pairs_costed == 0


def test_an_upgrade_priced_beyond_the_fields_bounds_in_this_currency_is_not_bought():
    # At 1,000 per USD satellite's 0.5 per GB above its allowance is 500 per GB, beyond the field's 100: no class can be
    # bought, so no design fits HAND's 1 Mbps line (0.8 usable: neither 4 Mbps of video nor 1.2 of frames), and none
    # pays the scenario's own upgrade (10 to install, 5 a month): each design sets those to 0.
    found = designs.evaluate(replace(HAND, fx_rate=1000, link_upgrade_install=10, link_upgrade_per_month=5), 1.0)
    unlinked = {"link_upgrade_install": 0.0, "link_upgrade_per_month": 0.0}
    assert found.changes[:2] == (unlinked, {"cloud_upload": "frames"} | unlinked)
    assert not found.feasible.any() and found.cheapest is None


def test_the_provider_whose_regions_a_scenario_may_move_to():
    # Its region's provider first (an Azure region with custom prices: azure), else its price source's prefix
    # (retail's 'aws — Amazon Rekognition …', no region: aws), else none (custom prices, no region).
    cat, retail = catalog.load(), catalog.preset("retail")
    assert designs.provider_of(cat, replace(retail, cloud_region="eastus", cloud_provider="Custom API")) == "azure"
    assert designs.provider_of(cat, retail) == "aws"
    assert designs.provider_of(cat, replace(retail, cloud_provider="Custom API")) is None


def test_each_rows_design_inputs_are_its_own_or_those_its_design_sets():
    # Row 0 takes design 0 (the base's own, {}): the base's pricing, its own region (design 0 sets none). Row 1 takes
    # the base moved to us-east-1: the base's pricing and that region. Row 2 keeps its own serverless and region.
    retail = catalog.preset("retail")  # per-image API, no region
    east = replace(retail, cloud_region="us-east-1")
    found = designs.RowDesigns(
        np.zeros(3), np.array([0, 1, -1]), ({}, {"cloud_region": "us-east-1"}), np.ones(3, bool), (retail, east)
    )
    own = {"inference_pricing": np.array(["serverless"] * 3, dtype=object)}
    values = designs.row_design_inputs(retail, own, found, 3)
    assert values["inference_pricing"].tolist() == ["per_image", "per_image", "serverless"]
    assert values["cloud_region"].tolist() == [retail.cloud_region, "us-east-1", retail.cloud_region]
    assert values["cloud_upload"].tolist() == [retail.cloud_upload] * 3
