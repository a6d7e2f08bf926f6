"""The cheapest cloud design each fleet site's link carries (`designs.cheapest_per_row`): a site whose own design
(a per-image API) is dear and a serverless design cheaper, worked by hand, and every row against the single-site
search; the fleet's cloud side `cheapest` (the plans and the money vote priced on that design, pooled)."""

from __future__ import annotations

import numpy as np
import pytest

from planner.advice import advisor
from planner.catalogs import catalog
from planner.fleet import devices as fleet_devices
from planner.fleet import inventory as fleet_inventory
from planner.fleet import programme as fleet_programme
from planner.fleet import tables as fleet_tables
from planner.model import designs
from planner.schema.scenario import ScenarioError, replace

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
    # 2,000 cameras: video at 2,000 × 4 = 8,000 Mbps and frames at 2,000 × 1.2 = 2,400 Mbps. A 1 Mbps link (0.8
    # usable) carries neither, nor does any class it could buy (the largest, fibre: 0.8 × 2,000 = 1,600).
    f = fleet_inventory.make_fleet(f"site,count,cameras\nA,1,{NO_CLASS_CAMERAS}\n", HAND)
    rowwise = fleet_devices.row_inputs(f)
    overrides, choices = fleet_devices.with_devices(f, fleet_devices.choose_devices(f, rowwise), rowwise)
    found = designs.cheapest_per_row(HAND, overrides, choices, np.array([1.0]))
    assert (found.design.tolist(), found.feasible.tolist()) == ([-1], [False])
    assert found.cloud_total == pytest.approx([NO_CLASS_CAMERAS * OWN_TOTAL])


# ── A link upgrade: a 1 Mbps line (0.8 usable) carries neither the video (4 Mbps) nor the frames (1 × 1 × 150 kB ×
# 8 / 1000 = 1.2 Mbps) of HAND's one camera. The least class above 1 Mbps that carries them is satellite (20 Mbps:
# 0.8 × 20 = 16): 349 to install, 65 a month, 50 GB included, 0.5 per GB above. Frames: 1,080,000 images × 150 kB
# = 162 GB a month, (162 − 50) × 0.5 = 56 over; video: 4 Mbps × 10⁶ / 8 × 1,080,000 s / 10⁹ = 540 GB, (540 − 50)
# × 0.5 = 245 over. Cheapest: serverless uploading frames over satellite.
NO_CLASS_CAMERAS = 2_000
SATELLITE = {
    "link_upgrade_install": 349.0,
    "link_upgrade_per_month": 65.0,
    "link_upgrade_allowance_gb": 50.0,
    "link_upgrade_per_gb": 0.5,
}
UPGRADED_TOTAL = SERVERLESS_TOTAL + 349 + MONTHS * (65 + (162 - 50) * 0.5)  # 24.192 + 349 + 12 × 121 = 1,825.192


def test_a_row_whose_line_carries_no_design_buys_the_next_class_by_hand():
    f = fleet_inventory.make_fleet("site,count,fx_rate\nA,1,\nIn euros,1,0.9\n", HAND)
    rowwise = fleet_devices.row_inputs(f)
    overrides, choices = fleet_devices.with_devices(f, fleet_devices.choose_devices(f, rowwise), rowwise)
    found = designs.cheapest_per_row(HAND, overrides, choices, np.array([1.0, 1.0]))
    assert found.feasible.tolist() == [True, True]
    chosen = found.scenarios[found.design[0]]
    assert (chosen.inference_pricing, chosen.cloud_upload) == ("serverless", "frames")
    assert found.cloud_total[0] == pytest.approx(UPGRADED_TOTAL, rel=1e-12)
    # In the row's currency (0.9 per USD): the money figures × 0.9, the included data as it is.
    for name, usd in SATELLITE.items():
        in_euros = usd if name == "link_upgrade_allowance_gb" else usd * 0.9
        assert found.link_upgrade[name].tolist() == pytest.approx([usd, in_euros], rel=1e-12)


