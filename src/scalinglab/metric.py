"""What a curve measures: the metric's name, its direction and its bounds.

Every law in the package describes a quantity that *falls* with size towards a floor
>= 0, so a curve is fitted on one internal scale, the **fitted value** f:

* a lower-is-better metric (error, loss, MSE) is fitted as it is: f = y;
* a higher-is-better metric (accuracy, F1, AUC) is fitted as its distance from the best
  possible value ``hi``: f = hi − y (accuracy 0.95 is fitted as 0.05).

Answers are converted back at every output (``to_metric``), so a user who measured
accuracy reads accuracy ("accuracy rises to 0.957"), never "1 − error".

Bounds, (lo, hi), say where the metric can lie. They are known in one of two ways:

1. explicitly: ``Curve(..., bounds=(0, 1))`` (``bounds=None``: no bounds);
2. from the metric's name, when the name is one of the rates in :data:`RATE_NAMES` or ends
   in "rate" or "accuracy" (case and separators ignored): then (0, 1). A name is only a
   hint when the user gave it: an unnamed curve (shown as "error") has no bounds.

A higher-is-better metric needs a finite best value ``hi``; without explicit bounds it is
taken as (0, 1), the range of an accuracy. A bounded metric gets forecasts and intervals
inside its range by a transform (logit of f / cap, with cap the largest possible f), never
by clipping; see :func:`scalinglab.backtest.extrapolation`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .errors import ScalingLabError

__all__ = ["Metric", "RATE_NAMES", "known_bounds"]

#: Metric names known to lie in [0, 1] (after lower-casing and turning spaces/hyphens into "_").
RATE_NAMES = frozenset({
    "error", "err", "error_rate", "test_error", "val_error", "top1_error", "top5_error", "top_1_error",
    "top_5_error", "misclassification", "misclassification_rate", "zero_one_loss", "0_1_loss", "01_loss",
    "accuracy", "acc", "balanced_accuracy", "top1", "top5", "top1_accuracy", "top5_accuracy", "test_accuracy",
    "val_accuracy", "f1", "f1_score", "macro_f1", "micro_f1", "precision", "recall", "auc", "roc_auc",
    "pr_auc", "average_precision", "jaccard", "iou", "miou", "mean_iou", "exact_match", "em", "pass_rate",
    "pass@1", "win_rate",
})

_SEPARATORS = re.compile(r"[\s\-]+")


def _normal(name: str) -> str:
    return _SEPARATORS.sub("_", str(name).strip().lower())


def known_bounds(name: str | None) -> tuple[float, float] | None:
    """(0, 1) for a metric name known to be a rate or an accuracy (see the module docstring), else None."""
    if name is None:
        return None
    key = _normal(name)
    if key in RATE_NAMES or key.endswith("rate") or key.endswith("accuracy"):
        return (0.0, 1.0)
    return None


def _check_bounds(bounds) -> tuple[float, float] | None:
    if bounds is None:
        return None
    try:
        lo, hi = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ScalingLabError(f"bounds must be a pair (lo, hi) of numbers, or None; got {bounds!r}") from None
    if np.isnan(lo) or np.isnan(hi) or not lo < hi:
        raise ScalingLabError(f"bounds must satisfy lo < hi, got {bounds!r}")
    return (lo, hi)


@dataclass(frozen=True)
class Metric:
    """A metric's name, direction and bounds, and the conversions to and from fitted values.

    >>> acc = Metric.resolve("accuracy", higher_is_better=True)
    >>> acc.bounds, float(acc.to_fitted(0.95)), float(acc.to_metric(0.05))
    ((0.0, 1.0), 0.050000000000000044, 0.95)
    """

    name: str = "error"
    higher_is_better: bool = False
    bounds: tuple[float, float] | None = None

    @classmethod
    def resolve(cls, name: str | None, *, higher_is_better: bool = False, bounds="auto") -> "Metric":
        """The metric of a curve: ``bounds="auto"`` takes them from the name (see the module
        docstring); an unnamed metric is called "error" (lower is better) or "score"."""
        if not isinstance(higher_is_better, (bool, np.bool_)):
            raise ScalingLabError(f"higher_is_better must be True or False, got {higher_is_better!r}")
        higher_is_better = bool(higher_is_better)
        if name is not None and not isinstance(name, str):
            raise ScalingLabError(f"metric must be a name (a string), got {type(name).__name__}")
        shown = name if name else ("score" if higher_is_better else "error")
        if isinstance(bounds, str):
            if bounds != "auto":
                raise ScalingLabError(f"bounds must be 'auto', None or a pair (lo, hi); got {bounds!r}")
            bounds = known_bounds(name)
            if bounds is None and higher_is_better:
                bounds = (0.0, 1.0)
        bounds = _check_bounds(bounds)
        if higher_is_better and (bounds is None or not np.isfinite(bounds[1])):
            raise ScalingLabError(
                f"a higher-is-better metric ({shown!r}) needs its best possible value: give bounds=(lo, hi) "
                "with a finite hi (e.g. (0, 1) for an accuracy, (0, 100) for a percentage)")
        return cls(shown, higher_is_better, bounds)

    # -- conversions ---------------------------------------------------------------------
    @property
    def best(self) -> float:
        """The best possible value of the metric (hi when higher is better, else lo or 0)."""
        if self.higher_is_better:
            return self.bounds[1]
        return 0.0 if self.bounds is None or not np.isfinite(self.bounds[0]) else self.bounds[0]

    @property
    def cap(self) -> float:
        """Largest possible fitted value (inf when the metric has no upper end on the fitted scale)."""
        if self.bounds is None:
            return np.inf
        lo, hi = self.bounds
        return (hi - lo) if self.higher_is_better else hi

    @property
    def bounded(self) -> bool:
        """Is the fitted value confined to (0, cap) with a finite cap?"""
        return bool(np.isfinite(self.cap) and self.cap > 0)

    def to_fitted(self, values):
        """Metric values -> fitted values (lower is better); a float for a scalar."""
        values = np.asarray(values, float)
        return _plain(self.bounds[1] - values if self.higher_is_better else values)

    def to_metric(self, fitted):
        """Fitted values -> the metric as the user measures it; a float for a scalar."""
        fitted = np.asarray(fitted, float)
        return _plain(self.bounds[1] - fitted if self.higher_is_better else fitted)

    def interval_to_metric(self, lo, hi) -> tuple:
        """An interval of fitted values -> the same interval on the metric (ends swap when
        higher is better)."""
        a, b = self.to_metric(lo), self.to_metric(hi)
        return (b, a) if self.higher_is_better else (a, b)

    def improvement(self, old, new):
        """How much better ``new`` is than ``old`` (both metric values): positive = better."""
        diff = np.asarray(new, float) - np.asarray(old, float)
        return diff if self.higher_is_better else -diff

    # -- words ------------------------------------------------------------------------------
    @property
    def fitted_name(self) -> str:
        """What the fitted value is called in sentences: the metric, or its distance from the best."""
        return f"{self.bounds[1]:g} − {self.name}" if self.higher_is_better else self.name

    @property
    def floor_word(self) -> str:
        """The limit as size grows: the "floor" of a loss, the "ceiling" of an accuracy."""
        return "ceiling" if self.higher_is_better else "floor"

    @property
    def better_word(self) -> str:
        return "higher" if self.higher_is_better else "lower"

    def describe(self) -> str:
        """One phrase: name, direction and bounds (for reports)."""
        where = "no known bounds" if self.bounds is None else f"in [{self.bounds[0]:g}, {self.bounds[1]:g}]"
        return f"{self.name} ({self.better_word} is better; {where})"

    def to_dict(self) -> dict:
        return {"metric": self.name, "higher_is_better": self.higher_is_better,
                "bounds": None if self.bounds is None else [_json_number(b) for b in self.bounds]}


def _plain(arr: np.ndarray):
    return float(arr) if arr.ndim == 0 else arr


def _json_number(value: float):
    """Infinite bounds as strings (strict JSON has no Infinity)."""
    if np.isfinite(value):
        return float(value)
    return "inf" if value > 0 else "-inf"
