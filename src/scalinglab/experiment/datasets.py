"""Built-in datasets that work offline: no download, ever.

* scikit-learn's bundled sets: digits, iris, wine, breast_cancer (classification), diabetes
  (regression);
* ``pycorpus``: (8-byte context, next byte) windows from Python's own standard-library
  sources, for a small byte-level language model (``torch_adapter``);
* ``mnist1d``: an MNIST-1D-style generator after Greydanus 2020 ("Scaling down deep learning"):
  ten 1-D digit templates, randomly padded, scaled, sheared and translated, with white and
  correlated noise. Generated locally from a seed; not bit-identical to the published set.
"""

from __future__ import annotations

import numpy as np
from sklearn import datasets as skd

from ..errors import ScalingLabError

_SKLEARN = {
    "digits": (skd.load_digits, "classification"),
    "iris": (skd.load_iris, "classification"),
    "wine": (skd.load_wine, "classification"),
    "breast_cancer": (skd.load_breast_cancer, "classification"),
    "diabetes": (skd.load_diabetes, "regression"),
}

# 12-point templates of the digits 0-9 (shapes in the spirit of MNIST-1D's hand-made templates)
_TEMPLATES = np.array([
    [5, 6, 6.5, 6.75, 7, 7, 7, 7, 6.75, 6.5, 6, 5],
    [5, 3, 3, 3.4, 3.8, 4.2, 4.6, 5, 5.4, 5.8, 5, 5],
    [5, 6, 6.5, 6.5, 6, 5.25, 4.75, 4, 3.5, 3.5, 4, 5],
    [5, 6, 6.5, 6.5, 6, 5, 5, 6, 6.5, 6.5, 6, 5],
    [5, 4.4, 3.8, 3.2, 2.6, 2.6, 5, 5, 5, 5, 5, 5],
    [5, 3, 3, 3, 3, 5, 6, 6.5, 6.5, 6, 4.5, 5],
    [5, 4, 3.5, 3.25, 3, 3, 3, 3, 3.25, 3.5, 4, 5],
    [5, 7, 7, 6.6, 6.2, 5.8, 5.4, 5, 4.6, 4.2, 5, 5],
    [5, 4, 3.5, 3.5, 4, 5, 5, 4, 3.5, 3.5, 4, 5],
    [5, 4, 3.5, 3.5, 4, 5, 5, 5, 5, 4.7, 4.3, 5],
], float) - 5.0

DATASETS = tuple(_SKLEARN) + ("mnist1d", "pycorpus")


def mnist1d(n: int = 5000, *, length: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """MNIST-1D-style sequences: (X of shape (n, length), y in 0..9)."""
    if n < 10:
        raise ScalingLabError(f"n must be >= 10, got {n!r}")
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, size=n)
    grid = np.linspace(-1, 1, length)
    X = np.empty((n, length))
    for i, label in enumerate(y):
        template = _TEMPLATES[label]
        pad = rng.integers(0, 10, size=2)                              # random padding both sides
        padded = np.concatenate([np.zeros(pad[0]), template, np.zeros(pad[1])])
        support = np.linspace(-1, 1, len(padded))
        scale = rng.uniform(0.6, 1.4)
        shift = rng.uniform(-0.4, 0.4)
        signal = np.interp((grid - shift) / scale, support, padded, left=0.0, right=0.0)
        signal += rng.uniform(-0.75, 0.75) * grid                       # shear
        correlated = np.convolve(rng.normal(0, 0.25, length + 4), np.ones(5) / 5, mode="valid")
        X[i] = signal + rng.normal(0, 0.25, length) + correlated
    return X, y


def load(name: str, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray, str]:
    """(X, y, task) of a built-in dataset; ``task`` is "classification" or "regression"."""
    if name == "mnist1d":
        X, y = mnist1d(seed=seed)
        return X, y, "classification"
    if name == "pycorpus":
        from .torch_adapter import byte_windows        # numpy only: no torch needed for the data
        X, y = byte_windows(seed=seed)
        return X, y, "classification"
    if name not in _SKLEARN:
        raise ScalingLabError(f"unknown dataset {name!r}; built-in (offline): {', '.join(DATASETS)}")
    loader, task = _SKLEARN[name]
    X, y = loader(return_X_y=True)
    return np.asarray(X, float), np.asarray(y), task
