"""A claim checked: its best-matching sentences, and each of its figures compared with the corpus figures
that measure the same thing, brought together from the other modules into one verdict per figure."""

from __future__ import annotations

import re

from bot.engine.claims.measures import comparable_size, families, same_per
from bot.engine.claims.periods import (
    EARLIER,
    about_future,
    current_for,
    projected,
    same_period,
    stated_for_year,
    superseded_by,
    then_changed,
)
from bot.engine.claims.verdicts import Verdict, compare_values
from bot.engine.claims.wording import (
    CONTEXT_KINDS,
    acronyms,
    context_words,
    contradicted,
    formal,
    is_subject_word,
    local_names,
    months_named,
    named_in,
    own_text,
    plain_words,
    raw_words,
    stems,
    subject_words,
    uses,
    words,
)
from bot.engine.engine import Engine
from bot.engine.figure_answers import distance_to_year, scored_figures
from bot.engine.figures.grouping import distinctive, family
from bot.engine.figures.index import IndexedFigure, figure_to_json
from bot.engine.figures.lexicon import IDENTIFIER_WORDS
from bot.engine.figures.parse import ROLE_WORDING, Figure, extract_figures
from bot.engine.figures.stance import PROPOSAL, proposed
from bot.engine.models import Answer, Frozen

MAX_CLAIM_CHARS = 1000
MAX_DOCUMENTED = 6  # values of one measure shown side by side: a revision, a forecast, a target...
MAX_RELATED = 2  # figures of other measures offered when the documents lack the claim's


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


