"""BM25 over passages in an on-disk tantivy index: for corpora too large for rank-bm25.

rank-bm25 scores every passage for every query term and keeps ~3.7 KB of Python objects per
passage; tantivy (Rust, the official Python bindings) keeps an inverted index on disk, memory-maps
it, finds the top k with block-max WAND, opens in milliseconds and takes incremental adds and
deletes. Both backends index *our* tokens, so they agree on what matches:

- a passage is stored as its tokens joined by single spaces in a text field analysed with
  tantivy's ``whitespace`` tokenizer (no lower-casing or stemming of its own: our tokens are
  already folded and stemmed), indexed with frequencies but no positions (BM25 needs no more);
- a query is a disjunction of exact term queries, one per distinct token, so a passage's score is
  the sum of its terms' BM25 weights, as in rank-bm25;
- tantivy's IDF is Lucene's, ``ln(1 + (N - n + 0.5) / (n + 0.5))``, the one ``Bm25Index`` uses.

What cannot be made identical: tantivy fixes k1 = 1.2 and b = 0.75; it stores passage lengths in
one byte (exact up to 40 tokens, then in buckets a few percent wide); scores are 32-bit floats; and
after a delete its statistics (N, document frequencies) count the deleted passages until their
segment is merged, as Lucene's do. Equal scores are ordered by id, as ``Bm25Index`` orders them.

Passage ids are caller-chosen integers (for the engine, positions in its passage list) in a fast
field, so ``search`` returns them without reading stored documents.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import tantivy

from bot.engine.models import ScoredIds

log = logging.getLogger(__name__)

TOKENS = "tokens"
ID = "id"
LABEL_FILE = "policy-bot.json"  # ours, beside tantivy's files; tantivy ignores files it did not write
SCHEMA_VERSION = 2  # bump when schema() or the meaning of the tokens changes: old indexes are rebuilt
BUILD_HEAP_BYTES = 256_000_000  # the writer's arena: larger means fewer, bigger segments (and more RAM)
UPDATE_HEAP_BYTES = 15_000_000  # small adds and deletes
# Top-k ties are broken by id, so fetch a few more hits than asked: equal scores straddling the
# k-th place are then ordered as Bm25Index orders them.
_TIE_MARGIN = 8


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field(TOKENS, stored=False, tokenizer_name="whitespace", index_option="freq")
    builder.add_unsigned_field(ID, stored=False, indexed=True, fast=True)
    return builder.build()


def _passage_ids(values: Iterable[int | float | bool | None]) -> list[int]:
    """The ``ID`` fast-field values as ints: tantivy's binding types them as any field's values."""
    ids: list[int] = []
    for value in values:
        # ID is an unsigned field set on every document, so anything else means a foreign index.
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"passage id {value!r} in the tantivy index is not an integer")
        ids.append(value)
    return ids


def _document(tokens: Sequence[str] | str, passage_id: int) -> tantivy.Document:
    document = tantivy.Document()
    # A str is tokens already joined by spaces (bot.engine.build.parallel's output); a list is joined here.
    document.add_text(TOKENS, tokens if isinstance(tokens, str) else " ".join(tokens))
    document.add_unsigned(ID, passage_id)
    return document


def _write_about(folder: Path, label: str | None) -> None:
    (folder / LABEL_FILE).write_text(json.dumps({"schema": SCHEMA_VERSION, "label": label}), encoding="utf-8")


class TantivyIndex:
    """A ``SearchIndex`` over a tantivy index, in a folder (or in memory when ``path`` is None)."""

    def __init__(self, index: tantivy.Index, path: Path | None = None, label: str | None = None) -> None:
        self._index = index
        self._schema = index.schema
        self.path = path
        self.label = label
        self._writer: tantivy.IndexWriter | None = None
        self._lock = threading.Lock()  # one writer per index; searches need no lock

    # -- building and opening ------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        folder: Path | None,
        tokenized: Iterable[Sequence[str] | str],
        ids: Iterable[int] | None = None,
        *,
        label: str | None = None,
        heap_bytes: int = BUILD_HEAP_BYTES,
        threads: int = 1,
    ) -> TantivyIndex:
        """Index passages (token lists, or token strings joined by spaces) under ``ids``.

        ``ids`` defaults to positions (0, 1, 2, …), the ids ``Bm25Index`` returns. The index is
        written to a sibling folder and swapped in when complete, so an index being served stays
        whole until the new one replaces it. ``tokenized`` may be a generator: passages stream
        into the writer and are never all held in memory. ``threads=1`` because on a build the
        tokenizer processes, not tantivy, are the bottleneck.
        """
        target = None if folder is None else Path(folder)
        building = None if target is None else target.with_name(target.name + ".building")
        if building is not None:
            shutil.rmtree(building, ignore_errors=True)
            building.mkdir(parents=True)
        index = tantivy.Index(schema(), path=None if building is None else str(building), reuse=False)
        writer = index.writer(heap_size=heap_bytes, num_threads=threads)
        pairs = enumerate(tokenized) if ids is None else zip(ids, tokenized, strict=True)
        for passage_id, tokens in pairs:
            writer.add_document(_document(tokens, passage_id))
        writer.commit()
        writer.wait_merging_threads()
        if target is None or building is None:
            index.reload()
            return cls(index, None, label)
        _write_about(building, label)
        retired = target.with_name(target.name + ".old")
        shutil.rmtree(retired, ignore_errors=True)
        if target.exists():
            target.rename(retired)
        building.rename(target)
        shutil.rmtree(retired, ignore_errors=True)  # open readers keep their memory maps (POSIX)
        return cls.open(target)

    @classmethod
    def open(cls, folder: Path) -> TantivyIndex:
        """Open an index written by ``build``; milliseconds, whatever its size (memory-mapped)."""
        folder = Path(folder)
        if not folder.is_dir() or not tantivy.Index.exists(str(folder)):
            raise FileNotFoundError(f"no tantivy index in {folder}")
        label_path = folder / LABEL_FILE
        # The bindings cannot list a schema's fields: our file says which schema wrote the index.
        about = json.loads(label_path.read_text(encoding="utf-8")) if label_path.exists() else {}
        if about.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"{folder} holds a tantivy index this version did not write: rebuild it")
        return cls(tantivy.Index.open(str(folder)), folder, about.get("label"))

    # -- incremental changes ---------------------------------------------------------------------

    def _get_writer(self) -> tantivy.IndexWriter:
        # Created on first change and kept: it holds the folder's lock, so one process writes.
        if self._writer is None:
            self._writer = self._index.writer(heap_size=UPDATE_HEAP_BYTES, num_threads=1)
        return self._writer

    def _id_query(self, ids: Sequence[int]) -> tantivy.Query:
        # By query, not delete_documents_by_term: the bindings' by-term delete misses u64 fields.
        return tantivy.Query.term_set_query(self._schema, ID, list(ids))

    def add(self, tokenized: Iterable[Sequence[str] | str], ids: Iterable[int]) -> None:
        """Add (or replace: an id already present is overwritten) passages, and commit.

        Adds and deletes clear the index's label: it no longer holds what the label named.
        """
        pairs = list(zip(ids, tokenized, strict=True))
        if not pairs:
            return
        with self._lock:
            writer = self._get_writer()
            # A delete only affects documents added before it, so replace = delete, then add.
            writer.delete_documents_by_query(self._id_query([passage_id for passage_id, _ in pairs]))
            for passage_id, tokens in pairs:
                writer.add_document(_document(tokens, passage_id))
            self._commit(writer)

    def delete(self, ids: Iterable[int]) -> None:
        """Remove passages by id (unknown ids are ignored), and commit."""
        wanted = list(ids)
        if not wanted:
            return
        with self._lock:
            writer = self._get_writer()
            writer.delete_documents_by_query(self._id_query(wanted))
            self._commit(writer)

    def _commit(self, writer: tantivy.IndexWriter) -> None:
        writer.commit()
        self._index.reload()
        if self.label is not None:
            # The label named what was built; a changed index no longer is that, so it is not reused.
            self.label = None
            if self.path is not None:
                _write_about(self.path, None)

    def close(self) -> None:
        """Release the writer (and the folder's write lock); searching still works."""
        with self._lock:
            if self._writer is not None:
                self._writer.wait_merging_threads()
                self._writer = None

    def __enter__(self) -> TantivyIndex:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- the SearchIndex interface -------------------------------------------------------------

    def __len__(self) -> int:
        return self._index.searcher().num_docs

    def document_frequency(self, term: str) -> int:
        """Passages containing ``term`` (after deletes, until a merge: deleted ones too, see above)."""
        return self._index.searcher().doc_freq(TOKENS, term)

    def search(self, query: Sequence[str], k: int) -> ScoredIds:
        terms = list(dict.fromkeys(query))
        if not terms or k <= 0:  # tantivy panics on a limit of 0
            return ScoredIds()
        searcher = self._index.searcher()
        disjunction = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, tantivy.Query.term_query(self._schema, TOKENS, term, index_option="freq"))
                for term in terms
            ]
        )
        hits = searcher.search(disjunction, k + _TIE_MARGIN, count=False).hits
        if not hits:
            return ScoredIds()
        ids = _passage_ids(searcher.fast_field_values(ID, [address for _, address in hits]))
        ranked = sorted(zip(ids, (float(score) for score, _ in hits), strict=True), key=lambda hit: (-hit[1], hit[0]))
        ranked = ranked[:k]
        return ScoredIds(ids=tuple(i for i, _ in ranked), scores=tuple(s for _, s in ranked))


