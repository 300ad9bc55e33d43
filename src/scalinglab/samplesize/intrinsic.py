"""Intrinsic dimension of data (or of model representations).

Nearest-neighbour estimators:

* TwoNN (Facco, d'Errico, Rodriguez & Laio 2017): with r1, r2 the distances to a point's first
  and second neighbours, μ = r2/r1 follows a Pareto law with exponent d, so −log(1 − F(μ)) =
  d·log μ; d is the slope through the origin, after discarding the largest 10 % of μ (the
  paper's heuristic; scikit-dimension 0.5's ``TwoNN`` default, same empirical F).
* Levina & Bickel 2005 MLE with k neighbours: per point (a local estimate)
  m(x) = [ (1/(k−1)) Σ_{j<k} log(T_k/T_j) ]⁻¹, combined over points either by the harmonic
  mean (MacKay & Ghahramani 2005's correction; scikit-dimension's default) or the arithmetic
  mean of the original paper. They differ: 6.84 vs 7.72 on scikit-learn's digits at k = 20.

Projective (PCA) estimators, global or local (in each point's neighbourhood, as
scikit-dimension's ``lPCA().fit_pw``):

* "FO" (Fukunaga & Olsen 1971): the number of covariance eigenvalues above ``alpha`` times
  the largest (scikit-dimension's ``lPCA`` default, alpha = 0.05);
* "participation_ratio": (Σλ)²/Σλ² (a continuous count of the directions that carry variance).

Duplicate rows carry no information about dimension (their distance is 0) and are removed
before any estimate, with a ``ScalingLabWarning`` and the count in ``n_dropped``. Estimates
that would be undefined (every μ = 1 on a lattice, every local estimate infinite) are refused
with the reason instead of returning NaN.
"""

from __future__ import annotations

import warnings
from dataclasses import InitVar, dataclass

import numpy as np
from sklearn.neighbors import NearestNeighbors

from ..errors import ScalingLabError, ScalingLabWarning
from ._checks import real, unit_scaled, whole

__all__ = ["IntrinsicDimension", "twonn", "mle", "pca", "local_pca", "exponent_from_dimension"]

PCA_RULES = ("FO", "participation_ratio")


@dataclass(frozen=True)
class IntrinsicDimension:
    """An intrinsic-dimension estimate. Per-point (local) estimates, where the method has them,
    are in ``local`` (kept out of the fields, so ``dataclasses.asdict`` stays JSON-ready)."""

    dimension: float
    method: str
    n_used: int
    n_dropped: int
    local_values: InitVar[np.ndarray | None] = None

    def __post_init__(self, local_values):
        object.__setattr__(self, "_local", None if local_values is None else np.asarray(local_values, float))

    @property
    def local(self) -> np.ndarray | None:
        """Per-point estimates (MLE: m(x); local PCA: the neighbourhood's dimension), or None."""
        return self._local

    def __str__(self) -> str:
        dropped = f", {self.n_dropped} duplicate rows removed" if self.n_dropped else ""
        spread = ""
        if self._local is not None and len(self._local):
            q = np.quantile(self._local, [0.1, 0.5, 0.9])
            spread = f"; local estimates 10/50/90 %: {q[0]:.3g} / {q[1]:.3g} / {q[2]:.3g}"
        return f"intrinsic dimension {self.dimension:.3f} ({self.method}, {self.n_used} points{dropped}){spread}"


