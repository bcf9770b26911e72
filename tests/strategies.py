"""The test suite's one strategies module: everything comes from :mod:`chronology.testing`.

The strategies ship in the package so that a third-party store can reuse them with
:class:`chronology.testing.ChronicleContract`; this module re-exports them for the tests
(``from strategies import events``). Importing it registers a strategy for pendulum instants.
"""

from chronology.testing.strategies import *  # noqa: F403
from chronology.testing.strategies import __all__ as __all__
