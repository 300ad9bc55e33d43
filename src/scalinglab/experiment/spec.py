"""What a data-scaling study is: ``StudySpec`` (Python or a TOML file) and ``geometric`` sizes.

A spec is validated completely when it is made, from Python or TOML: a spec that could never
run (a metric the task or estimator cannot give, a model-size axis without a factory, a seed
that is not a whole number, a key the spec does not know) is refused with a message naming
the key, never truncated, coerced or dropped.

A TOML spec is code: it names classes that scalinglab imports (importing a module runs it), so
run only specs you trust. It never *calls* anything but the constructor of a scikit-learn
estimator class (a subclass of ``sklearn.base.BaseEstimator``, which includes the project's
own ``TorchClassifier``); ``class = "os.system"`` is refused before anything is called.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import math
import numbers
import re
import tomllib
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ScalingLabError
from . import axes, datasets

METRICS = ("error", "log_loss", "rmse", "mse")
CLASSIFICATION_METRICS = ("error", "log_loss")
#: The most sizes ``geometric`` makes: a learning curve needs tens of sizes, and each size is one
#: run per seed and estimator, so thousands are a typo (and would schedule that many runs).
MAX_GEOMETRIC_COUNT = 1000
_MAX_SEED = 2**32 - 1                     # numpy's and scikit-learn's random_state range
_MAX_SIZE = 2**53                         # beyond this a float no longer holds every integer
_TOML_ESTIMATOR_KEYS = ("class", "params")
_SEARCH_KEYS = ("trials", "space")
_GEOMETRIC_KEYS = ("base", "factor", "count", "maximum")


def _whole(value, what: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an int if it is a whole number (an int, or a float with no fraction), else
    a ScalingLabError naming ``what``: 10.7 is never truncated to 10, "12" never read as 12."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ScalingLabError(f"{what} must be a whole number, got {value!r} ({type(value).__name__})")
    if isinstance(value, numbers.Integral):
        out = int(value)
    elif math.isfinite(float(value)) and float(value).is_integer():
        out = int(value)
    else:
        raise ScalingLabError(f"{what} must be a whole number, got {value!r}")
    if minimum is not None and out < minimum:
        raise ScalingLabError(f"{what} must be >= {minimum}, got {out}")
    if maximum is not None and out > maximum:
        raise ScalingLabError(f"{what} must be <= {maximum}, got {out}")
    return out


def _real(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise ScalingLabError(f"{what} must be a finite number, got {value!r}")
    return float(value)


def _list_of_whole(values, what: str, minimum: int, maximum: int | None = None) -> list[int]:
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, (Sequence, np.ndarray)):
        raise ScalingLabError(f"{what} must be a list of whole numbers, got {values!r}")
    out = [_whole(v, f"{what}[{i}]", minimum, maximum) for i, v in enumerate(values)]
    if not out:
        raise ScalingLabError(f"{what} must not be empty")
    repeated = sorted({v for v in out if out.count(v) > 1})
    if repeated:
        raise ScalingLabError(f"{what} repeat {repeated}: each value names one set of runs")
    return out


def geometric(base: int, factor: float = 2.0, count: int = 8, *, maximum: int | None = None) -> list[int]:
    """Sizes base·factor^k, k < count (Hestness et al. 2017 grow training sets by powers of
    two), rounded, distinct, and capped at ``maximum`` (which is appended when the cap cuts in).
    At most :data:`MAX_GEOMETRIC_COUNT` sizes; sizes past 2^53 are refused.

    >>> geometric(25, 2, 7, maximum=1000)
    [25, 50, 100, 200, 400, 800, 1000]
    """
    base = _whole(base, "geometric base", 1)
    factor = _real(factor, "geometric factor")
    count = _whole(count, "geometric count", 1, MAX_GEOMETRIC_COUNT)
    maximum = None if maximum is None else _whole(maximum, "geometric maximum", 1)
    if factor <= 1:
        raise ScalingLabError(f"geometric factor must be > 1, got {factor!r}")
    sizes, value = set(), float(base)
    for k in range(count):                      # floats, step by step: never an integer of 2^100000
        if maximum is not None and value >= maximum:
            sizes.add(maximum)
            break
        if value > _MAX_SIZE:
            raise ScalingLabError(f"geometric sizes pass 2^53 at step {k} (base {base}, factor {factor}); "
                                  "lower count or give maximum")
        sizes.add(int(round(value)))
        value *= factor
    return sorted(sizes)


def _sizes(value) -> list[int]:
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - set(_GEOMETRIC_KEYS))
        if unknown:
            raise ScalingLabError(f"sizes: unknown keys {unknown} for geometric sizes; allowed: {list(_GEOMETRIC_KEYS)}")
        if "base" not in value:
            raise ScalingLabError("sizes as a table needs base (and optionally factor, count, maximum)")
        return geometric(**value)
    return _list_of_whole(value, "sizes", 2, _MAX_SIZE)


def _is_estimator(obj) -> bool:
    """An estimator instance (not a class, not a factory)."""
    return not isinstance(obj, type) and all(hasattr(obj, a) for a in ("fit", "predict", "get_params"))


def _check_search(search, estimators: Mapping) -> None:
    if not isinstance(search, Mapping):
        raise ScalingLabError(f"search must be a table {{trials, space}}, got {search!r}")
    unknown = sorted(set(search) - set(_SEARCH_KEYS))
    if unknown:
        raise ScalingLabError(f"search: unknown keys {unknown}; allowed: {list(_SEARCH_KEYS)}")
    _whole(search.get("trials", 10), "search.trials", 1)
    space = search.get("space", {})
    if not isinstance(space, Mapping) or not space:
        raise ScalingLabError("search.space must name, per estimator, the parameters to search")
    for name, params in space.items():
        if name not in estimators:
            raise ScalingLabError(f"search.space names estimator {name!r}, which the spec does not have "
                                  f"(estimators: {list(estimators)})")
        if not isinstance(params, Mapping) or not params:
            raise ScalingLabError(f"search.space.{name} must map parameter names to ranges")
        for param, rule in params.items():
            where = f"search.space.{name}.{param}"
            if isinstance(rule, Mapping):
                if set(rule) != {"choices"} or isinstance(rule["choices"], (str, Mapping)) \
                        or not isinstance(rule["choices"], Sequence) or not rule["choices"]:
                    raise ScalingLabError(f"{where} must be {{choices = [...]}} with at least one choice")
                continue
            if isinstance(rule, (str, bytes)) or not isinstance(rule, Sequence) or len(rule) not in (2, 3):
                raise ScalingLabError(f"{where} must be [low, high] or [low, high, 'log'|'int'|'linear'], got {rule!r}")
            kind = rule[2] if len(rule) == 3 else "linear"
            if kind not in ("linear", "log", "int"):
                raise ScalingLabError(f"{where}: kind must be 'linear', 'log' or 'int', got {kind!r}")
            low, high = (_whole(v, where) if kind == "int" else _real(v, where) for v in rule[:2])
            if not low < high:
                raise ScalingLabError(f"{where}: low must be below high, got [{low}, {high}]")
            if kind == "log" and low <= 0:
                raise ScalingLabError(f"{where}: a log range needs low > 0, got {low}")


def _digest(*arrays: np.ndarray) -> str:
    """A hash of arrays' contents, shapes and dtypes (object arrays hashed by value)."""
    h = hashlib.sha256()
    for a in arrays:
        a = np.asarray(a)
        h.update(f"{a.shape}{a.dtype.str}".encode())
        h.update(pd.util.hash_array(a.ravel()).tobytes() if a.dtype.kind == "O" else np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:16]


