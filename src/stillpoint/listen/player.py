"""Playing a practice: the rendered stream fed ahead of time to a sound sink, commands, and the screen.

The player does not synthesize: it asks its program for the audio from an event on, in a thread, and
writes it to the sink in pieces of a tenth of a second, answering commands (keys.py reads them from a terminal)
between pieces. Seeking restarts the program's stream at the event wanted, so memory stays small however long
the practice is.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from typing import Protocol

import numpy as np

from stillpoint.audio import SAMPLE_RATE, SAMPLE_WIDTH, seconds_to_samples
from stillpoint.language.timeline import BELL, BREATHE, PAUSE, SOAK, SPEECH, Event, Timeline
from stillpoint.listen.resume import Bookmark
from stillpoint.listen.screen import LineScreen, Moment

PIECE = SAMPLE_RATE // 10  # samples per write to the sink: keys are answered between writes
HUSH = int(0.03 * SAMPLE_RATE)  # fade when pausing, skipping or stopping, so the sound never clicks off
FEED_DEPTH = 4  # rendered chunks kept ready ahead of playback
WAIT = 0.05  # seconds to wait for audio or keys before looking again
SKIP_SECONDS = 15.0
RESTART_GRACE = 3.0  # `p` this far into a section goes back to its start rather than to the one before
NOTE_SECONDS = 3.0
VOLUME_STEP = 0.1
CAPTIONS = {BREATHE: "breathe…", PAUSE: "rest…", SOAK: "rest…", BELL: ""}  # gaps keep the line just spoken

TOGGLE, NEXT, PREVIOUS, FORWARD, BACK, LOUDER, SOFTER, QUIT = (
    "toggle", "next", "previous", "forward", "back", "louder", "softer", "quit")
END = "end"


class Source(Protocol):
    """What is played: a timeline, and its audio from any event on (see app.program.Program)."""

    timeline: Timeline

    def stream(self, first: int = 0) -> Iterator[tuple[Event, bytes]]:
        """Each event from index ``first`` on with its PCM, timed from the start of the practice."""


class Sink(Protocol):
    """Where the audio goes: a device that plays what is written, in order."""

    def write(self, pcm: bytes) -> None:
        """Queue ``pcm`` to be heard; may block while the device is full."""

    def queued(self) -> int:
        """Samples written but not heard yet."""

    def finish(self) -> None:
        """Let everything queued be heard."""


class Screen(Protocol):
    """Something that shows the listener a moment of the practice."""

    def show(self, moment: Moment) -> None:
        """Show ``moment``."""


class KeySource(Protocol):
    """Where the listener's commands come from."""

    def pressed(self) -> list[str]:
        """The commands given since the last call, in order."""


def section_starts(timeline: Timeline) -> list[int]:
    """The index of the first event of each section."""
    events = timeline.events
    return [i for i, event in enumerate(events) if i == 0 or event.section != events[i - 1].section]


def section_at(timeline: Timeline, starts: list[int], seconds: float) -> int:
    """The position in ``starts`` of the section playing at ``seconds``."""
    playing = 0
    for number, index in enumerate(starts):
        if timeline.events[index].start <= seconds + 1e-6:
            playing = number
    return playing


def starting_point(timeline: Timeline, bookmark: Bookmark | None) -> int:
    """The first event of the section a bookmark names (matched by number and title, else title), else 0."""
    if bookmark is None:
        return 0
    starts = section_starts(timeline)
    titles = [timeline.events[index].section for index in starts]
    if 0 < bookmark.number <= len(titles) and titles[bookmark.number - 1] == bookmark.section:
        return starts[bookmark.number - 1]
    return starts[titles.index(bookmark.section)] if bookmark.section in titles else 0


def screen_for(plain: bool, quiet: bool, keys: bool = True) -> Screen:
    """Nothing when quiet; plain lines when asked for or when stdout is not a terminal; else the live screen.

    ``keys`` says whether keys are read, so the live screen lists them.
    """
    if quiet:
        return LineScreen(None)
    if plain or terminal(sys.stdout) is None:
        return LineScreen(sys.stdout)
    from stillpoint.listen.live import LiveScreen  # rich loads only when a terminal shows the screen

    return LiveScreen(keys_help=keys)


def terminal(stream: object) -> int | None:
    """The file descriptor of ``stream`` if it is a terminal; None if it is not, or is closed."""
    try:
        fd = stream.fileno()
        return fd if os.isatty(fd) else None
    except (AttributeError, ValueError, OSError):
        return None


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
                self._queue.put((generation, item), timeout=2 * WAIT)
                return True
            except queue.Full:
                continue
        return False


