"""Scores: who was right, how early, and how well calibrated.

:meth:`.Outcomes.scores` groups the resolved expectations (by source, by hedge cue, or by
kind) and scores each group:

* counts of each resolution, and the on-time rate of the occurred ones;
* mean lead time and mean notice of the occurred ones;
* the mean absolute relative error of figures, by horizon bucket (:data:`HORIZONS`);
* the **Brier score** (mean of ``(p - o) ** 2``, 0 is perfect, 1 the worst) and the **log
  score** (mean of ``ln p`` given to what happened, 0 is perfect) over every hedged
  expectation event, a :class:`Forecast`: ``p`` is the probability it gave, or its likelihood
  level's default (:attr:`.Likelihood.probability`, overridable per call); ``o`` is 1 if the
  thing happened (within the window that event gave, when it gave one) and 0 if it was
  cancelled or lapsed. Forecasts of expectations still open are left out and counted.

:func:`calibration` tabulates forecasts by probability bucket against the observed frequency,
for a reliability diagram.

Example:
    >>> from datetime import datetime, timezone
    >>> at = datetime(2024, 4, 3, tzinfo=timezone.utc)
    >>> forecasts = [Forecast(subject="a", known_at=at, source="Reuters", cue="probable",
    ...                       kind="visit", probability=0.75, happened=True),
    ...              Forecast(subject="b", known_at=at, source="Reuters", cue="possible",
    ...                       kind="visit", probability=0.5, happened=False)]
    >>> brier(forecasts)
    0.15625
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, Literal, overload

import attrs

from chronology.errors import ChronologyError
from chronology.frames import Cell, to_arrow, to_pandas
from chronology.hedges import Likelihood

__all__ = [
    "HORIZONS",
    "SCORE_COLUMNS",
    "CalibrationBin",
    "Forecast",
    "ScoreRow",
    "ScoreTable",
    "brier",
    "calibration",
    "log_score",
]

#: How to group scores: by the source that spoke, by the hedge cue, or by the kind of thing.
GroupBy = Literal["source", "cue", "kind"]

#: Horizon buckets for figure errors, each a label and its exclusive upper bound.
HORIZONS: Final[tuple[tuple[str, timedelta | None], ...]] = (
    ("under_30d", timedelta(days=30)),
    ("30d_to_90d", timedelta(days=90)),
    ("90d_to_180d", timedelta(days=180)),
    ("180d_to_365d", timedelta(days=365)),
    ("365d_or_more", None),
)

#: Probabilities are kept this far from 0 and 1 in the log score, so that a forecaster who
#: said "certain" and was wrong scores very badly rather than minus infinity.
_EPSILON: Final = 1e-15


@attrs.frozen(kw_only=True)
class Forecast:
    """One hedged expectation event, with how it turned out.

    Attributes:
        subject: the expectation it is about.
        known_at: when it was made public.
        source: the name of the source that said it (``None`` when none was given).
        cue: the likelihood level it gave (``None`` when it gave only a number).
        kind: the kind of expectation (``"visit"``, ``"trade"``, ...).
        probability: the number it gave, or ``None``: the level's default applies.
        happened: ``True`` if the thing happened (within the window this event gave, when it
            gave one), ``False`` if it did not (cancelled, lapsed, or held outside that
            window), ``None`` while the expectation is open.
    """

    subject: str
    known_at: datetime
    source: str | None
    cue: str | None
    kind: str
    probability: float | None
    happened: bool | None

    def p(self, defaults: Mapping[str, float] | None = None) -> float:
        """The probability this forecast gave that the thing happens.

        Args:
            defaults: probabilities by likelihood level (``{"probable": 0.8}``), used when the
                event gave no number; levels missing from it keep their default.
        """
        if self.probability is not None:
            return self.probability
        if self.cue is None:  # pragma: no cover - a forecast has a cue or a number
            raise ChronologyError(f"forecast about {self.subject!r} has no probability")
        if defaults is not None and self.cue in defaults:
            return defaults[self.cue]
        return Likelihood(self.cue).probability


def _resolved(forecasts: Iterable[Forecast]) -> list[Forecast]:
    return [f for f in forecasts if f.happened is not None]


def _check_defaults(defaults: Mapping[str, float] | None) -> None:
    if defaults is None:
        return
    levels = {m.value for m in Likelihood}
    for level, p in defaults.items():
        if level not in levels:
            raise ChronologyError(
                f"probabilities: unknown likelihood level {level!r}; expected one of "
                + ", ".join(sorted(levels))
            )
        if isinstance(p, bool) or not isinstance(p, int | float) or not 0.0 <= p <= 1.0:
            raise ChronologyError(
                f"probabilities[{level!r}]: expected a number from 0 to 1, got {p!r}"
            )


def brier(
    forecasts: Iterable[Forecast], probabilities: Mapping[str, float] | None = None
) -> float | None:
    """The Brier score: the mean of ``(p - o) ** 2`` over the resolved forecasts.

    Args:
        forecasts: the forecasts; open ones (``happened is None``) are left out.
        probabilities: default probabilities by likelihood level, overriding the built-in ones.

    Returns:
        A number in ``[0, 1]`` (0 for a perfect forecaster), or ``None`` with nothing to score.
    """
    _check_defaults(probabilities)
    done = _resolved(forecasts)
    if not done:
        return None
    return sum((f.p(probabilities) - float(f.happened or False)) ** 2 for f in done) / len(done)


def log_score(
    forecasts: Iterable[Forecast], probabilities: Mapping[str, float] | None = None
) -> float | None:
    """The log score: the mean natural log of the probability given to what happened.

    It is at most 0 (a perfect forecaster); probabilities are kept ``1e-15`` away from 0 and 1.

    Args:
        forecasts: the forecasts; open ones are left out.
        probabilities: default probabilities by likelihood level, overriding the built-in ones.

    Returns:
        The mean, or ``None`` with nothing to score.
    """
    _check_defaults(probabilities)
    done = _resolved(forecasts)
    if not done:
        return None
    total = 0.0
    for f in done:
        p = min(max(f.p(probabilities), _EPSILON), 1.0 - _EPSILON)
        total += math.log(p if f.happened else 1.0 - p)
    return total / len(done)


@attrs.frozen(kw_only=True)
class CalibrationBin:
    """One row of a calibration table.

    Attributes:
        low: the bucket's lowest probability (inclusive).
        high: its highest (exclusive, except 1.0 in the last bucket).
        count: how many resolved forecasts gave a probability in it.
        mean_probability: their mean probability.
        observed: the share of them that happened.
    """

    low: float
    high: float
    count: int
    mean_probability: float
    observed: float


def calibration(
    forecasts: Iterable[Forecast],
    probabilities: Mapping[str, float] | None = None,
    *,
    bins: int = 10,
) -> tuple[CalibrationBin, ...]:
    """Forecast probability against observed frequency, in ``bins`` equal buckets.

    Only buckets holding at least one resolved forecast are listed.

    Raises:
        ChronologyError: if ``bins`` is not a positive integer.
    """
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise ChronologyError(f"bins: expected a positive integer, got {bins!r}")
    _check_defaults(probabilities)
    buckets: dict[int, list[tuple[float, bool]]] = {}
    for f in _resolved(forecasts):
        p = f.p(probabilities)
        buckets.setdefault(min(int(p * bins), bins - 1), []).append((p, bool(f.happened)))
    return tuple(
        CalibrationBin(
            low=i / bins,
            high=(i + 1) / bins,
            count=len(rows),
            mean_probability=sum(p for p, _ in rows) / len(rows),
            observed=sum(1 for _, o in rows if o) / len(rows),
        )
        for i, rows in sorted(buckets.items())
    )


def horizon_bucket(horizon: timedelta) -> str:
    """The label of the :data:`HORIZONS` bucket holding ``horizon``."""
    for label, bound in HORIZONS:
        if bound is None or horizon < bound:
            return label
    raise AssertionError("unreachable: the last bucket is open")  # pragma: no cover


@attrs.frozen(kw_only=True)
class ScoreRow:
    """The scores of one group.

    Attributes:
        group: the source name, cue or kind (``None`` for events without one).
        occurred, cancelled, lapsed, open: how many expectations resolved so.
        on_time_rate: the share of occurred ones on time (of those with a timing), or ``None``.
        mean_lead_time, mean_notice: over the occurred ones that have one, or ``None``.
        mean_abs_relative_error: by horizon bucket (see :data:`HORIZONS`), over figure errors.
        forecasts: how many hedged events were scored.
        brier, log_score: over those (``None`` when none).
        open_forecasts: hedged events about expectations still open, left out.
    """

    group: str | None
    occurred: int
    cancelled: int
    lapsed: int
    open: int
    on_time_rate: float | None
    mean_lead_time: timedelta | None
    mean_notice: timedelta | None
    mean_abs_relative_error: Mapping[str, float]
    forecasts: int
    brier: float | None
    log_score: float | None
    open_forecasts: int


def mean_delta(values: Sequence[timedelta]) -> timedelta | None:
    """The mean of some durations, or ``None`` when there are none."""
    if not values:
        return None
    return sum(values, timedelta()) / len(values)


#: The columns of :meth:`ScoreTable.to_records`, in order.
SCORE_COLUMNS: Final[tuple[str, ...]] = (
    "group",
    "occurred",
    "cancelled",
    "lapsed",
    "open",
    "on_time_rate",
    "mean_lead_time",
    "mean_notice",
    *(f"mean_abs_relative_error_{label}" for label, _ in HORIZONS),
    "forecasts",
    "brier",
    "log_score",
    "open_forecasts",
)


@attrs.frozen
class ScoreTable(Sequence[ScoreRow]):
    """The scores of every group: a sequence of :class:`ScoreRow`, with table forms.

    Attributes:
        rows: the rows, sorted by group (``None`` last).
    """

    rows: tuple[ScoreRow, ...]

    @overload
    def __getitem__(self, index: int) -> ScoreRow: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[ScoreRow]: ...
    def __getitem__(self, index: int | slice) -> ScoreRow | Sequence[ScoreRow]:
        return self.rows[index]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[ScoreRow]:
        return iter(self.rows)

    def to_records(self) -> list[dict[str, Cell]]:
        """One flat dict per group, with the :data:`SCORE_COLUMNS`: durations as
        :class:`~datetime.timedelta`, one ``mean_abs_relative_error_<bucket>`` column per
        :data:`HORIZONS` bucket (``None`` where the group has no error in it)."""
        return [
            {
                "group": r.group,
                "occurred": r.occurred,
                "cancelled": r.cancelled,
                "lapsed": r.lapsed,
                "open": r.open,
                "on_time_rate": r.on_time_rate,
                "mean_lead_time": r.mean_lead_time,
                "mean_notice": r.mean_notice,
                **{
                    f"mean_abs_relative_error_{label}": r.mean_abs_relative_error.get(label)
                    for label, _ in HORIZONS
                },
                "forecasts": r.forecasts,
                "brier": r.brier,
                "log_score": r.log_score,
                "open_forecasts": r.open_forecasts,
            }
            for r in self.rows
        ]

    def to_pandas(self) -> Any:
        """:meth:`to_records` as a ``pandas.DataFrame`` (the ``pandas`` extra)."""
        return to_pandas(self.to_records(), SCORE_COLUMNS)

    def to_arrow(self) -> Any:
        """:meth:`to_records` as a ``pyarrow.Table`` (the ``arrow`` extra)."""
        return to_arrow(self.to_records(), SCORE_COLUMNS)