def canonical(obj) -> str:
    """A text that names what ``obj`` computes and is the same in every process: an estimator
    as class(parameters...), recursively; a function or class by its import path; an array by
    a hash of its contents (reprs with memory addresses never get in)."""
    if _is_estimator(obj):
        params = obj.get_params(deep=False)
        inner = ", ".join(f"{k}={canonical(params[k])}" for k in sorted(params))
        return f"{type(obj).__module__}.{type(obj).__qualname__}({inner})"
    if isinstance(obj, np.ndarray):
        return f"array({_digest(obj)})"
    if isinstance(obj, Mapping):
        return "{" + ", ".join(f"{k!r}: {canonical(obj[k])}" for k in sorted(obj, key=str)) + "}"
    if isinstance(obj, (list, tuple)):
        return "[" + ", ".join(canonical(v) for v in obj) + "]"
    if isinstance(obj, functools.partial):
        return f"partial({canonical(obj.func)}, {canonical(list(obj.args))}, {canonical(obj.keywords)})"
    if isinstance(obj, (types.FunctionType, types.MethodType)):
        # a function by its import path, default arguments and the values it closes over (its
        # body is identified by its name only: a bytecode hash would change with Python itself)
        cells = [c.cell_contents for c in (obj.__closure__ or ()) if c.cell_contents is not obj]
        return (f"{obj.__module__}.{obj.__qualname__}(defaults={canonical(list(obj.__defaults__ or ()))}, "
                f"closure={canonical(cells)})")
    if isinstance(obj, (type, types.BuiltinFunctionType)):
        return f"{obj.__module__}.{obj.__qualname__}"
    if callable(obj):                 # a factory object (a dataclass, say): its class and its state
        return f"{type(obj).__module__}.{type(obj).__qualname__}({canonical(getattr(obj, '__dict__', {}))})"
    return re.sub(r" at 0x[0-9a-fA-F]+", "", repr(obj))      # the same object in every process


