"""Shared helpers for the hardening suite: hostile inputs, invariants on everything the bot sends, an
event-loop stall meter, time bounds, and ``python -m bot run`` as a process of its own.

The invariants every hardening test holds the bot to:

* nothing it sends can ping anyone: ``pings_nobody`` on every message write, and no mention syntax
  (``@everyone``, ``@here``, ``<@id>``, ``<@!id>``, ``<@&id>``, ``<#id>``) survives in any text;
* every message fits Discord's limits (the fake validates; ``assert_within_limits`` checks again);
* every engine call returns within its bound, and the event loop never stalls for long.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import hypothesis
import pytest
from hypothesis import strategies as st

from bot.adapter.client import PolicyBot
from bot.adapter.cooldown import Cooldown
from bot.adapter.render import Rendered
from bot.config import Settings
from bot.engine.engine import Engine
from tests.adapter.conftest import make_settings, running_bot
from tests.fake_discord import FakeDiscord, RecordedRequest, pings_nobody

T = TypeVar("T")

hypothesis.settings.register_profile(
    "hardening",
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[hypothesis.HealthCheck.too_slow, hypothesis.HealthCheck.function_scoped_fixture],
)
HARDENING = hypothesis.settings.get_profile("hardening")

# A well-formed (fake) bot token, and the bound every engine call is held to (CPU seconds of the
# calling thread: wall time on a shared 2-core machine also measures the neighbours).
TOKEN = "MTk4NjIyNDgzNDcxOTI1MjQ4.Hardening.ZnCjm1XVW7vRze4b7Cq4se7kKWs-hardening"
ENGINE_CPU_BOUND = 2.0
ENGINE_WALL_BOUND = 8.0
LOOP_STALL_BOUND = 0.100

# -- hostile text ---------------------------------------------------------------------------------

BIG_ID = "123456789012345678"
HOSTILE_TEXTS: dict[str, str] = {
    "everyone": "@everyone what is the new salary threshold for a work visa?",
    "here": "@here @Everyone @HERE why was the scheme ruled unlawful?",
    "user_mentions": f"<@{BIG_ID}> <@!{BIG_ID}> what is the salary threshold?",
    "role_mention": f"<@&{BIG_ID}> salary threshold for a work visa",
    "channel_mention": f"<#{BIG_ID}> work visa threshold",
    "fullwidth_at": "＠everyone ＠here ﹫everyone salary threshold",
    "zero_width_inside": f"@\u200beveryone @e\u200bveryone <@\u200b{BIG_ID}> <\u200b@{BIG_ID}> salary",
    "word_joiner": "\u2060@everyone\u2060 \ufeff@here\ufeff salary",
    "bidi_override": f"\u202e@everyone\u202c \u2067@here\u2069 <@\u202e{BIG_ID}> salary",
    "bidi_reversed": "@\u202eenoyreve\u202c rwanda",
    "soft_hyphen": "@every\u00adone @he\u00adre treaty",
    "tag_chars": "@\U000e0065everyone @here\U000e007f asylum",
    "escaped": f"\\@everyone \\<@{BIG_ID}> \\\\@here salary",
    "code_span": "`@everyone` ```@here``` salary",
    "url_with_mention": f"https://x.example/@everyone <https://x.example/<@{BIG_ID}>> salary",
    "masked_link": "[official](https://evil.example) what is the salary threshold?",
    "masked_link_angle": "[gov.uk](<https://evil.example/login>) [x]( https://evil.example ) visa",
    "nested_masked": "[[official](https://evil.example)](https://evil.example) visa",
    "markdown": "**bold** __u__ ~~s~~ ||spoiler|| `code` > quote # heading - item salary",
    "invite_links": "discord.gg/abcdef https://discord.com/invite/abcdef discord.gg/everyone visa",
    "timestamp_and_slash": f"<t:99999999999:R> </ask:{BIG_ID}> <:e:{BIG_ID}> <a:e:1> salary",
    "zero_width_only": "\u200b\u200c\u200d\u2060\ufeff" * 400,
    "long_6000": ("what is the new salary threshold for a work visa " * 130)[:6000],
    "backtrack_links": "[a](" * 1500,
    "backtrack_stars": "*" * 6000,
    "underscores": "_" * 6000,
    "backticks": "`" * 6000,
    "angle_at": "<@" * 3000,
    "at_signs": "@" * 6000,
    "everyone_x1000": "@everyone " * 600,
    "nfkc_ligature": "ﷺ" * 1000,
    "nfkc_square_era": "㍻" * 2000,
    "nfkc_mixed": "ﷺ㍻ﬃ𝐀①" * 500,
    "one_word_10000": "visa " * 10_000,
    "empty": "",
    "whitespace": " \t\n\u3000\u00a0\u2028 ",
    "digits_6000": "9" * 6000,
    "money_digits": "£" + "9" * 400 + "bn",
    "thousands": "1," * 3000,
    "dots": "." * 6000,
    "combining": "e" + "\u0301" * 5000,
    "emoji_zwj": "👨‍👩‍👧‍👦" * 300,
    "nul_and_controls": "\x00salary\x1b[31m threshold\x07\x7f",
    "sql": "'; DROP TABLE questions; -- salary",
    "newlines": "salary\n" * 800,
}

# Pieces hypothesis combines into hostile strings.
_PIECES = (
    "@everyone", "@here", "@", "＠", "﹫", "everyone", "here", "<@", "<@!", "<@&", "<#", BIG_ID, ">",
    "\u200b", "\u200d", "\u2060", "\ufeff", "\u202e", "\u202c", "\u2066", "\u2069", "\u00ad", "\\",
    "[", "]", "(", ")", "](", "https://evil.example", "discord.gg/x", "*", "_", "`", "~", "|", "#", ">",
    "ﷺ", "㍻", " ", "\n", "salary", "threshold", "visa", "Rwanda", "£38,700", "745,000", "1" * 400, "%",
)  # fmt: skip
hostile_strings = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=8)), max_size=60).map("".join)

# Mention syntax Discord would parse; our neutralised forms ("@\u200beveryone", "<@\u200b1") are not.
MENTION_SYNTAX = re.compile(r"[@＠﹫](?:everyone|here)|<@[!&]?\d|<#\d", re.IGNORECASE)
# A masked link ("[label](url)", the "[" not escaped) to the hostile host, which only ever appears in
# text we are shown (questions, document text and titles), never as a document's declared url.
EVIL_MASKED_LINK = re.compile(r"(?<!\\)\[(?:[^\]\\]|\\.)*\]\(\s*<?https?://evil\.example", re.IGNORECASE)
INVITE = re.compile(r"discord(?:\.gg|(?:app)?\.com/invite)/", re.IGNORECASE)

# -- what a message shows ---------------------------------------------------------------------------


def payload_of(message: Rendered) -> dict[str, Any]:
    """A rendered message as the JSON discord.py would send."""
    return {"content": message.content, "embeds": [embed.to_dict() for embed in message.embeds]}


def texts(payload: Mapping[str, Any]) -> Iterator[str]:
    """Every piece of text a message shows: content, and each embed's every text field."""
    if payload.get("content"):
        yield payload["content"]
    for embed in payload.get("embeds") or []:
        for key in ("title", "description", "url"):
            if embed.get(key):
                yield embed[key]
        for fld in embed.get("fields") or []:
            yield fld.get("name") or ""
            yield fld.get("value") or ""
        for key in ("footer", "author"):
            part = embed.get(key) or {}
            if part.get("text") or part.get("name"):
                yield part.get("text") or part.get("name")
    for row in payload.get("components") or []:
        for component in row.get("components") or []:
            if component.get("label"):
                yield component["label"]


