"""How far a corpus build has got: a bar on a terminal, log lines elsewhere, nothing when it is quick.

The engine tells a plain callback of each ``BuildStep`` (documents read, passages analysed, the
search index built) and knows nothing of terminals; a ``BuildReporter`` is such a callback. It says
nothing for its first ``quiet_seconds`` (the seed corpus builds in a fraction of a second: no
noise), then shows the current stage and keeps it up to date: with tqdm when its stream is a
terminal, otherwise as a log line every ``log_every`` seconds and one as each stage ends. A watcher
thread does the showing and the periodic lines, so a stage that reports nothing for a while (one
large document being analysed) is still shown. Everything goes to stderr (the log goes there too):
stdout carries answers and JSON.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from bot.engine.build.analysis import BuildStep

log = logging.getLogger(__name__)

QUIET_SECONDS = 2.0  # a build quicker than this prints nothing
LOG_EVERY_SECONDS = 5.0  # between log lines about a stage still under way
TICK_SECONDS = 0.5  # how often the watcher thread looks
_LABELS = {"read": "reading documents", "analyse": "analysing documents", "index": "building the search index"}
_UNITS = {"read": " documents", "analyse": " documents", "index": " passages"}


def complete(step: BuildStep) -> bool:
    return step.total is not None and step.done >= step.total


def describe(step: BuildStep) -> str:
    """Where a build is, in a line."""
    done, total = step.done, step.total
    share = f" ({100 * done // total}%)" if total else ""
    if step.stage == "read":
        return f"read {done:,} documents" if complete(step) else "reading the documents"
    if step.stage == "analyse":
        if complete(step):
            return f"analysed {total:,} documents: {step.passages:,} passages"
        if done == 0:
            return f"analysing {total:,} documents"
        return f"analysing documents: {done:,} of {total:,}{share}, {step.passages:,} passages so far"
    if complete(step):
        return f"search index built: {total:,} passages"
    if done == 0:
        return f"building the search index of {total:,} passages"
    return f"building the search index: {done:,} of {total:,} passages{share}"


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class BuildReporter:
    """A progress callback for ``Engine.from_folder(progress=...)``; use it as a context manager.

    ``bar`` None picks a bar when ``stream`` (stderr by default) is a terminal, log lines (logger
    ``bot.progress``, INFO) otherwise.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        bar: bool | None = None,
        quiet_seconds: float = QUIET_SECONDS,
        log_every: float = LOG_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = sys.stderr if stream is None else stream
        self.uses_bar = _is_terminal(self._stream) if bar is None else bar
        self._quiet = quiet_seconds
        self._log_every = log_every
        self._clock = clock
        self._started = clock()
        self._lock = threading.Lock()  # the build's thread reports, the watcher thread ticks
        self._step: BuildStep | None = None
        self._documents = 0
        self._passages = 0
        self.shown = False
        self._closed = False
        self._last_line = 0.0
        self._said_stage = ""  # the stage of the last line logged
        self._ended: set[str] = set()  # stages whose end has been said
        self._bar: tqdm | None = None
        self._bar_stage = ""
        self._redirect = contextlib.ExitStack()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    def __enter__(self) -> BuildReporter:
        self._watcher = threading.Thread(target=self._watch, name="build-progress", daemon=True)
        self._watcher.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close(finished=kind is None)

    def __call__(self, step: BuildStep) -> None:
        with self._lock:
            if self._closed:
                return
            self._step = step
            if step.stage == "read" and step.total is None:
                self._ended.clear()  # a build starting over (the bot falls back to an index in memory)
            if step.stage == "analyse":
                self._documents, self._passages = step.total or 0, step.passages
            elif step.stage == "index":
                self._passages = step.total or 0
            if not self.shown:
                self._show_if_due()
            elif self.uses_bar:
                self._draw(step)
            elif complete(step) and step.stage not in self._ended:
                self._ended.add(step.stage)
                self._line(describe(step))
            elif step.stage != self._said_stage:  # a stage begins
                self._line(describe(step))

    def tick(self) -> None:
        """Show the build once it has taken long enough, and keep what is shown up to date."""
        with self._lock:
            if self._closed or self._step is None:
                return
            if not self.shown:
                self._show_if_due()
            elif self._bar is not None:
                self._bar.refresh()  # the elapsed time moves on even when no step arrives
            elif not complete(self._step) and self._clock() - self._last_line >= self._log_every:
                self._line(f"{describe(self._step)} ({self._clock() - self._started:.0f} s so far)")

    def close(self, finished: bool = True) -> None:
        """Stop showing; after a build that was shown, say it is done (unless it failed)."""
        self._stop.set()
        if self._watcher is not None and self._watcher is not threading.current_thread():
            self._watcher.join()
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._bar is not None:
                self._bar.close()
                self._bar = None
            self._redirect.close()
            if self.shown and finished and not self.uses_bar:  # a bar's last state says as much
                seconds = self._clock() - self._started
                self._line(
                    f"corpus ready in {seconds:.1f} s: {self._documents:,} documents, {self._passages:,} passages"
                )

    # -- under the lock ----------------------------------------------------------------------------

    def _show_if_due(self) -> None:
        step = self._step
        # Once the index is built only the models are left to load: too late to start talking.
        if step is None or (step.stage == "index" and complete(step)):
            return
        if self._clock() - self._started < self._quiet:
            return
        self.shown = True
        if self.uses_bar:
            # Log records (a skipped cache entry, the bot's log) are written above the bar, not through it.
            self._redirect.enter_context(logging_redirect_tqdm())
            self._draw(step)
        else:
            if complete(step):
                self._ended.add(step.stage)
            self._line(describe(step))

    def _line(self, text: str) -> None:
        log.info("%s", text)
        self._last_line = self._clock()
        if self._step is not None:
            self._said_stage = self._step.stage

    def _draw(self, step: BuildStep) -> None:
        if self._bar is None or self._bar_stage != step.stage:
            if self._bar is not None:
                self._bar.close()
            self._bar = tqdm(
                total=step.total,
                initial=step.done,
                desc=_LABELS[step.stage],
                unit=_UNITS[step.stage],
                file=self._stream,
                dynamic_ncols=True,
                mininterval=0.2,
            )
            self._bar_stage = step.stage
        bar = self._bar
        if step.total != bar.total:
            bar.total = step.total  # the documents read are counted once they all are
        if step.stage == "analyse":
            bar.set_postfix_str(f"{step.passages:,} passages", refresh=False)
        if step.done > bar.n:
            bar.update(step.done - bar.n)
        if complete(step):
            bar.refresh()  # update() may have skipped drawing the last step (mininterval)

    def _watch(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            self.tick()
