"""Published heads: what a chronicle's keeper publishes so that anyone can later tell whether the
log was rewritten.

The hash chain shows that a log is *consistent*: each record's ``hash`` covers its content and
the hash before it. It cannot show that the log is *the one that was written*: whoever can
write the file can change a record, compute every later hash again and reseal the head, and
:meth:`.Chronicle.verify` passes. A :class:`Head` published elsewhere (a release note, a
signed message, another machine) closes that gap: a log that still holds the record at the
published position with the published hash extends what was published, and to forge a record
at or before that position the forger would have to find a SHA-256 collision.
"""

from __future__ import annotations

import re
from typing import Final, Self

import attrs

from chronology.errors import HeadError
from chronology.record import GENESIS_HASH

__all__ = ["Head"]

_HASH: Final = re.compile(r"[0-9a-f]{64}")


def _check_position(instance: Head, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise HeadError(f"position: expected an integer >= 0, got {value!r}")


def _check_hash(instance: Head, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or _HASH.fullmatch(value) is None:
        raise HeadError(f"hash: expected 64 lowercase hexadecimal digits, got {value!r}")


@attrs.frozen
class Head:
    """The position and hash of a chronicle's last record, to publish.

    An empty chronicle's head is position 0 with the genesis hash (64 zeros), which the first
    record chains from: every log extends it.

    Attributes:
        position: the position of the last record (0 for an empty chronicle).
        hash: that record's ``hash``.

    Raises:
        HeadError: for a negative position, a hash that is not 64 lowercase hex digits, or a
            position 0 with another hash than the genesis hash.

    Example:
        >>> from chronology import Chronicle, Head
        >>> from chronology.events import VisitCancelled
        >>> c = Chronicle()
        >>> str(c.head())
        '0:0000000000000000000000000000000000000000000000000000000000000000'
        >>> _ = c.append(VisitCancelled(subject="visit/x", known_at="2024-04-05T00:00:00Z"))
        >>> head = c.head()
        >>> head.position
        1
        >>> Head.parse(str(head)) == head
        True
        >>> c.verify(expected_head=str(head))
        1
    """

    position: int = attrs.field(validator=_check_position)
    hash: str = attrs.field(validator=_check_hash)

    def __attrs_post_init__(self) -> None:
        if self.position == 0 and self.hash != GENESIS_HASH:
            raise HeadError(f"position 0 is the empty log, whose hash is {GENESIS_HASH}")

    def __str__(self) -> str:
        return f"{self.position}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Self:
        """Read a head written as ``POSITION:HASH`` (what ``str(head)`` gives).

        Raises:
            HeadError: if ``text`` is not of that form (the message quotes it).
        """
        position, sep, hash_ = text.strip().partition(":")
        if not sep or not position.isdigit() or not position.isascii():
            raise HeadError(f"expected POSITION:HASH (such as 12:3f5a...), got {text!r}")
        return cls(int(position), hash_)
