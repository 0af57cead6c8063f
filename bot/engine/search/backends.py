"""Choosing the search index: rank-bm25 in memory for small corpora, tantivy on disk for large ones.

rank-bm25 needs nothing but Python and is exact, but it scores every passage for every query
term: p50 ≈ 10 ms at 10k passages, ≈ 125 ms at 100k, ≈ 1.4 s at 1M, with ≈ 3.7 KB of memory per
passage. tantivy answers in about a millisecond at any of those sizes, keeps its index on disk and
reopens it without re-indexing. ``auto`` therefore picks tantivy from ``auto_threshold`` passages
on and rank-bm25 below, where its exactness costs nothing. Both packages are required dependencies.
Both use Lucene's IDF and b = 0.75. tantivy fixes k1 at 1.2; rank-bm25 keeps the engine's 1.5,
which scores a little better on SciFact (nDCG@10 0.686 against 0.684 at 1.2, see bench/scifact.py)
and changes no answer of today's deployments. The two still agree on the best passage for every
question of the project's question sets; with ``Bm25Index(..., k1=TANTIVY_K1)`` they agree on the
whole top 12, up to float rounding (tests/engine/search/test_backends.py).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import numpy as np

from bot.engine.build.analysis import BuildProgress, BuildStep, passage_key
from bot.engine.search.index import Bm25Index, EmptyCorpusError, SearchIndex
from bot.engine.search.tantivy_index import KeyedIndex, TantivyIndex

log = logging.getLogger(__name__)

__all__ = ["IndexOptions", "make_index", "passage_key"]

Backend = Literal["auto", "rank_bm25", "tantivy"]
BACKENDS: tuple[str, ...] = get_args(Backend)
AUTO_THRESHOLD = 50_000  # passages; rank-bm25's p95 passes ~5 ms a little above this size
RANK_BM25_K1 = 1.5  # the engine's value (Bm25Index's default)
TANTIVY_K1 = 1.2  # fixed in tantivy; b is 0.75 in both
REPORT_EVERY = 1_000  # passages between progress reports while an index reads them


@dataclass(frozen=True, slots=True)
class IndexOptions:
    """Which search index an engine builds; tantivy keeps its index under ``path``.

    ``cache`` is where document analyses are kept between builds (``bot.engine.build.analysis``); None
    analyses every document on every build.
    """

    backend: Backend = "auto"
    path: Path | None = None
    auto_threshold: int = AUTO_THRESHOLD
    cache: Path | None = None


def tokens_digest(tokenized: Iterable[Sequence[str]]) -> str:
    """A fingerprint of a tokenized corpus (order included): hashing is far cheaper than indexing."""
    digest = hashlib.blake2b(digest_size=16)
    for tokens in tokenized:
        digest.update(" ".join(tokens).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def choose_backend(
    size: int, backend: Backend = "auto", auto_threshold: int = AUTO_THRESHOLD
) -> Literal["rank_bm25", "tantivy"]:
    """The backend for a corpus of ``size`` passages: the one configured, or by size for ``auto``."""
    if backend == "rank_bm25":
        return "rank_bm25"
    if backend == "tantivy":
        return "tantivy"
    if backend != "auto":
        raise ValueError(f"unknown index backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    return "rank_bm25" if size < auto_threshold else "tantivy"


class _Reporting(Sequence[Sequence[str]]):
    """Passages' tokens as an index reads them, telling ``progress`` how far its first pass has got.

    Only the furthest point reached is reported: rank-bm25 reads the passages more than once, and a
    bar that went back to zero would say the build started over.
    """

    def __init__(self, tokenized: Sequence[Sequence[str]], progress: BuildProgress, every: int = REPORT_EVERY) -> None:
        self._tokenized = tokenized
        self._progress = progress
        self._every = every
        self._reached = 0

    def __len__(self) -> int:
        return len(self._tokenized)

    def __getitem__(self, i: int) -> Sequence[str]:  # type: ignore[override]  # positions only, no slices
        return self._tokenized[i]

    def __iter__(self) -> Iterator[Sequence[str]]:
        total = len(self._tokenized)
        for n, tokens in enumerate(self._tokenized, 1):
            if n % self._every == 0 and n > self._reached:
                self._reached = n
                self._progress(BuildStep("index", n, total))
            yield tokens


def make_index(
    tokenized: Sequence[Sequence[str]],
    backend: Backend = "auto",
    path: Path | None = None,
    auto_threshold: int = AUTO_THRESHOLD,
    *,
    label: str | None = None,
    keys: Sequence[int] | np.ndarray | None = None,
    progress: BuildProgress | None = None,
) -> SearchIndex:
    """An index over ``tokenized`` passages (ids are positions), of the backend chosen.

    tantivy writes to ``path`` (in memory when None). An index already at ``path`` with the same
    ``label`` and size is opened instead of rebuilt. The label defaults to a digest of the tokens,
    so an index is reused exactly when it indexes the same tokens (a changed document or a changed
    tokenizer rebuilds it). Raises ``EmptyCorpusError`` for a corpus without tokens, whatever the
    backend, as ``Bm25Index`` does.

    With ``keys`` (a stable key per passage, see ``passage_key``) and a ``path``, the
    tantivy index is kept in step with the corpus instead: passages added or removed since it was
    last built are added to or deleted from it, and it still answers with positions.

    ``progress`` is told how many passages the index has read, ``BuildStep("index")``, from 0 to
    all of them once it is built (an index reopened or updated reads few or none: it jumps to done).
    """
    if not tokenized or not any(tokenized):
        raise EmptyCorpusError()
    if progress is None:
        return _make_index(tokenized, backend, path, auto_threshold, label=label, keys=keys)
    total = len(tokenized)
    progress(BuildStep("index", 0, total))
    index = _make_index(_Reporting(tokenized, progress), backend, path, auto_threshold, label=label, keys=keys)
    progress(BuildStep("index", total, total))
    return index


def _make_index(
    tokenized: Sequence[Sequence[str]],
    backend: Backend,
    path: Path | None,
    auto_threshold: int,
    *,
    label: str | None,
    keys: Sequence[int] | np.ndarray | None,
) -> SearchIndex:
    chosen = choose_backend(len(tokenized), backend, auto_threshold)
    if chosen == "rank_bm25":
        return Bm25Index(tokenized, k1=RANK_BM25_K1)
    if path is not None and keys is not None:
        return KeyedIndex.sync(path, tokenized, keys)
    if path is not None:
        label = tokens_digest(tokenized) if label is None else label
        try:
            existing = TantivyIndex.open(path)
        except (FileNotFoundError, ValueError):
            existing = None
        if existing is not None and existing.label == label and len(existing) == len(tokenized):
            log.info("reusing the tantivy index in %s (%s)", path, label)
            return existing
    return TantivyIndex.build(path, tokenized, label=label)
