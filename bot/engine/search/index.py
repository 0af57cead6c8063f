"""BM25 over passages, behind one interface of ours.

``rank_bm25`` is small and unmaintained; its traps are handled here and nowhere else:
- an empty corpus divides by zero in its constructor: ``Bm25Index`` refuses it with
  ``EmptyCorpusError`` and callers say "the corpus is empty";
- passing ``tokenizer=`` starts a process pool it never closes: we always pass tokens;
- ``BM25Okapi``'s IDF is zero for a term in half the passages and negative (floored at
  ``epsilon * mean_idf``) above that, so on small corpora matching passages can score zero and
  tie with passages that match nothing. We replace its IDF table with Lucene's (always positive),
  so a passage scores above zero exactly when it contains a query term. Whether the corpus
  *answers* a question is still decided by the answer module (query-weight coverage), not here.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Protocol

import numpy as np
from rank_bm25 import BM25Okapi

from bot.engine.models import ScoredIds


class EmptyCorpusError(ValueError):
    def __init__(self) -> None:
        super().__init__("the corpus is empty")


class SearchIndex(Protocol):
    """What the answer engine needs from an index backend."""

    def __len__(self) -> int: ...

    def search(self, query: Sequence[str], k: int) -> ScoredIds: ...

    def document_frequency(self, term: str) -> int: ...


class _LuceneIdfBM25(BM25Okapi):
    def _calc_idf(self, nd: dict[str, int]) -> None:
        self.idf = {term: idf(df, self.corpus_size) for term, df in nd.items()}


class Bm25Index:
    """rank-bm25's ``BM25Okapi`` (with Lucene's IDF) over pre-tokenized passages."""

    def __init__(self, tokenized: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75) -> None:
        if not tokenized or not any(tokenized):
            raise EmptyCorpusError()
        self._bm25 = _LuceneIdfBM25([list(tokens) for tokens in tokenized], k1=k1, b=b)
        self._df: Counter[str] = Counter()
        for tokens in tokenized:
            self._df.update(set(tokens))
        self._size = len(tokenized)

    def __len__(self) -> int:
        return self._size

    def document_frequency(self, term: str) -> int:
        return self._df.get(term, 0)

    def search(self, query: Sequence[str], k: int) -> ScoredIds:
        terms = [term for term in dict.fromkeys(query) if term in self._df]
        if not terms or k <= 0:
            return ScoredIds()
        scores = self._bm25.get_scores(terms)
        matching = np.flatnonzero(scores > 0)
        if len(matching) > k:
            matching = matching[np.argpartition(-scores[matching], k - 1)[:k]]
        # Sort by score, then by position, so equal scores come out in document order.
        ordered = sorted(matching.tolist(), key=lambda i: (-scores[i], i))
        return ScoredIds(ids=tuple(ordered), scores=tuple(float(scores[i]) for i in ordered))


def idf(document_frequency: int, size: int) -> float:
    """Lucene's BM25 IDF: always positive, and largest for terms the corpus lacks (df = 0).

    Used to weigh query terms by how informative they are; unlike rank-bm25's floored IDF it
    never goes to zero on small corpora.
    """
    return math.log(1.0 + (size - document_frequency + 0.5) / (document_frequency + 0.5))