# -- an index kept in step with a changing corpus -------------------------------------------------

KEYS_FILE = "policy-bot-keys.npy"  # the keys the index holds, in the engine's passage order
# Above this share of passages added or removed, a fresh build (compact segments, exact statistics)
# costs about what the updates would.
MAX_UPDATE_SHARE = 0.25


class KeyedIndex:
    """A ``SearchIndex`` answering with positions over a tantivy index whose ids are passage keys.

    Keys name a passage of one version of one document, so after a refresh the passages kept have
    the keys they had, and ``sync`` updates the index on disk by adding and deleting only what
    changed: adding one document to a million passages takes milliseconds, not a rebuild.
    """

    def __init__(self, index: TantivyIndex, keys: Sequence[int] | np.ndarray) -> None:
        self.tantivy = index
        # Sorted keys and their positions: a dict of a million keys would cost ~100 MB.
        keys_array = np.asarray(keys, dtype=np.uint64)
        self._order = np.argsort(keys_array, kind="stable")
        self._sorted = keys_array[self._order]

    @classmethod
    def sync(
        cls, folder: Path, tokenized: Sequence[Sequence[str] | str], keys: Sequence[int] | np.ndarray
    ) -> KeyedIndex:
        """The index in ``folder`` brought in line with ``keys`` (updated in place, or rebuilt)."""
        folder = Path(folder)
        wanted = np.asarray(keys, dtype=np.uint64)
        updated = _update(folder, tokenized, wanted)
        if updated is None:
            log.info("building the tantivy index in %s (%d passages)", folder, len(wanted))
            updated = TantivyIndex.build(folder, tokenized, wanted.tolist())
            _save_keys(folder, wanted)
        return cls(updated, wanted)

    def __len__(self) -> int:
        return len(self._sorted)

    def document_frequency(self, term: str) -> int:
        return self.tantivy.document_frequency(term)

    def _positions(self, keys: Sequence[int]) -> list[int | None]:
        """Each key's position, or None for a key this engine does not know."""
        if not len(self._sorted):
            return [None] * len(keys)
        wanted = np.asarray(keys, dtype=np.uint64)
        at = np.minimum(np.searchsorted(self._sorted, wanted), len(self._sorted) - 1)
        known = self._sorted[at] == wanted
        return [int(p) if k else None for p, k in zip(self._order[at].tolist(), known.tolist(), strict=True)]

    def search(self, query: Sequence[str], k: int) -> ScoredIds:
        hits = self.tantivy.search(query, k + _TIE_MARGIN)
        # A key this engine does not know was added by a newer engine sharing the folder: skip it.
        positions = self._positions(hits.ids)
        found = [(p, score) for p, score in zip(positions, hits.scores, strict=True) if p is not None]
        found.sort(key=lambda hit: (-hit[1], hit[0]))  # ties by position, as Bm25Index orders them
        found = found[:k]
        return ScoredIds(ids=tuple(p for p, _ in found), scores=tuple(s for _, s in found))


