import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.engine import Engine
from bot.engine.ranking import answer as answering
from bot.engine.ranking.answer import is_duplicate
from bot.engine.text.tokens import tokenize
from tests.conftest import CORPUS_B, SEED_FILE, SEEDS


def collapse(text: str) -> str:
    return " ".join(text.split())


SEED_TEXT = collapse(SEED_FILE.read_text(encoding="utf-8"))


def test_answer_quotes_the_document_with_citations(seed_engine: Engine) -> None:
    answer = seed_engine.ask("what's the new salary threshold for a work visa?")
    assert answer.answered
    assert 1 <= len(answer.sentences) <= 3
    assert "£38,000" in answer.sentences[0].text or "£38,700" in answer.sentences[0].text
    for sentence in answer.sentences:
        assert sentence.text in SEED_TEXT
        citation = sentence.citation
        assert citation.title.startswith("Cleverly signs new Rwanda treaty")
        assert citation.date == "2023-12-05" and citation.document == "000_bcbaab6fdc511440.txt"
        line = SEED_FILE.read_text(encoding="utf-8").split("\n")[citation.paragraph - 1]
        assert sentence.text in collapse(line)  # the cited paragraph is the one a reader counts


def test_near_duplicates_are_shown_once(seed_engine: Engine) -> None:
    answer = seed_engine.ask("how many people crossed the Channel in the five days to Sunday?")
    texts = [s.text for s in answer.sentences + answer.more]
    assert sum("five days to Sunday" in t for t in texts) == 1


def test_off_topic_question_is_declined_with_closest_passages(seed_engine: Engine) -> None:
    answer = seed_engine.ask("What is the capital city of France?")
    assert not answer.answered and answer.sentences == ()
    assert "do not answer" in answer.reason or "Nothing" in answer.reason
    data = answer.to_json()
    assert data["closest"], "a declined question offers the closest passages"
    assert all(item["direct_answer"] is False for item in data["closest"])


def test_missing_key_term_is_declined(seed_engine: Engine) -> None:
    assert not seed_engine.ask("how many people drowned in the Mediterranean last summer?").answered


def test_question_without_words(seed_engine: Engine) -> None:
    answer = seed_engine.ask("?? the of !!")
    assert not answer.answered and "no words" in answer.reason


def test_empty_corpus_says_so(tmp_path: Path) -> None:
    answer = Engine.from_folder(tmp_path).ask("anything at all?")
    assert not answer.answered and "corpus is empty" in answer.reason


def test_json_shape(seed_engine: Engine) -> None:
    data = json.loads(json.dumps(seed_engine.ask("why was the Rwanda scheme ruled unlawful?").to_json()))
    assert set(data) >= {"question", "answered", "sentences", "closest"}
    sentence = data["sentences"][0]
    assert set(sentence) == {"text", "score", "citation"}
    assert set(sentence["citation"]) == {"document", "title", "source", "url", "date", "paragraph"}


def test_matched_terms_are_words_of_the_sentence() -> None:
    # About matched terms, not ranking: word overlap alone puts this sentence first.
    answer = Engine.from_folder(SEEDS, semantic=False).ask("how much did the original scheme cost?")
    first = answer.sentences[0]
    assert "£140million" in first.text
    assert "£140million" in first.matched_terms
    assert all(term in first.text for term in first.matched_terms)


