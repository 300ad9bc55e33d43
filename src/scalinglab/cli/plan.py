"""``scalinglab plan ...``: decisions from a saved fit or a CSV."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Optional

import typer

import scalinglab as sl

from ._common import answer as _answer
from ._common import fail, level, reading

plan_app = typer.Typer(help="Decisions from a fit: a JSON saved by `scalinglab fit --json`, or a CSV "
                            "fitted on the fly (law auto) with --x/--y.", no_args_is_help=True)

FIT_ARG = typer.Argument(..., exists=True, dir_okay=False, help="fit JSON (from `fit --json`) or a CSV")
X_OPT = typer.Option(None, "--x", help="CSV only: size column")
X2_OPT = typer.Option(None, "--x2", help="CSV only: second size column (D) for joint laws")
Y_OPT = typer.Option(None, "--y", help="CSV only: metric column")
LEVEL_OPT = typer.Option(0.8, callback=level, help="interval level")


def _load_fit(source: Path, x: Optional[str], x2: Optional[str], y: Optional[str]) -> sl.FitResult:
    if source.suffix.lower() == ".json":
        with reading(source):
            return sl.FitResult.from_json(source)
    if not (x and y):
        raise sl.ScalingLabError(f"{source}: a CSV needs --x and --y (and --x2 for joint data); "
                                 "a saved fit must end in .json")
    with reading(source):
        curve = sl.Curve.from_csv(source, x=[x, x2] if x2 else x, y=y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        return sl.fit(curve, law="auto")


@plan_app.command("target")
def plan_target(fit: Path = FIT_ARG, target: float = typer.Option(..., help="metric to reach"),
                x: Optional[str] = X_OPT, x2: Optional[str] = X2_OPT, y: Optional[str] = Y_OPT,
                level: float = LEVEL_OPT) -> None:
    """How much data reaches a target metric."""
    _answer(lambda: sl.plan.data_for(_load_fit(fit, x, x2, y), target, level=level))


@plan_app.command("gain")
def plan_gain(fit: Path = FIT_ARG, factor: float = typer.Option(10.0, help="times the largest size measured"),
              x: Optional[str] = X_OPT, x2: Optional[str] = X2_OPT, y: Optional[str] = Y_OPT,
              level: float = LEVEL_OPT) -> None:
    """What k times more data buys."""
    _answer(lambda: sl.plan.gain(_load_fit(fit, x, x2, y), factor=factor, level=level))


@plan_app.command("regime")
def plan_regime(fit: Path = FIT_ARG, x: Optional[str] = X_OPT, x2: Optional[str] = X2_OPT,
                y: Optional[str] = Y_OPT, level: float = LEVEL_OPT) -> None:
    """Small-data, power-law or flat zone, with the evidence."""
    _answer(lambda: sl.plan.regime(_load_fit(fit, x, x2, y), level=level))


@plan_app.command("economics")
def plan_economics(fit: Path = FIT_ARG, cost: float = typer.Option(..., help="cost per sample"),
                   value: float = typer.Option(..., help="value per unit of metric improvement"),
                   fixed: float = typer.Option(0.0, help="fixed cost of buying any data"),
                   x: Optional[str] = X_OPT, x2: Optional[str] = X2_OPT, y: Optional[str] = Y_OPT,
                   level: float = LEVEL_OPT) -> None:
    """The data size that maximises net value, and the marginal cost of the metric."""
    _answer(lambda: sl.plan.economics(_load_fit(fit, x, x2, y), cost, value, fixed_cost=fixed, level=level))


@plan_app.command("next")
def plan_next(fit: Path = FIT_ARG, target: Optional[float] = typer.Option(None, help="metric to reach"),
              step: float = typer.Option(2.0, help="geometric growth factor"),
              tight: float = typer.Option(0.5, help="stop when (hi - lo) / n of the size needed is below this"),
              x: Optional[str] = X_OPT, x2: Optional[str] = X2_OPT, y: Optional[str] = Y_OPT,
              level: float = LEVEL_OPT) -> None:
    """Where to collect next, or why to stop."""
    _answer(lambda: sl.plan.next_tranche(_load_fit(fit, x, x2, y), target, step=step, tight=tight, level=level))


@plan_app.command("compute")
def plan_compute(fit: Path = FIT_ARG, flops: Optional[float] = typer.Option(None, help="training compute budget"),
                 target_loss: Optional[float] = typer.Option(None, help="with --inference-tokens: loss to reach"),
                 inference_tokens: float = typer.Option(0.0, help="tokens to be served over the model's life"),
                 x: Optional[str] = X_OPT, x2: Optional[str] = X2_OPT, y: Optional[str] = Y_OPT,
                 level: float = LEVEL_OPT) -> None:
    """Compute-optimal N and D for a budget (--flops), or the inference-aware optimum for a
    target loss (--target-loss, --inference-tokens)."""
    if (flops is None) == (target_loss is None):
        fail("give --flops (compute-optimal) or --target-loss (inference-aware), not both")
    if flops is not None:
        _answer(lambda: sl.plan.compute_optimal(_load_fit(fit, x, x2, y), flops, level=level))
    else:
        _answer(lambda: sl.plan.inference_optimal(_load_fit(fit, x, x2, y), target_loss, inference_tokens,
                                                  level=level))
