"""Exporting the benefactor practice with the real espeak-ng engine: cold, warm, and after a one-line edit.

- cold: a fresh cache, every line synthesized; all workers (one per core) against one worker, best of 2,
  the two alternated so a machine that gets busier or quieter affects both alike. Two reference rows say how far
  the machine lets that ratio go: the CPU time all processes of the quicker all-worker export spent, spread
  perfectly over the cores, against one worker; and synthesis alone (no rendering, no encoding), all workers
  against one.
- warm: every line in the cache and the workers up; `pipeline.export` against lameenc alone encoding
  the identical rendered PCM with the same settings, best of 3 each.
- edit: one spoken line of a copy of the practice changed, then exported again: exactly one line may be
  synthesized (counted from the synthesis progress: total minus cached).
"""

from __future__ import annotations

import resource
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import best_of, lameenc_alone, ratio, row
from stillpoint.app import pipeline
from stillpoint.language import library
from stillpoint.language import timeline as timing
from stillpoint.language.timeline import Pace
from stillpoint.sound.render import RenderOptions, render
from stillpoint.voice import ClipCache, Synthesizer, SynthProgress

PRACTICE = "benefactor"
WARM_LIMIT = 1.5
COLD_LIMIT = 0.65
EDITED = ("Let the chair, the cushion, or the floor take your weight.",
          "Let the chair, the cushion, or the floor take all of your weight.")


def _export(source: str, synth: Synthesizer, dest: Path) -> list[SynthProgress]:
    """Export ``source`` to ``dest``; the synthesis progress reports."""
    reports: list[SynthProgress] = []
    settings = pipeline.ExportSettings(dest=dest, force=True)
    pipeline.export(pipeline.load_script(source), Pace(), synth, settings, on_progress=reports.append)
    return reports


@dataclass(frozen=True)
class Run:
    """One timed run: wall-clock seconds and the CPU seconds of this process and its reaped children."""

    wall: float
    cpu: float


def _timed(action: Callable[[], object]) -> Run:
    """Run ``action`` once, counting wall-clock and CPU time (workers are reaped when it ends)."""
    before = _cpu_seconds()
    started = time.perf_counter()
    action()
    return Run(time.perf_counter() - started, _cpu_seconds() - before)


def _cpu_seconds() -> float:
    """User and system time of this process and of its children that have ended."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _cold_export(folder: Path, workers: int | None, run: int) -> None:
    """One export with an empty cache of its own, worker start-up included."""
    with Synthesizer(cache=ClipCache(folder / f"cold-{workers}-{run}"), workers=workers) as synth:
        _export(PRACTICE, synth, folder / "cold.mp3")


def _cold_synthesis(folder: Path, workers: int | None, run: int) -> None:
    """Every line of the practice synthesized and levelled into an empty cache, nothing rendered or encoded."""
    options = pipeline.sound_for(RenderOptions(), "mp3", pipeline.ExportSettings().bitrate)
    timeline = timing.plan(pipeline.load_script(PRACTICE), Pace())
    with Synthesizer(cache=ClipCache(folder / f"synth-{workers}-{run}"), workers=workers) as synth:
        for _clip in pipeline.speech_clips(timeline, synth, level=options.level):
            pass


def _one_and_all(folder: Path, job: Callable[[Path, int | None, int], None]) -> tuple[Run, Run]:
    """The quickest run of ``job`` with one worker and with all of them, best of 2, alternated."""
    runs = [(_timed(lambda: job(folder, 1, n)), _timed(lambda: job(folder, None, n))) for n in range(2)]
    return min((r[0] for r in runs), key=lambda r: r.wall), min((r[1] for r in runs), key=lambda r: r.wall)


def cold_rows(folder: Path) -> list[dict]:
    """All workers against one, for the export and for synthesis alone, with the bound the cores set."""
    workers = Synthesizer().workers
    one, every = _one_and_all(folder, _cold_export)
    alone_one, alone_every = _one_and_all(folder, _cold_synthesis)
    spread = every.cpu / workers
    return [
        row(f"cold export of {PRACTICE}: {workers} workers vs 1", ratio(every.wall, one.wall),
            f"<= {COLD_LIMIT}x", every.wall / one.wall <= COLD_LIMIT),
        row(f"  its CPU time ({every.cpu:.1f} s) spread over {workers} cores vs 1 worker", ratio(spread, one.wall),
            "reference: with no core ever idle", True),
        row(f"  synthesis alone, no encoding: {workers} workers vs 1", ratio(alone_every.wall, alone_one.wall),
            "reference", True),
    ]


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
    """Rows for cold, warm and edited exports."""
    with tempfile.TemporaryDirectory(prefix="stillpoint-bench-") as name:
        folder = Path(name)
        rows = cold_rows(folder)
        with Synthesizer(cache=ClipCache(folder / "warm-cache")) as synth:
            rows += warm_rows(folder, synth) + edit_rows(folder, synth)
    return rows
