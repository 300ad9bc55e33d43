"""Run every example of README.md as written; check (or, with --update, rewrite) the output it shows.

The README's rules, which ``tests/test_readme.py`` holds:

* Every fenced block names its language. ```python and ```bash blocks are examples and run;
  a ```text block right after one of them (blank lines between allowed) is the exact output
  it prints; any other ```text block is not code (the command synopsis, the layout). The
  first block (the two set-up commands) is left to ``../shared/tools/fresh-clone-check``.
* The examples of one ``##`` section run in order in one fresh folder, the Python ones in one
  namespace, like the cells of a notebook: a later block may use what an earlier one defined
  or wrote. The folder holds links to the repository's ``examples/`` and ``tests/data/``, so
  the paths read as they do from the repository's root.
* Python output is what the block prints; a warning it raises is shown where it happens, as
  the line ``ScalingLabWarning: message`` (Python prints it to stderr, with file and line).
  Shell blocks run through ``bash -e`` with the package's command-line entry point on PATH;
  their output is stdout and stderr together.
* A section with the line ``<!-- readme: slow -->`` runs only with the slow tests.

Usage::

    python scripts/readme_snippets.py                # run every section, report differences
    python scripts/readme_snippets.py --update       # rewrite the shown outputs with what they print
    python scripts/readme_snippets.py --section "Decisions with error bars"
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import subprocess
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
EXAMPLE_LANGUAGES = {"python": "python", "bash": "shell"}
SLOW_MARK = "<!-- readme: slow -->"
#: The terminal the shell examples pretend to have (rich wraps tables at this width).
COLUMNS = "100"


@dataclass
class Block:
    language: str
    code: str
    start: int                  # index of the opening fence line
    end: int                    # index of the closing fence line
    output: "Block | None" = None


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    slow: bool = False

    @property
    def examples(self) -> list[Block]:
        return [b for b in self.blocks if b.language in EXAMPLE_LANGUAGES]


def parse(text: str) -> tuple[list[Section], list[str]]:
    """The README's sections with their fenced blocks, and the problems found (a fence without
    a language, an unclosed fence)."""
    lines = text.split("\n")
    sections, problems = [Section("(top)")], []
    previous: Block | None = None        # the last block, if only blank lines followed it
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            sections.append(Section(line[3:].strip()))
            previous = None
        elif line.strip() == SLOW_MARK:
            sections[-1].slow = True
        elif line.startswith("```"):
            language = line[3:].strip()
            close = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("```")), None)
            if close is None:
                problems.append(f"line {i + 1}: a fence that is never closed")
                break
            if not language:
                problems.append(f"line {i + 1}: a fence without a language (python, bash or text)")
            block = Block(language, "\n".join(lines[i + 1:close]) + "\n", i, close)
            if language == "text" and previous is not None and previous.language in EXAMPLE_LANGUAGES:
                previous.output = block
            else:
                sections[-1].blocks.append(block)
            previous = block
            i = close + 1
            continue
        elif line.strip():
            previous = None
        i += 1
    first = next((s.blocks[0] for s in sections if s.blocks), None)
    if first is not None:           # the set-up commands: fresh-clone-check runs them
        for s in sections:
            if s.blocks and s.blocks[0] is first:
                s.blocks.pop(0)
    return [s for s in sections if s.examples], problems


def _workdir(tmp: Path) -> Path:
    (tmp / "tests").mkdir()
    os.symlink(ROOT / "examples", tmp / "examples")
    os.symlink(ROOT / "tests" / "data", tmp / "tests" / "data")
    return tmp


def _shell_env() -> dict:
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)         # the venv's `scalinglab` entry point
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    src = str(ROOT / "src")                           # this checkout's package first
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(COLUMNS=COLUMNS, PYTHONUNBUFFERED="1", NO_COLOR="1", TERM="dumb")
    env.pop("SCALINGLAB_LITERATURE", None)
    return env


def _run_python(block: Block, namespace: dict, name: str) -> str:
    out = io.StringIO()

    def show(message, category, filename, lineno, file=None, line=None):
        out.write(f"{category.__name__}: {message}\n")

    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = show
        exec(compile(block.code, f"README.md line {block.start + 2} ({name})", "exec"), namespace)
    return out.getvalue()


def _run_shell(block: Block, cwd: Path) -> str:
    proc = subprocess.run(["bash", "-e", "-c", block.code], cwd=cwd, env=_shell_env(), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"README.md line {block.start + 2}: the shell example exited {proc.returncode}:\n"
                           f"{block.code}\n--- output ---\n{proc.stdout}")
    return proc.stdout


def run_section(section: Section) -> list[tuple[Block, str]]:
    """Run a section's examples in a fresh folder; (block, what it printed) for each."""
    results = []
    here = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="readme-") as tmp:
        cwd = _workdir(Path(tmp))
        namespace = {"__name__": "__readme__"}
        os.chdir(cwd)
        try:
            for block in section.examples:
                if block.language == "python":
                    results.append((block, _run_python(block, namespace, section.title)))
                else:
                    results.append((block, _run_shell(block, cwd)))
        finally:
            os.chdir(here)
    return results


def differences(results) -> list[str]:
    """One message per example whose shown output differs from what it printed."""
    found = []
    for block, printed in results:
        if block.output is not None and block.output.code != printed:
            found.append(f"README.md line {block.output.start + 1}: the example above it prints\n{printed}"
                         f"--- the README shows ---\n{block.output.code}")
    return found


def update(text: str, results) -> str:
    """The README text with every shown output replaced by what its example printed."""
    lines = text.split("\n")
    for block, printed in sorted(results, key=lambda r: -r[0].start):    # bottom up: indices stay valid
        if block.output is not None:
            lines[block.output.start + 1:block.output.end] = printed.rstrip("\n").split("\n")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--update", action="store_true", help="rewrite the README's shown outputs")
    parser.add_argument("--section", action="append", help="only this section (repeatable)")
    args = parser.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    sections, problems = parse(text)
    for problem in problems:
        print(f"README.md {problem}")
    chosen = [s for s in sections if not args.section or s.title in args.section]
    if args.section and len(chosen) != len(args.section):
        print(f"no such section; the README's example sections: {[s.title for s in sections]}")
        return 2
    results, failed = [], 0
    for section in chosen:
        print(f"== {section.title} ({len(section.examples)} example(s){', slow' if section.slow else ''})", flush=True)
        try:
            results += run_section(section)
        except Exception as error:       # report every section, then fail
            failed += 1
            print(f"   failed: {type(error).__name__}: {error}")
    diffs = differences(results)
    if args.update:
        new = update(text, results)
        if new != text:
            README.write_text(new, encoding="utf-8")
        print(f"updated {len(diffs)} output block(s)")
        return 1 if failed or problems else 0
    for diff in diffs:
        print(diff)
    print(f"{len(results)} example(s) ran, {failed} section(s) failed, {len(diffs)} output(s) differ")
    return 1 if failed or diffs or problems else 0


if __name__ == "__main__":
    sys.exit(main())
