"""The passage table: every passage of a corpus kept as arrays, built as a ``Passage`` on demand."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.engine.build.analysis import analyse
from bot.engine.build.passage_table import PassageTable
from bot.engine.corpus.documents import load_folder
from bot.engine.text.passages import split_passages

PROJECT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def corpus():
    documents, problems = load_folder(PROJECT / "tests" / "quality" / "corpus_b")
    assert not problems and len(documents) > 1
    return documents, PassageTable(documents, [analyse(d).columns for d in documents])


def test_it_gives_back_every_passage_in_index_order(corpus) -> None:
    documents, table = corpus
    expected = [p for d in documents for p in split_passages(d)]
    assert len(table) == len(expected)
    assert list(table) == expected
    assert [table[i] for i in range(len(table))] == expected
    assert table[-1] == expected[-1]
    assert table[2:5] == expected[2:5]
    with pytest.raises(IndexError):
        table[len(table)]


def test_offsets_sentences_and_ids_of_a_passage(corpus) -> None:
    _, table = corpus
    for i, passage in enumerate(table):
        document, start, end = table.span(i)
        assert document.id == passage.document_id
        assert document.text[start:end] == passage.text
        spans, paragraphs = table.sentences(i)
        assert tuple(spans) == passage.sentences
        assert tuple(paragraphs) == passage.sentence_paragraphs
        assert table.passage_id(i) == passage.id
        assert table.find(passage.id) == i


def test_lookups_by_document_and_by_id(corpus) -> None:
    documents, table = corpus
    assert table.counts() == Counter(p.document_id for p in table)
    for document in documents:
        passages = table.of_document(document.id)
        assert passages == split_passages(document)
        assert table[table.first_of(document.id)] == passages[0]
    assert table.of_document("no-such.txt") == []
    first = table[0]
    for unknown in ["", "no-such.txt#p1", first.document_id + "#p999", first.document_id, first.id + ".7"]:
        assert table.find(unknown) is None


def test_a_document_id_holding_the_id_marker(tmp_path: Path) -> None:
    paragraph = "The council will publish its review of the housing grant scheme before the end of the year. "
    (tmp_path / "a#p2.txt").write_text(f"{paragraph * 3}\n\n{paragraph * 4}\n")
    documents, _ = load_folder(tmp_path)
    table = PassageTable(documents, [analyse(d).columns for d in documents])
    assert [p.id for p in table] == ["a#p2.txt#p1", "a#p2.txt#p2"]
    assert [table.find(p.id) for p in table] == [0, 1]


def test_an_empty_corpus() -> None:
    table = PassageTable([], [])
    assert len(table) == 0 and list(table) == [] and len(table.keys()) == 0 and not table.counts()
    assert table.find("a.txt#p1") is None
