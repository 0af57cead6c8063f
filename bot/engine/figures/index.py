"""The figures engine: every number of the corpus, typed, normalised and labelled, looked up by topic.

Extraction (one sentence at a time) lives in ``figures_parse``; this module indexes the figures of
a corpus with their sentences and citations and answers "which figures are about X?".

Grouping. Figures that measure the same thing are gathered into one ``FigureGroup`` so a reader
sees a revision or a disagreement side by side (606,000 then 745,000; "more than £38,000",
£38,700, £40,000), each with its own sentence and citation. Two figures go together when they
are of the same family (money in one currency; counts and rates; percentages; ...) and their
labels share their words (one label's tokens contain the other's, or a Dice overlap above 0.6),
or when the same distinctive value recurs in one document (a document that says 745,000 twice
means the same 745,000). Clustering is greedy against each group's first label, so one broad
label cannot chain unrelated groups together; inverted indexes over those labels keep it near-linear
(``_Groups``). Groups are computed once, when the index is built.

Lookup. A topic's tokens (the shared tokenizer's: stemmed, stopwords out, numbers normalised) are
matched against each figure's sentence, label and nearby words, each term weighted by its
rarity among the indexed sentences. The wording also says what kind of figure is wanted ("how
much" → money, "how many" → counts, "what percentage", "how long", "when") and which value of a
revision ("new"/"latest" → the value a change went *to*; "previous"/"old" → the one it came
*from*); these words steer the ranking instead of being matched as topic words. Only figures
sharing a topic term with their sentence or label can score (nearby words only add to that), so
inverted indexes (term → sentences, term → figures by label, term → figures by nearby word, with
its distance) give the candidates; a score's sums of term weights are computed once per distinct
pattern of matches, as a per-figure loop would add them, and only the top of the ranking is
sorted (``FigureIndex._scores``). A topic naming only a kind, and the overview, walk orderings by
importance made at build time.

Storage. A corpus of a million passages has millions of figures, so the index keeps no object per
figure: figures are columns of numpy arrays (sentence, offsets, value, label number, "shape" number),
a sentence's text, citation and terms are kept once for all its figures, and what repeats (labels,
shapes — kind, unit, role... —, terms, documents) is stored once and numbered. ``IndexedFigure``,
``Figure`` and ``FigureGroup`` objects are made only for what a call returns, equal to those given
(citations are the ones given, shared, not copies). The index reads its sentences once and keeps
none of them, and pickles (numpy arrays, lists, plain classes).
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from bot.engine.build.gc_pause import gc_paused
from bot.engine.figures.parse import MAX_LABEL_CHARS, Figure, Kind, Role, extract_figures
from bot.engine.models import Citation, Frozen
from bot.engine.text.tokens import (
    ANSWER_TYPES,
    MONEY,
    NUMBER,
    PERCENT,
    YEAR,
    answer_type_words,
    question_tokens,
    tokenize,
)
from bot.engine.text.tokens import stem as _stem

if TYPE_CHECKING:
    from bot.engine.engine import Engine

__all__ = [
    "Figure",
    "FigureGroup",
    "FigureIndex",
    "IndexedFigure",
    "Kind",
    "Role",
    "SentenceRef",
    "extract_figures",
    "figure_to_json",
    "lookup_to_json",
    "sentence_refs",
]

MAX_TOPIC_CHARS = 500
MAX_GROUP_MEMBERS = 8
DUPLICATE_OVERLAP = 0.8  # sentences sharing this share of their terms say the same thing
_NEAR_CHARS = 80  # context on each side of a figure that counts as "near" it
_NEAR_TOKENS = 6


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


# ----------------------------------------------------------------------------------- families


def family(figure: Figure) -> str:
    """Figures comparable with each other: same currency, or counts with rates, and so on.

    A change ("rise by £12,500") is not comparable with a level ("£38,700"): it has its own family.
    """
    return _family(figure.kind, figure.unit, figure.role)


def _family(kind: str, unit: str | None, role: str | None) -> str:
    if kind == "money":
        base = f"money:{unit}"
    elif kind in {"count", "rate"}:
        base = "count"
    elif kind in {"year", "date"}:
        return "time"
    else:
        base = kind
    return f"{base}:change" if role == "change" else base


_KIND_WEIGHT = {"money": 3.0, "percent": 2.5, "rate": 2.5, "count": 2.0, "fraction": 1.5, "multiple": 1.0}

# Question wording for the kinds the shared tokenizer does not mark.
_DURATION_WORDS = re.compile(r"\bhow long\b|\bduration\b|\bfor how many (?:days|weeks|months|years)\b")
_MULTIPLE_WORDS = re.compile(r"\bhow many times\b|\btimes (?:more|higher|bigger|as)\b")
_ROLE_WORDS: dict[str, Role] = {
    "new": "to", "latest": "to", "current": "to", "now": "to", "revised": "to", "updated": "to",
    "previous": "from", "old": "from", "former": "from", "earlier": "from", "before": "from",
    "increase": "change", "rise": "change", "change": "change", "fall": "change", "drop": "change",
    "cut": "change", "reduction": "change", "difference": "change",
}  # fmt: skip


@dataclass(slots=True)
class _Intent:
    kinds: set[str] = field(default_factory=set)
    role: Role | None = None
    terms: list[str] = field(default_factory=list)


def _terms(text: str) -> frozenset[str]:
    return frozenset(t for t in tokenize(text) if t not in ANSWER_TYPES)


def _near_terms(sentence: str, figure: Figure) -> dict[str, int]:
    before = [t for t in tokenize(sentence[max(0, figure.start - _NEAR_CHARS) : figure.start]) if t not in ANSWER_TYPES]
    after = [t for t in tokenize(sentence[figure.end : figure.end + _NEAR_CHARS]) if t not in ANSWER_TYPES]
    near: dict[str, int] = {}
    for side in (reversed(before[-_NEAR_TOKENS:]), after[:_NEAR_TOKENS]):
        for distance, term in enumerate(side, start=1):
            near[term] = min(distance, near.get(term, distance))
    return near


def _parse_topic(topic: str) -> _Intent:
    intent = _Intent()
    tokens = question_tokens(topic)
    folded = topic.casefold()
    type_kinds = {MONEY: {"money"}, PERCENT: {"percent", "fraction"}, NUMBER: {"count", "rate"},
                  YEAR: {"year", "date"}}  # fmt: skip
    for token in tokens:
        intent.kinds |= type_kinds.get(token, set())
    if _DURATION_WORDS.search(folded):
        intent.kinds.add("duration")
        intent.kinds -= {"count", "rate"}
    if _MULTIPLE_WORDS.search(folded):
        intent.kinds.add("multiple")
    role_stems = {_stem(word): role for word, role in _ROLE_WORDS.items()}
    kind_words = answer_type_words()
    for token in tokens:
        if token in ANSWER_TYPES or token in kind_words:
            continue
        if token in role_stems and intent.role is None:
            intent.role = role_stems[token]
            if intent.role != "change":
                continue  # "new", "latest" say which value, not what about
        intent.terms.append(token)
    return intent


def _factors(shape: _Class, intent: _Intent) -> list[float]:
    """What a figure's score is multiplied by, in order, for its kind, role and label strength."""
    factors = []
    if intent.kinds and shape.kind not in intent.kinds:
        factors.append(0.5)
    if shape.kind in {"year", "date"} and not intent.kinds & {"year", "date"}:
        factors.append(0.3)
    if shape.kind == "duration" and "duration" not in intent.kinds:
        factors.append(0.7)
    if intent.role and shape.role == intent.role:
        factors.append(1.2)
    elif shape.role == "change" and intent.role != "change":
        factors.append(0.85)
    if shape.weak_label:
        factors.append(0.9)
    return factors


