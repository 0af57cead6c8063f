"""What the ``/corpus`` autocompletes offer as a moderator types (discord.py runs no command checks
for autocomplete: the cog asks ``Moderation`` first)."""

from __future__ import annotations

from collections.abc import Iterable

from discord import app_commands

from bot.adapter import render_corpus
from bot.engine.corpus.store import TrashEntry
from bot.engine.engine import Engine


def document_choices(engine: Engine, current: str) -> list[app_commands.Choice[str]]:
    """Documents to remove: the ones served, and files that failed to load (a moderator cleaning up
    a bad upload), whose title or id holds what was typed."""
    wanted = current.casefold().strip()
    candidates = [(d.meta.title, d.id) for d in engine.documents]
    candidates += [(f"unreadable: {p.reason}", p.path) for p in engine.problems if p.severity == "skipped"]
    choices = []
    for title, document_id in candidates:
        if len(document_id) > render_corpus.CHOICE_CHARS:
            continue  # cannot be a choice's value; it can still be typed
        if wanted in title.casefold() or wanted in document_id.casefold():
            name = render_corpus.choice_name(title, document_id)
            choices.append(app_commands.Choice(name=name, value=document_id))
    return choices[: render_corpus.CHOICES_LIMIT]


def trash_choices(entries: Iterable[TrashEntry], current: str) -> list[app_commands.Choice[str]]:
    """Trash entries to restore whose title, document id or entry id holds what was typed."""
    wanted = current.casefold().strip()
    choices = []
    for item in entries:
        title = item.title or item.document_id
        if wanted in title.casefold() or wanted in item.document_id.casefold() or wanted in item.id.casefold():
            name = render_corpus.choice_name(title, f"{item.document_id} · removed {item.removed_at[:10]}")
            choices.append(app_commands.Choice(name=name, value=item.id))
    return choices[: render_corpus.CHOICES_LIMIT]
