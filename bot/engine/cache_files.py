"""Files of the engine's caches (analyses, merged term counts, the figure index): whole or absent.

A cache only saves time, so its files are written to a temporary name and renamed (a reader sees the
old file or the new one, never a part), without fsync: after a crash, whatever is torn or missing
is computed again. They hold pickles the bot wrote itself into its own state folder.
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

TEMPORARY_PREFIX = ".tmp-"
_KEYED_SUFFIX = ".pickle"


def write_whole(target: Path, blobs: Iterable[bytes]) -> None:
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


def _keyed_path(folder: Path, kind: str, key: str) -> Path:
    return folder / f"{kind}-{key}{_KEYED_SUFFIX}"


def load_keyed(folder: Path, kind: str, key: str) -> object | None:
    """The value stored by ``save_keyed(folder, kind, key, value)``, or None (absent, torn, foreign)."""
    try:
        with _keyed_path(folder, kind, key).open("rb") as file:
            stored_key, value = pickle.load(file)
    except FileNotFoundError:
        return None
    except Exception as error:
        log.warning("cached %s %s unreadable (%s): computing it again", kind, key, error)
        return None
    return value if stored_key == key else None


def save_keyed(folder: Path, kind: str, key: str, value: object) -> None:
    """Keep ``value`` as the one ``kind`` file of ``folder`` (others of that kind go); an error costs only time."""
    target = _keyed_path(folder, kind, key)
    try:
        write_whole(target, [pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)])
        for path in folder.glob(f"{kind}-*{_KEYED_SUFFIX}"):
            if path != target:
                path.unlink(missing_ok=True)
    except OSError as error:
        log.warning("could not store the %s in %s: %s", kind, folder, error)
