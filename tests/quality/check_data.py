#!/usr/bin/env python3
"""Mechanical checks for the quality evaluation data in tests/quality/.

Run:  python3 tests/quality/check_data.py
Exits non-zero on any error.  Prints counts per file and warnings.

Checks
- every question row has the required keys, a valid kind, answerable == (kind != "unanswerable"),
  expected == [] for unanswerable rows and non-empty otherwise;
- every `expected` string is an exact substring of its corpus (seed document, or the corpus_b
  file(s) named in `sources`), has no duplicates and does not look like several sentences;
- ids are unique across all files; question texts are unique across all files;
- minimum counts (questions, figure share, unanswerable) are met;
- every figure row: `sentence` is an exact substring of its corpus file, `text` is a substring
  of `sentence`, kind/unit/qualifier are in the allowed sets, value is a number;
- heuristic completeness: every digit group or number word in every sentence of each corpus is
  covered by some figure `text` for that sentence (a short allow-list covers ordinals etc.);
- figure_sets/ (bench.figure_quality): every question and claim names a document of
  figure_sets/docs or training/data/docs, its `sentence` (and each `also` place's) stands in it verbatim with `text` in
  it, roles and verdicts are known, questions are unique, a "not_found" claim cites nothing.
"""

import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SEED = os.path.join(ROOT, "seeds", "000_bcbaab6fdc511440.txt")
CB = os.path.join(HERE, "corpus_b")

KINDS_Q = {"fact", "figure", "unanswerable"}
KINDS_F = {"money", "count", "percent", "fraction", "multiple", "rate", "duration", "year", "date"}
UNITS = {"GBP", "USD", "EUR", "month", "year", "week", "day", None}
QUALS = {"more than", "almost", "around", "about", "up to", "below", None}

errors = []
warnings = []


def err(msg):
    errors.append(msg)


