"""A clock for tests: it moves only when told to, so ``recorded_at`` values are reproducible."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

__all__ = ["TICK", "FakeClock"]

#: The step ``recorded_at`` takes when the clock does not move forward: one microsecond.
TICK: Final = timedelta(microseconds=1)


class FakeClock:
    """A clock that only moves when told to, for reproducible ``recorded_at`` values.

    Pass it as ``Chronicle(clock=...)``. It can be set back, to check that ``recorded_at``
    still strictly increases.

    Args:
        start: the first reading.

    Example:
        >>> clock = FakeClock(datetime(2024, 5, 1, tzinfo=UTC))
        >>> clock.advance(timedelta(hours=1)).isoformat()
        '2024-05-01T01:00:00+00:00'
    """

    def __init__(self, start: datetime = datetime(2024, 5, 1, tzinfo=UTC)) -> None:
        self._now = start

    def __call__(self) -> datetime:
        """The current reading."""
        return self._now

    def advance(self, delta: timedelta = timedelta(seconds=1)) -> datetime:
        """Move the clock by ``delta`` (negative moves it back) and return the new reading."""
        self._now += delta
        return self._now

    def set(self, when: datetime) -> None:
        """Set the reading, forward or back."""
        self._now = when
