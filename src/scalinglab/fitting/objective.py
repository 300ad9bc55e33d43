r"""Per-point losses and what the optimiser needs from them.

``huber``: :math:`\rho(r) = r^2/2` for :math:`|r| \le \delta`, else
:math:`\delta(|r| - \delta/2)` (``scipy.special.huber``; Hoffmann et al. 2022 and
Besiroglu et al. 2024 sum it over log residuals with :math:`\delta = 10^{-3}`).
``squared``: :math:`\rho(r) = r^2`, so the objective is the residual sum of squares.

The optimiser uses weighted Gauss–Newton: ``weight(r)`` is the curvature
:math:`\rho''(r)` (1 inside the Huber threshold, 0 outside), plus a share ``s`` of
the IRLS majoriser curvature :math:`\psi(r)/r`, which keeps the model positive
definite when few residuals are inside the threshold. With the plain IRLS
majoriser (s = 1) a Huber fit with a tiny δ behaves like L1 regression and
converges only linearly (50–200 iterations for a Chinchilla bootstrap refit); with
s = 1e-3 a warm-started refit takes about 10–20. From far-away starts, where few
residuals are inside δ, s = 0.1 is faster. Steps are accepted only if the true
objective falls, so ``s`` affects speed, not the optimum. (Measured on the
Chinchilla data and small synthetic curves; see ``benchmarks/``.)
"""

from __future__ import annotations

import numpy as np

from ..errors import ScalingLabError

LOSSES = ("huber", "squared")


def check_loss(loss: str, delta: float) -> None:
    if loss not in LOSSES:
        raise ScalingLabError(f"loss must be one of {LOSSES}, got {loss!r}")
    if loss == "huber" and not (np.isfinite(delta) and delta > 0):
        raise ScalingLabError(f"delta must be a positive number for the Huber loss, got {delta!r}")


def rho(r: np.ndarray, loss: str, delta: float) -> np.ndarray:
    if loss == "squared":
        return r * r
    a = np.abs(r)
    return np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))


def psi(r: np.ndarray, loss: str, delta: float) -> np.ndarray:
    """d rho / d r."""
    if loss == "squared":
        return 2.0 * r
    return np.clip(r, -delta, delta)


#: IRLS share for refinement from grid starts and for warm-started bootstrap refits.
SHARE_COLD, SHARE_WARM = 0.1, 1e-3


def weight(r: np.ndarray, loss: str, delta: float, share: float = SHARE_COLD) -> np.ndarray:
    """Gauss–Newton curvature weight: rho''(r) plus share * psi(r)/r (see module doc)."""
    if loss == "squared":
        return np.full_like(r, 2.0)
    a = np.abs(r)
    with np.errstate(divide="ignore"):
        return np.where(a <= delta, 1.0 + share, share * delta / a)
