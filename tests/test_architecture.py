"""The shape of the house (docs/architecture.md), checked on every run.

The package reads in one direction: each module sits on a layer and imports only from its own
layer or the ones below. No module imports another module's private (``_``-prefixed) names, no
import cycle exists, and no module grows past the size a reader can hold in mind.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "chronology"

#: The layers, from the ground up. A module is placed by the longest prefix of its dotted name
#: listed here; a module listed nowhere fails the test, so a new module is placed on purpose.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("chronology.errors",),
    ("chronology._paths", "chronology._fastinit", "chronology._collector"),
    ("chronology._vintages",),
    ("chronology.snapshot_columns",),
    ("chronology._checks", "chronology.instants"),
    ("chronology.time", "chronology.units", "chronology.frames", "chronology.table_columns"),
    ("chronology.quantity", "chronology.hedges", "chronology.values"),
    ("chronology.registry", "chronology.scores"),
    ("chronology._fields",),
    ("chronology.events",),
    ("chronology.plans", "chronology.figures"),
    ("chronology._jsonline", "chronology._codecs", "chronology.serialization"),
    ("chronology.record", "chronology.column_writers"),
    ("chronology.expectations", "chronology.snapshot_text"),
    ("chronology.lifecycle", "chronology.claims"),
    ("chronology.fold",),
    ("chronology.stores",),
    ("chronology.visibility", "chronology.projection"),
    ("chronology.snapshots", "chronology.subject_snapshots"),
    ("chronology.integrity", "chronology.tracks", "chronology.view_records"),
    ("chronology.view",),
    ("chronology.resolution", "chronology.outcome_records"),
    ("chronology.interchange", "chronology.parquet", "chronology.bulk", "chronology.columnar"),
    ("chronology.chronicle",),
    ("chronology.copying",),
    ("chronology.outcomes",),
    ("chronology.render",),
    ("chronology.tables",),
    ("chronology.outcome_tables",),
    ("chronology.testing",),
    ("chronology.plot",),
    ("chronology.cli", "chronology.__main__"),
    ("chronology",),  # the public face re-exports from below
)

#: No module grows past this many lines (docs/architecture.md says why).
MAX_LINES = 650

#: What the house still owes, each with its reason: a rule broken on purpose until a named piece
#: of work pays it. A debt that is paid must leave this table (the test says so), so the table
#: only ever shrinks. Keys: ("private" | "upward" | "size" | "cycle", module).
DEBTS: dict[tuple[str, str], str] = {}


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _layer(module: str) -> int:
    best: tuple[int, int] | None = None
    for level, names in enumerate(LAYERS):
        for name in names:
            inside = module == name or module.startswith(name + ".")
            if inside and (best is None or len(name) > best[0]):
                best = (len(name), level)
    if best is None:
        raise AssertionError(
            f"{module} is on no layer: place it in LAYERS and docs/architecture.md"
        )
    return best[1]


def _imports(module: str, path: Path) -> list[tuple[str, list[str], bool]]:
    """(imported module, names taken, under TYPE_CHECKING) for each chronology import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in ast.walk(node):
                typing_only.add(id(inner))
    out: list[tuple[str, list[str], bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] == "chronology":
                names = [a.name for a in node.names]
                # ``from chronology.stores import sqlite`` imports a module, not a name
                for name in list(names):
                    if f"{target}.{name}" in MODULES:
                        out.append((f"{target}.{name}", [], id(node) in typing_only))
                        names.remove(name)
                if names or not node.names:
                    out.append((target, names, id(node) in typing_only))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "chronology":
                    out.append((a.name, [], id(node) in typing_only))
    return out


def _debt_message(rule: str, module: str, found: list[str]) -> str:
    if found:
        return f"{module} breaks the {rule!r} rule: {found} (see docs/architecture.md)"
    return f"{module} keeps the {rule!r} rule now: remove its entry from DEBTS"


def test_debts_name_modules_that_exist() -> None:
    assert [] == [key for key in DEBTS if key[1] not in MODULES]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down(module: str) -> None:
    """A module imports only from its own layer or below (type-only imports included)."""
    here = _layer(module)
    upward = [
        target
        for target, _, _ in _imports(module, MODULES[module])
        if target != module and not module.startswith(target + ".") and _layer(target) > here
    ]
    owed = ("upward", module) in DEBTS
    assert owed == bool(upward), _debt_message("upward", module, upward)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_names_across_modules(module: str) -> None:
    """No module takes another module's ``_private`` names."""
    taken = [
        f"{target}.{name}"
        for target, names, _ in _imports(module, MODULES[module])
        if target != module
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    owed = ("private", module) in DEBTS
    assert owed == bool(taken), _debt_message("private", module, taken)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    owed = ("size", module) in DEBTS
    big = [f"{lines} lines"] if lines > MAX_LINES else []
    assert owed == bool(big), _debt_message("size", module, big)


def test_no_import_cycles() -> None:
    """The runtime import graph (type-only imports left out) has no cycle."""
    graph = {
        m: {t for t, _, typing in _imports(m, p) if not typing and t in MODULES and t != m}
        for m, p in MODULES.items()
    }
    # A package's __init__ importing its submodules is not a cycle with them.
    for m in graph:
        graph[m] = {t for t in graph[m] if not t.startswith(m + ".")}
    seen: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        seen[m] = 1
        stack.append(m)
        for t in sorted(graph[m]):
            if seen.get(t) == 1:
                cycle = [*stack[stack.index(t) :], t]
                if not any(("cycle", name) in DEBTS for name in cycle):
                    raise AssertionError("import cycle: " + " -> ".join(cycle))
                continue
            if t not in seen:
                visit(t)
        stack.pop()
        seen[m] = 2

    for m in sorted(graph):
        if m not in seen:
            visit(m)