@dataclass
class StudySpec:
    """A data-scaling study (Hestness et al. 2017's recipe).

    Parameters
    ----------
    name : str
        Identifies the study in the store (resuming = running the same name again).
    X, y : arrays, or ``dataset`` : name of a built-in offline dataset
    estimators : mapping name -> scikit-learn estimator (cloned per run), or a factory
        ``f(model_size) -> estimator`` (``f() -> estimator`` without ``model_sizes``).
    sizes : list of training-set sizes (whole numbers >= 2), or a dict {base, factor, count,
        maximum} for ``geometric``; capped at the training pool (the summary says so).
    seeds : whole numbers in [0, 2^32 - 1]; one shuffled order of the training pool per seed,
        the size-n set is its first n (stratified for classification).
    metric : "error" (1 - accuracy) or "log_loss" for classification, "rmse" or "mse" for
        regression, any scikit-learn scorer name ("accuracy", "roc_auc", "f1_macro", "r2",
        "neg_log_loss", ...; the direction and range come from the scorer, a negated loss is
        stored as the loss: see :mod:`scalinglab.scorers`), or a callable
        ``f(estimator, X_test, y_test) -> float`` (lower is better).
        Default: "error" for a classification task, "rmse" for regression.
    test_fraction : share held out once, shared by every size and seed.
    model_sizes : optional model-size axis (e.g. hidden widths) for joint laws; the
        estimators are then factories.
    search : optional per-size hyperparameter search with Optuna,
        ``{"trials": 10, "space": {estimator: {param: [low, high, "log"|"int"] or {"choices": [...]}}}}``;
        the best trial (on a validation split of the size-n set) becomes the size's point.
    quality : optional data-quality axis next to size (see :mod:`scalinglab.experiment.axes`):
        ``{"kind": "label_noise" | "feature_noise", "levels": [0, 0.1, 0.2]}`` (the share of
        training labels / feature entries degraded; the test set stays clean) or ``{"kind":
        "filter", "scores": [one per row], "levels": [thresholds]}``. Curves are named per level,
        ``NAME@noise=0.1`` (``@corrupt=``, ``@quality>=``).
    starts : optional starting-point axis, ``{"scratch": None, "pretrained": START}`` with START a
        mapping of estimator parameters (e.g. a torch adapter's ``init``) or a callable
        ``f(estimator) -> estimator``; curves ``NAME@start=pretrained``.
    """

    name: str
    estimators: Mapping[str, object]
    X: np.ndarray | None = None
    y: np.ndarray | None = None
    dataset: str | None = None
    sizes: Sequence[int] | Mapping = field(default_factory=lambda: {"base": 25, "factor": 2, "count": 7})
    seeds: Sequence[int] = (0, 1, 2)
    metric: str | Callable | None = None
    test_fraction: float = 0.3
    task: str | None = None
    model_sizes: Sequence | None = None
    search: Mapping | None = None
    split_seed: int = 12345
    quality: Mapping | None = None
    starts: Mapping | None = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip() or len(self.name) > 255:
            raise ScalingLabError(f"a study needs a name (a string of 1 to 255 characters), got {self.name!r}")
        self._data()
        self.sizes = _sizes(self.sizes)
        self.seeds = _list_of_whole(self.seeds, "seeds", 0, _MAX_SEED)
        self.split_seed = _whole(self.split_seed, "split_seed", 0, _MAX_SEED)
        self.test_fraction = _real(self.test_fraction, "test_fraction")
        if not 0 < self.test_fraction < 1:
            raise ScalingLabError(f"test_fraction must be between 0 and 1, got {self.test_fraction!r}")
        if self.model_sizes is not None:
            if isinstance(self.model_sizes, (str, Mapping)) or not isinstance(self.model_sizes, Sequence) \
                    or not self.model_sizes:
                raise ScalingLabError(f"model_sizes must be a non-empty list, got {self.model_sizes!r}")
            try:
                keys = [json.dumps(m, allow_nan=False) for m in self.model_sizes]
            except (TypeError, ValueError):
                keys = [None]
            if None in keys or any(len(k) > 64 for k in keys) or len(set(keys)) < len(keys):
                raise ScalingLabError("model_sizes must be distinct plain values (numbers, short lists), "
                                      f"got {self.model_sizes!r}")
            self.model_sizes = list(self.model_sizes)
        self._metric()
        self._estimators()
        self.quality = axes.check_quality(self.quality, self.task, len(self.y))
        self.starts = axes.check_starts(self.starts)
        if self.quality is not None or self.starts is not None:
            bad = [name for name in self.estimators if axes.SEPARATOR in name]
            if bad:
                raise ScalingLabError(f"estimator names {bad} hold {axes.SEPARATOR!r}, which a study with a quality or "
                                      "starts axis uses to name its curves (NAME@noise=0.1): rename them")
        if self.search is not None:
            _check_search(self.search, self.estimators)

    def _data(self) -> None:
        if (self.X is None) == (self.dataset is None):
            raise ScalingLabError("give X and y, or dataset= (one of " + ", ".join(datasets.DATASETS) + ")")
        if self.dataset is not None:
            if not isinstance(self.dataset, str):
                raise ScalingLabError(f"dataset must be a name, one of {', '.join(datasets.DATASETS)}; "
                                      f"got {self.dataset!r}")
            self.X, self.y, task = datasets.load(self.dataset)
            self.task = self.task or task
        if self.y is None:
            raise ScalingLabError("X was given without y")
        self.X = np.asarray(self.X)
        self.y = np.asarray(self.y)
        if self.X.ndim != 2 or self.y.ndim != 1 or len(self.X) != len(self.y) or len(self.y) < 4:
            raise ScalingLabError(f"X must be 2-D with one row per label (y 1-D, at least 4 rows); "
                                  f"got X {self.X.shape}, y {self.y.shape}")
        if self.task is None:
            self.task = "classification" if (self.y.dtype.kind in "biuOUS" and len(np.unique(self.y)) <= 100) \
                else "regression"
        if self.task not in ("classification", "regression"):
            raise ScalingLabError(f"task must be 'classification' or 'regression', got {self.task!r}")
        if self.task == "regression" and self.y.dtype.kind not in "biuf":
            raise ScalingLabError(f"a regression task needs numeric y, got dtype {self.y.dtype}")

    def _metric(self) -> None:
        if self.metric is None:
            self.metric = "error" if self.task == "classification" else "rmse"
        if callable(self.metric):
            # A study reopened from its store knows the metric by name only: a callable named like
            # a scikit-learn scorer would come back as that scorer, with its direction.
            name = self.metric_name
            if name not in METRICS:
                from ..scorers import scorer_names
                if name in scorer_names():
                    raise ScalingLabError(
                        f"the callable metric is named {name!r}, like scikit-learn's scorer: a study reopened "
                        f"from its store would read its runs with that scorer's direction (a callable metric "
                        f"is a loss, lower is better); give metric={name!r} to use the scorer, or rename the "
                        f"function")
            return
        if not isinstance(self.metric, str):
            raise ScalingLabError(f"metric must be one of {METRICS}, a scikit-learn scorer name or a callable, "
                                  f"got {self.metric!r}")
        if self.metric not in METRICS:
            scorer = _scorer(self.metric)
            if scorer.task != self.task:
                raise ScalingLabError(f"metric {self.metric!r} is a {scorer.task} scorer, but this study's task is "
                                      f"{self.task} (dataset {self.dataset or 'X, y'})")
            return
        if self.metric in CLASSIFICATION_METRICS and self.task != "classification":
            raise ScalingLabError(f"metric {self.metric!r} needs a classification task, but this study's task is "
                                  f"{self.task} (dataset {self.dataset or 'X, y'}): use metric 'rmse' or 'mse'")

    def _estimators(self) -> None:
        from sklearn.base import is_classifier, is_regressor
        if not isinstance(self.estimators, Mapping) or not self.estimators:
            raise ScalingLabError("estimators must map at least one name to an estimator")
        for name, template in self.estimators.items():
            where = f"estimator {name!r}"
            if not isinstance(name, str) or not name.strip() or len(name) > 255:
                raise ScalingLabError(f"estimator names must be strings of 1 to 255 characters, got {name!r}")
            if self.model_sizes is not None:
                if _is_estimator(template) or not callable(template):
                    raise ScalingLabError(f"{where}: model_sizes needs a factory f(model_size) -> estimator, "
                                          f"got the estimator {type(template).__name__} itself")
                try:
                    est = template(self.model_sizes[0])
                except Exception as error:          # noqa: BLE001 - user code; said in the message
                    raise ScalingLabError(f"{where}: the factory failed for model size {self.model_sizes[0]!r}: "
                                          f"{type(error).__name__}: {error}") from None
            elif _is_estimator(template):
                est = template
            elif callable(template):
                try:
                    est = template()
                except Exception as error:          # noqa: BLE001
                    raise ScalingLabError(f"{where}: the factory failed: {type(error).__name__}: {error}") from None
            else:
                raise ScalingLabError(f"{where} must be a scikit-learn estimator (with fit, predict and "
                                      f"get_params) or a factory, got {type(template).__name__}")
            if not _is_estimator(est):
                raise ScalingLabError(f"{where} is not a scikit-learn estimator (needs fit, predict and get_params); "
                                      f"got {type(est).__name__}")
            if callable(self.metric):
                continue
            if self.metric == "log_loss" and not hasattr(est, "predict_proba"):
                raise ScalingLabError(f"{where} ({type(est).__name__}) has no predict_proba: metric 'log_loss' "
                                      "needs class probabilities")
            if self.metric not in METRICS:
                needs = _scorer(self.metric).needs()
                if not any(hasattr(est, method) for method in needs):
                    raise ScalingLabError(f"{where} ({type(est).__name__}) has no {' or '.join(needs)}: scorer "
                                          f"{self.metric!r} needs it")
            if self.task == "classification" and is_regressor(est):
                raise ScalingLabError(f"{where} ({type(est).__name__}) is a regressor; this study's task is "
                                      "classification")
            if self.task == "regression" and is_classifier(est):
                raise ScalingLabError(f"{where} ({type(est).__name__}) is a classifier; this study's task is "
                                      "regression")

    @property
    def metric_name(self) -> str:
        """The metric as the spec names it (a scorer's own name, e.g. "neg_log_loss")."""
        return self.metric if isinstance(self.metric, str) else getattr(self.metric, "__name__", "custom")

    @property
    def metric_info(self):
        """What the runs store and the curves carry: name, direction and range (:func:`study_metric`;
        a callable is lower-is-better whatever its name)."""
        if callable(self.metric):
            from ..metric import Metric
            return Metric.resolve(self.metric_name)
        return study_metric(self.metric_name)

    def describe(self) -> dict:
        """Plain data stored with the study."""
        return {"name": self.name, "dataset": self.dataset, "n": int(len(self.y)), "task": self.task,
                "estimators": {k: repr(v) for k, v in self.estimators.items()}, "sizes": list(self.sizes),
                "seeds": list(self.seeds), "metric": self.metric_name, "test_fraction": self.test_fraction,
                "model_sizes": None if self.model_sizes is None else [repr(m) for m in self.model_sizes],
                "search": self.search, "split_seed": self.split_seed,
                "quality": axes.describe_quality(self.quality),
                "starts": None if self.starts is None else list(self.starts)}

    def fingerprint(self) -> dict[str, str]:
        """Everything that determines a run's result, one entry per part: the data, the task,
        the split, the metric, the search, and each estimator (``"estimator NAME"``). Sizes,
        seeds and model sizes are left out: extending them adds runs without changing any."""
        out = {"data": _digest(self.X, self.y), "task": self.task, "test_fraction": repr(self.test_fraction),
               "split_seed": str(self.split_seed), "metric": canonical(self.metric),
               "search": "none" if self.search is None else canonical(dict(self.search)),
               "model_axis": "no" if self.model_sizes is None else "yes"}
        for name, template in self.estimators.items():
            out[f"estimator {name}"] = canonical(template)
        # axes only when present: a study without them keeps the fingerprint it always had
        if self.quality is not None:
            out["quality_axis"] = axes.quality_fingerprint(self.quality)
        if self.starts is not None:
            out["starts_axis"] = "yes"
            for name, start in self.starts.items():
                out[f"start {name}"] = canonical(start)
        return out

    @classmethod
    def from_toml(cls, path: str | Path) -> "StudySpec":
        """Read a spec; estimators are ``[estimators.NAME]`` tables with ``class = "module.Class"``
        (a scikit-learn estimator class) and ``params = {...}``. Any error names the file."""
        path = Path(path)
        if not path.is_file():
            raise ScalingLabError(f"spec file not found: {path}")
        try:
            data = tomllib.loads(path.read_bytes().decode("utf-8"))
        except UnicodeDecodeError as error:
            raise ScalingLabError(f"{path}: not UTF-8 text (byte {error.start})") from None
        except tomllib.TOMLDecodeError as error:
            raise ScalingLabError(f"{path}: not valid TOML: {error}") from None
        except OSError as error:
            raise ScalingLabError(f"{path}: cannot read: {error.strerror}") from None
        try:
            return cls._from_data(data)
        except ScalingLabError as error:
            raise ScalingLabError(f"{path}: {error}") from None

    @classmethod
    def _from_data(cls, data: dict) -> "StudySpec":
        tables = data.pop("estimators", None)
        if not isinstance(tables, Mapping) or not tables:
            raise ScalingLabError("needs at least one [estimators.NAME] table with class = 'module.Class'")
        estimators = {}
        for name, entry in tables.items():
            if not isinstance(entry, Mapping):
                raise ScalingLabError(f"estimators.{name} must be a table with class = 'module.Class', got {entry!r}")
            unknown = sorted(set(entry) - set(_TOML_ESTIMATOR_KEYS))
            if unknown:
                raise ScalingLabError(f"[estimators.{name}] has unknown keys {unknown} (allowed: class, params); in "
                                      "TOML every key after a [table] header belongs to that table: put the study's "
                                      "own keys above the first [estimators.*] table")
            if not isinstance(entry.get("class"), str):
                raise ScalingLabError(f"[estimators.{name}] needs class = 'module.Class'")
            params = entry.get("params", {})
            if not isinstance(params, Mapping):
                raise ScalingLabError(f"[estimators.{name}] params must be a table, got {params!r}")
            estimators[name] = instantiate(entry["class"], params, where=f"estimators.{name}")
        known = set(cls.__dataclass_fields__) - {"X", "y", "estimators"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ScalingLabError(f"unknown keys {unknown}; allowed: {sorted(known | {'estimators'})}")
        if "name" not in data:
            raise ScalingLabError("needs name = '...' (the study's name in the store)")
        if "metric" in data and not isinstance(data["metric"], str):
            raise ScalingLabError(f"metric must be one of {METRICS} or a scikit-learn scorer name, "
                                  f"got {data['metric']!r}")
        return cls(estimators=estimators, **data)


def _scorer(name: str):
    from ..scorers import scorer_metric, scorer_names
    names = scorer_names()
    if name not in names:
        raise ScalingLabError(f"metric must be one of {METRICS} or a scikit-learn scorer name, got {name!r}; "
                              f"scorer names: {', '.join(names)}")
    try:
        return scorer_metric(name)
    except ScalingLabError as error:
        raise ScalingLabError(f"metric: {error}") from None


def study_metric(name: str | None):
    """The :class:`~scalinglab.metric.Metric` of a study's runs, from the metric's name in the
    spec: scalinglab's own metrics and a callable's name are lower-is-better (bounds from the
    name); a scikit-learn scorer gives its direction and range (a negated loss: the loss)."""
    from ..metric import Metric
    if name is None or name in METRICS:
        return Metric.resolve(name)
    try:
        return _scorer(name).metric
    except ScalingLabError:
        return Metric.resolve(name)              # a callable's name: lower is better, as documented


def instantiate(dotted: str, params: Mapping, where: str):
    """An instance of the scikit-learn estimator class ``dotted`` ("module.Class") with
    ``params``. Anything that is not a class deriving from ``sklearn.base.BaseEstimator`` is
    refused before it is called (a spec must not run ``os.system``)."""
    from sklearn.base import BaseEstimator
    module_name, _, class_name = dotted.rpartition(".")
    if not module_name or not all(part.isidentifier() for part in dotted.split(".")):
        raise ScalingLabError(f"{where}: class must be a dotted name 'module.Class', got {dotted!r}")
    try:
        target = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as error:
        raise ScalingLabError(f"{where}: cannot import {dotted!r} ({error})") from None
    if not (isinstance(target, type) and issubclass(target, BaseEstimator)):
        raise ScalingLabError(f"{where}: {dotted!r} is not a scikit-learn estimator class (a subclass of "
                              "sklearn.base.BaseEstimator); a spec may only name estimator classes")
    try:
        return target(**params)
    except TypeError as error:
        raise ScalingLabError(f"{where}: bad parameters for {dotted}: {error}") from None
