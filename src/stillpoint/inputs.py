"""Reading the files a user names: only regular files are opened, and never more than a cap is read.

A device, pipe (FIFO) or socket is refused before it is opened, so that reading never blocks and never runs
without end; the opened descriptor is checked again, in case the path changed in between. Each kind of
file has a cap a real one stays far below (see README.md, "Limits").
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO

from stillpoint.errors import StillpointError

MB = 1_000_000
TEXT_CAP = 2 * MB  # a script, an SSML document or a lexicon: 300,000 words, two days of speech
COVER_CAP = 20 * MB  # a cover picture: a phone's photo is 3-12 MB
CACHE_ENTRY_CAP = 256 * MB  # one spoken line, plain and levelled: about 48 minutes of speech
REGULAR_HINT = "give the path of an ordinary file"
READ_BLOCK = 1 * MB


class InputError(StillpointError):
    """A file given to read is missing, unreadable, not a regular file, or larger than its cap."""


class MissingFile(InputError):
    """A file given to read does not exist."""


def open_regular(path: str | os.PathLike[str], what: str) -> BinaryIO:
    """``path`` opened for reading in binary, if it is a regular file; ``what`` names it in errors."""
    name = os.fspath(path)
    try:
        _check_mode(os.stat(name).st_mode, name, what)
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as err:
        raise _unreadable(name, err) from None
    try:
        _check_mode(os.fstat(fd).st_mode, name, what)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_capped(path: str | os.PathLike[str], cap: int, what: str) -> bytes:
    """The bytes of the regular file at ``path``, refused if it holds (or grows to) more than ``cap`` bytes."""
    with open_regular(path, what) as file:
        size = os.fstat(file.fileno()).st_size
        if size > cap:
            raise _too_large(os.fspath(path), cap, what)
        try:
            data = _read_up_to(file, size, cap + 1)
        except OSError as err:
            raise _unreadable(os.fspath(path), err) from None
    if len(data) > cap:
        raise _too_large(os.fspath(path), cap, what)
    return data


def _read_up_to(file: BinaryIO, size: int, most: int) -> bytes:
    """At most ``most`` bytes of ``file``: its ``size`` and one byte more at once (a read sets aside room for all
    it may return), then, if it is still growing, a block at a time."""
    pieces = [file.read(min(size + 1, most))]
    total = len(pieces[0])
    while total > size and total < most and pieces[-1]:
        pieces.append(file.read(min(READ_BLOCK, most - total)))
        total += len(pieces[-1])
    return b"".join(pieces)


def size_text(count: int) -> str:
    """A number of bytes in words: '16 MB'."""
    return f"{count / MB:g} MB" if count >= MB else f"{count / 1000:g} kB"


def special_kind(path: str | os.PathLike[str]) -> str | None:
    """'a device', 'a pipe (FIFO)' or 'a socket' when ``path`` is (or links to) one; None otherwise."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) or stat.S_ISDIR(mode) else _kind(mode)


def _kind(mode: int) -> str:
    """What a file of ``mode`` is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"


def _check_mode(mode: int, name: str, what: str) -> None:
    """Refuse anything but a regular file, saying what it is."""
    if not stat.S_ISREG(mode):
        raise InputError(f"is {_kind(mode)}, not {what}", path=name, hint=REGULAR_HINT)


def _too_large(name: str, cap: int, what: str) -> InputError:
    return InputError(f"is larger than {size_text(cap)}, more than {what} can be", path=name,
                      hint="check that this is the file you meant")


def _unreadable(name: str, err: OSError) -> InputError:
    if err.errno == errno.ENOENT:
        return MissingFile("no such file", path=name, hint="check the path")
    if err.errno == errno.ENXIO:  # a socket, replaced between the two looks
        return InputError("is a socket, not a file", path=name, hint=REGULAR_HINT)
    return InputError(f"cannot be read ({err.strerror})", path=name, hint="check its permissions")

