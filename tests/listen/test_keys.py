"""The key reader: single keys from a real pseudo-terminal, turned into the player's commands."""

from __future__ import annotations

import os
import termios
import time

from stillpoint.listen import commands
from stillpoint.listen.keys import Keys, split_keys


def test_an_arrow_key_is_one_key_and_other_bytes_are_one_each() -> None:
    assert split_keys(b"q\x1b[C \x1bOD+") == [b"q", b"\x1b[C", b" ", b"\x1bOD", b"+"]


def test_keys_are_read_one_at_a_time_and_the_terminal_is_restored() -> None:
    master, slave = os.openpty()
    try:
        before = termios.tcgetattr(slave)
        with Keys(slave) as keys:
            during = termios.tcgetattr(slave)
            os.write(master, b"q \x1b[Cn\x1b[D+-x")
            deadline, got = time.monotonic() + 5, []
            while len(got) < 7 and time.monotonic() < deadline:
                got += keys.pressed()
                time.sleep(0.01)
        assert got == [commands.QUIT, commands.TOGGLE, commands.FORWARD, commands.NEXT, commands.BACK,
                       commands.LOUDER, commands.SOFTER]
        assert not during[3] & (termios.ICANON | termios.ECHO)
        assert termios.tcgetattr(slave) == before
    finally:
        os.close(master)
        os.close(slave)
