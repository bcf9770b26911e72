"""What a path names, and writing a file in place of another atomically.

Files the library writes must never replace something that is not a regular file (a device
node, a FIFO, a socket), must follow a symbolic link to the file it names rather than replace
the link, and get the permissions the process umask gives, as any file a program creates.
A path is looked at with :func:`os.stat` before anything opens it: opening a FIFO blocks until
another process opens its other end.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, BinaryIO, TextIO, TypeVar

from chronology.errors import StoreError

__all__ = ["kind_of", "regular_or_missing", "write_atomically", "write_atomically_binary"]

_T = TypeVar("_T")

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def kind_of(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words (``"a FIFO (named pipe)"``)."""
    for test, words in _KINDS:
        if test(mode):
            return words
    return "a regular file" if stat.S_ISREG(mode) else "not a regular file"


def regular_or_missing(path: str | os.PathLike[str]) -> os.stat_result | None:
    """The status of the file ``path`` names (following symbolic links), or ``None`` if there
    is none; nothing is opened.

    Raises:
        StoreError: naming the path, if it names something other than a regular file (a
            directory, a device, a FIFO, a socket), or cannot be looked at.
    """
    name = os.fspath(path)
    try:
        status = os.stat(name)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"{name}: cannot look at it: {exc.strerror}") from None
    if not stat.S_ISREG(status.st_mode):
        raise StoreError(f"{name}: {kind_of(status.st_mode)}, not a regular file")
    return status


def write_atomically(path: str | os.PathLike[str], write: Callable[[TextIO], _T]) -> _T:
    """Write a text file (UTF-8, ``\\n`` line ends) in one step: readers see the old file or
    the whole new one, and a failure leaves the old one as it was.

    ``write`` fills a temporary file next to the target, which then replaces the target. A
    symbolic link is followed: the file it names is written, and the link is kept. The new file
    gets the permissions the process umask gives (``0644`` under umask ``022``), whether it
    replaces a file or not.

    Args:
        path: the file to write.
        write: called with the open file; what it returns is returned.

    Raises:
        StoreError: naming the path, if it names something other than a regular file (a
            directory, a device, a FIFO, a socket: never opened nor replaced), or the file
            cannot be written.
    """
    return _replace(path, write, binary=False)


def write_atomically_binary(path: str | os.PathLike[str], write: Callable[[BinaryIO], _T]) -> _T:
    """Write a binary file (a Parquet export) in one step, as :func:`write_atomically` writes
    a text file: readers see the old file or the whole new one.

    Raises:
        StoreError: as for :func:`write_atomically`.
    """
    return _replace(path, write, binary=True)


def _replace(path: str | os.PathLike[str], write: Callable[[Any], _T], *, binary: bool) -> _T:
    name = os.fspath(path)
    target = Path(os.path.realpath(name))
    try:
        regular_or_missing(name)
    except StoreError as exc:
        if os.path.islink(name):
            raise StoreError(f"{exc} (it is a link to {target})") from None
        raise
    fd, tmp = _create_beside(target, name)
    try:
        out: IO[Any]
        if binary:
            out = os.fdopen(fd, "wb")
        else:
            out = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        with out:
            result = write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise StoreError(f"{name}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return result


def _create_beside(target: Path, name: str) -> tuple[int, str]:
    """Create a new, empty, uniquely named file in the directory of ``target``.

    ``os.open`` with mode ``0o666`` lets the kernel apply the umask (and any default ACL of the
    directory), as for any file a program creates; ``tempfile.mkstemp`` would give ``0600``.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), str(tmp)
        except FileExistsError:
            continue
        except OSError as exc:
            raise StoreError(f"{name}: cannot write: {exc.strerror}") from None
    raise StoreError(f"{name}: cannot write: no free temporary name in {target.parent}")
