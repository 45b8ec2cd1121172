"""The hibari engine: a small neural voice ("heart") whose model ships inside the hibari-tts wheel."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import sys
from importlib import metadata
from pathlib import Path

from stillpoint import places
from stillpoint.audio import Clip
from stillpoint.errors import SynthesisError
from stillpoint.voice.engine import VoiceInfo, require_text, resolve_voice
from stillpoint.voice.shape import shape

places.keep_onnxruntime_private()  # before hibari (and with it onnxruntime) is imported in this process

VOICES = (VoiceInfo("heart", "Heart", ("en-us", "en")),)
# Words per minute hibari speaks at speed 1.0 over the benefactor practice, and how the rate follows speed
# (measured by tools/calibrate_rate.py): speed = (rate / WPM_AT_SPEED_1) ** (1 / SPEED_EXPONENT). Within 5 %
# from 60 to 170 wpm; hibari's pace jumps between speed 0.79 (169 wpm) and 0.81 (200), so 175-190 come out
# up to 11 % fast, and above speed 1 it barely quickens (250 asked: 236).
WPM_AT_SPEED_1 = 221.60
SPEED_EXPONENT = 0.9804
# The slowest speed at which heart still sounds natural, measured with DNSMOS and Whisper over benefactor and a
# held-out script (docs/architecture.md): slower rates are reached by pausing (language/pacing.py).
NATURAL_SPEED = 0.70
SEED = 0  # hibari's noise comes from this seed, so a line always sounds the same


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


def _hibari_on_numpy_fft() -> type:
    """hibari's ``Hibari`` class, imported so that its signal processing runs on numpy's FFT wherever it can.

    hibari turns the model's spectra into sound with scipy.fft when scipy can be imported, else with numpy's.
    scipy is no dependency of ours (only the tests bring it), so users get numpy's; scipy.fft would cost 0.25 s
    of every worker's start, before the first words, for no speed (numpy 2 transforms hibari's single-precision
    frames as fast), and make a line sound (inaudibly: by under 2e-7) different where scipy happens to be there.
    """
    hidden = "hibari.dsp" not in sys.modules and "scipy.fft" not in sys.modules
    if hidden:
        sys.modules["scipy.fft"] = None  # `import scipy.fft` then fails, and hibari falls back to numpy
    try:
        from hibari import Hibari
    finally:
        if hidden:
            del sys.modules["scipy.fft"]
    return Hibari


@functools.cache
def _g2p() -> object:
    """hibari's spelling-to-sound for the bundled voice, its lexicons and tagger read once in a process (0.3 s)."""
    from hibari.g2p import G2P
    from hibari.voices import VOICES as HIBARI_VOICES

    return G2P(british=HIBARI_VOICES["heart"]["british"])


def speed_for(rate: int) -> float:
    """hibari's speed factor that speaks ``rate`` words per minute."""
    return (rate / WPM_AT_SPEED_1) ** (1 / SPEED_EXPONENT)


class HibariEngine:
    """Neural speech from hibari's bundled voice; one instance per worker process."""

    name = "hibari"
    floor = round(WPM_AT_SPEED_1 * NATURAL_SPEED**SPEED_EXPONENT)  # 156 words per minute

    def __init__(self) -> None:
        Hibari = _hibari_on_numpy_fft()
        # The model file is named, so hibari never looks a voice up in (or downloads it from) its model hub.
        # One onnxruntime thread: the pool runs one worker per core, so more would only oversubscribe them.
        self._tts = Hibari(voice="heart", model=str(model_path()), threads=1, g2p=_g2p())

    @classmethod
    def preload(cls) -> None:
        """Load hibari's code and its G2P lexicons, for the workers forked from this process to share.

        onnxruntime is left to each worker, with its session: importing it starts a thread unless
        ORT_DISABLE_TELEMETRY is set, and threads do not survive a fork.
        """
        _hibari_on_numpy_fft()
        _g2p()

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
        require_text(text)
        audio = self._tts(text, speed=speed_for(rate), seed=SEED)
        return shape(audio, self._tts.sample_rate)
