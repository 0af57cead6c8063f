"""Document analysis: one pass per document, the same on every core, kept on disk between builds."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest

from bot.engine.build import analysis
from bot.engine.build.analysis import (
    AnalysisCache,
    DocumentAnalysis,
    analyse,
    analyse_corpus,
    analyse_many,
    analyse_passages,
    analysis_key,
    corpus_df,
)
from bot.engine.corpus.documents import load_folder
from bot.engine.engine import Engine
from bot.engine.figures.parse import extract_figures
from bot.engine.search.backends import IndexOptions
from bot.engine.text.passages import split_passages
from bot.engine.text.tokens import ANSWER_TYPES, tokenize

PROJECT = Path(__file__).resolve().parents[3]
CORPORA = [PROJECT / "seeds", PROJECT / "tests" / "quality" / "corpus_b"]


def documents_of(folder: Path):
    documents, problems = load_folder(folder)
    assert not problems
    return documents


def content(analysis: DocumentAnalysis) -> tuple:
    """Everything an analysis holds, comparable with ``==`` (its columns are numpy arrays)."""
    core = analysis.core
    columns = tuple(value if isinstance(value, tuple | dict) else value.tolist() for value in vars_of(core.columns))
    return (core.key, columns, analysis.df(), core.sentence_words, core.sentence_count, analysis.tokens(),
            analysis.figure_sentences())  # fmt: skip


def vars_of(columns) -> list:
    return [getattr(columns, name) for name in columns.__slots__]


@pytest.mark.parametrize("folder", CORPORA, ids=lambda f: f.name)
def test_one_pass_gives_what_tokenizing_each_part_gives(folder: Path) -> None:
    for document in documents_of(folder):
        for data in analyse_passages(document):
            passage = data.passage
            assert list(data.tokens) == tokenize(passage.text)
            assert [(s.start, s.end) for s in data.sentences] == list(passage.sentences)
            for sentence in data.sentences:
                text = passage.text[sentence.start : sentence.end]
                assert sentence.tf == Counter(tokenize(text)), text
                assert sentence.length == sum(sentence.tf.values())
                assert list(sentence.figures) == extract_figures(text)


def test_markdown_headings_are_marked(tmp_path: Path) -> None:
    (tmp_path / "doc.md").write_text("# Funding rules\n\nThe grant rises to £5,000 a year from April.\n")
    (data,) = analyse_passages(documents_of(tmp_path)[0])
    assert [s.heading for s in data.sentences] == [True, False]
    assert analyse(documents_of(tmp_path)[0]).core.sentence_count == 1  # only the statement is quotable


@pytest.mark.parametrize("folder", CORPORA, ids=lambda f: f.name)
def test_the_summary_an_engine_keeps_gives_back_the_passages(folder: Path) -> None:
    for document in documents_of(folder):
        passages = split_passages(document)
        summary = analyse(document)
        columns = summary.columns
        assert [columns.passage(j, document) for j in range(len(columns))] == passages
        assert [tokens.split() for tokens in summary.tokens()] == [tokenize(p.text) for p in passages]
        assert summary.df() == Counter(t for p in passages for t in set(tokenize(p.text)))
        stated = [(p.start + s, p.start + e) for p in passages for s, e in p.sentences]
        for sentence in summary.figure_sentences():
            text = document.text[sentence.start : sentence.end]
            assert (sentence.start, sentence.end) in stated
            assert list(sentence.figures) == extract_figures(text) != []
            assert sentence.terms == {t for t in tokenize(text) if t not in ANSWER_TYPES}
        assert len(summary.figure_sentences()) == sum(
            1 for p in passages for s, e in p.sentences if extract_figures(p.text[s:e])
        )


def test_worker_processes_give_the_same_analyses_in_order() -> None:
    documents = [d for folder in CORPORA for d in documents_of(folder)]
    alone = analyse_many(documents, processes=1)
    spread = analyse_many(documents, processes=2, min_parallel_chars=0)
    assert [content(a) for a in spread] == [content(a) for a in alone]
    assert [a.key for a in spread] == [analysis_key(d) for d in documents]


def counting_analyse(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    analysed: list[str] = []
    original = analysis.analyse

    def spy(document):
        analysed.append(document.id)
        return original(document)

    monkeypatch.setattr(analysis, "analyse", spy)
    return analysed


def test_the_cache_analyses_only_what_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The levy is 2% of turnover.\n\nIt starts in May.\n")
    (corpus / "b.txt").write_text("Grants of £300 are paid to each household.\n")
    analysed = counting_analyse(monkeypatch)

    first = analyse_corpus(documents_of(corpus), cache)
    assert sorted(analysed) == ["a.txt", "b.txt"]
    analysed.clear()
    restarted = analyse_corpus(documents_of(corpus), cache)
    assert analysed == []  # a restart: nothing re-analysed
    assert [content(a) for a in restarted] == [content(a) for a in first]

    (corpus / "b.txt").write_text("Grants of £400 are paid to each household.\n")
    (corpus / "c.txt").write_text("A new office opens in 2026.\n")
    again = analyse_corpus(documents_of(corpus), cache)
    assert sorted(analysed) == ["b.txt", "c.txt"]
    assert content(again[0]) == content(first[0])
    assert "400" in again[1].tokens()[0].split()

    (corpus / "a.txt").unlink()
    analyse_corpus(documents_of(corpus), cache)
    assert len(list(cache.glob("*.analysis"))) == 2  # the removed document's entry is pruned


def test_a_damaged_entry_is_recomputed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("The levy is 2% of turnover.\n")
    documents = documents_of(tmp_path / "corpus")
    expected = analyse_corpus(documents, tmp_path / "cache")
    for entry in (tmp_path / "cache").glob("*.analysis"):
        entry.write_bytes(b"not a pickle")
    analysed = counting_analyse(monkeypatch)
    assert [content(a) for a in analyse_corpus(documents, tmp_path / "cache")] == [content(a) for a in expected]
    assert analysed == ["a.txt"]
    rewritten = AnalysisCache(tmp_path / "cache").get(expected[0].key, documents[0])
    assert rewritten is not None and content(rewritten) == content(expected[0])


def test_tokens_and_figures_are_read_from_the_cache_only_when_wanted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("The levy is 2% of turnover.\n\nIt raises £40m a year.\n")
    documents = documents_of(tmp_path / "corpus")
    expected = content(analyse(documents[0]))
    analyse_corpus(documents, tmp_path / "cache")
    (restarted,) = analyse_corpus(documents, tmp_path / "cache")
    assert restarted.sections.in_memory() == set()
    assert content(restarted) == expected  # read from the entry
    assert restarted.sections.in_memory() == {"df", "tokens", "figures"}
    restarted.release()
    assert restarted.sections.in_memory() == set()

    # The entry pruned by a newer build (the document changed): recomputed from the document held.
    for entry in (tmp_path / "cache").glob("*.analysis"):
        entry.unlink()
    analysed = counting_analyse(monkeypatch)
    assert content(restarted) == expected
    assert analysed == ["a.txt"]


def test_changing_the_analysing_code_changes_every_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text("The levy is 2% of turnover.\n")
    document = documents_of(tmp_path)[0]
    before = analysis_key(document)
    monkeypatch.setattr(analysis, "code_version", lambda: "another version")
    assert analysis_key(document) != before


def test_a_cache_that_cannot_be_written_costs_nothing_but_time(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("The levy is 2% of turnover.\n")
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    with pytest.raises(OSError):
        AnalysisCache(blocked).put(analyse(documents_of(tmp_path / "corpus")[0]))
    # Reading a folder that is a file finds nothing; the build goes on uncached.
    (result,) = analyse_corpus(documents_of(tmp_path / "corpus"), blocked)
    assert "2" in result.tokens()[0].split()


def test_an_engine_restarted_on_its_cache_answers_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    options = IndexOptions(cache=tmp_path / "cache")
    folder = CORPORA[1]
    fresh = Engine.from_folder(folder, semantic=False, index=options)
    analysed = counting_analyse(monkeypatch)
    restarted = Engine.from_folder(folder, semantic=False, index=options)
    assert analysed == []
    uncached = Engine.from_folder(folder, semantic=False)
    assert list(restarted.passages) == list(fresh.passages) == list(uncached.passages)
    assert len(restarted.figures) == len(uncached.figures) > 0
    for question in ["how much is the grant", "when does the scheme start", "who pays the levy"]:
        assert restarted.ask(question) == uncached.ask(question)


@pytest.mark.parametrize("folder", CORPORA, ids=lambda f: f.name)
def test_figures_from_the_analysis_are_those_extracted_afresh(folder: Path) -> None:
    from bot.engine.figures.index import FigureIndex, SentenceRef

    engine = Engine.from_folder(folder, semantic=False)
    # Every sentence of every passage, given without figures or terms: the index extracts and tokenizes them again.
    afresh = FigureIndex.build(
        SentenceRef(
            text=passage.text[start:end],
            citation=engine.citation(passage, paragraph),
            start=passage.start + start,
            end=passage.start + end,
        )
        for passage in engine.passages
        for (start, end), paragraph in zip(
            passage.sentences,
            passage.sentence_paragraphs or (passage.paragraph,) * len(passage.sentences),
            strict=False,
        )
    )
    assert engine.figures.figures == afresh.figures
    assert engine.figures.labels() == afresh.labels()
    for topic in ["", "cost", "how many people", "percentage"]:
        assert engine.figures.lookup_json(topic) == afresh.lookup_json(topic)


def test_each_corpus_folder_keeps_its_own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    options = IndexOptions(cache=tmp_path / "cache", path=tmp_path / "index")
    Engine.from_folder(CORPORA[0], semantic=False, index=options)
    Engine.from_folder(CORPORA[1], semantic=False, index=options)  # e.g. `ask --corpus OTHER`
    assert len(list((tmp_path / "cache").iterdir())) == 2
    analysed = counting_analyse(monkeypatch)
    Engine.from_folder(CORPORA[0], semantic=False, index=options)  # the first corpus was not pruned
    assert analysed == []


def test_corpus_document_frequencies_are_merged_once_and_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents = [d for folder in CORPORA for d in documents_of(folder)]
    passages = [p for d in documents for p in split_passages(d)]
    expected = Counter(t for p in passages for t in set(tokenize(p.text)))
    analyses = analyse_many(documents)
    assert corpus_df(analyses) == expected
    assert corpus_df(analyses, tmp_path) == expected
    (stored,) = tmp_path.glob("df-*.cache")

    # A restart with the same documents reads the merged counts: no document's counts are read.
    monkeypatch.setattr(analysis.Sections, "df", lambda self: pytest.fail("merged again"))
    assert corpus_df(analyses, tmp_path) == expected
    monkeypatch.undo()

    # Another corpus merges again, and its counts replace the stored ones.
    assert corpus_df(analyses[1:], tmp_path) == Counter(
        t for d in documents[1:] for p in split_passages(d) for t in set(tokenize(p.text))
    )
    assert [p.name for p in tmp_path.glob("df-*.cache")] != [stored.name]
    assert len(list(tmp_path.glob("df-*.cache"))) == 1


def test_a_passage_of_megabytes_is_not_tokenized_again_at_question_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One "sentence" with no boundary cannot be split: tokenizing it again per question took seconds.
    (tmp_path / "line.txt").write_text("policy review " * 50_000)
    (tmp_path / "other.txt").write_text("The policy review ends in May. It covers schools.\n")
    engine = Engine.from_folder(tmp_path, semantic=False)
    long = [i for i, p in enumerate(engine.passages) if len(p.text) > analysis.LONG_PASSAGE_CHARS]
    assert long and all(engine.passages.long_passage(i) is not None for i in long)
    assert engine.passages.long_passage(next(i for i in range(len(engine.passages)) if i not in long)) is None
    from bot.engine import engine as engine_module

    original = engine_module.share_tokens

    def short_only(text, spans, paragraphs):
        assert len(text) <= analysis.LONG_PASSAGE_CHARS, "a long passage was tokenized again"
        return original(text, spans, paragraphs)

    monkeypatch.setattr(engine_module, "share_tokens", short_only)
    answer = engine.ask("when does the policy review end?")
    assert answer.answered and "May" in answer.sentences[0].text


def test_a_document_that_cannot_be_split_stops_a_parallel_analysis_with_its_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Documents are split in the pool's feeding thread: its error must reach the caller, not hang it.
    documents = [d for folder in CORPORA for d in documents_of(folder)]
    original = analysis.split_passages

    def failing(document):
        if document.id == documents[1].id:
            raise RuntimeError("cannot split")
        return original(document)

    monkeypatch.setattr(analysis, "split_passages", failing)
    outcome: list[object] = []

    def run() -> None:
        try:
            analyse_many(documents, processes=2, min_parallel_chars=0)
        except RuntimeError as error:
            outcome.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "the analysis hung"
    assert [str(e) for e in outcome] == ["cannot split"]
