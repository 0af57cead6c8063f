"""A button acts only on the record it was made for, for whoever may press it.

Through the fake Discord: a state database reset (emptied, or moved away) restarts ids at 1, so the
old buttons' ids name new records of other people; custom ids forged by another member; and buttons
of the format before database instances.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.adapter.client import PolicyBot
from bot.adapter.cogs.check import EXPIRED as CHECK_EXPIRED
from bot.adapter.cogs.check import MENU_NAME
from bot.adapter.cogs.check import NOT_YOURS as SHARE_NOT_YOURS
from bot.adapter.views import EXPIRED, NOT_YOURS
from bot.config import Settings
from bot.engine.engine import Engine
from tests.adapter.conftest import (
    EPHEMERAL,
    SALARY_QUESTION,
    UNLAWFUL_QUESTION,
    all_text,
    custom_ids,
    final_message,
    running_bot,
)
from tests.fake_discord import FakeDiscord, FakeInteraction

ALICE_CLAIM = "net migration hit a million last year"
BOB_CLAIM = "Rwanda was paid another £15m"


def _private(payload: dict[str, Any]) -> bool:
    return bool(int(payload.get("flags", 0)) & EPHEMERAL)


async def _private_ask(fake: FakeDiscord, question: str, user: Any) -> dict[str, Any]:
    interaction = await fake.send_slash_command("ask", {"question": question, "private": True}, user=user)
    await final_message(fake, interaction)
    message = fake.messages.get(interaction.original_message_id or 0)
    assert message is not None and message["flags"] & EPHEMERAL
    return message


async def _private_check(fake: FakeDiscord, claim: str, user: Any) -> dict[str, Any]:
    interaction = await fake.send_slash_command("check", {"claim": claim}, user=user)
    await final_message(fake, interaction)
    message = fake.messages.get(interaction.original_message_id or 0)
    assert message is not None and message["flags"] & EPHEMERAL
    return message


def _button(message: dict[str, Any], prefix: str) -> str:
    (custom_id,) = [c for c in custom_ids(message) if c.startswith(prefix)]
    return custom_id


async def _press(fake: FakeDiscord, custom_id: str, message: dict[str, Any], user: Any) -> FakeInteraction:
    return await fake.send_component(custom_id, message, user=user)


async def _reply(fake: FakeDiscord, interaction: FakeInteraction) -> dict[str, Any]:
    """The last message a press got (a refusal before any defer is the first; else the follow-up)."""
    first = await fake.wait_for_response(interaction)
    if first.callback_type == 5:  # deferred: the answer is the follow-up
        return await final_message(fake, interaction)
    payload = first.message_payload
    assert payload is not None
    return payload


def _public_posts(fake: FakeDiscord) -> list[dict[str, Any]]:
    return [m for m in fake.messages_in() if not m["flags"] & EPHEMERAL]


@pytest.mark.parametrize("reset", ["emptied", "moved away"])
async def test_old_buttons_after_a_database_reset_say_expired(
    fake_discord: FakeDiscord, settings: Settings, seed_engine: Engine, reset: str
) -> None:
    fake = fake_discord
    alice, bob = fake.world.alice, fake.add_member("bob")
    async with running_bot(fake, settings, seed_engine):
        answer = await _private_ask(fake, SALARY_QUESTION, alice)
        check = await _private_check(fake, ALICE_CLAIM, alice)
    database: Path = settings.database_path
    if reset == "emptied":
        database.write_bytes(b"")  # the bot sets it aside and starts a fresh one
    else:
        database.rename(database.with_name("by-hand.sqlite3"))  # an operator moved it out of the way
    async with running_bot(fake, settings, seed_engine) as bot:
        # Bob's private question and check get the ids alice's had: 1 and 1.
        await _private_ask(fake, UNLAWFUL_QUESTION, bob)
        await _private_check(fake, BOB_CLAIM, bob)
        assert (await bot.storage.question(1)).question == UNLAWFUL_QUESTION  # type: ignore[union-attr]
        before = len(_public_posts(fake))
        for prefix in ("pb:more:", "pb:cite:", "pb:up:"):
            pressed = await _reply(fake, await _press(fake, _button(answer, prefix), answer, alice))
            assert _private(pressed) and pressed["content"] == EXPIRED, pressed
            assert "unlawful" not in all_text(pressed).lower()  # nothing of bob's question
        shared = await _reply(fake, await _press(fake, _button(check, "pb:share:"), check, alice))
        assert _private(shared) and shared["content"] == CHECK_EXPIRED
        assert len(_public_posts(fake)) == before  # bob's private claim was not posted
        assert await bot.storage.feedback() == []


async def test_buttons_of_the_format_before_instances_say_expired(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    fake = fake_discord
    await _private_ask(fake, SALARY_QUESTION, fake.world.alice)
    await _private_check(fake, ALICE_CLAIM, fake.world.alice)
    # An id without the database's instance cannot say which database it was made under.
    more = await _reply(fake, await fake.send_component("pb:more:1"))
    assert more["content"] == EXPIRED
    share = await _reply(fake, await fake.send_component("pb:share:1"))
    assert share["content"] == CHECK_EXPIRED


async def test_a_private_answers_buttons_are_the_askers_alone(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    fake = fake_discord
    alice, bob = fake.world.alice, fake.add_member("bob")
    answer = await _private_ask(fake, SALARY_QUESTION, alice)
    for prefix in ("pb:more:", "pb:cite:", "pb:down:"):  # the custom id, forged by bob
        refused = await _reply(fake, await _press(fake, _button(answer, prefix), answer, bob))
        assert _private(refused) and refused["content"] == NOT_YOURS
        assert "salary" not in all_text(refused).lower()
    assert await bot.storage.feedback() == []
    mine = await _reply(fake, await _press(fake, _button(answer, "pb:more:"), answer, alice))
    assert mine["embeds"][0]["title"] == f"More: {SALARY_QUESTION}"


async def test_a_public_answers_buttons_are_anyones(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    fake = fake_discord
    interaction = await fake.send_slash_command("ask", {"question": SALARY_QUESTION})
    await final_message(fake, interaction)
    answer = fake.messages.get(interaction.original_message_id or 0)
    assert answer is not None
    more = await _reply(fake, await _press(fake, _button(answer, "pb:more:"), answer, fake.add_member("bob")))
    assert more["embeds"][0]["title"] == f"More: {SALARY_QUESTION}"


async def test_a_dm_answers_buttons_are_the_askers_alone(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    fake = fake_discord
    await fake.send_message(UNLAWFUL_QUESTION, guild=False)
    reply = (await fake.wait_for_request(method="POST", path="/channels/*/messages")).json
    (record,) = [q for q in [await bot.storage.question(1)] if q is not None]
    assert record.guild_id is None
    more_id = _button(reply, "pb:more:")
    refused = await _reply(fake, await fake.send_component(more_id, user=fake.add_member("bob")))
    assert refused["content"] == NOT_YOURS


async def test_only_the_checker_can_share_a_check(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    fake = fake_discord
    alice, bob = fake.world.alice, fake.add_member("bob")
    target = await fake.send_message("@everyone " + ALICE_CLAIM)
    interaction = await fake.send_message_context_menu(MENU_NAME, target, user=alice)
    await final_message(fake, interaction)
    check = fake.messages.get(interaction.original_message_id or 0)
    assert check is not None
    refused = await _reply(fake, await _press(fake, _button(check, "pb:share:"), check, bob))
    assert _private(refused) and refused["content"] == SHARE_NOT_YOURS
    assert _public_posts(fake) == [target]  # only the message checked: nothing shared
    shared = await _reply(fake, await _press(fake, _button(check, "pb:share:"), check, alice))
    assert not _private(shared) and shared["embeds"][0]["title"] == "Checked against the documents"
