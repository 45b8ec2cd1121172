"""The `stillpoint` command: arguments in, messages and exit codes out. The only place that prints errors.

Modules only some commands need (rich's progress bars, Pillow, the converters, the checker, the batch exporter,
the template) load inside those commands, so that `play` makes its first sound sooner. For the same reason,
annotations here are evaluated where they are written, not postponed: typer reads every command's annotations
at each run, and evaluating them from strings cost about 20 ms. Names imported only for type checking are quoted.
"""

import functools
import importlib.util
import io
import json
import math
import os
import re
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from stillpoint import __version__
from stillpoint.app import pipeline, reports, resume, session
from stillpoint.errors import (SHOWN_CHARS, Diagnostic, PlaybackError, ScriptError, StillpointError, UsageError,
                               printable)
from stillpoint.language import lexicon, library
from stillpoint.language import script as script_language
from stillpoint.language import timeline as timing
from stillpoint.language.script import parse_length
from stillpoint.language.timeline import Pace, Timeline
from stillpoint.listen import player
from stillpoint.listen.device import EXPORT_HINT, DeviceSink
from stillpoint.listen.program import Program
from stillpoint.listen.screen import clock, screen_for
from stillpoint.output import files, sidecars
from stillpoint.sound.render import RenderOptions
from stillpoint.voice import Synthesizer, SynthProgress, catalogue

if TYPE_CHECKING:
    from rich.progress import Progress

    from stillpoint.app import authoring, batch, publish

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
TERMINAL_PLAYER = os.name == "posix"  # its keys need a POSIX terminal: Linux and macOS
SERVE_PORT = 8765  # the same port at every start, so a phone subscribed to the feed finds it again

# typer exports no base class for the mistakes its parser finds; BadParameter derives from it in every version.
ParserError = next(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "ClickException")
SUGGESTION = re.compile(r"\.?\s+(?:Did you mean (?P<one>.*?)\?|\(Possible options: (?P<some>.*)\))$")


class OneLineErrors(TyperGroup):
    """typer's command group, with mistakes in the command line reported in one line like every other error."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        """Run the command; in standalone mode, exit with its code."""
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except ParserError as err:
            if type(err).__name__ != "NoArgsIsHelpError":
                code = _report(_usage_error(err))
            else:  # no command given: the help, on stdout like any help asked for
                typer.echo(err.format_message())
                code = err.exit_code
        sys.exit(code or EXIT_OK)


def _usage_error(err: Exception) -> UsageError:
    """A mistake the command-line parser found, as a usage error pointing at the command's help."""
    message = err.format_message().strip().rstrip(".")
    ctx = getattr(err, "ctx", None)
    hint = f"see `{ctx.command_path if ctx else 'stillpoint'} --help`"
    if found := SUGGESTION.search(message):
        message = message[: found.start()]
        hint = f"did you mean {(found['one'] or found['some']).replace(', ', ' or ')}? {hint}"
    return UsageError(message[:1].lower() + message[1:], hint=hint)


# Help is plain text, written as it is shown: rich's markup would swallow [bell], [pause 8s] and the like.
HELP_STYLE: dict[str, Any] = {"rich_markup_mode": None, "context_settings": {"help_option_names": ["-h", "--help"]}}
app = typer.Typer(
    cls=OneLineErrors,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    **HELP_STYLE,
)
cache_app = typer.Typer(help="Inspect or clear the cache of synthesized lines.\n\n\b\nExamples:\n  stillpoint cache info\n"
                             "  stillpoint cache clear", no_args_is_help=True, **HELP_STYLE)
app.add_typer(cache_app, name="cache")


def _show_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"stillpoint {__version__}")
        raise typer.Exit()


