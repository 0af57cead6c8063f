from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.corpus.documents import parse_front_matter
from bot.engine.models import Document, DocumentMeta
from bot.engine.text.passages import MAX_PASSAGE_CHARS, split_passages
from tests.conftest import SEED_FILE


def make(text: str) -> Document:
    _, body_start = parse_front_matter(text)
    return Document(id="d.md", path="d.md", meta=DocumentMeta(title="T"), text=text, body_start=body_start, sha256="0")


def test_seed_has_one_paragraph_per_line() -> None:
    text = SEED_FILE.read_text(encoding="utf-8")
    document = make(text)
    passages = split_passages(document)
    lines = [line for line in text.split("\n") if line.strip()]
    # The byline is merged into the paragraph it introduces; every other line is a passage.
    assert len(passages) == len(lines) - 1
    byline = next(p for p in passages if p.text.startswith("By David Barrett"))
    assert (byline.paragraph, byline.paragraph_end) == (54, 55)
    assert passages[0].id == "d.md#p1" and passages[0].paragraph == 1
    for passage in passages:
        assert text[passage.start : passage.end] == passage.text


def test_markdown_blocks_headings_lists_and_soft_wraps() -> None:
    text = (
        "---\ntitle: T\n---\n# Heading\n\nBy Jane Doe\n\nA paragraph that is long enough to stand\n"
        "alone, soft-wrapped over two lines.\n\n- first item of a list that has several words\n"
        "- second item of a list that has several words\n\nClosing words of the piece, also long enough.\n"
    )
    passages = split_passages(make(text))
    assert [(p.paragraph, p.paragraph_end) for p in passages] == [(1, 3), (4, 4), (5, 5), (6, 6)]
    first = passages[0]
    assert first.text.startswith("# Heading") and first.text.endswith("two lines.")
    # Sentences never span paragraphs, and the heading marker is not quoted.
    assert [first.text[s:e] for s, e in first.sentences][:2] == ["Heading", "By Jane Doe"]
    assert first.sentence_paragraphs[:3] == (1, 2, 3)


def test_long_paragraph_is_cut_at_sentences() -> None:
    sentence = "This sentence is part of a very long paragraph about policy. "
    text = sentence * 60
    passages = split_passages(make(text))
    assert len(passages) > 1
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in passages)
    assert {p.paragraph for p in passages} == {1}
    assert len({p.id for p in passages}) == len(passages)
    for passage in passages:
        assert text[passage.start : passage.end] == passage.text


def test_ids_are_stable_across_rebuilds() -> None:
    text = SEED_FILE.read_text(encoding="utf-8")
    assert [p.id for p in split_passages(make(text))] == [p.id for p in split_passages(make(text))]


words = st.sampled_from(["alpha", "beta.", "Gamma", "delta?", "£1.6m", "Mr", "3.5", "'quoted.'", "#", "-"])
line = st.lists(words, min_size=0, max_size=30).map(" ".join)
document_text = st.lists(line, min_size=1, max_size=20).map(lambda lines: "\n".join(lines))


@settings(max_examples=150)
@given(document_text, st.sampled_from(["\n", "\n\n"]))
def test_offsets_always_point_at_the_passage_text(text: str, separator: str) -> None:
    text = text.replace("\n", separator)
    if not text.strip():
        return
    document = make(text)
    for passage in split_passages(document):
        assert document.text[passage.start : passage.end] == passage.text
        assert passage.paragraph <= passage.paragraph_end
        assert len(passage.sentences) == len(passage.sentence_paragraphs)
        for start, end in passage.sentences:
            assert 0 <= start < end <= len(passage.text)
