"""The commands a listener gives (keys.py reads them from a terminal; any caller may give them), and where each
one that moves goes in a practice.
"""

from __future__ import annotations

from typing import Protocol

from stillpoint.audio import seconds_to_samples
from stillpoint.language.timeline import SPEECH, Timeline, section_at, section_starts

TOGGLE, NEXT, PREVIOUS, FORWARD, BACK, LOUDER, SOFTER, QUIT = (
    "toggle", "next", "previous", "forward", "back", "louder", "softer", "quit")
WAIT = 0.05  # seconds the player waits for audio or keys before looking again
SKIP_SECONDS = 15.0
RESTART_GRACE = 3.0  # `p` this far into a section goes back to its start rather than to the one before


class KeySource(Protocol):
    """Where the listener's commands come from."""

    def pressed(self) -> list[str]:
        """The commands given since the last call, in order."""


def next_section(timeline: Timeline, heard: float) -> int | None:
    """The first event of the section after the one playing at ``heard`` seconds; None in the last section."""
    starts = section_starts(timeline)
    number = section_at(timeline, starts, heard)
    return starts[number + 1] if number + 1 < len(starts) else None


def previous_section(timeline: Timeline, heard: float) -> int:
    """The first event of the section playing at ``heard``, or of the one before if this one has only just begun."""
    starts = section_starts(timeline)
    number = section_at(timeline, starts, heard)
    into = heard - timeline.events[starts[number]].start
    return starts[number if into > RESTART_GRACE or number == 0 else number - 1]


def skip(timeline: Timeline, heard: float, forward: bool) -> tuple[int, int]:
    """Where SKIP_SECONDS on or back from ``heard`` goes: an event, and samples into it.

    A line is heard from its start (going on, the next line if that start would not move forward).
    """
    events = timeline.events
    seconds = heard + SKIP_SECONDS if forward else heard - SKIP_SECONDS
    seconds = min(max(seconds, 0.0), events[-1].start)
    index = max(i for i, event in enumerate(events) if event.start <= seconds)
    if events[index].kind != SPEECH:
        return index, seconds_to_samples(seconds - events[index].start)
    if forward and events[index].start <= heard:
        return min(index + 1, len(events) - 1), 0
    return index, 0
