"""The figure index on disk: built once per corpus version, read back at every start.

Grouping and labelling every figure of a corpus is the slowest part of a start (≈ 35 s at 100k
passages, see bench/engine_scale.py) and its result depends only on the documents and the code,
so the index is kept next to the document analyses (``bot.engine.cache_files``) under a key made of
both. A restart with nothing changed reads it instead of building it; any change to a document, its
metadata or the figure code gives a new key, and an entry that cannot be read is rebuilt.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from bot.engine.analysis import code_version
from bot.engine.cache_files import load_keyed, save_keyed
from bot.engine.figures import FigureIndex
from bot.engine.models import Document

KIND = "figures"


@lru_cache(maxsize=1)
def _figures_code() -> str:
    digest = hashlib.blake2b(digest_size=8)
    digest.update(code_version().encode())
    digest.update((Path(__file__).resolve().parent / "figures.py").read_bytes())
    return digest.hexdigest()


def figures_key(documents: Sequence[Document]) -> str:
    """A key for the figure index of these documents, as the current code builds it."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(_figures_code().encode())
    for document in documents:  # in corpus order: figures are numbered in that order
        digest.update(f"{document.id}\0{document.sha256}\0{document.meta.model_dump_json()}\n".encode())
    return digest.hexdigest()


class FigureStore:
    """One figure index on disk per corpus folder: the latest one saved."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def load(self, key: str) -> FigureIndex | None:
        index = load_keyed(self.folder, KIND, key)
        return index if isinstance(index, FigureIndex) else None

    def save(self, key: str, index: FigureIndex) -> None:
        """Store it and remove the indexes of other corpus versions; an error only costs time."""
        save_keyed(self.folder, KIND, key, index)
