"""Every bad input the core handles: the error class, a message that says what and where, and
a chronicle left exactly as it was.

(Store paths, read-only files and tampered SQLite files are tested with the SQLite store.)
"""

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import attrs
import pytest

from chronology import (
    Chronicle,
    ChronologyError,
    EventError,
    ImportLineError,
    IntegrityError,
    RetractionError,
    StoreError,
    TimeError,
    UnknownEventTypeError,
    Window,
    WindowError,
)
from chronology.events import (
    Event,
    Retracted,
    Source,
    VisitAnnounced,
    VisitCancelled,
    VisitScheduled,
)
from chronology.serialization import event_to_dict
from chronology.stores import MemoryBackend, MemoryStore
from chronology.testing import FakeClock

V = "visit/lavrov-china-2024-04"
AT = "2024-04-03T12:00:00+00:00"


def announced(**kw: object) -> VisitAnnounced:
    fields: dict[str, object] = {"subject": V, "known_at": AT, "visitor": "Sergei Lavrov", **kw}
    return VisitAnnounced(**fields)  # type: ignore[arg-type]


def line(event: Event) -> str:
    return json.dumps(event_to_dict(event))


@pytest.fixture
def chronicle() -> Chronicle:
    """A chronicle holding one record, to show that refusals leave it as it was."""
    c = Chronicle(clock=FakeClock())
    c.append(announced())
    return c


class WriteLines(Protocol):
    """The ``write`` fixture: writes lines (text gets a newline, bytes are kept as given)."""

    def __call__(self, *lines: str | bytes, name: str = "in.jsonl") -> Path: ...


@pytest.fixture
def write(tmp_path: Path) -> WriteLines:
    def write_lines(*lines: str | bytes, name: str = "in.jsonl") -> Path:
        path = tmp_path / name
        path.write_bytes(b"".join(x if isinstance(x, bytes) else x.encode() + b"\n" for x in lines))
        return path

    return write_lines


def test_every_error_is_a_chronology_error() -> None:
    for cls in (
        TimeError,
        WindowError,
        EventError,
        UnknownEventTypeError,
        RetractionError,
        ImportLineError,
        IntegrityError,
        StoreError,
    ):
        assert issubclass(cls, ChronologyError)


# -- naive datetimes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "where"),
    [
        (lambda: announced(known_at=datetime(2024, 4, 3, 12)), r"VisitAnnounced\.known_at"),
        (
            lambda: VisitAnnounced(subject=V, known_at="2024-04-03T12:00:00"),
            r"VisitAnnounced\.known_at",
        ),
        (
            lambda: announced(source=Source("R", published_at=datetime(2024, 4, 3))),
            r"Source\.published_at",
        ),
        (lambda: announced(window=Window(datetime(2024, 4, 8), None)), "window start"),
        (lambda: announced(window=Window(None, datetime(2024, 4, 8))), "window end"),
        (lambda: Window.vague("soon", anchor=datetime(2024, 4, 3)), "anchor"),
    ],
)
def test_naive_datetimes_are_refused_when_the_value_is_built(build: object, where: str) -> None:
    with pytest.raises(TimeError, match=rf"^{where}: .*(naive datetime|no UTC offset)"):
        build()  # type: ignore[operator]


def test_naive_question_instants_are_refused_naming_the_argument(chronicle: Chronicle) -> None:
    with pytest.raises(TimeError, match=r"^as_of: naive datetime '2024-04-03T12:00:00' refused"):
        chronicle.as_of(datetime(2024, 4, 3, 12))
    with pytest.raises(TimeError, match=r"^recorded_by: '2024-05-01T00:00:00' has no UTC offset"):
        chronicle.as_of("2024-04-03", recorded_by="2024-05-01T00:00:00")
    with pytest.raises(TimeError, match=r"^recorded_by: naive datetime"):
        chronicle.history(V, recorded_by=datetime(2024, 5, 1))
    with pytest.raises(TimeError, match=r"^start: naive datetime"):
        chronicle.as_of("2024-04-03").expected_between(datetime(2024, 4, 1), date(2024, 4, 30))
    with pytest.raises(TimeError, match=r"^end: naive datetime"):
        chronicle.as_of("2024-04-03").expected_between(date(2024, 4, 1), datetime(2024, 4, 30))
    assert 1 == len(chronicle)