def test_version_changes_with_content(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The levy rises to five pounds per visitor per night.", encoding="utf-8")
    before = Engine.from_folder(tmp_path).version
    (tmp_path / "a.txt").write_text("The levy rises to six pounds per visitor per night.", encoding="utf-8")
    assert Engine.from_folder(tmp_path).version != before


def test_duplicate_rule() -> None:
    a = {t: 1 for t in tokenize("More than 1,000 arrived across the Channel in the five days to Sunday.")}
    b = {t: 1 for t in tokenize("More than 1,000 arrived across the Channel in the five days to Sunday (File Photo)")}
    c = {t: 1 for t in tokenize("The salary threshold for a work visa will rise.")}
    assert is_duplicate(a, b) and not is_duplicate(a, c)


question_words = st.sampled_from(
    ["rwanda", "salary", "threshold", "how", "many", "boats", "court", "£140m", "745,000", "why", "Cleverly",
     "visa", "what", "treaty", "flights", "care", "workers", "third", "2021", "@everyone", "[x](y)", "..."]
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(question_words, min_size=1, max_size=12).map(" ".join))
def test_every_shown_sentence_is_verbatim_and_unique(seed_engine: Engine, question: str) -> None:
    answer = seed_engine.ask(question)
    shown = answer.sentences + answer.more
    for sentence in shown:
        assert sentence.text in SEED_TEXT
        document = seed_engine.document(sentence.citation.document)
        assert document is not None
        assert collapse(document.text[sentence.start : sentence.end]) == sentence.text
    for i, a in enumerate(shown):
        for b in shown[i + 1 :]:
            assert not is_duplicate({t: 1 for t in tokenize(a.text)}, {t: 1 for t in tokenize(b.text)})
    if answer.answered:
        assert answer.sentences and not answer.closest
    assert not re.search(r"\s{2,}", " ".join(s.text for s in shown))


def test_the_figure_index_is_built_once_on_first_use_even_from_many_threads() -> None:
    import threading

    from bot.engine.figures import index as figures_module

    engine = Engine.from_folder(SEEDS, semantic=False)
    assert not engine.figures_ready  # a question needs no figures: an engine answers before indexing them
    assert engine.ask("what is the salary threshold for a work visa").answered
    builds: list[int] = []
    original = figures_module.FigureIndex.build.__func__  # type: ignore[attr-defined]

    def counting(cls: type, items: object) -> object:
        builds.append(1)
        return original(cls, items)

    results: list[object] = []
    try:
        figures_module.FigureIndex.build = classmethod(counting)  # type: ignore[method-assign,assignment]
        threads = [threading.Thread(target=lambda: results.append(engine.figures)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        figures_module.FigureIndex.build = classmethod(original)  # type: ignore[method-assign,assignment]
    assert builds == [1] and engine.figures_ready
    assert all(result is results[0] for result in results) and len(engine.figures) > 0


def test_candidates_are_what_ask_decides_from(seed_engine: Engine) -> None:
    question = "what's the new salary threshold for a work visa?"
    # The answer reader reads the first READER_CANDIDATES of the best READER_PASSAGES passages, then the
    # sentences nearest the question by meaning (``Engine.reader_pool``).
    assert seed_engine.reader is not None
    found = seed_engine.candidates(question, answering.READER_PASSAGES)
    answer = seed_engine.ask(question)
    assert found.scored == sorted(found.scored, key=lambda s: -s.score)  # lexical order
    assert found.similarities == []  # the reader needs no MiniLM similarities
    read = seed_engine.reader_pool(question, found.scored, found.terms)
    assert read[: answering.READER_CANDIDATES] == found.scored[: answering.READER_CANDIDATES]
    pool = {s.record.start for s in read}
    assert answer.sentences and {s.start for s in answer.sentences + answer.more} <= pool
    # Without the reader, the MiniLM tie-break decides from the candidates and their similarities.
    minilm = Engine.from_folder(SEEDS, reader=False)
    found = minilm.candidates(question)
    assert len(found.similarities) == min(len(found.scored), 20)
    assert {s.start for s in minilm.ask(question).sentences} <= {s.record.start for s in found.scored}
    wider = minilm.candidates(question, passages=40, similar=5)
    assert len(wider.scored) > len(found.scored) and len(wider.similarities) == 5


def test_candidates_of_a_question_without_words_are_empty(seed_engine: Engine) -> None:
    found = seed_engine.candidates("???")
    assert found.scored == [] and found.passage_hits == [] and found.similarities == []


def test_a_dropped_engine_is_freed_at_once_without_a_collection() -> None:
    # No reference cycle through the engine: a replaced engine goes as soon as no question holds it,
    # with no full collection (which gc.freeze() at each swap would otherwise postpone forever).
    import gc
    import weakref

    engine = Engine.from_folder(CORPUS_B, semantic=False)
    assert engine.ask("how much is the minimum wage going up to").answered
    gone = weakref.ref(engine)
    gc.disable()
    try:
        del engine
        assert gone() is None
    finally:
        gc.enable()