class Playhead:
    """Which sample of the practice is written next, and which event is being heard."""

    def __init__(self) -> None:
        self.position = 0
        self.line = ""
        self._skip = 0
        self._fresh = True
        self._written: deque[Event] = deque()

    def restart(self, position: int, skip: int) -> None:
        """A new stream starts; its first ``skip`` samples are left out, so it is heard from ``position``."""
        self.position, self._skip, self._fresh = position, skip, True
        self._written.clear()

    def accept(self, event: Event, pcm: bytes) -> bytes:
        """A chunk of ``event`` from the stream, less any samples still to be skipped."""
        if self._fresh:
            self.position, self._fresh = seconds_to_samples(event.start), False
        if not self._written or self._written[-1] is not event:
            self._written.append(event)
        drop = min(self._skip, len(pcm) // SAMPLE_WIDTH)
        self._skip -= drop
        self.position += drop
        return pcm[drop * SAMPLE_WIDTH:]

    def advance(self, samples: int) -> None:
        """``samples`` more were written."""
        self.position += samples

    def hearing(self, queued: int) -> tuple[float, Event | None]:
        """The time being heard with ``queued`` samples still in the sink, and the event it falls in."""
        heard = (self.position - queued) / SAMPLE_RATE
        while len(self._written) > 1 and self._written[1].start <= heard:
            self._written.popleft()
        event = self._written[0] if self._written else None
        if event is not None and event.kind == SPEECH:
            self.line = event.text
        return heard, event


def _gained(pcm: bytes, volumes: tuple[float, float], rising: int | None = None, fade_out: bool = False) -> bytes:
    """``pcm`` at a volume moving from ``volumes[0]`` to ``volumes[1]`` over HUSH samples, so a key never steps it.

    It is also faded in, ``rising`` samples into a HUSH-long rise, or faded out over its whole length.
    """
    was, volume = volumes
    if was == volume == 1.0 and rising is None and not fade_out:
        return pcm
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32)
    along = np.arange(len(samples), dtype=np.float32)
    samples *= was + (volume - was) * np.minimum((along + 1) / HUSH, 1.0)
    if rising is not None:
        samples *= np.minimum((along + rising) / HUSH, 1.0)
    if fade_out:
        samples *= np.linspace(1.0, 0.0, len(samples), dtype=np.float32)
    return np.rint(samples).astype("<i2").tobytes()


