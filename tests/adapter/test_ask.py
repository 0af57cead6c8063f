"""/ask and mentions, end to end through the fake Discord."""

from __future__ import annotations

import logging
import re

import pytest

from bot.adapter.client import PolicyBot
from bot.adapter.cooldown import Cooldown
from bot.config import Settings
from bot.engine.engine import Engine
from bot.engine.models import Answer
from tests.adapter.conftest import (
    EPHEMERAL,
    SALARY_QUESTION,
    SEED_TITLE,
    SEED_VERSION,
    UNANSWERABLE_QUESTION,
    UNLAWFUL_QUESTION,
    all_text,
    callback,
    custom_ids,
    final_message,
    running_bot,
)
from tests.conftest import SEEDS
from tests.fake_discord import FakeDiscord


async def test_ask_answers_with_cited_sentences(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    interaction = await fake_discord.send_slash_command("ask", {"question": SALARY_QUESTION})
    assert (await callback(fake_discord, interaction)).callback_type == 5  # deferred first: never the 3-second timeout
    payload = await final_message(fake_discord, interaction)
    (embed,) = payload["embeds"]
    assert embed["title"] == SALARY_QUESTION
    lines = embed["description"].split("\n\n")
    assert lines[0] == (
        "“The **salary threshold** for a **work visa** will rise by £12,500 to more than £38,000 a year.” [1]"
    )
    # Which further sentences are shown is the engine's choice; the rendering numbers and cites each.
    shown = bot.engines.engine.ask(SALARY_QUESTION).sentences
    assert [line[-3:] for line in lines] == [f"[{i}]" for i in range(1, len(shown) + 1)]
    (sources,) = embed["fields"]
    assert sources["name"] == "Sources"
    paragraphs = " · ".join(f"[{i}] ¶{s.citation.paragraph}" for i, s in enumerate(shown, start=1))
    assert sources["value"] == (
        f"{paragraphs} — {SEED_TITLE} · Daily Mail (David Barrett and Jason Groves) · 2023-12-05"
    )
    assert sources["value"].startswith("[1] ¶58")
    # Readable first (how recent, how many documents); the version last, for tracing.
    count = f"{len(shown)} sentence" + ("s" if len(shown) > 1 else "")
    assert embed["footer"]["text"] == f"documents as of 5 Dec 2023 · 1 document · {count} · corpus {SEED_VERSION}"
    instance = bot.storage.instance
    assert custom_ids(payload) == [f"pb:{action}:{instance}:1" for action in ("cite", "more", "up", "down")]
    assert not int(payload.get("flags", 0)) & EPHEMERAL


async def test_private_answer_is_ephemeral(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    interaction = await fake_discord.send_slash_command("ask", {"question": SALARY_QUESTION, "private": True})
    await final_message(fake_discord, interaction)
    assert (await callback(fake_discord, interaction)).json["data"]["flags"] & EPHEMERAL
    stored = fake_discord.messages.get(interaction.original_message_id or 0)
    assert stored is not None and stored["flags"] & EPHEMERAL and stored["embeds"][0]["title"] == SALARY_QUESTION


async def test_mention_gets_a_reply_rendered_the_same_way(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    asked = await fake_discord.send_message(f"<@!{fake_discord.bot_user.id}> {UNLAWFUL_QUESTION}")
    record = await fake_discord.wait_for_request(method="POST", path="/channels/*/messages")
    payload = record.json
    assert payload["message_reference"]["message_id"] in (asked["id"], int(asked["id"]))
    assert payload["allowed_mentions"].get("replied_user") is False
    (embed,) = payload["embeds"]
    assert embed["title"] == UNLAWFUL_QUESTION  # the mention is stripped from the question
    assert "judges said the **scheme** was **unlawful**" in embed["description"]
    assert "¶44" in embed["fields"][0]["value"] and SEED_TITLE in embed["fields"][0]["value"]
    assert custom_ids(payload)[0] == f"pb:cite:{bot.storage.instance}:1"


async def test_bot_messages_are_ignored_and_a_bare_mention_gets_help(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    other_bot = fake_discord.add_member("otherbot")
    other_bot.user.bot = True
    await fake_discord.send_message(f"<@{fake_discord.bot_user.id}> {SALARY_QUESTION}", author=other_bot)
    await fake_discord.send_message(f"<@{fake_discord.bot_user.id}> {SALARY_QUESTION}", author=fake_discord.bot_user)
    await fake_discord.send_message(f"{SALARY_QUESTION} (no mention)")
    await fake_discord.send_message(f"<@{fake_discord.bot_user.id}>")
    record = await fake_discord.wait_for_request(method="POST", path="/channels/*/messages")
    assert "mentioning me with a question" in record.json["content"] and "/ask" in record.json["content"]
    # Events are handled in order, so by the help reply the three earlier messages were all seen.
    assert len(fake_discord.find_requests("POST", "/channels/*/messages")) == 1


async def test_unanswerable_question_says_so_and_lists_closest_passages(
    fake_discord: FakeDiscord, bot: PolicyBot
) -> None:
    interaction = await fake_discord.send_slash_command("ask", {"question": UNANSWERABLE_QUESTION})
    payload = await final_message(fake_discord, interaction)
    (embed,) = payload["embeds"]
    assert embed["title"] == "Not answered by the documents"
    assert embed["description"].startswith("The documents do not answer this question.")
    assert f"You asked: “{UNANSWERABLE_QUESTION}”" in embed["description"]
    assert "**Closest passages — not a direct answer:**" in embed["description"]
    assert "[1] “The visit is part of a series of engagements" in embed["description"]
    assert "¶31" in embed["fields"][0]["value"]
    assert embed["footer"]["text"] == f"documents as of 5 Dec 2023 · 1 document · not answered · corpus {SEED_VERSION}"
    assert custom_ids(payload) == [f"pb:cite:{bot.storage.instance}:1"]  # its passages, but no "More" nor votes
    (gap,) = await bot.storage.unanswered()
    assert (gap.question, gap.user_id, gap.corpus_version) == (
        UNANSWERABLE_QUESTION, fake_discord.world.alice.id, SEED_VERSION,
    )  # fmt: skip
    assert gap.guild_id == fake_discord.guild_id and gap.asked_at > 0


HOSTILE_DOCUMENT = """---
title: "Notice to @everyone and <@&123> [click](https://evil.example/)"
source: "＠here desk"
url: "https://example.org/levy_(2024)"
date: 2024-01-05
---
Council notice.

The council told @everyone that the garden waste levy will rise to £40 a year, ask <@&123> or ＠here \
or <@456> or <#789> for *details* `now` [here](https://evil.example/).
"""


@pytest.fixture(scope="module")
def hostile_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "levy.md").write_text(HOSTILE_DOCUMENT, encoding="utf-8")
    return Engine.from_folder(folder)


RAW_MENTIONS = re.compile(r"[@＠](everyone|here)|<@[!&]?\d|<#\d")
MASKED_EVIL_LINK = re.compile(r"(?<!\\)\[[^\[\]]*(?<!\\)\]\(https://evil")


async def test_hostile_question_and_document_ping_nobody(
    fake_discord: FakeDiscord, settings: Settings, hostile_engine: Engine
) -> None:
    question = "@everyone <@&123> ＠here <@456> how much will the garden waste levy rise to?"
    async with running_bot(fake_discord, settings, hostile_engine):
        interaction = await fake_discord.send_slash_command("ask", {"question": question})
        slash = await final_message(fake_discord, interaction)
        await fake_discord.send_message(f"<@{fake_discord.bot_user.id}> {question}", mentions=[fake_discord.bot_user])
        mention = (await fake_discord.wait_for_request(method="POST", path="/channels/*/messages")).json
        for payload in (slash, mention):
            assert payload["embeds"][0]["title"] != "Not answered by the documents", payload
            shown = all_text(payload)
            assert not RAW_MENTIONS.search(shown), shown
            assert "@\u200beveryone" in shown and "＠\u200bhere" in shown and "<@&\u200b123>" in shown
            assert not MASKED_EVIL_LINK.search(shown) and "\\[click\\](https://evil.example/)" in shown
            assert "[Notice to" not in shown  # a title with brackets is not made a (broken) masked link
            assert "\\*details\\*" in shown and "\\`now\\`" in shown
        # running_bot checks pings_nobody on every recorded write when the bot stops


async def test_exception_in_a_command_gets_a_private_reply_with_a_reference(
    fake_discord: FakeDiscord, settings: Settings, seed_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    class BrokenEngine(Engine):
        def ask(self, question: str, max_sentences: int = 3) -> Answer:
            raise RuntimeError("the index is on fire")

    caplog.set_level(logging.ERROR, logger="bot.adapter.errors")
    async with running_bot(fake_discord, settings, BrokenEngine(seed_engine.documents)):
        interaction = await fake_discord.send_slash_command("ask", {"question": SALARY_QUESTION})
        payload = await final_message(fake_discord, interaction, count=3)
        methods = [r.method for r in fake_discord.responses_for(interaction)]
        assert methods == ["POST", "DELETE", "POST"]  # defer, remove the public "thinking…", private note
        assert payload["flags"] & EPHEMERAL
        reference = re.search(r"Reference: `(E-[0-9A-F]{8})`", payload["content"])
        assert reference, payload
        (record,) = [r for r in caplog.records if reference.group(1) in r.getMessage()]
        assert record.exc_info and "the index is on fire" in str(record.exc_info[1])
        assert "/ask" in record.getMessage()
        public = [m for m in fake_discord.messages_in() if not m["flags"] & EPHEMERAL]
        assert public == []  # nothing of the failure is left in the channel


async def test_exception_in_a_private_ask_is_also_private(
    fake_discord: FakeDiscord, settings: Settings, seed_engine: Engine
) -> None:
    class BrokenEngine(Engine):
        def ask(self, question: str, max_sentences: int = 3) -> Answer:
            raise RuntimeError("boom")

    async with running_bot(fake_discord, settings, BrokenEngine(seed_engine.documents)):
        interaction = await fake_discord.send_slash_command("ask", {"question": SALARY_QUESTION, "private": True})
        payload = await final_message(fake_discord, interaction)  # fills the private "thinking…"
        assert "Reference: `E-" in payload["content"]
        assert [r.method for r in fake_discord.responses_for(interaction)] == ["POST", "POST"]


async def test_cooldown_answers_privately_with_when_to_retry(
    fake_discord: FakeDiscord, settings: Settings, seed_engine: Engine
) -> None:
    clock = [1000.0]
    cooldown = Cooldown(2, 30.0, clock=lambda: clock[0])
    async with running_bot(fake_discord, settings, seed_engine, cooldown=cooldown):
        for _ in range(2):
            ok = await fake_discord.send_slash_command("ask", {"question": SALARY_QUESTION})
            await final_message(fake_discord, ok)
        limited = await fake_discord.send_slash_command("ask", {"question": SALARY_QUESTION})
        record = await fake_discord.wait_for_response(limited)
        assert record.callback_type == 4 and record.json["data"]["flags"] & EPHEMERAL
        content = record.json["data"]["content"]
        assert "you can ask again <t:" in content and ":R>" in content and "30 seconds" in content

        # By mention: told once per window (publicly, so only once), then ignored.
        mention = f"<@{fake_discord.bot_user.id}> {SALARY_QUESTION}"
        await fake_discord.send_message(mention)
        told = await fake_discord.wait_for_request(method="POST", path="/channels/*/messages")
        assert "you can ask again" in told.json["content"]
        await fake_discord.send_message(mention)
        clock[0] += 31
        await fake_discord.send_message(mention)
        answered = await fake_discord.wait_for_request(method="POST", path="/channels/*/messages", count=2)
        assert answered.json["embeds"][0]["title"] == SALARY_QUESTION


async def test_dm_questions_need_no_mention(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    await fake_discord.send_message(UNLAWFUL_QUESTION, guild=False)
    record = await fake_discord.wait_for_request(method="POST", path="/channels/*/messages")
    assert record.json["embeds"][0]["title"] == UNLAWFUL_QUESTION
    question = await bot.storage.question(1)
    assert question is not None and question.guild_id is None


def test_seed_corpus_is_what_the_tests_expect(seed_engine: Engine) -> None:
    assert seed_engine.version == SEED_VERSION and [d.meta.title for d in seed_engine.documents] == [SEED_TITLE]
    assert (SEEDS / "000_bcbaab6fdc511440.txt").is_file()


async def test_an_exception_answering_a_mention_gets_a_reply_with_a_reference(
    fake_discord: FakeDiscord, settings: Settings, seed_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    class BrokenEngine(Engine):
        def ask(self, question: str, max_sentences: int = 3) -> Answer:
            raise RuntimeError("mention path broke")

    caplog.set_level(logging.ERROR, logger="bot.adapter.errors")
    async with running_bot(fake_discord, settings, BrokenEngine(seed_engine.documents)):
        await fake_discord.send_message(f"<@{fake_discord.bot_user.id}> {SALARY_QUESTION}")
        record = await fake_discord.wait_for_request(method="POST", path="/channels/*/messages")
    reference = re.search(r"Reference: `(E-[0-9A-F]{8})`", record.json["content"])
    assert reference and record.json["message_reference"]
    (logged,) = [r for r in caplog.records if reference.group(1) in r.getMessage()]
    assert "on_message" in logged.getMessage() and "mention path broke" in str(logged.exc_info[1])  # type: ignore[index]


async def test_unknown_command_is_answered_privately(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    fake_discord.register_commands([{"name": "gone", "description": "removed in this version"}])
    interaction = await fake_discord.send_slash_command("gone")
    record = await fake_discord.wait_for_response(interaction)
    assert record.json["data"]["flags"] & EPHEMERAL and "no longer exists" in record.json["data"]["content"]
