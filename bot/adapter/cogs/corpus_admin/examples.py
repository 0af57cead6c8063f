"""An example answer for a document just added: the moderator sees at once that members' questions
now reach it (and how a citation of it looks)."""

from __future__ import annotations

import logging

from bot.engine.engine import Engine
from bot.engine.models import AnswerSentence

log = logging.getLogger(__name__)

EXAMPLE_TRIES = 3
EXAMPLE_MIN_WORDS = 6


def example_questions(engine: Engine, document_id: str) -> list[str]:
    """Questions the document should answer: its first informative sentences (cut to a dozen words,
    as a member would ask), then its title."""
    document = engine.document(document_id)
    if document is None:
        return []
    questions = []
    for passage in engine.passages_of(document_id):
        for start, end in passage.sentences:
            words = passage.text[start:end].lstrip("#").split()
            if len(words) >= EXAMPLE_MIN_WORDS:  # a heading or a byline says too little to ask about
                questions.append(" ".join(words[:12]).rstrip(".,;:!?"))
                break
        if len(questions) >= EXAMPLE_TRIES - 1:
            break
    return [*questions, document.meta.title]


def example_answer(engine: Engine, document_id: str) -> tuple[str, AnswerSentence] | None:
    """The first example question whose answer quotes an informative sentence of ``document_id``."""
    for question in example_questions(engine, document_id):
        answer = engine.ask(question)
        for sentence in answer.sentences:
            if sentence.citation.document == document_id and len(sentence.text.split()) >= EXAMPLE_MIN_WORDS:
                return question, sentence
    return None


def example_or_none(engine: Engine, document_id: str) -> tuple[str, AnswerSentence] | None:
    """The example is a courtesy: the document is already added, so a failure here must not say otherwise."""
    try:
        return example_answer(engine, document_id)
    except Exception:
        log.exception("no example answer for %s", document_id)
        return None
