"""Batched optimisers: grid screening and Levenberg–Marquardt over many problems at once.

``levenberg_marquardt`` refines a batch of B parameter vectors together: one
Jacobian evaluation, one batched (p×p) solve per iteration for all of them, no
Python loop per start or per bootstrap resample. The Hessian model is Gauss–Newton
with IRLS weights (``objective.weight``), which makes it Levenberg–Marquardt for
least squares and a majorise–minimise step for the Huber loss; a step is kept only
if the true objective falls. Bounds are handled by projection with an active set:
a coordinate at its bound whose gradient points outward is held still.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from . import objective as obj
from .problem import Problem

#: Target number of (start, point) pairs evaluated in one vectorised chunk.
CHUNK_ELEMENTS = 2_000_000


@dataclass(frozen=True)
class BatchResult:
    U: np.ndarray           # (B, p) solutions in u space
    f: np.ndarray           # (B,) objectives
    converged: np.ndarray   # (B,) bool
    n_iter: np.ndarray      # (B,) iterations used


def screen(problem: Problem, U: np.ndarray, counts: np.ndarray | None = None) -> np.ndarray:
    """Objective at every row of U, evaluated in memory-bounded vectorised chunks."""
    n = len(problem.y)
    step = max(1, CHUNK_ELEMENTS // max(n, 1))
    return np.concatenate([problem.objective(U[i:i + step], None if counts is None else counts[i:i + step])
                           for i in range(0, len(U), step)]) if len(U) else np.empty(0)


def _gradient_and_model(problem: Problem, U: np.ndarray, c: np.ndarray):
    r, J = problem.residuals_jac(U)
    r0 = np.nan_to_num(r, nan=0.0)
    g = np.einsum("bn,bnp->bp", c * obj.psi(r0, problem.loss, problem.delta), J)
    Jw = J * (c * obj.weight(r0, problem.loss, problem.delta))[..., None]
    H = np.matmul(Jw.transpose(0, 2, 1), J)
    return g, H


def levenberg_marquardt(problem: Problem, U0: np.ndarray, counts: np.ndarray | None = None, *,
                        max_iter: int = 300, ftol: float = 1e-13, xtol: float = 1e-11,
                        gtol: float = 1e-12) -> BatchResult:
    """Minimise the problem's objective from each row of ``U0`` (optionally with per-row
    point counts, shape (B, n), for the bootstrap); see the module docstring."""
    U = np.array(U0, float)
    B, p = U.shape
    c = np.broadcast_to(problem.w if counts is None else counts * problem.w, (B, len(problem.y)))
    f = problem.objective(U, None if counts is None else counts)
    lam = np.full(B, 1e-3)
    active = np.isfinite(f)
    converged = np.zeros(B, bool)
    n_iter = np.zeros(B, int)
    g = np.zeros((B, p))
    H = np.zeros((B, p, p))
    stale = active.copy()
    eye = np.eye(p)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        recompute = idx[stale[idx]]
        if recompute.size:
            g[recompute], H[recompute] = _gradient_and_model(problem, U[recompute], c[recompute])
            stale[recompute] = False
        Ui, gi, Hi = U[idx], g[idx].copy(), H[idx].copy()
        # Active set: hold fixed parameters and bound-pressed coordinates still.
        held = ~problem.free | ((Ui <= problem.lo) & (gi > 0)) | ((Ui >= problem.hi) & (gi < 0))
        gi[held] = 0.0
        Hi[held[:, :, None] | held[:, None, :]] = 0.0
        diag = np.einsum("bii->bi", Hi)
        scale = np.maximum(diag, 1e-12 * np.maximum(diag.max(axis=1, keepdims=True), 1e-300))
        A = Hi + (lam[idx, None] * scale)[:, :, None] * eye + held[:, :, None] * eye
        try:
            step = -np.linalg.solve(A, gi[..., None])[..., 0]
        except np.linalg.LinAlgError:
            step = -np.stack([np.linalg.lstsq(a, b, rcond=None)[0] for a, b in zip(A, gi)])
        step[held] = 0.0
        U_try = np.clip(Ui + step, problem.lo, problem.hi)
        f_try = problem.objective(U_try, None if counts is None else counts[idx])
        better = np.isfinite(f_try) & (f_try < f[idx])
        decrease = np.where(better, f[idx] - f_try, 0.0)
        moved = np.max(np.abs(U_try - Ui), axis=1)
        n_iter[idx] += 1
        take = idx[better]
        U[take], f[take] = U_try[better], f_try[better]
        stale[take] = True
        lam[idx] = np.where(better, np.maximum(lam[idx] / 5.0, 1e-12), lam[idx] * 8.0)
        grad_small = np.max(np.abs(gi), axis=1) <= gtol * np.maximum(1.0, np.abs(f[idx]))
        small_f = better & (decrease <= ftol * np.maximum(np.abs(f[idx]), 1e-300))
        small_x = moved <= xtol * (1.0 + np.max(np.abs(Ui), axis=1))
        done = grad_small | small_f | (small_x & better) | (lam[idx] > 1e16)
        converged[idx] = done & (lam[idx] <= 1e16) | grad_small
        active[idx[done]] = False
    return BatchResult(U, f, converged, n_iter)


def polish(problem: Problem, u0: np.ndarray, *, max_iter: int = 2000) -> tuple[np.ndarray, float, bool]:
    """Tighten one solution with L-BFGS-B and the exact gradient (scipy), within bounds."""
    free = problem.free
    if not free.any():
        return u0, float(problem.objective(u0[None])[0]), True

    def fun(v):
        u = u0.copy()
        u[free] = v
        f, g = problem.gradient(u)
        return f, g[free]

    bounds = [(None if not np.isfinite(a) else a, None if not np.isfinite(b) else b)
              for a, b in zip(problem.lo[free], problem.hi[free])]
    out = optimize.minimize(fun, u0[free], jac=True, method="L-BFGS-B", bounds=bounds,
                            options={"maxiter": max_iter, "ftol": 1e-15, "gtol": 1e-14, "maxcor": 30})
    u = u0.copy()
    u[free] = out.x
    return u, float(out.fun), bool(out.success)
