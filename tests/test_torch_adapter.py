"""The torch adapter: a model-size × data-size grid of a byte-level language model on the
offline Python-source corpus, run as a study and fitted with a joint law."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import scalinglab as sl

torch = pytest.importorskip("torch", reason="torch is an optional extra (pip install 'scalinglab[torch]')")
from scalinglab.experiment.torch_adapter import TorchClassifier, byte_windows, n_parameters  # noqa: E402


def test_corpus_is_offline_text():
    X, y = byte_windows(2000, context=8)
    assert X.shape == (2000, 8) and y.min() >= 0 and y.max() < 256
    assert np.isin(y, [ord(c) for c in " eti\n"]).mean() > 0.1        # it is text


def test_mlp_classifier_is_a_sklearn_estimator():
    X, y, _ = sl.experiment.datasets.load("digits")
    clf = TorchClassifier("mlp", width=32, epochs=15, random_state=0).fit(X[:1000], y[:1000])
    assert clf.score(X[1000:], y[1000:]) > 0.85
    assert clf.n_parameters_ == n_parameters(clf.module_) == 64 * 32 + 32 + 32 * 32 + 32 + 32 * 10 + 10
    again = TorchClassifier("mlp", width=32, epochs=15, random_state=0).fit(X[:1000], y[:1000])
    np.testing.assert_allclose(clf.predict_proba(X[1000:1010]), again.predict_proba(X[1000:1010]))


def test_model_size_by_data_size_grid_fits_a_joint_law(tmp_path):
    X, y = byte_windows(20000)
    spec = sl.StudySpec(
        name="bytelm", X=X, y=y, task="classification", metric="log_loss", test_fraction=0.2,
        estimators={"lm": lambda width: TorchClassifier("byte_lm", width=width, epochs=2, batch_size=128, lr=3e-3)},
        model_sizes=[8, 32, 128], sizes=[500, 1500, 5000], seeds=[0])
    study = sl.Study(spec, store=str(tmp_path / "lm.db"))
    assert study.run(n_jobs=2, progress=False).failed == 0
    curve = study.joint_curve("lm")
    assert curve.n == 9 and curve.x_names == ("model_size", "n")
    grid = curve.to_frame().pivot(index="model_size", columns="n", values="log_loss")
    assert (np.diff(grid.to_numpy(), axis=1) < 0).all()       # more data: lower loss, at every width
    assert grid.index.min() > 2000                              # N counts parameters, not widths
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        res = sl.fit(curve, law="chinchilla")
    assert np.all(np.isfinite(res.theta)) and res.params["E"] < curve.y.min()
