"""A recording played for a line ([recorded FILE]) or where it stands ([clip FILE]), made one shape of clip.

The file is read whole through ``inputs`` (an ordinary file of at most ``MAX_BYTES``), its format told by its
first bytes and its length by its header before anything is decoded; then miniaudio decodes it a block at a time,
mixed to mono and resampled to the internal rate by soxr as it streams. The sound is high-passed against rumble
(``HIGH_PASS_HZ``), trimmed of its own silence to the lead and tail of a synthesized clip (``shape.trimmed``), and
levelled like speech (a ``[clip]`` already quieter than speech keeps its level). The renderer fades its edges, as
for every clip. The result is cached under the hash of the file's content, so editing the file re-reads it.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass

import miniaudio
import numpy as np
import soxr

from stillpoint import inputs
from stillpoint.audio import SAMPLE_RATE, Clip, clock
from stillpoint.errors import RecordingError, StillpointError, SynthesisError
from stillpoint.language.timeline import Utterance
from stillpoint.sound import loudness
from stillpoint.voice import shape
from stillpoint.voice.cache import ClipCache, cache_key
from stillpoint.voice.protocol import Level

# Part of the cache key: change it whenever the processing below changes what a clip holds.
PROCESS_VERSION = 1
MAX_BYTES = 100 * inputs.MB
MAX_SECONDS = 600.0
HIGH_PASS_HZ = 80.0  # below the lowest voice's fundamental (about 85 Hz), above traffic, air conditioning, handling
BLOCK_FRAMES = 65536  # frames decoded, and samples high-passed, at a time
KERNEL = 16384  # taps of the high-pass: 0.74 s, over which its response dies away to nothing
LEVEL_BLOCK = 30 * SAMPLE_RATE  # samples levelled at a time: a take of ten minutes in twenty blocks
HINT = "give a WAV, FLAC, MP3 or OGG (Vorbis) file of at most 10 minutes"


@dataclass(frozen=True)
class Sound:
    """A sound file's bytes, and its rate, channels and length as its header says."""

    data: bytes
    rate: int
    channels: int
    seconds: float


def read(utterance: Utterance) -> Sound:
    """The sound file ``utterance`` plays, read and its header checked; RecordingError at its line if it cannot be."""
    recording = utterance.recording
    assert recording is not None
    try:
        data = inputs.read_capped(recording.file, MAX_BYTES, "a recording")
    except inputs.InputError as err:
        raise _error(utterance, f"cannot be read: {err.diagnostic.message}", err.diagnostic.hint) from None
    sound = _probed(data)
    if sound is None:
        raise _error(utterance, "is not a sound file Stillpoint can read", HINT)
    if sound.seconds > MAX_SECONDS:
        raise _error(utterance, f"lasts {clock(sound.seconds)}, longer than the {clock(MAX_SECONDS)} a recording may",
                     "cut it into shorter recordings")
    return sound


