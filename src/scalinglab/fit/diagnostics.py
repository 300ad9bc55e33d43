"""Plain-language warnings a careful analyst would raise about a fit."""

from __future__ import annotations

import numpy as np
from scipy import stats

from ..curves import Curve
from .problem import Problem

_BOUND_HINTS = {
    "c": "no floor (irreducible error) is visible in this range",
    "y_inf": "no floor (irreducible error) is visible in this range",
    "a": "the fitted floor is zero",
    "gamma": "M3 reduces to a pure power law",
    "alpha": "the exponent sits at its bound",
}


def at_bounds(problem: Problem, theta: np.ndarray, rtol: float = 1e-7) -> dict[str, bool]:
    """For each free parameter: is it pressed against a finite bound of its natural range?"""
    lo, hi = problem.law.bound_arrays()
    scale = np.maximum(np.abs(theta), 1.0)
    out = {}
    for j, name in enumerate(problem.law.param_names):
        pressed = (np.isfinite(lo[j]) and theta[j] - lo[j] <= rtol * scale[j]) or \
                  (np.isfinite(hi[j]) and hi[j] - theta[j] <= rtol * scale[j])
        out[name] = bool(pressed and problem.free[j])
    return out


def runs_test(curve: Curve, residuals: np.ndarray) -> tuple[int, int, float] | None:
    """Wald–Wolfowitz runs test on the signs of the per-size mean residuals, ordered by size.

    Returns (runs, sizes, one-sided p-value for too few runs) or None when there are too few sizes (< 8)
    or only one sign. Few runs means the law bends away from the data systematically.
    """
    sizes, inverse = np.unique(curve.scale, return_inverse=True)
    if len(sizes) < 8:
        return None
    mean_r = np.bincount(inverse.reshape(-1), weights=residuals) / np.bincount(inverse.reshape(-1))
    signs = mean_r[mean_r != 0] > 0
    n_pos, n_neg = int(signs.sum()), int((~signs).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    runs = 1 + int(np.sum(signs[1:] != signs[:-1]))
    n = n_pos + n_neg
    mean = 1 + 2 * n_pos * n_neg / n
    var = (mean - 1) * (mean - 2) / (n - 1)
    p = float(stats.norm.cdf((runs - mean) / np.sqrt(var))) if var > 0 else 1.0
    return runs, n, p


def warnings_for(problem: Problem, curve: Curve, theta: np.ndarray, residuals: np.ndarray, *,
                 converged: bool) -> list[str]:
    law = problem.law
    k, d = problem.n_free, curve.n_distinct
    out = []
    if d == k:
        out.append(f"{k} parameters from {d} distinct sizes: the law passes through every size, "
                   "so nothing checks it (no degrees of freedom); treat extrapolations as guesses")
    elif d < k + 2:
        out.append(f"only {d} distinct sizes for {k} parameters: estimates are fragile; collect more sizes")
    if not converged:
        out.append("the optimiser did not report convergence; the estimates may be off")
    for name, pressed in at_bounds(problem, theta).items():
        if pressed:
            hint = _BOUND_HINTS.get(name, "the data push it against its allowed range")
            out.append(f"parameter {name} = {theta[law.param_names.index(name)]:.4g} is at its bound: {hint}")
    runs = runs_test(curve, residuals)
    if runs is not None and runs[2] < 0.05:
        out.append(f"residuals change sign in only {runs[0]} runs over {runs[1]} sizes (runs test "
                   f"p = {runs[2]:.3f}): the law misses a systematic bend; try another law or law='auto'")
    return out
