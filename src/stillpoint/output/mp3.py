"""MP3 encoding for export: LAME at the internal rate, with long runs of digital silence copied rather than encoded.

At 22050 Hz a mono frame holds 576 samples and on average 72000 * kbps / 22050 bytes; LAME pads some frames by a
byte to keep that average, on a cycle of p frames, the fraction's denominator (49, or 7 at 56 and 112 kbps), which
carry P bytes, its numerator (10240 at 64 kbps). Measured: after about 100 frames (2.7 s) of exact zeros, LAME's
output for more of them repeats every P bytes and its state is the same from one cycle to the next, so each further
whole cycle of zeros can be answered with a copy of the last P bytes it wrote, and the stream stays byte for byte the
one encoding everything gives. About two thirds of a practice is such silence; copying spares LAME 45 % of the
samples and 20 % of its time (silence is the cheap part to encode). The repetition is checked on the bytes LAME
actually wrote; where it does not show, zeros are simply encoded.
"""

from __future__ import annotations

from fractions import Fraction

import lameenc
import numpy as np

from stillpoint.audio import CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH

MP3_QUALITY = 5
FRAME_SAMPLES = 576  # an MPEG-2 Layer III frame, the kind 22050 Hz uses
# Frames of zeros LAME must have been fed before its output for more can be copied. Its bytes must be silence's
# alone for the two cycles compared, and it looks ahead and keeps back ~150 bytes: SETTLING_FRAMES more. And in
# quiet it lowers its hearing threshold by 7.5 % a frame down to -32 dB, which takes ATH_FRAMES from full sound;
# that changes no silent frame, only the sound after it, so the comparison cannot see it (measured at 56 and
# 112 kbps, where two cycles are only 14 frames: copying sooner than 92 frames changed the sound that followed).
SETTLING_FRAMES = 4
ATH_FRAMES = 95


def mp3_encoder(bitrate: int) -> lameenc.Encoder:
    """A constant-bitrate encoder for internal PCM that keeps the sample rate."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bitrate)
    encoder.set_in_sample_rate(SAMPLE_RATE)
    encoder.set_out_sample_rate(SAMPLE_RATE)
    encoder.set_channels(CHANNELS)
    encoder.set_quality(MP3_QUALITY)
    return encoder


class SilenceSkippingEncoder:
    """``mp3_encoder(bitrate)``, writing the same bytes, but copying LAME's output for long silences."""

    def __init__(self, bitrate: int) -> None:
        self._lame = mp3_encoder(bitrate)
        frame_bytes = Fraction(FRAME_SAMPLES * bitrate * 1000, 8 * SAMPLE_RATE)
        self._cycle_bytes = frame_bytes.numerator
        self._cycle_samples = frame_bytes.denominator * FRAME_SAMPLES
        self._settled = (max(2 * frame_bytes.denominator, ATH_FRAMES) + SETTLING_FRAMES) * FRAME_SAMPLES
        self._tail = b""  # the last two cycles' worth of bytes LAME wrote
        self._zeros_fed = 0  # zeros LAME has been given since its last other sample
        self._zeros_held = 0  # zeros received but not yet passed on
        self._skipped = 0

    @property
    def skipped_samples(self) -> int:
        """How many zero samples were copied rather than encoded so far."""
        return self._skipped

    def encode(self, pcm: bytes) -> bytes:
        """MP3 bytes for more 16-bit PCM; silence may be held back until sound or ``flush`` follows."""
        if not pcm:
            return self._lame.encode(pcm)  # which starts LAME's stream, so that flush gives frames even so
        samples = np.frombuffer(pcm, dtype="<i2")
        out, done = [], 0
        for start, end in _silences(samples, self._cycle_samples):
            out.append(self._sound(pcm[done * SAMPLE_WIDTH : start * SAMPLE_WIDTH]))
            self._zeros_held += end - start
            done = end
        out.append(self._sound(pcm[done * SAMPLE_WIDTH :]))
        return b"".join(out)

    def flush(self) -> bytes:
        """The rest of the stream: the silence held back, then what LAME still holds."""
        return self._release() + self._lame.flush()

    def _sound(self, pcm: bytes) -> bytes:
        """Encode PCM that starts and ends with sound, after the silence held back before it."""
        if not pcm:
            return b""
        out = self._release() + self._fed(pcm)
        self._zeros_fed = 0
        return out

    def _release(self) -> bytes:
        """Pass on the zeros held back: whole cycles copied whenever LAME is steady, the rest encoded."""
        out = []
        while self._zeros_held >= self._cycle_samples:
            if self._steady():
                cycles = self._zeros_held // self._cycle_samples
                out.append(self._tail[self._cycle_bytes :] * cycles)
                self._skipped += cycles * self._cycle_samples
                self._zeros_held -= cycles * self._cycle_samples
            else:  # only what the wait still needs (then a frame at a time): the rest may be copied
                wait = max(self._settled - self._zeros_fed, FRAME_SAMPLES)
                out.append(self._fed_zeros(min(wait, self._zeros_held)))
        out.append(self._fed_zeros(self._zeros_held))
        return b"".join(out)

    def _steady(self) -> bool:
        """Whether LAME has settled into silence: long enough in it, and its last two cycles byte for byte alike."""
        half = self._cycle_bytes
        settled = self._zeros_fed >= self._settled and len(self._tail) == 2 * half
        return settled and self._tail[:half] == self._tail[half:]

    def _fed_zeros(self, count: int) -> bytes:
        """LAME's output for ``count`` zeros."""
        if not count:
            return b""
        self._zeros_held -= count
        self._zeros_fed += count
        return self._fed(bytes(count * SAMPLE_WIDTH))

    def _fed(self, pcm: bytes) -> bytes:
        """LAME's output for ``pcm``, remembered as the latest tail."""
        out = self._lame.encode(pcm)
        self._tail = (self._tail + out)[-2 * self._cycle_bytes :]
        return out


def _silences(samples: np.ndarray, shortest: int) -> list[tuple[int, int]]:
    """(start, end) of each run of zeros at least ``shortest`` long or at either end of ``samples``."""
    if not samples.any():
        return [(0, len(samples))]  # a chunk of silence, the commonest kind, found ten times faster
    zero = np.concatenate(([False], samples == 0, [False])).view(np.int8)
    edges = np.diff(zero)
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    kept = (ends - starts >= shortest) | (starts == 0) | (ends == len(samples))
    return list(zip(starts[kept].tolist(), ends[kept].tolist(), strict=True))
