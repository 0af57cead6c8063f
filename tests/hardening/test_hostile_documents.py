"""Hostile documents: every fixture of ``tests/fixtures/hostile/make.py`` uploaded through ingest (and the
text-like ones also dropped straight into the corpus folder), each with its expected clear outcome,
within its time bound — while the bot keeps answering questions on the engine it is serving. Then
documents whose *metadata and text* are hostile, shown in Discord: nothing pings, nothing breaks out."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.adapter import render
from bot.adapter.cooldown import Cooldown
from bot.adapter.engine_host import EngineHost
from bot.engine.corpus.documents import decode_text
from bot.engine.corpus.store import CorpusStore, StoreError
from bot.engine.engine import Engine
from bot.engine.uploads.ingest import Extracted, IngestError, IngestLimits, extract, stored_name
from tests.adapter.conftest import SALARY_QUESTION, UNLAWFUL_QUESTION, make_settings, running_bot
from tests.conftest import SEEDS
from tests.fake_discord import FakeDiscord
from tests.fixtures.hostile.make import EXPECTED, build_fixtures
from tests.hardening.conftest import LoopWatch, assert_every_send_safe, assert_safe_rendered, deadline_errors, timed

# The longest a question may wait for its answer while hostile uploads are parsed and indexed.
ANSWER_DURING_INGEST = 5.0
QUESTIONS = (SALARY_QUESTION, UNLAWFUL_QUESTION, "who signed the new Rwanda treaty?", "what is the capital of France?")


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_fixtures(tmp_path_factory.mktemp("hostile"))


@dataclass
class Asker:
    """Asks the serving engine one question after another, as users would, and times every answer."""

    host: EngineHost
    latencies: list[float] = field(default_factory=list)
    versions: set[str] = field(default_factory=set)

    async def run(self) -> None:
        for n in range(1_000_000):
            started = time.perf_counter()
            answer = await self.host.ask(QUESTIONS[n % len(QUESTIONS)])
            self.latencies.append(time.perf_counter() - started)
            self.versions.add(answer.corpus_version)
            assert answer.question
            await asyncio.sleep(0.02)

    async def seen(self, version: str, timeout: float = 10.0) -> None:
        """Wait until a question was answered by the engine of ``version``."""
        async with asyncio.timeout(timeout):
            while version not in self.versions:
                await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def answering_throughout(host: EngineHost) -> AsyncIterator[tuple[Asker, LoopWatch]]:
    asker = Asker(host)
    async with LoopWatch() as watch:
        task = asyncio.create_task(asker.run(), name="asker")
        try:
            yield asker, watch
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert asker.latencies, "no question was answered meanwhile"


def _check_outcome(name: str, outcome: Extracted | IngestError) -> None:
    expected = EXPECTED[name]
    if expected.outcome == "error":
        assert isinstance(outcome, IngestError), f"{name}: expected an error, got {outcome!r}"
        assert expected.reason in outcome.reason, f"{name}: {outcome.reason!r}"
        assert outcome.reason and len(outcome.reason) < 300 and "Traceback" not in outcome.reason
        return
    assert isinstance(outcome, Extracted), f"{name}: {outcome}"
    assert outcome.format == expected.fmt
    for needle in expected.contains:
        assert needle in outcome.text, f"{name}: {needle!r} missing"


async def test_every_hostile_upload_through_ingest_while_answering(
    fixtures: dict[str, Path], corpus_copy: Path, seed_engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    host = EngineHost(seed_engine)
    store = CorpusStore(corpus_copy)
    stored: dict[str, str] = {}
    timings: dict[str, float] = {}
    async with answering_throughout(host) as (asker, watch):
        for name in sorted(EXPECTED):
            expected = EXPECTED[name]
            data = fixtures[name].read_bytes()
            started = time.perf_counter()
            try:
                outcome: Extracted | IngestError = await extract(data, name, IngestLimits(**expected.limits))
            except IngestError as exc:
                outcome = exc
            timings[name] = time.perf_counter() - started
            _check_outcome(name, outcome)
            assert timings[name] < expected.max_seconds, f"{name} took {timings[name]:.1f} s"
            if isinstance(outcome, Extracted):
                document = stored_name(outcome.title, data, outcome.format)
                if document in stored:  # the same bytes uploaded again (many_pages.pdf, long_text.pdf)
                    with pytest.raises(StoreError, match="already exists"):
                        store.add(document, outcome.text, {"title": outcome.title or name})
                    continue
                store.add(document, outcome.text, {"title": outcome.title or name, "source": "hostile upload"})
                stored[document] = name
        # Index everything that was accepted, still answering meanwhile.
        _, engine = await host.refresh(corpus_copy)
        await asker.seen(engine.version)
    ids = {d.id for d in engine.documents}
    assert set(stored) <= ids and not engine.problems, engine.problems
    for document_id, name in stored.items():
        phrase = EXPECTED[name].contains[0][:200]
        answer = engine.ask(phrase)
        # Shown or behind "More": a phrase as bland as "policy policy" ties with short sentences of other
        # uploads, which MiniLM may put first; the upload is findable either way.
        shown = [*answer.sentences, *answer.more]
        cited = {s.citation.document for s in shown} | {c.citation.document for c in answer.closest}
        # A title line ("Housing Policy Brief", then a blank line) is searched but never quoted: the
        # passages the search finds count too.
        cited |= {engine.passages[i].document_id for i, _ in engine.candidates(phrase).passage_hits[:3]}
        # Two uploads can hold the same text (valid.pdf, and empty_password.pdf decrypted): either will do.
        found = [engine.document(d) for d in cited]
        assert any(d is not None and phrase.strip() in d.text for d in found), f"{name}: {phrase!r} not found"
        assert document_id in ids
        assert_safe_rendered(render.render_answer(answer))
    assert len(asker.versions) == 2  # answers came from the old engine, then from the new one
    slowest = max(timings, key=timings.__getitem__)
    with capsys.disabled():
        print(f"\ningest: {len(EXPECTED)} hostile uploads, {len(stored)} accepted; slowest {slowest} "
              f"{timings[slowest]:.1f} s; {len(asker.latencies)} answers meanwhile, slowest "
              f"{max(asker.latencies) * 1000:.0f} ms; {watch.describe()}")  # fmt: skip
    # Uploads are parsed in child processes, so only the final refresh (indexing what was accepted)
    # competes with the asker's thread for the GIL: serving must go on, not wait for the uploads.
    slowest_answer = max(asker.latencies)
    assert slowest_answer < ANSWER_DURING_INGEST, f"an answer took {slowest_answer:.1f} s during the uploads"
    watch.check()


# Indexing a 10 MB file that is one single "word" (oversize.txt: "aaaa…") holds the GIL in single C
# calls over the whole text — the token regex's match (~110 ms), stemming the word (~125 ms), the
# sentence splitter's punctuation scan (~140 ms) — so the worker thread building the engine stalls the
# loop for up to ~170 ms. Uploads are capped at 10 MB and parsed in a child process; only a file put in
# corpus/ by hand reaches this. A known cost, bounded here rather than hidden by a loose bound.
FOLDER_STALL_BOUND = 0.500
ANSWER_DURING_FOLDER_BUILD = 8.0

# What the *folder* loader (documents dropped into corpus/ by hand) must do with the text-like
# fixtures: UTF-8, or UTF-16 with a byte-order mark, as for uploads (one decoder); Latin-1 and UTF-16
# without a BOM are skipped with a reason saying what to do.
FOLDER_EXPECTED: dict[str, str | None] = {  # None: loaded; else a phrase of the reason it was skipped
    "empty.txt": "empty file",
    "whitespace.txt": "empty file",
    "png.txt": "binary file",
    "elf.txt": "binary file",
    "utf16le.txt": None,
    "utf16be.txt": None,
    "utf16_no_bom.txt": "binary file",
    "utf8_bom.txt": None,
    "latin1.txt": "not UTF-8 text",
    "controls.txt": None,
    "html_named.txt": None,
    "huge_line.txt": None,
    "oversize.txt": None,
    "front_matter.md": None,
}


def test_folder_expectations_cover_every_text_like_fixture() -> None:
    assert set(FOLDER_EXPECTED) == {n for n in EXPECTED if n.endswith((".txt", ".md"))}


async def test_text_like_fixtures_dropped_into_the_corpus_folder(
    fixtures: dict[str, Path], corpus_copy: Path, seed_engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in FOLDER_EXPECTED:
        shutil.copyfile(fixtures[name], corpus_copy / name)
    host = EngineHost(seed_engine)
    async with answering_throughout(host) as (asker, watch):
        started = time.perf_counter()
        _, engine = await host.refresh(corpus_copy)
        build = time.perf_counter() - started
    assert build < 30, f"indexing the hostile folder took {build:.1f} s"
    ids = {d.id for d in engine.documents}
    skipped = {p.path: p.reason for p in engine.problems if p.severity == "skipped"}
    for name, reason in FOLDER_EXPECTED.items():
        if reason is None:
            assert name in ids, f"{name} was not loaded: {skipped.get(name)}"
        else:
            assert name not in ids and reason in skipped.get(name, ""), f"{name}: {skipped.get(name)!r}"
    assert "000_bcbaab6fdc511440.txt" in ids  # the good document is never collateral damage
    for document in engine.documents:
        assert decode_text(Path(document.path).read_bytes()) == document.text
    for question in ("what is the policy?", "policy", "Zürich", "water quality in the region", SALARY_QUESTION):
        answer, timing = timed(engine.ask, question)
        assert timing.cpu < 2.0, f"{question!r} took {timing.cpu:.2f} s of CPU on the hostile folder"
        assert_safe_rendered(render.render_answer(answer))
    with capsys.disabled():
        print(f"\nfolder: {len(FOLDER_EXPECTED)} hostile files indexed in {build:.1f} s; "
              f"{len(asker.latencies)} answers meanwhile, slowest {max(asker.latencies) * 1000:.0f} ms; "
              f"{watch.describe()}")  # fmt: skip
    # Answered throughout, but slowly: the same GIL-holding calls delay the asker's thread (up to ~3 s
    # seen while the 10 MB one-word file is indexed). /ask defers first, so no deadline is at risk.
    slowest = max(asker.latencies)
    assert slowest < ANSWER_DURING_FOLDER_BUILD, f"an answer took {slowest:.1f} s while the folder was indexed"
    watch.check(FOLDER_STALL_BOUND)


def test_a_line_dense_with_amounts_indexes_quickly(tmp_path: Path) -> None:
    """Regression: the figure index tokenized a whole sentence once per figure in it,
    O(figures x length): a 1.5 MB line of amounts took 550 s to index (fixed in figures.py)."""
    (tmp_path / "amounts.txt").write_text("£1,000,000,000 " * 800 + "salary policy\n")
    engine, timing = timed(Engine.from_folder, tmp_path, semantic=False)
    assert len(engine.figures) >= 800
    assert timing.cpu < 1.0, f"indexing 12 KB took {timing.cpu:.1f} s of CPU"


# -- hostile metadata and text, shown in Discord -------------------------------------------------------

HOSTILE_DOCUMENTS = {
    "mentions.md": (
        {"title": "@everyone <@&123456789012345678> Official notice", "source": "<@123456789012345678> ＠here",
         "url": "https://docs.example/@everyone", "date": "@here"},
        "The housing levy rises to 12 percent for @everyone and @here from <@123456789012345678>.\n\n"
        "Contact <@&123456789012345678> or ＠everyone at the council about the housing levy.\n",
    ),
    "links.md": (
        {"title": "[official](https://evil.example) Guidance", "source": "discord.gg/abcdef",
         "url": "https://gov.example@evil.example/x"},
        "The parking permit costs [£40](https://evil.example/pay) a year, see discord.gg/abcdef.\n\n"
        "**Bold claim** about the parking permit with __markdown__ and ||spoilers|| and `code`.\n",
    ),
    "invisible.md": (
        {"title": "\u202eeltit desrever\u202c Zero\u200bwidth", "source": "\u2066@everyone\u2069"},
        "The recycling grant is \u200b@\u200beveryone's ﷺ㍻ \u202e@here\u202c worth 300 pounds.\n",
    ),
    "huge_title.md": (
        {"title": "Transport " * 500, "source": "S" * 5000, "date": "D" * 5000},
        "The bus fare cap stays at two pounds.\n",
    ),
}  # fmt: skip


async def test_hostile_document_metadata_and_text_in_discord(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    for name, (meta, text) in HOSTILE_DOCUMENTS.items():
        (corpus / name).write_text(text, encoding="utf-8")
        (corpus / f"{name}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    engine = Engine.from_folder(corpus)
    assert len(engine.documents) == 5
    settings = make_settings(tmp_path / "state", corpus)
    fake = fake_discord
    async with running_bot(fake, settings, engine, cooldown=Cooldown(10_000, 1.0)), LoopWatch() as watch:
        for question in ("what is the housing levy?", "how much is the parking permit?", "what is the recycling grant?",
                         "what is the bus fare cap?", "what is the council tax on yachts?"):  # fmt: skip
            interaction = await fake.send_slash_command("ask", {"question": question})
            await fake.wait_for_response(interaction, count=2, timeout=15)
            message = fake.messages.get(interaction.original_message_id or 0)
            assert message is not None
            for action in ("cite", "more"):
                ids = [c["custom_id"] for row in message.get("components") or [] for c in row["components"]]
                for custom_id in [i for i in ids if i.startswith(f"pb:{action}:")]:
                    pressed = await fake.send_component(custom_id, message)
                    await fake.wait_for_response(pressed, count=2, timeout=15)
        sources = await fake.send_slash_command("sources")
        await fake.wait_for_response(sources, timeout=15)
        figures = await fake.send_slash_command("figures", {})
        await fake.wait_for_response(figures, timeout=15)
    checked = assert_every_send_safe(fake)
    assert checked >= 10 and not deadline_errors(fake)
    watch.check()
