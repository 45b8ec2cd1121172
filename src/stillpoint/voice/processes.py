"""The voice workers' processes: started, stopped, their exit codes known, and no signal lost while one starts.

Where a process can fork safely and watch a child through a pidfd (Linux), each engine gets a zygote
(worker.fork_workers): spawned once, it loads what the engine's workers share, and forks each worker from there, so
only the first worker of an engine pays for its imports and data (for hibari 0.6 s of CPU: Python, numpy, its G2P
lexicons). Elsewhere (macOS, where a forked process may crash in a system framework; Windows, which has no fork)
every worker is spawned and starts from nothing. Either way a worker is a pipe to talk to and a handle to stop it.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnContext
from typing import Any, Protocol

from stillpoint.voice import worker

KILL_WAIT = 5.0  # seconds to wait for a zygote to report a killed worker's end


class WorkerProcess(Protocol):
    """A worker's process as the pool sees it: a pipe to it, and a way to stop it."""

    conn: Connection

    @property
    def exitcode(self) -> int | None:
        """How it ended (negative: the signal that ended it), once known."""

    def stop(self, grace: float = 0.0) -> None:
        """Kill it (after ``grace`` seconds to end by itself) and release its pipe."""


@functools.cache
def forking() -> bool:
    """Whether workers are forked from a zygote here: on Linux, with pidfds (kernel 5.3 or later)."""
    if not sys.platform.startswith("linux") or not hasattr(os, "pidfd_open"):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:
        return False
    return True


class Launcher:
    """Starts the worker processes of each engine: forked by that engine's zygote where possible, else spawned."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._zygotes: dict[str, Zygote] = {}

    def start(self, spec: str) -> WorkerProcess:
        """A new worker process of the engine ``spec`` ('module:Class'), still starting."""
        if not forking():
            return Spawned(self._context, spec)
        return Forked(self._zygote(spec), self._context)

    def close(self) -> None:
        """Stop every zygote; stop the workers first, or the zygotes cannot tell how they ended."""
        while self._zygotes:
            self._zygotes.popitem()[1].stop()

    def _zygote(self, spec: str) -> Zygote:
        """The engine's zygote, started now if it has none or the one it had has died."""
        zygote = self._zygotes.get(spec)
        if zygote is None or not zygote.alive:
            if zygote is not None:
                zygote.stop()
            zygote = self._zygotes[spec] = Zygote(self._context, spec)
        return zygote


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


class Zygote:
    """A spawned process that has loaded what an engine's workers share, and forks one for each request."""

    def __init__(self, context: SpawnContext, spec: str):
        self._control, theirs = socket.socketpair()
        self._process = context.Process(target=worker.fork_workers, args=(theirs, spec),
                                        name="stillpoint-voice-zygote", daemon=True)
        self._process.start()
        theirs.close()

    @property
    def alive(self) -> bool:
        """Whether the process still runs."""
        return self._process.is_alive()

    @property
    def exitcode(self) -> int | None:
        """How the process ended, once it has."""
        return self._process.exitcode

    def request(self, conn: Connection, status: Connection) -> None:
        """Ask for a worker on ``conn`` whose pid, then exit code, will come on ``status`` (OSError: it is gone)."""
        socket.send_fds(self._control, [b"w"], [conn.fileno(), status.fileno()])

    def stop(self) -> None:
        """Kill the zygote (it holds nothing worth ending for: it may be halfway through loading) and reap it."""
        self._process.kill()
        self._process.join()
        self._control.close()


class Forked:
    """A worker forked by its engine's zygote, which says the worker's pid, then how it ended, on a pipe of its own."""

    def __init__(self, zygote: Zygote, context: SpawnContext):
        self.conn, child = context.Pipe()
        self._status, status = context.Pipe(duplex=False)
        self._zygote = zygote
        self.pid: int | None = None
        self._exitcode: int | None = None
        try:
            zygote.request(child, status)
        except OSError:
            pass  # the zygote died this moment: with both ends closed below, the pool finds the worker lost at once
        finally:
            child.close()
            status.close()

    @property
    def exitcode(self) -> int | None:
        """How the worker ended, once known; the zygote's exit code if the zygote ended before forking it."""
        self._hear(0.0)
        if self._exitcode is None and self.pid is None and not self._zygote.alive:
            return self._zygote.exitcode
        return self._exitcode

    def stop(self, grace: float = 0.0) -> None:
        """Kill the worker (after grace seconds to end by itself), learn how it ended, and close its pipes.

        A worker the zygote has not forked yet (a zygote stuck loading, or gone) is stopped with its zygote, which
        the launcher then replaces.
        """
        self._hear(grace)
        if self._exitcode is None and self.pid is None:
            self._zygote.stop()
        elif self._exitcode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self._hear(KILL_WAIT)
        self.conn.close()
        self._status.close()

    def _hear(self, timeout: float) -> None:
        """Take what the zygote has said about the worker (its pid, then its exit code), waiting up to timeout."""
        with contextlib.suppress(EOFError, OSError):  # the zygote is gone: nothing more will come
            while self._exitcode is None and self._status.poll(timeout):
                said = self._status.recv()
                if self.pid is None:
                    self.pid = said
                else:
                    self._exitcode = said


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Start a process ignoring SIGINT from birth, and with what it needs to start sent whatever comes.

    A terminal's Ctrl-C goes to every process of the job, and a worker still importing would die of it with a
    traceback. Ignoring is inherited across exec and Python then leaves it so; a forked worker inherits it from
    its zygote. Here the signal is held meanwhile; if another thread takes it during the few milliseconds of the
    start, it is lost, and the next Ctrl-C works. A SIGTERM that comes meanwhile (it ends this process as Ctrl-C
    does) is acted on once the process is started and counted: cut short, a start fails with a traceback in the
    new process.
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
