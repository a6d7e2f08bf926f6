"""`python -m planner`: the command-line report, run as a user would (a subprocess per run)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = pytest.mark.cli

ROOT = Path(__file__).resolve().parent.parent
SUMMARY_KEYS = {
    "cloud_monthly_cost",
    "edge_capex",
    "edge_monthly_cost",
    "break_even_month",
    "horizon_months",
    "cloud_total_cost",
    "edge_total_cost",
    "savings_total",
    "npv_savings",
    "roi_percent",
}
HOSTILE_NAME = '=HYPERLINK("http://evil.example","x")'


# ── Running the CLI ─────────────────────────────────────────────────────────────────────────────────
# Every run starts a fresh interpreter (~0.7 s of imports). The `work` fixture starts all the runs this
# module makes at once, a few in parallel; each test then waits for its own result.
_RESULTS: dict[tuple[str, ...], Future] = {}
_POOL = ThreadPoolExecutor(max_workers=3)


def _run(args: tuple[str, ...]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=120,
    )


def cli(*args) -> subprocess.CompletedProcess:
    key = tuple(str(a) for a in args)
    if key not in _RESULTS:
        _RESULTS[key] = _POOL.submit(_run, key)
    return _RESULTS[key].result()


def cli_ok(*args) -> str:
    """Stdout of a run that must succeed, silently."""
    r = cli(*args)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return r.stdout


RETAIL = ("report", "--preset", "retail")
OK_RUNS = [
    ("presets",),
    ("fields",),
    RETAIL,
    RETAIL + ("--format", "json"),
    RETAIL + ("--format", "csv"),
    ("report", "--preset", "smart_city", "--format", "json"),
    ("report", "--preset", "smart_city", "--format", "csv"),
    RETAIL + ("--format", "json", "--set", "devices_manual=10", "--set", "management_per_month=0"),
    RETAIL + ("--format", "json", "--months", "12"),
    RETAIL + ("--format", "csv", "--months", "12"),
    RETAIL + ("--format", "json", "--set", "device_price=1000000", "--months", "6"),
    RETAIL
    + (
        "--format",
        "csv",
        "--set",
        f"name={HOSTILE_NAME}",
        "--set",
        "device_id=-1",
        "--set",
        "cloud_provider=@x",
        "--set",
        "currency=+1",
        "--set",
        "device_price=1000000",
        "--months",
        "3",
    ),
]


def _files(work: Path) -> dict[str, Path]:
    files = {
        name: work / name
        for name in ("mine.json", "malformed.json", "typed.json", "array.json", "latin1.json", "large.json")
    }
    files["mine.json"].write_text(
        json.dumps(
            {
                "name": "Mine",
                "cameras": 4,
                "device_sizing": "manual",
                "devices_manual": 1,
                "device_price": 1200,
                "install_per_device": 0,
                "salvage_percent": 0,
                "useful_life_months": 12,
            }
        ),
        encoding="utf-8",
    )
    files["malformed.json"].write_text('{"cameras": 5,', encoding="utf-8")
    files["typed.json"].write_text('{"cameras": "five", "hours_per_day": [1]}', encoding="utf-8")
    files["array.json"].write_text("[1, 2, 3]", encoding="utf-8")
    files["latin1.json"].write_bytes('{"name": "Café"}'.encode("latin-1"))
    files["large.json"].write_text('{"description": "' + "x" * 200_000 + '"}', encoding="utf-8")
    return files


def _file_runs(work: Path) -> list[tuple]:
    mine = work / "mine.json"
    return [
        ("report", "--scenario", mine, "--format", "json", "--view", "accounting"),
        ("report", "--scenario", mine, "--format", "csv", "--view", "accounting"),
        ("report", "--preset", "manufacturing", "--format", "json", "--out", work / "report.json"),
    ]


def _bad_runs(work: Path) -> dict[str, tuple]:
    return {
        "file name with a line break": ("report", "--scenario", work / "two\nlines.json"),
        "stray argument with a line break": RETAIL + ("stray\nargument",),
        "unknown preset": ("report", "--preset", "nowhere"),
        "unknown field": RETAIL + ("--set", "camras=5"),
        "out of range": RETAIL + ("--set", "hours_per_day=25"),
        "not a number": RETAIL + ("--set", "cameras=many"),
        "bad months": RETAIL + ("--months", "0"),
        "missing file": ("report", "--scenario", work / "nope.json"),
        "malformed json": ("report", "--scenario", work / "malformed.json"),
        "wrong-typed json": ("report", "--scenario", work / "typed.json"),
        "json array": ("report", "--scenario", work / "array.json"),
        "non-utf8 file": ("report", "--scenario", work / "latin1.json"),
        "too large file": ("report", "--scenario", work / "large.json"),
        "directory": ("report", "--scenario", work),
    }


BAD_USAGE = [
    ("report",),  # neither --preset nor --scenario
    RETAIL + ("--format", "xml"),
    RETAIL + ("--months", "twelve"),
    ("frobnicate",),
]


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """A folder with the scenario files the tests use; starts every known run in the background."""
    folder = tmp_path_factory.mktemp("cli")
    _files(folder)
    for args in [*_bad_runs(folder).values(), *OK_RUNS, *_file_runs(folder), *BAD_USAGE]:
        cli_key = tuple(str(a) for a in args)
        if cli_key not in _RESULTS:
            _RESULTS[cli_key] = _POOL.submit(_run, cli_key)
    return folder


# ── Reading the CSV report ──────────────────────────────────────────────────────────────────────────
def sections(text: str) -> dict[str, list[list[str]]]:
    """The report's sections: a title row, a header, rows; an empty row ends a section."""
    out, title = {}, None
    for row in csv.reader(io.StringIO(text)):
        if not row:
            title = None
        elif title is None:
            title = row[0]
            out[title] = []
        else:
            out[title].append(row)
    return out


