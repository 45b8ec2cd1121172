"""Peak memory of `stillpoint export` for a 60-minute against a 10-minute practice, with a warm cache.

Each export runs in a fresh process started by a fresh measuring process, which reports the largest
resident set among the processes it waited for (getrusage RUSAGE_CHILDREN): the export and, if any
were started, its voice workers. The cache is warmed first, so synthesis is not what is measured.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import generated_practice, row, stillpoint

SHORT, LONG = 10, 60
LIMIT = 1.25
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


def run() -> list[dict]:
    """One row: the ratio of the two peaks, with both in MB."""
    with tempfile.TemporaryDirectory(prefix="stillpoint-bench-") as name:
        folder = Path(name)
        practices = {}
        for minutes in (SHORT, LONG):
            practices[minutes] = folder / f"practice-{minutes}.txt"
            practices[minutes].write_text(generated_practice(minutes), encoding="utf-8")
        subprocess.run(_export(practices[SHORT], folder / "cache", folder / "warm-up.mp3"), check=True)
        peaks = {minutes: peak_kib(_export(path, folder / "cache", folder / f"{minutes}.mp3"))
                 for minutes, path in practices.items()}
    share = peaks[LONG] / peaks[SHORT]
    measured = f"{peaks[LONG] / 1024:.0f} MB vs {peaks[SHORT] / 1024:.0f} MB = {share:.2f}x"
    return [row(f"peak memory: {LONG}-minute vs {SHORT}-minute export", measured, f"<= {LIMIT}x", share <= LIMIT)]
