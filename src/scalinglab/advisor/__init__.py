"""Before the first sample: ``sl.advise(scenario, ...)`` answers, for one of four situations,
which approach to take and why, the first tranche and the schedule after it, the predicted
size for the target with its interval (from a literature prior when there is no data), its
cost and the next step — from whatever the team has (an unlabeled feature matrix, a pilot
curve, a study database). See ``docs/advise.md`` for a worked example per scenario."""

from .inputs import SCENARIOS, scenario_name
from .prior import SizePrediction, predict_size
from .result import Advice, Cost, Predicted, advice_dict
from .scenarios import advise

__all__ = ["advise", "Advice", "Predicted", "Cost", "SCENARIOS", "scenario_name", "advice_dict", "SizePrediction",
           "predict_size"]
