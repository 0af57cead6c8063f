"""Files of the engine's caches (analyses, merged term counts, the figure index): whole or absent.

A cache only saves time, so its files are written to a temporary name and renamed (a reader sees the
old file or the new one, never a part), without fsync: after a crash, whatever is torn or missing is
computed again. They are written in ``bot.engine.build.safe_format``, never pickle: a file planted
in the state folder can hold data but cannot run code, and a damaged one fails its checksum and is
computed again instead of loading garbage or crashing the build. The pickles of earlier versions
(``*.pickle``) are never opened; they are deleted as new files replace them.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from bot.engine.build.safe_format import Buffer, EncodeError, encode_file, read_header, read_section

log = logging.getLogger(__name__)

TEMPORARY_PREFIX = ".tmp-"
_KEYED_SUFFIX = ".cache"
_BUFFERING = 1 << 16  # reads of small values go through this; arrays are read straight into place


def write_whole(target: Path, blobs: Iterable[Buffer]) -> None:
    """Write ``blobs`` one after the other to ``target``, atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=TEMPORARY_PREFIX, suffix=target.suffix)
    try:
        with os.fdopen(handle, "wb") as file:
            for blob in blobs:
                file.write(blob)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def open_cache(path: Path) -> BinaryIO:
    """A cache file opened for ``safe_format.read_header`` and ``read_section``."""
    return path.open("rb", buffering=_BUFFERING)


def _keyed_path(folder: Path, kind: str, key: str) -> Path:
    return folder / f"{kind}-{key}{_KEYED_SUFFIX}"


def load_keyed(folder: Path, kind: str, key: str) -> object | None:
    """The value stored by ``save_keyed(folder, kind, key, value)``, or None (absent, damaged, foreign)."""
    try:
        with open_cache(_keyed_path(folder, kind, key)) as file:
            (section,) = read_header(file, kind, key)
            return read_section(file, section)
    except FileNotFoundError:
        return None
    except Exception as error:  # damaged, forged or of another version: only costs the time to compute it
        log.warning("cached %s %s unreadable (%s): computing it again", kind, key, error)
        return None


def save_keyed(folder: Path, kind: str, key: str, value: object) -> None:
    """Keep ``value`` as the one ``kind`` file of ``folder`` (others of that kind go, old pickles
    too); an error costs only time."""
    target = _keyed_path(folder, kind, key)
    try:
        write_whole(target, encode_file(kind, key, [value]))
        for path in folder.glob(f"{kind}-*"):
            if path != target:
                path.unlink(missing_ok=True)
    except (OSError, EncodeError) as error:
        log.warning("could not store the %s in %s: %s", kind, folder, error)
