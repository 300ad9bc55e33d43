"""Intrinsic dimension of data (or of model representations) from nearest-neighbour distances.

* TwoNN (Facco, d'Errico, Rodriguez & Laio 2017): with r1, r2 the distances to a point's first
  and second neighbours, μ = r2/r1 follows a Pareto law with exponent d, so −log(1 − F(μ)) =
  d·log μ; d is the slope through the origin, after discarding the largest 10 % of μ (the
  paper's heuristic; scikit-dimension 0.5's ``TwoNN`` default, same empirical F).
* Levina & Bickel 2005 MLE with k neighbours: per point
  m(x) = [ (1/(k−1)) Σ_{j<k} log(T_k/T_j) ]⁻¹, combined over points either by the harmonic
  mean (MacKay & Ghahramani 2005's correction; scikit-dimension's default) or the arithmetic
  mean of the original paper. They differ: 6.84 vs 7.72 on scikit-learn's digits at k = 20.

Points with a duplicate (zero distance to a neighbour) carry no information about dimension
and are dropped, with the count reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.neighbors import NearestNeighbors

from ..errors import ScalingLabError

__all__ = ["IntrinsicDimension", "twonn", "mle", "exponent_from_dimension"]


@dataclass(frozen=True)
class IntrinsicDimension:
    dimension: float
    method: str
    n_used: int
    n_dropped: int

    def __str__(self) -> str:
        dropped = f", {self.n_dropped} duplicate points dropped" if self.n_dropped else ""
        return f"intrinsic dimension {self.dimension:.3f} ({self.method}, {self.n_used} points{dropped})"


def _check_x(X, min_points: int) -> np.ndarray:
    X = np.asarray(X, float)
    if X.ndim != 2:
        raise ScalingLabError(f"X must be a 2-D array (points × features), got shape {X.shape}")
    if len(X) < min_points:
        raise ScalingLabError(f"need at least {min_points} points, got {len(X)}")
    if not np.all(np.isfinite(X)):
        raise ScalingLabError("X contains NaN or inf")
    return X


def twonn(X, *, discard_fraction: float = 0.1) -> IntrinsicDimension:
    """TwoNN estimate (see the module docstring)."""
    X = _check_x(X, 3)
    if not 0 <= discard_fraction < 1:
        raise ScalingLabError(f"discard_fraction must be in [0, 1), got {discard_fraction!r}")
    dist, _ = NearestNeighbors(n_neighbors=2).fit(X).kneighbors()
    keep = dist[:, 0] > 0
    mu = dist[keep, 1] / dist[keep, 0]
    n = len(mu)
    n_keep = int(n * (1 - discard_fraction))
    if n_keep < 2:
        raise ScalingLabError("fewer than 2 usable points for TwoNN")
    log_mu = np.log(np.sort(mu)[:n_keep])
    y = -np.log(1 - np.arange(1, n_keep + 1) / n)
    d = float(log_mu @ y / (log_mu @ log_mu))
    return IntrinsicDimension(d, f"TwoNN (Facco et al. 2017), {discard_fraction:.0%} of the largest ratios discarded",
                              n, int((~keep).sum()))


def mle(X, *, k: int = 20, combine: str = "harmonic") -> IntrinsicDimension:
    """Levina–Bickel MLE with ``k`` neighbours; ``combine`` is "harmonic" or "arithmetic"."""
    X = _check_x(X, k + 1)
    if int(k) != k or k < 3:
        raise ScalingLabError(f"k must be a whole number >= 3, got {k!r}")
    if combine not in ("harmonic", "arithmetic"):
        raise ScalingLabError(f"combine must be 'harmonic' or 'arithmetic', got {combine!r}")
    dist, _ = NearestNeighbors(n_neighbors=int(k)).fit(X).kneighbors()
    keep = dist[:, 0] > 0
    logs = np.log(dist[keep, -1:] / dist[keep, :-1])           # log(T_k / T_j), j < k
    inverse = logs.mean(axis=1)                                 # 1 / m(x)
    d = 1.0 / inverse.mean() if combine == "harmonic" else float(np.mean(1.0 / inverse))
    return IntrinsicDimension(float(d), f"Levina-Bickel MLE, k = {k}, {combine} mean over points",
                              int(keep.sum()), int((~keep).sum()))


def exponent_from_dimension(dimension: float, *, kind: str = "data") -> float:
    """HEURISTIC link from intrinsic dimension d to a scaling exponent, for orientation only.

    ``kind="data"``: log error ≈ −(1/d)·log N (the source notes' rule of thumb), exponent 1/d.
    ``kind="model"``: Sharma & Kaplan 2020 ("A neural scaling law from the dimension of the
    data manifold") predict a model-size exponent of about 4/d for cross-entropy loss.
    Neither is a law: measured exponents deviate widely; fit a curve when you can.
    """
    if not (np.isfinite(dimension) and dimension > 0):
        raise ScalingLabError(f"dimension must be a positive number, got {dimension!r}")
    if kind == "data":
        return 1.0 / dimension
    if kind == "model":
        return 4.0 / dimension
    raise ScalingLabError(f"kind must be 'data' or 'model', got {kind!r}")
