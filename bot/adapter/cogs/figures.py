"""``/figures [topic] [private]``: the figures the documents give on a topic, quoted and cited.

Lookup and rendering run in a worker thread on the engine pinned at the start (a corpus swap
mid-way does not mix versions). Autocomplete runs on the event loop, so it only reads the labels
the figure index precomputed when the engine was built; it never raises (a failing autocomplete
would only show the user an error in the picker) and never takes long.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapter import render, replies
from bot.adapter.cooldown import refuse_if_cooling
from bot.adapter.render_figures import CHOICES_LIMIT, choices, render_figures, render_overview
from bot.engine.figure_answers import rank_figures
from bot.engine.figures.index import MAX_TOPIC_CHARS

if TYPE_CHECKING:
    from bot.adapter.client import PolicyBot
    from bot.engine.engine import Engine

log = logging.getLogger(__name__)

FIGURE_GROUPS = 5  # measures shown for a topic, best first
# What autocomplete reads of the typed text: labels are at most 100 characters, so more never matches.
AUTOCOMPLETE_INPUT_CHARS = 200


def figures_messages(engine: Engine, topic: str | None) -> list[render.Rendered]:
    """The reply for ``/figures`` (blocking: run it in a worker thread)."""
    topic = " ".join((topic or "").split())
    if not topic:
        return render_overview(engine.figures.overview(), engine.version)
    return render_figures(topic, rank_figures(engine, topic, FIGURE_GROUPS), engine.version)


class FiguresCog(commands.Cog):
    def __init__(self, bot: PolicyBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="figures", description="The figures the documents give on a topic (amounts, counts, rates), with sources"
    )
    @app_commands.describe(
        topic="What the figures are about, e.g. salary threshold (empty: the key figures of each document)",
        private="Only you see the answer (default: False, everyone in the channel sees it)",
    )
    async def figures(
        self,
        interaction: discord.Interaction,
        topic: app_commands.Range[str, 1, MAX_TOPIC_CHARS] | None = None,
        private: bool = False,
    ) -> None:
        if await refuse_if_cooling(self.bot.cooldown, interaction):
            return
        await replies.defer(interaction, ephemeral=private)
        engine = self.bot.engines.engine  # pinned: a swap during the lookup does not change this reply
        messages = await asyncio.to_thread(figures_messages, engine, topic)
        log.info("/figures %r from user %s (corpus %s)", (topic or "")[:100], interaction.user.id, engine.version)
        await replies.send(interaction, messages, ephemeral=private)

    @figures.autocomplete("topic")
    async def topic_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            typed = str(current)[:AUTOCOMPLETE_INPUT_CHARS]
            engine = self.bot.engines.engine
            if not engine.figures_ready:  # still being indexed after a start: never block the picker
                return []
            labels = engine.figures.complete(typed, CHOICES_LIMIT)
            return [app_commands.Choice(name=name, value=value) for name, value in choices(labels)]
        except Exception:  # an empty list beats an error in the user's picker; the log keeps the cause
            log.exception("figures autocomplete failed for %r", str(current)[:100])
            return []
