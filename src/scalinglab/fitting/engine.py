"""One curve, one law -> :class:`FitResult` (the entry point ``fit``, which checks the options
and dispatches to this or to model selection, is :mod:`.entry`).

Multi-start without a Python loop per start: every start of the law's grid is
scored at once (vectorised, chunked for memory), only the best ``n_refine``
distinct starts are refined together by batched Levenberg–Marquardt with the
analytic Jacobian, and the winner is polished with L-BFGS-B on the exact gradient.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..curves import Curve
from ..errors import FitError, ScalingLabError
from ..laws.base import Law, get_law
from . import diagnostics
from .optimize import levenberg_marquardt, polish, screen, separable_starts, stationary
from .problem import Problem
from .result import FitResult

__all__ = ["fit_quiet", "fit_with_prior", "DEFAULT_DELTA"]

#: Relative decrease below which the multi-start refinement stops; the winner is then
#: polished to full precision by L-BFGS-B, so the refinement need not crawl to the end.
REFINE_FTOL, REFINE_STALL = 1e-10, 1e-5


def _starts(problem: Problem, law: Law, curve: Curve, p0) -> np.ndarray:
    if p0 is None:
        theta = separable_starts(problem, law.init_grid(problem.cols, problem.y))
    elif isinstance(p0, Mapping):
        theta = law.theta_array(p0)[None]
    else:
        theta = np.atleast_2d(law.theta_array(p0))
    U = problem.to_u(theta)
    U = U[np.all(np.isfinite(U), axis=1)]
    if len(U) == 0:
        raise FitError(f"law {law.name!r}: no start point is inside the bounds; pass p0=...")
    return np.unique(U, axis=0) if p0 is None else U


#: Huber threshold on log residuals when ``delta`` is not given (Hoffmann et al. 2022).
DEFAULT_DELTA = 1e-3


def _whole(value, name: str, low: int = 1) -> int:
    """A whole number >= low given as an int (or an integral float), else a ScalingLabError naming it."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer, float, np.floating)) \
            or not np.isfinite(value) or int(value) != value or value < low:
        raise ScalingLabError(f"{name} must be a whole number >= {low}, got {value!r}")
    return int(value)


def fit_quiet(curve: Curve, law, *, loss: str = "huber", delta: float = 1e-3, space: str = "log",
              p0=None, fixed: Mapping[str, float] | None = None, n_refine: int = 8,
              max_iter: int = 1000, prior=None, noise: float | None = None) -> FitResult:
    """:func:`fit` for one law without emitting Python warnings (they stay in ``result.warnings``);
    used where many fits run inside one call (model selection, backtests)."""
    if not isinstance(curve, Curve):
        raise ScalingLabError(f"fit expects a Curve, got {type(curve).__name__}; build one with sl.Curve(x, y)")
    n_refine = _whole(n_refine, "n_refine")
    curve = curve.canonical()
    law = get_law(law)
    problem = Problem.build(law, curve, loss=loss, delta=delta, space=space, fixed=fixed, prior=prior, noise=noise)
    if curve.n_distinct + len(problem.prior_idx) < problem.n_free:
        raise ScalingLabError(
            f"law {law.name!r} has {problem.n_free} free parameters but the curve has only "
            f"{curve.n_distinct} distinct sizes: not identifiable. Collect more sizes, fix parameters "
            f"(fixed={{...}}) or choose a smaller law")
    U0 = _starts(problem, law, curve, p0)
    f0 = screen(problem, U0)
    finite = np.isfinite(f0)
    if not finite.any():
        raise FitError(f"law {law.name!r}: the objective is not finite at any of {len(U0)} starts "
                       "(predictions <= 0 in log space?); pass p0=... or use another law")
    order = np.argsort(np.where(finite, f0, np.inf))[: max(int(n_refine), 1)]
    order = order[finite[order]]
    # From a grid, stop refining early and let L-BFGS-B polish the winner; from starts the
    # user gave, run to full tolerance (long flat valleys such as NIST Bennett5 need it).
    batch = levenberg_marquardt(problem, U0[order], max_iter=max_iter,
                                ftol=REFINE_FTOL if p0 is None else 1e-13,
                                stall_rtol=REFINE_STALL if p0 is None else 0.0)
    best = int(np.argmin(batch.f))
    u, f_best, ok = batch.U[best], float(batch.f[best]), bool(batch.converged[best])
    u_pol, f_pol, _ = polish(problem, u)
    if np.isfinite(f_pol) and f_pol <= f_best:
        u, f_best = u_pol, f_pol
    # honest flag: whatever stopped the optimisers, the answer must be a stationary point
    ok = stationary(problem, u)
    theta = problem.to_theta(u[None])[0]
    residuals = problem.point_residuals(u)
    messages = diagnostics.warnings_for(problem, curve, theta, residuals, converged=ok)
    return FitResult(
        law=law, theta=theta, objective=f_best, loss=loss, delta=delta, space=space, curve=curve,
        residuals=residuals, converged=ok, n_starts=len(U0), n_refined=len(order),
        fixed=dict(fixed or {}), warnings=tuple(messages), at_bounds=diagnostics.at_bounds(problem, theta),
    )


