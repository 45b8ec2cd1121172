"""MP3 encoding for export: LAME at the internal rate, with long runs of digital silence copied rather than encoded.

At 22050 Hz a mono frame holds 576 samples and on average 72000 * kbps / 22050 bytes; LAME pads some frames by a
byte to keep that average, on a cycle of p frames, the fraction's denominator (49, or 7 at 56 and 112 kbps), which
carry P bytes, its numerator (10240 at 64 kbps). Measured: after about 100 frames (2.7 s) of exact zeros, LAME's
output for more of them repeats every P bytes and its state is the same from one cycle to the next, so each further
whole cycle of zeros can be answered with a copy of the last P bytes it wrote, and the stream stays byte for byte the
one encoding everything gives. About two thirds of a practice is such silence; copying spares LAME 45 % of the
samples and 20 % of its time (silence is the cheap part to encode). The repetition is checked on the bytes LAME
actually wrote; where it does not show, zeros are simply encoded.

lameenc writes no Info frame (LAME's tag, which lame_get_lametag_frame would give), so a decoder would guess the length
from the bitrate and play LAME's delay and padding (about 1,600 samples) as sound. ``InfoFrame`` follows the stream as it
is written and makes that frame at its end, to go first: the Xing "Info" header (frame and byte counts, a table of
contents) and LAME's extension (encoder delay and padding, music length and CRC, and the CRC of the frame itself).
"""

from __future__ import annotations

import struct
from fractions import Fraction

import crcmod.predefined
import lameenc
import numpy as np

from stillpoint.audio import CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH

