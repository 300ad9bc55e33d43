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

__all__ = ["fit_quiet", "fit_with_part", "fit_with_prior", "DEFAULT_DELTA"]

#: Relative decrease below which the multi-start refinement stops; the winner is then
#: polished to full precision by L-BFGS-B, so the refinement need not crawl to the end.
REFINE_FTOL, REFINE_STALL = 1e-10, 1e-5


def _starts(problem: Problem, law: Law, p0) -> np.ndarray:
    if p0 is None:
        cols, y, _ = problem.kept()
        theta = separable_starts(problem, law.init_grid(cols, y))
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
    curve, law, n_refine = _checked(curve, law, n_refine)
    problem = Problem.build(law, curve, loss=loss, delta=delta, space=space, fixed=fixed, prior=prior, noise=noise)
    result = _fit_parts(law, [(curve, problem)], p0=p0, n_refine=n_refine, max_iter=max_iter, fixed=fixed)[0]
    if isinstance(result, Exception):
        raise result
    return result


def fit_with_part(curve: Curve, law, keep: np.ndarray, *, loss: str = "huber", delta: float = 1e-3,
                  space: str = "log", fixed: Mapping[str, float] | None = None, n_refine: int = 8,
                  max_iter: int = 1000) -> tuple[FitResult | ScalingLabError, FitResult | ScalingLabError]:
    """:func:`fit_quiet` of ``curve`` and of its points ``keep`` (a backtest's training part),
    from one fitting problem (:meth:`Problem.part`), both refined in one batch: what ``law="auto"``
    needs of every candidate. Each result is a FitResult, or the ScalingLabError its fit raised."""
    curve, law, n_refine = _checked(curve, law, n_refine)
    problem = Problem.build(law, curve, loss=loss, delta=delta, space=space, fixed=fixed)
    keep = np.asarray(keep, bool)
    parts = [(curve, problem), (curve.subset(keep), problem.part(keep))]
    if problem.replicates is not None:              # summed replicates have no per-point part: two problems
        parts[1] = (parts[1][0], Problem.build(law, parts[1][0], loss=loss, delta=delta, space=space, fixed=fixed))
        return tuple(_fit_parts(law, [part], p0=None, n_refine=n_refine, max_iter=max_iter, fixed=fixed)[0]
                     for part in parts)
    return tuple(_fit_parts(law, parts, p0=None, n_refine=n_refine, max_iter=max_iter, fixed=fixed))


def _checked(curve: Curve, law, n_refine) -> tuple[Curve, Law, int]:
    if not isinstance(curve, Curve):
        raise ScalingLabError(f"fit expects a Curve, got {type(curve).__name__}; build one with sl.Curve(x, y)")
    return curve.canonical(), get_law(law), _whole(n_refine, "n_refine")


def _fit_parts(law: Law, parts, *, p0, n_refine: int, max_iter: int, fixed) -> list:
    """Fit (curve, problem) pairs that share one problem's coordinates (the first problem and
    its parts): grid starts and screening per part, the best ``n_refine`` starts of every part
    refined together in one Levenberg–Marquardt batch, each part's winner polished. Returns a
    FitResult per part, or the ScalingLabError that part raised."""
    out, chosen = [], []
    for curve, problem in parts:
        try:
            if curve.n_distinct + len(problem.prior_idx) < problem.n_free:
                raise ScalingLabError(
                    f"law {law.name!r} has {problem.n_free} free parameters but the curve has only "
                    f"{curve.n_distinct} distinct sizes: not identifiable. Collect more sizes, fix parameters "
                    f"(fixed={{...}}) or choose a smaller law")
            U0 = _starts(problem, law, p0)
            f0 = screen(problem, U0)
            finite = np.isfinite(f0)
            if not finite.any():
                raise FitError(f"law {law.name!r}: the objective is not finite at any of {len(U0)} starts "
                               "(predictions <= 0 in log space?); pass p0=... or use another law")
        except ScalingLabError as exc:
            out.append(exc)
            continue
        order = np.argsort(np.where(finite, f0, np.inf))[: max(int(n_refine), 1)]
        out.append(None)
        chosen.append((len(out) - 1, U0, order[finite[order]]))
    if not chosen:
        return out
    shared = parts[0][1]
    U = np.concatenate([U0[order] for _, U0, order in chosen])
    counts = None
    if len(chosen) > 1:
        counts = np.concatenate([np.broadcast_to(1.0 if parts[i][1].dropped is None else ~parts[i][1].dropped,
                                                 (len(order), shared.y.shape[-1])) for i, _, order in chosen])
    # From a grid, stop refining early and let L-BFGS-B polish the winner; from starts the
    # user gave, run to full tolerance (long flat valleys such as NIST Bennett5 need it).
    batch = levenberg_marquardt(shared, U, counts, max_iter=max_iter,
                                ftol=REFINE_FTOL if p0 is None else 1e-13,
                                stall_rtol=REFINE_STALL if p0 is None else 0.0, parts=counts is not None)
    first = 0
    for i, U0, order in chosen:
        rows = slice(first, first + len(order))
        first += len(order)
        out[i] = _finish(law, *parts[i], batch.U[rows], batch.f[rows], n_starts=len(U0), n_refined=len(order),
                         fixed=fixed)
    return out


def _finish(law: Law, curve: Curve, problem: Problem, U: np.ndarray, f: np.ndarray, *, n_starts: int,
            n_refined: int, fixed) -> FitResult:
    """The best refined start, polished; its result with diagnostics."""
    best = int(np.argmin(f))
    u, f_best = U[best], float(f[best])
    u_pol, f_pol, _ = polish(problem, u)
    if np.isfinite(f_pol) and f_pol <= f_best:
        u, f_best = u_pol, f_pol
    # honest flag: whatever stopped the optimisers, the answer must be a stationary point
    ok = stationary(problem, u)
    theta = problem.to_theta(u[None])[0]
    residuals = problem.point_residuals(u)
    if problem.dropped is not None:
        residuals = residuals[~problem.dropped]
    messages = diagnostics.warnings_for(problem, curve, theta, residuals, converged=ok)
    return FitResult(
        law=law, theta=theta, objective=f_best, loss=problem.loss, delta=problem.delta, space=problem.space,
        curve=curve, residuals=residuals, converged=ok, n_starts=n_starts, n_refined=n_refined,
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
