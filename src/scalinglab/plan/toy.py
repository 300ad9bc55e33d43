"""Toy learning curves with known exponents: for teaching, and as test oracles for the fitter."""

from __future__ import annotations

import numpy as np

from ..curves import Curve
from ..errors import ScalingLabError

__all__ = ["gaussian_mean_curve", "counting_curve", "COUNTING_EXPONENT", "GAUSSIAN_EXPONENT"]

#: Squared error of a sample mean falls as sigma^2 / N.
GAUSSIAN_EXPONENT = 1.0
#: Absolute error of a frequency (counting) estimate falls as sqrt(2 p (1 - p) / (pi N)).
COUNTING_EXPONENT = 0.5


def _check(sizes, repeats: int) -> np.ndarray:
    sizes = np.asarray(sizes, dtype=int)
    if sizes.ndim != 1 or len(sizes) < 2 or np.any(sizes < 1):
        raise ScalingLabError("sizes must be at least two whole numbers >= 1")
    if repeats < 1:
        raise ScalingLabError(f"repeats must be >= 1, got {repeats!r}")
    return sizes


def gaussian_mean_curve(sizes, *, sigma: float = 1.0, repeats: int = 2000, seed: int = 0) -> Curve:
    r"""Estimate the mean of N(0, σ²) from N samples; the curve is the mean squared error over
    ``repeats`` simulations per size. Theory: :math:`E[(\bar x - \mu)^2] = \sigma^2 / N`,
    a pure power law with exponent 1 and coefficient σ².
    """
    sizes = _check(sizes, repeats)
    rng = np.random.default_rng(seed)
    # the mean of N normal draws is itself N(0, sigma^2 / N): simulate it directly
    errors = [np.mean((rng.normal(0.0, sigma, size=(repeats, 1)) / np.sqrt(n)) ** 2) for n in sizes]
    return Curve(sizes.astype(float), np.array(errors), metric="squared error")


def counting_curve(sizes, *, p: float = 0.3, repeats: int = 2000, seed: int = 0) -> Curve:
    r"""The counting (coin-flip) model of Hestness et al. 2017's appendix: a model that learns
    the probability p of an outcome by counting it in N training samples. The curve is the
    mean absolute error :math:`|\hat p - p|` over ``repeats`` simulations (binomial counts).
    Theory (normal approximation): :math:`\sqrt{2p(1-p)/(\pi N)}`, exponent 1/2.
    """
    sizes = _check(sizes, repeats)
    if not 0 < p < 1:
        raise ScalingLabError(f"p must be strictly between 0 and 1, got {p!r}")
    rng = np.random.default_rng(seed)
    errors = [np.mean(np.abs(rng.binomial(n, p, size=repeats) / n - p)) for n in sizes]
    return Curve(sizes.astype(float), np.array(errors), metric="absolute error")
