r"""The power law of effective data transferred, :math:`D_T = k\,D_F^{\alpha}\,N^{\beta}`.

Hernandez, Kaplan, Henighan & McCandlish 2021, "Scaling Laws for Transfer", eq. 1.1 (valid in
the low-data regime; they report k = 1.9e4, α = 0.18, β = 0.38 for English text -> Python,
with D_F in characters and N in non-embedding parameters). Fitted as a linear regression on
the logarithms, :math:`\log D_T = \log k + \alpha \log D_F + \beta \log N`, on the cells whose
D_T is positive and finite (ossified cells and cells beyond the from-scratch law carry no
logarithm and are left out, with a warning). Without a model-size column, or with one model
size, β is not identifiable and the law is :math:`D_T = k\,D_F^{\alpha}` (k then absorbs
:math:`N^{\beta}`).

Intervals: the regression is refitted on every bootstrap draw of D_T (each draw carries the
from-scratch law's and the fine-tuned runs' noise, see :mod:`.effective`); a draw in which
a cell's D_T is not positive drops that cell. Without replicate fine-tuned runs their noise is
not in the draws, so each draw also adds resampled residuals of the regression (a residual
bootstrap, residuals inflated by sqrt(n / (n − p))).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._jsonable import jsonable
from ..errors import ScalingLabError
from ..plan._common import check_level, interval, num, span
from .effective import EffectiveData
from .scratch import Scratch

__all__ = ["TransferFit", "fit_transfer"]

CITATION = "Hernandez, Kaplan, Henighan & McCandlish 2021, 'Scaling Laws for Transfer', eq. 1.1"


@dataclass(frozen=True, eq=False)
class TransferFit:
    """Answer of :func:`fit_transfer`: k, α (and β) with bootstrap draws.

    ``params`` {"k", "alpha", "beta"} (beta NaN when not identifiable); ``draws`` has shape
    (draws, 3) in the same order; ``residual_sd`` is the standard deviation of the log D_T
    residuals (0 with as many cells as parameters).
    """

    params: dict
    draws: np.ndarray
    n_cells: int
    residual_sd: float
    has_beta: bool
    level: float
    warnings: tuple
    scratch: Scratch
    n_failed_draws: int = 0
    d_f_range: tuple[float, float] = (np.nan, np.nan)      # fine-tuning sizes the law was fitted on
    n_range: tuple[float, float] = (np.nan, np.nan)        # model sizes (NaN without a model-size column)

    def interval(self, name: str, level: float | None = None) -> tuple[float, float]:
        names = ("k", "alpha", "beta")
        if name not in names:
            raise ScalingLabError(f"no parameter {name!r}; the transfer law has {names}")
        if name == "beta" and not self.has_beta:
            raise ScalingLabError("beta is not identifiable: the fine-tuned runs have one model size (or none)")
        return interval(self.draws[:, names.index(name)], check_level(level or self.level))

    def predict_draws(self, d_f, n=None) -> np.ndarray:
        """D_T per draw at (d_f, n): shape (draws,) for a scalar d_f."""
        return _power(self.draws, d_f, n, self.has_beta)

    def predict(self, d_f, n=None) -> float:
        """D_T at fine-tuning size ``d_f`` (and model size ``n`` when β was fitted)."""
        theta = np.array([[self.params["k"], self.params["alpha"], self.params["beta"]]])
        return float(_power(theta, d_f, n, self.has_beta)[0])

    def __str__(self) -> str:
        pct = f"{self.level:.0%}"
        k, a = self.params["k"], self.params["alpha"]
        text = (f"D_T = k·D_F^α{'·N^β' if self.has_beta else ''} with k = {k:.3g} ({pct} interval "
                f"{span(self.interval('k'))}), α = {a:.3f} ({self.interval('alpha')[0]:.3f} to "
                f"{self.interval('alpha')[1]:.3f})")
        if self.has_beta:
            lo, hi = self.interval("beta")
            text += f", β = {self.params['beta']:.3f} ({lo:.3f} to {hi:.3f})"
        return text + f", from {self.n_cells} fine-tuned cells ({CITATION})."

    def to_dict(self) -> dict:
        out = {"law": "D_T = k * D_F^alpha * N^beta", "citation": CITATION, "params": {}, "level": self.level,
               "n_cells": self.n_cells, "residual_sd": self.residual_sd, "warnings": list(self.warnings),
               "n_draws": int(len(self.draws)), "n_failed_draws": self.n_failed_draws, "d_f_range": self.d_f_range,
               "n_range": self.n_range, "summary": str(self)}
        for name in ("k", "alpha") + (("beta",) if self.has_beta else ()):
            lo, hi = self.interval(name)
            out["params"][name] = {"estimate": float(self.params[name]), "lo": lo, "hi": hi}
        return jsonable(out)


def _power(theta: np.ndarray, d_f, n, has_beta: bool) -> np.ndarray:
    d_f = float(d_f)
    if not (np.isfinite(d_f) and d_f > 0):
        raise ScalingLabError(f"the fine-tuning size D_F must be a positive number, got {d_f!r}")
    log = np.log(theta[:, 0]) + theta[:, 1] * np.log(d_f)
    if has_beta:
        if n is None:
            raise ScalingLabError("this transfer law depends on the model size: give n= (parameters N)")
        if not (np.isfinite(float(n)) and float(n) > 0):
            raise ScalingLabError(f"the model size N must be a positive number, got {n!r}")
        log = log + theta[:, 2] * np.log(float(n))
    return np.exp(log)


def _weighted_lstsq(X: np.ndarray, Y: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Least squares per row b of Y with 0/1 weights W[b]: (B, p), NaN where singular."""
    XtW = np.einsum("np,bn->bpn", X, W)
    A = XtW @ X                                                   # (B, p, p)
    rhs = np.einsum("bpn,bn->bp", XtW, np.where(W > 0, Y, 0.0))
    out = np.full(rhs.shape, np.nan)
    ok = np.linalg.matrix_rank(A) == X.shape[1]
    if ok.any():
        out[ok] = np.linalg.solve(A[ok], rhs[ok][..., None])[..., 0]
    return out


