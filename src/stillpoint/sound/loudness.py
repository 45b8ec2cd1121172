"""Per-clip loudness normalization (ITU-R BS.1770) with a true-peak ceiling.

Each clip is levelled from the clip alone (a gain, and a limiter for peaks that would pass the
ceiling), so playback and export level it exactly alike and the track can still be streamed.
Loudness is measured by libebur128 (through pyebur128) and true peaks by oversampling with numpy's FFT:
both load in milliseconds, where pyloudnorm needs scipy, whose import costs about a second in every
process that measures — the player's first words would wait for it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator

import numpy as np
import pyebur128

from stillpoint.audio import SAMPLE_RATE, Clip

TARGET_LUFS = -19.0
PEAK_DBTP = -1.0
OVERSAMPLING = 4
LIMITER_SECONDS = 0.005  # how early the limiter closes before a peak, and how soon it opens after
LIMITER_SLACK_DB = 0.05  # the limiter aims this far under the ceiling: its smooth gain bends peaks a little
LIMITER_PASSES = 4  # loud peaks carry loudness away when limited; a few make-up passes win it back
LIMITER_TOLERANCE_DB = 0.1
_BLOCK_SECONDS = 0.4
_FFT_GUARD = 1024  # zeros after the clip, so the FFT's wrap-around cannot fold its end onto its start


def _samples(pcm: bytes) -> np.ndarray:
    """Internal PCM as floats in [-1, 1)."""
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768.0


def _integrated_lufs(samples: np.ndarray) -> float:
    """BS.1770 integrated loudness; clips shorter than one gating block are padded with silence."""
    block = int(math.ceil(_BLOCK_SECONDS * SAMPLE_RATE))
    if len(samples) < block:
        samples = np.pad(samples, (0, block - len(samples)))
    state = pyebur128.R128State(1, SAMPLE_RATE, pyebur128.MeasurementMode.MODE_I)
    state.add_frames(np.ascontiguousarray(samples), len(samples))
    return float(pyebur128.get_loudness_global(state))


def _oversampled(samples: np.ndarray) -> Iterator[np.ndarray]:
    """The signal between and on its samples, four times as dense (band-limited interpolation), as four series: its
    value at each sample, and a quarter, a half and three quarters of the way to the next.

    Each series after the first is an inverse FFT, at the clip's length, of its spectrum turned by that fraction of a
    sample: the three cost less than half of one inverse FFT of the whole dense signal (and no strided gathering of
    its samples), and the first is the samples themselves. In single precision (peaks within 3e-7 of double's,
    1e-6 dB) and at a length with no prime factor above 5 rather than a power of two.
    """
    size = _fft_size(len(samples) + _FFT_GUARD)
    spectrum = np.fft.rfft(samples.astype(np.float32), size)
    angle = np.arange(len(spectrum), dtype=np.float32) * np.float32(2 * np.pi / (OVERSAMPLING * size))
    turn = np.cos(angle) + 1j * np.sin(angle)  # a quarter of a sample later; float32 trigonometry, 6x quicker than exp
    for phase in range(OVERSAMPLING):
        series = np.fft.irfft(spectrum, size)[: len(samples)] if phase else samples.astype(np.float32)
        if size % 2 == 0:  # a dense inverse transform counts the highest bin of an even length twice, this one once
            series[0::2] += np.float32(spectrum[-1].real / size)
            series[1::2] -= np.float32(spectrum[-1].real / size)
        yield series
        spectrum = spectrum * turn


def _fft_size(least: int) -> int:
    """The smallest length of at least ``least`` whose prime factors are 2, 3 and 5 only (quick to transform)."""
    best = 1 << (least - 1).bit_length()
    fives = 1
    while fives < best:
        odd = fives
        while odd < best:
            size = odd << max(0, (-(-least // odd) - 1).bit_length())
            best = min(best, size)
            odd *= 3
        fives *= 5
    return best


def _true_peak_dbtp(samples: np.ndarray) -> float:
    """Highest absolute level of the signal oversampled four times, in dBTP."""
    return _dbtp(float(np.max(_oversampled_peaks(samples))) if len(samples) else 0.0)


def _dbtp(peak: float) -> float:
    """A linear peak level in dBTP."""
    return 20.0 * math.log10(peak) if peak > 0 else -math.inf


def measure(pcm: bytes) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of a clip; -inf for silence."""
    samples = _samples(pcm)
    if not np.any(samples):
        return -math.inf, -math.inf
    return _integrated_lufs(samples), _true_peak_dbtp(samples)


