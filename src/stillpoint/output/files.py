"""Writing the files the user asked for: never over an existing file unless told, never half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from stillpoint.errors import UsageError


def write_text(dest: Path, text: str, force: bool = False) -> Path:
    """Write ``text`` to ``dest`` in one step; refuse to replace an existing file unless ``force``."""
    return write_bytes(dest, text.encode("utf-8"), force)


def write_bytes(dest: Path, data: bytes, force: bool = False) -> Path:
    """Write ``data`` to ``dest`` in one step; refuse to replace an existing file unless ``force``."""
    if dest.exists() and not force:
        raise UsageError("already exists", path=str(dest), hint="use --force to replace it, or choose another name")
    try:
        handle, temporary = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    except OSError as err:
        raise _unwritable(dest, err) from None
    try:
        os.chmod(temporary, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, dest)
    except OSError as err:
        Path(temporary).unlink(missing_ok=True)
        raise _unwritable(dest, err) from None
    return dest


def _umask() -> int:
    """The process's file-creation mask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _unwritable(dest: Path, err: OSError) -> UsageError:
    return UsageError(f"cannot be written ({err.strerror})", path=str(dest),
                      hint="check that the folder exists and that you may write to it")
