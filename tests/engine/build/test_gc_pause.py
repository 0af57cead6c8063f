"""The collector is paused while engines are built, and always comes back as it was; frozen garbage
(a replaced engine) is collected when asked."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest

from bot.engine.build.gc_pause import collect_frozen, freeze, gc_paused


@pytest.fixture(autouse=True)
def no_warm_up_running() -> None:
    """An engine an earlier test swapped in may still be building its figure index in a background
    thread (``engine_host.warm_up``), with the collector paused: wait for it, or these tests see it."""
    for thread in threading.enumerate():
        if thread.name.startswith("figures-"):
            thread.join(60)


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


class _Cyclic:
    """An object in a reference cycle: only the cyclic collector can free it, as with an engine."""

    def __init__(self) -> None:
        self.me = self


def test_collect_frozen_frees_frozen_garbage_and_keeps_the_rest_frozen() -> None:
    garbage, kept = _Cyclic(), _Cyclic()
    gone = weakref.ref(garbage)
    freeze()
    try:
        del garbage
        gc.collect()
        assert gone() is not None  # frozen: a plain collection never reaches it
        frozen_before = gc.get_freeze_count()
        collect_frozen()
        assert gone() is None
        assert gc.get_freeze_count() > 0 and gc.get_freeze_count() <= frozen_before
        assert kept.me is kept
    finally:
        gc.unfreeze()
