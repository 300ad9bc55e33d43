"""From curves to answers: the analysis the demo, ``study run`` and ``report`` print and render.

For each curve: ``law="auto"`` (every candidate fitted, the winner by backtest), a bootstrap
(by seed when there are seeds), the candidates' own fits (for the figure), the backtest fit,
and the planning answers — the data needed for a target, what 2× and 10× buy, the regime —
with the ensemble forecast at 10× (``sl.extrapolate``, LCDB-calibrated interval) beside them.
The report layer only renders this object.
"""

from __future__ import annotations

import datetime as _dt
import platform
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..defaults import LEVEL
from .. import plan
from ..curves import Curve, CurveSet
from ..errors import ScalingLabWarning
from ..fitting import FitResult
from ..fitting.prepare import prepare_curve
from ..fitting.select import compare_laws
from .figure_data import isoloss_data


@dataclass
class CurveAnalysis:
    name: str
    curve: Curve
    fit: FitResult
    candidates: dict[str, FitResult]
    backtest_fit: FitResult | None
    held_out: Curve | None
    target: float | None
    answers: list = field(default_factory=list)      # plan results, each with a one-sentence str
    estimate: object | None = None                   # the DataEstimate for the target
    isoflop_budgets: np.ndarray | None = None        # joint laws: the iso-loss figure's IsoFLOP budgets
    frontier: np.ndarray | None = None               # ... and the compute-optimal (N, D) at each
    target_reason: str = ""                          # how the target was chosen, in one sentence


@dataclass
class StudyAnalysis:
    title: str
    question: str
    curves: list[CurveAnalysis]
    runs: pd.DataFrame | None = None
    failures: pd.DataFrame | None = None
    spec: dict | None = None
    notes: tuple[str, ...] = ()
    level: float = LEVEL
    environment: dict = field(default_factory=dict)
    axes: object | None = None           # experiment.axes.AxesAnalysis: quality / transfer answers of a study's arms
    advice: dict | None = None           # an sl.advise answer (Advice.to_dict()) for the report's advisor section


def environment() -> dict:
    """Versions and platform, so a report can be reproduced."""
    import matplotlib
    import scipy
    import sklearn

    from .._version import __version__
    return {"scalinglab": __version__, "python": platform.python_version(), "numpy": np.__version__,
            "scipy": scipy.__version__, "scikit-learn": sklearn.__version__, "pandas": pd.__version__,
            "matplotlib": matplotlib.__version__, "platform": platform.platform(),
            "generated": _dt.datetime.now().isoformat(timespec="seconds")}


def analyse_curve(name: str, curve: Curve, *, target: float | None = None, target_share: float = 0.75,
                  bootstrap: int = 1000, level: float = LEVEL, seed: int = 0) -> CurveAnalysis:
    """Fit (auto), bootstrap and answer the planning questions for one curve. Without a
    ``target`` one is chosen that the fitted law can reach (:func:`default_target`). The
    bootstrap follows the one resampling rule (:func:`scalinglab.fitting.resampling.resampling_unit`)."""
    fitted, prepared = prepare_curve(curve, "log")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScalingLabWarning)
        comparison = compare_laws(fitted)       # every candidate is fitted once, kept for the figures
    chosen = comparison.fits[comparison.winner]
    chosen = chosen.replace(selection=comparison.table, selection_reason=comparison.reason,
                            warnings=prepared + comparison.notes + chosen.warnings)
    candidates = comparison.fits
    backtest_fit = comparison.train_fits.get(comparison.winner)
    held = comparison.held_out if backtest_fit is not None else None
    if bootstrap:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ScalingLabWarning)     # the note stays in chosen.warnings
            chosen = chosen.bootstrap(bootstrap, by="auto", seed=seed)
    result = CurveAnalysis(name, curve, chosen, candidates, backtest_fit, held, target)
    if curve.n_inputs == 1 and bootstrap:
        if target is not None:
            result.target = float(target)
            result.target_reason = f"target {chosen.metric.name} {result.target:.3g}: given"
        else:
            result.target, result.target_reason = default_target(chosen, float(curve.x.max()), target_share)
        result.estimate = plan.data_for(chosen, result.target, level=level)
        result.answers = [result.estimate, plan.gain(chosen, factor=2, level=level),
                          plan.gain(chosen, factor=10, level=level), plan.regime(chosen, level=level)]
        if curve.n_distinct >= 4:
            from ..backtest.extrapolation import ensemble_answer
            result.answers.append(ensemble_answer(curve, factor=10, level=level, seed=seed))
    elif bootstrap and chosen.law.name == "chinchilla":
        budget = 6 * float(np.max(np.prod(curve.x[:, :2], axis=1))) * 10
        result.answers = [plan.compute_optimal(chosen, budget, level=level)]
    if chosen.law.name == "chinchilla":
        result.isoflop_budgets, result.frontier = isoloss_data(chosen)
    return result


