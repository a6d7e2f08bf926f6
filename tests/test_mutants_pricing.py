"""Tier schedules' kernels by hand (fast tier, read by `make mutation`): a schedule per row evaluated on its
own rows, the distinct rows in lexicographic order with integer indices, and the exact padding of a short
schedule."""

import numpy as np
import pytest

from planner.model.pricing import distinct_rows, pad_schedules, tiered_cost

pytestmark = pytest.mark.unit


def test_one_single_tier_schedule_per_row_bills_each_row_at_its_own_price():
    # k = 1 tier per row, three rows: q × price of its own row
    got = tiered_cost(np.array([4.0, 4.0, 2.0]), np.array([[0.0], [0.0], [0.0]]), np.array([[1.0], [2.5], [3.0]]))
    assert got.tolist() == [4.0, 10.0, 6.0]


def test_two_distinct_schedules_each_reach_only_their_rows():
    # row 0: 10 × 1 + 5 × 0.5 = 12.5; row 1: 15 × 3 = 45 (its own, not row 0's, schedule)
    starts = np.array([[0.0, 10.0], [0.0, 10.0]])
    prices = np.array([[1.0, 0.5], [3.0, 3.0]])
    assert tiered_cost(np.array([15.0, 15.0]), starts, prices).tolist() == [12.5, 45.0]


def test_integer_quantities_give_fractional_costs_with_a_schedule_per_row():
    # 3 × 1.5 = 4.5 and 5 × 0.25 = 1.25: not truncated to integers because the quantities are
    starts = np.array([[0.0], [0.0]])
    got = tiered_cost(np.array([3, 5]), starts, np.array([[1.5], [0.25]]))
    assert got.tolist() == [4.5, 1.25] and got.dtype == np.float64


def test_distinct_rows_come_in_lexicographic_order_with_each_rows_index():
    values = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 1.0], [1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 1.0, 1.0]])
    unique, which = distinct_rows(values)
    # sorted by the first column, then the second, then the third (as np.unique(axis=0) sorts)
    assert unique.tolist() == [[0.0, 1.0, 1.0], [0.0, 2.0, 0.0], [0.0, 2.0, 1.0], [1.0, 0.0, 0.0]]
    assert which.tolist() == [3, 2, 3, 1, 0] and which.dtype.kind == "i"


def test_distinct_rows_groups_repeats_that_are_not_next_to_each_other():
    values = np.array([[5.0, 5.0], [1.0, 1.0], [5.0, 5.0], [1.0, 1.0], [3.0, 1.0]])
    unique, which = distinct_rows(values)
    assert unique.tolist() == [[1.0, 1.0], [3.0, 1.0], [5.0, 5.0]]
    assert which.tolist() == [2, 0, 2, 0, 1]


def test_distinct_rows_of_no_rows_is_empty_with_integer_indices():
    unique, which = distinct_rows(np.empty((0, 3)))
    assert unique.shape == (0, 3) and which.shape == (0,) and which.dtype.kind == "i"


def test_a_short_schedule_is_padded_at_halving_fractions_of_the_far_knot_with_its_last_price():
    # 3 tiers against 1: two pads, at 1e300 / 2² and 1e300 / 2¹, both at the last real price 0.5
    starts, prices = pad_schedules([[(0.0, 2.0), (10.0, 0.5)], [(0.0, 1.0), (5.0, 0.8), (50.0, 0.6), (80.0, 0.4)]])
    assert starts[0].tolist() == [0.0, 10.0, 1e300 / 4, 1e300 / 2]
    assert prices[0].tolist() == [2.0, 0.5, 0.5, 0.5]
    assert starts[1].tolist() == [0.0, 5.0, 50.0, 80.0] and prices[1].tolist() == [1.0, 0.8, 0.6, 0.4]
