"""``/corpus``: moderators manage the documents from Discord, end to end through the fake Discord."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.adapter.client import PolicyBot
from bot.adapter.cogs.corpus_admin import COG_NAME, CorpusAdminCog, recover_interrupted_adds
from bot.adapter.moderation import NOT_PERMITTED
from bot.adapter.render_corpus import PROGRESS_MARK
from bot.config import Settings
from bot.engine.corpus.documents import corpus_files
from bot.engine.corpus.store import CorpusStore
from bot.engine.engine import Engine
from bot.storage import Storage
from tests.adapter.conftest import (
    EPHEMERAL,
    SALARY_QUESTION,
    SEED_TITLE,
    SEED_VERSION,
    UNANSWERABLE_QUESTION,
    all_text,
    custom_ids,
    make_settings,
    running_bot,
)
from tests.conftest import SEED_FILE
from tests.fake_discord import FakeDiscord, FakeInteraction, FakeMember, RecordedRequest, pings_nobody
from tests.fake_discord import permissions as perms
from tests.fixtures.hostile.make import elf_bytes, valid_pdf

SEED_ID = SEED_FILE.name
MB = 1024 * 1024
MANAGE_SERVER = perms.EVERYONE | perms.MANAGE_GUILD

FARES_MD = (
    b"# Bus fares policy\n\nThe bus fare cap in the county stays at two pounds per journey until December 2025.\n\n"
    b"Operators receive a subsidy of \xc2\xa33 million a year to keep fares low.\n"
)
MEALS_HTML = (
    b"<!DOCTYPE html><html><head><title>School meals plan</title></head><body><nav>Home | News</nav>"
    b"<h1>School meals plan</h1><p>Every primary school pupil will receive free school meals from September 2026.</p>"
    b"<p>The scheme costs \xc2\xa3400 million a year and is paid for by the education budget.</p></body></html>"
)
FARES_QUESTION = "how long does the bus fare cap stay at two pounds?"
MEALS_QUESTION = "when will primary pupils get free school meals?"
PDF_QUESTION = "how quickly must planning decisions be published?"


# -- fixtures and helpers --------------------------------------------------------------------------


@pytest.fixture
def mod_settings(fake_discord: FakeDiscord, tmp_path: Path, corpus_copy: Path) -> Settings:
    return make_settings(
        tmp_path / "state",
        corpus_copy,
        moderator_role_ids=[fake_discord.moderator_role.id],
        log_channel_id=fake_discord.world.moderation.id,
    )


@pytest.fixture
async def bot(fake_discord: FakeDiscord, mod_settings: Settings, seed_engine: Engine) -> AsyncIterator[PolicyBot]:
    async with running_bot(fake_discord, mod_settings, seed_engine) as client:
        yield client


@pytest.fixture
def manager(fake_discord: FakeDiscord) -> FakeMember:
    """A member with Manage Server and no moderator role."""
    return fake_discord.add_member("manager", permissions=MANAGE_SERVER)


def cog(bot: PolicyBot) -> CorpusAdminCog:
    found = bot.get_cog(COG_NAME)
    assert isinstance(found, CorpusAdminCog)
    return found


def listing(folder: Path) -> dict[str, bytes]:
    """Every file under the corpus folder (trash included) with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


async def corpus(
    fake: FakeDiscord, sub: str, options: dict[str, Any] | None = None, *, user: Any = None, **kwargs: Any
) -> FakeInteraction:
    return await fake.send_slash_command("corpus", options or {}, subcommand=sub, user=user, **kwargs)


def _is_final(record: RecordedRequest) -> bool:
    payload = record.message_payload or {}
    if not record.writes_message or not (payload.get("content") or payload.get("embeds")):
        return False
    return not (payload.get("content") or "").startswith(PROGRESS_MARK)


async def reply(fake: FakeDiscord, interaction: FakeInteraction, timeout: float = 15.0) -> dict[str, Any]:
    """The message that ends a command: the first one that is not a progress update."""
    record = await fake.wait_for_request(
        lambda r: r.interaction_token == interaction.token and _is_final(r), timeout=timeout
    )
    payload = record.message_payload
    assert payload is not None
    return payload


async def ask(fake: FakeDiscord, question: str) -> dict[str, Any]:
    interaction = await fake.send_slash_command("ask", {"question": question})
    return await reply(fake, interaction)


def sources_of(answer: dict[str, Any]) -> str:
    (embed,) = answer["embeds"]
    return "\n".join(f["value"] for f in embed.get("fields") or [])


async def choices(fake: FakeDiscord, sub: str, option: str, typed: str, user: Any) -> list[dict[str, Any]]:
    interaction = await fake.send_autocomplete("corpus", {option: typed}, option, subcommand=sub, user=user)
    record = await fake.wait_for_response(interaction)
    assert record.callback_type == 8
    return record.json["data"]["choices"]


async def log_lines(fake: FakeDiscord, count: int) -> list[str]:
    """The first ``count`` audit messages posted to the log channel (waits for them)."""
    path = f"/channels/{fake.world.moderation.id}/messages"
    await fake.wait_for_request(method="POST", path=path, count=count)
    posted = fake.find_requests("POST", path)
    assert all(pings_nobody(r) for r in posted)
    return [r.json["content"] for r in posted]


