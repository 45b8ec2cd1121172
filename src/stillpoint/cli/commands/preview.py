"""`stillpoint preview`: one section or a few lines of a practice heard, or exported with -o."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from stillpoint.app import pipeline, session
from stillpoint.app import preview as previews
from stillpoint.app.listening import Listening
from stillpoint.cli import display
from stillpoint.cli.base import command_app, handled
from stillpoint.cli.commands.export import audio_file, summary
from stillpoint.cli.commands.play import refuse_without_terminal_player
from stillpoint.cli.options import CacheOpt, DebugOpt, QuietOpt, ScriptArg, Sound, Speaking
from stillpoint.errors import PlaybackError
from stillpoint.language.script import Script
from stillpoint.language.timeline import Pace
from stillpoint.sound.render import RenderOptions

app = command_app()
PART_HINT = "add -o part.wav to write the part to a file instead"


@app.command()
@handled
def preview(
    script: ScriptArg,
    section: Annotated[Optional[str], typer.Option("--section", help="The section to hear, by its title.")] = None,
    lines: Annotated[Optional[str], typer.Option("--lines", help="The lines to hear, e.g. 10-20.")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Export the part to this file.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    sound: Sound = Sound(),
    speaking: Speaking = Speaking(),
    cache_dir: CacheOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Hear one section or a few lines of a practice, or export just that part with -o.

    \b
    Examples:
      stillpoint preview my-practice.txt --section closing
      stillpoint preview my-practice.txt --lines 10-20 -o part.wav
    """
    output = audio_file(output)
    parsed = pipeline.load_script(script, speaking.values())
    part = previews.part(parsed, section, previews.line_range(lines) if lines else None)
    pace, options = speaking.pace(), sound.render_options()
    if output is None:
        _play(part, pace, options, cache_dir, quiet)
        return
    with session.synthesizer(cache_dir, speaking.voice) as synth, display.progress(quiet, "Speaking") as on_progress:
        written, timeline = previews.write(part, pace, synth, output, options, force, on_progress,
                                           pipeline.files_read([parsed.path], ambience=sound.ambience))
        display.warnings(synth.warnings(), quiet)
    if not quiet:
        display.say(summary(written, timeline.total, part.sections[0].title if section else f"lines {lines}"))


def _play(part: Script, pace: Pace, options: RenderOptions, cache_dir: Path | None, quiet: bool) -> None:
    """Play an excerpt from its start; unlike `play`, it leaves the practice's resume point alone."""
    try:
        refuse_without_terminal_player()
        listening = Listening.open(part, pace, options, cache_dir)
    except PlaybackError as err:
        raise PlaybackError(err.diagnostic.message, hint=PART_HINT) from None
    with listening:
        listening.play(quiet=quiet)
        display.warnings(listening.warnings(), quiet)
