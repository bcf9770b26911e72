"""Records and the hash chain: what a store keeps, and how a batch is sealed into it.

A :class:`Record` is an event as this chronicle stored it: its position (1, 2, 3, ...), its
content-derived ``event_id``, the system time ``recorded_at`` and the ``hash`` that chains it to
the record before. :func:`seal` makes every system-time decision for a batch (deduplication,
positions, ``recorded_at``, hashes, retraction targets) and is called by the shared store
(:class:`~chronology.stores.base.Store`) *inside* its backend's transaction, so that several
writers never interleave.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import attrs

from chronology._codecs import WRITERS
from chronology._fastinit import builder_class, set_class, slot_setters
from chronology.errors import ChronologyError, ClockSkewError, EventError, RetractionError
from chronology.events import Event, Retracted
from chronology.serialization import instant_text, payload_of

__all__ = [
    "GENESIS_HASH",
    "Batch",
    "Record",
    "chain_hash",
    "new_record",
    "prepare",
    "recorded_texts",
    "seal",
]

#: The ``hash`` that the first record chains from.
GENESIS_HASH: Final = "0" * 64
_TICK: Final = timedelta(microseconds=1)


@attrs.frozen(kw_only=True)
class Record:
    """An event as stored in a chronicle.

    Attributes:
        position: 1-based, contiguous, in the order records were stored.
        event_id: derived from the event's canonical content, so the same event has the same
            id in every chronicle.
        recorded_at: when this chronicle stored it (system time); strictly increasing.
        event: the event.
        hash: SHA-256 chaining the previous record's hash with this record's content.
    """

    position: int
    event_id: str
    recorded_at: datetime
    event: Event
    hash: str

    @property
    def known_at(self) -> datetime:
        """The event's assertion time."""
        return self.event.known_at

    @property
    def subject(self) -> str:
        """The event's subject."""
        return self.event.subject


class Batch:
    """Events ready to be stored: each one's canonical payload and id, computed once.

    Parallel lists (no object per event: a batch is made for every ``extend``).

    Attributes:
        events: the events, in the order given.
        payloads: their canonical JSON text.
        ids: their ``event_id``.
        known_at_texts: the text of each one's ``known_at``, as in its payload.
        start: the index of the first event in the whole batch given by the user, when this
            one is a chunk of it (errors name ``events[start + i]``); 0 otherwise.
    """

    __slots__ = ("events", "ids", "known_at_texts", "payloads", "start")

    def __init__(
        self,
        events: list[Event],
        payloads: list[str],
        ids: list[str],
        known_at_texts: list[str],
        start: int = 0,
    ) -> None:
        self.events = events
        self.payloads = payloads
        self.ids = ids
        self.known_at_texts = known_at_texts
        self.start = start

    def __len__(self) -> int:
        return len(self.events)


_sha256: Final = hashlib.sha256
_MICROSECONDS: Final = 1_000_000


def prepare(events: Iterable[Event], *, start: int = 0) -> Batch:
    """Serialize a batch once (a list of its own), refusing anything that is not a registered
    event.

    Args:
        events: the events.
        start: where they begin in the whole batch the user gave, when they are a chunk of it
            (a store seals a large batch in chunks): errors name ``events[start + i]``.

    Raises:
        EventError: naming the index of the first item that is not an event, or of an event
            that cannot be written (only a custom event type can hold such values).
    """
    events = list(events)
    payloads: list[str] = []
    ids: list[str] = []
    texts: list[str] = []
    add_payload, add_id, add_text = payloads.append, ids.append, texts.append
    writers, sha256 = WRITERS, _sha256
    checked: set[type] = set()
    i = 0
    try:
        for i, event in enumerate(events):
            cls = event.__class__
            write = writers.get(cls)
            if write is None:
                if cls not in checked:
                    if not isinstance(event, Event):
                        raise EventError(
                            f"events[{start + i}]: expected a chronology Event,"
                            f" got {type(event).__name__}"
                        )
                    checked.add(cls)
                payload = payload_of(event)
                text = instant_text(event.known_at)
            else:
                text = instant_text(event.known_at)
                payload = write(event, text)
            add_payload(payload)
            add_text(text)
            add_id(sha256(payload.encode()).hexdigest()[:32])  # event_id_of(payload)
    except ChronologyError:
        raise
    except (ValueError, TypeError, RecursionError) as exc:
        # The built-in types refuse such values when built; a custom one may hold anything:
        # text UTF-8 cannot encode, an integer too long to write, a value JSON has no form for.
        raise EventError(
            f"events[{start + i}] ({type(events[i]).__name__}): cannot be written: {exc}"
        ) from None
    return Batch(events, payloads, ids, texts, start)


