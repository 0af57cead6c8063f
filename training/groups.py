"""Each question's candidates, as the engine finds them, labelled: the reader's training examples.

The engine builds one corpus per split (train documents, validation documents) and finds each
question's candidate sentences exactly as ``ask`` does (``Engine.candidates``, lexical order). A
candidate is a positive when it is one of the question's expected sentences (``bench.quality``'s
rule); a near-duplicate of a positive (the same sentence repeated with a typo) is never used as a
negative. For training, an expected sentence the search missed is added as a positive, so the
model still learns from the question; validation keeps only what the engine found.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.quality import matches
from bot.engine.engine import Engine
from bot.engine.ranking import answer as answering
from training.data import DOCS, Question, load_documents, questions

POOL_PASSAGES = 20  # passages searched per question
POOL_SENTENCES = 40  # candidates kept per question (in lexical order)


@dataclass
class Group:
    id: str
    question: str
    answerable: bool
    kind: str
    sentences: list[str]  # candidates in lexical order (then any added positives)
    titles: list[str]
    labels: list[int]  # 1 answers, 0 does not, -1 a near-duplicate of an answer (never a negative)
    found: int  # how many of ``sentences`` the engine found (the rest were added)
    sources: list[str] = field(default_factory=list)


def build_engine(split: str) -> Engine:
    return Engine(load_documents(split), semantic=False)


def make_groups(split: str, add_missing: bool) -> list[Group]:
    engine = build_engine(split)
    titles = {d.id: d.meta.title for d in engine.documents}
    groups = []
    for item in questions(split):
        groups.append(_group(engine, item, titles, add_missing))
    return groups


def _group(engine: Engine, item: Question, titles: dict[str, str], add_missing: bool) -> Group:
    text = " ".join(item.question.split())
    found = engine.candidates(text, passages=POOL_PASSAGES, similar=0).scored[:POOL_SENTENCES]
    sentences = [" ".join(engine.sentence_text(s.record).split()) for s in found]
    doc_titles = [engine.passages.document_of(s.record.passage_index).meta.title for s in found]
    labels = [int(bool(item.expected) and matches(s, list(item.expected))) for s in sentences]
    positives = [s.record.tf for s, label in zip(found, labels, strict=True) if label]
    for i, s in enumerate(found):
        if not labels[i] and any(answering.is_duplicate(s.record.tf, tf) for tf in positives):
            labels[i] = -1
    count = len(sentences)
    if add_missing and item.answerable and 1 not in labels:
        for expected in item.expected:
            wanted = " ".join(expected.split())
            source = next((s for s in item.sources if wanted in " ".join((DOCS / s).read_text("utf-8").split())), None)
            sentences.append(wanted)
            doc_titles.append(titles.get(source or "", ""))
            labels.append(1)
    return Group(item.id, text, item.answerable, item.kind, sentences, doc_titles, labels, count, list(item.sources))


def save(groups: list[Group], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(asdict(g), ensure_ascii=False) + "\n" for g in groups), encoding="utf-8")


def load(path: Path) -> list[Group]:
    return [Group(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
