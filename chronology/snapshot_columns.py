"""Columns of a shelved snapshot's text (:mod:`chronology.snapshot_text`): how one field of
many values is written as JSON, and read back with as few Python calls as may be.

A column is the list of one field's items, in the values' order, in one of these forms:

* a plain column (:func:`column`): the list of the items, or ``{"all": item}`` when they are
  all that one item (a figure's hundred vintages share a unit and a scope);
* a column of tuples of texts (:func:`text_column`): the distinct tuples written once and
  named by their place (:func:`interned_column`: an agenda, a list of claims), or, when most
  tuples differ (event ids), every text joined by a space in a section of the text of its
  own, and the column of the tuples' sizes: read back by one ``str.split`` and sliced into
  tuples in C, when first read;
* a column of tuples of other items (sources, members of an enum): interned;
* a column of tuples of values of a class (a figure's vintages): every row's values written
  as one block of columns, with the column of the tuples' sizes.

Every reader raises :class:`ValueError` (or :class:`KeyError`, :class:`IndexError`,
:class:`TypeError`) on a column that is not of these forms or not of the length asked for; the
snapshot's reader turns those into a :class:`~chronology.snapshot_text.SnapshotTextError`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from chronology._vintages import DeferredBlock, deferred_cuts

__all__ = [
    "Sections",
    "column",
    "interned_column",
    "split_sizes",
    "text_column",
    "uncolumn",
    "uninterned_column",
    "untext_column",
]


class Sections:
    """The sections of a text: its lines from the ``first``-th on (counted from 0), each
    sliced out only when asked for (a section of event ids is a third of a million events'
    snapshot, and copied only if it is read).

    Example:
        >>> sections = Sections("header\\nbody\\na b c\\nd", 2)
        >>> len(sections), sections[0], sections.count(0, " ")
        (2, 'a b c', 2)
    """

    __slots__ = ("_bounds", "_text")

    def __init__(self, text: str, first: int) -> None:
        """The lines of ``text`` from the ``first``-th on."""
        starts = [0]
        find = text.find
        while (end := find("\n", starts[-1])) >= 0:
            starts.append(end + 1)
        bounds = [(a, b - 1) for a, b in itertools.pairwise(starts)]
        bounds.append((starts[-1], len(text)))
        self._text = text
        self._bounds = bounds[first:]

    def after(self, count: int) -> Sections:
        """The sections after the first ``count`` of these."""
        out = Sections.__new__(Sections)
        out._text = self._text
        out._bounds = self._bounds[count:]
        return out

    def __len__(self) -> int:
        """How many sections there are."""
        return len(self._bounds)

    def __getitem__(self, index: int) -> str:
        """The section at ``index`` (a copy of it).

        Raises:
            IndexError: if there is no such section.
        """
        if index < 0:
            raise IndexError(f"section {index}")
        start, end = self._bounds[index]
        return self._text[start:end]

    def count(self, index: int, sub: str) -> int:
        """How many times ``sub`` occurs in the section at ``index``, without copying it."""
        if index < 0:
            raise IndexError(f"section {index}")
        start, end = self._bounds[index]
        return self._text.count(sub, start, end)


def column(items: Sequence[Any]) -> Any:
    """A plain column as written: ``{"all": item}`` when every item is that one (the same
    text, integer or object), else the list.

    Example:
        >>> column((3, 3, 3)), column(("a", "b"))
        ({'all': 3}, ['a', 'b'])
    """
    first = items[0]
    kind = type(first)
    if kind is str or kind is int:
        if all(type(x) is kind and x == first for x in items):
            return {"all": first}
    elif all(x is first for x in items):
        return {"all": first}
    return list(items)


def uncolumn(data: Any, count: int) -> Iterable[Any]:
    """What :func:`column` wrote, read back (``count`` items)."""
    if data.__class__ is list:
        return data
    return itertools.repeat(data["all"], count)


def split_sizes(flat: Sequence[Any], sizes: Any, count: int) -> Iterable[tuple[Any, ...]]:
    """``flat`` cut into ``count`` tuples of the sizes in the plain column ``sizes``, in C.

    Example:
        >>> list(split_sizes(["a", "b", "c"], [1, 0, 2], 3))
        [('a',), (), ('b', 'c')]
        >>> list(split_sizes(["a", "b", "c", "d"], {"all": 2}, 2))
        [('a', 'b'), ('c', 'd')]
    """
    items = tuple(flat)
    if sizes.__class__ is not list:
        size = sizes["all"]
        if size.__class__ is not int or size < 0 or size * count != len(items):
            raise ValueError(f"{len(items)} items are not {count} tuples of {size!r}")
        if not size:
            return itertools.repeat((), count)
        return zip(*[iter(items)] * size, strict=True)
    if len(sizes) != count or min(sizes, default=0) < 0:
        raise ValueError(f"{len(sizes)} tuple sizes for {count} tuples")
    ends = list(itertools.accumulate(sizes))
    if (ends[-1] if ends else 0) != len(items):
        raise ValueError(f"{len(items)} items are not tuples of {ends[-1]} in all")
    return map(items.__getitem__, map(slice, [0, *ends[:-1]], ends))


def interned_column(items: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """A column of tuples (each given as its items' encodings) as written: each distinct
    tuple once (``"t"``), and the column of their places (``"i"``).

    Example:
        >>> interned_column([("SCO", "UN"), (), ("SCO", "UN")])
        {'t': [['SCO', 'UN'], []], 'i': [0, 1, 0]}
    """
    places: dict[tuple[Any, ...], int] = {}
    index = [places.setdefault(tuple(item), len(places)) for item in items]
    return {"t": [list(item) for item in places], "i": column(index)}


def uninterned_column(
    data: Any, count: int, read: Callable[[list[Any]], tuple[Any, ...]] = tuple
) -> Iterable[tuple[Any, ...]]:
    """What :func:`interned_column` wrote, read back (``count`` tuples); each distinct tuple
    is made once, by ``read`` (which decodes its items), and shared by the values naming it."""
    made = [read(item) for item in data["t"]]
    places = data["i"]
    if places.__class__ is not list:
        place = places["all"]
        if place < 0:
            raise IndexError(f"tuple {place} of {len(made)}")
        return itertools.repeat(made[place], count)
    if places and min(places) < 0:
        raise IndexError(f"tuple {min(places)} of {len(made)}")
    return list(map(made.__getitem__, places))


def text_column(items: Sequence[tuple[str, ...]], sections: list[str]) -> dict[str, Any]:
    """A column of tuples of texts as written: interned (:func:`interned_column`) when at
    most half of them differ or a text is empty or holds a space or a line break; otherwise
    every text joined by a space, as a section of its own (appended to ``sections``, named
    by its place there: ``"s"``), with the column of the tuples' sizes (``"n"``).

    Example:
        >>> sections = []
        >>> text_column([("a1", "b2"), ("c3",)], sections), sections
        ({'s': 0, 'n': [2, 1]}, ['a1 b2 c3'])
    """
    distinct = len(set(items))
    if 2 * distinct > len(items):
        flat = list(itertools.chain.from_iterable(items))
        if flat and all(x and " " not in x and "\n" not in x for x in flat):
            sections.append(" ".join(flat))
            return {"s": len(sections) - 1, "n": column(tuple(map(len, items)))}
    return interned_column(items)


def untext_column(
    data: Any, count: int, sections: Sections, *, lazy: bool = False
) -> Iterable[Any]:
    """What :func:`text_column` wrote, read back (``count`` tuples). With ``lazy``, a joined
    column is split only when one of its tuples is first read: its items are cuts of a
    ``chronology._vintages.DeferredBlock``, for a field that reads them so (see
    ``chronology._vintages.read_deferred``)."""
    if "s" not in data:
        return uninterned_column(data, count)
    place = data["s"]
    sizes = data["n"]
    if not lazy:
        return split_sizes(sections[place].split(" "), sizes, count)
    counts = list(uncolumn(sizes, count))
    if len(counts) != count or min(counts, default=0) < 0:
        raise ValueError(f"{len(counts)} tuple sizes for {count} tuples")
    if sections.count(place, " ") + 1 != sum(counts):  # a joined column is never empty
        raise ValueError(f"the joined texts are not {sum(counts)} in all")
    block = DeferredBlock(lambda: list(split_sizes(sections[place].split(" "), sizes, count)))
    return deferred_cuts(block, counts)
