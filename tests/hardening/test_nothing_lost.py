"""Nothing lost: the corpus store under failures injected into every write and rename, under crashes,
and in a process killed (SIGKILL) at random moments.

The promise (``bot/engine/corpus/store.py``): every acknowledged document is present and answerable, a
half-written file is never visible as a document, and the engine serves exactly what is on disk. An
operation that fails may or may not have happened, but never halfway as far as a reader can tell.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import hypothesis
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from bot.engine.corpus.documents import corpus_files, decode_text
from bot.engine.corpus.store import CorpusStore, StoreError, remove_stale_temporaries
from bot.engine.engine import Engine
from tests.conftest import ROOT

NAMES = ("a.txt", "b.md", "c.txt", "dd-1.txt")
TEXT = st.text(alphabet="abcdefghij klmnop.,\néüß€–", min_size=1, max_size=120)


class Faults:
    """Make the ``fail_at``-th call to os.replace / os.fsync / tempfile.mkstemp raise EIO."""

    def __init__(self, fail_at: int | None) -> None:
        self.fail_at = fail_at
        self.calls = 0
        self.fired = False

    def wrap(self, real):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            if self.fail_at is not None and not self.fired and self.calls == self.fail_at:
                self.fired = True
                raise OSError(errno.EIO, f"injected failure in {real.__name__}")
            self.calls += 1
            return real(*args, **kwargs)

        return wrapper

    @contextmanager
    def active(self) -> Iterator[None]:
        saved = (os.replace, os.fsync, tempfile.mkstemp)
        os.replace, os.fsync, tempfile.mkstemp = (self.wrap(f) for f in saved)
        try:
            yield
        finally:
            os.replace, os.fsync, tempfile.mkstemp = saved


def _body(name: str, text: str) -> str:
    """Every document carries a word of its own, so asking for that word must find it."""
    return f"Notice zq{name.split('.')[0].replace('-', '')}x about {text}\n"


class CorpusMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="hardening-store-"))
        self.root = self.tmp / "corpus"
        self.root.mkdir()
        self.store = CorpusStore(self.root)
        self.live: dict[str, tuple[str, str]] = {}  # name -> (text, title), acknowledged
        self.trash: dict[str, tuple[str, str, str]] = {}  # trash id -> (name, text, title)

    def teardown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    @initialize()
    def seed_one(self) -> None:
        self.store.add("seed.txt", _body("seed.txt", "the seed"), {"title": "Seed"})
        self.live["seed.txt"] = (_body("seed.txt", "the seed"), "Seed")

    # -- operations, each with an optional injected failure ------------------------------------------

    @rule(name=st.sampled_from(NAMES), text=TEXT, fail_at=st.one_of(st.none(), st.integers(0, 5)))
    def add(self, name: str, text: str, fail_at: int | None) -> None:
        body, title = _body(name, text), " ".join(f"Title of {name} {text[:20]}".split())
        faults = Faults(fail_at)
        try:
            with faults.active():
                self.store.add(name, body, {"title": title})
        except StoreError:
            assert name in self.live  # the only refusal for these names: it exists
            return
        except OSError:
            assert faults.fired
            assert not (self.root / name).exists(), "a failed add left its document visible"
            return
        assert name not in self.live
        self.live[name] = (body, title)

    @precondition(lambda self: bool(self.live))
    @rule(data=st.data(), fail_at=st.one_of(st.none(), st.integers(0, 5)))
    def remove(self, data: st.DataObject, fail_at: int | None) -> None:
        name = data.draw(st.sampled_from(sorted(self.live)))
        faults = Faults(fail_at)
        try:
            with faults.active():
                entry = self.store.remove(name)
        except OSError:
            assert faults.fired
            if (self.root / name).exists():
                return  # not removed: still served
            # Removed after all (the failure came after the document moved): it must be in the trash.
            entries = [e for e in self.store.trash_entries() if e.document_id == name and e.id not in self.trash]
            assert len(entries) == 1, f"{name} vanished: neither in the corpus nor in the trash"
            entry = entries[0]
        body, title = self.live.pop(name)
        self.trash[entry.id] = (name, body, title)

    @precondition(lambda self: bool(self.trash))
    @rule(data=st.data(), fail_at=st.one_of(st.none(), st.integers(0, 5)))
    def restore(self, data: st.DataObject, fail_at: int | None) -> None:
        trash_id = data.draw(st.sampled_from(sorted(self.trash)))
        name, body, title = self.trash[trash_id]
        faults = Faults(fail_at)
        try:
            with faults.active():
                self.store.restore(trash_id)
        except StoreError:
            assert name in self.live  # the only refusal: a live document has that name again
            return
        except OSError:
            assert faults.fired
            if not (self.root / name).exists():
                return  # not restored: still in the trash
        del self.trash[trash_id]
        self.live[name] = (body, title)

    @rule(partial=st.binary(min_size=1, max_size=64), where=st.sampled_from(["corpus", "trash", "entry"]))
    def crash_and_restart(self, partial: bytes, where: str) -> None:
        """A process killed mid-write leaves a temporary (and a trash entry mid-creation); the
        restart removes the temporaries and reads the folder afresh."""
        folder = {
            "corpus": self.root,
            "trash": self.root / ".trash",
            "entry": self.root / ".trash" / "20991231T235959000000Z",
        }[where]
        folder.mkdir(parents=True, exist_ok=True)
        fd, _ = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        os.write(fd, partial)
        os.close(fd)
        remove_stale_temporaries(self.root)
        assert not list(self.root.rglob(".tmp-*")), "a temporary survived the restart"
        self.store = CorpusStore(self.root)
        self.refresh()

    @rule()
    def refresh(self) -> None:
        engine = Engine.from_folder(self.root, semantic=False)
        assert not engine.problems, engine.problems
        assert {d.id: (d.text, d.meta.title) for d in engine.documents} == self.live
        for name in self.live:
            word = f"zq{name.split('.')[0].replace('-', '')}x"
            answer = engine.ask(word)
            assert answer.answered and answer.sentences[0].citation.document == name, (name, answer.reason)

    # -- after every step ----------------------------------------------------------------------------

    @invariant()
    def visible_documents_are_the_acknowledged_ones(self) -> None:
        visible = {p.relative_to(self.root).as_posix(): p for p in corpus_files(self.root)}
        assert set(visible) == set(self.live)
        for name, path in visible.items():
            assert decode_text(path.read_bytes()) == self.live[name][0]  # whole, never half-written
            assert not path.name.startswith(".tmp-")

    @invariant()
    def the_trash_lists_exactly_what_can_be_restored(self) -> None:
        entries = {e.id: e for e in self.store.trash_entries()}
        assert set(entries) == set(self.trash)
        for trash_id, (name, body, _) in self.trash.items():
            assert entries[trash_id].document_id == name
            assert (self.root / ".trash" / trash_id / name).read_text(encoding="utf-8") == body


TestCorpusStoreUnderFaults = CorpusMachine.TestCase
TestCorpusStoreUnderFaults.settings = hypothesis.settings(
    max_examples=12,
    stateful_step_count=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[hypothesis.HealthCheck.too_slow],
)


# -- a real process, killed with SIGKILL at random moments ---------------------------------------------

CHILD = textwrap.dedent(
    """
    import random, sys
    from pathlib import Path
    from bot.engine.corpus.store import CorpusStore

    root, seed = Path(sys.argv[1]), int(sys.argv[2])
    store = CorpusStore(root)
    rng = random.Random(seed)
    live, trashed = [], []
    for i in range(10_000):
        op = rng.choice(["add", "add", "remove", "restore"])
        if op == "remove" and live:
            name = live.pop(rng.randrange(len(live)))
            store.remove(name)
            trashed.append(name)
        elif op == "restore" and trashed:
            name = trashed.pop(rng.randrange(len(trashed)))
            entry = next(e for e in store.trash_entries() if e.document_id == name)
            store.restore(entry.id)
            live.append(name)
        else:
            name = f"d{i}.txt"
            store.add(name, f"Document {i} says zqd{i}x once." * (1 + i % 50) + "\\n", {"title": f"Doc {i}"})
            live.append(name)
        print(i, flush=True)
    """
)


def _model(seed: int, steps: int) -> tuple[set[str], set[str]]:
    """The child's (live, trashed) names after ``steps`` operations, replayed without touching disk."""
    rng = random.Random(seed)
    live: list[str] = []
    trashed: list[str] = []
    for i in range(steps):
        op = rng.choice(["add", "add", "remove", "restore"])
        if op == "remove" and live:
            trashed.append(live.pop(rng.randrange(len(live))))
        elif op == "restore" and trashed:
            live.append(trashed.pop(rng.randrange(len(trashed))))
        else:
            live.append(f"d{i}.txt")
    return set(live), set(trashed)


