"""Per-clip loudness normalization: target loudness, true-peak ceiling, silence."""

import math

import numpy as np
import pyloudnorm
import pytest
from scipy.signal import butter, resample_poly, sosfilt

from stillpoint.audio import SAMPLE_RATE
from stillpoint.sound.loudness import apply_gain, level, measure, measured_and_levelled


def to_pcm(samples: np.ndarray) -> bytes:
    """Float samples in [-1, 1] as internal PCM."""
    return np.clip(np.rint(samples * 32768), -32768, 32767).astype("<i2").tobytes()


def from_pcm(pcm: bytes) -> np.ndarray:
    """Internal PCM as float samples."""
    return np.frombuffer(pcm, dtype="<i2") / 32768.0


def speech_like(seconds: float, amplitude: float, seed: int = 1) -> np.ndarray:
    """Band-limited noise in syllable-sized bursts with short gaps, like a spoken sentence."""
    rng = np.random.default_rng(seed)
    band = butter(4, [300, 3400], btype="band", fs=SAMPLE_RATE, output="sos")
    noise = sosfilt(band, rng.standard_normal(int(seconds * SAMPLE_RATE)))
    envelope = np.zeros_like(noise)
    position = 0
    while position < len(noise):
        burst = int(rng.uniform(0.12, 0.35) * SAMPLE_RATE)
        envelope[position : position + burst] = np.hanning(burst)[: len(envelope[position : position + burst])]
        position += burst + int(rng.uniform(0.05, 0.3) * SAMPLE_RATE)
    shaped = noise * envelope
    return shaped / np.max(np.abs(shaped)) * amplitude


def clip_gain(pcm: bytes, target_lufs: float = -19.0, peak_dbtp: float = -1.0) -> float:
    """Plain gain to the target, held down so the true peak stays under the ceiling: what level() improves on."""
    lufs, true_peak = measure(pcm)
    if not math.isfinite(lufs):
        return 1.0
    return 10.0 ** (min(target_lufs - lufs, peak_dbtp - true_peak) / 20.0)


def reference_lufs(pcm: bytes) -> float:
    """Integrated loudness measured directly with pyloudnorm."""
    return pyloudnorm.Meter(SAMPLE_RATE).integrated_loudness(from_pcm(pcm))


def reference_true_peak(pcm: bytes) -> float:
    """True peak in dBTP, 4x oversampled."""
    return 20 * math.log10(np.max(np.abs(resample_poly(from_pcm(pcm), 4, 1))))


@pytest.mark.parametrize("amplitude", [0.02, 0.08, 0.6])
def test_speech_like_clips_are_brought_to_minus_19_lufs(amplitude):
    pcm = to_pcm(speech_like(6.0, amplitude))
    assert abs(reference_lufs(pcm) + 19) > 3  # the clip starts well away from the target
    normalized = apply_gain(pcm, clip_gain(pcm))
    assert reference_lufs(normalized) == pytest.approx(-19.0, abs=0.5)
    assert reference_true_peak(normalized) <= -1.0 + 0.05


def test_other_targets_are_honoured():
    pcm = to_pcm(speech_like(4.0, 0.1, seed=7))
    normalized = apply_gain(pcm, clip_gain(pcm, target_lufs=-24.0))
    assert reference_lufs(normalized) == pytest.approx(-24.0, abs=0.5)


