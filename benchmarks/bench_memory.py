"""Peak memory of `stillpoint export` for a 60-minute against a 10-minute practice, with a warm cache; and of an
export over a three-hour WAV file as ambience against one over generated rain.

Each export runs in a fresh process started by a fresh measuring process, which reports the largest
resident set among the processes it waited for (getrusage RUSAGE_CHILDREN): the export and, if any
were started, its voice workers. The cache is warmed first, so synthesis is not what is measured.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import generated_practice, row, stillpoint

SHORT, LONG = 10, 60
LIMIT = 1.25
AMBIENCE_HOURS = 3  # 48 kHz stereo: 2 GB, all but its first minute sparse on disk
AMBIENCE_LIMIT = 2.5  # only its first ten minutes are decoded: a 50 MB loop over what rain takes
MEASURE = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def peak_kib(command: list[str]) -> int:
    """Largest resident set, in KiB, of ``command`` run to completion in a fresh process."""
    done = subprocess.run([sys.executable, "-c", MEASURE, *command], check=True, capture_output=True, text=True)
    return int(done.stdout.split()[-1])


def _export(practice: Path, cache: Path, dest: Path) -> list[str]:
    """The export command for one practice."""
    return stillpoint("export", practice, "-o", dest, "--force", "--quiet", "--cache-dir", cache)


def long_wav(path: Path, hours: float, rate: int = 48000) -> Path:
    """A 16-bit stereo WAV file ``hours`` long: a minute of a rising tone, then silence left as a hole in the file."""
    size = int(hours * 3600 * rate) * 4
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + size, b"WAVE", b"fmt ", 16, 1, 2, rate, rate * 4, 4, 16,
                         b"data", size)
    with path.open("wb") as out:
        out.write(header + b"".join(struct.pack("<hh", n % 2000 - 1000, n % 2000 - 1000) for n in range(60 * rate)))
        out.truncate(len(header) + size)
    return path


def ambience_row(folder: Path, practice: Path) -> dict:
    """The peak of an export over the long WAV file against one over rain."""
    bed = long_wav(folder / "night.wav", AMBIENCE_HOURS)
    peaks = {spec: peak_kib([*_export(practice, folder / "cache", folder / "bed.mp3"), "--ambience", str(spec)])
             for spec in ("rain", bed)}
    share = peaks[bed] / peaks["rain"]
    measured = f"{peaks[bed] / 1024:.0f} MB vs {peaks['rain'] / 1024:.0f} MB = {share:.2f}x"
    return row(f"peak memory: {AMBIENCE_HOURS}-hour WAV ambience vs rain", measured, f"<= {AMBIENCE_LIMIT}x",
               share <= AMBIENCE_LIMIT)


def run() -> list[dict]:
    """Two rows: the ratio of the two practices' peaks, and of the two ambiences', with the peaks in MB."""
    with tempfile.TemporaryDirectory(prefix="stillpoint-bench-") as name:
        folder = Path(name)
        practices = {}
        for minutes in (SHORT, LONG):
            practices[minutes] = folder / f"practice-{minutes}.txt"
            practices[minutes].write_text(generated_practice(minutes), encoding="utf-8")
        subprocess.run(_export(practices[SHORT], folder / "cache", folder / "warm-up.mp3"), check=True)
        peaks = {minutes: peak_kib(_export(path, folder / "cache", folder / f"{minutes}.mp3"))
                 for minutes, path in practices.items()}
        bed = ambience_row(folder, practices[SHORT])
    share = peaks[LONG] / peaks[SHORT]
    measured = f"{peaks[LONG] / 1024:.0f} MB vs {peaks[SHORT] / 1024:.0f} MB = {share:.2f}x"
    return [row(f"peak memory: {LONG}-minute vs {SHORT}-minute export", measured, f"<= {LIMIT}x", share <= LIMIT), bed]
