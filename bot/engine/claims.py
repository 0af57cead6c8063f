"""Holding a claim up to the documents: the best-matching sentences, and its figures compared.

The claim is searched like a question (same sentences, same "not in the documents" rule). Each
figure the claim states (same extraction as ``/figures``; years and dates are context, not claims)
is compared only with corpus figures that can measure the same thing:

- the same family (money in one currency, counts with counts, percentages...; a bare number in a
  claim about money may be an amount), the same kind of value (a change with a change; "£220m more"
  is an addition, stated as a plain amount) and the same unit ("per MWh" is "per megawatt hour");
- a word of what the claim measures in the figure's label or its own words (not a neighbour's in a
  list); names (places, bodies) are context, which the figure's document must name (or abbreviate);
- what the claim measures named: by the figure's document, and by more than half in its paragraph
  (or its label is part of the claim's: "migrants" for "small boat migrants"), or at least in part
  when the value is the claim's;
- no other subject in the claim's slot ("probation officers" for "prison officers", "in England" for
  "in Wales"), no other period (2024-25 against the 2023-24 value), not what someone calls for
  ("calling for a £15 minimum wage"), and no value a hundred times off.

The verdict says no more than the text does: "matches" when the values agree at the precision both
are written to; "close" only when the documented sentence names what the claim measures; an earlier
value superseded in its own sentence ("doubled from £3,000 to £6,000") matches only a claim about the
past or its year. Anything else of the measure "differs", and every documented value is shown with its
role; a measure the documents lack is "not found", the nearest figures of other measures only related.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Literal

from bot.engine.engine import Engine
from bot.engine.figure_answers import PUNCTUATION_BREAK, asked_years, distance_to_year, scored_figures
from bot.engine.figures.grouping import distinctive, family
from bot.engine.figures.index import IndexedFigure, figure_to_json
from bot.engine.figures.lexicon import (
    AUXILIARIES,
    CHANGE_WORDS,
    COMPARATIVES,
    ED_NOUNS,
    GENERIC_WORDS,
    ING_NOUNS,
    PERIODS,
    STOP,
    VALUE_VERBS,
    VERBS,
)
from bot.engine.figures.parse import ROLE_WORDING, Figure, extract_figures
from bot.engine.models import Answer, Frozen
from bot.engine.text.stopwords import STOPWORDS
from bot.engine.text.tokens import ANSWER_TYPES, tokenize

Verdict = Literal["match", "near", "differs", "not_found"]

# Relative differences: within 1% (and equal at the precision both are written to) is the same figure
# written differently ("29,000" / "29,090", "£38.7k" / "£38,700"); within 10% is close (a rounded or
# earlier estimate); beyond that the numbers differ.
MATCH_TOLERANCE = 0.01
NEAR_TOLERANCE = 0.10
MAX_CLAIM_CHARS = 1000
MAX_DOCUMENTED = 6  # values of one measure shown side by side: a revision, a forecast, a target...
MAX_RELATED = 2  # figures of other measures offered when the documents lack the claim's
_CONTEXT_KINDS = {"year", "date"}


class FigureComparison(Frozen):
    claimed: Figure
    verdict: Verdict
    corpus: tuple[IndexedFigure, ...] = ()  # the same measure in the documents, the one compared first
    related: tuple[IndexedFigure, ...] = ()  # "not_found" only: other measures near the claim's words, not compared

    @property
    def documented(self) -> tuple[IndexedFigure, ...]:
        """Every value of the measure the documents give, once each, the one compared first."""
        seen: set[float] = set()
        out = []
        for member in self.corpus:
            key = member.figure.value  # a value repeated (a lead restated in the body) is shown once
            if key not in seen:
                seen.add(key)
                out.append(member)
        return tuple(out)

    @property
    def summary(self) -> str:
        said = _said(self.claimed)
        if not self.corpus:
            line = f"the message says {said}; the documents give no figure for this"
            if self.related:
                others = "; ".join(f"{_said(m.figure)} ({m.figure.label})" for m in self.related)
                line += f" (related figures of other measures, not compared: {others})"
            return line
        best = self.corpus[0]
        verb = {"match": "match it", "near": "are close", "differs": "differ"}.get(self.verdict, "")
        line = f"the message says {said}; the documents say {_said(best.figure)} ({best.figure.label}) — they {verb}"
        values = self.documented
        if self.verdict != "match" and len(values) > 1:
            line += "; every value they give for it: " + "; ".join(documented_text(m) for m in values)
        return line


def documented_text(member: IndexedFigure) -> str:
    """ "£6,000 a year (new value, payments doubled)": a documented value with its role and label."""
    notes = [ROLE_WORDING.get(member.figure.role, member.figure.role)] if member.figure.role else []
    return f"{_said(member.figure)} ({', '.join([*notes, member.figure.label])})"


class ClaimCheck(Frozen):
    claim: str
    answer: Answer
    comparisons: tuple[FigureComparison, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "claim": self.claim,
            "answered": self.answer.answered,
            "sentences": self.answer.to_json()["sentences"],
            "closest": self.answer.to_json()["closest"],
            "figures": [
                {
                    "claimed": {
                        "text": c.claimed.text,
                        "value": c.claimed.value,
                        "kind": c.claimed.kind,
                        "unit": c.claimed.unit,
                        "label": c.claimed.label,
                    },
                    "verdict": c.verdict,
                    "summary": c.summary,
                    "corpus": [figure_to_json(f) for f in c.corpus],
                    "documented": [figure_to_json(f) for f in c.documented],
                    "related": [figure_to_json(f) for f in c.related],
                }
                for c in self.comparisons
            ],
            "corpus_version": self.answer.corpus_version,
        }


def _said(figure: Figure) -> str:
    return f"{figure.qualifier} {figure.text}" if figure.qualifier else figure.text


# ----------------------------------------------------------------------------------------- values

_NUMERAL = re.compile(r"\d[\d,]*(?:\.(\d+))?")


def precision(figure: Figure) -> float | None:
    """The step a figure is written to: 100 for "169,500", £100m for "£2.4bn", 0.1 for "9.1%";
    None when it is written in words ("a million")."""
    found = _NUMERAL.search(figure.text)
    if found is None:
        return None
    digits = found.group(0).replace(",", "")
    written = float(digits)
    if written == 0:
        return None
    scale = figure.value / written  # "bn", "k", pence...: what one written unit is worth
    if found.group(1):
        return abs(scale) * 10.0 ** -len(found.group(1))
    whole = digits.split(".")[0]
    return abs(scale) * 10.0 ** (len(whole) - len(whole.rstrip("0")))


def _rounded(value: float, step: float) -> int:
    return math.floor(value / step + 0.5)


def verdict_for(claimed: float, documented: float, step: float | None = None) -> Verdict:
    """Compare two values; ``step`` is the coarser precision they are written to, if known: "169,500"
    and "169,050" are within 1% but not the same number written two ways."""
    scale = max(abs(claimed), abs(documented)) or 1.0
    difference = abs(claimed - documented) / scale
    if difference <= MATCH_TOLERANCE and (step is None or _rounded(claimed, step) == _rounded(documented, step)):
        return "match"
    if difference <= NEAR_TOLERANCE:
        return "near"
    return "differs"


def compare_values(claimed: Figure, documented: Figure) -> Verdict:
    steps = [s for s in (precision(claimed), precision(documented)) if s is not None]
    return verdict_for(claimed.value, documented.value, max(steps) if steps else None)


# ------------------------------------------------------------------------------------------ words


def _words(text: str) -> set[str]:
    return {t for t in tokenize(text) if t not in ANSWER_TYPES and not t[0].isdigit()}


# Words that say a quantity is stated, not which quantity ("hit", "cost", "is"): sharing one of
# them does not make two figures measure the same thing.
_NOT_MEASURE = frozenset(_words(" ".join(VALUE_VERBS | AUXILIARIES)))
# A bare number in a claim that speaks of money may be an amount ("the freeze costs 2.4 billion").
_MONEY_WORDS = re.compile(r"\b(cost|costs|costing|spent|spend|spending|budget|funding|funded|paid|pay|worth|price)\b")


def _families(claimed: Figure, claim: str) -> frozenset[str]:
    """The families of corpus figures that can measure what the claim's figure does."""
    families = {family(claimed)}
    if claimed.kind == "count" and claimed.unit is None and _MONEY_WORDS.search(claim.lower()):
        currency = ("money:GBP", "money:USD", "money:EUR")
        families |= {f"{c}:change" if claimed.role == "change" else c for c in currency}
    if claimed.role is None and any(w.lower() in CHANGE_WORDS for w in _raw_words(claim)):
        # "rose 11.8%": the claim may state a change its wording did not mark as one.
        families |= {f"{f}:change" for f in families}
    beside = _raw_words(claim[: claimed.start])[-1:] + _raw_words(claim[claimed.end :])[:1]
    if claimed.role == "change" and any(w.lower() in _ADDITION_WORDS for w in beside):
        # "£220 million more", "an extra £15m": an addition, which documents state as a plain amount
        # ("an additional £220m").
        families |= {f.removesuffix(":change") for f in families}
    return frozenset(families)


