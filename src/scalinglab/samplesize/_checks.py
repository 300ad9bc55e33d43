"""Argument checks shared by the sample-size functions: each names the argument, the rule and
the value received (numbers only: booleans and text are refused, never coerced)."""

from __future__ import annotations

import numbers

import numpy as np

from ..errors import ScalingLabError


def real(name: str, value, *, low: float | None = None, high: float | None = None,
         open_low: bool = True, open_high: bool = True) -> float:
    """A finite real number, optionally inside (low, high) (bounds open unless said)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ScalingLabError(f"{name} must be a finite number, got {value!r}")
    value = float(value)
    below = low is not None and (value <= low if open_low else value < low)
    above = high is not None and (value >= high if open_high else value > high)
    if below or above:
        lo = "" if low is None else f"{low:g} {'<' if open_low else '<='} "
        hi = "" if high is None else f" {'<' if open_high else '<='} {high:g}"
        raise ScalingLabError(f"{name} must satisfy {lo}{name}{hi}, got {value!r}")
    return value


def whole(name: str, value, least: int) -> int:
    """A whole number (an int, or a float with no fractional part) >= ``least``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not np.isfinite(value) \
            or value != int(value) or value < least:
        raise ScalingLabError(f"{name} must be a whole number >= {least}, got {value!r}")
    return int(value)


def finite_answer(n: float, what: str) -> float:
    """A sample size that double precision can hold; refuses an overflow instead of printing inf."""
    if not np.isfinite(n):
        raise ScalingLabError(f"{what} overflows double precision (more than 1.8e308 samples): the request is "
                              "too extreme to answer")
    return n


def unit_scaled(X: np.ndarray) -> tuple[np.ndarray, float]:
    """``X`` divided by the power of 2 just above its largest absolute value, and that scale.

    Distances of values near 1e300 overflow when squared (nearest neighbours, k-means and
    PCA then return nonsense or fail deep inside scikit-learn); every estimator that takes
    points here is invariant to one global scale, so they work on the scaled copy. A power of
    2 changes no digit, so ties (lattice data) stay exact ties.
    """
    largest = float(np.max(np.abs(X))) if X.size else 0.0
    if not largest > 0:
        return X, 1.0
    scale = 2.0 ** np.frexp(largest)[1]
    return X / scale, scale