async def upload(
    fake: FakeDiscord, filename: str, data: bytes, *, user: Any, options: dict[str, Any] | None = None, **kwargs: Any
) -> tuple[Any, dict[str, Any]]:
    attachment = fake.add_attachment(filename, data, **kwargs)
    interaction = await corpus(fake, "add", {"file": attachment, **(options or {})}, user=user)
    return attachment, await reply(fake, interaction)


def downloads(fake: FakeDiscord, attachment: Any) -> list[RecordedRequest]:
    return fake.find_requests("GET", f"/attachments/{attachment.id}/*")


# -- who may ---------------------------------------------------------------------------------------


async def test_members_without_rights_are_refused_everything_and_each_attempt_is_audited(
    fake_discord: FakeDiscord, bot: PolicyBot, mod_settings: Settings
) -> None:
    folder = mod_settings.corpus_dir
    before = listing(folder)
    alice = fake_discord.world.alice
    attachment = fake_discord.add_attachment("notes.md", FARES_MD)
    attempts = [
        ("refresh", {}),
        ("add", {"file": attachment}),
        ("remove", {"document": SEED_ID}),
        ("restore", {"entry": "20240101T000000000000Z"}),
        ("list", {}),
        ("gaps", {}),
    ]
    for sub, options in attempts:
        interaction = await corpus(fake_discord, sub, options, user=alice)
        record = await fake_discord.wait_for_response(interaction)
        assert record.callback_type == 4, sub
        assert record.json["data"]["content"] == NOT_PERMITTED and record.json["data"]["flags"] & EPHEMERAL
    # Autocomplete offers nothing, and a forged press of a Remove button is refused too.
    assert await choices(fake_discord, "remove", "document", "", alice) == []
    assert await choices(fake_discord, "restore", "entry", "", alice) == []
    key = hashlib.sha256(SEED_ID.encode()).hexdigest()[:16]
    pressed = await fake_discord.send_component(f"pb:crm:ok:{alice.id}:{key}", user=alice)
    assert (await reply(fake_discord, pressed))["content"] == NOT_PERMITTED

    assert downloads(fake_discord, attachment) == []  # refused before anything was fetched
    assert listing(folder) == before and bot.engines.version == SEED_VERSION
    audit = await bot.storage.audit_log()
    assert [(a.action, a.outcome, a.user_id) for a in audit] == [
        ("corpus refresh", "refused", alice.id),
        ("corpus add", "refused", alice.id),
        ("corpus remove", "refused", alice.id),
        ("corpus restore", "refused", alice.id),
        ("corpus list", "refused", alice.id),
        ("corpus gaps", "refused", alice.id),
        ("autocomplete corpus remove", "refused", alice.id),
        ("autocomplete corpus restore", "refused", alice.id),
        ("corpus remove", "refused", alice.id),
    ]
    assert audit[1].target == "notes.md" and audit[2].target == SEED_ID
    # Posted: every refused command; autocomplete refusals at most once per member in a while.
    lines = await log_lines(fake_discord, 8)
    assert len(lines) == 8 and all("**refused**" in line and f"alice ({alice.id})" in line for line in lines)
    assert "`corpus add`" in lines[1] and "notes.md" in lines[1]
    assert (await ask(fake_discord, SALARY_QUESTION))["embeds"][0]["title"] == SALARY_QUESTION


async def test_manage_server_and_moderator_role_both_work(
    fake_discord: FakeDiscord, bot: PolicyBot, manager: FakeMember
) -> None:
    for who in (manager, fake_discord.world.moderator):
        payload = await reply(fake_discord, await corpus(fake_discord, "list", user=who))
        (embed,) = payload["embeds"]
        assert embed["title"] == "Corpus documents (1)" and SEED_TITLE in embed["description"]
        offered = await choices(fake_discord, "remove", "document", "rwanda", who)
        assert [c["value"] for c in offered] == [SEED_ID] and offered[0]["name"].startswith("Cleverly signs")
    # The Moderator role grants no Manage Server: without MODERATOR_ROLE_IDS it is not enough.
    assert not fake_discord.moderator_role.permissions & perms.MANAGE_GUILD
    audit = await bot.storage.audit_log()
    assert [(a.action, a.outcome) for a in audit] == [("corpus list", "ok")] * 2


async def test_a_moderator_role_is_only_a_moderator_role_when_configured(
    fake_discord: FakeDiscord, settings: Settings, seed_engine: Engine
) -> None:
    async with running_bot(fake_discord, settings, seed_engine) as client:  # no MODERATOR_ROLE_IDS
        interaction = await corpus(fake_discord, "list", user=fake_discord.world.moderator)
        assert (await reply(fake_discord, interaction))["content"] == NOT_PERMITTED
        owner = await corpus(fake_discord, "list", user=fake_discord.world.owner)  # the owner has every permission
        assert (await reply(fake_discord, owner))["embeds"][0]["title"] == "Corpus documents (1)"
        assert [a.outcome for a in await client.storage.audit_log()] == ["refused", "ok"]
    assert not fake_discord.find_requests("POST", f"/channels/{fake_discord.world.moderation.id}/messages")


