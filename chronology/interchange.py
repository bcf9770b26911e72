"""JSON Lines interchange: a store's records written out, and event lines read in.

:meth:`.Chronicle.export_jsonl` and :meth:`.Chronicle.import_jsonl` delegate here; the format
is described in the JSONL how-to and in :doc:`/format`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from chronology._jsonline import read_line
from chronology._paths import write_atomically
from chronology.bulk import event_from_row
from chronology.errors import EventError, ImportLineError, RetractionError, StoreError
from chronology.events import Event
from chronology.record import Record

if TYPE_CHECKING:
    from chronology.stores.base import Store

__all__ = ["export_jsonl", "import_jsonl", "read_jsonl"]


def export_jsonl(store: Store, path: str | os.PathLike[str]) -> int:
    """Write every record of ``store`` as one JSON object a line, atomically; what
    :meth:`.Chronicle.export_jsonl` does (see there).

    Returns:
        The number of records written.

    Raises:
        StoreError: naming the path, if it is not a regular file (nor a link to one), or the
            file cannot be written; whatever was at the path is left as it was.
    """

    def write(out: TextIO) -> int:
        count = 0
        for raw in store.raw():
            head = json.dumps(
                {
                    "position": raw.position,
                    "recorded_at": raw.recorded_at,
                    "event_id": raw.event_id,
                    "hash": raw.hash,
                },
                ensure_ascii=False,
            )
            out.write(f"{head[:-1]}, {raw.payload[1:]}\n")
            count += 1
        return count

    return write_atomically(path, write)


def read_jsonl(
    path: str | os.PathLike[str], *, progress: Callable[[int], None] | None = None
) -> tuple[list[Event], list[int]]:
    """The events of a JSONL file, and the line number (from 1) of each.

    Blank lines are skipped. ``progress`` is called with the number of bytes of each line once
    it is read.

    Raises:
        ImportLineError: naming ``line N`` and what is wrong there (not UTF-8, malformed or
            not strict JSON, unknown tag, invalid field).
        StoreError: if the file cannot be read.
    """
    name = os.fspath(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise StoreError(f"{name}: cannot read: {exc.strerror}") from None
    events: list[Event] = []
    lines: list[int] = []
    for number, raw_line in enumerate(data.split(b"\n"), start=1):
        if progress is not None:
            progress(len(raw_line) + 1)
        if not raw_line.strip():
            continue
        try:
            text = raw_line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportLineError(name, number, f"not UTF-8 text ({exc.reason})") from None
        obj = read_line(text, name, number)
        try:
            events.append(event_from_row(obj))
        except EventError as exc:
            raise ImportLineError(name, number, str(exc)) from None
        lines.append(number)
    return events, lines


def import_jsonl(
    path: str | os.PathLike[str],
    extend: Callable[[list[Event]], list[Record]],
    *,
    progress: Callable[[int], None] | None = None,
) -> list[Record]:
    """Read a JSONL file (:func:`read_jsonl`) and store its events in one batch through
    ``extend`` (:meth:`.Chronicle.extend`); what :meth:`.Chronicle.import_jsonl` does.

    Raises:
        ImportLineError: as :func:`read_jsonl`, and for a retraction of a missing event (naming
            its line); nothing is appended.
        StoreError: if the file cannot be read.
    """
    events, lines = read_jsonl(path, progress=progress)
    try:
        return extend(events)
    except RetractionError as exc:
        if exc.index is None:
            raise
        raise ImportLineError(os.fspath(path), lines[exc.index], str(exc)) from None
