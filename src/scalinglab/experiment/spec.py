"""What a data-scaling study is: ``StudySpec`` (Python or a TOML file) and ``geometric`` sizes."""

from __future__ import annotations

import importlib
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ScalingLabError
from . import datasets

METRICS = ("error", "log_loss", "rmse", "mse")


def geometric(base: int, factor: float = 2.0, count: int = 8, *, maximum: int | None = None) -> list[int]:
    """Sizes base·factor^k (Hestness et al. 2017 grow training sets by powers of two),
    rounded, distinct, and capped at ``maximum`` (which is appended when the cap cuts in).

    >>> geometric(25, 2, 7, maximum=1000)
    [25, 50, 100, 200, 400, 800, 1000]
    """
    if base < 1 or factor <= 1 or count < 1:
        raise ScalingLabError("geometric sizes need base >= 1, factor > 1 and count >= 1")
    sizes = sorted({int(round(base * factor ** k)) for k in range(count)})
    if maximum is not None:
        capped = [s for s in sizes if s < maximum]
        sizes = capped + [int(maximum)] if len(capped) < len(sizes) else capped
    return sizes


@dataclass
class StudySpec:
    """A data-scaling study (Hestness et al. 2017's recipe).

    Parameters
    ----------
    name : str
        Identifies the study in the store (resuming = running the same name again).
    X, y : arrays, or ``dataset`` : name of a built-in offline dataset
    estimators : mapping name -> scikit-learn estimator (cloned per run) or factory
        ``f(model_size) -> estimator`` when ``model_sizes`` is given.
    sizes : list of training-set sizes, or a dict {base, factor, count} for ``geometric``;
        capped at the training pool (a warning in the summary says so).
    seeds : one shuffled order of the training pool per seed; the size-n set is its first n
        (stratified for classification).
    metric : "error" (1 - accuracy), "log_loss", "rmse", "mse", or a callable
        ``f(estimator, X_test, y_test) -> float`` (lower is better).
    test_fraction : share held out once, shared by every size and seed.
    model_sizes : optional model-size axis (e.g. hidden widths) for joint laws.
    search : optional per-size hyperparameter search with Optuna,
        ``{"trials": 10, "space": {estimator: {param: [low, high, "log"|"int"] or {"choices": [...]}}}}``;
        the best trial (on a validation split of the size-n set) becomes the size's point.
    """

    name: str
    estimators: Mapping[str, object]
    X: np.ndarray | None = None
    y: np.ndarray | None = None
    dataset: str | None = None
    sizes: Sequence[int] | Mapping = field(default_factory=lambda: {"base": 25, "factor": 2, "count": 7})
    seeds: Sequence[int] = (0, 1, 2)
    metric: str | Callable = "error"
    test_fraction: float = 0.3
    task: str | None = None
    model_sizes: Sequence | None = None
    search: Mapping | None = None
    split_seed: int = 12345

    def __post_init__(self):
        if not self.name or not isinstance(self.name, str):
            raise ScalingLabError("a study needs a name (string)")
        if (self.X is None) == (self.dataset is None):
            raise ScalingLabError("give X and y, or dataset= (one of " + ", ".join(datasets.DATASETS) + ")")
        if self.dataset is not None:
            self.X, self.y, task = datasets.load(self.dataset)
            self.task = self.task or task
        self.X = np.asarray(self.X)
        self.y = np.asarray(self.y)
        if self.X.ndim != 2 or len(self.X) != len(self.y):
            raise ScalingLabError(f"X must be 2-D with one row per label; got X {self.X.shape}, y {self.y.shape}")
        if self.task is None:
            self.task = "classification" if (self.y.dtype.kind in "biuOUS" and len(np.unique(self.y)) <= 100) \
                else "regression"
        if self.task not in ("classification", "regression"):
            raise ScalingLabError(f"task must be classification or regression, got {self.task!r}")
        if not self.estimators:
            raise ScalingLabError("estimators must name at least one estimator")
        if not callable(self.metric) and self.metric not in METRICS:
            raise ScalingLabError(f"metric must be one of {METRICS} or a callable, got {self.metric!r}")
        if not 0 < self.test_fraction < 1:
            raise ScalingLabError(f"test_fraction must be between 0 and 1, got {self.test_fraction!r}")
        if isinstance(self.sizes, Mapping):
            self.sizes = geometric(**self.sizes)
        self.sizes = [int(s) for s in self.sizes]
        if not self.sizes or min(self.sizes) < 2:
            raise ScalingLabError(f"sizes must be whole numbers >= 2, got {self.sizes!r}")
        self.seeds = [int(s) for s in self.seeds]
        if not self.seeds:
            raise ScalingLabError("give at least one seed")

    @property
    def metric_name(self) -> str:
        return self.metric if isinstance(self.metric, str) else getattr(self.metric, "__name__", "custom")

    def describe(self) -> dict:
        """Plain data stored with the study."""
        return {"name": self.name, "dataset": self.dataset, "n": int(len(self.y)), "task": self.task,
                "estimators": {k: repr(v) for k, v in self.estimators.items()}, "sizes": list(self.sizes),
                "seeds": list(self.seeds), "metric": self.metric_name, "test_fraction": self.test_fraction,
                "model_sizes": None if self.model_sizes is None else [repr(m) for m in self.model_sizes],
                "search": self.search, "split_seed": self.split_seed}

    @classmethod
    def from_toml(cls, path: str | Path) -> "StudySpec":
        """Read a spec; estimators are ``{class = "module.Class", params = {...}}`` tables."""
        path = Path(path)
        if not path.exists():
            raise ScalingLabError(f"spec file not found: {path}")
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        estimators = {}
        for name, entry in data.pop("estimators", {}).items():
            if "class" not in entry:
                raise ScalingLabError(f"estimator {name!r} in {path} needs class = 'module.Class'")
            estimators[name] = _instantiate(entry["class"], entry.get("params", {}), where=f"{path}: {name}")
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known
        if unknown:
            raise ScalingLabError(f"{path}: unknown keys {sorted(unknown)}; allowed: {sorted(known - {'X', 'y'})}")
        return cls(estimators=estimators, **data)


def _instantiate(dotted: str, params: Mapping, where: str):
    module_name, _, class_name = dotted.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ScalingLabError(f"{where}: cannot import {dotted!r} ({exc})") from None
    try:
        return cls(**params)
    except TypeError as exc:
        raise ScalingLabError(f"{where}: bad parameters for {dotted}: {exc}") from None
