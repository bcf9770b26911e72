"""Plugins: an installed package with an entry point in the ``chronology.events`` group
registers an event family, its fold handlers and its kind; the library and the ``chronology``
command read a chronicle holding its events once it is installed, and say which tag is unknown
(and that no installed plugin provides it) otherwise.

The plugin is built here, in a temporary directory: a module and a ``*.dist-info`` directory
with ``METADATA`` and ``entry_points.txt``, put on the ``PYTHONPATH`` of real subprocesses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "chronology"]

PLUGIN = '''
"""A chronology plugin: expected bird sightings."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, ClassVar

import attrs

from chronology import Event, Likelihood, Source, Window, event_type
from chronology.lifecycle import PLAN_PAST_DUE, announcement
from chronology.registry import fold_handler, register_fold_handler, register_kind
from chronology.render import register_key_figure


def _window(value: Window | str | None) -> Window | None:
    return Window.parse(value) if isinstance(value, str) else value


class SightingEvent(Event):
    """Base of the sighting events."""


@event_type("sighting.expected")
@attrs.frozen(kw_only=True)
class SightingExpected(SightingEvent):
    species: str
    place: str | None = None
    window: Window | None = attrs.field(default=None, converter=_window)
    likelihood: Likelihood | None = None
    probability: float | None = None


@event_type("sighting.made")
@attrs.frozen(kw_only=True)
class SightingMade(SightingEvent):
    place: str | None = None


class SightingStatus(enum.StrEnum):
    ANNOUNCED = "announced"
    OVERDUE = "overdue"
    SEEN = "seen"


@attrs.frozen(kw_only=True)
class SightingExpectation:
    subject: str
    status: Any
    species: str | None = None
    place: str | None = None
    window: Window | None = None
    first_window: Window | None = None
    likelihood: Likelihood | None = None
    probability: float | None = None
    sources: tuple[Source, ...] = ()
    first_known_at: datetime
    updated_at: datetime
    event_ids: tuple[str, ...] = ()
    partial: bool = False

    kind: ClassVar[str] = "sighting"


register_kind("sighting", events=SightingEvent, value=SightingExpectation, past_due=PLAN_PAST_DUE)
register_fold_handler(SightingExpected, announcement(scalars=("species", "place")))


@fold_handler(SightingMade)
def _made(fields: dict[str, Any], event: SightingMade) -> None:
    fields["status"] = SightingStatus.SEEN
    if event.place is not None:
        fields["place"] = event.place


