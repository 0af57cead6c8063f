"""Answer quality on a question set: hit@1, hit@3, abstention, false abstention, fidelity.

    python -m bench.quality                       # the project's question sets, as a table
    python -m bench.quality --modes               # lexical / MiniLM tie-break / reader, side by side
    python -m bench.quality --json                # the same as JSON
    python -m bench.quality --corpus DIR --questions FILE.jsonl [--floors]

Sets: seed-dev and seed-heldout (the seed article), corpus-b (``tests/quality/corpus_b``), and
validation (the answer reader's validation split, ``training/data``: documents it was not trained
on, but on which its threshold was chosen). The seed and corpus-b sets never enter training.

Modes: ``lexical`` (word overlap only: ``SEMANTIC=false``), ``minilm`` (the MiniLM encoder breaks
near-ties and helps decide, as before the reader), ``reader`` (the answer reader ranks and decides;
the engine's default when its weights are there).

A question file has one JSON object per line: ``question``, ``answerable`` and ``expected`` (the
document's sentences that answer it). Scoring is strict: an answerable question counts as a hit
only when the bot answers it (declining is a miss) and a shown sentence is an expected one.
Fidelity is the share of every sentence and passage shown that stands verbatim in the corpus.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.engine.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
QUALITY = ROOT / "tests" / "quality"
SETS = {
    "seed-dev": (ROOT / "seeds", QUALITY / "seed_dev.jsonl"),
    "seed-heldout": (ROOT / "seeds", QUALITY / "seed_heldout.jsonl"),
    "corpus-b": (QUALITY / "corpus_b", QUALITY / "corpus_b_questions.jsonl"),
}
VALIDATION = "validation"
MODES = {"lexical": {"semantic": False}, "minilm": {"semantic": True, "reader": False}, "reader": {}}
# The product's targets, reported by every run.
TARGETS = {"hit_at_1": 0.90, "hit_at_3": 0.97, "abstention": 0.80, "false_abstention_max": 0.05, "fidelity": 1.0}
# What CI holds the engine to on the development sets, per set and mode: fidelity at the target,
# ranking, abstention and false declines at the measured level less a small margin, so a regression
# fails the build. They are below the targets: see the README's quality section for the numbers.
CI_FLOORS = {
    # The reader trained three epochs on the 84-document data (selected on validation): seed-dev 0.681 / 0.894,
    # 7 of 13 unanswerable declined, 1 of 47 answerable.
    ("seed-dev", "reader"): {"hit_at_1": 0.66, "hit_at_3": 0.87, "abstention": 0.50, "false_abstention_max": 0.05},
    # corpus-b, with the sentences found by meaning in the reader's pool: 0.800 / 0.900, 9 of 13 unanswerable
    # declined, 2 of its 40 answerable questions (0.050; 3 without them).
    ("corpus-b", "reader"): {"hit_at_1": 0.78, "hit_at_3": 0.87, "abstention": 0.67, "false_abstention_max": 0.06},
    # SEMANTIC=false: word overlap alone, the fallback when no model can be loaded.
    ("seed-dev", "lexical"): {"hit_at_1": 0.44, "hit_at_3": 0.74, "abstention": 0.35, "false_abstention_max": 0.07},
    ("corpus-b", "lexical"): {"hit_at_1": 0.62, "hit_at_3": 0.72, "abstention": 0.20, "false_abstention_max": 0.06},
}
FIDELITY = 1.0


@dataclass
class Report:
    name: str
    questions: int
    answerable: int
    unanswerable: int
    hit_at_1: float
    hit_at_3: float
    abstention: float
    false_abstention: float
    fidelity: float
    ms_per_question: float
    misses: list[dict[str, object]]

    def failures(self, floors: dict[str, float]) -> list[str]:
        floors = {"fidelity": FIDELITY, **floors}
        problems = []
        for metric in ("hit_at_1", "hit_at_3", "abstention", "fidelity"):
            if getattr(self, metric) < floors[metric]:
                problems.append(f"{metric} {getattr(self, metric):.3f} < {floors[metric]}")
        if self.false_abstention > floors["false_abstention_max"]:
            problems.append(f"false_abstention {self.false_abstention:.3f} > {floors['false_abstention_max']}")
        return problems


def _collapse(text: str) -> str:
    return " ".join(text.split())


def matches(shown: str, expected: list[str]) -> bool:
    shown = _collapse(shown)
    return any(shown == e or (len(shown) > 20 and (shown in e or e in shown)) for e in map(_collapse, expected))


def load_questions(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(engine: Engine, questions: list[dict[str, object]], name: str = "") -> Report:
    corpus_text = "\n".join(_collapse(d.text) for d in engine.documents)
    hits1 = hits3 = declined_unanswerable = declined_answerable = 0
    shown_total = shown_verbatim = 0
    misses: list[dict[str, object]] = []
    started = time.perf_counter()
    for item in questions:
        answer = engine.ask(str(item["question"]))
        texts = [s.text for s in answer.sentences + answer.more] + [c.text for c in answer.closest]
        shown_total += len(texts)
        shown_verbatim += sum(_collapse(t) in corpus_text for t in texts)
        if not item["answerable"]:
            declined_unanswerable += not answer.answered
            if answer.answered:
                misses.append({"question": item["question"], "problem": "answered", "got": texts[:1]})
            continue
        expected = [str(e) for e in item["expected"]]  # type: ignore[attr-defined]
        if not answer.answered:
            declined_answerable += 1
            misses.append({"question": item["question"], "problem": "declined", "coverage": answer.coverage})
            continue
        ranked = [s.text for s in answer.sentences + answer.more]
        hit1 = matches(ranked[0], expected)
        hit3 = any(matches(text, expected) for text in ranked[:3])
        hits1 += hit1
        hits3 += hit3
        if not hit1:
            misses.append({"question": item["question"], "problem": "hit@3" if hit3 else "miss", "got": ranked[:1]})
    elapsed = time.perf_counter() - started
    answerable = sum(1 for q in questions if q["answerable"])
    unanswerable = len(questions) - answerable
    return Report(
        name=name,
        questions=len(questions),
        answerable=answerable,
        unanswerable=unanswerable,
        hit_at_1=hits1 / answerable if answerable else 1.0,
        hit_at_3=hits3 / answerable if answerable else 1.0,
        abstention=declined_unanswerable / unanswerable if unanswerable else 1.0,
        false_abstention=declined_answerable / answerable if answerable else 0.0,
        fidelity=shown_verbatim / shown_total if shown_total else 1.0,
        ms_per_question=1000 * elapsed / max(1, len(questions)),
        misses=misses,
    )


def run_set(name: str, mode: str = "reader") -> Report:
    if name == VALIDATION:
        engine, questions = _validation(mode)
    else:
        corpus, path = SETS[name]
        engine, questions = Engine.from_folder(corpus, **MODES[mode]), load_questions(path)
    return evaluate(engine, questions, name if mode == "reader" else f"{name} ({mode})")


def _validation(mode: str) -> tuple[Engine, list[dict[str, object]]]:
    """The reader's validation documents and questions (``training.data``)."""
    from dataclasses import asdict as as_row

    from training import data

    return Engine(data.load_documents("validation"), **MODES[mode]), [as_row(q) for q in data.questions("validation")]