MP3_QUALITY = 5
FRAME_SAMPLES = 576  # an MPEG-2 Layer III frame, the kind 22050 Hz uses
# MPEG-2 Layer III bitrates, the ones valid at 22050 Hz, in the order of their index in a frame header (from 1).
MP3_BITRATES = (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
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
        """MP3 bytes for more 16-bit PCM; under a cycle of silence may be held back until sound or ``flush``."""
        if not pcm:
            return self._lame.encode(pcm)  # which starts LAME's stream, so that flush gives frames even so
        samples = np.frombuffer(pcm, dtype="<i2")
        out, done = [], 0
        for start, end in _silences(samples, self._cycle_samples):
            out.append(self._sound(pcm[done * SAMPLE_WIDTH : start * SAMPLE_WIDTH]))
            self._zeros_held += end - start
            done = end
        out.append(self._sound(pcm[done * SAMPLE_WIDTH :]))
        out.append(self._cycles())  # so that an hour of silence is never held, nor its bytes made at once
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
        return self._cycles() + self._fed_zeros(self._zeros_held)

    def _cycles(self) -> bytes:
        """Pass on the held zeros but for less than a cycle: copied whenever LAME is steady, else encoded.

        Whether a cycle is passed on now or with the sound that follows, the stream is the same.
        """
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


# The Info frame. Offsets are from the frame's start: a 4-byte header and, for MPEG-2 mono, 9 bytes of side
# information (left zero, so a decoder that ignores the tag plays the frame as silence) come before the tag.
TAG_OFFSET = 4 + 9
INFO_FLAGS = 0x0F  # frame count, byte count, table of contents and quality are present
TOC_ENTRIES = 100
# LAME's encoder delay: the samples it puts before the first one given. Measured: an impulse at sample n of what was
# encoded is decoded, untrimmed, at n + 576 + 529 (the decoder's own delay, which decoders add by themselves).
ENCODER_DELAY = 576
LAME_VERSION = b"LAME3.100"  # the LAME inside lameenc; ffmpeg trusts delay and padding only after a "LAME" name
CBR_METHOD = 1  # the tag's revision 0, and "constant bitrate" as the bitrate method
QUALITY_FIELD = 100 - 10 * 4 - MP3_QUALITY  # as LAME fills it: 100 - 10 * its VBR quality (4 by default) - quality
TAG_SIZE = 156  # from the "Info" identifier to the CRC of the frame, whose two bytes end the tag
TAG_CRC_OFFSET = TAG_OFFSET + TAG_SIZE - 2
FALLBACK_KBPS = 64  # below 56 kbps a frame cannot hold the tag: LAME then uses a 64 kbps frame, as for VBR
crc16 = crcmod.predefined.mkPredefinedCrcFun("crc-16")  # CRC-16 with polynomial 0xA001 (reflected), LAME's


def frame_bytes(kbps: int, padded: bool = False) -> int:
    """The length of an MPEG-2 Layer III frame at 22050 Hz."""
    return 72000 * kbps // SAMPLE_RATE + padded


class InfoFrame:
    """The Info frame of a constant-bitrate stream: it follows the stream as it is written, and is made at its end."""

    def __init__(self, bitrate: int) -> None:
        self.bitrate = bitrate
        self.kbps = bitrate if frame_bytes(bitrate) >= TAG_OFFSET + TAG_SIZE else FALLBACK_KBPS
        self.size = frame_bytes(self.kbps)  # the room to keep for it before the stream
        self._header = b""  # the first frame's header
        self._stream_bytes = 0
        self._next_frame = 0  # where the next frame header starts, in the stream
        self._frames = 0
        self._crc = 0

    def follow(self, mp3: bytes) -> bytes:
        """Take note of more of the stream; returns it unchanged."""
        start = self._stream_bytes
        self._stream_bytes += len(mp3)
        self._crc = crc16(mp3, self._crc)
        self._header = self._header or mp3[:4]
        # A header's third byte holds its bitrate and padding: by the time it is here, the rest is not needed.
        while self._next_frame + 2 < self._stream_bytes:
            third = mp3[self._next_frame + 2 - start]
            self._next_frame += frame_bytes(MP3_BITRATES[(third >> 4) - 1], bool(third & 0x02))
            self._frames += 1
        return mp3

    def frame(self, samples: int) -> bytes:
        """The Info frame for the stream followed so far, which encoded ``samples`` samples."""
        padding = self._frames * FRAME_SAMPLES - ENCODER_DELAY - samples
        header = self._info_header()
        frame = bytearray(self.size)
        frame[:4] = header
        frame[TAG_OFFSET:TAG_CRC_OFFSET] = self._xing() + self._lame_extension(padding)
        frame[TAG_CRC_OFFSET:TAG_CRC_OFFSET + 2] = struct.pack(">H", crc16(bytes(frame[:TAG_CRC_OFFSET])))
        return bytes(frame)

    def _info_header(self) -> bytes:
        """The first frame's header with this frame's bitrate, and no padding byte."""
        first = self._header if len(self._header) == 4 else b"\xff\xf3\x00\xc4"  # MPEG-2 Layer III, mono
        third = (MP3_BITRATES.index(self.kbps) + 1) << 4 | first[2] & 0x0D
        return bytes((first[0], first[1], third, first[3]))

    def _xing(self) -> bytes:
        """"Info", its flags, the counts of frames and bytes (this frame's included), the table of contents."""
        toc = bytes(min(255, 256 * i // TOC_ENTRIES) for i in range(TOC_ENTRIES))  # constant bitrate: even steps
        total = self.size + self._stream_bytes
        return b"Info" + struct.pack(">III", INFO_FLAGS, self._frames, total) + toc + struct.pack(">I", QUALITY_FIELD)

    def _lame_extension(self, padding: int) -> bytes:
        """LAME's part of the tag, up to the frame's CRC: version, bitrate, delay and padding, music length and CRC."""
        delays = (ENCODER_DELAY << 12 | padding).to_bytes(3, "big")
        unknown = bytes(1 + 4 + 2 + 2 + 1)  # lowpass, peak, two replay gains, encoding flags: not known here
        rest = bytes(1 + 1 + 2)  # stereo mode and source rate (mono, below 32 kHz: zero), MP3 gain, preset
        music = struct.pack(">IH", self.size + self._stream_bytes, self._crc)
        return LAME_VERSION + bytes([CBR_METHOD]) + unknown + bytes([min(255, self.bitrate)]) + delays + rest + music
