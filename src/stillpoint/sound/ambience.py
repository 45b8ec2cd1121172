"""A bed of sound under the practice: generated rain, ocean or brown noise, or the listener's own sound file.

A bed is one seamless loop held in memory; it is laid under the rendered stream chunk by chunk, ducked
under speech with smooth ramps, faded in where the stream starts and out over the end of the practice (unless a
sleep ending, sound/sleep.py, goes on with it: it is then the stream's last event, which the bed is not laid under).
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import numpy as np
import soxr

from stillpoint import inputs
from stillpoint.audio import SAMPLE_RATE, SAMPLE_WIDTH
from stillpoint.errors import AmbienceError
from stillpoint.language.timeline import SPEECH

BEDS = ("rain", "ocean", "brown")
LEVEL = 0.04  # RMS of a bed at volume 1, as a fraction of full scale (about -28 dBFS)
DUCK = 0.35  # bed gain under speech (about -9 dB)
DUCK_SECONDS = 0.8
FADE_IN_SECONDS = 4.0
FADE_OUT_SECONDS = 6.0
CROSSFADE_SECONDS = 1.0  # seam of a sound file's loop
MAX_FILE_SECONDS = 600.0  # longer files loop over their first ten minutes
SEED = 1618
NATIVE = (".wav",)  # decoded without ffmpeg
BLOCK_FRAMES = 65536  # frames of a WAV file read at a time
DECODE_SECONDS = 60.0  # ffmpeg decodes ten minutes of any usual format in a few seconds
SAMPLE_TYPES = {1: (np.uint8, 128.0), 2: (np.dtype("<i2"), 0.0), 4: (np.dtype("<i4"), 0.0)}  # width: type, zero
HINT = "use rain, ocean, brown or a WAV, MP3, FLAC or OGG file"


def loop(spec: str) -> np.ndarray:
    """One seamless loop of the bed named by ``spec`` (a bed name or a sound file), at the bed level."""
    return _loop(spec if spec in BEDS else str(Path(spec).expanduser().resolve()))


@lru_cache(maxsize=4)
def _loop(spec: str) -> np.ndarray:
    samples = GENERATORS[spec](np.random.default_rng(SEED)) if spec in BEDS else _seamless(decode(Path(spec)), spec)
    rms = float(np.sqrt(np.dot(samples, samples) / len(samples)))
    if rms == 0.0:
        raise AmbienceError("the ambience sound is silent", path=spec, hint=HINT)
    samples = samples.astype(np.float32, copy=False)
    samples *= np.float32(LEVEL / rms)
    samples.flags.writeable = False
    return samples


def _shaped_noise(seconds: float, shape: Callable[[np.ndarray], np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Noise with the amplitude spectrum ``shape(hz)``; made in the frequency domain, so its end runs into its start."""
    count = int(seconds * SAMPLE_RATE)
    hz = np.fft.rfftfreq(count, 1 / SAMPLE_RATE)
    spectrum = rng.standard_normal(len(hz)) + 1j * rng.standard_normal(len(hz))
    return np.fft.irfft(spectrum * shape(hz), count)


def _band(hz: np.ndarray, low: float, high: float) -> np.ndarray:
    """A gentle band-pass magnitude (second order on each side)."""
    safe = np.maximum(hz, 1e-3)
    return 1.0 / np.sqrt((1 + (low / safe) ** 4) * (1 + (safe / high) ** 4))


def _pink(hz: np.ndarray) -> np.ndarray:
    return 1.0 / np.sqrt(np.maximum(hz, 20.0))


def _brown(rng: np.random.Generator) -> np.ndarray:
    """Deep, even rumble: power falling 6 dB per octave above 20 Hz."""
    return _shaped_noise(24.0, lambda hz: _band(hz, 20.0, 8000.0) / np.maximum(hz, 20.0), rng)