def measure_in_blocks(pcm: bytes, block: int) -> tuple[float, float]:
    """``measure(pcm)`` taken ``block`` samples at a time, for a sound too long to oversample at once (a recording)."""
    state = pyebur128.R128State(1, SAMPLE_RATE, pyebur128.MeasurementMode.MODE_I)
    peak = -math.inf
    for start in range(0, len(pcm) // 2, block):
        samples = _samples(pcm[2 * start: 2 * (start + block)])
        state.add_frames(np.ascontiguousarray(samples), len(samples))
        peak = max(peak, _true_peak_dbtp(samples) if np.any(samples) else -math.inf)
    return (float(pyebur128.get_loudness_global(state)) if math.isfinite(peak) else -math.inf), peak


def apply_gain(pcm: bytes, gain: float) -> bytes:
    """Clip ``pcm`` scaled by ``gain``, rounded and clipped to 16 bits."""
    scaled = np.rint(np.frombuffer(pcm, dtype="<i2") * float(gain))
    return np.clip(scaled, -32768, 32767).astype("<i2").tobytes()


def level(pcm: bytes, measured: tuple[float, float], target_lufs: float = TARGET_LUFS,
          peak_dbtp: float = PEAK_DBTP) -> bytes:
    """A clip brought to ``target_lufs``, with a limiter holding down the peaks that would pass ``peak_dbtp``.

    Lowering a peaky clip as a whole, to keep its peaks under the ceiling, would leave it quieter than the
    rest of the practice.
    """
    return _levelled(pcm, measured, target_lufs, peak_dbtp)


def measured_and_levelled(pcm: bytes, target_lufs: float = TARGET_LUFS,
                          peak_dbtp: float = PEAK_DBTP) -> tuple[tuple[float, float], bytes]:
    """``measure(pcm)`` and the clip as ``level`` makes it, oversampling it once for both."""
    samples = _samples(pcm)
    if not np.any(samples):
        return (-math.inf, -math.inf), pcm
    # Oversampling is linear: the peaks of the clip scaled by a gain are these peaks scaled by it.
    peaks = _oversampled_peaks(samples)
    measured = _integrated_lufs(samples), _dbtp(float(np.max(peaks)))
    return measured, _levelled(pcm, measured, target_lufs, peak_dbtp, samples, peaks)


def finished(clip: Clip, wanted: tuple[float, float] | None) -> Clip:
    """``clip`` with its loudness measured and, given ``wanted`` (target LUFS, ceiling dBTP), its levelled form."""
    if wanted and clip.loudness is None:
        measured, levelled = measured_and_levelled(clip.pcm, *wanted)
        return Clip(clip.pcm, measured, (*wanted, levelled))
    measured = clip.loudness or measure(clip.pcm)
    return Clip(clip.pcm, measured, (*wanted, level(clip.pcm, measured, *wanted)) if wanted else None)


def _levelled(pcm: bytes, measured: tuple[float, float], target_lufs: float, peak_dbtp: float,
              samples: np.ndarray | None = None, peaks: np.ndarray | None = None) -> bytes:
    """``level``, given the clip's samples and oversampled peaks where they are known already."""
    lufs, true_peak = measured
    if not math.isfinite(lufs) or not math.isfinite(true_peak):
        return pcm
    gain_db = target_lufs - lufs
    gain = _linear(gain_db)
    if true_peak + gain_db <= peak_dbtp:
        return apply_gain(pcm, gain)
    samples = _samples(pcm) if samples is None else samples
    ceiling = _linear(peak_dbtp - LIMITER_SLACK_DB)
    limited = _limited_to(samples * gain, target_lufs, ceiling, None if peaks is None else peaks * gain)
    return np.clip(np.rint(limited * 32768.0), -32768, 32767).astype("<i2").tobytes()


def _linear(db: float) -> float:
    """A gain in dB as a factor."""
    return 10.0 ** (db / 20.0)


def _limited_to(samples: np.ndarray, target_lufs: float, ceiling: float, peaks: np.ndarray | None) -> np.ndarray:
    """``samples`` (whose oversampled peaks may be known) limited under ``ceiling``, made up for the loudness lost."""
    samples = _limited(samples, ceiling, peaks)
    for _ in range(LIMITER_PASSES):
        shortfall = target_lufs - _integrated_lufs(samples)
        if abs(shortfall) < LIMITER_TOLERANCE_DB:
            break
        samples = _limited(samples * _linear(shortfall), ceiling)
    return samples


def _oversampled_peaks(samples: np.ndarray) -> np.ndarray:
    """For each sample, the highest absolute level of the signal oversampled four times around it."""
    return functools.reduce(np.maximum, map(np.abs, _oversampled(samples)))


def _running_min(values: np.ndarray, radius: int) -> np.ndarray:
    """The minimum over ±radius around each value, in linear time (van Herk / Gil-Werman)."""
    width = 2 * radius + 1
    padded = np.pad(values, (radius, radius + (-(len(values) + 2 * radius)) % width), constant_values=np.inf)
    blocks = padded.reshape(-1, width)
    forward = np.minimum.accumulate(blocks, axis=1).ravel()
    backward = np.minimum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    return np.minimum(backward[: len(values)], forward[width - 1 : width - 1 + len(values)])


def _running_mean(values: np.ndarray, width: int) -> np.ndarray:
    """The mean over ``width`` values centred on each value, the ends extended with their edge values."""
    padded = np.pad(values, (width // 2, width - width // 2), mode="edge")
    sums = np.cumsum(np.concatenate(([0.0], padded)))
    return (sums[width:] - sums[:-width])[: len(values)] / width


def _limited(samples: np.ndarray, ceiling: float, peaks: np.ndarray | None = None) -> np.ndarray:
    """``samples`` under a smooth gain that dips just enough, just around each peak, to keep it under ``ceiling``."""
    width = int(LIMITER_SECONDS * SAMPLE_RATE)
    peaks = _oversampled_peaks(samples) if peaks is None else peaks
    needed = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-9))
    # Averaging over ±width/2 the minimum over ±width never rises above what any peak needs.
    gain = _running_mean(_running_min(needed, width), width)
    return samples * gain
