"""/figures and its topic autocomplete, end to end through the fake Discord."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bot.adapter import render, render_figures
from bot.adapter.client import PolicyBot
from bot.adapter.cogs.figures import FiguresCog, figures_messages
from bot.adapter.cogs.info import EXAMPLES
from bot.adapter.cooldown import Cooldown
from bot.config import Settings
from bot.engine.engine import Engine
from bot.engine.figures.index import FigureIndex
from tests.adapter.conftest import (
    EPHEMERAL,
    SEED_TITLE,
    SEED_VERSION,
    all_text,
    callback,
    final_message,
    running_bot,
)
from tests.conftest import SEEDS
from tests.fake_discord import FakeDiscord, FakeInteraction

STRING, BOOLEAN = 3, 5
AUTOCOMPLETE_RESULT = 8
RAW_MENTIONS = re.compile(r"[@＠](everyone|here)|<@[!&]?\d|<#\d")
MASKED_EVIL_LINK = re.compile(r"(?<!\\)\[[^\[\]]*(?<!\\)\]\(https://evil")


# -- limits --------------------------------------------------------------------------------------


def assert_within_limits(payload: dict[str, Any]) -> None:
    """A message as Discord counts it: content, every embed part, and the embeds' total."""
    assert render.measure(payload.get("content") or "") <= render.CONTENT_LIMIT
    embeds = payload.get("embeds") or []
    assert len(embeds) <= render.EMBEDS_PER_MESSAGE
    total = 0
    for embed in embeds:
        sizes = {
            "title": (render.measure(embed.get("title") or ""), render.TITLE_LIMIT),
            "description": (render.measure(embed.get("description") or ""), render.DESCRIPTION_LIMIT),
            "footer": (render.measure((embed.get("footer") or {}).get("text") or ""), render.FOOTER_LIMIT),
        }
        for part, (size, limit) in sizes.items():
            assert size <= limit, (part, size)
            total += size
        fields = embed.get("fields") or []
        assert len(fields) <= render.FIELDS_PER_EMBED
        for field in fields:
            assert 0 < render.measure(field["name"]) <= render.FIELD_NAME_LIMIT
            assert 0 < render.measure(field["value"]) <= render.FIELD_VALUE_LIMIT
            total += render.measure(field["name"]) + render.measure(field["value"])
    assert total <= render.EMBEDS_TOTAL_LIMIT


def assert_every_write_fits(fake: FakeDiscord) -> None:
    writes = fake.message_writes(ok_only=False)
    assert writes
    for record in writes:
        assert record.ok, record
        if record.message_payload is not None:
            assert_within_limits(record.message_payload)


def field(payload: dict[str, Any], name: str) -> str:
    return next(f["value"] for e in payload["embeds"] for f in e.get("fields") or [] if f["name"] == name)


# -- registration --------------------------------------------------------------------------------


