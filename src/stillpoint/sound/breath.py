"""Breath cues: the phases of a breath pattern, the level that follows them, a soft tone, and the bed's swell.

A breath is in, hold, out (and hold again) for the seconds of its pattern. Through each in-breath the cue's
level rises evenly in decibels, from FLOOR_DB under its top to the top; it rests there through a hold and falls
back through the out-breath, where a hold after it rests at the floor. The level turns exactly on the planned
sample (a corner, not a rounded top), so a listener hears when to turn and a measurement finds the turn. The
tone is a warm, purely harmonic one (no two partials beat): its pitch rises by GLIDE_SEMITONES and its upper
partials open as the level rises, and both come back down as it falls. Every value is a function of the sample
index alone, so any range of samples, computed in any chunks, is the same sound.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from stillpoint.audio import SAMPLE_RATE, seconds_to_samples
from stillpoint.language.timeline import Breaths, Event
from stillpoint.sound.ambience import _band, _normalized, _ramp, _shaped_noise

IN, HOLD, OUT = "in", "hold", "out"
WORDS = {IN: "breathe in…", HOLD: "hold…", OUT: "breathe out…"}  # what the screen and the captions show
TONE, SWELL = "tone", "swell"
ORDERS = {2: (IN, OUT), 3: (IN, HOLD, OUT), 4: (IN, HOLD, OUT, HOLD)}  # a pattern of that many lengths
FLOOR_DB = -20.0  # the level at the bottom of a breath, under the top
TOP = 0.058  # amplitude at the top of a breath (of full scale): -28.5 LUFS momentary, 9.5 LU under speech at -19
LOW_HZ = 174.61  # F3 at the bottom of a breath ...
GLIDE_SEMITONES = 2.0  # ... G3 at the top: a whole tone, heard as a lift, never as a siren
HARMONICS = (0.5, 0.22, 0.1, 0.04)  # partials 2 to 5 at the top of a breath, to the fundamental's 1
CLOSED = 0.25  # share of the upper partials left at the bottom of a breath: the sound opens as it rises
AIR = 0.12  # breath noise at the middle of an in- or out-breath, to the tone (-18 dB); none while the breath is held
AIR_BAND = (250.0, 1400.0)  # Hz: a soft, dark rush of air, under the harmonics' range and far from any hiss
AIR_LOOP_SECONDS = 7.3  # not a whole number of any pattern's breaths, so the same air never meets the same turn
AIR_SEED = 4096
EDGE_SECONDS = 0.05  # raised-cosine fade from and to zero at the start and end of the breathing
CHUNK_SAMPLES = SAMPLE_RATE // 4


@dataclass(frozen=True)
class Phase:
    """One phase of breathing: its kind (IN, HOLD, OUT) and its samples, counted from the start of the breathing."""

    kind: str
    start: int
    end: int


def cycle(pattern: Sequence[float]) -> tuple[tuple[str, float], ...]:
    """One breath of a pattern as (phase, seconds): one length is in and out evenly; 2, 3 or 4 are as written."""
    if len(pattern) == 1:
        return ((IN, pattern[0] / 2), (OUT, pattern[0] / 2))
    return tuple(zip(ORDERS[len(pattern)], pattern, strict=True))


def phases(breath: Sequence[tuple[str, float]], cycles: int, total: int | None = None) -> tuple[Phase, ...]:
    """``cycles`` breaths of ``breath`` laid out in samples, each boundary rounded from its exact time (no drift).

    With ``total``, the breaths are stretched or shrunk evenly to fill exactly that many samples, whole cycles
    alike, as when a practice is fitted to a length.
    """
    kinds = [kind for kind, _ in breath] * cycles
    ends = np.cumsum([seconds for _, seconds in breath] * cycles)
    scale = SAMPLE_RATE if total is None else total / ends[-1]
    bounds = [0, *(int(round(end * scale)) for end in ends)]
    return tuple(Phase(kind, start, end) for kind, start, end in zip(kinds, bounds, bounds[1:], strict=False))


def laid_out(breaths: Breaths, samples: int) -> tuple[Phase, ...]:
    """The phases of a breathe event's breaths filling its ``samples`` exactly (stretched whole if it was fitted)."""
    return phases(cycle(breaths.pattern), breaths.cycles, samples) if samples > 0 else ()


def event_samples(event: Event) -> int:
    """How many samples an event of the plan fills when rendered."""
    return seconds_to_samples(event.end) - seconds_to_samples(event.start)


def timed(event: Event) -> list[tuple[str, float, float]]:
    """A breathe event's phases as (phase, start, duration) in seconds from the start of the track, to the sample;
    none for any other event."""
    if event.breaths is None:
        return []
    first = seconds_to_samples(event.start)
    return [(phase.kind, (first + phase.start) / SAMPLE_RATE, (phase.end - phase.start) / SAMPLE_RATE)
            for phase in laid_out(event.breaths, event_samples(event))]


def phase_at(event: Event, seconds: float) -> str | None:
    """The phase of a breathe event heard at ``seconds`` from the start of the track; None outside its breaths."""
    found = None
    for kind, start, _duration in timed(event):
        if start <= seconds + 1e-9:
            found = kind
    return found


