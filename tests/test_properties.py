"""Properties that hold for every valid scenario (Hypothesis, scenarios drawn from the schema's bounds).

* monotonicity: more cameras, or a higher cloud fee of any kind, never lowers a month's cloud cost;
* batch evaluation: a batch of scenarios gives each row exactly what evaluating it alone gives
  (different horizons, tier schedules, choices, rates and lives in one batch);
* break-even agrees with the cumulative cost curves it summarises;
* no NaN or inf anywhere, except break-even NaN ("never") and ROI NaN ("no capex");
* the input codecs never crash: any text is a Scenario or a ScenarioError.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from strategies import examples, scenario_values, scenarios, tier_schedules

from planner.exports.report import analyse_one, summary
from planner.model import costs as cost_model
from planner.model.costs import COMPONENTS, TERMINAL_KEYS
from planner.model.finance import MIN_CAPEX, analyse
from planner.schema.scenario import (
    FIELD_BY_NAME,
    NumberField,
    ScenarioError,
    from_share_token,
    parse_assignment,
    parse_json,
    replace,
    to_dict,
    validate,
)

pytestmark = pytest.mark.oracle

SETTINGS = settings(max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow])
QUANTITIES = ("images", "upload_gb", "result_gb", "feedback_gb", "devices", "devices_bought")


def evaluate(scenarios_, months=None):
    b = cost_model.batch(list(scenarios_))
    c = cost_model.evaluate(b, months)
    d = b["discount_percent_per_year"]
    return c, analyse(c, "cash", d), analyse(c, "accounting", d)


def cloud_by_month(s) -> np.ndarray:
    """Cloud cost to the end of each month (cumulative): a commitment's upfront lumps fall in months that
    depend on when each instance was added, so month by month a bigger workload may pay a renewal later."""
    c, cash, _ = evaluate([s])
    return cash.cloud_cumulative[0]


def assert_not_lower(after: np.ndarray, before: np.ndarray):
    # Allow for float rounding only: a relative 1e-9 of the larger figure.
    slack = 1e-9 * np.maximum(np.abs(before), np.abs(after))
    assert np.all(after >= before - slack), np.max(before - after)


# ── Monotonicity ────────────────────────────────────────────────────────────────────────────────────
@SETTINGS
@given(s=scenarios(), extra=st.integers(1, 100_000))
def test_more_cameras_never_lowers_cloud_cost(s, extra):
    more = replace(s, cameras=min(s.cameras + extra, 100_000))
    assert_not_lower(cloud_by_month(more), cloud_by_month(s))


CLOUD_PRICE_FIELDS = [
    "uplink_per_gb",
    "ingest_per_gb",
    "serverless_per_gb_second",
    "serverless_memory_gb",
    "serverless_ms_per_inference",
    "serverless_per_million_requests",
    "storage_per_gb_month",
    "retention_days",
    "bandwidth_price_change_percent_per_year",
    "cloud_fee_change_percent_per_year",
]


@SETTINGS
@given(s=scenarios(), name=st.sampled_from(CLOUD_PRICE_FIELDS), data=st.data())
def test_a_higher_cloud_fee_never_lowers_cloud_cost(s, name, data):
    spec = FIELD_BY_NAME[name]
    old = getattr(s, name)
    new = data.draw(st.floats(old, spec.max, allow_nan=False), label=name)
    assert_not_lower(cloud_by_month(replace(s, **{name: new})), cloud_by_month(s))


@SETTINGS
@given(s=scenarios(full=False), key=st.sampled_from(["inference_tiers", "egress_tiers"]), data=st.data())
def test_a_higher_tier_price_never_lowers_cloud_cost(s, key, data):
    tiers = [{"start": t.start, "price": t.price} for t in getattr(s, key)]
    i = data.draw(st.integers(0, len(tiers) - 1), label="tier")
    tiers[i]["price"] = data.draw(st.floats(tiers[i]["price"], 1e6, allow_nan=False), label="price")
    assert_not_lower(cloud_by_month(replace(s, **{key: tiers})), cloud_by_month(s))


@SETTINGS
@given(s=scenarios(full=False), data=st.data())
def test_a_bigger_discount_never_raises_cloud_cost(s, data):
    more = data.draw(st.floats(s.inference_discount_percent, 99, allow_nan=False), label="discount")
    assert_not_lower(cloud_by_month(s), cloud_by_month(replace(s, inference_discount_percent=more)))


# ── Batch = one at a time ───────────────────────────────────────────────────────────────────────────
@st.composite
def mixed_batches(draw):
    """2–4 scenarios that differ in everything, sharing a tier schedule now and then."""
    pool = [draw(tier_schedules(full=False)) for _ in range(2)]
    n = draw(st.integers(2, 4))
    out = []
    for _ in range(n):
        values = draw(scenario_values(full=False, tiers=False))
        values["inference_tiers"] = draw(st.sampled_from(pool))
        values["egress_tiers"] = draw(st.sampled_from(pool + [draw(tier_schedules(full=False, max_price=1.0))]))
        out.append(validate(values))
    return out


def _close(a, b, what):
    scale = max(1.0, float(np.max(np.abs(b))) if np.size(b) else 1.0)
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9 * scale, err_msg=what)


# Found by this test: a positive growth rate so small that its monthly factor is exactly 1.
_TINY_GROWTH = [
    validate(
        {
            "device_sizing": "auto",
            "workload_growth_percent_per_year": g,
            "useful_life_months": life,
            "horizon_months": 13,
        }
    )
    for g, life in ((1e-322, 6), (0.0, 12))
]


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixed_batches())
@example(_TINY_GROWTH)
def test_batch_equals_each_row_alone(batch):
    c, cash, accounting = evaluate(batch)
    assert c.months == max(s.horizon_months for s in batch)
    for i, s in enumerate(batch):
        h = s.horizon_months
        c1, cash1, acc1 = evaluate([s])
        assert c1.months == h
        for key in [*(x.key for x in COMPONENTS), *QUANTITIES]:
            _close(c.values(key)[i, :h], c1.values(key)[0], f"row {i} {key}")
        for f, f1 in ((cash, cash1), (accounting, acc1)):
            scale = 1.0 + f1.cloud_total[0] + f1.edge_total[0]
            for name in ("cloud_total", "edge_total", "capex_total"):
                assert getattr(f, name)[i] == pytest.approx(getattr(f1, name)[0], rel=1e-9, abs=1e-9), name
            assert f.npv_savings[i] == pytest.approx(f1.npv_savings[0], rel=1e-9, abs=1e-9 * scale)
            a, b = f.break_even_month[i], f1.break_even_month[0]
            assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, abs=1e-6), (f.view, a, b)
            _close(f.cloud_monthly[i, :h], f1.cloud_monthly[0], "cloud monthly")
            _close(f.edge_monthly[i, :h], f1.edge_monthly[0], "edge monthly")
            # past its own horizon a row of the batch costs nothing
            assert not np.any(f.cloud_monthly[i, h:]) and not np.any(f.edge_monthly[i, h:])


def test_batch_of_presets_equals_each_alone():
    from planner.catalogs import catalog

    presets = list(catalog.presets().values())
    c, cash, _ = evaluate(presets)
    for i, s in enumerate(presets):
        c1, cash1, _ = evaluate([s])
        assert cash.break_even_month[i] == pytest.approx(cash1.break_even_month[0], nan_ok=True)
        assert cash.npv_savings[i] == pytest.approx(cash1.npv_savings[0], rel=1e-9)
        assert cash.edge_total[i] == pytest.approx(cash1.edge_total[0], rel=1e-9)


# ── Break-even vs the cumulative curves ─────────────────────────────────────────────────────────────
@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(s=scenarios(), view=st.sampled_from(["cash", "accounting"]))
def test_break_even_agrees_with_cumulative_curves(s, view):
    c = cost_model.evaluate(cost_model.batch([s]))
    f, cash = analyse(c, view, s.discount_percent_per_year), analyse(c, "cash", s.discount_percent_per_year)
    h = s.horizon_months
    # the break-even is on cash flows in either view: the cash curves' crossing
    assert (
        f.break_even_month[0] == cash.break_even_month[0]
        or np.isnan([f.break_even_month[0], cash.break_even_month[0]]).all()
    )
    f = cash
    s_end = f.cloud_cumulative[0] - f.edge_cumulative[0]  # savings at the end of each month
    capex = f.edge_capex[0] - f.cloud_upfront[0]  # a cloud commitment's upfront: negative capex
    s_start = np.concatenate(([0.0], s_end[:-1])) - capex  # just after the month's lumps
    tol = 1e-9 * (1.0 + f.cloud_cumulative[0, -1] + f.edge_cumulative[0, -1])
    be = f.break_even_month[0]
    if math.isnan(be):  # "never": savings stay below 0
        assert np.all(s_end[:h] < tol)
        return
    assert 0 <= be <= h
    k = int(be)
    if be == k and k < h and s_start[k] > -tol:  # a cloud upfront at the start of month k outweighs its capex
        assert np.all(s_end[:k] < tol), "savings reached 0 before the break-even month"
        return
    m = max(math.ceil(be) - 1, 0)  # the month it happens in: be ∈ (m, m + 1], or 0 at go-live
    assert np.all(s_end[:m] < tol), "savings reached 0 before the break-even month"
    assert s_end[m] >= -tol
    # inside month m the savings grow linearly from s_start[m] to s_end[m]; at `be` they are 0
    at_be = s_start[m] + (s_end[m] - s_start[m]) * (be - m)
    assert at_be == pytest.approx(0.0, abs=tol * 10 + 1e-9 * abs(s_start[m]))
    if be > m:  # just before it, below zero
        assert s_start[m] + (s_end[m] - s_start[m]) * max(be - m - 1e-6, 0) < tol


# ── Nothing is NaN or infinite ──────────────────────────────────────────────────────────────────────
def _check_finite(s):
    c, cash, accounting = evaluate([s])
    for key in [*(x.key for x in COMPONENTS), *QUANTITIES]:
        values = c.values(key)
        assert np.all(np.isfinite(values)), key
        assert np.all(values >= 0) or key in TERMINAL_KEYS, key  # the value kept at the horizon counts back
    for f in (cash, accounting):
        for name in ("cloud_total", "edge_total", "capex_total", "npv_savings", "savings_total"):
            assert np.all(np.isfinite(getattr(f, name))), (f.view, name)
        for series in (f.cloud_monthly, f.edge_monthly, f.cloud_cumulative, f.edge_cumulative):
            assert np.all(np.isfinite(series))
        be = f.break_even_month[0]
        assert math.isnan(be) or 0 <= be <= s.horizon_months
        roi = f.roi_percent[0]
        if f.capex_total[0] >= MIN_CAPEX:  # ROI is defined from a cent of capex up
            assert math.isfinite(roi), (f.view, roi, f.capex_total[0])
        else:
            assert math.isnan(roi)
    out = summary(analyse_one(s))
    for key, value in out.items():
        if isinstance(value, float):
            assert math.isfinite(value), key
        elif value is None:
            assert key in (
                "break_even_month",
                "payback_months",
                "discounted_payback_months",
                "roi_percent",
                "irr_percent",
                "irr_note",
                "irr_percent_after_tax",
                "irr_note_after_tax",
                "carbon_break_even_month",
                "fx_rate_date",
            ), key


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(full=True))
def test_no_nan_or_inf_anywhere(s):
    _check_finite(s)


@pytest.mark.parametrize("extreme", ["min", "max"])
def test_no_nan_or_inf_at_the_bounds(extreme):
    # Every number at its lower (or upper) bound at once; the horizon kept at its own bound too.
    values = {name: getattr(spec, extreme) for name, spec in FIELD_BY_NAME.items() if isinstance(spec, NumberField)}
    values = {k: int(v) if FIELD_BY_NAME[k].integer else v for k, v in values.items()}
    for choices in (
        {
            "cloud_upload": "video",
            "inference_pricing": "per_image",
            "device_sizing": "auto",
            "management_basis": "per_device",
        },
        {
            "cloud_upload": "frames",
            "inference_pricing": "serverless",
            "device_sizing": "manual",
            "management_basis": "per_site",
        },
    ):
        _check_finite(validate({**values, **choices}))


# ── Codecs never crash ──────────────────────────────────────────────────────────────────────────────
@SETTINGS
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_parse_json_never_crashes(text):
    try:
        parse_json(text)
    except ScenarioError as err:
        assert str(err) and "\n" not in str(err)


@SETTINGS
@given(
    st.dictionaries(
        st.sampled_from(list(FIELD_BY_NAME) + ["name", "inference_tiers", "x"]),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.floats(),
            st.text(max_size=5),
            st.lists(st.integers(), max_size=3),
        ),
        max_size=6,
    )
)
def test_validate_never_crashes(values):
    try:
        s = validate(values)
    except ScenarioError as err:
        assert str(err) and "\n" not in str(err)
    else:
        assert validate(to_dict(s)) == s


@SETTINGS
@given(st.text(max_size=200))
def test_share_token_and_assignment_never_crash(text):
    for fn in (from_share_token, parse_assignment):
        try:
            fn(text)
        except ScenarioError as err:
            assert str(err)