def chain_hash(previous: str, position: int, event_id: str, recorded_at: str, payload: str) -> str:
    """The hash of a record, given the hash of the record before it."""
    text = f"{previous}\n{position}\n{event_id}\n{recorded_at}\n{payload}"
    return _sha256(text.encode()).hexdigest()


@attrs.frozen
class Tip:
    """The last record of a store: where the next one chains from."""

    position: int
    hash: str
    recorded_at: datetime


class Sealed:
    """The outcome of :func:`seal`: the new records and what a store writes of them."""

    __slots__ = (
        "hashes",
        "ids",
        "known_at_texts",
        "new",
        "payloads",
        "recorded_texts",
        "results",
        "retractions",
    )

    def __init__(
        self,
        new: list[Record],
        results: list[Record],
        ids: list[str],
        payloads: list[str],
        recorded_texts: list[str],
        hashes: list[str],
        retractions: list[int],
        known_at_texts: list[str],
    ) -> None:
        #: The records to insert, in position order.
        self.new = new
        #: One record per input event (the new one, or the stored one for a duplicate).
        self.results = results
        #: The ``event_id``, payload, ``recorded_at`` text and hash of each new record.
        self.ids = ids
        self.payloads = payloads
        self.recorded_texts = recorded_texts
        self.hashes = hashes
        #: The positions of the new records that are retractions.
        self.retractions = retractions
        #: The ``known_at`` text of each new record, as in its payload (``Batch.known_at_texts``).
        self.known_at_texts = known_at_texts


_set_position, _set_event_id, _set_recorded_at, _set_event, _set_hash = slot_setters(
    Record, "position", "event_id", "recorded_at", "event", "hash"
)


#: Fills a new record with plain assignments (see :func:`~chronology._fastinit.builder_class`).
def _record_builder() -> type[Any]:
    builder = builder_class(Record)
    if builder is None:  # pragma: no cover - Record is slotted, without a __dict__
        raise TypeError("Record cannot be filled through a builder class")
    return builder


_RECORD_BUILDER: Final = _record_builder()


def new_record(
    position: int, event_id: str, recorded_at: datetime, event: Event, hash_: str
) -> Record:
    """``Record(position=..., ...)`` for values a store read back or sealed itself, without the
    keyword-argument call (stores make one per record read)."""
    record: Record = object.__new__(Record)
    _set_position(record, position)
    _set_event_id(record, event_id)
    _set_recorded_at(record, recorded_at)
    _set_event(record, event)
    _set_hash(record, hash_)
    return record


def seal(
    batch: Batch,
    head: Tip | None,
    find: Callable[[Batch], Mapping[str, Record]],
    clock: Callable[[], datetime],
    max_skew: timedelta | None = None,
) -> Sealed:
    """Turn a prepared batch into records that follow ``head``.

    Args:
        batch: the prepared events, in the order given by the user.
        head: the store's last record, or ``None`` when it is empty.
        find: given the batch, returns the stored records it refers to, by ``event_id``: the
            record of any event already stored, and the target of any :class:`.Retracted`. A
            store that detects duplicates itself (SQLite, with a unique index) may leave the
            former out, and seal again with them when its insert is refused.
        clock: the current time; if it does not move past the head's ``recorded_at``, the
            head's value plus one microsecond is used, so ``recorded_at`` strictly increases.
        max_skew: the most the clock may read behind the head's ``recorded_at`` (a writer
            whose clock is slower than the one that stored the head, by a little, takes the
            head's value plus one microsecond); ``None`` allows any lag.

    Raises:
        ClockSkewError: if the clock reads more than ``max_skew`` behind the head.
        RetractionError: if a :class:`.Retracted` targets an event that exists neither in the
            store nor earlier in the batch, or whose subject differs. ``index`` on the error
            is the offending item's index in the batch (counted from ``batch.start``).
    """
    existing = find(batch)
    events, ids = batch.events, batch.ids
    # Most batches are all new, distinct, and retract nothing: they skip the per-event checks.
    check = (
        bool(existing)
        or len(set(ids)) != len(ids)
        or any(issubclass(c, Retracted) for c in set(map(type, events)))
    )
    position = head.position if head else 0
    last = head.recorded_at if head else None
    now = clock()
    if now.tzinfo is None:
        raise EventError("the chronicle's clock returned a naive datetime")
    now = now.astimezone(UTC)
    if max_skew is not None and head is not None and last is not None and last - now > max_skew:
        raise ClockSkewError(now, last, head.position, max_skew)
    # The first new record takes ``now``, or the head's recorded_at plus one microsecond.
    first = now if last is None or now > last else last + _TICK
    if check:
        keep, slots, retractions = _sort_out(batch, existing, position)
        events = [events[k] for k in keep]
        ids = [ids[k] for k in keep]
        payloads = [batch.payloads[k] for k in keep]
        known = [batch.known_at_texts[k] for k in keep]
    else:
        payloads, known, retractions = batch.payloads, batch.known_at_texts, []
    texts = recorded_texts(first, len(events))
    new = _chain(head.hash if head else GENESIS_HASH, position, first, events, ids, texts, payloads)
    hashes = [record.hash for record in new]
    results = [new[s] if isinstance(s, int) else s for s in slots] if check else new
    return Sealed(new, results, ids, payloads, texts, hashes, retractions, known)