def fit_transfer(effective: EffectiveData, *, seed: int = 0, level: float | None = None) -> TransferFit:
    r"""Fit :math:`D_T = k\,D_F^{\alpha}\,N^{\beta}` to the cells of :func:`effective_data`.

    >>> import numpy as np, scalinglab as sl
    >>> d = np.geomspace(1e3, 1e7, 10)
    >>> scratch = sl.fit(sl.Curve(d, 5 * d**-0.3 + 0.5), law="power_floor").bootstrap(50, seed=0)
    >>> d_f = np.geomspace(1e2, 1e4, 5)
    >>> ft = sl.Curve(d_f, 5 * (d_f + 20 * d_f**0.5)**-0.3 + 0.5)
    >>> tf = sl.transfer.fit_transfer(sl.transfer.effective_data(scratch, ft))
    >>> round(tf.params["k"], 2), round(tf.params["alpha"], 3)
    (20.0, 0.5)
    """
    if not isinstance(effective, EffectiveData):
        raise ScalingLabError("fit_transfer expects the result of sl.transfer.effective_data(...)")
    level = check_level(level or effective.level)
    t = effective.table
    usable = (t["D_T"] > 0) & np.isfinite(t["D_T"])
    notes = []
    left_out = t[~usable]
    if len(left_out):
        notes.append(f"{len(left_out)} cell(s) left out of the fit (D_T not positive and finite: "
                     + ", ".join(f"D_F = {num(r.D_F)} {r.status}" for r in left_out.itertuples()) + ")")
    extrapolated = int((t["status"] == "extrapolated").sum())
    if extrapolated:
        notes.append(f"{extrapolated} cell(s) have D_E beyond the largest from-scratch size: their D_T extrapolates "
                     "the from-scratch law")
    t_ok = t[usable]
    has_beta = bool(effective.has_model_size and t_ok["N"].nunique() > 1)
    X = np.c_[np.ones(len(t_ok)), np.log(t_ok["D_F"].to_numpy(float))]
    if has_beta:
        X = np.c_[X, np.log(t_ok["N"].to_numpy(float))]
    p = X.shape[1]
    if len(t_ok) < p or np.linalg.matrix_rank(X) < p:
        raise ScalingLabError(f"{len(t_ok)} usable cell(s) with {t_ok['D_F'].nunique()} distinct D_F cannot identify "
                              f"{p} parameters (k, α{', β' if has_beta else ''}); fine-tune at more sizes")
    y = np.log(t_ok["D_T"].to_numpy(float))
    theta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ theta
    dof = len(y) - p
    resid_sd = float(np.sqrt(resid @ resid / dof)) if dof > 0 else 0.0
    if dof == 0:
        notes.append(f"{len(y)} cells for {p} parameters: the law passes through every cell and its intervals "
                     "carry only the bootstrap noise of D_T")
    with np.errstate(divide="ignore", invalid="ignore"):
        Y = np.log(effective.d_t_draws[:, usable.to_numpy()])
    W = np.isfinite(Y).astype(float)
    if not effective.replicated and dof > 0:
        rng = np.random.default_rng(seed)
        Y = Y + rng.choice(resid * np.sqrt(len(y) / dof), size=Y.shape)
    draws = _weighted_lstsq(X, np.where(np.isfinite(Y), Y, 0.0), W)
    good = np.all(np.isfinite(draws), axis=1)
    failed = int((~good).sum())
    if failed:
        notes.append(f"{failed} of {len(draws)} bootstrap draws could not be fitted (too few cells with a positive "
                     "D_T in that draw) and are left out")
    draws = draws[good]
    if len(draws) < 2:
        raise ScalingLabError("fewer than 2 bootstrap draws could be fitted; the transfer law has no interval")

    def natural(T):
        out = np.full((len(T), 3), np.nan)
        out[:, 0], out[:, 1] = np.exp(T[:, 0]), T[:, 1]
        if has_beta:
            out[:, 2] = T[:, 2]
        return out

    point = natural(theta[None])[0]
    return TransferFit(params={"k": float(point[0]), "alpha": float(point[1]), "beta": float(point[2])},
                       draws=natural(draws), n_cells=len(y), residual_sd=resid_sd, has_beta=has_beta, level=level,
                       warnings=tuple(notes), scratch=effective.scratch, n_failed_draws=failed,
                       d_f_range=(float(t_ok["D_F"].min()), float(t_ok["D_F"].max())),
                       n_range=(float(t_ok["N"].min()), float(t_ok["N"].max())))
