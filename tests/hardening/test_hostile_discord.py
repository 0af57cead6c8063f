"""Hostile questions through the real discord.py client and the fake Discord: /ask (public and private),
mentions, the buttons under the answers, and — when those commands exist — /figures (with its
autocomplete) and /check. Nothing may ping, every message must fit, every interaction must be
acknowledged in time, and the event loop must never stall for more than 100 ms."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
from discord import app_commands

from bot.adapter.client import PolicyBot
from tests.fake_discord import FakeDiscord, FakeInteraction
from tests.hardening.conftest import (
    HOSTILE_TEXTS,
    LoopWatch,
    assert_every_send_safe,
    deadline_errors,
)

# A group of hostile inputs goes in at once: concurrent enough to contend, bounded for the stall meter.
GROUP = 2


def _string_option(command: Any) -> str | None:
    if not isinstance(command, app_commands.Command):
        return None
    for parameter in command.parameters:
        if parameter.type == discord.AppCommandOptionType.string:
            return parameter.name
    return None


async def _answered(fake: FakeDiscord, interaction: FakeInteraction) -> None:
    """The interaction got its callback, and a deferred one its follow-up."""
    first = await fake.wait_for_response(interaction, timeout=15)
    if first.callback_type == 5:
        await fake.wait_for_response(interaction, count=2, timeout=15)


async def _replied(fake: FakeDiscord, message: dict[str, Any]) -> None:
    def is_reply(record: Any) -> bool:
        reference = (record.json or {}).get("message_reference") or {}
        return str(reference.get("message_id")) == str(message["id"])

    await fake.wait_for_request(is_reply, method="POST", path="/channels/*/messages", timeout=15)


async def test_hostile_questions_through_ask_mentions_and_buttons(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    fake = fake_discord
    mention = f"<@{fake.bot_user.id}>"
    items = sorted(HOSTILE_TEXTS.items())
    async with LoopWatch() as watch:
        for start in range(0, len(items), GROUP):
            waits = []
            for offset, (_, text) in enumerate(items[start : start + GROUP]):
                private = (start + offset) % 2 == 1
                interaction = await fake.send_slash_command("ask", {"question": text, "private": private})
                waits.append(_answered(fake, interaction))
                message = await fake.send_message(f"{mention} {text[:1900]}", mentions=[fake.bot_user])
                waits.append(_replied(fake, message))
            await asyncio.gather(*waits)
        # The buttons under a hostile answer: passages, more, votes.
        answer_id = fake.messages_in()[-1]["id"]
        for action in ("cite", "more", "up", "down"):
            buttons = [m for m in fake.messages_in() if f"pb:{action}:" in str(m.get("components"))]
            if buttons:
                custom_id = next(
                    c["custom_id"]
                    for row in buttons[-1]["components"]
                    for c in row["components"]
                    if c.get("custom_id", "").startswith(f"pb:{action}:")
                )
                await _answered(fake, await fake.send_component(custom_id, buttons[-1]))
        assert answer_id
    writes = assert_every_send_safe(fake)
    assert not deadline_errors(fake)
    assert writes >= 2 * len(items)
    print(f"\nhostile questions: {len(items)} via /ask and mentions, {writes} sends, {watch.describe()}")
    watch.check()


async def test_hostile_topics_and_claims_through_figures_and_check(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    """/figures and /check with hostile topics and claims, through Discord."""
    fake = fake_discord
    commands = {c.name: c for c in bot.tree.get_commands()}
    present = [name for name in ("figures", "check") if _string_option(commands.get(name))]
    assert present == ["figures", "check"], "both commands must be registered with a text option"
    items = sorted(HOSTILE_TEXTS.items())
    async with LoopWatch() as watch:
        for name in present:
            option = _string_option(commands[name])
            assert option is not None
            for start in range(0, len(items), GROUP):
                waits = []
                for _, text in items[start : start + GROUP]:
                    waits.append(_answered(fake, await fake.send_slash_command(name, {option: text})))
                    parameter = commands[name].get_parameter(option)
                    if parameter is not None and parameter.autocomplete:
                        auto = await fake.send_autocomplete(name, {option: text[:100]}, option)
                        waits.append(_answered(fake, auto))
                await asyncio.gather(*waits)
    assert_every_send_safe(fake)
    for record in fake.requests:
        if record.callback_type == 8:  # autocomplete results
            choices = record.json["data"]["choices"]
            assert len(choices) <= 25
            assert all(1 <= len(c["name"]) <= 100 and len(str(c["value"])) <= 100 for c in choices), choices
    assert not deadline_errors(fake)
    print(f"\nhostile topics and claims via {', '.join('/' + n for n in present)}: {watch.describe()}")
    watch.check()


async def test_hostile_messages_through_the_check_context_menu(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    fake = fake_discord
    menus = [c for c in bot.tree.get_commands(type=discord.AppCommandType.message)]
    assert menus, "the 'Check against the documents' message menu must be registered"
    items = sorted(HOSTILE_TEXTS.items())[::3]  # every third: the menu shares /check's engine path
    async with LoopWatch() as watch:
        for _, text in items:
            target = await fake.send_message(text[:2000] or "\u200b", mentions=[])
            await _answered(fake, await fake.send_message_context_menu(menus[0].name, target))
        shares = [m for m in fake.messages_in() if "pb:share:" in str(m.get("components"))]
        if shares:
            custom_id = shares[-1]["components"][0]["components"][0]["custom_id"]
            await _answered(fake, await fake.send_component(custom_id, shares[-1]))
    assert_every_send_safe(fake)
    assert not deadline_errors(fake)
    watch.check()


ADMINISTRATOR = 1 << 3


async def test_hostile_ids_through_corpus_commands(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    """Ids a moderator types (or pastes) into /corpus remove and restore, and their autocomplete."""
    fake = fake_discord
    group = bot.tree.get_command("corpus")
    # A missing command fails here: skipping would pass the suite with nothing of /corpus tested.
    assert isinstance(group, app_commands.Group), "/corpus is not registered"
    subcommands = {c.name: c for c in group.commands if _string_option(c)}
    names = ["remove", "restore"]
    assert set(names) <= subcommands.keys(), (
        f"/corpus remove and restore must both take a typed id: {sorted(subcommands)}"
    )
    ids = [t for _, t in sorted(HOSTILE_TEXTS.items())[::2] if t.strip()] + [
        "../seeds/000_bcbaab6fdc511440.txt", "/etc/passwd", "a\x00.txt", "x" * 99 + ".txt", ".trash/x.txt",
    ]  # fmt: skip
    async with LoopWatch() as watch:
        for name in names:
            option = _string_option(subcommands[name])
            assert option is not None
            for typed in ids:
                value = typed[:100]
                interaction = await fake.send_slash_command(
                    "corpus", {option: value}, subcommand=name, member_permissions=ADMINISTRATOR
                )
                await _answered(fake, interaction)
                auto = await fake.send_autocomplete("corpus", {option: value}, option, subcommand=name)
                await fake.wait_for_response(auto, timeout=15)
    assert_every_send_safe(fake)
    assert not deadline_errors(fake)
    watch.check()
    # Nothing was removed: every id above is refused.
    assert [d.id for d in bot.engines.engine.documents] == ["000_bcbaab6fdc511440.txt"]
