"""Ingestion of uploaded files: every fixture is hostile until proven otherwise."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.uploads import ingest
from bot.engine.uploads.ingest import (
    Extracted,
    IngestError,
    IngestLimits,
    check_declared_size,
    clean_text,
    decode_text_bytes,
    extract,
    extract_html,
    extract_sync,
    reflow_pdf_page,
    sniff_format,
    stored_name,
)
from tests.fixtures.hostile.make import BUILDERS, EXPECTED, MB, build_fixtures

ROOT = Path(__file__).resolve().parents[3]
T = TypeVar("T")


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_fixtures(tmp_path_factory.mktemp("hostile"))


def _check(name: str, outcome: Extracted | IngestError) -> None:
    exp = EXPECTED[name]
    if exp.outcome == "error":
        assert isinstance(outcome, IngestError), f"{name}: expected an error, got {outcome!r}"
        assert exp.reason in outcome.reason, f"{name}: {outcome.reason!r}"
        return
    assert isinstance(outcome, Extracted), f"{name}: {outcome}"
    assert outcome.format == exp.fmt
    for needle in exp.contains:
        assert needle in outcome.text, f"{name}: {needle!r} missing from {outcome.text[:500]!r}"
    for needle in exp.absent:
        assert needle not in outcome.text, f"{name}: {needle!r} present"
    if exp.title is not None:
        assert outcome.title == exp.title
    if exp.warning:
        assert any(exp.warning in w for w in outcome.warnings), outcome.warnings
    # Every extracted text is clean: no control characters but newline and tab, no CR.
    assert not any(ord(c) < 32 and c not in "\n\t" for c in outcome.text)
    assert outcome.text == outcome.text.strip()
    assert "\n\n\n" not in outcome.text
    assert len(outcome.text) <= IngestLimits(**exp.limits).max_text_chars


def test_every_fixture_has_an_expectation() -> None:
    assert set(BUILDERS) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_hostile_fixture(name: str, fixtures: dict[str, Path]) -> None:
    exp = EXPECTED[name]
    data = fixtures[name].read_bytes()
    start = time.perf_counter()
    try:
        outcome: Extracted | IngestError = await extract(data, name, IngestLimits(**exp.limits))
    except IngestError as exc:
        outcome = exc
    elapsed = time.perf_counter() - start
    _check(name, outcome)
    assert elapsed < exp.max_seconds, f"{name} took {elapsed:.1f} s"


@pytest.mark.parametrize("name", ["valid.pdf", "encrypted.pdf", "hostile.html", "front_matter.md", "latin1.txt"])
def test_extract_sync_matches(name: str, fixtures: dict[str, Path]) -> None:
    try:
        outcome: Extracted | IngestError = extract_sync(fixtures[name].read_bytes(), name)
    except IngestError as exc:
        outcome = exc
    _check(name, outcome)


# --------------------------------------------------------------------------- sizes


def test_declared_size_is_checked_before_download() -> None:
    with pytest.raises(IngestError) as err:
        check_declared_size(int(14.2 * MB), IngestLimits())
    assert err.value.reason == "file is 14.2 MB; the limit is 10 MB"
    check_declared_size(10 * MB, IngestLimits())  # exactly the limit is fine
    with pytest.raises(IngestError, match="empty"):
        check_declared_size(0, IngestLimits())
    with pytest.raises(IngestError) as err:
        check_declared_size(10 * MB + 1, IngestLimits())
    assert err.value.reason == "file is 10,485,761 bytes; the limit is 10,485,760 bytes"
    with pytest.raises(IngestError, match="file is 2 KB; the limit is 1000 bytes"):
        check_declared_size(2048, IngestLimits(max_bytes=1000))


async def test_oversized_bytes_are_refused_before_any_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_child(*_args: object) -> None:
        raise AssertionError("no child process for an oversized file")

    monkeypatch.setattr(ingest, "_run_child", no_child)
    monkeypatch.setattr(ingest, "_run_child_sync", no_child)
    data = b"%PDF-1.7\n" + b"x" * 2000 + b"\n%%EOF\n"
    with pytest.raises(IngestError, match="the limit is 1000 bytes"):
        await extract(data, "big.pdf", IngestLimits(max_bytes=1000))
    with pytest.raises(IngestError, match="the limit is 1000 bytes"):
        extract_sync(data, "big.pdf", IngestLimits(max_bytes=1000))


# --------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    ("data", "filename", "fmt"),
    [
        (b"%PDF-1.4\n...", "notes.txt", "pdf"),
        (b"%PDF-1.4\n...", None, "pdf"),
        (b"\n\n%PDF-1.7\n...", "x", "pdf"),
        (b"<!DOCTYPE html><html><body>x</body></html>", "report.pdf", "html"),
        (b"<!-- saved page --><html><p>x</p></html>", "report.md", "html"),
        (b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"></html>', None, "html"),
        (b"\xef\xbb\xbf  <HTML><BODY>x", None, "html"),
        ("\ufeff<html><body>x".encode("utf-16-le"), "a.txt", "html"),
        (b"<p>A fragment</p>", "fragment.txt", "html"),
        (b'<div align="center">logo</div>\n\n# Readme', "README.md", "md"),
        (b"# Title\n\nBody", "notes.md", "md"),
        (b"# Title\n\nBody", "notes.MARKDOWN", "md"),
        (b"# Title\n\nBody", "notes.txt", "txt"),
        (b"# Title\n\nBody", None, "txt"),
        (b"---\ntitle: T\n---\nBody", None, "md"),
        (b"---\ntitle: T\n---\nBody", "notes.txt", "txt"),
        (b"Just words that were saved as a PDF name.", "fake.pdf", "txt"),
        (b"A line mentioning %PDF- in passing", None, "txt"),
        ("Caf\u00e9 in Latin-1 is still text".encode("latin-1"), "a.txt", "txt"),  # decoding says why it fails
    ],
)
def test_sniff_format_content_beats_name(data: bytes, filename: str | None, fmt: str) -> None:
    assert sniff_format(data, filename) == fmt


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (b"", "a.txt", "the file is empty"),
        (b"PK\x03\x04rest-of-zip", "report.pdf", "not a PDF: the file is a ZIP archive"),
        (b"PK\x03\x04rest-of-zip", "report.docx", "unsupported file: the file is a ZIP archive"),
        (b"\x89PNG\r\n\x1a\n....", "img.txt", "PNG image"),
        (b"\xff\xd8\xff\xe0JFIF", "img.md", "JPEG image"),
        (b"GIF89a....", None, "GIF image"),
        (b"\x7fELF\x02\x01\x01\x00", "run.txt", "executable (ELF)"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "setup.txt", "Windows executable"),
        (b"\x1f\x8b\x08\x00", "a.txt", "gzip archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "old.doc", "old Microsoft Office file"),
        (b"{\\rtf1\\ansi Hello}", "letter.txt", "RTF document"),
        (b'<?xml version="1.0"?><svg></svg>', "a.txt", "XML, not HTML"),
        (b"\xff\xfe\x00\x00h\x00\x00\x00", "a.txt", "UTF-32"),
        (b"abc\x00def", "a.txt", "NUL bytes"),
        (bytes(range(1, 32)) * 40, "a.txt", "binary data"),
    ],
)
def test_sniff_format_rejects_binary(data: bytes, filename: str | None, reason: str) -> None:
    with pytest.raises(IngestError) as err:
        sniff_format(data, filename)
    assert reason in err.value.reason


# --------------------------------------------------------------------------- decoding and cleaning


def test_decode_text_bytes() -> None:
    assert decode_text_bytes(b"\xef\xbb\xbfa\r\nb\rc\n") == "a\nb\nc\n"
    assert decode_text_bytes("e\u0301t\u00e9".encode()) == "\u00e9t\u00e9"  # NFC
    assert decode_text_bytes("\ufeffZ\u00fcrich\r\n".encode("utf-16-be")) == "Z\u00fcrich\n"
    with pytest.raises(IngestError, match="save it as UTF-8") as err:
        decode_text_bytes("na\u00efve".encode("latin-1"))
    assert err.value.reason.startswith("not UTF-8 text")
    with pytest.raises(IngestError, match="broken UTF-16"):
        decode_text_bytes(b"\xff\xfeh\x00i")


def test_clean_text_strips_controls_and_invisible_characters() -> None:
    raw = "a\x00b\x1b[1mc\x1b[0m\u202ed\u2066e\ufeff\u00adf\U000e0041g\x85h\u2028i\fj\t k  \n\n\n\n l"
    assert clean_text(raw) == "abcdefg\nh\ni\n\nj\t k\n\n l"  # indentation is kept


def test_clean_text_is_linear_on_long_runs_of_spaces() -> None:
    start = time.perf_counter()
    assert clean_text(" " * 2_000_000 + "x") == "x"
    assert clean_text("x" + " " * 2_000_000 + "y\n") == "x" + " " * 2_000_000 + "y"
    assert time.perf_counter() - start < 2


# --------------------------------------------------------------------------- HTML

PAGE = """<html><head><title>Page Title</title></head><body>
<header><h1>Site name</h1></header>
<nav>Menu Home About</nav>
<main>
  <p>Main intro.</p>
  <article>
    <header><h1>Article headline</h1><p>By A. Writer</p></header>
    <p>First   paragraph
       of the article.</p>
    <h2>Section</h2>
    <p>Line one<br>line two</p>
    <ol><li>one</li><li>two <b>bold</b></li></ol>
    <footer>Share this</footer>
  </article>
