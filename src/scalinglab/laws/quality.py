"""A joint law of data size and data quality: how label noise (or any degradation) moves the
learning curve's scale, exponent and floor."""

from __future__ import annotations

import numpy as np

from . import _grid
from .base import Law, register_law

__all__ = ["Quality"]

_EXPONENTS = np.array([0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0])
#: The dependence each option adds: (parameter, start values).
_TERMS = {"scale": ("g", (0.0, 1.0, 3.0)), "exponent": ("h", (-0.3, 0.0, 0.3)), "floor": ("d", None)}


@register_law
class Quality(Law):
    r"""Learning curve whose scale, exponent and floor depend on data quality.

    .. math:: y = a\,e^{g u}\,n^{-(b + h u)} + c + d\,u, \qquad u = 1 - q

    x columns: (n, q), with n the data size and q the quality of the data in (0, 1], 1 being the
    reference (cleanest) level; for label noise at rate ρ, q = 1 − ρ, so u = ρ
    (:func:`scalinglab.quality.stack` builds the curve). The three ways quality can act, each an
    option:

    * ``scale`` (g): noisier data are worth fewer clean samples: :math:`e^{gu}` multiplies the
      reducible error, i.e. n noisy samples act like :math:`n\,e^{-gu/b}` clean ones when
      only the scale moves;
    * ``exponent`` (h): the learning curve's slope changes with quality, b + h·u;
    * ``floor`` (d >= 0): the irreducible error rises with the degradation, c + d·u (the flat
      zone: below it no amount of data of that quality reaches a target).

    a > 0, b >= 0, c >= 0, d >= 0; g and h unbounded. With all three options off this is
    ``power_floor``. No single paper publishes this form: it is the power law with a floor
    (Hestness et al. 2017; M2 of Alabdulmohsin et al. 2022) with its scale, exponent and floor
    linear in the degradation u, the first-order dependence one can test per quality level.
    ``solve(target, theta, given=q)`` returns n; ``floor_at(theta, q)`` the floor at quality q.

    >>> law = Quality()
    >>> p = {"a": 2.0, "b": 0.5, "c": 0.02, "g": 1.0, "h": 0.0, "d": 0.1}
    >>> round(float(law.predict([[400, 1.0]], p)[0]), 4), round(float(law.predict([[400, 0.8]], p)[0]), 4)
    (0.12, 0.1621)
    """

    name = "quality"
    n_inputs = 2
    solve_column = 0
    exponents = {"data": ("b", 1.0)}
    citation = ("power law with a floor (Hestness et al. 2017; Alabdulmohsin et al. 2022, M2) with scale, exponent "
                "and floor linear in the degradation 1 - q")

    def __init__(self, scale: bool = True, exponent: bool = True, floor: bool = True):
        self.scale, self.exponent, self.with_floor = bool(scale), bool(exponent), bool(floor)
        names = ["a", "b", "c"]
        for option, (param, _) in _TERMS.items():
            if {"scale": self.scale, "exponent": self.exponent, "floor": self.with_floor}[option]:
                names.append(param)
        self.param_names = tuple(names)
        self.bounds = {"a": (0.0, np.inf), "b": (0.0, np.inf), "c": (0.0, np.inf), "d": (0.0, np.inf),
                       "g": (-np.inf, np.inf), "h": (-np.inf, np.inf)}
        self.bounds = {p: self.bounds[p] for p in names}
        self.log_scale = frozenset({"a"})
        self.linear_params = tuple(p for p in ("a", "c", "d") if p in names)

    def options(self):
        return {"scale": self.scale, "exponent": self.exponent, "floor": self.with_floor}

    def _column(self, T, name, default=0.0):
        if name in self.param_names:
            j = self.param_names.index(name)
            return T[:, j:j + 1]
        return np.full((len(T), 1), default)

    def _parts(self, cols, T):
        n, q = cols
        u = 1.0 - q
        log_n = np.log(n)
        g, h = self._column(T, "g"), self._column(T, "h")
        power = T[:, :1] * np.exp(g * u - (T[:, 1:2] + h * u) * log_n)
        return u, log_n, power

    def _predict(self, cols, T):
        u, _, power = self._parts(cols, T)
        return power + T[:, 2:3] + self._column(T, "d") * u

    def _jacobian(self, cols, T):
        u, log_n, power = self._parts(cols, T)
        J = np.empty(power.shape + (self.n_params,))
        derivs = {"a": power / T[:, :1], "b": -power * log_n, "c": np.ones_like(power),
                  "g": power * u, "h": -power * u * log_n, "d": np.broadcast_to(u, power.shape)}
        for j, name in enumerate(self.param_names):
            J[..., j] = derivs[name]
        return J

    def floor(self, theta):
        """The floor at the reference quality q = 1."""
        return self.floor_at(theta, 1.0)

    def floor_at(self, theta, q) -> float:
        """The metric as n -> infinity at quality ``q``: c + d·(1 − q) while the exponent
        b + h·(1 − q) is positive; inf when it is not (the curve never comes down)."""
        t = dict(zip(self.param_names, self.theta_array(theta)))
        u = 1.0 - float(q)
        rate = t["b"] + t.get("h", 0.0) * u
        if rate <= 0:
            return np.inf
        return float(t["c"] + t.get("d", 0.0) * u)

    def init_grid(self, cols, y):
        n, q = cols
        u = 1.0 - q
        axes = [_EXPONENTS]
        if self.scale:
            axes.append(np.array(_TERMS["scale"][1]))
        if self.exponent:
            axes.append(np.array(_TERMS["exponent"][1]))
        heads = _grid.product(*axes)
        b = heads[:, :1]
        g = heads[:, 1:2] if self.scale else 0.0
        h = heads[:, -1:] if self.exponent else 0.0
        shape = g * u - (b + h * u) * np.log(n)
        rows = []
        for floor in _grid.floor_candidates(y):
            with np.errstate(divide="ignore", invalid="ignore"):
                log_a = _grid.log_coefficient(np.log(y - floor), shape)
            a = np.exp(np.minimum(log_a, 700.0))[:, None]
            parts = {"a": a, "b": b, "c": np.full_like(a, floor), "d": np.zeros_like(a),
                     "g": np.broadcast_to(g, a.shape), "h": np.broadcast_to(h, a.shape)}
            rows.append(np.hstack([parts[p] for p in self.param_names]))
        return np.vstack(rows)

    def solve(self, target, theta, *, given=None):
        t = dict(zip(self.param_names, self.theta_array(theta)))
        target = np.atleast_1d(np.asarray(target, float))
        (q,) = self._given_columns(given, target.size)
        u = 1.0 - q
        rate = t["b"] + t.get("h", 0.0) * u
        scale = t["a"] * np.exp(t.get("g", 0.0) * u)
        excess = target - t["c"] - t.get("d", 0.0) * u
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            n = (scale / excess) ** (1.0 / rate)
        out = np.where((excess > 0) & (rate > 0), n, np.inf)
        out = np.where((rate <= 0) & (excess >= scale), 0.0, out)
        return out.reshape(np.shape(np.asarray(target)))