def check(utterance: Utterance) -> float:
    """The length in seconds of the recording ``utterance`` plays; RecordingError at its line if it cannot be.

    A file unchanged since it was last checked (the same size and time of change) is not read again: the studio
    checks a practice at every keystroke.
    """
    recording = utterance.recording
    assert recording is not None
    try:
        status = os.stat(recording.file)
    except OSError:
        return read(utterance).seconds  # says why, at its line
    return _checked(utterance, status.st_size, status.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _checked(utterance: Utterance, size: int, changed: int) -> float:
    """``read(utterance).seconds``, remembered while the file keeps this ``size`` and time of ``changed``."""
    return read(utterance).seconds


def _error(utterance: Utterance, message: str, hint: str) -> RecordingError:
    """An error about the file ``utterance`` plays, at the marker that names it."""
    recording = utterance.recording
    assert recording is not None
    kind = "clip" if recording.clip else "recorded"
    return RecordingError(f"[{kind}] '{recording.file}' {message}", path=utterance.path, line=utterance.line,
                          col=recording.col, hint=hint)


_INFO = {"wav": miniaudio.wav_get_info, "flac": miniaudio.flac_get_info, "mp3": miniaudio.mp3_get_info,
         "vorbis": miniaudio.vorbis_get_info}


def _format(data: bytes) -> str | None:
    """The format the first bytes of ``data`` announce, if it is one of the four read."""
    if data[:4] in (b"RIFF", b"RF64") and data[8:12] == b"WAVE":
        return "wav"
    if data[:4] == b"fLaC":
        return "flac"
    if data[:4] == b"OggS":
        return "vorbis"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


def _probed(data: bytes) -> Sound | None:
    """The sound in ``data`` as its header describes it; None if it is no sound a decoder here reads."""
    decoder = _format(data)
    if decoder is None:
        return None
    try:
        info = _INFO[decoder](data)
    except miniaudio.MiniaudioError:
        return None
    if info.num_frames <= 0 or info.sample_rate <= 0 or not 1 <= info.nchannels <= 8:
        return None
    return Sound(data, info.sample_rate, info.nchannels, info.num_frames / info.sample_rate)


def key(sound: Sound, clip: bool) -> str:
    """The cache key of a recording: the hash of its content, how it is processed, and whether it is a [clip]."""
    digest = hashlib.sha256(sound.data).hexdigest()
    return cache_key("recording", str(PROCESS_VERSION), "clip" if clip else "line", 0, digest)


def clip_for(utterance: Utterance, cache: ClipCache | None, level: Level | None) -> tuple[Clip, bool]:
    """The processed clip of the recording ``utterance`` plays, levelled to ``level``, and whether it was cached."""
    recording = utterance.recording
    assert recording is not None
    sound = read(utterance)
    address = key(sound, recording.clip)
    found = cache.get(address) if cache else None
    if found is not None and (level is None or found.levelled_to(level) is not None):
        return found, True
    try:
        made = levelled(found or processed(sound), level, recording.clip)
    except StillpointError as err:
        raise _error(utterance, f"cannot be read: {err.diagnostic.message}", err.diagnostic.hint) from None
    if cache:
        cache.put(address, made)
    return made, False


def processed(sound: Sound) -> Clip:
    """The sound decoded to the internal format, high-passed and trimmed to a synthesized clip's lead and tail."""
    audio = high_passed(_decoded(sound))
    audio *= np.float32(shape.FULL_SCALE)
    try:
        audio = shape.trimmed(audio)
    except SynthesisError:
        raise RecordingError("holds only silence", hint="record it again, closer to the microphone") from None
    np.rint(audio, out=audio)
    np.clip(audio, -shape.FULL_SCALE - 1, shape.FULL_SCALE, out=audio)
    return Clip(audio.astype("<i2").tobytes())


def levelled(clip: Clip, level: Level | None, keep_quieter: bool) -> Clip:
    """``clip`` with its PCM levelled to ``level``; with ``keep_quieter``, one quieter than the target stays so.

    Levelled ``LEVEL_BLOCK`` samples at a time, each by the gain the whole needs (and the limiter where a peak would
    pass the ceiling), so a take of minutes is never oversampled whole; a take of one block is levelled as speech is.
    """
    if level is None:
        return clip
    if len(clip.pcm) <= 2 * LEVEL_BLOCK and not keep_quieter:  # measured and levelled in one pass, as speech is
        measured, pcm = loudness.measured_and_levelled(clip.pcm, *level)
        return Clip(clip.pcm, measured, (*level, pcm))
    measured = clip.loudness or loudness.measure_in_blocks(clip.pcm, LEVEL_BLOCK)
    target = min(level[0], measured[0]) if keep_quieter and math.isfinite(measured[0]) else level[0]
    if len(clip.pcm) <= 2 * LEVEL_BLOCK:
        return Clip(clip.pcm, measured, (*level, loudness.level(clip.pcm, measured, target, level[1])))
    gain = target - measured[0]
    blocks = (clip.pcm[start: start + 2 * LEVEL_BLOCK] for start in range(0, len(clip.pcm), 2 * LEVEL_BLOCK))
    pcm = b"".join(_levelled_block(block, gain, level[1]) for block in blocks)
    return Clip(clip.pcm, measured, (*level, pcm))


def _levelled_block(pcm: bytes, gain: float, ceiling: float) -> bytes:
    """A block of a long take raised by ``gain`` dB, its peaks held under ``ceiling`` dBTP."""
    lufs, peak = loudness.measure(pcm)
    return loudness.level(pcm, (lufs, peak), lufs + gain, ceiling) if math.isfinite(gain) else pcm


def high_passed(audio: np.ndarray) -> np.ndarray:
    """``audio`` without what lies under ``HIGH_PASS_HZ``: a second-order Butterworth's gain, in zero phase.

    The gain is made a kernel of ``KERNEL`` taps (its response has died away long before its ends) and applied a block
    at a time by numpy's FFT (overlap-add): no filter library, nothing shifted in time, and memory for two copies of the
    sound at most, however long it is.
    """
    spectrum = _kernel_spectrum()
    size = BLOCK_FRAMES + KERNEL
    out = np.zeros(len(audio) + KERNEL, np.float32)
    for start in range(0, len(audio), BLOCK_FRAMES):
        block = audio[start: start + BLOCK_FRAMES]
        out[start: start + len(block) + KERNEL] += np.fft.irfft(np.fft.rfft(block, size) * spectrum, size)[
            : len(block) + KERNEL]
    return out[KERNEL // 2: KERNEL // 2 + len(audio)]


@functools.cache
def _kernel_spectrum() -> np.ndarray:
    """The spectrum, at the block size, of the high-pass as a zero-phase kernel centred on ``KERNEL // 2``."""
    ratio = (np.fft.rfftfreq(KERNEL, 1 / SAMPLE_RATE) / HIGH_PASS_HZ) ** 2
    kernel = np.roll(np.fft.irfft(ratio / np.sqrt(1.0 + ratio**2), KERNEL), KERNEL // 2) * np.hanning(KERNEL)
    return np.fft.rfft(kernel, BLOCK_FRAMES + KERNEL).astype(np.complex64)


def _decoded(sound: Sound) -> np.ndarray:
    """The first ``MAX_SECONDS`` of the sound as mono float32 samples in [-1, 1] at the internal rate, in one array
    filled as it is decoded."""
    resampler = soxr.ResampleStream(sound.rate, SAMPLE_RATE, 1, dtype="float32", quality="HQ")
    out = np.empty(round(min(sound.seconds, MAX_SECONDS) * SAMPLE_RATE) + SAMPLE_RATE, np.float32)
    filled = 0
    for block in itertools.chain(_blocks(sound), [None]):
        chunk = resampler.resample_chunk(np.zeros(0, np.float32) if block is None else block, last=block is None)
        count = min(len(chunk), len(out) - filled)
        out[filled: filled + count] = chunk[:count]
        filled += count
    return out[:filled]


def _blocks(sound: Sound) -> Iterator[np.ndarray]:
    """The sound decoded a block at a time, mixed to mono, never more than ``MAX_SECONDS`` of it."""
    try:
        stream = miniaudio.stream_memory(sound.data, miniaudio.SampleFormat.FLOAT32, sound.channels, sound.rate,
                                         BLOCK_FRAMES)
        left = int(MAX_SECONDS * sound.rate) + 1
        for block in stream:
            frames = np.frombuffer(block, np.float32).reshape(-1, sound.channels)[:left]
            left -= len(frames)
            yield frames @ np.full(sound.channels, 1 / sound.channels, np.float32)  # mixed to mono: quicker than mean
            if left <= 0:
                return
    except miniaudio.MiniaudioError as err:
        raise RecordingError(f"cannot be decoded ({err})", hint=HINT) from None
