"""What the ``chronology`` command's tests share: running it in process, its constants."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from chronology import Chronicle
from chronology.cli import cli
from chronology.events import Event

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "russia-china-2024.jsonl"
VISIT = "visit/lavrov-china-2024-04"
SEABORNE = "trade/russia-china-crude-seaborne-2024-03"
SOKOL = "trade/russia-china-crude-sokol-2024-03"
ESPO = "trade/russia-china-crude-espo-2024-03"
COMMANDS = ("demo", "import", "export", "as-of", "history", "diff", "verify", "plot")


def invoke(args: Sequence[str], *, code: int = 0, env: dict[str, str] | None = None) -> Result:
    """Run the command in process and check its exit status."""
    result = CliRunner().invoke(cli, list(args), env=env)
    assert code == result.exit_code, (result.stdout, result.stderr, result.exception)
    return result


def one_line_error(result: Result) -> str:
    """The error of a failed run: exactly one line on stderr, no traceback, nothing on stdout."""
    lines = result.stderr.splitlines()
    assert 1 == len(lines), result.stderr
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.stderr
    assert "" == result.stdout
    return lines[0]


def demo_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A chronicle file holding the seed case, built by ``chronology demo`` (read-only use)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    invoke(["demo", "--db", str(path)])
    return str(path)


def chronicle_file(tmp_path: Path, events: Sequence[Event]) -> str:
    """An SQLite chronicle holding ``events``."""
    path = tmp_path / "c.db"
    with Chronicle.open(path) as chronicle:
        chronicle.extend(events)
    return str(path)


def demo_sections(output: str) -> dict[str, dict[str, tuple[str, str]]]:
    """Parse the demo's tables: date -> subject -> (status, window)."""
    sections: dict[str, dict[str, tuple[str, str]]] = {}
    current: dict[str, tuple[str, str]] | None = None
    for line in output.splitlines():
        if line.startswith("As of "):
            current = sections.setdefault(line.split()[2], {})
        elif current is not None and line.startswith(("  visit/", "  trade/")):
            cells = [c for c in line.strip().split("  ") if c]
            current[cells[0].strip()] = (cells[1].strip(), cells[2].strip())
    return sections
