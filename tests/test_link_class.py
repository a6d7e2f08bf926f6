"""The site's link class (`link_class`, data/connectivity.csv) and the link a cloud design buys: the class sets the
uplink a design must fit in and fills the line's rental, allowance and per-GB bill; an upgraded link bills the
cloud's upload at its own allowance and per-GB price. Every expected figure is worked out here from the inputs."""

import json

import pytest

from planner import cli
from planner.advice import advisor
from planner.catalogs import catalog
from planner.exports import report
from planner.model import explain
from planner.schema.scenario import parse_json, replace, to_dict, to_json, to_share_token, unpack_token

pytestmark = pytest.mark.unit

RETAIL = catalog.preset("retail")
VESSEL = catalog.preset("vessel")
OPERATING_S = 12 * 3600 * 30  # retail: 12 h a day, 30 days


def values(scenario, key):
    return report.analyse_one(scenario).costs.values(key)[0]


def run_json(capsys, *args) -> dict:
    assert cli.main(["report", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_custom_class_is_the_default_and_an_old_file_or_link_gives_the_same_figures():
    assert RETAIL.link_class == "custom"
    old = {k: v for k, v in to_dict(RETAIL).items() if not k.startswith("link_")}  # a file from before the fields
    loaded = parse_json(json.dumps(old))
    assert loaded.link_class == "custom" and to_json(loaded) == to_json(RETAIL)
    assert b"link_class" not in unpack_token(to_share_token(RETAIL))  # a default: left out of share links
    # the custom class's uplink is the advisor's answer (100 Mbps by default), or the one given
    assert report.site_link_mbps(RETAIL) == 100 and report.site_link_mbps(RETAIL, 30) == 30


def test_a_class_set_on_the_command_line_fills_its_tariff_and_sets_the_uplink(capsys):
    # The vessel sends its frames: 8 cameras × 0.4 frames/s × 24 h × 3600 s × 30 days × 150 KB ÷ 10⁶ GB a month.
    s = VESSEL
    upload_gb = s.cameras * s.analysed_fps * s.hours_per_day * 3600 * s.days_per_month * s.image_kb / 1e6
    plain = run_json(capsys, "--preset", "vessel")
    five_g = run_json(capsys, "--preset", "vessel", "--set", "link_class=metered_5g")
    # metered 5G (data/connectivity.csv): 60 USD a month, 50 GB included, 15 USD a GB above, 50 Mbps upload
    assert five_g["cheapest_cloud"]["uplink_mbps"] == 50 and plain["cheapest_cloud"]["uplink_mbps"] == 100
    cited = [x for x in five_g["sources"] if "link_class" in x["fields"]]
    assert [x["entry"] for x in cited] == ["Metered 5G / LTE"] and cited[0]["as_of"] == "2025-06"
    month_1 = {r["component"]: r["month_1"] for r in report.formula_rows(report.analyse_one(_with(s, "metered_5g")))}
    assert month_1["Site uplink (video to cloud)"] == pytest.approx(max(upload_gb - 50, 0) * 15)
    assert month_1["Site line and link upgrade"] == month_1["Site line"] == 60
    # the line is paid on both sides: what moves the savings is the uplink bill, (15 − 5) USD a GB above 50 GB a
    # month against the preset's 5 USD on every GB, less the edge's feedback frames (1 %) now inside the allowance
    feedback_gb = upload_gb * s.feedback_percent / 100
    per_month = (max(upload_gb - 50, 0) * 15 - upload_gb * 5) - (0 - feedback_gb * 5)
    assert five_g["savings_total"] - plain["savings_total"] == pytest.approx(per_month * s.horizon_months)
    # a figure set beside the class wins over the class's
    own = run_json(capsys, "--preset", "vessel", "--set", "link_class=metered_5g", "--set", "link_per_month=70")
    assert own["edge_monthly_cost"] - five_g["edge_monthly_cost"] == pytest.approx(10)
    assert not [x for x in own["sources"] if "link_class" in x["fields"]]  # edited: no longer the class's tariff


def _with(scenario, class_id):
    return replace(scenario, **catalog.load().link_fields(class_id))


def test_the_class_sets_the_uplink_the_cloud_designs_must_fit():
    # Cable (35 Mbps) carries 28 Mbps at 80 %: the retail video (50 × 4 = 200 Mbps) buys fibre, its frames
    # (50 × 0.4 × 150 KB × 8 ÷ 1000 = 24 Mbps) fit the line.
    cable = _with(RETAIL, "broadband")
    assert report.site_link_mbps(cable) == 35 == report.site_link_mbps(cable, 1_000)  # the class, not the answer
    d = report.cloud_designs(cable)
    assert d.link_mbps == 35 and d.changes[0]["link_upgrade_per_month"] == 225
    frames = next(i for i, c in enumerate(d.changes) if c == {"cloud_upload": "frames"})
    assert d.feasible[frames] and d.upload_mbps[frames] == pytest.approx(24)
    # an intermittent site carries nothing: only a bought link can
    assert report.site_link_mbps(replace(RETAIL, link_class="intermittent")) == 0
    # the class and its tariff are named in the month-1 arithmetic and the report's sources
    step = next(x for x in explain.first_month(cable) if x.key == "link_rental")
    assert "1 sites × (150 line (Cable / DSL broadband) + 0 upgrade) USD" in step.arithmetic
    assert any(
        line.startswith("Site link class — Cable / DSL broadband: Comcast") for line in report.source_lines(cable)
    )


def test_an_upgraded_link_bills_the_clouds_upload_at_its_own_allowance_and_per_gb_price():
    # A satellite site (20 Mbps, 50 GB included, 0.5 USD a GB above) sending 50 × 0.5 frames/s of 150 KB: 30 Mbps,
    # above 0.8 × 20 and 0.8 × 35 (cable): the design buys metered 5G (50 Mbps; 300 installation, 60 a month,
    # 50 GB included, 15 a GB above).
    site = replace(_with(RETAIL, "satellite"), analysed_fps=0.5, cloud_upload="frames")
    upload_gb = 50 * 0.5 * OPERATING_S * 150 / 1e6  # 4,860 GB a month
    d = report.cloud_designs(site)
    assert d.link_mbps == 20 and d.upload_mbps[0] == pytest.approx(30)
    assert d.changes[0] == {
        "link_upgrade_install": 300.0,
        "link_upgrade_per_month": 60.0,
        "link_upgrade_allowance_gb": 50.0,
        "link_upgrade_per_gb": 15.0,
    }
    upgraded = d.scenarios[0]
    cloud_uplink = values(upgraded, "site_uplink")
    assert cloud_uplink[0] == pytest.approx((upload_gb - 50) * 15)  # not (4,860 − 50) × 0.5 at the site's rate
    # the edge's feedback frames (1 %, 48.6 GB) stay on the site's line, inside its 50 GB
    assert values(upgraded, "feedback_uplink")[0] == 0
    step = next(x for x in explain.first_month(upgraded) if x.key == "site_uplink")
    assert step.value == pytest.approx(cloud_uplink[0]) and "15 USD/GB over the link upgrade" in step.arithmetic
    # the design's cloud TCO: its own uplink bill, the satellite line and the upgrade, over 36 months
    own = report.analyse_one(replace(site, **dict.fromkeys(d.changes[0], 0.0))).cash.cloud_total[0]
    line_uplink = (upload_gb - 50) * 0.5
    expected = own - 36 * line_uplink + 36 * (upload_gb - 50) * 15 + 300 + 60 * 36
    assert d.finance.cloud_total[0] == pytest.approx(expected)


def test_without_an_upgrade_the_upgrades_data_figures_are_not_used():
    s = replace(VESSEL, link_upgrade_allowance_gb=10, link_upgrade_per_gb=99)
    assert values(s, "site_uplink")[0] == pytest.approx(values(VESSEL, "site_uplink")[0])


def test_the_class_answers_the_advisors_connectivity_and_uplink_unless_answered(capsys):
    def advise(*args):
        assert cli.main(["advise", "--preset", "vessel", *args, "--format", "json"]) == 0
        return json.loads(capsys.readouterr().out)

    plain, satellite = advise(), advise("--set", "link_class=satellite")
    assert plain["uplink_available_mbps"] == 100 and satellite["uplink_available_mbps"] == 20
    connectivity = next(f for f in satellite["factors"] if f["key"] == "connectivity")
    assert connectivity["answer"] == "Satellite"
    # the access round trip of a geostationary link (data/connectivity.csv: 600 ms) in the latency budget
    assert satellite["latency_ms"]["cloud"]["parts"]["Access network round trip"] == 600
    assert advise("--set", "link_class=satellite", "--answer", "uplink_mbps=500")["uplink_available_mbps"] == 500
    assert advisor.link_class_answers(replace(RETAIL, link_class="intermittent").link_class) == {
        "connectivity": "intermittent"
    }
