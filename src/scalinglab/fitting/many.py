"""One law fitted to many one-input curves at once (backtests, benchmarks, sweeps).

:func:`scalinglab.fit` makes one curve's fit as good as it can be (multi-start, batched
Levenberg–Marquardt, L-BFGS-B polish, diagnostics). Thousands of curves through it cost
thousands of Python round trips. Here the curves are stacked, padded to a common number
of points with weight 0, and every stage runs once for all of them: the law's start grid
of each curve, the variable-projection starts, the screening, and one batched
Levenberg–Marquardt over (curve × best starts); the best refined start of each curve
wins. Steps are solved by the normal equations whatever the batch size, so a curve's fit
does not depend on which other curves share the batch. There is no L-BFGS-B polish (the refinement runs to a tight tolerance instead), so
objectives agree with :func:`fit` to about 1e-6 relative (checked in the tests).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ScalingLabError
from ..laws.base import Law, get_law
from .objective import SHARE_WARM
from .optimize import levenberg_marquardt, screen, separable_starts
from .problem import Problem, metric_scale

__all__ = ["StackedCurves", "ManyFits", "fit_many"]


@dataclass(frozen=True)
class StackedCurves:
    """Curves padded to one length: X, Y, W of shape (curves, points); W = 0 marks padding."""

    X: np.ndarray
    Y: np.ndarray
    W: np.ndarray

    @classmethod
    def pad(cls, pairs) -> "StackedCurves":
        """From (x, y) pairs of 1-D arrays; padding repeats a curve's last point with weight 0."""
        pairs = [(np.asarray(x, float), np.asarray(y, float)) for x, y in pairs]
        if not pairs:
            raise ScalingLabError("no curves to stack")
        n = max(len(x) for x, _ in pairs)
        X, Y, W = np.ones((len(pairs), n)), np.ones((len(pairs), n)), np.zeros((len(pairs), n))
        for i, (x, y) in enumerate(pairs):
            if len(x) != len(y) or len(x) == 0:
                raise ScalingLabError(f"curve {i}: x and y need one non-zero length, got {len(x)} and {len(y)}")
            X[i], Y[i] = x[-1], y[-1]
            X[i, :len(x)], Y[i, :len(y)], W[i, :len(x)] = x, y, 1.0
        return cls(X, Y, W)

    def __len__(self) -> int:
        return len(self.X)

    def subset(self, rows: np.ndarray, width: int | None = None) -> "StackedCurves":
        """Some curves, cut or padded (last column repeated, weight 0) to ``width`` points."""
        X, Y, W = self.X[rows, :width], self.Y[rows, :width], self.W[rows, :width]
        extra = 0 if width is None else width - X.shape[1]
        if extra > 0:
            X, Y = (np.concatenate([a, np.repeat(a[:, -1:], extra, axis=1)], axis=1) for a in (X, Y))
            W = np.concatenate([W, np.zeros((len(W), extra))], axis=1)
        return StackedCurves(X, Y, W)

    @property
    def n_points(self) -> np.ndarray:
        return (self.W > 0).sum(axis=1)


def _buckets(n_points: np.ndarray, spread: float = 1.3):
    """Rows grouped by number of points into fixed widths (4, 5, 6, 8, 10, 13, ...: each at
    most ``spread`` times the one before), so that little work is spent on padding and a
    curve is always padded to the same width, whichever curves share the batch; yields
    (rows, width)."""
    widths = [1]
    while widths[-1] < n_points.max():
        widths.append(max(widths[-1] + 1, int(widths[-1] * spread)))
    width_of = np.array(widths)[np.searchsorted(widths, n_points)]
    for width in np.unique(width_of):
        yield np.flatnonzero(width_of == width), int(width)


