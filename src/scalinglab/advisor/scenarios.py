"""``sl.advise``: the four situations of a team before its first sample, each answered with
numbers and intervals (approach and why, first tranche and schedule, predicted size for the
target, cost, next step), from whatever the team already has."""

from __future__ import annotations

import math

import numpy as np

from ..defaults import LEVEL
from .. import plan, samplesize
from ..curves import Curve
from ..errors import ScalingLabError
from ..experiment import geometric
from . import evidence as ev
from .inputs import SCENARIOS, load_matrix, load_pilot, load_study_curve, scenario_name
from .prior import predict_size
from .result import Advice, Cost, Predicted

__all__ = ["advise"]

REF_HERNANDEZ = "Hernandez, Kaplan, Henighan & McCandlish 2021, 'Scaling Laws for Transfer' (arXiv:2102.01293)"
REF_HESTNESS = "Hestness et al. 2017, 'Deep Learning Scaling is Predictable, Empirically' (tranches, powers of two)"
REF_TYPICLUST = ("Hacohen, Dekel & Weinshall 2022, 'Active Learning on a Budget: Opposite Strategies Suit High and "
                 "Low Budgets' (ICML; TypiClust: label typical cluster points first)")
REF_UNCERTAINTY = "Lewis & Gale 1994, 'A Sequential Algorithm for Training Text Classifiers' (uncertainty sampling)"
REF_SETTLES = "Settles 2009, 'Active Learning Literature Survey' (University of Wisconsin-Madison TR 1648)"
#: Doubling per tranche (Hestness et al. 2017 grow training sets by powers of two).
STEP = 2.0
#: Tranches laid out ahead when the target size is unknown, and at most when it is known: past
#: them the measured curve, not the prior, decides (``next_tranche`` after each tranche).
STEPS_AHEAD = 5
MAX_STEPS = 8


def _positive(name: str, value, *, integer: bool = False, minimum: float = 0.0):
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ScalingLabError(f"{name} must be a number, got {value!r}") from None
    if not (np.isfinite(v) and v > minimum) or (integer and v != int(v)):
        kind = "a whole number" if integer else "a number"
        raise ScalingLabError(f"{name} must be {kind} > {minimum:g}, got {value!r}")
    return int(v) if integer else v


def _schedule(start: float, until: float | None = None) -> tuple[int, ...]:
    """Cumulative sizes from ``start``, doubling, up to the first at or past ``until`` (or
    ``STEPS_AHEAD`` tranches when ``until`` is unknown or infinite)."""
    start = max(int(math.ceil(start)), 1)
    if until is None or not np.isfinite(until) or until <= start:
        return tuple(geometric(start, STEP, STEPS_AHEAD if until is None or not np.isfinite(until) else 1))
    count = int(math.ceil(math.log(until / start) / math.log(STEP))) + 1
    return tuple(geometric(start, STEP, min(count, MAX_STEPS)))


def _cost(per_sample, first: int | None, predicted: Predicted | None, have: float = 0.0) -> Cost | None:
    if per_sample is None:
        return None
    extra = to = None
    if predicted is not None and np.isfinite(predicted.n):
        to = per_sample * max(predicted.n - have, 0.0)
        extra = tuple(per_sample * max(v - have, 0.0) if np.isfinite(v) else math.inf for v in predicted.interval)
    return Cost(per_sample, None if first is None else per_sample * first, to, extra)


def _next(nt) -> str:
    return str(nt).removeprefix("Next: ")


def _from_estimate(est, source: str) -> Predicted:
    return Predicted(est.n, est.interval, est.level, source, str(est))