def test_a_naive_clock_is_refused_and_nothing_is_appended() -> None:
    c = Chronicle(clock=lambda: datetime(2024, 5, 1))
    with pytest.raises(EventError, match="the chronicle's clock returned a naive datetime"):
        c.append(announced())
    assert 0 == len(c)


def test_naive_known_at_in_a_file_names_the_line_and_field(
    chronicle: Chronicle, write: WriteLines
) -> None:
    bad = {**event_to_dict(announced(visitor="W")), "known_at": "2024-04-04T09:00:00"}
    path = write(line(VisitCancelled(subject=V, known_at=AT)), json.dumps(bad))
    with pytest.raises(
        ImportLineError, match=r"line 2: visit\.announced: .*no UTC offset.*event\.known_at"
    ):
        chronicle.import_jsonl(path)
    assert 1 == len(chronicle)


# -- windows ------------------------------------------------------------------------------------


def test_window_end_before_start() -> None:
    with pytest.raises(
        WindowError,
        match=r"window end 2024-04-08T00:00:00\+00:00 is before its start 2024-04-09T00:00:00",
    ):
        Window("2024-04-09", "2024-04-08")
    with pytest.raises(
        WindowError, match=r"'2024-04-09/2024-04-08': the end '2024-04-08' is before"
    ):
        VisitScheduled(subject=V, known_at=AT, window="2024-04-09/2024-04-08")


def test_window_end_before_start_in_a_file(chronicle: Chronicle, write: WriteLines) -> None:
    bad = {"type": "visit.scheduled", "subject": V, "known_at": AT}
    path = write(
        json.dumps({**bad, "window": "2024-04-08/2024-04-09"}),
        json.dumps(
            {**bad, "window": {"start": "2024-04-09T00:00:00Z", "end": "2024-04-08T00:00:00Z"}}
        ),
    )
    with pytest.raises(
        ImportLineError,
        match=r"line 2: visit\.scheduled: window end .* is before its start .*event\.window",
    ):
        chronicle.import_jsonl(path)
    assert 1 == len(chronicle)


# -- unknown tags, malformed and invalid lines --------------------------------------------------


def test_unknown_tag_in_a_file(chronicle: Chronicle, write: WriteLines) -> None:
    path = write(
        line(VisitCancelled(subject=V, known_at=AT)), '{"type": "visit.teleported", "subject": "v"}'
    )
    with pytest.raises(
        ImportLineError, match=r"in\.jsonl: line 2: unknown event type 'visit\.teleported'"
    ) as info:
        chronicle.import_jsonl(path)
    assert (2, str(path)) == (info.value.line, info.value.path)
    assert 1 == len(chronicle)


def test_missing_tag_in_a_file(chronicle: Chronicle, write: WriteLines) -> None:
    path = write(json.dumps({"subject": V, "known_at": AT}))
    with pytest.raises(ImportLineError, match=r"line 1: missing 'type'"):
        chronicle.import_jsonl(path)
    assert 1 == len(chronicle)


@pytest.mark.parametrize(
    ("bad", "number", "reason"),
    [
        ("{not json", 3, r"malformed JSON at column 2: Expecting property name"),
        ('{"type": "visit.cancelled", "subject": "v"', 3, r"malformed JSON at column \d+"),
        ("[1, 2, 3]", 3, r"expected a JSON object, got list"),
        ("42", 3, r"expected a JSON object, got int"),
        ('"a string"', 3, r"expected a JSON object, got str"),
        ("[" * 100_000 + "]" * 100_000, 3, r"malformed JSON: nested more than 64 levels deep"),
    ],
)
def test_malformed_lines(
    chronicle: Chronicle, write: WriteLines, bad: str, number: int, reason: str
) -> None:
    good = line(VisitCancelled(subject=V, known_at=AT))
    path = write(good, "", bad, good)
    with pytest.raises(ImportLineError, match=rf": line {number}: {reason}") as info:
        chronicle.import_jsonl(path)
    assert number == info.value.line
    assert 1 == len(chronicle)


