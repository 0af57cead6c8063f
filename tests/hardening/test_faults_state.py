"""A sick state database does not silence the bot, through ``python -m bot run``'s own ``serve``
against the fake Discord.

* a write lock held by another process for longer than SQLite waits for it (5 s): before the fix
  every /ask and /check replied "Sorry, something went wrong" after 5 s; now the answer goes out at
  once (its buttons expire) and the records are written when the lock goes;
* a state folder that is not usable at start (here: a path through a regular file, which also stands
  for read-only and full — the same OSError at the same place): before the fix the bot exited 1 at
  every start; now it answers from a database in memory and says so;
* a database locked at start: the bot starts on the stand-in, then moves to the real database once
  the lock goes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.adapter import runner
from bot.adapter.answering import RecordingHealth
from bot.adapter.runner import serve
from bot.config import Settings
from tests.adapter.conftest import SALARY_QUESTION, UNLAWFUL_QUESTION, all_text, make_settings
from tests.fake_discord import FakeDiscord, FakeInteraction, patched_urls
from tests.hardening.conftest import TOKEN

CLAIM = "The salary threshold for a skilled worker visa rises to £38,700."
APOLOGY = "Sorry, something went wrong"


@contextlib.asynccontextmanager
async def serving(fake: FakeDiscord, settings: Settings) -> AsyncIterator[asyncio.Task[int]]:
    """``serve`` in this event loop, connected to ``fake``; stopped (and its status checked) after."""
    stop = asyncio.Event()
    with patched_urls(fake):
        task = asyncio.create_task(serve(settings, TOKEN, stop=stop))
        loop = asyncio.get_running_loop()
        end = loop.time() + 60
        while not any(getattr(e, "name", None) == "GUILD_CREATE" for e in fake.gateway_events):
            if task.done():
                task.result()  # the exception that stopped it, if any
                raise AssertionError("serve returned before connecting")
            assert loop.time() < end, "the bot did not connect"
            await asyncio.sleep(0.05)
        try:
            yield task
        finally:
            stop.set()
            assert await asyncio.wait_for(task, 30) == 0


@contextlib.contextmanager
def write_lock(database: Path) -> Iterator[sqlite3.Connection]:
    """Another process's write transaction on ``database``, held until the block ends."""
    connection = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield connection
        connection.execute("COMMIT")
    finally:
        connection.close()


async def answer_to(fake: FakeDiscord, interaction: FakeInteraction, timeout: float = 15) -> dict[str, Any]:
    record = await fake.wait_for_response(interaction, count=2, timeout=timeout)
    assert record.message_payload is not None
    return record.message_payload


def rows(database: Path, table: str) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        return int(connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


async def eventually(condition: Any, timeout: float = 15) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        assert loop.time() < end, "timed out"
        await asyncio.sleep(0.1)


async def test_a_write_lock_held_past_sqlites_wait_does_not_silence_ask_or_check(
    fake_discord: FakeDiscord, tmp_path: Path, corpus_copy: Path
) -> None:
    fake = fake_discord
    settings = make_settings(tmp_path / "state", corpus_copy)
    database = settings.database_path
    async with serving(fake, settings):
        loop = asyncio.get_running_loop()
        with write_lock(database):
            locked_at = loop.time()
            asked = await fake.send_slash_command("ask", {"question": SALARY_QUESTION})
            answer = await answer_to(fake, asked)
            assert loop.time() - locked_at < 4.5, "the answer waited for the database"
            assert APOLOGY not in all_text(answer)
            assert "salary threshold" in answer["embeds"][0]["description"].lower().replace("*", "")
            checked = await fake.send_slash_command("check", {"claim": CLAIM})
            check = await answer_to(fake, checked)
            assert check["embeds"] and APOLOGY not in all_text(check)
            mention = f"<@{fake.bot_user.id}> {UNLAWFUL_QUESTION}"
            await fake.send_message(mention, mentions=[fake.bot_user])
            reply = await fake.wait_for_request(method="POST", path="/channels/*/messages", timeout=15)
            assert reply.json["embeds"] and APOLOGY not in all_text(reply.json)
            # Held past SQLite's 5 s wait: the first record's write has failed by now.
            await asyncio.sleep(max(0.0, locked_at + 5.5 - loop.time()))
            assert rows(database, "questions") == 0
        # The lock is gone: the records that waited are written, none lost.
        await eventually(lambda: rows(database, "questions") == 2 and rows(database, "checks") == 1)
    status = RecordingHealth.load(settings.state_dir)
    assert status is not None and status.stored_late == 3 and status.dropped == 0 and status.blocked_since is None


async def test_an_unusable_state_folder_at_start_still_answers(
    fake_discord: FakeDiscord, tmp_path: Path, corpus_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake = fake_discord
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the state folder's parent should be")
    # tantivy keeps its index in the state folder too: the index must fall back to memory as well.
    settings = make_settings(blocker / "state", corpus_copy, index_backend="tantivy")
    caplog.set_level(logging.INFO)
    async with serving(fake, settings):
        asked = await fake.send_slash_command("ask", {"question": SALARY_QUESTION})
        answer = await answer_to(fake, asked)
        assert "salary threshold" in answer["embeds"][0]["description"].lower().replace("*", "")
        checked = await fake.send_slash_command("check", {"claim": CLAIM})
        assert APOLOGY not in all_text(await answer_to(fake, checked))
    assert f"cannot open {settings.database_path}" in caplog.text and "kept in memory only" in caplog.text
    assert "building it in memory" in caplog.text  # the search index
    assert "Traceback" not in caplog.text


async def test_a_database_locked_at_start_is_taken_up_once_the_lock_goes(
    fake_discord: FakeDiscord, tmp_path: Path, corpus_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = fake_discord
    settings = make_settings(tmp_path / "state", corpus_copy)
    settings.state_dir.mkdir(parents=True)
    with contextlib.closing(sqlite3.connect(settings.database_path)) as existing:
        existing.execute("PRAGMA journal_mode=WAL").fetchone()
    monkeypatch.setattr(runner, "STATE_RETRY_SECONDS", 0.2, raising=False)
    with write_lock(settings.database_path) as lock:
        serving_bot = serving(fake, settings)
        await serving_bot.__aenter__()
        try:
            asked = await fake.send_slash_command("ask", {"question": SALARY_QUESTION})
            assert "salary threshold" in all_text(await answer_to(fake, asked)).lower().replace("*", "")
            lock.execute("COMMIT")
            lock.execute("BEGIN")  # a read transaction only: the bot may write now
            await asyncio.sleep(0.8)  # the retry opens the real database
            asked = await fake.send_slash_command("ask", {"question": UNLAWFUL_QUESTION})
            assert (await answer_to(fake, asked))["embeds"]
            await eventually(lambda: rows(settings.database_path, "questions") == 1)
        finally:
            await serving_bot.__aexit__(None, None, None)
