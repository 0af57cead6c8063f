"""An engine build tells a progress callback how far it is (read, analysed, indexed)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot.engine.build.analysis import BuildStep, analyse, iter_analyses
from bot.engine.corpus.documents import load_folder
from bot.engine.engine import Engine
from bot.engine.search.backends import REPORT_EVERY, IndexOptions, make_index

DOCUMENTS = 300
_WORDS = "bus fare cap council housing budget rail tax school hospital funding scheme grant".split()


def write_corpus(folder: Path, documents: int = DOCUMENTS, paragraphs: int = 4) -> Path:
    """``documents`` small Markdown files of ``paragraphs`` passages each, reproducibly."""
    rng = random.Random(18)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(documents):
        body = "\n\n".join(
            " ".join(
                f"The {rng.choice(_WORDS)} {rng.choice(_WORDS)} rose by {rng.randint(1, 90)}% in {2000 + i % 24}."
                for _ in range(5)
            )
            for _ in range(paragraphs)
        )
        (folder / f"doc_{i:03}.md").write_text(f"# Document {i}\n\n{body}\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("progress") / "corpus")


def stages(steps: list[BuildStep]) -> list[str]:
    """The stages in the order they came, each once."""
    order: list[str] = []
    for step in steps:
        if not order or order[-1] != step.stage:
            order.append(step.stage)
    return order


def of(steps: list[BuildStep], stage: str) -> list[BuildStep]:
    return [step for step in steps if step.stage == stage]


def check_build(steps: list[BuildStep], engine: Engine, *, indexed_passages: bool = True) -> None:
    passages = len(engine.passages)
    assert passages > REPORT_EVERY  # large enough for the index to report on its way, not only at the ends
    assert stages(steps) == ["read", "analyse", "index"]
    read, analysed, indexed = of(steps, "read"), of(steps, "analyse"), of(steps, "index")
    assert read[0] == BuildStep("read", 0, None)  # said before the folder is read: the total is not known yet
    assert read[-1] == BuildStep("read", DOCUMENTS, DOCUMENTS)
    assert {step.total for step in analysed} == {DOCUMENTS}
    assert [step.done for step in analysed] == sorted(step.done for step in analysed)
    assert [step.passages for step in analysed] == sorted(step.passages for step in analysed)
    assert analysed[0].done == 0 and analysed[-1] == BuildStep("analyse", DOCUMENTS, DOCUMENTS, passages)
    assert len({step.done for step in analysed}) == DOCUMENTS + 1  # each document, as it is done
    assert {step.total for step in indexed} == {passages}
    assert indexed[0].done == 0 and indexed[-1].done == passages
    # A fresh index reports on its way; one reopened from disk reads no passages, so it goes straight to done.
    assert any(0 < step.done < passages for step in indexed) == indexed_passages
    assert [step.done for step in indexed] == sorted(step.done for step in indexed)


def test_a_build_reports_documents_read_passages_analysed_and_the_index_built(corpus: Path) -> None:
    steps: list[BuildStep] = []
    engine = Engine.from_folder(corpus, semantic=False, progress=steps.append)
    check_build(steps, engine)
    # Reporting changes nothing of what is built.
    quiet = Engine.from_folder(corpus, semantic=False)
    assert (quiet.version, len(quiet.passages)) == (engine.version, len(engine.passages))
    question = "how much did the bus fare rise in 2005?"
    assert engine.ask(question).to_json() == quiet.ask(question).to_json()


def test_documents_read_back_from_the_cache_are_counted_too(corpus: Path, tmp_path: Path) -> None:
    options = IndexOptions(cache=tmp_path / "analysis", path=tmp_path / "index", backend="tantivy")
    Engine.from_folder(corpus, semantic=False, index=options)
    steps: list[BuildStep] = []
    restarted = Engine.from_folder(corpus, semantic=False, index=options, progress=steps.append)
    check_build(steps, restarted, indexed_passages=False)


def test_passages_are_reported_as_workers_analyse_them(corpus: Path) -> None:
    documents, _ = load_folder(corpus)
    documents = documents[:20]
    told: list[int] = []
    spread = list(iter_analyses(documents, processes=2, min_parallel_chars=0, analysed=told.append))
    assert sum(told) == sum(len(a.columns) for a in spread) == sum(len(analyse(d).columns) for d in documents)
    assert len(told) > 1  # batch by batch, not once at the end


def test_an_empty_corpus_reports_no_index(tmp_path: Path) -> None:
    steps: list[BuildStep] = []
    engine = Engine.from_folder(tmp_path, semantic=False, progress=steps.append)
    assert engine.index is None
    assert stages(steps) == ["read", "analyse"] and steps[-1] == BuildStep("analyse", 0, 0, 0)


def test_an_index_reports_from_nothing_to_all_its_passages() -> None:
    tokenized = [["bus", "fare", str(i)] for i in range(2 * REPORT_EVERY + 5)]
    steps: list[BuildStep] = []
    make_index(tokenized, "tantivy", progress=steps.append)
    total = len(tokenized)
    assert [step.done for step in steps] == [0, REPORT_EVERY, 2 * REPORT_EVERY, total]
    assert {step.total for step in steps} == {total}