@pytest.mark.parametrize("cloud", ["own", "cheapest"])
def test_a_one_row_fleet_whose_line_needs_an_upgrade_is_the_scenarios_cheapest_design(cloud):
    """The plans, the per-row figures and the row opened as a scenario price the upgrade the single-site search buys
    (`designs.evaluate` of the opened row on its 1 Mbps line): the same design, the same cloud total."""
    p, plans = _plans(cloud, "site,count,uplink_mbps\nA,1,1\n")
    assert p.upload.cannot_upload.tolist() == [False]
    # Its frames (1.2 Mbps) go over the satellite upgrade, and the reason says so. The upgrade carries them: the
    # uplink rule does not make the edge mandatory, as the single-site advisor's uplink factor on the opened row.
    assert p.upload.sustained_mbps == pytest.approx([1.2], rel=1e-12)
    assert p.upload.over_upgrade.tolist() == [True]
    assert not p.placement.hard[0, fleet_programme.HARD_RULES.index("uplink capacity")]
    assert fleet_tables.reasons(p)[0].endswith(
        "; its link cannot carry its video to the cloud (4.0 Mbps sustained, more than 80% of 1.0 Mbps): the cloud "
        "is costed with the cheapest design, over a link upgrade it buys (1.2 Mbps)"
    )
    words = "Serverless compute; uploads: analysed frames only; region: prices as entered (the cheapest, over a link "
    suffix = {"own": "upgrade it buys: its own design does not fit its link)", "cheapest": "upgrade it buys)"}[cloud]
    assert fleet_tables.site_table(p)["cloud_design"].tolist() == [words + suffix]
    assert p.rows.cloud_total[0] == pytest.approx(UPGRADED_TOTAL, rel=1e-12)
    assert plans["all_cloud"]["tco"] == pytest.approx(UPGRADED_TOTAL, rel=1e-12)
    opened = fleet_devices.row_scenario(p.fleet, 0)
    assert {k: getattr(opened, k) for k in SATELLITE} == SATELLITE
    assert (opened.inference_pricing, opened.cloud_upload) == ("serverless", "frames")
    factor = advisor.uplink_factor(advisor.answers(uplink_mbps=1.0), opened)
    assert not factor.hard and "goes over the link upgrade the design buys" in factor.reason
    single = designs.evaluate(opened, 1.0)
    assert single.cheapest == 0  # the opened row's own design is the scenario's cheapest
    assert single.figures(single.cheapest)["total_cost"] == pytest.approx(UPGRADED_TOTAL, rel=1e-12)


def assert_each_row_is_the_single_site_search(f: fleet_inventory.Fleet) -> None:
    """Every row's cheapest design costs what `designs.evaluate` picks for the row opened as a scenario."""
    rowwise = fleet_devices.row_inputs(f)
    overrides, choices = fleet_devices.with_devices(f, fleet_devices.choose_devices(f, rowwise), rowwise)
    link = rowwise.answer("uplink_mbps")
    found = designs.cheapest_per_row(f.base, overrides, choices, link)
    for r in range(f.inventory.n):
        single = designs.evaluate(fleet_devices.row_scenario(f, r), float(link[r]))
        assert found.cloud_total[r] == pytest.approx(single.figures(single.cheapest)["total_cost"], rel=1e-12), r


def test_each_row_matches_the_single_site_search():
    """Every row's cheapest design is what `designs.evaluate` picks for the row as a scenario (the retail chain)."""
    f = fleet_inventory.preset("retail_chain")
    assert_each_row_is_the_single_site_search(f)


# ── The fleet's cloud side: `own` (the inventory's designs) or `cheapest` ───────────────────────────────────────
# Row "Api" runs the base's per-image API (12,960 over 12 months), row "Lambda" is serverless already (24.192): its
# own design is its cheapest. Each site's edge is one device of 1,000 and nothing else.
TWO_ROWS = "site,count,inference_pricing\nApi,1,\nLambda,1,serverless\n"


def _plans(cloud: str, inventory: str = TWO_ROWS):
    p = fleet_programme.evaluate(fleet_inventory.make_fleet(inventory, HAND, cloud=cloud))
    return p, fleet_tables.plan_summary(p)


