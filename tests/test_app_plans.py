"""The Plans page without a browser (AppTest): save, open from the list and by link, compare two revisions,
the database going away — and the pure diff behind the comparison, checked against figures worked out by
hand from the retail preset (docs/FORMULAS.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import start
from streamlit.testing.v1 import AppTest

from planner.advice import advisor
from planner.catalogs import catalog
from planner.exports.report import analyse_one
from planner.plans.store import Store
from planner.plans.workspace import Workspace
from planner.schema.scenario import replace
from planner.ui import plans

pytestmark = pytest.mark.app

APP = Path(__file__).resolve().parent.parent / "app.py"
RETAIL, VESSEL = catalog.preset("retail"), catalog.preset("vessel")


@pytest.fixture
def url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'plans.sqlite3'}"
    monkeypatch.setenv("PLANNER_DATABASE_URL", url)
    return url


def on_plans_page(at: AppTest) -> AppTest:
    """Switch to the Plans page (every test checks the page ran without an exception after each step)."""
    at.switch_page("pages/plans.py").run()
    assert not at.exception, at.exception
    return at


def save(at: AppTest, name: str | None = None, note: str = "", as_new: bool = False) -> AppTest:
    if name is not None:
        at.text_input(key="plans.name").set_value(name)
    at.text_input(key="plans.note").set_value(note)
    if as_new:
        at.checkbox(key="plans.as_new").check()
    at.button(key="plans.save").click().run()
    assert not at.exception, at.exception
    return at


def messages(at: AppTest, kind: str) -> list[str]:
    """The texts of the page's messages of one kind, without the invisible joiners `md` puts into URLs
    (and the run that drew them raised nothing)."""
    assert not at.exception, at.exception
    return [m.value.replace("\u2060", "") for m in getattr(at, kind)]


def pick_preset(at: AppTest, key: str) -> None:
    at.selectbox(key="sidebar.preset").set_value(key).run()


def test_save_twice_makes_two_revisions_of_one_plan(url):
    at = on_plans_page(start())
    assert at.text_input(key="plans.name").value == RETAIL.name  # named after the scenario
    save(at, "Store A", "as proposed")
    assert messages(at, "success") == ["Saved “Store A” as revision 1."]
    pick_preset(at, "vessel")
    save(at, note="vessel instead")
    assert messages(at, "success") == ["Saved “Store A” as revision 2."]
    db = Store(url)
    [plan] = db.plans()
    assert (plan.name, plan.revisions) == ("Store A", 2)
    assert [(r.number, r.note) for r in db.revisions(plan.id)] == [(2, "vessel instead"), (1, "as proposed")]
    assert db.open(plan.id, 1).workspace.scenario == RETAIL and db.open(plan.id).workspace.scenario == VESSEL
    assert (at.query_params["plan"], at.query_params["rev"]) == (plan.id, "2")  # the bar names it
    save(at, "Store B", as_new=True)
    assert sorted(p.revisions for p in db.plans()) == [1, 2]


def test_the_whole_work_is_saved_and_comes_back_in_a_new_session(url):
    at = start()
    at.session_state["advisor.answers"] = advisor.answers(response_ms=40.0).model_dump()
    at.session_state["comparison"] = [RETAIL, VESSEL]
    at.session_state["costs.view"] = "accounting"
    pick_preset(at, "oil_gas")
    save(on_plans_page(at), "Everything")
    [plan] = Store(url).plans()
    fresh = start(plan=plan.id)
    assert messages(fresh, "success")[0].startswith("Opened “Everything” revision 1")
    assert fresh.session_state["scenario"] == catalog.preset("oil_gas")
    assert fresh.session_state["preset"] == "oil_gas"
    assert fresh.session_state["comparison"] == [RETAIL, VESSEL]
    assert fresh.session_state["costs.view"] == "accounting"
    assert fresh.session_state["advisor.answers"]["response_ms"] == 40.0


def test_the_sensitivity_settings_are_saved_and_come_back(url):
    at = start()
    at.switch_page("pages/sensitivity.py").run()
    at.slider(key="sensitivity.tornado.percent").set_value(40).run()
    at.slider(key="sensitivity.map.points").set_value(31).run()
    save(on_plans_page(at), "With settings")
    [plan] = Store(url).plans()
    saved = Store(url).open(plan.id).workspace.sensitivity
    assert (saved["tornado.percent"], saved["map.points"]) == (40, 31)
    fresh = start(plan=plan.id)
    fresh.switch_page("pages/sensitivity.py").run()
    assert not fresh.exception
    assert fresh.slider(key="sensitivity.tornado.percent").value == 40
    assert fresh.slider(key="sensitivity.map.points").value == 31


def test_sensitivity_settings_the_page_cannot_take_fall_back_to_its_defaults(url):
    db = Store(url)
    odd = {"tornado.percent": 33, "map.x": "not_an_input", "mc.draws": 3, "mc.seed": 11}
    plan = db.save(Workspace(RETAIL, sensitivity=odd), "Odd settings").plan_id
    at = start(plan=plan)
    at.switch_page("pages/sensitivity.py").run()
    assert not at.exception
    assert at.slider(key="sensitivity.tornado.percent").value == 20  # the page's default
    assert at.number_input(key="sensitivity.mc.seed").value == 11  # the one it can take


def test_open_a_revision_from_the_list(url):
    db = Store(url)
    plan = db.save(Workspace(RETAIL, preset="retail"), "Store A", note="as proposed").plan_id
    db.save(Workspace(replace(RETAIL, cameras=80), preset="retail"), "Store A", plan_id=plan, note="as approved")
    at = on_plans_page(start())
    table = at.dataframe[0].value
    assert list(table["Plan"]) == ["Store A"] and list(table["Revisions"]) == [2]
    revision = plans.revision_key("rev", plan)
    assert at.selectbox(key=revision).options == [
        "Revision 2 · " + db.revisions(plan)[0].saved_at.strftime("%Y-%m-%d %H:%M") + " UTC · as approved",
        at.selectbox(key=revision).options[1],
    ]
    at.selectbox(key=revision).set_value(1)
    at.button(key="plans.open").click().run()
    assert at.session_state["scenario"] == RETAIL
    at.selectbox(key=revision).set_value(2)
    at.button(key="plans.open").click().run()
    assert at.session_state["scenario"].cameras == 80
    assert messages(at, "success")[-1].startswith("Opened “Store A” revision 2")


def test_search_filters_the_list(url):
    db = Store(url)
    for name in ("Retail north", "Vessel fleet", "Retail south"):
        db.save(Workspace(RETAIL), name)
    at = on_plans_page(start())
    at.text_input(key="plans.search").set_value("retail").run()
    assert list(at.dataframe[0].value["Plan"]) == ["Retail south", "Retail north"]  # the last change first
    at.text_input(key="plans.search").set_value("nothing").run()
    assert messages(at, "info") == ["No saved plan matches."]


def test_a_link_to_a_given_revision_and_bad_links(url):
    db = Store(url)
    plan = db.save(Workspace(RETAIL), "Store A").plan_id
    db.save(Workspace(VESSEL), "Store A", plan_id=plan)
    assert start(plan=plan, rev="1").session_state["scenario"] == RETAIL
    assert start(plan=plan).session_state["scenario"] == VESSEL
    missing = start(plan="0" * 32)
    assert missing.session_state["scenario"] == RETAIL  # the default preset
    assert messages(missing, "error") == [f"The plan could not be opened: there is no plan '{'0' * 32}'."]
    assert "has no revision 7" in messages(start(plan=plan, rev="7"), "error")[0]
    odd = start(plan=plan, rev="x")
    assert "is not a number: opening the latest" in messages(odd, "warning")[0]
    assert odd.session_state["scenario"] == VESSEL


def test_compare_two_revisions(url):
    db = Store(url)
    plan = db.save(Workspace(RETAIL), "Store A").plan_id
    db.save(Workspace(replace(RETAIL, devices_manual=10, uplink_per_gb=0.02), view="cash"), "Store A", plan_id=plan)
    at = on_plans_page(start())
    inputs, figures = (t.value for t in at.table)
    assert inputs.to_dict("records") == [
        {
            "Input": "Site uplink bill (ISP / 5G / satellite)",
            "Unit": "USD/GB",
            "Revision 1": "0.01",
            "Revision 2": "0.02",
        },
        {"Input": "Devices (manual)", "Unit": "devices", "Revision 1": "5", "Revision 2": "10"},
    ]
    rows = {r["Figure"]: r for r in figures.to_dict("records")}
    # Uplink: 50 cameras × 4 Mbps × 12 h × 3,600 s × 30 days ÷ 8,000 = 32,400 GB a month, × $0.01 more.
    assert rows["Cloud cost per month"] == {
        "Figure": "Cloud cost per month",
        "Revision 1": "$17,724",
        "Revision 2": "$18,048",
        "Change": "+$324",
    }
    # Capex: 5 → 10 devices × $2,000 (no installation).
    assert rows["Edge capex"] == {
        "Figure": "Edge capex",
        "Revision 1": "$10,000",
        "Revision 2": "$20,000",
        "Change": "+$10,000",
    }
    at.selectbox(key=plans.revision_key("from", plan)).set_value(2).run()
    assert not at.exception
    assert "Pick two different revisions to compare." in [c.value for c in at.caption]


def test_two_revisions_with_the_same_work(url):
    db = Store(url)
    plan = db.save(Workspace(RETAIL), "Twice").plan_id
    db.save(Workspace(RETAIL), "Twice", plan_id=plan, note="saved again")
    at = on_plans_page(start())
    assert "The two revisions hold the same work." in [c.value for c in at.caption]
    assert at.table[0].value.set_index("Figure").loc["Edge capex"].tolist() == ["$10,000", "$10,000", "no change"]


def test_the_figure_diff_by_hand():
    undiscounted_year = dict(horizon_months=12, discount_percent_per_year=0)
    old = analyse_one(replace(RETAIL, management_per_month=500, **undiscounted_year))
    new = analyse_one(replace(RETAIL, management_per_month=600, **undiscounted_year))
    table = plans.figure_changes(old, new, "cash", "a", "b").set_index("Figure")
    assert table.loc["Cloud cost per month"].tolist() == ["$17,724", "$17,724", "no change"]
    assert table.loc["Edge capex"].tolist() == ["$10,000", "$10,000", "no change"]
    # $100 more a month for 12 months, undiscounted: the NPV of savings falls by $1,200.
    assert table.loc["NPV of savings", "Change"] == "-$1,200"
    # Break-even: $10,000 ÷ (17,723.92 − 618.04) = 0.585 months (17.8 days), then ÷ (17,723.92 − 718.04)
    # = 0.588 (17.9 days): 18 days either way, no change.
    assert table.loc["Break-even"].tolist() == ["18 days", "18 days", "no change"]


def test_the_database_going_away_keeps_the_work_and_saving_works_again(postgres, monkeypatch):
    monkeypatch.setenv("PLANNER_DATABASE_URL", postgres.createdb())
    at = on_plans_page(start())
    save(at, "Before")
    pick_preset(at, "vessel")
    postgres.stop()
    try:
        save(at, note="while it is down")
        error, listing = messages(at, "error")
        assert error.startswith("Not saved: the plans database cannot be reached.")  # no address: see the log
        assert "Your work is still here" in error
        assert listing == "The saved plans cannot be listed: the plans database cannot be reached."
        assert at.session_state["scenario"] == VESSEL
        assert any(b.label == "Download this work (plan JSON)" for b in at.get("download_button"))
    finally:
        postgres.start()
    save(at, note="after")
    assert messages(at, "success") == ["Saved “Before” as revision 2."]


# ── The share link carries the rest of the work ────────────────────────────────────────────────────
def test_the_share_link_carries_view_answers_and_comparison(url):
    at = start()
    assert "w" not in at.query_params  # a fresh session: nothing to carry
    at.session_state["advisor.answers"] = advisor.answers(response_ms=40.0).model_dump()
    at.session_state["comparison"] = [RETAIL, VESSEL]
    at.session_state["costs.view"] = "accounting"
    pick_preset(at, "oil_gas")
    link = {k: at.query_params[k] for k in ("s", "p", "w")}
    fresh = start(**link)
    assert not fresh.warning
    assert fresh.session_state["scenario"] == catalog.preset("oil_gas")
    assert fresh.session_state["comparison"] == [RETAIL, VESSEL]
    assert fresh.session_state["costs.view"] == fresh.session_state["sensitivity.view"] == "accounting"
    assert fresh.session_state["advisor.answers"]["response_ms"] == 40.0
    assert fresh.query_params["w"] == link["w"]
    fresh.session_state["comparison"] = []
    fresh.session_state["advisor.answers"] = None
    fresh.session_state["costs.view"] = "cash"
    fresh.run()
    assert "w" not in fresh.query_params  # back to a fresh session's work


def test_a_damaged_work_part_warns_and_keeps_the_links_scenario(url):
    from planner.schema.scenario import to_share_token

    at = start(s=to_share_token(VESSEL), p="vessel", w="garbage!")
    assert at.session_state["scenario"] == VESSEL
    [warning] = messages(at, "warning")
    assert warning.startswith(
        "The rest of the link's work (view, advisor answers, comparison, Sensitivity "
        "settings) could not be restored: the link's work part"
    )
    assert "w" not in at.query_params  # the address bar is repaired


def test_showing_the_sensitivity_page_is_no_change_to_an_opened_plan(url):
    plan = Store(url).save(Workspace(RETAIL, preset="retail"), "Plain").plan_id
    at = start(plan=plan)
    assert at.query_params["rev"] == "1"
    at.switch_page("pages/sensitivity.py").run()  # the page sets its settings' defaults
    assert at.query_params["rev"] == "1"
    at.slider(key="sensitivity.tornado.percent").set_value(40).run()
    assert at.query_params["rev"] == "1"  # a setting the saved plan did not have
    pick_preset(at, "vessel")
    assert "rev" not in at.query_params and "plan" not in at.query_params


def test_hostile_plan_names_and_notes_are_shown_as_text(url):
    name = "**bold** <b>x</b> $1 and $2 [a](http://evil.example)"
    at = on_plans_page(start())
    save(at, name, note="=HYPERLINK(1)")
    [success] = messages(at, "success")
    assert success == "Saved “\\*\\*bold\\*\\* \\<b>x\\</b> \\$1 and \\$2 \\[a\\](http://evil.example)” as revision 1."
    assert list(at.dataframe[0].value["Plan"]) == [name]  # a dataframe cell is plain text


def test_an_unreadable_plan_is_listed_with_its_problem_and_refused_by_name(url):
    import sqlalchemy as sa

    from planner.plans import store

    db = Store(url)
    good = db.save(Workspace(RETAIL), "Good").plan_id
    newer = db.save(Workspace(RETAIL), "From a newer planner").plan_id
    bad = db.save(Workspace(RETAIL), "Damaged").plan_id
    db.save(Workspace(VESSEL), "Damaged", plan_id=bad)
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(store.revisions).where(store.revisions.c.plan_id == bad).values(document="{not json")
        )
        connection.execute(
            sa.update(store.revisions).where(store.revisions.c.plan_id == newer).values(workspace_version=2)
        )
    at = on_plans_page(start())
    listing = at.dataframe[0].value.set_index("Plan")["Problem"]
    assert listing["Good"] == ""
    assert listing["Damaged"] == (
        "cannot be read: its stored document is damaged: the plan is not valid JSON: "
        "Expecting property name enclosed in double quotes at line 1, column 2"
    )
    assert listing["From a newer planner"].startswith("cannot be read: it was saved by a newer planner (plan format 2")
    at.selectbox(key="plans.pick").set_value(bad).run()
    assert not at.exception
    assert messages(at, "error") == [
        "The revisions cannot be compared: plan “Damaged” revision 1 cannot be read: "
        "the plan is not valid JSON: Expecting property name enclosed in double quotes "
        "at line 1, column 2."
    ]
    at.button(key="plans.open").click().run()
    assert messages(at, "error")[0].startswith("The plan could not be opened: plan “Damaged” revision 2 cannot be read")
    assert at.session_state["scenario"] == RETAIL  # the work is untouched
    assert db.open(good).workspace.scenario == RETAIL


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    uploader = next(u for u in at.file_uploader if u.key.startswith("plans.upload."))
    return uploader.set_value((name, data, "application/json")).run()


def test_a_downloaded_plan_file_loads_back_and_a_wrong_file_is_named(url):
    from planner.plans.workspace import to_json as workspace_json
    from planner.schema.scenario import to_json as scenario_json

    work = Workspace(VESSEL, preset="vessel", view="accounting", comparison=(RETAIL,))
    at = on_plans_page(start())
    upload(at, "vessel-plan.json", workspace_json(work).encode())
    assert not at.exception
    assert messages(at, "success") == [f"Loaded “{VESSEL.name}” with its saved work from vessel-plan.json."]
    assert at.session_state["scenario"] == VESSEL and at.session_state["comparison"] == [RETAIL]
    assert at.session_state["costs.view"] == "accounting"
    upload(at, "retail.json", scenario_json(RETAIL).encode())
    [error] = messages(at, "error")
    assert error == (
        "retail.json was not loaded: it is a scenario file, not a plan file (a scenario file loads on "
        "Compare & export)."
    )
    assert at.session_state["scenario"] == VESSEL  # the work is untouched


# ── Fleet plans ─────────────────────────────────────────────────────────────────────────────────────
def test_a_fleet_is_saved_opened_and_compared(url):
    from planner.fleet import inventory as fleet_inventory
    from planner.fleet import programme as fleet_programme
    from planner.fleet import tables as fleet_tables
    from planner.plans.workspace import of_fleet
    from planner.ui import fleet as fleet_page

    city = fleet_inventory.preset("city_intersections")
    at = start()
    at.session_state[fleet_page.DOC] = city
    at.switch_page("pages/fleet.py").run()  # the Fleet page shows it (and keeps it as shown)
    assert not at.exception
    at = on_plans_page(at)
    at.segmented_control(key=plans.KIND).set_value("fleet").run()
    assert at.text_input(key="plans.name").value == city.name  # the name follows what is saved
    save(at, "City", "two waves")
    assert messages(at, "success") == ["Saved “City” as revision 1."]
    db = Store(url)
    [plan] = db.plans()
    assert (plan.kind, db.open(plan.id).workspace) == ("fleet", of_fleet(city))
    assert (at.query_params["plan"], at.query_params["rev"]) == (plan.id, "1")
    # A second revision: one more LTE intersection, pinned to the cloud, saved from the store's side.
    table = city.inventory.table.copy()
    table.loc[1, ["count", "pin"]] = ["16", "cloud"]
    changed = fleet_inventory.make_fleet(table, city.base, city.answers, city.months, city.name, city.base_source)
    db.save(of_fleet(changed), "City", plan_id=plan.id, note="one more, in the cloud")
    at = on_plans_page(start())
    inputs, figures = (t.value for t in at.table)
    assert inputs.to_dict("records") == [
        {"What": "LTE intersection", "Change": "changed", "Detail": "count 15 → 16; pin (base) → cloud"}
    ]
    rows = figures.set_index("Figure")
    before, after = (fleet_tables.plan_summary(fleet_programme.evaluate(f)) for f in (city, changed))
    # The LTE row leaves the edge: the recommended mix's sites on the edge fall by its 15 sites.
    assert after["recommended"]["sites_on_edge"] == before["recommended"]["sites_on_edge"] - 15
    assert rows.loc["Recommended: sites on the edge"].tolist() == [
        f"{before['recommended']['sites_on_edge']:,}",
        f"{after['recommended']['sites_on_edge']:,}",
        "-15",
    ]
    capex_drop = before["recommended"]["capex_total"] - after["recommended"]["capex_total"]
    assert capex_drop > 0 and rows.loc["Recommended: capex", "Change"] == f"-${capex_drop:,.0f}"
    # Opening revision 1 puts the fleet back on the Fleet page, and leaves the scenario alone.
    fresh = start(plan=plan.id, rev="1")
    assert messages(fresh, "success")[0].endswith("; the fleet is on the Fleet page.")
    assert fresh.session_state[fleet_page.DOC] == city and fresh.session_state["scenario"] == RETAIL
    fresh.switch_page("pages/fleet.py").run()
    assert not fresh.exception and fresh.metric[0].value == "40"
    assert fresh.query_params["plan"] == plan.id  # unchanged: the bar still names it


def test_edits_on_the_fleet_page_are_what_is_saved_and_survive_a_page_switch(url):
    from planner.fleet import inventory as fleet_inventory
    from planner.ui import fleet as fleet_page

    at = start()
    at.switch_page("pages/fleet.py").run()
    f = at.session_state[fleet_page.SHOWN]
    edited = f.inventory.table.copy()
    edited.loc[0, "count"] = "7"
    # What the editor hands back after an edit (AppTest cannot type into the grid): the page's own step.
    at.session_state[fleet_page.SHOWN] = fleet_inventory.Fleet(
        f.name, f.base, f.answers, fleet_inventory.parse_inventory(edited, f.months), f.months
    )
    at = on_plans_page(at)  # the editor's widget state is dropped here
    at.segmented_control(key=plans.KIND).set_value("fleet").run()
    save(at, "Edited chain")
    [plan] = Store(url).plans()
    assert Store(url).open(plan.id).workspace.fleet.inventory.table.loc[0, "count"] == "7"
    at.switch_page("pages/fleet.py").run()  # back on the page: the edit is still there
    assert not at.exception
    assert at.session_state[fleet_page.DOC].inventory.table.loc[0, "count"] == "7"


def test_a_damaged_plan_is_listed_by_name_with_its_reason_before_it_is_opened(url):
    import sqlalchemy as sa

    from planner.plans import store

    db = Store(url)
    db.save(Workspace(RETAIL), "Good")
    corrupt = db.save(Workspace(RETAIL), "Corrupt").plan_id
    future = db.save(Workspace(RETAIL), "Future").plan_id
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(store.revisions)
            .where(store.revisions.c.plan_id == corrupt)
            .values(document='{"workspace_version": 1, "scenario": {"cameras": 1, "cameras": 2}}')
        )
        connection.execute(
            sa.update(store.revisions).where(store.revisions.c.plan_id == future).values(schema_version=2)
        )
    at = on_plans_page(start())
    listing = at.dataframe[0].value.set_index("Plan")["Problem"]
    assert listing.to_dict() == {
        "Future": "cannot be read: it was saved by a newer planner (plan format 1, scenario schema 2; this one reads "
        "up to 1 and 1)",
        "Corrupt": "cannot be read: its stored document is damaged: the plan: field 'cameras' appears more than "
        "once: give each field once",
        "Good": "",
    }
    assert messages(at, "warning") == [
        "- “Future” cannot be read: it was saved by a newer planner (plan format 1, scenario schema 2; this one reads "
        "up to 1 and 1).\n- “Corrupt” cannot be read: its stored document is damaged: the plan: field 'cameras' "
        "appears more than once: give each field once."
    ]


def test_the_app_honours_streamlits_connection_secrets(tmp_path, monkeypatch):
    """Without PLANNER_DATABASE_URL the app saves into `[connections.planner]` of st.secrets; the variable wins."""
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    monkeypatch.setenv("PLANNER_DATABASE_PATH", str(tmp_path / "fallback.sqlite3"))
    from_secrets = f"sqlite:///{tmp_path / 'from-secrets.sqlite3'}"
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.secrets["connections"] = {"planner": {"url": from_secrets}}
    at.run()
    save(on_plans_page(at), "Via secrets")
    assert [p.name for p in Store(from_secrets).plans()] == ["Via secrets"]
    assert not (tmp_path / "fallback.sqlite3").exists()
    from_env = f"sqlite:///{tmp_path / 'from-env.sqlite3'}"
    monkeypatch.setenv("PLANNER_DATABASE_URL", from_env)
    save(at, "Via the variable", as_new=True)
    assert [p.name for p in Store(from_env).plans()] == ["Via the variable"]
    assert [p.name for p in Store(from_secrets).plans()] == ["Via secrets"]


# ── Issue 29 item 12: the revision box follows the save, says the note in full; a fleet's link lands on Fleet ──
def test_after_a_save_the_revision_box_shows_the_new_revision_and_its_note_in_full(url):
    at = on_plans_page(start())
    save(at, "Store A", "as proposed")
    pick_preset(at, "vessel")
    note = "the vessel instead of the store, as the board asked on 3 March after the second review"
    save(at, note=note)
    [plan] = Store(url).plans()
    assert at.selectbox(key=plans.revision_key("rev", plan.id)).value == 2  # the newest, just saved
    assert len(note) > 40 and any(f"“{note}”" in c.value for c in at.caption)  # the box's label cuts it at 40
    at.selectbox(key=plans.revision_key("rev", plan.id)).set_value(1).run()
    assert any(c.value.startswith("Revision 1, saved ") and "“as proposed”" in c.value for c in at.caption)
    pick_preset(at, "retail")
    save(at, note="back to the store")
    assert at.selectbox(key=plans.revision_key("rev", plan.id)).value == 3
    compared = (at.selectbox(key=plans.revision_key(box, plan.id)).value for box in ("from", "to"))
    assert tuple(compared) == (2, 3)  # what changed: the revision just saved against the one before


def test_a_fleet_plans_link_opens_on_the_fleet_page(url):
    from planner.fleet import inventory as fleet_inventory
    from planner.ui import fleet as fleet_page

    city = fleet_inventory.preset("city_intersections")
    at = start()
    at.session_state[fleet_page.DOC] = city
    at.switch_page("pages/fleet.py").run()
    at = on_plans_page(at)
    at.segmented_control(key=plans.KIND).set_value("fleet").run()
    save(at, "City")
    [plan] = Store(url).plans()
    assert at.code[0].value == f"fleet?plan={plan.id}&rev=1"  # the link to this revision names the Fleet page
    assert plans.plan_link("http://host/plans", plan.id, kind="fleet") == f"http://host/fleet?plan={plan.id}"
    assert plans.plan_link("http://host/plans", plan.id) == f"http://host/?plan={plan.id}"
    names = download_names(at, "pages/fleet.py")  # the fleet's files take its plan's name (item 2)
    assert names == ["city-sites.csv", "city-per-site.csv", "city-monthly.csv", "city.json"]
    # A link to the first page (as the app gave before) lands on the Fleet page too.
    fresh = start(plan=plan.id)
    assert [t.value for t in fresh.title] == ["Fleet"] and fresh.metric[0].value == "40"
    assert fresh.query_params["plan"] == plan.id
    assert any(m.endswith("; the fleet is on the Fleet page.") for m in messages(fresh, "success"))


# ── Issue 29 item 2: a saved plan's name titles the work ───────────────────────────────────────────
def download_names(at: AppTest, page: str) -> list[str]:
    """The file names of the download buttons `page` draws (a button's file is only made when clicked)."""
    from unittest import mock

    import streamlit as st
    from streamlit.elements.widgets.button import ButtonMixin

    names, original = [], ButtonMixin.download_button

    def spy(self, label, data, file_name=None, *args, **kwargs):
        names.append(file_name)
        return original(self, label, data, file_name, *args, **kwargs)

    def main_spy(*args, **kwargs):  # st.download_button: bound to the main area when streamlit was imported
        return spy(st._main, *args, **kwargs)

    with mock.patch.object(ButtonMixin, "download_button", spy), mock.patch.object(st, "download_button", main_spy):
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return names


def test_a_saved_plans_name_titles_the_report_the_tab_and_every_download(url):
    at = on_plans_page(start())
    save(at, "Q3 rollout — Berlin", "as proposed")
    at.switch_page("pages/scenario.py").run()
    at.number_input(key="scenario.cameras").set_value(120).run()  # the scenario is now the preset's '(edited)'
    assert at.session_state["scenario"].name == f"{RETAIL.name} (edited)"
    stem = "q3-rollout-berlin"
    assert download_names(at, "pages/costs.py") == [f"{stem}-cash.xlsx"] + [
        f"{stem}-cash-{t}.csv" for t in ("monthly", "yearly", "summary", "assumptions")
    ]
    assert {f"{stem}-report.csv", f"{stem}.json"} <= set(download_names(at, "pages/compare.py"))
    at.session_state["advisor.answers"] = {q.name: q.default for q in advisor.QUESTIONS}  # a recommendation
    assert download_names(at, "pages/advisor.py") == [f"{stem}-architecture.csv", f"{stem}-architecture.md"]
    assert download_names(at, "pages/plans.py") == [f"{stem}-plan.json"]
    assert all(name.startswith(stem) for name in download_names(at, "pages/sensitivity.py"))
    at.switch_page("pages/report.py").run()
    html = "".join(h.proto.body for h in at.get("html"))
    assert "<h2>Q3 rollout — Berlin</h2>" in html  # the browser tab: test_browser_plans
    # A name of its own given after opening the plan titles the work from then on.
    at.session_state["scenario"] = replace(at.session_state["scenario"], name="Berlin, 120 cameras")
    assert download_names(at, "pages/plans.py") == ["berlin-120-cameras-plan.json"]
