"""The figures room's shape: what its modules import, the cache keys that cover them, and names for its numbers.

These read the source (``ast``), not behaviour: a module added to the room, an import of the engine
or a bare weight in scoring code is caught here, before it can make a stale cache or an import cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

from bot.adapter.render_figures import value_text
from bot.engine.build.analysis import _CODE_MODULES
from bot.engine.figures.index import FigureGroup, IndexedFigure
from bot.engine.figures.parse import ROLE_WORDING, Figure, Role
from bot.engine.figures.store import INDEX_MODULES
from bot.engine.models import Citation
from bot.terminal import format_figures

ENGINE = Path(__file__).resolve().parents[3] / "bot" / "engine"
ROOM = ENGINE / "figures"
PACKAGE = "bot.engine.figures"


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in it (functions and ``TYPE_CHECKING`` blocks included)."""
    found: set[str] = set()
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)  # "from package import module"
    return found


def room_modules_run_by(start: str) -> set[str]:
    """The figures room's modules (file names) that ``start`` imports, directly or through one another."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for module in imported_modules(ROOM / name):
            if module.startswith(PACKAGE + ".") and (ROOM / f"{module.rsplit('.', 1)[1]}.py").is_file():
                todo.append(f"{module.rsplit('.', 1)[1]}.py")
    return seen


def test_the_figures_room_does_not_import_the_engine() -> None:
    # The engine builds the figure index; the index importing the engine back made a cycle.
    for path in sorted(ROOM.glob("*.py")):
        assert "bot.engine.engine" not in imported_modules(path), path.name


def test_every_figures_module_starts_by_saying_what_it_is_for() -> None:
    for path in sorted(ROOM.glob("*.py")):
        assert ast.get_docstring(tree(path)), f"{path.name} has no module docstring"


def test_the_analysis_key_covers_every_module_figure_extraction_runs() -> None:
    # Analyses store extracted figures: a change to any module extraction runs must make them stale.
    extraction = room_modules_run_by("parse.py")
    assert {"lexicon.py", "scanner.py", "labeller.py", "parse.py"} <= extraction
    assert {f"figures/{name}" for name in extraction} <= set(_CODE_MODULES)


def test_the_figure_index_key_covers_every_module_the_index_runs() -> None:
    index = room_modules_run_by("store.py")
    assert {"index.py", "grouping.py", "scoring.py", "columns.py", "completion.py"} <= index
    hashed = set(INDEX_MODULES) | {name.split("/", 1)[1] for name in _CODE_MODULES if name.startswith("figures/")}
    assert index <= hashed, index - hashed
    assert all((ROOM / name).is_file() for name in INDEX_MODULES)


def test_duplicate_overlap_is_defined_once() -> None:
    # Answers and figure groups call two sentences one statement at the same overlap.
    defined = [
        path.relative_to(ENGINE).as_posix()
        for path in sorted(ENGINE.rglob("*.py"))
        for node in tree(path).body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name) and target.id == "DUPLICATE_OVERLAP"
    ]
    assert defined == ["text/overlap.py"]


def float_literals(function: ast.FunctionDef) -> list[float]:
    return [
        node.value
        for node in ast.walk(function)
        if isinstance(node, ast.Constant) and isinstance(node.value, float) and node.value != 0.0
    ]


def test_figure_ranking_weights_are_named_constants() -> None:
    scoring_code = {
        ("scoring.py", None): {"score_factors", "importance_of"},
        ("index.py", "FigureIndex"): {"_scores", "_best_of_groups", "_order_by_importance"},
    }
    checked = set()
    for (name, owner), functions in scoring_code.items():
        body = tree(ROOM / name).body
        if owner is not None:
            body = next(n for n in body if isinstance(n, ast.ClassDef) and n.name == owner).body
        for node in body:
            if isinstance(node, ast.FunctionDef) and node.name in functions:
                assert float_literals(node) == [], f"{name}: {node.name} has unnamed weights"
                checked.add(node.name)
    assert checked == set().union(*scoring_code.values())


def member(role: Role | None) -> IndexedFigure:
    sentence = "The threshold rose from £26,200 to £38,700, a rise of £12,500."
    start = sentence.index("£38,700")
    end = start + len("£38,700")
    figure = Figure(text="£38,700", start=start, end=end, value=38700.0, kind="money", label="threshold", role=role)
    citation = Citation(document="a.txt", title="A", paragraph=1, passage_id="a-1")
    return IndexedFigure(figure=figure, sentence=sentence, citation=citation, start=start, end=end)


def test_every_role_is_worded_once_and_alike_in_every_reply() -> None:
    assert set(ROLE_WORDING) == set(get_args(Role))
    assert len(set(ROLE_WORDING.values())) == len(ROLE_WORDING)
    for role, words in ROLE_WORDING.items():
        item = member(role)
        assert value_text(item, 1) == f"**£38,700** ({words}) [1]"  # Discord
        group = FigureGroup(label=item.label, family="money:GBP", members=(item,))
        assert f"£38,700 ({words}) — money" in format_figures("threshold", [group])  # the terminal
    assert value_text(member(None), 1) == "**£38,700** [1]"
