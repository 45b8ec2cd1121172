"""Exporting every built-in practice for a phone with a warm cache, per track and as one batch.

The cache is warmed by a first `stillpoint export --all`. Then, per track, `pipeline.export` is timed
against lameenc alone encoding that track's rendered PCM (best of 2 each); and the whole batch,
`stillpoint export --all -o DIR` in a fresh process, against lameenc alone on every track in turn.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.common import best_of, environment, lameenc_alone, ratio, row, stillpoint
from stillpoint.app import pipeline
from stillpoint.language import library
from stillpoint.language.timeline import Pace
from stillpoint.sound.render import RenderOptions, render
from stillpoint.voice import ClipCache, Synthesizer

LIMIT = 1.5


def batch_seconds(folder: Path, cache: Path, out: str) -> float:
    """Wall-clock seconds of `stillpoint export --all` into ``folder/out``, process start-up included."""
    started = time.perf_counter()
    subprocess.run(stillpoint("export", "--all", "-o", folder / out, "--cache-dir", cache, "--quiet"), check=True,
                   env=environment(folder), stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def track_times(path: Path, synth: Synthesizer, dest: Path) -> tuple[float, float, float]:
    """(export seconds, lameenc-alone seconds, minutes of audio) for one practice, warm."""
    parsed = pipeline.load_script(str(path))
    settings = pipeline.ExportSettings(dest=dest, force=True)
    exporting = best_of(2, lambda: pipeline.export(parsed, Pace(), synth, settings))
    options = pipeline.sound_for(RenderOptions(), "mp3", settings.bitrate)
    timeline = pipeline.timed_plan(parsed, Pace(), synth, level=options.level)
    chunks = list(render(timeline, pipeline.speech_clips(timeline, synth, level=options.level), options))
    return exporting, best_of(2, lambda: lameenc_alone(chunks)), timeline.total / 60


def run() -> list[dict]:
    """A row per track, and one for the whole batch."""
    practices = sorted(library.builtin_folder().glob("*.txt"))
    with tempfile.TemporaryDirectory(prefix="stillpoint-bench-") as name:
        folder, rows, encoding = Path(name), [], 0.0
        cold = batch_seconds(folder, folder / "cache", "cold")
        with Synthesizer(cache=ClipCache(folder / "cache")) as synth:
            for path in practices:
                exporting, alone, minutes = track_times(path, synth, folder / "track.mp3")
                encoding += alone
                rows.append(row(f"batch track {path.stem} ({minutes:.1f} min), warm, vs lameenc alone",
                                ratio(exporting, alone), f"<= {LIMIT}x", exporting / alone <= LIMIT))
        warm = batch_seconds(folder, folder / "cache", "warm")
    rows.append(row(f"export --all ({len(practices)} practices), warm, vs lameenc alone on each",
                    f"{ratio(warm, encoding)} (cold: {cold:.1f} s)", f"<= {LIMIT}x", warm / encoding <= LIMIT))
    return rows