def test_cheapest_prices_the_dear_api_row_serverless_in_every_plan_by_hand():
    own, own_plans = _plans("own")
    cheapest, plans = _plans("cheapest")
    assert own.fleet.cloud == fleet_inventory.make_fleet(TWO_ROWS, HAND).cloud == "own"  # the default
    # All cloud: own = the API row's 12,960 + the serverless row's 24.192; cheapest = both serverless.
    assert own_plans["all_cloud"]["tco"] == pytest.approx(OWN_TOTAL + SERVERLESS_TOTAL, rel=1e-12)
    assert plans["all_cloud"]["tco"] == pytest.approx(2 * SERVERLESS_TOTAL, rel=1e-12)
    # All edge costs the same either way (2 × 1,000); its savings shrink by what the API row's cloud no longer costs.
    assert plans["all_edge"]["tco"] == pytest.approx(own_plans["all_edge"]["tco"]) == pytest.approx(2 * EDGE_TOTAL)
    assert plans["all_edge"]["savings_total"] == pytest.approx(2 * SERVERLESS_TOTAL - 2 * EDGE_TOTAL, rel=1e-12)
    assert own_plans["all_edge"]["savings_total"] - plans["all_edge"]["savings_total"] == pytest.approx(
        OWN_TOTAL - SERVERLESS_TOTAL, rel=1e-12
    )
    # The money vote weighs the same cloud as the plans: the API row's site adds 24.192 to the pooled bills, not
    # 12,960; so its edge (1,000) loses, and the recommended mix is all cloud, saving nothing.
    assert cheapest.cloud_marginal == pytest.approx([SERVERLESS_TOTAL] * 2, rel=1e-12)
    assert own.cloud_marginal == pytest.approx([OWN_TOTAL, SERVERLESS_TOTAL], rel=1e-12)
    assert (own_plans["recommended"]["sites_on_edge"], plans["recommended"]["sites_on_edge"]) == (1, 0)
    assert plans["recommended"]["tco"] == pytest.approx(2 * SERVERLESS_TOTAL, rel=1e-12)
    # Each row's design, in words: the API row's is the serverless design; the serverless row keeps its own.
    words = fleet_tables.site_table(cheapest)["cloud_design"].tolist()
    serverless = "Serverless compute; uploads: full video streams; region: prices as entered"
    assert words == [
        f"{serverless} (the cheapest its link carries)",
        f"{serverless} (its own design: the cheapest its link carries)",
    ]
    assert fleet_tables.site_table(own)["cloud_design"].tolist() == [
        "Per-image API (tiered); uploads: full video streams; region: prices as entered",
        serverless,
    ]
    assert fleet_tables.result_dict(cheapest)["cloud"] == "cheapest"
    # Opened as a scenario, the row carries the design the fleet costs it with.
    opened = fleet_devices.row_scenario(cheapest.fleet, 0)
    assert (opened.inference_pricing, fleet_devices.row_scenario(own.fleet, 0).inference_pricing) == (
        "serverless",
        "per_image",
    )
    assert designs.evaluate(opened).figures(0)["total_cost"] == pytest.approx(SERVERLESS_TOTAL, rel=1e-12)


def test_with_cheapest_a_link_that_carries_no_design_keeps_the_rows_own_and_is_named():
    # B's 1 Mbps link carries neither the video nor the frames of its 2,000 cameras, nor does any class it could buy
    # (`test_a_link_that_carries_no_design_keeps_the_rows_own`): its per-image API.
    p, plans = _plans("cheapest", f"site,count,uplink_mbps,cameras\nA,1,,\nB,1,1,{NO_CLASS_CAMERAS}\n")
    assert p.rows.cloud_total == pytest.approx([SERVERLESS_TOTAL, NO_CLASS_CAMERAS * OWN_TOTAL], rel=1e-12)
    assert plans["all_cloud"]["tco"] == pytest.approx(SERVERLESS_TOTAL + NO_CLASS_CAMERAS * OWN_TOTAL, rel=1e-12)
    result = fleet_tables.result_dict(p)
    assert result["sites_without_upload"] == ["B"]
    assert result["sites"][1]["cloud_design"] == (
        "Per-image API (tiered); uploads: full video streams; region: prices as entered (its own design: its link "
        "carries none)"
    )


