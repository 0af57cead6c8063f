"""State that survives restarts, in one SQLite file: questions asked, feedback, command-sync hashes,
and the audit log of moderators' corpus changes.

One connection, owned by one worker thread: every call runs there (never on the event loop), so
SQLite sees a single writer and no locking games are needed. WAL keeps readers (``sqlite3`` in a
shell, a later ``/corpus gaps``) from blocking the bot. The schema is created idempotently;
``PRAGMA user_version`` numbers it for later migrations (version 2 added the audit table, version 3
the ``meta`` table and the ``questions.private`` column: ``CREATE ... IF NOT EXISTS`` adds the
tables to an older file, ``ALTER TABLE`` the column when it is missing).

Questions are kept because the buttons under an answer carry only the question's id (and the
database's instance id, below): after a restart the bot re-asks the stored question against the
current engine. Each database file has an instance id, random, made when the file is created
(``meta``): after the database is reset (set aside, emptied) ids start again at 1, and a button made
under the old file must say "expired", not act on whichever new record got its id.

Unanswered questions are the corpus's gaps; ``/corpus gaps`` groups them by their normalised text
(case, spacing and end punctuation do not make two questions different), most frequent first. Ids are AUTOINCREMENT so a
forgotten question's id is never reused by a new one (an old button must say "expired", not answer
someone else's question). Claims checked against the documents are kept the same way (table
``checks``), for the "Share in channel" button under a private check.

A damaged database file (not SQLite, failing ``PRAGMA quick_check``, empty, or unreadable) does not
stop the bot: it is moved aside, with its ``-wal``/``-shm`` files, to ``bot.sqlite3.damaged-<UTC time>``
(kept for recovery, never deleted), the error is logged naming both files, and a fresh database is
started. Only buttons of earlier answers ("expired") and past gaps/feedback are lost from the live
state. An empty (0-byte) file counts as damaged: SQLite would silently treat it as a new database,
and every question, vote and audit row would be gone without a word. ``python -m bot check`` reports
a damaged database as an error, and a set-aside one as "degraded" until a moderator acknowledges it
(``acknowledge_set_aside``: renamed to ``bot.sqlite3.acknowledged-<time>``, still kept).
Other errors (locked, read-only folder, no space) are raised as they are: moving the file would not help.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
Vote = Literal[-1, 1]
# ok: done; refused: not permitted; failed: tried and did not happen; cancelled: the moderator said no.
Outcome = Literal["ok", "refused", "failed", "cancelled"]

SCHEMA_VERSION = 3
_SCHEMA = """
-- Facts about this database file itself; ``instance`` is made once, when the file is created.
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS questions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    question       TEXT    NOT NULL,
    user_id        INTEGER NOT NULL,
    guild_id       INTEGER,
    channel_id     INTEGER,
    corpus_version TEXT    NOT NULL,
    answered       INTEGER NOT NULL CHECK (answered IN (0, 1)),
    asked_at       REAL    NOT NULL,
    private        INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1))
);
CREATE INDEX IF NOT EXISTS questions_by_answered ON questions (answered, asked_at);

-- question text and version are copied in on purpose: feedback outlives forgotten questions.
CREATE TABLE IF NOT EXISTS feedback (
    question_id    INTEGER NOT NULL,
    user_id        INTEGER NOT NULL,
    vote           INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    question       TEXT    NOT NULL,
    corpus_version TEXT    NOT NULL,
    voted_at       REAL    NOT NULL,
    PRIMARY KEY (question_id, user_id)
);

-- Claims held up to the documents ("Check against the documents"); the share button carries the id.
CREATE TABLE IF NOT EXISTS checks (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    claim          TEXT    NOT NULL,
    user_id        INTEGER NOT NULL,
    guild_id       INTEGER,
    channel_id     INTEGER,
    corpus_version TEXT    NOT NULL,
    checked_at     REAL    NOT NULL
);

CREATE TABLE IF NOT EXISTS command_sync (
    scope        TEXT PRIMARY KEY,
    payload_hash TEXT NOT NULL,
    synced_at    REAL NOT NULL
);