@app.callback()
def stillpoint(
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

ScriptArg = Annotated[str, typer.Argument(help="A practice name (see `stillpoint list`) or a script file.")]
RateOpt = Annotated[Optional[int], typer.Option("--rate", help="Speaking rate in words per minute.", min=60, max=300)]
VoiceOpt = Annotated[Optional[str], typer.Option("--voice", help="Voice to speak with (see `stillpoint voices`).")]
SetOpt = Annotated[Optional[list[str]], typer.Option("--set", help="Give a variable a value: --set name=value.")]
LengthOpt = Annotated[Optional[str], typer.Option("--length", help="Fit the practice to this length, e.g. 10m.")]
BellsOpt = Annotated[bool, typer.Option("--bells/--no-bells", help="Bells at the start, the end and at [bell].")]
CacheOpt = Annotated[Optional[Path], typer.Option(
    "--cache-dir", envvar="STILLPOINT_CACHE", help="Folder for synthesized lines (default: ~/.cache/stillpoint).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show a full traceback on errors.")]
SOUND = RenderOptions()  # play and export share these defaults, so both make the same audio


def _finite(value: float) -> float:
    """A number option's value, refused when it is nan or infinite: a range check lets nan through."""
    if not math.isfinite(value):
        raise typer.BadParameter(f"{value} is not a number")
    return value


LoudnessOpt = Annotated[
    float, typer.Option("--loudness", help="Speech loudness in LUFS.", min=-40, max=-6, callback=_finite)]
BellVolumeOpt = Annotated[float, typer.Option(
    "--bell-volume", help="Bell volume from 0 (silent) to 2; 1 is the usual.", min=0.0, max=2.0, callback=_finite)]
AmbienceOpt = Annotated[
    Optional[str],
    typer.Option("--ambience", help="Sound under the practice: rain, ocean, brown or a WAV/MP3/FLAC/OGG file."),
]
AmbienceVolumeOpt = Annotated[float, typer.Option(
    "--ambience-volume", help="Ambience volume from 0 to 2; 1 is the usual.", min=0.0, max=2.0, callback=_finite)]


def handled(command: Callable[..., None]) -> Callable[..., None]:
    """Turn every error of a command into one line on stderr and an exit code."""

    @functools.wraps(command)
    def run(*args: object, **kwargs: object) -> None:
        try:
            command(*args, **kwargs)
        except (StillpointError, KeyboardInterrupt, OSError, MemoryError) as err:
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
    if isinstance(err, MemoryError):  # the causes known are bounded below; this is the last resort
        err = StillpointError("ran out of memory", hint="close other programs, or run again with --debug to see where")
    if isinstance(err, OSError):  # a file-system refusal nothing below foresaw (e.g. a name too long to stat)
        hint = "check the path" if err.filename else "run again with --debug to see where it happened"
        err = StillpointError(err.strerror or str(err), path=str(err.filename or ""), hint=hint)
    diagnostics = err.diagnostics if isinstance(err, ScriptError) else [err.diagnostic]
    for line in _lines(diagnostics, set()):
        _say(line, err=True)
    return err.exit_code


def _say(line: object, err: bool = False) -> None:
    """Print one line, its control characters escaped: no text from a file reaches the terminal as a command.

    Everything the commands print goes through here, but JSON (which escapes them itself), help and the QR code.
    """
    typer.echo(printable(str(line)), err=err)


def _warning(message: str) -> None:
    """A problem that does not stop the command, as one line on stderr, cut to the length of a whole finding."""
    _say(f"warning: {printable(message, 3 * SHOWN_CHARS)}", err=True)


def _lines(diagnostics: Iterable[Diagnostic], given: set[str]) -> Iterator[str]:
    """Each diagnostic as printed; a hint already in ``given`` (those printed so far) is not repeated."""
    for diagnostic in diagnostics:
        shown = replace(diagnostic, hint="") if diagnostic.hint in given else diagnostic
        given.add(diagnostic.hint)
        yield str(shown)


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
        if problem := script_language.value_problem(value):
            raise UsageError(f"--set {name.strip()}: the value {problem}", hint=script_language.VALUE_HINT)
        values[name.strip()] = value
    return values


def _seconds(option: str, text: str | None) -> float | None:
    if text is None:
        return None
    try:
        seconds = parse_length(text)
    except ValueError as err:
        raise UsageError(f"{option}: {err}") from None
    if seconds <= 0:
        raise UsageError(f"{option} must be longer than 0")
    return seconds


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes}:{rest:02d}"


