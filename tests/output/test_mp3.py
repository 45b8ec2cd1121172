"""MP3 encoding: copying LAME's output for long silences gives the very bytes encoding them does; the Info frame
lets decoders play exactly the samples encoded."""

import struct
import subprocess
import wave
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import mutagen.mp3
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from stillpoint.audio import SAMPLE_RATE
from stillpoint.output import export
from stillpoint.output.export import export_track
from stillpoint.output.mp3 import MP3_BITRATES, SilenceSkippingEncoder, mp3_encoder
from stillpoint.output.track import TrackInfo

AMPLITUDES = (1, 2, 100, 3000, 32767)
# Whole seconds and a fraction are drawn apart: drawn as one integer, a length would mostly be short.
SUBSECOND = st.floats(0.0, 1.0, exclude_max=True)


def tone(seconds: float, amplitude: int = 8000, frequency: float = 440.0) -> np.ndarray:
    """A sine tone as internal samples."""
    n = np.arange(int(round(seconds * SAMPLE_RATE)))
    return (amplitude * np.sin(2 * np.pi * frequency * n / SAMPLE_RATE)).astype("<i2")


def silence(seconds: float) -> np.ndarray:
    """Digital silence as internal samples."""
    return np.zeros(int(round(seconds * SAMPLE_RATE)), dtype="<i2")


def noise(length: int, amplitude: int, seed: int) -> np.ndarray:
    """Uniform noise up to ``amplitude`` either way (which, at 1 or 2, is mostly short runs of zeros)."""
    return np.random.default_rng(seed).integers(-amplitude, amplitude + 1, length).astype("<i2")


def chunks_of(samples: np.ndarray, size: int, cuts: Sequence[int] = ()) -> list[bytes]:
    """``samples`` as PCM in chunks of ``size``, cut also at each of ``cuts`` and one sample after it."""
    bounds = {0, len(samples), *range(0, len(samples), size), *cuts, *(min(cut + 1, len(samples)) for cut in cuts)}
    return [samples[start:end].tobytes() for start, end in pairwise(sorted(bounds))]


def encoded(encoder, chunks: list[bytes]) -> bytes:
    """The whole stream an encoder writes for ``chunks``."""
    return b"".join(encoder.encode(chunk) for chunk in chunks) + encoder.flush()


