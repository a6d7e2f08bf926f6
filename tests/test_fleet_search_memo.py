"""The Fleet page's search of each row's cheapest cloud design (`ui.fleet.search_designs`): each row searched once for
its inputs, the same programme as the search over every row, and an edit to one row searches that row alone."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from benchmarks.engine import varied_fleet
from planner.fleet import inventory as fleet_inventory
from planner.fleet import programme as fleet_programme
from planner.fleet import tables as fleet_tables
from planner.model import designs
from planner.schema.scenario import replace
from planner.ui import fleet as fleet_page

pytestmark = pytest.mark.unit

ROWS = 40


@pytest.fixture(autouse=True)
def fresh_memo():
    fleet_page._rows_found.clear()
    yield
    fleet_page._rows_found.clear()


@pytest.fixture
def searches(monkeypatch) -> list[int]:
    """The number of rows of each call the memo makes to `designs.cheapest_per_row` (`evaluate` without `search`
    calls the function it was defined with, not counted)."""
    calls, search = [], designs.cheapest_per_row

    def counted(base, overrides, choices, link_mbps, rows=None):
        calls.append(len(link_mbps) if rows is None else len(rows))
        return search(base, overrides, choices, link_mbps, rows=rows)

    monkeypatch.setattr(designs, "cheapest_per_row", counted)
    return calls


def edited(f: fleet_inventory.Fleet, row: int, column: str, value) -> fleet_inventory.Fleet:
    table = f.inventory.table.copy()
    table.loc[row, column] = str(value)
    return dataclasses.replace(f, inventory=fleet_inventory.parse_inventory(table, f.months))


def assert_same_programme(memo: fleet_programme.Programme, direct: fleet_programme.Programme) -> None:
    np.testing.assert_array_equal(memo.upload.design, direct.upload.design)
    np.testing.assert_array_equal(memo.upload.cannot_upload, direct.upload.cannot_upload)
    np.testing.assert_array_equal(memo.upload.upgraded, direct.upload.upgraded)
    np.testing.assert_array_equal(memo.placement.final, direct.placement.final)
    np.testing.assert_array_equal(memo.cloud_design.design, direct.cloud_design.design)
    # the search's sums over a smaller batch may round in the last bit: the plans agree to 1e-12
    np.testing.assert_allclose(memo.rows.cloud_total, direct.rows.cloud_total, rtol=1e-12)
    shown = fleet_tables.plan_summary(memo)
    for plan, figures in fleet_tables.plan_summary(direct).items():
        for name, value in figures.items():
            if isinstance(value, float):
                assert shown[plan][name] == pytest.approx(value, rel=1e-12, nan_ok=True), (plan, name)
            else:
                assert shown[plan][name] == value, (plan, name)


@pytest.mark.parametrize("cloud", ["own", "cheapest"])
def test_the_memo_gives_the_programme_of_the_search_over_every_row(cloud):
    f = dataclasses.replace(varied_fleet(ROWS), cloud=cloud)
    direct = fleet_programme.evaluate(f)
    searched = int(direct.upload.too_thin.sum()) if cloud == "own" else ROWS
    assert 0 < searched  # some rows are searched, or the test shows nothing
    assert_same_programme(fleet_programme.evaluate(f, search=fleet_page.search_designs), direct)
    # … and again from the memo, each row's figures as found the first time
    assert_same_programme(fleet_programme.evaluate(f, search=fleet_page.search_designs), direct)


def test_an_edit_to_one_row_searches_that_row_alone(searches):
    f = dataclasses.replace(varied_fleet(ROWS), cloud="cheapest")  # every row searched
    fleet_programme.evaluate(f, search=fleet_page.search_designs)
    assert searches == [ROWS]
    fleet_programme.evaluate(f, search=fleet_page.search_designs)
    assert searches == [ROWS]  # nothing new: no search
    f2 = edited(f, 3, "cameras", int(f.inventory.table.loc[3, "cameras"]) + 7)
    memo = fleet_programme.evaluate(f2, search=fleet_page.search_designs)
    assert searches == [ROWS, 1]  # row 3 alone
    assert_same_programme(memo, fleet_programme.evaluate(f2))
    # a row's link is part of its inputs: another uplink is another search
    f3 = edited(f2, 5, "uplink_mbps", 7)
    memo = fleet_programme.evaluate(f3, search=fleet_page.search_designs)
    assert searches == [ROWS, 1, 1]  # row 5 alone
    assert_same_programme(memo, fleet_programme.evaluate(f3))


def test_another_base_is_another_memo(searches):
    f = dataclasses.replace(varied_fleet(ROWS), cloud="cheapest")
    fleet_programme.evaluate(f, search=fleet_page.search_designs)
    other = dataclasses.replace(f, base=replace(f.base, storage_per_gb_month=f.base.storage_per_gb_month * 3 + 0.01))
    memo = fleet_programme.evaluate(other, search=fleet_page.search_designs)
    assert searches[-1] == ROWS  # every row again: the base's designs and prices changed
    assert_same_programme(memo, fleet_programme.evaluate(other))