def format_table(reports: list[Report]) -> str:
    header = "| set | questions | hit@1 | hit@3 | abstention | false abstention | fidelity | ms/question |"
    lines = [header, "|---|---|---|---|---|---|---|---|"]
    for r in reports:
        lines.append(
            f"| {r.name} | {r.questions} ({r.unanswerable} unanswerable) | {r.hit_at_1:.3f} | {r.hit_at_3:.3f} "
            f"| {r.abstention:.3f} | {r.false_abstention:.3f} | {r.fidelity:.3f} | {r.ms_per_question:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, help="a corpus folder (with --questions)")
    parser.add_argument("--questions", type=Path, help="a question file (.jsonl)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--misses", action="store_true", help="list the questions missed")
    parser.add_argument("--floors", action="store_true", help="exit 1 when a metric is below CI's floors")
    parser.add_argument("--modes", action="store_true", help="every ranking mode, side by side")
    parser.add_argument("--validation", action="store_true", help="also the reader's validation split")
    args = parser.parse_args(argv)
    if args.corpus or args.questions:
        if not (args.corpus and args.questions):
            parser.error("--corpus and --questions go together")
        runs = [(args.questions.stem, "reader")]
        reports = [evaluate(Engine.from_folder(args.corpus), load_questions(args.questions), args.questions.stem)]
    else:
        names = [*SETS, VALIDATION] if args.validation or args.modes else list(SETS)
        modes = list(MODES) if args.modes else ["reader"]
        runs = [(name, mode) for name in names for mode in modes]
        reports = [run_set(name, mode) for name, mode in runs]
    if args.json:
        print(json.dumps([asdict(r) for r in reports], indent=2, ensure_ascii=False))
    else:
        print(format_table(reports))
        if args.misses:
            for report in reports:
                for miss in report.misses:
                    print(f"{report.name}: {json.dumps(miss, ensure_ascii=False)}")
    if not args.json:
        missed = [f"{r.name}: {p}" for r in reports for p in r.failures(TARGETS)]
        print("\ntargets: " + ("all met" if not missed else "not met: " + "; ".join(missed)))
    failures = [
        f"{r.name}: {p}"
        for (name, mode), r in zip(runs, reports, strict=True)
        if (name, mode) in CI_FLOORS
        for p in r.failures(CI_FLOORS[name, mode])
    ]
    if args.floors and failures:
        print("\n".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
