"""Figure index build time on synthetic passages: extraction, grouping, and the whole build.

    python -m bench.figures_build [--sizes 2000,10000,50000] [--reference]

Passages come from ``bench/synthetic.py`` (the same stream as ``bench.scale``), ten to a document,
split into sentences as the engine splits them. ``--reference`` also times the original quadratic
grouping (kept in ``tests/engine/test_figures_grouping.py``) and checks both make the same groups;
it takes minutes from about 10,000 passages.
"""

from __future__ import annotations

import argparse
import time

from bench.synthetic import Generator
from bot.engine.figures import FigureIndex, SentenceRef, _cluster
from bot.engine.models import Citation
from bot.engine.sentences import split_sentences

PASSAGES_PER_DOCUMENT = 10


def sentence_refs(size: int, generator: Generator) -> list[SentenceRef]:
    passages: list[str] = []
    chunk = 0
    while len(passages) < size:
        passages += generator.passages(chunk)
        chunk += 1
    refs = []
    for n, text in enumerate(passages[:size]):
        document = f"doc{n // PASSAGES_PER_DOCUMENT:06d}"
        citation = Citation(
            document=document, title=document, paragraph=n % PASSAGES_PER_DOCUMENT + 1, passage_id=f"p{n}"
        )
        refs += [SentenceRef(text=text[s:e], citation=citation, start=s, end=e) for s, e in split_sentences(text)]
    return refs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,10000,50000")
    parser.add_argument("--reference", action="store_true", help="also time the original quadratic grouping")
    args = parser.parse_args()
    generator = Generator()
    for size in (int(s) for s in args.sizes.split(",")):
        refs = sentence_refs(size, generator)
        started = time.perf_counter()
        index = FigureIndex.build(refs)
        build = time.perf_counter() - started
        entries = index._entries
        started = time.perf_counter()
        groups = _cluster(entries)
        grouping = time.perf_counter() - started
        line = (
            f"{size:>7,} passages  {len(refs):>8,} sentences  {len(entries):>7,} figures  {len(groups):>7,} groups  "
            f"build {build:7.2f} s  (grouping {grouping:5.2f} s)"
        )
        if args.reference:
            from tests.engine.test_figures_grouping import reference_cluster

            started = time.perf_counter()
            same = reference_cluster(entries) == groups
            line += f"  reference grouping {time.perf_counter() - started:8.2f} s, same groups: {same}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