def _prior_prediction(target, anchor, mean, sd, source, level, seed, notes: list) -> Predicted | None:
    if target is None:
        return None
    if anchor is None:
        notes.append("an anchor point to place the prior's power law: --baseline-n/--baseline-error (the error of a "
                      "similar problem or a quick baseline at some size), or --classes for a chance-level anchor")
        return None
    (n0, e0), anchor_text = anchor
    if target >= e0:
        notes.append(f"a target below the anchor's error {e0:g} (the anchor size {n0:g} already reaches {target:g})")
        return None
    p = predict_size(target, (n0, e0), mean, sd, source=f"a power law through {anchor_text} with exponent "
                     f"{mean:.3g} ± {sd:.2g} from {source}; no floor, so optimistic near the irreducible error",
                     level=level, seed=seed)
    return Predicted(p.n, p.interval, level, p.source, str(p))


def _anchor(baseline, classes):
    if baseline is not None:
        n0, e0 = baseline
        return (float(n0), float(e0)), f"the baseline ({n0:g} samples, error {e0:g})"
    if classes is not None:
        return (float(classes), 1 - 1 / classes), (f"chance error {1 - 1 / classes:.3g} at {classes} samples (one per "
                                                   "class; a pessimistic anchor)")
    return None


def _measured(curve: Curve, label: str, target, level, n_boot, seed, prior=None):
    """Fit, regime, gain, data_for and next_tranche of a measured curve."""
    fit, warns = ev.fit_curve(curve, prior=prior, n_boot=n_boot, seed=seed)
    zone = plan.regime(fit, level=level)
    gain = plan.gain(fit, factor=2, level=level)
    nt = plan.next_tranche(fit, target, level=level)
    lines = [f"{label}: {curve.n} runs at {curve.n_distinct} sizes up to {curve.x.max():,.0f}; law {fit.law.name}"
             + (f" ({fit.selection_reason})" if fit.selection_reason else "")
             + (f"; {fit.prior_summary()}" if fit.prior else ""), str(zone), str(gain)]
    lines += [f"fit warning: {w}" for w in warns]
    est = plan.data_for(fit, target, level=level) if target is not None else None
    if est is not None:
        lines.append(str(est))
    numbers = {"law": fit.law.name, "largest": float(curve.x.max()), "zone": zone.zone, "slope": zone.slope,
               "floor": zone.floor, "floor_interval": zone.floor_interval, "gain_2x": gain.metric_new,
               "gain_2x_interval": gain.metric_new_interval}
    return fit, zone, nt, est, lines, numbers


def _reuse(a: dict) -> Advice:
    target, level = a["target"], a["level"]
    refs = [REF_HESTNESS]
    if a["curve"] is not None:
        fit, zone, nt, est, lines, numbers = _measured(a["curve"], a["curve_label"], target, level, a["n_boot"], a["seed"])
        largest = float(a["curve"].x.max())
        predicted = None if est is None else _from_estimate(est, f"the fitted {fit.law.name} law, "
                                                                 f"{len(fit.draws)} bootstrap draws")
        first = None if nt.stop else int(math.ceil(nt.size - largest))
        schedule = () if nt.stop else _schedule(nt.size, None if est is None else est.n)
        cost = _cost(a["cost_per_sample"], first, predicted, have=largest)
        return Advice("reuse", SCENARIOS["reuse"], "Use the data you have: measure where on its learning curve it sits, "
                      "and buy more only where the curve says it pays", str(zone), first, schedule, predicted, cost,
                      _next(nt), target, a["metric"], level, tuple(lines), (), tuple(refs), tuple(a["missing"]),
                      {**numbers, "next_size": nt.size, "stop": nt.stop})
    missing = list(a["missing"]) + ["a learning curve of the existing data: train on nested subsets (1/16, 1/8, 1/4, 1/2, "
                                    "all) and pass it as --pilot (CSV) or --study (database)"]
    available = a["available"]
    schedule = tuple(sorted({max(1, int(round(available / 2 ** k))) for k in range(5)})) if available else ()
    predicted = None
    lit = ev.literature_exponent(a["task"]) if a["task"] else None
    if lit is not None:
        predicted = _prior_prediction(target, _anchor(a["baseline"], a["classes"]), lit[0], lit[1], lit[2], level,
                                      a["seed"], missing)
    elif a["task"]:
        missing.append(f"no published fit matches {a['task']!r}; try other words (sl.literature.similar)")
    first = schedule[0] if schedule else None
    why = ("the existing data already hold the answer: the learning curve of nested subsets says whether more data "
           "helps, and by how much, before any new sample is bought")
    return Advice("reuse", SCENARIOS["reuse"], "Use the data you have; first measure its learning curve on nested "
                  "subsets of it (no new labels)", why, first, schedule, predicted,
                  _cost(a["cost_per_sample"], None, predicted, have=available or 0.0),
                  "train on the nested subsets, then rerun the advisor with the curve (--pilot runs.csv)", target,
                  a["metric"], level, (), (), tuple(refs), tuple(missing), {"available": available})


