"""M3 and M4 of Alabdulmohsin, Neyshabur & Zhai 2022, "Revisiting neural scaling laws
in language and vision" (NeurIPS 2022), in the exact forms of the paper and its code."""

from __future__ import annotations

import numpy as np

from . import _grid
from .base import Law, register_law

__all__ = ["M3", "M4"]


@register_law
class M3(Law):
    r"""M3: a power law in :math:`1/x + \gamma` (Zhai et al. 2022; M3 of Alabdulmohsin et al. 2022).

    .. math:: y = \beta \, (1/x + \gamma)^{c}, \qquad \beta > 0,\ \gamma \ge 0,\ c \ge 0

    The floor :math:`\beta\gamma^c` is implied; :math:`\gamma = 0` is the pure power law.

    >>> round(float(M3().predict(100, {"beta": 2.0, "gamma": 0.0, "c": 0.5})), 6)
    0.2
    """

    name = "m3"
    exponents = {"data": ("c", 1.0)}
    scaled_by = {"beta": 1.0}
    linear_params = ("beta",)
    param_names = ("beta", "gamma", "c")
    bounds = {"beta": (0.0, np.inf), "gamma": (0.0, np.inf), "c": (0.0, np.inf)}
    log_scale = frozenset({"beta"})
    citation = "Alabdulmohsin, Neyshabur & Zhai 2022 (M3); Zhai et al. 2022"

    def _predict(self, cols, T):
        (x,) = cols
        return T[:, :1] * np.exp(T[:, 2:3] * np.log(1.0 / x + T[:, 1:2]))

    def _jacobian(self, cols, T):
        (x,) = cols
        inner = 1.0 / x + T[:, 1:2]
        pred = T[:, :1] * np.exp(T[:, 2:3] * np.log(inner))
        return np.stack([pred / T[:, :1], T[:, 2:3] * pred / inner, pred * np.log(inner)], axis=-1)

    def floor(self, theta):
        beta, gamma, c = self.theta_array(theta)
        return float(beta * gamma**c)

    def init_grid(self, cols, y):
        (x,) = cols
        gammas = np.concatenate([[0.0], np.array([0.01, 0.1, 0.5, 2.0]) / np.median(x)])
        grid = _grid.product(gammas, np.array([0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5]))
        gamma, c = grid[:, 0], grid[:, 1]
        log_beta = _grid.log_coefficient(np.log(y), c[:, None] * np.log(1.0 / x + gamma[:, None]))
        return np.c_[np.exp(log_beta), gamma, c]

    def solve(self, target, theta, *, given=None):
        beta, gamma, c = self.theta_array(theta)
        target = np.asarray(target, float)
        if c <= 0:
            return np.where(target >= beta, 0.0, np.inf)
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = (target / beta) ** (1.0 / c) - gamma
            return np.where(inv > 0, 1.0 / inv, np.inf)


def _softplus(t):
    return np.logaddexp(0.0, t)


def _sigmoid(t):
    return np.exp(-_softplus(-t))


_LOG2 = float(np.log(2.0))


