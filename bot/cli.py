"""Command line: ``python -m bot {ask,chat,run,...}``.

``run`` starts the Discord bot when a token is configured; without one it says so and points at
``chat``, the same engine in the terminal.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError

from bot.config import ConfigError, Settings
from bot.engine.claims import check_claim
from bot.engine.corpus.store import ensure_seeded
from bot.engine.engine import Engine
from bot.engine.figure_answers import rank_figures
from bot.engine.figures.index import lookup_to_json
from bot.engine.models import Answer
from bot.progress import QUIET_SECONDS, BuildReporter
from bot.terminal import ChatSession, format_answer, format_claim, format_figures, format_problem, run_chat

log = logging.getLogger(__name__)

Command = Callable[[argparse.Namespace, Settings], int]

# --help is plain text: the module docstring's reStructuredText markup would be shown literally.
DESCRIPTION = (
    "Answer public-policy questions from a folder of documents by quoting their sentences, with sources. "
    "'run' starts the Discord bot when DISCORD_TOKEN is configured; 'chat' is the same engine in the terminal."
)
EMPTY_QUESTION = "The question was empty (a blank input line)."
# A reader that stops early (`| head`) closes the pipe: exit as a process killed by SIGPIPE would.
BROKEN_PIPE_STATUS = 128 + 13


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    # discord.py logs webhook and interaction URLs, which embed tokens, at DEBUG.
    for noisy in ("discord.http", "discord.webhook", "discord.gateway"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, logging.getLevelName(level)))


def corpus_folder(args: argparse.Namespace, settings: Settings) -> Path:
    """The folder to serve: ``--corpus`` as given, else the configured one, seeded when fresh."""
    if args.corpus is not None:
        if not args.corpus.is_dir():
            raise ConfigError(f"--corpus {args.corpus}: no such folder")
        return args.corpus
    ensure_seeded(settings.corpus_dir, settings.seeds_dir)
    return settings.corpus_dir


def load_engine(args: argparse.Namespace, settings: Settings) -> Engine:
    folder = corpus_folder(args, settings)
    # A first build of a large corpus takes a while (~40 s at 60,000 passages): say how far it is, on stderr.
    with BuildReporter(quiet_seconds=args.progress_after) as progress:
        engine = Engine.from_folder(
            folder,
            semantic=settings.semantic,
            reader=settings.reader,
            index=settings.index_options(),
            progress=progress,
        )
    for problem in engine.problems:  # the loader only logs them at DEBUG: this is their one report
        print(format_problem(problem), file=sys.stderr)
    return engine


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    engine = load_engine(args, settings)
    if args.question == "-":
        return _ask_stream(engine, sys.stdin, sys.stdout, args.json, settings.answer_sentences)
    answer = engine.ask(args.question, settings.answer_sentences)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        print(format_answer(answer), end="")
    return 0


def _ask_stream(engine: Engine, stream: TextIO, out: TextIO, as_json: bool, sentences: int) -> int:
    for line in stream:
        question = line.strip()
        if not question:
            if as_json:  # one output line per input line, so that outputs line up with questions
                empty = Answer(question="", answered=False, reason=EMPTY_QUESTION, corpus_version=engine.version)
                out.write(json.dumps({**empty.to_json(), "error": "empty question"}, ensure_ascii=False) + "\n")
                out.flush()
            continue
        answer = engine.ask(question, sentences)
        if as_json:
            out.write(json.dumps(answer.to_json(), ensure_ascii=False) + "\n")
        else:
            out.write(f"Q: {question}\n{format_answer(answer)}\n")
        out.flush()
    return 0


def cmd_figures(args: argparse.Namespace, settings: Settings) -> int:
    engine = load_engine(args, settings)
    if args.json:
        groups = rank_figures(engine, args.topic, args.limit)
        print(json.dumps(lookup_to_json(args.topic, groups), ensure_ascii=False))
    else:
        print(format_figures(args.topic, rank_figures(engine, args.topic, args.limit)), end="")
    return 0


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    if args.claim is None:
        from bot.health import run_health_check

        if args.json:
            return _health_json(settings, args.corpus, acknowledge=args.acknowledge)
        return run_health_check(settings, args.corpus, acknowledge=args.acknowledge)
    engine = load_engine(args, settings)
    result = check_claim(engine, args.claim, settings.answer_sentences)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        print(format_claim(result), end="")
    return 0


def _health_json(settings: Settings, corpus: Path | None, *, acknowledge: bool = False) -> int:
    """``check --json`` without a claim: the deployment check (``bot.health``) as one JSON object."""
    from bot.health import collect_problems
    from bot.storage import acknowledge_set_aside

    if acknowledge:
        acknowledge_set_aside(settings.database_path)
    health = collect_problems(settings, corpus)
    engine = health.engine
    status = "failing" if health.errors else "degraded" if health.degraded else "ok"
    report = {
        "ok": not health.errors,
        "status": status,
        "errors": health.errors,
        "warnings": health.warnings,
        "degraded": health.degraded,
        "notes": health.notes,
        "corpus": None
        if engine is None
        else {
            "documents": len(engine.documents),
            "passages": len(engine.passages),
            "figures": len(engine.figures),
            "version": engine.version,
        },
    }
    print(json.dumps(report, ensure_ascii=False))
    return 1 if health.errors else 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    engine = load_engine(args, settings)
    return run_chat(ChatSession(engine, settings.answer_sentences), settings.state_dir / "chat_history")


def cmd_has_token(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when a usable DISCORD_TOKEN is configured (not empty, not the .env.example placeholder)."""
    try:
        settings.require_token()
    except ConfigError:
        return 1
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if args.corpus is not None:
        settings = settings.model_copy(update={"corpus_dir": args.corpus})
    if args.force_sync:
        settings = settings.model_copy(update={"force_sync": True})
    try:
        settings.require_token()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("Without a token you can use the same engine in the terminal: python -m bot chat", file=sys.stderr)
        return 2
    from bot.adapter.runner import run_bot  # imported here: the engine commands need no Discord

    return run_bot(settings, progress_after=args.progress_after)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True)
    corpus = argparse.ArgumentParser(add_help=False)
    corpus.add_argument("--corpus", type=Path, default=None, help="serve this folder instead of CORPUS_DIR")
    corpus.add_argument(
        "--progress-after",
        type=float,
        default=QUIET_SECONDS,
        metavar="SECONDS",
        help=f"show how far loading the corpus is (on stderr) once it takes this long (default {QUIET_SECONDS:g})",
    )

    ask = sub.add_parser("ask", parents=[corpus], help="answer one question (or '-' for one per stdin line)")
    ask.add_argument("question", help="the question, or '-' to read one question per line from stdin")
    ask.add_argument("--json", action="store_true", help="print JSON (one object per question)")
    ask.set_defaults(handler=cmd_ask)

    figures = sub.add_parser("figures", parents=[corpus], help="figures (amounts, counts, percentages) on a topic")
    figures.add_argument("topic", nargs="?", default="", help="what the figures measure; empty for an overview")
    figures.add_argument("--json", action="store_true", help="print JSON")
    figures.add_argument("--limit", type=int, default=5, help="groups of figures to show (default 5)")
    figures.set_defaults(handler=cmd_figures)

    check = sub.add_parser(
        "check", parents=[corpus], help="check a claim against the documents; with no claim, check the deployment"
    )
    check.add_argument("claim", nargs="?", default=None, help="the claim (omit to validate configuration and corpus)")
    check.add_argument("--json", action="store_true", help="print JSON")
    check.add_argument(
        "--acknowledge",
        action="store_true",
        help="mark state databases the bot set aside as seen (kept, renamed .acknowledged-<time>)",
    )
    check.set_defaults(handler=cmd_check)

    chat = sub.add_parser("chat", parents=[corpus], help="interactive questions in the terminal")
    chat.set_defaults(handler=cmd_chat)

    run = sub.add_parser("run", parents=[corpus], help="run the Discord bot (needs DISCORD_TOKEN)")
    run.add_argument("--force-sync", action="store_true", help="sync slash commands even if unchanged")
    run.set_defaults(handler=cmd_run)

    has_token = sub.add_parser(
        "has-token", help="exit 0 if a usable DISCORD_TOKEN is configured, 1 if not (scripts/run.sh asks this)"
    )
    has_token.set_defaults(handler=cmd_has_token)
    return parser


