"""A practice with every line recorded, exported against a warm export of the same practice synthesized.

The takes are made first, outside the timing: every spoken line of benefactor (13 minutes) said once by the default
voice, resampled to 44.1 kHz and written as a stereo WAV file into `benefactor.recordings/`, and a copy of the
practice with `[recorded benefactor.recordings/line-N.wav]` at the end of each spoken line. Then, alternated, RUNS
of each, the medians compared: a warm export of the practice as it is (every line in the cache, the workers up);
the recorded copy exported warm too (its takes processed once before, in its cache: each take only read and hashed);
and the recorded copy exported with its cache emptied before each run, so every take is read, decoded, resampled,
high-passed, trimmed and levelled (what the first export after recording costs). Target for both: at most 1.2x.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
import wave
from pathlib import Path

import numpy as np
import soxr

from benchmarks.common import ratio, row
from stillpoint.app import pipeline
from stillpoint.audio import SAMPLE_RATE
from stillpoint.language import library
from stillpoint.language import script as script_language
from stillpoint.language.timeline import Pace, Utterance
from stillpoint.voice import ClipCache, Synthesizer

PRACTICE = "benefactor"
TAKE_RATE = 44100
LIMIT = 1.2
RUNS = 5


def recorded_copy(folder: Path) -> Path:
    """The practice with a [recorded] marker at the end of every spoken line, beside where its takes will be."""
    lines = library.find(PRACTICE).read_text(encoding="utf-8").splitlines()
    body = script_language.body_start(lines)
    marked = [line if index < body or not line.strip() or line.lstrip().startswith(("#", "//", "["))
              else f"{line} [recorded {PRACTICE}.recordings/line-{index + 1}.wav]" for index, line in enumerate(lines)]
    path = folder / f"{PRACTICE}.txt"
    path.write_text("\n".join(marked) + "\n", encoding="utf-8")
    (folder / f"{PRACTICE}.recordings").mkdir()
    return path


def make_takes(recorded: Path, synth: Synthesizer) -> int:
    """Each recorded line said once by the default voice, written where its marker says at 44.1 kHz, stereo."""
    speeches = [speech for speech in pipeline.load_script(str(recorded)).speeches() if speech.recording]
    said = [Utterance(speech.text, "heart", 120) for speech in speeches]
    for speech, clip in zip(speeches, synth.clips(said), strict=True):
        samples = soxr.resample(np.frombuffer(clip.pcm, "<i2").astype(np.float32) / 32768, SAMPLE_RATE, TAKE_RATE)
        stereo = np.repeat(np.clip(np.round(samples * 32767), -32768, 32767).astype("<i2"), 2)
        with wave.open(str(recorded.parent / speech.recording.file), "wb") as out:
            out.setnchannels(2)
            out.setsampwidth(2)
            out.setframerate(TAKE_RATE)
            out.writeframes(stereo.tobytes())
    return len(speeches)


def timed_export(source: str, synth: Synthesizer, dest: Path) -> float:
    """Seconds to export ``source`` to ``dest``."""
    started = time.perf_counter()
    pipeline.export(pipeline.load_script(source), Pace(), synth, pipeline.ExportSettings(dest=dest, force=True))
    return time.perf_counter() - started


def recorded_export(recorded: Path, cache: Path, fresh: bool) -> float:
    """Seconds to export the recorded copy with ``cache`` (emptied first when ``fresh``)."""
    if fresh:
        shutil.rmtree(cache, ignore_errors=True)
    with Synthesizer(cache=ClipCache(cache)) as synth:
        return timed_export(str(recorded), synth, recorded.parent / "recorded.mp3")


def run() -> list[dict]:
    """Rows: the all-recorded export, warm and with every take processed, against the warm synthesized one."""
    with tempfile.TemporaryDirectory() as name, Synthesizer(cache=ClipCache(Path(name) / "cache")) as synth:
        folder = Path(name)
        recorded = recorded_copy(folder)
        takes = make_takes(recorded, synth)
        timed_export(PRACTICE, synth, folder / "warm.mp3")  # every line cached, the workers up
        recorded_export(recorded, folder / "takes-cache", fresh=True)
        warm, kept, processed = [], [], []
        for _ in range(RUNS):
            warm.append(timed_export(PRACTICE, synth, folder / "warm.mp3"))
            kept.append(recorded_export(recorded, folder / "takes-cache", fresh=False))
            processed.append(recorded_export(recorded, folder / "fresh-cache", fresh=True))
    synthesized, recorded_warm, first = (statistics.median(times) for times in (warm, kept, processed))
    return [row(f"{PRACTICE}, all {takes} lines recorded (44.1 kHz stereo WAV), warm vs warm synthesized export",
                ratio(recorded_warm, synthesized), f"<= {LIMIT}x", recorded_warm / synthesized <= LIMIT),
            row(f"{PRACTICE}, all {takes} lines recorded, every take processed vs warm synthesized export",
                ratio(first, synthesized), f"<= {LIMIT}x", first / synthesized <= LIMIT)]
