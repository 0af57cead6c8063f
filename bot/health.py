"""``python -m bot check``: validate configuration, corpus and state; exit non-zero with reasons.

Usable as a container health check. It never prints the token, only whether one is configured.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from bot.config import ConfigError, Settings
from bot.engine.documents import unsupported_files
from bot.engine.engine import Engine
from bot.storage import DAMAGED_SUFFIX
from bot.terminal import plural


def collect_problems(settings: Settings, corpus: Path | None = None) -> tuple[list[str], list[str], Engine | None]:
    """Errors (the bot cannot serve) and warnings (it can, but something needs attention)."""
    errors: list[str] = []
    warnings: list[str] = []
    try:
        settings.require_token()
    except ConfigError as exc:
        errors.append(str(exc))
    folder = corpus or settings.corpus_dir
    engine = None
    if not folder.is_dir():
        errors.append(f"corpus folder {folder} does not exist")
    else:
        engine = Engine.from_folder(
            folder, semantic=settings.semantic, reader=settings.reader, index=settings.index_options()
        )
        if not engine.documents:
            errors.append(f"corpus folder {folder} has no loadable documents")
        for problem in engine.problems:
            (warnings if problem.reason.startswith("warning") else errors).append(f"{problem.path}: {problem.reason}")
        for path in unsupported_files(folder):
            warnings.append(f"{path.relative_to(folder)}: not a supported document type (.txt, .md); ignored")
    state = settings.state_dir
    try:
        state.mkdir(parents=True, exist_ok=True)
        probe = state / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        errors.append(f"state folder {state} is not writable: {exc.strerror or exc}")
    database = settings.database_path
    if database.exists():
        try:
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
                result = connection.execute("PRAGMA quick_check").fetchone()
            if not result or result[0] != "ok":
                errors.append(f"state database {database} is damaged: {result[0] if result else 'no answer'}")
        except sqlite3.DatabaseError as exc:
            errors.append(f"state database {database} cannot be read: {exc}")
    # Hardening (issue 7): the bot moves a damaged database aside at start (bot/storage.py); say so.
    if errors and errors[-1].startswith(f"state database {database}"):
        errors[-1] += " (on start the bot moves it aside and starts a fresh one)"
    for aside in sorted(state.glob(database.name + DAMAGED_SUFFIX + "*")) if state.is_dir() else ():
        if not aside.name.endswith(("-wal", "-shm")):
            warnings.append(f"a damaged state database was set aside as {aside}; its questions and feedback are there")
    return errors, warnings, engine


def run_health_check(settings: Settings, corpus: Path | None = None) -> int:
    errors, warnings, engine = collect_problems(settings, corpus)
    if engine is not None:
        print(
            f"corpus: {plural(len(engine.documents), 'document')}, {plural(len(engine.passages), 'passage')}, "
            f"{plural(len(engine.figures), 'figure')} (version {engine.version})"
        )
    for warning in warnings:
        print(f"warning: {warning}")
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    print("ok" if not errors else f"{len(errors)} problem(s) found", file=sys.stderr if errors else sys.stdout)
    return 1 if errors else 0
