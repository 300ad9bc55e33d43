"""The main job behind ``scalinglab demo``: study -> store -> curves -> fits -> answers -> files."""

from __future__ import annotations

import warnings
from pathlib import Path

from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import scalinglab as sl

from ._common import console

#: The default study: 2 model families × 7 sizes (25 to the whole pool) × 3 seeds.
def default_spec() -> sl.StudySpec:
    return sl.StudySpec(
        name="digits-demo", dataset="digits", seeds=[0, 1, 2], metric="error",
        sizes={"base": 25, "factor": 2, "count": 7},
        estimators={"logreg": make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
                    "forest": RandomForestClassifier(n_estimators=100)})


def run_demo(out: Path, *, n_jobs: int = 2, bootstrap: int = 1000) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    spec = default_spec()
    db = out / "study.db"
    console.print(f"[bold]Study[/bold] {spec.name}: {', '.join(spec.estimators)} on scikit-learn's digits "
                  f"({len(spec.y)} images, 30 % held out), sizes {spec.sizes}, seeds {spec.seeds}; store {db}")
    study = sl.Study(spec, store=str(db))
    console.print(str(study.run(n_jobs=n_jobs)), soft_wrap=True)
    results = {}
    for name, curve in study.curves().items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", sl.ScalingLabWarning)
            res = sl.fit(curve, law="auto").bootstrap(bootstrap, by="seed", seed=0)
        results[name] = res
        now = float(res.predict([curve.x.max()])[0])
        target = round(0.75 * now, 4)
        console.rule(f"[bold]{name}[/bold]: {res.law.name} ({res.selection_reason})")
        for answer in (sl.plan.data_for(res, target), sl.plan.gain(res, factor=2), sl.plan.gain(res, factor=10),
                       sl.plan.regime(res)):
            console.print(f"→ {answer}", soft_wrap=True)
        for message in res.warnings:
            console.print(f"[yellow]warning:[/yellow] {message}", soft_wrap=True)
        res.to_json(out / f"{name}.json")
        sl.report.plot_fit(res, out / f"{name}.png", level=0.8)
    console.print(f"wrote {db}, " + ", ".join(f"{n}.png, {n}.json" for n in results) + f" in {out}/")
    return results
