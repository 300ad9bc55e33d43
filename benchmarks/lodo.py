"""Leave-one-domain-out (LODO) comparison of extrapolation rules on the suite (issue 18).

Every law's forecast of every curve comes from :mod:`lodo_cache` (fitted once). A *rule*
turns them into one forecast per curve (prediction and log-scale interval unit per held-out
size); some rules have settings (a switch factor, a temperature, a fixed law). For each
**family** of domains (the LM's two domains come from the same runs, so do the MLP's: they
are held out together), the settings are chosen on the other families only, by the
geometric mean over those domains of (rule's median score / the domain's best single law's
median score); the rule is then scored on the held-out family with those settings. The
interval quantiles are chosen the same way: split-conformal quantiles of |log error| / unit
pooled over the other families' held-out sizes, every domain weighing the same. For a rule
whose forecast carries the curve's inner error (``shipped``: the package's default), the unit
is first replaced by a scale model of that error and the distance
(``calibration.ScaleModel``), fitted on the other families' held-out errors too.

Score = |log ŷ − log y| at the largest held-out size (median per domain). "best law" = the
single law with the lowest median in hindsight on that domain, among the laws that never
failed there (as ``extrapolation_domains.py``). Coverage = share of held-out sizes inside the
interval, the interval laid out by :meth:`Calibration.interval` (logit scale for a bounded
metric, so it never leaves the range).
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from scalinglab.backtest.calibration import Calibration, ScaleModel

#: Categories where ``auto`` on main before issue 18 used the median ensemble instead of one law.
ILL_BEHAVED = ("flat", "peaking", "dipping")

LAWS5 = ("power", "power_floor", "m3", "m4", "exp_floor")
LAWS = LAWS5 + ("bnsl",)
LEVELS = (0.8, 0.95)
HUGE = 1e300


@dataclass
class Out:
    pred: np.ndarray       # (C, m)
    unit: np.ndarray       # (C, m)
    law: np.ndarray        # (C,) what was used
    inner: np.ndarray | None = None     # (C,) the curve's inner error: the unit is then a scale model's, fitted LODO
    distance: np.ndarray | None = None  # (C, m) log(size / largest size fitted)
    noise: np.ndarray | None = None     # (C,) the curve's replicate noise (the scale model's floor)


# --- facts about each law's fit --------------------------------------------------------------

def asymptote(d, law: str) -> np.ndarray:
    """The fitted law's value as x -> infinity (its floor), per curve."""
    from scalinglab.laws.base import get_law
    theta = d.laws[law]["theta"]
    with np.errstate(all="ignore"):
        return get_law(law)._predict((np.full((len(theta), 1), HUGE),), theta)[:, 0]


def usable(d, law: str, constrained: bool) -> np.ndarray:
    """Curves where the law's forecast is finite and positive (and, ``constrained``, obeys the
    shape constraints the metric implies: floor no higher than the smallest training mean, every
    prediction below the metric's cap, M4's y0 no higher than the cap)."""
    pred = d.laws[law]["pred"]
    W = d.test_W > 0
    ok = np.all((np.isfinite(pred) & (pred > 0)) | ~W, axis=1)
    if constrained:
        with np.errstate(invalid="ignore"):
            ok &= ~(asymptote(d, law) > d.train_min * (1 + 1e-9))
            ok &= np.all((pred < d.cap[:, None]) | ~W, axis=1)
            if law == "m4":
                ok &= ~(d.laws[law]["theta"][:, 4] > d.cap * (1 + 1e-9))
    return ok


def law_out(d, law: str) -> Out:
    return Out(d.laws[law]["pred"], d.laws[law]["unit"], np.full(len(d.names), law, object))


def last_out(d) -> Out:
    m = d.test_X.shape[1]
    return Out(np.repeat(d.train_last[:, None], m, axis=1), np.repeat(d.last_unit[:, None], m, axis=1),
               np.full(len(d.names), "last", object))


def strict_inner(d, law: str) -> np.ndarray:
    """The inner score as main scored it before issue 18: only with one inner training size more
    than the law has parameters (inf otherwise)."""
    from scalinglab.laws.base import get_law
    spare = d.n_train - d.n_inner_held >= get_law(law).n_params + 1
    return np.where(spare, d.laws[law]["inner_relaxed"], np.inf)


