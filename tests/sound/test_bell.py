"""The bell: a struck bowl computed in code, a chunk at a time, scaled by its true peak."""

import numpy as np
import pytest

from stillpoint.audio import SAMPLE_RATE
from stillpoint.sound import seams
from stillpoint.sound.bell import CHUNK_SECONDS, PEAK, PEAK_WITHIN, bell


def samples_of(seconds: float, volume: float = 1.0) -> np.ndarray:
    return np.frombuffer(b"".join(bell(seconds, volume)), dtype="<i2")


@pytest.mark.parametrize("seconds", [0.2, 0.7, 1.0, 3.5, 7.0, 40.0])
@pytest.mark.parametrize("volume", [0.3, 1.0, 2.0])
def test_the_bell_peaks_exactly_at_its_level_and_ends_in_silence(seconds: float, volume: float) -> None:
    # Scaled by the peak of its first second only: a louder sample later would overshoot this level.
    sound = samples_of(seconds, volume)
    assert len(sound) == round(seconds * SAMPLE_RATE)
    assert np.max(np.abs(sound.astype(np.int32))) == int(PEAK * volume * 32767)
    assert sound[-1] == 0


def test_after_the_first_second_the_bowl_never_comes_back_to_its_strike() -> None:
    sound = np.abs(samples_of(60.0).astype(np.int32))
    head = int(PEAK_WITHIN * SAMPLE_RATE)
    assert sound[head:].max() < 0.8 * sound[:head].max()


def test_the_first_chunk_is_short_so_it_can_sound_before_the_rest_is_computed() -> None:
    chunks = bell(7.0)
    assert len(next(chunks)) == 2 * int(CHUNK_SECONDS * SAMPLE_RATE)
    assert sum(len(chunk) for chunk in chunks) == 2 * (round(7.0 * SAMPLE_RATE) - int(CHUNK_SECONDS * SAMPLE_RATE))


@pytest.mark.parametrize("seconds", [0.05, 0.2, 3.5, 40.0])
@pytest.mark.parametrize("volume", [0.3, 2.0])
def test_the_bell_rises_from_silence_and_returns_to_it_without_a_step(seconds: float, volume: float) -> None:
    sound = samples_of(seconds, volume)
    found = seams.edges(sound.tobytes())
    assert found.count >= 2 and found.over == 0
    assert sound[0] == 0 and abs(int(sound[1])) <= seams.STEP_LIMIT  # the strike's attack ramps up from zero
    assert sound[-1] == 0
