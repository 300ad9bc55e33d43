"""Compute budgets: compute-optimal allocation (closed form or numeric), the IsoFLOP method,
and the inference-aware optimum."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._answer import Answer
from ..defaults import LEVEL
from ..curves import Curve
from ..errors import ScalingLabError
from ..fitting.result import FitResult
from ._common import check_level, check_target, interval, num, number, require_fit, span, with_draws

__all__ = ["ComputeOptimal", "compute_optimal", "IsoFlop", "isoflop", "InferenceOptimal", "inference_optimal"]

#: Points per log-grid search of N (then refined by a parabola through the best three).
GRID = 4000
#: Bootstrap draws used for the intervals of the inference-aware optimum (each needs a
#: full inverse of the law on the N grid).
INFERENCE_DRAWS = 200


def _require_joint(fit: FitResult) -> None:
    require_fit(fit)
    if fit.curve.n_inputs < 2:
        raise ScalingLabError(f"needs a joint law of (N, D) such as chinchilla or kaplan; this fit is "
                              f"{fit.law.name} on one x column")


def _extra_columns(fit: FitResult, unique_tokens, unique_params) -> list:
    extra = []
    if fit.law.n_inputs >= 3:
        if unique_tokens is None:
            raise ScalingLabError(f"law {fit.law.name!r} needs unique_tokens= (the unique data available)")
        extra.append(float(unique_tokens))
    if fit.law.n_inputs >= 4:
        if unique_params is None:
            raise ScalingLabError(f"law {fit.law.name!r} needs unique_params= (U_N)")
        extra.append(float(unique_params))
    return extra


def _argmin_log(t: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``values`` (over the log grid ``t``): the minimiser, refined by the vertex of
    the parabola through the best grid point and its neighbours, and the minimum."""
    values = np.where(np.isfinite(values), values, np.inf)
    i = np.clip(np.argmin(values, axis=1), 1, len(t) - 2)
    rows = np.arange(len(values))
    y0, y1, y2 = values[rows, i - 1], values[rows, i], values[rows, i + 1]
    h = t[1] - t[0]
    with np.errstate(all="ignore"):
        shift = 0.5 * h * (y0 - y2) / (y0 - 2 * y1 + y2)
        vertex = y1 - 0.25 * (y0 - y2) * shift / h
    ok = np.isfinite(shift) & (np.abs(shift) <= h)
    return np.where(ok, t[i] + shift, t[i]), np.where(ok, vertex, y1)


@dataclass(frozen=True)
class ComputeOptimal(Answer):
    """Answer of :func:`compute_optimal`."""

    flops: float
    n_params: float
    n_params_interval: tuple[float, float]
    n_tokens: float
    n_tokens_interval: tuple[float, float]
    loss: float
    loss_interval: tuple[float, float]
    params_exponent: float | None      # N_opt ∝ C^a (closed form only)
    tokens_exponent: float | None
    level: float
    method: str

    @property
    def tokens_per_param(self) -> float:
        return self.n_tokens / self.n_params

    def __str__(self) -> str:
        pct = f"{self.level:.0%}"
        text = (f"With {self.flops:.3g} FLOPs, train about {num(self.n_params)} parameters ({pct} interval "
                f"{span(self.n_params_interval)}) on {num(self.n_tokens)} "
                f"tokens ({span(self.n_tokens_interval)}), "
                f"{self.tokens_per_param:.1f} tokens per parameter; predicted loss {self.loss:.4g}")
        if self.params_exponent is not None:
            text += f"; N_opt ∝ C^{self.params_exponent:.3f}, D_opt ∝ C^{self.tokens_exponent:.3f}"
        return text + f" ({self.method})."


