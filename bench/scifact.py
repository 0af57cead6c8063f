"""Retrieval quality of each index backend on BEIR SciFact (nDCG@10), with the project's tokenizer.

    python -m bench.scifact --data /work/shared/data/scifact [--json out.json]
    python -m bench.scifact --data /work/shared/data/scifact --reader     # + the answer reader reranking

With ``--reader``, the answer reader (``bot.engine.ranking.reader``, trained on policy questions and sentences)
reorders BM25's (rank-bm25) top ``RERANK`` documents of each query, reading the query against each
document's title and the start of its abstract (the reader's sentence budget): whether a reader trained
on our data carries over to another domain without losing to BM25. Two orders are reported: the
reader's margin alone, and the order the bot ranks answers by (``AnswerReader.order``: the margin plus
the reader's fitted weights of lexical coverage, the share of the query's IDF weight the document holds,
and of BM25's rank).

SciFact: 5,183 abstracts, 300 test claims, 339 judgements (BEIR layout: ``corpus.jsonl``,
``queries.jsonl``, ``qrels/test.tsv``). Documents are title + abstract; queries are tokenized as
the bot tokenizes questions (``question_tokens``). The data is only read from ``--data``, never
copied into the repository. Published BM25 on it: rank-bm25 (k1 1.5, b 0.75) 68.5, bm25s Lucene
68.7, Pyserini 68.8, Elasticsearch 69.0.

nDCG@10 is the BEIR/pytrec_eval definition: gain = relevance, discount = log2(rank + 1), ideal
ranking from all judged-relevant documents of the query.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.engine.build.parallel import tokenize_many
from bot.engine.ranking.answer import query_weights
from bot.engine.search.backends import RANK_BM25_K1, TANTIVY_K1
from bot.engine.search.index import Bm25Index, SearchIndex
from bot.engine.text.tokens import question_tokens

PUBLISHED_RANK_BM25 = 0.685
K = 10
RERANK = 100


def load(folder: Path) -> tuple[list[str], list[str], dict[str, str], dict[str, dict[str, int]]]:
    """Document ids, document texts (title + abstract), test queries and their judgements."""
    doc_ids: list[str] = []
    texts: list[str] = []
    with (folder / "corpus.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            doc_ids.append(str(record["_id"]))
            texts.append(f"{record.get('title', '')}\n{record.get('text', '')}".strip())
    qrels: dict[str, dict[str, int]] = {}
    with (folder / "qrels" / "test.tsv").open(encoding="utf-8") as lines:
        next(lines)  # header
        for line in lines:
            query_id, doc_id, score = line.rstrip("\n").split("\t")
            qrels.setdefault(query_id, {})[doc_id] = int(score)
    queries: dict[str, str] = {}
    with (folder / "queries.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if str(record["_id"]) in qrels:
                queries[str(record["_id"])] = record["text"]
    return doc_ids, texts, queries, qrels


def ndcg_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int = K) -> float:
    dcg = sum(relevant.get(doc, 0) / math.log2(rank + 2) for rank, doc in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(gain / math.log2(rank + 2) for rank, gain in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def evaluate(
    index: SearchIndex, doc_ids: Sequence[str], queries: Mapping[str, str], qrels: Mapping[str, Mapping[str, int]]
) -> tuple[float, float]:
    """Mean nDCG@10 over the judged queries, and mean milliseconds per query."""
    total = 0.0
    started = time.perf_counter()
    for query_id, text in queries.items():
        hits = index.search(question_tokens(text), K)
        total += ndcg_at_k([doc_ids[i] for i in hits.ids], qrels[query_id])
    elapsed = time.perf_counter() - started
    return total / len(queries), 1000 * elapsed / len(queries)


@dataclass(frozen=True)
class Reranked:
    """Mean nDCG@10 of BM25's top ``RERANK``, of the reader's margin order and of the bot's order."""

    bm25: float
    margin: float
    product: float
    ms_per_query: float


def coverages(
    query: Sequence[str], hits: Sequence[int], terms: Sequence[frozenset[str]], df: Counter[str]
) -> np.ndarray:
    """The share of the query's IDF weight each hit's document holds, as the engine's coverage."""
    weights = query_weights(query, df, len(terms))
    total = sum(weights.values()) or 1.0
    return np.array([sum(w for t, w in weights.items() if t in terms[i]) / total for i in hits], dtype=np.float32)


