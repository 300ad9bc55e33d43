"""Fitting engine: Curve + Law -> FitResult (multi-start, batched refinement, bootstrap)."""

from .engine import fit, fit_quiet
from .result import Band, FitResult

__all__ = ["fit", "fit_quiet", "FitResult", "Band"]
