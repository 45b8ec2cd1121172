"""Informal -> script: cues marked up by hand, (pause), [long pause], (pause 10 seconds), ..., as markers."""

from __future__ import annotations

import re

from stillpoint.errors import Diagnostic, Findings
from stillpoint.language.convert._notes import LARGEST_NUMBER, Conversion, cut, note, read_number
from stillpoint.language.script import MARKER_WORDS, body_start, format_duration, split_lines
from stillpoint.language.timeline import PAUSE

_GROUP = re.compile(r"([(\[])([^()\[\]]*)([)\]])")
_TRAILING_DOTS = re.compile(r"(?<=\S)\s*(\.\.\.|\u2026)\s*$")
_ALONE_DOTS = re.compile(r"\.\s*\.\s*\.|\u2026")
NUMBER_WORDS = dict(zip(
    "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty sixty ninety "
    "few several".split(),
    (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 20, 30, 40, 50, 60, 90, 3, 3),
))
UNITS = {"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "m": 60, "min": 60, "mins": 60, "minute": 60,
         "minutes": 60}
BELL_WORDS = {"bell", "bells", "gong", "chime"}
BREATH_WORDS = {"breath", "breaths", "breathe", "breathing"}
SILENCE_WORDS = {"silence", "silent"}
NOT_NUMBERS = {"nan", "inf", "infinity"}  # read as numbers by Python, never as a length or a count
CUE_WORDS = {"pause", "pauses", "pausing", "rest", "wait"} | BELL_WORDS | BREATH_WORDS | SILENCE_WORDS
FILLER_WORDS = {"long", "longer", "short", "brief", "little", "very", "deep", "slow", "full", "ring", "sound", "for",
                "about", "around", "approximately", "roughly", "some", "of", "a", "an", "the", "take", "here", "now",
                "moment", "and", "or", "to", "in", "out"}
INFORMAL_LENGTHS = {"short": "[pause 3s]", "long": "[pause 15s]", "very long": "[pause 30s]", "silence": "[soak]",
                    "long silence": "[soak 1m]"}
TRAILING_DOTS_MARKER = "[pause 3s]"


def informal_to_script(text: str, path: str = "<informal>") -> Conversion:
    """A script from text marked up by hand: (pause), [long pause], (pause 10 seconds), ... and so on."""
    lines = split_lines(text)
    start = body_start(lines)
    notes = Findings("notes", stop=False)
    out = lines[:start]
    for index in range(start, len(lines)):
        out.extend(_informal_line(lines[index], index + 1, path, notes))
    return Conversion("\n".join(out), tuple(notes))


def _informal_line(raw: str, lineno: int, path: str, notes: list[Diagnostic]) -> list[str]:
    """The script lines for one informal line; what was mapped goes into ``notes``."""
    stripped = raw.strip()
    if stripped.startswith(("#", "//")):
        return [raw]
    if stripped and _ALONE_DOTS.fullmatch(stripped):
        notes.append(note(path, lineno, raw.index(stripped[0]) + 1, f"'{stripped}' on its own line -> [pause]"))
        return ["[pause]"]
    comments: list[str] = []
    line = _GROUP.sub(lambda match: _informal_group(match, lineno, path, notes, comments), raw)
    line = " ".join(line.split()) if comments else line
    dots = _TRAILING_DOTS.search(line)
    if dots:
        notes.append(note(path, lineno, dots.start(1) + 1,
                           f"'{dots.group(1)}' at the end of a line -> {TRAILING_DOTS_MARKER}"))
        line = f"{line.rstrip()} {TRAILING_DOTS_MARKER}"
    return comments + ([line] if line.strip() or not comments else [])


def _informal_group(match: re.Match[str], lineno: int, path: str, notes: list[Diagnostic], comments: list[str]) -> str:
    """What a (...) or [...] group becomes: a marker, itself, or (an unknown [...]) a comment line."""
    written, col = match.group(0), match.start() + 1
    try:
        marker = informal_marker(match.group(2))
    except ValueError as err:
        notes.append(note(path, lineno, col, f"'{cut(written)}' is not read as a cue: {err}"))
        marker = None
    if marker:
        if marker != written:
            notes.append(note(path, lineno, col, f"'{written}' -> {marker}"))
        return marker
    first_word = (match.group(2).split() or [""])[0].lower()
    if match.group(1) != "[" or first_word in MARKER_WORDS:
        return written
    notes.append(note(path, lineno, col, f"'{written}' is not a cue Stillpoint knows; kept as a comment"))
    comments.append(f"// {written}")
    return ""


def informal_marker(inner: str) -> str | None:
    """The Stillpoint marker for the words of a hand-written cue ('long pause', 'pause 10 seconds'), or None.

    ValueError if a number in it is too large to be a length or a count.
    """
    words = re.findall(r"\d+(?:\.\d+)?|[a-z]+", inner.lower())
    known = CUE_WORDS | FILLER_WORDS | UNITS.keys() | NUMBER_WORDS.keys()
    if CUE_WORDS & set(words) and (not_numbers := NOT_NUMBERS & set(words)):
        raise ValueError(f"{min(not_numbers)} is not a number")
    if not CUE_WORDS & set(words) or any(w not in known and not w[0].isdigit() for w in words):
        return None
    seconds, counts = _amounts(words)
    kind = "soak" if SILENCE_WORDS & set(words) else PAUSE
    if BELL_WORDS & set(words):
        return None if seconds or counts else "[bell]"
    if BREATH_WORDS & set(words) and not seconds:
        count = int(max(counts, default=1))
        return "[breathe]" if count == 1 else f"[breathe {count}]"
    seconds = seconds or max(counts, default=0.0)
    return f"[{kind} {format_duration(seconds)}]" if seconds else _by_length_words(set(words), kind)


def _amounts(words: list[str]) -> tuple[float, list[float]]:
    """Seconds written with units (the larger end of a range), and numbers written without one."""
    seconds, pending = 0.0, []
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        if word[0].isdigit() or word in NUMBER_WORDS:
            pending.append(_counted(word) if word[0].isdigit() else float(NUMBER_WORDS[word]))
        elif word in ("a", "an") and following in UNITS:
            pending.append(1.0)
        elif word in UNITS and pending:
            seconds += max(pending) * UNITS[word]
            pending = []
    return seconds, pending


def _counted(written: str) -> float:
    """A number of a hand-written cue; ValueError if it is past LARGEST_NUMBER."""
    value = read_number(written)
    if value is None:
        raise ValueError(f"{cut(written)} is more than {LARGEST_NUMBER:.0f}")
    return value


def _by_length_words(words: set[str], kind: str) -> str:
    """[pause] or [soak], made shorter or longer by words like 'short', 'long', 'very long'."""
    length = "very long" if {"very", "long"} <= words else "long" if {"long", "longer"} & words else (
        "short" if {"short", "brief", "little"} & words else "")
    key = " ".join(filter(None, [length, "silence" if kind == "soak" else ""]))
    return INFORMAL_LENGTHS.get(key, f"[{kind}]")
