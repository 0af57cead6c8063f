"""The reader's training data: documents and questions written for this project, split by document.

    training/data/docs/*.md              fictional policy documents (front matter: title, source, url, date)
    training/data/questions/*.jsonl      questions, one JSON object a line (see check_data.py)

The split is by document, so the validation questions are about documents the model never read
in training: a document goes to validation when the first byte of the blake2b hash of its file
name is below ``VALIDATION_SHARE`` of 256. A question follows its documents; a question with no
document (off topic) follows the hash of its id; one whose documents fall on both sides is left out.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from bot.engine.corpus.documents import load_document
from bot.engine.models import Document

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
DOCS = DATA / "docs"
QUESTIONS = DATA / "questions"
VALIDATION_SHARE = 0.2
SPLITS = ("train", "validation")


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answerable: bool
    kind: str
    expected: tuple[str, ...]
    sources: tuple[str, ...]
    miss: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, object]) -> Question:
        return cls(
            id=str(row["id"]),
            question=str(row["question"]),
            answerable=bool(row["answerable"]),
            kind=str(row["kind"]),
            expected=tuple(str(e) for e in row["expected"]),  # type: ignore[attr-defined]
            sources=tuple(str(s) for s in row.get("sources", ())),  # type: ignore[attr-defined]
            miss=None if row.get("miss") is None else str(row["miss"]),
        )


def _hashed_split(name: str) -> str:
    first = hashlib.blake2b(name.encode(), digest_size=1).digest()[0]
    return "validation" if first < VALIDATION_SHARE * 256 else "train"


def document_split(name: str) -> str:
    return _hashed_split(name)


def documents(split: str | None = None) -> list[Path]:
    files = sorted(DOCS.glob("*.md"))
    return [f for f in files if split is None or document_split(f.name) == split]


def load_documents(split: str) -> list[Document]:
    """The split's documents, loaded as the corpus folder loads them (file name as id)."""
    return [load_document(path, path.name)[0] for path in documents(split)]


def load_rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def all_questions() -> list[Question]:
    return [Question.from_row(row) for path in sorted(QUESTIONS.glob("*.jsonl")) for row in load_rows(path)]


def question_split(question: Question) -> str | None:
    if not question.sources:
        return _hashed_split(question.id)
    sides = {document_split(s) for s in question.sources}
    return sides.pop() if len(sides) == 1 else None


def questions(split: str) -> list[Question]:
    return [q for q in all_questions() if question_split(q) == split]
