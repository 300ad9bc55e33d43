"""Neural data-scaling curves made with scalinglab's own runner (``sl.Study``) and torch adapter.

Two studies, each a grid of hidden widths × training-set sizes × 3 seeds, on CPU (one
thread), stored run by run in a SQLite store (default ``~/.cache/scalinglab/suite/neural.db``),
so an interrupted generation resumes where it stopped and a rerun trains nothing:

* ``pycorpus`` byte-level language model (``torch_adapter.byte_lm``: 8 bytes of context, a
  16-dimensional byte embedding, one hidden ReLU layer of ``width`` units, 256 logits) on
  windows of Python's own standard-library sources (``torch_adapter.byte_windows``, offline).
  A training set of D windows is D training tokens (each window predicts its next byte), seen
  once (one epoch, Adam, lr 3e-3, batch 64), as in Kaplan et al. 2020 / Hoffmann et al. 2022,
  where D counts the tokens trained on. Metric: log-loss on 10,000 held-out windows, nats per
  byte. Widths 2…256 (×2), D = 1,024…131,072 (×2).
* ``mnist1d`` MLP (``torch_adapter.mlp``, two hidden ReLU layers of ``width`` units) on the
  offline MNIST-1D-style generator (``datasets.mnist1d``, 12,000 sequences, 4,000 held out).
  Metric: error rate (1 − accuracy, bounded in [0, 1]). Training: at least 20 epochs and at
  least 200 optimiser steps (Adam, lr 3e-3, batch 128): a small training set still gets trained
  to fit (the adapter has a fixed number of epochs only, see ``StepBudget``). Widths 4…96,
  n = 50…6,400 (×2).

Exported (long format, one row per run) to four CSVs beside this script:
``lm_tokens.csv`` (one curve per width, x = tokens), ``lm_params.csv`` (one curve per D,
x = non-embedding parameters, Kaplan et al. 2020's count: the 256 × 16 embedding table
left out), ``mlp_samples.csv`` (one curve per width, x = samples) and ``mlp_params.csv`` (one
curve per n, x = parameters). The columns are described in README.md.

Run: OMP_NUM_THREADS=1 python benchmarks/curves/make_neural.py [--store PATH] [--only lm|mlp]
        [--n-jobs 1]
"""

from __future__ import annotations

import argparse
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

import scalinglab as sl
from scalinglab.experiment.datasets import mnist1d
from scalinglab.experiment.torch_adapter import TorchClassifier, byte_windows

HERE = Path(__file__).resolve().parent
STORE = Path.home() / ".cache" / "scalinglab" / "suite" / "neural.db"
SEEDS = (0, 1, 2)

LM_CONTEXT, LM_EMBED = 8, 16
LM_WINDOWS, LM_TEST = 146_000, 10_000                # 10,000 test windows, a pool of 136,000
LM_WIDTHS = (2, 4, 8, 16, 32, 64, 128, 256)
LM_SIZES = tuple(1024 * 2 ** k for k in range(8))     # 1,024 ... 131,072 tokens

MLP_SAMPLES, MLP_TEST_FRACTION = 12_000, 1 / 3        # 4,000 test sequences, a pool of 8,000
MLP_WIDTHS = (4, 6, 8, 12, 16, 24, 32, 48, 64, 96)
MLP_SIZES = tuple(50 * 2 ** k for k in range(8))      # 50 ... 6,400 samples


@dataclass(frozen=True)
class LMFactory:
    """Model-size factory of the language-model study: width -> a one-epoch byte LM."""

    lr: float = 3e-3
    batch_size: int = 64

    def __call__(self, width):
        return TorchClassifier(kind="byte_lm", width=int(width), epochs=1, batch_size=self.batch_size, lr=self.lr)


class StepBudget(BaseEstimator, ClassifierMixin):
    """A :class:`TorchClassifier` trained for ``max(epochs, ceil(min_steps / batches per
    epoch))`` epochs: at least ``epochs`` passes and at least ``min_steps`` optimiser steps,
    so that a training set of 50 samples (one batch per epoch) is fitted too. The adapter
    itself takes a fixed number of epochs only."""

    def __init__(self, width: int = 32, epochs: int = 20, min_steps: int = 200, batch_size: int = 128,
                 lr: float = 3e-3, random_state: int | None = None):
        self.width = width
        self.epochs = epochs
        self.min_steps = min_steps
        self.batch_size = batch_size
        self.lr = lr
        self.random_state = random_state

    def fit(self, X, y):
        batches = math.ceil(len(X) / self.batch_size)
        self.epochs_ = max(int(self.epochs), math.ceil(self.min_steps / batches))
        self.model_ = TorchClassifier(kind="mlp", width=self.width, epochs=self.epochs_, batch_size=self.batch_size,
                                      lr=self.lr, random_state=self.random_state).fit(X, y)
        self.classes_ = self.model_.classes_
        self.n_parameters_ = self.model_.n_parameters_
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


