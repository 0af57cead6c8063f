"""Sentences found by meaning (``ranking.meaning``): the vector cache, the nearest sentences, and the
reader's pool widened by them in the engine."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

import bot.engine.engine as engine_module
from bot.engine.engine import Engine
from bot.engine.ranking import answer as answering
from bot.engine.ranking.answer import SentenceRecord
from bot.engine.ranking.meaning import MEANING_CANDIDATES, MeaningIndex, VectorCache


class AxisEncoder:
    """A text's vector is the unit axis of its first word's letter (a..d): what is near is known."""

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        self.encoded.extend(texts)
        rows = np.full((len(texts), 4), 0.1, dtype=np.float32)
        for row, text in zip(rows, texts, strict=True):
            row["abcd".index(text[0])] = 1.0
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def record(i: int) -> SentenceRecord:
    return SentenceRecord(passage_index=i, start=0, end=1, paragraph=1, tf={}, length=1)


def test_the_cache_embeds_each_text_once_and_forgets_the_oldest() -> None:
    encoder, cache = AxisEncoder(), VectorCache(limit=2)
    first = cache.vectors(encoder, ["a one", "b two"])
    again = cache.vectors(encoder, ["b two", "a one", "c three"])
    assert encoder.encoded == ["a one", "b two", "c three"]  # only the new text is embedded again
    assert np.array_equal(first[0], again[1]) and again.shape == (3, 4)
    # Two kept: "b two", the least recently used when "c three" came, was forgotten; "a one" was not.
    cache.vectors(encoder, ["a one"])
    assert len(encoder.encoded) == 3
    cache.vectors(encoder, ["b two"])
    assert encoder.encoded[-1] == "b two"


def test_the_nearest_sentences_come_best_first_without_those_skipped() -> None:
    index = MeaningIndex(AxisEncoder(), [record(i) for i in range(4)], ["a x", "b y", "c z", "a w"])
    assert [r.passage_index for r in index.nearest("a question", 2)] == [0, 3]  # ties: the first row first
    assert [r.passage_index for r in index.nearest("a question", 2, frozenset({(0, 0)}), at_least=0.0)] == [3, 1]
    assert index.nearest("a question", 0) == [] and len(index) == 4
    assert [r.passage_index for r in index.nearest("a question", 3, at_least=0.5)] == [0, 3]  # b and c are far


CLEAN_AIR = """# Clean air zone for Brindleford from March

Brindleford City Council has confirmed the start date of its clean air zone after a year of consultation.

The city centre has some of the highest nitrogen dioxide readings in the region, the council said. Traffic in
the city centre has grown every year since 2015.

Vehicles that do not meet Euro 6 emissions standards will be charged £12.50 a day to enter the zone.

A scrappage fund of £3 million will help small firms replace older vans.

Residents of the city centre said they welcomed cleaner air but worried about the cost of parking.

Signs will be put up on every road into the city centre in February.
"""


@pytest.fixture(scope="module")
def clean_air(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder: Path = tmp_path_factory.mktemp("clean-air")
    (folder / "zone.md").write_text(CLEAN_AIR, encoding="utf-8")
    engine = Engine.from_folder(folder)
    if engine.reader is None:
        pytest.skip("the answer reader's weights or the MiniLM package are not installed")
    return engine


def test_a_sentence_that_shares_no_word_with_the_question_joins_the_readers_pool(clean_air: Engine) -> None:
    question = "what does it cost to bring a polluting car in?"
    lexical = clean_air.candidates(question, answering.READER_PASSAGES)
    pool = clean_air.reader_pool(question, lexical.scored, lexical.terms)
    texts = [clean_air.sentence_text(c.record) for c in pool]
    charge = next(t for t in texts if "£12.50" in t)
    assert all("£12.50" not in clean_air.sentence_text(c.record) for c in lexical.scored)  # BM25 cannot see it
    lexical_read = len(lexical.scored[: answering.READER_CANDIDATES])
    assert lexical_read < len(pool) <= lexical_read + MEANING_CANDIDATES  # those near enough, at most three
    assert texts.index(charge) >= len(lexical.scored)  # after the lexical ones, as calibrated
    # ... and the reader puts it first (whether it is sure enough to answer is its calibration's call).
    assert "£12.50" in clean_air.sentence_text(clean_air._read(question, pool)[0].record)


def test_a_question_asked_while_the_sentences_are_embedded_elsewhere_does_not_wait(clean_air: Engine) -> None:
    engine = Engine(clean_air.documents)
    question = "will my old diesel car cost me to drive into the city centre?"
    with engine._meaning_lock:  # another thread (the bot's warm-up) is embedding the corpus
        answer = engine.ask(question)
        assert engine.meaning_index(wait=False) is None
    assert all("£12.50" not in s.text for s in answer.sentences + answer.more)  # the lexical pool alone
    assert engine.meaning_index() is not None  # then built by the next caller
    built = []
    threads = [threading.Thread(target=lambda: built.append(engine.meaning_index())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(index is built[0] for index in built)


def test_a_corpus_too_large_to_embed_is_read_by_the_lexical_pool(
    clean_air: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "MAX_SENTENCES", 3)
    engine = Engine(clean_air.documents)
    question = "will my old diesel car cost me to drive into the city centre?"
    lexical = engine.candidates(question, answering.READER_PASSAGES)
    assert engine.meaning_index() is None
    assert engine.reader_pool(question, lexical.scored, lexical.terms) == lexical.scored[: answering.READER_CANDIDATES]


def test_without_the_reader_nothing_is_embedded(clean_air: Engine) -> None:
    assert Engine(clean_air.documents, reader=False).meaning_index() is None
    assert Engine(clean_air.documents, semantic=False).meaning_index() is None


def test_an_off_topic_question_gains_no_sentence_by_meaning(seed_engine: Engine) -> None:
    # "capital" finds a sentence about Rwanda's capital; nothing in the article is near the question's
    # meaning, and an unrelated sentence offered could be the one the reader answers from.
    question = "the capital of France is Paris"
    lexical = seed_engine.candidates(question, answering.READER_PASSAGES)
    assert lexical.scored and seed_engine.meaning_index() is not None
    assert seed_engine.reader_pool(question, lexical.scored, lexical.terms) == lexical.scored
    assert not seed_engine.ask(question).answered
