"""The worker's side of the voice pool: one engine in a process of its own, answering requests until its pipe closes.

It imports the engine contract, the message format and loudness, and the engine module its own shaping: nothing
of scripts, timelines, caches or the pool.
"""

from __future__ import annotations

import contextlib
import os
import signal
from multiprocessing.connection import Connection

from stillpoint.audio import Clip
from stillpoint.sound import loudness
from stillpoint.voice import protocol
from stillpoint.voice.engine import Engine, engine_class
from stillpoint.voice.protocol import Level


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
            return (protocol.OK, _finished(*args))
        if op == protocol.SYNTHESIZE:
            *line, level = args
            value = engine.synthesize(*line)
            return (protocol.OK, _finished(value, level) if protocol.usable(value) else value)
        if op == protocol.VOICES:
            return (protocol.OK, engine.voices())
        raise ValueError(f"unknown request {op!r}")
    except Exception as exc:
        return (protocol.ERROR, *protocol.described(exc))


def _finished(clip: Clip, level: Level | None) -> Clip:
    """The clip measured (and levelled to ``level``) here, so the work is spread over the workers and cached."""
    if level and clip.loudness is None:
        measured, levelled = loudness.measured_and_levelled(clip.pcm, *level)
        return Clip(clip.pcm, measured, (*level, levelled))
    measured = clip.loudness or loudness.measure(clip.pcm)
    return Clip(clip.pcm, measured, (*level, loudness.level(clip.pcm, measured, *level)) if level else None)
