"""Pictures of a chronicle: how expectations moved, as :mod:`matplotlib` figures.

Needs the ``plot`` extra (``pip install 'expectation-chronology[plot]'``); matplotlib is imported
only when a function here is called.

* :func:`timeline`: one panel per visit or plan (a summit, an output increase: a plan has a
  visit's life cycle and is drawn the same way). The x axis is *target time* (when it was
  expected to happen), the y axis *assertion time* (when it was said), running down the page.
  Each band is the window believed from one statement until the next one changed it; markers
  on the diagonal (where target time equals assertion time) show when each announcement,
  schedule, reschedule, postponement or cancellation was made, and a star the actual dates.
  The dashed line is the as-of instant.
* :func:`trade_figures`: for each trade flow or figure (world demand growth, a GDP target),
  the projected figure, its earlier vintages listed beside it, against the latest figure
  reported in each scope (a scope is what a figure measures, and figures of different scopes
  answer different questions). One panel per dimension: figures in ``mb/d``, ``kb/d`` and
  ``bbl/d`` share one, converted to its unit; tonnes and barrels never do.
* :func:`overview`: both, in one figure, for every kind: what ``chronology plot`` draws.
* :func:`reliability`, :func:`errors_by_horizon` and :func:`vintages`: how expectations turned
  out (see :mod:`chronology.plot.scoring`): the reliability diagram of the hedged forecasts,
  figure errors by horizon per source, and a figure's projection vintages over assertion time
  with the reported outcome (``chronology plot --picture ...``).

Axes of dates are labelled by span (years across years, months and days within one, the year
always given once), and each colour means one thing in a figure: a status of a visit window, a
scope of trade figures, or the as-of line (:mod:`chronology.plot.common` holds the palette).
:func:`save` writes PNG, SVG or PDF.

The package's modules: :mod:`~chronology.plot.figures` (what to draw, and the figures),
:mod:`~chronology.plot.visits`, :mod:`~chronology.plot.trades`,
:mod:`~chronology.plot.scoring` and
:mod:`~chronology.plot.common`. The text they write comes from :mod:`chronology.render`, and
projection errors from :mod:`chronology.outcomes`, as in the ``chronology`` command.

Every function here returns a :class:`matplotlib.figure.Figure` built without
:mod:`matplotlib.pyplot`, so it never opens a window; show it in a notebook, or write it with
:func:`save`.

Example:
    >>> from chronology import Chronicle
    >>> from chronology.plot import overview, save
    >>> c = Chronicle()
    >>> _ = c.import_jsonl("seeds/russia-china-2024.jsonl")  # doctest: +SKIP
    >>> save(overview(c, as_of="2024-04-21"), "seed.png")  # doctest: +SKIP
"""

from __future__ import annotations

from chronology.plot.common import MissingDependencyError, NothingToPlotError, save
from chronology.plot.figures import overview, timeline, trade_figures
from chronology.plot.scoring import errors_by_horizon, reliability, vintages

__all__ = [
    "MissingDependencyError",
    "NothingToPlotError",
    "errors_by_horizon",
    "overview",
    "reliability",
    "save",
    "timeline",
    "trade_figures",
    "vintages",
]
