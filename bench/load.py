"""Load: many users asking at once, through the real discord.py client and the fake Discord.

```sh
python -m bench.load                                  # 50 users x 4 questions, all at once, seed corpus
python -m bench.load --users 100 --per-user 5 --corpus tests/quality/corpus_b --json load.json
```

Every user sends its questions (``/ask``) in one burst; a few users then ask once more than the
cooldown allows. Measured, in the event loop's clock: the time from each interaction being sent to
its acknowledgement (the "thinking…" defer Discord wants within 3 s) and to the answer (the
follow-up), the event loop's longest stall (a 10 ms ticker; GC pauses and OS descheduling shown
apart, see ``tests/hardening/conftest.py``), interactions Discord would refuse as late, and what the
users over the limit were told. Run manually; ``tests/hardening/test_load.py`` asserts on a run.
"""

from __future__ import annotations

import os

# As in bot/__main__.py: one BLAS thread for the sentence encoder (set before numpy is imported);
# several threads each running a multi-threaded BLAS thrash a small machine (~7 s answers, not ~2 s).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.adapter.client import PolicyBot
from bot.adapter.cooldown import Cooldown
from bot.adapter.engine_host import EngineHost
from bot.config import Settings
from bot.engine.engine import Engine
from bot.storage import Storage
from tests.fake_discord import FakeDiscord, FakeInteraction, RecordedRequest, connected
from tests.hardening.conftest import LoopWatch, deadline_errors

QUESTIONS = (
    "what is the new salary threshold for a work visa?",
    "why was the scheme ruled unlawful?",
    "who signed the new Rwanda treaty?",
    "how many people migrated to the UK last year?",
    "what will happen to the family visa income requirement?",
    "what did the Supreme Court decide about Rwanda?",
    "how much has the UK paid Rwanda?",
    "what is the capital of France?",  # not answered: the honest refusal is rendered too
)
EPHEMERAL = 1 << 6


