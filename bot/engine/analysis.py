"""What the engine knows of each document: passages, tokens, sentences and figures, computed once.

Building an engine is almost all of this work, in pure Python: splitting, tokenizing every
passage and sentence, extracting figures (together ~1 ms a passage). So

- a document's analysis is a pure function of the document, computed in one pass: a passage is
  tokenized once and its tokens are shared out to its sentences by offset;
- large builds run it in worker processes, on every core. That also keeps the GIL free: a bot
  rebuilding a big corpus in a thread keeps answering questions at full speed meanwhile;
- with a cache folder, analyses are kept on disk under a key made of the document's id, the hash
  of its bytes and the hash of the analysing code. A restart with nothing changed re-tokenizes
  nothing; a refresh after one upload analyses one document; changing the tokenizer (or any
  module below) invalidates every entry by itself, no version number to remember.

The cache holds pickles the bot wrote itself into its own state folder (never uploaded content as
such); an entry that cannot be read is recomputed.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import pickle
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.engine.figures_parse import Figure, extract_figures
from bot.engine.models import Document, Passage
from bot.engine.parallel import available_cores
from bot.engine.passages import split_passages
from bot.engine.tokens import iter_tokens

log = logging.getLogger(__name__)

_HEADING = re.compile(r"[ \t]*#{1,6}[ \t]")
# From this much text on (~1 s of analysis), workers analyse it: spawning them costs ≈ 1 s of wall time
# but no time in this process, whose GIL then stays free for the questions it is answering.
MIN_PARALLEL_CHARS = 1_000_000
CHUNK_CHARS = 400_000  # passage text per worker task: large enough to amortise pickling, small enough to balance
_CACHE_SUFFIX = ".analysis"

# The modules whose code decides an analysis: a change to any of them invalidates the cache.
_CODE_MODULES = ("analysis", "figures_parse", "passages", "sentences", "stopwords", "tokens", "models")


@dataclass(frozen=True, slots=True)
class SentenceData:
    """One sentence of a passage: offsets relative to the passage text, its tokens and figures."""

    start: int
    end: int
    paragraph: int
    heading: bool  # a Markdown heading labels what follows; it is never quoted as an answer
    tf: dict[str, int]  # a plain dict: a Counter unpickles several times slower (it re-counts)
    length: int
    figures: tuple[Figure, ...]


@dataclass(frozen=True, slots=True)
class PassageData:
    passage: Passage
    tokens: tuple[str, ...]
    sentences: tuple[SentenceData, ...]


@dataclass(frozen=True, slots=True)
class DocumentAnalysis:
    key: str
    passages: tuple[PassageData, ...]


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the source of every module an analysis depends on."""
    digest = hashlib.blake2b(digest_size=8)
    here = Path(__file__).resolve().parent
    for name in _CODE_MODULES:
        digest.update((here / f"{name}.py").read_bytes())
    return digest.hexdigest()


def analysis_key(document: Document) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{code_version()}\0{document.id}\0{document.sha256}".encode())
    return digest.hexdigest()


def analyse_passage(passage: Passage) -> PassageData:
    """A passage's tokens, and its sentences with their share of those tokens and their figures."""
    text = passage.text
    tokens = list(iter_tokens(text))
    sentences = []
    position = 0  # tokens are in order, and so are sentences: one sweep shares them out
    paragraphs = passage.sentence_paragraphs or (passage.paragraph,) * len(passage.sentences)
    for (start, end), paragraph in zip(passage.sentences, paragraphs, strict=True):
        while position < len(tokens) and tokens[position][1] < start:
            position += 1
        first = position
        while position < len(tokens) and tokens[position][1] < end:
            position += 1
        words = [token for token, _, _ in tokens[first:position]]
        sentences.append(
            SentenceData(
                start=start,
                end=end,
                paragraph=paragraph,
                # Headings are paragraphs of their own: the line to look at starts in the passage.
                heading=_HEADING.match(text, text.rfind("\n", 0, start) + 1) is not None,
                tf=dict(Counter(words)),
                length=len(words),
                figures=tuple(extract_figures(text[start:end])),
            )
        )
    return PassageData(passage, tuple(token for token, _, _ in tokens), tuple(sentences))