@contextmanager
def _progress(quiet: bool, label: str) -> Iterator[Callable[[SynthProgress], None]]:
    """A progress bar on stderr for synthesis; silent when quiet or not on a terminal."""
    if quiet or not sys.stderr.isatty():
        yield lambda _progress: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn

    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[cached]}"),
               TimeElapsedColumn())
    with _progress_bar(columns) as bar:
        task = bar.add_task(label, total=None, cached="")

        def update(state: SynthProgress) -> None:
            bar.update(task, completed=state.done, total=state.total, cached=f"{state.cached} cached")

        yield update


def _progress_bar(columns: tuple) -> "Progress":
    """A transient rich progress bar on stderr with ``columns``."""
    from rich.console import Console
    from rich.progress import Progress

    return Progress(*columns, console=Console(stderr=True), transient=True)


def _warn(synth: Synthesizer, quiet: bool) -> None:
    for warning in synth.warnings() if not quiet else []:
        _warning(warning)


@app.command()
@handled
def export(
    scripts: Annotated[
        Optional[list[str]], typer.Argument(help="Practice names or script files.", show_default=False)] = None,
    all_: Annotated[bool, typer.Option("--all", help="Export every practice in the library.")] = False,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="File to write (.mp3 or .wav); for several practices, the folder for them.")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="mp3 or wav (default: from -o, else mp3).")] = None,
    bitrate: Annotated[int, typer.Option("--bitrate", help="MP3 bit rate in kbps.", min=32, max=320)] = 64,
    loudness: LoudnessOpt = SOUND.loudness,
    bell_volume: BellVolumeOpt = SOUND.bell_volume,
    ambience: AmbienceOpt = SOUND.ambience,
    ambience_volume: AmbienceVolumeOpt = SOUND.ambience_volume,
    force: Annotated[bool, typer.Option("--force", help="Replace existing files.")] = False,
    album: Annotated[str, typer.Option("--album", help="Album name in the tags, e.g. a collection's.")] = (
        pipeline.DEFAULT_ALBUM),
    cover: Annotated[Optional[Path], typer.Option(
        "--cover", help="Cover picture, PNG or JPEG (default: one made from the title).")] = None,
    lrc: Annotated[bool, typer.Option("--lrc", help="Also write time-synced lyrics (.lrc) beside each file.")] = False,
    vtt: Annotated[bool, typer.Option("--vtt", help="Also write WebVTT captions (.vtt) beside each file.")] = False,
    for_: Annotated[Optional[Path], typer.Option(
        "--for", help="A CSV file of clients (a header of variable names, a row each): one track per client.",
        show_default=False)] = None,
    feed_url: Annotated[Optional[str], typer.Option(
        "--feed-url", help="With a folder: also write a podcast feed (feed.xml) for this address of it on a web host.",
        show_default=False)] = None,
    rate: RateOpt = None,
    voice: VoiceOpt = None,
    set_: SetOpt = None,
    length: LengthOpt = None,
    bells: BellsOpt = True,
    cache_dir: CacheOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Render practices to MP3 (or WAV) files tagged for phones; several go into a folder with a playlist.

    \b
    Examples:
      stillpoint export benefactor
      stillpoint export my-practice.txt -o ~/phone/evening.mp3 --rate 110 --voice en-us
      stillpoint export --all -o ~/Music/Stillpoint/
      stillpoint export --all -o site/calm/ --feed-url https://example.org/calm/feed.xml
    """
    from stillpoint.app import batch

    output = _audio_file(output)
    names = batch.sources(scripts or [], all_)
    parsed = _for_clients(names, for_, _values(set_)) if for_ else pipeline.load_scripts(names, _values(set_))
    several = bool(for_) or all_ or len(parsed) > 1 or (output is not None and output.is_dir())
    kinds = tuple(kind for kind, wanted in zip(sidecars.KINDS, (lrc, vtt)) if wanted)
    read = pipeline.files_read((each.path for each in parsed), cover, ambience, for_)
    settings = pipeline.ExportSettings(dest=output, fmt=fmt, bitrate=bitrate, force=force, album=album,
                                       cover=_cover(cover), sidecars=kinds, feed_url=_feed_url(feed_url, several),
                                       read=read)
    options = session.render_options(loudness, bell_volume, ambience, ambience_volume)
    pace = session.pace(voice, rate, _seconds("--length", length), bells)
    with session.synthesizer(cache_dir, voice) as synth:
        if several:
            with _batch_display(quiet, len(parsed)) as (on_progress, on_written):
                batch.export_batch(parsed, output or Path.cwd(), pace, synth, settings, options, on_progress,
                                   on_written)
            if settings.feed_url and not quiet:
                _say(f"podcast feed written for {settings.feed_url}")
        else:
            with _progress(quiet, "Speaking") as on_progress:
                written, timeline = pipeline.export(parsed[0], pace, synth, settings, options, on_progress)
            if not quiet:
                _say(_summary(written, timeline.total, parsed[0].meta.title))
        _warn(synth, quiet)


def _for_clients(names: list[str], clients: Path, values: dict[str, str]) -> list[script_language.Script]:
    """The one practice named, once per client of the CSV file given with --for."""
    from stillpoint.app import personalize

    if len(names) != 1:
        raise UsageError("--for personalizes one practice", hint="name a single practice, e.g. export benefactor --for "
                         "clients.csv -o DIR")
    return personalize.scripts_for_file(names[0], clients, values)


def _feed_url(url: str | None, several: bool) -> str | None:
    """--feed-url as the address of feed.xml; only a folder of tracks gets a feed."""
    if url is None:
        return None
    if not several:
        raise UsageError("--feed-url: a feed is written beside a folder of tracks",
                         hint="add --all, or give several practices with -o FOLDER")
    from stillpoint.app import publish

    return publish.feed_url_of(url)


def _audio_file(output: Path | None) -> Path | None:
    """-o as given; `-o -` is refused, since tags and chapters go into the file after the audio is written."""
    if output is not None and str(output) == "-":
        raise UsageError("-o -: audio cannot be written to standard output", hint="give a file name, such as calm.mp3")
    return output


def _cover(path: Path | None) -> bytes | None:
    """The picture given with --cover, checked; Pillow loads only for export."""
    from stillpoint.output import cover as cover_art

    return cover_art.load(path) if path else None


def _summary(path: Path, seconds: float, title: str) -> str:
    return f"{path}  {_clock(seconds)}  {title}"


@contextmanager
def _batch_display(
    quiet: bool, total: int
) -> "Iterator[tuple[Callable[[batch.BatchProgress], None], Callable[[batch.Exported], None]]]":
    """A bar over the whole batch on stderr (on a terminal only) and a line on stdout per file written."""

    def say(done: "batch.Exported") -> None:
        if not quiet:
            _say(_summary(done.path, done.timeline.total, done.info.title))

    if quiet or not sys.stderr.isatty():
        yield (lambda _state: None), say
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn

    columns = (TextColumn("Exporting"), BarColumn(bar_width=24), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.fields[now]}", markup=False))
    with _progress_bar(columns) as bar:
        task = bar.add_task("Exporting", total=total, now="")

        def speaking(state: "batch.BatchProgress") -> None:
            bar.update(task, now=printable(f"{state.speech.done}/{state.speech.total} lines of {state.title}"))

        def written(done: "batch.Exported") -> None:
            bar.advance(task)
            if sys.stdout.isatty():  # the same screen: print above the bar rather than through it
                bar.console.print(printable(_summary(done.path, done.timeline.total, done.info.title)), markup=False,
                                  highlight=False, soft_wrap=True)
            else:
                say(done)

        yield speaking, written


@app.command()
@handled
def play(
    script: ScriptArg,
    resume_: Annotated[
        bool, typer.Option("--resume", help="Continue from the start of the section where you last stopped.")
    ] = False,
    no_ui: Annotated[bool, typer.Option("--no-ui", help="Plain progress lines instead of the player screen.")] = False,
    loudness: LoudnessOpt = SOUND.loudness,
    bell_volume: BellVolumeOpt = SOUND.bell_volume,
    ambience: AmbienceOpt = SOUND.ambience,
    ambience_volume: AmbienceVolumeOpt = SOUND.ambience_volume,
    rate: RateOpt = None,
    voice: VoiceOpt = None,
    set_: SetOpt = None,
    length: LengthOpt = None,
    bells: BellsOpt = True,
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
    parsed = pipeline.load_script(script, _values(set_))
    options = session.render_options(loudness, bell_volume, ambience, ambience_volume)
    with _sound_device() as sink, session.synthesizer(cache_dir, voice) as synth:
        program = Program(parsed, session.pace(voice, rate, _seconds("--length", length), bells), synth, options)
        # One worker of each engine loads under the bell: two neural ones at once on two cores delay the first words.
        synth.start_workers((event.utterance for event in program.timeline.events if event.utterance), each=1)
        fitted = _fit(program, quiet)
        first, note = _starting_point(parsed, program, resume_)
        stopped = _listen(parsed, program, sink, first, note or fitted, no_ui, quiet)
        _warn(synth, quiet)
    if stopped and not quiet:
        _say(f"stopped at {clock(stopped.seconds)} in “{stopped.section}”; "
             f"`stillpoint play {script} --resume` continues from there")


def _sound_device() -> DeviceSink:
    """The sound device, for the terminal player; on Windows, where it has no key reader, a one-line error."""
    if not TERMINAL_PLAYER:
        raise PlaybackError("the terminal player is not supported on Windows", hint=EXPORT_HINT)
    return DeviceSink()


def _fit(program: Program, quiet: bool) -> str:
    """Speak every line first when the practice is fitted to a length (fitting needs real lengths)."""
    if not program.needs_every_line:
        return ""
    with _progress(quiet, "Speaking every line first, to fit the length") as on_progress:
        program.measure(on_progress)
    return f"fitted to {clock(program.timeline.total)}: every line was spoken before the start"


def _starting_point(parsed: script_language.Script, program: Program, wanted: bool) -> tuple[int, str]:
    """The event to start from (the section stopped in, with --resume) and a note saying so."""
    if not wanted:
        return 0, ""
    first = resume.starting_point(program.timeline, resume.load(parsed.path))
    if not first:
        return 0, "starting at the beginning"
    return first, f"continuing at “{program.timeline.events[first].section}”"


def _listen(parsed: script_language.Script, program: Program, sink: DeviceSink, first: int, note: str, plain: bool,
            quiet: bool) -> resume.Bookmark | None:
    """Play to the end or until stopped, and remember where it stopped; returns that place, or None at the end."""
    from stillpoint.listen.keys import Keys  # POSIX only: loaded once the sound device is open, which checks for that

    listening = player.Player(program, sink, note)
    keys = Keys.from_stdin()
    try:
        with screen_for(plain, quiet, keys.active) as screen, keys:
            listening.play(screen, keys, first)
    finally:
        _remember(parsed.path, listening.bookmark(), quiet)
    return listening.bookmark()


def _remember(practice: str, bookmark: resume.Bookmark | None, quiet: bool) -> None:
    try:
        resume.save(practice, bookmark)
    except (OSError, StillpointError) as err:
        if not quiet:
            _warning(f"cannot remember where the practice stopped: {err}")


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

    words, values = lexicon.load(), _values(set_)
    silence = _seconds("--review-silence", review_silence) or review.LONG_SILENCE
    reviewing = review.Options(silence=silence) if reviewed or review_silence else None
    with Synthesizer(engine=session.engine_spec()) as synth:  # started only for a script that chooses a voice
        results = [authoring.check(source, values, words, strict, synth.resolve_voice, reviewing) for source in scripts]
    if as_json:
        typer.echo(json.dumps(reports.check_report(results), indent=2))
    else:
        _print_check(results, quiet)
    if any(result.count("error") for result in results):
        raise typer.Exit(EXIT_ERROR)


def _print_check(results: "list[authoring.CheckResult]", quiet: bool) -> None:
    given: set[str] = set()
    for result in results:
        for line in _lines(result.diagnostics, given):
            _say(line, err=True)
        for line in _check_lines(result) if not quiet else []:
            _say(line)
    if not quiet:
        errors, warnings = (sum(r.count(kind) for r in results) for kind in ("error", "warning"))
        _say(f"{_count(len(results), 'file')}: {_count(errors, 'error')}, {_count(warnings, 'warning')}")


def _check_lines(result: "authoring.CheckResult") -> list[str]:
    """A checked script's status, shape and variables; nothing for one that could not be read."""
    if result.script is None or result.timeline is None:
        return []
    errors, warnings = result.count("error"), result.count("warning")
    status = _count(errors, "error") if errors else "ok" + (f", {_count(warnings, 'warning')}" if warnings else "")
    shape = f"{_count(len(result.script.sections), 'section')}, about {_clock(result.timeline.total)}"
    variables = [f'{name} = "{default}"' if default is not None else f"{name} (no default)"
                 for name, default in reports.variables(result.script).items()]
    return [f"{result.path}: {status} ({shape})", *(["  variables: " + ", ".join(variables)] if variables else [])]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


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
    """Show every event with its start time and the total length (a dry run of export).

    \b
    Examples:
      stillpoint plan benefactor
      stillpoint plan my-practice.txt --length 10m --json
    """
    parsed = pipeline.load_script(script, _values(set_))
    with session.synthesizer(cache_dir, voice) as synth, _progress(quiet or as_json, "Measuring") as on_progress:
        pace = session.pace(voice, rate, _seconds("--length", length), bells)
        timeline = pipeline.timed_plan(parsed, pace, synth, on_progress)
    if as_json:
        typer.echo(json.dumps(reports.plan_report(timeline), indent=2))
        return
    for row in _plan_table(timeline):
        _say(row)


