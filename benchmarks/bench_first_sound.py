"""How soon `stillpoint play` is heard: cold cache, the practice's real voice, ALSA pointed at a capture file.

Measures, from the start of the process, when the first non-silent bytes reach the audio device (the
capture file of ALSA's `file` plugin), against the time a full synthesis of the practice takes
(`stillpoint plan`, cold), which is how long a player that synthesizes everything first stays silent.
By default the opening bell is the first sound; with --no-bells the first words are (within 0.9 s), and the
row says how many lines were synthesized by then (fewer than all: the rest is synthesized while it plays), and the
CPU seconds the run took until it was stopped there (its processes and every process they waited for), since the
machine may be shared.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import children_cpu

PRACTICE = "benefactor"
RUNS = 5
TARGET_SECONDS = 1.0
TARGET_SHARE = 0.15
WORDS_TARGET = 0.9  # seconds to the first words with --no-bells, which then wait for the first line's synthesis
TIMEOUT = 60.0
ALSA_CONFIG = 'pcm.!default {{ type file; slave.pcm "null"; file "{capture}"; format "raw" }}\n'


def _command(*args: str) -> list[str]:
    """The stillpoint command of this interpreter."""
    return [sys.executable, "-m", "stillpoint", *args]


def _environment(folder: Path) -> dict[str, str]:
    """The real engine, a state folder of its own, and ALSA writing what is played to a file."""
    config = folder / "asound.conf"
    config.write_text(ALSA_CONFIG.format(capture=folder / "capture.raw"))
    env = {key: value for key, value in os.environ.items() if key != "STILLPOINT_ENGINE"}
    env.update(ALSA_CONFIG_PATH=f"/usr/share/alsa/alsa.conf:{config}", STILLPOINT_STATE=str(folder / "state"))
    return env


def _first_sound(capture: Path, process: subprocess.Popen, started: float) -> float:
    """Seconds from ``started`` until a non-zero byte lands in ``capture``."""
    seen = 0
    while time.monotonic() - started < TIMEOUT and process.poll() is None:
        if capture.exists() and capture.stat().st_size > seen:
            with capture.open("rb") as played:
                played.seek(seen)
                fresh = played.read()
            if fresh.strip(b"\0"):
                return time.monotonic() - started
            seen += len(fresh)
        time.sleep(0.001)
    raise RuntimeError(f"no sound reached the device (exit code {process.poll()})")


def time_to_sound(*options: str) -> tuple[float, int, float]:
    """One cold run of `stillpoint play`: seconds until the first non-silent bytes are played, lines cached then, and
    the CPU seconds of the run, stopped there."""
    with tempfile.TemporaryDirectory(prefix="stillpoint-bench-") as name:
        folder = Path(name)
        args = _command("play", PRACTICE, "--no-ui", "--cache-dir", str(folder / "cache"), *options)
        cpu = children_cpu()
        started = time.monotonic()
        process = subprocess.Popen(args, env=_environment(folder), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            seconds = _first_sound(folder / "capture.raw", process, started)
            lines = len(list((folder / "cache").rglob("*.wav")))
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(TIMEOUT)
        return seconds, lines, children_cpu() - cpu


def time_to_synthesize() -> float:
    """One cold run of `stillpoint plan`, which synthesizes every line to time the practice exactly."""
    with tempfile.TemporaryDirectory(prefix="stillpoint-bench-") as name:
        folder = Path(name)
        started = time.monotonic()
        subprocess.run(_command("plan", PRACTICE, "--quiet", "--cache-dir", str(folder / "cache")), check=True,
                       env=_environment(folder), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        return time.monotonic() - started


def _median_run(*options: str) -> tuple[float, int, float]:
    """The run with the median time to first sound, of RUNS."""
    runs = sorted(time_to_sound(*options) for _ in range(RUNS))
    return runs[len(runs) // 2]


def _lines() -> int:
    """How many different lines the practice speaks."""
    from stillpoint.app import pipeline
    from stillpoint.language import timeline

    return len(set(timeline.utterances(pipeline.load_script(PRACTICE))))


def run() -> list[dict]:
    """Rows of name, measured, target, ok: first sound and first words against a full synthesis, cold."""
    # Alternate the two measurements, so a machine that gets busier or quieter affects both alike.
    pairs = [(time_to_synthesize(), time_to_sound()[0]) for _ in range(RUNS)]
    full = statistics.median(full for full, _ in pairs)
    sound = statistics.median(sound for _, sound in pairs)
    share = statistics.median(sound / full for full, sound in pairs)
    words, synthesized, cpu = _median_run("--no-bells")
    lines = _lines()
    return [
        {"name": f"full synthesis of {PRACTICE}, cold (stillpoint plan)", "measured": f"{full:.2f} s",
         "target": "reference", "ok": None},
        {"name": f"play {PRACTICE}, cold: first sound (the opening bell)",
         "measured": f"{sound:.2f} s ({share:.0%} of full synthesis)",
         "target": f"< {TARGET_SECONDS:.0f} s and <= {TARGET_SHARE:.0%}",
         "ok": sound < TARGET_SECONDS and share <= TARGET_SHARE},
        {"name": f"play {PRACTICE} --no-bells, cold: first words",
         "measured": f"{words:.2f} s ({words / full:.0%}); {synthesized} of {lines} lines synthesized by then; "
                     f"CPU {cpu:.2f} s",
         "target": f"< {WORDS_TARGET} s, before every line is synthesized",
         "ok": words < WORDS_TARGET and synthesized < lines},
    ]
