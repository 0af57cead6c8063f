"""How a ``/corpus`` change reports itself: its private reply shows the stage it is at while it works
(only for work slower than ``PROGRESS_INTERVAL``), then its result, or why it failed and that nothing
changed. Every outcome, refusals included, gets its audit row under the change's action.

A moderator who sees nothing for a minute presses again; one who is told "failed" when the change was
in fact made adds the document twice. So a failure is only reported as such while nothing has been
served: what happens after the new engine is in service (the diff, the example answer) is outside
that guard and goes to the one error handler instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import discord

from bot.adapter import render_corpus, replies
from bot.adapter.engine_host import RebuildRejected
from bot.adapter.errors import apology, new_reference
from bot.adapter.moderation import AuditUnavailable, Moderation
from bot.adapter.render import Rendered
from bot.engine.corpus.store import StoreError
from bot.engine.uploads.ingest import IngestError

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 3.0  # seconds between edits of a reply that shows progress (none for quicker work)
NOTHING_CHANGED = "Nothing was changed: the corpus and its answers are as before."

# The errors a corpus change reports as they are; anything else gets an apology and a reference.
EXPECTED = (IngestError, StoreError, RebuildRejected, AuditUnavailable)

T = TypeVar("T")


class ProgressReply:
    """The deferred reply of a long corpus change: edited with the current stage every ``interval``
    seconds while the work runs (never for work quicker than that), then replaced by the result."""

    def __init__(self, interaction: discord.Interaction, action: str, interval: float) -> None:
        self.interaction = interaction
        self.action = action
        self.interval = interval
        self.current = "starting"
        self._started = time.monotonic()
        self._ticker: asyncio.Task[None] | None = None

    def stage(self, text: str) -> None:
        self.current = text

    async def __aenter__(self) -> ProgressReply:
        if self.interval > 0:
            self._ticker = asyncio.create_task(self._tick())
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stop()

    async def _stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            message = render_corpus.progress(self.action, self.current, time.monotonic() - self._started)
            try:
                # view=None: buttons under a message being worked on (Remove/Cancel) must not be pressed again.
                await self.interaction.edit_original_response(
                    content=message.content, embeds=[], view=None, allowed_mentions=replies.NO_PINGS
                )
            except discord.HTTPException as exc:  # progress is a courtesy: the result still follows
                log.warning("could not show progress: %s", exc)

    async def finish(self, messages: Sequence[Rendered], view: discord.ui.View | None = None) -> None:
        """Replace the reply (thinking…, or progress) with the first message; the rest follow privately."""
        await self._stop()
        first, *rest = messages
        await self.interaction.edit_original_response(
            content=first.content, embeds=list(first.embeds), view=view, allowed_mentions=replies.NO_PINGS
        )
        for message in rest:
            await self.interaction.followup.send(
                content=message.content or discord.utils.MISSING,
                embeds=list(message.embeds),
                ephemeral=True,
                allowed_mentions=replies.NO_PINGS,
            )


@dataclass
class Attempt:
    """One corpus change as the moderator and the audit log see it."""

    interaction: discord.Interaction
    moderation: Moderation
    action: str  # the audit action, e.g. "corpus add"
    doing: str  # what the progress reply says is under way, e.g. "Adding the document"
    refused: str  # the title of its failure, e.g. "Not added"
    target: str | None = None  # what a failed attempt's row names
    sha256: str | None = None  # the upload's hash, once downloaded: a failed add's row keeps it
    unchanged: str = NOTHING_CHANGED  # what a failure says of the corpus
    interval: float = PROGRESS_INTERVAL

    async def run(
        self,
        work: Callable[[ProgressReply], Awaitable[T]],
        report: Callable[[ProgressReply, T], Awaitable[Sequence[Rendered]]],
    ) -> None:
        """Do ``work`` (the change, up to its swap into service) with its progress shown, then show
        what ``report`` makes of its result. Only a failure of ``work`` is said to have changed nothing."""
        async with ProgressReply(self.interaction, self.doing, self.interval) as reply:
            try:
                result = await work(reply)
            except Exception as exc:
                reason, apologised = await self._failed(exc)
                await reply.finish(render_corpus.failure(self.refused, reason, self.unchanged, apologised))
                return
            await reply.finish(await report(reply, result))

    async def refuse(self, reason: str) -> None:
        """Turn the change down before any work (nothing deferred, nothing downloaded), on record."""
        await self._record_failure(reason)
        await replies.send(
            self.interaction, render_corpus.failure(self.refused, reason, self.unchanged), ephemeral=True
        )

    async def on_record(self, target: str, reason: str | None = None) -> None:
        """The change's "ok" row, written before it is served: ``AuditUnavailable`` when it cannot be
        stored, and the change is undone (a served document always has its row)."""
        await self.moderation.record(
            self.interaction, self.action, "ok", target=target, sha256=self.sha256, reason=reason, required=True
        )

    async def _failed(self, exc: Exception) -> tuple[str, str]:
        """Record a failed change; returns the reason to show and, for an unexpected error, our apology
        with the reference of the logged traceback (expected errors are said as they are)."""
        apologised = ""
        if isinstance(exc, IngestError):
            reason = exc.reason
        elif isinstance(exc, EXPECTED):
            reason = str(exc)
        else:
            reference = new_reference()
            log.error("reference %s: %s failed", reference, self.action, exc_info=exc)
            reason, apologised = f"{type(exc).__name__}: {exc}", apology(reference)
        await self._record_failure(reason)
        return reason, apologised

    async def _record_failure(self, reason: str) -> None:
        await self.moderation.record(
            self.interaction, self.action, "failed", target=self.target, sha256=self.sha256, reason=reason
        )
