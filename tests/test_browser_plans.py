"""Saved plans in a real browser, against a server with a plans database of its own: save, reload the page,
save a second revision, open the plan by link in a fresh context (byte-identical exports), open a revision
from the list, compare two revisions. Screenshots of the Plans page at three widths go to out/screenshots/."""

from __future__ import annotations

import json
import os
from contextlib import ExitStack
from unittest import mock
from urllib.parse import parse_qs, urlparse

import pytest
from browser_support import pick, screenshot, serve_app, settle
from playwright.sync_api import expect

from planner.catalogs import catalog
from planner.plans.store import Store
from planner.plans.workspace import Workspace
from planner.schema.scenario import to_json

pytestmark = pytest.mark.browser

RETAIL, VESSEL = catalog.preset("retail"), catalog.preset("vessel")


@pytest.fixture(scope="module")
def served(chromium_path, tmp_path_factory):
    """(app URL, database URL): a server of this module's own, on an empty SQLite plans database."""
    root = tmp_path_factory.mktemp("plans-app")
    database = f"sqlite:///{root / 'plans.sqlite3'}"
    with ExitStack() as stack:
        with mock.patch.dict(os.environ, {"PLANNER_DATABASE_URL": database}):  # for the server process only
            url = stack.enter_context(serve_app(root / "server.log"))
        yield url, database


