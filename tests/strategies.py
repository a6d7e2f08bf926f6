"""Reusable Hypothesis strategies for the planner's tests.

Every strategy is derived from the schema (`planner.schema.scenario.FIELDS` and the tier limits), so a field
added to the schema is fuzzed without touching this file.

* `scenario_values(...)` draws a dict of valid inputs; `scenarios(...)` the validated `Scenario`.
  ``full=True`` (the default) draws each number anywhere in its declared [min, max] (bounds and odd
  floats included: that is the "never crashes" domain); ``full=False`` keeps every number inside a
  planning-sized range (see `_MODERATE`) so differences between two evaluations are meaningful.
* `tier_schedules(...)` draws a valid marginal price schedule as a list of {"start", "price"}.
* `examples(n)`: a property's example count, n under the full profile (`make test`, CI), a tenth under
  `HYPOTHESIS_PROFILE=quick` (`make check`).
"""

from __future__ import annotations

import math
import os

from hypothesis import settings
from hypothesis import strategies as st

from planner.schema.scenario import (
    BIDI_CONTROLS,
    FIELDS,
    MAX_TIERS,
    UNSAFE_TEXT_CATEGORIES,
    ChoiceField,
    NumberField,
    TextField,
    validate,
)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "full")
settings.register_profile("full", deadline=None)
settings.register_profile("quick", deadline=None, max_examples=10)
settings.load_profile(PROFILE)


def examples(full: int) -> int:
    """The example count of a property: `full` under the full profile, a tenth (at least 5) under the quick one."""
    return full if PROFILE != "quick" else max(5, full // 10)


# Planning-sized ranges used with full=False (always inside the schema's bounds; checked below).
_MODERATE = {
    "cameras": (0, 500),
    "image_kb": (1, 2_000),
    "device_price": (0, 50_000),
    "device_throughput_ips": (0.5, 5_000),
    "devices_manual": (0, 200),
    "install_per_device": (0, 5_000),
    "management_per_month": (0, 5_000),
    "sites": (1, 50),
    "horizon_months": (1, 72),
    "serverless_ms_per_inference": (1, 5_000),
    "retention_days": (0, 400),
    "workload_growth_percent_per_year": (-50, 100),
    "result_kb": (0, 100),
    "uplink_per_gb": (0, 20),
    "device_watts": (0, 2_000),
    "useful_life_months": (6, 72),
}
for _name, (_lo, _hi) in _MODERATE.items():
    _spec = next(f for f in FIELDS if f.name == _name)
    assert _spec.min <= _lo < _hi <= _spec.max, _name

# Limits of a tier (PriceTier in planner.schema.scenario): start ≤ 1e15, price ≤ 1e6.
TIER_START_MAX = 1e15
TIER_PRICE_MAX = 1e6


def number(spec: NumberField, full: bool = True) -> st.SearchStrategy:
    """A valid value of one numeric field: int for integer fields, finite float otherwise."""
    lo, hi = (spec.min, spec.max) if full else _MODERATE.get(spec.name, (spec.min, spec.max))
    if spec.integer:
        return st.integers(int(math.ceil(lo)), int(math.floor(hi)))
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


PLAIN_CHARACTERS = st.characters(exclude_categories=UNSAFE_TEXT_CATEGORIES, exclude_characters=BIDI_CONTROLS)


def field_value(spec, full: bool = True) -> st.SearchStrategy:
    if isinstance(spec, NumberField):
        return number(spec, full)
    if isinstance(spec, ChoiceField):
        return st.sampled_from(sorted(spec.options))
    assert isinstance(spec, TextField)
    if spec.name == "site_location":  # the pattern's numbers, on the globe (within ±90°, ±180°)
        fraction = st.from_regex(r"(\.[0-9]{1,6})?", fullmatch=True)

        def degrees(limit):
            return st.tuples(st.integers(-limit + 1, limit - 1).map(str), fraction).map("".join)

        return st.one_of(st.just(""), st.tuples(degrees(90), st.sampled_from([",", ", "]), degrees(180)).map("".join))
    if spec.pattern:
        return st.from_regex(spec.pattern, fullmatch=True).filter(lambda t: len(t) <= spec.max_length)
    return st.text(PLAIN_CHARACTERS, max_size=spec.max_length)


@st.composite
def tier_schedules(draw, max_tiers: int = MAX_TIERS, full: bool = True, max_price: float | None = None):
    """A valid schedule: 1..max_tiers tiers, the first at 0, starts strictly increasing."""
    k = draw(st.integers(1, max_tiers))
    start_hi = TIER_START_MAX if full else 1e9
    price_hi = max_price if max_price is not None else (TIER_PRICE_MAX if full else 10.0)
    starts = sorted(draw(st.sets(st.floats(1, start_hi, allow_nan=False), min_size=k - 1, max_size=k - 1)))
    prices = draw(st.lists(st.floats(0, price_hi, allow_nan=False), min_size=k, max_size=k))
    return [{"start": s, "price": p} for s, p in zip([0.0] + starts, prices)]


@st.composite
def scenario_values(draw, full: bool = True, tiers: bool = True, **fixed):
    """A dict of valid inputs; `fixed` pins some fields (their values are not drawn)."""
    values = {spec.name: draw(field_value(spec, full)) for spec in FIELDS if spec.name not in fixed}
    if tiers:
        if "inference_tiers" not in fixed:
            values["inference_tiers"] = draw(tier_schedules(full=full))
        if "egress_tiers" not in fixed:
            values["egress_tiers"] = draw(tier_schedules(full=full, max_price=None if full else 1.0))
    values.update(fixed)
    return values


def scenarios(full: bool = True, tiers: bool = True, **fixed) -> st.SearchStrategy:
    """Validated `Scenario` objects (drawn values are valid by construction, so `validate` never fails)."""
    return scenario_values(full=full, tiers=tiers, **fixed).map(validate)


def number_fields(predicate=lambda spec: True) -> st.SearchStrategy:
    return st.sampled_from([f for f in FIELDS if isinstance(f, NumberField) and predicate(f)])


__all__ = ["number", "field_value", "tier_schedules", "scenario_values", "scenarios", "number_fields"]
