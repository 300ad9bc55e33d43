"""The multi-domain extrapolation suite: every domain's learning curves as ``sl.Curve`` objects.

``load()`` returns ``{domain: {curve_name: sl.Curve}}``; ``info()`` one row per curve with its
metric, the direction of the metric as recorded, its range (``lower``, ``upper``: a bounded
metric such as an error rate has ``upper = 1``), the name of its x and its size counts;
``truth()`` the laws and parameters behind the simulated curves. Sources, licenses, columns
and how each file was generated: ``benchmarks/curves/README.md``.

Domains (``DOMAINS``; ``family`` groups the domains cut from the same runs, which a
leave-one-domain-out evaluation should hold out together):

==============  =========================================================  ==========================
domain          curves                                                      x, metric
==============  =========================================================  ==========================
lcdb            LCDB 1.0: one per (OpenML dataset, learner); fetched, cached  samples, error (in [0, 1])
lm_tokens       byte-level LM on Python sources, one per width                tokens, log-loss (nats/byte)
lm_params       the same runs, one per number of tokens                       non-embedding params, log-loss
mlp_samples     MLP on MNIST-1D, one per width                                samples, error (in [0, 1])
mlp_params      the same runs, one per number of samples                      parameters, error (in [0, 1])
chinchilla      Hoffmann et al. 2022's runs, one per model size (D = C/6N)    tokens, loss (nats/token)
simulated       10 per law (power, power_floor, m3, m4, exp_floor, bnsl)      samples, loss or error
==============  =========================================================  ==========================

Every curve has at least ``MIN_SIZES`` = 5 distinct sizes (curves with fewer are left out:
the protocol needs 4 to fit and 1 to predict). Replicates (seeds) are kept as separate points.

The split protocol, the same for every domain (that of ``sl.backtest``, as the LCDB benchmark):
fit on the first half of the distinct sizes, at least 4 (``train_sizes``), and predict every
larger size; score |log ŷ − log y| of the per-size mean at the largest held-out size, the RMSE
of log y over the held-out sizes, and the share of held-out sizes inside the 80 % and 95 %
prediction intervals (coverage). A method that gives a non-finite prediction fails the curve.

LCDB is large (4,367 curves); by default ``load`` gives its *evaluation half* of the datasets
(the half the interval calibration shipped with the package was not made on, so its coverage
is out of sample; ``lcdb_split="all"`` for every curve) and ``lcdb_limit`` draws a fixed-seed
subsample of it.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import scalinglab as sl
from scalinglab.backtest import SizeStats, split as backtest_split

from curves import lcdb

HERE = Path(__file__).resolve().parent
CURVES = HERE / "curves"
CHINCHILLA = HERE.parent / "tests" / "data" / "chinchilla_points.csv"
MIN_SIZES = 5
#: Model sizes of the Chinchilla extraction closer than this (relative) are one model: the
#: SVG gives each size with a jitter of ~1e-6; distinct sizes differ by 0.3 % or more.
CHINCHILLA_SAME_MODEL = 1e-3
COLUMNS = ("domain", "curve", "x", "y", "seed", "metric", "higher_is_better", "lower", "upper", "x_name")


@dataclass(frozen=True)
class Domain:
    name: str
    family: str
    description: str
    source: str


DOMAINS = {d.name: d for d in (
    Domain("lcdb", "lcdb", "LCDB 1.0 learning curves of classical learners on OpenML datasets",
           "Mohr, Viering, Loog & van Rijn 2022 (MIT); fetched from the package index by curves/lcdb.py"),
    Domain("lm_tokens", "pycorpus_lm", "byte-level LM on Python's sources: log-loss vs training tokens, per width",
           "curves/make_neural.py (scalinglab's runner and torch adapter)"),
    Domain("lm_params", "pycorpus_lm", "the same LM runs: log-loss vs non-embedding parameters, per token count",
           "curves/make_neural.py"),
    Domain("mlp_samples", "mnist1d_mlp", "MLP on MNIST-1D: error vs training samples, per width",
           "curves/make_neural.py"),
    Domain("mlp_params", "mnist1d_mlp", "the same MLP runs: error vs parameters, per sample count",
           "curves/make_neural.py"),
    Domain("chinchilla", "chinchilla", "Chinchilla training runs: loss vs tokens D = C/(6N), per model size",
           "Hoffmann et al. 2022, fig. 4; extraction Besiroglu et al. 2024 / Epoch AI (tests/data)"),
    Domain("simulated", "simulated", "curves drawn from each law with heteroscedastic log-normal noise",
           "curves/make_simulated.py (truth in simulated_truth.csv)"),
)}


def _read_long(path: Path) -> pd.DataFrame:
    """A long-format CSV of the suite; the index is the line number in the file."""
    df = pd.read_csv(path)
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise sl.ScalingLabError(f"{path}: column(s) {missing} missing; a suite file has {list(COLUMNS)}")
    df.index = df.index + 2
    _check_constant_per_curve(df, path.name)
    return df


def _chinchilla() -> pd.DataFrame:
    """Chinchilla's runs sliced per model size (see CHINCHILLA_SAME_MODEL); all 245 points kept."""
    df = pd.read_csv(CHINCHILLA)
    df.index = df.index + 2
    df = df.sort_values(["Model Size", "Training FLOP"], kind="stable")
    log_n = np.log(df["Model Size"].to_numpy())
    model = np.concatenate([[0], np.cumsum(np.diff(log_n) > CHINCHILLA_SAME_MODEL)])
    size = pd.Series(df["Model Size"].to_numpy()).groupby(model).transform("median").to_numpy()
    names = np.array([f"N={s / 1e6:.0f}M" for s in size])
    if len(set(names)) != model.max() + 1:
        raise sl.ScalingLabError("two Chinchilla model sizes got the same curve name")
    return pd.DataFrame({"domain": "chinchilla", "curve": names, "x": df["Training FLOP"] / (6 * df["Model Size"]),
                         "y": df["loss"], "seed": 0, "metric": "loss", "higher_is_better": False, "lower": 0.0,
                         "upper": np.inf, "x_name": "tokens", "model_size": df["Model Size"]}, index=df.index)


