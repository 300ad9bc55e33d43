"""Extrapolation benchmark on LCDB 1.0 learning curves (Mohr, van Rijn et al. 2022; MIT).

Data: the `lcdb` 0.1.0 source distribution from the package index (~68 MB, fetched with
`pip download lcdb==0.1.0 --no-deps` into ~/.cache/scalinglab/lcdb, never into the repo);
`database-accuracy.csv` is reduced once to per (dataset, learner, size) mean validation error,
its standard deviation over seeds and the number of seeds (a compressed .npz, ~1 MB).
Then `scalinglab.backtest.run` on every (dataset, learner) curve: fit on the first half of
the sizes (at least 4), predict the rest; prints method × median, mean, win rate, coverage,
failures, time, the medians per curve category, and the time of a per-curve
scipy.optimize.least_squares loop doing the same single-law fits (--baseline).

Run: python benchmarks/extrapolation_lcdb.py [--limit 500] [--seed 0] [--baseline 200]
"""

import argparse
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import scalinglab as sl
from scalinglab.backtest import SizeStats

CACHE = Path.home() / ".cache" / "scalinglab" / "lcdb"


def curves_file() -> Path:
    target = CACHE / "lcdb-accuracy-curves.npz"
    if target.exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        print("downloading lcdb==0.1.0 (source distribution, ~68 MB) ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "download", "lcdb==0.1.0", "--no-deps", "--no-binary", ":all:",
                        "-d", tmp, "-q"], check=True)
        archive = next(Path(tmp).glob("lcdb-0.1.0.tar.gz"))
        with tarfile.open(archive) as tar:
            member = tar.getmember("lcdb-0.1.0/lcdb/database-accuracy.csv")
            df = pd.read_csv(tar.extractfile(member),
                             usecols=["openmlid", "learner", "size_train", "score_valid"])
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


def least_squares_baseline(curves, law_names, limit):
    """The same single-law fits done the plain way: scipy least_squares per curve and law,
    from the law's default start, in log space (no multi-start)."""
    from scipy.optimize import least_squares
    t0 = time.perf_counter()
    n = 0
    for name, s in list(curves.items())[:limit]:
        k = max(4, int(np.ceil(len(s.sizes) / 2)))
        x, y = s.sizes[:k], np.log(np.maximum(s.mean[:k], 1e-3))
        for law_name in law_names:
            law = sl.get_law(law_name)
            start = law.init_grid((x,), np.exp(y))[0]
            lo, hi = law.bound_arrays()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    least_squares(lambda t: np.log(np.maximum(law.predict(x, t), 1e-300)) - y,
                                  np.clip(start, lo + 1e-9, hi), bounds=(lo, hi))
                except ValueError:
                    pass
            n += 1
    return time.perf_counter() - t0, n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=None, help="number of curves (default: all)")
    parser.add_argument("--seed", type=int, default=0, help="which curves, when --limit is set")
    parser.add_argument("--baseline", type=int, default=0, help="curves for the least_squares timing")
    parser.add_argument("--n-boot", type=int, default=100)
    args = parser.parse_args()
    curves = load_curves()
    if args.limit:
        keys = list(curves)
        pick = np.random.default_rng(args.seed).choice(len(keys), size=min(args.limit, len(keys)), replace=False)
        curves = {keys[i]: curves[keys[i]] for i in sorted(pick)}
    t0 = time.perf_counter()
    report = sl.backtest.run(curves, n_boot=args.n_boot)
    elapsed = time.perf_counter() - t0
    n_curves = report.rows["curve"].nunique()
    print(f"{n_curves} LCDB curves (of {len(curves)} taken), {elapsed:.1f} s in all")
    print(report)
    print("\nmedian score by curve category:")
    print(report.by_category().to_string(float_format=lambda v: f"{v:.3f}"))
    print(report.rows.groupby("category")["curve"].nunique().to_string())
    if args.baseline:
        t_ls, n = least_squares_baseline(curves, sl.backtest.LAWS, args.baseline)
        ours = report.rows[report.rows["method"].isin(sl.backtest.LAWS)]
        per_fit = ours["seconds"].sum() / len(ours)
        print(f"\nleast_squares loop: {t_ls / n * 1e3:.1f} ms per fit (single start) vs ours "
              f"{per_fit * 1e3:.1f} ms per fit (multi-start + {args.n_boot} bootstrap refits)")


if __name__ == "__main__":
    main()
