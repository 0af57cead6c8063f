"""Holding a claim up to the documents: the best-matching sentences, and its figures compared.

The claim is searched like a question (same sentences, same "not in the documents" rule). Each
figure the claim states (same extraction as ``/figures``; years and dates are context, not claims)
is looked up among the corpus figures of the same family — same currency for money, counts with
counts — whose label shares a word with the claim. The verdict compares values only, and says no
more than a text match can: "matches", "close to", "differs from", or "no figure for this".
"""

from __future__ import annotations

from typing import Literal

from bot.engine.engine import Engine
from bot.engine.figures.index import IndexedFigure, family, figure_to_json
from bot.engine.figures.parse import Figure, extract_figures
from bot.engine.models import Answer, Frozen
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
    """Corpus figures measuring what ``claimed`` measures, best first, with a verdict.

    Candidates are ordered by closeness to a year the claim names ("in 2021"), then by how many
    words of the claim's label their own label shares; among equally good ones, a figure that
    agrees with the claim leads ("they match").
    """
    topic = (claim[: claimed.start] + " " + claim[claimed.end :]).strip()
    wanted_family = family(claimed)
    claim_words = _words(claimed.label) or _words(topic)
    topic_words = _words(claimed.label) | _words(topic)
    candidates: list[IndexedFigure] = []
    for group in engine.figures.lookup(topic, limit=8):
        for member in group.members:
            if family(member.figure) != wanted_family or member in candidates:
                continue
            if not claim_words & (_words(member.figure.label) | _words(member.sentence)):
                continue
            candidates.append(member)
    if not candidates:
        return FigureComparison(claimed=claimed, verdict="not_found")

    def rank(member: IndexedFigure) -> tuple[int, int]:
        return _distance_to_year(member, years), -len(topic_words & _words(member.figure.label))

    candidates.sort(key=rank)  # stable: lookup order breaks ties
    # Among the figures that measure the claim's thing equally well, one that agrees leads.
    best_rank = rank(candidates[0])
    agreeing = [
        m for m in candidates if rank(m) == best_rank and verdict_for(claimed.value, m.figure.value) != "differs"
    ]
    if agreeing:
        candidates.remove(agreeing[0])
        candidates.insert(0, agreeing[0])
    return FigureComparison(
        claimed=claimed,
        verdict=verdict_for(claimed.value, candidates[0].figure.value),
        corpus=tuple(candidates[:3]),
    )


def _distance_to_year(member: IndexedFigure, years: frozenset[str]) -> int:
    """Characters between a corpus figure and the nearest mention of one of the claim's years."""
    positions = [i for year in years for i in _find_all(member.sentence, year)]
    if not positions:
        return 1 << 30
    return min(abs(i - member.figure.start) for i in positions)


def _find_all(text: str, needle: str) -> list[int]:
    found, start = [], text.find(needle)
    while start >= 0:
        found.append(start)
        start = text.find(needle, start + 1)
    return found


def check_claim(engine: Engine, claim: str, max_sentences: int = 3) -> ClaimCheck:
    claim = " ".join(claim.split())[:MAX_CLAIM_CHARS]
    answer = engine.ask(claim, max_sentences)
    figures = extract_figures(claim)
    years = frozenset(f.text for f in figures if f.kind == "year")
    comparisons = tuple(
        compare_figure(engine, claim, figure, years) for figure in figures if figure.kind not in _CONTEXT_KINDS
    )
    return ClaimCheck(claim=claim, answer=answer, comparisons=comparisons)
