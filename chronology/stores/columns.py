"""Compact columns for the memory store: every record's hash kept as bytes in one buffer, not
as one text object each.

A SHA-256 hash kept as its 64-character text is a 113-byte object, and 8 bytes more for the
list slot that holds it; kept here it costs 32 bytes, and its text is made again when a record
is read (about a third of a microsecond). ``recorded_at`` stays a ``datetime`` a record:
kept as microseconds in an array it would save 48 bytes more, and cost twice that time on
every read (measured; see ``benchmarks/README.md``, "A million events in memory").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from chronology.errors import IntegrityError

__all__ = ["Hashes"]

#: The length of a hash's text.
_WIDTH: Final = frozenset({64})
#: The hexadecimal digits.
_HEX: Final = frozenset("0123456789abcdefABCDEF")

_DIGEST: Final = 32


class Hashes:
    """SHA-256 hashes, given and read as their hexadecimal text, kept as 32-byte digests in one
    ``bytearray``. Only ever extended at the end (or cut back to a length)."""

    __slots__ = ("_digests",)

    def __init__(self) -> None:
        self._digests = bytearray()

    def __len__(self) -> int:
        return len(self._digests) // _DIGEST

    @property
    def digests(self) -> bytearray:
        """The buffer itself (the digest at index ``i`` is ``digests[32 * i : 32 * i + 32]``),
        for a reader that makes many texts in one loop; not to be changed."""
        return self._digests

    def text(self, i: int) -> str:
        """The hash at index ``i`` (in range), as text.

        Raises:
            IntegrityError: if the buffer holds no whole digest there (see :meth:`check`).
        """
        if len(self._digests) < (i + 1) * _DIGEST:
            self.check(i + 1)
        return self._digests[i * _DIGEST : (i + 1) * _DIGEST].hex()

    def span(self, start: int, stop: int) -> list[str]:
        """The hashes from index ``start`` up to ``stop`` (in range), as text: one conversion
        of the whole span, cut into texts.

        Raises:
            IntegrityError: if the buffer holds no whole digest for one of them (see
                :meth:`check`).
        """
        if len(self._digests) < stop * _DIGEST:
            self.check(stop)
        text = self._digests[start * _DIGEST : stop * _DIGEST].hex()
        width = 2 * _DIGEST
        return [text[k : k + width] for k in range(0, len(text), width)]

    def texts(self, indexes: Sequence[int]) -> list[str]:
        """The hashes at ``indexes`` (in range), as text.

        Raises:
            IntegrityError: if the buffer holds no whole digest for one of them (see
                :meth:`check`).
        """
        digests = self._digests
        if indexes and len(digests) < (max(indexes) + 1) * _DIGEST:
            self.check(max(indexes) + 1)
        return [digests[i * _DIGEST : i * _DIGEST + _DIGEST].hex() for i in indexes]

    def check(self, count: int) -> None:
        """Check that the buffer holds whole digests for the first ``count`` records: its
        length a multiple of 32 bytes, and at least ``32 * count``.

        Raises:
            IntegrityError: naming the position (index + 1) of the first record whose digest
                is missing or cut short: the buffer was changed behind the store's back.
        """
        held = len(self._digests)
        if held % _DIGEST == 0 and held >= count * _DIGEST:
            return
        position = held // _DIGEST + 1
        raise IntegrityError(
            position,
            f"its hash is missing from the memory store's digest buffer, which holds {held} "
            f"bytes where {count} records need {count * _DIGEST} (32 a record): the buffer "
            "was changed behind the store's back",
        )

    def extend(self, texts: Sequence[str]) -> None:
        """Add hashes given as their 64-character hexadecimal text (the records at the
        positions after those held).

        Raises:
            IntegrityError: naming the position of the first hash that is not 64 hexadecimal
                digits, and the text (nothing is added then).
        """
        try:
            digests = bytes.fromhex("".join(texts))
        except ValueError:
            digests = b""
        if len(digests) != _DIGEST * len(texts) or not set(map(len, texts)) <= _WIDTH:
            first = len(self) + 1
            for k, text in enumerate(texts):
                if len(text) != 2 * _DIGEST or not _HEX.issuperset(text):
                    first += k
                    break
            raise IntegrityError(
                first, f"its hash {texts[first - len(self) - 1]!r} is not 64 hexadecimal digits"
            )
        self._digests += digests

    def cut(self, length: int) -> None:
        """Keep only the first ``length`` hashes."""
        del self._digests[length * _DIGEST :]
