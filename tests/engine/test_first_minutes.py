"""A new user's first documents: one decoding rule for the corpus folder and uploads, and a title
without "#" on the first line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.corpus.documents import DocumentError, decode_text, load_folder
from bot.engine.engine import Engine
from bot.engine.text.passages import TITLE_MAX_WORDS, split_passages, title_line
from bot.engine.uploads.ingest import IngestError, decode_text_bytes, extract_sync

TEXT = "Zürich adopted the congestion charge in 2024.\nCafé owners said trade fell by 5%.\n"

# --- one decoding rule for the corpus folder and for uploads


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_bom_reads_the_same_in_the_folder_and_as_an_upload(codec: str, tmp_path: Path) -> None:
    data = ("\ufeff" + TEXT.replace("\n", "\r\n")).encode(codec)
    (tmp_path / "charge.txt").write_bytes(data)
    documents, problems = load_folder(tmp_path)
    assert problems == [] and [d.id for d in documents] == ["charge.txt"]  # was: "binary file (contains NUL bytes)"
    assert documents[0].text == decode_text(data) == decode_text_bytes(data) == TEXT
    assert extract_sync(data, "charge.txt").text == TEXT.strip()
    answer = Engine.from_folder(tmp_path, semantic=False).ask("by how much did trade fall for café owners?", 1)
    cited = [*answer.sentences, *answer.closest]
    assert cited and cited[0].citation.document == "charge.txt" and "Café owners" in cited[0].text


@pytest.mark.parametrize(
    ("data", "phrase"),
    [
        ("No byte order mark here.".encode("utf-16-le"), "UTF-16 text needs a byte-order mark (save it as UTF-8)"),
        ("café".encode("latin-1"), "not UTF-8 text (byte 0xE9 at position 3 is invalid"),
        ("café".encode("utf-32"), "UTF-32 text is not supported; save it as UTF-8"),  # encode() writes the BOM
        (b"\xff\xfe" + "broken".encode("utf-16-le")[:-1], "broken UTF-16 text"),
    ],
)
def test_what_is_refused_is_refused_by_both_with_the_same_words(data: bytes, phrase: str) -> None:
    with pytest.raises(DocumentError) as folder:
        decode_text(data)
    with pytest.raises(IngestError) as upload:
        extract_sync(data, "notes.txt")
    assert phrase in str(folder.value) and phrase in upload.value.reason


def test_nul_bytes_without_a_bom_stay_binary() -> None:
    with pytest.raises(DocumentError, match="binary file"):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


# --- a title without "#" on the first line

FARES = (
    "Bus Fare Cap Extension\n\n"
    "The £2 cap on single bus fares will be kept until the end of 2025, the Department for Transport said.\n\n"
    "The extension will cost £150 million, on top of the £300 million already spent since the scheme began.\n"
)


def _sentences(folder: Path) -> dict[str, list[str]]:
    documents, _ = load_folder(folder)
    return {
        d.id: [p.text[s:e] for p in split_passages(d) for s, e in p.sentences]
        for d in documents  # the quotable sentences of each document
    }


def test_a_plain_first_line_is_the_title_and_never_quoted(tmp_path: Path) -> None:
    (tmp_path / "fares.txt").write_text(FARES, encoding="utf-8")
    (document,), _ = load_folder(tmp_path)
    assert document.meta.title == "Bus Fare Cap Extension"  # was "Fares", from the file name
    assert "Bus Fare Cap Extension" not in _sentences(tmp_path)["fares.txt"]
    first = split_passages(document)[0]
    # Still searched, as part of the paragraph it introduces, and still ¶1 as a reader counts.
    assert first.text.startswith("Bus Fare Cap Extension\n\nThe £2 cap") and first.paragraph == 1
    assert first.sentence_paragraphs[0] == 2
    answer = Engine.from_folder(tmp_path, semantic=False).ask("what is the bus fare cap extension?", 3)
    assert answer.answered
    assert all(s.text != "Bus Fare Cap Extension" for s in (*answer.sentences, *answer.more))
    assert answer.sentences[0].citation.title == "Bus Fare Cap Extension"


def test_a_long_first_paragraph_keeps_its_title_in_the_searched_text(tmp_path: Path) -> None:
    long_paragraph = " ".join(f"Sentence {n} of the opening paragraph is about bus fares." for n in range(40))
    (tmp_path / "long.txt").write_text(f"Bus Fare Cap Extension\n\n{long_paragraph}\n", encoding="utf-8")
    (document,), _ = load_folder(tmp_path)
    passages = split_passages(document)
    assert len(passages) > 1 and passages[0].start == 0 and passages[0].text.startswith("Bus Fare Cap Extension")
    assert passages[0].text[slice(*passages[0].sentences[0])].startswith("Sentence 0")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        # Front matter names the document: its first body line is left alone.
        ("---\ntitle: Fares\n---\nBus Fare Cap Extension\n\nThe cap stays at £2 until 2025, as said.\n", "Fares"),
        # A first line that is a sentence is quoted like any other.
        ("The cap stays.\n\nThe cap on bus fares stays at £2 until 2025, ministers said.\n", "Notes"),
        # Too long for a title.
        (" ".join(["word"] * (TITLE_MAX_WORDS + 1)) + "\n\nThe cap stays at £2 until 2025, ministers said.\n", "Notes"),
        # No blank line after it: scraped text, one paragraph per line.
        ("Bus Fare Cap Extension\nThe cap stays at £2 until 2025, ministers said.\n", "Notes"),
        # A lead-in, not a title.
        ("Key points:\n\nThe cap stays at £2 until 2025, ministers said.\n", "Notes"),
    ],
)
def test_other_first_lines_are_unchanged(text: str, title: str, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text(text, encoding="utf-8")
    (document,), _ = load_folder(tmp_path)
    assert title_line(document.text, document.body_start) is None
    assert document.meta.title == title
    first_line = text.split("---\n")[-1].split("\n")[0]
    assert first_line in _sentences(tmp_path)["notes.txt"]


def test_a_markdown_heading_still_names_the_document(tmp_path: Path) -> None:
    (tmp_path / "fares.md").write_text("# Bus Fare Cap Extension\n\n" + FARES.split("\n\n", 1)[1], encoding="utf-8")
    (document,), _ = load_folder(tmp_path)
    assert document.meta.title == "Bus Fare Cap Extension" and title_line(document.text) is None
