"""`stillpoint play`: a practice on the sound card at once, with the player's keys and screen, and --resume."""

from typing import Annotated

import typer

from stillpoint.app import pipeline
from stillpoint.app.listening import Listening
from stillpoint.audio import clock
from stillpoint.cli import display, environment
from stillpoint.cli.base import command_app, handled
from stillpoint.cli.options import CacheOpt, DebugOpt, FittedSpeaking, QuietOpt, ScriptArg, Sound
from stillpoint.errors import PlaybackError
from stillpoint.listen.device import EXPORT_HINT

app = command_app()


@app.command()
@handled
def play(
    script: ScriptArg,
    resume_: Annotated[
        bool, typer.Option("--resume", help="Continue from the start of the section where you last stopped.")
    ] = False,
    no_ui: Annotated[bool, typer.Option("--no-ui", help="Plain progress lines instead of the player screen.")] = False,
    sound: Sound = Sound(),
    speaking: FittedSpeaking = FittedSpeaking(),
    cache_dir: CacheOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Play a practice; it starts at once. Keys: space pause, n/p section, ←/→ 15 s, +/- volume, q stop.

    \b
    Examples:
      stillpoint play benefactor
      stillpoint play benefactor --resume
      stillpoint play my-practice.txt --length 10m --ambience rain
    """
    parsed = pipeline.load_script(script, speaking.values())
    options, pace = sound.render_options(), speaking.pace()
    refuse_without_terminal_player()
    with Listening.open(parsed, pace, options, cache_dir) as listening:
        fitted = _fitted(listening, quiet)
        first, note = listening.resume_point() if resume_ else (0, "")
        on_warning = display.warning if not quiet else lambda _message: None
        stopped = listening.play_remembered(first, note or fitted, no_ui, quiet, on_warning)
        display.warnings(listening.warnings(), quiet)
    if stopped and not quiet:
        display.say(f"stopped at {clock(stopped.seconds)} in “{stopped.section}”; "
                    f"`stillpoint play {script} --resume` continues from there")


def refuse_without_terminal_player() -> None:
    """A one-line error where the terminal player cannot run: its keys need a POSIX terminal (Linux, macOS)."""
    if environment.current().windows:
        raise PlaybackError("the terminal player is not supported on Windows", hint=EXPORT_HINT)


def _fitted(listening: Listening, quiet: bool) -> str:
    """Speak every line first when the practice is fitted to a length; the note the player shows about it."""
    if not listening.needs_every_line:
        return ""
    with display.progress(quiet, "Speaking every line first, to fit the length") as on_progress:
        return listening.fit(on_progress)
