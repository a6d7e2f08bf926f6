"""Malformed input through every non-UI entry point: scenario files, share links, the CLI.

Each must end in a valid Scenario or a ScenarioError with a readable one-line message — never another
exception, never a hang. Counts: 300+ generated inputs per entry point (see max_examples).
"""

import base64
import io
import json
import math
import os
import shlex
import socket
import stat
import subprocess
import sys
import unicodedata
import zlib
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import examples

from planner.catalogs import catalog
from planner.cli import main
from planner.schema.scenario import (
    BIDI_CONTROLS,
    FIELDS,
    MAX_JSON_DEPTH,
    MAX_SHARE_LINK_CHARS,
    UNSAFE_TEXT_CATEGORIES,
    ScenarioError,
    from_share_token,
    parse_json,
    to_dict,
    to_share_token,
)

pytestmark = pytest.mark.oracle

ROOT = Path(__file__).resolve().parent.parent

VALID = to_dict(catalog.preset("retail"))
FUZZ = settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20,
)
hostile_numbers = st.sampled_from(
    [
        -1,
        0,
        -0.0,
        1e308,
        -1e308,
        10**400,
        2**63,
        float("nan"),
        float("inf"),
        "12",
        "",
        None,
        True,
        [],
        {},
        "1e3",
        "=1+1",
    ]
)


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
    for payload in [
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 50_000 + "1" + "}" * 50_000,
        json.dumps({**VALID, "name": "x" * 1_000_000}),
        json.dumps({**VALID, "schema_version": 99}),
        b"\xff\xfe\x00\x00",
        "\ufeff" + json.dumps(VALID),
        json.dumps({**VALID, "cameras": 10**400}),
    ]:
        _check(parse_json, payload)


TOKEN = to_share_token(catalog.preset("manufacturing"))


@FUZZ
@given(st.integers(0, len(TOKEN) - 1), st.text(alphabet="ABCxyz019-_=%+/ ", min_size=0, max_size=3), st.booleans())
def test_tampered_share_links(position, insert, truncate):
    token = TOKEN[:position] + insert + ("" if truncate else TOKEN[position + 1 :])
    _check(from_share_token, token)


@FUZZ
@given(st.text(max_size=200))
def test_random_share_links(token):
    _check(from_share_token, token)


def test_oversized_share_link_and_zip_bomb():
    _check(from_share_token, "A" * (MAX_SHARE_LINK_CHARS + 1))
    import base64
    import zlib

    bomb = base64.urlsafe_b64encode(zlib.compress(b"[" * 5_000_000, 9)).decode().rstrip("=")
    _check(from_share_token, bomb)


def run_cli(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
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


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=3))
def test_cli_set_assignments_exit_0_or_2(assignments):
    argv = ["report", "--preset", "retail", "--format", "json"]
    for a in assignments:
        argv += ["--set", a]
    code, _, err = run_cli(*argv)
    assert code in (0, 2)
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("error: ")


# ── Classes behind the second review (issue 12) ───────────────────────────────────────────────────────
# Every nesting depth up to the limit and past it, at every place a scenario holds a value: the top, a
# field, a tier list, a tier's value; through a file, a share link, the CLI and --set.
def _nested(depth: int, kind: str) -> str:
    return "[" * depth + "1" + "]" * depth if kind == "list" else '{"a":' * depth + "1" + "}" * depth


def _place(where: str, value: str) -> str:
    hole = {
        "top": "HOLE",
        "field": {**VALID, "cameras": "HOLE"},
        "tiers": {**VALID, "inference_tiers": "HOLE"},
        "tier value": {**VALID, "inference_tiers": [{"start": 0, "price": "HOLE"}]},
    }[where]
    return json.dumps(hole).replace('"HOLE"', value)


def _token(text: str) -> str:
    return base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")


PLACE_DEPTH = {"top": 0, "field": 1, "tiers": 1, "tier value": 3}  # brackets around the hole


@pytest.mark.parametrize("where", list(PLACE_DEPTH))
@pytest.mark.parametrize("kind", ["list", "dict"])
def test_every_nesting_depth_at_every_place(where, kind):
    for depth in range(1, MAX_JSON_DEPTH + 3):
        payload = _place(where, _nested(depth, kind))
        too_deep = PLACE_DEPTH[where] + depth > MAX_JSON_DEPTH
        for parse, data in ((parse_json, payload), (from_share_token, _token(payload))):
            try:
                parse(data)
            except ScenarioError as exc:
                assert ("nested too deeply" in str(exc)) == too_deep, (where, depth, str(exc))
                assert "\n" not in str(exc) and len(str(exc)) < 500
            else:
                raise AssertionError((where, kind, depth, "accepted"))


def test_every_nesting_depth_through_the_cli(tmp_path):
    for depth in (*range(1, MAX_JSON_DEPTH + 3), 500, 990, 5_000, 40_000):
        path = tmp_path / f"deep{depth}.json"
        path.write_text(_place("field", _nested(depth, "list")))
        code, _, err = run_cli("report", "--scenario", str(path))
        assert code == 2 and err.count("\n") == 1 and err.startswith("error: "), (depth, err)
        code, _, err = run_cli("report", "--preset", "retail", "--set", f"egress_tiers=[[0, {_nested(depth, 'list')}]]")
        assert code == 2 and err.count("\n") == 1 and err.startswith("error: "), (depth, err)


