"""Reading back: the shortcuts of the payload readers and of a first view give what the plain
paths give."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest

from chronology import Chronicle, Source, Window
from chronology.errors import ChronologyError
from chronology.events import (
    Event,
    Likelihood,
    Quantity,
    TradeProjected,
    TradeProjectionRevised,
    TradeReported,
    VisitAnnounced,
    VisitOccurred,
    VisitPostponed,
    VisitScheduled,
)
from chronology.fold import fold_expectations
from chronology.serialization import event_from_dict, event_from_payload, payload_of
from chronology.snapshots import Snapshots

T0 = datetime(2024, 4, 1, tzinfo=UTC)


def _outcome(read: Callable[[str], Event], payload: str) -> object:
    try:
        return read(payload)
    except Exception as exc:
        return (type(exc), str(exc))


def _strict(payload: str) -> Event:
    return event_from_dict(json.loads(payload))


def _instants(value: object) -> list[str]:
    """Every instant inside ``value``, as text (equal datetimes may differ in their zone)."""
    if isinstance(value, datetime):
        return [value.isoformat()]
    if attrs.has(type(value)):
        names = [f.name for f in attrs.fields(type(value))]  # type: ignore[arg-type]
        return [t for name in names for t in _instants(getattr(value, name))]
    if isinstance(value, tuple):
        return [t for item in value for t in _instants(item)]
    return []


def test_sources_that_are_a_name_only_are_shared_per_name() -> None:
    first = VisitScheduled(subject="v/1", known_at=T0, source=Source("Reuters"), window="2024-05")
    second = VisitPostponed(subject="v/2", known_at=T0, source=Source("Reuters"))
    other = VisitPostponed(subject="v/3", known_at=T0, source=Source("TASS"))
    a, b, c = (event_from_payload(payload_of(e)) for e in (first, second, other))
    assert Source("Reuters") == a.source
    assert a.source is b.source
    assert Source("TASS") == c.source
    assert a.source is not c.source


def test_sources_with_more_than_a_name_are_read_whole() -> None:
    full = Source(
        "Bloomberg",
        kind="news",
        speaker="a minister",
        url="https://example.org/x",
        published_at="2024-04-01T10:00:00+02:00",
        via=(Source("Kpler", kind="data"), Source("Reuters")),
    )
    event = VisitPostponed(subject="v/1", known_at=T0, source=full)
    read = event_from_payload(payload_of(event))
    assert event == read
    assert full == read.source
    # A name-only source of the same name is another value, and stays one.
    same_name = VisitPostponed(subject="v/1", known_at=T0, source=Source("Bloomberg"))
    plain = event_from_payload(payload_of(same_name))
    assert plain.source != read.source


@pytest.mark.parametrize(
    "window",
    [
        Window("2024-04-08", "2024-04-10"),
        Window("2024-04-08", None),
        Window(None, "2024-04-10"),
        Window("2024-04-08", "2024-04-10", label="next week"),
        Window("2024-04-08", "2024-04-10", approximate=True, uncertain=True),
        Window(),
    ],
)
def test_windows_read_back_equal(window: Window) -> None:
    event = VisitScheduled(subject="v/1", known_at=T0, window=window)
    read = event_from_payload(payload_of(event))
    assert event == read
    assert window == read.window
    assert _instants(event) == _instants(read)


@pytest.mark.parametrize(
    "payload",
    [
        # Bounds not in UTC: the strict path brings them to UTC.
        '{"known_at":"2024-04-03T00:00:00+00:00","subject":"v/1","type":"visit.scheduled",'
        '"window":{"end":"2024-04-10T00:00:00+02:00","start":"2024-04-08T00:00:00+00:00"}}',
        '{"known_at":"2024-04-03T00:00:00+00:00","subject":"v/1","type":"visit.scheduled",'
        '"window":{"end":"2024-04-10T00:00:00+00:00","start":"2024-04-08T00:00:00-05:00"}}',
        # Two keys, not the two bounds; a bound that is not text; bounds out of order.
        '{"known_at":"2024-04-03T00:00:00+00:00","subject":"v/1","type":"visit.scheduled",'
        '"window":{"end":"2024-04-10T00:00:00+00:00","label":"soon"}}',
        '{"known_at":"2024-04-03T00:00:00+00:00","subject":"v/1","type":"visit.scheduled",'
        '"window":{"end":"2024-04-10T00:00:00+00:00","start":7}}',
        '{"known_at":"2024-04-03T00:00:00+00:00","subject":"v/1","type":"visit.scheduled",'
        '"window":{"end":"2024-04-10T00:00:00+00:00","start":null}}',
        # An EDTF string instead of an object.
        '{"known_at":"2024-04-03T00:00:00+00:00","subject":"v/1","type":"visit.scheduled",'
        '"window":"2024-04"}',
        # A known_at not in UTC.
        '{"known_at":"2024-04-03T03:00:00+03:00","subject":"v/1","type":"visit.scheduled",'
        '"window":{"end":"2024-04-10T00:00:00+00:00","start":"2024-04-08T00:00:00+00:00"}}',
        # Likelihoods: each value, and one that is not.
        *(
            '{"known_at":"2024-04-03T00:00:00+00:00","likelihood":"' + m.value + '",'
            '"subject":"v/1","type":"visit.announced","v":2}'
            for m in Likelihood
        ),
        '{"known_at":"2024-04-03T00:00:00+00:00","likelihood":"sure","subject":"v/1",'
        '"type":"visit.announced","v":2}',
        '{"known_at":"2024-04-03T00:00:00+00:00","likelihood":["certain"],"subject":"v/1",'
        '"type":"visit.announced","v":2}',
        # Sources: a name that is not text, an unknown key, a name-only one inside via.
        '{"known_at":"2024-04-03T00:00:00+00:00","source":{"name":3},"subject":"v/1",'
        '"type":"visit.postponed"}',
        '{"known_at":"2024-04-03T00:00:00+00:00","source":{"nom":"Reuters"},"subject":"v/1",'
        '"type":"visit.postponed"}',
        '{"known_at":"2024-04-03T00:00:00+00:00","source":{"name":"Reuters","via":'
        '[{"name":"Kpler"}]},"subject":"v/1","type":"visit.postponed"}',
        '{"known_at":"2024-04-03T00:00:00+00:00","source":"Reuters","subject":"v/1",'
        '"type":"visit.postponed"}',
    ],
)
def test_payloads_read_as_the_strict_path_reads_them(payload: str) -> None:
    expected = _outcome(_strict, payload)
    actual = _outcome(event_from_payload, payload)
    assert expected == actual
    if isinstance(expected, Event):
        assert isinstance(actual, Event)
        assert payload_of(expected) == payload_of(actual)
        assert _instants(expected) == _instants(actual)


def _trade_log() -> list[Event]:
    """Trade and visit events with ties in ``known_at`` (snapshots go between instants)."""
    out: list[Event] = []
    for i in range(12):
        at = T0 + timedelta(hours=i // 3)  # three events per instant
        subject = f"trade/{i % 4}"
        if i < 4:
            out.append(
                TradeProjected(
                    subject=subject,
                    known_at=at,
                    source=Source("Reuters"),
                    exporter="A",
                    importer="B",
                    period="2024-04",
                    quantity=Quantity(1.0 + i, "Mt"),
                    scope="seaborne",
                    likelihood="probable",
                )
            )
        elif i < 8:
            out.append(
                TradeProjectionRevised(
                    subject=subject,
                    known_at=at,
                    source=Source("TASS"),
                    quantity=Quantity(2.0, "Mt"),
                )
            )
        else:
            out.append(
                TradeReported(
                    subject=subject,
                    known_at=at,
                    source=Source("Kpler", kind="data"),
                    quantity=Quantity(3.0, "Mt"),
                    scope="customs",
                    period="2024-04",
                    preliminary=i % 2 == 0,
                )
            )
        out.append(
            VisitAnnounced(
                subject=f"visit/{i % 3}",
                known_at=at,
                source=Source("Dawn"),
                window=Window(at + timedelta(days=1), at + timedelta(days=2)),
                agenda=("trade",),
            )
        )
        if i % 5 == 4:
            out.append(
                VisitOccurred(
                    subject=f"visit/{i % 3}", known_at=at, window=Window(at, at + timedelta(days=1))
                )
            )
    return out


@pytest.mark.parametrize("every", [1, 2, 5, 1000])
def test_a_first_view_from_a_file_equals_a_naive_fold(tmp_path: Path, every: int) -> None:
    """A first view streams the records of the file through the fold, leaving snapshots
    between instants; its answer is the fold of every record, at every instant asked."""
    path = tmp_path / "log.db"
    events = _trade_log()
    with Chronicle.open(path) as c:
        c.extend(events)
    instants = sorted({e.known_at for e in events})
    for at in [*instants, instants[-1] + timedelta(days=30)]:
        with Chronicle.open(path, read_only=True) as c:
            c.snapshots = Snapshots(c.store, every=every)
            records = list(c.store.ordered(at))
            naive = fold_expectations((r.event, r.event_id) for r in records).freeze(at)
            view = c.as_of(at)
            assert list(naive.values()) == list(view.expectations())
            # A second view folds on from the snapshots the first one left.
            assert list(naive.values()) == list(c.as_of(at).expectations())


def test_the_fold_keeps_each_distinct_source_once_in_order_of_first_appearance() -> None:
    """Name-only sources are told apart by name, any other by the whole value; through a
    snapshot (a thawed expectation) as well."""
    sources = [
        Source("Reuters"),
        Source("Reuters", url="https://example.org/1"),
        Source("Reuters"),  # equal to the first, another object
        Source("TASS"),
        Source("Reuters", url="https://example.org/1"),
        Source("Reuters", via=(Source("Kpler"),)),
        Source("TASS"),
    ]
    events = [
        VisitPostponed(subject="v/1", known_at=T0 + timedelta(minutes=i), source=s)
        for i, s in enumerate(sources)
    ]
    expected = (
        Source("Reuters"),
        Source("Reuters", url="https://example.org/1"),
        Source("TASS"),
        Source("Reuters", via=(Source("Kpler"),)),
    )
    folded = fold_expectations((e, str(i)) for i, e in enumerate(events)).freeze(None)
    assert expected == folded["v/1"].sources
    c = Chronicle()
    c.snapshots = Snapshots(c.store, every=1)
    for e in events:
        c.append(e)
        c.as_of(e.known_at).expectations()  # a snapshot after every record
    assert expected == c.as_of(events[-1].known_at)["v/1"].sources


@pytest.mark.parametrize(
    "window",
    [
        {"start": "2024-05-01T00:00:00+00:00", "end": "2024-05-02T00:00:00+00:00", "x": 1},
        {"start": "2024-05-01T00:00:00+00:00", "approximate": "yes"},
        {"end": "2024-05-01T00:00:00+00:00", "uncertain": 1},
        {"start": "2024-05-02T00:00:00+00:00", "end": "2024-05-01T00:00:00+00:00"},
        {"start": "2024-05-02T00:00:00+00:00", "end": "2024-05-01T00:00:00+00:00", "label": "x"},
    ],
)
def test_a_malformed_stored_window_is_refused_as_the_strict_path_refuses_it(
    window: dict[str, object],
) -> None:
    payload = json.dumps(
        {
            "known_at": "2024-04-01T00:00:00+00:00",
            "subject": "visit/a",
            "type": "visit.scheduled",
            "window": window,
        },
        sort_keys=True,
    )
    with pytest.raises(ChronologyError) as strict:
        event_from_dict(json.loads(payload))
    with pytest.raises(ChronologyError) as fast:
        event_from_payload(payload)
    assert (type(strict.value), str(strict.value)) == (type(fast.value), str(fast.value))
