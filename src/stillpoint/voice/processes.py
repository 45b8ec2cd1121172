"""The voice workers' processes: started, stopped, their exit codes known, and no signal lost while one starts.

Every worker is spawned: a new interpreter that imports its engine itself. A worker is a pipe to talk to and a
handle to stop it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnContext
from typing import Any, Protocol

from stillpoint.voice import worker


class WorkerProcess(Protocol):
    """A worker's process as the pool sees it: a pipe to it, and a way to stop it."""

    conn: Connection

    @property
    def exitcode(self) -> int | None:
        """How it ended (negative: the signal that ended it), once known."""

    def stop(self, grace: float = 0.0) -> None:
        """Kill it (after ``grace`` seconds to end by itself) and release its pipe."""


class Launcher:
    """Starts the worker processes of each engine."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("spawn")

    def start(self, spec: str) -> WorkerProcess:
        """A new worker process of the engine ``spec`` ('module:Class'), still starting."""
        return Spawned(self._context, spec)

    def close(self) -> None:
        """Nothing to stop besides the workers."""


class Spawned:
    """A worker started from nothing, in a new interpreter that imports its engine itself."""

    def __init__(self, context: SpawnContext, spec: str):
        self.conn, child = context.Pipe()
        self._process = context.Process(target=worker.serve, args=(child, spec), name="stillpoint-voice", daemon=True)
        self._process.start()
        child.close()

    @property
    def exitcode(self) -> int | None:
        """How the process ended, once it has."""
        return self._process.exitcode

    def stop(self, grace: float = 0.0) -> None:
        """Kill the process (after grace seconds to exit by itself), reap it, and close the pipe."""
        self._process.join(grace)
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self.conn.close()


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Start a process ignoring SIGINT from birth, and with what it needs to start sent whatever comes.

    A terminal's Ctrl-C goes to every process of the job, and a worker still importing would die of it with a
    traceback. Ignoring is inherited across exec and Python then leaves it so. Here the signal is held meanwhile;
    if another thread takes it during the few milliseconds of the start, it is lost, and the next Ctrl-C works. A
    SIGTERM that comes meanwhile (it ends this process as Ctrl-C does) is acted on once the process is started and
    counted: cut short, a start fails with a traceback in the new process.
    """
    handler, terminate = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is not threading.main_thread() or handler is None or os.name != "posix":
        yield  # only the main thread may change signal handling; nor can a handler set outside Python be put back;
        return  # and Windows can neither hold a signal nor pass on its being ignored
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    deferred: list[Any] = []
    if callable(terminate):
        signal.signal(signal.SIGTERM, lambda _signum, frame: deferred.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, terminate)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    if deferred:
        terminate(signal.SIGTERM, deferred[0])
