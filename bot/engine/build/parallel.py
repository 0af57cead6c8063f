"""Tokenizing many passages on every core.

Tokenizing is pure Python (≈ 150 µs a passage) and costs more than building any index, so large
builds spread it over worker processes. Workers return each passage's tokens joined by single
spaces: one string pickles far faster than a list of forty, and it is exactly what the tantivy
backend indexes (``str.split()`` gives the list back). Order is kept.

Workers are *spawned*, not forked: the caller may already run threads (tantivy's writer, an event
loop's executor) and forking a threaded process can deadlock. Spawning costs a few hundred
milliseconds, so small inputs are tokenized in-process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from itertools import chain, islice

from bot.engine.text.tokens import tokenize

CHUNK_SIZE = 1_000  # passages per task: large enough to amortise pickling, small enough to balance
MIN_PARALLEL = 20_000  # below this, starting the workers costs more than it saves


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def joined_tokens(text: str) -> str:
    return " ".join(tokenize(text))


def _tokenize_chunk(texts: list[str]) -> list[str]:
    return [joined_tokens(text) for text in texts]


def _chunks(items: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def iter_joined_tokens(
    texts: Iterable[str],
    processes: int | None = None,
    chunk_size: int = CHUNK_SIZE,
    min_parallel: int = MIN_PARALLEL,
) -> Iterator[str]:
    """Each text's tokens joined by single spaces, in order, streamed.

    ``texts`` may be a generator (a corpus read from disk): at most a few chunks are in flight.
    """
    processes = available_cores() if processes is None else processes
    iterator = iter(texts)
    head = list(islice(iterator, min_parallel))
    if processes <= 1 or len(head) < min_parallel:
        yield from map(joined_tokens, chain(head, iterator))
        return
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        for chunk in pool.imap(_tokenize_chunk, _chunks(chain(head, iterator), chunk_size)):
            yield from chunk


def tokenize_many(texts: Iterable[str], processes: int | None = None) -> list[list[str]]:
    """``[tokenize(t) for t in texts]``, on every core when there are many texts."""
    return [joined.split() for joined in iter_joined_tokens(texts, processes)]
