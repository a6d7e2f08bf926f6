"""The Sensitivity & risk page without a browser (AppTest), and the pure helpers behind it.

Expected figures come from `planner.model.risk` called directly with the same inputs (the model is tested on
its own in test_risk.py): the page must show exactly what the model says, formatted, with "never pays
back within the horizon" labelled wherever it occurs.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from app_support import decoded
from streamlit.testing.v1 import AppTest

from planner.catalogs import catalog
from planner.exports import sensitivity
from planner.exports.report import analyse_one, read_report_section, summary
from planner.model import risk
from planner.schema.format import money, months
from planner.schema.scenario import replace
from planner.ui import sensitivity as page_module

pytestmark = pytest.mark.app

APP = Path(__file__).resolve().parent.parent / "app.py"
PAGE = "pages/sensitivity.py"
RETAIL = catalog.preset("retail")
NEVER = replace(RETAIL, cameras=1, analysed_fps=0.1, name="Retail, one camera")  # a tiny cloud bill
SECTIONS = [
    "Tornado: which inputs move the result most",
    "Break-even map: two inputs at once",
    "Monte Carlo: how sure is the payback?",
]


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts with empty caches, so 'computed' and 'served from the cache' can be told apart."""
    for cached in (page_module.simulate, page_module.tornado_table, page_module.sensitivity_map):
        cached.clear()