async def test_the_group_is_guild_only_and_hinted_for_manage_server(fake_discord: FakeDiscord, bot: PolicyBot) -> None:
    (command,) = [c for c in fake_discord.global_commands if c["name"] == "corpus"]
    assert int(command["default_member_permissions"]) == perms.MANAGE_GUILD
    assert command.get("dm_permission") is False or command.get("contexts") == [0]
    names = {option["name"] for option in command["options"]}
    assert names == {"refresh", "add", "remove", "restore", "list", "gaps"}


# -- adding documents ------------------------------------------------------------------------------


async def test_a_moderator_adds_markdown_html_and_pdf_and_each_is_answerable(
    fake_discord: FakeDiscord, bot: PolicyBot, manager: FakeMember, mod_settings: Settings
) -> None:
    uploads = [
        ("fares.md", FARES_MD, "Bus fares policy", "MD", FARES_QUESTION, "two pounds per journey"),
        ("meals.html", MEALS_HTML, "School meals plan", "HTML", MEALS_QUESTION, "free school meals from September"),
        ("brief.pdf", valid_pdf(), "Housing Policy Brief", "PDF", PDF_QUESTION, "within ten working days"),
    ]
    versions = {bot.engines.version}
    for filename, data, title, fmt, question, quoted in uploads:
        _, payload = await upload(fake_discord, filename, data, user=manager, content_type="text/plain")
        embed = payload["embeds"][0]
        assert embed["title"] == f"Added: {title}"
        assert fmt in embed["description"] and "passage" in embed["description"]
        example = next(f for f in embed["fields"] if f["name"] == "Example answer from it")
        assert title in example["value"] and quoted in example["value"].replace("**", "")
        answer = await ask(fake_discord, question)
        assert title in sources_of(answer) and quoted in answer["embeds"][0]["description"].replace("**", "")
        versions.add(bot.engines.version)
    assert len(versions) == 4  # every add swapped in a new engine
    # Stored under names the bot chose, each with its provenance; the seed is still answered.
    stored = {p.name for p in mod_settings.corpus_dir.iterdir()} - {SEED_ID, SEED_ID + ".meta.json"}
    documents = sorted(n for n in stored if not n.endswith(".meta.json"))
    assert [n.split("-")[0] for n in documents] == ["bus", "housing", "school"]
    assert not {"fares.md", "meals.html", "brief.pdf"} & stored
    pdf_id = next(n for n in documents if n.startswith("housing"))
    meta = json.loads((mod_settings.corpus_dir / f"{pdf_id}.meta.json").read_text(encoding="utf-8"))
    assert meta["title"] == "Housing Policy Brief" and meta["format"] == "pdf"
    assert meta["original_filename"] == "brief.pdf" and meta["added_by"] == {"id": str(manager.id), "name": "manager"}
    assert meta["upload_sha256"] == hashlib.sha256(valid_pdf()).hexdigest() and len(meta["sha256"]) == 64
    assert meta["added_at"].endswith("+00:00")
    assert SEED_TITLE in sources_of(await ask(fake_discord, SALARY_QUESTION))
    audit = [a for a in await bot.storage.audit_log() if a.action == "corpus add"]
    assert [a.outcome for a in audit] == ["ok"] * 3
    assert audit[2].sha256 == meta["upload_sha256"] and audit[2].target == f"{pdf_id} — Housing Policy Brief"
    lines = await log_lines(fake_discord, 3)
    assert "`corpus add` · **ok** · manager" in lines[0] and "Bus fares policy" in lines[0]


async def test_options_set_the_citation(fake_discord: FakeDiscord, bot: PolicyBot, manager: FakeMember) -> None:
    options = {
        "title": "County fares",
        "source": "County Council",
        "url": "https://example.org/fares",
        "date": "2024-03-01",
    }
    _, payload = await upload(fake_discord, "fares.md", FARES_MD, user=manager, options=options)
    embed = payload["embeds"][0]
    assert embed["title"] == "Added: County fares"
    assert "County Council · 2024-03-01 · [link](https://example.org/fares)" in embed["description"]
    sources = sources_of(await ask(fake_discord, FARES_QUESTION))
    assert "[County fares](https://example.org/fares) · County Council · 2024-03-01" in sources


async def test_the_url_given_is_stored_with_the_document_and_linked_by_its_citations(
    fake_discord: FakeDiscord, bot: PolicyBot, manager: FakeMember, mod_settings: Settings
) -> None:
    given = "HTTPS://example.org/fares/" + "x" * (300 - len("HTTPS://example.org/fares/"))  # as long as links go
    stored = "https" + given[len("HTTPS") :]
    _, payload = await upload(fake_discord, "fares.md", FARES_MD, user=manager, options={"url": given})
    assert f"[link]({stored})" in payload["embeds"][0]["description"]
    (sidecar,) = [p for p in mod_settings.corpus_dir.glob("bus-fares-policy-*.meta.json")]
    assert json.loads(sidecar.read_text(encoding="utf-8"))["url"] == stored
    assert f"[Bus fares policy]({stored})" in sources_of(await ask(fake_discord, FARES_QUESTION))
    assert not bot.engines.engine.problems  # the loader took the url as given (no "ignored" warning)


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"url": "javascript:alert(1)"}, "must be a web address starting with http"),
        # Refused, not stored: a citation cannot carry an address this long, so it would never be linked.
        ({"url": "https://example.org/" + "a" * 290}, "citations link at most 300"),
        ({"url": "https://example.org/a<b>"}, "must be a web address starting with http"),
        ({"url": "https://gov.example@evil.example/fares"}, "must not contain a user name"),
        ({"date": "5 December 2023"}, "is not a date like 2023-12-05"),
    ],
)
async def test_bad_options_are_refused_before_downloading(
    fake_discord: FakeDiscord, bot: PolicyBot, manager: FakeMember, options: dict[str, str], reason: str
) -> None:
    attachment, payload = await upload(fake_discord, "fares.md", FARES_MD, user=manager, options=options)
    assert reason in all_text(payload) and downloads(fake_discord, attachment) == []


