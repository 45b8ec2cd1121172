"""Helpers for the reliability tests: a faulty espeak-like engine, the CLI in a subprocess, read-only folders.

WavEngine adds what espeak-ng could do wrong with the WAV file it writes (wrong rate, stereo, 8-bit,
an empty file) to the faults of voice/faulty_engines.py (hang, crash, headeronly, a delay per line, ...),
picked the same way by the first word of a line; the audio goes through the same reader as espeak's.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import resource
import stat
import struct
import subprocess
import sys
import tempfile
import wave
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from voice.faulty_engines import DELAY_ENV, FaultyEngine

from stillpoint.audio import SAMPLE_RATE, Clip
from stillpoint.voice.espeak import read_wav
from stillpoint.voice.fake import FakeEngine

WAV = f"{__name__}:WavEngine"
MEMORY = 400 * 2**20  # address space of a bounded run: a normal export needs about 200 MB of it
SECONDS = 60.0  # a bounded run that takes longer is killed and fails its test
FAULTY = f"{FaultyEngine.__module__}:FaultyEngine"
TESTS = Path(__file__).parent


GROWTH = 8  # the large input of a scaling test is this many times the small one
GROWTH_LIMIT = 32  # linear time gives about 8; quadratic about 64
SMALL = 20_000  # characters of the small input of a scaling test


def in_child(code: str, *args: str, data: bytes = b"", timeout: float = 60.0) -> str:
    """Run ``code`` in a fresh interpreter (so a hang ends at ``timeout`` as a failure); its output."""
    done = subprocess.run([sys.executable, "-c", code, *args], input=data, capture_output=True, timeout=timeout)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode().strip()


def grows_linearly(code: str, build: str, timeout: float = 60.0) -> bool:
    """Whether ``code`` (run in a child with ``build``, SMALL and GROWTH as arguments, printing the best times of
    the small and the large input as JSON) took about GROWTH times as long for the large input, not its square."""
    small, large = json.loads(in_child(code, build, str(SMALL), str(GROWTH), timeout=timeout))
    floor = 0.002  # below this, timings are noise
    return max(large, floor) / max(small, floor) < GROWTH_LIMIT


def stillpoint(*args: str | Path) -> list[str]:
    """The command line of stillpoint run by this interpreter."""
    return [sys.executable, "-m", "stillpoint", *(str(arg) for arg in args)]


def cli_env(cache: Path, engine: str = FAULTY, delay: float = 0.0) -> dict[str, str]:
    """Environment for the CLI in a subprocess: a test engine (``delay`` seconds a line) and its own cache."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("STILLPOINT_")}
    path = os.pathsep.join(filter(None, [str(TESTS), env.get("PYTHONPATH")]))
    env.update(STILLPOINT_ENGINE=engine, STILLPOINT_CACHE=str(cache), PYTHONPATH=path, **{DELAY_ENV: str(delay)})
    return env


def bounded(*args: str | Path, env: dict[str, str], cwd: Path | None = None, memory: int = MEMORY,
            timeout: float = SECONDS, stdin: str | None = None) -> subprocess.CompletedProcess:
    """stillpoint run with at most ``memory`` bytes of address space, killed after ``timeout`` seconds."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run(stillpoint(*args), env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          errors="surrogateescape",
                          preexec_fn=limit, input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL)


def refused(done: subprocess.CompletedProcess, code: int, *words: str) -> str:
    """The one line on stderr of a run that failed with exit ``code``, checked to hold each of ``words``."""
    lines = done.stderr.splitlines()
    assert done.returncode == code and len(lines) == 1, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr and "error: " in lines[0], lines
    assert all(word in lines[0] for word in words), lines[0]
    return lines[0]


def fingerprint(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` but the cache: a file's sha256, or what kind of entry it is."""
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if "cache" in relative.parts:
            continue
        mode = path.lstat().st_mode
        found[str(relative)] = _sha256(path) if stat.S_ISREG(mode) else stat.filemode(mode)[0]
    return found


def _sha256(path: Path) -> str:
    """The sha256 of a file, read a block at a time."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def fifo(path: Path) -> Path:
    """A named pipe at ``path`` that nothing writes to: reading it would wait for ever."""
    os.mkfifo(path)
    return path


@contextlib.contextmanager
def listening_socket(path: Path) -> Iterator[Path]:
    """A Unix socket bound at ``path`` while the block runs."""
    import socket

    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        yield path


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


def long_wav(path: Path, seconds: float, noise_seconds: float = 30.0, rate: int = 48000) -> Path:
    """A stereo WAV file of ``seconds``: noise at first, then silence kept sparse, so it takes little disk."""
    frames = int(seconds * rate)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        noise = np.random.default_rng(3).normal(0, 3000, int(noise_seconds * rate) * 2)
        out.writeframes(noise.astype("<i2").tobytes())
    with path.open("r+b") as file:
        file.truncate(44 + frames * 4)
        file.seek(4)
        file.write(struct.pack("<I", 36 + frames * 4))
        file.seek(40)
        file.write(struct.pack("<I", frames * 4))
    return path


def png_of_size(path: Path, width: int, height: int) -> Path:
    """A black 1-bit PNG of ``width`` x ``height`` pixels, a few hundred kilobytes however many pixels it has."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer, row = zlib.compressobj(9), bytes(1 + (width + 7) // 8)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))
    return path


def png_with_chunk(path: Path, kind: bytes, body: bytes) -> Path:
    """A small valid PNG with one more chunk of ``kind`` holding ``body`` just after its header."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (90, 120, 150)).save(buffer, format="PNG")
    data = buffer.getvalue()
    header_end = 8 + 8 + 13 + 4
    chunk = struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    path.write_bytes(data[:header_end] + chunk + data[header_end:])
    return path


def inflating(size: int) -> bytes:
    """zlib data that inflates to ``size`` zero bytes (a thousandth of that or so compressed)."""
    packer, block = zlib.compressobj(1), bytes(2**20)
    return b"".join(packer.compress(block) for _ in range(size // len(block))) + packer.flush()


def psd(path: Path, width: int = 16, height: int = 16, layers: int = 0) -> Path:
    """A Photoshop file of ``width`` x ``height`` RGB pixels; ``layers`` announced but never given."""
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, height, width, 8, 3)
    layer_info = struct.pack(">IIh", 6, 2, layers) if layers else struct.pack(">I", 0)
    path.write_bytes(header + struct.pack(">II", 0, 0) + layer_info + struct.pack(">H", 0) + bytes(width * height * 3))
    return path


def expansion_bomb(tmp_path: Path) -> Path:
    """A 130 kB script whose one variable, 100 kB long, is used 10,000 times: 1 GB of text once filled in."""
    path = tmp_path / "bomb.txt"
    path.write_text("---\nvars:\n  v: " + "calm " * 20_000 + "\n---\n# Part\n" + "{v} " * 10_000 + "\n",
                    encoding="utf-8")
    return path


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
