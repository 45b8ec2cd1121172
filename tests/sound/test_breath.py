"""Breath cues: patterns laid out to the sample, a level that follows each phase, a tone that never clicks."""

from __future__ import annotations

from itertools import islice

import numpy as np
import pytest

from stillpoint.audio import SAMPLE_RATE
from stillpoint.sound import breath, seams
from stillpoint.sound.breath import HOLD, IN, OUT, Breathing
from stillpoint.sound.loudness import measure

PATTERNS = [(8.0,), (4.0, 6.0), (4.0, 7.0, 8.0), (4.0, 4.0, 4.0, 4.0), (1.0,), (3.3, 0.7, 5.9)]


def laid_out(pattern: tuple[float, ...], cycles: int = 3, total: int | None = None) -> tuple[breath.Phase, ...]:
    return breath.phases(breath.cycle(pattern), cycles, total)


def tone_of(phases: tuple[breath.Phase, ...]) -> np.ndarray:
    return np.frombuffer(b"".join(breath.tone(phases)), dtype="<i2")


def quarters_db(samples: np.ndarray) -> np.ndarray:
    """RMS level in dB of each quarter of ``samples``."""
    return np.array([10 * np.log10(np.mean(part.astype(np.float64) ** 2)) for part in np.array_split(samples, 4)])


@pytest.mark.parametrize(("pattern", "expected"), [
    ((8.0,), ((IN, 4.0), (OUT, 4.0))),
    ((4.0, 6.0), ((IN, 4.0), (OUT, 6.0))),
    ((4.0, 7.0, 8.0), ((IN, 4.0), (HOLD, 7.0), (OUT, 8.0))),
    ((4.0, 4.0, 4.0, 4.0), ((IN, 4.0), (HOLD, 4.0), (OUT, 4.0), (HOLD, 4.0))),
])
def test_a_pattern_is_one_breath_of_phases(pattern: tuple[float, ...], expected: tuple) -> None:
    assert breath.cycle(pattern) == expected


@pytest.mark.parametrize("pattern", PATTERNS)
def test_phases_are_laid_out_to_the_sample_without_drift(pattern: tuple[float, ...]) -> None:
    cycle = breath.cycle(pattern)
    phases = laid_out(pattern, cycles=37)
    exact = np.cumsum([seconds for _, seconds in cycle] * 37)
    assert [phase.end for phase in phases] == [round(end * SAMPLE_RATE) for end in exact]
    assert phases[0].start == 0 and all(a.end == b.start for a, b in zip(phases, phases[1:]))
    assert [phase.kind for phase in phases] == [kind for kind, _ in cycle] * 37


def test_a_fitted_length_stretches_whole_cycles_alike_and_fills_it_exactly() -> None:
    total = 3 * 19 * SAMPLE_RATE + 12345
    phases = laid_out((4.0, 7.0, 8.0), cycles=3, total=total)
    assert phases[-1].end == total
    cycles = [phases[i + 2].end - phases[i].start for i in range(0, 9, 3)]
    assert max(cycles) - min(cycles) <= 1
    assert phases[1].end - phases[1].start == pytest.approx(7 / 19 * total / 3, abs=1)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_level_rises_through_every_in_breath_rests_on_holds_and_falls_through_every_out(
        pattern: tuple[float, ...]) -> None:
    phases = laid_out(pattern)
    breathing = Breathing(phases)
    for phase in phases:
        level = breathing.level(phase.start, phase.end + (phase.end < breathing.total))
        steps = np.diff(level)
        if phase.kind == IN:
            assert np.all(steps > 0)
        elif phase.kind == OUT:
            assert np.all(steps < 0)
        else:  # away from the fade at the very end, a hold is one level
            inner = level[: max(1, len(level) - int(breath.EDGE_SECONDS * SAMPLE_RATE) - 1)]
            assert np.ptp(inner) == 0.0


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_level_turns_on_the_planned_sample(pattern: tuple[float, ...]) -> None:
    phases = laid_out(pattern)
    breathing = Breathing(phases)
    level = breathing.level(0, breathing.total)
    for before, after in zip(phases, phases[1:]):
        if (before.kind, after.kind) == (IN, OUT):
            assert int(np.argmax(level[before.start:after.end])) + before.start == after.start
        if (before.kind, after.kind) == (OUT, IN):
            assert int(np.argmin(level[before.start:after.end])) + before.start == after.start
    assert level[0] == 0.0 and breathing.level(breathing.total - 1, breathing.total)[0] < 1e-5


