"""Holding a message up to the documents: the "Check against the documents" context menu and ``/check``.

The reply is private: a check is for the person who asked. A "Share in channel" button under it posts
the same result publicly. The button carries only the id of the stored claim and of the state
database holding it (``pb:share:<instance>:<id>``, see ``views``) and is routed by that custom_id
(``DynamicItem``), so it keeps working after a restart: the press re-runs the stored claim against
the current engine, as the answer buttons do with questions. A claim no longer on record, or a
button of another database (reset since), says it expired. Only the person who ran the check may
share it: the check was private, and a custom id can be forged.

Without the message-content intent, Discord still sends the target message's content in a
context-menu interaction (its resolved data), which is all the menu needs.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapter import render, replies
from bot.adapter.cooldown import refuse_if_cooling
from bot.adapter.render_figures import render_check, render_no_text
from bot.adapter.views import INSTANCE_PATTERN, RoutedButton, corpus_info, noted, pressed_record, scoped
from bot.engine.claims import MAX_CLAIM_CHARS, check_claim

if TYPE_CHECKING:
    from bot.adapter.client import PolicyBot
    from bot.engine.engine import Engine

log = logging.getLogger(__name__)

MENU_NAME = "Check against the documents"
EXPIRED = (
    "This check has expired: the message behind it is no longer on record. "
    "Run **Check against the documents** on it again (or use `/check`)."
)
NOT_YOURS = (
    "Only the person who ran this check can share it. "
    "Run **Check against the documents** on the message yourself (or use `/check`)."
)
CORPUS_CHANGED = "The documents have changed since this check was made; this is from the current version."


def check_messages(engine: Engine, claim: str, corpus: render.CorpusInfo | None = None) -> list[render.Rendered]:
    """The reply for a check (blocking: run it in a worker thread)."""
    return render_check(check_claim(engine, claim), corpus)


def claim_text(content: str) -> str:
    """A message's text as a claim: one line, at most what the engine reads (cut before anything else)."""
    return " ".join(content[: MAX_CLAIM_CHARS * 4].split())[:MAX_CLAIM_CHARS]


class ShareCheckButton(RoutedButton, template=r"pb:share:" + INSTANCE_PATTERN + r"(?P<check_id>[0-9]{1,19})"):
    """Posts a private check's result in the channel, pinging nobody."""

    def __init__(self, instance: str, check_id: int) -> None:
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label="Share in channel",
            emoji="📣",
            style=discord.ButtonStyle.secondary,
            custom_id=f"pb:share:{scoped(instance, check_id)}",
        )
        super().__init__(button)
        self.instance = instance
        self.check_id = check_id

    @classmethod
    def from_match(cls, match: re.Match[str]) -> ShareCheckButton:
        return cls(match["instance"] or "", int(match["check_id"]))

    async def pressed(self, interaction: discord.Interaction) -> None:
        await share(cast("PolicyBot", interaction.client), interaction, self.instance, self.check_id)


def share_view(instance: str, check_id: int) -> discord.ui.View:
    """The share button of check ``check_id``, held in the state database ``instance``."""
    view = discord.ui.View(timeout=None)
    view.add_item(ShareCheckButton(instance, check_id))
    return view


async def share(bot: PolicyBot, interaction: discord.Interaction, instance: str, check_id: int) -> None:
    record = await pressed_record(
        bot,
        interaction,
        instance,
        bot.storage.check,
        check_id,
        owners_only=lambda check: True,  # the check was private: sharing it is its owner's call
        expired=EXPIRED,
        not_yours=NOT_YOURS,
    )
    if record is None:
        return
    # Sharing posts in public: the same limit as asking keeps a button from flooding a channel.
    if await refuse_if_cooling(bot.cooldown, interaction):
        return
    await replies.defer(interaction, ephemeral=False)
    engine = bot.engines.engine
    messages = await asyncio.to_thread(check_messages, engine, record.claim, corpus_info(engine))
    messages = noted(messages, record.corpus_version != engine.version, CORPUS_CHANGED)
    log.info("check %d shared by user %s in channel %s", check_id, interaction.user.id, interaction.channel_id)
    await replies.send(interaction, messages, ephemeral=False)


class CheckCog(commands.Cog):
    def __init__(self, bot: PolicyBot) -> None:
        self.bot = bot
        # A context menu cannot be a cog method: it is made here and added to the tree on load.
        self.menu = app_commands.ContextMenu(name=MENU_NAME, callback=self.check_message)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)
        self.bot.add_dynamic_items(ShareCheckButton)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)
        self.bot.remove_dynamic_items(ShareCheckButton)

    @app_commands.command(name="check", description="Check a claim against the documents: its figures and sources")
    @app_commands.describe(claim="The claim to check, e.g. net migration hit a million last year")
    async def check(self, interaction: discord.Interaction, claim: app_commands.Range[str, 1, MAX_CLAIM_CHARS]) -> None:
        await self._check(interaction, claim_text(claim))

    async def check_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        claim = claim_text(message.content or "")
        if not claim:
            await replies.send(interaction, [render_no_text()], ephemeral=True)
            return
        await self._check(interaction, claim)

    async def _check(self, interaction: discord.Interaction, claim: str) -> None:
        if await refuse_if_cooling(self.bot.cooldown, interaction):
            return
        await replies.defer(interaction, ephemeral=True)
        engine = self.bot.engines.engine  # pinned for this check
        messages = await asyncio.to_thread(check_messages, engine, claim, corpus_info(engine))
        check_id = await self.bot.storage.record_check(
            claim,
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            corpus_version=engine.version,
        )
        log.info("check %d from user %s (corpus %s)", check_id, interaction.user.id, engine.version)
        await replies.send(interaction, messages, ephemeral=True, view=share_view(self.bot.storage.instance, check_id))