def rerank_with_reader(
    index: SearchIndex,
    tokenized: Sequence[Sequence[str]],
    doc_ids: Sequence[str],
    titles: Sequence[str],
    abstracts: Sequence[str],
    queries: Mapping[str, str],
    qrels: Mapping[str, Mapping[str, int]],
) -> Reranked:
    """BM25's top ``RERANK`` reordered by the answer reader, and ms per query for the reader."""
    from bot.engine.ranking.reader import load_reader

    reader = load_reader()
    if reader is None:
        raise SystemExit("no answer reader (weights or the MiniLM package missing)")
    terms = [frozenset(tokens) for tokens in tokenized]
    df: Counter[str] = Counter(t for doc in terms for t in doc)
    bm25 = margin = product = 0.0
    started = time.perf_counter()
    for query_id, text in queries.items():
        query = question_tokens(text)
        hits = list(index.search(query, RERANK).ids)
        relevant = qrels[query_id]
        bm25 += ndcg_at_k([doc_ids[i] for i in hits], relevant)
        margins = reader.margins(text, [(abstracts[i], titles[i]) for i in hits])
        margin += ndcg_at_k([doc_ids[hits[k]] for k in np.argsort(-margins, kind="stable")], relevant)
        order = reader.order(margins, coverages(query, hits, terms, df))
        product += ndcg_at_k([doc_ids[hits[k]] for k in order], relevant)
    elapsed = time.perf_counter() - started
    n = len(queries)
    return Reranked(bm25 / n, margin / n, product / n, 1000 * elapsed / n)


def backends(tokenized: list[list[str]], tmp: Path) -> dict[str, Callable[[], SearchIndex]]:
    def tantivy() -> SearchIndex:
        from bot.engine.search.tantivy_index import TantivyIndex

        return TantivyIndex.build(tmp / "scifact-tantivy", tokenized)

    return {
        f"rank_bm25 (k1 {RANK_BM25_K1}: make_index, the engine today)": lambda: Bm25Index(tokenized, k1=RANK_BM25_K1),
        f"rank_bm25 (k1 {TANTIVY_K1}: parity with tantivy)": lambda: Bm25Index(tokenized, k1=TANTIVY_K1),
        f"tantivy (k1 {TANTIVY_K1}, fixed: make_index)": tantivy,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="the SciFact folder (BEIR layout)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--work", type=Path, help="where to write the tantivy index (default: a temporary folder)")
    parser.add_argument("--reader", action="store_true", help="also rerank BM25's top 100 with the answer reader")
    args = parser.parse_args(argv)

    import tempfile

    doc_ids, texts, queries, qrels = load(args.data)
    started = time.perf_counter()
    tokenized = tokenize_many(texts)
    tokenize_s = time.perf_counter() - started
    print(f"SciFact: {len(texts)} documents ({tokenize_s:.1f} s to tokenize), {len(queries)} test queries")
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        work = args.work or Path(scratch)
        for name, build in backends(tokenized, work).items():
            started = time.perf_counter()
            index = build()
            build_s = time.perf_counter() - started
            ndcg, ms = evaluate(index, doc_ids, queries, qrels)
            results.append({"backend": name, "ndcg_at_10": round(ndcg, 4), "build_s": round(build_s, 2),
                            "ms_per_query": round(ms, 2), "meets_published": ndcg >= PUBLISHED_RANK_BM25})  # fmt: skip
    print("| backend | nDCG@10 | ≥ 0.685 (published rank-bm25) | build s | ms/query |")
    print("|---|---|---|---|---|")
    for r in results:
        print(f"| {r['backend']} | {r['ndcg_at_10']:.4f} | {'yes' if r['meets_published'] else 'no'} "
              f"| {r['build_s']:.2f} | {r['ms_per_query']:.2f} |")  # fmt: skip
    reranked = None
    if args.reader:
        titles, abstracts = zip(*(text.split("\n", 1) if "\n" in text else ("", text) for text in texts), strict=True)
        found = rerank_with_reader(
            Bm25Index(tokenized, k1=RANK_BM25_K1), tokenized, doc_ids, titles, abstracts, queries, qrels
        )
        reranked = {
            "bm25_ndcg_at_10": round(found.bm25, 4),
            "reader_margin_ndcg_at_10": round(found.margin, 4),
            "reader_order_ndcg_at_10": round(found.product, 4),
            "ms_per_query": round(found.ms_per_query, 1),
        }
        print(
            f"\nanswer reader over rank-bm25's top {RERANK}: nDCG@10 {found.margin:.4f} by its margin, "
            f"{found.product:.4f} in the bot's order (BM25 alone {found.bm25:.4f}), {found.ms_per_query:.0f} ms/query"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        report = {"dataset": "scifact", "k": K, "results": results, "reader": reranked}
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