def _stack(d, laws, constrained, inner="inner"):
    P = np.stack([d.laws[l]["pred"] for l in laws], axis=1)              # (C, L, m)
    U = np.stack([d.laws[l]["unit"] for l in laws], axis=1)
    S = np.stack([strict_inner(d, l) if inner == "inner" else d.laws[l][inner] for l in laws], axis=1)  # (C, L)
    ok = np.stack([usable(d, l, constrained) for l in laws], axis=1)
    return P, U, S, ok


# --- rules ------------------------------------------------------------------------------------

def median_ensemble(d, laws=LAWS5, constrained=False, with_last=True) -> Out:
    P, U, _, ok = _stack(d, laws, constrained)
    with np.errstate(all="ignore"):
        L = np.where(ok[:, :, None], np.log(P), np.nan)
    Uu = np.where(ok[:, :, None], U, np.nan)
    if with_last:
        lo = last_out(d)
        L = np.concatenate([L, np.log(lo.pred)[:, None]], axis=1)
        Uu = np.concatenate([Uu, lo.unit[:, None]], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        centre = np.nanmedian(L, axis=1)
        spread = 1.4826 * np.nanmedian(np.abs(L - centre[:, None]), axis=1)
        unit = np.hypot(np.nanmedian(Uu, axis=1), spread)
    return Out(np.exp(centre), unit, np.full(len(d.names), "ensemble", object))


def today_auto(d) -> Out:
    """``auto`` as on main before issue 18 (ddf561a): five laws, the lowest inner-backtest score,
    m3 kept on weak evidence (at most 3 inner held-out sizes) unless another law scores 20 times
    lower, the median ensemble on flat / peaking / dipping curves and where no law was scored."""
    chosen = select(d, "m3", 20.0, False, LAWS5)
    ens = median_ensemble(d)
    scored = np.isfinite(np.stack([strict_inner(d, l) for l in LAWS5], axis=1)).any(axis=1)
    back = np.isin(d.categories, ILL_BEHAVED) | ~scored | (chosen.law == "ensemble")
    return Out(np.where(back[:, None], ens.pred, chosen.pred), np.where(back[:, None], ens.unit, chosen.unit),
               np.where(back, "ensemble", chosen.law))


def _fallback(d, pred, unit, law, constrained=True) -> Out:
    """Where the rule has nothing finite: the median ensemble of the usable laws (visible as 'ensemble')."""
    bad = ~np.all((np.isfinite(pred) & (pred > 0)) | (d.test_W == 0), axis=1)
    if bad.any():
        ens = median_ensemble(d, LAWS, constrained)
        pred = np.where(bad[:, None], ens.pred, pred)
        unit = np.where(bad[:, None], ens.unit, unit)
        law = np.where(bad, "ensemble", law)
    return Out(pred, unit, law)


def select(d, incumbent: str | None, factor: float, constrained: bool, laws=LAWS, inner="inner") -> Out:
    """Lowest inner-backtest score among the usable laws; with at most 3 inner held-out sizes
    ``incumbent`` is kept unless another law scores ``factor`` times lower."""
    P, U, S, ok = _stack(d, laws, constrained, inner)
    S = np.where(ok, S, np.inf)
    if incumbent is not None:
        i = laws.index(incumbent)
        weak = (d.n_inner_held <= 3) & np.isfinite(S[:, i])
        S = S * np.where(weak[:, None] & (np.arange(len(laws)) != i)[None, :], factor, 1.0)
    n_params = np.array([{"power": 2, "power_floor": 3, "m3": 3, "m4": 5, "exp_floor": 3, "bnsl": 6}[l] for l in laws])
    best = S.min(axis=1, keepdims=True)
    near = np.isfinite(S) & (S <= best * 1.001 + 1e-15)
    key = np.where(near, n_params[None, :] * 1e6 + S, np.inf)
    pick = np.argmin(key, axis=1)
    rows = np.arange(len(d.names))
    pred = np.where(np.isfinite(best), P[rows, pick], np.nan)
    return _fallback(d, pred, U[rows, pick], np.array(laws, object)[pick], constrained)


def fixed(d, law: str, constrained: bool) -> Out:
    P = np.where(usable(d, law, constrained)[:, None], d.laws[law]["pred"], np.nan)
    return _fallback(d, P, d.laws[law]["unit"], np.full(len(d.names), law, object), constrained)


def weights(d, laws, temperature: float, noise_floor: bool, constrained: bool, prior=None,
            inner="inner") -> np.ndarray:
    """Model weights (C, L) from the inner backtest: w ∝ prior · (s_eff)^(-n_held / T), s_eff the
    inner RMSE of log y (combined with the curve's own replicate noise when ``noise_floor``): a
    Gaussian likelihood ratio of the inner held-out sizes at temperature T. Laws not scored
    (too few sizes) get the weight of the worst scored law; unusable laws none."""
    _, _, S, ok = _stack(d, laws, constrained, inner)
    S = np.where(ok, S, np.nan)
    if noise_floor:
        S = np.sqrt(S ** 2 + d.noise[:, None] ** 2)
    S = np.maximum(S, 1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        worst = np.nanmax(np.where(np.isfinite(S), S, np.nan), axis=1, keepdims=True)
    S = np.where(ok & ~np.isfinite(S), worst, S)
    n = np.maximum(d.n_inner_held, 1)[:, None]
    with np.errstate(all="ignore"):
        logw = -n / temperature * np.log(S)
        logw = np.where(ok & np.isfinite(logw), logw, -np.inf)
        if prior is not None:
            logw = logw + np.log(np.asarray([prior[l] for l in laws]))[None, :]
        logw = logw - np.max(logw, axis=1, keepdims=True)
        w = np.exp(logw)
        w = w / w.sum(axis=1, keepdims=True)
    # no law scored anywhere: equal weights among the usable laws
    none = ~np.all(np.isfinite(w), axis=1)
    eq = ok / np.maximum(ok.sum(axis=1, keepdims=True), 1)
    return np.where(none[:, None], eq, w)


def average(d, temperature: float, noise_floor: bool, constrained: bool, laws=LAWS, prior=None,
            inner="inner") -> Out:
    """Weighted mean of the usable laws' log predictions (:func:`weights`); unit = the mixture's
    sd (the members' units and their spread around the mean)."""
    P, U, _, ok = _stack(d, laws, constrained)
    w = weights(d, laws, temperature, noise_floor, constrained, prior, inner)
    with np.errstate(all="ignore"):
        L = np.where(ok[:, :, None] & (w[:, :, None] > 0), np.log(P), 0.0)
        mean = np.sum(w[:, :, None] * L, axis=1)
        var = np.sum(w[:, :, None] * (np.where(w[:, :, None] > 0, U, 0.0) ** 2 + (L - mean[:, None]) ** 2), axis=1)
    top = np.array(laws, object)[np.argmax(w, axis=1)]
    return _fallback(d, np.exp(mean), np.sqrt(var), top, constrained)


# --- scoring ----------------------------------------------------------------------------------

def scores(d, out: Out) -> np.ndarray:
    """|log ŷ − log y| at the largest held-out size per curve (NaN: failed)."""
    rows = np.arange(len(d.names))
    with np.errstate(all="ignore"):
        e = np.abs(np.log(out.pred[rows, d.i_largest]) - np.log(d.test_Y[rows, d.i_largest]))
    return np.where(np.isfinite(e), e, np.nan)


def z_values(d, out: Out) -> np.ndarray:
    """|log error| / unit at every held-out size (flat)."""
    W = d.test_W > 0
    with np.errstate(all="ignore"):
        z = np.abs(np.log(out.pred) - np.log(d.test_Y)) / np.maximum(out.unit, 1e-4)
    z = np.where(np.isfinite(z), z, np.inf)
    return z[W]


def best_law(d) -> tuple[str, float]:
    med = {}
    for law in LAWS:
        s = scores(d, law_out(d, law))
        if np.isnan(s).any():
            continue
        med[law] = float(np.median(s))
    law = min(med, key=med.get)
    return law, med[law]


def weighted_quantile(groups: list[np.ndarray], level: float) -> float:
    """Quantile of the pooled values, each group weighing the same (conformal: finite-sample
    correction (n + 1)/n on the level, n the smallest group)."""
    vals = np.concatenate(groups)
    wts = np.concatenate([np.full(len(g), 1.0 / len(g)) for g in groups])
    order = np.argsort(vals)
    cum = np.cumsum(wts[order]) / wts.sum()
    n = min(len(g) for g in groups)
    target = min(level * (n + 1) / n, 1.0)
    return float(vals[order][min(np.searchsorted(cum, target), len(vals) - 1)])


def coverage(d, out: Out, q: dict) -> dict:
    cal = Calibration({"m": q})
    W = d.test_W > 0
    res = {}
    for level in LEVELS:
        lo, hi = cal.interval("m", out.pred, out.unit, level, cap=d.cap[:, None])
        inside = (lo <= d.test_Y) & (d.test_Y <= hi)
        res[level] = float(np.sum(inside & W) / np.sum(W))
        res[f"above{level}"] = float(np.sum((hi > d.cap[:, None]) & W) / np.sum(W))
    return res


# --- LODO -------------------------------------------------------------------------------------

Rule = Callable[..., Out]


@dataclass(frozen=True)
class Candidate:
    name: str
    make: Callable          # (d, **settings) -> Out
    grid: tuple = ({},)     # settings to choose from, LODO
    base: tuple = ()        # for a pooled candidate: the candidates it chooses among


def with_ill_behaved_fallback(d, out: Out) -> Out:
    """The median ensemble (last value and the five laws) on curves whose training part is flat,
    peaking or dipping (the categories of ``sl.backtest``'s protocol), as main's ``auto`` did."""
    ens = median_ensemble(d)
    back = np.isin(d.categories, ILL_BEHAVED)
    return Out(np.where(back[:, None], ens.pred, out.pred), np.where(back[:, None], ens.unit, out.unit),
               np.where(back, "ensemble", out.law))


def candidates() -> list[Candidate]:
    """The rules compared (suffixes: +c the shape constraints, +noise the curve's replicate noise
    in the weights, +relaxed the inner backtest scoring exactly determined fits too, +ill the
    median ensemble on flat / peaking / dipping curves)."""
    grid_select = tuple({"incumbent": i, "factor": f} for i in (None,) + LAWS5 for f in (1.0, 2.0, 5.0, 20.0)
                        if not (i is None and f != 1.0))
    temps = tuple({"t": t} for t in (0.5, 1.0, 2.0, 4.0, 8.0))
    no_exp = ("power", "power_floor", "m3", "m4", "bnsl")
    return [
        Candidate("today_auto", lambda d: today_auto(d)),
        Candidate("ensemble", lambda d: median_ensemble(d)),
        Candidate("ensemble+c", lambda d: median_ensemble(d, LAWS, True)),
        Candidate("fixed_law", lambda d, law: fixed(d, law, False), tuple({"law": l} for l in LAWS5)),
        Candidate("fixed_law+c", lambda d, law: fixed(d, law, True), tuple({"law": l} for l in LAWS5)),
        Candidate("select", lambda d, incumbent, factor: select(d, incumbent, factor, False), grid_select),
        Candidate("select+c+relaxed", lambda d, incumbent, factor: select(d, incumbent, factor, True,
                                                                         inner="inner_relaxed"), grid_select),
        Candidate("average", lambda d, t: average(d, t, False, False), temps),
        Candidate("average+c", lambda d, t: average(d, t, False, True), temps),
        Candidate("average+c+noise", lambda d, t: average(d, t, True, True), temps),
        Candidate("average+c+relaxed", lambda d, t: average(d, t, False, True, inner="inner_relaxed"), temps),
        Candidate("average+c+noise+relaxed", lambda d, t: average(d, t, True, True, inner="inner_relaxed"), temps),
        Candidate("average+c+noise+relaxed-exp_floor",
                  lambda d, t: average(d, t, True, True, laws=no_exp, inner="inner_relaxed"), temps),
        Candidate("average+c+noise+relaxed+ill",
                  lambda d, t: with_ill_behaved_fallback(d, average(d, t, True, True, inner="inner_relaxed")), temps),
        Candidate("shipped", shipped, temps),
        Candidate("shipped_spread", lambda d, t: shipped(d, t, scaled=False), temps),
        # point-forecast variants tried for issue 18 (none beat shipped leave-one-family-out)
        Candidate("shipped+aic", lambda d, t, lam: shipped(d, t, prior=complexity_prior(d, lam, False)),
                  tuple({"t": t, "lam": lam} for t in (1.0, 2.0, 4.0) for lam in (0, 0.25, 0.5, 1, 2))),
        Candidate("shipped+aicc", lambda d, t, lam: shipped(d, t, prior=complexity_prior(d, lam, True)),
                  tuple({"t": t, "lam": lam} for t in (1.0, 2.0, 4.0) for lam in (0, 0.1, 0.25, 0.5, 1, 2))),
        Candidate("shipped+power_prior", lambda d, t, b: shipped(d, t, prior=law_prior(d, [b, 1, 1, 1, 1])),
                  tuple({"t": t, "b": b} for t in (1.0, 2.0, 4.0) for b in (1, 2, 4, 8, 16))),
        Candidate("shipped+law_prior", lambda d, t, p: shipped(d, t, prior=law_prior(d, p)),
                  tuple({"t": t, "p": p} for t in (1.0, 2.0, 4.0) for p in itertools.product((0.25, 1, 4), repeat=5))),
        Candidate("shipped_wmedian", lambda d, t: shipped(d, t, centre="median"), temps),
    ]


def shipped(d, t: float, scaled: bool = True, prior=None, centre: str = "mean") -> Out:
    """The package's ``auto`` (scalinglab.backtest.averaging, the five laws of sl.backtest) on
    the cached fits: average+c+noise+relaxed+ill without bnsl, by the package's own code. With
    ``scaled``, its unit is the scale model's (calibration.ScaleModel, fitted on the other
    families by :func:`lodo`) of the curve's inner error and the distance; without, the
    mixture's spread (the package before calibration version 2). Variants tried for issue 18
    (none shipped): ``prior`` (C, 5) multiplies the weights (a complexity penalty, a learned
    per-law prior), ``centre="median"`` takes the weighted median of the log predictions."""
    from scalinglab.backtest import averaging
    W = d.test_W > 0
    ok = np.stack([averaging.usable(law, d.laws[law]["theta"], d.laws[law]["pred"], d.train_min, d.cap, W)
                   for law in LAWS5], axis=1)
    S = np.stack([d.laws[law]["inner_relaxed"] for law in LAWS5], axis=1)
    w = averaging.weights(S, d.n_inner_held, d.noise, ok, t)
    if prior is not None:
        w = w * prior
        w = w / w.sum(axis=1, keepdims=True)
    P = np.stack([d.laws[law]["pred"] for law in LAWS5], axis=1)
    pred, unit = averaging.combine(P, np.stack([d.laws[law]["unit"] for law in LAWS5], axis=1), w)
    if centre == "median":
        pred = np.where(np.isfinite(pred), weighted_median(P, w), pred)
    law = np.array(LAWS5, object)[np.argmax(np.nan_to_num(w, nan=-1.0), axis=1)]
    ens = median_ensemble(d)
    back = np.isin(d.categories, ILL_BEHAVED) | ~np.all(np.isfinite(pred) | ~W, axis=1)
    out = Out(np.where(back[:, None], ens.pred, pred), np.where(back[:, None], ens.unit, unit),
              np.where(back, "ensemble", law))
    if scaled:
        out.inner = averaging.inner_error(S, d.noise, w)
        out.distance = averaging.distance(d.test_X, d.x_last)
        out.noise = d.noise
    return out


def weighted_median(P: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Per curve and size, the weighted median of the predictions P (C, L, m) with weights w
    (C, L) (the lower one where the cumulative weight reaches exactly one half)."""
    with np.errstate(all="ignore"):
        L = np.where((np.nan_to_num(w) > 0)[:, :, None] & (P > 0), np.log(P), np.inf)
    order = np.argsort(L, axis=1)
    Ls = np.take_along_axis(L, order, axis=1)
    ws = np.take_along_axis(np.broadcast_to(np.nan_to_num(w)[:, :, None], L.shape), order, axis=1)
    cum = np.cumsum(ws, axis=1) / ws.sum(axis=1, keepdims=True)
    k = np.argmax(cum >= 0.5 - 1e-12, axis=1)
    return np.exp(np.take_along_axis(Ls, k[:, None, :], axis=1)[:, 0, :])


N_PARAMS = np.array([2, 3, 3, 5, 3])           # of LAWS5


def complexity_prior(d, lam: float, corrected: bool) -> np.ndarray:
    """exp(-λ p) per law (AIC-like), or with ``corrected`` exp(-λ p / (spare + 1)), spare the
    inner training sizes beyond the law's p parameters (AICc-like: the penalty grows as the
    inner fit nears exact determination)."""
    if not corrected:
        return np.broadcast_to(np.exp(-lam * N_PARAMS), (len(d.names), len(LAWS5)))
    spare = np.maximum((d.n_train - d.n_inner_held)[:, None] - N_PARAMS[None, :], 0)
    return np.exp(-lam * N_PARAMS[None, :] / (spare + 1))


def law_prior(d, weights) -> np.ndarray:
    """A fixed prior weight per law (LAWS5 order), the same on every curve."""
    return np.broadcast_to(np.asarray(weights, float), (len(d.names), len(LAWS5)))


def fit_scale(data: dict, outs: dict, domains) -> ScaleModel:
    """The scale model fitted on ``domains``' held-out errors (every domain weighing the same)."""
    err, inner, dist, group = [], [], [], []
    for dom in domains:
        d, o = data[dom], outs[dom]
        W = d.test_W > 0
        with np.errstate(all="ignore"):
            err.append(np.abs(np.log(o.pred) - np.log(d.test_Y))[W])
        inner.append(np.broadcast_to(o.inner[:, None], W.shape)[W])
        dist.append(o.distance[W])
        group.append(np.full(W.sum(), dom))
    return ScaleModel.fit(*(np.concatenate(v) for v in (err, inner, dist, group)))


def rescaled(outs: dict, scale: ScaleModel) -> dict:
    """Every domain's Out with its unit from ``scale`` (outs without an inner error unchanged)."""
    def unit(o):
        return scale(o.inner[:, None], o.distance, 0.0 if o.noise is None else o.noise[:, None])
    return {dom: o if o.inner is None else Out(o.pred, unit(o), o.law, o.inner, o.distance, o.noise)
            for dom, o in outs.items()}


#: Noise floors k (unit >= k σ) a scale model may get; chosen on the calibration domains.
NOISE_FLOORS = (0.0, 0.5, 1.0, 2.0, 4.0)
TARGETS = {0.8: (0.75, 0.85), 0.95: (0.90, 0.97)}


def coverage_miss(cov: dict) -> float:
    """How far a domain's coverage lies outside the issue's targets, summed over the levels."""
    return sum(max(0.0, lo - cov[lv], cov[lv] - hi) for lv, (lo, hi) in TARGETS.items())


def fit_interval(data: dict, outs: dict, domains) -> tuple[ScaleModel, dict, dict]:
    """On ``domains`` only: the scale model, its noise floor (the k of ``NOISE_FLOORS`` whose
    intervals, with quantiles from the same domains, miss the coverage targets least, summed
    over the domains; ties: the smaller k) and the quantiles. Returns (scale, quantiles, outs
    rescaled)."""
    base = fit_scale(data, outs, domains)
    best = None
    for k in NOISE_FLOORS:
        scale = base.with_noise_floor(k)
        fold = rescaled(outs, scale)
        q = {lv: weighted_quantile([z_values(data[t], fold[t]) for t in domains], lv) for lv in LEVELS}
        miss = sum(coverage_miss(coverage(data[t], fold[t], q)) for t in domains)
        if best is None or miss < best[0] - 1e-12:
            best = (miss, scale, q, fold)
    return best[1], best[2], best[3]


def _objective(ratios: list[float]) -> float:
    return float(np.exp(np.mean(np.log(ratios))))


def pooled(cands: list[Candidate], name: str = "lodo_choice") -> Candidate:
    """One candidate whose settings are every (candidate, setting) pair: LODO then chooses the
    rule itself, not only its settings, on the other families (so that picking the best rule
    after seeing every domain is not mistaken for a held-out result)."""
    grid = tuple({"rule": i, "setting": j} for i, c in enumerate(cands) for j in range(len(c.grid)))
    return Candidate(name, lambda d, rule, setting: cands[rule].make(d, **cands[rule].grid[setting]), grid,
                     tuple(cands))


def lodo(data: dict, cands: list[Candidate] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-domain table, per-candidate summary). Settings and interval quantiles of each
    held-out family are chosen on the other families."""
    cands = candidates() if cands is None else cands
    best = {dom: best_law(d) for dom, d in data.items()}
    families = sorted({d.family for d in data.values()})
    rows = []
    made = {}                                   # (candidate name, setting) -> {domain: Out}
    for cand in cands:
        # every setting's forecast on every domain (cheap), then LODO choice
        if cand.base:
            outs = {i: made[(cand.base[s["rule"]].name, s["setting"])] for i, s in enumerate(cand.grid)}
        else:
            outs = {i: {dom: cand.make(d, **s) for dom, d in data.items()} for i, s in enumerate(cand.grid)}
            made.update({(cand.name, i): o for i, o in outs.items()})
        med = {i: {dom: float(np.nanmedian(scores(data[dom], o))) for dom, o in per.items()}
               for i, per in outs.items()}
        for fam in families:
            held = [dom for dom, d in data.items() if d.family == fam]
            train = [dom for dom in data if dom not in held]
            i_best = min(outs, key=lambda i: _objective([med[i][t] / best[t][1] for t in train]))
            fold = outs[i_best]
            scale = None
            if any(fold[t].inner is not None for t in train):
                scale, q, fold = fit_interval(data, fold, train)
            else:
                q = {lv: weighted_quantile([z_values(data[t], fold[t]) for t in train], lv) for lv in LEVELS}
            for dom in held:
                d, o = data[dom], fold[dom]
                s = scores(d, o)
                cov = coverage(d, o, q)
                rows.append({"candidate": cand.name, "domain": dom, "curves": len(d.names),
                             "setting": describe(cand, cand.grid[i_best]),
                             "median": float(np.nanmedian(s)), "best_law": best[dom][0], "best": best[dom][1],
                             "ratio": float(np.nanmedian(s)) / best[dom][1], "failures": int(np.isnan(s).sum()),
                             "q80": q[0.8], "q95": q[0.95], "cov80": cov[0.8], "cov95": cov[0.95],
                             "above95": cov["above0.95"],
                             "scale": "-" if scale is None else " ".join(f"{v:.2f}" for v in scale.to_dict().values()),
                             "scores": s})
    table = pd.DataFrame(rows)
    summary = []
    for cand, g in table.groupby("candidate", sort=False):
        pooled = np.concatenate(g["scores"].to_list())
        pooled_best = pooled_best_law(data)
        summary.append({"candidate": cand, "geo_ratio": _objective(g["ratio"].to_list()),
                        "max_ratio": g["ratio"].max(), "pooled": float(np.nanmedian(pooled)),
                        "pooled_ratio": float(np.nanmedian(pooled)) / pooled_best[1],
                        "cov80_range": f"{g['cov80'].min():.0%}-{g['cov80'].max():.0%}",
                        "cov95_range": f"{g['cov95'].min():.0%}-{g['cov95'].max():.0%}",
                        "failures": int(g["failures"].sum())})
    return table.drop(columns="scores"), pd.DataFrame(summary).set_index("candidate")


def pooled_best_law(data) -> tuple[str, float]:
    med = {}
    for law in LAWS:
        s = np.concatenate([scores(d, law_out(d, law)) for d in data.values()])
        if np.isnan(s).any():
            continue
        med[law] = float(np.median(s))
    law = min(med, key=med.get)
    return law, med[law]


def describe(cand: Candidate, setting: dict) -> str:
    if cand.base:
        inner = cand.base[setting["rule"]]
        return inner.name + "(" + ",".join(f"{k}={v}" for k, v in inner.grid[setting["setting"]].items()) + ")"
    return ",".join(f"{k}={v}" for k, v in setting.items()) or "-"


#: The rule the package ships (chosen after this comparison; ``lodo_choice`` shows what a
#: choice made on the other families only gives).
DEFAULT = "shipped"
BEFORE = ("today_auto", "ensemble", "shipped_spread")


def markdown(table: pd.DataFrame, methods) -> str:
    cols = ["domain", "curves", "best law", "best"] + [f"{m}" for m in methods] + \
        [f"{m} cov80/95" for m in methods]
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for dom, g in table.groupby("domain", sort=False):
        g = g.set_index("candidate")
        first = g.iloc[0]
        cells = [dom, str(first["curves"]), first["best_law"], f"{first['best']:.3f}"]
        cells += [f"{g.loc[m, 'median']:.3f} ({g.loc[m, 'ratio']:.2f}×)" for m in methods]
        cells += [f"{g.loc[m, 'cov80']:.0%} / {g.loc[m, 'cov95']:.0%}" for m in methods]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def shipped_quantiles(data: dict, name: str = DEFAULT) -> tuple[dict, dict, ScaleModel | None]:
    """The setting of candidate ``name`` chosen on every family, its scale model fitted on
    every domain (where the candidate has one) and its split-conformal quantiles from every
    domain's held-out sizes (each domain weighing the same): what the package ships (the LODO
    table shows how such a choice does on a family it has not seen)."""
    cand = next(c for c in candidates() if c.name == name)
    best = {dom: best_law(d) for dom, d in data.items()}
    outs = [{dom: cand.make(d, **s) for dom, d in data.items()} for s in cand.grid]
    meds = [{dom: float(np.nanmedian(scores(data[dom], o[dom]))) for dom in data} for o in outs]
    i = min(range(len(outs)), key=lambda j: _objective([meds[j][t] / best[t][1] for t in data]))
    chosen = outs[i]
    if any(o.inner is not None for o in chosen.values()):
        scale, q, _ = fit_interval(data, chosen, list(data))
        return cand.grid[i], q, scale
    return cand.grid[i], {lv: weighted_quantile([z_values(data[t], chosen[t]) for t in data], lv) for lv in LEVELS}, None


def write_calibration(data: dict, path, lcdb_limit) -> None:
    """Replace the quantiles (and the scale model) of method ``auto`` in the calibration file at
    ``path`` by those of :func:`shipped_quantiles` (the other methods' quantiles are kept), with
    their source; the file's version becomes the package's ``calibration.VERSION``."""
    import json
    from pathlib import Path
    from scalinglab.backtest.calibration import VERSION
    setting, q, scale = shipped_quantiles(data)
    table = json.loads(Path(path).read_text())
    table["quantiles"]["auto"] = {str(k): v for k, v in q.items()}
    table.setdefault("scales", {}).pop("auto", None)
    if scale is not None:
        table["scales"]["auto"] = scale.to_dict()
    n = ", ".join(f"{dom} {len(d.names)}" for dom, d in data.items())
    table["source"] = table["source"].split("; method auto")[0] + (
        f"; method auto ({DEFAULT}, {setting}; unit {'from the scale model' if scale else 'the mixture spread'}): "
        f"every domain of the suite weighing the same ({n}; LCDB: {'all' if lcdb_limit is None else lcdb_limit} "
        "curves of its evaluation half, seed 0, n_boot 50), benchmarks/extrapolation_domains.py --lodo "
        "--write-calibration")
    table = {"version": VERSION, **{k: v for k, v in table.items() if k != "version"}}
    Path(path).write_text(json.dumps(table, indent=1) + "\n")
    print(f"wrote {path}: auto {q} ({setting}), scale {scale}")


def main(domains, *, lcdb_limit: int | None, n_boot: int, n_jobs: int, calibration_path=None) -> None:
    import time
    import lodo_cache
    t0 = time.perf_counter()
    data = lodo_cache.load(domains, lcdb_limit=lcdb_limit, n_boot=n_boot, n_jobs=n_jobs)
    t1 = time.perf_counter()
    print(f"forecasts of {len(LAWS)} laws on {sum(len(d.names) for d in data.values())} curves "
          f"({', '.join(f'{k} {len(d.names)}' for k, d in data.items())}; LCDB: "
          f"{'all' if lcdb_limit is None else lcdb_limit} curves of its evaluation half, seed 0): "
          f"{t1 - t0:.1f} s (from the cache where present)")
    base = candidates()
    cands = base + [pooled(base)]
    table, summary = lodo(data, cands)
    pd.set_option("display.width", 250)
    fmt = lambda v: f"{v:.3f}"                                                 # noqa: E731
    print("\nEvery candidate, leave-one-family-out (settings and interval quantiles chosen on the other families):")
    print(summary.to_string(float_format=fmt))
    shown = list(BEFORE) + [DEFAULT, "lodo_choice"]
    print("\nPer domain:")
    cols = ["candidate", "domain", "curves", "setting", "median", "best_law", "best", "ratio", "failures",
            "q80", "q95", "cov80", "cov95", "above95", "scale"]
    print(table[table["candidate"].isin(shown)][cols].to_string(index=False, float_format=fmt))
    pb = pooled_best_law(data)
    print(f"\npooled best single law: {pb[0]} (median {pb[1]:.3f}); "
          + "; ".join(f"{m} {summary.loc[m, 'pooled']:.3f} ({summary.loc[m, 'pooled_ratio']:.2f}×)" for m in shown))
    print("\n" + markdown(table[table["candidate"].isin(shown)], shown))
    print(f"\nLODO comparison {time.perf_counter() - t1:.1f} s; total {time.perf_counter() - t0:.1f} s")
    if calibration_path is not None:
        write_calibration(data, calibration_path, lcdb_limit)
