"""The figure index on disk: built once per corpus version, read back at every start.

Grouping and labelling every figure of a corpus is the slowest part of a start (≈ 35 s at 100k
passages, see bench/engine_scale.py) and its result depends only on the documents and the code,
so the index is kept next to the document analyses (``bot.engine.build.cache_files``) under a key made of
both. A restart with nothing changed reads it instead of building it; any change to a document, its
metadata or the figure code gives a new key, and an entry that cannot be read is rebuilt.

It is stored in ``bot.engine.build.safe_format`` (data only, checksummed): the index's arrays are read
straight into place, its strings as one buffer per column, its records (citations, figure shapes)
one column per field. The types it holds are registered here, each ``FigureIndex`` attribute with
the type an empty index gives it, so an attribute added to the index cannot go unstored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from bot.engine.build.analysis import code_version
from bot.engine.build.cache_files import load_keyed, save_keyed
from bot.engine.build.safe_format import register
from bot.engine.figures.columns import Postings, ScoreClass, Shape, Vocabulary
from bot.engine.figures.completion import LabelCompleter
from bot.engine.figures.index import FigureIndex
from bot.engine.figures.parse import Figure
from bot.engine.models import Citation, Document

KIND = "figures"
# The figures room's modules that decide what an index holds and how it is stored, besides those of
# extraction (hashed by ``code_version``); this one is among them for what it registers.
INDEX_MODULES = (
    "index.py",
    "columns.py",
    "grouping.py",
    "scoring.py",
    "intent.py",
    "clauses.py",
    "completion.py",
    "store.py",
)

_EMPTY = FigureIndex()  # what each attribute of an index holds, by type
for _record in (Figure, Citation, Shape, ScoreClass, Postings):
    register(_record)
register(Vocabulary, _EMPTY._vocabulary)
register(LabelCompleter, _EMPTY._completion)
register(FigureIndex, _EMPTY)


@lru_cache(maxsize=1)
def _figures_code() -> str:
    digest = hashlib.blake2b(digest_size=8)
    digest.update(code_version().encode())
    room = Path(__file__).resolve().parent
    for name in INDEX_MODULES:
        digest.update(name.encode() + b"\0" + (room / name).read_bytes())
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
