"""Connectivity on both sides: the site's line rental, the data it includes, and the link a cloud design buys when
its upload needs more than the site's line carries. Every expected figure is worked out here from the inputs."""

import pytest

from planner.catalogs import catalog
from planner.exports import report
from planner.model import designs, explain
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit

RETAIL = catalog.preset("retail")
VESSEL = catalog.preset("vessel")


def values(scenario, key):
    return report.analyse_one(scenario).costs.values(key)[0]


def test_a_metered_line_bills_only_the_data_above_its_allowance():
    # The vessel uploads its analysed frames: 8 cameras × 0.4 frames/s × operating seconds × image KB ÷ 10⁶ GB.
    s = VESSEL
    upload_gb = s.cameras * s.analysed_fps * s.hours_per_day * 3600 * s.days_per_month * s.image_kb / 1e6
    metered = replace(s, link_allowance_gb=50, uplink_per_gb=15, sites=1)
    assert values(metered, "site_uplink")[0] == pytest.approx(max(upload_gb - 50, 0) * 15)
    # an allowance larger than the month's upload leaves nothing to bill; none (0) bills every GB, as before
    assert values(replace(metered, link_allowance_gb=upload_gb + 1), "site_uplink")[0] == 0
    assert values(replace(metered, link_allowance_gb=0), "site_uplink")[0] == pytest.approx(upload_gb * 15)
    # the edge's feedback frames (1 % of them) fit in the allowance
    feedback_gb = upload_gb * s.feedback_percent / 100
    assert feedback_gb < 50 and values(metered, "feedback_uplink")[0] == 0


def test_both_sides_pay_the_sites_line_and_the_cloud_its_upgrade():
    shops = replace(RETAIL, sites=3, link_per_month=150, link_upgrade_install=500, link_upgrade_per_month=225)
    cloud, edge = values(shops, "link_rental"), values(shops, "link_rental_edge")
    assert cloud[0] == pytest.approx(3 * (150 + 225 + 500)) and cloud[1] == pytest.approx(3 * (150 + 225))
    assert edge[0] == edge[5] == pytest.approx(3 * 150)
    # the line is the same on both sides: it moves both TCOs and no saving
    plain, lined = report.analyse_one(RETAIL), report.analyse_one(replace(RETAIL, link_per_month=150))
    assert lined.cash.edge_total[0] - plain.cash.edge_total[0] == pytest.approx(150 * 36)
    assert lined.cash.savings_total[0] == pytest.approx(plain.cash.savings_total[0])
    step = next(s for s in explain.first_month(shops) if s.key == "link_rental")
    assert "3 sites × (150 line + 225 upgrade) USD + 3 sites × 500 USD upgrade installation" in step.arithmetic


def test_a_design_whose_upload_the_link_does_not_carry_buys_the_next_class_that_does():
    classes = catalog.load().connectivity
    by_id = {c["id"]: c for c in classes}
    # 50 cameras × 4 Mbps = 200 Mbps of video: a 100 Mbps line carries 80; fibre (2,000 Mbps) is the only class
    # above the line that carries it.
    assert designs.link_upgrade(200, 100, classes) == by_id["fiber"]
    assert designs.link_upgrade(60, 100, classes) is None  # 60 ≤ 0.8 × 100: the line carries it
    # a 10 Mbps line and 30 Mbps of upload: the least capacity that carries 30 at 80 % is 5G's 50 Mbps (cable's 35
    # carries 28)
    assert designs.link_upgrade(30, 10, classes) == by_id["metered_5g"]
    assert designs.link_upgrade(5_000, 100, classes) is None  # no class carries it
    d = designs.evaluate(RETAIL, 100.0)
    own = d.changes[0]
    assert own == {"link_upgrade_install": by_id["fiber"]["install_usd"], "link_upgrade_per_month": 225.0}
    assert d.feasible[0]
    # the upgrade is in the design's cloud TCO: 500 once and 225 a month over 36 months; the video goes over the fibre
    # (no cap, 0 a GB), no longer billed at the site line's 0.01 a GB: 50 × 4 Mbps ÷ 8 × 12 h × 3600 s × 30 days =
    # 32,400 GB a month, 324 a month
    plain = report.analyse_one(RETAIL).cash.cloud_total[0]
    assert d.finance.cloud_total[0] == pytest.approx(plain + 500 + 225 * 36 - 32_400 * 0.01 * 36)
    # a design that sends its frames only (50 × 0.4 × 150 KB × 8 / 1000 = 24 Mbps) fits the line: no upgrade
    frames = next(i for i, c in enumerate(d.changes) if c == {"cloud_upload": "frames"})
    assert d.upload_mbps[frames] == pytest.approx(24) and d.feasible[frames]
    # with a link no class beats and an upload no class carries, the design stays infeasible
    huge = replace(RETAIL, cameras=5_000)
    video = designs.evaluate(huge, 100.0)
    assert not video.feasible[0]


def test_an_upgrade_priced_beyond_the_fields_bounds_is_not_bought_and_the_design_does_not_fit():
    # At 2,500 units of the currency per USD fibre's 500 USD installation is 1.25 million: above the field's bound,
    # so no upgrade is bought and the 200 Mbps video design does not fit a 100 Mbps line; frames (24 Mbps) still do.
    dear = replace(RETAIL, currency="XYZ", fx_rate=2_500)
    d = designs.evaluate(dear, 100.0)
    assert not d.feasible[0] and d.changes[0] == {}
    assert d.cheapest is not None and d.scenarios[d.cheapest].cloud_upload == "frames"
