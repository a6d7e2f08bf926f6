"""The scenario schema: declarations, validation messages, JSON and share-link codecs, `--set` parsing."""

from __future__ import annotations

import base64
import json
import math
import re
import zlib

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from strategies import examples, scenarios

from planner.catalogs import catalog
from planner.schema.scenario import (
    DEFAULT_EGRESS_TIERS,
    DEFAULT_INFERENCE_TIERS,
    FIELD_BY_NAME,
    FIELDS,
    GROUPS,
    MAX_SCENARIO_BYTES,
    MAX_SHARE_LINK_CHARS,
    MAX_TIERS,
    TIER_SCHEDULES,
    ChoiceField,
    NumberField,
    Scenario,
    ScenarioError,
    TextField,
    from_share_token,
    parse_assignment,
    parse_json,
    replace,
    to_dict,
    to_json,
    to_share_token,
    validate,
)

pytestmark = pytest.mark.unit

NUMBER_FIELDS = [f for f in FIELDS if isinstance(f, NumberField)]


def _token(payload: bytes) -> str:
    """A share token built by hand (deflate + base64url, padding stripped), as the app's links are."""
    return base64.urlsafe_b64encode(zlib.compress(payload, 9)).decode().rstrip("=")


# ── Declarations ────────────────────────────────────────────────────────────────────────────────────
def test_defaults_build_a_valid_scenario():
    s = Scenario()
    assert validate({}) == s
    assert validate(to_dict(s)) == s
    # The defaults, written out: a 50-camera store, 12 h a day, one site, auto-sized 2,000 USD devices.
    # (Comparing with each field's declared default would hold whatever the declarations said.)
    assert {k: v for k, v in to_dict(s).items() if k in FIELD_BY_NAME} == {
        "cameras": 50,
        "hours_per_day": 12,
        "days_per_month": 30,
        "bitrate_mbps": 4,
        "analysed_fps": 0.4,
        "image_kb": 150,
        "result_kb": 1,
        "workload_growth_percent_per_year": 0,
        "cloud_provider": "custom",
        "cloud_upload": "video",
        "uplink_per_gb": 0.01,
        "ingest_per_gb": 0.0085,
        "inference_pricing": "per_image",
        "inference_discount_percent": 0,
        "serverless_per_gb_second": 1.66667e-05,
        "serverless_memory_gb": 2,
        "serverless_ms_per_inference": 200,
        "serverless_per_million_requests": 0.2,
        "instance_inferences_per_s": 400,
        "instance_headroom_percent": 30,
        "instance_min_count": 2,
        "instance_per_hour": 0.526,
        "instance_billing": "always_on",
        "instance_warmup_hours_per_day": 0.5,
        "instance_commitment": "on_demand",
        "instance_upfront": "none",
        "instance_committed_per_hour": 0.331,
        "instance_partial_upfront_percent": 50,
        "instance_spot_per_hour": 0.21,
        "instance_spot_interruption_percent": 10,
        "instance_endpoint_surcharge_percent": 0,
        "storage_per_gb_month": 0.023,
        "retention_days": 30,
        "device_id": "custom",
        "device_price": 2000,
        "device_watts": 300,
        "device_throughput_ips": 100,
        "device_sizing": "auto",
        "devices_manual": 5,
        "sizing_headroom_percent": 30,
        "install_per_device": 150,
        "useful_life_months": 48,
        "salvage_percent": 10,
        "management_basis": "per_site",
        "management_per_month": 500,
        "sites": 1,
        "electricity_per_kwh": 0.13,
        "pue": 1.2,
        "idle_power_percent": 30,
        "failure_percent_per_year": 3,
        "feedback_percent": 1,
        "horizon_months": 36,
        "discount_percent_per_year": 8,
        "discount_timing": "end_of_month",
        "bandwidth_price_change_percent_per_year": 0,
        "cloud_fee_change_percent_per_year": 0,
        "electricity_price_change_percent_per_year": 0,
        "inflation_percent_per_year": 0,
        "terminal_value": "none",
        "tax_rate_percent": 0,
        "link_class": "custom",
        "link_per_month": 0,
        "link_allowance_gb": 0,
        "link_upgrade_install": 0,
        "link_upgrade_per_month": 0,
        "link_upgrade_allowance_gb": 0,
        "link_upgrade_per_gb": 0,
        "currency": "USD",
        "cloud_region": "custom",
        "site_location": "",
        "fx_rate": 1,
        "fx_rate_date": "",
        # carbon: the world grid, AWS us-east-1 and its PUE, a T4, the 8-GPU server share, a rack server (data/carbon.csv)
        "grid_kgco2e_per_kwh": 0.4808,
        "cloud_grid_kgco2e_per_kwh": 0.379069,
        "cloud_pue": 1.135,
        "cloud_accelerator_watts": 71,
        "cloud_accelerator_s_per_inference": 0.005,
        "cloud_accelerator_idle_percent": 15,
        "cloud_embodied_kgco2e_per_accelerator_hour": 0.00785,
        "network_kwh_per_gb": 0.001,
        "device_embodied_kgco2e": 1150,
        "carbon_price_per_tonne": 0,
        # the deployment lines: none billed until set (sourced typical figures in data/cost_lines.csv)
        "spares_percent": 0,
        "hardware_support_per_device_year": 0,
        "install_per_site": 0,
        "truck_roll_per_visit": 0,
        "licence_per_device_year": 0,
        "licence_per_gpu_year": 0,
        "gpus_per_device": 1,
        "cloud_support_plan": "none",
        "retraining_gpu_hours_per_month": 0,
        "retraining_per_gpu_hour": 0,
        "labelling_per_image": 0,
        "labelled_percent": 100,
        "load_balancer_per_hour": 0,
        "load_balancer_per_gb": 0,
        "nat_gateway_per_hour": 0,
        "nat_gateway_per_gb": 0,
        "logging_per_gb": 0,
        "log_kb_per_inference": 0.5,
        "storage_put_per_1000": 0,
        "storage_get_per_1000": 0,
        "storage_reads_per_object": 1,
        "video_segment_s": 10,
    }
    assert [(t.start, t.price) for t in s.inference_tiers] == list(DEFAULT_INFERENCE_TIERS)
    assert [(t.start, t.price) for t in s.egress_tiers] == list(DEFAULT_EGRESS_TIERS)


