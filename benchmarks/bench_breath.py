"""Breath cues and the sleep ending, measured on their audio against the plan's times.

The cue: each breath pattern's tone, several minutes of it in a practice exported to WAV by `stillpoint export`
(the fake engine, for speed: the cue does not depend on the voice), measured against the phases `stillpoint plan
--json` gives, as a listener's ear would meet it; once more fitted with --length, which stretches whole cycles. Its
level (RMS over 40 ms every 5 ms, in dB) must rise through every in-breath and fall through every out-breath
(each quarter of the phase louder, or quieter, than the one before, by at least 1 dB); every turn between
phases, found where the straight lines fitted to the level on either side cross, must lie within 20 ms of the
plan, as must its first and last sound; its loudness (BS.1770, integrated and over its loudest 400 ms) at least
8 LU under the practice's own speech (the speech events of the same export, measured alike); no edge between
silence and sound in the whole export may step by more than 64. The swell is measured the same way on exports
with a bed under it: steady beds (rain, brown) must follow every breath. The sleep tail: its length to the sample,
its gain against the bed it plays (the least-squares gain of each second) never rising and never above 1, its last
half second exact zeros, and the peak memory of a fresh process streaming a 60-minute tail against a 10-minute one.

The measuring functions take samples and the plan's phase times ((phase, start, duration) in seconds), or a
tail's one-second blocks: the cue's are read from exported WAV files, the tail's from the stream.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import wave
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pyebur128

from benchmarks.bench_memory import peak_kib
from benchmarks.common import row, stillpoint
from stillpoint.audio import SAMPLE_RATE
from stillpoint.sound import ambience, breath, seams, sleep

PATTERNS = {"8s": (8.0,), "4-6": (4.0, 6.0), "4-7-8": (4.0, 7.0, 8.0), "4-4-4-4": (4.0, 4.0, 4.0, 4.0)}
CUE_SECONDS = 180.0  # at least three minutes of each pattern
ENGINE = "stillpoint.voice.fake:FakeEngine"
PRACTICE = """---
title: Breathing with the {pattern} cue
breath: {pattern}
breath-cue: {cue}
---
Let the sound lead the breath, in as it rises and out as it falls. [breathe {cycles}]
Now let the breath go on by itself, with nothing to follow.
"""
FITTED = 1.3  # the fitted export lasts this much longer than the practice's own length
SWELL_BREATHS = 8
UNDER_VOICE_LU = 8.0
TIMING = 0.02  # seconds
STEP_DB = 1.0  # each quarter of an in- or out-breath differs from the one before by at least this
WINDOW, HOP = 0.04, 0.005  # seconds: seven periods of the tone's lowest pitch, so its RMS hardly ripples
REACH, GUARD = 1.0, 0.06  # lines are fitted over up to a second each side of a turn, this far from it
TAILS = (10, 60)  # minutes
MEMORY_LIMIT = 1.25
TAIL = "import sys\nfrom stillpoint.sound import sleep\nfor _ in sleep.tail(int(sys.argv[1])): pass\n"
SILENT = SAMPLE_RATE // 2


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


def exported(folder: Path, pattern: str, cycles: int, cue: str = "tone", length: str | None = None,
             ambience: str | None = None) -> tuple[np.ndarray, dict]:
    """A practice of ``cycles`` breaths of ``pattern`` exported to WAV by `stillpoint export`, and its plan from
    `stillpoint plan --json`, both fitted to ``length`` if given (the fake engine, one cache for both)."""
    source = folder / f"{pattern}-{cue}-{length}-{ambience}.txt"
    source.write_text(PRACTICE.format(pattern=pattern, cue=cue, cycles=cycles), encoding="utf-8")
    env = {**os.environ, "STILLPOINT_ENGINE": ENGINE}
    common = ("--cache-dir", str(folder / "cache"), "-q", *(("--length", length) if length else ()))
    plan = json.loads(_run(stillpoint("plan", source, "--json", *common), env))
    wav = source.with_suffix(".wav")
    bed = ("--ambience", ambience) if ambience else ()
    _run(stillpoint("export", source, "-o", wav, "-f", "wav", "--force", *bed, *common), env)
    with wave.open(str(wav)) as audio:
        return np.frombuffer(audio.readframes(audio.getnframes()), dtype="<i2"), plan


def _run(command: list[str], env: dict[str, str]) -> str:
    """Run a command of the program; its output, or RuntimeError with its error."""
    done = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"{command[1:3]} failed: {done.stderr.strip()}")
    return done.stdout


def planned_phases(plan: dict) -> list[tuple[str, float, float]]:
    """Every breath phase the plan gives: (phase, start, duration) in seconds from the start of the track."""
    return [(phase["phase"], phase["start"], phase["duration"]) for event in plan["events"]
            for phase in event.get("phases", [])]


def spans(samples: np.ndarray, plan: dict, kind: str) -> np.ndarray:
    """The samples of every event of ``kind`` in the plan, joined."""
    cut = [samples[round(e["start"] * SAMPLE_RATE):round((e["start"] + e["duration"]) * SAMPLE_RATE)]
           for e in plan["events"] if e["kind"] == kind]
    return np.concatenate(cut)


def cycles_for(pattern: Sequence[float]) -> int:
    """How many breaths of ``pattern`` last at least CUE_SECONDS."""
    return math.ceil(CUE_SECONDS / sum(seconds for _, seconds in breath.cycle(pattern)))


def cue_rows(name: str, samples: np.ndarray, plan: dict) -> list[dict]:
    """The envelope, timing and loudness rows of one pattern's cue in an exported practice, against its plan."""
    times = planned_phases(plan)
    found = directions(samples, times)
    (ins, in_count), (outs, out_count) = found[breath.IN], found[breath.OUT]
    shape = f"rises through {ins} of {in_count} in-breaths, falls through {outs} of {out_count} out-breaths"
    turns = turn_errors(samples, times)
    first, last = outer_errors(samples, times)
    worst = max([*turns, first, last])
    integrated, loudest = loudness(spans(samples, plan, "breathe"))
    voice = loudness(spans(samples, plan, "speech"))[0]
    ceiling = voice - UNDER_VOICE_LU
    minutes = (times[-1][1] + times[-1][2] - times[0][1]) / 60
    label = f"breath cue tone {name} ({minutes:.1f} min, exported)"
    return [
        row(f"{label}: envelope", f"{shape}; holds steady within {hold_spread(samples, times):.2f} dB",
            f"every one, by >= {STEP_DB:g} dB a quarter", ins == in_count and outs == out_count),
        row(f"{label}: timing against the plan", f"largest {1000 * worst:.1f} ms over {len(turns)} turns, the first "
            f"and the last sound", f"<= {1000 * TIMING:.0f} ms", worst <= TIMING),
        row(f"{label}: loudness", f"{integrated:.1f} LUFS, loudest 400 ms {loudest:.1f} LUFS: "
            f"{voice - loudest:.1f} LU under the voice ({voice:.1f} LUFS)",
            f"<= {ceiling:.1f} LUFS (voice - {UNDER_VOICE_LU:g} LU)",
            max(integrated, loudest) <= ceiling),
    ]