# Every class of character a text field refuses, through every place text comes in.
UNSAFE_CHARACTERS = {
    "C0 control": [chr(c) for c in range(0x20)],
    "DEL": ["\x7f"],
    "C1 control": [chr(c) for c in range(0x80, 0xA0)],
    "line separator": ["\u2028"],
    "paragraph separator": ["\u2029"],
    "bidi control": list(BIDI_CONTROLS),
}
TEXT_FIELDS = ["name", "description", "cloud_provider", "device_id", "currency"]


@pytest.mark.parametrize("family", list(UNSAFE_CHARACTERS))
def test_every_unsafe_character_class_in_every_text_field(family):
    for char in UNSAFE_CHARACTERS[family]:
        for field in TEXT_FIELDS:
            if (field, char) == ("description", "\n"):  # a description may hold paragraphs
                continue
            text = f"a{char}b"
            for parse, payload in (
                (parse_json, json.dumps({**VALID, field: text})),
                (from_share_token, _token(json.dumps({**VALID, field: text}))),
            ):
                try:
                    parse(payload)
                except ScenarioError as exc:
                    message = str(exc)
                    assert message.startswith(f"{field}") and message.isprintable(), (family, repr(char), message)
                else:
                    raise AssertionError((family, field, repr(char), "accepted"))
            if char not in "\x00":  # an argument cannot hold NUL
                code, out, err = run_cli("report", "--preset", "retail", "--set", f"{field}={text}")
                assert code == 2 and out == "" and err.count("\n") == 1 and err[:-1].isprintable(), (field, repr(char))


@settings(max_examples=examples(300), deadline=None)
@given(st.text(max_size=40))
def test_accepted_text_has_no_unsafe_character_and_keeps_its_line(text):
    """Whatever a text field accepts is free of every refused class, and prints as the table's first line."""
    code, out, err = run_cli("report", "--preset", "retail", "--set", f"name={text}")
    if code == 2:
        assert err.startswith("error: ") and err.count("\n") == 1 and err[:-1].isprintable()
        return
    name = text.strip()
    assert not any(unicodedata.category(c) in UNSAFE_TEXT_CATEGORIES or c in BIDI_CONTROLS for c in name)
    assert out.split("\n")[:2] == [name, "=" * len(name)]


# Non-regular files as --scenario and as --out: refused at once (a named pipe opens without blocking).
def _non_regular_files(folder):
    fifo = folder / "pipe"
    os.mkfifo(fifo)
    (folder / "to-pipe").symlink_to(fifo)
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "socket"))
    return {
        "directory": folder,
        "named pipe": fifo,
        "link to a named pipe": folder / "to-pipe",
        "unix socket": folder / "socket",
        "/dev/zero": Path("/dev/zero"),
        "/dev/null": Path("/dev/null"),
        "/dev/urandom": Path("/dev/urandom"),
    }, server


def test_non_regular_files_are_refused_in_and_out(tmp_path):
    files, server = _non_regular_files(tmp_path)
    try:
        for kind, path in files.items():
            code, _, err = run_cli("report", "--scenario", str(path))
            assert code == 2 and err.startswith("error: cannot read") and err.count("\n") == 1, (kind, err)
            if kind != "directory" and kind != "unix socket":
                code, _, err = run_cli("report", "--preset", "retail", "--out", str(path))
                assert code == 2 and "not a regular file" in err and err.count("\n") == 1, (kind, err)
    finally:
        server.close()
    assert os.path.exists("/dev/null") and stat.S_ISCHR(os.stat("/dev/null").st_mode)  # untouched


def test_out_into_a_directory_or_a_missing_or_read_only_one(tmp_path):
    read_only = tmp_path / "ro"
    read_only.mkdir()
    read_only.chmod(0o500)
    for out in (tmp_path, tmp_path / "no" / "such" / "r.json", read_only / "r.json", ""):
        code, _, err = run_cli("report", "--preset", "retail", "--out", str(out))
        if os.geteuid() == 0 and out == read_only / "r.json":  # root writes anyway
            assert code == 0
            continue
        assert code == 2 and err.count("\n") == 1 and err.startswith("error: "), (out, err)


# Output failures: every command and format to a full device, a closed standard output, narrow encodings.
OUTPUT_RUNS = [("presets",), ("fields",)] + [
    ("report", "--preset", "smart_city", "--format", f) for f in ("table", "json", "csv")
]


@pytest.mark.parametrize("args", OUTPUT_RUNS, ids=" ".join)
def test_output_failures_are_one_line(args):
    command = [sys.executable, "-m", "planner", *args]
    with open("/dev/full", "wb") as full:
        r = subprocess.run(command, cwd=ROOT, stdout=full, stderr=subprocess.PIPE, timeout=60)
    assert r.returncode == 2 and r.stderr.decode().count("\n") == 1 and b"No space left" in r.stderr, r.stderr
    r = subprocess.run(
        " ".join(map(shlex.quote, command)) + " >&-", shell=True, cwd=ROOT, stderr=subprocess.PIPE, timeout=60
    )
    assert r.returncode == 2 and r.stderr.decode().count("\n") == 1 and b"closed" in r.stderr, r.stderr
    for encoding in ("ascii", "cp1252", "latin-1"):
        r = subprocess.run(
            command + (["--set", "currency=₹"] if "report" in args else []),
            cwd=ROOT,
            capture_output=True,
            timeout=60,
            env={**os.environ, "PYTHONIOENCODING": encoding},
        )
        assert r.returncode == 0 and r.stderr == b"", (encoding, r.stderr)
        r.stdout.decode("utf-8")