def assert_within_limits(payload: Mapping[str, Any]) -> None:
    content = payload.get("content") or ""
    assert len(content) <= 2000, len(content)
    embeds = payload.get("embeds") or []
    assert len(embeds) <= 10
    total = 0
    for embed in embeds:
        title, description = embed.get("title") or "", embed.get("description") or ""
        assert len(title) <= 256 and len(description) <= 4096, (len(title), len(description))
        fields = embed.get("fields") or []
        assert len(fields) <= 25
        for fld in fields:
            assert len(fld["name"]) <= 256 and len(fld["value"]) <= 1024, fld
            assert fld["name"].strip() and fld["value"].strip(), fld  # Discord rejects blank fields
        footer = (embed.get("footer") or {}).get("text") or ""
        assert len(footer) <= 2048
        total += len(title) + len(description) + len(footer)
        total += sum(len(f["name"]) + len(f["value"]) for f in fields)
    assert total <= 6000, total
    assert content.strip() or embeds or payload.get("components") is not None or payload.get("flags"), payload


def assert_harmless_text(payload: Mapping[str, Any]) -> None:
    for text in texts(payload):
        found = MENTION_SYNTAX.search(text)
        assert found is None, f"mention syntax {found.group()!r} survived in {text[:300]!r}"
        assert EVIL_MASKED_LINK.search(text) is None, f"a masked link to the hostile host in {text[:300]!r}"
    # Invite links may be quoted inside embeds (which never unfurl them), never in plain content.
    assert not INVITE.search(payload.get("content") or ""), payload.get("content")


def assert_safe_rendered(messages: list[Rendered]) -> None:
    assert messages, "nothing rendered"
    for message in messages:
        payload = payload_of(message)
        assert_within_limits(payload)
        assert_harmless_text(payload)


def assert_every_send_safe(fake: FakeDiscord) -> int:
    """Every message the bot wrote (or tried to write): pings nobody, harmless, within limits.

    Returns how many writes were checked."""
    writes = fake.message_writes(ok_only=False)
    for record in writes:
        assert pings_nobody(record), f"{record!r} could ping: {record.json!r}"
        payload = record.message_payload or {}
        assert_harmless_text(payload)
        assert_within_limits(payload)
    rejected = [r for r in fake.requests if r.status is not None and r.status >= 400 and not r.injected]
    assert not rejected, [(r, r.response) for r in rejected]
    return len(writes)


