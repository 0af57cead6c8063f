"""The whole engine at scale: cold build, restart to the first answer, question latency.

    python -m bench.engine_scale [--sizes 10000,100000] [--folder DIR] [--queries 100] [--semantic]
                                 [--json out.json] [--keep] [--step-timeout 600]

``bench.scale`` times the search index alone. A bot builds an ``Engine``, which also loads every
document, analyses each (passages, tokens, sentences, figures; in worker processes for large
corpora, with an on-disk cache), builds the index (``auto``: rank-bm25 below 50,000 passages,
tantivy from there) and a figure index, and answers by scoring sentences on top of the search.
This measures that whole path on ``bench.scale``'s synthetic corpus: for each size, a folder of
symlinks to the first size / 10,000 chunk files (one document each, one passage a line) and an
empty state folder, then, each step in a fresh child process:

- cold build: ``Engine.from_folder(folder, semantic=False, index=IndexOptions(path=STATE/index,
  cache=STATE/analysis))``: wall and CPU seconds (process + analysis workers), peak memory of the
  process and its workers, passages, the backend chosen; then the figure index, which an engine
  builds on first use (the bot warms it up in the background once it answers): its seconds, the
  figures, and RSS with it;
- restart: the same call with STATE filled (analyses read from the cache, tantivy's index reopened):
  seconds from launching the interpreter to the first ``engine.ask``, then to the figure index
  being ready, peak memory;
- questions, in the restarted process: ``engine.ask(q)`` p50/p95/p99, one at a time;
- semantic (``--semantic``, when the MiniLM package is installed): the restart and questions again
  with ``semantic=True``, as the bot runs: the answer reader reading each question's candidates when
  its weights load, else the MiniLM tie-break (sentence embeddings computed on first use).

Where a build's time goes is measured by wrapping, in the child, the functions the engine calls
(a generator's time is counted as it is iterated): ``load_folder``; ``analyse_corpus`` and within it
``split_passages``, ``iter_analyses`` and the cache's ``get``/``put``; ``make_index`` and within it
``tokens_digest``; for the figures, ``FigureStore.load`` (the index a previous start stored),
``FigureIndex.build`` and within it ``Engine._figure_refs`` (the figure sentences read back from the
cache, each with its citation), and ``FigureStore.save``. "other" is the rest of ``Engine.__init__``
(passage table, document frequencies, passage keys, version hash).
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.scale import (
    ROOT,
    PeakMemory,
    StepTimeoutError,
    _cpu_s,
    _fmt,
    _percentiles,
    _status_mb,
    parse_sizes,
    run_child,
    serve_child,
)
from bench.synthetic import CHUNK, Generator, ensure_corpus

DEFAULT_SIZES = (10_000, 100_000)
DEFAULT_FOLDER = Path(tempfile.gettempdir()) / "policy-bot-scale"  # bench.scale's: its corpus is reused
DEFAULT_SEED = 20231205  # bench.scale's: a corpus of another seed would be regenerated

# -- measurements, each run in a child process ----------------------------------------------------


TOP_PHASES = ("load", "analysis", "index", "encoder")  # the figures are built after, on first use


class Phases:
    """Wall seconds, CPU seconds and RSS growth per build phase, filled in as the engine runs.

    CPU seconds count this process and its reaped children: analysis workers are reaped when their
    pool closes, inside ``analyse_many``. RSS growth is this process's resident memory after a phase
    minus before it: what the phase left behind (garbage malloc kept included), not its peak.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu_s: dict[str, float] = {}
        self.rss_mb: dict[str, float] = {}

    def wrap(self, owner: Any, name: str, label: str) -> None:
        """Replace ``owner.name`` by a wrapper adding each call's measurements to ``label`` (if it exists)."""
        original = getattr(owner, name, None)
        if original is None:  # renamed or gone: its time is counted in "other"
            return

        def timed(*args: Any, **kwargs: Any) -> Any:
            rss, cpu, started = _status_mb("self", "VmRSS"), _cpu_s(), time.perf_counter()
            try:
                result = original(*args, **kwargs)
            finally:
                self._add(label, time.perf_counter() - started, _cpu_s() - cpu, _status_mb("self", "VmRSS") - rss)
            return self._timed_items(result, label) if inspect.isgenerator(result) else result

        setattr(owner, name, timed)

    def _timed_items(self, items: Iterator[Any], label: str) -> Iterator[Any]:
        """A generator's work happens as it is iterated: each step is added to ``label``."""
        while True:
            rss, cpu, started = _status_mb("self", "VmRSS"), _cpu_s(), time.perf_counter()
            try:
                item = next(items)
            except StopIteration:
                return
            finally:
                self._add(label, time.perf_counter() - started, _cpu_s() - cpu, _status_mb("self", "VmRSS") - rss)
            yield item

    def _add(self, label: str, seconds: float, cpu_s: float, rss_mb: float) -> None:
        self.seconds[label] = self.seconds.get(label, 0.0) + seconds
        self.cpu_s[label] = self.cpu_s.get(label, 0.0) + cpu_s
        self.rss_mb[label] = self.rss_mb.get(label, 0.0) + rss_mb

    def summary(self, build_s: float, build_cpu_s: float, build_rss_mb: float) -> dict[str, dict[str, float]]:
        """The measurements so far, with "other" (the rest of the build) added."""
        whole = {"seconds": build_s, "cpu_s": build_cpu_s, "rss_mb": build_rss_mb}
        out = {"seconds": self.seconds, "cpu_s": self.cpu_s, "rss_mb": self.rss_mb}
        for key, parts in out.items():
            parts["other"] = whole[key] - sum(parts.get(name, 0.0) for name in TOP_PHASES)
        return out

    def add_figures(self) -> None:
        """Once the figure index exists (after the build: it is made on first use), its totals."""
        for parts in (self.seconds, self.cpu_s, self.rss_mb):
            # FigureIndex.build iterates the refs generator: its own work is the difference.
            parts["figures: index"] = parts.get("figures: build", 0.0) - parts.get("figures: refs", 0.0)
            parts["figures"] = sum(parts.get(f"figures: {name}", 0.0) for name in ("build", "load", "save"))


