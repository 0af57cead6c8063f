"""The fake Discord against the real discord.py client: a small bot exercising every path."""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fake_discord import FakeDiscord, connected, pings_nobody
from tests.fake_discord.permissions import MANAGE_MESSAGES

ACK_ID = "demo:ack"


class AckView(discord.ui.View):
    """Persistent: no timeout and a fixed custom_id, routed by custom_id after restarts."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Acknowledge", custom_id=ACK_ID)
    async def ack(self, interaction: discord.Interaction, button: discord.ui.Button[AckView]) -> None:
        await interaction.response.send_message(f"acknowledged by {interaction.user.mention}", ephemeral=True)


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    text: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(label="Your feedback", custom_id="feedback:text")

    def __init__(self) -> None:
        super().__init__(custom_id="feedback:modal")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks: {self.text.value}", ephemeral=True)


class PickModal(discord.ui.Modal, title="Pick"):
    """A modal built from labels (component type 18) rather than action rows."""

    def __init__(self) -> None:
        super().__init__(custom_id="pick:modal")
        self.choice: discord.ui.Select[PickModal] = discord.ui.Select(
            custom_id="pick:choice", options=[discord.SelectOption(label="a"), discord.SelectOption(label="b")]
        )
        self.add_item(discord.ui.Label(text="Choose", component=self.choice))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"picked {self.choice.values}")


class UserPicker(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.select(cls=discord.ui.UserSelect, custom_id="users:pick")
    async def pick(self, interaction: discord.Interaction, select: discord.ui.UserSelect[UserPicker]) -> None:
        await interaction.response.send_message(",".join(user.name for user in select.values))


policy = app_commands.Group(name="policy", description="Policy questions")


@policy.command(name="search", description="Search the corpus")
@app_commands.describe(query="What to look for", limit="How many hits")
async def policy_search(interaction: discord.Interaction, query: str, limit: int = 3) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    await interaction.followup.send(f"{limit} hits for {query!r} @everyone")


@app_commands.command(name="ask", description="Ask a question")
async def ask(interaction: discord.Interaction, question: str) -> None:
    await interaction.response.send_message(f"answer to {question} for {interaction.user.mention}")


@ask.autocomplete("question")
async def ask_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=f"{current} {n}", value=f"{current}-{n}") for n in range(3)]


@app_commands.command(name="filesize", description="Measure an attachment")
async def filesize(interaction: discord.Interaction, file: discord.Attachment) -> None:
    data = await file.read()
    await interaction.response.send_message(f"claimed {file.size}, got {len(data)} bytes of {file.content_type}")


@app_commands.command(name="panel", description="Post the acknowledge panel")
@app_commands.default_permissions(manage_messages=True)
async def panel(interaction: discord.Interaction) -> None:
    if not interaction.permissions.manage_messages:
        await interaction.response.send_message("moderators only", ephemeral=True)
        return
    await interaction.response.send_message("Please acknowledge", view=AckView())


@app_commands.command(name="feedback", description="Send feedback")
async def feedback(interaction: discord.Interaction) -> None:
    await interaction.response.send_modal(FeedbackModal())


@app_commands.command(name="report", description="Exercise the interaction webhook")
async def report(interaction: discord.Interaction) -> None:
    await interaction.response.defer()
    await interaction.edit_original_response(content="draft")
    extra = await interaction.followup.send("extra", file=discord.File(io.BytesIO(b"report"), "r.txt"), wait=True)
    await extra.edit(content="extra, edited")
    await extra.delete()
    original = await interaction.original_response()
    await interaction.edit_original_response(content=f"final ({original.content})", view=CounterView())


class CounterView(discord.ui.View):
    @discord.ui.button(label="+1", custom_id="counter:inc")
    async def inc(self, interaction: discord.Interaction, button: discord.ui.Button[CounterView]) -> None:
        await interaction.response.edit_message(content="count: 1")

    @discord.ui.button(label="later", custom_id="counter:later")
    async def later(self, interaction: discord.Interaction, button: discord.ui.Button[CounterView]) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content="updated later")


@app_commands.command(name="pick", description="Pick something")
async def pick(interaction: discord.Interaction) -> None:
    await interaction.response.send_modal(PickModal())


@app_commands.context_menu(name="Who")
async def who(interaction: discord.Interaction, member: discord.Member) -> None:
    await interaction.response.send_message(
        f"{member.name}: manage messages={member.guild_permissions.manage_messages}"
    )


@app_commands.context_menu(name="Quote")
async def quote(interaction: discord.Interaction, message: discord.Message) -> None:
    await interaction.response.send_message(f"> {message.content}")


class DemoBot(commands.Bot):
    def __init__(self) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
        )
        for command in (ask, filesize, panel, feedback, report, pick, quote, who, policy):
            self.tree.add_command(command)

    async def setup_hook(self) -> None:
        self.add_view(AckView())
        self.add_view(UserPicker())

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.user is None:
            return
        if self.user.mentioned_in(message) and "upload" in message.content:
            async with message.channel.typing():
                sent = await message.channel.send("file", file=discord.File(io.BytesIO(b"hello"), "h.txt"))
            await sent.edit(content="file, edited")
            await sent.delete()
        elif self.user.mentioned_in(message):
            await message.reply(f"pong: {message.content} <@{message.author.id}> @everyone")


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server
    assert not server.server_errors, server.server_errors[0]


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[DemoBot]:
    client = DemoBot()
    async with connected(client, fake):
        await client.tree.sync()
        yield client


async def test_connects_and_becomes_ready_with_the_fake_guild(fake: FakeDiscord, bot: DemoBot) -> None:
    assert bot.user is not None and bot.user.id == fake.bot_user.id
    guild = bot.get_guild(fake.guild_id)
    assert guild is not None and guild.name == "Fake Guild"
    assert {c.name for c in guild.text_channels} == {"general", "moderation"}
    assert guild.get_role(fake.moderator_role.id).permissions.manage_messages
    assert guild.me is not None
    connect = fake.gateway_events[0]
    assert connect.kind == "connect" and connect.data["compress"] in ("zlib-stream", "zstd-stream")
    identify = fake.gateway.received(2)[0].data
    assert not identify["intents"] & discord.Intents.message_content.flag


async def test_tree_sync_records_global_and_guild_commands(fake: FakeDiscord, bot: DemoBot) -> None:
    put = fake.find_requests("PUT", "/applications/*/commands")[0]
    names = {c["name"]: c for c in put.json}
    assert set(names) == {"ask", "filesize", "panel", "feedback", "report", "pick", "Quote", "Who", "policy"}
    assert names["ask"]["description"] == "Ask a question"
    question = names["ask"]["options"][0]
    assert (question["type"], question["name"], question["required"], question["autocomplete"]) == (
        3, "question", True, True,
    )  # fmt: skip
    search = names["policy"]["options"][0]
    assert search["type"] == 1 and [o["name"] for o in search["options"]] == ["query", "limit"]
    assert search["options"][1]["description"] == "How many hits"
    assert int(names["panel"]["default_member_permissions"]) == MANAGE_MESSAGES
    assert {c["name"] for c in fake.global_commands} == set(names)
    stored_panel = next(c for c in fake.global_commands if c["name"] == "panel")
    assert stored_panel["default_member_permissions"] == str(MANAGE_MESSAGES)  # a string, like Discord

    bot.tree.copy_global_to(guild=discord.Object(fake.guild_id))
    synced = await bot.tree.sync(guild=discord.Object(fake.guild_id))
    assert {c.name for c in synced} == set(names)
    assert all(c["guild_id"] == str(fake.guild_id) for c in fake.guild_commands())


async def test_slash_command_response_is_recorded(fake: FakeDiscord, bot: DemoBot) -> None:
    interaction = await fake.send_slash_command("ask", {"question": "tax"})
    callback = await fake.wait_for_response(interaction)
    assert callback.callback_type == 4
    assert callback.json["data"]["content"] == f"answer to tax for <@{fake.world.alice.id}>"
    assert pings_nobody(callback)
    [message] = [m for m in fake.messages_in() if m["interaction_metadata"]["id"] == str(interaction.id)]
    assert message["type"] == 20 and not message["flags"] & 64


async def test_deferred_ephemeral_followup(fake: FakeDiscord, bot: DemoBot) -> None:
    interaction = await fake.send_slash_command("policy", {"query": "housing", "limit": 2}, subcommand="search")
    await fake.wait_for_response(interaction, count=2)
    defer, followup = fake.responses_for(interaction)
    assert defer.callback_type == 5 and defer.json["data"]["flags"] == 64
    assert followup.method == "POST" and followup.path.startswith(f"/webhooks/{fake.world.application_id}/")
    assert followup.json["content"] == "2 hits for 'housing' @everyone"
    assert pings_nobody(followup)
    # The first follow-up fills the "thinking" message, which stays ephemeral.
    original = fake.messages.get(interaction.original_message_id or 0)
    assert original is not None and original["content"].startswith("2 hits") and original["flags"] == 64


async def test_interaction_webhook_paths(fake: FakeDiscord, bot: DemoBot) -> None:
    interaction = await fake.send_slash_command("report")
    await fake.wait_for_response(interaction, count=7)
    steps = [(r.method, r.path.split(interaction.token)[1]) for r in fake.responses_for(interaction)]
    followup = f"/messages/{fake.responses_for(interaction)[2].response['id']}"
    assert steps == [
        ("POST", "/callback"),  # defer
        ("PATCH", "/messages/@original"),
        ("POST", ""),  # follow-up with a file
        ("PATCH", followup),
        ("DELETE", followup),
        ("GET", "/messages/@original"),
        ("PATCH", "/messages/@original"),
    ]
    upload = fake.responses_for(interaction)[2]
    assert upload.json["content"] == "extra" and upload.files[0].data == b"report"
    assert upload.json["attachments"] == [{"id": 0, "filename": "r.txt"}]
    final = fake.messages.get(interaction.original_message_id or 0)
    assert final is not None and final["content"] == "final (draft)" and final["flags"] == 0
    assert len(fake.messages_in()) == 1  # the follow-up was deleted

    inc = await fake.send_component("counter:inc")
    assert (await fake.wait_for_response(inc)).callback_type == 7
    later = await fake.send_component("counter:later")
    await fake.wait_for_response(later, count=2)
    assert [r.callback_type for r in fake.responses_for(later)] == [6, None]
    assert fake.messages_in()[0]["content"] == "updated later"
    # PATCH @original, multipart follow-up, follow-up edit and the type 7 update all carry it.
    writes = fake.message_writes()
    assert len(writes) == 6 and all(pings_nobody(w) for w in writes)


async def test_channel_message_paths(fake: FakeDiscord, bot: DemoBot) -> None:
    await fake.send_message(f"{fake.bot_user.mention} upload")
    await fake.wait_for_request(method="DELETE", path="/channels/*/messages/*")
    typing, send, edit, delete = [r for r in fake.requests if r.path.startswith("/channels/")]
    assert typing.path.endswith("/typing") and typing.status == 204
    assert send.files[0].filename == "h.txt" and send.json["content"] == "file" and pings_nobody(send)
    assert send.response["attachments"][0]["url"].startswith(fake.base_url)
    assert edit.json["content"] == "file, edited" and pings_nobody(edit)
    assert delete.status == 204 and [m["content"] for m in fake.messages_in()] == [f"{fake.bot_user.mention} upload"]


async def test_server_error_is_retried(fake: FakeDiscord, bot: DemoBot) -> None:
    fake.fail_next("POST", "/channels/*/messages", 502)
    await fake.send_message(f"{fake.bot_user.mention} hi")
    await fake.wait_for_request(lambda r: r.ok, method="POST", path="/channels/*/messages")
    assert [r.status for r in fake.find_requests("POST", "/channels/*/messages")] == [502, 200]


async def test_late_callback_is_unknown_interaction(fake: FakeDiscord, bot: DemoBot) -> None:
    fake.interaction_deadline = 0.05
    fake.slow_next("POST", "/interactions/*/callback", 0.1)
    interaction = await fake.send_slash_command("ask", {"question": "slow"})
    callback = await fake.wait_for_response(interaction, ok=False)
    assert (callback.status, callback.response["code"]) == (404, 10062)


async def test_autocomplete_choices_are_recorded(fake: FakeDiscord, bot: DemoBot) -> None:
    interaction = await fake.send_autocomplete("ask", {"question": "hou"}, focused="question")
    callback = await fake.wait_for_response(interaction)
    assert callback.callback_type == 8
    assert [c["value"] for c in callback.json["data"]["choices"]] == ["hou-0", "hou-1", "hou-2"]


async def test_persistent_button_routed_by_custom_id(fake: FakeDiscord, bot: DemoBot) -> None:
    denied = await fake.send_slash_command("panel")
    assert (await fake.wait_for_response(denied)).json["data"]["content"] == "moderators only"
    posted = await fake.send_slash_command("panel", user=fake.world.moderator)
    await fake.wait_for_response(posted)
    click = await fake.send_component(ACK_ID)  # finds the panel message holding the button
    callback = await fake.wait_for_response(click)
    assert click.payload["message"]["id"] == str(posted.original_message_id)
    assert callback.json == {
        "type": 4,
        "data": {
            "tts": False,
            "content": f"acknowledged by <@{fake.world.alice.id}>",
            "flags": 64,
            "allowed_mentions": {"parse": []},
        },
    }


async def test_member_permissions_and_roles_reach_the_bot(fake: FakeDiscord, bot: DemoBot) -> None:
    by_perms = await fake.send_slash_command("panel", member_permissions=MANAGE_MESSAGES)
    by_role = await fake.send_slash_command("panel", roles=[fake.moderator_role])
    helper = fake.add_member("helper", moderator=True)
    by_member = await fake.send_slash_command("panel", user=helper)
    for interaction in (by_perms, by_role, by_member):
        assert (await fake.wait_for_response(interaction)).json["data"]["content"] == "Please acknowledge"


async def test_mention_gets_a_reply(fake: FakeDiscord, bot: DemoBot) -> None:
    await fake.send_message("not for the bot")
    sent = await fake.send_message(f"{fake.bot_user.mention} ping")
    reply = await fake.wait_for_request(method="POST", path="/channels/*/messages")
    assert str(reply.json["message_reference"]["message_id"]) == sent["id"]
    assert reply.json["content"] == f"pong: {fake.bot_user.mention} ping <@{fake.world.alice.id}> @everyone"
    assert reply.json["allowed_mentions"] == {"parse": []}
    assert pings_nobody(reply)
    assert len(fake.find_requests("POST", "/channels/*/messages")) == 1


async def test_rate_limited_send_is_retried(fake: FakeDiscord, bot: DemoBot) -> None:
    fake.fail_next("POST", "/channels/*/messages", 429, retry_after=0.1)
    await fake.send_message(f"{fake.bot_user.mention} hi")
    await fake.wait_for_request(lambda r: r.ok, method="POST", path="/channels/*/messages")
    limited, retried = fake.find_requests("POST", "/channels/*/messages")
    assert (limited.status, limited.injected, retried.status) == (429, True, 200)
    assert limited.json == retried.json


async def test_forced_reconnect_resumes_and_replays(fake: FakeDiscord, bot: DemoBot) -> None:
    session = fake.gateway.session
    await fake.force_reconnect()
    resume = fake.gateway.received(6)[-1]
    assert resume.data["session_id"] == session.session_id
    # An event sent while the socket is down is replayed after RESUME.
    await fake.drop_connection(4000, wait=False)
    await fake.send_message(f"{fake.bot_user.mention} are you there?")
    await fake.wait_for_resume(2)
    reply = await fake.wait_for_request(method="POST", path="/channels/*/messages")
    assert "are you there?" in reply.json["content"]
    assert len(fake.gateway.received(2)) == 1  # never re-identified


async def test_invalidated_session_identifies_again(
    fake: FakeDiscord, bot: DemoBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def identify_now(shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before any IDENTIFY but the first; not needed against the fake."""

    monkeypatch.setattr(bot, "before_identify_hook", identify_now)
    old_session = fake.gateway.session
    await fake.invalidate_session(resumable=False)
    await fake.gateway.wait_for(lambda e: e.kind == "receive" and e.op == 2, count=2)
    assert fake.gateway.session is not old_session
    await fake.send_message(f"{fake.bot_user.mention} still there?")
    assert "still there?" in (await fake.wait_for_request(method="POST", path="/channels/*/messages")).json["content"]