@pytest.mark.parametrize("seed", range(6))
def test_a_process_killed_mid_operation_loses_nothing(tmp_path: Path, seed: int) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), str(seed)], stdout=subprocess.PIPE, env=env, text=True
    )
    rng = random.Random(seed)
    wanted = rng.randint(5, 40)
    assert child.stdout is not None
    acknowledged = 0
    for line in child.stdout:
        acknowledged = int(line) + 1
        if acknowledged >= wanted:
            break
    time.sleep(rng.random() * 0.004)  # somewhere inside the next operation
    child.send_signal(signal.SIGKILL)
    child.wait()
    # Lines the child printed before it died were acknowledged too.
    acknowledged += sum(1 for _ in child.stdout)
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    remove_stale_temporaries(root)
    store = CorpusStore(root)
    live = {p.name for p in corpus_files(root)}
    entries = store.trash_entries()
    trashed = {e.document_id for e in entries}
    for entry in entries:
        assert (root / ".trash" / entry.id / entry.document_id).is_file(), f"trash entry {entry.id} is empty"
    done, next_done = _model(seed, acknowledged), _model(seed, acknowledged + 1)
    assert (live, trashed) in (done, next_done), f"after {acknowledged} acknowledged operations"
    assert not list(root.rglob(".tmp-*")), list(root.rglob(".tmp-*"))
    engine = Engine.from_folder(root, semantic=False)
    assert {d.id for d in engine.documents} == live and not engine.problems, engine.problems
    for document in engine.documents:
        assert document.text == decode_text(Path(document.path).read_bytes())
        assert document.meta.title.startswith("Doc ")  # its metadata came with it
    for name in sorted(live)[:5]:
        answer = engine.ask(f"zq{name.removesuffix('.txt')}x")
        assert answer.answered and answer.sentences[0].citation.document == name