</main>
<aside>Related links</aside>
<footer>Copyright</footer>
</body></html>"""


def test_html_prefers_the_article_and_keeps_its_structure() -> None:
    text, title = extract_html(PAGE)
    assert text == (
        "Article headline\n\nBy A. Writer\n\nFirst paragraph of the article.\n\nSection\n\n"
        "Line one\nline two\n\none\ntwo bold"
    )
    assert title == "Page Title"
    for chrome in ("Site name", "Menu", "Related", "Copyright", "Share this", "Main intro"):
        assert chrome not in text


def test_html_without_article_uses_main_then_body() -> None:
    text, _ = extract_html("<body><nav>N</nav><main><p>In main.</p></main><p>Outside.</p></body>")
    assert text == "In main."
    text, title = extract_html("<body><nav>N</nav><h1>Heading</h1><p>Body text.</p><script>x</script></body>")
    assert text == "Heading\n\nBody text."
    assert title == "Heading"


def test_html_several_articles_are_all_kept() -> None:
    text, _ = extract_html("<body><article><p>One.</p></article><p>Between.</p><article><p>Two.</p></article>")
    assert text == "One.\n\nTwo."


def test_html_empty_article_falls_back_to_the_page() -> None:
    text, _ = extract_html('<body><article><img src="x.png"></article><p>The real text.</p></body>')
    assert text == "The real text."


def test_html_title_ignores_svg_titles() -> None:
    html = "<body><svg><title>icon</title></svg><title>Real</title><title>Second</title><p>x</p></body>"
    assert extract_html(html) == ("x", "Real")


def test_html_title_prefers_og_title() -> None:
    html = '<head><title>T</title><meta name="og:title" content=" OG  &amp; co "></head><h1>H</h1>'
    assert extract_html(html)[1] == "OG & co"
    assert extract_html("<p>no title at all</p>")[1] is None


def test_html_unescapes_entities_including_mention_tricks() -> None:
    text, _ = extract_html("<p>&#64;everyone &commat;here &lt;b&gt; &amp;amp; &#x1F600; &nbsp;x</p>")
    assert text == "@everyone @here <b> &amp; \U0001f600 x"


# --------------------------------------------------------------------------- PDF re-flow


def test_reflow_joins_wrapped_lines_and_dehyphenates_only_lowercase() -> None:
    page = "The local gov-\nernment said COVID-\n19 cases and Anglo-\nSaxon law\nand https://example.org/\npath apply."
    assert reflow_pdf_page(page) == (
        "The local government said COVID-19 cases and Anglo-Saxon law and https://example.org/path apply."
    )


def test_reflow_splits_paragraphs_lists_and_drops_page_numbers() -> None:
    page = "\n".join(
        [
            "3",
            "Funding rules",
            "The department will allocate funding to every council in the region",
            "according to the new formula described below.",
            "• first bullet point",
            "• second bullet point that is",
            "wrapped onto a second line",
            "",
            "A new paragraph after a vertical gap with the \ufb01nal word.",
            "Page 3 of 10",
        ]
    )
    assert reflow_pdf_page(page).split("\n\n") == [
        "Funding rules",
        "The department will allocate funding to every council in the region according to the new formula "
        "described below.",
        "• first bullet point",
        "• second bullet point that is wrapped onto a second line",
        "A new paragraph after a vertical gap with the final word.",
    ]


# --------------------------------------------------------------------------- the child process


def _fake_child(tmp_path: Path, body: str) -> Callable[..., list[str]]:
    """A stand-in for the extraction child: a script that may sleep, crash or flood."""
    script = tmp_path / "child.py"
    # The script runs from a temporary folder: let it import this checkout's `bot` package.
    script.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n" + textwrap.dedent(body))
    pidfile = tmp_path / "pids"

    def argv(_kind: str, _limits: IngestLimits) -> list[str]:
        return [sys.executable, str(script), str(pidfile)]

    return argv


HANGING_CHILD = """
    import os, subprocess, sys, time
    grandchild = subprocess.Popen(["sleep", "60"])
    with open(sys.argv[1], "w") as f:
        f.write(f"{os.getpid()} {grandchild.pid}")
    time.sleep(60)