def _instrument() -> Phases:
    """Wrap the functions a build spends its time in (this process only: workers run unwrapped)."""
    from bot.engine import engine
    from bot.engine.build import analysis
    from bot.engine.figures import store as figure_store
    from bot.engine.figures.index import FigureIndex
    from bot.engine.search import backends

    phases = Phases()
    phases.wrap(engine, "load_folder", "load")
    phases.wrap(engine, "analyse_corpus", "analysis")
    phases.wrap(analysis, "split_passages", "analysis: split")
    phases.wrap(analysis, "iter_analyses", "analysis: compute")
    phases.wrap(analysis.AnalysisCache, "get", "analysis: cache read")
    phases.wrap(analysis.AnalysisCache, "put", "analysis: cache write")
    phases.wrap(engine, "make_index", "index")
    phases.wrap(backends, "tokens_digest", "index: digest")
    phases.wrap(engine.Engine, "_figure_refs", "figures: refs")
    phases.wrap(FigureIndex, "build", "figures: build")
    phases.wrap(figure_store.FigureStore, "load", "figures: load")
    phases.wrap(figure_store.FigureStore, "save", "figures: save")
    phases.wrap(engine, "shared_encoder", "encoder")
    return phases


def _build(spec: dict[str, Any], semantic: bool, phases: Phases) -> tuple[Any, dict[str, Any]]:
    """Build the engine on the spec's corpus and state folders; the engine and what the build took."""
    from bot.engine.engine import Engine
    from bot.engine.search.backends import IndexOptions

    state = Path(spec["state"])
    options = IndexOptions(backend="auto", path=state / "index", cache=state / "analysis")
    rss, cpu, started = _status_mb("self", "VmRSS"), _cpu_s(), time.perf_counter()
    engine = Engine.from_folder(Path(spec["corpus"]), semantic=semantic, index=options)
    build_s, build_cpu_s, rss_after = time.perf_counter() - started, _cpu_s() - cpu, _status_mb("self", "VmRSS")
    return engine, {
        "build_s": build_s,
        "build_cpu_s": build_cpu_s,
        "rss_before_mb": rss,
        "rss_mb": rss_after,
        "documents": len(engine.documents),
        "passages": len(engine.passages),
        "backend": type(engine.index).__name__,
        "phases": phases.summary(build_s, build_cpu_s, rss_after - rss),
    }


