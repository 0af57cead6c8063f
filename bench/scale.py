"""Index backends at scale: build time, memory, query latency, restart and incremental add.

    python -m bench.scale [--sizes 10000,100000,1000000] [--folder DIR] [--json out.json]
                          [--backends tantivy,rank_bm25] [--queries 200] [--baseline-budget 300]

One run generates (once, then reuses) a reproducible synthetic corpus (``bench/synthetic.py``)
and, for each size, measures every backend side by side, each step in a fresh child process so
that memory and start-up are measured, not inherited:

- build: from reading the passages to a searchable index, tokenization included (both backends
  tokenize with ``bot.engine.build.parallel`` on every core), with its CPU seconds; peak memory of the
  process and its tokenizer workers together (sampled from /proc);
- restart: from launching a fresh interpreter to the first answer. tantivy opens its on-disk
  index; rank-bm25 has none, so a restart re-reads, re-tokenizes and rebuilds (what the engine does);
- query latency p50/p95/p99 over question-length queries (``question_tokens`` + ``search(k=12)``);
- adding one passage to the corpus until it is searchable: tantivy adds and commits; rank-bm25
  can only rebuild (its corpus's tokens kept in memory, so this is the cheapest rebuild possible);
- agreement: how often both backends put the same passage first.

rank-bm25 is run at a size only when an estimate from the size below fits ``--baseline-budget``
seconds and the machine's memory; otherwise its row says "skipped (est. …)".
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.synthetic import Generator, ensure_corpus, read_passages

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
BACKENDS = ("tantivy", "rank_bm25")
K = 12  # bot.engine.ranking.answer.TOP_PASSAGES
TOKENIZER_SAMPLE = 40_000
BASELINE_QUERY_SECONDS = 30.0  # rank-bm25 queries stop after this long (at least MIN_QUERIES run)
MIN_QUERIES = 20
AGREEMENT_QUERIES = 50
TARGETS = {  # what the bot must meet at each size, checked (not asserted) in the report
    1_000_000: {"p95_ms": 20.0, "peak_mb": 1536.0, "build_s": 90.0, "first_answer_s": 5.0, "add_one_s": 1.0},
    100_000: {"p95_ms": 5.0},
}


# -- measurements, each run in a child process ----------------------------------------------------


def _status_mb(pid: int | str, field: str) -> float:
    """A memory line of /proc/<pid>/status (VmRSS: now, VmHWM: peak), in MB; 0 if the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


def _descendants(pid: int) -> list[int]:
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in children.read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found + [grandchild for child in found for grandchild in _descendants(child)]


class PeakMemory:
    """Peak resident memory of this process and its descendants (tokenizer workers), together.

    Sampled every 50 ms from /proc, since ``ru_maxrss`` cannot sum processes, and a child's
    ``ru_maxrss`` on Linux starts from the RSS of the process it was forked from.
    """

    def __init__(self, interval: float = 0.05) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)
        self._thread.start()

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            me = os.getpid()
            total = sum(_status_mb(pid, "VmRSS") for pid in [me, *_descendants(me)])
            self.peak_mb = max(self.peak_mb, total)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return max(self.peak_mb, _status_mb("self", "VmHWM"))


