"""Holding a claim up to the documents: the best-matching sentences, and its figures compared.

The claim is searched like a question (same sentences, same "not in the documents" rule). Each
figure the claim states (same extraction as ``/figures``; years and dates are context, not claims)
is looked up among the corpus figures of the same family — same currency for money, counts with
counts — whose label shares a word with the claim. The verdict compares values only, and says no
more than a text match can: "matches", "close to", "differs from", or "no figure for this".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from bot.engine.engine import Engine
from bot.engine.figure_answers import distance_to_year, scored_figures
from bot.engine.figures.grouping import family
from bot.engine.figures.index import IndexedFigure, figure_to_json
from bot.engine.figures.parse import Figure, extract_figures
from bot.engine.models import Answer, Frozen
from bot.engine.text.stopwords import STOPWORDS
from bot.engine.text.tokens import ANSWER_TYPES, tokenize

Verdict = Literal["match", "near", "differs", "not_found"]

# Relative differences: within 1% is the same figure written differently ("29,000" / "29,090");
# within 10% is close (a rounded or earlier estimate); beyond that the numbers differ.
MATCH_TOLERANCE = 0.01
NEAR_TOLERANCE = 0.10
MAX_CLAIM_CHARS = 1000
_CONTEXT_KINDS = {"year", "date"}


class FigureComparison(Frozen):
    claimed: Figure
    verdict: Verdict
    corpus: tuple[IndexedFigure, ...] = ()  # the same measure in the documents, best match first

    @property
    def summary(self) -> str:
        said = _said(self.claimed)
        if not self.corpus:
            return f"the message says {said}; the documents give no figure for this"
        best = self.corpus[0]
        verb = {"match": "match it", "near": "are close", "differs": "differ"}.get(self.verdict, "")
        return f"the message says {said}; the documents say {_said(best.figure)} ({best.figure.label}) — they {verb}"


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
                }
                for c in self.comparisons
            ],
            "corpus_version": self.answer.corpus_version,
        }


def _said(figure: Figure) -> str:
    return f"{figure.qualifier} {figure.text}" if figure.qualifier else figure.text


def verdict_for(claimed: float, documented: float) -> Verdict:
    scale = max(abs(claimed), abs(documented)) or 1.0
    difference = abs(claimed - documented) / scale
    if difference <= MATCH_TOLERANCE:
        return "match"
    if difference <= NEAR_TOLERANCE:
        return "near"
    return "differs"


def _words(text: str) -> set[str]:
    return {t for t in tokenize(text) if t not in ANSWER_TYPES and not t[0].isdigit()}


def compare_figure(
    engine: Engine, claim: str, claimed: Figure, years: frozenset[str] = frozenset()
) -> FigureComparison:
    """The corpus figures that measure what ``claimed`` measures, best first, with a verdict.

    Candidates are the figures ``/figures`` would show for the claim's words (``scored_figures``),
    kept only when they can measure the same thing: the same family (currency, count, rate...), a
    word of the claim in their label or beside them in their sentence, and no place or period of the
    claim missing from their sentence and document title. The best of them is the measure; every
    figure of its group (the same measure in the documents: a previous and a revised value, say) is
    compared, and one equal to the claim's value makes it a match.
    """
    topic = (claim[: claimed.start] + " " + claim[claimed.end :]).strip()
    wanted_family = family(claimed)
    claim_words = _words(claimed.label) | _words(topic)
    context = _context_words(claim)
    document_words: dict[str, frozenset[str]] = {}
    scored: list[tuple[float, IndexedFigure]] = []
    for score, _, member in scored_figures(engine, topic):  # each figure once: a figure has one group
        if family(member.figure) != wanted_family:
            continue
        if not claim_words & (_words(member.figure.label) | _near_words(member)):
            continue
        document = member.citation.document
        if document not in document_words:
            found = engine.document(document)
            document_words[document] = _plain_words(found.text if found else member.sentence)
        if not context <= document_words[document] or not _same_period(member, years):
            continue
        scored.append((score, member))
    if not scored:
        return FigureComparison(claimed=claimed, verdict="not_found")
    if years:  # a figure stated beside the claim's year is the one for that year
        scored.sort(key=lambda entry: distance_to_year(entry[1], years))
    best_score, best = scored[0]
    # The measure: the best figure's group, and figures scored about as well (the same measure
    # stated in another sentence, which the index grouped apart).
    measure = [m for s, m in scored if m.group == best.group or s >= best_score - SAME_MEASURE_MARGIN]
    agreeing = [m for m in measure if verdict_for(claimed.value, m.figure.value) == "match"]
    if agreeing:
        measure.remove(agreeing[0])
        measure.insert(0, agreeing[0])
    verdict = verdict_for(claimed.value, measure[0].figure.value)
    if verdict == "near" and not _words(claimed.label) <= _words(measure[0].sentence):
        # "Close" says both figures measure one thing: only when the documented figure's sentence
        # names everything the claim's figure measures. Otherwise the values merely differ.
        verdict = "differs"
    return FigureComparison(claimed=claimed, verdict=verdict, corpus=tuple(measure[:3]))


# Words around a figure, in characters each side, that say what it measures.
NEAR_CHARS = 60
# Corpus figures scored within this of the best one may be the same measure stated elsewhere
# (chosen on the dev figure set).
SAME_MEASURE_MARGIN = 0.3
_MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday".split()
)
_CAPITALISED = re.compile(r"\b([A-Z][a-z]+|[A-Z]{2,}[a-z]?)\b")


def _near_words(member: IndexedFigure) -> set[str]:
    start, end = member.figure.start, member.figure.end
    return _words(member.sentence[max(0, start - NEAR_CHARS) : end + NEAR_CHARS])


def _context_words(claim: str) -> frozenset[str]:
    """Names in the claim (places, bodies, schemes: capitalised words), which the document of a corpus
    figure must name too for it to measure the same thing: "Scotland's prison population" is not
    measured by a document about England alone."""
    words = {m.group(1).lower() for m in _CAPITALISED.finditer(claim)}
    return frozenset(w for w in words if w not in _MONTHS and w not in STOPWORDS)


def _plain_words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", text.lower()))


def _start_years(texts: Iterable[str]) -> set[str]:
    """The four-digit years named: "2024-25" names 2024."""
    return {year for text in texts for year in re.findall(r"\b(?:19|20)\d\d", text)}


def _same_period(member: IndexedFigure, years: frozenset[str]) -> bool:
    """A claim about one year is not about a figure its sentence states for other years only."""
    claimed, stated = _start_years(years), _start_years([member.sentence])
    return not (claimed and stated and not claimed & stated)


def check_claim(engine: Engine, claim: str, max_sentences: int = 3) -> ClaimCheck:
    claim = " ".join(claim.split())[:MAX_CLAIM_CHARS]
    answer = engine.ask(claim, max_sentences)
    figures = extract_figures(claim)
    years = frozenset(f.text for f in figures if f.kind == "year")
    comparisons = tuple(
        compare_figure(engine, claim, figure, years) for figure in figures if figure.kind not in _CONTEXT_KINDS
    )
    return ClaimCheck(claim=claim, answer=answer, comparisons=comparisons)
