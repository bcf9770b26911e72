"""Settings out of range are refused when given, naming the setting and the value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chronology import ChronologyError, SettingError
from chronology.snapshots import Snapshots
from chronology.stores import Store
from chronology.stores.memory import MemoryBackend
from chronology.subject_snapshots import SubjectSnapshots


def test_a_setting_error_is_a_chronology_error_and_a_value_error() -> None:
    assert issubclass(SettingError, ChronologyError)
    assert issubclass(SettingError, ValueError)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Store(MemoryBackend(), chunk_size=0), "chunk_size must be at least 1, got 0"),
        (lambda: Store(MemoryBackend(), chunk_size=-5), "chunk_size must be at least 1, got -5"),
        (
            lambda: Snapshots(Store(MemoryBackend()), every=0),
            "every must be at least 1 (or None: the automatic grid), got 0",
        ),
        (
            lambda: Snapshots(Store(MemoryBackend()), every=-3),
            "every must be at least 1 (or None: the automatic grid), got -3",
        ),
        (
            lambda: SubjectSnapshots(Store(MemoryBackend()), every=0),
            "every must be at least 1, got 0",
        ),
    ],
)
def test_a_setting_out_of_range_is_refused_naming_it(make: Callable[[], Any], message: str) -> None:
    with pytest.raises(SettingError) as caught:
        make()
    assert message == str(caught.value)


def test_settings_in_range_are_kept() -> None:
    store = Store(MemoryBackend(), chunk_size=1)
    assert 0 == len(store)
    assert 0 == len(Snapshots(store, every=1))
    assert 0 == len(SubjectSnapshots(store, every=1))