def load_jsonl(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                err(f"{os.path.basename(path)}:{n}: bad JSON: {e}")
    return rows


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def body_lines(text):
    lines = text.split("\n")
    if lines and lines[0] == "---":
        end = lines.index("---", 1)
        lines = lines[end + 1 :]
    return lines


def split_sentences(text):
    out = []
    for line in body_lines(text):
        line = line.strip()
        if not line:
            continue
        if line.startswith("- "):
            line = line[2:]
        line = re.sub(r"^#+\s*", "", line)
        parts = re.split(r'(?<=[.!?])(["\'\u2019\u201d]?)\s+(?=["\'\u2018\u201c]?[A-Z])', line)
        cur = parts[0]
        for i in range(1, len(parts), 2):
            out.append(cur + parts[i])
            cur = parts[i + 1]
        out.append(cur)
    return out


MULTI_SENT = re.compile(r'[a-z0-9%][.!?]["\'\u2019]?\s+["\'\u2018]?[A-Z]')

corpora = {"seed": read(SEED)}
for fn in sorted(os.listdir(CB)):
    if fn.endswith(".md") or fn.endswith(".txt"):
        corpora[fn] = read(os.path.join(CB, fn))

# ---- corpus_b file format checks
cb_files = [k for k in corpora if k != "seed"]
if not 4 <= len(cb_files) <= 5:
    err(f"corpus_b has {len(cb_files)} documents (want 4-5)")
for fn in cb_files:
    text = corpora[fn]
    words = len(" ".join(body_lines(text)).split())
    if not 400 <= words <= 900:
        err(f"corpus_b/{fn}: {words} words (want 400-900)")
    meta_path = os.path.join(CB, fn + ".meta.json")
    if text.startswith("---\n"):
        head = text.split("\n---\n", 1)[0]
        for key in ("title:", "source:", "url:", "date:"):
            if key not in head:
                err(f"corpus_b/{fn}: front matter lacks {key}")
        if "Test fixture (fictional)" not in head:
            err(f'corpus_b/{fn}: source is not "Test fixture (fictional)"')
    elif os.path.exists(meta_path):
        meta = json.loads(read(meta_path))
        for key in ("title", "source", "url", "date"):
            if key not in meta:
                err(f"corpus_b/{fn}.meta.json lacks {key}")
        if meta.get("source") != "Test fixture (fictional)":
            err(f'corpus_b/{fn}.meta.json: source is not "Test fixture (fictional)"')
    else:
        warnings.append(f"corpus_b/{fn}: no front matter and no sidecar (scraped-style fixture)")

# ---- question files
QFILES = [
    ("seed_dev.jsonl", "seed", 50, 12),
    ("seed_heldout.jsonl", "seed", 40, 12),
    ("corpus_b_questions.jsonl", "b", 35, 10),
]
all_ids = {}
all_questions = {}
summary = []
for fname, corpus, min_n, min_u in QFILES:
    path = os.path.join(HERE, fname)
    rows = load_jsonl(path)
    n_fig = n_un = 0
    for r in rows:
        rid = r.get("id")
        where = f"{fname}:{rid}"
        for key in ("id", "question", "answerable", "kind", "expected"):
            if key not in r:
                err(f"{where}: missing key {key}")
        if rid in all_ids:
            err(f"{where}: duplicate id (also in {all_ids[rid]})")
        all_ids[rid] = fname
        qn = r.get("question", "").strip().lower()
        if qn in all_questions:
            err(f"{where}: duplicate question text (also {all_questions[qn]})")
        all_questions[qn] = where
        kind = r.get("kind")
        if kind not in KINDS_Q:
            err(f"{where}: bad kind {kind!r}")
        n_fig += kind == "figure"
        n_un += kind == "unanswerable"
        if r.get("answerable") != (kind != "unanswerable"):
            err(f"{where}: answerable/kind mismatch")
        exp = r.get("expected", [])
        if kind == "unanswerable" and exp:
            err(f"{where}: unanswerable but expected is non-empty")
        if kind != "unanswerable" and not exp:
            err(f"{where}: answerable but expected is empty")
        if len(set(exp)) != len(exp):
            err(f"{where}: duplicate expected sentences")
        if corpus == "seed":
            texts = [corpora["seed"]]
        else:
            srcs = r.get("sources") or cb_files
            texts = [corpora[s] for s in srcs if s in corpora]
            if len(texts) != len(srcs):
                err(f"{where}: unknown source in {srcs}")
        for s in exp:
            if not any(s in t for t in texts):
                err(f"{where}: expected not a substring: {s[:70]!r}")
            if MULTI_SENT.search(s):
                warnings.append(f"{where}: expected may span sentences: {s[:70]!r}")
            if not any(s in split_sentences(t) for t in texts):
                warnings.append(f"{where}: expected is not one whole sentence (by the simple splitter): {s[:70]!r}")
    n = len(rows)
    if n < min_n:
        err(f"{fname}: {n} questions (want >= {min_n})")
    if n_un < min_u:
        err(f"{fname}: {n_un} unanswerable (want >= {min_u})")
    if corpus == "seed" and n and n_fig / n < 0.25:
        err(f"{fname}: figure share {n_fig / n:.0%} (want >= 25%)")
    if corpus == "b" and n_fig < 10:
        err(f"{fname}: {n_fig} figure questions (want >= 10)")
    summary.append(
        f"{fname}: {n} questions, {n_fig} figure ({n_fig / max(n, 1):.0%}), {n_un} unanswerable, {n - n_un} answerable"
    )

# ---- figure files
NUM_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundred|thousand|million|billion|half|halves|third|thirds|quarter|quarters|fifth|fifths|"
    r"twice|double|doubled|triple|tripled|single|dozen|dozens|decade|decades|hundreds|thousands|millions"
)
NUM_TOKEN = re.compile(rf"\d[\d,.]*|\b(?:{NUM_WORDS})\b", re.I)
# tokens deliberately not listed as figures: (source, token, snippet of the sentence)
ALLOWED = [
    ("seed", "single", "not a single deportee"),  # idiom for "none", not a quantity
    ("fares.txt", "single", "cap on single bus fares"),  # ticket type, not a quantity
    ("fares.txt", "single", "a single bus fare costs"),  # ticket type, not a quantity
    ("fares.txt", "one", "one of the simplest ways"),  # idiom, not a quantity
]


def allowed(src, tok, sent):
    return any(a == src and b == tok.lower() and c in sent for a, b, c in ALLOWED)


