"""MkDocs hook for the documentation site (mkdocs.yml): the home page is the README itself, so
the two never drift apart; its links into docs/ are made relative to the site."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def on_page_markdown(markdown: str, page, config, files) -> str:
    """docs/index.md stands for README.md: its text is replaced by the README's."""
    if page.file.src_uri != "index.md":
        return markdown
    return README.read_text(encoding="utf-8").replace("](docs/", "](")


# The docstrings cross-reference in Sphinx's roles (:func:`fit`, :class:`~scalinglab.Curve`),
# which Markdown shows as ':func:' before the code: the site shows the code alone, and a ~name
# as its last component, as Sphinx would.
_ROLE = re.compile(r":(?:func|class|meth|mod|data|attr|exc|obj|math):(<code>)")
_TILDE = re.compile(r"<code>~(?:[\w]+\.)*([\w]+)</code>")


def on_page_content(html: str, page, config, files) -> str:
    return _TILDE.sub(r"<code>\1</code>", _ROLE.sub(r"\1", html))