def _transfer(a: dict) -> Advice:
    target, level, missing = a["target"], a["level"], list(a["missing"])
    refs = [REF_HERNANDEZ, REF_HESTNESS]
    lit = ev.literature_exponent(a["task"]) if a["task"] else None
    if a["task"] is None:
        missing.append("the task in a few words (--task), to find published curves of similar tasks")
    elif lit is None:
        missing.append(f"no published fit matches {a['task']!r}; try other words (sl.literature.similar)")
    starts, rows = ev.starting_points(a["task"], a["llm"])
    literature = [] if lit is None else [f"data exponent prior {lit[0]:.3g} ± {lit[1]:.2g} from {lit[2]}"]
    literature += starts
    next_step = ("after each tranche fit the curve with the literature prior (sl.fit(curve, law='power', "
                 f"prior='literature:{a['task'] or '<task>'}')) and call sl.plan.next_tranche; to measure what the "
                 "pretrained start is worth, also train from scratch at 3-4 of the same sizes and run "
                 "sl.transfer.effective_data -> fit_transfer -> worth")
    why = ("a solved problem in another domain gives a pretrained start (fine-tuning multiplies the effective data, "
           "Hernandez et al. 2021) and published curves of similar tasks give a first exponent; collect in tranches "
           "and let the measured curve take over from the prior")
    if a["curve"] is not None:
        prior = None if lit is None else lit[3]
        fit, zone, nt, est, lines, numbers = _measured(a["curve"], a["curve_label"], target, level, a["n_boot"],
                                                       a["seed"], prior=prior)
        largest = float(a["curve"].x.max())
        predicted = None if est is None else _from_estimate(
            est, f"the measured curve{' with the literature prior (MAP)' if prior is not None else ''}, "
                 f"{len(fit.draws)} bootstrap draws")
        first = None if nt.stop else int(math.ceil(nt.size - largest))
        return Advice("transfer", SCENARIOS["transfer"], "Fine-tune from the pretrained start and keep collecting in "
                      "tranches", why, first, () if nt.stop else _schedule(nt.size, None if est is None else est.n),
                      predicted, _cost(a["cost_per_sample"], first, predicted, have=largest), _next(nt), target,
                      a["metric"], level, tuple(lines), tuple(literature), tuple(refs), tuple(missing),
                      {**numbers, "next_size": nt.size, "stop": nt.stop})
    predicted = None
    if lit is not None:
        predicted = _prior_prediction(target, _anchor(a["baseline"], a["classes"]), lit[0], lit[1], lit[2], level,
                                      a["seed"], missing)
    sizes = [v for v in rows["x_min"].astype(float) if np.isfinite(v) and v > 0] if len(rows) else []
    instruction = rows[rows["task"].str.contains("instruction", case=False)] if len(rows) else rows
    if len(instruction):
        first = int(min(instruction["x_min"].astype(float)))
        first_why = f"the smallest instruction-tuning set the literature reports working ({first:,} pairs)"
    elif sizes:
        first = int(max(min(sizes), 1))
        first_why = "the smallest starting size in the matching literature rows"
    else:
        first = max(100, 10 * (a["classes"] or 0))
        first_why = "a first tranche large enough to place a curve (no literature starting point matched)"
    evidence = [f"first tranche: {first_why}"]
    if a["llm"]:
        evidence.append("in-context examples are a curve to measure too: evaluate K = 0, 1, 2, 4, ... demonstrations "
                        "(10-100 fit a 2,048-token context; long contexts take thousands) and fit it like any learning "
                        "curve; it need not be monotone (see the literature rows)")
    schedule = _schedule(first, None if predicted is None else predicted.n)
    return Advice("transfer", SCENARIOS["transfer"], "Fine-tune from the pretrained start (or transfer the similar "
                  "problem's model); collect labels in tranches", why, first, schedule, predicted,
                  _cost(a["cost_per_sample"], first, predicted), next_step, target, a["metric"], level,
                  tuple(evidence), tuple(literature), tuple(refs), tuple(missing), {})


