"""The memory store's order index: any arrival order gives the answers of a naive sort of the
records by ``(known_at, position)``."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import events, known_ats

from chronology import Chronicle
from chronology.errors import IntegrityError
from chronology.events import AgendaChanged, Event
from chronology.stores import MemoryStore
from chronology.stores.order_index import OrderIndex

T0 = datetime(2024, 1, 1, tzinfo=UTC)

#: Instants on a grid of a few minutes, so that ties are common.
instants = st.integers(0, 12).map(lambda m: T0 + timedelta(minutes=m))
bounds = st.none() | instants.map(lambda t: t + timedelta(seconds=30)) | instants


def _naive(
    known: list[datetime], after: datetime | None, until: datetime | None, count: int
) -> list[int]:
    """The list indexes below ``count`` with ``after < known_at <= until``, sorted by
    ``(known_at, index)``."""
    return sorted(
        (
            i
            for i in range(count)
            if (after is None or after < known[i]) and (until is None or known[i] <= until)
        ),
        key=lambda i: (known[i], i),
    )


@given(
    st.lists(st.lists(instants, min_size=0, max_size=12), min_size=1, max_size=12),
    st.lists(st.tuples(bounds, bounds), min_size=1, max_size=4),
)
def test_any_arrival_order_slices_as_a_naive_sort(
    batches: list[list[datetime]], questions: list[tuple[datetime | None, datetime | None]]
) -> None:
    known: list[datetime] = []
    index = OrderIndex(known.__getitem__)
    for batch in batches:
        before = len(known)
        indexes = list(range(before, before + len(batch)))
        known.extend(batch)
        index.add(indexes, batch)
        for after, until in questions:
            # A reader bound to the count before the batch does not see it.
            assert _naive(known, after, until, before) == index.slice(after, until, before)
            assert _naive(known, after, until, len(known)) == index.slice(after, until, len(known))
        assert len(known) == len(index)
        index.check(len(known))


def test_thousands_of_late_records_in_random_order_slice_as_a_naive_sort() -> None:
    """Enough late records that the sorted part splits its sublists many times over (they
    hold 100 to 200 records each), with ties, in batches of a few hundred."""
    rng = random.Random(17)
    minutes = [rng.randrange(2_000) for _ in range(6_000)]
    known: list[datetime] = []
    index = OrderIndex(known.__getitem__)
    for start in range(0, len(minutes), 500):
        batch = [T0 + timedelta(minutes=m) for m in minutes[start : start + 500]]
        indexes = list(range(len(known), len(known) + len(batch)))
        known.extend(batch)
        index.add(indexes, batch)
    assert _naive(known, None, None, len(known)) == index.slice(None, None, len(known))
    after, until = T0 + timedelta(minutes=300), T0 + timedelta(minutes=1_700)
    assert _naive(known, after, until, 4_000) == index.slice(after, until, 4_000)
    index.check(len(known))


@given(st.lists(st.lists(instants, min_size=1, max_size=8), min_size=1, max_size=8), st.data())
def test_reset_holds_exactly_the_first_records(
    batches: list[list[datetime]], data: st.DataObject
) -> None:
    known: list[datetime] = []
    index = OrderIndex(known.__getitem__)
    for batch in batches:
        indexes = list(range(len(known), len(known) + len(batch)))
        known.extend(batch)
        index.add(indexes, batch)
    keep = data.draw(st.integers(0, len(known)))
    index.reset(keep)
    del known[keep:]
    assert _naive(known, None, None, keep) == index.slice(None, None, len(known) + 5)
    index.check(keep)
    # It takes batches on as before: one late, one in order.
    known += [T0, T0 + timedelta(days=1)]
    index.add([keep, keep + 1], known[keep:])
    assert _naive(known, None, None, keep + 2) == index.slice(None, None, keep + 2)


def test_a_backfill_slices_as_a_naive_sort() -> None:
    """Subject by subject with interleaved ``known_at`` (an archive ingested one story at a
    time): every batch lands before records already held, across the whole log."""
    subjects, per_subject = 60, 25
    known: list[datetime] = []
    index = OrderIndex(known.__getitem__)
    for s in range(subjects):
        batch = [T0 + timedelta(minutes=j * subjects + s) for j in range(per_subject)]
        indexes = list(range(len(known), len(known) + per_subject))
        known.extend(batch)
        index.add(indexes, batch)
    n = len(known)
    assert _naive(known, None, None, n) == index.slice(None, None, n)
    middle = T0 + timedelta(minutes=n // 2)
    assert _naive(known, middle, None, n) == index.slice(middle, None, n)
    assert _naive(known, None, middle, n) == index.slice(None, middle, n)
    index.check(n)


def test_check_names_a_record_whose_known_at_moved() -> None:
    """The check compares the order with the records' own ``known_at``: an event changed in
    place since it was indexed is out of place, in the early part as in the run."""
    known = [T0 + timedelta(minutes=m) for m in (5, 6, 7, 1, 2)]
    index = OrderIndex(known.__getitem__)
    index.add([0, 1, 2], known[:3])
    index.add([3, 4], known[3:])  # late: the first three move to the early part
    index.check(5)
    known[1] = T0 + timedelta(minutes=9)
    with pytest.raises(IntegrityError) as caught:
        index.check(5)
    assert (3, "out of place in the order index") == (caught.value.position, caught.value.reason)


def test_check_names_a_record_left_out() -> None:
    known = [T0, T0 + timedelta(minutes=1)]
    index = OrderIndex(known.__getitem__)
    index.add([0, 1], known)
    with pytest.raises(IntegrityError) as caught:
        index.check(3)
    assert (3, "left out of the order index") == (caught.value.position, caught.value.reason)
    with pytest.raises(IntegrityError, match="holds a record 2 past it"):
        index.check(1)


@given(st.lists(st.tuples(known_ats(), events()), min_size=1, max_size=30), st.data())
def test_memory_store_ordered_between_as_a_naive_sort(
    items: list[tuple[datetime, Event]], data: st.DataObject
) -> None:
    """Events in any arrival order, in batches of any size: ``ordered_between`` gives the
    records a naive sort by ``(known_at, position)`` and a filter give."""
    store = MemoryStore()
    c = Chronicle(store)
    pending = [attrs.evolve(e, known_at=k) for k, e in data.draw(st.permutations(items))]
    while pending:
        size = data.draw(st.integers(1, len(pending)))
        c.extend(pending[:size])
        pending = pending[size:]
    naive = sorted(c, key=lambda r: (r.known_at, r.position))
    instants = sorted({r.known_at for r in naive})
    for _ in range(3):
        after = data.draw(st.none() | st.sampled_from(instants))
        until = data.draw(st.none() | st.sampled_from(instants))
        expected = [
            r
            for r in naive
            if (after is None or after < r.known_at) and (until is None or r.known_at <= until)
        ]
        assert expected == list(store.ordered_between(after, until))
    c.verify()


def test_memory_store_backfill_keeps_the_order() -> None:
    """A chronicle written subject by subject with interleaved ``known_at``."""
    c = Chronicle()
    subjects, per_subject = 30, 12
    for s in range(subjects):
        c.extend(
            AgendaChanged(
                subject=f"visit/{s}",
                known_at=T0 + timedelta(hours=j * subjects + s),
                added=(f"item {j}",),
            )
            for j in range(per_subject)
        )
    expected = sorted(c, key=lambda r: (r.known_at, r.position))
    assert expected == list(c.store.ordered())
    assert subjects * per_subject == c.verify()
