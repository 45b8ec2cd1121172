"""The `stillpoint` command: arguments in, messages and exit codes out. The only place that prints errors."""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from stillpoint import library, pipeline
from stillpoint import timeline as timing
from stillpoint.errors import ScriptError, StillpointError, UsageError
from stillpoint.render import RenderOptions
from stillpoint.script import parse_duration
from stillpoint.timeline import Pace, Timeline
from stillpoint.voice import ClipCache, Synthesizer, SynthProgress

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEFAULT_CACHE = "audio_cache"

app = typer.Typer(
    help="Voice-guided meditation: practice scripts spoken offline, played or exported as MP3.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
cache_app = typer.Typer(help="Inspect or clear the cache of synthesized lines.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")

ScriptArg = Annotated[str, typer.Argument(help="A practice name (see `stillpoint list`) or a script file.")]
RateOpt = Annotated[Optional[int], typer.Option("--rate", help="Speaking rate in words per minute.", min=60, max=300)]
VoiceOpt = Annotated[Optional[str], typer.Option("--voice", help="Voice to speak with (see `stillpoint voices`).")]
SetOpt = Annotated[Optional[list[str]], typer.Option("--set", help="Give a variable a value: --set name=value.")]
LengthOpt = Annotated[Optional[str], typer.Option("--length", help="Fit the practice to this length, e.g. 10m.")]
BellsOpt = Annotated[bool, typer.Option("--bells/--no-bells", help="Bells at the start, the end and at [bell].")]
CacheOpt = Annotated[
    Optional[Path], typer.Option("--cache-dir", envvar="STILLPOINT_CACHE", help="Folder for synthesized lines.")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show a full traceback on errors.")]


def handled(command: Callable[..., None]) -> Callable[..., None]:
    """Turn every error of a command into one line on stderr and an exit code."""

    @functools.wraps(command)
    def run(*args: object, **kwargs: object) -> None:
        try:
            command(*args, **kwargs)
        except (StillpointError, KeyboardInterrupt, BrokenPipeError) as err:
            if kwargs.get("debug"):
                raise
            raise typer.Exit(_report(err)) from None

    return run


def _report(err: BaseException) -> int:
    if isinstance(err, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(err, BrokenPipeError):
        _silence_stdout()
        return EXIT_OK
    diagnostics = err.diagnostics if isinstance(err, ScriptError) else [err.diagnostic]
    for diagnostic in diagnostics:
        typer.echo(str(diagnostic), err=True)
    return err.exit_code


def _silence_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the interpreter's last flush stays quiet."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _values(pairs: list[str] | None) -> dict[str, str]:
    values = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set {pair}: expected name=value", hint='for example --set benefactor="my grandmother"')
        values[name.strip()] = value
    return values


def _seconds(option: str, text: str | None) -> float | None:
    if text is None:
        return None
    try:
        seconds = parse_duration(text)
    except ValueError as err:
        raise UsageError(f"{option}: {err}") from None
    if seconds <= 0:
        raise UsageError(f"{option} must be longer than 0")
    return seconds


def _pace(voice: str | None, rate: int | None, length: str | None, bells: bool) -> Pace:
    return Pace(voice=voice, rate=rate, bells=bells, length=_seconds("--length", length))


def _synthesizer(cache_dir: Path | None) -> Synthesizer:
    return Synthesizer(cache=ClipCache(cache_dir or Path(DEFAULT_CACHE)))


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes}:{rest:02d}"


@contextmanager
def _progress(quiet: bool, label: str) -> Iterator[Callable[[SynthProgress], None]]:
    """A progress bar on stderr for synthesis; silent when quiet or not on a terminal."""
    if quiet or not sys.stderr.isatty():
        yield lambda _progress: None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[cached]}"),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None, cached="")

        def update(state: SynthProgress) -> None:
            bar.update(task, completed=state.done, total=state.total, cached=f"{state.cached} cached")

        yield update


def _warn(synth: Synthesizer, quiet: bool) -> None:
    for warning in synth.warnings() if not quiet else []:
        typer.echo(f"warning: {warning}", err=True)


@app.command()
@handled
def export(
    script: ScriptArg,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (.mp3 or .wav).")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="mp3 or wav (default: from -o, else mp3).")] = None,
    bitrate: Annotated[int, typer.Option("--bitrate", help="MP3 bit rate in kbps.", min=32, max=320)] = 64,
    loudness: Annotated[float, typer.Option("--loudness", help="Speech loudness in LUFS.", min=-40, max=-6)] = -19.0,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    rate: RateOpt = None,
    voice: VoiceOpt = None,
    set_: SetOpt = None,
    length: LengthOpt = None,
    bells: BellsOpt = True,
    cache_dir: CacheOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Render a practice to an MP3 (or WAV) file."""
    parsed = pipeline.load_script(script, _values(set_))
    settings = pipeline.ExportSettings(dest=output, fmt=fmt, bitrate=bitrate, force=force)
    with _synthesizer(cache_dir) as synth, _progress(quiet, "Speaking") as on_progress:
        written, timeline = pipeline.export(
            parsed, _pace(voice, rate, length, bells), synth, settings, RenderOptions(loudness=loudness), on_progress
        )
        _warn(synth, quiet)
    if not quiet:
        typer.echo(f"{written}  {_clock(timeline.total)}  {parsed.meta.title}")


@app.command()
@handled
def check(
    scripts: Annotated[list[str], typer.Argument(help="Practice names or script files.")],
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Check scripts for errors; every error is listed as PATH:LINE:COL."""
    failed = 0
    for source in scripts:
        try:
            parsed = pipeline.load_script(source)
        except StillpointError as err:
            _report(err)
            failed += 1
            continue
        if not quiet:
            estimate = timing.plan(parsed).total
            typer.echo(f"{parsed.path}: ok ({len(parsed.sections)} sections, about {_clock(estimate)})")
    if failed:
        raise typer.Exit(EXIT_ERROR)


@app.command()
@handled
def plan(
    script: ScriptArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print the timeline as JSON.")] = False,
    rate: RateOpt = None,
    voice: VoiceOpt = None,
    set_: SetOpt = None,
    length: LengthOpt = None,
    bells: BellsOpt = True,
    cache_dir: CacheOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Show every event with its start time and the total length (a dry run of export)."""
    parsed = pipeline.load_script(script, _values(set_))
    with _synthesizer(cache_dir) as synth, _progress(quiet or as_json, "Measuring") as on_progress:
        timeline = pipeline.timed_plan(parsed, _pace(voice, rate, length, bells), synth, on_progress)
    typer.echo(json.dumps(_plan_json(timeline), indent=2) if as_json else _plan_table(timeline))


def _plan_json(timeline: Timeline) -> dict[str, object]:
    events = [
        {"start": round(e.start, 3), "duration": round(e.duration, 3), "kind": e.kind, "text": e.text,
         "section": e.section}
        for e in timeline.events
    ]
    return {"title": timeline.title, "total": round(timeline.total, 3), "events": events}


def _plan_table(timeline: Timeline) -> str:
    rows = [f"{timeline.title}"]
    section = None
    for event in timeline.events:
        if event.section != section:
            section = event.section
            rows.append(f"\n# {section}")
        detail = event.text if event.kind == timing.SPEECH else ""
        rows.append(f"{_clock(event.start):>6}  {event.kind:<8}{event.duration:6.1f}s  {detail}".rstrip())
    rows.append(f"\ntotal {_clock(timeline.total)} ({timeline.total:.1f} s)")
    return "\n".join(rows)


@app.command("list")
@handled
def list_(debug: DebugOpt = False) -> None:
    """List the practices Stillpoint knows, with title and estimated length."""
    for name, path in library.practices().items():
        try:
            parsed = pipeline.load_script(str(path))
        except StillpointError as err:
            typer.echo(f"{name:<24} (cannot be read: {err})")
            continue
        typer.echo(f"{name:<24} {_clock(timing.plan(parsed).total):>6}  {parsed.meta.title}")


@app.command()
@handled
def voices(cache_dir: CacheOpt = None, debug: DebugOpt = False) -> None:
    """List the voices the speech engine offers."""
    with _synthesizer(cache_dir) as synth:
        for voice in synth.voices():
            typer.echo(f"{voice.id:<24} {voice.name:<32} {', '.join(voice.languages)}")


@cache_app.command("info")
@handled
def cache_info(cache_dir: CacheOpt = None, debug: DebugOpt = False) -> None:
    """Show where the cache is and how much it holds."""
    entries, size, folder = ClipCache(cache_dir or Path(DEFAULT_CACHE)).info()
    typer.echo(f"{folder}: {entries} lines, {size / 1e6:.1f} MB")


@cache_app.command("clear")
@handled
def cache_clear(cache_dir: CacheOpt = None, debug: DebugOpt = False) -> None:
    """Remove every synthesized line from the cache."""
    cache = ClipCache(cache_dir or Path(DEFAULT_CACHE))
    entries, _size, folder = cache.info()
    cache.clear()
    typer.echo(f"{folder}: removed {entries} lines")


def _terminate(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    """Console entry point: SIGTERM ends the run as cleanly as Ctrl-C."""
    signal.signal(signal.SIGTERM, _terminate)
    app()
