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

import itertools
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
    n = problem.y.shape[-1]
    step = max(1, CHUNK_ELEMENTS // max(n, 1))
    return np.concatenate([problem.take(slice(i, i + step)).objective(U[i:i + step],
                                                                       None if counts is None else counts[i:i + step])
                           for i in range(0, len(U), step)]) if len(U) else np.empty(0)


def separable_starts(problem: Problem, theta_grid: np.ndarray, *, distinct: bool = True) -> np.ndarray:
    """Variable projection of a start grid: keep each distinct setting of the nonlinear
    parameters and solve the law's ``linear_params`` (coefficients such as E, A, B of
    Chinchilla) by non-negative weighted least squares.

    For fixed exponents the prediction is linear in the coefficients, y ≈ offset + Φ θ_lin,
    with basis Φ = ∂ŷ/∂θ_lin (the law's own Jacobian). Residuals are weighted by 1/y in log
    space (log ŷ − log y ≈ (ŷ − y)/y). Non-negativity is exact: every active set of the
    (at most a few) bounded coefficients is tried, batched, and the best feasible kept.
    Returns one start per distinct nonlinear setting (Golub & Pereyra 1973 in spirit); with
    ``distinct=False`` one per grid row, aligned with a stacked problem's rows, and rows whose
    coefficients could not be solved get NaN.
    """
    law = problem.law
    names = law.param_names
    lin = np.array([names.index(p) for p in law.linear_params if problem.free[names.index(p)]], int)
    if lin.size == 0:
        return theta_grid
    nonlin = np.setdiff1d(np.arange(len(names)), lin)
    if not distinct:
        heads = theta_grid[:, nonlin]
    else:
        heads = np.unique(theta_grid[:, nonlin], axis=0) if nonlin.size else theta_grid[:1, nonlin]
    T = np.empty((len(heads), len(names)))
    T[:, nonlin] = heads
    T[:, lin] = 0.0
    fixed = ~problem.free
    T[:, fixed] = problem.to_theta(np.broadcast_to(problem.fixed_u, T.shape))[:, fixed]
    cols, y, w = problem.kept() if not problem.stacked_rows else (problem.cols, problem.y, problem.w)
    with np.errstate(all="ignore"):
        offset = law._predict(cols, T)
        T[:, lin] = 1.0
        basis = law._jacobian(cols, T)[:, :, lin]            # (S, n, k)
    scale = np.sqrt(w) / (y if problem.space == "log" else 1.0)
    A = basis * scale[..., None]
    b = (y - offset) * scale
    lo, _ = law.bound_arrays()
    bounded = lo[lin] >= 0
    best_sse = np.full(len(T), np.inf)
    best = np.zeros((len(T), lin.size))
    for keep in itertools.product(*[(True, False) if bd else (True,) for bd in bounded]):
        keep = np.array(keep)
        if not keep.any():
            coef = np.zeros((len(T), lin.size))
        else:
            Ak = A[:, :, keep]
            with np.errstate(all="ignore"):
                sol = np.matmul(np.linalg.pinv(Ak), b[..., None])[..., 0]
            coef = np.zeros((len(T), lin.size))
            coef[:, keep] = sol
        with np.errstate(all="ignore"):
            sse = np.sum((np.einsum("snk,sk->sn", A, coef) - b) ** 2, axis=1)
        ok = np.all(np.isfinite(coef), axis=1) & np.all((coef >= 0) | ~bounded, axis=1) & (sse < best_sse)
        best_sse = np.where(ok, sse, best_sse)
        best[ok] = coef[ok]
    # log-scale coefficients must stay positive: a zero becomes a negligible value
    tiny = 1e-9 * float(np.max(np.abs(y)))
    log_lin = problem.log_mask[lin]
    best[:, log_lin] = np.maximum(best[:, log_lin], tiny)
    T[:, lin] = best
    if not distinct:
        T[~np.isfinite(best_sse)] = np.nan
        return T
    return T[np.isfinite(best_sse)]


#: With ``stall_rtol`` > 0, a start whose objective fell by less than that (relative)
#: over the last STALL_WINDOW iterations stops: it is crawling along a flat valley (an
#: unidentified direction, e.g. M4's y0 with alpha, or a BNSL break beyond the data).
STALL_WINDOW = 25

#: Batches up to this many (start, point) pairs solve each step by QR of the weighted
#: Jacobian (stable: never squares its condition number, needed for NIST Bennett5);
#: larger batches (bootstrap) use the normal equations, about 5x cheaper per step.
QR_MAX_ELEMENTS = 200_000


@dataclass
class _Model:
    """The local quadratic model at the current points of a batch, in Jacobi-scaled
    coordinates z = D (u' - u): gradient g, scale d, held coordinates, and either the
    scaled Gauss–Newton matrix ``H`` or its QR factor ``R`` with ``qtr`` = Q^T r."""

    g: np.ndarray
    d: np.ndarray
    held: np.ndarray
    H: np.ndarray | None = None
    R: np.ndarray | None = None
    qtr: np.ndarray | None = None


def _marquardt_scale(col_norms: np.ndarray) -> np.ndarray:
    """Column scaling D (Marquardt 1963), floored so that a dead column cannot blow up a step."""
    return np.maximum(col_norms, 1e-7 * np.maximum(col_norms.max(axis=1, keepdims=True), 1e-150))


@np.errstate(invalid="ignore", divide="ignore")   # a non-finite Jacobian gives a NaN step, rejected later
def _local_model(problem: Problem, U: np.ndarray, data, use_qr: bool, share: float,
                 dead: np.ndarray | None = None) -> _Model:
    r, J = problem.residuals_jac(U)
    if dead is not None:                                 # rows outside a row's part: see levenberg_marquardt
        r[dead] = 0.0
        J[dead] = 0.0
    r0 = np.where(np.isnan(r), 0.0, r)                   # finite or NaN (never inf): nan_to_num, cheaper
    _, cpsi, curvature, _, _ = problem.terms(r0, data, share, sizes=False)
    g = np.einsum("bn,bnp->bp", cpsi, J)
    # Active set: hold fixed parameters and bound-pressed coordinates still.
    held = ~problem.free | ((U <= problem.lo) & (g > 0)) | ((U >= problem.hi) & (g < 0))
    g[held] = 0.0
    sw = np.sqrt(curvature)
    Jw = J
    Jw *= sw[..., None]                                  # in place: J is not needed again
    if not use_qr:
        H = np.matmul(Jw.transpose(0, 2, 1), Jw)
        H[held[:, :, None] | held[:, None, :]] = 0.0
        d = _marquardt_scale(np.sqrt(np.einsum("bii->bi", H)))
        return _Model(g / d, d, held, H=H / (d[:, :, None] * d[:, None, :]))
    Jw *= ~held[:, None, :]
    d = _marquardt_scale(np.sqrt(np.einsum("bnp,bnp->bp", Jw, Jw)))
    Jw /= d[:, None, :]
    rw = np.where(sw > 0, cpsi / sw, 0.0)                # so that Jw^T rw = D^-1 g
    aug = np.concatenate([Jw, rw[..., None]], axis=-1)
    p = U.shape[1]
    if aug.shape[1] < p + 1:
        aug = np.concatenate([aug, np.zeros((len(U), p + 1 - aug.shape[1], p + 1))], axis=1)
    Rf = np.linalg.qr(aug, mode="r")
    return _Model(g / d, d, held, R=Rf[:, :p, :p], qtr=Rf[:, :p, p])


def _step(model: _Model, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Minimiser of the damped model, (J'J + lam I) z = -g in scaled coordinates.

    Returns the step u' - u and the reduction the quadratic model predicts for it,
    (lam |z|^2 - g.z) / 2 (Madsen, Nielsen & Tingleff 2004, eq. 3.14)."""
    B, p = model.g.shape
    damp = lam[:, None] + model.held
    if model.R is None:
        A = model.H + damp[:, :, None] * np.eye(p)
        try:
            z = -np.linalg.solve(A, model.g[..., None])[..., 0]
        except np.linalg.LinAlgError:
            z = -np.stack([np.linalg.lstsq(a, b, rcond=None)[0] for a, b in zip(A, model.g)])
    else:
        # least squares of [R; sqrt(damp) I] z = [-Q'r; 0], by a second small QR
        M = np.concatenate([model.R, np.sqrt(damp)[:, :, None] * np.eye(p)], axis=1)
        rhs = np.concatenate([-model.qtr, np.zeros((B, p))], axis=1)
        R2 = np.linalg.qr(np.concatenate([M, rhs[..., None]], axis=-1), mode="r")
        with np.errstate(all="ignore"):
            z = np.linalg.solve(R2[:, :p, :p], R2[:, :p, p:])[..., 0]
    z[model.held] = 0.0
    predicted = 0.5 * (np.sum(damp * z * z, axis=1) - np.sum(model.g * z, axis=1))
    return z / model.d, predicted


def levenberg_marquardt(problem: Problem, U0: np.ndarray, counts: np.ndarray | None = None, *,
                        max_iter: int = 300, ftol: float = 1e-13, xtol: float = 1e-11,
                        gtol: float = 1e-12, irls_share: float = obj.SHARE_COLD,
                        stall_rtol: float = 0.0, use_qr: bool | None = None,
                        parts: bool = False) -> BatchResult:
    """Minimise the problem's objective from each row of ``U0`` (optionally with per-row
    point counts, shape (B, n), for the bootstrap); see the module docstring and
    ``objective`` for ``irls_share``. ``use_qr``: solve steps by QR (True) or the normal
    equations (False); by default QR for batches up to QR_MAX_ELEMENTS (start, point) pairs.
    Fix it where results must not depend on how many rows share the batch. ``parts``: the rows
    fit different parts of one curve (``counts`` 0 outside each row's part, as
    :meth:`Problem.part`): residuals and Jacobian rows outside a row's part are set to 0."""
    U = np.array(U0, float)
    B, p = U.shape
    n = problem.n_rows
    data = problem.loss_data(counts)                     # weights or prefix sums, made once
    dead = (np.broadcast_to(data.c, (B, n)) == 0) if parts else None
    use_qr = B * n <= QR_MAX_ELEMENTS if use_qr is None else use_qr
    f = problem.objective(U, data=data)
    lam = np.full(B, 1e-3)
    nu = np.full(B, 2.0)
    active = np.isfinite(f)
    converged = np.zeros(B, bool)
    n_iter = np.zeros(B, int)
    f_mark, it_mark = f.copy(), np.zeros(B, int)
    models: dict[str, np.ndarray] = {}
    stale = active.copy()
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        recompute = idx[stale[idx]]
        if recompute.size:
            fresh = _local_model(problem.take(recompute), U[recompute], data.take(recompute), use_qr, irls_share,
                                 None if dead is None else dead[recompute])
            for key, value in vars(fresh).items():
                if value is not None:
                    models.setdefault(key, np.zeros((B,) + value.shape[1:], value.dtype))[recompute] = value
            stale[recompute] = False
        model = _Model(**(models if idx.size == B else {key: value[idx] for key, value in models.items()}))
        Ui = U[idx]
        step, predicted = _step(model, lam[idx])
        U_try = np.clip(Ui + step, problem.lo, problem.hi)
        f_try = problem.take(idx).objective(U_try, data=data.take(idx))
        better = np.isfinite(f_try) & (f_try < f[idx])
        decrease = np.where(better, f[idx] - f_try, 0.0)
        with np.errstate(invalid="ignore"):              # a NaN step is rejected below anyway
            moved = np.max(np.abs(U_try - Ui), axis=1)
        n_iter[idx] += 1
        take = idx[better]
        U[take], f[take] = U_try[better], f_try[better]
        stale[take] = True
        # Nielsen's damping update (Madsen, Nielsen & Tingleff 2004, eq. 3.16)
        gain = decrease / np.maximum(predicted, 1e-300)
        lam[idx] = np.where(better, lam[idx] * np.maximum(1 / 3, 1 - (2 * np.minimum(gain, 1.0) - 1) ** 3),
                            lam[idx] * nu[idx])
        lam[idx] = np.maximum(lam[idx], 1e-15)
        nu[idx] = np.where(better, 2.0, nu[idx] * 2.0)
        with np.errstate(invalid="ignore"):
            grad_small = np.max(np.abs(model.g * model.d), axis=1) <= gtol * np.maximum(1.0, np.abs(f[idx]))
        small_f = better & (decrease <= ftol * np.maximum(np.abs(f[idx]), 1e-300))
        small_x = moved <= xtol * (1.0 + np.max(np.abs(Ui), axis=1))
        stuck = lam[idx] > 1e16
        window = n_iter[idx] - it_mark[idx] >= STALL_WINDOW
        stalled = window & (f_mark[idx] - f[idx] <= stall_rtol * np.abs(f[idx]))
        f_mark[idx] = np.where(window, f[idx], f_mark[idx])
        it_mark[idx] = np.where(window, n_iter[idx], it_mark[idx])
        done = grad_small | small_f | (small_x & better) | stuck | stalled
        # "stuck": even tiny steps along the gradient no longer lower f, i.e. a minimum up
        # to rounding; only running out of iterations counts as not converged
        converged[idx] = done
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


#: A solution counts as converged when the gradient of every free coordinate (not held at a
#: bound) is below this share of the sum of the absolute per-point terms that make it up ...
GRAD_RTOL = 1e-6
#: ... or below the gradient that residuals of this size would give (log space: relative
#: errors of 1e-13, far below any measurement; linear space: 1e-13 of the typical value), so
#: that a curve fitted exactly, whose residuals are rounding noise, also counts as converged.
RESIDUAL_ATOL = 1e-13


def stationary(problem: Problem, u: np.ndarray, counts: np.ndarray | None = None, rtol: float = GRAD_RTOL) -> bool:
    r"""Is ``u`` a stationary point of the problem's objective (within its bounds)?

    The optimisers stop for several reasons (small steps, a stalled decrease, a damping that
    blew up, an iteration limit); none of them proves an optimum, and on a Huber loss with a
    tiny threshold both Levenberg–Marquardt and L-BFGS-B stop short while "succeeding". So
    ``converged`` is decided here, on the exact gradient :math:`g_j = \sum_i c_i\psi(r_i)J_{ij}`
    (the objective is C¹ for both losses): every free coordinate not held at a bound needs
    :math:`|g_j| \le` ``rtol`` :math:`\cdot\sum_i |c_i\psi(r_i)J_{ij}|` (its terms cancel), or
    :math:`|g_j| \le \sum_i |c_i\psi(\tau_i)J_{ij}|` with :math:`\tau_i` = ``RESIDUAL_ATOL``
    (relative): residuals at rounding level. The test is scale-free.
    """
    r, J = problem.residuals_jac(u[None])
    if not np.all(np.isfinite(r)):
        return False
    data = problem.loss_data(counts)
    n = problem.y.shape[-1]
    tau = np.full(r.shape[1], RESIDUAL_ATOL)
    if problem.space == "linear":
        tau[:n] *= np.abs(problem.target) + np.mean(np.abs(problem.target))
    with np.errstate(invalid="ignore", over="ignore"):
        _, psi, _, size_rows, total = problem.terms(r, data)
        terms = psi[0][:, None] * J[0]
        size = (size_rows[0][:, None] * np.abs(J[0])).sum(axis=0)
        rounding = ((total[0] * np.abs(obj.psi(tau, problem.loss, problem.delta)))[:, None] * np.abs(J[0])).sum(axis=0)
    if not (np.all(np.isfinite(terms)) and np.all(np.isfinite(size))):
        return False
    g = terms.sum(axis=0)
    held = ~problem.free | ((u <= problem.lo) & (g > 0)) | ((u >= problem.hi) & (g < 0))
    return bool(np.all(held | (np.abs(g) <= np.maximum(rtol * size, rounding))))