def _importance(kind: str, role: str | None, weak_label: bool, label_terms: int) -> float:
    """How much a figure is worth showing unasked: amounts first, with a real label (``label_terms`` tokens)."""
    weight = _KIND_WEIGHT.get(kind, 0.0)
    if weight == 0 or weak_label or not label_terms:
        return 0.0
    if role == "change":
        weight -= 0.5
    return weight + 0.1 * min(label_terms, 3)


# ------------------------------------------------------------------------------ compact storage

# A figure is stored as its own fields (per-figure columns) and a "shape": the fields that take few
# distinct values, kept once per distinct combination. A field added to Figure must go in one of them.
_OWN_FIELDS = ("text", "start", "end", "value", "label")
_SHAPE_FIELDS = ("kind", "unit", "per", "qualifier", "role", "iso", "weak_label")
if set(Figure.model_fields) != {*_OWN_FIELDS, *_SHAPE_FIELDS}:
    raise RuntimeError(
        f"figures: Figure fields changed, update _OWN_FIELDS/_SHAPE_FIELDS: {sorted(Figure.model_fields)}"
    )


class _Shape(NamedTuple):
    kind: Kind
    unit: str | None
    per: str | None
    qualifier: str | None
    role: Role | None
    iso: str | None
    weak_label: bool
    fields_set: frozenset[str]  # a figure made again has the same fields explicitly set as the original

    def arguments(self) -> dict[str, object]:
        """The shape's fields that were set explicitly: re-creating a figure with these (and its own
        fields) gives back the same ``__dict__`` and the same ``model_fields_set``."""
        return {name: getattr(self, name) for name in _SHAPE_FIELDS if name in self.fields_set}