@pytest.mark.parametrize("key", list(fleet_inventory.presets()))
@pytest.mark.parametrize("cloud", list(fleet_inventory.CLOUD_SIDES))
def test_the_recommended_mix_is_never_dearer_than_both_pure_plans(key, cloud):
    """The vote and the plans price the same cloud: the mix it recommends is no dearer than all cloud or all edge."""
    f = fleet_inventory.preset(key)
    plans = fleet_tables.plan_summary(
        fleet_programme.evaluate(
            fleet_inventory.make_fleet(f.inventory.table, f.base, f.answers, f.months, f.name, f.base_source, cloud)
        )
    )
    cheaper = min(plans["all_cloud"]["tco"], plans["all_edge"]["tco"])
    assert plans["recommended"]["tco"] <= cheaper * (1 + 1e-12)


def test_the_fleet_file_keeps_its_cloud_side_and_refuses_another():
    f = fleet_inventory.make_fleet(TWO_ROWS, HAND, cloud="cheapest")
    back = fleet_inventory.parse_fleet_json(fleet_inventory.fleet_json(f))
    assert back.cloud == "cheapest" and back == f
    doc = fleet_inventory.fleet_document(f)
    assert fleet_inventory.from_fleet_document({k: v for k, v in doc.items() if k != "cloud"}).cloud == "own"
    with pytest.raises(ScenarioError, match=r"^cloud = 'cheap' is not one of own, cheapest$"):
        fleet_inventory.from_fleet_document({**doc, "cloud": "cheap"})
    changes = fleet_tables.fleet_changes(back, fleet_inventory.make_fleet(TWO_ROWS, HAND))
    assert changes.values.tolist() == [
        ["Cloud side", "changed", "the cheapest design each site's link carries → as the inventory states it"]
    ]


# ── `own`: a site whose link cannot carry its own design takes the cheapest design its link carries ─────────────
# Video at 4 Mbps does not fit a 2 Mbps link (1.6 usable); frames at 1 × 1 × 150 kB × 8 / 1000 = 1.2 Mbps do. Row B's
# own design (the per-image API, streaming video) could not run there: it is costed with the cheapest design its
# link carries (serverless, frames: uploads are free in HAND), row A keeps its own per-image API.
THIN = "site,count,uplink_mbps\nA,1,\nB,1,2\n"


def test_own_costs_a_site_whose_link_cannot_carry_its_design_with_the_cheapest_that_fits_by_hand():
    p, plans = _plans("own", THIN)
    assert p.fleet.cloud == "own"
    assert p.rows.cloud_total == pytest.approx([OWN_TOTAL, SERVERLESS_TOTAL], rel=1e-12)
    assert plans["all_cloud"]["tco"] == pytest.approx(OWN_TOTAL + SERVERLESS_TOTAL, rel=1e-12)
    result = fleet_tables.result_dict(p)
    assert result["sites_link_too_thin"] == ["B"] and result["sites_without_upload"] == []
    assert result["sites"][0]["cloud_design"] == (
        "Per-image API (tiered); uploads: full video streams; region: prices as entered"
    )
    assert result["sites"][1]["cloud_design"] == (
        "Serverless compute; uploads: analysed frames only; region: prices as entered (the cheapest its link "
        "carries: its own design does not fit its link)"
    )
    assert fleet_tables.reasons(p)[1].endswith(
        "; its link cannot carry its video to the cloud (4.0 Mbps sustained, more than 80% of 2.0 Mbps): the cloud "
        "is costed with the cheapest design its link carries (1.2 Mbps)"
    )
    # Opened as a scenario, the row carries that design; the row whose link carries its own keeps it.
    opened = fleet_devices.row_scenario(p.fleet, 1)
    assert (opened.inference_pricing, opened.cloud_upload) == ("serverless", "frames")
    assert fleet_devices.row_scenario(p.fleet, 0).inference_pricing == "per_image"


