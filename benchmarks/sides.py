"""What both sides run whatever holds their events: the timed writes, the read back and the
point reads, checked to give the same answers (:mod:`benchmarks.workloads` on SQLite and in memory,
:mod:`benchmarks.postgres` on a server)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from benchmarks import data, ours, reference
from benchmarks.data import Shape
from benchmarks.timing import Result, interleaved
from chronology import Chronicle

#: Makes (untimed) a fresh run and returns it, for :func:`benchmarks.timing.interleaved`.
Setup = Callable[[], Callable[[], Any]]


def write_setups(
    shape: Shape, open_ours: Callable[[], Chronicle], open_ref: Callable[[], reference.Chronicle]
) -> tuple[Setup, Setup]:
    """The set-ups of the timed writes of ``shape`` (for :func:`.timing.interleaved`): into a
    chronicle ``open_ours`` opens, and into a reference application ``open_ref`` opens, each
    fresh, built from the descriptions (made in the set-up) and closed inside the run."""

    def ours_run() -> Callable[[], Any]:
        c = open_ours()
        specs = list(data.batches(shape))

        def run() -> None:
            ours.write(c, specs)
            c.close()

        return run

    def ref_run() -> Callable[[], Any]:
        app = open_ref()
        subjects = list(data.by_subject(shape))

        def run() -> None:
            reference.write(app, subjects)
            app.close()

        return run

    return ours_run, ref_run


def read_back(
    workload: str,
    shape: Shape,
    times: int,
    open_ours: Callable[[bool], Chronicle],
    open_ref: Callable[[], reference.Chronicle] | None,
) -> list[Result]:
    """Open a stored log and answer the first full question, ``times`` runs in turns: every
    expectation at the end of the log, in a chronicle ``open_ours(True)`` opens read-only,
    against every aggregate replayed in a new reference application ``open_ref()`` opens
    (left out when ``None``). Both are filled with ``shape`` first (``open_ours(False)``);
    both answers are checked to count the same subjects."""
    n = shape.total
    with open_ours(False) as c:
        ours.fill(c, shape)
    ids: list[Any] = []
    if open_ref is not None:
        app = open_ref()
        ids = reference.fill(app, shape)
        app.close()
    at = data.end_of_log(shape)
    count: list[int] = []

    def ours_run() -> Callable[[], Any]:
        def run() -> None:
            with open_ours(True) as c:
                count.append(len(c.as_of(at).expectations()))

        return run

    def ref_run(open_ref: Callable[[], reference.Chronicle]) -> Callable[[], Any]:
        def run() -> None:
            app = open_ref()
            count.append(reference.replay_all(app, ids))
            app.close()

        return run

    setups: dict[str, Setup] = {"chronology": ours_run}
    if open_ref is not None:
        setups["eventsourcing"] = partial(ref_run, open_ref)
    runs = interleaved(setups, times)
    assert len(set(count)) == 1, count
    note = f"{count[0]} subjects"
    return [
        Result(workload, system, n, "events/s", [n / s for s in seconds], note=note)
        for system, seconds in runs.items()
    ]


def point_read_turns(
    workload: str,
    c: Chronicle,
    app: reference.Chronicle,
    shape: Shape,
    probes: int,
    times: int,
) -> list[Result]:
    """``as_of(past).get(subject)`` against the reference's read of the aggregate at a past
    version, ``probes`` reads at subjects spread over the log, ``times`` runs in turns: each
    side filled with ``shape`` first (both checked to read the same past state), and closed
    after."""
    ours.fill(c, shape)
    ids = reference.fill(app, shape)
    picks = data.probe_subjects(shape, probes)
    version = shape.events // 2 + 1  # the reference counts versions from 1
    questions = [(data.midpoint(shape, i), data.subject_name(i)) for i in picks]
    targets = [ids[i] for i in picks]
    check_same_answer(c, app, questions, targets, version)

    def ours_run() -> Callable[[], Any]:
        return lambda: [c.as_of(at).get(s) for at, s in questions]

    def ref_run() -> Callable[[], Any]:
        return lambda: [reference.read_at(app, t, version) for t in targets]

    per = 1e6 / probes
    turns = interleaved({"chronology": ours_run, "eventsourcing": ref_run}, times)
    note = f"median of {times} runs of {probes} reads, {shape.events} events a subject"
    c.close()
    app.close()
    return [
        Result(workload, system, shape.total, "us", [s * per for s in seconds], note=note)
        for system, seconds in turns.items()
    ]


def check_same_answer(
    c: Chronicle,
    app: reference.Chronicle,
    questions: list[tuple[datetime, str]],
    targets: list[Any],
    version: int,
) -> None:
    """Both read the same past state: same status and the same number of sources."""
    for (at, subject), target in zip(questions[:5], targets[:5], strict=True):
        mine = c.as_of(at)[subject]
        theirs: Any = reference.read_at(app, target, version)
        assert mine.updated_at == theirs.updated_at, (mine, theirs.__dict__)
        assert len(mine.sources) == len(theirs.sources), (mine, theirs.__dict__)