@pytest.mark.parametrize("pattern", PATTERNS[:4])
def test_the_tone_heard_rises_and_falls_with_each_phase(pattern: tuple[float, ...]) -> None:
    phases = laid_out(pattern)
    sound = tone_of(phases)
    for phase in phases:
        steps = np.diff(quarters_db(sound[phase.start:phase.end]))
        if phase.kind == IN:
            assert np.all(steps > 2.0)
        if phase.kind == OUT:
            assert np.all(steps < -1.0)


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("total", [None, 5 * SAMPLE_RATE + 7])
def test_the_tone_starts_and_ends_without_a_click(pattern: tuple[float, ...], total: int | None) -> None:
    sound = tone_of(laid_out(pattern, total=total))
    found = seams.edges(sound.tobytes())
    assert found.count >= 2 and found.over == 0
    assert sound[0] == 0 and sound[-1] == 0


@pytest.mark.parametrize("pattern", PATTERNS[:4])
def test_the_tone_is_at_least_8_lu_under_speech_even_at_the_top_of_a_breath(pattern: tuple[float, ...]) -> None:
    phases = laid_out(pattern, cycles=3)
    sound = tone_of(phases)
    assert measure(sound.tobytes())[0] <= -19.0 - 8.0
    top = Breathing(phases).tone(phases[0].end - SAMPLE_RATE // 2, phases[0].end)  # the loudest half second
    assert measure(np.rint(top * 32767).astype("<i2").tobytes())[0] <= -19.0 - 8.0


def test_the_tone_is_warm_nearly_all_its_power_under_a_kilohertz() -> None:
    sound = tone_of(laid_out((4.0, 6.0), cycles=4)).astype(np.float64)
    power = np.abs(np.fft.rfft(sound)) ** 2
    hz = np.fft.rfftfreq(len(sound), 1 / SAMPLE_RATE)
    assert power[hz > 1000].sum() < 0.01 * power.sum()
    assert power[(hz > 150) & (hz < 220)].sum() > 0.5 * power.sum()  # the fundamental carries most of it


@pytest.mark.parametrize("size", [1, 997, SAMPLE_RATE // 4, 10 * SAMPLE_RATE])
def test_chunks_of_any_size_and_any_start_are_the_one_shot_sound(size: int) -> None:
    phases = laid_out((4.0, 7.0, 8.0), cycles=1)
    breathing = Breathing(phases)
    whole = np.rint(breathing.tone(0, breathing.total) * 32767).astype("<i2").tobytes()
    count = max(1, min(3 * SAMPLE_RATE // size, 2000))  # up to three seconds of chunks, or one long one
    assert b"".join(islice(breathing.chunks(size=size), count)) == whole[: 2 * count * size]
    middle = 9 * SAMPLE_RATE + 31
    assert b"".join(islice(breathing.chunks(middle, size), count)) == whole[2 * middle: 2 * (middle + count * size)]
    assert b"".join(breathing.chunks(middle, 997)) == whole[2 * middle:]


def test_a_chunk_is_never_longer_than_asked() -> None:
    chunks = list(Breathing(laid_out((8.0,), cycles=2)).chunks(size=1000))
    assert max(len(chunk) for chunk in chunks) == 2000 and sum(len(c) for c in chunks) == 2 * 16 * SAMPLE_RATE


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_swell_lifts_the_bed_from_its_ducked_level_to_full_with_each_in_breath(pattern: tuple[float, ...]) -> None:
    phases = laid_out(pattern)
    breathing = Breathing(phases)
    gain = breathing.swell(0, breathing.total, 0.35)
    assert gain[0] == pytest.approx(0.35) and gain[-1] == pytest.approx(0.35, abs=1e-4)
    assert gain.min() >= 0.35 - 1e-12 and gain.max() == pytest.approx(1.0)
    for phase in phases:
        steps = np.diff(gain[phase.start:phase.end])
        assert np.all(steps > 0) if phase.kind == IN else np.all(steps < 0) if phase.kind == OUT else np.ptp(steps) == 0
