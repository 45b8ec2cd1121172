"""The one environment a command runs in: streams given, or the process's own as they are when asked."""

from __future__ import annotations

import io
import sys

import pytest

from stillpoint.cli.environment import Environment


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_the_process_s_streams_are_read_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    env = Environment()
    swapped = io.StringIO()
    monkeypatch.setattr(sys, "stdout", swapped)
    assert env.output is swapped and not env.stdout_isatty


def test_given_streams_and_terminals_are_the_ones_used() -> None:
    closed = io.StringIO()
    closed.close()
    env = Environment(stdin=closed, stdout=io.StringIO(), stderr=Terminal(), windows=True)
    assert (env.stdin_isatty, env.stdout_isatty, env.stderr_isatty, env.windows) == (False, False, True, True)