def _rain(rng: np.random.Generator) -> np.ndarray:
    """A soft hiss of falling rain with a scatter of drops on top."""
    hiss = _normalized(_shaped_noise(24.0, lambda hz: _pink(hz) * _band(hz, 400.0, 7000.0), rng))
    return hiss + 0.4 * _normalized(_drops(24.0, rng))


def _drops(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Random short pings, placed around a circle so the loop has no seam."""
    count = int(seconds * SAMPLE_RATE)
    impulses = np.zeros(count)
    places = rng.integers(0, count, int(seconds * 45))
    impulses[places] = rng.uniform(0.2, 1.0, len(places)) * rng.choice((-1.0, 1.0), len(places))
    t = np.arange(int(0.012 * SAMPLE_RATE)) / SAMPLE_RATE
    ping = np.sin(2 * np.pi * 3200.0 * t) * np.exp(-t / 0.0025)
    return np.fft.irfft(np.fft.rfft(impulses) * np.fft.rfft(ping, count), count)


def _ocean(rng: np.random.Generator) -> np.ndarray:
    """Surf: waves of washing noise every nine seconds over a low, steady roar."""
    waves, period = 4, 9.0
    surf = _normalized(_shaped_noise(waves * period, lambda hz: _pink(hz) * _band(hz, 120.0, 2500.0), rng))
    roar = _normalized(_shaped_noise(waves * period, lambda hz: _band(hz, 30.0, 400.0) / np.maximum(hz, 30.0), rng))
    return surf * _swell(len(surf), waves, rng) + 0.35 * roar


def _swell(count: int, waves: int, rng: np.random.Generator) -> np.ndarray:
    """A wave envelope: each wave rises quickly and ebbs slowly; ends where it starts."""
    phase = (np.arange(count) * waves / count) % 1.0
    rise = 0.3
    rising = np.sin(np.pi / 2 * phase / rise) ** 2
    ebbing = np.cos(np.pi / 2 * (phase - rise) / (1 - rise)) ** 2
    shape = np.where(phase < rise, rising, ebbing)
    strength = rng.uniform(0.6, 1.0, waves)[np.minimum((np.arange(count) * waves) // count, waves - 1)]
    return 0.15 + 0.85 * shape * strength


def _normalized(samples: np.ndarray) -> np.ndarray:
    return samples / float(np.sqrt(np.mean(samples**2)))


GENERATORS: dict[str, Callable[[np.random.Generator], np.ndarray]] = {"rain": _rain, "ocean": _ocean, "brown": _brown}


def decode(path: Path) -> np.ndarray:
    """The first MAX_FILE_SECONDS of a sound file, mono at the internal rate; AmbienceError naming it if unreadable.

    Only that part is read: a WAV file is streamed a block at a time, other formats (and WAVs the standard
    library cannot read) are decoded by ffmpeg straight to mono at the internal rate, so memory stays bounded
    however long, wide or finely sampled the file is.
    """
    try:
        file = inputs.open_regular(path, "a sound file")
    except inputs.MissingFile:
        raise AmbienceError("no such ambience sound or file", path=str(path), hint=HINT) from None
    except inputs.InputError as err:
        raise AmbienceError(err.diagnostic.message, path=str(path), hint=HINT) from None
    with file:
        pcm = _wav_samples(file, path) if path.suffix.lower() in NATIVE else None
    return pcm if pcm is not None else _ffmpeg_samples(path)


def _wav_samples(file: BinaryIO, path: Path) -> np.ndarray | None:
    """The used part of a PCM WAV file, streamed and resampled; None when it is a WAV only ffmpeg reads."""
    try:
        wav = wave.open(file, "rb")
    except wave.Error as exc:
        if "unknown format" in str(exc):  # float or extensible samples
            return None
        raise _undecodable(path, exc) from None
    except (EOFError, OSError) as exc:
        raise _undecodable(path, exc) from None
    with wav:
        return _stream(wav, path)


def _stream(wav: wave.Wave_read, path: Path) -> np.ndarray:
    """The first MAX_FILE_SECONDS of ``wav``, mixed to mono and resampled as it is read, into one array."""
    channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
    if channels < 1 or rate < 1 or width not in (1, 2, 3, 4):
        raise _undecodable(path, ValueError(f"{channels} channels of {8 * width}-bit samples at {rate} Hz"))
    wanted = min(wav.getnframes(), int(MAX_FILE_SECONDS * rate))
    out = np.empty(wanted * SAMPLE_RATE // rate + SAMPLE_RATE, np.float32)  # a second more, for rounding
    filled = 0
    for chunk in _resampled(wav, path, wanted):
        count = min(len(chunk), len(out) - filled)
        out[filled:filled + count] = chunk[:count]
        filled += count
    out = out[:filled]
    out *= 32768.0
    return out


def _resampled(wav: wave.Wave_read, path: Path, wanted: int) -> Iterator[np.ndarray]:
    """Up to ``wanted`` frames of ``wav`` a block at a time, as mono floats at the internal rate."""
    channels, width = wav.getnchannels(), wav.getsampwidth()
    resampler = soxr.ResampleStream(wav.getframerate(), SAMPLE_RATE, 1, dtype="float32")
    while wanted > 0:
        try:
            block = wav.readframes(min(BLOCK_FRAMES, wanted))
        except (EOFError, OSError, wave.Error) as exc:
            raise _undecodable(path, exc) from None
        frames = len(block) // (width * channels)
        if not frames:
            break
        wanted -= frames
        yield resampler.resample_chunk(_mono(block[: frames * width * channels], width, channels))
    yield resampler.resample_chunk(np.zeros(0, np.float32), last=True)


def _mono(block: bytes, width: int, channels: int) -> np.ndarray:
    """Interleaved little-endian PCM of ``width`` bytes a sample, averaged to mono floats in -1..1."""
    if width == 3:  # no 24-bit type: widen each sample to 32 bits
        block = np.frombuffer(block, np.uint8).reshape(-1, 3)
        block = np.pad(block, ((0, 0), (1, 0))).tobytes()
        width = 4
    kind, offset = SAMPLE_TYPES[width]
    samples = (np.frombuffer(block, kind).astype(np.float32) - offset) / np.float32(2 ** (8 * width - 1))
    return samples.reshape(-1, channels).mean(axis=1, dtype=np.float32)


def _ffmpeg_samples(path: Path) -> np.ndarray:
    """The used part of any file ffmpeg reads, decoded by it to mono 16-bit at the internal rate."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise AmbienceError("cannot decode this file without ffmpeg", path=str(path),
                            hint="install ffmpeg (sudo apt install ffmpeg) or convert the file to WAV")
    command = [ffmpeg, "-nostdin", "-v", "error", "-i", f"file:{path}", "-map", "0:a:0", "-t", f"{MAX_FILE_SECONDS:g}",
               "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "s16le", "-"]
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=DECODE_SECONDS)
    except subprocess.TimeoutExpired:
        raise _undecodable(path, TimeoutError(f"ffmpeg took more than {DECODE_SECONDS:g} s")) from None
    except OSError as exc:
        raise _undecodable(path, exc) from None
    if done.returncode != 0 or len(done.stdout) < SAMPLE_WIDTH:
        raise _undecodable(path, ValueError(done.stderr.decode(errors="replace") or "ffmpeg found no sound in it"))
    pcm = done.stdout[: len(done.stdout) // SAMPLE_WIDTH * SAMPLE_WIDTH]
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32)


