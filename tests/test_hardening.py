"""Regressions from the second hostile review (issue 12): one section per finding, numbered as in the issue.

The classes behind them (every nesting depth, every control-character class, every non-regular file, every
output failure) are swept in tests/test_fuzz.py and tests/test_app_fuzz.py.
"""

from __future__ import annotations

import base64
import io
import json
import os
import resource
import signal
import subprocess
import sys
import tomllib
import tracemalloc
import warnings
import zlib
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pytest

from planner.catalogs import catalog
from planner.cli import MAX_SET_ASSIGNMENTS, main
from planner.exports import charts, report
from planner.model import finance, risk
from planner.schema import format, safe_csv
from planner.schema.scenario import (
    MAX_JSON_DEPTH,
    ScenarioError,
    from_share_token,
    parse_assignment,
    parse_json,
    replace,
    to_dict,
    to_json,
    validate,
)

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
RETAIL = catalog.preset("retail")
VALID = to_dict(RETAIL)


def run_cli(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def cli_process(*argv, env: dict | None = None, **options) -> subprocess.CompletedProcess:
    """A real `python -m planner` run (standard output captured unless `stdout=` is given)."""
    options = {"timeout": 60, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **options}
    return subprocess.run(
        [sys.executable, "-m", "planner", *map(str, argv)], cwd=ROOT, env={**os.environ, **(env or {})}, **options
    )


def refused(parse, payload) -> str:
    with pytest.raises(ScenarioError) as err:
        parse(payload)
    message = str(err.value)
    assert "\n" not in message and "Traceback" not in message and len(message) < 2_000
    return message


def one_error_line(code: int, err: str | bytes) -> str:
    err = err.decode() if isinstance(err, bytes) else err
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1, (code, err)
    return err


def nested(depth: int, kind: str = "list") -> str:
    return "[" * depth + "]" * depth if kind == "list" else '{"a":' * depth + "1" + "}" * depth


def with_value(field: str, raw_json: str) -> str:
    return json.dumps({**VALID, field: "HOLE"}).replace('"HOLE"', raw_json)


def frames_in_use() -> int:
    frame, count = sys._getframe(), 0
    while frame:
        frame, count = frame.f_back, count + 1
    return count


def at_stack_depth(frames: int, call):
    """`call()` with `frames` more Python frames on the stack (the app calls the parser deep in Streamlit)."""
    return call() if frames == 0 else at_stack_depth(frames - 1, call)


# ── 1. JSON nested just under the parser's limit ──────────────────────────────────────────────────────
@pytest.mark.parametrize("kind", ["list", "dict"])
@pytest.mark.parametrize("field", ["name", "cameras", "inference_tiers", "schema_version"])
def test_nesting_just_under_the_recursion_limit_is_one_message(field, kind):
    """The parser gives up near the recursion limit; the message about a value nested just under it used to
    hit the limit itself (`repr` inside an `except` block): every depth around it, from two stack depths."""
    for frames in (0, 300):
        room = sys.getrecursionlimit() - frames_in_use() - frames
        for depth in range(room - 50, room + 3):
            payload = with_value(field, nested(depth, kind))
            message = refused(lambda p: at_stack_depth(frames, lambda: parse_json(p)), payload)
            assert "nested too deeply" in message


def test_deep_nesting_through_link_cli_file_and_set(tmp_path):
    payload = with_value("name", nested(990))
    token = base64.urlsafe_b64encode(zlib.compress(payload.encode(), 9)).decode().rstrip("=")
    assert "nested too deeply" in refused(from_share_token, token)
    path = tmp_path / "deep.json"
    path.write_text(payload)
    code, _, err = run_cli("report", "--scenario", path)
    assert "nested too deeply" in one_error_line(code, err)
    code, _, err = run_cli("report", "--preset", "retail", "--set", f"inference_tiers={nested(990)}")
    assert "inference_tiers expects a JSON list" in one_error_line(code, err)


def test_messages_about_deep_or_long_values_stay_short():
    for payload in (with_value("cameras", nested(MAX_JSON_DEPTH - 1)), with_value("name", '"' + "n" * 50_000 + '"')):
        assert len(refused(parse_json, payload)) < 300


# ── 2. No traceback reaches a visitor ─────────────────────────────────────────────────────────────────
def test_an_unexpected_error_shows_no_details_in_the_browser():
    from streamlit import config
    from streamlit.elements.exception import _error_detail_visibility

    configured = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["client"]["showErrorDetails"]
    assert configured in set(config.ShowErrorDetailsConfigOptions)
    before = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", configured)
    try:
        assert tuple(_error_detail_visibility(True)) == (False, False, False)  # no message, trace or type
    finally:
        config.set_option("client.showErrorDetails", before)


def test_readme_team_deployment_keeps_framing_metrics_and_ports_private():
    readme = (ROOT / "README.md").read_text()
    team = readme[readme.index("## Running the planner for a team") : readme.index("## Security")]
    assert "X-Frame-Options" in team and "frame-ancestors" in team
    assert "/_stcore/metrics" in team and "--server.address 127.0.0.1" in team


# ── 3. --out never destroys the previous good file ────────────────────────────────────────────────────
def _limit_file_size(max_bytes: int):
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))

    return limit