def open_page(scenario=None, preset: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    if preset:
        at.selectbox(key="sidebar.preset").set_value(preset).run()
    if scenario is not None:
        at.session_state["scenario"] = scenario
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def tornado_shown(at: AppTest) -> pd.DataFrame:
    return next(t.value for t in at.table if "Savings swing" in t.value.columns)


def figure(at: AppTest, title_start: str) -> dict:
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if spec["layout"]["title"]["text"].replace("<br>", " ").startswith(title_start):  # a title may break lines
            return spec
    raise AssertionError(f"no chart titled {title_start!r}")


def run_simulation(at: AppTest, draws: int = 2_000, seed: int = 0) -> AppTest:
    at.select_slider(key="sensitivity.mc.draws").set_value(draws)
    at.number_input(key="sensitivity.mc.seed").set_value(seed)
    at.button(key="sensitivity.mc.run").click().run()
    assert not at.exception, at.exception
    return at


def headline(at: AppTest) -> str | None:
    return next((m.value for m in at.markdown if "simulated futures" in m.value), None)


def figures(at: AppTest) -> dict:
    """Everything a reader takes from one simulation: headline, cards, savings line and the histogram."""
    return {
        "headline": headline(at),
        "cards": {m.label: m.value for m in at.metric},
        "savings": next(m.value for m in at.markdown if "Savings over" in m.value),
        "histogram": figure(at, "Break-even month")["data"],
        "fan": figure(at, "Cumulative savings")["data"],
    }


def expected_simulation(at: AppTest, scenario, draws: int, seed: int) -> risk.MonteCarlo:
    """The model run by hand with the page's default rows (triangular ±30 % around the current values)."""
    names = at.session_state["sensitivity.mc.inputs"]
    distributions = {n: sensitivity.default_distribution(n, getattr(scenario, n)) for n in names}
    return risk.monte_carlo(scenario, distributions, draws, seed)


# ── The page ───────────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("preset", list(catalog.presets()))
def test_the_page_renders_for_every_preset(preset):
    at = open_page(preset=preset)
    scenario = catalog.preset(preset)
    assert [t.value for t in at.title] == ["Sensitivity & risk"]
    assert [s.value for s in at.main.subheader] == SECTIONS
    assert not at.error and not at.warning
    shown = tornado_shown(at)
    table = risk.tornado(scenario, percent=20)
    assert shown["Input"].iloc[0] == table["label"].iloc[0]  # the largest swing first
    assert shown["Savings at low"].iloc[0] == money(table["savings_low"].iloc[0])
    current = next(t for t in figure(at, "Break-even over two inputs")["data"] if t["name"] == "Current scenario")
    x, y = at.selectbox(key="sensitivity.map.x").value, at.selectbox(key="sensitivity.map.y").value
    assert (current["x"][0], current["y"][0]) == (getattr(scenario, x), getattr(scenario, y))
    assert "Run simulation" in at.info[0].value
    run_simulation(at, draws=1_000)
    sentence = expected_simulation(at, scenario, 1_000, 0).headline()
    assert headline(at) == f"#### {sentence[0].upper()}{sentence[1:]}."
    assert {d.label for d in at.download_button} == {
        "Tornado CSV",
        "Map CSV",
        "Simulation CSV",
        "Every draw CSV",
        "Tornado table CSV",
        "Map table CSV",
        "Savings bands CSV",
    }


def test_moving_the_tornado_percentage_changes_the_table():
    at = open_page()
    before = tornado_shown(at)
    assert before.loc[before["Input"] == "Cameras", "Low → high"].item() == "40 → 60 cameras"
    at.slider(key="sensitivity.tornado.percent").set_value(40).run()
    after = tornado_shown(at)
    cameras = after[after["Input"] == "Cameras"]
    assert cameras["Low → high"].item() == "30 → 70 cameras"
    expected = risk.tornado(RETAIL, percent=40).set_index("input").loc["cameras"]
    assert cameras["Savings at low"].item() == money(expected["savings_low"])
    assert cameras["Savings at high"].item() == money(expected["savings_high"])
    assert not after.equals(before)


def test_the_tornado_by_break_even_and_with_a_custom_range():
    at = open_page()
    install = risk.KEY_INPUTS.index("install_per_device")  # 0 in the preset: up to 20 % of the device price

    def bars():
        return " ".join(figure(at, "Savings over 36 months: each input")["data"][0]["y"])

    assert f"0 – {RETAIL.device_price * 0.2:,.0f} USD/device" in bars()
    at.session_state["sensitivity.tornado.custom"] = {
        "edited_rows": {install: {"Low": 0.0, "High": 5_000.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert "Installation" in bars()
    at.segmented_control(key="sensitivity.tornado.metric").set_value("break_even").run()
    assert not at.exception
    shown = tornado_shown(at)
    row = shown[shown["Input"] == "Installation"]
    expected = risk.tornado(RETAIL, percent=20, custom={"install_per_device": (0.0, 5_000.0)}).set_index("input")
    assert row["Low → high"].item() == "0 → 5,000 USD/device"
    assert row["Break-even at high"].item() == months(expected.loc["install_per_device", "break_even_high"])
    bars = figure(at, "Break-even: each input")
    assert bars["layout"]["xaxis"]["title"]["text"] == "Break-even [months from go-live]"


def test_the_tornado_by_npv_shows_the_engines_npv_of_savings():
    at = open_page()
    at.segmented_control(key="sensitivity.tornado.metric").set_value("npv").run()
    assert not at.exception
    shown = next(t.value for t in at.table if "NPV swing" in t.value.columns)
    expected = sensitivity.tornado_order(risk.tornado(RETAIL, percent=20), "npv", 36)[0]
    assert list(shown["Input"][: len(expected)]) == list(expected["label"])  # the largest NPV swing first
    assert list(shown["NPV at high"][: len(expected)]) == [money(v) for v in expected["npv_high"]]
    bars = figure(at, "NPV of savings over 36 months: each input")
    npv = summary(analyse_one(RETAIL))["npv_savings"]
    assert bars["layout"]["annotations"][0]["text"] == f"<b>Current scenario:<br>{money(npv)}</b>"
    assert any(f"discounted at {RETAIL.discount_percent_per_year:g} %/year" in c.value for c in at.caption)


def test_a_custom_value_outside_the_bounds_is_flagged():
    at = open_page()
    at.session_state["sensitivity.tornado.custom"] = {
        "edited_rows": {0: {"High": 500_000.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert "Cameras: 500,000 is outside 0 to 100,000 cameras" in at.warning[0].value


def test_a_small_monte_carlo_shows_the_headline_and_the_probabilities():
    at = run_simulation(open_page(), draws=2_000, seed=7)
    result = expected_simulation(at, RETAIL, 2_000, 7)
    assert (
        headline(at) == f"#### The edge pays back within 12 months in {result.probability_within(12):.0%} of "
        "2,000 simulated futures."
    )
    cards = {m.label: m.value for m in at.metric}
    for horizon in (12, 24, 36):
        assert cards[f"Within {horizon} months"] == risk.share_text(result.probability_within(horizon))
    assert cards["Never in 36 months"] == risk.share_text(result.never_share)
    p10, p50, p90 = np.percentile(result.savings_total, [10, 50, 90])
    line = figures(at)["savings"].replace("\\$", "$")
    assert line.startswith(f"Half the futures pay back by month {math.floor(np.median(result.break_even)) + 1}.")
    assert f"{money(p10)} (P10) · {money(p50)} (median) · {money(p90)} (P90)" in line
    hist = figure(at, "Break-even month")["data"]
    assert [t["name"] for t in hist] == ["Pays back in this month", "Never within 36 months"]
    fan = figure(at, "Cumulative savings")["data"]
    assert [t["name"] for t in fan][2] == "Median (P50)"
    assert [p.value for p in at.progress] == []  # the bar is gone when done


def test_the_same_seed_twice_gives_identical_figures():
    at = open_page()
    with mock.patch.object(risk, "monte_carlo", wraps=risk.monte_carlo) as model:
        first = figures(run_simulation(at, seed=11))
        page_module.simulate.clear()  # computed again, not cached
        second = figures(run_simulation(at, seed=11))
        other = figures(run_simulation(at, seed=12))
    assert model.call_count == 3
    assert second == first
    assert other["savings"] != first["savings"]


def test_the_tornado_slider_and_page_reruns_reuse_the_simulation():
    at = open_page()
    with mock.patch.object(risk, "monte_carlo", wraps=risk.monte_carlo) as model:
        run_simulation(at, seed=5)
        shown = figures(at)
        at.slider(key="sensitivity.tornado.percent").set_value(50).run()
        at.segmented_control(key="sensitivity.map.metric").set_value("savings").run()
        at.switch_page("pages/costs.py").run()
        at.switch_page(PAGE).run()
    assert not at.exception
    assert model.call_count == 1
    assert figures(at) == shown
    assert at.select_slider(key="sensitivity.mc.draws").value == 2_000  # kept across the page switch


def test_bad_distribution_parameters_show_the_error_not_a_traceback():
    at = open_page()
    at.number_input(key="sensitivity.mc.cameras.low").set_value(70)  # above likely (50)
    run_simulation(at)
    assert [e.value for e in at.error] == ["Not run: Cameras: needs low ≤ likely ≤ high"]
    assert headline(at) is None
    at.selectbox(key="sensitivity.mc.cameras.kind").set_value("uniform")
    at.number_input(key="sensitivity.mc.cameras.high").set_value(60)
    run_simulation(at)
    assert [e.value for e in at.error] == ["Not run: Cameras: low is above high"]
    at.number_input(key="sensitivity.mc.cameras.low").set_value(40)
    run_simulation(at)
    assert not at.error and headline(at) is not None


def test_an_error_keeps_the_previous_results_and_says_so():
    at = run_simulation(open_page(), seed=1)
    shown = headline(at)
    at.selectbox(key="sensitivity.mc.cameras.kind").set_value("lognormal")
    at.number_input(key="sensitivity.mc.cameras.likely").set_value(0)
    run_simulation(at, seed=1)
    assert at.error[0].value == "Not run: Cameras: lognormal needs a median > 0 and 0 < sigma ≤ 3"
    assert any(c.value == "The results below are from the previous run." for c in at.caption)
    assert headline(at) == shown


def test_never_paying_back_is_a_labelled_outcome_everywhere():
    at = open_page(NEVER)
    at.segmented_control(key="sensitivity.tornado.metric").set_value("break_even").run()
    bars = figure(at, "Break-even: each input")
    assert bars["layout"]["annotations"][0]["text"] == "<b>Current scenario:<br>never within 36 months</b>"
    assert "never within 36 months" in tornado_shown(at).to_string()
    run_simulation(at, draws=1_000)
    cards = {m.label: m.value for m in at.metric}
    result = expected_simulation(at, NEVER, 1_000, 0)
    assert cards["Never in 36 months"] == risk.share_text(result.never_share)
    assert result.never_share > 0.5
    assert figures(at)["savings"].startswith("Half the futures or more do not pay back within 36 months.")
    never_bar = figure(at, "Break-even month")["data"][1]
    assert never_bar["name"] == "Never within 36 months"
    assert "Never pays back within 36 months in" in " ".join(c.value for c in at.caption)


def test_a_changed_scenario_marks_the_last_simulation_as_stale():
    at = run_simulation(open_page(), seed=2)
    at.session_state["scenario"] = replace(RETAIL, cameras=80)
    at.run()
    assert "as they were when the simulation ran" in at.warning[0].value
    assert headline(at) is not None
    run_simulation(at, seed=2)
    assert not at.warning


def test_the_map_refuses_one_input_twice_and_an_empty_range():
    at = open_page()
    at.selectbox(key="sensitivity.map.y").set_value(at.selectbox(key="sensitivity.map.x").value).run()
    assert [e.value for e in at.error] == ["Choose two different inputs."]
    at.selectbox(key="sensitivity.map.y").set_value("device_price").run()
    x = at.selectbox(key="sensitivity.map.x").value
    keys = [w.key for w in at.number_input if w.key and w.key.startswith(f"sensitivity.map.x.{x}.")]
    at.number_input(key=keys[0]).set_value(at.number_input(key=keys[1]).value).run()  # from = to
    assert "“from” must be below “to”" in at.error[0].value


def test_the_map_shows_the_model_over_the_default_ranges():
    at = open_page()
    at.selectbox(key="sensitivity.map.x").set_value("cameras")
    at.selectbox(key="sensitivity.map.y").set_value("device_price")
    at.segmented_control(key="sensitivity.map.metric").set_value("savings").run()
    spec = figure(at, "Savings over 36 months over two inputs")
    xs, ys = np.linspace(25, 75, 21).round(), np.linspace(1_000, 3_000, 21)
    _, savings = risk.grid_map(RETAIL, "cameras", xs, "device_price", ys)
    heat = spec["data"][0]
    assert np.array_equal(decoded(heat["x"]), xs) and np.allclose(decoded(heat["y"]), ys)
    assert np.allclose(decoded(heat["z"]), savings)
    assert decoded(heat["z"])[10, 10] == pytest.approx(summary(analyse_one(RETAIL))["savings_total"])


# ── Pure helpers ───────────────────────────────────────────────────────────────────────────────────
def test_default_ranges_are_half_either_side_within_bounds():
    assert sensitivity.default_range("cameras", 50) == (25, 75)
    assert sensitivity.default_range("hours_per_day", 24) == (12, 24)  # 36 h/day is past the bound
    assert sensitivity.default_range("install_per_device", 0) == (0, 10_000)  # a tenth of 0–100,000
    assert sensitivity.default_range("bandwidth_price_change_percent_per_year", 0) == (-15, 15)
    assert list(sensitivity.axis_values("cameras", 0, 4, 21)) == [0, 1, 2, 3, 4]  # whole, distinct
    assert len(sensitivity.axis_values("uplink_per_gb", 0, 1, 21)) == 21


def test_default_distributions_are_triangular_around_the_current_value():
    assert sensitivity.default_distribution("cameras", 50) == risk.Distribution("triangular", 35, 50, 65)
    assert sensitivity.default_distribution("hours_per_day", 24) == risk.Distribution("triangular", 16.8, 24, 24)
    assert sensitivity.default_distribution("uplink_per_gb", 0.01) == risk.Distribution(
        "triangular", 0.007, 0.01, 0.013
    )
    assert sensitivity.default_distribution("workload_growth_percent_per_year", 0).kind == "triangular"
    assert sensitivity.default_distribution("install_per_device", 0).kind == "fixed"
    for name in risk.VARIABLE_INPUTS:  # every default passes the model's own check
        sensitivity.default_distribution(name, getattr(RETAIL, name)).check(name)


def test_the_headline_is_the_models_sentence_without_rounding_a_rare_payback_away():
    rows = {"cameras": risk.Distribution("triangular", 1, 1, 10)}
    result = risk.monte_carlo(NEVER, rows, draws=2_000, seed=4)
    assert 0 < result.probability_within(12) < 0.005  # rare, not never
    assert result.headline() == "The edge pays back within 12 months in <1% of 2,000 simulated futures"
    short = risk.monte_carlo(replace(RETAIL, horizon_months=6), {}, draws=10, seed=0)
    assert short.headline() == "The edge pays back within 6 months in 100% of 10 simulated futures"
    assert sensitivity.median_sentence(0.0, 36) == "Half the futures pay back from day one."
    assert sensitivity.median_sentence(2.0, 36) == "Half the futures pay back by month 2."  # (1, 2]: month 2
    assert sensitivity.median_sentence(2.1, 36) == "Half the futures pay back by month 3."


def test_shares_are_never_rounded_away():
    assert [risk.share_text(p) for p in (0, 0.001, 0.5, 0.996, 1)] == ["0%", "<1%", "50%", ">99%", "100%"]
    assert sensitivity.histogram_bins(36) == 36 and sensitivity.histogram_bins(120) == 60
    assert sensitivity.histogram_bins(61) == 1  # 61 is prime: one bin of 61
    assert sensitivity.histogram_bins(240) == 60


def test_checking_distributions_names_the_input_by_its_label():
    rows = (
        ("cameras", "triangular", 60.0, 50.0, 70.0, 0.25),
        ("device_price", "uniform", 1.0, 0.0, 2.0, 0.25),
        ("hours_per_day", "uniform", 1.0, 0.0, 30.0, 0.25),
    )
    assert sensitivity.check_distributions(rows) == [
        "Cameras: needs low ≤ likely ≤ high",
        "Operating hours: values must lie within 0 to 24 h/day",
    ]


def test_csv_exports_are_spreadsheet_safe_and_say_never():
    hostile = replace(NEVER, name="=HYPERLINK(1)")
    table = risk.tornado(hostile, percent=20)
    text = sensitivity.tornado_csv(table, hostile, "cash", 20)
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text
    body = pd.read_csv(io.StringIO(text.split("\n\n", 1)[1]))
    assert list(body["input"]) == list(table["input"]) and "never" in set(body["break_even_low [months]"])

    xs, ys = [1.0, 2.0], [0.1, 0.2]
    be, sv = risk.grid_map(hostile, "cameras", xs, "uplink_per_gb", ys)
    grid = pd.read_csv(
        io.StringIO(
            sensitivity.map_csv("cameras", xs, "uplink_per_gb", ys, be, sv, hostile, "cash").split("\n\n", 1)[1]
        )
    )
    assert len(grid) == 4 and list(grid.columns)[:2] == ["cameras [cameras]", "uplink_per_gb [USD/GB]"]
    assert (grid["break_even [months]"] == "never").sum() == np.isnan(be).sum() > 0

    distributions = {"cameras": risk.Distribution("triangular", 1, 1, 3)}
    result = risk.monte_carlo(hostile, distributions, 500, 3)
    mc = sensitivity.monte_carlo_csv(result, distributions, hostile, "cash")
    hist = read_report_section(mc, "Break-even months")
    assert hist["draws"].sum() == 500 and hist["from_month"].iloc[-1] == "never"
    assert hist["share"].iloc[-1] == pytest.approx(result.never_share)
    bands = read_report_section(mc, "Cumulative savings")
    assert len(bands) == 36 and np.allclose(bands["P50 [USD]"], result.bands[1].round(2))
    assert read_report_section(mc, "Uncertain inputs")["distribution"].tolist() == ["triangular"]
    draws = pd.read_csv(io.StringIO(sensitivity.draws_csv(result, "USD")))
    assert len(draws) == 500
    assert (draws["break_even [months]"] == "never").sum() == int(np.isnan(result.break_even).sum())
    assert draws["savings [USD]"].sum() == pytest.approx(result.savings_total.sum(), abs=5)


def test_custom_ranges_keep_the_percentage_for_a_blank_side():
    frame = sensitivity.custom_frame(RETAIL)
    frame.loc[0, "High"] = 90.0  # cameras
    frame.loc[risk.KEY_INPUTS.index("device_price"), ["Low", "High"]] = [1_000.0, -5.0]
    ranges, notes = sensitivity.custom_ranges(frame, RETAIL, 20)
    assert ranges == (("cameras", 40.0, 90.0), ("device_price", 1_000.0, -5.0))
    assert notes == ["Device price: -5 is outside 0 to 1,000,000 USD/device; the nearest bound is used."]
    assert math.isnan(frame.loc[1, "Low"])


# ── 7. The Monte Carlo rows keep their labels; sigma only for a lognormal ──────────────────────────
def test_monte_carlo_rows_label_every_cell_and_offer_sigma_only_for_a_lognormal():
    at = open_page()
    names = at.session_state["sensitivity.mc.inputs"]
    assert names
    first = names[0]
    kind = at.selectbox(key=f"sensitivity.mc.{first}.kind")
    assert kind.label == "Distribution" and kind.value == "triangular"
    for part, label in (("low", "Low"), ("likely", "Likely / median"), ("high", "High"), ("sigma", "Sigma")):
        assert at.number_input(key=f"sensitivity.mc.{first}.{part}").label == label
    assert at.number_input(key=f"sensitivity.mc.{first}.sigma").disabled  # triangular: no sigma
    kind.set_value("lognormal")
    at.button(key="sensitivity.mc.run").click().run()
    assert not at.exception
    assert not at.number_input(key=f"sensitivity.mc.{first}.sigma").disabled


# ── Issue 29 item 17: the printed report carries the tornado and the Monte Carlo of the session ────
def report_html(at: AppTest) -> str:
    at.switch_page("pages/report.py").run()
    assert not at.exception, at.exception
    return "".join(h.proto.body for h in at.get("html"))


def html_rows(html: str, test_id: str) -> list[list[str]]:
    """The rows (header first) of the report's table with this test id, as the text of their cells."""
    import html as html_module
    import re

    table = re.search(rf'<table data-testid="{test_id}">(.*?)</table>', html).group(1)
    return [
        [html_module.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table)
    ]


def test_the_report_prints_the_tornados_top_drivers_and_the_probability_of_paying_back():
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert "Monte Carlo" not in report_html(at) and "tornado" not in report_html(at)  # nothing run yet
    at.switch_page(PAGE).run()
    run_simulation(at, draws=2_000, seed=7)
    html = report_html(at)
    # The tornado as the page ran it: ±20 % (absolute ranges for inputs at 0), savings, the five largest swings.
    table = risk.tornado(RETAIL, percent=20)
    swing = (table["savings_high"] - table["savings_low"]).abs()
    top = table.assign(swing=swing).sort_values("swing", ascending=False, kind="stable").head(5)
    rows = html_rows(html, "reportDrivers")
    assert [r[0] for r in rows[1:]] == top["label"].tolist()
    assert [r[4] for r in rows[1:]] == [money(v) for v in top["swing"]]  # the savings swing, by hand
    assert rows[1][2:4] == [money(top["savings_low"].iat[0]), money(top["savings_high"].iat[0])]
    # The Monte Carlo: the share of the 2,000 futures paying back within 12, 24, 36 months and never.
    result = expected_simulation(at, RETAIL, 2_000, 7)
    payback = html_rows(html, "reportPayback")
    assert payback[0] == ["Within 12 months", "Within 24 months", "Within 36 months", "Never in 36 months"]
    assert payback[1] == [risk.share_text(result.probability_within(m)) for m in (12, 24, 36)] + [
        risk.share_text(result.never_share)
    ]
    assert f"The edge pays back within 12 months in {risk.share_text(result.probability_within(12))} of 2,000" in html
    assert "2,000 futures, seed 7, cash view." in html
    # A changed scenario: the report says the runs were of an earlier version rather than print stale figures.
    at.session_state["scenario"] = replace(RETAIL, cameras=80)
    html = report_html(at)
    assert "reportDrivers" not in html and "reportPayback" not in html
    assert "The tornado was run on an earlier version" in html and "The simulation was run on an earlier" in html
