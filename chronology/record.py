"""Records and the hash chain: what a store keeps, and how a batch is sealed into it.

A :class:`Record` is an event as this chronicle stored it: its position (1, 2, 3, ...), its
content-derived ``event_id``, the system time ``recorded_at`` and the ``hash`` that chains it to
the record before. :func:`seal` makes every system-time decision for a batch (deduplication,
positions, ``recorded_at``, hashes, retraction targets) and is called by each store *inside* its
own transaction, so that several writers never interleave.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Final, NamedTuple

import attrs

from chronology.errors import EventError, RetractionError
from chronology.events import Event, Retracted
from chronology.serialization import _instant_text, payload_of

__all__ = ["GENESIS_HASH", "Pending", "Record", "chain_hash", "prepare", "seal"]

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


class Pending(NamedTuple):
    """An event ready to be stored: its canonical payload and id, computed once."""

    event: Event
    payload: str
    event_id: str


_sha256: Final = hashlib.sha256
_new_pending: Final = tuple.__new__


def prepare(events: Sequence[Event]) -> list[Pending]:
    """Serialize a batch once, refusing anything that is not a registered event.

    Raises:
        EventError: naming the index of the first item that is not an event.
    """
    out: list[Pending] = []
    append = out.append
    seen: set[type] = set()
    for i, event in enumerate(events):
        cls = event.__class__
        if cls not in seen:
            if not isinstance(event, Event):
                raise EventError(
                    f"events[{i}]: expected a chronology Event, got {type(event).__name__}"
                )
            seen.add(cls)
        payload = payload_of(event)
        # event_id_of(payload), inlined: this loop runs once per event written.
        append(_new_pending(Pending, (event, payload, _sha256(payload.encode()).hexdigest()[:32])))
    return out


def chain_hash(previous: str, position: int, event_id: str, recorded_at: str, payload: str) -> str:
    """The hash of a record, given the hash of the record before it."""
    text = f"{previous}\n{position}\n{event_id}\n{recorded_at}\n{payload}"
    return _sha256(text.encode()).hexdigest()


def _next_text(previous: datetime, text: str, current: datetime) -> str:
    """``current.isoformat()``, where ``current`` is one microsecond after ``previous``, whose
    ``isoformat()`` is ``text``: only the microseconds change, unless they roll over."""
    us = current.microsecond
    if us == 0 or previous.microsecond == 0 or current.second != previous.second:
        return current.isoformat()
    return f"{text[:20]}{us:06d}{text[26:]}"


@attrs.frozen
class Head:
    """The last record of a store: where the next one chains from."""

    position: int
    hash: str
    recorded_at: datetime


@attrs.frozen
class Sealed:
    """The outcome of :func:`seal`."""

    #: The records to insert, in position order.
    new: list[Record]
    #: Their payloads, in the same order.
    payloads: list[str]
    #: One record per input event (the new one, or the existing one for a duplicate).
    results: list[Record]
    #: The ``recorded_at.isoformat()`` of the new records, in the same order.
    recorded_texts: list[str] = attrs.field(factory=list)


def seal(
    batch: Sequence[Pending],
    head: Head | None,
    find: Callable[[Sequence[Pending]], Mapping[str, Record]],
    clock: Callable[[], datetime],
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

    Raises:
        RetractionError: if a :class:`.Retracted` targets an event that exists neither in the
            store nor earlier in the batch, or whose subject differs. ``index`` on the error
            is the offending item's index in the batch.
    """
    existing = find(batch)
    position = head.position if head else 0
    previous = head.hash if head else GENESIS_HASH
    last = head.recorded_at if head else None
    now = clock()
    if now.tzinfo is None:
        raise EventError("the chronicle's clock returned a naive datetime")
    now = now.astimezone(UTC)
    new: list[Record] = []
    payloads: list[str] = []
    results: list[Record] = []
    texts: list[str] = []
    seen: dict[str, Record] = {}
    text = ""
    sha256 = _sha256
    make, put = object.__new__, object.__setattr__
    for index, p in enumerate(batch):
        event, payload, event_id = p
        found = existing.get(event_id) or seen.get(event_id)
        if found is not None:
            results.append(found)
            continue
        if isinstance(event, Retracted):
            target = existing.get(event.target) or seen.get(event.target)
            if target is None:
                raise _retraction_error(index, f"target {event.target!r} is not in the chronicle")
            if target.event.subject != event.subject:
                raise _retraction_error(
                    index,
                    f"subject {event.subject!r} differs from its target's {target.event.subject!r}",
                )
        position += 1
        if last is None or now > last:
            recorded_at = now
            text = _instant_text(now)
        else:
            recorded_at = last + _TICK
            us = recorded_at.microsecond
            if text and us > 1:  # one microsecond on, in the same second: only the digits move
                text = f"{text[:20]}{us:06d}{text[26:]}"
            else:
                text = _next_text(last, text, recorded_at) if text else recorded_at.isoformat()
        last = recorded_at
        # chain_hash(), inlined: this loop runs once per event written.
        previous = sha256(
            f"{previous}\n{position}\n{event_id}\n{text}\n{payload}".encode()
        ).hexdigest()
        # Record(...), without the keyword-argument call: the same frozen instance.
        record = make(Record)
        put(record, "position", position)
        put(record, "event_id", event_id)
        put(record, "recorded_at", recorded_at)
        put(record, "event", event)
        put(record, "hash", previous)
        seen[event_id] = record
        new.append(record)
        payloads.append(payload)
        results.append(record)
        texts.append(text)
    return Sealed(new, payloads, results, texts)


def _retraction_error(index: int, reason: str) -> RetractionError:
    return RetractionError(f"events[{index}] (retracted): {reason}", index)
