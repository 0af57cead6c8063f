"""Buttons that keep working after a restart: routed by ``custom_id`` (``DynamicItem``), not by memory.

``pb:<action>:<database instance>:<question id>`` under answers; ``pb:src:<page>:<prev|next>`` under
the document list. Nothing per message is kept in memory (a fully dynamic view registers no
message), so old answers cost nothing, and after a restart the same template routes the press to
the same code.

A button acts only on the record it was made for, and only for whoever may press it:

- the instance id names the state database the record is in (``Storage.instance``, made with the
  file). After a reset (a damaged file set aside, an emptied one) ids start again at 1; a button of
  the old database, or of the old format without an instance, says it expired rather than act on
  someone else's new question;
- the buttons of a personal answer (``/ask private:``, or in a DM) are its asker's alone: anyone else
  pressing one (a custom id can be forged) is told so, and sees nothing of the question.

Every such button is a ``RoutedButton``: discord.py only logs what a dynamic item's callback raises,
so the base hands each press's errors to the one error handler, and no button can forget to.
"""

from __future__ import annotations

import abc
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar, cast

import discord

from bot.adapter import render, replies
from bot.adapter.answering import Reasked
from bot.adapter.errors import report_interaction_error
from bot.engine.models import Answer
from bot.storage import CheckRecord, QuestionRecord, Vote

if TYPE_CHECKING:
    from bot.adapter.client import PolicyBot
    from bot.engine.engine import Engine

log = logging.getLogger(__name__)

Action = Literal["cite", "more", "up", "down"]
EXPIRED = (
    "This answer has expired: the question behind it is no longer on record. "
    "Please ask again with `/ask` (or mention me)."
)
NOT_YOURS = (
    "This button belongs to someone else's private answer, so only they can use it. "
    "Ask your own question with `/ask` (or mention me)."
)
CORPUS_CHANGED = "The documents have changed since this answer was given; this is from the current version."
_LOOK: dict[str, tuple[str | None, str | None, discord.ButtonStyle]] = {
    "cite": ("Show passages", "📄", discord.ButtonStyle.secondary),
    "more": ("More", None, discord.ButtonStyle.secondary),
    "up": (None, "👍", discord.ButtonStyle.secondary),
    "down": (None, "👎", discord.ButtonStyle.secondary),
}
# The instance part is optional so that a button of the old format ("pb:more:1") is still routed here,
# to say it expired, rather than fail silently as a press nothing listens to.
INSTANCE_PATTERN = r"(?:(?P<instance>[0-9a-f]{1,32}):)?"


def scoped(instance: str, record_id: int) -> str:
    """ "<instance>:<id>"; just "<id>" for a pressed button of the old format (it only says "expired")."""
    return f"{instance}:{record_id}" if instance else str(record_id)


class RoutedButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], abc.ABC, template=r"(?!)"):
    """A button whose press is decoded from its ``custom_id`` alone (a subclass gives the template,
    ``from_match`` and ``pressed``). The template here matches nothing: only subclasses are registered."""

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls.from_match(match)

    @classmethod
    @abc.abstractmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        """The button a matched ``custom_id`` stands for."""

    @abc.abstractmethod
    async def pressed(self, interaction: discord.Interaction) -> None:
        """What a press does."""

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self.pressed(interaction)
        except Exception as exc:  # discord.py would only log it: the presser must hear something
            await report_interaction_error(interaction, exc)


class AnswerButton(
    RoutedButton, template=r"pb:(?P<action>cite|more|up|down):" + INSTANCE_PATTERN + r"(?P<question_id>[0-9]{1,19})"
):
    def __init__(self, action: Action, instance: str, question_id: int, *, disabled: bool = False) -> None:
        label, emoji, style = _LOOK[action]
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label=label,
            emoji=emoji,
            style=style,
            custom_id=f"pb:{action}:{scoped(instance, question_id)}",
            disabled=disabled,
        )
        super().__init__(button)
        self.action: Action = action
        self.instance = instance
        self.question_id = question_id

    @classmethod
    def from_match(cls, match: re.Match[str]) -> AnswerButton:
        return cls(cast(Action, match["action"]), match["instance"] or "", int(match["question_id"]))

    async def pressed(self, interaction: discord.Interaction) -> None:
        bot = cast("PolicyBot", interaction.client)
        await replies.defer(interaction, ephemeral=True)
        record = await pressed_record(
            bot,
            interaction,
            self.instance,
            bot.storage.question,
            self.question_id,
            owners_only=lambda question: question.personal,
            expired=EXPIRED,
            not_yours=NOT_YOURS,
        )
        if record is not None:
            await _HANDLERS[self.action](bot, interaction, record)


def answer_view(question_id: int, answer: Answer, instance: str) -> discord.ui.View | None:
    """Buttons under an answer: passages, more, feedback. A non-answer only offers its passages.

    ``instance`` is the ``Storage.instance`` of the database holding question ``question_id``."""
    view = discord.ui.View(timeout=None)
    if answer.answered:
        view.add_item(AnswerButton("cite", instance, question_id))
        view.add_item(AnswerButton("more", instance, question_id, disabled=not answer.more))
        view.add_item(AnswerButton("up", instance, question_id))
        view.add_item(AnswerButton("down", instance, question_id))
    elif answer.closest:
        view.add_item(AnswerButton("cite", instance, question_id))
    return view if view.children else None