async def test_context_menu_and_modal(fake: FakeDiscord, bot: DemoBot) -> None:
    target = await fake.send_message("quote me")
    quoted = await fake.send_message_context_menu("Quote", target)
    assert (await fake.wait_for_response(quoted)).json["data"]["content"] == "> quote me"
    opened = await fake.send_slash_command("feedback")
    modal = await fake.wait_for_response(opened)
    assert modal.callback_type == 9 and modal.json["data"]["custom_id"] == "feedback:modal"
    submitted = await fake.send_modal_submit("feedback:modal", {"feedback:text": "great"})
    assert (await fake.wait_for_response(submitted)).json["data"]["content"] == "thanks: great"


async def test_user_menu_entity_select_and_label_modal(fake: FakeDiscord, bot: DemoBot) -> None:
    whois = await fake.send_user_context_menu("Who", fake.world.moderator)
    assert (await fake.wait_for_response(whois)).json["data"]["content"] == "mod: manage messages=True"
    picked = await fake.send_component("users:pick", component_type=5, values=[fake.world.alice, fake.world.moderator])
    assert (await fake.wait_for_response(picked)).json["data"]["content"] == "alice,mod"
    opened = await fake.send_slash_command("pick")
    assert (await fake.wait_for_response(opened)).json["data"]["components"][0]["type"] == 18
    submitted = await fake.send_modal_submit("pick:modal", {"pick:choice": ["b"]})
    assert submitted.payload["data"]["components"][0]["type"] == 18
    assert (await fake.wait_for_response(submitted)).json["data"]["content"] == "picked ['b']"


