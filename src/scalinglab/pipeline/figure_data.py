"""Data the report's figures need beyond a fit, computed here so that report/ only draws."""

from __future__ import annotations

import numpy as np

from .. import plan
from ..fitting import FitResult


def isoloss_data(result: FitResult, n_budgets: int = 5) -> tuple[np.ndarray, np.ndarray | None]:
    """IsoFLOP budgets C (FLOPs = 6 N D) spanning the middle of the (N, D) range the iso-loss
    figure shows (a third of the smallest to 30 times the largest measured N and D), and the
    compute-optimal (N, D) at each (:func:`scalinglab.plan.compute_optimal`; None without
    bootstrap draws, which its intervals need)."""
    n_obs, d_obs = result.curve.columns[:2]
    lo = np.log10(6 * (n_obs.min() / 3) * (d_obs.min() / 3))
    hi = np.log10(6 * (n_obs.max() * 30) * (d_obs.max() * 30))
    budgets = np.logspace(lo + 0.3 * (hi - lo), hi - 0.2 * (hi - lo), n_budgets)
    if result.draws is None:
        return budgets, None
    frontier = [(opt.n_params, opt.n_tokens) for opt in (plan.compute_optimal(result, c) for c in budgets)]
    return budgets, np.array(frontier, float)
