"""Errors a user can cause, each carrying where it applies and what to do."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import IntEnum

MAX_FINDINGS = 100  # errors or notes shown for one file: a pasted binary can cause millions
SHOWN_CHARS = 200  # of each part of a message (path, message, hint): a value from a file may be megabytes long
# What must not reach a terminal as it is: control characters but the tab (ESC starts its escape sequences), the
# line and paragraph separators, and the lone surrogates that stand for bytes of a file name that are not UTF-8.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def printable(text: str, longest: int = 0) -> str:
    """``text`` as it may be shown on a terminal: control characters escaped as Python writes them (``\\x1b``),
    and, past ``longest`` characters (if given), cut in the middle with an ellipsis."""
    shown = _UNPRINTABLE.sub(lambda found: found.group().encode("unicode_escape").decode("ascii"), text)
    if longest and len(shown) > longest:
        head = (longest - 1) // 2
        shown = f"{shown[:head]}…{shown[len(shown) - (longest - 1 - head):]}"
    return shown


class ExitStatus(IntEnum):
    """How a run of `stillpoint` ended, as its exit code (README lists them)."""

    OK = 0
    ERROR = 1  # a problem: a file, a practice, the sound card, the speech engine
    USAGE = 2  # a command-line option or argument that cannot be used as given
    INTERRUPTED = 130  # 128 + SIGINT: Ctrl-C, or SIGTERM, which ends a run the same way


@dataclass(frozen=True)
class Setting:
    """The choice a message is about, named apart from its words, so that each door names it its own way.

    ``name`` is the setting (``set``, ``voice``, ``length``, ``lines``, ``feed-url``); ``value`` the variable or
    the value given, if the message is about one. The command line words it as its flag (``--set x: …``), the
    studio as its field (``Variable x: …``).
    """

    name: str
    value: str | None = None


@dataclass(frozen=True)
class Fix:
    """A rewrite of part of a text: the characters from (line, col) up to (end_line, end_col), 1-based and the end
    excluded, become ``text`` (an insertion when both ends are the same place)."""

    line: int
    col: int
    end_line: int
    end_col: int
    text: str


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a file: where, how bad, what, what to do, and the rewrite that does it if there is one."""

    path: str
    line: int
    col: int
    message: str
    hint: str = ""
    severity: str = "error"
    code: str = ""
    fix: Fix | None = None
    setting: Setting | None = None

    def __str__(self) -> str:
        """The finding as one line, `path:line:col: error: message (hint)`, each part printable and cut."""
        path, message, hint = (printable(part, SHOWN_CHARS) for part in (self.path, self.message, self.hint))
        where = ":".join(str(part) for part in (path, self.line, self.col) if part)
        text = f"{where}: {self.severity}: {message}" if where else f"{self.severity}: {message}"
        text = f"{text} ({hint})" if hint else text
        return f"{text} [{self.code}]" if self.code else text

    def naming(self, words: Callable[[Setting], str]) -> Diagnostic:
        """The finding with the setting it is about named in front of its message by ``words``, as a door names it
        (``--set x: …``, ``Variable x: …``); itself when it is about none."""
        if self.setting is None:
            return self
        return replace(self, message=f"{words(self.setting)}: {self.message}", setting=None)


class TooManyFindings(Exception):
    """One finding more than MAX_FINDINGS was made where that ends the work (a parse, a check)."""


class Findings(list):
    """Diagnostics in the order found, at most MAX_FINDINGS; the one past that becomes a note saying so.

    With ``stop``, that one raises TooManyFindings; otherwise later ones are left out quietly.
    """

    def __init__(self, noun: str = "errors", stop: bool = True):
        super().__init__()
        self.noun, self.stop = noun, stop

    def append(self, diagnostic: Diagnostic) -> None:
        """Keep ``diagnostic`` while there are fewer than anyone can use; past that, say so once."""
        if len(self) < MAX_FINDINGS:
            return super().append(diagnostic)
        if len(self) == MAX_FINDINGS:
            super().append(self._last_word(diagnostic))
        if self.stop:
            raise TooManyFindings

    def _last_word(self, diagnostic: Diagnostic) -> Diagnostic:
        """The note, at ``diagnostic``'s place, that there were more (it counts as an error where work stops)."""
        message = f"more than {MAX_FINDINGS} {self.noun}; "
        if self.stop:
            return replace(diagnostic, message=message + "checking stopped here",
                           hint=f"fix the {self.noun} above, then check again")
        return replace(diagnostic, message=message + "the rest are left out", hint="", severity="note", code="")

    def extend(self, diagnostics: object) -> None:
        """Append each of ``diagnostics``."""
        for diagnostic in diagnostics:  # type: ignore[attr-defined]
            self.append(diagnostic)


class StillpointError(Exception):
    """Base of every error a user can cause; its text is one line a person can act on."""

    exit_code = ExitStatus.ERROR

    def __init__(self, message: str, *, path: str = "", line: int = 0, col: int = 0, hint: str = "",
                 setting: Setting | None = None):
        self.diagnostic = Diagnostic(path, line, col, message, hint, setting=setting)
        super().__init__(str(self.diagnostic))


class ScriptError(StillpointError):
    """A practice script has one or more errors; all of them are in ``diagnostics``."""

    def __init__(self, diagnostics: list[Diagnostic]):
        first = diagnostics[0]
        super().__init__(first.message, path=first.path, line=first.line, col=first.col, hint=first.hint,
                         setting=first.setting)
        self.diagnostics = list(diagnostics)


class UsageError(StillpointError):
    """A command-line option or argument cannot be used as given."""

    exit_code = ExitStatus.USAGE


class SynthesisError(StillpointError):
    """The speech engine failed on a line of a script."""


class RecordingError(StillpointError):
    """A sound file a script plays ([recorded FILE], [clip FILE]) is missing, unreadable, not sound, or too large."""


class VoiceError(StillpointError):
    """A voice name the engine does not offer."""


class CacheError(StillpointError):
    """The audio cache cannot be used."""


class DestinationError(StillpointError):
    """A file cannot be written where asked: it exists (and --force was not given), or a folder, device, pipe or
    socket stands there."""


class ExportError(StillpointError):
    """An audio file could not be written."""


class PlaybackError(StillpointError):
    """Audio could not be played on this machine."""


class AmbienceError(StillpointError):
    """An ambience sound cannot be made or read."""


class ServeError(StillpointError):
    """The feed cannot be published or served as asked."""
