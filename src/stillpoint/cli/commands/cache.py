"""`stillpoint cache info` and `stillpoint cache clear`: the cache of synthesized lines."""

from stillpoint.app import session
from stillpoint.cli import display
from stillpoint.cli.base import command_app, handled
from stillpoint.cli.options import CacheOpt, DebugOpt

app = command_app(name="cache", help="Inspect or clear the cache of synthesized lines.\n\n\b\nExamples:\n"
                                     "  stillpoint cache info\n  stillpoint cache clear", no_args_is_help=True)


@app.command("info")
@handled
def cache_info(cache_dir: CacheOpt = None, debug: DebugOpt = False) -> None:
    """Show where the cache is and how much it holds.

    \b
    Example:
      stillpoint cache info
    """
    entries, size, folder = session.cache(cache_dir).info()
    display.say(f"{folder}: {entries} lines, {size / 1e6:.1f} MB")


@app.command("clear")
@handled
def cache_clear(cache_dir: CacheOpt = None, debug: DebugOpt = False) -> None:
    """Remove every synthesized line from the cache.

    \b
    Example:
      stillpoint cache clear
    """
    cache = session.cache(cache_dir)
    entries, _size, folder = cache.info()
    cache.clear()
    display.say(f"{folder}: removed {entries} lines")
