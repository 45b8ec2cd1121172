"""What the listener sees while a practice plays: the moment shown, plain progress lines (the live screen is in
live.py), and which of them a run gets.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, replace
from typing import Protocol, TextIO

from stillpoint.audio import clock
from stillpoint.errors import printable

REFRESH_SECONDS = 0.1
KEY_HELP = "space pause · n/p section · ←/→ 15 s · +/- volume · q stop"


@dataclass(frozen=True)
class Moment:
    """What is being heard now, as the screen shows it."""

    title: str
    section: str = ""
    section_number: int = 0
    sections: int = 0
    caption: str = ""
    elapsed: float = 0.0
    total: float = 0.0
    exact: bool = True
    paused: bool = False
    ended: bool = False
    note: str = ""


def shown(moment: Moment) -> Moment:
    """``moment`` with its texts, which come from the script, printable: control characters escaped."""
    return replace(moment, title=printable(moment.title), section=printable(moment.section),
                   caption=printable(moment.caption), note=printable(moment.note))


def length(moment: Moment) -> str:
    """The practice's length, marked as approximate while speech lengths are still estimated."""
    return clock(moment.total) if moment.exact else f"~{clock(moment.total)}"


class LineScreen:
    """Plain lines for pipes and ``--no-ui``: the title, a line as each section starts, and the end."""

    def __init__(self, out: TextIO | None):
        self._out = out
        self._started = False
        self._section = 0
        self._note = ""

    def __enter__(self) -> LineScreen:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def show(self, moment: Moment) -> None:
        """Print what is new in ``moment``: the title first, then notes, sections and the end."""
        moment = shown(moment)
        if not self._started:
            self._started = True
            self._print(f"{moment.title}  ({length(moment)})")
        if moment.note != self._note:
            self._note = moment.note
            self._print(f"  {moment.note}" if moment.note else "")
        if moment.section_number and moment.section_number != self._section:
            self._section = moment.section_number
            self._print(f"{clock(moment.elapsed):>8}  {moment.section}")
        if moment.ended:
            self._print(f"{clock(moment.elapsed):>8}  end")

    def _print(self, line: str) -> None:
        if self._out is not None and line:
            print(line, file=self._out, flush=True)


class Screen(Protocol):
    """Something that shows the listener a moment of the practice."""

    def show(self, moment: Moment) -> None:
        """Show ``moment``."""


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
