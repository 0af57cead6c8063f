""" "Check against the documents" (message context menu) and /check, end to end through the fake Discord."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.adapter.client import PolicyBot
from bot.adapter.cogs.check import CORPUS_CHANGED, EXPIRED, MENU_NAME
from bot.adapter.cogs.info import EXAMPLES
from bot.adapter.cooldown import Cooldown
from bot.adapter.render_figures import NO_TEXT
from bot.config import Settings
from bot.engine.engine import Engine
from tests.adapter.conftest import (
    EPHEMERAL,
    SEED_TITLE,
    SEED_VERSION,
    all_text,
    callback,
    custom_ids,
    final_message,
    running_bot,
)
from tests.adapter.test_figures_command import MASKED_EVIL_LINK, RAW_MENTIONS, assert_every_write_fits
from tests.conftest import SEEDS
from tests.fake_discord import FakeDiscord, FakeInteraction

STRING, MESSAGE_COMMAND = 3, 3
MILLION = "net migration hit a million last year"


async def _menu(fake: FakeDiscord, content: str, **message: Any) -> tuple[FakeInteraction, dict[str, Any]]:
    """Run the context menu on a new message of alice's; returns the interaction and the final reply."""
    target = await fake.send_message(content, **message)
    interaction = await fake.send_message_context_menu(MENU_NAME, target)
    return interaction, await final_message(fake, interaction)


def _private(payload: dict[str, Any]) -> bool:
    return bool(int(payload.get("flags", 0)) & EPHEMERAL)


def description(payload: dict[str, Any]) -> str:
    return "\n\n".join(e.get("description") or "" for e in payload["embeds"])


# -- registration --------------------------------------------------------------------------------


