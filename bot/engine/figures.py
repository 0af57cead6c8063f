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
(``_Groups``).

Lookup. A topic's tokens (the shared tokenizer's: stemmed, stopwords out, numbers normalised) are
matched against each figure's sentence, label and nearby words, each term weighted by its
rarity among the indexed sentences. The wording also says what kind of figure is wanted ("how
much" → money, "how many" → counts, "what percentage", "how long", "when") and which value of a
revision ("new"/"latest" → the value a change went *to*; "previous"/"old" → the one it came
*from*); these words steer the ranking instead of being matched as topic words.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.engine.figures_parse import MAX_LABEL_CHARS, Figure, Kind, Role, extract_figures
from bot.engine.models import Citation, Frozen
from bot.engine.tokens import ANSWER_TYPES, MONEY, NUMBER, PERCENT, YEAR, answer_type_words, question_tokens, tokenize
from bot.engine.tokens import stem as _stem

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
    figures: tuple[Figure, ...] | None = None  # already extracted (bot.engine.analysis), or None
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
    if figure.kind == "money":
        base = f"money:{figure.unit}"
    elif figure.kind in {"count", "rate"}:
        base = "count"
    elif figure.kind in {"year", "date"}:
        return "time"
    else:
        base = figure.kind
    return f"{base}:change" if figure.role == "change" else base


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
class _Entry:
    item: IndexedFigure
    family: str
    label_terms: frozenset[str]
    sentence_terms: frozenset[str]
    near_terms: dict[str, int]  # term -> distance in tokens from the figure (1 = adjacent)
    order: int  # position in the corpus, for reading order


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


# -------------------------------------------------------------------------------------- index


class FigureIndex:
    """Figures of a corpus, grouped, searchable by topic, with label autocompletion."""

    def __init__(self, entries: Sequence[_Entry]) -> None:
        self._entries = list(entries)
        self._groups = _cluster(self._entries)
        for gid, members in enumerate(self._groups):
            for i in members:
                entry = self._entries[i]
                entry.item = entry.item.model_copy(update={"group": gid})
        df: Counter[str] = Counter()
        seen_sentences: set[str] = set()
        for entry in self._entries:
            if entry.item.sentence not in seen_sentences:
                seen_sentences.add(entry.item.sentence)
                df.update(entry.sentence_terms)
        self._df = df
        self._sentence_count = max(1, len(seen_sentences))
        self._labels = _distinct_labels(self._entries)
        self._completion = _Completer(self._labels)

    @classmethod
    def build(cls, items: Iterable[SentenceRef]) -> FigureIndex:
        entries: list[_Entry] = []
        for ref in items:
            sentence = ref.text
            figures = extract_figures(sentence) if ref.figures is None else ref.figures
            if not figures:
                continue
            # A sentence's terms once, not once per figure: a line dense with amounts would be quadratic.
            sentence_terms = _terms(sentence) if ref.terms is None else ref.terms
            for figure in figures:
                item = IndexedFigure(
                    figure=figure,
                    sentence=sentence,
                    citation=ref.citation,
                    start=ref.start + figure.start,
                    end=ref.start + figure.end,
                )
                entries.append(_entry(item, len(entries), sentence_terms))
        _borrow_labels(entries)
        return cls(entries)

    @classmethod
    def from_engine(cls, engine: Engine) -> FigureIndex:
        return cls.build(sentence_refs(engine))

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def figures(self) -> list[IndexedFigure]:
        return [entry.item for entry in self._entries]

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
        scores = [self._score(entry, weights, intent) for entry in self._entries]
        return self._groups_by_score(scores, limit, best_first=intent.role is not None)

    def lookup_json(self, topic: str, limit: int = 5) -> dict[str, object]:
        return lookup_to_json(topic, self.lookup(topic, limit))

    def _idf(self, term: str) -> float:
        return math.log(1.0 + self._sentence_count / (1 + self._df.get(term, 0)))

    def _score(self, entry: _Entry, weights: dict[str, float], intent: _Intent) -> float:
        total = sum(weights.values())
        sentence = sum(w for t, w in weights.items() if t in entry.sentence_terms)
        label = sum(w for t, w in weights.items() if t in entry.label_terms)
        if sentence == 0 and label == 0:
            return 0.0
        # Words close to the figure count more: "2021 saw 28,526 migrants" is about 28,526.
        near = sum(
            w * (1 - (entry.near_terms[t] - 1) / _NEAR_TOKENS) for t, w in weights.items() if t in entry.near_terms
        )
        score = (0.45 * sentence + 0.35 * label + 0.2 * near) / total
        figure = entry.item.figure
        if intent.kinds and figure.kind not in intent.kinds:
            score *= 0.5
        if figure.kind in {"year", "date"} and not intent.kinds & {"year", "date"}:
            score *= 0.3
        if figure.kind == "duration" and "duration" not in intent.kinds:
            score *= 0.7
        if intent.role and figure.role == intent.role:
            score *= 1.2
        elif figure.role == "change" and intent.role != "change":
            score *= 0.85
        if figure.weak_label:
            score *= 0.9
        return score

    def _groups_by_score(self, scores: Sequence[float], limit: int, best_first: bool = False) -> list[FigureGroup]:
        ranked = sorted((i for i, s in enumerate(scores) if s > 0), key=lambda i: (-scores[i], i))
        groups: list[FigureGroup] = []
        seen: set[int] = set()
        for i in ranked:
            gid = self._entries[i].item.group
            if gid in seen:
                continue
            seen.add(gid)
            groups.append(self._group(self._groups[gid], best=i, best_first=best_first))
            if len(groups) >= max(1, limit):
                break
        return groups

    def _group(self, members: Sequence[int], best: int | None = None, best_first: bool = False) -> FigureGroup:
        """A group's figures: the best match's sentence first, then the rest in reading order.

        Reading order is by document date (undated last), then position, so a revision reads
        forward in time; figures of one sentence stay together in their order ("from 606,000 to
        745,000"), unless the topic asked for one of them ("the new ...") which then leads.
        """
        ordered = sorted(members, key=self._reading_key)
        if best is not None:
            anchor = self._sentence_key(best)
            ordered = [m for m in ordered if self._sentence_key(m) == anchor] + [
                m for m in ordered if self._sentence_key(m) != anchor
            ]
            if best_first:
                ordered = [best] + [m for m in ordered if m != best]
        kept = _dedupe([self._entries[m] for m in ordered])[:MAX_GROUP_MEMBERS]
        first = kept[0].item
        return FigureGroup(label=first.label, family=family(first.figure), members=tuple(e.item for e in kept))

    def _reading_key(self, i: int) -> tuple[bool, str, int]:
        date = self._entries[i].item.citation.date
        return (date is None, date or "", i)

    def _sentence_key(self, i: int) -> tuple[str, int]:
        item = self._entries[i].item
        return (item.citation.document, item.start - item.figure.start)

    def _by_kind(self, intent: _Intent, limit: int) -> list[FigureGroup]:
        """A topic that only names a kind ("how much?"): the most informative figures of that kind."""
        if not intent.kinds:
            return []
        scores = [_importance(entry) if entry.item.figure.kind in intent.kinds else 0.0 for entry in self._entries]
        return self._groups_by_score(scores, limit)

    # -- overview ----------------------------------------------------------------------------

    def overview(self, limit_per_document: int = 5) -> list[FigureGroup]:
        """Key figures of each document: amounts, counts, percentages and rates with real labels."""
        by_document: dict[str, list[int]] = defaultdict(list)
        for i, entry in enumerate(self._entries):
            by_document[entry.item.citation.document].append(i)
        out: list[FigureGroup] = []
        for indices in by_document.values():
            candidates = sorted(
                (i for i in indices if _importance(self._entries[i]) > 0),
                key=lambda i: (-_importance(self._entries[i]), i),
            )
            chosen: dict[int, list[int]] = {}
            for i in candidates:
                gid = self._entries[i].item.group
                if gid not in chosen and len(chosen) >= max(0, limit_per_document):
                    continue
                chosen.setdefault(gid, []).append(i)
            # Reading order within the document.
            for members in sorted(chosen.values(), key=min):
                out.append(self._group(sorted(members)))
        return out

    # -- labels ------------------------------------------------------------------------------

    def labels(self) -> list[str]:
        return list(self._labels)

    def complete(self, prefix: str, limit: int = 25) -> list[str]:
        return self._completion.complete(prefix, limit)


def _entry(item: IndexedFigure, order: int, sentence_terms: frozenset[str] | None = None) -> _Entry:
    return _Entry(
        item=item,
        family=family(item.figure),
        label_terms=_terms(item.figure.label),
        sentence_terms=_terms(item.sentence) if sentence_terms is None else sentence_terms,
        near_terms=_near_terms(item.sentence, item.figure),
        order=order,
    )


def _importance(entry: _Entry) -> float:
    figure = entry.item.figure
    weight = _KIND_WEIGHT.get(figure.kind, 0.0)
    if weight == 0 or figure.weak_label or not entry.label_terms:
        return 0.0
    if figure.role == "change":
        weight -= 0.5
    return weight + 0.1 * min(len(entry.label_terms), 3)


def _dedupe(entries: Sequence[_Entry]) -> list[_Entry]:
    """The same figure in (nearly) the same words — a caption repeating the text — is shown once."""
    out: list[_Entry] = []
    for entry in entries:
        figure = entry.item.figure
        if not any(
            other.item.figure.text == figure.text
            and _jaccard(other.sentence_terms, entry.sentence_terms) >= DUPLICATE_OVERLAP
            for other in out
        ):
            out.append(entry)
    return out


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


# --------------------------------------------------------------------- labels borrowed by value


def _distinctive(figure: Figure) -> bool:
    """A value unlikely to recur by chance within one document."""
    if figure.kind in {"year", "date", "duration"}:
        return False
    if figure.kind == "money":
        return True
    return figure.kind in {"count", "rate"} and figure.value >= 1000


def _borrow_labels(entries: list[_Entry]) -> None:
    """A figure with only a weak label ("that figure of £15million") takes the label of the same
    value stated elsewhere in its document with a recognised label."""
    strong: dict[tuple[str, str, float], _Entry] = {}
    for entry in entries:
        figure = entry.item.figure
        if _distinctive(figure) and not figure.weak_label:
            strong.setdefault((entry.item.citation.document, entry.family, figure.value), entry)
    for entry in entries:
        figure = entry.item.figure
        if not (figure.weak_label and _distinctive(figure)):
            continue
        source = strong.get((entry.item.citation.document, entry.family, figure.value))
        if source is None:
            continue
        new_figure = figure.model_copy(update={"label": source.item.figure.label, "weak_label": False})
        entry.item = entry.item.model_copy(update={"figure": new_figure})
        entry.label_terms = source.label_terms


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


def _cluster(entries: Sequence[_Entry]) -> list[list[int]]:
    """Greedy grouping: each figure joins the same-family group whose first label matches its own best
    (the earliest such group on a tie), else starts a group. See ``_Groups`` for how it stays near-linear."""
    grouper = _Groups(entries)
    for i, entry in enumerate(entries):
        grouper.add(i, entry)
    return _merge_by_value(entries, grouper.groups)


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

    def __init__(self, entries: Sequence[_Entry]) -> None:
        frequency: Counter[str] = Counter(term for entry in entries for term in entry.label_terms)
        self._rank = {term: n for n, term in enumerate(sorted(frequency, key=lambda t: (frequency[t], t)))}
        self.groups: list[list[int]] = []
        self._representative: list[frozenset[str]] = []
        self._by_rarest: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._by_prefix: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._by_term: dict[tuple[str, str], list[int]] = defaultdict(list)  # group numbers, ascending

    def add(self, i: int, entry: _Entry) -> None:
        best = self._best(entry.family, entry.label_terms)
        if best < 0:
            best = self._new_group(entry.family, entry.label_terms)
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


def _merge_by_value(entries: Sequence[_Entry], groups: list[list[int]]) -> list[list[int]]:
    """Groups holding the same distinctive value in one document are one group."""
    parent = list(range(len(groups)))

    def find(g: int) -> int:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    owner: dict[tuple[str, str, float], int] = {}
    for gid, members in enumerate(groups):
        for i in members:
            entry = entries[i]
            if not _distinctive(entry.item.figure):
                continue
            key = (entry.item.citation.document, entry.family, entry.item.figure.value)
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


def _distinct_labels(entries: Sequence[_Entry]) -> list[str]:
    """Labels worth offering: of non-date figures, not weak; most frequent first."""
    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for entry in entries:
        figure = entry.item.figure
        if figure.kind in {"year", "date"} or figure.weak_label:
            continue
        label = " ".join(figure.label.split())[:MAX_LABEL_CHARS]
        key = label.casefold()
        if not key:
            continue
        spelling.setdefault(key, label)
        counts[key] += 1
    return [spelling[key] for key in sorted(counts, key=lambda k: (-counts[k], k))]


class _Completer:
    """Prefix completion over labels: whole-label prefixes first, then any word's prefix."""

    def __init__(self, labels: Sequence[str]) -> None:
        self._labels = list(labels)
        self._by_label = sorted((label.casefold(), i) for i, label in enumerate(self._labels))
        self._by_word = sorted({(word, i) for i, label in enumerate(self._labels) for word in label.casefold().split()})

    def complete(self, prefix: object, limit: int = 25) -> list[str]:
        try:
            limit = max(0, min(int(limit), 1000))
        except (TypeError, ValueError):
            limit = 25
        if limit == 0:
            return []
        text = " ".join(str(prefix if prefix is not None else "").split())[:MAX_LABEL_CHARS].casefold()
        if not text:
            return self._labels[:limit]
        found: list[int] = []
        seen: set[int] = set()
        for index in (self._by_label, self._by_word):
            start = bisect.bisect_left(index, (text, -1))
            for key, i in index[start:]:
                if not key.startswith(text) or len(found) >= limit:
                    break
                if i not in seen:
                    seen.add(i)
                    found.append(i)
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
    refs: list[SentenceRef] = []
    for passage in engine.passages:
        paragraphs = passage.sentence_paragraphs or (passage.paragraph,) * len(passage.sentences)
        for (start, end), paragraph in zip(passage.sentences, paragraphs, strict=False):
            refs.append(
                SentenceRef(
                    text=passage.text[start:end],
                    citation=engine.citation(passage, paragraph),
                    start=passage.start + start,
                    end=passage.start + end,
                )
            )
    return refs
