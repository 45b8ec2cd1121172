"""Shaping an engine's samples into a clip, on synthetic arrays: resampling, trimming, fades at silences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stillpoint.audio import SAMPLE_RATE
from stillpoint.errors import SynthesisError
from stillpoint.voice.shape import (
    LEAD_SECONDS,
    MAX_EDGE_STEP,
    SHAPE_VERSION,
    SOUND_THRESHOLD_DB,
    TAIL_SECONDS,
    ZERO_RUN_SAMPLES,
    shape,
    zero_runs,
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


def edge_steps(audio: np.ndarray) -> list[int]:
    """The step into and out of every run of digital silence: the sample beside each end of the run."""
    steps = []
    for first, last in zero_runs(audio):
        steps += [abs(int(audio[i])) for i in (first - 1, last + 1) if 0 <= i < len(audio)]
    return steps


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


def test_the_first_and_last_samples_are_zero():
    audio = samples_of(shape(tone(0.3, amplitude=30000), SAMPLE_RATE))
    assert audio[0] == audio[-1] == 0
    assert np.abs(audio).max() > 25000


def test_a_pause_of_digital_silence_inside_a_clip_is_kept_but_faded_into_and_out_of():
    raw = np.concatenate([tone(0.4, amplitude=30000), silence(0.3), tone(0.4, amplitude=30000)])
    assert max(edge_steps(raw)) > 10000
    audio = samples_of(shape(raw, SAMPLE_RATE))
    assert len(audio) == len(raw) + LEAD + TAIL - LEAD - TAIL  # nothing trimmed: the tones fill the ends
    assert max(edge_steps(audio)) <= MAX_EDGE_STEP
    assert any(last - first > 0.25 * SAMPLE_RATE for first, last in zero_runs(audio))


def test_a_single_zero_is_a_crossing_not_a_silence():
    assert zero_runs(np.array([5, 0, -5, 0, 0, 7])) == [(3, 4)]
    assert ZERO_RUN_SAMPLES == 2


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


@settings(max_examples=200, deadline=None)
@given(engine_output())
def test_no_edge_of_silence_steps_by_more_than_the_limit(output):
    raw, rate = output
    audio = samples_of(shape(raw, rate))
    assert audio[0] == audio[-1] == 0
    assert max(edge_steps(audio), default=0) <= MAX_EDGE_STEP


@settings(max_examples=100, deadline=None)
@given(engine_output())
def test_shaping_never_lengthens_and_keeps_every_sound(output):
    raw, rate = output
    audio = samples_of(shape(raw, rate))
    loud = np.flatnonzero(np.abs(raw) >= np.abs(raw).max() * 10 ** (SOUND_THRESHOLD_DB / 20))
    sound_seconds = (loud[-1] + 1 - loud[0]) / rate
    assert len(audio) <= round(len(raw) * SAMPLE_RATE / rate) + 1
    assert len(audio) >= round(sound_seconds * SAMPLE_RATE) - 2
