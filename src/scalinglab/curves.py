"""The data model every layer speaks: :class:`Curve` and :class:`CurveSet`.

A :class:`Curve` holds measurements of a metric ``y`` at sizes ``x``. ``x`` is one
column (data size, tokens, parameters, FLOPs) or several (for joint laws such as
L(N, D)). Replicated sizes (several seeds at the same size) are kept as separate
points: fits use every replicate, and :meth:`Curve.mean_by_size` averages them
when a caller wants one point per size.

Validation happens once, at construction, and names the bad column and row.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._files import reading
from .errors import ScalingLabError, ScalingLabWarning
from .metric import Metric, known_bounds

__all__ = ["Curve", "CurveSet", "SizeGroups", "group_by_size"]


@dataclass(frozen=True)
class SizeGroups:
    """Values grouped by distinct size: mean, sample standard deviation (0 for a single
    replicate), count, and the pooled within-size sum of squares with its degrees of freedom."""

    sizes: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    count: np.ndarray
    within_ss: float
    within_dof: int


def group_by_size(sizes: np.ndarray, values: np.ndarray) -> SizeGroups:
    """Group ``values`` by the distinct rows of ``sizes`` (1-D, or 2-D for joint data)."""
    distinct, inverse = np.unique(sizes, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    count = np.bincount(inverse)
    mean = np.bincount(inverse, weights=values) / count
    ss = np.bincount(inverse, weights=(values - mean[inverse]) ** 2)
    sd = np.sqrt(ss / np.maximum(count - 1, 1))
    return SizeGroups(distinct, mean, sd, count, float(ss.sum()), int(np.sum(count - 1)))


def _read_csv(path: str | Path) -> pd.DataFrame:
    """A CSV file (UTF-8, a header row, then data) with its rows labelled by the line number a
    user sees in an editor. Refused, naming the file: not found, a folder, not UTF-8, empty, no
    data rows, a row with more fields than the header, two columns with one name (pandas would
    shift the columns, drop fields or rename a column without a word)."""
    path = Path(path)
    if not path.exists():
        raise ScalingLabError(f"file not found: {path}")
    if path.is_dir():
        raise ScalingLabError(f"{path} is a folder, not a CSV file")
    with reading(path), warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        header = pd.read_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False).iloc[0].tolist()
        try:
            df = pd.read_csv(path, index_col=False)
        except pd.errors.ParserWarning:
            raise ScalingLabError(f"{path}: the data rows have more fields than the header "
                                  f"({len(header)} names); fix the header or the rows") from None
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ScalingLabError(f"{path}: column name(s) {repeated} appear more than once in the header; "
                              "give each column its own name")
    if df.empty:
        raise ScalingLabError(f"{path}: no data rows, only a header ({', '.join(map(str, df.columns))})")
    df.index = df.index + 2
    return df


def _fmt(value) -> str:
    """A number or a row of numbers as a user would write it (nan, inf, -5, 0.25)."""
    return ", ".join(f"{float(v):g}" for v in np.atleast_1d(value))


def _as_float_array(values, name: str, labels: Sequence, *, allow_nan: bool = False) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ScalingLabError(f"column {name!r}: values must be numbers ({exc})") from None
    finite = np.isfinite(arr) | (np.isnan(arr) if allow_nan else False)
    bad = ~finite if arr.ndim <= 1 else ~finite.all(axis=tuple(range(1, arr.ndim)))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ScalingLabError(
            f"column {name!r}, row {labels[i]!r}: value {_fmt(arr[i])} is not finite "
            f"({'inf' if allow_nan else 'NaN or inf'}); drop or fix that row ({int(bad.sum())} such rows in all)"
        )
    return arr


def _rows(labels: Sequence, idx: np.ndarray, most: int = 5) -> str:
    """Row labels for a message: '4, 7' or '4, 7, 9, 12, 15 and 3 more'."""
    shown = ", ".join(str(labels[int(i)]) for i in idx[:most])
    return shown + (f" and {len(idx) - most} more" if len(idx) > most else "")


def _label_codes(values) -> np.ndarray:
    """Integer ranks of labels (seeds, groups) by their text, for a deterministic order of rows."""
    text = np.asarray([str(v) for v in np.asarray(values, dtype=object).reshape(-1)])
    return np.unique(text, return_inverse=True)[1].reshape(-1)


@dataclass(frozen=True, eq=False)
class Curve:
    """Measurements of a metric at increasing sizes.

    Parameters
    ----------
    x : array of shape (n,) or (n, k)
        Size(s) of each measurement: samples, tokens, parameters, FLOPs. Must be > 0.
        Two or more columns describe joint data, e.g. ``np.c_[N, D]``.
    y : array of shape (n,)
        The metric as measured. NaN marks a missing measurement (a failed run): such rows
        are left out with a :class:`~scalinglab.ScalingLabWarning` that names them.
    w : array of shape (n,), optional
        Non-negative weights multiplying each point's loss in a fit.
    seed, group : arrays of shape (n,), optional
        Labels used by the bootstrap (``by="seed"`` or ``by="group"``) and reports.
    metric : str, optional
        The metric's name ("accuracy", "loss", ...); shown in every answer. Unnamed, it is
        called "error" (or "score" when higher is better) and has no known bounds.
    higher_is_better : bool
        True for accuracy-like metrics. The curve is then *fitted* as the distance from the
        best value, hi − y (see :mod:`scalinglab.metric`), and every answer is converted back.
    bounds : "auto", None or (lo, hi)
        Where the metric can lie. "auto": (0, 1) for a name known to be a rate or an accuracy
        (see :data:`scalinglab.metric.RATE_NAMES`), (0, 1) for any higher-is-better metric,
        else none. Forecasts and intervals of a bounded metric stay inside its bounds.
    x_names : sequence of str, optional
        Names of the x columns (default ``("n",)`` or ``("x0", "x1", ...)``).
    labels : sequence, optional
        Row labels used in error messages (defaults to positions 0..n-1).

    Attributes
    ----------
    y : ndarray
        The **fitted values**: the metric itself, or hi − metric when higher is better.
    values : ndarray
        The metric as given (``y`` converted back).

    Raises
    ------
    ScalingLabError
        inf anywhere, NaN in a size or weight, a size <= 0, lengths that disagree, negative
        weights, or a value outside the metric's bounds; the message names the column and row.

    Examples
    --------
    >>> c = Curve([100, 200, 400], [0.30, 0.22, 0.17])
    >>> c.n, c.n_distinct
    (3, 3)
    >>> acc = Curve([100, 200], [0.9, 0.95], metric="accuracy", higher_is_better=True)
    >>> acc.metric, acc.values.tolist(), acc.y.round(2).tolist()
    ('accuracy', [0.9, 0.95], [0.1, 0.05])
    """

    x: np.ndarray
    y: np.ndarray
    w: np.ndarray | None = None
    seed: np.ndarray | None = None
    group: np.ndarray | None = None
    metric: str | None = None
    higher_is_better: bool = False
    x_names: tuple[str, ...] = ()
    labels: tuple = field(default=(), repr=False)
    bounds: object = "auto"
    values: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        info = Metric.resolve(self.metric, higher_is_better=self.higher_is_better, bounds=self.bounds)
        y_name = self.metric if self.metric else "y"
        n_rows = len(np.atleast_1d(np.asarray(self.y, dtype=object)))
        labels = tuple(self.labels) if len(self.labels) else tuple(range(n_rows))
        if len(labels) != n_rows:
            raise ScalingLabError(f"labels has {len(labels)} entries but y has {n_rows} rows")
        x = np.asarray(self.x)
        x_width = 1 if x.ndim <= 1 else x.shape[1]
        names = tuple(self.x_names) or (("n",) if x_width == 1 else tuple(f"x{i}" for i in range(x_width)))
        if len(names) != x_width:
            raise ScalingLabError(f"x_names has {len(names)} names for {x_width} x columns")
        if x.ndim > 2:
            raise ScalingLabError(f"x must be one column or a 2-D array of columns, got shape {x.shape}")
        y = np.asarray(self.y, dtype=object) if np.asarray(self.y).dtype == object else np.asarray(self.y)
        y = _as_float_array(y, y_name, labels, allow_nan=True)
        if y.ndim != 1:
            raise ScalingLabError(f"y must be one column, got shape {y.shape}")
        if len(x) != len(y):
            raise ScalingLabError(f"x has {len(x)} rows but y has {len(y)}: lengths must match")
        if len(y) == 0:
            raise ScalingLabError("the curve is empty: give at least one (x, y) row")
        x = _as_float_array(x, names[0] if x_width == 1 else "x", labels)
        cols = x.reshape(len(x), -1)
        for j, name in enumerate(names):
            bad = np.flatnonzero(cols[:, j] <= 0)
            if bad.size:
                i = int(bad[0])
                raise ScalingLabError(
                    f"column {name!r}, row {labels[i]!r}: size {_fmt(cols[i, j])} must be > 0 "
                    "(sizes are counts of samples, tokens, parameters or FLOPs)"
                )
        w = None
        if self.w is not None:
            w = _as_float_array(self.w, "w", labels)
            if w.shape != y.shape:
                raise ScalingLabError(f"w has shape {w.shape} but y has {y.shape}")
            neg = np.flatnonzero(w < 0)
            if neg.size:
                raise ScalingLabError(f"column 'w', row {labels[int(neg[0])]!r}: weights must be >= 0")
        tags = {}
        for attr in ("seed", "group"):
            value = getattr(self, attr)
            if value is not None:
                value = np.asarray(value)
                if value.shape != y.shape:
                    raise ScalingLabError(f"{attr} has shape {value.shape} but y has {y.shape}")
                tags[attr] = value
        missing = np.isnan(y)
        if missing.all():
            raise ScalingLabError(f"column {y_name!r}: every value is missing (NaN); nothing to fit")
        if missing.any():
            idx = np.flatnonzero(missing)
            warnings.warn(f"column {y_name!r}: {len(idx)} missing value(s) (NaN) at row(s) {_rows(labels, idx)}: "
                          "those rows are left out of the curve", ScalingLabWarning, stacklevel=3)
            keep = ~missing
            x, y = x[keep], y[keep]
            w = None if w is None else w[keep]
            tags = {k: v[keep] for k, v in tags.items()}
            labels = tuple(np.asarray(labels, dtype=object)[keep])
        if info.bounds is not None:
            lo, hi = info.bounds
            outside = np.flatnonzero((y < lo) | (y > hi))
            if outside.size:
                i = int(outside[0])
                how = ("higher_is_better: the fitted value is the distance from the best value"
                       if info.higher_is_better and isinstance(self.bounds, str) and known_bounds(self.metric) is None
                       else f"known from {'its name' if isinstance(self.bounds, str) else 'bounds='}")
                raise ScalingLabError(
                    f"column {y_name!r}, row {labels[i]!r}: {_fmt(y[i])} is outside [{lo:g}, {hi:g}], the range of "
                    f"{info.name!r} ({how}); give bounds=(lo, hi) with the real range, or bounds=None if it has none")
        fitted = info.to_fitted(y)
        for attr, value in (("x", x), ("y", fitted), ("values", y), ("w", w), ("metric", info.name),
                            ("higher_is_better", info.higher_is_better), ("bounds", info.bounds),
                            ("x_names", names), ("labels", labels), *tags.items()):
            object.__setattr__(self, attr, value)
        for arr in (x, fitted, y, w):
            if arr is not None:
                arr.setflags(write=False)

    @property
    def metric_info(self) -> Metric:
        """The metric's name, direction and bounds, with the conversions (see :mod:`scalinglab.metric`)."""
        return Metric(self.metric, self.higher_is_better, self.bounds)

    def with_direction(self, higher_is_better: bool | None) -> "Curve":
        """This curve with the metric's direction given by an entry point's ``higher_is_better``
        option (``extrapolate``, ``backtest.run``, the CLI's ``--higher-is-better``): None keeps
        the curve's own; True re-reads a curve built without a direction as higher-is-better;
        False for a curve that says higher-is-better is a contradiction and is refused."""
        if higher_is_better is None:
            return self
        if not isinstance(higher_is_better, (bool, np.bool_)):
            raise ScalingLabError(f"higher_is_better must be True, False or None, got {higher_is_better!r}")
        if bool(higher_is_better) == self.higher_is_better:
            return self
        if self.higher_is_better:
            raise ScalingLabError(f"the curve says {self.metric!r} is higher-is-better; higher_is_better=False "
                                  "contradicts it (rebuild the Curve without higher_is_better)")
        name = "score" if self.metric == "error" else self.metric      # "error" never rises
        return Curve(self.x, self.values, w=self.w, seed=self.seed, group=self.group, metric=name,
                     higher_is_better=True, bounds="auto" if self.bounds is None else self.bounds,
                     x_names=self.x_names, labels=self.labels)

    # -- constructors -------------------------------------------------------------
    @classmethod
    def from_frame(cls, df: pd.DataFrame, *, x: str | Sequence[str], y: str, w: str | None = None,
                   seed: str | None = None, group: str | None = None,
                   higher_is_better: bool = False, bounds="auto") -> "Curve":
        """Build a curve from DataFrame columns; error messages use the frame's index labels.
        The metric is named after column ``y`` (so its bounds can be known from the name)."""
        x_cols = [x] if isinstance(x, str) else list(x)
        wanted = [*x_cols, y, *(c for c in (w, seed, group) if c is not None)]
        missing = [c for c in wanted if c not in df.columns]
        if missing:
            raise ScalingLabError(f"column(s) {missing} not found; the table has {list(df.columns)}")
        xv = df[x_cols[0]].to_numpy() if len(x_cols) == 1 else df[x_cols].to_numpy()
        return cls(
            xv, df[y].to_numpy(),
            w=None if w is None else df[w].to_numpy(),
            seed=None if seed is None else df[seed].to_numpy(),
            group=None if group is None else df[group].to_numpy(),
            metric=str(y), higher_is_better=higher_is_better, bounds=bounds, x_names=tuple(x_cols),
            labels=tuple(df.index),
        )

    @classmethod
    def from_learning_curve(cls, train_sizes, test_scores, *, scoring: str | None) -> "Curve":
        """A curve from scikit-learn's ``learning_curve``: ``train_sizes`` (its first output,
        the absolute sizes, shape (n_sizes,)) and ``test_scores`` (shape (n_sizes, n_folds)).

        ``scoring`` is the scorer name given to ``learning_curve`` (see
        :mod:`scalinglab.scorers`): it sets the metric's name, direction and range. A score
        ("accuracy", "roc_auc", "r2") stays as reported, higher is better; a negated loss
        ("neg_log_loss") becomes the loss, lower is better. ``learning_curve`` without
        ``scoring`` used the estimator's own ``score`` (accuracy for a classifier, R² for a
        regressor), which the numbers alone cannot tell: say which with ``scoring="accuracy"`` or
        ``scoring="r2"``; None is refused.

        Each cross-validation fold becomes a seed (``seed`` = fold index): like a study's seed, a
        fold's training sets are nested (the size-n set is the first n samples of the fold's
        training split), so the bootstrap resamples folds (``by="seed"``, with >= 5 folds). A
        failed fit (NaN with ``error_score=np.nan``) is left out with a warning naming its size and
        fold.

        >>> c = Curve.from_learning_curve([50, 100], [[0.80, 0.82], [0.86, 0.88]], scoring="accuracy")
        >>> c.metric, c.higher_is_better, c.seed.tolist(), c.values.tolist()
        ('accuracy', True, [0, 1, 0, 1], [0.8, 0.82, 0.86, 0.88])
        """
        from .scorers import scorer_metric
        if scoring is None or callable(scoring):
            raise ScalingLabError(
                "from_learning_curve needs the scorer's name (scoring='accuracy', 'neg_log_loss', ...): it sets the "
                "metric's direction and range; learning_curve without scoring used the estimator's score method "
                "(accuracy for a classifier, r2 for a regressor)")
        scorer = scorer_metric(scoring)
        sizes = np.asarray(train_sizes, dtype=float)
        scores = np.asarray(test_scores, dtype=float)
        if sizes.ndim != 1:
            raise ScalingLabError(f"train_sizes must be one size per row of test_scores (shape (n_sizes,)), "
                                  f"got shape {sizes.shape}")
        if scores.ndim != 2 or scores.shape[0] != len(sizes):
            raise ScalingLabError(f"test_scores must have shape (n_sizes, n_folds) = ({len(sizes)}, k), got shape "
                                  f"{scores.shape}; pass learning_curve's test scores (its third output)")
        n_sizes, n_folds = scores.shape
        m = scorer.metric
        return cls(np.repeat(sizes, n_folds), scorer.to_metric(scores.ravel()), seed=np.tile(np.arange(n_folds), n_sizes),
                   metric=m.name, higher_is_better=m.higher_is_better, bounds=m.bounds,
                   labels=tuple(f"size {s:g}, fold {k}" for s in sizes for k in range(n_folds)))

    @classmethod
    def from_csv(cls, path: str | Path, **columns) -> "Curve":
        """Read a CSV file and call :meth:`from_frame` (row labels are 1-based file lines after the header;
        error messages name the file)."""
        df = _read_csv(path)
        with reading(path):
            return cls.from_frame(df, **columns)

    # -- views --------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of points, replicates included."""
        return len(self.y)

    @property
    def n_inputs(self) -> int:
        """Number of x columns (1 for a data-size curve, 2 for L(N, D))."""
        return 1 if self.x.ndim == 1 else self.x.shape[1]

    @property
    def columns(self) -> tuple[np.ndarray, ...]:
        """The x columns as a tuple of 1-D arrays."""
        return (self.x,) if self.x.ndim == 1 else tuple(self.x[:, j] for j in range(self.x.shape[1]))

    @property
    def distinct_x(self) -> np.ndarray:
        """Distinct sizes (rows of x), sorted."""
        return np.unique(self.x, axis=0)

    @property
    def n_distinct(self) -> int:
        """Number of distinct sizes; replicates at one size count once."""
        return len(self.distinct_x)

    @property
    def scale(self) -> np.ndarray:
        """One number per point that orders points by size: x itself, or the product of the
        columns for joint data (proportional to training compute for (N, D))."""
        return self.x if self.x.ndim == 1 else np.prod(self.x, axis=1)

    def _take(self, idx: np.ndarray) -> "Curve":
        """The points at positions ``idx``, as a new curve with the same metric."""
        pick = (lambda a: None if a is None else a[idx])
        return Curve(self.x[idx], self.values[idx], w=pick(self.w), seed=pick(self.seed),
                     group=pick(self.group), metric=self.metric, higher_is_better=self.higher_is_better,
                     bounds=self.bounds, x_names=self.x_names,
                     labels=tuple(np.asarray(self.labels, dtype=object)[idx]))

    def subset(self, mask: np.ndarray) -> "Curve":
        """The points where ``mask`` is true, as a new curve."""
        return self._take(np.flatnonzero(np.asarray(mask)))

    def canonical_order(self) -> np.ndarray:
        """Positions of the rows in canonical order: by size (each x column), then value,
        weight, seed and group (see :meth:`canonical`)."""
        keys = [self.values]
        if self.w is not None:
            keys.append(self.w)
        keys += [_label_codes(getattr(self, attr)) for attr in ("seed", "group") if getattr(self, attr) is not None]
        return np.lexsort(tuple(reversed(keys)) + tuple(reversed(self.columns)))   # the last key sorts first

    def canonical(self) -> "Curve":
        """The same points in canonical order (:meth:`canonical_order`). Fits and bootstraps work
        on this order, so that no answer depends on the order of the rows (a store's completion
        order, a shuffled CSV); rows that agree on all the keys are interchangeable. Returns the
        curve itself when it is already in that order."""
        if getattr(self, "_canonical", False):
            return self
        order = self.canonical_order()
        out = self if np.array_equal(order, np.arange(self.n)) else self._take(order)
        object.__setattr__(out, "_canonical", True)            # a cache: the order is checked once
        return out

    def by_size(self, values: np.ndarray | None = None) -> SizeGroups:
        """The replicates at each distinct size (of ``values``, default the fitted y): mean, sd, count."""
        return group_by_size(self.x, self.y if values is None else values)

    def mean_by_size(self) -> "Curve":
        """One point per distinct size: the mean of the replicates (weights dropped)."""
        groups = self.by_size(self.values)
        return Curve(groups.sizes, groups.mean, metric=self.metric, higher_is_better=self.higher_is_better,
                     bounds=self.bounds, x_names=self.x_names)

    def to_frame(self) -> pd.DataFrame:
        """The curve as a DataFrame with its x columns, the metric as given, and any labels."""
        data = {name: col for name, col in zip(self.x_names, self.columns)}
        data[self.metric] = self.values
        for attr in ("w", "seed", "group"):
            if getattr(self, attr) is not None:
                data[attr] = getattr(self, attr)
        return pd.DataFrame(data)

    def to_dict(self) -> dict:
        """Plain data for JSON: the metric as given, its direction and bounds."""
        out = {"x": self.x.tolist(), "y": self.values.tolist(), **self.metric_info.to_dict(),
               "x_names": list(self.x_names)}
        for attr in ("w", "seed", "group"):
            value = getattr(self, attr)
            if value is not None:
                out[attr] = value.tolist()
        return out

    @classmethod
    def from_dict(cls, data: Mapping) -> "Curve":
        """Inverse of :meth:`to_dict` (a dict without "bounds" describes a metric without bounds)."""
        if not isinstance(data, Mapping):
            raise ScalingLabError(f"a curve must be a mapping with 'x' and 'y', got {type(data).__name__}")
        missing = [k for k in ("x", "y") if k not in data]
        if missing:
            raise ScalingLabError(f"curve: missing key(s) {missing}")
        return cls(data["x"], data["y"], w=data.get("w"), seed=data.get("seed"),
                   group=data.get("group"), metric=data.get("metric", "error"),
                   higher_is_better=data.get("higher_is_better", False), bounds=data.get("bounds"),
                   x_names=tuple(data.get("x_names", ())))

    def __repr__(self) -> str:
        lo, hi = float(self.scale.min()), float(self.scale.max())
        return (f"Curve({self.metric!r} vs {'×'.join(self.x_names)}: {self.n} points, "
                f"{self.n_distinct} distinct sizes, {lo:.3g}…{hi:.3g})")


