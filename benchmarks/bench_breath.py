"""Breath cues and the sleep ending, measured on their audio against the plan's times.

The cue: each breath pattern's tone, several minutes of it, measured as a listener's ear would meet it. Its
level (RMS over 40 ms every 5 ms, in dB) must rise through every in-breath and fall through every out-breath
(each quarter of the phase louder, or quieter, than the one before, by at least 1 dB); every turn between
phases, found where the straight lines fitted to the level on either side cross, must lie within 20 ms of the
plan, as must its first and last sound; its loudness (BS.1770, integrated and over its loudest 400 ms) at least
8 LU under speech at -19 LUFS; no edge between silence and sound may step by more than 64. The swell is measured
the same way on steady beds (rain, brown) under it. The sleep tail: its length to the sample, its gain against
the bed it plays (the least-squares gain of each second) never rising and never above 1, its last half second
exact zeros, and the peak memory of a fresh process streaming a 60-minute tail against a 10-minute one.

The measuring functions take samples and the plan's phase times ((phase, start, duration) in seconds), or a
tail's one-second blocks, so they read an exported WAV file as well as the streams they measure here.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Sequence

import numpy as np
import pyebur128

from benchmarks.bench_memory import peak_kib
from benchmarks.common import row
from stillpoint.audio import SAMPLE_RATE
from stillpoint.sound import ambience, breath, seams, sleep

PATTERNS = {"8s": (8.0,), "4-6": (4.0, 6.0), "4-7-8": (4.0, 7.0, 8.0), "4-4-4-4": (4.0, 4.0, 4.0, 4.0)}
CUE_SECONDS = 180.0  # at least three minutes of each pattern
VOICE_LUFS = -19.0
UNDER_VOICE_LU = 8.0
TIMING = 0.02  # seconds
STEP_DB = 1.0  # each quarter of an in- or out-breath differs from the one before by at least this
WINDOW, HOP = 0.04, 0.005  # seconds: seven periods of the tone's lowest pitch, so its RMS hardly ripples
REACH, GUARD = 1.0, 0.06  # lines are fitted over up to a second each side of a turn, this far from it
TAILS = (10, 60)  # minutes
MEMORY_LIMIT = 1.25
TAIL = "import sys\nfrom stillpoint.sound import sleep\nfor _ in sleep.tail(int(sys.argv[1])): pass\n"
SILENT = SAMPLE_RATE // 2


def plan_times(laid_out: Sequence[breath.Phase], start: float = 0.0) -> list[tuple[str, float, float]]:
    """Phases as a plan gives them: (phase, start, duration) in seconds, from ``start``."""
    return [(p.kind, start + p.start / SAMPLE_RATE, (p.end - p.start) / SAMPLE_RATE) for p in laid_out]


def levels(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The centre times (s) and RMS levels (dB of full scale) of windows of WINDOW seconds every HOP seconds."""
    width, hop = int(WINDOW * SAMPLE_RATE), int(HOP * SAMPLE_RATE)
    power = np.concatenate(([0.0], np.cumsum((samples.astype(np.float64) / 32768.0) ** 2)))
    starts = np.arange(0, len(samples) - width + 1, hop)
    mean = (power[starts + width] - power[starts]) / width
    return (starts + width / 2) / SAMPLE_RATE, 10.0 * np.log10(np.maximum(mean, 1e-14))


def quarters_db(samples: np.ndarray, start: float, duration: float) -> np.ndarray:
    """The RMS level in dB of each quarter of the span from ``start`` lasting ``duration`` seconds."""
    first, count = int(round(start * SAMPLE_RATE)), int(round(duration * SAMPLE_RATE))
    parts = np.array_split(samples[first:first + count].astype(np.float64) / 32768.0, 4)
    return np.array([10.0 * math.log10(max(float(np.mean(part**2)), 1e-14)) for part in parts])


