"""What the advisor answers: one frozen :class:`Advice` (``str`` = one sentence, ``text()`` =
the full advice, ``to_dict()`` = JSON-able), with the predicted size and the cost."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._jsonable import jsonable
from ..errors import ScalingLabError
from ..plan._common import num

__all__ = ["Advice", "Predicted", "Cost", "advice_dict"]

#: Sizes above this are written "more than 1e+12": a prior that allows exponents near 0 puts
#: the upper end of the interval beyond anything collectable, and the digits say nothing more.
HUGE = 1e12


def _upper(value: float, infinite: str = "never") -> str:
    """The upper end of an interval: 'never' (some draws never reach the target), 'more than
    1e+12' (finite but beyond anything collectable) or the number."""
    if np.isinf(value):
        return infinite
    return f"more than {num(HUGE)}" if value > HUGE else num(value)


@dataclass(frozen=True)
class Predicted:
    """The size predicted for the target, with its interval and where it came from."""

    n: float
    interval: tuple[float, float]
    level: float
    source: str
    detail: str = ""

    def __str__(self) -> str:
        if not np.isfinite(self.n):
            return f"out of reach ({self.source}): {self.detail}"
        lo, hi = self.interval
        return f"about {num(self.n)} samples ({self.level:.0%} interval {num(lo)}–{_upper(hi)}; {self.source})"


@dataclass(frozen=True)
class Cost:
    """Labelling cost at ``per_sample``: the first tranche, and the samples still to collect
    to reach the predicted size (with the interval)."""

    per_sample: float
    first_tranche: float | None
    to_target: float | None = None
    to_target_interval: tuple[float, float] | None = None

    def __str__(self) -> str:
        parts = []
        if self.first_tranche is not None:
            parts.append(f"first tranche {num(self.first_tranche)}")
        if self.to_target is not None:
            lo, hi = self.to_target_interval
            parts.append(f"to the target {num(self.to_target)} ({num(lo)}–{_upper(hi, 'unbounded')})")
        return f"at {num(self.per_sample)} per sample: " + ", ".join(parts) if parts else "no cost computed"


@dataclass(frozen=True)
class Advice:
    """Answer of :func:`scalinglab.advise`."""

    scenario: str
    situation: str
    approach: str
    why: str
    first_tranche: int | None
    schedule: tuple[int, ...]
    predicted: Predicted | None
    cost: Cost | None
    next_step: str
    target: float | None
    metric: str
    level: float
    evidence: tuple[str, ...] = ()
    literature: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    numbers: dict = field(default_factory=dict)       # the sub-answers' key numbers, for JSON and reports

    def __str__(self) -> str:
        text = self.approach.rstrip(".")
        if self.first_tranche is not None:
            text += f"; first tranche {self.first_tranche:,} samples"
            if self.schedule and self.schedule[0] != self.first_tranche:
                text += f" (to {self.schedule[0]:,} in all)"
            if len(self.schedule) > 1:
                text += ", then " + ", ".join(f"{s:,}" for s in self.schedule[1:4]) + ("…" if len(self.schedule) > 4 else "")
        if self.predicted is not None and self.target is not None:
            text += f"; {self.metric} {num(self.target)} needs {self.predicted}"
        if self.cost is not None:
            text += f"; cost {self.cost}"
        return text + f". Next: {self.next_step}"

    def text(self) -> str:
        """The whole advice, one labelled line or block per part."""
        lines = [f"Scenario: {self.scenario} ({self.situation})", f"Approach: {self.approach}", f"Why: {self.why}"]
        if self.first_tranche is not None:
            lines.append(f"First tranche: {self.first_tranche:,} new samples; schedule (cumulative sizes to measure at): "
                         + ", ".join(f"{s:,}" for s in self.schedule))
        if self.target is not None:
            lines.append(f"Predicted size for {self.metric} {num(self.target)}: "
                         + (str(self.predicted) if self.predicted is not None else "not predicted (see missing)"))
        if self.cost is not None:
            lines.append(f"Cost: {self.cost}")
        lines.append(f"Next step: {self.next_step}")
        for title, items in (("Evidence", self.evidence), ("Literature", self.literature),
                             ("References", self.references), ("Would sharpen this", self.missing)):
            if items:
                lines.append(f"{title}:")
                lines += [f"  - {item}" for item in items]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        out = {k: getattr(self, k) for k in ("scenario", "situation", "approach", "why", "first_tranche", "schedule",
                                             "next_step", "target", "metric", "level", "evidence", "literature",
                                             "references", "missing", "numbers")}
        out["predicted"] = None if self.predicted is None else {**self.predicted.__dict__, "summary": str(self.predicted)}
        out["cost"] = None if self.cost is None else {**self.cost.__dict__, "summary": str(self.cost)}
        out["summary"] = str(self)
        return jsonable(out)


#: What a report's advisor section needs of an advice (``Advice.to_dict()`` or ``scalinglab advise --json``).
_REQUIRED = ("scenario", "situation", "approach", "why", "next_step")
_LISTS = ("schedule", "evidence", "literature", "references", "missing")


def advice_dict(advice, where: str = "advice") -> dict:
    """An advice as the report shows it: an :class:`Advice`, or the JSON of ``scalinglab advise
    --json`` (a dict), checked; anything else is a ScalingLabError naming ``where``."""
    if isinstance(advice, Advice):
        return advice.to_dict()
    if not isinstance(advice, dict):
        raise ScalingLabError(f"{where}: expected an sl.advise answer or the JSON of 'scalinglab advise --json', "
                              f"got {type(advice).__name__}")
    missing = [k for k in _REQUIRED if not isinstance(advice.get(k), str)]
    if missing:
        raise ScalingLabError(f"{where}: not an advice saved by 'scalinglab advise --json' (no text for {missing})")
    bad = [k for k in _LISTS if advice.get(k) is not None and not isinstance(advice[k], list)]
    if bad:
        raise ScalingLabError(f"{where}: not an advice saved by 'scalinglab advise --json' ({bad} must be lists)")
    for key in ("predicted", "cost"):
        part = advice.get(key)
        if part is not None and not (isinstance(part, dict) and isinstance(part.get("summary"), str)):
            raise ScalingLabError(f"{where}: not an advice saved by 'scalinglab advise --json' ({key} needs a summary)")
    return dict(advice)
