"""The practice rendered ahead of playback: a thread asks the program for the audio from an event on and keeps a
short queue of it ready; a seek drops what was rendered and starts again from the event wanted.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Iterator
from typing import Protocol

from stillpoint.language.timeline import Event, Timeline

FEED_DEPTH = 4  # rendered chunks kept ready ahead of playback
RECHECK = 0.1  # seconds a full queue is waited on before the renderer looks whether its stream is still wanted
END = "end"


class Source(Protocol):
    """What is played: a timeline, and its audio from any event on (see app.program.Program)."""

    timeline: Timeline

    def stream(self, first: int = 0) -> Iterator[tuple[Event, bytes]]:
        """Each event from index ``first`` on with its PCM, timed from the start of the practice."""


class Feed:
    """Renders a program ahead of playback in a thread, into a short queue; can restart at any event."""

    def __init__(self, program: Source, depth: int = FEED_DEPTH):
        self._program = program
        self._queue: queue.Queue[tuple[int, object]] = queue.Queue(depth)
        self._changed = threading.Condition()
        self._generation = 0
        self._request: int | None = None
        self._failure: tuple[int, Exception] | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="stillpoint-render", daemon=True)
        self._thread.start()

    def start(self, first: int) -> None:
        """Drop whatever was rendered and render from event ``first`` on."""
        with self._changed:
            self._generation += 1
            self._request = first
            self._changed.notify()
        with contextlib.suppress(queue.Empty):
            while True:
                self._queue.get_nowait()

    def get(self, timeout: float) -> tuple[Event, bytes] | str | None:
        """The next (event, pcm), END after the last, or None if nothing came in time; raises the renderer's error."""
        deadline = time.monotonic() + timeout
        while True:
            self._raise_failure()
            try:
                generation, item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self._raise_failure()
                return None
            if generation == self._generation:
                return item

    def close(self) -> None:
        """Stop rendering."""
        with self._changed:
            self._closed = True
            self._changed.notify()
        self._thread.join(timeout=0.5)

    def _raise_failure(self) -> None:
        failure = self._failure
        if failure is not None and failure[0] == self._generation:
            raise failure[1]

    def _run(self) -> None:
        """Wait for a request, render it into the queue, repeat until closed."""
        while True:
            with self._changed:
                while self._request is None and not self._closed:
                    self._changed.wait()
                if self._closed:
                    return
                generation, first, self._request = self._generation, self._request, None
            self._render(generation, first)

    def _render(self, generation: int, first: int) -> None:
        """Put the stream from event ``first`` into the queue until it ends or is no longer wanted."""
        try:
            with contextlib.closing(self._program.stream(first)) as stream:
                for item in stream:
                    if not self._put(generation, item):
                        return
            self._put(generation, END)
        except Exception as exc:  # crossing threads: the player raises it where the listener is
            self._failure = (generation, exc)

    def _put(self, generation: int, item: object) -> bool:
        """Queue ``item``, waiting for room; False once its stream is no longer wanted."""
        while generation == self._generation and not self._closed:
            try:
                self._queue.put((generation, item), timeout=RECHECK)
                return True
            except queue.Full:
                continue
        return False
