"""Edges between silence and sound: where they are, how far they step, and fading them so they never click.

Silence is a run of at least SILENCE_RUN samples that are exactly digital zero, and the time before the
first sample and after the last. An edge is where sound meets silence: its step is the size of the sound
sample next to the silence (the step from zero to it, or from it to zero). A step of more than STEP_LIMIT
in one sample is heard as a click in a quiet room.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stillpoint.audio import SAMPLE_RATE

# 32 samples are 1.5 ms at 22.05 kHz: a waveform crossing zero, or a quiet tail rounding to zero, stays on
# exact zero for a few samples only, while a gap of a millisecond or two is heard as the sound stopping.
SILENCE_RUN = 32
STEP_LIMIT = 64  # of 32767: about -54 dBFS in one sample, below what a quiet room lets one hear as a click
# 5 ms: long enough that a raised-cosine rise steps less than 5 from zero even at full scale, short enough
# that a consonant's onset keeps its bite (the ear hears rises under about 10 ms as instant).
FADE = int(0.005 * SAMPLE_RATE)
# Sound between two silences too short to fade (a rise of 35 samples or more keeps a full-scale first step
# under STEP_LIMIT) is a click in itself, not speech: it is made silent.
BLIP = 70


@dataclass(frozen=True)
class Edges:
    """The edges of a stream: how many, how many step by more than STEP_LIMIT, the largest step and where."""

    count: int
    over: int
    largest: int
    at: int  # the sample with the largest step; -1 when there are no edges


def sound_spans(samples: np.ndarray) -> list[tuple[int, int]]:
    """The (start, end) of each stretch of sound between silences, in sample indices (end exclusive)."""
    changes = np.diff(np.concatenate(([True], samples == 0, [True])).astype(np.int8))
    starts, ends = np.flatnonzero(changes == -1), np.flatnonzero(changes == 1)  # of each run of non-zero samples
    breaks = np.flatnonzero(starts[1:] - ends[:-1] >= SILENCE_RUN)  # the zero runs long enough to be silence
    span_starts = np.concatenate((starts[:1], starts[breaks + 1]))
    span_ends = np.concatenate((ends[breaks], ends[-1:]))
    return list(zip(span_starts.tolist(), span_ends.tolist(), strict=True))


def edges(pcm: bytes) -> Edges:
    """The edges of 16-bit PCM and how far each steps."""
    samples = np.frombuffer(pcm, dtype="<i2")
    spans = sound_spans(samples)
    places = np.array([index for start, end in spans for index in (start, end - 1)], dtype=np.int64)
    if not places.size:
        return Edges(0, 0, 0, -1)
    steps = np.abs(samples[places].astype(np.int32))
    worst = int(np.argmax(steps))
    return Edges(len(places), int(np.count_nonzero(steps > STEP_LIMIT)), int(steps[worst]), int(places[worst]))


def faded(pcm: bytes) -> bytes:
    """16-bit PCM with a raised-cosine rise and fall at every edge, and any blip removed; the same length."""
    original = np.frombuffer(pcm, dtype="<i2")
    samples = original.astype(np.float32)
    for start, end in sound_spans(original):
        if end - start < BLIP:
            samples[start:end] = 0.0
            continue
        rise = _rise(min(FADE, (end - start) // 2))
        samples[start:start + len(rise)] *= rise
        samples[end - len(rise):end] *= rise[::-1]
    out = np.rint(samples).astype("<i2")
    # A fade never turns sound into silence (a sample rounded to 0 keeps its sign as 1), so no new edge appears.
    rounded_away = (out == 0) & (samples != 0)
    out[rounded_away] = np.sign(original[rounded_away])
    return out.tobytes()


def _rise(length: int) -> np.ndarray:
    """A raised-cosine rise over ``length`` samples, from just above 0 to just below 1 (its ends lie outside)."""
    x = np.arange(1, length + 1, dtype=np.float32) / np.float32(length + 1)
    return 0.5 - 0.5 * np.cos(np.pi * x)