def compute_optimal(fit: FitResult, flops: float, *, flops_per_param_token: float = 6.0,
                    unique_tokens: float | None = None, unique_params: float | None = None,
                    level: float = LEVEL) -> ComputeOptimal:
    r"""Split a compute budget C = k·N·D (k = ``flops_per_param_token``, 6 for training a dense
    transformer, Kaplan et al. 2020) between parameters N and tokens D to minimise the loss.

    Chinchilla fits use the closed form of Hoffmann et al. 2022 (appendix D.2):

    .. math:: N_{opt} = G\,(C/k)^{\beta/(\alpha+\beta)},\quad
              D_{opt} = G^{-1}(C/k)^{\alpha/(\alpha+\beta)},\quad
              G = \left(\frac{\alpha A}{\beta B}\right)^{1/(\alpha+\beta)}

    (N_opt grows as C^0.4516 with α = 0.34, β = 0.28; D_opt as C^0.5484). Other joint laws
    (Kaplan, data-constrained: give ``unique_tokens``) are minimised numerically over a fine
    grid of log N. Intervals: the same computation for every bootstrap draw.
    """
    _require_joint(fit)
    level = check_level(level)
    flops = number(flops, "flops", low=0.0)
    flops_per_param_token = number(flops_per_param_token, "flops_per_param_token", low=0.0)
    fit = with_draws(fit, level)
    thetas = np.vstack([fit.theta, fit.draws])
    budget = flops / flops_per_param_token
    extra = _extra_columns(fit, unique_tokens, unique_params)
    exponents = (None, None)
    if fit.law.name == "chinchilla":
        e, a, b, alpha, beta = thetas.T
        with np.errstate(all="ignore"):
            g = (alpha * a / (beta * b)) ** (1 / (alpha + beta))
            n_opt = g * budget ** (beta / (alpha + beta))
        d_opt = budget / n_opt
        exponents = (float(beta[0] / (alpha[0] + beta[0])), float(alpha[0] / (alpha[0] + beta[0])))
        method = "closed form of Hoffmann et al. 2022"
    else:
        t = np.linspace(0.05, 0.95, GRID) * np.log(budget)          # N from budget^0.05 to budget^0.95
        n = np.exp(t)
        x = np.column_stack([n, budget / n] + [np.full_like(n, v) for v in extra])
        with np.errstate(all="ignore"):
            losses = fit.law.predict(x, thetas)
        t_opt, _ = _argmin_log(t, losses)
        n_opt = np.exp(t_opt)
        d_opt = budget / n_opt
        method = f"numeric minimum of the {fit.law.name} law over log N"
    if not (n_opt[0] >= 1 and d_opt[0] >= 1):
        raise ScalingLabError(f"a budget of {flops:.3g} FLOPs is too small: its optimum has {n_opt[0]:.3g} parameters "
                              f"and {d_opt[0]:.3g} tokens (less than one of either)")
    # the loss of each parameter vector (estimate, then draws) at its own optimum
    optima = np.column_stack([n_opt, d_opt] + [np.full(len(n_opt), v) for v in extra])
    with np.errstate(all="ignore"):
        losses_at_optima = np.diagonal(fit.law.predict(optima, thetas))
    losses_at_optima = fit.metric.to_metric(losses_at_optima)         # the metric's own terms
    loss, draw_losses = float(losses_at_optima[0]), losses_at_optima[1:]
    return ComputeOptimal(flops=float(flops), n_params=float(n_opt[0]), n_params_interval=interval(n_opt[1:], level),
                          n_tokens=float(d_opt[0]), n_tokens_interval=interval(d_opt[1:], level), loss=loss,
                          loss_interval=interval(draw_losses, level), params_exponent=exponents[0],
                          tokens_exponent=exponents[1], level=level, method=method)


@dataclass(frozen=True)
class IsoFlop(Answer):
    """Answer of :func:`isoflop`: the per-budget minima and the fitted allocation exponents."""

    table: pd.DataFrame                    # one row per budget: flops, n_opt, d_opt, loss_min, points
    params_exponent: float                 # N_opt ∝ C^a
    params_exponent_interval: tuple[float, float]
    tokens_exponent: float                 # D_opt ∝ C^b
    tokens_exponent_interval: tuple[float, float]
    level: float

    def n_params(self, flops: float) -> float:
        """N_opt at a budget, from the fitted power law of the per-budget minima."""
        slope, intercept = np.polyfit(np.log(self.table["flops"]), np.log(self.table["n_opt"]), 1)
        return float(np.exp(intercept + slope * np.log(flops)))

    def __str__(self) -> str:
        pct = f"{self.level:.0%}"
        return (f"IsoFLOP minima over {len(self.table)} budgets: N_opt ∝ C^{self.params_exponent:.3f} ({pct} "
                f"interval {self.params_exponent_interval[0]:.3f}–{self.params_exponent_interval[1]:.3f}), "
                f"D_opt ∝ C^{self.tokens_exponent:.3f} ({self.tokens_exponent_interval[0]:.3f}–"
                f"{self.tokens_exponent_interval[1]:.3f}).")


