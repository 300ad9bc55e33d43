"""``scalinglab plan ...``: decisions from a saved fit or a CSV."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Optional

import typer

import scalinglab as sl
from scalinglab import defaults

from ._common import console, fail, finite, level, non_negative, positive, reading
from ._output import answer, note, progress
from ._curves import read_curves

plan_app = typer.Typer(help="Decisions from a fit: a JSON saved by `scalinglab fit --save`, or a CSV "
                            "fitted on the fly (law auto) with --x/--y.", no_args_is_help=True)

FIT_ARG = typer.Argument(..., exists=True, dir_okay=False, help="fit JSON (from `fit --save` or `fit --json`) or a CSV")
X_OPT = typer.Option(None, "--x", help="CSV only: size column")
X2_OPT = typer.Option(None, "--x2", help="CSV only: second size column (D) for joint laws")
Y_OPT = typer.Option(None, "--y", help="CSV only: metric column")
CURVE_OPT = typer.Option(None, "--curve", help="CSV only: column naming the curves (e.g. estimator): one answer each")
LEVEL_OPT = typer.Option(defaults.LEVEL, callback=level, help="interval level")


def _load_fits(source: Path, x: Optional[str], x2: Optional[str], y: Optional[str],
               curve: Optional[str]) -> dict[str, sl.FitResult]:
    """The saved fit (named ""), or a law="auto" fit of each curve of a CSV."""
    if source.suffix.lower() == ".json":
        if curve is not None:
            raise sl.ScalingLabError(f"{source}: --curve is for a CSV; a saved fit holds one curve")
        with reading(source):
            try:
                return {"": sl.FitResult.from_json(source)}
            except sl.ScalingLabError:
                raise
            except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
                # whatever from_json trips over is in the file: say so (its own checks name the field)
                raise sl.ScalingLabError(f"{source}: not a fit saved by `scalinglab fit --save` "
                                         f"({type(exc).__name__}: {exc})") from exc
    if not (x and y):
        raise sl.ScalingLabError(f"{source}: a CSV needs --x and --y (and --x2 for joint data); "
                                 "a saved fit must end in .json")
    curves = read_curves(source, x=[x, x2] if x2 else x, y=y, curve=curve)
    with warnings.catch_warnings(), progress("fitting (law auto)"):
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        return {name: sl.fit(c, law="auto") for name, c in curves.items()}


#: Bootstrap refits made, with a note on stderr, for a fit that arrives without draws (a CSV, or a
#: FIT.json saved without --bootstrap); the API's plan functions never bootstrap on their own.
PLAN_DRAWS = 1000


def _with_draws(fit: sl.FitResult, source: Path) -> sl.FitResult:
    if fit.draws is not None:
        return fit
    note(f"note: {source} has no bootstrap draws: bootstrapping {PLAN_DRAWS} resamples (seed 0) for the "
         "intervals; save them once with `scalinglab fit ... --bootstrap 1000 --save FIT.json`", err=True)
    with warnings.catch_warnings(), progress(f"bootstrap: {PLAN_DRAWS} refits"):
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        return sl.fitting.bootstrap(fit, n=PLAN_DRAWS, by="auto", seed=0)


def _each(source: Path, x, x2, y, curve, ask) -> None:
    """Print ``ask(fit)`` for the saved fit or for each curve of the CSV (headed by its name); the
    fit is loaded (a CSV fitted once, law auto) and bootstrapped at most once per command. With
    --json: the answer, or an object keyed by curve name with --curve."""
    for name, fit in _load_fits(source, x, x2, y, curve).items():
        if name:
            console.print(f"{curve} = {name}:", style="bold", markup=False)
        answer(lambda: ask(_with_draws(fit, source)), name=name or None)


@plan_app.command("target")
def plan_target(fit: Path = FIT_ARG, target: float = typer.Option(..., callback=finite, help="metric to reach"),
                x: Optional[str] = X_OPT, x2: Optional[str] = X2_OPT, y: Optional[str] = Y_OPT,
                curve: Optional[str] = CURVE_OPT, level: float = LEVEL_OPT) -> None:
    """How much data reaches a target metric."""
    _each(fit, x, x2, y, curve, lambda res: sl.plan.data_for(res, target, level=level))


@plan_app.command("gain")
def plan_gain(fit: Path = FIT_ARG,
              factor: float = typer.Option(10.0, callback=positive, help="times the largest size measured"),
              x: Optional[str] = X_OPT, x2: Optional[str] = X2_OPT, y: Optional[str] = Y_OPT,
              curve: Optional[str] = CURVE_OPT, level: float = LEVEL_OPT) -> None:
    """What k times more data buys."""
    _each(fit, x, x2, y, curve, lambda res: sl.plan.gain(res, factor=factor, level=level))


@plan_app.command("regime")
def plan_regime(fit: Path = FIT_ARG, x: Optional[str] = X_OPT, x2: Optional[str] = X2_OPT,
                y: Optional[str] = Y_OPT, curve: Optional[str] = CURVE_OPT, level: float = LEVEL_OPT) -> None:
    """Small-data, power-law or flat zone, with the evidence."""
    _each(fit, x, x2, y, curve, lambda res: sl.plan.regime(res, level=level))


@plan_app.command("economics")
def plan_economics(fit: Path = FIT_ARG, cost: float = typer.Option(..., callback=non_negative, help="cost per sample"),
                   value: float = typer.Option(..., callback=non_negative, help="value per unit of metric improvement"),
                   fixed: float = typer.Option(0.0, callback=non_negative, help="fixed cost of buying any data"),
                   x: Optional[str] = X_OPT, x2: Optional[str] = X2_OPT, y: Optional[str] = Y_OPT,
                   curve: Optional[str] = CURVE_OPT, level: float = LEVEL_OPT) -> None:
    """The data size that maximises net value, and the marginal cost of the metric."""
    _each(fit, x, x2, y, curve, lambda res: sl.plan.economics(res, cost, value, fixed_cost=fixed, level=level))


@plan_app.command("next")
def plan_next(fit: Path = FIT_ARG,
              target: Optional[float] = typer.Option(None, callback=finite, help="metric to reach"),
              step: float = typer.Option(2.0, callback=positive, help="geometric growth factor (> 1)"),
              tight: float = typer.Option(0.5, callback=positive,
                                 help="stop when (hi - lo) / n of the size needed is below this"),
              x: Optional[str] = X_OPT, x2: Optional[str] = X2_OPT, y: Optional[str] = Y_OPT,
              curve: Optional[str] = CURVE_OPT, level: float = LEVEL_OPT) -> None:
    """Where to collect next, or why to stop."""
    _each(fit, x, x2, y, curve, lambda res: sl.plan.next_tranche(res, target, step=step, tight=tight, level=level))


@plan_app.command("compute")
def plan_compute(fit: Path = FIT_ARG,
                 flops: Optional[float] = typer.Option(None, callback=positive, help="training compute budget"),
                 target_loss: Optional[float] = typer.Option(None, callback=positive,
                                                    help="with --inference-tokens: loss to reach"),
                 inference_tokens: float = typer.Option(0.0, callback=non_negative,
                                                 help="tokens to be served over the model's life"),
                 x: Optional[str] = X_OPT, x2: Optional[str] = X2_OPT, y: Optional[str] = Y_OPT,
                 curve: Optional[str] = CURVE_OPT, level: float = LEVEL_OPT) -> None:
    """Compute-optimal N and D for a budget (--flops), or the inference-aware optimum for a
    target loss (--target-loss, --inference-tokens)."""
    if (flops is None) == (target_loss is None):
        fail("give --flops (compute-optimal) or --target-loss (inference-aware), not both")
    if flops is not None:
        _each(fit, x, x2, y, curve, lambda res: sl.plan.compute_optimal(res, flops, level=level))
    else:
        _each(fit, x, x2, y, curve,
              lambda res: sl.plan.inference_optimal(res, target_loss, inference_tokens, level=level))
