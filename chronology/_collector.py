"""Pausing Python's cyclic garbage collector while the library builds many lasting objects.

Folding a large view makes an object per vintage and per expectation, all kept; each few hundred
of them start a collection, and every so often one walks the whole heap (the chronicle's events
included) looking for cycles that none of these objects can form. On a chronicle of 100,000
events that walk costs as much as the fold itself. :func:`collector_paused` turns the collector
off for such a block and back on after it (only if it was on): it is never left disabled, and
whatever the block left for it is collected by the next collections as usual.

Whatever such a block made is still young when the collector comes back on, and the first young
collection after it walks every one of those objects and everything they refer to (the events
of a whole view: a fifth of the time of a cold view of 100,000 events). :func:`promote_young`
moves them to the oldest generation at once instead, without walking them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["PROMOTE_FROM", "collector_paused", "promote_young"]

#: :func:`promote_young` moves the young generation only when it holds at least this many
#: objects more than it held after its last collection (fourteen times the collector's own
#: first threshold of 700: only a block run with the collector paused gets there).
PROMOTE_FROM = 10_000


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, then turn it back on if it was on.

    Meant for blocks that build many objects that form no reference cycles (a fold); reference
    counting still frees everything that is not in a cycle, meanwhile.

    Example:
        >>> import gc
        >>> with collector_paused():
        ...     gc.isenabled()
        False
        >>> gc.isenabled()
        True
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def promote_young(at_least: int = PROMOTE_FROM) -> bool:
    """Move every object the collector tracks to its oldest generation, without walking them,
    when the young generation holds at least ``at_least`` objects.

    Meant for the end of a block that made many lasting objects with the collector paused (a
    cold view's fold): the next young collection would walk them all (and every object they
    refer to) only to find them alive, and move them on; the collection after it would walk
    them again. Moved at once, they are walked only by the oldest generation's collections,
    which are rare. What else is young at that moment (the caller's own new objects) moves too:
    a reference cycle among them is freed by the next full collection rather than by a young
    one.

    Done with :func:`gc.freeze` then :func:`gc.unfreeze` (each links one list to another), and
    only when nothing is frozen: a caller's frozen objects stay frozen.

    Args:
        at_least: the smallest young generation worth moving.

    Returns:
        Whether the objects were moved.

    Example:
        >>> promote_young(at_least=10**12)
        False
    """
    if gc.get_count()[0] < at_least or gc.get_freeze_count():
        return False
    gc.freeze()
    gc.unfreeze()
    return True
