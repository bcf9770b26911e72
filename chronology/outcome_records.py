"""Outcomes as flat records: one row per subject, or one per figure vintage.

:meth:`.Outcomes.to_records` and :meth:`.Outcomes.error_records` answer with these; the
columns are stable and listed in :data:`OUTCOME_COLUMNS` and :data:`ERROR_COLUMNS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from chronology.frames import Cell, window_columns

if TYPE_CHECKING:
    from chronology.resolution import Outcome

__all__ = ["ERROR_COLUMNS", "OUTCOME_COLUMNS", "error_records", "outcome_records"]

#: The columns of :func:`outcome_records` (and :meth:`.Outcomes.to_records`), in order.
OUTCOME_COLUMNS: Final[tuple[str, ...]] = (
    "subject",
    "kind",
    "resolution",
    "timing",
    "lead_time",
    "notice",
    "slippage",
    "windows",
    "actual_start",
    "actual_end",
    "actual_last_day",
    "errors",
    "revisions_toward_outcome",
)
#: The columns of :func:`error_records` (and :meth:`.Outcomes.error_records`), in order.
ERROR_COLUMNS: Final[tuple[str, ...]] = (
    "subject",
    "known_at",
    "source",
    "projected_value",
    "projected_unit",
    "reported_value",
    "reported_unit",
    "error_value",
    "error_unit",
    "relative",
    "horizon",
)


def outcome_records(values: Mapping[str, Outcome]) -> list[dict[str, Cell]]:
    """One flat dict per subject, with the :data:`OUTCOME_COLUMNS`: durations as
    :class:`~datetime.timedelta`, the actual dates as exact bounds (aware datetimes) beside
    the inclusive last day; ``errors`` counts a figure's vintage errors (see
    :func:`error_records`)."""
    rows: list[dict[str, Cell]] = []
    for subject, o in values.items():
        errors: tuple[Any, ...] | None = getattr(o, "errors", None)
        rows.append(
            {
                "subject": subject,
                "kind": o.kind,
                "resolution": o.resolution.value,
                "timing": None if o.timing is None else o.timing.value,
                "lead_time": getattr(o, "lead_time", None),
                "notice": getattr(o, "notice", None),
                "slippage": getattr(o, "slippage", None),
                "windows": getattr(o, "windows", None),
                **window_columns("actual", getattr(o, "actual", None)),
                "errors": None if errors is None else len(errors),
                "revisions_toward_outcome": getattr(o, "revisions_toward_outcome", None),
            }
        )
    return rows


def error_records(values: Mapping[str, Outcome]) -> list[dict[str, Cell]]:
    """One flat dict per figure vintage with an error, with the :data:`ERROR_COLUMNS`
    (quantities as ``_value`` and ``_unit`` columns): "how far was each source, how
    early" is one group-by away."""
    return [
        {
            "subject": subject,
            "known_at": e.known_at,
            "source": None if e.source is None else e.source.name,
            "projected_value": e.projected.value,
            "projected_unit": e.projected.unit,
            "reported_value": e.reported.value,
            "reported_unit": e.reported.unit,
            "error_value": e.error.value,
            "error_unit": e.error.unit,
            "relative": e.relative,
            "horizon": e.horizon,
        }
        for subject, o in values.items()
        for e in getattr(o, "errors", ())
    ]
