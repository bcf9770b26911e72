"""``benchmarks/million.py`` measures what it says, at a tiny size."""

from __future__ import annotations

import pytest

from benchmarks import million


@pytest.mark.parametrize(("shape", "events"), [("figures", 202), ("backfill", 100)])
def test_a_shape_is_built_viewed_and_measured(shape: str, events: int) -> None:
    found = million.child(shape, events, trace=True)
    assert (shape, events) == (found["shape"], found["events"])
    assert found["kept_bytes_an_event"] > 0
    assert found["write_peak_bytes_an_event"] >= found["kept_bytes_an_event"]
    assert found["peak_mib"] >= found["viewed_mib"] > 0


def test_an_unknown_shape_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        million.main(["--shapes", "sideways", "--events", "10"])
    assert "unknown shape 'sideways'" in capsys.readouterr().err
