"""Writing the files the user asked for: never over an existing file unless told, never over anything but a
file, never over a file the command reads, never half-written. And the program's own files (cache entries,
the serving secret): written in one step and opened without following a link."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import BinaryIO

from stillpoint import inputs
from stillpoint.errors import DestinationError

EXISTS_HINT = "use --force to replace it, or choose another name"
NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)  # a link as the last part of a name is not followed (Windows has none)
Inputs = Mapping[Path, str]  # the files a command reads, each with what it is: {Path("calm.txt"): "the script"}
NO_INPUTS: Inputs = MappingProxyType({})


def check_destination(dest: Path, force: bool, read: Inputs = NO_INPUTS) -> None:
    """Refuse ``dest`` if a folder, device, pipe or socket or one of the files ``read`` stands there (even with
    ``force``), or any file without ``force``."""
    check_destinations([dest], force, read)


def check_destinations(paths: list[Path], force: bool, read: Inputs = NO_INPUTS) -> None:
    """Stop before any work when files are to be written where they cannot or should not be, naming each.

    A destination that is one of the files ``read`` (by name, link or hard link) is refused even with ``force``.
    """
    identities = _identities(read)
    for path in paths:
        _refuse_special(path)
        _refuse_input(path, identities)
    existing = [path for path in paths if path.exists() or path.is_symlink()]
    if force or not existing:
        return
    if len(existing) == 1:
        raise DestinationError("already exists", path=str(existing[0]), hint=EXISTS_HINT)
    names = ", ".join(str(path) for path in existing)
    raise DestinationError(f"{len(existing)} files already exist: {names}", hint="use --force to replace them")


def _refuse_special(dest: Path) -> None:
    """Refuse ``dest`` if a folder, device, pipe or socket stands there."""
    kind = inputs.special_kind(dest) or ("a folder" if dest.is_dir() else None)
    if kind:
        hint = "give a file name inside it" if kind == "a folder" else "choose a file name; it is never replaced"
        raise DestinationError(f"is {kind}, not a file", path=str(dest), hint=hint)


def _identities(read: Inputs) -> dict[tuple[int, int], tuple[Path, str]]:
    """The files of ``read`` that exist, by device and inode: what a name, a link or a hard link to them shares."""
    found = {}
    for path, what in read.items():
        try:
            status = os.stat(path)
        except (OSError, ValueError):
            continue
        found[(status.st_dev, status.st_ino)] = (path, what)
    return found


def _refuse_input(dest: Path, identities: dict[tuple[int, int], tuple[Path, str]]) -> None:
    """Refuse ``dest`` if it is (or links to) one of the files with these ``identities``."""
    try:
        status = os.stat(dest)
    except (OSError, ValueError):
        return
    if (status.st_dev, status.st_ino) in identities:
        path, what = identities[(status.st_dev, status.st_ino)]
        raise DestinationError(f"is {what} ({path}), which this command reads", path=str(dest),
                               hint="choose another name: a file a command reads is never replaced, even with --force")


def put_in_place(part: Path, dest: Path, force: bool) -> None:
    """Move the finished ``part`` file to ``dest``, checking once more that nothing but a file is replaced."""
    check_destination(dest, force)
    os.replace(part, dest)


def write_text(dest: Path, text: str, force: bool = False, read: Inputs = NO_INPUTS) -> Path:
    """Write ``text`` to ``dest`` in one step; refuse to replace one of the files ``read``, or without ``force``
    any existing file."""
    return write_bytes(dest, text.encode("utf-8"), force, read)


def write_bytes(dest: Path, data: bytes, force: bool = False, read: Inputs = NO_INPUTS) -> Path:
    """Write ``data`` to ``dest`` in one step; refuse to replace one of the files ``read``, or without ``force``
    any existing file."""
    check_destination(dest, force, read)
    try:
        handle, temporary = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    except OSError as err:
        raise _unwritable(dest, err) from None
    try:
        os.chmod(temporary, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        put_in_place(Path(temporary), dest, force)
    except OSError as err:
        raise _unwritable(dest, err) from None
    finally:
        Path(temporary).unlink(missing_ok=True)  # already gone once it is in place
    return dest


def _umask() -> int:
    """The process's file-creation mask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _unwritable(dest: Path, err: OSError) -> DestinationError:
    return DestinationError(f"cannot be written ({err.strerror})", path=str(dest),
                      hint="check that the folder exists and that you may write to it")


def open_own(name: str | os.PathLike[str], dir_fd: int | None = None) -> BinaryIO | None:
    """The program's own file ``name`` (inside the folder ``dir_fd``, if given) opened to read; None unless a
    regular file is there.

    Opened without following a link and without waiting, then judged by what was opened: a link, folder, FIFO,
    device or socket there (even one swapped in a moment before) is never read.
    """
    try:
        fd = os.open(name, os.O_RDONLY | NO_FOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC, dir_fd=dir_fd)
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def write_own(name: str | os.PathLike[str], data: bytes, dir_fd: int | None = None, suffix: str = ".part",
              replace: bool = True) -> None:
    """Put ``data`` at the program's own file ``name`` (inside the folder ``dir_fd``, if given) in one step.

    A new file beside it (readable by this user alone) is renamed over the name: a link there is replaced, never
    followed, and a reader sees the old file or the new one, never half of it. Without ``replace``, anything at
    the name stays and FileExistsError is raised. Raises OSError, leaving nothing.
    """
    path = Path(name)
    temporary = str(path.with_name(f".{path.name[:16]}.{secrets.token_hex(4)}{suffix}"))
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NO_FOLLOW | os.O_CLOEXEC, 0o600, dir_fd=dir_fd)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        if replace:
            os.replace(temporary, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        else:  # a hard link is made only where no name is, a link included
            os.link(temporary, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=dir_fd)
