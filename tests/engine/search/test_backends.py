"""Index backends: rank-bm25 and tantivy agree, tantivy's on-disk life cycle, the factory's rules."""

from __future__ import annotations

import ast
import copy
import json
from pathlib import Path

import pytest

from bot.engine.build.parallel import iter_joined_tokens, tokenize_many
from bot.engine.engine import Engine
from bot.engine.models import ScoredIds
from bot.engine.search import backends
from bot.engine.search.backends import (
    TANTIVY_K1,
    choose_backend,
    make_index,
    tokens_digest,
)
from bot.engine.search.index import Bm25Index, EmptyCorpusError
from bot.engine.search.tantivy_index import KEYS_FILE, LABEL_FILE, TantivyIndex
from bot.engine.text.tokens import question_tokens, tokenize

QUALITY = Path(__file__).resolve().parents[2] / "quality"
QUESTION_SETS = {"seed": QUALITY / "seed_dev.jsonl", "corpus_b": QUALITY / "corpus_b_questions.jsonl"}
K = 12  # the engine's TOP_PASSAGES


def questions(name: str) -> list[list[str]]:
    lines = QUESTION_SETS[name].read_text(encoding="utf-8").splitlines()
    return [question_tokens(json.loads(line)["question"]) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def corpora(seed_engine: Engine, corpus_b_engine: Engine) -> dict[str, list[list[str]]]:
    return {name: [tokenize(p.text) for p in engine.passages] for name, engine in
            (("seed", seed_engine), ("corpus_b", corpus_b_engine))}  # fmt: skip


def assert_same_ranking(a: ScoredIds, b: ScoredIds, rel: float = 1e-5) -> None:
    """Same scores rank by rank; same ids, except that equal scores (to float32) may swap.

    Only the last group of equal scores may be cut differently by k, so it is compared by size.
    """
    assert len(a.ids) == len(b.ids)
    assert a.scores == pytest.approx(b.scores, rel=rel)
    groups: list[tuple[set[int], set[int]]] = []
    for i, (id_a, id_b) in enumerate(zip(a.ids, b.ids, strict=True)):
        if i and a.scores[i] == pytest.approx(a.scores[i - 1], rel=rel):
            groups[-1][0].add(id_a)
            groups[-1][1].add(id_b)
        else:
            groups.append(({id_a}, {id_b}))
    for ids_a, ids_b in groups[:-1]:
        assert ids_a == ids_b


# -- both backends agree ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(QUESTION_SETS))
def test_backends_agree_on_the_project_question_sets(name: str, corpora: dict[str, list[list[str]]]) -> None:
    tokenized = corpora[name]
    tantivy = TantivyIndex.build(None, tokenized)
    engine_default = make_index(tokenized, "rank_bm25")  # k1 1.5: the same best passage
    parity = Bm25Index(tokenized, k1=TANTIVY_K1)  # tantivy's k1: the same top 12
    for query in questions(name):
        got = tantivy.search(query, K)
        assert got.ids[:1] == engine_default.search(query, K).ids[:1], query
        assert_same_ranking(parity.search(query, K), got)
    for term in {t for tokens in tokenized for t in tokens} | {"zzz-absent"}:
        assert tantivy.document_frequency(term) == parity.document_frequency(term)
    assert len(tantivy) == len(parity) == len(tokenized)


def test_tantivy_edge_cases_match_bm25index() -> None:
    tokenized = [["rwanda", "treati"], ["salari", "threshold"], ["salari", "threshold"], ["boat"], []]
    index = TantivyIndex.build(None, tokenized)
    result = index.search(["salari", "threshold", "salari"], k=3)
    assert result.ids == (1, 2)  # equal scores in id order; a repeated query term counts once
    assert result.scores[0] == pytest.approx(
        Bm25Index(tokenized, k1=TANTIVY_K1).search(["salari", "threshold"], 3).scores[0]
    )
    assert index.search(["zzz"], k=5) == ScoredIds()
    assert index.search([], k=5) == ScoredIds()
    assert index.search(["boat"], k=0) == ScoredIds()  # tantivy itself panics on a limit of 0


# -- tantivy on disk -------------------------------------------------------------------------------


def test_reopening_gives_the_same_results(tmp_path: Path, corpora: dict[str, list[list[str]]]) -> None:
    folder = tmp_path / "index"
    built = TantivyIndex.build(folder, corpora["corpus_b"], label="v1")
    before = [built.search(q, K) for q in questions("corpus_b")]
    reopened = TantivyIndex.open(folder)
    assert reopened.label == "v1" and len(reopened) == len(corpora["corpus_b"])
    assert [reopened.search(q, K) for q in questions("corpus_b")] == before
    # Rebuilding replaces the index whole; the old folder's leftovers are gone.
    rebuilt = TantivyIndex.build(folder, corpora["seed"], label="v2")
    assert TantivyIndex.open(folder).label == "v2" and len(rebuilt) == len(corpora["seed"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index"]


def test_open_refuses_missing_and_foreign_folders(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        TantivyIndex.open(tmp_path / "nothing")
    TantivyIndex.build(tmp_path / "index", [["a1"]])
    (tmp_path / "index" / LABEL_FILE).unlink()
    with pytest.raises(ValueError, match="rebuild"):
        TantivyIndex.open(tmp_path / "index")


def test_incremental_add_replace_and_delete(tmp_path: Path, corpora: dict[str, list[list[str]]]) -> None:
    seed = corpora["seed"]
    new_id = len(seed)
    added = ["rwanda", "treati", "zanzibar"]
    with TantivyIndex.build(tmp_path / "index", seed) as index:
        index.add([added], [new_id])
        assert len(index) == len(seed) + 1
        assert index.search(["zanzibar"], K).ids == (new_id,)
        # Without deletes tantivy's statistics are exact: as if built with the passage from the start.
        fresh = TantivyIndex.build(None, [*seed, added])
        for query in questions("seed"):
            assert index.search(query, K) == fresh.search(query, K)
        index.add([["lighthous"]], [new_id])  # the same id again replaces the passage
        assert len(index) == len(seed) + 1
        assert index.search(["zanzibar"], K) == ScoredIds()
        assert index.search(["lighthous"], K).ids == (new_id,)
        index.delete([new_id, 10**9])  # unknown ids are ignored
        assert len(index) == len(seed)
        assert index.search(["lighthous"], K) == ScoredIds()
        index.delete([0])
        assert 0 not in index.search(seed[0], K).ids
    # Changes were committed: another opening sees them.
    reopened = TantivyIndex.open(tmp_path / "index")
    assert len(reopened) == len(seed) - 1 and 0 not in reopened.search(seed[0], K).ids


# -- the factory ------------------------------------------------------------------------------------


def test_choose_backend_rules() -> None:
    assert choose_backend(10, "rank_bm25") == "rank_bm25"
    assert choose_backend(10**7, "rank_bm25") == "rank_bm25"
    assert choose_backend(49_999, "auto") == "rank_bm25"
    assert choose_backend(100, "auto", auto_threshold=100) == "tantivy"
    assert choose_backend(10**7, "auto") == "tantivy"
    assert choose_backend(10, "tantivy") == "tantivy"  # as configured, whatever the size
    with pytest.raises(ValueError, match="unknown index backend"):
        choose_backend(10, "lucene")  # type: ignore[arg-type]


def test_tantivy_is_imported_plainly_by_the_search_room() -> None:
    # tantivy is a required dependency: an import guard or a late import would hide a broken install
    # until the first corpus large enough to need it, instead of failing at start.
    for path in sorted(Path(backends.__file__).parent.glob("*.py")):
        module = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(module):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [alias.name for alias in node.names]
                names += [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
                if any("tantivy" in name for name in names):
                    assert node in module.body, f"{path.name}:{node.lineno} imports tantivy late or guarded"
        assert "find_spec" not in path.read_text(encoding="utf-8"), path.name


def test_make_index_refuses_an_empty_corpus() -> None:
    for backend in ("auto", "rank_bm25", "tantivy"):
        with pytest.raises(EmptyCorpusError):
            make_index([], backend)  # type: ignore[arg-type]
        with pytest.raises(EmptyCorpusError):
            make_index([[], []], backend)  # type: ignore[arg-type]


def test_make_index_builds_by_size_and_reuses_a_labelled_index(
    tmp_path: Path, corpora: dict[str, list[list[str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    tokenized = corpora["seed"]
    assert isinstance(make_index(tokenized, "auto"), Bm25Index)
    folder = tmp_path / "index"
    built = make_index(tokenized, "auto", folder, auto_threshold=len(tokenized), label="v1")
    assert isinstance(built, TantivyIndex) and built.path == folder

    def no_rebuild(*_: object, **__: object) -> None:
        raise AssertionError("rebuilt an index it could have opened")

    with monkeypatch.context() as patch:
        patch.setattr(TantivyIndex, "build", no_rebuild)
        reused = make_index(tokenized, "tantivy", folder, label="v1")
    assert isinstance(reused, TantivyIndex) and reused.search(tokenized[3], K) == built.search(tokenized[3], K)
    changed = make_index(tokenized[:-1], "tantivy", folder, label="v2")  # another corpus version: rebuilt
    assert isinstance(changed, TantivyIndex) and changed.label == "v2" and len(changed) == len(tokenized) - 1
    # Without a label, the tokens' digest decides: the same tokens reuse, any other token rebuilds.
    first = make_index(tokenized, "tantivy", folder)
    assert isinstance(first, TantivyIndex) and first.label == tokens_digest(tokenized)
    with monkeypatch.context() as patch:
        patch.setattr(TantivyIndex, "build", no_rebuild)
        make_index(tokenized, "tantivy", folder)
    edited = [*tokenized[:-1], [*tokenized[-1], "edit"]]
    assert make_index(edited, "tantivy", folder).label == tokens_digest(edited) != first.label
    # An index changed after its build is not what its label named: it is rebuilt, not reused.
    reopened = TantivyIndex.open(folder)
    reopened.add([["extra"]], [len(edited)])
    reopened.close()
    assert TantivyIndex.open(folder).label is None


# -- parallel tokenization ---------------------------------------------------------------------------


def test_parallel_tokenization_matches_serial(seed_engine: Engine) -> None:
    texts = [p.text for p in seed_engine.passages]
    serial = [tokenize(text) for text in texts]
    assert [joined.split() for joined in iter_joined_tokens(texts, processes=2, chunk_size=7, min_parallel=0)] == serial
    assert tokenize_many(iter(texts), processes=1) == serial
    assert tokenize_many(texts) == serial  # below the parallel threshold: in-process


# -- the engine on either backend (a prototype of the recommended INDEX_BACKEND setting) -------------


@pytest.mark.parametrize("name", sorted(QUESTION_SETS))
def test_engine_answers_alike_on_either_backend(
    name: str, seed_engine: Engine, corpus_b_engine: Engine, corpora: dict[str, list[list[str]]]
) -> None:
    # Copies of the shared engines, with the index swapped as INDEX_BACKEND=tantivy would build it.
    # Lexical only: the two backends' BM25 scores differ slightly, so the last of the passages read can
    # differ, and the answer reader (which weighs the lexical rank) may then order the pool differently;
    # what is compared here is the backends' lexical answers.
    engine = copy.copy({"seed": seed_engine, "corpus_b": corpus_b_engine}[name])
    engine.encoder = None
    engine.reader = None
    on_tantivy = copy.copy(engine)
    on_tantivy.index = make_index(corpora[name], "tantivy")
    assert type(engine.index).__name__ == "Bm25Index" and type(on_tantivy.index).__name__ == "TantivyIndex"
    lines = QUESTION_SETS[name].read_text(encoding="utf-8").splitlines()
    for question in (json.loads(line)["question"] for line in lines if line.strip()):
        expected, got = engine.ask(question), on_tantivy.ask(question)
        assert got.answered == expected.answered, question
        assert [s.text for s in got.sentences] == [s.text for s in expected.sentences], question


# -- a keyed index kept in step with the corpus ------------------------------------------------------


def keys_for(tokenized: list[list[str]], version: str = "v1") -> list[int]:
    return [backends.passage_key(version, f"doc#p{i}") for i in range(len(tokenized))]


def spy_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    builds: list[int] = []
    original = TantivyIndex.build.__func__  # type: ignore[attr-defined]

    def counting(cls: type, folder: Path, tokenized: object, *args: object, **kwargs: object) -> object:
        builds.append(1)
        return original(cls, folder, tokenized, *args, **kwargs)

    monkeypatch.setattr(TantivyIndex, "build", classmethod(counting))
    return builds


def test_a_keyed_index_answers_with_positions_like_a_positional_one(
    corpora: dict[str, list[list[str]]], tmp_path: Path
) -> None:
    tokenized = corpora["corpus_b"]
    keyed = make_index(tokenized, "tantivy", tmp_path / "index", keys=keys_for(tokenized))
    positional = make_index(tokenized, "tantivy")
    assert len(keyed) == len(tokenized)
    for query in questions("corpus_b"):
        assert_same_ranking(keyed.search(query, K), positional.search(query, K))


def test_a_keyed_index_is_updated_not_rebuilt_when_a_few_passages_change(
    corpora: dict[str, list[list[str]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokenized = corpora["seed"]
    folder = tmp_path / "index"
    builds = spy_builds(monkeypatch)
    make_index(tokenized, "tantivy", folder, keys=keys_for(tokenized))
    assert builds == [1]
    reopened = make_index(tokenized, "tantivy", folder, keys=keys_for(tokenized))  # a restart
    assert builds == [1] and len(reopened) == len(tokenized)

    # One passage removed from the middle, one added at the end: positions shift, keys do not.
    new_passage = ["zanzibar", "ferri", "levi", "_money"]
    changed = [*tokenized[:3], *tokenized[4:], new_passage]
    keys = [*keys_for(tokenized)[:3], *keys_for(tokenized)[4:], backends.passage_key("v2", "new#p1")]
    updated = make_index(changed, "tantivy", folder, keys=keys)
    assert builds == [1], "updated in place"
    assert len(updated) == len(changed)
    assert updated.search(["zanzibar"], 3).ids == (len(changed) - 1,)
    removed_key = keys_for(tokenized)[3]
    assert removed_key not in updated.tantivy.search(tokenized[3], len(tokenized)).ids
    # Until segments merge, deleted passages still count in N and document frequencies (as in Lucene),
    # so scores drift a little from a fresh build's; the best passage stays the same.
    fresh = make_index(changed, "tantivy")
    same = [updated.search(q, K).ids[:1] == fresh.search(q, K).ids[:1] for q in questions("seed")]
    assert sum(same) >= 0.9 * len(same)


def test_a_keyed_index_is_rebuilt_after_a_large_change_or_a_torn_update(
    corpora: dict[str, list[list[str]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokenized = corpora["seed"]
    folder = tmp_path / "index"
    builds = spy_builds(monkeypatch)
    make_index(tokenized, "tantivy", folder, keys=keys_for(tokenized))
    make_index(tokenized, "tantivy", folder, keys=keys_for(tokenized, "v2"))  # every passage changed
    assert builds == [1, 1]
    (folder / KEYS_FILE).unlink()  # as an update interrupted between its delete and its commit leaves it
    rebuilt = make_index(tokenized, "tantivy", folder, keys=keys_for(tokenized, "v2"))
    assert builds == [1, 1, 1] and len(rebuilt) == len(tokenized)


def test_an_engine_refresh_adds_a_document_to_its_index_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.engine.search.backends import IndexOptions

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(8):
        (corpus / f"note-{i}.txt").write_text(f"Council note {i}: the parking permit costs £{30 + i} a year.\n")
    options = IndexOptions(backend="tantivy", path=tmp_path / "index", cache=tmp_path / "cache")
    before = Engine.from_folder(corpus, semantic=False, index=options)
    builds = spy_builds(monkeypatch)
    (corpus / "ferry.txt").write_text("The Zanzibar ferry levy is £4 per crossing.\n")
    after = Engine.from_folder(corpus, semantic=False, index=options)
    assert builds == []
    answer = after.ask("how much is the zanzibar ferry levy")
    assert answer.answered and answer.sentences[0].citation.document == "ferry.txt"
    # The engine still serving until the swap knows nothing of the new passage and is not confused by it.
    old = before.ask("how much is the parking permit")
    assert old.answered and old.sentences[0].citation.document.startswith("note-")
    assert not before.ask("zanzibar ferry levy").answered