@dataclass(frozen=True)
class ManyFits:
    """theta (curves, p), NaN where a curve could not be fitted; objective inf there. A fitted
    parameter may be infinite where the optimum lies at infinity (an exponential rate, a
    step): its predictions are still finite."""

    law: Law
    curves: StackedCurves
    theta: np.ndarray
    objective: np.ndarray
    converged: np.ndarray
    loss: str
    delta: float

    @property
    def ok(self) -> np.ndarray:
        return ~np.any(np.isnan(self.theta), axis=1) & np.isfinite(self.objective)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predictions at X (curves, m): row i with curve i's parameters."""
        with np.errstate(all="ignore"):
            return self.law._predict((np.asarray(X, float),), self.theta)

    def log_residuals(self) -> np.ndarray:
        """log ŷ − log y at the curves' points, NaN at padding."""
        with np.errstate(all="ignore"):
            r = np.log(self.predict(self.curves.X)) - np.log(self.curves.Y)
        return np.where(self.curves.W > 0, r, np.nan)

    def residual_sd(self) -> np.ndarray:
        """sqrt(sum r^2 / (points - free parameters)) per curve (degrees of freedom at least 1)."""
        r = self.log_residuals()
        dof = np.maximum(self.curves.n_points - self.law.n_params, 1)
        return np.sqrt(np.nansum(r ** 2, axis=1) / dof)

    def bootstrap(self, n: int, *, seed: int = 0, keys=None, max_iter: int = 100) -> np.ndarray:
        """Parameter draws (curves, n, p): each curve's points resampled with replacement and
        refitted, warm-started at its estimate, every curve and resample of one padding width
        in one batch (as :func:`scalinglab.fitting.bootstrap` does for one curve).
        Failed draws are NaN.

        Each curve's resamples come from its own generator, seeded by (``seed``, its key):
        ``keys`` (whole numbers, one per curve; default its row), so a curve gets the same
        draws whichever other curves share the batch."""
        keys = np.arange(len(self.curves)) if keys is None else np.asarray(keys)
        draws = np.full((len(self.curves), n, self.law.n_params), np.nan)
        s = _scales(self.curves, self.law)                    # refits in the units of the fits
        unit = _normalised(self.curves, s)
        theta = self.theta.copy()
        ok = np.all(np.isfinite(theta), axis=1)
        theta[ok] = self.law.rescale(theta[ok], 1.0 / s[ok])
        for rows, width in _buckets(self.curves.n_points):
            uniforms = np.stack([np.random.default_rng([seed, int(keys[i])]).random((n, width)) for i in rows])
            draws[rows] = self._bootstrap_stacked(unit.subset(rows, width), theta[rows], uniforms, max_iter)
        good = np.all(np.isfinite(draws), axis=2)
        scale = np.broadcast_to(s[:, None, :], draws.shape[:2] + (1,))
        draws[good] = self.law.rescale(draws[good], scale[good])
        return draws

    def _bootstrap_stacked(self, curves: StackedCurves, theta: np.ndarray, uniforms: np.ndarray,
                           max_iter: int) -> np.ndarray:
        C, m = curves.W.shape
        n = uniforms.shape[1]
        k = curves.n_points
        # multinomial counts over each curve's own points: draw indices, then count them
        picks = np.floor(uniforms * k[:, None, None]).astype(int)
        picks = np.where(np.arange(m)[None, None, :] < k[:, None, None], picks, m)   # m = discarded
        counts = np.zeros((C, n, m + 1))
        np.add.at(counts, (np.arange(C)[:, None, None], np.arange(n)[None, :, None], picks), 1.0)
        counts = counts[..., :m].reshape(C * n, m)
        owner = np.repeat(np.arange(C), n)
        draws = np.full((C * n, self.law.n_params), np.nan)
        good = np.all(np.isfinite(theta), axis=1)[owner]
        if good.any():
            problem = Problem.stacked(self.law, curves.X, curves.Y, curves.W, loss=self.loss,
                                      delta=self.delta).take(owner[good])
            u_hat = problem.to_u(theta[owner[good]])
            out = levenberg_marquardt(problem, u_hat, counts[good], max_iter=max_iter, irls_share=SHARE_WARM,
                                      stall_rtol=1e-9, use_qr=False)
            draws[good] = np.where(np.isfinite(out.f)[:, None], problem.to_theta(out.U), np.nan)
        return draws.reshape(C, n, -1)


