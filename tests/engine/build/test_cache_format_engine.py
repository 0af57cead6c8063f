"""The engine's caches in the state folder: a planted file never runs, a damaged one is recomputed,
and what is read back is what was stored."""

from __future__ import annotations

import logging
import pickle
import random
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.engine.build.analysis import AnalysisCache, DocumentAnalysis, analyse, analyse_corpus, analysis_key, corpus_df
from bot.engine.build.cache_files import load_keyed
from bot.engine.corpus.documents import load_folder
from bot.engine.engine import Engine
from bot.engine.figures.store import FigureStore, figures_key
from bot.engine.models import Document
from bot.engine.search.backends import IndexOptions

PROJECT = Path(__file__).resolve().parents[3]
QUESTIONS = ["how much is the grant", "when does the scheme start", "who pays the levy", "what is the levy rate"]
TOPICS = ["", "grant", "how much", "how many people", "percentage"]


class Exploit:
    """Unpickling this runs code: it creates ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return exec, (f"import pathlib; pathlib.Path({str(self.marker)!r}).touch()",)


def same(a: Any, b: Any, where: str = "value") -> None:
    """Equal, and of the same types all the way down (a tuple is not a list, True is not 1)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} is not {type(b).__name__}"
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), where
        assert b.flags.writeable and b.flags.c_contiguous, where
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for n, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{n}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            same(a[key], b[key], f"{where}[{key!r}]")
    elif hasattr(type(a), "model_fields"):
        assert a == b and a.model_fields_set == b.model_fields_set, where
    elif hasattr(a, "__dict__"):
        same(vars(a), vars(b), f"{where}.")
    elif hasattr(type(a), "__slots__") and not isinstance(a, tuple):
        for name in type(a).__slots__:
            same(getattr(a, name), getattr(b, name), f"{where}.{name}")
    elif isinstance(a, float) and a != a:
        assert b != b, where
    else:
        assert a == b, where


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(PROJECT / "tests" / "quality" / "corpus_b", folder)
    return folder


def engine_on(corpus: Path, cache: Path | None) -> Engine:
    return Engine.from_folder(corpus, semantic=False, index=IndexOptions(cache=cache))


def answers(engine: Engine) -> tuple[Any, ...]:
    """What a user can see of an engine: answers, figures, labels."""
    figures = engine.figures
    return (
        [engine.ask(question) for question in QUESTIONS],
        [figures.lookup_json(topic) for topic in TOPICS],
        figures.labels(),
        len(figures),
    )


def cache_files(cache: Path) -> list[Path]:
    return sorted(path for path in cache.rglob("*") if path.is_file())


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("bot.")]