async def test_bad_uploads_get_a_reason_and_change_nothing(
    fake_discord: FakeDiscord, bot: PolicyBot, mod_settings: Settings
) -> None:
    moderator = fake_discord.world.moderator
    folder = mod_settings.corpus_dir
    before = listing(folder)
    broken_pdf = valid_pdf()[:700]
    cases = [
        ("report.pdf", broken_pdf, {}, "truncated or damaged PDF"),
        ("notes.txt", elf_bytes(), {}, "the file is an executable (ELF)"),
        ("big.txt", b"small really", {"size": 11 * MB}, "file is 11 MB; the limit is 10 MB"),
        ("../../x.txt", b"Some text that would be fine.", {}, "is not a plain file name"),
        ("sheet.xlsx", b"PK\x03\x04", {}, "unsupported file type .xlsx"),
    ]
    for filename, data, kwargs, reason in cases:
        attachment, payload = await upload(fake_discord, filename, data, user=moderator, **kwargs)
        (embed,) = payload["embeds"]
        assert embed["title"] == "Not added", filename
        assert reason in embed["description"] and "Nothing was changed" in embed["description"], embed
        assert listing(folder) == before and bot.engines.version == SEED_VERSION
        if filename in ("big.txt", "../../x.txt", "sheet.xlsx"):
            assert downloads(fake_discord, attachment) == [], filename  # refused before downloading
    assert SEED_TITLE in sources_of(await ask(fake_discord, SALARY_QUESTION))
    audit = await bot.storage.audit_log()
    assert [(a.action, a.outcome) for a in audit] == [("corpus add", "failed")] * len(cases)
    assert audit[1].sha256 == hashlib.sha256(elf_bytes()).hexdigest()  # downloaded, so hashed
    assert audit[2].sha256 is None and audit[2].target == "big.txt"


async def test_the_same_document_twice_is_refused(
    fake_discord: FakeDiscord, bot: PolicyBot, manager: FakeMember, mod_settings: Settings
) -> None:
    await upload(fake_discord, "fares.md", FARES_MD, user=manager)
    before, version = listing(mod_settings.corpus_dir), bot.engines.version
    for options in ({}, {"title": "Another title"}):
        _, payload = await upload(fake_discord, "fares-copy.md", FARES_MD, user=manager, options=options)
        text = all_text(payload)
        assert "Not added" in text and "already in the corpus as “Bus fares policy”" in text
    assert listing(mod_settings.corpus_dir) == before and bot.engines.version == version


# -- refresh ---------------------------------------------------------------------------------------


async def test_refresh_reports_changes_and_failing_files_and_keeps_answering(
    fake_discord: FakeDiscord, bot: PolicyBot, mod_settings: Settings, manager: FakeMember
) -> None:
    folder = mod_settings.corpus_dir
    seed = folder / SEED_ID
    seed.write_text(seed.read_text(encoding="utf-8").replace("£38,700", "£39,900"), encoding="utf-8")
    (folder / "fares.md").write_bytes(FARES_MD)
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02binary junk\x00" * 10)
    payload = await reply(fake_discord, await corpus(fake_discord, "refresh", user=manager))
    (embed,) = payload["embeds"]
    assert embed["title"] == "Corpus refreshed"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert "Bus fares policy (fares.md)" in fields["Added (1)"]
    assert SEED_TITLE in fields["Changed (1)"] and "passages 73 → 73" in fields["Changed (1)"]
    assert (
        "salary threshold for a work visa (new value): £38,700 → £39,900 — "
        in fields["Figures whose values changed (1)"]
    )
    assert "broken.txt — binary file" in fields["Files that could not be read (1) — not served"]
    assert f"Corpus version {SEED_VERSION} → {bot.engines.version}" in embed["description"]
    assert "passages 73 → 75" in embed["description"]
    assert SEED_TITLE in sources_of(await ask(fake_discord, SALARY_QUESTION))  # the good documents stay served
    assert "Bus fares policy" in sources_of(await ask(fake_discord, FARES_QUESTION))
    (audit,) = await bot.storage.audit_log()
    assert (audit.action, audit.outcome) == ("corpus refresh", "ok") and "1 unreadable file(s)" in (audit.reason or "")
    # The unreadable file can be picked for removal.
    offered = await choices(fake_discord, "remove", "document", "broken", manager)
    assert [c["value"] for c in offered] == ["broken.txt"] and offered[0]["name"].startswith("unreadable: binary")


