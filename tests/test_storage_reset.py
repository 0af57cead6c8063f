"""A reset state database is never silent (ids restart, so old buttons would act on new records): the
file's instance id, an emptied or unreadable file set aside and logged, an older file migrated, and
set-aside files acknowledged."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.storage import (
    ACKNOWLEDGED_SUFFIX,
    DAMAGED_SUFFIX,
    SCHEMA_VERSION,
    Storage,
    acknowledge_set_aside,
    set_aside_databases,
)


async def _ask(storage: Storage, question: str = "q", **fields: Any) -> int:
    values: dict[str, Any] = {"user_id": 1, "guild_id": 2, "channel_id": 3, "corpus_version": "v", "answered": True}
    return await storage.record_question(question, **{**values, **fields})


async def test_each_database_file_has_its_own_lasting_instance_id(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    async with await Storage.open(path) as storage:
        first = storage.instance
    async with await Storage.open(path) as storage:
        assert storage.instance == first  # the same file: the same id, so its buttons keep working
    path.unlink()
    async with await Storage.open(path) as storage:
        assert storage.instance != first and len(storage.instance) == 8
        int(storage.instance, 16)  # hex: it goes in custom ids


async def test_an_emptied_database_is_set_aside_and_logged_loudly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "bot.sqlite3"
    async with await Storage.open(path) as storage:
        old_instance = storage.instance
        await _ask(storage, "someone's question")
    path.write_bytes(b"")  # emptied: SQLite would take it for a new database without a word
    with caplog.at_level(logging.WARNING, logger="bot.storage"):
        async with await Storage.open(path) as storage:
            assert storage.instance != old_instance
            assert await storage.question(1) is None
            assert await _ask(storage) == 1  # a fresh database: ids start again, hence the instance id
    (aside,) = set_aside_databases(path)
    assert aside.name.startswith("bot.sqlite3" + DAMAGED_SUFFIX) and aside.read_bytes() == b""
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "is damaged (empty (0 bytes)" in record.getMessage() and aside.name in record.getMessage()
    assert "python -m bot check" in record.getMessage()


async def test_an_unreadable_database_is_set_aside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bot.sqlite3"
    async with await Storage.open(path) as storage:
        await _ask(storage)
    real_open = Path.open

    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == path:  # as for a file owned by another user (tests run as root, who reads anything)
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    async with await Storage.open(path) as storage:
        assert await storage.question(1) is None
    (aside,) = set_aside_databases(path)
    with sqlite3.connect(aside) as kept:  # kept whole, for whoever fixes the permissions
        assert kept.execute("SELECT question FROM questions").fetchall() == [("q",)]
    kept.close()


async def test_privacy_is_recorded_and_a_dm_is_personal(tmp_path: Path) -> None:
    async with await Storage.open(tmp_path / "s.db") as storage:
        public = await storage.question(await _ask(storage))
        private = await storage.question(await _ask(storage, private=True))
        marked_id = await _ask(storage)
        await storage.mark_private(marked_id)
        marked = await storage.question(marked_id)
        dm = await storage.question(await _ask(storage, guild_id=None))
    assert public is not None and not public.private and not public.personal
    assert private is not None and private.private and private.personal
    assert marked is not None and marked.private
    assert dm is not None and not dm.private and dm.personal


async def test_a_version_2_database_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE questions (id INTEGER PRIMARY KEY AUTOINCREMENT, question TEXT NOT NULL,"
            " user_id INTEGER NOT NULL, guild_id INTEGER, channel_id INTEGER, corpus_version TEXT NOT NULL,"
            " answered INTEGER NOT NULL, asked_at REAL NOT NULL)"
        )
        db.execute("INSERT INTO questions VALUES (1, 'old', 5, 6, 7, 'v', 1, 1.0)")
        db.execute("PRAGMA user_version=2")
    db.close()
    async with await Storage.open(path) as storage:
        old = await storage.question(1)
        assert old is not None and old.question == "old" and not old.private
        assert storage.instance
        assert await _ask(storage, private=True) == 2
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    db.close()
    assert set_aside_databases(path) == []


def test_acknowledging_renames_the_set_aside_files_and_keeps_them(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    aside = tmp_path / f"bot.sqlite3{DAMAGED_SUFFIX}20260101T000000000000Z"
    aside.write_bytes(b"old")
    (tmp_path / (aside.name + "-wal")).write_bytes(b"old wal")
    assert set_aside_databases(path) == [aside]
    (renamed,) = acknowledge_set_aside(path)
    assert renamed.name == f"bot.sqlite3{ACKNOWLEDGED_SUFFIX}20260101T000000000000Z"
    assert renamed.read_bytes() == b"old" and (tmp_path / (renamed.name + "-wal")).read_bytes() == b"old wal"
    assert set_aside_databases(path) == [] and acknowledge_set_aside(path) == []
