"""``python -m bot check``: validate configuration, corpus and state; exit non-zero with reasons.

Usable as a container health check. It never prints the token, only whether one is configured.

Findings come in four kinds: errors (the bot cannot serve as configured: exit 1), warnings (it
serves; a file or setting deserves a look), degraded (it serves, but something happened that a
person must see: a state database was set aside, so its questions, feedback and audit log are no
longer live; the last line says "degraded", exit 0 so an orchestrator does not restart a bot that a
restart would not help) and notes (what the bot will do by itself, e.g. seed a fresh corpus folder).

A set-aside database stays "degraded" until a moderator acknowledges it, with
``acknowledge=True`` (``check --acknowledge``): the files are renamed from
``bot.sqlite3.damaged-<time>`` to ``bot.sqlite3.acknowledged-<time>``, kept for recovery. Moving
them out of the state folder acknowledges them too.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.adapter.answering import RecordingHealth
from bot.config import ConfigError, Settings
from bot.engine.corpus.documents import corpus_files, unsupported_files
from bot.engine.corpus.store import SEEDED_MARKER
from bot.engine.engine import Engine
from bot.engine.models import SkippedFile
from bot.storage import NOT_SQLITE, acknowledge_set_aside, set_aside_databases, unusable
from bot.terminal import plural

# A file the bot's user cannot read is the deployment's fault (permissions, a failing disk), not the
# file's: that one is an error. Any other skipped file (empty, binary, too large...) is a warning.
_UNREADABLE = "cannot read file"


@dataclass
class Health:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    degraded: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    engine: Engine | None = None


def will_seed(folder: Path, seeds: Path) -> bool:
    """Whether ``run`` will fill ``folder`` from ``seeds`` (``store.ensure_seeded``'s condition)."""
    return not (folder / SEEDED_MARKER).exists() and not corpus_files(folder) and bool(corpus_files(seeds))


def _file_problem(problem: SkippedFile, health: Health) -> None:
    if problem.severity == "warning":
        health.warnings.append(f"{problem.path}: warning: {problem.reason}")
    elif problem.reason.startswith(_UNREADABLE):
        health.errors.append(f"{problem.path}: {problem.reason}")
    else:
        health.warnings.append(f"{problem.path}: skipped: {problem.reason}")


def _check_corpus(settings: Settings, corpus: Path | None, health: Health) -> None:
    folder = corpus or settings.corpus_dir
    if corpus is None and will_seed(folder, settings.seeds_dir):
        # A fresh clone: ``run`` seeds before it loads, so judge what it will serve.
        health.notes.append(
            f"corpus folder {folder} is empty: the bot fills it from {settings.seeds_dir} when it starts"
        )
        folder = settings.seeds_dir
    if not folder.is_dir():
        health.errors.append(f"corpus folder {folder} does not exist")
        return
    engine = Engine.from_folder(
        folder, semantic=settings.semantic, reader=settings.reader, index=settings.index_options()
    )
    health.engine = engine
    if not engine.documents:
        health.errors.append(f"corpus folder {folder} has no loadable documents")
    for problem in engine.problems:
        _file_problem(problem, health)
    for path in unsupported_files(folder):
        health.warnings.append(f"{path.relative_to(folder)}: not a supported document type (.txt, .md); ignored")


def _check_state(settings: Settings, health: Health) -> None:
    state = settings.state_dir
    try:
        state.mkdir(parents=True, exist_ok=True)
        probe = state / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        health.errors.append(f"state folder {state} is not writable: {exc.strerror or exc}")
    database = settings.database_path
    problem = unusable(database)
    if problem is not None and problem != NOT_SQLITE:
        health.errors.append(f"state database {database} is damaged: {problem}")
    elif database.exists():
        try:
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
                result = connection.execute("PRAGMA quick_check").fetchone()
            if not result or result[0] != "ok":
                health.errors.append(f"state database {database} is damaged: {result[0] if result else 'no answer'}")
        except sqlite3.DatabaseError as exc:
            health.errors.append(f"state database {database} cannot be read: {exc}")
    # The bot moves a damaged database aside at start (bot/storage.py); tell the operator what to expect.
    if health.errors and health.errors[-1].startswith(f"state database {database}"):
        health.errors[-1] += " (on start the bot moves it aside and starts a fresh one)"
    for aside in set_aside_databases(database):
        # Otherwise a reset database goes unnoticed (the bot just runs on, empty); report it until seen.
        health.degraded.append(
            f"a damaged state database was set aside as {aside}; its questions and feedback are there. "
            "The bot started a fresh one. Once you have looked, acknowledge it with "
            "`python -m bot check --acknowledge` (the file is kept), or move the file out of the state folder"
        )
    # A sick database does not stop answers (bot.adapter.answering): the running bot says what it could
    # not record in STATE_DIR/recording.json, and it stays reported here while it lasts.
    recording = RecordingHealth.load(state)
    line = recording.describe() if recording is not None else None
    if recording is not None and line:
        as_of = time.strftime("%Y-%m-%d %H:%M", time.localtime(recording.updated_at))
        health.degraded.append(f"recording questions: {line} (as of {as_of})")


def collect_problems(settings: Settings, corpus: Path | None = None) -> Health:
    """Everything the check finds: errors, warnings, degraded state and notes (see the module docstring)."""
    health = Health()
    try:
        settings.require_token()
    except ConfigError as exc:
        health.errors.append(str(exc))
    _check_corpus(settings, corpus, health)
    _check_state(settings, health)
    return health


def run_health_check(settings: Settings, corpus: Path | None = None, *, acknowledge: bool = False) -> int:
    """Print the findings; 1 when there are errors. ``acknowledge`` first marks set-aside databases as seen."""
    if acknowledge:
        for renamed in acknowledge_set_aside(settings.database_path):
            print(f"acknowledged: the set-aside state database is kept as {renamed}")
    health = collect_problems(settings, corpus)
    engine = health.engine
    for note in health.notes:
        print(f"note: {note}")
    if engine is not None:
        print(
            f"corpus: {plural(len(engine.documents), 'document')}, {plural(len(engine.passages), 'passage')}, "
            f"{plural(len(engine.figures), 'figure')} (version {engine.version})"
        )
    for warning in [*health.warnings, *health.degraded]:
        print(f"warning: {warning}")
    for error in health.errors:
        print(f"error: {error}", file=sys.stderr)
    if health.errors:
        print(f"{len(health.errors)} problem(s) found", file=sys.stderr)
        return 1
    if health.degraded:
        count = len(health.degraded)
        need = "needs" if count == 1 else "need"
        print(f"degraded: the bot can serve, but {plural(count, 'finding')} above {need} a moderator")
        return 0
    print("ok")
    return 0