def _check_x(X, min_points: int) -> tuple[np.ndarray, int]:
    """Finite 2-D float array with duplicate rows removed (warned), scaled to unit size (every
    estimator here is scale-free; see ``unit_scaled``), and the number of rows removed."""
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise ScalingLabError("X must be numbers: a 2-D array (points × features)") from None
    if X.ndim != 2 or X.shape[1] < 1:
        raise ScalingLabError(f"X must be a 2-D array (points × features), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        row = int(np.flatnonzero(~np.all(np.isfinite(X), axis=1))[0])
        raise ScalingLabError(f"X contains NaN or inf (first in row {row})")
    _, first = np.unique(X, axis=0, return_index=True)
    unique = X[np.sort(first)]                    # first occurrences, in the given order
    dropped = len(X) - len(unique)
    if dropped:
        warnings.warn(f"{dropped} duplicate rows removed before estimating the intrinsic dimension (a point at "
                      "distance 0 says nothing about dimension)", ScalingLabWarning, stacklevel=3)
    if len(unique) < min_points:
        raise ScalingLabError(f"need at least {min_points} distinct points, got {len(unique)}"
                              + (f" ({dropped} duplicate rows removed)" if dropped else ""))
    return unit_scaled(unique)[0], dropped


def twonn(X, *, discard_fraction: float = 0.1) -> IntrinsicDimension:
    """TwoNN estimate (see the module docstring).

    >>> rng = np.random.default_rng(0)
    >>> round(twonn(rng.uniform(size=(2000, 3)) @ rng.normal(size=(3, 10))).dimension, 1)
    2.9
    """
    real("discard_fraction", discard_fraction, low=0, high=1, open_low=False)
    X, dropped = _check_x(X, 3)
    dist, _ = NearestNeighbors(n_neighbors=2).fit(X).kneighbors()
    mu = dist[:, 1] / dist[:, 0]
    n = len(mu)
    n_keep = int(n * (1 - discard_fraction))
    if n_keep < 2:
        raise ScalingLabError(f"fewer than 2 points left for TwoNN after discarding {discard_fraction:.0%} of {n}")
    log_mu = np.log(np.sort(mu)[:n_keep])
    if not np.any(log_mu > 0):
        raise ScalingLabError("TwoNN is undefined here: every kept point's first and second neighbours are at the "
                              "same distance (lattice or grid data); use mle() or pca(), or add noise below the "
                              "grid spacing")
    y = -np.log(1 - np.arange(1, n_keep + 1) / n)
    d = float(log_mu @ y / (log_mu @ log_mu))
    return IntrinsicDimension(d, f"TwoNN (Facco et al. 2017), {discard_fraction:.0%} of the largest ratios discarded",
                              n, dropped)


def mle(X, *, k: int = 20, combine: str = "harmonic") -> IntrinsicDimension:
    """Levina–Bickel MLE with ``k`` neighbours; ``combine`` is "harmonic" or "arithmetic".
    ``local`` holds each point's m(x) (scikit-dimension's ``MLE().dimension_pw_``)."""
    k = whole("k", k, 3)
    if combine not in ("harmonic", "arithmetic"):
        raise ScalingLabError(f"combine must be 'harmonic' or 'arithmetic', got {combine!r}")
    X, dropped = _check_x(X, k + 1)
    dist, _ = NearestNeighbors(n_neighbors=k).fit(X).kneighbors()
    inverse = np.log(dist[:, -1:] / dist[:, :-1]).mean(axis=1)      # 1 / m(x); 0 when all k are equidistant
    if not np.any(inverse > 0):
        raise ScalingLabError(f"the MLE is undefined here: for every point its {k} nearest neighbours are all at "
                              "the same distance (lattice data); use a larger k or pca()")
    with np.errstate(divide="ignore"):
        local = 1.0 / inverse
    if combine == "harmonic":
        d = 1.0 / inverse.mean()
    else:
        if not np.all(np.isfinite(local)):
            raise ScalingLabError(f"{int(np.sum(~np.isfinite(local)))} points have all {k} neighbours at one "
                                  "distance (an infinite local estimate): the arithmetic mean is undefined; use "
                                  "combine='harmonic' or a larger k")
        d = float(np.mean(local))
    return IntrinsicDimension(float(d), f"Levina-Bickel MLE, k = {k}, {combine} mean over points", len(X), dropped,
                              local)


def _pca_dimension(eigenvalues: np.ndarray, rule: str, alpha: float) -> float:
    ev = np.sort(eigenvalues)[::-1]
    if rule == "FO":
        return float(np.sum(ev > alpha * ev[0]))
    return float(ev.sum() ** 2 / np.sum(ev ** 2))


def _check_rule(rule: str, alpha: float) -> None:
    if rule not in PCA_RULES:
        raise ScalingLabError(f"rule must be one of {PCA_RULES}, got {rule!r}")
    real("alpha", alpha, low=0, high=1)


def pca(X, *, rule: str = "FO", alpha: float = 0.05) -> IntrinsicDimension:
    """Global PCA estimate: covariance eigenvalues counted by ``rule`` (module docstring).
    A linear estimate: a curved manifold needs more directions than its dimension, so use
    :func:`local_pca` or the neighbour estimators for curved data."""
    _check_rule(rule, alpha)
    X, dropped = _check_x(X, 2)
    ev = np.linalg.svd(X - X.mean(axis=0), compute_uv=False) ** 2 / (len(X) - 1)
    if not ev[0] > 0:
        raise ScalingLabError("all points coincide after removing duplicates: no direction carries variance")
    return IntrinsicDimension(_pca_dimension(ev, rule, alpha), f"PCA, {rule}" + (f" (alpha {alpha:g})"
                              if rule == "FO" else ""), len(X), dropped)


def local_pca(X, *, n_neighbors: int = 100, rule: str = "FO", alpha: float = 0.05) -> IntrinsicDimension:
    """Local PCA: the PCA dimension of each point's ``n_neighbors`` nearest neighbours (the point
    itself excluded, as scikit-dimension's ``lPCA().fit_pw``); ``local`` holds the per-point
    values, ``dimension`` their mean."""
    _check_rule(rule, alpha)
    n_neighbors = whole("n_neighbors", n_neighbors, 2)
    X, dropped = _check_x(X, n_neighbors + 1)
    _, idx = NearestNeighbors(n_neighbors=n_neighbors).fit(X).kneighbors()
    neighbourhoods = X[idx]                                           # points × neighbours × features
    centred = neighbourhoods - neighbourhoods.mean(axis=1, keepdims=True)
    ev = np.linalg.svd(centred, compute_uv=False) ** 2 / (n_neighbors - 1)
    if not np.all(ev[:, 0] > 0):
        raise ScalingLabError("some neighbourhoods have no variance at all")
    local = np.array([_pca_dimension(e, rule, alpha) for e in ev])
    return IntrinsicDimension(float(local.mean()), f"local PCA, {rule}, {n_neighbors} neighbours, mean over points",
                              len(X), dropped, local)


def exponent_from_dimension(dimension: float, *, kind: str = "data") -> float:
    """HEURISTIC link from intrinsic dimension d to a scaling exponent, for orientation only.

    ``kind="data"``: log error ≈ −(1/d)·log N (the source notes' rule of thumb), exponent 1/d.
    ``kind="model"``: Sharma & Kaplan 2020 ("A neural scaling law from the dimension of the
    data manifold") predict a model-size exponent of about 4/d for cross-entropy loss.
    Neither is a law: measured exponents deviate widely; fit a curve when you can.
    """
    dimension = real("dimension", dimension, low=0)
    if kind == "data":
        return 1.0 / dimension
    if kind == "model":
        return 4.0 / dimension
    raise ScalingLabError(f"kind must be 'data' or 'model', got {kind!r}")
