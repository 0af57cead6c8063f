"""Faults through the fake Discord, and the bot's own process stopped or started in a bad state.

* 429s and 5xx on every kind of send (interaction callback, follow-up, channel reply): discord.py
  retries, the asker still gets the answer, nothing is sent twice;
* a gateway RECONNECT (op 7) and a dropped socket mid-conversation: the client RESUMEs, events sent
  while it was away are replayed and answered;
* SIGTERM to ``python -m bot run`` while it answers, while it refreshes the corpus and while it is
  still loading it: exit status 0, no temporary files, a sound SQLite file;
* a damaged SQLite file at start: moved aside (kept), a fresh database started, the bot serves.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from bot.adapter.client import PolicyBot
from tests.adapter.conftest import SALARY_QUESTION, UNLAWFUL_QUESTION
from tests.bot_process import bot_process, wait_for_log, wait_until_serving
from tests.fake_discord import FakeDiscord, FakeInteraction
from tests.hardening.conftest import TOKEN, assert_every_send_safe, deadline_errors, integrity, temporaries

ADMINISTRATOR = 1 << 3


async def _answer(fake: FakeDiscord, interaction: FakeInteraction, timeout: float = 20) -> dict[str, Any]:
    record = await fake.wait_for_response(interaction, count=2, timeout=timeout)
    assert record.message_payload is not None
    return record.message_payload


async def _reply_to(fake: FakeDiscord, message: dict[str, Any], timeout: float = 20) -> dict[str, Any]:
    def is_reply(record: Any) -> bool:
        reference = (record.json or {}).get("message_reference") or {}
        return str(reference.get("message_id")) == str(message["id"])

    record = await fake.wait_for_request(is_reply, method="POST", path="/channels/*/messages", timeout=timeout)
    return record.json


async def test_rate_limits_and_server_errors_on_sends_are_retried(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    fake = fake_discord
    mention = f"<@{fake.bot_user.id}>"
    # The defer itself rate limited, then two follow-ups in a row.
    fake.fail_next("POST", "/interactions/*/*/callback", status=429, retry_after=0.2)
    fake.fail_next("POST", "/webhooks/*/*", status=429, count=2, retry_after=0.1)
    first = await fake.send_slash_command("ask", {"question": SALARY_QUESTION})
    assert "salary threshold" in (await _answer(fake, first))["embeds"][0]["description"].lower().replace("*", "")
    # A server error on the follow-up (discord.py waits 1 s and tries again).
    fake.fail_next("POST", "/webhooks/*/*", status=500)
    second = await fake.send_slash_command("ask", {"question": UNLAWFUL_QUESTION, "private": True})
    assert (await _answer(fake, second))["embeds"]
    # Replies to mentions: a global rate limit, then a bad gateway.
    fake.fail_next("POST", "/channels/*/messages", status=429, is_global=True, retry_after=0.1)
    asked = await fake.send_message(f"{mention} {SALARY_QUESTION}", mentions=[fake.bot_user])
    assert (await _reply_to(fake, asked))["embeds"]
    fake.fail_next("POST", "/channels/*/messages", status=502)
    asked = await fake.send_message(f"{mention} {UNLAWFUL_QUESTION}", mentions=[fake.bot_user])
    assert (await _reply_to(fake, asked))["embeds"]

    injected = [r for r in fake.requests if r.injected]
    assert sorted(r.status for r in injected) == [429, 429, 429, 429, 500, 502]
    # Each answer was delivered exactly once: one stored message per question, no duplicates.
    answers = [m for m in fake.messages_in() if m["author"]["id"] == str(fake.bot_user.id) and m.get("embeds")]
    assert len(answers) == 4, [m["id"] for m in answers]
    assert_every_send_safe(fake)
    assert not deadline_errors(fake)


async def test_gateway_reconnect_and_resume_mid_conversation(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    fake = fake_discord
    mention = f"<@{fake.bot_user.id}>"
    before = await fake.send_slash_command("ask", {"question": SALARY_QUESTION})
    await _answer(fake, before)

    await fake.force_reconnect()  # op 7: discord.py reconnects and RESUMEs
    after_reconnect = await fake.send_slash_command("ask", {"question": UNLAWFUL_QUESTION})
    await _answer(fake, after_reconnect)

    # The socket dropped; questions asked meanwhile are replayed after RESUME and answered.
    closes = sum(e.kind == "close" for e in fake.gateway_events)
    await fake.drop_connection(4000, wait=False)
    # Wait until the socket is really closed: an event written while it is closing crashes the fake
    # (tests/fake_discord echo on a closing transport - reported, not ours to change).
    await fake.gateway.wait_for(lambda e: e.kind == "close", count=closes + 1, timeout=5)
    while_down = await fake.send_slash_command("ask", {"question": SALARY_QUESTION, "private": True})
    mentioned = await fake.send_message(f"{mention} {UNLAWFUL_QUESTION}", mentions=[fake.bot_user])
    await fake.wait_for_resume(2, timeout=15)
    await _answer(fake, while_down)
    assert (await _reply_to(fake, mentioned))["embeds"]

    last = await fake.send_slash_command("ask", {"question": UNLAWFUL_QUESTION})
    await _answer(fake, last)
    assert len(fake.gateway.received(6)) == 2  # two RESUMEs, no new IDENTIFY: the session survived
    assert len(fake.gateway.received(2)) == 1
    assert_every_send_safe(fake)
    assert not deadline_errors(fake)


# -- the bot's own process ------------------------------------------------------------------------------


def _assert_clean_state(workdir: Path, corpus: Path) -> None:
    assert not temporaries(corpus), temporaries(corpus)
    assert not temporaries(workdir / "state"), temporaries(workdir / "state")
    database = workdir / "state" / "bot.sqlite3"
    assert database.is_file() and integrity(database) == "ok"
    assert (
        not (workdir / "state" / "bot.sqlite3-wal").exists()
        or (workdir / "state" / "bot.sqlite3-wal").stat().st_size == 0
    )


async def test_sigterm_while_answering_exits_cleanly(
    fake_discord: FakeDiscord, tmp_path: Path, corpus_copy: Path
) -> None:
    fake = fake_discord
    async with bot_process(fake, tmp_path, corpus_copy, token=TOKEN) as bot:
        await wait_until_serving(fake, bot)
        asked = [
            await fake.send_slash_command("ask", {"question": q}) for q in (SALARY_QUESTION, UNLAWFUL_QUESTION) * 3
        ]
        await fake.wait_for_response(asked[0], timeout=15)  # the first is deferred: answers are in flight
        assert await bot.stop() == 0, bot.log()[-3000:]
        log = bot.log()
    assert "stopped cleanly" in log
    assert TOKEN not in log and not any(i.token in log for i in asked)
    _assert_clean_state(tmp_path, corpus_copy)


def _big_corpus(corpus: Path) -> None:
    """The seed plus a 4 MB one-line document: indexing it takes a few seconds, long enough to stop in."""
    (corpus / "big.txt").write_text("policy " * 600_000 + "\n", encoding="utf-8")


async def test_sigterm_during_a_corpus_refresh_exits_cleanly(
    fake_discord: FakeDiscord, tmp_path: Path, corpus_copy: Path
) -> None:
    fake = fake_discord
    async with bot_process(fake, tmp_path, corpus_copy, token=TOKEN) as bot:
        await wait_until_serving(fake, bot)
        commands = {c["name"]: c for c in fake.global_commands}
        subcommands = {o["name"] for o in commands.get("corpus", {}).get("options", [])}
        assert "refresh" in subcommands, "/corpus refresh must be registered"
        _big_corpus(corpus_copy)
        refresh = await fake.send_slash_command("corpus", {}, subcommand="refresh", member_permissions=ADMINISTRATOR)
        await fake.wait_for_response(refresh, timeout=15)  # deferred: the rebuild is running
        await asyncio.sleep(0.3)
        assert await bot.stop() == 0, bot.log()[-3000:]
        log = bot.log()
    assert "stopped cleanly" in log and TOKEN not in log and refresh.token not in log
    stopping = log.index("stopping: closing the Discord connection")
    assert f"corpus {corpus_copy}: 2 documents" not in log[:stopping], "the refresh ended before the SIGTERM"
    _assert_clean_state(tmp_path, corpus_copy)


async def test_sigterm_while_still_loading_the_corpus_exits_cleanly(
    fake_discord: FakeDiscord, tmp_path: Path, corpus_copy: Path
) -> None:
    """Regression: closing the client mid-login re-raised aiohttp's "Connector is closed",
    a traceback and exit status 1 (fixed in bot/adapter/runner.py)."""
    fake = fake_discord
    _big_corpus(corpus_copy)
    async with bot_process(fake, tmp_path, corpus_copy, token=TOKEN) as bot:
        await wait_for_log(bot, "Using selector")  # the event loop exists, the signal handlers are set
        await asyncio.sleep(0.2)  # well inside the (seconds-long) corpus load
        assert "corpus " not in bot.log(), "the corpus loaded too fast to be interrupted"
        status = await bot.stop()
        log = bot.log()
    assert status == 0, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    assert not temporaries(corpus_copy)


async def test_a_damaged_database_is_set_aside_and_the_bot_serves(
    fake_discord: FakeDiscord, tmp_path: Path, corpus_copy: Path
) -> None:
    fake = fake_discord
    state = tmp_path / "state"
    state.mkdir()
    damaged = b"this is not a database, it was overwritten" * 200
    (state / "bot.sqlite3").write_bytes(damaged)
    (state / "bot.sqlite3-wal").write_bytes(b"a stale write-ahead log" * 50)
    async with bot_process(fake, tmp_path, corpus_copy, token=TOKEN) as bot:
        await wait_until_serving(fake, bot)
        asked = await fake.send_slash_command("ask", {"question": SALARY_QUESTION})
        assert (await _answer(fake, asked))["embeds"]
        assert await bot.stop() == 0, bot.log()[-3000:]
        log = bot.log()
    assert f"state database {state / 'bot.sqlite3'} is damaged" in log and "moved it to bot.sqlite3.damaged-" in log
    (aside,) = [p for p in state.glob("bot.sqlite3.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
    assert aside.read_bytes() == damaged  # kept as it was, for whoever wants to recover it
    assert (state / f"{aside.name}-wal").is_file()  # its stale WAL went with it, never replayed into the new one
    _assert_clean_state(tmp_path, corpus_copy)
    with sqlite3.connect(state / "bot.sqlite3") as connection:
        assert connection.execute("SELECT count(*) FROM questions").fetchone()[0] == 1  # the new one is in use