async def test_attachment_download_can_lie(fake: FakeDiscord, bot: DemoBot) -> None:
    attachment = fake.add_attachment("a.txt", b"x" * 10, content_type="text/plain", size=3, chunked=True)
    interaction = await fake.send_slash_command("filesize", {"file": attachment})
    callback = await fake.wait_for_response(interaction)
    assert callback.json["data"]["content"] == "claimed 3, got 10 bytes of text/plain"
    assert fake.find_requests("GET", f"/attachments/{attachment.id}/a.txt")


async def test_every_send_pings_nobody(fake: FakeDiscord, bot: DemoBot) -> None:
    await fake.send_message(f"{fake.bot_user.mention} hello")
    for interaction in (
        await fake.send_slash_command("ask", {"question": "q"}),
        await fake.send_slash_command("policy", {"query": "q"}, subcommand="search"),
        await fake.send_component(ACK_ID),
    ):
        await fake.wait_for_response(interaction, count=2 if interaction.payload["data"].get("name") == "policy" else 1)
    await fake.wait_for_request(method="POST", path="/channels/*/messages")
    writes = fake.message_writes()
    # The reply, two callbacks with a message (type 4) and the follow-up; the type 5 defer carries none.
    assert len(writes) == 4
    assert all(pings_nobody(w) for w in writes), [w.message_payload for w in writes]