Pressed = TypeVar("Pressed", QuestionRecord, CheckRecord)


async def pressed_record(
    bot: PolicyBot,
    interaction: discord.Interaction,
    instance: str,
    fetch: Callable[[int], Awaitable[Pressed | None]],
    record_id: int,
    *,
    owners_only: Callable[[Pressed], bool],
    expired: str,
    not_yours: str,
) -> Pressed | None:
    """The record a button was made for, if it is on record and the presser may use it; else None,
    the presser told why, privately (``expired`` or ``not_yours``).

    A button of another state database (reset since), or of the old format without an instance,
    expired: its id may name someone else's new record. Where ``owners_only`` holds for the record,
    only its owner may press (a custom id can be forged)."""
    record = await fetch(record_id) if instance and instance == bot.storage.instance else None
    if record is None:
        await replies.send(interaction, [render.notice(expired)], ephemeral=True)
        return None
    if owners_only(record) and record.user_id != interaction.user.id:
        log.warning(
            "user %s pressed a button of %s %d, user %s's alone: refused",
            interaction.user.id, type(record).__name__, record.id, record.user_id,
        )  # fmt: skip
        await replies.send(interaction, [render.notice(not_yours)], ephemeral=True)
        return None
    return record


async def _reask(bot: PolicyBot, record: QuestionRecord) -> Reasked:
    return Reasked(record, await bot.engines.ask(record.question))


async def _show_passages(bot: PolicyBot, interaction: discord.Interaction, record: QuestionRecord) -> None:
    reasked = await _reask(bot, record)
    messages = render.render_passages(
        bot.answers.cited_passages(reasked.answer), reasked.answer.corpus_version, corpus_info(bot.engines.engine)
    )
    await replies.send(interaction, noted(messages, reasked.corpus_changed, CORPUS_CHANGED), ephemeral=True)


async def _more(bot: PolicyBot, interaction: discord.Interaction, record: QuestionRecord) -> None:
    reasked = await _reask(bot, record)
    # Unanswered now means the corpus changed and no longer answers: say so rather than show nothing.
    answer = reasked.answer
    corpus = corpus_info(bot.engines.engine)
    messages = render.render_more(answer, corpus) if answer.answered else render.render_answer(answer, corpus)
    await replies.send(interaction, noted(messages, reasked.corpus_changed, CORPUS_CHANGED), ephemeral=True)


def noted(messages: list[render.Rendered], corpus_changed: bool, note: str) -> list[render.Rendered]:
    """``messages``, headed by ``note`` when the corpus changed since the record they re-run was made."""
    if not corpus_changed or not messages:
        return messages
    first = messages[0]
    content = note + ("\n" + first.content if first.content else "")
    return [render.Rendered(render.notice(content).content, first.embeds), *messages[1:]]


_VOTE_WORDS = {1: "👍", -1: "👎"}


def _vote(vote: Vote) -> Callable[[PolicyBot, discord.Interaction, QuestionRecord], Awaitable[None]]:
    async def handler(bot: PolicyBot, interaction: discord.Interaction, record: QuestionRecord) -> None:
        previous = await bot.storage.record_vote(record, interaction.user.id, vote)
        if previous is None:
            text = f"Thanks — your {_VOTE_WORDS[vote]} is recorded."
        elif previous == vote:
            text = f"You had already voted {_VOTE_WORDS[vote]} on this answer."
        else:
            text = f"Changed your vote to {_VOTE_WORDS[vote]}."
        await replies.send(interaction, [render.notice(text)], ephemeral=True)

    return handler


_HANDLERS: dict[str, Callable[[PolicyBot, discord.Interaction, QuestionRecord], Awaitable[None]]] = {
    "cite": _show_passages,
    "more": _more,
    "up": _vote(1),
    "down": _vote(-1),
}


# -- what a footer says about the corpus ---------------------------------------------------------

_corpus_info: list[render.CorpusInfo] = []  # the last one made: versions are content hashes


def corpus_info(engine: Engine) -> render.CorpusInfo:
    """The corpus an engine serves, as a footer tells it (computed once per corpus version)."""
    if _corpus_info and _corpus_info[0].version == engine.version:
        return _corpus_info[0]
    info = render.CorpusInfo.of(engine.documents, engine.version)
    _corpus_info[:] = [info]
    return info


# -- the document list's pages -------------------------------------------------------------------


class SourcesPageButton(RoutedButton, template=r"pb:src:(?P<page>[0-9]{1,6}):(?P<direction>prev|next)"):
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
    def from_match(cls, match: re.Match[str]) -> SourcesPageButton:
        return cls(int(match["page"]), cast(Literal["prev", "next"], match["direction"]))

    async def pressed(self, interaction: discord.Interaction) -> None:
        page = sources_page(cast("PolicyBot", interaction.client), self.page)
        await replies.edit(interaction, page.message, sources_view(page))


def sources_page(bot: PolicyBot, page: int) -> render.SourcesPage:
    engine = bot.engines.engine
    return render.render_sources(engine.documents, engine.passage_counts(), engine.version, page, corpus_info(engine))


def sources_view(page: render.SourcesPage) -> discord.ui.View | None:
    if page.pages <= 1:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(SourcesPageButton(max(page.page - 1, 0), "prev", disabled=page.page == 0))
    view.add_item(SourcesPageButton(min(page.page + 1, page.pages - 1), "next", disabled=page.page >= page.pages - 1))
    return view