class Player:
    """Plays a program through a sink from any event, answering keys and keeping a screen current."""

    def __init__(self, program: Source, sink: Sink, note: str = ""):
        self._program = program
        self._sink = sink
        self._feed: Feed | None = None
        self._head = Playhead()
        self._pending = b""
        self._paused = self._ended = self._stopped = self._drained = False
        self._rising: int | None = None  # samples into a fade-in, while one is under way
        self._volume = self._heard_volume = 1.0  # the volume asked for, and the one the last sample written had
        self._note, self._note_until = note, time.monotonic() + NOTE_SECONDS
        self._actions = {TOGGLE: self._toggle, NEXT: self._next_section, PREVIOUS: self._previous_section,
                         FORWARD: self._forward, BACK: self._back, LOUDER: self._louder, SOFTER: self._softer,
                         QUIT: self._quit}

    def play(self, screen: Screen, keys: KeySource, first: int = 0) -> bool:
        """Play from event ``first`` to the end (True) or until the listener stops it (False)."""
        self._feed = Feed(self._program)
        try:
            self._go(first)
            while not (self._ended or self._stopped):
                for command in keys.pressed():
                    self._actions[command]()
                if not self._stopped:
                    self._advance()
                screen.show(self.moment())
        finally:
            self._feed.close()
        return self._ended

    def moment(self) -> Moment:
        """What is being heard now."""
        timeline = self._program.timeline
        seconds, event = self._head.hearing(self._sink.queued())
        seconds = timeline.total if self._ended else min(seconds, timeline.total)
        starts = section_starts(timeline)
        number = section_at(timeline, starts, seconds)
        caption = CAPTIONS.get(event.kind, self._head.line) if event else self._head.line
        note = self._note if time.monotonic() < self._note_until else ""
        return Moment(timeline.title, timeline.events[starts[number]].section, number + 1, len(starts), caption,
                      seconds, timeline.total, timeline.exact, self._paused, self._ended, note)

    def bookmark(self) -> Bookmark | None:
        """Where the listener is, to continue from later; None once the practice has played to its end."""
        if self._ended:
            return None
        moment = self.moment()
        return Bookmark(moment.section, moment.section_number, round(moment.elapsed, 2))

    def _advance(self) -> None:
        """Write the next piece of audio, or wait a moment if there is none (or the player is paused).

        Until the stream is over, HUSH samples are kept back, so a hush always has sound to fade out.
        """
        if self._paused:
            time.sleep(WAIT)
            return
        if len(self._pending) // SAMPLE_WIDTH <= HUSH and not self._drained:
            self._take()
        spare = len(self._pending) // SAMPLE_WIDTH - (0 if self._drained else HUSH)
        if spare > 0:
            size = min(PIECE, spare) * SAMPLE_WIDTH
            piece, self._pending = self._pending[:size], self._pending[size:]
            self._write(piece)
        elif self._drained:
            self._sink.finish()
            self._ended = True

    def _take(self) -> None:
        """Add the next chunk from the feed to what is pending, if one comes in time; note the end of the stream."""
        item = self._feed.get(WAIT)
        if item == END:
            self._drained = True
        elif item is not None:
            self._pending += self._head.accept(*item)

    def _write(self, pcm: bytes, fade_out: bool = False) -> None:
        """Send ``pcm`` to the sink at the volume, carrying on any fade-in."""
        count = len(pcm) // SAMPLE_WIDTH
        self._sink.write(_gained(pcm, (self._heard_volume, self._volume), self._rising, fade_out))
        moved = (self._volume - self._heard_volume) * count / HUSH
        self._heard_volume = self._volume if count >= HUSH else self._heard_volume + moved
        self._head.advance(count)
        if self._rising is not None:
            self._rising = None if self._rising + count >= HUSH else self._rising + count

    def _hush(self) -> None:
        """Fade out over the next few milliseconds and let the sink play what it holds, so nothing clicks."""
        if self._paused:
            return
        tail, self._pending = self._pending[:HUSH * SAMPLE_WIDTH], self._pending[HUSH * SAMPLE_WIDTH:]
        if tail:
            self._write(tail, fade_out=True)
        self._sink.finish()

    def _jump(self, index: int, skip: int = 0) -> None:
        """Go, without a click, to ``skip`` samples into event ``index``."""
        self._hush()
        self._go(index, skip)

    def _go(self, index: int, skip: int = 0) -> None:
        """Play from ``skip`` samples into event ``index`` on."""
        self._feed.start(index)
        self._head.restart(seconds_to_samples(self._program.timeline.events[index].start) + skip, skip)
        self._pending, self._drained = b"", False
        self._rising = 0 if skip > 0 else None  # event starts are silent or fade in by themselves; a middle is not

    def _say(self, note: str) -> None:
        self._note, self._note_until = note, time.monotonic() + NOTE_SECONDS

    def _toggle(self) -> None:
        if not self._paused:
            self._hush()
        self._paused = not self._paused
        self._rising = 0

    def _quit(self) -> None:
        self._hush()
        self._stopped = True

    def _next_section(self) -> None:
        timeline = self._program.timeline
        starts = section_starts(timeline)
        number = section_at(timeline, starts, self.moment().elapsed)
        if number + 1 < len(starts):
            self._jump(starts[number + 1])
        else:
            self._say("this is the last section")

    def _previous_section(self) -> None:
        timeline = self._program.timeline
        starts = section_starts(timeline)
        elapsed = self.moment().elapsed
        number = section_at(timeline, starts, elapsed)
        into = elapsed - timeline.events[starts[number]].start
        self._jump(starts[number if into > RESTART_GRACE or number == 0 else number - 1])

    def _forward(self) -> None:
        self._skip_to(self.moment().elapsed + SKIP_SECONDS, forward=True)

    def _back(self) -> None:
        self._skip_to(self.moment().elapsed - SKIP_SECONDS, forward=False)

    def _skip_to(self, seconds: float, forward: bool) -> None:
        """Go to ``seconds``; a line is heard from its start (a later one if that would not move forward)."""
        events = self._program.timeline.events
        seconds = min(max(seconds, 0.0), events[-1].start)
        index = max(i for i, event in enumerate(events) if event.start <= seconds)
        if events[index].kind != SPEECH:
            self._jump(index, seconds_to_samples(seconds - events[index].start))
        elif forward and events[index].start <= self.moment().elapsed:
            self._jump(min(index + 1, len(events) - 1))
        else:
            self._jump(index)

    def _louder(self) -> None:
        self._volume = min(1.0, round(self._volume + VOLUME_STEP, 2))
        self._say(f"volume {self._volume:.0%}")

    def _softer(self) -> None:
        self._volume = max(0.0, round(self._volume - VOLUME_STEP, 2))
        self._say(f"volume {self._volume:.0%}")
