"""Malformed input through every non-UI entry point: scenario files, share links, the CLI.

Each must end in a valid Scenario or a ScenarioError with a readable one-line message — never another
exception, never a hang. Counts: 300+ generated inputs per entry point (see max_examples).
"""
import io
import json
import math
from contextlib import redirect_stderr, redirect_stdout

from hypothesis import HealthCheck, given, settings, strategies as st

from planner import catalog
from planner.__main__ import main
from planner.scenario import (FIELDS, MAX_SHARE_LINK_CHARS, ScenarioError, parse_json, from_share_token, to_dict,
                              to_share_token)

VALID = to_dict(catalog.preset("retail"))
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20)
hostile_numbers = st.sampled_from([-1, 0, -0.0, 1e308, -1e308, 10**400, 2**63, float("nan"), float("inf"),
                                   "12", "", None, True, [], {}, "1e3", "=1+1"])


@st.composite
def mutated_scenarios(draw):
    """A valid scenario with a few fields broken, removed or added."""
    data = dict(VALID)
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["break", "remove", "add", "type"]))
        name = draw(st.sampled_from([f.name for f in FIELDS] + ["name", "inference_tiers", "schema_version"]))
        if action == "break":
            data[name] = draw(hostile_numbers)
        elif action == "remove":
            data.pop(name, None)
        elif action == "add":
            data[draw(st.text(min_size=1, max_size=12))] = draw(json_values)
        else:
            data[name] = draw(json_values)
    return data


def _check(parse, payload):
    try:
        parse(payload)
    except ScenarioError as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message
        assert len(message) < 2_000


def _dumps(data) -> str:
    return json.dumps(data, allow_nan=True, default=str)


@FUZZ
@given(mutated_scenarios())
def test_mutated_scenario_files(data):
    _check(parse_json, _dumps(data))


@FUZZ
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300), json_values.map(_dumps)))
def test_arbitrary_text_bytes_and_json(payload):
    _check(parse_json, payload)


@FUZZ
@given(st.integers(0, len(json.dumps(VALID))), st.sampled_from(["", "}", "\x00", "\ud800", "é"]))
def test_truncated_files(cut, tail):
    _check(parse_json, json.dumps(VALID)[:cut] + tail)


def test_deep_huge_and_foreign_files():
    for payload in ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000,
                    json.dumps({**VALID, "name": "x" * 1_000_000}), json.dumps({**VALID, "schema_version": 99}),
                    b"\xff\xfe\x00\x00", "\ufeff" + json.dumps(VALID), json.dumps({**VALID, "cameras": 10**400})]:
        _check(parse_json, payload)


TOKEN = to_share_token(catalog.preset("manufacturing"))


@FUZZ
@given(st.integers(0, len(TOKEN) - 1), st.text(alphabet="ABCxyz019-_=%+/ ", min_size=0, max_size=3), st.booleans())
def test_tampered_share_links(position, insert, truncate):
    token = TOKEN[:position] + insert + ("" if truncate else TOKEN[position + 1:])
    _check(from_share_token, token)


@FUZZ
@given(st.text(max_size=200))
def test_random_share_links(token):
    _check(from_share_token, token)


def test_oversized_share_link_and_zip_bomb():
    _check(from_share_token, "A" * (MAX_SHARE_LINK_CHARS + 1))
    import base64, zlib
    bomb = base64.urlsafe_b64encode(zlib.compress(b"[" * 5_000_000, 9)).decode().rstrip("=")
    _check(from_share_token, bomb)


def run_cli(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.one_of(mutated_scenarios().map(_dumps), st.binary(max_size=200)))
def test_cli_scenario_files_exit_0_or_2_with_one_line(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "s.json"
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    code, out, err = run_cli("report", "--scenario", str(path), "--format", "json")
    if code == 0:
        summary = json.loads(out)
        assert all(v is None or not isinstance(v, float) or math.isfinite(v) for v in summary.values())
    else:
        assert code == 2 and err.count("\n") == 1 and err.startswith("error: ")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=3))
def test_cli_set_assignments_exit_0_or_2(assignments):
    argv = ["report", "--preset", "retail", "--format", "json"]
    for a in assignments:
        argv += ["--set", a]
    code, _, err = run_cli(*argv)
    assert code in (0, 2)
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("error: ")
