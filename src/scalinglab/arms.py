"""Names of a study's arms (``logreg@noise=0.1``, ``mlp@start=pretrained``): written by the runner
(:mod:`scalinglab.experiment.axes`), read back by anything that takes a study's curves
(``Study.curves_by``, :func:`scalinglab.quality.stack`, the report). No scalinglab imports: both
sides import this module, neither imports the other for it."""

from __future__ import annotations

import math
import re

#: The name each quality kind gives its level in an arm key (``logreg@noise=0.1``).
QUALITY_TAGS = {"label_noise": "noise", "feature_noise": "corrupt", "filter": "quality>"}
START_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
SEPARATOR = "@"


def level_text(level: float) -> str:
    """A level as written in an arm key: short (0.1, not 0.1000000000000000055) and exact."""
    short = f"{level:g}"
    return short if float(short) == level else repr(level)


def split_key(key: str) -> tuple[str, dict]:
    """(estimator, coordinates) of an arm key: ``"logreg@noise=0.1"`` -> ("logreg", {"quality":
    0.1}); a key without axes -> (key, {})."""
    name, *parts = key.split(SEPARATOR)
    coords: dict = {}
    for part in parts:
        tag, _, value = part.partition("=")
        if tag == "start" and START_NAME.match(value):
            coords["start"] = value
        elif tag in QUALITY_TAGS.values() and _is_number(value):
            coords["quality"] = float(value)
            coords["quality_tag"] = tag
        else:       # not an arm key (a name with '@' in a study without axes; a model size 'NAME@noise=0.1[32]')
            return key, {}
    return name, coords


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False