def _unlabeled(a: dict) -> Advice:
    target, level, missing = a["target"], a["level"], list(a["missing"])
    refs = [REF_TYPICLUST, REF_UNCERTAINTY, REF_SETTLES,
            "Facco et al. 2017 (TwoNN); Levina & Bickel 2005 (MLE intrinsic dimension)"]
    evidence, numbers, predicted = [], {}, None
    rep = None
    if a["unlabeled"] is None:
        missing.append("the unlabeled feature matrix (or its representations from a pretrained/self-supervised "
                       "model) as --unlabeled points.npy|.csv: intrinsic dimension and clusters size the first tranche")
    else:
        X, where = load_matrix(a["unlabeled"])
        rep = ev.representation(X, where, seed=a["seed"])
        evidence.append(f"{where}: {rep.n_points:,} points × {X.shape[1]} features; intrinsic dimension "
                        f"{rep.twonn:.2f} (TwoNN) and {rep.mle:.2f} (Levina-Bickel MLE, k = 20, harmonic mean)")
        sub = (f" on {rep.n_clustered:,} of {rep.n_points:,} points drawn with seed {a['seed']}"
               if rep.n_clustered < rep.n_points else "")
        evidence.append(f"K = {rep.k} clusters by silhouette{sub}; sizes {list(rep.cluster_sizes)}")
        numbers.update(twonn=rep.twonn, mle=rep.mle, k=rep.k, cluster_sizes=rep.cluster_sizes)
        vc = int(math.ceil(rep.dimension)) + 1
        if target is not None and 0 < target < 1:
            need, suff, text = ev.pac_range(vc, target)
            evidence.append(text + f" (VC dimension d + 1 = {vc} of a linear classifier on a {rep.dimension:.1f}-"
                                   "dimensional representation)")
            numbers.update(pac_necessary=need, pac_sufficient=suff)
    per_cluster = samplesize.majority_n(a["margin"], level=0.95)
    if rep is not None:
        first = rep.k * int(per_cluster.n_required)
        evidence.append(f"{int(per_cluster.n_required)} labels per cluster show its majority label when it holds "
                        f"{0.5 + a['margin']:.0%} of the cluster ({per_cluster.what}); {rep.k} clusters -> {first:,}")
    else:
        first = None
    lit = ev.literature_exponent(a["task"]) if a["task"] else None
    mean, sd, source = (lit[0], lit[1], lit[2]) if lit is not None else ev.all_data_exponents()
    predicted = _prior_prediction(target, _anchor(a["baseline"], a["classes"]), mean, sd, source, level, a["seed"],
                                  missing)
    if rep is not None:
        b, _, text = ev.dimension_exponent(rep)
        evidence.append(f"{text}: exponent {b:.3f}, i.e. each doubling of labels cuts the error by {1 - 2 ** -b:.1%}; "
                        "measured exponents often differ widely, so it is not used for the predicted size")
        numbers["dimension_exponent"] = b
    why = ("with plenty of unlabeled data the representation does the heavy lifting: a pretrained or self-supervised "
           "encoder, then labels where they teach the most. Its intrinsic dimension and clusters size the first "
           "tranche; on a small budget label the typical points of each cluster first (TypiClust), on a large one "
           "switch to uncertainty sampling")
    schedule = _schedule(first, None if predicted is None else predicted.n) if first else ()
    return Advice("unlabeled", SCENARIOS["unlabeled"], "Embed the unlabeled data with a pretrained or self-supervised "
                  "model and label actively: typical points per cluster first, uncertain ones later", why, first,
                  schedule, predicted, _cost(a["cost_per_sample"], first, predicted), "label the first tranche (the "
                  "most typical points of each cluster), fit the learning curve after each tranche and call "
                  "sl.plan.next_tranche", target, a["metric"], level, tuple(evidence), (), tuple(refs),
                  tuple(missing), numbers)


