"""The from-scratch side of a transfer study: one fitted law to invert, at any model size.

Hernandez et al. 2021 invert the from-scratch law L(N, D) at the fine-tuned model's loss to
find the data a model *of the same size* trained from scratch would need. The law may be
given three ways, all bootstrapped (every answer carries an interval from the draws):

* one 1-D fit (loss against data) for a single model size;
* one joint fit with x columns (N, D) (``kaplan``, as Hernandez et al. do, or ``chinchilla``):
  inverted at each N with ``law.solve(..., given=N)``;
* a mapping {N: 1-D fit}, one per model size (more flexible than one joint law when only a
  few widths were trained).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import ScalingLabError
from ..fitting.result import FitResult

__all__ = ["Scratch", "as_scratch"]


def _check_draws(fit: FitResult, what: str) -> None:
    if not isinstance(fit, FitResult):
        raise ScalingLabError(f"{what} must be a FitResult from sl.fit(...), got {type(fit).__name__}")
    if fit.draws is None or len(fit.draws) < 2:
        raise ScalingLabError(f"{what} has no bootstrap draws: call .bootstrap(1000) on it first "
                              "(the intervals of D_E come from them)")


@dataclass(frozen=True, eq=False)
class Scratch:
    """A from-scratch law that can be inverted at a model size N (None: the one model size)."""

    fits: Mapping            # {N or None: FitResult}; key "joint" holds a joint (N, D) fit

    @property
    def joint(self) -> bool:
        return "joint" in self.fits

    @property
    def sizes(self) -> list:
        """Model sizes with their own fit (empty for a joint fit, [None] for one 1-D fit)."""
        return [] if self.joint else list(self.fits)

    @property
    def n_draws(self) -> int:
        return min(len(f.draws) for f in self.fits.values())

    def fit_at(self, n) -> FitResult:
        if self.joint:
            return self.fits["joint"]
        if n is None and len(self.fits) == 1:
            return next(iter(self.fits.values()))         # one model size: no need to name it
        key = None if n is None else float(n)
        if key not in self.fits:
            have = ", ".join("one model size" if k is None else f"{k:g}" for k in self.fits)
            raise ScalingLabError(f"no from-scratch fit for model size N = {n}; the fits given are for: {have}")
        return self.fits[key]

    def _solve(self, fit: FitResult, target: float, theta, n) -> float:
        given = None if not self.joint else n
        value = float(np.asarray(fit.law.solve(float(target), theta, given=given)).reshape(-1)[0])
        return np.inf if np.isnan(value) else value

    def invert(self, target: float, n=None) -> float:
        """Data at which the from-scratch law reaches ``target`` at model size ``n`` (inf: never)."""
        fit = self.fit_at(n)
        return self._solve(fit, target, fit.theta, n)

    def invert_draws(self, targets, n=None) -> np.ndarray:
        """The same per bootstrap draw b, at target ``targets[b]`` (one number or one per draw)."""
        fit = self.fit_at(n)
        B = self.n_draws
        targets = np.broadcast_to(np.asarray(targets, float), (B,))
        return np.array([self._solve(fit, targets[b], fit.draws[b], n) for b in range(B)])

    def largest(self, n=None) -> float:
        """The largest data size the from-scratch law was fitted on (at ``n`` for a joint fit)."""
        fit = self.fit_at(n)
        if not self.joint:
            return float(fit.curve.x.max())
        x = fit.curve.x
        near = np.isclose(x[:, 0], float(n), rtol=1e-9)
        return float(x[near, 1].max()) if near.any() else float(x[:, 1].max())


def as_scratch(scratch) -> Scratch:
    """Normalise the three accepted forms (see the module docstring); checks draws and shapes."""
    if isinstance(scratch, Scratch):
        return scratch
    if isinstance(scratch, FitResult):
        _check_draws(scratch, "the from-scratch fit")
        width = scratch.curve.n_inputs
        if width == 1:
            return Scratch({None: scratch})
        if width == 2:
            return Scratch({"joint": scratch})
        raise ScalingLabError(f"the from-scratch fit has {width} x columns; give (N, D) or D alone")
    if isinstance(scratch, Mapping):
        if not scratch:
            raise ScalingLabError("the mapping of from-scratch fits is empty; give {N: fit, ...}")
        fits = {}
        for n, fit in scratch.items():
            _check_draws(fit, f"the from-scratch fit for N = {n}")
            try:
                key = float(n)
            except (TypeError, ValueError):
                raise ScalingLabError(f"from-scratch fits must be keyed by model size N (a number), got {n!r}") from None
            if not (np.isfinite(key) and key > 0):
                raise ScalingLabError(f"model size N must be a positive number, got {n!r}")
            if fit.curve.n_inputs != 1:
                raise ScalingLabError(f"the from-scratch fit for N = {n} must be a 1-D fit (loss against data)")
            fits[key] = fit
        return Scratch(fits)
    raise ScalingLabError("scratch must be a bootstrapped FitResult (1-D, or joint over (N, D)) or a mapping "
                          f"{{N: FitResult}}, got {type(scratch).__name__}")