def directions(samples: np.ndarray, times: Sequence[tuple[str, float, float]]) -> dict[str, tuple[int, int]]:
    """For in- and out-breaths: how many rise (fall) quarter by quarter by STEP_DB or more, of how many."""
    found = {breath.IN: [0, 0], breath.OUT: [0, 0]}
    for kind, start, duration in times:
        if kind in found:
            steps = np.diff(quarters_db(samples, start, duration)) * (1 if kind == breath.IN else -1)
            found[kind][0] += bool(np.all(steps >= STEP_DB))
            found[kind][1] += 1
    return {kind: (met, of) for kind, (met, of) in found.items()}


def hold_spread(samples: np.ndarray, times: Sequence[tuple[str, float, float]]) -> float:
    """The largest spread (dB) between the quarters of any hold: how steadily the sound rests."""
    spreads = [np.ptp(quarters_db(samples, start, duration)) for kind, start, duration in times if kind == breath.HOLD]
    return float(max(spreads, default=0.0))


def _line(times: np.ndarray, db: np.ndarray, low: float, high: float) -> tuple[float, float]:
    """Slope and intercept of the straight line fitted to the level between ``low`` and ``high`` seconds."""
    inside = (times >= low) & (times <= high)
    slope, intercept = np.polyfit(times[inside], db[inside], 1)
    return float(slope), float(intercept)


def turn_errors(samples: np.ndarray, times: Sequence[tuple[str, float, float]]) -> list[float]:
    """For every turn between two phases: seconds between the plan's turn and where the fitted lines cross."""
    centres, db = levels(samples)
    errors = []
    for (_, start, duration), (_, following, after) in zip(times, times[1:], strict=False):
        turn = following
        before = _line(centres, db, max(start + GUARD, turn - REACH), turn - GUARD)
        later = _line(centres, db, turn + GUARD, min(following + after - GUARD, turn + REACH))
        errors.append(abs((later[1] - before[1]) / (before[0] - later[0]) - turn))
    return errors


def outer_errors(samples: np.ndarray, times: Sequence[tuple[str, float, float]]) -> tuple[float, float]:
    """Seconds between the plan's start and end of the breathing and its first and last sound."""
    begin, end = times[0][1], times[-1][1] + times[-1][2]
    first, last = int(round(begin * SAMPLE_RATE)), int(round(end * SAMPLE_RATE))
    sounding = np.flatnonzero(samples[first:last])
    return sounding[0] / SAMPLE_RATE, (last - first - 1 - sounding[-1]) / SAMPLE_RATE


def loudness(samples: np.ndarray) -> tuple[float, float]:
    """Integrated loudness and the loudest momentary (400 ms) loudness, in LUFS."""
    state = pyebur128.R128State(1, SAMPLE_RATE, pyebur128.MeasurementMode.MODE_I)
    loudest, step = -math.inf, SAMPLE_RATE // 10
    floats = samples.astype(np.float64) / 32768.0
    for first in range(0, len(floats), step):
        block = np.ascontiguousarray(floats[first:first + step])
        state.add_frames(block, len(block))
        loudest = max(loudest, pyebur128.get_loudness_momentary(state))
    return float(pyebur128.get_loudness_global(state)), loudest


def cue(pattern: Sequence[float]) -> tuple[np.ndarray, list[tuple[str, float, float]]]:
    """At least CUE_SECONDS of a pattern's tone, with a second of silence before and after, and its plan."""
    breath_cycle = breath.cycle(pattern)
    cycles = math.ceil(CUE_SECONDS / sum(seconds for _, seconds in breath_cycle))
    laid_out = breath.phases(breath_cycle, cycles)
    silence = np.zeros(SAMPLE_RATE, dtype="<i2")
    sound = np.frombuffer(b"".join(breath.tone(laid_out)), dtype="<i2")
    return np.concatenate((silence, sound, silence)), plan_times(laid_out, 1.0)