def test_field_names_are_unique_and_all_on_the_model():
    names = [f.name for f in FIELDS]
    assert len(names) == len(set(names))
    assert set(names) <= set(Scenario.model_fields)
    assert set(Scenario.model_fields) - set(names) == {"schema_version", "name", "description", *TIER_SCHEDULES}


@pytest.mark.parametrize("spec", FIELDS, ids=lambda f: f.name)
def test_every_field_declares_label_group_and_help(spec):
    assert spec.label.strip() and spec.help.strip()
    assert spec.group in GROUPS
    assert spec.header("EUR")


@pytest.mark.parametrize("spec", NUMBER_FIELDS, ids=lambda f: f.name)
def test_every_number_field_declares_unit_bounds_and_a_default_inside(spec):
    assert spec.unit.strip()
    assert math.isfinite(spec.min) and math.isfinite(spec.max) and spec.min < spec.max
    assert spec.min <= spec.default <= spec.max
    assert 0 < spec.step <= spec.max - spec.min
    if spec.integer:
        assert float(spec.min).is_integer() and float(spec.max).is_integer() and float(spec.default).is_integer()
    # The export header carries the unit in brackets, with the currency filled in.
    assert spec.header("EUR") == f"{spec.label} [{spec.unit.replace('{cur}', 'EUR')}]"
    assert "{cur}" not in spec.header("EUR")


def test_money_fields_say_their_currency():
    for name in (
        "device_price",
        "uplink_per_gb",
        "management_per_month",
        "electricity_per_kwh",
        "storage_per_gb_month",
        "install_per_device",
    ):
        assert "{cur}" in FIELD_BY_NAME[name].unit, name
        assert FIELD_BY_NAME[name].unit_for("CHF").startswith("CHF"), name


@pytest.mark.parametrize("spec", [f for f in FIELDS if isinstance(f, ChoiceField)], ids=lambda f: f.name)
def test_choice_fields_default_is_an_option(spec):
    assert spec.default in spec.options and len(spec.options) >= 2
    assert all(text.strip() for text in spec.options.values())


@pytest.mark.parametrize("spec", [f for f in FIELDS if isinstance(f, TextField)], ids=lambda f: f.name)
def test_text_fields_default_fits(spec):
    """Within its length and its pattern (an optional field such as site_location defaults to empty)."""
    assert len(spec.default) <= spec.max_length
    assert spec.pattern is None or re.fullmatch(spec.pattern, spec.default)


# Bounds that a figure depends on, written out: a share is 0–100 %, a day has 24 h, a month at most 31 days,
# PUE is at least 1, a device lives at least 6 months, there is at least one site.
BOUNDS = {
    "cameras": (0, 100_000),
    "hours_per_day": (0, 24),
    "days_per_month": (0, 31),
    "image_kb": (1, 20_000),
    "workload_growth_percent_per_year": (-50, 500),
    "inference_discount_percent": (0, 99),
    "device_throughput_ips": (0.1, 100_000),
    "useful_life_months": (6, 180),
    "salvage_percent": (0, 100),
    "sites": (1, 100_000),
    "pue": (1, 3),
    "idle_power_percent": (0, 100),
    "failure_percent_per_year": (0, 100),
    "feedback_percent": (0, 100),
    "horizon_months": (1, 240),
    "discount_percent_per_year": (0, 100),
}


