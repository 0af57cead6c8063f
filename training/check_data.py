"""Checks of the reader's training data: ``python -m training.check_data`` (also run by the tests).

- every question row is well formed: kinds, ``answerable`` agreeing with ``expected``, unique ids and
  question texts, existing source documents;
- every expected sentence stands verbatim (whitespace aside) in one of its sources, and the engine
  splits it out as a sentence a reader can be shown (``bench.quality``'s matching rule);
- no question copies a run of ``COPIED_WORDS`` words of its answer: the reader must learn paraphrase;
- the set is big and varied enough: documents, policy areas, questions, the share about figures,
  unanswerable questions and near misses among them;
- no line of an evaluation document (the seed article, ``tests/quality/corpus_b``) is in the training
  documents, nor does a training document's title name an evaluation document's subject (two words in a
  row of its title, stopwords aside: "price cap", "living wage"): those measure how the reader carries
  over to documents, and subjects, it never saw.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field

from bench.quality import matches
from bot.engine.corpus.documents import load_document
from bot.engine.text.passages import split_passages
from bot.engine.text.stopwords import STOPWORDS
from training import data

PROJECT = data.ROOT.parent
EVALUATION_DOCUMENTS = [
    *sorted((PROJECT / "seeds").glob("*.txt")),
    *sorted((PROJECT / "tests/quality/corpus_b").glob("*.*")),
]
KINDS = {"fact", "figure", "unanswerable"}
COPIED_WORDS = 5
MIN_DOCUMENTS = 40
MIN_AREAS = 10
MIN_ANSWERABLE = 3000
MIN_FIGURE_SHARE = 0.20
MIN_UNANSWERABLE = 800
MIN_NEAR_MISS_SHARE = 0.5
MIN_WORDS, MAX_WORDS = 400, 3500
MIN_QUOTABLE_SHARE = 0.97  # expected sentences the engine splits out as one of its sentences


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    counts: dict[str, float] = field(default_factory=dict)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def check() -> Report:
    report = Report()
    err = report.errors.append
    docs = {p.name: p for p in data.documents()}
    texts: dict[str, str] = {}
    sentences: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for name, path in docs.items():
        document, _ = load_document(path, name)
        titles[name] = document.meta.title
        body = document.text[document.body_start :]
        texts[name] = _collapse(document.text)
        words = len(body.split())
        if not MIN_WORDS <= words <= MAX_WORDS:
            err(f"{name}: {words} words (want {MIN_WORDS}-{MAX_WORDS})")
        sentences[name] = [
            _collapse(document.text[p.start + s : p.start + e])
            for p in split_passages(document)
            for s, e in p.sentences
        ]
    _check_no_evaluation_text(texts, err)
    _check_no_evaluation_subject(titles, err)
    rows = [(path.name, row) for path in sorted(data.QUESTIONS.glob("*.jsonl")) for row in data.load_rows(path)]
    ids: Counter[str] = Counter()
    questions: Counter[str] = Counter()
    expected_total = quotable = 0
    for file, row in rows:
        where = f"{file}:{row.get('id')}"
        try:
            question = data.Question.from_row(row)
        except (KeyError, TypeError) as error:
            err(f"{where}: malformed row ({error})")
            continue
        ids[question.id] += 1
        questions[question.question.strip().lower()] += 1
        if question.kind not in KINDS:
            err(f"{where}: kind {question.kind!r}")
        if question.answerable != (question.kind != "unanswerable") or question.answerable != bool(question.expected):
            err(f"{where}: answerable, kind and expected disagree")
        for source in question.sources:
            if source not in docs:
                err(f"{where}: no document {source}")
        for expected in question.expected:
            wanted = _collapse(expected)
            if not any(wanted in texts.get(s, "") for s in question.sources):
                err(f"{where}: expected sentence not in its sources: {wanted[:70]!r}")
            expected_total += 1
            quotable += any(matches(s, [wanted]) for source in question.sources for s in sentences.get(source, []))
            if _copies(question.question, wanted):
                err(f"{where}: the question copies {COPIED_WORDS}+ words of its answer")
    err_counts = [f"duplicate id {i}" for i, n in ids.items() if n > 1] + [
        f"duplicate question {q!r}" for q, n in questions.items() if n > 1
    ]
    report.errors.extend(err_counts)
    parsed = [data.Question.from_row(row) for _, row in rows]
    answerable = [q for q in parsed if q.answerable]
    unanswerable = [q for q in parsed if not q.answerable]
    areas = {name.split("-", 1)[0] for name in docs}
    report.counts = {
        "documents": len(docs),
        "areas": len(areas),
        "questions": len(parsed),
        "answerable": len(answerable),
        "figure_share": sum(q.kind == "figure" for q in answerable) / max(1, len(answerable)),
        "unanswerable": len(unanswerable),
        "near_miss_share": sum(q.miss == "near" for q in unanswerable) / max(1, len(unanswerable)),
        "quotable_share": quotable / max(1, expected_total),
        "validation_documents": len(data.documents("validation")),
    }
    minimums = {
        "documents": MIN_DOCUMENTS,
        "areas": MIN_AREAS,
        "answerable": MIN_ANSWERABLE,
        "figure_share": MIN_FIGURE_SHARE,
        "unanswerable": MIN_UNANSWERABLE,
        "near_miss_share": MIN_NEAR_MISS_SHARE,
        "quotable_share": MIN_QUOTABLE_SHARE,
    }
    for name, minimum in minimums.items():
        if report.counts[name] < minimum:
            err(f"{name} {report.counts[name]:.3g} < {minimum}")
    return report


def _copies(question: str, sentence: str) -> bool:
    asked = question.lower().split()
    said = sentence.lower().split()
    runs = {tuple(said[i : i + COPIED_WORDS]) for i in range(len(said) - COPIED_WORDS + 1)}
    return any(tuple(asked[i : i + COPIED_WORDS]) in runs for i in range(len(asked) - COPIED_WORDS + 1))


def _check_no_evaluation_text(texts: dict[str, str], err: object) -> None:
    """Every line of over 60 characters of an evaluation document, looked for in the training documents."""
    training = "\n".join(texts.values())
    for path in EVALUATION_DOCUMENTS:
        if path.name.endswith(".meta.json"):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            line = _collapse(line)
            if len(line) > 60 and line in training:
                err(f"training documents contain a line of the evaluation document {path.name}: {line[:60]!r}")  # type: ignore[operator]


# Headline words that name no subject ("Government unveils ...").
HEADLINE_WORDS = frozenset({"government", "unveils", "announces", "confirms", "confirmed", "says", "explained"})


def _subject_pairs(title: str) -> set[tuple[str, str]]:
    words = [w for w in re.findall(r"[a-z]+", title.lower()) if w not in STOPWORDS | HEADLINE_WORDS and len(w) > 2]
    return set(itertools.pairwise(words))


def _check_no_evaluation_subject(titles: dict[str, str], err: object) -> None:
    """A training document whose title shares two words in a row with an evaluation document's title is
    about its subject ("Energy price cap explained" and "Energy price cap: winter quarter")."""
    training = {name: _subject_pairs(title) for name, title in titles.items()}
    for path in EVALUATION_DOCUMENTS:
        if path.name.endswith(".meta.json"):
            continue
        evaluation = load_document(path, path.name)[0].meta.title
        shared = {name: pairs & _subject_pairs(evaluation) for name, pairs in training.items()}
        for name, pairs in sorted(shared.items()):
            if pairs:
                words = ", ".join(" ".join(pair) for pair in sorted(pairs))
                err(f"{name}: its title shares {words!r} with the evaluation document {path.name}")  # type: ignore[operator]


def main() -> int:
    report = check()
    print(json.dumps(report.counts, indent=2))
    for problem in report.errors:
        print(problem, file=sys.stderr)
    print("OK" if not report.errors else f"{len(report.errors)} problems")
    return 1 if report.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
