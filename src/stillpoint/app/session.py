"""What every use case is run with: the speech engine and its cache, the pace, and the sound options."""

from __future__ import annotations

from pathlib import Path

from stillpoint import places
from stillpoint.errors import Diagnostic, ScriptError, Setting, UsageError, VoiceError
from stillpoint.language import lexicon
from stillpoint.language import script as script_language
from stillpoint.language.script import Marker, Script
from stillpoint.language.timeline import BREATHE, Pace, section_settings
from stillpoint.sound import ambience as beds
from stillpoint.sound import breath
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
                   ambience: str | None = None, ambience_volume: float = RenderOptions.ambience_volume,
                   breath_cue: str | None = None) -> RenderOptions:
    """The sound options, with the ambience made (or its file read) now, so a bad one fails before any work."""
    if ambience:
        beds.loop(ambience)
    return RenderOptions(loudness=loudness, bell_volume=bell_volume, ambience=ambience, ambience_volume=ambience_volume,
                         breath_cue=breath_cue_choice(breath_cue, ambience))


def breath_cue_choice(cue: str | None, ambience: str | None) -> str | None:
    """The listener's breath cue, refused when it is none of the cues, or a swell with no ambience to swell."""
    if cue is None:
        return None
    if problem := script_language.cue_problem(cue):
        raise UsageError(problem[0], hint=problem[1], setting=Setting("breath-cue", cue))
    if cue.strip().lower() == breath.SWELL and not ambience:
        raise UsageError("a swell needs an ambience to swell", hint=SWELL_HINT, setting=Setting("breath-cue", cue))
    return cue.strip().lower()


SWELL_HINT = "choose an ambience (rain, ocean, brown or a sound file) to rise and fall with the breath, or the tone"


def check_cues(parsed: Script, options: RenderOptions) -> None:
    """Refuse a practice whose breaths swell the bed when no ambience plays under it, naming the line that asks."""
    if options.ambience or options.breath_cue:
        return  # the listener's own cue was checked with the other options
    for section in parsed.sections:
        breathes = any(isinstance(cue, Marker) and cue.kind == BREATHE for cue in section.cues)
        if breathes and section_settings(parsed, section).breath_cue == breath.SWELL:
            line = section.line if section.settings.breath_cue else parsed.settings_at.get("breath-cue", 1)
            raise ScriptError([Diagnostic(parsed.path, line, 1, "breath-cue: swell needs an ambience to swell",
                                          SWELL_HINT)])
