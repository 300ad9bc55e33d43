r"""The planning answer: what pretraining is worth in samples of your own data.

At fine-tuning size :math:`D_F` (and model size N), pretraining is worth
:math:`D_T = k D_F^{\alpha} N^{\beta}` samples (Hernandez et al. 2021, eq. 1.1): the model
behaves as if trained from scratch on :math:`D_E = D_F + D_T`. With a target loss, the
from-scratch need is :math:`D_E^* = L^{-1}(\text{target})` (the from-scratch law inverted), and
the fine-tuning data that reach it solve :math:`D_F + k D_F^{\alpha} N^{\beta} = D_E^*`
(unique for α >= 0, since the left side then increases with D_F); the share of the
from-scratch need is :math:`D_F^* / D_E^*`. Every number has a percentile interval over the
bootstrap draws (from-scratch draw b paired with transfer draw b).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..defaults import LEVEL
from .._jsonable import jsonable
from ..errors import ScalingLabError
from ..plan._common import check_level, interval, num, span
from .law import TransferFit

__all__ = ["TransferWorth", "worth"]


@dataclass(frozen=True)
class TransferWorth:
    """Answer of :func:`worth`. Sizes in the units of the data (samples, tokens)."""

    d_f: float
    n: float | None
    d_t: float
    d_t_interval: tuple[float, float]
    multiplier: float                       # D_E / D_F
    multiplier_interval: tuple[float, float]
    fraction: float                         # D_F / D_E, fraction of effective data from fine-tuning
    fraction_interval: tuple[float, float]
    target: float | None = None
    scratch_need: float | None = None       # D_E*: from-scratch data for the target
    scratch_need_interval: tuple[float, float] | None = None
    finetune_need: float | None = None      # D_F*: fine-tuning data for the target
    finetune_need_interval: tuple[float, float] | None = None
    share: float | None = None              # D_F* / D_E*
    share_interval: tuple[float, float] | None = None
    level: float = LEVEL
    metric: str = "loss"
    notes: tuple = ()                       # extrapolation beyond the sizes the law was fitted on

    def __str__(self) -> str:
        pct = f"{self.level:.0%}"
        at = f"D_F = {num(self.d_f)} samples" + ("" if self.n is None else f" and N = {num(self.n)} parameters")
        text = (f"At {at}, pretraining is worth about {num(self.d_t)} samples of your data ({pct} interval "
                f"{span(self.d_t_interval)}): ×{self.multiplier:.3g} effective data ({span(self.multiplier_interval)}); "
                f"your fine-tuning data are {self.fraction:.1%} ({self.fraction_interval[0]:.1%}–"
                f"{self.fraction_interval[1]:.1%}) of the effective data.")
        if self.target is not None:
            if not np.isfinite(self.scratch_need):
                text += (f" {self.metric} {num(self.target)} is out of reach of the from-scratch law at this model size, "
                         "so the share of data needed is undefined.")
            else:
                text += (f" To reach {self.metric} {num(self.target)}: from scratch about {num(self.scratch_need)} samples "
                         f"({span(self.scratch_need_interval)}), from the pretrained start about "
                         f"{num(self.finetune_need)} ({span(self.finetune_need_interval)}), i.e. {self.share:.1%} "
                         f"({self.share_interval[0]:.1%}–{self.share_interval[1]:.1%}) of the from-scratch need.")
        return text + "".join(f" Note: {n}." for n in self.notes)

    def to_dict(self) -> dict:
        return jsonable({**self.__dict__, "summary": str(self)})


def _finetune_need(d_e: np.ndarray, coef: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Smallest D with D + coef·D^alpha >= d_e, per element (bisection on log D); NaN where
    alpha < 0 (the left side is then not monotone) or d_e is not finite."""
    d_e = np.asarray(d_e, float)
    ok = np.isfinite(d_e) & (d_e > 0) & (alpha >= 0) & np.isfinite(coef)
    lo = np.where(ok, np.log(np.where(ok, d_e, 1.0)) - 80.0, 0.0)
    hi = np.where(ok, np.log(np.where(ok, d_e, 1.0)), 0.0)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        reached = np.exp(mid) + coef * np.exp(alpha * mid) >= np.where(ok, d_e, 0.0)
        hi, lo = np.where(reached, mid, hi), np.where(reached, lo, mid)
    return np.where(ok, np.exp(hi), np.nan)


