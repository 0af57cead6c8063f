"""Running the real bot (discord.py, real client) against the fake Discord, in the test's event loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.adapter.client import PolicyBot
from bot.adapter.cooldown import Cooldown
from bot.adapter.engine_host import EngineHost
from bot.config import Settings
from bot.engine.engine import Engine
from bot.storage import Storage
from tests.fake_discord import FakeDiscord, FakeInteraction, RecordedRequest, connected, pings_nobody

SALARY_QUESTION = "what is the new salary threshold for a work visa?"
UNLAWFUL_QUESTION = "why was the scheme ruled unlawful?"
UNANSWERABLE_QUESTION = "what is the capital of France?"
SEED_VERSION = "70040e7bd054"
SEED_TITLE = "Cleverly signs new Rwanda treaty as Government unveils legal migration clampdown"
EPHEMERAL = 1 << 6


def make_settings(state_dir: Path, corpus_dir: Path, **overrides: Any) -> Settings:
    return Settings(_env_file=None, state_dir=state_dir, corpus_dir=corpus_dir, **overrides)  # type: ignore[call-arg]


@pytest.fixture
def settings(tmp_path: Path, corpus_copy: Path) -> Settings:
    return make_settings(tmp_path / "state", corpus_copy)


@contextlib.asynccontextmanager
async def running_bot(
    fake: FakeDiscord, settings: Settings, engine: Engine, *, cooldown: Cooldown | None = None
) -> AsyncIterator[PolicyBot]:
    """A connected bot; afterwards, checks that nothing it sent could ping anyone."""
    storage = await Storage.open(settings.database_path)
    try:
        engines = EngineHost(engine, sentences=settings.answer_sentences)
        if engines.warming is not None:  # tests start on a warm bot, as users meet one seconds after a start
            await asyncio.to_thread(engines.warming.join)
        bot = PolicyBot(settings=settings, engines=engines, storage=storage, cooldown=cooldown)
        async with connected(bot, fake):
            yield bot
    finally:
        await storage.close()
    assert_pings_nobody(fake)


@pytest.fixture
async def bot(fake_discord: FakeDiscord, settings: Settings, seed_engine: Engine) -> AsyncIterator[PolicyBot]:
    async with running_bot(fake_discord, settings, seed_engine) as client:
        yield client


# -- reading what the bot sent -------------------------------------------------------------------


def assert_pings_nobody(fake: FakeDiscord) -> None:
    for record in fake.message_writes(ok_only=False):
        assert pings_nobody(record), f"{record!r} could ping: {record.json!r}"


async def final_message(fake: FakeDiscord, interaction: FakeInteraction, count: int = 2) -> dict[str, Any]:
    """The message payload of the ``count``-th response to ``interaction`` (2: the follow-up after a defer)."""
    record = await fake.wait_for_response(interaction, count=count)
    payload = record.message_payload
    assert payload is not None, record
    return payload


def texts(payload: dict[str, Any]) -> Iterator[str]:
    """Every piece of text a message shows: content, and each embed's title, description, fields, footer."""
    if payload.get("content"):
        yield payload["content"]
    for embed in payload.get("embeds") or []:
        for key in ("title", "description"):
            if embed.get(key):
                yield embed[key]
        for field in embed.get("fields") or []:
            yield field["name"]
            yield field["value"]
        if (embed.get("footer") or {}).get("text"):
            yield embed["footer"]["text"]


def all_text(payload: dict[str, Any]) -> str:
    return "\n".join(texts(payload))


def custom_ids(payload: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in payload.get("components") or [] for c in row.get("components") or []]


async def callback(fake: FakeDiscord, interaction: FakeInteraction) -> RecordedRequest:
    """The interaction's callback (its first response)."""
    record = await fake.wait_for_response(interaction)
    assert record.callback_type is not None, record
    return record
