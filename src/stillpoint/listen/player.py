"""Playing a practice: the rendered stream written to a sound sink a piece at a time, answering commands between
pieces and keeping the screen current.

The player does not synthesize: its feed (feed.py) renders the program ahead, in a thread. It writes pieces of a
tenth of a second, keeping HUSH samples back so a pause, jump or stop always has sound to fade out (fade.py);
the commands (commands.py) say where a key goes. Seeking restarts the feed at the event wanted, so memory stays
small however long the practice is.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from stillpoint.audio import SAMPLE_RATE, SAMPLE_WIDTH, seconds_to_samples
from stillpoint.language.timeline import BELL, PAUSE, SLEEP, SOAK, SPEECH, Event, section_at, section_starts
from stillpoint.listen import commands
from stillpoint.listen.commands import (BACK, FORWARD, LOUDER, NEXT, PREVIOUS, QUIT, SOFTER, TOGGLE, WAIT,
                                        KeySource)
from stillpoint.listen.fade import HUSH, Gain
from stillpoint.listen.feed import END, Feed, Source
from stillpoint.listen.screen import Moment, Screen
from stillpoint.sound import breath

PIECE = SAMPLE_RATE // 10  # samples per write to the sink: keys are answered between writes
NOTE_SECONDS = 3.0
# Gaps keep the line just spoken; breaths say their phase.
CAPTIONS = {PAUSE: "rest…", SOAK: "rest…", BELL: "", SLEEP: "sleep well…"}


@dataclass(frozen=True)
class Bookmark:
    """The section (by number and title) that was playing when a practice stopped, and the time heard:
    what the player leaves for the next run to go on from."""

    section: str
    number: int
    seconds: float


class Sink(Protocol):
    """Where the audio goes: a device that plays what is written, in order."""

    def write(self, pcm: bytes) -> None:
        """Queue ``pcm`` to be heard; may block while the device is full."""

    def queued(self) -> int:
        """Samples written but not heard yet."""

    def finish(self) -> None:
        """Let everything queued be heard."""


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


class Player:
    """Plays a program through a sink from any event, answering commands and keeping a screen current."""

    def __init__(self, program: Source, sink: Sink, note: str = ""):
        self._program = program
        self._sink = sink
        self._feed: Feed | None = None
        self._head = Playhead()
        self._gain = Gain()
        self._pending = b""
        self._paused = self._ended = self._stopped = self._drained = False
        self._note, self._note_until = note, time.monotonic() + NOTE_SECONDS
        self._actions = {TOGGLE: self._toggle, NEXT: self._next_section, PREVIOUS: self._previous_section,
                         FORWARD: self._forward, BACK: self._back, LOUDER: partial(self._volume, 1),
                         SOFTER: partial(self._volume, -1),
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
        caption = self._caption(event, seconds)
        note = self._note if time.monotonic() < self._note_until else ""
        return Moment(timeline.title, timeline.events[starts[number]].section, number + 1, len(starts), caption,
                      seconds, timeline.total, timeline.exact, self._paused, self._ended, note)

    def _caption(self, event: Event | None, seconds: float) -> str:
        """What the screen says during ``event`` at ``seconds``: the line, the phase of a breath, or rest."""
        phase = breath.phase_at(event, seconds) if event is not None else None
        if phase is not None:
            return breath.WORDS[phase]
        return CAPTIONS.get(event.kind, self._head.line) if event else self._head.line

    def bookmark(self) -> Bookmark | None:
        """Where the listener is, to continue from later; None once the practice has played to its end, or its words
        have (stopped in a sleep ending, there is nothing left to continue)."""
        if self._ended or self._in_ending():
            return None
        moment = self.moment()
        return Bookmark(moment.section, moment.section_number, round(moment.elapsed, 2))

    def _in_ending(self) -> bool:
        """Whether the sleep ending is being heard: the words are over."""
        event = self._head.hearing(self._sink.queued())[1]
        return event is not None and event.kind == SLEEP

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
        self._sink.write(self._gain.apply(pcm, fade_out))
        self._head.advance(len(pcm) // SAMPLE_WIDTH)

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
        self._gain.fade_in(skip > 0)  # event starts are silent or fade in by themselves; a middle is not

    def _say(self, note: str) -> None:
        self._note, self._note_until = note, time.monotonic() + NOTE_SECONDS

    def _toggle(self) -> None:
        if not self._paused:
            self._hush()
        self._paused = not self._paused
        self._gain.fade_in()

    def _quit(self) -> None:
        self._hush()
        self._stopped = True

    def _next_section(self) -> None:
        index = commands.next_section(self._program.timeline, self.moment().elapsed)
        if index is None:
            self._say("this is the last section")
        else:
            self._jump(index)

    def _previous_section(self) -> None:
        self._jump(commands.previous_section(self._program.timeline, self.moment().elapsed))

    def _forward(self) -> None:
        self._jump(*commands.skip(self._program.timeline, self.moment().elapsed, forward=True))

    def _back(self) -> None:
        self._jump(*commands.skip(self._program.timeline, self.moment().elapsed, forward=False))

    def _volume(self, steps: int) -> None:
        self._gain.change(steps)
        self._say(f"volume {self._gain.volume:.0%}")
