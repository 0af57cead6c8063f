"""Holds the engine the bot currently serves and runs its (CPU-bound) work off the event loop.

An ``Engine`` is immutable, so swapping in a rebuilt one is a single assignment: questions in
flight finish on the engine they started with, new ones see the new corpus. Rebuilds are
serialised so two ``/corpus refresh`` calls cannot race to swap.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.engine.engine import Engine
from bot.engine.models import Answer

log = logging.getLogger(__name__)


class EngineHost:
    def __init__(self, engine: Engine, *, sentences: int = 3) -> None:
        self._engine = engine
        self.sentences = sentences
        self._rebuilding = asyncio.Lock()

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
        return old

    async def rebuild(self, folder: Path) -> Engine:
        """Build an engine from ``folder`` in a worker thread, then swap it in."""
        async with self._rebuilding:
            engine = await asyncio.to_thread(Engine.from_folder, folder)
            self.swap(engine)
            return engine
