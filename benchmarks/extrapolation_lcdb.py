"""Extrapolation benchmark on LCDB 1.0 learning curves (Mohr, van Rijn et al. 2022; MIT).

Data: the `lcdb` 0.1.0 source distribution from the package index (~68 MB, fetched once by
benchmarks/curves/lcdb.py into ~/.cache/scalinglab/lcdb, never into the repo);
`database-accuracy.csv` is reduced once to per (dataset, learner, size) mean validation error,
its standard deviation over seeds and the number of seeds (a compressed .npz, ~1 MB).
Then `scalinglab.backtest.evaluate` on every (dataset, learner) curve: fit on the first half of
the sizes (at least 4), predict the rest; prints method × median, mean, win rate, coverage,
failures, the medians per curve category, auto's head-to-head record, and the wall time of
the fits (all laws, with auto's inner backtest) and of the bootstrap intervals.

The datasets are split in two halves (by OpenML id, seed 0): `--calibrate` backtests the
first half and writes the interval calibration shipped with the package
(src/scalinglab/backtest/calibration.json; every method but `auto`, the default forecast,
whose quantiles come from every domain: `extrapolation_domains.py --lodo --write-calibration`);
the default scores the other half, so the coverage reported is out of sample. `--split all`
runs every curve (for timing).
`--baseline N` times a per-curve scipy.optimize.least_squares loop doing the same fits on N
curves (each law on the training part and on auto's inner training part, from the 4 best
grid starts, as ours) and prints its projected time for the whole suite against ours.

Run: python benchmarks/extrapolation_lcdb.py [--split eval|calib|all] [--calibrate]
        [--n-jobs 2] [--n-boot 50] [--limit N] [--baseline 300]
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import scalinglab as sl
from _data import machine_load, peak_rss_mb
from curves import lcdb
from scalinglab.backtest import SizeStats, calibration as cal
from scalinglab.backtest.protocol import split as split_at

CALIBRATION = Path(__file__).resolve().parents[1] / "src" / "scalinglab" / "backtest" / "calibration.json"
CACHE = lcdb.CACHE


def curves_file() -> Path:
    """Per (dataset, learner, size) mean validation error, its sd and count over seeds, reduced
    once from the cached LCDB runs (benchmarks/curves/lcdb.py fetches them)."""
    target = CACHE / "lcdb-accuracy-curves.npz"
    if target.exists():
        return target
    df = lcdb.runs()
    df["err"] = 1.0 - df["score_valid"]
    g = df.groupby(["openmlid", "learner", "size_train"])["err"].agg(["mean", "std", "count"]).reset_index()
    np.savez_compressed(target, openmlid=g["openmlid"].to_numpy(), learner=g["learner"].to_numpy().astype(str),
                        size=g["size_train"].to_numpy(float), mean=g["mean"].to_numpy(float),
                        sd=g["std"].fillna(0).to_numpy(float), count=g["count"].to_numpy(float))
    return target


def load_curves() -> dict:
    data = np.load(curves_file())
    df = pd.DataFrame({k: data[k] for k in data.files})
    return {f"{oid}/{learner}": SizeStats.from_frame(part, size="size")
            for (oid, learner), part in df.groupby(["openmlid", "learner"], sort=True)}


def split_by_dataset(curves: dict, which: str, seed: int = 0) -> dict:
    """Half of the OpenML datasets ("calib") or the other half ("eval"), or "all"."""
    keep = set(lcdb.split_by_dataset(curves, which, seed))
    return {k: v for k, v in curves.items() if k in keep}


def least_squares_baseline(suite, laws, limit):
    """The same fits, the plain way: per curve and law (training part and auto's inner
    training part), scipy least_squares (Huber, f_scale = 1e-3, log space) from the 4 best
    starts of the law's grid, the best kept. Returns seconds per curve and the share of
    fits where it reached an objective at most 1e-6 above ours."""
    from scipy.optimize import least_squares
    from scalinglab.fitting.many import fit_many
    n = min(limit, len(suite))
    sub = suite.take(np.arange(n))
    t0 = time.perf_counter()
    objectives = {}
    for law_name in laws:
        law = sl.get_law(law_name)
        lo, hi = law.bound_arrays()
        for part, stacked in (("train", sub.train), ("inner", sub.inner_train)):
            for i in range(n):
                ok = stacked.W[i] > 0
                x, y = stacked.X[i, ok], stacked.Y[i, ok]
                if len(x) < law.n_params:
                    continue
                grid = law.init_grid((x,), y)
                with np.errstate(all="ignore"):
                    f0 = np.nansum(np.abs(np.log(law._predict((x,), grid)) - np.log(y)), axis=1)
                best = np.inf
                for start in grid[np.argsort(np.where(np.isfinite(f0), f0, np.inf))[:4]]:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        try:
                            out = least_squares(lambda t: np.log(np.maximum(law.predict(x, t), 1e-300)) - np.log(y),
                                                np.clip(start, lo, hi), bounds=(lo, hi), loss="huber", f_scale=1e-3)
                            best = min(best, out.cost)     # scipy's Huber cost equals our objective
                        except ValueError:
                            pass
                objectives[(law_name, part, i)] = best
    per_curve = (time.perf_counter() - t0) / n
    ours = {}
    for law_name in laws:
        for part, stacked in (("train", sub.train), ("inner", sub.inner_train)):
            fits = fit_many(stacked, law_name)
            for i in range(n):
                if (law_name, part, i) in objectives:
                    ours[(law_name, part, i)] = fits.objective[i]
    keys = list(objectives)
    base = np.array([objectives[k] for k in keys])
    mine = np.array([ours[k] for k in keys])
    return per_curve, float(np.mean(base <= mine + 1e-6)), float(np.mean(mine <= base + 1e-6))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=("eval", "calib", "all"), default="eval")
    parser.add_argument("--calibrate", action="store_true", help="backtest the calibration half, write the table")
    parser.add_argument("--limit", type=int, default=None, help="number of curves (default: all of the split)")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--n-boot", type=int, default=50)
    parser.add_argument("--baseline", type=int, default=0, help="curves for the least_squares timing")
    args = parser.parse_args()
    curves = split_by_dataset(load_curves(), "calib" if args.calibrate else args.split)
    if args.limit:
        keys = list(curves)
        pick = np.random.default_rng(0).choice(len(keys), size=min(args.limit, len(keys)), replace=False)
        curves = {keys[i]: curves[keys[i]] for i in sorted(pick)}
    say = lambda message: print(message, file=sys.stderr, flush=True)      # noqa: E731
    # a training part that is all zeros (a perfect learner on every training size) has nothing to
    # fit in log space and sl.backtest.prepare refuses the whole suite for it: left out, counted
    perfect = [k for k, s in curves.items() if len(s.sizes) > 4 and not np.any(s.mean[:split_at(s)] > 0)]
    if perfect:
        print(f"left out {len(perfect)} curve(s) whose training sizes all have error 0 (nothing to fit in log "
              f"space): {', '.join(perfect[:3])}{' ...' if len(perfect) > 3 else ''}")
        curves = {k: v for k, v in curves.items() if k not in set(perfect)}
    t0 = time.perf_counter()
    suite = sl.backtest.prepare(curves)
    found, seconds = sl.backtest.forecasts(suite, n_boot=args.n_boot, n_jobs=args.n_jobs, progress=say)
    if args.calibrate:
        # every method but auto: the default forecast's quantiles come from every domain of the
        # suite (benchmarks/extrapolation_domains.py --lodo --write-calibration) and are kept
        kept = cal.Calibration.from_json(CALIBRATION) if CALIBRATION.exists() else cal.Calibration({})
        table = cal.calibrate({m: f for m, f in found.items() if m != "auto"}, suite.test_Y, suite.test_W,
                              source=f"LCDB 1.0, {len(suite)} curves of half of the datasets "
                                     f"(benchmarks/extrapolation_lcdb.py --calibrate, n_boot={args.n_boot})")
        auto_source = kept.source.partition("; method auto")[2]
        table = cal.Calibration(table.quantiles | ({"auto": kept.quantiles["auto"]} if "auto" in kept.quantiles else {}),
                                table.source + ("; method auto" + auto_source if auto_source else ""))
        table.to_json(CALIBRATION)
        print(f"wrote {CALIBRATION} (method auto's quantiles kept)")
    calibration = cal.Calibration.from_json(CALIBRATION) if CALIBRATION.exists() else cal.Calibration({})
    rows = pd.concat([sl.backtest.run_rows(suite, found[m], calibration) for m in sl.backtest.METHODS],
                     ignore_index=True)
    report = sl.backtest.BacktestReport(rows, sl.backtest.summarise(rows), seconds, calibration.source)
    total = time.perf_counter() - t0
    print(f"{len(suite)} LCDB curves ({'calibration' if args.calibrate else args.split} split), "
          f"fits {seconds['fits']:.1f} s (all {len(sl.backtest.LAWS)} laws + auto's backtest, n_jobs={args.n_jobs}), "
          f"intervals {seconds['intervals']:.1f} s, {total:.1f} s in all; peak RSS {peak_rss_mb():.0f} MiB "
          f"(largest worker {peak_rss_mb(children=True):.0f} MiB); {machine_load()}")
    print(f"intervals: {calibration.source}")
    print(report)
    print("\nmedian score by curve category:")
    print(report.by_category().to_string(float_format=lambda v: f"{v:.3f}"))
    print(report.rows.groupby("category")["curve"].nunique().to_string())
    print("\nauto's head-to-head record (share of curves it beats each method on):")
    print(report.head_to_head("auto").to_string(float_format=lambda v: f"{v:.3f}"))
    print("ensemble's head-to-head record:")
    print(report.head_to_head("ensemble").to_string(float_format=lambda v: f"{v:.3f}"))
    if args.baseline:
        per_curve, base_ok, ours_ok = least_squares_baseline(suite, sl.backtest.LAWS, args.baseline)
        projected = per_curve * len(suite)
        print(f"\nleast_squares loop: {per_curve * 1e3:.1f} ms per curve -> {projected:.0f} s for {len(suite)} curves "
              f"vs ours {seconds['fits']:.1f} s: {projected / seconds['fits']:.1f}x "
              f"(objective within 1e-6 of the other's best: least_squares {base_ok:.1%}, ours {ours_ok:.1%})")


if __name__ == "__main__":
    main()
