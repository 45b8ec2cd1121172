"""Helpers for the reliability tests: a faulty espeak-like engine, the CLI in a subprocess, read-only folders.

WavEngine adds what espeak-ng could do wrong with the WAV file it writes (wrong rate, stereo, 8-bit,
an empty file) to the faults of voice/faulty_engines.py (hang, crash, headeronly, a delay per line, ...),
picked the same way by the first word of a line; the audio goes through the same reader as espeak's.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from voice.faulty_engines import DELAY_ENV, FaultyEngine

from stillpoint.audio import SAMPLE_RATE, Clip
from stillpoint.voice.espeak import read_wav
from stillpoint.voice.fake import FakeEngine

WAV = f"{__name__}:WavEngine"
FAULTY = f"{FaultyEngine.__module__}:FaultyEngine"
TESTS = Path(__file__).parent


def stillpoint(*args: str | Path) -> list[str]:
    """The command line of stillpoint run by this interpreter."""
    return [sys.executable, "-m", "stillpoint", *(str(arg) for arg in args)]


def cli_env(cache: Path, engine: str = FAULTY, delay: float = 0.0) -> dict[str, str]:
    """Environment for the CLI in a subprocess: a test engine (``delay`` seconds a line) and its own cache."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("STILLPOINT_")}
    path = os.pathsep.join(filter(None, [str(TESTS), env.get("PYTHONPATH")]))
    env.update(STILLPOINT_ENGINE=engine, STILLPOINT_CACHE=str(cache), PYTHONPATH=path, **{DELAY_ENV: str(delay)})
    return env


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """``folder`` made unwritable for this user; root ignores permissions, so it needs the immutable flag."""
    folder.chmod(0o555)
    immutable = os.geteuid() == 0 and subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
    try:
        probe = folder / ".probe"
        with contextlib.suppress(OSError):
            probe.touch()
            probe.unlink()
            pytest.skip("cannot make a folder read-only here")
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


def _write(path: Path, pcm: bytes, rate: int, channels: int = 1, width: int = 2) -> None:
    """A WAV file of ``pcm`` (16-bit mono samples) re-timed to ``rate``, spread over ``channels``, at ``width``."""
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    count = round(len(samples) * rate / SAMPLE_RATE)
    samples = np.interp(np.arange(count) * SAMPLE_RATE / rate, np.arange(len(samples)), samples)
    frames = np.repeat(samples, channels)
    data = (frames / 256 + 128).astype(np.uint8).tobytes() if width == 1 else frames.astype("<i2").tobytes()
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(data)


WAV_FAULTS: dict[str, Callable[[Path, bytes], None]] = {
    "lowrate": lambda path, pcm: _write(path, pcm, 16000),
    "stereo": lambda path, pcm: _write(path, pcm, 44100, channels=2),
    "eightbit": lambda path, pcm: _write(path, pcm, SAMPLE_RATE, width=1),
    "emptyfile": lambda path, pcm: path.write_bytes(b""),
}


class WavEngine(FaultyEngine):
    """The fake engine's speech, written to a WAV file the way espeak-ng writes one, and read back."""

    def synthesize(self, text: str, voice: str, rate: int) -> Clip:
        """Speak through a WAV file spoiled as the first word asks, or as FaultyEngine would."""
        fault = WAV_FAULTS.get(text.split()[0])
        if fault is None:
            return super().synthesize(text, voice, rate)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "line.wav"
            fault(path, FakeEngine().synthesize(text, voice, rate).pcm)
            return read_wav(path)
