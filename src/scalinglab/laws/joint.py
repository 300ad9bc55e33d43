"""Joint laws of model size N and data D: Kaplan, Chinchilla and data-constrained."""

from __future__ import annotations

import numpy as np

from . import _grid
from .base import Law, register_law

__all__ = ["Kaplan", "Chinchilla", "DataConstrained"]


@register_law
class Kaplan(Law):
    r"""Kaplan et al. 2020, "Scaling laws for neural language models", eq. 1.5.

    .. math:: L(N, D) = \left[\left(\frac{N_c}{N}\right)^{\alpha_N/\alpha_D}
              + \frac{D_c}{D}\right]^{\alpha_D}

    x columns: (N, D). Published: :math:`\alpha_N \approx 0.076`,
    :math:`\alpha_D \approx 0.095`, :math:`N_c \approx 8.8\times10^{13}`,
    :math:`D_c \approx 5.4\times10^{13}` (non-embedding parameters, tokens, nats).
    ``solve`` returns D given N.

    >>> law = Kaplan()
    >>> round(float(law.predict([[1e9, 1e10]], {"N_c": 8.8e13, "D_c": 5.4e13, "alpha_N": 0.076, "alpha_D": 0.095})[0]), 4)
    2.4838
    """

    name = "kaplan"
    exponents = {"data": ("alpha_D", 1.0), "params": ("alpha_N", 1.0)}
    param_names = ("N_c", "D_c", "alpha_N", "alpha_D")
    n_inputs = 2
    solve_column = 1
    bounds = {p: (0.0, np.inf) for p in param_names}
    log_scale = frozenset(param_names)
    citation = "Kaplan et al. 2020, 'Scaling laws for neural language models'"

    def _parts(self, cols, T):
        n, d = cols
        log_ratio = np.log(T[:, :1]) - np.log(n)              # log(N_c / N)
        u = np.exp(T[:, 2:3] / T[:, 3:4] * log_ratio)
        v = T[:, 1:2] / d
        s = u + v
        return log_ratio, u, v, s, np.exp(T[:, 3:4] * np.log(s))

    def _predict(self, cols, T):
        return self._parts(cols, T)[-1]

    def _jacobian(self, cols, T):
        log_ratio, u, v, s, loss = self._parts(cols, T)
        a_n, a_d = T[:, 2:3], T[:, 3:4]
        return np.stack([
            loss * a_n * u / (s * T[:, :1]),
            loss * a_d * v / (s * T[:, 1:2]),
            loss * u * log_ratio / s,
            loss * (np.log(s) - u * log_ratio * a_n / (a_d * s)),
        ], axis=-1)

    def init_grid(self, cols, y):
        n, d = cols
        return _grid.product(np.exp(np.log(np.median(n)) + np.array([0.0, 4.0, 8.0, 12.0])),
                             np.exp(np.log(np.median(d)) + np.array([0.0, 4.0, 8.0, 12.0])),
                             [0.03, 0.08, 0.2, 0.5], [0.03, 0.1, 0.3, 0.6])

    def solve(self, target, theta, *, given=None):
        n_c, d_c, a_n, a_d = self.theta_array(theta)
        target = np.asarray(target, float)
        (n,) = self._given_columns(given, target.size)
        room = target.reshape(-1) ** (1.0 / a_d) - (n_c / n) ** (a_n / a_d)
        with np.errstate(divide="ignore"):
            return np.where(room > 0, d_c / room, np.inf).reshape(np.shape(target))


@register_law
class Chinchilla(Law):
    r"""Hoffmann et al. 2022, "Training compute-optimal large language models", eq. 2.

    .. math:: L(N, D) = E + \frac{A}{N^{\alpha}} + \frac{B}{D^{\beta}}

    x columns: (N, D). Published (approach 3): E = 1.69, A = 406.4, B = 410.7,
    α = 0.34, β = 0.28; Besiroglu et al. 2024 refit: E = 1.8172, A = 482.01,
    B = 2085.43, α = 0.3478, β = 0.3658. E, A, B are optimised as their logarithms,
    so log L = logsumexp(log E, log A − α log N, log B − β log D) as in the paper.
    ``solve`` returns D given N.

    >>> p = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}
    >>> round(float(Chinchilla().predict([[70e9, 1.4e12]], p)[0]), 4)
    1.9366
    """

    name = "chinchilla"
    exponents = {"data": ("beta", 1.0), "params": ("alpha", 1.0)}
    linear_params = ("E", "A", "B")
    scaled_by = {"E": 1.0, "A": 1.0, "B": 1.0}
    param_names = ("E", "A", "B", "alpha", "beta")
    n_inputs = 2
    solve_column = 1
    bounds = {p: (0.0, np.inf) for p in param_names}
    log_scale = frozenset({"E", "A", "B"})
    citation = "Hoffmann et al. 2022; Besiroglu et al. 2024 ('Chinchilla scaling: a replication attempt')"

    def _terms(self, cols, T):
        n, d = cols
        return T[:, 1:2] * np.exp(-T[:, 3:4] * np.log(n)), T[:, 2:3] * np.exp(-T[:, 4:5] * np.log(d))

    def _predict(self, cols, T):
        term_n, term_d = self._terms(cols, T)
        return T[:, :1] + term_n + term_d

    def _jacobian(self, cols, T):
        n, d = cols
        term_n, term_d = self._terms(cols, T)
        return np.stack([np.ones_like(term_n), term_n / T[:, 1:2], term_d / T[:, 2:3],
                         -term_n * np.log(n), -term_d * np.log(d)], axis=-1)

    def floor(self, theta):
        return float(self.theta_array(theta)[0])

    def init_grid(self, cols, y):
        """The grid of Hoffmann et al. / Besiroglu et al. 2024: α, β ∈ {0, .5, …, 2},
        log E ∈ {−1, −.5, …, 1}, log A, log B ∈ {0, 5, …, 25} (4,500 starts)."""
        exps = np.arange(0.0, 2.01, 0.5)
        return _grid.product(np.exp(np.arange(-1.0, 1.01, 0.5)), np.exp(np.arange(0.0, 26.0, 5.0)),
                             np.exp(np.arange(0.0, 26.0, 5.0)), exps, exps)

    def solve(self, target, theta, *, given=None):
        e, a, b, alpha, beta = self.theta_array(theta)
        target = np.asarray(target, float)
        (n,) = self._given_columns(given, target.size)
        room = target.reshape(-1) - e - a * n ** (-alpha)
        with np.errstate(divide="ignore", invalid="ignore"):
            d = (b / room) ** (1.0 / beta)
        return np.where(room > 0, d, np.inf).reshape(np.shape(target))