def analyse(document: Document) -> DocumentAnalysis:
    """Split a document into passages and analyse each: tokens, sentences, figures."""
    return DocumentAnalysis(analysis_key(document), tuple(analyse_passage(p) for p in split_passages(document)))


def _analyse_chunk(passages: list[Passage]) -> list[PassageData]:
    return [analyse_passage(passage) for passage in passages]


def _chunks(passages: Sequence[Passage], chars: int) -> Iterator[list[Passage]]:
    chunk: list[Passage] = []
    size = 0
    for passage in passages:
        chunk.append(passage)
        size += len(passage.text)
        if size >= chars:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def analyse_many(
    documents: Sequence[Document],
    processes: int | None = None,
    min_parallel_chars: int = MIN_PARALLEL_CHARS,
) -> list[DocumentAnalysis]:
    """``[analyse(d) for d in documents]``, in worker processes when there is much text.

    Documents are split here (≈ 0.1 s per million characters) and their passages shared out, so
    one large upload keeps every core busy too. Workers are spawned, not forked: the caller may
    run threads (an event loop's executor, tantivy) and forking a threaded process can deadlock.
    """
    processes = available_cores() if processes is None else processes
    total = sum(len(d.text) for d in documents)
    if processes <= 1 or total < min_parallel_chars:
        return [analyse(document) for document in documents]
    split = [split_passages(document) for document in documents]
    chunk_chars = min(CHUNK_CHARS, max(1, total // (processes * 4)))  # a few tasks per worker at least
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        results = pool.imap(_analyse_chunk, _chunks([p for passages in split for p in passages], chunk_chars))
        analysed = iter([data for chunk in results for data in chunk])
    return [
        DocumentAnalysis(analysis_key(document), tuple(next(analysed) for _ in passages))
        for document, passages in zip(documents, split, strict=True)
    ]


class AnalysisCache:
    """Analyses on disk, one file per document version, written atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}{_CACHE_SUFFIX}"

    def get(self, key: str) -> DocumentAnalysis | None:
        try:
            with self._path(key).open("rb") as file:
                analysis = pickle.load(file)
        except FileNotFoundError:
            return None
        except Exception as error:  # a torn or foreign file: recompute rather than fail the build
            log.warning("analysis cache entry %s unreadable (%s): recomputing it", key, error)
            return None
        return analysis if isinstance(analysis, DocumentAnalysis) and analysis.key == key else None

    def put(self, analysis: DocumentAnalysis) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=_CACHE_SUFFIX)
        try:
            with os.fdopen(handle, "wb") as file:
                pickle.dump(analysis, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self._path(analysis.key))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def keep_only(self, keys: Iterable[str]) -> int:
        """Delete entries not in ``keys`` (documents removed or changed); returns how many went."""
        wanted = {f"{key}{_CACHE_SUFFIX}" for key in keys}
        removed = 0
        if not self.folder.is_dir():
            return 0
        for path in self.folder.iterdir():
            if path.name.endswith(_CACHE_SUFFIX) and path.name not in wanted:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


def analyse_corpus(
    documents: Sequence[Document], cache: Path | None = None, processes: int | None = None
) -> list[DocumentAnalysis]:
    """Analyses of ``documents`` in order: from the cache where it has them, computed otherwise.

    With a cache, new analyses are stored and entries of documents no longer in the corpus pruned,
    so the folder holds one corpus's analyses (give each corpus its own folder).
    """
    if cache is None:
        return analyse_many(documents, processes)
    store = AnalysisCache(cache)
    keys = [analysis_key(d) for d in documents]
    found: list[DocumentAnalysis | None] = [store.get(key) for key in keys]
    missing = [i for i, analysis in enumerate(found) if analysis is None]
    fresh = analyse_many([documents[i] for i in missing], processes)
    for i, analysis in zip(missing, fresh, strict=True):
        found[i] = analysis
        try:
            store.put(analysis)
        except OSError as error:  # a full or read-only disk costs the next start time, not this build
            log.warning("could not cache the analysis of %s: %s", documents[i].id, error)
    pruned = store.keep_only(keys)
    log.info(
        "analysed %d of %d documents (%d from the cache, %d stale entries pruned)",
        len(missing), len(documents), len(documents) - len(missing), pruned,
    )  # fmt: skip
    return [analysis for analysis in found if analysis is not None]
