"""scalinglab: how much data (and compute) do we need, and what will more of it buy us?

Public API (the contract; the CLI and README use only these names)::

    import scalinglab as sl
    curve = sl.Curve(x, y)
    res = sl.fit(curve, law="power_floor")          # or law="auto"
    res = res.bootstrap(n=1000, seed=0)
    res.interval("b", 0.95); res.predict([1e6], interval=0.8)
    sl.extrapolate(curve, [1e6])                    # ensemble forecast, intervals calibrated on LCDB
"""

from . import analysis, backtest, examples, experiment, literature, plan, powerlaws, quality, report, samplesize, transfer
from .advise import advise
from .backtest import extrapolate
from .curves import Curve, CurveSet
from .errors import FitError, ScalingLabError, ScalingLabWarning
from .fit import Band, FitResult, fit
from .examples import example_curve
from .experiment import Study, StudySpec, geometric
from .laws import Law, available_laws, get_law, register_law

__version__ = "0.1.0"

__all__ = ["Curve", "CurveSet", "fit", "extrapolate", "advise", "FitResult", "Band", "Law", "register_law", "get_law",
           "available_laws", "example_curve", "analysis", "backtest", "examples", "experiment", "literature", "Study", "StudySpec", "geometric", "plan", "powerlaws", "quality", "report", "samplesize", "transfer", "ScalingLabError", "FitError", "ScalingLabWarning", "__version__"]
