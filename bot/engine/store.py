"""The live corpus folder on disk.

A fresh deployment's corpus folder is filled from ``seeds/`` once; a marker file records that, so
a corpus a moderator emptied on purpose is not refilled behind their back.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from bot.engine.documents import SIDECAR_SUFFIX, corpus_files

log = logging.getLogger(__name__)

SEEDED_MARKER = ".seeded"


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
        shutil.copyfile(path, target)
        sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
        if sidecar.is_file():
            shutil.copyfile(sidecar, target.with_name(target.name + SIDECAR_SUFFIX))
        copied.append(relative.as_posix())
    marker.write_text("seeded from " + str(seeds_dir) + "\n", encoding="utf-8")
    if copied:
        log.info("filled %s from %s: %s", corpus_dir, seeds_dir, ", ".join(copied))
    return copied
