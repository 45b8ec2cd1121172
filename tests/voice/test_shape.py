"""Shaping an engine's samples into a clip, on synthetic arrays: resampling and trimming."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stillpoint.audio import SAMPLE_RATE
from stillpoint.errors import SynthesisError
from stillpoint.voice.shape import (
    LEAD_SECONDS,
    SHAPE_VERSION,
    SOUND_THRESHOLD_DB,
    TAIL_SECONDS,
    shape,
)

LEAD, TAIL = round(LEAD_SECONDS * SAMPLE_RATE), round(TAIL_SECONDS * SAMPLE_RATE)


def tone(seconds: float, rate: int = SAMPLE_RATE, frequency: float = 440.0, amplitude: float = 10000.0) -> np.ndarray:
    """A sine tone as int16 samples, starting at its crest so that it steps from silence."""
    t = np.arange(round(seconds * rate)) / rate
    return np.round(amplitude * np.cos(2 * np.pi * frequency * t)).astype(np.int16)


def silence(seconds: float, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Exact digital zeros."""
    return np.zeros(round(seconds * rate), np.int16)


def samples_of(clip) -> np.ndarray:
    """A clip's PCM as int16 samples."""
    return np.frombuffer(clip.pcm, dtype="<i2")


def test_shape_version_is_an_int_for_the_cache_key():
    assert isinstance(SHAPE_VERSION, int)


def test_a_tone_at_another_rate_is_resampled_keeping_its_length_and_pitch():
    audio = samples_of(shape(tone(1.0, rate=24000, frequency=1000.0), 24000))
    assert abs(len(audio) - SAMPLE_RATE) <= 2
    spectrum = np.abs(np.fft.rfft(audio.astype(float)))
    assert abs(np.fft.rfftfreq(len(audio), 1 / SAMPLE_RATE)[spectrum.argmax()] - 1000.0) < 2.0


def test_resampling_is_not_linear_interpolation():
    # Linear interpolation of a 9 kHz tone from 24 kHz leaves images that soxr's filter removes.
    audio = samples_of(shape(tone(1.0, rate=24000, frequency=9000.0, amplitude=20000.0), 24000))
    assert image_fraction(audio[1000:-1000], 9000.0) < 1e-5
    linear = np.interp(np.arange(SAMPLE_RATE) * 24000 / SAMPLE_RATE, np.arange(24000), tone(1.0, 24000, 9000.0))
    assert image_fraction(linear[1000:-1000], 9000.0) > 1e-3


def image_fraction(audio: np.ndarray, frequency: float) -> float:
    """The fraction of audio's energy (Hann-windowed) further than 100 Hz from ``frequency``."""
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(len(audio)))) ** 2
    frequencies = np.fft.rfftfreq(len(audio), 1 / SAMPLE_RATE)
    return float(spectrum[np.abs(frequencies - frequency) > 100].sum() / spectrum.sum())


def test_float_samples_are_taken_as_full_scale_at_one():
    audio = samples_of(shape(np.full(SAMPLE_RATE, 0.5, np.float32), SAMPLE_RATE))
    assert np.all(audio[SAMPLE_RATE // 4 : SAMPLE_RATE // 2] == 16384)


def test_the_engines_silence_is_trimmed_to_a_short_lead_and_tail():
    audio = samples_of(shape(np.concatenate([silence(1.0), tone(0.5), silence(1.0)]), SAMPLE_RATE))
    assert len(audio) == LEAD + round(0.5 * SAMPLE_RATE) + TAIL


def test_a_noise_floor_far_below_the_speech_is_trimmed_but_a_soft_onset_is_kept():
    rng = np.random.default_rng(0)
    floor = rng.normal(0, 10000 * 10 ** (-70 / 20), SAMPLE_RATE)  # the floor of a neural engine's silence
    soft = tone(0.1, amplitude=10000 * 10 ** (-40 / 20)).astype(float)
    audio = samples_of(shape(np.concatenate([floor, soft, tone(0.5), floor]) / 32767, SAMPLE_RATE))
    assert len(audio) == LEAD + round(0.6 * SAMPLE_RATE) + TAIL


def test_nothing_but_silence_is_refused():
    with pytest.raises(SynthesisError, match="only silence"):
        shape(silence(0.5), SAMPLE_RATE)
    with pytest.raises(SynthesisError, match="only silence"):
        shape(np.zeros(0, np.float32), 24000)


@st.composite
def engine_output(draw) -> tuple[np.ndarray, int]:
    """Tones of any level and length separated by runs of digital silence, as espeak-ng speaks them."""
    rate = draw(st.sampled_from([SAMPLE_RATE, 24000, 16000]))
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        parts.append(silence(draw(st.integers(0, 3000)) / rate, rate))
        seconds = draw(st.integers(1, 4000)) / rate
        frequency = draw(st.floats(60.0, rate / 2.5))
        parts.append(tone(seconds, rate, frequency, draw(st.floats(2.0, 32767.0))))
    parts.append(silence(draw(st.integers(0, 3000)) / rate, rate))
    return np.concatenate(parts), rate


@settings(max_examples=100, deadline=None)
@given(engine_output())
def test_shaping_never_lengthens_and_keeps_every_sound(output):
    raw, rate = output
    audio = samples_of(shape(raw, rate))
    loud = np.flatnonzero(np.abs(raw) >= np.abs(raw).max() * 10 ** (SOUND_THRESHOLD_DB / 20))
    sound_seconds = (loud[-1] + 1 - loud[0]) / rate
    assert len(audio) <= round(len(raw) * SAMPLE_RATE / rate) + 1
    assert len(audio) >= round(sound_seconds * SAMPLE_RATE) - 2
