"""Tiered (marginal) price schedules: `planner.model.pricing.tiered_cost` and `pad_schedules`.

Oracle: a marginal schedule bills every unit between a tier's start and the next tier's start at that
tier's price, so cost(q) = Σᵢ priceᵢ × clip(q − startᵢ, 0, startᵢ₊₁ − startᵢ). The hand values below
are that sum written out; `naive_cost` is the same sum as a plain Python loop.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples, tier_schedules

from planner.model import pricing
from planner.model.pricing import pad_schedules, tiered_cost
from planner.schema.scenario import DEFAULT_EGRESS_TIERS, DEFAULT_INFERENCE_TIERS

pytestmark = pytest.mark.unit


def naive_cost(q: float, tiers) -> float:
    """Σ price × units billed in each tier (independent of np.interp)."""
    total = 0.0
    for i, (start, price) in enumerate(tiers):
        end = tiers[i + 1][0] if i + 1 < len(tiers) else float("inf")
        total += price * min(max(q - start, 0.0), end - start)
    return total


SMALL = ([0.0, 100.0, 1000.0], [0.0, 2.0, 1.0])  # free to 100, then 2/unit to 1000, then 1/unit


@pytest.mark.parametrize(
    "q, expected",
    [
        (0, 0.0),
        (50, 0.0),  # inside the free tier
        (100, 0.0),  # boundary: the free tier's last unit
        (150, 100.0),  # 50 × 2
        (1000, 1800.0),  # boundary: 900 × 2
        (1000.5, 1800.5),  # 1800 + 0.5 × 1
        (5000, 5800.0),  # 1800 + 4000 × 1
        (-10, 0.0),  # negative quantities cost nothing
    ],
)
def test_small_schedule_by_hand(q, expected):
    got = tiered_cost(np.array([q], dtype=float), *map(np.array, SMALL))
    assert got[0] == pytest.approx(expected, rel=1e-12, abs=1e-12)


# Default per-image tiers, per 1,000 images → per image: 0.001 to 1M, 0.0008 to 5M, 0.0006 to 35M, 0.00025 above (Rekognition).
@pytest.mark.parametrize(
    "images, expected",
    [
        (0, 0.0),
        (500_000, 500.0),  # 500k × 0.001
        (1_000_000, 1_000.0),  # boundary: 1M × 0.001
        (1_000_001, 1_000.0008),  # + 1 × 0.0008
        (5_000_000, 4_200.0),  # 1,000 + 4M × 0.0008
        (25_920_000, 16_752.0),  # 4,200 + 20.92M × 0.0006 (the retail store's month)
        (35_000_000, 22_200.0),  # 4,200 + 30M × 0.0006
        (40_000_000, 23_450.0),  # 22,200 + 5M × 0.00025
    ],
)
def test_default_inference_tiers_by_hand(images, expected):
    starts = np.array([s for s, _ in DEFAULT_INFERENCE_TIERS])
    prices = np.array([p for _, p in DEFAULT_INFERENCE_TIERS]) / 1000
    assert tiered_cost(np.array([images], float), starts, prices)[0] == pytest.approx(expected, rel=1e-12)


# AWS transfer out: 100 GB free, 0.09 to 10 TB, 0.085 to 50 TB, 0.07 to 150 TB, 0.05 above (1 TB = 1,024 GB).
@pytest.mark.parametrize(
    "gb, expected",
    [
        (100, 0.0),
        (10_240, 912.6),  # (10,240 − 100) × 0.09
        (51_200, 4_394.2),  # 912.6 + 40,960 × 0.085
        (153_600, 11_562.2),  # 4,394.2 + 102,400 × 0.07
        (200_000, 13_882.2),  # 11,562.2 + 46,400 × 0.05
    ],
)
def test_default_egress_tiers_by_hand(gb, expected):
    starts, prices = (np.array(c) for c in zip(*DEFAULT_EGRESS_TIERS))
    assert tiered_cost(np.array([gb], float), starts, prices)[0] == pytest.approx(expected, rel=1e-12)


def test_knots_are_exact():
    # At each tier start the cost is exactly the sum of the lower tiers (no interpolation error).
    starts = np.array([0.0, 1e6, 5e6, 35e6])
    prices = np.array([1.0, 0.8, 0.6, 0.4]) / 1000
    got = tiered_cost(starts, starts, prices)
    assert got.tolist() == [0.0, 1000.0, 4200.0, 22200.0]


def test_zero_and_huge_quantities():
    starts = np.array([0.0, 1e6, 5e6, 35e6])
    prices = np.array([1.0, 0.8, 0.6, 0.4]) / 1000
    q = np.array([0.0, 1e15, 1e20])
    # 22,200 + (q − 35M) × 0.0004
    expected = [0.0, 22_200 + (1e15 - 35e6) * 0.0004, 22_200 + (1e20 - 35e6) * 0.0004]
    got = tiered_cost(q, starts, prices)
    assert got == pytest.approx(expected, rel=1e-12)
    assert np.all(np.isfinite(got))


def test_single_tier_is_linear_and_a_free_schedule_costs_nothing():
    q = np.array([0.0, 1.0, 3.5, 1e12])
    assert tiered_cost(q, np.array([0.0]), np.array([2.0])).tolist() == [0.0, 2.0, 7.0, 2e12]
    assert tiered_cost(q, np.array([0.0, 10.0]), np.array([0.0, 0.0])).tolist() == [0.0] * 4


def test_shape_follows_quantity():
    q = np.arange(12, dtype=float).reshape(3, 4) * 100  # (n scenarios, M months)
    got = tiered_cost(q, *map(np.array, SMALL))
    assert got.shape == (3, 4) and got.dtype == np.float64
    assert got.ravel().tolist() == pytest.approx([naive_cost(x, list(zip(*SMALL))) for x in q.ravel()])


def test_per_row_schedules_equal_per_schedule_evaluation():
    schedules = [
        [(0.0, 0.0), (100.0, 2.0), (1000.0, 1.0)],
        [(0.0, 5.0)],
        [(0.0, 1.0), (10.0, 0.5)],
        [(0.0, 0.0), (100.0, 2.0), (1000.0, 1.0)],  # repeats row 0: shares its evaluation
    ]
    q = np.array([[0, 50, 150, 5000], [0, 1, 2, 3], [5, 10, 20, 30], [1000, 1000.5, 100, 7]], dtype=float)
    starts, prices = pad_schedules(schedules)
    got = tiered_cost(q, starts, prices)
    # Hand values, row by row (see SMALL above for rows 0 and 3).
    expected = [
        [0, 0, 100, 5800],
        [0, 5, 10, 15],  # 5 per unit
        [5, 10, 15, 20],  # 10 × 1 + (q − 10) × 0.5
        [1800, 1800.5, 0, 0],
    ]
    assert got == pytest.approx(np.array(expected, float))
    for i, tiers in enumerate(schedules):
        alone = tiered_cost(q[i], np.array([t[0] for t in tiers]), np.array([t[1] for t in tiers]))
        assert got[i].tolist() == pytest.approx(alone.tolist(), rel=1e-12)


def test_pad_schedules_leaves_cost_unchanged():
    short = [(0.0, 3.0)]
    long = [(0.0, 1.0), (10.0, 0.5), (20.0, 0.25), (1e12, 0.125)]
    starts, prices = pad_schedules([short, long])
    assert starts.shape == prices.shape == (2, 4)
    # Padded starts keep increasing and lie far beyond any reachable quantity.
    assert np.all(np.diff(starts[0]) > 0) and starts[0, 1] > 1e200
    assert prices[0].tolist() == [3.0] * 4
    q = np.array([[0.0, 5.0, 1e12, 1e15], [0.0, 15.0, 1e12, 1e15]])
    got = tiered_cost(q, starts, prices)
    assert got[0].tolist() == pytest.approx([0.0, 15.0, 3e12, 3e15], rel=1e-12)
    # long: 10 × 1 + 10 × 0.5 + (q − 20) × 0.25 up to 1e12, then 0.125
    at_1e12 = 10 + 5 + (1e12 - 20) * 0.25
    assert got[1].tolist() == pytest.approx([0.0, 12.5, at_1e12, at_1e12 + (1e15 - 1e12) * 0.125], rel=1e-12)


def test_pad_schedules_of_equal_lengths_is_a_plain_stack():
    starts, prices = pad_schedules([[(0, 1), (5, 2)], [(0, 3), (7, 4)]])
    assert starts.tolist() == [[0, 5], [0, 7]] and prices.tolist() == [[1, 2], [3, 4]]


@settings(max_examples=examples(80), deadline=None)
@given(tiers=tier_schedules(), q=st.lists(st.floats(0, 1e16, allow_nan=False), min_size=1, max_size=6))
def test_tiered_cost_matches_the_marginal_sum(tiers, q):
    pairs = [(t["start"], t["price"]) for t in tiers]
    got = tiered_cost(np.array(q), np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs]))
    expected = [naive_cost(x, pairs) for x in q]
    assert got.tolist() == pytest.approx(expected, rel=1e-9, abs=1e-9)
    # Prices are ≥ 0, so cost never falls as the quantity grows.
    order = np.argsort(q)
    assert np.all(np.diff(got[order]) >= -1e-9 * np.maximum(1.0, got[order][1:]))


def test_docstring_examples():
    assert doctest.testmod(pricing, raise_on_error=False).failed == 0
