"""Sentences found by meaning: the answer reader's pool widened past the words a question shares.

The reader reads the first sentences of the best passages by word overlap (BM25). When a question says
"kill off" and the document "deemed unlawful", the answering sentence can be in no passage BM25 finds:
on the reader's validation split, 13.7% of answerable questions had no answering sentence among the
reader's 10 candidates, and 12.2% none in the 12 passages searched at all. So every sentence of a
small corpus is embedded once with the MiniLM encoder (already installed for the tie-break), and the
sentences nearest the question by cosine, not already in the pool, join it after the lexical ones.

On validation (``training.calibrate``, through the engine's pool, with the three-epoch reader), three such
sentences took the pool's recall from 0.863 to 0.908, and the reader's hit@1 from 0.735 to 0.743, hit@3
from 0.821 to 0.849, and unanswerable questions declined from 0.609 to 0.621 at the same 4% false declines.
One or two found less (hit@3 0.839, 0.843); four or six no more (0.849, 0.850) at more reading time.

Embedding costs ~8 ms a sentence on one core, so only corpora up to ``MAX_SENTENCES`` sentences are
embedded (a few hundred documents); larger ones are served by the lexical pool alone. The vectors are
kept by sentence text across engines (``VectorCache``): a corpus change embeds only its new sentences.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from bot.engine.ranking.answer import SentenceRecord

# Sentences the reader's pool gains by meaning (chosen on validation: see the module's docstring).
MEANING_CANDIDATES = 3
# A sentence this far from the question (cosine) is not offered: the highest floor that changed nothing on
# validation (0.35 lost a question's answer from the pool). Off-topic questions meet only sentences below it
# ("the capital of France is Paris" at most 0.11 in the seed article), which the reader could otherwise
# be led to answer from.
MIN_SIMILARITY = 0.3
# Corpora with more sentences are not embedded: at ~8 ms a sentence, 5,000 take ~40 s of one core.
MAX_SENTENCES = 5_000


class Encoder(Protocol):
    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray: ...


class VectorCache:
    """Unit sentence vectors by text, the most recent ``limit`` kept; thread-safe."""

    def __init__(self, limit: int = 2 * MAX_SENTENCES) -> None:
        self.limit = limit
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def vectors(self, encoder: Encoder, texts: Sequence[str]) -> np.ndarray:
        """One row per text, embedding only the texts not kept."""
        with self._lock:
            known = {t: self._vectors[t] for t in texts if t in self._vectors}
            for text in known:
                self._vectors.move_to_end(text)
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            made = encoder.encode(missing)
            with self._lock:
                for text, vector in zip(missing, made, strict=True):
                    known[text] = self._vectors[text] = vector
                while len(self._vectors) > self.limit:
                    self._vectors.popitem(last=False)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([known[t] for t in texts]).astype(np.float32, copy=False)


VECTORS = VectorCache()  # shared by every engine of the process


class MeaningIndex:
    """Every sentence of a corpus as a unit vector (``texts``: each record's text); the nearest ones to a question."""

    def __init__(self, encoder: Encoder, records: Sequence[SentenceRecord], texts: Sequence[str]) -> None:
        self.encoder = encoder
        self.records = list(records)
        self.vectors = VECTORS.vectors(encoder, texts)

    def __len__(self) -> int:
        return len(self.records)

    def nearest(
        self,
        question: str,
        limit: int,
        skip: frozenset[tuple[int, int]] = frozenset(),
        at_least: float = MIN_SIMILARITY,
    ) -> list[SentenceRecord]:
        """The ``limit`` sentences most similar to ``question`` (a cosine of ``at_least``), best first,
        leaving out those whose (passage index, start) is in ``skip``."""
        if not self.records or limit <= 0:
            return []
        similarities = self.vectors @ self.encoder.encode([question])[0]
        wanted = min(len(self.records), limit + len(skip))
        top = np.argpartition(-similarities, wanted - 1)[:wanted]
        ranked = sorted(
            (r for r in top.tolist() if similarities[r] >= at_least), key=lambda r: (-float(similarities[r]), r)
        )
        found = (self.records[row] for row in ranked)
        return [r for r in found if (r.passage_index, r.start) not in skip][:limit]
