"""The `stillpoint` command itself: the group of commands, its own options, and the entry point."""

import importlib.util
import signal
import sys
from typing import Annotated

import typer

from stillpoint import __version__
from stillpoint.cli import environment
from stillpoint.cli.group import LazyGroup

app = typer.Typer(
    cls=LazyGroup,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help is plain text, written as it is shown: markup would swallow [bell], [pause 8s]
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"stillpoint {__version__}")
        raise typer.Exit()


@app.callback()
def stillpoint(
    context: typer.Context,
    version: Annotated[bool, typer.Option(
        "--version", "-V", help="Show the version and exit.", callback=_show_version, is_eager=True)] = False,
) -> None:
    """Voice-guided meditation: practice scripts spoken offline, played or exported as MP3.

    \b
    Examples:
      stillpoint play benefactor
      stillpoint export benefactor -o ~/phone/benefactor.mp3
      stillpoint serve ~/Music/Stillpoint/
    """
    environment.enter(context)


def _terminate(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    """Console entry point: SIGTERM ends the run as cleanly as Ctrl-C."""
    signal.signal(signal.SIGTERM, _terminate)
    _run_as_package_main()
    app()


def _run_as_package_main() -> None:
    """Name the `stillpoint` script's module after the package's own ``__main__``, as `python -m` does.

    A voice worker is a fresh interpreter that first runs the parent's main module unless it is a package's
    ``__main__``; for the script that would mean importing typer and the command (~0.1 s) before its engine.
    """
    script = sys.modules["__main__"]
    if getattr(script, "__spec__", None) is None:
        script.__spec__ = importlib.util.find_spec("stillpoint.__main__")
