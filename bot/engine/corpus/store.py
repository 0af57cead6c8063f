"""The live corpus folder on disk: seeding, adding, removing (to a trash) and restoring documents.

Nothing a moderator does loses data: removed documents move to ``.trash/`` inside the corpus (a
hidden folder the loader skips) and can be restored. Every write is atomic — a temporary file in
the same folder, flushed and fsynced, then renamed over the target — so a crash never leaves a
half-written document visible. A document's metadata lives in its sidecar ``<name>.meta.json``
(``corpus.sidecar``, the model the loader reads too), written before the document itself: a sidecar
without its document is ignored by the loader, while a document is never visible without its metadata.

An add from Discord is not done until it is in the audit log, so that every document served can be
traced to the moderator who added it, even across a crash: ``begin_add`` leaves a
hidden marker, ``.adding-<name>.json``, before the first byte of the document is written, and
``finish_add`` removes it once the audit row is stored. A marker still there at start means the add
was interrupted; whoever holds the audit log decides (``pending_adds``): with its audit row the add
stands, without one it is undone (``abandon_add``: the document, if it got that far, to the trash).
A sidecar left without its document by an interrupted write is cleaned up at start
(``remove_orphan_sidecars``).

A fresh deployment's corpus folder is filled from ``seeds/`` once; a marker file records that, so
a corpus a moderator emptied on purpose is not refilled behind their back.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.engine.corpus.documents import SUPPORTED_SUFFIXES, TRASH_DIR, corpus_files
from bot.engine.corpus.sidecar import SIDECAR_SUFFIX, Sidecar, SidecarError, load_sidecar, read_sidecar

log = logging.getLogger(__name__)

SEEDED_MARKER = ".seeded"
_SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,120}\.(?:txt|md)")
_TEMP_PREFIX = ".tmp-"
PENDING_PREFIX = ".adding-"  # hidden, so the loader never takes it for a document
_PENDING_SUFFIX = ".json"


class StoreError(ValueError):
    """A corpus change that cannot be made; the message is for the moderator."""


@dataclass(frozen=True, slots=True)
class TrashEntry:
    id: str  # the name inside .trash/
    document_id: str
    removed_at: str
    title: str | None


def ensure_seeded(corpus_dir: Path, seeds_dir: Path) -> list[str]:
    """Copy the seed documents (and their sidecars) into an empty, never-seeded corpus folder."""
    corpus_dir.mkdir(parents=True, exist_ok=True)
    marker = corpus_dir / SEEDED_MARKER
    if marker.exists() or corpus_files(corpus_dir):
        return []
    copied = []
    for path in corpus_files(seeds_dir):
        relative = path.relative_to(seeds_dir)
        target = corpus_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
        if sidecar.is_file():
            atomic_write(target.with_name(target.name + SIDECAR_SUFFIX), sidecar.read_bytes())
        atomic_write(target, path.read_bytes())
        copied.append(relative.as_posix())
    atomic_write(marker, f"seeded from {seeds_dir}\n".encode())
    if copied:
        log.info("filled %s from %s: %s", corpus_dir, seeds_dir, ", ".join(copied))
    return copied


def atomic_write(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` so that readers see the old file or the new one, never a part."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass(frozen=True, slots=True)
class PendingAdd:
    """An add begun and never finished: the document's name and what ``begin_add`` was told about it."""

    document_id: str
    record: dict[str, object]


def remove_orphan_sidecars(corpus_dir: Path) -> list[Path]:
    """Clean up metadata sidecars left without their document; returns the sidecars dealt with.

    Only sidecars the store wrote (they carry the document's ``sha256``) and only when no add of that
    document is pending (``pending_adds`` decides those). A removal interrupted between moving the
    document and its sidecar left the sidecar behind: it joins its document in the trash. Any other
    is what a failed add left before its document was written, and is deleted."""
    if not corpus_dir.is_dir():
        return []
    store = CorpusStore(corpus_dir)
    pending = {p.document_id for p in store.pending_adds()}
    trash = {e.document_id: e for e in store.trash_entries()}
    done = []
    for sidecar in sorted(corpus_dir.rglob("*" + SIDECAR_SUFFIX)):
        relative = sidecar.relative_to(corpus_dir)
        document_id = relative.as_posix()[: -len(SIDECAR_SUFFIX)]
        if any(part.startswith(".") for part in relative.parts) or document_id in pending:
            continue
        if sidecar.with_name(sidecar.name[: -len(SIDECAR_SUFFIX)]).exists():
            continue
        try:
            meta = load_sidecar(sidecar)
        except SidecarError as exc:
            log.debug("%s", exc)
            continue
        if meta.sha256 is None:
            continue  # not one the store wrote: perhaps a moderator's, with the document still to come
        entry = trash.get(document_id)
        with contextlib.suppress(OSError):
            home = None if entry is None else store.trash / entry.id / sidecar.name
            if home is not None and not home.exists():
                os.replace(sidecar, home)
            else:
                sidecar.unlink()
            done.append(sidecar)
    if done:
        _fsync_dir(corpus_dir)
    return done


