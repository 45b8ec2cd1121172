"""Numbers are finite wherever one is read: options, the front matter, markers and the player's saved place.

Every spelling of nan and infinity that Python's float() accepts is refused in one line naming where it was
given; a pause shorter than a millisecond is what `[pause 0s]` is. SSML attributes and the comments `convert`
reads are covered in tests/language/test_convert.py.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from conftest import FAKE_ENGINE
from reliability import bounded, cli_env, fingerprint, refused
from typer.testing import CliRunner

from stillpoint import cli
from stillpoint.app import resume
from stillpoint.errors import ExitStatus

NOT_FINITE = ["nan", "NaN", "-nan", "+NAN", "inf", "-inf", "Infinity", "-infinity", "1e999", "-1e999", " nan "]
PRACTICE = "---\ntitle: Plain\n---\n# Part\nRest here. [pause 5s]\n[soak]\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder with a practice, a cache and nothing else."""
    (tmp_path / "plain.txt").write_text(PRACTICE, encoding="utf-8")
    return tmp_path


# (arguments, the option named in the error); {practice} is the practice's path
OPTIONS = {
    "export --loudness": (("export", "{practice}", "-o", "out.mp3", "--loudness", "nan"), "--loudness"),
    "export --bell-volume": (("export", "{practice}", "-o", "out.mp3", "--bell-volume", "nan"), "--bell-volume"),
    "export --ambience-volume": (("export", "{practice}", "-o", "out.mp3", "--ambience", "rain",
                                  "--ambience-volume", "nan"), "--ambience-volume"),
    "play --loudness": (("play", "{practice}", "--loudness", "NaN"), "--loudness"),
    "preview --bell-volume": (("preview", "{practice}", "--lines", "5", "-o", "part.wav", "--bell-volume", "-nan"),
                              "--bell-volume"),
    "export --rate": (("export", "{practice}", "-o", "out.mp3", "--rate", "nan"), "--rate"),
    "export --bitrate": (("export", "{practice}", "-o", "out.mp3", "--bitrate", "inf"), "--bitrate"),
    "plan --length nan": (("plan", "{practice}", "--length", "nan"), "--length"),
    "plan --length 1e999": (("plan", "{practice}", "--length", "1e999"), "--length"),
    "export --length Infinity": (("export", "{practice}", "-o", "out.mp3", "--length", "Infinity"), "--length"),
    "plan --sleep nan": (("plan", "{practice}", "--sleep", "nan"), "--sleep"),
    "export --sleep -inf": (("export", "{practice}", "-o", "out.mp3", "--sleep", "-inf"), "--sleep"),
    "play --sleep 1e999": (("play", "{practice}", "--sleep", "1e999"), "--sleep"),
    "serve --port": (("serve", ".", "--port", "nan"), "--port"),
    "studio --port": (("studio", ".", "--port", "inf", "--no-browser"), "--port"),
}


@pytest.mark.parametrize("case", OPTIONS)
def test_an_option_that_is_no_finite_number_is_refused_in_one_line_naming_it(folder: Path, case: str) -> None:
    args, option = OPTIONS[case]
    before = fingerprint(folder)
    done = bounded(*(arg.format(practice=folder / "plain.txt") for arg in args), env=cli_env(folder / "cache"),
                   cwd=folder)
    refused(done, ExitStatus.USAGE, option)
    assert fingerprint(folder) == before


@pytest.mark.parametrize("option", ["--loudness", "--bell-volume", "--ambience-volume"])
@pytest.mark.parametrize("value", NOT_FINITE)
def test_every_spelling_of_nan_and_infinity_is_refused(fake_engine: Path, small_practice: Path, option: str,
                                                       value: str) -> None:
    result = CliRunner().invoke(cli.app, ["export", str(small_practice), "-o", "out.mp3", option, value])
    assert result.exit_code == ExitStatus.USAGE
    assert len(result.stderr.splitlines()) == 1 and f"'{option}'" in result.stderr
    assert not Path("out.mp3").exists()


@pytest.mark.parametrize("value", ["-40", "-6", "-19.5"])
def test_a_finite_loudness_within_its_range_is_still_taken(fake_engine: Path, small_practice: Path,
                                                           value: str) -> None:
    result = CliRunner().invoke(cli.app, ["export", str(small_practice), "-o", "out.wav", "--loudness", value])
    assert result.exit_code == 0, result.stderr


# (a line of the script, where the error is: line and column)
IN_SCRIPTS = {
    "breath: nan": ("---\nbreath: nan\n---\nRest here.\n", "2:1"),
    "breath: Infinity": ("---\nbreath: Infinity\n---\nRest here.\n", "2:1"),
    "length: inf": ("---\nlength: inf\n---\nRest here. [soak]\n", "2:1"),
    "length: 1e999": ("---\nlength: 1e999\n---\nRest here. [soak]\n", "2:1"),
    "length: -nan": ("---\nlength: -nan\n---\nRest here. [soak]\n", "2:1"),
    "ending: sleep nan": ("---\nending: sleep nan\n---\nRest here.\n", "2:1"),
    "ending: sleep inf": ("---\nending: sleep inf\n---\nRest here.\n", "2:1"),
    "rate: nan": ("---\nrate: nan\n---\nRest here.\n", "2:1"),
    "year: 0000": ("---\nyear: 0000\n---\nRest here.\n", "2:1"),
    "[pause nan]": ("Rest here.\nAnd here. [pause nan]\n", "2:11"),
    "[soak inf]": ("Rest here. [soak inf]\n", "1:12"),
    "[pause 1e999s]": ("Rest here. [pause 1e999s]\n", "1:12"),
    "[pause 9…9s]": ("Rest here. [pause " + "9" * 400 + "s]\n", "1:12"),
    "[breathe nan]": ("Rest here. [breathe nan]\n", "1:12"),
    "<break time=NaN>": ('Rest here. <break time="NaN"/>\n', "1:12"),
    "{breath: inf}": ("# Part {breath: inf}\nRest here.\n", "1:8"),
}