_ADDITION_WORDS = frozenset({"more", "extra", "additional", "further", "another"})


# Words around a figure, in characters each side, that may say what it measures.
NEAR_CHARS = 150
_LIST_BREAK = re.compile(r"[,;:]")


@lru_cache(maxsize=4096)
def _figure_spans(sentence: str) -> tuple[tuple[int, int], ...]:
    """Where the sentence's figures stand (years and dates left out: they are context, not items)."""
    return tuple((f.start, f.end) for f in extract_figures(sentence) if f.kind not in _CONTEXT_KINDS)


def own_text(sentence: str, start: int, end: int) -> str:
    """The words around a figure that are its own: up to ``NEAR_CHARS`` each side, stopping at a list
    separator that has another figure beyond it ("physics £30,000; maths £28,000": maths is £28,000's)."""
    left, right = max(0, start - NEAR_CHARS), min(len(sentence), end + NEAR_CHARS)
    for other_start, other_end in _figure_spans(sentence):
        if other_end <= start:
            breaks = list(_LIST_BREAK.finditer(sentence, other_end, start))
            if breaks:
                left = max(left, breaks[-1].end())
        elif other_start >= end:
            found = _LIST_BREAK.search(sentence, end, other_start)
            if found:
                right = min(right, found.start())
    return sentence[left:start] + " " + sentence[end:right]


_MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday".split()
)
_CAPITALISED = re.compile(r"\b([A-Z][a-z]+|[A-Z]{2,}[a-z]?)\b")
_RAW_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")


def _context_words(claim: str) -> frozenset[str]:
    """Names in the claim (places, bodies, schemes: capitalised words), which the document of a corpus
    figure must name too for it to measure the same thing: "Scotland's prison population" is not
    measured by a document about England alone."""
    words = {m.group(1).lower() for m in _CAPITALISED.finditer(claim)}
    return frozenset(w for w in words if w not in _MONTHS and w not in STOPWORDS)


# A run of capitalised words, small words allowed inside ("Department for Education").
_NAME_RUN = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:(?:of|for|and|the)\s+)?[A-Z][a-z]+)+")


def _acronyms(text: str) -> frozenset[str]:
    """The initials of the names in a text, as a claim may abbreviate them: "lga" for "Local
    Government Association", "gb" for "Great British" (every run of two or more capitalised words)."""
    out = set()
    for run in _NAME_RUN.finditer(text):
        initials = [w[0].lower() for w in run.group(0).split() if w[:1].isupper()]
        for i in range(len(initials)):
            for j in range(i + 2, len(initials) + 1):
                out.add("".join(initials[i:j]))
    return frozenset(out)


def _plain_words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", text.lower()))


def _is_subject_word(word: str) -> bool:
    """A word that can say which thing is measured ("prison", "solar"), not how it is said: no verb
    (the lexicon's, or a participle in -ed), function word, generic quantity word or comparative."""
    folded = word.lower()
    return not (
        any(c.isdigit() for c in folded)
        or (folded.endswith("ed") and folded not in ED_NOUNS)
        or (folded.endswith("ing") and folded not in ING_NOUNS)
        or folded in STOP
        or folded in STOPWORDS
        or folded in VERBS
        or folded in GENERIC_WORDS
        or folded in COMPARATIVES
    )


