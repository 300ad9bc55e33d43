"""Degrading data on purpose, for a quality axis: label noise and feature corruption.

Both are *nested* and *keyed*: each row draws one uniform number from its key (its row id) and
the seed, and is degraded when that number is below the rate, so the rows degraded at rate 0.1
are among those degraded at rate 0.2, and a row is degraded the same way whichever subset of
the data it appears in (nested training sets stay nested across sizes and rates). What a row
becomes is drawn from the same key: for labels, a different class chosen uniformly; for
features, the value of that column in another row chosen uniformly (the column's marginal).
"""

from __future__ import annotations

import numpy as np

from ..errors import ScalingLabError

__all__ = ["flip_labels", "corrupt_features"]


def _check_rate(rate) -> float:
    rate = float(rate)
    if not 0 <= rate < 1:
        raise ScalingLabError(f"rate must be in [0, 1) (the share of rows degraded), got {rate!r}")
    return rate


def _keys(keys, n: int) -> np.ndarray:
    if keys is None:
        return np.arange(n, dtype=np.int64)
    keys = np.asarray(keys)
    if keys.shape != (n,):
        raise ScalingLabError(f"keys must have one entry per row ({n}), got shape {keys.shape}")
    if keys.dtype.kind not in "iu":
        if keys.dtype.kind == "f" and np.all(keys == np.round(keys)):
            keys = keys.astype(np.int64)
        else:
            raise ScalingLabError("keys must be whole numbers (row ids)")
    return keys


def _uniforms(keys: np.ndarray, seed: int, stream: int, width: int = 1) -> np.ndarray:
    """Uniform numbers that depend only on (seed, stream, key): one generator per key."""
    return np.array([np.random.default_rng([int(seed), stream, int(k)]).random(width) for k in keys])


def flip_labels(y, rate: float, *, seed: int = 0, keys=None, classes=None) -> np.ndarray:
    """A copy of ``y`` with about ``rate`` of the labels replaced by a different class drawn
    uniformly (symmetric label noise), nested in ``rate`` and keyed by ``keys`` (row ids;
    default positions 0..n-1). ``classes`` defaults to the labels present in ``y``.

    >>> import numpy as np
    >>> y = np.repeat(np.arange(10), 100)
    >>> a, b = flip_labels(y, 0.1, seed=1), flip_labels(y, 0.3, seed=1)
    >>> float(np.mean(a != y)), float(np.mean(b != y)), bool(np.all(b[a != y] == a[a != y]))
    (0.088, 0.291, True)
    """
    rate = _check_rate(rate)
    y = np.asarray(y)
    keys = _keys(keys, len(y))
    classes = np.unique(y) if classes is None else np.asarray(classes)
    if len(classes) < 2:
        raise ScalingLabError("label noise needs at least 2 classes")
    missing = np.setdiff1d(np.unique(y), classes)
    if missing.size:
        raise ScalingLabError(f"labels {missing[:5].tolist()} are not among classes")
    u = _uniforms(keys, seed, 0, 2)
    out = y.copy()
    flip = u[:, 0] < rate
    if flip.any():
        own = np.searchsorted(classes, y[flip]) if np.all(np.diff(classes) > 0) else \
            np.array([int(np.flatnonzero(classes == v)[0]) for v in y[flip]])
        shift = 1 + np.floor(u[flip, 1] * (len(classes) - 1)).astype(int)      # 1..K-1: never the own class
        out[flip] = classes[(own + shift) % len(classes)]
    return out


def corrupt_features(X, rate: float, *, seed: int = 0, keys=None) -> np.ndarray:
    """A copy of ``X`` in which about ``rate`` of the entries are replaced by the same column's
    value in another row chosen uniformly (noise from the column's own distribution), nested
    in ``rate`` and keyed by ``keys`` (row ids).

    >>> import numpy as np
    >>> X = np.arange(2000.0).reshape(1000, 2)
    >>> float(np.mean(corrupt_features(X, 0.25, seed=0) != X))
    0.236
    """
    rate = _check_rate(rate)
    X = np.asarray(X, float)
    if X.ndim != 2:
        raise ScalingLabError(f"X must be a 2-D array (rows × features), got shape {X.shape}")
    keys = _keys(keys, len(X))
    p = X.shape[1]
    u = _uniforms(keys, seed, 1, 2 * p)
    hit = u[:, :p] < rate
    donor = np.floor(u[:, p:] * len(X)).astype(int)
    out = X.copy()
    rows, cols = np.nonzero(hit)
    out[rows, cols] = X[donor[rows, cols], cols]
    return out
