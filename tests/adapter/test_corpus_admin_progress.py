"""How every ``/corpus`` change reports itself (``progress.Attempt``): the one place the four changes
(refresh, add, remove, restore) share their failure path, so each behaves the same way."""

from __future__ import annotations

import logging
from typing import Any, cast

import discord
import pytest

from bot.adapter.cogs.corpus_admin.progress import NOTHING_CHANGED, Attempt, ProgressReply
from bot.adapter.moderation import AuditUnavailable, Moderation
from bot.adapter.render import Rendered, notice
from bot.engine.uploads.ingest import IngestError


class _Response:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def is_done(self) -> bool:
        return bool(self.sent)

    async def send_message(self, **kwargs: Any) -> None:
        self.sent.append(kwargs)


class _Followup:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, **kwargs: Any) -> None:
        self.sent.append(kwargs)


class _Interaction:
    """What an ``Attempt`` uses of a deferred interaction: its reply is edited, the rest follows."""

    def __init__(self) -> None:
        self.response = _Response()
        self.followup = _Followup()
        self.edits: list[dict[str, Any]] = []
        self.extras: dict[str, Any] = {}

    async def edit_original_response(self, **kwargs: Any) -> None:
        self.edits.append(kwargs)


class _Moderation:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, dict[str, Any]]] = []

    async def record(self, interaction: object, action: str, outcome: str, **kwargs: Any) -> None:
        self.rows.append((action, outcome, kwargs))


def _attempt(**more: Any) -> tuple[Attempt, _Interaction, _Moderation]:
    interaction, moderation = _Interaction(), _Moderation()
    attempt = Attempt(
        cast(discord.Interaction, interaction),
        cast(Moderation, moderation),
        "corpus add",
        "Adding the document",
        "Not added",
        target="fares.md",
        interval=0,
        **more,
    )
    return attempt, interaction, moderation


def _shown(payload: dict[str, Any]) -> str:
    embeds = payload.get("embeds") or []
    return "\n".join(
        [payload.get("content") or "", *(e.title or "" for e in embeds), *(e.description or "" for e in embeds)]
    )


async def _never_reported(reply: ProgressReply, result: object) -> list[Rendered]:
    raise AssertionError("a failed change has no result to report")


@pytest.mark.parametrize("error", [IngestError("the file is empty"), AuditUnavailable("the audit log is locked")])
async def test_an_expected_failure_is_recorded_and_said_as_it_is(error: Exception) -> None:
    attempt, interaction, moderation = _attempt()

    async def work(reply: ProgressReply) -> None:
        attempt.sha256 = "ab12"  # downloaded before it failed: the row keeps what was uploaded
        raise error

    await attempt.run(work, _never_reported)
    reason = error.reason if isinstance(error, IngestError) else str(error)
    assert moderation.rows == [("corpus add", "failed", {"target": "fares.md", "sha256": "ab12", "reason": reason})]
    (edit,) = interaction.edits
    shown = _shown(edit)
    assert "Not added" in shown and reason in shown and NOTHING_CHANGED in shown and "Reference" not in shown


async def test_an_unexpected_failure_gets_an_apology_with_the_reference_of_its_logged_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    attempt, interaction, moderation = _attempt()

    async def work(reply: ProgressReply) -> None:
        raise RuntimeError("disk on fire")

    with caplog.at_level(logging.ERROR):
        await attempt.run(work, _never_reported)
    ((_, outcome, row),) = moderation.rows
    assert outcome == "failed" and row["reason"] == "RuntimeError: disk on fire"
    shown = _shown(interaction.edits[0])
    reference = shown.split("Reference: `")[1].split("`")[0]
    assert reference.startswith("E-") and NOTHING_CHANGED in shown
    (logged,) = [r for r in caplog.records if reference in r.getMessage()]
    assert logged.exc_info is not None and "corpus add failed" in logged.getMessage()


async def test_a_failure_after_the_change_is_served_never_claims_nothing_changed() -> None:
    """The change is in service once ``work`` returns: a failure describing it must not say otherwise."""
    attempt, interaction, moderation = _attempt()

    async def work(reply: ProgressReply) -> str:
        return "served"

    async def report(reply: ProgressReply, result: str) -> list[Rendered]:
        raise RuntimeError("could not compare the engines")

    with pytest.raises(RuntimeError, match="could not compare"):  # to the one error handler, as any bug
        await attempt.run(work, report)
    assert moderation.rows == [] and interaction.edits == []


async def test_a_served_change_shows_its_report_with_the_rest_following_privately() -> None:
    attempt, interaction, moderation = _attempt()

    async def work(reply: ProgressReply) -> str:
        await attempt.on_record("fares-1a2b3c4d.md — Bus fares", None)
        return "Bus fares"

    async def report(reply: ProgressReply, title: str) -> list[Rendered]:
        return [notice(f"Added {title}"), notice("and more")]

    await attempt.run(work, report)
    assert moderation.rows == [
        (
            "corpus add",
            "ok",
            {"target": "fares-1a2b3c4d.md — Bus fares", "sha256": None, "reason": None, "required": True},
        )
    ]
    assert [e["content"] for e in interaction.edits] == ["Added Bus fares"]
    assert [(f["content"], f["ephemeral"]) for f in interaction.followup.sent] == [("and more", True)]


async def test_a_refusal_before_any_work_is_recorded_and_said_at_once() -> None:
    attempt, interaction, moderation = _attempt()
    await attempt.refuse("unsupported file type .exe: upload a .pdf, .html, .md or .txt file")
    reason = "unsupported file type .exe: upload a .pdf, .html, .md or .txt file"
    assert moderation.rows == [("corpus add", "failed", {"target": "fares.md", "sha256": None, "reason": reason})]
    (sent,) = interaction.response.sent
    assert sent["ephemeral"] is True and "Not added" in _shown(sent) and NOTHING_CHANGED in _shown(sent)
    assert interaction.edits == []  # nothing was deferred, so there is no reply to edit
