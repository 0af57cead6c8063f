"""How far can the engine's signals go on a question set? Upper bounds, fitted to the answers themselves.

    python -m bench.quality_ceiling            # seed-dev, seed-heldout and corpus-b

``bench.quality`` measures the engine's rules. This measures the best that *any* rule of the same
kind could do with the same signals, by fitting the rule to the very questions it is scored on
(in-sample: an optimistic bound, not a result to ship):

- **Ranking.** Every sentence of the best ``PASSAGES`` passages is a candidate (far more than
  ``ask`` looks at), described by the engine's lexical score, its question-weight coverage, its
  MiniLM similarity to the question (also relative to the best candidate's), whether it holds the
  kind of figure the question asks for, and its length. "fitted to the set" is the best hit@1 and
  the best hit@3 (near-duplicates dropped, as ``ask`` does) that any of some 20,000 linear weightings
  of these reaches on the set itself: each feature alone, softmax rankers fitted to put the expected
  sentences first, and random directions. It bounds what re-weighting these signals can give.
  "fitted elsewhere" is a softmax ranker fitted on the other two sets: how well weights carry over.
- **Recall.** The share of answerable questions whose expected sentence is a candidate at all: the
  bound for any reranker of these candidates, however clever.
- **Abstention.** ``ask`` answers when some candidate covers enough of the question's weight and is
  similar enough to it, or covers a lot of it (``answer.answers``). Every threshold triple of that
  family is tried; the table shows the most unanswerable questions declined while at most 5% of
  answerable ones are.

Unlike ``bench.quality``'s, these numbers come with no promise: they say how much room the signals
leave, which is why the README reports them beside the targets.
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bench.quality import SETS, load_questions, matches
from bot.engine.engine import Engine
from bot.engine.ranking import answer as answering
from bot.engine.text.tokens import ANSWER_TYPES

PASSAGES = 40
FALSE_ABSTENTION_MAX = 0.05
RANDOM_WEIGHTINGS = 20_000
SHORTLIST = 200
ALL = 1 << 30  # candidates given a similarity: all of them
# An ordering of a question's candidates, best first (candidate positions).
Order = Callable[["Question"], np.ndarray]
FEATURES = ("lexical / best", "lexical", "similarity - best", "similarity", "coverage", "has answer type", "log length")


@dataclass
class Question:
    answerable: bool
    features: np.ndarray  # candidates × FEATURES
    relevant: np.ndarray  # bool per candidate: an expected sentence
    tfs: list[dict[str, int]]  # term counts, to drop near-duplicates as ``ask`` does
    best_coverage: float  # over the candidates ``ask`` decides on
    best_similarity: float


def collect(engine: Engine, items: Sequence[dict[str, object]]) -> list[Question]:
    """Each question's candidates, with their features and whether each is an expected sentence."""
    questions = []
    for item in items:
        text = " ".join(str(item["question"]).split())
        found = engine.candidates(text, passages=PASSAGES, similar=ALL)
        scored, sims = found.scored, np.array(found.similarities or [0.0] * len(found.scored))
        types = set(found.terms) & ANSWER_TYPES
        expected = [str(e) for e in item.get("expected", [])]  # type: ignore[attr-defined]
        lexical = np.array([s.score for s in scored])
        features = np.zeros((len(scored), len(FEATURES)))
        if scored:
            features = np.stack(
                [
                    lexical / lexical.max(),
                    lexical,
                    sims - sims.max(),
                    sims,
                    np.array([s.coverage for s in scored]),
                    np.array([float(not types or any(t in s.record.tf for t in types)) for s in scored]),
                    np.log1p([s.record.length for s in scored]),
                ],
                axis=1,
            )
        relevant = np.array(
            [bool(item["answerable"]) and matches(engine.sentence_text(s.record), expected) for s in scored], bool
        )
        # What ``ask`` decides on: the first SIMILARITY_CANDIDATES of its own, narrower search.
        decided = engine.candidates(text)
        top = decided.scored[: answering.SIMILARITY_CANDIDATES]
        questions.append(
            Question(
                answerable=bool(item["answerable"]),
                features=features,
                relevant=relevant,
                tfs=[dict(s.record.tf) for s in scored],
                best_coverage=max((s.coverage for s in top), default=0.0),
                best_similarity=max(decided.similarities, default=0.0),
            )
        )
    return questions


# -- ranking ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranker:
    weights: np.ndarray
    mean: np.ndarray
    scale: np.ndarray


def fit(questions: Sequence[Question], l2: float = 0.1, steps: int = 2000, rate: float = 0.1) -> Ranker:
    """A linear ranker maximising the softmax probability of each question's relevant candidates."""
    lists = [q for q in questions if q.relevant.any()]
    stacked = np.concatenate([q.features for q in lists])
    mean, scale = stacked.mean(axis=0), stacked.std(axis=0) + 1e-9
    normalised = [((q.features - mean) / scale, q.relevant / q.relevant.sum()) for q in lists]
    weights = np.zeros(stacked.shape[1])
    for _ in range(steps):
        gradient = l2 * weights
        for features, target in normalised:
            logits = features @ weights
            p = np.exp(logits - logits.max())
            gradient += features.T @ (p / p.sum() - target) / len(normalised)
        weights -= rate * gradient
    return Ranker(weights, mean, scale)