def _plan_table(timeline: Timeline) -> list[str]:
    """Every event with its start, then the sections' times and the total, a row each."""
    rows = [f"{timeline.title}"]
    section = None
    for event in timeline.events:
        if event.section != section:
            section = event.section
            rows += ["", f"# {section}"]
        detail = event.text if event.kind == timing.SPEECH else ""
        rows.append(f"{_clock(event.start):>6}  {event.kind:<8}{event.duration:6.1f}s  {detail}".rstrip())
    return [*rows, "", *_sections_table(timeline), "", f"total {_clock(timeline.total)} ({timeline.total:.1f} s)"]


def _sections_table(timeline: Timeline) -> list[str]:
    width = max(len("section"), *(len(t.title) for t in timing.section_times(timeline)))
    rows = [f"{'section':<{width}}  spoken  silent  wpm heard"]
    for times in timing.section_times(timeline):
        rows.append(f"{times.title:<{width}}  {_clock(times.spoken):>6}  {_clock(times.silent):>6}  "
                    f"{times.heard_wpm:9.0f}")
    return rows


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
            _say(f"{practice.name:<24} (cannot be read: {next(_lines(practice.problems[:1], given))})")
            continue
        meta = practice.script.meta
        tags = f"  [{', '.join(meta.tags)}]" if meta.tags else ""
        _say(f"{practice.name:<24} {_clock(practice.seconds):>6}  {meta.title}{tags}")
        if meta.content_note:
            _say(f"{'':<32}content note: {meta.content_note}")


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
    _say(f"created {written}; check it as you write with: stillpoint check {written}")


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
                                _values(set_), dest=str(output or "<output>"))
    if output:
        files.write_text(output, result.text, force, pipeline.files_read([path], what="the file converted"))
    else:
        for line in result.text.split("\n")[: -1 if result.text.endswith("\n") or not result.text else None]:
            _say(line)
    given: set[str] = set()
    for line in _lines((note for note in result.notes if not quiet or note.severity == "error"), given):
        _say(line, err=True)
    if any(note.severity == "error" for note in result.notes):
        raise typer.Exit(EXIT_ERROR)


