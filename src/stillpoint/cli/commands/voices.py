"""`stillpoint voices`: every voice a practice can choose, and whether it is installed."""

from stillpoint.app import session
from stillpoint.cli import display
from stillpoint.cli.base import command_app, handled
from stillpoint.cli.options import CacheOpt, DebugOpt
from stillpoint.voice import catalogue

app = command_app()


@app.command()
@handled
def voices(cache_dir: CacheOpt = None, debug: DebugOpt = False) -> None:
    """List every voice: its name (for `voice:` or --voice), engine, language, whether installed, and what it is.

    \b
    Example:
      stillpoint voices
    """
    with session.synthesizer(cache_dir) as synth:
        rows = [("name", "engine", "language", "installed", "description")]
        rows += [(v.name, catalogue.engine_label(v.engine), v.language, "yes" if v.installed else "no", v.description)
                 for v in synth.voices()]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    for row in rows:
        display.say("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths)), row[4]]).rstrip())
