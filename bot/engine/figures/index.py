"""The figure index: every figure of the corpus with its sentence and citation, grouped and looked up by topic.

Extraction (one sentence at a time) is ``figures.parse``'s; this module indexes the figures of a
corpus and answers "which figures are about X?". Around it, the figures room has:

- ``grouping``: which figures measure the same thing (computed once, when the index is built);
- ``scoring``: what a topic asks for and the weights of a figure's score;
- ``columns``: the compact storage the index is made of;
- ``completion``: label autocompletion; ``store``: the index on disk.

Lookup. Only figures sharing a topic term with their sentence or label can score (nearby words only
add to that), so inverted indexes (term → sentences, term → figures by label, term → figures by
nearby word, with its distance) give the candidates; a score's sums of term weights are computed
once per distinct pattern of matches, as a per-figure loop would add them, and only the top of the
ranking is sorted (``FigureIndex._scores``). A topic naming only a kind, and the overview, walk
orderings by importance made at build time.

Storage. The index keeps no object per figure (see ``columns``): a sentence's text, citation and
terms are kept once for all its figures, and what repeats (labels, shapes — kind, unit, role... —,
terms, documents) is stored once and numbered. ``IndexedFigure``, ``Figure`` and ``FigureGroup``
objects are made only for what a call returns, equal to those given (citations are the ones given,
shared, not copies). The index reads its sentences once and keeps none of them, and pickles (numpy
arrays, lists, plain classes).
"""

from __future__ import annotations

import heapq
import itertools
import math
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from bot.engine.build.gc_pause import gc_paused
from bot.engine.figures.columns import (
    OWN_FIELDS,
    Postings,
    ScoreClass,
    Shape,
    Vocabulary,
    concat_ranges,
    first_positions,
    per_distinct_row,
    run_offsets,
    shape_of,
    sorted_unique,
    u32,
)
from bot.engine.figures.completion import LabelCompleter
from bot.engine.figures.grouping import cluster, distinctive, family, family_of
from bot.engine.figures.lexicon import PERIOD_WORDS, opens_container
from bot.engine.figures.parse import MAX_LABEL_CHARS, Figure, extract_figures
from bot.engine.figures.scoring import (
    LABEL_WEIGHT,
    MAX_LABEL_TERMS_COUNTED,
    NEAR_TOKENS,
    NEAR_WEIGHT,
    SENTENCE_WEIGHT,
    Intent,
    importance_of,
    nearby_terms,
    parse_topic,
    score_factors,
    text_terms,
)
from bot.engine.models import Citation, Frozen
from bot.engine.text.overlap import DUPLICATE_OVERLAP, jaccard

MAX_TOPIC_CHARS = 500  # a topic is a few words: longer input (pasted or hostile text) is cut
MAX_GROUP_MEMBERS = 8  # figures shown per group: the values a reader can compare at a glance
# A lookup sorts only its best-scoring figures, enough of them to fill ``limit`` groups on most
# topics: this many per group wanted, and a few more; it looks further when they are not enough.
_SORTED_PER_GROUP = 4
_SORTED_EXTRA = 60


# Label terms that say when, not what: figures of one measure in different periods group together
# ("2019 net migration", "net migration for the year to December").
_PERIOD_TERMS = text_terms(" ".join(sorted(PERIOD_WORDS)))


def measure_terms(terms: frozenset[str]) -> frozenset[str]:
    """A label's terms less its period (years, months, "year", "quarter"...), unless nothing is left."""
    core = frozenset(t for t in terms if t not in _PERIOD_TERMS and not t.isdigit())
    return core or terms


def group_heading(labels: Sequence[str]) -> str:
    """What a group's figures all measure: the shortest of their labels (by terms) that every other
    label contains, so a period or qualifier only some members have ("2019 net migration", "net
    migration for the year to December") stays off the heading ("net migration"); when no label is
    shared by all, the one contained in most labels (the first, on a tie: the best match leads)."""
    terms = [text_terms(label) for label in labels]

    def shared_by(candidate: frozenset[str]) -> int:
        return sum(candidate <= other for other in terms)

    best = max(range(len(labels)), key=lambda n: (shared_by(terms[n]), -len(terms[n]), -n))
    return labels[best]


class SentenceRef(Frozen):
    """One sentence of the corpus as indexed: its text, where it stands, and how to cite it."""

    text: str
    citation: Citation
    start: int = 0  # offsets of the sentence in its document's text
    end: int = 0
    figures: tuple[Figure, ...] | None = None  # already extracted (bot.engine.build.analysis), or None
    terms: frozenset[str] | None = None  # the sentence's tokens, answer types left out, when known