def monthly(text: str) -> tuple[list[str], list[list[str]]]:
    sec = next(v for k, v in sections(text).items() if k.startswith("Monthly"))
    return sec[0], sec[1:]


def column(header, rows, name) -> list[float]:
    i = header.index(name)
    return [float(r[i]) for r in rows]


# ── Listings ────────────────────────────────────────────────────────────────────────────────────────
def test_presets_lists_every_bundled_preset(work):
    out = cli_ok("presets")
    keys = [line.split()[0] for line in out.splitlines()]
    assert sorted(keys) == sorted(p.stem for p in (ROOT / "data" / "presets").glob("*.json"))
    assert "Retail store" in out


def test_fields_lists_units_and_ranges(work):
    out = cli_ok("fields")
    assert any(line.startswith("cameras") and "0..100000" in line for line in out.splitlines())
    assert "[h/day]" in out


# ── Reports ─────────────────────────────────────────────────────────────────────────────────────────
def test_table_report(work):
    out = cli_ok(*RETAIL)
    assert out.startswith("Retail store")
    assert "pays back in month 1" in out
    assert "17,723.92 USD" in out  # cloud, first month (see test_costs' retail case)
    assert "10,000.00 USD" in out and "(5 devices)" in out


def test_json_report_has_the_public_keys(work):
    s = json.loads(cli_ok(*RETAIL, "--format", "json"))
    assert SUMMARY_KEYS <= set(s)
    assert s["horizon_months"] == 36
    assert 15_000 <= s["cloud_monthly_cost"] <= 20_000
    assert s["edge_capex"] == pytest.approx(10_000)
    assert 0 < s["break_even_month"] < 1
    assert s["savings_total"] == pytest.approx(s["cloud_total_cost"] - s["edge_total_cost"])
    assert s["roi_percent"] == pytest.approx(s["savings_total"] / 10_000 * 100)


def test_csv_monthly_totals_equal_the_json_totals(work):
    s = json.loads(cli_ok("report", "--preset", "smart_city", "--format", "json"))
    header, rows = monthly(cli_ok("report", "--preset", "smart_city", "--format", "csv"))
    assert [int(r[0]) for r in rows] == list(range(1, s["horizon_months"] + 1))
    tol = 0.006 * len(rows)  # cells are rounded to cents
    cloud, edge = column(header, rows, "Cloud total [USD]"), column(header, rows, "Edge total [USD]")
    assert sum(cloud) == pytest.approx(s["cloud_total_cost"], abs=tol)
    assert sum(edge) == pytest.approx(s["edge_total_cost"], abs=tol)
    assert column(header, rows, "Cumulative savings [USD]")[-1] == pytest.approx(s["savings_total"], abs=0.01)
    # The component columns add up to the totals month by month.
    cloud_parts = [h for h in header if h.startswith("Cloud: ")]
    edge_parts = [h for h in header if h.startswith("Edge: ")]
    from planner.model.costs import side_components

    running_cloud = [c for c in side_components("cloud", "cash") if c.key != "carbon_cloud"]
    assert len(cloud_parts) == len(running_cloud) and len(edge_parts) >= 7  # no carbon price set: no carbon column
    for i, row in enumerate(rows):
        assert sum(float(row[header.index(h)]) for h in cloud_parts) == pytest.approx(cloud[i], abs=0.05)
        assert sum(float(row[header.index(h)]) for h in edge_parts) == pytest.approx(edge[i], abs=0.05)


def test_csv_report_has_assumptions_and_summary(work):
    sec = sections(cli_ok(*RETAIL, "--format", "csv"))
    assert {"Assumptions", "Summary"} <= set(sec)
    assumptions = {row[0]: row for row in sec["Assumptions"][1:]}
    assert assumptions["cameras"][2] == "50" and assumptions["hours_per_day"][3] == "h/day"
    summary = {row[0]: row for row in sec["Summary"][1:]}
    s = json.loads(cli_ok(*RETAIL, "--format", "json"))
    assert float(summary["NPV of savings"][1]) == pytest.approx(s["npv_savings"], abs=0.01)


