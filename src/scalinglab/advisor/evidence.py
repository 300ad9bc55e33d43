"""The sub-answers the advisor combines, each from the public API: a bootstrapped fit of a
measured curve, exponents of published fits, starting points from the literature, intrinsic
dimension and clusters of unlabeled data, PAC/VC ranges and evaluation-set sizes."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from .. import literature, samplesize
from ..curves import Curve
from ..errors import ScalingLabError, ScalingLabWarning
from ..fitting import fit as fit_law
from ..laws import get_law
from ..literature.prior import MIN_SD, SINGLE_ROW_SD

__all__ = ["fit_curve", "literature_exponent", "all_data_exponents", "starting_points", "Representation",
           "representation", "pac_range", "eval_set_size", "MAX_CLUSTER_POINTS"]

#: Rows used for clustering the unlabeled data (k-means + silhouette costs O(n²) in memory/time).
MAX_CLUSTER_POINTS = 3000


def fit_curve(curve: Curve, *, prior=None, n_boot: int = 1000, seed: int = 0):
    """law="auto" (or a power law with ``prior``), bootstrapped under the package's one
    resampling rule (``by="auto"``: whole seeds when there are at least 5, else points); returns
    the fit and its warnings as plain sentences."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ScalingLabWarning)
        res = fit_law(curve, law="power", prior=prior) if prior is not None else fit_law(curve, law="auto")
        res = res.bootstrap(n_boot, by="auto", seed=seed)
    return res, tuple(str(w.message) for w in caught if issubclass(w.category, ScalingLabWarning))


def literature_exponent(task: str):
    """(mean, sd, source, Prior) of published data exponents of tasks like ``task`` (the prior
    of ``sl.fit(..., prior="literature:<task>")``), or None when nothing matches."""
    try:
        prior = literature.make_prior(f"literature:{task}", get_law("power"))
    except ScalingLabError:
        return None
    mean, sd = prior.targets["b"]
    return float(mean), float(sd), prior.source, prior


def all_data_exponents():
    """(median, sd, source) over every published data exponent of a loss law: the prior when
    nothing similar exists (wide on purpose)."""
    rows = literature.query(x="data", kind="loss")
    exps = rows["exponent_pos"].dropna().to_numpy(float)
    return (float(np.median(exps)), max(float(np.std(exps, ddof=1)), MIN_SD),
            f"all {exps.size} published data exponents (no similar task; a wide prior)")


def starting_points(task: str | None, llm: bool):
    """Literature rows of kind 'starting_point' that match ``task`` (or every LLM row when
    ``llm``): (summaries with citations, the rows)."""
    rows = literature.query(kind="starting_point")
    if task:
        words = [w for w in task.lower().replace("-", " ").split() if len(w) > 2]
        hay = (rows["task"] + " " + rows["domain"] + " " + rows["x_variable"]).str.lower()
        mask = np.zeros(len(rows), bool)
        for w in words:
            mask |= hay.str.contains(w, regex=False).to_numpy()
        if llm:
            mask |= rows["domain"].str.contains("LLM", regex=False).to_numpy()
        rows = rows[mask]
    elif not llm:
        rows = rows.iloc[0:0]
    summaries = [f"{r['task']}: {r['law_form'].split(':', 1)[1].strip()} — {r['other_params']} "
                 f"({r['citation']}, {r['source_location']}) [{r['confidence']}]" for _, r in rows.iterrows()]
    return summaries, rows


@dataclass(frozen=True)
class Representation:
    """Intrinsic dimension (two estimators) and clusters of unlabeled data."""

    twonn: float
    mle: float
    k: int
    cluster_sizes: tuple[int, ...]
    n_points: int
    n_clustered: int
    where: str

    @property
    def dimension(self) -> float:
        return 0.5 * (self.twonn + self.mle)


def representation(X: np.ndarray, where: str, *, seed: int = 0) -> Representation:
    """TwoNN and Levina–Bickel MLE dimension of X; K by silhouette on at most
    ``MAX_CLUSTER_POINTS`` rows drawn with ``seed`` (the evidence says so when it subsamples)."""
    d1 = samplesize.intrinsic.twonn(X).dimension
    d2 = samplesize.intrinsic.mle(X, k=min(20, len(X) - 1)).dimension
    rows = X
    if len(X) > MAX_CLUSTER_POINTS:
        rows = X[np.sort(np.random.default_rng(seed).choice(len(X), MAX_CLUSTER_POINTS, replace=False))]
    choice = samplesize.choose_k(rows, k_range=range(2, 11), seed=seed)
    return Representation(d1, d2, choice.k, tuple(int(s) for s in choice.clusters["size"]), len(X), len(rows), where)


def pac_range(vc: int, eps: float, delta: float = 0.01) -> tuple[float | None, float, str]:
    """(necessary or None, sufficient, sentence) for realizable PAC learning with VC dimension
    ``vc``; δ = 0.01 by default because the necessary bound holds for δ <= 1/100 (and ε <= 1/8)."""
    suff = samplesize.pac_realizable(vc=vc, eps=eps, delta=delta)
    need = None
    if eps <= 1 / 8 and delta <= 1 / 100 and vc >= 2:
        need = samplesize.pac_realizable(vc=vc, eps=eps, delta=delta, kind="necessary")
    lower = (f"at least {need.n_required:,} (necessary, Ehrenfeucht et al. 1989) and " if need is not None else "")
    text = (f"PAC/VC range for VC dimension {vc}, error {eps:g}, δ = {delta:g}: {lower}at most {suff.n_required:,} "
            "(sufficient, Blumer et al. 1989) samples; worst-case bounds over all distributions, usually vacuous "
            "for a real problem")
    return (None if need is None else float(need.n)), float(suff.n), text


def eval_set_size(target: float, *, width: float | None = None, level: float = 0.95, power: float = 0.8,
                  alpha: float = 0.05) -> tuple[int, str]:
    """Held-out examples to measure an error rate near ``target``: the larger of (a) a Wilson
    interval of full ``width`` (default: the target itself) at p = target and (b) a two-sample
    test telling error 2·target from target with ``power`` (Cohen's h)."""
    if not 0 < target < 0.5:
        raise ScalingLabError(f"sizing the evaluation set needs an error-rate target in (0, 0.5), got {target!r}")
    width = target if width is None else float(width)
    interval = samplesize.proportion_interval_n(width, p=target, level=level)
    test = samplesize.proportions(p1=2 * target, p2=target, power=power, alpha=alpha)
    n = int(max(interval.n_required, math.ceil(test.n)))
    text = (f"evaluation set: {int(interval.n_required):,} examples give a {level:.0%} interval of width {width:g} around "
            f"error {target:g} (Wilson); {math.ceil(test.n):,} per group tell error {2 * target:g} from {target:g} with "
            f"power {power:g} (two-proportion test, α = {alpha:g}); hold out {n:,}")
    return n, text


def dimension_exponent(rep: Representation) -> tuple[float, float, str]:
    """The source notes' heuristic exponent 1/d (log error ≈ −(1/d) log n), sd 25 % of it."""
    b = samplesize.intrinsic.exponent_from_dimension(rep.dimension, kind="data")
    return b, max(SINGLE_ROW_SD * b, 0.01), (f"the heuristic exponent 1/d with intrinsic dimension d = {rep.dimension:.1f} "
                                             "(source notes' rule of thumb; orientation only)")
