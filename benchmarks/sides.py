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


#: The system name of first reads (:func:`point_read_turns`): chronology's reads of subjects
#: it has not read before, in a chronicle just opened.
FIRST_READ = "chronology (first read)"


def point_read_turns(
    workload: str,
    c: Chronicle,
    app: reference.Chronicle,
    shape: Shape,
    probes: int,
    times: int,
    reopen: Callable[[], Chronicle] | None = None,
) -> list[Result]:
    """``as_of(past).get(subject)`` against the reference's read of the aggregate at a past
    version, ``probes`` reads at subjects spread over the log, ``times`` runs in turns: each
    side filled with ``shape`` first (both checked to read the same past state), and closed
    after.

    Chronology's reads are measured twice, as two results: ``chronology``, the reads after an
    untimed warm-up pass over the subjects read (what a process that reads on sees: the
    per-subject snapshots hold long-lived subjects), and :data:`FIRST_READ`, a read of each
    subject read, once, in a chronicle ``reopen`` returns (made in the untimed set-up, so that
    no snapshot and no decoded record of an earlier run is at hand; closed after).
    The reference keeps nothing between reads: one result.
    """
    ours.fill(c, shape)
    ids = reference.fill(app, shape)
    picks = data.probe_subjects(shape, probes)
    version = shape.events // 2 + 1  # the reference counts versions from 1
    questions = [(data.midpoint(shape, i), data.subject_name(i)) for i in picks]
    firsts: list[tuple[datetime, str]] = []  # each subject read, once
    for at, s in questions:
        if all(s != other for _, other in firsts):
            firsts.append((at, s))
    targets = [ids[i] for i in picks]
    check_same_answer(c, app, questions, targets, version)
    for at, s in questions:  # the warm-up pass
        c.as_of(at).get(s)
    opened: list[Chronicle] = []

    def ours_run() -> Callable[[], Any]:
        return lambda: [c.as_of(at).get(s) for at, s in questions]

    def first_run() -> Callable[[], Any]:
        while opened:
            opened.pop().close()
        if reopen is None:  # a store in memory: a new chronicle over it holds nothing yet
            fresh = Chronicle(c.store)
        else:
            fresh = reopen()
            opened.append(fresh)
        return lambda: [fresh.as_of(at).get(s) for at, s in firsts]

    def ref_run() -> Callable[[], Any]:
        return lambda: [reference.read_at(app, t, version) for t in targets]

    turns = interleaved(
        {"chronology": ours_run, FIRST_READ: first_run, "eventsourcing": ref_run}, times
    )
    for fresh in opened:
        fresh.close()
    c.close()
    app.close()
    runs = f"median of {times} runs of {probes} reads, {shape.events} events a subject"
    notes = {
        "chronology": (len(questions), f"{runs}, after a warm-up pass over the subjects read"),
        FIRST_READ: (len(firsts), f"{runs}: the first read of each of the {len(firsts)} subjects"),
        "eventsourcing": (len(questions), runs),
    }
    out = []
    for system, seconds in turns.items():
        reads, note = notes[system]
        per = [t * 1e6 / reads for t in seconds]
        out.append(Result(workload, system, shape.total, "us", per, note=note))
    return out


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
