"""`stillpoint list`: the practices Stillpoint knows, with estimated length, title and tags."""

from typing import Annotated, Optional

import typer

from stillpoint.audio import clock
from stillpoint.cli import display
from stillpoint.cli.base import command_app, handled
from stillpoint.cli.options import DebugOpt

app = command_app()


@app.command("list")
@handled
def list_(
    tag: Annotated[Optional[str], typer.Option("--tag", help="Only the practices with this tag.")] = None,
    debug: DebugOpt = False,
) -> None:
    """List the practices Stillpoint knows, with estimated length, title and tags.

    \b
    Examples:
      stillpoint list
      stillpoint list --tag calm
    """
    from stillpoint.app import authoring

    given: set[str] = set()
    for practice in authoring.catalog(tag):
        if practice.script is None:
            display.say(f"{practice.name:<24} (cannot be read: {next(display.lines(practice.problems[:1], given))})")
            continue
        meta = practice.script.meta
        tags = f"  [{', '.join(meta.tags)}]" if meta.tags else ""
        display.say(f"{practice.name:<24} {clock(practice.seconds):>6}  {meta.title}{tags}")
        if meta.content_note:
            display.say(f"{'':<32}content note: {meta.content_note}")
