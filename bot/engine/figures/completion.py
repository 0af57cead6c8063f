"""Autocompletion of figure labels (``/figures topic:``): whole-label prefixes first, then any word's."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from bot.engine.figures.columns import u32
from bot.engine.figures.parse import MAX_LABEL_CHARS


class LabelCompleter:
    """Prefix completion over labels: whole-label prefixes first, then any word's prefix.

    Each index is a sorted list of keys with a parallel array of label numbers (sorted by key, then
    number), rather than a list of (key, number) tuples: the same order, a fraction of the memory."""

    def __init__(self, labels: Sequence[str]) -> None:
        self._labels = list(labels)
        words: dict[str, str] = {}  # one string per distinct word

        def folded(text: str) -> str:
            key = text.casefold()
            return text if key == text else key

        by_label = sorted((folded(label), i) for i, label in enumerate(self._labels))
        by_word = sorted(
            {(words.setdefault(w, w), i) for i, label in enumerate(self._labels) for w in label.casefold().split()}
        )
        self._label_keys = [key for key, _ in by_label]
        self._label_ids = u32([i for _, i in by_label])
        self._word_keys = [key for key, _ in by_word]
        self._word_ids = u32([i for _, i in by_word])

    def complete(self, prefix: object, limit: int = 25) -> list[str]:
        try:
            limit = max(0, min(int(limit), 1000))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            limit = 25
        if limit == 0:
            return []
        text = " ".join(str(prefix if prefix is not None else "").split())[:MAX_LABEL_CHARS].casefold()
        if not text:
            return self._labels[:limit]
        found: list[int] = []
        seen: set[int] = set()
        for keys, ids in ((self._label_keys, self._label_ids), (self._word_keys, self._word_ids)):
            # The first key >= text: where (text, -1) would go among the (key, number) pairs.
            at = bisect.bisect_left(keys, text)
            while at < len(keys) and keys[at].startswith(text) and len(found) < limit:
                i = int(ids[at])
                if i not in seen:
                    seen.add(i)
                    found.append(i)
                at += 1
        return [self._labels[i] for i in found[:limit]]
