"""Plain-text rendering of engine results for the command line, and the terminal chat."""

from __future__ import annotations

import contextlib
import sys
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.engine.claims import ClaimCheck, documented_text
from bot.engine.figures.index import FigureGroup
from bot.engine.figures.parse import ROLE_WORDING
from bot.engine.models import Answer, AnswerSentence, Citation, Document, SkippedFile

if TYPE_CHECKING:
    from bot.engine.engine import Engine

_WIDTH = 100
HISTORY_LINES = 1000  # questions kept in the chat's history file (arrow keys go back through them)


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


def _quoted(sentences: Sequence[AnswerSentence], first: int) -> list[str]:
    """Numbered quotes, then their sources under the same numbers."""
    numbered = list(enumerate(sentences, start=first))
    lines = [_wrap(f"“{sentence.text}”", f"[{number}] ") for number, sentence in numbered]
    lines += ["", "Sources:"]
    lines += [_wrap(format_citation(sentence.citation), f"  [{number}] ") for number, sentence in numbered]
    return lines


def format_answer(answer: Answer) -> str:
    lines: list[str] = []
    if answer.answered:
        lines += _quoted(answer.sentences, 1)
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
            role = f" ({ROLE_WORDING[figure.role]})" if figure.role else ""
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
            # Every documented value of the measure with its role, each in its sentence; for a figure the
            # documents lack, the related figures of other measures, so their sentences can be read too.
            for member in comparison.documented or comparison.related:
                value = documented_text(member)
                lines.append(_wrap(f"{value}: “{member.sentence}” — {format_citation(member.citation)}", "      "))
        lines.append("")
    lines.append("What the documents say:" if check.answer.answered else "")
    lines.append(format_answer(check.answer))
    return "\n".join(line for line in lines if line is not None)


def format_problem(problem: SkippedFile) -> str:
    """One line for a file of the corpus that was skipped, or loaded with a warning."""
    if problem.severity == "warning":
        return f"warning: {problem.path}: {problem.reason}"
    return f"warning: {problem.path}: skipped: {problem.reason}"  # the wording of `check`


def format_more(answer: Answer) -> str:
    """The next-best sentences of an answer, numbered on from the ones already shown."""
    if not answer.answered:
        return "The documents did not answer the last question, so there is nothing more to show.\n"
    if not answer.more:
        return "There is nothing more in the documents for this question.\n"
    return "\n".join(_quoted(answer.more, len(answer.sentences) + 1)) + "\n"


def format_sources(documents: Sequence[Document]) -> str:
    """The documents answers come from, as Discord's /sources lists them."""
    if not documents:
        return "The corpus has no documents.\n"
    lines = [f"{plural(len(documents), 'document')}:"]
    for number, document in enumerate(documents, start=1):
        meta = document.meta
        details = ", ".join(part for part in (meta.source, meta.date) if part)
        text = f"{meta.title} — {details}" if details else meta.title
        lines.append(_wrap(f"{text} <{meta.url}>" if meta.url else text, f"{number:>3}. "))
        lines.append(f"     file: {document.id}")
    return "\n".join(lines) + "\n"


CHAT_HELP = """\
Ask a question in your own words: the answer quotes sentences of the documents, with their sources.
Words that are commands, not questions:
  more      the next sentences of the last answer
  sources   the documents the answers come from
  help      this text
  quit      leave (also: exit, or Ctrl-D)
The arrow keys edit the line and go back through earlier questions.
"""
_QUIT = frozenset({"quit", "exit", ":q"})
_HELP = frozenset({"help", "?"})


class ChatSession:
    """The terminal chat's replies: a question gets an answer, a command word does what it says."""

    def __init__(self, engine: Engine, sentences: int) -> None:
        self.engine = engine
        self.sentences = sentences
        self.last: Answer | None = None
        self._more_shown = False

    def banner(self) -> str:
        engine = self.engine
        return (
            f"Policy bot: {plural(len(engine.documents), 'document')}, {plural(len(engine.passages), 'passage')} "
            f"(corpus version {engine.version}). Ask a question; 'help' lists the commands, 'quit' or Ctrl-D leaves."
        )

    def respond(self, line: str) -> str | None:
        """The text to print for one input line (empty for a blank line); None when the user leaves."""
        text = line.strip()
        word = text.lower().rstrip("!.?") or text  # "quit!" and "help?" are still the words; "?" is help
        if word in _QUIT:
            return None
        if word in _HELP:
            return CHAT_HELP
        if word == "sources":
            return format_sources(self.engine.documents)
        if word == "more":
            if self.last is None:
                return "Ask a question first: 'more' then shows the next sentences of its answer.\n"
            if self._more_shown and self.last.answered and self.last.more:
                return "That was all: there is nothing more in the documents for this question.\n"
            self._more_shown = True
            return format_more(self.last)
        if not text:
            return ""
        self.last = self.engine.ask(text, self.sentences)
        self._more_shown = False
        return format_answer(self.last)


@contextlib.contextmanager
def line_editing(history: Path | None) -> Iterator[None]:
    """Readline editing and a history that survives restarts, when the chat runs in a terminal."""
    if not sys.stdin.isatty():
        yield  # piped input: readline would only add escape codes
        return
    try:
        import readline  # importing it is what turns line editing on for input()
    except ImportError:  # a Python built without it (Windows): plain input() still works
        yield
        return
    readline.set_history_length(HISTORY_LINES)
    if history is not None:
        with contextlib.suppress(OSError):
            readline.read_history_file(history)
    try:
        yield
    finally:
        if history is not None:
            with contextlib.suppress(OSError):  # an unwritable state folder costs the history, not the answers
                history.parent.mkdir(parents=True, exist_ok=True)
                readline.write_history_file(history)


def run_chat(session: ChatSession, history: Path | None) -> int:
    """Read questions and commands until ``quit`` or end of input."""
    print(session.banner())
    with line_editing(history):
        while True:
            print()  # a blank line between answers; not in the prompt, where readline would redraw it
            try:
                line = input("ask> ")
            except (EOFError, KeyboardInterrupt):
                print()
                return 0
            reply = session.respond(line)
            if reply is None:
                return 0
            print(reply, end="")
