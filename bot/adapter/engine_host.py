"""Holds the engine the bot currently serves and runs its (CPU-bound) work off the event loop.

An ``Engine`` is immutable, so swapping in a rebuilt one is a single assignment: questions in
flight finish on the engine they started with, new ones see the new corpus. Rebuilds are
serialised so two ``/corpus refresh`` calls cannot race to swap.

``refresh`` is the one way the corpus changes at run time: under the lock it applies a change to
the folder (add, remove, restore, or none for edits made on disk), builds a new engine in a worker
thread, validates it and only then swaps it in. When the build raises or the result is not valid,
the change is undone and the old engine keeps serving.

Memory stays flat across corpus changes, however many a long-running bot goes through: every engine
is frozen out of the garbage collector's sight while it serves (a full collection walking it would
stall the event loop), and one it replaced is thawed and collected once nothing holds it
any more (``release_retired``, tried a few times after each swap: a question in flight keeps its
engine for a second or two, a moderator's reply a little longer while it compares the two).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.engine.build.gc_pause import collect_frozen, freeze
from bot.engine.corpus.documents import corpus_files
from bot.engine.engine import Engine
from bot.engine.models import Answer

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
# Seconds after a swap at which the replaced engine is looked for (and collected once nothing holds
# it); the attempts stop as soon as every replaced engine is gone.
RELEASE_DELAYS = (1.0, 10.0, 60.0, 600.0)


class RebuildRejected(Exception):
    """The rebuilt engine is not fit to serve; the message says why (for a moderator)."""


def check_rebuilt(engine: Engine, folder: Path) -> None:
    """A new engine may serve if it has documents with passages, or the folder really has none."""
    if engine.documents:
        if not engine.passages:
            raise RebuildRejected("the documents loaded but produced no passages to search")
        return
    files = corpus_files(folder)
    if files:  # every file failed: far likelier a broken disk or encoding than a wish for no corpus
        raise RebuildRejected(f"none of the {len(files)} document file(s) in the corpus folder could be read")


def warm_up(engine: Engine) -> threading.Thread:
    """Build what an engine builds on first use (its sentences by meaning, its figure index) in a
    background thread.

    Questions are answered meanwhile, by the lexical pool until the sentences are embedded; ``/figures``
    waits for the index if asked before it is ready, and its autocomplete offers nothing until then.
    Frozen afterwards, like the rest of the engine.
    """

    def build() -> None:
        try:
            engine.meaning_index()
            engine.figures  # noqa: B018 - the property builds the index
        except Exception:  # /figures will raise the same error to its caller; the log keeps this one
            log.exception("warming up the engine (sentences by meaning, figure index) failed")
            return
        freeze_engine_memory()

    thread = threading.Thread(target=build, name=f"figures-{engine.version}", daemon=True)
    thread.start()
    return thread


def freeze_engine_memory() -> None:
    """Move the (long-lived, immutable) engine out of the garbage collector's sight.

    A full collection walks every object: ~180 ms with 5,000 passages, a stall of the event loop each
    time. Frozen objects are never scanned, and freezing is cheap. Frozen objects are never collected
    either, and an engine holds reference cycles: one swapped out is freed by ``EngineHost.release_retired``.
    """
    freeze()


class EngineHost:
    def __init__(
        self, engine: Engine, *, sentences: int = 3, builder: Callable[[Path], Engine] = Engine.from_folder
    ) -> None:
        self._engine = engine
        freeze_engine_memory()
        self.warming: threading.Thread | None = warm_up(engine)  # the figure index, being built
        self.sentences = sentences
        self.builder = builder  # what refresh builds with (a test can slow it down or make it fail)
        self._rebuilding = asyncio.Lock()
        self._retired: list[weakref.ref[Engine]] = []  # engines swapped out and not yet collected
        self._releases: list[asyncio.TimerHandle] = []
        self.release_delays = RELEASE_DELAYS

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def version(self) -> str:
        return self._engine.version

    async def ask(self, question: str) -> Answer:
        engine = self._engine  # pinned: a swap during the call does not change what answers it
        return await asyncio.to_thread(engine.ask, question, self.sentences)

    def swap(self, engine: Engine) -> Engine:
        """Serve ``engine`` from now on; returns the one it replaces."""
        old, self._engine = self._engine, engine
        if old.version != engine.version:
            log.info("corpus version %s -> %s", old.version, engine.version)
        freeze_engine_memory()
        if not engine.figures_ready:
            self.warming = warm_up(engine)
        if old is not engine:
            self._retired.append(weakref.ref(old))
            self._schedule_releases()
        return old

    def _schedule_releases(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # swapped outside an event loop (a script): it calls release_retired itself
            return
        self._cancel_releases()
        self._releases = [loop.call_later(delay, self.release_retired) for delay in self.release_delays]

    def _cancel_releases(self) -> None:
        for handle in self._releases:
            handle.cancel()
        self._releases = []

    def release_retired(self) -> int:
        """Collect the replaced engines nothing holds any more; returns how many are still held.

        One full collection (a pause of tens of milliseconds) when some replaced engine is still
        there, none otherwise. An engine a question still uses survives and is tried again later."""
        held = [ref for ref in self._retired if ref() is not None]
        if held:
            collect_frozen()
        self._retired = [ref for ref in held if ref() is not None]
        if len(self._retired) < len(held):
            log.info("freed %d replaced engine(s)", len(held) - len(self._retired))
        if not self._retired:
            self._cancel_releases()
        return len(self._retired)

    async def refresh(
        self,
        folder: Path,
        *,
        change: Callable[[], object] | None = None,
        undo: Callable[[], object] | None = None,
        check: Callable[[Engine], None] | None = None,
        commit: Callable[[Engine], Awaitable[object]] | None = None,
        progress: Progress | None = None,
    ) -> tuple[Engine, Engine]:
        """Apply ``change`` (a blocking function, run in a worker thread), rebuild, validate, swap.

        Returns the (old, new) engines. ``check`` adds a caller's validation (raise to reject);
        ``commit`` is awaited last, after every check and just before the swap (the audit row of a
        moderator's change: no change is served before it is on record). If the change raises
        nothing else happens; if the build, a check or the commit fails, ``undo`` runs and the
        error is raised with the old engine still serving.
        """
        report = progress or (lambda stage: None)
        if self._rebuilding.locked():
            report("waiting for another corpus change to finish")
        async with self._rebuilding:
            old = self._engine
            if change is not None:
                await asyncio.to_thread(change)
            try:
                report("reading and indexing the documents")
                engine = await asyncio.to_thread(self.builder, folder)
                report("checking the new index")
                check_rebuilt(engine, folder)
                if check is not None:
                    check(engine)
                if commit is not None:
                    await commit(engine)
            except BaseException:
                if undo is not None:
                    try:
                        await asyncio.to_thread(undo)
                    except Exception:  # the failure to report is the rebuild's; this one goes to the log
                        log.exception("could not undo a corpus change after a failed rebuild")
                raise
            self.swap(engine)
            return old, engine