def _inverse_hinge(v, alpha):
    """The t with h(t) = v for h(t) = t (t < 0), alpha t (t >= 0): v < 0: t = v; else v / alpha;
    clipped to [-T_MAX, T_MAX] (alpha = 0 and v >= 0, no root: T_MAX)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(v < 0, v, v / alpha)
    return np.clip(np.where(np.isnan(t) & ~np.isnan(v), T_MAX, t), -T_MAX, T_MAX)


#: Plain Newton steps of M4's root solve on whole arrays before the safeguarded loop takes the
#: elements not yet solved (most converge in 4-6 from the bracket's end).
PLAIN_NEWTON_STEPS = 5

#: Largest |logit| M4's root solve returns: beyond it y is y_inf or y0 to double precision, and
#: exp(-T_MAX) is still a normal float, so y0 - y (or y - y_inf) is not 0 and the Jacobian, which
#: divides by it, stays finite.
T_MAX = 700.0


@register_law
class M4(Law):
    r"""M4 (Alabdulmohsin, Neyshabur & Zhai 2022), defined implicitly.

    .. math:: \frac{y - y_\infty}{(y_0 - y)^{\alpha}} = \beta \, x^{c},
              \qquad \beta > 0,\ c \le 0,\ \alpha \ge 0,\ y_\infty \ge 0,\ y_0 > y_\infty

    solved for :math:`y_\infty < y < y_0`. :math:`y_0` is the metric with no data
    (random guessing, e.g. 1 for an error rate) and :math:`y_\infty` the floor. The
    paper learns both (its code starts :math:`y_0` at 1); fix one with
    ``fit(..., fixed={"y0": 1.0})``.

    Prediction solves :math:`\log s - \alpha \log(1-s) = \log(\beta x^c (y_0-y_\infty)^{\alpha-1})`
    for :math:`s = (y-y_\infty)/(y_0-y_\infty)` by safeguarded Newton on
    :math:`t = \mathrm{logit}\, s`; the gradient follows from the implicit function theorem.

    >>> round(float(M4().predict(100, {"beta": 1.0, "c": -0.5, "alpha": 0.0, "y_inf": 0.05, "y0": 1.0})), 6)
    0.15
    """

    name = "m4"
    exponents = {"data": ("c", -1.0)}
    param_names = ("beta", "c", "alpha", "y_inf", "y0")
    bounds = {"beta": (0.0, np.inf), "c": (-np.inf, 0.0), "alpha": (0.0, np.inf),
              "y_inf": (0.0, np.inf), "y0": (0.0, np.inf)}
    log_scale = frozenset({"beta", "y0"})
    metric_units = frozenset({"y_inf"})
    citation = "Alabdulmohsin, Neyshabur & Zhai 2022 (M4)"

    def _logit_share(self, cols, T):
        """t = logit((y - y_inf)/(y0 - y_inf)) at each x; shape (B, n). NaN where y0 <= y_inf."""
        (x,) = cols
        beta, c, alpha, y_inf, y0 = (T[:, j:j + 1] for j in range(5))
        gap = y0 - y_inf
        with np.errstate(divide="ignore", invalid="ignore"):
            log_k = np.log(beta) + c * np.log(x) + (alpha - 1.0) * np.log(gap)
        log_k = np.where(gap > 0, log_k, np.nan)
        # q(t) = -softplus(-t) + alpha * softplus(t) = log k is increasing in t, and within
        # [h(t) - log 2, h(t) + alpha log 2] of h(t) = t (t < 0), alpha t (t >= 0) (softplus(t) is
        # within log 2 of max(0, t)): so the root lies in [h^-1(log k - alpha log 2), h^-1(log k + log 2)].
        # q'' = (alpha - 1) s (1 - s): q is convex for alpha > 1 and concave for alpha < 1, so
        # Newton from the bracket's upper end (convex) or lower end (concave) approaches the root
        # from one side without overshooting: a few steps, where a start in the middle used to
        # overshoot and fall back to bisection (40-55 steps on a third of the calls).
        alpha_b = np.broadcast_to(alpha, log_k.shape).ravel()
        flat_k = log_k.ravel()
        lo = _inverse_hinge(flat_k - alpha_b * _LOG2, alpha_b)
        hi = _inverse_hinge(flat_k + _LOG2, alpha_b)
        t = np.where(alpha_b > 1.0, hi, lo)
        # Newton steps on the whole arrays first, without bookkeeping (monotone from that end, so
        # the bracket only catches alpha = 0 beyond its root); q written as h(t) + (alpha - 1)
        # log1p(e^-|t|), q' = 1 + (alpha - 1) s
        am1 = alpha_b - 1.0
        for _ in range(PLAIN_NEWTON_STEPS):
            e = np.exp(-np.abs(t))
            s = np.where(t >= 0, 1.0, e) / (1.0 + e)
            q = np.where(t >= 0, alpha_b * t, t) + am1 * np.log1p(e) - flat_k
            with np.errstate(divide="ignore", invalid="ignore"):
                t_new = np.clip(t - q / (1.0 + am1 * s), lo, hi)
            step, t = t_new - t, t_new
        # then safeguarded Newton on the elements not yet solved only (a few are slow: near y0)
        with np.errstate(invalid="ignore"):
            todo = np.flatnonzero(np.isfinite(t) & ~(np.abs(step) <= 1e-12 * (1.0 + np.abs(t))) & (t < 40.0))
        for _ in range(60):
            if todo.size == 0:
                break
            tt, kk, aa = t[todo], flat_k[todo], alpha_b[todo]
            # one exp and one log1p give sigmoid and both softplus terms (cheaper than three calls)
            e = np.exp(-np.abs(tt))
            log_term = np.log1p(e)
            s = np.where(tt >= 0, 1.0, e) / (1.0 + e)                          # sigmoid(t)
            q = -(np.maximum(-tt, 0.0) + log_term) + aa * (np.maximum(tt, 0.0) + log_term) - kk
            low = np.where(q < 0, tt, lo[todo])
            high = np.where(q > 0, tt, hi[todo])
            with np.errstate(divide="ignore", invalid="ignore"):      # alpha = 0 at s = 1: bisect
                t_new = tt - q / ((1.0 - s) + aa * s)
            # inclusive: at the root the step rounds to 0 and t_new is the bracket's end itself
            outside = ~((t_new >= low) & (t_new <= high))
            t_new = np.where(outside, 0.5 * (low + high), t_new)
            # a root beyond t = 40 means y = y0 to double precision (1 - s < 5e-18): stop there
            done = (np.abs(t_new - tt) <= 1e-12 * (1.0 + np.abs(tt))) | ~np.isfinite(t_new) | (low >= 40.0)
            t[todo], lo[todo], hi[todo] = t_new, low, high
            todo = todo[~done]
        return t.reshape(log_k.shape)

    def _predict(self, cols, T):
        t = self._logit_share(cols, T)
        return T[:, 3:4] + (T[:, 4:5] - T[:, 3:4]) * _sigmoid(t)

    def _jacobian(self, cols, T):
        return self._predict_jacobian(cols, T)[1]

    def _predict_jacobian(self, cols, T):
        (x,) = cols
        t = self._logit_share(cols, T)
        gap = T[:, 4:5] - T[:, 3:4]
        above_floor = gap * _sigmoid(t)      # y - y_inf, without cancellation
        below_start = gap * _sigmoid(-t)     # y0 - y
        alpha = T[:, 2:3]
        # G(y, theta) = log(y - y_inf) - alpha log(y0 - y) - log beta - c log x = 0
        g_y = 1.0 / above_floor + alpha / below_start
        dG = np.stack([
            np.broadcast_to(-1.0 / T[:, :1], t.shape),
            np.broadcast_to(-np.log(x), t.shape),
            -np.log(below_start),
            -1.0 / above_floor,
            -alpha / below_start,
        ], axis=-1)
        return T[:, 3:4] + above_floor, -dG / g_y[..., None]

    def floor(self, theta):
        return float(self.theta_array(theta)[3])

    def rescale(self, T, s):
        """y, y_inf, y0 scale with the metric; beta carries units of y^(1 - alpha). A beta that
        does not fit in a float in the new units (a runaway alpha) becomes inf, which every
        caller reads as a failed fit (non-finite parameters), so numpy's overflow warning is no news."""
        T = np.array(T, float)
        s = np.asarray(s, float)
        alpha = T[..., 2:3]
        with np.errstate(over="ignore"):
            T[..., 0:1] = T[..., 0:1] * s ** (1.0 - alpha)
        T[..., 3:5] = T[..., 3:5] * s
        return T

    def init_grid(self, cols, y):
        (x,) = cols
        y_max, y_min = float(np.max(y)), float(np.min(y))
        # y0 (the metric with no data) from multiples of the largest value, never from a fixed
        # 1.0 (an error rate's): the grid scales with the metric, so the fit does not depend on
        # its units (an MSE of 1e-6 is fitted like one of 1)
        starts = [1.1 * y_max, 2.0 * y_max, 5.0 * y_max]
        grid = _grid.product([-0.1, -0.3, -0.6, -1.0], [0.0, 0.5, 1.0, 2.0],
                             [0.0, 0.5 * y_min, 0.9 * y_min], starts)
        c, alpha, y_inf, y0 = grid.T
        with np.errstate(divide="ignore", invalid="ignore"):
            lhs = np.log(y - y_inf[:, None]) - alpha[:, None] * np.log(y0[:, None] - y)
        log_beta = _grid.log_coefficient(lhs, c[:, None] * np.log(x))
        return np.c_[np.exp(log_beta), c, alpha, y_inf, y0]

    def solve(self, target, theta, *, given=None):
        beta, c, alpha, y_inf, y0 = self.theta_array(theta)
        target = np.asarray(target, float)
        ok = (target > y_inf) & (target < y0) & (c < 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            x = ((target - y_inf) / (beta * (y0 - target) ** alpha)) ** (1.0 / c)
        return np.where(ok, x, np.where(target >= y0, 0.0, np.inf))
