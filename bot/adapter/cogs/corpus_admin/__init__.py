"""``/corpus``: moderators manage the documents from Discord — refresh, add, remove, restore, list, gaps.

Grouped as one feature, the way python-discord lays one out: ``cog`` only turns interactions into
calls; ``changes`` makes the changes to the corpus folder (through ``EngineHost.refresh``, one at a
time, validated before they are served, undone if that fails; nothing is ever deleted) and
``recovery`` settles at start the adds a stop interrupted; ``progress`` shows a change at work and
reports its result or failure, each on record; ``validation`` refuses an upload before it is
downloaded; ``buttons`` is the remove confirmation; ``choices`` the autocompletes; ``examples`` the
example answer shown for a new document.

A change is on record before it is served, so the audit log can always say who put a document in
front of members: its audit row is written after the new engine is validated and before it is
swapped in, and if the row cannot be written the change is undone. Every served document added from
Discord has its "corpus add" row, even across a kill mid-add (see ``recovery``).
"""

from bot.adapter.cogs.corpus_admin.buttons import COG_NAME
from bot.adapter.cogs.corpus_admin.cog import CorpusAdminCog
from bot.adapter.cogs.corpus_admin.recovery import recover_interrupted_adds

__all__ = ["COG_NAME", "CorpusAdminCog", "recover_interrupted_adds"]