def _pilot(a: dict) -> Advice:
    target, level, missing = a["target"], a["level"], list(a["missing"])
    evidence, numbers = [], {}
    if target is not None and a["metric"] == "error" and 0 < target < 0.5:
        n_eval, text = ev.eval_set_size(target, width=a["eval_width"])
        evidence.append(text)
        numbers["eval_set"] = n_eval
    elif target is not None:
        missing.append("an error-rate target in (0, 0.5) to size the evaluation set (other metrics: "
                       "sl.samplesize.mean_interval_n with the metric's noise)")
    if target is not None and 0 < target < 1 and a["features"]:
        vc = a["features"] + 1
        need, suff, text = ev.pac_range(vc, target)
        evidence.append(text + f" (VC dimension {vc} = features + 1, a linear classifier)")
        numbers.update(pac_necessary=need, pac_sufficient=suff)
    elif not a["features"]:
        missing.append("--features (input dimension) for the PAC/VC range")
    base = max(25, 5 * (a["classes"] or 0))
    lit = ev.literature_exponent(a["task"]) if a["task"] else None
    mean, sd, source = (lit[0], lit[1], lit[2]) if lit is not None else ev.all_data_exponents()
    predicted = _prior_prediction(target, _anchor(a["baseline"], a["classes"]), mean, sd, source, level, a["seed"],
                                  missing)
    evidence.append(f"first tranche {base:,} samples (at least 25, and 5 per class), then doubling "
                    "(Hestness et al. 2017): each tranche adds a point to the learning curve")
    why = ("with nothing to borrow from, the first numbers come from a pilot: classical statistics size the "
           "evaluation set, PAC/VC bounds give a (usually vacuous) range, and a learning curve measured in doubling "
           "tranches replaces the wide prior after three or four tranches")
    return Advice("pilot", SCENARIOS["pilot"], "Design a pilot: a fixed evaluation set, then geometric training "
                  "tranches", why, base, _schedule(base, None if predicted is None else predicted.n), predicted,
                  _cost(a["cost_per_sample"], base, predicted), "collect the first tranche, fit the curve "
                  "(sl.fit(curve, law='auto')) and call sl.plan.next_tranche after each one", target, a["metric"],
                  level, tuple(evidence), (), (REF_HESTNESS, "Blumer et al. 1989; Ehrenfeucht et al. 1989 (PAC/VC)",
                                               "Cohen 1988 (power analysis); Wilson 1927 (proportion interval)"),
                  tuple(missing), numbers)


_BUILDERS = {"reuse": _reuse, "transfer": _transfer, "unlabeled": _unlabeled, "pilot": _pilot}


