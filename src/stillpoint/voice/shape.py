"""One engine's samples made into a clip: resampled to the internal rate and trimmed to a short natural tail.

Every engine hands its raw output here, so clips from all engines share one shape: the speech starts
``LEAD_SECONDS`` after the clip does and stops ``TAIL_SECONDS`` before it ends, whatever silence the engine
itself put around it. The fades at every edge between silence and sound are the renderer's (sound/seams.py),
so they hold for any clip, cached or new, from any engine.
"""

from __future__ import annotations

import numpy as np
import soxr

from stillpoint.audio import SAMPLE_RATE, Clip
from stillpoint.errors import SynthesisError

# Part of the cache key: change it whenever the shaping below changes what a clip holds.
SHAPE_VERSION = 2

# Speech starts where a sample first comes within this many dB of the clip's peak, and ends where one last
# does. -50 dB keeps soft onsets and endings (a breathy "h", an "f", the decay of an "ng" are 30-45 dB
# down) while sitting far above the engines' own silence (hibari's floor is about -130 dB, espeak's is zero).
SOUND_THRESHOLD_DB = -50.0
LEAD_SECONDS = 0.02  # kept before the onset: the rise of a consonant that starts under the threshold
TAIL_SECONDS = 0.08  # kept after the last sound: the room a voice's decay needs so it does not sound cut off
FULL_SCALE = 32767
SILENT_HINT = "the line may hold nothing the engine can pronounce; reword it"


def shape(samples: np.ndarray, rate: int) -> Clip:
    """Mono float ([-1, 1]) or int16 samples at ``rate`` as a trimmed clip at the internal rate."""
    audio = trimmed(resampled(as_full_scale(samples), rate))
    return Clip(np.clip(np.round(audio), -FULL_SCALE - 1, FULL_SCALE).astype("<i2").tobytes())


def as_full_scale(samples: np.ndarray) -> np.ndarray:
    """Samples as float64 on the int16 scale, whether they came as floats in [-1, 1] or as integers."""
    samples = np.asarray(samples)
    if samples.ndim != 1:
        raise ValueError(f"shape() takes mono samples, not an array of shape {samples.shape}")
    if np.issubdtype(samples.dtype, np.floating):
        return samples.astype(np.float64) * FULL_SCALE
    return samples.astype(np.float64)


def resampled(audio: np.ndarray, rate: int) -> np.ndarray:
    """Audio at ``rate`` re-timed to the internal rate by soxr's high-quality resampler."""
    if rate == SAMPLE_RATE or len(audio) == 0:
        return audio
    return soxr.resample(audio, rate, SAMPLE_RATE, quality="HQ")


def trimmed(audio: np.ndarray) -> np.ndarray:
    """The sound in audio with ``LEAD_SECONDS`` before it and ``TAIL_SECONDS`` after it, never more."""
    level = np.abs(audio)
    peak = float(level.max()) if len(level) else 0.0
    if peak < 1.0:  # below one step of 16-bit audio: nothing would be heard
        raise SynthesisError("the speech engine returned only silence for this line", hint=SILENT_HINT)
    loud = level >= peak * 10 ** (SOUND_THRESHOLD_DB / 20)
    first, last = int(np.argmax(loud)), len(loud) - 1 - int(np.argmax(loud[::-1]))  # no index array: a take is long
    start = max(0, first - round(LEAD_SECONDS * SAMPLE_RATE))
    end = min(len(audio), last + 1 + round(TAIL_SECONDS * SAMPLE_RATE))
    return audio[start:end]
