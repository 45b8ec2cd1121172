"""Errors a user can cause, each carrying where it applies and what to do."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a file: where, how bad, what, and what to do."""

    path: str
    line: int
    col: int
    message: str
    hint: str = ""
    severity: str = "error"
    code: str = ""

    def __str__(self) -> str:
        where = ":".join(str(part) for part in (self.path, self.line, self.col) if part)
        text = f"{where}: {self.severity}: {self.message}" if where else f"{self.severity}: {self.message}"
        text = f"{text} ({self.hint})" if self.hint else text
        return f"{text} [{self.code}]" if self.code else text


class StillpointError(Exception):
    """Base of every error a user can cause; its text is one line a person can act on."""

    exit_code = 1

    def __init__(self, message: str, *, path: str = "", line: int = 0, col: int = 0, hint: str = ""):
        self.diagnostic = Diagnostic(path, line, col, message, hint)
        super().__init__(str(self.diagnostic))


class ScriptError(StillpointError):
    """A practice script has one or more errors; all of them are in ``diagnostics``."""

    def __init__(self, diagnostics: list[Diagnostic]):
        first = diagnostics[0]
        super().__init__(first.message, path=first.path, line=first.line, col=first.col, hint=first.hint)
        self.diagnostics = list(diagnostics)


class UsageError(StillpointError):
    """A command-line option or argument cannot be used as given."""

    exit_code = 2


class SynthesisError(StillpointError):
    """The speech engine failed on a line of a script."""


class VoiceError(StillpointError):
    """A voice name the engine does not offer."""


class CacheError(StillpointError):
    """The audio cache cannot be used."""


class ExportError(StillpointError):
    """An audio file could not be written."""


class PlaybackError(StillpointError):
    """Audio could not be played on this machine."""


class AmbienceError(StillpointError):
    """An ambience sound cannot be made or read."""


class ServeError(StillpointError):
    """The feed cannot be published or served as asked."""