def remove_stale_temporaries(corpus_dir: Path) -> list[Path]:
    """Delete temporary files a crash left behind (they were never visible as documents)."""
    removed = []
    trash = corpus_dir / TRASH_DIR
    # A crash while writing a trash entry's origin.json leaves its temporary inside the entry folder,
    # not beside the corpus: look there too, and drop an entry folder that was left empty.
    entries = [p for p in trash.iterdir() if p.is_dir()] if trash.is_dir() else []
    for folder in (corpus_dir, trash, *entries):
        if folder.is_dir():
            for path in folder.glob(_TEMP_PREFIX + "*"):
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(path)
    for entry in entries:
        with contextlib.suppress(OSError):
            entry.rmdir()  # only succeeds when empty
    return removed


def _check_name(name: str) -> None:
    """Refuse what is no document name with a StoreError the moderator can read: a NUL byte would make
    ``Path.resolve`` raise ValueError, and a component longer than the file system allows would make
    ``is_file``/``is_dir`` raise OSError (ENAMETOOLONG), both unexpected errors to a typed id."""
    if "\x00" in name or any(len(part.encode("utf-8", "surrogatepass")) > 255 for part in name.split("/")):
        raise StoreError(f"{name[:80]!r} is not a document of this corpus")


class CorpusStore:
    """Changes to one corpus folder. Callers serialise changes (one at a time)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.trash = root / TRASH_DIR

    def path_of(self, document_id: str) -> Path:
        """The file of a document id, refusing anything outside the corpus folder."""
        _check_name(document_id)
        candidate = (self.root / document_id).resolve()
        root = self.root.resolve()
        if root not in candidate.parents or candidate.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise StoreError(f"{document_id!r} is not a document of this corpus")
        if any(part.startswith(".") for part in candidate.relative_to(root).parts):
            raise StoreError(f"{document_id!r} is not a document of this corpus")
        return candidate

    def add(self, name: str, text: str, meta: Mapping[str, object]) -> str:
        """Store a new document under ``name`` (chosen by the bot) with its metadata sidecar.

        ``meta`` must be a valid ``Sidecar`` (the store adds ``sha256``): the store never writes one
        the loader would ignore."""
        if not _SAFE_NAME.fullmatch(name):
            raise StoreError(f"unsafe document name {name!r}")
        target = self.root / name
        if target.exists():
            raise StoreError(f"a document named {name} already exists (the same file was added before?)")
        data = text.encode("utf-8")
        sidecar_file = self._sidecar(target)
        try:
            sidecar = Sidecar.from_object({**meta, "sha256": hashlib.sha256(data).hexdigest()}, sidecar_file.name)
        except SidecarError as exc:
            raise StoreError(str(exc).removesuffix("; ignored")) from None
        atomic_write(sidecar_file, sidecar.to_bytes())
        atomic_write(target, data)
        return name

    # -- adds that must be confirmed ------------------------------------------------------------

    def begin_add(self, name: str, record: dict[str, object]) -> None:
        """Mark an add of ``name`` as under way, before anything of it is written (see the module)."""
        if not _SAFE_NAME.fullmatch(name):
            raise StoreError(f"unsafe document name {name!r}")
        if (self.root / name).exists():  # refused before anything is written: the add would be
            raise StoreError(f"a document named {name} already exists (the same file was added before?)")
        data = json.dumps({**record, "document_id": name}, ensure_ascii=False).encode("utf-8")
        atomic_write(self._marker(name), data)

    def finish_add(self, name: str) -> None:
        """The add of ``name`` is confirmed (or undone): drop its marker."""
        with contextlib.suppress(FileNotFoundError):
            self._marker(name).unlink()
        _fsync_dir(self.root)

    def pending_adds(self) -> list[PendingAdd]:
        """Adds begun and never finished (their markers), oldest name first."""
        found = []
        for marker in sorted(self.root.glob(PENDING_PREFIX + "*" + _PENDING_SUFFIX)):
            name = marker.name[len(PENDING_PREFIX) : -len(_PENDING_SUFFIX)]
            if not _SAFE_NAME.fullmatch(name):
                continue
            record: dict[str, object] = {}
            with contextlib.suppress(OSError, ValueError):
                data = json.loads(marker.read_text(encoding="utf-8"))
                record = data if isinstance(data, dict) else {}
            found.append(PendingAdd(name, record))
        return found

    def abandon_add(self, name: str) -> TrashEntry | None:
        """Undo an add that was never confirmed: its document (if it was written) goes to the trash with
        its sidecar, a sidecar alone is deleted, then the marker. Returns the trash entry, if any."""
        if not _SAFE_NAME.fullmatch(name):
            raise StoreError(f"unsafe document name {name!r}")
        target = self.root / name
        entry = self.remove(name) if target.is_file() else None
        with contextlib.suppress(FileNotFoundError):
            self._sidecar(target).unlink()
        self.finish_add(name)
        return entry

    def _marker(self, name: str) -> Path:
        return self.root / f"{PENDING_PREFIX}{name}{_PENDING_SUFFIX}"

    # -- remove and restore ---------------------------------------------------------------------

    def remove(self, document_id: str) -> TrashEntry:
        """Move a document and its sidecar into the trash; returns the entry to restore it."""
        path = self.path_of(document_id)
        if not path.is_file():
            raise StoreError(f"no document {document_id!r}")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        entry_dir = self.trash / stamp
        entry_dir.mkdir(parents=True, exist_ok=False)
        relative = path.relative_to(self.root.resolve())
        sidecar = self._sidecar(path)
        try:
            atomic_write(entry_dir / "origin.json", json.dumps({"document_id": relative.as_posix()}).encode())
            # The document goes first: once it is gone from the corpus, a leftover sidecar is inert.
            os.replace(path, entry_dir / path.name)
        except BaseException:
            # Otherwise the trash would list an entry with nothing in it while the document is still
            # served; the entry folder holds nothing else yet, so it goes.
            shutil.rmtree(entry_dir, ignore_errors=True)
            raise
        if sidecar.is_file():
            os.replace(sidecar, entry_dir / sidecar.name)
        _fsync_dir(path.parent)
        _fsync_dir(entry_dir)
        return self._entry(entry_dir)

    def restore(self, trash_id: str) -> str:
        """Put a trashed document back where it was; refuses to overwrite a live document."""
        _check_name(trash_id)
        entry_dir = self.trash / trash_id
        if "/" in trash_id or trash_id.startswith(".") or not entry_dir.is_dir():
            raise StoreError(f"nothing in the trash called {trash_id!r}")
        entry = self._entry(entry_dir)
        target = self.path_of(entry.document_id)
        if target.exists():
            raise StoreError(f"{entry.document_id} exists again; remove it first or rename it")
        if not (entry_dir / target.name).is_file():  # a StoreError to show, not a FileNotFoundError
            raise StoreError(f"trash entry {trash_id} holds no document (an interrupted removal?)")
        target.parent.mkdir(parents=True, exist_ok=True)
        sidecar = entry_dir / (target.name + SIDECAR_SUFFIX)
        if sidecar.is_file():
            os.replace(sidecar, self._sidecar(target))
        os.replace(entry_dir / target.name, target)
        _fsync_dir(target.parent)
        shutil.rmtree(entry_dir, ignore_errors=True)
        return entry.document_id

    def trash_entries(self) -> list[TrashEntry]:
        if not self.trash.is_dir():
            return []
        entries = []
        for entry_dir in sorted(self.trash.iterdir(), reverse=True):
            if entry_dir.is_dir() and (entry_dir / "origin.json").is_file():
                # An entry a crash left without its document cannot be restored, so it is not listed;
                # a folder whose name is not a time stamp raises ValueError, and is not listed either.
                with contextlib.suppress(StoreError, ValueError):
                    entry = self._entry(entry_dir)
                    if (entry_dir / Path(entry.document_id).name).is_file():
                        entries.append(entry)
        return entries

    def sidecar(self, document_id: str) -> Sidecar | None:
        """A document's sidecar, None if it has none; a bad one raises StoreError with the loader's words."""
        try:
            return read_sidecar(self.path_of(document_id))
        except SidecarError as exc:
            raise StoreError(str(exc)) from None

    def read_meta(self, document_id: str) -> dict[str, object]:
        """A document's sidecar as the JSON object it is (``{}`` without one); see ``sidecar``."""
        sidecar = self.sidecar(document_id)
        return sidecar.as_dict() if sidecar else {}

    def _entry(self, entry_dir: Path) -> TrashEntry:
        try:
            origin = json.loads((entry_dir / "origin.json").read_text(encoding="utf-8"))
            document_id = str(origin["document_id"])
        except (OSError, ValueError, KeyError) as exc:
            raise StoreError(f"trash entry {entry_dir.name} is damaged") from exc
        title = None
        sidecar = entry_dir / (Path(document_id).name + SIDECAR_SUFFIX)
        if sidecar.is_file():
            try:
                title = load_sidecar(sidecar).title
            except SidecarError as exc:  # the entry is still listed and restorable, without its title
                log.debug("trash entry %s: %s", entry_dir.name, exc)
        removed_at = datetime.strptime(entry_dir.name, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
        removed = removed_at.isoformat(timespec="seconds")
        return TrashEntry(id=entry_dir.name, document_id=document_id, removed_at=removed, title=title)

    @staticmethod
    def _sidecar(path: Path) -> Path:
        return path.with_name(path.name + SIDECAR_SUFFIX)
