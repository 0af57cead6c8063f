"""The per-user sliding-window cooldown, and the engine host's swap."""

from __future__ import annotations

import threading

import pytest

from bot.adapter.cooldown import Cooldown
from bot.adapter.engine_host import EngineHost
from bot.engine.engine import Engine
from tests.conftest import CORPUS_B


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_allows_rate_per_window_then_says_when() -> None:
    clock = Clock()
    cooldown = Cooldown(2, 30.0, clock=clock)
    assert cooldown.hit(1) is None
    clock.now += 10
    assert cooldown.hit(1) is None
    assert cooldown.hit(1) == pytest.approx(20.0)
    assert cooldown.hit(2) is None  # per user
    clock.now += 20.5
    assert cooldown.hit(1) is None  # the first question left the window
    assert cooldown.hit(1) == pytest.approx(9.5)


def test_refusals_are_announced_once_per_window() -> None:
    clock = Clock()
    cooldown = Cooldown(1, 10.0, clock=clock)
    cooldown.hit(1)
    assert cooldown.hit(1) is not None and cooldown.first_refusal(1)
    assert cooldown.hit(1) is not None and not cooldown.first_refusal(1)
    clock.now += 10.5
    assert cooldown.hit(1) is None
    assert cooldown.hit(1) is not None and cooldown.first_refusal(1)


def test_memory_is_bounded_by_active_users() -> None:
    clock = Clock()
    cooldown = Cooldown(1, 1.0, clock=clock)
    for user in range(1000):
        cooldown.hit(user)
    clock.now += 2
    cooldown.hit(5000)
    assert list(cooldown._hits) == [5000]


def test_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        Cooldown(0, 1.0)


async def test_engine_host_runs_off_the_loop_and_swaps(seed_engine: Engine) -> None:
    host = EngineHost(seed_engine, sentences=1)
    threads: list[int] = []

    class Spy(Engine):
        def ask(self, question: str, max_sentences: int = 3):  # type: ignore[no-untyped-def]
            threads.append(threading.get_ident())
            return super().ask(question, max_sentences)

    host.swap(Spy(seed_engine.documents))
    answer = await host.ask("what is the new salary threshold for a work visa?")
    assert len(answer.sentences) == 1 and threads and threads[0] != threading.get_ident()
    old_version = host.version
    _, rebuilt = await host.refresh(CORPUS_B)
    assert host.engine is rebuilt and host.version != old_version