def default_target(fit: FitResult, largest: float, share: float = 0.75) -> tuple[float, str]:
    """The target asked about when none is given, and a sentence saying how it was chosen.

    In fitted terms (an error or loss, or the distance from a perfect accuracy): ``share`` of
    today's value (the fitted law at the largest size: 75 %, a quarter of it removed), unless
    that lies less than halfway from today's value down to the fitted floor; then halfway to
    the floor. A target on or below the floor would be answered "never" by the point estimate
    and by most draws (the forest of the demo asked for 0.0236 with its floor at 0.023:
    "1,964–never"); halfway keeps it reachable on the fit and visibly above the floor line.
    """
    metric = fit.metric
    now = float(fit.predict_fitted([largest])[0])
    floor = max(float(fit.floor), 0.0)
    by_share, halfway = share * now, floor + 0.5 * (now - floor)
    value = float(f"{max(by_share, halfway):.3g}")
    target = float(metric.to_metric(value))
    today, limit = float(metric.to_metric(now)), float(metric.to_metric(floor))
    word = "ceiling" if metric.higher_is_better else "floor"
    if by_share >= halfway:
        how = (f"{share:.0%} of today's {'distance from the best value' if metric.higher_is_better else 'value'} "
               f"(the fitted law gives {today:.3g} at {largest:,.0f}; its {word} is {limit:.3g})")
    else:
        how = (f"halfway from today's {today:.3g} (the fitted law at {largest:,.0f}) to the fitted {word} "
               f"{limit:.3g}: {share:.0%} of today's value would lie too close to the {word} to be reachable")
    return target, f"target {metric.name} {target:.3g}: {how}"


def analyse_curves(curves, *, title: str = "Data-scaling analysis", target: float | None = None,
                   bootstrap: int = 1000, level: float = LEVEL, seed: int = 0, runs=None, failures=None,
                   spec=None, notes=()) -> StudyAnalysis:
    """Analyse a CurveSet or a mapping name -> Curve."""
    if isinstance(curves, Curve):
        curves = {"curve": curves}
    items = curves.items() if isinstance(curves, (CurveSet, dict)) else curves
    items = list(items)
    analysed = [analyse_curve(name, c, target=target, bootstrap=bootstrap, level=level, seed=seed)
                for name, c in items]
    from ..experiment.axes import analyse_axes        # the answers of a quality or starts axis, if any
    axes = analyse_axes(dict(items), fits={a.name: a.fit for a in analysed}, target=target, bootstrap=bootstrap,
                        level=level, seed=seed)
    question = ("How much data do we need, and what will more of it buy us? "
                + ("Target: " + ", ".join(f"{a.name} {a.curve.metric} {a.target:.3g}" for a in analysed
                                         if a.target is not None) + "." if analysed else ""))
    return StudyAnalysis(title=title, question=question, curves=analysed, runs=runs, failures=failures, spec=spec,
                         notes=tuple(notes) + tuple(axes.notes), level=level, environment=environment(), axes=axes)


def analyse_study(study, **kwargs) -> StudyAnalysis:
    """Analyse every curve of a study: a :class:`~scalinglab.Study` being run, or one opened from
    its store (``sl.Study.open(store, name)``: the report of ``scalinglab report``); runs,
    failures and the spec (as stored, for an opened one) included."""
    spec = study.spec.describe() if hasattr(study, "spec") else study.stored_spec
    return analyse_curves(study.curves(), title=f"Study {study.name}", runs=study.frame(), failures=study.failures(),
                          spec=spec, notes=tuple(getattr(study, "notes", ())), **kwargs)