def _lcdb(split: str, limit: int | None, seed: int) -> pd.DataFrame:
    runs = lcdb.runs()
    # one integer per (dataset, learner): string operations on 2 million rows take seconds
    learners = runs["learner"].cat.categories
    key = runs["openmlid"].to_numpy(np.int64) * len(learners) + runs["learner"].cat.codes.to_numpy()
    keys, curve_of_row = np.unique(key, return_inverse=True)
    names = np.array([f"{k // len(learners)}/{learners[k % len(learners)]}" for k in keys])
    size = runs["size_train"].to_numpy(np.int64)
    pairs = np.unique(curve_of_row * (size.max() + 1) + size)       # distinct (curve, size)
    n_sizes = np.bincount(pairs // (size.max() + 1), minlength=len(keys))
    # the halves are drawn over every dataset (as benchmarks/extrapolation_lcdb.py draws them)
    enough = set(names[n_sizes >= MIN_SIZES])
    eligible = [name for name in lcdb.split_by_dataset(sorted(names), split) if name in enough]
    if limit is not None and limit < len(eligible):
        pick = np.random.default_rng(seed).choice(len(eligible), size=limit, replace=False)
        eligible = [eligible[i] for i in sorted(pick)]
    chosen = np.isin(names, eligible)
    keep = chosen[curve_of_row]
    order = np.argsort(names)                         # categories in name order
    rank = np.empty(len(names), int)
    rank[order] = np.arange(len(names))
    curve = pd.Categorical.from_codes(rank[curve_of_row[keep]], categories=names[order])
    runs = runs[keep]
    return pd.DataFrame({"domain": "lcdb", "curve": curve, "x": runs["size_train"].to_numpy(float),
                         "y": runs["score_valid"].to_numpy(), "seed": (runs["outer_seed"] * 100
                                                                       + runs["inner_seed"]).to_numpy(),
                         "metric": "accuracy", "higher_is_better": True, "lower": 0.0, "upper": 1.0,
                         "x_name": "samples"}).assign(curve=lambda d: d["curve"].cat.remove_unused_categories())


@functools.lru_cache(maxsize=None)
def frame(domain: str, *, lcdb_split: str = "eval", lcdb_limit: int | None = None, seed: int = 0) -> pd.DataFrame:
    """One domain in long format (``COLUMNS`` plus its grouping columns), curves with fewer
    than ``MIN_SIZES`` distinct sizes left out. Read once per process (cached)."""
    if domain not in DOMAINS:
        raise sl.ScalingLabError(f"unknown domain {domain!r}; the suite has {list(DOMAINS)}")
    if domain == "lcdb":
        df = _lcdb(lcdb_split, lcdb_limit, seed)
    elif domain == "chinchilla":
        df = _chinchilla()
    else:
        df = _read_long(CURVES / f"{domain}.csv")
    n_sizes = df.groupby("curve")["x"].transform("nunique")
    return df[n_sizes >= MIN_SIZES]


def _check_constant_per_curve(df: pd.DataFrame, where: str) -> None:
    """metric, direction, range and x name must be one value per curve; y inside its range."""
    per_curve = df.groupby("curve")[["metric", "higher_is_better", "lower", "upper", "x_name"]].nunique()
    bad = per_curve[(per_curve > 1).any(axis=1)]
    if len(bad):
        column = bad.columns[(bad.iloc[0] > 1).to_numpy()][0]
        raise sl.ScalingLabError(f"{where}, curve {bad.index[0]!r}: column {column!r} must be one value "
                                 "per curve")
    outside = df.index[(df["y"] < df["lower"]) | (df["y"] > df["upper"])]
    if len(outside):
        row = df.loc[outside[0]]
        raise sl.ScalingLabError(f"{where}, line {outside[0]} (curve {row['curve']!r}): y = {row['y']} "
                                 f"outside its range [{row['lower']}, {row['upper']}]")


def _curves(df: pd.DataFrame) -> dict[str, sl.Curve]:
    """One sl.Curve per curve of a long-format frame, points sorted by size then seed."""
    df = df.assign(curve=df["curve"].astype("category")).sort_values(["curve", "x", "seed"], kind="stable")
    codes = df["curve"].cat.codes.to_numpy()
    names = df["curve"].cat.categories.astype(str)[codes]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    x, y, seed, labels = df["x"].to_numpy(float), df["y"].to_numpy(float), df["seed"].to_numpy(), df.index.to_numpy()
    meta = df[["metric", "higher_is_better", "x_name"]].to_numpy()
    out = {}
    for lo, hi in zip(starts, np.r_[starts[1:], len(df)]):
        metric, higher, x_name = meta[lo]
        out[names[lo]] = sl.Curve(x[lo:hi], y[lo:hi], seed=seed[lo:hi], metric=str(metric),
                                  higher_is_better=bool(higher), x_names=(str(x_name),),
                                  labels=tuple(labels[lo:hi]))
    return out


def load(domains=None, *, lcdb_split: str = "eval", lcdb_limit: int | None = None,
         seed: int = 0) -> dict[str, dict[str, sl.Curve]]:
    """``{domain: {curve_name: sl.Curve}}`` for ``domains`` (default: all of ``DOMAINS``).

    Curves whose metric is higher-is-better (LCDB's accuracy) are converted by ``sl.Curve`` to
    1 − metric (error), so every curve is lower-is-better; ``info()`` keeps the range.
    ``lcdb_split``: "eval" (default), "calib" or "all" (halves of the OpenML datasets);
    ``lcdb_limit``: a subsample of that many LCDB curves, drawn with ``seed``.
    """
    return {domain: _curves(frame(domain, lcdb_split=lcdb_split, lcdb_limit=lcdb_limit, seed=seed))
            for domain in (DOMAINS if domains is None else domains)}


def info(domains=None, *, lcdb_split: str = "eval", lcdb_limit: int | None = None, seed: int = 0) -> pd.DataFrame:
    """One row per curve: domain, family, curve, metric (as recorded) and higher_is_better, the
    range of the curve's y after conversion to lower-is-better (``lower``, ``upper``;
    ``bounded`` when upper is finite), x_name, distinct sizes, points, x span in decades."""
    rows = []
    for domain in (DOMAINS if domains is None else domains):
        df = frame(domain, lcdb_split=lcdb_split, lcdb_limit=lcdb_limit, seed=seed)
        g = df.groupby("curve", sort=True)
        part = g.agg(metric=("metric", "first"), higher_is_better=("higher_is_better", "first"),
                     lower=("lower", "first"), upper=("upper", "first"), x_name=("x_name", "first"),
                     sizes=("x", "nunique"), points=("x", "size"), x_min=("x", "min"), x_max=("x", "max"))
        part.insert(0, "family", DOMAINS[domain].family)
        part.insert(0, "domain", domain)
        rows.append(part.reset_index())
    table = pd.concat(rows, ignore_index=True)
    # a higher-is-better metric in [lo, hi] becomes 1 - metric in [1 - hi, 1 - lo]
    flip = table["higher_is_better"].astype(bool)
    table.loc[flip, ["lower", "upper"]] = np.c_[1 - table.loc[flip, "upper"], 1 - table.loc[flip, "lower"]]
    table["bounded"] = np.isfinite(table["upper"].astype(float))
    table["decades"] = np.log10(table["x_max"] / table["x_min"])
    return table


def truth() -> pd.DataFrame:
    """The simulated curves' truth: curve, law, params (a dict), kind, noise settings."""
    df = pd.read_csv(CURVES / "simulated_truth.csv")
    df["params"] = df["params"].map(json.loads)
    return df


def train_sizes(curve: sl.Curve) -> int:
    """Number of distinct sizes the protocol fits on (the rest are predicted)."""
    return backtest_split(SizeStats.from_curve(curve))
