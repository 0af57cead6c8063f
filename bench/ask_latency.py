"""How long ``Engine.ask`` takes on a small corpus, one question at a time, as the bot runs it.

    python -m bench.ask_latency                       # the seed corpus, its 109 quality questions
    python -m bench.ask_latency --set corpus-b --repeat 3 --json out.json

One BLAS thread (as ``bot/__main__.py`` sets it), the engine built once, one warm-up question, then
every question of the set ``--repeat`` times in order. Reports p50, p95 and the maximum in
milliseconds, and which ranking ran (the answer reader, unless its weights or the MiniLM package are
missing). The larger corpora are ``bench.engine_scale``'s.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is imported, as the bot does

import argparse
import json
import statistics
import time
from pathlib import Path

from bench.quality import SETS, load_questions
from bot.engine.engine import Engine

SEED_SETS = ("seed-dev", "seed-heldout")


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile of ``values`` by the nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def measure(corpus: Path, questions: list[str], repeat: int) -> dict[str, object]:
    engine = Engine.from_folder(corpus)
    engine.ask(questions[0])  # warm-up: first-call costs are the restart's, measured elsewhere
    times = []
    for _ in range(repeat):
        for question in questions:
            started = time.perf_counter()
            engine.ask(question)
            times.append(1000 * (time.perf_counter() - started))
    return {
        "ranking": "answer reader" if engine.reader else "MiniLM tie-break" if engine.encoder else "word overlap",
        "questions": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "max_ms": round(max(times), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=["seed", *SETS], default="seed", help="seed: seed-dev and seed-heldout")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    names = SEED_SETS if args.set == "seed" else (args.set,)
    corpus = SETS[names[0]][0]
    questions = [str(row["question"]) for name in names for row in load_questions(SETS[name][1])]
    result = {"set": args.set, **measure(corpus, questions, max(1, args.repeat))}
    print(
        f"{result['set']}: {result['questions']} questions, {result['ranking']}: "
        f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, max {result['max_ms']} ms"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
