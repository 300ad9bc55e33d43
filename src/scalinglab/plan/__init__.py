"""Decisions from fitted laws, each with an interval from the bootstrap draws.

``data_for`` (size for a target), ``gain`` (what k× more data buys), ``regime`` (small-data,
power-law or flat), ``economics`` (net value, marginal cost, break-even), ``next_tranche``
(where to collect next, when to stop), ``compute_optimal`` / ``isoflop`` /
``inference_optimal`` (compute budgets). Each returns a small frozen object whose ``str`` is
one plain sentence with the numbers.
"""

from . import toy
from .compute import ComputeOptimal, InferenceOptimal, IsoFlop, compute_optimal, inference_optimal, isoflop
from .value import Economics, economics
from .regimes import Regime, regime
from .targets import DataEstimate, GainEstimate, data_for, gain
from .tranche import NextTranche, next_tranche

__all__ = ["data_for", "gain", "regime", "economics", "next_tranche", "compute_optimal", "isoflop",
           "inference_optimal", "toy", "DataEstimate", "GainEstimate", "Regime", "Economics", "NextTranche",
           "ComputeOptimal", "IsoFlop", "InferenceOptimal"]
