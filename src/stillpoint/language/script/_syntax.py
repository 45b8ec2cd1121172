"""The words of the script language: its markers, settings and break strengths, quoting, and what a value may hold."""

from __future__ import annotations

import difflib
import re

MARKER_WORDS = ("pause", "breathe", "soak", "bell", "clip", "recorded")
SOUND_MARKERS = ("clip", "recorded")  # markers naming a sound file, relative to the script's folder
BREAK_STRENGTHS = {"none": 0.0, "x-weak": 0.25, "weak": 0.5, "medium": 1.0, "strong": 2.0, "x-strong": 4.0}
SCALAR_KEYS = ("title", "author", "source", "description", "content-note", "tags", "voice", "rate", "breath",
               "breath-cue", "length", "year", "ending")
TABLE_KEYS = ("vars", "pronounce")
SECTION_KEYS = ("voice", "rate", "breath", "breath-cue")
BREATH_CUES = ("none", "tone", "swell")  # what is heard through [breathe]: silence, a soft tone, the bed rising


def cue_problem(value: str) -> tuple[str, str] | None:
    """Why ``value`` is no breath cue, and what to write instead; None when it is one."""
    if value.strip().lower() in BREATH_CUES:
        return None
    near = suggest(value.strip(), BREATH_CUES)
    choices = "choose " + ", ".join(BREATH_CUES[:-1]) + " or " + BREATH_CUES[-1]
    return f"'{value.strip()}' is not a breath cue", (f"did you mean {near}? " if near else "") + choices


def value_problem(value: str) -> str | None:
    """Why ``value`` cannot be a variable's value, which is spoken as plain words: markup or a line break in it."""
    found = _NOT_IN_VALUES.search(value)
    if found is None:
        return None
    char = found.group()
    if char in "\r\n":
        return "holds a line break"
    if char in "[]{}<>":
        return f"holds '{char}', which a script reads as markup"
    return f"holds a control character (U+{ord(char):04X})"


VALUE_HINT = "a value is spoken as plain words: write markers and pauses in the script itself"
_NOT_IN_VALUES = re.compile(r"[\[\]{}<>\x00-\x08\x0a-\x1f\x7f]")


def split_lines(text: str) -> list[str]:
    """The lines of a script's text, whatever its line ends (\\n, \\r\\n or \\r)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def suggest(word: str, choices: tuple[str, ...] | list[str]) -> str | None:
    """The one of ``choices`` closest to a mistyped ``word``, if one is close enough to name."""
    close = difflib.get_close_matches(word.lower(), choices, n=1, cutoff=0.6)
    return close[0] if close else None


def unquote(value: str) -> str:
    """A setting's value without the quotes around it, if it has a matching pair."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value