@pytest.mark.parametrize("name", BOUNDS)
def test_bounds_are_inclusive_and_nothing_outside_is_accepted(name):
    low, high = BOUNDS[name]
    for value in (low, high):
        assert getattr(validate({name: value}), name) == value
    step = 1 if FIELD_BY_NAME[name].integer else 0.01
    for value in (low - step, high + step):
        with pytest.raises(ScenarioError, match=name):
            validate({name: value})


# ── JSON and share-link round trips ─────────────────────────────────────────────────────────────────
def test_json_round_trip_of_every_preset():
    for key, s in catalog.presets().items():
        text = to_json(s)
        assert parse_json(text) == s, key
        assert parse_json(text.encode("utf-8")) == s, key
        data = json.loads(text)
        assert data["schema_version"] == 1
        assert [k for k in data if k in FIELD_BY_NAME] == [f.name for f in FIELDS]  # schema order


def test_json_keeps_non_ascii_text():
    s = validate({"name": "Café — Zürich 店", "currency": "€"})
    text = to_json(s)
    assert "Café — Zürich 店" in text  # readable, not \u-escaped
    assert parse_json(text) == s


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_json_and_share_token_round_trip(s):
    assert parse_json(to_json(s)) == s
    token = to_share_token(s)
    assert re.fullmatch(r"[A-Za-z0-9_-]*", token)  # URL-safe, no padding
    assert from_share_token(token) == s


def test_share_token_of_the_defaults_is_short_and_carries_only_changes():
    assert len(to_share_token(Scenario())) < 60
    s = validate({"cameras": 7, "cloud_upload": "frames"})
    raw = zlib.decompress(base64.urlsafe_b64decode(to_share_token(s) + "=="))
    assert json.loads(raw) == {"schema_version": 1, "cameras": 7, "cloud_upload": "frames"}


def test_share_token_hand_made_round_trip():
    token = _token(b'{"schema_version":1,"cameras":3,"name":"shop"}')
    s = from_share_token(token)
    assert (s.cameras, s.name, s.hours_per_day) == (3, "shop", 12.0)


@pytest.mark.parametrize(
    "token, fragment",
    [
        ("", "no scenario"),
        ("!!!not-base64!!!", "damaged"),
        ("eNqrVipOzkjNTY", None),  # a truncated real token: no crash, just refused
        ("A" * (MAX_SHARE_LINK_CHARS + 1), "limit"),
        (_token(b"x" * (MAX_SCENARIO_BYTES + 10)), "size limit"),  # a small token that inflates too far
        (_token(b'{"cameras": -3}'), "cameras = -3"),
        (_token(b'{"schema_version": 99}'), "schema_version = 99"),
        (_token(b"\xff\xfe"), "UTF-8"),
        (_token(b"[1, 2]"), "JSON object"),
    ],
)
def test_bad_share_tokens_are_refused_with_a_message(token, fragment):
    with pytest.raises(ScenarioError) as err:
        from_share_token(token)
    assert "Traceback" not in str(err.value)
    if fragment:
        assert fragment in str(err.value)


def test_share_token_must_be_text():
    with pytest.raises(ScenarioError):
        from_share_token(None)  # type: ignore[arg-type]


# ── Bad values: the message names the field, the value and the allowed range ────────────────────────
@pytest.mark.parametrize(
    "field, value, shown, allowed",
    [
        ("cameras", -1, "-1", "allowed 0 to 100,000 cameras"),
        ("hours_per_day", 25, "25", "allowed 0 to 24 h/day"),
        ("hours_per_day", -0.5, "-0.5", "allowed 0 to 24 h/day"),
        ("pue", 0.5, "0.5", "allowed 1 to 3"),
        ("serverless_per_gb_second", 1, "1", "allowed 0 to 0.01"),
        ("useful_life_months", 3, "3", "allowed 6 to 180 months"),
        ("hours_per_day", float("nan"), "nan", "allowed 0 to 24 h/day"),
        ("electricity_per_kwh", float("inf"), "inf", "allowed 0 to 5 USD/kWh"),
        ("device_price", float("-inf"), "-inf", "allowed 0 to"),
        ("cameras", "50", "'50'", "allowed 0 to 100,000 cameras"),  # a string is not a number
        ("hours_per_day", "12", "'12'", "allowed 0 to 24 h/day"),
        ("cameras", 2.5, "2.5", "a whole number"),
        ("cameras", True, "True", "allowed 0 to 100,000"),  # a bool is not a count
        ("bitrate_mbps", None, "None", "allowed 0 to 200 Mbps"),
        ("bitrate_mbps", [4], "[4]", "allowed 0 to 200 Mbps"),
    ],
)
def test_bad_number_is_refused_naming_field_value_and_range(field, value, shown, allowed):
    with pytest.raises(ScenarioError) as err:
        validate({field: value})
    message = str(err.value)
    assert message.startswith(f"{field} = {shown} ")
    assert allowed in message
    assert "\n" not in message


