"""The speech-engine contract, an engine found by its 'module:Class' name, and the voice-name lookup every engine
shares."""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from stillpoint.audio import Clip
from stillpoint.errors import SynthesisError, VoiceError

LIST_HINT = "run `stillpoint voices` to list them"
START_HINT = "check that the speech engine is installed: run `stillpoint voices`"


@dataclass(frozen=True)
class VoiceInfo:
    """One voice an engine offers: its id (e.g. 'gmw/en-us'), display name and languages."""

    id: str
    name: str
    languages: tuple[str, ...] = ()

    @property
    def short(self) -> str:
        """The id without its family prefix ('gmw/en-us' -> 'en-us')."""
        return self.id.rsplit("/", 1)[-1]


class Engine(Protocol):
    """Turns one line of text into a clip; an instance lives in a single process.

    An engine class may also have a classmethod ``preload()``: it loads what every worker of the engine can share
    (modules, data read from files), in the process its workers are forked from. It must leave no thread running
    and open no session: neither survives a fork. The engine's constructor then finds that work done.
    """

    name: str
    # The slowest rate (words per minute) the engine speaks naturally: slower lines are said in phrases at this
    # rate, with pauses between them (language/pacing.py). An engine without one is slowed to any rate.
    floor: int

    @classmethod
    def version(cls) -> str:
        """Text that changes whenever the engine's output may change; known without an instance."""

    def voices(self) -> list[VoiceInfo]:
        """The voices this engine can speak with."""

    def synthesize(self, text: str, voice: str, rate: int) -> Clip:
        """Speak ``text`` with ``voice`` at ``rate`` words per minute."""


def engine_class(spec: str) -> type[Engine]:
    """The engine class named by 'module:Class'."""
    module, _, name = spec.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise SynthesisError(f"the speech engine could not start: {exc}", hint=START_HINT) from None


_NAME_FORMS: tuple[Callable[[VoiceInfo], Sequence[str]], ...] = (
    lambda voice: (voice.id,),
    lambda voice: (voice.short,),
    lambda voice: (voice.name,),
    lambda voice: voice.languages,  # 'en-gb' is what SSML's xml:lang and most people call British English
)


def require_text(text: str) -> None:
    """Refuse a line with nothing to speak: every engine would return silence or fail on it."""
    if not text.strip():
        raise SynthesisError("the line has no text to speak", hint="remove the empty line")


def resolve_voice(requested: str, voices: Sequence[VoiceInfo]) -> str:
    """The id of the voice named by its id, short id, display name or a language it speaks, ignoring case."""
    wanted = requested.strip().casefold()
    for form in _NAME_FORMS:
        for voice in voices:
            if wanted in (name.casefold() for name in form(voice)):
                return voice.id
    raise VoiceError(f"unknown voice {requested!r}", hint=_voice_hint(wanted, voices))


def _voice_hint(wanted: str, voices: Sequence[VoiceInfo]) -> str:
    """A did-you-mean suggestion (when one is close) and where to find every voice."""
    return did_you_mean(wanted, {name.casefold(): v.short for v in voices for form in _NAME_FORMS for name in form(v)})


def did_you_mean(wanted: str, names: Mapping[str, str]) -> str:
    """The voices whose names (casefolded keys of ``names``, each naming a voice) are close to ``wanted``, as a hint."""
    close = difflib.get_close_matches(wanted, list(names), n=6, cutoff=0.6)
    suggestions = list(dict.fromkeys(names[match] for match in close))[:3]
    if not suggestions:
        return LIST_HINT
    return f"did you mean {' or '.join(repr(s) for s in suggestions)}? {LIST_HINT}"
