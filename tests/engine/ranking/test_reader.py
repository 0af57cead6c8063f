"""The answer reader in numpy: the shipped weights load, reproduce the trained model, and the engine uses them.

``data/reader_reference.json`` holds margins the trained torch model gave (its 16-bit weights) for a few
pairs, written by ``python -m training.train_reader``; the numpy reader must give the same.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from bot.engine import engine as engine_module
from bot.engine.engine import Engine
from bot.engine.models import Document, DocumentMeta
from bot.engine.ranking import reader as reader_module
from bot.engine.ranking.reader import (
    MODEL_DIR,
    SETTINGS_FILE,
    WEIGHTS_FILE,
    AnswerReader,
    load_reader,
    order_key,
    pair_ids,
    split_batch,
)
from bot.engine.ranking.semantic import find_model_dir

REFERENCE = json.loads((Path(__file__).parent / "data" / "reader_reference.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def reader() -> AnswerReader:
    loaded = load_reader()
    assert loaded is not None, (
        "the shipped reader must load (weights in bot/engine/ranking/reader_model, MiniLM installed)"
    )
    return loaded


def test_numpy_reader_reproduces_the_trained_model(reader: AnswerReader) -> None:
    for row in REFERENCE:
        margin = reader.margins(row["question"], [(row["sentence"], row["title"])])[0]
        assert margin == pytest.approx(row["margin"], abs=2e-3), row


def test_batching_does_not_change_margins(reader: AnswerReader) -> None:
    pairs = [(row["sentence"], row["title"]) for row in REFERENCE]
    together = reader.margins("how much is the grant worth", pairs)
    alone = np.array([reader.margins("how much is the grant worth", [pair])[0] for pair in pairs])
    assert np.allclose(together, alone, atol=1e-4)
    assert reader.margins("anything", []).shape == (0,)


def test_a_batch_read_on_several_threads_gives_the_margins_of_one(
    reader: AnswerReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    pairs = [(row["sentence"], row["title"]) for row in REFERENCE] * 2
    monkeypatch.setattr(reader_module, "reader_threads", lambda: 1)
    one = reader.margins("how much is the grant worth", pairs)
    threads: set[str] = set()
    logits = reader._logits

    def spy(batch: list[tuple[list[int], list[int]]]) -> np.ndarray:
        threads.add(threading.current_thread().name)
        return logits(batch)

    monkeypatch.setattr(reader_module, "reader_threads", lambda: 3)
    monkeypatch.setattr(reader, "_logits", spy)
    several = reader.margins("how much is the grant worth", pairs)
    assert np.allclose(one, several, atol=1e-4)
    assert threads and all(name.startswith("reader") for name in threads)


def test_split_batch_deals_pairs_into_parts_of_similar_length() -> None:
    assert split_batch(list(range(10)), 2) == [[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]]
    assert split_batch(list(range(7)), 2) == [list(range(7))]  # too few to be worth a second thread
    assert split_batch(list(range(12)), 1) == [list(range(12))]


def test_probabilities_rise_with_the_margin(reader: AnswerReader) -> None:
    p = reader.probabilities(np.array([-5.0, 0.0, 5.0], dtype=np.float32))
    assert 0.0 < p[0] < p[1] < p[2] < 1.0
    assert 0.0 < reader.answer_threshold < 1.0


def test_pair_ids_keep_each_part_within_its_budget(reader: AnswerReader) -> None:
    settings = reader.settings
    long = " ".join(["migration"] * 200)
    ids, types = pair_ids(reader.tokenizer, long, long, long, settings)
    budget = settings.max_question_tokens + settings.max_sentence_tokens + settings.max_title_tokens + 4
    assert len(ids) == len(types) == budget
    assert types[: settings.max_question_tokens + 2] == [0] * (settings.max_question_tokens + 2)
    assert set(types[settings.max_question_tokens + 2 :]) == {1}
    no_title, _ = pair_ids(reader.tokenizer, "q", "a sentence", "", settings)
    assert no_title.count(reader.tokenizer.sep_id) == 2


def test_no_weights_means_no_reader(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    load_reader.cache_clear()
    with caplog.at_level(logging.INFO):
        assert load_reader(tmp_path) is None
    assert "no trained weights" in caplog.text


def test_weights_trained_on_other_embeddings_are_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    shutil.copy(MODEL_DIR / WEIGHTS_FILE, tmp_path / WEIGHTS_FILE)
    settings = json.loads((MODEL_DIR / SETTINGS_FILE).read_text(encoding="utf-8"))
    settings["base_word_embeddings"] = "0" * 16
    (tmp_path / SETTINGS_FILE).write_text(json.dumps(settings), encoding="utf-8")
    load_reader.cache_clear()
    with caplog.at_level(logging.WARNING):
        assert load_reader(tmp_path) is None
    assert "not the ones the reader was trained on" in caplog.text
    assert find_model_dir() is not None


def _engine(texts: dict[str, str], **options: bool) -> Engine:
    documents = [
        Document(id=name, path=name, meta=DocumentMeta(title=title), text=text, sha256=name)
        for name, (title, text) in ((n, t.split("\n", 1)) for n, t in texts.items())
    ]
    return Engine(documents, **options)


CORPUS = {
    "heat.md": "Warm Homes grants\nHouseholds can claim a grant of up to £7,500 towards a heat pump. "
    "The grant scheme opened to applications in April. Installers must be certified.",
    "bus.md": "Rural buses\nRural bus routes will receive an extra £150 million in funding next year. "
    "The money will go to councils.",
}


def test_the_engine_ranks_and_decides_with_the_reader() -> None:
    engine = _engine(CORPUS)
    assert engine.reader is not None and engine.encoder is None
    answer = engine.ask("how much money can i get for a heat pump")
    assert answer.answered
    assert "£7,500" in answer.sentences[0].text
    assert 0.0 <= answer.sentences[0].score <= 1.0
    assert not engine.ask("what's the best way to cook a roast potato").answered


def test_without_the_reader_the_engine_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "shared_reader", lambda: None)
    fallback = _engine(CORPUS)
    assert fallback.reader is None and fallback.encoder is not None
    assert "£7,500" in fallback.ask("how much is the heat pump grant worth").sentences[0].text
    lexical = _engine(CORPUS, semantic=False)
    assert lexical.reader is None and lexical.encoder is None
    assert "£7,500" in lexical.ask("how much is the heat pump grant worth").sentences[0].text
    assert _engine(CORPUS, reader=False).reader is None


def test_the_order_adds_the_lexical_ranking_only_by_its_fitted_weights(reader: AnswerReader) -> None:
    margins = np.array([1.0, 1.2, 0.5], dtype=np.float32)
    coverages = np.array([0.9, 0.1, 0.2], dtype=np.float32)
    assert order_key(margins, coverages, 0.0, 0.0).tolist() == pytest.approx(margins.tolist())
    # Coverage lifts the first; the rank prior pushes later candidates down by the log of their rank.
    assert np.argsort(-order_key(margins, coverages, 1.0, 0.0), kind="stable")[0] == 0
    assert np.argsort(-order_key(margins, coverages, 0.0, 1.0), kind="stable")[0] == 0
    assert np.argsort(-order_key(margins, coverages, 0.0, 0.1), kind="stable")[0] == 1
    assert order_key(margins, coverages, 0.0, 1.0)[2] == pytest.approx(0.5 - np.log(3.0))
    assert reader.settings.coverage_weight >= 0.0 and reader.settings.rank_prior >= 0.0


def test_a_reader_written_before_the_order_weights_orders_by_margin(tmp_path: Path) -> None:
    for name in (WEIGHTS_FILE, SETTINGS_FILE):
        shutil.copy(MODEL_DIR / name, tmp_path / name)
    settings = json.loads((tmp_path / SETTINGS_FILE).read_text(encoding="utf-8"))
    for name in ("coverage_weight", "rank_prior"):
        settings.pop(name, None)
    (tmp_path / SETTINGS_FILE).write_text(json.dumps(settings), encoding="utf-8")
    older = load_reader.__wrapped__(tmp_path)
    assert older is not None
    assert (older.settings.coverage_weight, older.settings.rank_prior) == (0.0, 0.0)
    margins = np.array([0.2, 3.0, 1.0], dtype=np.float32)
    assert older.order(margins, np.array([1.0, 0.0, 0.0], dtype=np.float32)).tolist() == [1, 2, 0]


def test_the_engine_answers_on_the_best_probability_whatever_the_order(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = _engine(CORPUS)
    assert engine.reader is not None
    # An order that puts the reader's best last: answering still follows the best probability.
    monkeypatch.setattr(type(engine.reader), "order", lambda self, margins, coverages: np.argsort(margins))
    answer = engine.ask("how much money can i get for a heat pump")
    assert answer.answered