def worth(fit: TransferFit, d_f: float, *, n: float | None = None, target: float | None = None,
          level: float | None = None) -> TransferWorth:
    r"""What pretraining is worth at fine-tuning size ``d_f`` (and model size ``n``), and,
    with a ``target`` loss, the fine-tuning data that reach it as a share of the from-scratch
    need (see the module docstring).

    >>> import numpy as np, scalinglab as sl
    >>> d = np.geomspace(1e3, 1e7, 10)
    >>> scratch = sl.fit(sl.Curve(d, 5 * d**-0.3 + 0.5), law="power_floor").bootstrap(50, seed=0)
    >>> d_f = np.geomspace(1e2, 1e4, 5)
    >>> ft = sl.Curve(d_f, 5 * (d_f + 20 * d_f**0.5)**-0.3 + 0.5)
    >>> tf = sl.transfer.fit_transfer(sl.transfer.effective_data(scratch, ft))
    >>> round(sl.transfer.worth(tf, 1e4).d_t)
    2000
    """
    if not isinstance(fit, TransferFit):
        raise ScalingLabError("worth expects the result of sl.transfer.fit_transfer(...)")
    level = check_level(level or fit.level)
    if n is not None and not fit.has_beta:
        raise ScalingLabError("this transfer law was fitted at one model size (no β): leave n out")
    d_t = fit.predict(d_f, n)
    d_t_b = fit.predict_draws(d_f, n)
    d_f = float(d_f)
    out = dict(d_f=d_f, n=None if n is None else float(n), d_t=d_t, d_t_interval=interval(d_t_b, level),
               multiplier=1 + d_t / d_f, multiplier_interval=interval(1 + d_t_b / d_f, level),
               fraction=d_f / (d_f + d_t), fraction_interval=interval(d_f / (d_f + d_t_b), level), level=level)
    if target is not None:
        target = float(target)
        if not np.isfinite(target):
            raise ScalingLabError(f"target must be a finite number, got {target!r}")
        sc = fit.scratch
        n_arg = None if (None in sc.fits) else n
        if not sc.joint and None not in sc.fits and n is None and len(sc.fits) > 1:
            raise ScalingLabError("the from-scratch fits are per model size: give n= (one of "
                                  + ", ".join(f"{k:g}" for k in sc.fits) + ")")
        need = sc.invert(target, n_arg)
        need_b = sc.invert_draws(target, n_arg)
        m = min(len(need_b), len(fit.draws))
        need_b, draws = need_b[:m], fit.draws[:m]
        coef_b = draws[:, 0] * (float(n) ** draws[:, 2] if fit.has_beta else 1.0)
        coef = fit.params["k"] * (float(n) ** fit.params["beta"] if fit.has_beta else 1.0)
        ft = float(_finetune_need(np.array([need]), np.array([coef]), np.array([fit.params["alpha"]]))[0])
        ft_b = _finetune_need(need_b, coef_b, draws[:, 1])
        ft_b = np.where(np.isnan(ft_b) & np.isinf(need_b), np.inf, ft_b)
        with np.errstate(invalid="ignore"):
            share_b = np.where(np.isfinite(need_b), ft_b / need_b, np.nan)
        share_b = share_b[np.isfinite(share_b)]
        out.update(target=target, scratch_need=need, scratch_need_interval=interval(need_b, level),
                   finetune_need=ft, finetune_need_interval=interval(np.where(np.isnan(ft_b), np.inf, ft_b), level),
                   share=ft / need if np.isfinite(need) else np.nan,
                   share_interval=interval(share_b, level) if len(share_b) else (np.nan, np.nan))
    lo, hi = fit.d_f_range
    notes = []
    outside = [(what, v) for what, v in (("D_F", d_f), ("the fine-tuning data for the target", out.get("finetune_need")))
               if v is not None and np.isfinite(v) and not lo <= v <= hi]
    for what, v in outside:
        notes.append(f"{what} = {num(v)} is outside the fine-tuning sizes measured ({num(lo)}–{num(hi)}), so the "
                     "transfer law is extrapolated there (Hernandez et al. fit it in the low-data regime)")
    if fit.has_beta and n is not None and not fit.n_range[0] <= float(n) <= fit.n_range[1]:
        notes.append(f"N = {num(float(n))} is outside the model sizes measured ({num(fit.n_range[0])}–"
                     f"{num(fit.n_range[1])})")
    return TransferWorth(**out, metric=next(iter(fit.scratch.fits.values())).curve.metric, notes=tuple(notes))
