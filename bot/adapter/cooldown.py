"""Per-user question cooldown: at most ``rate`` questions in any ``per`` seconds (a sliding window).

Shared by ``/ask`` and mentions, so switching between them does not double anyone's allowance.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

import discord

from bot.adapter import render, replies


class Cooldown:
    def __init__(self, rate: int, per: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        if rate < 1 or per <= 0:
            raise ValueError("rate must be >= 1 and per > 0")
        self.rate = rate
        self.per = per
        self._clock = clock
        self._hits: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    def hit(self, user_id: int) -> float | None:
        """Count a question; None if allowed, else the seconds until the user may ask again."""
        now = self._clock()
        self._forget(now)
        hits = self._hits.setdefault(user_id, deque())
        if len(hits) >= self.rate:
            return max(hits[0] + self.per - now, 0.0)
        hits.append(now)
        return None

    def first_refusal(self, user_id: int) -> bool:
        """True the first time a user is refused in a window: noisy channels get one notice, not many."""
        until = self._warned.get(user_id)
        now = self._clock()
        if until is not None and until > now:
            return False
        hits = self._hits.get(user_id)
        self._warned[user_id] = (hits[0] + self.per) if hits else now
        return True

    def _forget(self, now: float) -> None:
        # Every user's window is pruned on each hit, so memory stays bounded by the active users.
        cutoff = now - self.per
        for user_id in list(self._hits):
            hits = self._hits[user_id]
            while hits and hits[0] <= cutoff:
                hits.popleft()
            if not hits:
                del self._hits[user_id]
        for user_id, until in list(self._warned.items()):
            if until <= now:
                del self._warned[user_id]


async def refuse_if_cooling(cooldown: Cooldown, interaction: discord.Interaction) -> bool:
    """Count this interaction; when the user is over the limit, say privately when to retry.

    Returns True when the interaction was refused (the caller stops there).
    """
    retry_after = cooldown.hit(interaction.user.id)
    if retry_after is None:
        return False
    await replies.send(interaction, [render.cooldown_notice(retry_after, time.time())], ephemeral=True)
    return True
