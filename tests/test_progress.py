"""``BuildReporter`` shows a slow build (bar or log lines) and says nothing of a quick one."""

from __future__ import annotations

import io
import logging
import time

import pytest

from bot.engine.build.analysis import BuildStep
from bot.progress import BuildReporter

A_BUILD = (
    BuildStep("read", 0, None),
    BuildStep("read", 300, 300),
    BuildStep("analyse", 0, 300, 0),
    BuildStep("analyse", 50, 300, 200),
    BuildStep("analyse", 100, 300, 400),
    BuildStep("analyse", 300, 300, 1200),
    BuildStep("index", 0, 1200),
    BuildStep("index", 1000, 1200),
    BuildStep("index", 1200, 1200),
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def progress_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.progress"]


@pytest.fixture(autouse=True)
def progress_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.progress")


@pytest.mark.parametrize("bar", [False, True])
def test_a_quick_build_shows_nothing(bar: bool, caplog: pytest.LogCaptureFixture) -> None:
    clock, stream = Clock(), io.StringIO()
    reporter = BuildReporter(stream, bar=bar, quiet_seconds=2.0, clock=clock)
    for step in A_BUILD:
        reporter(step)
        clock.now += 0.1
        reporter.tick()
    reporter.close()
    assert stream.getvalue() == "" and progress_lines(caplog) == [] and not reporter.shown


def test_a_slow_build_is_logged_stage_by_stage_and_every_few_seconds(caplog: pytest.LogCaptureFixture) -> None:
    clock, stream = Clock(), io.StringIO()
    reporter = BuildReporter(stream, bar=False, quiet_seconds=2.0, log_every=5.0, clock=clock)
    for step in A_BUILD[:4]:  # up to 50 of 300 documents analysed, within the quiet time
        reporter(step)
    clock.now += 1.0
    reporter.tick()
    assert progress_lines(caplog) == []
    clock.now += 1.5  # 2.5 s in: shown by the watcher's tick, though no step came
    reporter.tick()
    reporter(A_BUILD[4])
    clock.now += 3.0
    reporter.tick()  # 3 s after the last line: not yet
    clock.now += 2.5
    reporter.tick()  # 5.5 s after it: the stage still under way is said again
    for step in A_BUILD[5:]:
        reporter(step)
    clock.now += 1.0
    reporter.close()
    assert progress_lines(caplog) == [
        "analysing documents: 50 of 300 (16%), 200 passages so far",
        "analysing documents: 100 of 300 (33%), 400 passages so far (8 s so far)",
        "analysed 300 documents: 1,200 passages",
        "building the search index of 1,200 passages",
        "search index built: 1,200 passages",
        "corpus ready in 9.0 s: 300 documents, 1,200 passages",
    ]
    assert stream.getvalue() == ""  # lines go to the log (stderr in the CLI), never to the stream given


def test_a_slow_build_on_a_terminal_draws_bars(caplog: pytest.LogCaptureFixture) -> None:
    clock, stream = Clock(), io.StringIO()
    reporter = BuildReporter(stream, bar=True, quiet_seconds=2.0, clock=clock)
    reporter(A_BUILD[0])
    clock.now += 3.0
    for step in A_BUILD[1:]:
        reporter(step)
        reporter.tick()
    reporter.close()
    drawn = stream.getvalue()
    for text in ("reading documents", "analysing documents", "300/300", "1,200 passages", "building the search index"):
        assert text in drawn
    assert "1200/1200" in drawn and "100%" in drawn
    assert progress_lines(caplog) == []  # the bars say it all


def test_nothing_starts_once_the_index_is_built(caplog: pytest.LogCaptureFixture) -> None:
    """Loading the models after the index can take a moment: too late to start talking about the build."""
    clock = Clock()
    reporter = BuildReporter(io.StringIO(), bar=False, quiet_seconds=2.0, clock=clock)
    for step in A_BUILD:
        reporter(step)
    clock.now += 10.0
    reporter.tick()
    reporter.close()
    assert progress_lines(caplog) == []


def test_a_failed_build_is_not_called_ready(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    with pytest.raises(RuntimeError), BuildReporter(io.StringIO(), bar=False, quiet_seconds=0.0, clock=clock) as r:
        r(A_BUILD[0])
        raise RuntimeError("the disk went away")
    assert progress_lines(caplog) == ["reading the documents"]


def test_the_watcher_shows_a_stage_that_reports_nothing_for_a_while(caplog: pytest.LogCaptureFixture) -> None:
    with BuildReporter(io.StringIO(), bar=False, quiet_seconds=0.2) as reporter:
        reporter(BuildStep("read", 0, None))  # and then nothing: a slow disk
        deadline = time.monotonic() + 10
        while not progress_lines(caplog) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert progress_lines(caplog)[0] == "reading the documents"