def go_to(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    settle(page)


def save(page, note: str) -> None:
    settle(page)
    page.get_by_role("textbox", name="Note (optional)").fill(note)
    page.get_by_role("button", name="Save", exact=True).click()
    settle(page)


def query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def scenario_json(page, tmp_path, name: str) -> str:
    go_to(page, "Compare & export")
    with page.expect_download() as download:
        page.get_by_role("button", name="Scenario JSON", exact=True).click()
    path = tmp_path / name
    download.value.save_as(path)
    return path.read_text(encoding="utf-8")


def test_save_reload_open_by_link_and_from_the_list_and_compare(new_page, served, tmp_path):
    url, database = served
    page = new_page(url)
    go_to(page, "Plans")
    page.get_by_role("textbox", name="Plan name").fill("Store A")
    save(page, "as proposed")
    expect(page.get_by_text("Saved “Store A” as revision 1.")).to_be_visible()
    page.wait_for_function("() => new URLSearchParams(location.search).get('rev') === '1'")
    plan = query(page)["plan"]
    [stored] = Store(database).plans()
    assert (stored.id, stored.name, stored.revisions) == (plan, "Store A", 1)

    page.reload()  # the address bar reopens the saved revision
    settle(page)
    expect(page.get_by_text("Working on “Store A” revision 1 (no change since it was saved).")).to_be_visible()

    pick(page, "Start from preset", VESSEL.name, "stSidebar")
    expect(page.get_by_test_id("stSidebar").get_by_role("textbox", name="Scenario name")).to_have_value(VESSEL.name)
    expect(page.get_by_text("changed since it was saved")).to_be_visible()
    save(page, "vessel instead")
    expect(page.get_by_text("Saved “Store A” as revision 2.")).to_be_visible()
    first_session_export = scenario_json(page, tmp_path, "first.json")
    assert first_session_export == to_json(VESSEL)

    # A fresh browser context (another person) opens the link: the same work, byte for byte.
    other = new_page(f"{url}/?plan={plan}")
    expect(other.get_by_text("Opened “Store A” revision 2")).to_be_visible()
    assert scenario_json(other, tmp_path, "second.json") == first_session_export

    # … opens revision 1 from the list, and compares the two revisions.
    go_to(other, "Plans")
    pick(other, "Revision", "Revision 1")
    other.get_by_role("button", name="Open this revision").click()
    expect(other.get_by_text("Opened “Store A” revision 1")).to_be_visible()
    expect(other.get_by_test_id("stSidebar").get_by_role("textbox", name="Scenario name")).to_have_value(RETAIL.name)
    figures = other.get_by_test_id("stTable").last
    expect(figures.get_by_role("row").filter(has_text="Cloud cost per month")).to_be_visible()
    inputs = other.get_by_test_id("stTable").first
    expect(inputs.get_by_role("row").filter(has_text="Scenario name")).to_contain_text(VESSEL.name)
    for width in (1024, 1440, 390):
        other.set_viewport_size({"width": width, "height": 900})
        screenshot(other, f"plans-{width}")


def fleet_json(page, tmp_path, name: str) -> str:
    go_to(page, "Fleet")
    with page.expect_download() as download:
        page.get_by_role("button", name="Fleet JSON", exact=True).click()
    path = tmp_path / name
    download.value.save_as(path)
    return path.read_text(encoding="utf-8")


def test_a_fleet_saved_in_one_session_opens_in_another_with_identical_exports(new_page, served, tmp_path):
    from planner.fleet import inventory as fleet_inventory

    url, database = served
    page = new_page(url)
    exported = fleet_json(page, tmp_path, "first-fleet.json")  # the default fleet, as the page shows it
    go_to(page, "Plans")
    page.get_by_role("radio", name="The fleet (Fleet page)", exact=True).click()
    name = page.get_by_role("textbox", name="Plan name")
    # The field shows the fleet's name once the choice's rerun is drawn: a name typed sooner is appended to it.
    expect(name).to_have_value(json.loads(exported)["name"])
    settle(page)
    name.fill("Chain")
    save(page, "as shown")
    expect(page.get_by_text("Saved “Chain” as revision 1.")).to_be_visible()
    page.wait_for_function("() => new URLSearchParams(location.search).get('rev') === '1'")
    plan = query(page)["plan"]
    assert (
        fleet_inventory.fleet_json(Store(database).open(plan).workspace.fleet) == exported
    )  # what `plans export` writes

    other = new_page(f"{url}/?plan={plan}")  # another person opens the link
    expect(other.get_by_text("Opened “Chain” revision 1")).to_be_visible()
    assert fleet_json(other, tmp_path, "second-fleet.json") == exported


def test_the_second_plan_of_the_list_opens_in_a_fresh_session(new_page, served):
    """Pick a plan other than the list's first and open it: the revision box kept the first plan's label in the
    browser and sent it back as the revision ("plan '…' has no revision Revision 2 · …")."""
    url, database = served
    db = Store(database)
    picked = db.save(Workspace(RETAIL), "Picked second", note="retail").plan_id
    db.save(Workspace(VESSEL), "Picked second", plan_id=picked, note="vessel")
    listed_first = db.save(Workspace(RETAIL), "Listed first", note="one").plan_id
    db.save(Workspace(RETAIL), "Listed first", plan_id=listed_first, note="two")
    page = new_page(url)
    go_to(page, "Plans")
    pick(page, "Plan", "Picked second · scenario · 2 revisions")
    page.get_by_role("button", name="Open this revision").click()
    settle(page)
    expect(page.get_by_text("Opened “Picked second” revision 2")).to_be_visible()
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    expect(page.get_by_test_id("stSidebar").get_by_role("textbox", name="Scenario name")).to_have_value(VESSEL.name)


def test_a_fleet_plans_link_opens_on_the_fleet_page_named_after_the_plan(new_page, served):
    """Issue 29 items 12 and 2: the link a fleet plan gives opens the Fleet page (an older link to the first page
    lands there too), the tab names the plan, and the revision box shows the newest with its note in full."""
    import re

    url, _ = served
    page = new_page(url)
    go_to(page, "Plans")
    page.get_by_role("radio", name="The fleet (Fleet page)", exact=True).click()
    settle(page)
    page.get_by_role("textbox", name="Plan name").fill("North fleet")
    save(page, "first cut")
    note = "second cut: the LTE intersections wait for the next budget year, as agreed with the city"
    save(page, note)
    expect(page.get_by_text("Saved “North fleet” as revision 2.")).to_be_visible()
    expect(page.get_by_test_id("stMain").get_by_role("combobox", name="Revision")).to_have_value(
        re.compile(r"^Revision 2 ·")
    )
    expect(page.get_by_text(f"“{note}”", exact=False)).to_be_visible()  # the box's label cuts it at 40
    plan = query(page)["plan"]
    link = page.get_by_test_id("stCode").inner_text().strip()
    assert link.endswith(f"/fleet?plan={plan}&rev=2"), link
    for width in (1024, 1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"plans-fleet-{width}")
    for opened in (new_page(link), new_page(f"{url}/?plan={plan}")):  # the link, and one to the first page
        expect(opened.get_by_role("heading", name="Fleet", level=1)).to_be_visible()
        expect(opened.get_by_text("Opened “North fleet” revision", exact=False)).to_be_visible()
        expect(opened).to_have_title("North fleet · Fleet")
        assert urlparse(opened.url).path.endswith("/fleet")
