"""Asking and re-asking: the engine's answer plus the stored record that buttons point at.

Buttons carry only a question id. Pressing one re-asks the stored question against the current
engine (the engine is deterministic, so on an unchanged corpus that is the same answer), which is
what lets buttons keep working after a restart without keeping answers anywhere.

A sick state database must not silence the bot: the record is bookkeeping, the answer is what the
member waits for. ``GuardedStorage`` keeps the records of questions and checks without ever holding
up (or failing) the reply. A write that does not finish within ``RECORD_WAIT`` seconds (a lock held
elsewhere: SQLite waits 5 s for it) or that fails (disk full, read-only) lets the answer go out with
``NOT_RECORDED`` as its id — its buttons then say the answer expired — and the database counts as
blocked: later records wait in a bounded queue, in memory, and are written once it takes writes
again (retried with backoff). What cannot be kept (the queue full, or the bot stopping first) is
dropped and counted. ``RecordingHealth`` holds the counts; ``python -m bot run`` writes them to
``recording.json`` in the state folder for the health check.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import json
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from bot.adapter.engine_host import EngineHost
from bot.engine.models import Answer, Citation, Passage
from bot.storage import QuestionRecord, Storage

log = logging.getLogger(__name__)

T = TypeVar("T")

NOT_RECORDED = 0  # the id of a record not stored in time: no record has it, so its buttons say "expired"
RECORD_WAIT = 2.0  # seconds a reply waits for its record before going out without it
QUEUE_LIMIT = 1000  # records kept in memory while the database is blocked; more are dropped
RETRY_FIRST, RETRY_MAX = 1.0, 60.0  # seconds between attempts to write the queue, doubling
STATUS_FILE = "recording.json"
# What a sick database raises: sqlite3's locked / full / read-only / I/O errors, OS errors from the
# file system, and RuntimeError from a database already closed (the bot stopping).
STORAGE_ERRORS = (sqlite3.Error, OSError, RuntimeError)


@dataclass
class RecordingHealth:
    """How well questions and checks are being recorded, since the bot started."""

    stored_late: int = 0  # written after their reply went out (its buttons said "expired")
    dropped: int = 0  # never written: the queue was full, or the bot stopped first
    failed_writes: int = 0  # attempts the database refused (each record may be tried several times)
    waiting: int = 0  # in the queue now
    blocked_since: float | None = None  # when the database stopped taking records (None: it takes them)
    reason: str | None = None  # why, as the database said
    updated_at: float = 0.0

    @property
    def degraded(self) -> bool:
        return self.blocked_since is not None or self.dropped > 0

    def describe(self) -> str | None:
        """One line for a log or the health check; None when all is well."""
        parts = []
        if self.blocked_since is not None:
            since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.blocked_since))
            parts.append(
                f"the state database has not taken records since {since} ({self.reason}); "
                f"{self.waiting} waiting in memory"
            )
        if self.dropped:
            parts.append(f"{self.dropped} question/check record(s) dropped (never stored)")
        if self.stored_late:
            parts.append(f"{self.stored_late} stored late (their buttons said the answer expired)")
        return "; ".join(parts) if self.degraded else None

    def save(self, state_dir: Path) -> None:
        """Write the counts to ``state_dir/recording.json`` (atomically; best effort: the folder may be
        the very thing that is sick)."""
        self.updated_at = time.time()
        target = state_dir / STATUS_FILE
        temporary = target.with_name(f".{STATUS_FILE}.tmp")
        try:
            temporary.write_text(json.dumps(asdict(self)), encoding="utf-8")
            temporary.replace(target)
        except OSError as exc:
            log.debug("could not write %s: %s", target, exc)

    @classmethod
    def load(cls, state_dir: Path) -> RecordingHealth | None:
        """What the running bot last wrote (for ``python -m bot check``); None if nothing readable."""
        try:
            data = json.loads((state_dir / STATUS_FILE).read_text(encoding="utf-8"))
            return cls(**{key: data[key] for key in cls.__dataclass_fields__ if key in data})
        except (OSError, ValueError, TypeError):
            return None


class GuardedStorage(Storage):
    """``Storage`` whose question and check records never hold up or fail a reply (see the module)."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__(path, clock=clock)
        self.health = RecordingHealth()
        self.record_wait = RECORD_WAIT
        self.retry_first = RETRY_FIRST
        self._queue: collections.deque[_Pending] = collections.deque()
        self._flusher: asyncio.Task[None] | None = None
        self._closed = False

    @classmethod
    async def open(cls, path: Path, *, clock: Callable[[], float] = time.time) -> GuardedStorage:
        storage = await super().open(path, clock=clock)
        assert isinstance(storage, GuardedStorage)
        return storage

    @property
    def blocked(self) -> bool:
        return self._flusher is not None and not self._flusher.done()

    async def record_question(self, *args: Any, **kwargs: Any) -> int:
        write = functools.partial(super().record_question, *args, **kwargs)
        return await self._keep("question", write, NOT_RECORDED)

    async def record_check(self, *args: Any, **kwargs: Any) -> int:
        write = functools.partial(super().record_check, *args, **kwargs)
        return await self._keep("check", write, NOT_RECORDED)

    async def mark_private(self, question_id: int) -> None:
        if question_id != NOT_RECORDED:
            await self._keep("privacy mark", functools.partial(super().mark_private, question_id), None)

    async def close(self) -> None:
        self._closed = True
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        if self._queue:
            for pending in self._queue:  # a write still under way ends as it ends: nobody waits for it now
                if pending.attempt is not None:
                    pending.attempt.add_done_callback(_discard_outcome)
            self._drop(len(self._queue), "the bot stopped before the state database took them")
            self._queue.clear()
            self.health.waiting = 0
        await super().close()

    # -- keeping records -----------------------------------------------------------------------

    async def _keep(self, what: str, write: Callable[[], Awaitable[T]], fallback: T) -> T:
        if self._closed:  # the bot is stopping: nothing would ever write it
            self._drop(1, "the state database is closed")
            return fallback
        if self.blocked:  # wait in line behind the records already waiting: the reply does not
            self._enqueue(_Pending(what, write))
            return fallback
        attempt = asyncio.ensure_future(write())
        try:
            return await asyncio.wait_for(asyncio.shield(attempt), self.record_wait)
        except TimeoutError:
            # The write goes on (SQLite is still waiting for the lock); the reply does not wait for it.
            self._enqueue(_Pending(what, write, attempt))
            self._block(f"a write took more than {self.record_wait:g} s")
        except STORAGE_ERRORS as exc:
            self.health.failed_writes += 1
            self._enqueue(_Pending(what, write))
            self._block(str(exc) or type(exc).__name__)
        return fallback

    def _enqueue(self, pending: _Pending) -> None:
        if len(self._queue) >= QUEUE_LIMIT:
            self._drop(1, f"{QUEUE_LIMIT} records were already waiting")
            return
        self._queue.append(pending)
        self.health.waiting = len(self._queue)

    def _drop(self, count: int, why: str) -> None:
        self.health.dropped += count
        log.warning("dropped %d question/check record(s): %s (%d dropped so far)", count, why, self.health.dropped)

    def _block(self, reason: str) -> None:
        self.health.reason = reason
        if self.blocked:
            return
        self.health.blocked_since = time.time()
        log.warning(
            "state database %s is not taking records (%s): answering without them; records wait in memory "
            "(up to %d) and are written when it takes them again",
            self.path, reason, QUEUE_LIMIT,
        )  # fmt: skip
        self._flusher = asyncio.create_task(self._flush(), name="storage-flush")

    async def _flush(self) -> None:
        """Write the waiting records in order, backing off while the database refuses them."""
        delay = self.retry_first
        while self._queue:
            pending = self._queue[0]
            try:
                if pending.attempt is not None:  # a write still under way: its outcome first
                    attempt, pending.attempt = pending.attempt, None
                    await attempt
                else:
                    await pending.write()
            except STORAGE_ERRORS as exc:
                self.health.failed_writes += 1
                self.health.reason = str(exc) or type(exc).__name__
                log.warning(
                    "state database still not taking records (%s): %d waiting (a %s first); next try in %.0f s",
                    exc, len(self._queue), pending.what, delay,
                )  # fmt: skip
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX)
                continue
            self._queue.popleft()
            self.health.waiting = len(self._queue)
            self.health.stored_late += 1
        self.health.blocked_since = self.health.reason = None
        log.info(
            "state database %s takes records again (%d stored late, %d dropped since start)",
            self.path, self.health.stored_late, self.health.dropped,
        )  # fmt: skip


def _discard_outcome(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()  # retrieved, so asyncio does not report it as never retrieved


@dataclass
class _Pending:
    """A record waiting for the database: how to write it, and the write under way, if one is."""

    what: str
    write: Callable[[], Awaitable[Any]]
    attempt: asyncio.Future[Any] | None = None


@dataclass(frozen=True)
class Asked:
    answer: Answer
    question_id: int  # NOT_RECORDED when the record was not stored in time


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

    async def ask(
        self, question: str, *, user_id: int, guild_id: int | None, channel_id: int | None, private: bool = False
    ) -> Asked:
        answer = await self.engines.ask(question)
        question_id = await self.storage.record_question(
            answer.question,
            user_id=user_id,
            guild_id=guild_id,
            channel_id=channel_id,
            corpus_version=answer.corpus_version,
            answered=answer.answered,
            private=private,  # in the same write: a record is never stored public by mistake
        )
        log.info(
            "question %s from user %s: %s (corpus %s)",
            question_id or "(not recorded)", user_id, "answered" if answer.answered else "not answered",
            answer.corpus_version,
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
