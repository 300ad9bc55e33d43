"""The frozen result of a fit: parameters, diagnostics, bootstrap draws, JSON."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..curves import Curve
from ..errors import ScalingLabError
from ..laws.base import Law, get_law

SCHEMA = "scalinglab.FitResult/1"


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

    # -- parameters -------------------------------------------------------------------
    @property
    def params(self) -> dict[str, float]:
        return {name: float(v) for name, v in zip(self.law.param_names, self.theta)}

    @property
    def n_free(self) -> int:
        return self.law.n_params - len(self.fixed)

    @property
    def at_bounds(self) -> dict[str, bool]:
        from .diagnostics import at_bounds
        from .problem import Problem
        problem = Problem.build(self.law, self.curve, loss=self.loss, delta=self.delta, space=self.space,
                                fixed=dict(self.fixed))
        return at_bounds(problem, self.theta)

    @property
    def floor(self) -> float:
        """The fitted metric at infinite size (irreducible error; 0 for laws without one)."""
        return self.law.floor(self.theta)

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
    def predict(self, x, interval: float | None = None):
        """Predicted metric at sizes ``x``.

        Without ``interval``: an array. With ``interval=0.8``: a :class:`Band` whose
        ``lo``/``hi`` are percentiles of the predictions of the bootstrap draws (an
        interval for the fitted curve, not for one new noisy measurement); requires
        :meth:`bootstrap` first.
        """
        y = self.law.predict(x, self.theta)
        if interval is None:
            return y
        draws = self._require_draws()
        level = _check_level(interval)
        preds = self.law.predict(x, draws)
        lo, hi = np.nanpercentile(preds, [50 * (1 - level), 50 * (1 + level)], axis=0)
        return Band(y=y, lo=lo, hi=hi, level=level)

    def interval(self, name: str, level: float = 0.95) -> tuple[float, float]:
        """Percentile bootstrap interval of parameter ``name``."""
        if name not in self.law.param_names:
            raise ScalingLabError(f"no parameter {name!r}; the law has {self.law.param_names}")
        draws = self._require_draws()
        level = _check_level(level)
        col = draws[:, self.law.param_names.index(name)]
        lo, hi = np.percentile(col, [50 * (1 - level), 50 * (1 + level)])
        return float(lo), float(hi)

    def bootstrap(self, n: int = 1000, *, by: str = "point", seed=None) -> "FitResult":
        """A copy with ``n`` bootstrap draws (see :func:`scalinglab.fit.bootstrap.bootstrap`)."""
        from .bootstrap import bootstrap
        return bootstrap(self, n=n, by=by, seed=seed)

    def _require_draws(self) -> np.ndarray:
        if self.draws is None or len(self.draws) == 0:
            raise ScalingLabError("this result has no bootstrap draws: call res = res.bootstrap(n=1000) first")
        return self.draws

    # -- tables and serialisation -------------------------------------------------------
    def table(self, level: float = 0.95) -> pd.DataFrame:
        """One row per parameter: estimate, interval (if bootstrapped), at bound, fixed."""
        rows = []
        bounds = self.at_bounds
        for name, value in self.params.items():
            lo, hi = self.interval(name, level) if self.draws is not None and len(self.draws) else (np.nan, np.nan)
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
        """Serialise to JSON (and write it to ``path`` if given); :meth:`from_json` reads it back."""
        text = json.dumps(self.summary(), indent=1, allow_nan=True)
        if path is not None:
            Path(path).write_text(text)
        return text

    @classmethod
    def from_json(cls, source: str | Path) -> "FitResult":
        """Read a result written by :meth:`to_json` (a JSON string or a file path)."""
        text = Path(source).read_text() if not str(source).lstrip().startswith("{") else str(source)
        data = json.loads(text)
        if data.get("schema") != SCHEMA:
            raise ScalingLabError(f"not a scalinglab FitResult (schema {data.get('schema')!r})")
        law = get_law(data["law"]["name"], **data["law"]["options"])
        selection = data.get("selection")
        return cls(
            law=law, theta=law.theta_array(data["params"]), objective=float(data["objective"]),
            loss=data["loss"], delta=float(data["delta"]), space=data["space"],
            curve=Curve.from_dict(data["curve"]), residuals=np.asarray(data["residuals"], float),
            converged=bool(data["converged"]), n_starts=data["n_starts"], n_refined=data["n_refined"],
            fixed=data["fixed"], warnings=tuple(data["warnings"]),
            draws=None if data["draws"] is None else np.asarray(data["draws"], float),
            n_failed_draws=data["n_failed_draws"], bootstrap_by=data["bootstrap_by"],
            selection=None if selection is None else pd.DataFrame(selection).set_index("law"),
            selection_reason=data.get("selection_reason", ""), prior=data.get("prior"),
        )

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


def _check_level(level: float) -> float:
    level = float(level)
    if not 0 < level < 1:
        raise ScalingLabError(f"interval level must be between 0 and 1 (e.g. 0.8), got {level!r}")
    return level