def test_set_overrides_an_input(work):
    base = json.loads(cli_ok(*RETAIL, "--format", "json"))
    s = json.loads(cli_ok(*RETAIL, "--format", "json", "--set", "devices_manual=10", "--set", "management_per_month=0"))
    assert s["edge_capex"] == pytest.approx(20_000)  # 10 × 2,000
    assert s["cloud_monthly_cost"] == pytest.approx(base["cloud_monthly_cost"])
    # management 500 → 0; failures (5 × 3 %/12 × 2,000 = 25) and electricity
    # (5 × 0.25 kW × (360 + 0.3 × 370.5) h × 1.2 × 0.13 = 91.874) double with 10 devices
    electricity_5 = 5 * 0.25 * (360 + 0.3 * 370.5) * 1.2 * 0.13
    assert s["edge_monthly_cost"] == pytest.approx(base["edge_monthly_cost"] - 500 + 25 + electricity_5)


def test_months_overrides_the_horizon(work):
    s = json.loads(cli_ok(*RETAIL, "--format", "json", "--months", "12"))
    assert s["horizon_months"] == 12
    header, rows = monthly(cli_ok(*RETAIL, "--format", "csv", "--months", "12"))
    assert len(rows) == 12
    assert sum(column(header, rows, "Cloud total [USD]")) == pytest.approx(s["cloud_total_cost"], abs=0.1)


def test_never_pays_back_is_null_in_json(work):
    s = json.loads(cli_ok(*RETAIL, "--format", "json", "--set", "device_price=1000000", "--months", "6"))
    assert s["break_even_month"] is None
    assert s["savings_total"] < 0


def test_out_writes_the_file(work):
    target = work / "report.json"
    r = cli("report", "--preset", "manufacturing", "--format", "json", "--out", target)
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""
    s = json.loads(target.read_text(encoding="utf-8"))
    assert SUMMARY_KEYS <= set(s) and s["edge_capex"] == pytest.approx(500)


def test_scenario_file_with_accounting_view(work):
    mine = work / "mine.json"
    s = json.loads(cli_ok("report", "--scenario", mine, "--format", "json", "--view", "accounting"))
    assert s["scenario"] == "Mine" and s["view"] == "accounting"
    header, rows = monthly(cli_ok("report", "--scenario", mine, "--format", "csv", "--view", "accounting"))
    # 1,200 / 12 months straight-line
    assert column(header, rows, "Edge: Depreciation (hardware + installation) [USD]")[0] == pytest.approx(100.0)


def test_hostile_text_is_neutralised_in_csv(work):
    out = cli_ok(
        *RETAIL,
        "--format",
        "csv",
        "--set",
        f"name={HOSTILE_NAME}",
        "--set",
        "device_id=-1",
        "--set",
        "cloud_provider=@x",
        "--set",
        "device_price=1000000",
        "--months",
        "3",
    )
    cells = [cell for row in csv.reader(io.StringIO(out)) for cell in row]
    assert "'" + HOSTILE_NAME in cells and HOSTILE_NAME not in cells
    for text in ("-1", "@x"):
        assert "'" + text in cells and text not in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    # Numbers stay numbers, negative ones included (cumulative savings are negative here).
    header, rows = monthly(out)
    savings = [r[header.index("Cumulative savings [USD]")] for r in rows]
    assert all(float(v) < 0 for v in savings)
    assert [r[0] for r in rows] == ["1", "2", "3"]


# ── Bad input: exit status 2, one line on stderr, no traceback ──────────────────────────────────────
@pytest.mark.parametrize(
    "kind, fragment",
    [
        ("unknown preset", "unknown preset 'nowhere'"),
        ("unknown field", "unknown field 'camras'"),
        ("out of range", "hours_per_day = 25"),
        ("not a number", "cameras = 'many' is not a number"),
        ("bad months", "horizon_months = 0"),
        ("missing file", "cannot read"),
        ("malformed json", "not valid JSON"),
        ("wrong-typed json", "cameras = 'five'"),
        ("json array", "must be a JSON object"),
        ("non-utf8 file", "not UTF-8"),
        ("too large file", "100,000"),
        ("directory", "cannot read"),
    ],
)
def test_bad_input_exits_2_with_one_line(work, kind, fragment):
    r = cli(*_bad_runs(work)[kind])
    assert r.returncode == 2
    assert r.stdout == ""
    assert "Traceback" not in r.stderr
    assert r.stderr.endswith("\n") and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith("error: ") and fragment in r.stderr


@pytest.mark.parametrize("args", BAD_USAGE, ids=" ".join)
def test_bad_usage_exits_2_with_one_line(work, args):
    r = cli(*args)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: ")


def test_unwritable_out_exits_2(work):
    r = cli(*RETAIL, "--out", work / "no" / "such" / "dir" / "r.txt")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "cannot write" in r.stderr


@pytest.mark.parametrize("kind", ["file name with a line break", "stray argument with a line break"])
def test_error_stays_on_one_line_when_the_input_has_a_line_break(work, kind):
    # A file name (or a stray argument) with a line break must not split the one-line message.
    r = cli(*_bad_runs(work)[kind])
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.count("\n") == 1, r.stderr
