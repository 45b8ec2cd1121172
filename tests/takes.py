"""Recordings for tests: a voice-like sound written by ffmpeg in any format, rate and number of channels."""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np

# ffmpeg's codec and container for each kind of file a script may play
CODECS = {"wav": ("pcm_s16le", "wav"), "wav24": ("pcm_s24le", "wav"), "wavfloat": ("pcm_f32le", "wav"),
          "flac": ("flac", "flac"), "mp3": ("libmp3lame", "mp3"), "ogg": ("libvorbis", "ogg")}
SOURCE_RATE = 48000


def voice_like(seconds: float, rate: int = SOURCE_RATE, seed: int = 7, rumble: float = 0.0) -> np.ndarray:
    """Mono floats: half a second of silence, then ``seconds`` of syllables (a buzz at a pitch and with harmonics drawn
    from ``seed``, rising and falling three to five times a second, a breath of noise), then half a second of silence; ``rumble`` adds a 30 Hz hum."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    pitch = rng.uniform(110.0, 170.0) * (1.0 + 0.08 * np.sin(2 * np.pi * rng.uniform(0.3, 1.2) * t))
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    buzz = sum(rng.uniform(0.2, 1.0) * np.sin(k * phase + rng.uniform(0, 2 * np.pi)) / k for k in range(1, 12))
    syllables = np.sin(np.pi * t * rng.uniform(3.0, 5.0)) ** 2 * (0.5 + 0.5 * np.sin(2 * np.pi * 0.3 * t) ** 2)
    sound = 0.25 * buzz * syllables + 0.01 * rng.standard_normal(len(t)) * syllables
    sound += rumble * np.sin(2 * np.pi * 30.0 * t)
    pad = np.zeros(rate // 2)
    return np.concatenate((pad, sound, pad))


def write_wav(path: Path, samples: np.ndarray, rate: int = SOURCE_RATE) -> Path:
    """Mono floats in [-1, 1] as a 16-bit WAV file."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.clip(np.round(samples * 32767), -32768, 32767).astype("<i2").tobytes())
    return path


def take(path: Path, samples: np.ndarray, kind: str = "wav", rate: int = 44100, channels: int = 2) -> Path:
    """``samples`` (mono floats at SOURCE_RATE) written by ffmpeg to ``path`` as ``kind`` at ``rate`` and ``channels``."""
    codec, container = CODECS[kind]
    source = write_wav(path.with_name(path.name + ".source.wav"), samples)
    ffmpeg = shutil.which("ffmpeg")
    assert ffmpeg, "the tests of recordings need ffmpeg"
    subprocess.run([ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(source), "-ac", str(channels), "-ar", str(rate),
                    "-c:a", codec, "-f", container, str(path)], check=True)
    source.unlink()
    return path


def tone(path: Path, seconds: float, kind: str = "ogg", rate: int = 8000) -> Path:
    """A quiet 440 Hz tone of ``seconds``, made and written by ffmpeg alone (a long one costs no memory here)."""
    codec, container = CODECS[kind]
    ffmpeg = shutil.which("ffmpeg")
    assert ffmpeg, "the tests of recordings need ffmpeg"
    subprocess.run([ffmpeg, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"sine=frequency=440:duration={seconds}:sample_rate={rate}", "-c:a", codec, "-f", container,
                    str(path)], check=True)
    return path
