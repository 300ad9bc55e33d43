"""Transfer scaling on CPU (Hernandez et al. 2021's measurement, in miniature).

Pretrain a byte-level language model on one part of Python's own distribution — the
documentation prose of ``pydoc_data.topics`` (the text of ``help()``'s topics, English with
some code) — then fine-tune it on another part, the standard library's Python code (what
``sl.experiment.datasets`` calls ``pycorpus``), at several fine-tuning sizes D_F, for two
widths; and train the same models from scratch on the code at several sizes D. Then:

* one law per width fitted to the from-scratch curve (``law="auto"``, bootstrapped);
* ``sl.transfer.effective_data``: D_E (the from-scratch data that reach each fine-tuned loss)
  and D_T = D_E − D_F, with intervals;
* ``sl.transfer.fit_transfer``: D_T = k·D_F^α·N^β;
* ``sl.transfer.worth``: what the pretraining is worth in samples of code, and the share of the
  from-scratch data need for a target loss.

Protocol: every run trains for the same number of epochs (6) with Adam (lr 1e-3, batches of
64), so a small D also means few steps; from scratch and fine-tuned runs follow the same
protocol, so D_E compares like with like, but it is not Hernandez et al.'s early stopping.
N counts every trained parameter (embeddings included). Sizes are (8-byte context, next byte)
windows. Both studies are ``sl.Study`` runs on one SQLite store with the same split (one
held-out set of code windows); the pretrained start is passed to the torch adapter by a small
subclass (``WarmStart`` below) — what a transfer axis inside ``sl.Study`` will need.

Run: ``python examples/transfer_pycorpus.py [--out transfer-output]`` (one core, a few minutes).
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from functools import partial
from pathlib import Path

import numpy as np

import scalinglab as sl
from scalinglab.experiment.torch_adapter import TorchClassifier, byte_lm, n_parameters, text_corpus

CONTEXT = 8
WIDTHS = (32, 128)
EPOCHS = 6
SCRATCH_SIZES = sl.geometric(500, 2, 7)          # 500 ... 32,000 windows of code
FINETUNE_SIZES = sl.geometric(250, 2, 5)         # 250 ... 4,000: the low-data regime
SEEDS = (0, 1)
PRETRAIN_WINDOWS = 40_000


def _torch():
    import torch
    torch.set_num_threads(1)
    return torch


class WarmStart(TorchClassifier):
    """TorchClassifier whose module starts from saved weights (``init``: a state_dict file)."""

    def __init__(self, kind: str = "byte_lm", width: int = 64, epochs: int = EPOCHS, batch_size: int = 64,
                 lr: float = 1e-3, random_state: int | None = None, init: str | None = None):
        super().__init__(kind=kind, width=width, epochs=epochs, batch_size=batch_size, lr=lr,
                         random_state=random_state)
        self.init = init

    def _module(self, n_inputs: int):
        module = super()._module(n_inputs)
        if self.init is not None:
            module.load_state_dict(_torch().load(self.init))
        return module


def windows(text: bytes, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random (context, next byte) windows of ``text``."""
    data = np.frombuffer(text, dtype=np.uint8)
    starts = np.random.default_rng(seed).choice(len(data) - CONTEXT, size=n, replace=False)
    return data[starts[:, None] + np.arange(CONTEXT)].astype(np.int64), data[starts + CONTEXT].astype(np.int64)


def documentation_text() -> bytes:
    """The prose of Python's help topics (ships with every Python: pydoc_data/topics.py)."""
    from pydoc_data.topics import topics
    return "\n".join(topics[k] for k in sorted(topics)).encode("utf-8")


def pretrain(out: Path, width: int) -> Path:
    X, y = windows(documentation_text(), PRETRAIN_WINDOWS, seed=1)
    model = TorchClassifier("byte_lm", width=width, epochs=EPOCHS, random_state=0).fit(X, y)
    path = out / f"pretrained_w{width}.pt"
    _torch().save(model.module_.state_dict(), path)
    return path


def make_lm(width, init_dir: Path | None = None):
    init = None if init_dir is None else str(init_dir / f"pretrained_w{width}.pt")
    return WarmStart(width=int(width), init=init)


