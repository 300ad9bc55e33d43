"""scikit-learn scorer names ("accuracy", "roc_auc", "neg_log_loss", ...) as metrics.

A scorer is scikit-learn's "greater is better" view of a metric: a score (accuracy, AUC, R²)
as it is, a loss multiplied by −1 (``neg_log_loss`` is −log loss; the scorer's ``_sign`` is
−1). scalinglab reads the direction from the scorer itself, and:

* a **score** (sign +1) stays what scikit-learn reports, higher is better, fitted as its distance
  from the best value (1 for accuracy or R²);
* a **negated loss** (sign −1) is turned back into the loss, lower is better, named without the
  ``neg_`` prefix: ``neg_log_loss`` −0.21 becomes ``log_loss`` 0.21. The numbers are the same up
  to the sign (scikit-learn defines the scorer as −1 × the loss), and every law in scalinglab
  describes a quantity that falls towards a floor, so answers read "log_loss falls to 0.18"
  rather than "neg_log_loss rises to −0.18".

A scaling law needs the best possible value of a score (its fitted value is the distance from
it), so each scorer's range is listed in :data:`RANGES` by its score function; a scorer with no
finite best value (``mutual_info_score``, ``positive_likelihood_ratio``) or one this version does
not know is refused with the reason. Ranges: the scikit-learn user guide, "Metrics and scoring"
(https://scikit-learn.org/stable/modules/model_evaluation.html).

scikit-learn is imported only when a scorer is looked up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import ScalingLabError
from .metric import Metric

__all__ = ["RANGES", "ScorerMetric", "scorer_metric", "scorer_names"]

_INF = float("inf")
_UNIT = (0.0, 1.0)
_AT_MOST_ONE = (-_INF, 1.0)         # R²-like scores: 1 is perfect, any model can be worse than a constant

#: The score function behind a scorer -> (task, range of the score or None for a loss). A loss
#: (scorer sign −1) is >= 0 with no useful upper end. ``None`` as the task: no finite best value.
RANGES: dict[str, tuple[str | None, tuple[float, float] | None]] = {
    # classification scores
    **{f: ("classification", _UNIT) for f in (
        "accuracy_score", "balanced_accuracy_score", "top_k_accuracy_score", "average_precision_score",
        "roc_auc_score", "f1_score", "precision_score", "recall_score", "jaccard_score")},
    "matthews_corrcoef": ("classification", (-1.0, 1.0)),
    "d2_brier_score": ("classification", _AT_MOST_ONE),
    "d2_log_loss_score": ("classification", _AT_MOST_ONE),
    # label-agreement (clustering) scores, computed on the predicted labels
    **{f: ("classification", _UNIT) for f in (
        "completeness_score", "homogeneity_score", "v_measure_score", "fowlkes_mallows_score",
        "normalized_mutual_info_score", "rand_score")},
    "adjusted_mutual_info_score": ("classification", _AT_MOST_ONE),
    "adjusted_rand_score": ("classification", _AT_MOST_ONE),
    # regression scores
    **{f: ("regression", _AT_MOST_ONE) for f in ("r2_score", "explained_variance_score", "d2_absolute_error_score")},
    # losses (the scorers negate them)
    **{f: ("classification", None) for f in ("log_loss", "brier_score_loss", "negative_likelihood_ratio")},
    **{f: ("regression", None) for f in (
        "max_error", "mean_absolute_error", "mean_absolute_percentage_error", "mean_gamma_deviance",
        "mean_poisson_deviance", "mean_squared_error", "mean_squared_log_error", "median_absolute_error",
        "root_mean_squared_error", "root_mean_squared_log_error")},
    # scores without a finite best value: no distance from the best to fit
    "mutual_info_score": (None, None),
    "positive_likelihood_ratio": (None, None),
}


def scorer_names() -> list[str]:
    """Every scorer name scikit-learn knows (``sklearn.metrics.get_scorer_names()``)."""
    from sklearn.metrics import get_scorer_names
    return sorted(get_scorer_names())


@dataclass(frozen=True)
class ScorerMetric:
    """A scikit-learn scorer seen as a scalinglab metric.

    ``scorer``: the scorer's name; ``sign``: +1 for a score, −1 for a negated loss;
    ``metric``: the metric a curve carries (name, direction, bounds); ``task``:
    "classification" or "regression"; ``response``: the estimator method the scorer calls
    (``predict``, ``predict_proba``, or a tuple of alternatives).

    >>> m = scorer_metric("neg_log_loss")
    >>> m.metric.name, m.metric.higher_is_better, float(m.to_metric(-0.25))
    ('log_loss', False, 0.25)
    >>> scorer_metric("accuracy").metric.describe()
    'accuracy (higher is better; in [0, 1])'
    """

    scorer: str
    sign: int
    metric: Metric
    task: str
    response: object

    def to_metric(self, scores):
        """Scores as the scorer returns them -> values of :attr:`metric` (a negated loss back to the loss)."""
        out = np.asarray(scores, float) * self.sign
        return float(out) if out.ndim == 0 else out

    def score(self, estimator, X, y) -> float:
        """The metric of a fitted ``estimator`` on (X, y): the scorer's value, a loss made positive."""
        from sklearn.metrics import get_scorer
        return float(self.to_metric(get_scorer(self.scorer)(estimator, X, y)))

    def needs(self) -> tuple[str, ...]:
        """Estimator methods of which the scorer needs one."""
        return (self.response,) if isinstance(self.response, str) else tuple(self.response)


def scorer_metric(name: str) -> ScorerMetric:
    """The metric of the scikit-learn scorer ``name``; an unknown name is refused with the list of
    valid ones, a scorer without a finite best value with the reason."""
    from sklearn.metrics import get_scorer, get_scorer_names
    if not isinstance(name, str) or name not in get_scorer_names():
        raise ScalingLabError(f"{name!r} is not a scikit-learn scorer name; valid names: "
                              + ", ".join(scorer_names()))
    scorer = get_scorer(name)
    sign = int(getattr(scorer, "_sign", 1))
    function = getattr(getattr(scorer, "_score_func", None), "__name__", "?")
    task, bounds = RANGES.get(function, ("unknown", None))
    if task == "unknown" or (sign > 0 and bounds is None):
        why = ("it has no finite best value, and a scaling law fits the distance from the best value"
               if task is None else f"this version of scalinglab does not know the range of {function}")
        raise ScalingLabError(f"scorer {name!r} cannot be a curve's metric: {why}; give a metric with a known best "
                              "value, or a callable metric returning a loss (lower is better)")
    if sign < 0:
        shown = name[len("neg_"):] if name.startswith("neg_") else function
        metric = Metric.resolve(shown, higher_is_better=False, bounds=None)
    else:
        metric = Metric.resolve(name, higher_is_better=True, bounds=bounds)
    response = getattr(scorer, "_response_method", "predict")
    return ScorerMetric(name, 1 if sign > 0 else -1, metric, task, response)