def _format(option: str, value: str | None) -> str | None:
    from stillpoint.language import convert as conversion

    if value is not None and value.lower() not in conversion.FORMATS:
        raise UsageError(f"{option} {value}: not a format", hint="choose " + ", ".join(conversion.FORMATS))
    return value.lower() if value else None


@app.command()
@handled
def preview(
    script: ScriptArg,
    section: Annotated[Optional[str], typer.Option("--section", help="The section to hear, by its title.")] = None,
    lines: Annotated[Optional[str], typer.Option("--lines", help="The lines to hear, e.g. 10-20.")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Export the part to this file.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    loudness: LoudnessOpt = SOUND.loudness,
    bell_volume: BellVolumeOpt = SOUND.bell_volume,
    ambience: AmbienceOpt = SOUND.ambience,
    ambience_volume: AmbienceVolumeOpt = SOUND.ambience_volume,
    rate: RateOpt = None,
    voice: VoiceOpt = None,
    set_: SetOpt = None,
    bells: BellsOpt = True,
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
    from stillpoint.app import preview as previews

    output = _audio_file(output)
    parsed = pipeline.load_script(script, _values(set_))
    part = previews.part(parsed, section, previews.line_range(lines) if lines else None)
    pace = session.pace(voice, rate, None, bells)
    options = session.render_options(loudness, bell_volume, ambience, ambience_volume)
    if output is None:
        _play_part(part, pace, options, cache_dir, quiet)
        return
    with session.synthesizer(cache_dir, voice) as synth, _progress(quiet, "Speaking") as on_progress:
        written, timeline = previews.write(part, pace, synth, output, options, force, on_progress,
                                           pipeline.files_read([parsed.path], ambience=ambience))
        _warn(synth, quiet)
    if not quiet:
        _say(f"{written}  {_clock(timeline.total)}  {part.sections[0].title if section else f'lines {lines}'}")


def _play_part(part: script_language.Script, pace: Pace, options: RenderOptions, cache_dir: Path | None,
               quiet: bool) -> None:
    """Play an excerpt from its start; unlike `play`, it leaves the practice's resume point alone."""
    try:
        sink = _sound_device()
    except PlaybackError as err:
        hint = "add -o part.wav to write the part to a file instead"
        raise PlaybackError(err.diagnostic.message, hint=hint) from None
    from stillpoint.listen.keys import Keys  # as in play

    with sink, session.synthesizer(cache_dir, pace.voice) as synth:
        listening = player.Player(Program(part, pace, synth, options), sink)
        with screen_for(False, quiet) as screen, Keys.from_stdin() as keys:
            listening.play(screen, keys)
        _warn(synth, quiet)


@app.command()
@handled
def studio(
    folder: Annotated[Optional[Path], typer.Argument(
        help="Folder of your practices (default: ~/.local/share/stillpoint/practices).", show_default=False)] = None,
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (default: a free one).", min=0,
                                      max=65535)] = 0,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Only print the link; open no browser.")] = False,
    cache_dir: CacheOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Write, hear and hand over practices in the browser; the first line printed is the studio's link.

    \b
    Examples:
      stillpoint studio
      stillpoint studio ~/practices --port 8800 --no-browser
    """
    from stillpoint.studio import server

    with server.listening_socket(port) as sock, server.opened(folder or library.USER_FOLDER, cache_dir) as state:
        token = server.new_token()
        address = server.url(sock, token)
        _say(address)
        if no_browser or not server.open_browser(address):
            _say("open the link above in any browser on this machine, until Ctrl-C stops the studio", err=True)
        server.serve(state, sock, token)


@app.command()
@handled
def serve(
    folder: Annotated[Path, typer.Argument(help="The folder of exported MP3s, e.g. from export --all -o FOLDER.")],
    host: Annotated[Optional[str], typer.Option(
        "--host", help="Address to listen on (default: this machine's on its network; 127.0.0.1 keeps it here).",
        show_default=False)] = None,
    port: Annotated[int, typer.Option("--port", help="Port to listen on; 0 takes any free one.", min=0,
                                      max=65535)] = SERVE_PORT,
    debug: DebugOpt = False,
) -> None:
    """Publish exported tracks as a private podcast feed for a phone on the same network, until Ctrl-C.

    The first line printed is the feed's address: subscribe to it in a podcast app, or scan the QR code below
    it. Nothing is written or changed, and nothing outside the folder is served.

    \b
    Examples:
      stillpoint serve ~/Music/Stillpoint/
      stillpoint serve ~/Music/Stillpoint/ --host 127.0.0.1 --port 8765
    """
    from stillpoint import feedserver  # Starlette and uvicorn load only here
    from stillpoint.app import publish

    bound, public, interface = feedserver.address_for(_host(host))
    private = publish.private_path(folder)
    sock = feedserver.listening_socket(bound, port)
    try:
        url = f"http://{feedserver.url_host(public)}:{sock.getsockname()[1]}/{private}/{publish.FEED_NAME}"
        published = publish.publication(folder, url)
        _announce(published, folder, public, interface)
        feedserver.serve(feedserver.application(published, private), sock)
    finally:
        sock.close()


def _host(host: str | None) -> str | None:
    """--host as an IP address."""
    import ipaddress

    if host is None:
        return None
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        raise UsageError(f"--host {host}: not an IP address", hint="give one such as 127.0.0.1 or 192.168.1.20, "
                         "or leave it out to let stillpoint choose") from None


def _announce(published: "publish.Publication", folder: Path, public: str, interface: str) -> None:
    """The feed's address first, then its QR code (on a terminal), what was left out, and where it listens."""
    import segno

    _say(published.feed_url)
    if sys.stdout.isatty():
        code = io.StringIO()
        segno.make(published.feed_url).terminal(out=code, compact=True, border=2)
        typer.echo(code.getvalue(), nl=False)
    for path, reason in published.left_out:
        _warning(f"{path}: {reason}; left out of the feed")
    reach = (f"a phone on the same network reaches it through {interface}" if interface
             else "only this machine can reach it")
    _say(f"serving {_count(len(published.audio), 'track')} from {folder} at {public} ({reach}); "
         "read-only; Ctrl-C stops")


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
        _say("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths)), row[4]]).rstrip())


@cache_app.command("info")
@handled
def cache_info(cache_dir: CacheOpt = None, debug: DebugOpt = False) -> None:
    """Show where the cache is and how much it holds.

    \b
    Example:
      stillpoint cache info
    """
    entries, size, folder = session.cache(cache_dir).info()
    _say(f"{folder}: {entries} lines, {size / 1e6:.1f} MB")


@cache_app.command("clear")
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
    _say(f"{folder}: removed {entries} lines")


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
    ``__main__``; for the script that would mean importing typer and every command (~0.1 s) before its engine.
    """
    script = sys.modules["__main__"]
    if getattr(script, "__spec__", None) is None:
        script.__spec__ = importlib.util.find_spec("stillpoint.__main__")