class CurveSet(Mapping):
    """Several named curves, e.g. one per estimator, model size or group.

    >>> cs = CurveSet({"a": Curve([1, 2, 3], [3, 2, 1.5]), "b": Curve([1, 2, 3], [2, 1, .8])})
    >>> list(cs)
    ['a', 'b']
    """

    def __init__(self, curves: Mapping[str, Curve]):
        for name, curve in curves.items():
            if not isinstance(curve, Curve):
                raise ScalingLabError(f"CurveSet entry {name!r} is a {type(curve).__name__}, not a Curve")
        self._curves = dict(curves)

    @classmethod
    def from_frame(cls, df: pd.DataFrame, *, by: str, **columns) -> "CurveSet":
        """One curve per value of column ``by``; ``columns`` are passed to :meth:`Curve.from_frame`."""
        if by not in df.columns:
            raise ScalingLabError(f"column {by!r} not found; the table has {list(df.columns)}")
        return cls({str(key): Curve.from_frame(part, **columns) for key, part in df.groupby(by, sort=True)})

    @classmethod
    def from_csv(cls, path: str | Path, *, by: str, **columns) -> "CurveSet":
        """Read a CSV file and call :meth:`from_frame` (row labels are file lines, as in :meth:`Curve.from_csv`)."""
        df = _read_csv(path)
        with reading(path):
            return cls.from_frame(df, by=by, **columns)

    def __getitem__(self, name: str) -> Curve:
        try:
            return self._curves[name]
        except KeyError:
            raise KeyError(f"no curve named {name!r}; have {list(self._curves)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._curves)

    def __len__(self) -> int:
        return len(self._curves)

    def __repr__(self) -> str:
        return f"CurveSet({', '.join(f'{k}: {v.n} points' for k, v in self._curves.items())})"
