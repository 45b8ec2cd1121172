"""The espeak-ng engine: pyttsx3 driving the library shipped by the espeakng-loader wheel."""

from __future__ import annotations

import ctypes
import os
import tempfile
import threading
import wave
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from stillpoint.audio import SAMPLE_WIDTH, Clip
from stillpoint.errors import SynthesisError
from stillpoint.voice.engine import VoiceInfo, require_text, resolve_voice
from stillpoint.voice.shape import FULL_SCALE, shape

FINISH_TIMEOUT = 60.0  # seconds to wait for espeak-ng to report the file written
REINSTALL_HINT = "reinstall the speech engine: pip install --force-reinstall espeakng-loader pyttsx3"
WAV_HINT = "try again; if it keeps failing, simplify the line (unusual characters, very long text)"
# Words per minute espeak-ng speaks at its own rate setting 175 over the benefactor practice, once shaped, and
# how the rate follows the setting (measured by tools/calibrate_rate.py):
# setting = 175 * (rate / WPM_AT_SETTING_175) ** (1 / EXPONENT).
WPM_AT_SETTING_175 = 216.53
EXPONENT = 0.9770
# espeak-ng speaks no slower than its setting 80 (about 106 words per minute here); slower rates add pauses
# between words instead (espeakWORDGAP). Measured: each unit of gap lengthens a word by about 27 ms, as if
# the gaps started from GAP_BASE_WPM (the first unit adds ~70 ms).
MIN_SETTING = 80
GAP_BASE_WPM = 98.4
SECONDS_PER_WORD_GAP = 0.027
WORDGAP = 7  # espeakWORDGAP in espeak-ng's speak_lib.h (pyttsx3 does not name it)


def load_pyttsx3() -> ModuleType:
    """Import pyttsx3 after preloading libespeak-ng and telling it where its data lives."""
    try:
        import espeakng_loader

        library = Path(espeakng_loader.get_library_path()).with_name("libespeak-ng.so.1")
        # Loaded once by path so pyttsx3's load by name finds it. Local, not global: piper-tts carries its own
        # espeak-ng built into its extension, and with this library's symbols in the global scope Piper's
        # calls landed here and crashed the process (espeak-ng, then Piper). Local, the two coexist.
        ctypes.CDLL(str(library), mode=ctypes.RTLD_LOCAL)
        # Without a data path espeak-ng calls exit(1), killing the whole process.
        os.environ["ESPEAK_DATA_PATH"] = str(Path(espeakng_loader.get_data_path()).parent)
        import pyttsx3
    except (ImportError, OSError, RuntimeError) as exc:
        raise SynthesisError(f"cannot load espeak-ng: {exc}", hint=REINSTALL_HINT) from exc
    return pyttsx3


def _library_version() -> str:
    """The espeak-ng version in the name of the shipped library file (libespeak-ng.so.1.52.0)."""
    import espeakng_loader

    folder = Path(espeakng_loader.get_library_path()).parent
    versions = sorted(p.name.removeprefix("libespeak-ng.so.") for p in folder.glob("libespeak-ng.so.*.*.*"))
    return versions[-1] if versions else metadata.version("espeakng-loader")


def setting_for(rate: int) -> int:
    """espeak-ng's rate setting that speaks ``rate`` words per minute (or as near as it goes)."""
    return max(MIN_SETTING, round(175 * (rate / WPM_AT_SETTING_175) ** (1 / EXPONENT)))


def word_gap_for(rate: int) -> int:
    """espeak-ng's pause between words that slows its slowest setting down to ``rate`` words per minute."""
    return max(0, round((60 / rate - 60 / GAP_BASE_WPM) / SECONDS_PER_WORD_GAP))


class EspeakEngine:
    """Offline speech from espeak-ng; one instance per process, lines spoken one at a time."""

    name = "espeak-ng"
    floor = round(WPM_AT_SETTING_175 * (MIN_SETTING / 175) ** EXPONENT)  # 101 words per minute: its slowest setting

    def __init__(self) -> None:
        self._tts = load_pyttsx3().init("espeak")
        from pyttsx3.drivers import _espeak

        self._espeak = _espeak
        self._finished = threading.Event()
        self._completed = False
        self._tts.connect("finished-utterance", self._on_finished)
        self._voices = [_voice_info(voice) for voice in self._tts.getProperty("voices")]

    @classmethod
    def version(cls) -> str:
        """pyttsx3's version and the espeak-ng library's version, read without loading either."""
        return f"pyttsx3 {metadata.version('pyttsx3')}, espeak-ng {_library_version()}"

    def voices(self) -> list[VoiceInfo]:
        """Every voice espeak-ng offers."""
        return list(self._voices)

    def synthesize(self, text: str, voice: str, rate: int) -> Clip:
        """Speak one line into a clip in the internal format."""
        require_text(text)
        self._configure(resolve_voice(voice, self._voices), rate)
        with tempfile.TemporaryDirectory(prefix="stillpoint-") as folder:
            target = Path(folder) / "line.wav"
            self._speak_to(text, target)
            return read_wav(target)

    def _configure(self, voice_id: str, rate: int) -> None:
        """Set voice and rate in espeak-ng itself and let its command queue drain."""
        # Set through pyttsx3, they would still be in espeak-ng's queue when runAndWait starts,
        # and pyttsx3 then cancels the line it is about to speak.
        status = (
            self._espeak.SetVoiceByName(voice_id.encode())
            or self._espeak.SetParameter(self._espeak.RATE, setting_for(rate), 0)
            or self._espeak.SetParameter(WORDGAP, word_gap_for(rate), 0)
        )
        self._espeak.Synchronize()
        if status:
            raise SynthesisError(f"espeak-ng refused voice {voice_id!r} at rate {rate}", hint=REINSTALL_HINT)

    def _speak_to(self, text: str, target: Path) -> None:
        """Write the speech for text to target and wait until espeak-ng says it is done."""
        self._finished.clear()
        self._tts.save_to_file(text, str(target))
        self._tts.runAndWait()
        # runAndWait can return before the file is written; the event comes after it.
        if not self._finished.wait(FINISH_TIMEOUT):
            raise SynthesisError("espeak-ng never finished the line", hint=WAV_HINT)
        # espeak-ng's own thread is still winding down; the next line would cancel it if started now.
        self._espeak.Synchronize()
        if not self._completed:
            raise SynthesisError("espeak-ng stopped before the end of the line", hint=WAV_HINT)

    def _on_finished(self, completed: bool = True, **_: object) -> None:
        """pyttsx3's finished-utterance event: remember how it ended and wake the waiter."""
        self._completed = completed
        self._finished.set()


def _voice_info(voice: Any) -> VoiceInfo:
    """A pyttsx3 voice as plain data."""
    return VoiceInfo(voice.id, voice.name, tuple(voice.languages or ()))


def read_wav(path: str | os.PathLike[str]) -> Clip:
    """The audio of a 16-bit WAV file, mixed to mono and shaped into a clip; files without audio are errors."""
    try:
        with wave.open(os.fspath(path), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (OSError, EOFError, wave.Error) as exc:
        raise SynthesisError(f"the speech engine wrote no readable audio ({exc})", hint=WAV_HINT) from exc
    if not frames:
        raise SynthesisError("the speech engine wrote an empty audio file", hint=WAV_HINT)
    if width != SAMPLE_WIDTH:
        raise SynthesisError(f"the speech engine wrote {8 * width}-bit audio, not 16-bit", hint=REINSTALL_HINT)
    return shape(np.frombuffer(frames, dtype="<i2").reshape(-1, channels).mean(axis=1) / FULL_SCALE, rate)
