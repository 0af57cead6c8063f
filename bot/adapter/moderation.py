"""Who may manage the corpus, and the record of what they did (and of every refused attempt).

A moderator is a member with Manage Server (Administrator implies it) in the server the command is
used in, or with one of ``MODERATOR_ROLE_IDS``. ``default_permissions`` on the command group only
hides it by default — server admins can show it to anyone — so every subcommand, button and
autocomplete checks again here at run time (RoboDanny's ``hybrid_permissions_check`` pattern).

Every action and every refusal becomes a row of the audit table, and, when ``LOG_CHANNEL_ID`` is
set, a short message in that channel. Posting runs in the background so a slow or failing log
channel never delays (or breaks) the moderator's reply; a failed post is logged, the row stays.
Autocomplete fires on every keystroke: its refusals are all recorded, but posted at most once per
member per ``AUTOCOMPLETE_POST_GAP`` seconds so one curious member cannot flood the log channel.

A corpus change is recorded before it is served (``record(..., required=True)``), so that the audit
log can always say who put a document in front of members: when the audit row cannot be stored (the
state database locked, full or read-only) the change is undone and the moderator told why. Anything
else (a refusal, a listing) is still done, or refused, without its row: the failure is logged and the
log channel still gets the message.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.adapter.errors import UserFacingError
from bot.adapter.render_corpus import audit_message
from bot.adapter.replies import NO_PINGS
from bot.storage import AuditRecord, Outcome

if TYPE_CHECKING:
    from bot.adapter.client import PolicyBot

log = logging.getLogger(__name__)

NOT_PERMITTED = (
    "Not permitted: only moderators can manage the documents (Manage Server permission or a moderator role). "
    "Nothing was changed, and the attempt was recorded."
)
AUTOCOMPLETE_POST_GAP = 600.0
_POST_DRAIN_SECONDS = 5.0


class AuditUnavailable(UserFacingError):
    """The audit row of a change could not be stored, so the change is not made."""


class NotPermitted(UserFacingError, app_commands.CheckFailure):
    """A non-moderator used a moderator command. An ``AppCommandError`` so discord.py routes it to the
    tree's handler, and a ``UserFacingError`` so that handler says this message privately."""


def is_moderator(interaction: discord.Interaction, moderator_role_ids: frozenset[int]) -> bool:
    """Manage Server (or Administrator) in this server, or a moderator role. Never in DMs."""
    member = interaction.user
    if interaction.guild_id is None or not isinstance(member, discord.Member):
        return False
    # The interaction's own permissions are what Discord computed for this member here, overwrites
    # included; the member's guild permissions cover a partial payload without them.
    for permissions in (interaction.permissions, member.guild_permissions):
        if permissions.manage_guild or permissions.administrator:
            return True
    # @everyone is never a moderator role, even if its id (the server's) was configured by mistake.
    return any(role.id in moderator_role_ids and not role.is_default() for role in member.roles)


class Moderation:
    """Permission checks and the audit trail for the ``/corpus`` commands."""

    def __init__(self, bot: PolicyBot, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.bot = bot
        self.role_ids = frozenset(bot.settings.moderator_role_ids)
        self.log_channel_id = bot.settings.log_channel_id
        self._clock = clock
        self._posts: set[asyncio.Task[None]] = set()
        self._last_autocomplete_post: dict[int, float] = {}

    def permitted(self, interaction: discord.Interaction) -> bool:
        return is_moderator(interaction, self.role_ids)

    async def require(self, interaction: discord.Interaction, action: str, *, target: str | None = None) -> None:
        """Return if the member is a moderator; else record the refusal and raise ``NotPermitted``."""
        if self.permitted(interaction):
            return
        await self.record(interaction, action, "refused", target=target, reason="not a moderator")
        raise NotPermitted(NOT_PERMITTED)

    async def allow_autocomplete(self, interaction: discord.Interaction, action: str) -> bool:
        """Whether to offer choices; a refusal is recorded (and posted, throttled per member)."""
        if self.permitted(interaction):
            return True
        now = self._clock()
        last = self._last_autocomplete_post.get(interaction.user.id)
        post = last is None or now - last >= AUTOCOMPLETE_POST_GAP
        if post:
            self._last_autocomplete_post[interaction.user.id] = now
        await self.record(interaction, f"autocomplete {action}", "refused", reason="not a moderator", post=post)
        return False

    async def record(
        self,
        interaction: discord.Interaction,
        action: str,
        outcome: Outcome,
        *,
        target: str | None = None,
        sha256: str | None = None,
        reason: str | None = None,
        post: bool = True,
        required: bool = False,
    ) -> AuditRecord:
        """Store one audit row (who, when, what, outcome, why) and post it to the log channel.

        If the row cannot be stored: with ``required`` raise ``AuditUnavailable`` (the caller undoes
        its change); else log it and carry on, returning the row unstored (id 0) and still posting it."""
        user = interaction.user
        try:
            record = await self.bot.storage.record_audit(
                user_id=user.id,
                user_name=user.name,
                guild_id=interaction.guild_id,
                action=action,
                outcome=outcome,
                target=target,
                sha256=sha256,
                reason=reason,
            )
        except (sqlite3.Error, OSError, RuntimeError) as exc:
            log.error(
                "audit row not stored (%s): %s %s by %s (%d): %s", exc, action, outcome, user.name, user.id, reason
            )
            if required:
                raise AuditUnavailable(
                    f"the audit log could not be written (state database: {exc}), and the documents are only "
                    "changed on record: try again in a minute"
                ) from exc
            at = time.time()
            record = AuditRecord(
                0, at, user.id, user.name, interaction.guild_id, action, target, sha256, outcome, reason
            )
        else:
            log.info("audit %d: %s %s by %s (%d): %s", record.id, action, outcome, user.name, user.id, reason or "-")
        if post and self.log_channel_id is not None:
            task = asyncio.create_task(self._post(record, self.log_channel_id))
            self._posts.add(task)  # a reference, so the task is not collected before it runs
            task.add_done_callback(self._posts.discard)
        return record

    async def _post(self, record: AuditRecord, channel_id: int) -> None:
        channel = self.bot.get_partial_messageable(channel_id)
        message = audit_message(record)
        try:
            await channel.send(content=message.content, allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:
            log.warning("could not post audit %d to channel %d: %s", record.id, channel_id, exc)

    async def drain(self) -> None:
        """Let pending log-channel posts finish (bounded), e.g. before the bot closes."""
        if self._posts:
            _, pending = await asyncio.wait(set(self._posts), timeout=_POST_DRAIN_SECONDS)
            for task in pending:
                task.cancel()
