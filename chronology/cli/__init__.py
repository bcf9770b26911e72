"""The ``chronology`` command: a chronicle of expectations from the shell.

Every command works on an SQLite chronicle file, given with ``--db``. Without it, the file is
``chronology.db`` in the current directory, or the path in the ``CHRONOLOGY_DB`` environment
variable when that is set (``chronology demo`` is the exception: it writes its own
``chronology-demo.db`` unless given ``--db``, so it never mixes the seed case into your data).

Dates and instants take the same forms as the library (:func:`chronology.instants.as_of_instant`): a
plain date such as ``2024-04-04`` stands for the last instant of that day in UTC; a date-time must
carry its offset (``2024-04-04T09:00:00+03:00`` or ``...Z``).

Errors print one line to stderr (``Error: ...``) and exit with status 1 for a refusal by the
chronicle (a bad line in a file, a tampered record) or 2 for a mistake on the command line (an
unknown option, a malformed date).

The package's modules, one concern each: :mod:`~chronology.cli.app` (the group and its entry
point), :mod:`~chronology.cli.options` (the chronicle file, dates, formats),
:mod:`~chronology.cli.demo`, :mod:`~chronology.cli.interchange` (``import``, ``export``),
:mod:`~chronology.cli.views` (``as-of``, ``history``, ``diff``),
:mod:`~chronology.cli.scoring` (``outcomes``, ``score``),
:mod:`~chronology.cli.integrity` (``verify``, ``head``),
:mod:`~chronology.cli.shared` (``follow``, ``copy``: files and PostgreSQL URLs) and
:mod:`~chronology.cli.drawing` (``plot``).
The text and data forms the commands print come from :mod:`chronology.render` and
:mod:`chronology.tables`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from chronology.cli.app import cli, main
from chronology.cli.options import DB_ENV as DB_ENV  # documented in cli.options
from chronology.cli.options import DEFAULT_DB as DEFAULT_DB
from chronology.cli.options import WHEN, WhenType, open_chronicle

if TYPE_CHECKING:
    from chronology.cli.demo import DEFAULT_CASE as DEFAULT_CASE  # documented in cli.demo
    from chronology.cli.demo import DEMO_CASES as DEMO_CASES
    from chronology.cli.demo import DEMO_DATES as DEMO_DATES
    from chronology.cli.demo import DEMO_DB as DEMO_DB
    from chronology.cli.demo import seed_path
    from chronology.cli.views import expectations_table

__all__ = [
    "WHEN",
    "WhenType",
    "cli",
    "expectations_table",
    "main",
    "open_chronicle",
    "seed_path",
]

# Each command's module is imported when the command is first asked for (see
# chronology.cli.app.COMMAND_MODULES); these names of theirs are imported when first used.
_LAZY = {
    "DEFAULT_CASE": "chronology.cli.demo",
    "DEMO_CASES": "chronology.cli.demo",
    "DEMO_DATES": "chronology.cli.demo",
    "DEMO_DB": "chronology.cli.demo",
    "seed_path": "chronology.cli.demo",
    "expectations_table": "chronology.cli.views",
}


def __getattr__(name: str) -> Any:
    """The names of the command modules this package re-exports, imported on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
