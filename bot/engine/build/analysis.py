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

Cache entries are written in ``bot.engine.build.safe_format``, which holds data and cannot run code:
whoever can write the state folder can at most make the bot compute an entry again. An entry that
is damaged, forged or of another version is recomputed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import multiprocessing
import queue
import re
import threading
import typing
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np

from bot.engine.build.cache_files import TEMPORARY_PREFIX, load_keyed, open_cache, save_keyed, write_whole
from bot.engine.build.parallel import available_cores
from bot.engine.build.safe_format import EncodeError, FormatError, encode_file, read_header, read_section, register
from bot.engine.figures.parse import Figure, extract_figures
from bot.engine.models import Document, Passage
from bot.engine.text.passages import split_passages
from bot.engine.text.tokens import ANSWER_TYPES, iter_tokens

log = logging.getLogger(__name__)

_HEADING = re.compile(r"[ \t]*#{1,6}[ \t]")
# From this much text on (~1 s of analysis), workers analyse it: spawning them costs ≈ 1 s of wall time
# but no time in this process, whose GIL then stays free for the questions it is answering.
MIN_PARALLEL_CHARS = 1_000_000
# Passages are at most ~1,200 characters unless one sentence is longer (passages.MAX_PASSAGE_CHARS).
LONG_PASSAGE_CHARS = 20_000
CHUNK_CHARS = 400_000  # passage text per worker task: large enough to amortise pickling, small enough to balance
_CACHE_SUFFIX = ".analysis"
_CACHE_KIND = "analysis"
_DF_KIND = "df"  # the corpus's merged document frequencies (``corpus_df``)

# The modules whose code decides an analysis or how it is stored: a change to any of them invalidates the cache.
# Paths under bot/engine of every module an analysis depends on. The paths are hashed with the
# sources, so moving a module also invalidates the cache (its first start after a move is cold).
_CODE_MODULES = (
    "build/analysis.py",
    "build/safe_format.py",
    "figures/labeller.py",
    "figures/lexicon.py",
    "figures/parse.py",
    "figures/scanner.py",
    "models.py",
    "text/passages.py",
    "text/sentences.py",
    "text/stopwords.py",
    "text/tokens.py",
)


@dataclass(frozen=True, slots=True)
class BuildStep:
    """How far an engine build has got, as told to a progress callback (``Engine(progress=...)``).

    Stages come in this order: "read" (documents read from the corpus folder; ``total`` is None
    until they all are), "analyse" (documents analysed, ``passages`` counting the passages found
    in them so far) and "index" (passages added to the search index). ``done`` of ``total`` counts
    the stage's documents or passages, and each stage ends with ``done == total``. The engine knows
    nothing of terminals: ``bot.progress`` shows these as a bar or as log lines.
    """

    stage: Literal["read", "analyse", "index"]
    done: int
    total: int | None
    passages: int = 0


BuildProgress = Callable[[BuildStep], None]


class _AnalysisProgress:
    """Counts documents and passages analysed (fresh or from the cache) for a ``BuildProgress``."""

    def __init__(self, report: BuildProgress | None, total: int) -> None:
        self._report = report
        self.total = total
        self.documents = 0
        self.passages = 0

    def add_passages(self, count: int) -> None:
        self.passages += count
        self._send()

    def add_document(self, passages: int = 0) -> None:
        self.documents += 1
        self.passages += passages
        self._send()

    def _send(self) -> None:
        if self._report is not None:
            self._report(BuildStep("analyse", self.documents, self.total, self.passages))


@dataclass(frozen=True, slots=True)
class SentenceData:
    """One sentence of a passage: offsets relative to the passage text, its tokens and figures."""

    start: int
    end: int
    paragraph: int
    heading: bool  # a Markdown heading labels what follows; it is never quoted as an answer
    tf: dict[str, int]  # a plain dict: what a cache file gives back
    length: int
    figures: tuple[Figure, ...] = ()


@dataclass(frozen=True, slots=True)
class PassageData:
    """The full analysis of one passage, as computed; an engine keeps only a summary of it."""

    passage: Passage
    tokens: tuple[str, ...]
    sentences: tuple[SentenceData, ...]


