"""The :class:`Law` interface and the registry of laws by name.

A law is pure math: ``predict(x, theta)`` evaluated for a *batch* of parameter
vectors at once, its analytic Jacobian, bounds, a grid of starting points and an
inverse. It holds no data and no fitted state; the fitting engine (``fit/``) does
the rest. Adding a law of your own takes about 20 lines::

    import numpy as np
    import scalinglab as sl

    @sl.register_law
    class Logarithmic(sl.Law):
        '''y = a - b * log(x)'''
        name = "logarithmic"
        param_names = ("a", "b")
        bounds = {"a": (-np.inf, np.inf), "b": (0.0, np.inf)}
        start_values = {"a": (0.5, 1.0, 2.0), "b": (0.01, 0.1)}

        def _predict(self, cols, T):
            (x,) = cols
            return T[:, :1] - T[:, 1:2] * np.log(x)

        def _jacobian(self, cols, T):
            (x,) = cols
            J = np.empty((len(T), len(x), 2))
            J[:, :, 0] = 1.0
            J[:, :, 1] = -np.log(x)
            return J

    sl.fit(curve, law="logarithmic", space="linear")
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import ClassVar

import numpy as np

from ..errors import ScalingLabError

__all__ = ["Law", "register_law", "get_law", "available_laws"]


class Law:
    """Base class of every scaling law.

    Subclasses set ``name``, ``param_names``, ``bounds`` (natural space, per name),
    ``log_scale`` (names of strictly positive scale parameters, optimised as their
    logarithm) and implement ``_predict`` and ``_jacobian`` on a batch ``T`` of
    parameter vectors of shape (B, p), with ``cols`` the tuple of x columns.
    """

    name: ClassVar[str] = "law"
    param_names: tuple[str, ...] = ()
    n_inputs: int = 1
    bounds: Mapping[str, tuple[float, float]] = {}
    log_scale: frozenset[str] = frozenset()
    start_values: Mapping[str, Sequence[float]] = {}
    #: Parameters that enter the prediction linearly (coefficients of a basis); the
    #: fitter solves them by least squares for each grid setting of the others.
    linear_params: tuple[str, ...] = ()
    #: Parameters in the metric's own units on a linear scale (a floor c, y_inf) with bounds 0
    #: or infinite: the fitter measures them in units of the curve's largest value, so that no
    #: tolerance depends on the metric's scale (an MSE of 1e-6 is fitted like one of 1).
    metric_units: frozenset[str] = frozenset()
    #: The law's scaling exponents for priors: {"data": (parameter, sign), "params": ...};
    #: sign turns the positive published exponent into the parameter's value.
    exponents: Mapping[str, tuple[str, float]] = {}
    #: Which x column ``solve`` returns (the data column: D for L(N, D)).
    solve_column: int = 0
    citation: str = ""

    # -- to implement --------------------------------------------------------------
    def _predict(self, cols: tuple[np.ndarray, ...], T: np.ndarray) -> np.ndarray:
        """Predictions, shape (B, n), for parameter batch T of shape (B, p)."""
        raise NotImplementedError

    def _jacobian(self, cols: tuple[np.ndarray, ...], T: np.ndarray) -> np.ndarray:
        """d prediction / d theta, shape (B, n, p)."""
        raise NotImplementedError

    def _predict_jacobian(self, cols: tuple[np.ndarray, ...], T: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Both at once; laws whose two share expensive work (M4's implicit solve) override it."""
        return self._predict(cols, T), self._jacobian(cols, T)

    def init_grid(self, cols: tuple[np.ndarray, ...], y: np.ndarray) -> np.ndarray:
        """Starting points, shape (S, p). Default: the Cartesian product of ``start_values``."""
        missing = [p for p in self.param_names if p not in self.start_values]
        if missing:
            raise NotImplementedError(f"law {self.name!r} needs start_values for {missing} or its own init_grid")
        return np.array(list(itertools.product(*(self.start_values[p] for p in self.param_names))), float)

    # -- derived, shared by every law ----------------------------------------------
    @property
    def n_params(self) -> int:
        return len(self.param_names)

    def options(self) -> dict:
        """Constructor options that recreate this law via :func:`get_law` (for JSON)."""
        return {}

    def bound_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        lo = np.array([self.bounds.get(p, (-np.inf, np.inf))[0] for p in self.param_names], float)
        hi = np.array([self.bounds.get(p, (-np.inf, np.inf))[1] for p in self.param_names], float)
        return lo, hi

    def log_mask(self) -> np.ndarray:
        return np.array([p in self.log_scale for p in self.param_names])

    def theta_array(self, theta) -> np.ndarray:
        """Parameters as an array of shape (p,) or (B, p) from an array, a dict or a FitResult."""
        if hasattr(theta, "theta") and hasattr(theta, "law"):
            theta = theta.theta
        if isinstance(theta, Mapping):
            missing = [p for p in self.param_names if p not in theta]
            if missing:
                raise ScalingLabError(f"law {self.name!r}: parameters {missing} missing from {dict(theta)}")
            return np.array([float(theta[p]) for p in self.param_names])
        arr = np.asarray(theta, float)
        if arr.shape[-1] != self.n_params:
            raise ScalingLabError(
                f"law {self.name!r} has {self.n_params} parameters {self.param_names}, got shape {arr.shape}")
        return arr

    def columns(self, x) -> tuple[np.ndarray, ...]:
        """Split x of shape (n,) or (n, k) into the law's input columns, checking the width."""
        x = np.asarray(x, float)
        if x.ndim == 0:
            x = x[None]
        width = 1 if x.ndim == 1 else x.shape[1]
        if width != self.n_inputs:
            raise ScalingLabError(
                f"law {self.name!r} takes {self.n_inputs} x column(s), got {width}")
        return (x,) if x.ndim == 1 else tuple(x[:, j] for j in range(width))

    def predict(self, x, theta) -> np.ndarray:
        """Evaluate the law at sizes ``x`` for one parameter vector (-> (n,), or a float for a
        scalar x) or a batch (-> (B, n))."""
        T = self.theta_array(theta)
        out = self._predict(self.columns(x), np.atleast_2d(T))
        out = out[0] if T.ndim == 1 else out
        return out[..., 0] if np.ndim(x) == 0 else out

    def gradient(self, x, theta) -> np.ndarray:
        """Analytic d predict / d theta: (n, p) for one vector, (B, n, p) for a batch."""
        T = self.theta_array(theta)
        out = self._jacobian(self.columns(x), np.atleast_2d(T))
        return out[0] if T.ndim == 1 else out

    def floor(self, theta) -> float:
        """The metric as size -> infinity (irreducible error); 0 unless a law says otherwise."""
        return 0.0

    #: Exponent of the metric's scale carried by each parameter (``scaled_by``): multiplying
    #: the metric by s multiplies parameter j by s ** scaled_by[j]; None when the law has no
    #: such symmetry (its fits then depend on the metric's units).
    scaled_by: Mapping[str, float] | None = None

    def rescale(self, T: np.ndarray, s) -> np.ndarray:
        """Parameters (B, p) of the same curve with the metric multiplied by ``s`` (scalar or
        (B, 1)), from ``scaled_by``; laws whose exponents depend on other parameters override it."""
        if self.scaled_by is None:
            raise NotImplementedError(f"law {self.name!r} does not say how its parameters scale with the metric")
        power = np.array([self.scaled_by.get(p, 0.0) for p in self.param_names])
        return np.asarray(T, float) * np.asarray(s, float) ** power

    def solve(self, target, theta, *, given=None) -> np.ndarray:
        """Smallest size at which the predicted metric reaches ``target`` (inf if never).

        For joint laws the result is the data column (``solve_column``) and ``given``
        holds the other columns (e.g. N for L(N, D)). This default is numeric
        (bisection on log size, assuming the law decreases with size); laws with a
        closed form override it.
        """
        theta = self.theta_array(theta)
        target = np.atleast_1d(np.asarray(target, float))
        others = self._given_columns(given, len(target))
        lo = np.full(target.shape, -20.0)
        hi = np.full(target.shape, 230.0)  # e^230 ~ 1e100: beyond anything physical

        def pred(logx):
            cols = list(others)
            cols.insert(self.solve_column, np.exp(logx))
            return self._predict(tuple(cols), theta[None])[0]

        reachable = pred(hi) <= target
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            below = pred(mid) <= target
            hi = np.where(below, mid, hi)
            lo = np.where(below, lo, mid)
            if np.all(hi - lo < 1e-13 * np.maximum(1.0, np.abs(hi))):
                break
        out = np.where(reachable, np.exp(hi), np.inf)
        return out

    def _given_columns(self, given, n: int) -> list[np.ndarray]:
        if self.n_inputs == 1:
            return []
        if given is None:
            raise ScalingLabError(
                f"law {self.name!r} is joint: pass given= the other {self.n_inputs - 1} column(s) "
                f"to solve for column {self.solve_column}")
        g = np.asarray(given, float)
        g = np.broadcast_to(g.reshape(-1, self.n_inputs - 1) if g.ndim else g, (n, self.n_inputs - 1))
        return [g[:, j] for j in range(self.n_inputs - 1)]

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options().items())
        return f"{type(self).__name__}({opts})"


_REGISTRY: dict[str, Callable[..., Law]] = {}


def register_law(cls=None, *, name: str | None = None):
    """Register a :class:`Law` subclass (or factory) under its ``name``; usable as a decorator."""
    def _register(factory):
        key = name or getattr(factory, "name", None)
        if not key or key == "law":
            raise ScalingLabError("a registered law needs a name (class attribute `name` or name=...)")
        _REGISTRY[key] = factory
        return factory
    return _register(cls) if cls is not None else _register


def get_law(law, **options) -> Law:
    """A law instance from a name (``"power_floor"``), an instance, or a Law subclass."""
    if isinstance(law, Law):
        return law
    if isinstance(law, type) and issubclass(law, Law):
        return law(**options)
    if isinstance(law, str):
        if law not in _REGISTRY:
            raise ScalingLabError(f"unknown law {law!r}; available: {', '.join(available_laws())}")
        return _REGISTRY[law](**options)
    raise ScalingLabError(f"law must be a name, a Law or a Law subclass, got {type(law).__name__}")


def available_laws() -> list[str]:
    """Names of every registered law."""
    return sorted(_REGISTRY)
