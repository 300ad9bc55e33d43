"""Chinchilla fit: scalinglab vs the published procedure, in one process.

Baseline (Besiroglu et al. 2024's method): scipy.optimize.minimize(method="L-BFGS-B") with a
numerical gradient from each of the 4,500 starts of the published grid; the best optimum wins.
Ours: sl.fit(curve, law="chinchilla") (variable-projection starts, batched LM, L-BFGS-B polish).
Prints both objectives, both times and the ratio.

Run: python benchmarks/fit_chinchilla.py [--exact-gradient] [--repeat 5]
"""

import argparse
import time
import warnings

import numpy as np
from scipy import optimize

import scalinglab as sl
from _data import chinchilla_curve, huber_objective, machine_load, peak_rss_mb, published_grid


def baseline(curve, exact_gradient: bool):
    value, value_and_grad = huber_objective(curve)
    best = (np.inf, None)
    for start in published_grid():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if exact_gradient:
                out = optimize.minimize(value_and_grad, start, jac=True, method="L-BFGS-B")
            else:
                out = optimize.minimize(value, start, method="L-BFGS-B")
        if out.fun < best[0]:
            best = (out.fun, out.x)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--exact-gradient", action="store_true", help="baseline with the exact gradient")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions of our fit (best is kept)")
    args = parser.parse_args()
    curve = chinchilla_curve()
    sl.fit(curve, law="chinchilla")                       # warm-up (imports, caches)
    ours, ours_cpu = [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        res = sl.fit(curve, law="chinchilla")
        ours.append(time.perf_counter() - t0)
        ours_cpu.append(time.process_time() - c0)
    rss_ours = peak_rss_mb()
    t0 = time.perf_counter()
    base_obj, base_x = baseline(curve, args.exact_gradient)
    base_time = time.perf_counter() - t0
    kind = "exact" if args.exact_gradient else "numerical"
    a, b, e, alpha, beta = base_x
    print(f"baseline  L-BFGS-B ({kind} gradient) x 4500 starts: {base_time:8.3f} s   objective {base_obj:.12f}"
          f"   A={np.exp(a):.1f} B={np.exp(b):.1f} E={np.exp(e):.4f} alpha={alpha:.4f} beta={beta:.4f}")
    p = res.params
    print(f"scalinglab sl.fit(law='chinchilla') (best of {args.repeat}): {min(ours) * 1e3:8.2f} ms wall, "
          f"{min(ours_cpu) * 1e3:.2f} ms CPU  "
          f"objective {res.objective:.12f}   A={p['A']:.1f} B={p['B']:.1f} E={p['E']:.4f} "
          f"alpha={p['alpha']:.4f} beta={p['beta']:.4f}")
    print(f"ratio (baseline / ours): {base_time / min(ours):,.0f}x   "
          f"objective ours <= baseline: {res.objective <= base_obj}")
    print(f"peak RSS after our fits {rss_ours:.0f} MiB, after the baseline {peak_rss_mb():.0f} MiB; {machine_load()}")


if __name__ == "__main__":
    main()
