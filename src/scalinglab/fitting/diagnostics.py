"""Plain-language warnings a careful analyst would raise about a fit."""

from __future__ import annotations

import numpy as np
from scipy import stats

from ..curves import Curve, group_by_size
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
    return bounds_pressed(problem.law, theta, problem.free, rtol)


def bounds_pressed(law, theta: np.ndarray, free, rtol: float = 1e-7) -> dict[str, bool]:
    """:func:`at_bounds` from the law, the parameters and the mask of free ones (no fitting
    problem needed: a saved fit is checked when it is read)."""
    lo, hi = law.bound_arrays()
    scale = np.maximum(np.abs(theta), 1.0)
    out = {}
    for j, name in enumerate(law.param_names):
        pressed = (np.isfinite(lo[j]) and theta[j] - lo[j] <= rtol * scale[j]) or \
                  (np.isfinite(hi[j]) and hi[j] - theta[j] <= rtol * scale[j])
        out[name] = bool(pressed and free[j])
    return out


def runs_test(curve: Curve, residuals: np.ndarray) -> tuple[int, int, float] | None:
    """Wald–Wolfowitz runs test on the signs of the per-size mean residuals, ordered by size.

    Returns (runs, sizes, one-sided p-value for too few runs) or None when there are too few sizes (< 8)
    or only one sign. Few runs means the law bends away from the data systematically.
    """
    groups = group_by_size(curve.scale, residuals)
    if len(groups.sizes) < 8:
        return None
    mean_r = groups.mean
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


#: Residuals this small (root mean square, relative to the values: log space directly, linear
#: space divided by the mean |y|) are rounding-level: a curve the law fits to six digits. A runs
#: test on their signs finds "bends" of a part per million that no measurement could show, so
#: it is not run (the transfer doctests' exact curves raised a runs warning, p = 0.022).
NEGLIGIBLE_RESIDUAL = 1e-6


def negligible_residuals(problem: Problem, residuals: np.ndarray) -> bool:
    r = np.asarray(residuals, float)
    if r.size == 0 or not np.all(np.isfinite(r)):
        return False
    typical = 1.0 if problem.space == "log" else max(float(np.mean(np.abs(problem.target))), 1e-300)
    return float(np.sqrt(np.mean(r ** 2))) <= NEGLIGIBLE_RESIDUAL * typical


#: Condition number of the scaled J'J above which the fit is called unidentifiable.
COND_LIMIT = 1e10


def unidentified(problem: Problem, theta: np.ndarray) -> tuple[float, list[str]] | None:
    """Is some combination of free parameters not pinned down by the data?

    Computes the condition number of the column-scaled J'J of the fit-space residuals
    at the optimum; above COND_LIMIT, returns it with the parameters that dominate the
    direction of least information (its smallest singular vector). None otherwise.
    """
    u = problem.to_u(theta[None])
    _, J = problem.residuals_jac(u)
    J = J[0][:, problem.free]
    # a size with m replicates weighs as m rows (as it would without summing them)
    J = J * np.sqrt(np.r_[problem.multiplicity, np.ones(len(J) - len(problem.multiplicity))])[:, None]
    if J.size == 0 or not np.all(np.isfinite(J)):
        return None
    norms = np.linalg.norm(J, axis=0)
    if np.any(norms == 0):
        dead = [n for n, z in zip(np.array(problem.law.param_names)[problem.free], norms == 0) if z]
        return np.inf, dead
    try:
        _, sv, vt = np.linalg.svd(J / norms, full_matrices=False)
    except np.linalg.LinAlgError:
        return None
    cond = float((sv[0] / sv[-1]) ** 2) if sv[-1] > 0 else np.inf
    if cond <= COND_LIMIT:
        return None
    weak = np.abs(vt[-1])
    names = np.array(problem.law.param_names)[problem.free]
    return cond, [str(n) for n in names[weak >= 0.3 * weak.max()]]


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
    weak = unidentified(problem, theta)
    if weak is not None:
        out.append(f"the data cannot pin down {', '.join(weak[1])} separately (condition number "
                   f"{weak[0]:.2g}): their individual values are arbitrary along one direction, "
                   "though predictions inside the data range are not; fix one (fixed={...}) or use a simpler law")
    runs = None if negligible_residuals(problem, residuals) else runs_test(curve, residuals)
    if runs is not None and runs[2] < 0.05:
        out.append(f"residuals change sign in only {runs[0]} runs over {runs[1]} sizes (runs test "
                   f"p = {runs[2]:.3f}): the law misses a systematic bend; try another law or law='auto'")
    return out