class _Class(NamedTuple):
    """What scoring needs of a figure's shape."""

    kind: str
    role: str | None
    weak_label: bool


def _shape(figure: Figure) -> _Shape:
    return _Shape(
        figure.kind, figure.unit, figure.per, figure.qualifier, figure.role, figure.iso, figure.weak_label,
        frozenset(figure.model_fields_set),
    )  # fmt: skip


def _u32(values: array | list[int] | np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.uint32)


def _offsets(counts: np.ndarray | list[int]) -> np.ndarray:
    """Where each run starts, and a last end: ``run n`` is ``[offsets[n], offsets[n + 1])``."""
    ends = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=ends[1:])
    return ends.astype(np.uint32) if ends[-1] < 2**32 else ends  # 32 bits suffice below 4 billion


@dataclass(slots=True)
class _Postings:
    """An inverted index in two arrays: the ids under term ``t`` are ``ids[offsets[t]:offsets[t + 1]]``,
    ascending; ``extra`` holds a value per id (a distance) or is empty."""

    offsets: np.ndarray
    ids: np.ndarray
    extra: np.ndarray

    @classmethod
    def of(cls, terms: np.ndarray, ids: np.ndarray, size: int, extra: np.ndarray | None = None) -> _Postings:
        order = np.argsort(terms, kind="stable")  # stable: ids stay ascending under each term
        offsets = _offsets(np.bincount(terms, minlength=size))
        return cls(offsets, ids[order], np.empty(0, np.uint8) if extra is None else extra[order])

    def ids_of(self, term: int) -> np.ndarray:
        return self.ids[self.offsets[term] : self.offsets[term + 1]]

    def extra_of(self, term: int) -> np.ndarray:
        return self.extra[self.offsets[term] : self.offsets[term + 1]]