def spectrum(samples: np.ndarray) -> tuple[float, float, float]:
    """The power-weighted spectral centroid, the 95 % roll-off (Hz), and the share of power above 2 kHz (dB)."""
    power = np.abs(np.fft.rfft(samples.astype(np.float64))) ** 2
    hz = np.fft.rfftfreq(len(samples), 1 / SAMPLE_RATE)
    total = float(power.sum())
    rolloff = float(hz[np.searchsorted(np.cumsum(power), 0.95 * total)])
    return float((hz * power).sum()) / total, rolloff, 10 * math.log10(float(power[hz > 2000].sum()) / total)


def swell_rows(folder: Path) -> list[dict]:
    """The swell's direction on each bed under a 4-7-8 breath, exported: rain and brown must follow it; the ocean
    has its own waves."""
    rows = []
    for spec in ambience.BEDS:
        samples, plan = exported(folder, "4-7-8", SWELL_BREATHS, "swell", ambience=spec)
        found = directions(samples, planned_phases(plan))
        (ins, of_in), (outs, of_out) = found[breath.IN], found[breath.OUT]
        measured = f"rises through {ins} of {of_in} in-breaths, falls through {outs} of {of_out} out-breaths"
        steady = spec != "ocean"  # the ocean's own waves rise and fall every nine seconds
        rows.append(row(f"breath cue swell over {spec}, 4-7-8 (exported): envelope", measured,
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


def cue_exports(folder: Path) -> list[tuple[str, np.ndarray, dict]]:
    """Each pattern's practice exported at its own length, and 4-7-8 again fitted FITTED times longer."""
    found = [(name, *exported(folder, name, cycles_for(pattern))) for name, pattern in PATTERNS.items()]
    own = found[2][2]["total"]
    length = f"{own * FITTED:.0f}s"
    found.append((f"4-7-8 --length {length}", *exported(folder, "4-7-8", cycles_for(PATTERNS["4-7-8"]), length=length)))
    return found


def run() -> list[dict]:
    """Rows for each pattern's exported cue, fitted too, the edges, the spectrum, the swell, two sleep tails and
    their memory."""
    rows, over, spectra = [], [], []
    with tempfile.TemporaryDirectory(prefix="stillpoint-bench-") as temporary:
        for name, samples, plan in cue_exports(Path(temporary)):
            rows += cue_rows(name, samples, plan)
            found = seams.edges(samples.tobytes())
            over.append((found.over, found.count, found.largest))
            spectra.append("%s %.0f Hz / %.0f Hz / %.0f dB" % (name, *spectrum(spans(samples, plan, "breathe"))))
        swells = swell_rows(Path(temporary))
    counts = [sum(figures[i] for figures in over) for i in range(2)]
    rows.append(row(f"breath cue tone, every export: edges stepping by more than {seams.STEP_LIMIT}",
                    f"{counts[0]} of {counts[1]} (largest step {max(f[2] for f in over)})", "0", counts[0] == 0))
    rows.append(row("breath cue tone: spectral centroid / 95 % roll-off / power above 2 kHz", "; ".join(spectra),
                    "info", None))
    rows += swells
    for minutes in TAILS:
        rows += tail_rows(minutes)
    return [*rows, memory_row()]