def hits(questions: Sequence[Question], order_of: Order) -> tuple[float, float]:
    """hit@1 and hit@3 of an ordering over the answerable questions, near-duplicates dropped."""
    answerable = [q for q in questions if q.answerable]
    hit1 = hit3 = 0
    for q in answerable:
        if not len(q.features):
            continue
        kept: list[int] = []
        for i in order_of(q):
            if not any(answering.is_duplicate(q.tfs[i], q.tfs[k]) for k in kept):
                kept.append(int(i))
            if len(kept) == 3:
                break
        hit1 += bool(q.relevant[kept[0]])
        hit3 += bool(q.relevant[kept].any())
    return hit1 / len(answerable), hit3 / len(answerable)


def by_column(column: int) -> Order:
    return lambda q: np.argsort(-q.features[:, column], kind="stable")


def by_ranker(ranker: Ranker) -> Order:
    return by_weights(ranker.weights, ranker.mean, ranker.scale)


def by_weights(weights: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> Order:
    return lambda q: np.argsort(-(((q.features - mean) / scale) @ weights), kind="stable")


def best_weighting(questions: Sequence[Question], samples: int = RANDOM_WEIGHTINGS) -> tuple[float, float]:
    """The best hit@1 and hit@3 that any of many linear weightings of the features reaches on
    ``questions`` themselves: each feature alone, the softmax fits and ``samples`` random directions.

    All weightings are first scored at once without dropping near-duplicates (a matrix product a
    question); the most promising are then scored exactly with ``hits``.
    """
    lists = [q for q in questions if q.answerable and len(q.features)]
    stacked = np.concatenate([q.features for q in lists])
    mean, scale = stacked.mean(axis=0), stacked.std(axis=0) + 1e-9
    rng = np.random.default_rng(0)
    fitted = [fit(questions, l2) for l2 in (0.01, 0.1, 1.0)]
    rescaled = [(r.weights * r.scale) / scale for r in fitted]  # the fits' weights on this normalisation
    weightings = np.concatenate([np.eye(len(FEATURES)), rescaled, rng.normal(size=(samples, len(FEATURES)))])
    approx = np.zeros(len(weightings))
    for q in lists:
        scores = ((q.features - mean) / scale) @ weightings.T  # candidates × weightings
        top = np.argsort(-scores, axis=0, kind="stable")[:3]
        approx += 2 * q.relevant[top[0]] + q.relevant[top].any(axis=0)
    shortlist = np.argsort(-approx, kind="stable")[:SHORTLIST]
    exact = [hits(questions, by_weights(weightings[i], mean, scale)) for i in shortlist]
    return max(h1 for h1, _ in exact), max(h3 for _, h3 in exact)


# -- abstention ---------------------------------------------------------------------------------


def best_abstention(questions: Sequence[Question]) -> tuple[float, float, tuple[float, float, float]]:
    """The most unanswerable questions declined by ``answer.answers``'s rule family with at most
    ``FALSE_ABSTENTION_MAX`` of answerable ones declined: (abstention, false abstention, thresholds)."""
    grid = np.round(np.arange(0.0, 1.0001, 0.025), 3)
    triples = np.array(list(itertools.product(grid, grid, grid)))  # coverage, similarity, strong
    coverage = np.array([q.best_coverage for q in questions])
    similarity = np.array([q.best_similarity for q in questions])
    answerable = np.array([q.answerable for q in questions])
    answered = ((coverage >= triples[:, :1]) & (similarity >= triples[:, 1:2])) | (coverage >= triples[:, 2:])
    false = (~answered[:, answerable]).mean(axis=1)
    declined = (~answered[:, ~answerable]).mean(axis=1) if (~answerable).any() else np.ones(len(triples))
    allowed = np.flatnonzero(false <= FALSE_ABSTENTION_MAX)
    best = allowed[np.argmax(declined[allowed])]  # the loosest rule (all zeros) is always allowed
    coverage_at, similarity_at, strong_at = (float(t) for t in triples[best])
    return float(declined[best]), float(false[best]), (coverage_at, similarity_at, strong_at)


def recall(questions: Sequence[Question]) -> float:
    answerable = [q for q in questions if q.answerable]
    return sum(bool(q.relevant.any()) for q in answerable) / len(answerable)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args(argv)
    collected = {}
    for name, (corpus, questions) in SETS.items():
        collected[name] = collect(Engine.from_folder(corpus), load_questions(questions))
    print(
        "| set | recall | lexical order | similarity order | fitted to the set | fitted elsewhere "
        "| abstention at ≤ 5% false (thresholds) |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, questions in collected.items():
        others = [q for other, qs in collected.items() if other != name for q in qs]
        ranked = {
            "lexical": hits(questions, by_column(FEATURES.index("lexical"))),
            "similarity": hits(questions, by_column(FEATURES.index("similarity"))),
            "fitted": best_weighting(questions),
            "elsewhere": hits(questions, by_ranker(fit(others))),
        }
        declined, false, thresholds = best_abstention(questions)
        cells = " | ".join(f"{h1:.3f} / {h3:.3f}" for h1, h3 in ranked.values())
        print(f"| {name} | {recall(questions):.3f} | {cells} | {declined:.3f} ({false:.3f} false; {thresholds}) |")
    print("\nhit@1 / hit@3; targets: hit@1 ≥ 0.90, hit@3 ≥ 0.97, abstention ≥ 0.80 with ≤ 0.05 false")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
