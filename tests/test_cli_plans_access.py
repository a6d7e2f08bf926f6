"""`python -m planner plans … --as EMAIL`: the command line acting as a named user, under the store's rules, on
SQLite and on PostgreSQL; approvals refused to anyone the access settings do not name an approver."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import store_support

from planner.catalogs import catalog
from planner.schema.scenario import to_json

pytestmark = pytest.mark.cli

ROOT = Path(__file__).resolve().parent.parent
RETAIL = ROOT / "data" / "presets" / "retail.json"
EXPORTED = to_json(catalog.preset("retail"))  # what `plans export` writes of the saved preset
ACCESS = {"PLANNER_APPROVERS": "cfo@team.example", "PLANNER_TEAM_DOMAINS": "team.example"}


def cli(url: str, *args) -> subprocess.CompletedProcess:
    return store_support.cli(url, *args, **ACCESS)


def ok(url: str, *args) -> str:
    return store_support.ok(url, *args, **ACCESS)


def refused(url: str, *args) -> str:
    run = cli(url, *args)
    assert (run.returncode, run.stdout) == (2, ""), run
    assert len(run.stderr.splitlines()) == 1 and "Traceback" not in run.stderr
    return run.stderr


def test_a_private_plan_is_not_found_by_another_user_and_only_an_approver_approves(url):
    plan, number = (
        ok(url, "plans", "save", "--scenario", RETAIL, "--name", "Budget", "--as", "a@team.example")
        .splitlines()[-1]
        .split()
    )  # "ID N" stays the last line
    assert number == "1"
    assert [p["id"] for p in json.loads(ok(url, "plans", "list", "--as", "a@team.example", "--format", "json"))] == [
        plan
    ]
    assert json.loads(ok(url, "plans", "list", "--as", "b@team.example", "--format", "json")) == []
    missing = refused(url, "plans", "export", plan, "--as", "b@team.example")
    assert missing == f"error: there is no plan '{plan}'\n"  # as for a plan that does not exist
    assert refused(url, "plans", "export", plan, "--rev", "1", "--as", "b@team.example") == missing
    assert (
        refused(
            url, "plans", "save", "--scenario", RETAIL, "--name", "Mine now", "--plan", plan, "--as", "b@team.example"
        )
        == missing
    )
    assert refused(url, "plans", "approve", plan, "--rev", "1", "--as", "b@team.example") == (
        "error: b@team.example is not an approver: approvers are named in [planner.access] approvers "
        "(or PLANNER_APPROVERS)\n"
    )
    assert refused(url, "plans", "approve", plan, "--rev", "1", "--as", "cfo@team.example") == missing  # private

    ok(
        url,
        "plans",
        "save",
        "--scenario",
        RETAIL,
        "--name",
        "Budget",
        "--plan",
        plan,
        "--visibility",
        "team",
        "--as",
        "a@team.example",
    )
    assert ok(url, "plans", "export", plan, "--as", "b@team.example") == EXPORTED
    approved = ok(url, "plans", "approve", plan, "--rev", "2", "--as", "cfo@team.example", "--comment", "go")
    assert approved.startswith("Approved by cfo@team.example on ") and approved.endswith(" UTC (revision 2)\n")
    trail = json.loads(ok(url, "plans", "audit", plan, "--format", "json"))
    assert [(e["action"], e["actor"], e["revision"]) for e in trail] == [
        ("saved", "a@team.example", 1),
        ("saved", "a@team.example", 2),
        ("visibility", "a@team.example", None),
        ("opened", "b@team.example", 2),
        ("approved", "cfo@team.example", 2),
    ]
    assert "approved" in ok(url, "plans", "audit", plan)
    assert refused(url, "plans", "audit", plan, "--as", "x@elsewhere.example") == missing


def test_without_as_the_command_line_works_as_before_and_own_names_an_owner(url):
    plan = ok(url, "plans", "save", "--scenario", RETAIL, "--name", "Shared").split()[0]
    [listed] = json.loads(ok(url, "plans", "list", "--format", "json"))
    assert (listed["owner"], listed["visibility"]) == (None, "team")
    assert ok(url, "plans", "own", plan, "--as", "A@Team.example") == f"{plan} owner a@team.example\n"
    ok(
        url,
        "plans",
        "save",
        "--scenario",
        RETAIL,
        "--name",
        "Shared",
        "--plan",
        plan,
        "--visibility",
        "private",
        "--as",
        "a@team.example",
    )
    assert json.loads(ok(url, "plans", "list", "--as", "b@team.example", "--format", "json")) == []
    assert (
        refused(url, "plans", "own", plan, "--as", "not an email") == "error: 'not an email' is not an email address\n"
    )
    assert ok(url, "plans", "export", plan) == EXPORTED  # the administrator sees everything