def deadline_errors(fake: FakeDiscord) -> list[RecordedRequest]:
    """Interaction callbacks Discord would refuse as too late (404/10062 Unknown interaction)."""
    return [
        r for r in fake.requests if r.status == 404 and isinstance(r.response, dict) and r.response.get("code") == 10062
    ]


# -- time bounds --------------------------------------------------------------------------------------


@dataclass
class Timing:
    cpu: float
    wall: float


def timed(func: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, Timing]:
    wall, cpu = time.perf_counter(), time.thread_time()
    result = func(*args, **kwargs)
    return result, Timing(time.thread_time() - cpu, time.perf_counter() - wall)


def bounded(func: Callable[..., T], *args: Any, cpu: float = ENGINE_CPU_BOUND, **kwargs: Any) -> T:
    """``func(*args)``, failing if it took more than ``cpu`` seconds of this thread's CPU time."""
    result, timing = timed(func, *args, **kwargs)
    name = getattr(func, "__qualname__", repr(func))
    assert timing.cpu <= cpu, f"{name} took {timing.cpu:.2f} s of CPU (bound {cpu} s)"
    assert timing.wall <= ENGINE_WALL_BOUND, f"{name} took {timing.wall:.2f} s (bound {ENGINE_WALL_BOUND} s)"
    return result


# -- the event loop -----------------------------------------------------------------------------------


class GcPauses:
    """Total time spent in the cyclic garbage collector (any thread), via ``gc.callbacks``."""

    def __init__(self) -> None:
        self.total = 0.0
        self.longest = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            pause = time.perf_counter() - self._started
            self.total += pause
            self.longest = max(self.longest, pause)


@dataclass
class LoopWatch:
    """A task that sleeps 10 ms at a time and records the longest extra wait: how long the event
    loop was kept from running anything else.

    ``max_stall`` is that wall-clock wait. Two causes are not the bot's code and are kept apart:
    the OS descheduling the whole process (other jobs on the same two cores), so a gap counts only
    as far as this process was running during it (its CPU time, all threads: a loop blocked by its
    own work, or by a worker thread holding the GIL, counts in full); and the cyclic garbage
    collector, whose pauses grow with the heap (the corpus) and are reported as ``max_gc_pause``.
    ``max_own_stall`` is what is left: the bot's own blocking work."""

    interval: float = 0.010
    max_stall: float = 0.0
    max_own_stall: float = 0.0
    ticks: int = 0
    gc: GcPauses = field(default_factory=GcPauses)
    _task: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def max_gc_pause(self) -> float:
        return self.gc.longest

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        last, last_cpu, last_gc = loop.time(), time.process_time(), self.gc.total
        while True:
            await asyncio.sleep(self.interval)
            now, cpu, in_gc = loop.time(), time.process_time(), self.gc.total
            stall = now - last - self.interval
            self.max_stall = max(self.max_stall, stall)
            self.max_own_stall = max(self.max_own_stall, min(stall, cpu - last_cpu) - (in_gc - last_gc))
            self.ticks += 1
            last, last_cpu, last_gc = now, cpu, in_gc

    async def __aenter__(self) -> LoopWatch:
        gc.callbacks.append(self.gc)
        self._task = asyncio.get_running_loop().create_task(self._tick(), name="loop-watch")
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        gc.callbacks.remove(self.gc)

    def describe(self) -> str:
        return (
            f"max loop stall {self.max_own_stall * 1000:.0f} ms ({self.max_stall * 1000:.0f} ms wall, "
            f"longest GC pause {self.max_gc_pause * 1000:.0f} ms)"
        )

    def check(self, bound: float = LOOP_STALL_BOUND) -> None:
        assert self.ticks > 0
        assert self.max_own_stall < bound, f"the event loop stalled: {self.describe()}"


# -- files ----------------------------------------------------------------------------------------------


def temporaries(folder: Path) -> list[Path]:
    """Files a crash or an unfinished write could leave: atomic-write temporaries, SQLite journals."""
    found = [p for p in folder.rglob(".tmp-*")]
    found += [p for p in folder.rglob("*-journal")]
    return sorted(found)


def integrity(database: Path) -> str:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


# -- the bot under test ------------------------------------------------------------------------------


@pytest.fixture
def settings(tmp_path: Path, corpus_copy: Path) -> Settings:
    return make_settings(tmp_path / "state", corpus_copy)


@pytest.fixture
async def bot(fake_discord: FakeDiscord, settings: Settings, seed_engine: Engine) -> AsyncIterator[PolicyBot]:
    """The real client against the fake Discord, with a cooldown no burst here reaches: these tests
    send many questions from one member on purpose (the cooldown itself is test_load's)."""
    async with running_bot(fake_discord, settings, seed_engine, cooldown=Cooldown(100_000, 1.0)) as client:
        yield client


# -- python -m bot run, as its own process ------------------------------------------------------------
