"""The labelled set of figure labels (``tests/quality/figure_sets/labels.jsonl``) is valid, and label
accuracy on its held-out rows stays above a floor just under what ``bench.figure_labels`` measures."""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest

from bench.figure_labels import LABELS, Report, evaluate, label_is_right, split_of
from bot.engine.corpus.documents import load_document
from training.data import DOCS, load_rows

# Held-out label accuracy measured when the floor was set: 0.805 (128 of 159).
HELD_OUT_FLOOR = 0.80
MIN_ROWS = {"dev": 150, "heldout": 80}

ROWS = load_rows(LABELS)


@cache
def document_text(name: str) -> str:
    return load_document(DOCS / name, name)[0].text


def test_enough_rows_in_each_split() -> None:
    splits = Counter(split_of(str(row["document"])) for row in ROWS)
    assert None not in splits, "every row's document is in figures-dev or heldout-a/b"
    for split, least in MIN_ROWS.items():
        assert splits[split] >= least, (split, splits[split])


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r['document']}:{r['text']}")
def test_row_is_valid(row: dict[str, object]) -> None:
    sentence, text = str(row["sentence"]), str(row["text"])
    assert sentence in document_text(str(row["document"])), "the sentence is verbatim in its document"
    assert sentence.count(text) > int(row.get("nth", 0)), "the figure is in the sentence"  # type: ignore[call-overload]
    measure = row["measure"]
    assert isinstance(measure, list) and measure and all(isinstance(m, str) and m.strip() for m in measure)
    assert isinstance(row.get("not_only", []), list)


def test_scoring_a_label() -> None:
    assert label_is_right("net migration for the year to December", ["net migration"], ["year", "december"])
    assert not label_is_right("year to December", ["net migration"], ["year", "december"])
    assert label_is_right("starting salaries", ["salary"], [])  # plural and singular agree
    assert not label_is_right("2024-25", ["2024-25"], ["2024-25"])  # only a period


@pytest.fixture(scope="module")
def report() -> Report:
    return evaluate(ROWS)


def test_every_row_finds_its_figure(report: Report) -> None:
    assert not report.missing


def test_held_out_label_accuracy_floor(report: Report) -> None:
    right, total = report.accuracy("heldout")
    assert right / total >= HELD_OUT_FLOOR, (right, total)