def run(out: Path) -> dict:
    _torch()
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    for w in WIDTHS:
        if not (out / f"pretrained_w{w}.pt").exists():
            pretrain(out, w)
    t_pre = time.perf_counter() - t0
    X, y = windows(text_corpus(), 36_000, seed=0)     # code windows: 10 % held out (3,600), the rest a pool
    store = f"sqlite:///{out / 'transfer.db'}"
    common = dict(X=X, y=y, model_sizes=list(WIDTHS), seeds=list(SEEDS), metric="log_loss", test_fraction=0.1,
                  task="classification")
    scratch = sl.Study(sl.StudySpec(name="from-scratch", estimators={"lm": partial(make_lm)}, sizes=SCRATCH_SIZES,
                                    **common), store=store)
    tuned = sl.Study(sl.StudySpec(name="fine-tuned", estimators={"lm": partial(make_lm, init_dir=out)},
                                  sizes=FINETUNE_SIZES, **common), store=store)
    t1 = time.perf_counter()
    print(scratch.run(executor="serial", progress=False))
    t_scratch = time.perf_counter() - t1
    t1 = time.perf_counter()
    print(tuned.run(executor="serial", progress=False))
    t_tuned = time.perf_counter() - t1
    n_of = {w: n_parameters(byte_lm(w, CONTEXT)) for w in WIDTHS}
    scratch_curves, tuned_curves = scratch.curves(), tuned.curves()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        fits = {n_of[w]: sl.fit(scratch_curves[f"lm[{w}]"], law="auto").bootstrap(1000, seed=0) for w in WIDTHS}
    parts = [tuned_curves[f"lm[{w}]"] for w in WIDTHS]
    finetuned = sl.Curve(np.concatenate([np.c_[np.full(c.n, n_of[w]), c.x] for w, c in zip(WIDTHS, parts)]),
                         np.concatenate([c.y for c in parts]), seed=np.concatenate([c.seed for c in parts]),
                         metric="log_loss", x_names=("N", "D_F"))
    eff = sl.transfer.effective_data(fits, finetuned)
    tfit = sl.transfer.fit_transfer(eff)
    big = n_of[WIDTHS[-1]]
    target = float(np.mean(scratch_curves[f"lm[{WIDTHS[-1]}]"].y[scratch_curves[f"lm[{WIDTHS[-1]}]"].x
                                                                  == max(SCRATCH_SIZES)]))
    worth = sl.transfer.worth(tfit, 1000, n=big, target=target)
    return dict(fits=fits, eff=eff, tfit=tfit, worth=worth, n_of=n_of, target=target,
                seconds={"pretrain": t_pre, "from_scratch": t_scratch, "fine_tune": t_tuned,
                         "total": time.perf_counter() - t0},
                scratch_means={w: scratch_curves[f"lm[{w}]"].mean_by_size() for w in WIDTHS},
                tuned_means={w: tuned_curves[f"lm[{w}]"].mean_by_size() for w in WIDTHS})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("transfer-output"))
    args = parser.parse_args()
    r = run(args.out)
    for w in WIDTHS:
        s, t = r["scratch_means"][w], r["tuned_means"][w]
        print(f"width {w} (N = {r['n_of'][w]:,}): from scratch " +
              ", ".join(f"{x:,.0f}: {v:.3f}" for x, v in zip(s.x, s.y)) + " | fine-tuned " +
              ", ".join(f"{x:,.0f}: {v:.3f}" for x, v in zip(t.x, t.y)))
        print(f"  from-scratch law: {r['fits'][r['n_of'][w]]}")
    cols = ["N", "D_F", "loss", "D_E", "D_E_lo", "D_E_hi", "D_T", "D_T_lo", "D_T_hi", "multiplier", "status"]
    print(r["eff"].table[cols].to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
    print(r["eff"])
    print(r["tfit"])
    for w in r["tfit"].warnings:
        print("note:", w)
    print(r["worth"])
    print("seconds:", {k: round(v) for k, v in r["seconds"].items()})
    (args.out / "transfer_answers.json").write_text(json.dumps(
        {"effective": r["eff"].to_dict(), "fit": r["tfit"].to_dict(), "worth": r["worth"].to_dict(),
         "target": r["target"], "n_parameters": r["n_of"], "seconds": r["seconds"]}, indent=1))


if __name__ == "__main__":
    main()
