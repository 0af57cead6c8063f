"""One way to read a document: the corpus folder and uploads decode the same bytes, parse the same
front matter and give the same title; a skipped file's warning is a typed field; the sidecar is one
model for the loader and the store."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest

from bot.adapter.render import Piece
from bot.adapter.render_corpus import problem_pieces
from bot.engine.corpus.documents import DocumentError, decode_text, load_folder
from bot.engine.corpus.reading import parse_front_matter
from bot.engine.corpus.sidecar import Sidecar
from bot.engine.corpus.store import CorpusStore, StoreError
from bot.engine.models import SkippedFile
from bot.engine.uploads.ingest import IngestError, extract_sync, sniff_format
from bot.terminal import format_problem

# --------------------------------------------------------------------------- one decoder


def _folder_reason(tmp_path: Path, data: bytes) -> str:
    (tmp_path / "notes.txt").write_bytes(data)
    documents, problems = load_folder(tmp_path)
    assert documents == [] and [p.path for p in problems] == ["notes.txt"]
    return problems[0].reason


def _upload_reason(data: bytes) -> str:
    with pytest.raises(IngestError) as err:
        extract_sync(data, "notes.txt")
    return err.value.reason


@pytest.mark.parametrize(
    ("data", "phrase"),
    [
        # Was "binary file (contains NUL bytes), not text…" here and "unsupported file: the file is binary
        # data (it contains NUL bytes and starts with …)…" for an upload.
        ("No byte order mark.".encode("utf-16-le"), "UTF-16 text needs a byte-order mark (save it as UTF-8)"),
        (b"\x00\x00\x00\x18data", "binary file (it contains NUL bytes and starts with '\\x00\\x00"),
        # A NUL past the first 8 KB: the folder served the text, NUL and all; uploads refused it.
        (b"Policy text. " * 700 + b"\x00 and more.", "binary file (it contains NUL bytes"),
        # UTF-16 with a BOM and a NUL character: the folder refused it; uploads quietly dropped the NUL.
        ("\ufeffPolicy\x00 text.".encode("utf-16-le"), "binary file (its UTF-16 text contains NUL characters)"),
        ("café".encode("latin-1"), "not UTF-8 text (byte 0xE9 at position 3 is invalid"),
        ("café".encode("utf-32"), "UTF-32 text is not supported; save it as UTF-8"),
        (b"\xff\xfe" + "broken".encode("utf-16-le")[:-1], "broken UTF-16 text"),
    ],
)
def test_refused_bytes_get_the_same_words_in_the_folder_and_as_an_upload(
    data: bytes, phrase: str, tmp_path: Path
) -> None:
    folder = _folder_reason(tmp_path, data)
    assert folder == _upload_reason(data) and phrase in folder


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "utf-16"])  # "utf-16" writes a BOM
def test_accepted_encodings_read_the_same_in_both(codec: str, tmp_path: Path) -> None:
    text = "Zürich's congestion charge\n\nCafé owners said trade fell by 5%.\n"
    (tmp_path / "charge.txt").write_bytes(text.replace("\n", "\r\n").encode(codec))
    (document,), problems = load_folder(tmp_path)
    upload = extract_sync((tmp_path / "charge.txt").read_bytes(), "charge.txt")
    assert problems == [] and document.text == text and upload.text == text.strip()


def test_a_byte_order_mark_alone_is_an_empty_file() -> None:
    for data in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff\x00 \x00\n"):
        with pytest.raises(DocumentError, match=r"^empty file$"):  # was "no text after the front matter"
            decode_text(data)


def test_a_pdf_still_gets_past_the_nul_check() -> None:
    assert sniff_format(b"%PDF-1.7\n\x00\x01binary stream", "a.pdf") == "pdf"


# --------------------------------------------------------------------------- one front matter, one title

BODY = "The bus fare cap stays at two pounds until December 2025, ministers said.\n"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("---\ntitle: 'Fares: the cap'\nsource: DfT\n---\n" + BODY, "Fares: the cap"),
        # A nested "title:" is not the document's (the folder took the last "title:" of any depth).
        ("---\ntitle: Fares\nseo:\n  title: Cheap bus fares!\n---\n" + BODY, "Fares"),
        # A YAML block scalar: its text is on the next lines (the folder's title was "|").
        ("---\ntitle: |\n  Fares\n---\n# Bus fare cap\n\n" + BODY, "Bus fare cap"),
        # Blanks after the opening dashes, as Jekyll allows (the folder read the block as text).
        ("--- \ntitle: Fares\n---\n" + BODY, "Fares"),
        # Not closed: the dashes are a rule and the lines text (an upload took the title from them).
        ("---\ntitle: Fares\n" + BODY, None),
        # A closing "#" sequence is not part of the title, a "#" in a word is.
        ("# Bus fare cap ##\n\n" + BODY, "Bus fare cap"),
        ("# Fares in C#\n\n" + BODY, "Fares in C#"),
        ("### Bus fare cap\n\n" + BODY, "Bus fare cap"),
        # A plain first line that is a title, and one that is a sentence (an upload's title was the sentence).
        ("Bus Fare Cap Extension\n\n" + BODY, "Bus Fare Cap Extension"),
        ("The cap stays.\n\n" + BODY, None),
        # A heading far down names nothing (an upload looked 500 lines down for one).
        ("\n".join(f"Line {n} of the notes, ending in a full stop." for n in range(30)) + "\n## Late\n", None),
    ],
)
@pytest.mark.parametrize("name", ["notes.md", "notes.txt"])
def test_the_folder_and_an_upload_give_the_same_title(text: str, title: str | None, name: str, tmp_path: Path) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    (document,), _ = load_folder(tmp_path)
    upload = extract_sync(text.encode(), name)
    assert upload.title == title
    assert document.meta.title == (title or "Notes")  # without a title of its own, the file name's


def test_a_hostile_heading_is_read_in_linear_time(tmp_path: Path) -> None:
    # "[ \t]+#+[ \t]*$" (closing hashes as a regex) backtracks quadratically on a long run of blanks.
    (tmp_path / "a.md").write_text("# Fares" + " " * 300_000 + "x\n\n" + BODY, encoding="utf-8")
    started = time.perf_counter()
    (document,), _ = load_folder(tmp_path)
    assert document.meta.title == "Fares x" and time.perf_counter() - started < 2


def test_an_unclosed_front_matter_is_read_as_text_by_both_and_an_uploader_is_told(tmp_path: Path) -> None:
    text = "---\ntitle: Fares\n" + BODY
    assert parse_front_matter(text) == ({}, 0)
    upload = extract_sync(text.encode(), "fares.md")
    assert upload.warnings == ("the front matter block (---) is not closed within 50 lines, so it was read as text",)
    (tmp_path / "fares.md").write_text(upload.text, encoding="utf-8")
    (document,), problems = load_folder(tmp_path)
    assert document.body_start == 0 and problems == []


def test_an_uploaded_text_stored_in_the_folder_reads_back_with_its_title(tmp_path: Path) -> None:
    data = '---\r\ntitle: "Water  quality"\r\ndate: 2024-05-01\r\n---\r\nRivers in the region improved.\r\n'
    upload = extract_sync(data.encode(), "water.md")
    (tmp_path / "water-1.md").write_text(upload.text, encoding="utf-8")
    (document,), _ = load_folder(tmp_path)
    assert upload.title == document.meta.title == "Water quality"
    assert document.text[document.body_start :] == "Rivers in the region improved."


# --------------------------------------------------------------------------- a typed warning

LINKS = "---\ntitle: Links\nurl: ftp://example.org\n---\nText.\n"
URL_WARNING = "url 'ftp://example.org' is not an http(s) address; ignored"


def test_a_warning_is_typed_and_its_reason_is_the_problem_alone(tmp_path: Path) -> None:
    (tmp_path / "links.md").write_text(LINKS, encoding="utf-8")
    (tmp_path / "broken.txt").write_bytes(b"\x00\x01binary")
    documents, problems = load_folder(tmp_path)
    assert [d.id for d in documents] == ["links.md"]
    assert [(p.path, p.severity) for p in problems] == [("broken.txt", "skipped"), ("links.md", "warning")]
    assert problems[1].reason == URL_WARNING  # was "warning: url …", the prefix parsed again by every reader


def test_the_words_shown_for_problems_are_unchanged() -> None:
    skipped = SkippedFile(path="broken.txt", reason="binary file (x), not text")
    warned = SkippedFile(path="links.md", reason=URL_WARNING, severity="warning")
    assert format_problem(skipped) == "warning: broken.txt: skipped: binary file (x), not text"
    assert format_problem(warned) == f"warning: links.md: {URL_WARNING}"
    assert problem_pieces([skipped, warned]) == [
        Piece("field", "• broken.txt — binary file (x), not text", "Files that could not be read (1) — not served"),
        Piece("field", f"• links.md — {URL_WARNING}", "Warnings (1)"),
    ]


# --------------------------------------------------------------------------- one sidecar model


def test_the_loader_and_the_store_refuse_a_bad_sidecar_with_the_same_words(tmp_path: Path) -> None:
    store = CorpusStore(tmp_path)
    store.add("fares.md", "# Fares\n\nThe cap stays at two pounds.\n", {"title": "Fares"})
    sidecar = tmp_path / "fares.md.meta.json"
    for data, phrase in [
        ('{"title": ["Fares"]}', "fares.md.meta.json: metadata field 'title' must be text; ignored"),
        ("[1, 2]", "fares.md.meta.json: metadata must be a JSON object; ignored"),
        ("{nope", "fares.md.meta.json: unreadable metadata (Expecting property name"),
        ('{"added_by": "alice"}', "fares.md.meta.json: metadata field 'added_by' must be a JSON object; ignored"),
    ]:
        sidecar.write_text(data, encoding="utf-8")
        (document,), problems = load_folder(tmp_path)
        assert document.meta.title == "Fares"  # from the heading: the sidecar is ignored whole
        (problem,) = problems
        assert problem.severity == "warning" and problem.reason.startswith(phrase)
        with pytest.raises(StoreError) as err:  # was {}: the store read what the loader refused
            store.read_meta("fares.md")
        assert str(err.value) == problem.reason


def test_a_sidecar_nested_too_deeply_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Some text.", encoding="utf-8")
    (tmp_path / "a.txt.meta.json").write_text("[" * 100_000, encoding="utf-8")  # was: RecursionError
    (document,), (problem,) = load_folder(tmp_path)
    assert document.meta.title == "A"
    assert problem.reason == "a.txt.meta.json: unreadable metadata (nested too deeply); ignored"


def test_a_trash_entry_with_a_bad_sidecar_is_listed_without_a_title(tmp_path: Path) -> None:
    store = CorpusStore(tmp_path)
    store.add("a.md", "Some text of a.", {"title": "A"})
    entry = store.remove("a.md")
    (tmp_path / ".trash" / entry.id / "a.md.meta.json").write_text("[1]", encoding="utf-8")
    (listed,) = store.trash_entries()  # was AttributeError: 'list' object has no attribute 'get'
    assert listed.id == entry.id and listed.title is None
    assert store.restore(entry.id) == "a.md"


def test_the_store_never_writes_a_sidecar_the_loader_would_ignore(tmp_path: Path) -> None:
    store = CorpusStore(tmp_path)
    with pytest.raises(StoreError, match=r"^a\.md\.meta\.json: metadata field 'title' must be text$"):
        store.add("a.md", "Some text.", {"title": ["A"]})
    assert list(tmp_path.iterdir()) == []  # was: written, then ignored by the loader with a warning


def test_a_valid_sidecar_reads_as_before(tmp_path: Path) -> None:
    meta: dict[str, object] = {
        "title": "Fares",
        "date": 2024,  # a number is read as its text, as it always was
        "added_by": {"id": "42", "name": "mod"},
        "upload_bytes": 12,
        "reviewed_by": "someone",  # a key of a moderator's own is kept
    }
    store = CorpusStore(tmp_path)
    store.add("fares.md", "The cap stays at two pounds.", meta)
    written = (tmp_path / "fares.md.meta.json").read_bytes()
    stored = {**meta, "sha256": hashlib.sha256(b"The cap stays at two pounds.").hexdigest()}
    assert written == json.dumps(stored, ensure_ascii=False, indent=2).encode()
    assert store.read_meta("fares.md") == stored
    sidecar = store.sidecar("fares.md")
    assert sidecar is not None and sidecar.added_by is not None and sidecar.added_by.name == "mod"
    (document,), problems = load_folder(tmp_path)
    assert problems == [] and document.meta.title == "Fares" and document.meta.date == "2024"
    # The corpus version hashes the file and the sidecar's object exactly as before the model.
    data = (tmp_path / "fares.md").read_bytes()
    assert document.sha256 == hashlib.sha256(data + json.dumps(stored, sort_keys=True).encode()).hexdigest()


def test_a_null_in_a_sidecar_still_overrides_the_front_matter(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: From the front matter\n---\nText.\n", encoding="utf-8")
    (tmp_path / "a.md.meta.json").write_text('{"title": null}', encoding="utf-8")
    (document,), _ = load_folder(tmp_path)
    assert document.meta.title == "A"
    assert Sidecar.from_object({"title": None}, "a.md.meta.json").citation_fields() == {"title": None}
