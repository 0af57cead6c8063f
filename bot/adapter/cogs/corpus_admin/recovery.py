"""Adds a stop interrupted, settled at the next start (before the corpus is loaded), so that every
served document added from Discord has its "corpus add" row and no half-made add lingers."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

from bot.engine.corpus.store import CorpusStore
from bot.storage import Storage

log = logging.getLogger(__name__)

AUDIT_ROWS_SEARCHED = 1000  # the latest "corpus add" rows an interrupted add's row is looked for in


async def recover_interrupted_adds(store: CorpusStore, storage: Storage) -> list[str]:
    """Settle the adds a stop interrupted (their markers, see ``CorpusStore.begin_add``); run at start,
    before the corpus is loaded. Returns a line per add for the log.

    An add whose "corpus add" row was written stands (it was validated and on record; only the reply
    was lost). Any other is undone: its document, if it was written, goes to the trash, and a "failed"
    row says so. Without that row the add is undone all the same (a served document must have its
    "ok" row) and the log says the row could not be written."""
    pending = await asyncio.to_thread(store.pending_adds)
    if not pending:
        return []
    rows = await storage.audit_log(limit=AUDIT_ROWS_SEARCHED, action="corpus add")
    settled = []
    for add in pending:
        record = add.record
        digest = record.get("upload_sha256")
        title = str(record.get("title") or add.document_id)
        on_record = any(
            row.outcome == "ok"
            and (row.target or "").startswith(f"{add.document_id} — ")
            and (digest is None or row.sha256 == digest)
            for row in rows
        )
        if on_record:
            await asyncio.to_thread(store.finish_add, add.document_id)
            settled.append(f"{add.document_id}: added and on record before the stop; it stands")
            continue
        kept = (store.root / add.document_id).is_file()
        reason = "interrupted before it was on record (the bot stopped): " + (
            "the document was moved to the trash" if kept else "nothing of it was kept"
        )
        try:
            user_id = int(str(record.get("user_id", 0)))
            guild_id = int(str(record["guild_id"])) if record.get("guild_id") is not None else None
            await storage.record_audit(
                user_id=user_id,
                user_name=str(record.get("user_name") or "unknown"),
                guild_id=guild_id,
                action="corpus add",
                outcome="failed",
                target=f"{add.document_id} — {title}",
                sha256=str(digest) if digest else None,
                reason=reason,
            )
        except (sqlite3.Error, OSError, RuntimeError, ValueError) as exc:
            log.error("could not record the interrupted add of %s (%s); undoing it all the same", add.document_id, exc)
        entry = await asyncio.to_thread(store.abandon_add, add.document_id)
        settled.append(f"{add.document_id}: {reason}" + (f" (trash entry {entry.id})" if entry else ""))
    return settled
