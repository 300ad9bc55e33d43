"""PAC and VC sample-complexity bounds, each labelled sufficient or necessary.

These are worst-case bounds over all distributions: usually loose (often by orders of
magnitude) for any particular problem. Use them to reason about how N scales with ε, δ and
capacity, not as a budget. Every result carries its elasticities: how much N grows (in %)
per 1 % change of ε and of δ.
"""

from __future__ import annotations

import math

import numpy as np
from dataclasses import dataclass, field

from ..errors import ScalingLabError
from ._checks import finite_answer, real, whole

__all__ = ["Bound", "pac_realizable", "pac_agnostic", "pac_finite", "vc_threshold_network", "vc_network_order"]


@dataclass(frozen=True)
class Bound:
    n: float
    kind: str                       # "sufficient" (enough samples) or "necessary" (at least this many)
    source: str
    assumptions: str
    sensitivity: dict = field(default_factory=dict)   # elasticity d ln N / d ln (input)

    def __post_init__(self):
        finite_answer(self.n, f"the {self.kind} bound")
        if not all(np.isfinite(v) for v in self.sensitivity.values()):
            raise ScalingLabError(f"the {self.kind} bound's elasticities overflow double precision: the request "
                                  "is too extreme to answer")

    @property
    def n_required(self) -> int:
        return int(math.ceil(self.n - 1e-9))

    def __str__(self) -> str:
        word = "suffice" if self.kind == "sufficient" else "are necessary"
        sens = ", ".join(f"{k} {v:+.2f}" for k, v in self.sensitivity.items())
        return (f"{self.n_required:,} samples {word} ({self.kind} bound: {self.source}; {self.assumptions}). "
                f"Worst case over all distributions, usually loose. Elasticities of N: {sens}.")


def _check(eps: float, delta: float) -> None:
    real("eps", eps, low=0, high=1)
    real("delta", delta, low=0, high=1)
    if eps < 1e-150:           # ε² underflows in the agnostic bounds; no bound that small is meaningful
        raise ScalingLabError(f"eps must be at least 1e-150, got {eps!r}")


def _elasticities(fn, eps: float, delta: float, h: float = 1e-6) -> dict:
    out = {}
    for name, value in (("eps", eps), ("delta", delta)):
        up = fn(**{"eps": eps, "delta": delta, name: value * (1 + h)})
        down = fn(**{"eps": eps, "delta": delta, name: value * (1 - h)})
        out[name] = (math.log(up) - math.log(down)) / (math.log(1 + h) - math.log(1 - h))
    return out


def pac_realizable(vc: int, eps: float, delta: float, *, kind: str = "sufficient") -> Bound:
    """Realizable PAC learning of a class of VC dimension ``vc`` to error ``eps`` with
    probability 1 − ``delta``.

    * sufficient (Blumer, Ehrenfeucht, Haussler & Warmuth 1989, Thm 2.1(ii)(b)):
      m >= max((4/ε)·log2(2/δ), (8V/ε)·log2(13/ε));
    * necessary (Ehrenfeucht, Haussler, Kearns & Valiant 1989): m > max(((1−ε)/ε)·ln(1/δ),
      (V−1)/(32ε)), for ε <= 1/8, δ <= 1/100, V >= 2.

    >>> round(pac_realizable(10, 0.1, 0.05).n, 2)
    5617.89
    """
    _check(eps, delta)
    vc = whole("vc", vc, 1)
    if kind == "sufficient":
        def fn(eps, delta):
            return max(4 / eps * math.log2(2 / delta), 8 * vc / eps * math.log2(13 / eps))
        return Bound(fn(eps, delta), "sufficient", "Blumer et al. 1989",
                     f"realizable case (a perfect hypothesis exists), VC dimension {vc}",
                     _elasticities(fn, eps, delta))
    if kind == "necessary":
        if not (eps <= 1 / 8 and delta <= 1 / 100 and vc >= 2):
            raise ScalingLabError("the necessary bound of Ehrenfeucht et al. 1989 holds for eps <= 1/8, "
                                  f"delta <= 1/100 and vc >= 2; got eps={eps}, delta={delta}, vc={vc}")

        def fn(eps, delta):
            return max((1 - eps) / eps * math.log(1 / delta), (vc - 1) / (32 * eps))
        return Bound(fn(eps, delta), "necessary", "Ehrenfeucht, Haussler, Kearns & Valiant 1989",
                     f"realizable case, any learner, VC dimension {vc}", _elasticities(fn, eps, delta))
    raise ScalingLabError(f"kind must be 'sufficient' or 'necessary', got {kind!r}")


