"""One default law and one default interval level for every entry point (issue 20):
scalinglab.defaults states them once; every function and command takes its default from there."""

from __future__ import annotations

import importlib
import inspect

import pytest
import typer.main

import scalinglab as sl
from scalinglab import defaults
from scalinglab.cli import app

# Modules whose public functions give scaling-law answers (samplesize and extrapolate are
# documented exceptions in scalinglab.defaults: a design confidence, both calibrated levels).
ANSWER_MODULES = ["fitting.entry", "fitting.result", "plan.targets", "plan.compute", "plan.regimes", "plan.tranche",
                  "plan.value", "pipeline.analysis", "pipeline.fit_output", "quality.joint", "quality.levels",
                  "quality.study", "transfer.effective", "transfer.study", "experiment.axes", "advisor.scenarios",
                  "advisor.prior", "report.figures"]


def _callables(module):
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj):
            yield name, obj
        elif inspect.isclass(obj):
            for meth_name, meth in vars(obj).items():
                if inspect.isfunction(meth) and not meth_name.startswith("_"):
                    yield f"{name}.{meth_name}", meth


def test_every_answer_function_defaults_to_the_one_level_and_law():
    seen = {"level": 0, "law": 0}
    for modname in ANSWER_MODULES:
        module = importlib.import_module(f"scalinglab.{modname}")
        for name, func in _callables(module):
            for param in inspect.signature(func).parameters.values():
                if param.name == "level" and param.default not in (inspect.Parameter.empty, None):
                    assert param.default == defaults.LEVEL, f"{modname}.{name}: level={param.default}"
                    seen["level"] += 1
                if param.name == "law" and isinstance(param.default, str):
                    assert param.default == defaults.LAW, f"{modname}.{name}: law={param.default!r}"
                    seen["law"] += 1
    assert seen["level"] >= 15 and seen["law"] >= 2        # the scan found the functions it checks


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):              # a group (typer's may not subclass this click's Group)
            yield from _commands(cmd, prefix + (name,))
        else:
            yield " ".join(prefix + (name,)), cmd


@pytest.mark.parametrize("option", ["level", "law"])
def test_every_command_defaults_to_the_one_level_and_law(option):
    expected = {"level": defaults.LEVEL, "law": defaults.LAW}[option]
    checked = []
    for name, cmd in _commands(typer.main.get_command(app)):
        if name.startswith("samplesize") or (name == "quality" and option == "law"):
            continue       # samplesize: a design confidence; quality: one law with a floor per level (defaults.py)
        for param in cmd.params:
            if param.name == option:
                assert param.default == expected, f"scalinglab {name} --{option} defaults to {param.default!r}"
                checked.append(name)
    assert len(checked) >= (6 if option == "level" else 2), checked


def test_fit_without_a_law_is_auto():
    res = sl.fit(sl.example_curve())
    assert res.selection is not None and res.law.name in res.selection.index