# Corpus figures scored within this of the best one may be the same measure stated elsewhere
# (chosen on the dev figure set).
SAME_MEASURE_MARGIN = 0.3
# A figure of another value is the claim's measure only when its label, sentence and document title
# name at least this share of what the claim's figure measures (its label's words, or the claim's).
MIN_SUBJECT_SHARE = 0.5
# Groups holding the claim's very value that are compared besides the topic's own.
SAME_VALUE_GROUPS = 3


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
    kept only when they can measure the same thing (see the package's docstring). The best of them is
    the measure; every figure of its group (the same measure in the documents: a previous and a
    revised value, say) is compared, and one equal to the claim's value makes it a match.
    """
    topic = (claim[: claimed.start] + " " + claim[claimed.end :]).strip()
    wanted = families(claimed, claim)
    context = context_words(claim)
    # The claim's words that may say what it measures; names are context, which alone names no measure.
    context_stems = {s for name in context for s in stems(name)}
    measure_words = (words(claimed.label) | words(topic)) - context_stems
    subject = subject_words(claimed, topic, context)
    subject_stems = {s for w in subject for s in stems(w)}
    half_subject = MIN_SUBJECT_SHARE * len(subject)
    claim_proposes = bool(PROPOSAL.search(claim.lower()))
    half_stems = MIN_SUBJECT_SHARE * len(subject_stems)
    document_words: dict[str, frozenset[str]] = {}
    document_local: dict[str, frozenset[str]] = {}  # the claim's names each document gives only here and there
    kept: list[tuple[float, IndexedFigure]] = []
    related: list[IndexedFigure] = []
    moved: frozenset[str] = frozenset()  # the claim's words its own value is documented against
    exact_elsewhere = False  # the claim's value stands in the documents, whatever it measures there
    # The groups where the claim's very number stands join the topic's: a sentence may state it in other
    # words than the claim ("Universities can charge up to £9,790" for "tuition fees capped at £9.79k").
    value_groups = engine.figures.lookup(topic, limit=SAME_VALUE_GROUPS, value=claimed.value)
    # Without the "clause" signal: it put the figure asked first more often (figure questions), but here it
    # lost two held-out claims' measures and made one "close" across measures (bench.figure_quality).
    for score, _, member in scored_figures(engine, topic, also=value_groups, clauses=False):  # each figure once
        figure = member.figure
        if figure.kind in CONTEXT_KINDS:
            continue
        same_value = compare_values(claimed, figure) == "match"
        exact_elsewhere |= same_value
        found = engine.document(member.citation.document)
        against = contradicted(topic, member.sentence)
        if same_value and against and distinctive(figure.kind, figure.value):
            moved |= against
        own = words(figure.label) | words(own_text(member.sentence, figure.start, figure.end))
        # The claim's very value, if distinctive and said of a name the claim gives, may be stated in other words
        # ("Universities can charge up to £9,790" for "Uni tuition fees capped at £9.79k"); a list's other item
        # ("maths £28,000" for "physics trainees get £28,000") names none.
        restated = same_value and distinctive(figure.kind, figure.value) and bool(own & context_stems)
        if not measure_words & own and not restated:
            continue
        document = member.citation.document
        if document not in document_words:
            text = found.text if found else member.sentence
            document_words[document] = plain_words(text) | acronyms(text)
            # A publisher names what its whole document is about: "Hollin Bay Borough Council".
            heading = f"{member.citation.title} {member.citation.source or ''}"
            document_local[document] = local_names(claim, text, heading)
        setting = _setting(engine, member)
        named = words(f"{figure.label} {setting}")
        covered = len(subject_stems & named)
        # A label naming part of what the claim measures and nothing else ("migrants" for the claim's
        # "small boat migrants") is the same measure, said more broadly.
        label_subject = {s for w in raw_words(figure.label) if is_subject_word(w) for s in stems(w)}
        broader = bool(label_subject) and label_subject <= subject_stems
        if (
            family(figure) not in wanted
            or not same_per(claimed.per, figure.per)
            or not (same_value or comparable_size(claimed.value, figure.value))
            or (proposed(member.sentence, figure.start) and not claim_proposes)
            or not all(named_in(name, document_words[document]) for name in context)
            # A name the document gives only here and there must be given where the figure stands:
            # "Scotland's waiting list" is not the figure of a paragraph about England.
            or not all(named_in(name, plain_words(setting)) for name in document_local[document])
            or not same_period(member, years)
            or against
            # A document that does not use most of the claim's words for what it measures does not measure
            # it, whatever its values: "nurses" in a document about teachers' pay.
            or sum(uses(document_words[document], w) for w in subject) < half_subject
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
    scored = [(s, m) for s, m in kept if moved <= stems(f"{m.figure.label} {m.sentence} {m.citation.title}")]
    if not scored:
        return FigureComparison(claimed=claimed, verdict="not_found", related=tuple(related[:MAX_RELATED]))
    if years:  # a figure stated beside the claim's year is the one for that year
        scored.sort(key=lambda entry: distance_to_year(entry[1], years))
    best_score, best = scored[0]
    # The measure: the best figure's group, and figures scored about as well (the same measure
    # stated in another sentence, which the index grouped apart).
    measure = [m for s, m in scored if m.group == best.group or s >= best_score - SAME_MEASURE_MARGIN]
    kept_figures = [m for _, m in scored]
    # A value revised in its own sentence is measured with the value it was revised to, even when that one's
    # label took other words and the checks above left it out: "the December figure has been revised down
    # from 47:32 to 47:05" leaves 47:32 no longer what the documents say.
    for member in list(kept_figures):
        revised = revised_to(engine, member)
        if revised is not None and revised not in kept_figures:
            kept_figures.append(revised)
    about_past = bool(EARLIER.search(claim.lower()))
    # A claim of what is now, naming no year, is not borne out by a projection for a later year.
    projections = [] if years or about_past or about_future(claim) else [m for m in kept_figures if projected(m)]
    # Every kept figure can measure what the claim does: one of them equal to the claim's value (for its
    # year, not superseded in its own sentence, not projected when the claim speaks of now) makes a match,
    # the measure's best first.
    agreeing = sorted(
        (
            m
            for m in kept_figures
            if compare_values(claimed, m.figure) == "match"
            and stated_for_year(m, years)
            and (about_past or current_for(m, kept_figures, years))
            and m not in projections
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
        newer = superseded_by(stale, kept_figures) if stale is not None and not about_past else None
        if newer is not None and newer not in measure:
            measure.append(newer)
        # Otherwise the figure of the claim's year; without a year, a value of the measure within 10% is
        # likely the one the claim misstates (rather than the best-scored value, which may be far off).
        # A claim that names its month is about that month's value: "31.9 million appointments in
        # December" misstates December's 30.4 million, not October's 33.1 million.
        months = months_named(claim)
        candidates = [m for m in measure if months & months_named(m.sentence)] or measure
        # The claim states a projection as now: what the documents give for now comes first.
        candidates = [m for m in candidates if m not in projections] or candidates
        nearest = min(candidates, key=lambda m: abs(m.figure.value - claimed.value))
        misstated = nearest if not years and compare_values(claimed, nearest.figure) == "near" else None
        first = newer or misstated or candidates[0]
    measure.remove(first)
    measure.insert(0, first)
    verdict = compare_values(claimed, first.figure) if agreeing else _not_equal(claim, claimed, first, best)
    if verdict == "near" and exact_elsewhere:
        # The documents state the claim's very number for something: the claim may be quoting that, so
        # another value of this measure is not a near miss of it.
        verdict = "differs"
    return FigureComparison(claimed=claimed, verdict=verdict, corpus=tuple(measure[:MAX_DOCUMENTED]))


def revised_to(engine: Engine, member: IndexedFigure) -> IndexedFigure | None:
    """The value an earlier value ("from") was revised or changed to in its own sentence, or a new value was
    "then" changed to, as the figure index holds it: the first such value after it, of the same family."""
    if member.figure.role not in {"from", "to"}:
        return None
    sentence, end = member.sentence, member.figure.end
    new = next(
        (
            f
            for f in extract_figures(sentence)
            if f.start >= end
            and family(f) == family(member.figure)
            and (f.role == "to" if member.figure.role == "from" else then_changed(sentence, end, f.start))
        ),
        None,
    )
    if new is None:
        return None
    for group in engine.figures.lookup(member.sentence, limit=SAME_VALUE_GROUPS, value=new.value):
        for found in group.members:
            if found.sentence == member.sentence and found.citation.document == member.citation.document:
                return found
    return None


def _not_equal(claim: str, claimed: Figure, documented: IndexedFigure, best: IndexedFigure) -> Verdict:
    """The verdict on a figure of the measure that is not the claim's value (or is, for another period)."""
    verdict = compare_values(claimed, documented.figure)
    if verdict == "match":  # the same number, but for another period or superseded: it differs
        return "differs"
    asked_months, stated_months = months_named(claim), months_named(documented.sentence)
    if verdict == "near" and asked_months and stated_months and not asked_months & stated_months:
        # A value for another month ("October's 33.1 million" for a claim about December) is not a near
        # miss of the claim's: the two are different figures.
        return "differs"
    if verdict == "near" and (documented.group != best.group or not words(claimed.label) <= words(documented.sentence)):
        # "Close" says both figures measure one thing: only when the index grouped the documented figure
        # with the measure's best one and its sentence names everything the claim's figure measures.
        # Otherwise the values merely differ.
        return "differs"
    return verdict


_LAST_WORD = re.compile(r"([A-Za-z]+)\W{0,2}$")
MAX_NAMING_NUMBER = 100  # "category 2", "plan 5": small whole numbers after a naming word
_COUNTING_WORDS = frozenset({"year", "number", "no"})  # "each year 40 people...", "the number 40"


def names_a_thing(text: str, figure: Figure) -> bool:
    """A bare small whole number after a word that numbers things ("category 2", "plan 5"), whatever
    its case: the scanner keeps lower-case ones as numbers, since a document may count with them."""
    before = _LAST_WORD.search(text, 0, figure.start)
    return (
        before is not None
        and before.group(1).lower() in IDENTIFIER_WORDS - _COUNTING_WORDS
        and figure.kind == "count"
        and figure.text.isdigit()
        and figure.value < MAX_NAMING_NUMBER
    )


def check_claim(engine: Engine, claim: str, max_sentences: int = 3) -> ClaimCheck:
    claim = " ".join(claim.split())[:MAX_CLAIM_CHARS]
    answer = engine.ask(claim, max_sentences)
    # Compared in the documents' words ("kids" are children); the claim is shown as written.
    reading = formal(claim)
    figures = extract_figures(reading)
    years = frozenset(f.text for f in figures if f.kind == "year")
    claimed = [f for f in figures if f.kind not in CONTEXT_KINDS]
    # "the plan 5 threshold is £28,000": typed in lower case, "plan 5" names a plan; the claim is £28,000.
    claimed = [f for f in claimed if not names_a_thing(reading, f)] or claimed
    comparisons = tuple(compare_figure(engine, reading, figure, years) for figure in claimed)
    return ClaimCheck(claim=claim, answer=answer, comparisons=comparisons)
