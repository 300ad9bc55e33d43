"""Shared loader for the benchmarks: the Chinchilla data as Besiroglu et al. 2024 use it."""

from pathlib import Path

import numpy as np
import pandas as pd

import scalinglab as sl

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "chinchilla_points.csv"


def chinchilla_curve() -> sl.Curve:
    if not DATA.exists():
        raise SystemExit(f"needs {DATA} (shipped with the repository)")
    df = pd.read_csv(DATA)
    df["D"] = df["Training FLOP"] / (6 * df["Model Size"])
    df = df.sort_values("loss").iloc[:-5]   # drop the 5 highest losses -> 240 points
    return sl.Curve(np.c_[df["Model Size"], df["D"]], df["loss"].to_numpy(), x_names=("N", "D"))


def huber_objective(curve: sl.Curve, delta: float = 1e-3):
    """The published objective on (a, b, e, alpha, beta) = (log A, log B, log E, alpha, beta),
    written as the replication code writes it (plain numpy log-sum-exp, scipy.special.huber):
    sum of Huber(log prediction - log loss). Returns (value, value_and_exact_gradient)."""
    from scipy.special import huber
    log_n, log_d = np.log(curve.x[:, 0]), np.log(curve.x[:, 1])
    log_y = np.log(curve.y)

    def value(p):
        a, b, e, alpha, beta = p
        pred = np.log(np.exp(a - alpha * log_n) + np.exp(b - beta * log_d) + np.exp(e))
        return float(np.sum(huber(delta, pred - log_y)))

    def value_and_grad(p):
        a, b, e, alpha, beta = p
        tn, td, te = np.exp(a - alpha * log_n), np.exp(b - beta * log_d), np.exp(e)
        total = tn + td + te
        r = np.log(total) - log_y
        psi = np.clip(r, -delta, delta) / total
        grad = np.array([psi @ tn, psi @ td, np.sum(psi) * te, -psi @ (tn * log_n), -psi @ (td * log_d)])
        return float(np.sum(huber(delta, r))), grad

    return value, value_and_grad


def published_grid() -> np.ndarray:
    """alpha, beta in {0, .5, ..., 2}; e in {-1, -.5, ..., 1}; a, b in {0, 5, ..., 25}: 4,500 starts."""
    import itertools
    exps = np.arange(0, 2.01, 0.5)
    return np.array(list(itertools.product(np.arange(0, 26, 5.0), np.arange(0, 26, 5.0),
                                           np.arange(-1, 1.01, 0.5), exps, exps)))


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident memory of this process so far, in MiB (getrusage: KiB on Linux); with
    ``children``, of its largest finished child process (joblib workers) instead."""
    import resource
    import sys
    peak = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def machine_load() -> str:
    """The 1-minute load average and the CPU count, to print beside timings (this machine is shared)."""
    import os
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


CURVES = Path(__file__).resolve().parent / "curves"
LCDB_SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "lcdb_sample.csv"


def typical_curves(n_lcdb: int = 20) -> dict:
    """Ordinary learning curves, as a user fits them: the demo's logistic-regression curve
    (`scalinglab demo`: digits, 7 sizes 25-1,258 x 3 seeds; benchmarks/curves/demo_logreg.csv is
    its study's output) and the first ``n_lcdb`` LCDB curves of tests/data/lcdb_sample.csv (per-size
    mean error, 4-22 sizes), in (dataset, learner) order."""
    demo = pd.read_csv(CURVES / "demo_logreg.csv")
    curves = {"demo logreg": sl.Curve(demo["size"].to_numpy(), demo["error"].to_numpy(), seed=demo["seed"].to_numpy())}
    sample = pd.read_csv(LCDB_SAMPLE)
    for (oid, learner), part in list(sample.groupby(["openmlid", "learner"], sort=True))[:n_lcdb]:
        curves[f"{oid}/{learner.split('.')[-1]}"] = sl.Curve(part["size"].to_numpy(), part["mean"].to_numpy())
    return curves
