"""A soft singing-bowl bell made from a few decaying partials; no recorded assets."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from stillpoint.audio import SAMPLE_RATE

FUNDAMENTAL = 216.0
# (ratio to the fundamental, relative amplitude, decay time in seconds): inharmonic, like a bowl.
PARTIALS = ((1.0, 1.0, 4.5), (2.71, 0.45, 2.8), (5.18, 0.22, 1.6), (8.4, 0.08, 0.9))
BEAT_HZ = 1.3  # each partial is a slightly detuned pair, which gives the bowl its slow shimmer
ATTACK = 0.012
PEAK = 0.25  # of full scale, before the bell volume
# The bell is the first sound of a practice: it is computed a chunk at a time, the first one going to the
# sound card before the rest exists. Its loudest moment is the strike: after PEAK_WITHIN seconds the
# partials' decaying amplitudes add up to less than that peak, so the first second is enough to find it.
CHUNK_SECONDS = 0.25
PEAK_WITHIN = 1.0


def bell(seconds: float, volume: float = 1.0) -> Iterator[bytes]:
    """``seconds`` of a struck bowl ringing out, as internal PCM in short chunks; silent at the end."""
    count = int(round(seconds * SAMPLE_RATE))
    tail = _tail(count)
    peak = np.max(np.abs(_sound(0, min(count, int(PEAK_WITHIN * SAMPLE_RATE)), tail)), initial=0.0) or 1.0
    step = int(CHUNK_SECONDS * SAMPLE_RATE)
    for start in range(0, count, step):
        sound = _sound(start, min(start + step, count), tail)
        yield (sound / peak * PEAK * volume * 32767).astype("<i2").tobytes()


def _sound(start: int, end: int, tail: np.ndarray) -> np.ndarray:
    """Samples ``start`` to ``end`` of the bowl's sound, before scaling."""
    t = np.arange(start, end) / SAMPLE_RATE
    # Each partial is a pair detuned by BEAT_HZ: sin(a) + sin(b) = 2 sin((a+b)/2) cos((a-b)/2), and the
    # cosine, the slow beat, is the same for every pair, so it is computed once.
    beat = 2 * np.cos(np.pi * BEAT_HZ * t)
    wave = beat * sum(_partial(t, ratio, amplitude, decay) for ratio, amplitude, decay in PARTIALS)
    return wave * (np.minimum(t / ATTACK, 1.0) * tail[start:end])


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
