"""Outcomes, scores and tables (issue 16): how long chronology takes to resolve a log, to score
it, and to turn a view into an Arrow table. chronology alone: the reference has no equivalent.

* ``outcomes``: ``chronicle.outcomes(as_of=end)`` of an in-memory chronicle of N events over
  N/10 subjects (the view's fold included: the first question asked of the log).
* ``scores``: ``outcomes.scores(by=...)`` of that answer, by source, cue and kind in turn.
* ``to_arrow``: ``view.to_arrow()`` of a view whose expectations are already folded, so only
  the table is timed; its size is counted in expectations.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

from benchmarks import data, ours
from benchmarks.data import Shape
from benchmarks.timing import Result, repeat
from chronology import Chronicle

__all__ = ["outcomes_and_scores", "view_to_arrow"]


def _chronicle(shape: Shape) -> Chronicle:
    return ours.fill(Chronicle(), shape)


def outcomes_and_scores(
    sizes: list[int], events: int, times: int, log: Callable[[str], None]
) -> list[Result]:
    """Resolve and score logs of each size (``events`` a subject)."""
    results: list[Result] = []
    for n in sizes:
        results += _one_size(Shape(max(1, n // events), events), times, log)
    return results


def _one_size(shape: Shape, times: int, log: Callable[[str], None]) -> list[Result]:
    log(f"outcomes and scores: {shape.total:,} events, {shape.subjects:,} subjects")
    chronicle = _chronicle(shape)
    end = data.end_of_log(shape)
    resolved = chronicle.outcomes(as_of=end)

    def resolve_run() -> Callable[[], Any]:
        return lambda: chronicle.outcomes(as_of=end)

    def score_run() -> Callable[[], Any]:
        return lambda: [resolved.scores(by) for by in ("source", "cue", "kind")]

    note = f"{shape.subjects:,} subjects, in memory"
    return [
        Result("outcomes", "chronology", shape.total, "s", repeat(resolve_run, times), note),
        Result(
            "scores (source, cue, kind)",
            "chronology",
            shape.total,
            "s",
            repeat(score_run, times),
            note,
        ),
    ]


def view_to_arrow(expectations: int, times: int, log: Callable[[str], None]) -> list[Result]:
    """``view.to_arrow()`` of a view of ``expectations`` expectations (two events each)."""
    if importlib.util.find_spec("pyarrow") is None:
        log("to_arrow: skipped (pyarrow is not installed: the 'arrow' extra)")
        return []
    shape = Shape(expectations, 2)
    log(f"view.to_arrow(): {expectations:,} expectations")
    view = _chronicle(shape).as_of(data.end_of_log(shape))
    view.expectations()  # fold once, untimed

    def run() -> Callable[[], Any]:
        return view.to_arrow

    note = "the view already folded; the table alone"
    return [Result("view.to_arrow", "chronology", expectations, "s", repeat(run, times), note)]
