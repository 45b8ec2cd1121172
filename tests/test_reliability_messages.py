"""Messages that say where and what: an unreachable `length:` at its line, `list` past a bad file, a hint once,
the ambience file named, `year: 0000` at its line, a feed address with spaces refused, and no line of a message
longer than a few hundred characters, however long the value it quotes.

The rest of the messages are in tests/test_reliability_cli.py (test_mistakes_are_reported_as_what_they_are,
test_a_hint_is_shown_once_however_many_errors_share_it).
"""

from __future__ import annotations

import json
import os
import wave
from pathlib import Path

import pytest
from reliability import bounded, cli_env, fifo, fingerprint, refused

from stillpoint.audio import SAMPLE_RATE
from stillpoint.errors import ExitStatus

UNREACHABLE = "---\ntitle: Short\nlength: 1s\n---\n# Part\nRest here. [pause 5s]\n[soak]\n"
LONGEST_LINE = 700  # characters: path, message and hint are each cut to 200


@pytest.mark.parametrize("command", ["plan", "export", "play", "preview"])
def test_a_length_the_practice_cannot_be_fitted_to_is_an_error_at_its_line(tmp_path: Path, command: str) -> None:
    work, practice = tmp_path / "work", tmp_path / "work" / "short.txt"
    work.mkdir()
    practice.write_text(UNREACHABLE, encoding="utf-8")
    device = f'pcm.!default {{ type file; slave.pcm "null"; file "{tmp_path / "capture.raw"}"; format "raw" }}\n'
    (tmp_path / "asound.conf").write_text(device)
    env = {**cli_env(tmp_path / "cache"), "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{tmp_path / 'asound.conf'}"}
    more = {"export": ("-o", work / "short.mp3"), "preview": ("--section", "part", "-o", work / "part.wav")}
    before = fingerprint(work)
    done = bounded(command, practice, *more.get(command, ()), env=env, cwd=work)
    if command == "preview":  # a part is heard at its own length: the practice's length is not its
        assert done.returncode == 0, done.stderr
        return
    refused(done, ExitStatus.ERROR, f"{practice}:3:1: error: length: this practice cannot be fitted to 0:01",
            "choose a length between")
    assert fingerprint(work) == before


def test_check_reports_an_unreachable_length_at_its_line_also_as_json(tmp_path: Path) -> None:
    practice = tmp_path / "short.txt"
    practice.write_text(UNREACHABLE, encoding="utf-8")
    plain = bounded("check", practice, env=cli_env(tmp_path / "cache"), cwd=tmp_path)
    assert plain.returncode == ExitStatus.ERROR
    assert plain.stderr.startswith(f"{practice}:3:1: error: length: this practice cannot be fitted to 0:01")
    assert f"{practice}: 1 error (1 section, about " in plain.stdout
    as_json = bounded("check", practice, "--json", env=cli_env(tmp_path / "cache"), cwd=tmp_path)
    assert as_json.returncode == ExitStatus.ERROR and as_json.stderr == ""
    found = json.loads(as_json.stdout)["files"][0]["diagnostics"][0]
    assert (found["line"], found["severity"], found["rule"]) == (3, "error", "length")


