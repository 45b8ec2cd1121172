"""A sleep ending: after the last words the bed goes on, then fades out to digital silence.

The fade is exponential (even in decibels, as the ear hears a fade) over its first FADE_DB, bent to reach exact
zero at its end: a quiet bedroom's noise sits about 30 dB under a bed at a comfortable level, so the whole fade
is heard as one even drift down, with no sudden last step. The tail is made a chunk at a time from the loop, so
its memory does not grow with its length.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from stillpoint.audio import SAMPLE_RATE
from stillpoint.sound import ambience

DEFAULT_BED = "brown"  # the deepest, most even of the beds: nothing in it to listen for
FADE_SHARE = 0.5  # the bed fades over the second half of the tail ...
MAX_FADE_SECONDS = 600.0  # ... or its last ten minutes, whichever is shorter
FADE_DB = 30.0
SILENT_SECONDS = 0.5  # exact zeros at the very end
CHUNK_SAMPLES = SAMPLE_RATE


def fade(total: int, start: int, end: int, rise_from: float = 1.0) -> np.ndarray:
    """The bed's gain for samples ``start`` to ``end`` of a tail ``total`` samples long: 1, a fade, then zeros.

    ``rise_from`` is the bed's gain just before the tail (lower when the last words ducked it): the tail starts
    there and rises to 1 as the bed does after speech; from 0 (no bed before it, or a stream starting in the tail) it
    fades in as a bed does where a stream starts.
    """
    samples = np.arange(start, end, dtype=np.float64)
    body = total - min(total, int(round(SILENT_SECONDS * SAMPLE_RATE)))
    length = max(1, min(int(FADE_SHARE * total), int(MAX_FADE_SECONDS * SAMPLE_RATE), body))
    gain = np.ones(end - start)
    fading, silent = (min(max(sample - start, 0), end - start) for sample in (body - length, body))
    floor = 10.0 ** (-FADE_DB / 20.0)
    through = (samples[fading:silent] - (body - length)) / length  # only where it fades: a level hour costs little
    gain[fading:silent] = (10.0 ** (-FADE_DB * through / 20.0) - floor) / (1.0 - floor)
    gain[silent:] = 0.0
    rising = (ambience.DUCK_SECONDS if rise_from > 0.0 else ambience.FADE_IN_SECONDS) * SAMPLE_RATE
    risen = min(max(int(np.ceil(rising)) - start, 0), end - start)
    gain[:risen] *= rise_from + (1.0 - rise_from) * ambience._ramp(samples[:risen] / rising)
    return gain


def tail(total: int, loop: np.ndarray | None = None, volume: float = 1.0, position: int = 0,
         rise_from: float = 1.0) -> Iterator[bytes]:
    """``total`` samples of the bed ``loop`` (the default bed if None) going on from sample ``position`` and fading out.

    ``position`` is where the tail starts in the whole stream, so the loop continues exactly where the bed under
    the practice left it; ``volume`` is the bed's volume, as the practice's ambience has it.
    """
    bed = ambience.loop(DEFAULT_BED) if loop is None else loop
    for start in range(0, total, CHUNK_SAMPLES):
        end = min(start + CHUNK_SAMPLES, total)
        sound = _looped(bed, position + start, end - start) * fade(total, start, end, rise_from)
        yield np.clip(np.rint(sound * (volume * 32767.0)), -32768, 32767).astype("<i2").tobytes()


def _looped(bed: np.ndarray, first: int, count: int) -> np.ndarray:
    """``count`` samples of the loop ``bed`` from sample ``first`` of its endless repetition, sliced, not indexed."""
    pieces, at = [], first % len(bed)
    while count > 0:
        pieces.append(bed[at:at + count])
        count, at = count - len(pieces[-1]), 0
    return pieces[0] if len(pieces) == 1 else np.concatenate(pieces)