@pytest.mark.parametrize("case", IN_SCRIPTS)
def test_a_number_in_a_script_that_is_no_finite_length_is_an_error_at_its_place(tmp_path: Path, case: str) -> None:
    text, where = IN_SCRIPTS[case]
    practice = tmp_path / "odd.txt"
    practice.write_text(text, encoding="utf-8")
    before = fingerprint(tmp_path)
    done = bounded("export", practice, "-o", tmp_path / "odd.mp3", env=cli_env(tmp_path / "cache"), cwd=tmp_path)
    refused(done, ExitStatus.ERROR, f"{practice}:{where}: error: ")
    assert fingerprint(tmp_path) == before


# (a script with a length in it, a length under a millisecond)
SUB_MILLISECOND = {
    "marker": ("Rest here. [pause {}]\n", "0.5ms"),
    "soak": ("Rest here. [soak {}]\n", "0.0009s"),
    "ssml break": ('Rest here. <break time="{}"/>\n', "0.1ms"),
    "breath": ("---\nbreath: {}\n---\nRest here.\n", "0.9ms"),
    "section breath": ("# A {{breath: {}}}\nRest.\n", "0.4ms"),
}


@pytest.mark.parametrize("case", SUB_MILLISECOND)
def test_a_length_under_a_millisecond_in_a_script_is_what_a_length_of_0_is(tmp_path: Path, case: str) -> None:
    text, value = SUB_MILLISECOND[case]
    practice, found = tmp_path / "short.txt", {}
    for length in (value, "0s"):
        practice.write_text(text.format(length), encoding="utf-8")
        done = bounded("plan", practice, env=cli_env(tmp_path / "cache"), cwd=tmp_path)
        found[length] = refused(done, ExitStatus.ERROR, f"{practice}:")
    assert found[value] == re.sub(r"\b0s\b", value, found["0s"])


def test_a_length_under_a_millisecond_on_the_command_line_is_what_a_length_of_0_is(folder: Path) -> None:
    short, zero = (bounded("plan", folder / "plain.txt", "--length", value, env=cli_env(folder / "cache"))
                   for value in ("0.4ms", "0s"))
    assert refused(short, ExitStatus.USAGE) == refused(zero, ExitStatus.USAGE) == "error: --length must be longer than 0"


def test_a_millisecond_is_a_pause(folder: Path) -> None:
    (folder / "plain.txt").write_text("Rest here. [pause 1ms]\n", encoding="utf-8")
    done = bounded("plan", folder / "plain.txt", "--json", env=cli_env(folder / "cache"))
    assert done.returncode == 0, done.stderr
    assert [e["duration"] for e in json.loads(done.stdout)["events"] if e["kind"] == "pause"] == [0.001]


# ---------------------------------------------------------------- the player's saved place

DAMAGED = {
    "nested too deep": "[" * 60_000,
    "nan seconds": '{"section": "Part", "number": 1, "seconds": NaN}',
    "infinite seconds": '{"section": "Part", "number": 1, "seconds": 1e999}',
    "negative seconds": '{"section": "Part", "number": 1, "seconds": -Infinity}',
    "infinite number": '{"section": "Part", "number": 1e999, "seconds": 3}',
    "a 5000-digit number": '{"section": "Part", "number": ' + "9" * 5000 + ', "seconds": 3}',
    "wrong types": '{"section": ["Part"], "number": "1", "seconds": "3"}',
    "not an object": '"Part"',
    "not text": "\udcff\udcfe",
}


@pytest.mark.parametrize("damage", DAMAGED)
def test_a_damaged_saved_place_is_ignored_and_play_starts_at_the_beginning(tmp_path: Path, damage: str) -> None:
    practice, state, capture = tmp_path / "tiny.txt", tmp_path / "state", tmp_path / "capture.raw"
    practice.write_text("# Part\nRest.\n", encoding="utf-8")
    conf = tmp_path / "asound.conf"
    conf.write_text(f'pcm.!default {{ type file; slave.pcm "null"; file "{capture}"; format "raw" }}\n')
    env = {**cli_env(tmp_path / "cache", FAKE_ENGINE), "STILLPOINT_STATE": str(state),
           "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{conf}"}
    saved = _saved_place(practice, state)
    saved.write_bytes(os.fsencode(DAMAGED[damage]) if damage == "not text" else DAMAGED[damage].encode())
    done = bounded("play", practice, "--resume", "--no-ui", "--no-bells", env=env, cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert "starting at the beginning" in done.stdout and capture.stat().st_size > 0
    assert not saved.exists()  # heard to the end: the damaged place is gone with it


def _saved_place(practice: Path, state: Path) -> Path:
    """Where the state folder ``state`` keeps the place ``practice`` stopped at."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STILLPOINT_STATE", str(state))
        path = resume.state_file(str(practice))
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
