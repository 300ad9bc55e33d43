"""``sl.fit(curve, law="auto")`` and ``sl.extrapolate`` on ordinary learning curves (issue 19).

Curves: the demo's logistic-regression curve and 20 LCDB curves (``_data.typical_curves``).
Prints, per curve, the CPU and wall time of one ``fit(law="auto")`` (six candidate laws, each
fitted to all the sizes and to the backtest's training part) and of one ``sl.extrapolate`` at
10x the largest size; then the median and worst, the peak RSS and the machine's load (it is
shared: CPU time is the number to compare).

Baseline: main at 0ff5adc (before issue 19), this script on the same curves, run right after
ours (PYTHONPATH=<0ff5adc>/src), load average 3-6 on 2 CPUs: fit(law="auto") median 2.10 s CPU,
worst 19.5 s (962/GradientBoosting: m4's root solve fell back to bisection, its polish crawled),
total 62.4 s over the 21 curves; sl.extrapolate median 1.19 s, worst 2.12 s. Ours (issue 19),
load 3.3: fit median 1.08 s, worst 2.42 s, total 24.7 s; extrapolate median 0.90 s, worst 1.11 s.
Where the time goes now (cProfile, the 21 fits): 91 % in the Levenberg-Marquardt loops (~30,000
iterations, ~0.5 ms each: numpy call overhead on arrays of 16 starts x 4-35 points), of which
m4's root solve is a quarter; by law: m4 52 %, bnsl 18 %, the four others 30 %; L-BFGS-B polish 6 %.

Run: python benchmarks/fit_auto.py [--no-extrapolate] [--repeat 1]
"""

import argparse
import time
import warnings

import numpy as np

import scalinglab as sl
from _data import machine_load, peak_rss_mb, typical_curves

BASELINE = {"commit": "0ff5adc", "median_cpu_s": 2.10, "worst_cpu_s": 19.5, "total_cpu_s": 62.4,
            "extrapolate_median_cpu_s": 1.19}


def timed(fn):
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - c0, time.perf_counter() - w0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-extrapolate", action="store_true", help="time fit(law='auto') only")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs per curve (the least CPU kept)")
    args = parser.parse_args()
    curves = typical_curves()
    warnings.simplefilter("ignore")
    sl.fit(curves["demo logreg"], law="auto")                 # warm-up: imports, caches
    rows = []
    for name, curve in curves.items():
        fit = min((timed(lambda: sl.fit(curve, law="auto")) for _ in range(args.repeat)), key=lambda t: t[1])
        row = [name, curve.n_distinct, fit[0].law.name, fit[1], fit[2]]
        if not args.no_extrapolate and curve.n_distinct >= 4:
            ext = min((timed(lambda: sl.extrapolate(curve, [10 * curve.x.max()])) for _ in range(args.repeat)),
                      key=lambda t: t[1])
            row += [ext[1], ext[2]]
        rows.append(row)
        extra = f"   extrapolate {row[5]:6.3f} s CPU {row[6]:6.3f} s wall" if len(row) > 5 else ""
        print(f"{name:36s} {row[1]:3d} sizes  auto -> {row[2]:12s} {row[3]:6.3f} s CPU {row[4]:6.3f} s wall{extra}")
    cpu = np.array([r[3] for r in rows])
    print(f"fit(law='auto'): median {np.median(cpu):.3f} s CPU, worst {cpu.max():.3f} s, total {cpu.sum():.2f} s "
          f"(median wall {np.median([r[4] for r in rows]):.3f} s)")
    print(f"baseline ({BASELINE['commit']}, docstring): median {BASELINE['median_cpu_s']} s, worst "
          f"{BASELINE['worst_cpu_s']} s, total {BASELINE['total_cpu_s']} s -> ratio median "
          f"{BASELINE['median_cpu_s'] / np.median(cpu):.1f}x, worst {BASELINE['worst_cpu_s'] / cpu.max():.1f}x, "
          f"total {BASELINE['total_cpu_s'] / cpu.sum():.1f}x")
    ext = np.array([r[5] for r in rows if len(r) > 5])
    if ext.size:
        print(f"sl.extrapolate: median {np.median(ext):.3f} s CPU, worst {ext.max():.3f} s (baseline median "
              f"{BASELINE['extrapolate_median_cpu_s']} s: {BASELINE['extrapolate_median_cpu_s'] / np.median(ext):.1f}x)")
    print(f"peak RSS {peak_rss_mb():.0f} MiB; {machine_load()}")


if __name__ == "__main__":
    main()
