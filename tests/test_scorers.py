"""scikit-learn's vocabulary: scorer names as metrics (direction from the scorer itself) and
``Curve.from_learning_curve`` on the real output of ``sklearn.model_selection.learning_curve``."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.model_selection import learning_curve
from sklearn.naive_bayes import GaussianNB
from sklearn.svm import SVC

import scalinglab as sl
from scalinglab.scorers import RANGES, scorer_metric

NO_BEST = {"mutual_info_score", "positive_likelihood_ratio"}


def _learning_curve(scoring):
    X, y = load_digits(return_X_y=True)
    with warnings.catch_warnings():     # GaussianNB's probabilities miss 1 by rounding: scikit-learn says so
        warnings.filterwarnings("ignore", "The y_prob values do not sum to one", UserWarning)
        return learning_curve(GaussianNB(), X, y, train_sizes=np.geomspace(0.05, 1, 6), cv=5,
                              scoring=scoring, shuffle=True, random_state=0)


def test_every_scorer_has_its_direction_from_the_scorer_or_is_refused_with_why():
    for name in get_scorer_names():
        scorer = get_scorer(name)
        function = scorer._score_func.__name__
        assert function in RANGES, f"{name}: {function} not in RANGES"       # a new scikit-learn scorer: add it
        if function in NO_BEST:
            with pytest.raises(sl.ScalingLabError, match="no finite best value"):
                scorer_metric(name)
            continue
        m = scorer_metric(name)
        assert m.metric.higher_is_better == (scorer._sign > 0), name
        assert m.metric.name == (name.removeprefix("neg_") if scorer._sign < 0 else name)


def test_a_negated_loss_is_the_loss_and_a_score_stays_itself():
    X, y = load_iris(return_X_y=True)
    est = LogisticRegression(max_iter=500).fit(X[::2], y[::2])
    p = est.predict_proba(X[1::2])
    # the references, computed here from their definitions
    log_loss = -np.mean(np.log(p[np.arange(len(p)), y[1::2]]))
    accuracy = np.mean(est.predict(X[1::2]) == y[1::2])
    assert scorer_metric("neg_log_loss").score(est, X[1::2], y[1::2]) == pytest.approx(log_loss, rel=1e-9)
    assert scorer_metric("accuracy").score(est, X[1::2], y[1::2]) == pytest.approx(accuracy)


def test_unknown_scorer_names_are_refused_with_the_valid_ones():
    with pytest.raises(sl.ScalingLabError, match="not a scikit-learn scorer name; valid names: accuracy, .*roc_auc"):
        scorer_metric("acuracy")


@pytest.mark.parametrize("scoring", ["accuracy", "neg_log_loss"])
def test_from_learning_curve_takes_scikit_learns_output(scoring):
    sizes, _, test = _learning_curve(scoring)
    curve = sl.Curve.from_learning_curve(sizes, test, scoring=scoring)
    n_sizes, n_folds = test.shape
    assert curve.n == n_sizes * n_folds and curve.n_distinct == n_sizes
    np.testing.assert_array_equal(curve.x, np.repeat(sizes, n_folds))
    np.testing.assert_array_equal(curve.seed, np.tile(np.arange(n_folds), n_sizes))
    if scoring == "accuracy":
        assert curve.metric == "accuracy" and curve.higher_is_better and curve.bounds == (0.0, 1.0)
        np.testing.assert_allclose(curve.values, test.ravel())
    else:
        assert curve.metric == "log_loss" and not curve.higher_is_better
        np.testing.assert_allclose(curve.values, -test.ravel())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        res = sl.fit(curve, law="power_floor").bootstrap(50, by="seed", seed=0)   # folds are the bootstrap's seeds
    assert res.bootstrap_by == "seed" and res.draws is not None


def test_from_learning_curve_refuses_a_missing_scorer_and_wrong_shapes():
    sizes, _, test = _learning_curve("accuracy")
    with pytest.raises(sl.ScalingLabError, match="needs the scorer's name.*accuracy for a classifier, r2"):
        sl.Curve.from_learning_curve(sizes, test, scoring=None)
    with pytest.raises(sl.ScalingLabError, match=r"test_scores must have shape \(n_sizes, n_folds\) = \(6, k\)"):
        sl.Curve.from_learning_curve(sizes, test.T, scoring="accuracy")
    with pytest.raises(sl.ScalingLabError, match="train_sizes must be one size per row"):
        sl.Curve.from_learning_curve(sizes[:, None], test, scoring="accuracy")


def test_a_failed_fold_is_left_out_with_a_warning_naming_it():
    sizes, _, test = _learning_curve("accuracy")
    test = test.copy()
    test[1, 3] = np.nan                              # learning_curve(error_score=np.nan) after a failed fit
    with pytest.warns(sl.ScalingLabWarning, match=f"size {sizes[1]:g}, fold 3"):
        curve = sl.Curve.from_learning_curve(sizes, test, scoring="accuracy")
    assert curve.n == test.size - 1


# -- StudySpec(metric=<scorer name>) ------------------------------------------------------------------
def _spec(metric, name="s", estimators=None):
    return sl.StudySpec(name=name, dataset="iris", sizes=[20, 40, 80], seeds=[0, 1], metric=metric,
                        estimators=estimators or {"logreg": LogisticRegression(max_iter=500)})


def test_scorer_metrics_in_a_study_take_their_direction_from_the_scorer(tmp_path):
    store = str(tmp_path / "s.db")
    runs = {}
    for metric in ("error", "accuracy", "log_loss", "neg_log_loss"):
        study = sl.Study(_spec(metric, name=metric), store=store)
        study.run(progress=False, executor="serial")
        runs[metric] = study.curves()["logreg"]
    acc = runs["accuracy"]
    assert acc.metric == "accuracy" and acc.higher_is_better and acc.bounds == (0.0, 1.0)
    np.testing.assert_allclose(acc.values, 1 - runs["error"].values)       # same models, same test set
    loss = runs["neg_log_loss"]
    assert loss.metric == "log_loss" and not loss.higher_is_better
    np.testing.assert_allclose(loss.values, runs["log_loss"].values, rtol=1e-12)
    stored = sl.Study.open(store, "accuracy")                              # read back without the spec
    assert stored.curves()["logreg"].higher_is_better
    assert set(stored.frame()["metric"]) == {"accuracy"}
    assert set(sl.Study.open(store, "neg_log_loss").frame()["metric"]) == {"log_loss"}


def test_scorer_metrics_are_checked_against_the_task_and_the_estimators():
    with pytest.raises(sl.ScalingLabError, match="metric must be one of .* or a scikit-learn scorer name, got 'nope'; "
                                                 "scorer names: accuracy, .*neg_log_loss"):
        _spec("nope")
    with pytest.raises(sl.ScalingLabError, match="metric 'r2' is a regression scorer, but this study's task is "
                                                 "classification"):
        _spec("r2")
    with pytest.raises(sl.ScalingLabError, match="has no predict_proba: scorer 'neg_log_loss' needs it"):
        _spec("neg_log_loss", estimators={"svc": SVC()})
    assert _spec("roc_auc_ovr", estimators={"svc": SVC(probability=True)}).metric_info.higher_is_better
    with pytest.raises(sl.ScalingLabError, match="no finite best value"):
        _spec("mutual_info_score")


def test_a_callable_metric_named_like_a_scorer_is_refused():
    """Reopened from the store, a callable metric is known by name only: one named 'accuracy'
    would be read with the scorer's direction (higher is better) although it was a loss."""
    def accuracy(y_true, y_pred):
        return float(np.mean(y_true != y_pred))
    with pytest.raises(sl.ScalingLabError, match="named 'accuracy', like scikit-learn's scorer"):
        _spec(accuracy)

    def misclassified(y_true, y_pred):
        return float(np.mean(y_true != y_pred))
    assert not _spec(misclassified).metric_info.higher_is_better
