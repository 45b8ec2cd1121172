"""Edges between silence and sound: the definition measured on strings of samples, and the fade that smooths them."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from stillpoint.sound.seams import BLIP, FADE, SILENCE_RUN, STEP_LIMIT, Edges, edges, faded, sound_spans


def pcm(*samples: int) -> bytes:
    return np.array(samples, dtype="<i2").tobytes()


def zeros(count: int) -> list[int]:
    return [0] * count


def test_the_start_and_the_end_of_a_stream_are_edges() -> None:
    assert edges(pcm(500, 20, -300)) == Edges(count=2, over=2, largest=500, at=0)
    assert edges(pcm(0, 20, -30, 0)) == Edges(count=2, over=0, largest=30, at=2)


def test_a_run_of_zeros_is_silence_only_from_the_silence_run_on() -> None:
    short = [1000, *zeros(SILENCE_RUN - 1), 1000]
    long = [1000, *zeros(SILENCE_RUN), 1000]
    assert sound_spans(np.array(short)) == [(0, len(short))]
    assert sound_spans(np.array(long)) == [(0, 1), (1 + SILENCE_RUN, len(long))]
    assert edges(pcm(*zeros(5), *short, *zeros(5))).count == 2
    assert edges(pcm(*long)).count == 4


def test_each_edge_steps_by_the_sound_sample_beside_the_silence() -> None:
    stream = pcm(*zeros(40), -70, 3000, 5, *zeros(SILENCE_RUN), 64, 9, -65, *zeros(40))
    assert edges(stream) == Edges(count=4, over=2, largest=70, at=40)


def test_silence_alone_has_no_edges() -> None:
    assert edges(b"") == Edges(0, 0, 0, -1)
    assert edges(bytes(2 * 1000)) == Edges(0, 0, 0, -1)


def test_a_full_scale_sound_is_faded_at_both_ends_and_keeps_its_length() -> None:
    loud = pcm(*zeros(50), *[32767] * 500, *zeros(50), *[-32768] * 500)
    smooth = faded(loud)
    assert len(smooth) == len(loud)
    assert edges(loud).over == 4 and edges(smooth).over == 0
    samples = np.frombuffer(smooth, dtype="<i2")
    assert np.array_equal(samples[50 + FADE:550 - FADE], np.full(500 - 2 * FADE, 32767))  # the middle untouched
    assert np.array_equal(samples[550:600], zeros(50))


def test_a_blip_too_short_to_fade_is_silenced_and_a_longer_one_is_faded() -> None:
    blip = [*zeros(SILENCE_RUN), *[20000] * (BLIP - 1), *zeros(SILENCE_RUN)]
    short = [*zeros(SILENCE_RUN), *[32767] * BLIP, *zeros(SILENCE_RUN)]
    assert not np.frombuffer(faded(pcm(*blip)), dtype="<i2").any()
    found = edges(faded(pcm(*short)))
    assert (found.count, found.over, found.at) == (2, 0, SILENCE_RUN)
    assert 0 < found.largest <= STEP_LIMIT


sample = st.integers(-32768, 32767)
stretch = st.one_of(st.lists(sample, min_size=1, max_size=400), st.integers(1, 80).map(zeros))


@given(st.lists(stretch, max_size=12).map(lambda parts: [s for part in parts for s in part]))
def test_fading_leaves_no_edge_over_the_limit_and_touches_no_silence(samples: list[int]) -> None:
    stream = pcm(*samples)
    smooth = np.frombuffer(faded(stream), dtype="<i2")
    assert len(smooth) == len(samples)
    assert edges(smooth.tobytes()).over == 0
    original = np.array(samples, dtype=np.int32)
    assert np.all(smooth[original == 0] == 0)
    assert np.all(np.abs(smooth.astype(np.int32)) <= np.abs(original))  # a fade only ever softens


@given(st.lists(stretch, max_size=12).map(lambda parts: [s for part in parts for s in part]))
def test_fading_twice_finds_the_same_edges(samples: list[int]) -> None:
    once = faded(pcm(*samples))
    assert edges(faded(once)).count <= edges(once).count
    assert edges(faded(once)).over == 0
