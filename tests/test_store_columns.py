"""The memory store's compact columns give back exactly what they were given."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronology.stores.columns import Hashes


def _hash(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


@given(st.lists(st.integers(0, 50), max_size=40), st.data())
def test_hashes_read_back_as_given(seeds: list[int], data: st.DataObject) -> None:
    texts = [_hash(n) for n in seeds]
    hashes = Hashes()
    cut = data.draw(st.integers(0, len(texts)))
    hashes.extend(texts[:cut])
    hashes.extend(texts[cut:])
    assert len(texts) == len(hashes)
    assert texts == [hashes.text(i) for i in range(len(texts))]
    start = data.draw(st.integers(0, len(texts)))
    stop = data.draw(st.integers(start, len(texts)))
    assert texts[start:stop] == hashes.span(start, stop)
    keep = data.draw(st.integers(0, len(texts)))
    hashes.cut(keep)
    assert texts[:keep] == hashes.span(0, len(hashes))


@pytest.mark.parametrize("bad", ["ab" * 31, "ab" * 33, "x" * 64, "ab" * 31 + " a"])
def test_a_hash_that_is_not_64_hex_digits_is_refused_and_nothing_added(bad: str) -> None:
    hashes = Hashes()
    hashes.extend([_hash(1)])
    with pytest.raises(ValueError, match=r"not 64 hexadecimal digits|non-hexadecimal"):
        hashes.extend([_hash(2), bad])
    assert [_hash(1)] == hashes.span(0, len(hashes))
