"""Every example in README.md runs as written and prints what the README shows (issue 20).

The rules and the runner are in ``scripts/readme_snippets.py``; after a change that moves an
output, ``python scripts/readme_snippets.py --update`` rewrites the shown outputs (read the diff).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
try:
    import readme_snippets as snippets
finally:
    sys.path.pop(0)

SECTIONS, PROBLEMS = snippets.parse(snippets.README.read_text(encoding="utf-8"))


def test_every_fence_names_its_language():
    """A bare fence would hide a shell example from the runner (and from the reader's highlighter)."""
    assert PROBLEMS == []


def test_the_examples_are_found():
    titles = [s.title for s in SECTIONS]
    assert "Python" in titles and "Decisions with error bars" in titles
    assert sum(len(s.examples) for s in SECTIONS) >= 15
    shown = [b for s in SECTIONS for b in s.examples if b.output is not None]
    assert len(shown) >= 8


def test_the_runner_catches_a_wrong_output_and_a_failing_example():
    text = "# t\n\n```bash\necho setup\n```\n\n## A\n\n```python\nprint(1 + 1)\n```\n```text\n3\n```\n\n" \
           "```bash\nfalse\n```\n"
    (section,), problems = snippets.parse(text)
    assert problems == [] and [b.language for b in section.examples] == ["python", "bash"]
    python_only = snippets.Section("A", [section.examples[0]])
    results = snippets.run_section(python_only)
    assert results[0][1] == "2\n" and len(snippets.differences(results)) == 1
    assert snippets.update(text, results).count("```text\n2\n```") == 1
    with pytest.raises(RuntimeError, match="exited 1"):
        snippets.run_section(section)


@pytest.mark.parametrize("section", [pytest.param(s, id=s.title, marks=[pytest.mark.slow] if s.slow else [])
                                     for s in SECTIONS])
def test_readme_section_runs_and_prints_what_it_shows(section):
    results = snippets.run_section(section)
    diffs = snippets.differences(results)
    assert not diffs, "\n\n".join(diffs) + "\n(python scripts/readme_snippets.py --update rewrites them)"
