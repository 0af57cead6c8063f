"""Figure lookups and claim checks scored on labelled sets: is the figure shown first the one asked for,
and is a claim's verdict right?

    python -m bench.figure_quality            # every set, as a table
    python -m bench.figure_quality --json
    python -m bench.figure_quality --misses figures-heldout-a

Sets (``tests/quality/figure_sets``): each is a handful of documents loaded together as one corpus
(documents of the answer reader's data, ``training/data/docs``, or written for the sets alone,
``tests/quality/figure_sets/docs``), with figure questions (the expected
figure: its document, sentence and text) and claims (the expected verdict and the documented figure it
should cite). The dev sets are where the figure rules are developed (dev-b was added when dev's
claims were all but right, on six documents no other set uses; dev-c with heldout-d, on new documents
written for them). heldout-a/b/c informed a few decisions over time and have served development since
heldout-d was written; heldout-d is run to report only. Every set was labelled by people who never
saw the bot's output.

Scoring:
- a figure question is a hit@1 when the first figure ``/figures`` shows (first member of the first
  group) is the expected figure or one of its ``also`` places; hit@2 when one of the first two is;
- a claim is right when its verdict is right (``differs`` accepts "near" and "differs": both say the
  documents give another value of the same measure) and, for ``match``/``differs``, the figure cited
  first is the expected one. A "close" (near) verdict whose cited figure is not the expected measure,
  or on a claim whose measure the documents lack, is counted apart: it must never happen.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.figures_build import percentile
from bot.engine.claims import ClaimCheck, check_claim
from bot.engine.engine import Engine
from bot.engine.figure_answers import rank_figures
from bot.engine.figures.index import IndexedFigure
from bot.engine.figures.parse import extract_figures
from training.data import DOCS, load_document, load_rows

ROOT = Path(__file__).resolve().parent.parent
FIGURE_SETS = ROOT / "tests" / "quality" / "figure_sets"
# Documents written for the figure sets alone: the answer reader never trained on them.
SET_DOCS = FIGURE_SETS / "docs"
# The documents of each set, loaded together as one corpus.
SETS: dict[str, tuple[str, ...]] = {
    "figures-dev": (
        "tax-fuel-duty-freeze-news.md",
        "welfare-winter-fuel-payment-faq.md",
        "energy-offshore-wind-allocation-round-results.md",
        "justice-prison-capacity-press-release.md",
        "schools-teacher-pay-award-recruitment-drive.md",
        "housing-temporary-accommodation-column.md",
    ),
    # A second development set, written when the first was exhausted (its claims all but right), on
    # documents none of the other sets use: where the rules learn what the first set did not show.
    "figures-dev-b": (
        "defence-spending-research-briefing.md",
        "health-waiting-list-statistics.md",
        "schools-send-demand-funding-briefing.md",
        "tax-ireland-exchequer-receipts-bulletin.md",
        "transport-local-road-condition-statistics-2025.md",
        "energy-grid-connections-queue-briefing.md",
    ),
    # A third development set, written with heldout-d in the same way (nine new documents in
    # ``figure_sets/docs``), when the older held-out sets had informed decisions: rules are developed here.
    "figures-dev-c": (
        "water-price-review-final-determination.md",
        "transport-bus-franchising-launch-news.md",
        "schools-free-school-meals-expansion-release.md",
        "health-ambulance-response-times-bulletin.md",
        "housing-social-rent-settlement-consultation.md",
        "welfare-disability-benefits-reform-briefing.md",
        "climate-heat-pump-installations-quarterly-statistics.md",
        "tax-alcohol-duty-changes-explainer.md",
        "universities-tuition-fee-rise-opinion.md",
    ),
    "figures-heldout-a": (
        "migration-seasonal-worker-visa-statistics.md",
        "tax-private-school-vat-release.md",
        "socialcare-carers-allowance-earnings-limit.md",
        "health-resident-doctors-strike-ballot.md",
        "transport-ireland-e-scooters-one-year.md",
        "welfare-triple-lock-opinion.md",
    ),
    "figures-heldout-b": (
        "localgov-council-tax-levels-bulletin.md",
        "defence-recruitment-fast-track-press-release.md",
        "universities-student-finance-faq-2026-27.md",
        "climate-harrowfield-water-sewage-fine.md",
        "housing-dublin-rent-pressure-zones.md",
        "energy-calderbrook-insulation-grant-faq.md",
    ),
    # Documents of the answer reader's validation split: the reader was never trained on them, so this
    # set measures figures helped by the reader without flattering it.
    "figures-heldout-c": (
        "housing-leasehold-reform-bill-briefing.md",
        "justice-crown-court-backlog-briefing.md",
        "localgov-hollin-bay-bin-collections-faq.md",
        "socialcare-care-homes-funding-opinion.md",
        "tax-income-tax-threshold-freeze-briefing.md",
        "transport-20mph-limits-opinion.md",
        "universities-australia-overseas-student-limits-act.md",
        "welfare-universal-credit-sanctions-regulations.md",
    ),
    # Written after the other held-out sets had informed decisions (stop 19): nine new documents in
    # new styles and areas (``figure_sets/docs``), never in the reader's data, labelled without seeing
    # the bot. Run to report only.
    "figures-heldout-d": (
        "housing-rough-sleeping-snapshot-autumn-2025.md",
        "transport-regulated-rail-fares-rise-2026.md",
        "justice-police-officer-numbers-briefing.md",
        "digital-gigabit-broadband-contract-release.md",
        "childcare-funded-hours-expansion-faq.md",
        "energy-price-cap-quarterly-bulletin.md",
        "health-gp-practice-funding-opinion.md",
        "employment-minimum-wage-amendment-act-summary.md",
        "localgov-ravensholme-council-budget-2026.md",
    ),
}
_FILES = {name: name.removeprefix("figures-").replace("-", "_") for name in SETS}
# Run to report only (heldout-a/b/c have informed decisions and serve development too: see above).
HELD_OUT = ("figures-heldout-d",)
TARGETS = {"hit_at_1": 0.90, "hit_at_2": 0.97, "verdicts": 0.90, "cross_measure_close_max": 0}
# What CI holds figures and claims to on figures-heldout-a (just under what is measured; see the README).
# The three-epoch answer reader, recalibrated for its pool with sentences by meaning and with the reader-share
# floor at 0.4, puts 0.820 first and in the first two, and gets 0.816 of the verdicts right.
CI_FLOORS: dict[str, float] = {"hit_at_1": 0.80, "hit_at_2": 0.80, "verdicts": 0.80, "cross_measure_close_max": 0}


@dataclass
class FigureReport:
    name: str
    questions: int = 0
    hit_at_1: float = 0.0
    hit_at_2: float = 0.0
    claims: int = 0
    verdicts: float = 0.0
    cross_measure_close: int = 0
    # Wall-clock time a figure question (``rank_figures``) and a claim check take, median and 95th percentile.
    question_ms: tuple[float, float] = (0.0, 0.0)
    claim_ms: tuple[float, float] = (0.0, 0.0)
    misses: list[dict[str, object]] = field(default_factory=list)

    def row(self) -> str:
        return (
            f"| {self.name} | {self.questions} | {self.hit_at_1:.3f} | {self.hit_at_2:.3f} | "
            f"{self.claims} | {self.verdicts:.3f} | {self.cross_measure_close} | "
            f"{self.question_ms[0]:.0f} / {self.question_ms[1]:.0f} | {self.claim_ms[0]:.0f} / {self.claim_ms[1]:.0f} |"
        )


def _collapse(text: str) -> str:
    return " ".join(text.split())


def places(row: dict[str, object]) -> list[dict[str, str]]:
    first = {"document": row["document"], "sentence": row["sentence"], "text": row["text"]}
    return [first, *row.get("also", [])]  # type: ignore[list-item]


def _value(place: dict[str, str]) -> tuple[str, float] | None:
    found = extract_figures(place["text"])
    return (found[0].kind, found[0].value) if len(found) == 1 else None


def is_place(shown: IndexedFigure, place: dict[str, str]) -> bool:
    """Whether a figure shown is the one at ``place``: same document, and the same words of the same
    sentence, or the same value stated again elsewhere in the document (a lead repeated in the body,
    a headline, a table row)."""
    if shown.citation.document != place["document"]:
        return False
    sentence, expected = _collapse(shown.sentence), _collapse(place["sentence"])
    if expected not in sentence and sentence not in expected:
        value = _value(place)
        return value is not None and value == (shown.figure.kind, shown.figure.value)
    text = place["text"]
    start = shown.sentence.find(text)
    while start >= 0:  # the figure's span overlaps an occurrence of the expected text
        if start < shown.figure.end and shown.figure.start < start + len(text):
            return True
        start = shown.sentence.find(text, start + 1)
    return False


def question_rows(name: str) -> list[dict[str, object]]:
    """A set's figure questions, each with its expected figure (``places``)."""
    return load_rows(FIGURE_SETS / f"{_FILES[name]}_questions.jsonl")


