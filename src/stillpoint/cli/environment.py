"""What a command runs in: its standard streams, which of them are terminals, and the kind of system.

The commands ask the one ``Environment`` of their run instead of ``sys`` and ``os``, so a test can give a run
another one (``CliRunner().invoke(app, args, obj=Environment(windows=True))``). Each fact not given is the
running process's, read when asked: a test runner that swaps ``sys.stdout`` for a buffer is followed.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any, TextIO


@dataclass(frozen=True)
class Environment:
    """The streams and the system a command runs in; each stream left None is the process's own at the time."""

    stdin: TextIO | None = None
    stdout: TextIO | None = None
    stderr: TextIO | None = None
    windows: bool = os.name == "nt"

    @property
    def input(self) -> TextIO:
        """Standard input."""
        return self.stdin or sys.stdin

    @property
    def output(self) -> TextIO:
        """Standard output."""
        return self.stdout or sys.stdout

    @property
    def errors(self) -> TextIO:
        """Standard error."""
        return self.stderr or sys.stderr

    @property
    def stdin_isatty(self) -> bool:
        """Whether standard input is a terminal (keys can be read from it)."""
        return _isatty(self.input)

    @property
    def stdout_isatty(self) -> bool:
        """Whether standard output is a terminal (a person reads it as it comes)."""
        return _isatty(self.output)

    @property
    def stderr_isatty(self) -> bool:
        """Whether standard error is a terminal (progress bars can be drawn on it)."""
        return _isatty(self.errors)


def _isatty(stream: TextIO) -> bool:
    """Whether ``stream`` is an open terminal."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed, or no file at all
        return False


_given: list[Environment] = []  # the environment of the run under way, while one is


def enter(context: Any) -> None:
    """Make the environment a run was given (its context's ``obj``) the current one, until the run ends."""
    given = context.obj if isinstance(context.obj, Environment) else Environment()
    _given.append(given)
    context.call_on_close(_given.pop)


def current() -> Environment:
    """The environment of the run under way, else the process's own."""
    return _given[-1] if _given else Environment()
