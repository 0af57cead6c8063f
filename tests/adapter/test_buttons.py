"""Buttons under an answer: Show passages, More, 👍/👎 — and after a restart."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.adapter.client import PolicyBot
from bot.adapter.views import CORPUS_CHANGED, EXPIRED
from bot.config import Settings
from bot.engine.engine import Engine
from bot.engine.models import Answer
from tests.adapter.conftest import (
    EPHEMERAL,
    SALARY_QUESTION,
    SEED_TITLE,
    SEED_VERSION,
    UNANSWERABLE_QUESTION,
    custom_ids,
    final_message,
    running_bot,
)
from tests.conftest import SEEDS
from tests.fake_discord import FakeDiscord


async def _ask(fake: FakeDiscord, question: str = SALARY_QUESTION) -> dict:
    interaction = await fake.send_slash_command("ask", {"question": question})
    await final_message(fake, interaction)
    message = fake.messages.get(interaction.original_message_id or 0)
    assert message is not None
    return message


def button(message: dict, action: str) -> str:
    """The custom id of ``action``'s button under ``message`` ("pb:<action>:<database instance>:<id>")."""
    (custom_id,) = [c for c in custom_ids(message) if c.startswith(f"pb:{action}:")]
    return custom_id


async def _press(fake: FakeDiscord, custom_id: str, message: dict | None = None, **kwargs: object) -> dict:
    interaction = await fake.send_component(custom_id, message, **kwargs)  # type: ignore[arg-type]
    payload = await final_message(fake, interaction)
    assert (await fake.wait_for_response(interaction)).json["data"]["flags"] & EPHEMERAL  # answered privately
    return payload


async def test_more_shows_the_next_best_sentences(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    answer = await _ask(fake_discord)
    assert button(answer, "more") == f"pb:more:{bot.storage.instance}:1"
    payload = await _press(fake_discord, button(answer, "more"), answer)
    (embed,) = payload["embeds"]
    assert embed["title"] == f"More: {SALARY_QUESTION}"
    expected = bot.engines.engine.ask(SALARY_QUESTION).more
    assert embed["description"].count("”") == len(expected) == 5
    assert embed["footer"]["text"] == f"documents as of 5 Dec 2023 · 1 document · 5 sentences · corpus {SEED_VERSION}"
    assert "£40,000 **salary threshold**" in embed["description"]


async def test_show_passages_is_private_and_shows_whole_paragraphs(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    answer = await _ask(fake_discord)
    payload = await _press(fake_discord, button(answer, "cite"), answer)
    titles = [e["title"] for e in payload["embeds"]]
    shown = bot.engines.engine.ask(SALARY_QUESTION).sentences
    assert titles == [f"[{i}] {SEED_TITLE} · ¶{s.citation.paragraph}" for i, s in enumerate(shown, start=1)]
    assert titles[0] == f"[1] {SEED_TITLE} · ¶58"
    cited = shown[0].citation
    passage = bot.engines.engine.passage(cited.passage_id)
    assert passage is not None
    assert payload["embeds"][0]["description"] == "“" + " ".join(passage.text.split()) + "”"


async def test_votes_are_stored_one_per_user_and_changeable(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    answer = await _ask(fake_discord)
    alice, bob = fake_discord.world.alice, fake_discord.add_member("bob")
    up, down = button(answer, "up"), button(answer, "down")
    replies = [
        (await _press(fake_discord, up, answer, user=alice))["content"],
        (await _press(fake_discord, up, answer, user=alice))["content"],
        (await _press(fake_discord, down, answer, user=alice))["content"],
        (await _press(fake_discord, down, answer, user=bob))["content"],  # a public answer: anyone may vote
    ]
    assert replies == [
        "Thanks — your 👍 is recorded.",
        "You had already voted 👍 on this answer.",
        "Changed your vote to 👎.",
        "Thanks — your 👎 is recorded.",
    ]
    votes = {(f.user_id, f.vote, f.question, f.corpus_version) for f in await bot.storage.feedback(1)}
    assert votes == {(alice.id, -1, SALARY_QUESTION, SEED_VERSION), (bob.id, -1, SALARY_QUESTION, SEED_VERSION)}


async def test_unknown_answer_says_expired(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    instance = bot.storage.instance
    for custom_id in (f"pb:more:{instance}:999", f"pb:cite:{instance}:999", f"pb:up:{instance}:999"):
        payload = await _press(fake_discord, custom_id)  # the fake makes up a message holding the button
        assert payload["content"] == EXPIRED
    assert await bot.storage.feedback() == []


async def test_buttons_work_after_a_restart(
    fake_discord: FakeDiscord, settings: Settings, seed_engine: Engine, tmp_path: Path
) -> None:
    async with running_bot(fake_discord, settings, seed_engine):
        answer = await _ask(fake_discord)
        unanswered = await _ask(fake_discord, UNANSWERABLE_QUESTION)
    # A new process: new client, new engine object, same state directory.
    async with running_bot(fake_discord, settings, Engine.from_folder(settings.corpus_dir)) as bot:
        more = await _press(fake_discord, button(answer, "more"), answer)
        assert more["embeds"][0]["title"] == f"More: {SALARY_QUESTION}" and not more.get("content")
        passages = await _press(fake_discord, button(unanswered, "cite"), unanswered)
        assert passages["embeds"][0]["title"].endswith("· ¶31")
        vote = await _press(fake_discord, button(answer, "up"), answer)
        assert vote["content"] == "Thanks — your 👍 is recorded."
        assert [f.vote for f in await bot.storage.feedback(1)] == [1]


async def test_after_the_corpus_changed_a_button_says_so(
    fake_discord: FakeDiscord, settings: Settings, seed_engine: Engine, tmp_path: Path
) -> None:
    async with running_bot(fake_discord, settings, seed_engine):
        answer = await _ask(fake_discord)
    changed = tmp_path / "changed"
    shutil.copytree(SEEDS, changed)
    (changed / "extra.md").write_text("# Extra\n\nAn unrelated note about bus fares.\n", encoding="utf-8")
    async with running_bot(fake_discord, settings, Engine.from_folder(changed)):
        more = await _press(fake_discord, button(answer, "more"), answer)
        assert more["content"] == CORPUS_CHANGED
        assert more["embeds"][0]["title"] == f"More: {SALARY_QUESTION}"


async def test_buttons_on_a_private_answer(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    interaction = await fake_discord.send_slash_command("ask", {"question": SALARY_QUESTION, "private": True})
    payload = await final_message(fake_discord, interaction)
    instance = bot.storage.instance
    assert custom_ids(payload) == [f"pb:{action}:{instance}:1" for action in ("cite", "more", "up", "down")]
    message = fake_discord.messages.get(interaction.original_message_id or 0)
    assert message is not None
    more = await _press(fake_discord, button(message, "more"), message)
    assert more["embeds"][0]["title"] == f"More: {SALARY_QUESTION}"


async def test_an_exception_in_a_button_gets_a_private_reply_with_a_reference(
    fake_discord: FakeDiscord, settings: Settings, seed_engine: Engine
) -> None:
    async with running_bot(fake_discord, settings, seed_engine):
        answer = await _ask(fake_discord)

    class BrokenEngine(Engine):
        def ask(self, question: str, max_sentences: int = 3) -> Answer:
            raise RuntimeError("button path broke")

    async with running_bot(fake_discord, settings, BrokenEngine(seed_engine.documents)):
        payload = await _press(fake_discord, button(answer, "more"), answer)
        assert payload["content"].startswith("Sorry, something went wrong") and "Reference: `E-" in payload["content"]
