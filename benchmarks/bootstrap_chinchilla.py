"""1,000 bootstrap refits of the Chinchilla fit: scalinglab vs one BFGS refit per resample.

Baseline (the published procedure): for each resample of the 240 points, scipy's BFGS with the
exact gradient, started at the full-data estimate. Ours: res.bootstrap(n) (all resamples refitted
together by batched Levenberg-Marquardt). Same resamples for both. Prints times, ratio and the
95 % intervals of both next to the published ones (4,000 resamples: alpha 0.317-0.373,
beta 0.331-0.415, E 1.769-1.871).

Run: python benchmarks/bootstrap_chinchilla.py [--n 1000] [--baseline-n 1000]
"""

import argparse
import time

import numpy as np
from scipy import optimize

import scalinglab as sl
from _data import chinchilla_curve, huber_objective, machine_load, peak_rss_mb
from scalinglab.fitting.resampling import resample_counts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--baseline-n", type=int, default=1000, help="resamples for the baseline")
    args = parser.parse_args()
    curve = chinchilla_curve()
    res = sl.fit(curve, law="chinchilla")
    res.bootstrap(50, seed=1)                              # warm-up (50: the fewest the bootstrap accepts)
    rss_before = peak_rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    boot = res.bootstrap(args.n, seed=0)
    ours, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
    rss_ours = peak_rss_mb()

    counts = resample_counts(res.curve, args.baseline_n, "point", np.random.default_rng(0))
    p = res.params
    start = np.array([np.log(p["A"]), np.log(p["B"]), np.log(p["E"]), p["alpha"], p["beta"]])
    draws = []
    t0 = time.perf_counter()
    for c in counts:
        keep = np.repeat(np.arange(curve.n), c.astype(int))
        _, value_and_grad = huber_objective(sl.Curve(curve.x[keep], curve.y[keep]))
        out = optimize.minimize(value_and_grad, start, jac=True, method="BFGS")
        draws.append(out.x)
    base = time.perf_counter() - t0
    draws = np.array(draws)
    base_per = base / args.baseline_n
    print(f"baseline  BFGS per resample (exact gradient): {base_per * 1e3:.2f} ms/resample -> "
          f"{base_per * args.n:.3f} s for {args.n}")
    print(f"scalinglab res.bootstrap({args.n}): {ours:.3f} s wall, {ours_cpu:.3f} s CPU  ({boot.n_failed_draws} failed "
          f"draws); peak RSS {rss_before:.0f} MiB before it, {rss_ours:.0f} MiB after")
    print(f"ratio (baseline / ours): {base_per * args.n / ours:.1f}x")
    for name, col, published in [("alpha", 3, "0.317-0.373"), ("beta", 4, "0.331-0.415"), ("E", 2, "1.769-1.871")]:
        base_ci = np.percentile(np.exp(draws[:, col]) if name == "E" else draws[:, col], [2.5, 97.5])
        lo, hi = boot.interval(name, 0.95)
        print(f"  {name:5s} 95%: ours {lo:.3f}-{hi:.3f}   baseline {base_ci[0]:.3f}-{base_ci[1]:.3f}   "
              f"published {published}")
    print(f"peak RSS of the whole run {peak_rss_mb():.0f} MiB; {machine_load()}")


if __name__ == "__main__":
    main()
