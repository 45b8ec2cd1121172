"""Exporting the benefactor practice: cold against the pipeline a user would build, warm, and after a one-line edit.

- cold, against the peer: `stillpoint export benefactor --voice heart` in a fresh process with an empty cache,
  against `benchmarks/peer.py` in a fresh process: hibari speaking the same lines at the same speed one after
  another, pydub appending each clip and the plan's silences, ffmpeg writing the MP3 (the lines, their speed and
  the silences come from `stillpoint plan --json`). Alternated, RUNS of each, the medians compared; the CPU
  seconds of each side (its processes and every process they waited for) are given too: the machine may be shared.
- warm: every line in the cache and the workers up; `pipeline.export` against lameenc alone encoding
  the identical rendered PCM with the same settings, best of 3 each.
- edit: one spoken line of a copy of the practice changed, then exported again: exactly one line may be
  synthesized (counted from the synthesis progress: total minus cached).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import (best_of, children_cpu, environment, lameenc_alone, ratio, row, section_rates,
                               stillpoint)
from stillpoint.app import pipeline
from stillpoint.language import library
from stillpoint.language.timeline import Pace
from stillpoint.sound.render import RenderOptions, render
from stillpoint.voice import ClipCache, Synthesizer, SynthProgress

PRACTICE = "benefactor"
VOICE = "heart"  # the default voice, named so both sides surely speak with hibari
WARM_LIMIT = 1.5
PEER_LIMIT = 0.5
RUNS = 3
PEER = Path(__file__).with_name("peer.py")
EDITED = ("Let the chair, the cushion, or the floor take your weight.",
          "Let the chair, the cushion, or the floor take all of your weight.")


def _export(source: str, synth: Synthesizer, dest: Path) -> list[SynthProgress]:
    """Export ``source`` to ``dest``; the synthesis progress reports."""
    reports: list[SynthProgress] = []
    settings = pipeline.ExportSettings(dest=dest, force=True)
    pipeline.export(pipeline.load_script(source), Pace(), synth, settings, on_progress=reports.append)
    return reports


def peer_segments(folder: Path) -> list[dict]:
    """What the peer speaks and leaves silent, in order: the lines of the plan, at hibari's speed for their rate."""
    from stillpoint.voice.hibari import speed_for

    done = subprocess.run(stillpoint("plan", PRACTICE, "--voice", VOICE, "--json", "--quiet", "--cache-dir",
                                     folder / "plan-cache"), env=environment(folder), check=True, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL)
    rates = section_rates(PRACTICE)
    return [{"text": e["text"], "speed": speed_for(rates[e["section"]])} if e["kind"] == "speech"
            else {"silence": e["duration"]} for e in json.loads(done.stdout)["events"]]


def _seconds(command: list[str | Path], folder: Path) -> tuple[float, float]:
    """Wall-clock seconds of ``command`` in a fresh process, its start-up included, and the CPU seconds it used."""
    cpu = children_cpu()
    started = time.perf_counter()
    subprocess.run([str(part) for part in command], env=environment(folder), check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started, children_cpu() - cpu


def _minutes(mp3: Path) -> float:
    """The length of an MP3 file in minutes."""
    from mutagen.mp3 import MP3

    return MP3(mp3).info.length / 60


def peer_rows(folder: Path) -> list[dict]:
    """Cold export against the peer pipeline, alternated, the medians of RUNS each."""
    segments = folder / "segments.json"
    segments.write_text(json.dumps(peer_segments(folder)), encoding="utf-8")
    ours, theirs = [], []
    for run in range(RUNS):
        ours.append(_seconds(stillpoint("export", PRACTICE, "--voice", VOICE, "-o", folder / "ours.mp3", "--force",
                                        "--quiet", "--cache-dir", folder / f"cold-cache-{run}"), folder))
        theirs.append(_seconds([sys.executable, PEER, segments, folder / "peer.mp3"], folder))
    (ours_wall, ours_cpu), (theirs_wall, theirs_cpu) = _medians(ours), _medians(theirs)
    lengths = f"{_minutes(folder / 'ours.mp3'):.1f} vs {_minutes(folder / 'peer.mp3'):.1f} min"
    return [row(f"cold export of {PRACTICE} --voice {VOICE} vs hibari + pydub + ffmpeg, line after line",
                f"{ratio(ours_wall, theirs_wall)}; CPU {ours_cpu:.2f} s vs {theirs_cpu:.2f} s ({lengths}; "
                f"median of {RUNS}, alternated)", f"<= {PEER_LIMIT}x", ours_wall / theirs_wall <= PEER_LIMIT)]


def _medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """The median wall-clock and the median CPU seconds of runs."""
    return statistics.median(wall for wall, _ in runs), statistics.median(cpu for _, cpu in runs)


def warm_rows(folder: Path, synth: Synthesizer) -> list[dict]:
    """A warm export against lameenc alone on the same PCM."""
    dest = folder / "warm.mp3"
    _export(PRACTICE, synth, dest)
    exporting = best_of(3, lambda: _export(PRACTICE, synth, dest))
    options = pipeline.sound_for(RenderOptions(), "mp3", pipeline.ExportSettings().bitrate)
    timeline = pipeline.timed_plan(pipeline.load_script(PRACTICE), Pace(), synth, level=options.level)
    chunks = list(render(timeline, pipeline.speech_clips(timeline, synth, level=options.level), options))
    encoding = best_of(3, lambda: lameenc_alone(chunks))
    return [row(f"warm export of {PRACTICE} ({timeline.total / 60:.1f} min) vs lameenc alone",
                ratio(exporting, encoding), f"<= {WARM_LIMIT}x", exporting / encoding <= WARM_LIMIT)]


def edit_rows(folder: Path, synth: Synthesizer) -> list[dict]:
    """Change one line of a copy of the practice; count the lines synthesized again."""
    copy = folder / f"{PRACTICE}.txt"
    text = library.find(PRACTICE).read_text(encoding="utf-8")
    copy.write_text(text, encoding="utf-8")
    _export(str(copy), synth, folder / "edit.mp3")
    if EDITED[0] not in text:
        raise RuntimeError(f"{PRACTICE} no longer has the line {EDITED[0]!r}; choose another to edit")
    copy.write_text(text.replace(*EDITED, 1), encoding="utf-8")
    last = _export(str(copy), synth, folder / "edit.mp3")[-1]
    synthesized = last.total - last.cached
    return [row(f"{PRACTICE}: one line edited, exported again", f"{synthesized} of {last.total} lines synthesized",
                "exactly 1", synthesized == 1)]


def run() -> list[dict]:
    """Rows for cold (against the peer), warm and edited exports."""
    with tempfile.TemporaryDirectory(prefix="stillpoint-bench-") as name:
        folder = Path(name)
        rows = peer_rows(folder)
        with Synthesizer(cache=ClipCache(folder / "warm-cache")) as synth:
            rows += warm_rows(folder, synth) + edit_rows(folder, synth)
    return rows
