"""The figure index on disk: built once per corpus version, read back at every start.

Grouping and labelling every figure of a corpus is the slowest part of a start (≈ 35 s at 100k
passages, see bench/engine_scale.py) and its result depends only on the documents and the code,
so the index is pickled next to the document analyses under a key made of both. A restart with
nothing changed reads it instead of building it; any change to a document, its metadata or the
figure code gives a new key. Like the analysis cache, it holds pickles the bot wrote itself into
its own state folder; an entry that cannot be read is rebuilt.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from bot.engine.analysis import code_version
from bot.engine.figures import FigureIndex
from bot.engine.models import Document

log = logging.getLogger(__name__)

_PREFIX = "figures-"
_SUFFIX = ".pickle"


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

    def _path(self, key: str) -> Path:
        return self.folder / f"{_PREFIX}{key}{_SUFFIX}"

    def load(self, key: str) -> FigureIndex | None:
        try:
            with self._path(key).open("rb") as file:
                stored_key, index = pickle.load(file)
        except FileNotFoundError:
            return None
        except Exception as error:  # torn, foreign or from older code: rebuild it
            log.warning("stored figure index %s unreadable (%s): rebuilding it", key, error)
            return None
        return index if stored_key == key and isinstance(index, FigureIndex) else None

    def save(self, key: str, index: FigureIndex) -> None:
        """Write atomically and remove the indexes of other corpus versions; an error only costs time."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=_SUFFIX)
            try:
                with os.fdopen(handle, "wb") as file:
                    pickle.dump((key, index), file, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, self._path(key))
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            for path in self.folder.glob(f"{_PREFIX}*{_SUFFIX}"):
                if path != self._path(key):
                    path.unlink(missing_ok=True)
        except OSError as error:
            log.warning("could not store the figure index in %s: %s", self.folder, error)
