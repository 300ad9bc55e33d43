"""x_min search and likelihood-ratio comparisons: scalinglab vs the ``powerlaw`` package, in one process.

Data: continuous power law, alpha = 2.5, x_min = 1, numpy seed 0. Both search every distinct
value as x_min by KS minimisation; powerlaw 2.0 does one MLE + KS per candidate (O(n²));
ours is exact (``scalinglab/powerlaws/xmin.py``). We run ours with powerlaw's KS convention
("left_limits") so both must return the same x_min and alpha, and with the default (the
authors' plfit convention). Prints times and ratios at n = 1e4, 2e4, 1e5, our time at 1e6,
and the time of each comparison at n = 1e4 tail points (ours and powerlaw's).

Run: pip install powerlaw && python benchmarks/powerlaw_xmin.py [--sizes 10000 20000 100000] [--big 1000000]
(powerlaw at 1e5 takes minutes.)

The exponential's R differs: powerlaw evaluates the density as a float that underflows for the
largest values and floors it there, so its log-likelihood sum at its own λ (−17,432 here)
is not the sum of ln(λ) − λ(x − x_min) (−19,060); ours is the closed-form MLE.
"""

import argparse
import time
import warnings

import numpy as np

import scalinglab as sl


def sample(n):
    return (1 - np.random.default_rng(0).uniform(size=n)) ** (-1 / 1.5)


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 20_000, 100_000])
    parser.add_argument("--big", type=int, default=1_000_000)
    args = parser.parse_args()
    import powerlaw
    warnings.simplefilter("ignore")
    sl.powerlaws.fit(sample(1000))                                  # warm-up
    print(f"powerlaw {powerlaw.__version__}; alpha = 2.5, x_min = 1, seed 0")
    print(f"{'n':>9} {'powerlaw.Fit':>13} {'ours (same KS)':>15} {'ours (default)':>15} {'ratio':>8}  same x_min, alpha")
    for n in args.sizes:
        x = sample(n)
        ref, t_ref = timed(lambda: powerlaw.Fit(x, verbose=False))
        ours, t_ours = timed(lambda: sl.powerlaws.fit(x, convention="left_limits"))
        _, t_default = timed(lambda: sl.powerlaws.fit(x))
        same = ours.xmin == ref.xmin and np.isclose(ours.alpha, ref.alpha, rtol=1e-9)
        print(f"{n:>9,} {t_ref:>12.2f}s {t_ours:>14.3f}s {t_default:>14.3f}s {t_ref / t_ours:>7.0f}x  {same}")
    if args.big:
        x = sample(args.big)
        f, t = timed(lambda: sl.powerlaws.fit(x))
        print(f"{args.big:>9,} {'(not run)':>13} {'':>15} {t:>14.2f}s            x_min {f.xmin:.6f}, alpha {f.alpha:.4f}")

    x = sample(10_000)
    ours = sl.powerlaws.fit(x, xmin=1.0)
    ref = powerlaw.Fit(x, xmin=1.0, verbose=False)
    print("\ncomparisons on n = 10,000 tail points (R: log-likelihood ratio; higher R = worse alternative fit)")
    for alternative in sl.powerlaws.ALTERNATIVES:
        c, t = timed(lambda: ours.compare(alternative))
        (R, _), t_ref = timed(lambda: ref.distribution_compare("power_law", alternative))
        print(f"  {alternative:<22} ours {t:7.3f}s  R = {c.R:10.4f}   powerlaw {t_ref:7.3f}s  R = {R:10.4f}")


if __name__ == "__main__":
    main()
