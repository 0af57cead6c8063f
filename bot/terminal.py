"""Plain-text rendering of engine results for the command line."""

from __future__ import annotations

import textwrap

from bot.engine.claims import ClaimCheck
from bot.engine.figures import FigureGroup
from bot.engine.models import Answer, Citation

_WIDTH = 100


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def format_citation(citation: Citation) -> str:
    parts = [citation.title]
    if citation.source:
        parts.append(citation.source)
    if citation.date:
        parts.append(citation.date)
    parts.append(citation.paragraph_label)
    text = ", ".join(parts)
    return f"{text} <{citation.url}>" if citation.url else text


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, width=_WIDTH, initial_indent=indent, subsequent_indent=" " * len(indent))


def format_answer(answer: Answer) -> str:
    lines: list[str] = []
    if answer.answered:
        for number, sentence in enumerate(answer.sentences, start=1):
            lines.append(_wrap(f"“{sentence.text}”", f"[{number}] "))
        lines.append("")
        lines.append("Sources:")
        for number, sentence in enumerate(answer.sentences, start=1):
            lines.append(_wrap(format_citation(sentence.citation), f"  [{number}] "))
    else:
        lines.append(answer.reason or "The documents do not answer this question.")
        if answer.closest:
            lines.append("")
            lines.append("Closest passages (not a direct answer):")
            for passage in answer.closest:
                text = passage.text if len(passage.text) <= 400 else passage.text[:399] + "…"
                lines.append(_wrap(f"“{text}”", "  - "))
                lines.append(_wrap(format_citation(passage.citation), "    "))
    lines.append(f"(corpus version {answer.corpus_version})" if answer.corpus_version else "")
    return "\n".join(lines).rstrip() + "\n"


def format_figures(topic: str, groups: list[FigureGroup]) -> str:
    if not groups:
        return f"No figures in the documents match {topic!r}.\n"
    lines: list[str] = []
    for group in groups:
        lines.append(f"{group.label}:")
        for member in group.members:
            figure = member.figure
            qualifier = f"{figure.qualifier} " if figure.qualifier else ""
            role = {"from": " (earlier value)", "to": " (new value)", "change": " (change)"}.get(figure.role or "", "")
            lines.append(_wrap(f"{qualifier}{figure.text}{role} — {figure.kind}", "  * "))
            lines.append(_wrap(f"“{member.sentence}”", "      "))
            lines.append(_wrap(format_citation(member.citation), "      "))
        lines.append("")
    return "\n".join(lines)


def format_claim(check: ClaimCheck) -> str:
    lines = [f"Claim: {check.claim}", ""]
    if check.comparisons:
        lines.append("Figures:")
        for comparison in check.comparisons:
            lines.append(_wrap(comparison.summary, "  * "))
            for member in comparison.corpus:
                lines.append(_wrap(f"“{member.sentence}” — {format_citation(member.citation)}", "      "))
        lines.append("")
    lines.append("What the documents say:" if check.answer.answered else "")
    lines.append(format_answer(check.answer))
    return "\n".join(line for line in lines if line is not None)