class Breathing:
    """The cue's level, tone and swell for a run of phases, at any range of samples."""

    def __init__(self, laid_out: Sequence[Phase]):
        self.phases = tuple(laid_out)
        self.total = self.phases[-1].end if self.phases else 0
        self._starts = np.array([phase.start for phase in self.phases], dtype=np.int64)
        self._lengths = np.array([max(1, phase.end - phase.start) for phase in self.phases], dtype=np.float64)
        self._rise, self._top_after = _heights(self.phases)
        self._cycle_at = _oscillator_starts(self._lengths, self._rise, self._top_after)

    def position(self, start: int, end: int) -> np.ndarray:
        """How far up the breath each sample of ``start`` to ``end`` is: 0 at the bottom, 1 at the top."""
        return self._where(start, end)[2]

    def level(self, start: int, end: int) -> np.ndarray:
        """The cue's gain (1 at the top of a breath) for samples ``start`` to ``end``, zero at both ends."""
        return _decibels(FLOOR_DB * (1.0 - self.position(start, end))) * self._edges(start, end)

    def swell(self, start: int, end: int, low: float) -> np.ndarray:
        """The bed's gain for samples ``start`` to ``end``: 1 at the top of a breath, ``low`` at the bottom and ends.

        ``low`` is the bed's gain under speech, so breathing between two lines joins the ducked bed without a step;
        between, the gain moves evenly in decibels, as the tone's level does.
        """
        return low ** (1.0 - self.position(start, end))

    def tone(self, start: int, end: int) -> np.ndarray:
        """The tone for samples ``start`` to ``end``, as floats of full scale."""
        index, into, height = self._where(start, end)
        hz_from = _hz(self._top_after[index] - self._rise[index])
        sweep = (_hz(self._top_after[index]) - hz_from) * into / (2.0 * self._lengths[index])
        angle = self._cycle_at[index] + 2.0 * np.pi / SAMPLE_RATE * into * (hz_from + sweep)
        gain = TOP * _decibels(FLOOR_DB * (1.0 - height)) * self._edges(start, end)
        flow = np.sin(np.pi * into / self._lengths[index]) * np.abs(self._rise[index])  # air moves only in and out
        air = _air()[np.arange(start, end) % len(_air())]
        return gain * (_timbre(angle, height) + AIR * flow * air)

    def chunks(self, start: int = 0, size: int = CHUNK_SAMPLES, gain: float = 1.0) -> Iterator[bytes]:
        """The tone from sample ``start`` to the end, times ``gain``, as internal PCM of at most ``size`` samples
        a chunk."""
        for first in range(start, self.total, size):
            samples = self.tone(first, min(first + size, self.total))
            yield np.rint(samples * (gain * 32767.0)).astype("<i2").tobytes()

    def _where(self, start: int, end: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each sample of ``start`` to ``end``: the index of its phase, how far into it, and its height."""
        samples = np.arange(start, end, dtype=np.int64)
        index = np.clip(np.searchsorted(self._starts, samples, side="right") - 1, 0, len(self.phases) - 1)
        into = (samples - self._starts[index]).astype(np.float64)
        height = self._top_after[index] - self._rise[index] * (1.0 - into / self._lengths[index])
        return index, into, height

    def _edges(self, start: int, end: int) -> np.ndarray:
        """The fades from zero at the start of the breathing and to zero at its end."""
        samples = np.arange(start, end, dtype=np.float64)
        fade = max(1, min(int(EDGE_SECONDS * SAMPLE_RATE), self.total // 2))
        return _ramp(samples / fade) * _ramp((self.total - samples) / fade)


def tone(laid_out: Sequence[Phase], start: int = 0) -> Iterator[bytes]:
    """The tone cue for ``laid_out`` phases from sample ``start`` on, as internal PCM chunks."""
    return Breathing(laid_out).chunks(start)


def _heights(laid_out: Sequence[Phase]) -> tuple[np.ndarray, np.ndarray]:
    """For each phase, how far it rises (1 in, 0 hold, -1 out) and the position it reaches at its end."""
    rise = np.array([{IN: 1.0, HOLD: 0.0, OUT: -1.0}[phase.kind] for phase in laid_out])
    return rise, np.clip(np.cumsum(rise), 0.0, 1.0)


def _oscillator_starts(lengths: np.ndarray, rise: np.ndarray, top_after: np.ndarray) -> np.ndarray:
    """The tone's phase angle where each phase starts: the pitch's integral over the phases before, modulo 2π."""
    mean_hz = (_hz(top_after - rise) + _hz(top_after)) / 2.0
    turns = np.cumsum(mean_hz * lengths / SAMPLE_RATE) % 1.0
    return 2.0 * np.pi * np.concatenate(([0.0], turns[:-1]))


def _hz(height: np.ndarray) -> np.ndarray:
    """The tone's pitch at a height of the breath: linear in hertz, which keeps its integral exact."""
    return LOW_HZ + LOW_HZ * (2.0 ** (GLIDE_SEMITONES / 12.0) - 1.0) * height


def _timbre(angle: np.ndarray, height: np.ndarray) -> np.ndarray:
    """The fundamental and its harmonics at ``angle``, upper partials opening with ``height``, at a steady RMS."""
    opening = CLOSED + (1.0 - CLOSED) * height
    wave = np.sin(angle)
    power = np.ones_like(height)
    for number, share in enumerate(HARMONICS, start=2):
        wave += share * opening * np.sin(number * angle)
        power += (share * opening) ** 2
    return wave / np.sqrt(power)


@functools.lru_cache(maxsize=1)
def _air() -> np.ndarray:
    """A seamless loop of band-limited noise at an RMS of 1, made as the ambience beds are."""
    rng = np.random.default_rng(AIR_SEED)
    return _normalized(_shaped_noise(AIR_LOOP_SECONDS, lambda hz: _band(hz, *AIR_BAND), rng))


def _decibels(db: np.ndarray) -> np.ndarray:
    """Gains in dB as factors."""
    return 10.0 ** (db / 20.0)