def _cpu_s() -> float:
    """CPU seconds of this process and its reaped children (user + system)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _latencies(search: Callable[[str], Any], questions: Sequence[str], budget_s: float | None) -> list[float]:
    out = []
    started = time.perf_counter()
    for question in questions:
        t0 = time.perf_counter()
        search(question)
        out.append(time.perf_counter() - t0)
        if budget_s is not None and len(out) >= MIN_QUERIES and time.perf_counter() - started > budget_s:
            break
    return out


def _percentiles(seconds: Sequence[float]) -> dict[str, float]:
    ms = sorted(1000 * s for s in seconds)
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return {"p50_ms": cuts[49], "p95_ms": cuts[94], "p99_ms": cuts[98], "queries": len(ms)}


def _new_passage(generator_seed: int) -> str:
    return Generator(generator_seed).questions(1)[0].rstrip("?") + " added after the build."


def task_tokenizer(spec: dict[str, Any]) -> dict[str, Any]:
    from bot.engine.build.parallel import iter_joined_tokens

    texts = list(read_passages(Path(spec["corpus"]), spec["count"]))
    started = time.perf_counter()
    count = sum(1 for _ in iter_joined_tokens(texts, processes=spec["processes"], min_parallel=0))
    elapsed = time.perf_counter() - started
    return {"processes": spec["processes"], "passages": count, "seconds": elapsed, "per_second": count / elapsed}


def task_tantivy_build(spec: dict[str, Any]) -> dict[str, Any]:
    from bot.engine.build.parallel import iter_joined_tokens
    from bot.engine.search.tantivy_index import TantivyIndex

    memory = PeakMemory()
    cpu = _cpu_s()
    started = time.perf_counter()
    tokens = iter_joined_tokens(read_passages(Path(spec["corpus"]), spec["size"]), processes=spec["processes"])
    index = TantivyIndex.build(Path(spec["index"]), tokens, label=f"synthetic-{spec['size']}")
    build_s = time.perf_counter() - started
    disk = sum(f.stat().st_size for f in Path(spec["index"]).rglob("*") if f.is_file())
    return {
        "build_s": build_s,
        "build_cpu_s": _cpu_s() - cpu,
        "build_peak_mb": memory.stop(),
        "index_disk_mb": disk / 2**20,
        "passages": len(index),
    }


def task_tantivy_serve(spec: dict[str, Any]) -> dict[str, Any]:
    from bot.engine.search.tantivy_index import TantivyIndex
    from bot.engine.text.tokens import question_tokens, tokenize

    questions = spec["questions"]
    opened = time.perf_counter()
    index = TantivyIndex.open(Path(spec["index"]))
    open_s = time.perf_counter() - opened
    first = index.search(question_tokens(questions[0]), K)
    first_answer_s = time.time() - spec["launched"]
    top = [list(first.ids[:10])]
    latencies = _latencies(
        lambda q: top.append(list(index.search(question_tokens(q), K).ids[:10])), questions[1:], None
    )
    serve_rss = _status_mb("self", "VmRSS")
    serve_peak = _status_mb("self", "VmHWM")
    # One new passage, searchable when add() returns (it commits and reloads).
    new_id = spec["size"]
    text = _new_passage(spec["seed"] + 1)
    t0 = time.perf_counter()
    index.add([tokenize(text)], [new_id])
    add_s = time.perf_counter() - t0
    found = new_id in index.search(question_tokens(text), K).ids
    t0 = time.perf_counter()
    index.delete([new_id])
    delete_s = time.perf_counter() - t0
    index.close()
    return {
        "open_s": open_s,
        "first_answer_s": first_answer_s,
        **_percentiles(latencies),
        "serve_rss_mb": serve_rss,
        "serve_peak_mb": serve_peak,
        "add_one_s": add_s,
        "added_found": found,
        "delete_one_s": delete_s,
        "top": top[: AGREEMENT_QUERIES + 1],
    }


def task_rank_bm25(spec: dict[str, Any]) -> dict[str, Any]:
    from bot.engine.build.parallel import tokenize_many
    from bot.engine.search.backends import RANK_BM25_K1
    from bot.engine.search.index import Bm25Index
    from bot.engine.text.tokens import question_tokens, tokenize

    questions = spec["questions"]
    memory = PeakMemory()
    cpu = _cpu_s()
    started = time.perf_counter()
    tokenized = tokenize_many(read_passages(Path(spec["corpus"]), spec["size"]), processes=spec["processes"])
    index = Bm25Index(tokenized, k1=RANK_BM25_K1)
    build_s = time.perf_counter() - started
    build_cpu_s = _cpu_s() - cpu
    build_peak = memory.stop()
    first = index.search(question_tokens(questions[0]), K)
    # No on-disk index: a restart is this very process (read, tokenize, build, answer).
    first_answer_s = time.time() - spec["launched"]
    top = [list(first.ids[:10])]
    latencies = _latencies(
        lambda q: top.append(list(index.search(question_tokens(q), K).ids[:10])), questions[1:], spec["query_budget_s"]
    )
    serve_rss = _status_mb("self", "VmRSS")
    text = _new_passage(spec["seed"] + 1)
    del index  # so the rebuild's peak is not two indexes at once
    t0 = time.perf_counter()
    tokenized.append(tokenize(text))
    index = Bm25Index(tokenized, k1=RANK_BM25_K1)
    add_s = time.perf_counter() - t0
    found = len(tokenized) - 1 in index.search(question_tokens(text), K).ids
    return {
        "build_s": build_s,
        "first_answer_s": first_answer_s,
        **_percentiles(latencies),
        "build_cpu_s": build_cpu_s,
        "build_peak_mb": build_peak,
        "serve_rss_mb": serve_rss,
        "serve_peak_mb": _status_mb("self", "VmHWM"),  # the build's peak: it is the same process
        "add_one_s": add_s,
        "added_found": found,
        "top": top[: AGREEMENT_QUERIES + 1],
    }


TASKS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "tokenizer": task_tokenizer,
    "tantivy_build": task_tantivy_build,
    "tantivy_serve": task_tantivy_serve,
    "rank_bm25": task_rank_bm25,
}


class StepTimeoutError(RuntimeError):
    """A child task ran past its time limit and was stopped, its workers with it."""


def run_child(
    task: str, spec: dict[str, Any], *, module: str = "bench.scale", timeout: float | None = None
) -> dict[str, Any]:
    """Run ``python -m MODULE --task TASK`` in a fresh interpreter; its last stdout line is the JSON result.

    The child leads its own process group, so a task over ``timeout`` seconds is killed with its workers.
    """
    spec = {**spec, "launched": time.time()}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    child = subprocess.Popen(
        [sys.executable, "-m", module, "--task", task],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        stdout, stderr = child.communicate(json.dumps(spec), timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        raise StepTimeoutError(f"{task} took more than {timeout:.0f} s: stopped") from None
    if child.returncode != 0:
        raise RuntimeError(f"{task} failed ({child.returncode}):\n{stderr[-3000:]}")
    return json.loads(stdout.strip().splitlines()[-1])


def serve_child(tasks: dict[str, Callable[[dict[str, Any]], dict[str, Any]]], task: str) -> int:
    """The child's side of ``run_child``: run ``task`` on the spec read from stdin, print its JSON result."""
    print(json.dumps(tasks[task](json.load(sys.stdin))))
    return 0


