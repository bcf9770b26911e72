"""Pausing Python's cyclic garbage collector while the library builds many lasting objects.

Folding a large view makes an object per vintage and per expectation, all kept; each few hundred
of them start a collection, and every so often one walks the whole heap (the chronicle's events
included) looking for cycles that none of these objects can form. On a chronicle of 100,000
events that walk costs as much as the fold itself. :func:`collector_paused` turns the collector
off for such a block and back on after it (only if it was on): it is never left disabled, and
whatever the block left for it is collected by the next collections as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


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
