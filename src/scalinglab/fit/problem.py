"""A fitting problem: one law, one curve, one loss, in the optimiser's coordinates.

Parameters listed in ``law.log_scale`` are optimised as their logarithm (u = log θ),
which keeps them positive and makes, for example, the Chinchilla prediction the
log-sum-exp form used by Hoffmann et al. 2022. Other parameters keep their natural
scale with box bounds. Fixed parameters never move.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..curves import Curve
from ..errors import ScalingLabError
from ..laws.base import Law
from . import objective as obj

SPACES = ("log", "linear")


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

    @classmethod
    def build(cls, law: Law, curve: Curve, *, loss: str, delta: float, space: str,
              fixed: dict | None = None, prior=None, noise: float | None = None) -> "Problem":
        """``prior`` (a literature.Prior) with ``noise`` (sd of one point's residual) adds one
        residual per prior target: (noise / sd) * (theta - mean)."""
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
        return cls(law, curve.columns, y, np.log(y) if space == "log" else y, w, loss, delta, space,
                   free, fixed_u, log_mask, lo, hi, unit, **rows)

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

    @property
    def n_free(self) -> int:
        return int(self.free.sum())

    @property
    def n_rows(self) -> int:
        """Residual rows: the data points, then one per prior target."""
        return self.y.shape[-1] + len(self.prior_idx)

    def weights(self, counts: np.ndarray | None = None) -> np.ndarray:
        """Per-row weights (data weights times bootstrap counts; 1 for prior rows)."""
        c = self.w if counts is None else counts * self.w
        if not len(self.prior_idx):
            return c
        ones = np.ones(c.shape[:-1] + (len(self.prior_idx),))
        return np.concatenate([c, ones], axis=-1)

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
        if len(self.prior_idx):
            k, B = len(self.prior_idx), len(theta)
            Jp = np.zeros((B, k, theta.shape[1]))
            dtheta = np.where(self.log_mask, theta, self.unit) * self.free
            Jp[:, np.arange(k), self.prior_idx] = self.prior_scale * dtheta[:, self.prior_idx]
            r = np.concatenate([r, self._prior_rows(theta)], axis=1)
            J = np.concatenate([J, Jp], axis=1)
        return np.where(np.isfinite(r), r, np.nan), J

    def objective(self, U: np.ndarray, counts: np.ndarray | None = None, r: np.ndarray | None = None) -> np.ndarray:
        """Sum over points of count * weight * rho(residual); inf where any residual is not finite."""
        if r is None:
            r = self.residuals(U)
        c = self.weights(counts)
        with np.errstate(invalid="ignore"):
            f = np.sum(c * obj.rho(np.nan_to_num(r, nan=0.0), self.loss, self.delta), axis=-1)
        bad = np.any(np.isnan(r) & (c > 0), axis=-1)
        return np.where(bad, np.inf, f)

    def gradient(self, u: np.ndarray, counts: np.ndarray | None = None) -> tuple[float, np.ndarray]:
        """Objective and its exact gradient at one point u (for scipy polishing)."""
        r, J = self.residuals_jac(u[None])
        c = self.weights(counts)
        f = self.objective(u[None], counts, r)[0]
        if not np.isfinite(f):
            return np.inf, np.zeros_like(u)
        g = np.einsum("n,np->p", c * obj.psi(r[0], self.loss, self.delta), J[0])
        return float(f), g
