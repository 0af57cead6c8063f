"""Every passage of a corpus, in index order, kept as arrays and built as ``Passage`` on demand.

A question only ever looks at a dozen passages, and a passage's text is a slice of its document's,
so an engine keeps each document's ``PassageColumns`` (~100 bytes a passage) instead of a million
``Passage`` objects (~3 KB each, and seconds to unpickle at every start).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import overload

import numpy as np

from bot.engine.build.analysis import PassageColumns, SentenceData
from bot.engine.models import Document, Passage


class PassageTable(Sequence[Passage]):
    def __init__(self, documents: Sequence[Document], columns: Sequence[PassageColumns]) -> None:
        self._documents = tuple(documents)
        self._columns = tuple(columns)
        # _first[d] is the position of document d's first passage; _first[-1] is how many there are.
        self._first = np.concatenate(([0], np.cumsum([len(c) for c in self._columns], dtype=np.int64)))
        self._by_document = {document.id: n for n, document in enumerate(self._documents)}

    def __len__(self) -> int:
        return int(self._first[-1])

    @overload
    def __getitem__(self, i: int) -> Passage: ...
    @overload
    def __getitem__(self, i: slice) -> list[Passage]: ...
    def __getitem__(self, i: int | slice) -> Passage | list[Passage]:
        if isinstance(i, slice):
            return [self[n] for n in range(*i.indices(len(self)))]
        d, j = self.locate(i)
        return self._columns[d].passage(j, self._documents[d])

    def __iter__(self) -> Iterator[Passage]:
        for document, columns in zip(self._documents, self._columns, strict=True):
            for j in range(len(columns)):
                yield columns.passage(j, document)

    def locate(self, i: int) -> tuple[int, int]:
        """(document number, position among its passages) of passage ``i``."""
        size = len(self)
        if i < 0:
            i += size
        if not 0 <= i < size:
            raise IndexError(f"passage {i} of {size}")
        d = int(np.searchsorted(self._first, i, side="right")) - 1
        return d, i - int(self._first[d])

    def document_of(self, i: int) -> Document:
        return self._documents[self.locate(i)[0]]

    def span(self, i: int) -> tuple[Document, int, int]:
        """The passage's document and its offsets there."""
        d, j = self.locate(i)
        columns = self._columns[d]
        return self._documents[d], int(columns.start[j]), int(columns.end[j])

    def sentences(self, i: int) -> tuple[list[tuple[int, int]], list[int]]:
        """The passage's sentence spans (relative to the passage) and their paragraphs."""
        d, j = self.locate(i)
        columns = self._columns[d]
        first, last = int(columns.sentence_bounds[j]), int(columns.sentence_bounds[j + 1])
        spans = list(
            zip(columns.sentence_start[first:last].tolist(), columns.sentence_end[first:last].tolist(), strict=True)
        )
        return spans, columns.sentence_paragraph[first:last].tolist()

    def long_passage(self, i: int) -> tuple[frozenset[str], tuple[SentenceData, ...]] | None:
        """A very long passage's terms and sentences, as analysed (see ``PassageColumns``)."""
        d, j = self.locate(i)
        return self._columns[d].long_passages.get(j)

    def passage_id(self, i: int) -> str:
        d, j = self.locate(i)
        return self._columns[d].ids[j]

    def first_of(self, document_id: str) -> int:
        """The position of a document's first passage (``KeyError`` for an unknown document)."""
        return int(self._first[self._by_document[document_id]])

    def of_document(self, document_id: str) -> list[Passage]:
        d = self._by_document.get(document_id)
        if d is None:
            return []
        return [self._columns[d].passage(j, self._documents[d]) for j in range(len(self._columns[d]))]

    def find(self, passage_id: str) -> int | None:
        """The position of the passage with this id, if the corpus has it."""
        # Ids are "<document id>#p<paragraph>[.<part>]" (bot.engine.text.passages); a document id may hold "#p".
        document_id, marker, _ = passage_id.rpartition("#p")
        d = self._by_document.get(document_id) if marker else None
        if d is None:
            return None
        try:
            return int(self._first[d]) + self._columns[d].ids.index(passage_id)
        except ValueError:
            return None

    def counts(self) -> Counter[str]:
        """Passages per document id."""
        return Counter({d.id: len(c) for d, c in zip(self._documents, self._columns, strict=True) if len(c)})

    def keys(self) -> np.ndarray:
        """Each passage's stable key (uint64, see ``bot.engine.build.analysis.passage_key``), in index order."""
        if not self._columns:
            return np.zeros(0, dtype=np.uint64)
        return np.concatenate([c.keys for c in self._columns])
