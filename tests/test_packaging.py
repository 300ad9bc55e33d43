"""What an installed scalinglab ships besides its modules: the PEP 561 marker ``py.typed`` (type
checkers read the package's hints only when it is there) and ``python -m scalinglab``."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import pytest

import scalinglab as sl

ROOT = Path(__file__).resolve().parents[1]


def test_py_typed_is_in_the_package():
    assert (resources.files("scalinglab") / "py.typed").is_file()


@pytest.mark.slow
def test_py_typed_is_in_the_built_wheel(tmp_path):
    # the package files a user installs are the wheel's: package-data must list py.typed
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = tmp_path.glob("scalinglab-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "scalinglab/py.typed" in names
    assert "scalinglab/__main__.py" in names


def test_python_dash_m_runs_the_command_line():
    out = subprocess.run([sys.executable, "-m", "scalinglab", "--version"], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == f"scalinglab {sl.__version__}"
