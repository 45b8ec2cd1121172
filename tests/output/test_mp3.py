"""MP3 encoding: copying LAME's output for long silences gives the very bytes encoding them does."""

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from stillpoint.audio import SAMPLE_RATE
from stillpoint.output.export import MP3_BITRATES
from stillpoint.output.mp3 import SilenceSkippingEncoder, mp3_encoder

AMPLITUDES = (1, 2, 100, 3000, 32767)
# Whole seconds and a fraction are drawn apart: drawn as one integer, a length would mostly be short.
SUBSECOND = st.floats(0.0, 1.0, exclude_max=True)


def tone(seconds: float, amplitude: int = 8000, frequency: float = 440.0) -> np.ndarray:
    """A sine tone as internal samples."""
    n = np.arange(int(round(seconds * SAMPLE_RATE)))
    return (amplitude * np.sin(2 * np.pi * frequency * n / SAMPLE_RATE)).astype("<i2")


def silence(seconds: float) -> np.ndarray:
    """Digital silence as internal samples."""
    return np.zeros(int(round(seconds * SAMPLE_RATE)), dtype="<i2")


def noise(length: int, amplitude: int, seed: int) -> np.ndarray:
    """Uniform noise up to ``amplitude`` either way (which, at 1 or 2, is mostly short runs of zeros)."""
    return np.random.default_rng(seed).integers(-amplitude, amplitude + 1, length).astype("<i2")


def chunks_of(samples: np.ndarray, size: int, cuts: Sequence[int] = ()) -> list[bytes]:
    """``samples`` as PCM in chunks of ``size``, cut also at each of ``cuts`` and one sample after it."""
    bounds = {0, len(samples), *range(0, len(samples), size), *cuts, *(min(cut + 1, len(samples)) for cut in cuts)}
    return [samples[start:end].tobytes() for start, end in pairwise(sorted(bounds))]


def encoded(encoder, chunks: list[bytes]) -> bytes:
    """The whole stream an encoder writes for ``chunks``."""
    return b"".join(encoder.encode(chunk) for chunk in chunks) + encoder.flush()


@st.composite
def segments(draw) -> np.ndarray:
    """Silence of up to 20 s, or up to 2 s of noise or a tone, loud or as quiet as a single step."""
    kind = draw(st.sampled_from(["silence", "noise", "tone"]))
    if kind == "silence":
        return silence(draw(st.sampled_from(range(21))) + draw(SUBSECOND))
    length = int((draw(st.integers(0, 1)) + draw(SUBSECOND)) * SAMPLE_RATE) + 1
    amplitude = draw(st.sampled_from(AMPLITUDES))
    if kind == "noise":
        return noise(length, amplitude, draw(st.integers(0, 2**32 - 1)))
    return tone(length / SAMPLE_RATE, amplitude, draw(st.floats(20.0, 10000.0)))


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(segments(), min_size=1, max_size=6), st.sampled_from(MP3_BITRATES), st.data())
def test_the_stream_is_byte_for_byte_what_lame_writes(parts, bitrate, data):
    samples = np.concatenate(parts)
    assume(len(samples) > 0)  # lameenc refuses to flush a stream it was never given
    size = data.draw(st.integers(SAMPLE_RATE // 20, 2 * SAMPLE_RATE), label="chunk size")
    cuts = data.draw(st.lists(st.integers(0, len(samples)), max_size=8), label="extra cuts")
    chunks = chunks_of(samples, size, cuts)
    assert encoded(SilenceSkippingEncoder(bitrate), chunks) == encoded(mp3_encoder(bitrate), chunks)


def test_a_long_silence_is_copied_rather_than_encoded():
    chunks = chunks_of(np.concatenate([tone(1.0), silence(20.0), tone(1.0), silence(10.0)]), SAMPLE_RATE)
    encoder = SilenceSkippingEncoder(64)
    assert encoded(encoder, chunks) == encoded(mp3_encoder(64), chunks)
    assert encoder.skipped_samples > 20 * SAMPLE_RATE


def test_a_silence_shorter_than_the_warm_up_is_encoded():
    chunks = chunks_of(np.concatenate([tone(1.0), silence(2.0), tone(1.0), silence(2.0)]), SAMPLE_RATE)
    encoder = SilenceSkippingEncoder(64)
    assert encoded(encoder, chunks) == encoded(mp3_encoder(64), chunks)
    assert encoder.skipped_samples == 0


def test_an_empty_chunk_starts_the_stream_as_it_does_for_lame():
    assert encoded(SilenceSkippingEncoder(64), [b""]) == encoded(mp3_encoder(64), [b""])


@pytest.mark.parametrize("bitrate", [56, 112])
def test_loud_sound_after_a_silence_is_unchanged_where_cycles_are_short(bitrate):
    # LAME keeps lowering its hearing threshold for ~95 frames of silence, long after its output has started to
    # repeat at these bitrates (every 7 frames); copying sooner changes the sound that follows. Each silence
    # needs its own wait: the one before, copied too, must not count.
    loud = noise(SAMPLE_RATE, 24000, seed=0)
    for tenths in range(10, 60):
        chunks = chunks_of(np.concatenate([silence(5.0), loud, silence(tenths / 10), loud]), SAMPLE_RATE)
        assert encoded(SilenceSkippingEncoder(bitrate), chunks) == encoded(mp3_encoder(bitrate), chunks), tenths