def document_path(file: str) -> Path:
    own = SET_DOCS / file
    return own if own.is_file() else DOCS / file


def set_engine(name: str, **options: object) -> Engine:
    documents = [load_document(document_path(file), file)[0] for file in SETS[name]]
    return Engine(documents, **options)  # type: ignore[arg-type]


def shown_figures(engine: Engine, question: str, limit: int = 5) -> list[IndexedFigure]:
    """The figures ``/figures`` shows for a question, in the order shown."""
    return [member for group in rank_figures(engine, question, limit) for member in group.members]


def evaluate(name: str, engine: Engine | None = None) -> FigureReport:
    engine = engine or set_engine(name)
    report = FigureReport(name)
    questions = question_rows(name)
    first = second = 0
    question_times: list[float] = []
    for row in questions:
        started = time.perf_counter()
        shown = shown_figures(engine, str(row["question"]))
        question_times.append(time.perf_counter() - started)
        expected = places(row)
        hits = [any(is_place(s, p) for p in expected) for s in shown[:2]]
        first += bool(hits[:1] and hits[0])
        second += any(hits)
        if not (hits[:1] and hits[0]):
            report.misses.append(
                {"question": row["question"], "expected": row["text"], "role": row.get("role"),
                 "shown": [f"{s.figure.text} ({s.figure.label}; {s.figure.role})" for s in shown[:3]]}
            )  # fmt: skip
    report.questions = len(questions)
    report.hit_at_1 = first / max(1, len(questions))
    report.hit_at_2 = second / max(1, len(questions))
    claims = load_rows(FIGURE_SETS / f"{_FILES[name]}_claims.jsonl")
    right = 0
    claim_times: list[float] = []
    for row in claims:
        started = time.perf_counter()
        check = check_claim(engine, str(row["claim"]))
        claim_times.append(time.perf_counter() - started)
        ok, cross = judge_claim(check, row)
        right += ok
        report.cross_measure_close += cross
        if not ok:
            report.misses.append(
                {"claim": row["claim"], "expected": row["verdict"], "cites": row.get("text"),
                 "got": [c.summary for c in check.comparisons]}
            )  # fmt: skip
    report.claims = len(claims)
    report.verdicts = right / max(1, len(claims))
    report.question_ms, report.claim_ms = _percentiles(question_times), _percentiles(claim_times)
    return report


