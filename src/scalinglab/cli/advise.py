"""``scalinglab advise``: the scenario advisor (``sl.advise``) on the command line.

Every answer is a flag; on a terminal, the ones that matter for the scenario and are missing
are asked for (prompts on stderr, so ``--json`` output stays clean); elsewhere (scripts, CI)
nothing is asked and a missing scenario is an error (errors: see ``_common.SafeGroup``).
"""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Optional

import typer

import scalinglab as sl
from scalinglab import defaults

from ._common import console, reading
from ._output import emit, progress

SCENARIO_HELP = ("reuse (1): solved before / usable data exist; transfer (2): a similar problem solved elsewhere; "
                 "unlabeled (3): plenty of unlabeled data; pilot (4): nothing similar exists")


def _interactive() -> bool:
    """Prompts only on a terminal (tests patch this)."""
    return sys.stdin.isatty()


def _ask(text: str, kind=str):
    """One prompt on stderr; a blank answer is None."""
    value = typer.prompt(text, default="", show_default=False, err=True)
    if value in ("", None):
        return None
    try:
        return kind(value)
    except ValueError:
        raise sl.ScalingLabError(f"{text}: expected {kind.__name__}, got {value!r}") from None


def _fill(answers: dict) -> dict:
    """Ask for what the scenario needs that the flags did not give."""
    SCENARIOS, scenario_name = sl.advisor.SCENARIOS, sl.advisor.scenario_name
    if answers["scenario"] is None:
        for key, text in SCENARIOS.items():
            typer.echo(f"  {key}: {text}", err=True)
        answers["scenario"] = _ask("Which situation (" + ", ".join(SCENARIOS) + " or 1-4)")
    scenario = scenario_name(answers["scenario"])
    wanted = [("target", "Target metric to reach, lower is better (blank: none)", float)]
    if scenario == "transfer":
        wanted.append(("task", "The task in a few words, e.g. image classification", str))
    if scenario == "reuse" and answers["pilot"] is None and answers["study"] is None:
        wanted.append(("pilot", "Learning-curve CSV of the data you have (blank: none)", Path))
    if scenario == "unlabeled" and answers["unlabeled"] is None:
        wanted.append(("unlabeled", "Unlabeled features, .npy or .csv (blank: none)", Path))
    wanted += [("classes", "Number of classes (blank: not classification)", int),
               ("cost_per_sample", "Cost of one labelled sample (blank: no costs)", float)]
    for key, text, kind in wanted:
        if answers[key] is None:
            answers[key] = _ask(text, kind)
    return answers


def advise(
    scenario: Optional[str] = typer.Option(None, help=SCENARIO_HELP),
    task: Optional[str] = typer.Option(None, help="the task in a few words (literature priors, starting points)"),
    target: Optional[float] = typer.Option(None, help="metric to reach (lower is better: error rate, loss)"),
    classes: Optional[int] = typer.Option(None, help="number of classes (chance anchor, first tranche)"),
    features: Optional[int] = typer.Option(None, help="input dimension (PAC/VC range)"),
    cost_per_sample: Optional[float] = typer.Option(None, "--cost-per-sample", help="price of one labelled sample"),
    pilot: Optional[Path] = typer.Option(None, exists=True, dir_okay=False, help="pilot learning curve (CSV)"),
    x: str = typer.Option("n", "--x", help="pilot CSV: size column"),
    y: str = typer.Option("error", "--y", help="pilot CSV: metric column"),
    seed_col: Optional[str] = typer.Option(None, "--seed-col", help="pilot CSV: seed column"),
    higher_is_better: bool = typer.Option(False, "--higher-is-better", help="pilot CSV: y is an accuracy"),
    study: Optional[str] = typer.Option(None, help="study database (SQLite file or URL)"),
    study_name: Optional[str] = typer.Option(None, "--study-name", help="study in the database (default: the only one)"),
    curve: Optional[str] = typer.Option(None, help="curve of the study (default: the only one)"),
    unlabeled: Optional[Path] = typer.Option(None, exists=True, dir_okay=False,
                                             help="unlabeled features or representations (.npy or .csv)"),
    baseline_n: Optional[float] = typer.Option(None, "--baseline-n", help="anchor: a size with a known error"),
    baseline_error: Optional[float] = typer.Option(None, "--baseline-error", help="anchor: the error at that size"),
    available: Optional[int] = typer.Option(None, help="samples already at hand (scenario reuse without a curve)"),
    llm: bool = typer.Option(False, "--llm", help="bring the LLM starting points of the literature table"),
    margin: float = typer.Option(0.2, help="unlabeled: majority share - 1/2 each cluster's labels must show"),
    eval_width: Optional[float] = typer.Option(None, "--eval-width", help="pilot: evaluation interval width"),
    level: float = typer.Option(defaults.LEVEL, help="interval level"),
    bootstrap: int = typer.Option(1000, help="bootstrap refits of a measured curve"),
    seed: int = typer.Option(0, help="seed of every random choice"),
) -> None:
    """Before the first sample: the approach, first tranche and schedule, predicted size for the
    target (with its interval), cost and next step, for one of four scenarios."""
    answers = dict(scenario=scenario, task=task, target=target, classes=classes, cost_per_sample=cost_per_sample,
                   pilot=pilot, study=study, unlabeled=unlabeled)
    if _interactive():
        answers = _fill(answers)
    if answers["scenario"] is None:
        raise sl.ScalingLabError("give --scenario (" + ", ".join(sl.advisor.SCENARIOS) + "); no prompt when not on a terminal")
    if (baseline_n is None) != (baseline_error is None):
        raise sl.ScalingLabError("give --baseline-n and --baseline-error together (one point of a similar curve)")
    files = [f for f in (answers["pilot"], answers["unlabeled"]) if f is not None]
    with progress("fitting and planning"), \
            reading(files[0]) if len(files) == 1 else nullcontext():
        advice = sl.advise(answers["scenario"], task=answers["task"], target=answers["target"],
                           classes=answers["classes"], features=features, cost_per_sample=answers["cost_per_sample"],
                           pilot=answers["pilot"], x=x, y=y, seed_col=seed_col, higher_is_better=higher_is_better,
                           study=answers["study"], study_name=study_name, curve=curve, unlabeled=answers["unlabeled"],
                           baseline=None if baseline_n is None else (baseline_n, baseline_error), available=available,
                           llm=llm, margin=margin, eval_width=eval_width, level=level, n_boot=bootstrap, seed=seed)
    console.print(advice.text(), soft_wrap=True, markup=False, highlight=False)
    emit(advice)