def pac_agnostic(vc: int, eps: float, delta: float) -> Bound:
    """Agnostic (no perfect hypothesis) learning to within ``eps`` of the best in the class:
    sufficient m >= (64/ε²)·(2V·ln(12/ε) + ln(4/δ)) (Anthony & Bartlett 1999, Thm 4.10 as
    commonly quoted)."""
    _check(eps, delta)
    vc = whole("vc", vc, 1)

    def fn(eps, delta):
        return 64 / eps ** 2 * (2 * vc * math.log(12 / eps) + math.log(4 / delta))
    return Bound(fn(eps, delta), "sufficient", "Anthony & Bartlett 1999",
                 f"agnostic case, empirical risk minimisation, VC dimension {vc}", _elasticities(fn, eps, delta))


def pac_finite(n_hypotheses: float, eps: float, delta: float, *, agnostic: bool = False) -> Bound:
    """Finite hypothesis classes, sufficient (Shalev-Shwartz & Ben-David 2014, Cor. 2.3 and
    4.6): realizable ln(|H|/δ)/ε; agnostic 2·ln(2|H|/δ)/ε²."""
    _check(eps, delta)
    real("n_hypotheses", n_hypotheses, low=1, open_low=False)
    if agnostic:
        def fn(eps, delta):
            return 2 * math.log(2 * n_hypotheses / delta) / eps ** 2
    else:
        def fn(eps, delta):
            return math.log(n_hypotheses / delta) / eps
    case = "agnostic" if agnostic else "realizable"
    return Bound(fn(eps, delta), "sufficient", "Shalev-Shwartz & Ben-David 2014",
                 f"{case} case, finite class of {n_hypotheses:g} hypotheses", _elasticities(fn, eps, delta))


def vc_threshold_network(weights: int, units: int) -> float:
    """Upper bound on the VC dimension of a feed-forward network of linear threshold units
    with W weights and U computation units: 2W·log2(e·U) (Baum & Haussler 1989). The source
    notes' 2(d+1)s·log(e·s) is this bound for one hidden layer.

    >>> round(vc_threshold_network(100, 10), 3)
    952.925
    """
    weights, units = whole("weights", weights, 1), whole("units", units, 1)
    return 2 * weights * math.log2(math.e * units)


def vc_network_order(weights: int, layers: int, *, activation: str = "relu") -> str:
    """Orders of growth only (constants unknown), as text:

    * piecewise-linear (ReLU) networks: VC = Θ(W·L·log W) (Bartlett, Harvey, Liaw & Mehrabian 2019);
    * sigmoid networks can reach Ω(W²) (Koiran & Sontag 1997): no W·log W bound exists for them.
    """
    weights, layers = whole("weights", weights, 1), whole("layers", layers, 1)
    if activation == "relu":
        return (f"VC dimension grows as W·L·log W ≈ {weights * layers * math.log2(max(weights, 2)):.3g} up to "
                "unknown constants (Bartlett et al. 2019): an order of growth, not a number to budget with")
    if activation == "sigmoid":
        return ("sigmoid networks can have VC dimension of order W² (Koiran & Sontag 1997): no W·log W "
                "bound is offered")
    raise ScalingLabError(f"activation must be 'relu' or 'sigmoid', got {activation!r}")
