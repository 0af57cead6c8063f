"""Find every figure written in one sentence: what it says, its normalised value, and what it measures.

This is the figures room's entry point for one sentence and the home of the ``Figure`` record the
rest of the engine passes around. ``extract_figures`` runs the two stages in order:

- ``scanner``: cut the sentence into tokens and find each figure with its kind, value, unit, rate
  and qualifier ("more than £38,000 a year");
- ``labeller``: say which value of a change each figure is (its role) and what it measures (its label).

Both read the sentence with the word lists of ``lexicon``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from bot.engine.figures.labeller import label_figures
from bot.engine.figures.scanner import scan_figures, tokenize_sentence

Kind = Literal["money", "count", "percent", "fraction", "multiple", "rate", "duration", "year", "date"]
Role = Literal["from", "to", "change"]

# How each role is put to a reader, the same in every reply (Discord, the terminal, corpus diffs). Keyed by
# ``Role``, typed by ``str`` so a role kept as plain text (``corpus.diff.FigureChange.role``) looks it up too.
ROLE_WORDING: dict[str, str] = {"from": "earlier value", "to": "new value", "change": "change"}

# Longer "sentences" are not prose (tables flattened to text, digit dumps): only their head is read.
MAX_SENTENCE_CHARS = 20_000
MAX_LABEL_CHARS = 100  # a label is a short noun phrase; this bounds what a hostile sentence can make one


class Figure(BaseModel):
    """One figure of a sentence. ``sentence[start:end] == text``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str
    start: int
    end: int
    value: float
    kind: Kind
    unit: str | None = None  # "GBP"/"USD"/"EUR" for money, "month"... for durations, "per year" for rates
    per: str | None = None  # the period or unit a money/rate figure is counted per: "year", "journey"
    qualifier: str | None = None  # "more than", "at least", "below", "almost", "around", "about", "up to"
    label: str
    role: Role | None = None  # within the sentence: a previous value, a new value, or the change
    iso: str | None = None  # dates and years: "2023-12-05", "2024-04", "--12" (month only)
    weak_label: bool = False  # the label is only the nearest words, not a recognised pattern


def extract_figures(sentence: str) -> list[Figure]:
    """Every figure written in one sentence, in order."""
    text = sentence[:MAX_SENTENCE_CHARS]
    toks = tokenize_sentence(text)
    raws = scan_figures(toks)
    label_figures(text, toks, raws)
    figures = []
    for raw in raws:
        start, end = toks[raw.i0].start, toks[raw.i1 - 1].end
        label = raw.label[:MAX_LABEL_CHARS].strip() or raw.kind
        figures.append(
            Figure(
                text=text[start:end],
                start=start,
                end=end,
                value=raw.value,
                kind=raw.kind,  # type: ignore[arg-type]
                unit=raw.unit,
                per=raw.per,
                qualifier=raw.qualifier,
                label=label,
                role=raw.role,  # type: ignore[arg-type]
                iso=raw.iso,
                weak_label=raw.weak,
            )
        )
    return figures