async def test_a_failed_rebuild_keeps_the_old_engine_and_says_why(
    fake_discord: FakeDiscord, bot: PolicyBot, manager: FakeMember, mod_settings: Settings
) -> None:
    def broken(folder: Path) -> Engine:
        raise RuntimeError("disk on fire")

    bot.engines.builder = broken
    (mod_settings.corpus_dir / "fares.md").write_bytes(FARES_MD)
    payload = await reply(fake_discord, await corpus(fake_discord, "refresh", user=manager))
    text = all_text(payload)
    assert "Refresh failed" in text and "RuntimeError: disk on fire" in text and "Reference: `E-" in text
    assert f"unchanged (version {SEED_VERSION})" in text and bot.engines.version == SEED_VERSION
    assert SEED_TITLE in sources_of(await ask(fake_discord, SALARY_QUESTION))

    # A build that "succeeds" with nothing readable is rejected too: the old engine keeps serving.
    bot.engines.builder = Engine.from_folder
    (mod_settings.corpus_dir / "fares.md").unlink()
    (mod_settings.corpus_dir / SEED_ID).write_bytes(b"\x00" * 64)
    payload = await reply(fake_discord, await corpus(fake_discord, "refresh", user=manager))
    assert "none of the 1 document file(s) in the corpus folder could be read" in all_text(payload)
    assert bot.engines.version == SEED_VERSION
    assert [a.outcome for a in await bot.storage.audit_log()] == ["failed", "failed"]


async def test_an_emptied_corpus_is_a_legitimate_refresh(
    fake_discord: FakeDiscord, bot: PolicyBot, manager: FakeMember, mod_settings: Settings
) -> None:
    for path in mod_settings.corpus_dir.iterdir():
        path.rename(mod_settings.corpus_dir.parent / path.name)
    payload = await reply(fake_discord, await corpus(fake_discord, "refresh", user=manager))
    fields = {f["name"]: f["value"] for f in payload["embeds"][0]["fields"]}
    assert SEED_TITLE in fields["Removed (1)"] and not bot.engines.engine.documents


async def test_two_refreshes_run_one_after_the_other_while_questions_use_the_old_engine(
    fake_discord: FakeDiscord, bot: PolicyBot, manager: FakeMember, mod_settings: Settings
) -> None:
    gate = threading.Event()
    active, peak, built = [0], [0], []
    lock = threading.Lock()

    def gated(folder: Path) -> Engine:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        try:
            assert gate.wait(10)
            engine = Engine.from_folder(folder)
            built.append(engine.version)
            return engine
        finally:
            with lock:
                active[0] -= 1

    bot.engines.builder = gated
    cog(bot).progress_interval = 0.05  # show progress at once (the default waits seconds)
    (mod_settings.corpus_dir / "fares.md").write_bytes(FARES_MD)
    first = await corpus(fake_discord, "refresh", user=manager)
    second = await corpus(fake_discord, "refresh", user=fake_discord.world.moderator)

    def progress(interaction: FakeInteraction, words: str) -> Callable[[RecordedRequest], bool]:
        def matches(r: RecordedRequest) -> bool:
            content = (r.message_payload or {}).get("content") or ""
            return r.interaction_token == interaction.token and content.startswith(PROGRESS_MARK) and words in content

        return matches

    await fake_discord.wait_for_request(progress(first, "reading and indexing the documents"))
    await fake_discord.wait_for_request(progress(second, "waiting for another corpus change to finish"))
    # Meanwhile questions are answered from the engine already serving.
    answer = await ask(fake_discord, SALARY_QUESTION)
    assert f"corpus {SEED_VERSION}" in answer["embeds"][0]["footer"]["text"]
    assert "Not answered" in all_text(await ask(fake_discord, FARES_QUESTION))
    gate.set()
    one, two = await reply(fake_discord, first), await reply(fake_discord, second)
    assert one["embeds"][0]["title"] == "Corpus refreshed"
    assert two["embeds"][0]["title"] == "Corpus refreshed — nothing changed"  # it ran after the first
    assert peak[0] == 1 and len(built) == 2 and built[0] == built[1] == bot.engines.version
    assert "Bus fares policy" in sources_of(await ask(fake_discord, FARES_QUESTION))
    edits = [r for r in fake_discord.responses_for(first) if progress(first, "")(r)]
    assert edits and all(pings_nobody(r) for r in edits)


async def test_quick_work_shows_no_progress(fake_discord: FakeDiscord, bot: PolicyBot, manager: FakeMember) -> None:
    interaction = await corpus(fake_discord, "refresh", user=manager)
    await reply(fake_discord, interaction)
    kinds = [(r.method, r.callback_type) for r in fake_discord.responses_for(interaction)]
    assert kinds == [("POST", 5), ("PATCH", None)]  # "thinking…", then the result in its place


# -- remove and restore ----------------------------------------------------------------------------