@dataclass(frozen=True, slots=True)
class PassageColumns:
    """One document's passages as arrays: all an engine keeps of them (their text is the document's).

    A million ``Passage`` objects cost gigabytes and seconds to read back; these cost ~100 bytes a
    passage. Sentence spans are relative to their passage; passage ``i``'s sentences are
    ``sentence_bounds[i]:sentence_bounds[i + 1]`` of the sentence arrays.
    """

    ids: tuple[str, ...]
    keys: np.ndarray  # uint64: a stable key per passage of this document version (tantivy ids)
    start: np.ndarray  # int64 document offsets
    end: np.ndarray
    paragraph: np.ndarray  # int32
    paragraph_end: np.ndarray
    part: np.ndarray
    sentence_bounds: np.ndarray  # int64, one more than there are passages
    sentence_start: np.ndarray  # int32, relative to the passage
    sentence_end: np.ndarray
    sentence_paragraph: np.ndarray
    # Passages longer than LONG_PASSAGE_CHARS (a "sentence" of megabytes without a boundary): their
    # terms and sentences, kept so that a question hitting one does not tokenize it again (seconds).
    long_passages: dict[int, tuple[frozenset[str], tuple[SentenceData, ...]]]

    def __len__(self) -> int:
        return len(self.ids)

    def passage(self, i: int, document: Document) -> Passage:
        first, last = int(self.sentence_bounds[i]), int(self.sentence_bounds[i + 1])
        start, end = int(self.start[i]), int(self.end[i])
        return Passage(
            id=self.ids[i],
            document_id=document.id,
            paragraph=int(self.paragraph[i]),
            paragraph_end=int(self.paragraph_end[i]),
            part=int(self.part[i]),
            start=start,
            end=end,
            text=document.text[start:end],
            sentences=tuple(
                zip(self.sentence_start[first:last].tolist(), self.sentence_end[first:last].tolist(), strict=True)
            ),
            sentence_paragraphs=tuple(self.sentence_paragraph[first:last].tolist()),
        )


@dataclass(frozen=True, slots=True)
class FigureSentence:
    """A sentence stating figures, as the figure index takes it (offsets in the document)."""

    passage: int  # position among the document's passages
    start: int
    end: int
    paragraph: int
    figures: tuple[Figure, ...]
    terms: frozenset[str]  # the sentence's tokens, answer types left out


@dataclass(frozen=True, slots=True)
class _Core:
    """What every build reads: the passages as columns, sentence-length totals, the figure count."""

    key: str
    columns: PassageColumns
    sentence_words: int  # tokens in quotable (non-heading) sentences
    sentence_count: int
    figure_count: int


# The parts of an analysis read only when wanted, in the order a cache file holds them:
# the document frequencies (merged into the corpus's when the corpus changed, ``corpus_df``), the
# tokens (when the search index must index the document's passages) and the figure sentences (once,
# by the figure index).
SECTIONS = ("df", "tokens", "figures")


