"""How good are today's extrapolations on every domain of the suite (benchmarks/suite.py)?

For each domain: ``sl.backtest`` on every curve, by the suite's one protocol (fit on the first
half of the sizes, at least 4; predict the rest; score |log ŷ − log y| at the largest held-out
size; coverage of the calibrated 80 % / 95 % intervals over the held-out sizes), for the
methods scalinglab has today: ``last`` (the last training value), each single law (power,
power_floor, m3, m4, exp_floor, and bnsl with one break), ``auto`` (the rule of
``fit(law="auto")``) and ``ensemble`` (``sl.extrapolate``'s forecast). The calls are those
``sl.backtest.run`` makes (``prepare`` → ``forecasts`` → ``run_rows`` → ``summarise``; a test
checks the rows are identical), spelled out only to read the intervals themselves: on a
bounded metric (an error rate) it counts the 95 % intervals reaching above the bound. bnsl is
not one of ``sl.backtest``'s laws (it needs 7 training sizes); it is fitted by the same
``forecasts`` call with ``laws=("bnsl",)`` and only its own forecast is kept, when that
works: today ``fit_many`` fails on bnsl (a broadcasting error in its Jacobian on stacked
curves), so the script checks at start and leaves bnsl out with the reason printed.

Printed: per domain, the method table (median and mean score, RMSE median, win rate,
coverage, failures), the best single law in hindsight (lowest median among the laws that
never failed there) and the ratio of ``auto`` and ``ensemble`` to it; then the same pooled over
all curves, and domain-balanced (the mean over domains of each domain's median); then one
markdown table for benchmarks/curves/README.md; the wall time of each domain and in all.

Defaults keep the run within ~5 minutes on 2 cores: LCDB is a fixed-seed subsample of
``--lcdb-limit`` (500) curves of its evaluation half (the datasets the shipped interval
calibration was not made on); ``--full`` takes every curve of that half (2,121);
``--lcdb-split all`` every LCDB curve (coverage then partly in sample).

Run: python benchmarks/extrapolation_domains.py [--full] [--lcdb-limit 500] [--lcdb-split eval]
        [--domains lcdb chinchilla ...] [--n-jobs 2] [--n-boot 50]

``--lodo``: the leave-one-domain-out comparison of rules instead (``benchmarks/lodo.py``:
every law fitted once per curve and cached, then each rule's settings and interval quantiles
chosen on the other families of domains and scored on the held-out one); LCDB subsampled to
``--lcdb-limit`` (default 300 with ``--lodo``) curves of its evaluation half.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scalinglab as sl                                    # noqa: E402
from scalinglab.backtest import calibration as cal        # noqa: E402

import suite                                               # noqa: E402



def _bnsl_fits_many() -> str:
    """'' if sl.backtest can fit bnsl (its batched fit_many), else why not."""
    from scalinglab.fitting.many import StackedCurves, fit_many
    x = np.geomspace(10, 1000, 8)
    try:
        fit_many(StackedCurves.pad([(x, 0.1 + 2 * x ** -0.3)]), "bnsl")
    except Exception as exc:                     # noqa: BLE001 - reported, the law is left out
        return f"{type(exc).__name__}: {exc}"
    return ""


BNSL_PROBLEM = _bnsl_fits_many()
SINGLE_LAWS = sl.backtest.LAWS + (() if BNSL_PROBLEM else ("bnsl",))
METHODS = ("last",) + SINGLE_LAWS + ("auto", "ensemble")


def backtest_domain(curves: dict, *, n_boot: int, n_jobs: int, upper: np.ndarray | None = None,
                    calibration: cal.Calibration | None = None):
    """Rows (one per curve and method, as ``sl.backtest.run``) and, over the curves with a
    finite ``upper`` bound ({curve: bound}), the share of their held-out sizes whose 95 %
    interval reaches above it (per method; None when no curve is bounded)."""
    calibration = cal.shipped() if calibration is None else calibration
    prepared = sl.backtest.prepare(curves)
    found, seconds = sl.backtest.forecasts(prepared, n_boot=n_boot, n_jobs=n_jobs)
    if "bnsl" in SINGLE_LAWS:
        found["bnsl"] = sl.backtest.forecasts(prepared, laws=("bnsl",), n_boot=n_boot, n_jobs=n_jobs)[0]["bnsl"]
    rows = pd.concat([sl.backtest.run_rows(prepared, found[m], calibration) for m in METHODS], ignore_index=True)
    above = None
    bound = np.array([np.inf if upper is None else upper[name] for name in prepared.names])[:, None]
    if np.isfinite(bound).any():
        held = (prepared.test_W > 0) & np.isfinite(bound)
        above = {}
        for method in METHODS:
            _, hi = calibration.interval(method, found[method].pred, found[method].unit, 0.95)
            with np.errstate(invalid="ignore"):
                above[method] = float(np.sum((hi > bound) & held) / np.sum(held))
    return rows, above, seconds


def best_law(summary: pd.DataFrame) -> str:
    """The single law with the lowest median score among those that never failed."""
    laws = summary.loc[[m for m in SINGLE_LAWS if m in summary.index]]
    clean = laws[laws["failures"] == 0]
    return str((clean if len(clean) else laws)["median"].idxmin())


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    table = sl.backtest.summarise(rows)
    return table.reindex([m for m in METHODS if m in table.index])


def markdown(lines: list[dict]) -> str:
    cols = ["domain", "curves", "best law", "best", "auto", "auto/best", "ensemble", "ens/best", "last",
            "auto cov80/95", "ens cov80/95", "failures", "95% above bound"]
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for d in lines:
        out.append("| " + " | ".join(str(d[c]) for c in cols) + " |")
    return "\n".join(out)


def line(domain: str, n: int, summary: pd.DataFrame, above) -> dict:
    law = best_law(summary)
    s = summary
    fail = ", ".join(f"{m} {s.loc[m, 'failures']:.0%}" for m in s.index if s.loc[m, "failures"] > 0) or "0"
    if above is None:
        bound = "(unbounded)"
    else:
        bound = f"auto {above['auto']:.0%}, ens {above['ensemble']:.0%}"
    return {"domain": domain, "curves": n, "best law": law, "best": f"{s.loc[law, 'median']:.3f}",
            "auto": f"{s.loc['auto', 'median']:.3f}", "auto/best": f"{s.loc['auto', 'median'] / s.loc[law, 'median']:.2f}",
            "ensemble": f"{s.loc['ensemble', 'median']:.3f}",
            "ens/best": f"{s.loc['ensemble', 'median'] / s.loc[law, 'median']:.2f}",
            "last": f"{s.loc['last', 'median']:.3f}",
            "auto cov80/95": f"{s.loc['auto', 'cover80']:.0%} / {s.loc['auto', 'cover95']:.0%}",
            "ens cov80/95": f"{s.loc['ensemble', 'cover80']:.0%} / {s.loc['ensemble', 'cover95']:.0%}",
            "failures": fail, "95% above bound": bound}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", nargs="+", default=list(suite.DOMAINS), choices=list(suite.DOMAINS))
    parser.add_argument("--full", action="store_true", help="every LCDB curve of --lcdb-split (no subsample)")
    parser.add_argument("--lcdb-limit", type=int, default=None, help="default 500 (300 with --lodo)")
    parser.add_argument("--lcdb-split", choices=("eval", "calib", "all"), default="eval")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--n-boot", type=int, default=50)
    parser.add_argument("--lodo", action="store_true", help="leave-one-domain-out comparison of rules (lodo.py)")
    parser.add_argument("--write-calibration", action="store_true",
                        help="with --lodo: write the default's interval quantiles into the package's calibration.json")
    args = parser.parse_args()
    if args.lodo:
        import lodo
        limit = None if args.full else (300 if args.lcdb_limit is None else args.lcdb_limit)
        path = Path(cal.__file__).with_name(cal.SHIPPED) if args.write_calibration else None
        return lodo.main(args.domains, lcdb_limit=limit, n_boot=args.n_boot, n_jobs=args.n_jobs,
                         calibration_path=path)
    args.lcdb_limit = 500 if args.lcdb_limit is None else args.lcdb_limit
    t_start = time.perf_counter()
    limit = None if args.full else args.lcdb_limit
    curves = suite.load(args.domains, lcdb_split=args.lcdb_split, lcdb_limit=limit)
    info = suite.info(args.domains, lcdb_split=args.lcdb_split, lcdb_limit=limit).set_index(["domain", "curve"])
    print(f"loaded {sum(map(len, curves.values()))} curves in {time.perf_counter() - t_start:.1f} s "
          f"(LCDB: {'all' if limit is None else limit} curves of the {args.lcdb_split!r} split, seed 0)")
    print(f"intervals: {cal.shipped().source}")
    if BNSL_PROBLEM:
        print(f"bnsl left out: sl.backtest's batched fit (fit_many) fails on it ({BNSL_PROBLEM})")
    all_rows, lines, balanced = [], [], []
    for domain in args.domains:
        t0 = time.perf_counter()
        upper = info.loc[domain, "upper"]
        rows, above, seconds = backtest_domain(curves[domain], n_boot=args.n_boot, n_jobs=args.n_jobs, upper=upper)
        summary = summarise(rows)
        n = rows["curve"].nunique()
        law = best_law(summary)
        print(f"\n== {domain}: {n} curves ({suite.DOMAINS[domain].description}); "
              f"{time.perf_counter() - t0:.1f} s (fits {seconds['fits']:.1f} s, intervals {seconds['intervals']:.1f} s)")
        print(summary.to_string(float_format=lambda v: f"{v:.3f}"))
        print(f"best single law in hindsight: {law} (median {summary.loc[law, 'median']:.3f}); "
              f"auto/best {summary.loc['auto', 'median'] / summary.loc[law, 'median']:.2f}, "
              f"ensemble/best {summary.loc['ensemble', 'median'] / summary.loc[law, 'median']:.2f}")
        if above is not None:
            print("share of held-out sizes whose 95 % interval reaches above the bound: "
                  + ", ".join(f"{m} {v:.1%}" for m, v in above.items()))
        lines.append(line(domain, n, summary, above))
        balanced.append(summary["median"].rename(domain))
        all_rows.append(rows.assign(domain=domain, curve=domain + ":" + rows["curve"]))
    pooled = summarise(pd.concat(all_rows, ignore_index=True))
    law = best_law(pooled)
    print(f"\n== pooled: {sum(line_['curves'] for line_ in lines)} curves")
    print(pooled.to_string(float_format=lambda v: f"{v:.3f}"))
    print(f"best single law pooled: {law} (median {pooled.loc[law, 'median']:.3f}); "
          f"auto/best {pooled.loc['auto', 'median'] / pooled.loc[law, 'median']:.2f}, "
          f"ensemble/best {pooled.loc['ensemble', 'median'] / pooled.loc[law, 'median']:.2f}")
    per_domain = pd.concat(balanced, axis=1)
    print("\nmedian score per domain (columns) and domain-balanced mean (last column):")
    print(per_domain.assign(balanced=per_domain.mean(axis=1)).to_string(float_format=lambda v: f"{v:.3f}"))
    lines.append(line("pooled", sum(line_["curves"] for line_ in lines), pooled, None) | {"95% above bound": ""})
    print("\n" + markdown(lines))
    print(f"\ntotal wall time {time.perf_counter() - t_start:.1f} s (n_jobs={args.n_jobs}, n_boot={args.n_boot})")


if __name__ == "__main__":
    main()
