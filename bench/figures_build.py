"""Figure index on synthetic passages: build time, memory, lookup latency, pickling.

    python -m bench.figures_build [--sizes 2000,10000,50000] [--topics 300] [--memory] [--reference]

Passages come from ``bench/synthetic.py`` (the same stream as ``bench.scale``), ten to a document,
split into sentences as the engine splits them, and handed to ``FigureIndex.build`` as a generator
(sentences given without their figures, so the build extracts them). For each size it reports:

- build time, and grouping time alone;
- lookup latency, p50 and p95, over ``--topics`` topics (a third figure labels, a third corpus
  words, a third synthetic questions), then kind-only topics ("how much") and the overview;
- the pickled index: size, dump and load times;
- with ``--memory``, the bytes per figure the built index keeps (tracemalloc, with the tokenizer's
  caches emptied, since they are shared with everything else), and the peak during the build; the
  build is run again for this, as tracing slows it several times;
- with ``--reference``, the original quadratic grouping (kept in ``tests/engine/figures/test_figures_grouping.py``)
  timed and checked to make the same groups; it takes minutes from about 10,000 passages.
"""

from __future__ import annotations

import argparse
import gc
import pickle
import random
import re
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator

from bench.synthetic import Generator
from bot.engine.figures.grouping import cluster
from bot.engine.figures.index import FigureIndex, SentenceRef
from bot.engine.models import Citation
from bot.engine.text import tokens
from bot.engine.text.sentences import split_sentences

PASSAGES_PER_DOCUMENT = 10


def passages(size: int, generator: Generator) -> list[str]:
    out: list[str] = []
    chunk = 0
    while len(out) < size:
        out += generator.passages(chunk)
        chunk += 1
    return out[:size]


def sentence_refs(texts: list[str], counter: list[int] | None = None) -> Iterator[SentenceRef]:
    """The passages' sentences, one citation per passage; ``counter[0]`` counts them."""
    for n, text in enumerate(texts):
        document = f"doc{n // PASSAGES_PER_DOCUMENT:06d}"
        citation = Citation(
            document=document, title=document, paragraph=n % PASSAGES_PER_DOCUMENT + 1, passage_id=f"p{n}"
        )
        for s, e in split_sentences(text):
            if counter is not None:
                counter[0] += 1
            yield SentenceRef(text=text[s:e], citation=citation, start=s, end=e)


def topics(index: FigureIndex, texts: list[str], generator: Generator, count: int) -> list[str]:
    rng = random.Random(7)
    words = [w for text in texts[:: max(1, len(texts) // 2000)] for w in re.findall(r"[A-Za-z]+", text)]
    labels = index.labels()
    third = count // 3
    return rng.sample(labels, min(third, len(labels))) + rng.sample(words, third) + generator.questions(third)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(call: Callable[..., object], *args: object) -> float:
    started = time.perf_counter()
    call(*args)
    return time.perf_counter() - started


def retained_memory(texts: list[str]) -> tuple[float, float, int]:
    """Bytes the built index keeps, and the build's peak, per figure (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    index = FigureIndex.build(sentence_refs(texts))
    peak = tracemalloc.get_traced_memory()[1]
    tokens.stem.cache_clear()  # shared caches the build filled: not the index's
    tokens._classify_word.cache_clear()
    gc.collect()
    kept = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    n = max(1, len(index))
    return (kept - base) / n, (peak - base) / n, len(index)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,10000,50000")
    parser.add_argument("--topics", type=int, default=300, help="lookups timed per size")
    parser.add_argument("--memory", action="store_true", help="also measure the index's memory (a traced build)")
    parser.add_argument("--reference", action="store_true", help="also time the original quadratic grouping")
    args = parser.parse_args()
    generator = Generator()
    for size in (int(s) for s in args.sizes.split(",")):
        texts = passages(size, generator)
        counter = [0]
        started = time.perf_counter()
        index = FigureIndex.build(sentence_refs(texts, counter))
        build = time.perf_counter() - started
        grouping_input = index._grouping_input()
        started = time.perf_counter()
        groups = cluster(*grouping_input)
        grouping = time.perf_counter() - started
        print(
            f"{size:>7,} passages  {counter[0]:>8,} sentences  {len(index):>7,} figures  {len(groups):>7,} groups  "
            f"build {build:7.2f} s  (grouping {grouping:5.2f} s)",
            flush=True,
        )
        latencies = [1000 * timed(index.lookup, topic) for topic in topics(index, texts, generator, args.topics)]
        kinds = {kind: 1000 * timed(index.lookup, kind) for kind in ("how much", "how many", "what percentage")}
        overview = timed(index.overview)
        print(
            f"{'':>9}lookup p50 {statistics.median(latencies):6.2f} ms  p95 {percentile(latencies, 0.95):6.2f} ms  "
            f"max {max(latencies):6.1f} ms ({len(latencies)} topics)  "
            + "  ".join(f"{kind!r} {ms:.1f} ms" for kind, ms in kinds.items())
            + f"  overview {overview:.2f} s",
            flush=True,
        )
        started = time.perf_counter()
        blob = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
        dump = time.perf_counter() - started
        load = timed(pickle.loads, blob)
        print(f"{'':>9}pickle {len(blob) / 1e6:7.1f} MB  dump {dump:5.2f} s  load {load:5.2f} s", flush=True)
        if args.memory:
            del index, blob
            kept, peak, _ = retained_memory(texts)
            print(f"{'':>9}memory {kept:6.0f} bytes a figure kept  (build peak {peak:6.0f} bytes a figure)", flush=True)
        if args.reference:
            from tests.engine.figures.test_figures_grouping import reference_cluster

            started = time.perf_counter()
            same = reference_cluster(*grouping_input) == groups
            print(f"{'':>9}reference grouping {time.perf_counter() - started:8.2f} s, same groups: {same}", flush=True)


if __name__ == "__main__":
    main()