def recorded_texts(first: datetime, count: int) -> list[str]:
    """The ``recorded_at`` texts of ``count`` records one microsecond apart from ``first``:
    ``instant_text`` of each (:mod:`chronology.serialization`), made a second at a time
    (within one second only the six digits of the microseconds move).

    Example:
        >>> from datetime import UTC, datetime
        >>> recorded_texts(datetime(2024, 1, 1, 0, 0, 59, 999_999, tzinfo=UTC), 2)
        ['2024-01-01T00:00:59.999999+00:00', '2024-01-01T00:01:00+00:00']
    """
    texts: list[str] = []
    at = first
    while len(texts) < count:
        text = instant_text(at)
        us = at.microsecond
        stop = min(_MICROSECONDS, us + count - len(texts))
        if us:
            before, after = text[:20], text[26:]
        else:  # a whole second: the next record's text has digits where this one has none
            before, after = text[:19] + ".", text[19:]
        texts.append(text)
        texts += [f"{before}{u:06d}{after}" for u in range(us + 1, stop)]
        at = at + timedelta(microseconds=stop - us)
    return texts


def _chain(
    previous: str,
    position: int,
    first: datetime,
    events: list[Event],
    ids: list[str],
    texts: list[str],
    payloads: list[str],
) -> list[Record]:
    """The records of new events from ``position + 1`` on, ``recorded_at`` from ``first`` one
    microsecond apart, each hash chained on from ``previous`` (:func:`chain_hash`, inlined)."""
    records: list[Record] = []
    add = records.append
    sha256, make, tick, done = _sha256, object.__new__, _TICK, set_class
    builder, cls = _RECORD_BUILDER, Record
    recorded_at = first - tick
    for position, event, event_id, text, payload in zip(  # noqa: B020 - the positions go on
        range(position + 1, position + 1 + len(events)), events, ids, texts, payloads, strict=True
    ):
        previous = sha256(
            f"{previous}\n{position}\n{event_id}\n{text}\n{payload}".encode()
        ).hexdigest()
        recorded_at = recorded_at + tick
        # Record(...) without its keyword call: filled as a builder, then turned into a Record.
        record: Any = make(builder)
        record.position = position
        record.event_id = event_id
        record.recorded_at = recorded_at
        record.event = event
        record.hash = previous
        done(record, cls)
        add(record)
    return records


def _sort_out(
    batch: Batch, existing: Mapping[str, Record], position: int
) -> tuple[list[int], list[Record | int], list[int]]:
    """The per-event checks of a batch that needs them: which events are new (their indexes),
    what each input event gives (a stored record, or the index of its new record), and the
    positions the new retractions will take (the new records follow ``position``).

    Raises:
        RetractionError: as :func:`seal`.
    """
    keep: list[int] = []
    slots: list[Record | int] = []
    retractions: list[int] = []
    seen: dict[str, int] = {}  # event_id -> index of its new record
    events = batch.events
    for index, (event, event_id) in enumerate(zip(events, batch.ids, strict=True)):
        held = seen.get(event_id)
        if held is not None:
            slots.append(held)
            continue
        found = existing.get(event_id) if existing else None
        if found is not None:
            slots.append(found)
            continue
        if isinstance(event, Retracted):
            _check_target(batch.start + index, event, existing, seen, events, keep)
            retractions.append(position + len(keep) + 1)
        seen[event_id] = len(keep)
        slots.append(len(keep))
        keep.append(index)
    return keep, slots, retractions


def _check_target(
    index: int,
    event: Retracted,
    existing: Mapping[str, Record],
    seen: Mapping[str, int],
    events: list[Event],
    keep: list[int],
) -> None:
    target = existing.get(event.target)
    if target is not None:
        subject = target.event.subject
    elif event.target in seen:  # earlier in the batch: ``seen`` gives its new record's index
        subject = events[keep[seen[event.target]]].subject
    else:
        raise _retraction_error(index, f"target {event.target!r} is not in the chronicle")
    if subject != event.subject:
        raise _retraction_error(
            index, f"subject {event.subject!r} differs from its target's {subject!r}"
        )


def _retraction_error(index: int, reason: str) -> RetractionError:
    return RetractionError(f"events[{index}] (retracted): {reason}", index)
