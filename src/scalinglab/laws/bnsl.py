"""Broken neural scaling law (Caballero, Gupta, Rish & Krueger 2022)."""

from __future__ import annotations

import numpy as np

from . import _grid
from .base import Law, register_law

__all__ = ["BNSL"]


@register_law
class BNSL(Law):
    r"""Broken neural scaling law with any number of breaks.

    .. math:: y = a + b\,x^{-c_0} \prod_{i=1}^{k}
              \left(1 + (x/d_i)^{1/f_i}\right)^{-c_i f_i}

    Caballero et al. 2022, "Broken neural scaling laws", eq. 1. :math:`a` is the
    floor, :math:`c_0` the exponent before the first break, :math:`c_i` the change
    of exponent at break :math:`i` (located at :math:`d_i`, with sharpness
    :math:`f_i`; smaller is sharper). Here :math:`a, c_0, c_i \ge 0` (monotone
    curves; the paper also allows negative :math:`c_i` for double descent) and
    :math:`b, d_i, f_i > 0`.

    Parameters
    ----------
    n_breaks : int
        Number of breaks k (default 1), giving 3 + 3k parameters.

    Examples
    --------
    >>> round(float(BNSL().predict(1e3, [0.1, 1.0, 0.0, 0.5, 1e3, 1.0])), 6)
    0.807107
    """

    name = "bnsl"
    exponents = {"data": ("c0", 1.0)}
    citation = "Caballero, Gupta, Rish & Krueger 2022, 'Broken neural scaling laws'"

    def __init__(self, n_breaks: int = 1):
        if int(n_breaks) != n_breaks or n_breaks < 0:
            from ..errors import ScalingLabError
            raise ScalingLabError(f"n_breaks must be a whole number >= 0, got {n_breaks!r}")
        self.n_breaks = int(n_breaks)
        names = ["a", "b", "c0"]
        for i in range(1, self.n_breaks + 1):
            names += [f"c{i}", f"d{i}", f"f{i}"]
        self.param_names = tuple(names)
        self.linear_params = ("a", "b")
        self.bounds = {n: (0.0, np.inf) for n in names}
        self.log_scale = frozenset({"b"} | {f"{p}{i}" for i in range(1, self.n_breaks + 1) for p in "df"})
        self.metric_units = frozenset({"a"})
        self.scaled_by = {"a": 1.0, "b": 1.0}

    def options(self):
        return {"n_breaks": self.n_breaks}

    def _parts(self, cols, T):
        (x,) = cols
        logx = np.log(x)
        k = self.n_breaks
        c = T[:, 3::3][:, :k, None]
        logd = np.log(T[:, 4::3][:, :k, None])
        f = T[:, 5::3][:, :k, None]
        # x is (n,) for one curve or (B, n) for stacked curves (one row per parameter vector):
        # the break axis goes between them, never a (B, B, n) cross product
        ell = ((logx if logx.ndim == 1 else logx[:, None, :]) - logd) / f   # log((x/d)^(1/f)), (B, k, n)
        softplus = np.logaddexp(0.0, ell)            # log(1 + (x/d)^(1/f))
        log_g = np.log(T[:, 1:2]) - T[:, 2:3] * logx - np.sum(c * f * softplus, axis=1)
        return logx, c, f, ell, softplus, np.exp(log_g)

    def _predict(self, cols, T):
        *_, g = self._parts(cols, T)
        return T[:, :1] + g

    def _jacobian(self, cols, T):
        logx, c, f, ell, softplus, g = self._parts(cols, T)
        J = np.empty(g.shape + (self.n_params,))
        J[..., 0] = 1.0
        J[..., 1] = g / T[:, 1:2]
        J[..., 2] = -g * logx
        share = np.exp(-np.logaddexp(0.0, -ell))     # z / (1 + z)
        d = T[:, 4::3][:, :self.n_breaks, None]
        J[..., 3::3] = np.moveaxis(-g[:, None] * f * softplus, 1, -1)
        J[..., 4::3] = np.moveaxis(g[:, None] * c * share / d, 1, -1)
        J[..., 5::3] = np.moveaxis(-g[:, None] * (c * softplus - c * share * ell), 1, -1)
        return J

    def floor(self, theta):
        return float(self.theta_array(theta)[0])

    def init_grid(self, cols, y):
        (x,) = cols
        breaks = np.exp(np.quantile(np.log(x), [0.25, 0.5, 0.75]))
        per_break = _grid.product([0.1, 0.5, 1.0], breaks, [0.3, 1.0])
        head = _grid.product(_grid.floor_candidates(y, (0.0, 0.5, 0.9)), [0.0, 0.2, 0.5])
        rng = np.random.default_rng(0)
        n_starts = min(len(head) * len(per_break) ** self.n_breaks, 2000)
        rows = [head[rng.integers(len(head), size=n_starts)]]
        for _ in range(self.n_breaks):
            rows.append(per_break[rng.integers(len(per_break), size=n_starts)])
        grid = np.unique(np.hstack(rows), axis=0)
        grid = np.insert(grid, 1, 1.0, axis=1)           # b = 1 for now, rescaled below
        shape_terms = np.log(self._predict(cols, grid) - grid[:, :1])
        with np.errstate(divide="ignore", invalid="ignore"):
            log_b = _grid.log_coefficient(np.log(y - grid[:, :1]), shape_terms)
        grid[:, 1] = np.exp(log_b)
        return grid
