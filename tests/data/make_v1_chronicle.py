"""Write ``visit-announced-v1.db``: a pinned chronicle holding version-1 ``visit.announced`` events.

Version 1 of ``visit.announced`` named a single counterpart in a ``"counterpart"`` string;
version 2 keeps a list in ``"counterparts"``. This script writes, with nothing but the standard
library, the file an old release would have written: chronicle format 1, with the event rows as
they were stored then (the payloads carry no ``"v"`` and use ``"counterpart"``). It is run once;
the file it wrote is committed and is the fixture, so later code must keep reading it as it is.

The hash chain is computed here from its definition, not by calling the library::

    event_id = sha256(payload)[:32 hex digits]
    hash     = sha256(f"{previous hash}\\n{position}\\n{event_id}\\n{recorded_at}\\n{payload}")

Run it from the repository root: ``python tests/data/make_v1_chronicle.py``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

TARGET = Path(__file__).with_name("visit-announced-v1.db")

# Chronicle file format 1, exactly as chronology.stores.sqlite created it.
SCHEMA = """
CREATE TABLE records (
    position    INTEGER PRIMARY KEY,
    event_id    TEXT NOT NULL UNIQUE,
    recorded_at TEXT NOT NULL,
    known_at    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    type        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX records_known_at ON records (known_at, position);
CREATE INDEX records_subject ON records (subject, position);
CREATE INDEX records_type ON records (type, position);
CREATE TABLE meta (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    format_version   INTEGER NOT NULL,
    head_position    INTEGER NOT NULL,
    head_hash        TEXT NOT NULL,
    head_recorded_at TEXT
);
PRAGMA application_id = 1130918510;
PRAGMA user_version = 1;
"""

SUBJECT = "visit/lavrov-china-2024-04"
REUTERS = {"name": "Reuters", "kind": "news"}

# (recorded_at, known_at as stored, event payload as version 1 wrote it)
ROWS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "2024-04-03T13:00:00.000001+00:00",
        "2024-04-03T12:00:00.000000+00:00",
        {
            "type": "visit.announced",
            "subject": SUBJECT,
            "known_at": "2024-04-03T12:00:00+00:00",
            "source": REUTERS,
            "visitor": "Sergei Lavrov",
            "host": "China",
            "counterpart": "Wang Yi",
            "window": {
                "start": "2024-04-03T12:00:00+00:00",
                "end": "2024-05-03T12:00:00+00:00",
                "label": "soon",
                "approximate": True,
            },
            "agenda": ["SCO", "BRICS"],
            "likelihood": "probable",
        },
    ),
    (
        "2024-04-07T13:00:00.000002+00:00",
        "2024-04-07T12:00:00.000000+00:00",
        {
            "type": "visit.scheduled",
            "subject": SUBJECT,
            "known_at": "2024-04-07T12:00:00+00:00",
            "window": {"start": "2024-04-08T00:00:00+00:00", "end": "2024-04-10T00:00:00+00:00"},
        },
    ),
    (
        # A version-1 announcement with no counterpart at all.
        "2024-04-08T09:00:00.000003+00:00",
        "2024-04-08T08:00:00.000000+00:00",
        {
            "type": "visit.announced",
            "subject": "visit/wang-russia-2024",
            "known_at": "2024-04-08T08:00:00+00:00",
            "visitor": "Wang Yi",
            "host": "Russia",
        },
    ),
]


def canonical(payload: dict[str, Any]) -> str:
    """The canonical JSON the chain covers: sorted keys, no spaces, UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def main(target: Path = TARGET) -> None:
    """Write the fixture to ``target``, replacing it."""
    target.unlink(missing_ok=True)
    conn = sqlite3.connect(target, isolation_level=None)
    conn.executescript(SCHEMA)
    previous = "0" * 64
    conn.execute("BEGIN")
    for position, (recorded_at, known_at, body) in enumerate(ROWS, start=1):
        payload = canonical(body)
        event_id = hashlib.sha256(payload.encode()).hexdigest()[:32]
        text = f"{previous}\n{position}\n{event_id}\n{recorded_at}\n{payload}"
        previous = hashlib.sha256(text.encode()).hexdigest()
        conn.execute(
            "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                position,
                event_id,
                recorded_at,
                known_at,
                body["subject"],
                body["type"],
                payload,
                previous,
            ),
        )
    conn.execute("INSERT INTO meta VALUES (1, 1, ?, ?, ?)", (len(ROWS), previous, ROWS[-1][0]))
    conn.execute("COMMIT")
    conn.execute("VACUUM")
    conn.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else TARGET)
