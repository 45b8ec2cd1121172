"""Peak memory of `stillpoint export` for a 60-minute against a 10-minute practice, with a warm cache; of an
export over a three-hour WAV file as ambience against one over generated rain; of 23 hours of silence against
a short practice; and of one 1000-word sentence against an ordinary one, synthesized by the neural voice.

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

from benchmarks.common import SPOKEN, environment, generated_practice, row, stillpoint

SHORT, LONG = 10, 60
LIMIT = 1.25
AMBIENCE_HOURS = 3  # 48 kHz stereo: 2 GB, all but its first minute sparse on disk
AMBIENCE_LIMIT = 2.5  # only its first ten minutes are decoded: a 50 MB loop over what rain takes
SILENT_HOURS = 23  # one-hour soaks in a row, just under the 24 hours the markers of a practice may last
SILENCE_LIMIT = 1.25  # silence is streamed: a day of it takes what a minute does
RUN_ON_WORDS = 1000  # one sentence with no stop or comma: said in pieces, each as long as a long sentence
RUN_ON_LIMIT = 1.6  # hibari for a piece of 160 characters against a short line: ~0.1 GB more (a whole run-on: 7 GB)
MEASURE = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def peak_kib(command: list[str], env: dict[str, str] | None = None) -> int:
    """Largest resident set, in KiB, of ``command`` run to completion in a fresh process."""
    done = subprocess.run([sys.executable, "-c", MEASURE, *command], check=True, capture_output=True, text=True,
                          env=env)
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
             for spec in (bed, "rain")}
    return _peaks_row(f"{AMBIENCE_HOURS}-hour WAV ambience vs rain", peaks, AMBIENCE_LIMIT)


def _peaks_row(name: str, peaks: dict[str, int], limit: float) -> dict:
    """A row of the ratio of the first of two peaks to the second, with both in MB."""
    high, low = peaks.values()
    measured = f"{high / 1024:.0f} MB vs {low / 1024:.0f} MB = {high / low:.2f}x"
    return row(f"peak memory: {name}", measured, f"<= {limit}x", high / low <= limit)


def silence_row(folder: Path) -> dict:
    """The peak of an MP3 export of 23 one-hour soaks in a row against the same words with one minute's."""
    peaks = {}
    for name, soaks in (("long", "[soak 1h]" * SILENT_HOURS), ("short", "[soak 1m]")):
        practice = folder / f"silence-{name}.txt"
        practice.write_text(f"{SPOKEN[0]}\n{soaks}\n{SPOKEN[1]}\n", encoding="utf-8")
        peaks[name] = peak_kib(_export(practice, folder / "cache", folder / f"silence-{name}.mp3"))
    return _peaks_row(f"{SILENT_HOURS} hours of silence vs a short practice", peaks, SILENCE_LIMIT)


def run_on_row(folder: Path) -> dict:
    """The peak of exporting a 1000-word sentence against an ordinary one, each synthesized cold by hibari."""
    words = " ".join(SPOKEN[1].rstrip(".").lower().replace(",", "").split())
    endless = " ".join((words.split() * RUN_ON_WORDS)[:RUN_ON_WORDS])
    peaks = {}
    for name, sentence in (("run-on", endless.capitalize() + "."), ("normal", SPOKEN[1])):
        practice = folder / f"{name}.txt"
        practice.write_text(sentence + "\n", encoding="utf-8")
        peaks[name] = peak_kib(_export(practice, folder / f"cache-{name}", folder / f"{name}.mp3"),
                               env=environment(folder))
    return _peaks_row(f"a {RUN_ON_WORDS}-word sentence vs a short one (heart, cold)", peaks, RUN_ON_LIMIT)


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
        silence, run_on = silence_row(folder), run_on_row(folder)
    lengths = _peaks_row(f"{LONG}-minute vs {SHORT}-minute export", {"long": peaks[LONG], "short": peaks[SHORT]}, LIMIT)
    return [lengths, bed, silence, run_on]