def test_list_goes_on_past_files_it_cannot_use_and_says_why_once(tmp_path: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    (library / "a-good.txt").write_text("---\ntitle: Good\n---\nRest here.\n", encoding="utf-8")
    (library / "b-short.txt").write_text(UNREACHABLE, encoding="utf-8")
    (library / "c-binary.txt").write_bytes(b"\x00\x01\x02")
    (library / "d-rate.txt").write_text("---\nrate: fast\n---\nRest.\n", encoding="utf-8")
    (library / "e-rate.txt").write_text("---\nrate: slow\n---\nRest.\n", encoding="utf-8")
    fifo(library / "f-pipe.txt")
    (library / "g-folder.txt").mkdir()
    os.symlink(library / "nowhere", library / "h-dangling.txt")
    (library / "z-last.txt").write_text("---\ntitle: Last\n---\nRest here.\n", encoding="utf-8")
    done = bounded("list", env={**cli_env(tmp_path / "cache"), "STILLPOINT_PATH": str(library)}, cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines()}
    assert "Good" in lines["a-good"] and "Last" in lines["z-last"]
    for name in ("b-short", "c-binary", "d-rate", "e-rate", "f-pipe", "h-dangling"):
        assert "(cannot be read: " in lines[name], lines
    assert "3:1: error: length: this practice cannot be fitted" in lines["b-short"]
    assert "is a pipe (FIFO)" in lines["f-pipe"]
    assert done.stdout.count("give words per minute") == 1  # the hint shared by d-rate and e-rate


def test_an_ambience_file_too_short_to_loop_is_named(tmp_path: Path) -> None:
    practice, bed = tmp_path / "calm.txt", tmp_path / "blip.wav"
    practice.write_text("Rest here.\n", encoding="utf-8")
    with wave.open(str(bed), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(b"\x10\x00" * (SAMPLE_RATE // 10))
    before = fingerprint(tmp_path)
    done = bounded("export", practice, "--ambience", bed, "-o", tmp_path / "calm.mp3", env=cli_env(tmp_path / "cache"))
    refused(done, ExitStatus.ERROR, f"{bed}: error: is too short to loop")
    assert fingerprint(tmp_path) == before


@pytest.mark.parametrize("url", ["https://example.org/my calm/", "https://example.org/calm/feed.xml ",
                                 "https://example.org/\tcalm/", "https://exa mple.org/calm/"])
def test_a_feed_address_holding_a_space_is_refused_before_any_work(tmp_path: Path, url: str) -> None:
    for name in ("one", "two"):
        (tmp_path / f"{name}.txt").write_text(f"---\ntitle: {name}\n---\nRest here.\n", encoding="utf-8")
    before = fingerprint(tmp_path)
    done = bounded("export", tmp_path / "one.txt", tmp_path / "two.txt", "-o", tmp_path / "site", "--feed-url", url,
                   env=cli_env(tmp_path / "cache"), cwd=tmp_path)
    refused(done, ExitStatus.USAGE, "--feed-url", "cannot stand in an address", "%20")
    assert fingerprint(tmp_path) == before


def test_a_year_of_0000_is_an_error_at_its_line(tmp_path: Path) -> None:
    practice = tmp_path / "old.txt"
    practice.write_text("---\ntitle: Old\nyear: 0000\n---\nRest here.\n", encoding="utf-8")
    done = bounded("export", practice, "-o", tmp_path / "old.mp3", env=cli_env(tmp_path / "cache"), cwd=tmp_path)
    refused(done, ExitStatus.ERROR, f"{practice}:3:1: error: year '0000' is not a year")
    assert not (tmp_path / "old.mp3").exists()


HUGE = "x" * 100_000
# case: (arguments, the script's text); every one quotes a value of 100,000 characters
LONG_VALUES = {
    "an unknown marker": (("plan", "{practice}"), f"Rest here. [{HUGE}]\n"),
    "an unknown setting": (("plan", "{practice}"), f"---\n{HUGE}: 1\n---\nRest here.\n"),
    "a length that is no length": (("plan", "{practice}"), f"Rest here. [pause {HUGE}]\n"),
    "a --set of no variable": (("plan", "{practice}", "--set", f"{HUGE}=1"), "Rest here.\n"),
    "a voice": (("plan", "{practice}", "--voice", HUGE[:5000]), "Rest here.\n"),
    "a feed address": (("export", "{practice}", "benefactor", "-o", "site", "--feed-url", f"https://{HUGE}/ x"),
                       "Rest here.\n"),
    "a section": (("preview", "{practice}", "--section", HUGE), "# Part\nRest here.\n"),
}


@pytest.mark.parametrize("case", LONG_VALUES)
def test_no_line_of_a_message_is_longer_than_a_few_hundred_characters(tmp_path: Path, case: str) -> None:
    args, text = LONG_VALUES[case]
    practice = tmp_path / "long.txt"
    practice.write_text(text, encoding="utf-8")
    done = bounded(*(arg.format(practice=practice) for arg in args), env=cli_env(tmp_path / "cache"), cwd=tmp_path)
    assert done.returncode in (ExitStatus.ERROR, ExitStatus.USAGE) and "Traceback" not in done.stderr, done.stderr[:500]
    lines = done.stderr.splitlines()
    assert lines and all(len(line) <= LONGEST_LINE for line in lines), [len(line) for line in lines]
    assert "…" in done.stderr
