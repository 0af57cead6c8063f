"""``/sources`` (the documents, paged) and ``/help`` (every command, with an example)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapter import render, replies
from bot.adapter.views import sources_page, sources_view

if TYPE_CHECKING:
    from bot.adapter.client import PolicyBot

log = logging.getLogger(__name__)

INTRO = (
    "I answer questions about public policy from a set of documents. I only ever **quote** them: every "
    "sentence of an answer is copied verbatim from a document and numbered [1], [2]… against its source "
    "(title, source, date, paragraph ¶). When the documents do not answer a question I say so, and show the "
    "closest passages, marked as not a direct answer.\n\n"
    "You can also **mention me** with a question: “@{name} why was the scheme ruled unlawful?”"
)
# An example for every command: a test fails when a command is added without one.
EXAMPLES: dict[str, tuple[str, str]] = {
    "ask": (
        "/ask question: what is the new salary threshold for a work visa?",
        "Add `private: True` to see the answer on your own. Under an answer: **Show passages** (the full "
        "paragraphs quoted, just for you), **More** (the next best sentences), 👍/👎 (did it help?).",
    ),
    "sources": ("/sources", "Use ◀ ▶ to turn the pages when there are many documents."),
    "help": ("/help", "Shows this message (only to you)."),
    "figures": (
        "/figures topic: salary threshold",
        "Each figure in bold with its sentence and source; values of one measure (a revision, two documents "
        "disagreeing) side by side. Without a topic: the key figures of each document. Topics autocomplete.",
    ),
    "check": (
        "/check claim: net migration hit a million last year",
        "Compares the claim's figures with the documents' (matches / close to / differs from / no figure for "
        "this), then quotes what the documents say. Private; **Share in channel** posts it for everyone.",
    ),
    "Check against the documents": (
        "Apps → Check against the documents (on any message)",
        "The same check as `/check`, on a message someone wrote: right-click it (long-press on mobile), Apps.",
    ),
    "corpus": (
        "/corpus add file: housing-brief.pdf source: Home Office date: 2024-03-01",
        "Moderators only (Manage Server or a moderator role); replies are private and every action is logged. "
        "`/corpus refresh` re-reads the folder after edits on disk · `/corpus add file: …` adds a PDF, HTML, "
        "Markdown or text file · `/corpus remove document: …` moves one to the trash (after you confirm) · "
        "`/corpus restore entry: …` brings it back · `/corpus list` shows the documents · `/corpus gaps` shows "
        "questions the documents could not answer and 👎 answers.",
    ),
}


def usage(command: app_commands.Command[Any, ..., Any] | app_commands.Group | app_commands.ContextMenu) -> str:
    if isinstance(command, app_commands.Group):
        return f"/{command.qualified_name} " + " | ".join(sub.name for sub in command.commands)
    if not isinstance(command, app_commands.Command):
        return command.name  # a context menu: found by its name in the Apps menu
    options = [p.name + ":" if p.required else f"[{p.name}:]" for p in command.parameters]
    return " ".join([f"/{command.qualified_name}", *options])


class InfoCog(commands.Cog):
    def __init__(self, bot: PolicyBot) -> None:
        self.bot = bot

    @app_commands.command(name="sources", description="List the documents the answers come from")
    async def sources(self, interaction: discord.Interaction) -> None:
        page = sources_page(self.bot, 0)
        await replies.send(interaction, [page.message], ephemeral=True, view=sources_view(page))

    @app_commands.command(name="help", description="How to use the bot, with an example of every command")
    async def help_command(self, interaction: discord.Interaction) -> None:
        entries = []
        for command in self.bot.tree.get_commands():
            description = getattr(command, "description", "") or ""
            example, notes = EXAMPLES.get(command.name, ("", ""))
            text = "\n".join(part for part in (description, f"Example: `{example}`" if example else "", notes) if part)
            entries.append((usage(command), text))
        name = self.bot.user.display_name if self.bot.user else "Policy Bot"
        messages = render.render_help(entries, INTRO.format(name=render.safe(name)))
        await replies.send(interaction, messages, ephemeral=True)
