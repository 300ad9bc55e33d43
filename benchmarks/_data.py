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
