"""The answer reader's quality/speed curve: candidates read, tokens kept, weight precision.

    python -m bench.reader_knobs                 # the validation split (training/data), ~5 min

Each setting is measured end to end through the engine (``Engine.ask``) on the reader's validation
split (documents it was not trained on), with the calibration and answer threshold fitted again for
that setting on the same split, as the trainer does: the knobs are chosen here, never on the seed or
corpus-b sets. ms/question is the mean time of ``ask`` for one question at a time.

- candidates: how many of the engine's candidates (lexical order) the reader reads;
- sentence tokens: the budget of word pieces kept of each candidate sentence;
- weights: the shipped 16-bit weights, or 8-bit per-row quantised matrices (dequantised at load).

Layers kept need a model trained for them: ``python -m training.train_reader --layers N --no-export``
reports the validation numbers of each.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from bot.engine.engine import Engine
from bot.engine.ranking import answer as answering
from bot.engine.ranking.reader import AnswerReader, load_reader
from bot.engine.ranking.semantic import Bert
from training import data
from training.calibrate import FALSE_DECLINE_TARGET, engine_ranked, validation_engine
from training.metrics import choose_threshold, fit_calibration, rank_metrics


@contextmanager
def setting(engine: Engine, passages: int, candidates: int, sentence_tokens: int, int8: bool) -> Iterator[None]:
    reader = engine.reader
    assert reader is not None
    saved = (answering.READER_PASSAGES, answering.READER_CANDIDATES, reader.settings, reader.bert)
    answering.READER_PASSAGES, answering.READER_CANDIDATES = passages, candidates
    reader.settings = dataclasses.replace(reader.settings, max_sentence_tokens=sentence_tokens)
    if int8:
        reader.bert = _quantised(reader)
    try:
        yield
    finally:
        answering.READER_PASSAGES, answering.READER_CANDIDATES, reader.settings, reader.bert = saved


def _quantised(reader: AnswerReader) -> Bert:
    """The reader's layers with every matrix rounded to 8 bits per row (symmetric, one scale a row)."""
    from bot.engine.ranking.reader import MODEL_DIR, WEIGHTS_FILE, WORD_EMBEDDINGS
    from bot.engine.ranking.semantic import widen

    with np.load(MODEL_DIR / WEIGHTS_FILE, allow_pickle=False) as archive:
        tensors = widen({name: archive[name] for name in archive.files})
    for name, value in tensors.items():
        if value.ndim == 2 and name.startswith("encoder."):
            scale = np.abs(value).max(axis=1, keepdims=True) / 127.0
            tensors[name] = (np.round(value / np.maximum(scale, 1e-12)) * scale).astype(np.float32)
    tensors[WORD_EMBEDDINGS] = reader.bert._word_emb
    return Bert(reader.config, tensors)


def measure(engine: Engine, questions: list[data.Question]) -> dict[str, float]:
    """End to end: each question's pool and the reader's margins, then calibration fitted on them."""
    assert engine.reader is not None
    started = time.perf_counter()
    found = engine_ranked(engine, engine.reader, questions)
    elapsed = time.perf_counter() - started
    scale, bias = fit_calibration(found)
    metrics = rank_metrics(found, scale, bias, choose_threshold(found, scale, bias, FALSE_DECLINE_TARGET))
    return {**metrics, "ms_per_question": 1000 * elapsed / len(questions)}


GRID = [
    # passages, candidates, sentence tokens, int8
    (12, 12, 64, False),
    (12, 24, 64, False),
    (20, 16, 64, False),
    (20, 24, 64, False),
    (20, 32, 64, False),
    (30, 32, 64, False),
    (20, 24, 32, False),
    (20, 24, 48, False),
    (20, 24, 64, True),
]


def _setting(text: str) -> tuple[int, int, int, bool]:
    """ "12,10,64" (16-bit weights) or "12,10,64,8" (8-bit)."""
    fields = [int(n) for n in text.split(",")]
    if len(fields) not in (3, 4) or (len(fields) == 4 and fields[3] not in (8, 16)):
        raise SystemExit(f"--setting {text}: expected passages,candidates,tokens[,8|16]")
    passages, candidates, tokens = fields[:3]
    return passages, candidates, tokens, len(fields) == 4 and fields[3] == 8


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=0, help="a seeded sample of N validation questions (0: all)")
    parser.add_argument(
        "--setting",
        action="append",
        metavar="P,C,T[,8]",
        help="only these settings (passages, candidates, sentence tokens; 16-bit, or 8-bit with a fourth "
        "field 8), e.g. --setting 12,10,64 --setting 12,10,64,8",
    )
    args = parser.parse_args(argv)
    grid = [_setting(s) for s in args.setting] if args.setting else GRID
    engine = validation_engine(load_reader())
    questions = data.questions("validation")
    if args.questions:
        questions = random.Random(0).sample(questions, min(args.questions, len(questions)))
    if engine.reader is None:
        raise SystemExit("no answer reader: train one with python -m training.train_reader")
    print(
        "| passages | candidates | sentence tokens | weights | hit@1 | hit@3 | abstention | false abstention "
        "| ms/question |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for passages, candidates, tokens, int8 in grid:
        with setting(engine, passages, candidates, tokens, int8):
            m = measure(engine, questions)
        print(
            f"| {passages} | {candidates} | {tokens} | {'8-bit' if int8 else '16-bit'} "
            f"| {m['hit_at_1']:.3f} | {m['hit_at_3']:.3f} "
            f"| {m['abstention']:.3f} | {m['false_abstention']:.3f} | {m['ms_per_question']:.0f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
