"""Tiered (marginal) price schedules, evaluated vectorized.

A schedule is a list of tiers `(start, price)`: every unit between a tier's start and the next tier's
start is billed at that tier's price (like AWS transfer-out or Rekognition's per-image tiers). The cost
of a monthly quantity q is therefore a piecewise-linear, continuous function of q whose knots are the
tier starts — which `np.interp` evaluates in one pass, exactly at the knots.
"""

from __future__ import annotations

import numpy as np

_FAR = 1e300  # a knot beyond any reachable quantity: the last tier's price extends to it


def schedule_knots(starts: np.ndarray, prices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Knots (x, cumulative cost at x) of one schedule, with the last tier extended to `_FAR`.

    >>> schedule_knots(np.array([0., 10.]), np.array([2., 1.]))[1][:2]
    array([ 0., 20.])
    """
    starts = np.asarray(starts, dtype=float)
    prices = np.asarray(prices, dtype=float)
    x = np.append(starts, _FAR)
    y = np.concatenate(([0.0], np.cumsum(np.diff(x) * prices)))
    return x, y


def tiered_cost(quantity: np.ndarray, starts: np.ndarray, prices: np.ndarray) -> np.ndarray:
    """Cost of `quantity` under marginal tiers.

    Parameters
    ----------
    quantity : array (n, ...) of units per month (images, GB). Negative quantities cost 0.
    starts, prices : arrays (k,) for one schedule shared by all rows, or (n, k) for one per row.
        Prices are per unit of `quantity`.

    Returns an array shaped like `quantity` (float64).

    >>> tiered_cost(np.array([5., 10., 15.]), np.array([0., 10.]), np.array([2., 1.]))
    array([10., 20., 25.])
    """
    quantity = np.asarray(quantity, dtype=float)
    starts = np.atleast_2d(np.asarray(starts, dtype=float))
    prices = np.atleast_2d(np.asarray(prices, dtype=float))
    if starts.shape[0] == 1:
        return np.interp(quantity, *schedule_knots(starts[0], prices[0]))
    # One schedule per row: evaluate each distinct schedule once over the rows that use it.
    schedules = np.concatenate([starts, prices], axis=1)
    unique, which = distinct_rows(schedules)
    k = starts.shape[1]
    if len(unique) == 1:
        return np.interp(quantity, *schedule_knots(unique[0, :k], unique[0, k:]))
    out = np.empty_like(quantity)
    for i, row in enumerate(unique):
        rows = which == i
        out[rows] = np.interp(quantity[rows], *schedule_knots(row[:k], row[k:]))
    return out


def distinct_rows(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct rows of a 2-D array, the index of each row among them), as `np.unique(axis=0)` groups them,
    by one lexicographic sort of its columns (`np.unique(axis=0)` sorts whole rows, far slower)."""
    if not len(values):
        return values, np.zeros(0, int)
    order = np.lexsort(values.T[::-1])
    ordered = values[order]
    starts = np.concatenate(([True], (ordered[1:] != ordered[:-1]).any(axis=1)))
    which = np.empty(len(values), int)
    which[order] = np.cumsum(starts) - 1
    return ordered[starts], which


def pad_schedules(schedules: list[list[tuple[float, float]]]) -> tuple[np.ndarray, np.ndarray]:
    """Stack schedules of different lengths into (n, k) arrays.

    A shorter schedule is padded with copies of its last tier moved to ever-larger starts, which
    leaves its cost unchanged (same price beyond the last real start).
    """
    k = max(len(s) for s in schedules)
    starts = np.empty((len(schedules), k))
    prices = np.empty((len(schedules), k))
    for i, tiers in enumerate(schedules):
        s = [t[0] for t in tiers]
        p = [t[1] for t in tiers]
        pad = k - len(tiers)
        starts[i] = s + [_FAR / 2 ** (pad - j) for j in range(pad)]
        prices[i] = p + [p[-1]] * pad
    return starts, prices
