"""The ``chronology`` command as the installed executable, and bare."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from cli_helpers import (
    SEED,
    VISIT,
    demo_sections,
    invoke,
)

from chronology.cli import DB_ENV

# -- the installed executable ---------------------------------------------------------------------


def executable() -> list[str]:
    """The installed ``chronology`` script, or ``python -m chronology`` when it is not on PATH."""
    found = shutil.which("chronology")
    return [found] if found else [sys.executable, "-m", "chronology"]


def run(args: Sequence[str], cwd: Path, *, code: int = 0) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != DB_ENV}
    done = subprocess.run(
        [*executable(), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert code == done.returncode, (done.stdout, done.stderr)
    return done


def test_executable_demo_then_queries(tmp_path: Path) -> None:
    demo = run(["demo"], tmp_path)
    db = tmp_path / "chronology-demo.db"
    assert f"Chronicle: {db}" in demo.stdout.replace(str(db.resolve()), str(db))
    assert demo_sections(demo.stdout)["2024-04-07"][VISIT] == ("scheduled", "2024-04-08/2024-04-09")
    data = json.loads(
        run(
            ["as-of", "2024-04-10", "--db", db.name, "--kind", "visit", "--format", "json"],
            tmp_path,
        ).stdout
    )
    assert ["occurred"] == [e["status"] for e in data["expectations"]]
    exported = run(["export", "--db", db.name], tmp_path).stdout.splitlines()
    assert 13 == len(exported)
    assert "13 records" in run(["verify", "--db", db.name], tmp_path).stdout


def test_executable_bad_line_is_one_line_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(SEED.read_text().splitlines()[0] + "\n" + "not json\n")
    done = run(["import", bad.name, "--db", "c.db"], tmp_path, code=1)
    assert "" == done.stdout
    assert [f"Error: {bad.name}: line 2: malformed JSON at column 1: Expecting value"] == (
        done.stderr.splitlines()
    )


def test_executable_usage_error_and_help(tmp_path: Path) -> None:
    done = run(["as-of", "2024-04-04T10:00", "--db", "x.db"], tmp_path, code=2)
    assert 1 == len(done.stderr.splitlines())
    assert "has no UTC offset" in done.stderr
    helped = run(["as-of", "--help"], tmp_path)
    assert "Usage: chronology as-of [OPTIONS] WHEN" in helped.stdout


def test_python_dash_m(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "chronology", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert 0 == done.returncode
    assert "Usage: python -m chronology" in done.stdout or "Usage: chronology" in done.stdout


# -- bare command ---------------------------------------------------------------------------------


def test_bare_command_prints_the_help_and_succeeds() -> None:
    helped = invoke(["--help"])
    bare = invoke([])
    assert helped.stdout == bare.stdout
    assert "" == bare.stderr
    assert bare.stdout.startswith("Usage: chronology [OPTIONS] COMMAND [ARGS]...\n")
    assert "\nCommands:\n" in bare.stdout


@pytest.mark.parametrize("how", ["script", "module"])
def test_bare_executable_prints_the_help_and_succeeds(tmp_path: Path, how: str) -> None:
    if how == "script":
        found = shutil.which("chronology")
        if found is None:
            pytest.skip("the chronology script is not on PATH")
        command = [found]
    else:
        command = [sys.executable, "-m", "chronology"]
    env = {k: v for k, v in os.environ.items() if k != DB_ENV}
    runs = [
        subprocess.run(
            [*command, *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        for args in ([], ["--help"])
    ]
    bare, helped = runs
    assert (0, "") == (bare.returncode, bare.stderr)
    assert helped.stdout == bare.stdout
    assert len(bare.stdout.splitlines()) > 10
    assert "Usage: " in bare.stdout.splitlines()[0]
