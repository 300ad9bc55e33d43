"""PyTorch adapter (extra: ``pip install 'scalinglab[torch]'``, CPU is enough).

* ``TorchClassifier``: a scikit-learn-compatible estimator around a module factory and a
  plain training loop (Adam, cross-entropy, mini-batches, fixed seed), so any ``nn.Module``
  runs inside a :class:`~scalinglab.Study` — with a model-size axis, a study gives the
  (N, D) grid that Kaplan and Chinchilla laws are fitted to.
* ``mlp`` and ``byte_lm``: module factories of a given width; ``n_parameters`` counts N.
* ``text_corpus`` / ``byte_windows``: an offline text corpus (Python's own standard-library
  sources, shipped with every Python) cut into (context, next byte) pairs for a small
  byte-level language model; its log-loss is the language-modelling loss in nats per byte.
"""

from __future__ import annotations

import sysconfig
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from ..errors import ScalingLabError


def _torch():
    try:
        import torch
    except ImportError:
        raise ScalingLabError("the torch adapter needs PyTorch: pip install 'scalinglab[torch]' "
                              "(CPU build: pip install torch==2.13.0)") from None
    return torch


def mlp(width: int, n_inputs: int, n_classes: int, depth: int = 2):
    """A ReLU MLP with ``depth`` hidden layers of ``width`` units."""
    nn = _torch().nn
    layers, size = [], n_inputs
    for _ in range(depth):
        layers += [nn.Linear(size, width), nn.ReLU()]
        size = width
    layers.append(nn.Linear(size, n_classes))
    return nn.Sequential(*layers)


def byte_lm(width: int, context: int, embed: int = 16):
    """A byte-level language model: embed each of ``context`` previous bytes, concatenate,
    one hidden ReLU layer of ``width`` units, logits over the next byte (256 classes)."""
    nn = _torch().nn

    class ByteLM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(256, embed)
            self.body = nn.Sequential(nn.Linear(context * embed, width), nn.ReLU(), nn.Linear(width, 256))

        def forward(self, x):
            return self.body(self.embed(x.long()).flatten(1))

    return ByteLM()


def n_parameters(module) -> int:
    """Trainable parameters N of a module."""
    return int(sum(p.numel() for p in module.parameters() if p.requires_grad))


class TorchClassifier(BaseEstimator, ClassifierMixin):
    """scikit-learn estimator training a torch module on CPU.

    Parameters
    ----------
    kind : "mlp" (features) or "byte_lm" (integer byte contexts)
    width : hidden width (the model-size axis)
    epochs, batch_size, lr : the training loop (Adam on cross-entropy)
    random_state : seeds torch, so a run is reproducible
    """

    def __init__(self, kind: str = "mlp", width: int = 64, epochs: int = 20, batch_size: int = 64,
                 lr: float = 1e-3, random_state: int | None = None):
        self.kind = kind
        self.width = width
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.random_state = random_state

    def _module(self, n_inputs: int):
        if self.kind == "mlp":
            return mlp(int(self.width), n_inputs, len(self.classes_))
        if self.kind == "byte_lm":
            return byte_lm(int(self.width), n_inputs)
        raise ScalingLabError(f"kind must be 'mlp' or 'byte_lm', got {self.kind!r}")

    def fit(self, X, y):
        torch = _torch()
        torch.manual_seed(0 if self.random_state is None else int(self.random_state))
        X = np.asarray(X)
        y = np.asarray(y)
        self.classes_ = np.arange(256) if self.kind == "byte_lm" else np.unique(y)
        targets = torch.as_tensor(np.searchsorted(self.classes_, y), dtype=torch.long)
        inputs = torch.as_tensor(X, dtype=torch.long if self.kind == "byte_lm" else torch.float32)
        if self.kind == "mlp":
            self.mean_, self.scale_ = X.mean(axis=0), X.std(axis=0) + 1e-8
            inputs = (inputs - torch.as_tensor(self.mean_, dtype=torch.float32)) / torch.as_tensor(
                self.scale_, dtype=torch.float32)
        self.module_ = self._module(X.shape[1])
        self.n_parameters_ = n_parameters(self.module_)
        optimiser = torch.optim.Adam(self.module_.parameters(), lr=self.lr)
        loss_fn = torch.nn.CrossEntropyLoss()
        generator = torch.Generator().manual_seed(0 if self.random_state is None else int(self.random_state))
        self.module_.train()
        for _ in range(int(self.epochs)):
            for batch in torch.randperm(len(targets), generator=generator).split(int(self.batch_size)):
                optimiser.zero_grad()
                loss_fn(self.module_(inputs[batch]), targets[batch]).backward()
                optimiser.step()
        return self

    def _logits(self, X):
        torch = _torch()
        X = np.asarray(X)
        inputs = torch.as_tensor(X, dtype=torch.long if self.kind == "byte_lm" else torch.float32)
        if self.kind == "mlp":
            inputs = (inputs - torch.as_tensor(self.mean_, dtype=torch.float32)) / torch.as_tensor(
                self.scale_, dtype=torch.float32)
        self.module_.eval()
        with torch.no_grad():
            return self.module_(inputs)

    def predict_proba(self, X):
        p = _torch().softmax(self._logits(X).double(), dim=1).numpy()
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X):
        return self.classes_[self._logits(X).argmax(dim=1).numpy()]


def text_corpus(max_bytes: int = 2_000_000) -> bytes:
    """Text that ships with every Python: the standard library's own sources (offline)."""
    root = Path(sysconfig.get_paths()["stdlib"])
    chunks, total = [], 0
    for path in sorted(root.glob("*.py")):
        data = path.read_bytes()
        chunks.append(data)
        total += len(data)
        if total >= max_bytes:
            break
    if not chunks:
        raise ScalingLabError(f"no Python sources found under {root}")
    return b"".join(chunks)[:max_bytes]


def byte_windows(n: int = 60_000, *, context: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(X, y): ``n`` random windows of ``context`` bytes from :func:`text_corpus` and the byte
    that follows each; a classification problem with 256 classes whose log-loss is the
    language model's loss in nats per byte."""
    text = np.frombuffer(text_corpus(), dtype=np.uint8)
    if len(text) <= context + n:
        raise ScalingLabError("corpus too small for that many windows")
    starts = np.random.default_rng(seed).choice(len(text) - context, size=n, replace=False)
    X = text[starts[:, None] + np.arange(context)]
    return X.astype(np.int64), text[starts + context].astype(np.int64)
