"""One engine's samples made into a clip: resampled to the internal rate, trimmed, and with no steps at silences.

Every engine hands its raw output here, so clips from all engines share one shape: the speech starts
``LEAD_SECONDS`` after the clip does and stops ``TAIL_SECONDS`` before it ends, whatever silence the engine
itself put around it, and no edge between digital silence and sound steps by more than ``MAX_EDGE_STEP``.
"""

from __future__ import annotations

import numpy as np
import soxr

from stillpoint.audio import SAMPLE_RATE, Clip
from stillpoint.errors import SynthesisError

# Part of the cache key: change it whenever the shaping below changes what a clip holds.
SHAPE_VERSION = 1

# Speech starts where a sample first comes within this many dB of the clip's peak, and ends where one last
# does. -50 dB keeps soft onsets and endings (a breathy "h", an "f", the decay of an "ng" are 30-45 dB
# down) while sitting far above the engines' own silence (hibari's floor is about -130 dB, espeak's is zero).
SOUND_THRESHOLD_DB = -50.0
LEAD_SECONDS = 0.02  # kept before the onset: the rise of a consonant that starts under the threshold
TAIL_SECONDS = 0.08  # kept after the last sound: the room a voice's decay needs so it does not sound cut off
FADE_SECONDS = 0.005  # the raised-cosine fade at the clip's edges and at every digital silence inside it
# A run of this many exact zeros is digital silence (espeak pads pauses with it); a single zero is just
# the waveform crossing the axis.
ZERO_RUN_SAMPLES = 2
MAX_EDGE_STEP = 64  # of 32767: the largest step into or out of digital silence a fade leaves
FULL_SCALE = 32767
SILENT_HINT = "the line may hold nothing the engine can pronounce; reword it"


def shape(samples: np.ndarray, rate: int) -> Clip:
    """Mono float ([-1, 1]) or int16 samples at ``rate`` as a trimmed, faded clip at the internal rate."""
    audio = trimmed(resampled(as_full_scale(samples), rate))
    return Clip(faded(audio).astype("<i2").tobytes())


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
    loud = np.flatnonzero(level >= peak * 10 ** (SOUND_THRESHOLD_DB / 20))
    start = max(0, loud[0] - round(LEAD_SECONDS * SAMPLE_RATE))
    end = min(len(audio), loud[-1] + 1 + round(TAIL_SECONDS * SAMPLE_RATE))
    return audio[start:end]


def faded(audio: np.ndarray) -> np.ndarray:
    """Audio faded in and out, and into and out of every run of digital silence in it, as int16 samples.

    A fade can round quiet samples to zero and so lengthen a run of silence up to a louder sample; such a
    run is faded again, until no edge of silence steps by more than ``MAX_EDGE_STEP``. Each pass leaves the
    samples it fades beside a run at most ~7 from silence for good, so the passes end (one or two in practice).
    """
    audio = np.clip(audio, -FULL_SCALE - 1, FULL_SCALE)  # so a faded sample beside silence is at most ~7
    gains = np.ones(len(audio))
    ramp = fade_ramp(round(FADE_SECONDS * SAMPLE_RATE))
    _fade_in_at(gains, 0, ramp)
    _fade_out_at(gains, len(audio) - 1, ramp)
    runs = zero_runs(np.round(audio))
    while True:
        for first, last in runs:
            _fade_out_at(gains, first, ramp)
            _fade_in_at(gains, last, ramp)
        pcm = np.round(audio * gains).astype(np.int16)
        runs = [run for run in zero_runs(pcm) if edge_step(pcm, run) > MAX_EDGE_STEP]
        if not runs:
            return pcm


def edge_step(pcm: np.ndarray, run: tuple[int, int]) -> int:
    """The larger step out of silence at either end of the run of zeros ``run`` in pcm."""
    first, last = run
    return max((abs(int(pcm[i])) for i in (first - 1, last + 1) if 0 <= i < len(pcm)), default=0)


def fade_ramp(length: int) -> np.ndarray:
    """A raised-cosine rise from exactly 0: its second gain is ~(pi/2n)^2, so even full scale steps by < 64."""
    return np.sin(np.pi / 2 * np.arange(length) / length) ** 2


def zero_runs(audio: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of every run of at least ``ZERO_RUN_SAMPLES`` exact zeros."""
    zero = np.concatenate(([False], audio == 0, [False]))
    changes = np.flatnonzero(zero[1:] != zero[:-1])
    starts, ends = changes[0::2], changes[1::2]
    return [(int(s), int(e) - 1) for s, e in zip(starts, ends) if e - s >= ZERO_RUN_SAMPLES]


def _fade_in_at(gains: np.ndarray, index: int, ramp: np.ndarray) -> None:
    """Lower gains so they rise along ramp from 0 at ``index`` onwards."""
    span = gains[index : index + len(ramp)]
    np.minimum(span, ramp[: len(span)], out=span)


def _fade_out_at(gains: np.ndarray, index: int, ramp: np.ndarray) -> None:
    """Lower gains so they fall along ramp to 0 at ``index``."""
    start = max(0, index + 1 - len(ramp))
    span = gains[start : index + 1]
    np.minimum(span, ramp[::-1][len(ramp) - len(span) :], out=span)
