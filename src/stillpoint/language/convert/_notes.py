"""What the converters share: the Conversion they return, the notes in it, and the numbers they accept."""

from __future__ import annotations

from dataclasses import dataclass

from stillpoint.errors import Diagnostic
from stillpoint.language.script import MAX_PRACTICE_SECONDS

LARGEST_NUMBER = MAX_PRACTICE_SECONDS  # a number read (a length, a count, a rate's factor) past this is refused
SHOWN = 40  # characters of a value quoted in a note; a longer one is cut


@dataclass(frozen=True)
class Conversion:
    """The converted text and a report: what was mapped to what, what was dropped, by line."""

    text: str
    notes: tuple[Diagnostic, ...] = ()


def note(path: str, line: int, col: int, message: str) -> Diagnostic:
    """A note (not a warning or an error) about what a conversion did at ``line``, ``col`` of ``path``."""
    return Diagnostic(path, line, col, message, severity="note")


def cut(value: str) -> str:
    """A value as shown in a note: its first SHOWN characters, then an ellipsis if there were more."""
    return value if len(value) <= SHOWN else value[:SHOWN] + "\u2026"


def read_number(written: str) -> float | None:
    """The value of a number written in digits; None if it is past LARGEST_NUMBER (or, overflowing, infinite)."""
    value = float(written)
    return value if value <= LARGEST_NUMBER else None