def flip(path: Path, good: bytes, bit: int) -> None:
    damaged = bytearray(good)
    damaged[bit // 8] ^= 1 << bit % 8
    path.write_bytes(damaged)


def test_planted_pickles_never_run_and_the_engine_answers_as_without_a_cache(
    corpus: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache, marker = tmp_path / "cache", tmp_path / "ran"
    expected = answers(engine_on(corpus, None))
    assert answers(engine_on(corpus, cache)) == expected  # fills the cache, figure index included
    files = cache_files(cache)
    kinds = {path.name.split("-")[0] if "-" in path.name else path.suffix for path in files}
    assert kinds == {".analysis", "df", "figures"}
    payload = pickle.dumps(Exploit(marker))
    for path in files:
        path.write_bytes(payload)
        if path.name.startswith(("df-", "figures-")):
            path.with_suffix(".pickle").write_bytes(payload)  # the names earlier versions read
    caplog.set_level(logging.WARNING)
    assert answers(engine_on(corpus, cache)) == expected
    assert not marker.exists()
    assert len(warnings(caplog)) >= len(files)  # each planted entry said so, then was computed again
    # Written again in the new format; the old pickles are gone.
    assert not [path for path in cache_files(cache) if path.suffix == ".pickle"]
    caplog.clear()
    assert answers(engine_on(corpus, cache)) == expected
    assert warnings(caplog) == []


def one_document(tmp_path: Path) -> Document:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("The levy is 2% of turnover.\n\nIt raises £40m a year from 2025.\n")
    (document,), problems = load_folder(folder)
    assert not problems
    return document


def content(analysis: DocumentAnalysis) -> tuple[Any, ...]:
    columns = analysis.columns
    arrays = [getattr(columns, name) for name in columns.__slots__]
    return (
        analysis.key,
        [value if isinstance(value, tuple | dict) else value.tolist() for value in arrays],
        analysis.core.sentence_words,
        analysis.core.sentence_count,
        analysis.core.figure_count,
        analysis.df(),
        analysis.tokens(),
        analysis.figure_sentences(),
    )


def test_flipped_bits_of_an_analysis_entry_are_detected_and_recomputed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    document = one_document(tmp_path)
    expected = content(analyse(document))
    cache = tmp_path / "cache"
    analyse_corpus([document], cache)
    (entry,) = cache.glob("*.analysis")
    good = entry.read_bytes()
    key = analysis_key(document)
    caplog.set_level(logging.WARNING)
    for bit in random.Random(16).sample(range(len(good) * 8), 300):
        flip(entry, good, bit)
        caplog.clear()
        found = AnalysisCache(cache).get(key, document)
        # Refused (the build analyses the document again), or a section refused when read, and recomputed.
        assert found is None or content(found) == expected, bit
        assert warnings(caplog), f"bit {bit} went unnoticed"
    entry.write_bytes(good)
    restored = AnalysisCache(cache).get(key, document)
    assert restored is not None and content(restored) == expected


def test_every_flipped_bit_of_the_merged_counts_is_detected(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    document = one_document(tmp_path)
    analyses = [analyse(document)]
    expected = corpus_df(analyses)
    cache = tmp_path / "cache"
    corpus_df(analyses, cache)
    (entry,) = cache.glob("df-*")
    kind, key = entry.stem.split("-", 1)
    good = entry.read_bytes()
    caplog.set_level(logging.WARNING)
    with entry.open("r+b", buffering=0) as file:  # each bit flipped in place, then restored
        for bit in range(len(good) * 8):
            file.seek(bit // 8)
            file.write(bytes([good[bit // 8] ^ 1 << bit % 8]))
            caplog.clear()
            assert load_keyed(cache, kind, key) is None, bit
            assert warnings(caplog), f"bit {bit} went unnoticed"
            file.seek(bit // 8)
            file.write(good[bit // 8 : bit // 8 + 1])
    assert load_keyed(cache, kind, key) == expected
    # A damaged file is merged again, as if there were none, and replaced.
    for bit in random.Random(16).sample(range(len(good) * 8), 50):
        flip(entry, good, bit)
        assert corpus_df(analyses, cache) == expected
        assert entry.read_bytes() == good


def test_flipped_bits_of_the_figure_index_are_detected(
    corpus: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    engine_on(corpus, cache).figures  # noqa: B018 - built and stored
    (entry,) = cache.rglob("figures-*")
    good = entry.read_bytes()
    documents, _ = load_folder(corpus)
    store, key = FigureStore(entry.parent), figures_key(documents)
    assert store.load(key) is not None
    caplog.set_level(logging.WARNING)
    for bit in random.Random(16).sample(range(len(good) * 8), 200):
        flip(entry, good, bit)
        caplog.clear()
        assert store.load(key) is None, bit
        assert warnings(caplog), f"bit {bit} went unnoticed"


def test_an_engine_on_a_damaged_cache_answers_as_without_one(
    corpus: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    expected = answers(engine_on(corpus, None))
    engine_on(corpus, cache).figures  # noqa: B018 - built and stored
    rng = random.Random(1616)
    originals = {path: path.read_bytes() for path in cache_files(cache)}
    caplog.set_level(logging.WARNING)
    for path, good in originals.items():
        for bit in rng.sample(range(len(good) * 8), 3):
            for other, data in originals.items():  # every other file as stored
                other.write_bytes(data)
            for stale in set(cache_files(cache)) - set(originals):
                stale.unlink()
            flip(path, good, bit)
            caplog.clear()
            engine = engine_on(corpus, cache)
            assert answers(engine) == expected, (path.name, bit)
            # What a later refresh reads: every section of every document's analysis.
            for sections in engine._figure_sources.values():
                assert (sections.df(), sections.tokens(), sections.figure_sentences()) is not None
            assert warnings(caplog), f"{path.name} bit {bit} went unnoticed"


def test_the_figure_index_read_back_is_the_one_stored(corpus: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    built = engine_on(corpus, cache).figures
    restarted = engine_on(corpus, cache).figures
    assert restarted is not built
    same(vars(built), vars(restarted))
    # Citations stay shared by the sentences of one passage paragraph, as built.
    assert len({id(c) for c in restarted._sentence_citation}) == len({id(c) for c in built._sentence_citation})
    assert [restarted.lookup_json(topic) for topic in TOPICS] == [built.lookup_json(topic) for topic in TOPICS]


def test_an_analysis_read_back_is_the_one_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    # A passage too long to split (its terms and sentences are kept), and ordinary ones with figures.
    (folder / "a.txt").write_text("policy review " * 2_000 + "\n\nThe levy is 2% of turnover, £40m a year.\n")
    (document,), _ = load_folder(folder)
    built = analyse(document)
    assert built.columns.long_passages
    expected = content(built)
    analyse_corpus([document], tmp_path / "cache")
    monkeypatch.setattr("bot.engine.build.analysis.analyse", lambda document: pytest.fail("analysed again"))
    (restarted,) = analyse_corpus([document], tmp_path / "cache")
    assert content(restarted) == expected
    same(restarted.columns.long_passages, built.columns.long_passages)