def _undecodable(path: Path, exc: BaseException) -> AmbienceError:
    """The error for a file that cannot be decoded, with the decoder's first line of reason."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return AmbienceError(f"cannot be decoded as sound ({reason[:120]})", path=str(path), hint=HINT)


def _seamless(samples: np.ndarray, path: str) -> np.ndarray:
    """The samples (of the file at ``path``) made into a loop: the tail is crossfaded (equal power) into the head,
    so the seam is smooth."""
    fade = min(int(CROSSFADE_SECONDS * SAMPLE_RATE), len(samples) // 4)
    if fade < SAMPLE_RATE // 20:
        raise AmbienceError("is too short to loop", path=path, hint="use a sound file longer than a second")
    body = samples[: len(samples) - fade]  # crossfaded in place: a loop of ten minutes is 50 MB
    angle = np.linspace(0.0, np.pi / 2, fade)
    body[:fade] = samples[:fade] * np.sin(angle) + samples[len(samples) - fade:] * np.cos(angle)
    return body


def _ramp(x: np.ndarray) -> np.ndarray:
    """A raised-cosine rise from 0 (x <= 0) to 1 (x >= 1)."""
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0.0, 1.0))


Swell = Callable[[int, int, float], np.ndarray]  # the bed's gain for samples start to end of an event, given its low


class Ambience:
    """A bed laid under a stream of events: ducked under speech, faded in at the start and out at the end.

    ``swells`` are the events (by index) whose bed follows the breath: their own gain, at the ducked level at both
    ends, so the bed ramps down into them as it does into speech.
    """

    def __init__(self, spec: str, volume: float, kinds: Sequence[str], start: int, swells: Mapping[int, Swell] = {}):
        self._loop = loop(spec)
        self._volume = volume
        self._kinds = list(kinds)
        self._start = start
        self._swells = dict(swells)

    def under(self, chunks: Iterable[bytes], index: int, event_start: int, event_samples: int) -> Iterator[bytes]:
        """The chunks of event ``index`` (starting at sample ``event_start``) with the bed mixed in."""
        offset = 0
        for chunk in chunks:
            count = len(chunk) // SAMPLE_WIDTH
            into = offset + np.arange(count)
            gain = self._duck(index, into, event_samples) * self._fades(index, into, event_start, event_samples)
            bed = self._loop[(event_start + into) % len(self._loop)] * (gain * self._volume * 32767.0)
            mixed = np.frombuffer(chunk, dtype="<i2") + np.rint(bed)
            yield np.clip(mixed, -32768, 32767).astype("<i2").tobytes()
            offset += count

    def gain_after(self, index: int, event_start: int, length: int) -> float:
        """The bed's gain on the sample after event ``index`` (``length`` samples from ``event_start``), where a sleep
        ending goes on with it: the last event before one is not the stream's last, so it does not fade out."""
        into = np.array([length])
        gain = self._duck(index, into, length) * self._fades(index, into, event_start, length)
        return float(np.atleast_1d(gain)[0])

    def _duck(self, index: int, into: np.ndarray, length: int) -> np.ndarray:
        """Bed gain for samples ``into`` an event: low under speech, ramping around it."""
        if self._kinds[index] == SPEECH:
            return np.full(len(into), DUCK)
        if index in self._swells and len(into):
            return self._swells[index](int(into[0]), int(into[-1]) + 1, DUCK)
        ramp = DUCK_SECONDS * SAMPLE_RATE
        rise = _ramp(into / ramp) if self._ducked(index - 1) else 1.0
        fall = _ramp((length - into) / ramp) if self._ducked(index + 1) else 1.0
        return DUCK + (1.0 - DUCK) * np.minimum(rise, fall)

    def _ducked(self, index: int) -> bool:
        """Whether the bed is at its ducked level where event ``index`` meets its neighbours: speech, or a swell."""
        return (0 <= index < len(self._kinds) and self._kinds[index] == SPEECH) or index in self._swells

    def _fades(self, index: int, into: np.ndarray, event_start: int, length: int) -> np.ndarray:
        """The fade in from where the stream starts, and the fade out over the end of the last event."""
        fade_in = _ramp((event_start + into - self._start) / (FADE_IN_SECONDS * SAMPLE_RATE))
        if index + 1 < len(self._kinds):
            return fade_in
        return fade_in * _ramp((length - into) / min(FADE_OUT_SECONDS * SAMPLE_RATE, length))
