"""What the library and the command do to the files and directories they are pointed at.

Exports never replace something that is not a regular file and follow symbolic links; a chronicle
path naming a FIFO or a device is refused before it is opened; a file that is not a chronicle is
never modified; a refused command leaves nothing behind; reading leaves the directory as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from chronology import Chronicle
from chronology.cli import cli
from chronology.errors import NotAChronicleError, StoreError
from chronology.events import VisitCancelled

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "russia-china-2024.jsonl"
VISIT = "visit/lavrov-china-2024-04"


def listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def device(tmp_path: Path) -> Path:
    """A character device node (a copy of ``/dev/null``) of the test's own.

    Never ``/dev/null`` itself for a process that may replace it: the bug these tests guard
    against replaced it with a regular file, for every process on the machine. A process that
    cannot make a device node cannot replace ``/dev/null`` either, and gets it.
    """
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        return Path("/dev/null")
    return node


@pytest.fixture
def chronicle_file(tmp_path: Path) -> Path:
    """A chronicle of two records, closed: the directory holds only the file."""
    path = tmp_path / "c.db"
    with Chronicle.open(path) as chronicle:
        chronicle.append(VisitCancelled(subject="visit/a", known_at="2024-04-05"))
        chronicle.append(VisitCancelled(subject="visit/b", known_at="2024-04-06"))
    assert ["c.db"] == listing(tmp_path)
    return path


def run(args: list[str], code: int = 0) -> str:
    result = CliRunner().invoke(cli, args)
    assert code == result.exit_code, (result.stdout, result.stderr, result.exception)
    return result.stdout + result.stderr


def refusal_within(seconds: float, fifo: Path, action: Callable[[], object]) -> BaseException:
    """What ``action`` raises, failing the test if it blocks on ``fifo`` for ``seconds``
    (then the FIFO's other end is opened to let it go, so a regression fails, not hangs)."""
    outcome: list[BaseException] = []

    def target() -> None:
        try:
            action()
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        for flags in (os.O_WRONLY | os.O_NONBLOCK, os.O_RDONLY | os.O_NONBLOCK):
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, flags))
        worker.join(seconds)
        pytest.fail(f"blocked on the FIFO {fifo} for {seconds} s")
    assert 1 == len(outcome), "nothing was raised"
    return outcome[0]


# -- export -------------------------------------------------------------------------------------


