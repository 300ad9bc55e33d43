"""Helpers shared by the laws' data-driven start grids."""

from __future__ import annotations

import itertools

import numpy as np


def product(*axes) -> np.ndarray:
    """Cartesian product of 1-D axes as an array of shape (S, len(axes))."""
    return np.array(list(itertools.product(*axes)), float)


def floor_candidates(y: np.ndarray, fractions=(0.0, 0.3, 0.6, 0.85, 0.95)) -> np.ndarray:
    """Floors to start from: fractions of the smallest observed metric."""
    return np.asarray(fractions) * float(np.min(y))


def log_coefficient(log_excess: np.ndarray, shape_terms: np.ndarray) -> np.ndarray:
    """Least-squares log-coefficient for log(y - floor) = log(a) + shape_terms.

    ``log_excess`` has shape (S, n) (or (n,)), ``shape_terms`` (S, n); returns (S,).
    Rows with a non-finite excess (floor above a point) get the finite mean or NaN.
    """
    with np.errstate(invalid="ignore"):
        diff = np.atleast_2d(log_excess) - shape_terms
    return np.nanmean(np.where(np.isfinite(diff), diff, np.nan), axis=1)