async def test_figures_is_synced_with_its_options_and_descriptions(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    command = next(c for c in fake_discord.global_commands if c["name"] == "figures")
    assert command["description"].startswith("The figures the documents give on a topic")
    topic, private = command["options"]
    assert (topic["name"], topic["type"], topic.get("required", False), topic["autocomplete"]) == (
        "topic", STRING, False, True,
    )  # fmt: skip
    assert topic["max_length"] == 500 and topic["description"].startswith("What the figures are about")
    assert (private["name"], private["type"], private.get("required", False)) == ("private", BOOLEAN, False)
    assert private["description"].startswith("Only you see the answer")
    assert "figures" in EXAMPLES and EXAMPLES["figures"][0].startswith("/figures topic:")


# -- answers -------------------------------------------------------------------------------------


async def test_figures_on_a_topic_shows_each_value_with_its_sentence_and_source(
    fake_discord: FakeDiscord, bot: PolicyBot
) -> None:
    interaction = await fake_discord.send_slash_command("figures", {"topic": "salary threshold"})
    assert (await callback(fake_discord, interaction)).callback_type == 5  # deferred: engine work off the loop
    payload = await final_message(fake_discord, interaction)
    assert not int(payload.get("flags", 0)) & EPHEMERAL
    (embed,) = payload["embeds"]
    assert embed["title"] == "Figures: salary threshold"
    first = embed["fields"][0]
    assert first["name"] == "salary threshold"
    values, *sentences = first["value"].split("\n")
    # The revision side by side: every value of the measure in bold, with its role and citation marker.
    # The order is the ranking's business (tests/engine); each marker must lead to its own sentence.
    assert values.startswith("**") and "**£40,000**" in values  # the proposal's value is shown with the others
    marker = {
        text: re.search(re.escape(text) + r" \[(\d)\]", values).group(1)  # type: ignore[union-attr]
        for text in (
            "**more than £38,000 a year** (new value; salary threshold for a work visa)",
            "**£38,700** (new value; salary threshold for a work visa)",
        )
    }
    rise, raised = marker.values()
    assert f"[{rise}] “The salary threshold for a work visa will rise by £12,500 to more than **£38,000 a year**.”" in (
        sentences
    )
    assert f"[{raised}] “Raising the salary threshold for a work visa to **£38,700** is expected to slash a further " \
        "50,000 a year from the net total.”" in sentences  # fmt: skip
    sources = field(payload, "Sources")
    assert sources.startswith("[1] ¶") and SEED_TITLE in sources
    assert f"[{rise}] ¶58" in sources and f"[{raised}] ¶67" in sources
    assert embed["footer"]["text"].startswith(f"corpus {SEED_VERSION} · ")
    assert_every_write_fits(fake_discord)


async def test_private_figures_are_ephemeral(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    interaction = await fake_discord.send_slash_command("figures", {"topic": "net migration", "private": True})
    payload = await final_message(fake_discord, interaction)
    assert (await callback(fake_discord, interaction)).json["data"]["flags"] & EPHEMERAL
    assert "**745,000**" in all_text(payload)


async def test_without_a_topic_an_overview_by_document(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    interaction = await fake_discord.send_slash_command("figures")
    payload = await final_message(fake_discord, interaction)
    (embed,) = payload["embeds"]
    assert embed["title"] == "Key figures in the documents"
    document = embed["fields"][0]
    assert document["name"] == SEED_TITLE
    # The extra payment is not the scheme's cost; the threshold is one measure, its change beside it.
    assert document["value"].startswith(
        "original scheme: **£140million** [1]\npayment for the scheme: **£15million** [2]\n"
        "salary threshold: **£12,500** (change)"
    )
    assert "**£38,700** (new value) [" in document["value"]
    assert "[1] ¶4 · [2] ¶50" in field(payload, "Sources")
    assert embed["footer"]["text"] == f"corpus {SEED_VERSION} · key figures of 1 document"


async def test_no_match_says_so_plainly(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    interaction = await fake_discord.send_slash_command("figures", {"topic": "unicorn horns"})
    payload = await final_message(fake_discord, interaction)
    (embed,) = payload["embeds"]
    assert embed["title"] == "No figures found"
    assert embed["description"].startswith("No figures in the documents match “unicorn horns”.")
    assert embed["footer"]["text"] == f"corpus {SEED_VERSION} · no match"


async def test_lookup_runs_off_the_event_loop(
    fake_discord: FakeDiscord, bot: PolicyBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []
    lookup = FigureIndex.lookup

    def recording(self: FigureIndex, topic: str, limit: int = 5) -> list:
        threads.append(threading.current_thread())
        return lookup(self, topic, limit)

    monkeypatch.setattr(FigureIndex, "lookup", recording)
    interaction = await fake_discord.send_slash_command("figures", {"topic": "salary threshold"})
    await final_message(fake_discord, interaction)
    assert threads and all(t is not threading.main_thread() for t in threads)


async def test_an_error_gets_a_private_reply_with_a_reference(
    fake_discord: FakeDiscord, bot: PolicyBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: FigureIndex, topic: str, limit: int = 5) -> list:
        raise RuntimeError("figures broke")

    monkeypatch.setattr(FigureIndex, "lookup", broken)
    interaction = await fake_discord.send_slash_command("figures", {"topic": "salary threshold"})
    responses = [await fake_discord.wait_for_response(interaction, count=n) for n in (1, 2, 3)]
    assert responses[1].method == "DELETE"  # the public "thinking…" message is removed, not filled
    payload = responses[2].message_payload
    assert payload is not None and payload["flags"] & EPHEMERAL
    assert payload["content"].startswith("Sorry, something went wrong") and "Reference: `E-" in payload["content"]


async def test_figures_share_the_cooldown_of_ask(
    fake_discord: FakeDiscord, settings: Settings, seed_engine: Engine
) -> None:
    async with running_bot(fake_discord, settings, seed_engine, cooldown=Cooldown(1, 60)):
        await final_message(fake_discord, await fake_discord.send_slash_command("ask", {"question": "net migration?"}))
        refused = await fake_discord.send_slash_command("figures", {"topic": "salary threshold"})
        record = await callback(fake_discord, refused)
        assert record.callback_type == 4 and record.json["data"]["flags"] & EPHEMERAL
        assert "You're asking quickly" in record.json["data"]["content"]


# -- autocomplete --------------------------------------------------------------------------------


async def _autocomplete(fake: FakeDiscord, typed: str) -> tuple[list[dict[str, Any]], float]:
    started = time.perf_counter()
    interaction = await fake.send_autocomplete("figures", {"topic": typed}, focused="topic")
    record = await fake.wait_for_response(interaction)
    elapsed = time.perf_counter() - started
    assert record.callback_type == AUTOCOMPLETE_RESULT
    return record.json["data"]["choices"], elapsed


@pytest.mark.parametrize("typed", ["", "sal", "x" * 10_000, "@everyone", "<@&123> salary"])
async def test_autocomplete_offers_labels_within_discords_limits(
    fake_discord: FakeDiscord, bot: PolicyBot, typed: str
) -> None:
    choices, elapsed = await _autocomplete(fake_discord, typed)
    assert len(choices) <= 25
    for choice in choices:
        assert 1 <= len(choice["name"]) <= 100 and 1 <= len(choice["value"]) <= 100
    assert elapsed < 1.0  # a round trip through the fake; the handler itself is timed below
    if typed == "":
        assert len(choices) == 22 and choices[0]["value"] == "net migration"  # the corpus's labels
    if typed == "sal":
        assert [c["value"] for c in choices] == [
            "salary discount for sectors", "salary threshold", "salary threshold for a work visa",
        ]  # fmt: skip


async def test_autocomplete_is_fast_on_the_event_loop(bot: PolicyBot) -> None:
    cog = bot.get_cog("FiguresCog")
    assert isinstance(cog, FiguresCog)
    for typed in ("", "s", "salary threshold for", "x" * 10_000, "é" * 10_000):
        started = time.perf_counter()
        choices = await cog.topic_autocomplete(None, typed)  # type: ignore[arg-type]
        assert time.perf_counter() - started < 0.05, typed
        assert len(choices) <= 25


async def test_autocomplete_offers_nothing_while_the_figures_are_indexed(bot: PolicyBot) -> None:
    cog = bot.get_cog("FiguresCog")
    assert isinstance(cog, FiguresCog)
    cold = Engine.from_folder(SEEDS, semantic=False)  # figures not built yet
    serving = bot.engines.engine
    bot.engines._engine = cold
    try:
        with cold._figures_lock:  # as while the warm-up thread builds them
            started = time.perf_counter()
            assert await cog.topic_autocomplete(None, "salary") == []  # type: ignore[arg-type]
            assert time.perf_counter() - started < 0.05
        assert cold.figures_ready is False
        messages = await asyncio.to_thread(figures_messages, cold, "salary threshold")  # /figures waits, then answers
        assert messages and cold.figures_ready
        assert await cog.topic_autocomplete(None, "salary")  # type: ignore[arg-type]
    finally:
        bot.engines._engine = serving


async def test_autocomplete_never_raises(
    fake_discord: FakeDiscord, bot: PolicyBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(self: FigureIndex, prefix: str, limit: int = 25) -> list[str]:
        raise RuntimeError("completion broke")

    monkeypatch.setattr(FigureIndex, "complete", broken)
    caplog.set_level(logging.ERROR, logger="bot.adapter.cogs.figures")
    choices, _ = await _autocomplete(fake_discord, "sal")
    assert choices == []
    assert "figures autocomplete failed" in caplog.text


async def test_autocomplete_cuts_long_labels_to_100_characters(
    fake_discord: FakeDiscord, bot: PolicyBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    labels = ["@everyone " + "very long label " * 20, "<@&123> levy", "same " * 30, "same " * 31, "𝔘" * 120]
    monkeypatch.setattr(FigureIndex, "complete", lambda self, prefix, limit=25: labels)
    choices, _ = await _autocomplete(fake_discord, "")
    assert len(choices) == 4  # two labels the same once cut: offered once
    for choice in choices:
        assert render.measure(choice["name"]) <= 100 and render.measure(choice["value"]) <= 100
        assert not RAW_MENTIONS.search(choice["name"])


# -- hostile corpus text -------------------------------------------------------------------------

HOSTILE_DOCUMENT = """---
title: "Levy notice to @everyone [click](https://evil.example/)"
source: "＠here desk"
url: "https://example.org/levy"
date: 2024-01-05
---
Council notice.

The council told @everyone that the garden waste levy will rise to £40 a year, ask <@&123> or <@456> \
for *details* [here](https://evil.example/).

The garden waste levy was £35 a year before, said @here staff.
"""


@pytest.fixture(scope="module")
def hostile_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder = tmp_path_factory.mktemp("hostile_figures")
    (folder / "levy.md").write_text(HOSTILE_DOCUMENT, encoding="utf-8")
    return Engine.from_folder(folder)


async def test_mentions_in_the_corpus_ping_nobody(
    fake_discord: FakeDiscord, settings: Settings, hostile_engine: Engine
) -> None:
    async with running_bot(fake_discord, settings, hostile_engine):
        for options in ({"topic": "garden waste levy"}, {}):
            interaction = await fake_discord.send_slash_command("figures", options)
            payload = await final_message(fake_discord, interaction)
            shown = all_text(payload)
            assert "**£40 a year**" in shown and "**£35 a year**" in shown
            assert not RAW_MENTIONS.search(shown), shown
            assert "@\u200beveryone" in shown and not MASKED_EVIL_LINK.search(shown)
            if options:  # the sentences (the overview shows values only)
                assert "\\<@&\u200b123>" in shown and "\\*details\\*" in shown and "@\u200bhere staff" in shown
        choices, _ = await _autocomplete(fake_discord, "")
        assert choices and all(not RAW_MENTIONS.search(c["name"]) for c in choices)
    assert_every_write_fits(fake_discord)  # running_bot has checked that every write pings nobody


# -- a large corpus: everything still fits -------------------------------------------------------


def _large_corpus(folder: Path) -> Path:
    folder.mkdir()
    filler = "according to the council's published estimates for the coming financial year " * 6
    for n in range(14):
        paragraphs = [f"# Budget paper {n:02} with a rather long title about the levy and the housing programme"]
        for k in range(12):
            paragraphs.append(
                f"The housing levy for area {k} will rise from £{100 + k},000 to £{120 + k},500 a year, {filler}"
                f"while the levy share reaches {10 + k} per cent of the budget and {k + 2},000 homes are planned."
            )
        (folder / f"paper{n:02}.md").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return folder


async def test_long_results_are_split_within_limits(
    fake_discord: FakeDiscord, settings: Settings, tmp_path: Path
) -> None:
    engine = Engine.from_folder(_large_corpus(tmp_path / "large"))
    async with running_bot(fake_discord, settings, engine):
        for options in ({"topic": "housing levy"}, {}):
            interaction = await fake_discord.send_slash_command("figures", options)
            shown = await _every_message(fake_discord, interaction)
        assert len(shown) > 1, "the overview of 14 long documents takes more than one message"
        assert "…and 4 more documents" in "\n".join(shown)
    assert_every_write_fits(fake_discord)


async def _every_message(fake_discord: FakeDiscord, interaction: FakeInteraction) -> list[str]:
    """The texts of every follow-up to ``interaction``, up to the one that ends with the sources."""
    shown: list[str] = []
    count = 2  # the first response is the defer
    while not any("Sources" in text for text in shown):
        record = await fake_discord.wait_for_response(interaction, count=count)
        if record.message_payload:
            shown.append(all_text(record.message_payload))
        count += 1
    return shown


# -- the pure pieces -----------------------------------------------------------------------------


@pytest.mark.parametrize("position", ["start", "middle", "end"])
def test_a_long_sentence_is_shown_around_its_figure(position: str) -> None:
    words = ["word"] * 400
    index = {"start": 1, "middle": 200, "end": 398}[position]
    words[index] = "£38,700"
    sentence = " ".join(words)
    start = sentence.index("£38,700")
    shown = render_figures.excerpt(sentence, start, start + len("£38,700"))
    assert "£38,700" in shown and len(shown) <= render_figures.FIGURE_SENTENCE_CHARS + 2
    assert shown.startswith(render.ELLIPSIS) == (position != "start")
    assert shown.endswith(render.ELLIPSIS) == (position != "end")
    assert shown.strip(render.ELLIPSIS) in sentence  # verbatim, only cut


def test_choices_are_at_most_25_distinct_and_short() -> None:
    labels = [f"label {n} " + "x" * n * 5 for n in range(40)] + ["label 0 "]
    pairs = render_figures.choices(labels)
    assert len(pairs) == 25 and len({value for _, value in pairs}) == 25
    assert all(1 <= len(name) <= 100 and 1 <= len(value) <= 100 for name, value in pairs)
    assert render_figures.choices(["", "  ", "\n"]) == []