def cue_rows(name: str, samples: np.ndarray, times: Sequence[tuple[str, float, float]]) -> list[dict]:
    """The envelope, timing and loudness rows of one pattern's cue."""
    found = directions(samples, times)
    (ins, in_count), (outs, out_count) = found[breath.IN], found[breath.OUT]
    shape = f"rises through {ins} of {in_count} in-breaths, falls through {outs} of {out_count} out-breaths"
    turns = turn_errors(samples, times)
    first, last = outer_errors(samples, times)
    worst = max([*turns, first, last])
    integrated, loudest = loudness(samples)
    ceiling = VOICE_LUFS - UNDER_VOICE_LU
    minutes = (times[-1][1] + times[-1][2] - times[0][1]) / 60
    label = f"breath cue tone {name} ({minutes:.1f} min)"
    return [
        row(f"{label}: envelope", f"{shape}; holds steady within {hold_spread(samples, times):.2f} dB",
            f"every one, by >= {STEP_DB:g} dB a quarter", ins == in_count and outs == out_count),
        row(f"{label}: timing against the plan", f"largest {1000 * worst:.1f} ms over {len(turns)} turns, the first "
            f"and the last sound", f"<= {1000 * TIMING:.0f} ms", worst <= TIMING),
        row(f"{label}: loudness", f"{integrated:.1f} LUFS, loudest 400 ms {loudest:.1f} LUFS: "
            f"{VOICE_LUFS - loudest:.1f} LU under the voice", f"<= {ceiling:.0f} LUFS (voice - {UNDER_VOICE_LU:g} LU)",
            max(integrated, loudest) <= ceiling),
    ]


def spectrum(samples: np.ndarray) -> tuple[float, float, float]:
    """The power-weighted spectral centroid, the 95 % roll-off (Hz), and the share of power above 2 kHz (dB)."""
    power = np.abs(np.fft.rfft(samples.astype(np.float64))) ** 2
    hz = np.fft.rfftfreq(len(samples), 1 / SAMPLE_RATE)
    total = float(power.sum())
    rolloff = float(hz[np.searchsorted(np.cumsum(power), 0.95 * total)])
    return float((hz * power).sum()) / total, rolloff, 10 * math.log10(float(power[hz > 2000].sum()) / total)


def swelled(spec: str, laid_out: Sequence[breath.Phase]) -> np.ndarray:
    """The bed ``spec`` at full volume under the swell of ``laid_out``, as the stream would carry it."""
    breathing = breath.Breathing(laid_out)
    gain = breathing.swell(0, breathing.total, ambience.DUCK)
    bed = ambience.loop(spec)
    return np.rint(bed[np.arange(breathing.total) % len(bed)] * gain * 32767.0).astype("<i2")


def swell_rows() -> list[dict]:
    """The swell's direction on each bed under a 4-7-8 breath: rain and brown must follow it; ocean has its waves."""
    laid_out = breath.phases(breath.cycle(PATTERNS["4-7-8"]), 8)
    times = plan_times(laid_out)
    rows = []
    for spec in ambience.BEDS:
        found = directions(swelled(spec, laid_out), times)
        (ins, of_in), (outs, of_out) = found[breath.IN], found[breath.OUT]
        measured = f"rises through {ins} of {of_in} in-breaths, falls through {outs} of {of_out} out-breaths"
        steady = spec != "ocean"  # the ocean's own waves rise and fall every nine seconds
        rows.append(row(f"breath cue swell over {spec}, 4-7-8: envelope", measured,
                        "every one" if steady else "info", (ins == of_in and outs == of_out) if steady else None))
    return rows


def tail_blocks(minutes: float, position: int = 0) -> Iterable[np.ndarray]:
    """A sleep tail over the default bed as one-second blocks of samples, as read back from a file would be."""
    for chunk in sleep.tail(int(minutes * 60 * SAMPLE_RATE), position=position):
        yield np.frombuffer(chunk, dtype="<i2")


