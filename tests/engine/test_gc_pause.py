"""The collector is paused while engines are built, and always comes back as it was."""

from __future__ import annotations

import gc
import threading

import pytest

from bot.engine.gc_pause import gc_paused


def test_pauses_nest_and_overlap_across_threads() -> None:
    assert gc.isenabled()
    inside, release = threading.Event(), threading.Event()

    def other_build() -> None:
        with gc_paused():
            inside.set()
            release.wait(5)

    worker = threading.Thread(target=other_build)
    with gc_paused():
        worker.start()
        inside.wait(5)
        with gc_paused():
            assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread's build is still running
    release.set()
    worker.join()
    assert gc.isenabled()


def test_an_error_inside_still_restores_the_collector() -> None:
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("a build failed")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
