"""How good are the extrapolations? Backtests on learning curves.

``run(curves)``: fit each curve on the first half of its sizes, predict the rest, and
compare the methods of :mod:`.forecasts` (last value, five laws, ``auto``, ``ensemble``)
by score, win rate, calibrated interval coverage and failures; ``extrapolate(curve, sizes)``
brings the most accurate of them (the ensemble) to a curve of your own; see :mod:`.protocol` for the
split and the curve categories, :mod:`.calibration` for the intervals.
"""

from .calibration import Calibration, ScaleModel, calibrate, shipped
from .extrapolation import extrapolate
from ..fitting.select import choose
from .methods import ILL_BEHAVED, LAWS, METHODS, Forecast
from .protocol import SizeStats, Suite, classify, prepare, split
from .evaluate import BacktestReport, forecasts, run, run_rows, summarise

__all__ = ["extrapolate", "run", "run_rows", "forecasts", "summarise", "BacktestReport", "Calibration", "ScaleModel", "calibrate", "shipped", "SizeStats",
           "Suite", "prepare", "classify", "split", "choose", "Forecast", "LAWS", "METHODS", "ILL_BEHAVED"]
