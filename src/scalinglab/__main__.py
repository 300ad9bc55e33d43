"""``python -m scalinglab ...``: the same command line as ``scalinglab ...``."""

if __name__ == "__main__":          # importing this module (a docs or import-graph tool) runs nothing
    from scalinglab.cli import app

    app(prog_name="scalinglab")
