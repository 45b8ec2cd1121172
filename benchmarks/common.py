"""Pieces the benchmark modules share: result rows, timing, lameenc on its own, generated practices."""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from stillpoint.output.mp3 import mp3_encoder

BITRATE = 64  # what `stillpoint export` writes by default
SPOKEN = (
    "Let the breath move in its own time.",
    "Notice the weight of your hands, and the floor holding you.",
    "Bring to mind someone who has wished you well.",
    "Let their care settle in, the way warmth settles into cold hands.",
    "There is nothing to fix here, nothing to get right.",
    "Feel the place where the breath is easiest to notice.",
    "If the mind wanders, that is what minds do; come back gently.",
    "Rest in the quiet between one breath and the next.",
)


def row(name: str, measured: str, target: str, ok: bool | None) -> dict:
    """One line of the results table; ``ok`` None for a figure given for information, with no target."""
    return {"name": name, "measured": measured, "target": target, "ok": None if ok is None else bool(ok)}


def children_cpu() -> float:
    """CPU seconds (user and system) of this process's ended children, and of every process they waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def best_of(runs: int, action: Callable[[], object]) -> float:
    """The shortest wall-clock time of ``runs`` calls of ``action``, in seconds."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def lameenc_alone(chunks: Iterable[bytes], bitrate: int = BITRATE) -> None:
    """Encode PCM chunks to MP3 with LAME set up as the exporter sets it, every sample encoded, and nothing else."""
    encoder = mp3_encoder(bitrate)
    for chunk in chunks:
        encoder.encode(chunk)
    encoder.flush()


def generated_practice(minutes: int) -> str:
    """A practice fitted to exactly ``minutes`` minutes: one section a minute, its lines from a small set."""
    lines = ["---", f"title: Generated {minutes} minutes", f"length: {minutes}m", "---"]
    for minute in range(minutes):
        first, second = SPOKEN[minute % len(SPOKEN)], SPOKEN[(minute + 3) % len(SPOKEN)]
        lines += [f"# Minute {minute + 1}", first, "[pause 6s]", second, "[breathe 2]", "[soak 20s]", ""]
    return "\n".join(lines)


def stillpoint(*args: str | Path) -> list[str]:
    """The command line that runs stillpoint with this interpreter."""
    return [sys.executable, "-m", "stillpoint", *(str(arg) for arg in args)]


def environment(home: Path) -> dict[str, str]:
    """The real engines, and a home of the benchmark's own: no user lexicon, no user practices."""
    env = {key: value for key, value in os.environ.items() if key not in ("STILLPOINT_ENGINE", "STILLPOINT_PATH")}
    env["HOME"] = str(home)
    return env


def ratio(measured: float, reference: float) -> str:
    """'1.52 s vs 1.25 s = 1.22x'."""
    return f"{measured:.2f} s vs {reference:.2f} s = {measured / reference:.2f}x"


def section_rates(practice: str) -> dict[str, int]:
    """The rate each section of a practice asks for, in words per minute, by title."""
    from stillpoint.app import pipeline

    script = pipeline.load_script(practice)
    return {section.title: section.settings.rate or script.meta.rate for section in script.sections}