-- Who did what to the corpus, and every refused attempt. Rows are only ever added.
CREATE TABLE IF NOT EXISTS audit (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        REAL    NOT NULL,
    user_id   INTEGER NOT NULL,
    user_name TEXT    NOT NULL,
    guild_id  INTEGER,
    action    TEXT    NOT NULL,
    target    TEXT,
    sha256    TEXT,
    outcome   TEXT    NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed', 'cancelled')),
    reason    TEXT
);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit (at);
"""
_END_PUNCTUATION = re.compile(r"[\s?!.。？！…\"'“”‘’]+$")


def normalise_question(text: str) -> str:
    """The form two questions are counted as the same in: case-folded, one space, no end punctuation."""
    return _END_PUNCTUATION.sub("", " ".join(text.casefold().split()))


# SQLITE_CORRUPT, SQLITE_NOTADB: the file itself is damaged (not "locked", "readonly", "full"...).
_DAMAGED = frozenset({11, 26})
DAMAGED_SUFFIX = ".damaged-"
ACKNOWLEDGED_SUFFIX = ".acknowledged-"
_COMPANIONS = ("-wal", "-shm")
NOT_SQLITE = "not an SQLite file"
INSTANCE_CHARS = 8  # hex digits of the instance id (32 random bits): what a button carries


class DamagedDatabaseError(sqlite3.DatabaseError):
    """The database opened but fails its integrity check."""


def unusable(path: Path) -> str | None:
    """Why ``path`` cannot be the state database as it is (it would be set aside), or None.

    Judged from its first bytes, before SQLite opens it: SQLite takes an empty file for a new
    database, and closing a connection to a non-database deletes its -wal and -shm."""
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
    except FileNotFoundError:
        return None
    except PermissionError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if not header:
        # A fresh file is only empty between connect() and the WAL pragma, which writes its header;
        # an empty file at start was emptied by something else, so its records are gone: say so.
        return "empty (0 bytes): its questions, feedback and audit log are gone"
    if header != b"SQLite format 3\x00":
        return NOT_SQLITE
    return None


def set_aside(path: Path) -> Path:
    """Rename a damaged database (and its WAL and shared-memory files) out of the way; returns the new path.

    The WAL goes too: replayed into a fresh database, an old WAL would write stale pages into it."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    aside = path.with_name(f"{path.name}{DAMAGED_SUFFIX}{stamp}")
    for suffix in ("", *_COMPANIONS):
        source = path.with_name(path.name + suffix)
        if source.exists():
            source.replace(aside.with_name(aside.name + suffix))
    return aside


def set_aside_databases(path: Path) -> list[Path]:
    """The databases set aside from ``path`` that nobody has acknowledged yet, oldest first."""
    if not path.parent.is_dir():
        return []
    found = path.parent.glob(path.name + DAMAGED_SUFFIX + "*")
    return sorted(p for p in found if not p.name.endswith(_COMPANIONS))


def acknowledge_set_aside(path: Path) -> list[Path]:
    """Mark every set-aside database of ``path`` as seen by a person: each is renamed (with its -wal and
    -shm) from ``.damaged-<time>`` to ``.acknowledged-<time>``, still kept. Returns the new names."""
    done = []
    for aside in set_aside_databases(path):
        renamed = aside.with_name(aside.name.replace(DAMAGED_SUFFIX, ACKNOWLEDGED_SUFFIX, 1))
        for suffix in _COMPANIONS:  # companions first: the main file is what marks the set unacknowledged
            companion = aside.with_name(aside.name + suffix)
            if companion.exists():
                companion.replace(renamed.with_name(renamed.name + suffix))
        aside.replace(renamed)
        done.append(renamed)
    return done


@dataclass(frozen=True)
class QuestionRecord:
    id: int
    question: str
    user_id: int
    guild_id: int | None
    channel_id: int | None
    corpus_version: str
    answered: bool
    asked_at: float
    private: bool = False  # answered where only the asker sees it (``/ask private:``)

    @property
    def personal(self) -> bool:
        """Only the asker saw the answer (privately, or in a DM): only they may use its buttons."""
        return self.private or self.guild_id is None


