"""Example data shipped with the package (works offline)."""

from __future__ import annotations

from importlib import resources

import pandas as pd

from .curves import Curve
from .errors import ScalingLabError

EXAMPLES = {
    "digits_logreg": "Logistic regression on scikit-learn's handwritten digits: test error vs training-set "
                     "size (20..1257, sqrt(2) steps), 5 seeds, one fixed 30 % test set "
                     "(regenerate with scripts/make_example_curve.py)",
}


def example_frame(name: str = "digits_logreg") -> pd.DataFrame:
    """The raw table of an example (columns n, seed, error)."""
    if name not in EXAMPLES:
        raise ScalingLabError(f"unknown example {name!r}; available: {', '.join(EXAMPLES)}")
    with resources.files("scalinglab.data").joinpath(f"{name}.csv").open() as fh:
        return pd.read_csv(fh)


def example_curve(name: str = "digits_logreg") -> Curve:
    """A real learning curve to try things on.

    >>> c = example_curve()
    >>> c.n, c.n_distinct
    (65, 13)
    """
    return Curve.from_frame(example_frame(name), x="n", y="error", seed="seed")
