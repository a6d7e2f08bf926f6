"""A fleet row's link class, as a scenario's (docs/FORMULAS.md, "Fleet"): its `link_class` cell, else the base's,
gives the site's uplink capacity (the class's upload, unless the row gives its own `uplink_mbps`), its line's figures
(rental, included data, per-GB bill, where the row gives a class and not the figure) and the advisor's connectivity
and uplink answers; a blank cell is told from a given one by the inventory's mask of given cells."""

from __future__ import annotations

import pytest

from planner.catalogs import catalog
from planner.exports import report
from planner.fleet import devices as fleet_devices
from planner.fleet import inventory as fleet_inventory
from planner.fleet import programme as fleet_programme
from planner.fleet import tables as fleet_tables
from planner.model import costs, finance
from planner.schema.scenario import replace, to_dict, validate

pytestmark = pytest.mark.unit

RETAIL = catalog.preset("retail")  # 50 cameras, 4 Mbps video each, 0.4 analysed frames/s of 150 kB; custom link
LINKS = catalog.load()
# The retail site uploads 50 × 4 = 200 Mbps of video, or 50 × 0.4 × 150 × 8 / 1000 = 24 Mbps of frames.
VIDEO_MBPS, FRAMES_MBPS = 200.0, 24.0


def test_the_satellite_and_5g_classes_are_what_these_tests_assume():
    satellite, five_g = LINKS.link_class("satellite"), LINKS.link_class("metered_5g")
    assert (satellite["upload_mbps"], five_g["upload_mbps"]) == (20, 50)  # both below the advisor default, 100
    assert (five_g["usd_per_month"], five_g["allowance_gb"], five_g["usd_per_gb_over"]) == (60, 50, 15)


def test_a_blank_row_on_a_satellite_base_has_the_class_upload_not_the_advisor_default():
    """The base is on satellite (20 Mbps): a blank row's link is 20 Mbps, whose 0.8 × 20 = 16 Mbps carries neither
    the video (200) nor the frames (24): its cloud runs only over a link upgrade (broadband, 0.8 × 35 = 28, carries
    the frames), so it cannot carry its own design but can upload. A row that gives its own uplink (1,000 Mbps)
    keeps it: 0.8 × 1,000 = 800 carries the video. Both are satellite sites to the advisor."""
    base = validate({**to_dict(RETAIL), **LINKS.link_fields("satellite")})
    f = fleet_inventory.make_fleet("site,uplink_mbps\nBlank,\nOwn uplink,1000\n", base)
    assert f.inventory.errors == ()
    p = fleet_programme.evaluate(f)
    assert p.upload.link_mbps.tolist() == [20.0, 1000.0]
    assert p.upload.video_mbps == pytest.approx([VIDEO_MBPS] * 2, rel=1e-12)
    assert p.upload.frames_mbps == pytest.approx([FRAMES_MBPS] * 2, rel=1e-12)
    assert p.upload.cannot_upload.tolist() == [False, False]
    assert p.upload.too_thin.tolist() == [True, False]
    assert p.rows.costs.values("link_rental")[0, 0] > 65  # its line (65 a month) and the upgrade's rental
    assert fleet_tables.result_dict(p)["sites_link_too_thin"] == ["Blank"]
    rowwise = fleet_devices.row_inputs(f)
    assert rowwise.answer("connectivity").tolist() == ["satellite", "satellite"]
    assert rowwise.answer("uplink_mbps").tolist() == [20.0, 1000.0]


