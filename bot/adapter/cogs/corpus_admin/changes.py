"""The changes ``/corpus`` makes to the corpus folder, with no Discord in them.

Every change goes through ``EngineHost.refresh``: one at a time, the new engine built off the event
loop and validated before it is swapped in, and the change undone if that fails. Questions asked
meanwhile are answered by the engine already serving. Nothing here deletes a document: ``remove``
moves it to the trash, ``restore`` brings it back; only a file the bot itself just wrote for a
failed ``add`` is taken away again.

Each change is put on record by the caller's ``on_record`` after the new engine is validated and
just before it is swapped in; if the row cannot be written, ``on_record`` raises and the change is
undone, so no member is ever answered from a change the audit log does not show. An add also leaves
a marker on disk until its row is stored (``CorpusStore.begin_add``): an add a kill interrupted is
settled at the next start (``recovery``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from bot.adapter import render_corpus
from bot.adapter.cogs.corpus_admin.buttons import document_key
from bot.adapter.cogs.corpus_admin.examples import example_or_none
from bot.adapter.engine_host import EngineHost, RebuildRejected
from bot.engine.corpus.diff import CorpusDiff, diff_engines
from bot.engine.corpus.documents import corpus_files
from bot.engine.corpus.sidecar import SIDECAR_SUFFIX
from bot.engine.corpus.store import CorpusStore, StoreError, TrashEntry
from bot.engine.engine import Engine
from bot.engine.uploads.ingest import Extracted, IngestLimits, extract, stored_name

log = logging.getLogger(__name__)

# Puts a change on record: (target, reason). Raises to refuse the change, which is then undone.
OnRecord = Callable[[str, str | None], Awaitable[object]]
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Uploader:
    id: int
    name: str
    guild_id: int | None


@dataclass(frozen=True)
class Upload:
    """A downloaded file and what the moderator said of it (already validated)."""

    data: bytes
    sha256: str
    filename: str  # the uploader's name for it: kept as data, never used as a path
    uploader: Uploader
    title: str | None
    source: str | None
    url: str | None
    date: str | None


@dataclass(frozen=True)
class Swapped:
    """The engines before and after a change was served."""

    old: Engine
    new: Engine

    async def diff(self) -> CorpusDiff:
        return await asyncio.to_thread(diff_engines, self.old, self.new)


@dataclass(frozen=True)
class Moved(Swapped):
    """A document taken to the trash, or brought back from it."""

    document_id: str
    title: str
    entry_id: str


@dataclass(frozen=True)
class Added:
    new: Engine
    document_id: str
    title: str
    extracted: Extracted
    upload: Upload


class CorpusChanges:
    def __init__(self, engines: EngineHost, folder: Path, limits: IngestLimits) -> None:
        self.engines = engines
        self.folder = folder
        self.store = CorpusStore(folder)
        self.limits = limits

    async def refresh(self, progress: Progress) -> Swapped:
        """Serve the folder as it is on disk now (after edits made there)."""
        old, new = await self.engines.refresh(self.folder, progress=progress)
        return Swapped(old, new)

    async def add(self, upload: Upload, on_record: OnRecord, progress: Progress) -> Added:
        progress("reading the file")
        extracted = await extract(upload.data, upload.filename, self.limits)
        stem = PurePosixPath(upload.filename).stem
        chosen = " ".join((upload.title or "").split()) or extracted.title or " ".join(stem.split()) or "Untitled"
        document_id = stored_name(chosen, upload.data, extracted.format)
        meta = _sidecar(upload, extracted, chosen)
        pending = _pending_record(upload, chosen)
        _, new = await self.engines.refresh(
            self.folder,
            change=functools.partial(self._store_new, document_id, extracted.text, meta, pending),
            undo=functools.partial(self._unstore, document_id),
            check=_must_serve(document_id),
            commit=lambda _: on_record(f"{document_id} — {chosen}", None),
            progress=progress,
        )
        return Added(new, document_id, chosen, extracted, upload)

    async def settle_add(self, added: Added, progress: Progress) -> render_corpus.AddedDocument:
        """After an add is served: drop its marker, and describe it with an example answer."""
        try:
            await asyncio.to_thread(self.store.finish_add, added.document_id)
        except OSError as exc:  # added and on record: the next start finds its row and drops the marker
            log.warning("could not clear the pending-add marker of %s: %s", added.document_id, exc)
        progress("finding an example answer")
        example = await asyncio.to_thread(example_or_none, added.new, added.document_id)
        new, document_id, upload = added.new, added.document_id, added.upload
        return render_corpus.AddedDocument(
            document_id=document_id,
            title=added.title,
            format=added.extracted.format,
            passages=new.passage_counts().get(document_id, 0),
            figures=sum(1 for f in new.figures.figures if f.citation.document == document_id),
            source=upload.source,
            date=upload.date,
            url=upload.url,
            warnings=added.extracted.warnings,
            example_question=example[0] if example else None,
            example=example[1] if example else None,
            version=new.version,
        )

    async def remove(self, document_id: str, on_record: OnRecord, progress: Progress) -> Moved:
        title = self.title_of(document_id) or document_id
        trashed: list[TrashEntry] = []
        old, new = await self.engines.refresh(
            self.folder,
            change=lambda: trashed.append(self.store.remove(document_id)),
            undo=lambda: self.store.restore(trashed[0].id) if trashed else None,
            commit=lambda _: on_record(f"{document_id} — {title}", f"trash entry {trashed[0].id}"),
            progress=progress,
        )
        return Moved(old, new, document_id, title, trashed[0].id)

    async def restore(self, entry_id: str, on_record: OnRecord, progress: Progress) -> Moved:
        restored: list[str] = []
        old, new = await self.engines.refresh(
            self.folder,
            change=lambda: restored.append(self.store.restore(entry_id)),
            undo=lambda: self.store.remove(restored[0]) if restored else None,
            commit=lambda engine: on_record(f"{restored[0]} — {_title_in(engine, restored[0])}", None),
            progress=progress,
        )
        return Moved(old, new, restored[0], _title_in(new, restored[0]), entry_id)

    def title_of(self, document_id: str) -> str | None:
        """The title of a document on disk (served, or failing to load), or None if there is none."""
        document = self.engines.engine.document(document_id)
        if document is not None:
            return document.meta.title
        try:
            path = self.store.path_of(document_id)
        except StoreError:
            return None
        return document_id if path.is_file() else None

    def document_by_key(self, key: str) -> str | None:
        """The document a remove button's ``document_key`` stands for, if it is still on disk."""
        for path in corpus_files(self.folder):
            document_id = path.relative_to(self.folder).as_posix()
            if document_key(document_id) == key:
                return document_id
        return None

    def listed(self, engine: Engine) -> list[render_corpus.ListedDocument]:
        """The documents ``engine`` serves, with their size on disk and who added them (blocking)."""
        counts = engine.passage_counts()
        rows = []
        for document in engine.documents:
            meta: dict[str, object] = {}
            with contextlib.suppress(StoreError):
                meta = self.store.read_meta(document.id)
            size = None
            with contextlib.suppress(OSError):
                size = Path(document.path).stat().st_size
            added_by = meta.get("added_by")
            rows.append(
                render_corpus.ListedDocument(
                    id=document.id,
                    title=document.meta.title,
                    source=document.meta.source,
                    date=document.meta.date,
                    size=size,
                    passages=counts.get(document.id, 0),
                    added_by=str(added_by.get("name")) if isinstance(added_by, dict) else None,
                    added_at=str(meta["added_at"]) if meta.get("added_at") else None,
                )
            )
        return rows

    def _store_new(self, document_id: str, text: str, meta: dict[str, object], pending: dict[str, object]) -> None:
        """Under the rebuild lock: refuse a document already served (same text), then store it, marked
        as an add under way until its audit row is written."""
        encoded = hashlib.sha256(text.encode("utf-8")).hexdigest()
        for document in self.engines.engine.documents:
            if hashlib.sha256(document.text.encode("utf-8")).hexdigest() == encoded:
                raise StoreError(
                    f"this document is already in the corpus as “{document.meta.title}” ({document.id}); "
                    "nothing was added"
                )
        self.store.begin_add(document_id, pending)  # refuses a name already taken, before writing anything
        try:
            self.store.add(document_id, text, meta)
        except BaseException:
            # Nothing of it is visible (a write failed before the document's rename): its sidecar and marker go.
            self.store.abandon_add(document_id)
            raise

    def _unstore(self, document_id: str) -> None:
        """Take back a just-stored upload whose rebuild failed (the one deletion: our own new file)."""
        target = self.folder / document_id
        for path in (target, target.with_name(target.name + SIDECAR_SUFFIX)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        self.store.finish_add(document_id)  # last: until then a restart would settle the add itself


def _must_serve(document_id: str) -> Callable[[Engine], None]:
    def check(engine: Engine) -> None:
        if engine.document(document_id) is None:
            why = next((p.reason for p in engine.problems if p.path == document_id), "it did not load")
            raise RebuildRejected(f"the stored document could not be read back ({why})")

    return check


def _title_in(engine: Engine, document_id: str) -> str:
    document = engine.document(document_id)
    return document.meta.title if document else document_id


def _pending_record(upload: Upload, title: str) -> dict[str, object]:
    """What an add's marker keeps: enough to write its audit row if a restart has to settle it."""
    return {
        "user_id": upload.uploader.id,
        "user_name": upload.uploader.name,
        "guild_id": upload.uploader.guild_id,
        "title": title,
        "upload_sha256": upload.sha256,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _sidecar(upload: Upload, extracted: Extracted, title: str) -> dict[str, object]:
    """The document's metadata: what citations show, and its provenance (the uploader's file name is
    kept as data only). The store adds ``sha256``, the hash of the stored text."""
    meta: dict[str, object] = {
        "title": title,
        "source": upload.source,
        "url": upload.url,
        "date": upload.date,
        "added_by": {"id": str(upload.uploader.id), "name": upload.uploader.name},
        "added_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "original_filename": upload.filename,
        "format": extracted.format,
        "upload_sha256": upload.sha256,
        "upload_bytes": len(upload.data),
    }
    return {key: value for key, value in meta.items() if value is not None}
