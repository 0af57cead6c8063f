"""``/ask`` and mentions: a question in, a cited answer out (or an honest "not answered")."""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapter import render, replies
from bot.adapter.cooldown import refuse_if_cooling
from bot.adapter.views import answer_view, corpus_info
from bot.engine.engine import MAX_QUESTION_CHARS

if TYPE_CHECKING:
    from bot.adapter.client import PolicyBot

log = logging.getLogger(__name__)

# Message types a person writes; joins, pins, thread starts and the like are not questions.
_USER_MESSAGES = (discord.MessageType.default, discord.MessageType.reply)


def mention_help(bot_name: str) -> str:
    return render.safe(
        f"Hi! Ask me about the documents by mentioning me with a question, e.g. "
        f"“@{bot_name} why was the scheme ruled unlawful?”, or use /ask. /help shows everything I do."
    )


class AskCog(commands.Cog):
    def __init__(self, bot: PolicyBot) -> None:
        self.bot = bot

    @app_commands.command(name="ask", description="Ask the documents a question: the answer quotes them, with sources")
    @app_commands.describe(
        question="Your question, in plain words",
        private="Only you see the answer (default: False, everyone in the channel sees it)",
    )
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, MAX_QUESTION_CHARS],
        private: bool = False,
    ) -> None:
        if await refuse_if_cooling(self.bot.cooldown, interaction):
            return
        await replies.defer(interaction, ephemeral=private)
        asked = await self.bot.answers.ask(
            question,
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            private=private,  # recorded with the question: its buttons are then the asker's alone
        )
        view = answer_view(asked.question_id, asked.answer, self.bot.storage.instance)
        messages = render.render_answer(asked.answer, corpus_info(self.bot.engines.engine))
        await replies.send(interaction, messages, ephemeral=private, view=view)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if me is None or message.author.bot or message.webhook_id is not None or message.type not in _USER_MESSAGES:
            return  # other bots, ourselves and webhooks included: bots answering bots never ends well
        mention = re.compile(rf"<@!?{me.id}>")
        if message.guild is not None and not mention.search(message.content):
            return  # in a server only an explicit mention asks (not a reply's ping, nor @everyone)
        question = " ".join(mention.sub(" ", message.content).split())
        if not question:
            await replies.reply(message, [render.notice(mention_help(me.display_name))])
            return
        retry_after = self.bot.cooldown.hit(message.author.id)
        if retry_after is not None:
            # No private replies to messages: say it once per window, then stay quiet.
            if self.bot.cooldown.first_refusal(message.author.id):
                await replies.reply(message, [render.cooldown_notice(retry_after, time.time())])
            return
        asked = await self.bot.answers.ask(
            question,
            user_id=message.author.id,
            guild_id=message.guild.id if message.guild else None,
            channel_id=message.channel.id,
        )
        view = answer_view(asked.question_id, asked.answer, self.bot.storage.instance)
        await replies.reply(
            message, render.render_answer(asked.answer, corpus_info(self.bot.engines.engine)), view=view
        )
