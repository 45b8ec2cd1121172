"""A recording a script plays that is missing, not sound, too long, too large or no ordinary file: one line at the
script's line, in a bounded run of `export`, `plan` and `check`, and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from takes import take, tone, voice_like

from reliability import MEMORY, bounded, cli_env, fifo, fingerprint, refused
from stillpoint.voice import recording

COMMANDS = {"export": ("export", "{script}", "-o", "{work}/out.mp3"), "plan": ("plan", "{script}"),
            "check": ("check", "{script}")}


def practice(folder: Path, name: str) -> Path:
    """A practice whose second line plays ``name``, from a folder of its own."""
    path = folder / "taken.txt"
    path.write_text(f"Welcome.\nRest here, softly. [recorded {name}]\nGoodbye.\n")
    (folder / "work").mkdir(exist_ok=True)
    return path


def run(folder: Path, command: str, name: str) -> tuple[str, object]:
    """``command`` on the practice playing ``name``, bounded; the line the refusal must start with, and the run."""
    script = practice(folder, name)
    args = [arg.format(script=script, work=folder / "work") for arg in COMMANDS[command]]
    before = fingerprint(folder)
    done = bounded(*args, env=cli_env(folder / "cache"), cwd=folder / "work")
    assert fingerprint(folder) == before  # nothing written: no track, no part file
    return f"{script}:2:20: error: [recorded] '{folder / name}'", done


@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_take_is_one_line_at_its_marker(tmp_path: Path, command: str) -> None:
    where, done = run(tmp_path, command, "taken.recordings/gone.wav")
    assert refused(done, 1, "no such file (check the path)").startswith(where)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("garbage", [b"", b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(500), b"\xff\xfb" + bytes(4000),
                                     b"OggS" + b"\x07" * 3000, b"just some words\n" * 100])
def test_a_take_that_is_no_sound_is_one_line_at_its_marker(tmp_path: Path, command: str, garbage: bytes) -> None:
    (tmp_path / "take.wav").write_bytes(garbage)
    where, done = run(tmp_path, command, "take.wav")
    assert refused(done, 1, "is not a sound file Stillpoint can read (give a WAV, FLAC").startswith(where)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_take_over_the_size_cap_is_refused_without_being_read(tmp_path: Path, command: str) -> None:
    with (tmp_path / "huge.wav").open("wb") as out:
        out.truncate(recording.MAX_BYTES + 1)  # sparse: the size is there, the disk space is not
    where, done = run(tmp_path, command, "huge.wav")
    assert refused(done, 1, "is larger than 100 MB, more than a recording can be").startswith(where)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_take_over_ten_minutes_is_refused(tmp_path: Path, command: str) -> None:
    tone(tmp_path / "long.ogg", 601)
    where, done = run(tmp_path, command, "long.ogg")
    assert refused(done, 1, "lasts 10:01, longer than the 10:00 a recording may").startswith(where)


@pytest.mark.parametrize("command", ["export", "check"])
def test_a_take_that_is_a_pipe_is_refused_at_once(tmp_path: Path, command: str) -> None:
    fifo(tmp_path / "take.wav")
    where, done = run(tmp_path, command, "take.wav")
    assert refused(done, 1, "is a pipe (FIFO), not a recording").startswith(where)


def test_a_take_of_ten_minutes_at_96_khz_is_exported_in_bounded_memory(tmp_path: Path) -> None:
    """Processed once (decoded, filtered, levelled a block at a time), a take of ten minutes needs about 300 MB more
    than an export does; then it comes from the cache."""
    take(tmp_path / "take.flac", voice_like(2.0), "flac", 96000, 2)
    tone(tmp_path / "long.flac", 599, "flac", 96000)
    script = tmp_path / "taken.txt"
    script.write_text("Rest here. [recorded take.flac]\n[clip long.flac]\nGoodbye.\n")
    done = bounded("export", script, "-o", tmp_path / "out.mp3", "--no-bells", env=cli_env(tmp_path / "cache"),
                   cwd=tmp_path, timeout=120, memory=2 * MEMORY)
    assert done.returncode == 0 and done.stderr == "", done.stderr[-2000:]
    assert (tmp_path / "out.mp3").stat().st_size > 1000
