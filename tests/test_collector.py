"""What a large fold made leaves the young generation without a walk (``promote_young``), and
a caller's frozen objects stay frozen."""

from __future__ import annotations

import gc
from datetime import UTC, datetime, timedelta

from chronology import Chronicle, Quantity, Source, Window
from chronology._collector import PROMOTE_FROM, collector_paused, promote_young
from chronology.events import Event, TradeProjected

START = datetime(2024, 3, 1, tzinfo=UTC)


def _in_generation(obj: object, generation: int) -> bool:
    return any(o is obj for o in gc.get_objects(generation=generation))


def test_promote_young_moves_the_young_generation_to_the_oldest() -> None:
    gc.collect()
    with collector_paused():
        made = [[i] for i in range(200)]
        assert _in_generation(made[0], 0)
        assert promote_young(at_least=100)
        assert not _in_generation(made[0], 0)
        assert _in_generation(made[0], 2)
        assert gc.get_count()[0] < 100


def test_promote_young_leaves_a_small_young_generation_where_it_is() -> None:
    gc.collect()
    with collector_paused():
        made = [[i] for i in range(50)]
        assert not promote_young(at_least=10_000)
        assert _in_generation(made[0], 0)


def test_promote_young_leaves_frozen_objects_frozen() -> None:
    gc.collect()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector_paused():
            made = [[i] for i in range(200)]
            assert not promote_young(at_least=100)
            assert frozen == gc.get_freeze_count()
            assert _in_generation(made[0], 0)
    finally:
        gc.unfreeze()


def _figures(count: int) -> list[Event]:
    period = Window.parse("2024-03")
    source = Source("Kpler")
    return [
        TradeProjected(
            subject=f"trade/figure-{i}",
            known_at=START + timedelta(seconds=i),
            source=source,
            period=period,
            quantity=Quantity(float(i), "kt"),
            scope="seaborne",
        )
        for i in range(count)
    ]


def test_a_large_cold_view_leaves_its_values_in_the_oldest_generation() -> None:
    c = Chronicle()
    count = PROMOTE_FROM // 2
    c.extend(_figures(count))
    gc.collect()
    values = c.as_of(START + timedelta(days=1)).expectations()
    assert count == len(values)
    # without the move, the next young collection walks them and leaves them in the middle one
    assert _in_generation(values[0], 2)
    assert _in_generation(values[0].event_ids, 2) or not gc.is_tracked(values[0].event_ids)


def test_vintages_made_together_are_left_in_the_oldest_generation() -> None:
    c = Chronicle()
    c.extend(_figures(PROMOTE_FROM + 100))  # a vintage each
    values = c.as_of(START + timedelta(days=1)).trades()
    gc.collect(0)  # the values' own state moved: only what the read makes is young
    with collector_paused():
        vintage = values[0].projections[0]
    assert _in_generation(vintage, 2)