async def test_menu_and_command_are_synced(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    commands = {(c["name"], c.get("type", 1)): c for c in fake_discord.global_commands}
    assert (MENU_NAME, MESSAGE_COMMAND) in commands
    check = commands[("check", 1)]
    assert check["description"].startswith("Check a claim against the documents")
    (claim,) = check["options"]
    assert (claim["name"], claim["type"], claim["required"], claim["max_length"]) == ("claim", STRING, True, 1000)
    assert claim["description"].startswith("The claim to check")
    assert {"check", MENU_NAME} <= set(EXAMPLES)


# -- the reply -----------------------------------------------------------------------------------


async def test_a_wrong_figure_is_shown_against_the_documents_privately(
    fake_discord: FakeDiscord, bot: PolicyBot
) -> None:
    interaction, payload = await _menu(fake_discord, MILLION)
    first = await callback(fake_discord, interaction)
    assert first.callback_type == 5 and first.json["data"]["flags"] & EPHEMERAL  # deferred, privately
    assert _private(payload)
    (embed,) = payload["embeds"]
    assert embed["title"] == "Checked against the documents"
    text = embed["description"]
    assert text.startswith(f"The message: “{MILLION}”")
    assert (
        "The message says **a million**; the documents say **745,000** (net migration) [1]: "
        "the message **differs from** the documents."
    ) in text
    assert (
        "“Under the plan – announced days after it emerged net migration had hit an all-time high of **745,000**"
        in text
    )
    # Every value the documents give for the measure, side by side: the revision shows the earlier value too.
    values = text.split("Every value the documents give for it: ", 1)[1].split("\n", 1)[0]
    assert values.startswith("**745,000**") and "**606,000** (earlier value" in values
    (sources,) = embed["fields"]
    assert sources["name"] == "Sources" and sources["value"].startswith("[1] ¶66") and SEED_TITLE in sources["value"]
    assert embed["footer"]["text"] == (
        f"documents as of 5 Dec 2023 · 1 document · 1 figure compared · 1 sentence · corpus {SEED_VERSION}"
    )
    assert custom_ids(payload) == [f"pb:share:{bot.storage.instance}:1"]
    record = await bot.storage.check(1)
    assert record is not None and record.claim == MILLION and record.corpus_version == SEED_VERSION


async def test_a_matching_figure_matches(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    _, payload = await _menu(fake_discord, "Rwanda was paid another £15m")
    text = description(payload)
    # The label in brackets is the figure index's (its wording may change); the values and verdict are ours.
    assert "The message says **£15m**; the documents say **£15million** (" in text
    assert ") [1]: the message **matches** the documents." in text
    assert "Figures are compared by value and wording only" in text


async def test_a_figure_the_documents_lack(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    _, payload = await _menu(fake_discord, "Germany spent 3 billion euros on high-speed rail")
    text = description(payload)
    assert "The message says **3 billion euros**; there is **no figure for this in the documents**." in text
    assert "The documents do not say anything that directly bears on this." in text
    assert "**Closest passages — not a direct answer:**" in text


async def test_no_figure_at_all_quotes_sentences_only(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    _, payload = await _menu(fake_discord, "the Supreme Court said Rwanda was not a safe country")
    text = description(payload)
    assert "**Figures**" not in text and "**What the documents say**" in text
    assert "“It was deemed illegal by the **Supreme Court** last month" in text and "” [1]" in text
    sources = payload["embeds"][0]["fields"][0]["value"]
    # Each quoted sentence is cited by its paragraph; whether further sentences are quoted is the ranking's
    # business (tests/engine).
    cited = re.findall(r"\[(\d)\] ¶(\d+)", sources)
    assert cited[0] == ("1", "5") and [n for n, _ in cited] == [str(i) for i in range(1, len(cited) + 1)]


async def test_an_off_topic_claim_is_declined(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    _, payload = await _menu(fake_discord, "the capital of France is Paris")
    text = description(payload)
    assert "**Figures**" not in text and "**What the documents say**" not in text
    assert "The documents do not say anything that directly bears on this." in text
    assert "**Closest passages — not a direct answer:**" in text
    assert (
        payload["embeds"][0]["footer"]["text"]
        == f"documents as of 5 Dec 2023 · 1 document · not answered · corpus {SEED_VERSION}"
    )


async def test_slash_check_works_the_same(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    _, from_menu = await _menu(fake_discord, MILLION)
    interaction = await fake_discord.send_slash_command("check", {"claim": MILLION})
    from_slash = await final_message(fake_discord, interaction)
    assert _private(from_slash) and from_slash["embeds"] == from_menu["embeds"]
    assert custom_ids(from_slash) == [f"pb:share:{bot.storage.instance}:2"]


async def test_a_message_without_text_says_so(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    attachment = fake_discord.add_attachment("chart.png", b"\x89PNG", content_type="image/png")
    target = await fake_discord.send_message("", attachments=[attachment], embeds=[{"title": "A chart"}])
    interaction = await fake_discord.send_message_context_menu(MENU_NAME, target)
    record = await callback(fake_discord, interaction)
    assert record.callback_type == 4 and record.json["data"]["flags"] & EPHEMERAL
    assert record.json["data"]["content"] == NO_TEXT
    assert await bot.storage.check(1) is None


async def test_a_hostile_message_pings_nobody_and_is_echoed_escaped(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    content = (
        "@everyone <@&123> <@456> ＠here **net migration** hit a million last year, "
        "see [official](https://evil.example) ||really|| `now`"
    )
    _, payload = await _menu(fake_discord, content, mentions=[])  # (user 456 does not exist)
    shown = all_text(payload)
    assert not RAW_MENTIONS.search(shown), shown
    assert not MASKED_EVIL_LINK.search(shown)
    echo = description(payload).split("\n\n")[0]
    assert echo == (
        "The message: “@\u200beveryone \\<@&\u200b123> \\<@\u200b456> ＠\u200bhere \\*\\*net migration\\*\\* hit a "
        "million last year, see \\[official\\](`https://evil.example`) \\|\\|really\\|\\| \\`now\\`”"
    )
    assert "**differs from**" in shown
    # running_bot checks that every write pinged nobody


async def test_a_long_message_is_echoed_capped(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    _, payload = await _menu(fake_discord, MILLION + " " + "and *more* words " * 200)
    echo = description(payload).split("\n\n")[0]
    assert echo.endswith("…”") and len(echo) < 2 * 200 + 20  # capped before escaping, then escaped
    assert_every_write_fits(fake_discord)


# -- sharing -------------------------------------------------------------------------------------


async def _share(fake: FakeDiscord, custom_id: str, message: dict[str, Any] | None = None) -> dict[str, Any]:
    interaction = await fake.send_component(custom_id, message)
    return await final_message(fake, interaction)


def share_button(message: dict[str, Any] | None) -> str:
    """The custom id of the share button under a private check ("pb:share:<database instance>:<id>")."""
    assert message is not None
    (custom_id,) = custom_ids(message)
    return custom_id


async def test_share_posts_the_result_publicly(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    interaction, private = await _menu(fake_discord, "@everyone " + MILLION)
    message = fake_discord.messages.get(interaction.original_message_id or 0)
    shared = await _share(fake_discord, share_button(message), message)
    assert not _private(shared)
    assert shared["embeds"] == private["embeds"]
    assert not shared.get("components")  # nothing to share again
    assert "@\u200beveryone" in description(shared)
    assert_every_write_fits(fake_discord)  # and running_bot checks that nobody was pinged


async def test_share_after_a_restart_works_or_says_expired(
    fake_discord: FakeDiscord, settings: Settings, seed_engine: Engine
) -> None:
    async with running_bot(fake_discord, settings, seed_engine):
        interaction, private = await _menu(fake_discord, MILLION)
    message = fake_discord.messages.get(interaction.original_message_id or 0)
    # A new process: new client, new engine object, same state directory.
    async with running_bot(fake_discord, settings, Engine.from_folder(settings.corpus_dir)) as bot:
        shared = await _share(fake_discord, share_button(message), message)
        assert not _private(shared) and shared["embeds"] == private["embeds"]
        assert await bot.storage.forget_checks_before(float("inf")) == 1
        expired_press = await fake_discord.send_component(share_button(message), message)
        expired = await final_message(fake_discord, expired_press, count=1)
        assert _private(expired) and expired["content"] == EXPIRED
        unknown_id = f"pb:share:{bot.storage.instance}:999"
        unknown = await final_message(fake_discord, await fake_discord.send_component(unknown_id), count=1)
        assert unknown["content"] == EXPIRED


async def test_share_after_the_corpus_changed_says_so(
    fake_discord: FakeDiscord, settings: Settings, seed_engine: Engine, tmp_path: Path
) -> None:
    async with running_bot(fake_discord, settings, seed_engine):
        interaction, _ = await _menu(fake_discord, MILLION)
    message = fake_discord.messages.get(interaction.original_message_id or 0)
    changed = tmp_path / "changed"
    shutil.copytree(SEEDS, changed)
    (changed / "extra.md").write_text("# Extra\n\nAn unrelated note about bus fares.\n", encoding="utf-8")
    async with running_bot(fake_discord, settings, Engine.from_folder(changed)):
        shared = await _share(fake_discord, share_button(message), message)
        assert shared["content"] == CORPUS_CHANGED and "**745,000**" in description(shared)


async def test_checks_and_shares_share_the_cooldown(
    fake_discord: FakeDiscord, settings: Settings, seed_engine: Engine
) -> None:
    async with running_bot(fake_discord, settings, seed_engine, cooldown=Cooldown(1, 60)):
        interaction, _ = await _menu(fake_discord, MILLION)
        message = fake_discord.messages.get(interaction.original_message_id or 0)
        press = await fake_discord.send_component(share_button(message), message)
        refused = await callback(fake_discord, press)
        assert refused.callback_type == 4 and refused.json["data"]["flags"] & EPHEMERAL
        assert "You're asking quickly" in refused.json["data"]["content"]
        again = await fake_discord.send_slash_command("check", {"claim": MILLION})
        assert "You're asking quickly" in (await callback(fake_discord, again)).json["data"]["content"]


async def test_an_engine_error_is_reported_privately(
    fake_discord: FakeDiscord, bot: PolicyBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(engine: Engine, claim: str, max_sentences: int = 3) -> None:
        raise RuntimeError("claims broke")

    monkeypatch.setattr("bot.adapter.cogs.check.check_claim", broken)
    _, payload = await _menu(fake_discord, MILLION)
    assert _private(payload)
    assert re.match(r"Sorry, something went wrong on my side\. Reference: `E-[0-9A-F]{8}`", payload["content"])
