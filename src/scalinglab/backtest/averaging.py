"""The default forecast (issue 18): a weighted average of the laws' log predictions.

Each candidate law is fitted to the curve; a law is *usable* when its fit exists, predicts
finite positive values and obeys the shapes the metric implies (its floor, the value as
size -> infinity, is no higher than the smallest per-size mean measured; every prediction is
below the metric's cap, 1 for an error rate; M4's y0, the metric with no data, is no higher
than the cap). The usable laws are weighted by how well each extrapolated inside the
training data (the inner backtest of :mod:`.protocol`: fit on all
but the largest 25 % of the sizes, score the RMSE s of log y on those; a law with as many
parameters as inner sizes is still scored, an exactly determined fit still says how the law
extrapolates):

.. math:: w_l \\propto \\left(s_l^2 + \\sigma^2\\right)^{-n / (2T)}

with n the inner held-out sizes, σ the curve's own noise (median log-scale standard error of
the per-size means over replicates; 0 without replicates), so that laws within the noise of
each other weigh alike, and T = ``TEMPERATURE``: the Gaussian likelihood of the held-out
sizes (T = 1) tempered, as in power posteriors (Grünwald 2012; Bissiri, Holmes & Walker
2016), because a few held-out sizes overstate the evidence. Laws that could not be scored
weigh as the worst scored law. The forecast is exp(Σ w_l log ŷ_l); its log-scale unit the
mixture's standard deviation sqrt(Σ w_l (u_l² + (log ŷ_l − log ŷ)²)), u_l each law's unit
(bootstrap ⊕ residual sd), widened by calibrated quantiles (:mod:`.calibration`). With a
scale model in the calibration (the shipped one since version 2) the unit is instead read
from the curve's own inner-backtest error (:func:`inner_error`) and the extrapolation
distance (:func:`distance`): leave-one-domain-out, the members' spread did not follow how far
off the average was from one domain to the next, the inner error and the distance did.

Every constant was chosen leave-one-domain-out on the visible suite (``benchmarks/lodo.py``;
``python benchmarks/extrapolation_domains.py --lodo`` prints the table).
"""

from __future__ import annotations

import numpy as np

from ..laws.base import get_law

#: Tempering of the inner-backtest likelihood; chosen leave-one-family-out (every held-out
#: family's fold chose 2 among 0.5, 1, 2, 4, 8; benchmarks/lodo.py).
TEMPERATURE = 2.0
#: A floor above the smallest mean by more than this (relative) breaks the shape constraint.
FLOOR_SLACK = 1e-9
#: Where the floor is read: the law's value at this size (as size -> infinity).
FAR = 1e300


def asymptote(law, theta: np.ndarray) -> np.ndarray:
    """Each fit's value as size -> infinity (its floor), theta (C, p) -> (C,)."""
    law = get_law(law)
    with np.errstate(all="ignore"):
        return law._predict((np.full((len(theta), 1), FAR),), theta)[:, 0]


def usable(law, theta: np.ndarray, pred: np.ndarray, smallest: np.ndarray, cap: np.ndarray,
           W: np.ndarray | None = None) -> np.ndarray:
    """Curves (C,) on which a law's fit can be used: predictions ``pred`` (C, m) finite and
    positive where ``W`` > 0 and below ``cap`` (C,); the floor no higher than ``smallest``
    (C,), the smallest per-size mean of the data fitted; for M4 also y0 <= cap."""
    law = get_law(law)
    W = np.ones(pred.shape, bool) if W is None else np.asarray(W) > 0
    with np.errstate(invalid="ignore"):
        ok = np.all((np.isfinite(pred) & (pred > 0) & (pred < cap[:, None])) | ~W, axis=1)
        ok &= np.all(np.isfinite(theta) | np.isinf(theta), axis=1) & ~np.any(np.isnan(theta), axis=1)
        ok &= ~(asymptote(law, theta) > smallest * (1 + FLOOR_SLACK))
        if law.name == "m4":
            ok &= ~(theta[:, law.param_names.index("y0")] > cap * (1 + FLOOR_SLACK))
    return ok


