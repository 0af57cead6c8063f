"""The answer reader: a small cross-encoder that reads a question and a candidate sentence together.

BM25 and the MiniLM bi-encoder see the question and a sentence apart; they cannot tell "the scheme
was deemed illegal" from "the scheme was signed" when both share the question's words. The reader
sees ``[CLS] question [SEP] sentence [SEP] title [SEP]`` as one text, so its attention compares the
two word by word. It was fine-tuned in this project (``python -m training.train_reader``) from the
bottom layers of all-MiniLM-L6-v2 on training documents and questions written for the project; its
model card is ``bot/engine/ranking/reader_model/MODEL_CARD.md``.

At run time only numpy runs: the encoder stack is ``semantic.Bert``, the word embeddings (frozen in
training, so unchanged) are read from the installed MiniLM package, and the rest (layers, pooler,
head, 16-bit) from ``reader_model/reader.npz``. Without either, ``load_reader()`` returns None and
the engine ranks and declines as it did before the reader (lexical order, MiniLM tie-break).

Scores. The head gives each (question, sentence) pair a logit; training put a learned "none of
these" logit beside each question's candidates in one softmax, so ``logit - null_logit`` says how
much better than "nothing here answers" a sentence is. A logistic calibration fitted on the
validation split turns that margin into the probability that the sentence answers the question;
the engine answers when the best candidate's probability reaches ``answer_threshold``, chosen on
the validation split for at most ~5% of answerable questions declined.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from bot.engine.ranking.semantic import (
    Bert,
    BertConfig,
    WordPieceTokenizer,
    batches,
    find_model_dir,
    read_safetensors,
    widen,
)

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parent / "reader_model"
WEIGHTS_FILE = "reader.npz"
SETTINGS_FILE = "reader.json"
FORMAT = 1
WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"
# A batch is shared between the cores when each gets at least this many pairs: below it, handing
# work to another thread costs more than it saves.
MIN_PAIRS_PER_THREAD = 4


@dataclass(frozen=True)
class ReaderSettings:
    """What ``reader.json`` fixes about a trained reader: its shape, its inputs and its calibration."""

    layers: int
    max_question_tokens: int
    max_sentence_tokens: int
    max_title_tokens: int
    null_logit: float
    calibration_scale: float
    calibration_bias: float
    answer_threshold: float
    base_word_embeddings: str  # blake2b of the base model's word embeddings the reader was trained on
    # How much of the lexical ranking's knowledge joins the reader's margin in ordering the candidates
    # (``AnswerReader.order``); fitted on the validation split by ``training.calibrate``.
    rank_prior: float = 0.0
    coverage_weight: float = 0.0

    @classmethod
    def from_file(cls, path: Path) -> ReaderSettings:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"reader format {data.get('format')!r} is not {FORMAT}")
        # Fields with a default may be absent (a reader written before they existed orders by margin alone).
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})


def embeddings_digest(word_embeddings: np.ndarray) -> str:
    return hashlib.blake2b(np.ascontiguousarray(word_embeddings, dtype=np.float32).tobytes(), digest_size=8).hexdigest()


def pair_ids(
    tokenizer: WordPieceTokenizer, question: str, sentence: str, title: str, settings: ReaderSettings
) -> tuple[list[int], list[int]]:
    """Token ids and segment ids of one pair, each part cut to its budget (training uses this too)."""
    q = _pieces(tokenizer, question, settings.max_question_tokens)
    s = _pieces(tokenizer, sentence, settings.max_sentence_tokens)
    t = _pieces(tokenizer, title, settings.max_title_tokens)
    cls, sep = tokenizer.cls_id, tokenizer.sep_id
    ids = [cls, *q, sep, *s, sep]
    if t:
        ids += [*t, sep]
    return ids, [0] * (len(q) + 2) + [1] * (len(ids) - len(q) - 2)


def order_key(margins: np.ndarray, coverages: np.ndarray, coverage_weight: float, rank_prior: float) -> np.ndarray:
    """What candidates given in lexical order are ordered by (higher first): see ``AnswerReader.order``."""
    return margins + coverage_weight * coverages - rank_prior * np.log1p(np.arange(len(margins)))


def _pieces(tokenizer: WordPieceTokenizer, text: str, limit: int) -> list[int]:
    pieces: list[int] = []
    for word in tokenizer.words(text):
        pieces.extend(tokenizer.word_ids(word))
        if len(pieces) >= limit:
            break
    return pieces[:limit]


class AnswerReader:
    """Scores candidate sentences against a question. Immutable; safe to share between threads."""

    def __init__(self, model_dir: Path, base_dir: Path) -> None:
        self.settings = ReaderSettings.from_file(model_dir / SETTINGS_FILE)
        base = BertConfig.from_file(base_dir / "config.json")
        self.config = BertConfig(
            hidden_size=base.hidden_size,
            num_heads=base.num_heads,
            num_layers=self.settings.layers,
            layer_norm_eps=base.layer_norm_eps,
            max_positions=base.max_positions,
        )
        self.tokenizer = WordPieceTokenizer.from_file(base_dir / "vocab.txt", self.config.max_positions)
        word_embeddings = read_safetensors(base_dir / "model.safetensors")[WORD_EMBEDDINGS]
        if embeddings_digest(word_embeddings) != self.settings.base_word_embeddings:
            raise ValueError("the installed MiniLM word embeddings are not the ones the reader was trained on")
        with np.load(model_dir / WEIGHTS_FILE, allow_pickle=False) as archive:
            tensors = widen({name: archive[name] for name in archive.files})
        self._pooler = (tensors.pop("pooler.dense.weight").T.copy(), tensors.pop("pooler.dense.bias"))
        self._head = (tensors.pop("head.weight").reshape(-1), float(tensors.pop("head.bias").reshape(-1)[0]))
        tensors[WORD_EMBEDDINGS] = word_embeddings.astype(np.float32, copy=False)
        self.bert = Bert(self.config, tensors)

    @property
    def answer_threshold(self) -> float:
        return self.settings.answer_threshold

    def margins(self, question: str, candidates: Sequence[tuple[str, str]], batch_size: int = 32) -> np.ndarray:
        """Each (sentence, title)'s logit less the "none of these" logit, as float32."""
        pairs = [pair_ids(self.tokenizer, question, sentence, title, self.settings) for sentence, title in candidates]
        out = np.zeros(len(pairs), dtype=np.float32)
        units = [
            part
            for chosen in batches([len(ids) for ids, _ in pairs], batch_size)
            for part in split_batch(chosen, reader_threads())
        ]
        if len(units) == 1:
            out[units[0]] = self._logits([pairs[i] for i in units[0]])
        else:
            # numpy releases the GIL in its matrix products, so the parts run on separate cores:
            # one question's reading takes about half as long (one BLAS thread each, as the bot sets).
            futures = [(unit, _executor().submit(self._logits, [pairs[i] for i in unit])) for unit in units]
            for unit, future in futures:
                out[unit] = future.result()
        return out - np.float32(self.settings.null_logit)

    def order(self, margins: np.ndarray, coverages: np.ndarray) -> np.ndarray:
        """Candidates given in lexical order, best first: the reader's margin, plus a little of what the
        lexical ranking knows and a 4-layer reader misses (how much of the question's rare words the
        sentence holds, and how high BM25 put it). Held out by document on the validation split, this
        put the right sentence first more often than the margin alone (``training.calibrate``)."""
        key = order_key(margins, coverages, self.settings.coverage_weight, self.settings.rank_prior)
        return np.argsort(-key, kind="stable")  # ties keep the lexical order

    def probabilities(self, margins: np.ndarray) -> np.ndarray:
        """The calibrated probability that each sentence answers the question."""
        z = self.settings.calibration_scale * margins + self.settings.calibration_bias
        return 1.0 / (1.0 + np.exp(-z))

    def _logits(self, pairs: list[tuple[list[int], list[int]]]) -> np.ndarray:
        length = max(len(ids) for ids, _ in pairs)
        input_ids = np.full((len(pairs), length), self.tokenizer.pad_id, dtype=np.int64)
        type_ids = np.zeros((len(pairs), length), dtype=np.int64)
        mask = np.zeros((len(pairs), length), dtype=bool)
        for row, (ids, types) in enumerate(pairs):
            input_ids[row, : len(ids)] = ids
            type_ids[row, : len(ids)] = types
            mask[row, : len(ids)] = True
        hidden = self.bert.forward(input_ids, mask, type_ids)
        # [CLS] of each pair: the first of its rows in the packed hidden states.
        starts = np.concatenate(([0], np.cumsum(mask.sum(axis=1))[:-1]))
        pooled = np.tanh(hidden[starts] @ self._pooler[0] + self._pooler[1])
        return pooled @ self._head[0] + np.float32(self._head[1])


def reader_threads() -> int:
    """How many threads read one question's pairs: the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def split_batch(chosen: list[int], threads: int) -> list[list[int]]:
    """A batch (indices ordered by length) dealt into up to ``threads`` parts of similar token counts."""
    parts = min(threads, len(chosen) // MIN_PAIRS_PER_THREAD)
    return [chosen[i::parts] for i in range(parts)] if parts > 1 else [chosen]


@cache
def _executor() -> ThreadPoolExecutor:
    # Shared by every question: under load, parts queue in order instead of oversubscribing the cores.
    return ThreadPoolExecutor(max_workers=reader_threads(), thread_name_prefix="reader")


@cache
def load_reader(model_dir: Path = MODEL_DIR) -> AnswerReader | None:
    """The shipped reader, or None (logged once) when its weights or the MiniLM package are missing."""
    base_dir = find_model_dir()
    if base_dir is None:
        log.info("answer reader off: the MiniLM model package is not installed")
        return None
    if not (model_dir / WEIGHTS_FILE).is_file():
        log.info("answer reader off: no trained weights in %s (python -m training.train_reader)", model_dir)
        return None
    try:
        return AnswerReader(model_dir, base_dir)
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("answer reader off: cannot load %s: %s", model_dir, error)
        return None
