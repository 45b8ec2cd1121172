"""The one internal audio format: mono, 16-bit signed little-endian PCM at 22050 Hz; and how a length is shown."""

from __future__ import annotations

from dataclasses import dataclass, field

SAMPLE_RATE = 22050
SAMPLE_WIDTH = 2
CHANNELS = 1


def seconds_to_samples(seconds: float) -> int:
    """Number of samples closest to ``seconds`` at the internal rate."""
    return int(round(seconds * SAMPLE_RATE))


def clock(seconds: float) -> str:
    """A length or a moment as a person reads it, to the nearest second: 12:41 under an hour, 1:30:00 from one on."""
    minutes, rest = divmod(round(max(seconds, 0.0)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{rest:02d}" if hours else f"{minutes}:{rest:02d}"


@dataclass(frozen=True)
class Clip:
    """A piece of synthesized speech as raw PCM in the internal format.

    ``loudness`` is (integrated LUFS, true peak dBTP) when it has been measured, so it need not be again;
    ``levelled`` is (target LUFS, true-peak ceiling dBTP, PCM) when the clip has been levelled, so that
    need not be done again either.
    """

    pcm: bytes
    loudness: tuple[float, float] | None = field(default=None, compare=False)
    levelled: tuple[float, float, bytes] | None = field(default=None, compare=False, repr=False)

    def levelled_to(self, level: tuple[float, float]) -> bytes | None:
        """The PCM levelled to ``level`` (target LUFS, ceiling dBTP) if that was done, else None."""
        if self.levelled is None or self.levelled[:2] != tuple(level):
            return None
        return self.levelled[2]

    @property
    def samples(self) -> int:
        """Number of samples in the clip."""
        return len(self.pcm) // SAMPLE_WIDTH

    @property
    def seconds(self) -> float:
        """Length of the clip in seconds."""
        return self.samples / SAMPLE_RATE
