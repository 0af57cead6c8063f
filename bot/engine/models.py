"""Immutable data the engine passes around: documents, passages, citations and answers.

Everything indexed is frozen; search results are new objects that carry scores (the stored
passages are never mutated).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DocumentMeta(Frozen):
    """What a reader needs to cite a document. Every field is optional except the title."""

    title: str
    source: str | None = None
    url: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD) when known


class Document(Frozen):
    """One file of the corpus, decoded and Unicode-normalised.

    ``id`` is the file's path relative to the corpus folder (stable across edits); ``sha256`` is
    the hash of the file's bytes, so a changed document gets a new corpus version.
    """

    id: str
    path: str
    meta: DocumentMeta
    text: str
    body_start: int = 0  # offset of the body in ``text`` (after any front matter)
    sha256: str


class Passage(Frozen):
    """A paragraph (or a merged run of short ones, or part of a very long one).

    ``document.text[start:end] == text`` always holds. ``paragraph`` is the number a reader would
    count (1-based, counting the body's non-empty paragraphs); ``paragraph_end`` differs from it
    when short fragments (bylines, headings) were merged in.
    """

    id: str
    document_id: str
    paragraph: int
    paragraph_end: int
    part: int = 0
    start: int
    end: int
    text: str
    # Sentence spans, relative to the passage text, and the paragraph each sentence stands in.
    sentences: tuple[tuple[int, int], ...] = ()
    sentence_paragraphs: tuple[int, ...] = ()


class Citation(Frozen):
    document: str
    title: str
    source: str | None = None
    url: str | None = None
    date: str | None = None
    paragraph: int
    paragraph_end: int | None = None
    passage_id: str

    @property
    def paragraph_label(self) -> str:
        if self.paragraph_end and self.paragraph_end != self.paragraph:
            return f"¶{self.paragraph}–{self.paragraph_end}"
        return f"¶{self.paragraph}"

    def public_dict(self) -> dict[str, object]:
        return {
            "document": self.document,
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "date": self.date,
            "paragraph": self.paragraph,
        }


class AnswerSentence(Frozen):
    """A sentence quoted verbatim: ``text`` is ``document.text[start:end]`` with whitespace collapsed."""

    text: str
    score: float
    citation: Citation
    start: int  # offsets in the document text
    end: int
    matched_terms: tuple[str, ...] = ()  # surface words of the sentence that matched the question


class ClosestPassage(Frozen):
    """A passage offered when the corpus does not answer: related, but not a direct answer."""

    text: str
    score: float
    citation: Citation


class Answer(Frozen):
    question: str
    answered: bool
    reason: str = ""
    sentences: tuple[AnswerSentence, ...] = ()
    more: tuple[AnswerSentence, ...] = ()  # next-best sentences, for a "More" button
    closest: tuple[ClosestPassage, ...] = ()
    coverage: float = 0.0
    corpus_version: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "answered": self.answered,
            "reason": self.reason,
            "sentences": [
                {"text": s.text, "score": round(s.score, 4), "citation": s.citation.public_dict()}
                for s in self.sentences
            ],
            "closest": [
                {
                    "text": c.text,
                    "score": round(c.score, 4),
                    "citation": c.citation.public_dict(),
                    "direct_answer": False,
                }
                for c in self.closest
            ],
            "corpus_version": self.corpus_version,
        }


class SkippedFile(Frozen):
    """A file of the corpus folder that could not be loaded (``skipped``), or that was loaded with a
    problem in its metadata (``warning``: a bad sidecar or url, say), and why. ``reason`` is the
    problem alone, for a person to read; how it is labelled is the reader's to say."""

    path: str
    reason: str
    severity: Literal["skipped", "warning"] = "skipped"


class ScoredIds(Frozen):
    """Search results: positions in the indexed list, best first, with their scores."""

    ids: tuple[int, ...] = Field(default=())
    scores: tuple[float, ...] = Field(default=())