def test_a_rows_link_class_fills_its_line_figures_unless_the_row_gives_them_by_hand():
    """On the retail base (custom link: no rental, 0.01/GB, the advisor's 100 Mbps): a row on 5G rents it for 60 a
    month with 50 GB included and 15/GB above, on 50 Mbps; its own rental (99) or uplink (500) wins; in a row's
    currency at 0.9 per USD the money is 54 and 13.5; a blank row and a custom one keep the base's figures."""
    f = fleet_inventory.make_fleet(
        "site,link_class,link_per_month,uplink_mbps,fx_rate\n"
        "Blank,,,,\n5G,metered_5g,,,\nOwn rental,metered_5g,99,,\nOwn uplink,metered_5g,,500,\n"
        "In euros,metered_5g,,,0.9\nCustom,custom,,,\n",
        RETAIL,
    )
    assert f.inventory.errors == ()
    rowwise = fleet_devices.row_inputs(f)

    def column(name):
        return rowwise.column(f.base, name).tolist()

    assert column("link_per_month") == pytest.approx([0, 60, 99, 60, 54, 0], rel=1e-12)
    assert column("link_allowance_gb") == pytest.approx([0, 50, 50, 50, 50, 0], rel=1e-12)
    assert column("uplink_per_gb") == pytest.approx([0.01, 15, 15, 15, 13.5, 0.01], rel=1e-12)
    assert rowwise.link_mbps.tolist() == [100.0, 50.0, 50.0, 500.0, 50.0, 100.0]
    assert rowwise.answer("connectivity").tolist() == ["broadband"] + ["metered_5g"] * 4 + ["broadband"]


def test_a_one_row_fleet_on_a_link_class_is_the_scenario_on_that_class():
    """A row on 5G (50 Mbps: 0.8 × 50 = 40 carries the 24 Mbps of frames, not the 200 of video) is costed with the
    cheapest design that link carries or an upgrade of it, as the scenario on that class weighs its designs on its
    link (`report.cloud_designs`): frames over 5G bill 15 per GB above 50 GB, so the video streams over business
    fibre (the least class above 50 Mbps that carries 200: 0.8 × 2,000; 500 to install, 225 a month, no cap), with
    its line's figures on both sides; opened as a scenario it is the scenario on that class."""
    f = fleet_inventory.make_fleet("site,link_class\nS,metered_5g\n", RETAIL)
    p = fleet_programme.evaluate(f)
    # A row with no device or count of its own: the preset's server sized from its load (as tests/test_fleet.py).
    scenario = validate(
        {
            **to_dict(replace(RETAIL, device_sizing="auto", device_throughput_ips=38 * 0.4)),
            **LINKS.link_fields("metered_5g"),
        }
    )
    assert report.site_link_mbps(scenario) == 50.0
    options = report.cloud_designs(scenario)
    best = options.cheapest
    fibre = (500, 225, 0, 0)
    upgrade = ("link_upgrade_install", "link_upgrade_per_month", "link_upgrade_allowance_gb", "link_upgrade_per_gb")
    assert options.scenarios[best].cloud_upload == "video"
    assert tuple(getattr(options.scenarios[best], k) for k in upgrade) == fibre
    assert p.rows.cloud_total[0] == pytest.approx(options.figures(best)["total_cost"], rel=1e-9)
    opened = fleet_devices.row_scenario(f, 0)
    assert (opened.link_class, opened.link_per_month, opened.link_allowance_gb, opened.uplink_per_gb) == (
        "metered_5g",
        60,
        50,
        15,
    )
    assert opened.cloud_upload == "video" and tuple(getattr(opened, k) for k in upgrade) == fibre
    alone = finance.analyse(costs.evaluate(costs.batch([opened])), "cash", opened.discount_percent_per_year)
    assert p.rows.cloud_total[0] == pytest.approx(alone.cloud_total[0], rel=1e-9)
    assert p.rows.edge_total[0] == pytest.approx(alone.edge_total[0], rel=1e-9)
    # The site's line is rented on both sides: 1 site × 60 a month; the cloud side also rents the fibre (225 a
    # month) and pays its installation (500) in its first month.
    assert p.rows.costs.values("link_rental")[0, :2] == pytest.approx([60 + 225 + 500, 60 + 225], rel=1e-12)
    assert p.rows.costs.values("link_rental_edge")[0, 0] == pytest.approx(60, rel=1e-12)


def test_the_given_cells_mask_tells_a_blank_from_a_given_cell_and_a_refused_one():
    f = fleet_inventory.make_fleet("site,uplink_mbps,link_class\nA,,\nB,40,satellite\nC,-3,nowhere\n", RETAIL)
    assert len(f.inventory.errors) == 2  # C's cells are refused: blank, as the base's
    assert f.inventory.given("uplink_mbps").tolist() == [False, True, False]
    assert f.inventory.given("link_class").tolist() == [False, True, False]
    assert f.inventory.given("connectivity").tolist() == [False, False, False]  # no such column
