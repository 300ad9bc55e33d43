"""Power-law distributions, as Clauset, Shalizi & Newman 2009 fit them: MLE exponent, x_min by
KS minimisation (exact branch and bound, see ``xmin``), bootstrap goodness of fit,
likelihood-ratio tests; entry points for raw values, token counts (Zipf) and matrix spectra."""

from .._lazy import lazy
from .alternatives import ALTERNATIVES

# loaded on first use: the command line lists ALTERNATIVES in its help without loading scipy
__getattr__, __dir__ = lazy(__name__, {
    "Comparison": "compare", "fit": "fitting", "PowerLawFit": "fitting",
    "SpectrumFit": "entry", "ZipfFit": "entry", "spectrum": "entry", "zipf": "entry"})

__all__ = ["fit", "PowerLawFit", "Comparison", "ALTERNATIVES", "zipf", "ZipfFit", "spectrum", "SpectrumFit"]
