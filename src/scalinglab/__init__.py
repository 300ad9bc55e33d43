"""scalinglab: how much data (and compute) do we need, and what will more of it buy us?

Public API (the contract; the CLI and README use only these names)::

    import scalinglab as sl
    curve = sl.Curve(x, y)
    res = sl.fit(curve)                             # law="auto"; or law="power_floor", ...
    res = res.bootstrap(n=1000, seed=0)
    res.interval("b"); res.predict([1e6], interval=0.8)   # 80 % by default (scalinglab.defaults)
    sl.extrapolate(curve, [1e6])                    # the default forecast, calibrated intervals
"""

from ._lazy import lazy
from ._version import __version__

# Every public name is loaded on first use (PEP 562): ``import scalinglab`` loads no numpy,
# pandas, scipy, scikit-learn, SQLAlchemy or matplotlib until a name needs them.
__getattr__, __dir__ = lazy(__name__, {
    "Curve": "curves", "CurveSet": "curves",
    "FitError": "errors", "ScalingLabError": "errors", "ScalingLabWarning": "errors",
    "fit": "fitting", "FitResult": "fitting", "Band": "fitting",
    "extrapolate": "backtest",
    "advise": "advisor",
    "example_curve": "examples",
    "Study": "experiment", "StudySpec": "experiment", "geometric": "experiment",
    "Law": "laws", "available_laws": "laws", "get_law": "laws", "register_law": "laws",
}, submodules=("advisor", "backtest", "defaults", "examples", "experiment", "fitting", "literature", "pipeline", "plan", "powerlaws", "quality", "report",
               "samplesize", "scorers", "transfer"))

__all__ = ["Curve", "CurveSet", "fit", "extrapolate", "advise", "FitResult", "Band", "Law", "register_law", "get_law",
           "available_laws", "example_curve", "advisor", "backtest", "defaults", "examples", "experiment", "literature", "Study",
           "StudySpec", "geometric", "pipeline", "plan", "powerlaws", "quality", "report", "samplesize", "scorers", "transfer",
           "ScalingLabError", "FitError", "ScalingLabWarning", "__version__"]
