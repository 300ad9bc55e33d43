r"""Effective data transferred: :math:`D_T = D_E - D_F` (Hernandez et al. 2021, sec. 1).

Hernandez, Kaplan, Henighan & McCandlish 2021, "Scaling Laws for Transfer" (arXiv:2102.01293):
a model pretrained on one distribution and fine-tuned on :math:`D_F` samples of the target
distribution reaches some loss :math:`L_F`. :math:`D_E` (effective data) is the amount of
target data a model of the same size trained from scratch would need to reach that loss, found
by inverting the from-scratch law; :math:`D_T = D_E - D_F` is the data the pretraining was
worth. Ratios: the effective data multiplier :math:`D_E / D_F` and the fraction of effective
data from fine-tuning :math:`D_F / D_E`.

Intervals: draw b inverts the from-scratch law of bootstrap draw b at the fine-tuned loss of
a resample b of the fine-tuned runs (their seeds resampled within each (N, D_F) cell when there
are replicates, deviations from the cell mean rescaled by sqrt(r / (r − 1)) so that the
resampled mean of r runs has the variance of the mean), so both sources of noise are carried. Cells are labelled:

* ``ok``;
* ``extrapolated``: D_E lies beyond the largest from-scratch size measured (the law is
  extrapolated; Hernandez et al. met this too);
* ``ossified``: D_T <= 0, the fine-tuned model is no better than from scratch ("ossification",
  Hernandez et al. sec. 3: pretraining can hurt small models given much data);
* ``beyond``: the fine-tuned loss is below anything the from-scratch law reaches (D_E = inf).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..defaults import LEVEL
from .._jsonable import records
from ..curves import Curve
from ..errors import ScalingLabError
from ..plan._common import check_level, interval, num, span
from .scratch import Scratch, as_scratch

__all__ = ["EffectiveData", "effective_data"]

STATUSES = ("ok", "extrapolated", "ossified", "beyond")


@dataclass(frozen=True, eq=False)
class EffectiveData:
    """Answer of :func:`effective_data`: one row per (N, D_F) cell, with bootstrap draws.

    ``table`` columns: N (NaN without a model-size column), D_F, loss (mean fine-tuned loss),
    runs, D_E, D_E_lo, D_E_hi, D_T, D_T_lo, D_T_hi, multiplier (D_E/D_F), fraction (D_F/D_E),
    status. ``d_e_draws`` and ``d_t_draws`` have shape (draws, cells), aligned with the
    from-scratch fit's bootstrap draws.
    """

    table: pd.DataFrame
    d_e_draws: np.ndarray
    d_t_draws: np.ndarray
    replicated: bool
    level: float
    scratch: Scratch
    metric: str

    @property
    def has_model_size(self) -> bool:
        return bool(self.table["N"].notna().all())

    def __str__(self) -> str:
        t = self.table
        usable = t[t["status"].isin(["ok", "extrapolated"])]
        pct = f"{self.level:.0%}"
        if not len(usable):
            return (f"No fine-tuned cell has a positive, finite effective data transferred ({len(t)} cells: "
                    + ", ".join(f"{s} {int((t['status'] == s).sum())}" for s in STATUSES if (t['status'] == s).any())
                    + ").")
        lo, hi = usable.iloc[0], usable.iloc[-1]
        where = (lambda r: f"D_F = {num(r['D_F'])}" + ("" if np.isnan(r["N"]) else f", N = {num(r['N'])}"))
        text = (f"Pretraining was worth D_T = {num(lo['D_T'])} samples ({pct} interval {span((lo['D_T_lo'], lo['D_T_hi']))}) "
                f"at {where(lo)}")
        if len(usable) > 1:
            text += f" up to {num(hi['D_T'])} ({span((hi['D_T_lo'], hi['D_T_hi']))}) at {where(hi)}"
        text += f"; {len(usable)} of {len(t)} cells usable"
        others = {s: int((t["status"] == s).sum()) for s in ("extrapolated", "ossified", "beyond")}
        notes = [f"{v} {k}" for k, v in others.items() if v]
        return text + (f" ({', '.join(notes)})" if notes else "") + "."

    def to_dict(self) -> dict:
        return {"level": self.level, "replicated": self.replicated, "metric": self.metric,
                "cells": records(self.table), "summary": str(self)}


def _cells(curve: Curve) -> list[tuple[float, float, np.ndarray]]:
    """(N or NaN, D_F, losses sorted) per cell, sorted by N then D_F: independent of row order."""
    if curve.n_inputs == 1:
        n_col, d_col = np.full(curve.n, np.nan), curve.x
    elif curve.n_inputs == 2:
        n_col, d_col = curve.x[:, 0], curve.x[:, 1]
    else:
        raise ScalingLabError(f"the fine-tuned curve must have x = D_F or x = (N, D_F); it has {curve.n_inputs} "
                              "columns")
    keys = np.c_[np.nan_to_num(n_col, nan=-1.0), d_col]
    uniq, member = np.unique(keys, axis=0, return_inverse=True)
    member = member.reshape(-1)
    return [(np.nan if u[0] < 0 else float(u[0]), float(u[1]), np.sort(curve.y[member == i]))
            for i, u in enumerate(uniq)]


def effective_data(scratch, finetuned: Curve, *, seed: int = 0, level: float = LEVEL) -> EffectiveData:
    r"""D_E and D_T = D_E − D_F for each fine-tuned (N, D_F) cell, with intervals.

    Parameters
    ----------
    scratch : FitResult or {N: FitResult}
        The from-scratch law, bootstrapped (see :mod:`scalinglab.transfer.scratch`): a 1-D fit
        (one model size), a joint fit over (N, D), or one 1-D fit per model size N.
    finetuned : Curve
        Loss of the fine-tuned models: x = D_F (one model size) or x = (N, D_F), in the same
        units as the from-scratch data (samples, tokens); replicate runs (seeds) allowed.
    seed : int
        Seeds the resampling of replicate fine-tuned runs.
    level : float
        Interval level.

    Examples
    --------
    >>> import numpy as np, scalinglab as sl
    >>> d = np.geomspace(1e3, 1e6, 8)
    >>> scratch = sl.fit(sl.Curve(d, 5 * d**-0.3 + 0.5), law="power_floor").bootstrap(50, seed=0)
    >>> d_f = np.array([1e3, 1e4])
    >>> ft = sl.Curve(d_f, 5 * (d_f + 20 * d_f**0.5)**-0.3 + 0.5)     # D_T = 20 D_F^0.5
    >>> [round(v) for v in sl.transfer.effective_data(scratch, ft).table["D_T"]]
    [632, 2000]
    """
    sc = as_scratch(scratch)
    level = check_level(level)
    if not isinstance(finetuned, Curve):
        raise ScalingLabError(f"finetuned must be a Curve (x = D_F or (N, D_F), y = loss), got {type(finetuned).__name__}")
    cells = _cells(finetuned)
    has_n = not np.isnan(cells[0][0])
    if sc.joint and not has_n:
        raise ScalingLabError("the from-scratch law is joint over (N, D): give the fine-tuned curve x = (N, D_F) so "
                              "each cell is inverted at its own model size")
    if not sc.joint and None in sc.fits and has_n and len({c[0] for c in cells}) > 1:
        raise ScalingLabError("the fine-tuned runs span several model sizes N but the from-scratch fit is one 1-D "
                              "curve: give one from-scratch fit per N ({N: fit}) or a joint (N, D) fit")
    if not sc.joint and None not in sc.fits and not has_n:
        raise ScalingLabError("the from-scratch fits are keyed by model size N: give the fine-tuned curve "
                              "x = (N, D_F) so each cell is inverted with the fit of its own N")
    rng = np.random.default_rng(seed)
    B = sc.n_draws
    rows, de_draws, dt_draws = [], [], []
    replicated = False
    for n, d_f, losses in cells:
        n_arg = None if (np.isnan(n) or None in sc.fits) else n
        loss = float(np.mean(losses))
        if len(losses) > 1:
            replicated = True
            r = len(losses)
            # the mean of r values resampled has (r - 1)/r of the sampling variance of the mean:
            # rescale the deviations by sqrt(r / (r - 1)) so small r does not shrink the interval
            resampled = losses[rng.integers(0, r, size=(B, r))].mean(axis=1)
            loss_b = loss + np.sqrt(r / (r - 1)) * (resampled - loss)
        else:
            loss_b = np.full(B, loss)
        d_e = sc.invert(loss, n_arg)
        d_e_b = sc.invert_draws(loss_b, n_arg)
        d_t, d_t_b = d_e - d_f, d_e_b - d_f
        if not np.isfinite(d_e):
            status = "beyond"
        elif d_t <= 0:
            status = "ossified"
        elif d_e > sc.largest(n_arg):
            status = "extrapolated"
        else:
            status = "ok"
        (e_lo, e_hi), (t_lo, t_hi) = interval(d_e_b, level), interval(d_t_b, level)
        rows.append({"N": n, "D_F": d_f, "loss": loss, "runs": len(losses), "D_E": d_e, "D_E_lo": e_lo,
                     "D_E_hi": e_hi, "D_T": d_t, "D_T_lo": t_lo, "D_T_hi": t_hi, "multiplier": d_e / d_f,
                     "fraction": d_f / d_e if d_e > 0 else np.nan, "status": status})
        de_draws.append(d_e_b)
        dt_draws.append(d_t_b)
    return EffectiveData(table=pd.DataFrame(rows), d_e_draws=np.array(de_draws).T, d_t_draws=np.array(dt_draws).T,
                         replicated=replicated, level=level, scratch=sc, metric=finetuned.metric)