"""

SLOW_CHILD = """
    import json, os, sys, time
    with open(sys.argv[1], "w") as f:
        f.write(str(os.getpid()))
    time.sleep(1.0)
    print(json.dumps({"ok": True, "pages": ["Slow but fine."], "page_count": 1, "title": None, "warnings": []}))
"""


def _proc_state(pid: int) -> str | None:
    """The process's state letter (R, S, Z...), or None when it no longer exists."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def _assert_gone(child: int, grandchild: int | None = None) -> None:
    assert _proc_state(child) is None, "the killed child was not reaped (zombie)"
    if grandchild is not None:
        deadline = time.monotonic() + 3
        while _proc_state(grandchild) not in (None, "Z") and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _proc_state(grandchild) in (None, "Z"), "the child's own child survived"


async def test_hung_child_is_killed_and_reaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "_child_argv", _fake_child(tmp_path, HANGING_CHILD))
    start = time.perf_counter()
    with pytest.raises(IngestError, match=r"the PDF took too long to read \(over 1.5 s\)"):
        await extract(BUILDERS["valid.pdf"](), "a.pdf", IngestLimits(pdf_timeout_s=1.5))
    assert time.perf_counter() - start < 5
    child, grandchild = map(int, (tmp_path / "pids").read_text().split())
    _assert_gone(child, grandchild)