def test_truncated_last_line(chronicle: Chronicle, write: WriteLines) -> None:
    good = line(VisitCancelled(subject=V, known_at=AT))
    path = write(good, good[: len(good) // 2].encode())
    with pytest.raises(
        ImportLineError, match=r": line 2: malformed JSON at column \d+: Unterminated"
    ):
        chronicle.import_jsonl(path)
    assert 1 == len(chronicle)


def test_non_utf8_line(chronicle: Chronicle, write: WriteLines) -> None:
    path = write(line(VisitCancelled(subject=V, known_at=AT)), b'{"subject": "\xff"}\n')
    with pytest.raises(ImportLineError, match=r": line 2: not UTF-8 text \(invalid start byte\)"):
        chronicle.import_jsonl(path)
    assert 1 == len(chronicle)


def test_windows_line_endings_and_blank_lines_are_fine(
    chronicle: Chronicle, write: WriteLines
) -> None:
    good = line(VisitCancelled(subject=V, known_at=AT))
    path = write(b"\r\n", (good + "\r\n").encode(), b"   \n")
    assert 1 == len(chronicle.import_jsonl(path))
    assert 2 == len(chronicle)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"visitr": "x"}, r"unknown field\(s\): visitr"),
        (
            {"counterparts": "Wang Yi"},
            r"expected a list of strings, got 'Wang Yi' @ event\.counterparts",
        ),
        (
            {"probability": 2},
            r"probability: expected a probability in \[0, 1\], got 2\.0 \(float\) @ event",
        ),
        ({"likelihood": "perhaps"}, r"got 'perhaps' @ event\.likelihood"),
        ({"subject": ""}, r"subject: expected a non-empty string"),
        (
            {"source": {"nam": "Reuters"}},
            r"required field missing @ event\.source\.name; "
            r"unknown field\(s\): nam @ event\.source",
        ),
    ],
)
def test_invalid_fields_in_a_file(
    chronicle: Chronicle, write: WriteLines, fields: dict[str, object], reason: str
) -> None:
    good = line(VisitCancelled(subject=V, known_at=AT))
    bad = json.dumps({**event_to_dict(announced(visitor="Wang Yi")), **fields})
    path = write(good, good, bad)
    with pytest.raises(ImportLineError, match=rf": line 3: visit\.announced: .*{reason}"):
        chronicle.import_jsonl(path)
    assert 1 == len(chronicle)


def test_a_file_that_cannot_be_read(chronicle: Chronicle, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"nowhere\.jsonl: cannot read: No such file or directory"):
        chronicle.import_jsonl(tmp_path / "nowhere.jsonl")
    with pytest.raises(StoreError, match="cannot read: Is a directory"):
        chronicle.import_jsonl(tmp_path)
    assert 1 == len(chronicle)


def test_export_to_a_missing_directory(chronicle: Chronicle, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"cannot write: No such file or directory"):
        chronicle.export_jsonl(tmp_path / "missing" / "out.jsonl")


def test_appending_something_that_is_not_an_event(chronicle: Chronicle) -> None:
    with pytest.raises(EventError, match=r"events\[1\]: expected a chronology Event, got dict"):
        chronicle.extend([VisitCancelled(subject=V, known_at=AT), {"type": "visit.cancelled"}])  # type: ignore[list-item]
    assert 1 == len(chronicle)


# -- retractions --------------------------------------------------------------------------------


def test_retracting_a_missing_event(chronicle: Chronicle) -> None:
    ghost = Retracted(subject=V, known_at=AT, target="f" * 32)
    with pytest.raises(
        RetractionError, match=r"events\[0\] \(retracted\): target 'f{32}' is not in the chronicle"
    ) as info:
        chronicle.append(ghost)
    assert 0 == info.value.index
    with pytest.raises(RetractionError, match=r"events\[2\]") as info:
        chronicle.extend([VisitCancelled(subject=V, known_at=AT), announced(visitor="x"), ghost])
    assert 2 == info.value.index
    assert 1 == len(chronicle)


