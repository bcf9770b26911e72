"""What the pictures share: their errors, the one palette of a figure, date axes, element ids,
literal text, and writing a figure to a file."""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

from chronology.errors import ChronologyError
from chronology.expectations import Status
from chronology.time import UTC

if TYPE_CHECKING:
    import matplotlib.axes
    import matplotlib.figure

__all__ = [
    "AS_OF_COLOUR",
    "FORMATS",
    "SCOPE_COLOURS",
    "STATUS_COLOURS",
    "MissingDependencyError",
    "NothingToPlotError",
    "When",
    "date_axis",
    "gid",
    "literal_text",
    "num",
    "require_matplotlib",
    "save",
    "scope_colour",
]

#: The file formats :func:`save` writes, by extension.
FORMATS: Final = ("png", "svg", "pdf")

#: An instant as the plotting functions take it, a datetime, a date (its last instant, UTC) or
#: text in the library's forms (see :func:`chronology.instants.as_of_instant`).
When = datetime | date | str


class MissingDependencyError(ChronologyError, ImportError):
    """An optional dependency of :mod:`chronology.plot` (matplotlib) is not installed."""


class NothingToPlotError(ChronologyError, ValueError):
    """The chronicle holds nothing the requested picture could show."""


def require_matplotlib() -> None:
    """Raise :class:`MissingDependencyError` when matplotlib is not installed."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingDependencyError(
            "plotting needs matplotlib; install the 'plot' extra: "
            "pip install 'expectation-chronology[plot]'"
        ) from None


# One palette per figure, each colour with one meaning: the statuses of visit windows, the
# scopes of trade figures and the as-of line never share a colour (a test checks it).

#: The fill of a visit window, by the status it had.
STATUS_COLOURS: Final[dict[Status, str]] = {
    Status.ANNOUNCED: "#9ecae1",
    Status.SCHEDULED: "#3182bd",
    Status.POSTPONED: "#fdae6b",
    Status.CANCELLED: "#bdbdbd",
    Status.OCCURRED: "#31a354",
    Status.OVERDUE: "#de2d26",
    Status.UNKNOWN: "#d9d9d9",
}

#: The fill of trade bars, one colour per scope (projection and reports of a scope alike), in
#: the order the scopes first appear in a figure; after these, :func:`scope_colour` takes
#: matplotlib's ``tab20b`` colours.
SCOPE_COLOURS: Final = ("#8c510a", "#01665e", "#c51b7d", "#7a7a00", "#542788", "#d8b365")

#: The line marking the as-of instant.
AS_OF_COLOUR: Final = "#000000"


def scope_colour(index: int) -> str:
    """The colour of the ``index``-th scope of a figure (from 0): distinct for every scope up
    to 26, and never a status or as-of colour."""
    if index < len(SCOPE_COLOURS):
        return SCOPE_COLOURS[index]
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    return to_hex(colormaps["tab20b"]((index - len(SCOPE_COLOURS)) % 20))


_GID_UNSAFE: Final = re.compile(r"[^\w./-]+")


def num(t: datetime) -> float:
    """An instant as matplotlib's date number."""
    from matplotlib import dates as mdates

    return float(mdates.date2num(t))


def date_axis(ax: matplotlib.axes.Axes, which: str) -> None:
    """Date ticks on the ``x`` or ``y`` axis of ``ax``, formatted by span: years on a panel of
    several years, months and days within one, the year (and month) always shown once in the
    axis' offset text, so that no panel reads "01 Jan" with no year."""
    from matplotlib import dates as mdates

    locator = mdates.AutoDateLocator(tz=UTC, minticks=4, maxticks=10)
    formatter = mdates.ConciseDateFormatter(locator, tz=UTC, show_offset=True)
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_locator(locator)
    axis.set_major_formatter(formatter)


def gid(*parts: str) -> str:
    """An element id for SVG output: the parts joined by ``:``, spaces and punctuation as ``-``."""
    return ":".join(_GID_UNSAFE.sub("-", p).strip("-") for p in parts)


def literal_text(fig: matplotlib.figure.Figure) -> None:
    """Draw every text of ``fig`` as it is: subjects, names, scopes and units come from the
    data, and ``$...$`` in them is not mathtext (``$\\foo$`` would not even parse), nor TeX
    when the user's matplotlib settings ask for ``text.usetex``."""
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        assert isinstance(text, Text)
        text.set_parse_math(False)
        text.set_usetex(False)


def save(figure: matplotlib.figure.Figure, path: str | os.PathLike[str]) -> None:
    """Write a figure to a ``.png``, ``.svg`` or ``.pdf`` file (see :data:`FORMATS`).

    SVG keeps its text as text (searchable, and styled by the reader's fonts) and stable element
    ids; PDF embeds its fonts as TrueType, so a report's reader can search and copy the text;
    every format carries the figure's title in its metadata, and SVG and PDF no creation date
    (the same chronicle gives the same file).

    Raises:
        ChronologyError: for another file extension, or a file that cannot be written.
    """
    require_matplotlib()
    import matplotlib

    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ChronologyError(f"{target}: can only write .png, .svg or .pdf, not {target.suffix!r}")
    title = figure.get_suptitle() or "chronology"
    metadata: dict[str, str | None] = {"Title": title}
    if fmt == "svg":
        metadata["Date"] = None
    elif fmt == "pdf":
        metadata["CreationDate"] = None
    try:
        with matplotlib.rc_context(
            {"svg.fonttype": "none", "svg.hashsalt": "chronology", "pdf.fonttype": 42}
        ):
            figure.savefig(target, format=fmt, dpi=120, metadata=metadata)
    except OSError as exc:
        raise ChronologyError(f"{target}: cannot write: {exc.strerror or exc}") from None