def test_hung_child_is_killed_and_reaped_sync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "_child_argv", _fake_child(tmp_path, HANGING_CHILD))
    with pytest.raises(IngestError, match="took too long"):
        extract_sync(b"<html><body>x</body></html>", "a.html", IngestLimits(pdf_timeout_s=1.5))
    child, grandchild = map(int, (tmp_path / "pids").read_text().split())
    _assert_gone(child, grandchild)


async def test_cancelling_extract_kills_the_child(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "_child_argv", _fake_child(tmp_path, HANGING_CHILD))
    task = asyncio.create_task(extract(BUILDERS["valid.pdf"](), "a.pdf"))
    pids = tmp_path / "pids"
    deadline = time.monotonic() + 10
    while not (pids.exists() and pids.read_text()) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    child, grandchild = map(int, pids.read_text().split())
    _assert_gone(child, grandchild)


async def _ticks_during(coro: Awaitable[T]) -> tuple[int, T]:
    """Await ``coro`` while a ticker counts 10 ms sleeps: a blocked loop would not tick."""
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        result = await coro
    finally:
        task.cancel()
    return ticks, result


async def test_extract_does_not_block_the_event_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "_child_argv", _fake_child(tmp_path, SLOW_CHILD))
    start = time.perf_counter()
    ticks, result = await _ticks_during(extract(BUILDERS["valid.pdf"](), "a.pdf"))
    elapsed = time.perf_counter() - start
    assert isinstance(result, Extracted) and result.text == "Slow but fine."
    assert elapsed >= 1.0
    assert ticks >= 40, f"only {ticks} ticks in {elapsed:.2f} s: the loop was blocked"
    assert _proc_state(int((tmp_path / "pids").read_text())) is None


async def test_real_bomb_does_not_block_the_event_loop(fixtures: dict[str, Path]) -> None:
    start = time.perf_counter()
    ticks, result = await _ticks_during(_outcome(extract(fixtures["bomb.pdf"].read_bytes(), "bomb.pdf")))
    elapsed = time.perf_counter() - start
    assert isinstance(result, IngestError)
    assert ticks >= min(10, int(elapsed / 0.01) // 3), f"only {ticks} ticks in {elapsed:.2f} s"


async def _outcome(coro: Awaitable[Extracted]) -> Extracted | IngestError:
    try:
        return await coro
    except IngestError as exc:
        return exc


async def test_memory_limit_stops_a_bomb_before_pypdf_limits_do(fixtures: dict[str, Path]) -> None:
    limits = IngestLimits(pdf_memory_mb=100)
    with pytest.raises(IngestError, match="too much memory"):
        await extract(fixtures["bomb.pdf"].read_bytes(), "bomb.pdf", limits)
    # The same limit reads an ordinary PDF fine.
    assert (await extract(fixtures["valid.pdf"].read_bytes(), "v.pdf", limits)).title == "Housing Policy Brief"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n", "reader crashed"),
        ("import sys\nsys.stdout.write('not json')\nsys.exit(1)\n", "reader failed"),
        ("import json\nprint(json.dumps({'ok': False, 'reason': 'encrypted PDF'}))\n", "encrypted PDF"),
        ("import json\nprint(json.dumps({'ok': True, 'pages': ['', ' ']}))\n", "no extractable text (scanned?)"),
        (
            "from bot.engine.uploads.pdf_extract import set_limits\nset_limits(256, 1)\nwhile True:\n    pass\n",
            "too much CPU time",
        ),
    ],
)
async def test_child_failures_become_reasons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, reason: str
) -> None:
    argv = _fake_child(tmp_path, body)
    monkeypatch.setattr(ingest, "_child_argv", argv)
    limits = IngestLimits(max_text_chars=100_000, pdf_timeout_s=10)
    with pytest.raises(IngestError) as err:
        await extract(BUILDERS["valid.pdf"](), "a.pdf", limits)
    assert reason in err.value.reason


