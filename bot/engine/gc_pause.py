"""Pausing Python's cyclic garbage collector while an engine is built.

Building an engine allocates millions of small objects (passages, token sets, sentence records,
figures) and creates no reference cycles worth collecting meanwhile. The collector runs every few
hundred allocations all the same, and each full pass walks everything built so far: measured, it
is two thirds of unpickling the analysis cache (1.94 s → 0.59 s for 10,000 passages). Reference
counting still frees everything acyclic while paused. Pauses nest and may overlap across threads
(a rebuild and a figure warm-up): the collector runs again when the last one ends, and stays off
if it was off before the first.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_was_enabled = True


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
