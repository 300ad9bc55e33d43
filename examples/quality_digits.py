"""Data quality as an axis, on real data: scikit-learn's digits with injected label noise.

One ``sl.Study`` with a quality axis (``quality={"kind": "label_noise", "levels": [...]}``):
0, 10, 20, 30 and 40 % of the training labels flipped to another class (the test labels stay
clean), logistic regression, nested training sets of 25 to 1,258 images, 8 seeds. The study
injects the noise itself, keyed by row id and seed, so it is nested across sizes and rates and
every level shares the split, the test set and the seeds' orders. Its curves are named per level
(``logreg@noise=0.1``); ``study.curves_by("quality")`` gives {rate: Curve}. Then one law per
level (``power_floor``) compared with ``sl.quality.compare_levels``, and the joint ``quality``
law (``sl.quality.stack``) with ``clean_worth`` and ``quality_floor``.

Run: ``python examples/quality_digits.py [--out quality-output] [--seeds 8]`` (about a minute
on one core).
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import scalinglab as sl

RATES = (0.0, 0.1, 0.2, 0.3, 0.4)


def run_study(out: Path, seeds: int) -> dict:
    spec = sl.StudySpec(name="digits-label-noise", dataset="digits",
                        estimators={"logreg": make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=500))},
                        sizes=sl.geometric(25, 2, 7, maximum=10_000), seeds=list(range(seeds)), metric="error",
                        quality={"kind": "label_noise", "levels": list(RATES)})
    study = sl.Study(spec, store=f"sqlite:///{out / 'quality.db'}")
    print(study.run(n_jobs=1, executor="serial", progress=False))
    return study.curves_by("quality", "logreg")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("quality-output"))
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--target", type=float, default=0.04, help="error to reach")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    curves = run_study(args.out, args.seeds)
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
