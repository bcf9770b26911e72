"""Test support shipped with :mod:`chronology`: hypothesis strategies and the store contract.

A new store proves itself by subclassing :class:`ChronicleContract` in its own test suite::

    from chronology.testing import ChronicleContract

    class TestMyStore(ChronicleContract):
        def new_store(self):
            return MyStore(self.tmp_dir / "chronicle.db")

Every test of the contract then runs against that store: the semantics of appends, views,
retractions and interchange, a stateful model-based test, and a comparison with the in-memory
reference store. This package needs the ``test`` extra (pytest and hypothesis).
"""

import pytest

pytest.register_assert_rewrite("chronology.testing.contract")

from chronology.testing.contract import (  # noqa: E402 - after the assert-rewrite hook
    ChronicleContract,
    FakeClock,
    chronicle_machine,
)

__all__ = ["ChronicleContract", "FakeClock", "chronicle_machine"]