class _Vocabulary:
    """The index's terms, sorted, in one string, found by bisection.

    A dict of a corpus's few hundred thousand terms costs ~130 bytes a term (key, number, slot);
    this costs the term's characters and 4 bytes. Terms are looked up only a few per topic."""

    def __init__(self, terms: list[str]) -> None:  # sorted
        self._text = "".join(terms)
        self._ends = _offsets([len(term) for term in terms])

    def __len__(self) -> int:
        return len(self._ends) - 1

    def number(self, term: str) -> int | None:
        low, high = 0, len(self)
        while low < high:
            middle = (low + high) // 2
            if self._term(middle) < term:
                low = middle + 1
            else:
                high = middle
        return low if low < len(self) and self._term(low) == term else None

    def _term(self, n: int) -> str:
        return self._text[self._ends[n] : self._ends[n + 1]]


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The concatenation of ``range(s, e)`` for each pair, as one array."""
    starts, ends = starts.astype(np.int64), ends.astype(np.int64)
    counts = ends - starts
    if not counts.size:
        return np.empty(0, np.int64)
    shift = starts - (np.cumsum(counts) - counts)
    return np.arange(int(counts.sum()), dtype=np.int64) + np.repeat(shift, counts)


def _unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique takes a hashing path that is many times slower here)."""
    ordered = np.sort(values)
    new = np.ones(ordered.size, dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    return ordered[new]


def _firsts(values: np.ndarray) -> np.ndarray:
    """Positions of the first occurrence of each distinct value, ascending."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    new = np.ones(ordered.size, dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    return np.sort(order[new])


def _per_distinct_row(columns: list[np.ndarray], bits: int, value: Callable[[list[int]], float]) -> np.ndarray:
    """``value(row)`` for each row of a matrix of small numbers (below ``2**bits``), given by columns,
    computed once per distinct row: the rows of a lookup's candidates repeat a few patterns."""
    width = len(columns)
    if bits * width <= 16:  # each row as one small number: a table finds the distinct ones
        keys = np.zeros(columns[0].size if columns else 0, dtype=np.int64)
        for j, column in enumerate(columns):
            keys |= column.astype(np.int64) << (bits * j)
        seen = np.zeros(1 << (bits * width), dtype=bool)
        seen[keys] = True
        distinct = np.flatnonzero(seen)
        number = np.zeros(seen.size, dtype=np.int64)
        number[distinct] = np.arange(distinct.size)
        mask = (1 << bits) - 1
        rows = [[(key >> (bits * j)) & mask for j in range(width)] for key in distinct.tolist()]
        inverse = number[keys]
    else:  # rows as a few 64-bit words, sorted
        matrix = np.stack(columns, axis=1)
        n = matrix.shape[0]
        padded = np.zeros((n, -(-width // 8) * 8), dtype=np.uint8)
        padded[:, :width] = matrix
        words = padded.view(np.uint64)
        order = np.lexsort(words.T[::-1])
        ordered = words[order]
        new = np.ones(n, dtype=bool)
        new[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
        rows = matrix[order[new]].tolist()
        inverse = np.empty(n, dtype=np.int64)
        inverse[order] = np.cumsum(new) - 1
    return np.asarray([value(row) for row in rows], dtype=np.float64)[inverse]


class _Builder:
    """Reads the sentences once, keeping only compact columns; ``FigureIndex`` finishes the index."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}  # term -> number, in order of appearance
        self.texts: dict[str, str] = {}  # a sentence text repeated (a caption) is kept once
        self.documents: dict[str, int] = {}
        self.shapes: dict[_Shape, int] = {}
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
        terms = _terms(text) if ref.terms is None else ref.terms
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
            shape = self.shapes.setdefault(_shape(figure), len(self.shapes))
            if shape == len(self.exact_shape):
                self.exact_shape.append(set(_OWN_FIELDS) <= figure.model_fields_set)
            self.entry_shape.append(shape)
            label = self.labels.get(figure.label)
            if label is None:
                label = self.labels[figure.label] = len(self.label_terms)
                self.label_terms.append(_terms(figure.label))
            self.entry_label.append(label)
            if (
                not self.exact_shape[shape]
                or type(figure) is not Figure
                or type(figure.value) is not float
                or text[figure.start : figure.end] != figure.text
            ):
                self.odd[entry] = figure
            for term, distance in _near_terms(text, figure).items():
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

    @classmethod
    def from_engine(cls, engine: Engine) -> FigureIndex:
        return cls.build(_iter_sentence_refs(engine))

    # -- building ----------------------------------------------------------------------------

    def _finish(self, built: _Builder) -> None:
        # Sentences.
        self._sentence_text = built.sentence_text
        self._sentence_citation = built.sentence_citation
        self._sentence_start = np.asarray(built.sentence_start, dtype=np.int64)
        self._sentence_document = _u32(built.sentence_document)
        self._document_count = len(built.documents)
        self._sentence_entries = _offsets(built.sentence_figure_count)
        # Reading order is by document date, undated last: one rank per distinct date.
        dates = {c.date for c in self._sentence_citation}
        rank = {d: n for n, d in enumerate(sorted(dates, key=lambda d: (d is None, d or "")))}
        self._sentence_date = _u32([rank[c.date] for c in self._sentence_citation])
        # Figures.
        self._shapes = list(built.shapes)
        self._entry_sentence = _u32(built.entry_sentence)
        self._entry_start = np.asarray(built.entry_start, dtype=np.int32)
        self._entry_end = np.asarray(built.entry_end, dtype=np.int32)
        self._entry_value = np.asarray(built.entry_value, dtype=np.float64)
        self._entry_shape = _u32(built.entry_shape)
        self._entry_label = _u32(built.entry_label)
        self._odd = built.odd
        self._label_text = list(built.labels)
        label_terms = built.label_terms
        value_keys = self._value_keys()  # borrowing a label changes no key
        self._borrow_labels(value_keys)
        self._shape_arguments = [shape.arguments() for shape in self._shapes]
        classes: dict[_Class, int] = {}
        self._shape_class = np.asarray(
            [classes.setdefault(_Class(s.kind, s.role, s.weak_label), len(classes)) for s in self._shapes], np.uint8
        )
        self._classes = list(classes)
        self._group_offsets, self._group_members, self._entry_group = self._make_groups(label_terms, value_keys)
        label_size = self._index_terms(built, label_terms)
        self._order_by_importance(label_size)
        self._labels = self._distinct_labels()
        self._completion = _Completer(self._labels)

    def _entry_documents(self) -> np.ndarray:
        return self._sentence_document[self._entry_sentence]

    def _value_keys(self) -> list[tuple[int, str, float] | None]:
        """For each figure with a distinctive value, (document, family, value); else None."""
        keys: list[tuple[int, str, float] | None] = [None] * len(self)
        shapes = self._shapes
        families = [_family(s.kind, s.unit, s.role) for s in shapes]
        documents = self._entry_documents().tolist()
        values = self._entry_value.tolist()
        for i, shape in enumerate(self._entry_shape.tolist()):
            if _distinctive(shapes[shape].kind, values[i]):
                odd = self._odd.get(i)
                keys[i] = (documents[i], families[shape], values[i] if odd is None else odd.value)
        return keys

    def _borrow_labels(self, keys: list[tuple[int, str, float] | None]) -> None:
        """A figure with only a weak label ("that figure of £15million") takes the label of the same
        value stated elsewhere in its document with a recognised label."""
        weak = [s.weak_label for s in self._shapes]
        shapes = self._entry_shape.tolist()
        strong: dict[tuple[int, str, float], int] = {}
        for i, key in enumerate(keys):
            if key is not None and not weak[shapes[i]]:
                strong.setdefault(key, i)
        interned = {shape: n for n, shape in enumerate(self._shapes)}
        for i, key in enumerate(keys):
            source = None if key is None or not weak[shapes[i]] else strong.get(key)
            if source is None:
                continue
            self._entry_label[i] = self._entry_label[source]
            # The same shape, strong now, with the two fields set as ``model_copy(update=...)`` sets them.
            s = self._shapes[shapes[i]]
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
            label_terms = [_terms(label) for label in self._label_text]
        families = [_family(s.kind, s.unit, s.role) for s in self._shapes]
        return (
            [families[s] for s in self._entry_shape.tolist()],
            [label_terms[label] for label in self._entry_label.tolist()],
            self._value_keys() if value_keys is None else value_keys,
        )

    def _make_groups(
        self, label_terms: list[frozenset[str]], value_keys: list[tuple[int, str, float] | None]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        groups = _cluster(*self._grouping_input(label_terms, value_keys))
        offsets = _offsets([len(g) for g in groups])
        members = _u32([i for g in groups for i in g])
        entry_group = np.empty(len(self), dtype=np.uint32)
        entry_group[members] = np.repeat(np.arange(len(groups), dtype=np.uint32), np.diff(offsets.astype(np.int64)))
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
        self._vocabulary = _Vocabulary(ordered)
        size = len(ordered)
        self._sentence_terms = renumber[np.asarray(built.sentence_terms, dtype=np.int64)]
        per_sentence = np.asarray(built.sentence_term_count, dtype=np.int64)
        self._sentence_term_offsets = _offsets(per_sentence)
        term_sentence = np.repeat(np.arange(len(self._sentence_text), dtype=np.uint32), per_sentence)
        # Document frequency over distinct sentence texts: a caption repeating a sentence counts once.
        counted = np.asarray(built.sentence_counted, dtype=bool)
        self._df = np.bincount(self._sentence_terms[counted[term_sentence]], minlength=size).astype(np.uint32)
        self._sentence_count = max(1, int(counted.sum()))
        self._by_sentence = _Postings.of(self._sentence_terms, term_sentence, size)
        per_label = np.asarray([len(ids) for ids in label_ids], dtype=np.int64)
        label_offsets = _offsets(per_label).astype(np.int64)
        flat = np.concatenate(label_ids) if label_ids else np.empty(0, np.uint32)
        labels = self._entry_label.astype(np.int64)
        figure_of = np.repeat(np.arange(len(self), dtype=np.uint32), per_label[labels])
        self._by_label = _Postings.of(flat[_ranges(label_offsets[labels], label_offsets[labels + 1])], figure_of, size)
        near_terms = renumber[np.asarray(built.near_term, dtype=np.int64)]
        near_distances = np.asarray(built.near_distance, dtype=np.uint8)
        self._by_near = _Postings.of(near_terms, _u32(built.near_entry), size, near_distances)
        return per_label

    def _order_by_importance(self, label_size: np.ndarray) -> None:
        """Figures by importance (then reading position), per kind and per document, for topics
        that only name a kind and for the overview."""
        values: dict[float, int] = {}
        codes: dict[tuple[int, int], int] = {}
        sizes = label_size[self._entry_label].tolist()
        importance = np.empty(len(self), dtype=np.uint8)
        for i, (shape, size) in enumerate(zip(self._entry_shape.tolist(), sizes, strict=True)):
            key = (shape, min(size, 3))
            code = codes.get(key)
            if code is None:
                s = self._shapes[shape]
                value = _importance(s.kind, s.role, s.weak_label, size)
                code = codes[key] = values.setdefault(value, len(values))
            importance[i] = code
        self._importance = importance
        self._importance_values = list(values)  # code -> importance
        value_of = np.asarray(self._importance_values or [0.0], dtype=np.float64)[importance]
        candidates = np.flatnonzero(value_of > 0)
        ranked = candidates[np.lexsort((candidates, -value_of[candidates]))]
        kinds = sorted({s.kind for s in self._shapes})
        kind_of = np.asarray([kinds.index(s.kind) for s in self._shapes], dtype=np.uint8)[self._entry_shape[ranked]]
        self._by_kind_order = {kind: _u32(ranked[kind_of == n]) for n, kind in enumerate(kinds)}
        # Per document, documents in the order of their first figure.
        documents = self._entry_documents()
        _, first = np.unique(documents, return_index=True)
        document_rank = np.zeros(self._document_count, np.int64)
        document_rank[documents[np.sort(first)]] = np.arange(len(first))
        rank = document_rank[documents[candidates]]
        self._overview_order = _u32(candidates[np.lexsort((candidates, -value_of[candidates], rank))])
        self._overview_offsets = _offsets(np.bincount(rank, minlength=len(first)))

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

    def lookup(self, topic: str, limit: int = 5) -> list[FigureGroup]:
        """Figures about a topic, best first; figures that measure the same thing come together."""
        topic = " ".join(str(topic or "").split())[:MAX_TOPIC_CHARS]
        if not topic:
            return self.overview()
        if limit <= 0:
            return []
        intent = _parse_topic(topic)
        if not intent.terms:
            return self._by_kind(intent, limit)
        weights = {t: self._idf(t) for t in dict.fromkeys(intent.terms)}
        candidates, scores = self._scores(weights, intent)
        keep = scores > 0
        best = self._best_of_groups(candidates[keep], scores[keep], max(1, limit))
        return [self._group(self._members(b), best=b, best_first=intent.role is not None) for b in best]

    def _best_of_groups(self, candidates: np.ndarray, scores: np.ndarray, limit: int) -> list[int]:
        """The best figure of each of the first ``limit`` groups, ranking figures by score (then position).

        Only the top of the ranking is sorted: the figures scoring at least the k-th best score are a
        prefix of it, and enough when they hold ``limit`` groups; else k grows."""
        k = 4 * limit + 60
        while True:
            if k < scores.size:
                threshold = np.partition(scores, scores.size - k)[scores.size - k]
                top = np.flatnonzero(scores >= threshold)
            else:
                top = np.arange(scores.size)
            ranked = candidates[top][np.lexsort((candidates[top], -scores[top]))]
            firsts = _firsts(self._entry_group[ranked])
            if firsts.size >= limit or top.size == scores.size:
                return ranked[firsts[:limit]].tolist()
            k *= 4

    def lookup_json(self, topic: str, limit: int = 5) -> dict[str, object]:
        return lookup_to_json(topic, self.lookup(topic, limit))

    def _idf(self, term: str) -> float:
        number = self._vocabulary.number(term)
        df = 0 if number is None else int(self._df[number])
        return math.log(1.0 + self._sentence_count / (1 + df))

    def _scores(self, weights: dict[str, float], intent: _Intent) -> tuple[np.ndarray, np.ndarray]:
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
            in_sentences = _ranges(self._sentence_entries[sentences], self._sentence_entries[sentences + 1])
            in_sentences = in_sentences.astype(np.uint32)  # figure numbers are 32-bit throughout
            hits.append(
                (in_sentences, self._by_label.ids_of(term), self._by_near.ids_of(term), self._by_near.extra_of(term))
            )
        found = [ids for hit in hits if hit is not None for ids in hit[:2]]
        candidates = _unique(np.concatenate(found)) if found else np.empty(0, np.uint32)
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
            return sum(w * (1 - (d - 1) / _NEAR_TOKENS) for w, d in zip(ws, row, strict=True) if d)

        sentence = _per_distinct_row(in_sentence, 1, matched)
        label = _per_distinct_row(in_label, 1, matched)
        scores = (0.45 * sentence + 0.35 * label + 0.2 * _per_distinct_row(near, 3, nearness)) / sum(ws)
        scores[(sentence == 0) & (label == 0)] = 0.0
        # Kind, role and label strength multiply the score, in the order ``_factors`` gives.
        classes = self._shape_class[self._entry_shape[candidates]]
        for klass in _unique(classes).tolist():
            factors = _factors(self._classes[klass], intent)
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
        return FigureGroup(label=first.label, family=family(first.figure), members=tuple(kept))

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
            if not any(t == text and _jaccard(terms_of(k), terms_of(i)) >= DUPLICATE_OVERLAP for k, t in kept):
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

    def _by_kind(self, intent: _Intent, limit: int) -> list[FigureGroup]:
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
        out: list[FigureGroup] = []
        for a, b in itertools.pairwise(self._overview_offsets.tolist()):
            candidates = self._overview_order[a:b]  # by importance, then position
            chosen: dict[int, list[int]] = {}
            for i, gid in zip(candidates.tolist(), self._entry_group[candidates].tolist(), strict=True):
                if gid not in chosen and len(chosen) >= max(0, limit_per_document):
                    continue
                chosen.setdefault(gid, []).append(i)
            # Reading order within the document.
            for members in sorted(chosen.values(), key=min):
                out.append(self._group(np.asarray(sorted(members), dtype=np.int64)))
        return out

    # -- labels ------------------------------------------------------------------------------

    def labels(self) -> list[str]:
        return list(self._labels)

    def complete(self, prefix: str, limit: int = 25) -> list[str]:
        return self._completion.complete(prefix, limit)


def _jaccard(a: frozenset[Hashable], b: frozenset[Hashable]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def _distinctive(kind: str, value: float) -> bool:
    """A value unlikely to recur by chance within one document."""
    if kind in {"year", "date", "duration"}:
        return False
    if kind == "money":
        return True
    return kind in {"count", "rate"} and value >= 1000


# ------------------------------------------------------------------------------------ grouping


def _labels_match(a: frozenset[str], b: frozenset[str]) -> float:
    """How well two labels name the same thing: 1 when one contains the other, else Dice."""
    if not a or not b:
        return 0.0
    if a <= b or b <= a:
        return 1.0
    dice = 2 * len(a & b) / (len(a) + len(b))
    return dice if dice > _DICE_THRESHOLD else 0.0


# Dice above this (or one label containing the other) makes two labels name the same thing.
_DICE_THRESHOLD = 0.6
# A Dice score above the threshold needs |a ∩ b| > t·|a| / (2 - t) shared tokens, whatever the size of b:
# |a ∩ b| <= |b| gives 2|a ∩ b| > t(|a| + |b|) >= t(|a| + |a ∩ b|).
_MIN_SHARED_SHARE = _DICE_THRESHOLD / (2 - _DICE_THRESHOLD)


def _cluster(
    families: Sequence[str], labels: Sequence[frozenset[str]], values: Sequence[Hashable | None]
) -> list[list[int]]:
    """Greedy grouping of figures given, per figure, its family, its label's terms and its distinctive value key
    (None if not distinctive): each figure joins the same-family group whose first label matches its own best
    (the earliest such group on a tie), else starts a group; then groups sharing a value key are merged.
    See ``_Groups`` for how it stays near-linear."""
    grouper = _Groups(labels)
    for i, (family_, terms) in enumerate(zip(families, labels, strict=True)):
        grouper.add(i, family_, terms)
    return _merge_by_value(values, grouper.groups)


class _Groups:
    """The groups being built, with three inverted indexes over their representative labels.

    A figure only scores above zero against a representative that shares a label token with it, so
    comparing it with every group of its family (quadratic: millions of comparisons for a few thousand
    passages) is wasted work. Tokens are put in one global order, rarest first, and a representative
    ``a`` is found for a figure's label ``b`` by one of three exact filters:

    - ``a ⊆ b`` (score 1): ``a``'s rarest token is one of ``b``'s, so ``a`` is filed under its rarest token
      only and looked up with every token of ``b``;
    - ``b ⊆ a`` (score 1): ``a`` holds every token of ``b``: walk, in group order, the groups holding
      ``b``'s least-filed token; the first one holding all of ``b`` is the earliest;
    - Dice above the threshold (prefix filtering, as in set-similarity joins): they share at least
      ``k`` tokens, so their first shared token (in the global order) is among the first ``|a| - k + 1``
      tokens of ``a`` and the first ``|b| - k + 1`` of ``b``, with ``k`` bounded from each side alone.

    The candidates found are a superset of the groups scoring above zero, and the choice among them is
    the same as scanning every group: highest score, then lowest group number. So the groups are
    exactly those of the plain scan, and each comparison is with a handful of groups sharing a rare token.
    """

    def __init__(self, labels: Iterable[frozenset[str]]) -> None:
        frequency: Counter[str] = Counter(term for terms in labels for term in terms)
        self._rank = {term: n for n, term in enumerate(sorted(frequency, key=lambda t: (frequency[t], t)))}
        self.groups: list[list[int]] = []
        self._representative: list[frozenset[str]] = []
        self._by_rarest: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._by_prefix: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._by_term: dict[tuple[str, str], list[int]] = defaultdict(list)  # group numbers, ascending

    def add(self, i: int, family: str, terms: frozenset[str]) -> None:
        best = self._best(family, terms)
        if best < 0:
            best = self._new_group(family, terms)
        self.groups[best].append(i)

    def _ordered(self, terms: frozenset[str]) -> list[str]:
        return sorted(terms, key=self._rank.__getitem__)

    def _new_group(self, family: str, terms: frozenset[str]) -> int:
        gid = len(self.groups)
        self.groups.append([])
        self._representative.append(terms)
        ordered = self._ordered(terms)
        if ordered:
            self._by_rarest[(family, ordered[0])].append(gid)
        for term in ordered[: _prefix_length(len(ordered))]:
            self._by_prefix[(family, term)].append(gid)
        for term in ordered:
            self._by_term[(family, term)].append(gid)
        return gid

    def _best(self, family: str, terms: frozenset[str]) -> int:
        """The group a label joins (-1: none), as a scan of every group of the family would choose it."""
        if not terms:
            return -1
        ordered = self._ordered(terms)
        exact = [
            gid
            for term in ordered
            for gid in self._by_rarest.get((family, term), ())
            if self._representative[gid] <= terms
        ]
        superset = self._first_superset(family, terms, ordered)
        if superset >= 0:
            exact.append(superset)
        if exact:  # score 1 is the highest there is: the earliest such group wins
            return min(exact)
        best, best_score = -1, 0.0
        candidates: set[int] = set()
        for term in ordered[: _prefix_length(len(ordered))]:
            candidates.update(self._by_prefix.get((family, term), ()))
        for gid in sorted(candidates):
            score = _labels_match(self._representative[gid], terms)
            if score > best_score:
                best, best_score = gid, score
        return best

    def _first_superset(self, family: str, terms: frozenset[str], ordered: list[str]) -> int:
        lists = [self._by_term.get((family, term), []) for term in ordered]
        shortest = min(lists, key=len)
        return next((gid for gid in shortest if terms <= self._representative[gid]), -1)


def _prefix_length(size: int) -> int:
    """How many of a label's rarest tokens must include a token shared with any label it can match by Dice."""
    # The epsilon keeps float error on the safe side: a smaller bound only means a longer prefix.
    min_shared = math.floor(_MIN_SHARED_SHARE * size - 1e-9) + 1
    return max(1, size - min_shared + 1)


def _merge_by_value(values: Sequence[Hashable | None], groups: list[list[int]]) -> list[list[int]]:
    """Groups holding the same distinctive value in one document (the same key, not None) are one group."""
    parent = list(range(len(groups)))

    def find(g: int) -> int:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    owner: dict[Hashable, int] = {}
    for gid, members in enumerate(groups):
        for i in members:
            key = values[i]
            if key is None:
                continue
            if key in owner:
                a, b = find(owner[key]), find(gid)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[key] = gid
    merged: dict[int, list[int]] = defaultdict(list)
    for gid, members in enumerate(groups):
        merged[find(gid)].extend(members)
    return [sorted(members) for _, members in sorted(merged.items())]


# ------------------------------------------------------------------------------ autocomplete


class _Completer:
    """Prefix completion over labels: whole-label prefixes first, then any word's prefix.

    Each index is a sorted list of keys with a parallel array of label numbers (sorted by key, then
    number), rather than a list of (key, number) tuples: the same order, a fraction of the memory."""

    def __init__(self, labels: Sequence[str]) -> None:
        self._labels = list(labels)
        words: dict[str, str] = {}  # one string per distinct word

        def folded(text: str) -> str:
            key = text.casefold()
            return text if key == text else key

        by_label = sorted((folded(label), i) for i, label in enumerate(self._labels))
        by_word = sorted(
            {(words.setdefault(w, w), i) for i, label in enumerate(self._labels) for w in label.casefold().split()}
        )
        self._label_keys = [key for key, _ in by_label]
        self._label_ids = _u32([i for _, i in by_label])
        self._word_keys = [key for key, _ in by_word]
        self._word_ids = _u32([i for _, i in by_word])

    def complete(self, prefix: object, limit: int = 25) -> list[str]:
        try:
            limit = max(0, min(int(limit), 1000))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            limit = 25
        if limit == 0:
            return []
        text = " ".join(str(prefix if prefix is not None else "").split())[:MAX_LABEL_CHARS].casefold()
        if not text:
            return self._labels[:limit]
        found: list[int] = []
        seen: set[int] = set()
        for keys, ids in ((self._label_keys, self._label_ids), (self._word_keys, self._word_ids)):
            # The first key >= text: where (text, -1) would go among the (key, number) pairs.
            at = bisect.bisect_left(keys, text)
            while at < len(keys) and keys[at].startswith(text) and len(found) < limit:
                i = int(ids[at])
                if i not in seen:
                    seen.add(i)
                    found.append(i)
                at += 1
        return [self._labels[i] for i in found[:limit]]


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


# -------------------------------------------------------------------------- engine integration


def sentence_refs(engine: Engine) -> list[SentenceRef]:
    """Every sentence of an engine's passages, with its citation and document offsets."""
    return list(_iter_sentence_refs(engine))


def _iter_sentence_refs(engine: Engine) -> Iterator[SentenceRef]:
    for passage in engine.passages:
        paragraphs = passage.sentence_paragraphs or (passage.paragraph,) * len(passage.sentences)
        for (start, end), paragraph in zip(passage.sentences, paragraphs, strict=False):
            yield SentenceRef(
                text=passage.text[start:end],
                citation=engine.citation(passage, paragraph),
                start=passage.start + start,
                end=passage.start + end,
            )