def advise(scenario, *, task: str | None = None, target: float | None = None, metric: str = "error",
           classes: int | None = None, features: int | None = None, cost_per_sample: float | None = None,
           pilot=None, x: str = "n", y: str = "error", seed_col: str | None = None, higher_is_better: bool = False,
           study=None, study_name: str | None = None, curve: str | None = None, unlabeled=None,
           baseline: tuple[float, float] | None = None, available: int | None = None, llm: bool = False,
           margin: float = 0.2, eval_width: float | None = None, level: float = LEVEL, n_boot: int = 1000,
           seed: int = 0) -> Advice:
    """Advice for a team before its first sample, in one of four scenarios.

    Parameters
    ----------
    scenario : "reuse" (1), "transfer" (2), "unlabeled" (3) or "pilot" (4)
        1: the exact problem was solved before or usable data exist; 2: a similar problem was
        solved in another domain; 3: plenty of unlabeled data; 4: nothing similar exists.
    task : str, optional
        The task in a few words ("image classification"): finds published curves (priors) and
        starting points in the literature table.
    target : float, optional
        The metric to reach (lower is better: an error rate or a loss).
    classes, features : int, optional
        Number of classes (chance-level anchor, first tranche) and input dimension (PAC/VC).
    cost_per_sample : float, optional
        Price of one labelled sample: the cost of the first tranche and of reaching the target.
    pilot : Curve or CSV path, optional
        A measured learning curve (columns ``x``, ``y``, optional ``seed_col``).
    study : path or URL, optional
        A study database; its curve ``curve`` of study ``study_name`` (the only/last one by default).
    unlabeled : array, .npy or .csv path, optional
        Unlabeled features (or representations): intrinsic dimension and clusters.
    baseline : (n, error), optional
        A point to anchor a prior's power law (a similar problem's result, a quick baseline).
    available : int, optional
        Samples already at hand (scenario 1 without a curve: nested subsets of them).
    llm : bool
        Also bring the LLM starting points of the literature table (instruction tuning, in-context
        example counts).
    margin : float
        Scenario 3: majority share − 1/2 that each cluster's labels must reveal.
    eval_width : float, optional
        Scenario 4: full width of the evaluation interval around the target (default: the target).
    level, n_boot, seed : interval level, bootstrap refits, seed of every random choice.

    Returns
    -------
    Advice
        ``str(advice)``: one sentence; ``advice.text()``: everything; ``advice.to_dict()``: JSON-able.
    """
    name = scenario_name(scenario)
    if int(n_boot) != n_boot or n_boot < 2:
        raise ScalingLabError(f"n_boot must be a whole number >= 2, got {n_boot!r}")
    target = _positive("target", target)
    if not 0 < float(level) < 1:
        raise ScalingLabError(f"level must be between 0 and 1, got {level!r}")
    if not 0 < float(margin) < 0.5:
        raise ScalingLabError(f"margin must be between 0 and 0.5, got {margin!r}")
    classes = _positive("classes", classes, integer=True, minimum=1)
    if baseline is not None:
        if len(baseline) != 2:
            raise ScalingLabError(f"baseline must be (n, error), got {baseline!r}")
        baseline = (_positive("baseline n", baseline[0]), _positive("baseline error", baseline[1]))
    if pilot is not None and study is not None:
        raise ScalingLabError("give a pilot curve or a study database, not both")
    args = dict(task=task.strip() if isinstance(task, str) and task.strip() else None, target=target, metric=metric,
                classes=classes, features=_positive("features", features, integer=True),
                cost_per_sample=_positive("cost_per_sample", cost_per_sample),
                available=_positive("available", available, integer=True), baseline=baseline, llm=bool(llm),
                margin=float(margin), eval_width=_positive("eval_width", eval_width), level=float(level),
                n_boot=int(n_boot), seed=int(seed), unlabeled=unlabeled, missing=[], curve=None, curve_label=None)
    if pilot is not None:
        args["curve"] = load_pilot(pilot, x=x, y=y, seed=seed_col, higher_is_better=higher_is_better)
        args["curve_label"] = f"pilot {pilot}" if not isinstance(pilot, Curve) else "pilot curve"
    elif study is not None:
        args["curve"], label = load_study_curve(study, study=study_name, curve=curve)
        args["curve_label"] = f"study {label}"
    if args["curve"] is not None:
        if args["curve"].n_inputs != 1:
            raise ScalingLabError("the advisor reads data-size curves (one x column)")
        args["metric"] = args["curve"].metric
    if target is None:
        args["missing"].append("a target (--target): the size it needs, its interval and its cost")
    return _BUILDERS[name](args)
