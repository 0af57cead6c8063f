"""Asking and re-asking: the engine's answer plus the stored record that buttons point at.

Buttons carry only a question id. Pressing one re-asks the stored question against the current
engine (the engine is deterministic, so on an unchanged corpus that is the same answer), which is
what lets buttons keep working after a restart without keeping answers anywhere.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.adapter.engine_host import EngineHost
from bot.engine.models import Answer, Citation, Passage
from bot.storage import QuestionRecord, Storage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asked:
    answer: Answer
    question_id: int


@dataclass(frozen=True)
class Reasked:
    record: QuestionRecord
    answer: Answer

    @property
    def corpus_changed(self) -> bool:
        return self.record.corpus_version != self.answer.corpus_version


class AnswerService:
    def __init__(self, engines: EngineHost, storage: Storage) -> None:
        self.engines = engines
        self.storage = storage

    async def ask(self, question: str, *, user_id: int, guild_id: int | None, channel_id: int | None) -> Asked:
        answer = await self.engines.ask(question)
        question_id = await self.storage.record_question(
            answer.question,
            user_id=user_id,
            guild_id=guild_id,
            channel_id=channel_id,
            corpus_version=answer.corpus_version,
            answered=answer.answered,
        )
        log.info(
            "question %d from user %s: %s (corpus %s)",
            question_id, user_id, "answered" if answer.answered else "not answered", answer.corpus_version,
        )  # fmt: skip
        return Asked(answer, question_id)

    async def reask(self, question_id: int) -> Reasked | None:
        """The stored question answered again by the current engine; None if it is not on record."""
        record = await self.storage.question(question_id)
        if record is None:
            return None
        return Reasked(record, await self.engines.ask(record.question))

    def cited_passages(self, answer: Answer) -> list[tuple[Passage, Citation]]:
        """The whole passages behind an answer's sentences (or its closest passages), each once, in order."""
        citations = [s.citation for s in answer.sentences] or [c.citation for c in answer.closest]
        engine = self.engines.engine
        seen: set[str] = set()
        cited = []
        for citation in citations:
            passage = engine.passage(citation.passage_id)
            if passage is None or passage.id in seen:  # None only if the corpus was swapped in between
                continue
            seen.add(passage.id)
            cited.append((passage, engine.citation(passage)))
        return cited
