"""A soft singing-bowl bell made from a few decaying partials; no recorded assets."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from stillpoint.audio import SAMPLE_RATE

FUNDAMENTAL = 216.0
# (ratio to the fundamental, relative amplitude, decay time in seconds): inharmonic, like a bowl.
PARTIALS = ((1.0, 1.0, 4.5), (2.71, 0.45, 2.8), (5.18, 0.22, 1.6), (8.4, 0.08, 0.9))
BEAT_HZ = 1.3  # each partial is a slightly detuned pair, which gives the bowl its slow shimmer
ATTACK = 0.012
PEAK = 0.25  # of full scale, before the bell volume


@lru_cache(maxsize=8)
def bell(seconds: float, volume: float = 1.0) -> bytes:
    """``seconds`` of a struck bowl ringing out, as internal PCM; silent at the end."""
    count = int(round(seconds * SAMPLE_RATE))
    t = np.arange(count) / SAMPLE_RATE
    # Each partial is a pair detuned by BEAT_HZ: sin(a) + sin(b) = 2 sin((a+b)/2) cos((a-b)/2), and the
    # cosine, the slow beat, is the same for every pair, so it is computed once (the bell is the first sound).
    beat = 2 * np.cos(np.pi * BEAT_HZ * t)
    wave = beat * sum(_partial(t, ratio, amplitude, decay) for ratio, amplitude, decay in PARTIALS)
    envelope = np.minimum(t / ATTACK, 1.0) * _tail(count)
    signal = wave * envelope
    peak = np.max(np.abs(signal)) or 1.0
    return (signal / peak * PEAK * volume * 32767).astype("<i2").tobytes()


def _partial(t: np.ndarray, ratio: float, amplitude: float, decay: float) -> np.ndarray:
    """One partial's pair of tones without their common beat, decaying."""
    middle = FUNDAMENTAL * ratio + BEAT_HZ / 2
    return amplitude * np.sin(2 * np.pi * middle * t) * np.exp(-t / decay)


def _tail(count: int) -> np.ndarray:
    """A half-second fade so the bell reaches true silence at the end of its time."""
    fade = min(count, SAMPLE_RATE // 2)
    tail = np.ones(count)
    tail[count - fade:] = np.linspace(1.0, 0.0, fade)
    return tail
