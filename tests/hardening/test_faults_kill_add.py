"""A kill during ``/corpus add`` never leaves a served document without its audit row.

``python -m bot run`` gets a moderator's upload and is killed (SIGKILL) the moment the new document
appears in the corpus folder — while its engine is being rebuilt, before the add is on record. Before
the fix the document was served after the restart with no "corpus add" row (and no reply had said it
was added). Now the restart finds the add unconfirmed: the document goes to the trash, a "failed" row
says the add was interrupted, and nothing it left (marker, sidecar) lingers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sqlite3
from pathlib import Path

from bot.engine.corpus.documents import SIDECAR_SUFFIX, corpus_files
from bot.engine.corpus.store import PENDING_PREFIX, CorpusStore
from tests.bot_process import bot_process, wait_until_serving
from tests.conftest import SEED_FILE
from tests.fake_discord import FakeDiscord
from tests.fake_discord import permissions as perms
from tests.hardening.conftest import TOKEN

# A few hundred KB of text: the rebuild that follows the write takes long enough to be killed in.
UPLOAD = ("# Zorbleflax levy\n\n" + "The zorbleflax levy funds the county's bus services every year. " * 5000).encode()


def audit_rows(database: Path) -> list[tuple[str, str, str | None, str | None]]:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        return list(connection.execute("SELECT action, outcome, target, reason FROM audit ORDER BY id"))


def guild_creates(fake: FakeDiscord) -> int:
    return sum(getattr(e, "name", None) == "GUILD_CREATE" for e in fake.gateway_events)


async def test_a_kill_mid_add_leaves_no_served_document_without_its_audit_row(
    fake_discord: FakeDiscord, tmp_path: Path, corpus_copy: Path
) -> None:
    fake = fake_discord
    before = {p.name for p in corpus_files(corpus_copy)}
    async with bot_process(fake, tmp_path, corpus_copy, token=TOKEN) as bot:
        await wait_until_serving(fake, bot)
        manager = fake.add_member("manager", permissions=perms.EVERYONE | perms.MANAGE_GUILD)
        attachment = fake.add_attachment("zorbleflax.md", UPLOAD, content_type="text/markdown")
        await fake.send_slash_command("corpus", {"file": attachment}, subcommand="add", user=manager)
        loop = asyncio.get_running_loop()
        end = loop.time() + 30
        while not {p.name for p in corpus_files(corpus_copy)} - before:
            assert loop.time() < end, f"the document never appeared:\n{bot.log()[-3000:]}"
            await asyncio.sleep(0.002)
        bot.process.send_signal(signal.SIGKILL)
        await bot.process.wait()
        log = bot.log()
    assert "audit 1: corpus add ok" not in log, "the add was on record before the kill: kill earlier"

    connected = guild_creates(fake)
    async with bot_process(fake, tmp_path, corpus_copy, token=TOKEN) as restarted:
        end = loop.time() + 60
        while guild_creates(fake) == connected:  # the log file and the fake's events are the first run's too
            assert restarted.process.returncode is None and loop.time() < end, restarted.log()[-3000:]
            await asyncio.sleep(0.05)
        assert await restarted.stop() == 0, restarted.log()[-3000:]
        log = restarted.log()[len(log) :]

    rows = audit_rows(tmp_path / "state" / "bot.sqlite3")
    served = [p for p in corpus_files(corpus_copy) if p.name != SEED_FILE.name]
    for path in served:  # every document added from Discord that is served has its "corpus add" row
        meta = json.loads(path.with_name(path.name + SIDECAR_SUFFIX).read_text(encoding="utf-8"))
        if "added_by" in meta:
            assert any(
                action == "corpus add" and outcome == "ok" and (target or "").startswith(path.name)
                for action, outcome, target, _ in rows
            ), f"{path.name} is served with no 'corpus add' audit row: {rows}"
    assert not served, "an add nobody was told about is served"
    (failed,) = [r for r in rows if r[:2] == ("corpus add", "failed")]
    assert "interrupted" in (failed[3] or "") and "trash" in (failed[3] or "")
    (entry,) = CorpusStore(corpus_copy).trash_entries()
    assert entry.document_id.startswith("zorbleflax-levy") and entry.title == "Zorbleflax levy"
    assert not list(corpus_copy.glob(PENDING_PREFIX + "*"))  # the add is settled
    assert [p.name for p in corpus_copy.glob("*" + SIDECAR_SUFFIX)] == [SEED_FILE.name + SIDECAR_SUFFIX]
    assert "an interrupted corpus add" in log