def _save_keys(folder: Path, keys: np.ndarray) -> None:
    temporary = folder / (KEYS_FILE + ".tmp")
    with temporary.open("wb") as file:
        np.save(file, np.asarray(keys, dtype=np.uint64))
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, folder / KEYS_FILE)


def _update(folder: Path, tokenized: Sequence[Sequence[str] | str], keys: np.ndarray) -> TantivyIndex | None:
    """Update the index in ``folder`` to hold exactly ``keys``; None when a rebuild is due."""
    try:
        held = np.load(folder / KEYS_FILE)
        index = TantivyIndex.open(folder)
    except (OSError, ValueError) as error:
        log.info("no reusable tantivy index in %s (%s)", folder, error)
        return None
    if len(index) != len(held):
        return None  # changed behind the keys file's back (a crash mid-update): not to be trusted
    # Array set operations: Python sets of a million keys took most of a restart's second.
    removed = np.setdiff1d(held, keys).tolist()
    added = np.flatnonzero(~np.isin(keys, held)).tolist()
    if len(removed) + len(added) > MAX_UPDATE_SHARE * max(len(keys), 1):
        return None
    if removed or added:
        try:
            # Without a keys file an interrupted update is rebuilt next time, never trusted.
            (folder / KEYS_FILE).unlink()
            index.delete(removed)
            index.add((tokenized[i] for i in added), (int(keys[i]) for i in added))
            index.close()  # releases the folder's write lock for the next refresh
        except (OSError, ValueError) as error:
            log.warning("could not update the tantivy index in %s (%s): rebuilding it", folder, error)
            return None
        _save_keys(folder, keys)
        log.info("tantivy index in %s updated: %d passages added, %d removed", folder, len(added), len(removed))
    return index