@dataclass(frozen=True)
class QuestionTally:
    """A question asked (or voted on) ``count`` times, the last time at ``last_at``; ``question`` is
    the latest wording."""

    question: str
    count: int
    last_at: float


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: float
    user_id: int
    user_name: str
    guild_id: int | None
    action: str
    target: str | None
    sha256: str | None
    outcome: Outcome
    reason: str | None


@dataclass(frozen=True)
class CheckRecord:
    id: int
    claim: str
    user_id: int
    guild_id: int | None
    channel_id: int | None
    corpus_version: str
    checked_at: float


@dataclass(frozen=True)
class FeedbackRecord:
    question_id: int
    user_id: int
    vote: Vote
    question: str
    corpus_version: str
    voted_at: float


class Storage:
    """Async façade over one SQLite connection confined to a single worker thread."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        self._connection: sqlite3.Connection | None = None
        self.instance = ""  # this database file's id (``meta``), read at open; buttons carry it

    @classmethod
    async def open(cls, path: Path, *, clock: Callable[[], float] = time.time) -> Storage:
        storage = cls(path, clock=clock)
        await storage._run(storage._open)
        return storage

    async def close(self) -> None:
        if self._connection is not None:
            await self._run(self._close)
        self._executor.shutdown(wait=True)

    async def __aenter__(self) -> Storage:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _run(self, func: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, func, *args)

    # -- in the worker thread ----------------------------------------------------------------

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        problem = unusable(self.path)
        if problem is not None:
            # Set aside before SQLite opens it: closing a connection to a non-database deletes its
            # -wal and -shm, and a WAL is what may hold the latest writes.
            aside = set_aside(self.path)
            log.error(
                "state database %s is damaged (%s): moved it to %s and started a fresh one; "
                "`python -m bot check` reports this until it is acknowledged",
                self.path, problem, aside.name,
            )  # fmt: skip
        try:
            connection = self._connect()
        except sqlite3.DatabaseError as exc:
            # Without this a damaged file stops the bot at start with a bare traceback; set it aside instead.
            if exc.sqlite_errorcode not in _DAMAGED and not isinstance(exc, DamagedDatabaseError):
                raise
            aside = set_aside(self.path)
            log.error(
                "state database %s is damaged (%s): moved it to %s and started a fresh one; "
                "`python -m bot check` reports this until it is acknowledged",
                self.path, exc, aside.name,
            )  # fmt: skip
            connection = self._connect()
        self._connection = connection
        self.instance = connection.execute("SELECT value FROM meta WHERE key = 'instance'").fetchone()[0]
        log.info("state database %s (schema %d, instance %s)", self.path, SCHEMA_VERSION, self.instance)

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, isolation_level=None)  # autocommit; explicit transactions
        try:
            connection.row_factory = sqlite3.Row
            connection.create_function("normalise_question", 1, normalise_question, deterministic=True)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA busy_timeout=5000")
            check = connection.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                raise DamagedDatabaseError(f"quick_check: {check[0] if check else 'no answer'}")
            connection.execute("BEGIN IMMEDIATE")  # two processes opening a fresh file must not race
            for statement in _statements(_SCHEMA):
                connection.execute(statement)
            columns = {row["name"] for row in connection.execute("PRAGMA table_info(questions)")}
            if "private" not in columns:  # a version 2 file
                connection.execute(
                    "ALTER TABLE questions ADD COLUMN private INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1))"
                )
            connection.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('instance', ?)",
                (secrets.token_hex(INSTANCE_CHARS // 2),),
            )
            connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            connection.execute("COMMIT")
        except BaseException:
            connection.close()
            raise
        return connection

    def _close(self) -> None:
        assert self._connection is not None
        self._connection.close()
        self._connection = None

    @property
    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            raise RuntimeError("the state database is closed")
        return self._connection

    # -- questions ---------------------------------------------------------------------------

    async def record_question(
        self,
        question: str,
        *,
        user_id: int,
        guild_id: int | None,
        channel_id: int | None,
        corpus_version: str,
        answered: bool,
        private: bool = False,
    ) -> int:
        """Store a question asked (answered or not); returns its id, which buttons carry."""

        def insert() -> int:
            cursor = self._db.execute(
                "INSERT INTO questions"
                " (question, user_id, guild_id, channel_id, corpus_version, answered, asked_at, private)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (question, user_id, guild_id, channel_id, corpus_version, int(answered), self._clock(), int(private)),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

        return await self._run(insert)

    async def mark_private(self, question_id: int) -> None:
        """Record that a question's answer was shown only to its asker (its buttons are theirs alone)."""

        def update() -> None:
            self._db.execute("UPDATE questions SET private = 1 WHERE id = ?", (question_id,))

        await self._run(update)

    async def question(self, question_id: int) -> QuestionRecord | None:
        def select() -> QuestionRecord | None:
            row = self._db.execute("SELECT * FROM questions WHERE id = ?", (question_id,)).fetchone()
            return _question(row) if row else None

        return await self._run(select)

    async def unanswered(self, *, since: float = 0.0, limit: int = 100) -> list[QuestionRecord]:
        """Questions the corpus did not answer, newest first (for ``/corpus gaps``)."""

        def select() -> list[QuestionRecord]:
            rows = self._db.execute(
                "SELECT * FROM questions WHERE answered = 0 AND asked_at >= ? ORDER BY asked_at DESC, id DESC LIMIT ?",
                (since, limit),
            ).fetchall()
            return [_question(row) for row in rows]

        return await self._run(select)

    async def unanswered_by_frequency(self, *, limit: int = 20) -> list[QuestionTally]:
        """Questions the corpus did not answer, grouped by normalised text, most asked first."""
        # With one max() aggregate SQLite takes the bare ``question`` from the row holding the max:
        # the latest wording of each group.
        query = (
            "SELECT question, COUNT(*) AS times, MAX(asked_at) AS last_at FROM questions WHERE answered = 0"
            " GROUP BY normalise_question(question) ORDER BY times DESC, last_at DESC LIMIT ?"
        )
        return await self._run(self._tallies, query, limit)

    async def disliked_answers(self, *, limit: int = 20) -> list[QuestionTally]:
        """Questions whose answers got 👎, grouped by normalised text, most 👎 first."""
        query = (
            "SELECT question, COUNT(*) AS times, MAX(voted_at) AS last_at FROM feedback WHERE vote = -1"
            " GROUP BY normalise_question(question) ORDER BY times DESC, last_at DESC LIMIT ?"
        )
        return await self._run(self._tallies, query, limit)

    def _tallies(self, query: str, limit: int) -> list[QuestionTally]:
        rows = self._db.execute(query, (limit,)).fetchall()
        return [QuestionTally(row["question"], row["times"], row["last_at"]) for row in rows]

    async def forget_answered_before(self, cutoff: float) -> int:
        """Drop answered questions asked before ``cutoff`` (their buttons then say "expired").

        Unanswered ones stay: they are the corpus's gaps.
        """

        def delete() -> int:
            return self._db.execute("DELETE FROM questions WHERE answered = 1 AND asked_at < ?", (cutoff,)).rowcount

        return await self._run(delete)

    # -- checks ------------------------------------------------------------------------------

    async def record_check(
        self, claim: str, *, user_id: int, guild_id: int | None, channel_id: int | None, corpus_version: str
    ) -> int:
        """Store a claim checked against the documents; returns its id, which the share button carries."""

        def insert() -> int:
            cursor = self._db.execute(
                "INSERT INTO checks (claim, user_id, guild_id, channel_id, corpus_version, checked_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (claim, user_id, guild_id, channel_id, corpus_version, self._clock()),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

        return await self._run(insert)

    async def check(self, check_id: int) -> CheckRecord | None:
        def select() -> CheckRecord | None:
            row = self._db.execute("SELECT * FROM checks WHERE id = ?", (check_id,)).fetchone()
            if row is None:
                return None
            return _record(CheckRecord, row)

        return await self._run(select)

    async def forget_checks_before(self, cutoff: float) -> int:
        """Drop checks made before ``cutoff`` (their share buttons then say "expired")."""

        def delete() -> int:
            return self._db.execute("DELETE FROM checks WHERE checked_at < ?", (cutoff,)).rowcount

        return await self._run(delete)

    # -- feedback ----------------------------------------------------------------------------

    async def record_vote(self, question: QuestionRecord, user_id: int, vote: Vote) -> Vote | None:
        """One vote per user per answer; a new vote replaces the old. Returns the previous vote."""

        def upsert() -> Vote | None:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute(
                    "SELECT vote FROM feedback WHERE question_id = ? AND user_id = ?", (question.id, user_id)
                ).fetchone()
                db.execute(
                    "INSERT INTO feedback (question_id, user_id, vote, question, corpus_version, voted_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (question_id, user_id)"
                    " DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at",
                    (question.id, user_id, vote, question.question, question.corpus_version, self._clock()),
                )
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return row["vote"] if row else None

        return await self._run(upsert)

    async def feedback(self, question_id: int | None = None) -> list[FeedbackRecord]:
        def select() -> list[FeedbackRecord]:
            if question_id is None:
                rows = self._db.execute("SELECT * FROM feedback ORDER BY voted_at, question_id, user_id").fetchall()
            else:
                rows = self._db.execute(
                    "SELECT * FROM feedback WHERE question_id = ? ORDER BY voted_at, user_id", (question_id,)
                ).fetchall()
            return [_record(FeedbackRecord, row) for row in rows]

        return await self._run(select)

    # -- audit log ---------------------------------------------------------------------------

    async def record_audit(
        self,
        *,
        user_id: int,
        user_name: str,
        guild_id: int | None,
        action: str,
        outcome: Outcome,
        target: str | None = None,
        sha256: str | None = None,
        reason: str | None = None,
    ) -> AuditRecord:
        """Add one row to the audit log; returns it as stored."""

        def insert() -> AuditRecord:
            at = self._clock()
            values = (at, user_id, user_name, guild_id, action, target, sha256, outcome, reason)
            cursor = self._db.execute(
                "INSERT INTO audit (at, user_id, user_name, guild_id, action, target, sha256, outcome, reason)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            assert cursor.lastrowid is not None
            return AuditRecord(cursor.lastrowid, *values)

        return await self._run(insert)

    async def audit_log(self, *, limit: int = 100, action: str | None = None) -> list[AuditRecord]:
        """The latest audit rows (of one ``action`` if given), oldest first."""

        def select() -> list[AuditRecord]:
            where, params = ("WHERE action = ?", (action, limit)) if action else ("", (limit,))
            rows = self._db.execute(
                f"SELECT * FROM (SELECT * FROM audit {where} ORDER BY id DESC LIMIT ?) ORDER BY id", params
            ).fetchall()
            return [_record(AuditRecord, row) for row in rows]

        return await self._run(select)

    # -- command sync ------------------------------------------------------------------------

    async def sync_hash(self, scope: str) -> str | None:
        """The hash of the command payload last synced to ``scope`` (global or one guild)."""

        def select() -> str | None:
            row = self._db.execute("SELECT payload_hash FROM command_sync WHERE scope = ?", (scope,)).fetchone()
            return row["payload_hash"] if row else None

        return await self._run(select)

    async def set_sync_hash(self, scope: str, payload_hash: str) -> None:
        def upsert() -> None:
            self._db.execute(
                "INSERT INTO command_sync (scope, payload_hash, synced_at) VALUES (?, ?, ?)"
                " ON CONFLICT (scope)"
                " DO UPDATE SET payload_hash = excluded.payload_hash, synced_at = excluded.synced_at",
                (scope, payload_hash, self._clock()),
            )

        await self._run(upsert)


def _statements(script: str) -> list[str]:
    """The schema's statements, one by one (``executescript`` would commit behind our back)."""
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


R = TypeVar("R")


def _record(cls: type[R], row: sqlite3.Row) -> R:
    """A record dataclass from a row: its fields are named as the table's columns."""
    return cls(**{f.name: row[f.name] for f in fields(cls)})  # type: ignore[arg-type]


def _question(row: sqlite3.Row) -> QuestionRecord:
    return replace(_record(QuestionRecord, row), answered=bool(row["answered"]), private=bool(row["private"]))
