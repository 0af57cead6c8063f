"""The engine: a corpus folder, indexed, answering questions. No Discord here.

An ``Engine`` is immutable once built: a refresh builds a new one and swaps it in, so questions in
flight keep the engine they started with.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.engine.build.analysis import (
    BuildProgress,
    BuildStep,
    DocumentAnalysis,
    SentenceData,
    analyse_corpus,
    corpus_df,
    share_tokens,
)
from bot.engine.build.gc_pause import gc_paused
from bot.engine.build.passage_table import PassageTable
from bot.engine.corpus.documents import load_folder
from bot.engine.figures.index import FigureIndex, IndexedFigure, SentenceRef
from bot.engine.figures.store import FigureStore, figures_key
from bot.engine.models import (
    Answer,
    AnswerSentence,
    Citation,
    ClosestPassage,
    Document,
    Passage,
    SkippedFile,
)
from bot.engine.ranking import answer as answering
from bot.engine.ranking.meaning import MAX_SENTENCES, MEANING_CANDIDATES, MeaningIndex
from bot.engine.ranking.reader import AnswerReader, load_reader
from bot.engine.ranking.semantic import SentenceEncoder, load_encoder
from bot.engine.search.backends import IndexOptions, make_index
from bot.engine.search.index import EmptyCorpusError, SearchIndex
from bot.engine.text.tokens import ANSWER_TYPES, iter_tokens, question_tokens

log = logging.getLogger(__name__)

DEFAULT_SENTENCES = 3
CLOSEST_PASSAGES = 3
MAX_QUESTION_CHARS = 1000
MATCH_SCAN_CHARS = 20_000  # matched terms are looked for in this much of a sentence
SCORING_CACHE = 4096  # passages whose sentence records are kept between questions
EMBEDDINGS_CACHE = 20_000  # sentence embeddings kept (384 floats each: ~30 MB)


@dataclasses.dataclass(frozen=True, slots=True)
class Candidates:
    """What a question finds before the engine decides (``Engine.candidates``)."""

    terms: list[str]  # the question's tokens
    passage_hits: list[tuple[int, float]]  # passage position, BM25 score
    scored: list[answering.ScoredSentence]  # their sentences, in lexical order
    similarities: list[float]  # cosine with the question of the first len(similarities) sentences


def _searchable(terms: Sequence[str]) -> bool:
    """Whether a question has words to search for: answer types alone ("how much?") find nothing."""
    return any(t not in ANSWER_TYPES for t in terms)


@lru_cache(maxsize=1)
def shared_encoder() -> SentenceEncoder | None:
    """One encoder per process (0.2 s to load, ~90 MB): every engine built shares it."""
    return load_encoder()


@lru_cache(maxsize=1)
def shared_reader() -> AnswerReader | None:
    """One answer reader per process (shares the MiniLM package's word embeddings)."""
    return load_reader()


def _citation(document: Document, passage_id: str, paragraph: int, paragraph_end: int | None = None) -> Citation:
    meta = document.meta
    return Citation(
        document=document.id,
        title=meta.title,
        source=meta.source,
        url=meta.url,
        date=meta.date,
        paragraph=paragraph,
        paragraph_end=paragraph_end,
        passage_id=passage_id,
    )


def scoring_view(passages: PassageTable, i: int) -> tuple[frozenset[str], tuple[answering.SentenceRecord, ...]]:
    """Passage ``i``'s terms and its quotable sentences with their term counts, for scoring.

    Tokenizing the dozen passages a search finds takes about a millisecond; keeping these for
    every passage took ~5 KB a passage. The analysis made them the same way (``share_tokens``).
    """
    document, start, end = passages.span(i)
    held = passages.long_passage(i)
    sentences: Sequence[SentenceData]  # a fresh list, or the tuple the analysis kept
    if held is None:
        spans, paragraphs = passages.sentences(i)
        tokens, sentences = share_tokens(document.text[start:end], spans, paragraphs)
        terms = frozenset(tokens)
    else:
        terms, sentences = held
    records = tuple(
        answering.SentenceRecord(
            passage_index=i,
            start=start + s.start,
            end=start + s.end,
            paragraph=s.paragraph,
            tf=s.tf,
            length=s.length,
        )
        for s in sentences
        if not s.heading  # a heading labels what follows: context, not a statement to quote
    )
    return terms, records


class _Tokens(Sequence[list[str]]):
    """Every passage's tokens, in index order, read document by document when the index wants them.

    An on-disk index that already holds the corpus reads none; a rebuild reads them all.
    """

    def __init__(self, analyses: Sequence[DocumentAnalysis], passages: PassageTable) -> None:
        self._analyses = analyses
        self._passages = passages

    def __len__(self) -> int:
        return len(self._passages)

    def __getitem__(self, i: int) -> list[str]:  # type: ignore[override]  # positions only, no slices
        d, j = self._passages.locate(i)
        return self._analyses[d].tokens()[j].split()

    def __iter__(self) -> Iterator[list[str]]:
        for analysis in self._analyses:
            for tokens in analysis.tokens():
                yield tokens.split()


class Engine:
    def __init__(
        self,
        documents: Sequence[Document],
        problems: Sequence[SkippedFile] = (),
        semantic: bool = True,
        *,
        index: IndexOptions | None = None,
        reader: bool = True,
        progress: BuildProgress | None = None,
    ) -> None:
        with gc_paused():
            self._build(documents, problems, semantic, index or IndexOptions(), reader, progress)

    def _build(
        self,
        documents: Sequence[Document],
        problems: Sequence[SkippedFile],
        semantic: bool,
        options: IndexOptions,
        use_reader: bool,
        progress: BuildProgress | None = None,
    ) -> None:
        self.documents: tuple[Document, ...] = tuple(documents)
        self.problems: tuple[SkippedFile, ...] = tuple(problems)
        self._documents_by_id = {d.id: d for d in self.documents}
        # Splitting, tokenizing and figure extraction, once per document version (see analysis.py).
        analyses = analyse_corpus(self.documents, options.cache, progress=progress)
        self.passages = PassageTable(self.documents, [a.columns for a in analyses])
        self._df = corpus_df(analyses, options.cache)
        sentences = sum(a.core.sentence_count for a in analyses)
        self._average_sentence_length = sum(a.core.sentence_words for a in analyses) / sentences if sentences else 1.0
        self._sentence_count = sentences
        # Sentence records are made at question time for the passages a search finds (``_scoring``).
        # Cached over the passage table, not a bound method: an engine that referred to itself through
        # its cache would live until a full collection, and a replaced engine should go at once.
        self._scoring = lru_cache(maxsize=SCORING_CACHE)(functools.partial(scoring_view, self.passages))
        self.index: SearchIndex | None
        try:
            # Stable per passage and document version: an on-disk index is updated, not rebuilt, on a change.
            keys = self.passages.keys() if options.path else None
            tokens = _Tokens(analyses, self.passages)
            self.index = make_index(
                tokens, options.backend, options.path, options.auto_threshold, keys=keys, progress=progress
            )
        except EmptyCorpusError:
            self.index = None
        for analysis in analyses:
            analysis.release()
        self.version = self._version()
        # Figures come from the same sentences, with the same citations, as answers; their index is
        # built on first use (see ``figures``), from the sentences that state any.
        self._figure_sources = {d.id: a.sections for d, a in zip(self.documents, analyses, strict=True)}
        self.figure_count = sum(a.core.figure_count for a in analyses)  # as many as the figure index will hold
        self._figures: FigureIndex | None = None
        self._figures_lock = threading.Lock()
        self._figure_store = None if options.cache is None else FigureStore(options.cache)
        # The answer reader ranks and decides when its weights are there; otherwise the MiniLM encoder
        # breaks near-ties and helps decide (``answer``); with neither, word overlap alone.
        self._meaning_lock = threading.Lock()
        self.use_reader(shared_reader() if semantic and use_reader else None)
        self.encoder = shared_encoder() if semantic and self.reader is None else None
        # Sentence embeddings are computed on first use and kept (the most recent ones): building them
        # all up front would cost ~20 ms a sentence, while a question only looks at a few dozen.
        self._embeddings: OrderedDict[tuple[int, int], np.ndarray] = OrderedDict()
        self._embeddings_lock = threading.Lock()

    @classmethod
    def from_folder(
        cls,
        folder: Path,
        semantic: bool = True,
        *,
        index: IndexOptions | None = None,
        reader: bool = True,
        progress: BuildProgress | None = None,
    ) -> Engine:
        if progress is not None:
            progress(BuildStep("read", 0, None))
        documents, problems = load_folder(Path(folder))
        if progress is not None:
            progress(BuildStep("read", len(documents), len(documents)))
        if index is not None:
            # One cache and one index folder per corpus folder: each holds only its own corpus, so
            # `python -m bot ask --corpus OTHER` never churns what the bot serves.
            place = hashlib.blake2b(str(Path(folder).resolve()).encode(), digest_size=6).hexdigest()
            index = dataclasses.replace(
                index,
                cache=None if index.cache is None else index.cache / place,
                path=None if index.path is None else index.path / place,
            )
        engine = cls(documents, problems, semantic=semantic, index=index, reader=reader, progress=progress)
        log.info(
            "corpus %s: %d documents, %d passages, %d skipped (version %s)",
            folder, len(engine.documents), len(engine.passages), len(problems), engine.version,
        )  # fmt: skip
        return engine

    @property
    def figures(self) -> FigureIndex:
        """The corpus's figures, indexed on first use (thread-safe).

        Grouping and labelling figures is the slowest part of a start (≈ 35 s at 100k passages, see
        bench/engine_scale.py) and no question needs it, so an engine answers questions first; the
        bot warms this up in the background (``bot.adapter.engine_host``). With a cache folder the
        index built is stored there and read back by the next start (``bot.engine.figures.store``).
        """
        if self._figures is None:
            with self._figures_lock:
                if self._figures is None:
                    with gc_paused():
                        self._figures = self._load_or_build_figures()
        return self._figures

    def _load_or_build_figures(self) -> FigureIndex:
        store, key = self._figure_store, figures_key(self.documents)
        index = None if store is None else store.load(key)
        if index is None:
            index = FigureIndex.build(self._figure_refs())
            if store is not None:
                store.save(key, index)
        return index

    @property
    def figures_ready(self) -> bool:
        return self._figures is not None

    def document_figures(self, document_id: str) -> list[IndexedFigure]:
        """One document's figures, as the figure index holds them (labels borrowed within the
        document), without the whole corpus's index: what changed in a document is known in
        milliseconds even when the corpus's index takes minutes to build."""
        document = self._documents_by_id.get(document_id)
        if document is None:
            return []
        return FigureIndex.build(self._document_figure_refs(document)).figures

    def _figure_refs(self) -> Iterator[SentenceRef]:
        for document in self.documents:
            yield from self._document_figure_refs(document)

    def _document_figure_refs(self, document: Document) -> Iterator[SentenceRef]:
        sections = self._figure_sources[document.id]
        first = self.passages.first_of(document.id) if len(self.passages) else 0
        citations: dict[tuple[int, int], Citation] = {}  # one per passage paragraph, shared by its sentences
        for sentence in sections.figure_sentences():
            place = (sentence.passage, sentence.paragraph)
            citation = citations.get(place)
            if citation is None:
                citation = citations[place] = self._citation_at(first + sentence.passage, sentence.paragraph)
            yield SentenceRef(
                text=document.text[sentence.start : sentence.end],
                citation=citation,
                start=sentence.start,
                end=sentence.end,
                figures=sentence.figures,
                terms=sentence.terms,
            )
        sections.release()

    def _version(self) -> str:
        digest = hashlib.sha256()
        for document in sorted(self.documents, key=lambda d: d.id):
            digest.update(f"{document.id}\0{document.sha256}\n".encode())
        return digest.hexdigest()[:12]

    # -- lookups ---------------------------------------------------------------------------

    def document(self, document_id: str) -> Document | None:
        return self._documents_by_id.get(document_id)

    def passage(self, passage_id: str) -> Passage | None:
        index = self.passages.find(passage_id)
        return None if index is None else self.passages[index]

    def passages_of(self, document_id: str) -> list[Passage]:
        return self.passages.of_document(document_id)

    def citation(self, passage: Passage, paragraph: int | None = None) -> Citation:
        """A passage's citation: of one of its paragraphs, or of the whole passage when None."""
        document = self._documents_by_id[passage.document_id]
        if paragraph is not None:
            return _citation(document, passage.id, paragraph)
        return _citation(document, passage.id, passage.paragraph, passage.paragraph_end)

    def _citation_at(self, i: int, paragraph: int) -> Citation:
        """``citation(self.passages[i], paragraph)`` without building the passage (and copying its text)."""
        return _citation(self.passages.document_of(i), self.passages.passage_id(i), paragraph)

    def passage_counts(self) -> Counter[str]:
        return self.passages.counts()

    # -- answering -------------------------------------------------------------------------

    def ask(self, question: str, max_sentences: int = DEFAULT_SENTENCES) -> Answer:
        question = " ".join(question.split())[:MAX_QUESTION_CHARS]
        version = self.version
        if self.index is None:
            return Answer(
                question=question,
                corpus_version=version,
                answered=False,
                reason="The corpus is empty: there are no documents to search.",
            )
        found = self.candidates(question, answering.READER_PASSAGES if self.reader else answering.TOP_PASSAGES)
        if not _searchable(found.terms):
            return Answer(
                question=question,
                corpus_version=version,
                answered=False,
                reason="The question has no words to search for.",
            )
        terms, passage_hits, scored = found.terms, found.passage_hits, found.scored
        if self.reader is not None:
            scored = self._read(question, self.reader_pool(question, scored, terms, wait=False))
            # Whether to answer is the reader's own call: the best probability, wherever it was ordered.
            answered = bool(scored) and max(s.score for s in scored) >= self.reader.answer_threshold
            shown, more = answering.pick(
                scored, max(1, max_sentences), answering.MAX_MORE, min_extra=self.reader.answer_threshold
            )
        else:
            if found.similarities:
                scored = answering.with_similarities(scored, found.similarities)
            answered = answering.answers(scored[: answering.SIMILARITY_CANDIDATES])
            shown, more = answering.pick(scored, max(1, max_sentences), answering.MAX_MORE)
        coverage = shown[0].coverage if shown else 0.0
        if shown and answered:
            return Answer(
                question=question,
                corpus_version=version,
                answered=True,
                sentences=tuple(self._answer_sentence(s, terms) for s in shown),
                more=tuple(self._answer_sentence(s, terms) for s in more),
                coverage=coverage,
            )
        nearest = [(self.passages[i], score) for i, score in passage_hits[:CLOSEST_PASSAGES]]
        closest = tuple(
            ClosestPassage(text=" ".join(passage.text.split()), score=score, citation=self.citation(passage))
            for passage, score in nearest
        )
        reason = (
            "The documents do not answer this question."
            if closest
            else "Nothing in the documents matches this question."
        )
        return Answer(
            question=question,
            corpus_version=version,
            answered=False,
            reason=reason,
            closest=closest,
            coverage=coverage,
        )

    def candidates(
        self,
        question: str,
        passages: int = answering.TOP_PASSAGES,
        similar: int = answering.SIMILARITY_CANDIDATES,
    ) -> Candidates:
        """The sentences of the best ``passages`` passages, in lexical order, and the cosine similarity
        to the question of the first ``similar`` of them (none without the encoder).

        ``ask`` decides from these; ``bench.quality_ceiling`` reads them to measure what the signals
        can do at best.
        """
        terms = question_tokens(question)
        if self.index is None or not _searchable(terms):
            return Candidates(terms, [], [], [])
        weights = answering.query_weights(terms, self._df, len(self.passages))
        hits = self.index.search(terms, passages)
        passage_hits = list(zip(hits.ids, hits.scores, strict=True))
        views = {i: self._scoring(i) for i, _ in passage_hits}
        scored = answering.score_sentences(
            weights,
            passage_hits,
            {i: records for i, (_, records) in views.items()},
            {i: passage_terms for i, (passage_terms, _) in views.items()},
            self._average_sentence_length,
        )
        similarities = self._similarities(question, scored[:similar]) if self.encoder is not None and scored else []
        return Candidates(terms, passage_hits, scored, similarities)

    def use_reader(self, reader: AnswerReader | None) -> None:
        """Answer with ``reader`` (None: without one). The engine does this as it is built; training
        calls it to calibrate a new reader through the pool ``ask`` reads.

        With a reader, the pool also takes the sentences nearest a question by meaning, in a corpus small
        enough to embed every sentence (``ranking.meaning``); their index is built on first use.
        """
        embeds = reader is not None and 0 < self._sentence_count <= MAX_SENTENCES
        encoder = shared_encoder() if embeds else None  # may load the model: not under the lock
        with self._meaning_lock:  # not while a background warm-up builds the index
            self.reader = reader
            self._meaning_encoder = encoder
            self._meaning: MeaningIndex | None = None

    def meaning_index(self, wait: bool = True) -> MeaningIndex | None:
        """Every sentence embedded (``ranking.meaning``), built on first use (thread-safe); None when the
        corpus is not embedded (no reader or encoder, or too many sentences) or, unless ``wait``, while
        another thread builds it: the bot builds it in the background after a start or a refresh
        (``adapter.engine_host.warm_up``), and questions asked meanwhile are answered without it."""
        if self._meaning is not None or self._meaning_encoder is None:
            return self._meaning
        if not self._meaning_lock.acquire(blocking=wait):
            return None
        try:
            if self._meaning is None:
                records = [r for i in range(len(self.passages)) for r in scoring_view(self.passages, i)[1]]
                texts = [" ".join(self.sentence_text(r).split()) for r in records]
                self._meaning = MeaningIndex(self._meaning_encoder, records, texts)
            return self._meaning
        finally:
            self._meaning_lock.release()

    def reader_pool(
        self, question: str, scored: Sequence[answering.ScoredSentence], terms: Sequence[str], wait: bool = True
    ) -> list[answering.ScoredSentence]:
        """What the answer reader reads for ``question``: the first ``READER_CANDIDATES`` of its sentences
        in lexical order (``scored``, from ``candidates``), then the ``MEANING_CANDIDATES`` nearest it by
        meaning that are not among them, when the corpus is embedded (``meaning_index``)."""
        pool = list(scored[: answering.READER_CANDIDATES])
        meaning = self.meaning_index(wait)
        if meaning is None or not pool:
            return pool
        weights = answering.query_weights(terms, self._df, len(self.passages))
        taken = frozenset((c.record.passage_index, c.record.start) for c in pool)
        found = meaning.nearest(question, MEANING_CANDIDATES, taken)
        return pool + [answering.ScoredSentence(r, 0.0, answering.sentence_coverage(weights, r)) for r in found]

    def reader_inputs(self, candidates: Sequence[answering.ScoredSentence]) -> list[tuple[str, str]]:
        """What the answer reader reads of each candidate: its text (whitespace collapsed) and its
        document's title."""
        return [
            (
                " ".join(self.sentence_text(c.record).split()),
                self.passages.document_of(c.record.passage_index).meta.title,
            )
            for c in candidates
        ]

    def _read(self, question: str, pool: Sequence[answering.ScoredSentence]) -> list[answering.ScoredSentence]:
        """The pool (in lexical order) reordered by the answer reader, each scored with its probability of
        answering."""
        assert self.reader is not None
        if not pool:
            return []
        margins = self.reader.margins(question, self.reader_inputs(pool))
        probabilities = self.reader.probabilities(margins)
        order = self.reader.order(margins, np.array([c.coverage for c in pool], dtype=np.float32))
        return [answering.ScoredSentence(pool[i].record, float(probabilities[i]), pool[i].coverage) for i in order]

    def _similarities(self, question: str, candidates: Sequence[answering.ScoredSentence]) -> list[float]:
        """Cosine similarity of the question with each candidate sentence (MiniLM embeddings)."""
        assert self.encoder is not None
        keys = [(c.record.passage_index, c.record.start) for c in candidates]
        with self._embeddings_lock:
            known = {key: self._embeddings[key] for key in keys if key in self._embeddings}
            for key in known:
                self._embeddings.move_to_end(key)
        missing = [i for i, key in enumerate(keys) if key not in known]
        if missing:
            texts = [self.sentence_text(candidates[i].record) for i in missing]
            vectors = self.encoder.encode(texts)
            with self._embeddings_lock:
                for i, vector in zip(missing, vectors, strict=True):
                    known[keys[i]] = self._embeddings[keys[i]] = vector
                while len(self._embeddings) > EMBEDDINGS_CACHE:
                    self._embeddings.popitem(last=False)
        query = self.encoder.encode([question])[0]
        return [float(known[key] @ query) for key in keys]

    def sentence_text(self, record: answering.SentenceRecord) -> str:
        """A candidate sentence's text, as the document has it."""
        return self.passages.document_of(record.passage_index).text[record.start : record.end]

    def _answer_sentence(self, scored: answering.ScoredSentence, terms: Sequence[str]) -> AnswerSentence:
        record = scored.record
        raw = self.sentence_text(record)
        wanted = set(terms)
        # A sentence with no boundary can be megabytes long (a one-line upload, a hostile document);
        # tokenizing all of it took ~2 s a question. Only the start is ever shown, so only it is scanned.
        head = raw[:MATCH_SCAN_CHARS]
        matched = tuple(dict.fromkeys(head[s:e] for token, s, e in iter_tokens(head) if token in wanted))
        return AnswerSentence(
            text=" ".join(raw.split()),
            score=scored.score,
            citation=self._citation_at(record.passage_index, record.paragraph),
            start=record.start,
            end=record.end,
            matched_terms=matched,
        )
