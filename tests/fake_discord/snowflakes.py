"""Snowflake ids shaped like Discord's, so ``discord.utils.snowflake_time`` gives sensible dates."""

from __future__ import annotations

import itertools
import time

DISCORD_EPOCH_MS = 1_420_070_400_000
# 2024-01-01T00:00:00Z: the fixed "world" (guild, channels, users) is dated here so its ids are stable.
WORLD_EPOCH_MS = 1_704_067_200_000


def make_snowflake(timestamp_ms: int, increment: int = 0, worker: int = 1) -> int:
    return ((timestamp_ms - DISCORD_EPOCH_MS) << 22) | ((worker & 0x1F) << 17) | (increment & 0xFFF)


def world_id(n: int) -> int:
    """A deterministic id for the n-th fixture object (same in every run)."""
    return make_snowflake(WORLD_EPOCH_MS + n * 1000, worker=0)


class SnowflakeFactory:
    """Time-based ids for things created while a test runs (messages, interactions, commands).

    Real time matters: discord.py's ``delete_message`` picks a rate-limit bucket from the
    id's age, and ``created_at`` should look like "now".
    """

    def __init__(self) -> None:
        self._counter = itertools.count()
        self._last = 0

    def next(self) -> int:
        value = make_snowflake(int(time.time() * 1000), next(self._counter))
        # Monotonic even if the clock ties or steps back: ordering by id must match creation order.
        value = max(value, self._last + 1)
        self._last = value
        return value
