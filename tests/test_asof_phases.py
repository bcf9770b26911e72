"""``benchmarks/asof_phases.py`` times the phases of ``chronology as-of``, at a tiny size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import asof_phases
from chronology import Chronicle
from chronology.events import VisitAnnounced


def test_each_round_times_every_phase_and_the_medians_follow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.db"
    with Chronicle.open(path) as c:
        c.extend(
            VisitAnnounced(subject=f"visit/{i}", known_at=f"2024-04-0{1 + i % 9}T12:00:00Z")
            for i in range(30)
        )
    asof_phases.main([str(path), "--when", "2024-04-20", "--rounds", "2"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert 3 == len(lines)
    for found in lines[:2]:
        assert list(asof_phases.PHASES) == list(found)
        assert found["import"] > 0
        assert found["view"] >= found["select"] + found["decode"] + found["snapshot"]
        assert 0 == found["decode"]  # 30 records: no shelf
    assert list(asof_phases.PHASES) == list(lines[2]["median"])
