"""A deterministic stand-in engine for tests: a quiet tone as long as the words would take."""

from __future__ import annotations

import hashlib

import numpy as np

from stillpoint.audio import SAMPLE_RATE, Clip, seconds_to_samples
from stillpoint.voice.engine import VoiceInfo, resolve_voice

FAKE_VOICES = (
    VoiceInfo("fake/fake-a", "Fake Voice A", ("en",)),
    VoiceInfo("fake/fake-b", "Fake Voice B", ("en",)),
    # The default voice of practices, and espeak-ng's most named one, so the built-in ones run on it too.
    VoiceInfo("fake/heart", "Fake Heart", ("en-us",)),
    VoiceInfo("fake/en-us", "Fake English (America)", ("en-us",)),
)
TAIL_SECONDS = 0.2
AMPLITUDE = 3000  # about -20 dBFS: clearly not silent, never loud
LOWEST_PITCH, PITCH_SPAN = 150.0, 400.0


class FakeEngine:
    """Fast, dependency-free engine whose output depends only on its inputs."""

    name = "fake"
    floor = 100  # words per minute: slower lines are said in phrases with pauses, as by the real engines

    @classmethod
    def version(cls) -> str:
        """The fake engine never changes."""
        return "1"

    def voices(self) -> list[VoiceInfo]:
        """The fake voices."""
        return list(FAKE_VOICES)

    def synthesize(self, text: str, voice: str, rate: int) -> Clip:
        """A tone lasting words x 60/rate seconds plus a short tail, pitched by the text."""
        resolve_voice(voice, FAKE_VOICES)
        seconds = len(text.split()) * 60 / rate + TAIL_SECONDS
        return Clip(tone(pitch_of(text), seconds))


def pitch_of(text: str) -> float:
    """A frequency in Hz picked by a hash of the text, so different texts sound different."""
    fraction = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") / 2**32
    return LOWEST_PITCH + fraction * PITCH_SPAN


def tone(frequency: float, seconds: float) -> bytes:
    """A quiet sine wave as internal-format PCM."""
    times = np.arange(seconds_to_samples(seconds)) / SAMPLE_RATE
    return (AMPLITUDE * np.sin(2 * np.pi * frequency * times)).astype("<i2").tobytes()
