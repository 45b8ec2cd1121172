"""What the listener sees while a practice plays: a quiet screen redrawn in place, or plain progress lines."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TextIO

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.padding import Padding
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

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


def clock(seconds: float) -> str:
    """Seconds as m:ss, or h:mm:ss from an hour on."""
    minutes, rest = divmod(int(max(seconds, 0.0)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{rest:02d}" if hours else f"{minutes}:{rest:02d}"


def length(moment: Moment) -> str:
    """The practice's length, marked as approximate while speech lengths are still estimated."""
    return clock(moment.total) if moment.exact else f"~{clock(moment.total)}"


class LiveScreen:
    """Title, section, the line being spoken, time and a progress bar, redrawn in place; gone when it closes."""

    def __init__(self, console: Console | None = None, keys_help: bool = True):
        self._live = Live(console=console or Console(), auto_refresh=False, transient=True)
        self._keys_help = keys_help
        self._shown = 0.0
        self._last: Moment | None = None

    def __enter__(self) -> LiveScreen:
        self._live.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._live.stop()

    def show(self, moment: Moment) -> None:
        """Redraw for ``moment``, at most ten times a second unless something besides the time changed."""
        now = time.monotonic()
        changed = self._last is None or _quiet_fields(moment) != _quiet_fields(self._last)
        if changed or now - self._shown >= REFRESH_SECONDS:
            self._live.update(view(moment, self._keys_help), refresh=True)
            self._shown, self._last = now, moment


def _quiet_fields(moment: Moment) -> tuple:
    """Everything on the screen except the clock."""
    return moment.section, moment.caption, moment.paused, moment.note, moment.ended


def view(moment: Moment, keys_help: bool = True) -> RenderableType:
    """The screen for a moment of the practice; the keys are listed when nothing else needs saying."""
    section = Text(moment.section, style="cyan")
    if moment.sections > 1:
        section.append(f"   {moment.section_number} of {moment.sections}", style="dim")
    progress = Table.grid(expand=True, padding=(0, 1))
    progress.add_column(ratio=1)
    progress.add_column(justify="right", no_wrap=True)
    bar = ProgressBar(total=max(moment.total, 1e-9), completed=min(moment.elapsed, moment.total),
                      complete_style="dim cyan" if moment.paused else "cyan", finished_style="cyan")
    progress.add_row(bar, Text(f"{clock(moment.elapsed)} / {length(moment)}", style="dim"))
    status = "paused — space to go on" if moment.paused else moment.note or (KEY_HELP if keys_help else "")
    parts = [Text(moment.title, style="bold"), section, Text(""), Text(moment.caption, style="italic"), Text(""),
             progress, Text(status, style="dim")]
    return Padding(Group(*parts), (1, 2))


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
