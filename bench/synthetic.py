"""Reproducible synthetic corpora of English-looking policy text, for scale benchmarks.

Word frequencies follow a Zipf–Mandelbrot law, ``p(rank) ∝ (rank + 2.7)^-1.15``, a usual
fit for English. The head of the vocabulary is real English: the words of the project's own
documents (``seeds/`` and ``tests/quality/corpus_b/``), most frequent first, so stopwords and
policy words come out at realistic rates. The long tail is made of English-looking syllables and
suffixes ("-ment", "-ation", "-ing"), so the vocabulary grows with the corpus as real text does
(Heaps' law) and the stemmer sees realistic, mostly uncached, inflected words.

Passages are ~60 words in sentences of 6–20 words, with figures ("£12,500", "38%", "2023",
"1.4 billion") at about the rate a news article uses them. Questions are 5–10 words drawn from the
same distribution after a question word.

Corpora are written in chunks of ``CHUNK`` passages, each seeded by ``(seed, chunk number)``:
the corpus of size N is the first N passages of one endless stream, whatever sizes were asked
for before, and a chunk is generated once and reused (its folder carries a manifest).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY_SOURCES = (ROOT / "seeds", ROOT / "tests" / "quality" / "corpus_b")
VOCABULARY_SIZE = 300_000
ZIPF_SHIFT = 2.7
ZIPF_EXPONENT = 1.15  # the vocabulary's first ~1,500 words then make ~80% of the text, as in English
CHUNK = 10_000
PASSAGE_WORDS = 60
FIGURE_RATE = 0.035  # share of word slots holding a figure
GENERATOR_VERSION = 1  # bump when the output changes, so cached chunks are regenerated

_ONSETS = "b c d f g h j l m n p r s t v w br cr dr fr gr pr tr bl cl fl pl sl st sp sc sh ch th wh qu".split()
_VOWELS = "a e i o u a e i o ea ou io ai".split()
_CODAS = ["", "", "", "n", "r", "l", "s", "t", "m", "nt", "st", "rd", "ng", "ct", "ss"]
_SUFFIXES = [
    "",
    "",
    "",
    "",
    *"s s ed ing ment ments ation ations ity al ally ly ive ness er ers ism ist ize ized".split(),
]
_QUESTION_STARTS = ("What", "How", "Why", "When", "Which", "Who", "How many", "How much", "What percentage")
_WORD = re.compile(r"[a-z]+")


def head_words() -> list[str]:
    """Words of the project's documents, most frequent first (ties alphabetical)."""
    counts: Counter[str] = Counter()
    for folder in VOCABULARY_SOURCES:
        for path in sorted(folder.glob("*")):
            if path.suffix in {".txt", ".md"}:
                counts.update(_WORD.findall(path.read_text(encoding="utf-8-sig").lower()))
    return [word for word, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def vocabulary(seed: int, size: int = VOCABULARY_SIZE) -> list[str]:
    """Real words first, then distinct English-looking inventions, up to ``size`` words."""
    words = head_words()
    seen = set(words)
    rng = np.random.default_rng([seed, 0xB0CAB])
    while len(words) < size:
        # A batch of candidates at a time: numpy draws, one Python pass to assemble and dedupe.
        batch = 2 * (size - len(words))
        syllables = rng.choice([1, 2, 3], size=batch, p=[0.35, 0.45, 0.2])
        parts = [rng.integers(len(pool), size=(batch, 3)) for pool in (_ONSETS, _VOWELS, _CODAS)]
        suffixes = rng.integers(len(_SUFFIXES), size=batch)
        for i in range(batch):
            stem = "".join(
                _ONSETS[parts[0][i, j]] + _VOWELS[parts[1][i, j]] + _CODAS[parts[2][i, j]] for j in range(syllables[i])
            )
            word = stem + _SUFFIXES[suffixes[i]]
            if len(word) > 2 and word not in seen:
                seen.add(word)
                words.append(word)
                if len(words) == size:
                    break
    return words


def zipf_cdf(size: int) -> np.ndarray:
    weights = (np.arange(1, size + 1) + ZIPF_SHIFT) ** -ZIPF_EXPONENT
    cdf = np.cumsum(weights)
    return cdf / cdf[-1]


class Generator:
    """Passages and questions drawn from one seeded word distribution."""

    def __init__(self, seed: int = 20231205) -> None:
        self.seed = seed
        self.words = np.array(vocabulary(seed), dtype=object)
        self._cdf = zipf_cdf(len(self.words))

    def fingerprint(self) -> str:
        digest = hashlib.sha256(f"{GENERATOR_VERSION}\0{self.seed}\0".encode())
        digest.update("\n".join(self.words[:5000]).encode())
        return digest.hexdigest()[:16]

    def _draw(self, rng: np.random.Generator, count: int) -> list[str]:
        ranks = np.searchsorted(self._cdf, rng.random(count), side="right")
        return self.words[np.minimum(ranks, len(self.words) - 1)].tolist()

    def passages(self, chunk: int, count: int = CHUNK) -> list[str]:
        rng = np.random.default_rng([self.seed, 1, chunk])
        lengths = np.clip(rng.normal(PASSAGE_WORDS, 15, count).astype(int), 15, 140)
        words = self._draw(rng, int(lengths.sum()))
        figures = rng.random(len(words)) < FIGURE_RATE
        for i in np.flatnonzero(figures).tolist():
            words[i] = _figure(rng)
        out = []
        position = 0
        for length in lengths.tolist():
            out.append(_sentences(words[position : position + length], rng))
            position += length
        return out

    def questions(self, count: int) -> list[str]:
        rng = np.random.default_rng([self.seed, 2])
        out = []
        for _ in range(count):
            start = _QUESTION_STARTS[rng.integers(len(_QUESTION_STARTS))]
            words = self._draw(rng, int(rng.integers(5, 11)))
            out.append(f"{start} {' '.join(words)}?")
        return out


def _figure(rng: np.random.Generator) -> str:
    kind = int(rng.integers(6))
    if kind == 0:
        return str(int(rng.integers(1990, 2031)))
    if kind == 1:
        return f"£{int(rng.integers(1, 999)):,},{int(rng.integers(0, 1000)):03d}"
    if kind == 2:
        return f"{int(rng.integers(1, 100))}%"
    if kind == 3:
        return f"{rng.integers(1, 100) / 10:.1f} {'billion' if rng.random() < 0.5 else 'million'}"
    if kind == 4:
        return f"{int(rng.integers(2, 100))} per cent"
    return f"{int(rng.integers(1, 999_999)):,}"


def _sentences(words: list[str], rng: np.random.Generator) -> str:
    parts = []
    position = 0
    while position < len(words):
        end = min(len(words), position + int(rng.integers(6, 21)))
        sentence = words[position:end]
        sentence[0] = sentence[0][:1].upper() + sentence[0][1:]
        parts.append(" ".join(sentence) + ".")
        position = end
    return " ".join(parts)


def ensure_corpus(folder: Path, size: int, generator: Generator) -> None:
    """Write (once) the chunks holding the first ``size`` passages, one passage per line."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "manifest.json"
    fingerprint = generator.fingerprint()
    if manifest.exists() and json.loads(manifest.read_text()).get("fingerprint") != fingerprint:
        for stale in folder.glob("chunk-*.txt"):
            stale.unlink()
    manifest.write_text(json.dumps({"fingerprint": fingerprint, "seed": generator.seed, "chunk": CHUNK}))
    for chunk in range(-(-size // CHUNK)):
        path = folder / f"chunk-{chunk:05d}.txt"
        if not path.exists():
            partial = path.with_suffix(".tmp")
            partial.write_text("\n".join(generator.passages(chunk)) + "\n", encoding="utf-8")
            partial.replace(path)


def read_passages(folder: Path, size: int) -> Iterator[str]:
    """The first ``size`` passages of a corpus written by ``ensure_corpus``, streamed."""
    remaining = size
    chunk = 0
    while remaining > 0:
        with (folder / f"chunk-{chunk:05d}.txt").open(encoding="utf-8") as lines:
            for line in lines:
                if remaining == 0:
                    break
                yield line.rstrip("\n")
                remaining -= 1
        chunk += 1
