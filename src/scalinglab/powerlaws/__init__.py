"""Power-law distributions, as Clauset, Shalizi & Newman 2009 fit them: MLE exponent, x_min by
KS minimisation (exact branch and bound, see ``xmin``), bootstrap goodness of fit,
likelihood-ratio tests; entry points for raw values, token counts (Zipf) and matrix spectra."""

from .compare import ALTERNATIVES, Comparison
from .fitting import PowerLawFit, fit
from .entry import SpectrumFit, ZipfFit, spectrum, zipf

__all__ = ["fit", "PowerLawFit", "Comparison", "ALTERNATIVES", "zipf", "ZipfFit", "spectrum", "SpectrumFit"]