register_key_figure("sighting", lambda e: f"{e.species} at {e.place}")
'''

BROKEN = """
raise RuntimeError("the sightings database is not configured")
"""


def make_plugin(where: Path, name: str, source: str) -> Path:
    """Write a plugin module ``name`` and its distribution's metadata under ``where``."""
    where.mkdir(parents=True, exist_ok=True)
    (where / f"{name}.py").write_text(source, encoding="utf-8")
    info = where / f"{name}-1.0.dist-info"
    info.mkdir(exist_ok=True)
    dist = name.replace("_", "-")
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[chronology.events]\n{name.split('_')[-1]} = {name}\n", encoding="utf-8"
    )
    return where


def run(
    args: Sequence[str], cwd: Path, plugin: Path | None, *, code: int = 0
) -> subprocess.CompletedProcess[str]:
    """Run ``args`` with this tree (and the plugin's directory, if given) on ``PYTHONPATH``."""
    paths = [str(ROOT)] if plugin is None else [str(plugin), str(ROOT)]
    env = {k: v for k, v in os.environ.items() if k != "CHRONOLOGY_DB"}
    env["PYTHONPATH"] = os.pathsep.join(paths)
    done = subprocess.run(
        list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert code == done.returncode, (done.stdout, done.stderr)
    return done


WRITE = textwrap.dedent(
    """
    import sys
    from chronology import Chronicle, Source
    from chronology.registry import event_class

    Expected = event_class("sighting.expected")  # not registered yet: the plugin is loaded
    Made = event_class("sighting.made")
    c = Chronicle.open(sys.argv[1])
    c.extend([
        Expected(subject="sighting/heron", known_at="2024-05-01T08:00:00Z", species="grey heron",
                 place="north pond", window="2024-05-02/2024-05-04", source=Source("Birders")),
        Made(subject="sighting/heron", known_at="2024-05-03T07:00:00Z", place="south pond"),
        Expected(subject="sighting/crane", known_at="2024-05-01T09:00:00Z", species="crane",
                 window="2024-05-02"),
    ])
    c.close()
    """
)

READ = textwrap.dedent(
    """
    import json, sys
    from chronology import Chronicle

    c = Chronicle.open(sys.argv[1])
    before, after = c.as_of("2024-05-02T12:00:00Z"), c.as_of("2024-05-04")
    copy = Chronicle()
    copy.import_jsonl(sys.argv[2])
    copied = copy.as_of("2024-05-04").of_kind("sighting")
    print(json.dumps({
        "class": type(after["sighting/heron"]).__name__,
        "before": [(e.subject, str(e.status), e.place) for e in before.of_kind("sighting")],
        "after": [(e.subject, str(e.status), e.place) for e in after.of_kind("sighting")],
        "visits": len(after.visits()),
        "sources": [s.name for s in after["sighting/heron"].sources],
        "history": [str(ch.after.status) for ch in c.history("sighting/heron")],
        "copied": [(e.subject, str(e.status)) for e in copied],
    }))
    """
)


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_plugin(tmp_path_factory.mktemp("plugin"), "chronology_sightings", PLUGIN)


@pytest.fixture(scope="module")
def chronicle(plugin: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    here = tmp_path_factory.mktemp("chronicle")
    run([sys.executable, "-c", WRITE, "sightings.db"], here, plugin)
    return here / "sightings.db"


def test_the_built_in_projection_folds_the_plugins_family(plugin: Path, chronicle: Path) -> None:
    here = chronicle.parent
    run([*CLI, "export", "out.jsonl", "--db", str(chronicle)], here, plugin)
    done = run([sys.executable, "-c", READ, str(chronicle), "out.jsonl"], here, plugin)
    expected = {
        "class": "SightingExpectation",
        "before": [
            ["sighting/crane", "announced", None],
            ["sighting/heron", "announced", "north pond"],
        ],
        "after": [["sighting/crane", "overdue", None], ["sighting/heron", "seen", "south pond"]],
        "visits": 0,
        "sources": ["Birders"],
        "history": ["announced", "seen"],
        "copied": [["sighting/crane", "overdue"], ["sighting/heron", "seen"]],
    }
    assert expected == json.loads(done.stdout)


def test_export_and_import_round_trip_the_plugins_events(plugin: Path, chronicle: Path) -> None:
    here = chronicle.parent
    run([*CLI, "export", "round.jsonl", "--db", str(chronicle)], here, plugin)
    run([*CLI, "import", "round.jsonl", "--db", "copy.db"], here, plugin)
    again = run([*CLI, "export", "--db", "copy.db"], here, plugin).stdout.splitlines()
    first = (here / "round.jsonl").read_text(encoding="utf-8").splitlines()
    assert ["sighting.expected", "sighting.made", "sighting.expected"] == [
        json.loads(line)["type"] for line in first
    ]
    assert [json.loads(line)["event_id"] for line in first] == [
        json.loads(line)["event_id"] for line in again
    ]
    assert "grey heron" == json.loads(first[0])["species"]


def test_the_command_shows_the_plugins_expectations(plugin: Path, chronicle: Path) -> None:
    here, db = chronicle.parent, str(chronicle)
    table = run([*CLI, "as-of", "2024-05-02T12:00:00Z", "--db", db], here, plugin).stdout
    assert "grey heron at north pond" in table
    data = run(
        [*CLI, "as-of", "2024-05-04", "--db", db, "--kind", "sighting", "--format", "json"],
        here,
        plugin,
    ).stdout
    found = [(e["subject"], e["kind"], e["status"]) for e in json.loads(data)["expectations"]]
    assert [
        ("sighting/crane", "sighting", "overdue"),
        ("sighting/heron", "sighting", "seen"),
    ] == found
    history = run([*CLI, "history", "sighting/heron", "--db", db], here, plugin).stdout
    assert "sighting.made" in history
    assert "seen" in history
    verified = run([*CLI, "verify", "--db", db], here, plugin)
    assert "3 records" in verified.stdout + verified.stderr


def test_without_the_plugin_the_command_names_the_unknown_tag(chronicle: Path) -> None:
    done = run(
        [*CLI, "as-of", "2024-05-04", "--db", str(chronicle)], chronicle.parent, None, code=1
    )
    assert "unknown event type 'sighting.expected'" in done.stderr
    assert "no installed plugin (entry point group 'chronology.events') provides it" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_broken_plugin_is_named_without_a_traceback(
    chronicle: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    broken = make_plugin(tmp_path_factory.mktemp("broken"), "chronology_broken", BROKEN)
    done = run(
        [*CLI, "as-of", "2024-05-04", "--db", str(chronicle)], chronicle.parent, broken, code=1
    )
    expected = (
        "Error: the chronology plugin 'broken = chronology_broken' (entry point group "
        "'chronology.events') failed to load: RuntimeError: the sightings database is not "
        "configured"
    )
    assert expected == done.stderr.strip()


def test_load_plugins_loads_each_entry_point_once(plugin: Path, tmp_path: Path) -> None:
    code = "from chronology.registry import load_plugins; print(load_plugins(), load_plugins())"
    done = run([sys.executable, "-c", code], tmp_path, plugin)
    assert "('sightings',) ()" == done.stdout.strip()
