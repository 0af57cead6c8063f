"""From a question to verbatim, cited sentences — or an honest "not in the documents".

Ranking. BM25 finds the best passages; every sentence in them is scored by how much of the
question's *informative weight* it contains. A query term's weight is its IDF over passages
(Lucene's form, always positive), so rare words count more than common ones, and a word the corpus
never uses weighs the most of all. A sentence's lexical score blends
- its own coverage: the share of the question's weight whose terms appear in the sentence;
- its passage's coverage (context: a sentence that says "it" may stand in a passage naming it);
- a sentence-level BM25 with the same weights (term-frequency saturation, length normalisation).
When the MiniLM sentence encoder is installed (``bot.engine.ranking.semantic``), the best candidates also
get their cosine similarity to the question. It does not change the lexical score: blended into it,
it helped on one question set and hurt on another (see the README's quality section). It breaks
ties instead: the candidates whose lexical score is within the margin at which a further sentence
is shown beside the best one (``RELATIVE_SCORE_FOR_EXTRA`` of the best score) are, by that very
rule, equally good lexically, and among them the one closest in meaning to the question comes
first. Outside that margin the lexical order stands. Similarity is also used to decide whether the
documents answer at all, where it separates answerable questions from unanswerable ones better
than word overlap does.

Abstention. The documents answer a question only when there is evidence of two kinds among the
best candidates: lexical — some sentence covers at least a fifth of the question's informative
weight, so the question's rare words are not simply absent from the corpus — and, with the
encoder, semantic — some sentence is about the same thing (cosine ≥ 0.4, MiniLM's usual "related"
range). Strong lexical evidence stands on its own: a sentence holding at least half of the
question's weight answers it even when the encoder misses the link ("how much did it cost?" /
"the £140million scheme"). Without the encoder, the rule is coverage alone, at a quarter of the weight. Because
missing words weigh the most, a question whose key term the corpus lacks ("how many people
*died* crossing?") falls short even when its other words match. The cut-offs were set once on the
development questions of two unrelated corpora (seed article, ``tests/quality/corpus_b``) to keep
wrongly declined questions near 5%, and are measured on held-out questions; they use only corpus
statistics and similarities, never particular sentences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.engine.search.index import idf
from bot.engine.text.overlap import DUPLICATE_OVERLAP
from bot.engine.text.tokens import ANSWER_TYPES, answer_type_words

ANSWER_COVERAGE = 0.25
SEMANTIC_MIN_COVERAGE = 0.2
STRONG_COVERAGE = 0.5
SEMANTIC_MIN_SIMILARITY = 0.4
SIMILARITY_CANDIDATES = 20
# The answer reader's pool: the first READER_CANDIDATES sentences, in lexical order, of the best
# READER_PASSAGES passages. Chosen on the reader's validation split (``bench.reader_knobs``): wider
# pools (20 passages, 24-32 candidates) found a few more answers but let more wrong sentences outscore
# "none of these", for no better hit@1 and 40-60% more time a question. The 6-layer reader reads 10:
# against 12, hit@1 0.743 against 0.748 on validation, for a sixth less time (seed p95 under 250 ms).
READER_PASSAGES = 12
READER_CANDIDATES = 10
TOP_PASSAGES = 12
MAX_MORE = 5
# Further sentences are shown with the best one only when they score close to it.
RELATIVE_SCORE_FOR_EXTRA = 0.8
_MIN_WORDS_CONTAINED = 3
_K1 = 1.2
_B = 0.75
_W_SENTENCE, _W_PASSAGE, _W_BM25 = 0.6, 0.2, 0.2


@dataclass(frozen=True, slots=True)
class SentenceRecord:
    passage_index: int
    start: int  # document offsets
    end: int
    paragraph: int
    tf: Mapping[str, int]
    length: int


@dataclass(frozen=True, slots=True)
class ScoredSentence:
    record: SentenceRecord
    score: float
    coverage: float
    similarity: float | None = None  # cosine with the question, when the semantic reranker ran


def with_similarities(scored: Sequence[ScoredSentence], similarities: Sequence[float]) -> list[ScoredSentence]:
    """The first ``len(similarities)`` candidates with their cosine similarity to the question.

    Similarity only breaks near-ties (see the module docstring): the candidates scoring at least
    ``RELATIVE_SCORE_FOR_EXTRA`` of the best score are put in order of similarity, the others keep
    their lexical order after them.
    """
    top = [ScoredSentence(s.record, s.score, s.coverage, sim) for s, sim in zip(scored, similarities, strict=False)]
    rest = list(scored[len(top) :])
    if not top:
        return rest
    cutoff = RELATIVE_SCORE_FOR_EXTRA * max(s.score for s in top)
    close = [s for s in top if s.score >= cutoff]
    behind = [s for s in top if s.score < cutoff]
    # sort() is stable: equal similarities keep their lexical order.
    close.sort(key=lambda s: -(s.similarity or 0.0))
    return close + behind + rest


def answers(candidates: Sequence[ScoredSentence]) -> bool:
    """Whether the candidates answer the question (see the module docstring)."""
    if not candidates:
        return False
    coverage = max(c.coverage for c in candidates)
    similarities = [c.similarity for c in candidates if c.similarity is not None]
    if similarities:
        semantic = coverage >= SEMANTIC_MIN_COVERAGE and max(similarities) >= SEMANTIC_MIN_SIMILARITY
        return semantic or coverage >= STRONG_COVERAGE
    return coverage >= ANSWER_COVERAGE


def query_weights(terms: Sequence[str], df: Mapping[str, int], size: int) -> dict[str, float]:
    """IDF weight of each query term.

    A word that only says what kind of figure is wanted ("cost", "percentage") is dropped when the
    corpus never uses it and the question carries the matching answer type: the figure answers it.
    """
    asks_for_type = any(term in ANSWER_TYPES for term in terms)
    type_words = answer_type_words()
    return {
        term: idf(df.get(term, 0), size)
        for term in terms
        if not (asks_for_type and term in type_words and df.get(term, 0) == 0)
    }


def sentence_coverage(weights: Mapping[str, float], record: SentenceRecord) -> float:
    """The share of the question's weight whose terms stand in the sentence."""
    return sum(w for t, w in weights.items() if t in record.tf) / (sum(weights.values()) or 1.0)


