"""Helpers for the claims tests: an engine over one small document, and the only figure a claim compares."""

from __future__ import annotations

from pathlib import Path

from bot.engine.claims import FigureComparison, check_claim
from bot.engine.engine import Engine


def one_document_engine(
    tmp_path: Path, text: str, name: str = "doc.md", title: str = "Figures", source: str | None = None
) -> Engine:
    """An engine over ``text`` as one document; with ``source``, its title and publisher in front matter."""
    if source is None:
        (tmp_path / name).write_text(f"# {title}\n\n{text}\n", encoding="utf-8")
    else:
        (tmp_path / name).write_text(f"---\ntitle: {title}\nsource: {source}\n---\n\n{text}\n", encoding="utf-8")
    return Engine.from_folder(tmp_path)


def only_comparison(engine: Engine, claim: str) -> FigureComparison:
    (comparison,) = check_claim(engine, claim).comparisons
    return comparison
