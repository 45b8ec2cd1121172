"""The player's quiet screen, redrawn in place with rich; loaded only when a terminal shows it, so sound starts sooner."""

from __future__ import annotations

import time

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.padding import Padding
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from stillpoint.audio import clock
from stillpoint.listen.screen import KEY_HELP, REFRESH_SECONDS, Moment, length, shown


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
    moment = shown(moment)
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
