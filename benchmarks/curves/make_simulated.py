"""Simulated learning curves from every single-input law of scalinglab, with the truth stored.

Per law (power, power_floor, m3, m4, exp_floor, bnsl with one break) ``--per-law`` curves
(default 10), parameters drawn from ranges seen on real learning curves (start value,
exponent, floor share, break position), then observed with noise:

* sizes: geometric from x_min (log-uniform in [16, 2000]) with factor 2 or √2; 8 to 14 sizes
  ("regular"), or only 5 or 6 ("few sizes": the least the backtest protocol can score);
* "near floor": for the laws with a floor (power_floor, m3, exp_floor, bnsl) some curves are
  within 2–15 % of their floor at the largest size, where the floor decides the extrapolation;
* noise: heteroscedastic log-normal, y = y_true · exp(σ(x) ε), ε ~ N(0, 1), with
  σ(x) = σ0 · (x / x_min)^(−h) (spread shrinks with the training-set size, as across seeds
  on real curves), σ0 log-uniform in [0.005, 0.12], h uniform in [0, 0.4]; 1, 3 or 5
  replicates (seeds) per size. The median of y is the truth (log y is unbiased);
* m4 curves are error rates (y0 = 1): their metric is bounded in [0, 1]; their start and
  noise are drawn so that every observation stays below 1 (checked: the script refuses to
  write a file that breaks this).

Writes ``simulated.csv`` (long format, one row per observation, ``y_true`` beside ``y``) and
``simulated_truth.csv`` (one row per curve: law, parameters as JSON, noise settings, kind).
Deterministic: ``--seed`` (default 0) fixes everything.

Run: python benchmarks/curves/make_simulated.py [--per-law 10] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

import scalinglab as sl

HERE = Path(__file__).resolve().parent
LAWS = ("power", "power_floor", "m3", "m4", "exp_floor", "bnsl")
FLOORED = ("power_floor", "m3", "exp_floor", "bnsl")
BOUNDED = {"m4": (0.0, 1.0)}


def draw_sizes(rng: np.random.Generator, few: bool) -> np.ndarray:
    x_min = float(np.exp(rng.uniform(np.log(16), np.log(2000))))
    factor = float(rng.choice([np.sqrt(2), 2.0]))
    count = int(rng.integers(5, 7) if few else rng.integers(8, 15))
    return np.unique(np.round(x_min * factor ** np.arange(count)))


def draw_params(law: str, x: np.ndarray, near_floor: bool, rng: np.random.Generator) -> dict:
    """Parameters giving a curve that starts at a realistic value at x[0] and, when
    ``near_floor``, ends within 2-15 % of its floor at x[-1]."""
    start = rng.uniform(0.3, 3.0)                        # metric at the smallest size
    x0, x1 = x[0], x[-1]
    if law == "power":
        b = rng.uniform(0.05, 0.6)
        return {"a": start * x0 ** b, "b": b}
    if law == "power_floor":
        b = rng.uniform(0.2, 0.9)
        excess_end = rng.uniform(0.02, 0.15) if near_floor else rng.uniform(0.5, 5.0)   # (y(x1) - c) / c
        # y(x0) = start = a x0^-b + c and a x1^-b = excess_end * c
        ratio = (x0 / x1) ** b
        c = start / (1 + excess_end / ratio)
        return {"a": excess_end * c * x1 ** b, "b": b, "c": c}
    if law == "m3":
        c = rng.uniform(0.2, 0.9)
        # floor beta gamma^c; near the floor when gamma >> 1/x1
        gamma = (rng.uniform(3, 20) if near_floor else np.exp(rng.uniform(np.log(0.01), np.log(1.0)))) / x1
        beta = start / (1 / x0 + gamma) ** c
        return {"beta": beta, "gamma": gamma, "c": c}
    if law == "m4":
        y0, y_inf = 1.0, rng.uniform(0.01, 0.15)
        alpha, c = rng.uniform(0.0, 1.5), rng.uniform(-0.9, -0.2)
        start = rng.uniform(max(0.3, y_inf + 0.1), 0.6)  # an error rate well below 1 at x0
        beta = (start - y_inf) / ((y0 - start) ** alpha * x0 ** c)
        return {"beta": beta, "c": c, "alpha": alpha, "y_inf": y_inf, "y0": y0}
    if law == "exp_floor":
        # decay rate so that e^{-b x} falls from ~1 to near_floor's share over the range
        c = start * rng.uniform(0.1, 0.5)
        target = rng.uniform(0.02, 0.15) if near_floor else rng.uniform(0.3, 2.0)     # excess at x1 / c
        b = np.log((start - c) / (target * c)) / (x1 - x0)
        if b <= 0:
            b = 1.0 / (x1 - x0)
        return {"a": (start - c) * np.exp(b * x0), "b": b, "c": c}
    if law == "bnsl":
        c0, c1 = rng.uniform(0.05, 0.4), rng.uniform(0.2, 0.8)
        d1 = float(np.exp(rng.uniform(np.log(x0), np.log(x1))))    # the break somewhere in the range
        f1 = float(np.exp(rng.uniform(np.log(0.1), np.log(2.0))))
        shape = lambda xx: xx ** -c0 * (1 + (xx / d1) ** (1 / f1)) ** (-c1 * f1)     # noqa: E731
        excess_end = rng.uniform(0.02, 0.15) if near_floor else rng.uniform(0.5, 5.0)
        # start = a + b shape(x0); b shape(x1) = excess_end * a
        a = start / (1 + excess_end * shape(x0) / shape(x1))
        return {"a": a, "b": excess_end * a / shape(x1), "c0": c0, "c1": c1, "d1": d1, "f1": f1}
    raise ValueError(law)


def simulate(per_law: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    rows, truth = [], []
    for law_name in LAWS:
        law = sl.get_law(law_name)
        for i in range(per_law):
            kind = ("few sizes" if i < 3 else "near floor" if (i < 6 and law_name in FLOORED) else "regular")
            x = draw_sizes(rng, few=kind == "few sizes")
            params = draw_params(law_name, x, kind == "near floor", rng)
            y_true = law.predict(x, params)
            sigma0 = float(np.exp(rng.uniform(np.log(0.005), np.log(0.12 if law_name not in BOUNDED else 0.06))))
            slope = float(rng.uniform(0.0, 0.4))
            replicates = int(rng.choice([1, 3, 5]))
            name = f"{law_name}/{i:02d}"
            lower, upper = BOUNDED.get(law_name, (0.0, np.inf))
            sigma = sigma0 * (x / x[0]) ** (-slope)
            for r in range(replicates):
                y = y_true * np.exp(sigma * rng.standard_normal(len(x)))
                if not np.all((y > lower) & (y < upper)):
                    raise SystemExit(f"{name}: an observation left the metric's range ({lower}, {upper}); "
                                     "change the ranges of the draws")
                rows.append(pd.DataFrame({"curve": name, "x": x, "y": y, "seed": r, "y_true": y_true,
                                          "sigma": sigma}))
            truth.append({"curve": name, "law": law_name, "params": json.dumps(params), "kind": kind,
                          "sigma0": sigma0, "sigma_slope": slope, "replicates": replicates,
                          "n_sizes": len(x), "x_min": x[0], "x_max": x[-1], "lower": lower, "upper": upper})
    data = pd.concat(rows, ignore_index=True)
    truth = pd.DataFrame(truth)
    meta = truth.set_index("curve")
    data.insert(0, "domain", "simulated")
    data["metric"] = np.where(meta.loc[data["curve"], "law"].to_numpy() == "m4", "error", "loss")
    data["higher_is_better"] = False
    data["lower"] = meta.loc[data["curve"], "lower"].to_numpy()
    data["upper"] = meta.loc[data["curve"], "upper"].to_numpy()
    data["x_name"] = "samples"
    data = data.sort_values(["curve", "x", "seed"], kind="stable", ignore_index=True)
    return data, truth


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-law", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    data, truth = simulate(args.per_law, args.seed)
    data.to_csv(HERE / "simulated.csv", index=False, float_format="%.10g")
    truth.to_csv(HERE / "simulated_truth.csv", index=False, float_format="%.10g")
    print(f"wrote {len(truth)} curves, {len(data)} observations: {HERE / 'simulated.csv'}, simulated_truth.csv")
    print(truth.groupby(["law", "kind"]).size().to_string())


if __name__ == "__main__":
    main()
