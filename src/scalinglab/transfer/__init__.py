"""Transfer scaling (Hernandez, Kaplan, Henighan & McCandlish 2021, "Scaling Laws for Transfer").

``effective_data(scratch_fit, finetuned_curve)`` (D_E and D_T = D_E − D_F per fine-tuned
cell, with intervals), ``fit_transfer(effective)`` (D_T = k·D_F^α·N^β), ``worth(fit, d_f,
n=..., target=...)`` ("pretraining is worth about X samples of your data at this size, and
this share of your data need"). Pure functions over bootstrapped fits; each answer is a frozen
object whose ``str`` is one sentence with the numbers and ``to_dict()`` is JSON-able.
"""

from .effective import EffectiveData, effective_data
from .law import TransferFit, fit_transfer
from .scratch import Scratch
from .pretraining import TransferWorth, worth
from .study import StartComparison, TransferStudy, analyse_starts

__all__ = ["effective_data", "fit_transfer", "worth", "EffectiveData", "TransferFit", "TransferWorth", "Scratch",
           "analyse_starts", "TransferStudy", "StartComparison"]
