"""What a curve goes through before any fit: one order of rows, and a rule for zeros.

**Row order.** Fits and bootstraps work on :meth:`Curve.canonical` (rows sorted by size,
value, weight, seed, group), so a permutation of a curve's rows gives identical results
for the same bootstrap seed.

**Zeros in log space.** A fitted value of exactly 0 (a perfect fold: error 0, accuracy 1)
has no logarithm, and real learning curves have them. The rule, the same for ``fit``,
``law="auto"``, the bootstrap, ``extrapolate`` and the backtest: each such value is replaced
by **half the smallest positive fitted value of the same curve** (a zero is read as "below
the smallest error this curve resolved"; the replacement depends only on the curve, never on
a constant, so it does not assume the metric's scale), and one ScalingLabWarning names the
rows and the value. A curve with no positive value cannot be fitted in log space (refused:
use ``space="linear"``). Negative fitted values are refused in log space, naming the row.
Missing values (NaN) never get here: :class:`~scalinglab.Curve` leaves those rows out, with
a warning.
"""

from __future__ import annotations

import numpy as np

from ..curves import Curve, _rows
from ..errors import ScalingLabError

__all__ = ["positive_for_log", "prepare_curve", "ZERO_SHARE"]

#: A zero becomes this share of the smallest positive value of its curve.
ZERO_SHARE = 0.5


def positive_for_log(values: np.ndarray, what: str = "values") -> tuple[np.ndarray, np.ndarray, float]:
    """Zeros replaced by ``ZERO_SHARE`` × the smallest positive value (see the module docstring).

    Returns (values, positions replaced, replacement). Raises if a value is negative or none is
    positive."""
    values = np.asarray(values, float)
    if np.any(values < 0):
        i = int(np.flatnonzero(values < 0)[0])
        raise ScalingLabError(f"{what}: {values[i]:g} at position {i} is negative and has no logarithm")
    zero = np.flatnonzero(values == 0)
    if zero.size == 0:
        return values, zero, np.nan
    positive = values[values > 0]
    if positive.size == 0:
        raise ScalingLabError(f"{what}: every value is 0, so nothing can be fitted in log space "
                              "(use space='linear', or check the metric)")
    replacement = ZERO_SHARE * float(positive.min())
    out = values.copy()
    out[zero] = replacement
    return out, zero, replacement


def prepare_curve(curve: Curve, space: str) -> tuple[Curve, tuple[str, ...]]:
    """The curve a fit works on, and the notes to add to the result's warnings: rows in
    canonical order; in log space, zeros replaced (and negative values refused, naming the row)."""
    if not isinstance(curve, Curve):
        raise ScalingLabError(f"fit expects a Curve, got {type(curve).__name__}; build one with sl.Curve(x, y)")
    curve = curve.canonical()
    if space != "log":
        return curve, ()
    name = curve.metric_info.fitted_name
    negative = np.flatnonzero(curve.y < 0)
    if negative.size:
        i = int(negative[0])
        value = f"{curve.values[i]:g}" + (f" (so {name} = {curve.y[i]:g})" if curve.higher_is_better else "")
        raise ScalingLabError(
            f"column {curve.metric!r}, row {curve.labels[i]!r}: {value} < 0 cannot be fitted in log space "
            "(it has no logarithm); use space='linear' or fix the row")
    fitted, zero, replacement = positive_for_log(curve.y, f"column {curve.metric!r}")
    if zero.size == 0:
        return curve, ()
    values = curve.metric_info.to_metric(fitted)
    fixed = Curve(curve.x, values, w=curve.w, seed=curve.seed, group=curve.group, metric=curve.metric,
                  higher_is_better=curve.higher_is_better, bounds=curve.bounds, x_names=curve.x_names,
                  labels=curve.labels)
    note = (f"{zero.size} value(s) of {name} are exactly 0 (row(s) {_rows(curve.labels, zero)}), which has no "
            f"logarithm: fitted as {replacement:.3g}, half the smallest positive value of the curve "
            "(the rule for zeros, see scalinglab.fitting.prepare)")
    return fixed.canonical(), (note,)
