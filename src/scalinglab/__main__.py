"""``python -m scalinglab ...``: the same command line as ``scalinglab ...``."""

from scalinglab.cli import app

app(prog_name="scalinglab")