def test_range_message_shows_the_unit_with_the_currency():
    # The range text reads the schema's unit, with the default currency label filled in.
    with pytest.raises(ScenarioError, match=r"device_price = -5 is not valid: allowed 0 to .* USD/device"):
        validate({"device_price": -5})


@pytest.mark.parametrize(
    "values, fragment",
    [
        ({"camras": 5}, "camras: unknown field"),
        ({"cloud_upload": "fax"}, "cloud_upload = 'fax' is not valid: choose one of video, frames"),
        ({"schema_version": 2}, "schema_version = 2 is not supported"),
        ({"schema_version": "1"}, "schema_version = '1' is not supported"),
        ({"inference_tiers": []}, "needs 1 to 10 tiers, got 0"),
        ({"inference_tiers": [{"start": 5, "price": 1}]}, "first tier must start at 0"),
        ({"inference_tiers": [{"start": 0, "price": 1}, {"start": 0, "price": 2}]}, "increase strictly"),
        (
            {"inference_tiers": [{"start": 0, "price": 1}, {"start": 10, "price": 2}, {"start": 5, "price": 1}]},
            "increase strictly",
        ),
        ({"egress_tiers": [{"start": i, "price": 1} for i in range(MAX_TIERS + 1)]}, "needs 1 to 10 tiers, got 11"),
        ({"inference_tiers": [{"start": 0, "price": -1}]}, "inference_tiers.0.price = -1"),
        ({"inference_tiers": [{"start": 0, "price": float("nan")}]}, "inference_tiers.0.price = nan"),
        ({"inference_tiers": [{"start": 0, "price": 1, "extra": 2}]}, "inference_tiers.0.extra: unknown field"),
        ({"inference_tiers": [[0, 1]]}, "inference_tiers.0 = [0, 1]"),
        ({"inference_tiers": "cheap"}, "inference_tiers = 'cheap'"),
        ({"name": "x" * 121}, "at most 120 characters"),
    ],
)
def test_other_bad_values_are_refused_with_a_readable_message(values, fragment):
    with pytest.raises(ScenarioError) as err:
        validate(values)
    assert fragment in str(err.value)


def test_many_problems_are_summarised_on_one_line():
    with pytest.raises(ScenarioError) as err:
        validate({f.name: -1e9 for f in NUMBER_FIELDS})
    message = str(err.value)
    assert "\n" not in message
    assert message.count(";") == 4 and re.search(r"\(and \d+ more\)$", message)


@pytest.mark.parametrize("data", [[1, 2], "scenario", 3, None])
def test_scenario_must_be_an_object(data):
    with pytest.raises(ScenarioError, match="must be a JSON object"):
        validate(data)  # type: ignore[arg-type]
    with pytest.raises(ScenarioError, match="must be a JSON object"):
        parse_json(json.dumps(data))


@pytest.mark.parametrize(
    "text, fragment",
    [
        ('{"cameras": NaN}', "NaN"),
        ('{"cameras": Infinity}', "Infinity"),
        ('{"cameras": -Infinity}', "Infinity"),
        ('{"cameras": 1e400}', "cameras = inf is not valid"),  # overflows to inf while parsing
        ('{"cameras": ', "not valid JSON"),
        ('{"cameras": 5,}', "not valid JSON"),
        ("", "not valid JSON"),
        ('{"cameras": "many"}', "cameras = 'many' is not valid"),
        ('{"camras": 5}', "camras: unknown field"),
        ('{"schema_version": 3}', "schema_version = 3 is not supported"),
    ],
)
def test_parse_json_refuses_bad_files_with_a_message(text, fragment):
    with pytest.raises(ScenarioError) as err:
        parse_json(text)
    assert fragment in str(err.value)


