"""`stillpoint check`: scripts checked for errors and for what a listener would notice, and --review."""

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from stillpoint import places
from stillpoint.app import reports
from stillpoint.audio import clock
from stillpoint.cli import display
from stillpoint.cli.base import command_app, handled
from stillpoint.cli.options import DebugOpt, QuietOpt, SetOpt, seconds, values
from stillpoint.errors import ExitStatus
from stillpoint.language import lexicon
from stillpoint.voice import Synthesizer

if TYPE_CHECKING:
    from stillpoint.app import authoring

app = command_app()


@app.command()
@handled
def check(
    scripts: Annotated[list[str], typer.Argument(help="Practice names or script files.")],
    strict: Annotated[bool, typer.Option("--strict", help="Count warnings as errors.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON, for editors.")] = False,
    reviewed: Annotated[bool, typer.Option("--review", help="Also read it as a trauma-informed supervisor would "
                                           "(English only).")] = False,
    review_silence: Annotated[Optional[str], typer.Option(
        "--review-silence", help="Review; a silence this long wants a reminder before it of the way out (2m).")] = None,
    set_: SetOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Check scripts for errors and for what a listener would notice; findings are PATH:LINE:COL.

    \b
    Examples:
      stillpoint check my-practice.txt
      stillpoint check --strict --json scripts/*.txt
      stillpoint check --review --strict my-practice.txt
    """
    from stillpoint.app import authoring
    from stillpoint.language import review

    words, given = lexicon.load(), values(set_)
    silence = seconds("--review-silence", review_silence) or review.LONG_SILENCE
    reviewing = review.Options(silence=silence) if reviewed or review_silence else None
    with Synthesizer(engine=places.engine_spec()) as synth:  # started only for a script that chooses a voice
        results = [_worded(authoring.check(source, given, words, strict, synth.resolve_voice, reviewing))
                   for source in scripts]
    if as_json:
        typer.echo(json.dumps(reports.check_report(results), indent=2))
    else:
        _print(results, quiet)
    if any(result.count("error") for result in results):
        raise typer.Exit(ExitStatus.ERROR)


def _worded(result: "authoring.CheckResult") -> "authoring.CheckResult":
    """A script's findings as the command line words them, in text and in JSON alike."""
    return replace(result, diagnostics=tuple(each.naming(display.flag) for each in result.diagnostics))


def _print(results: "list[authoring.CheckResult]", quiet: bool) -> None:
    """The findings on stderr; each script's shape and a count of all on stdout, unless quiet."""
    given: set[str] = set()
    for result in results:
        for line in display.lines(result.diagnostics, given):
            display.say(line, err=True)
        for line in _shape(result) if not quiet else []:
            display.say(line)
    if not quiet:
        errors, warnings = (sum(r.count(kind) for r in results) for kind in ("error", "warning"))
        display.say(f"{display.count(len(results), 'file')}: {display.count(errors, 'error')}, "
                    f"{display.count(warnings, 'warning')}")


def _shape(result: "authoring.CheckResult") -> list[str]:
    """A checked script's status, shape and variables; nothing for one that could not be read."""
    if result.script is None or result.timeline is None:
        return []
    errors, warnings = result.count("error"), result.count("warning")
    count = display.count
    status = count(errors, "error") if errors else "ok" + (f", {count(warnings, 'warning')}" if warnings else "")
    shape = f"{count(len(result.script.sections), 'section')}, about {clock(result.timeline.total)}"
    variables = [f'{name} = "{default}"' if default is not None else f"{name} (no default)"
                 for name, default in reports.variables(result.script).items()]
    return [f"{result.path}: {status} ({shape})", *(["  variables: " + ", ".join(variables)] if variables else [])]