class Sections:
    """A document's sections (``SECTIONS``): in memory when just computed, else read from its cache
    entry when wanted, or recomputed from the document if the entry has gone (a newer build pruned
    it) or cannot be read."""

    def __init__(self, key: str, document: Document, parts: dict[str, Any] | None = None) -> None:
        self.key = key
        self._document = document
        self._parts: dict[str, Any] = dict(parts or {})
        self.entry: Path | None = None  # the cache file holding them
        self._lock = threading.Lock()  # the figure index may be built while a refresh reads tokens

    def df(self) -> dict[str, int]:
        """Passages of this document holding each token."""
        return self._get("df")  # type: ignore[no-any-return]

    def tokens(self) -> tuple[str, ...]:
        """Each passage's tokens, joined by single spaces (``str.split()`` gives them back)."""
        return self._get("tokens")  # type: ignore[no-any-return]

    def figure_sentences(self) -> tuple[FigureSentence, ...]:
        return self._get("figures")  # type: ignore[no-any-return]

    def in_memory(self) -> set[str]:
        """The sections held in memory now."""
        with self._lock:
            return set(self._parts)

    def release(self) -> None:
        """Drop what a build no longer wants (the counts and tokens) and, when the cache can give
        them back, the figure sentences."""
        with self._lock:
            self._parts.pop("df", None)
            self._parts.pop("tokens", None)
            if self.entry is not None:
                self._parts.pop("figures", None)

    def _get(self, name: str) -> Any:
        with self._lock:
            if name not in self._parts:
                self._parts[name] = self._read(name)
            return self._parts[name]

    def _read(self, name: str) -> Any:
        if self.entry is not None:
            try:
                with open_cache(self.entry) as file:
                    sections = read_header(file, _CACHE_KIND, self.key)
                    if len(sections) != 1 + len(SECTIONS):
                        raise FormatError("not the sections of an analysis")
                    value = read_section(file, sections[1 + SECTIONS.index(name)])
                if _valid_section(name, value):
                    return value
                log.warning("analysis cache entry %s holds no valid %s: recomputing it", self.key, name)
            except FileNotFoundError:
                log.info("analysis cache entry %s was pruned by a newer build: recomputing it", self.key)
            except Exception as error:  # damaged or forged: only costs the time to compute it again
                log.warning("analysis cache entry %s unreadable (%s): recomputing it", self.key, error)
        self.entry = None
        # All of it is recomputed: keep every part, none can be read back from the cache now.
        for part, value in analyse(self._document).sections._parts.items():
            self._parts.setdefault(part, value)
        return self._parts[name]


@dataclass(frozen=True, slots=True)
class DocumentAnalysis:
    """A document's analysis: the core every build reads, and the sections read when wanted."""

    core: _Core
    sections: Sections

    @property
    def key(self) -> str:
        return self.core.key

    @property
    def columns(self) -> PassageColumns:
        return self.core.columns

    def df(self) -> dict[str, int]:
        return self.sections.df()

    def tokens(self) -> tuple[str, ...]:
        return self.sections.tokens()

    def figure_sentences(self) -> tuple[FigureSentence, ...]:
        return self.sections.figure_sentences()

    def release(self) -> None:
        self.sections.release()


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the source of every module an analysis depends on."""
    digest = hashlib.blake2b(digest_size=8)
    engine_root = Path(__file__).resolve().parents[1]
    for name in _CODE_MODULES:
        digest.update(name.encode() + b"\0" + (engine_root / name).read_bytes())
    return digest.hexdigest()


def analysis_key(document: Document) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{code_version()}\0{document.id}\0{document.sha256}".encode())
    return digest.hexdigest()


def passage_key(document_key: str, passage_id: str) -> int:
    """A stable 63-bit key for a passage of one version of a document (tantivy ids are u64)."""
    digest = hashlib.blake2b(f"{document_key}\0{passage_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def share_tokens(
    text: str, spans: Sequence[tuple[int, int]], paragraphs: Sequence[int]
) -> tuple[list[str], list[SentenceData]]:
    """A passage's tokens, and its sentences with their share of them (no figures).

    The engine calls this again at question time for the passages a search finds: tokenizing a
    dozen passages takes about a millisecond, and keeping every sentence's term counts in memory
    took ~5 KB a passage.
    """
    tokens = list(iter_tokens(text))
    sentences = []
    position = 0  # tokens are in order, and so are sentences: one sweep shares them out
    for (start, end), paragraph in zip(spans, paragraphs, strict=True):
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
            )
        )
    return [token for token, _, _ in tokens], sentences


def analyse_passage(passage: Passage) -> PassageData:
    """A passage's tokens, and its sentences with their share of those tokens and their figures."""
    paragraphs = passage.sentence_paragraphs or (passage.paragraph,) * len(passage.sentences)
    tokens, sentences = share_tokens(passage.text, passage.sentences, paragraphs)
    text = passage.text
    return PassageData(
        passage,
        tuple(tokens),
        tuple(dataclasses.replace(s, figures=tuple(extract_figures(text[s.start : s.end]))) for s in sentences),
    )


def analyse_passages(document: Document) -> list[PassageData]:
    return [analyse_passage(p) for p in split_passages(document)]


