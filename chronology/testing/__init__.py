"""Test support shipped with :mod:`chronology`: hypothesis strategies and the store contract.

A new store proves itself by subclassing :class:`ChronicleContract` in its own test suite::

    from chronology.testing import ChronicleContract

    class TestMyStore(ChronicleContract):
        def new_store(self):
            return MyStore(self.tmp_dir / "chronicle.db")

Every test of the contract then runs against that store: the semantics of appends, views,
retractions and interchange, a stateful model-based test, and a comparison with the in-memory
store. This package needs the ``test`` extra (pytest and hypothesis).

Its modules: :mod:`~chronology.testing.clock` (:class:`FakeClock`),
:mod:`~chronology.testing.model` (the naive model: records and fold rules),
:mod:`~chronology.testing.machine` (the state machine), :mod:`~chronology.testing.contract`
(the contract's test cases) and :mod:`~chronology.testing.strategies` (hypothesis strategies).
"""

import pytest

pytest.register_assert_rewrite(
    "chronology.testing.contract", "chronology.testing.machine", "chronology.testing.model"
)

# Imported after the assert-rewrite hook.
from chronology.testing.clock import FakeClock  # noqa: E402
from chronology.testing.contract import ChronicleContract  # noqa: E402
from chronology.testing.machine import chronicle_machine  # noqa: E402

__all__ = ["ChronicleContract", "FakeClock", "chronicle_machine"]
