"""`stillpoint new`: a practice script started from a commented template, or from a copy of a practice."""

from typing import Annotated, Optional

import typer

from stillpoint.app import pipeline
from stillpoint.cli import display
from stillpoint.cli.base import command_app, handled
from stillpoint.cli.options import DebugOpt
from stillpoint.language import library
from stillpoint.output import files

app = command_app()


@app.command()
@handled
def new(
    name: Annotated[str, typer.Argument(help="Name of the new practice; NAME.txt is created.")],
    from_: Annotated[Optional[str], typer.Option("--from", help="Copy this practice to adapt it.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Start a practice script from a commented template, or from a copy of a practice.

    \b
    Examples:
      stillpoint new evening-calm
      stillpoint new my-benefactor --from benefactor
    """
    from stillpoint.language import template

    dest = template.script_file(name)
    origin = library.find(from_) if from_ else None
    written = files.write_text(dest, template.starting_text(dest, origin), force,
                               pipeline.files_read([origin] if origin else []))
    display.say(f"created {written}; check it as you write with: stillpoint check {written}")
