"""Records that never hold up a reply: ``GuardedStorage`` on a full database, its bounded queue, what
it reports, and what a button says when the database is sick."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.adapter import answering
from bot.adapter.answering import NOT_RECORDED, GuardedStorage, RecordingHealth
from bot.adapter.client import PolicyBot
from tests.adapter.conftest import SALARY_QUESTION, all_text, custom_ids, final_message
from tests.fake_discord import FakeDiscord

LONG = "what is the new salary threshold for a work visa? " * 200  # ≈ 10 KB: needs new database pages


async def record(storage: GuardedStorage, question: str = LONG) -> int:
    return await storage.record_question(
        question, user_id=1, guild_id=2, channel_id=3, corpus_version="v", answered=True
    )


async def set_page_limit(storage: GuardedStorage, pages: int | None) -> None:
    """A database file that may not grow (``None``: as before): SQLite's "database or disk is full",
    the very error of a full disk, without filling one."""

    def limit() -> None:
        db = storage._db
        count = db.execute("PRAGMA page_count").fetchone()[0] if pages is None else pages
        db.execute(f"PRAGMA max_page_count = {count if pages is not None else 1_000_000}")

    await storage._run(limit)


async def test_a_full_database_neither_fails_nor_delays_a_record_and_it_is_written_later(tmp_path: Path) -> None:
    storage = await GuardedStorage.open(tmp_path / "bot.sqlite3")
    storage.retry_first = 0.05
    try:
        assert await record(storage, "a first question") == 1

        def pages() -> int:
            return int(storage._db.execute("PRAGMA page_count").fetchone()[0])

        await set_page_limit(storage, await storage._run(pages))
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert await record(storage) == NOT_RECORDED  # no exception: the reply goes out
        assert await record(storage, "a third") == NOT_RECORDED  # in line behind it, not even tried
        assert loop.time() - started < 1.0
        health = storage.health
        assert health.blocked_since is not None and "full" in (health.reason or "") and health.waiting == 2
        assert "has not taken records since" in (health.describe() or "")
        await set_page_limit(storage, None)  # room again
        for _ in range(100):
            if not storage.blocked:
                break
            await asyncio.sleep(0.05)
        assert health.stored_late == 2 and health.dropped == 0 and health.blocked_since is None
        assert (await storage.question(3)) is not None  # written in order, after the first
        assert await record(storage, "a fourth") == 4  # and records go straight in again
    finally:
        await storage.close()


async def test_the_queue_is_bounded_and_what_is_dropped_is_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(answering, "QUEUE_LIMIT", 3)
    storage = await GuardedStorage.open(tmp_path / "bot.sqlite3")
    storage.retry_first = 60.0  # the database stays full for this test
    await record(storage, "fits")

    def pages() -> int:
        return int(storage._db.execute("PRAGMA page_count").fetchone()[0])

    await set_page_limit(storage, await storage._run(pages))
    for _ in range(5):
        assert await record(storage) == NOT_RECORDED
    assert storage.health.waiting == 3 and storage.health.dropped == 2
    await storage.close()  # the bot stops before the database takes the rest
    assert storage.health.dropped == 5 and storage.health.waiting == 0
    assert "5 question/check record(s) dropped" in (storage.health.describe() or "")
    assert "dropped 3 question/check record(s): the bot stopped" in caplog.text


def test_the_health_of_recording_is_saved_for_the_health_check(tmp_path: Path) -> None:
    assert RecordingHealth.load(tmp_path) is None
    healthy = RecordingHealth()
    assert healthy.describe() is None
    healthy.save(tmp_path)
    assert RecordingHealth.load(tmp_path) == healthy
    sick = RecordingHealth(stored_late=4, dropped=1, blocked_since=1_700_000_000.0, reason="database is locked")
    sick.save(tmp_path)
    loaded = RecordingHealth.load(tmp_path)
    assert loaded == sick and loaded is not None and loaded.degraded
    assert "(database is locked)" in (loaded.describe() or "") and "1 question/check record(s) dropped" in (
        loaded.describe() or ""
    )
    (tmp_path / answering.STATUS_FILE).write_text("{not json")
    assert RecordingHealth.load(tmp_path) is None
    healthy.save(tmp_path / "missing-folder")  # best effort: never raises


async def test_a_button_that_needs_a_sick_database_says_so_plainly(
    fake_discord: FakeDiscord, bot: PolicyBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    interaction = await fake_discord.send_slash_command("ask", {"question": SALARY_QUESTION})
    await final_message(fake_discord, interaction)
    message = fake_discord.messages.get(interaction.original_message_id or 0)
    assert message is not None
    (up,) = [c for c in custom_ids(message) if c.startswith("pb:up:")]

    async def locked(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(bot.storage, "record_vote", locked)
    pressed = await fake_discord.send_component(up, message)
    text = all_text(await final_message(fake_discord, pressed))
    assert "could not reach my records" in text and "Reference: `E-" in text
    assert "Sorry, something went wrong" not in text
