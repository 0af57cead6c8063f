"""Memory stays flat across corpus changes (or a long-running bot that refreshes its corpus runs out).

Every engine is frozen out of the garbage collector's sight while it serves (``gc.freeze``), and an
engine holds reference cycles, so before the fix every replaced engine stayed alive for good: about
12 MB per refresh with an 800 KB document. Here the bot's own ``EngineHost.refresh`` replaces the
engine again and again; each replaced one must be collected (a weak reference to it dies) and the
process's resident memory must not grow with the number of refreshes.
"""

from __future__ import annotations

import asyncio
import gc
import random
import weakref
from pathlib import Path

from bot.adapter.engine_host import EngineHost
from bot.engine.engine import Engine

_WORDS = (
    "housing rent cap council tax budget scheme transport bus fare school meals pupil visa salary "
    "threshold migration hospital waiting list energy grant insulation pension credit"
).split()


def policy_text(paragraphs: int, seed: int = 7) -> str:
    """A document of ``paragraphs`` paragraphs of four sentences, each with figures (≈ 470 bytes a paragraph)."""
    rng = random.Random(seed)
    body = []
    for _ in range(paragraphs):
        sentences = [
            f"The {' '.join(rng.choice(_WORDS) for _ in range(11))} costs £{rng.randint(1, 900)} million "
            f"in {rng.randint(2000, 2030)}."
            for _ in range(4)
        ]
        body.append(" ".join(sentences))
    return "# Spending review\n\n" + "\n\n".join(body) + "\n"


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def build(folder: Path) -> Engine:
    return Engine.from_folder(folder, semantic=False, reader=False)


async def refresh_with(host: EngineHost, folder: Path, text: str) -> None:
    """One moderator refresh after an edit on disk, then let the background work of the swap run."""
    await host.refresh(folder, change=lambda: (folder / "review.md").write_text(text, encoding="utf-8"))
    if host.warming is not None:  # the new engine's figure index, built in the background
        await asyncio.to_thread(host.warming.join)
    await asyncio.sleep(0.05)  # the release attempt scheduled by the swap


async def test_replaced_engines_are_collected(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "review.md").write_text(policy_text(20), encoding="utf-8")
    host = EngineHost(build(folder), builder=build)
    host.release_delays = (0.01, 0.2)
    replaced: list[weakref.ref[Engine]] = []
    try:
        for n in range(20):
            replaced.append(weakref.ref(host.engine))
            await refresh_with(host, folder, policy_text(20, seed=n))
        await asyncio.sleep(0.3)
        alive = sum(ref() is not None for ref in replaced)
        assert alive == 0, f"{alive} of {len(replaced)} replaced engines are still in memory"
        assert host.engine.passages  # the one serving is untouched
    finally:
        gc.unfreeze()


async def test_memory_stays_flat_over_many_refreshes(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    text = policy_text(260)  # ≈ 120 KB, ≈ 260 passages
    assert len(text.encode()) > 100_000
    (folder / "review.md").write_text(text, encoding="utf-8")
    host = EngineHost(build(folder), builder=build)
    host.release_delays = (0.01, 0.2)
    try:
        for n in range(3):  # allocator pools, caches and the first figure index settle first
            await refresh_with(host, folder, text + f"\nRevision {n}.\n")
        before = rss_mb()
        cycles = 12
        for n in range(cycles):
            await refresh_with(host, folder, text + f"\nRevision {n + 3}.\n")
        grown = rss_mb() - before
        # Before the fix each refresh kept its engine: 75 MB over this loop, ≈ 6 MB a refresh.
        assert grown < 20, f"RSS grew {grown:.0f} MB over {cycles} refreshes"
    finally:
        gc.unfreeze()
