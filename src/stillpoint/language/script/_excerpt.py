"""A part of a parsed script: one section, or the cues on some lines."""

from __future__ import annotations

import difflib
from dataclasses import replace

from stillpoint.errors import UsageError
from stillpoint.language.script._model import Script, Section, Speech


def excerpt(script: Script, section: str | None = None, lines: tuple[int, int] | None = None) -> Script:
    """Just one section (by title, any case) or the cues on lines ``lines`` of ``script``; no target length, and no
    sleep ending, which belongs to the end of a whole practice."""
    if section is not None:
        parts = (_section_named(script, section),)
    else:
        first, last = lines or (1, 10**9)
        parts = _sections_within(script, first, last)
    return replace(script, meta=replace(script.meta, length=None, sleep=None), sections=parts)


def _section_named(script: Script, name: str) -> Section:
    by_key: dict[str, Section] = {}
    for section in script.sections:
        if section.title:
            by_key.setdefault(section.title.casefold(), section)
    key = name.strip().casefold()
    starting = [title for title in by_key if title.startswith(key)] if key else []
    if key in by_key or len(starting) == 1:
        return by_key[key if key in by_key else starting[0]]
    near = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.5)
    if near:
        hint = f"did you mean '{by_key[near[0]].title}'?"
    else:
        hint = "its sections: " + ", ".join(s.title for s in by_key.values()) if by_key else "use --lines instead"
    raise UsageError(f"{script.path} has no section named '{name}'", hint=hint)


def _sections_within(script: Script, first: int, last: int) -> tuple[Section, ...]:
    parts = []
    for section in script.sections:
        cues = tuple(cue for cue in section.cues if first <= cue.line <= last)
        if cues:
            parts.append(replace(section, cues=cues))
    if not any(isinstance(cue, Speech) for part in parts for cue in part.cues):
        spoken = [speech.line for speech in script.speeches()]
        raise UsageError(f"lines {first}-{last} of {script.path} hold nothing to say",
                         hint=f"its spoken lines run from {spoken[0]} to {spoken[-1]}")
    return tuple(parts)