def test_retracting_an_event_of_another_subject(chronicle: Chronicle) -> None:
    [rec] = list(chronicle)
    wrong = Retracted(subject="visit/other", known_at=AT, target=rec.event_id)
    with pytest.raises(
        RetractionError,
        match=r"subject 'visit/other' differs from its target's 'visit/lavrov-china-2024-04'",
    ):
        chronicle.append(wrong)
    assert 1 == len(chronicle)


def test_retracting_a_missing_event_in_a_file(chronicle: Chronicle, write: WriteLines) -> None:
    ghost = Retracted(subject=V, known_at=AT, target="e" * 32)
    path = write(line(VisitCancelled(subject=V, known_at=AT)), "", line(ghost))
    with pytest.raises(
        ImportLineError, match=r": line 3: .*target 'e{32}' is not in the chronicle"
    ) as info:
        chronicle.import_jsonl(path)
    assert 3 == info.value.line
    assert 1 == len(chronicle)


# -- tampering with a memory store --------------------------------------------------------------


@pytest.fixture
def stored() -> tuple[Chronicle, MemoryBackend]:
    store = MemoryStore()
    clock = FakeClock()
    c = Chronicle(store, clock=clock)
    for d in range(3, 8):
        c.append(VisitCancelled(subject=V, known_at=f"2024-04-0{d}T12:00:00Z", reason=f"r{d}"))
        clock.advance()
    assert 5 == c.verify()
    assert isinstance(store.backend, MemoryBackend)
    return c, store.backend


def test_verify_catches_an_altered_event(stored: tuple[Chronicle, MemoryBackend]) -> None:
    c, store = stored
    event = store._events[2]
    assert isinstance(event, VisitCancelled)
    store._events[2] = attrs.evolve(event, reason="rewritten")
    with pytest.raises(
        IntegrityError, match=r"^record at position 3: event content does not match its event_id"
    ) as info:
        c.verify()
    assert 3 == info.value.position


def test_verify_catches_an_altered_hash(stored: tuple[Chronicle, MemoryBackend]) -> None:
    c, store = stored
    store._hashes.digests[3 * 32 : 4 * 32] = bytes(32)  # kept as 32-byte digests
    with pytest.raises(
        IntegrityError, match=r"^record at position 4: hash does not match the chain"
    ):
        c.verify()


def test_verify_catches_an_altered_system_time(stored: tuple[Chronicle, MemoryBackend]) -> None:
    c, store = stored
    recorded_at = store._recorded[1]
    store._recorded[1] = recorded_at + timedelta(hours=1)
    with pytest.raises(
        IntegrityError, match=r"^record at position 2: hash does not match the chain"
    ):
        c.verify()
    store._recorded[1] = datetime(2000, 1, 1, tzinfo=UTC)
    with pytest.raises(
        IntegrityError, match=r"^record at position 2: recorded_at does not increase"
    ):
        c.verify()


def _parts(store: MemoryBackend) -> list[list[Any]]:
    # The memory store keeps a record as its parts, in parallel lists (and its hash in a buffer).
    return [store._events, store._ids, store._recorded]


def test_verify_catches_a_removed_record(stored: tuple[Chronicle, MemoryBackend]) -> None:
    c, store = stored
    for part in _parts(store):
        del part[1]
    del store._hashes.digests[32:64]
    store._count -= 1
    # The memory store numbers records by where they are, so the record that moved up to
    # position 2 no longer hashes to the chain.
    with pytest.raises(
        IntegrityError, match=r"^record at position 2: hash does not match the chain"
    ):
        c.verify()


def _order_run(store: MemoryBackend) -> tuple[list[Any], list[Any]]:
    # Appended in order, the five records are all in the order index's run: (known_at of
    # each, list indexes), in parallel lists.
    index = store._order_index
    assert 5 == len(index._run) == len(index._run_known)
    return index._run_known, index._run


