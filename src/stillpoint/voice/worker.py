"""The worker's side of the voice pool: one engine in a process of its own, answering requests until its pipe closes.

It imports the engine contract, the message format and loudness, and the engine module its own shaping: nothing
of scripts, timelines, caches or the pool. Where workers are forked (processes.py), each engine has a zygote: a
process that loads once what the engine's workers share (``preload``: modules and data, no session, no thread),
then forks a worker for every request, tells the pool its pid and, once it has ended, its exit code.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import socket
from multiprocessing.connection import Connection, wait
from typing import NoReturn

from stillpoint.sound import loudness
from stillpoint.voice import protocol
from stillpoint.voice.engine import Engine, engine_class


def serve(conn: Connection, spec: str) -> None:
    """Worker process: build one engine, then answer requests until the pipe closes."""
    _detach()
    with contextlib.suppress(EOFError, OSError):  # the parent is gone (even killed): end quietly
        _answer_requests(conn, spec)


def _detach() -> None:
    """Leave Ctrl-C to the parent, which decides when workers stop, and point stdout at /dev/null.

    pyttsx3 prints a line for every file it saves; nothing an engine prints may reach the user's terminal.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)


def _answer_requests(conn: Connection, spec: str) -> None:
    """Start the engine and say so (or why not), then answer each request until the parent closes the pipe."""
    try:
        engine = engine_class(spec)()
    except Exception as exc:
        conn.send((protocol.FAILED, *protocol.described(exc)))
        return
    conn.send((protocol.READY,))
    while True:
        op, args = conn.recv()
        conn.send(_answer(engine, op, args))


def _answer(engine: Engine, op: str, args: tuple) -> tuple:
    """(OK, value) or (ERROR, kind, message, hint) for one request."""
    try:
        if op == protocol.LEVEL:
            return (protocol.OK, loudness.finished(*args))  # here, so the work is spread over the workers
        if op == protocol.SYNTHESIZE:
            *line, level = args
            value = engine.synthesize(*line)
            return (protocol.OK, loudness.finished(value, level) if protocol.usable(value) else value)
        if op == protocol.VOICES:
            return (protocol.OK, engine.voices())
        raise ValueError(f"unknown request {op!r}")
    except Exception as exc:
        return (protocol.ERROR, *protocol.described(exc))


# ---------------------------------------------------------------- the zygote


def fork_workers(control: socket.socket, spec: str) -> None:
    """Zygote process: load what the engine's workers share, then fork a worker per request until the pool is gone.

    A request is one byte on ``control`` carrying two descriptors: the worker's end of its pipe to the pool, and a
    pipe on which the zygote sends the worker's pid, then its exit code.
    """
    _detach()
    with contextlib.suppress(Exception):  # a worker meets the same failure when it starts, and reports it
        preload = getattr(engine_class(spec), "preload", None)
        if preload:
            preload()
    gc.freeze()  # what is loaded stays out of the workers' garbage collection, and its memory stays shared
    with contextlib.suppress(OSError):  # the pool is gone: end quietly
        _fork_on_request(control, spec)


def _fork_on_request(control: socket.socket, spec: str) -> None:
    """Fork a worker for each request and report each one's end, until the pool closes its end of ``control``."""
    children: dict[int, tuple[int, Connection]] = {}  # a pidfd (readable once its worker ends): pid, status pipe
    while True:
        ready = wait([control, *children])
        for pidfd in (fd for fd in ready if fd in children):
            _reap(pidfd, *children.pop(pidfd))
        if control in ready:
            message, fds, _, _ = socket.recv_fds(control, 1, 2)
            if not message:
                return
            pid, status = _fork(spec, fds, control, children)
            children[os.pidfd_open(pid)] = (pid, status)


def _fork(spec: str, fds: list[int], control: socket.socket,
          children: dict[int, tuple[int, Connection]]) -> tuple[int, Connection]:
    """A new worker on the pipe in ``fds``, and the status pipe on which its pid has been sent."""
    conn_fd, status_fd = fds
    pid = os.fork()
    if pid == 0:
        _become_worker(conn_fd, spec, [control, status_fd, *children, *(other for _, other in children.values())])
    os.close(conn_fd)
    status = Connection(status_fd, readable=False)
    with contextlib.suppress(OSError):
        status.send(pid)
    return pid, status


def _become_worker(conn_fd: int, spec: str, inherited: list[socket.socket | Connection | int]) -> NoReturn:
    """In a newly forked process: close what only the zygote needs, serve as a worker, and end there, whatever
    happens, without running the zygote's own code any further."""
    code = 1
    try:
        for thing in inherited:
            if isinstance(thing, int):
                os.close(thing)
            else:
                thing.close()
        serve(Connection(conn_fd), spec)
        code = 0
    finally:
        os._exit(code)


def _reap(pidfd: int, pid: int, status: Connection) -> None:
    """Collect a worker that has ended and send its exit code (negative: the signal that ended it)."""
    _, how = os.waitpid(pid, 0)
    os.close(pidfd)
    with contextlib.suppress(OSError):
        status.send(os.waitstatus_to_exitcode(how))
    status.close()
