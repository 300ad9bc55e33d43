"""Fuzz the core numeric API (curves -> fit -> bootstrap -> predict -> extrapolate/backtest ->
plan -> FIT.json) and count, per category, what each generated case ends in:

* ``ok``: an answer that passed the case's checks;
* ``refused``: a ``ScalingLabError`` (a clear refusal; counted, not a failure);
* ``traceback``: any other exception (a crash);
* ``silent-wrong``: an answer that fails a check (NaN in an answer, an interval that excludes
  its estimate or has zero width, a forecast that is not scale-equivariant, an answer that
  changes when the rows are permuted, an option that was dropped, a metric reported in the
  wrong direction or outside its bounds, a corrupted FIT.json accepted, invalid JSON, ...);
* ``hang``: no answer within ``--timeout`` seconds.

Every case is seeded by (``--seed``, its number), so a run is reproducible and a failing case
can be replayed with ``--only N``. The checks use only the public API that existed before
issue 15 (a curve carries its own direction), so the same script measures old and new code:

    OMP_NUM_THREADS=1 python scripts/fuzz_api.py --cases 2000
    OMP_NUM_THREADS=1 PYTHONPATH=/tmp/old/src python scripts/fuzz_api.py --cases 2000   # an old tree
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import signal
import sys
import time
import traceback
import warnings

import numpy as np

import scalinglab as sl


class SilentWrong(Exception):
    """An answer came back, but it is wrong (the message says how)."""


class Hang(Exception):
    pass


def check(condition, reason: str) -> None:
    if not condition:
        raise SilentWrong(reason)


# -- generators --------------------------------------------------------------------------------
SCALES = (1e-7, 1e-5, 1e-3, 1.0, 1e3)


def sizes(rng, k=None) -> np.ndarray:
    k = int(rng.integers(4, 12)) if k is None else k
    lo = 10 ** rng.uniform(1, 3)
    return np.unique(np.round(lo * np.geomspace(1, 10 ** rng.uniform(1.2, 3), k)))


def truth(rng, x, scale=1.0):
    b = rng.uniform(0.2, 0.8)
    a = rng.uniform(0.5, 3.0) * x.min() ** b
    c = rng.choice([0.0, rng.uniform(0.01, 0.2)])
    return scale * (a * x ** -b + c)


def noisy_curve(rng, *, scale=None, replicates=None, zeros=0, nan=0, bounded=False, **kw):
    x = sizes(rng)
    scale = float(rng.choice(SCALES)) if scale is None else scale
    reps = int(rng.integers(1, 4)) if replicates is None else replicates
    xs = np.repeat(x, reps)
    mean = truth(rng, xs, 1.0)
    if bounded:
        mean = mean / mean.max() * rng.uniform(0.3, 0.9)
    y = mean * np.exp(rng.normal(0, 0.03, len(xs)))
    if not bounded:
        y = y * scale
    seed = np.tile(np.arange(reps), len(x))
    for _ in range(zeros):
        y[rng.integers(len(y))] = 0.0
    for _ in range(nan):
        y[rng.integers(len(y))] = np.nan
    return xs, y, seed


def permuted(curve: sl.Curve, rng) -> sl.Curve:
    p = rng.permutation(curve.n)
    pick = (lambda a: None if a is None else np.asarray(a)[p])
    return sl.Curve(curve.x[p], _values(curve)[p], w=pick(curve.w), seed=pick(curve.seed),
                    group=pick(curve.group), metric=curve.metric, x_names=curve.x_names,
                    **_direction(curve))


def _values(curve):
    """The metric as the user gave it (new code keeps it; old code only has the fitted y)."""
    return np.asarray(getattr(curve, "values", curve.y))


def _direction(curve):
    if getattr(curve, "values", None) is not None:
        out = {"higher_is_better": curve.higher_is_better}
        if hasattr(curve, "bounds"):
            out["bounds"] = curve.bounds
        return out
    return {}


def finite(*values) -> bool:
    return all(np.all(np.isfinite(np.asarray(v, float))) for v in values)


def same(a, b, rtol=1e-6) -> bool:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and bool(np.all((a == b) | np.isclose(a, b, rtol=rtol, atol=0)))


# -- categories ---------------------------------------------------------------------------------
def case_curve(rng):
    """Curve construction from awkward columns."""
    n = int(rng.integers(0, 8))
    x = rng.choice([1.0, 10.0, 100.0, 0.0, -5.0, np.nan, np.inf, 1e300], size=n, p=[.3, .3, .25, .03, .03, .03, .03, .03])
    y = rng.choice([0.1, 0.5, 0.9, 0.0, 1.0, -0.2, 1.5, np.nan, np.inf], size=n, p=[.25, .25, .2, .06, .06, .05, .05, .05, .03])
    kind = rng.integers(6)
    kw = {}
    if kind == 1:
        y = y[: max(n - 1, 0)]
    elif kind == 2:
        y = np.array([str(v) for v in y], dtype=object)
        if n:
            y[0] = "oops"
    elif kind == 3:
        kw = {"higher_is_better": True, "metric": "accuracy"}
    elif kind == 4:
        kw = {"w": rng.choice([1.0, -1.0, np.nan], size=n)}
    elif kind == 5:
        x = np.c_[x, x]
    curve = sl.Curve(x, y, **kw)
    check(finite(curve.x) and np.all(curve.x > 0), "a curve with a size that is not > 0 and finite")
    check(finite(curve.y), "a curve with a non-finite value")
    if kw.get("higher_is_better"):
        check(curve.metric == "accuracy", f"accuracy renamed to {curve.metric!r}")


LAWS_1D = ("power", "power_floor", "m3", "m4", "exp_floor", "bnsl")


def case_fit(rng):
    """fit with every law and option, on curves of any scale; fixed/p0/prior must be applied."""
    xs, y, seed = noisy_curve(rng, zeros=int(rng.random() < 0.15))
    curve = sl.Curve(xs, y, seed=seed)
    law = str(rng.choice(LAWS_1D + ("auto",)))
    kw = {}
    if rng.random() < 0.3:
        kw["loss"] = str(rng.choice(["huber", "squared", "l1"]))
    if rng.random() < 0.2:
        kw["delta"] = float(rng.choice([1e-8, 1e-3, 0.1, 0.0, -1.0, np.nan]))
    if rng.random() < 0.2:
        kw["space"] = str(rng.choice(["log", "linear"]))
    option = rng.integers(5)
    fixed_name = None
    if option == 1:
        fixed_name = "b"
        kw["fixed"] = {"b": 0.5}
    elif option == 2:
        kw["p0"] = {"a": 1.0, "b": 0.5, "c": 0.0}
    elif option == 3:
        kw["prior"] = {"b": (0.5, 0.1)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sl.fit(curve, law=law, **kw)
    check(finite(res.theta[np.isfinite(res.theta) | np.isnan(res.theta)]), "NaN parameter")
    check(np.isfinite(res.objective), "non-finite objective")
    if fixed_name and fixed_name in res.params:
        check(res.params[fixed_name] == 0.5, f"fixed={kw['fixed']} dropped ({res.law.name} b = {res.params['b']:.4g})")
    elif fixed_name:
        raise SilentWrong(f"fixed={kw['fixed']} ignored: {res.law.name} has no parameter b")
    if "prior" in kw:
        check(res.prior, f"prior={kw['prior']} dropped by law={law!r}")
    if "p0" in kw and law == "auto":
        check(res.law.name == "power_floor" or res.selection is None or "p0" in str(res.selection_reason),
              "p0 dropped by law='auto'")
    # row order: a permutation of the rows gives the same fit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        other = sl.fit(permuted(curve, rng), law=law, **kw)
    check(other.law.name == res.law.name and same(other.theta, res.theta, 1e-6),
          "row order changes the fit")


def case_huber(rng):
    """A converged=True flag must mean the objective cannot be lowered (scipy on the same objective)."""
    from scipy import optimize
    from scalinglab.fitting.problem import Problem
    xs, y, seed = noisy_curve(rng, scale=1.0, replicates=int(rng.integers(1, 3)))
    delta = float(rng.choice([1e-9, 1e-7, 1e-5, 1e-3]))
    law = str(rng.choice(["power", "power_floor"]))
    curve = sl.Curve(xs, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sl.fit(curve, law=law, delta=delta)
    if not res.converged:
        return
    problem = Problem.build(res.law, curve.canonical(), loss="huber", delta=delta, space="log")
    u0 = problem.to_u(res.theta[None])[0]
    inside = lambda u: np.clip(u, problem.lo, problem.hi)          # noqa: E731 - the same bounds as the fit
    fun = lambda u: float(problem.objective(inside(u)[None])[0])   # noqa: E731
    best = fun(u0)
    bounds = list(zip(np.where(np.isfinite(problem.lo), problem.lo, None), np.where(np.isfinite(problem.hi), problem.hi, None)))
    for method, opts in (("Nelder-Mead", {"xatol": 1e-12, "fatol": 1e-16, "maxiter": 4000}),
                         ("Powell", {"xtol": 1e-12, "ftol": 1e-16, "maxiter": 4000})):
        out = optimize.minimize(fun, u0, method=method, options=opts,
                                bounds=bounds if method == "Powell" else None)
        best = min(best, fun(out.x))
    gap = (res.objective - best) / max(abs(res.objective), 1e-300)
    check(gap <= 1e-6, f"converged=True but scipy lowers the objective by {gap:.2g} (delta={delta:g})")


def case_bootstrap(rng):
    """bootstrap: zero-width / degenerate intervals, seed policy, row order."""
    reps = int(rng.choice([1, 2, 3, 5]))
    xs, y, seed = noisy_curve(rng, scale=1.0, replicates=reps)
    curve = sl.Curve(xs, y, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sl.fit(curve, law="power_floor")
        n = int(rng.choice([0, 1, 2, 3, 5, 20, 60, 250]))
        by = str(rng.choice(["point", "seed", "group"]))
        boot = res.bootstrap(n, by=by, seed=1)
        draws = boot.draws
        check(draws is not None and len(draws) > 0, "bootstrap returned no draws without refusing")
        lo, hi = boot.interval("b", 0.95)
        check(lo <= res.params["b"] <= hi, f"95% interval {lo:.4g}-{hi:.4g} excludes the estimate "
                                           f"{res.params['b']:.4g} ({n} resamples by {by})")
        check(hi > lo, f"zero-width 95% interval from {n} resamples by {by}")
        if by == "seed":
            n_seeds = len(np.unique(seed))
            distinct = math.comb(2 * n_seeds - 1, n_seeds)
            check(distinct >= 100, f"seed bootstrap with {n_seeds} seeds ({distinct} distinct resamples) used silently")
        other = sl.fit(permuted(curve, rng), law="power_floor").bootstrap(n, by=by, seed=1)
    check(same(other.interval("b", 0.95), (lo, hi), 1e-6), "row order changes the bootstrap interval")


def case_predict(rng):
    """predict at awkward sizes; with interval= after a bootstrap."""
    xs, y, _ = noisy_curve(rng, replicates=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sl.fit(sl.Curve(xs, y), law=str(rng.choice(LAWS_1D)))
    at = rng.choice([1.0, 1e3, 1e9, 0.0, -1.0, np.nan, np.inf, 1e308], size=int(rng.integers(1, 4)))
    out = res.predict(at)
    check(finite(out) and np.all(out >= 0), f"predict({at.tolist()}) -> {np.asarray(out).tolist()}")
    if rng.random() < 0.3:
        band = res.bootstrap(30, seed=0).predict(at, interval=0.8)
        check(finite(band.lo, band.hi), "non-finite band")


def _extrapolate_checks(curve, table, scaled=None, factor=1.0):
    pred, lo, hi = (table[c].to_numpy() for c in ("prediction", "lo80", "hi80"))
    check(finite(pred, lo, hi), "non-finite forecast or interval")
    check(np.all((lo <= pred) & (pred <= hi)), "80% interval excludes the forecast")
    check(np.all(table["lo95"] <= lo) and np.all(hi <= table["hi95"]), "95% interval inside the 80% one")
    if scaled is not None:
        check(same(scaled["prediction"], factor * pred, 1e-4),
              f"forecast not scale-equivariant (x{factor:g}: {scaled['prediction'].iloc[0]:.4g} vs "
              f"{factor * pred[0]:.4g})")
        check(same(scaled["hi95"], factor * table["hi95"], 1e-4), "interval not scale-equivariant")


def case_extrapolate(rng):
    """sl.extrapolate on curves of any scale, with zeros, replicates and bounded metrics."""
    kind = rng.integers(4)
    at = [float(rng.choice([2.0, 5.0, 10.0]))]
    if kind == 0:           # scale: the same curve at two scales must give proportional answers
        xs, y, _ = noisy_curve(rng, scale=1.0, replicates=int(rng.integers(1, 3)))
        factor = float(rng.choice([1e-6, 1e-4, 1e-2, 1e2]))
        at = [xs.max() * at[0]]
        base = sl.extrapolate(sl.Curve(xs, y), at, n_boot=20)
        scaled = sl.extrapolate(sl.Curve(xs, factor * y), at, n_boot=20)
        _extrapolate_checks(None, base, scaled, factor)
    elif kind == 1:         # an error rate: forecasts and intervals inside [0, 1]
        xs, y, _ = noisy_curve(rng, bounded=True, replicates=1)
        y = np.minimum(y * rng.uniform(1, 2.5), 1.0)
        table = sl.extrapolate(sl.Curve(xs, y, metric="error"), [xs.max() * at[0]], n_boot=20)
        _extrapolate_checks(None, table)
        check(np.all(table[["lo95", "hi95"]].to_numpy() <= 1) and np.all(table[["lo95", "hi95"]].to_numpy() >= 0),
              f"error-rate interval outside [0, 1]: {table['lo95'].iloc[0]:.3g}-{table['hi95'].iloc[0]:.3g}")
    elif kind == 2:         # an accuracy: reported as accuracy, rising, inside [0, 1]
        xs, err, _ = noisy_curve(rng, bounded=True, replicates=1)
        acc = 1 - err
        table = sl.extrapolate(sl.Curve(xs, acc, metric="accuracy", higher_is_better=True),
                               [xs.max() * at[0]], n_boot=20)
        pred = float(table["prediction"].iloc[0])
        check(pred >= acc[np.argmax(xs)] - 0.1, f"accuracy forecast {pred:.3g} reported as error "
                                                f"(last accuracy {acc[np.argmax(xs)]:.3g})")
        check(0 <= table["lo95"].iloc[0] <= table["hi95"].iloc[0] <= 1, "accuracy interval outside [0, 1]")
    else:                   # zeros and replicates
        xs, y, seed = noisy_curve(rng, scale=float(rng.choice(SCALES)), replicates=int(rng.integers(1, 4)),
                                  zeros=int(rng.integers(1, 3)))
        table = sl.extrapolate(sl.Curve(xs, y, seed=seed), [xs.max() * at[0]], n_boot=20)
        _extrapolate_checks(None, table)
        positive = y[y > 0]
        check(table["prediction"].iloc[0] <= 10 * positive.max(), "forecast far above every measurement")


def case_backtest(rng):
    """backtest.run on tiny suites: scale-invariant scores, no NaN."""
    curves, scaled = {}, {}
    factor = float(rng.choice([1e-6, 1e-3, 1.0]))
    for i in range(int(rng.integers(1, 3))):
        x = np.unique(np.round(np.geomspace(20, 20 * 10 ** rng.uniform(1.5, 3), int(rng.integers(5, 9)))))
        y = truth(rng, x) * np.exp(rng.normal(0, 0.02, len(x)))
        curves[f"c{i}"] = sl.Curve(x, y)
        scaled[f"c{i}"] = sl.Curve(x, factor * y)
    a = sl.backtest.run(curves, n_boot=10)
    b = sl.backtest.run(scaled, n_boot=10)
    ok = ~a.rows["failed"]
    check(not a.rows.loc[ok, ["score", "rmse"]].isna().any().any(), "NaN score on a curve that did not fail")
    check(same(a.rows["score"].fillna(-1), b.rows["score"].fillna(-1), 1e-3),
          f"backtest scores change when the metric is scaled by {factor:g}")


def _fit_with_draws(rng, *, accuracy=False):
    xs, y, seed = noisy_curve(rng, scale=1.0, replicates=1, bounded=accuracy)
    if accuracy:
        curve = sl.Curve(xs, 1 - y, metric="accuracy", higher_is_better=True)
    else:
        curve = sl.Curve(xs, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sl.fit(curve, law=str(rng.choice(["power", "power_floor", "m3"]))).bootstrap(60, seed=0)


def case_plan(rng):
    """plan answers on fits of error and of accuracy curves, with awkward targets/options."""
    accuracy = rng.random() < 0.4
    res = _fit_with_draws(rng, accuracy=accuracy)
    now = float(res.predict([res.curve.x.max()])[0])
    which = rng.integers(5)
    if which == 0:
        target = float(rng.choice([now * 0.8, now * 1.02 if accuracy else now * 0.5, 0.0, -1.0, np.nan, 2.0]))
        est = sl.plan.data_for(res, target)
        check(est.n > 0 and not np.isnan(est.n), f"data_for: n = {est.n}")
        check(est.interval[0] <= est.interval[1], "data_for interval reversed")
        check("nan" not in str(est).lower(), "NaN in the sentence")
        if accuracy:
            check("accuracy" in str(est), f"accuracy target answered as {est.metric!r}")
    elif which == 1:
        factor = float(rng.choice([2.0, 10.0, 0.5, 0.0, -3.0, np.inf]))
        g = sl.plan.gain(res, factor=factor)
        check(finite(g.metric_new, *g.metric_new_interval), "non-finite gain")
        lo, hi = g.metric_new_interval
        check(lo <= g.metric_new <= hi or abs(hi - lo) < 1e-12, "gain interval excludes its estimate")
        if accuracy:
            more = g.metric_new >= g.metric_now - 1e-12 if factor >= 1 else g.metric_new <= g.metric_now + 1e-12
            check(g.metric == "accuracy" and more,          # less data (factor 0.5) may lower accuracy
                  f"accuracy gain reported as {g.metric!r}: {g.metric_now:.4g} -> {g.metric_new:.4g}")
    elif which == 2:
        r = sl.plan.regime(res)
        check(np.isfinite(r.slope) and np.isfinite(r.gap_in_noise) or r.gap_in_noise == np.inf, "NaN in regime")
        if accuracy:
            check(r.metric == "accuracy", f"regime reports {r.metric!r}")
    elif which == 3:
        e = sl.plan.economics(res, float(rng.choice([1e-3, 1.0, 0.0, -1.0])), float(rng.choice([1e3, 1e6, np.nan])))
        check(np.isfinite(e.best_size) and e.best_size > 0, "economics: best size not positive")
        check("nan" not in str(e).lower(), "NaN in the economics sentence")
    else:
        t = sl.plan.next_tranche(res, target=float(rng.choice([now * 0.9, now * 1.01 if accuracy else now * 0.3])),
                                 step=float(rng.choice([2.0, 1.0, 0.5])))
        check(t.size > 0 and np.isfinite(t.size), "next_tranche: size not positive")


def _strict_json(text: str):
    def bad(token):
        raise ValueError(f"bare {token} in JSON")
    return json.loads(text, parse_constant=bad)


MUTATIONS = ("nan_param", "neg_param", "inf_param", "str_param", "nan_draw", "neg_draw", "missing_key",
             "truncated", "wrong_type_draws", "nan_curve", "bad_law", "bool_param", "nested")


def case_json(rng):
    """to_json must be valid JSON and round-trip exactly; corrupted FIT.json must be refused."""
    res = _fit_with_draws(rng)
    text = res.to_json()
    try:
        data = _strict_json(text)
    except ValueError as exc:
        raise SilentWrong(f"to_json writes invalid JSON ({exc})") from None
    back = sl.FitResult.from_json(text)
    check(same(back.theta, res.theta, 0) and same(back.draws, res.draws, 0), "JSON round trip is not exact")
    mutation = str(rng.choice(MUTATIONS))
    p = list(data["params"])[0]
    if mutation == "nan_param":
        data["params"][p] = float("nan")
    elif mutation == "neg_param":
        data["params"][p] = -abs(data["params"][p]) - 1.0
    elif mutation == "inf_param":
        data["params"][p] = float("inf")
    elif mutation == "str_param":
        data["params"][p] = "abc"
    elif mutation == "nan_draw":
        data["draws"][0][0] = float("nan")
    elif mutation == "neg_draw":
        data["draws"][0][0] = -5.0
    elif mutation == "missing_key":
        del data[str(rng.choice(["params", "curve", "law", "objective", "draws"]))]
    elif mutation == "wrong_type_draws":
        data["draws"] = "none"
    elif mutation == "nan_curve":
        data["curve"]["y"][0] = float("nan")
    elif mutation == "bad_law":
        data["law"]["name"] = "nope"
    elif mutation == "bool_param":
        data["params"][p] = True
    elif mutation == "nested":
        data["params"] = {"a": {"b": [1]}}
    corrupt = json.dumps(data, allow_nan=True)
    if mutation == "truncated":
        corrupt = text[: int(len(text) * rng.uniform(0.1, 0.9))]
    try:
        loaded = sl.FitResult.from_json(corrupt)
    except sl.ScalingLabError:
        return
    if mutation == "missing_key" and "draws" not in data:
        return                                                   # no draws is a valid result
    answer = str(sl.plan.gain(loaded, factor=10)) + str(sl.plan.data_for(loaded, float(loaded.curve.y.min()) * 0.9))
    raise SilentWrong(f"corrupted FIT.json ({mutation}) accepted; plan says: {answer[:90]}")


def case_large(rng):
    """Many replicates: must finish (the timeout counts a hang)."""
    n = int(rng.choice([20_000, 100_000]))
    x = np.repeat(np.geomspace(100, 1e5, 10), n // 10)
    y = 2 * x ** -0.4 * np.exp(rng.normal(0, 0.05, len(x)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sl.fit(sl.Curve(x, y), law=str(rng.choice(["power_floor", "m3"])))
    check(abs(res.params.get("b", res.params.get("c", 0.4)) - 0.4) < 0.1 or res.law.name == "m3", "wrong exponent")


#: category -> (case, share of the cases); cheap categories get more cases
CATEGORIES = {"curve": (case_curve, 10), "fit": (case_fit, 3), "huber": (case_huber, 1),
              "bootstrap": (case_bootstrap, 3), "predict": (case_predict, 3), "extrapolate": (case_extrapolate, 1.5),
              "backtest": (case_backtest, 0.5), "plan": (case_plan, 4), "json": (case_json, 5),
              "large": (case_large, 0.05)}


def schedule(cases: int, seed: int) -> list[str]:
    names = list(CATEGORIES)
    weights = np.array([CATEGORIES[n][1] for n in names], float)
    rng = np.random.default_rng([seed, 10**6])
    return list(rng.choice(names, size=cases, p=weights / weights.sum()))


def _alarm(signum, frame):
    raise Hang()


def run_case(name: str, i: int, seed: int, timeout: float):
    rng = np.random.default_rng([seed, i])
    fn = CATEGORIES[name][0]
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(rng)
        return "ok", ""
    except Hang:
        return "hang", f"> {timeout:g} s"
    except SilentWrong as exc:
        return "silent-wrong", str(exc)
    except sl.ScalingLabError as exc:
        return "refused", str(exc)[:100]
    except Exception as exc:                                        # noqa: BLE001 - what we count
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        return "traceback", f"{type(exc).__name__}: {str(exc)[:80]} ({tb.filename.split('/')[-1]}:{tb.lineno})"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per case before it counts as a hang")
    ap.add_argument("--only", type=int, default=None, help="replay case number N and print its traceback")
    ap.add_argument("--category", default=None, help="run only this category")
    ap.add_argument("--json", default=None, help="write the counts and reasons to this file")
    ap.add_argument("--show", type=int, default=4, help="reasons shown per category and outcome")
    args = ap.parse_args(argv)
    plan = schedule(args.cases, args.seed)
    if args.only is not None:
        name = plan[args.only]
        print(name, run_case(name, args.only, args.seed, args.timeout))
        rng = np.random.default_rng([args.seed, args.only])
        CATEGORIES[name][0](rng)
        return 0
    counts = collections.defaultdict(collections.Counter)
    spent = collections.Counter()
    reasons = collections.defaultdict(collections.Counter)
    examples = {}
    t0 = time.perf_counter()
    for i, name in enumerate(plan):
        if args.category and name != args.category:
            continue
        t_case = time.perf_counter()
        outcome, why = run_case(name, i, args.seed, args.timeout)
        spent[name] += time.perf_counter() - t_case
        counts[name][outcome] += 1
        if outcome in ("traceback", "silent-wrong", "hang"):
            reasons[(name, outcome)][why] += 1
            examples.setdefault((name, outcome, why), i)
    seconds = time.perf_counter() - t0
    outcomes = ("ok", "refused", "traceback", "silent-wrong", "hang")
    print(f"{'category':<12}" + "".join(f"{o:>14}" for o in outcomes) + f"{'cases':>8}{'s/case':>8}")
    total = collections.Counter()
    for name in CATEGORIES:
        if name not in counts:
            continue
        total.update(counts[name])
        k = sum(counts[name].values())
        print(f"{name:<12}" + "".join(f"{counts[name][o]:>14}" for o in outcomes) + f"{k:>8}{spent[name] / k:>8.2f}")
    print(f"{'all':<12}" + "".join(f"{total[o]:>14}" for o in outcomes) + f"{sum(total.values()):>8}")
    print(f"\n{sum(total.values())} cases in {seconds:.0f} s (seed {args.seed})")
    for (name, outcome), counter in sorted(reasons.items()):
        print(f"\n{name} / {outcome}:")
        for why, k in counter.most_common(args.show):
            print(f"  {k:4d} x {why}   [e.g. --only {examples[(name, outcome, why)]}]")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"seed": args.seed, "cases": args.cases, "seconds": seconds,
                       "counts": {k: dict(v) for k, v in counts.items()},
                       "reasons": {f"{k[0]}/{k[1]}": dict(v) for k, v in reasons.items()}}, fh, indent=1)
    bad = total["traceback"] + total["silent-wrong"] + total["hang"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
