"""Experiments on answer quality: variants of ranking and abstention, scored like ``bench.quality``.

    python -m bench.quality_probe                    # every variant on seed-dev and corpus-b
    python -m bench.quality_probe --variants base,tiebreak --heldout   # also the held-out set

Each variant patches ``bot.engine.ranking.answer`` (or subclasses ``Engine``) for the duration of its run, so
ideas that need engine data can be tried before ``Engine.ask`` changes. Seed-heldout is a test set:
measure it with ``--heldout`` only to confirm a variant chosen on the other two.

Findings (hit@1 / hit@3 / abstention / false abstention; dev = seed-dev, b = corpus-b):
- before (lexical order):   dev .489/.766/.538/.021  b .600/.750/.231/.025  heldout .800/.914/.500/.000
- tiebreak (kept):          dev .532/.766/.538/.021  b .675/.750/.231/.025  heldout .800/.914/.500/.000
- soft (idea 2):            dev .489/.787/.538/.021  b .625/.750/.231/.025  (~2× latency, cold word cache)
- soft+tiebreak:            dev .532/.787/.538/.021  b .700/.750/.231/.025  heldout .800/.886 — rejected
- keyterms (idea 1):        dev .426/.660/.692/.255  b .550/.650/.385/.200 — rejected: single-word MiniLM
  cosines of corpus-absent terms to the candidates' words do not separate paraphrases ("kids" →
  "children" .88, but "axed" → best .32, "ofgem" .39) from missing topics ("germany" → "england" .78,
  "scotland" .74, "dinner" → "meals" .72); the drop in question–sentence similarity when the term is
  deleted from the question does not separate them either (acronyms the corpus spells out score highest).
- joint (idea 4: both kinds of evidence from one sentence): dev false abstention .064 — rejected.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

import numpy as np

from bench.quality import SETS, Report, evaluate, format_table, load_questions
from bot.engine.engine import Engine
from bot.engine.ranking import answer as answering
from bot.engine.text.tokens import ANSWER_TYPES, iter_tokens

Variant = Callable[[], contextlib.AbstractContextManager[type[Engine]]]


@contextlib.contextmanager
def patched(module: object, **values: object) -> Iterator[None]:
    saved = {name: getattr(module, name) for name in values}
    try:
        for name, value in values.items():
            setattr(module, name, value)
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)


# -- variants --------------------------------------------------------------------------------


@contextlib.contextmanager
def base() -> Iterator[type[Engine]]:
    """answer.py as it is (MiniLM breaks near-ties: idea 3, kept)."""
    yield Engine


def _lexical_order(scored, similarities):  # type: ignore[no-untyped-def]
    """with_similarities before idea 3: similarities attached, the lexical order left as it was."""
    top = [replace(s, similarity=sim) for s, sim in zip(scored, similarities, strict=False)]
    return top + list(scored[len(top) :])


@contextlib.contextmanager
def before() -> Iterator[type[Engine]]:
    """answer.py before idea 3: MiniLM does not reorder (abstention evidence only)."""
    with patched(answering, with_similarities=_lexical_order):
        yield Engine


def _window_rerank(scored: Sequence[answering.ScoredSentence], margin: float) -> list[answering.ScoredSentence]:
    """Candidates scoring within ``margin`` of the best, reordered by similarity (idea 3)."""
    if not scored:
        return list(scored)
    best = scored[0].score
    window = [s for s in scored if s.similarity is not None and s.score >= margin * best]
    rest = [s for s in scored if not (s.similarity is not None and s.score >= margin * best)]
    window.sort(key=lambda s: -(s.similarity or 0.0))
    return window + rest


def tiebreak_variant(margin: float) -> Variant:
    @contextlib.contextmanager
    def variant() -> Iterator[type[Engine]]:
        def with_similarities(scored, similarities):  # type: ignore[no-untyped-def]
            return _window_rerank(_lexical_order(scored, similarities), margin)

        with patched(answering, with_similarities=with_similarities):
            yield Engine

    variant.__doc__ = f"MiniLM orders the candidates scoring ≥ {margin} × the best (idea 3)"
    return variant


# -- soft term matching (idea 2) and key terms the corpus lacks (idea 1) --------------------------


_WORD_VECTORS: dict[str, np.ndarray] = {}


def word_vectors(encoder, words: Sequence[str]) -> np.ndarray:  # type: ignore[no-untyped-def]
    new = [w for w in dict.fromkeys(words) if w not in _WORD_VECTORS]
    if new:
        for word, vector in zip(new, encoder.encode(new), strict=True):
            _WORD_VECTORS[word] = vector
    if not words:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([_WORD_VECTORS[w] for w in words])


def _surface(text: str) -> dict[str, str]:
    """Token → its first spelling in the text (lower-cased), for content words only."""
    out: dict[str, str] = {}
    for token, start, end in iter_tokens(text):
        if token in ANSWER_TYPES or token[:1].isdigit():
            continue
        out.setdefault(token, text[start:end].lower())
    return out


def soft_variant(floor: float, candidates: int = answering.SIMILARITY_CANDIDATES, key_terms: bool = False) -> Variant:
    """Soft coverage: a question term missing from a sentence counts for its weight × a credit that
    rises linearly from 0 at cosine ``floor`` to 1 at cosine 1 with the closest word of the sentence.
    Only the top ``candidates`` are rescored (their words are embedded once and cached).
    Abstention keeps exact coverage. With ``key_terms``, abstention also requires that no corpus-absent
    question term is far (cosine < floor) from every word of the candidates (idea 1).
    """

    class SoftEngine(Engine):
        def ask(self, question, max_sentences=3):  # type: ignore[no-untyped-def]
            engine = self
            original_score = answering.score_sentences
            original_answers = answering.answers
            state: dict[str, object] = {}

            def score_sentences(weights, passage_hits, sentences_of, passage_terms, average_length):  # type: ignore[no-untyped-def]
                scored = original_score(weights, passage_hits, sentences_of, passage_terms, average_length)
                if engine.encoder is None or not scored:
                    return scored
                q_surface = _surface(question)
                total = sum(weights.values()) or 1.0
                top = scored[:candidates]
                rescored = []
                lacking = {t for t in weights if t in q_surface and engine._df.get(t, 0) == 0}
                close_to_lacking = {t: 0.0 for t in lacking}
                for s in top:
                    words = _surface(engine.sentence_text(s.record))
                    unmatched = [t for t in weights if t not in s.record.tf and t in q_surface]
                    vectors = word_vectors(engine.encoder, list(words.values()))
                    extra = 0.0
                    if unmatched and len(vectors):
                        qv = word_vectors(engine.encoder, [q_surface[t] for t in unmatched])
                        best = (qv @ vectors.T).max(axis=1)
                        for t, sim in zip(unmatched, best, strict=True):
                            credit = max(0.0, (float(sim) - floor) / (1 - floor))
                            extra += weights[t] * credit
                            if t in close_to_lacking:
                                close_to_lacking[t] = max(close_to_lacking[t], float(sim))
                    soft = extra / total
                    rescored.append(replace(s, score=s.score + answering._W_SENTENCE * soft))
                state["far"] = [t for t, sim in close_to_lacking.items() if sim < floor]
                rescored.sort(key=lambda s: (-s.score, s.record.passage_index, s.record.start))
                return rescored + list(scored[candidates:])

            def answers(cands):  # type: ignore[no-untyped-def]
                if key_terms and state.get("far"):
                    return False
                return original_answers(cands)

            with patched(answering, score_sentences=score_sentences, answers=answers):
                return super().ask(question, max_sentences)

    @contextlib.contextmanager
    def variant() -> Iterator[type[Engine]]:
        yield SoftEngine

    variant.__doc__ = f"soft term matching, floor {floor}" + (" + key terms" if key_terms else "")
    return variant


def _answers_jointly(candidates):  # type: ignore[no-untyped-def]
    """Both kinds of evidence from one sentence: coverage ≥ 0.2 and cosine ≥ 0.4 in the same candidate."""
    if not candidates:
        return False
    if all(c.similarity is None for c in candidates):
        return max(c.coverage for c in candidates) >= answering.ANSWER_COVERAGE
    return any(
        c.coverage >= answering.STRONG_COVERAGE
        or (
            c.similarity is not None
            and c.coverage >= answering.SEMANTIC_MIN_COVERAGE
            and c.similarity >= answering.SEMANTIC_MIN_SIMILARITY
        )
        for c in candidates
    )


@contextlib.contextmanager
def joint() -> Iterator[type[Engine]]:
    """abstention: the lexical and the semantic evidence must come from the same sentence (idea 4)"""
    with patched(answering, answers=_answers_jointly):
        yield Engine


def combined(first: Variant, second: Variant) -> Variant:
    """Two variants at once: the first's engine class, with the second's patches."""

    @contextlib.contextmanager
    def variant() -> Iterator[type[Engine]]:
        with first() as engine_class, second():
            yield engine_class

    variant.__doc__ = f"{first.__doc__} + {second.__doc__}"
    return variant


def _no_tiebreak(variant: Variant) -> Variant:
    return combined(variant, before)


VARIANTS: dict[str, Variant] = {
    "base": base,
    "before": before,
    # The prototype of idea 3, on top of the lexical order (answer.py now does this itself).
    "tiebreak": tiebreak_variant(answering.RELATIVE_SCORE_FOR_EXTRA),
    # Ideas 2 and 1, measured on the lexical order (rejected).
    "soft": _no_tiebreak(soft_variant(0.5)),
    "keyterms": _no_tiebreak(soft_variant(0.5, key_terms=True)),
    # Idea 2 on top of idea 3 (rejected: lowered seed-heldout hit@3 0.914 → 0.886).
    "soft+tiebreak": soft_variant(0.5),
    "joint": joint,
}


def run(variant: Variant, sets: Sequence[str]) -> list[Report]:
    reports = []
    with variant() as engine_class:
        for name in sets:
            corpus, questions = SETS[name]
            reports.append(evaluate(engine_class.from_folder(corpus), load_questions(questions), name))
    return reports


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated: " + ", ".join(VARIANTS))
    parser.add_argument("--heldout", action="store_true", help="also measure seed-heldout (confirmation only)")
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args(argv)
    sets = ["seed-dev", "corpus-b"] + (["seed-heldout"] if args.heldout else [])
    for name in args.variants.split(","):
        reports = run(VARIANTS[name], sets)
        print(f"\n### {name}: {VARIANTS[name].__doc__}\n")
        print(format_table(reports))
        if args.misses:
            for report in reports:
                for miss in report.misses:
                    print(f"{report.name}: {miss}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
