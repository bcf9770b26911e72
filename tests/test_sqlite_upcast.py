"""Upcasting on read: version-1 ``visit.announced`` payloads, in a pinned old-format file.

``tests/data/visit-announced-v1.db`` was written once by ``tests/data/make_v1_chronicle.py`` the
way an old release stored events: payloads with no ``"v"``, one counterpart in
``"counterpart"``. The file must keep opening, verifying and reading with the current code.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from chronology import Chronicle
from chronology.errors import EventError
from chronology.events import VisitAnnounced, VisitCancelled
from chronology.expectations import Status, VisitExpectation
from chronology.serialization import event_from_dict, event_to_dict

PINNED = Path(__file__).parent / "data" / "visit-announced-v1.db"
VISIT = "visit/lavrov-china-2024-04"


@pytest.fixture
def old_file(tmp_path: Path) -> Path:
    """A copy of the pinned file: opening it for writing switches it to WAL mode."""
    copy = tmp_path / "old.db"
    shutil.copyfile(PINNED, copy)
    return copy


def test_the_pinned_file_opens_verifies_and_reads_upcast(old_file: Path) -> None:
    with Chronicle.open(old_file) as c:
        assert 3 == c.verify()
        first = next(iter(c))
        assert isinstance(first.event, VisitAnnounced)
        assert ("Wang Yi",) == first.event.counterparts
        visit = c.as_of("2024-04-07")[VISIT]
        assert isinstance(visit, VisitExpectation)
        assert ("Wang Yi",) == visit.counterparts
        assert Status.SCHEDULED == visit.status
        other = c.as_of("2024-04-08")["visit/wang-russia-2024"]
        assert isinstance(other, VisitExpectation)
        assert () == other.counterparts


def test_the_stored_payload_is_not_rewritten(old_file: Path) -> None:
    with Chronicle.open(old_file) as c:
        raw = next(iter(c.store.raw()))
        record = next(iter(c))
    stored = json.loads(raw.payload)
    assert "Wang Yi" == stored["counterpart"]
    assert "v" not in stored
    assert raw.event_id == record.event_id


def test_the_old_file_takes_new_records(old_file: Path) -> None:
    with Chronicle.open(old_file) as c:
        c.append(VisitCancelled(subject="visit/wang-russia-2024", known_at="2024-04-09"))
        assert 4 == c.verify()
    with Chronicle.open(old_file, read_only=True) as c:
        assert Status.CANCELLED == c.as_of("2024-04-10")["visit/wang-russia-2024"].status


def test_version_one_with_a_single_counterpart_is_upcast() -> None:
    event = event_from_dict(
        {"type": "visit.announced", "subject": VISIT, "known_at": "2024-04-03", "counterpart": "A"}
    )
    assert isinstance(event, VisitAnnounced)
    assert ("A",) == event.counterparts


def test_version_one_lines_that_already_use_counterparts_pass_through() -> None:
    line = {"type": "visit.announced", "subject": VISIT, "known_at": "2024-04-03"}
    event = event_from_dict({**line, "counterparts": ["A", "B"]})
    assert isinstance(event, VisitAnnounced)
    assert ("A", "B") == event.counterparts
    bare = event_from_dict(line)
    assert isinstance(bare, VisitAnnounced)
    assert () == bare.counterparts


def test_new_payloads_are_written_as_version_two_and_round_trip() -> None:
    event = VisitAnnounced(subject=VISIT, known_at="2024-04-03", counterparts=("A",))
    data = event_to_dict(event)
    assert 2 == data["v"]
    assert ["A"] == data["counterparts"]
    assert event == event_from_dict(json.loads(json.dumps(data)))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"counterpart": "A", "counterparts": ["B"]}, "both counterpart and counterparts"),
        ({"counterpart": ["A"]}, r"counterpart: expected a string, got \['A'\]"),
    ],
)
def test_ambiguous_version_one_payloads_are_refused(extra: dict[str, object], message: str) -> None:
    with pytest.raises(EventError, match=message):
        event_from_dict(
            {"type": "visit.announced", "subject": VISIT, "known_at": "2024-04-03", **extra}
        )


def test_version_two_payloads_are_not_upcast_again() -> None:
    with pytest.raises(EventError, match=r"unknown field\(s\): counterpart"):
        event_from_dict(
            {
                "type": "visit.announced",
                "v": 2,
                "subject": VISIT,
                "known_at": "2024-04-03",
                "counterpart": "A",
            }
        )
