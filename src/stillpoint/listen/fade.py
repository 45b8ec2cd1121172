"""The volume of what is written: a key's change glided over HUSH samples, a fade-in where playback starts inside
an event, and a fade-out at every pause, jump and stop, so the sound never steps.
"""

from __future__ import annotations

import numpy as np

from stillpoint.audio import SAMPLE_RATE, SAMPLE_WIDTH

HUSH = int(0.03 * SAMPLE_RATE)  # fade when pausing, skipping or stopping, so the sound never clicks off
VOLUME_STEP = 0.1


def gained(pcm: bytes, volumes: tuple[float, float], rising: int | None = None, fade_out: bool = False) -> bytes:
    """``pcm`` at a volume moving from ``volumes[0]`` to ``volumes[1]`` over HUSH samples, so a key never steps it.

    It is also faded in, ``rising`` samples into a HUSH-long rise, or faded out over its whole length.
    """
    was, volume = volumes
    if was == volume == 1.0 and rising is None and not fade_out:
        return pcm
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32)
    along = np.arange(len(samples), dtype=np.float32)
    samples *= was + (volume - was) * np.minimum((along + 1) / HUSH, 1.0)
    if rising is not None:
        samples *= np.minimum((along + rising) / HUSH, 1.0)
    if fade_out:
        samples *= np.linspace(1.0, 0.0, len(samples), dtype=np.float32)
    return np.rint(samples).astype("<i2").tobytes()


class Gain:
    """The volume asked for, the volume the last sample written had, and how far a fade-in has come."""

    def __init__(self) -> None:
        self.volume = self._heard = 1.0
        self._rising: int | None = None  # samples into a fade-in, while one is under way

    def change(self, steps: int) -> None:
        """The volume asked for ``steps`` steps up (or down, when negative), between silence and full."""
        self.volume = min(1.0, max(0.0, round(self.volume + steps * VOLUME_STEP, 2)))

    def fade_in(self, wanted: bool = True) -> None:
        """Fade in what is written next (or, with ``wanted`` False, not: an event's start needs no fade)."""
        self._rising = 0 if wanted else None

    def apply(self, pcm: bytes, fade_out: bool = False) -> bytes:
        """``pcm`` as it is to be heard next, gliding to the volume and carrying on any fade-in."""
        count = len(pcm) // SAMPLE_WIDTH
        heard = gained(pcm, (self._heard, self.volume), self._rising, fade_out)
        moved = (self.volume - self._heard) * count / HUSH
        self._heard = self.volume if count >= HUSH else self._heard + moved
        if self._rising is not None:
            self._rising = None if self._rising + count >= HUSH else self._rising + count
        return heard