class IndexedFigure(Frozen):
    """A figure with its sentence and citation; ``start``/``end`` are offsets in the document."""

    figure: Figure
    sentence: str
    citation: Citation
    start: int
    end: int
    group: int = -1

    @property
    def label(self) -> str:
        return self.figure.label


class FigureGroup(Frozen):
    """Figures that measure the same thing, each with its own sentence and citation."""

    label: str
    family: str
    members: tuple[IndexedFigure, ...]


class _Builder:
    """Reads the sentences once, keeping only compact columns; ``FigureIndex`` finishes the index."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}  # term -> number, in order of appearance
        self.texts: dict[str, str] = {}  # a sentence text repeated (a caption) is kept once
        self.documents: dict[str, int] = {}
        self.shapes: dict[Shape, int] = {}
        self.exact_shape: list[bool] = []  # figures of this shape can be made again from the columns
        self.labels: dict[str, int] = {}
        self.label_terms: list[frozenset[str]] = []
        # per sentence
        self.sentence_text: list[str] = []
        self.sentence_citation: list[Citation] = []
        self.sentence_start = array("q")
        self.sentence_document = array("I")
        self.sentence_counted = array("B")  # first sentence with its text: its terms count in the df
        self.sentence_terms = array("I")
        self.sentence_term_count = array("I")
        self.sentence_figure_count = array("I")
        # per figure
        self.entry_sentence = array("I")
        self.entry_start = array("i")
        self.entry_end = array("i")
        self.entry_value = array("d")
        self.entry_shape = array("I")
        self.entry_label = array("I")
        self.odd: dict[int, Figure] = {}  # figures the columns cannot give back exactly, kept whole
        # (figure, nearby term, distance), one row per nearby term of each figure
        self.near_entry = array("I")
        self.near_term = array("I")
        self.near_distance = array("B")

    def add(self, ref: SentenceRef) -> None:
        text = ref.text
        figures = extract_figures(text) if ref.figures is None else ref.figures
        if not figures:
            return
        # A sentence's terms once, not once per figure: a line dense with amounts would be quadratic.
        terms = text_terms(text) if ref.terms is None else ref.terms
        vocabulary = self.vocabulary
        shared = self.texts.get(text)
        self.sentence_counted.append(shared is None)
        if shared is None:
            shared = self.texts[text] = text
        sentence = len(self.sentence_text)
        self.sentence_text.append(shared)
        self.sentence_citation.append(ref.citation)
        self.sentence_start.append(ref.start)
        self.sentence_document.append(self.documents.setdefault(ref.citation.document, len(self.documents)))
        self.sentence_terms.extend([vocabulary.setdefault(t, len(vocabulary)) for t in terms])
        self.sentence_term_count.append(len(terms))
        self.sentence_figure_count.append(len(figures))
        for figure in figures:
            entry = len(self.entry_sentence)
            self.entry_sentence.append(sentence)
            self.entry_start.append(figure.start)
            self.entry_end.append(figure.end)
            self.entry_value.append(figure.value)
            shape = self.shapes.setdefault(shape_of(figure), len(self.shapes))
            if shape == len(self.exact_shape):
                self.exact_shape.append(set(OWN_FIELDS) <= figure.model_fields_set)
            self.entry_shape.append(shape)
            label = self.labels.get(figure.label)
            if label is None:
                label = self.labels[figure.label] = len(self.label_terms)
                self.label_terms.append(text_terms(figure.label))
            self.entry_label.append(label)
            if (
                not self.exact_shape[shape]
                or type(figure) is not Figure
                or type(figure.value) is not float
                or text[figure.start : figure.end] != figure.text
            ):
                self.odd[entry] = figure
            for term, distance in nearby_terms(text, figure).items():
                self.near_entry.append(entry)
                self.near_term.append(vocabulary.setdefault(term, len(vocabulary)))
                self.near_distance.append(distance)


# -------------------------------------------------------------------------------------- index


class FigureIndex:
    """Figures of a corpus, grouped, searchable by topic, with label autocompletion."""

    def __init__(self, items: Iterable[SentenceRef] = ()) -> None:
        built = _Builder()
        for ref in items:
            built.add(ref)
        self._finish(built)

    @classmethod
    def build(cls, items: Iterable[SentenceRef]) -> FigureIndex:
        """The index of the figures of ``items``, read once (a generator is best: refs are not kept)."""
        return cls(items)

    # -- building ----------------------------------------------------------------------------

    def _finish(self, built: _Builder) -> None:
        # Sentences.
        self._sentence_text = built.sentence_text
        self._sentence_citation = built.sentence_citation
        self._sentence_start = np.asarray(built.sentence_start, dtype=np.int64)
        self._sentence_document = u32(built.sentence_document)
        self._document_count = len(built.documents)
        self._sentence_entries = run_offsets(built.sentence_figure_count)
        # Reading order is by document date, undated last: one rank per distinct date.
        dates = {c.date for c in self._sentence_citation}
        rank = {d: n for n, d in enumerate(sorted(dates, key=lambda d: (d is None, d or "")))}
        self._sentence_date = u32([rank[c.date] for c in self._sentence_citation])
        # Figures.
        self._shapes = list(built.shapes)
        self._entry_sentence = u32(built.entry_sentence)
        self._entry_start = np.asarray(built.entry_start, dtype=np.int32)
        self._entry_end = np.asarray(built.entry_end, dtype=np.int32)
        self._entry_value = np.asarray(built.entry_value, dtype=np.float64)
        self._entry_shape = u32(built.entry_shape)
        self._entry_label = u32(built.entry_label)
        self._odd = built.odd
        self._label_text = list(built.labels)
        label_terms = built.label_terms
        value_keys = self._value_keys()  # borrowing a label changes no key
        self._borrow_labels(value_keys, label_terms, dict(built.labels))
        self._shape_arguments = [shape.arguments() for shape in self._shapes]
        classes: dict[ScoreClass, int] = {}
        self._shape_class = np.asarray(
            [classes.setdefault(ScoreClass(s.kind, s.role, s.weak_label), len(classes)) for s in self._shapes], np.uint8
        )
        self._classes = list(classes)
        self._group_offsets, self._group_members, self._entry_group = self._make_groups(label_terms, value_keys)
        label_size = self._index_terms(built, label_terms)
        self._order_by_importance(label_size)
        self._labels = self._distinct_labels()
        self._completion = LabelCompleter(self._labels)

    def _entry_documents(self) -> np.ndarray:
        return self._sentence_document[self._entry_sentence]

    def _value_keys(self) -> list[tuple[int, str, float] | None]:
        """For each figure with a distinctive value, (document, family, value); else None."""
        keys: list[tuple[int, str, float] | None] = [None] * len(self)
        shapes = self._shapes
        families = [family_of(s.kind, s.unit, s.role) for s in shapes]
        documents = self._entry_documents().tolist()
        values = self._entry_value.tolist()
        for i, shape in enumerate(self._entry_shape.tolist()):
            if distinctive(shapes[shape].kind, values[i]):
                odd = self._odd.get(i)
                keys[i] = (documents[i], families[shape], values[i] if odd is None else odd.value)
        return keys

    def _borrow_labels(
        self,
        keys: list[tuple[int, str, float] | None],
        label_terms: list[frozenset[str]],
        label_ids: dict[str, int],
    ) -> None:
        """A figure with only a weak label ("that figure of £15million") takes the label of the same
        value stated elsewhere in its document with a recognised label.

        A period container ("revised its figure for the year to December up from 606,000 to 745,000")
        names no measure: the measure is the one the document gives the same value elsewhere ("net
        migration had hit 745,000"), qualified by the period ("net migration for the year to December"),
        and the other figures of that sentence of the same family with the same container share it
        (606,000). A reader sees what was counted and when. The change ("an increase of 139,000") is of
        another family, which a value seen elsewhere says nothing about: like a figure with no such
        value, it keeps the container and its period, flagged weak — still true to the sentence.
        """
        weak = [s.weak_label for s in self._shapes]
        shapes = self._entry_shape.tolist()
        strong: dict[tuple[int, str, float], int] = {}
        for i, key in enumerate(keys):
            if key is not None and not weak[shapes[i]]:
                strong.setdefault(key, i)
        borrowed: dict[tuple[int, int, str], int] = {}  # (sentence, weak label, family) -> the label it became
        families = [family_of(s.kind, s.unit, s.role) for s in self._shapes]
        interned = {shape: n for n, shape in enumerate(self._shapes)}
        for i, key in enumerate(keys):
            source = None if key is None or not weak[shapes[i]] else strong.get(key)
            if source is not None:
                own = int(self._entry_label[i])
                label = self._qualified(own, int(self._entry_label[source]), label_terms, label_ids)
                if label != int(self._entry_label[source]):  # a period container: its sentence shares it
                    borrowed.setdefault((int(self._entry_sentence[i]), own, families[shapes[i]]), label)
                self._strengthen(i, label, interned)
        for i in range(len(self)):
            place = (int(self._entry_sentence[i]), int(self._entry_label[i]), families[shapes[i]])
            if weak[shapes[i]] and place in borrowed:
                self._strengthen(i, borrowed[place], interned)

    def _qualified(self, own: int, measure: int, label_terms: list[frozenset[str]], label_ids: dict[str, int]) -> int:
        """The measure ``measure`` qualified by the period of the container label ``own``, if it is one."""
        words = self._label_text[own].split()
        if not opens_container([w.casefold() for w in words[:3]]):
            return measure
        text = " ".join([self._label_text[measure], "for", *words[2:]])[:MAX_LABEL_CHARS]
        if text not in label_ids:
            label_ids[text] = len(self._label_text)
            self._label_text.append(text)
            label_terms.append(text_terms(text))
        return label_ids[text]

    def _strengthen(self, i: int, label: int, interned: dict[Shape, int]) -> None:
        """Figure ``i`` takes ``label`` as a recognised one."""
        self._entry_label[i] = label
        # The same shape, strong now, with the two fields set as ``model_copy(update=...)`` sets them.
        s = self._shapes[int(self._entry_shape[i])]
        variant = s._replace(weak_label=False, fields_set=s.fields_set | {"label", "weak_label"})
        if variant not in interned:
            interned[variant] = len(self._shapes)
            self._shapes.append(variant)
        self._entry_shape[i] = interned[variant]

    def _grouping_input(
        self,
        label_terms: Sequence[frozenset[str]] | None = None,
        value_keys: list[tuple[int, str, float] | None] | None = None,
    ) -> tuple[list[str], list[frozenset[str]], list[tuple[int, str, float] | None]]:
        """What grouping looks at, per figure: family, label terms, and distinctive value key.
        After the build (tests, benchmarks), label terms and keys are made again."""
        if label_terms is None:
            label_terms = [text_terms(label) for label in self._label_text]
        families = [family_of(s.kind, s.unit, s.role) for s in self._shapes]
        measures = [measure_terms(terms) for terms in label_terms]
        return (
            [families[s] for s in self._entry_shape.tolist()],
            [measures[label] for label in self._entry_label.tolist()],
            self._value_keys() if value_keys is None else value_keys,
        )

    def _make_groups(
        self, label_terms: list[frozenset[str]], value_keys: list[tuple[int, str, float] | None]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        groups = cluster(*self._grouping_input(label_terms, value_keys))
        offsets = run_offsets([len(g) for g in groups])
        members = u32([i for g in groups for i in g])
        entry_group = np.empty(len(self), dtype=np.uint32)
        # Declared: numpy 2.4's stubs type this diff() as timedelta64, which repeat() then refuses.
        sizes: np.ndarray = np.diff(offsets.astype(np.int64))
        entry_group[members] = np.repeat(np.arange(len(groups), dtype=np.uint32), sizes)
        return offsets, members, entry_group

    def _index_terms(self, built: _Builder, label_terms: list[frozenset[str]]) -> np.ndarray:
        """The vocabulary, document frequencies and the three inverted indexes; returns each label's size."""
        vocabulary = built.vocabulary
        for words in label_terms:  # a label's words may be in no sentence (a label borrowed from another)
            for word in words:
                vocabulary.setdefault(word, len(vocabulary))
        # Terms are numbered in sorted order, so the vocabulary can be one string searched by bisection.
        ordered = sorted(vocabulary)
        renumber = np.empty(len(ordered), dtype=np.uint32)
        renumber[[vocabulary[t] for t in ordered]] = np.arange(len(ordered), dtype=np.uint32)
        label_ids = [renumber[[vocabulary[t] for t in words]] for words in label_terms]
        self._vocabulary = Vocabulary(ordered)
        size = len(ordered)
        self._sentence_terms = renumber[np.asarray(built.sentence_terms, dtype=np.int64)]
        per_sentence = np.asarray(built.sentence_term_count, dtype=np.int64)
        self._sentence_term_offsets = run_offsets(per_sentence)
        term_sentence = np.repeat(np.arange(len(self._sentence_text), dtype=np.uint32), per_sentence)
        # Document frequency over distinct sentence texts: a caption repeating a sentence counts once.
        counted = np.asarray(built.sentence_counted, dtype=bool)
        self._df = np.bincount(self._sentence_terms[counted[term_sentence]], minlength=size).astype(np.uint32)
        self._sentence_count = max(1, int(counted.sum()))
        self._by_sentence = Postings.of(self._sentence_terms, term_sentence, size)
        per_label = np.asarray([len(ids) for ids in label_ids], dtype=np.int64)
        label_offsets = run_offsets(per_label).astype(np.int64)
        flat = np.concatenate(label_ids) if label_ids else np.empty(0, np.uint32)
        labels = self._entry_label.astype(np.int64)
        figure_of = np.repeat(np.arange(len(self), dtype=np.uint32), per_label[labels])
        self._by_label = Postings.of(
            flat[concat_ranges(label_offsets[labels], label_offsets[labels + 1])], figure_of, size
        )
        near_terms = renumber[np.asarray(built.near_term, dtype=np.int64)]
        near_distances = np.asarray(built.near_distance, dtype=np.uint8)
        self._by_near = Postings.of(near_terms, u32(built.near_entry), size, near_distances)
        return per_label

    def _order_by_importance(self, label_size: np.ndarray) -> None:
        """Figures by importance (then reading position), per kind and per document, for topics
        that only name a kind and for the overview."""
        values: dict[float, int] = {}
        codes: dict[tuple[int, int], int] = {}
        sizes = label_size[self._entry_label].tolist()
        importance = np.empty(len(self), dtype=np.uint8)
        for i, (shape, size) in enumerate(zip(self._entry_shape.tolist(), sizes, strict=True)):
            key = (shape, min(size, MAX_LABEL_TERMS_COUNTED))
            code = codes.get(key)
            if code is None:
                s = self._shapes[shape]
                value = importance_of(s.kind, s.role, s.weak_label, size)
                code = codes[key] = values.setdefault(value, len(values))
            importance[i] = code
        self._importance = importance
        self._importance_values = list(values)  # code -> importance
        value_of = np.asarray(self._importance_values or [0.0], dtype=np.float64)[importance]
        candidates = np.flatnonzero(value_of > 0)
        ranked = candidates[np.lexsort((candidates, -value_of[candidates]))]
        kinds = sorted({s.kind for s in self._shapes})
        kind_of = np.asarray([kinds.index(s.kind) for s in self._shapes], dtype=np.uint8)[self._entry_shape[ranked]]
        self._by_kind_order = {kind: u32(ranked[kind_of == n]) for n, kind in enumerate(kinds)}
        # Per document, documents in the order of their first figure.
        documents = self._entry_documents()
        _, first = np.unique(documents, return_index=True)
        document_rank = np.zeros(self._document_count, np.int64)
        document_rank[documents[np.sort(first)]] = np.arange(len(first))
        rank = document_rank[documents[candidates]]
        self._overview_order = u32(candidates[np.lexsort((candidates, -value_of[candidates], rank))])
        self._overview_offsets = run_offsets(np.bincount(rank, minlength=len(first)))

    def _distinct_labels(self) -> list[str]:
        """Labels worth offering: of non-date figures, not weak; most frequent first."""
        eligible = np.asarray([s.kind not in {"year", "date"} and not s.weak_label for s in self._shapes], bool)
        entries = np.flatnonzero(eligible[self._entry_shape]) if len(self) else np.empty(0, np.int64)
        labels, first, count = np.unique(self._entry_label[entries], return_index=True, return_counts=True)
        counts: Counter[str] = Counter()
        spelling: dict[str, tuple[int, str]] = {}  # key -> (first figure with it, spelling)
        for label, at, n in zip(labels.tolist(), entries[first].tolist(), count.tolist(), strict=True):
            text = self._label_text[label]
            spelled = " ".join(text.split())[:MAX_LABEL_CHARS]
            key = spelled.casefold()
            if not key:
                continue
            counts[key] += n
            if key not in spelling or at < spelling[key][0]:
                spelling[key] = (at, text if spelled == text else spelled)
        return [spelling[key][1] for key in sorted(counts, key=lambda k: (-counts[k], k))]

    # -- figures -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entry_sentence)

    @property
    def figures(self) -> list[IndexedFigure]:
        # Made afresh: many small acyclic objects, which the cyclic collector would walk again and again.
        with gc_paused():
            return [self._item(i) for i in range(len(self))]

    def _figure(self, i: int) -> Figure:
        shape = int(self._entry_shape[i])
        label = self._label_text[self._entry_label[i]]
        odd = self._odd.get(i)
        if odd is not None:
            if odd.weak_label and not self._shapes[shape].weak_label:  # borrowed a label
                return odd.model_copy(update={"label": label, "weak_label": False})
            return odd
        start, end = int(self._entry_start[i]), int(self._entry_end[i])
        # Validating again values that were valid gives them back as they were (no validators on Figure),
        # and is faster than ``model_construct``.
        return Figure(
            text=self._sentence_text[self._entry_sentence[i]][start:end],
            start=start,
            end=end,
            value=float(self._entry_value[i]),
            label=label,
            **self._shape_arguments[shape],
        )

    def _item(self, i: int) -> IndexedFigure:
        sentence = int(self._entry_sentence[i])
        at = int(self._sentence_start[sentence])
        return IndexedFigure(
            figure=self._figure(i),
            sentence=self._sentence_text[sentence],
            citation=self._sentence_citation[sentence],
            start=at + int(self._entry_start[i]),
            end=at + int(self._entry_end[i]),
            group=int(self._entry_group[i]),
        )

    def _figure_text(self, i: int) -> str:
        odd = self._odd.get(i)
        if odd is not None:
            return odd.text
        return self._sentence_text[self._entry_sentence[i]][self._entry_start[i] : self._entry_end[i]]

    def _sentence_term_set(self, sentence: int) -> frozenset[int]:
        at = self._sentence_term_offsets
        return frozenset(self._sentence_terms[at[sentence] : at[sentence + 1]].tolist())

    def _group_lists(self) -> list[list[int]]:
        """The groups as lists of figure numbers (tests and benchmarks)."""
        members = self._group_members.tolist()
        return [members[a:b] for a, b in itertools.pairwise(self._group_offsets.tolist())]

    # -- lookup ------------------------------------------------------------------------------

    def lookup(self, topic: str, limit: int = 5, value: float | None = None) -> list[FigureGroup]:
        """Figures about a topic, best first; figures that measure the same thing come together. With
        ``value``, only the groups of a figure of that very value (where a claim's number stands)."""
        topic = " ".join(str(topic or "").split())[:MAX_TOPIC_CHARS]
        if not topic:
            return self.overview() if value is None else []
        if limit <= 0:
            return []
        intent = parse_topic(topic)
        if not intent.terms:
            return self._by_kind(intent, limit) if value is None else []
        weights = {t: self._idf(t) for t in dict.fromkeys(intent.terms)}
        candidates, scores = self._scores(weights, intent)
        keep = scores > 0
        if value is not None:
            keep &= np.isclose(self._entry_value[candidates], value, rtol=1e-9, atol=0.0)
        best = self._best_of_groups(candidates[keep], scores[keep], max(1, limit))
        return [self._group(self._members(b), best=b, best_first=intent.role is not None) for b in best]

    def _best_of_groups(self, candidates: np.ndarray, scores: np.ndarray, limit: int) -> list[int]:
        """The best figure of each of the first ``limit`` groups, ranking figures by score (then position).

        Only the top of the ranking is sorted: the figures scoring at least the k-th best score are a
        prefix of it, and enough when they hold ``limit`` groups; else k grows."""
        k = _SORTED_PER_GROUP * limit + _SORTED_EXTRA
        while True:
            if k < scores.size:
                threshold = np.partition(scores, scores.size - k)[scores.size - k]
                top = np.flatnonzero(scores >= threshold)
            else:
                top = np.arange(scores.size)
            ranked = candidates[top][np.lexsort((candidates[top], -scores[top]))]
            firsts = first_positions(self._entry_group[ranked])
            if firsts.size >= limit or top.size == scores.size:
                return ranked[firsts[:limit]].tolist()
            k *= _SORTED_PER_GROUP

    def lookup_json(self, topic: str, limit: int = 5) -> dict[str, object]:
        return lookup_to_json(topic, self.lookup(topic, limit))

    def _idf(self, term: str) -> float:
        number = self._vocabulary.number(term)
        df = 0 if number is None else int(self._df[number])
        return math.log(1.0 + self._sentence_count / (1 + df))

    def _scores(self, weights: dict[str, float], intent: Intent) -> tuple[np.ndarray, np.ndarray]:
        """The figures sharing a topic term with their sentence or label, and their scores.

        Three sums of term weights make a score: over the topic's terms in its sentence, in its label,
        and near it (weighted by distance). Each sum is computed once per distinct pattern of matches,
        by ``sum`` over the topic's terms in order, so it is the float a plain per-figure loop makes;
        the rest is arithmetic on those floats, the same elementwise in numpy as in Python.
        """
        numbers = [self._vocabulary.number(t) for t in weights]
        hits: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None] = []
        for term in numbers:
            if term is None:
                hits.append(None)
                continue
            sentences = self._by_sentence.ids_of(term)
            in_sentences = concat_ranges(self._sentence_entries[sentences], self._sentence_entries[sentences + 1])
            in_sentences = in_sentences.astype(np.uint32)  # figure numbers are 32-bit throughout
            hits.append(
                (in_sentences, self._by_label.ids_of(term), self._by_near.ids_of(term), self._by_near.extra_of(term))
            )
        found = [ids for hit in hits if hit is not None for ids in hit[:2]]
        candidates = sorted_unique(np.concatenate(found)) if found else np.empty(0, np.uint32)
        if not candidates.size:
            return candidates, np.empty(0)
        # Per term, a column over the candidates: in the sentence (1/0), in the label, distance if near.
        in_sentence, in_label, near = [], [], []
        for hit in hits:
            columns = np.zeros((3, candidates.size), dtype=np.uint8)
            in_sentence.append(columns[0])
            in_label.append(columns[1])
            near.append(columns[2])
            if hit is None:
                continue
            sentence_hits, label_hits, near_hits, distance = hit
            columns[0, np.searchsorted(candidates, sentence_hits)] = 1
            columns[1, np.searchsorted(candidates, label_hits)] = 1
            at = np.minimum(np.searchsorted(candidates, near_hits), candidates.size - 1)
            is_candidate = candidates[at] == near_hits  # near words only count with a sentence or label match
            columns[2, at[is_candidate]] = distance[is_candidate]
        ws = list(weights.values())

        def matched(row: list[int]) -> float:
            return sum(w for w, hit in zip(ws, row, strict=True) if hit)

        def nearness(row: list[int]) -> float:
            # Words close to the figure count more: "2021 saw 28,526 migrants" is about 28,526.
            return sum(w * (1 - (d - 1) / NEAR_TOKENS) for w, d in zip(ws, row, strict=True) if d)

        sentence = per_distinct_row(in_sentence, 1, matched)
        label = per_distinct_row(in_label, 1, matched)
        near_sum = per_distinct_row(near, 3, nearness)
        scores = (SENTENCE_WEIGHT * sentence + LABEL_WEIGHT * label + NEAR_WEIGHT * near_sum) / sum(ws)
        scores[(sentence == 0) & (label == 0)] = 0.0
        # Kind, role and label strength multiply the score, in the order ``score_factors`` gives.
        classes = self._shape_class[self._entry_shape[candidates]]
        for klass in sorted_unique(classes).tolist():
            factors = score_factors(self._classes[klass], intent)
            if factors:
                of_class = classes == klass
                for factor in factors:
                    scores[of_class] *= factor
        return candidates, scores

    def _members(self, figure: int) -> np.ndarray:
        group = self._entry_group[figure]
        return self._group_members[self._group_offsets[group] : self._group_offsets[group + 1]]

    def _group(self, members: np.ndarray, best: int | None = None, best_first: bool = False) -> FigureGroup:
        """A group's figures: the best match's sentence first, then the rest in reading order.

        Reading order is by document date (undated last), then position, so a revision reads
        forward in time; figures of one sentence stay together in their order ("from 606,000 to
        745,000"), unless the topic asked for one of them ("the new ...") which then leads.
        """
        if len(members) == 1:
            ordered = members.tolist()
        else:
            sentences = self._entry_sentence[members]
            order = np.lexsort((members, self._sentence_date[sentences]))
            ordered_array, sentences = members[order], sentences[order]
            if best is not None:
                anchor = int(self._entry_sentence[best])
                same = (self._sentence_document[sentences] == self._sentence_document[anchor]) & (
                    self._sentence_start[sentences] == self._sentence_start[anchor]
                )
                ordered_array = np.concatenate((ordered_array[same], ordered_array[~same]))
            ordered = ordered_array.tolist()
            if best is not None and best_first:
                ordered.remove(best)
                ordered.insert(0, best)
        kept = [self._item(i) for i in self._dedupe(ordered)]
        first = kept[0]
        return FigureGroup(
            label=group_heading([m.label for m in kept]), family=family(first.figure), members=tuple(kept)
        )

    def _dedupe(self, ordered: list[int]) -> list[int]:
        """The same figure in (nearly) the same words — a caption repeating the text — is shown once.

        Only the first ``MAX_GROUP_MEMBERS`` kept are shown, and whether a figure is kept depends only
        on those kept before it: the walk stops there."""
        kept: list[tuple[int, str]] = []
        terms: dict[int, frozenset[int]] = {}  # of the figures compared, by figure

        def terms_of(i: int) -> frozenset[int]:
            if i not in terms:
                terms[i] = self._sentence_term_set(int(self._entry_sentence[i]))
            return terms[i]

        for i in ordered:
            text = self._figure_text(i)
            if not any(t == text and jaccard(terms_of(k), terms_of(i)) >= DUPLICATE_OVERLAP for k, t in kept):
                kept.append((i, text))
                if len(kept) >= MAX_GROUP_MEMBERS:
                    break
        return [i for i, _ in kept]

    def _ranked(self, order: np.ndarray) -> Iterator[tuple[float, int]]:
        """(-importance, figure) along an ordering, a slice at a time."""
        values = self._importance_values
        for at in range(0, len(order), 512):
            chunk = order[at : at + 512]
            for code, i in zip(self._importance[chunk].tolist(), chunk.tolist(), strict=True):
                yield -values[code], i

    def _by_kind(self, intent: Intent, limit: int) -> list[FigureGroup]:
        """A topic that only names a kind ("how much?"): the most informative figures of that kind,
        merged from the per-kind orderings."""
        orders = [self._by_kind_order[k] for k in sorted(intent.kinds) if k in self._by_kind_order]
        groups: list[FigureGroup] = []
        seen: set[int] = set()
        for _, i in heapq.merge(*(self._ranked(order) for order in orders)):
            gid = int(self._entry_group[i])
            if gid in seen:
                continue
            seen.add(gid)
            groups.append(self._group(self._members(i), best=i))
            if len(groups) >= max(1, limit):
                break
        return groups

    # -- overview ----------------------------------------------------------------------------

    def overview(self, limit_per_document: int = 5) -> list[FigureGroup]:
        """Key figures of each document: amounts, counts, percentages and rates with real labels."""
        with gc_paused():  # a group or more per document, made afresh (see ``figures``)
            return self._overview(limit_per_document)

    def _overview(self, limit_per_document: int) -> list[FigureGroup]:
        """Per document, its most important groups, a measure once: groups whose labels one contains the
        other's (periods aside) and of one family but for a change's role are shown as one group ("rise by
        £12,500" with "£38,700": the salary threshold, once), and count once in ``limit_per_document``."""
        out: list[FigureGroup] = []
        label_measures: dict[int, frozenset[str]] = {}
        for a, b in itertools.pairwise(self._overview_offsets.tolist()):
            candidates = self._overview_order[a:b]  # by importance, then position
            shown: list[tuple[str, frozenset[str], list[int]]] = []  # (family less role, measure, figures)
            bucket: dict[int, int] = {}  # group -> its place in ``shown``
            for i, gid in zip(candidates.tolist(), self._entry_group[candidates].tolist(), strict=True):
                if gid not in bucket:
                    shape = self._shapes[int(self._entry_shape[i])]
                    base = family_of(shape.kind, shape.unit, None)
                    label = int(self._entry_label[i])
                    if label not in label_measures:
                        label_measures[label] = measure_terms(text_terms(self._label_text[label]))
                    measure = label_measures[label]
                    same = next(
                        (n for n, (f, m, _) in enumerate(shown) if f == base and (m <= measure or measure <= m)), None
                    )
                    if same is None:
                        if len(shown) >= max(0, limit_per_document):
                            continue
                        shown.append((base, measure, []))
                        same = len(shown) - 1
                    bucket[gid] = same
                shown[bucket[gid]][2].append(i)
            # Reading order within the document.
            for _, _, members in sorted(shown, key=lambda s: min(s[2])):
                out.append(self._group(np.asarray(sorted(members), dtype=np.int64)))
        return out

    # -- labels ------------------------------------------------------------------------------

    def labels(self) -> list[str]:
        return list(self._labels)

    def complete(self, prefix: str, limit: int = 25) -> list[str]:
        return self._completion.complete(prefix, limit)


# ----------------------------------------------------------------------------------------- JSON


def figure_to_json(item: IndexedFigure) -> dict[str, object]:
    figure = item.figure
    return {
        "text": figure.text,
        "value": figure.value,
        "kind": figure.kind,
        "unit": figure.unit,
        "per": figure.per,
        "qualifier": figure.qualifier,
        "label": figure.label,
        "role": figure.role,
        "sentence": " ".join(item.sentence.split()),
        "citation": item.citation.public_dict(),
    }


def lookup_to_json(topic: str, groups: Sequence[FigureGroup]) -> dict[str, object]:
    return {
        "topic": topic,
        "figures": [figure_to_json(member) for group in groups for member in group.members],
    }