def _effective(unique, total, r_star):
    r"""Muennighoff et al. 2023 eq. 5: U + U R* (1 − exp(−R/R*)), R = total/U − 1, where U is
    the unique amount *used*, min(available, total) (less than one epoch repeats nothing);
    returns the effective amount and its derivative with respect to R*."""
    unique = np.minimum(unique, total)
    repeats = total / unique - 1.0
    decay = np.exp(-repeats / r_star)
    eff = unique + unique * r_star * (1.0 - decay)
    d_eff = unique * ((1.0 - decay) - repeats / r_star * decay)
    return eff, d_eff


@register_law
class DataConstrained(Law):
    r"""Muennighoff et al. 2023, "Scaling data-constrained language models", eq. 5–7.

    .. math:: L = E + \frac{A}{N'^{\alpha}} + \frac{B}{D'^{\beta}},\quad
              D' = U_D + U_D R_D^{*}\left(1 - e^{-R_D/R_D^{*}}\right),\quad
              R_D = D/U_D - 1

    Repeated tokens are worth less: with :math:`R_D` repetitions beyond the first
    epoch of :math:`U_D` unique tokens, effective data saturates at
    :math:`U_D(1 + R_D^*)`. x columns: (N, D, U_D) with U_D the unique tokens available
    (capped at D: less than one epoch repeats nothing). With ``excess_params=True``
    a fourth column U_N (base parameters) adds :math:`N' = U_N + U_N R_N^*(1 -
    e^{-R_N/R_N^*})`, :math:`R_N = N/U_N - 1`, and the parameter ``R_N_star``;
    otherwise N' = N. Published: :math:`R_D^* \approx 15.4`, :math:`R_N^* \approx 5.3`.
    ``solve`` returns D (total tokens) given N and U_D.

    >>> p = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28, "R_D_star": 15.4}
    >>> law = DataConstrained()
    >>> a, b = law.predict([[1e9, 1e11, 1e11], [1e9, 1e11, 2.5e10]], p)  # one epoch vs four
    >>> bool(b > a)
    True
    """

    name = "data_constrained"
    exponents = {"data": ("beta", 1.0), "params": ("alpha", 1.0)}
    solve_column = 1
    citation = "Muennighoff et al. 2023, 'Scaling data-constrained language models'"

    def __init__(self, excess_params: bool = False):
        self.excess_params = bool(excess_params)
        self.n_inputs = 4 if self.excess_params else 3
        names = ("E", "A", "B", "alpha", "beta", "R_D_star") + (("R_N_star",) if self.excess_params else ())
        self.param_names = names
        self.linear_params = ("E", "A", "B")
        self.scaled_by = {"E": 1.0, "A": 1.0, "B": 1.0}
        self.bounds = {p: (0.0, np.inf) for p in names}
        self.log_scale = frozenset({"E", "A", "B", "R_D_star", "R_N_star"} & set(names))

    def options(self):
        return {"excess_params": self.excess_params}

    def _parts(self, cols, T):
        n, d, u_d = cols[:3]
        d_eff, d_deff = _effective(u_d, d, T[:, 5:6])
        if self.excess_params:
            n_eff, d_neff = _effective(cols[3], n, T[:, 6:7])
        else:
            n_eff, d_neff = np.broadcast_to(n, d_eff.shape), None
        term_n = T[:, 1:2] * np.exp(-T[:, 3:4] * np.log(n_eff))
        term_d = T[:, 2:3] * np.exp(-T[:, 4:5] * np.log(d_eff))
        return n_eff, d_eff, d_neff, d_deff, term_n, term_d

    def _predict(self, cols, T):
        *_, term_n, term_d = self._parts(cols, T)
        return T[:, :1] + term_n + term_d

    def _jacobian(self, cols, T):
        n_eff, d_eff, d_neff, d_deff, term_n, term_d = self._parts(cols, T)
        parts = [np.ones_like(term_n), term_n / T[:, 1:2], term_d / T[:, 2:3],
                 -term_n * np.log(n_eff), -term_d * np.log(d_eff),
                 -T[:, 4:5] * term_d / d_eff * d_deff]
        if self.excess_params:
            parts.append(-T[:, 3:4] * term_n / n_eff * d_neff)
        return np.stack(parts, axis=-1)

    def floor(self, theta):
        return float(self.theta_array(theta)[0])

    def init_grid(self, cols, y):
        exps = [0.2, 0.4, 0.8]
        axes = [np.exp([-0.5, 0.5]), np.exp([2.0, 6.0, 10.0]), np.exp([2.0, 6.0, 10.0]), exps, exps, [5.0, 15.0, 50.0]]
        if self.excess_params:
            axes.append([2.0, 5.0, 20.0])
        return _grid.product(*axes)
