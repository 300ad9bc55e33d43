"""The main job behind ``scalinglab demo``: study -> store -> curves -> fits -> answers -> files."""

from __future__ import annotations

import shutil
from pathlib import Path

from rich.markup import escape
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import scalinglab as sl
from scalinglab.report.html import figure_stems

from ._common import console
from ._output import MODE, emit, note, progress

#: The default study: 2 model families × 7 sizes (25 to 1,250, inside the training pool of
#: 1,258 images, so no size is capped) × 5 seeds (the bootstrap resamples whole seeds from 5 on).
def default_spec() -> sl.StudySpec:
    return sl.StudySpec(
        name="digits-5-seeds", dataset="digits", seeds=[0, 1, 2, 3, 4], metric="error",
        sizes=sl.geometric(25, 2, 7, maximum=1250),
        estimators={"logreg": make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
                    "forest": RandomForestClassifier(n_estimators=100)})


def print_analysis(analysis) -> None:
    for c in analysis.curves:
        console.rule(f"[bold]{escape(str(c.name))}[/bold]: {c.fit.law.name} law")
        console.print(f"why {c.fit.law.name}: {c.fit.selection_reason}", markup=False)     # whole, wrapped
        if c.target_reason:
            console.print(c.target_reason[0].upper() + c.target_reason[1:] + ".", markup=False)
        for answer in c.answers:
            console.print(f"→ {answer}", soft_wrap=True, markup=False)
        for message in c.fit.warnings:
            console.print(f"[yellow]warning:[/yellow] {escape(message)}", soft_wrap=True)
    axes = getattr(analysis, "axes", None)           # a study with a quality or starts axis
    sections = [(f"quality: {q.estimator}", q.sentences(), q.notes) for q in getattr(axes, "quality", [])]
    sections += [(f"transfer: {t.estimator}, start {s.start} vs {t.scratch}", s.sentences(), s.notes)
                 for t in getattr(axes, "transfer", []) for s in t.starts]
    for title, sentences, notes in sections:
        console.rule(f"[bold]{escape(title)}[/bold]")
        for sentence in sentences:
            console.print(f"→ {sentence}", soft_wrap=True, markup=False)
        for note in notes:
            console.print(f"[yellow]note:[/yellow] {escape(note)}", soft_wrap=True)


def analysis_data(analysis, **files) -> dict:
    """What ``--json`` prints of an analysis (demo, report, study run): per curve the law, why it
    was chosen, the answers (each with its sentence as ``summary``) and the warnings; the files written."""
    curves = [{"name": str(c.name), "metric": c.curve.metric, "law": c.fit.law.name, "why": c.fit.selection_reason,
               "params": c.fit.params, "target": c.target, "target_reason": c.target_reason, "answers": list(c.answers), "warnings": list(c.fit.warnings)}
              for c in analysis.curves]
    return {"title": analysis.title, "question": analysis.question, "level": analysis.level, "curves": curves,
            "notes": list(analysis.notes), "files": {k: str(v) for k, v in files.items()}}


def run_demo(out: Path, *, n_jobs: int = 2, bootstrap: int = 1000):
    out.mkdir(parents=True, exist_ok=True)
    spec = default_spec()
    db = out / "study.db"
    console.print(f"[bold]Study[/bold] {spec.name}: {', '.join(spec.estimators)} on scikit-learn's digits "
                  f"({len(spec.y)} images, 30 % held out), sizes {spec.sizes}, seeds {spec.seeds}; store {db}")
    study = sl.Study(spec, store=str(db))
    console.print(str(study.run(n_jobs=n_jobs, progress=not (MODE.json or MODE.quiet))), soft_wrap=True)
    with progress("fitting laws, bootstrapping, planning"):
        analysis = sl.pipeline.analyse_study(study, bootstrap=bootstrap)
    print_analysis(analysis)
    with progress("writing the report"):
        report = sl.report.write_report(analysis, out / "report.html", figure_folder=out / "figures")
    stems = figure_stems(analysis)                  # curve names made safe file names, as in the report
    for c in analysis.curves:
        stem = stems[str(c.name)]
        c.fit.to_json(out / f"{stem}.json")
        shutil.copyfile(out / "figures" / f"{stem}-main.png", out / f"{stem}.png")   # drawn once, in the report
    written = [(db, "the study's runs (SQLite)"), (report, "the report"), (out / "figures", "its figures, PNG and SVG")]
    written += [(out / f"{stems[str(c.name)]}{ext}", f"{c.name}: {what}") for c in analysis.curves
                for ext, what in ((".png", "learning curve"), (".json", "fit (FIT.json, for `scalinglab plan`)"))]
    note("wrote:\n" + "\n".join(f"  {path}  ({what})" for path, what in written))   # one per line: no path broken
    emit(analysis_data(analysis, store=db, report=report, figures=out / "figures"))
    return analysis
