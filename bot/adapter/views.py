"""Buttons that keep working after a restart: routed by ``custom_id`` (``DynamicItem``), not by memory.

``pb:<action>:<question id>`` under answers; ``pb:src:<page>:<prev|next>`` under the document list.
Nothing per message is kept in memory (a fully dynamic view registers no message), so old answers
cost nothing, and after a restart the same template routes the press to the same code.

discord.py only logs exceptions from dynamic-item callbacks, so each callback hands its errors to
the one error handler itself.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal, cast

import discord

from bot.adapter import render, replies
from bot.adapter.errors import report_interaction_error
from bot.engine.models import Answer
from bot.storage import Vote

if TYPE_CHECKING:
    from bot.adapter.client import PolicyBot

log = logging.getLogger(__name__)

Action = Literal["cite", "more", "up", "down"]
EXPIRED = (
    "This answer has expired: the question behind it is no longer on record. "
    "Please ask again with `/ask` (or mention me)."
)
CORPUS_CHANGED = "The documents have changed since this answer was given; this is from the current version."
_LOOK: dict[str, tuple[str | None, str | None, discord.ButtonStyle]] = {
    "cite": ("Show passages", "📄", discord.ButtonStyle.secondary),
    "more": ("More", None, discord.ButtonStyle.secondary),
    "up": (None, "👍", discord.ButtonStyle.secondary),
    "down": (None, "👎", discord.ButtonStyle.secondary),
}


class AnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"pb:(?P<action>cite|more|up|down):(?P<question_id>[0-9]{1,19})",
):
    def __init__(self, action: Action, question_id: int, *, disabled: bool = False) -> None:
        label, emoji, style = _LOOK[action]
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label=label, emoji=emoji, style=style, custom_id=f"pb:{action}:{question_id}", disabled=disabled
        )
        super().__init__(button)
        self.action: Action = action
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> AnswerButton:
        return cls(cast(Action, match["action"]), int(match["question_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = cast("PolicyBot", interaction.client)
        try:
            await _HANDLERS[self.action](bot, interaction, self.question_id)
        except Exception as exc:
            await report_interaction_error(interaction, exc)


def answer_view(question_id: int, answer: Answer) -> discord.ui.View | None:
    """Buttons under an answer: passages, more, feedback. A non-answer only offers its passages."""
    view = discord.ui.View(timeout=None)
    if answer.answered:
        view.add_item(AnswerButton("cite", question_id))
        view.add_item(AnswerButton("more", question_id, disabled=not answer.more))
        view.add_item(AnswerButton("up", question_id))
        view.add_item(AnswerButton("down", question_id))
    elif answer.closest:
        view.add_item(AnswerButton("cite", question_id))
    return view if view.children else None


async def _show_passages(bot: PolicyBot, interaction: discord.Interaction, question_id: int) -> None:
    await replies.defer(interaction, ephemeral=True)
    reasked = await bot.answers.reask(question_id)
    if reasked is None:
        await replies.send(interaction, [render.notice(EXPIRED)], ephemeral=True)
        return
    messages = render.render_passages(bot.answers.cited_passages(reasked.answer), reasked.answer.corpus_version)
    await replies.send(interaction, _noted(messages, reasked.corpus_changed), ephemeral=True)


async def _more(bot: PolicyBot, interaction: discord.Interaction, question_id: int) -> None:
    await replies.defer(interaction, ephemeral=True)
    reasked = await bot.answers.reask(question_id)
    if reasked is None:
        await replies.send(interaction, [render.notice(EXPIRED)], ephemeral=True)
        return
    # Unanswered now means the corpus changed and no longer answers: say so rather than show nothing.
    answer = reasked.answer
    messages = render.render_more(answer) if answer.answered else render.render_answer(answer)
    await replies.send(interaction, _noted(messages, reasked.corpus_changed), ephemeral=True)


def _noted(messages: list[render.Rendered], corpus_changed: bool) -> list[render.Rendered]:
    if not corpus_changed or not messages:
        return messages
    first = messages[0]
    content = CORPUS_CHANGED + ("\n" + first.content if first.content else "")
    return [render.Rendered(render.notice(content).content, first.embeds), *messages[1:]]


_VOTE_WORDS = {1: "👍", -1: "👎"}


def _vote(vote: Vote) -> Callable[[PolicyBot, discord.Interaction, int], Awaitable[None]]:
    async def handler(bot: PolicyBot, interaction: discord.Interaction, question_id: int) -> None:
        await replies.defer(interaction, ephemeral=True)
        record = await bot.storage.question(question_id)
        if record is None:
            await replies.send(interaction, [render.notice(EXPIRED)], ephemeral=True)
            return
        previous = await bot.storage.record_vote(record, interaction.user.id, vote)
        if previous is None:
            text = f"Thanks — your {_VOTE_WORDS[vote]} is recorded."
        elif previous == vote:
            text = f"You had already voted {_VOTE_WORDS[vote]} on this answer."
        else:
            text = f"Changed your vote to {_VOTE_WORDS[vote]}."
        await replies.send(interaction, [render.notice(text)], ephemeral=True)

    return handler


_HANDLERS: dict[str, Callable[[PolicyBot, discord.Interaction, int], Awaitable[None]]] = {
    "cite": _show_passages,
    "more": _more,
    "up": _vote(1),
    "down": _vote(-1),
}


# -- the document list's pages -------------------------------------------------------------------


class SourcesPageButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"pb:src:(?P<page>[0-9]{1,6}):(?P<direction>prev|next)",
):
    """Turns to ``page`` (the target, so the press needs no memory of the page shown)."""

    def __init__(self, page: int, direction: Literal["prev", "next"], *, disabled: bool = False) -> None:
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label="◀ Previous" if direction == "prev" else "Next ▶",
            style=discord.ButtonStyle.secondary,
            custom_id=f"pb:src:{page}:{direction}",
            disabled=disabled,
        )
        super().__init__(button)
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> SourcesPageButton:
        return cls(int(match["page"]), cast(Literal["prev", "next"], match["direction"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = cast("PolicyBot", interaction.client)
        try:
            page = sources_page(bot, self.page)
            await replies.edit(interaction, page.message, sources_view(page))
        except Exception as exc:
            await report_interaction_error(interaction, exc)


def sources_page(bot: PolicyBot, page: int) -> render.SourcesPage:
    engine = bot.engines.engine
    return render.render_sources(engine.documents, engine.passage_counts(), engine.version, page)


def sources_view(page: render.SourcesPage) -> discord.ui.View | None:
    if page.pages <= 1:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(SourcesPageButton(max(page.page - 1, 0), "prev", disabled=page.page == 0))
    view.add_item(SourcesPageButton(min(page.page + 1, page.pages - 1), "next", disabled=page.page >= page.pages - 1))
    return view