@dataclass(frozen=True)
class MLPFactory:
    """Model-size factory of the MNIST-1D study: width -> a step-budgeted MLP."""

    epochs: int = 20
    min_steps: int = 200
    batch_size: int = 128
    lr: float = 3e-3

    def __call__(self, width):
        return StepBudget(width=int(width), epochs=self.epochs, min_steps=self.min_steps,
                          batch_size=self.batch_size, lr=self.lr)


def lm_spec() -> sl.StudySpec:
    X, y = byte_windows(LM_WINDOWS, context=LM_CONTEXT, seed=0)
    return sl.StudySpec(name="suite-pycorpus-byte-lm-v1", X=X.astype(np.uint8), y=y, task="classification",
                        estimators={"byte_lm": LMFactory()}, model_sizes=list(LM_WIDTHS), sizes=list(LM_SIZES),
                        seeds=list(SEEDS), metric="log_loss", test_fraction=LM_TEST / LM_WINDOWS)


def mlp_spec() -> sl.StudySpec:
    X, y = mnist1d(MLP_SAMPLES, seed=0)
    return sl.StudySpec(name="suite-mnist1d-mlp-v1", X=X, y=y, task="classification",
                        estimators={"mlp": MLPFactory()}, model_sizes=list(MLP_WIDTHS), sizes=list(MLP_SIZES),
                        seeds=list(SEEDS), metric="error", test_fraction=MLP_TEST_FRACTION)


def runs_frame(study: sl.Study) -> pd.DataFrame:
    """Completed runs: width, size, seed, metric value, parameter count (sorted, store order ignored)."""
    df = study.frame()
    failed = df[df["status"] != "COMPLETE"]
    if len(failed):
        raise SystemExit(f"{study.spec.name}: {len(failed)} run(s) not complete; rerun to resume:\n"
                         f"{failed[['model_size', 'size', 'seed', 'status']].to_string()}")
    out = pd.DataFrame({"width": df["model_size"].map(json.loads).astype(int), "size": df["size"].astype(int),
                        "seed": df["seed"].astype(int), "y": df["value"].astype(float),
                        "n_parameters": df["params"].map(lambda p: json.loads(p)["n_parameters"]).astype(int)})
    return out.sort_values(["width", "size", "seed"], ignore_index=True)


def long_format(runs: pd.DataFrame, domain: str, by: str, x: str, x_name: str, metric: str, upper: float,
                label) -> pd.DataFrame:
    """One domain's rows: a curve per value of ``by``, x from column ``x``."""
    out = pd.DataFrame({"domain": domain, "curve": runs[by].map(label), "x": runs[x], "y": runs["y"],
                        "seed": runs["seed"], "metric": metric, "higher_is_better": False, "lower": 0.0,
                        "upper": upper, "x_name": x_name})
    extra = runs.drop(columns=["y", "seed"])
    return pd.concat([out, extra], axis=1).sort_values(["curve", "x", "seed"], kind="stable", ignore_index=True)


def export_lm(runs: pd.DataFrame) -> None:
    runs = runs.rename(columns={"size": "tokens"})
    runs["n_params_nonembedding"] = runs["n_parameters"] - 256 * LM_EMBED
    long_format(runs, "lm_tokens", "width", "tokens", "training tokens", "log_loss", np.inf,
                lambda w: f"width={w:03d}").to_csv(HERE / "lm_tokens.csv", index=False, float_format="%.10g")
    long_format(runs, "lm_params", "tokens", "n_params_nonembedding", "non-embedding parameters", "log_loss",
                np.inf, lambda d: f"tokens={d:06d}").to_csv(HERE / "lm_params.csv", index=False, float_format="%.10g")


def export_mlp(runs: pd.DataFrame) -> None:
    runs = runs.rename(columns={"size": "samples"})
    long_format(runs, "mlp_samples", "width", "samples", "training samples", "error", 1.0,
                lambda w: f"width={w:03d}").to_csv(HERE / "mlp_samples.csv", index=False, float_format="%.10g")
    long_format(runs, "mlp_params", "samples", "n_parameters", "parameters", "error", 1.0,
                lambda n: f"samples={n:04d}").to_csv(HERE / "mlp_params.csv", index=False, float_format="%.10g")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=str(STORE))
    parser.add_argument("--only", choices=("lm", "mlp"), default=None)
    parser.add_argument("--n-jobs", type=int, default=1)
    args = parser.parse_args()
    import torch
    torch.set_num_threads(1)
    Path(args.store).parent.mkdir(parents=True, exist_ok=True)
    jobs = {"lm": (lm_spec, export_lm), "mlp": (mlp_spec, export_mlp)}
    for key, (make_spec, export) in jobs.items():
        if args.only not in (None, key):
            continue
        t0 = time.perf_counter()
        study = sl.Study(make_spec(), store=f"sqlite:///{args.store}")
        summary = study.run(n_jobs=args.n_jobs, executor="serial" if args.n_jobs == 1 else "joblib",
                            progress=False)
        print(f"{study.spec.name}: {summary}")
        export(runs_frame(study))
        print(f"{key}: {time.perf_counter() - t0:.0f} s wall (this call), "
              f"{study.frame()['train_time'].sum():.0f} s of training in all runs")


if __name__ == "__main__":
    main()
