"""Breath patterns and cues given wrongly: one line at their place, in the script or on the command line, and
nothing written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from reliability import bounded, cli_env, fingerprint, refused

from stillpoint.errors import ExitStatus

# (the script, where its error is, words the line holds)
IN_SCRIPTS = {
    "breath: 4-0-8": ("---\nbreath: 4-0-8\n---\nRest. [breathe]\n", "2:1", "phase 2 of '4-0-8' lasts 0 seconds"),
    "breath: 4-7-8-2-1": ("---\nbreath: 4-7-8-2-1\n---\nRest. [breathe]\n", "2:1", "has 5 phases"),
    "breath: 4-nan": ("---\nbreath: 4-nan\n---\nRest. [breathe]\n", "2:1", "not a breath pattern"),
    "breath: 4-1e999": ("---\nbreath: 4-1e999\n---\nRest. [breathe]\n", "2:1", "not a breath pattern"),
    "{breath: 0-6}": ("# Part {breath: 0-6}\nRest. [breathe]\n", "1:8", "phase 1 of '0-6' lasts 0 seconds"),
    "breath-cue: chime": ("---\nbreath-cue: chime\n---\nRest. [breathe]\n", "2:1", "choose none, tone or swell"),
    "{breath-cue: swel}": ("# Part {breath-cue: swel}\nRest. [breathe]\n", "1:8", "did you mean swell?"),
    "breath-cue: swell without an ambience": ("---\nbreath-cue: swell\n---\nRest. [breathe]\n", "2:1",
                                              "swell needs an ambience"),
    "{breath-cue: swell} without an ambience": ("# Part {breath-cue: swell}\nRest. [breathe]\n", "1:1",
                                                "swell needs an ambience"),
    "breaths past the ceiling": ("---\nbreath: 1800-1799\n---\nRest.\n" + "[breathe 100]\n" * 3, "5",
                                 "pass 24 hours"),
}


@pytest.mark.parametrize("case", IN_SCRIPTS)
def test_a_breath_written_wrongly_is_one_error_at_its_place(tmp_path: Path, case: str) -> None:
    text, where, words = IN_SCRIPTS[case]
    practice = tmp_path / "breaths.txt"
    practice.write_text(text, encoding="utf-8")
    before = fingerprint(tmp_path)
    done = bounded("export", practice, "-o", tmp_path / "out.mp3", env=cli_env(tmp_path / "cache"), cwd=tmp_path)
    refused(done, ExitStatus.ERROR, f"{practice}:{where}: error: ", words)
    assert fingerprint(tmp_path) == before


# (the command's words after the practice, the words its one line holds)
OPTIONS = {
    "export --breath-cue chime": (("export", "{practice}", "-o", "out.mp3", "--breath-cue", "chime"),
                                  ("--breath-cue chime", "choose none, tone or swell")),
    "export --breath-cue swell": (("export", "{practice}", "-o", "out.mp3", "--breath-cue", "swell"),
                                  ("--breath-cue swell", "needs an ambience")),
    "preview --breath-cue tones": (("preview", "{practice}", "--lines", "4", "-o", "part.wav", "--breath-cue",
                                    "tones"), ("--breath-cue tones", "did you mean tone?")),
    "play --breath-cue swell": (("play", "{practice}", "--breath-cue", "swell"), ("--breath-cue swell", "ambience")),
}


def test_a_batch_with_a_swell_and_no_ambience_is_refused_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "calm.txt").write_text("Rest. [breathe]\n", encoding="utf-8")
    (tmp_path / "swell.txt").write_text("---\nbreath-cue: swell\n---\nRest. [breathe]\n", encoding="utf-8")
    before = fingerprint(tmp_path)
    done = bounded("export", tmp_path / "calm.txt", tmp_path / "swell.txt", "-o", tmp_path / "out",
                   env=cli_env(tmp_path / "cache"), cwd=tmp_path)
    refused(done, ExitStatus.ERROR, f"{tmp_path / 'swell.txt'}:2:1: error: breath-cue: swell needs an ambience")
    assert fingerprint(tmp_path) == before


@pytest.mark.parametrize("case", OPTIONS)
def test_a_breath_cue_option_that_cannot_be_used_is_refused_in_one_line_naming_it(tmp_path: Path, case: str) -> None:
    args, words = OPTIONS[case]
    practice = tmp_path / "plain.txt"
    practice.write_text("---\nbreath: 4-7-8\n---\nRest here. [breathe 2]\n", encoding="utf-8")
    before = fingerprint(tmp_path)
    done = bounded(*(arg.format(practice=practice) for arg in args), env=cli_env(tmp_path / "cache"), cwd=tmp_path)
    refused(done, ExitStatus.USAGE, *words)
    assert fingerprint(tmp_path) == before
