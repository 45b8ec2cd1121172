"""Single key presses from a POSIX terminal (Linux, macOS): the only part of the player that needs one.

A thread reads the terminal in cbreak mode (each key at once, unechoed, Ctrl-C still interrupting) and turns keys
into the player's commands. Ctrl-Z gives the terminal back before the process stops; `fg` takes single keys again.
"""

from __future__ import annotations

import contextlib
import os
import queue
import select
import signal
import sys
import termios
import threading
import tty

from stillpoint.listen.commands import BACK, FORWARD, LOUDER, NEXT, PREVIOUS, QUIT, SOFTER, TOGGLE, WAIT
from stillpoint.listen.screen import terminal

KEYS = {
    b" ": TOGGLE, b"n": NEXT, b"N": NEXT, b"p": PREVIOUS, b"P": PREVIOUS,
    b"\x1b[C": FORWARD, b"\x1bOC": FORWARD, b"\x1b[D": BACK, b"\x1bOD": BACK,
    b"+": LOUDER, b"=": LOUDER, b"-": SOFTER, b"_": SOFTER, b"q": QUIT, b"Q": QUIT,
}


def _in_background(fd: int) -> bool:
    """Whether a job-control shell has put this process in the background of terminal ``fd``.

    Changing a terminal's mode from its background would stop the process (SIGTTOU). A terminal that is not
    the process's controlling one (after setsid, say) has no foreground to be in, and is ours to use.
    """
    try:
        return os.tcgetpgrp(fd) != os.getpgrp()
    except OSError:
        return False


def split_keys(data: bytes) -> list[bytes]:
    """Bytes read from a terminal, split into keys (an arrow key is a three-byte escape sequence)."""
    keys, at = [], 0
    while at < len(data):
        size = 3 if data[at:at + 1] == b"\x1b" and data[at + 1:at + 2] in (b"[", b"O") else 1
        keys.append(data[at:at + size])
        at += size
    return keys


class Keys:
    """Single key presses from a terminal, read by a thread while the terminal is in cbreak mode."""

    def __init__(self, fd: int | None = None):
        self._fd = fd
        self._saved: list | None = None
        self._handlers: dict[int, object] = {}
        self._pressed: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_stdin(cls) -> Keys:
        """Keys from standard input if it is a terminal we are not in the background of; none if piped or closed."""
        fd = terminal(sys.stdin)
        return cls(fd if fd is not None and not _in_background(fd) else None)

    @property
    def active(self) -> bool:
        """Whether keys are read at all."""
        return self._fd is not None

    def __enter__(self) -> Keys:
        if self._fd is not None:
            self._saved = termios.tcgetattr(self._fd)
            tty.setcbreak(self._fd)  # each key arrives at once, unechoed; Ctrl-C still interrupts
            self._follow_job_control()
            self._thread = threading.Thread(target=self._read, name="stillpoint-keys", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        for number, handler in self._handlers.items():
            signal.signal(number, handler)
        self._restore_terminal()

    def _follow_job_control(self) -> None:
        """On Ctrl-Z give the terminal back before stopping; on `fg` take single keys again."""
        if threading.current_thread() is threading.main_thread():  # only it may handle signals
            self._handlers = {signal.SIGTSTP: signal.signal(signal.SIGTSTP, self._suspend),
                              signal.SIGCONT: signal.signal(signal.SIGCONT, self._resume)}

    def _suspend(self, number: int, _frame: object) -> None:
        """Ctrl-Z: leave the terminal as it was found, stop as usual, and read single keys again when continued."""
        self._restore_terminal()
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)  # stops here; the kernel drops it where no shell could continue the job
        signal.signal(number, self._suspend)
        self._resume()

    def _resume(self, *_: object) -> None:
        """Continued: single keys again, if the terminal is ours (after `bg` it is the shell's)."""
        with contextlib.suppress(termios.error):
            if not _in_background(self._fd):
                tty.setcbreak(self._fd)

    def _restore_terminal(self) -> None:
        """Put the terminal's mode back as it was before the keys were read."""
        if self._saved is not None:
            with contextlib.suppress(termios.error):
                termios.tcsetattr(self._fd, termios.TCSADRAIN, self._saved)

    def pressed(self) -> list[str]:
        """The commands of the keys pressed since the last call, in order."""
        found = []
        with contextlib.suppress(queue.Empty):
            while True:
                found.append(self._pressed.get_nowait())
        return found

    def _read(self) -> None:
        """Turn key presses into commands until stopped or the terminal goes away."""
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self._fd], [], [], 2 * WAIT)
                data = os.read(self._fd, 64) if ready else b""
            except OSError:
                return
            if ready and not data:
                return
            for key in split_keys(data):
                if key in KEYS:
                    self._pressed.put(KEYS[key])
