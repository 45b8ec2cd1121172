"""What the commands show: lines escaped on their way to the terminal, findings worded for the command line,
progress bars on stderr.

Every line a command prints goes through ``say`` but JSON (which escapes control characters itself), help and
the QR code; rich loads only when a progress bar is drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING

import typer

from stillpoint.cli import environment
from stillpoint.errors import SHOWN_CHARS, Diagnostic, Setting, printable

if TYPE_CHECKING:
    from rich.progress import Progress, ProgressColumn

    from stillpoint.voice import SynthProgress


def say(line: object, err: bool = False) -> None:
    """Print one line, its control characters escaped: no text from a file reaches the terminal as a command."""
    env = environment.current()
    typer.echo(printable(str(line)), file=env.errors if err else env.output)


def warning(message: str) -> None:
    """A problem that does not stop the command, as one line on stderr, cut to the length of a whole finding."""
    say(f"warning: {printable(message, 3 * SHOWN_CHARS)}", err=True)


def warnings(messages: Iterable[str], quiet: bool) -> None:
    """Each of ``messages`` as a warning, unless ``quiet``."""
    for message in messages if not quiet else []:
        warning(message)


def flag(setting: Setting) -> str:
    """A setting as the command line names it: its option, and the value given if the message is about one."""
    return f"--{setting.name}" if setting.value is None else f"--{setting.name} {setting.value}"


def lines(diagnostics: Iterable[Diagnostic], given: set[str]) -> Iterator[str]:
    """Each diagnostic as printed, its setting named by its flag; a hint already in ``given`` (those printed so far)
    is not repeated."""
    for diagnostic in (each.naming(flag) for each in diagnostics):
        shown = replace(diagnostic, hint="") if diagnostic.hint in given else diagnostic
        given.add(diagnostic.hint)
        yield str(shown)


def count(number: int, noun: str) -> str:
    """``number`` and ``noun``, plural but for one: "1 file", "3 errors"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


@contextmanager
def progress(quiet: bool, label: str) -> Iterator[Callable[[SynthProgress], None]]:
    """A progress bar on stderr for synthesis; silent when quiet or not on a terminal."""
    if quiet or not environment.current().stderr_isatty:
        yield lambda _progress: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn

    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[cached]}"),
               TimeElapsedColumn())
    with progress_bar(columns) as bar:
        task = bar.add_task(label, total=None, cached="")

        def update(state: SynthProgress) -> None:
            bar.update(task, completed=state.done, total=state.total, cached=f"{state.cached} cached")

        yield update


def progress_bar(columns: tuple[ProgressColumn | str, ...]) -> Progress:
    """A transient rich progress bar on stderr with ``columns``."""
    from rich.console import Console
    from rich.progress import Progress

    return Progress(*columns, console=Console(file=environment.current().errors), transient=True)
