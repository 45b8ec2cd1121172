"""The hibari engine: a small neural voice ("heart") whose model ships inside the hibari-tts wheel."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from importlib import metadata
from pathlib import Path

from stillpoint.audio import Clip
from stillpoint.errors import SynthesisError
from stillpoint.voice.engine import VoiceInfo, resolve_voice
from stillpoint.voice.shape import shape

VOICES = (VoiceInfo("heart", "Heart", ("en-us", "en")),)
# Words per minute hibari speaks at speed 1.0 over the benefactor practice, and how the rate follows speed
# (measured by tools/calibrate_rate.py): speed = (rate / WPM_AT_SPEED_1) ** (1 / SPEED_EXPONENT).
WPM_AT_SPEED_1 = 213.74
SPEED_EXPONENT = 0.9432
SEED = 0  # hibari's noise comes from this seed, so a line always sounds the same
EMPTY_HINT = "remove the empty line"


def model_path() -> Path:
    """The bundled voice's ONNX file inside the installed package, found without importing it.

    Importing hibari loads scipy (about 0.3 s), and the cache key needs this file's hash in every command.
    """
    spec = importlib.util.find_spec("hibari")
    if spec is None or not spec.submodule_search_locations:
        raise SynthesisError("hibari-tts is not installed", hint="pip install --force-reinstall stillpoint")
    return Path(spec.submodule_search_locations[0]) / "assets" / "hibari.onnx"


@functools.cache
def _model_digest() -> str:
    """A short sha256 of the bundled model: the voice's identity, computed once per process."""
    digest = hashlib.sha256()
    with model_path().open("rb") as model:
        for block in iter(lambda: model.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def speed_for(rate: int) -> float:
    """hibari's speed factor that speaks ``rate`` words per minute."""
    return (rate / WPM_AT_SPEED_1) ** (1 / SPEED_EXPONENT)


class HibariEngine:
    """Neural speech from hibari's bundled voice; one instance per worker process."""

    name = "hibari"

    def __init__(self) -> None:
        from hibari import Hibari

        # The model file is named, so hibari never looks a voice up in (or downloads it from) its model hub.
        # One onnxruntime thread: the pool runs one worker per core, so more would only oversubscribe them.
        self._tts = Hibari(voice="heart", model=str(model_path()), threads=1)

    @classmethod
    def version(cls) -> str:
        """hibari-tts's version and a hash of the bundled model, known without loading either."""
        return f"hibari-tts {metadata.version('hibari-tts')}, heart {_model_digest()}"

    def voices(self) -> list[VoiceInfo]:
        """The one bundled voice."""
        return list(VOICES)

    def synthesize(self, text: str, voice: str, rate: int) -> Clip:
        """Speak one line with the bundled voice into a clip in the internal format."""
        resolve_voice(voice, VOICES)
        if not text.strip():
            raise SynthesisError("the line has no text to speak", hint=EMPTY_HINT)
        audio = self._tts(text, speed=speed_for(rate), seed=SEED)
        return shape(audio, self._tts.sample_rate)