def _swap_first_two(store: MemoryBackend) -> None:
    ordered = _order_run(store)[1]
    ordered[0], ordered[1] = ordered[1], ordered[0]


def _hold_the_fourth_twice(store: MemoryBackend) -> None:
    known, ordered = _order_run(store)
    known[4], ordered[4] = known[3], ordered[3]


def _swap_first_two_with_their_times(store: MemoryBackend) -> None:
    known, ordered = _order_run(store)
    known[0], known[1] = known[1], known[0]
    ordered[0], ordered[1] = ordered[1], ordered[0]


def _leave_out_the_last(store: MemoryBackend) -> None:
    for part in _order_run(store):
        del part[-1]


@pytest.mark.parametrize(
    ("tamper", "position", "reason"),
    [
        pytest.param(
            lambda s: s._by_id.__setitem__(s._ids[2], 3),
            3,
            "the id index does not find it by its id",
            id="id-points-elsewhere",
        ),
        pytest.param(
            lambda s: s._by_id.__setitem__("0" * 32, 3),
            4,
            "the id index holds an id no record has here",
            id="stray-id",
        ),
        pytest.param(
            lambda s: s._by_id.pop(s._ids[1]),
            2,
            "the id index does not find it by its id",
            id="id-removed",
        ),
        pytest.param(
            lambda s: s._by_subject[V].remove(2), 3, "not listed under its subject", id="unlisted"
        ),
        pytest.param(
            lambda s: s._by_subject.__setitem__("visit/other", [1]),
            2,
            "wrongly listed under the subject 'visit/other'",
            id="listed-under-another-subject",
        ),
        pytest.param(
            _swap_first_two, 2, "out of place in the order index", id="known-at-mismatched"
        ),
        pytest.param(
            _swap_first_two_with_their_times,
            1,
            "out of place in the order index",
            id="out-of-order",
        ),
        pytest.param(_hold_the_fourth_twice, 4, "out of place in the order index", id="held-twice"),
        pytest.param(
            _leave_out_the_last,
            5,
            "left out of the order index",
            id="left-out-of-the-order",
        ),
        pytest.param(
            lambda s: s._retractions.append(1),
            2,
            "listed as a retraction, but its event is not one",
            id="listed-as-a-retraction",
        ),
    ],
)
def test_verify_catches_a_broken_index(
    stored: tuple[Chronicle, MemoryBackend],
    tamper: Callable[[MemoryBackend], object],
    position: int,
    reason: str,
) -> None:
    """The indexes that lookups and views trust are checked too (they go wrong only through a
    bug or code editing the store, so the check is what says which)."""
    c, store = stored
    tamper(store)
    with pytest.raises(IntegrityError) as caught:
        c.verify()
    assert position == caught.value.position
    assert reason == caught.value.reason[: len(reason)]


def test_verify_catches_a_retraction_left_out_of_its_index(
    stored: tuple[Chronicle, MemoryBackend],
) -> None:
    c, store = stored
    c.append(Retracted(subject=V, known_at="2024-04-09T00:00:00Z", target=store._ids[1]))
    assert 6 == c.verify()
    store._retractions.clear()
    with pytest.raises(
        IntegrityError, match=r"^record at position 6: a retraction that the store does not list"
    ):
        c.verify()


def test_verify_catches_a_retraction_listed_twice(stored: tuple[Chronicle, MemoryBackend]) -> None:
    c, store = stored
    c.append(Retracted(subject=V, known_at="2024-04-09T00:00:00Z", target=store._ids[1]))
    store._retractions.append(5)
    with pytest.raises(
        IntegrityError, match=r"^record at position 6: listed as a retraction more than once"
    ):
        c.verify()


def test_verify_catches_reordered_records(stored: tuple[Chronicle, MemoryBackend]) -> None:
    c, store = stored
    for part in _parts(store):
        part[0], part[1] = part[1], part[0]
    with pytest.raises(IntegrityError, match=r"^record at position 1: "):
        c.verify()
