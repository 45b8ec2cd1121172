"""Silence is streamed, markers last 24 hours at most, and a file holds what its format can: real commands, bounded.

Once, 24 one-hour soaks in a row took 1.4 GB (the MP3 writer held the whole silence back until sound followed),
breaths and markers made practices of any length, and a WAV file over 4 GiB ended in a struct.error traceback.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import mutagen.mp3
import pytest
from reliability import MEMORY, SECONDS, bounded, cli_env, fingerprint, refused

from stillpoint.audio import SAMPLE_RATE
from stillpoint.output.export import PART_SUFFIX

TIGHT = 300 * 2**20  # address space: an export needs about 200 MB of it, whatever the length of its silences
HOURS = 23
OLD = b"last week's export, which must survive\n"
# Practices whose markers pass the 24 hours they may last in all (by breath lengths and counts, or by many
# markers), and the line where they do.
TOO_LONG = {
    "soaks": ("# Night\nRest here.\n" + "[soak 1h]" * 25 + "\nCome back.\n", 3),
    "breaths": ("---\nbreath: 1h\n---\n[breathe 30]\nRest here.\n", 4),
    "section breath": ("# Night {breath: 1h}\nRest here.\n[breathe 30]\nCome back.\n", 3),
    "markers": ("# Night\nRest here.\n" + "[pause 1h]\n" * 30, 26),
}


def left_alone(folder: Path, before: dict[str, str], written: str = "") -> None:
    """Nothing in ``folder`` changed but the file ``written`` (if named), and no part file was left."""
    after = fingerprint(folder)
    assert (not written or after.pop(written)) and after == before
    assert not list(folder.glob(f"*{PART_SUFFIX}"))


@pytest.mark.slow
def test_a_day_of_silence_is_exported_within_the_memory_of_a_minute(tmp_path: Path) -> None:
    source, dest = tmp_path / "night.txt", tmp_path / "night.mp3"
    source.write_text("# Night\nRest here.\n" + "[soak 1h]" * HOURS + "\nCome back.\n", encoding="utf-8")
    before = fingerprint(tmp_path)
    done = bounded("export", source, "-o", dest, "--quiet", env=cli_env(tmp_path / "cache"), cwd=tmp_path,
                   memory=TIGHT, timeout=300)
    assert done.returncode == 0 and done.stderr == "", done.stderr[-2000:]
    assert mutagen.mp3.MP3(dest).info.length > HOURS * 3600
    left_alone(tmp_path, before, written=dest.name)


@pytest.mark.parametrize("case", TOO_LONG)
@pytest.mark.parametrize("command", ["plan", "export"])
def test_a_practice_past_the_ceiling_is_refused_at_the_line_that_passes_it(tmp_path: Path, case: str,
                                                                         command: str) -> None:
    text, line = TOO_LONG[case]
    source, dest = tmp_path / "night.txt", tmp_path / "night.mp3"
    source.write_text(text, encoding="utf-8")
    dest.write_bytes(OLD)
    before = fingerprint(tmp_path)
    extra = ("-o", dest, "--force") if command == "export" else ()
    done = bounded(command, source, *extra, env=cli_env(tmp_path / "cache"), cwd=tmp_path)
    refused(done, 1, f"{source}:{line}:", "pauses, breaths and soaks pass 24 hours")
    left_alone(tmp_path, before)


def shrunk(*args: str | Path, seconds: float, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """stillpoint run bounded as ``bounded`` runs it, with every format holding only ``seconds`` of audio.

    The ceiling of a practice keeps real exports under what WAV and MP3 can hold; writing 4 GiB to reach it
    would take minutes of a test's time, so the formats are made small instead.
    """
    prelude = ("from stillpoint.output import export\n"
               f"export.capacity = lambda fmt, bitrate: {int(seconds * SAMPLE_RATE)}\n"
               "import runpy\nrunpy.run_module('stillpoint', run_name='__main__', alter_sys=True)\n")
    return subprocess.run([sys.executable, "-c", prelude, *map(str, args)], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=SECONDS, stdin=subprocess.DEVNULL,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY)))


@pytest.mark.parametrize(("suffix", "kind"), [("wav", "a WAV file"), ("mp3", "an MP3 file at 64 kbps")])
def test_a_track_longer_than_its_format_holds_is_refused_in_one_line(tmp_path: Path, suffix: str, kind: str) -> None:
    source, dest = tmp_path / "night.txt", tmp_path / f"night.{suffix}"
    source.write_text("# Night\nRest here.\n[soak 2m]\nCome back.\n", encoding="utf-8")
    dest.write_bytes(OLD)
    before = fingerprint(tmp_path)
    done = shrunk("export", source, "-o", dest, "--force", seconds=60, env=cli_env(tmp_path / "cache"),
                  cwd=tmp_path)
    refused(done, 1, str(dest), f"is longer than {kind} can hold")
    left_alone(tmp_path, before)