def test_parse_json_refuses_non_utf8_bytes():
    with pytest.raises(ScenarioError, match=r"not UTF-8 text \(byte 13\)"):
        parse_json(b'{"name": "Caf\xe9"}')  # Latin-1 é at byte 13 (0-based)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 50_000 + "]" * 50_000,  # exactly at the size limit
        '{"description": ' + "[" * 5_000 + "]" * 5_000 + "}",
        '{"a":' * 16_000 + "1" + "}" * 16_000,
    ],
)
def test_parse_json_refuses_deep_nesting(text):
    assert len(text) <= MAX_SCENARIO_BYTES
    with pytest.raises(ScenarioError, match="nested too deeply"):
        parse_json(text)


def test_parse_json_refuses_moderately_deep_values_without_crashing():
    # Deep enough to stress repr() in the message, shallow enough for the JSON parser.
    for depth in (500, 900, 990):
        with pytest.raises(ScenarioError):
            parse_json('{"description": ' + "[" * depth + "]" * depth + "}")


def test_parse_json_refuses_files_over_the_size_limit_unread():
    big = '{"description": "' + "x" * MAX_SCENARIO_BYTES + '"}'
    with pytest.raises(ScenarioError, match=r"bytes; the limit is 100,000"):
        parse_json(big)
    with pytest.raises(ScenarioError, match=r"the limit is 100,000"):
        parse_json(big.encode())


def test_json_whole_number_written_as_float_is_accepted():
    # JSON has one number type: 50.0 is the whole number the message asks for ("a whole number").
    # Other tools (spreadsheets, JavaScript, `json.dumps` of a float) write counts this way.
    assert parse_json('{"cameras": 50.0, "sites": 2.0}').cameras == 50


def test_replace_validates():
    s = replace(Scenario(), cameras=3)
    assert s.cameras == 3 and s.hours_per_day == Scenario().hours_per_day
    with pytest.raises(ScenarioError, match="cameras = -3"):
        replace(s, cameras=-3)


def test_scenario_is_immutable():
    s = Scenario()
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        s.cameras = 3  # type: ignore[misc]
    assert s.cameras == 50


# ── `--set FIELD=VALUE` ─────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    "text, expected",
    [
        ("cameras=12", ("cameras", 12)),
        ("cameras=12.0", ("cameras", 12)),
        (" cameras = 1_000 ", ("cameras", 1000)),
        ("hours_per_day=7.5", ("hours_per_day", 7.5)),
        ("hours_per_day=8", ("hours_per_day", 8.0)),
        ("device_price=1e3", ("device_price", 1000.0)),
        ("cloud_upload=frames", ("cloud_upload", "frames")),
        ("name=Shop = 1", ("name", "Shop = 1")),  # only the first '=' splits
        ("name==HYPERLINK(1)", ("name", "=HYPERLINK(1)")),
        ("description=", ("description", "")),
        ("currency=EUR", ("currency", "EUR")),
        (
            "inference_tiers=[[0, 1], [1000, 0.5]]",
            ("inference_tiers", [{"start": 0, "price": 1}, {"start": 1000, "price": 0.5}]),
        ),
    ],
)
def test_parse_assignment(text, expected):
    name, value = parse_assignment(text)
    assert (name, value) == expected
    assert type(value) is type(expected[1])


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("cameras", "expects FIELD=VALUE"),
        ("=5", "expects FIELD=VALUE"),
        ("camras=5", "unknown field 'camras'"),
        ("schema_version=2", "unknown field"),
        ("cameras=lots", "cameras = 'lots' is not a number"),
        ("hours_per_day=", "is not a number"),
        ("inference_tiers=cheap", "inference_tiers expects a JSON list of [start, price] pairs"),
        ("inference_tiers=5", "expects a JSON list"),
        ("inference_tiers=[[0, 1, 2]]", "expects a JSON list"),
        ("egress_tiers=[1, 2]", "expects a JSON list"),
    ],
)
def test_parse_assignment_refuses_bad_text(text, fragment):
    with pytest.raises(ScenarioError) as err:
        parse_assignment(text)
    assert fragment in str(err.value)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("cameras=nan", "cameras = nan is not valid"),
        ("cameras=inf", "cameras = inf is not valid"),
        ("hours_per_day=-1", "hours_per_day = -1.0 is not valid: allowed 0 to 24 h/day"),
        ("cameras=2.5", "a whole number"),
        ("cloud_upload=fax", "choose one of video, frames"),
        ("inference_tiers=[[5, 1]]", "first tier must start at 0"),
    ],
)
def test_parsed_assignment_is_then_validated(text, fragment):
    name, value = parse_assignment(text)
    with pytest.raises(ScenarioError) as err:
        replace(Scenario(), **{name: value})
    assert fragment in str(err.value)
