"""Integrity: the check of a whole log (:func:`verify`, which :meth:`.Chronicle.verify` runs), and
published heads, what a chronicle's keeper publishes so that anyone can later tell whether the
log was rewritten.

The hash chain shows that a log is *consistent*: each record's ``hash`` covers its content and
the hash before it. It cannot show that the log is *the one that was written*: whoever can
write the file can change a record, compute every later hash again and reseal the head, and
:meth:`.Chronicle.verify` passes. A :class:`Head` published elsewhere (a release note, a
signed message, another machine) closes that gap: a log that still holds the record at the
published position with the published hash extends what was published, and to forge a record
at or before that position the forger would have to find a SHA-256 collision.
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import datetime
from typing import TYPE_CHECKING, Final, Self

import attrs

from chronology.errors import ChronologyError, HeadError, IntegrityError
from chronology.events import Retracted
from chronology.fold import fold_expectations
from chronology.record import GENESIS_HASH, chain_hash
from chronology.serialization import event_from_dict, event_id_of
from chronology.snapshot_text import SnapshotTextError, read_snapshot
from chronology.visibility import NOT_A_RETRACTION, effective_records

if TYPE_CHECKING:
    from chronology.stores.base import Store

__all__ = ["Head", "head_of", "verify"]

_HASH: Final = re.compile(r"[0-9a-f]{64}")


def _check_position(instance: Head, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise HeadError(f"position: expected an integer >= 0, got {value!r}")


def _check_hash(instance: Head, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or _HASH.fullmatch(value) is None:
        raise HeadError(f"hash: expected 64 lowercase hexadecimal digits, got {value!r}")


@attrs.frozen
class Head:
    """The position and hash of a chronicle's last record, to publish.

    An empty chronicle's head is position 0 with the genesis hash (64 zeros), which the first
    record chains from: every log extends it.

    Attributes:
        position: the position of the last record (0 for an empty chronicle).
        hash: that record's ``hash``.

    Raises:
        HeadError: for a negative position, a hash that is not 64 lowercase hex digits, or a
            position 0 with another hash than the genesis hash.

    Example:
        >>> from chronology import Chronicle, Head
        >>> from chronology.events import VisitCancelled
        >>> c = Chronicle()
        >>> str(c.head())
        '0:0000000000000000000000000000000000000000000000000000000000000000'
        >>> _ = c.append(VisitCancelled(subject="visit/x", known_at="2024-04-05T00:00:00Z"))
        >>> head = c.head()
        >>> head.position
        1
        >>> Head.parse(str(head)) == head
        True
        >>> c.verify(expected_head=str(head))
        1
    """

    position: int = attrs.field(validator=_check_position)
    hash: str = attrs.field(validator=_check_hash)

    def __attrs_post_init__(self) -> None:
        if self.position == 0 and self.hash != GENESIS_HASH:
            raise HeadError(f"position 0 is the empty log, whose hash is {GENESIS_HASH}")

    def __str__(self) -> str:
        return f"{self.position}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Self:
        """Read a head written as ``POSITION:HASH`` (what ``str(head)`` gives).

        Raises:
            HeadError: if ``text`` is not of that form (the message quotes it).
        """
        position, sep, hash_ = text.strip().partition(":")
        if not sep or not position.isdigit() or not position.isascii():
            raise HeadError(f"expected POSITION:HASH (such as 12:3f5a...), got {text!r}")
        return cls(int(position), hash_)


def head_of(store: Store) -> Head:
    """The :class:`Head` of a store: its last record's position and hash (``Head(0,
    GENESIS_HASH)`` when it is empty)."""
    count = len(store)
    if count == 0:
        return Head(0, GENESIS_HASH)
    last = next(store.records_after(count - 1))
    return Head(last.position, last.hash)


def verify(store: Store, expected_head: Head | str | None = None) -> int:
    """Re-check a store's whole log; what :meth:`.Chronicle.verify` runs (see there).

    Returns:
        The number of records verified.

    Raises:
        IntegrityError: naming the position of the first record that fails, of a record an
            index disagrees about, or of a published head the log does not extend.
        SchemaIntegrityError: naming a schema object of the store that is not its own.
        HeadError: if ``expected_head`` is malformed.
    """
    published = Head.parse(expected_head) if isinstance(expected_head, str) else expected_head
    # Read the seal first: records that other writers append meanwhile only extend the
    # chain past it, so a growing log verifies while its records stay intact.
    store.check_schema()
    sealed = store.sealed_head()
    at_seal = GENESIS_HASH
    previous = GENESIS_HASH
    last: datetime | None = None
    count = 0
    retractions: list[int] = []
    for raw in store.raw():
        count += 1
        if raw.position != count:
            raise IntegrityError(count, f"expected position {count}, found {raw.position}")
        if event_id_of(raw.payload) != raw.event_id:
            raise IntegrityError(raw.position, "event content does not match its event_id")
        if (
            published is not None
            and raw.position == published.position
            and raw.hash != published.hash
        ):
            raise IntegrityError(
                raw.position,
                f"its hash {raw.hash} is not the published head's {published.hash}: "
                "the log was rewritten up to here",
            )
        try:
            recorded_at = datetime.fromisoformat(raw.recorded_at)
        except ValueError:
            raise IntegrityError(raw.position, f"bad recorded_at {raw.recorded_at!r}") from None
        if last is not None and recorded_at <= last:
            raise IntegrityError(raw.position, "recorded_at does not increase")
        last = recorded_at
        expected = chain_hash(previous, raw.position, raw.event_id, raw.recorded_at, raw.payload)
        if expected != raw.hash:
            raise IntegrityError(raw.position, "hash does not match the chain")
        try:
            event = event_from_dict(json.loads(raw.payload))
        except (ChronologyError, ValueError) as exc:
            raise IntegrityError(raw.position, f"stored event is unreadable: {exc}") from None
        wrong = store.check_columns(raw, event)
        if wrong is not None:
            raise IntegrityError(raw.position, wrong)
        if isinstance(event, Retracted):
            retractions.append(raw.position)
        previous = raw.hash
        if sealed is not None and raw.position == sealed[0]:
            at_seal = raw.hash
    if sealed is not None and sealed[0] > count:
        raise IntegrityError(
            count + 1,
            f"the log ends at position {count} but was sealed at position {sealed[0]}: "
            "records were removed or the head was altered",
        )
    if sealed is not None and sealed[1] != at_seal:
        raise IntegrityError(
            sealed[0],
            f"the log was sealed at position {sealed[0]} with another hash: "
            "records were replaced or the head was altered",
        )
    if published is not None and published.position > count:
        raise IntegrityError(
            published.position,
            f"the published head {published} is past the end of the log (position "
            f"{count}): records were removed",
        )
    _check_retractions(store, retractions, count)
    store.check_indexes(count)
    _check_shelf(store, count)
    return count


def _check_shelf(store: Store, count: int) -> None:
    """Refold the records of every snapshot on the store's shelf and compare.

    Raises:
        IntegrityError: naming a snapshot's ``valid_to``, if it cannot be read, was folded from
            other records (the hash of the record at ``valid_to`` differs), or holds other values
            than a refold of its records.
    """
    shelf = store.snapshot_shelf()
    if shelf is None:
        return
    what = "the shelved snapshot folded from the first {} records"
    for valid_to, text in shelf.load():
        name = what.format(valid_to)
        try:
            shelved = read_snapshot(text)
        except SnapshotTextError as exc:
            raise IntegrityError(valid_to, f"{name} cannot be read: {exc}") from None
        if shelved.valid_to != valid_to or not 0 < valid_to <= count:
            raise IntegrityError(valid_to, f"{name} is not of this log (it has {count} records)")
        record = next(store.records_after(valid_to - 1))
        if record.hash != shelved.hash:
            raise IntegrityError(
                valid_to, f"{name} was folded from other records (its hash is not this log's)"
            )
        retractions = [r for r in store.retractions() if r.position <= valid_to]
        folded = effective_records(store.ordered(shelved.at), retractions, valid_to)
        state = fold_expectations((r.event, r.event_id) for r in folded)
        needs = max((r.position for r in (*folded, *retractions)), default=0)
        values = state.freeze(None)
        try:
            # Compared, the shelved values' event ids and vintages are decoded (when first read).
            differ = sorted(
                s for s in {*values, *shelved.values} if values.get(s) != shelved.values.get(s)
            )
        except SnapshotTextError as exc:
            raise IntegrityError(valid_to, f"{name} cannot be read: {exc}") from None
        if (
            differ
            or list(values) != list(shelved.values)
            or tuple(state.statements) != shelved.statements
        ):
            subjects = f" (subjects {', '.join(differ[:3])})" if differ else " (statements)"
            raise IntegrityError(valid_to, f"{name} differs from a refold of its records{subjects}")
        if shelved.needs < needs:
            raise IntegrityError(
                valid_to, f"{name} says it needs {shelved.needs} records; it needs {needs}"
            )


def _check_retractions(store: Store, retractions: list[int], count: int) -> None:
    """Compare the retractions found in the first ``count`` records with the ones the store
    lists (the records that views take back)."""
    listed = [r.position for r in store.retractions() if r.position <= count]
    if listed == retractions:
        return
    # The first place where the two (sorted) lists part: the smaller of the two positions
    # there is the first record they disagree about.
    for stored, found in itertools.zip_longest(listed, retractions):
        if stored == found:
            continue
        if stored is not None and (found is None or stored < found):
            reason = (
                "listed as a retraction more than once"
                if stored in retractions
                else NOT_A_RETRACTION
            )
            raise IntegrityError(stored, reason)
        if found is not None:
            raise IntegrityError(
                found,
                "a retraction that the store does not list as one (views would ignore it)",
            )