def test_out_keeps_the_old_file_whole_when_the_disk_fills(tmp_path):
    out = tmp_path / "report.csv"
    out.write_text("the previous good report\n")
    r = cli_process(
        "report", "--preset", "retail", "--format", "csv", "--out", out, preexec_fn=_limit_file_size(4_096)
    )  # the CSV report is larger: the write fails part-way
    assert "cannot write" in one_error_line(r.returncode, r.stderr)
    assert out.read_text() == "the previous good report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]  # no half-written file left behind


def test_out_replaces_the_file_whole_and_keeps_its_permissions(tmp_path):
    out = tmp_path / "report.json"
    out.write_text("old")
    out.chmod(0o640)
    assert run_cli("report", "--preset", "retail", "--format", "json", "--out", out)[0] == 0
    assert json.loads(out.read_text())["scenario"] == RETAIL.name
    assert out.stat().st_mode & 0o777 == 0o640 and [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_out_equal_to_the_scenario_file_is_refused(tmp_path):
    scenario = tmp_path / "mine.json"
    scenario.write_text(to_json(RETAIL))
    link, hard_link = tmp_path / "link.json", tmp_path / "hard.json"
    link.symlink_to(scenario)
    os.link(scenario, hard_link)
    for out in (scenario, link, hard_link, tmp_path / "." / "mine.json"):
        code, _, err = run_cli("report", "--scenario", scenario, "--out", out)
        assert "is the scenario file itself" in one_error_line(code, err)
    assert scenario.read_text() == to_json(RETAIL)


# ── 4. Non-regular files ──────────────────────────────────────────────────────────────────────────────
def test_dev_zero_and_a_fifo_are_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for args in (
        ("--scenario", "/dev/zero"),
        ("--scenario", fifo),
        ("--preset", "retail", "--out", fifo),
        ("--preset", "retail", "--out", "/dev/null"),
    ):
        r = cli_process("report", *args, timeout=30)
        assert "not a regular file" in one_error_line(r.returncode, r.stderr)


# ── 5. CLI crashes ────────────────────────────────────────────────────────────────────────────────────
def test_empty_preset_is_an_unknown_preset():
    code, _, err = run_cli("report", "--preset", "")
    assert "unknown preset ''" in one_error_line(code, err)


def test_full_device_and_closed_stdout_are_one_line():
    with open("/dev/full", "wb") as full:
        for args in (("report", "--preset", "retail"), ("presets",), ("fields",)):
            r = cli_process(*args, stdout=full)
            assert "No space left on device" in one_error_line(r.returncode, r.stderr)
    r = subprocess.run(
        f"'{sys.executable}' -m planner report --preset retail >&-",
        shell=True,
        cwd=ROOT,
        capture_output=False,
        stderr=subprocess.PIPE,
        timeout=60,
    )
    assert "standard output" in one_error_line(r.returncode, r.stderr)


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
def test_output_is_utf8_whatever_the_terminal_encoding(encoding):
    r = cli_process("report", "--preset", "retail", "--set", "currency=₹", env={"PYTHONIOENCODING": encoding})
    assert r.returncode == 0 and r.stderr == b""
    text = r.stdout.decode("utf-8")
    assert "—" in text and "₹" in text


# ── 6. Control and bidi characters in text fields ─────────────────────────────────────────────────────
@pytest.mark.parametrize(
    "text",
    [
        "\x1b[2J\x1b[31mred",
        "nul\x00",
        "\u202eevil",
        "line\u2028break",
        "next\x85line",
        "tab\there",
        "lf\nhere",
        "\x7f",
        "\u2066isolate",
    ],
)
@pytest.mark.parametrize("field", ["name", "description", "cloud_provider", "device_id"])
def test_control_and_bidi_characters_are_refused_in_every_text_field(field, text):
    if (field, text) == ("description", "lf\nhere"):
        assert validate({**VALID, field: text}).description == text  # paragraphs, shown only by md()
        return
    message = refused(validate, {**VALID, field: text})
    assert message.startswith(f"{field}: U+") and "not allowed" in message
    code, out, err = run_cli("report", "--preset", "retail", "--set", f"{field}={text}")
    assert out == "" and f"{field}: U+" in one_error_line(code, err) and "\x1b" not in err


@pytest.mark.parametrize("field", ["name", "description", "cloud_provider", "device_id"])
def test_a_lone_surrogate_is_refused_naming_the_field(field):
    assert refused(validate, {**VALID, field: "\ud800"}).startswith(f"{field} = '\\ud800'")


# ── 7. Plotly templates never hold user text ──────────────────────────────────────────────────────────
@pytest.mark.parametrize("measure", ["savings", "costs"])
def test_scenario_names_are_hover_data_not_template(measure):
    names = ["%{y}", "%{x}", "%{meta}", "%{customdata[0]}"]
    curves = charts.curves(report.analyse_one(RETAIL))
    fig = charts.comparison_figure([(name, curves) for name in names], measure)
    for trace in fig.data:
        assert trace.hovertemplate == charts.money_hover("USD") + "<extra>%{meta}</extra>"  # the same for all
        assert trace.meta == trace.name and trace.name.startswith(tuple(names))


# ── 8. Monte Carlo memory ─────────────────────────────────────────────────────────────────────────────
def test_monte_carlo_memory_is_bounded_per_run():
    """The savings curves are kept as float32 (draws × months × 4 bytes) and the rest is chunked: at 50,000
    draws × 240 months a run allocates at most 1.5 × those 48 MB (it peaked at 4 times more)."""
    base = replace(RETAIL, horizon_months=240)
    cameras = {"cameras": risk.Distribution("uniform", low=10, high=90)}
    risk.monte_carlo(base, cameras, draws=100)  # imports and catalog caches once, outside the measured run
    tracemalloc.start()
    try:
        risk.monte_carlo(base, cameras, draws=50_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1.5 * 50_000 * 240 * 4


def test_simulations_beyond_the_process_limit_are_told_to_wait(monkeypatch):
    monkeypatch.setattr(risk, "SIMULATION_WAIT_S", 0)
    slots = risk._simulation_slots
    for _ in range(risk.MAX_CONCURRENT_SIMULATIONS):
        assert slots.acquire(blocking=False)
    try:
        with pytest.raises(risk.SimulationBusy, match="try again"):
            risk.monte_carlo(RETAIL, {}, draws=10)
    finally:
        for _ in range(risk.MAX_CONCURRENT_SIMULATIONS):
            slots.release()
    assert risk.monte_carlo(RETAIL, {}, draws=10).draws == 10  # every slot is free again


# ── 9. Strict types ───────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    "values, fragment",
    [
        ({"inference_tiers": [{"start": "0", "price": 1}]}, "inference_tiers.0.start = '0'"),
        ({"inference_tiers": [{"start": 0, "price": True}]}, "inference_tiers.0.price = True"),
        ({"egress_tiers": [{"start": False, "price": "0.09"}]}, "egress_tiers.0.start = False"),
        ({"schema_version": True}, "schema_version = True is not supported"),
        ({"schema_version": 1.0}, "schema_version = 1.0 is not supported"),
    ],
)
def test_tiers_and_schema_version_are_strictly_typed(values, fragment):
    assert fragment in refused(validate, {**VALID, **values})


def test_duplicate_keys_are_refused_naming_the_key():
    payload = json.dumps(VALID)[:-1] + ', "cameras": 7}'
    assert "'cameras' appears more than once" in refused(parse_json, payload)
    nested_duplicate = with_value("inference_tiers", '[{"start": 0, "price": 1, "price": 2}]')
    assert "'price' appears more than once" in refused(parse_json, nested_duplicate)


# ── 10. Messages that name the field and what is allowed ──────────────────────────────────────────────
def test_a_5000_digit_number_names_its_field():
    message = refused(parse_json, with_value("cameras", "9" * 5_000))
    assert message.startswith("cameras = a 5,000-digit number is not valid: allowed 0 to 100,000")
    assert "set_int_max_str_digits" not in message


def test_empty_scenario_path_says_so():
    code, _, err = run_cli("report", "--scenario", "")
    assert "--scenario needs a file name" in one_error_line(code, err)


def test_utf16_without_a_bom_is_named():
    assert "UTF-16" in refused(parse_json, json.dumps(VALID).encode("utf-16-le"))
    assert "UTF-16" in refused(parse_json, json.dumps(VALID).encode("utf-16"))


@pytest.mark.parametrize("raw", ['["ab", "cd"]', '{"ab": 1}', '[[0, 1], "xy"]', '"ab"'])
def test_malformed_tier_rows_in_set_say_what_a_row_is(raw):
    assert "expects a JSON list of [start, price] pairs" in refused(parse_assignment, f"inference_tiers={raw}")


def test_an_empty_key_is_named_as_such():
    assert refused(validate, {**VALID, "": 1}).startswith("'': unknown field")


@pytest.mark.parametrize("name", ["", "   ", "\u3000"])
def test_a_scenario_needs_a_visible_name(name):
    assert refused(validate, {**VALID, "name": name}).startswith("name")


# ── 11. Numeric slips ─────────────────────────────────────────────────────────────────────────────────
def test_a_tiny_gap_at_break_even_raises_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        be = finance.break_even(np.array([[-1.0, 2.0]]), lambda m: np.full(1, 1e-310), np.array([2]))
    assert be[0] == pytest.approx(1.0)


def _free_of_charge():
    zero = {
        f: 0
        for f in (
            "uplink_per_gb",
            "ingest_per_gb",
            "storage_per_gb_month",
            "device_price",
            "install_per_device",
            "management_per_month",
            "electricity_per_kwh",
            "device_watts",
            "feedback_percent",
        )
    }
    free_tiers = [{"start": 0, "price": 0}]
    return validate({**VALID, **zero, "inference_tiers": free_tiers, "egress_tiers": free_tiers})


def test_both_sides_costing_nothing_is_not_cheaper_from_day_one():
    s = report.summary(report.analyse_one(_free_of_charge()))
    assert s["cloud_total_cost"] == s["edge_total_cost"] == 0
    assert s["break_even_month"] is None
    assert format.break_even_text(s["break_even_month"], s["horizon_months"]) != "cheaper from day one"


def test_no_negative_zero_in_any_export():
    scenario = validate({**to_dict(_free_of_charge()), "result_kb": -0.0, "workload_growth_percent_per_year": -0.0})
    a = report.analyse_one(scenario)
    texts = [report.report_csv(a), report.summary_json(a), to_json(scenario)]
    for text in texts:
        assert "-0," not in text and "-0\n" not in text and "-0.0" not in text, text
    assert safe_csv.safe_cell(-0.0) == "0" and safe_csv.safe_cell(np.float64(-0.0)) == "0"


def test_no_negative_zero_in_the_cli_table(tmp_path):
    path = tmp_path / "almost-free.json"
    path.write_text(to_json(replace(_free_of_charge(), electricity_per_kwh=1e-6, device_watts=1)))  # a tiny loss
    code, out, _ = run_cli("report", "--scenario", path)
    assert code == 0 and "Savings                         0.00 USD" in out and "-0.00" not in out


# ── 12. Spreadsheet formulas behind invisible characters ──────────────────────────────────────────────
@pytest.mark.parametrize(
    "text",
    [
        " =1+1",
        "\u00a0=1+1",
        "\u3000=1+1",
        "\u200b=1+1",
        "\ufeff=1+1",
        "\u2060@SUM(A1)",
        "＝1+1",
        "＋1",
        "－1",
        "＠SUM(A1)",
        "﹦1",
        " \u200b ＋cmd",
    ],
)
def test_formula_signs_behind_invisible_characters_are_neutralised(text):
    assert safe_csv.safe_cell(text) == "'" + text
    a = report.analyse_one(replace(RETAIL, name=text, device_id=text))
    assert report.report_csv(a).count("'" + text) >= 2


def test_plain_text_and_numbers_stay_as_they_are():
    assert [safe_csv.safe_cell(v) for v in (" plain", "\u00a0x", "a=b", -1.5)] == [" plain", "\u00a0x", "a=b", "-1.5"]


# ── 13. Thousands of --set flags ──────────────────────────────────────────────────────────────────────
def test_too_many_set_flags_are_refused_with_a_message():
    flags = [a for _ in range(MAX_SET_ASSIGNMENTS + 1) for a in ("--set", "cameras=5")]
    code, _, err = run_cli("report", "--preset", "retail", *flags)
    assert f"--set given more than {MAX_SET_ASSIGNMENTS:,} times" in one_error_line(code, err)
    code, _, _ = run_cli("report", "--preset", "retail", *flags[:-2])
    assert code == 0
