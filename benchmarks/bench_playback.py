"""Does the player keep the sound card fed? The player, on a stand-in card that plays in real time. And how
soon does `play` say so when there is no sound card at all?

Plays the first seconds of the benefactor practice with a cold cache and its real voice (so
worker start-up, synthesis, ambience and rendering all compete with the player for the CPU) into a sink
that consumes samples at the real rate from a buffer as deep as the sound device's, and counts the times it
ran dry. One stream feeds the card from start to end, so chunk boundaries are ordinary writes: a gap
can only come from the player falling behind, which is what this measures.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stillpoint.app import pipeline
from stillpoint.audio import SAMPLE_RATE, SAMPLE_WIDTH
from stillpoint.language.timeline import Pace
from stillpoint.listen import device
from stillpoint.listen.player import QUIT, Player
from stillpoint.app.program import Program
from stillpoint.listen.screen import LineScreen
from stillpoint.sound.render import RenderOptions
from stillpoint.voice import ClipCache, Synthesizer

PRACTICE = "benefactor"
SECONDS = 30.0
NO_DEVICE_RUNS = 3
NO_DEVICE_TARGET = 2.0


class PacedSink:
    """A stand-in sound card: plays in real time from a buffer of ``capacity`` seconds; counts underruns."""

    def __init__(self, capacity: float):
        self._capacity = capacity * SAMPLE_RATE
        self._origin: float | None = None  # when sample 0 would have been heard, while the card runs
        self.written = 0
        self._filled = False  # the buffer has been full since the card started
        self.underruns = 0
        self.lowest = capacity  # the emptiest the buffer was just before a write, once it had filled, in seconds

    def _played(self, now: float) -> float:
        return (now - self._origin) * SAMPLE_RATE if self._origin is not None else self.written

    def write(self, pcm: bytes) -> None:
        """Queue ``pcm``; notes an underrun if the buffer ran dry since the last write; blocks while full."""
        now = time.monotonic()
        if self._origin is None:
            self._origin = now - self.written / SAMPLE_RATE
        elif self._played(now) > self.written:
            self.underruns += 1
            self._origin = now - self.written / SAMPLE_RATE
        elif self._filled:
            self.lowest = min(self.lowest, (self.written - self._played(now)) / SAMPLE_RATE)
        self.written += len(pcm) // SAMPLE_WIDTH
        excess = self.written - self._played(now) - self._capacity
        if excess > 0:
            self._filled = True
            time.sleep(excess / SAMPLE_RATE)

    def queued(self) -> int:
        """Samples written and not heard yet."""
        return max(0, int(self.written - self._played(time.monotonic())))

    def finish(self) -> None:
        """Wait for the buffer to play out; the card stops until the next write."""
        time.sleep(self.queued() / SAMPLE_RATE)
        self._origin, self._filled = None, False


class StopAfter:
    """Keys that press q once the sink has played ``seconds``."""

    def __init__(self, sink: PacedSink, seconds: float):
        self._sink, self._samples = sink, seconds * SAMPLE_RATE

    def pressed(self) -> list[str]:
        return [QUIT] if self._sink.written - self._sink.queued() >= self._samples else []


def play_paced(options: RenderOptions) -> PacedSink:
    """Play the practice's first SECONDS, cold, into a paced sink; returns the sink."""
    sink = PacedSink(device.LATENCY)
    with tempfile.TemporaryDirectory(prefix="stillpoint-bench-") as folder, \
            Synthesizer(cache=ClipCache(folder)) as synth:
        program = Program(pipeline.load_script(PRACTICE), Pace(), synth, options)
        Player(program, sink).play(LineScreen(None), StopAfter(sink, SECONDS))
    return sink


def seconds_to_no_device_error() -> float:
    """The longest of NO_DEVICE_RUNS runs of `stillpoint play` on a machine whose only card does not exist."""
    with tempfile.TemporaryDirectory(prefix="stillpoint-bench-") as folder:
        config = Path(folder) / "asound.conf"
        config.write_text("pcm.!default { type hw; card 31 }\n")
        env = {**os.environ, "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{config}"}
        longest = 0.0
        for _ in range(NO_DEVICE_RUNS):
            started = time.monotonic()
            done = subprocess.run([sys.executable, "-m", "stillpoint", "play", PRACTICE], env=env, capture_output=True,
                                  text=True, stdin=subprocess.DEVNULL, timeout=30)
            longest = max(longest, time.monotonic() - started)
            if done.returncode != 1 or "no audio device found" not in done.stderr:
                raise RuntimeError(f"unexpected answer: {done.stderr.strip()!r}")
        return longest


def run() -> list[dict]:
    """Rows of name, measured, target, ok: underruns in the first SECONDS of play, cold, real engine; the no-card error."""
    rows = []
    for label, options in (("", RenderOptions()), (" --ambience rain", RenderOptions(ambience="rain"))):
        sink = play_paced(options)
        rows.append({"name": f"play {PRACTICE}{label}, cold, first {SECONDS:.0f} s: underruns of a real-time card",
                     "measured": f"{sink.underruns} (buffer never below {sink.lowest * 1000:.0f} ms "
                                 f"of {device.LATENCY * 1000:.0f})",
                     "target": "0", "ok": sink.underruns == 0})
    waited = seconds_to_no_device_error()
    rows.append({"name": f"play {PRACTICE} with no sound card: the one-line error, from the start of the process",
                 "measured": f"{waited:.2f} s (slowest of {NO_DEVICE_RUNS})", "target": f"< {NO_DEVICE_TARGET:.0f} s",
                 "ok": waited < NO_DEVICE_TARGET})
    return rows