def parse_sizes(text: str) -> list[int]:
    """``"10000,100_000"`` → ``[10000, 100000]``."""
    return [int(s.replace("_", "")) for s in text.split(",") if s.strip()]


# -- the run ---------------------------------------------------------------------------------------


def _available_mb() -> float:
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    return float("inf")


def _estimate(previous: dict[str, Any], size: int) -> tuple[float, float]:
    """Seconds and MB rank-bm25 would take at ``size``, scaled linearly from a smaller size."""
    f = size / previous["size"]
    per_query = previous["p50_ms"] * f / 1000
    queries = max(MIN_QUERIES, min(previous["queries"], BASELINE_QUERY_SECONDS / per_query))
    seconds = (previous["build_s"] + previous["add_one_s"]) * f + queries * per_query
    return seconds, previous["peak_mb"] * f


def measure(args: argparse.Namespace) -> dict[str, Any]:
    # Other work on the machine slows every timing: the load averages are kept with the results.
    load_before = os.getloadavg()
    generator = Generator(args.seed)
    corpus = args.folder / "corpus"
    started = time.perf_counter()
    ensure_corpus(corpus, max(args.sizes), generator)
    print(f"corpus: {max(args.sizes):,} passages in {corpus} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    questions = generator.questions(args.queries)
    common = {"corpus": str(corpus), "processes": args.processes, "seed": args.seed}

    tokenizer = []
    sample = min(TOKENIZER_SAMPLE, max(args.sizes))
    for processes in sorted({1, args.processes}):
        tokenizer.append(run_child("tokenizer", {**common, "count": sample, "processes": processes}))
        print(f"tokenizer, {processes} process(es): {tokenizer[-1]['per_second']:,.0f} passages/s", file=sys.stderr)

    rows: list[dict[str, Any]] = []
    for size in sorted(args.sizes):
        spec = {**common, "size": size, "questions": questions}
        for backend in args.backends:
            print(f"{backend} at {size:,} passages…", file=sys.stderr)
            row: dict[str, Any] = {"size": size, "backend": backend, "status": "ok"}
            if backend == "tantivy":
                index = args.folder / f"tantivy-{size}"
                row |= run_child("tantivy_build", {**spec, "index": str(index)})
                row |= run_child("tantivy_serve", {**spec, "index": str(index)})
                if not args.keep_indexes:
                    shutil.rmtree(index, ignore_errors=True)
            else:
                smaller = [r for r in rows if r["backend"] == backend and r["status"] == "ok"]
                if smaller:
                    seconds, mb = _estimate(smaller[-1], size)
                    if seconds > args.baseline_budget or mb > 0.8 * _available_mb():
                        row |= {"status": f"skipped (est. {seconds:.0f} s, {mb / 1024:.1f} GB)", "est_s": seconds}
                        rows.append(row)
                        print(f"  {row['status']}", file=sys.stderr)
                        continue
                row |= run_child("rank_bm25", {**spec, "query_budget_s": BASELINE_QUERY_SECONDS})
            row["peak_mb"] = max(row["build_peak_mb"], row["serve_peak_mb"])
            rows.append(row)
            print(f"  {json.dumps({k: v for k, v in row.items() if k != 'top'}, default=str)}", file=sys.stderr)
    return {
        "seed": args.seed,
        "sizes": sorted(args.sizes),
        "processes": args.processes,
        "cpu": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "tokenizer": tokenizer,
        "rows": rows,
        "comparisons": _compare(rows),
        "targets": _targets(rows),
    }


def _compare(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """rank-bm25 / tantivy ratios, and how often both rank the same passage first."""
    out = []
    for size in sorted({r["size"] for r in rows}):
        by = {r["backend"]: r for r in rows if r["size"] == size and r["status"] == "ok"}
        if not {"tantivy", "rank_bm25"} <= by.keys():
            continue
        t, b = by["tantivy"], by["rank_bm25"]
        pairs = list(zip(t["top"], b["top"], strict=False))
        same_first = sum(1 for x, y in pairs if x[:1] == y[:1]) / len(pairs) if pairs else 0.0
        overlap = statistics.mean(len(set(x) & set(y)) / max(1, len(y)) for x, y in pairs) if pairs else 0.0
        ratio = {m: b[m] / t[m] for m in ("build_s", "peak_mb", "p50_ms", "p95_ms", "first_answer_s", "add_one_s")}
        out.append({"size": size, "rank_bm25_over_tantivy": ratio, "same_top1": same_first, "overlap_at_10": overlap})
    return out


def _targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        for metric, limit in TARGETS.get(row["size"], {}).items():
            if row["status"] == "ok":
                out.append({"size": row["size"], "backend": row["backend"], "metric": metric, "limit": limit,
                            "value": row[metric], "met": row[metric] <= limit})  # fmt: skip
    return out


def _fmt(value: float, unit: str = "") -> str:
    if value >= 100:
        return f"{value:,.0f}{unit}"
    if value >= 10:
        return f"{value:.1f}{unit}"
    return f"{value:.2f}{unit}" if value >= 0.1 else f"{value:.3f}{unit}"


def markdown(result: dict[str, Any]) -> str:
    lines = ["### Tokenizer", "", "| processes | passages/s |", "|---|---|"]
    lines += [f"| {t['processes']} | {t['per_second']:,.0f} |" for t in result["tokenizer"]]
    lines += [
        "",
        "### Backends",
        "",
        "| passages | backend | build s (CPU s) | peak MB | serving RSS MB | p50 ms | p95 ms | p99 ms | queries "
        "| restart → 1st answer s | add 1 passage s | index on disk MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        if r["status"] != "ok":
            lines.append(f"| {r['size']:,} | {r['backend']} | {r['status']} | | | | | | | | | |")
            continue
        disk = _fmt(r["index_disk_mb"]) if "index_disk_mb" in r else "– (memory)"
        lines.append(
            f"| {r['size']:,} | {r['backend']} | {_fmt(r['build_s'])} ({_fmt(r['build_cpu_s'])}) "
            f"| {r['peak_mb']:,.0f} | {r['serve_rss_mb']:,.0f} | {_fmt(r['p50_ms'])} | {_fmt(r['p95_ms'])} "
            f"| {_fmt(r['p99_ms'])} | {r['queries']} | {_fmt(r['first_answer_s'])} | {_fmt(r['add_one_s'])} | {disk} |"
        )
    if result["comparisons"]:
        lines += [
            "",
            "### rank-bm25 ÷ tantivy",
            "",
            "| passages | build | peak MB | p50 | p95 | restart | add 1 | same top-1 | overlap@10 |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for c in result["comparisons"]:
            x = c["rank_bm25_over_tantivy"]
            lines.append(
                f"| {c['size']:,} | {x['build_s']:.1f}× | {x['peak_mb']:.1f}× | {x['p50_ms']:.0f}× "
                f"| {x['p95_ms']:.0f}× | {x['first_answer_s']:.0f}× | {x['add_one_s']:.0f}× "
                f"| {c['same_top1']:.0%} | {c['overlap_at_10']:.0%} |"
            )
    if result["targets"]:
        lines += ["", "### Targets", "", "| passages | backend | metric | target | measured | met |"]
        lines.append("|---|---|---|---|---|---|")
        for t in result["targets"]:
            lines.append(
                f"| {t['size']:,} | {t['backend']} | {t['metric']} | ≤ {t['limit']:g} | {_fmt(t['value'])} "
                f"| {'yes' if t['met'] else 'no'} |"
            )
    load = result["load_average_before"][0], result["load_average_after"][0]
    lines += ["", f"Load average (1 min) before / after: {load[0]:.1f} / {load[1]:.1f} on {result['cpu']} cores."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="corpus sizes, comma-separated")
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "policy-bot-scale",
                        help="where corpora and indexes are written (reused between runs)")  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="backends to measure, comma-separated")
    parser.add_argument("--queries", type=int, default=200, help="questions per size and backend")
    parser.add_argument("--seed", type=int, default=20231205)
    parser.add_argument("--processes", type=int, default=None, help="tokenizer processes (default: every core)")
    parser.add_argument("--baseline-budget", type=float, default=300.0,
                        help="run rank-bm25 at a size only if it should take fewer seconds than this")  # fmt: skip
    parser.add_argument("--keep-indexes", action="store_true", help="keep the tantivy indexes after measuring")
    parser.add_argument("--task", choices=sorted(TASKS), help=argparse.SUPPRESS)  # a child's job; spec on stdin
    args = parser.parse_args(argv)
    if args.task:
        return serve_child(TASKS, args.task)
    from bot.engine.build.parallel import available_cores

    args.sizes = parse_sizes(args.sizes)
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if unknown := set(args.backends) - set(BACKENDS):
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    args.processes = args.processes or available_cores()
    started = time.perf_counter()
    result = measure(args)
    result["total_s"] = time.perf_counter() - started
    print(markdown(result))
    print(f"\n(total {result['total_s']:.0f} s; {result['processes']} tokenizer processes)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