def task_build(spec: dict[str, Any]) -> dict[str, Any]:
    """A cold build: nothing in the state folder yet."""
    phases = _instrument()
    memory = PeakMemory()
    engine, built = _build(spec, False, phases)
    return {**built, **_figures_first_use(engine, phases), "peak_mb": memory.stop()}


def _figures_first_use(engine: Any, phases: Phases) -> dict[str, Any]:
    """The figure index is built on first use (the bot warms it up in the background): timed apart."""
    started = time.perf_counter()
    count = len(engine.figures)
    phases.add_figures()
    return {
        "figures": count,
        "figures_s": time.perf_counter() - started,
        "rss_with_figures_mb": _status_mb("self", "VmRSS"),
    }


def task_serve(spec: dict[str, Any]) -> dict[str, Any]:
    """A restart on a filled state folder, its first answer, then one question at a time."""
    to_task_s = time.time() - spec["launched"]  # interpreter start and this module's imports
    phases = _instrument()
    memory = PeakMemory()
    questions = spec["questions"]
    engine, built = _build(spec, spec["semantic"], phases)
    if spec["semantic"] and engine.encoder is None and engine.reader is None:
        return {"status": "no encoder"}  # neither the answer reader nor the MiniLM tie-break could load
    t0 = time.perf_counter()
    first = engine.ask(questions[0])
    first_ask_s = time.perf_counter() - t0
    first_answer_s = time.time() - spec["launched"]
    figures = _figures_first_use(engine, phases)
    figures_ready_s = time.time() - spec["launched"]
    restart_peak = memory.stop()
    answered = [first.answered]
    latencies = []
    for question in questions[1:]:
        t0 = time.perf_counter()
        answered.append(engine.ask(question).answered)
        latencies.append(time.perf_counter() - t0)
    lookups = []  # /figures TOPIC: the same questions as topics
    for question in questions:
        t0 = time.perf_counter()
        engine.figures.lookup(question)
        lookups.append(time.perf_counter() - t0)
    figures_latency = _percentiles(lookups)
    return {
        "status": "ok",
        **built,
        "to_task_s": to_task_s,
        "first_ask_s": first_ask_s,
        "first_answer_s": first_answer_s,
        **figures,
        "figures_ready_s": figures_ready_s,
        "figures_p50_ms": figures_latency["p50_ms"],
        "figures_p95_ms": figures_latency["p95_ms"],
        "peak_mb": restart_peak,
        **_percentiles(latencies),
        "answered": sum(answered) / len(answered),
        "serve_rss_mb": _status_mb("self", "VmRSS"),
        "serve_peak_mb": _status_mb("self", "VmHWM"),
    }


TASKS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {"build": task_build, "serve": task_serve}


# -- the run ---------------------------------------------------------------------------------------


