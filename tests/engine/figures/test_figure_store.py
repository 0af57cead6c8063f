"""The figure index kept on disk: read back by a restart, rebuilt when anything it depends on changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.engine.corpus.documents import load_folder
from bot.engine.engine import Engine
from bot.engine.figures.index import FigureIndex
from bot.engine.figures.store import FigureStore, figures_key
from bot.engine.search.backends import IndexOptions

PROJECT = Path(__file__).resolve().parents[3]
TOPICS = ["", "grant", "how much", "how many people", "percentage"]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(PROJECT / "tests" / "quality" / "corpus_b", folder)
    return folder


def engine_on(corpus: Path, cache: Path) -> Engine:
    return Engine.from_folder(corpus, semantic=False, index=IndexOptions(cache=cache))


def stored(cache: Path) -> list[Path]:
    return sorted(cache.rglob("figures-*.cache"))


def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original = FigureIndex.build.__func__  # type: ignore[attr-defined]

    def counted(cls, items):
        calls.append(1)
        return original(cls, items)

    monkeypatch.setattr(FigureIndex, "build", classmethod(counted))
    return calls


def test_a_restart_reads_the_figure_index_instead_of_building_it(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = engine_on(corpus, tmp_path / "cache")
    expected = [first.figures.lookup_json(topic) for topic in TOPICS]
    assert len(stored(tmp_path / "cache")) == 1
    calls = builds(monkeypatch)
    restarted = engine_on(corpus, tmp_path / "cache")
    assert [restarted.figures.lookup_json(topic) for topic in TOPICS] == expected
    assert restarted.figures.labels() == first.figures.labels()
    assert calls == []


def test_a_changed_document_builds_a_new_index_and_drops_the_old(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(engine_on(corpus, tmp_path / "cache").figures) > 0
    (before,) = stored(tmp_path / "cache")
    document = sorted(corpus.glob("*.md"))[0]
    document.write_text(document.read_text() + "\n\nA new fund of £77m opens to councils in 2027.\n")
    calls = builds(monkeypatch)
    changed = engine_on(corpus, tmp_path / "cache")
    assert any("£77m" in item.sentence for item in changed.figures.figures)
    assert calls == [1]
    assert stored(tmp_path / "cache") != [before] and len(stored(tmp_path / "cache")) == 1


def test_the_key_covers_document_metadata(corpus: Path) -> None:
    documents, _ = load_folder(corpus)
    retitled = [documents[0].model_copy(update={"meta": documents[0].meta.model_copy(update={"title": "Other"})})]
    assert figures_key(retitled + documents[1:]) != figures_key(documents)


def test_a_damaged_or_foreign_entry_is_rebuilt(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(engine_on(corpus, tmp_path / "cache").figures) > 0
    (entry,) = stored(tmp_path / "cache")
    entry.write_bytes(b"not a pickle")
    calls = builds(monkeypatch)
    assert len(engine_on(corpus, tmp_path / "cache").figures) > 0
    assert calls == [1]
    store = FigureStore(entry.parent)
    key = entry.name.removeprefix("figures-").removesuffix(".cache")
    assert store.load(key) is not None  # rewritten
    assert store.load("another-key") is None


def test_a_store_that_cannot_be_written_costs_only_time(tmp_path: Path, corpus: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    documents, _ = load_folder(corpus)
    index = Engine(documents, semantic=False).figures
    FigureStore(blocked).save(figures_key(documents), index)  # logged, not raised
    assert FigureStore(blocked).load(figures_key(documents)) is None
