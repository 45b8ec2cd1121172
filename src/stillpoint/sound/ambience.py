"""A bed of sound under the practice: generated rain, ocean or brown noise, or the listener's own sound file.

A bed is one seamless loop held in memory; it is laid under the rendered stream chunk by chunk, ducked
under speech with smooth ramps, faded in where the stream starts and out over the end of the practice.
"""

from __future__ import annotations

import shutil
import warnings
import wave
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

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
HINT = "use rain, ocean, brown or a WAV, MP3, FLAC or OGG file"


def loop(spec: str) -> np.ndarray:
    """One seamless loop of the bed named by ``spec`` (a bed name or a sound file), at the bed level."""
    return _loop(spec if spec in BEDS else str(Path(spec).expanduser().resolve()))


@lru_cache(maxsize=4)
def _loop(spec: str) -> np.ndarray:
    samples = GENERATORS[spec](np.random.default_rng(SEED)) if spec in BEDS else _seamless(decode(Path(spec)))
    rms = float(np.sqrt(np.mean(samples**2)))
    if rms == 0.0:
        raise AmbienceError("the ambience sound is silent", path=spec, hint=HINT)
    samples = (samples * (LEVEL / rms)).astype(np.float32)
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
    """A sound file as mono float samples at the internal rate; AmbienceError naming the file if it cannot be read."""
    if not path.is_file():
        raise AmbienceError("no such ambience sound or file", path=str(path), hint=HINT)
    segment = _segment(path)
    segment = segment.set_channels(1).set_frame_rate(SAMPLE_RATE).set_sample_width(SAMPLE_WIDTH)
    return np.frombuffer(segment.raw_data, dtype="<i2").astype(np.float64)


def _segment(path: Path):  # -> pydub.AudioSegment
    """The file decoded by pydub (ffmpeg for anything but WAV)."""
    with warnings.catch_warnings():
        # pydub warns at import when ffmpeg is missing, and about audioop on newer Pythons
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        from pydub import AudioSegment
        from pydub.exceptions import CouldntDecodeError
    if path.suffix.lower() not in NATIVE and not shutil.which(AudioSegment.converter):
        raise AmbienceError("cannot decode this file without ffmpeg", path=str(path),
                            hint="install ffmpeg (sudo apt install ffmpeg) or convert the file to WAV")
    try:
        return AudioSegment.from_file(str(path), duration=MAX_FILE_SECONDS)
    except (CouldntDecodeError, wave.Error, EOFError, OSError, ValueError, IndexError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise AmbienceError(f"cannot be decoded as sound ({reason[:120]})", path=str(path), hint=HINT) from None


def _seamless(samples: np.ndarray) -> np.ndarray:
    """The samples made into a loop: the tail is crossfaded (equal power) into the head, so the seam is smooth."""
    fade = min(int(CROSSFADE_SECONDS * SAMPLE_RATE), len(samples) // 4)
    if fade < SAMPLE_RATE // 20:
        raise AmbienceError("the ambience sound is too short to loop", hint="use a file longer than a second")
    body = samples[: len(samples) - fade].copy()
    angle = np.linspace(0.0, np.pi / 2, fade)
    body[:fade] = samples[:fade] * np.sin(angle) + samples[len(samples) - fade:] * np.cos(angle)
    return body


def _ramp(x: np.ndarray) -> np.ndarray:
    """A raised-cosine rise from 0 (x <= 0) to 1 (x >= 1)."""
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0.0, 1.0))


class Ambience:
    """A bed laid under a stream of events: ducked under speech, faded in at the start and out at the end."""

    def __init__(self, spec: str, volume: float, kinds: Sequence[str], start: int):
        self._loop = loop(spec)
        self._volume = volume
        self._kinds = list(kinds)
        self._start = start

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

    def _duck(self, index: int, into: np.ndarray, length: int) -> np.ndarray:
        """Bed gain for samples ``into`` an event: low under speech, ramping around it."""
        if self._kinds[index] == SPEECH:
            return np.full(len(into), DUCK)
        ramp = DUCK_SECONDS * SAMPLE_RATE
        rise = _ramp(into / ramp) if self._kind(index - 1) == SPEECH else 1.0
        fall = _ramp((length - into) / ramp) if self._kind(index + 1) == SPEECH else 1.0
        return DUCK + (1.0 - DUCK) * np.minimum(rise, fall)

    def _kind(self, index: int) -> str:
        """The kind of event ``index``, or '' outside the stream."""
        return self._kinds[index] if 0 <= index < len(self._kinds) else ""

    def _fades(self, index: int, into: np.ndarray, event_start: int, length: int) -> np.ndarray:
        """The fade in from where the stream starts, and the fade out over the end of the last event."""
        fade_in = _ramp((event_start + into - self._start) / (FADE_IN_SECONDS * SAMPLE_RATE))
        if index + 1 < len(self._kinds):
            return fade_in
        return fade_in * _ramp((length - into) / min(FADE_OUT_SECONDS * SAMPLE_RATE, length))
