"""Where to collect next: grow geometrically, stop when the answer is tight or the curve is flat."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._answer import Answer
from ..defaults import LEVEL
from ..fitting.result import FitResult
from ._common import check_level, num, number, require_one_input, with_draws
from .regimes import Regime, regime
from .targets import DataEstimate, data_for

__all__ = ["NextTranche", "next_tranche"]


@dataclass(frozen=True)
class NextTranche(Answer):
    """Answer of :func:`next_tranche`: the next size to measure, or a reason to stop."""

    size: float
    stop: bool
    reason: str
    regime: Regime
    estimate: DataEstimate | None

    def __str__(self) -> str:
        head = "Stop collecting tranches" if self.stop else f"Next: measure at {num(self.size)} samples"
        return f"{head}: {self.reason}"


def next_tranche(fit: FitResult, target: float | None = None, *, step: float = 2.0, tight: float = 0.5,
                 level: float = LEVEL) -> NextTranche:
    """The collect–fit–decide loop of the source notes, one decision at a time.

    Rules, in order: stop in the flat zone (more data buys nothing measurable); with a
    ``target``: stop if the sizes measured already reach it, or if fewer than half the
    bootstrap draws can reach it at all (it is below the floor); stop when the interval of
    the size needed is tight, (hi − lo) / n <= ``tight``, and recommend collecting up to that
    size directly; otherwise take one geometric ``step`` (×2 by default, Hestness et al.'s
    powers of two) from the largest size, or go straight to the estimate when it is closer.
    """
    require_one_input(fit, "next_tranche")
    level = check_level(level)
    step = number(step, "step (a growth factor such as 2)", low=1.0)
    tight = number(tight, "tight", low=0.0)
    fit = with_draws(fit, level)
    zone = regime(fit, level=level)
    largest = float(fit.curve.x.max())
    if zone.zone == "flat":
        return NextTranche(largest, True, f"the curve is flat at {num(largest)} samples. {zone}", zone, None)
    if target is None:
        return NextTranche(step * largest, False, f"no target given; grow geometrically (×{step:g}). {zone}",
                           zone, None)
    est = data_for(fit, target, level=level)
    if est.reachable and est.n <= largest:
        return NextTranche(largest, True, f"the target is reached within the sizes measured. {est}", zone, est)
    if est.reachable_share < 0.5:
        return NextTranche(largest, True, f"the target is probably out of reach. {est}", zone, est)
    lo, hi = est.interval
    if np.isfinite(hi) and (hi - lo) / est.n <= tight:
        return NextTranche(est.n, True, f"the size needed is known well enough ((hi − lo)/n = "
                                        f"{(hi - lo) / est.n:.2f} <= {tight:g}); collect up to it directly. {est}",
                           zone, est)
    size = min(step * largest, est.n) if est.reachable else step * largest
    return NextTranche(size, False, f"the size needed is still uncertain ({num(lo)}–{num(hi)}); measure "
                                    f"one more tranche. {est}", zone, est)
