"""Hostile text where it enters without Discord: questions, claims and figure topics through the engine
(each call within its time bound), and everything those answers render to (harmless, within limits).
Also names: the stored name of an upload and the ids a moderator types (CorpusStore)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.adapter import render
from bot.engine.claims import check_claim
from bot.engine.corpus.store import CorpusStore, StoreError
from bot.engine.engine import Engine
from bot.engine.models import Answer, Citation
from bot.engine.uploads.ingest import stored_name
from tests.hardening.conftest import (
    ENGINE_CPU_BOUND,
    ENGINE_WALL_BOUND,
    HARDENING,
    HOSTILE_TEXTS,
    MENTION_SYNTAX,
    assert_safe_rendered,
    bounded,
    hostile_strings,
    timed,
)

NAMED = sorted(HOSTILE_TEXTS.items())


def _rendered(answer: Answer) -> list[render.Rendered]:
    messages = bounded(render.render_answer, answer, cpu=0.2)
    messages += bounded(render.render_more, answer, cpu=0.2)
    return messages


def _exercise(engine: Engine, text: str) -> None:
    """Every engine entry point text reaches, bounded; every rendering of the results, safe."""
    answer = bounded(engine.ask, text)
    assert isinstance(answer, Answer) and answer.corpus_version == engine.version
    assert_safe_rendered(_rendered(answer))
    claim = bounded(check_claim, engine, text)
    assert_safe_rendered(_rendered(claim.answer))
    for comparison in claim.comparisons:
        assert isinstance(comparison.summary, str)
    groups = bounded(engine.figures.lookup, text)
    assert len(groups) <= 5
    bounded(engine.figures.lookup_json, text)
    completions = bounded(engine.figures.complete, text, cpu=0.2)
    assert len(completions) <= 25 and all(len(c) <= 100 for c in completions)
    cited = [(engine.passage(s.citation.passage_id), s.citation) for s in answer.sentences] or [
        (engine.passage(c.citation.passage_id), c.citation) for c in answer.closest
    ]
    passages = [(p, c) for p, c in cited if p is not None]
    assert_safe_rendered(bounded(render.render_passages, passages, engine.version, cpu=0.2))


@pytest.mark.parametrize(("name", "text"), NAMED, ids=[name for name, _ in NAMED])
def test_named_hostile_text_through_every_entry_point(seed_engine: Engine, name: str, text: str) -> None:
    _exercise(seed_engine, text)


@HARDENING
@given(text=hostile_strings)
def test_generated_hostile_text_through_every_entry_point(seed_engine: Engine, text: str) -> None:
    _exercise(seed_engine, text)


@HARDENING
@given(text=st.one_of(hostile_strings, st.text(max_size=400)), limit=st.integers(1, 3000))
def test_render_helpers_keep_any_text_harmless_and_within_bounds(text: str, limit: int) -> None:
    for shown in (render.safe(text), render.echo(text), render.fit(text, limit), render.quote(text, text.split())):
        assert MENTION_SYNTAX.search(shown) is None, shown
    assert render.measure(render.fit(text, limit)) <= limit
    assert len(render.echo(text)) <= 2 * render.QUESTION_ECHO_CHARS


@pytest.mark.parametrize(("name", "text"), NAMED, ids=[name for name, _ in NAMED])
def test_hostile_text_as_document_metadata_renders_safely(name: str, text: str) -> None:
    """Titles, sources, dates and urls come from documents: a hostile one renders as plain text."""
    citation = Citation(
        document="hostile.txt",
        title=text[:300] or "x",
        source=text[:300] or None,
        url="https://docs.example/@everyone" if "@" in text else "https://docs.example/page",
        date=text[:40] or None,
        paragraph=1,
        passage_id="hostile.txt#0",
    )
    quoted = f"Salary rules: {text}"[:5000]
    answer = Answer(
        question=text[:1000],
        corpus_version="0123456789ab",
        answered=True,
        sentences=(
            {
                "text": quoted,
                "score": 1.0,
                "citation": citation,
                "start": 0,
                "end": len(quoted),
                "matched_terms": ("everyone", "here", "salary"),
            },
        ),
    )
    assert_safe_rendered(render.render_answer(answer))
    refused = Answer(
        question=text[:1000],
        corpus_version="0123456789ab",
        answered=False,
        reason="The documents do not answer this question.",
        closest=({"text": quoted, "score": 0.5, "citation": citation},),
    )
    assert_safe_rendered(render.render_no_answer(refused))


def test_the_slowest_named_inputs_are_reported(seed_engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    """The slowest question and claim calls on hostile text, printed for the README table and held to
    the engine's bounds: a hostile input must not hold a worker thread for more than a few seconds."""
    worst = []
    for name, text in NAMED:
        for label, call in (("ask", seed_engine.ask), ("claim", lambda t: check_claim(seed_engine, t))):
            _, timing = timed(call, text)
            worst.append((timing.wall, timing.cpu, label, name))
    worst.sort(reverse=True)
    with capsys.disabled():
        print(
            "\nslowest hostile engine calls (wall s, cpu s):",
            [(round(w, 3), round(c, 3), k, n) for w, c, k, n in worst[:3]],
        )
    wall, _, label, name = worst[0]
    assert wall <= ENGINE_WALL_BOUND, f"{label} {name!r} took {wall:.2f} s (bound {ENGINE_WALL_BOUND} s)"
    _, cpu, label, name = max(worst, key=lambda entry: entry[1])
    assert cpu <= ENGINE_CPU_BOUND, f"{label} {name!r} took {cpu:.2f} s of CPU (bound {ENGINE_CPU_BOUND} s)"


# -- names -----------------------------------------------------------------------------------------


@HARDENING
@given(title=st.one_of(st.none(), hostile_strings, st.text()), data=st.binary(max_size=64))
def test_stored_names_are_always_safe(title: str | None, data: bytes) -> None:
    for fmt in ("txt", "md", "html", "pdf"):
        name = stored_name(title, data, fmt)  # type: ignore[arg-type]
        assert len(name) <= 80 and name.isascii() and "/" not in name and not name.startswith(".")
        assert name.endswith((".txt", ".md")) and ".." not in name


@HARDENING
@given(name=st.one_of(hostile_strings, st.text(max_size=300), st.sampled_from(
    ["../x.txt", "/etc/passwd.txt", ".trash/x.txt", "a/../../x.txt", "a\x00.txt", "x" * 300 + ".txt",
     "a/" + "y" * 300 + ".md", "CON.txt", "~/x.txt", ".hidden.txt", "ok.txt", "a\\..\\b.txt", "é.txt"]
)))  # fmt: skip
def test_typed_document_ids_fail_as_store_errors_and_never_escape(tmp_path_factory: pytest.TempPathFactory,
                                                                  name: str) -> None:  # fmt: skip
    root = tmp_path_factory.mktemp("corpus")
    outside = root.parent / "outside.txt"
    outside.write_text("not part of the corpus\n")
    store = CorpusStore(root)
    (root / "ok.txt").write_text("A document.\n")
    for operation in (store.path_of, store.remove, store.restore, store.read_meta):
        try:
            result = operation(name)
        except StoreError:
            continue
        if isinstance(result, Path):
            assert root.resolve() in result.parents
    try:
        added = store.add(name, "text", {"title": name})
    except StoreError:
        pass
    else:
        assert (root / added).resolve().parent == root.resolve()
    assert outside.read_text() == "not part of the corpus\n"