async def test_remove_confirm_then_restore(
    fake_discord: FakeDiscord, bot: PolicyBot, manager: FakeMember, mod_settings: Settings
) -> None:
    moderator = fake_discord.world.moderator
    asked = await corpus(fake_discord, "remove", {"document": SEED_ID}, user=manager)
    record = await fake_discord.wait_for_response(asked)
    data = record.json["data"]
    assert data["flags"] & EPHEMERAL and f"Remove **{SEED_TITLE}**" in data["content"]
    buttons = [c["custom_id"] for row in data["components"] for c in row["components"]]
    assert [b.split(":")[2] for b in buttons] == ["ok", "no"]
    message = fake_discord.messages.get(asked.original_message_id or 0)
    # Another moderator cannot confirm someone else's removal.
    other = await fake_discord.send_component(buttons[0], message, user=moderator)
    assert "Only the moderator who asked" in (await reply(fake_discord, other))["content"]
    # Cancel changes nothing (and takes the buttons away).
    cancel = await fake_discord.send_component(buttons[1], message, user=manager)
    cancelled = await fake_discord.wait_for_response(cancel)
    assert cancelled.callback_type == 7 and cancelled.json["data"]["content"] == "Cancelled: nothing was removed."
    assert cancelled.json["data"]["components"] == [] and (mod_settings.corpus_dir / SEED_ID).is_file()

    again = await corpus(fake_discord, "remove", {"document": SEED_ID}, user=manager)
    await fake_discord.wait_for_response(again)
    message = fake_discord.messages.get(again.original_message_id or 0)
    confirm = await fake_discord.send_component(buttons[0], message, user=manager)
    done = await reply(fake_discord, confirm)
    assert done["embeds"][0]["title"] == "Document removed" and done["components"] == []
    assert not (mod_settings.corpus_dir / SEED_ID).exists()
    assert "corpus is empty" in all_text(await ask(fake_discord, SALARY_QUESTION))
    sources = await fake_discord.wait_for_response(await fake_discord.send_slash_command("sources"))
    assert sources.json["data"]["embeds"][0]["description"] == "The corpus has no documents."

    (entry,) = await choices(fake_discord, "restore", "entry", "rwanda", moderator)
    assert entry["name"].startswith("Cleverly signs") and SEED_ID in entry["name"]
    restored = await reply(
        fake_discord, await corpus(fake_discord, "restore", {"entry": entry["value"]}, user=moderator)
    )
    assert restored["embeds"][0]["title"] == "Document restored"
    assert bot.engines.version == SEED_VERSION and (mod_settings.corpus_dir / SEED_ID).is_file()
    assert SEED_TITLE in sources_of(await ask(fake_discord, SALARY_QUESTION))
    audit = [(a.action, a.outcome, a.user_id) for a in await bot.storage.audit_log() if a.action.startswith("corpus")]
    assert audit == [
        ("corpus remove", "refused", moderator.id),
        ("corpus remove", "cancelled", manager.id),
        ("corpus remove", "ok", manager.id),
        ("corpus restore", "ok", moderator.id),
    ]
    lines = await log_lines(fake_discord, 4)
    assert (
        "`corpus remove` · **ok** · manager" in lines[2]
        and f"{SEED_ID.replace('_', chr(92) + '_')} — Cleverly" in lines[2]
    )


async def test_remove_and_restore_of_unknown_things_say_so(
    fake_discord: FakeDiscord, bot: PolicyBot, manager: FakeMember, mod_settings: Settings
) -> None:
    before = listing(mod_settings.corpus_dir)
    for sub, options, words in (
        ("remove", {"document": "../outside.txt"}, "there is no document “../outside.txt”"),
        ("restore", {"entry": "20240101T000000000000Z"}, "nothing in the trash called"),
    ):
        payload = await reply(fake_discord, await corpus(fake_discord, sub, options, user=manager))
        assert words in all_text(payload).replace("\\", "")
    assert listing(mod_settings.corpus_dir) == before and bot.engines.version == SEED_VERSION


# -- list and gaps ---------------------------------------------------------------------------------


async def test_list_shows_size_dates_who_added_and_pages(
    fake_discord: FakeDiscord, bot: PolicyBot, manager: FakeMember, mod_settings: Settings
) -> None:
    await upload(fake_discord, "fares.md", FARES_MD, user=manager, options={"date": "2024-03-01"})
    payload = await reply(fake_discord, await corpus(fake_discord, "list", user=manager))
    (embed,) = payload["embeds"]
    seed, fares = embed["description"].split("\n")
    assert (
        fares.startswith("2. **Bus fares policy** (bus-fares-policy-")
        and " bytes · 2024-03-01 · 2 passages · " in fares
    )
    assert "added by manager <t:" in fares and fares.endswith(":d>")
    assert seed.startswith(f"1. **{SEED_TITLE}** ({SEED_ID.replace('_', chr(92) + '_')}) · ")  # escaped markdown
    assert "KB · Daily Mail (David Barrett and Jason Groves) · 2023-12-05 · 73 passages · placed on disk" in seed
    assert embed["footer"]["text"].endswith("2 documents · 0 in the trash")
    for n in range(10):
        (mod_settings.corpus_dir / f"note{n:02}.md").write_text(f"# Note {n}\n\nA note about topic {n}.\n")
    await reply(fake_discord, await corpus(fake_discord, "refresh", user=manager))
    page = await reply(fake_discord, await corpus(fake_discord, "list", {"page": 2}, user=manager))
    assert page["embeds"][0]["footer"]["text"].endswith("page 2/2 (use page: to turn)")
    assert page["embeds"][0]["description"].startswith("11. ")


