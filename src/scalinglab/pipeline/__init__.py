"""The orchestration layer between the answers (fitting/, plan/, backtest/) and what shows
them (report/, cli/): curves -> fit with the one auto rule -> one bootstrap under the one
resampling rule -> plan answers -> one plain object that the report renders and the command
line prints. Below it, modules compute and return data; above it, they only read and format.

``analyse_curves`` / ``analyse_study`` (:mod:`.analysis`): the demo, ``study run`` and ``report``;
``fit_answers`` (:mod:`.fit_output`): what ``scalinglab fit`` prints; ``isoloss_data``
(:mod:`.figure_data`): the IsoFLOP budgets and compute-optimal frontier of the iso-loss figure.
"""

from .analysis import CurveAnalysis, StudyAnalysis, analyse_curve, analyse_curves, analyse_study, environment
from .figure_data import isoloss_data
from .fit_output import FitAnswers, Prediction, fit_answers

__all__ = ["analyse_curve", "analyse_curves", "analyse_study", "CurveAnalysis", "StudyAnalysis", "environment",
           "fit_answers", "FitAnswers", "Prediction", "isoloss_data"]
