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

__all__ = ["Hashes"]

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
        """The hash at index ``i`` (in range), as text."""
        return self._digests[i * _DIGEST : (i + 1) * _DIGEST].hex()

    def span(self, start: int, stop: int) -> list[str]:
        """The hashes from index ``start`` up to ``stop`` (in range), as text: one conversion
        of the whole span, cut into texts."""
        text = self._digests[start * _DIGEST : stop * _DIGEST].hex()
        width = 2 * _DIGEST
        return [text[k : k + width] for k in range(0, len(text), width)]

    def extend(self, texts: Sequence[str]) -> None:
        """Add hashes given as their 64-character hexadecimal text.

        Raises:
            ValueError: if one is not 64 hexadecimal digits (nothing is added then).
        """
        digests = bytes.fromhex("".join(texts))
        if len(digests) != _DIGEST * len(texts):
            raise ValueError("a hash is not 64 hexadecimal digits")
        self._digests += digests

    def cut(self, length: int) -> None:
        """Keep only the first ``length`` hashes."""
        del self._digests[length * _DIGEST :]