def _stems(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


def _raw_words(text: str) -> list[str]:
    return _RAW_WORD.findall(text)


def contradicted(claim_topic: str, sentence: str) -> frozenset[str]:
    """The claim's words the sentence contradicts by naming another thing in their place: the claim's
    "prison officers" against the sentence's "probation officers", "solar projects" against "wind
    projects", "in Wales" against "in England". Only a word the sentence lacks can be contradicted, and
    only by a word of the same place in the phrase (before the same noun; a name after the same
    preposition); names before a noun ("GB Energy") are left to the names rule, as they are often
    spelt out or abbreviated ("Great British Energy"). Returned as stems, the phrase's noun included
    ("prison", "offic")."""
    claim_words = _raw_words(claim_topic)
    claim_stems = {s for w in claim_words for s in _stems(w)}
    sentence_words = _raw_words(sentence)
    sentence_stems = [_stems(w) for w in sentence_words]
    present = {s for stems in sentence_stems for s in stems}
    for n, (before, after) in enumerate(pairwise(claim_words)):
        if before.isupper() or (n > 0 and before[:1].isupper()):
            continue
        missing = _stems(before)
        if not missing or missing <= present or not (_is_subject_word(before) and _is_subject_word(after)):
            continue
        head = _stems(after)  # "prison officers": is "officers" preceded by another subject word?
        for i, stems in enumerate(sentence_stems[1:], start=1):
            other = sentence_words[i - 1]
            if stems == head and _is_subject_word(other) and not _stems(other) <= claim_stems:
                return missing | head
    for preposition, name in pairwise(claim_words):
        if not (name[:1].isupper() and preposition.lower() in _NAME_PREPOSITIONS) or _stems(name) <= present:
            continue
        for i, word in enumerate(sentence_words[:-1]):  # "in Wales" against "in England"
            other = sentence_words[i + 1]
            if word.lower() == preposition.lower() and other[:1].isupper() and other.lower() not in _MONTHS:
                return _stems(name)
    return frozenset()


# Prepositions before a place or body ("in Wales", "across Scotland").
_NAME_PREPOSITIONS = frozenset({"in", "across", "throughout", "for", "outside"})


# ----------------------------------------------------------------------------------------- periods


def _start_years(texts: Iterable[str]) -> set[str]:
    """The four-digit years named: "2024-25" names 2024."""
    return {year for text in texts for year in re.findall(r"\b(?:19|20)\d\d", text)}


def _same_period(member: IndexedFigure, years: frozenset[str]) -> bool:
    """A claim about one year is not about a figure its sentence states for other years only."""
    claimed, stated = _start_years(years), _start_years([member.sentence])
    return not (claimed and stated and not claimed & stated)


def stated_for_year(member: IndexedFigure, years: frozenset[str]) -> bool:
    """Whether a figure is the one its sentence gives for the claim's year: no other year of the
    sentence stands nearer to it ("£2.8bn in 2024-25, up from £2.3bn in 2023-24"). A sentence naming
    no other year leaves the figure's period open."""
    if not years:
        return True
    claimed = _start_years(years)
    others = frozenset(y for y in asked_years(member.sentence) if not _start_years([y]) <= claimed)
    return not others or distance_to_year(member, years) <= distance_to_year(member, others)


def _dated_by(member: IndexedFigure, years: frozenset[str]) -> bool:
    """Whether the claim names the year its sentence gives the figure for ("£2.3bn in 2023-24")."""
    named = _start_years(years) & _start_years([member.sentence])
    return bool(named) and stated_for_year(member, years)


# A claim about the past may name an earlier value; otherwise a value superseded in its own sentence
# ("doubled from £3,000 to £6,000") is not what the measure is now.
_EARLIER = re.compile(
    r"\b(before|previous(ly)?|original(ly)?|earlier|used to|former(ly)?|initial(ly)?|at first|"
    r"first (estimated?|set|announced)|last year|until|had been|up from|down from)\b"
)


def _superseded_by(member: IndexedFigure, measure: Sequence[IndexedFigure]) -> IndexedFigure | None:
    """The newer value of the same sentence that an earlier value ("from") gave way to, if any."""
    if member.figure.role != "from":
        return None
    return next(
        (
            m
            for m in measure
            if m.sentence == member.sentence
            and m.citation.document == member.citation.document
            and m.figure.role in {None, "to"}
            and m.figure.value != member.figure.value
        ),
        None,
    )


# ------------------------------------------------------------------------------------------ compare

# Corpus figures scored within this of the best one may be the same measure stated elsewhere
# (chosen on the dev figure set).
SAME_MEASURE_MARGIN = 0.3
# A figure of another value is the claim's measure only when its label, sentence and document title
# name at least this share of what the claim's figure measures (its label's words, or the claim's).
MIN_SUBJECT_SHARE = 0.5


def _subject_words(claimed: Figure, topic: str, context: frozenset[str]) -> list[str]:
    """The words of what the claim's figure measures, as written: its label's subject words ("prison
    officers"), else the claim's; names (places, bodies) are context, not the measure."""
    topic_stems = _words(topic)

    def subject(word: str) -> bool:
        stems = _stems(word)
        return bool(stems) and _is_subject_word(word) and word.lower() not in context and not stems & _NOT_MEASURE

    own = [w for w in _raw_words(claimed.label) if subject(w) and _stems(w) <= topic_stems]
    return own or [w for w in _raw_words(topic) if subject(w)]


def _uses(document_words: frozenset[str], word: str) -> bool:
    """Whether a document uses a word, in the singular or plural ("kids", "kid"; "fixed-bottom")."""
    parts = re.findall(r"[a-z0-9]+", word.lower())
    return bool(parts) and all(any(form in document_words for form in _number_forms(p)) for p in parts)


def _number_forms(word: str) -> tuple[str, ...]:
    """A noun's singular and plural spellings ("bursary", "bursaries"): not stems, which would take
    "roughly" for "rough"."""
    if word.endswith("ies"):
        return (word, f"{word[:-3]}y")
    if word.endswith("y"):
        return (word, f"{word[:-1]}ies")
    if word.endswith("s"):
        return (word, word[:-1], word[:-2] if word.endswith("es") else word)
    return (word, f"{word}s", f"{word}es")


# Units a rate is counted per, written two ways ("per MWh", "per megawatt hour").
_PER_SPELLINGS = {"megawatt hour": "mwh", "kilowatt hour": "kwh", "gigawatt hour": "gwh", "annum": "year", "l": "litre"}


# Wording that makes a figure what someone asks for, not what the measure is: "calling for a £15
# minimum wage", "advocated a £40,000 salary threshold".
_PROPOSAL = re.compile(
    r"\b(call(s|ed|ing)? for|urg(e|es|ed|ing)|demand(s|ed|ing)?|propos(e|es|ed|ing|al|als)|push(es|ed|ing)? for|"
    r"advocat(e|es|ed|ing)|campaign(s|ed|ing)? for|(deal|agreement) to|lobb(y|ies|ied|ying) for|"
    r"want(s|ed)?|would like)\b"
)


def proposed(sentence: str, start: int) -> bool:
    """Whether the clause a figure stands in proposes or demands it."""
    before = sentence[:start]
    breaks = list(PUNCTUATION_BREAK.finditer(before))
    return bool(_PROPOSAL.search(before[breaks[-1].end() if breaks else 0 :].lower()))


# A documented value this many times larger or smaller than the claim's measures something else (a
# total against a monthly amount), not the claim's figure misstated (by a slip of a digit or a scale).
MAX_SIZE_RATIO = 100.0


def _comparable_size(claimed: float, documented: float) -> bool:
    small, large = sorted((abs(claimed), abs(documented)))
    return small > 0 and large / small <= MAX_SIZE_RATIO


def _same_per(claimed: str | None, documented: str | None) -> bool:
    """A rate per year is not a rate per mile; a figure with no "per" may be either."""
    if claimed is None or documented is None:
        return True

    def canonical(per: str) -> str:
        folded = " ".join(per.lower().split())
        return _PER_SPELLINGS.get(folded, PERIODS.get(folded, folded))

    return canonical(claimed) == canonical(documented)


def _setting(engine: Engine, member: IndexedFigure) -> str:
    """A figure's paragraph and document title: what it is stated about ("in England" said once at the
    top of a paragraph holds for its sentences; a bullet far below does not)."""
    passage = engine.passage(member.citation.passage_id)
    return f"{passage.text if passage else member.sentence} {member.citation.title}"


def compare_figure(
    engine: Engine, claim: str, claimed: Figure, years: frozenset[str] = frozenset()
) -> FigureComparison:
    """The corpus figures that measure what ``claimed`` measures, best first, with a verdict.

    Candidates are the figures ``/figures`` would show for the claim's words (``scored_figures``),
    kept only when they can measure the same thing (see the module's docstring). The best of them is
    the measure; every figure of its group (the same measure in the documents: a previous and a
    revised value, say) is compared, and one equal to the claim's value makes it a match.
    """
    topic = (claim[: claimed.start] + " " + claim[claimed.end :]).strip()
    wanted = _families(claimed, claim)
    context = _context_words(claim)
    # The claim's words that may say what it measures; names are context, which alone names no measure.
    measure_words = (_words(claimed.label) | _words(topic)) - {s for name in context for s in _stems(name)}
    subject = _subject_words(claimed, topic, context)
    subject_stems = {s for w in subject for s in _stems(w)}
    half_subject = MIN_SUBJECT_SHARE * len(subject)
    claim_proposes = bool(_PROPOSAL.search(claim.lower()))
    half_stems = MIN_SUBJECT_SHARE * len(subject_stems)
    document_words: dict[str, frozenset[str]] = {}
    kept: list[tuple[float, IndexedFigure]] = []
    related: list[IndexedFigure] = []
    moved: frozenset[str] = frozenset()  # the claim's words its own value is documented against
    exact_elsewhere = False  # the claim's value stands in the documents, whatever it measures there
    for score, _, member in scored_figures(engine, topic):  # each figure once: a figure has one group
        figure = member.figure
        if figure.kind in _CONTEXT_KINDS:
            continue
        same_value = compare_values(claimed, figure) == "match"
        exact_elsewhere |= same_value
        found = engine.document(member.citation.document)
        against = contradicted(topic, member.sentence)
        if same_value and against and distinctive(figure.kind, figure.value):
            moved |= against
        own = _words(figure.label) | _words(own_text(member.sentence, figure.start, figure.end))
        if not measure_words & own:
            continue
        document = member.citation.document
        if document not in document_words:
            text = found.text if found else member.sentence
            document_words[document] = _plain_words(text) | _acronyms(text)
        setting = _setting(engine, member)
        named = _words(f"{figure.label} {setting}")
        covered = len(subject_stems & named)
        # A label naming part of what the claim measures and nothing else ("migrants" for the claim's
        # "small boat migrants") is the same measure, said more broadly.
        label_subject = {s for w in _raw_words(figure.label) if _is_subject_word(w) for s in _stems(w)}
        broader = bool(label_subject) and label_subject <= subject_stems
        if (
            family(figure) not in wanted
            or not _same_per(claimed.per, figure.per)
            or not (same_value or _comparable_size(claimed.value, figure.value))
            or (proposed(member.sentence, figure.start) and not claim_proposes)
            or not context <= document_words[document]
            or not _same_period(member, years)
            or against
            # A document that does not use most of the claim's words for what it measures does not measure
            # it, whatever its values: "nurses" in a document about teachers' pay.
            or sum(_uses(document_words[document], w) for w in subject) < half_subject
            # A figure whose paragraph names less than half of what the claim measures is vouched for only
            # by its value, and then only if it names some of it ("£700m" for a claim about bins is not).
            or (covered < half_stems and not broader and not (same_value and covered))
        ):
            if family(figure) in wanted and subject_stems & named:
                related.append(member)  # the same kind of number about the claim's words, another measure
            continue
        kept.append((score, member))
    # The claim's value stands in the documents for another thing ("probation officers" for the claim's
    # "prison officers"): only a figure that names the claim's own thing can measure it.
    scored = [(s, m) for s, m in kept if moved <= _stems(f"{m.figure.label} {m.sentence} {m.citation.title}")]
    if not scored:
        return FigureComparison(claimed=claimed, verdict="not_found", related=tuple(related[:MAX_RELATED]))
    if years:  # a figure stated beside the claim's year is the one for that year
        scored.sort(key=lambda entry: distance_to_year(entry[1], years))
    best_score, best = scored[0]
    # The measure: the best figure's group, and figures scored about as well (the same measure
    # stated in another sentence, which the index grouped apart).
    measure = [m for s, m in scored if m.group == best.group or s >= best_score - SAME_MEASURE_MARGIN]
    kept_figures = [m for _, m in scored]
    about_past = bool(_EARLIER.search(claim.lower()))
    # Every kept figure can measure what the claim does: one of them equal to the claim's value (for its
    # year, and not superseded in its own sentence) makes a match, the measure's best first.
    agreeing = sorted(
        (
            m
            for m in kept_figures
            if compare_values(claimed, m.figure) == "match"
            and stated_for_year(m, years)
            and (about_past or _dated_by(m, years) or _superseded_by(m, kept_figures) is None)
        ),
        key=lambda m: m not in measure,
    )
    if agreeing:
        first = agreeing[0]
        if first not in measure:  # the claim's value is of a figure the best one was not grouped with
            measure = [m for m in kept_figures if m.group == first.group]
    else:
        # The claim gives a superseded value: the value that replaced it is what the documents say now.
        stale = next((m for m in kept_figures if compare_values(claimed, m.figure) == "match"), None)
        newer = _superseded_by(stale, kept_figures) if stale is not None and not about_past else None
        if newer is not None and newer not in measure:
            measure.append(newer)
        # Otherwise the figure of the claim's year; without a year, a value of the measure within 10% is
        # likely the one the claim misstates (rather than the best-scored value, which may be far off).
        nearest = min(measure, key=lambda m: abs(m.figure.value - claimed.value))
        misstated = nearest if not years and compare_values(claimed, nearest.figure) == "near" else None
        first = newer or misstated or measure[0]
    measure.remove(first)
    measure.insert(0, first)
    verdict = compare_values(claimed, first.figure) if agreeing else _not_equal(claimed, first, best)
    if verdict == "near" and exact_elsewhere:
        # The documents state the claim's very number for something: the claim may be quoting that, so
        # another value of this measure is not a near miss of it.
        verdict = "differs"
    return FigureComparison(claimed=claimed, verdict=verdict, corpus=tuple(measure[:MAX_DOCUMENTED]))


def _not_equal(claimed: Figure, documented: IndexedFigure, best: IndexedFigure) -> Verdict:
    """The verdict on a figure of the measure that is not the claim's value (or is, for another period)."""
    verdict = compare_values(claimed, documented.figure)
    if verdict == "match":  # the same number, but for another period or superseded: it differs
        return "differs"
    if verdict == "near" and (
        documented.group != best.group or not _words(claimed.label) <= _words(documented.sentence)
    ):
        # "Close" says both figures measure one thing: only when the index grouped the documented figure
        # with the measure's best one and its sentence names everything the claim's figure measures.
        # Otherwise the values merely differ.
        return "differs"
    return verdict


def check_claim(engine: Engine, claim: str, max_sentences: int = 3) -> ClaimCheck:
    claim = " ".join(claim.split())[:MAX_CLAIM_CHARS]
    answer = engine.ask(claim, max_sentences)
    figures = extract_figures(claim)
    years = frozenset(f.text for f in figures if f.kind == "year")
    comparisons = tuple(
        compare_figure(engine, claim, figure, years) for figure in figures if figure.kind not in _CONTEXT_KINDS
    )
    return ClaimCheck(claim=claim, answer=answer, comparisons=comparisons)
