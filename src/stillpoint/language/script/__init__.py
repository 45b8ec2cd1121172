"""The practice-script language: text -> Script, with every error's file, line and column. Pure.

One job per module, each importing only those before it in this list; everything a caller needs is here:
``_model`` the data (Script, Section, Speech, Marker, Meta, Settings, the defaults), ``_numbers`` lengths of time
and rates as written, ``_syntax`` the words of the language (markers, keys, quoting, what a value may hold),
``_front`` the front matter, ``_body`` sections and cues with their positions, ``_parse`` text -> Script,
``_file`` a file's bytes -> text, ``_excerpt`` a section or some lines of a Script.
"""

from __future__ import annotations

from stillpoint.language.script._body import EXPANSION_FACTOR, EXPANSION_FLOOR
from stillpoint.language.script._excerpt import excerpt
from stillpoint.language.script._file import decode, load, read
from stillpoint.language.script._front import body_start
from stillpoint.language.script._model import (DEFAULT_BREATH, DEFAULT_RATE, DEFAULT_VOICE, NO_CUE, Marker, Meta,
                                               Script, Section, Settings, Speech)
from stillpoint.language.script._numbers import (BREATH_HINT, MAX_PRACTICE_SECONDS, MAX_SECONDS, RATE_RANGE,
                                                 SHORTEST_SECONDS, format_breath, format_duration, parse_breath,
                                                 parse_duration, parse_length, parse_sleep)
from stillpoint.language.script._parse import MAX_ERRORS, parse, variables
from stillpoint.language.script._syntax import (BREAK_STRENGTHS, BREATH_CUES, MARKER_WORDS, SCALAR_KEYS, SECTION_KEYS,
                                                TABLE_KEYS, VALUE_HINT, cue_problem, split_lines, value_problem)

__all__ = [
    "BREAK_STRENGTHS", "BREATH_CUES", "BREATH_HINT", "DEFAULT_BREATH", "DEFAULT_RATE", "DEFAULT_VOICE",
    "EXPANSION_FACTOR", "EXPANSION_FLOOR", "MARKER_WORDS", "MAX_ERRORS", "MAX_PRACTICE_SECONDS", "MAX_SECONDS",
    "NO_CUE", "RATE_RANGE", "SCALAR_KEYS", "SECTION_KEYS", "SHORTEST_SECONDS", "TABLE_KEYS", "VALUE_HINT", "Marker",
    "Meta", "Script", "Section", "Settings", "Speech", "body_start", "cue_problem", "decode", "excerpt",
    "format_breath", "format_duration", "load", "parse", "parse_breath", "parse_duration", "parse_length",
    "parse_sleep", "read", "split_lines", "value_problem", "variables",
]
