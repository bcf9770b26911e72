"""Render ``docs/_static/seed-timeline.png``: the seed case as ``chronology plot`` draws it.

Run it from anywhere after changing :mod:`chronology.plot` or the seed file::

    python docs/_scripts/render_timeline.py

It draws the same picture as::

    chronology demo
    chronology plot --db chronology-demo.db --as-of 2024-04-21 --out seed-timeline.png
"""

from __future__ import annotations

import sys
from pathlib import Path

from chronology import Chronicle
from chronology.plot import overview, save

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "russia-china-2024.jsonl"
PICTURE = ROOT / "docs" / "_static" / "seed-timeline.png"
AS_OF = "2024-04-21"


def render(out: Path = PICTURE) -> Path:
    """Draw the seed case as of 21 April 2024 (every report in) and write it to ``out``."""
    with Chronicle() as chronicle:
        chronicle.import_jsonl(SEED)
        save(overview(chronicle, as_of=AS_OF), out)
    return out


if __name__ == "__main__":
    target = render(Path(sys.argv[1]) if len(sys.argv) > 1 else PICTURE)
    print(f"{target}: written")
