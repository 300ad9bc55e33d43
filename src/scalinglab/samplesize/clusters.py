"""Partitions of unlabeled data: choose K by a stated criterion, then size each partition."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.mixture import GaussianMixture

from ..errors import ScalingLabError
from ._checks import unit_scaled
from .intervals import PartitionPlan, partitions_n

__all__ = ["KChoice", "choose_k", "partition_plan"]


@dataclass(frozen=True)
class KChoice:
    """The chosen K with the score of every candidate and each cluster's size and spread
    (RMS distance of its points to their centroid)."""

    k: int
    criterion: str
    scores: pd.Series
    labels: np.ndarray
    clusters: pd.DataFrame

    def __str__(self) -> str:
        best = "highest" if self.criterion == "silhouette" else "lowest"
        return (f"K = {self.k} partitions ({best} {self.criterion} among K = {self.scores.index.min()}…"
                f"{self.scores.index.max()}); cluster sizes {list(self.clusters['size'])}")


def choose_k(X, *, k_range=range(2, 11), criterion: str = "silhouette", seed: int = 0) -> KChoice:
    """Cluster ``X`` for each K in ``k_range`` and keep the best by ``criterion``:
    "silhouette" (k-means, highest mean silhouette; Rousseeuw 1987) or "bic" (Gaussian
    mixture with full covariances, lowest BIC; Schwarz 1978)."""
    X = np.asarray(X, float)
    if X.ndim != 2 or not np.all(np.isfinite(X)):
        raise ScalingLabError("X must be a finite 2-D array (points × features)")
    if criterion not in ("silhouette", "bic"):
        raise ScalingLabError(f"criterion must be 'silhouette' or 'bic', got {criterion!r}")
    distinct = len(np.unique(X, axis=0))
    ks = [int(k) for k in k_range if 2 <= int(k) < len(X) and int(k) <= distinct]
    if not ks:
        raise ScalingLabError(f"no usable K in {list(k_range)} for {len(X)} points ({distinct} distinct)")
    X, scale = unit_scaled(X)                     # k-means, silhouette and the BIC ranking are scale-free
    scores, labels = {}, {}
    for k in ks:
        if criterion == "silhouette":
            lab = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(X)
            # k-means can leave a cluster empty on tied points: a silhouette needs two labels
            scores[k] = silhouette_score(X, lab) if len(np.unique(lab)) > 1 else -1.0
        elif criterion == "bic":
            gm = GaussianMixture(n_components=k, random_state=seed).fit(X)
            lab, scores[k] = gm.predict(X), gm.bic(X)
        labels[k] = lab
    series = pd.Series(scores, name=criterion)
    k = int(series.idxmax() if criterion == "silhouette" else series.idxmin())
    lab = labels[k]
    rows = []
    for c in range(k):
        pts = X[lab == c]
        rows.append({"cluster": c, "size": len(pts),
                     "spread": scale * float(np.sqrt(np.mean(np.sum((pts - pts.mean(axis=0)) ** 2, axis=1))))})
    return KChoice(k, criterion, series, lab, pd.DataFrame(rows).set_index("cluster"))


def partition_plan(X, width: float, *, y=None, sigma: float | None = None, kind: str = "prediction",
                   level: float = 0.95, criterion: str = "silhouette", k_range=range(2, 11),
                   seed: int = 0) -> tuple[KChoice, PartitionPlan]:
    """The source notes' statistical approach end to end: partition unlabeled ``X`` (K chosen
    by ``criterion``), take each partition's response noise σ_k from a pilot ``y`` (standard
    deviation within the cluster) or one ``sigma`` for all, and size each partition's interval
    (:func:`partitions_n`)."""
    choice = choose_k(X, k_range=k_range, criterion=criterion, seed=seed)
    if y is not None:
        y = np.asarray(y, float)
        if len(y) != len(choice.labels):
            raise ScalingLabError(f"y has {len(y)} values for {len(choice.labels)} points")
        sigmas = [np.std(y[choice.labels == c], ddof=1) for c in range(choice.k)]
    elif sigma is not None:
        sigmas = [sigma] * choice.k
    else:
        raise ScalingLabError("give y (pilot responses) or sigma (noise of the response)")
    return choice, partitions_n(sigmas, width, kind=kind, level=level)