def test_a_clip_with_sharp_peaks_is_limited_to_the_true_peak_ceiling():
    samples = speech_like(4.0, 0.01, seed=3)
    samples[SAMPLE_RATE :: SAMPLE_RATE // 2] = 0.5  # clicks far above the speech
    pcm = to_pcm(samples)
    normalized = apply_gain(pcm, clip_gain(pcm))
    assert reference_true_peak(normalized) <= -1.0 + 0.05
    assert reference_true_peak(normalized) > -1.5
    assert reference_lufs(normalized) < -19.0 - 3  # the ceiling, not the target, decided the gain


def test_true_peak_counts_peaks_between_samples():
    # A sine at a quarter of the rate, sampled 45 degrees off its crests: samples
    # reach only 0.707 of the real peak.
    n = np.arange(SAMPLE_RATE)
    samples = 0.9 * np.sin(2 * np.pi * n / 4 + np.pi / 4)
    _, true_peak = measure(to_pcm(samples))
    assert np.max(np.abs(samples)) == pytest.approx(0.9 * math.sqrt(0.5), abs=1e-3)
    assert true_peak == pytest.approx(20 * math.log10(0.9), abs=0.2)


@pytest.mark.parametrize("samples", [22050, 40961, 100003])
def test_true_peak_agrees_with_double_precision_oversampling_at_a_power_of_two(samples):
    pcm = to_pcm(speech_like(samples / SAMPLE_RATE, 0.7, seed=samples))
    floats = from_pcm(pcm)
    size = 1 << (len(floats) + 1024 - 1).bit_length()
    exact = np.fft.irfft(np.fft.rfft(floats, size), 4 * size)[: 4 * len(floats)] * 4
    assert measure(pcm)[1] == pytest.approx(20 * math.log10(np.max(np.abs(exact))), abs=1e-5)


def test_measure_matches_the_bs1770_reference_sine():
    # A 997 Hz sine at 0.5 (-6.02 dBFS) in one channel reads -3.01 dB lower in LUFS.
    n = np.arange(3 * SAMPLE_RATE)
    lufs, true_peak = measure(to_pcm(0.5 * np.sin(2 * np.pi * 997 * n / SAMPLE_RATE)))
    assert lufs == pytest.approx(-9.03, abs=0.1)
    assert true_peak == pytest.approx(-6.02, abs=0.05)


@pytest.mark.parametrize("pcm", [b"", bytes(2 * SAMPLE_RATE)], ids=["empty", "one second of silence"])
def test_silence_gets_unit_gain(pcm):
    assert clip_gain(pcm) == 1.0
    assert measure(pcm) == (-math.inf, -math.inf)


def test_a_clip_below_the_absolute_gate_gets_unit_gain():
    pcm = to_pcm(speech_like(2.0, 10 ** (-85 / 20)))
    assert clip_gain(pcm) == 1.0


def test_clips_shorter_than_one_gating_block_are_measured():
    pcm = to_pcm(speech_like(0.2, 0.05, seed=5))
    lufs, _ = measure(pcm)
    assert math.isfinite(lufs)
    gain = clip_gain(pcm)
    assert gain > 1.0
    assert reference_true_peak(apply_gain(pcm, gain)) <= -1.0 + 0.05


def test_apply_gain_rounds_and_clips_to_16_bits():
    pcm = np.array([1000, -1000, 30000, -30000, 3], dtype="<i2").tobytes()
    result = np.frombuffer(apply_gain(pcm, 2.0), dtype="<i2")
    assert result.tolist() == [2000, -2000, 32767, -32768, 6]
    assert np.frombuffer(apply_gain(pcm, 0.5), dtype="<i2").tolist() == [500, -500, 15000, -15000, 2]


def clicky(seed: int = 3) -> bytes:
    """Quiet speech with clicks far above it: lowering the whole clip to fit the clicks would leave it quiet."""
    samples = speech_like(4.0, 0.01, seed=seed)
    samples[SAMPLE_RATE :: SAMPLE_RATE // 2] = 0.5
    return to_pcm(samples)


@pytest.mark.parametrize("ceiling", [-1.0, -2.0, -3.0])
def test_level_reaches_the_target_and_limits_the_peaks_that_would_pass_the_ceiling(ceiling):
    pcm = clicky()
    levelled = level(pcm, measure(pcm), -19.0, ceiling)
    assert reference_lufs(levelled) == pytest.approx(-19.0, abs=0.3)
    assert reference_true_peak(levelled) <= ceiling
    assert reference_lufs(apply_gain(pcm, clip_gain(pcm, -19.0, ceiling))) < -19.0 - 3  # what plain gain gives


def test_level_changes_the_sound_only_around_the_peaks():
    pcm = clicky()
    original, levelled = from_pcm(pcm), from_pcm(level(pcm, measure(pcm)))
    far = np.ones(len(levelled), dtype=bool)
    for click in range(SAMPLE_RATE, len(far), SAMPLE_RATE // 2):
        far[click - SAMPLE_RATE // 50 : click + SAMPLE_RATE // 50] = False
    gain = np.dot(levelled[far], original[far]) / np.dot(original[far], original[far])
    assert gain > 10
    assert np.allclose(levelled[far], original[far] * gain, atol=2 / 32768)
    assert not np.allclose(levelled[~far], original[~far] * gain, atol=2 / 32768)


@pytest.mark.parametrize("amplitude", [0.02, 0.3])
def test_level_is_a_plain_gain_when_no_peak_would_pass_the_ceiling(amplitude):
    n = np.arange(3 * SAMPLE_RATE)
    pcm = to_pcm(amplitude * np.sin(2 * np.pi * 440 * n / SAMPLE_RATE))
    assert level(pcm, measure(pcm)) == apply_gain(pcm, clip_gain(pcm))
    assert reference_lufs(level(pcm, measure(pcm))) == pytest.approx(-19.0, abs=0.1)


@pytest.mark.parametrize("pcm", [b"", bytes(2 * SAMPLE_RATE)], ids=["empty", "one second of silence"])
def test_level_leaves_silence_silent(pcm):
    assert level(pcm, measure(pcm)) == pcm


def test_level_takes_the_louder_targets_players_ask_for():
    pcm = to_pcm(speech_like(6.0, 0.6, seed=11))
    levelled = level(pcm, measure(pcm), -14.0, -1.0)
    assert reference_lufs(levelled) == pytest.approx(-14.0, abs=0.3)
    assert reference_true_peak(levelled) <= -1.0


@pytest.mark.parametrize(
    ("pcm", "limited"),
    [
        (clicky(), True),
        (clicky(seed=13), True),
        (to_pcm(speech_like(3.0, 0.05, seed=17)), False),
        (bytes(2 * SAMPLE_RATE), False),
        (b"", False),
    ],
    ids=["clicks", "other clicks", "speech", "silence", "empty"],
)
def test_measuring_and_levelling_at_once_gives_what_each_gives(pcm, limited):
    measured, levelled = measured_and_levelled(pcm, -19.0, -2.0)
    assert measured == measure(pcm)
    plain = apply_gain(pcm, clip_gain(pcm, -19.0, -2.0))
    assert (levelled != plain) == limited  # the limiter path, where the oversampled peaks are reused, is taken
    expected = np.frombuffer(level(pcm, measure(pcm), -19.0, -2.0), dtype="<i2").astype(int)
    # Peaks of the scaled clip are the clip's peaks scaled: equal but for the last bit of a float.
    assert np.abs(np.frombuffer(levelled, dtype="<i2") - expected).max(initial=0) <= 1
