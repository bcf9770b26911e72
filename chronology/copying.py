"""Copying a chronicle with its history: every record keeps its position, ``recorded_at`` and
hash, so the copy verifies against the original's published head.

A JSONL round trip (:meth:`.Chronicle.import_jsonl`) stores the events as new records of the
destination, with its own system time. :func:`copy_chronicle` instead replays the records with
their original system time: this is how a chronicle moves from an SQLite file to a PostgreSQL
server and back, and how it is backed up and restored (to and from an exported JSONL file).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from chronology._jsonline import read_line
from chronology.chronicle import Chronicle
from chronology.errors import EventError, ImportLineError, IntegrityError, StoreError
from chronology.events import Event
from chronology.serialization import event_from_dict
from chronology.stores.postgres import is_postgres_url

__all__ = ["copy_chronicle"]

_TICK: Final = timedelta(microseconds=1)
#: Records per batch at most (a run of records stored one microsecond apart is one batch).
_BATCH: Final = 1000

Target = str | os.PathLike[str]


def _is_jsonl(target: Target) -> bool:
    return not is_postgres_url(target) and os.fspath(target).endswith(".jsonl")


def _jsonl_records(path: Target) -> Iterator[tuple[int, datetime, str, Event]]:
    """``(position, recorded_at, hash, event)`` of each line of an exported JSONL file."""
    name = os.fspath(path)
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"{name}: cannot read: {exc}") from None
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        obj = read_line(text, name, number)
        try:
            position, recorded_at, hash_ = obj["position"], obj["recorded_at"], obj["hash"]
            when = datetime.fromisoformat(recorded_at)
        except (KeyError, TypeError, ValueError):
            raise ImportLineError(
                name,
                number,
                "not an exported record (a copy needs its position, recorded_at and hash;"
                " use 'chronology import' for event lines)",
            ) from None
        try:
            event = event_from_dict(obj)
        except EventError as exc:
            raise ImportLineError(name, number, str(exc)) from None
        yield position, when, hash_, event


def _records(source: Chronicle) -> Iterator[tuple[int, datetime, str, Event]]:
    for r in source:
        yield r.position, r.recorded_at, r.hash, r.event


def copy_chronicle(
    source: Target,
    destination: Target,
    *,
    source_schema: str | None = None,
    destination_schema: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Copy every record of ``source`` into the empty ``destination``, keeping each one's
    position, ``recorded_at`` and hash, then verify the destination against the source's head.

    Each of ``source`` and ``destination`` is an SQLite file, a ``postgresql://`` URL, or a
    ``.jsonl`` file (an export: :meth:`.Chronicle.export_jsonl` writes one, with every record's
    position, ``recorded_at`` and hash).

    Args:
        source: the chronicle to copy (opened read-only).
        destination: where to copy it: a new or empty chronicle, or a JSONL file to write.
        source_schema: the PostgreSQL schema of ``source``, if not in its URL.
        destination_schema: the PostgreSQL schema of ``destination``, if not in its URL.
        progress: called with the number of records copied in each batch.

    Returns:
        The number of records copied.

    Raises:
        StoreError: the destination already holds records, or a chronicle cannot be opened.
        ImportLineError: a JSONL source line is not an exported record (naming the line).
        IntegrityError: a copied record does not get the source's hash (naming its position;
            the source holds a payload written by an older version, or is damaged), or the
            destination does not verify.
    """
    if _is_jsonl(destination):
        with Chronicle.open(source, read_only=True, schema=source_schema) as original:
            original.verify()
            count = original.export_jsonl(destination)
        if progress is not None:
            progress(count)
        return count
    at: list[datetime] = []
    with Chronicle.open(
        destination, clock=lambda: at[0], max_skew=None, schema=destination_schema
    ) as copy:
        if len(copy):
            raise StoreError(
                f"{os.fspath(destination)}: holds {len(copy)} records; a copy goes into an empty"
                " chronicle"
            )
        if _is_jsonl(source):
            count = _replay(_jsonl_records(source), copy, at, progress)
        else:
            with Chronicle.open(source, read_only=True, schema=source_schema) as original:
                count = _replay(_records(original), copy, at, progress)
        copy.verify()
    return count


def _replay(
    records: Iterator[tuple[int, datetime, str, Event]],
    copy: Chronicle,
    at: list[datetime],
    progress: Callable[[int], None] | None,
) -> int:
    """Append ``records`` to ``copy`` in batches of records stored one microsecond apart (the
    way one batch is sealed), each batch timed by its first record; check every hash."""
    batch: list[tuple[int, datetime, str, Event]] = []
    count = 0

    def flush() -> None:
        at[:] = [batch[0][1]]
        stored = copy.extend([event for _, _, _, event in batch])
        for (position, _, hash_, _), record in zip(batch, stored, strict=True):
            if (position, hash_) != (record.position, record.hash):
                raise IntegrityError(
                    position,
                    f"copied as position {record.position} with hash {record.hash}, not"
                    f" {hash_}: the source's record does not replay to the same content",
                )
        if progress is not None:
            progress(len(batch))
        batch.clear()

    for item in records:
        if batch and (item[1] != batch[-1][1] + _TICK or len(batch) >= _BATCH):
            flush()
        batch.append(item)
        count += 1
    if batch:
        flush()
    return count
