"""Links a user typed are echoed inert, or anyone could post a phishing link in the bot's name: the bot
never posts a clickable link or an invite in its own name, in "Not answered" replies, answers' titles,
/check and Share-in-channel posts."""

from __future__ import annotations

import re
from typing import Any

from bot.adapter import render
from bot.adapter.client import PolicyBot
from bot.adapter.cogs.check import MENU_NAME
from tests.adapter.conftest import EPHEMERAL, SALARY_QUESTION, all_text, custom_ids, final_message
from tests.fake_discord import FakeDiscord

LINKS = (
    "see https://evil.example/free-nitro and HTTPS://EVIL.EXAMPLE/x, join discord.gg/abc123 or "
    "https://discord.com/invite/abc123 <https://evil.example/hidden> [prize](https://evil.example/p) "
    "www.evil.example steam://run/1 `https://evil.example/tick`"
)
# Whatever Discord may make clickable (or an invite), once inline code spans are taken out.
_CODE = re.compile(r"`[^`]*`")
_LIVE = re.compile(r"[a-z][a-z0-9+.-]*://|discord(?:app)?\.(?:gg|com)/|www\.", re.IGNORECASE)


def live_links(text: str) -> list[str]:
    return _LIVE.findall(_CODE.sub("", text))


def _public(payload: dict[str, Any]) -> bool:
    return not int(payload.get("flags", 0)) & EPHEMERAL


def test_inert_puts_each_link_in_inline_code_and_keeps_the_rest_safe() -> None:
    shown = render.inert("@everyone look: https://evil.example/a`b) and discord.gg/x, <@123> *now*.")
    assert shown == ("@\u200beveryone look: `https://evil.example/aˋb`) and `discord.gg/x`, \\<@\u200b123> \\*now\\*.")
    assert live_links(render.echo(LINKS, 1000)) == []
    assert render.echo("no links here, just text.") == "no links here, just text."


async def test_a_not_answered_reply_echoes_links_inert(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    question = f"what is the capital of France? {LINKS}"
    interaction = await fake_discord.send_slash_command("ask", {"question": question[:1000]})
    payload = await final_message(fake_discord, interaction)
    assert _public(payload) and payload["embeds"][0]["title"] == "Not answered by the documents"
    text = all_text(payload)
    assert "You asked: “what is the capital of France? see `https://evil.example/free-nitro`" in text
    assert live_links(text) == [], text


async def test_a_mention_and_an_answer_title_echo_links_inert(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    await fake_discord.send_message(f"<@{fake_discord.bot_user.id}> {SALARY_QUESTION} discord.gg/abc123")
    reply = (await fake_discord.wait_for_request(method="POST", path="/channels/*/messages")).json
    assert reply["embeds"][0]["title"] == f"{SALARY_QUESTION} `discord.gg/abc123`"
    assert live_links(all_text(reply)) == []


async def test_check_and_its_shared_post_echo_links_inert(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    target = await fake_discord.send_message(f"net migration hit a million last year {LINKS}")
    interaction = await fake_discord.send_message_context_menu(MENU_NAME, target)
    private = await final_message(fake_discord, interaction)
    assert live_links(all_text(private)) == []
    message = fake_discord.messages.get(interaction.original_message_id or 0)
    assert message is not None
    (share,) = custom_ids(message)
    shared = await final_message(fake_discord, await fake_discord.send_component(share, message))
    assert _public(shared) and "`https://evil.example/free-nitro`" in all_text(shared)
    assert live_links(all_text(shared)) == []
