"""The public API of shared/DESIGN.md, exercised exactly as written there (the contract)."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression

import scalinglab as sl


def test_design_api_contract(tmp_path, chinchilla_curve):
    x = np.geomspace(100, 1e5, 10)
    y = (2 * x ** -0.4 + 0.02) * np.exp(np.random.default_rng(1).normal(0, 0.02, len(x)))
    curve = sl.Curve(x, y)
    curve2 = sl.Curve.from_frame(curve.to_frame(), x="n", y="error")
    assert curve2.n == curve.n
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        res = sl.fit(curve, law="power_floor")
    assert res.law.name == "power_floor" and res.params["b"] > 0 and res.objective >= 0
    assert isinstance(res.warnings, tuple) and res.predict([1e6, 1e7]).shape == (2,)
    res = res.bootstrap(n=200, seed=0)
    lo, hi = res.interval("b", 0.95)
    assert lo <= res.params["b"] <= hi and res.predict([1e6], interval=0.8).hi.shape == (1,)
    est = sl.plan.data_for(res, target=0.05)
    assert est.n > 0 and len(est.interval) == 2 and 0 <= est.reachable_share <= 1 and str(est)
    assert str(sl.plan.gain(res, factor=10)) and str(sl.plan.regime(res))
    chin = sl.fit(chinchilla_curve, law="chinchilla").bootstrap(100, seed=0)
    opt = sl.plan.compute_optimal(chin, flops=5.76e23)
    assert opt.n_params > 0 and opt.n_tokens > 0 and len(opt.n_params_interval) == 2 and len(opt.n_tokens_interval) == 2
    t = sl.samplesize.ttest(effect=0.5, power=0.8, alpha=0.05, kind="two-sample")
    assert abs(t.n - 63.7656) < 1e-3 and t.n_required == 64
    pac = sl.samplesize.pac_realizable(vc=10, eps=0.1, delta=0.05)
    assert pac.kind == "sufficient" and abs(pac.n - 5617.89) < 0.01
    values = (1 - np.random.default_rng(0).uniform(size=2000)) ** (-1 / 1.5)
    pl = sl.powerlaws.fit(values, discrete=False)
    assert pl.alpha > 1 and pl.xmin > 0 and pl.sigma > 0 and pl.ks > 0 and pl.compare("lognormal").p >= 0
    X, yy, _ = sl.experiment.datasets.load("digits")
    spec = sl.StudySpec(name="digits", X=X, y=yy, estimators={"logreg": LogisticRegression(max_iter=200)},
                        sizes=[50, 100, 200, 400, 800], seeds=[0, 1, 2])
    study = sl.Study(spec, store=f"sqlite:///{tmp_path / 'study.db'}")
    study.run(n_jobs=2, progress=False)
    assert study.curves()["logreg"].n == 15
    assert len(sl.geometric(25, 2, 5)) == 5
