"""The sleep ending measured on real exports: `stillpoint export --sleep` of a short practice with the default voice.

For a 10- and a 60-minute ending, written as WAV and as MP3 (decoded back by ffmpeg, a real decoder): the tail
from the sample where the plan puts it to the end of the file must be exactly as long as the plan says, and the
file as long as the plan's total (the plan as `stillpoint plan` makes it, taken in this process to the sample:
its JSON gives times to the millisecond); the bed's least-squares gain in each second of the tail, against
the default bed it plays, must never rise once the bed has risen after the last words (its first seconds) and
never pass 1, which also shows that no closing bell rings (an MP3's coding moves the gain measured in a second by
a few thousandths, so its tolerance is wider); the last half second must be exact zeros. The peak
memory of a fresh `stillpoint export --sleep 60m` (MP3, warm cache) must stay within 1.25x that of `--sleep 10m`.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from benchmarks.bench_breath import tail_figures
from benchmarks.bench_memory import peak_kib
from benchmarks.common import environment, row, stillpoint
from stillpoint.app import pipeline
from stillpoint.audio import SAMPLE_RATE, seconds_to_samples
from stillpoint.language.timeline import SLEEP, Pace, Timeline
from stillpoint.sound import ambience, sleep
from stillpoint.voice import ClipCache, Synthesizer

PRACTICE = """---
title: Drifting off
---
# Settling
Let the body grow heavy, and the breath slow down by itself.
[pause 3s]
There is nothing left to do tonight. Let sleep come when it comes.
"""
TAILS = (10, 60)  # minutes
MEMORY_LIMIT = 1.25
RISING_SECONDS = int(ambience.FADE_IN_SECONDS) + 1  # the default bed fades in after the last words
# The largest rise of the gain in a second, and the largest gain: an MP3's are measured through its coding.
TOLERANCE = {"wav": (1e-4, 1.001), "mp3": (5e-3, 1.005)}
SILENT = SAMPLE_RATE // 2


def planned(folder: Path, minutes: int) -> Timeline:
    """The exact plan of the practice with a sleep ending of ``minutes``, every line spoken by the default voice."""
    with Synthesizer(engine=None, cache=ClipCache(folder / "cache")) as synth:
        return pipeline.timed_plan(pipeline.load_script(str(folder / "drifting.txt")), Pace(sleep=minutes * 60.0),
                                   synth)


def export_command(folder: Path, minutes: int, fmt: str) -> list[str]:
    """The command exporting the practice with a sleep ending of ``minutes`` as ``fmt``."""
    return stillpoint("export", folder / "drifting.txt", "--sleep", f"{minutes}m", "-o", folder / f"{minutes}.{fmt}",
                      "--force", "--quiet", "--cache-dir", folder / "cache")


def decoded(path: Path) -> Path:
    """A WAV file of what ffmpeg decodes from ``path`` (an MP3), at the internal rate; the path itself if a WAV."""
    if path.suffix == ".wav":
        return path
    out = path.with_suffix(".decoded.wav")
    subprocess.run([shutil.which("ffmpeg") or "ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(path), "-ac", "1",
                    "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le", str(out)], check=True)
    return out


def blocks_from(path: Path, start: int) -> Iterator[np.ndarray]:
    """The samples of a WAV file from sample ``start`` to its end, a second at a time."""
    with wave.open(str(path)) as audio:
        audio.setpos(start)
        while block := audio.readframes(SAMPLE_RATE):
            yield np.frombuffer(block, dtype="<i2")


def frames(path: Path) -> int:
    with wave.open(str(path)) as audio:
        return audio.getnframes()


def export_rows(folder: Path, minutes: int, fmt: str, plan: Timeline) -> list[dict]:
    """Length, fade and last half second of the exported tail, against the plan."""
    ending = plan.events[-1]
    start, total = seconds_to_samples(ending.start), seconds_to_samples(plan.total)
    asked = seconds_to_samples(ending.end) - start
    subprocess.run(export_command(folder, minutes, fmt), env=environment(folder), check=True)
    audio = decoded(folder / f"{minutes}.{fmt}")
    length, gains, end = tail_figures(blocks_from(audio, start), ambience.loop(sleep.DEFAULT_BED), start)
    fading = gains[RISING_SECONDS:]
    rising = float(np.max(np.diff(fading), initial=0.0))
    bells = [event.kind for event in plan.events[1:]].count("bell")
    most_rise, most_gain = TOLERANCE[fmt]
    label = f"sleep {minutes} min, {fmt.upper()} export"
    return [
        row(f"{label}: length", f"tail {length:,} samples, file {frames(audio):,}",
            f"{asked:,} and {total:,} (the plan)", length == asked and frames(audio) == total),
        row(f"{label}: fade", f"{bells} bells after the opening one; gain at most {gains.max():.4f}, largest rise "
            f"{rising:.1e} a second after the first {RISING_SECONDS} s", f"no bell; never rising "
            f"({most_rise:g}), never above the bed ({most_gain:g})",
            bells == 0 and rising <= most_rise and gains.max() <= most_gain and ending.kind == SLEEP),
        row(f"{label}: last 0.5 s", f"{np.count_nonzero(end[-SILENT:])} non-zero samples", "0 (digital silence)",
            not end[-SILENT:].any()),
    ]


def memory_row(folder: Path) -> dict:
    """Peak memory of a fresh export with a 60-minute ending against one with a 10-minute ending."""
    short, long = (peak_kib(export_command(folder, minutes, "mp3"), environment(folder)) for minutes in TAILS)
    measured = f"{long / 1024:.0f} MB vs {short / 1024:.0f} MB = {long / short:.2f}x"
    return row(f"peak memory: export --sleep {TAILS[1]}m vs --sleep {TAILS[0]}m", measured, f"<= {MEMORY_LIMIT}x",
               long / short <= MEMORY_LIMIT)


def run() -> list[dict]:
    """Rows for each length of ending in each format, and the memory of the longer against the shorter."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="stillpoint-bench-") as name:
        folder = Path(name)
        (folder / "drifting.txt").write_text(PRACTICE, encoding="utf-8")
        for minutes in TAILS:
            plan = planned(folder, minutes)
            for fmt in ("wav", "mp3"):
                rows += export_rows(folder, minutes, fmt, plan)
        rows.append(memory_row(folder))
    return rows