def score_sentences(
    weights: dict[str, float],
    passage_hits: Sequence[tuple[int, float]],
    sentences_of: Mapping[int, Sequence[SentenceRecord]] | Sequence[Sequence[SentenceRecord]],
    passage_terms: Mapping[int, frozenset[str]] | Sequence[frozenset[str]],
    average_length: float,
) -> list[ScoredSentence]:
    """Score the sentences of the passages hit. ``sentences_of`` and ``passage_terms`` are indexed by
    passage index: the engine passes mappings holding only the hits, tests may pass lists."""
    total = sum(weights.values()) or 1.0
    scored: list[ScoredSentence] = []
    raw: list[tuple[SentenceRecord, float, float, float]] = []
    for passage_index, _ in passage_hits:
        present = passage_terms[passage_index]
        passage_cover = sum(w for t, w in weights.items() if t in present) / total
        for record in sentences_of[passage_index]:
            matched = [t for t in weights if t in record.tf]
            if not matched or all(t in ANSWER_TYPES for t in matched):
                continue
            cover = sum(weights[t] for t in matched) / total
            norm = _K1 * (1 - _B + _B * record.length / (average_length or 1.0))
            bm25 = sum(weights[t] * record.tf[t] * (_K1 + 1) / (record.tf[t] + norm) for t in matched)
            raw.append((record, cover, passage_cover, bm25))
    if not raw:
        return scored
    best_bm25 = max(item[3] for item in raw) or 1.0
    for record, cover, passage_cover, bm25 in raw:
        score = _W_SENTENCE * cover + _W_PASSAGE * passage_cover + _W_BM25 * bm25 / best_bm25
        scored.append(ScoredSentence(record, score, cover))
    scored.sort(key=lambda s: (-s.score, s.record.passage_index, s.record.start))
    return scored


def is_duplicate(a: Mapping[str, int], b: Mapping[str, int]) -> bool:
    """Near-duplicates: one sentence's words are (almost) all in the other.

    Catches repeated sentences, a typo'd repeat and a caption that repeats a sentence with
    "(File Photo)" appended; answer-type tokens are ignored.
    """
    words_a = {t for t in a if t not in ANSWER_TYPES}
    words_b = {t for t in b if t not in ANSWER_TYPES}
    if not words_a or not words_b:
        return False
    smaller = min(len(words_a), len(words_b))
    if smaller < _MIN_WORDS_CONTAINED:
        # One or two words inside a longer sentence say nothing of it being the same statement.
        return words_a == words_b
    return len(words_a & words_b) / smaller >= DUPLICATE_OVERLAP


def pick(
    scored: Sequence[ScoredSentence], limit: int, extra: int, min_extra: float = 0.0
) -> tuple[list[ScoredSentence], list[ScoredSentence]]:
    """The shown sentences (best first, near-duplicates dropped) and the next best, for "More".

    A further sentence is shown beside the best one when it scores close to it and at least
    ``min_extra`` (the reader's answer threshold: a sentence it does not think answers stays in "More").
    """
    kept: list[ScoredSentence] = []
    for candidate in scored:
        if any(is_duplicate(candidate.record.tf, k.record.tf) for k in kept):
            continue
        kept.append(candidate)
        if len(kept) >= limit + extra:
            break
    if not kept:
        return [], []
    # The best score, not the first's: similarity may have put a near-tie first (``with_similarities``).
    top = max(k.score for k in kept)
    shown = [kept[0]]
    rest = []
    for candidate in kept[1:]:
        if len(shown) < limit and candidate.score >= max(min_extra, RELATIVE_SCORE_FOR_EXTRA * top):
            shown.append(candidate)
        else:
            rest.append(candidate)
    return shown, rest[:extra]
