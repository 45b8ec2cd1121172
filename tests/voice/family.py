"""The processes a test's synthesizers start: this process's descendants, voice workers and zygotes."""

from __future__ import annotations

import psutil


def descendants() -> set[int]:
    """Process ids of this process's live descendants (a zombie has ended, and does not count)."""
    return {process.pid for process in psutil.Process().children(recursive=True) if _running(process)}


def zygotes() -> list[psutil.Process]:
    """This process's children that have children of their own: the zygotes that forked voice workers."""
    return [process for process in psutil.Process().children() if _running(process) and process.children()]


def _running(process: psutil.Process) -> bool:
    """Whether the process exists and has not ended."""
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
