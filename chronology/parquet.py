"""The whole log as a Parquet file, for DuckDB, pandas or Spark: what
:meth:`.Chronicle.export_parquet` writes.

One row per record, in position order, with the :data:`PARQUET_COLUMNS` (typed by
:data:`PARQUET_TYPES`, the same schema for every chronicle): the record's ``position``,
``event_id``, ``hash``, ``recorded_at``; the event's ``known_at``, ``type`` (its wire tag),
``subject`` and ``source`` name; the fields most questions filter on, flattened
(the target window's ``target_start``, ``target_end``, ``target_last_day``, ``target_label``,
``target_approximate``, ``target_uncertain``; a figure's ``value``, ``unit``, ``low``,
``high``, ``approximate``; ``scope``, ``preliminary``, ``likelihood``, ``probability``,
``reason``; ``target_event`` for a retraction: the columns of
:func:`chronology.view_records.event_cells`); and
``payload``, the event's canonical JSON exactly as stored (what the hash covers), which
holds every field.

pyarrow is the ``arrow`` extra, imported only here and only when an export runs. The file
is written in row groups of :data:`ROW_GROUP` records, so a log larger than memory streams
through, and it is written beside its target and then takes its place, as JSONL exports are.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO, Final

from chronology._paths import write_atomically_binary
from chronology.frames import Cell, ColumnType, arrow_schema, load_extra
from chronology.record import Record
from chronology.view_records import EVENT_TYPES, event_cells

if TYPE_CHECKING:
    from chronology.stores.base import Store

__all__ = ["PARQUET_COLUMNS", "PARQUET_TYPES", "ROW_GROUP", "export_parquet"]

#: The type of each column of the Parquet export (see :data:`chronology.frames.ColumnType`).
PARQUET_TYPES: Final[dict[str, ColumnType]] = {
    "position": "int",
    "event_id": "text",
    "hash": "text",
    "recorded_at": "instant",
    "known_at": "instant",
    "type": "text",
    "subject": "text",
    "source": "text",
    **EVENT_TYPES,
    "reason": "text",
    "target_event": "text",
    "payload": "text",
}

#: The columns of the Parquet export, in order.
PARQUET_COLUMNS: Final[tuple[str, ...]] = tuple(PARQUET_TYPES)

#: How many records go into one row group of the file.
ROW_GROUP: Final = 65_536


def _row(payload: str, record: Record) -> tuple[Cell, ...]:
    event = record.event
    retracted = getattr(event, "target", None)
    return (
        record.position,
        record.event_id,
        record.hash,
        record.recorded_at,
        event.known_at,
        type(event).tag,
        event.subject,
        None if event.source is None else event.source.name,
        *event_cells(event),
        getattr(event, "reason", None),
        retracted if isinstance(retracted, str) else None,
        payload,
    )


def _batches(store: Store) -> Iterator[list[tuple[Cell, ...]]]:
    batch: list[tuple[Cell, ...]] = []
    for raw, record in zip(store.raw(), store.records(), strict=True):
        batch.append(_row(raw.payload, record))
        if len(batch) == ROW_GROUP:
            yield batch
            batch = []
    if batch:
        yield batch


def export_parquet(store: Store, path: str | os.PathLike[str]) -> int:
    """Write every record of ``store`` to the Parquet file ``path``, atomically; what
    :meth:`.Chronicle.export_parquet` does (see there).

    Returns:
        The number of records written.

    Raises:
        MissingExtraError: pyarrow is not installed (the ``arrow`` extra); nothing is written.
        StoreError: naming the path, if it is not a regular file (nor a link to one), or the
            file cannot be written; whatever was at the path is left as it was.
    """
    pyarrow = load_extra("pyarrow", "arrow")
    parquet = load_extra("pyarrow.parquet", "arrow")
    schema = arrow_schema(PARQUET_TYPES)

    def write(out: BinaryIO) -> int:
        count = 0
        with parquet.ParquetWriter(out, schema) as writer:
            for batch in _batches(store):
                columns = list(zip(*batch, strict=True))
                arrays = [
                    pyarrow.array(cells, type=field.type)
                    for cells, field in zip(columns, schema, strict=True)
                ]
                writer.write_table(pyarrow.Table.from_arrays(arrays, schema=schema))
                count += len(batch)
        return count

    return write_atomically_binary(path, write)
