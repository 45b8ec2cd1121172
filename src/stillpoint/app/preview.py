"""Hearing part of a practice: one section, a few lines, or from a line to the end of its section. Prints nothing.

`preview -o` and the studio write a part through the same export, so what the studio plays for a part is the
WAV file `preview -o` writes for it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from stillpoint.app import pipeline
from stillpoint.errors import Setting, UsageError
from stillpoint.language import script as script_language
from stillpoint.language.script import Script
from stillpoint.language.timeline import Pace, Timeline
from stillpoint.output import files
from stillpoint.sound.render import RenderOptions
from stillpoint.voice import Synthesizer


def line_range(text: str) -> tuple[int, int]:
    """'10-20' or '12' -> the first and last line, both 1-based and inclusive."""
    match = re.fullmatch(r"\s*(\d{1,9})\s*(?:-\s*(\d{1,9})\s*)?", text)  # longer numbers are no line numbers
    first, last = (int(match.group(1)), int(match.group(2) or match.group(1))) if match else (0, 0)
    if not 1 <= first <= last:
        raise UsageError("not a range of lines", hint="write it like 10-20, or 12 for one line",
                         setting=Setting("lines", text))
    return first, last


def part(parsed: Script, section: str | None = None, lines: tuple[int, int] | None = None) -> Script:
    """The section titled ``section`` or the cues on ``lines`` of a practice: exactly one of the two."""
    if (section is None) == (lines is None):
        raise UsageError("say which part to preview", hint="give --section NAME or --lines 10-20")
    return script_language.excerpt(parsed, section, lines)


def from_line(parsed: Script, line: int) -> Script:
    """The practice from the cue at or after ``line`` to the end of the section that cue is in."""
    for section in parsed.sections:
        ends = max((cue.line for cue in section.cues), default=0)
        if ends >= line:
            return script_language.excerpt(parsed, lines=(max(line, section.line), ends))
    return script_language.excerpt(parsed, lines=(line, line))  # past the last cue: says where the lines are


def write(part_: Script, pace: Pace, synth: Synthesizer, dest: Path, options: RenderOptions = RenderOptions(),
          force: bool = False, on_progress: pipeline.ProgressCallback = None,
          read: files.Inputs = files.NO_INPUTS) -> tuple[Path, Timeline]:
    """Write a part to ``dest`` (WAV or MP3, by its extension) as an export of that part; returns it and its timing.

    ``read`` are the files the command reads, never to be written over. A part has no sleep ending, which belongs to
    the end of a whole practice, whatever ``pace`` asks.
    """
    settings = pipeline.ExportSettings(dest=dest, force=force, read=read)
    return pipeline.export(part_, replace(pace, sleep=None), synth, settings, options, on_progress)
