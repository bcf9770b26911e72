"""The WAL flusher: a thread that copies committed pages from the write-ahead log into the main
file (SQLite's "checkpoint"), so that writers do not wait for it inside a commit.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading

__all__ = ["WalFlusher"]


class WalFlusher:
    """Folds the WAL back into the main file on a thread of its own.

    Left to itself, SQLite checkpoints inside the ``COMMIT`` that takes the WAL past 1,000
    pages, and the writer waits while the pages are copied: about a third of the time of
    inserting rows, in the benchmarks. Here an append that has written a few hundred KiB asks
    this thread to run a passive checkpoint, which copies the committed pages while the writer
    goes on preparing its next batch (the ``sqlite3`` module lets other threads run while
    SQLite works). A passive checkpoint never blocks a writer or a reader, and SQLite's own
    checkpoint stays on as a backstop should this thread fall behind or fail.

    The thread holds its own connection and nothing of the store, so a store that is dropped
    unclosed can be collected (its finalizer stops the thread).

    The thread exists only in the process that started it: in a child forked since, ``poke``
    and ``stop`` do nothing (the child's copy of ``_wake`` may even be locked for good, if the
    thread held its lock at the moment of the fork).

    Raises:
        RuntimeError: from :meth:`threading.Thread.start`, when no thread can be started.
    """

    def __init__(self, uri: str, name: str) -> None:
        self._uri = uri
        self._wake = threading.Event()
        self._stopping = False
        self._pid = os.getpid()
        self._thread = threading.Thread(
            target=self._run, name=f"chronology checkpoint {name}", daemon=True
        )
        self._thread.start()

    def poke(self) -> None:
        """Run a checkpoint soon (requests made while one runs are merged into one)."""
        if self._pid == os.getpid():
            self._wake.set()

    def _run(self) -> None:
        try:
            # timeout=0: a passive checkpoint that finds the file busy is skipped, not waited
            # for; the next request (or SQLite's own checkpoint) catches up.
            conn = sqlite3.connect(self._uri, uri=True, isolation_level=None, timeout=0)
        except sqlite3.Error:  # pragma: no cover - the writer opened the same file just now
            return  # SQLite's own checkpoints still run
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stopping:
                    return
                # Busy (another process checkpointing) or failing: the backstop covers it.
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            conn.close()

    def stop(self) -> None:
        """Let a running checkpoint finish, then end the thread (calling it again, or in a
        forked child, does nothing)."""
        if self._pid != os.getpid():
            return
        self._stopping = True
        self._wake.set()
        if self._thread is not threading.current_thread():
            self._thread.join()
