"""Figure labels scored on a labelled set: does each figure's label name what it measures?

    python -m bench.figure_labels              # accuracy per split and per labelling rule
    python -m bench.figure_labels --misses     # and every wrong label
    python -m bench.figure_labels --json

The set (``tests/quality/figure_sets/labels.jsonl``) holds figures of the figure-quality sets' documents
(``bench.figure_quality.SETS``), each with the measure a reader names it by, written from the documents
before looking at the bot's labels: ``measure`` lists accepted head words or phrases (one of them must be
in the label), ``not_only`` words that alone make a wrong label (a year, a period, a place). Rows of the
figures-dev documents are for developing the rules; heldout-a/b rows are for reporting only.

A label is the one the figure index serves (labels borrowed within a document included), and each is
credited to the labeller rule that produced it (``labeller.RULE_NAMES``; "index" when the index replaced
the sentence's own label), so the table shows what each rule earns.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.figure_quality import SETS, set_engine
from bot.engine.engine import Engine
from bot.engine.figures.index import IndexedFigure
from bot.engine.figures.labeller import RULE_NAMES, label_figures
from bot.engine.figures.scanner import scan_figures, tokenize_sentence
from training.data import load_rows

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tests" / "quality" / "figure_sets" / "labels.jsonl"
SPLITS = {"figures-dev": "dev", "figures-heldout-a": "heldout", "figures-heldout-b": "heldout"}
INDEX_RULE = "index: label from the document"
_WORD = re.compile(r"[a-z0-9&]+(?:[-'][a-z0-9]+)*")


def split_of(document: str) -> str | None:
    """The split a document's rows count in ("dev", "heldout"), or None outside the labelled sets."""
    for name, split in SPLITS.items():
        if document in SETS[name]:
            return split
    return None


def _stem(word: str) -> str:
    word = word.removesuffix("'s")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"  # salaries → salary
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def words(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.casefold())]


def label_is_right(label: str, measure: list[str], not_only: list[str]) -> bool:
    """One accepted measure has all its words in the label, and the label is not only period/place words."""
    have = set(words(label))
    named = any(set(words(m)) <= have for m in measure if words(m))
    banned = {w for phrase in not_only for w in words(phrase)}
    only_banned = bool(have) and all(w in banned or w.isdigit() for w in have)
    return named and not only_banned


def find_figure(figures: list[IndexedFigure], row: dict[str, object]) -> IndexedFigure | None:
    """The figure of the row's sentence whose span covers the ``nth`` occurrence of its text."""
    sentence, text, nth = str(row["sentence"]), str(row["text"]), int(row.get("nth", 0))  # type: ignore[call-overload]
    at = -1
    for _ in range(nth + 1):
        at = sentence.find(text, at + 1)
        if at < 0:
            return None
    for item in figures:
        if item.sentence == sentence and item.figure.start < at + len(text) and at < item.figure.end:
            return item
    return None


def sentence_rules(sentence: str) -> dict[tuple[int, int], tuple[str, str]]:
    """Per figure span of a sentence: (its label as the labeller gives it alone, the rule that gave it)."""
    toks = tokenize_sentence(sentence)
    raws = scan_figures(toks)
    label_figures(sentence, toks, raws)
    return {(toks[r.i0].start, toks[r.i1 - 1].end): (r.label, RULE_NAMES[r.rule]) for r in raws}


@dataclass
class Result:
    split: str
    right: bool
    rule: str
    label: str
    row: dict[str, object]


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)
    missing: list[dict[str, object]] = field(default_factory=list)  # rows whose figure was not found

    def accuracy(self, split: str) -> tuple[int, int]:
        mine = [r for r in self.results if r.split == split]
        return sum(r.right for r in mine), len(mine)

    def per_rule(self) -> dict[str, dict[str, Counter[bool]]]:
        table: dict[str, dict[str, Counter[bool]]] = defaultdict(lambda: defaultdict(Counter))
        for r in self.results:
            table[r.rule][r.split][r.right] += 1
        return table


def evaluate(rows: list[dict[str, object]] | None = None) -> Report:
    rows = load_rows(LABELS) if rows is None else rows
    report = Report()
    engines: dict[str, Engine] = {}
    by_document: dict[str, list[IndexedFigure]] = {}
    for row in rows:
        document = str(row["document"])
        split = split_of(document)
        if split is None:
            report.missing.append(row)
            continue
        if document not in by_document:
            name = next(n for n in SPLITS if document in SETS[n])
            engine = engines.setdefault(name, set_engine(name))
            by_document[document] = engine.document_figures(document)
        item = find_figure(by_document[document], row)
        if item is None:
            report.missing.append(row)
            continue
        own_label, rule = sentence_rules(item.sentence).get((item.figure.start, item.figure.end), ("", "?"))
        if own_label != item.label:
            rule = INDEX_RULE
        right = label_is_right(item.label, list(row["measure"]), list(row.get("not_only", [])))  # type: ignore[call-overload]
        report.results.append(Result(split, right, rule, item.label, row))
    return report


def format_report(report: Report, misses: bool) -> str:
    lines = ["| split | figures | labels right | accuracy |", "|---|---|---|---|"]
    for split in ("dev", "heldout"):
        right, total = report.accuracy(split)
        lines.append(f"| {split} | {total} | {right} | {right / max(1, total):.3f} |")
    lines += ["", "| rule | dev right | dev wrong | held-out right | held-out wrong |", "|---|---|---|---|---|"]
    table = report.per_rule()
    for rule in sorted(table):
        dev, held = table[rule]["dev"], table[rule]["heldout"]
        lines.append(f"| {rule} | {dev[True]} | {dev[False]} | {held[True]} | {held[False]} |")
    if report.missing:
        lines += ["", f"{len(report.missing)} rows whose figure was not found:"]
        lines += [f"  {r['document']}: {r['text']!r} in {str(r['sentence'])[:80]!r}" for r in report.missing]
    if misses:
        lines += ["", "Wrong labels:"]
        for r in report.results:
            if not r.right:
                lines.append(
                    f"  [{r.split}] {r.row['text']!r} → {r.label!r} (rule {r.rule}; wanted {r.row['measure']})\n"
                    f"      {' '.join(str(r.row['sentence']).split())[:160]}"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list every wrong label")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = evaluate()
    if args.json:
        out = {
            split: dict(zip(("right", "total"), report.accuracy(split), strict=True)) for split in ("dev", "heldout")
        }
        print(json.dumps(out, indent=2))
    else:
        print(format_report(report, args.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
