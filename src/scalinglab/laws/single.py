"""One-input laws: power (M1), power with a floor (M2) and exponential with a floor."""

from __future__ import annotations

import numpy as np

from . import _grid
from .base import Law, register_law

__all__ = ["Power", "PowerFloor", "ExpFloor"]

_EXPONENTS = np.array([0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0])


@register_law
class Power(Law):
    r"""Pure power law (M1).

    .. math:: y = a \, x^{-b}, \qquad a > 0,\ b \ge 0

    Hestness et al. 2017, "Deep learning scaling is predictable, empirically"
    (:math:`\varepsilon(m) = \alpha m^{\beta_g}`, so :math:`b = -\beta_g`); M1 in
    Alabdulmohsin, Neyshabur & Zhai 2022.

    >>> round(float(Power().predict(1e4, {"a": 2.0, "b": 0.5})), 6)
    0.02
    """

    name = "power"
    exponents = {"data": ("b", 1.0)}
    scaled_by = {"a": 1.0}
    linear_params = ("a",)
    param_names = ("a", "b")
    bounds = {"a": (0.0, np.inf), "b": (0.0, np.inf)}
    log_scale = frozenset({"a"})
    citation = "Hestness et al. 2017; Alabdulmohsin et al. 2022 (M1)"

    def _predict(self, cols, T):
        (x,) = cols
        return T[:, :1] * np.exp(-T[:, 1:2] * np.log(x))

    def _jacobian(self, cols, T):
        (x,) = cols
        base = np.exp(-T[:, 1:2] * np.log(x))
        return np.stack([base, -T[:, :1] * base * np.log(x)], axis=-1)

    def init_grid(self, cols, y):
        (x,) = cols
        shape = -_EXPONENTS[:, None] * np.log(x)
        log_a = _grid.log_coefficient(np.log(y), shape)
        with np.errstate(over="ignore"):    # sizes near 1e300: a start's coefficient past a float is inf,
            a = np.exp(log_a)              # its objective is not finite and it is never chosen
        return np.c_[a, _EXPONENTS]

    def solve(self, target, theta, *, given=None):
        a, b = self.theta_array(theta)
        target = np.asarray(target, float)
        if b <= 0:  # a flat line: reached everywhere or nowhere
            return np.where(target >= a, 0.0, np.inf)
        with np.errstate(divide="ignore", over="ignore"):
            return np.where(target > 0, (a / target) ** (1.0 / b), np.inf)


@register_law
class PowerFloor(Law):
    r"""Power law with an irreducible floor (M2).

    .. math:: y = a \, x^{-b} + c, \qquad a > 0,\ b \ge 0,\ c \ge 0

    :math:`c` is the irreducible error (the "flat zone" of Hestness et al. 2017);
    M2 in Alabdulmohsin, Neyshabur & Zhai 2022.

    >>> round(float(PowerFloor().predict(100, {"a": 1.0, "b": 1.0, "c": 0.1})), 6)
    0.11
    """

    name = "power_floor"
    exponents = {"data": ("b", 1.0)}
    scaled_by = {"a": 1.0, "c": 1.0}
    linear_params = ("a", "c")
    param_names = ("a", "b", "c")
    bounds = {"a": (0.0, np.inf), "b": (0.0, np.inf), "c": (0.0, np.inf)}
    log_scale = frozenset({"a"})
    metric_units = frozenset({"c"})
    citation = "Alabdulmohsin et al. 2022 (M2); Hestness et al. 2017"

    def _predict(self, cols, T):
        (x,) = cols
        return T[:, :1] * np.exp(-T[:, 1:2] * np.log(x)) + T[:, 2:3]

    def _jacobian(self, cols, T):
        (x,) = cols
        base = np.exp(-T[:, 1:2] * np.log(x))
        return np.stack([base, -T[:, :1] * base * np.log(x), np.ones_like(base)], axis=-1)

    def floor(self, theta):
        return float(self.theta_array(theta)[2])

    def init_grid(self, cols, y):
        (x,) = cols
        grid = _grid.product(_EXPONENTS, _grid.floor_candidates(y))
        b, c = grid[:, 0], grid[:, 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            log_a = _grid.log_coefficient(np.log(y - c[:, None]), -b[:, None] * np.log(x))
        return np.c_[np.exp(log_a), b, c]

    def solve(self, target, theta, *, given=None):
        a, b, c = self.theta_array(theta)
        target = np.asarray(target, float)
        excess = target - c
        if b <= 0:
            return np.where(excess >= a, 0.0, np.inf)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(excess > 0, (a / excess) ** (1.0 / b), np.inf)


@register_law
class ExpFloor(Law):
    r"""Exponential decay to a floor: the baseline for "is it really a power law?".

    .. math:: y = a \, e^{-b x} + c, \qquad a > 0,\ b > 0,\ c \ge 0

    >>> round(float(ExpFloor().predict(10, {"a": 1.0, "b": 0.1, "c": 0.05})), 6)
    0.417879
    """

    name = "exp_floor"
    scaled_by = {"a": 1.0, "c": 1.0}
    linear_params = ("a", "c")
    param_names = ("a", "b", "c")
    bounds = {"a": (0.0, np.inf), "b": (0.0, np.inf), "c": (0.0, np.inf)}
    log_scale = frozenset({"a", "b"})
    metric_units = frozenset({"c"})
    citation = "exponential learning-curve baseline (e.g. Viering & Loog 2022, 'The shape of learning curves')"

    def _predict(self, cols, T):
        (x,) = cols
        return T[:, :1] * np.exp(-T[:, 1:2] * x) + T[:, 2:3]

    def _jacobian(self, cols, T):
        (x,) = cols
        base = np.exp(-T[:, 1:2] * x)
        return np.stack([base, -T[:, :1] * x * base, np.ones_like(base)], axis=-1)

    def floor(self, theta):
        return float(self.theta_array(theta)[2])

    def init_grid(self, cols, y):
        (x,) = cols
        rates = np.array([0.03, 0.1, 0.3, 1.0, 3.0, 10.0]) / np.median(x)
        grid = _grid.product(rates, _grid.floor_candidates(y))
        b, c = grid[:, 0], grid[:, 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            log_a = _grid.log_coefficient(np.log(y - c[:, None]), -b[:, None] * x)
        return np.c_[np.exp(np.minimum(log_a, 700.0)), b, c]

    def solve(self, target, theta, *, given=None):
        a, b, c = self.theta_array(theta)
        excess = np.asarray(target, float) - c
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.maximum(-np.log(excess / a) / b, 0.0)
        return np.where(excess > 0, x, np.inf)
