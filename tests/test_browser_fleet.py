"""The Fleet page in a real browser: upload an inventory, edit a cell (pin a site to the cloud), see its
placement and the programme's break-even change, download the CSVs and compare them with the CLI's.
Screenshots at 1440, 1024 and 390 px go to out/screenshots/fleet-*.png."""

from __future__ import annotations

import pytest
from browser_support import screenshot, wait_for_idle
from playwright.sync_api import expect

from planner.cli import main
from planner.fleet import inventory as fleet_inventory
from planner.fleet import programme as fleet_programme
from planner.fleet import tables as fleet_tables
from planner.schema.format import break_even_label

pytestmark = pytest.mark.browser

# Site A (1 store, live at month 0) and B (10 stores, live at month 3), on the default fleet's base.
CSV = "site,count,go_live_month,pin,cameras\nA,1,0,,50\nB,10,3,,20\n"


def metric(page, label: str):
    return (
        page.get_by_test_id("stMetric")
        .filter(has=page.get_by_test_id("stMetricLabel").get_by_text(label))
        .get_by_test_id("stMetricValue")
    )


def download(page, label: str, path) -> str:
    with page.expect_download() as d:
        page.get_by_role("button", name=label, exact=True).click()
    d.value.save_as(path)
    return path.read_text(encoding="utf-8")


def cli(capsys, *args) -> str:
    assert main(["fleet", *map(str, args)]) == 0
    return capsys.readouterr().out


def test_upload_edit_a_cell_and_download_what_the_cli_prints(new_page, app_url, tmp_path, capsys):
    default = fleet_inventory.preset("retail_chain")
    expected = fleet_inventory.make_fleet(CSV, default.base, default.answers, default.months)
    pinned = fleet_inventory.make_fleet(
        CSV.replace("A,1,0,,", "A,1,0,split_brain_edge,"), default.base, default.answers, default.months
    )
    programmes = [fleet_programme.evaluate(f) for f in (expected, pinned)]
    be = [fleet_tables.plan_summary(p)["recommended"]["break_even_month"] for p in programmes]
    be = [break_even_label(month, default.months) for month in be]  # the page's break-even wording
    assert be[0] != be[1]
    in_cloud = [int(p.count[p.placement.final == 0].sum()) for p in programmes]
    # A's 50 cameras of video do not fit its 100 Mbps link: its cheapest design that fits keeps it in the cloud,
    # until it is pinned to the edge.
    assert in_cloud == [1, 0]

    page = new_page(app_url + "/fleet")
    expect(page.get_by_role("heading", name="Fleet", level=1)).to_be_visible()
    inventory = tmp_path / "sites.csv"
    inventory.write_text(CSV, encoding="utf-8")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(inventory))
    wait_for_idle(page)
    expect(page.get_by_text("Loaded 2 site rows from sites.csv, on the base “Retail store")).to_be_visible()
    expect(metric(page, "Sites")).to_have_text("11")
    expect(metric(page, "Cloud")).to_have_text("1 site")
    expect(metric(page, "Recommended: break-even")).to_have_text(be[0])
    # The row picker offers the new rows, not a name of the table before (the default fleet's first store).
    expect(page.get_by_role("combobox", name="Fleet row")).to_have_value("A")

    # Edit the pin of row 1 in the grid: click its site cell, move three cells right to `pin`, type.
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible()
    page.wait_for_timeout(500)  # the grid's canvas lays out after the rerun
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 50, box["y"] + 35 + 17)  # past the row markers, in `site`
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")  # opens the cell's editor
    page.wait_for_timeout(300)
    page.keyboard.type("split_brain_edge", delay=30)
    page.keyboard.press("Enter")  # commits: the app reruns
    page.wait_for_timeout(300)
    wait_for_idle(page)
    expect(metric(page, "Cloud")).to_have_text("0 sites")
    expect(metric(page, "Recommended: break-even")).to_have_text(be[1])
    screenshot(page, "fleet-1440")

    # The downloads are what the CLI prints for the same fleet (restored from the downloaded fleet JSON).
    saved = tmp_path / "fleet.json"
    download(page, "Fleet JSON", saved)
    assert download(page, "Per-site CSV", tmp_path / "sites-table.csv") == cli(
        capsys, "--sites", saved, "--format", "csv"
    )
    assert download(page, "Monthly cash flow CSV", tmp_path / "monthly.csv") == cli(
        capsys, "--sites", saved, "--format", "csv", "--table", "monthly"
    )
    assert download(page, "Inventory CSV", tmp_path / "inv.csv") == CSV.replace("A,1,0,,", "A,1,0,split_brain_edge,")
    restored = fleet_inventory.parse_fleet_json(saved.read_bytes())
    assert restored.inventory.table.equals(pinned.inventory.table) and restored.months == default.months

    for width in (1024, 390):
        page.set_viewport_size({"width": width, "height": 900})
        wait_for_idle(page)
        screenshot(page, f"fleet-{width}")