async def test_discord_side_checks(fake: FakeDiscord, bot: DemoBot) -> None:
    channel = bot.get_channel(fake.channel_id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send("x" * 2001)
    assert too_long.value.code == 50035
    interaction = await fake.send_slash_command("ask", {"question": "q"})
    await fake.wait_for_response(interaction)
    async with aiohttp.ClientSession() as http:
        url = f"{fake.api_base}/interactions/{interaction.id}/{interaction.token}/callback"
        async with http.post(url, json={"type": 4, "data": {"content": "again"}}) as again:
            assert again.status == 400 and (await again.json())["code"] == 40060


def test_pings_nobody_cases() -> None:
    assert pings_nobody({"content": "x", "allowed_mentions": {"parse": []}})
    assert pings_nobody({"type": 4, "data": {"allowed_mentions": {"parse": [], "replied_user": False}}})
    assert not pings_nobody({"content": "x"})
    assert not pings_nobody({"allowed_mentions": {"parse": ["users"]}})
    assert not pings_nobody({"allowed_mentions": {"parse": [], "users": ["1"]}})
    assert not pings_nobody({"allowed_mentions": {"parse": [], "replied_user": True}})


# Run with the sitecustomize from fake.env(); refuses to start if it was not applied.
CHILD_BOT = """
import sys, discord
if not discord.http.Route.BASE.startswith("http://127.0.0.1:"):
    sys.exit("sitecustomize did not patch discord.py")

class Child(discord.Client):
    async def on_ready(self):
        await self.get_channel(int(sys.argv[1])).send("hello from a child process")
        await self.close()

Child(intents=discord.Intents.default(), allowed_mentions=discord.AllowedMentions.none(),
      guild_ready_timeout=0.1).run("child-token", log_handler=None)
"""


async def test_subprocess_bot_uses_sitecustomize(fake: FakeDiscord) -> None:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD_BOT, str(fake.channel_id), env=fake.env(), stderr=asyncio.subprocess.PIPE
    )
    try:
        sent = await fake.wait_for_request(method="POST", path="/channels/*/messages", timeout=20)
        assert sent.json["content"] == "hello from a child process" and pings_nobody(sent)
        assert sent.headers["Authorization"] == "Bot child-token"
    finally:
        _, stderr = await asyncio.wait_for(child.communicate(), 20)
    assert child.returncode == 0, stderr.decode()