async def test_gaps_lists_unanswered_questions_by_frequency_and_disliked_answers(
    fake_discord: FakeDiscord, bot: PolicyBot, manager: FakeMember
) -> None:
    for question in (UNANSWERABLE_QUESTION, "What is the capital of FRANCE", "who won the 1966 world cup?"):
        await ask(fake_discord, question)
    await ask(fake_discord, SALARY_QUESTION)  # question 4, answered
    answer = fake_discord.messages_in(fake_discord.channel_id)[-1]
    (down,) = [c for c in custom_ids(answer) if c.startswith("pb:down:")]  # the button of question 4
    vote = await fake_discord.send_component(down, answer)
    await reply(fake_discord, vote)
    payload = await reply(fake_discord, await corpus(fake_discord, "gaps", user=manager))
    fields = {f["name"]: f["value"] for f in payload["embeds"][0]["fields"]}
    unanswered = fields["Not answered (2)"].split("\n")
    assert unanswered[0].startswith("**2×** “What is the capital of FRANCE” · last <t:")
    assert unanswered[1].startswith("**1×** “who won the 1966 world cup?”")
    assert fields["Answers marked 👎 (1)"].startswith(f"**1×** 👎 “{SALARY_QUESTION}”")


async def test_gaps_when_there_are_none(fake_discord: FakeDiscord, bot: PolicyBot, manager: FakeMember) -> None:
    payload = await reply(fake_discord, await corpus(fake_discord, "gaps", user=manager))
    assert "Nothing yet: every question asked so far was answered." in all_text(payload)


# -- start-up --------------------------------------------------------------------------------------


async def test_interrupted_writes_are_cleaned_up_at_start(
    fake_discord: FakeDiscord, mod_settings: Settings, seed_engine: Engine
) -> None:
    leftover = mod_settings.corpus_dir / ".tmp-abc123"
    leftover.write_bytes(b"half a document")
    async with running_bot(fake_discord, mod_settings, seed_engine):
        assert not leftover.exists()


async def test_a_second_press_while_removing_is_turned_away(
    fake_discord: FakeDiscord, bot: PolicyBot, manager: FakeMember, mod_settings: Settings
) -> None:
    entered, gate = threading.Event(), threading.Event()

    def gated(folder: Path) -> Engine:
        entered.set()
        assert gate.wait(10)
        return Engine.from_folder(folder)

    bot.engines.builder = gated
    asked = await corpus(fake_discord, "remove", {"document": SEED_ID}, user=manager)
    data = (await fake_discord.wait_for_response(asked)).json["data"]
    confirm_id = data["components"][0]["components"][0]["custom_id"]
    message = fake_discord.messages.get(asked.original_message_id or 0)
    first = await fake_discord.send_component(confirm_id, message, user=manager)
    assert await asyncio.to_thread(entered.wait, 10)
    second = await fake_discord.send_component(confirm_id, message, user=manager)
    assert (await reply(fake_discord, second))["content"] == "This document is already being removed."
    gate.set()
    assert (await reply(fake_discord, first))["embeds"][0]["title"] == "Document removed"
    assert len(CorpusStore(mod_settings.corpus_dir).trash_entries()) == 1


async def test_outside_text_is_escaped_and_limits_hold_for_a_huge_refresh(
    fake_discord: FakeDiscord, bot: PolicyBot, mod_settings: Settings
) -> None:
    rogue = fake_discord.add_member("@everyone *boss*", permissions=MANAGE_SERVER)
    long_title = "A very long title about *housing* and <@123> " * 7
    for n in range(60):
        (mod_settings.corpus_dir / f"doc{n:02}.md").write_text(f"# {long_title}{n}\n\nText about topic {n}.\n")
    interaction = await corpus(fake_discord, "refresh", user=rogue)
    first = all_text(await reply(fake_discord, interaction))  # the fake refuses what exceeds Discord's limits
    assert "Added (60)" in first and "<@123>" not in first and "\\*housing\\*" in first
    last = await fake_discord.wait_for_request(
        lambda r: r.interaction_token == interaction.token and "… and 20 more" in all_text(r.message_payload or {})
    )
    assert last.method == "POST" and last.json["flags"] & EPHEMERAL  # the rest follows, privately too
    (line,) = await log_lines(fake_discord, 1)
    assert "@\u200beveryone \\*boss\\*" in line and pings_nobody(fake_discord.find_requests("POST", "/channels/*")[0])


async def test_add_and_remove_are_undone_when_the_rebuild_fails(
    fake_discord: FakeDiscord, bot: PolicyBot, manager: FakeMember, mod_settings: Settings
) -> None:
    def broken(folder: Path) -> Engine:
        raise MemoryError("no room to index")

    bot.engines.builder = broken
    before = listing(mod_settings.corpus_dir)
    _, payload = await upload(fake_discord, "fares.md", FARES_MD, user=manager)
    assert "Not added" in all_text(payload) and "MemoryError: no room to index" in all_text(payload)
    assert listing(mod_settings.corpus_dir) == before  # the stored file and its sidecar are gone again

    asked = await corpus(fake_discord, "remove", {"document": SEED_ID}, user=manager)
    data = (await fake_discord.wait_for_response(asked)).json["data"]
    message = fake_discord.messages.get(asked.original_message_id or 0)
    confirm = await fake_discord.send_component(
        data["components"][0]["components"][0]["custom_id"], message, user=manager
    )
    assert "Not removed" in all_text(await reply(fake_discord, confirm))
    assert (mod_settings.corpus_dir / SEED_ID).is_file() and CorpusStore(mod_settings.corpus_dir).trash_entries() == []
    assert bot.engines.version == SEED_VERSION
    assert [(a.action, a.outcome) for a in await bot.storage.audit_log()] == [
        ("corpus add", "failed"),
        ("corpus remove", "failed"),
    ]


