"""The README's example is part of the contract: it must run as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_has_an_example() -> None:
    assert 1 <= len(_python_blocks())


def test_readme_example_runs() -> None:
    namespace: dict[str, object] = {"__name__": "readme"}
    for block in _python_blocks():
        exec(compile(block, str(README), "exec"), namespace)
    chronicle = namespace["chronicle"]
    assert 4 == len(chronicle)  # type: ignore[arg-type]


def test_readme_commands_are_the_ci_commands() -> None:
    first_commands = re.search(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert first_commands is not None
    lines = [ln.split("#")[0].strip() for ln in first_commands.group(1).splitlines()]
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    install, demo = (part.strip() for part in lines[0].split("&&"))
    # The first command installs only what the demo needs (the core), from the source tree.
    assert ("python3 -m pip install -e .", "chronology demo") == (install, demo)
    # The second adds the test tools, then runs the command CI runs.
    assert ["python3 -m pip install -e '.[test]'", "python3 -m pytest"] == [
        part.strip() for part in lines[1].split("&&")
    ]
    assert "python3 -m pytest" in ci
    assert "python3 -m pip install --quiet -e '.[dev,bench]'" in ci
