"""Do edges between silence and sound click? Every built-in practice exported with the default voice, measured.

Each practice is exported to WAV by `stillpoint export` (a fresh cache, the real default engine) and every
edge between silence and sound in it is measured with `seams.edges`: silence is a run of at least 32
exact zeros, an edge's step the sound sample beside it. Benefactor is exported again with a bell at
twice its volume and the ocean bed, whose start and end are then the only edges.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import wave
from pathlib import Path

from benchmarks.common import row, stillpoint
from stillpoint.language import library
from stillpoint.sound import seams

BED = ("--ambience", "ocean", "--bell-volume", "2")


def exported(destination: Path, cache: Path, *args: str) -> None:
    """`stillpoint export ARGS -o destination -f wav` with the default engine and ``cache``."""
    env = {key: value for key, value in os.environ.items() if key != "STILLPOINT_ENGINE"}
    done = subprocess.run(stillpoint("export", *args, "-o", destination, "-f", "wav", "-q", "--cache-dir", cache),
                          env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"export failed: {done.stderr.strip()}")


def edges_row(name: str, path: Path) -> dict:
    """The row of one exported track: edges stepping by more than the limit, of all its edges, and the largest."""
    with wave.open(str(path)) as audio:
        found = seams.edges(audio.readframes(audio.getnframes()))
    measured = f"{found.over} of {found.count} (largest step {found.largest})"
    return row(f"edges stepping by more than {seams.STEP_LIMIT}: {name}", measured, "0", found.over == 0)


def run() -> list[dict]:
    """One row per built-in practice, and one for benefactor with a loud bell and an ambience."""
    names = sorted(path.stem for path in library.builtin_folder().glob("*.txt"))
    with tempfile.TemporaryDirectory(prefix="stillpoint-bench-") as temporary:
        folder, rows = Path(temporary), []
        for name in names:
            exported(folder / f"{name}.wav", folder / "cache", name)
            rows.append(edges_row(name, folder / f"{name}.wav"))
        exported(folder / "bed.wav", folder / "cache", "benefactor", *BED)
        rows.append(edges_row("benefactor " + " ".join(BED), folder / "bed.wav"))
    return rows
