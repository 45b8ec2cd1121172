"""The starting point for a new practice: a commented template, or a copy of an existing practice."""

from __future__ import annotations

import os
import re
from pathlib import Path
from string import Template

from stillpoint.errors import UsageError
from stillpoint.language import script as script_language

TEMPLATE = Template("""\
---
title: $title
// Your name, and the teacher or book this practice is adapted from, if any.
author:
source:
description: One or two sentences a listener reads before choosing this practice.
// If it speaks of something that can be hard to hear (death, abuse, violence), say so before they choose:
// content-note: this practice speaks of the death of a parent
tags: calm, breath
// The voice (`stillpoint voices` lists them all; a language such as `french` works too), its speaking
// rate in words per minute, and one breath for [breathe]: a length (in and out evenly), or the seconds
// of each phase, like 4-6 (in, out) or 4-7-8 (in, hold, out).
voice: heart
rate: 120
breath: 8s
// What is heard through each breath: none (silence), tone (a soft tone that rises and falls with it), or
// swell (the ambience does, when played with --ambience).
breath-cue: none
// Variables: write {friend} in the text; `--set friend="my sister"` replaces the default given here.
vars:
  friend: someone who cares about you
// How to say words the voice gets wrong: the word, then how it sounds.
pronounce:
  metta: MET-tah
---
// Lines starting with // are notes for you; they are never spoken.
// Check the script as you write:  stillpoint check $file
// Hear one section:               stillpoint preview $file --section Arriving

// A heading starts a section, which becomes a chapter in the MP3.
# Arriving
Find a comfortable position, and let your body be supported.
// [pause] is a silence of 5 seconds.
[pause]
Let your eyes close, or rest your gaze softly on the floor.
// Give a pause its own length: [pause 8s], [pause 1m30s], [pause 500ms].
[pause 8s]
Notice your breathing, without changing it.
// [breathe 3] waits for three breaths of the length set by breath: above.
[breathe 3]

// Settings in braces change the voice, rate or breath for this section only.
# Resting {rate: 110}
Now bring to mind {friend}, and the simple wish of metta.
May you be safe. May you be at ease.
// [soak] is a long silence for taking something in: 30 seconds, or the length you give it.
[soak 45s]
When you are ready, open your eyes.
// [bell] rings a bell. One also rings at the very start, and at the end unless the script ends with one.
[bell]
""")


def script_file(name: str) -> Path:
    """The file a practice called ``name`` is written to: NAME.txt, wherever NAME points."""
    path = Path(name).expanduser()
    if not re.search(r"\w", readable(path.stem)):
        raise UsageError(f"'{readable(name)}' is not a usable practice name",
                         hint="for example: stillpoint new evening-calm")
    return path if path.suffix == ".txt" else path.with_name(path.name + ".txt")


def starting_text(dest: Path, practice: Path | None = None) -> str:
    """The text of ``practice`` to adapt, or else the commented template titled after ``dest``."""
    if practice is not None:
        return script_language.read(practice)
    title = " ".join(re.split(r"[-_\s]+", readable(dest.stem))).strip().title()
    return TEMPLATE.substitute(title=title, file=readable(dest.name))


def readable(name: str) -> str:
    """A file name as text: the bytes of a name that is not UTF-8 (lone surrogates in Python) as \ufffd."""
    return os.fsencode(name).decode("utf-8", "replace")
