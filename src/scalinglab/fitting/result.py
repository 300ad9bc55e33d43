"""The frozen result of a fit: parameters, diagnostics, bootstrap draws, JSON."""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..defaults import LEVEL
from ..curves import Curve
from ..errors import ScalingLabError, ScalingLabWarning
from ..laws.base import Law
from ..metric import Metric
from .serialize import SCHEMA, dumps, load

#: Draws needed beyond each end of a percentile interval (see :meth:`FitResult.interval`).
MIN_TAIL = 5


@dataclass(frozen=True)
class Band:
    """Predictions with a percentile interval from the bootstrap draws."""

    y: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    level: float


@dataclass(frozen=True, eq=False)
class FitResult:
    """What :func:`scalinglab.fit` returns; never modified after creation.

    Attributes
    ----------
    law : Law
    theta : ndarray (p,)            parameter vector, in ``law.param_names`` order
    objective : float               summed loss at the optimum
    residuals : ndarray (n,)        per point, in the fit's space (log or linear)
    converged : bool
    warnings : tuple of str         plain-language caveats (also emitted by ``fit``)
    draws : ndarray (B, p) or None  bootstrap parameter draws (see :meth:`bootstrap`)
    selection : DataFrame or None   model-selection table when ``law="auto"``
    at_bounds : dict of bool        per parameter: pressed against a bound of its range
    """

    law: Law
    theta: np.ndarray
    objective: float
    loss: str
    delta: float
    space: str
    curve: Curve
    residuals: np.ndarray
    converged: bool
    n_starts: int = 0
    n_refined: int = 0
    fixed: Mapping[str, float] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    draws: np.ndarray | None = None
    n_failed_draws: int = 0
    bootstrap_by: str | None = None
    selection: pd.DataFrame | None = None
    selection_reason: str = ""
    prior: dict | None = None
    #: per parameter: pressed against a finite bound of its range (computed when the fit is made or read)
    at_bounds: Mapping[str, bool] = field(default_factory=dict)

    # -- parameters -------------------------------------------------------------------
    @property
    def params(self) -> dict[str, float]:
        return {name: float(v) for name, v in zip(self.law.param_names, self.theta)}

    @property
    def n_free(self) -> int:
        return self.law.n_params - len(self.fixed)

    @property
    def floor(self) -> float:
        """The fitted value at infinite size (irreducible error; 0 for laws without one), on the
        fitted scale (lower is better; see :mod:`scalinglab.metric`)."""
        return self.law.floor(self.theta)

    @property
    def metric(self) -> Metric:
        """The curve's metric: name, direction, bounds and the conversions to and from fitted values."""
        return self.curve.metric_info

    @property
    def limit(self) -> float:
        """The metric at infinite size in the metric's own terms: the floor of a loss, the
        ceiling of an accuracy."""
        return float(self.metric.to_metric(self.floor))

    # -- information criteria ----------------------------------------------------------
    @property
    def aic(self) -> float:
        """Gaussian AIC on the fit-space residuals: n log(RSS/n) + 2k (k = free parameters)."""
        n, rss = len(self.residuals), float(np.sum(self.residuals ** 2))
        return n * np.log(max(rss, 1e-300) / n) + 2 * self.n_free

    @property
    def bic(self) -> float:
        """Gaussian BIC on the fit-space residuals: n log(RSS/n) + k log n."""
        n, rss = len(self.residuals), float(np.sum(self.residuals ** 2))
        return n * np.log(max(rss, 1e-300) / n) + self.n_free * np.log(n)

    # -- predictions and intervals -------------------------------------------------------
    def check_sizes(self, x) -> np.ndarray:
        """Sizes as a float array, or a ScalingLabError naming ``x``: finite, > 0, the law's width."""
        try:
            arr = np.asarray(x, dtype=float)
        except (TypeError, ValueError):
            raise ScalingLabError(f"x must be sizes (numbers > 0), got {x!r}") from None
        if arr.size == 0:
            raise ScalingLabError("x is empty: give at least one size")
        if not np.all(np.isfinite(arr)) or not np.all(arr > 0):
            bad = arr[~(np.isfinite(arr) & (arr > 0))].reshape(-1)[0]
            raise ScalingLabError(f"x must be sizes > 0 (samples, tokens, parameters), got {bad!r}")
        self.law.columns(arr)                       # the right number of columns
        return arr

    def predict_fitted(self, x, thetas=None) -> np.ndarray:
        """The law at sizes ``x`` on the fitted scale (lower is better), for the estimate or a
        batch of parameter vectors ``thetas`` (B, p) -> (B, n)."""
        arr = self.check_sizes(x)
        with np.errstate(over="ignore"):
            return self.law.predict(arr, self.theta if thetas is None else thetas)

    def predict(self, x, interval: float | None = None):
        """Predicted metric at sizes ``x`` (> 0), in the metric's own terms (an accuracy as
        accuracy).

        Without ``interval``: an array. With ``interval=0.8``: a :class:`Band` whose
        ``lo``/``hi`` are percentiles of the predictions of the bootstrap draws (an
        interval for the fitted curve, not for one new noisy measurement); requires
        :meth:`bootstrap` first, with enough draws for the level (see :meth:`interval`).
        Predictions outside the metric's bounds (a law followed below the sizes measured)
        raise a ScalingLabWarning.
        """
        metric = self.metric
        y = metric.to_metric(self.predict_fitted(x))
        self._warn_outside(x, y)
        if interval is None:
            return y
        level = _check_level(interval)
        draws = self.require_draws(level)
        preds = self.predict_fitted(x, draws)
        lo, hi = np.nanpercentile(preds, [50 * (1 - level), 50 * (1 + level)], axis=0)
        lo, hi = metric.interval_to_metric(lo, hi)
        return Band(y=y, lo=lo, hi=hi, level=level)

    def _warn_outside(self, x, y) -> None:
        bounds = self.metric.bounds
        if bounds is None:
            return
        outside = (y < bounds[0]) | (y > bounds[1])
        if np.any(outside):
            at = np.atleast_1d(np.asarray(x, float))[np.atleast_1d(outside)] if np.ndim(x) <= 1 else "some sizes"
            warnings.warn(f"the {self.law.name} law predicts {self.metric.name} outside its bounds "
                          f"[{bounds[0]:g}, {bounds[1]:g}] at size(s) {at}: the law does not hold there "
                          "(below the sizes measured?)", ScalingLabWarning, stacklevel=3)

    def interval(self, name: str, level: float = LEVEL) -> tuple[float, float]:
        """Percentile bootstrap interval of parameter ``name``. Needs at least ``MIN_TAIL`` (5)
        draws beyond each end, i.e. 10 / (1 − level) successful draws: 50 for 80 %, 200 for
        95 %, 1,000 for 99 %; with fewer the ends would be set by the one or two most extreme
        refits, and the interval is refused as unavailable."""
        if name not in self.law.param_names:
            raise ScalingLabError(f"no parameter {name!r}; the law has {self.law.param_names}")
        level = _check_level(level)
        draws = self.require_draws(level)
        col = draws[:, self.law.param_names.index(name)]
        lo, hi = np.percentile(col, [50 * (1 - level), 50 * (1 + level)])
        return float(lo), float(hi)

    @staticmethod
    def draws_needed(level: float) -> int:
        """Successful bootstrap draws a percentile interval at ``level`` needs (``MIN_TAIL`` per tail)."""
        return int(math.ceil(round(2 * MIN_TAIL / (1 - level), 6)))

    def interval_unavailable(self, level: float) -> str | None:
        """Why there is no interval at ``level`` (None: there is one)."""
        have = 0 if self.draws is None else len(self.draws)
        if have == 0:
            return "this result has no bootstrap draws: call res = res.bootstrap(n=1000) first"
        need = self.draws_needed(level)
        if have < need:
            return (f"a {level:.0%} interval needs at least {need} successful bootstrap draws ({MIN_TAIL} beyond "
                    f"each end); this result has {have}: bootstrap with more resamples (e.g. n=1000)")
        return None

    def bootstrap(self, n: int = 1000, *, by: str = "auto", seed=None) -> "FitResult":
        """A copy with ``n`` bootstrap draws: a convenience for :func:`scalinglab.fitting.bootstrap`
        (the fit layer does the work; the result stays data)."""
        from .resampling import bootstrap
        return bootstrap(self, n=n, by=by, seed=seed)

    def require_draws(self, level: float | None = None) -> np.ndarray:
        """The bootstrap draws (B, p), or a ScalingLabError saying how to get them (or why there
        are too few for an interval at ``level``)."""
        if self.draws is None or len(self.draws) == 0:
            raise ScalingLabError("this result has no bootstrap draws: call res = res.bootstrap(n=1000) first")
        if level is not None:
            why = self.interval_unavailable(level)
            if why:
                raise ScalingLabError(why)
        return self.draws

    # -- tables and serialisation -------------------------------------------------------
    def table(self, level: float = LEVEL) -> pd.DataFrame:
        """One row per parameter: estimate, interval (if bootstrapped), at bound, fixed."""
        rows = []
        bounds = self.at_bounds
        for name, value in self.params.items():
            lo, hi = self.interval(name, level) if self.interval_unavailable(level) is None else (np.nan, np.nan)
            rows.append({"param": name, "estimate": value, "lo": lo, "hi": hi,
                         "at_bound": bounds[name], "fixed": name in self.fixed})
        return pd.DataFrame(rows).set_index("param")

    def summary(self) -> dict:
        """Everything as plain data (what ``to_json`` writes)."""
        return {
            "schema": SCHEMA,
            "law": {"name": self.law.name, "options": self.law.options()},
            "params": self.params,
            "objective": self.objective, "loss": self.loss, "delta": self.delta, "space": self.space,
            "converged": self.converged, "n_starts": self.n_starts, "n_refined": self.n_refined,
            "fixed": dict(self.fixed), "warnings": list(self.warnings),
            "aic": self.aic, "bic": self.bic,
            "residuals": self.residuals.tolist(),
            "curve": self.curve.to_dict(),
            "draws": None if self.draws is None else self.draws.tolist(),
            "n_failed_draws": self.n_failed_draws, "bootstrap_by": self.bootstrap_by,
            "selection": None if self.selection is None else self.selection.reset_index().to_dict(orient="list"),
            "selection_reason": self.selection_reason,
            "prior": self.prior,
        }

    def to_json(self, path: str | Path | None = None) -> str:
        """Serialise to strict JSON (and write it to ``path`` if given); :meth:`from_json` reads
        it back exactly. See :mod:`scalinglab.fitting.serialize`."""
        text = dumps(self.summary())
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_json(cls, source: str | Path) -> "FitResult":
        """Read a result written by :meth:`to_json` (a JSON string or a file path), checking
        every field; a corrupted or hand-edited file raises a ScalingLabError naming the field."""
        return load(source, cls)

    def replace(self, **changes) -> "FitResult":
        return dataclasses.replace(self, **changes)

    def prior_summary(self) -> str:
        """One sentence per prior target: prior, MAP value, and how far the prior moved it."""
        if not self.prior:
            return "no prior"
        out = []
        for name, m in self.prior["moved"].items():
            text = f"{name}: prior {m['prior_mean']:.3g} ± {m['prior_sd']:.3g}, MAP {m['map']:.4g}"
            if m["unregularised"] is not None:
                text += (f" (without the prior {m['unregularised']:.4g}: moved {m['shift_in_prior_sd']:+.2f} prior sd)")
            out.append(text)
        return "; ".join(out) + f" — {self.prior['source']}"

    def __str__(self) -> str:
        params = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        extra = f"; {len(self.draws)} bootstrap draws" if self.draws is not None else ""
        return f"{self.law.name} fit ({params}); objective {self.objective:.6g}{extra}"

    __repr__ = __str__

    def _repr_html_(self, level: float = LEVEL) -> str:
        """A notebook's display: the parameter table (estimate, interval at ``level`` when
        bootstrapped, at bound / fixed), the fit in one line, and the warnings; all escaped."""
        from .._html import table
        has_interval = self.interval_unavailable(level) is None
        rows = []
        for name, row in self.table(level).iterrows():
            note = "fixed" if row["fixed"] else ("at bound" if row["at_bound"] else "")
            rows.append([name, row["estimate"], *([(row["lo"], row["hi"])] if has_interval else []), note])
        header = ["parameter", "estimate", *([f"{level:.0%} interval"] if has_interval else []), "note"]
        c = self.curve
        notes = [f"{c.metric} vs {', '.join(c.x_names)}: {c.n} points, {c.n_distinct} sizes; objective "
                 f"{self.objective:.6g} ({self.loss} loss, {self.space} residuals), converged: {self.converged}"
                 + (f"; {len(self.draws)} bootstrap draws by {self.bootstrap_by}" if self.draws is not None else
                    "; no bootstrap draws (no intervals)")]
        if self.selection_reason:
            notes.append(f"chosen: {self.selection_reason}")
        notes += [f"warning: {w}" for w in self.warnings]
        return table(header, rows, title=f"{self.law.name} fit ({self.law.citation})", notes=notes)


def _check_level(level: float) -> float:
    level = float(level)
    if not 0 < level < 1:
        raise ScalingLabError(f"interval level must be between 0 and 1 (e.g. 0.8), got {level!r}")
    return level
