"""`stillpoint convert`: a script to SSML, or SSML or an informally marked-up text to a script."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from stillpoint.app import pipeline
from stillpoint.cli import display
from stillpoint.cli.base import command_app, handled
from stillpoint.cli.options import DebugOpt, QuietOpt, SetOpt, values
from stillpoint.errors import ExitStatus, UsageError
from stillpoint.language import library
from stillpoint.language import script as script_language
from stillpoint.output import files

app = command_app()


@app.command()
@handled
def convert(
    source: Annotated[str, typer.Argument(help="The file to convert, or a practice name.")],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (default: print).")] = None,
    to: Annotated[Optional[str], typer.Option("--to", help="ssml or script (default: the other one).")] = None,
    from_: Annotated[Optional[str], typer.Option("--from", help="ssml, informal or script (default: guessed).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    set_: SetOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Convert a script to SSML, or SSML or an informally marked-up text to a script; the report goes to stderr.

    \b
    Examples:
      stillpoint convert talk.ssml -o talk.txt
      stillpoint convert my-practice.txt --to ssml
      stillpoint convert notes.txt --from informal -o practice.txt
    """
    from stillpoint.language import convert as conversion  # loaded only by this command, to keep `play` quick to start

    path = library.find(source)
    result = conversion.convert(script_language.read(path), str(path), _format("--from", from_), _format("--to", to),
                                values(set_), dest=str(output or "<output>"))
    if output:
        files.write_text(output, result.text, force, pipeline.files_read([path], what="the file converted"))
    else:
        for line in result.text.split("\n")[: -1 if result.text.endswith("\n") or not result.text else None]:
            display.say(line)
    for line in display.lines((note for note in result.notes if not quiet or note.severity == "error"), set()):
        display.say(line, err=True)
    if any(note.severity == "error" for note in result.notes):
        raise typer.Exit(ExitStatus.ERROR)


def _format(option: str, value: str | None) -> str | None:
    """The format named with ``option``, in lower case; a usage error if it is none of them."""
    from stillpoint.language import convert as conversion

    if value is not None and value.lower() not in conversion.FORMATS:
        raise UsageError(f"{option} {value}: not a format", hint="choose " + ", ".join(conversion.FORMATS))
    return value.lower() if value else None
