"""Pictures: the figures chronology.plot builds, and the files it writes."""

from __future__ import annotations

import importlib
import shutil
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

pytest.importorskip("matplotlib")

from matplotlib import image as mimage
from matplotlib.figure import Figure

from chronology import Chronicle, ChronologyError, Quantity, Window
from chronology.cli import cli
from chronology.events import (
    TradeProjected,
    TradeProjectionRevised,
    TradeReported,
    VisitAnnounced,
    VisitCancelled,
    VisitOccurred,
    VisitPostponed,
    VisitRescheduled,
    VisitScheduled,
)
from chronology.plot import (
    MissingDependencyError,
    NothingToPlotError,
    overview,
    save,
    timeline,
    trade_figures,
)
from chronology.plot.common import AS_OF_COLOUR, SCOPE_COLOURS, STATUS_COLOURS, scope_colour

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "russia-china-2024.jsonl"
VISIT = "visit/lavrov-china-2024-04"
SEABORNE = "trade/russia-china-crude-seaborne-2024-03"
SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DPI = 120  # what chronology.plot.save writes at


@pytest.fixture(scope="module")
def seed() -> Iterator[Chronicle]:
    with Chronicle() as chronicle:
        chronicle.import_jsonl(SEED)
        yield chronicle


@pytest.fixture(scope="module")
def seed_figure(seed: Chronicle) -> Figure:
    """The seed case as of 21 April 2024, as ``chronology plot`` draws it."""
    return overview(seed, as_of="2024-04-21")


def svg_of(figure: Figure, tmp_path: Path) -> ElementTree.Element:
    path = tmp_path / "figure.svg"
    save(figure, path)
    return ElementTree.parse(path).getroot()


def ids(root: ElementTree.Element, prefix: str) -> list[str]:
    """The element ids (set through matplotlib gids) starting with ``prefix``, in order."""
    return [e.get("id", "") for e in root.iter() if e.get("id", "").startswith(prefix)]


