"""Run a README example and compare what it prints with what the README shows.

An example is a ```python block after a line ``<!-- example: NAME -->``, followed by a ```text
block with its exact standard output.
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_example(name: str) -> tuple[str, str]:
    """(code, expected output) of the README example ``name``."""
    text = README.read_text(encoding="utf-8")
    marker = f"<!-- example: {name} -->"
    assert marker in text, f"README has no example {name!r}"
    rest = text[text.index(marker):]
    code = re.search(r"```python\n(.*?)```", rest, re.S).group(1)
    expected = re.search(r"```text\n(.*?)```", rest, re.S).group(1)
    return code, expected


def check_readme_example(name: str) -> None:
    code, expected = readme_example(name)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(code, f"README.md example {name}", "exec"), {"__name__": f"readme_{name}"})
    assert out.getvalue() == expected, f"README example {name!r} prints:\n{out.getvalue()}"