def summarise(document: Document, passages: Sequence[PassageData]) -> DocumentAnalysis:
    """A document's analysis from its passages' full analyses: columns, counts, tokens, figures."""
    key = analysis_key(document)
    df: Counter[str] = Counter()
    sentence_words = sentence_count = 0
    bounds = [0]
    sentence_start: list[int] = []
    sentence_end: list[int] = []
    sentence_paragraph: list[int] = []
    figures: list[FigureSentence] = []
    for n, data in enumerate(passages):
        passage = data.passage
        df.update(set(data.tokens))
        for s in data.sentences:
            sentence_start.append(s.start)
            sentence_end.append(s.end)
            sentence_paragraph.append(s.paragraph)
            if not s.heading:
                sentence_words += s.length
                sentence_count += 1
            if s.figures:
                terms = frozenset(t for t in s.tf if t not in ANSWER_TYPES)
                figures.append(
                    FigureSentence(n, passage.start + s.start, passage.start + s.end, s.paragraph, s.figures, terms)
                )
        bounds.append(len(sentence_start))
    ps = [data.passage for data in passages]
    long_passages = {
        n: (frozenset(data.tokens), tuple(dataclasses.replace(s, figures=()) for s in data.sentences))
        for n, data in enumerate(passages)
        if len(data.passage.text) > LONG_PASSAGE_CHARS
    }
    columns = PassageColumns(
        ids=tuple(p.id for p in ps),
        keys=np.array([passage_key(key, p.id) for p in ps], dtype=np.uint64),
        start=np.array([p.start for p in ps], dtype=np.int64),
        end=np.array([p.end for p in ps], dtype=np.int64),
        paragraph=np.array([p.paragraph for p in ps], dtype=np.int32),
        paragraph_end=np.array([p.paragraph_end for p in ps], dtype=np.int32),
        part=np.array([p.part for p in ps], dtype=np.int32),
        sentence_bounds=np.array(bounds, dtype=np.int64),
        sentence_start=np.array(sentence_start, dtype=np.int32),
        sentence_end=np.array(sentence_end, dtype=np.int32),
        sentence_paragraph=np.array(sentence_paragraph, dtype=np.int32),
        long_passages=long_passages,
    )
    core = _Core(key, columns, sentence_words, sentence_count, sum(len(f.figures) for f in figures))
    tokens = tuple(" ".join(data.tokens) for data in passages)
    return DocumentAnalysis(
        core, Sections(key, document, {"df": dict(df), "tokens": tokens, "figures": tuple(figures)})
    )


def analyse(document: Document) -> DocumentAnalysis:
    """Split a document into passages and analyse each: tokens, sentences, figures."""
    return summarise(document, analyse_passages(document))


def _analyse_chunk(passages: list[Passage]) -> list[PassageData]:
    return [analyse_passage(passage) for passage in passages]


def _chunks(passages: Iterable[Passage], chars: int) -> Iterator[list[Passage]]:
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
    """``[analyse(d) for d in documents]``, in worker processes when there is much text."""
    return list(iter_analyses(documents, processes, min_parallel_chars))


