"""Fleet planning (issue 14): inventory checks, one batch with counts and go-live shifts, placement, plans."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq
from strategies import examples

from planner.advice import advisor
from planner.catalogs import catalog
from planner.fleet import devices as fleet_devices
from planner.fleet import inventory as fleet_inventory
from planner.fleet import programme as fleet_programme
from planner.fleet import tables as fleet_tables
from planner.model import costs, designs, finance
from planner.schema.scenario import ChoiceField, replace, to_dict, validate

pytestmark = pytest.mark.unit

RETAIL = catalog.preset("retail")
# A row with no device or count of its own: the preset's seed server sized from the row's load, not the preset's
# 5 set by hand. It sustains min(500 × (1 − 50 %), 38 decode streams × 0.4 frames/s) = 15.2 inferences/s.
RETAIL_ROW = replace(RETAIL, device_sizing="auto", device_throughput_ips=38 * 0.4)


def programme(csv: str, base=RETAIL, months=None, answers=None) -> fleet_programme.Programme:
    f = fleet_inventory.make_fleet(csv, base, answers, months)
    assert f.inventory.errors == ()
    return fleet_programme.evaluate(f)


def single(scenario) -> finance.Finance:
    return finance.analyse(costs.evaluate(costs.batch([scenario])), "cash", scenario.discount_percent_per_year)


# ── A fleet is the single-site model, summed ───────────────────────────────────────────────────────
def test_one_row_fleet_equals_the_single_site_model():
    p = programme("site\nshop\n")
    # 50 × 4 Mbps of video: more than 100 Mbps carry; the cloud is the cheapest design the link carries.
    one = single(replace(RETAIL_ROW, **designs.design_fields(p.cloud_design, 0)))
    edge = fleet_inventory.PLANS.index("all_edge")
    # Same series month by month (the engine's own arrays, one row, no shift, count 1) …
    np.testing.assert_allclose(p.cloud_monthly, one.cloud_monthly[0], rtol=1e-14)  # pooled bills summed apart
    np.testing.assert_array_equal(p.plan_opex[edge], one.edge_running_monthly[0])
    np.testing.assert_array_equal(p.plan_capex[edge], one.edge_capex[0])
    # … and the same figures (finance.analyse sums the terms in another order: equal to rounding).
    for got, want in [
        (p.plans.break_even_month[edge], one.break_even_month[0]),
        (p.plans.npv_savings[edge], one.npv_savings[0]),
        (p.plans.edge_total[edge], one.edge_total[0]),
        (p.plans.cloud_total[edge], one.cloud_total[0]),
        (p.plans.capex_total[edge], one.capex_total[0]),
        (p.irr[edge], one.irr_percent[0]),
    ]:
        assert got == pytest.approx(want, rel=1e-12, nan_ok=True)  # that cloud is cheaper: no break-even
    assert p.devices[0] == 2  # 50 × 0.4 × 1.3 = 26 ÷ 15.2 = 1.7 → 2
    assert p.rows.capex_total[0] == pytest.approx(one.capex_total[0])


def test_a_cloud_commitment_paid_upfront_counts_at_the_start_of_its_month_as_in_the_single_site_model():
    """A 1-year all-upfront GPU commitment: the lump is a negative capex at go-live and at each renewal."""
    gpu = catalog.preset("smart_city_gpu")
    base = replace(
        gpu,
        instance_commitment="one_year",
        instance_upfront="all",
        sites=1,
        cameras=round(gpu.cameras / gpu.sites),
        device_price=8000,
    )
    p, one = programme("site\njunction\n", base=base), single(base)
    edge = fleet_inventory.PLANS.index("all_edge")
    upfront = one.cloud_upfront[0]
    assert upfront[0] > 0 and upfront[12] == upfront[0] and not upfront[1:12].any()  # go-live, then yearly
    np.testing.assert_array_equal(p.plan_cloud_upfront[edge], upfront)
    for got, want in [
        (p.plans.break_even_month[edge], one.break_even_month[0]),
        (p.plans.npv_savings[edge], one.npv_savings[0]),
        (p.irr[edge], one.irr_percent[0]),
    ]:
        assert got == pytest.approx(want, rel=1e-12)
    # By hand, the NPV: the gap accrues (discounted at each month's end), lumps net of the upfront at its start.
    rate = 1 + base.discount_percent_per_year / 100
    gap = one.cloud_monthly[0] - upfront - one.edge_running_monthly[0]
    lumps = one.edge_capex[0] - upfront
    months = np.arange(base.horizon_months)
    npv = (gap * rate ** (-(months + 1) / 12)).sum() - (lumps * rate ** (-months / 12)).sum()
    assert p.plans.npv_savings[edge] == pytest.approx(npv, rel=1e-12)
    summary = fleet_tables.plan_summary(p)["all_edge"]
    assert summary["tco"] == pytest.approx(one.edge_total[0]) and summary["capex_total"] == one.capex_total[0]


def test_a_row_with_count_40_equals_40_identical_rows():
    cells = "cameras,go_live_month,connectivity,pin\n20,3,metered_5g,split_brain_edge"  # on the edge: sized
    counted = programme("site,count," + cells.replace("\n", "\nshops,40,") + "\n")
    rows = programme(
        "site," + cells.split("\n")[0] + "\n" + "".join(f"shop {i}," + cells.split("\n")[1] + "\n" for i in range(40))
    )
    for name in ("cloud_monthly", "plan_opex", "plan_capex", "irr"):
        np.testing.assert_allclose(getattr(counted, name), getattr(rows, name), rtol=1e-12)
    for name in ("break_even_month", "npv_savings", "edge_total", "capex_total"):
        np.testing.assert_allclose(getattr(counted.plans, name), getattr(rows.plans, name), rtol=1e-12)
    # 20 cameras × 0.4 × 1.3 = 10.4 ÷ 15.2 → 1 device a shop
    assert (
        fleet_tables.site_table(counted).loc[0, "devices"] == fleet_tables.site_table(rows)["devices"].sum() == 40 * 1
    )


def test_a_sites_costs_start_at_its_go_live_month():
    p = programme("site,go_live_month\nlater,6\n", months=36)
    # Nothing before month 6; from month 6 on, the single-site model over the 30 months left.
    # the link carries frames only: the cheapest design it carries
    one = single(replace(RETAIL_ROW, horizon_months=30, **designs.design_fields(p.cloud_design, 0)))
    assert not p.cloud_monthly[:6].any() and not p.plan_capex[:, :6].any() and not p.plan_opex[:, :6].any()
    np.testing.assert_allclose(p.cloud_monthly[6:], one.cloud_monthly[0], rtol=1e-14)  # pooled bills summed apart
    np.testing.assert_array_equal(p.plan_capex[1, 6:], one.edge_capex[0])
    assert p.plan_capex[1, 6] == 2 * 2000  # 2 devices × 2,000 at go-live
    # Its payback is counted in programme months: 6 + the single site's payback.
    assert fleet_tables.site_table(p).loc[0, "payback_month"] == pytest.approx(6 + one.payback_months[0], nan_ok=True)


def test_pinning_changes_only_that_site():
    csv = "site,pin,connectivity\nA,,fiber\nB,{pin},metered_5g\nC,,broadband\n"
    free, pinned = programme(csv.format(pin="")), programme(csv.format(pin="split_brain_edge"))
    before, after = fleet_tables.site_table(free), fleet_tables.site_table(pinned)
    assert before.loc[1, "placement"] == "cloud" and after.loc[1, "placement"] == "split_brain_edge"
    assert before.loc[1, "capex"] == 0 and after.loc[1, "pin_cost_npv"] > 0  # the cloud is cheaper at B
    for r in (0, 2):
        assert before.drop(columns="reason").loc[r].equals(after.drop(columns="reason").loc[r])
    # The recommended plan moves by site B's edge flows, exactly: capex 2 × 2,000 more at month 0.
    rec = fleet_inventory.PLANS.index("recommended")
    assert pinned.plan_capex[rec, 0] - free.plan_capex[rec, 0] == 4_000
    np.testing.assert_array_equal(free.plan_capex[:2], pinned.plan_capex[:2])  # all cloud, all edge unchanged


# A scenario whose months are easy to add up by hand.
SIMPLE = validate(
    {
        **{k: v for k, v in to_dict(RETAIL).items() if k not in ("inference_tiers", "egress_tiers")},
        "cameras": 10,
        "analysed_fps": 1,
        "hours_per_day": 10,
        "days_per_month": 10,
        "cloud_upload": "frames",
        "uplink_per_gb": 0,
        "ingest_per_gb": 0,
        "storage_per_gb_month": 0,
        "result_kb": 0,
        "inference_tiers": [{"start": 0, "price": 0.5}],
        "egress_tiers": [{"start": 0, "price": 0}],
        "device_price": 3000,
        "device_sizing": "manual",
        "devices_manual": 1,
        "install_per_device": 0,
        "useful_life_months": 180,
        "salvage_percent": 0,
        "failure_percent_per_year": 0,
        "electricity_per_kwh": 0,
        "management_basis": "per_site",
        "management_per_month": 100,
        "feedback_percent": 0,
        "discount_percent_per_year": 12,
        "horizon_months": 12,
        "workload_growth_percent_per_year": 0,
    }
)


def test_hand_computed_two_site_programme():
    # Each site: 10 cameras × 1 frame/s × 10 h × 3,600 s × 10 days = 3,600,000 images × 0.5 per 1,000
    # = 1,800 a month in the cloud; on the edge one 3,000 device at go-live and 100 a month of management.
    # Site A goes live at month 0, site B at month 1; 12 programme months.
    p = programme("site,go_live_month\nA,0\nB,1\n", base=SIMPLE)
    edge = fleet_inventory.PLANS.index("all_edge")
    np.testing.assert_allclose(p.cloud_monthly, [1800] + [3600] * 11)
    np.testing.assert_allclose(p.plan_capex[edge], [3000, 3000] + [0] * 10)
    # Cumulative savings (gap 1,700 a month per site): start of month 0: −3,000, end −1,300; month 1 starts
    # at −1,300 − 3,000 = −4,300 and ends at −4,300 + 3,400 = −900; month 2 ends at +2,500.
    # Break-even inside month 2: 2 + 900 / 3,400.
    assert p.plans.break_even_month[edge] == pytest.approx(2 + 900 / 3400, rel=1e-4)
    # Flows at t (months): capex at the start of its month, each month's gap at its end.
    flows = {0: -3000, 1: -3000 + 1700}
    flows |= {t: 3400 for t in range(2, 13)}
    npv = sum(c * 1.12 ** (-t / 12) for t, c in flows.items())
    assert p.plans.npv_savings[edge] == pytest.approx(npv, rel=1e-4)
    irr = brentq(lambda i: sum(c * (1 + i) ** (-t / 12) for t, c in flows.items()), 0.01, 1e9)
    assert p.irr[edge] == pytest.approx(irr * 100, rel=1e-4)
    # TCO of the edge plan: 2 devices + 100 a month for 12 + 11 site-months.
    summary = fleet_tables.plan_summary(p)
    assert summary["all_edge"]["tco"] == pytest.approx(6000 + 100 * 23)
    assert summary["all_cloud"]["tco"] == pytest.approx(1800 * 23)  # all cloud: 23 site-months × 1,800
    assert summary["all_edge"]["capex_by_quarter"][:2] == [6000, 0]
    assert summary["all_cloud"]["break_even_month"] is None and summary["all_cloud"]["npv"] == 0


# ── Placement follows the advisor's rules ──────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    "answer, fps, cameras",
    [
        ({"privacy": "on_site"}, 5, 4),
        ({"response_ms": 10}, 60, 4),  # a frame every 8.3 ms: a 10 ms reaction is attainable, on the edge only
        ({"connectivity": "intermittent"}, 5, 4),
        # 500 × 4 = 2,000 Mbps of video, 500 × 5 × 150 kB × 8 / 1000 = 3,000 Mbps of frames: neither fits the
        # 5 Mbps line, nor any link class it could buy (fibre's 2,000 Mbps carries 1,600 sustained)
        ({"uplink_mbps": 5}, 5, 500),
        ({"response_ms": 150, "region_distance_km": 15_000}, 5, 4),
    ],
)
def test_a_hard_constraint_places_a_site_as_the_single_site_advisor(answer, fps, cameras):
    # Four cameras: their video (16 Mbps) fits the default 100 Mbps link, so the uplink rule fires only when asked.
    base = replace(RETAIL, cameras=cameras, analysed_fps=fps)
    header = ",".join(answer)
    p = programme(f"site,{header}\nx,{','.join(str(v) for v in answer.values())}\n", base)
    single_site = advisor.advise(advisor.answers(**answer), fleet_devices.row_scenario(p.fleet, 0))
    assert single_site.hard_constraints  # the case is one of hard constraints
    assert fleet_tables.site_table(p).loc[0, "placement"] == single_site.placement
    assert fleet_tables.site_table(p).loc[0, "reason"].startswith("edge mandatory for")


def test_data_that_must_stay_on_site_sends_no_feedback_frames():
    p = programme("site,privacy\nkept,on_site\nfree,none\n")
    assert p.rows.costs.values("feedback_gb")[0, 0] == 0 and p.rows.costs.values("feedback_gb")[1, 0] > 0


# ── Inventory checks ───────────────────────────────────────────────────────────────────────────────
def test_a_bad_cell_is_named_and_the_rest_is_kept():
    f = fleet_inventory.make_fleet(
        "site,cameras,pin,go_live_month,connectivity\nA,abc,,0,fiber\nB,20,edge,40,moon\nC,30,cloud,2,fiber\n",
        RETAIL,
        months=36,
    )
    assert f.inventory.errors == (
        "row 1, column cameras: 'abc' is not a number",
        "row 2, column pin: 'edge' is not a placement: leave it blank or use cloud, split_brain_edge or edge_only",
        "row 2, column go_live_month: 40 is outside 0 to 35 (month 0 starts the programme)",
        "row 2, column connectivity: 'moon' is not one of fiber, broadband, metered_5g, satellite, intermittent",
    )
    table = f.inventory.table
    assert list(table["cameras"]) == ["", "20", "30"] and list(table["pin"]) == ["", "", "cloud"]
    assert fleet_programme.evaluate(f).rows.costs.n == 3  # blank cells take the base value


def test_unknown_and_text_columns_are_refused_by_name():
    f = fleet_inventory.make_fleet("site,colour,currency\nA,red,EUR\n", RETAIL)
    assert f.inventory.errors[0].startswith("column 'colour': not a fleet column")
    assert "set it on the base scenario" in f.inventory.errors[1]
    assert list(f.inventory.table.columns) == ["site"]


@pytest.mark.parametrize(
    "cell, reason", [("0", "0 is outside 1 to 100,000 sites".replace(",", "")), ("2.5", "2.5 is not a whole number")]
)
def test_count_is_a_whole_number_of_sites(cell, reason):
    f = fleet_inventory.make_fleet(f"site,count\nA,{cell}\n", RETAIL)
    assert f.inventory.errors == (f"row 1, column count: {reason}",)


def test_the_inventory_csv_and_the_fleet_json_round_trip():
    csv = (
        "site,count,go_live_month,pin,cameras,uplink_per_gb,cloud_upload,privacy\n"
        "Flagship,1,0,,120,0,,none\nShop,40,6,edge_only,,2.5,frames,\n"
    )
    f = fleet_inventory.make_fleet(csv, RETAIL, months=48)
    assert f.inventory.to_csv() == csv
    again = fleet_inventory.parse_fleet_json(fleet_inventory.fleet_json(f))
    assert again.inventory.table.equals(f.inventory.table)
    assert (again.base, again.answers, again.months) == (f.base, f.answers, f.months)
    assert fleet_inventory.fleet_json(again) == fleet_inventory.fleet_json(f)


def test_result_json_has_the_issue_keys():
    doc = fleet_tables.result_dict(programme("site\nA\n"))
    json.dumps(doc, allow_nan=False)
    for plan in fleet_inventory.PLANS:
        assert {"capex_total", "break_even_month", "npv", "irr_percent", "tco"} <= set(doc["plans"][plan])
    assert {"name", "placement", "devices", "capex", "monthly_saving", "payback_month"} <= set(doc["sites"][0])


def test_a_fleet_row_opens_as_a_single_site_scenario_and_comes_back():
    f = fleet_inventory.make_fleet(
        "site,count,go_live_month,cameras,uplink_per_gb,cloud_upload\nShop,40,6,12,2.5,frames\n", RETAIL, months=36
    )
    s = fleet_devices.row_scenario(f, 0)
    assert (s.name, s.cameras, s.sites, s.uplink_per_gb, s.cloud_upload, s.horizon_months) == (
        "Shop",
        12,
        1,
        2.5,
        "frames",
        30,
    )  # 36 programme months − go-live at 6
    # Its single-site figures are the row's own in the fleet.
    p = fleet_programme.evaluate(f)
    assert single(s).edge_total[0] == pytest.approx(p.rows.edge_total[0], rel=1e-12)
    # Sent back as a row of 40 sites (sites 40, 480 cameras): the same cells, count 40.
    back = fleet_inventory.with_row(f, fleet_inventory.scenario_row(f, replace(s, sites=40, cameras=480)))
    assert back.inventory.errors == ()
    row = back.inventory.table.iloc[1]
    assert (row["site"], row["count"], row["cameras"], row["uplink_per_gb"], row["cloud_upload"]) == (
        "Shop",
        "40",
        "12",
        "2.5",
        "frames",
    )


def test_break_even_counts_from_the_plans_first_flow():
    # A stays in the cloud, B goes live on the edge at month 1 (both pinned). Before month 1 the mix saves nothing,
    # which is not a pay-back: its break-even is B's own, 1 + (3,000 − 0) / 1,700 into month 2 → 1 + 1.7647.
    p = programme("site,go_live_month,pin\nA,0,cloud\nB,1,split_brain_edge\n", base=SIMPLE)
    rec = fleet_inventory.PLANS.index("recommended")
    assert p.plans.break_even_month[rec] == pytest.approx(1 + 3000 / 1700, rel=1e-4)


def test_a_table_of_numbers_and_gaps_reads_like_its_csv():
    # What the page's editor hands back: numbers as numbers, a new row's gaps as None/NaN.
    frame = pd.DataFrame(
        {"site": ["A", None], "count": [40.0, float("nan")], "cameras": [12, 7], "uplink_per_gb": [2.5, None]}
    )
    f = fleet_inventory.make_fleet(frame, RETAIL)
    assert f.inventory.errors == ()
    assert f.inventory.to_csv() == "site,count,cameras,uplink_per_gb\nA,40,12,2.5\nsite 2,,7,\n"


def test_each_plan_emits_what_its_sites_emit_where_they_run():
    """Emissions per plan: Σ count × a site's cloud or edge kg CO₂e over its months, by hand for two sites (on links
    that carry their video: their own per-image design, whose emissions follow their images, nothing pooled)."""
    p = programme("site,count,go_live_month,privacy,uplink_mbps\nA,3,0,on_site,1000\nB,2,12,none,1000\n", months=36)
    assert p.cloud_inputs["inference_pricing"].tolist() == ["per_image"] * 2
    # A's data stays on site: edge only, no feedback frames leave it (and none of their network energy).
    a = single(replace(fleet_devices.row_scenario(p.fleet, 0), feedback_percent=0))
    b = single(fleet_devices.row_scenario(p.fleet, 1))
    carbon = [finance.carbon(x.costs) for x in (a, b)]
    cloud = [c.cloud_total[0] for c in carbon]
    edge = [c.edge_total[0] for c in carbon]
    assert cloud[0] > 0 and edge[0] > 0 and cloud[0] != edge[0]
    summary = fleet_tables.plan_summary(p)
    assert summary["all_cloud"]["kgco2e_total"] == pytest.approx(3 * cloud[0] + 2 * cloud[1], rel=1e-12)
    assert summary["all_edge"]["kgco2e_total"] == pytest.approx(3 * edge[0] + 2 * edge[1], rel=1e-12)
    on_edge = fleet_tables.site_table(p)["placement"].ne("cloud").tolist()
    assert on_edge[0]  # A: the data must stay on site
    want = sum(n * (e if moved else c) for n, e, c, moved in zip((3, 2), edge, cloud, on_edge))
    assert summary["recommended"]["kgco2e_total"] == pytest.approx(want, rel=1e-12)
    assert summary["recommended"]["kgco2e_avoided"] == pytest.approx(3 * cloud[0] + 2 * cloud[1] - want, rel=1e-12)


# ── A row with no device of its own is sized from its own load ─────────────────────────────────────
def test_a_blank_row_is_sized_from_its_own_load_not_the_bases_hand_set_count():
    # The base prices 5 seed servers by hand. Per row (each pinned to the edge): cameras × 0.4 × 1.3 ÷ 15.2 per
    # server, rounded up.
    p = programme(
        "site,cameras,devices_manual,pin\n"
        + "".join(f"{row},split_brain_edge\n" for row in ("small,8,", "mid,120,", "big,200,", "own,200,5"))
    )
    table = fleet_tables.site_table(p)
    # 8 → 4.16 ÷ 15.2 → 1; 120 → 62.4 ÷ 15.2 = 4.1 → 5; 200 → 104 ÷ 15.2 = 6.8 → 7; a count of its own is kept.
    assert table["devices"].tolist() == [1, 5, 7, 5]
    assert table["capex"].tolist() == [1 * 2000, 5 * 2000, 7 * 2000, 5 * 2000]
    assert table.loc[2, "capex"] - table.loc[1, "capex"] == (7 - 5) * 2000  # 120 → 200 cameras
    # Opened as a scenario, the row is sized the same way, and the single-site capacity check agrees.
    f = fleet_inventory.make_fleet("site,cameras\nbig,200\n", RETAIL)
    opened = fleet_devices.row_scenario(f, 0)
    assert (opened.device_sizing, opened.device_throughput_ips) == ("auto", 38 * 0.4)
    assert advisor.capacity(opened).needed == advisor.capacity(opened).priced == 7


def test_a_row_whose_devices_do_not_fit_its_power_is_flagged_and_not_voted_onto_the_edge():
    # 8 cameras: 1 seed server of 250 W against 150 W. Data that stays on site makes the edge mandatory: it
    # stays there, flagged; the same site free to choose is not put on the edge by the vote. A metered uplink
    # (2 per GB) makes every cloud design dearer than the edge, so money votes for the edge.
    p = programme(
        "site,cameras,privacy,site_power_watts,uplink_per_gb\nlocked,8,on_site,150,2\nfree,8,,150,2\nroomy,8,,2000,2\n"
    )
    table = fleet_tables.site_table(p)
    assert table["placement"].tolist() == ["edge_only", "cloud", "split_brain_edge"]
    assert table.loc[0, "reason"] == (
        "edge mandatory for privacy; its devices do not fit the site's power "
        "(1 device × 250 W = 250 W needed, 150 W available): costed as if they did"
    )
    assert table.loc[1, "reason"].endswith(
        "; the edge's devices would not fit the site's power (1 device × 250 W = 250 W needed, 150 W available)"
    )
    assert table.loc[1, "reason"].startswith("the site's answers and the money favour the edge (weighted votes ")
    assert "fit" not in table.loc[2, "reason"]


# ── One rule set: a fleet's site is placed by the single-site advisor's rules ────────────────────────
@given(
    answers=st.fixed_dictionaries(
        {
            q.name: (
                st.sampled_from(list(q.options))
                if isinstance(q, ChoiceField)
                else st.floats(q.min, min(q.max, 50_000), allow_nan=False).map(round)
            )
            for q in advisor.QUESTIONS
            if q.name not in ("site_power_watts", "workload")
        }
    ),
    cameras=st.integers(1, 120),
    fps=st.sampled_from([0.5, 2.0, 5.0, 15.0]),
    upload=st.sampled_from(["video", "frames"]),
)
@settings(max_examples=examples(40), deadline=None)
def test_a_fleet_site_meets_the_single_site_advisors_rules(answers, cameras, fps, upload):
    """For random answers and workloads, a one-site fleet's row meets the same hard constraints and the same soft
    votes as the single-site advisor; with no power for edge devices (so neither side's money votes) it is placed
    as the advisor places the site."""
    answers = {
        **answers,
        "response_ms": max(answers["response_ms"], 1),
        "uplink_mbps": max(answers["uplink_mbps"], 1),
        "site_power_watts": 0,
    }
    row = {"site": "x", "cameras": cameras, "analysed_fps": fps, "cloud_upload": upload, **answers}
    p = programme(",".join(row) + "\n" + ",".join(str(v) for v in row.values()) + "\n")
    # The single-site advisor on the row as the fleet costs it: the design its link, or a link upgrade, carries.
    single = advisor.advise(advisor.answers(**answers), fleet_devices.row_scenario(p.fleet, 0))
    hard = {f.key for f in single.factors if f.hard}
    fleet_hard = {
        advisor.HARD_CASES[name][0] for name, on in zip(fleet_programme.HARD_RULES, p.placement.hard[0]) if on
    }
    assert fleet_hard == hard
    soft = [f for f in single.factors if not f.hard and f.key != "economics"]
    assert p.placement.edge_votes[0] == sum(f.weight for f in soft if f.verdict == "edge")
    assert p.placement.cloud_votes[0] == sum(f.weight for f in soft if f.verdict == "cloud")
    assert fleet_tables.site_table(p).loc[0, "advised"] == single.placement


def test_plan_json_never_carries_an_absurd_irr():
    # Each plan's IRR is given as a number up to 1,000 %/year; above, JSON says so in `irr_note` instead of carrying
    # a rate such as 3e24 %.
    p = fleet_programme.evaluate(fleet_inventory.preset("retail_chain"))
    plans = fleet_tables.plan_summary(p)
    for i, key in enumerate(fleet_inventory.PLANS):
        rate, found = plans[key]["irr_percent"], p.irr[i]
        if np.isfinite(found) and found > 1_000:
            assert rate is None and plans[key]["irr_note"] == "over 1,000 %/year"
        elif np.isfinite(found):
            assert rate == pytest.approx(found)
    assert any(
        plans[k]["irr_note"] == "over 1,000 %/year" for k in fleet_inventory.PLANS
    )  # the preset's pays back in weeks
    assert json.loads(json.dumps(plans))  # plain JSON throughout