def test_export_follows_a_symlink_and_keeps_it(chronicle_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "real.jsonl"
    target.write_text("old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target.name)
    with Chronicle.open(chronicle_file, read_only=True) as chronicle:
        assert 2 == chronicle.export_jsonl(link)
    assert link.is_symlink()
    assert target.name == os.readlink(link)
    assert 2 == len(target.read_text().splitlines())
    assert ["c.db", "link.jsonl", "real.jsonl"] == listing(tmp_path)


def test_export_through_a_dangling_symlink_creates_its_target(
    chronicle_file: Path, tmp_path: Path
) -> None:
    link = tmp_path / "link.jsonl"
    link.symlink_to("later.jsonl")
    with Chronicle.open(chronicle_file, read_only=True) as chronicle:
        chronicle.export_jsonl(link)
    assert link.is_symlink()
    assert 2 == len((tmp_path / "later.jsonl").read_text().splitlines())


def test_export_refuses_a_fifo_without_opening_it(chronicle_file: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with Chronicle.open(chronicle_file, read_only=True) as chronicle:
        # Opening it for writing would wait for a reader.
        error = refusal_within(10, fifo, lambda: chronicle.export_jsonl(fifo))
    assert isinstance(error, StoreError)
    assert f"{fifo}: a FIFO (named pipe), not a regular file" == str(error)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert ["c.db", "pipe"] == listing(tmp_path)


def test_export_refuses_a_device(chronicle_file: Path, device: Path) -> None:
    before = os.lstat(device)
    with (
        Chronicle.open(chronicle_file, read_only=True) as chronicle,
        pytest.raises(StoreError, match=rf"^{device}: a character device, not a regular file$"),
    ):
        chronicle.export_jsonl(device)
    after = os.lstat(device)
    assert stat.S_ISCHR(after.st_mode)
    assert (before.st_ino, before.st_rdev) == (after.st_ino, after.st_rdev)
    assert not list(chronicle_file.parent.glob(".null.*"))


def test_export_refuses_a_link_to_a_fifo_naming_both(chronicle_file: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "out.jsonl"
    link.symlink_to(fifo)
    with (
        Chronicle.open(chronicle_file, read_only=True) as chronicle,
        pytest.raises(StoreError, match=rf"^{link}: a FIFO .* \(it is a link to {fifo}\)$"),
    ):
        chronicle.export_jsonl(link)
    assert link.is_symlink()
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_export_refuses_a_directory(chronicle_file: Path, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    with (
        Chronicle.open(chronicle_file, read_only=True) as chronicle,
        pytest.raises(StoreError, match=r"out: a directory, not a regular file"),
    ):
        chronicle.export_jsonl(tmp_path / "out")
    assert ["c.db", "out"] == listing(tmp_path)
    assert [] == listing(tmp_path / "out")


@pytest.mark.usefixtures("umask_022")
def test_export_gives_new_and_replaced_files_the_umask_mode(
    chronicle_file: Path, tmp_path: Path
) -> None:
    new = tmp_path / "new.jsonl"
    replaced = tmp_path / "replaced.jsonl"
    replaced.write_text("old\n")
    replaced.chmod(0o600)
    with Chronicle.open(chronicle_file, read_only=True) as chronicle:
        chronicle.export_jsonl(new)
        chronicle.export_jsonl(replaced)
    assert 0o644 == stat.S_IMODE(new.stat().st_mode)
    assert 0o644 == stat.S_IMODE(replaced.stat().st_mode)
    assert new.read_text() == replaced.read_text()


def test_export_into_a_missing_directory_leaves_nothing(
    chronicle_file: Path, tmp_path: Path
) -> None:
    with (
        Chronicle.open(chronicle_file, read_only=True) as chronicle,
        pytest.raises(StoreError, match=r"nowhere/out.jsonl: cannot write"),
    ):
        chronicle.export_jsonl(tmp_path / "nowhere" / "out.jsonl")
    assert ["c.db"] == listing(tmp_path)


def test_cli_export_to_a_fifo_or_device_is_refused(
    chronicle_file: Path, tmp_path: Path, device: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    db = str(chronicle_file)
    assert f"Error: {fifo}: a FIFO (named pipe), not a regular file\n" == run(
        ["export", str(fifo), "--db", db], code=1
    )
    assert f"Error: {device}: a character device, not a regular file\n" == run(
        ["export", str(device), "--db", db], code=1
    )
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


# -- a chronicle path that is not a regular file ---------------------------------------------------


@pytest.mark.parametrize("read_only", [False, True], ids=["write", "read-only"])
def test_open_refuses_a_fifo_at_once(tmp_path: Path, read_only: bool) -> None:
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    error = refusal_within(10, fifo, lambda: Chronicle.open(fifo, read_only=read_only))
    assert isinstance(error, NotAChronicleError)
    assert f"{fifo}: is a FIFO (named pipe), not a chronicle file" == str(error)
    assert ["pipe.db"] == listing(tmp_path)


@pytest.mark.parametrize("read_only", [False, True], ids=["write", "read-only"])
def test_open_refuses_a_device_and_leaves_no_journal(
    tmp_path: Path, device: Path, read_only: bool
) -> None:
    link = tmp_path / "link.db"
    link.symlink_to(device)
    found = listing(tmp_path)
    for path in (str(device), str(link)):
        with pytest.raises(NotAChronicleError, match=rf"^{path}: is a character device, not a"):
            Chronicle.open(path, read_only=read_only)
        assert not os.path.lexists(f"{device}-journal")
        assert not os.path.lexists(f"{device}-wal")
    assert found == listing(tmp_path)
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_cli_db_at_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    """As a real process with a timeout: the bug was a hang."""
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    for args in (["verify"], ["import", str(SEED)]):
        done = subprocess.run(
            [sys.executable, "-m", "chronology", *args, "--db", str(fifo)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert 1 == done.returncode
        assert f"Error: {fifo}: is a FIFO (named pipe), not a chronicle file\n" == done.stderr
    assert ["pipe.db"] == listing(tmp_path)


# -- a file that is not a chronicle is never modified ---------------------------------------------


@pytest.mark.parametrize(
    ("sql", "what"),
    [
        ("CREATE VIEW answers AS SELECT 42 AS answer", "other contents: view answers"),
        ("PRAGMA user_version = 7", "another application, user_version 7"),
        (
            "CREATE TABLE notes (x); CREATE INDEX notes_x ON notes (x)",
            "other contents: table notes, index notes_x",
        ),
        ("PRAGMA journal_mode = WAL; CREATE VIEW v AS SELECT 1", "other contents: view v"),
    ],
    ids=["view", "user-version", "index", "wal-view"],
)
@pytest.mark.parametrize("read_only", [False, True], ids=["write", "read-only"])
def test_a_database_that_is_not_a_chronicle_is_left_byte_for_byte(
    tmp_path: Path, sql: str, what: str, read_only: bool
) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.executescript(sql)
    conn.close()
    before = digest(path)
    with pytest.raises(NotAChronicleError, match=rf"^{path}: not a chronicle \(.*{what}\)$"):
        Chronicle.open(path, read_only=read_only)
    assert before == digest(path)
    assert ["other.db"] == listing(tmp_path)
    conn = sqlite3.connect(path)
    assert 0 == conn.execute("PRAGMA application_id").fetchone()[0]
    conn.close()


def test_a_database_in_use_by_another_program_is_left_alone(tmp_path: Path) -> None:
    """Its tables are still in its ``-wal`` file: the inspection reads them without folding
    them into the main file."""
    path = tmp_path / "other.db"
    owner = sqlite3.connect(path, isolation_level=None)
    try:
        owner.execute("PRAGMA journal_mode = WAL")
        owner.execute("PRAGMA wal_autocheckpoint = 0")
        owner.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        owner.execute("INSERT INTO invoices VALUES (1)")
        files = {name: digest(tmp_path / name) for name in listing(tmp_path)}
        assert ["other.db", "other.db-shm", "other.db-wal"] == sorted(files)
        for read_only in (False, True):
            with pytest.raises(NotAChronicleError, match=r"other tables: invoices\)$"):
                Chronicle.open(path, read_only=read_only)
        assert files["other.db"] == digest(path)
        assert files["other.db-wal"] == digest(tmp_path / "other.db-wal")
        assert [(1,)] == owner.execute("SELECT id FROM invoices").fetchall()
    finally:
        owner.close()


def test_an_empty_database_still_becomes_a_chronicle(tmp_path: Path) -> None:
    path = tmp_path / "blank.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA page_size = 4096")
    conn.execute("VACUUM")  # a valid SQLite file with nothing in it
    conn.close()
    assert 0 < path.stat().st_size
    with Chronicle.open(path) as chronicle:
        chronicle.append(VisitCancelled(subject="visit/a", known_at="2024-04-05"))
    with Chronicle.open(path, read_only=True) as chronicle:
        assert 1 == len(chronicle)


# -- a refused command leaves nothing behind ----------------------------------------------------


def test_failed_import_into_a_new_file_creates_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "visit.teleported", "subject": "x", "known_at": "2024-01-01"}\n')
    out = run(["import", str(bad), "--db", str(tmp_path / "new.db")], code=1)
    assert "line 1: unknown event type 'visit.teleported'" in out
    assert ["bad.jsonl"] == listing(tmp_path)


def test_failed_import_into_an_existing_empty_file_keeps_it(tmp_path: Path) -> None:
    db = tmp_path / "mine.db"
    Chronicle.open(db).close()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{\n")
    run(["import", str(bad), "--db", str(db)], code=1)
    assert ["bad.jsonl", "mine.db"] == listing(tmp_path)


def test_failed_second_file_keeps_the_new_file_with_the_first(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{\n")
    db = tmp_path / "new.db"
    run(["import", str(SEED), str(bad), "--db", str(db)], code=1)
    assert ["bad.jsonl", "new.db"] == listing(tmp_path)
    with Chronicle.open(db, read_only=True) as chronicle:
        assert 13 == len(chronicle)


# -- reading leaves the directory as it was -------------------------------------------------------


def test_read_only_open_leaves_the_directory_and_file_as_found(chronicle_file: Path) -> None:
    before, mtime = digest(chronicle_file), chronicle_file.stat().st_mtime_ns
    with Chronicle.open(chronicle_file, read_only=True) as chronicle:
        assert 2 == len(chronicle)
        assert 2 == chronicle.verify()
        assert ["visit/a", "visit/b"] == [e.subject for e in chronicle.as_of("2024-05-01")]
    assert ["c.db"] == listing(chronicle_file.parent)
    assert (before, mtime) == (digest(chronicle_file), chronicle_file.stat().st_mtime_ns)


def test_read_only_open_refuses_writes(chronicle_file: Path) -> None:
    with Chronicle.open(chronicle_file, read_only=True) as chronicle:
        conn = chronicle.store.backend._connection()  # type: ignore[attr-defined]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("DELETE FROM records")
        assert 2 == len(chronicle)


def test_read_only_open_beside_a_writer_leaves_its_files(chronicle_file: Path) -> None:
    with Chronicle.open(chronicle_file) as writer:
        writer.append(VisitCancelled(subject="visit/c", known_at="2024-04-07"))
        found = listing(chronicle_file.parent)
        with Chronicle.open(chronicle_file, read_only=True) as reader:
            assert 3 == len(reader)
        assert found == listing(chronicle_file.parent)
    assert ["c.db"] == listing(chronicle_file.parent)


@pytest.mark.parametrize(
    "args",
    [
        ["as-of", "2024-04-04"],
        ["history", VISIT],
        ["diff", "2024-04-01", "2024-04-21"],
        ["verify"],
        ["export"],
    ],
    ids=lambda args: args[0],
)
def test_cli_read_commands_leave_the_directory_as_found(tmp_path: Path, args: list[str]) -> None:
    db = tmp_path / "seed.db"
    with Chronicle.open(db) as chronicle:
        chronicle.import_jsonl(SEED)
    before = digest(db)
    run([*args, "--db", str(db)])
    assert ["seed.db"] == listing(tmp_path)
    assert before == digest(db)