def iter_analyses(
    documents: Sequence[Document],
    processes: int | None = None,
    min_parallel_chars: int = MIN_PARALLEL_CHARS,
    analysed: Callable[[int], None] | None = None,
) -> Iterator[DocumentAnalysis]:
    """``analyse(d)`` for each document in order, in worker processes when there is much text.

    Documents are split here (≈ 0.1 s per million characters) and their passages shared out, so
    one large upload keeps every core busy too. Splitting runs in the pool's task-feeding thread,
    so workers start on the first document's passages while the others are split, and a corpus's
    passages are never all held at once. Workers are spawned, not forked: the caller may run
    threads (an event loop's executor, tantivy) and forking a threaded process can deadlock.

    ``analysed`` is told how many passages were analysed as each batch of them is (a batch is a
    worker's task, so one large document shows progress too), before the document is yielded.
    """
    processes = available_cores() if processes is None else processes
    total = sum(len(d.text) for d in documents)
    if processes <= 1 or total < min_parallel_chars:
        for document in documents:
            analysis = analyse(document)
            if analysed is not None:
                analysed(len(analysis.columns))
            yield analysis
        return
    counts: queue.Queue[int] = queue.Queue()  # passages per document, in order, as each is split
    failure: list[BaseException] = []

    def passages() -> Iterator[Passage]:
        for document in documents:
            try:
                split = split_passages(document)
            except BaseException as error:  # handed to the consumer: it would wait for a count forever
                failure.append(error)
                counts.put(-1)
                return
            counts.put(len(split))
            yield from split

    chunk_chars = min(CHUNK_CHARS, max(1, total // (processes * 4)))  # a few tasks per worker at least
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        results = pool.imap(_analyse_chunk, _chunks(passages(), chunk_chars))
        passage_data = (data for chunk in _told(results, analysed) for data in chunk)
        # Summarised document by document as results arrive: full analyses of a whole corpus
        # would not fit in memory at a million passages.
        for document in documents:
            count = counts.get()
            if count < 0:
                raise failure[0]
            yield summarise(document, [next(passage_data) for _ in range(count)])


def _told(chunks: Iterable[list[PassageData]], analysed: Callable[[int], None] | None) -> Iterator[list[PassageData]]:
    for chunk in chunks:
        if analysed is not None:
            analysed(len(chunk))
        yield chunk


for _record in (Figure, SentenceData, PassageColumns, FigureSentence, _Core):
    register(_record)


def _valid_section(name: str, value: object) -> bool:
    """Whether a section read back is of the shape it was written in (a forged file may hold
    anything the format holds; a damaged one fails its checksum before this)."""
    if name == "df":
        return isinstance(value, dict) and set(map(type, value)) <= {str} and set(map(type, value.values())) <= {int}
    if name == "tokens":
        return isinstance(value, tuple) and set(map(type, value)) <= {str}
    return isinstance(value, tuple) and set(map(type, value)) <= {FigureSentence}


def _valid_core(core: object, key: str, document: Document) -> bool:
    """Whether a core read back is of the shape ``summarise`` makes, its spans within the document."""
    if not isinstance(core, _Core) or core.key != key:
        return False
    c = core.columns
    n = len(c.ids)
    per_passage = (c.keys, c.start, c.end, c.paragraph, c.paragraph_end, c.part)
    per_sentence = (c.sentence_start, c.sentence_end, c.sentence_paragraph)
    if any(a.ndim != 1 or a.dtype.kind not in "iu" for a in (*per_passage, c.sentence_bounds, *per_sentence)):
        return False
    if any(len(a) != n for a in per_passage) or len(c.sentence_bounds) != n + 1 or c.sentence_bounds[0] != 0:
        return False
    bounds = c.sentence_bounds
    if (np.diff(bounds) < 0).any() or any(len(a) != bounds[-1] for a in per_sentence):
        return False
    spans_ok = n == 0 or (c.start.min() >= 0 and (c.end >= c.start).all() and c.end.max() <= len(document.text))
    return bool(spans_ok) and set(map(type, c.ids)) <= {str} and all(0 <= i < n for i in c.long_passages)


class AnalysisCache:
    """Analyses on disk, one file per document version, written atomically.

    A file (``bot.engine.build.safe_format``) holds four sections: the core (read by every build), the
    document frequencies, the tokens and the figure sentences (each read only when wanted: see
    ``DocumentAnalysis``).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}{_CACHE_SUFFIX}"

    def get(self, key: str, document: Document) -> DocumentAnalysis | None:
        path = self._path(key)
        try:
            with open_cache(path) as file:
                sections = read_header(file, _CACHE_KIND, key)
                if len(sections) != 1 + len(SECTIONS):
                    raise FormatError("not the sections of an analysis")
                core = read_section(file, sections[0])
            if not _valid_core(core, key, document):
                raise FormatError("not the analysis of this document")
        except FileNotFoundError:
            return None
        except Exception as error:  # damaged, forged or of another version: recompute rather than fail
            log.warning("analysis cache entry %s unreadable (%s): recomputing it", key, error)
            return None
        analysis = DocumentAnalysis(typing.cast(_Core, core), Sections(key, document))
        analysis.sections.entry = path
        return analysis

    def put(self, analysis: DocumentAnalysis) -> None:
        parts = (analysis.core, analysis.df(), analysis.tokens(), analysis.figure_sentences())
        write_whole(self._path(analysis.key), encode_file(_CACHE_KIND, analysis.key, parts))
        analysis.sections.entry = self._path(analysis.key)

    def keep_only(self, keys: Iterable[str]) -> int:
        """Delete entries not in ``keys`` (documents removed or changed); returns how many went."""
        wanted = {f"{key}{_CACHE_SUFFIX}" for key in keys}
        removed = 0
        if not self.folder.is_dir():
            return 0
        for path in self.folder.iterdir():
            # Another build's file being written has a temporary name: not ours to remove.
            if (
                path.name.endswith(_CACHE_SUFFIX)
                and path.name not in wanted
                and not path.name.startswith(TEMPORARY_PREFIX)
            ):
                path.unlink(missing_ok=True)
                removed += 1
        return removed


def analyse_corpus(
    documents: Sequence[Document],
    cache: Path | None = None,
    processes: int | None = None,
    progress: BuildProgress | None = None,
) -> list[DocumentAnalysis]:
    """Analyses of ``documents`` in order: from the cache where it has them, computed otherwise.

    With a cache, new analyses are stored and entries of documents no longer in the corpus pruned,
    so the folder holds one corpus's analyses (give each corpus its own folder). ``progress`` is
    told of each document (and batch of passages) analysed or read back, ``BuildStep("analyse")``.
    """
    counter = _AnalysisProgress(progress, len(documents))
    counter.add_passages(0)  # the stage starts: a reporter can say what is going on before the first result
    if cache is None:
        analyses = []
        for analysis in iter_analyses(documents, processes, analysed=counter.add_passages):
            analyses.append(analysis)
            counter.add_document()
        return analyses
    store = AnalysisCache(cache)
    keys = [analysis_key(d) for d in documents]
    found: list[DocumentAnalysis | None] = []
    for key, document in zip(keys, documents, strict=True):
        cached = store.get(key, document)
        found.append(cached)
        if cached is not None:
            counter.add_document(len(cached.columns))
    missing = [i for i, analysis in enumerate(found) if analysis is None]
    fresh = iter_analyses([documents[i] for i in missing], processes, analysed=counter.add_passages)
    for i, analysis in zip(missing, fresh, strict=True):
        found[i] = analysis
        counter.add_document()
        try:
            store.put(analysis)
        except (OSError, EncodeError) as error:  # a full or read-only disk costs the next start time, not this build
            log.warning("could not cache the analysis of %s: %s", documents[i].id, error)
        if analysis.sections.entry is not None:
            analysis.release()  # back from the disk when wanted: a large build's figures would not fit
    pruned = store.keep_only(keys)
    log.info(
        "analysed %d of %d documents (%d from the cache, %d stale entries pruned)",
        len(missing), len(documents), len(documents) - len(missing), pruned,
    )  # fmt: skip
    return [analysis for analysis in found if analysis is not None]


def corpus_df(analyses: Sequence[DocumentAnalysis], cache: Path | None = None) -> dict[str, int]:
    """Passages holding each term, over the whole corpus.

    Merging the documents' counts costs about a microsecond per distinct term of each document,
    seconds at a million passages, so with a cache the merged counts are kept under a key made of
    the documents' analysis keys: a restart with nothing changed reads them back.
    """
    key = hashlib.blake2b("\0".join(a.key for a in analyses).encode(), digest_size=16).hexdigest()
    stored = None if cache is None else load_keyed(cache, _DF_KIND, key)
    if stored is not None:
        if _valid_section("df", stored):
            return typing.cast(dict[str, int], stored)
        log.warning("cached term counts %s are not term counts: merging them again", key)
    merged: dict[str, int] = {}
    get = merged.get
    for analysis in analyses:
        for term, count in analysis.df().items():
            merged[term] = get(term, 0) + count
    if cache is not None:
        save_keyed(cache, _DF_KIND, key, merged)
    return merged
