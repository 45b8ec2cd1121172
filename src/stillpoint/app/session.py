"""What every use case is run with: the speech engine and its cache, the pace, and the sound options."""

from __future__ import annotations

from pathlib import Path

from stillpoint import places
from stillpoint.errors import Setting, UsageError, VoiceError
from stillpoint.language import lexicon
from stillpoint.language.timeline import Pace
from stillpoint.sound import ambience as beds
from stillpoint.sound.render import RenderOptions
from stillpoint.voice import ClipCache, Synthesizer

def cache(cache_dir: Path | None = None) -> ClipCache:
    """The cache of synthesized lines in ``cache_dir`` (default: ``places.cache_folder()``)."""
    return ClipCache(cache_dir or places.cache_folder())


def synthesizer(cache_dir: Path | None = None, voice: str | None = None) -> Synthesizer:
    """The synthesizer over the cache; a ``voice`` that is unknown or not installed is refused before any work."""
    synth = Synthesizer(engine=places.engine_spec(), cache=cache(cache_dir))
    if voice:
        try:
            synth.resolve_voice(voice)
        except VoiceError as err:  # found later, it would be reported at the first line spoken
            synth.close()
            raise UsageError(err.diagnostic.message, hint=err.diagnostic.hint, setting=Setting("voice", voice)) from None
    return synth


def pace(voice: str | None = None, rate: int | None = None, length: float | None = None, bells: bool = True,
         sleep: float | None = None) -> Pace:
    """How a practice is spoken and timed, with the user's lexicon of pronunciations."""
    return Pace(voice=voice, rate=rate, bells=bells, length=length, lexicon=lexicon.load(), sleep=sleep)


def render_options(loudness: float | None = RenderOptions.loudness, bell_volume: float = RenderOptions.bell_volume,
                   ambience: str | None = None, ambience_volume: float = RenderOptions.ambience_volume) -> RenderOptions:
    """The sound options, with the ambience made (or its file read) now, so a bad one fails before any work."""
    if ambience:
        beds.loop(ambience)
    return RenderOptions(loudness=loudness, bell_volume=bell_volume, ambience=ambience, ambience_volume=ambience_volume)