FFILES = [("seed_figures.jsonl", "seed"), ("corpus_b_figures.jsonl", "b")]
for fname, corpus in FFILES:
    rows = load_jsonl(os.path.join(HERE, fname))
    by_sentence = {}
    for i, r in enumerate(rows, 1):
        where = f"{fname}:{i}"
        for key in ("sentence", "text", "value", "kind", "unit", "qualifier"):
            if key not in r:
                err(f"{where}: missing key {key}")
        src = "seed" if corpus == "seed" else r.get("source")
        if src not in corpora:
            err(f"{where}: unknown source {src!r}")
            continue
        s = r.get("sentence", "")
        if s not in corpora[src]:
            err(f"{where}: sentence not a substring of {src}: {s[:70]!r}")
        if s not in split_sentences(corpora[src]):
            warnings.append(f"{where}: sentence is not one whole sentence (by the simple splitter): {s[:70]!r}")
        if r.get("text", "") not in s:
            err(f"{where}: text {r.get('text')!r} not in sentence")
        if r.get("kind") not in KINDS_F:
            err(f"{where}: bad kind {r.get('kind')!r}")
        if r.get("unit") not in UNITS:
            err(f"{where}: bad unit {r.get('unit')!r}")
        if r.get("qualifier") not in QUALS:
            err(f"{where}: bad qualifier {r.get('qualifier')!r}")
        if not isinstance(r.get("value"), (int, float)) or isinstance(r.get("value"), bool):
            err(f"{where}: value is not a number")
        if r.get("kind") == "money" and r.get("unit") not in ("GBP", "USD", "EUR"):
            err(f"{where}: money without currency unit")
        if r.get("kind") == "duration" and r.get("unit") not in ("day", "week", "month", "year"):
            err(f"{where}: duration without time unit")
        by_sentence.setdefault((src, s), []).append(r)
    # completeness heuristic
    srcs = ["seed"] if corpus == "seed" else cb_files
    for src in srcs:
        for sent in split_sentences(corpora[src]):
            if sent not in corpora[src]:
                continue
            figs = by_sentence.get((src, sent), [])
            spans = []
            for fr in figs:
                start = 0
                while True:
                    k = sent.find(fr["text"], start)
                    if k < 0:
                        break
                    spans.append((k, k + len(fr["text"])))
                    start = k + 1
            for m in NUM_TOKEN.finditer(sent):
                tok = m.group(0).rstrip(".,")
                if allowed(src, tok, sent):
                    continue
                if not any(a <= m.start() and m.start() + len(tok) <= b for a, b in spans):
                    err(f"{fname}: {src}: number {tok!r} not covered in: {sent[:80]!r}")
    kinds = {}
    for r in rows:
        kinds[r.get("kind")] = kinds.get(r.get("kind"), 0) + 1
    summary.append(f"{fname}: {len(rows)} figures " + ", ".join(f"{k}={v}" for k, v in sorted(kinds.items())))

DOCS = os.path.join(ROOT, "training", "data", "docs")
ROLES = {"value", "previous", "new", "change", "forecast", "target", "proposal", "total", "share"}
VERDICTS = {"match", "differs", "not_found"}
FIGURE_SETS = os.path.join(HERE, "figure_sets")
# Documents written for the figure sets alone (never in the reader's training data).
SET_DOCS = os.path.join(FIGURE_SETS, "docs")
_docs = {}


def document_path(name):
    own = os.path.join(SET_DOCS, name)
    return own if os.path.isfile(own) else os.path.join(DOCS, name)


def check_place(where, place):
    name = place.get("document")
    path = document_path(name or "")
    if not name or not os.path.isfile(path):
        err(f"{where}: unknown document {name!r}")
        return
    if name not in _docs:
        with open(path, encoding="utf-8") as f:
            _docs[name] = f.read()
    sentence, text = place.get("sentence") or "", place.get("text") or ""
    if not sentence or sentence not in _docs[name]:
        err(f"{where}: sentence not verbatim in {name}: {sentence[:70]!r}")
    if not text or text not in sentence:
        err(f"{where}: text {text!r} not in its sentence")


for fname in sorted(f for f in os.listdir(FIGURE_SETS) if f.endswith(".jsonl")):
    rows = load_jsonl(os.path.join(FIGURE_SETS, fname))
    if fname.endswith("_questions.jsonl"):
        seen = set()
        for i, r in enumerate(rows, 1):
            where = f"figure_sets/{fname}:{i}"
            if r.get("question") in seen:
                err(f"{where}: repeated question")
            seen.add(r.get("question"))
            if r.get("role") not in ROLES:
                err(f"{where}: bad role {r.get('role')!r}")
            for place in [r, *r.get("also", [])]:
                check_place(where, place)
    elif fname.endswith("_claims.jsonl"):
        for i, r in enumerate(rows, 1):
            where = f"figure_sets/{fname}:{i}"
            if r.get("verdict") not in VERDICTS:
                err(f"{where}: bad verdict {r.get('verdict')!r}")
            elif r["verdict"] == "not_found":
                if any(r.get(k) is not None for k in ("document", "sentence", "text")):
                    err(f"{where}: a not_found claim cites nothing")
            else:
                check_place(where, r)
    summary.append(f"figure_sets/{fname}: {len(rows)} rows")

for line in summary:
    print(line)
for w in warnings:
    print("WARNING:", w)
for e in errors:
    print("ERROR:", e)
print("OK" if not errors else f"{len(errors)} error(s)")
sys.exit(1 if errors else 0)