FLOODING_CHILD = """
    import os, sys, time
    with open(sys.argv[1], "w") as f:
        f.write(str(os.getpid()))
    sys.stdout.write("x" * (3 * 1024 * 1024))
    sys.stdout.flush()
    time.sleep(60)
"""


async def test_flooding_child_is_stopped_without_hanging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Regression: asyncio's wait() also waits for the pipes, and a stdout reader that gave up
    # leaves its pipe paused and full, so a bare kill-then-wait hung forever here.
    monkeypatch.setattr(ingest, "_child_argv", _fake_child(tmp_path, FLOODING_CHILD))
    async with asyncio.timeout(15):
        with pytest.raises(IngestError, match="too much output"):
            await extract(BUILDERS["valid.pdf"](), "a.pdf", IngestLimits(max_text_chars=100_000))
    _assert_gone(int((tmp_path / "pids").read_text()))


ENV_CHILD = """
    import json, os, sys
    with open(sys.argv[1], "w") as f:
        json.dump(dict(os.environ), f)
    print(json.dumps({"ok": True, "text": "fine", "title": None, "warnings": []}))
"""


async def test_child_does_not_inherit_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "secret-token")
    monkeypatch.setattr(ingest, "_child_argv", _fake_child(tmp_path, ENV_CHILD))
    assert (await extract(b"<p>x</p>", "a.html")).text == "fine"
    env = json.loads((tmp_path / "pids").read_text())
    assert "DISCORD_TOKEN" not in env and "secret-token" not in json.dumps(env)


def test_child_sets_its_resource_limits() -> None:
    code = (
        "import resource; from bot.engine.uploads.pdf_extract import set_limits; set_limits(300, 7); "
        "print([resource.getrlimit(r) for r in (resource.RLIMIT_AS, resource.RLIMIT_CPU, "
        "resource.RLIMIT_CORE, resource.RLIMIT_FSIZE)])"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == str([(300 * MB, 300 * MB), (7, 8), (0, 0), (0, 0)])


def test_engine_modules_never_import_discord() -> None:
    code = "import sys, bot.engine.uploads.ingest, bot.engine.uploads.pdf_extract; print('discord' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


# --------------------------------------------------------------------------- stored names

_SAFE_NAME = r"[a-z0-9][a-z0-9-]{0,59}-[0-9a-f]{8}\.(txt|md)"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("..\\..\\Windows\\System32", "windows-system32"),
        ("CON", "con"),
        ("NUL.txt", "nul-txt"),
        (".hidden", "hidden"),
        ("..", "document"),
        ("😀🔥", "document"),
        ("", "document"),
        (None, "document"),
        ("Ünïcödé Tïtle: Ça va?", "unicode-title-ca-va"),
        ("a" * 59 + " b" * 10, "a" * 59),
        ("Housing Policy Brief", "housing-policy-brief"),
    ],
)
def test_stored_name_is_safe(title: str | None, slug: str) -> None:
    data = b"some bytes"
    name = stored_name(title, data, "txt")
    assert name == f"{slug}-{hashlib.sha256(data).hexdigest()[:8]}.txt"
    _assert_safe(name)


def _assert_safe(name: str) -> None:
    assert re.fullmatch(_SAFE_NAME, name), name
    assert "/" not in name and "\\" not in name and ".." not in name and not name.startswith(".")


def test_stored_name_extension_and_hash() -> None:
    assert stored_name("T", b"x", "md").endswith(".md")
    for fmt in ("txt", "html", "pdf"):
        assert stored_name("T", b"x", fmt).endswith(".txt")  # type: ignore[arg-type]
    assert stored_name("T", b"x", "txt") != stored_name("T", b"y", "txt")


@settings(max_examples=150, deadline=None)
@given(title=st.one_of(st.none(), st.text()), data=st.binary(max_size=64))
def test_stored_name_is_safe_for_any_title(title: str | None, data: bytes) -> None:
    _assert_safe(stored_name(title, data, "md"))