@dataclass
class LoadResult:
    users: int
    per_user: int
    questions: int = 0
    answered: int = 0
    defer_times: list[float] = field(default_factory=list)
    answer_times: list[float] = field(default_factory=list)
    late: int = 0  # interactions Discord would have refused (404/10062)
    over_limit: int = 0  # questions past the cooldown
    refused_privately: int = 0  # ... answered with the private cooldown notice
    max_stall: float = 0.0
    max_own_stall: float = 0.0
    max_gc_pause: float = 0.0
    wall: float = 0.0

    @staticmethod
    def _quantiles(values: Sequence[float]) -> tuple[float, float, float]:
        if len(values) < 2:
            value = values[0] if values else float("nan")
            return value, value, value
        cuts = statistics.quantiles(values, n=100, method="inclusive")
        return cuts[49], cuts[94], max(values)

    @property
    def defer(self) -> tuple[float, float, float]:
        return self._quantiles(self.defer_times)

    @property
    def answer(self) -> tuple[float, float, float]:
        return self._quantiles(self.answer_times)

    def summary(self) -> str:
        (d50, d95, dmax), (a50, a95, amax) = self.defer, self.answer
        return (
            f"{self.questions} questions from {self.users} users ({self.per_user} each) at once in {self.wall:.1f} s: "
            f"{self.answered} answered, {self.late} late\n"
            f"  acknowledged (defer): p50 {d50 * 1000:.0f} ms, p95 {d95 * 1000:.0f} ms, max {dmax * 1000:.0f} ms\n"
            f"  answered:             p50 {a50 * 1000:.0f} ms, p95 {a95 * 1000:.0f} ms, max {amax * 1000:.0f} ms\n"
            f"  over the cooldown: {self.over_limit}, told privately: {self.refused_privately}\n"
            f"  event loop: max stall {self.max_own_stall * 1000:.0f} ms "
            f"({self.max_stall * 1000:.0f} ms wall, longest GC pause {self.max_gc_pause * 1000:.0f} ms)"
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("defer_times")
        data.pop("answer_times")
        (d50, d95, dmax), (a50, a95, amax) = self.defer, self.answer
        data.update(defer_p50=d50, defer_p95=d95, defer_max=dmax, answer_p50=a50, answer_p95=a95, answer_max=amax)
        return data


class _Stamps:
    """When the fake finished answering each request, in the event loop's clock."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.at: dict[int, float] = {}
        log = fake.log
        finish = log.finish
        loop = asyncio.get_running_loop()

        def stamped(record: RecordedRequest, *args: Any, **kwargs: Any) -> None:
            self.at[record.index] = loop.time()
            finish(record, *args, **kwargs)

        log.finish = stamped  # type: ignore[method-assign]


async def run_load(
    fake: FakeDiscord,
    *,
    users: int = 50,
    per_user: int = 4,
    over_limit_users: int = 5,
    questions: Sequence[str] = QUESTIONS,
    timeout: float = 120.0,
) -> LoadResult:
    """Send ``users x per_user`` questions at once (then one more each from ``over_limit_users``
    users, past the cooldown) to a bot connected to ``fake``; wait for every reply."""
    loop = asyncio.get_running_loop()
    result = LoadResult(users, per_user)
    stamps = _Stamps(fake)
    members = [fake.add_member(f"load-user-{n}") for n in range(users)]
    sent: list[tuple[FakeInteraction, bool]] = []  # (interaction, past the cooldown)
    async with LoopWatch() as watch:
        started = loop.time()
        for round_ in range(per_user):
            for n, member in enumerate(members):
                question = questions[(n + round_) % len(questions)]
                sent.append((await fake.send_slash_command("ask", {"question": question}, user=member), False))
        for member in members[:over_limit_users]:
            sent.append((await fake.send_slash_command("ask", {"question": questions[0]}, user=member), True))
        by_token = {interaction.token: (interaction, over) for interaction, over in sent}
        done: dict[str, float] = {}
        seen: set[int] = set()
        async with asyncio.timeout(timeout):
            while len(done) < len(sent):
                await asyncio.sleep(0.01)
                for record in fake.requests:
                    token = record.interaction_token
                    if record.index in seen or record.status is None:
                        continue
                    seen.add(record.index)
                    if token not in by_token or token in done or not record.ok:
                        continue
                    interaction, over = by_token[token]
                    created = interaction.created_at
                    if record.callback_type == 5:
                        result.defer_times.append(stamps.at[record.index] - created)
                    elif record.callback_type == 4 and over:
                        done[token] = stamps.at[record.index] - created
                        flags = int((record.json.get("data") or {}).get("flags") or 0)
                        if flags & EPHEMERAL and "asking quickly" in (record.json["data"].get("content") or ""):
                            result.refused_privately += 1
                    elif record.method == "POST" and record.path.startswith("/webhooks/"):
                        done[token] = stamps.at[record.index] - created
                        result.answer_times.append(done[token])
                        result.answered += 1
        result.wall = loop.time() - started
    result.questions = len(sent)
    result.over_limit = sum(over for _, over in sent)
    result.late = len(deadline_errors(fake))
    result.max_stall, result.max_own_stall, result.max_gc_pause = (
        watch.max_stall,
        watch.max_own_stall,
        watch.max_gc_pause,
    )
    return result


async def _main(args: argparse.Namespace) -> int:
    engine = Engine.from_folder(args.corpus)
    engine.ask("warm up the encoder")
    with tempfile.TemporaryDirectory(prefix="policy-bot-load-") as state:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, state_dir=Path(state), corpus_dir=args.corpus,
            cooldown_questions=args.per_user, cooldown_seconds=600,
        )  # fmt: skip
        storage = await Storage.open(settings.database_path)
        try:
            bot = PolicyBot(
                settings=settings,
                engines=EngineHost(engine, sentences=settings.answer_sentences),
                storage=storage,
                cooldown=Cooldown(settings.cooldown_questions, settings.cooldown_seconds),
            )
            async with FakeDiscord(interaction_deadline=3.0) as fake, connected(bot, fake):
                result = await run_load(fake, users=args.users, per_user=args.per_user)
        finally:
            await storage.close()
    print(result.summary())
    if args.json:
        args.json.write_text(json.dumps(result.to_json(), indent=2))
    return 0 if result.answered == args.users * args.per_user and not result.late else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--per-user", type=int, default=4, help="questions each user sends (= the cooldown allowance)")
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parent.parent / "seeds")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers as JSON")
    return asyncio.run(_main(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
