"""MkDocs hook for the documentation site (mkdocs.yml): the home page is the README itself, so
the two never drift apart; its links into docs/ are made relative to the site."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def on_page_markdown(markdown: str, page, config, files) -> str:
    """docs/index.md stands for README.md: its text is replaced by the README's."""
    if page.file.src_uri != "index.md":
        return markdown
    return README.read_text(encoding="utf-8").replace("](docs/", "](")