def test_the_placement_reads_the_upload_of_the_design_the_fleet_prices_by_hand():
    """B's own video (4 Mbps, needing 4 / 0.8 = 5 Mbps) would make the edge mandatory on its 2 Mbps link; the
    design priced for it uploads frames (1.2 / 0.8 = 1.5 Mbps ≤ 2): no hard constraint, and money (serverless
    24.192 against an edge of 1,000) keeps it in the cloud, in both cloud sides."""
    uplink = fleet_programme.HARD_RULES.index("uplink capacity")
    for cloud in fleet_inventory.CLOUD_SIDES:
        p, _ = _plans(cloud, THIN)
        assert p.upload.sustained_mbps == pytest.approx([4.0, 1.2], rel=1e-12)  # A's video, B's frames
        assert p.placement.hard[:, uplink].tolist() == [False, False]
        assert np.array(fleet_inventory.PLACEMENTS)[p.placement.final].tolist()[1] == "cloud"


def test_rows_alike_are_searched_once_and_get_exactly_the_same_designs():
    """The retail chain's three rows, each repeated (interleaved): every copy gets, bit for bit, what the row gets in
    the chain itself, and the search costs the designs of three rows, not nine."""
    f = fleet_inventory.preset("retail_chain")
    rowwise = fleet_devices.row_inputs(f)
    overrides, choices = fleet_devices.with_devices(f, fleet_devices.choose_devices(f, rowwise), rowwise)
    link = rowwise.answer("uplink_mbps")
    found = designs.cheapest_per_row(f.base, overrides, choices, link)
    copies = np.tile(np.arange(f.inventory.n), 3)

    def repeat(values: dict) -> dict:
        return {k: np.asarray(v)[copies] for k, v in values.items()}

    costed = []
    real = designs._cloud_total

    def counting(b):
        costed.append(b.n)
        return real(b)

    with pytest.MonkeyPatch.context() as m:
        m.setattr(designs, "_cloud_total", counting)
        repeated = designs.cheapest_per_row(f.base, repeat(overrides), repeat(choices), link[copies])
    np.testing.assert_array_equal(repeated.cloud_total, found.cloud_total[copies])
    np.testing.assert_array_equal(repeated.design, found.design[copies])
    np.testing.assert_array_equal(repeated.feasible, found.feasible[copies])
    assert costed[0] == f.inventory.n  # the rows' own designs: one per distinct row
    assert repeated.pairs_costed == sum(costed[1:]) == found.pairs_costed > 0  # then the designs' (design, row) pairs


def test_per_row_price_schedules_cost_what_each_schedule_costs_alone():
    """`tiered_cost` with a schedule per row groups alike schedules (`distinct_rows`): each row exactly as its own
    schedule prices it."""
    from planner.model.pricing import distinct_rows, tiered_cost

    starts = np.array([[0.0, 10.0], [0.0, 5.0], [0.0, 10.0], [0.0, 5.0]])
    prices = np.array([[2.0, 1.0], [3.0, 1.0], [2.0, 1.0], [3.0, 0.5]])
    quantity = np.array([[4.0, 12.0], [4.0, 12.0], [20.0, 0.0], [7.0, 7.0]])
    got = tiered_cost(quantity, starts, prices)
    by_hand = [[8, 22], [12, 22], [30, 0], [16, 16]]  # e.g. 12 under (0: 2, 10: 1) = 10 × 2 + 2 × 1
    np.testing.assert_array_equal(got, by_hand)
    for r in range(4):
        np.testing.assert_array_equal(got[r], tiered_cost(quantity[r], starts[r], prices[r]))
    unique, which = distinct_rows(np.concatenate([starts, prices], axis=1))
    assert len(unique) == 3 and which[0] == which[2] and len(set(which.tolist())) == 3


def test_a_row_with_its_own_prices_matches_the_single_site_search():
    """A region's design sets every price of the region on a row, as the region picker does for one scenario, so
    that a row with its own storage and ingest prices (dearer or cheaper than AWS's regions) finds the design the
    single-site search finds for the row opened as a scenario. The base's prices are us-east-1's: before, a region
    design left a row its own price wherever the region's equalled the base's."""
    f = fleet_inventory.make_fleet(
        "site,count,cameras,storage_per_gb_month,ingest_per_gb,retention_days\n"
        "dear,1,40,0.5,0.05,365\ncheap,1,40,0.001,0,365\nbase,1,40,,,365\n",
        catalog.preset("retail"),
        cloud="cheapest",
    )
    assert_each_row_is_the_single_site_search(f)