def noise_of_log(curve: Curve, space: str, plain: FitResult | None) -> tuple[float, str]:
    """Standard deviation of one point's residual (in the fit's space): pooled over replicated
    sizes when there are replicates, else from the residuals of the unregularised fit ``plain``
    (None when it cannot be made), else 0.05."""
    groups = curve.by_size(np.log(curve.y) if space == "log" else curve.y)
    if groups.within_dof > 0:
        return (float(np.sqrt(groups.within_ss / groups.within_dof)),
                f"replicates ({groups.within_dof} degrees of freedom)")
    if plain is not None:
        dof = curve.n - plain.n_free
        return float(np.sqrt(np.sum(plain.residuals ** 2) / dof)), "residuals of the unregularised fit"
    return 0.05, "assumed (too few points to estimate it)"


def fit_with_prior(curve: Curve, law, prior, *, x: str = "data", loss: str = "squared", delta: float = 1e-3,
                   space: str = "log", p0=None, fixed=None, n_refine: int = 8, max_iter: int = 1000) -> FitResult:
    """MAP fit: squared loss plus the prior's penalty (see :mod:`scalinglab.literature.prior`),
    with ``result.prior`` saying how much the prior moved each target parameter."""
    from ..literature.prior import make_prior
    if not isinstance(curve, Curve):
        raise ScalingLabError(f"fit expects a Curve, got {type(curve).__name__}")
    law = get_law(law)
    spec = make_prior(prior, law, x=x)
    notes = []
    if loss != "squared":
        notes.append("with a prior the fit is a MAP estimate under Gaussian noise on "
                     f"{'log ' if space == 'log' else ''}y, so it uses the squared loss")
    # the fit without the prior, made once: its residuals give the noise (without replicates)
    # and its parameters show how far the prior moved the answer
    plain = None
    if curve.n_distinct > law.n_params - len(fixed or {}):
        plain = fit_quiet(curve, law, loss="squared", space=space, fixed=fixed)
    noise, noise_from = noise_of_log(curve, space, plain)
    result = fit_quiet(curve, law, loss="squared", delta=delta, space=space, p0=p0, fixed=fixed,
                       n_refine=n_refine, max_iter=max_iter, prior=spec, noise=noise)
    unregularised = None if plain is None else plain.params
    moved = {}
    for name, (mean, sd) in spec.targets.items():
        map_value = result.params[name]
        free_value = None if unregularised is None else unregularised[name]
        moved[name] = {"prior_mean": mean, "prior_sd": sd, "map": map_value, "unregularised": free_value,
                       "shift_in_prior_sd": None if free_value is None else (map_value - free_value) / sd}
    info = {"source": spec.source, "targets": {k: list(v) for k, v in spec.targets.items()}, "noise": noise,
            "noise_from": noise_from, "moved": moved}
    return result.replace(prior=info, warnings=tuple(notes) + result.warnings)
