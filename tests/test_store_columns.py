"""The memory store's compact columns give back exactly what they were given."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronology import Chronicle
from chronology.errors import IntegrityError
from chronology.events import StatementMade
from chronology.stores import MemoryBackend
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


@pytest.mark.parametrize(
    "bad", ["ab" * 31, "ab" * 33, "x" * 64, "ab" * 31 + " a", "ab" * 31 + " ab", "ab" * 31 + "a"]
)
def test_a_hash_that_is_not_64_hex_digits_is_refused_naming_its_position(bad: str) -> None:
    hashes = Hashes()
    hashes.extend([_hash(1)])
    with pytest.raises(IntegrityError) as raised:
        hashes.extend([_hash(2), bad, _hash(3)])
    assert 3 == raised.value.position
    assert f"record at position 3: its hash {bad!r} is not 64 hexadecimal digits" == str(
        raised.value
    )
    assert [_hash(1)] == hashes.span(0, len(hashes))


def test_a_digest_buffer_cut_short_is_an_integrity_error_naming_the_position() -> None:
    """The buffer changed behind the store's back (a byte dropped): reading a hash it no
    longer holds whole names the record, in a memory store's reads too."""
    c = Chronicle()
    c.extend([StatementMade(subject="s", known_at="2024-04-02", summary=f"k{i}") for i in range(3)])
    backend = c.store.backend
    assert isinstance(backend, MemoryBackend)
    del backend._hashes.digests[-1]
    message = (
        "record at position 3: its hash is missing from the memory store's digest buffer, which"
        " holds 95 bytes where 3 records need 96 (32 a record): the buffer was changed behind"
        " the store's back"
    )
    for read in (lambda: list(c), lambda: c.store.subject_records("s"), c.verify):
        with pytest.raises(IntegrityError) as raised:
            read()
        assert message == str(raised.value)
    assert [_hash(0)] == _one(_hash(0)).texts([0])


def _one(text: str) -> Hashes:
    hashes = Hashes()
    hashes.extend([text])
    return hashes