def _fail(args: argparse.Namespace, message: str, details: Sequence[str] = ()) -> int:
    """Report an error that stops the command: as JSON on stdout too when JSON was asked for."""
    print(f"error: {message}", file=sys.stderr)
    for line in details:
        print(f"  {line}", file=sys.stderr)
    if getattr(args, "json", False):
        print(json.dumps({"error": message, "details": list(details)}, ensure_ascii=False))
    return 2


def _quiet_broken_pipe() -> int:
    # Point stdout at /dev/null: Python's final flush of it would otherwise print the error again.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return BROKEN_PIPE_STATUS


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in err["loc"]).upper() for err in exc.errors())
        details = [f"{'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()]
        return _fail(args, f"invalid configuration: {fields}", details)
    configure_logging(settings.log_level if args.command == "run" else "WARNING")
    if args.command != "run":  # the other commands log warnings only, but a slow build's progress is wanted
        logging.getLogger("bot.progress").setLevel(logging.INFO)
    try:
        handler: Command = args.handler
        status = handler(args, settings)
        sys.stdout.flush()  # inside the try: a closed pipe shows up here, not at interpreter exit
        return status
    except ConfigError as exc:
        return _fail(args, str(exc))
    except BrokenPipeError:
        return _quiet_broken_pipe()
