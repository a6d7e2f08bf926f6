"""Marginal tiers with whole-number inputs: the cost is still money, to the cent."""

import numpy as np
import pytest

from planner.model.pricing import tiered_cost

pytestmark = pytest.mark.oracle


def test_whole_quantities_under_one_schedule_per_row_cost_fractions():
    # Row 0: 3 units at 0.5 = 1.5. Row 1: 3 units, the first 2 at 0.25 and 1 at 0.75 = 1.25.
    quantity = np.array([3, 3])  # integers, as counts often are
    starts = np.array([[0.0, 10.0], [0.0, 2.0]])
    prices = np.array([[0.5, 0.5], [0.25, 0.75]])
    cost = tiered_cost(quantity, starts, prices)
    assert cost.dtype == np.float64 and cost.tolist() == [1.5, 1.25]