@st.composite
def segments(draw) -> np.ndarray:
    """Silence of up to 20 s, or up to 2 s of noise or a tone, loud or as quiet as a single step."""
    kind = draw(st.sampled_from(["silence", "noise", "tone"]))
    if kind == "silence":
        return silence(draw(st.sampled_from(range(21))) + draw(SUBSECOND))
    length = int((draw(st.integers(0, 1)) + draw(SUBSECOND)) * SAMPLE_RATE) + 1
    amplitude = draw(st.sampled_from(AMPLITUDES))
    if kind == "noise":
        return noise(length, amplitude, draw(st.integers(0, 2**32 - 1)))
    return tone(length / SAMPLE_RATE, amplitude, draw(st.floats(20.0, 10000.0)))


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(segments(), min_size=1, max_size=6), st.sampled_from(MP3_BITRATES), st.data())
def test_the_stream_is_byte_for_byte_what_lame_writes(parts, bitrate, data):
    samples = np.concatenate(parts)
    assume(len(samples) > 0)  # lameenc refuses to flush a stream it was never given
    size = data.draw(st.integers(SAMPLE_RATE // 20, 2 * SAMPLE_RATE), label="chunk size")
    cuts = data.draw(st.lists(st.integers(0, len(samples)), max_size=8), label="extra cuts")
    chunks = chunks_of(samples, size, cuts)
    assert encoded(SilenceSkippingEncoder(bitrate), chunks) == encoded(mp3_encoder(bitrate), chunks)


def test_a_long_silence_is_copied_rather_than_encoded():
    chunks = chunks_of(np.concatenate([tone(1.0), silence(20.0), tone(1.0), silence(10.0)]), SAMPLE_RATE)
    encoder = SilenceSkippingEncoder(64)
    assert encoded(encoder, chunks) == encoded(mp3_encoder(64), chunks)
    assert encoder.skipped_samples > 20 * SAMPLE_RATE


def test_a_long_silence_is_passed_on_as_it_arrives_not_held_until_sound_follows():
    encoder, per_second = SilenceSkippingEncoder(64), 64 * 1000 // 8
    encoder.encode(tone(1.0).tobytes())
    sizes = [len(encoder.encode(silence(1.0).tobytes())) for _ in range(600)]
    assert sum(sizes) > 595 * per_second  # all but about a cycle (1.3 s) of it
    assert max(sizes) < 3 * per_second  # and never a long stretch of it at once


def test_a_silence_shorter_than_the_warm_up_is_encoded():
    chunks = chunks_of(np.concatenate([tone(1.0), silence(2.0), tone(1.0), silence(2.0)]), SAMPLE_RATE)
    encoder = SilenceSkippingEncoder(64)
    assert encoded(encoder, chunks) == encoded(mp3_encoder(64), chunks)
    assert encoder.skipped_samples == 0


def test_an_empty_chunk_starts_the_stream_as_it_does_for_lame():
    assert encoded(SilenceSkippingEncoder(64), [b""]) == encoded(mp3_encoder(64), [b""])


@pytest.mark.parametrize("bitrate", [56, 112])
def test_loud_sound_after_a_silence_is_unchanged_where_cycles_are_short(bitrate):
    # LAME keeps lowering its hearing threshold for ~95 frames of silence, long after its output has started to
    # repeat at these bitrates (every 7 frames); copying sooner changes the sound that follows. Each silence
    # needs its own wait: the one before, copied too, must not count.
    loud = noise(SAMPLE_RATE, 24000, seed=0)
    for tenths in range(10, 60):
        chunks = chunks_of(np.concatenate([silence(5.0), loud, silence(tenths / 10), loud]), SAMPLE_RATE)
        assert encoded(SilenceSkippingEncoder(bitrate), chunks) == encoded(mp3_encoder(bitrate), chunks), tenths


# The Info frame, read back from real exports by real decoders and by a reading of the layout of its own.

SPEECHLIKE = np.concatenate([silence(0.4), noise(SAMPLE_RATE, 6000, seed=1), silence(6.3), tone(2.7, 5000),
                             silence(0.013)])


def exported_pair(tmp_path: Path, samples: np.ndarray, bitrate: int = 64) -> tuple[Path, bytes]:
    """``samples`` exported as an MP3 at ``bitrate``, and the PCM the WAV export of the same chunks holds."""
    chunks = chunks_of(samples, SAMPLE_RATE // 10)
    mp3 = export_track(chunks, tmp_path / f"track{bitrate}.mp3", "mp3", TrackInfo("Track", "Stillpoint"),
                       bitrate=bitrate, force=True)
    wav = export_track(chunks, tmp_path / "track.wav", "wav", TrackInfo("Track", "Stillpoint"), force=True)
    with wave.open(str(wav)) as audio:
        return mp3, audio.readframes(audio.getnframes())


def decoded(decoder: str, path: Path) -> np.ndarray:
    """The samples ffmpeg or mpg123 decodes from ``path``."""
    command = {"ffmpeg": ["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-"],
               "mpg123": ["mpg123", "-q", "-s", str(path)]}[decoder]
    return np.frombuffer(subprocess.run(command, capture_output=True, check=True).stdout, "<i2")


def stream_start(path: Path) -> bytes:
    """The MP3 stream after the ID3 tag: the Info frame, then the audio frames."""
    data = path.read_bytes()
    return data[mutagen.mp3.MP3(path).tags.size:]


def frame_lengths(stream: bytes) -> list[int]:
    """The length of each frame of a Layer III MPEG-2 stream at 22050 Hz, read from their headers."""
    lengths, at = [], 0
    while at < len(stream):
        assert stream[at] == 0xFF and stream[at + 1] & 0xE0 == 0xE0, f"no frame header at {at}"
        kbps = (0, *MP3_BITRATES)[stream[at + 2] >> 4]
        lengths.append(72000 * kbps // SAMPLE_RATE + (stream[at + 2] >> 1 & 1))
        at += lengths[-1]
    assert at == len(stream)
    return lengths


def crc16_bitwise(data: bytes) -> int:
    """CRC-16 with the reflected polynomial 0xA001, one bit at a time (independent of the code under test)."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


@pytest.mark.parametrize("bitrate", [32, 64, 160])
def test_ffmpeg_and_mpg123_decode_exactly_the_samples_of_the_wav_export(tmp_path, bitrate):
    mp3, pcm = exported_pair(tmp_path, SPEECHLIKE, bitrate)
    assert len(decoded("ffmpeg", mp3)) == len(pcm) // 2 == len(SPEECHLIKE)
    assert len(decoded("mpg123", mp3)) == len(pcm) // 2


@pytest.mark.parametrize("decoder", ["ffmpeg", "mpg123"])
def test_a_decoder_puts_each_sample_where_the_wav_has_it(tmp_path, decoder):
    mp3, pcm = exported_pair(tmp_path, SPEECHLIKE)
    heard, wanted = decoded(decoder, mp3).astype(float), np.frombuffer(pcm, "<i2").astype(float)
    burst = wanted[int(0.4 * SAMPLE_RATE):int(1.4 * SAMPLE_RATE)]  # the noise
    lags = range(-1200, 1201)  # beyond LAME's delay and padding together, either way
    match = [np.dot(heard[int(0.4 * SAMPLE_RATE) + lag:][:len(burst)], burst) for lag in lags]
    assert lags[int(np.argmax(match))] == 0  # no delay left at the start


def test_mutagen_reads_the_exact_length(tmp_path):
    mp3, pcm = exported_pair(tmp_path, SPEECHLIKE)
    info = mutagen.mp3.MP3(mp3).info
    assert info.length * SAMPLE_RATE == pytest.approx(len(pcm) // 2, abs=1e-6)
    assert info.bitrate_mode == mutagen.mp3.BitrateMode.CBR and info.encoder_info.startswith("LAME")


@pytest.mark.parametrize("bitrate", [32, 64])
def test_the_info_frame_counts_the_frames_and_bytes_and_carries_delay_padding_and_crcs(tmp_path, bitrate):
    mp3, pcm = exported_pair(tmp_path, SPEECHLIKE, bitrate)
    stream = stream_start(mp3)
    lengths = frame_lengths(stream)
    info, audio = stream[:lengths[0]], stream[lengths[0]:]
    tag = 4 + 9  # after the header and the side information of a mono MPEG-2 frame
    assert info[tag:tag + 8] == b"Info\x00\x00\x00\x0f"
    frames, size = struct.unpack(">II", info[tag + 8:tag + 16])
    assert (frames, size) == (len(lengths) - 1, len(stream))
    toc = info[tag + 16:tag + 116]
    assert toc[0] == 0 and list(toc) == sorted(toc) and toc[50] == 128
    lame = info[tag + 120:]
    assert lame[:9] == b"LAME3.100"
    delays = int.from_bytes(lame[21:24], "big")
    delay, padding = delays >> 12, delays & 0xFFF
    assert delay == 576 and frames * 576 == delay + len(pcm) // 2 + padding
    music_length, music_crc, tag_crc = struct.unpack(">IHH", lame[28:36])
    assert music_length == len(stream) and music_crc == crc16_bitwise(audio)
    assert tag_crc == crc16_bitwise(info[:tag + 154])


def test_the_audio_after_the_info_frame_is_what_lame_writes(tmp_path):
    mp3, _ = exported_pair(tmp_path, SPEECHLIKE)
    stream = stream_start(mp3)
    unscaled = np.clip(np.rint(SPEECHLIKE / export.LAME_INPUT_SCALE), -32768, 32767).astype("<i2")
    assert stream[frame_lengths(stream)[0]:] == encoded(mp3_encoder(64), chunks_of(unscaled, SAMPLE_RATE // 10))
