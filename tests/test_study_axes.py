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
        fit = sl.fit(scratch, law="power").bootstrap(100, seed=0)   # 3 sizes: a 3-parameter law passes through them
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


# -- answers and report sections -------------------------------------------------------------------
QUALITY_TRUTH = {"a": 2.0, "b": 0.5, "c": 0.02, "g": 1.5, "h": 0.0, "d": 0.1}


def simulated_levels(rates=(0.0, 0.2, 0.4), noise=0.02, seeds=3):
    law, rng = sl.get_law("quality"), np.random.default_rng(1)
    n = np.repeat(np.geomspace(50, 5e4, 8), seeds)
    return {r: sl.Curve(n, law.predict(np.c_[n, np.full(n.size, 1 - r)], QUALITY_TRUTH) * np.exp(rng.normal(0, noise, n.size)),
                        seed=np.tile(np.arange(seeds), 8)) for r in rates}


def test_analyse_levels_recovers_the_known_worth_and_floor():
    q = sl.quality.analyse_levels(simulated_levels(), target=0.05, bootstrap=200, level=0.95)
    # closed form: at n = 50,000 and rate 0.4 the error is 2·e^0.6/sqrt(5e4) + 0.02 + 0.04; clean data reach it at
    # m = (2 / (error - 0.02))^2 samples
    error = 2 * np.exp(0.6) / np.sqrt(5e4) + 0.06
    truth = 5e4 / (2 / (error - 0.02)) ** 2
    worth = q.worth[-1]
    assert worth.rate == pytest.approx(0.4) and worth.worth_interval[0] <= truth <= worth.worth_interval[1]
    floor = q.floors[-1]
    assert floor.floor_interval[0] <= 0.06 <= floor.floor_interval[1]
    assert list(q.levels.table["level"]) == [0.0, 0.2, 0.4] and not q.notes
    assert q.to_dict()["sentences"] == q.sentences() and len(q.sentences()) == 5


def test_analyse_starts_recovers_the_known_transfer_law():
    d = np.repeat(np.geomspace(1e3, 1e6, 8), 2)
    rng = np.random.default_rng(0)
    scratch = sl.Curve(d, (5 * d**-0.3 + 0.5) * np.exp(rng.normal(0, 0.002, d.size)), seed=np.tile([0, 1], 8))
    d_f = np.repeat(np.geomspace(100, 1e4, 5), 2)
    tuned = sl.Curve(d_f, 5 * (d_f + 20 * d_f**0.5) ** -0.3 + 0.5, seed=np.tile([0, 1], 5))     # D_T = 20·D_F^0.5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        fit = sl.fit(scratch, law="power_floor").bootstrap(200, seed=0)
    t = sl.transfer.analyse_starts({"scratch": scratch, "pretrained": tuned}, scratch_fit=fit, level=0.95)
    law = t.starts[0].law
    assert law.interval("alpha", 0.95)[0] <= 0.5 <= law.interval("alpha", 0.95)[1]
    assert law.params["k"] == pytest.approx(20, rel=0.3)
    assert t.starts[0].worth.d_f == 1000 and t.starts[0].worth.d_t == pytest.approx(20 * 1000**0.5, rel=0.15)
    with pytest.raises(sl.ScalingLabError, match="from-scratch curve 'scratch'"):
        sl.transfer.analyse_starts({"pretrained": tuned})


def test_advice_for_a_report_is_checked():
    from scalinglab.advisor.result import advice_dict
    advice = sl.advise("pilot", target=0.05, classes=10, features=64)
    assert advice_dict(advice)["scenario"] == "pilot"
    assert advice_dict(advice.to_dict()) == advice.to_dict()
    for bad, message in [([], "expected an sl.advise answer"), ({"scenario": "pilot"}, "no text for"),
                         ({**advice.to_dict(), "evidence": "x"}, "must be lists"),
                         ({**advice.to_dict(), "predicted": {"n": 1}}, "predicted needs a summary")]:
        with pytest.raises(sl.ScalingLabError, match=message):
            advice_dict(bad, where="f.json")


def test_axis_answers_group_curves_by_estimator_and_say_what_they_leave_out():
    from scalinglab.experiment.axes import analyse_axes
    c = sl.Curve([10, 20, 40], [0.5, 0.4, 0.3])
    out = analyse_axes({"m@start=a": c, "m@start=b": c, "f@quality>=0.5": c, "f@quality>=0.8": c, "plain": c,
                        "x@noise=0.1[32]": c}, bootstrap=10)
    assert out.quality == [] and out.transfer == []
    assert any("no start named 'scratch'" in n for n in out.notes)
    assert any("thresholds of a quality filter" in n for n in out.notes)
    assert any("model size" in n for n in out.notes)


@pytest.mark.slow
def test_report_of_a_quality_study_with_an_advisor_section(tmp_path):
    import json
    from helpers_cli import FastRunner
    from scalinglab.cli import app
    db = tmp_path / "s.db"
    sl.Study(centroid_spec(levels=(0.0, 0.2, 0.4), sizes=[40, 80, 160, 320, 640], seeds=[0, 1, 2]),
             store=str(db)).run(executor="serial", progress=False)
    advice = tmp_path / "advice.json"
    advice.write_text(json.dumps(sl.advise("pilot", target=0.05, classes=10, features=64).to_dict()))
    out = tmp_path / "r.html"
    runner = FastRunner(app)
    result = runner.invoke(["report", str(db), "--out", str(out), "--bootstrap", "50", "--advise-json", str(advice)])
    assert result.exit_code == 0, result.output
    assert "quality: centroid" in result.output and "one clean sample is worth" in result.output
    html = out.read_text()
    assert "Data quality: centroid" in html and "Joint quality law" in html and "the advisor (pilot)" in html
    assert html.count('alt="Learning curves of centroid at each quality level') == 1
    advice.write_text("{not json")
    bad = runner.invoke(["report", str(db), "--out", str(out), "--advise-json", str(advice)])
    assert bad.exit_code == 2 and "advice.json: not JSON" in bad.output and len(bad.output.strip().splitlines()) == 1


@pytest.mark.slow
def test_report_of_a_starts_study_shows_the_effective_data():
    d = np.repeat(np.geomspace(1e3, 1e6, 8), 2)
    d_f = np.repeat(np.geomspace(100, 1e4, 5), 2)
    curves = {"m@start=scratch": sl.Curve(d, 5 * d**-0.3 + 0.5 + np.tile([0, 1e-3], 8), seed=np.tile([0, 1], 8)),
              "m@start=pretrained": sl.Curve(d_f, 5 * (d_f + 20 * d_f**0.5) ** -0.3 + 0.5, seed=np.tile([0, 1], 5))}
    analysis = sl.pipeline.analyse_curves(curves, bootstrap=50)
    [t] = analysis.axes.transfer
    assert t.scratch_fit is {c.name: c for c in analysis.curves}["m@start=scratch"].fit          # the report's own fit of the from-scratch curve, reused
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as folder:
        html = sl.report.write_report(analysis, Path(folder) / "r.html").read_text()
    assert "Transfer: m" in html and "Start: pretrained" in html and "D_T = k·D_F^α" in html
