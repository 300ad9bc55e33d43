"""Data quality as an axis, on real data: scikit-learn's digits with injected label noise.

One ``sl.Study`` per noise rate (0, 10, 20, 30, 40 % of the training labels flipped to another
class; the test labels stay clean), logistic regression, nested training sets of 25 to 1,258
images, 8 seeds. Then one law per level (``power_floor``) compared with
``sl.quality.compare_levels``, and the joint ``quality`` law with ``clean_worth`` and
``quality_floor``.

The noise is injected inside the estimator (``NoisyLabels`` below) so that every level shares
the study's split, test set and nested orders: the study's features get the row id as a first
column, which ``NoisyLabels`` uses to flip each row's label the same way at every size (and
nested across rates), then drops before fitting. A quality axis inside ``sl.Study`` will do
this itself (see ``docs/advise.md``, "What the study axes need").

Run: ``python examples/quality_digits.py [--out quality-output] [--seeds 8]`` (about a minute
on one core).
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import scalinglab as sl

RATES = (0.0, 0.1, 0.2, 0.3, 0.4)


class NoisyLabels(BaseEstimator, ClassifierMixin):
    """Fits ``estimator`` on labels flipped at ``rate`` (keyed by the row id in column 0)."""

    def __init__(self, estimator=None, rate: float = 0.0, random_state: int = 0, classes=tuple(range(10))):
        self.estimator = estimator
        self.rate = rate
        self.random_state = random_state
        self.classes = classes

    def fit(self, X, y):
        ids = X[:, 0].astype(np.int64)
        noisy = sl.quality.flip_labels(y, self.rate, seed=self.random_state, keys=ids, classes=np.array(self.classes))
        self.estimator_ = clone(self.estimator).fit(X[:, 1:], noisy)
        self.classes_ = self.estimator_.classes_
        return self

    def predict(self, X):
        return self.estimator_.predict(X[:, 1:])


def run_studies(out: Path, seeds: int) -> dict:
    X, y = load_digits(return_X_y=True)
    X_ids = np.c_[np.arange(len(y)), X]
    store = f"sqlite:///{out / 'quality.db'}"
    curves = {}
    for rate in RATES:
        spec = sl.StudySpec(name=f"digits-label-noise-{rate:g}", X=X_ids, y=y,
                            estimators={"logreg": NoisyLabels(make_pipeline(StandardScaler(), LogisticRegression(
                                C=0.05, max_iter=500)), rate=rate)},
                            sizes=sl.geometric(25, 2, 7, maximum=10_000), seeds=list(range(seeds)), metric="error")
        study = sl.Study(spec, store=store)
        print(study.run(n_jobs=1, executor="serial", progress=False))
        curves[rate] = study.curves()["logreg"]
    return curves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("quality-output"))
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--target", type=float, default=0.04, help="error to reach")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    curves = run_studies(args.out, args.seeds)
    t_runs = time.perf_counter() - t0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        per_level = {rate: sl.fit(c, law="power_floor").bootstrap(1000, by="seed", seed=0) for rate, c in curves.items()}
        joint = sl.fit(sl.quality.stack(curves), law="quality").bootstrap(1000, by="seed", seed=0)
    levels = sl.quality.compare_levels(per_level, target=args.target)
    print(f"\nruns: {t_runs:.0f} s")
    print("\nPer level (power_floor):")
    print(levels.table[["level", "exponent", "exponent_lo", "exponent_hi", "floor", "floor_lo", "floor_hi",
                        "worth", "worth_lo", "worth_hi", "reachable_share"]].round(4).to_string(index=False))
    print(levels)
    print(f"\nJoint law: {joint}")
    largest = float(curves[0.0].x.max())
    answers = {"levels": levels.to_dict(), "joint": joint.summary()["params"], "worth": {}, "floor": {}}
    for rate in (0.1, 0.2, 0.4):
        w = sl.quality.clean_worth(joint, largest, rate)
        f = sl.quality.quality_floor(joint, rate, target=args.target)
        print(w)
        print(f)
        answers["worth"][str(rate)] = w.to_dict()
        answers["floor"][str(rate)] = f.to_dict()
    (args.out / "quality_answers.json").write_text(json.dumps(answers, indent=1))
    print(f"\nwrote {args.out / 'quality_answers.json'}; total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