def tail_figures(blocks: Iterable[np.ndarray], bed: np.ndarray, position: int,
                 volume: float = 1.0) -> tuple[int, np.ndarray, np.ndarray]:
    """A tail's length, the least-squares gain of each block against the bed it plays, and its last second."""
    gains, length, end = [], 0, np.zeros(0, dtype=np.int16)
    for block in blocks:
        reference = bed[(position + length + np.arange(len(block))) % len(bed)] * (volume * 32767.0)
        gains.append(float(np.dot(block, reference) / np.dot(reference, reference)))
        length += len(block)
        end = np.concatenate((end, block))[-SAMPLE_RATE:]
    return length, np.array(gains), end


def tail_rows(minutes: float) -> list[dict]:
    """Length, fade and final silence of a sleep tail of ``minutes`` over the default bed."""
    asked, position = int(minutes * 60 * SAMPLE_RATE), 12345
    length, gains, end = tail_figures(tail_blocks(minutes, position), ambience.loop(sleep.DEFAULT_BED), position)
    rising = float(np.max(np.diff(gains), initial=0.0))
    fading = np.flatnonzero(gains < 0.999)
    label = f"sleep tail {minutes:g} min over {sleep.DEFAULT_BED}"
    sounding = np.flatnonzero(end)
    last_step = abs(int(end[sounding[-1]])) if sounding.size else 0  # the step into the final silence
    last = f"the step into it {last_step}" if sounding.size else "silent for the whole last second"
    return [
        row(f"{label}: length", f"{length:,} samples ({length / SAMPLE_RATE:.3f} s)", f"{asked:,} (as asked)",
            length == asked),
        row(f"{label}: fade", f"gain from {gains.max():.4f} to 0 over the last {len(fading)} s; largest rise "
            f"{rising:.1e} a second", "never rising (1e-4), never above the bed (1.001)",
            rising <= 1e-4 and gains.max() <= 1.001),
        row(f"{label}: last 0.5 s", f"{np.count_nonzero(end[-SILENT:])} non-zero samples; {last}",
            f"0 non-zero; a step <= {seams.STEP_LIMIT}",
            not end[-SILENT:].any() and last_step <= seams.STEP_LIMIT),
    ]


def memory_row() -> dict:
    """Peak memory of a fresh process streaming a 60-minute tail against one streaming a 10-minute tail."""
    short, long = (peak_kib([sys.executable, "-c", TAIL, str(minutes * 60 * SAMPLE_RATE)]) for minutes in TAILS)
    share = long / short
    measured = f"{long / 1024:.0f} MB vs {short / 1024:.0f} MB = {share:.2f}x"
    return row(f"peak memory: {TAILS[1]}-minute vs {TAILS[0]}-minute sleep tail", measured, f"<= {MEMORY_LIMIT}x",
               share <= MEMORY_LIMIT)


def run() -> list[dict]:
    """Rows for each pattern's cue, the edges, the spectrum, the swell, two sleep tails and their memory."""
    rows, over, spectra = [], [], []
    for name, pattern in PATTERNS.items():
        samples, times = cue(pattern)
        rows += cue_rows(name, samples, times)
        found = seams.edges(samples.tobytes())
        over.append((found.over, found.count, found.largest))
        spectra.append("%s %.0f Hz / %.0f Hz / %.0f dB" % (name, *spectrum(samples)))
    counts = [sum(figures[i] for figures in over) for i in range(2)]
    rows.append(row(f"breath cue tone, every pattern: edges stepping by more than {seams.STEP_LIMIT}",
                    f"{counts[0]} of {counts[1]} (largest step {max(f[2] for f in over)})", "0", counts[0] == 0))
    rows.append(row("breath cue tone: spectral centroid / 95 % roll-off / power above 2 kHz", "; ".join(spectra),
                    "info", None))
    rows += swell_rows()
    for minutes in TAILS:
        rows += tail_rows(minutes)
    return [*rows, memory_row()]
