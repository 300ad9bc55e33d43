"""Fitting engine: Curve + Law -> FitResult (multi-start, batched refinement), and the bootstrap.

``fit`` (:mod:`.entry`) checks the options and fits one law (:mod:`.engine`) or selects among
candidates (:mod:`.select`); ``bootstrap`` (:mod:`.resampling`) refits resamples of a result's
curve and returns a copy with the draws. A :class:`FitResult` (:mod:`.result`) is data.
"""

from .engine import fit_quiet
from .entry import fit
from .resampling import bootstrap
from .result import Band, FitResult

__all__ = ["fit", "fit_quiet", "bootstrap", "FitResult", "Band"]
