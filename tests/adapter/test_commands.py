"""Starting up: the commands synced (and only when they changed), /sources and /help."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bot.adapter.client import PolicyBot
from bot.adapter.cogs.info import EXAMPLES
from bot.config import Settings
from bot.engine.engine import Engine
from tests.adapter.conftest import (
    EPHEMERAL,
    SALARY_QUESTION,
    SEED_TITLE,
    SEED_VERSION,
    final_message,
    make_settings,
    running_bot,
)
from tests.fake_discord import FakeDiscord

STRING, BOOLEAN = 3, 5
# Every command (and context menu) the bot registers, by name.
COMMANDS = {"ask", "sources", "help", "figures", "check", "Check against the documents", "corpus"}


def _puts(fake: FakeDiscord) -> list:
    return fake.find_requests("PUT", "/applications/*/commands") + fake.find_requests(
        "PUT", "/applications/*/guilds/*/commands"
    )


async def test_commands_are_synced_with_their_options_and_descriptions(
    fake_discord: FakeDiscord, bot: PolicyBot
) -> None:
    assert bot.synced is True
    commands = {c["name"]: c for c in fake_discord.global_commands}
    assert set(commands) == COMMANDS
    assert commands["ask"]["description"].startswith("Ask the documents a question")
    question, private = commands["ask"]["options"]
    assert (question["name"], question["type"], question["required"], question["max_length"]) == (
        "question", STRING, True, 1000,
    )  # fmt: skip
    assert question["description"] == "Your question, in plain words"
    assert (private["name"], private["type"], private.get("required", False)) == ("private", BOOLEAN, False)
    assert private["description"].startswith("Only you see the answer")
    assert commands["sources"]["description"] == "List the documents the answers come from"
    assert commands["help"]["options"] in ([], None)


async def test_sync_is_skipped_when_unchanged_and_done_when_forced(
    fake_discord: FakeDiscord, settings: Settings, seed_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.adapter.client")
    async with running_bot(fake_discord, settings, seed_engine) as first:
        assert first.synced is True
    assert len(_puts(fake_discord)) == 1
    async with running_bot(fake_discord, settings, seed_engine) as second:
        assert second.synced is False
    assert len(_puts(fake_discord)) == 1
    assert "commands unchanged since the last sync (global): not syncing" in caplog.text
    forced = settings.model_copy(update={"force_sync": True})
    async with running_bot(fake_discord, forced, seed_engine) as third:
        assert third.synced is True
    assert len(_puts(fake_discord)) == 2


async def test_a_changed_tree_is_synced_again(
    fake_discord: FakeDiscord, settings: Settings, seed_engine: Engine
) -> None:
    async with running_bot(fake_discord, settings, seed_engine):
        pass
    async with running_bot(fake_discord, settings, seed_engine) as bot:
        bot.tree.get_command("sources").description = "Changed"  # type: ignore[union-attr]
        assert await bot.sync_commands() is True
        assert await bot.sync_commands() is False
    assert {c["description"] for c in fake_discord.global_commands if c["name"] == "sources"} == {"Changed"}


async def test_dev_guild_gets_the_commands_and_its_own_sync_record(
    fake_discord: FakeDiscord, tmp_path: Path, corpus_copy: Path, seed_engine: Engine
) -> None:
    settings = make_settings(tmp_path / "state", corpus_copy, dev_guild_id=fake_discord.guild_id)
    async with running_bot(fake_discord, settings, seed_engine) as bot:
        assert bot.synced is True
        assert {c["name"] for c in fake_discord.guild_commands()} == COMMANDS
        assert fake_discord.global_commands == []
        interaction = await fake_discord.send_slash_command("sources")
        assert (await final_message(fake_discord, interaction, count=1))["embeds"]
    global_settings = settings.model_copy(update={"dev_guild_id": None})
    async with running_bot(fake_discord, global_settings, seed_engine) as bot:
        assert bot.synced is True  # another target: the guild's record does not count for global


async def test_sources_lists_documents_privately(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    interaction = await fake_discord.send_slash_command("sources")
    record = await fake_discord.wait_for_response(interaction)
    assert record.callback_type == 4 and record.json["data"]["flags"] & EPHEMERAL
    (embed,) = record.json["data"]["embeds"]
    assert embed["title"] == "Documents (1)"
    assert embed["description"] == (
        f"1. **{SEED_TITLE}** · Daily Mail (David Barrett and Jason Groves) · 2023-12-05 · 73 passages · *no link*"
    )
    (links,) = embed["fields"]  # which documents lack a web address, so a moderator can add one
    assert links == {
        "name": "Links",
        "value": "1 document marked *no link* has no web address on record.",
        "inline": False,
    }
    assert embed["footer"]["text"] == f"documents as of 5 Dec 2023 · 1 document · corpus {SEED_VERSION}"
    assert not record.json["data"].get("components")  # one page: no buttons


async def test_sources_pages_turn(fake_discord: FakeDiscord, settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(23):
        (folder / f"doc{n:02}.md").write_text(f"# Document {n:02}\n\nSome text about topic {n}.\n", encoding="utf-8")
    async with running_bot(fake_discord, settings, Engine.from_folder(folder)):
        interaction = await fake_discord.send_slash_command("sources")
        first = (await fake_discord.wait_for_response(interaction)).json["data"]
        assert first["embeds"][0]["footer"]["text"].startswith("23 documents · page 1/3 · corpus ")  # none dated
        assert first["embeds"][0]["description"].count("\n") == 9
        buttons = first["components"][0]["components"]
        assert [(b["custom_id"], b.get("disabled", False)) for b in buttons] == [
            ("pb:src:0:prev", True), ("pb:src:1:next", False),
        ]  # fmt: skip
        message = fake_discord.messages.get(interaction.original_message_id or 0)
        for target, first_line in ((1, "11. **Document 10**"), (2, "21. **Document 20**")):
            turned = await fake_discord.send_component(f"pb:src:{target}:next", message)
            record = await fake_discord.wait_for_response(turned)
            assert record.callback_type == 7  # the same message, edited
            page = record.json["data"]["embeds"][0]
            assert f"· page {target + 1}/3 · corpus " in page["footer"]["text"]
            assert page["description"].startswith(first_line)
        last = record.json["data"]["components"][0]["components"]
        assert [(b["custom_id"], b.get("disabled", False)) for b in last] == [
            ("pb:src:1:prev", False), ("pb:src:2:next", True),
        ]  # fmt: skip


async def test_help_explains_every_command_with_an_example(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    assert {c.name for c in bot.tree.get_commands()} <= set(EXAMPLES)  # a new command needs its example
    interaction = await fake_discord.send_slash_command("help")
    record = await fake_discord.wait_for_response(interaction)
    data = record.json["data"]
    assert data["flags"] & EPHEMERAL
    (embed,) = data["embeds"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert set(fields) == {
        "/ask question: [private:]", "/sources", "/help", "/figures [topic:] [private:]", "/check claim:",
        "Check against the documents", "/corpus refresh | add | remove | restore | list | gaps",
    }  # fmt: skip
    for name, (example, _) in EXAMPLES.items():
        usage = next(u for u in fields if u.split()[0] == f"/{name}" or u == name)  # context menus: their name
        assert f"Example: `{example}`" in fields[usage]
    assert (
        "mention me" in embed["description"] and "Policy Bot why was the scheme ruled unlawful?" in embed["description"]
    )


async def test_sources_and_answers_link_documents_with_a_url(
    fake_discord: FakeDiscord, settings: Settings, corpus_copy: Path
) -> None:
    url = "https://www.dailymail.co.uk/news/article-12824553/rwanda-treaty.html"
    sidecar = corpus_copy / "000_bcbaab6fdc511440.txt.meta.json"
    sidecar.write_text(json.dumps({**json.loads(sidecar.read_text()), "url": url}))
    (corpus_copy / "fares.md").write_text("# Bus fares\n\nThe bus fare cap stays at £2 until 2025.\n")
    async with running_bot(fake_discord, settings, Engine.from_folder(corpus_copy)):
        interaction = await fake_discord.send_slash_command("sources")
        (embed,) = (await fake_discord.wait_for_response(interaction)).json["data"]["embeds"]
        first, second = embed["description"].split("\n")
        assert first.startswith(f"1. **[{SEED_TITLE}]({url})** · ") and "no link" not in first
        assert second.startswith("2. **Bus fares** · ") and second.endswith(" · *no link*")
        assert embed["fields"][0]["value"] == (
            "Titles link to the original document. 1 document marked *no link* has no web address on record."
        )
        assert embed["footer"]["text"].startswith("documents as of 5 Dec 2023 · 2 documents · corpus ")
        asked = await fake_discord.send_slash_command("ask", {"question": SALARY_QUESTION})
        sources = (await final_message(fake_discord, asked))["embeds"][0]["fields"][0]
        assert sources["name"] == "Sources" and f"— [{SEED_TITLE}]({url}) · Daily Mail" in sources["value"]