def _parabola_minima(t: np.ndarray, loss: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Weighted least-squares parabolas loss ~ c0 + c1 t + c2 t^2 for each row of ``counts``
    (B, m); returns the minimiser -c1 / (2 c2) per row (NaN where c2 <= 0)."""
    V = np.column_stack([np.ones_like(t), t, t * t])
    A = np.einsum("bm,mi,mj->bij", counts, V, V)
    rhs = np.einsum("bm,mi,m->bi", counts, V, loss)
    with np.errstate(all="ignore"):
        coef = np.linalg.solve(A + 1e-12 * np.eye(3), rhs[..., None])[..., 0]
        return np.where(coef[:, 2] > 0, -coef[:, 1] / (2 * coef[:, 2]), np.nan)


def isoflop(curve: Curve, *, budgets=None, flops_per_param_token: float = 6.0, n_boot: int = 1000,
            seed: int = 0, level: float = LEVEL) -> IsoFlop:
    """Hoffmann et al. 2022, approach 2: for each compute budget, fit a parabola to the loss
    as a function of log N, take its minimum N_opt (and D_opt = C / (k N_opt)); then fit
    N_opt ∝ C^a and D_opt ∝ C^b by least squares in log space. ``curve`` has x = (N, D);
    ``budgets`` gives each point's budget (default: k·N·D rounded to 3 significant digits).
    Intervals: bootstrap of the points within each budget, all parabolas refitted at once.
    """
    level = check_level(level)
    if curve.n_inputs != 2:
        raise ScalingLabError("isoflop needs a curve with x = (N, D)")
    n, d = curve.columns
    c = flops_per_param_token * n * d if budgets is None else np.asarray(budgets, float)
    if len(c) != curve.n:
        raise ScalingLabError(f"budgets has {len(c)} values for {curve.n} points")
    if budgets is None:
        c = np.array([float(f"{v:.3g}") for v in c])
    groups = [np.flatnonzero(c == b) for b in np.unique(c)]
    groups = [g for g in groups if len(np.unique(n[g])) >= 3]
    if len(groups) < 2:
        raise ScalingLabError("isoflop needs at least 2 budgets with 3 or more distinct model sizes each")
    rng = np.random.default_rng(seed)
    rows, boot_t = [], []
    for g in groups:
        t, loss = np.log(n[g]), curve.y[g]
        counts = np.vstack([np.ones(len(g)), rng.multinomial(len(g), np.full(len(g), 1 / len(g)), size=n_boot)])
        t_opt = _parabola_minima(t, loss, counts)
        if not np.isfinite(t_opt[0]):
            raise ScalingLabError(f"the losses at budget {c[g[0]]:.3g} do not curve upwards in log N: no minimum")
        budget = float(c[g[0]])
        rows.append({"flops": budget, "n_opt": float(np.exp(t_opt[0])),
                     "d_opt": budget / (flops_per_param_token * float(np.exp(t_opt[0]))),
                     "loss_min": float(np.min(loss)), "points": len(g)})
        boot_t.append(t_opt[1:])
    table = pd.DataFrame(rows)
    log_c = np.log(table["flops"].to_numpy())
    a = float(np.polyfit(log_c, np.log(table["n_opt"]), 1)[0])
    boot_t = np.array(boot_t)                                 # (budgets, n_boot)
    ok = np.all(np.isfinite(boot_t), axis=0)
    centred = log_c - log_c.mean()
    slopes = centred @ (boot_t[:, ok] - boot_t[:, ok].mean(axis=0)) / (centred @ centred)
    # D_opt = C / (k N_opt) so its exponent is exactly 1 - a, draw by draw
    return IsoFlop(table=table, params_exponent=a, params_exponent_interval=interval(slopes, level),
                   tokens_exponent=1 - a, tokens_exponent_interval=interval(1 - slopes, level), level=level)


@dataclass(frozen=True)
class InferenceOptimal(Answer):
    """Answer of :func:`inference_optimal`, next to the training-only optimum for the same loss."""

    target_loss: float
    inference_tokens: float
    n_params: float
    n_params_interval: tuple[float, float]
    n_tokens: float
    n_tokens_interval: tuple[float, float]
    total_flops: float
    train_only_n_params: float
    train_only_n_tokens: float
    train_only_total_flops: float
    level: float

    def __str__(self) -> str:
        pct = f"{self.level:.0%}"
        return (f"To reach loss {self.target_loss:.4g} and then serve {self.inference_tokens:.3g} tokens, "
                f"train about {num(self.n_params)} parameters ({pct} interval {span(self.n_params_interval)}) "
                f"on {num(self.n_tokens)} tokens, {self.total_flops:.3g} FLOPs "
                f"in all; the training-only optimum ({num(self.train_only_n_params)} parameters, "
                f"{num(self.train_only_n_tokens)} tokens) would cost {self.train_only_total_flops:.3g} FLOPs "
                f"over the same lifetime.")


def inference_optimal(fit: FitResult, target_loss: float, inference_tokens: float, *,
                      flops_per_param_token: float = 6.0, inference_flops_per_param_token: float = 2.0,
                      unique_tokens: float | None = None, level: float = LEVEL) -> InferenceOptimal:
    r"""Sardana et al. 2023, "Beyond Chinchilla-optimal": minimise the lifetime compute

    .. math:: 6\,N\,D_{train}(N) + 2\,N\,D_{inference}

    over N, where :math:`D_{train}(N)` is the data the law needs to reach ``target_loss`` with
    N parameters (``law.solve``); intervals from the first ``INFERENCE_DRAWS`` bootstrap draws.
    With no inference the answer is the compute-optimal model for
    that loss; as expected inference grows, the optimum moves to fewer parameters and more
    training tokens.
    """
    _require_joint(fit)
    level = check_level(level)
    inference_tokens = number(inference_tokens, "inference_tokens", low=0.0, low_open=False)
    fitted_target = check_target(fit, target_loss, "target_loss")
    fit = with_draws(fit, level)
    extra = _extra_columns(fit, unique_tokens, None)
    t = np.linspace(np.log(1e3), np.log(1e16), GRID)
    n = np.exp(t)

    def lifetime(theta, d_inf):
        d = np.asarray(fit.law.solve(np.full_like(n, fitted_target), theta,
                                     given=np.column_stack([n] + [np.full_like(n, v) for v in extra])), float)
        return flops_per_param_token * n * d + inference_flops_per_param_token * n * d_inf

    def optimum(thetas, d_inf):
        totals = np.array([lifetime(th, d_inf) for th in thetas])
        if np.all(~np.isfinite(totals[0])):
            raise ScalingLabError(f"loss {target_loss!r} is below the fitted floor: no model size reaches it")
        t_opt, total = _argmin_log(t, np.log(totals))
        n_opt = np.exp(t_opt)
        d_opt = np.array([np.asarray(fit.law.solve(fitted_target, th, given=[[v, *extra]])).reshape(-1)[0]
                          for th, v in zip(thetas, n_opt)])
        return n_opt, d_opt, np.exp(total)

    thetas = np.vstack([fit.theta, fit.draws[:INFERENCE_DRAWS]])
    n_opt, d_opt, total = optimum(thetas, inference_tokens)
    n0, d0, _ = optimum(fit.theta[None], 0.0)
    train_only_total = flops_per_param_token * n0[0] * d0[0] + inference_flops_per_param_token * n0[0] * inference_tokens
    ok = np.isfinite(n_opt[1:]) & np.isfinite(d_opt[1:])
    return InferenceOptimal(target_loss=float(target_loss), inference_tokens=float(inference_tokens),
                            n_params=float(n_opt[0]), n_params_interval=interval(n_opt[1:][ok], level),
                            n_tokens=float(d_opt[0]), n_tokens_interval=interval(d_opt[1:][ok], level),
                            total_flops=float(total[0]), train_only_n_params=float(n0[0]),
                            train_only_n_tokens=float(d0[0]), train_only_total_flops=float(train_only_total),
                            level=level)
