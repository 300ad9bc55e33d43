"""A fitting problem: one law, one curve, one loss, in the optimiser's coordinates.

Parameters listed in ``law.log_scale`` are optimised as their logarithm (u = log θ),
which keeps them positive and makes, for example, the Chinchilla prediction the
log-sum-exp form used by Hoffmann et al. 2022. Other parameters keep their natural
scale with box bounds. Fixed parameters never move.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from ..curves import Curve
from ..errors import ScalingLabError
from ..laws.base import Law
from . import objective as obj
from .replicates import SizeRows, Sums

SPACES = ("log", "linear")
#: Replicates are summed by size (exactly, fit/replicates.py) when a size has this many points
#: on average: below it the per-point arrays are faster (measured crossover: m3 fits with 8 and
#: 30 sizes break even at about 512 replicates per size; with 2 replicates summing was 3-14x
#: slower). Only speed depends on it: the objective is the same either way.
SUM_REPLICATES_FROM = 512


def metric_scale(y: np.ndarray) -> np.ndarray:
    """The unit in which parameters in the metric's units are measured: the largest |value|
    of each curve (1 when there is none); y of shape (n,) -> scalar, (B, n) -> (B, 1)."""
    with np.errstate(invalid="ignore"):
        top = np.max(np.abs(np.asarray(y, float)), axis=-1, keepdims=True)
    return np.where(np.isfinite(top) & (top > 0), top, 1.0)


def units(law: Law, scale) -> np.ndarray:
    """Per parameter, the unit of its coordinate u (u = theta / unit for linear parameters):
    ``scale`` for the law's ``metric_units`` whose bounds are 0 or infinite, else 1. Shape (p,)
    for a scalar scale, (B, p) for a column of scales."""
    lo_t, hi_t = law.bound_arrays()
    scaled = np.array([name in law.metric_units and name not in law.log_scale for name in law.param_names])
    scaled &= np.isin(lo_t, (0.0, -np.inf, np.inf)) & np.isin(hi_t, (0.0, -np.inf, np.inf))
    scale = np.asarray(scale, float)
    return np.where(scaled, scale, 1.0) if scale.ndim else np.where(scaled, float(scale), 1.0)


def _coordinates(law: Law, fixed: dict | None, unit: np.ndarray):
    """(free, fixed_u, log_mask, lo, hi): which parameters move, the values of the fixed
    ones and the bounds, all in the optimiser's coordinates u (bounds of scaled parameters
    are 0 or infinite, so they do not depend on the unit)."""
    log_mask = law.log_mask()
    lo_t, hi_t = law.bound_arrays()
    with np.errstate(divide="ignore"):
        lo = np.where(log_mask, np.log(np.maximum(lo_t, 0.0)), lo_t)
        hi = np.where(log_mask, np.log(hi_t), hi_t)
    free = np.ones(law.n_params, bool)
    fixed_u = np.zeros(law.n_params)
    for name, value in (fixed or {}).items():
        if name not in law.param_names:
            raise ScalingLabError(f"fixed parameter {name!r} is not one of {law.param_names}")
        j = law.param_names.index(name)
        if not lo_t[j] <= value <= hi_t[j] or (log_mask[j] and value <= 0):
            raise ScalingLabError(f"fixed {name}={value!r} is outside its bounds {law.bounds[name]}")
        free[j] = False
        fixed_u[j] = np.log(value) if log_mask[j] else value / unit[j]
    return free, fixed_u, log_mask, lo, hi


@dataclass(frozen=True, eq=False)
class Problem:
    law: Law
    cols: tuple[np.ndarray, ...]
    y: np.ndarray
    target: np.ndarray          # log y in log space, y in linear space
    w: np.ndarray               # per-point weights (n,)
    loss: str
    delta: float
    space: str
    free: np.ndarray            # (p,) bool
    fixed_u: np.ndarray         # (p,) values used where not free
    log_mask: np.ndarray        # (p,) bool
    lo: np.ndarray              # bounds in u space
    hi: np.ndarray
    unit: np.ndarray            # (p,) or (B, p): theta = u * unit for linear parameters (see units)
    # prior rows (MAP fits): residual scale * (theta[idx] - mu) appended to the data residuals
    prior_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    prior_mu: np.ndarray = field(default_factory=lambda: np.zeros(0))
    prior_scale: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # replicates summed by size (see fitting/replicates.py): the data rows are then the distinct
    # sizes, y their weighted mean target (back on the fitted scale) and w their total weight
    replicates: SizeRows | None = None
    # a part of the curve (a backtest's training sizes) sharing this problem: the points outside
    # it (True here) weigh 0, and their residuals and Jacobian rows are set to 0 (they may not be
    # finite where the part's fit predicts nothing sensible); see :meth:`part`
    dropped: np.ndarray | None = None

    @classmethod
    def build(cls, law: Law, curve: Curve, *, loss: str, delta: float, space: str,
              fixed: dict | None = None, prior=None, noise: float | None = None,
              aggregate: bool | None = None) -> "Problem":
        """``prior`` (a literature.Prior) with ``noise`` (sd of one point's residual) adds one
        residual per prior target: (noise / sd) * (theta - mean). ``aggregate``: sum the
        replicates of each size exactly (:mod:`scalinglab.fitting.replicates`); by default when
        the sizes hold :data:`SUM_REPLICATES_FROM` points or more on average. The objective is
        the same either way."""
        obj.check_loss(loss, delta)
        if space not in SPACES:
            raise ScalingLabError(f"space must be one of {SPACES}, got {space!r}")
        if curve.n_inputs != law.n_inputs:
            raise ScalingLabError(
                f"law {law.name!r} takes {law.n_inputs} x column(s) but the curve has {curve.n_inputs} "
                f"({', '.join(curve.x_names)})")
        y = curve.y
        if space == "log":
            bad = np.flatnonzero(y <= 0)
            if bad.size:
                raise ScalingLabError(
                    f"column {curve.metric!r}, row {curve.labels[int(bad[0])]!r}: {y[bad[0]]!r} <= 0 cannot be "
                    "fitted in log space; use space='linear' or fix the row")
        unit = units(law, metric_scale(y))
        free, fixed_u, log_mask, lo, hi = _coordinates(law, fixed, unit)
        w = np.ones(curve.n) if curve.w is None else np.asarray(curve.w, float)
        rows = {}
        if prior is not None:
            targets = [(name, m, sd) for name, (m, sd) in prior.targets.items() if free[law.param_names.index(name)]]
            rows = dict(prior_idx=np.array([law.param_names.index(n) for n, _, _ in targets], int),
                        prior_mu=np.array([m for _, m, _ in targets], float),
                        prior_scale=np.array([noise / sd for _, _, sd in targets], float))
        target = np.log(y) if space == "log" else y
        if aggregate is None:
            aggregate = curve.n >= SUM_REPLICATES_FROM * curve.n_distinct
        if not aggregate:
            return cls(law, curve.columns, y, target, w, loss, delta, space, free, fixed_u, log_mask, lo, hi, unit,
                       **rows)
        sizes, row = np.unique(curve.x, axis=0, return_inverse=True)
        replicates = SizeRows.build(row.reshape(-1), target, w, len(sizes))
        cols = (sizes,) if sizes.ndim == 1 else tuple(sizes[:, j] for j in range(sizes.shape[1]))
        centre = np.exp(replicates.ref) if space == "log" else replicates.ref
        total = np.bincount(row.reshape(-1), weights=w, minlength=len(sizes))
        return cls(law, cols, centre, replicates.ref, total, loss, delta, space, free, fixed_u, log_mask, lo, hi,
                   unit, replicates=replicates, **rows)

    @classmethod
    def stacked(cls, law: Law, X: np.ndarray, Y: np.ndarray, W: np.ndarray, *, loss: str = "huber",
                delta: float = 1e-3) -> "Problem":
        """Many one-input curves at once, in log space: row b of X, Y, W (shape (B, n)) is a
        curve padded to n points (padding carries weight 0). Every batch of parameter vectors
        passed to the methods must be aligned with these rows; ``take`` selects rows."""
        obj.check_loss(loss, delta)
        X, Y, W = (np.asarray(a, float) for a in (X, Y, W))
        if not (X.shape == Y.shape == W.shape and X.ndim == 2):
            raise ScalingLabError("stacked curves need X, Y and W of one shape (curves, points)")
        if not (np.all(np.isfinite(Y) & (Y > 0)) and np.all(X > 0)):
            raise ScalingLabError("stacked curves need finite y > 0 and x > 0 (padding included)")
        scale = np.where(W > 0, Y, 0.0)
        unit = units(law, metric_scale(scale))
        return cls(law, (X,), Y, np.log(Y), W, loss, delta, "log", *_coordinates(law, None, np.ones(law.n_params)),
                   unit)

    @property
    def stacked_rows(self) -> bool:
        return self.y.ndim == 2

    def take(self, idx: np.ndarray) -> "Problem":
        """The problem restricted to batch rows ``idx`` (itself when not stacked)."""
        if not self.stacked_rows:
            return self
        return replace(self, cols=tuple(c[idx] for c in self.cols), y=self.y[idx], target=self.target[idx],
                       w=self.w[idx], unit=self.unit[idx] if self.unit.ndim == 2 else self.unit)

    def part(self, keep: np.ndarray) -> "Problem":
        """The same problem restricted to the points ``keep`` (a backtest's training part): the
        others weigh 0 and do not enter the residuals or the Jacobian, so the objective is that of
        the problem built on those points alone, without building (and validating) one again.
        Coordinates and bounds are shared, so solutions of both can be refined in one batch
        (:func:`scalinglab.fitting.optimize.levenberg_marquardt` with per-row ``counts``)."""
        if self.replicates is not None or self.stacked_rows:
            raise ScalingLabError("a part of a problem is for point rows of one curve (no summed replicates)")
        keep = np.asarray(keep, bool)
        return replace(self, w=np.where(keep, self.w, 0.0), dropped=~keep)

    def kept(self) -> tuple[tuple[np.ndarray, ...], np.ndarray, np.ndarray]:
        """(cols, y, w) of the points the problem fits (all, or those of its :meth:`part`)."""
        if self.dropped is None:
            return self.cols, self.y, self.w
        keep = ~self.dropped
        return tuple(c[keep] for c in self.cols), self.y[keep], self.w[keep]

    @property
    def n_free(self) -> int:
        return int(self.free.sum())

    @property
    def n_rows(self) -> int:
        """Residual rows: the data points, then one per prior target."""
        return self.y.shape[-1] + len(self.prior_idx)

    @property
    def multiplicity(self) -> np.ndarray:
        """Points behind each data row (1 each, or the replicates of a size)."""
        if self.replicates is None:
            return np.ones(self.y.shape[-1])
        return np.diff(self.replicates.start).astype(float)

    def weights(self, counts: np.ndarray | None = None) -> np.ndarray:
        """Per-row weights (data weights times bootstrap counts; 1 for prior rows); rows of the
        points, not of summed replicates (see :meth:`loss_data`)."""
        c = self.w if counts is None else counts * self.w
        if not len(self.prior_idx):
            return c
        ones = np.ones(c.shape[:-1] + (len(self.prior_idx),))
        return np.concatenate([c, ones], axis=-1)

    def loss_data(self, counts: np.ndarray | None = None) -> "LossData":
        """What the loss needs besides the residuals, made once per optimisation: per-row
        weights, or the prefix sums of the replicates (with bootstrap counts (B, points))."""
        if self.replicates is None:
            c = self.weights(counts)
            return LossData(np.atleast_2d(c), None, len(self.prior_idx))
        if counts is None:
            return self._unit_loss_data
        return LossData(None, self.replicates.sums(counts), len(self.prior_idx))

    @cached_property
    def _unit_loss_data(self) -> "LossData":
        """The prefix sums without bootstrap counts, made once per problem."""
        return LossData(None, self.replicates.sums(None), len(self.prior_idx))

    def terms(self, r: np.ndarray, data: "LossData", share: float = obj.SHARE_COLD, full: bool = True,
              sizes: bool = True):
        """For residuals r (B, rows) with NaN replaced: the summed loss (B,), and per row psi,
        the Gauss–Newton curvature, the sum of |weight x psi| and the total weight (all (B, rows));
        ``full=False`` skips the curvature and sizes (None: objective and gradient only; the
        optimiser's objective is called once per step, so this matters, issue 19); ``sizes=False``
        skips the last two for point rows (None; the optimiser's local model needs only psi and
        the curvature)."""
        if self.replicates is None:
            c = data.c
            cpsi = c * obj.psi(r, self.loss, self.delta)
            if not full:
                return np.sum(c * obj.rho(r, self.loss, self.delta), axis=-1), cpsi, None, None, None
            if not sizes:
                return (np.sum(c * obj.rho(r, self.loss, self.delta), axis=-1), cpsi,
                        c * obj.weight(r, self.loss, self.delta, share), None, None)
            total = np.broadcast_to(c, r.shape)
            return (np.sum(c * obj.rho(r, self.loss, self.delta), axis=-1), cpsi,
                    c * obj.weight(r, self.loss, self.delta, share), np.abs(cpsi), total)
        S = self.y.shape[-1]
        rho, psi, curv, size = self.replicates.terms(r[:, :S], data.sums, self.loss, self.delta, share, full)
        total = np.broadcast_to(data.sums.totals(self.replicates.start), psi.shape)
        if data.n_prior:
            p = r[:, S:]
            prior_psi = obj.psi(p, self.loss, self.delta)
            rho = np.concatenate([rho, obj.rho(p, self.loss, self.delta)], axis=1)
            psi = np.concatenate([psi, prior_psi], axis=1)
            curv = np.concatenate([curv, obj.weight(p, self.loss, self.delta, share)], axis=1)
            size = np.concatenate([size, np.abs(prior_psi)], axis=1)
            total = np.concatenate([total, np.ones_like(p)], axis=1)
        return rho.sum(axis=-1), psi, curv, size, total

    def _prior_rows(self, theta: np.ndarray) -> np.ndarray:
        return self.prior_scale * (theta[:, self.prior_idx] - self.prior_mu)

    # -- coordinates -----------------------------------------------------------------
    def to_u(self, theta: np.ndarray) -> np.ndarray:
        theta = np.atleast_2d(np.asarray(theta, float))
        with np.errstate(divide="ignore", invalid="ignore"):
            u = np.where(self.log_mask, np.log(theta), theta / self.unit)
        return np.where(self.free, np.clip(u, self.lo, self.hi), self.fixed_u)

    def to_theta(self, u: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            return np.where(self.log_mask, np.exp(u), u * self.unit)

    # -- residuals and objective --------------------------------------------------------
    def residuals(self, U: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            pred = self.law._predict(self.cols, self.to_theta(U))
            r = (np.log(pred) if self.space == "log" else pred) - self.target
        if self.dropped is not None:
            r[:, self.dropped] = 0.0
        if len(self.prior_idx):
            r = np.concatenate([r, self._prior_rows(self.to_theta(U))], axis=1)
        return np.where(np.isfinite(r), r, np.nan)

    def residuals_jac(self, U: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        theta = self.to_theta(U)
        with np.errstate(all="ignore"):
            pred, J = self.law._predict_jacobian(self.cols, theta)
            J = np.array(J, dtype=float, copy=True)
            # chain rule to u (d theta / d u = theta for log-scale parameters, the unit for the
            # others); fixed ones get 0
            J *= (np.where(self.log_mask, theta, self.unit) * self.free)[:, None, :]
            if self.space == "log":
                r = np.log(pred) - self.target
                J /= pred[..., None]
            else:
                r = pred - self.target
        if self.dropped is not None:
            r[:, self.dropped] = 0.0
            J[:, self.dropped] = 0.0
        if len(self.prior_idx):
            k, B = len(self.prior_idx), len(theta)
            Jp = np.zeros((B, k, theta.shape[1]))
            dtheta = np.where(self.log_mask, theta, self.unit) * self.free
            Jp[:, np.arange(k), self.prior_idx] = self.prior_scale * dtheta[:, self.prior_idx]
            r = np.concatenate([r, self._prior_rows(theta)], axis=1)
            J = np.concatenate([J, Jp], axis=1)
        return np.where(np.isfinite(r), r, np.nan), J

    def point_residuals(self, u: np.ndarray) -> np.ndarray:
        """Residuals of every point of the curve (n,) at one solution u, in the curve's order."""
        r = self.residuals(u[None])[:, :self.y.shape[-1]]
        return r[0] if self.replicates is None else self.replicates.residuals(r)[0]

    def objective(self, U: np.ndarray, counts: np.ndarray | None = None, r: np.ndarray | None = None,
                  data: "LossData | None" = None) -> np.ndarray:
        """Sum over points of count * weight * rho(residual); inf where a residual with weight is not finite."""
        if r is None:
            r = self.residuals(U)
        data = self.loss_data(counts) if data is None else data
        with np.errstate(invalid="ignore"):
            # residuals are finite or NaN (never inf), so this is nan_to_num at a tenth of its cost
            f = self.terms(np.where(np.isnan(r), 0.0, r), data, full=False)[0]
        weighted = data.row_weights(self, r.shape) > 0
        bad = np.any(np.isnan(r) & weighted, axis=-1)
        return np.where(bad, np.inf, f)

    def gradient(self, u: np.ndarray, counts: np.ndarray | None = None) -> tuple[float, np.ndarray]:
        """Objective and its exact gradient at one point u (for scipy polishing)."""
        r, J = self.residuals_jac(u[None])
        data = self.loss_data(counts)
        f = self.objective(u[None], r=r, data=data)[0]
        if not np.isfinite(f):
            return np.inf, np.zeros_like(u)
        psi = self.terms(r, data, full=False)[1]
        g = np.einsum("n,np->p", psi[0], J[0])
        return float(f), g


@dataclass(frozen=True)
class LossData:
    """Per-row weights (B or 1, rows) of point rows, or the prefix sums of summed replicates."""

    c: np.ndarray | None
    sums: Sums | None
    n_prior: int

    def take(self, idx) -> "LossData":
        if self.c is not None:
            return self if len(self.c) == 1 else LossData(self.c[idx], None, self.n_prior)
        return LossData(None, self.sums.take(idx), self.n_prior)

    def row_weights(self, problem: "Problem", shape) -> np.ndarray:
        """Total weight of each row (B or 1, rows): is a missing residual there counted?"""
        if self.c is not None:
            return self.c
        data = self.sums.totals(problem.replicates.start)
        return np.concatenate([data, np.ones((len(data), self.n_prior))], axis=1) if self.n_prior else data