def _percentiles(seconds: list[float]) -> tuple[float, float]:
    """Median and 95th percentile, in milliseconds."""
    if not seconds:
        return 0.0, 0.0
    return 1000 * percentile(seconds, 0.5), 1000 * percentile(seconds, 0.95)


def judge_claim(check: ClaimCheck, row: dict[str, object]) -> tuple[bool, bool]:
    """(the verdict is right, a "close" verdict was given across different measures)."""
    comparisons = check.comparisons
    expected = row["verdict"]
    if not comparisons:
        return expected == "not_found", False
    comparison = comparisons[0]
    cited = comparison.corpus[0] if comparison.corpus else None
    cited_right = cited is not None and row.get("document") is not None and is_place(cited, places(row)[0])
    cross = comparison.verdict == "near" and not cited_right
    if expected == "not_found":
        return comparison.verdict == "not_found", cross
    accepted = {"match"} if expected == "match" else {"near", "differs"}
    return comparison.verdict in accepted and cited_right, cross


def format_table(reports: list[FigureReport]) -> str:
    lines = [
        "| set | figure questions | hit@1 | hit@2 | claims | verdicts right | close across measures "
        "| ms a question (p50 / p95) | ms a claim (p50 / p95) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    return "\n".join(lines + [r.row() for r in reports])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--misses", metavar="SET", help="print the questions and claims a set gets wrong")
    args = parser.parse_args(argv)
    names = (
        [args.misses] if args.misses else [n for n in SETS if (FIGURE_SETS / f"{_FILES[n]}_questions.jsonl").exists()]
    )
    reports = [evaluate(name) for name in names]
    if args.misses:
        for miss in reports[0].misses:
            print(json.dumps(miss, ensure_ascii=False))
        return 0
    if args.json:
        print(json.dumps([{k: v for k, v in asdict(r).items() if k != "misses"} for r in reports], indent=2))
    else:
        print(format_table(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