async def test_storage_groups_gaps_by_normalised_text_and_keeps_the_audit_log(tmp_path: Path) -> None:
    now = [1000.0]
    storage = await Storage.open(tmp_path / "state.sqlite3", clock=lambda: now[0])
    try:
        for text in ("Rent caps?", "rent  caps", "RENT CAPS!", "bus fares", "Bus fares?", "school meals"):
            now[0] += 1
            await storage.record_question(
                text, user_id=1, guild_id=None, channel_id=None, corpus_version="v", answered=False
            )
        await storage.record_question(
            "answered", user_id=1, guild_id=None, channel_id=None, corpus_version="v", answered=True
        )
        tallies = await storage.unanswered_by_frequency(limit=2)
        assert [(t.question, t.count, t.last_at) for t in tallies] == [
            ("RENT CAPS!", 3, 1003.0),
            ("Bus fares?", 2, 1005.0),
        ]
        row = await storage.record_audit(
            user_id=7, user_name="mod", guild_id=9, action="corpus add", outcome="ok", target="a.md", sha256="ab"
        )
        assert await storage.audit_log() == [row] and row.at == now[0] and row.reason is None
        assert await storage.audit_log(action="corpus remove") == []
    finally:
        await storage.close()


# -- on record before it is served: no member is answered from a document without its audit row ----


async def test_an_add_is_undone_when_its_audit_row_cannot_be_written(
    fake_discord: FakeDiscord,
    bot: PolicyBot,
    manager: FakeMember,
    mod_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = bot.storage.record_audit

    async def audit(**row: Any) -> Any:
        if row["action"] == "corpus add" and row["outcome"] == "ok":
            raise sqlite3.OperationalError("database or disk is full")
        return await real(**row)

    monkeypatch.setattr(bot.storage, "record_audit", audit)
    before = listing(mod_settings.corpus_dir)
    _, payload = await upload(fake_discord, "fares.md", FARES_MD, user=manager)
    text = all_text(payload)
    assert "Not added" in text and "the audit log could not be written" in text and "database or disk is full" in text
    assert "Sorry, something went wrong" not in text
    assert listing(mod_settings.corpus_dir) == before  # the document, its sidecar and its marker are gone again
    assert bot.engines.version == SEED_VERSION
    assert "Not answered" in all_text(await ask(fake_discord, FARES_QUESTION))


async def test_interrupted_adds_are_settled_by_the_audit_log(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    store = CorpusStore(folder)
    folder.mkdir()
    for name, title in (("on-record-1.md", "On record"), ("unconfirmed-2.md", "Unconfirmed"), ("half-3.md", "Half")):
        store.begin_add(name, {"user_id": 7, "user_name": "mod", "guild_id": 9, "title": title, "upload_sha256": name})
        if name != "half-3.md":
            store.add(
                name, f"# {title}\n\nThe text of {title}.\n", {"title": title, "added_by": {"id": "7", "name": "mod"}}
            )
        else:  # killed between the sidecar and the document
            (folder / f"{name}.meta.json").write_text(json.dumps({"title": title, "sha256": "x"}))
    async with await Storage.open(tmp_path / "state.sqlite3") as storage:
        await storage.record_audit(
            user_id=7, user_name="mod", guild_id=9, action="corpus add", outcome="ok",
            target="on-record-1.md — On record", sha256="on-record-1.md",
        )  # fmt: skip
        settled = await recover_interrupted_adds(store, storage)
        rows = [(r.outcome, r.target, r.user_id, r.reason) for r in await storage.audit_log(action="corpus add")]
    assert len(settled) == 3 and store.pending_adds() == []
    assert [p.name for p in corpus_files(folder)] == ["on-record-1.md"]  # on record: it stands
    (entry,) = store.trash_entries()
    assert entry.document_id == "unconfirmed-2.md" and entry.title == "Unconfirmed"
    assert rows[1:] == [
        (
            "failed",
            "half-3.md — Half",
            7,
            "interrupted before it was on record (the bot stopped): nothing of it was kept",
        ),
        (
            "failed",
            "unconfirmed-2.md — Unconfirmed",
            7,
            "interrupted before it was on record (the bot stopped): the document was moved to the trash",
        ),
    ]
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        "on-record-1.md",
        "on-record-1.md.meta.json",
    ]


async def test_orphan_sidecars_are_cleaned_up_at_start(
    fake_discord: FakeDiscord, mod_settings: Settings, seed_engine: Engine
) -> None:
    orphan = mod_settings.corpus_dir / "fares-1a2b.md.meta.json"
    orphan.write_text(json.dumps({"title": "Fares", "added_by": {"id": "1", "name": "mod"}, "sha256": "ab"}))
    async with running_bot(fake_discord, mod_settings, seed_engine):
        assert not orphan.exists()