def _scales(curves: StackedCurves, law: Law) -> np.ndarray:
    """Per curve, the unit its metric is fitted in (its largest value), or 1 when the law has no
    scale symmetry (:meth:`Law.rescale`): each curve is fitted on y / s and its parameters scaled
    back, so no tolerance of the optimiser depends on the metric's units (M4's beta carries units
    of y^(1 - alpha), so its optimisation path is not scale-free otherwise)."""
    try:
        law.rescale(np.ones((1, law.n_params)), 1.0)
    except NotImplementedError:
        return np.ones((len(curves), 1))
    return metric_scale(np.where(curves.W > 0, curves.Y, 0.0))


def _normalised(curves: StackedCurves, s: np.ndarray) -> StackedCurves:
    return StackedCurves(curves.X, curves.Y / s, curves.W)


def fit_many(curves: StackedCurves, law, *, loss: str = "huber", delta: float = 1e-3, n_refine: int = 4,
             max_iter: int = 200) -> ManyFits:
    """Fit ``law`` to every curve of ``curves`` (log space, as :func:`scalinglab.fit` does by
    default). Curves with fewer points than free parameters, or without a finite start, get
    NaN parameters and an infinite objective instead of an exception. Each curve is fitted in
    units of its largest value (see :func:`_scales`): a curve multiplied by s gets the same fit,
    its parameters scaled."""
    law = get_law(law)
    if law.n_inputs != 1:
        raise ScalingLabError(f"fit_many fits one-input laws; {law.name!r} takes {law.n_inputs}")
    theta = np.full((len(curves), law.n_params), np.nan)
    objective = np.full(len(curves), np.inf)
    converged = np.zeros(len(curves), bool)
    s = _scales(curves, law)
    unit = _normalised(curves, s)
    for rows, width in _buckets(curves.n_points):
        theta[rows], objective[rows], converged[rows] = _fit_stacked(unit.subset(rows, width), law, loss, delta,
                                                                     n_refine, max_iter)
    ok = np.all(np.isfinite(theta), axis=1)
    theta[ok] = law.rescale(theta[ok], s[ok])
    return ManyFits(law, curves, theta, objective, converged, loss, delta)


def _fit_stacked(curves: StackedCurves, law: Law, loss: str, delta: float, n_refine: int, max_iter: int):
    C = len(curves)
    theta = np.full((C, law.n_params), np.nan)
    objective = np.full(C, np.inf)
    converged = np.zeros(C, bool)
    full = Problem.stacked(law, curves.X, curves.Y, curves.W, loss=loss, delta=delta)
    identifiable = curves.n_points >= full.n_free
    grids, owner = [], []
    for i in np.flatnonzero(identifiable):
        valid = curves.W[i] > 0
        grid = law.init_grid((curves.X[i, valid],), curves.Y[i, valid])
        grids.append(grid)
        owner.append(np.full(len(grid), i))
    if not grids:
        return theta, objective, converged
    owner = np.concatenate(owner)
    on_grid = full.take(owner)
    starts = separable_starts(on_grid, np.concatenate(grids), distinct=False)
    U = on_grid.to_u(np.nan_to_num(starts, nan=1.0))
    f = screen(on_grid, U)
    f[~np.all(np.isfinite(starts), axis=1) | ~np.isfinite(f)] = np.inf
    # the n_refine best finite starts of each curve
    order = np.lexsort((f, owner))
    first = np.searchsorted(owner[order], owner[order], side="left")
    rank = np.arange(len(order)) - first
    chosen = order[(rank < n_refine) & np.isfinite(f[order])]
    if chosen.size:
        batch = levenberg_marquardt(full.take(owner[chosen]), U[chosen], max_iter=max_iter, ftol=1e-10,
                                    stall_rtol=1e-6, use_qr=False)
        who = owner[chosen]
        best = np.lexsort((batch.f, who))
        winners = best[np.r_[True, who[best][1:] != who[best][:-1]]]
        ok = np.isfinite(batch.f[winners])
        rows = who[winners][ok]
        theta[rows] = full.to_theta(batch.U[winners][ok])
        objective[rows] = batch.f[winners][ok]
        converged[rows] = batch.converged[winners][ok]
    return theta, objective, converged
