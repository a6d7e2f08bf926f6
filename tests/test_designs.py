"""The cheapest cloud design (planner.model.designs): every design of a small scenario costed by hand, the retail
preset's cheapest design, a link too thin for the cheapest upload, and a property: the cheapest feasible design is
never dearer than any design one input away from the scenario."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples, scenarios

from planner.catalogs import catalog
from planner.exports.report import analyse_one, summary
from planner.model import costs as cost_model
from planner.model import designs
from planner.model.finance import analyse
from planner.schema.scenario import FIELD_BY_NAME, ScenarioError, replace

pytestmark = pytest.mark.oracle

RETAIL = catalog.preset("retail")
# The catalog without link classes to buy: a design the site's link does not carry stays infeasible (the link
# upgrade is tests/test_connectivity.py's).
NO_LINKS = dataclasses.replace(catalog.load(), connectivity=())
# One camera, 10 h × 25 days = 900,000 s a month at 1 frame/s: 900,000 images; 1 Mbps of video = 112.5 GB,
# 100 KB frames = 90 GB. Every price not under test is 0, the horizon 12 months, no growth.
HAND = replace(
    RETAIL,
    name="By hand",
    cameras=1,
    hours_per_day=10,
    days_per_month=25,
    analysed_fps=1,
    bitrate_mbps=1,
    image_kb=100,
    result_kb=0,
    uplink_per_gb=0.1,
    ingest_per_gb=0,
    storage_per_gb_month=0,
    retention_days=0,
    inference_tiers=[{"start": 0, "price": 2.0}],
    egress_tiers=[{"start": 0, "price": 0}],
    cloud_provider="custom",
    serverless_per_gb_second=0.01,
    serverless_memory_gb=1,
    serverless_ms_per_inference=100,
    serverless_per_million_requests=0,
    instance_min_count=1,
    instance_inferences_per_s=1_000,
    instance_per_hour=1.0,
    instance_spot_per_hour=0.4,
    instance_spot_interruption_percent=200,
    instance_committed_per_hour=0.3,
    instance_partial_upfront_percent=50,
    instance_warmup_hours_per_day=0.5,
    horizon_months=12,
    discount_percent_per_year=0,
)
HOURS = 365.25 / 12 * 24  # 730.5 instance-hours a month, always on
SCALED = (10 + 0.5) * 25  # 262.5: operating hours plus warm-up, scaled to zero
UPLOAD = {"video": 112.5 * 0.1, "frames": 90 * 0.1}  # uplink bill a month
INFERENCE = {  # a month
    ("per_image", "on_demand", "always_on", "none"): 900 * 2.0,  # 900 thousand images × 2.0
    ("serverless", "on_demand", "always_on", "none"): 900_000 * 0.1 * 1 * 0.01,  # × 0.1 s × 1 GB × 0.01
    ("instances", "on_demand", "always_on", "none"): HOURS * 1.0,
    ("instances", "on_demand", "scale_to_zero", "none"): SCALED * 1.0,
    ("instances", "spot", "always_on", "none"): HOURS * 0.4 * 3,  # 200 % interruption allowance
    ("instances", "spot", "scale_to_zero", "none"): SCALED * 0.4 * 3,
}
# Commitments: 0.3/h every hour of the term; upfront share 0, 50 % or 100 % of the term paid at go-live.
for term in ("one_year", "three_year"):
    months = 12 if term == "one_year" else 36
    for upfront, share in (("none", 0), ("partial", 0.5), ("all", 1)):
        # 12 months of the hourly part, plus the upfront for the whole term (in the horizon: paid at month 0)
        INFERENCE[("instances", term, "always_on", upfront)] = (
            12 * HOURS * 0.3 * (1 - share) + HOURS * 0.3 * share * months
        ) / 12


def key(s):
    return s.inference_pricing, s.instance_commitment, s.instance_billing, s.instance_upfront, s.cloud_upload


def test_every_design_of_a_small_scenario_costs_what_it_does_by_hand():
    found = designs.evaluate(HAND)
    assert found.n == 24  # 12 pricings × 2 uploads, no catalog region
    by_hand = {(*k, upload): 12 * (monthly + UPLOAD[upload]) for k, monthly in INFERENCE.items() for upload in UPLOAD}
    costed = {key(s): total for s, total in zip(found.scenarios, found.finance.cloud_total)}
    assert costed.keys() == by_hand.keys()
    for k, total in by_hand.items():
        assert costed[k] == pytest.approx(total, rel=1e-9), k
    # the 1-year commitment costs 219.15 + 9 a month whatever its upfront (12 × 228.15 = 2,737.8): the tie goes
    # to the design that changes fewer inputs (no upfront, as the scenario has it)
    best = found.scenarios[found.cheapest]
    assert key(best) == ("instances", "one_year", "always_on", "none", "frames")
    assert found.changes[found.cheapest] == {
        "inference_pricing": "instances",
        "instance_commitment": "one_year",
        "cloud_upload": "frames",
    }
    assert found.figures(found.cheapest)["total_cost"] == pytest.approx(12 * (0.3 * HOURS + 9.0))
    assert found.figures(found.cheapest)["monthly_cost"] == pytest.approx(0.3 * HOURS + 9.0)
    assert found.current == 0 and found.changes[0] == {} and found.scenarios[0] == HAND


def test_a_design_whose_upload_the_link_cannot_carry_is_never_chosen():
    # Uploads billed at 0: video and frames cost the same, and a tie keeps the scenario's video (fewer changes).
    # Sustained per site: video 3 Mbps, frames 1 × 1 × 200 KB × 8 / 1000 = 1.6 Mbps; the link carries 80 % of itself.
    free_upload = replace(HAND, uplink_per_gb=0, bitrate_mbps=3, image_kb=200)
    roomy = designs.evaluate(free_upload, link_mbps=10, catalog=NO_LINKS)  # carries 8: both fit
    assert roomy.feasible.all()
    assert key(roomy.scenarios[roomy.cheapest]) == ("instances", "one_year", "always_on", "none", "video")
    thin = designs.evaluate(free_upload, link_mbps=2.5, catalog=NO_LINKS)  # carries 2.0: frames only
    video = np.array([s.cloud_upload == "video" for s in thin.scenarios])
    assert not thin.feasible[video].any() and thin.feasible[~video].all()
    assert key(thin.scenarios[thin.cheapest]) == ("instances", "one_year", "always_on", "none", "frames")
    assert thin.finance.cloud_total[thin.cheapest] == pytest.approx(thin.finance.cloud_total[video].min())
    none_fit = designs.evaluate(free_upload, link_mbps=1.5, catalog=NO_LINKS)  # carries 1.2: neither
    assert none_fit.cheapest is None and not none_fit.feasible.any()
    assert none_fit.upload_mbps.min() == pytest.approx(1.6) and none_fit.upload_mbps.max() == pytest.approx(3.0)


def test_the_scenario_as_entered_competes_with_its_own_link_upgrade_where_its_line_carries_it():
    # HAND uploads video (1 Mbps; its line of 30 Mbps carries it) per image; as entered it rents a link of its own
    # for the cloud's upload: $1 a month, no data cap, so the site's line carries none of it (the $0.1/GB bill).
    entered = replace(HAND, link_upgrade_per_month=1.0)
    found = designs.evaluate(entered, link_mbps=30, catalog=NO_LINKS)
    assert found.current == 0 and found.changes[0] == {} and found.scenarios[0] == entered and found.feasible[0]
    # The same design under the link rule (no upgrade bought where the line carries it) is one more design:
    # 12 months × (112.5 GB × $0.1 on the line − the $1 rental) dearer
    rule = found.changes.index({"link_upgrade_per_month": 0.0})
    totals = found.finance.cloud_total
    assert totals[rule] - totals[0] == pytest.approx(12 * (UPLOAD["video"] - 1.0))
    assert totals[found.cheapest] <= totals[0]
    # A line too thin for the upload as entered: no design as entered, only the link rule's (here infeasible)
    thin = designs.evaluate(entered, link_mbps=1.0, catalog=NO_LINKS)  # carries 0.8: frames only
    assert thin.changes[0] == {"link_upgrade_per_month": 0.0} and not thin.feasible[0]
    # No upgrade entered: the link rule changes nothing, and the scenario is its first design once
    plain = designs.evaluate(HAND, link_mbps=30, catalog=NO_LINKS)
    assert plain.changes.count({}) == 1 and plain.scenarios[0] == HAND


def test_every_design_its_line_carries_competes_with_the_scenarios_own_link_upgrade_too():
    # As entered (per image, video): a $1-a-month link of its own, no cap, $0 a GB, so the site's line ($0.1/GB)
    # carries none of the cloud's upload. Keeping that link, the cheapest design is instances on a 1-year
    # commitment: 0.3/h × 730.5 h + the $1 rental a month, its video upload free (frames cost the same: a tie keeps
    # the design that changes fewer inputs). Under the link rule alone (no upgrade: the 30 Mbps line carries it)
    # the same design pays 112.5 GB × $0.1 of video a month instead, and its cheapest, frames, 90 GB × $0.1.
    entered = replace(HAND, link_upgrade_per_month=1.0)
    found = designs.evaluate(entered, link_mbps=30, catalog=NO_LINKS)
    kept = {"inference_pricing": "instances", "instance_commitment": "one_year"}
    assert found.changes[found.cheapest] == kept
    assert found.finance.cloud_total[found.cheapest] == pytest.approx(12 * (0.3 * HOURS + 1.0))
    rule = found.changes.index(kept | {"link_upgrade_per_month": 0.0})
    assert found.finance.cloud_total[rule] == pytest.approx(12 * (0.3 * HOURS + UPLOAD["video"]))

    # A fleet's rows on that line, one with that link and one without: each row's cheapest as above
    rows = designs.cheapest_per_row(
        entered, {"link_upgrade_per_month": np.array([1.0, 0.0])}, {}, np.array([30.0, 30.0])
    )
    assert rows.cloud_total == pytest.approx([12 * (0.3 * HOURS + 1.0), 12 * (0.3 * HOURS + UPLOAD["frames"])])
    assert [rows.changes[i] for i in rows.design] == [kept, kept | {"cloud_upload": "frames"}]
    assert rows.link_upgrade["link_upgrade_per_month"].tolist() == [1.0, 0.0]  # kept; none bought


def test_a_fleet_row_keeps_its_own_link_upgrade_only_where_its_line_carries_the_design():
    # (a) every upgrade figure 1 (install once, rental, 1 GB included, $1/GB over) and a line at $5/GB, 30 Mbps:
    #     frames over the upgrade, (90 − 1) GB × $1 + $1 rental a month + $1 once, beat the line's 90 GB × $5;
    # (b) a $1 rental of its own on a 1 Mbps line (carries 0.8): frames (0.8 Mbps) keep it for free data, video
    #     (1 Mbps) cannot keep it, so frames: $1 a month; (c) no upgrade: the line's 90 GB × $0.1 of frames.
    rows = {
        "link_upgrade_install": np.array([1.0, 0.0, 0.0]),
        "link_upgrade_per_month": np.array([1.0, 1.0, 0.0]),
        "link_upgrade_allowance_gb": np.array([1.0, 0.0, 0.0]),
        "link_upgrade_per_gb": np.array([1.0, 0.0, 0.0]),
        "uplink_per_gb": np.array([5.0, 0.1, 0.1]),
    }
    links = np.array([30.0, 1.0, 30.0])
    found = designs.cheapest_per_row(HAND, rows, {}, links)
    inference = 0.3 * HOURS
    assert found.cloud_total == pytest.approx(
        [12 * (inference + 1 + 89 * 1.0) + 1, 12 * (inference + 1.0), 12 * (inference + UPLOAD["frames"])]
    )
    frames = {"inference_pricing": "instances", "instance_commitment": "one_year", "cloud_upload": "frames"}
    assert [found.changes[i] for i in found.design] == [frames] * 3
    assert found.link_upgrade["link_upgrade_per_gb"].tolist() == [1.0, 0.0, 0.0]
    assert found.link_upgrade["link_upgrade_per_month"].tolist() == [1.0, 1.0, 0.0]
    # Only a row with an upgrade of its own is costed keeping it: the rows searched together cost the pairs
    # they cost each alone
    alone = [
        designs.cheapest_per_row(HAND, {k: v[[i]] for k, v in rows.items()}, {}, links[[i]]).pairs_costed
        for i in range(3)
    ]
    assert found.pairs_costed == sum(alone)


def test_retail_cheapest_design_and_the_edge_against_it():
    found = designs.evaluate(RETAIL, link_mbps=100, catalog=NO_LINKS)
    best = found.scenarios[found.cheapest]
    # 50 cameras × 4 Mbps = 200 Mbps of video: over 80 Mbps; 50 × 0.4 × 150 KB × 8 = 24 Mbps of frames fit
    assert not found.feasible[0] and found.upload_mbps[0] == pytest.approx(200)
    assert designs.design_text(best) == (
        "GPU instances (provisioned), Spot / preemptible, Scaled to zero outside "
        "operating hours; uploads: analysed frames only; region: prices as entered"
    )
    # 2 instances (the minimum) × (12 + 0.5) h × 30 days × 0.21 × 1.1 = 173.25 a month of inference
    own = summary(analyse_one(designs.apply(RETAIL, found.changes[found.cheapest])))
    figures = found.figures(found.cheapest)
    assert figures["total_cost"] == pytest.approx(own["cloud_total_cost"])
    assert figures["break_even_month"] is None and own["break_even_month"] is None  # 11,956 vs 32,265: never
    assert figures["npv_savings"] == pytest.approx(own["npv_savings"])
    assert analyse_one(designs.apply(RETAIL, found.changes[found.cheapest])).costs.values("inference")[
        0, 0
    ] == pytest.approx(2 * 12.5 * 30 * 0.21 * 1.1)


def test_a_catalog_instance_commits_at_its_own_rate_for_each_term():
    gpu = catalog.preset("smart_city_gpu")
    found = designs.evaluate(gpu)
    three = next(s for s in found.scenarios if s.instance_commitment == "three_year")
    row = next(r for r in catalog.load().cloud_instances if r["id"] == "aws-g4dn-xlarge")
    assert three.instance_committed_per_hour == row["three_year_per_hour"]
    assert any("AWS EC2 g4dn.xlarge" in line for line in designs.sources_text(three))


# ── Property ──────────────────────────────────────────────────────────────────────────────────────────
def neighbours(s) -> list[dict]:
    """The changes of one design input: each other option of a choice, or each catalog region of its provider."""
    found = [
        {name: option}
        for name in ("inference_pricing", "instance_commitment", "instance_upfront", "instance_billing", "cloud_upload")
        for option in FIELD_BY_NAME[name].options
        if option != getattr(s, name)
    ]
    cat = catalog.load()
    provider = designs.provider_of(cat, s)
    regions = [r["region"] for r in cat.regions if r["provider"] == provider]
    return found + [designs.region_fields(cat, region, s.fx_rate) for region in regions]


@settings(max_examples=examples(40), deadline=None)
@given(s=scenarios(full=False), link=st.sampled_from([None, 1.0, 30.0, 1_000.0]))
def test_the_cheapest_design_is_never_dearer_than_one_input_away(s, link):
    found = designs.evaluate(s, link, catalog=NO_LINKS)
    others = []
    for change in neighbours(s):
        try:
            others.append(replace(s, **change))
        except ScenarioError:  # a region's prices beyond a field's bounds in this currency: not a design
            pass
    b = cost_model.batch([s, *others])
    totals = analyse(cost_model.evaluate(b), "cash", b["discount_percent_per_year"]).cloud_total
    video, frames = designs.site_upload_mbps(
        b["cameras"], b["sites"], b["bitrate_mbps"], b["analysed_fps"], b["image_kb"]
    )
    upload = np.where(b["video_upload"], video, frames)
    fits = np.ones(len(totals), bool) if link is None else upload <= link * designs.UPLINK_UTILISATION
    if found.cheapest is None:
        assert not fits.any()
        return
    best = found.finance.cloud_total[found.cheapest]
    assert found.feasible[found.cheapest]
    for total, ok in zip(totals, fits):
        if ok:
            assert best <= total * (1 + 1e-9) + 1e-9
    assert math.isfinite(best)
