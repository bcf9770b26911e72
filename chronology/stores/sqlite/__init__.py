"""The SQLite store: a chronicle kept in one file, the embedded default.

The chronicle lives in the file you name (``Chronicle.open("chronicle.db")`` puts it in the
current directory; pass an absolute path to put it elsewhere). While it is open, SQLite keeps
two companion files beside it, ``<name>-wal`` and ``<name>-shm``; they belong to the chronicle
and are folded back into the main file, and removed, when the last connection closes. Copy or
move the chronicle only while nothing has it open.

A path is looked at before anything opens it: a directory, a device, a FIFO or a socket is
refused (opening a FIFO waits for a writer; SQLite leaves a ``-journal`` file beside a device).
An existing file is first read through a connection that cannot write (``immutable`` when no
``-wal`` file lies beside it, so that nothing is created or locked), and a file that is not a
chronicle is refused there, unmodified. Opened read-only, a file this process may write, with no
``-wal`` beside it, is read through a writable connection refused every write (``PRAGMA
query_only``): a connection opened read-only cannot remove the ``-wal`` and ``-shm`` files it
makes, and this one removes them as it closes, leaving the directory as it was found. Otherwise
(companion files already there, or a file the process may not write) a read-only connection
reads it, and the companion files stay, for the next writer to remove.

Schema (format version 2)::

    CREATE TABLE records (
        position    INTEGER PRIMARY KEY,   -- 1, 2, 3, ... contiguous
        event_id    TEXT NOT NULL,         -- derived from the payload
        recorded_at TEXT NOT NULL,         -- the exact text the hash chain covers
        known_at    TEXT NOT NULL,         -- UTC, fixed width: text order is time order
        subject     TEXT NOT NULL,
        payload     TEXT NOT NULL,         -- the event's canonical JSON, never rewritten
        hash        TEXT NOT NULL          -- chains the previous record's hash
    );
    CREATE UNIQUE INDEX records_subject ON records (subject, known_at, event_id);
    CREATE INDEX records_known_at ON records (known_at, position);
    CREATE TABLE retractions (position INTEGER PRIMARY KEY);  -- the Retracted records
    CREATE TABLE event_ids (                -- filled on demand by lookups by id
        event_id TEXT PRIMARY KEY,
        position INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE meta (
        id               INTEGER PRIMARY KEY CHECK (id = 1),  -- a single row
        format_version   INTEGER NOT NULL,
        head_position    INTEGER NOT NULL,  -- the sealed head: the number of records,
        head_hash        TEXT NOT NULL,     -- the hash of the last one,
        head_recorded_at TEXT,              -- and its recorded_at
        ids_through      INTEGER NOT NULL DEFAULT 0  -- event_ids covers positions up to this
    );
    CREATE TABLE snapshots (                -- optional: the snapshot shelf
        valid_to INTEGER PRIMARY KEY,
        text     TEXT NOT NULL
    );

The ``snapshots`` table keeps a fold snapshot between runs, so that the first full view of a
large chronicle starts from it (:mod:`chronology.stores.sqlite.shelf`). It is no part of the log
and the format version does not count it: a file of format 2 may lack it (it is added when the
file is opened for writing), and deleting its rows is always safe.

Each connection keeps a page cache of 32 MiB (``PRAGMA cache_size``; SQLite's default is about
2 MiB): a batch in random assertion-time order inserts at scattered places of both secondary
indexes, and once they outgrow the cache every row read their pages back from the operating
system. The cache fills only as pages are read.

Every index that an append maintains grows in the order records usually arrive (by subject
and by assertion time), none in the random order of content hashes: a unique index on
``event_id`` made every batch rewrite pages all over that index, about 60% of the time of
inserting the rows. An event is stored once all the same: its ``event_id`` is derived from its
content, which includes its ``subject`` and ``known_at``, so ``records_subject`` refuses a second
copy. Looking a record up by ``event_id`` alone (:meth:`SQLiteStore.get`) uses ``event_ids``,
brought up to date in one sorted pass when many records have been appended since.

A file of format version 1 (``event_id`` unique, a ``type`` column and index) is read as it is
when opened read-only, and upgraded to version 2 in one transaction when opened for writing.

The file's header carries ``PRAGMA application_id`` (:data:`APPLICATION_ID`) and
``PRAGMA user_version`` (the format version), so a chronicle is recognised before any table is
read, and a file that is not one is never modified.

Durability and concurrency: the file is in WAL mode with ``synchronous=NORMAL``. Each batch is
one ``BEGIN IMMEDIATE`` transaction in which :class:`SQLiteBackend` reads the sealed head, has
the shared store seal the batch (:func:`chronology.record.seal`), inserts its rows (128 a
statement) and moves the head.
A committed batch survives the writing process being killed at any point; an uncommitted one
leaves no trace. (After a power loss or an operating-system crash, the last few committed
batches may be missing, whole; ``synchronous=FULL`` would close that window at the cost of an
fsync per batch.) Several processes may append to one file at once: SQLite's write lock orders
them, each waits up to ``timeout`` seconds for it, and because every system-time decision is
made inside the transaction, positions stay contiguous, the chain stays valid and
``recorded_at`` strictly increases across writers. Readers never block writers and see whole
batches only.

Checkpoints: committed pages go to the ``-wal`` file first and are copied into the main file by
a checkpoint. SQLite runs one inside the ``COMMIT`` that takes the WAL past 1,000 pages, and the
writer waits while it copies. A chronicle open for writing instead asks a thread of its own
(started by the first append that has written a few hundred KiB, named ``chronology checkpoint
<absolute path>``) to run a passive checkpoint every few hundred KiB, while the caller goes on
with the next batch; SQLite's own checkpoint stays on in case that thread falls behind. The
thread works on the file the chronicle was opened on, even if the process changes its current
directory later. If no thread can be started (the interpreter is shutting down, or the process
is at its thread limit), the append succeeds all the same, no thread is tried again for that
chronicle, and SQLite's own checkpoint does the folding. ``close()`` ends the thread, and so
does dropping the chronicle unclosed. Neither kind of checkpoint changes what is committed or
when: only where the committed pages sit.

Do not use a chronicle across ``os.fork()``: as SQLite requires of its connections, a child
process opens the file again. A forked child inherits no checkpointer thread; its copy of the
chronicle never wakes, or waits for, the thread it does not have, so dropping or closing the
copy neither hangs nor disturbs the parent's thread.
"""

from chronology.stores.sqlite.schema import (
    APPLICATION_ID,
    FORMAT_VERSION,
    PAGE_SIZE,
    known_at_text,
)
from chronology.stores.sqlite.store import SQLiteBackend, SQLiteStore

__all__ = [
    "APPLICATION_ID",
    "FORMAT_VERSION",
    "PAGE_SIZE",
    "SQLiteBackend",
    "SQLiteStore",
    "known_at_text",
]
