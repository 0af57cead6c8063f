"""Calibrate the shipped reader on the validation split, through the engine: ``python -m training.calibrate``.

The margins are the ones ``Engine.ask`` computes: the numpy reader over the engine's own pool
(``answer.READER_PASSAGES`` passages, their first ``answer.READER_CANDIDATES`` sentences in lexical
order), so the calibration and the answer threshold fit exactly what the bot will see. The trainer
calls this after writing the weights; run it alone after changing the pool. Numpy only (no torch).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench.quality import matches
from bot.engine.engine import Engine
from bot.engine.ranking import answer as answering
from bot.engine.ranking.reader import FORMAT, MODEL_DIR, SETTINGS_FILE, AnswerReader, load_reader
from training import data
from training.metrics import Ranked, choose_threshold, fit_calibration, rank_metrics

# Declining more answerable questions than this on validation is not worth the unanswerable ones it
# catches: the product's bound is 5% on unseen documents, and validation leaves a margin for them.
FALSE_DECLINE_TARGET = 0.04


def engine_ranked(engine: Engine, reader: AnswerReader, questions: Sequence[data.Question]) -> list[Ranked]:
    """Each question's pool as ``ask`` reads it: the reader's margins and which candidates answer."""
    found = []
    for item in questions:
        text = " ".join(item.question.split())
        pool = engine.candidates(text, answering.READER_PASSAGES, similar=0).scored[: answering.READER_CANDIDATES]
        inputs = engine.reader_inputs(pool)
        margins = reader.margins(text, inputs) if inputs else np.zeros(0, dtype=np.float32)
        expected = list(item.expected)
        labels = np.array([int(bool(expected) and matches(s, expected)) for s, _ in inputs], dtype=int)
        found.append(Ranked(item.answerable, margins, labels))
    return found


def validation_engine(reader: AnswerReader | None = None) -> Engine:
    engine = Engine(data.load_documents("validation"), semantic=False)
    engine.reader = reader  # the reader to calibrate, over the engine's lexical pool
    return engine


def calibrate(model_dir: Path = MODEL_DIR) -> dict[str, float]:
    """Fit the calibration and the threshold on validation, write them to ``reader.json``; the metrics."""
    reader = load_reader.__wrapped__(model_dir)  # not the cached one: the weights may be new
    if reader is None:
        raise SystemExit(f"no reader in {model_dir}")
    found = engine_ranked(validation_engine(reader), reader, data.questions("validation"))
    scale, bias = fit_calibration(found)
    threshold = choose_threshold(found, scale, bias, FALSE_DECLINE_TARGET)
    settings = dataclasses.replace(
        reader.settings, calibration_scale=scale, calibration_bias=bias, answer_threshold=threshold
    )
    (model_dir / SETTINGS_FILE).write_text(
        json.dumps({"format": FORMAT, **dataclasses.asdict(settings)}, indent=2) + "\n", encoding="utf-8"
    )
    return {
        **rank_metrics(found, scale, bias, threshold),
        "passages": answering.READER_PASSAGES,
        "candidates": answering.READER_CANDIDATES,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=MODEL_DIR)
    args = parser.parse_args(argv)
    print(json.dumps(calibrate(args.model), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