def weights(scores: np.ndarray, n_held: np.ndarray, noise: np.ndarray, ok: np.ndarray,
            temperature: float = TEMPERATURE) -> np.ndarray:
    """Weights (C, L) of the usable laws (``ok``) from inner-backtest ``scores`` (C, L; inf or
    NaN: not scored), ``n_held`` inner held-out sizes (C,) and the curves' ``noise`` (C,).
    A curve where no law is usable gets NaN weights."""
    S = np.where(ok & np.isfinite(scores), scores, np.nan)
    S = np.maximum(np.sqrt(S ** 2 + np.asarray(noise, float)[:, None] ** 2), 1e-6)
    scored = np.isfinite(S)
    worst = np.where(scored, S, -np.inf).max(axis=1, keepdims=True)
    S = np.where(ok & ~scored, worst, S)                  # unscored: as the worst scored law
    n = np.maximum(np.asarray(n_held, float), 1.0)[:, None]
    with np.errstate(all="ignore"):
        logw = np.where(ok & np.isfinite(S), -n / temperature * np.log(S), -np.inf)
        logw = logw - logw.max(axis=1, keepdims=True)
        w = np.exp(logw)
        w = w / w.sum(axis=1, keepdims=True)
    # usable laws but none scored anywhere on the curve: equal weights
    equal = ok / np.maximum(ok.sum(axis=1, keepdims=True), 1)
    return np.where(np.all(np.isfinite(w), axis=1)[:, None], w, np.where(ok.any(axis=1)[:, None], equal, np.nan))


def combine(pred: np.ndarray, unit: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean of the log predictions ``pred`` (C, L, m) and the mixture's log-scale sd
    from the members' ``unit`` (C, L, m) and their spread; (C, m) each, NaN where w is NaN."""
    use = (w > 0)[:, :, None]
    wm = np.nan_to_num(w)[:, :, None]
    with np.errstate(all="ignore"):
        logp = np.where(use, np.log(pred), 0.0)
        mean = np.sum(wm * logp, axis=1)
        var = np.sum(wm * (np.where(use, unit, 0.0) ** 2 + (logp - mean[:, None]) ** 2), axis=1)
    bad = ~np.all(np.isfinite(w), axis=1)[:, None]
    return np.where(bad, np.nan, np.exp(mean)), np.where(bad, np.nan, np.sqrt(var))


def inner_error(scores: np.ndarray, noise: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The curve's inner-backtest error as the average sees it (C,): sqrt(Σ w_l (s_l² + σ²))
    over the usable laws that were scored (weights renormalised over them), s_l the inner
    scores (C, L; inf or NaN: not scored), σ the replicate ``noise`` (C,), ``w`` the weights
    (C, L) of :func:`weights`. Where no usable law was scored: the median of the scored laws'
    sqrt(s² + σ²); where none was scored: σ."""
    noise = np.asarray(noise, float)
    S = np.where(np.isfinite(scores), scores, np.nan)
    S2 = S ** 2 + noise[:, None] ** 2
    use = np.isfinite(S2) & (np.nan_to_num(w) > 0)
    with np.errstate(all="ignore"):
        wn = np.where(use, np.nan_to_num(w), 0.0)
        weighted = np.sqrt(np.sum(wn * np.where(use, S2, 0.0), axis=1) / wn.sum(axis=1))
        any_scored = np.isfinite(S2).any(axis=1)
        median = np.sqrt(np.nanmedian(np.where(any_scored[:, None], S2, 0.0), axis=1))
    return np.where(np.isfinite(weighted), weighted, np.where(any_scored, median, noise))


def distance(X: np.ndarray, largest: np.ndarray) -> np.ndarray:
    """How far each forecast reaches: log(X / largest size fitted), X (C, m), largest (C,)."""
    with np.errstate(all="ignore"):
        return np.log(np.asarray(X, float) / np.asarray(largest, float)[:, None])
