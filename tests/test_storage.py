"""The SQLite state: schema, questions, feedback, sync hashes — and that calls stay off the event loop."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.storage import SCHEMA_VERSION, Storage


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_schema_is_created_idempotently_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "state" / "bot.sqlite3"
    async with await Storage.open(path) as storage:
        question_id = await storage.record_question(
            "q", user_id=1, guild_id=2, channel_id=3, corpus_version="v", answered=True
        )
    async with await Storage.open(path) as storage:  # reopening keeps the data
        record = await storage.question(question_id)
        assert record is not None and record.question == "q"
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"questions", "feedback", "command_sync"} <= tables


async def test_questions_and_gaps(tmp_path: Path) -> None:
    clock = Clock()
    async with await Storage.open(tmp_path / "s.db", clock=clock) as storage:
        ids = []
        for n, answered in enumerate([True, False, False, True]):
            clock.now += 10
            ids.append(
                await storage.record_question(
                    f"q{n}",
                    user_id=n,
                    guild_id=None if n == 2 else 7,
                    channel_id=8,
                    corpus_version="v1",
                    answered=answered,
                )
            )
        assert ids == [1, 2, 3, 4]
        gaps = await storage.unanswered()
        assert [(g.question, g.user_id, g.guild_id, g.answered) for g in gaps] == [
            ("q2", 2, None, False), ("q1", 1, 7, False),
        ]  # fmt: skip
        assert [g.question for g in await storage.unanswered(since=1025)] == ["q2"]
        assert [g.question for g in await storage.unanswered(limit=1)] == ["q2"]
        assert await storage.question(99) is None


async def test_forgetting_old_answers_keeps_gaps_and_never_reuses_ids(tmp_path: Path) -> None:
    clock = Clock()
    async with await Storage.open(tmp_path / "s.db", clock=clock) as storage:
        old = await storage.record_question(
            "old", user_id=1, guild_id=1, channel_id=1, corpus_version="v", answered=True
        )
        gap = await storage.record_question(
            "gap", user_id=1, guild_id=1, channel_id=1, corpus_version="v", answered=False
        )
        clock.now += 100
        assert await storage.forget_answered_before(clock.now - 50) == 1
        assert await storage.question(old) is None and await storage.question(gap) is not None
        newer = await storage.record_question(
            "new", user_id=1, guild_id=1, channel_id=1, corpus_version="v", answered=True
        )
        assert newer > gap  # an old button's id can never point at someone else's new question


async def test_one_vote_per_user_per_answer_changeable(tmp_path: Path) -> None:
    clock = Clock()
    async with await Storage.open(tmp_path / "s.db", clock=clock) as storage:
        qid = await storage.record_question(
            "q", user_id=1, guild_id=1, channel_id=1, corpus_version="v9", answered=True
        )
        record = await storage.question(qid)
        assert record is not None
        assert await storage.record_vote(record, 5, 1) is None
        clock.now += 1
        assert await storage.record_vote(record, 5, -1) == 1
        assert await storage.record_vote(record, 6, 1) is None
        votes = await storage.feedback(qid)
        assert [(v.user_id, v.vote, v.question, v.corpus_version, v.voted_at) for v in votes] == [
            (5, -1, "q", "v9", 1001.0), (6, 1, "q", "v9", 1001.0),
        ]  # fmt: skip
        assert len(await storage.feedback()) == 2
        with pytest.raises(sqlite3.IntegrityError):
            await storage.record_vote(record, 7, 0)  # type: ignore[arg-type]
        assert len(await storage.feedback()) == 2  # the failed vote was rolled back


async def test_sync_hashes_per_scope(tmp_path: Path) -> None:
    async with await Storage.open(tmp_path / "s.db") as storage:
        assert await storage.sync_hash("global") is None
        await storage.set_sync_hash("global", "a")
        await storage.set_sync_hash("guild 1", "b")
        await storage.set_sync_hash("global", "c")
        assert (await storage.sync_hash("global"), await storage.sync_hash("guild 1")) == ("c", "b")


async def test_calls_run_in_one_worker_thread_not_the_event_loop(tmp_path: Path) -> None:
    async with await Storage.open(tmp_path / "s.db") as storage:
        threads = set()

        def where() -> None:
            threads.add(threading.get_ident())

        await asyncio.gather(*(storage._run(where) for _ in range(5)))
        assert len(threads) == 1 and threading.get_ident() not in threads


async def test_closed_storage_refuses_calls(tmp_path: Path) -> None:
    storage = await Storage.open(tmp_path / "s.db")
    await storage.close()
    with pytest.raises(RuntimeError):
        await storage.question(1)