def link_corpus(source: Path, size: int, folder: Path) -> Path:
    """A corpus folder of the first ``size`` passages: symlinks to whole chunks, a copy of a partial last one."""
    folder.mkdir(parents=True)
    for chunk in range(-(-size // CHUNK)):
        name = f"chunk-{chunk:05d}.txt"
        wanted = min(CHUNK, size - chunk * CHUNK)
        if wanted == CHUNK:
            (folder / name).symlink_to((source / name).resolve())
        else:
            lines = (source / name).read_text(encoding="utf-8").splitlines(keepends=True)[:wanted]
            (folder / name).write_text("".join(lines), encoding="utf-8")
    return folder


def _disk_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20 if folder.exists() else 0.0


def engine_code() -> str:
    """A digest of the engine's source: results are comparable only when it did not change during a run."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted((ROOT / "bot" / "engine").glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def measure(args: argparse.Namespace) -> dict[str, Any]:
    # Other work on the machine slows every wall-clock timing: the load averages are kept with the results.
    load_before = os.getloadavg()
    code_before = engine_code()
    generator = Generator(args.seed)
    source = args.folder / "corpus"
    started = time.perf_counter()
    ensure_corpus(source, max(args.sizes), generator)
    print(f"corpus: {max(args.sizes):,} passages in {source} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    questions = generator.questions(args.queries + 1)  # the first times the restart, the others the latency
    semantic = False
    if args.semantic:
        from bot.engine.ranking.semantic import load_encoder

        semantic = load_encoder() is not None
        if not semantic:
            print("semantic: no encoder installed, skipped", file=sys.stderr)

    rows: list[dict[str, Any]] = []
    for size in sorted(args.sizes):
        work = Path(tempfile.mkdtemp(prefix=f"policy-bot-engine-scale-{size}-"))
        spec = {"corpus": str(link_corpus(source, size, work / "corpus")), "state": str(work / "state")}
        (work / "state").mkdir()
        row: dict[str, Any] = {"size": size, "work": str(work), "status": "ok"}
        steps = [("cold", "build", {}), ("restart", "serve", {"questions": questions, "semantic": False})]
        if semantic:
            steps.append(("semantic", "serve", {"questions": questions, "semantic": True}))
        try:
            for key, task, extra in steps:
                print(f"{size:,} passages: {key}…", file=sys.stderr)
                row[key] = run_child(task, {**spec, **extra}, module="bench.engine_scale", timeout=args.step_timeout)
                print(f"  {json.dumps(row[key])}", file=sys.stderr)
                if key == "cold":
                    row["analysis_cache_mb"] = _disk_mb(work / "state" / "analysis")
                    row["index_disk_mb"] = _disk_mb(work / "state" / "index")
        except StepTimeoutError as error:
            row["status"] = str(error)
            print(f"  {error}", file=sys.stderr)
        rows.append(row)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        if row["status"] != "ok":
            break  # a larger size would take longer still
    return {
        "seed": args.seed,
        "sizes": sorted(args.sizes),
        "queries": args.queries,
        "cpu": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "engine_code": [code_before, engine_code()],
        "rows": rows,
    }


STEPS = ("cold", "restart", "semantic")
SECOND_COLUMNS = ("load", "analysis", "analysis: split", "analysis: compute", "analysis: cache read")
SECOND_COLUMNS += ("analysis: cache write", "index", "index: digest", "figures", "figures: refs", "figures: index")
SECOND_COLUMNS += ("figures: load", "figures: save")
SECOND_COLUMNS += ("encoder", "other")


def _phase(phases: dict[str, float], name: str) -> str:
    return _fmt(phases[name]) if phases.get(name) else "–"


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "### Engine",
        "",
        "| passages | documents | figures | backend | cold build s (CPU s) | + figures s | cold peak MB | RSS built MB "
        "| restart → 1st answer s | restart → figures ready s | restart peak MB | p50 ms | p95 ms | p99 ms "
        "| answered | serving RSS MB | /figures p50 ms | /figures p95 ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        cold, warm = r.get("cold"), r.get("restart")
        if cold is None:
            lines.append(f"| {r['size']:,} | {r['status']} |" + " |" * 16)
            continue
        head = (
            f"| {r['size']:,} | {cold['documents']:,} | {cold['figures']:,} | {cold['backend']} "
            f"| {_fmt(cold['build_s'])} ({_fmt(cold['build_cpu_s'])}) | {_fmt(cold['figures_s'])} "
            f"| {cold['peak_mb']:,.0f} | {cold['rss_with_figures_mb']:,.0f} "
        )
        if warm is None:
            lines.append(head + f"| {r['status']} |" + " |" * 9)
            continue
        lines.append(
            head + f"| {_fmt(warm['first_answer_s'])} | {_fmt(warm['figures_ready_s'])} | {warm['peak_mb']:,.0f} "
            f"| {_fmt(warm['p50_ms'])} | {_fmt(warm['p95_ms'])} | {_fmt(warm['p99_ms'])} | {warm['answered']:.0%} "
            f"| {warm['serve_rss_mb']:,.0f} | {_fmt(warm.get('figures_p50_ms', 0))} "
            f"| {_fmt(warm.get('figures_p95_ms', 0))} |"
        )
    steps = [
        (r, key, r[key]) for r in result["rows"] for key in STEPS if key in r and r[key].get("status", "ok") == "ok"
    ]
    lines += [
        "",
        "### Where a build's seconds go (wall s; CPU s in brackets, workers included)",
        "",
        "| passages | build | total | load | analysis | ↳ split | ↳ compute | ↳ cache read | ↳ cache write "
        "| index | ↳ digest | figures | ↳ refs | ↳ index | ↳ read stored | ↳ store | encoder | other |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r, key, step in steps:
        seconds, cpu = step["phases"]["seconds"], step["phases"]["cpu_s"]
        cells = [_phase(seconds, name) for name in SECOND_COLUMNS]
        if seconds.get("analysis: compute", 0.0) > 0.01:
            cells[3] += f" ({_fmt(cpu['analysis: compute'])})"
        lines.append(
            f"| {r['size']:,} | {key} | {_fmt(step['build_s'])} ({_fmt(step['build_cpu_s'])}) | "
            + " | ".join(cells)
            + " |"
        )
    lines += [
        "",
        "### Where a build's memory goes (MB)",
        "",
        "| passages | build | RSS before | + load | + analysis | + index | + figures | + encoder | + other | RSS built "
        "| peak (with workers) | state on disk: analyses / index |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r, key, step in steps:
        rss = step["phases"]["rss_mb"]
        disk = f"{r['analysis_cache_mb']:,.0f} / {r['index_disk_mb']:,.1f}" if key == "cold" else ""
        lines.append(
            f"| {r['size']:,} | {key} | {step['rss_before_mb']:,.0f} | "
            + " | ".join(
                f"{rss.get(name, 0.0):+,.0f}" for name in ("load", "analysis", "index", "figures", "encoder", "other")
            )
            + f" | {step['rss_mb']:,.0f} | {step['peak_mb']:,.0f} | {disk} |"
        )
    semantic = [r for r in result["rows"] if r.get("semantic", {}).get("status") == "ok"]
    if semantic:
        lines += [
            "",
            "### With the models (the answer reader when its weights load, else the MiniLM tie-break)",
            "",
            "| passages | restart → 1st answer s | restart build s | peak MB | p50 ms | p95 ms | p99 ms | answered "
            "| serving RSS MB |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in semantic:
            s = r["semantic"]
            lines.append(
                f"| {r['size']:,} | {_fmt(s['first_answer_s'])} | {_fmt(s['build_s'])} | {s['peak_mb']:,.0f} "
                f"| {_fmt(s['p50_ms'])} | {_fmt(s['p95_ms'])} | {_fmt(s['p99_ms'])} | {s['answered']:.0%} "
                f"| {s['serve_rss_mb']:,.0f} |"
            )
    load = result["load_average_before"][0], result["load_average_after"][0]
    lines += ["", f"Load average (1 min) before / after: {load[0]:.1f} / {load[1]:.1f} on {result['cpu']} cores."]
    before, after = result["engine_code"]
    if before != after:
        lines.append(
            f"**The engine's code changed during the run** ({before} → {after}): steps measured different code."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="corpus sizes, comma-separated")
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER,
                        help="where bench.scale's synthetic corpus is (written there if missing)")  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--queries", type=int, default=100, help="questions timed per size, after the first")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--semantic", action="store_true", help="also time questions with semantic reranking")
    parser.add_argument("--keep", action="store_true", help="keep each size's corpus and state folders")
    parser.add_argument("--step-timeout", type=float, default=600.0, help="stop a step after this many seconds")
    parser.add_argument("--task", choices=sorted(TASKS), help=argparse.SUPPRESS)  # a child's job; spec on stdin
    args = parser.parse_args(argv)
    if args.task:
        return serve_child(TASKS, args.task)
    args.sizes = parse_sizes(args.sizes)
    started = time.perf_counter()
    result = measure(args)
    result["total_s"] = time.perf_counter() - started
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(markdown(result))
    print(f"\n(total {result['total_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
