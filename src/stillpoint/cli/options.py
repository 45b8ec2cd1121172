"""The options several commands share, each defined once: single ones as annotated types, and the sound and the
speaking options as groups, dataclasses whose fields are the options, that a command takes whole.

A command's parameter typed with a group (``sound: Sound = Sound()``) stands in typer's eyes for the group's
options, in their order (``base.handled`` unpacks them). Annotations are evaluated where they are written: typer
reads them at every run, and from strings that cost about 20 ms.
"""

import dataclasses
import math
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Optional

import typer

from stillpoint import places
from stillpoint.app import session
from stillpoint.errors import UsageError
from stillpoint.language import script as script_language
from stillpoint.language.timeline import Pace
from stillpoint.sound.render import RenderOptions

ScriptArg = Annotated[str, typer.Argument(help="A practice name (see `stillpoint list`) or a script file.")]
SetOpt = Annotated[Optional[list[str]], typer.Option("--set", help="Give a variable a value: --set name=value.")]
CacheOpt = Annotated[Optional[Path], typer.Option(
    "--cache-dir", envvar=places.CACHE_ENV, help="Folder for synthesized lines (default: ~/.cache/stillpoint).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show a full traceback on errors.")]


def _finite(value: float) -> float:
    """A number option's value, refused when it is nan or infinite: a range check lets nan through."""
    if not math.isfinite(value):
        raise typer.BadParameter(f"{value} is not a number")
    return value


@dataclasses.dataclass(frozen=True)
class Sound:
    """How the practice sounds: the same defaults for play, preview and export, so all make the same audio."""

    loudness: Annotated[float, typer.Option(
        "--loudness", help="Speech loudness in LUFS.", min=-40, max=-6, callback=_finite)] = RenderOptions.loudness
    bell_volume: Annotated[float, typer.Option(
        "--bell-volume", help="Bell volume from 0 (silent) to 2; 1 is the usual.", min=0.0, max=2.0,
        callback=_finite)] = RenderOptions.bell_volume
    ambience: Annotated[Optional[str], typer.Option(
        "--ambience", help="Sound under the practice: rain, ocean, brown or a WAV/MP3/FLAC/OGG file.")] = None
    ambience_volume: Annotated[float, typer.Option(
        "--ambience-volume", help="Ambience volume from 0 to 2; 1 is the usual.", min=0.0, max=2.0,
        callback=_finite)] = RenderOptions.ambience_volume
    breath_cue: Annotated[Optional[str], typer.Option(
        "--breath-cue", help="Heard through each [breathe]: none, tone, or swell (the ambience rises and falls); "
        "default: as the practice says.")] = None

    def render_options(self) -> RenderOptions:
        """These options for the renderer, the ambience made (or its file read) now: a bad one fails before any work."""
        return session.render_options(self.loudness, self.bell_volume, self.ambience, self.ambience_volume,
                                      self.breath_cue)


@dataclasses.dataclass(frozen=True)
class Speaking:
    """What is spoken and how: the rate, the voice, the variables' values, and the bells."""

    rate: Annotated[Optional[int], typer.Option(
        "--rate", help="Speaking rate in words per minute.", min=60, max=300)] = None
    voice: Annotated[Optional[str], typer.Option(
        "--voice", help="Voice to speak with (see `stillpoint voices`).")] = None
    set_: SetOpt = None
    # Keyword-only, so the group's constructor, and so the help, takes it last: after --length in FittedSpeaking.
    bells: Annotated[bool, typer.Option(
        "--bells/--no-bells", help="Bells at the start, the end and at [bell].")] = dataclasses.field(
        default=True, kw_only=True)

    def values(self) -> dict[str, str]:
        """The variables' values given with --set."""
        return values(self.set_)

    def target(self) -> float | None:
        """The length to fit the practice to, in seconds: none unless the command offers --length."""
        return None

    def ending(self) -> float | None:
        """The length of a sleep ending, in seconds: none unless the command offers --sleep."""
        return None

    def pace(self) -> Pace:
        """How the practice is spoken and timed."""
        return session.pace(self.voice, self.rate, self.target(), self.bells, self.ending())


@dataclasses.dataclass(frozen=True)
class FittedSpeaking(Speaking):
    """The speaking options, and a length to fit the practice to."""

    length: Annotated[Optional[str], typer.Option(
        "--length", help="Fit the practice to this length, e.g. 10m.")] = None
    sleep: Annotated[Optional[str], typer.Option(
        "--sleep", help="End with no bell: the ambience (or a soft brown noise) goes on this long after the last "
        "words, e.g. 20m, and fades to silence.")] = None

    def target(self) -> float | None:
        """The length given with --length, in seconds; None without it."""
        return seconds("--length", self.length)

    def ending(self) -> float | None:
        """The length given with --sleep, in seconds; None without it."""
        return seconds("--sleep", self.sleep, script_language.parse_sleep)


def values(pairs: list[str] | None) -> dict[str, str]:
    """--set name=value, given any number of times, as name -> value; a pair that is not one is a usage error."""
    found = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set {pair}: expected name=value", hint='for example --set benefactor="my grandmother"')
        if problem := script_language.value_problem(value):
            raise UsageError(f"--set {name.strip()}: the value {problem}", hint=script_language.VALUE_HINT)
        found[name.strip()] = value
    return found


def seconds(option: str, text: str | None,
            parse: Callable[[str], float] = script_language.parse_length) -> float | None:
    """The length given with ``option`` (such as 10m or 90s), read by ``parse``, in seconds; None when not given."""
    if text is None:
        return None
    try:
        length = parse(text)
    except ValueError as err:
        raise UsageError(f"{option}: {err}") from None
    if length <= 0:
        raise UsageError(f"{option} must be longer than 0")
    return length