def texts(root: ElementTree.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def png_chunks(data: bytes) -> dict[bytes, list[bytes]]:
    """The chunks of a PNG file, checking each one's CRC."""
    assert PNG_SIGNATURE == data[:8]
    chunks: dict[bytes, list[bytes]] = {}
    at = 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        body = data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert zlib.crc32(kind + body) == crc
        chunks.setdefault(kind, []).append(body)
        at += 12 + length
    assert b"IEND" in chunks
    return chunks


# -- the seed case --------------------------------------------------------------------------------


def test_overview_of_the_seed_case_as_svg(seed_figure: Figure, tmp_path: Path) -> None:
    figure = seed_figure
    assert "What was expected, as of 2024-04-21" == figure.get_suptitle()
    assert 2 == len(figure.axes)
    root = svg_of(figure, tmp_path)
    assert "What was expected, as of 2024-04-21" == root.findtext(f"{SVG}title")
    words = texts(root)
    for label in (
        "What was expected, as of 2024-04-21",
        "target time: when it was expected to happen",
        "assertion time: when it was said",
        "quantity (bbl/d)",
        f"Sergei Lavrov to China ({VISIT}): occurred",
        "as of 2024-04-21 ",
    ):
        assert label in words
    # The visit: "soon", then 8-9 April, then occurred; one band each, in that order.
    assert [
        f"window:{VISIT}:0",
        f"window:{VISIT}:1",
        f"window:{VISIT}:2",
    ] == ids(root, "window:")
    assert ["  announced: soon (~2024-04-03/2024-05-03)"] == [t for t in words if "announced:" in t]
    assert "  occurred: 2024-04-08/2024-04-09" in words
    assert [
        f"event:announced:{VISIT}:0",
        f"event:scheduled:{VISIT}:1",
        f"event:occurred:{VISIT}:2",
    ] == ids(root, "event:")
    assert [f"as-of:{VISIT}"] == ids(root, "as-of:")
    assert [] == ids(root, "overdue:")
    # The trades: three projections; the reports in bbl/d, one per scope.
    bars = ids(root, "bar:")
    assert 6 == len(bars)
    assert 3 == len(ids(root, "bar:projected:"))
    assert [
        f"bar:reported:{SEABORNE}:imports-all-modes-incl.-pipeline-customs",
        f"bar:reported:{SEABORNE}:seaborne-exports-ship-tracking",
        "bar:reported:trade/russia-china-crude-sokol-2024-03:seaborne-exports-ship-tracking",
    ] == ids(root, "bar:reported:")
    assert " 1.82M bbl/d (+6.6%), preliminary" in words
    # The customs figure in tonnes cannot share the axis: it is named beside its flow.
    assert any("also reported: 10.81 Mt" in t for t in words)


def test_overview_as_png(seed_figure: Figure, tmp_path: Path) -> None:
    figure = seed_figure
    path = tmp_path / "seed.png"
    save(figure, path)
    chunks = png_chunks(path.read_bytes())
    width, height = struct.unpack(">II", chunks[b"IHDR"][0][:8])
    inches = figure.get_size_inches()
    assert abs(inches[0] * DPI - width) < 1
    assert abs(inches[1] * DPI - height) < 1
    assert b"Title\x00What was expected, as of 2024-04-21" in chunks[b"tEXt"]
    pixels = mimage.imread(str(path))
    assert (height, width) == pixels.shape[:2]
    assert pixels.std() > 0.05  # something was drawn, not a blank page


def test_earlier_as_of_shows_only_what_was_known(seed: Chronicle, tmp_path: Path) -> None:
    root = svg_of(overview(seed, as_of="2024-04-04"), tmp_path)
    assert [f"window:{VISIT}:0"] == ids(root, "window:")
    assert [f"event:announced:{VISIT}:0"] == ids(root, "event:")
    assert 3 == len(ids(root, "bar:projected:"))
    assert [] == ids(root, "bar:reported:")
    assert f"Sergei Lavrov to China ({VISIT}): announced" in texts(root)


def test_subjects_and_default_as_of(seed: Chronicle, tmp_path: Path) -> None:
    figure = overview(seed, [VISIT])
    assert 1 == len(figure.axes)
    root = svg_of(figure, tmp_path)
    # Without as_of: the end of the day of the subject's latest event.
    assert "What was expected, as of 2024-04-08" == root.findtext(f"{SVG}title")
    assert 3 == len(ids(root, "window:"))
    assert [] == ids(root, "bar:")


def test_timeline_and_trade_figures_alone(seed: Chronicle, tmp_path: Path) -> None:
    visits = timeline(seed, as_of="2024-04-07")
    assert "Expected visits, as of 2024-04-07" == visits.get_suptitle()
    assert 2 == len(ids(svg_of(visits, tmp_path), "window:"))
    trades = trade_figures(seed, [SEABORNE], as_of="2024-04-21")
    assert "Trade projections and reports, as of 2024-04-21" == trades.get_suptitle()
    root = svg_of(trades, tmp_path)
    assert 3 == len(ids(root, "bar:"))
    assert [] == ids(root, "window:")


# -- other shapes of history ----------------------------------------------------------------------


def clock_from(start: datetime) -> Callable[[], datetime]:
    ticks = iter(range(1_000_000))
    return lambda: start + timedelta(days=next(ticks))


def test_overdue_postponed_and_cancelled(tmp_path: Path) -> None:
    c = Chronicle()
    c.extend(
        [
            VisitAnnounced(subject="visit/a", known_at="2024-05-01T09:00Z", visitor="A", host="B"),
            VisitScheduled(subject="visit/a", known_at="2024-05-02T09:00Z", window="2024-05-10"),
            VisitAnnounced(subject="visit/b", known_at="2024-05-01T09:00Z", window="2024-05-20"),
            VisitPostponed(subject="visit/b", known_at="2024-05-05T09:00Z", reason="weather"),
            VisitCancelled(subject="visit/b", known_at="2024-05-12T09:00Z"),
        ]
    )
    figure = timeline(c, as_of="2024-05-15")
    assert 2 == len(figure.axes)
    root = svg_of(figure, tmp_path)
    # visit/a was due on 10 May and nothing was heard: overdue from then on.
    assert ["overdue:visit/a:1"] == ids(root, "overdue:")
    assert "A to B (visit/a): overdue" in texts(root)
    assert [
        "event:announced:visit/b:0",
        "event:postponed:visit/b:1",
        "event:cancelled:visit/b:2",
    ] == ids(root, "event:announced:visit/b") + ids(root, "event:postponed:") + ids(
        root, "event:cancelled:"
    )
    assert "  postponed: dates unknown" in texts(root)


def test_a_visit_postponed_to_dates_that_pass_turns_overdue(tmp_path: Path) -> None:
    c = Chronicle()
    c.extend(
        [
            VisitAnnounced(subject="visit/c", known_at="2024-05-01T09:00Z", window="2024-05-10"),
            VisitPostponed(subject="visit/c", known_at="2024-05-05T09:00Z", window="2024-05-20"),
        ]
    )
    root = svg_of(timeline(c, as_of="2024-05-25"), tmp_path)
    assert ["overdue:visit/c:1"] == ids(root, "overdue:")


def test_recorded_by_draws_the_record_as_it_was(tmp_path: Path) -> None:
    c = Chronicle(clock=clock_from(datetime(2024, 6, 1, tzinfo=UTC)))
    first = c.append(
        VisitAnnounced(subject="visit/a", known_at="2024-05-01T09:00Z", window="2024-05-20")
    )
    c.append(VisitScheduled(subject="visit/a", known_at="2024-05-02T09:00Z", window="2024-05-21"))
    now = svg_of(timeline(c, as_of="2024-05-03"), tmp_path)
    assert 2 == len(ids(now, "window:"))
    then = svg_of(timeline(c, as_of="2024-05-03", recorded_by=first.recorded_at), tmp_path)
    assert 1 == len(ids(then, "window:"))


def test_revised_projection_lists_earlier_figures(tmp_path: Path) -> None:
    c = Chronicle()
    c.extend(
        [
            TradeProjected(
                subject="trade/x",
                known_at="2024-03-01T00:00Z",
                period=Window.parse("2024-03"),
                quantity=Quantity(100, "t"),
                scope="exports",
            ),
            TradeProjectionRevised(
                subject="trade/x", known_at="2024-03-10T00:00Z", quantity=Quantity(120, "t")
            ),
        ]
    )
    root = svg_of(trade_figures(c), tmp_path)
    assert ["bar:projected:trade/x"] == ids(root, "bar:")
    assert " 120 t (earlier: 100)" in texts(root)
    assert "quantity (t)" in texts(root)


def test_vintages_in_other_prefixes_share_the_panel(tmp_path: Path) -> None:
    """A report in kbbl/d beside a projection in Mbbl/d is drawn, converted, not dropped."""
    c = Chronicle()
    c.extend(
        [
            TradeProjected(
                subject="figure/x",
                known_at="2024-11-12T00:00Z",
                quantity=Quantity(1, "Mbbl/d"),
                scope="world demand growth",
            ),
            TradeReported(
                subject="figure/x",
                known_at="2025-01-15T00:00Z",
                quantity=Quantity(940, "kbbl/d"),
                scope="world demand growth",
                preliminary=True,
            ),
            TradeReported(
                subject="figure/x",
                known_at="2025-01-15T00:00Z",
                quantity=Quantity(12, "Mt"),
                scope="another scope",
            ),
        ]
    )
    root = svg_of(trade_figures(c), tmp_path)
    expected = ["bar:projected:figure/x", "bar:reported:figure/x:world-demand-growth"]
    assert expected == ids(root, "bar:")
    assert " 0.94 Mbbl/d (given as 940 kbbl/d) (-6.4%), preliminary" in texts(root)
    assert "quantity (Mbbl/d)" in texts(root)
    assert any("also reported: 12 Mt (another scope)" in t for t in texts(root))


# -- refusals -------------------------------------------------------------------------------------


def test_nothing_to_plot(seed: Chronicle) -> None:
    with pytest.raises(NothingToPlotError, match="chronicle holds no events"):
        overview(Chronicle())
    with pytest.raises(NothingToPlotError, match="no visit or plan expectation 'visit/nobody'"):
        timeline(seed, ["visit/nobody"])
    with pytest.raises(NothingToPlotError, match="no trade or figure expectation"):
        trade_figures(seed, [VISIT])
    with pytest.raises(NothingToPlotError, match="no trade or figure expectations to plot"):
        trade_figures(seed, as_of="2024-03-01")
    assert issubclass(NothingToPlotError, ChronologyError)


def test_save_refuses_other_formats(tmp_path: Path) -> None:
    small = Figure(figsize=(1, 1))
    with pytest.raises(ChronologyError, match=r"can only write \.png, \.svg or \.pdf"):
        save(small, tmp_path / "x.jpg")
    with pytest.raises(ChronologyError, match="cannot write"):
        save(small, tmp_path / "missing" / "dir" / "x.png")
    assert [] == list(tmp_path.iterdir())


def test_missing_matplotlib_is_a_clear_error(
    seed: Chronicle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(
        MissingDependencyError, match=r"pip install 'expectation-chronology\[plot\]'"
    ):
        overview(seed)
    assert issubclass(MissingDependencyError, ImportError)
    assert issubclass(MissingDependencyError, ChronologyError)


# -- dates, colours and formats (issue 20) -------------------------------------------------------


def tick_labels(figure: Figure, axis: str) -> list[list[str]]:
    """The major tick labels and offset text of ``axis`` on each panel, as drawn."""
    figure.draw_without_rendering()
    found = []
    for ax in figure.axes:
        which = ax.xaxis if axis == "x" else ax.yaxis
        found.append(
            [t.get_text() for t in which.get_ticklabels()] + [which.get_offset_text().get_text()]
        )
    return found


def test_a_panel_over_years_names_the_years(tmp_path: Path) -> None:
    """A visit put off for years: its axes said "01 Jan" seven times, with no year."""
    c = Chronicle()
    c.extend(
        [
            VisitAnnounced(subject="visit/y", known_at="2018-11-20T09:00Z", window="2019-02"),
            VisitPostponed(subject="visit/y", known_at="2019-01-20T09:00Z"),
            VisitRescheduled(subject="visit/y", known_at="2022-03-01T09:00Z", window="2023-06"),
            VisitOccurred(subject="visit/y", known_at="2023-06-19T09:00Z", window="2023-06-18"),
        ]
    )
    figure = timeline(c, as_of="2024-01-01")
    for axis in ("x", "y"):
        (labels,) = tick_labels(figure, axis)
        years = {label for label in labels if label.isdigit() and len(label) == 4}
        assert {"2020", "2021", "2022", "2023"} <= years, labels


def test_a_panel_within_a_year_still_says_which(seed: Chronicle) -> None:
    for labels in tick_labels(timeline(seed, as_of="2024-04-21"), "x"):
        assert any("2024" in label for label in labels), labels


def test_each_colour_has_one_meaning() -> None:
    statuses = list(STATUS_COLOURS.values())
    scopes = [scope_colour(i) for i in range(26)]
    assert len(statuses) == len(set(statuses))
    assert len(scopes) == len(set(scopes))
    assert list(SCOPE_COLOURS) == scopes[: len(SCOPE_COLOURS)]
    assert set() == set(statuses) & set(scopes)
    assert AS_OF_COLOUR not in {*statuses, *scopes}


def test_a_trade_panel_lists_only_its_own_scopes(tmp_path: Path) -> None:
    c = Chronicle()
    c.extend(
        [
            TradeProjected(
                subject="t/oil",
                known_at="2024-03-18T12:00Z",
                scope="sea",
                quantity=Quantity(1.7, "mb/d"),
            ),
            TradeReported(
                subject="t/coal",
                known_at="2024-04-20T12:00Z",
                scope="customs",
                quantity=Quantity(8.7, "Mt"),
            ),
        ]
    )
    figure = trade_figures(c, as_of="2024-04-21")
    legends = []
    for ax in figure.axes:
        legend = ax.get_legend()
        assert legend is not None
        legends.append([t.get_text() for t in legend.get_texts()])
    assert [["customs"], ["sea", "projected (pale)"]] == legends  # by subject


@pytest.mark.parametrize(
    ("suffix", "magic"), [(".pdf", b"%PDF-"), (".svg", b"<?xml"), (".png", PNG_SIGNATURE)]
)
def test_save_writes_pdf_svg_and_png(
    seed_figure: Figure, tmp_path: Path, suffix: str, magic: bytes
) -> None:
    path = tmp_path / f"seed{suffix}"
    save(seed_figure, path)
    assert magic == path.read_bytes()[: len(magic)]


def test_pdf_carries_its_title_and_no_date(seed_figure: Figure, tmp_path: Path) -> None:
    path = tmp_path / "seed.pdf"
    save(seed_figure, path)
    data = path.read_bytes()
    assert b"/Title (What was expected, as of 2024-04-21)" in data
    assert b"/CreationDate" not in data
    assert b"/FontFile2" in data  # TrueType fonts: the text can be searched and copied


# -- the command ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("plot") / "seed.db"
    result = CliRunner().invoke(cli, ["import", str(SEED), "--db", str(path)])
    assert 0 == result.exit_code, result.stderr
    return str(path)


def test_plot_command_svg(seed_db: str, tmp_path: Path) -> None:
    out = tmp_path / "visit.svg"
    args = ["plot", "--db", seed_db, "--out", str(out), "--subject", VISIT, "--as-of", "2024-04-07"]
    result = CliRunner().invoke(cli, args)
    assert 0 == result.exit_code, result.stderr
    assert f"{out}: written" == result.stdout.strip()
    root = ElementTree.parse(out).getroot()
    assert "What was expected, as of 2024-04-07" == root.findtext(f"{SVG}title")
    assert 2 == len(ids(root, "window:"))


def test_plot_command_pdf(seed_db: str, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    result = CliRunner().invoke(cli, ["plot", "--db", seed_db, "--out", str(out)])
    assert 0 == result.exit_code, result.stderr
    assert b"%PDF-" == out.read_bytes()[:5]


def test_plot_command_errors(seed_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    bad = runner.invoke(cli, ["plot", "--db", seed_db, "--out", str(tmp_path / "x.jpg")])
    assert 2 == bad.exit_code
    assert ["Error: Invalid value for '--out': '"] == [
        line[: len("Error: Invalid value for '--out': '")] for line in bad.stderr.splitlines()
    ]
    unknown = runner.invoke(
        cli, ["plot", "--db", seed_db, "--out", str(tmp_path / "x.png"), "--subject", "nope"]
    )
    assert 1 == unknown.exit_code
    assert 1 == len(unknown.stderr.splitlines())
    missing_subject = "Error: no visit, plan, trade or figure expectation 'nope'"
    assert f"{missing_subject} as of 2024-04-20T23:59:59" in unknown.stderr
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    missing = runner.invoke(cli, ["plot", "--db", seed_db, "--out", str(tmp_path / "x.png")])
    assert 1 == missing.exit_code
    assert 1 == len(missing.stderr.splitlines())
    assert "plotting needs matplotlib" in missing.stderr
    assert not (tmp_path / "x.png").exists()


@pytest.mark.slow
def test_plot_executable_png(seed_db: str, tmp_path: Path) -> None:
    found = shutil.which("chronology")
    command = [found] if found else [sys.executable, "-m", "chronology"]
    out = tmp_path / "seed.png"
    done = subprocess.run(
        [*command, "plot", "--db", seed_db, "--out", str(out), "--as-of", "2024-04-21"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert 0 == done.returncode, done.stderr
    width, height = struct.unpack(">II", png_chunks(out.read_bytes())[b"IHDR"][0][:8])
    assert (1320, height) == (width, height)
    assert height > 1000


# -- the picture in the docs ----------------------------------------------------------------------


def test_docs_picture_is_current(tmp_path: Path) -> None:
    committed = ROOT / "docs" / "_static" / "seed-timeline.png"
    sys.path.insert(0, str(ROOT / "docs" / "_scripts"))
    try:
        render_timeline = importlib.import_module("render_timeline")
    finally:
        sys.path.pop(0)
    fresh = tmp_path / "seed-timeline.png"
    render_timeline.render(fresh)
    expected = struct.unpack(">II", png_chunks(committed.read_bytes())[b"IHDR"][0][:8])
    actual = struct.unpack(">II", png_chunks(fresh.read_bytes())[b"IHDR"][0][:8])
    assert expected == actual


# -- text from the data is drawn as it is ---------------------------------------------------------

MATH_VISITOR = r"$\foo$ Lavrov"
MATH_HOST = "A $5 and $6 B"
MATH_SCOPE = r"sea $\bar$"
MATH_UNIT = r"$\baz$/d"


def math_chronicle() -> Chronicle:
    """Text fields that mathtext would parse (and choke on): they must be drawn literally."""
    c = Chronicle()
    c.extend(
        [
            VisitAnnounced(
                subject="visit/$x^2$",
                known_at="2024-04-03T12:00:00Z",
                visitor=MATH_VISITOR,
                host=MATH_HOST,
                window=Window(
                    datetime(2024, 4, 8, tzinfo=UTC), datetime(2024, 4, 10, tzinfo=UTC), label="$a$"
                ),
            ),
            TradeProjected(
                subject="trade/$y_1$",
                known_at="2024-03-18T12:00:00Z",
                scope=MATH_SCOPE,
                quantity=Quantity(1_700_000, MATH_UNIT),
            ),
        ]
    )
    return c


def test_text_fields_are_drawn_literally_not_as_mathtext(tmp_path: Path) -> None:
    root = svg_of(overview(math_chronicle(), as_of="2024-04-21"), tmp_path)
    drawn = "\n".join(texts(root))
    for literal in (
        rf"{MATH_VISITOR} to {MATH_HOST} (visit/$x^2$): overdue",
        "trade/$y_1$",
        MATH_SCOPE,
        f"quantity ({MATH_UNIT})",
        f"1.7M {MATH_UNIT}",
        "announced: $a$ (2024-04-08/2024-04-10)",
    ):
        assert literal in drawn


def test_plot_command_with_mathtext_in_the_data(tmp_path: Path) -> None:
    db = tmp_path / "math.db"
    with Chronicle.open(db) as c:
        c.extend([r.event for r in math_chronicle()])
    out = tmp_path / "math.png"
    result = CliRunner().invoke(cli, ["plot", "--db", str(db), "--out", str(out)])
    assert (0, "") == (result.exit_code, result.stderr)
    assert PNG_SIGNATURE == out.read_bytes()[:8]
