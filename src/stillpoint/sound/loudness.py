"""Per-clip loudness normalization (ITU-R BS.1770) with a true-peak ceiling.

Each clip gets its own gain, computed from the clip alone, so playback and
export apply exactly the same gains and the track can still be streamed.
"""

from __future__ import annotations

import math

import numpy as np
import pyloudnorm
from scipy.signal import resample_poly

from stillpoint.audio import SAMPLE_RATE

TARGET_LUFS = -19.0
PEAK_DBTP = -1.0
OVERSAMPLING = 4
_BLOCK_SECONDS = 0.4
_METER = pyloudnorm.Meter(SAMPLE_RATE, block_size=_BLOCK_SECONDS)


def _samples(pcm: bytes) -> np.ndarray:
    """Internal PCM as floats in [-1, 1)."""
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768.0


def _integrated_lufs(samples: np.ndarray) -> float:
    """BS.1770 integrated loudness; clips shorter than one gating block are padded with silence."""
    block = int(math.ceil(_BLOCK_SECONDS * SAMPLE_RATE))
    if len(samples) < block:
        samples = np.pad(samples, (0, block - len(samples)))
    with np.errstate(divide="ignore"):
        return float(_METER.integrated_loudness(samples))


def _true_peak_dbtp(samples: np.ndarray) -> float:
    """Highest absolute level of the signal oversampled four times, in dBTP."""
    peak = np.max(np.abs(resample_poly(samples, OVERSAMPLING, 1))) if len(samples) else 0.0
    return 20.0 * math.log10(peak) if peak > 0 else -math.inf


def measure(pcm: bytes) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of a clip; -inf for silence."""
    samples = _samples(pcm)
    if not np.any(samples):
        return -math.inf, -math.inf
    return _integrated_lufs(samples), _true_peak_dbtp(samples)


def clip_gain(pcm: bytes, target_lufs: float = TARGET_LUFS, peak_dbtp: float = PEAK_DBTP) -> float:
    """Linear gain that brings a clip to ``target_lufs`` without its true peak exceeding ``peak_dbtp``."""
    lufs, true_peak = measure(pcm)
    if not math.isfinite(lufs) or not math.isfinite(true_peak):
        return 1.0
    gain_db = min(target_lufs - lufs, peak_dbtp - true_peak)
    return 10.0 ** (gain_db / 20.0)


def apply_gain(pcm: bytes, gain: float) -> bytes:
    """Clip ``pcm`` scaled by ``gain``, rounded and clipped to 16 bits."""
    scaled = np.rint(np.frombuffer(pcm, dtype="<i2") * float(gain))
    return np.clip(scaled, -32768, 32767).astype("<i2").tobytes()