async def test_message_content_intent_is_enforced(fake: FakeDiscord, bot: DemoBot) -> None:
    seen: list[str] = []

    async def capture(message: discord.Message) -> None:
        seen.append(message.content)

    bot.add_listener(capture, "on_message")
    await fake.send_message("chatter the bot may not read")
    await fake.send_message(f"{fake.bot_user.mention} ping")
    reply = await fake.wait_for_request(method="POST", path="/channels/*/messages")
    assert seen[:2] == ["", f"{fake.bot_user.mention} ping"]
    # The bot's own reply comes back over the gateway with its content, as on Discord.
    async with asyncio.timeout(5):
        while len(seen) < 3:
            await asyncio.sleep(0.01)
    assert seen[2] == reply.json["content"]


async def test_direct_messages(fake: FakeDiscord, bot: DemoBot) -> None:
    stranger = fake.add_user("stranger")
    dm = await fake.send_message(f"{fake.bot_user.mention} hello in private", author=stranger, guild=False)
    reply = await fake.wait_for_request(method="POST", path="/channels/*/messages")
    assert reply.path == f"/channels/{dm['channel_id']}/messages" and "guild_id" not in dm
    interaction = await fake.send_slash_command("ask", {"question": "dm"}, user=stranger, guild=False)
    assert "member" not in interaction.payload and interaction.payload["user"]["id"] == str(stranger.id)
    callback = await fake.wait_for_response(interaction)
    assert callback.json["data"]["content"] == f"answer to dm for <@{stranger.id}>"
