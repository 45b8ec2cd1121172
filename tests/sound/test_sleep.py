"""The sleep ending: the bed going on for exactly as long as asked, fading smoothly into exact silence."""

from __future__ import annotations

import numpy as np
import pytest

from stillpoint.audio import SAMPLE_RATE
from stillpoint.sound import ambience, seams, sleep

MINUTE = 60 * SAMPLE_RATE
SILENT = SAMPLE_RATE // 2


def tail_of(total: int, spec: str = "rain", **options: float) -> np.ndarray:
    return np.frombuffer(b"".join(sleep.tail(total, ambience.loop(spec), **options)), dtype="<i2")


@pytest.mark.parametrize("total", [1, SILENT - 1, SILENT + 1, MINUTE + 12345, 3 * MINUTE])
def test_the_tail_lasts_exactly_as_asked_and_its_last_half_second_is_digital_silence(total: int) -> None:
    tail = tail_of(total)
    assert len(tail) == total
    assert not tail[-SILENT:].any()


def test_the_bed_goes_on_where_it_left_off_then_fades_to_exact_zero_with_no_step() -> None:
    position = 987654
    tail = tail_of(2 * MINUTE, "ocean", position=position, volume=0.5)
    bed = ambience.loop("ocean")
    going_on = np.rint(bed[(position + np.arange(SAMPLE_RATE)) % len(bed)] * 0.5 * 32767)
    assert np.array_equal(tail[:SAMPLE_RATE], going_on)
    sounding = np.flatnonzero(tail)
    assert sounding[-1] < len(tail) - SILENT
    assert abs(int(tail[sounding[-1]])) <= seams.STEP_LIMIT


@pytest.mark.parametrize("total", [MINUTE, 4 * MINUTE + 1])
def test_the_fade_never_rises_and_nothing_in_it_is_louder_than_the_bed(total: int) -> None:
    gain = np.concatenate([sleep.fade(total, start, min(start + MINUTE, total)) for start in range(0, total, MINUTE)])
    assert gain.max() == 1.0 and np.all(np.diff(gain) <= 0)
    assert gain[-SILENT:].max() == 0.0 and gain[-SILENT - 1] > 0.0


@pytest.mark.parametrize(("total", "fade_seconds"), [(MINUTE, 30.0), (10 * MINUTE, 300.0), (8 * 60 * MINUTE, 600.0)])
def test_the_bed_fades_over_the_second_half_of_the_tail_or_its_last_ten_minutes(total: int,
                                                                                 fade_seconds: float) -> None:
    body = total - SILENT
    start = body - int(fade_seconds * SAMPLE_RATE)
    middle = (start + body) // 2
    head, tip = sleep.fade(total, start - 1, start + 2), sleep.fade(total, body - 1, body + 1)
    assert head[0] == 1.0 and head[1] == 1.0 and head[2] < 1.0
    assert 0.0 < tip[0] < 1e-5 and tip[1] == 0.0
    db = 20 * np.log10(sleep.fade(total, middle, middle + 1)[0])
    assert db == pytest.approx(-sleep.FADE_DB / 2, abs=2.0)  # even in dB, bent to reach zero


def test_after_ducked_speech_the_bed_rises_as_it_does_after_any_line() -> None:
    gain = sleep.fade(10 * MINUTE, 0, 2 * SAMPLE_RATE, rise_from=ambience.DUCK)
    ramp = int(ambience.DUCK_SECONDS * SAMPLE_RATE)
    assert gain[0] == pytest.approx(ambience.DUCK)
    assert np.all(np.diff(gain[:ramp]) > 0) and np.all(gain[ramp:] == 1.0)


def test_the_default_bed_is_the_brown_one_and_chunks_are_one_second() -> None:
    chunks = list(sleep.tail(3 * SAMPLE_RATE + 5))
    assert [len(chunk) // 2 for chunk in chunks] == [SAMPLE_RATE] * 3 + [5]
    brown = ambience.loop("brown")
    head = np.frombuffer(chunks[0], dtype="<i2")
    assert np.array_equal(head, np.rint(brown[:SAMPLE_RATE] * 32767))


def test_the_bed_goes_on_across_the_end_of_its_loop_as_it_does_under_the_practice() -> None:
    bed = ambience.loop("brown")
    position = 7 * len(bed) - 100  # the first second crosses the loop's end
    tail = tail_of(MINUTE, "brown", position=position)
    going_on = np.rint(bed[(position + np.arange(2 * SAMPLE_RATE)) % len(bed)].astype(np.float64) * 32767)
    assert np.array_equal(tail[:2 * SAMPLE_RATE], going_on)
