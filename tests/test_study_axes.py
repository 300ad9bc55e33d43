"""Study axes next to size (issue 22): data quality (label noise, feature noise, a quality
filter) and the starting point (from scratch vs pretrained), one study per experiment."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.neighbors import NearestCentroid

import scalinglab as sl
from scalinglab.experiment import axes

# nearest centroid warns about constant pixels of digits at small sizes; irrelevant here
pytestmark = pytest.mark.filterwarnings("ignore:self.within_class_std_dev_:UserWarning")


def centroid_spec(name="q", levels=(0.0, 0.3), kind="label_noise", **kw):
    """Nearest centroid on digits: fast (milliseconds per run) and sensitive to label noise."""
    kw.setdefault("sizes", [40, 80, 160])
    kw.setdefault("seeds", [0, 1])
    return sl.StudySpec(name=name, dataset="digits", estimators={"centroid": NearestCentroid()},
                        quality={"kind": kind, "levels": list(levels)}, **kw)


def training_sets(study):
    """{(arm key, size, seed): (X_train, y_train, X_test)} of every cell, as the runner builds them."""
    cells = study.cells()
    tasks = study._tasks(cells)
    return {(c.estimator, c.size, c.seed): (t.X_train, t.y_train, t.X_test) for c, t in zip(cells, tasks)}


def test_label_noise_is_on_the_training_set_only_nested_across_sizes_and_levels(tmp_path):
    study = sl.Study(centroid_spec(levels=(0.0, 0.1, 0.3), sizes=[100, 400, 800], seeds=[0, 1]),
                     store=str(tmp_path / "s.db"))
    sets = training_sets(study)
    clean = {(n, s): v for (k, n, s), v in sets.items() if k == "centroid@noise=0"}
    for (key, n, seed), (X, y, X_test) in sets.items():
        X0, y0, X_test0 = clean[(n, seed)]
        assert np.array_equal(X, X0) and np.array_equal(X_test, X_test0)      # same rows, same clean test set
        rate = axes.split_key(key)[1]["quality"]
        if n == 800:
            assert np.mean(y != y0) == pytest.approx(rate, abs=0.04)
    for seed in (0, 1):
        flipped = {k: sets[(k, 800, seed)][1] != clean[(800, seed)][1] for k in ("centroid@noise=0.1",
                                                                                  "centroid@noise=0.3")}
        assert np.all(flipped["centroid@noise=0.3"][flipped["centroid@noise=0.1"]])     # nested across rates
        # nested across sizes: the size-100 set is the first 100 rows of the size-800 set, labels and all
        assert np.array_equal(sets[("centroid@noise=0.3", 100, seed)][1], sets[("centroid@noise=0.3", 800, seed)][1][:100])
    # each seed draws its own noise
    assert not np.array_equal(sets[("centroid@noise=0.3", 800, 0)][1] != clean[(800, 0)][1],
                              sets[("centroid@noise=0.3", 800, 1)][1] != clean[(800, 1)][1])


def test_feature_noise_corrupts_training_entries_nested_across_sizes(tmp_path):
    study = sl.Study(centroid_spec(kind="feature_noise", levels=(0.0, 0.25), sizes=[100, 400]),
                     store=str(tmp_path / "s.db"))
    sets = training_sets(study)
    X_small, y_small, _ = sets[("centroid@corrupt=0.25", 100, 0)]
    X_big, y_big, _ = sets[("centroid@corrupt=0.25", 400, 0)]
    X_clean, y_clean, _ = sets[("centroid@corrupt=0", 400, 0)]
    assert np.array_equal(X_small, X_big[:100]) and np.array_equal(y_big, y_clean)
    changed = np.mean(X_big != X_clean)
    # digits' pixels are often equal to the donor's (many zeros), so fewer than 25 % of entries change
    assert 0.05 < changed < 0.25


def test_a_quality_study_runs_resumes_and_gives_curves_per_level(tmp_path):
    db = str(tmp_path / "s.db")
    study = sl.Study(centroid_spec(), store=db)
    summary = study.run(executor="serial", progress=False)
    assert summary.complete and summary.ran == 2 * 3 * 2
    curves = study.curves()
    assert list(curves) == ["centroid@noise=0", "centroid@noise=0.3"]
    assert curves["centroid@noise=0"].n == 6
    clean, noisy = (curves[k].mean_by_size().y for k in curves)
    assert np.all(noisy > clean)                  # 30 % flipped labels hurt at every size
    by = study.curves_by("quality")
    assert list(by) == [0.0, 0.3] and np.array_equal(by[0.3].y, curves["centroid@noise=0.3"].y)
    stacked = sl.quality.stack(curves)            # what the study returns, stacked as it is
    assert stacked.x_names == ("n", "quality") and sorted(set(stacked.x[:, 1])) == [0.7, 1.0]
    assert np.array_equal(stacked.y, sl.quality.stack(by).y)
    # resume: nothing runs again; the stored study (read without its spec) names the same curves
    again = sl.Study(centroid_spec(), store=db).run(executor="serial", progress=False)
    assert again.ran == 0 and again.complete
    opened = sl.Study.open(db)
    assert list(opened.curves()) == list(curves) and list(opened.curves_by("quality")) == [0.0, 0.3]
    assert opened.stored_spec["quality"] == {"kind": "label_noise", "levels": [0.0, 0.3], "tag": "noise"}
    # a new level adds runs only at that level
    more = sl.Study(centroid_spec(levels=(0.0, 0.1, 0.3)), store=db).run(executor="serial", progress=False)
    assert more.ran == 6
    # another kind is another experiment: refused with what changed
    with pytest.raises(sl.ScalingLabError, match="quality_axis: label_noise -> feature_noise"):
        sl.Study(centroid_spec(kind="feature_noise"), store=db)


@pytest.mark.slow
def test_the_same_runs_whichever_executor(tmp_path):
    a = sl.Study(centroid_spec(name="a"), store=str(tmp_path / "a.db"))
    a.run(executor="serial", progress=False)
    b = sl.Study(centroid_spec(name="a"), store=str(tmp_path / "b.db"))
    b.run(executor="joblib", n_jobs=2, progress=False)
    for key in a.curves():
        assert np.array_equal(a.curves()[key].y, b.curves()[key].y)


def test_a_study_without_axes_keeps_its_fingerprint():
    spec = sl.StudySpec(name="plain", dataset="digits", estimators={"c": NearestCentroid()}, sizes=[40], seeds=[0])
    assert not any(k.startswith(("quality", "start")) for k in spec.fingerprint())
    assert spec.describe()["quality"] is None


@pytest.mark.parametrize("quality, message", [
    ({"kind": "label_noise", "levels": [0, 1.2]}, r"quality.levels\[1\] = 1.2: a label_noise level is the share"),
    ({"kind": "label_noise", "levels": [0, -0.1]}, r"quality.levels\[1\] = -0.1"),
    ({"kind": "label_noise", "levels": [0, "0.1"]}, r"quality.levels\[1\] must be a finite number"),
    ({"kind": "label_noise", "levels": [0.1, 0.1]}, "repeat"),
    ({"kind": "label_noise", "levels": []}, "non-empty list"),
    ({"kind": "label_noise", "levels": [0, float("nan")]}, "finite"),
    ({"kind": "noise", "levels": [0]}, "quality.kind must be one of"),
    ({"kind": "label_noise", "levels": [0], "rate": 1}, r"unknown keys \['rate'\]"),
    ({"kind": "filter", "levels": [0.5]}, "needs scores"),
    ({"kind": "filter", "levels": [0.5], "scores": [1.0, 2.0]}, "one number per row"),
    ([0, 0.1], "quality must be a table"),
])
def test_bad_quality_axes_are_refused_naming_the_key(quality, message):
    with pytest.raises(sl.ScalingLabError, match=message):
        sl.StudySpec(name="bad", dataset="digits", estimators={"c": NearestCentroid()}, quality=quality)


def test_label_noise_needs_classification_and_names_must_not_hold_the_separator():
    from sklearn.linear_model import Ridge
    with pytest.raises(sl.ScalingLabError, match="label_noise' needs a classification task"):
        sl.StudySpec(name="r", dataset="diabetes", estimators={"ridge": Ridge()},
                     quality={"kind": "label_noise", "levels": [0, 0.1]})
    with pytest.raises(sl.ScalingLabError, match="hold '@'"):
        sl.StudySpec(name="r", dataset="digits", estimators={"a@b": NearestCentroid()},
                     quality={"kind": "label_noise", "levels": [0, 0.1]})


def test_quality_axis_from_toml_and_errors_name_the_file(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text('name = "t"\ndataset = "digits"\nsizes = [40, 80]\nseeds = [0]\n'
                    'quality = {kind = "label_noise", levels = [0, 0.2]}\n'
                    '[estimators.c]\nclass = "sklearn.neighbors.NearestCentroid"\n')
    spec = sl.StudySpec.from_toml(path)
    assert spec.quality == {"kind": "label_noise", "levels": [0.0, 0.2]}
    path.write_text(path.read_text().replace("0.2]", "2]"))
    with pytest.raises(sl.ScalingLabError, match=r"spec.toml: quality.levels\[1\] = 2.0"):
        sl.StudySpec.from_toml(path)


def test_a_quality_filter_trains_on_rows_scoring_above_the_level_and_caps_sizes(tmp_path):
    X, y = sl.experiment.datasets.load("digits")[:2]
    scores = np.random.default_rng(0).uniform(size=len(y))
    spec = sl.StudySpec(name="f", X=X, y=y, estimators={"c": NearestCentroid()}, sizes=[50, 100, 800], seeds=[0],
                        quality={"kind": "filter", "scores": scores, "levels": [0.0, 0.5]})
    study = sl.Study(spec, store=str(tmp_path / "s.db"))
    passing = int(np.sum(scores[study.pool] >= 0.5))
    assert any(f"capped to {passing}" in note for note in study.notes)
    sizes = {key: sorted({c.size for c in study.cells() if c.estimator == key}) for key in study.arm_of}
    assert sizes == {"c@quality>=0": [50, 100, 800], "c@quality>=0.5": [50, 100, passing]}
    cells = study.cells()
    for cell, task in zip(cells, study._tasks(cells)):
        rows = [int(np.flatnonzero((X == row).all(axis=1))[0]) for row in task.X_train[:5]]
        if cell.estimator.endswith("0.5"):
            assert np.all(scores[rows] >= 0.5)
    with pytest.raises(sl.ScalingLabError, match="levels of a quality filter"):
        sl.quality.stack({"c@quality>=0": sl.Curve([1, 2], [1, 0.5]), "c@quality>=0.5": sl.Curve([1, 2], [1, 0.6])})


class NoisyLabels(BaseEstimator, ClassifierMixin):
    """The reference: label noise injected from outside the study (how examples/quality_digits.py
    did it before the axis existed): the row id rides in column 0 of X."""

    def __init__(self, estimator=None, rate=0.0, random_state=0):
        self.estimator, self.rate, self.random_state = estimator, rate, random_state

    def fit(self, X, y):
        noisy = sl.quality.flip_labels(y, self.rate, seed=self.random_state, keys=X[:, 0].astype(np.int64),
                                       classes=np.arange(10))
        self.estimator_ = clone(self.estimator).fit(X[:, 1:], noisy)
        self.classes_ = self.estimator_.classes_
        return self

    def predict(self, X):
        return self.estimator_.predict(X[:, 1:])


def test_the_axis_gives_the_runs_of_noise_injected_from_outside(tmp_path):
    db = str(tmp_path / "s.db")
    study = sl.Study(centroid_spec(levels=(0.0, 0.2)), store=db)
    study.run(executor="serial", progress=False)
    X, y = sl.experiment.datasets.load("digits")[:2]
    for rate in (0.0, 0.2):
        outside = sl.Study(sl.StudySpec(name=f"outside-{rate}", X=np.c_[np.arange(len(y)), X], y=y, sizes=[40, 80, 160],
                                        seeds=[0, 1], estimators={"centroid": NoisyLabels(NearestCentroid(), rate)}),
                           store=db)
        outside.run(executor="serial", progress=False)
        assert np.array_equal(outside.curves()["centroid"].y, study.curves_by("quality")[rate].y)


# -- starts: from scratch vs from a pretrained start ---------------------------------------------
def _transfer_data():
    """One synthetic problem: the study's data (600 rows) and, from the same distribution, 2,000
    source rows for pretraining (the closest case of transfer: the source is the target domain)."""
    from sklearn.datasets import make_classification
    X, y = make_classification(n_samples=2600, n_features=20, n_informative=10, n_classes=3, random_state=3,
                               class_sep=0.8)
    return X[:600], y[:600], X[600:], y[600:]


X_T, Y_T, X_SOURCE, Y_SOURCE = _transfer_data()
_PRETRAINED = {}


def pretrained_start(estimator):
    """Start from an MLP trained on the source rows (trained once per process, then copied)."""
    import copy
    from sklearn.neural_network import MLPClassifier
    if "mlp" not in _PRETRAINED:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _PRETRAINED["mlp"] = MLPClassifier(hidden_layer_sizes=(32,), max_iter=300, random_state=0,
                                               warm_start=True).fit(X_SOURCE, Y_SOURCE)
    # fine-tuning continues from the pretrained weights (warm_start) for the estimator's own iterations
    return copy.deepcopy(_PRETRAINED["mlp"]).set_params(max_iter=estimator.max_iter,
                                                        random_state=estimator.random_state)


def transfer_spec(name="t", starts=None, **kw):
    from sklearn.neural_network import MLPClassifier
    kw.setdefault("sizes", [30, 60, 120])
    kw.setdefault("seeds", [0, 1])
    return sl.StudySpec(name=name, X=X_T, y=Y_T, test_fraction=0.3,
                        estimators={"mlp": MLPClassifier(hidden_layer_sizes=(32,), max_iter=40, warm_start=True)},
                        starts=starts or {"scratch": None, "pretrained": pretrained_start}, **kw)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_starts_axis_gives_a_curve_per_start_for_effective_data(tmp_path):
    db = str(tmp_path / "s.db")
    study = sl.Study(transfer_spec(), store=db)
    assert study.run(executor="serial", progress=False).complete
    curves = study.curves()
    assert list(curves) == ["mlp@start=pretrained", "mlp@start=scratch"]
    scratch, tuned = curves["mlp@start=scratch"], curves["mlp@start=pretrained"]
    assert np.all(tuned.mean_by_size().y < scratch.mean_by_size().y)     # the pretrained start helps
    assert list(study.curves_by("start")) == ["pretrained", "scratch"]
    # the study's curves go to sl.transfer as they are
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        fit = sl.fit(scratch, law="power_floor").bootstrap(100, seed=0)
    eff = sl.transfer.effective_data(fit, tuned)
    assert list(eff.table["D_F"]) == [30, 60, 120] and eff.table["D_T"].iloc[0] > 0
    # resume; a changed start is another experiment; a new start only adds runs
    assert sl.Study(transfer_spec(), store=db).run(executor="serial", progress=False).ran == 0
    with pytest.raises(sl.ScalingLabError, match="start pretrained"):
        sl.Study(transfer_spec(starts={"scratch": None, "pretrained": {"alpha": 0.1}}), store=db)
    more = sl.Study(transfer_spec(starts={"scratch": None, "pretrained": pretrained_start, "l2": {"alpha": 0.1}}),
                    store=db)
    assert len(more.pending()) == 6 and {c.estimator for c in more.pending()} == {"mlp@start=l2"}


def test_starts_from_toml_set_parameters_and_bad_starts_are_refused(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text('name = "t"\ndataset = "digits"\nsizes = [40]\nseeds = [0]\n'
                    '[starts]\nscratch = {}\nsmooth = {var_smoothing = 0.1}\n'
                    '[estimators.nb]\nclass = "sklearn.naive_bayes.GaussianNB"\n')
    spec = sl.StudySpec.from_toml(path)
    assert spec.starts == {"scratch": None, "smooth": {"var_smoothing": 0.1}}
    study = sl.Study(spec, store=str(tmp_path / "s.db"))
    cells = study.cells()
    tasks = study._tasks(cells)
    from scalinglab.experiment.runner import make_estimator
    made = {c.estimator: make_estimator(t.template, "", 0, t.start) for c, t in zip(cells, tasks)}
    assert made["nb@start=smooth"].var_smoothing == 0.1 and made["nb@start=scratch"].var_smoothing == 1e-9
    for starts, message in [({"a b": None}, "start names"), ({"x": 3}, "starts.x must be None"), ([], "starts must map"),
                            ({}, "starts must map")]:
        with pytest.raises(sl.ScalingLabError, match=message):
            sl.StudySpec(name="bad", dataset="digits", estimators={"nb": NearestCentroid()}, starts=starts)
